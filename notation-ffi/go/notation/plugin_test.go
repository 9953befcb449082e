package notation

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The plugin tests run the repository's Python test plugin
// (testdata/plugin/test-plugin.py; its docstring describes behavior.json).
// python3 and openssl are required: a missing one fails the tests.

const (
	goRawPlugin      = "com.example.go-raw"
	goVerifierPlugin = "com.example.verifier"
)

func requirePluginTools(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"python3", "openssl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the plugin tests need %s on PATH (they run a real plugin executable): %v", tool, err)
		}
	}
}

func pluginMetadata(name string, capabilities ...string) map[string]any {
	return map[string]any{
		"name":                      name,
		"description":               "notation-rs Go test plugin",
		"version":                   "1.0.0",
		"url":                       "https://example.com/test-plugin",
		"supportedContractVersions": []string{"1.0"},
		"capabilities":              capabilities,
	}
}

// testPlugin is an installed copy of the test plugin.
type testPlugin struct {
	t   *testing.T
	dir string
}

// installPlugin installs the test plugin as {root}/{name}/notation-{name}.
func installPlugin(t *testing.T, root, name string, behavior map[string]any) *testPlugin {
	t.Helper()
	requirePluginTools(t)
	script, err := os.ReadFile(filepath.Join(repoRoot, "testdata", "plugin", "test-plugin.py"))
	if err != nil {
		t.Fatalf("the test plugin is required: %v", err)
	}
	dir := filepath.Join(root, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notation-"+name), script, 0o755); err != nil {
		t.Fatal(err)
	}
	p := &testPlugin{t: t, dir: dir}
	p.setBehavior(behavior)
	return p
}

func (p *testPlugin) setBehavior(behavior map[string]any) {
	data, err := json.Marshal(behavior)
	if err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p.dir, "behavior.json"), data, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// calls are the requests the plugin received: {"command", "request"}.
func (p *testPlugin) calls() []map[string]any {
	data, err := os.ReadFile(filepath.Join(p.dir, "calls.jsonl"))
	if err != nil {
		return nil
	}
	var calls []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var call map[string]any
		if err := json.Unmarshal([]byte(line), &call); err != nil {
			p.t.Fatal(err)
		}
		calls = append(calls, call)
	}
	return calls
}

func (p *testPlugin) clearCalls() {
	os.Remove(filepath.Join(p.dir, "calls.jsonl"))
}

// checkPluginConfig fails unless every call got want as pluginConfig.
func (p *testPlugin) checkPluginConfig(want map[string]any) {
	p.t.Helper()
	calls := p.calls()
	if len(calls) == 0 {
		p.t.Fatal("the plugin was not called")
	}
	for _, call := range calls {
		got := call["request"].(map[string]any)["pluginConfig"]
		if !reflect.DeepEqual(got, want) {
			p.t.Fatalf("%v got pluginConfig %v, want %v", call["command"], got, want)
		}
	}
}

func rawBehavior(t *testing.T, name string) map[string]any {
	abs, err := filepath.Abs(pkiDir)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]any{
		"get-plugin-metadata": map[string]any{"response": pluginMetadata(name, "SIGNATURE_GENERATOR.RAW")},
		"describe-key":        map[string]any{"response": map[string]any{"keyId": "go-key", "keySpec": "RSA-2048"}},
		"generate-signature": map[string]any{"sign": map[string]any{
			"key":   filepath.Join(abs, "rsa-2048.key"),
			"chain": filepath.Join(abs, "rsa-2048.chain.pem"),
		}},
	}
}

// TestPluginSigningAndVerification signs a blob and an OCI-layout artifact
// with a RAW plugin key, verifies both, and checks the plugin errors.
func TestPluginSigningAndVerification(t *testing.T) {
	plugins := filepath.Join(t.TempDir(), "plugins")
	raw := installPlugin(t, plugins, goRawPlugin, rawBehavior(t, goRawPlugin))
	c := memoryConfig(t)
	if _, ok := c.PluginDir(); ok {
		t.Fatal("an in-memory configuration has no plugin directory")
	}
	if _, err := c.NewPluginSigner(goRawPlugin, "go-key"); !errors.Is(err, ErrPluginKeyUnsupported) {
		t.Fatalf("plugins disabled: %v", err)
	}
	if err := c.SetPluginDir(plugins); err != nil {
		t.Fatal(err)
	}
	if dir, ok := c.PluginDir(); !ok || dir != plugins {
		t.Fatalf("plugin dir %q %v", dir, ok)
	}
	v, err := c.NewVerifier()
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	s, err := c.NewPluginSigner(goRawPlugin, "go-key")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	blob := []byte("signed by a plugin, from Go")
	for _, format := range []Format{FormatJWS, FormatCOSE} {
		raw.clearCalls()
		sig, err := s.SignBlob(blob, &SignOptions{Format: format, PluginConfig: map[string]string{"region": "go-land"}})
		if err != nil {
			t.Fatal(err)
		}
		raw.checkPluginConfig(map[string]any{"region": "go-land"})
		r, err := v.VerifyBlob(sig, format, blob, nil)
		if err != nil || !r.Passed || len(r.Checks) != 5 {
			t.Fatalf("verify: %v %+v", err, r)
		}
	}

	target, err := NewLayoutTarget(copyLayout(t), "v1", "local/go")
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	digest, err := s.SignArtifact(target, &SignOptions{PluginConfig: map[string]string{"artifact": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := v.VerifyArtifact(target, nil)
	if err != nil || r.SignatureDigest != digest {
		t.Fatalf("verify artifact: %v %+v", err, r)
	}

	// The plugin's own error message; a missing plugin; bad arguments.
	behavior := rawBehavior(t, goRawPlugin)
	behavior["generate-signature"] = map[string]any{
		"stderr": map[string]any{"errorCode": "ACCESS_DENIED", "errorMessage": "no signing on Sundays"},
		"exit":   1,
	}
	raw.setBehavior(behavior)
	var nerr *Error
	if _, err := s.SignBlob(blob, nil); !errors.Is(err, ErrPluginFailed) || !errors.As(err, &nerr) || nerr.Message != "no signing on Sundays" {
		t.Fatalf("plugin error: %#v", err)
	}
	if _, err := c.NewPluginSigner("com.example.absent", "k"); !errors.Is(err, ErrPluginNotFound) {
		t.Fatalf("absent plugin: %v", err)
	}
	if _, err := c.NewPluginSigner("../escape", "k"); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("path-like name: %v", err)
	}
	if _, err := s.SignBlob(blob, &SignOptions{PluginConfig: map[string]string{"": "x"}}); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("empty plugin config key: %v", err)
	}
	if err := c.SetPluginDir(""); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("empty plugin dir: %v", err)
	}
	if err := c.DisablePlugins(); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.PluginDir(); ok {
		t.Fatal("plugins disabled")
	}
}

