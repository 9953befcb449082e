//! Multi-platform images and copies through the C ABI: a two-platform
//! image index in an OCI layout, copied into Debian's `docker-registry`
//! (Basic auth, credentials from the configuration) with a progress
//! callback, signed and verified recursively there, copied to a second
//! registry and back into a layout; a child without a signature named in
//! the verdict; hostile calls.

mod common;

use std::ffi::{CStr, c_char, c_void};
use std::ptr;

use common::registry::{PASSWORD, Registry, USER};
use common::*;
use notation::*;
use notation_oci::OciLayout;
use notation_oci::oci::{Descriptor, MEDIA_TYPE_IMAGE_INDEX, MEDIA_TYPE_IMAGE_MANIFEST};
use notation_oci::store::ContentStore;

const POLICY: &str = r#"{"version":"1.0","trustPolicies":[{"name":"all","registryScopes":["*"],
  "signatureVerification":{"level":"strict"},"trustStores":["ca:test"],"trustedIdentities":["*"]}]}"#;

fn put(layout: &OciLayout, media_type: &str, data: &[u8]) -> Descriptor {
    let d = Descriptor::of(media_type, data);
    layout.push_blob(&d, &mut &data[..], &mut |_| {}).unwrap();
    d
}

/// A layout holding a two-platform OCI index tagged `v1`: the index and
/// its two children.
fn index_layout(path: &std::path::Path) -> (Descriptor, Vec<Descriptor>) {
    let layout = OciLayout::create(path).unwrap();
    let mut children = Vec::new();
    for arch in ["amd64", "arm64"] {
        let config = put(
            &layout,
            "application/vnd.oci.image.config.v1+json",
            format!(r#"{{"architecture":"{arch}","os":"linux"}}"#).as_bytes(),
        );
        let layer = put(
            &layout,
            "application/vnd.oci.image.layer.v1.tar",
            arch.repeat(10_000).as_bytes(),
        );
        let manifest = serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2, "mediaType": MEDIA_TYPE_IMAGE_MANIFEST,
            "config": config, "layers": [layer],
        }))
        .unwrap();
        let mut d = put(&layout, MEDIA_TYPE_IMAGE_MANIFEST, &manifest);
        d.other.insert(
            "platform".into(),
            serde_json::json!({"os": "linux", "architecture": arch}),
        );
        children.push(d);
    }
    let index = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": MEDIA_TYPE_IMAGE_INDEX, "manifests": children,
    }))
    .unwrap();
    let index = put(&layout, MEDIA_TYPE_IMAGE_INDEX, &index);
    let mut listed = children.clone();
    listed.push(index.clone());
    layout
        .record_manifests(&listed, Some(("v1", &index)))
        .unwrap();
    (index, children)
}

/// What the progress callback saw.
#[derive(Default)]
struct Seen {
    planned: u64,
    blobs_done: usize,
    manifests_done: usize,
    digests_ok: bool,
}

unsafe extern "C" fn on_progress(
    user_data: *mut c_void,
    event: u32,
    digest: *const c_char,
    done: u64,
    total: u64,
) {
    // SAFETY: user_data is the test's `Seen`, used on this thread only;
    // digest is a NUL-terminated string for the call.
    let (seen, digest) = unsafe { (&mut *(user_data as *mut Seen), CStr::from_ptr(digest)) };
    let digest = digest.to_str().unwrap();
    match event {
        e if e == notation_copy_event::Planned as u32 => {
            seen.planned = done;
            seen.digests_ok = digest.is_empty() && total > 0;
        }
        e if e == notation_copy_event::BlobDone as u32 => {
            seen.blobs_done += 1;
            seen.digests_ok &= digest.starts_with("sha256:") && done == total;
        }
        e if e == notation_copy_event::ManifestDone as u32 => seen.manifests_done += 1,
        _ => {}
    }
}

fn copy(
    config: *const notation_config,
    from: (notation_store_kind, &str),
    to: (notation_store_kind, &str),
    options: *const notation_copy_options,
) -> Result<*mut notation_copy_report, notation_result> {
    let (source, destination) = (cstr(from.1), cstr(to.1));
    let mut report = ptr::null_mut();
    // SAFETY: live or NULL handles, valid strings, writable out-parameter.
    let rc = unsafe {
        notation_copy(
            config,
            from.0 as u32,
            source.as_ptr(),
            to.0 as u32,
            destination.as_ptr(),
            options,
            &mut report,
        )
    };
    if rc == notation_result::Ok {
        Ok(report)
    } else {
        Err(rc)
    }
}

