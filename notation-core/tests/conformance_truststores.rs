//! Conformance: every trust store of `05-truststores` loads (or fails) as the
//! MANIFEST states, plus the cases the shared copy cannot hold (real
//! symlinks, sub-directories inside a typed store) built in a temporary
//! directory, and the store file operations.

use std::error::Error as _;
use std::fs;
use std::path::{Path, PathBuf};

use notation_core::trust::store::{
    CertificateFileError, CertificateValidationError, DirTrustStore, MAX_CERTIFICATE_FILE_SIZE,
    MemoryTrustStore, TrustStore, TrustStoreError, TrustStoreManagementError, TrustStoreType,
};
use notation_core::x509::Certificate;

const CONFORMANCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/conformance");

fn conformance(rel: &str) -> PathBuf {
    let root = Path::new(CONFORMANCE);
    assert!(
        root.is_dir(),
        "conformance vectors not found at {}: the shared directory must be checked out next to the workspace",
        root.display()
    );
    root.join(rel)
}

/// The `NOTATION_CONFIG` root of the shared stores.
fn shared_store() -> DirTrustStore {
    DirTrustStore::new(conformance("05-truststores/notation-go-verifier"))
}

fn x509(rel: &str) -> PathBuf {
    conformance(&format!(
        "05-truststores/notation-go-verifier/truststore/x509/{rel}"
    ))
}

use TrustStoreType::{Ca, SigningAuthority, Tsa};

fn subjects(certs: &[Certificate]) -> Vec<String> {
    certs.iter().map(|c| c.subject().to_string()).collect()
}

#[test]
fn valid_stores() {
    let store = shared_store();
    let ca = store.certificates(Ca, "valid-trust-store").unwrap();
    // File-name order, subjects as Go renders them (CN, OU, O, ..., C):
    // GlobalSign.der, GlobalSignRootCA.crt, NotationTestRoot.pem,
    // TestTimestamp.crt, TestTimestampNotYetValid.crt, wabbit-networks.io.crt.
    assert_eq!(
        subjects(&ca),
        [
            "CN=GlobalSign,OU=GlobalSign Root CA - R3,O=GlobalSign",
            "CN=GlobalSign,OU=GlobalSign Root CA - R3,O=GlobalSign",
            "CN=Notation Test Root,O=Notary,L=Seattle,ST=WA,C=US",
            "CN=alpine,O=Notary,L=Seattle,ST=WA,C=US",
            "CN=testTSA,O=Notary,L=Seattle,ST=WA,C=US",
            "CN=wabbit-networks.io,O=Notary,L=Seattle,ST=WA,C=US",
        ]
    );
    assert_eq!(
        store.certificates(Ca, "valid-trust-store-2").unwrap().len(),
        2
    );
    assert_eq!(
        store
            .certificates(Ca, "valid-trust-store-self-signed")
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store
            .certificates(SigningAuthority, "valid-trust-store")
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        store
            .certificates(SigningAuthority, "valid-trust-store-2")
            .unwrap()
            .len(),
        2
    );
    let tsa = store.certificates(Tsa, "test-timestamp").unwrap();
    assert_eq!(
        subjects(&tsa),
        ["CN=GlobalSign,OU=GlobalSign Root CA - R6,O=GlobalSign"]
    );
    let mismatch = store.certificates(Tsa, "test-mismatch").unwrap();
    assert_eq!(
        subjects(&mismatch),
        ["CN=DigiCert Trusted Root G4,OU=www.digicert.com,O=DigiCert Inc,C=US"]
    );
}

fn err(store: &DirTrustStore, t: TrustStoreType, name: &str) -> TrustStoreError {
    match store.certificates(t, name) {
        Ok(certs) => panic!(
            "{t}:{name} loaded {} certificates, expected an error",
            certs.len()
        ),
        Err(e) => e,
    }
}

