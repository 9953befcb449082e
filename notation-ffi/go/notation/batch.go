package notation

// #include <stdlib.h>
// #include "notation.h"
import "C"

import (
	"encoding/json"
	"fmt"
	"time"
)

// Outcome is what verifying one reference of a batch established.
type Outcome string

// The outcomes of VerifyMany.
const (
	// OutcomeVerified: a signature verified under the trust policy.
	OutcomeVerified Outcome = "verified"
	// OutcomeSkipped: the trust policy statement's level is skip.
	OutcomeSkipped Outcome = "skipped"
	// OutcomeFailed: signatures exist and none passes the policy
	// (signatures only from untrusted keys included).
	OutcomeFailed Outcome = "failed"
	// OutcomeUnsigned: the artifact has no Notary signature.
	OutcomeUnsigned Outcome = "unsigned"
	// OutcomeError: no verdict (the reference does not parse or resolve,
	// the registry failed or is down, a signature could not be fetched, no
	// statement applies...). Message says which.
	OutcomeError Outcome = "error"
)

// BatchResult is one reference's result: an element of the JSON report's
// "results" (notation-oci/schema/verification-report.schema.json), whose
// field names the json tags give.
type BatchResult struct {
	// Reference as given.
	Reference string `json:"reference"`
	// Digest the reference resolved to ("" when it was not resolved).
	Digest string `json:"digest"`
	// ResolvedFromTag tells whether the reference named a tag.
	ResolvedFromTag bool `json:"resolvedFromTag"`
	// Policy is the trust policy statement applied ("" when none could be
	// selected).
	Policy  string  `json:"policy"`
	Outcome Outcome `json:"outcome"`
	// Message says why the reference did not pass ("" when it did).
	Message string `json:"message"`
	// Signature is the signature that verified (nil unless verified).
	Signature *VerifiedSignature `json:"signature"`
	// FailedSignatures lists every signature examined that did not verify.
	FailedSignatures []FailedSignature `json:"failedSignatures"`
	// Warnings are the checks of the verified signature that failed under
	// the policy's "log" action.
	Warnings []LoggedCheck `json:"warnings"`
	// ThumbprintSkipped are the signatures not fetched because none of the
	// certificate thumbprints their manifest lists is trusted.
	ThumbprintSkipped ThumbprintSkipped `json:"thumbprintSkipped"`
	// DurationMs is the time the reference took, in milliseconds.
	DurationMs float64 `json:"durationMs"`
	// Manifests lists, when VerifyOptions.Recursive is set and the
	// reference is an image index, every manifest it lists with its own
	// verdict; the fields above are the index's own, except Outcome and
	// Message, which cover them all.
	Manifests []BatchManifestResult `json:"manifests"`
}

// BatchManifestResult is the verdict on one manifest an image index lists.
type BatchManifestResult struct {
	Digest string `json:"digest"`
	// Platform is os/architecture[/variant] as the index lists it ("" when
	// it lists none).
	Platform string `json:"platform"`
	// Depth is 1 for the manifests the index lists, 2 for those of a
	// nested index.
	Depth             int                `json:"depth"`
	Outcome           Outcome            `json:"outcome"`
	Message           string             `json:"message"`
	Signature         *VerifiedSignature `json:"signature"`
	FailedSignatures  []FailedSignature  `json:"failedSignatures"`
	Warnings          []LoggedCheck      `json:"warnings"`
	ThumbprintSkipped ThumbprintSkipped  `json:"thumbprintSkipped"`
}

// Passed tells whether the reference was verified or skipped by policy.
func (r *BatchResult) Passed() bool {
	return r.Outcome == OutcomeVerified || r.Outcome == OutcomeSkipped
}

// VerifiedSignature is the signature that verified a reference.
type VerifiedSignature struct {
	// Digest of the signature manifest.
	Digest string `json:"digest"`
	// EnvelopeMediaType is application/jose+json or application/cose.
	EnvelopeMediaType string `json:"envelopeMediaType"`
	// SigningScheme is notary.x509 or notary.x509.signingAuthority.
	SigningScheme string     `json:"signingScheme"`
	SigningTime   time.Time  `json:"signingTime"`
	Expiry        *time.Time `json:"expiry"`
	// Signer is the signing certificate (the leaf of the chain).
	Signer SignerCertificate `json:"signer"`
	// Timestamp is the RFC 3161 countersignature's time range, if any.
	Timestamp    *TimestampRange   `json:"timestamp"`
	UserMetadata map[string]string `json:"userMetadata"`
}

