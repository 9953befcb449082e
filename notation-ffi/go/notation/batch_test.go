package notation

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestVerifyManyLayouts verifies several references into OCI layouts in
// one call: every outcome, the verified signer, the pre-filtered
// signature, and results in the order given, from many goroutines at once
// (run under -race by notation-ffi/tests/go.rs).
func TestVerifyManyLayouts(t *testing.T) {
	v := testVerifier(t)
	signed := copyLayout(t)
	s := testSigner(t, "rsa-3072.key", "rsa-3072.chain.pem")
	target, err := NewLayoutTarget(signed, "v1", "local/go")
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	if _, err := s.SignArtifact(target, nil); err != nil {
		t.Fatal(err)
	}
	untrustedLayout := copyLayout(t)
	other, err := NewLayoutTarget(untrustedLayout, "v1", "local/go")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := testSigner(t, "self-signed.key", "self-signed.crt").SignArtifact(other, nil); err != nil {
		t.Fatal(err)
	}
	unsigned := copyLayout(t)
	references := []string{
		signed + ":v1",
		untrustedLayout + ":v1",
		unsigned + ":v1",
		signed + ":no-such-tag",
		signed + "@" + e2eDigest,
		filepath.Join(t.TempDir(), "missing") + ":v1",
	}
	want := []Outcome{OutcomeVerified, OutcomeFailed, OutcomeUnsigned, OutcomeError, OutcomeVerified, OutcomeError}
	check := func(results []BatchResult) {
		t.Helper()
		if len(results) != len(references) {
			t.Fatalf("%d results for %d references", len(results), len(references))
		}
		for i, r := range results {
			if r.Reference != references[i] || r.Outcome != want[i] {
				t.Fatalf("result %d: %+v, want %s", i, r, want[i])
			}
			if r.Passed() != (want[i] == OutcomeVerified) || (r.Message == "") != r.Passed() {
				t.Fatalf("result %d: passed/message %+v", i, r)
			}
			if r.Policy != "go-tests" || r.DurationMs < 0 {
				t.Fatalf("result %d: %+v", i, r)
			}
		}
		ok := results[0]
		if ok.Digest != e2eDigest || !ok.ResolvedFromTag || ok.Signature == nil ||
			!strings.Contains(ok.Signature.Signer.Subject, "CN=Notation Test Leaf rsa-3072") ||
			len(ok.Signature.Signer.SHA256Fingerprint) != 64 ||
			ok.Signature.EnvelopeMediaType != "application/jose+json" ||
			ok.Signature.SigningScheme != "notary.x509" || ok.Signature.SigningTime.IsZero() ||
			ok.Signature.Expiry != nil || ok.Signature.Timestamp != nil {
			t.Fatalf("verified: %+v %+v", ok, ok.Signature)
		}
		if results[4].ResolvedFromTag || results[4].Signature.Digest != ok.Signature.Digest {
			t.Fatalf("by digest: %+v", results[4])
		}
		bad := results[1]
		if bad.Signature != nil || bad.ThumbprintSkipped.Count != 1 || len(bad.ThumbprintSkipped.Signatures[0].Thumbprints) != 1 ||
			len(bad.FailedSignatures) != 0 || !strings.HasPrefix(bad.Message, "authenticity: ") {
			t.Fatalf("untrusted: %+v", bad)
		}
		if !strings.Contains(results[2].Message, "no signature is associated") || results[2].Digest != e2eDigest {
			t.Fatalf("unsigned: %+v", results[2])
		}
		if !strings.Contains(results[3].Message, "failed to get manifest descriptor") || results[3].Digest != "" {
			t.Fatalf("missing tag: %+v", results[3])
		}
	}
	var wg sync.WaitGroup
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go func(concurrency int) {
			defer wg.Done()
			results, err := v.VerifyMany(references, &VerifyManyOptions{LayoutScope: "local/go", Concurrency: concurrency})
			if err != nil {
				t.Error(err)
				return
			}
			check(results)
		}(g % 3 * 4)
	}
	wg.Wait()

	// Required user metadata the signature lacks: every signed one fails.
	results, err := v.VerifyMany(references[:1], &VerifyManyOptions{
		LayoutScope: "local/go",
		Verify:      &VerifyOptions{UserMetadata: map[string]string{"team": "red"}},
	})
	if err != nil || results[0].Outcome != OutcomeFailed || results[0].FailedSignatures[0].Check != "userMetadata" {
		t.Fatalf("metadata: %v %+v", err, results)
	}

	// Calls that cannot run.
	if _, err := v.VerifyMany([]string{"a\x00b"}, nil); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("NUL byte: %v", err)
	}
	if _, err := v.VerifyMany(references, &VerifyManyOptions{Concurrency: -1}); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("negative concurrency: %v", err)
	}
	empty, err := v.VerifyMany(nil, nil)
	if err != nil || len(empty) != 0 {
		t.Fatalf("no references: %v %v", err, empty)
	}
	closed := testVerifier(t)
	closed.Close()
	if _, err := closed.VerifyMany(references, nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("closed: %v", err)
	}
}

// TestVerifyManyRegistry verifies the references of a registry that
// notation-ffi/tests/go.rs filled (Debian's docker-registry, plus a
// stopped one) with a signed, unsigned, untrusted, expired, skipped and
// missing case each; it passes their expected outcomes in
// NOTATION_TEST_BATCH_CASES and the configuration directory in
// NOTATION_TEST_BATCH_CONFIG.
func TestVerifyManyRegistry(t *testing.T) {
	casesJSON := os.Getenv("NOTATION_TEST_BATCH_CASES")
	if casesJSON == "" {
		t.Skip("NOTATION_TEST_BATCH_CASES is set by notation-ffi/tests/go.rs (cargo test -p notation-ffi --test go)")
	}
	var cases []struct {
		Reference string  `json:"reference"`
		Outcome   Outcome `json:"outcome"`
		Signer    string  `json:"signer"`
	}
	if err := json.Unmarshal([]byte(casesJSON), &cases); err != nil {
		t.Fatal(err)
	}
	config, err := OpenConfigDir(os.Getenv("NOTATION_TEST_BATCH_CONFIG"))
	if err != nil {
		t.Fatal(err)
	}
	defer config.Close()
	v, err := config.NewVerifier()
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	references := make([]string, len(cases))
	for i, c := range cases {
		references[i] = c.Reference
	}
	var wg sync.WaitGroup
	for _, concurrency := range []int{1, 2, 8} {
		wg.Add(1)
		go func(concurrency int) {
			defer wg.Done()
			results, err := v.VerifyMany(references, &VerifyManyOptions{Config: config, Concurrency: concurrency})
			if err != nil {
				t.Error(err)
				return
			}
			for i, r := range results {
				c := cases[i]
				if r.Reference != c.Reference || r.Outcome != c.Outcome {
					t.Errorf("concurrency %d: %s: %s (%s), want %s", concurrency, c.Reference, r.Outcome, r.Message, c.Outcome)
				}
				if c.Signer != "" && (r.Signature == nil || r.Signature.Signer.Subject != c.Signer) {
					t.Errorf("%s: signer %+v, want %s", c.Reference, r.Signature, c.Signer)
				}
			}
		}(concurrency)
	}
	wg.Wait()
}
