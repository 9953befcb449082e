//! The PKCS#11 signer against real SoftHSM tokens (see support/softhsm.rs):
//! every key spec, JWS and COSE, the chain from a file or from the token,
//! a key generated on the token that cannot be extracted, several threads
//! at once, and each failure a user can run into.

mod support;

use std::sync::Arc;

use cryptoki::object::{Attribute, AttributeType, ObjectClass};
use notation_core::algorithm::KeySpec;
use notation_core::envelope::EnvelopeFormat;
use notation_core::signer::{LocalSigner, Signer};
use notation_pkcs11::ecdsa::EcdsaEncoding;
use notation_pkcs11::{Pin, Pkcs11Error, Pkcs11Signer, Pkcs11Uri};
use support::softhsm::{self, GENERATED, MODULE, PIN, SPECS, hsm, pki};
use support::verify::{BLOB, assert_same_envelope, sign_blob_at, verify_blob};
use time::OffsetDateTime;

fn uri(s: &str) -> Pkcs11Uri {
    Pkcs11Uri::parse(s).unwrap()
}

fn signer(label: &str) -> Pkcs11Signer {
    Pkcs11Signer::builder(uri(&hsm().uri(label)))
        .pin(Pin::from_bytes(PIN.into()))
        .certificate_chain_file(pki(&format!("{label}.chain.pem")))
        .build()
        .unwrap_or_else(|e| panic!("{label}: {e}"))
}

fn expected_spec(label: &str) -> KeySpec {
    match label {
        "rsa-2048" => KeySpec::Rsa2048,
        "rsa-3072" => KeySpec::Rsa3072,
        "rsa-4096" => KeySpec::Rsa4096,
        "ec-256" => KeySpec::Ec256,
        "ec-384" => KeySpec::Ec384,
        _ => KeySpec::Ec521,
    }
}

#[test]
fn every_key_spec_signs_jws_and_cose_like_a_key_file() {
    hsm();
    let time = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    for label in SPECS {
        let token = signer(label);
        assert_eq!(token.key_spec(), expected_spec(label), "{label}");
        let file = LocalSigner::from_files(
            &pki(&format!("{label}.key")),
            &pki(&format!("{label}.chain.pem")),
        )
        .unwrap();
        for format in [EnvelopeFormat::Jws, EnvelopeFormat::Cose] {
            let from_token = sign_blob_at(&token, format, time);
            verify_blob(&from_token, format);
            let from_file = sign_blob_at(&file, format, time);
            assert_same_envelope(&from_token, &from_file, format);
        }
    }
}

#[test]
fn the_chain_can_come_from_the_token() {
    hsm();
    // The URI names the certificate (type=cert): the leaf is that object,
    // its issuers are found on the token by subject.
    let text = format!("pkcs11:token=notation;object=ec-384;type=cert?module-path={MODULE}");
    let signer = Pkcs11Signer::builder(uri(&text))
        .pin(Pin::from_bytes(PIN.into()))
        .build()
        .unwrap();
    let names: Vec<String> = signer
        .certificate_chain()
        .iter()
        .map(|c| c.subject().to_string())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names[0].contains("Leaf ec-384"), "{names:?}");
    assert!(names[1].contains("Intermediate"), "{names:?}");
    assert!(names[2].contains("Root"), "{names:?}");
    let envelope = sign_blob_at(&signer, EnvelopeFormat::Cose, OffsetDateTime::now_utc());
    verify_blob(&envelope, EnvelopeFormat::Cose);
}

#[test]
fn the_pin_comes_from_the_uri_or_a_pin_source_file() {
    hsm();
    let by_value = Pkcs11Signer::builder(uri(&hsm().uri_with_pin("rsa-2048")))
        .certificate_chain_file(pki("rsa-2048.chain.pem"))
        .build()
        .unwrap();
    assert_eq!(by_value.key_spec(), KeySpec::Rsa2048);
    for source in [
        hsm().pin_file().display().to_string(),
        format!("file:{}", hsm().pin_file().display()),
        format!("file://{}", hsm().pin_file().display()),
    ] {
        let text = format!("{}&pin-source={source}", hsm().uri("ec-256"));
        let by_file = Pkcs11Signer::builder(uri(&text))
            .certificate_chain_file(pki("ec-256.chain.pem"))
            .build()
            .unwrap_or_else(|e| panic!("{source}: {e}"));
        let sig = by_file.sign_data(b"x", EcdsaEncoding::Fixed).unwrap();
        assert_eq!(sig.len(), 64);
    }
}