#[test]
fn invalid_stores() {
    let store = shared_store();

    let e = err(&store, Ca, "trust-store-with-invalid-certs");
    assert_eq!(
        e.to_string(),
        "failed to read the trusted certificate invalid in trust store trust-store-with-invalid-certs of type ca"
    );
    assert!(matches!(
        e,
        TrustStoreError::ReadCertificate {
            source: CertificateFileError::Parse(_),
            ..
        }
    ));

    let e = err(&store, Ca, "trust-store-with-leaf-certs");
    assert_eq!(
        e.to_string(),
        "failed to validate the trusted certificate non-ca.crt in trust store trust-store-with-leaf-certs of type ca"
    );
    assert_eq!(
        e.source().unwrap().to_string(),
        "certificate with subject \"CN=wabbit-networks.io,O=Notary,L=Seattle,ST=WA,C=US\" is not a CA certificate or self-signed signing certificate"
    );

    let e = err(&store, Ca, "trust-store-with-leaf-certs-in-single-file");
    assert_eq!(
        e.to_string(),
        "failed to validate the trusted certificate RootAndLeafCerts.crt in trust store trust-store-with-leaf-certs-in-single-file of type ca"
    );

    assert_eq!(
        err(&store, Tsa, "test-nonCA").to_string(),
        "trusted certificate wabbit-networks.io.crt in trust store test-nonCA of type tsa is invalid: certificate with subject \"CN=wabbit-networks.io,O=Notary,L=Seattle,ST=WA,C=US\" is not a root CA certificate: x509: invalid signature: parent certificate cannot sign this kind of certificate"
    );
    assert_eq!(
        err(&store, Tsa, "test-nonSelfIssued").to_string(),
        "trusted certificate nonSelfIssued.crt in trust store test-nonSelfIssued of type tsa is invalid: certificate with subject \"CN=Notation Test Revokable RSA Chain Cert 2,O=Notary,L=Seattle,ST=WA,C=US\" is not a root CA certificate: issuer (CN=Notation Test Revokable RSA Chain Cert Root,O=Notary,L=Seattle,ST=WA,C=US) and subject (CN=Notation Test Revokable RSA Chain Cert 2,O=Notary,L=Seattle,ST=WA,C=US) are not the same"
    );

    let e = err(&store, Ca, "does-not-exist");
    assert_eq!(
        e.to_string(),
        "the trust store \"does-not-exist\" of type \"ca\" does not exist"
    );
    assert!(matches!(
        e,
        TrustStoreError::NotFound { store_type: Ca, .. }
    ));
    // A store of one type is not a store of another.
    assert!(matches!(
        err(&store, Tsa, "valid-trust-store"),
        TrustStoreError::NotFound { .. }
    ));

    // Upstream's "symlink" vectors are plain 20-byte files in the copy.
    assert!(matches!(
        err(&store, Ca, "valid-trust-store_SYMLINK"),
        TrustStoreError::ReadCertificate { .. }
    ));

    assert_eq!(
        err(&store, Ca, "#@$@$").to_string(),
        "trust store name needs to follow [a-zA-Z0-9_.-]+ format, #@$@$ is invalid"
    );
}

/// A scratch `NOTATION_CONFIG` with a `ca` store made of shared files.
fn scratch() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("truststore/x509/ca");
    fs::create_dir_all(&ca).unwrap();
    (dir, ca)
}

fn copy_into(dir: &Path, src: &Path) -> PathBuf {
    fs::create_dir_all(dir).unwrap();
    let dest = dir.join(src.file_name().unwrap());
    fs::copy(src, &dest).unwrap();
    dest
}

