//! A registry target in a process with neither `DOCKER_CONFIG` nor `HOME`
//! (a system service, say): Docker's `config.json` has no place, so the
//! library reads none, and the target is made. It never reads a
//! `.docker/config.json` of the working directory: the one here is
//! malformed, and reading it failed the call.
//!
//! This binary holds one test, because it changes the process's
//! environment and working directory.

mod common;

use std::ptr;

use common::*;
use notation::*;

#[test]
fn a_registry_target_needs_no_home_directory() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir_all(work.join(".docker")).unwrap();
    std::fs::write(work.join(".docker/config.json"), "not json").unwrap();
    std::fs::create_dir_all(dir.path().join("config")).unwrap();
    // SAFETY: the only test of this binary; no other thread reads the
    // environment while it is changed.
    unsafe {
        std::env::remove_var("DOCKER_CONFIG");
        std::env::remove_var("HOME");
        std::env::set_var("NOTATION_CONFIG", dir.path().join("config"));
    }
    std::env::set_current_dir(&work).unwrap();
    let reference = cstr("registry.example/app:v1");
    let mut target = ptr::null_mut();
    // SAFETY: a valid string and out-parameter; no configuration.
    let rc = unsafe { notation_target_new_registry(ptr::null(), reference.as_ptr(), &mut target) };
    ok(rc);
    assert!(!target.is_null());
    // SAFETY: a live target, freed once.
    unsafe { notation_target_free(&mut target) };
}