// TestVerificationPlugin verifies a signature that requires a verification
// plugin. notation-ffi/tests/go.rs makes the signature (the library has no
// API to require a plugin when signing) and passes the blob's path in
// NOTATION_TEST_PLUGIN_BLOB; its signature is <blob>.jws.sig and names
// com.example.verifier.
func TestVerificationPlugin(t *testing.T) {
	blobPath := os.Getenv("NOTATION_TEST_PLUGIN_BLOB")
	if blobPath == "" {
		t.Skip("NOTATION_TEST_PLUGIN_BLOB is set by notation-ffi/tests/go.rs (cargo test -p notation-ffi --test go)")
	}
	blob, err := os.ReadFile(blobPath)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := os.ReadFile(blobPath + ".jws.sig")
	if err != nil {
		t.Fatal(err)
	}
	const ti = "SIGNATURE_VERIFIER.TRUSTED_IDENTITY"
	behavior := func(result map[string]any) map[string]any {
		return map[string]any{
			"get-plugin-metadata": map[string]any{"response": pluginMetadata(goVerifierPlugin, ti)},
			"verify-signature": map[string]any{"response": map[string]any{
				"verificationResults": map[string]any{ti: result},
				"processedAttributes": []string{},
			}},
		}
	}
	plugins := filepath.Join(t.TempDir(), "plugins")
	p := installPlugin(t, plugins, goVerifierPlugin, behavior(map[string]any{"success": true}))
	c := memoryConfig(t)
	if err := c.SetPluginDir(plugins); err != nil {
		t.Fatal(err)
	}
	v, err := c.NewVerifier()
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	opts := &VerifyOptions{PolicyName: "audit", PluginConfig: map[string]string{"tenant": "go"}}
	strict := &VerifyOptions{PluginConfig: map[string]string{"tenant": "go"}}

	if _, err := v.VerifyBlob(sig, FormatJWS, blob, strict); err != nil {
		t.Fatal(err)
	}
	p.checkPluginConfig(map[string]any{"tenant": "go"})

	p.setBehavior(behavior(map[string]any{"success": false, "reason": "not a Go gopher"}))
	want := `trusted identify verification by plugin "com.example.verifier" failed with reason "not a Go gopher"`
	r, err := v.VerifyBlob(sig, FormatJWS, blob, strict)
	if !errors.Is(err, ErrVerificationFailed) || r == nil || r.Failure != want {
		t.Fatalf("plugin says no: %v %+v", err, r)
	}
	if r.Checks[1].Check != CheckAuthenticity || r.Checks[1].Passed || r.Checks[1].Failure != want {
		t.Fatalf("checks %+v", r.Checks)
	}
	// Under audit the plugin's failure is logged.
	r, err = v.VerifyBlob(sig, FormatJWS, blob, opts)
	if err != nil || r.Checks[1].Action != ActionLog || r.Checks[1].Failure != want {
		t.Fatalf("audit: %v %+v", err, r)
	}

	p.setBehavior(map[string]any{
		"get-plugin-metadata": map[string]any{"response": pluginMetadata(goVerifierPlugin, ti)},
		"verify-signature":    map[string]any{"exit": 7},
	})
	if _, err := v.VerifyBlob(sig, FormatJWS, blob, strict); !errors.Is(err, ErrVerificationPluginFailed) {
		t.Fatalf("crashing plugin: %v", err)
	}

	if err := c.DisablePlugins(); err != nil {
		t.Fatal(err)
	}
	off, err := c.NewVerifier()
	if err != nil {
		t.Fatal(err)
	}
	defer off.Close()
	if _, err := off.VerifyBlob(sig, FormatJWS, blob, strict); !errors.Is(err, ErrVerificationInconclusive) {
		t.Fatalf("plugins disabled: %v", err)
	}
}
