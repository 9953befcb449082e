//! Streaming blob transfers of the registry client (copying layers):
//! chunked uploads checked on the fly, bounded reads checked as they pass,
//! mounts, and the transfer's own limits, against Debian's
//! `docker-registry` (CNCF distribution 2.8.2), the in-process registry of
//! `support/oci_registry.rs` (which records every request), and in-process
//! servers that misbehave on purpose.

mod support;

use std::io::Read;
use std::time::Duration;

use notation_oci::digest::{BlobWriteError, ContentMismatch};
use notation_oci::oci::sha256_digest;
use notation_oci::registry::{
    BlobTransferLimits, IntegrityError, RegistryClient, RegistryError, RepositoryRef,
};
use support::http::{Response, TestServer};
use support::oci_registry::OciRegistry;
use support::registry::{Auth, Registry};

fn blob(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

fn chunked_client() -> RegistryClient {
    RegistryClient::builder()
        .upload_chunk_size(64 * 1024)
        .build()
        .unwrap()
}

#[test]
fn large_blobs_go_in_chunks_and_come_back_whole() {
    let registry = Registry::start(Auth::Basic);
    let client = RegistryClient::builder()
        .upload_chunk_size(64 * 1024)
        .credentials(notation_oci::registry::credentials::StaticCredentials::new(
            registry.host(),
            notation_oci::registry::Credential::from_username_password(
                support::fixtures::USER,
                support::fixtures::PASSWORD,
            )
            .unwrap(),
        ))
        .build()
        .unwrap();
    let repo = RepositoryRef::new(registry.host(), "big").unwrap();
    let data = blob(1024 * 1024 + 123);
    let digest = sha256_digest(&data);
    let mut seen = Vec::new();
    client
        .push_blob_from(
            &repo,
            &digest,
            data.len() as u64,
            &mut &data[..],
            &mut |n| seen.push(n),
        )
        .unwrap();
    assert_eq!(seen.len(), 17, "one progress call per chunk");
    assert_eq!(*seen.last().unwrap(), data.len() as u64);
    assert!(client.blob_exists(&repo, &digest).unwrap());
    let mut back = Vec::new();
    client
        .open_blob(&repo, &digest, data.len() as u64)
        .unwrap()
        .read_to_end(&mut back)
        .unwrap();
    assert_eq!(back, data);
}

#[test]
fn a_chunked_upload_sends_each_chunk_once_and_closes_the_session() {
    let registry = OciRegistry::start();
    let client = chunked_client();
    let repo = RepositoryRef::new(registry.host(), "big").unwrap();
    let data = blob(200 * 1024);
    let digest = sha256_digest(&data);
    client
        .push_blob_from(
            &repo,
            &digest,
            data.len() as u64,
            &mut &data[..],
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(registry.blob(&digest).unwrap(), data);
    let requests = registry.requests();
    let patches: Vec<_> = requests.iter().filter(|r| r.method == "PATCH").collect();
    assert_eq!(patches.len(), 4, "200 KiB in 64 KiB chunks");
    assert_eq!(patches[1].header("Content-Range"), Some("65536-131071"));
    assert!(patches.iter().all(|p| p.body.len() <= 64 * 1024));
    let put = requests.iter().find(|r| r.method == "PUT").unwrap();
    assert!(put.body.is_empty() && put.target.contains("digest=sha256%3A"));
    assert_eq!(registry.open_sessions(), 0);

    // A blob of one chunk goes in one request, as small blobs always did.
    let small = blob(1000);
    let before = registry.request_count();
    client
        .push_blob_from(
            &repo,
            &sha256_digest(&small),
            1000,
            &mut &small[..],
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(registry.request_count() - before, 1);
}

#[test]
fn a_reader_that_lies_is_never_committed() {
    let registry = OciRegistry::start();
    let client = chunked_client();
    let repo = RepositoryRef::new(registry.host(), "big").unwrap();
    let data = blob(300 * 1024);
    let digest = sha256_digest(&data);
    let size = data.len() as u64;

    let mut other = data.clone();
    other[299 * 1024] ^= 1;
    let e = client
        .push_blob_from(&repo, &digest, size, &mut &other[..], &mut |_| {})
        .unwrap_err();
    assert!(
        matches!(e, BlobWriteError::Content(ContentMismatch::Digest { .. })),
        "{e:?}"
    );
    let short = &data[..data.len() - 1];
    let e = client
        .push_blob_from(&repo, &digest, size, &mut &short[..], &mut |_| {})
        .unwrap_err();
    assert!(
        matches!(e, BlobWriteError::Content(ContentMismatch::TooShort { .. })),
        "{e:?}"
    );
    let mut long = data.clone();
    long.push(0);
    let e = client
        .push_blob_from(&repo, &digest, size, &mut &long[..], &mut |_| {})
        .unwrap_err();
    assert!(
        matches!(e, BlobWriteError::Content(ContentMismatch::TooLong { .. })),
        "{e:?}"
    );
    assert!(registry.blob(&digest).is_none());
    assert!(!client.blob_exists(&repo, &digest).unwrap());
    assert_eq!(registry.open_sessions(), 0, "every session cancelled");
    assert!(
        !registry
            .requests()
            .iter()
            .any(|r| r.method == "PUT" && r.target.contains("digest=")),
        "no closing PUT"
    );

    // A small blob that lies is refused before any request.
    let before = registry.request_count();
    let e = client
        .push_blob_from(
            &repo,
            &sha256_digest(b"abc"),
            3,
            &mut &b"abd"[..],
            &mut |_| {},
        )
        .unwrap_err();
    assert!(matches!(e, BlobWriteError::Content(_)), "{e:?}");
    assert_eq!(registry.request_count(), before);
}

#[test]
fn reads_are_checked_as_they_pass() {
    let data = blob(50_000);
    let digest = sha256_digest(&data);
    let good = data.clone();
    let mut wrong = data.clone();
    wrong[49_999] ^= 1;
    let server = TestServer::start(move |req| {
        let path = req.path().to_string();
        if path.starts_with("/v2/good/") {
            Response::ok("application/octet-stream", good.clone())
        } else if path.starts_with("/v2/wrong/") {
            Response::ok("application/octet-stream", wrong.clone())
        } else if path.starts_with("/v2/length/") {
            Response::ok("application/octet-stream", vec![0u8; 10])
        } else if path.starts_with("/v2/header/") {
            Response::ok("application/octet-stream", vec![0u8; 50_000])
                .header("Docker-Content-Digest", sha256_digest(b"other"))
        } else {
            Response::ok("application/octet-stream", vec![0u8; 50_001]).without_length()
        }
    });
    let client = RegistryClient::new().unwrap();
    let open = |name: &str| {
        client.open_blob(
            &RepositoryRef::new(server.host(), name).unwrap(),
            &digest,
            50_000,
        )
    };
    let mut back = Vec::new();
    open("good").unwrap().read_to_end(&mut back).unwrap();
    assert_eq!(back, data);

    let read_error = |name: &str| {
        let mut reader = open(name).unwrap();
        let e = reader.read_to_end(&mut Vec::new()).unwrap_err();
        notation_oci::registry::BlobReader::error(e, "")
    };
    assert!(matches!(
        read_error("wrong"),
        RegistryError::Integrity(i) if matches!(*i, IntegrityError::DigestMismatch { .. })
    ));
    assert!(matches!(
        read_error("long"),
        RegistryError::Integrity(i) if matches!(*i, IntegrityError::LongerThanExpected { .. })
    ));
    // Contradicted before any byte is read.
    assert!(matches!(
        open("length").unwrap_err(),
        RegistryError::Integrity(i) if matches!(*i, IntegrityError::SizeMismatch { .. })
    ));
    assert!(matches!(
        open("header").unwrap_err(),
        RegistryError::Integrity(i) if matches!(*i, IntegrityError::DigestMismatch { .. })
    ));
}

#[test]
fn transfers_have_their_own_limits_not_the_operations() {
    let data = blob(200_000);
    let digest = sha256_digest(&data);
    let body = data.clone();
    let server = TestServer::start(move |req| {
        if req.path().starts_with("/v2/slow/") {
            Response::ok("application/octet-stream", vec![1u8; 20]).drip(Duration::from_millis(200))
        } else {
            Response::ok("application/octet-stream", body.clone())
        }
    });
    // An operation may read 64 KiB: a 200 KB blob is past it when fetched
    // whole, not when streamed.
    let client = RegistryClient::builder()
        .max_operation_bytes(64 * 1024)
        .blob_transfer_limits(
            BlobTransferLimits::new()
                .grace(Duration::from_secs(1))
                .min_throughput(1024 * 1024),
        )
        .build()
        .unwrap();
    let repo = RepositoryRef::new(server.host(), "big").unwrap();
    assert!(
        client
            .fetch_blob(&repo, &digest, Some(200_000), 1 << 30)
            .is_err()
    );
    let mut back = Vec::new();
    client
        .open_blob(&repo, &digest, 200_000)
        .unwrap()
        .read_to_end(&mut back)
        .unwrap();
    assert_eq!(back, data);

    // A registry that drips 20 bytes over 4 s outlasts a transfer of 20
    // bytes (1 s plus nothing for the size).
    let slow = RepositoryRef::new(server.host(), "slow").unwrap();
    let started = std::time::Instant::now();
    let e = match client.open_blob(&slow, &sha256_digest(&[1u8; 20]), 20) {
        Ok(mut reader) => notation_oci::registry::BlobReader::error(
            reader.read_to_end(&mut Vec::new()).unwrap_err(),
            "",
        ),
        Err(e) => e,
    };
    assert!(e.is_timeout(), "{e}");
    assert!(e.to_string().contains("a blob transfer may take 1s"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[test]
fn mounts_link_blobs_between_repositories() {
    let registry = Registry::start(Auth::None);
    let client = RegistryClient::new().unwrap();
    let a = RepositoryRef::new(registry.host(), "a").unwrap();
    let b = RepositoryRef::new(registry.host(), "b").unwrap();
    let data = blob(10_000);
    let digest = sha256_digest(&data);
    client.push_blob(&a, &digest, &data).unwrap();
    assert!(client.mount_blob(&b, &digest, "a").unwrap());
    assert!(client.blob_exists(&b, &digest).unwrap());
    // A blob the other repository does not have is not mounted.
    assert!(
        !client
            .mount_blob(&b, &sha256_digest(b"absent"), "a")
            .unwrap()
    );
    assert!(!client.blob_exists(&b, &sha256_digest(b"absent")).unwrap());
}
