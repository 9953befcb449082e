package notation

import (
	"errors"
	"os"
	"testing"
)

// TestPKCS11Signer signs with a key in a SoftHSM token that
// notation-ffi/tests/go.rs prepares (its URI, chain and PIN come in the
// environment) and verifies the signatures.
func TestPKCS11Signer(t *testing.T) {
	uri, chain, pin := os.Getenv("NOTATION_TEST_PKCS11_URI"), os.Getenv("NOTATION_TEST_PKCS11_CHAIN"), os.Getenv("NOTATION_TEST_PKCS11_PIN")
	if uri == "" || chain == "" || pin == "" {
		t.Fatal("NOTATION_TEST_PKCS11_URI, _CHAIN and _PIN must be set (notation-ffi/tests/go.rs sets them)")
	}
	if _, err := NewPKCS11Signer(uri, chain, []byte("0000")); !errors.Is(err, ErrPKCS11PINInvalid) {
		t.Fatalf("wrong PIN: %v", err)
	}
	if _, err := NewPKCS11Signer("pkcs11:token=%zz", "", nil); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("bad URI: %v", err)
	}
	// An explicit empty PIN is that PIN, not "take it from the
	// environment", where the right one is waiting.
	t.Setenv("NOTATION_PKCS11_PIN", pin)
	if _, err := NewPKCS11Signer(uri, chain, []byte{}); err == nil {
		t.Fatal("an empty PIN logged in")
	}
	fromEnv, err := NewPKCS11Signer(uri, chain, nil)
	if err != nil {
		t.Fatalf("PIN from the environment: %v", err)
	}
	fromEnv.Close()
	s, err := NewPKCS11Signer(uri, chain, []byte(pin))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	v := testVerifier(t)
	blob := []byte("signed in a token, from Go")
	for _, format := range []Format{FormatJWS, FormatCOSE} {
		sig, err := s.SignBlob(blob, &SignOptions{Format: format})
		if err != nil {
			t.Fatal(err)
		}
		r, err := v.VerifyBlob(sig, format, blob, nil)
		if err != nil || !r.Passed {
			t.Fatalf("format %d: %v %+v", format, err, r)
		}
	}
}
