// Package notation signs and verifies Notary Project (Notation) signatures
// of blobs and of OCI artifacts, through libnotation, the C library of
// notation-rs.
//
// Build with cgo (CGO_ENABLED=1) and point the linker at the library:
//
//	CGO_LDFLAGS="-L/path/to/lib -Wl,-rpath,/path/to/lib" go build      # libnotation.so
//	CGO_LDFLAGS="-L/path/to/lib" go build -tags notation_static        # libnotation.a
//
// The header is found through ${SRCDIR}/../../../include (this package's
// place in the notation-rs repository); elsewhere set CGO_CFLAGS=-I<dir>.
//
// Types that own library handles (Config, Verifier, Signer, Target) have a
// Close method and a finalizer that calls it: Close them when done to
// release memory promptly. Their methods may be called from many
// goroutines at once; Close must not run concurrently with other calls on
// the same value. Results (VerificationResult, SignatureInfo) are plain Go
// values copied out of the library.
//
// Every error returned by the package is an *Error carrying the library's
// result code and message; compare codes with errors.Is(err,
// notation.ErrVerificationFailed) and friends, or errors.As.
package notation

// #cgo CFLAGS: -I${SRCDIR}/../../../include
// #include <stdlib.h>
// #include "notation.h"
import "C"

import (
	"errors"
	"fmt"
	"runtime"
	"time"
	"unsafe"
)

// Code is a libnotation result code (notation_result in notation.h).
type Code uint32

// The result codes. They are never renumbered.
const (
	CodeOK                       Code = C.NOTATION_RESULT_OK
	CodeNullParameter            Code = C.NOTATION_RESULT_NULL_PARAMETER
	CodeInvalidUTF8              Code = C.NOTATION_RESULT_INVALID_UTF8
	CodeBufferTooSmall           Code = C.NOTATION_RESULT_BUFFER_TOO_SMALL
	CodeInvalidArgument          Code = C.NOTATION_RESULT_INVALID_ARGUMENT
	CodeInputTooLarge            Code = C.NOTATION_RESULT_INPUT_TOO_LARGE
	CodeIndexOutOfRange          Code = C.NOTATION_RESULT_INDEX_OUT_OF_RANGE
	CodeNotAvailable             Code = C.NOTATION_RESULT_NOT_AVAILABLE
	CodeUnsupported              Code = C.NOTATION_RESULT_UNSUPPORTED
	CodeIO                       Code = C.NOTATION_RESULT_IO
	CodePanic                    Code = C.NOTATION_RESULT_PANIC
	CodeConfig                   Code = C.NOTATION_RESULT_CONFIG
	CodePolicyNotPresent         Code = C.NOTATION_RESULT_POLICY_NOT_PRESENT
	CodePolicyMalformed          Code = C.NOTATION_RESULT_POLICY_MALFORMED
	CodePolicyInvalid            Code = C.NOTATION_RESULT_POLICY_INVALID
	CodeTrustStoreInvalid        Code = C.NOTATION_RESULT_TRUST_STORE_INVALID
	CodeCertificateInvalid       Code = C.NOTATION_RESULT_CERTIFICATE_INVALID
	CodeKeyNotFound              Code = C.NOTATION_RESULT_KEY_NOT_FOUND
	CodeSigningKeyInvalid        Code = C.NOTATION_RESULT_SIGNING_KEY_INVALID
	CodeCertificateChainInvalid  Code = C.NOTATION_RESULT_CERTIFICATE_CHAIN_INVALID
	CodeKeyMismatch              Code = C.NOTATION_RESULT_KEY_MISMATCH
	CodeKeyUnsupported           Code = C.NOTATION_RESULT_KEY_UNSUPPORTED
	CodePluginKeyUnsupported     Code = C.NOTATION_RESULT_PLUGIN_KEY_UNSUPPORTED
	CodeSigningFailed            Code = C.NOTATION_RESULT_SIGNING_FAILED
	CodeUserMetadataInvalid      Code = C.NOTATION_RESULT_USER_METADATA_INVALID
	CodeExpiryInvalid            Code = C.NOTATION_RESULT_EXPIRY_INVALID
	CodeTimestampFailed          Code = C.NOTATION_RESULT_TIMESTAMP_FAILED
	CodePluginNotFound           Code = C.NOTATION_RESULT_PLUGIN_NOT_FOUND
	CodePluginFailed             Code = C.NOTATION_RESULT_PLUGIN_FAILED
	CodePluginCapabilityMissing  Code = C.NOTATION_RESULT_PLUGIN_CAPABILITY_MISSING
	CodePKCS11Failed             Code = C.NOTATION_RESULT_PKCS11_FAILED
	CodePKCS11PINInvalid         Code = C.NOTATION_RESULT_PKCS11_PIN_INVALID
	CodeVerificationFailed       Code = C.NOTATION_RESULT_VERIFICATION_FAILED
	CodeNoTrustPolicy            Code = C.NOTATION_RESULT_NO_TRUST_POLICY
	CodeNoApplicablePolicy       Code = C.NOTATION_RESULT_NO_APPLICABLE_POLICY
	CodeArtifactMismatch         Code = C.NOTATION_RESULT_ARTIFACT_MISMATCH
	CodeUserMetadataMismatch     Code = C.NOTATION_RESULT_USER_METADATA_MISMATCH
	CodeVerificationInconclusive Code = C.NOTATION_RESULT_VERIFICATION_INCONCLUSIVE
	CodePayloadInvalid           Code = C.NOTATION_RESULT_PAYLOAD_INVALID
	CodeSignatureFileNameInvalid Code = C.NOTATION_RESULT_SIGNATURE_FILE_NAME_INVALID
	CodeEnvelopeInvalid          Code = C.NOTATION_RESULT_ENVELOPE_INVALID
	CodeVerificationPluginFailed Code = C.NOTATION_RESULT_VERIFICATION_PLUGIN_FAILED
	CodeReferenceInvalid         Code = C.NOTATION_RESULT_REFERENCE_INVALID
	CodeNotFound                 Code = C.NOTATION_RESULT_NOT_FOUND
	CodeDigestMismatch           Code = C.NOTATION_RESULT_DIGEST_MISMATCH
	CodeNoSignature              Code = C.NOTATION_RESULT_NO_SIGNATURE
	CodeTooManySignatures        Code = C.NOTATION_RESULT_TOO_MANY_SIGNATURES
	CodeLayoutInvalid            Code = C.NOTATION_RESULT_LAYOUT_INVALID
	CodeRepositoryError          Code = C.NOTATION_RESULT_REPOSITORY_ERROR
	CodeRegistryError            Code = C.NOTATION_RESULT_REGISTRY_ERROR
	CodeRegistryUnauthorized     Code = C.NOTATION_RESULT_REGISTRY_UNAUTHORIZED
)

