//! `notation_verifier_verify_many` and the `notation_batch_report`
//! accessors, through the C ABI, against real components: Debian's
//! `docker-registry` (the tag schema), the in-process registry that serves
//! the referrers API (to the OCI distribution spec; no installable registry
//! here has it), a second `docker-registry` that is stopped, and an OCI
//! layout. Every verdict is checked with 1, 2 and 8 references at once, by
//! index and in the JSON report, which is validated against the committed
//! schema. (examples/c/test_notation.c runs the same calls from C under
//! valgrind.)

#[path = "../../notation-oci/tests/support/batch_fixture.rs"]
mod batch_fixture;
mod common;
#[path = "../../notation-oci/tests/support/fixtures.rs"]
#[allow(dead_code)]
mod fixtures;
#[path = "../../notation-oci/tests/support/http.rs"]
#[allow(dead_code)]
mod http;
#[path = "../../notation-oci/tests/support/json_schema.rs"]
mod json_schema;
#[path = "../../notation-oci/tests/support/oci_registry.rs"]
#[allow(dead_code)]
mod oci_registry;
#[path = "../../notation-oci/tests/support/token.rs"]
#[allow(dead_code)]
mod token;

use std::ffi::{CString, c_char};
use std::ptr;

use batch_fixture::Case;
use common::registry::Registry;
use common::{cstr, ok, read_string};
use notation::*;
use notation_oci::registry::RegistryClient;
use oci_registry::OciRegistry;
use serde_json::Value;

struct Report(*mut notation_batch_report);

impl Drop for Report {
    fn drop(&mut self) {
        // SAFETY: a report from verify_many, freed once.
        unsafe { notation_batch_report_free(&mut self.0) };
        assert!(self.0.is_null());
    }
}

impl Report {
    fn count(&self) -> usize {
        let mut n = 0;
        // SAFETY: live report, valid out-parameter.
        ok(unsafe { notation_batch_report_count(self.0, &mut n) });
        n
    }

    fn outcome(&self, i: usize) -> notation_batch_outcome {
        let mut o = notation_batch_outcome::Error;
        // SAFETY: live report, valid out-parameter.
        ok(unsafe { notation_batch_report_outcome(self.0, i, &mut o) });
        o
    }

    fn string(
        &self,
        i: usize,
        f: unsafe extern "C" fn(
            *const notation_batch_report,
            usize,
            *mut c_char,
            usize,
            *mut usize,
        ) -> notation_result,
    ) -> Result<String, notation_result> {
        // SAFETY: live report; read_string passes valid buffers.
        read_string(|b, l, n| unsafe { f(self.0, i, b, l, n) })
    }

    fn json(&self) -> Value {
        // SAFETY: live report; read_string passes valid buffers.
        let text =
            read_string(|b, l, n| unsafe { notation_batch_report_json(self.0, b, l, n) }).unwrap();
        serde_json::from_str(&text).unwrap()
    }
}

fn verify_many(
    verifier: *const notation_verifier,
    config: *const notation_config,
    references: &[String],
    layout_scope: Option<&str>,
    concurrency: usize,
) -> Report {
    let owned: Vec<CString> = references.iter().map(|r| cstr(r)).collect();
    let pointers: Vec<*const c_char> = owned.iter().map(|c| c.as_ptr()).collect();
    let scope = layout_scope.map(cstr);
    let mut report = ptr::null_mut();
    // SAFETY: valid handles, strings and out-parameter.
    ok(unsafe {
        notation_verifier_verify_many(
            verifier,
            config,
            pointers.as_ptr(),
            pointers.len(),
            scope.as_ref().map_or(ptr::null(), |s| s.as_ptr()),
            ptr::null(),
            concurrency,
            &mut report,
        )
    });
    Report(report)
}

fn open_config(dir: &std::path::Path) -> (*mut notation_config, *mut notation_verifier) {
    let path = cstr(dir.to_str().unwrap());
    let mut config = ptr::null_mut();
    // SAFETY: valid string and out-parameter.
    ok(unsafe { notation_config_open_dir(path.as_ptr(), &mut config) });
    let verifier = common::verifier_for(config);
    (config, verifier)
}

