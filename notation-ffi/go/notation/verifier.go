package notation

// #include <stdlib.h>
// #include "notation.h"
import "C"

import (
	"runtime"
	"time"
)

// Verifier verifies signatures; safe for concurrent use.
//
// Close may run while other goroutines verify: it waits for them, and
// calls after it return ErrClosed.
type Verifier struct {
	h *handle[C.notation_verifier]
}

func newVerifier(ptr *C.notation_verifier) *Verifier {
	v := &Verifier{h: newHandle(ptr, func(p **C.notation_verifier) { C.notation_verifier_free(p) })}
	return v
}

// Close releases the verifier. It waits for calls in progress on other
// goroutines; calling it again does nothing.
func (v *Verifier) Close() error {
	v.h.close()
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
	// Recursive verifies an image index and every manifest it lists
	// (VerifyArtifact): it passes only when all verify, and
	// VerificationResult.Manifests holds each one's result.
	Recursive bool
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
	var cs cStrings
	defer cs.free()
	// str copies a string argument, freeing the options if it is refused.
	str := func(name, s string) (*C.char, error) {
		p, err := cs.add(name, s)
		if err != nil {
			C.notation_verify_options_free(&ptr)
		}
		return p, err
	}
	if o.PolicyName != "" {
		s, err := str("PolicyName", o.PolicyName)
		if err != nil {
			return nil, err
		}
		if err := set(func() C.notation_result { return C.notation_verify_options_set_policy_name(ptr, s) }); err != nil {
			return nil, err
		}
	}
	if o.MediaType != "" {
		s, err := str("MediaType", o.MediaType)
		if err != nil {
			return nil, err
		}
		if err := set(func() C.notation_result { return C.notation_verify_options_set_media_type(ptr, s) }); err != nil {
			return nil, err
		}
	}
	for k, v := range o.UserMetadata {
		ck, err := str("UserMetadata key", k)
		if err != nil {
			return nil, err
		}
		cv, err := str("UserMetadata value", v)
		if err != nil {
			return nil, err
		}
		if err := set(func() C.notation_result { return C.notation_verify_options_add_user_metadata(ptr, ck, cv) }); err != nil {
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
	if o.Recursive {
		if err := set(func() C.notation_result { return C.notation_verify_options_set_recursive(ptr, true) }); err != nil {
			return nil, err
		}
	}
	for k, v := range o.PluginConfig {
		ck, err := str("PluginConfig key", k)
		if err != nil {
			return nil, err
		}
		cv, err := str("PluginConfig value", v)
		if err != nil {
			return nil, err
		}
		if err := set(func() C.notation_result { return C.notation_verify_options_add_plugin_config(ptr, ck, cv) }); err != nil {
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

// ManifestResult is the result of one manifest of a recursive
// verification.
type ManifestResult struct {
	Digest string
	// Code is CodeOK when it verified.
	Code Code
	// Failure is why it did not verify ("" when it did).
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
	// Manifests is, for a recursive verification, each manifest's result:
	// the index first, then the manifests it lists. When some failed, the
	// rest of the result is the first failing manifest's.
	Manifests []ManifestResult
	// SignatureFailures lists, for artifacts, each signature that failed
	// ("<digest>: <reason>").
	SignatureFailures []string
	// SignerChain is the verified certificate chain of the signer, leaf
	// first: set exactly when the authenticity check passed (the chain
	// leads to a certificate of the policy's trust stores and the leaf is
	// a trusted identity), whatever later checks found; nil otherwise,
	// including a passing verification whose authenticity failure was
	// only logged. Take the signer's identity from here, never from an
	// unverified envelope.
	SignerChain []Certificate
}

// Certificate is one certificate of a verified chain.
type Certificate struct {
	// Subject and Issuer as the notation CLI renders distinguished names
	// ("CN=...,O=...,C=US"), exactly: they may contain control characters.
	// Quote them (%q) before printing them.
	Subject string
	Issuer  string
	// SHA256 is the fingerprint of the DER encoding, lowercase hex.
	SHA256    string
	NotBefore time.Time
	NotAfter  time.Time
	// DER is the certificate itself.
	DER []byte
}

// Signer is the leaf of SignerChain, or nil when the chain was not
// verified.
func (r *VerificationResult) Signer() *Certificate {
	if len(r.SignerChain) == 0 {
		return nil
	}
	return &r.SignerChain[0]
}

// signerChain copies a verdict's verified chain (nil when not available).
func signerChain(res *C.notation_verdict) []Certificate {
	var count C.size_t
	if C.notation_verdict_certificate_count(res, &count) != C.NOTATION_RESULT_OK {
		return nil
	}
	chain := make([]Certificate, 0, int(count))
	for i := C.size_t(0); i < count; i++ {
		index := i
		c := Certificate{
			Subject: optionalString(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
				return C.notation_verdict_certificate_subject(res, index, b, n, needed)
			}),
			Issuer: optionalString(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
				return C.notation_verdict_certificate_issuer(res, index, b, n, needed)
			}),
			SHA256: optionalString(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
				return C.notation_verdict_certificate_sha256(res, index, b, n, needed)
			}),
		}
		var notBefore, notAfter C.int64_t
		if C.notation_verdict_certificate_validity(res, index, &notBefore, &notAfter) == C.NOTATION_RESULT_OK {
			c.NotBefore = time.Unix(int64(notBefore), 0).UTC()
			c.NotAfter = time.Unix(int64(notAfter), 0).UTC()
		}
		var der *C.notation_buffer
		if C.notation_verdict_certificate_der(res, index, &der) == C.NOTATION_RESULT_OK {
			c.DER = takeBuffer(der)
		}
		chain = append(chain, c)
	}
	return chain
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
func verify(f func(result *C.notation_verdict) C.notation_result) (*VerificationResult, error) {
	var res *C.notation_verdict
	if err := call(func() C.notation_result { return C.notation_verdict_new(&res) }); err != nil {
		return nil, err
	}
	defer C.notation_verdict_free(&res)
	// The verdict and its message are in the result, whatever the code.
	f(res)
	var code C.notation_result
	if err := call(func() C.notation_result { return C.notation_verdict_code(res, &code) }); err != nil {
		return nil, err
	}
	r := &VerificationResult{Code: Code(code), Passed: code == C.NOTATION_RESULT_OK}
	var skipped C.bool
	if C.notation_verdict_skipped(res, &skipped) == C.NOTATION_RESULT_OK {
		r.Skipped = bool(skipped)
	}
	r.Failure = optionalString(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
		return C.notation_verdict_failure(res, b, n, needed)
	})
	r.PolicyName = optionalString(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
		return C.notation_verdict_policy_name(res, b, n, needed)
	})
	var count C.size_t
	if C.notation_verdict_check_count(res, &count) == C.NOTATION_RESULT_OK {
		for i := C.size_t(0); i < count; i++ {
			var check C.notation_check
			var action C.notation_check_action
			var passed C.bool
			if C.notation_verdict_check(res, i, &check, &action, &passed) != C.NOTATION_RESULT_OK {
				continue
			}
			c := CheckResult{Check: Check(check), Action: Action(action), Passed: bool(passed)}
			if !c.Passed {
				index := i
				c.Failure = optionalString(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
					return C.notation_verdict_check_failure(res, index, b, n, needed)
				})
			}
			r.Checks = append(r.Checks, c)
		}
	}
	digest, err := readString(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
		return C.notation_verdict_payload_digest(res, b, n, needed)
	})
	if err == nil {
		var size C.uint64_t
		C.notation_verdict_payload_size(res, &size)
		r.Payload = &Payload{
			Digest: digest,
			Size:   uint64(size),
			MediaType: optionalString(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
				return C.notation_verdict_payload_media_type(res, b, n, needed)
			}),
		}
	}
	r.SignerChain = signerChain(res)
	r.Manifests = manifestResults(res)
	r.SignatureDigest = optionalString(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
		return C.notation_verdict_signature_digest(res, b, n, needed)
	})
	r.ArtifactDigest = optionalString(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
		return C.notation_verdict_artifact_digest(res, b, n, needed)
	})
	if C.notation_verdict_signature_failure_count(res, &count) == C.NOTATION_RESULT_OK {
		for i := C.size_t(0); i < count; i++ {
			index := i
			r.SignatureFailures = append(r.SignatureFailures, optionalString(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
				return C.notation_verdict_signature_failure(res, index, b, n, needed)
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
	var r *VerificationResult
	err = v.h.use(func(vp *C.notation_verifier) error {
		var err error
		r, err = verify(func(res *C.notation_verdict) C.notation_result {
			return C.notation_verifier_verify_blob(vp, sp, sn, C.uint32_t(format), bp, bn, copts, res)
		})
		return err
	})
	runtime.KeepAlive(signature)
	runtime.KeepAlive(blob)
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
	var cs cStrings
	defer cs.free()
	sp, err := cs.add("signaturePath", signaturePath)
	if err != nil {
		return nil, err
	}
	bp, err := cs.add("blobPath", blobPath)
	if err != nil {
		return nil, err
	}
	var r *VerificationResult
	err = v.h.use(func(vp *C.notation_verifier) error {
		var err error
		r, err = verify(func(res *C.notation_verdict) C.notation_result {
			return C.notation_verifier_verify_blob_file(vp, sp, bp, copts, res)
		})
		return err
	})
	return r, err
}

// VerifyArtifact verifies the target artifact's signatures under the OCI
// trust policy for the target's scope; one verified signature suffices.
func (v *Verifier) VerifyArtifact(target *Target, opts *VerifyOptions) (*VerificationResult, error) {
	if target == nil {
		return nil, errNilTarget
	}
	copts, err := opts.toC()
	if err != nil {
		return nil, err
	}
	defer C.notation_verify_options_free(&copts)
	var r *VerificationResult
	err = v.h.use(func(vp *C.notation_verifier) error {
		return target.h.use(func(tp *C.notation_target) error {
			var err error
			r, err = verify(func(res *C.notation_verdict) C.notation_result {
				return C.notation_verifier_verify_artifact(vp, tp, copts, res)
			})
			return err
		})
	})
	return r, err
}

// manifestResults copies the per-manifest results of a recursive
// verification.
func manifestResults(res *C.notation_verdict) []ManifestResult {
	var count C.size_t
	if C.notation_verdict_manifest_count(res, &count) != C.NOTATION_RESULT_OK {
		return nil
	}
	var out []ManifestResult
	for i := C.size_t(0); i < count; i++ {
		index := i
		// A code that cannot be read is that failure's code, never CodeOK.
		var code C.notation_result
		if rc := C.notation_verdict_manifest_code(res, index, &code); rc != C.NOTATION_RESULT_OK {
			code = rc
		}
		out = append(out, ManifestResult{
			Digest: optionalString(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
				return C.notation_verdict_manifest_digest(res, index, b, n, needed)
			}),
			Code: Code(code),
			Failure: optionalString(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
				return C.notation_verdict_manifest_failure(res, index, b, n, needed)
			}),
		})
	}
	return out
}
