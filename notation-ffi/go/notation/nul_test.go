package notation

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A Go string may hold NUL bytes; a C string ends at the first one. Every
// string the package hands to the library goes through cStrings.add, which
// refuses them: otherwise "bad\x00path" would open "bad", and a required
// metadata value "ffi-test\x00-production" would be checked as "ffi-test".

// requireNULRefused fails unless err is the NUL refusal naming the argument.
func requireNULRefused(t *testing.T, what, argument string, err error) {
	t.Helper()
	var nerr *Error
	if !errors.As(err, &nerr) || !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("%s: a string with a NUL byte was not refused: %v", what, err)
	}
	if !strings.HasPrefix(nerr.Message, argument+" contains a NUL byte") {
		t.Fatalf("%s: message %q does not name %s", what, nerr.Message, argument)
	}
}

func TestRequiredMetadataWithNULIsRefusedNotTruncated(t *testing.T) {
	v := testVerifier(t)
	s := testSigner(t, "rsa-2048.key", "rsa-2048.chain.pem")
	blob := []byte("metadata blob")
	sig, err := s.SignBlob(blob, &SignOptions{UserMetadata: map[string]string{"env": "ffi-test"}})
	if err != nil {
		t.Fatal(err)
	}
	// The positive control: the signed value passes, a different one fails.
	if _, err := v.VerifyBlob(sig, FormatJWS, blob, &VerifyOptions{UserMetadata: map[string]string{"env": "ffi-test"}}); err != nil {
		t.Fatalf("signed metadata: %v", err)
	}
	if _, err := v.VerifyBlob(sig, FormatJWS, blob, &VerifyOptions{UserMetadata: map[string]string{"env": "ffi-test-production"}}); !errors.Is(err, ErrUserMetadataMismatch) {
		t.Fatalf("other metadata: %v", err)
	}
	r, err := v.VerifyBlob(sig, FormatJWS, blob, &VerifyOptions{UserMetadata: map[string]string{"env": "ffi-test\x00-production"}})
	if r != nil {
		t.Fatalf("a refused argument still produced a verdict: %+v", r)
	}
	requireNULRefused(t, "VerifyOptions.UserMetadata value", "UserMetadata value", err)
	_, err = v.VerifyBlob(sig, FormatJWS, blob, &VerifyOptions{UserMetadata: map[string]string{"env\x00x": "ffi-test"}})
	requireNULRefused(t, "VerifyOptions.UserMetadata key", "UserMetadata key", err)
}

func TestLayoutPathWithNULIsRefusedNotTruncated(t *testing.T) {
	// "bad" is a valid layout: a path cut at the NUL would open it.
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad")
	if err := os.Rename(copyLayout(t), bad); err != nil {
		t.Fatal(err)
	}
	target, err := NewLayoutTarget(bad, "v1", "local/go")
	if err != nil {
		t.Fatalf("positive control: %v", err)
	}
	target.Close()
	_, err = NewLayoutTarget(bad+"\x00path", "v1", "local/go")
	requireNULRefused(t, "NewLayoutTarget path", "path", err)
	_, err = NewLayoutTarget(bad, "v1\x00x", "local/go")
	requireNULRefused(t, "NewLayoutTarget reference", "reference", err)
	_, err = NewLayoutTarget(bad, "v1", "local/go\x00x")
	requireNULRefused(t, "NewLayoutTarget scope", "scope", err)
	_, err = NewRegistryTarget(nil, "registry.example/repo:v1\x00x")
	requireNULRefused(t, "NewRegistryTarget reference", "reference", err)
}

