//! The notation-rs quickstart: sign a file and verify it, end to end, with
//! nothing but a temporary directory.
//!
//! ```text
//! cargo run -p notation-examples --bin quickstart [-- --keep] [--registry localhost:5000/quickstart]
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
//! 5. tamper with the file and show verification failing, with the reason;
//! 6. sign an image in a local OCI image layout (no server needed) and
//!    verify it under an OCI trust policy;
//! 7. with `--registry <registry>/<repository>`, copy that image to a
//!    registry, sign it there and verify it (plain HTTP for localhost, as
//!    the reference does).
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
use notation_core::trust::load_oci_policy;
use notation_core::trust::policy::{BLOB_POLICY_FILE, load_blob_policy};
use notation_core::trust::{
    BlobStatementBuilder, BlobTrustPolicyDocument, DirTrustStore, TrustStoreRef, TrustStoreType,
};
use notation_core::verifier::{BlobVerifyOptions, VerificationError, Verifier};
use notation_examples::display::escape;
use notation_examples::fsutil::{Overwrite, write_atomic};
use notation_examples::testpki::{TestCertificateRequest, generate};
use notation_oci::oci::{
    ANNOTATION_REF_NAME, Descriptor, EMPTY_JSON, EMPTY_JSON_DIGEST, MEDIA_TYPE_EMPTY_JSON,
    MEDIA_TYPE_IMAGE_MANIFEST,
};
use notation_oci::registry::{RegistryClient, RepositoryRef};
use notation_oci::workflow::{self, SignOptions, VerifyOptions};
use notation_oci::{OciLayout, Reference, RemoteRepository};

/// The name of the test identity, its key and its trust store.
const NAME: &str = "wabbit-networks.io";
/// The blob trust policy statement.
const POLICY: &str = "wabbit-networks-blobs";
/// The trust policy scope of the local OCI layout.
const LAYOUT_SCOPE: &str = "local/quickstart";
/// The OCI trust policy file.
const OCI_POLICY_FILE: &str = "trustpolicy.oci.json";

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
    Step {
        title: "Sign and verify an image in a local OCI layout",
        run: oci_layout,
    },
    Step {
        title: "Sign and verify the image in a registry",
        run: registry,
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
    registry: Option<String>,
    layout: PathBuf,
}

impl Quickstart {
    fn new(root: PathBuf) -> Self {
        let layout = root.join("work").join("layout");
        Self {
            config: root.join("config"),
            artifact: root.join("work").join("release-notes.txt"),
            root,
            key_pem: None,
            cert_pem: None,
            signatures: Vec::new(),
            registry: None,
            layout,
        }
    }

    fn signer(&self) -> Result<LocalSigner, Box<dyn Error>> {
        let keys = SigningKeys::load(&self.config)?;
        let key = keys.get(None)?;
        Ok(LocalSigner::from_files(
            key.key_path.as_deref().ok_or("not a local key")?.as_ref(),
            key.cert_path.as_deref().ok_or("not a local key")?.as_ref(),
        )?)
    }

    fn oci_verifier(&self) -> Result<Verifier, Box<dyn Error>> {
        Ok(
            Verifier::builder(Arc::new(DirTrustStore::new(&self.config)))
                .oci_policy(load_oci_policy(&self.config)?)
                .build()?,
        )
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

    let policy = BlobTrustPolicyDocument::from_statements([BlobStatementBuilder::new(POLICY)
        .trust_store(TrustStoreRef::new(TrustStoreType::Ca, NAME)?)
        .trusted_identity("x509.subject: C=US, ST=WA, O=Notary")
        .global(true)])?;
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
    let signer = q.signer()?;
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

/// The small image the OCI steps sign: an empty config and one layer.
fn write_image(layout: &OciLayout) -> Result<Descriptor, Box<dyn Error>> {
    let layer = layout.write_blob(
        "application/vnd.oci.image.layer.v1.tar",
        b"quickstart image layer\n",
    )?;
    layout.write_blob(MEDIA_TYPE_EMPTY_JSON, EMPTY_JSON)?;
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": MEDIA_TYPE_IMAGE_MANIFEST,
        "config": {"mediaType": MEDIA_TYPE_EMPTY_JSON, "digest": EMPTY_JSON_DIGEST, "size": 2},
        "layers": [{"mediaType": layer.media_type, "digest": layer.digest, "size": layer.size}],
    }))?;
    let mut desc = layout.write_blob(MEDIA_TYPE_IMAGE_MANIFEST, &manifest)?;
    desc.annotations = Some([(ANNOTATION_REF_NAME.to_string(), "v1".to_string())].into());
    layout.add_to_index(desc.clone())?;
    Ok(desc)
}

