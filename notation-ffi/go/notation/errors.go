package notation

// #include <stdlib.h>
// #include "notation.h"
import "C"

import (
	"errors"
	"fmt"
	"runtime"
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

// Sentinels for errors.Is, one per result code: an *Error matches the
// sentinel of its code (TestEveryCodeHasASentinel checks them against
// notation.h). Their texts are the codes' documentation in notation.h.
var (
	// The call itself.

	// ErrNullParameter: a required pointer argument is NULL.
	ErrNullParameter = &Error{Code: CodeNullParameter}
	// ErrInvalidUTF8: a string argument is not valid UTF-8.
	ErrInvalidUTF8 = &Error{Code: CodeInvalidUTF8}
	// ErrBufferTooSmall: the caller's buffer is too small; `*out_needed`
	// holds the size needed.
	ErrBufferTooSmall = &Error{Code: CodeBufferTooSmall}
	// ErrInvalidArgument: an argument has a value outside its documented set
	// (an unknown enum value, an empty name, a duplicate key...).
	ErrInvalidArgument = &Error{Code: CodeInvalidArgument}
	// ErrInputTooLarge: an input is larger than its documented limit.
	ErrInputTooLarge = &Error{Code: CodeInputTooLarge}
	// ErrIndexOutOfRange: an index is not below the count.
	ErrIndexOutOfRange = &Error{Code: CodeIndexOutOfRange}
	// ErrNotAvailable: the value asked for does not exist for this handle
	// (for example the payload of a signature that did not verify).
	ErrNotAvailable = &Error{Code: CodeNotAvailable}
	// ErrUnsupported: the operation is not supported by this build, or not
	// for this kind of handle (adding certificates to a directory
	// configuration).
	ErrUnsupported = &Error{Code: CodeUnsupported}
	// ErrIO: a file could not be read or written.
	ErrIO = &Error{Code: CodeIO}
	// ErrPanic: an internal error: a panic was caught at the boundary.
	// Please report it.
	ErrPanic = &Error{Code: CodePanic}

	// Configuration and trust.

	// ErrConfig: `config.json` or `signingkeys.json` is invalid.
	ErrConfig = &Error{Code: CodeConfig}
	// ErrPolicyNotPresent: the configuration has no trust policy document at
	// all (`notation_verifier_new`).
	ErrPolicyNotPresent = &Error{Code: CodePolicyNotPresent}
	// ErrPolicyMalformed: a trust policy document is not JSON of the
	// document's shape.
	ErrPolicyMalformed = &Error{Code: CodePolicyMalformed}
	// ErrPolicyInvalid: a trust policy document breaks the trust policy
	// rules.
	ErrPolicyInvalid = &Error{Code: CodePolicyInvalid}
	// ErrTrustStoreInvalid: certificates that a trust store does not accept,
	// or an invalid store name.
	ErrTrustStoreInvalid = &Error{Code: CodeTrustStoreInvalid}
	// ErrCertificateInvalid: bytes that are not PEM or DER certificates.
	ErrCertificateInvalid = &Error{Code: CodeCertificateInvalid}
	// ErrKeyNotFound: no signing key of that name, or no default key.
	ErrKeyNotFound = &Error{Code: CodeKeyNotFound}

	// Signing.

	// ErrSigningKeyInvalid: a private key that cannot be read or parsed, or
	// that the crypto provider refuses when reading it (an RSA key under
	// 2048 bits).
	ErrSigningKeyInvalid = &Error{Code: CodeSigningKeyInvalid}
	// ErrCertificateChainInvalid: a signing certificate chain that cannot be
	// read or parsed.
	ErrCertificateChainInvalid = &Error{Code: CodeCertificateChainInvalid}
	// ErrKeyMismatch: the private key does not belong to the leaf
	// certificate.
	ErrKeyMismatch = &Error{Code: CodeKeyMismatch}
	// ErrKeyUnsupported: a key of a type that is not one of the six Notation
	// key specs (RSA 2048/3072/4096, EC P-256/P-384/P-521), such as Ed25519.
	ErrKeyUnsupported = &Error{Code: CodeKeyUnsupported}
	// ErrPluginKeyUnsupported: the signing key is a plugin key and plugins
	// are disabled: the configuration has no plugin directory (an in-memory
	// configuration without `notation_config_set_plugin_dir`, or one set to
	// NULL).
	ErrPluginKeyUnsupported = &Error{Code: CodePluginKeyUnsupported}
	// ErrSigningFailed: signing failed.
	ErrSigningFailed = &Error{Code: CodeSigningFailed}
	// ErrUserMetadataInvalid: user metadata that is not allowed (a reserved
	// key or a duplicate).
	ErrUserMetadataInvalid = &Error{Code: CodeUserMetadataInvalid}
	// ErrExpiryInvalid: an expiry that is not allowed.
	ErrExpiryInvalid = &Error{Code: CodeExpiryInvalid}
	// ErrTimestampFailed: the timestamping authority failed or its token did
	// not verify.
	ErrTimestampFailed = &Error{Code: CodeTimestampFailed}
	// ErrPluginNotFound: the signing key's plugin is not installed in the
	// plugin directory, or its executable is not a regular, executable file.
	ErrPluginNotFound = &Error{Code: CodePluginNotFound}
	// ErrPluginFailed: the signing plugin failed: it could not be run,
	// exited with an error (its message is the last error), timed out, or
	// answered with something unusable (malformed JSON, invalid metadata,
	// another key id, an unknown key spec, a signature or envelope that does
	// not verify or signs something else).
	ErrPluginFailed = &Error{Code: CodePluginFailed}
	// ErrPluginCapabilityMissing: the plugin lacks the capability for the
	// operation: no `SIGNATURE_GENERATOR` capability at all, or, for blobs,
	// only `SIGNATURE_GENERATOR.ENVELOPE` (blobs need `.RAW` or
	// `.ENVELOPE_FOR_BLOB`).
	ErrPluginCapabilityMissing = &Error{Code: CodePluginCapabilityMissing}
	// ErrPKCS11Failed: the PKCS#11 module, token, key or mechanism is not
	// usable (the message says which).
	ErrPKCS11Failed = &Error{Code: CodePKCS11Failed}
	// ErrPKCS11PINInvalid: the token refused the PIN, or none was given.
	ErrPKCS11PINInvalid = &Error{Code: CodePKCS11PINInvalid}

	// Verification.

	// ErrVerificationFailed: the signature did not verify: a check failed
	// under `enforce`. The verification result lists the checks.
	ErrVerificationFailed = &Error{Code: CodeVerificationFailed}
	// ErrNoTrustPolicy: the verifier has a trust policy, but not of the kind
	// this verification needs (OCI for artifacts, blob for blobs).
	ErrNoTrustPolicy = &Error{Code: CodeNoTrustPolicy}
	// ErrNoApplicablePolicy: no trust policy statement applies to the
	// artifact, or the named blob statement does not exist.
	ErrNoApplicablePolicy = &Error{Code: CodeNoApplicablePolicy}
	// ErrArtifactMismatch: the signature verified but signs other content: a
	// different blob or artifact (digest, size or media type).
	ErrArtifactMismatch = &Error{Code: CodeArtifactMismatch}
	// ErrUserMetadataMismatch: the signature does not carry the required
	// user metadata.
	ErrUserMetadataMismatch = &Error{Code: CodeUserMetadataMismatch}
	// ErrVerificationInconclusive: the verdict cannot be decided (the
	// signature requires a verification plugin).
	ErrVerificationInconclusive = &Error{Code: CodeVerificationInconclusive}
	// ErrPayloadInvalid: the signed payload is not a Notary payload.
	ErrPayloadInvalid = &Error{Code: CodePayloadInvalid}
	// ErrSignatureFileNameInvalid: a signature file name that does not say
	// its format (`<name>.<jws|cose>.sig`).
	ErrSignatureFileNameInvalid = &Error{Code: CodeSignatureFileNameInvalid}
	// ErrEnvelopeInvalid: bytes that are not a signature envelope of the
	// format given (also from the verify functions: the integrity check,
	// which failed, is in the verdict).
	ErrEnvelopeInvalid = &Error{Code: CodeEnvelopeInvalid}
	// ErrVerificationPluginFailed: the verification plugin the signature
	// requires failed or answered badly (it could not be run, exited with an
	// error, timed out, sent a malformed response or did not process a
	// critical attribute). A check the plugin ran and failed is
	// `NOTATION_RESULT_VERIFICATION_FAILED`; a plugin that is missing, too
	// old or without verifier capabilities is
	// `NOTATION_RESULT_VERIFICATION_INCONCLUSIVE`.
	ErrVerificationPluginFailed = &Error{Code: CodeVerificationPluginFailed}

	// Oci artifacts.

	// ErrReferenceInvalid: an artifact reference that cannot be parsed.
	ErrReferenceInvalid = &Error{Code: CodeReferenceInvalid}
	// ErrNotFound: a tag, digest or blob that does not exist.
	ErrNotFound = &Error{Code: CodeNotFound}
	// ErrDigestMismatch: content that does not match its digest or size: a
	// blob of an OCI layout, or what a registry sent (a registry that lies);
	// or a digest given that resolves to another.
	ErrDigestMismatch = &Error{Code: CodeDigestMismatch}
	// ErrNoSignature: the artifact has no signature.
	ErrNoSignature = &Error{Code: CodeNoSignature}
	// ErrTooManySignatures: the artifact has more signatures than the limit.
	ErrTooManySignatures = &Error{Code: CodeTooManySignatures}
	// ErrLayoutInvalid: the path is not a valid OCI image layout.
	ErrLayoutInvalid = &Error{Code: CodeLayoutInvalid}
	// ErrRepositoryError: the store of signatures failed (invalid content, a
	// malformed signature manifest...).
	ErrRepositoryError = &Error{Code: CodeRepositoryError}
	// ErrRegistryError: a registry request failed: no connection, TLS, an
	// unexpected HTTP status, a protocol violation.
	ErrRegistryError = &Error{Code: CodeRegistryError}
	// ErrRegistryUnauthorized: the registry refused the credentials or
	// denied access.
	ErrRegistryUnauthorized = &Error{Code: CodeRegistryUnauthorized}
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
