//! Every documented result code, produced by the call and the situation its
//! documentation names: one scenario per code, each asserting the code the
//! library returns. A code added to `notation_result` without a scenario
//! fails `every_documented_code_has_a_scenario_that_returns_it`.
//!
//! The one exception is `NOTATION_RESULT_PANIC`: no call panics on
//! purpose; the panic guard's unit test (notation-ffi/src/guard.rs) turns a
//! panic into that code.
//!
//! Real components throughout: the Python test plugin (python3, openssl),
//! Debian's `docker-registry` with htpasswd for `REGISTRY_UNAUTHORIZED`,
//! a closed loopback port for `REGISTRY_ERROR` and `TIMESTAMP_FAILED`.

mod common;

use std::ffi::c_char;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::ptr;

use common::plugin::{self, TestPlugin};
use common::registry::Registry;
use common::*;
use notation::*;
use serde_json::json;

/// What the scenarios share.
struct Fixture {
    dir: tempfile::TempDir,
    config: *mut notation_config,
    verifier: *mut notation_verifier,
    signer: *mut notation_signer,
    verdict: *mut notation_verdict,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        // SAFETY: handles made by the fixture, each freed once.
        unsafe {
            notation_verdict_free(&mut self.verdict);
            notation_signer_free(&mut self.signer);
            notation_verifier_free(&mut self.verifier);
            notation_config_free(&mut self.config);
        }
    }
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn layout_target(layout: &Path, reference: &str) -> (notation_result, *mut notation_target) {
    let (path, reference, scope) = (
        cstr(layout.to_str().unwrap()),
        cstr(reference),
        cstr("local/e2e"),
    );
    let mut target = ptr::null_mut();
    // SAFETY: valid strings and out-parameter.
    let rc = unsafe {
        notation_target_new_oci_layout(
            path.as_ptr(),
            reference.as_ptr(),
            scope.as_ptr(),
            &mut target,
        )
    };
    (rc, target)
}

fn registry_target(reference: &str) -> (notation_result, *mut notation_target) {
    let reference = cstr(reference);
    let mut target = ptr::null_mut();
    // SAFETY: valid string and out-parameter; no configuration.
    let rc = unsafe { notation_target_new_registry(ptr::null(), reference.as_ptr(), &mut target) };
    (rc, target)
}

/// Runs `f` with a target made from `made`, frees it, returns the code.
fn with_target(
    made: (notation_result, *mut notation_target),
    f: impl FnOnce(*mut notation_target) -> notation_result,
) -> notation_result {
    let (rc, mut target) = made;
    ok(rc);
    let code = f(target);
    // SAFETY: a live target.
    unsafe { notation_target_free(&mut target) };
    code
}

fn list_signatures(target: *mut notation_target) -> notation_result {
    let mut list = ptr::null_mut();
    // SAFETY: a live target; writable out-parameter.
    let rc = unsafe { notation_target_list_signatures(target, &mut list) };
    // SAFETY: NULL or a live list.
    unsafe { notation_signature_list_free(&mut list) };
    rc
}

fn sign_into(signer: *const notation_signer, target: *mut notation_target) {
    // SAFETY: live handles.
    ok(unsafe { notation_signer_sign_artifact(signer, target, ptr::null(), ptr::null_mut()) });
}

fn sign_with_options(
    signer: *const notation_signer,
    options: *mut notation_sign_options,
) -> notation_result {
    let mut signature = ptr::null_mut();
    // SAFETY: live handles; writable out-parameter.
    let rc =
        unsafe { notation_signer_sign_blob(signer, b"blob".as_ptr(), 4, options, &mut signature) };
    // SAFETY: NULL or a live buffer; live options.
    unsafe {
        notation_buffer_free(&mut signature);
        notation_sign_options_free(&mut { options });
    }
    rc
}

fn new_signer_from(key: &[u8], certificates: &[u8]) -> notation_result {
    let mut signer = ptr::null_mut();
    // SAFETY: valid slices; writable out-parameter.
    let rc = unsafe {
        notation_signer_new(
            key.as_ptr(),
            key.len(),
            certificates.as_ptr(),
            certificates.len(),
            &mut signer,
        )
    };
    // SAFETY: NULL or a live signer.
    unsafe { notation_signer_free(&mut signer) };
    rc
}

fn open_dir(path: &Path) -> (notation_result, *mut notation_config) {
    let path = cstr(path.to_str().unwrap());
    let mut config = ptr::null_mut();
    // SAFETY: valid string; writable out-parameter.
    let rc = unsafe { notation_config_open_dir(path.as_ptr(), &mut config) };
    (rc, config)
}

