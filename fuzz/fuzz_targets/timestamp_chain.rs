//! The TSA chain builder of timestamp verification (O3): a token carries
//! its certificates unordered and the verifier searches chains from the
//! signing certificate to the `tsa` trust store, as Go's
//! `x509.Certificate.Verify` does, with a work budget. Here the
//! certificates come straight from the input, so the search itself is
//! fuzzed (the token parser is `timestamp_token`'s).
//!
//! Input: byte 0 flags (bit 0: accept every signature instead of checking
//! them; bits 1-2: how many of the last certificates are roots, 1-4),
//! bytes 1-4 the verification time (seconds after 2000-01-01, big endian),
//! then the certificates (PEM or concatenated DER), leaf first.
#![no_main]

use libfuzzer_sys::fuzz_target;
use notation_core::__fuzz::build_timestamp_chains;
use notation_core::crypto::{CryptoProvider, DefaultProvider};
use notation_core::x509::Certificate;
use notation_core::x509::chain::validate_timestamping_chain;
use notation_fuzz::AcceptAllSignatures;
use time::OffsetDateTime;

fuzz_target!(|data: &[u8]| {
    let [flags, t0, t1, t2, t3, rest @ ..] = data else {
        return;
    };
    let Ok(certs) = Certificate::parse_many(rest) else {
        return;
    };
    let Some((leaf, others)) = certs.split_first() else {
        return;
    };
    let crypto: &dyn CryptoProvider = if flags & 1 != 0 {
        &AcceptAllSignatures
    } else {
        &DefaultProvider
    };
    let roots_len = (usize::from((flags >> 1) & 3) + 1).min(others.len());
    let (intermediates, roots) = others.split_at(others.len() - roots_len);
    let at = OffsetDateTime::from_unix_timestamp(
        946_684_800 + i64::from(u32::from_be_bytes([*t0, *t1, *t2, *t3])),
    )
    .expect("in range");
    if let Ok(chains) = build_timestamp_chains(leaf, intermediates, roots, at, crypto) {
        assert!(!chains.is_empty(), "success means a chain");
        for chain in &chains {
            assert_eq!(&chain[0], leaf, "chains start at the leaf");
            let last = chain.last().expect("non-empty chain");
            assert!(roots.contains(last), "chains end at a root");
            for c in chain {
                assert!(c.is_valid_at(at), "every certificate is valid at {at}");
            }
            let _ = validate_timestamping_chain(chain, crypto);
        }
    }
});