#[test]
fn a_key_generated_on_the_token_never_leaves_it_and_signs() {
    hsm();
    // Check the premise with cryptoki itself: sensitive, never extractable.
    let module = notation_pkcs11::module::load(std::path::Path::new(MODULE)).unwrap();
    let _ = module; // loaded once; the signer below shares it.
    let signer = Pkcs11Signer::builder(uri(&hsm().uri(GENERATED)))
        .pin(Pin::from_bytes(PIN.into()))
        .certificate_chain_file(hsm().generated_chain())
        .build()
        .unwrap();
    assert_eq!(signer.key_spec(), KeySpec::Rsa3072);
    let attrs = private_key_attributes(GENERATED);
    assert!(attrs.contains(&Attribute::Extractable(false)), "{attrs:?}");
    assert!(attrs.contains(&Attribute::Sensitive(true)), "{attrs:?}");
    assert!(
        attrs.contains(&Attribute::NeverExtractable(true)),
        "{attrs:?}"
    );
    for format in [EnvelopeFormat::Jws, EnvelopeFormat::Cose] {
        verify_blob(
            &sign_blob_at(&signer, format, OffsetDateTime::now_utc()),
            format,
        );
    }
}

/// A read-write session on `token`, logged in, opened with cryptoki itself.
fn token_session(token: &str) -> cryptoki::session::Session {
    use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
    use cryptoki::session::UserType;
    use cryptoki::types::AuthPin;
    let ctx = Pkcs11::new(MODULE).unwrap();
    // The module is initialized already in this process (the signer did
    // it); a second C_Initialize says so and is harmless.
    let _ = ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK));
    let slot = ctx
        .get_slots_with_token()
        .unwrap()
        .into_iter()
        .find(|s| ctx.get_token_info(*s).unwrap().label() == token)
        .unwrap();
    let session = ctx.open_rw_session(slot).unwrap();
    let _ = session.login(UserType::User, Some(&AuthPin::from(PIN)));
    session
}

/// The private key's extractability attributes, read with cryptoki.
fn private_key_attributes(label: &str) -> Vec<Attribute> {
    let session = token_session(softhsm::TOKEN);
    let keys = session
        .find_objects(&[
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::Label(label.as_bytes().to_vec()),
        ])
        .unwrap();
    assert_eq!(keys.len(), 1);
    session
        .get_attributes(
            keys[0],
            &[
                AttributeType::Extractable,
                AttributeType::Sensitive,
                AttributeType::NeverExtractable,
            ],
        )
        .unwrap()
}

