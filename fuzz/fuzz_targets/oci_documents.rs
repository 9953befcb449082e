//! The notation-oci parsers of registry and layout documents, one per
//! selector (the first byte; the rest is the document): 0 image manifests,
//! 1 image indexes (referrers responses and tag-schema indexes, with the
//! referrers filtering and index maintenance), 2 signature manifests (both
//! manifest media types, the Notary referrer rules, thumbprints), 3 `Link`
//! headers (one value per line), 4 `WWW-Authenticate` headers and token
//! scopes (one value per line), 5 artifact references, 6 `--oci-layout`
//! references and blob digests, 7 Notary payloads (notation-core's reading
//! of a signed payload). Besides "never panic", every round trip must hold:
//! what parses re-serializes to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use notation_oci::layout::parse_layout_reference;
use notation_oci::oci::{
    ARTIFACT_TYPE_NOTATION, Descriptor, ImageIndex, ImageManifest, MEDIA_TYPE_ARTIFACT_MANIFEST,
    MEDIA_TYPE_IMAGE_MANIFEST,
};
use notation_oci::reference::{Reference, is_valid_digest, is_valid_repository};
use notation_oci::referrers::{add_to_index, filter_artifact_type, index_entry, referrers_tag};
use notation_oci::registry::auth::{Scopes, parse_challenges};
use notation_oci::registry::link::{next_link, parse_links};
use notation_oci::signature::{notary_referrer, parse_signature_manifest, thumbprints};

/// The alpine manifest of the conformance layout (02).
fn alpine() -> Descriptor {
    Descriptor::new(
        MEDIA_TYPE_IMAGE_MANIFEST,
        "sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0",
        481,
    )
}

fn manifest(data: &[u8]) {
    let Ok(m) = ImageManifest::from_json(data) else {
        return;
    };
    let again = ImageManifest::from_json(&m.to_json()).expect("a serialized manifest parses");
    assert_eq!(again, m, "manifest round trip");
    let node = Descriptor::of(MEDIA_TYPE_IMAGE_MANIFEST, data);
    let _ = index_entry(&node, &m);
    if let Some(subject) = &m.subject {
        let _ = notary_referrer(&node, &m, subject);
        let _ = subject.to_payload_descriptor();
        let _ = subject.is_manifest();
    }
    for d in m.layers.iter().chain(m.blobs.iter()).flatten() {
        let _ = thumbprints(d);
        let _ = referrers_tag(&d.digest);
    }
}

fn index(data: &[u8]) {
    let Ok(index) = ImageIndex::from_json(data) else {
        return;
    };
    let again = ImageIndex::from_json(&index.to_json()).expect("a serialized index parses");
    assert_eq!(again, index, "index round trip");
    let notary = filter_artifact_type(&index, ARTIFACT_TYPE_NOTATION);
    assert!(notary.len() <= index.manifests.len());
    for d in &notary {
        let _ = thumbprints(d);
    }
    let entry = Descriptor::of(MEDIA_TYPE_IMAGE_MANIFEST, data);
    match add_to_index(Some(&index), entry.clone()) {
        // Already listed: nothing to push.
        None => assert!(index.manifests.iter().any(|d| d.digest == entry.digest)),
        Some(updated) => {
            assert_eq!(updated.manifests.len(), index.manifests.len() + 1);
            assert!(
                add_to_index(Some(&updated), entry).is_none(),
                "no duplicates"
            );
        }
    }
}

fn signature_manifest(data: &[u8]) {
    let artifact = alpine();
    for media_type in [MEDIA_TYPE_IMAGE_MANIFEST, MEDIA_TYPE_ARTIFACT_MANIFEST] {
        for subject in [None, Some(&artifact)] {
            if let Ok(parsed) = parse_signature_manifest(media_type, data, subject) {
                let _ = parsed.envelope_format();
                if let (Some(want), Some(got)) = (subject, &parsed.subject) {
                    assert_eq!(got.digest, want.digest, "subject checked");
                }
            }
        }
    }
    if let Ok(m) = ImageManifest::from_json(data) {
        let node = Descriptor::of(MEDIA_TYPE_IMAGE_MANIFEST, data);
        if let Some(d) = notary_referrer(&node, &m, &artifact) {
            assert_eq!(d.artifact_type.as_deref(), Some(ARTIFACT_TYPE_NOTATION));
            let _ = thumbprints(&d);
        }
    }
}

/// A signed payload as the verifier reads it: what parses writes out (as
/// the reference writes a payload) and reads back the same.
fn payload(data: &[u8]) {
    use notation_core::payload::Payload;
    if let Ok(p) = Payload::from_json(data) {
        let again = Payload::from_json(&p.to_json()).expect("a written payload parses");
        assert_eq!(again, p);
    }
}

fn lines(data: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(data)
        .split('\n')
        .map(str::to_owned)
        .collect()
}

fn link(data: &[u8]) {
    let values = lines(data);
    let parsed = parse_links(values.iter().map(String::as_str));
    let next = next_link(values.iter().map(String::as_str));
    assert_eq!(
        parsed.is_ok(),
        next.is_ok(),
        "next_link parses as parse_links"
    );
    if let (Ok(links), Ok(Some(target))) = (parsed, next) {
        assert!(links.iter().any(|l| l.target == target));
    }
}

fn challenges(data: &[u8]) {
    let values = lines(data);
    for c in parse_challenges(values.iter().map(String::as_str)) {
        let _ = (c.scheme(), c.is_bearer(), c.is_basic(), c.param("realm"));
        if let Some(scope) = c.param("scope") {
            let mut scopes = Scopes::repository("repo", &["pull"]);
            scopes.add_parsed(scope);
            assert!(scopes.covers(&Scopes::repository("repo", &["pull"])));
            assert!(scopes.covers(&scopes.clone()));
            let _ = scopes.to_strings();
            let _ = scopes.to_string();
        }
    }
}

fn reference(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(r) = Reference::parse(s) {
        let shown = r.to_string();
        assert_eq!(
            Reference::parse(&shown).as_ref(),
            Ok(&r),
            "{s:?} displays as {shown:?}"
        );
        assert!(is_valid_repository(r.repository()));
        if let Some(d) = r.digest() {
            assert!(is_valid_digest(d));
            assert_eq!(r.try_with_digest(d).unwrap().digest(), Some(d));
        }
        let _ = (r.scope(), r.is_localhost(), r.reference());
    }
}

fn layout_reference(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok((path, reference)) = parse_layout_reference(s) {
        assert!(!path.as_os_str().is_empty() && !reference.is_empty());
        let _ = is_valid_digest(&reference);
    }
    let _ = referrers_tag(s);
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, input)) = data.split_first() else {
        return;
    };
    match selector % 8 {
        0 => manifest(input),
        1 => index(input),
        2 => signature_manifest(input),
        3 => link(input),
        4 => challenges(input),
        5 => reference(input),
        6 => layout_reference(input),
        _ => payload(input),
    }
});