// Sentinels for errors.Is: an *Error matches the sentinel of its code.
var (
	ErrVerificationFailed   = &Error{Code: CodeVerificationFailed}
	ErrArtifactMismatch     = &Error{Code: CodeArtifactMismatch}
	ErrUserMetadataMismatch = &Error{Code: CodeUserMetadataMismatch}
	ErrNoSignature          = &Error{Code: CodeNoSignature}
	ErrNoApplicablePolicy   = &Error{Code: CodeNoApplicablePolicy}
	ErrNotFound             = &Error{Code: CodeNotFound}
	ErrUnsupported          = &Error{Code: CodeUnsupported}
	ErrInvalidArgument      = &Error{Code: CodeInvalidArgument}
	// ErrVerificationInconclusive: the signature requires a verification
	// plugin that is not installed, too old or not a verifier, or plugins
	// are disabled.
	ErrVerificationInconclusive = &Error{Code: CodeVerificationInconclusive}
	// ErrVerificationPluginFailed: the verification plugin failed or
	// answered badly (a check it failed is ErrVerificationFailed).
	ErrVerificationPluginFailed = &Error{Code: CodeVerificationPluginFailed}
	// ErrPluginKeyUnsupported: a plugin key, with plugins disabled.
	ErrPluginKeyUnsupported = &Error{Code: CodePluginKeyUnsupported}
	// ErrPluginNotFound: the signing key's plugin is not installed.
	ErrPluginNotFound = &Error{Code: CodePluginNotFound}
	// ErrPluginFailed: the signing plugin failed or answered badly; the
	// message is the plugin's for its error responses.
	ErrPluginFailed = &Error{Code: CodePluginFailed}
	// ErrPluginCapabilityMissing: the plugin cannot sign this (no signature
	// generator capability, or an envelope-only plugin asked for a blob).
	ErrPluginCapabilityMissing = &Error{Code: CodePluginCapabilityMissing}
	// ErrPKCS11Failed: the PKCS#11 module, token, key or mechanism is not
	// usable (the message says which).
	ErrPKCS11Failed = &Error{Code: CodePKCS11Failed}
	// ErrPKCS11PINInvalid: the token refused the PIN, or none was given.
	ErrPKCS11PINInvalid = &Error{Code: CodePKCS11PINInvalid}
)

// String is the library's text for the code ("signature verification
// failed").
func (c Code) String() string {
	s, err := readString(func(buf *C.char, n C.size_t, needed *C.size_t) C.notation_result {
		return C.notation_result_text(C.uint32_t(c), buf, n, needed)
	})
	if err != nil {
		return fmt.Sprintf("code %d", uint32(c))
	}
	return s
}

// Error is a failed libnotation call: its result code and message (the
// reference implementation's wording where there is one).
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string {
	if e.Message == "" {
		return "notation: " + e.Code.String()
	}
	return "notation: " + e.Message
}

// Is reports whether target is an *Error with the same code and no
// message (a sentinel such as ErrVerificationFailed), or the same error.
func (e *Error) Is(target error) bool {
	var t *Error
	if !errors.As(target, &t) {
		return false
	}
	return t.Code == e.Code && (t.Message == "" || t.Message == e.Message)
}

// lastError reads the calling thread's last error; the caller has locked
// the goroutine to its thread since the failing call.
func lastError() string {
	s, err := readString(func(buf *C.char, n C.size_t, needed *C.size_t) C.notation_result {
		return C.notation_last_error(buf, n, needed)
	})
	if err != nil {
		return ""
	}
	return s
}

// call runs one library call and turns its code into an error. The
// library's last error is per thread, and a goroutine may move between
// threads between two cgo calls: the goroutine stays on its thread until
// the message is read.
func call(f func() C.notation_result) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	rc := f()
	if rc == C.NOTATION_RESULT_OK {
		return nil
	}
	return &Error{Code: Code(rc), Message: lastError()}
}

// readString reads a string through the caller-buffer pattern: ask for
// the size, then copy (again if the value grew meanwhile).
func readString(f func(buf *C.char, n C.size_t, needed *C.size_t) C.notation_result) (string, error) {
	var needed C.size_t
	rc := f(nil, 0, &needed)
	for attempt := 0; attempt < 4; attempt++ {
		if rc != C.NOTATION_RESULT_BUFFER_TOO_SMALL {
			return "", &Error{Code: Code(rc)}
		}
		buf := make([]byte, int(needed))
		rc = f((*C.char)(unsafe.Pointer(&buf[0])), needed, &needed)
		if rc == C.NOTATION_RESULT_OK {
			return string(buf[:int(needed)-1]), nil
		}
	}
	return "", &Error{Code: Code(rc)}
}

// optionalString is readString where NOT_AVAILABLE means "".
func optionalString(f func(buf *C.char, n C.size_t, needed *C.size_t) C.notation_result) string {
	s, _ := readString(f)
	return s
}

func bytesPtr(b []byte) (*C.uint8_t, C.size_t) {
	if len(b) == 0 {
		return nil, 0
	}
	return (*C.uint8_t)(unsafe.Pointer(&b[0])), C.size_t(len(b))
}

func cString(s string) *C.char {
	return C.CString(s)
}

func free(p *C.char) {
	C.free(unsafe.Pointer(p))
}

// Version is the library's version.
func Version() string {
	return C.GoString(C.notation_version())
}