/// The accessors agree with the JSON and with the cases.
fn check_accessors(report: &Report, cases: &[Case]) {
    assert_eq!(report.count(), cases.len());
    for (i, case) in cases.iter().enumerate() {
        let expected = match case.outcome {
            "verified" => notation_batch_outcome::Verified,
            "skipped" => notation_batch_outcome::Skipped,
            "failed" => notation_batch_outcome::Failed,
            "unsigned" => notation_batch_outcome::Unsigned,
            _ => notation_batch_outcome::Error,
        };
        assert_eq!(report.outcome(i), expected, "{}", case.reference);
        assert_eq!(
            report.string(i, notation_batch_report_reference).unwrap(),
            case.reference
        );
        assert_eq!(
            report.string(i, notation_batch_report_digest).ok(),
            case.digest,
            "{}",
            case.reference
        );
        let verified = case.outcome == "verified";
        let message = report.string(i, notation_batch_report_message);
        assert_eq!(
            message.is_err(),
            matches!(case.outcome, "verified" | "skipped")
        );
        if let Err(code) = message {
            assert_eq!(code, notation_result::NotAvailable);
        }
        match report.string(i, notation_batch_report_signer_subject) {
            Ok(subject) => assert_eq!(Some(subject.as_str()), case.signer),
            Err(code) => {
                assert!(!verified);
                assert_eq!(code, notation_result::NotAvailable);
            }
        }
        assert_eq!(
            report
                .string(i, notation_batch_report_signer_sha256)
                .is_ok(),
            verified
        );
        assert_eq!(
            report
                .string(i, notation_batch_report_signature_digest)
                .is_ok(),
            verified
        );
        let one: Value =
            serde_json::from_str(&report.string(i, notation_batch_report_result_json).unwrap())
                .unwrap();
        assert_eq!(one["reference"], case.reference.as_str());
        assert_eq!(one["outcome"], case.outcome);
    }
    let mut outcome = notation_batch_outcome::Verified;
    // SAFETY: live report, valid out-parameter.
    let rc = unsafe { notation_batch_report_outcome(report.0, cases.len(), &mut outcome) };
    assert_eq!(rc, notation_result::IndexOutOfRange);
}

#[test]
fn every_verdict_through_the_c_abi_with_1_2_and_8_at_once() {
    let distribution = Registry::start(false);
    let oci = OciRegistry::start();
    let stopped = Registry::start(false);
    let stopped_host = stopped.host.clone();
    drop(stopped);
    let client = RegistryClient::new().unwrap();
    let mut cases = batch_fixture::populate(&client, &distribution.host);
    cases.extend(batch_fixture::populate(&client, &oci.host()));
    cases.push(batch_fixture::stopped_case(&stopped_host));
    let dir = tempfile::tempdir().unwrap();
    batch_fixture::write_config(dir.path(), &[&distribution.host, &oci.host()]);
    let (mut config, mut verifier) = open_config(dir.path());
    let schema = json_schema::Schema::load(&batch_fixture::schema_path());
    let references: Vec<String> = cases.iter().map(|c| c.reference.clone()).collect();
    for concurrency in [1, 2, 8] {
        let report = verify_many(verifier, config, &references, None, concurrency);
        let json = report.json();
        schema.assert_valid(&json);
        batch_fixture::check_report(&json, &cases);
        check_accessors(&report, &cases);
        let mut passed = true;
        // SAFETY: live report, valid out-parameter.
        ok(unsafe { notation_batch_report_passed(report.0, &mut passed) });
        assert!(!passed);
    }
    // SAFETY: handles made above, freed once.
    unsafe {
        notation_verifier_free(&mut verifier);
        notation_config_free(&mut config);
    }
}

#[test]
fn several_references_into_one_layout_through_the_c_abi() {
    let dir = tempfile::tempdir().unwrap();
    let cases = batch_fixture::populate_layout(&dir.path().join("layout"));
    let config_dir = tempfile::tempdir().unwrap();
    batch_fixture::write_config(config_dir.path(), &[]);
    let (mut config, mut verifier) = open_config(config_dir.path());
    let references: Vec<String> = cases.iter().map(|c| c.reference.clone()).collect();
    let report = verify_many(verifier, ptr::null(), &references, Some("local/app"), 0);
    let json = report.json();
    json_schema::Schema::load(&batch_fixture::schema_path()).assert_valid(&json);
    batch_fixture::check_report(&json, &cases);
    check_accessors(&report, &cases);
    drop(report);
    // SAFETY: handles made above, freed once.
    unsafe {
        notation_verifier_free(&mut verifier);
        notation_config_free(&mut config);
    }
}