fn oci_layout(q: &mut Quickstart) -> StepResult {
    let layout = OciLayout::create(&q.layout)?;
    let image = write_image(&layout)?;
    // An OCI trust policy for the layout's scope and, when a registry is
    // given, for its repository too.
    let mut scopes = vec![LAYOUT_SCOPE.to_string()];
    scopes.extend(q.registry.clone());
    let policy = serde_json::json!({
        "version": "1.0",
        "trustPolicies": [{
            "name": "quickstart-images",
            "registryScopes": scopes,
            "signatureVerification": {"level": "strict"},
            "trustStores": [format!("ca:{NAME}")],
            "trustedIdentities": ["x509.subject: C=US, ST=WA, O=Notary"],
        }],
    });
    write_atomic(
        &q.config.join(OCI_POLICY_FILE),
        &serde_json::to_vec_pretty(&policy)?,
        0o600,
        Overwrite::Deny,
    )?;
    let crypto = default_provider();
    let signed = workflow::sign(
        &layout,
        "v1",
        &q.signer()?,
        &SignOptions::new(EnvelopeFormat::Jws),
        crypto.as_ref(),
    )?;
    let verified = workflow::verify(
        &layout,
        LAYOUT_SCOPE,
        &image.digest,
        &q.oci_verifier()?,
        &VerifyOptions::new(),
    )?;
    let (signature, outcome) = verified.verified.ok_or("the policy skipped verification")?;
    Ok(vec![
        format!(
            "layout: {} (image {} tagged v1)",
            q.layout.display(),
            image.digest
        ),
        format!(
            "signed: signature manifest {}",
            signed.pushed.manifest.digest
        ),
        format!(
            "verified: {LAYOUT_SCOPE}@{} with signature {} under policy {:?}",
            image.digest,
            signature.digest,
            outcome.policy_name()
        ),
    ])
}

fn registry(q: &mut Quickstart) -> StepResult {
    let Some(target) = q.registry.clone() else {
        return Ok(vec![
            "not run: pass --registry <registry>/<repository> to sign in a registry".into(),
        ]);
    };
    let reference = Reference::parse(&format!("{target}:v1"))?;
    let client = RegistryClient::new()?;
    let repo = RepositoryRef::new(reference.registry(), reference.repository())?;
    // Copy the image from the layout.
    let layout = OciLayout::open(&q.layout)?;
    let image = layout.resolve("v1")?;
    let manifest = layout.read_blob(&image, 1 << 20)?;
    let parsed: serde_json::Value = serde_json::from_slice(&manifest)?;
    for blob in
        std::iter::once(&parsed["config"]).chain(parsed["layers"].as_array().into_iter().flatten())
    {
        let desc = Descriptor::new(
            blob["mediaType"].as_str().unwrap_or_default(),
            blob["digest"].as_str().unwrap_or_default(),
            blob["size"].as_u64().unwrap_or_default(),
        );
        client.push_blob(&repo, &desc.digest, &layout.read_blob(&desc, 1 << 20)?)?;
    }
    client.push_manifest(&repo, "v1", MEDIA_TYPE_IMAGE_MANIFEST, &manifest)?;
    let remote = RemoteRepository::new(client.clone(), &reference)?;
    let crypto = default_provider();
    let before = client.request_count();
    workflow::sign(
        &remote,
        &image.digest,
        &q.signer()?,
        &SignOptions::new(EnvelopeFormat::Cose),
        crypto.as_ref(),
    )?;
    let sign_requests = client.request_count() - before;
    let before = client.request_count();
    let verified = workflow::verify(
        &remote,
        &reference.scope(),
        &image.digest,
        &q.oci_verifier()?,
        &VerifyOptions::new(),
    )?;
    let verify_requests = client.request_count() - before;
    verified.verified.ok_or("the policy skipped verification")?;
    Ok(vec![
        format!("copied the image to {}@{}", reference.scope(), image.digest),
        format!(
            "signed ({sign_requests} HTTP requests) and verified ({verify_requests} HTTP requests)"
        ),
    ])
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let keep = args.iter().any(|a| a == "--keep");
    let registry = args
        .iter()
        .position(|a| a == "--registry")
        .and_then(|i| args.get(i + 1))
        .cloned();
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
    q.registry = registry;
    println!("notation-rs quickstart in {}", q.root.display());
    let mut ok = true;
    for (i, step) in STEPS.iter().enumerate() {
        println!("\n[{}/{}] {}", i + 1, STEPS.len(), step.title);
        match (step.run)(&mut q) {
            Ok(lines) => {
                // Results may quote a registry or a certificate: escaped
                // like everything the `notation` command prints.
                for line in lines {
                    println!("      {}", escape::line(&line));
                }
            }
            Err(e) => {
                println!("      FAILED: {}", escape::line(&e.to_string()));
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
