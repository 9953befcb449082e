package notation

// #include <stdlib.h>
// #include "notation.h"
import "C"

import (
	"runtime"
	"time"
)

// Config holds trust policies and trust stores: from a notation
// configuration directory (OpenConfigDir) or built in memory (NewConfig).
//
// Its methods may be called from many goroutines at once, Close included:
// Close waits for the calls in progress, and calls after it return
// ErrClosed.
type Config struct {
	h *handle[C.notation_config]
}

func newConfig(ptr *C.notation_config) *Config {
	c := &Config{h: newHandle(ptr, func(p **C.notation_config) { C.notation_config_free(p) })}
	return c
}

// NewConfig creates an empty in-memory configuration.
func NewConfig() (*Config, error) {
	var ptr *C.notation_config
	if err := call(func() C.notation_result { return C.notation_config_new(&ptr) }); err != nil {
		return nil, err
	}
	return newConfig(ptr), nil
}

// OpenConfigDir opens a notation configuration directory (NOTATION_CONFIG
// layout): trust policies, truststore/x509, signingkeys.json.
func OpenConfigDir(path string) (*Config, error) {
	var cs cStrings
	defer cs.free()
	cpath, err := cs.add("path", path)
	if err != nil {
		return nil, err
	}
	var ptr *C.notation_config
	if err := call(func() C.notation_result { return C.notation_config_open_dir(cpath, &ptr) }); err != nil {
		return nil, err
	}
	return newConfig(ptr), nil
}

// OpenDefaultConfig opens NOTATION_CONFIG, else the platform's notation
// configuration directory.
func OpenDefaultConfig() (*Config, error) {
	var ptr *C.notation_config
	if err := call(func() C.notation_result { return C.notation_config_open_default(&ptr) }); err != nil {
		return nil, err
	}
	return newConfig(ptr), nil
}

// SetOCIPolicy sets the OCI trust policy document (trustpolicy.oci.json).
func (c *Config) SetOCIPolicy(document []byte) error {
	p, n := bytesPtr(document)
	err := c.h.call(func(cp *C.notation_config) C.notation_result { return C.notation_config_set_oci_policy(cp, p, n) })
	runtime.KeepAlive(document)
	return err
}

// SetBlobPolicy sets the blob trust policy document (trustpolicy.blob.json).
func (c *Config) SetBlobPolicy(document []byte) error {
	p, n := bytesPtr(document)
	err := c.h.call(func(cp *C.notation_config) C.notation_result { return C.notation_config_set_blob_policy(cp, p, n) })
	runtime.KeepAlive(document)
	return err
}

// AddCertificates adds PEM or DER certificates to a named trust store of an
// in-memory configuration.
func (c *Config) AddCertificates(storeType TrustStoreType, storeName string, certificates []byte) error {
	var cs cStrings
	defer cs.free()
	name, err := cs.add("storeName", storeName)
	if err != nil {
		return err
	}
	p, n := bytesPtr(certificates)
	err = c.h.call(func(cp *C.notation_config) C.notation_result {
		return C.notation_config_add_certificates(cp, C.uint32_t(storeType), name, p, n)
	})
	runtime.KeepAlive(certificates)
	return err
}

// NewVerifier parses the configuration's policies and reads its trust
// stores once, for any number of verifications.
func (c *Config) NewVerifier() (*Verifier, error) {
	var ptr *C.notation_verifier
	err := c.h.call(func(cp *C.notation_config) C.notation_result { return C.notation_verifier_new(cp, &ptr) })
	if err != nil {
		return nil, err
	}
	return newVerifier(ptr), nil
}

// NewSigner loads a key of the configuration directory's signingkeys.json:
// the key named keyName, or the default key when keyName is "". A plugin
// key's plugin is found in the configuration's plugin directory; its
// pluginConfig is sent to the plugin, SignOptions.PluginConfig entries
// replacing those of the same name.
func (c *Config) NewSigner(keyName string) (*Signer, error) {
	var cs cStrings
	defer cs.free()
	var name *C.char
	if keyName != "" {
		var err error
		if name, err = cs.add("keyName", keyName); err != nil {
			return nil, err
		}
	}
	var ptr *C.notation_signer
	err := c.h.call(func(cp *C.notation_config) C.notation_result {
		return C.notation_signer_new_from_config(cp, name, &ptr)
	})
	if err != nil {
		return nil, err
	}
	return newSigner(ptr), nil
}

// SetRevocationMode sets how verifiers made from this configuration check
// revocation.
func (c *Config) SetRevocationMode(mode RevocationMode) error {
	err := c.h.call(func(cp *C.notation_config) C.notation_result {
		return C.notation_config_set_revocation_mode(cp, C.uint32_t(mode))
	})
	return err
}

