package notation

// #include <stdlib.h>
// #include "notation.h"
import "C"

import (
	"runtime"
	"time"
	"unsafe"
)

// Signer signs with a key and its certificate chain, or with a plugin key;
// safe for concurrent use. Close may run while other goroutines sign: it
// waits for them, and calls after it return ErrClosed.
type Signer struct {
	h *handle[C.notation_signer]
}

func newSigner(ptr *C.notation_signer) *Signer {
	s := &Signer{h: newHandle(ptr, func(p **C.notation_signer) { C.notation_signer_free(p) })}
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

// NewSignerFromFiles creates a signer from a key file and a certificate
// chain file.
func NewSignerFromFiles(keyPath, certificatePath string) (*Signer, error) {
	var cs cStrings
	defer cs.free()
	kp, err := cs.add("keyPath", keyPath)
	if err != nil {
		return nil, err
	}
	cp, err := cs.add("certificatePath", certificatePath)
	if err != nil {
		return nil, err
	}
	var ptr *C.notation_signer
	if err := call(func() C.notation_result { return C.notation_signer_new_from_files(kp, cp, &ptr) }); err != nil {
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
	var cs cStrings
	defer cs.free()
	up, err := cs.add("uri", uri)
	if err != nil {
		return nil, err
	}
	var cp *C.char
	if certificatePath != "" {
		if cp, err = cs.add("certificatePath", certificatePath); err != nil {
			return nil, err
		}
	}
	var pp *C.uint8_t
	var pn C.size_t
	// An empty PIN is a PIN: it goes as a non-NULL pointer with length 0
	// (NULL would take the PIN from the URI or the environment).
	var empty [1]byte
	if pin != nil {
		pp, pn = bytesPtr(pin)
		if pp == nil {
			pp = (*C.uint8_t)(unsafe.Pointer(&empty[0]))
		}
	}
	var ptr *C.notation_signer
	err = call(func() C.notation_result { return C.notation_signer_new_pkcs11(up, cp, pp, pn, &ptr) })
	runtime.KeepAlive(pin)
	runtime.KeepAlive(&empty)
	if err != nil {
		return nil, err
	}
	return newSigner(ptr), nil
}

// Close releases the signer. It waits for calls in progress on other
// goroutines; calling it again does nothing.
func (s *Signer) Close() error {
	s.h.close()
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
	// ManifestForm for artifacts (default: the store's, ManifestArtifactType
	// in a registry, ManifestConfigMediaType in an OCI layout).
	ManifestForm ManifestForm
	// Recursive signs an image index and every manifest it lists (see
	// SignArtifactRecursive).
	Recursive bool
	// TimestampURL requests an RFC 3161 timestamp from this TSA; its
	// tokens must chain to TimestampRoots (PEM or DER certificates).
	TimestampURL   string
	TimestampRoots []byte
	// TimestampTimeout limits one timestamp exchange (0: 30 s).
	TimestampTimeout time.Duration
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
	var cs cStrings
	defer cs.free()
	// str copies a string argument, freeing the options if it is refused.
	str := func(name, s string) (*C.char, error) {
		p, err := cs.add(name, s)
		if err != nil {
			C.notation_sign_options_free(&ptr)
		}
		return p, err
	}
	if o.MediaType != "" {
		s, err := str("MediaType", o.MediaType)
		if err != nil {
			return nil, err
		}
		if err := set(func() C.notation_result { return C.notation_sign_options_set_media_type(ptr, s) }); err != nil {
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
		if err := set(func() C.notation_result { return C.notation_sign_options_add_user_metadata(ptr, ck, cv) }); err != nil {
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
	if o.Recursive {
		if err := set(func() C.notation_result { return C.notation_sign_options_set_recursive(ptr, true) }); err != nil {
			return nil, err
		}
	}
	if o.TimestampURL != "" {
		u, err := str("TimestampURL", o.TimestampURL)
		if err != nil {
			return nil, err
		}
		rp, rn := bytesPtr(o.TimestampRoots)
		err = set(func() C.notation_result {
			return C.notation_sign_options_set_timestamping(ptr, u, rp, rn)
		})
		runtime.KeepAlive(o.TimestampRoots)
		if err != nil {
			return nil, err
		}
		if o.TimestampTimeout != 0 {
			ms, err := durationMillis(o.TimestampTimeout, "timestamp timeout")
			if err != nil {
				C.notation_sign_options_free(&ptr)
				return nil, err
			}
			if err := set(func() C.notation_result {
				return C.notation_sign_options_set_timestamping_timeout(ptr, ms)
			}); err != nil {
				return nil, err
			}
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
		if err := set(func() C.notation_result { return C.notation_sign_options_add_plugin_config(ptr, ck, cv) }); err != nil {
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
	// Copied by its size_t length: C.GoBytes takes a C int, which would cut
	// a buffer past 2 GiB.
	out := make([]byte, int(n))
	if n > 0 {
		copy(out, unsafe.Slice((*byte)(unsafe.Pointer(data)), int(n)))
	}
	return out
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
	err = s.h.call(func(sp *C.notation_signer) C.notation_result {
		return C.notation_signer_sign_blob(sp, p, n, copts, &out)
	})
	runtime.KeepAlive(blob)
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
	var cs cStrings
	defer cs.free()
	cpath, err := cs.add("path", path)
	if err != nil {
		return nil, err
	}
	var out *C.notation_buffer
	err = s.h.call(func(sp *C.notation_signer) C.notation_result {
		return C.notation_signer_sign_blob_file(sp, cpath, copts, &out)
	})
	if err != nil {
		return nil, err
	}
	return takeBuffer(out), nil
}

// SignArtifact signs the target artifact and stores the signature next to
// it; it returns the signature manifest's digest.
func (s *Signer) SignArtifact(target *Target, opts *SignOptions) (string, error) {
	if target == nil {
		return "", errNilTarget
	}
	copts, err := opts.toC()
	if err != nil {
		return "", err
	}
	defer C.notation_sign_options_free(&copts)
	var list *C.notation_signature_list
	err = s.h.use(func(sp *C.notation_signer) error {
		return target.h.use(func(tp *C.notation_target) error {
			return call(func() C.notation_result { return C.notation_signer_sign_artifact(sp, tp, copts, &list) })
		})
	})
	if err != nil {
		return "", err
	}
	defer C.notation_signature_list_free(&list)
	return readString(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
		return C.notation_signature_list_digest(list, 0, b, n, needed)
	})
}

// SignedManifest is one signature made by SignArtifactRecursive.
type SignedManifest struct {
	// Subject is the digest of the manifest signed.
	Subject string
	// Signature is the digest of its signature manifest.
	Signature string
}

// SignArtifactRecursive signs the target artifact and, when it is an image
// index (a multi-platform image: OCI index or Docker manifest list), every
// manifest it lists, nested indexes included: one signature each, with the
// same options, the index first.
func (s *Signer) SignArtifactRecursive(target *Target, opts *SignOptions) ([]SignedManifest, error) {
	if target == nil {
		return nil, errNilTarget
	}
	o := SignOptions{}
	if opts != nil {
		o = *opts
	}
	o.Recursive = true
	copts, err := o.toC()
	if err != nil {
		return nil, err
	}
	defer C.notation_sign_options_free(&copts)
	var list *C.notation_signature_list
	err = s.h.use(func(sp *C.notation_signer) error {
		return target.h.use(func(tp *C.notation_target) error {
			return call(func() C.notation_result { return C.notation_signer_sign_artifact(sp, tp, copts, &list) })
		})
	})
	if err != nil {
		return nil, err
	}
	defer C.notation_signature_list_free(&list)
	var count C.size_t
	if err := call(func() C.notation_result { return C.notation_signature_list_count(list, &count) }); err != nil {
		return nil, err
	}
	signed := make([]SignedManifest, 0, int(count))
	for i := C.size_t(0); i < count; i++ {
		index := i
		subject, err := readString(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
			return C.notation_signature_list_subject_digest(list, index, b, n, needed)
		})
		if err != nil {
			return nil, err
		}
		signature, err := readString(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
			return C.notation_signature_list_digest(list, index, b, n, needed)
		})
		if err != nil {
			return nil, err
		}
		signed = append(signed, SignedManifest{Subject: subject, Signature: signature})
	}
	return signed, nil
}
