package notation

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
)

// pkiChain reads the certificates of a PKI chain file, leaf first.
func pkiChain(t *testing.T, name string) []*x509.Certificate {
	t.Helper()
	rest := readPKI(t, name)
	var chain []*x509.Certificate
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		chain = append(chain, c)
	}
	return chain
}

// requireChain checks a verified chain against Go's own reading of the
// PKI file it came from.
func requireChain(t *testing.T, r *VerificationResult, file string) {
	t.Helper()
	want := pkiChain(t, file)
	if len(r.SignerChain) != len(want) || r.Signer() != &r.SignerChain[0] {
		t.Fatalf("chain of %d, want %d", len(r.SignerChain), len(want))
	}
	for i, c := range r.SignerChain {
		sum := sha256.Sum256(want[i].Raw)
		if string(c.DER) != string(want[i].Raw) || c.SHA256 != hex.EncodeToString(sum[:]) ||
			!c.NotBefore.Equal(want[i].NotBefore) || !c.NotAfter.Equal(want[i].NotAfter) {
			t.Fatalf("certificate %d: %+v", i, c)
		}
		if !strings.HasPrefix(c.Subject, "CN="+want[i].Subject.CommonName+",") ||
			!strings.HasPrefix(c.Issuer, "CN="+want[i].Issuer.CommonName+",") {
			t.Fatalf("certificate %d: subject %q issuer %q", i, c.Subject, c.Issuer)
		}
	}
}

func TestSignerChainOnlyWhenAuthenticityPassed(t *testing.T) {
	v := testVerifier(t)
	s := testSigner(t, "rsa-2048.key", "rsa-2048.chain.pem")
	blob := []byte("who signed this")
	sig, err := s.SignBlob(blob, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := v.VerifyBlob(sig, FormatJWS, blob, nil)
	if err != nil {
		t.Fatal(err)
	}
	requireChain(t, r, "rsa-2048.chain.pem")
	if r.Signer().Subject != "CN=Notation Test Leaf rsa-2048,O=Notary,L=Seattle,ST=WA,C=US" {
		t.Fatalf("signer %q", r.Signer().Subject)
	}
	// Another blob: the signature verified, the signer is known.
	r, err = v.VerifyBlob(sig, FormatJWS, []byte("other"), nil)
	if !errors.Is(err, ErrArtifactMismatch) {
		t.Fatal(err)
	}
	requireChain(t, r, "rsa-2048.chain.pem")

	// An untrusted signer: no chain, also when audit lets it pass.
	u := testSigner(t, "self-signed.key", "self-signed.crt")
	bad, err := u.SignBlob(blob, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r, _ = v.VerifyBlob(bad, FormatJWS, blob, nil); r.SignerChain != nil || r.Signer() != nil {
		t.Fatalf("untrusted: %+v", r.SignerChain)
	}
	r, err = v.VerifyBlob(bad, FormatJWS, blob, &VerifyOptions{PolicyName: "audit"})
	if err != nil || !r.Passed || r.SignerChain != nil {
		t.Fatalf("audit: %v %+v", err, r)
	}

	// An artifact.
	target, err := NewLayoutTarget(copyLayout(t), "v1", "local/go")
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	ec := testSigner(t, "ec-256.key", "ec-256.chain.pem")
	if _, err := ec.SignArtifact(target, nil); err != nil {
		t.Fatal(err)
	}
	if r, err = v.VerifyArtifact(target, nil); err != nil {
		t.Fatal(err)
	}
	requireChain(t, r, "ec-256.chain.pem")
}

func TestPrefilteredSignatureIsAnAuthenticityFailure(t *testing.T) {
	v := testVerifier(t)
	target, err := NewLayoutTarget(copyLayout(t), "v1", "local/go")
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	u := testSigner(t, "self-signed.key", "self-signed.crt")
	digest, err := u.SignArtifact(target, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := v.VerifyArtifact(target, nil)
	if !errors.Is(err, ErrVerificationFailed) {
		t.Fatal(err)
	}
	reason := `the thumbprints of its certificate chain match no certificate trusted by trust policy "go-tests"; it was not fetched`
	if len(r.Checks) != 1 || r.Checks[0].Check != CheckAuthenticity || r.Checks[0].Action != ActionEnforce ||
		r.Checks[0].Passed || r.Checks[0].Failure != reason {
		t.Fatalf("checks %+v", r.Checks)
	}
	if r.SignatureDigest != digest || r.SignerChain != nil || strings.Contains(r.Failure, "\n") ||
		!strings.HasSuffix(r.Failure, ": "+digest+": "+reason) {
		t.Fatalf("result %+v", r)
	}
}