// SignerCertificate identifies who signed.
type SignerCertificate struct {
	// Subject is exact: it may contain control characters; quote it (%q)
	// before printing it.
	Subject           string `json:"subject"`
	SHA256Fingerprint string `json:"sha256Fingerprint"`
}

// TimestampRange is the time range a timestamp token states.
type TimestampRange struct {
	Earliest time.Time `json:"earliest"`
	Latest   time.Time `json:"latest"`
}

// FailedSignature is a signature that did not verify: the check it failed
// (integrity, authenticity, authenticTimestamp, expiry, revocation,
// userMetadata, plugin, fetch, other) and why.
type FailedSignature struct {
	Digest string `json:"digest"`
	Check  string `json:"check"`
	Reason string `json:"reason"`
}

// LoggedCheck is a check that failed under "log".
type LoggedCheck struct {
	Check  string `json:"check"`
	Reason string `json:"reason"`
}

// ThumbprintSkipped counts and lists the signatures the thumbprint
// pre-filter set aside.
type ThumbprintSkipped struct {
	Count      int                    `json:"count"`
	Signatures []PrefilteredSignature `json:"signatures"`
}

// PrefilteredSignature is a signature set aside, with the certificate
// thumbprints its manifest lists.
type PrefilteredSignature struct {
	Digest      string   `json:"digest"`
	Thumbprints []string `json:"thumbprints"`
}

// VerifyManyOptions says how VerifyMany works; nil means the defaults.
type VerifyManyOptions struct {
	// Verify applies to every reference (required user metadata, the most
	// signatures per artifact, plugin configuration; Recursive verifies
	// every manifest an image index lists too).
	Verify *VerifyOptions
	// Config gives registry access (credentials, insecure registries, the
	// time limit of each reference); nil: the defaults.
	Config *Config
	// LayoutScope, when set, makes the references OCI image layout
	// references (<path>:<tag> or <path>@<digest>), verified under the
	// trust policy statement of this scope.
	LayoutScope string
	// Concurrency bounds the references verified at once (0: 8; at most
	// 256).
	Concurrency int
}

// VerifyMany verifies many references under the verifier's OCI trust
// policy in one call, each on its own (a reference that does not resolve,
// or whose registry is down, is an OutcomeError result while the others
// complete), and returns one result per reference in the order given. The
// error is non-nil only when the call could not run (a NUL byte in a
// reference, a closed handle, too many references); the verdicts are in
// the results.
func (v *Verifier) VerifyMany(references []string, opts *VerifyManyOptions) ([]BatchResult, error) {
	if opts == nil {
		opts = &VerifyManyOptions{}
	}
	if opts.Concurrency < 0 {
		return nil, &Error{Code: CodeInvalidArgument, Message: fmt.Sprintf("concurrency %d is negative", opts.Concurrency)}
	}
	copts, err := opts.Verify.toC()
	if err != nil {
		return nil, err
	}
	defer C.notation_verify_options_free(&copts)
	var cs cStrings
	defer cs.free()
	// C pointers in Go memory: allowed by the cgo rules (no Go pointers).
	refs := make([]*C.char, len(references)+1)
	for i, r := range references {
		if refs[i], err = cs.add(fmt.Sprintf("references[%d]", i), r); err != nil {
			return nil, err
		}
	}
	var scope *C.char
	if opts.LayoutScope != "" {
		if scope, err = cs.add("LayoutScope", opts.LayoutScope); err != nil {
			return nil, err
		}
	}
	var report *C.notation_batch_report
	run := func(cp *C.notation_config) error {
		return v.h.use(func(vp *C.notation_verifier) error {
			return call(func() C.notation_result {
				return C.notation_verifier_verify_many(vp, cp, &refs[0], C.size_t(len(references)),
					scope, copts, C.size_t(opts.Concurrency), &report)
			})
		})
	}
	if opts.Config != nil {
		err = opts.Config.h.use(run)
	} else {
		err = run(nil)
	}
	if err != nil {
		return nil, err
	}
	defer C.notation_batch_report_free(&report)
	text, err := readString(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
		return C.notation_batch_report_json(report, b, n, needed)
	})
	if err != nil {
		return nil, err
	}
	var parsed struct {
		Version string        `json:"version"`
		Results []BatchResult `json:"results"`
	}
	if err := json.Unmarshal([]byte(text), &parsed); err != nil {
		return nil, &Error{Code: CodePanic, Message: "the batch report is not JSON: " + err.Error()}
	}
	if len(parsed.Results) != len(references) {
		return nil, &Error{Code: CodePanic, Message: "the batch report does not have one result per reference"}
	}
	return parsed.Results, nil
}