fn count(report: *const notation_copy_report, what: notation_copy_count) -> u64 {
    let mut value = 0;
    // SAFETY: a live report and a writable out-parameter.
    ok(unsafe { notation_copy_report_count(report, what as u32, &mut value) });
    value
}

fn target(config: *const notation_config, reference: &str) -> *mut notation_target {
    let reference = cstr(reference);
    let mut target = ptr::null_mut();
    // SAFETY: valid arguments.
    ok(unsafe { notation_target_new_registry(config, reference.as_ptr(), &mut target) });
    target
}

fn layout_target(path: &std::path::Path, reference: &str) -> *mut notation_target {
    let (path, reference, scope) = (
        cstr(path.to_str().unwrap()),
        cstr(reference),
        cstr("local/app"),
    );
    let mut target = ptr::null_mut();
    // SAFETY: valid arguments.
    ok(unsafe {
        notation_target_new_oci_layout(
            path.as_ptr(),
            reference.as_ptr(),
            scope.as_ptr(),
            &mut target,
        )
    });
    target
}

fn recursive_verify_options() -> *mut notation_verify_options {
    let mut options = ptr::null_mut();
    // SAFETY: writable out-parameter, then a live handle.
    unsafe {
        ok(notation_verify_options_new(&mut options));
        ok(notation_verify_options_set_recursive(options, true));
    }
    options
}

/// The verdict's manifests: (digest, code, failure).
fn manifests(verdict: *const notation_verdict) -> Vec<(String, notation_result, String)> {
    let mut n = 0;
    // SAFETY: a live verdict, valid buffers and out-parameters.
    unsafe {
        ok(notation_verdict_manifest_count(verdict, &mut n));
        (0..n)
            .map(|i| {
                let mut code = notation_result::Panic;
                ok(notation_verdict_manifest_code(verdict, i, &mut code));
                (
                    read_string(|b, l, m| notation_verdict_manifest_digest(verdict, i, b, l, m))
                        .unwrap(),
                    code,
                    read_string(|b, l, m| notation_verdict_manifest_failure(verdict, i, b, l, m))
                        .unwrap(),
                )
            })
            .collect()
    }
}

