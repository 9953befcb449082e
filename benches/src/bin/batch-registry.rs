//! The registry side of the batch verification measurement
//! (scripts/bench-batch.sh):
//!
//! ```text
//! batch-registry populate <registry> <count> <config-dir> <references-file>
//! batch-registry floor <concurrency> <references-file>
//! ```
//!
//! `populate` pushes `count` small images to `<registry>` (plain HTTP, a
//! loopback registry such as `localhost:5000`), one repository each, signs
//! each with the test PKI's `ec-256` key (JWS), writes a notation
//! configuration directory that trusts it (`trustpolicy.oci.json` and, for
//! the reference CLI v1.3.2, `trustpolicy.json`; the test root in
//! `truststore/x509/ca/bench`) and the references, by digest, one per line.
//!
//! `floor` is the floor a batch verification is measured against: a plain
//! HTTP client (one connection pool, `concurrency` threads) that makes only
//! the requests the protocol needs for each reference of a registry without
//! the referrers API, knowing that already: `HEAD` the manifest, `GET` the
//! referrers tag schema index, `GET` the signature manifest, `GET` the
//! envelope blob (`notation_benches::batch::floor_one`). It verifies
//! nothing and fails if a reference has no signature.

use std::process::ExitCode;
use std::time::Instant;

use notation_benches::{batch, pki, signer};
use notation_oci::registry::RegistryClient;
use notation_oci::registry::transport::{Timeouts, TrustRoots, UreqTransport};

const POLICY: &str = r#"{"version":"1.0","trustPolicies":[{"name":"bench","registryScopes":["*"],
  "signatureVerification":{"level":"strict"},"trustStores":["ca:bench"],
  "trustedIdentities":["x509.subject: C=US, ST=WA, O=Notary"]}]}"#;

fn populate(registry: &str, count: usize, config: &str, references: &str) -> Result<(), String> {
    let client = RegistryClient::new().map_err(|e| e.to_string())?;
    let list = batch::populate(&client, registry, count, &signer("ec-256"))?;
    let store = std::path::Path::new(config).join("truststore/x509/ca/bench");
    std::fs::create_dir_all(&store).map_err(|e| e.to_string())?;
    std::fs::write(store.join("root.crt"), pki("root.crt")).map_err(|e| e.to_string())?;
    for name in ["trustpolicy.oci.json", "trustpolicy.json"] {
        std::fs::write(std::path::Path::new(config).join(name), POLICY)
            .map_err(|e| e.to_string())?;
    }
    std::fs::write(references, list.join("\n") + "\n").map_err(|e| e.to_string())
}

fn floor(concurrency: usize, references: &str) -> Result<(), String> {
    let list = std::fs::read_to_string(references).map_err(|e| e.to_string())?;
    let references: Vec<String> = list
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let transport = UreqTransport::new(&TrustRoots::platform(), Timeouts::default())
        .map_err(|e| e.to_string())?;
    let start = Instant::now();
    let failures = batch::floor(&transport, &references, concurrency, false);
    eprintln!(
        "floor: {} references, concurrency {concurrency}: {:.1?}",
        references.len(),
        start.elapsed()
    );
    match failures.first() {
        None => Ok(()),
        Some(first) => Err(format!("{} failed, first: {first}", failures.len())),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["populate", registry, count, config, references] => count
            .parse()
            .map_err(|_| "count must be a number".to_string())
            .and_then(|n| populate(registry, n, config, references)),
        ["floor", concurrency, references] => concurrency
            .parse()
            .map_err(|_| "concurrency must be a number".to_string())
            .and_then(|c| floor(c, references)),
        _ => Err(
            "usage: batch-registry populate <registry> <count> <config-dir> <references-file>\n       batch-registry floor <concurrency> <references-file>"
                .to_string(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("batch-registry: {e}");
            ExitCode::FAILURE
        }
    }
}