// Format is a signature envelope format.
type Format uint32

// Envelope formats.
const (
	FormatJWS  Format = C.NOTATION_ENVELOPE_FORMAT_JWS
	FormatCOSE Format = C.NOTATION_ENVELOPE_FORMAT_COSE
)

// ManifestForm is how a signature is attached to an OCI artifact.
type ManifestForm uint32

// Manifest forms.
const (
	ManifestArtifactType    ManifestForm = C.NOTATION_MANIFEST_FORM_ARTIFACT_TYPE
	ManifestConfigMediaType ManifestForm = C.NOTATION_MANIFEST_FORM_CONFIG_MEDIA_TYPE
)

// TrustStoreType is the kind of a named trust store.
type TrustStoreType uint32

// Trust store types.
const (
	TrustStoreCA               TrustStoreType = C.NOTATION_TRUST_STORE_TYPE_CA
	TrustStoreSigningAuthority TrustStoreType = C.NOTATION_TRUST_STORE_TYPE_SIGNING_AUTHORITY
	TrustStoreTSA              TrustStoreType = C.NOTATION_TRUST_STORE_TYPE_TSA
)

// RevocationMode is how verifiers check certificates for revocation.
type RevocationMode uint32

// Revocation modes.
const (
	// RevocationOnline checks OCSP, then CRLs, over HTTP (the default).
	RevocationOnline RevocationMode = C.NOTATION_REVOCATION_MODE_ONLINE
	// RevocationOffline never uses the network: certificates with
	// revocation information are "unknown".
	RevocationOffline RevocationMode = C.NOTATION_REVOCATION_MODE_OFFLINE
)

// PolicyKind is the kind of a trust policy document.
type PolicyKind uint32

// Trust policy document kinds.
const (
	PolicyOCI  PolicyKind = C.NOTATION_POLICY_KIND_OCI
	PolicyBlob PolicyKind = C.NOTATION_POLICY_KIND_BLOB
)

// Check is one check of the verification procedure.
type Check uint32

// The checks.
const (
	CheckIntegrity          Check = C.NOTATION_CHECK_INTEGRITY
	CheckAuthenticity       Check = C.NOTATION_CHECK_AUTHENTICITY
	CheckAuthenticTimestamp Check = C.NOTATION_CHECK_AUTHENTIC_TIMESTAMP
	CheckExpiry             Check = C.NOTATION_CHECK_EXPIRY
	CheckRevocation         Check = C.NOTATION_CHECK_REVOCATION
)

// String is the check's name in trust policies ("authenticity").
func (c Check) String() string {
	var name *C.char
	if C.notation_check_name(C.uint32_t(c), &name) != C.NOTATION_RESULT_OK {
		return fmt.Sprintf("check(%d)", uint32(c))
	}
	return C.GoString(name)
}

// Action is what a trust policy does with a check's failure.
type Action uint32

// The actions.
const (
	ActionEnforce Action = C.NOTATION_CHECK_ACTION_ENFORCE
	ActionLog     Action = C.NOTATION_CHECK_ACTION_LOG
	ActionSkip    Action = C.NOTATION_CHECK_ACTION_SKIP
)

// String is the action's name ("enforce", "log", "skip").
func (a Action) String() string {
	var name *C.char
	if C.notation_check_action_name(C.uint32_t(a), &name) != C.NOTATION_RESULT_OK {
		return fmt.Sprintf("action(%d)", uint32(a))
	}
	return C.GoString(name)
}

// ValidateTrustPolicy validates a trust policy document; the error carries
// CodePolicyMalformed or CodePolicyInvalid and the reason.
func ValidateTrustPolicy(kind PolicyKind, document []byte) error {
	p, n := bytesPtr(document)
	err := call(func() C.notation_result {
		return C.notation_trust_policy_validate(C.uint32_t(kind), p, n)
	})
	runtime.KeepAlive(document)
	return err
}

// Config holds trust policies and trust stores: from a notation
// configuration directory (OpenConfigDir) or built in memory (NewConfig).
type Config struct {
	ptr *C.notation_config
}

func newConfig(ptr *C.notation_config) *Config {
	c := &Config{ptr: ptr}
	runtime.SetFinalizer(c, (*Config).Close)
	return c
}

// NewConfig creates an empty in-memory configuration.
func NewConfig() (*Config, error) {
	var ptr *C.notation_config
	if err := call(func() C.notation_result { return C.notation_config_new(&ptr) }); err != nil {
		return nil, err
	}
	return newConfig(ptr), nil
}

// OpenConfigDir opens a notation configuration directory (NOTATION_CONFIG
// layout): trust policies, truststore/x509, signingkeys.json.
func OpenConfigDir(path string) (*Config, error) {
	cpath := cString(path)
	defer free(cpath)
	var ptr *C.notation_config
	if err := call(func() C.notation_result { return C.notation_config_open_dir(cpath, &ptr) }); err != nil {
		return nil, err
	}
	return newConfig(ptr), nil
}

// OpenDefaultConfig opens NOTATION_CONFIG, else the platform's notation
// configuration directory.
func OpenDefaultConfig() (*Config, error) {
	var ptr *C.notation_config
	if err := call(func() C.notation_result { return C.notation_config_open_default(&ptr) }); err != nil {
		return nil, err
	}
	return newConfig(ptr), nil
}

// SetOCIPolicy sets the OCI trust policy document (trustpolicy.oci.json).
func (c *Config) SetOCIPolicy(document []byte) error {
	p, n := bytesPtr(document)
	err := call(func() C.notation_result { return C.notation_config_set_oci_policy(c.ptr, p, n) })
	runtime.KeepAlive(document)
	runtime.KeepAlive(c)
	return err
}

// SetBlobPolicy sets the blob trust policy document (trustpolicy.blob.json).
func (c *Config) SetBlobPolicy(document []byte) error {
	p, n := bytesPtr(document)
	err := call(func() C.notation_result { return C.notation_config_set_blob_policy(c.ptr, p, n) })
	runtime.KeepAlive(document)
	runtime.KeepAlive(c)
	return err
}

