//! Hostile tokens: typed errors, never a panic.

use notation_core::crypto::DefaultProvider;
use notation_core::timestamp::{SignedToken, TimestampError, TimestampResponse};
use time::macros::datetime;

use crate::token_cases::{FALLBACK_TIME, MISMATCHED_MESSAGE};
use crate::vectors::{TOKENS, globalsign_r3, read};

#[test]
fn hostile_tokens_fail_with_typed_errors() {
    let valid = read(&format!("{TOKENS}/tspclient-go/TimeStampToken.p7s"));
    let roots = globalsign_r3();
    let at = datetime!(2021-09-17 14:09:10 UTC);

    // Every truncation.
    for n in 0..valid.len() {
        let err = SignedToken::parse(&valid[..n]).unwrap_err();
        assert!(
            matches!(err, TimestampError::Cms(_)),
            "truncated to {n}: {err}"
        );
    }
    // Trailing garbage.
    let mut trailing = valid.clone();
    trailing.push(0);
    assert!(SignedToken::parse(&trailing).is_err());
    // Garbage.
    for garbage in [
        &b""[..],
        b"\x00",
        b"\x30",
        b"\x30\x00",
        b"invalid",
        &[0xff; 64],
        &[0x30, 0x84, 0xff, 0xff, 0xff, 0xff],
    ] {
        assert!(SignedToken::parse(garbage).is_err(), "{garbage:02x?}");
    }
    // Oversized.
    let mut big = vec![0x30, 0x83, 0x10, 0x00, 0x00];
    big.resize(5 + 0x100000, 0);
    assert_eq!(
        SignedToken::parse(&big).unwrap_err(),
        TimestampError::TooLarge {
            what: "timestamp token",
            size: big.len(),
            limit: notation_core::timestamp::MAX_TOKEN_SIZE
        }
    );
    // Deep nesting: no recursion, no stack overflow.
    let mut deep = vec![0x05, 0x00];
    for _ in 0..20_000 {
        let mut outer = vec![0x30];
        let len = deep.len();
        if len < 0x80 {
            outer.push(len as u8);
        } else if len < 0x100 {
            outer.extend([0x81, len as u8]);
        } else if len < 0x10000 {
            outer.extend([0x82, (len >> 8) as u8, len as u8]);
        } else {
            outer.extend([0x83, (len >> 16) as u8, (len >> 8) as u8, len as u8]);
        }
        outer.extend(deep);
        deep = outer;
    }
    assert!(matches!(
        SignedToken::parse(&deep).unwrap_err(),
        TimestampError::Cms(_)
    ));
    // Every single-byte flip: never a panic, and a flip inside the TSTInfo,
    // the signed attributes or the signature never verifies.
    let token = SignedToken::parse(&valid).unwrap();
    let content_start = valid
        .windows(token.content().len())
        .position(|w| w == token.content())
        .unwrap();
    let signature = token.signer_infos()[0].signature();
    let signature_start = valid
        .windows(signature.len())
        .position(|w| w == signature)
        .unwrap();
    for i in (0..valid.len()).step_by(7) {
        let mut flipped = valid.clone();
        flipped[i] ^= 0x01;
        let Ok(t) = SignedToken::parse(&flipped) else {
            continue;
        };
        let _ = t.tst_info().map(|info| info.validate(b"notation"));
        let result = t.verify(&roots, at, &DefaultProvider);
        let protected = (content_start..content_start + token.content().len()).contains(&i)
            || (signature_start..signature_start + signature.len()).contains(&i);
        if protected {
            assert!(result.is_err(), "flip at {i} verified");
        }
    }
    // Wrong imprint.
    assert_eq!(
        token
            .tst_info()
            .unwrap()
            .validate(b"not notation")
            .unwrap_err()
            .to_string(),
        MISMATCHED_MESSAGE
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Random corruption of a valid token never panics, at any step.
    #[test]
    fn corrupted_tokens_never_panic(edits in proptest::collection::vec((0usize..6595, proptest::prelude::any::<u8>()), 1..6)) {
        let mut bytes = read(&format!("{TOKENS}/tspclient-go/TimeStampToken.p7s"));
        for (i, b) in edits {
            let i = i % bytes.len();
            bytes[i] = b;
        }
        if let Ok(token) = SignedToken::parse(&bytes) {
            let at = match token.tst_info() {
                Ok(info) => {
                    let _ = info.validate(b"notation");
                    info.gen_time()
                }
                Err(_) => FALLBACK_TIME,
            };
            let _ = token.verify(&globalsign_r3(), at, &DefaultProvider);
            let _ = token.verify_countersignature(b"notation", &globalsign_r3(), &DefaultProvider);
        }
        let _ = TimestampResponse::parse(&bytes);
    }
}