#[test]
fn copy_sign_and_verify_recursively_through_the_c_abi() {
    let dir = tempfile::tempdir().unwrap();
    let (index, children) = index_layout(&dir.path().join("src"));
    let (a, b) = (Registry::start(true), Registry::start(false));
    let mut config = memory_config();
    let (host, user, password) = (cstr(&a.host), cstr(USER), cstr(PASSWORD));
    // SAFETY: live configuration, valid strings.
    unsafe {
        ok(notation_config_set_oci_policy(
            config,
            POLICY.as_ptr(),
            POLICY.len(),
        ));
        ok(notation_config_set_registry_credentials(
            config,
            host.as_ptr(),
            user.as_ptr(),
            password.as_ptr(),
        ));
    }
    let mut verifier = verifier_for(config);
    let signer = new_signer("ec-256.key", "ec-256.chain.pem");

    // Import the layout into the registry, watching the progress.
    let mut options = ptr::null_mut();
    let mut seen = Seen::default();
    // SAFETY: writable out-parameter, live options, a callback of the
    // documented signature and user data living through the copy.
    unsafe {
        ok(notation_copy_options_new(&mut options));
        ok(notation_copy_options_set_progress(
            options,
            Some(on_progress),
            &mut seen as *mut Seen as *mut c_void,
        ));
    }
    let src = format!("{}:v1", dir.path().join("src").display());
    let in_a = format!("{}/app", a.host);
    let mut report = copy(
        config,
        (notation_store_kind::OciLayout, &src),
        (notation_store_kind::Registry, &in_a),
        options,
    )
    .unwrap();
    assert_eq!(
        // SAFETY: a live report; read_string passes valid buffers.
        read_string(|b, l, n| unsafe { notation_copy_report_digest(report, b, l, n) }),
        Ok(index.digest.clone())
    );
    assert_eq!(
        // SAFETY: as above.
        read_string(|b, l, n| unsafe { notation_copy_report_tag(report, b, l, n) }),
        Ok("v1".to_string())
    );
    assert_eq!(count(report, notation_copy_count::ManifestsCopied), 3);
    assert_eq!(count(report, notation_copy_count::BlobsCopied), 4);
    assert!(count(report, notation_copy_count::Bytes) > 40_000);
    assert_eq!(
        (seen.planned, seen.blobs_done, seen.manifests_done),
        (3, 4, 3)
    );
    assert!(seen.digests_ok);
    // SAFETY: live handles; freeing sets them to NULL.
    unsafe {
        notation_copy_report_free(&mut report);
        notation_copy_report_free(&mut report);
        notation_copy_options_free(&mut options);
        assert!(options.is_null());
    }

    // Sign recursively there: one signature per manifest.
    let mut a_target = target(config, &format!("{in_a}:v1"));
    let mut sign = sign_options(notation_envelope_format::Cose);
    // SAFETY: live handles and writable out-parameters throughout.
    unsafe {
        ok(notation_sign_options_set_recursive(sign, true));
        let mut list = ptr::null_mut();
        ok(notation_signer_sign_artifact(
            signer, a_target, sign, &mut list,
        ));
        let mut n = 0;
        ok(notation_signature_list_count(list, &mut n));
        assert_eq!(n, 3);
        let signed: Vec<String> = (0..n)
            .map(|i| {
                read_string(|b, l, m| notation_signature_list_subject_digest(list, i, b, l, m))
                    .unwrap()
            })
            .collect();
        assert_eq!(
            signed,
            [
                index.digest.clone(),
                children[0].digest.clone(),
                children[1].digest.clone()
            ]
        );
        notation_signature_list_free(&mut list);
        notation_sign_options_free(&mut sign);

        let mut verdict = new_result();
        let mut recursive = recursive_verify_options();
        ok(notation_verifier_verify_artifact(
            verifier, a_target, recursive, verdict,
        ));
        let results = manifests(verdict);
        assert_eq!(results.len(), 3);
        assert!(
            results
                .iter()
                .all(|(_, c, f)| *c == notation_result::Ok && f.is_empty())
        );
        // Without the option: the index alone, no manifest list.
        ok(notation_verifier_verify_artifact(
            verifier,
            a_target,
            ptr::null(),
            verdict,
        ));
        assert!(manifests(verdict).is_empty());
        notation_target_free(&mut a_target);

        // A batch with the recursive option: the index's result lists its
        // manifests, each verified.
        let reference = cstr(&format!("{in_a}:v1"));
        let references = [reference.as_ptr()];
        let mut batch = ptr::null_mut();
        ok(notation_verifier_verify_many(
            verifier,
            config,
            references.as_ptr(),
            1,
            ptr::null(),
            recursive,
            1,
            &mut batch,
        ));
        let json =
            read_string(|b, l, n| notation_batch_report_result_json(batch, 0, b, l, n)).unwrap();
        let result: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(result["outcome"], "verified", "{result:#}");
        let listed: Vec<&str> = result["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                assert_eq!(m["outcome"], "verified", "{m:#}");
                m["digest"].as_str().unwrap()
            })
            .collect();
        assert_eq!(listed, [&children[0].digest, &children[1].digest]);
        notation_batch_report_free(&mut batch);

        // To the second registry with every referrer, then into a layout,
        // where the copies verify.
        let mut all = ptr::null_mut();
        ok(notation_copy_options_new(&mut all));
        ok(notation_copy_options_set_all_referrers(all, true));
        let in_b = format!("{}/app", b.host);
        let mut report = copy(
            config,
            (notation_store_kind::Registry, &format!("{in_a}:v1")),
            (notation_store_kind::Registry, &in_b),
            all,
        )
        .unwrap();
        assert_eq!(count(report, notation_copy_count::Signatures), 3);
        notation_copy_report_free(&mut report);
        let out = dir.path().join("out");
        let report = copy(
            ptr::null(),
            (
                notation_store_kind::Registry,
                &format!("{in_b}@{}", index.digest),
            ),
            (notation_store_kind::OciLayout, out.to_str().unwrap()),
            ptr::null(),
        )
        .unwrap();
        assert_eq!(
            read_string(|b, l, n| notation_copy_report_tag(report, b, l, n)),
            Err(notation_result::NotAvailable),
            "by digest: nothing tagged"
        );
        let mut report = report;
        notation_copy_report_free(&mut report);
        let mut out_target = layout_target(&out, &index.digest);
        ok(notation_verifier_verify_artifact(
            verifier, out_target, recursive, verdict,
        ));
        assert_eq!(manifests(verdict).len(), 3);
        notation_target_free(&mut out_target);

        // In the source layout only the index is signed: the children fail,
        // by name.
        let mut src_target = layout_target(&dir.path().join("src"), "v1");
        ok(notation_signer_sign_artifact(
            signer,
            src_target,
            ptr::null(),
            ptr::null_mut(),
        ));
        let rc = notation_verifier_verify_artifact(verifier, src_target, recursive, verdict);
        assert_eq!(rc, notation_result::NoSignature);
        let failure = result_failure(verdict).unwrap();
        assert!(
            failure.starts_with("2 of the 3 manifests did not verify; "),
            "{failure}"
        );
        assert!(failure.contains(&children[0].digest), "{failure}");
        let results = manifests(verdict);
        assert_eq!(results[0].1, notation_result::Ok);
        assert_eq!(results[2].0, children[1].digest);
        assert_eq!(results[2].1, notation_result::NoSignature);
        assert!(
            results[2].2.contains("no signature is associated"),
            "{}",
            results[2].2
        );
        assert_eq!(
            read_string(|b, l, n| notation_verdict_artifact_digest(verdict, b, l, n)),
            Ok(children[0].digest.clone()),
            "the verdict is the first failing manifest's"
        );
        notation_target_free(&mut src_target);
        notation_verify_options_free(&mut recursive);
        notation_verdict_free(&mut verdict);
        notation_verifier_free(&mut verifier);
        notation_config_free(&mut config);
    }
}

