// Command example signs and verifies a blob and an artifact in an OCI image
// layout with the notation Go package (libnotation), printing every check.
//
//	make -C ../../notation-ffi install PREFIX=$HOME/.local
//	export PKG_CONFIG_PATH=$HOME/.local/lib/pkgconfig LD_LIBRARY_PATH=$HOME/.local/lib
//	go run . -pki ../../testdata/pki -layout <writable OCI layout with tag v1>
//
// The layout can be a copy of the conformance layout
// shared/conformance/09-e2e-oci-layouts/layouts/e2e.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/notation-rs/notation-rs/notation-ffi/go/notation"
)

const ociPolicy = `{"version":"1.0","trustPolicies":[{
  "name":"example-images","registryScopes":["local/example"],
  "signatureVerification":{"level":"strict"},
  "trustStores":["ca:example"],"trustedIdentities":["*"]}]}`

const blobPolicy = `{"version":"1.0","trustPolicies":[{
  "name":"example-blobs","signatureVerification":{"level":"strict"},
  "trustStores":["ca:example"],
  "trustedIdentities":["x509.subject: C=US, ST=WA, L=Seattle, O=Notary, CN=Notation Test Leaf rsa-2048"],
  "globalPolicy":true}]}`

func printResult(what string, r *notation.VerificationResult, err error) {
	if r == nil {
		fmt.Printf("%s: %v\n", what, err)
		return
	}
	if err != nil {
		fmt.Printf("%s: FAILED: %v\n", what, err)
	} else {
		fmt.Printf("%s: verified (policy %s)\n", what, r.PolicyName)
	}
	for _, c := range r.Checks {
		status := "passed"
		if !c.Passed {
			status = "FAILED: " + c.Failure
		}
		fmt.Printf("  %-19s %-7s %s\n", c.Check, c.Action, status)
	}
	if r.Payload != nil {
		fmt.Printf("  signed content: %s (%d bytes, %s)\n", r.Payload.Digest, r.Payload.Size, r.Payload.MediaType)
	}
	if r.SignatureDigest != "" {
		fmt.Printf("  signature: %s\n", r.SignatureDigest)
	}
	// The signer, from the verified chain only (nil unless authenticity
	// passed): never take identity from an unverified envelope.
	if signer := r.Signer(); signer != nil {
		// %q: a subject is the signer's text, control characters and all.
		fmt.Printf("  signed by: %q (sha256 %s)\n", signer.Subject, signer.SHA256)
	}
}

func run(pki, layout string) error {
	fmt.Println("libnotation", notation.Version())
	config, err := notation.NewConfig()
	if err != nil {
		return err
	}
	defer config.Close()
	if err := config.SetOCIPolicy([]byte(ociPolicy)); err != nil {
		return err
	}
	if err := config.SetBlobPolicy([]byte(blobPolicy)); err != nil {
		return err
	}
	root, err := os.ReadFile(filepath.Join(pki, "root.crt"))
	if err != nil {
		return err
	}
	if err := config.AddCertificates(notation.TrustStoreCA, "example", root); err != nil {
		return err
	}
	verifier, err := config.NewVerifier()
	if err != nil {
		return err
	}
	defer verifier.Close()
	signer, err := notation.NewSignerFromFiles(filepath.Join(pki, "rsa-2048.key"), filepath.Join(pki, "rsa-2048.chain.pem"))
	if err != nil {
		return err
	}
	defer signer.Close()

	blob := []byte("hello from Go\n")
	sig, err := signer.SignBlob(blob, &notation.SignOptions{Format: notation.FormatCOSE, UserMetadata: map[string]string{"buildId": "7"}})
	if err != nil {
		return err
	}
	fmt.Printf("signed the blob: %d-byte COSE envelope\n", len(sig))
	r, err := verifier.VerifyBlob(sig, notation.FormatCOSE, blob, &notation.VerifyOptions{UserMetadata: map[string]string{"buildId": "7"}})
	printResult("verify blob", r, err)
	if err != nil {
		return err
	}
	r, err = verifier.VerifyBlob(sig, notation.FormatCOSE, []byte("tampered\n"), nil)
	printResult("verify tampered blob", r, err)
	if !errors.Is(err, notation.ErrArtifactMismatch) {
		return fmt.Errorf("a tampered blob verified: %v", err)
	}

	target, err := notation.NewLayoutTarget(layout, "v1", "local/example")
	if err != nil {
		return err
	}
	defer target.Close()
	digest, err := signer.SignArtifact(target, nil)
	if err != nil {
		return err
	}
	fmt.Printf("signed %s:v1, signature manifest %s\n", layout, digest)
	artifact, sigs, err := target.InspectSignatures(0)
	if err != nil {
		return err
	}
	fmt.Printf("artifact %s has %d signature(s)\n", artifact, len(sigs))
	for _, s := range sigs {
		if s.Error != "" || len(s.Certificates) == 0 {
			fmt.Printf("  %s could not be read: %s\n", s.Digest, s.Error)
			continue
		}
		fmt.Printf("  %s %s signed %s by %q\n", s.Digest, s.Algorithm, s.SigningTime.Format("2006-01-02T15:04:05Z"), s.Certificates[0].Subject)
	}
	r, err = verifier.VerifyArtifact(target, nil)
	printResult("verify artifact", r, err)
	return err
}

func main() {
	pki := flag.String("pki", filepath.Join("..", "..", "testdata", "pki"), "directory of rsa-2048.key, rsa-2048.chain.pem and root.crt")
	layout := flag.String("layout", "", "writable OCI image layout with a manifest tagged v1")
	flag.Parse()
	if *layout == "" {
		fmt.Fprintln(os.Stderr, "usage: example -pki <dir> -layout <oci-layout-dir>")
		os.Exit(2)
	}
	if err := run(*pki, *layout); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