#[test]
fn hostile_calls_write_nothing() {
    let config = common::memory_config();
    let verifier = common::verifier_for(config);
    let reference = cstr("localhost:1/a:v1");
    let references = [reference.as_ptr()];
    let mut report = ptr::null_mut();
    let call = |refs: *const *const c_char, count: usize, out: *mut *mut notation_batch_report| {
        // SAFETY: the pointers are valid or NULL as each case says; the
        // count check comes before any reference is read.
        unsafe {
            notation_verifier_verify_many(
                verifier,
                ptr::null(),
                refs,
                count,
                ptr::null(),
                ptr::null(),
                0,
                out,
            )
        }
    };
    assert_eq!(
        call(ptr::null(), 1, &mut report),
        notation_result::NullParameter
    );
    assert_eq!(
        call(references.as_ptr(), 1, ptr::null_mut()),
        notation_result::NullParameter
    );
    assert_eq!(
        call(
            references.as_ptr(),
            NOTATION_MAX_BATCH_REFERENCES + 1,
            &mut report
        ),
        notation_result::InputTooLarge
    );
    let bad = [c"\xff".as_ptr()];
    assert_eq!(
        call(bad.as_ptr(), 1, &mut report),
        notation_result::InvalidUtf8
    );
    let with_null = [reference.as_ptr(), ptr::null()];
    assert_eq!(
        call(with_null.as_ptr(), 2, &mut report),
        notation_result::NullParameter
    );
    assert!(report.is_null(), "nothing written on failure");
    // SAFETY: NULL verifier.
    let rc = unsafe {
        notation_verifier_verify_many(
            ptr::null(),
            ptr::null(),
            references.as_ptr(),
            1,
            ptr::null(),
            ptr::null(),
            0,
            &mut report,
        )
    };
    assert_eq!(rc, notation_result::NullParameter);
    // Accessors on NULL.
    let mut n = 0;
    // SAFETY: NULL report.
    assert_eq!(
        unsafe { notation_batch_report_count(ptr::null(), &mut n) },
        notation_result::NullParameter
    );
    // SAFETY: freeing NULL does nothing.
    unsafe {
        notation_batch_report_free(ptr::null_mut());
        notation_batch_report_free(&mut report);
    }
    let mut config = config;
    let mut verifier = verifier;
    // SAFETY: handles made above, freed once.
    unsafe {
        notation_verifier_free(&mut verifier);
        notation_config_free(&mut config);
    }
}

#[test]
fn strings_with_invisible_characters_come_back_exact_and_the_json_valid() {
    // A layout that does not exist, at a path with an escape, a
    // right-to-left override and a tag character (above U+FFFF): the
    // result's JSON must stay JSON, the reference come back as given, and
    // only the message be escaped onto one line.
    let dir = tempfile::tempdir().unwrap();
    let reference = format!(
        "{}/x\u{1b}\u{202e}\u{e0041}:v1",
        dir.path().to_str().unwrap()
    );
    let config_dir = tempfile::tempdir().unwrap();
    batch_fixture::write_config(config_dir.path(), &[]);
    let (mut config, mut verifier) = open_config(config_dir.path());
    let report = verify_many(
        verifier,
        ptr::null(),
        std::slice::from_ref(&reference),
        Some("local/app"),
        1,
    );
    let one: Value =
        serde_json::from_str(&report.string(0, notation_batch_report_result_json).unwrap())
            .unwrap();
    assert_eq!(one["reference"], reference.as_str());
    assert_eq!(
        report.string(0, notation_batch_report_reference).unwrap(),
        reference
    );
    let message = report.string(0, notation_batch_report_message).unwrap();
    assert!(
        !message.contains(['\u{1b}', '\u{202e}', '\u{e0041}', '\n']),
        "{message:?}"
    );
    assert!(message.contains("\\x1b"), "{message:?}");
    drop(report);
    // SAFETY: handles made above, freed once.
    unsafe {
        notation_verifier_free(&mut verifier);
        notation_config_free(&mut config);
    }
}
