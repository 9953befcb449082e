//! COSE_Sign1 decoding against the reference's verdicts: every vector of
//! testdata/cose/decoding.tsv (made by make-decoding-vectors.py, with the
//! verdict and error text of go-cose v1.3.0's `Sign1Message.UnmarshalCBOR`,
//! which notation-core-go v1.3.0 uses) is parsed by `CoseEnvelope::parse`.
//! Where the reference refuses, we refuse with its text; where it accepts,
//! we accept.
// Requirements: D1.

mod common;

use notation_core::envelope::EnvelopeError;
use notation_core::envelope::cose::CoseEnvelope;

fn vectors() -> Vec<(String, Vec<u8>, Option<String>)> {
    common::decoding_vectors("cose/decoding.tsv")
}

#[test]
fn every_decoding_vector_gets_the_reference_verdict_and_text() {
    let vectors = vectors();
    assert_eq!(vectors.len(), 172);
    let mut failures = Vec::new();
    for (name, bytes, refusal) in &vectors {
        let ours = CoseEnvelope::parse(bytes);
        match (refusal, &ours) {
            (None, Ok(_)) => {}
            (Some(go), Err(EnvelopeError::Malformed(e))) if e == go => {}
            _ => failures.push(format!(
                "{name}: reference {}, ours {:?}",
                refusal.as_deref().unwrap_or("accepts"),
                ours.as_ref().map(|_| "accepts").map_err(|e| e.to_string())
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_large_unprotected_header_decodes_in_place() {
    // An unprotected value nested to the deepest level go-cose takes (32,
    // counting the message and the header), holding arrays of the most
    // elements it takes (131,072 each, one byte per element): decoded
    // without a tree of items and accepted, as the reference accepts it.
    // One element more is refused with its message; past 1,048,576 items
    // in all, our own limit refuses the envelope.
    let header = |arrays: usize, elements: usize| {
        let mut v = vec![0x81u8; 28];
        v.push(0x80 + arrays as u8);
        for _ in 0..arrays {
            v.push(0x9a);
            v.extend_from_slice(&(elements as u32).to_be_bytes());
            v.extend(std::iter::repeat_n(0x00, elements));
        }
        v
    };
    let message = |value: &[u8]| {
        let mut m = vec![0xd2, 0x84, 0x43, 0xa1, 0x01, 0x26];
        m.extend_from_slice(&[0xa2, 0x18, 0x21, 0x81, 0x43, 1, 2, 3, 0x61, b'z']);
        m.extend_from_slice(value);
        m.extend_from_slice(&[0x43, b'a', b'b', b'c', 0x42, 1, 2]);
        m
    };
    let parse = |arrays, elements| {
        CoseEnvelope::parse(&message(&header(arrays, elements)))
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    assert_eq!(parse(7, 131_072), Ok(()));
    assert_eq!(
        parse(1, 131_073),
        Err("cbor: exceeded max number of elements 131072 for CBOR array".into())
    );
    assert_eq!(
        parse(8, 131_072),
        Err("cbor: more than 1048576 data items in the signature envelope".into())
    );
}

#[test]
fn counter_signatures_count_against_the_item_limit() {
    // A counter signature's protected header is a byte string the
    // message's pass does not look into; its items count all the same.
    let mut inner = vec![0xa1, 0x01, 0x88];
    for _ in 0..8 {
        inner.push(0x9a);
        inner.extend_from_slice(&131_072u32.to_be_bytes());
        inner.extend(std::iter::repeat_n(0x00, 131_072));
    }
    let mut m = vec![0xd2, 0x84, 0x43, 0xa1, 0x01, 0x26];
    m.extend_from_slice(&[0xa2, 0x18, 0x21, 0x81, 0x43, 1, 2, 3, 0x07, 0x83, 0x5a]);
    m.extend_from_slice(&(inner.len() as u32).to_be_bytes());
    m.extend_from_slice(&inner);
    m.extend_from_slice(&[0xa0, 0x41, 0x01]);
    m.extend_from_slice(&[0x43, b'a', b'b', b'c', 0x42, 1, 2]);
    assert_eq!(
        CoseEnvelope::parse(&m).unwrap_err().to_string(),
        "cbor: invalid unprotected header: cbor: more than 1048576 data items in the signature envelope"
    );
}