func TestEveryStringArgumentRefusesNUL(t *testing.T) {
	c := memoryConfig(t)
	v := testVerifier(t)
	s := testSigner(t, "rsa-2048.key", "rsa-2048.chain.pem")
	root := readPKI(t, "root.crt")
	blob := []byte("blob")
	sig, err := s.SignBlob(blob, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	blobPath := filepath.Join(dir, "blob")
	if err := os.WriteFile(blobPath, blob, 0o644); err != nil {
		t.Fatal(err)
	}
	sigPath := blobPath + ".jws.sig"
	if err := os.WriteFile(sigPath, sig, 0o644); err != nil {
		t.Fatal(err)
	}
	// Positive controls for the file entry points, so that the refusals
	// below are about the NUL and nothing else.
	if _, err := v.VerifyBlobFile(sigPath, blobPath, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignBlobFile(blobPath, nil); err != nil {
		t.Fatal(err)
	}
	nul := func(s string) string { return s + "\x00tail" }
	cases := []struct {
		what, argument string
		call           func() error
	}{
		{"OpenConfigDir", "path", func() error { _, err := OpenConfigDir(nul(dir)); return err }},
		{"Config.AddCertificates", "storeName", func() error { return c.AddCertificates(TrustStoreCA, nul("x"), root) }},
		{"Config.NewSigner", "keyName", func() error { _, err := c.NewSigner(nul("key")); return err }},
		{"Config.SetPluginDir", "dir", func() error { return c.SetPluginDir(nul(dir)) }},
		{"Config.NewPluginSigner plugin", "pluginName", func() error { _, err := c.NewPluginSigner(nul("p"), "k"); return err }},
		{"Config.NewPluginSigner key", "keyID", func() error { _, err := c.NewPluginSigner("p", nul("k")); return err }},
		{"Config.AddInsecureRegistry", "registry", func() error { return c.AddInsecureRegistry(nul("localhost:5000")) }},
		{"Config.SetRegistryCredentials registry", "registry", func() error {
			return c.SetRegistryCredentials(nul("registry.example"), "user", "secret")
		}},
		{"Config.SetRegistryCredentials username", "username", func() error {
			return c.SetRegistryCredentials("registry.example", nul("user"), "secret")
		}},
		{"Config.SetRegistryCredentials password", "password", func() error {
			return c.SetRegistryCredentials("registry.example", "user", nul("secret"))
		}},
		{"NewSignerFromFiles key", "keyPath", func() error {
			_, err := NewSignerFromFiles(nul(filepath.Join(pkiDir, "rsa-2048.key")), filepath.Join(pkiDir, "rsa-2048.chain.pem"))
			return err
		}},
		{"NewSignerFromFiles certificate", "certificatePath", func() error {
			_, err := NewSignerFromFiles(filepath.Join(pkiDir, "rsa-2048.key"), nul(filepath.Join(pkiDir, "rsa-2048.chain.pem")))
			return err
		}},
		{"Signer.SignBlobFile", "path", func() error { _, err := s.SignBlobFile(nul(blobPath), nil); return err }},
		{"SignOptions.MediaType", "MediaType", func() error {
			_, err := s.SignBlob(blob, &SignOptions{MediaType: nul("text/plain")})
			return err
		}},
		{"SignOptions.UserMetadata key", "UserMetadata key", func() error {
			_, err := s.SignBlob(blob, &SignOptions{UserMetadata: map[string]string{nul("k"): "v"}})
			return err
		}},
		{"SignOptions.UserMetadata value", "UserMetadata value", func() error {
			_, err := s.SignBlob(blob, &SignOptions{UserMetadata: map[string]string{"k": nul("v")}})
			return err
		}},
		{"SignOptions.TimestampURL", "TimestampURL", func() error {
			_, err := s.SignBlob(blob, &SignOptions{TimestampURL: nul("http://tsa.example"), TimestampRoots: root})
			return err
		}},
		{"SignOptions.PluginConfig key", "PluginConfig key", func() error {
			_, err := s.SignBlob(blob, &SignOptions{PluginConfig: map[string]string{nul("k"): "v"}})
			return err
		}},
		{"SignOptions.PluginConfig value", "PluginConfig value", func() error {
			_, err := s.SignBlob(blob, &SignOptions{PluginConfig: map[string]string{"k": nul("v")}})
			return err
		}},
		{"Verifier.VerifyBlobFile signature", "signaturePath", func() error {
			_, err := v.VerifyBlobFile(nul(sigPath), blobPath, nil)
			return err
		}},
		{"Verifier.VerifyBlobFile blob", "blobPath", func() error {
			_, err := v.VerifyBlobFile(sigPath, nul(blobPath), nil)
			return err
		}},
		{"VerifyOptions.PolicyName", "PolicyName", func() error {
			_, err := v.VerifyBlob(sig, FormatJWS, blob, &VerifyOptions{PolicyName: nul("go-blobs")})
			return err
		}},
		{"VerifyOptions.MediaType", "MediaType", func() error {
			_, err := v.VerifyBlob(sig, FormatJWS, blob, &VerifyOptions{MediaType: nul("application/octet-stream")})
			return err
		}},
		{"VerifyOptions.PluginConfig key", "PluginConfig key", func() error {
			_, err := v.VerifyBlob(sig, FormatJWS, blob, &VerifyOptions{PluginConfig: map[string]string{nul("k"): "v"}})
			return err
		}},
		{"VerifyOptions.PluginConfig value", "PluginConfig value", func() error {
			_, err := v.VerifyBlob(sig, FormatJWS, blob, &VerifyOptions{PluginConfig: map[string]string{"k": nul("v")}})
			return err
		}},
	}
	for _, tc := range cases {
		requireNULRefused(t, tc.what, tc.argument, tc.call())
	}
	// The configuration is unchanged by the refused calls.
	if _, ok := c.PluginDir(); ok {
		t.Fatal("a refused SetPluginDir enabled plugins")
	}
}

// TestCStringOnlyThroughTheNULCheck fails when C.CString is called anywhere
// but in cStrings.add, the one place that refuses NUL bytes.
func TestCStringOnlyThroughTheNULCheck(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	found := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range file.Decls {
			fn, isFunc := decl.(*ast.FuncDecl)
			inHelper := isFunc && fn.Name.Name == "add" && fn.Recv != nil &&
				len(fn.Recv.List) == 1 && receiverName(fn.Recv.List[0].Type) == "cStrings"
			ast.Inspect(decl, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "C" && sel.Sel.Name == "CString" {
					found++
					if !inHelper {
						t.Errorf("%s: C.CString outside cStrings.add (use it: it refuses NUL bytes)", fset.Position(sel.Pos()))
					}
				}
				return true
			})
		}
	}
	if found != 1 {
		t.Fatalf("expected exactly one C.CString (in cStrings.add), found %d", found)
	}
}

func receiverName(expr ast.Expr) string {
	if star, ok := expr.(*ast.StarExpr); ok {
		expr = star.X
	}
	if id, ok := expr.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}