#[test]
fn several_threads_sign_at_once() {
    hsm();
    for label in ["ec-256", "rsa-2048"] {
        let signer = Arc::new(signer(label));
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let signer = signer.clone();
                std::thread::spawn(move || {
                    (0..6)
                        .map(|i| {
                            let format = if (t + i) % 2 == 0 {
                                EnvelopeFormat::Jws
                            } else {
                                EnvelopeFormat::Cose
                            };
                            (
                                format,
                                sign_blob_at(&*signer, format, OffsetDateTime::now_utc()),
                            )
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut count = 0;
        for t in threads {
            for (format, envelope) in t.join().unwrap() {
                verify_blob(&envelope, format);
                count += 1;
            }
        }
        assert_eq!(count, 48);
    }
}

#[test]
fn ecdsa_signatures_come_in_the_form_asked_for() {
    hsm();
    let signer = signer("ec-521");
    let fixed = signer.sign_data(BLOB, EcdsaEncoding::Fixed).unwrap();
    assert_eq!(fixed.len(), 132);
    let der = signer.sign_data(BLOB, EcdsaEncoding::Der).unwrap();
    assert_eq!(der[0], 0x30, "DER SEQUENCE");
    // The DER form verifies as what certificates carry.
    use notation_core::algorithm::HashAlgorithm;
    use notation_core::crypto::{CryptoProvider, DefaultProvider, SignatureScheme};
    DefaultProvider
        .verify(
            SignatureScheme::EcdsaDer(HashAlgorithm::Sha512),
            signer.certificate_chain()[0].public_key(),
            BLOB,
            &der,
        )
        .unwrap();
}

#[test]
fn a_wrong_pin_is_a_clear_error() {
    hsm();
    let text = format!(
        "pkcs11:token={};object=ec-256?module-path={MODULE}",
        softhsm::LOCKED_TOKEN
    );
    let err = Pkcs11Signer::builder(uri(&text))
        .pin(Pin::from_bytes(b"0000".to_vec()))
        .certificate_chain_file(pki("ec-256.chain.pem"))
        .build()
        .unwrap_err();
    assert!(
        matches!(&err, Pkcs11Error::WrongPin { token } if token == softhsm::LOCKED_TOKEN),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "wrong PIN for the PKCS#11 token \"wrong-pin\""
    );
    assert!(err.is_access_denied());
}

/// PKCS#11 login is per process: while one signer keeps the token logged
/// in, the module answers any other login with "already logged in" without
/// looking at its PIN. A second signer with a wrong PIN is refused all the
/// same (the PIN never reaches the token, so it counts no failed login).
#[test]
fn a_wrong_pin_is_refused_while_the_token_is_logged_in() {
    let logged_in = signer("ec-256");
    let err = Pkcs11Signer::builder(uri(&hsm().uri("ec-256")))
        .pin(Pin::from_bytes(b"0000".to_vec()))
        .certificate_chain_file(pki("ec-256.chain.pem"))
        .build()
        .unwrap_err();
    assert!(matches!(&err, Pkcs11Error::WrongPin { .. }), "{err}");
    // The right PIN still opens a second signer, and the first signs on.
    let second = signer("ec-256");
    for s in [&logged_in, &second] {
        assert_eq!(s.sign_data(b"x", EcdsaEncoding::Fixed).unwrap().len(), 64);
    }
}

/// The key's object replaced under the signer (another user of the token
/// copies the key and deletes the original, as re-provisioning a token
/// does): the handle the signer's sessions found is dead, and the next
/// signature opens a new session that finds the key again.
#[test]
fn a_signer_outlives_the_handles_it_found() {
    hsm();
    let text = format!(
        "pkcs11:token={};object=ec-256?module-path={MODULE}",
        softhsm::SESSIONS_TOKEN
    );
    let signer = Pkcs11Signer::builder(uri(&text))
        .pin(Pin::from_bytes(PIN.into()))
        .certificate_chain_file(pki("ec-256.chain.pem"))
        .build()
        .unwrap();
    signer.sign_data(b"x", EcdsaEncoding::Fixed).unwrap();
    let session = token_session(softhsm::SESSIONS_TOKEN);
    for _ in 0..2 {
        let keys = session
            .find_objects(&[
                Attribute::Class(ObjectClass::PRIVATE_KEY),
                Attribute::Label(b"ec-256".to_vec()),
            ])
            .unwrap();
        assert_eq!(keys.len(), 1);
        session.copy_object(keys[0], &[]).unwrap();
        session.destroy_object(keys[0]).unwrap();
        let signature = signer.sign_data(b"x", EcdsaEncoding::Fixed).unwrap();
        assert_eq!(signature.len(), 64);
    }
}

/// A token with two issuers of one name, the old one (another key) found
/// first (SoftHSM lists the object imported last first): the chain read
/// from the token takes the one that signed.
#[test]
fn the_issuer_on_the_token_is_the_one_that_signed() {
    hsm();
    let text = format!(
        "pkcs11:token={};object=ec-256?module-path={MODULE}",
        softhsm::RENEWED_TOKEN
    );
    let signer = Pkcs11Signer::builder(uri(&text))
        .pin(Pin::from_bytes(PIN.into()))
        .build()
        .unwrap();
    let chain: Vec<&[u8]> = signer.certificate_chain().iter().map(|c| c.der()).collect();
    let expected: Vec<Vec<u8>> = ["ec-256.crt", "intermediate.crt", "root.crt"]
        .iter()
        .map(|f| {
            notation_core::x509::Certificate::parse_pem_many(&std::fs::read(pki(f)).unwrap())
                .unwrap()
                .remove(0)
                .der()
                .to_vec()
        })
        .collect();
    assert!(
        chain == expected.iter().map(Vec::as_slice).collect::<Vec<_>>(),
        "not the leaf, the intermediate and the root: {} certificates",
        chain.len()
    );
}

#[test]
fn no_pin_at_all_is_a_clear_error() {
    hsm();
    // NOTATION_PKCS11_PIN is not set in the test environment.
    assert!(std::env::var_os(notation_pkcs11::PIN_ENV).is_none());
    let err = Pkcs11Signer::builder(uri(&hsm().uri("ec-256")))
        .certificate_chain_file(pki("ec-256.chain.pem"))
        .build()
        .unwrap_err();
    assert!(matches!(err, Pkcs11Error::PinRequired { .. }), "{err}");
}

#[test]
fn a_missing_object_is_a_clear_error() {
    hsm();
    let err = Pkcs11Signer::builder(uri(&hsm().uri("no-such-key")))
        .pin(Pin::from_bytes(PIN.into()))
        .certificate_chain_file(pki("ec-256.chain.pem"))
        .build()
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Pkcs11Error::ObjectNotFound {
                class: "private key",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "no private key on the PKCS#11 token \"notation\" matches pkcs11:token=notation;object=no-such-key?module-path={MODULE}"
        )
    );
    // A certificate label that has no private key: the certificates share
    // labels with keys, but only the intermediate's has none.
    let err = Pkcs11Signer::builder(uri(&hsm().uri("intermediate")))
        .pin(Pin::from_bytes(PIN.into()))
        .build()
        .unwrap_err();
    assert!(matches!(err, Pkcs11Error::ObjectNotFound { .. }), "{err}");
    // A token that does not exist.
    let err = Pkcs11Signer::builder(uri(&format!(
        "pkcs11:token=nope;object=x?module-path={MODULE}"
    )))
    .pin(Pin::from_bytes(PIN.into()))
    .build()
    .unwrap_err();
    assert!(matches!(err, Pkcs11Error::TokenNotFound { .. }), "{err}");
    // A URI that names no object.
    let err = Pkcs11Signer::builder(uri(&format!("pkcs11:token=notation?module-path={MODULE}")))
        .build()
        .unwrap_err();
    assert!(matches!(err, Pkcs11Error::NoObjectNamed { .. }), "{err}");
}

#[test]
fn lookups_by_id_pick_the_private_key() {
    hsm();
    // id=%04 names the ec-256 private key, its public key and its
    // certificate; signing takes the private key.
    let text = format!("pkcs11:token=notation;id=%04?module-path={MODULE}");
    let signer = Pkcs11Signer::builder(uri(&text))
        .pin(Pin::from_bytes(PIN.into()))
        .build()
        .unwrap();
    assert_eq!(signer.key_spec(), KeySpec::Ec256);
    verify_blob(
        &sign_blob_at(&signer, EnvelopeFormat::Jws, OffsetDateTime::now_utc()),
        EnvelopeFormat::Jws,
    );
}

#[test]
fn a_key_that_does_not_match_the_leaf_is_a_clear_error() {
    hsm();
    for (key, chain) in [
        // RSA: moduli compared.
        ("rsa-2048", "rsa-3072.chain.pem"),
        // EC with a public key object: points compared.
        ("ec-256", "ec-384.chain.pem"),
        // Different key types.
        ("ec-384", "rsa-2048.chain.pem"),
    ] {
        let err = Pkcs11Signer::builder(uri(&hsm().uri(key)))
            .pin(Pin::from_bytes(PIN.into()))
            .certificate_chain_file(pki(chain))
            .build()
            .unwrap_err();
        assert!(
            matches!(err, Pkcs11Error::KeyMismatch { .. }),
            "{key}/{chain}: {err}"
        );
    }
    // EC P-521 without a public key object on the token: a test signature
    // that does not verify with another P-521 leaf's key.
    let other = other_p521_leaf();
    let err = Pkcs11Signer::builder(uri(&hsm().uri("ec-521")))
        .pin(Pin::from_bytes(PIN.into()))
        .certificate_chain_file(&other)
        .build()
        .unwrap_err();
    assert!(matches!(err, Pkcs11Error::KeyMismatch { .. }), "{err}");
    assert!(err.to_string().contains("test signature"), "{err}");
}

/// A P-521 leaf certificate for a key that is not on the token.
fn other_p521_leaf() -> std::path::PathBuf {
    let dir = hsm().dir();
    let key = dir.join("other-521.key");
    let crt = dir.join("other-521.crt");
    let out = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-521",
            "-nodes",
            "-subj",
            "/CN=other",
            "-days",
            "2",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&crt)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    crt
}

#[test]
fn a_module_that_cannot_be_loaded_is_a_clear_error() {
    hsm();
    let err = Pkcs11Signer::from_uri(
        "pkcs11:token=notation;object=ec-256?module-path=/nonexistent/libpkcs11.so",
    )
    .unwrap_err();
    assert!(matches!(err, Pkcs11Error::ModuleLoad { .. }), "{err}");
    assert!(
        err.to_string()
            .starts_with("cannot load the PKCS#11 module /nonexistent/libpkcs11.so"),
        "{err}"
    );
}

#[test]
fn debug_output_never_contains_the_pin() {
    hsm();
    let signer = Pkcs11Signer::builder(uri(&hsm().uri_with_pin("ec-256")))
        .certificate_chain_file(pki("ec-256.chain.pem"))
        .build()
        .unwrap();
    let shown = format!("{signer:?}");
    assert!(!shown.contains(PIN), "{shown}");
    assert!(shown.contains("<redacted>"), "{shown}");
    let _ = signer.key_spec();
    assert!(Signer::signing_agent(&signer).is_none());
}