// AddCertificates adds PEM or DER certificates to a named trust store of an
// in-memory configuration.
func (c *Config) AddCertificates(storeType TrustStoreType, storeName string, certificates []byte) error {
	name := cString(storeName)
	defer free(name)
	p, n := bytesPtr(certificates)
	err := call(func() C.notation_result {
		return C.notation_config_add_certificates(c.ptr, C.uint32_t(storeType), name, p, n)
	})
	runtime.KeepAlive(certificates)
	runtime.KeepAlive(c)
	return err
}

// NewVerifier parses the configuration's policies and reads its trust
// stores once, for any number of verifications.
func (c *Config) NewVerifier() (*Verifier, error) {
	var ptr *C.notation_verifier
	err := call(func() C.notation_result { return C.notation_verifier_new(c.ptr, &ptr) })
	runtime.KeepAlive(c)
	if err != nil {
		return nil, err
	}
	v := &Verifier{ptr: ptr}
	runtime.SetFinalizer(v, (*Verifier).Close)
	return v, nil
}

// NewSigner loads a key of the configuration directory's signingkeys.json:
// the key named keyName, or the default key when keyName is "". A plugin
// key's plugin is found in the configuration's plugin directory; its
// pluginConfig is sent to the plugin, SignOptions.PluginConfig entries
// replacing those of the same name.
func (c *Config) NewSigner(keyName string) (*Signer, error) {
	var name *C.char
	if keyName != "" {
		name = cString(keyName)
		defer free(name)
	}
	var ptr *C.notation_signer
	err := call(func() C.notation_result { return C.notation_signer_new_from_config(c.ptr, name, &ptr) })
	runtime.KeepAlive(c)
	if err != nil {
		return nil, err
	}
	return newSigner(ptr), nil
}

// SetRevocationMode sets how verifiers made from this configuration check
// revocation.
func (c *Config) SetRevocationMode(mode RevocationMode) error {
	err := call(func() C.notation_result { return C.notation_config_set_revocation_mode(c.ptr, C.uint32_t(mode)) })
	runtime.KeepAlive(c)
	return err
}

// SetPluginDir sets the plugin directory ({dir}/{name}/notation-{name}):
// verifiers made from the configuration afterwards find the verification
// plugins that signatures require there, and plugin signers their plugin.
// A configuration opened from a directory starts with
// {NOTATION_LIBEXEC or that directory}/plugins, an in-memory one with none.
// Plugins are executables run with the process's environment: use a
// directory only trusted users can write to.
func (c *Config) SetPluginDir(dir string) error {
	d := cString(dir)
	defer free(d)
	err := call(func() C.notation_result { return C.notation_config_set_plugin_dir(c.ptr, d) })
	runtime.KeepAlive(c)
	return err
}

// DisablePlugins removes the plugin directory: signatures that require a
// verification plugin are inconclusive and plugin keys fail with
// ErrPluginKeyUnsupported.
func (c *Config) DisablePlugins() error {
	err := call(func() C.notation_result { return C.notation_config_set_plugin_dir(c.ptr, nil) })
	runtime.KeepAlive(c)
	return err
}

// PluginDir is the plugin directory; ok is false when plugins are
// disabled.
func (c *Config) PluginDir() (dir string, ok bool) {
	dir, err := readString(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
		return C.notation_config_plugin_dir(c.ptr, b, n, needed)
	})
	runtime.KeepAlive(c)
	return dir, err == nil
}

// SetPluginTimeout limits the time each plugin command of verifiers and
// signers made from the configuration afterwards may take (milliseconds
// are the unit; 0: no limit, the default).
func (c *Config) SetPluginTimeout(timeout time.Duration) error {
	ms := timeout.Milliseconds()
	if timeout < 0 || ms > int64(^uint32(0)) {
		return &Error{Code: CodeInvalidArgument, Message: "plugin timeout out of range"}
	}
	if timeout > 0 && ms == 0 {
		ms = 1
	}
	err := call(func() C.notation_result { return C.notation_config_set_plugin_timeout(c.ptr, C.uint32_t(ms)) })
	runtime.KeepAlive(c)
	return err
}

// NewPluginSigner makes a signer for the key keyID of the plugin
// pluginName, installed in the configuration's plugin directory. The
// plugin runs when signing: RAW plugins sign blobs and artifacts,
// ENVELOPE plugins artifacts, ENVELOPE_FOR_BLOB plugins blobs.
// SignOptions.PluginConfig is sent to it.
func (c *Config) NewPluginSigner(pluginName, keyID string) (*Signer, error) {
	p, k := cString(pluginName), cString(keyID)
	defer free(p)
	defer free(k)
	var ptr *C.notation_signer
	err := call(func() C.notation_result { return C.notation_signer_new_plugin(c.ptr, p, k, &ptr) })
	runtime.KeepAlive(c)
	if err != nil {
		return nil, err
	}
	return newSigner(ptr), nil
}

// SetRevocationTimeouts sets the time each OCSP request and CRL download
// may take (0: the defaults, 2 s and 5 s).
func (c *Config) SetRevocationTimeouts(ocsp, crl time.Duration) error {
	err := call(func() C.notation_result {
		return C.notation_config_set_revocation_timeouts(c.ptr, C.uint32_t(ocsp.Milliseconds()), C.uint32_t(crl.Milliseconds()))
	})
	runtime.KeepAlive(c)
	return err
}

// AddInsecureRegistry makes registry targets made with this configuration
// use plain HTTP for registry (host[:port]). For tests only.
func (c *Config) AddInsecureRegistry(registry string) error {
	r := cString(registry)
	defer free(r)
	err := call(func() C.notation_result { return C.notation_config_add_insecure_registry(c.ptr, r) })
	runtime.KeepAlive(c)
	return err
}

// SetRegistryCredentials sets the credentials registry targets made with
// this configuration use for registry (host[:port]); an empty username
// with a password is an identity token.
func (c *Config) SetRegistryCredentials(registry, username, password string) error {
	r, u, p := cString(registry), cString(username), cString(password)
	defer free(r)
	defer free(u)
	defer free(p)
	err := call(func() C.notation_result {
		return C.notation_config_set_registry_credentials(c.ptr, r, u, p)
	})
	runtime.KeepAlive(c)
	return err
}

