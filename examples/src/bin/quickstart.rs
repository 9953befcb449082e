//! The notation-rs quickstart: sign a file and verify it, end to end, with
//! nothing but a temporary directory.
//!
//! ```text
//! cargo run -p notation-examples --bin quickstart [-- --keep]
//! ```
//!
//! Each step uses the library the way the `notation` command does:
//! 1. make a test PKI (an RSA-2048 key and a self-signed code-signing
//!    certificate, as `notation certificate generate-test`);
//! 2. write a `NOTATION_CONFIG` directory: the certificate in trust store
//!    `ca:wabbit-networks.io`, the key in `signingkeys.json`, a strict blob
//!    trust policy;
//! 3. sign a file as JWS and as COSE (detached signatures next to it);
//! 4. verify both signatures against the policy;
//! 5. tamper with the file and show verification failing, with the reason.
//!
//! It exits 0 only when every step behaves as expected. With `--keep` the
//! directory is left in place so that the `notation` command can be tried
//! on it (`NOTATION_CONFIG=<dir>/config notation blob verify ...`).
//!
//! New steps (for example signing an image in a local OCI layout) are added
//! to [`STEPS`].

use std::collections::BTreeMap;
use std::error::Error;
use std::fs;
use std::io::BufReader;
use std::path::PathBuf;
use std::sync::Arc;

use notation_core::algorithm::KeySpec;
use notation_core::blob::{BlobSignOptions, sign_blob, signature_file_name};
use notation_core::config::{KeySuite, LOCAL_KEYS_DIR, SigningKeys};
use notation_core::crypto::default_provider;
use notation_core::envelope::EnvelopeFormat;
use notation_core::signer::LocalSigner;
use notation_core::timefmt;
use notation_core::trust::policy::{BLOB_POLICY_FILE, load_blob_policy};
use notation_core::trust::{BlobTrustPolicyDocument, DirTrustStore, TrustStoreType};
use notation_core::verifier::{BlobVerifyOptions, VerificationError, Verifier};
use notation_examples::fsutil::{Overwrite, write_atomic};
use notation_examples::testpki::{TestCertificateRequest, generate};

/// The name of the test identity, its key and its trust store.
const NAME: &str = "wabbit-networks.io";
/// The blob trust policy statement.
const POLICY: &str = "wabbit-networks-blobs";

type StepResult = Result<Vec<String>, Box<dyn Error>>;

/// One step: what it does, and the code that does it (returning the lines
/// to show).
struct Step {
    title: &'static str,
    run: fn(&mut Quickstart) -> StepResult,
}

/// The steps, in order.
const STEPS: &[Step] = &[
    Step {
        title: "Create a test PKI",
        run: create_pki,
    },
    Step {
        title: "Write the Notation configuration",
        run: write_config,
    },
    Step {
        title: "Sign a file (JWS and COSE)",
        run: sign,
    },
    Step {
        title: "Verify both signatures",
        run: verify,
    },
    Step {
        title: "Tamper with the file and verify again",
        run: tamper,
    },
];

/// What the steps share.
struct Quickstart {
    root: PathBuf,
    config: PathBuf,
    key_pem: Option<Vec<u8>>,
    cert_pem: Option<Vec<u8>>,
    artifact: PathBuf,
    signatures: Vec<(EnvelopeFormat, PathBuf)>,
}

impl Quickstart {
    fn new(root: PathBuf) -> Self {
        Self {
            config: root.join("config"),
            artifact: root.join("work").join("release-notes.txt"),
            root,
            key_pem: None,
            cert_pem: None,
            signatures: Vec::new(),
        }
    }

    fn verifier(&self) -> Result<Verifier, Box<dyn Error>> {
        let policy = load_blob_policy(&self.config)?;
        Ok(
            Verifier::builder(Arc::new(DirTrustStore::new(&self.config)))
                .blob_policy(policy)
                .build()?,
        )
    }
}

fn create_pki(q: &mut Quickstart) -> StepResult {
    let generated = generate(&TestCertificateRequest::new(NAME, KeySpec::Rsa2048))?;
    let cert = generated.certificate();
    let lines = vec![
        format!("key: {} (PKCS #8)", generated.key_spec()),
        format!("certificate: {} (self-signed)", cert.subject()),
        format!("valid until: {}", timefmt::rfc3339(cert.not_after())),
        format!("SHA-256 fingerprint: {}", cert.sha256_fingerprint_hex()),
    ];
    q.key_pem = Some(generated.key_pem().as_bytes().to_vec());
    q.cert_pem = Some(generated.cert_pem().as_bytes().to_vec());
    Ok(lines)
}

fn write_config(q: &mut Quickstart) -> StepResult {
    let (key_pem, cert_pem) = (
        q.key_pem.as_ref().ok_or("no key")?,
        q.cert_pem.as_ref().ok_or("no certificate")?,
    );
    let local = q.config.join(LOCAL_KEYS_DIR);
    let key_path = local.join(format!("{NAME}.key"));
    let cert_path = local.join(format!("{NAME}.crt"));
    write_atomic(&key_path, key_pem, 0o600, Overwrite::Deny)?;
    write_atomic(&cert_path, cert_pem, 0o644, Overwrite::Deny)?;

    let store = DirTrustStore::new(&q.config);
    let stored = store.add_certificate(
        TrustStoreType::Ca,
        NAME,
        &format!("{NAME}.crt"),
        cert_pem,
        false,
    )?;

    let mut keys = SigningKeys::default();
    keys.add(
        KeySuite::local(
            NAME,
            key_path.to_string_lossy(),
            cert_path.to_string_lossy(),
        ),
        true,
    )?;
    keys.save(&q.config)?;

    let policy = BlobTrustPolicyDocument::init(
        POLICY,
        &[format!("ca:{NAME}")],
        &["x509.subject: C=US, ST=WA, O=Notary".to_string()],
        true,
    )?;
    let policy_path = q.config.join(BLOB_POLICY_FILE);
    write_atomic(
        &policy_path,
        &policy.to_json_pretty(),
        0o600,
        Overwrite::Deny,
    )?;
    Ok(vec![
        format!("NOTATION_CONFIG={}", q.config.display()),
        format!("trust store ca:{NAME}: {}", stored.display()),
        format!("signing key {NAME} (default): {}", key_path.display()),
        format!(
            "blob trust policy {POLICY:?} (strict, global): {}",
            policy_path.display()
        ),
    ])
}

