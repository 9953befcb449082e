//! When the last error is set and cleared: every failing call sets it;
//! `NOTATION_RESULT_BUFFER_TOO_SMALL` (a size query with `NULL`, 0, or too
//! small a buffer) is not a failure and leaves it alone; successful calls
//! never clear it; the last-error functions never change it.

mod common;

use std::ffi::c_char;
use std::ptr;

use common::*;
use notation::*;

/// A call that fails: an empty blob policy validated.
fn failing_call() -> notation_result {
    let invalid = r#"{"version":"1.0","trustPolicies":[]}"#;
    // SAFETY: a valid slice.
    unsafe {
        notation_trust_policy_validate(
            notation_policy_kind::Blob as u32,
            invalid.as_ptr(),
            invalid.len(),
        )
    }
}

/// Fails a call on purpose and returns its message.
fn fail_once() -> String {
    assert_eq!(failing_call(), notation_result::PolicyInvalid);
    let message = last_error();
    assert_eq!(
        message,
        "blob trust policy document can not have zero trust policy statements"
    );
    message
}

#[test]
fn size_queries_and_small_buffers_leave_the_last_error_alone() {
    let message = fail_once();
    let mut needed = 0;
    let mut small = [0 as c_char; 2];
    let config = memory_config();
    let verifier = verifier_for(config);
    let signer = new_signer("rsa-2048.key", "rsa-2048.chain.pem");
    let signature = sign_blob(signer, b"blob", ptr::null());
    let verdict = new_result();
    ok(verify_blob(
        verifier,
        &signature,
        notation_envelope_format::Jws,
        b"blob",
        ptr::null(),
        verdict,
    ));
    let message = {
        // The successful calls above did not clear it.
        assert_eq!(last_error(), message);
        message
    };
    // SAFETY: NULL with length 0 is a size query; `small` is writable for
    // its length; needed is writable.
    unsafe {
        let queries: Vec<(&str, notation_result)> = vec![
            (
                "result_text (NULL, 0)",
                notation_result_text(1, ptr::null_mut(), 0, &mut needed),
            ),
            (
                "result_text (small)",
                notation_result_text(1, small.as_mut_ptr(), small.len(), &mut needed),
            ),
            (
                "check_name (NULL, 0)",
                notation_check_name(1, ptr::null_mut(), 0, &mut needed),
            ),
            (
                "verdict_policy_name (NULL, 0)",
                notation_verdict_policy_name(verdict, ptr::null_mut(), 0, &mut needed),
            ),
            (
                "verdict_payload_digest (small)",
                notation_verdict_payload_digest(
                    verdict,
                    small.as_mut_ptr(),
                    small.len(),
                    &mut needed,
                ),
            ),
            ("config_plugin_dir", {
                let dir = cstr("/opt/notation/plugins");
                ok(notation_config_set_plugin_dir(config, dir.as_ptr()));
                notation_config_plugin_dir(config, ptr::null_mut(), 0, &mut needed)
            }),
            (
                "last_error (NULL, 0)",
                notation_last_error(ptr::null_mut(), 0, &mut needed),
            ),
            (
                "last_error (small)",
                notation_last_error(small.as_mut_ptr(), small.len(), &mut needed),
            ),
        ];
        for (what, rc) in queries {
            assert_eq!(rc, notation_result::BufferTooSmall, "{what}");
            assert_eq!(last_error(), message, "{what} changed the last error");
        }
        assert_eq!(needed, message.len() + 1);

        // A handle's last error too: a verifier's survives size queries.
        assert_eq!(
            verify_blob(
                verifier,
                &signature,
                notation_envelope_format::Jws,
                b"tampered",
                ptr::null(),
                verdict
            ),
            notation_result::ArtifactMismatch,
        );
        let verifier_message =
            read_string(|b, l, n| notation_verifier_last_error(verifier, b, l, n)).unwrap();
        assert!(!verifier_message.is_empty());
        assert_eq!(
            notation_verdict_failure(verdict, ptr::null_mut(), 0, &mut needed),
            notation_result::BufferTooSmall
        );
        assert_eq!(
            read_string(|b, l, n| notation_verifier_last_error(verifier, b, l, n)).unwrap(),
            verifier_message
        );

        // A real failure does replace it.
        assert_eq!(
            notation_result_text(1, ptr::null_mut(), 4, &mut needed),
            notation_result::NullParameter
        );
        assert_eq!(last_error(), "argument buf is NULL");

        let (mut config, mut verifier, mut signer, mut verdict) =
            (config, verifier, signer, verdict);
        notation_verdict_free(&mut verdict);
        notation_signer_free(&mut signer);
        notation_verifier_free(&mut verifier);
        notation_config_free(&mut config);
    }
}

/// A failing call made while its thread is torn down (from a C
/// `pthread_key` or C++ `thread_local` destructor, here a Rust one) finds
/// the thread's last error gone: the call returns its code, and the process
/// does not abort on a panic that cannot unwind out of `extern "C"`.
#[test]
fn a_failing_call_during_thread_teardown_returns_its_code() {
    struct CallsOnExit(std::sync::mpsc::Sender<notation_result>);
    impl Drop for CallsOnExit {
        fn drop(&mut self) {
            let _ = self.0.send(failing_call());
        }
    }
    thread_local! {
        static PROBE: std::cell::RefCell<Option<CallsOnExit>> = const { std::cell::RefCell::new(None) };
    }
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        // Registered before the library's thread-local, so torn down after
        // it.
        PROBE.with(|p| *p.borrow_mut() = Some(CallsOnExit(tx)));
        fail_once();
    })
    .join()
    .unwrap();
    assert_eq!(rx.recv().unwrap(), notation_result::PolicyInvalid);
}