#[test]
fn hostile_copy_calls() {
    let dir = tempfile::tempdir().unwrap();
    index_layout(&dir.path().join("src"));
    let src = format!("{}:v1", dir.path().join("src").display());
    let out = dir.path().join("out");
    let out = out.to_str().unwrap();
    let layout = notation_store_kind::OciLayout;
    assert_eq!(
        copy(ptr::null(), (layout, &src), (layout, ""), ptr::null()),
        Err(notation_result::ReferenceInvalid)
    );
    let (source, destination) = (cstr(&src), cstr(out));
    let mut report = ptr::null_mut();
    // SAFETY: valid or NULL arguments, as each case says.
    unsafe {
        assert_eq!(
            notation_copy(
                ptr::null(),
                9,
                source.as_ptr(),
                2,
                destination.as_ptr(),
                ptr::null(),
                &mut report
            ),
            notation_result::InvalidArgument
        );
        assert_eq!(
            notation_copy(
                ptr::null(),
                2,
                ptr::null(),
                2,
                destination.as_ptr(),
                ptr::null(),
                &mut report
            ),
            notation_result::NullParameter
        );
        assert_eq!(
            notation_copy_report_count(ptr::null(), 1, &mut 0),
            notation_result::NullParameter
        );
        let mut options = ptr::null_mut();
        ok(notation_copy_options_new(&mut options));
        ok(notation_copy_options_set_limits(options, 2, 16, 100));
        assert_eq!(
            copy(ptr::null(), (layout, &src), (layout, out), options),
            Err(notation_result::InputTooLarge)
        );
        assert!(
            last_error().contains("more than 2 manifests"),
            "{}",
            last_error()
        );
        ok(notation_copy_options_set_progress(
            options,
            None,
            ptr::null_mut(),
        ));
        notation_copy_options_free(&mut options);
    }
    assert_eq!(
        copy(
            ptr::null(),
            (notation_store_kind::Registry, "localhost:1/app"),
            (layout, out),
            ptr::null()
        ),
        Err(notation_result::ReferenceInvalid),
        "a source names a tag or digest"
    );
    assert_eq!(
        copy(
            ptr::null(),
            (layout, &format!("{}:v2", dir.path().join("src").display())),
            (layout, out),
            ptr::null()
        ),
        Err(notation_result::NotFound)
    );
    let mut report = copy(ptr::null(), (layout, &src), (layout, out), ptr::null()).unwrap();
    // SAFETY: a live report.
    unsafe {
        assert_eq!(
            notation_copy_report_count(report, 99, &mut 0),
            notation_result::InvalidArgument
        );
        notation_copy_report_free(&mut report);
    }
}