// Close releases the configuration; verifiers and signers made from it stay
// usable. Calling it again does nothing.
func (c *Config) Close() error {
	C.notation_config_free(&c.ptr)
	return nil
}

// Verifier verifies signatures; safe for concurrent use.
type Verifier struct {
	ptr *C.notation_verifier
}

// Close releases the verifier. Calling it again does nothing.
func (v *Verifier) Close() error {
	C.notation_verifier_free(&v.ptr)
	return nil
}

// VerifyOptions tune a verification; the zero value (or nil) means the
// defaults.
type VerifyOptions struct {
	// PolicyName selects the blob trust policy statement (default: the
	// global one).
	PolicyName string
	// MediaType is required of a blob's signed media type.
	MediaType string
	// UserMetadata must be in the signature.
	UserMetadata map[string]string
	// MaxSignatures bounds the signatures of an artifact tried (1-100;
	// 0: 100).
	MaxSignatures int
	// PluginConfig is passed to the verification plugin a signature
	// requires (--plugin-config).
	PluginConfig map[string]string
}

func (o *VerifyOptions) toC() (*C.notation_verify_options, error) {
	if o == nil {
		return nil, nil
	}
	var ptr *C.notation_verify_options
	if err := call(func() C.notation_result { return C.notation_verify_options_new(&ptr) }); err != nil {
		return nil, err
	}
	set := func(f func() C.notation_result) error {
		if err := call(f); err != nil {
			C.notation_verify_options_free(&ptr)
			return err
		}
		return nil
	}
	if o.PolicyName != "" {
		s := cString(o.PolicyName)
		defer free(s)
		if err := set(func() C.notation_result { return C.notation_verify_options_set_policy_name(ptr, s) }); err != nil {
			return nil, err
		}
	}
	if o.MediaType != "" {
		s := cString(o.MediaType)
		defer free(s)
		if err := set(func() C.notation_result { return C.notation_verify_options_set_media_type(ptr, s) }); err != nil {
			return nil, err
		}
	}
	for k, v := range o.UserMetadata {
		ck, cv := cString(k), cString(v)
		err := set(func() C.notation_result { return C.notation_verify_options_add_user_metadata(ptr, ck, cv) })
		free(ck)
		free(cv)
		if err != nil {
			return nil, err
		}
	}
	if o.MaxSignatures != 0 {
		if err := set(func() C.notation_result {
			return C.notation_verify_options_set_max_signatures(ptr, C.size_t(o.MaxSignatures))
		}); err != nil {
			return nil, err
		}
	}
	for k, v := range o.PluginConfig {
		ck, cv := cString(k), cString(v)
		err := set(func() C.notation_result { return C.notation_verify_options_add_plugin_config(ptr, ck, cv) })
		free(ck)
		free(cv)
		if err != nil {
			return nil, err
		}
	}
	return ptr, nil
}

// CheckResult is one check of a verification.
type CheckResult struct {
	Check  Check
	Action Action
	Passed bool
	// Failure is why it failed ("" when it passed).
	Failure string
}

// Payload is what a signature signs.
type Payload struct {
	MediaType string
	Digest    string
	Size      uint64
}

// VerificationResult is the verdict of one verification and every check
// behind it.
type VerificationResult struct {
	// Passed is true when the signature verified (or the policy said skip).
	Passed bool
	// Skipped is true when the trust policy said skip.
	Skipped bool
	// Code is the library's result code (CodeOK when Passed).
	Code Code
	// Failure is why verification failed ("" when it passed).
	Failure string
	// PolicyName is the trust policy statement applied.
	PolicyName string
	// Checks are the checks that ran, in order.
	Checks []CheckResult
	// Payload is the signed content, once the signature's integrity was
	// verified; nil otherwise.
	Payload *Payload
	// SignatureDigest is, for artifacts, the signature manifest that
	// verified (or whose checks are reported when all failed).
	SignatureDigest string
	// ArtifactDigest is, for artifacts, the manifest digest verified.
	ArtifactDigest string
	// SignatureFailures lists, for artifacts, each signature that failed
	// ("<digest>: <reason>").
	SignatureFailures []string
}

// Err is nil when the verification passed, else an *Error with the code and
// failure.
func (r *VerificationResult) Err() error {
	if r.Passed {
		return nil
	}
	return &Error{Code: r.Code, Message: r.Failure}
}

// verify runs one verification into a fresh C result and copies it out.
func verify(f func(result *C.notation_verification_result) C.notation_result) (*VerificationResult, error) {
	var res *C.notation_verification_result
	if err := call(func() C.notation_result { return C.notation_verification_result_new(&res) }); err != nil {
		return nil, err
	}
	defer C.notation_verification_result_free(&res)
	// The verdict and its message are in the result, whatever the code.
	f(res)
	var code C.notation_result
	if err := call(func() C.notation_result { return C.notation_verification_result_code(res, &code) }); err != nil {
		return nil, err
	}
	r := &VerificationResult{Code: Code(code), Passed: code == C.NOTATION_RESULT_OK}
	var skipped C.bool
	if C.notation_verification_result_skipped(res, &skipped) == C.NOTATION_RESULT_OK {
		r.Skipped = bool(skipped)
	}
	r.Failure = optionalString(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
		return C.notation_verification_result_failure(res, b, n, needed)
	})
	r.PolicyName = optionalString(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
		return C.notation_verification_result_policy_name(res, b, n, needed)
	})
	var count C.size_t
	if C.notation_verification_result_check_count(res, &count) == C.NOTATION_RESULT_OK {
		for i := C.size_t(0); i < count; i++ {
			var check C.notation_check
			var action C.notation_check_action
			var passed C.bool
			if C.notation_verification_result_check(res, i, &check, &action, &passed) != C.NOTATION_RESULT_OK {
				continue
			}
			c := CheckResult{Check: Check(check), Action: Action(action), Passed: bool(passed)}
			if !c.Passed {
				index := i
				c.Failure = optionalString(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
					return C.notation_verification_result_check_failure(res, index, b, n, needed)
				})
			}
			r.Checks = append(r.Checks, c)
		}
	}
	digest, err := readString(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
		return C.notation_verification_result_payload_digest(res, b, n, needed)
	})
	if err == nil {
		var size C.uint64_t
		C.notation_verification_result_payload_size(res, &size)
		r.Payload = &Payload{
			Digest: digest,
			Size:   uint64(size),
			MediaType: optionalString(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
				return C.notation_verification_result_payload_media_type(res, b, n, needed)
			}),
		}
	}
	r.SignatureDigest = optionalString(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
		return C.notation_verification_result_signature_digest(res, b, n, needed)
	})
	r.ArtifactDigest = optionalString(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
		return C.notation_verification_result_artifact_digest(res, b, n, needed)
	})
	if C.notation_verification_result_signature_failure_count(res, &count) == C.NOTATION_RESULT_OK {
		for i := C.size_t(0); i < count; i++ {
			index := i
			r.SignatureFailures = append(r.SignatureFailures, optionalString(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
				return C.notation_verification_result_signature_failure(res, index, b, n, needed)
			}))
		}
	}
	return r, r.Err()
}

