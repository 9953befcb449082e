package notation

// #include <stdlib.h>
// #include "notation.h"
import "C"

import (
	"runtime"
	"time"
)

// Target is an artifact: a tag or digest in an OCI image layout or in a
// registry. Its methods may be called from many goroutines at once; Close
// waits for the calls in progress, and calls after it return ErrClosed.
type Target struct {
	h *handle[C.notation_target]
}

func newTarget(ptr *C.notation_target) *Target {
	t := &Target{h: newHandle(ptr, func(p **C.notation_target) { C.notation_target_free(p) })}
	return t
}

// NewLayoutTarget names an artifact in an OCI image layout directory.
// reference is a tag or digest; scope is the registry scope whose trust
// policy statement applies (needed to verify; may be "" otherwise).
func NewLayoutTarget(path, reference, scope string) (*Target, error) {
	var cs cStrings
	defer cs.free()
	cpath, err := cs.add("path", path)
	if err != nil {
		return nil, err
	}
	cref, err := cs.add("reference", reference)
	if err != nil {
		return nil, err
	}
	var cscope *C.char
	if scope != "" {
		if cscope, err = cs.add("scope", scope); err != nil {
			return nil, err
		}
	}
	var ptr *C.notation_target
	if err := call(func() C.notation_result {
		return C.notation_target_new_oci_layout(cpath, cref, cscope, &ptr)
	}); err != nil {
		return nil, err
	}
	return newTarget(ptr), nil
}

// NewRegistryTarget names an artifact in a registry
// (registry/repository:tag or @digest), with the registry settings and
// credentials of config (may be nil: NOTATION_USERNAME/NOTATION_PASSWORD,
// then the notation or Docker credential store). Nothing is sent until the
// target is used.
func NewRegistryTarget(config *Config, reference string) (*Target, error) {
	var cs cStrings
	defer cs.free()
	cref, err := cs.add("reference", reference)
	if err != nil {
		return nil, err
	}
	var ptr *C.notation_target
	create := func(cp *C.notation_config) error {
		return call(func() C.notation_result { return C.notation_target_new_registry(cp, cref, &ptr) })
	}
	if config != nil {
		err = config.h.use(create)
	} else {
		err = create(nil)
	}
	if err != nil {
		return nil, err
	}
	return newTarget(ptr), nil
}

// Close releases the target. It waits for calls in progress on other
// goroutines; calling it again does nothing.
func (t *Target) Close() error {
	t.h.close()
	return nil
}

// errNilTarget is returned for a nil *Target argument.
var errNilTarget = &Error{Code: CodeNullParameter, Message: "target is nil"}

// CertificateInfo describes one certificate of a signature's chain.
type CertificateInfo struct {
	// Subject is exactly as the certificate holds it: it may contain
	// control characters. Quote it (%q) before printing it.
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
	err = t.h.call(func(tp *C.notation_target) C.notation_result { return C.notation_target_list_signatures(tp, &list) })
	if err != nil {
		return "", nil, err
	}
	defer C.notation_signature_list_free(&list)
	artifactDigest, signatures = signatureList(list, false)
	return artifactDigest, signatures, nil
}

// InspectSignatures reads the artifact's signatures (at most
// maxSignatures; 0: 100; negative is an error) without verifying them.
func (t *Target) InspectSignatures(maxSignatures int) (artifactDigest string, signatures []SignatureInfo, err error) {
	if maxSignatures < 0 {
		return "", nil, &Error{Code: CodeInvalidArgument, Message: "maxSignatures is negative"}
	}
	var list *C.notation_signature_list
	err = t.h.call(func(tp *C.notation_target) C.notation_result {
		return C.notation_target_inspect_signatures(tp, C.size_t(maxSignatures), &list)
	})
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
