package notation

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The repository's test PKI and the conformance vectors next to the
// repository (NOTATION_CONFORMANCE overrides). Missing fixtures fail.
var (
	repoRoot   = filepath.Join("..", "..", "..")
	pkiDir     = filepath.Join(repoRoot, "testdata", "pki")
	headerPath = "notation.h" // the package's copy of include/notation.h
	e2eDigest  = "sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9"
	ociPolicy  = `{"version":"1.0","trustPolicies":[{"name":"go-tests","registryScopes":["local/go"],"signatureVerification":{"level":"strict"},"trustStores":["ca:test"],"trustedIdentities":["*"]}]}`
	blobPolicy = `{"version":"1.0","trustPolicies":[{"name":"go-blobs","signatureVerification":{"level":"strict"},"trustStores":["ca:test"],"trustedIdentities":["*"],"globalPolicy":true},{"name":"audit","signatureVerification":{"level":"audit"},"trustStores":["ca:test"],"trustedIdentities":["*"]}]}`
)

func conformance(t *testing.T, rel string) string {
	t.Helper()
	base := os.Getenv("NOTATION_CONFORMANCE")
	if base == "" {
		base = filepath.Join(repoRoot, "..", "shared", "conformance")
	}
	p := filepath.Join(base, rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("conformance vector %s is required: %v", p, err)
	}
	return p
}

func readPKI(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(pkiDir, name))
	if err != nil {
		t.Fatalf("test PKI file %s is required: %v", name, err)
	}
	return b
}

