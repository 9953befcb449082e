package notation

import (
	"errors"
	"path/filepath"
	"testing"
)

// Recursive signing and verification of a manifest that is no index (the
// manifest alone), and a copy of it with its signatures from one OCI
// layout to another, where it verifies.
func TestRecursiveAndCopy(t *testing.T) {
	v := testVerifier(t)
	s := testSigner(t, "rsa-2048.key", "rsa-2048.chain.pem")
	layout := copyLayout(t)
	target, err := NewLayoutTarget(layout, "v1", "local/go")
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	signed, err := s.SignArtifactRecursive(target, &SignOptions{Format: FormatCOSE})
	if err != nil {
		t.Fatal(err)
	}
	if len(signed) != 1 || signed[0].Subject != e2eDigest || signed[0].Signature == "" {
		t.Fatalf("signed %+v", signed)
	}
	r, err := v.VerifyArtifact(target, &VerifyOptions{Recursive: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Manifests) != 1 || r.Manifests[0] != (ManifestResult{Digest: e2eDigest, Code: CodeOK}) {
		t.Fatalf("manifests %+v", r.Manifests)
	}
	if r, _ := v.VerifyArtifact(target, nil); len(r.Manifests) != 0 {
		t.Fatalf("not recursive: %+v", r.Manifests)
	}

	dst := filepath.Join(t.TempDir(), "copied")
	report, err := Copy(nil, StoreOCILayout, layout+":v1", StoreOCILayout, dst+":copied", &CopyOptions{AllReferrers: true})
	if err != nil {
		t.Fatal(err)
	}
	if report.Digest != e2eDigest || report.Tag != "copied" || report.Signatures != 1 || report.ManifestsCopied != 2 || report.BlobsCopied == 0 || report.Bytes == 0 {
		t.Fatalf("report %+v", report)
	}
	again, err := Copy(nil, StoreOCILayout, layout+"@"+e2eDigest, StoreOCILayout, dst, nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.ManifestsCopied != 0 || again.BlobsCopied != 0 || again.Tag != "" {
		t.Fatalf("again %+v", again)
	}
	copied, err := NewLayoutTarget(dst, "copied", "local/go")
	if err != nil {
		t.Fatal(err)
	}
	defer copied.Close()
	if _, err := v.VerifyArtifact(copied, &VerifyOptions{Recursive: true}); err != nil {
		t.Fatal(err)
	}

	// One limit set: the others keep their defaults (a signed artifact has
	// referrers, within the default 1 000).
	if _, err := Copy(nil, StoreOCILayout, layout+":v1", StoreOCILayout, filepath.Join(t.TempDir(), "one"), &CopyOptions{MaxManifests: 100}); err != nil {
		t.Fatalf("one limit: %v", err)
	}

	// Errors.
	if _, err := Copy(nil, StoreOCILayout, layout+":v1", StoreOCILayout, filepath.Join(t.TempDir(), "x"), &CopyOptions{MaxManifests: 1, MaxDepth: 4, MaxReferrers: 10}); !errors.Is(err, ErrInputTooLarge) {
		t.Fatalf("limits: %v", err)
	}
	if _, err := Copy(nil, StoreOCILayout, layout+":v1", StoreOCILayout, "", nil); !errors.Is(err, ErrReferenceInvalid) {
		t.Fatalf("empty destination: %v", err)
	}
	if _, err := Copy(nil, StoreOCILayout, layout+":v9", StoreOCILayout, dst, nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing tag: %v", err)
	}
	if _, err := Copy(nil, StoreOCILayout, layout+"\x00:v1", StoreOCILayout, dst, nil); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("NUL: %v", err)
	}
	if _, err := Copy(nil, StoreKind(9), layout+":v1", StoreOCILayout, dst, nil); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("kind: %v", err)
	}
}