// VerifyBlob verifies a detached blob signature against the blob, under the
// blob trust policy. The result is returned in every case where
// verification ran; the error is non-nil exactly when it did not pass.
func (v *Verifier) VerifyBlob(signature []byte, format Format, blob []byte, opts *VerifyOptions) (*VerificationResult, error) {
	copts, err := opts.toC()
	if err != nil {
		return nil, err
	}
	defer C.notation_verify_options_free(&copts)
	sp, sn := bytesPtr(signature)
	bp, bn := bytesPtr(blob)
	r, err := verify(func(res *C.notation_verification_result) C.notation_result {
		return C.notation_verifier_verify_blob(v.ptr, sp, sn, C.uint32_t(format), bp, bn, copts, res)
	})
	runtime.KeepAlive(signature)
	runtime.KeepAlive(blob)
	runtime.KeepAlive(v)
	return r, err
}

// VerifyBlobFile verifies a signature file (<name>.<jws|cose>.sig) against a
// blob file.
func (v *Verifier) VerifyBlobFile(signaturePath, blobPath string, opts *VerifyOptions) (*VerificationResult, error) {
	copts, err := opts.toC()
	if err != nil {
		return nil, err
	}
	defer C.notation_verify_options_free(&copts)
	sp, bp := cString(signaturePath), cString(blobPath)
	defer free(sp)
	defer free(bp)
	r, err := verify(func(res *C.notation_verification_result) C.notation_result {
		return C.notation_verifier_verify_blob_file(v.ptr, sp, bp, copts, res)
	})
	runtime.KeepAlive(v)
	return r, err
}

// VerifyArtifact verifies the target artifact's signatures under the OCI
// trust policy for the target's scope; one verified signature suffices.
func (v *Verifier) VerifyArtifact(target *Target, opts *VerifyOptions) (*VerificationResult, error) {
	copts, err := opts.toC()
	if err != nil {
		return nil, err
	}
	defer C.notation_verify_options_free(&copts)
	r, err := verify(func(res *C.notation_verification_result) C.notation_result {
		return C.notation_verifier_verify_artifact(v.ptr, target.ptr, copts, res)
	})
	runtime.KeepAlive(v)
	runtime.KeepAlive(target)
	return r, err
}

// Signer signs with a key and its certificate chain, or with a plugin key;
// safe for concurrent use.
type Signer struct {
	ptr *C.notation_signer
}

func newSigner(ptr *C.notation_signer) *Signer {
	s := &Signer{ptr: ptr}
	runtime.SetFinalizer(s, (*Signer).Close)
	return s
}

// NewSigner creates a signer from a private key (PEM or DER) and its
// certificate chain (leaf first, PEM or DER).
func NewSigner(key, certificates []byte) (*Signer, error) {
	kp, kn := bytesPtr(key)
	cp, cn := bytesPtr(certificates)
	var ptr *C.notation_signer
	err := call(func() C.notation_result { return C.notation_signer_new(kp, kn, cp, cn, &ptr) })
	runtime.KeepAlive(key)
	runtime.KeepAlive(certificates)
	if err != nil {
		return nil, err
	}
	return newSigner(ptr), nil
}

// NewPKCS11Signer creates a signer over the private key in a PKCS#11 token
// (HSM, smart card, SoftHSM) that uri, an RFC 7512 PKCS#11 URI, names.
// certificatePath is the PEM chain file, or "" to read the chain from the
// token. pin is the token PIN, or nil to take it from the URI (pin-source)
// or the NOTATION_PKCS11_PIN environment variable.
func NewPKCS11Signer(uri, certificatePath string, pin []byte) (*Signer, error) {
	up := cString(uri)
	defer free(up)
	var cp *C.char
	if certificatePath != "" {
		cp = cString(certificatePath)
		defer free(cp)
	}
	var pp *C.uint8_t
	var pn C.size_t
	if pin != nil {
		pp, pn = bytesPtr(pin)
	}
	var ptr *C.notation_signer
	err := call(func() C.notation_result { return C.notation_signer_new_pkcs11(up, cp, pp, pn, &ptr) })
	runtime.KeepAlive(pin)
	if err != nil {
		return nil, err
	}
	return newSigner(ptr), nil
}

// NewSignerFromFiles creates a signer from a key file and a certificate
// chain file.
func NewSignerFromFiles(keyPath, certificatePath string) (*Signer, error) {
	kp, cp := cString(keyPath), cString(certificatePath)
	defer free(kp)
	defer free(cp)
	var ptr *C.notation_signer
	if err := call(func() C.notation_result { return C.notation_signer_new_from_files(kp, cp, &ptr) }); err != nil {
		return nil, err
	}
	return newSigner(ptr), nil
}

// Close releases the signer. Calling it again does nothing.
func (s *Signer) Close() error {
	C.notation_signer_free(&s.ptr)
	return nil
}

