package notation

// #include "notation.h"
import "C"

// StoreKind says where one side of a copy is.
type StoreKind uint32

// Store kinds.
const (
	// StoreRegistry is a registry repository: "registry/repository:tag"
	// or "...@digest" (a destination may leave out both).
	StoreRegistry StoreKind = C.NOTATION_STORE_KIND_REGISTRY
	// StoreOCILayout is an OCI image layout directory: "<path>:<tag>" or
	// "<path>@<digest>" (a destination may leave out both; it is created
	// when missing).
	StoreOCILayout StoreKind = C.NOTATION_STORE_KIND_OCI_LAYOUT
)

// CopyOptions tune Copy; the zero value (or nil) copies the artifact and the
// Notary signatures of it and of every manifest it lists, within the
// library's default limits.
type CopyOptions struct {
	// AllReferrers copies every referrer too (SBOMs, attestations, ...),
	// recursively, with their signatures.
	AllReferrers bool
	// MaxManifests, MaxDepth and MaxReferrers bound what is read from the
	// source; each left 0 keeps its default (10 000 manifests, depth 16,
	// 1 000 referrers per manifest). The depth is at most 128.
	MaxManifests, MaxDepth, MaxReferrers int
}

// CopyReport is what a copy did.
type CopyReport struct {
	// Digest of the artifact copied (the same at both ends).
	Digest string
	// Tag written at the destination ("" when none).
	Tag string
	// ManifestsCopied and ManifestsSkipped (the destination had them).
	ManifestsCopied, ManifestsSkipped uint64
	// BlobsCopied, BlobsMounted (from another repository of the same
	// registry), BlobsSkipped (the destination had them) and BlobsForeign
	// (non-distributable layers, by media type: not copied).
	BlobsCopied, BlobsMounted, BlobsSkipped, BlobsForeign uint64
	// Signatures and other Referrers at the destination after the copy.
	Signatures, Referrers uint64
	// Bytes transferred.
	Bytes uint64
}

func (o *CopyOptions) toC() (*C.notation_copy_options, error) {
	if o == nil {
		return nil, nil
	}
	var ptr *C.notation_copy_options
	if err := call(func() C.notation_result { return C.notation_copy_options_new(&ptr) }); err != nil {
		return nil, err
	}
	set := func(f func() C.notation_result) error {
		if err := call(f); err != nil {
			C.notation_copy_options_free(&ptr)
			return err
		}
		return nil
	}
	if o.AllReferrers {
		if err := set(func() C.notation_result { return C.notation_copy_options_set_all_referrers(ptr, true) }); err != nil {
			return nil, err
		}
	}
	if o.MaxManifests != 0 || o.MaxDepth != 0 || o.MaxReferrers != 0 {
		if o.MaxManifests < 0 || o.MaxDepth < 0 || o.MaxReferrers < 0 {
			C.notation_copy_options_free(&ptr)
			return nil, &Error{Code: CodeInvalidArgument, Message: "copy limits must not be negative"}
		}
		// The library's defaults, for the fields left 0.
		orDefault := func(v, d int) C.size_t {
			if v == 0 {
				return C.size_t(d)
			}
			return C.size_t(v)
		}
		manifests, depth, referrers := orDefault(o.MaxManifests, 10000), orDefault(o.MaxDepth, 16), orDefault(o.MaxReferrers, 1000)
		if err := set(func() C.notation_result {
			return C.notation_copy_options_set_limits(ptr, manifests, depth, referrers)
		}); err != nil {
			return nil, err
		}
	}
	return ptr, nil
}

// Copy copies an artifact with its signatures, byte for byte, from source
// to destination, each a registry repository or an OCI layout: the
// artifact (a manifest with its blobs, or an index with every manifest it
// lists) and every Notary signature attached to them. Blobs the destination
// has are skipped; the destination tag is written last, so a failed copy
// leaves no tag and running it again completes it. config may be nil; it
// gives registry credentials and insecure registries (each side gets its
// own client: credentials of one registry never reach the other;
// NOTATION_USERNAME and NOTATION_PASSWORD are not used). The C API's
// progress callback is not offered here.
func Copy(config *Config, sourceKind StoreKind, source string, destinationKind StoreKind, destination string, opts *CopyOptions) (*CopyReport, error) {
	copts, err := opts.toC()
	if err != nil {
		return nil, err
	}
	defer C.notation_copy_options_free(&copts)
	var cs cStrings
	defer cs.free()
	src, err := cs.add("source", source)
	if err != nil {
		return nil, err
	}
	dst, err := cs.add("destination", destination)
	if err != nil {
		return nil, err
	}
	var report *C.notation_copy_report
	run := func(cp *C.notation_config) error {
		return call(func() C.notation_result {
			return C.notation_copy(cp, C.uint32_t(sourceKind), src, C.uint32_t(destinationKind), dst, copts, &report)
		})
	}
	if config == nil {
		err = run(nil)
	} else {
		err = config.h.use(run)
	}
	if err != nil {
		return nil, err
	}
	defer C.notation_copy_report_free(&report)
	r := &CopyReport{
		Digest: optionalString(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
			return C.notation_copy_report_digest(report, b, n, needed)
		}),
		Tag: optionalString(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
			return C.notation_copy_report_tag(report, b, n, needed)
		}),
	}
	for what, field := range map[C.notation_copy_count]*uint64{
		C.NOTATION_COPY_COUNT_MANIFESTS_COPIED:  &r.ManifestsCopied,
		C.NOTATION_COPY_COUNT_MANIFESTS_SKIPPED: &r.ManifestsSkipped,
		C.NOTATION_COPY_COUNT_BLOBS_COPIED:      &r.BlobsCopied,
		C.NOTATION_COPY_COUNT_BLOBS_MOUNTED:     &r.BlobsMounted,
		C.NOTATION_COPY_COUNT_BLOBS_SKIPPED:     &r.BlobsSkipped,
		C.NOTATION_COPY_COUNT_SIGNATURES:        &r.Signatures,
		C.NOTATION_COPY_COUNT_REFERRERS:         &r.Referrers,
		C.NOTATION_COPY_COUNT_BYTES:             &r.Bytes,
		C.NOTATION_COPY_COUNT_BLOBS_FOREIGN:     &r.BlobsForeign,
	} {
		var v C.uint64_t
		if err := call(func() C.notation_result { return C.notation_copy_report_count(report, C.uint32_t(what), &v) }); err != nil {
			return nil, err
		}
		*field = uint64(v)
	}
	return r, nil
}