fn sign(q: &mut Quickstart) -> StepResult {
    write_atomic(
        &q.artifact,
        b"notation-rs quickstart: release notes\n",
        0o644,
        Overwrite::Deny,
    )?;
    // The signing key, as `notation blob sign` finds it: the default key of
    // signingkeys.json.
    let keys = SigningKeys::load(&q.config)?;
    let key = keys.get(None)?;
    let signer = LocalSigner::from_files(
        key.key_path.as_deref().ok_or("not a local key")?.as_ref(),
        key.cert_path.as_deref().ok_or("not a local key")?.as_ref(),
    )?;
    let crypto = default_provider();
    let metadata: BTreeMap<String, String> = [("buildId".to_string(), "101".to_string())].into();
    let mut lines = vec![format!("file: {}", q.artifact.display())];
    for format in [EnvelopeFormat::Jws, EnvelopeFormat::Cose] {
        let options = BlobSignOptions::new(format).user_metadata(metadata.clone());
        let mut blob = BufReader::new(fs::File::open(&q.artifact)?);
        let envelope = sign_blob(&signer, &mut blob, &options, crypto.as_ref())?;
        let name = q
            .artifact
            .file_name()
            .ok_or("no file name")?
            .to_string_lossy()
            .into_owned();
        let path = q
            .artifact
            .with_file_name(signature_file_name(&name, format));
        write_atomic(&path, &envelope, 0o600, Overwrite::Deny)?;
        lines.push(format!(
            "{} signature ({} bytes): {}",
            format.media_type(),
            envelope.len(),
            path.display()
        ));
        q.signatures.push((format, path));
    }
    Ok(lines)
}

fn verify(q: &mut Quickstart) -> StepResult {
    let verifier = q.verifier()?;
    let options =
        BlobVerifyOptions::new().user_metadata([("buildId".to_string(), "101".to_string())].into());
    let mut lines = Vec::new();
    for (format, path) in &q.signatures {
        let envelope = fs::read(path)?;
        let mut blob = BufReader::new(fs::File::open(&q.artifact)?);
        let outcome = verifier.verify_blob(&envelope, *format, &mut blob, &options)?;
        let checks: Vec<String> = outcome
            .results()
            .iter()
            .map(|r| {
                format!(
                    "{} {}",
                    r.check().as_str(),
                    if r.passed() { "ok" } else { "FAILED" }
                )
            })
            .collect();
        lines.push(format!(
            "{}: verified under policy {:?} ({})",
            path.file_name().unwrap_or_default().to_string_lossy(),
            outcome.policy_name(),
            checks.join(", ")
        ));
    }
    Ok(lines)
}

fn tamper(q: &mut Quickstart) -> StepResult {
    let mut content = fs::read(&q.artifact)?;
    content.extend_from_slice(b"one more line\n");
    fs::write(&q.artifact, content)?;
    let verifier = q.verifier()?;
    let mut lines = vec!["appended a line to the file".to_string()];
    for (format, path) in &q.signatures {
        let envelope = fs::read(path)?;
        let mut blob = BufReader::new(fs::File::open(&q.artifact)?);
        match verifier.verify_blob(&envelope, *format, &mut blob, &BlobVerifyOptions::new()) {
            Ok(_) => {
                return Err(format!("{} still verified after tampering", path.display()).into());
            }
            // N9: the signature is genuine and trusted, but it does not
            // cover these bytes.
            Err(e @ VerificationError::BlobMismatch(_)) => lines.push(format!(
                "{}: rejected as expected: {e}",
                path.file_name().unwrap_or_default().to_string_lossy()
            )),
            Err(e) => {
                return Err(format!("{} failed for the wrong reason: {e}", path.display()).into());
            }
        }
    }
    Ok(lines)
}

fn main() {
    let keep = std::env::args().skip(1).any(|a| a == "--keep");
    let temp = match tempfile::Builder::new()
        .prefix("notation-quickstart-")
        .tempdir()
    {
        Ok(t) => t,
        Err(e) => {
            eprintln!("cannot create a temporary directory: {e}");
            std::process::exit(1);
        }
    };
    let mut q = Quickstart::new(temp.path().to_path_buf());
    println!("notation-rs quickstart in {}", q.root.display());
    let mut ok = true;
    for (i, step) in STEPS.iter().enumerate() {
        println!("\n[{}/{}] {}", i + 1, STEPS.len(), step.title);
        match (step.run)(&mut q) {
            Ok(lines) => {
                for line in lines {
                    println!("      {line}");
                }
            }
            Err(e) => {
                println!("      FAILED: {e}");
                ok = false;
                break;
            }
        }
    }
    if keep {
        let path = temp.keep();
        println!(
            "\nKept {}; try: NOTATION_CONFIG={}/config notation key list",
            path.display(),
            path.display()
        );
    }
    if ok {
        println!("\nAll steps behaved as expected.");
    } else {
        println!("\nThe quickstart did not complete.");
        std::process::exit(1);
    }
}