#[cfg(unix)]
#[test]
fn symlinks_are_refused() {
    use std::os::unix::fs::symlink;
    let (dir, ca) = scratch();
    let root = x509("trust-store-with-cert-symlinks/GlobalSignRootCA.crt");

    let real = ca.join("real-store");
    copy_into(&real, &root);
    symlink(&real, ca.join("linked-store")).unwrap();
    let store = DirTrustStore::new(dir.path());
    assert_eq!(store.certificates(Ca, "real-store").unwrap().len(), 1);
    let e = err(&store, Ca, "linked-store");
    assert_eq!(
        e.to_string(),
        format!(
            "the trust store linked-store of type ca with path {} is not a regular directory (symlinks are not supported)",
            ca.join("linked-store").display()
        )
    );

    let with_link = ca.join("trust-store-with-cert-symlinks");
    let target = copy_into(&with_link, &root);
    symlink(&target, with_link.join("GlobalSignRootCA_SYMLINK.crt")).unwrap();
    assert_eq!(
        err(&store, Ca, "trust-store-with-cert-symlinks").to_string(),
        "trusted certificate GlobalSignRootCA_SYMLINK.crt in trust store trust-store-with-cert-symlinks of type ca is not a regular file (directories or symlinks are not supported)"
    );

    // A dangling symlink as store.
    symlink(ca.join("nowhere"), ca.join("dangling")).unwrap();
    assert!(matches!(
        err(&store, Ca, "dangling"),
        TrustStoreError::NotADirectory { .. }
    ));
}

/// W3: the spec says ignore sub-directories; the reference (and we) fail.
#[test]
fn sub_directories_are_refused() {
    let (dir, ca) = scratch();
    let with_dirs = ca.join("trust-store-with-directories");
    copy_into(
        &with_dirs,
        &x509("trust-store-with-directories/GlobalSignRootCA.crt"),
    );
    copy_into(
        &with_dirs.join("sub-dir"),
        &x509("trust-store-with-directories/sub-dir/.gitkeep"),
    );
    let store = DirTrustStore::new(dir.path());
    assert_eq!(
        err(&store, Ca, "trust-store-with-directories").to_string(),
        "trusted certificate sub-dir in trust store trust-store-with-directories of type ca is not a regular file (directories or symlinks are not supported)"
    );
}

#[test]
fn degenerate_stores() {
    let (dir, ca) = scratch();
    let store = DirTrustStore::new(dir.path());

    fs::create_dir(ca.join("empty")).unwrap();
    assert_eq!(
        err(&store, Ca, "empty").to_string(),
        "no x509 certificates were found in trust store \"empty\" of type \"ca\""
    );

    let empty_file = ca.join("empty-file");
    fs::create_dir(&empty_file).unwrap();
    fs::write(empty_file.join("empty.crt"), b"").unwrap();
    let e = err(&store, Ca, "empty-file");
    assert_eq!(
        e.to_string(),
        "failed to validate the trusted certificate empty.crt in trust store empty-file of type ca"
    );
    assert!(matches!(
        e,
        TrustStoreError::InvalidCertificate {
            source: CertificateValidationError::Empty,
            ..
        }
    ));

    fs::write(ca.join("not-a-dir"), b"x").unwrap();
    assert!(matches!(
        err(&store, Ca, "not-a-dir"),
        TrustStoreError::NotADirectory { .. }
    ));

    // Text around PEM blocks is ignored (as Go's pem.Decode does), and the
    // extension does not matter.
    let pem = fs::read(x509("ca/valid-trust-store/NotationTestRoot.pem")).unwrap();
    let annotated = ca.join("annotated");
    fs::create_dir(&annotated).unwrap();
    let mut text = b"Certificate:\n    Data: (openssl x509 -text output)\n".to_vec();
    text.extend_from_slice(&pem);
    fs::write(annotated.join("root.txt"), text).unwrap();
    assert_eq!(store.certificates(Ca, "annotated").unwrap().len(), 1);

    let huge = ca.join("huge");
    fs::create_dir(&huge).unwrap();
    fs::write(
        huge.join("big.pem"),
        vec![b'A'; MAX_CERTIFICATE_FILE_SIZE as usize + 1],
    )
    .unwrap();
    assert!(matches!(
        err(&store, Ca, "huge"),
        TrustStoreError::ReadCertificate {
            source: CertificateFileError::TooLarge { .. },
            ..
        }
    ));

    for name in [".", ".."] {
        assert!(matches!(
            err(&store, Ca, name),
            TrustStoreError::InvalidName { .. }
        ));
    }
}

