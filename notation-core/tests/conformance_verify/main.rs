//! Verification verdicts of the shared conformance vectors (MANIFEST 01, 02,
//! 03, 06 e2e, 09 signatures, 10): each case asserts the MANIFEST verdict at
//! the MANIFEST level. Run with `cargo test --test conformance_verify`; the
//! summary, including every pending case and why, is printed on each run.
//!
//! The plugin vectors of 01 (the plugin-interaction table and the
//! plugin-version vectors, REQUIREMENTS R8) run against a real plugin
//! executable (`testdata/plugin/test-plugin.py`, see `common::plugin`).

#[path = "../common/mod.rs"]
mod common;

mod fixtures;
mod level_matrix;
mod vectors_01;
mod vectors_01_plugins;
mod vectors_02;
mod vectors_03;
mod vectors_06_e2e;
mod vectors_10;
mod verdict;

use common::report::Report;
use level_matrix::level_matrix_is_applied;
use vectors_01::vectors_01;
use vectors_02::vectors_02;
use vectors_03::vectors_03;
use vectors_06_e2e::vectors_06_e2e;
use vectors_10::vectors_10;

fn main() {
    let mut r = Report::new();
    vectors_01(&mut r);
    vectors_02(&mut r);
    vectors_03(&mut r);
    vectors_06_e2e(&mut r);
    vectors_10(&mut r);
    level_matrix_is_applied(&mut r);
    r.finish("conformance verification vectors");
}
