//! An anyhow-style error reporter for the tests (issue 12 item 3): walks an
//! error's `source()` chain and asserts that no outer message already
//! contains an inner one, so a reporter prints every reason once.
#![allow(dead_code)]

use std::error::Error;

/// The texts of an error and its sources, outermost first.
pub fn chain(e: &dyn Error) -> Vec<String> {
    let mut texts = vec![e.to_string()];
    let mut next = e.source();
    while let Some(cause) = next {
        texts.push(cause.to_string());
        next = cause.source();
    }
    texts
}

/// Asserts that no text of the chain repeats in an outer one and returns
/// the reporter's line (anyhow's `{:#}`: the texts joined with ": ").
pub fn report(e: &dyn Error) -> String {
    let texts = chain(e);
    for (i, outer) in texts.iter().enumerate() {
        for inner in &texts[i + 1..] {
            assert!(
                !outer.contains(inner.as_str()),
                "{outer:?} repeats its source {inner:?} (chain: {texts:#?})"
            );
        }
    }
    texts.join(": ")
}
