//! Helpers shared by the ABI tests: fixtures (the committed test PKI, the
//! conformance OCI layout), and safe wrappers for the caller-buffer
//! pattern.
#![allow(dead_code)]

use std::ffi::{CString, c_char};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::ptr;

use notation::*;

pub mod plugin;
pub mod registry;

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The directory holding this build's libnotation.so and libnotation.a:
/// `deps/`, next to the test binary, where cargo writes the cdylib and
/// staticlib it builds with the tests (it copies them up to the profile
/// directory only for `cargo build`).
pub fn library_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().to_path_buf();
    for lib in ["libnotation.so", "libnotation.a"] {
        assert!(
            dir.join(lib).is_file(),
            "{} is missing: cargo builds it with the tests (crate-type cdylib and staticlib)",
            dir.join(lib).display()
        );
    }
    dir
}

/// Fails loudly when a tool the test needs is missing (it must at least
/// start; some tools exit non-zero after printing their usage).
pub fn require(tool: &str, version_flag: &str, what: &str) {
    let found = Command::new(tool).arg(version_flag).output();
    assert!(
        found.is_ok(),
        "{tool} is required for {what} and was not found ({:?}); install it (scripts/test.sh installs gcc, make, pkg-config, valgrind, golang-go, docker-registry and apache2-utils)",
        found.err()
    );
}

pub fn pki_path(name: &str) -> PathBuf {
    repo_root().join("testdata/pki").join(name)
}

pub fn pki(name: &str) -> Vec<u8> {
    let p = pki_path(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("test PKI file {} is required: {e}", p.display()))
}

/// The shared conformance vectors, next to the repository. Missing vectors
/// fail the test.
pub fn conformance(rel: &str) -> PathBuf {
    let p = repo_root().join("../shared/conformance").join(rel);
    assert!(
        p.exists(),
        "conformance vector {} is required (the shared/ directory next to the repository)",
        p.display()
    );
    p
}

/// Copies a directory tree, making the copy writable (the conformance
/// files are read-only).
pub fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let to = dst.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to);
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
            let mut perms = std::fs::metadata(&to).unwrap().permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perms.set_readonly(false);
            std::fs::set_permissions(&to, perms).unwrap();
        }
    }
}

/// A fresh writable copy of the conformance layout `e2e` (one unsigned
/// manifest, tag `v1`).
pub fn e2e_layout(dir: &Path) -> PathBuf {
    let dst = dir.join("layout");
    copy_dir(&conformance("09-e2e-oci-layouts/layouts/e2e"), &dst);
    dst
}

/// The digest of the e2e layout's manifest.
pub const E2E_DIGEST: &str =
    "sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9";

pub fn cstr(s: &str) -> CString {
    CString::new(s).unwrap()
}

/// Reads a string through the caller-buffer pattern: asks for the size,
/// then copies.
pub fn read_string(
    mut f: impl FnMut(*mut c_char, usize, *mut usize) -> notation_result,
) -> Result<String, notation_result> {
    let mut needed = 0usize;
    match f(ptr::null_mut(), 0, &mut needed) {
        notation_result::BufferTooSmall => {}
        other => return Err(other),
    }
    let mut buf = vec![0 as c_char; needed];
    let mut written = 0usize;
    let rc = f(buf.as_mut_ptr(), buf.len(), &mut written);
    if rc != notation_result::Ok {
        return Err(rc);
    }
    assert_eq!(written, needed);
    assert_eq!(buf[needed - 1], 0, "NUL-terminated");
    let bytes: Vec<u8> = buf[..needed - 1].iter().map(|&c| c as u8).collect();
    Ok(String::from_utf8(bytes).expect("UTF-8"))
}

pub fn last_error() -> String {
    // SAFETY: read_string passes valid buffers.
    read_string(|b, l, n| unsafe { notation_last_error(b, l, n) }).unwrap()
}

/// Asserts `NOTATION_RESULT_OK`, showing the last error otherwise.
#[track_caller]
pub fn ok(rc: notation_result) {
    assert_eq!(rc, notation_result::Ok, "last error: {}", last_error());
}

