package notation

import (
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
)

// closeWhileInUse runs work on many goroutines, closes the handle once some
// calls have succeeded, and checks that every call either succeeded or
// returned ErrClosed, that calls after Close return ErrClosed, and that
// Close is idempotent. Run under the race detector (notation-ffi/tests/go.rs
// runs go test -race), a Close that does not wait for calls in progress is
// a reported data race, and a use after free a crash.
func closeWhileInUse(t *testing.T, what string, work func() error, closeIt func() error) {
	t.Helper()
	const goroutines = 8
	var succeeded, closedSeen atomic.Int64
	started := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				err := work()
				switch {
				case err == nil:
					if succeeded.Add(1) >= goroutines {
						once.Do(func() { close(started) })
					}
				case errors.Is(err, ErrClosed):
					closedSeen.Add(1)
					return
				default:
					errs <- err
					return
				}
			}
		}()
	}
	<-started
	var closers sync.WaitGroup
	for i := 0; i < 2; i++ {
		closers.Add(1)
		go func() {
			defer closers.Done()
			if err := closeIt(); err != nil {
				errs <- err
			}
		}()
	}
	closers.Wait()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("%s: a call failed with something else than ErrClosed: %v", what, err)
	}
	if closedSeen.Load() != goroutines {
		t.Fatalf("%s: %d of %d goroutines saw ErrClosed", what, closedSeen.Load(), goroutines)
	}
	if err := work(); err != ErrClosed || !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("%s: a call after Close: %v", what, err)
	}
	if err := closeIt(); err != nil {
		t.Fatalf("%s: Close again: %v", what, err)
	}
}

func TestCloseWhileOtherGoroutinesCall(t *testing.T) {
	blob := []byte("close race")
	signer := testSigner(t, "rsa-2048.key", "rsa-2048.chain.pem")
	sig, err := signer.SignBlob(blob, nil)
	if err != nil {
		t.Fatal(err)
	}

	config := memoryConfig(t)
	closeWhileInUse(t, "Config", func() error {
		if err := config.SetRevocationMode(RevocationOffline); err != nil {
			return err
		}
		v, err := config.NewVerifier()
		if err != nil {
			return err
		}
		return v.Close()
	}, config.Close)

	verifier := testVerifier(t)
	closeWhileInUse(t, "Verifier", func() error {
		_, err := verifier.VerifyBlob(sig, FormatJWS, blob, nil)
		return err
	}, verifier.Close)

	s := testSigner(t, "ec-256.key", "ec-256.chain.pem")
	closeWhileInUse(t, "Signer", func() error {
		_, err := s.SignBlob(blob, nil)
		return err
	}, s.Close)

	target, err := NewLayoutTarget(copyLayout(t), "v1", "local/go")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := signer.SignArtifact(target, nil); err != nil {
		t.Fatal(err)
	}
	v := testVerifier(t)
	closeWhileInUse(t, "Target", func() error {
		if _, _, err := target.ListSignatures(); err != nil {
			return err
		}
		_, err := v.VerifyArtifact(target, nil)
		return err
	}, target.Close)

	// A closed handle passed to another's method: ErrClosed too.
	if _, err := v.VerifyArtifact(target, nil); err != ErrClosed {
		t.Fatalf("verify with a closed target: %v", err)
	}
	if _, err := signer.SignArtifact(target, nil); err != ErrClosed {
		t.Fatalf("sign a closed target: %v", err)
	}
	if _, err := NewRegistryTarget(config, "registry.example/repo:v1"); err != ErrClosed {
		t.Fatalf("registry target from a closed configuration: %v", err)
	}
	if _, ok := config.PluginDir(); ok {
		t.Fatal("plugin directory of a closed configuration")
	}
}

// TestCopiedWrapperSharesItsHandle: a copy of a wrapper value (c2 := *c)
// shares the handle, so a Close through either is seen by both: ErrClosed,
// never a freed pointer passed to the library or freed twice.
func TestCopiedWrapperSharesItsHandle(t *testing.T) {
	c, err := NewConfig()
	if err != nil {
		t.Fatal(err)
	}
	c2 := *c
	if err := c2.SetRevocationMode(RevocationOffline); err != nil {
		t.Fatalf("the copy works while open: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c2.SetRevocationMode(RevocationOffline); !errors.Is(err, ErrClosed) {
		t.Fatalf("a copy after Close: got %v, want ErrClosed", err)
	}
	if err := c2.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestNilTargetIsAnError: a nil *Target argument is ErrNullParameter, not a
// nil-pointer panic.
func TestNilTargetIsAnError(t *testing.T) {
	v := testVerifier(t)
	if _, err := v.VerifyArtifact(nil, nil); !errors.Is(err, ErrNullParameter) {
		t.Fatalf("VerifyArtifact(nil): got %v", err)
	}
	s, err := NewSignerFromFiles(filepath.Join(pkiDir, "rsa-2048.key"), filepath.Join(pkiDir, "rsa-2048.chain.pem"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.SignArtifact(nil, nil); !errors.Is(err, ErrNullParameter) {
		t.Fatalf("SignArtifact(nil): got %v", err)
	}
	if _, err := s.SignArtifactRecursive(nil, nil); !errors.Is(err, ErrNullParameter) {
		t.Fatalf("SignArtifactRecursive(nil): got %v", err)
	}
}

// TestZeroValueWrappersAreClosed: a zero-value wrapper (never made by a
// constructor) behaves as a closed one: ErrClosed, and Close does nothing.
func TestZeroValueWrappersAreClosed(t *testing.T) {
	var c Config
	if err := c.SetRevocationMode(RevocationOffline); !errors.Is(err, ErrClosed) {
		t.Fatalf("zero Config: got %v, want ErrClosed", err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	v := testVerifier(t)
	if _, err := v.VerifyArtifact(&Target{}, nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("zero Target: got %v, want ErrClosed", err)
	}
}
