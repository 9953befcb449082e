//! RFC 3161 timestamp tokens and responses (REQUIREMENTS O1-O5, H4), against
//! every file of conformance/04-timestamp-tokens and the tokens embedded in
//! the envelopes of 03, 09 and 10. Expectations are MANIFEST.md §03/§04.

#[path = "../common/mod.rs"]
mod common;

mod envelopes;
mod hostile;
mod inspect;
mod openssl_tsa;
mod responses;
mod token_cases;
mod tokens_04;
mod vectors;
