//! The case selection of the `harness = false` conformance report
//! (`common::report`) reads libtest's command line as libtest does: option
//! values are not filters, so `cargo test -- --test-threads 2` runs every
//! case (and keeps the "no case ran" guard armed).

mod common;

use common::report::Selection;

fn parse(args: &[&str]) -> Selection {
    Selection::parse(args.iter().map(|s| s.to_string()))
}

#[test]
fn option_values_are_not_filters() {
    for args in [
        &["--test-threads", "2"][..],
        &["--test-threads=2"],
        &[
            "--format",
            "terse",
            "--color",
            "never",
            "-Z",
            "unstable-options",
        ],
        &[
            "--logfile",
            "out.txt",
            "--shuffle-seed",
            "7",
            "--nocapture",
            "-q",
        ],
    ] {
        let sel = parse(args);
        assert!(
            sel.filters.is_empty(),
            "{args:?} gave filters {:?}",
            sel.filters
        );
        assert!(!sel.is_narrowed(), "{args:?} must keep the no-case guard");
        assert!(sel.selected("01 ca_valid_sig_env strict"));
    }
}

#[test]
fn filters_skips_and_exact() {
    let sel = parse(&["--test-threads", "2", "01", "03"]);
    assert_eq!(sel.filters, ["01", "03"]);
    assert!(sel.is_narrowed());
    assert!(sel.selected("01 x") && sel.selected("03 y") && !sel.selected("10 z"));

    let sel = parse(&["--skip", "plugin", "--skip=expired"]);
    assert_eq!(sel.skip, ["plugin", "expired"]);
    assert!(sel.is_narrowed());
    assert!(sel.selected("01 ca_valid_sig_env strict"));
    assert!(!sel.selected("01 ca_plugin_sig_env.json crash"));
    assert!(!sel.selected("01 ca_expired_sig_env.json strict"));

    let sel = parse(&["--exact", "02 jws_signature.jws.sig"]);
    assert!(sel.selected("02 jws_signature.jws.sig"));
    assert!(!sel.selected("02 jws_signature.jws.sig other artifact"));
}