// copyLayout makes a writable copy of the conformance layout e2e.
func copyLayout(t *testing.T) string {
	t.Helper()
	src := conformance(t, filepath.Join("09-e2e-oci-layouts", "layouts", "e2e"))
	dst := filepath.Join(t.TempDir(), "layout")
	err := filepath.Walk(src, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		to := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(to, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func memoryConfig(t *testing.T) *Config {
	t.Helper()
	c, err := NewConfig()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.SetOCIPolicy([]byte(ociPolicy)); err != nil {
		t.Fatal(err)
	}
	if err := c.SetRevocationMode(RevocationOffline); err != nil {
		t.Fatal(err)
	}
	if err := c.SetBlobPolicy([]byte(blobPolicy)); err != nil {
		t.Fatal(err)
	}
	if err := c.AddCertificates(TrustStoreCA, "test", readPKI(t, "root.crt")); err != nil {
		t.Fatal(err)
	}
	return c
}

func testVerifier(t *testing.T) *Verifier {
	t.Helper()
	v, err := memoryConfig(t).NewVerifier()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

func testSigner(t *testing.T, key, chain string) *Signer {
	t.Helper()
	s, err := NewSigner(readPKI(t, key), readPKI(t, chain))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestVersion(t *testing.T) {
	if Version() == "" {
		t.Fatal("empty version")
	}
	if ABIVersion() != HeaderABIVersion || HeaderABIVersion != 1 {
		t.Fatalf("ABI version %d, header %d", ABIVersion(), HeaderABIVersion)
	}
	if got := CodeVerificationFailed.String(); got != "signature verification failed" {
		t.Fatalf("code text %q", got)
	}
	if CheckAuthenticTimestamp.String() != "authenticTimestamp" || ActionLog.String() != "log" {
		t.Fatal("check or action names")
	}
}

func TestSignAndVerifyBlobWithEveryCheck(t *testing.T) {
	v := testVerifier(t)
	s := testSigner(t, "rsa-2048.key", "rsa-2048.chain.pem")
	blob := []byte("hello from Go")
	for _, format := range []Format{FormatJWS, FormatCOSE} {
		sig, err := s.SignBlob(blob, &SignOptions{Format: format, UserMetadata: map[string]string{"team": "go"}, Expiry: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		r, err := v.VerifyBlob(sig, format, blob, &VerifyOptions{UserMetadata: map[string]string{"team": "go"}})
		if err != nil {
			t.Fatalf("format %d: %v", format, err)
		}
		if !r.Passed || r.Skipped || r.Code != CodeOK || r.PolicyName != "go-blobs" {
			t.Fatalf("result %+v", r)
		}
		want := []Check{CheckIntegrity, CheckAuthenticity, CheckExpiry, CheckAuthenticTimestamp, CheckRevocation}
		if len(r.Checks) != len(want) {
			t.Fatalf("checks %+v", r.Checks)
		}
		for i, c := range r.Checks {
			if c.Check != want[i] || c.Action != ActionEnforce || !c.Passed || c.Failure != "" {
				t.Fatalf("check %d: %+v", i, c)
			}
		}
		if r.Payload == nil || r.Payload.Size != uint64(len(blob)) || !strings.HasPrefix(r.Payload.Digest, "sha256:") || r.Payload.MediaType != "application/octet-stream" {
			t.Fatalf("payload %+v", r.Payload)
		}
		info, err := InspectEnvelope(sig, format)
		if err != nil {
			t.Fatal(err)
		}
		if info.Algorithm != "RSASSA-PSS-SHA-256" || len(info.Certificates) != 3 || info.Expiry.Sub(info.SigningTime) != time.Hour {
			t.Fatalf("inspect %+v", info)
		}
	}
}

func TestTamperedBlobFails(t *testing.T) {
	v := testVerifier(t)
	s := testSigner(t, "ec-256.key", "ec-256.chain.pem")
	sig, err := s.SignBlob([]byte("original"), nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := v.VerifyBlob(sig, FormatJWS, []byte("tampered"), nil)
	if !errors.Is(err, ErrArtifactMismatch) {
		t.Fatalf("err %v", err)
	}
	var nerr *Error
	if !errors.As(err, &nerr) || nerr.Message != "integrity check failed. signature does not match the given blob" {
		t.Fatalf("error %#v", err)
	}
	if r == nil || r.Passed || len(r.Checks) != 5 {
		t.Fatalf("result %+v", r)
	}
	for _, c := range r.Checks {
		if !c.Passed {
			t.Fatalf("the signature itself verified: %+v", c)
		}
	}
	if _, err := v.VerifyBlob(sig, FormatCOSE, []byte("original"), nil); !errors.Is(err, ErrEnvelopeInvalid) {
		t.Fatalf("JWS bytes read as COSE: %v", err)
	}
}

func TestUntrustedSignerFailsAuthenticity(t *testing.T) {
	v := testVerifier(t)
	s := testSigner(t, "self-signed.key", "self-signed.crt")
	sig, err := s.SignBlob([]byte("blob"), &SignOptions{Format: FormatCOSE})
	if err != nil {
		t.Fatal(err)
	}
	r, err := v.VerifyBlob(sig, FormatCOSE, []byte("blob"), nil)
	if !errors.Is(err, ErrVerificationFailed) {
		t.Fatalf("err %v", err)
	}
	if len(r.Checks) != 2 || r.Checks[1].Check != CheckAuthenticity || r.Checks[1].Passed || r.Checks[1].Action != ActionEnforce {
		t.Fatalf("checks %+v", r.Checks)
	}
	if r.Checks[1].Failure != "the signature's certificate chain does not contain any trusted certificate" || r.Failure != r.Checks[1].Failure {
		t.Fatalf("failure %q / %q", r.Checks[1].Failure, r.Failure)
	}
	// Audit logs it.
	r, err = v.VerifyBlob(sig, FormatCOSE, []byte("blob"), &VerifyOptions{PolicyName: "audit"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Checks[1].Action != ActionLog || r.Checks[1].Passed {
		t.Fatalf("audit checks %+v", r.Checks)
	}
}

func TestLayoutArtifact(t *testing.T) {
	v := testVerifier(t)
	s := testSigner(t, "rsa-3072.key", "rsa-3072.chain.pem")
	layout := copyLayout(t)
	target, err := NewLayoutTarget(layout, "v1", "local/go")
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	if _, err := v.VerifyArtifact(target, nil); !errors.Is(err, ErrNoSignature) {
		t.Fatalf("unsigned: %v", err)
	}
	digest, err := s.SignArtifact(target, &SignOptions{Format: FormatCOSE})
	if err != nil {
		t.Fatal(err)
	}
	artifact, sigs, err := target.ListSignatures()
	if err != nil {
		t.Fatal(err)
	}
	if artifact != e2eDigest || len(sigs) != 1 || sigs[0].Digest != digest || sigs[0].Algorithm != "" {
		t.Fatalf("list %s %+v", artifact, sigs)
	}
	if _, _, err := target.InspectSignatures(-1); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("negative maxSignatures: %v", err)
	}
	_, sigs, err = target.InspectSignatures(0)
	if err != nil {
		t.Fatal(err)
	}
	if sigs[0].MediaType != "application/cose" || sigs[0].Algorithm != "RSASSA-PSS-SHA-384" || !strings.Contains(sigs[0].Certificates[0].Subject, "CN=Notation Test Leaf rsa-3072") {
		t.Fatalf("inspect %+v", sigs[0])
	}
	r, err := v.VerifyArtifact(target, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.SignatureDigest != digest || r.ArtifactDigest != e2eDigest || len(r.Checks) != 5 || r.Payload.Digest != e2eDigest {
		t.Fatalf("result %+v", r)
	}

	// A layout with only an untrusted signature.
	other, err := NewLayoutTarget(copyLayout(t), e2eDigest, "local/go")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	untrusted := testSigner(t, "self-signed.key", "self-signed.crt")
	if _, err := untrusted.SignArtifact(other, nil); err != nil {
		t.Fatal(err)
	}
	r, err = v.VerifyArtifact(other, nil)
	if !errors.Is(err, ErrVerificationFailed) || len(r.SignatureFailures) != 1 {
		t.Fatalf("untrusted: %v %+v", err, r)
	}

	// Errors.
	if _, err := NewLayoutTarget(t.TempDir(), "v1", ""); err == nil {
		t.Fatal("a directory without oci-layout")
	}
	missing, err := NewLayoutTarget(layout, "v9", "local/go")
	if err != nil {
		t.Fatal(err)
	}
	defer missing.Close()
	if _, err := s.SignArtifact(missing, nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing tag: %v", err)
	}
	registry, err := NewRegistryTarget(nil, "registry.example/repo:v1")
	if err != nil {
		t.Fatalf("registry target: %v", err)
	}
	registry.Close()
	if _, err := NewRegistryTarget(nil, "registry.example/repo"); err == nil || err.(*Error).Code != CodeReferenceInvalid {
		t.Fatalf("registry reference without a tag: %v", err)
	}
}

func TestConfigDirectoryAndSigningKeys(t *testing.T) {
	dir := t.TempDir()
	abs, _ := filepath.Abs(pkiDir)
	write := func(name, content string) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("trustpolicy.blob.json", blobPolicy)
	write("truststore/x509/ca/test/root.crt", string(readPKI(t, "root.crt")))
	write("signingkeys.json", `{"default":"ec","keys":[{"name":"ec","keyPath":"`+filepath.Join(abs, "ec-521.key")+`","certPath":"`+filepath.Join(abs, "ec-521.chain.pem")+`"}]}`)
	c, err := OpenConfigDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := c.NewSigner("")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := c.NewSigner("nope"); err == nil || err.(*Error).Code != CodeKeyNotFound {
		t.Fatalf("missing key: %v", err)
	}
	v, err := c.NewVerifier()
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	blobPath := filepath.Join(dir, "blob.bin")
	write("blob.bin", "file blob")
	sig, err := s.SignBlobFile(blobPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	sigPath := blobPath + ".jws.sig"
	write("blob.bin.jws.sig", string(sig))
	if _, err := v.VerifyBlobFile(sigPath, blobPath, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.AddCertificates(TrustStoreCA, "x", readPKI(t, "root.crt")); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("directory stores are read-only here: %v", err)
	}
}

func TestValidateTrustPolicy(t *testing.T) {
	if err := ValidateTrustPolicy(PolicyOCI, []byte(ociPolicy)); err != nil {
		t.Fatal(err)
	}
	err := ValidateTrustPolicy(PolicyBlob, []byte(`{"version":"1.0","trustPolicies":[]}`))
	var nerr *Error
	if !errors.As(err, &nerr) || nerr.Code != CodePolicyInvalid || nerr.Message != "blob trust policy document can not have zero trust policy statements" {
		t.Fatalf("err %#v", err)
	}
	if err := ValidateTrustPolicy(PolicyOCI, []byte("{")); err == nil || err.(*Error).Code != CodePolicyMalformed {
		t.Fatalf("malformed: %v", err)
	}
	if err := ValidateTrustPolicy(PolicyKind(9), []byte("{}")); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("kind: %v", err)
	}
}

func TestManyGoroutinesShareOneVerifier(t *testing.T) {
	v := testVerifier(t)
	s := testSigner(t, "rsa-2048.key", "rsa-2048.chain.pem")
	u := testSigner(t, "self-signed.key", "self-signed.crt")
	good, err := s.SignBlob([]byte("shared"), nil)
	if err != nil {
		t.Fatal(err)
	}
	bad, err := u.SignBlob([]byte("shared"), nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 6; i++ {
				sig, wantOK := good, true
				if (g+i)%2 == 1 {
					sig, wantOK = bad, false
				}
				_, err := v.VerifyBlob(sig, FormatJWS, []byte("shared"), nil)
				if (err == nil) != wantOK {
					errs <- err
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent verification: %v", err)
	}
}

func TestCloseTwiceAndBadArguments(t *testing.T) {
	c, err := NewConfig()
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	c.Close()
	if _, err := NewSigner([]byte("not a key"), readPKI(t, "rsa-2048.crt")); err == nil || err.(*Error).Code != CodeSigningKeyInvalid {
		t.Fatalf("bad key: %v", err)
	}
	if _, err := NewSigner(readPKI(t, "ec-256.key"), readPKI(t, "rsa-2048.crt")); err == nil || err.(*Error).Code != CodeKeyMismatch {
		t.Fatalf("mismatch: %v", err)
	}
	s := testSigner(t, "rsa-2048.key", "rsa-2048.chain.pem")
	if _, err := s.SignBlob([]byte("x"), &SignOptions{Format: Format(7)}); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("format: %v", err)
	}
	if _, err := s.SignBlob([]byte("x"), &SignOptions{Expiry: 1500 * time.Millisecond}); err == nil || err.(*Error).Code != CodeExpiryInvalid {
		t.Fatalf("expiry: %v", err)
	}
	if _, err := s.SignBlob([]byte("x"), &SignOptions{TimestampURL: "ftp://tsa.example", TimestampRoots: readPKI(t, "root.crt")}); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("timestamp URL: %v", err)
	}
	v := testVerifier(t)
	if _, err := v.VerifyBlob([]byte("x"), FormatJWS, []byte("x"), &VerifyOptions{MaxSignatures: 1000}); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("max signatures: %v", err)
	}
}