pub const OCI_POLICY: &str = r#"{
  "version": "1.0",
  "trustPolicies": [{
    "name": "e2e",
    "registryScopes": ["local/e2e"],
    "signatureVerification": {"level": "strict"},
    "trustStores": ["ca:test"],
    "trustedIdentities": ["*"]
  }, {
    "name": "audited",
    "registryScopes": ["local/audited"],
    "signatureVerification": {"level": "audit"},
    "trustStores": ["ca:test"],
    "trustedIdentities": ["*"]
  }, {
    "name": "skipped",
    "registryScopes": ["local/skipped"],
    "signatureVerification": {"level": "skip"}
  }]
}"#;

pub const BLOB_POLICY: &str = r#"{
  "version": "1.0",
  "trustPolicies": [{
    "name": "strict",
    "signatureVerification": {"level": "strict"},
    "trustStores": ["ca:test"],
    "trustedIdentities": ["x509.subject: C=US, ST=WA, L=Seattle, O=Notary, CN=Notation Test Leaf rsa-2048"],
    "globalPolicy": true
  }, {
    "name": "audit",
    "signatureVerification": {"level": "audit"},
    "trustStores": ["ca:test"],
    "trustedIdentities": ["*"]
  }, {
    "name": "any-leaf",
    "signatureVerification": {"level": "strict"},
    "trustStores": ["ca:test"],
    "trustedIdentities": ["*"]
  }]
}"#;

/// An in-memory configuration with both policies and the test root in
/// `ca:test`.
pub fn memory_config() -> *mut notation_config {
    let mut config = ptr::null_mut();
    // SAFETY: valid pointers and lengths throughout.
    unsafe {
        ok(notation_config_new(&mut config));
        ok(notation_config_set_oci_policy(
            config,
            OCI_POLICY.as_ptr(),
            OCI_POLICY.len(),
        ));
        ok(notation_config_set_blob_policy(
            config,
            BLOB_POLICY.as_ptr(),
            BLOB_POLICY.len(),
        ));
        let root = pki("root.crt");
        let name = cstr("test");
        ok(notation_config_add_certificates(
            config,
            notation_trust_store_type::Ca as u32,
            name.as_ptr(),
            root.as_ptr(),
            root.len(),
        ));
    }
    config
}

pub fn verifier_for(config: *const notation_config) -> *mut notation_verifier {
    let mut verifier = ptr::null_mut();
    // SAFETY: config is live; verifier is writable.
    ok(unsafe { notation_verifier_new(config, &mut verifier) });
    verifier
}

/// A signer from a test PKI key and its chain file.
pub fn new_signer(key: &str, chain: &str) -> *mut notation_signer {
    let key = pki(key);
    let chain = pki(chain);
    let mut signer = ptr::null_mut();
    // SAFETY: valid slices; signer is writable.
    ok(unsafe {
        notation_signer_new(
            key.as_ptr(),
            key.len(),
            chain.as_ptr(),
            chain.len(),
            &mut signer,
        )
    });
    signer
}

pub fn buffer_bytes(buffer: *const notation_buffer) -> Vec<u8> {
    let mut data = ptr::null();
    let mut len = 0;
    // SAFETY: buffer is live; the data is valid until it is freed.
    unsafe {
        ok(notation_buffer_data(buffer, &mut data, &mut len));
        std::slice::from_raw_parts(data, len).to_vec()
    }
}

/// Signs `blob` with `signer` in `format`, returning the envelope.
pub fn sign_blob(
    signer: *const notation_signer,
    blob: &[u8],
    options: *const notation_sign_options,
) -> Vec<u8> {
    let mut out = ptr::null_mut();
    // SAFETY: live handles, valid slices.
    unsafe {
        ok(notation_signer_sign_blob(
            signer,
            blob.as_ptr(),
            blob.len(),
            options,
            &mut out,
        ));
        let bytes = buffer_bytes(out);
        notation_buffer_free(&mut out);
        bytes
    }
}

pub fn sign_options(format: notation_envelope_format) -> *mut notation_sign_options {
    let mut options = ptr::null_mut();
    // SAFETY: writable out-parameter, then a live handle.
    unsafe {
        ok(notation_sign_options_new(&mut options));
        ok(notation_sign_options_set_format(options, format as u32));
    }
    options
}

