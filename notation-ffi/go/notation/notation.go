// Package notation signs and verifies Notary Project (Notation) signatures
// of blobs and of OCI artifacts, through libnotation, the C library of
// notation-rs.
//
// Build with cgo (CGO_ENABLED=1) against an installed libnotation, found
// with pkg-config (notation-ffi/README.md has the steps):
//
//	make -C notation-ffi install PREFIX=$HOME/.local   # in notation-rs
//	export PKG_CONFIG_PATH=$HOME/.local/lib/pkgconfig
//	go build                                          # links libnotation.so (notation.pc)
//	go build -tags notation_static                    # links libnotation.a (notation-static.pc)
//
// The package carries its own copy of notation.h (a test keeps it equal to
// the library's); ABIVersion tells which ABI the library linked implements.
//
// Types that own library handles (Config, Verifier, Signer, Target) have a
// Close method and a finalizer that calls it: Close them when done to
// release memory promptly. Their methods may be called from many
// goroutines at once, Close included: Close waits for the calls in
// progress, frees the handle once, and every later call returns ErrClosed.
// Results (VerificationResult, SignatureInfo) are plain Go values copied out
// of the library.
//
// Every error returned by the package is an *Error carrying the library's
// result code and message; compare codes with errors.Is(err,
// notation.ErrVerificationFailed) and friends, or errors.As.
//
// Strings: C strings end at their first NUL byte, so a string argument that
// holds one (a path, a reference, a user metadata key or value...) is
// refused with ErrInvalidArgument instead of reaching the library cut short.
package notation

// #include <stdlib.h>
// #include "notation.h"
import "C"

import (
	"fmt"
	"runtime"
)

// ABIVersion is the ABI version of the library linked (the major version
// of libnotation.so); HeaderABIVersion is the one this package was compiled
// against. They differ only when the package and the library come from
// different builds.
func ABIVersion() uint32 {
	return uint32(C.notation_abi_version())
}

// HeaderABIVersion is NOTATION_ABI_VERSION of the header compiled in.
const HeaderABIVersion = uint32(C.NOTATION_ABI_VERSION)

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
	name, err := readString(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
		return C.notation_check_name(C.uint32_t(c), b, n, needed)
	})
	if err != nil {
		return fmt.Sprintf("check(%d)", uint32(c))
	}
	return name
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
	name, err := readString(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
		return C.notation_check_action_name(C.uint32_t(a), b, n, needed)
	})
	if err != nil {
		return fmt.Sprintf("action(%d)", uint32(a))
	}
	return name
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