#[test]
fn store_file_operations() {
    let dir = tempfile::tempdir().unwrap();
    let store = DirTrustStore::new(dir.path());
    let root = x509("ca/valid-trust-store/NotationTestRoot.pem");
    let leaf = x509("ca/trust-store-with-leaf-certs/non-ca.crt");

    assert!(store.list_stores(Ca).unwrap().is_empty());
    assert!(store.list_certificate_files(Ca, "acme").unwrap().is_empty());

    let path = store
        .add_certificate_file(Ca, "acme", &root, false)
        .unwrap();
    assert_eq!(
        path,
        dir.path()
            .join("truststore/x509/ca/acme/NotationTestRoot.pem")
    );
    assert_eq!(store.certificates(Ca, "acme").unwrap().len(), 1);
    assert_eq!(store.list_stores(Ca).unwrap(), ["acme"]);
    assert_eq!(
        store.list_certificate_files(Ca, "acme").unwrap(),
        ["NotationTestRoot.pem"]
    );
    assert_eq!(
        store
            .read_certificate_file(Ca, "acme", "NotationTestRoot.pem")
            .unwrap()
            .len(),
        1
    );

    let e = store
        .add_certificate_file(Ca, "acme", &root, false)
        .unwrap_err();
    assert!(matches!(e, TrustStoreManagementError::AlreadyExists { .. }));
    assert_eq!(
        e.to_string(),
        "certificate already exists in the Trust Store"
    );
    store.add_certificate_file(Ca, "acme", &root, true).unwrap();

    let der = fs::read(x509("ca/valid-trust-store/GlobalSign.der")).unwrap();
    store
        .add_certificate(Ca, "acme", "globalsign.cer", &der, false)
        .unwrap();
    assert_eq!(store.certificates(Ca, "acme").unwrap().len(), 2);

    // The store rules are applied before anything is written.
    assert!(matches!(
        store.add_certificate_file(Ca, "acme", &leaf, false),
        Err(TrustStoreManagementError::Invalid {
            error: CertificateValidationError::NotCaOrSelfSigned { .. },
            ..
        })
    ));
    assert!(matches!(
        store.add_certificate_file(
            Tsa,
            "tsa-store",
            &x509("tsa/test-nonSelfIssued/nonSelfIssued.crt"),
            false
        ),
        Err(TrustStoreManagementError::Invalid {
            error: CertificateValidationError::NotSelfIssued { .. },
            ..
        })
    ));
    assert!(matches!(
        store.add_certificate(Ca, "acme", "x.crt", b"garbage!", false),
        Err(TrustStoreManagementError::Read { .. })
    ));
    assert!(store.list_stores(Tsa).unwrap().is_empty());
    assert_eq!(
        store.list_certificate_files(Ca, "acme").unwrap(),
        ["NotationTestRoot.pem", "globalsign.cer"]
    );

    // Names that would leave the store.
    for bad in ["..", "a/b", ""] {
        assert!(matches!(
            store.add_certificate(Ca, bad, "x.crt", &der, false),
            Err(TrustStoreManagementError::InvalidStoreName { .. })
        ));
    }
    for bad in ["../x.crt", "..", "", "a/b"] {
        assert!(matches!(
            store.add_certificate(Ca, "acme", bad, &der, false),
            Err(TrustStoreManagementError::InvalidFileName { .. })
        ));
        assert!(store.delete_certificate(Ca, "acme", bad).is_err());
    }

    // No temporary files are left behind, in the store or next to it.
    let leftovers: Vec<_> = fs::read_dir(dir.path().join("truststore/x509/ca"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["acme"]);

    assert!(matches!(
        store.delete_certificate(Ca, "acme", "missing.crt"),
        Err(TrustStoreManagementError::CertificateNotFound { .. })
    ));
    store
        .delete_certificate(Ca, "acme", "globalsign.cer")
        .unwrap();
    assert_eq!(
        store.list_certificate_files(Ca, "acme").unwrap(),
        ["NotationTestRoot.pem"]
    );
    // Deleting the last certificate removes the store.
    store
        .delete_certificate(Ca, "acme", "NotationTestRoot.pem")
        .unwrap();
    assert!(!dir.path().join("truststore/x509/ca/acme").exists());
    assert!(matches!(
        store.certificates(Ca, "acme"),
        Err(TrustStoreError::NotFound { .. })
    ));

    store
        .add_certificate_file(SigningAuthority, "sa", &root, false)
        .unwrap();
    assert_eq!(store.list_stores(SigningAuthority).unwrap(), ["sa"]);
    let removed = store.delete_store(SigningAuthority, "sa").unwrap();
    assert!(!removed.exists());
    assert!(matches!(
        store.delete_store(SigningAuthority, "sa"),
        Err(TrustStoreManagementError::StoreNotFound { .. })
    ));

    // A TSA root goes into a tsa store.
    store
        .add_certificate_file(
            Tsa,
            "ts",
            &x509("tsa/test-timestamp/globalsignRoot.cer"),
            false,
        )
        .unwrap();
    assert_eq!(store.certificates(Tsa, "ts").unwrap().len(), 1);
}

#[cfg(unix)]
#[test]
fn deleting_a_symlinked_store_does_not_follow_it() {
    use std::os::unix::fs::symlink;
    let (dir, ca) = scratch();
    let outside = dir.path().join("outside");
    copy_into(&outside, &x509("ca/valid-trust-store/NotationTestRoot.pem"));
    symlink(&outside, ca.join("linked")).unwrap();
    let store = DirTrustStore::new(dir.path());
    assert!(matches!(
        store.delete_store(Ca, "linked"),
        Err(TrustStoreManagementError::NotADirectory { .. })
    ));
    assert!(outside.join("NotationTestRoot.pem").exists());
}

#[test]
fn memory_store() {
    let parse = |rel: &str| Certificate::parse_many(&fs::read(x509(rel)).unwrap()).unwrap();
    let mut store = MemoryTrustStore::new();
    store
        .add(
            Ca,
            "mem",
            parse("ca/valid-trust-store/NotationTestRoot.pem"),
        )
        .unwrap();
    store
        .add(Ca, "mem", parse("ca/valid-trust-store/GlobalSign.der"))
        .unwrap();
    assert_eq!(store.certificates(Ca, "mem").unwrap().len(), 2);
    assert!(matches!(
        store.certificates(SigningAuthority, "mem"),
        Err(TrustStoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.add(
            Ca,
            "mem",
            parse("ca/trust-store-with-leaf-certs/non-ca.crt")
        ),
        Err(TrustStoreManagementError::Invalid { .. })
    ));
    assert!(matches!(
        store.add(Tsa, "t", parse("tsa/test-nonCA/wabbit-networks.io.crt")),
        Err(TrustStoreManagementError::Invalid {
            error: CertificateValidationError::NotRootCa { .. },
            ..
        })
    ));
    assert!(matches!(
        store.add(Ca, "empty", Vec::new()),
        Err(TrustStoreManagementError::Invalid { .. })
    ));
    assert!(matches!(
        store.add(Ca, "bad/name", parse("ca/valid-trust-store/GlobalSign.der")),
        Err(TrustStoreManagementError::InvalidStoreName { .. })
    ));
    // Usable behind the object-safe trait.
    let shared: std::sync::Arc<dyn TrustStore> = std::sync::Arc::new(store);
    assert_eq!(shared.certificates(Ca, "mem").unwrap().len(), 2);
}
