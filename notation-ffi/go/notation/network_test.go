package notation

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A registry (in-process, Go's httptest) whose referrers listing drips a
// byte every 100 ms: the registry timeout set on the configuration bounds
// the whole listing, and the error says how to raise it.
func TestRegistryTimeoutBoundsADrippingRegistry(t *testing.T) {
	manifest := []byte(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}`)
	sum := sha256.Sum256(manifest)
	digest := "sha256:" + hex.EncodeToString(sum[:])
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/v2/test/app/manifests/v1" || r.URL.Path == "/v2/test/app/manifests/"+digest:
			w.Header().Set("Content-Type", "application/vnd.oci.image.manifest.v1+json")
			w.Header().Set("Docker-Content-Digest", digest)
			w.Write(manifest)
		case strings.HasPrefix(r.URL.Path, "/v2/test/app/referrers/"):
			w.Header().Set("Content-Type", "application/vnd.oci.image.index.v1+json")
			for i := 0; i < 200; i++ {
				if _, err := w.Write([]byte(" ")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(100 * time.Millisecond):
				}
			}
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")

	cfg, err := NewConfig()
	if err != nil {
		t.Fatal(err)
	}
	defer cfg.Close()
	for _, d := range [][2]time.Duration{{-time.Millisecond, 0}, {0, time.Duration(1<<32) * time.Millisecond}} {
		if err := cfg.SetRevocationTimeouts(d[0], d[1]); !errors.Is(err, ErrInvalidArgument) {
			t.Fatalf("revocation timeouts %v: %v", d, err)
		}
	}
	if err := cfg.SetRevocationTimeouts(500*time.Microsecond, time.Second); err != nil {
		t.Fatal(err)
	}
	if err := cfg.SetRegistryTimeout(-time.Second); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("a negative timeout: %v", err)
	}
	if err := cfg.SetRegistryTimeout(400 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := cfg.SetRegistryMaxBytes(0); err != nil {
		t.Fatal(err)
	}
	target, err := NewRegistryTarget(cfg, host+"/test/app:v1")
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	start := time.Now()
	_, _, err = target.ListSignatures()
	if err == nil {
		t.Fatal("a dripping listing succeeded")
	}
	if msg := err.Error(); !strings.Contains(msg, "time limit of 400ms") || !strings.Contains(msg, "Config.SetRegistryTimeout") {
		t.Fatalf("unexpected error: %v", err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Fatalf("took %v", elapsed)
	}
}