// SignOptions tune signing; the zero value (or nil) means JWS, media type
// application/octet-stream, no metadata, no expiry.
type SignOptions struct {
	Format Format
	// MediaType is the media type signed for a blob.
	MediaType string
	// UserMetadata is signed into the payload.
	UserMetadata map[string]string
	// Expiry after the signing time, whole seconds (0: none).
	Expiry time.Duration
	// ManifestForm for artifacts (default ManifestArtifactType).
	ManifestForm ManifestForm
	// TimestampURL requests an RFC 3161 timestamp from this TSA; its
	// tokens must chain to TimestampRoots (PEM or DER certificates).
	TimestampURL   string
	TimestampRoots []byte
	// PluginConfig is sent to a signing plugin (--plugin-config), over the
	// pluginConfig of a signingkeys.json key; local keys ignore it.
	PluginConfig map[string]string
}

func (o *SignOptions) toC() (*C.notation_sign_options, error) {
	if o == nil {
		return nil, nil
	}
	var ptr *C.notation_sign_options
	if err := call(func() C.notation_result { return C.notation_sign_options_new(&ptr) }); err != nil {
		return nil, err
	}
	set := func(f func() C.notation_result) error {
		if err := call(f); err != nil {
			C.notation_sign_options_free(&ptr)
			return err
		}
		return nil
	}
	if o.Format != 0 {
		if err := set(func() C.notation_result { return C.notation_sign_options_set_format(ptr, C.uint32_t(o.Format)) }); err != nil {
			return nil, err
		}
	}
	if o.MediaType != "" {
		s := cString(o.MediaType)
		defer free(s)
		if err := set(func() C.notation_result { return C.notation_sign_options_set_media_type(ptr, s) }); err != nil {
			return nil, err
		}
	}
	for k, v := range o.UserMetadata {
		ck, cv := cString(k), cString(v)
		err := set(func() C.notation_result { return C.notation_sign_options_add_user_metadata(ptr, ck, cv) })
		free(ck)
		free(cv)
		if err != nil {
			return nil, err
		}
	}
	if o.Expiry != 0 {
		if o.Expiry < 0 || o.Expiry%time.Second != 0 {
			C.notation_sign_options_free(&ptr)
			return nil, &Error{Code: CodeExpiryInvalid, Message: "expiry must be a positive number of whole seconds"}
		}
		secs := uint64(o.Expiry / time.Second)
		if err := set(func() C.notation_result { return C.notation_sign_options_set_expiry_seconds(ptr, C.uint64_t(secs)) }); err != nil {
			return nil, err
		}
	}
	if o.ManifestForm != 0 {
		if err := set(func() C.notation_result {
			return C.notation_sign_options_set_manifest_form(ptr, C.uint32_t(o.ManifestForm))
		}); err != nil {
			return nil, err
		}
	}
	if o.TimestampURL != "" {
		u := cString(o.TimestampURL)
		defer free(u)
		rp, rn := bytesPtr(o.TimestampRoots)
		err := set(func() C.notation_result {
			return C.notation_sign_options_set_timestamping(ptr, u, rp, rn)
		})
		runtime.KeepAlive(o.TimestampRoots)
		if err != nil {
			return nil, err
		}
	}
	for k, v := range o.PluginConfig {
		ck, cv := cString(k), cString(v)
		err := set(func() C.notation_result { return C.notation_sign_options_add_plugin_config(ptr, ck, cv) })
		free(ck)
		free(cv)
		if err != nil {
			return nil, err
		}
	}
	return ptr, nil
}

// takeBuffer copies a library buffer into Go memory and frees it.
func takeBuffer(buf *C.notation_buffer) []byte {
	defer C.notation_buffer_free(&buf)
	var data *C.uint8_t
	var n C.size_t
	if C.notation_buffer_data(buf, &data, &n) != C.NOTATION_RESULT_OK {
		return nil
	}
	return C.GoBytes(unsafe.Pointer(data), C.int(n))
}

// SignBlob signs a blob and returns the detached signature envelope; save it
// as <blob>.<jws|cose>.sig.
func (s *Signer) SignBlob(blob []byte, opts *SignOptions) ([]byte, error) {
	copts, err := opts.toC()
	if err != nil {
		return nil, err
	}
	defer C.notation_sign_options_free(&copts)
	p, n := bytesPtr(blob)
	var out *C.notation_buffer
	err = call(func() C.notation_result { return C.notation_signer_sign_blob(s.ptr, p, n, copts, &out) })
	runtime.KeepAlive(blob)
	runtime.KeepAlive(s)
	if err != nil {
		return nil, err
	}
	return takeBuffer(out), nil
}

// SignBlobFile signs a file and returns the detached signature envelope.
func (s *Signer) SignBlobFile(path string, opts *SignOptions) ([]byte, error) {
	copts, err := opts.toC()
	if err != nil {
		return nil, err
	}
	defer C.notation_sign_options_free(&copts)
	cpath := cString(path)
	defer free(cpath)
	var out *C.notation_buffer
	err = call(func() C.notation_result { return C.notation_signer_sign_blob_file(s.ptr, cpath, copts, &out) })
	runtime.KeepAlive(s)
	if err != nil {
		return nil, err
	}
	return takeBuffer(out), nil
}

// SignArtifact signs the target artifact and stores the signature next to
// it; it returns the signature manifest's digest.
func (s *Signer) SignArtifact(target *Target, opts *SignOptions) (string, error) {
	copts, err := opts.toC()
	if err != nil {
		return "", err
	}
	defer C.notation_sign_options_free(&copts)
	var out *C.notation_buffer
	err = call(func() C.notation_result { return C.notation_signer_sign_artifact(s.ptr, target.ptr, copts, &out) })
	runtime.KeepAlive(s)
	runtime.KeepAlive(target)
	if err != nil {
		return "", err
	}
	return string(takeBuffer(out)), nil
}

// Target is an artifact: a tag or digest in an OCI image layout or in a
// registry.
type Target struct {
	ptr *C.notation_target
}