/// A configuration directory holding `signingkeys.json`.
fn signing_keys_dir(root: &Path, signing_keys: &str) -> PathBuf {
    let dir = root.join(format!("config-{}", signing_keys.len()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("signingkeys.json"), signing_keys).unwrap();
    dir
}

fn signer_from_config(dir: &Path, name: &str) -> notation_result {
    let (rc, mut config) = open_dir(dir);
    ok(rc);
    let name = cstr(name);
    let mut signer = ptr::null_mut();
    // SAFETY: live configuration, valid string, writable out-parameter.
    let rc = unsafe { notation_signer_new_from_config(config, name.as_ptr(), &mut signer) };
    // SAFETY: NULL or live handles.
    unsafe {
        notation_signer_free(&mut signer);
        notation_config_free(&mut config);
    }
    rc
}

fn plugin_signer(plugins: &Path, name: &str) -> (notation_result, *mut notation_signer) {
    let mut config = memory_config();
    let (dir, name, key) = (cstr(plugins.to_str().unwrap()), cstr(name), cstr("key-1"));
    let mut signer = ptr::null_mut();
    // SAFETY: live configuration, valid strings, writable out-parameter.
    let rc = unsafe {
        ok(notation_config_set_plugin_dir(config, dir.as_ptr()));
        let rc = notation_signer_new_plugin(config, name.as_ptr(), key.as_ptr(), &mut signer);
        notation_config_free(&mut config);
        rc
    };
    (rc, signer)
}

/// Signs with a freshly installed plugin answering as `behavior`.
fn sign_with_plugin(plugins: &Path, name: &str, behavior: serde_json::Value) -> notation_result {
    let _plugin = TestPlugin::install(plugins, name, behavior);
    let (rc, mut signer) = plugin_signer(plugins, name);
    ok(rc);
    let code = sign_with_options(signer, ptr::null_mut());
    // SAFETY: a live signer.
    unsafe { notation_signer_free(&mut signer) };
    code
}

impl Fixture {
    fn new() -> Self {
        let config = memory_config();
        Self {
            dir: tempfile::tempdir().unwrap(),
            verifier: verifier_for(config),
            config,
            signer: new_signer("rsa-2048.key", "rsa-2048.chain.pem"),
            verdict: new_result(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn verify(
        &self,
        signature: &[u8],
        format: notation_envelope_format,
        blob: &[u8],
    ) -> notation_result {
        verify_blob(
            self.verifier,
            signature,
            format,
            blob,
            ptr::null(),
            self.verdict,
        )
    }

    fn verify_with(
        &self,
        options: *mut notation_verify_options,
        signature: &[u8],
    ) -> notation_result {
        let rc = verify_blob(
            self.verifier,
            signature,
            notation_envelope_format::Jws,
            b"blob",
            options,
            self.verdict,
        );
        // SAFETY: live options.
        unsafe { notation_verify_options_free(&mut { options }) };
        rc
    }

    fn signature(&self) -> Vec<u8> {
        sign_blob(self.signer, b"blob", ptr::null())
    }

    fn sign_options(&self) -> *mut notation_sign_options {
        let mut options = ptr::null_mut();
        // SAFETY: writable out-parameter.
        ok(unsafe { notation_sign_options_new(&mut options) });
        options
    }

    fn verify_options(&self) -> *mut notation_verify_options {
        let mut options = ptr::null_mut();
        // SAFETY: writable out-parameter.
        ok(unsafe { notation_verify_options_new(&mut options) });
        options
    }

    fn fresh_layout(&self, name: &str) -> PathBuf {
        let dir = self.path(name);
        std::fs::create_dir_all(&dir).unwrap();
        e2e_layout(&dir)
    }

    /// The verification plugin's blob (whose signature requires
    /// `com.example.verifier`) verified with the plugin directory `plugins`
    /// (None: plugins disabled).
    fn verify_plugin_blob(&self, plugins: Option<&Path>) -> notation_result {
        let blob_path = plugin::write_plugin_signed_blob(self.dir.path());
        let blob = std::fs::read(&blob_path).unwrap();
        let signature = std::fs::read(format!("{}.jws.sig", blob_path.display())).unwrap();
        let mut config = memory_config();
        if let Some(plugins) = plugins {
            let dir = cstr(plugins.to_str().unwrap());
            // SAFETY: live configuration, valid string.
            ok(unsafe { notation_config_set_plugin_dir(config, dir.as_ptr()) });
        }
        let mut verifier = verifier_for(config);
        let rc = verify_blob(
            verifier,
            &signature,
            notation_envelope_format::Jws,
            &blob,
            ptr::null(),
            self.verdict,
        );
        // SAFETY: live handles.
        unsafe {
            notation_verifier_free(&mut verifier);
            notation_config_free(&mut config);
        }
        rc
    }

    /// Produces `code` through the call its documentation names.
    fn scenario(&self, code: notation_result) -> notation_result {
        use notation_result as R;
        let mut needed = 0usize;
        let mut small = [0 as c_char; 2];
        // SAFETY (every unsafe call below): live handles made by the
        // fixture or the scenario, valid strings and slices, writable
        // out-parameters; NULL only where the scenario is about it.
        match code {
            R::Ok => unsafe { notation_result_text(0, small.as_mut_ptr(), 0, &mut needed) }
                .then_ok(|| unsafe {
                    let mut buf = [0 as c_char; 16];
                    notation_result_text(0, buf.as_mut_ptr(), buf.len(), &mut needed)
                }),
            R::NullParameter => unsafe { notation_config_new(ptr::null_mut()) },
            R::InvalidUtf8 => {
                let bad = [0xffu8 as c_char, 0];
                let mut config = ptr::null_mut();
                unsafe { notation_config_open_dir(bad.as_ptr(), &mut config) }
            }
            R::BufferTooSmall => unsafe {
                notation_result_text(1, ptr::null_mut(), 0, &mut needed)
            },
            R::InvalidArgument => {
                let options = self.sign_options();
                let rc = unsafe { notation_sign_options_set_format(options, 42) };
                sign_with_options(self.signer, options);
                rc
            }
            R::InputTooLarge => {
                let big = vec![b' '; 1024 * 1024 + 1];
                unsafe { notation_trust_policy_validate(1, big.as_ptr(), big.len()) }
            }
            R::IndexOutOfRange => {
                ok(self.verify(&self.signature(), notation_envelope_format::Jws, b"blob"));
                let (mut check, mut action, mut passed) = (
                    notation_check::Integrity,
                    notation_check_action::Skip,
                    false,
                );
                unsafe {
                    notation_verdict_check(self.verdict, 5, &mut check, &mut action, &mut passed)
                }
            }
            R::NotAvailable => {
                ok(self.verify(&self.signature(), notation_envelope_format::Jws, b"blob"));
                unsafe { notation_verdict_failure(self.verdict, ptr::null_mut(), 0, &mut needed) }
            }
            R::Unsupported => {
                // A directory configuration, and data that are not even
                // certificates: the configuration's kind decides.
                let dir = self.path("unsupported");
                std::fs::create_dir_all(&dir).unwrap();
                let (rc, mut config) = open_dir(&dir);
                ok(rc);
                let name = cstr("acme");
                let rc = unsafe {
                    notation_config_add_certificates(
                        config,
                        1,
                        name.as_ptr(),
                        b"garbage".as_ptr(),
                        7,
                    )
                };
                unsafe { notation_config_free(&mut config) };
                rc
            }
            R::Io => {
                let file = self.path("a-file");
                std::fs::write(&file, "not a directory").unwrap();
                open_dir(&file).0
            }
            R::Panic => unreachable!("covered by the panic guard's unit test"),
            R::Pkcs11PinInvalid => unreachable!("covered by c_pkcs11.rs (a SoftHSM token)"),
            R::Pkcs11Failed => {
                // A module that cannot be loaded.
                let uri = c"pkcs11:token=t;object=k?module-path=/nonexistent/libpkcs11.so";
                let mut signer = ptr::null_mut();
                unsafe {
                    notation_signer_new_pkcs11(
                        uri.as_ptr(),
                        ptr::null(),
                        b"1234".as_ptr(),
                        4,
                        &mut signer,
                    )
                }
            }
            R::Config => signer_from_config(&signing_keys_dir(self.dir.path(), "{"), "key"),
            R::PolicyNotPresent => {
                let mut config = ptr::null_mut();
                let mut verifier = ptr::null_mut();
                unsafe {
                    ok(notation_config_new(&mut config));
                    let rc = notation_verifier_new(config, &mut verifier);
                    notation_config_free(&mut config);
                    rc
                }
            }
            R::PolicyMalformed => unsafe { notation_trust_policy_validate(1, b"{".as_ptr(), 1) },
            R::PolicyInvalid => {
                let doc = r#"{"version":"1.0","trustPolicies":[]}"#;
                unsafe { notation_trust_policy_validate(2, doc.as_ptr(), doc.len()) }
            }
            R::TrustStoreInvalid => {
                // A leaf certificate is no CA.
                let (leaf, name) = (pki("rsa-2048.crt"), cstr("leaves"));
                unsafe {
                    notation_config_add_certificates(
                        self.config,
                        1,
                        name.as_ptr(),
                        leaf.as_ptr(),
                        leaf.len(),
                    )
                }
            }
            R::CertificateInvalid => {
                let name = cstr("garbage");
                unsafe {
                    notation_config_add_certificates(
                        self.config,
                        1,
                        name.as_ptr(),
                        b"garbage".as_ptr(),
                        7,
                    )
                }
            }
            R::KeyNotFound => {
                let keys = format!(
                    r#"{{"keys":[{{"name":"present","keyPath":"{}","certPath":"{}"}}]}}"#,
                    pki_path("rsa-2048.key").display(),
                    pki_path("rsa-2048.chain.pem").display()
                );
                signer_from_config(&signing_keys_dir(self.dir.path(), &keys), "absent")
            }
            R::SigningKeyInvalid => new_signer_from(b"not a key", &pki("rsa-2048.chain.pem")),
            R::CertificateChainInvalid => {
                new_signer_from(&pki("rsa-2048.key"), b"not certificates")
            }
            R::KeyMismatch => new_signer_from(&pki("ec-256.key"), &pki("rsa-2048.crt")),
            R::KeyUnsupported => {
                // So is a key of an unsupported size (documented).
                assert_eq!(
                    new_signer_from(&pki("rsa-1024.key"), &pki("rsa-1024.chain.pem")),
                    R::KeyUnsupported
                );
                // Ed25519 is no Notation key spec.
                let (key, cert) = (self.path("ed25519.key"), self.path("ed25519.crt"));
                let status = std::process::Command::new("openssl")
                    .args([
                        "req",
                        "-x509",
                        "-newkey",
                        "ed25519",
                        "-nodes",
                        "-subj",
                        "/CN=ed25519",
                        "-days",
                        "1",
                    ])
                    .arg("-keyout")
                    .arg(&key)
                    .arg("-out")
                    .arg(&cert)
                    .output()
                    .unwrap();
                assert!(
                    status.status.success(),
                    "{}",
                    String::from_utf8_lossy(&status.stderr)
                );
                new_signer_from(&std::fs::read(key).unwrap(), &std::fs::read(cert).unwrap())
            }
            R::PluginKeyUnsupported => {
                let (name, key) = (cstr("com.example.any"), cstr("key-1"));
                let mut signer = ptr::null_mut();
                unsafe {
                    notation_signer_new_plugin(
                        self.config,
                        name.as_ptr(),
                        key.as_ptr(),
                        &mut signer,
                    )
                }
            }
            R::SigningFailed => {
                // A RAW plugin key whose plugin answers a key spec... no:
                // a local key whose chain misses the intermediate, which
                // signing checks (the envelope it would make is invalid).
                let mut chain = pki("rsa-2048.crt");
                chain.extend(pki("root.crt"));
                let mut signer = ptr::null_mut();
                let key = pki("rsa-2048.key");
                let rc = unsafe {
                    notation_signer_new(
                        key.as_ptr(),
                        key.len(),
                        chain.as_ptr(),
                        chain.len(),
                        &mut signer,
                    )
                };
                if rc != R::Ok {
                    return rc;
                }
                let rc = sign_with_options(signer, ptr::null_mut());
                unsafe { notation_signer_free(&mut signer) };
                rc
            }
            R::UserMetadataInvalid => {
                let options = self.sign_options();
                let (key, value) = (cstr("io.cncf.notary.reserved"), cstr("x"));
                ok(unsafe {
                    notation_sign_options_add_user_metadata(options, key.as_ptr(), value.as_ptr())
                });
                sign_with_options(self.signer, options)
            }
            R::ExpiryInvalid => {
                let options = self.sign_options();
                let rc = unsafe {
                    notation_sign_options_set_expiry_seconds(
                        options,
                        NOTATION_MAX_EXPIRY_SECONDS + 1,
                    )
                };
                sign_with_options(self.signer, options);
                rc
            }
            R::TimestampFailed => {
                let options = self.sign_options();
                let url = cstr(&format!("http://127.0.0.1:{}/", closed_port()));
                let root = pki("root.crt");
                ok(unsafe {
                    notation_sign_options_set_timestamping(
                        options,
                        url.as_ptr(),
                        root.as_ptr(),
                        root.len(),
                    )
                });
                sign_with_options(self.signer, options)
            }
            R::PluginNotFound => {
                let plugins = self.path("plugins-empty");
                plugin_signer(&plugins, "com.example.absent").0
            }
            R::PluginFailed => {
                let name = "com.example.failing";
                sign_with_plugin(
                    &self.path("plugins-failing"),
                    name,
                    json!({
                        "get-plugin-metadata": {"response": plugin::metadata(name, "1.0.0", &[plugin::RAW])},
                        "describe-key": {"exit": 1, "stderr": {"errorCode": "ERROR", "errorMessage": "no key"}},
                    }),
                )
            }
            R::PluginCapabilityMissing => {
                let name = "com.example.verifier-only";
                sign_with_plugin(
                    &self.path("plugins-verifier"),
                    name,
                    json!({"get-plugin-metadata": {"response": plugin::metadata(name, "1.0.0", &[plugin::TRUSTED_IDENTITY])}}),
                )
            }
            R::VerificationFailed => {
                let mut untrusted = new_signer("self-signed.key", "self-signed.crt");
                let signature = sign_blob(untrusted, b"blob", ptr::null());
                unsafe { notation_signer_free(&mut untrusted) };
                self.verify(&signature, notation_envelope_format::Jws, b"blob")
            }
            R::NoTrustPolicy => {
                let mut config = ptr::null_mut();
                unsafe {
                    ok(notation_config_new(&mut config));
                    ok(notation_config_set_oci_policy(
                        config,
                        OCI_POLICY.as_ptr(),
                        OCI_POLICY.len(),
                    ));
                }
                let mut verifier = verifier_for(config);
                let rc = verify_blob(
                    verifier,
                    &self.signature(),
                    notation_envelope_format::Jws,
                    b"blob",
                    ptr::null(),
                    self.verdict,
                );
                unsafe {
                    notation_verifier_free(&mut verifier);
                    notation_config_free(&mut config);
                }
                rc
            }
            R::NoApplicablePolicy => {
                let options = self.verify_options();
                let name = cstr("absent");
                ok(unsafe { notation_verify_options_set_policy_name(options, name.as_ptr()) });
                self.verify_with(options, &self.signature())
            }
            R::ArtifactMismatch => {
                self.verify(&self.signature(), notation_envelope_format::Jws, b"other")
            }
            R::UserMetadataMismatch => {
                let options = self.verify_options();
                let (key, value) = (cstr("team"), cstr("absent"));
                ok(unsafe {
                    notation_verify_options_add_user_metadata(options, key.as_ptr(), value.as_ptr())
                });
                self.verify_with(options, &self.signature())
            }
            R::VerificationInconclusive => self.verify_plugin_blob(None),
            R::PayloadInvalid => {
                // A valid envelope whose payload is not a Notary payload
                // (its descriptor a string, which the reference refuses
                // too; members merely missing read as Go's zero values),
                // made with the library itself (the C API signs only
                // Notary payloads).
                use notation_core::crypto::default_provider;
                use notation_core::envelope::{self, EnvelopeFormat, SignRequest};
                use notation_core::signer::LocalSigner;
                let signer = LocalSigner::from_files(
                    &pki_path("rsa-2048.key"),
                    &pki_path("rsa-2048.chain.pem"),
                )
                .unwrap();
                let request = SignRequest::new(
                    br#"{"targetArtifact":"not a descriptor"}"#.to_vec(),
                    &signer,
                );
                let signature =
                    envelope::sign(EnvelopeFormat::Jws, &request, default_provider().as_ref())
                        .unwrap();
                self.verify(&signature, notation_envelope_format::Jws, b"blob")
            }
            R::SignatureFileNameInvalid => {
                let (signature, blob) = (self.path("blob.sig"), self.path("blob"));
                std::fs::write(&signature, self.signature()).unwrap();
                std::fs::write(&blob, b"blob").unwrap();
                let (signature, blob) = (
                    cstr(signature.to_str().unwrap()),
                    cstr(blob.to_str().unwrap()),
                );
                unsafe {
                    notation_verifier_verify_blob_file(
                        self.verifier,
                        signature.as_ptr(),
                        blob.as_ptr(),
                        ptr::null(),
                        self.verdict,
                    )
                }
            }
            R::EnvelopeInvalid => {
                // A JWS envelope given as COSE (and garbage to inspect).
                let mut list = ptr::null_mut();
                assert_eq!(
                    unsafe { notation_envelope_inspect(b"garbage".as_ptr(), 7, 1, &mut list) },
                    R::EnvelopeInvalid
                );
                self.verify(&self.signature(), notation_envelope_format::Cose, b"blob")
            }
            R::VerificationPluginFailed => {
                let plugins = self.path("plugins-crashing");
                let name = plugin::FOREIGN_VERIFIER_PLUGIN;
                let _plugin = TestPlugin::install(
                    &plugins,
                    name,
                    json!({
                        "get-plugin-metadata": {"response": plugin::metadata(name, "1.0.0", &[plugin::TRUSTED_IDENTITY])},
                        "verify-signature": {"exit": 9},
                    }),
                );
                self.verify_plugin_blob(Some(&plugins))
            }
            R::ReferenceInvalid => registry_target("not a reference").0,
            R::NotFound => with_target(
                layout_target(&self.fresh_layout("not-found"), "v9"),
                list_signatures,
            ),
            R::DigestMismatch => {
                // A layout blob that no longer matches its digest: the
                // signature manifest, tampered with after signing.
                let layout = self.fresh_layout("tampered");
                with_target(layout_target(&layout, "v1"), |target| {
                    let mut signed = ptr::null_mut();
                    ok(unsafe {
                        notation_signer_sign_artifact(self.signer, target, ptr::null(), &mut signed)
                    });
                    let digest = take_signed_digest(signed);
                    let blob = layout
                        .join("blobs/sha256")
                        .join(digest.trim_start_matches("sha256:"));
                    let mut bytes = std::fs::read(&blob).unwrap();
                    let last = bytes.len() - 2;
                    bytes[last] ^= 0x01;
                    std::fs::write(&blob, bytes).unwrap();
                    list_signatures(target)
                })
            }
            R::NoSignature => with_target(
                layout_target(&self.fresh_layout("unsigned"), "v1"),
                |target| unsafe {
                    notation_verifier_verify_artifact(
                        self.verifier,
                        target,
                        ptr::null(),
                        self.verdict,
                    )
                },
            ),
            R::TooManySignatures => {
                with_target(layout_target(&self.fresh_layout("many"), "v1"), |target| {
                    sign_into(self.signer, target);
                    sign_into(self.signer, target);
                    let mut list = ptr::null_mut();
                    unsafe { notation_target_inspect_signatures(target, 1, &mut list) }
                })
            }
            R::LayoutInvalid => {
                let empty = self.path("not-a-layout");
                std::fs::create_dir_all(&empty).unwrap();
                layout_target(&empty, "v1").0
            }
            R::RepositoryError => {
                // A digest that names a blob of the layout that is not a
                // manifest (the image's config).
                let config_digest =
                    "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
                with_target(
                    layout_target(&self.fresh_layout("not-a-manifest"), config_digest),
                    list_signatures,
                )
            }
            R::RegistryError => with_target(
                registry_target(&format!("127.0.0.1:{}/repo:v1", closed_port())),
                list_signatures,
            ),
            R::RegistryUnauthorized => {
                let registry = Registry::start(true);
                with_target(
                    registry_target(&format!("{}/repo:v1", registry.host)),
                    list_signatures,
                )
            }
        }
    }
}

/// `rc.then_ok(f)`: `f()` when `rc` is `BUFFER_TOO_SMALL` (the size query
/// of the `Ok` scenario), `rc` otherwise.
trait ThenOk {
    fn then_ok(self, f: impl FnOnce() -> notation_result) -> notation_result;
}

impl ThenOk for notation_result {
    fn then_ok(self, f: impl FnOnce() -> notation_result) -> notation_result {
        if self == notation_result::BufferTooSmall {
            f()
        } else {
            self
        }
    }
}

#[test]
fn every_documented_code_has_a_scenario_that_returns_it() {
    plugin::require_tools();
    let fixture = Fixture::new();
    let mut wrong = Vec::new();
    for code in notation_result::ALL {
        // PANIC: the panic guard's unit test; PKCS11_PIN_INVALID needs a
        // token: c_pkcs11.rs.
        if code == notation_result::Panic || code == notation_result::Pkcs11PinInvalid {
            continue;
        }
        let got = fixture.scenario(code);
        if got != code {
            wrong.push(format!("{code:?}: got {got:?} ({})", last_error()));
        }
    }
    assert!(
        wrong.is_empty(),
        "codes that differ from their documentation:\n{}",
        wrong.join("\n")
    );
}