pub fn new_result() -> *mut notation_verdict {
    let mut result = ptr::null_mut();
    // SAFETY: writable out-parameter.
    ok(unsafe { notation_verdict_new(&mut result) });
    result
}

/// One check of a result, as (check, action, passed).
pub fn checks(
    result: *const notation_verdict,
) -> Vec<(notation_check, notation_check_action, bool)> {
    let mut count = 0;
    // SAFETY: result is live; out-parameters are writable.
    unsafe {
        ok(notation_verdict_check_count(result, &mut count));
        (0..count)
            .map(|i| {
                let mut check = notation_check::Integrity;
                let mut action = notation_check_action::Skip;
                let mut passed = false;
                ok(notation_verdict_check(
                    result,
                    i,
                    &mut check,
                    &mut action,
                    &mut passed,
                ));
                (check, action, passed)
            })
            .collect()
    }
}

pub fn result_failure(result: *const notation_verdict) -> Result<String, notation_result> {
    // SAFETY: result is live; read_string passes valid buffers.
    read_string(|b, l, n| unsafe { notation_verdict_failure(result, b, l, n) })
}

pub fn check_failure(
    result: *const notation_verdict,
    index: usize,
) -> Result<String, notation_result> {
    // SAFETY: result is live; read_string passes valid buffers.
    read_string(|b, l, n| unsafe { notation_verdict_check_failure(result, index, b, l, n) })
}

/// Verifies a blob signature; returns the code.
pub fn verify_blob(
    verifier: *const notation_verifier,
    signature: &[u8],
    format: notation_envelope_format,
    blob: &[u8],
    options: *const notation_verify_options,
    result: *mut notation_verdict,
) -> notation_result {
    // SAFETY: live handles, valid slices.
    unsafe {
        notation_verifier_verify_blob(
            verifier,
            signature.as_ptr(),
            signature.len(),
            format as u32,
            blob.as_ptr(),
            blob.len(),
            options,
            result,
        )
    }
}

/// A raw handle that tests hand to other threads (the ABI promises that
/// handles may be used from any thread).
pub struct Shared<T>(pub *mut T);
impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Shared<T> {}
// SAFETY: the library documents every handle as usable from many threads.
unsafe impl<T> Send for Shared<T> {}
// SAFETY: as above.
unsafe impl<T> Sync for Shared<T> {}

/// The signature manifest digest of what `notation_signer_sign_artifact`
/// gave out (a list of one), checked and freed.
pub fn take_signed_digest(mut list: *mut notation_signature_list) -> String {
    let mut count = 0;
    // SAFETY: list is live until freed below; read_string passes valid
    // buffers.
    unsafe {
        ok(notation_signature_list_count(list, &mut count));
        assert_eq!(count, 1, "signing gives out the one signature it made");
        let digest = read_string(|b, l, n| notation_signature_list_digest(list, 0, b, l, n))
            .expect("the signature's digest");
        assert_eq!(
            read_string(|b, l, n| notation_signature_list_signature_algorithm(list, 0, b, l, n)),
            Err(notation_result::NotAvailable),
            "signing does not read the signature back"
        );
        notation_signature_list_free(&mut list);
        digest
    }
}

/// `make -C notation-ffi install` into `{dir}/prefix` (staging in
/// `{dir}/stage`) from this test build's libraries (`CARGO_LIBDIR`: the
/// install step would otherwise build them with cargo, which cannot run
/// inside `cargo test`); returns the prefix.
pub fn make_install(dir: &Path) -> PathBuf {
    require("make", "--version", "make install");
    let prefix = dir.join("prefix");
    let output = Command::new("make")
        .arg("-s")
        .arg("-C")
        .arg(repo_root().join("notation-ffi"))
        .arg("install")
        .arg(format!("PREFIX={}", prefix.display()))
        .arg(format!("CARGO_LIBDIR={}", library_dir().display()))
        .arg(format!("STAGE={}", dir.join("stage").display()))
        .output()
        .expect("run make install");
    assert!(
        output.status.success(),
        "make install failed ({})\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    prefix
}
