//! The batch verification measurement's registry side, shared by the
//! `batch` criterion bench and the `batch-registry` program
//! (scripts/bench-batch.sh): filling a registry with signed images, and the
//! floor client that makes only the protocol's requests.

use std::sync::atomic::{AtomicUsize, Ordering};

use notation_core::envelope::EnvelopeFormat;
use notation_core::signer::LocalSigner;
use notation_oci::oci::{
    ARTIFACT_TYPE_NOTATION, EMPTY_JSON, EMPTY_JSON_DIGEST, MEDIA_TYPE_IMAGE_INDEX,
    MEDIA_TYPE_IMAGE_MANIFEST,
};
use notation_oci::registry::transport::{HttpRequest, HttpTransport, Method, UreqTransport};
use notation_oci::registry::{RegistryClient, RepositoryRef};
use notation_oci::workflow::{self, SignOptions};
use notation_oci::{Reference, RemoteRepository};

/// Pushes `count` small images to `registry` through `client`, one
/// repository each (`bench/app-<i>`, tagged `v1`), signs each with
/// `signer` (JWS) and returns their references by digest.
pub fn populate(
    client: &RegistryClient,
    registry: &str,
    count: usize,
    signer: &LocalSigner,
) -> Result<Vec<String>, String> {
    let mut references = Vec::new();
    for i in 0..count {
        let repository = format!("bench/app-{i}");
        let repo = RepositoryRef::new(registry, &repository).map_err(|e| e.to_string())?;
        let layer = format!("layer {i}");
        let layer_digest = notation_oci::oci::sha256_digest(layer.as_bytes());
        client
            .push_blob(&repo, &layer_digest, layer.as_bytes())
            .map_err(|e| e.to_string())?;
        client
            .push_blob(&repo, EMPTY_JSON_DIGEST, EMPTY_JSON)
            .map_err(|e| e.to_string())?;
        let manifest = serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2,
            "mediaType": MEDIA_TYPE_IMAGE_MANIFEST,
            "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": EMPTY_JSON_DIGEST, "size": 2},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer_digest, "size": layer.len()}],
        }))
        .map_err(|e| e.to_string())?;
        let digest = client
            .push_manifest(&repo, "v1", MEDIA_TYPE_IMAGE_MANIFEST, &manifest)
            .map_err(|e| e.to_string())?
            .descriptor
            .digest;
        let reference = Reference::parse(&format!("{registry}/{repository}@{digest}"))
            .map_err(|e| e.to_string())?;
        let remote =
            RemoteRepository::new(client.clone(), &reference).map_err(|e| e.to_string())?;
        workflow::sign_artifact(
            &remote,
            &digest,
            signer,
            &SignOptions::new(EnvelopeFormat::Jws),
        )
        .map_err(|e| e.to_string())?;
        references.push(reference.to_string());
    }
    Ok(references)
}

/// The protocol's requests for one reference by digest, checked only as
/// far as finding the next URL needs: `HEAD` the manifest, list the
/// signatures (`GET` the referrers API, or the referrers tag schema index
/// where the registry has no referrers API), `GET` the first signature
/// manifest, `GET` its envelope. Plain HTTP. Returns the envelope's size.
pub fn floor_one(
    transport: &UreqTransport,
    reference: &str,
    referrers_api: bool,
) -> Result<usize, String> {
    let parsed = Reference::parse(reference).map_err(|e| e.to_string())?;
    let base = format!("http://{}/v2/{}", parsed.registry(), parsed.repository());
    let digest = parsed.digest().ok_or("references are by digest")?;
    let get = |url: String, accept: &str, head: bool| -> Result<Vec<u8>, String> {
        let method = if head { Method::Head } else { Method::Get };
        let request = HttpRequest::new(method, url.clone()).with_header("Accept", accept);
        let mut response = transport.send(&request).map_err(|e| e.to_string())?;
        if response.status() != 200 {
            return Err(format!("{url}: status {}", response.status()));
        }
        response
            .body_mut()
            .read_to_vec(4 << 20)
            .map_err(|_| format!("{url}: body"))
    };
    get(
        format!("{base}/manifests/{digest}"),
        MEDIA_TYPE_IMAGE_MANIFEST,
        true,
    )?;
    let listing = if referrers_api {
        format!("{base}/referrers/{digest}?artifactType=application%2Fvnd.cncf.notary.signature")
    } else {
        format!("{base}/manifests/{}", digest.replace(':', "-"))
    };
    let index: serde_json::Value =
        serde_json::from_slice(&get(listing, MEDIA_TYPE_IMAGE_INDEX, false)?)
            .map_err(|e| e.to_string())?;
    let signature = index["manifests"]
        .as_array()
        .and_then(|m| {
            m.iter()
                .find(|d| d["artifactType"] == ARTIFACT_TYPE_NOTATION)
        })
        .and_then(|d| d["digest"].as_str())
        .ok_or_else(|| format!("{reference}: no signature"))?
        .to_string();
    let manifest: serde_json::Value = serde_json::from_slice(&get(
        format!("{base}/manifests/{signature}"),
        MEDIA_TYPE_IMAGE_MANIFEST,
        false,
    )?)
    .map_err(|e| e.to_string())?;
    let envelope = manifest["layers"][0]["digest"]
        .as_str()
        .ok_or("signature manifest without a layer")?;
    Ok(get(format!("{base}/blobs/{envelope}"), "*/*", false)?.len())
}

/// [`floor_one`] for every reference, `concurrency` threads sharing one
/// connection pool; the failures.
pub fn floor(
    transport: &UreqTransport,
    references: &[String],
    concurrency: usize,
    referrers_api: bool,
) -> Vec<String> {
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..concurrency.max(1))
            .map(|_| {
                scope.spawn(|| {
                    let mut failures = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(reference) = references.get(i) else {
                            return failures;
                        };
                        if let Err(e) = floor_one(transport, reference, referrers_api) {
                            failures.push(e);
                        }
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("worker"))
            .collect()
    })
}
