//! Plugins through the C ABI, against a real plugin executable (the Python
//! test plugin, `testdata/plugin/test-plugin.py`; python3 and openssl are
//! required): RAW, ENVELOPE and ENVELOPE_FOR_BLOB signing plugins for blobs
//! and OCI-layout artifacts, `signingkeys.json` plugin keys and the R9
//! merge of their `pluginConfig`, verification plugins (success, a failure
//! reason in the result, a broken plugin, a missing one), plugins that
//! misbehave while signing, and hostile callers.

#[path = "../common/mod.rs"]
mod common;

mod envelopes;
mod helpers;
mod hostile;
mod misbehaving;
mod raw;
mod signing_keys;
mod verification;
