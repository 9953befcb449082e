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