// NewLayoutTarget names an artifact in an OCI image layout directory.
// reference is a tag or digest; scope is the registry scope whose trust
// policy statement applies (needed to verify; may be "" otherwise).
func NewLayoutTarget(path, reference, scope string) (*Target, error) {
	cpath, cref := cString(path), cString(reference)
	defer free(cpath)
	defer free(cref)
	var cscope *C.char
	if scope != "" {
		cscope = cString(scope)
		defer free(cscope)
	}
	var ptr *C.notation_target
	if err := call(func() C.notation_result {
		return C.notation_target_new_oci_layout(cpath, cref, cscope, &ptr)
	}); err != nil {
		return nil, err
	}
	t := &Target{ptr: ptr}
	runtime.SetFinalizer(t, (*Target).Close)
	return t, nil
}

// NewRegistryTarget names an artifact in a registry
// (registry/repository:tag or @digest), with the registry settings and
// credentials of config (may be nil: NOTATION_USERNAME/NOTATION_PASSWORD,
// then the notation or Docker credential store). Nothing is sent until the
// target is used.
func NewRegistryTarget(config *Config, reference string) (*Target, error) {
	cref := cString(reference)
	defer free(cref)
	var cconfig *C.notation_config
	if config != nil {
		cconfig = config.ptr
	}
	var ptr *C.notation_target
	err := call(func() C.notation_result { return C.notation_target_new_registry(cconfig, cref, &ptr) })
	runtime.KeepAlive(config)
	if err != nil {
		return nil, err
	}
	t := &Target{ptr: ptr}
	runtime.SetFinalizer(t, (*Target).Close)
	return t, nil
}

// Close releases the target. Calling it again does nothing.
func (t *Target) Close() error {
	C.notation_target_free(&t.ptr)
	return nil
}

// CertificateInfo describes one certificate of a signature's chain.
type CertificateInfo struct {
	Subject string
	SHA256  string
}

// SignatureInfo describes one signature (nothing is verified).
type SignatureInfo struct {
	// Digest of the signature manifest ("" for a bare envelope).
	Digest string
	// MediaType of the envelope (inspected signatures).
	MediaType string
	// Algorithm, e.g. RSASSA-PSS-SHA-256 (inspected signatures).
	Algorithm   string
	SigningTime time.Time
	// Expiry is the zero time when the signature has none.
	Expiry       time.Time
	Certificates []CertificateInfo
	// Error is why an inspected signature could not be read.
	Error string
}

func signatureList(list *C.notation_signature_list, inspected bool) (string, []SignatureInfo) {
	artifact := optionalString(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
		return C.notation_signature_list_artifact_digest(list, b, n, needed)
	})
	var count C.size_t
	C.notation_signature_list_count(list, &count)
	infos := make([]SignatureInfo, 0, int(count))
	for i := C.size_t(0); i < count; i++ {
		index := i
		str := func(f func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result) string {
			return optionalString(f)
		}
		info := SignatureInfo{
			Digest: str(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
				return C.notation_signature_list_digest(list, index, b, n, needed)
			}),
		}
		if inspected {
			info.MediaType = str(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
				return C.notation_signature_list_envelope_media_type(list, index, b, n, needed)
			})
			info.Error = str(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
				return C.notation_signature_list_error(list, index, b, n, needed)
			})
			info.Algorithm = str(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
				return C.notation_signature_list_signature_algorithm(list, index, b, n, needed)
			})
			var t C.int64_t
			if C.notation_signature_list_signing_time(list, index, &t) == C.NOTATION_RESULT_OK {
				info.SigningTime = time.Unix(int64(t), 0).UTC()
			}
			if C.notation_signature_list_expiry(list, index, &t) == C.NOTATION_RESULT_OK {
				info.Expiry = time.Unix(int64(t), 0).UTC()
			}
			var certs C.size_t
			if C.notation_signature_list_certificate_count(list, index, &certs) == C.NOTATION_RESULT_OK {
				for j := C.size_t(0); j < certs; j++ {
					cert := j
					info.Certificates = append(info.Certificates, CertificateInfo{
						Subject: str(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
							return C.notation_signature_list_certificate_subject(list, index, cert, b, n, needed)
						}),
						SHA256: str(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
							return C.notation_signature_list_certificate_sha256(list, index, cert, b, n, needed)
						}),
					})
				}
			}
		}
		infos = append(infos, info)
	}
	return artifact, infos
}

// ListSignatures lists the artifact's signatures (digests only) and returns
// the artifact's manifest digest.
func (t *Target) ListSignatures() (artifactDigest string, signatures []SignatureInfo, err error) {
	var list *C.notation_signature_list
	err = call(func() C.notation_result { return C.notation_target_list_signatures(t.ptr, &list) })
	runtime.KeepAlive(t)
	if err != nil {
		return "", nil, err
	}
	defer C.notation_signature_list_free(&list)
	artifactDigest, signatures = signatureList(list, false)
	return artifactDigest, signatures, nil
}

// InspectSignatures reads the artifact's signatures (at most
// maxSignatures; 0: 100) without verifying them.
func (t *Target) InspectSignatures(maxSignatures int) (artifactDigest string, signatures []SignatureInfo, err error) {
	var list *C.notation_signature_list
	err = call(func() C.notation_result {
		return C.notation_target_inspect_signatures(t.ptr, C.size_t(maxSignatures), &list)
	})
	runtime.KeepAlive(t)
	if err != nil {
		return "", nil, err
	}
	defer C.notation_signature_list_free(&list)
	artifactDigest, signatures = signatureList(list, true)
	return artifactDigest, signatures, nil
}

// InspectEnvelope reads one signature envelope without verifying it.
func InspectEnvelope(signature []byte, format Format) (*SignatureInfo, error) {
	p, n := bytesPtr(signature)
	var list *C.notation_signature_list
	err := call(func() C.notation_result { return C.notation_envelope_inspect(p, n, C.uint32_t(format), &list) })
	runtime.KeepAlive(signature)
	if err != nil {
		return nil, err
	}
	defer C.notation_signature_list_free(&list)
	_, infos := signatureList(list, true)
	return &infos[0], nil
}