// SetPluginDir sets the plugin directory ({dir}/{name}/notation-{name}):
// verifiers made from the configuration afterwards find the verification
// plugins that signatures require there, and plugin signers their plugin.
// A configuration opened from a directory starts with
// {NOTATION_LIBEXEC or that directory}/plugins, an in-memory one with none.
// Plugins are executables run with the process's environment: use a
// directory only trusted users can write to.
func (c *Config) SetPluginDir(dir string) error {
	var cs cStrings
	defer cs.free()
	d, err := cs.add("dir", dir)
	if err != nil {
		return err
	}
	err = c.h.call(func(cp *C.notation_config) C.notation_result { return C.notation_config_set_plugin_dir(cp, d) })
	return err
}

// DisablePlugins removes the plugin directory: signatures that require a
// verification plugin are inconclusive and plugin keys fail with
// ErrPluginKeyUnsupported.
func (c *Config) DisablePlugins() error {
	err := c.h.call(func(cp *C.notation_config) C.notation_result { return C.notation_config_set_plugin_dir(cp, nil) })
	return err
}

// PluginDir is the plugin directory; ok is false when plugins are
// disabled.
func (c *Config) PluginDir() (dir string, ok bool) {
	err := c.h.use(func(cp *C.notation_config) error {
		var err error
		dir, err = readString(func(b *C.char, n C.size_t, needed *C.size_t) C.notation_result {
			return C.notation_config_plugin_dir(cp, b, n, needed)
		})
		return err
	})
	return dir, err == nil
}

// SetPluginTimeout limits the time each plugin command of verifiers and
// signers made from the configuration afterwards may take (milliseconds
// are the unit; the default is 10 minutes; 0: no limit).
func (c *Config) SetPluginTimeout(timeout time.Duration) error {
	ms := timeout.Milliseconds()
	if timeout < 0 || ms > int64(^uint32(0)) {
		return &Error{Code: CodeInvalidArgument, Message: "plugin timeout out of range"}
	}
	if timeout > 0 && ms == 0 {
		ms = 1
	}
	err := c.h.call(func(cp *C.notation_config) C.notation_result {
		return C.notation_config_set_plugin_timeout(cp, C.uint32_t(ms))
	})
	return err
}

// NewPluginSigner makes a signer for the key keyID of the plugin
// pluginName, installed in the configuration's plugin directory. The
// plugin runs when signing: RAW plugins sign blobs and artifacts,
// ENVELOPE plugins artifacts, ENVELOPE_FOR_BLOB plugins blobs.
// SignOptions.PluginConfig is sent to it.
func (c *Config) NewPluginSigner(pluginName, keyID string) (*Signer, error) {
	var cs cStrings
	defer cs.free()
	p, err := cs.add("pluginName", pluginName)
	if err != nil {
		return nil, err
	}
	k, err := cs.add("keyID", keyID)
	if err != nil {
		return nil, err
	}
	var ptr *C.notation_signer
	err = c.h.call(func(cp *C.notation_config) C.notation_result { return C.notation_signer_new_plugin(cp, p, k, &ptr) })
	if err != nil {
		return nil, err
	}
	return newSigner(ptr), nil
}

// SetRevocationTimeouts sets the time each OCSP request and CRL download
// may take (0: the defaults, 2 s and 5 s).
func (c *Config) SetRevocationTimeouts(ocsp, crl time.Duration) error {
	ocspMs, err := durationMillis(ocsp, "OCSP timeout")
	if err != nil {
		return err
	}
	crlMs, err := durationMillis(crl, "CRL timeout")
	if err != nil {
		return err
	}
	return c.h.call(func(cp *C.notation_config) C.notation_result {
		return C.notation_config_set_revocation_timeouts(cp, ocspMs, crlMs)
	})
}

// AddInsecureRegistry makes registry targets made with this configuration
// use plain HTTP for registry (host[:port]). For tests only.
func (c *Config) AddInsecureRegistry(registry string) error {
	var cs cStrings
	defer cs.free()
	r, err := cs.add("registry", registry)
	if err != nil {
		return err
	}
	err = c.h.call(func(cp *C.notation_config) C.notation_result { return C.notation_config_add_insecure_registry(cp, r) })
	return err
}

// SetRegistryCredentials sets the credentials registry targets made with
// this configuration use for registry (host[:port]); an empty username
// with a password is an identity token.
func (c *Config) SetRegistryCredentials(registry, username, password string) error {
	var cs cStrings
	defer cs.free()
	r, err := cs.add("registry", registry)
	if err != nil {
		return err
	}
	u, err := cs.add("username", username)
	if err != nil {
		return err
	}
	p, err := cs.add("password", password)
	if err != nil {
		return err
	}
	err = c.h.call(func(cp *C.notation_config) C.notation_result {
		return C.notation_config_set_registry_credentials(cp, r, u, p)
	})
	return err
}

// Close releases the configuration; verifiers and signers made from it stay
// usable. It waits for calls in progress on other goroutines; calling it
// again does nothing.
func (c *Config) Close() error {
	c.h.close()
	return nil
}
