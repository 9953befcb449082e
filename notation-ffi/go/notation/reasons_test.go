package notation

import (
	"errors"
	"strings"
	"testing"
)

// Issue 12 items 1 and 4: a trust store the policy names that does not
// exist reads as a configuration error (ErrTrustStoreInvalid, "does not
// exist"), on the OCI path as on the blob path, and a manifest that does
// not exist is ErrNotFound naming what was not found.
func TestWrongReasonsReadAsWhatTheyAre(t *testing.T) {
	c, err := NewConfig()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	oci := `{"version":"1.0","trustPolicies":[{"name":"e2e","registryScopes":["local/e2e"],
		"signatureVerification":{"level":"strict"},"trustStores":["ca:missing"],"trustedIdentities":["*"]}]}`
	blob := `{"version":"1.0","trustPolicies":[{"name":"blob","globalPolicy":true,
		"signatureVerification":{"level":"strict"},"trustStores":["ca:missing"],"trustedIdentities":["*"]}]}`
	if err := c.SetOCIPolicy([]byte(oci)); err != nil {
		t.Fatal(err)
	}
	if err := c.SetBlobPolicy([]byte(blob)); err != nil {
		t.Fatal(err)
	}
	v, err := c.NewVerifier()
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	s := testSigner(t, "rsa-2048.key", "rsa-2048.chain.pem")
	target, err := NewLayoutTarget(copyLayout(t), "v1", "local/e2e")
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	if _, err := s.SignArtifact(target, nil); err != nil {
		t.Fatal(err)
	}
	const reason = `the trust store "missing" of type "ca" does not exist`
	_, err = v.VerifyArtifact(target, nil)
	if !errors.Is(err, ErrTrustStoreInvalid) || !strings.Contains(err.Error(), reason) ||
		strings.Contains(err.Error(), "match no certificate") {
		t.Fatalf("OCI: %v", err)
	}
	sig, err := s.SignBlob([]byte("blob"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.VerifyBlob(sig, FormatJWS, []byte("blob"), nil); err == nil || !strings.Contains(err.Error(), reason) {
		t.Fatalf("blob: %v", err)
	}

	const missing = "sha256:0000000000000000000000000000000000000000000000000000000000000000"
	absent, err := NewLayoutTarget(copyLayout(t), missing, "local/go")
	if err != nil {
		t.Fatal(err)
	}
	defer absent.Close()
	_, err = testVerifier(t).VerifyArtifact(absent, nil)
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), missing) || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("not found: %v", err)
	}
}
