use super::*;
use crate::envelope::{Envelope, EnvelopeFormat};
use crate::signer::LocalSigner;

#[test]
fn tagged_extended_attributes_are_what_go_sends_plugins() {
    // fxamacker/cbor decodes tags 0 and 1 into time.Time, which Go's
    // JSON encoder writes as RFC 3339; other tags into cbor.Tag.
    let tag = |n, v| Value::Tag(n, Box::new(v));
    assert_eq!(
        cbor_to_json(&tag(1, Value::Integer(1_700_000_000.into()))),
        serde_json::json!("2023-11-14T22:13:20Z")
    );
    assert_eq!(
        cbor_to_json(&tag(1, Value::Float(1_700_000_000.5))),
        serde_json::json!("2023-11-14T22:13:20.5Z")
    );
    assert_eq!(
        cbor_to_json(&tag(0, Value::Text("2023-11-14T23:13:20+01:00".into()))),
        serde_json::json!("2023-11-14T23:13:20+01:00")
    );
    assert_eq!(
        cbor_to_json(&tag(100, Value::Text("x".into()))),
        serde_json::json!({"Number": 100, "Content": "x"})
    );
    // Decoding drops a self-described tag except in a tag's content,
    // where Go keeps it as a `cbor.Tag`.
    assert_eq!(
        cbor_to_json(&tag(100, tag(55799, Value::Integer(5.into())))),
        serde_json::json!({"Number": 100, "Content": {"Number": 55799, "Content": 5}})
    );
    let (mut pos, item) = (
        0,
        [
            0xd9, 0xd9, 0xf7, 0x82, 0xd9, 0xd9, 0xf7, 0x05, 0xd8, 0x64, 0xd9, 0xd9, 0xf7, 0x05,
        ],
    );
    // 55799([55799(5), 100(55799(5))])
    let value = super::decode::go_value_for_tests(&item, &mut pos).unwrap();
    assert_eq!(
        cbor_to_json(&value),
        serde_json::json!([5, {"Number": 100, "Content": {"Number": 55799, "Content": 5}}])
    );
}

fn vector() -> serde_json::Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/conformance/11-envelope-encoding/cose-conformance.json"
    );
    serde_json::from_slice(&std::fs::read(path).expect("conformance vector 11 is required"))
        .unwrap()
}

const TEST_PAYLOAD: &[u8] = br#"{"targetArtifact":{}}"#;

/// A COSE_Sign1 message of `protected` over [`TEST_PAYLOAD`], signed
/// by `signer`, its chain as `x5chain`; and the signature.
fn signed_message(signer: &LocalSigner, protected: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let (signature, chain) = sign_bytes(signer, &to_be_signed(protected, TEST_PAYLOAD)).unwrap();
    let certificates = chain
        .iter()
        .map(|c| Value::Bytes(c.der().to_vec()))
        .collect();
    let message = encode_message(
        protected,
        vec![(
            Value::Integer(LABEL_X5CHAIN.into()),
            Value::Array(certificates),
        )],
        TEST_PAYLOAD,
        &signature,
    );
    (message, signature)
}

fn test_signer() -> LocalSigner {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/pki/");
    LocalSigner::from_pem(
        &std::fs::read(format!("{dir}rsa-3072.key")).unwrap(),
        &std::fs::read(format!("{dir}rsa-3072.chain.pem")).unwrap(),
    )
    .unwrap()
}

// B2: in COSE the other scheme's time header is ignored, as
// notation-core-go ignores it (only its JWS envelope refuses it).
/// go-cose refuses a tagged COSE_Sign1 whose tag or array head is not
/// in its shortest encoding; the same message with them short parses.
#[test]
fn only_the_shortest_tag_and_array_head_parse() {
    let signer = test_signer();
    let payload = br#"{"targetArtifact":{"mediaType":"m","digest":"sha256:ab","size":1}}"#;
    let bytes = sign(&SignRequest::new(payload.to_vec(), &signer), KeySpec::Ec256).unwrap();
    assert_eq!(&bytes[..2], &[0xd2, 0x84]);
    assert!(CoseEnvelope::parse(&bytes).is_ok());
    let long_tag = [&[0xd8, 0x12][..], &bytes[1..]].concat();
    let long_array = [&[0xd2, 0x98, 0x04][..], &bytes[2..]].concat();
    for bad in [long_tag, long_array] {
        let e = CoseEnvelope::parse(&bad).unwrap_err();
        assert_eq!(
            e.to_string(),
            EnvelopeError::Malformed("cbor: invalid COSE_Sign1_Tagged object".into()).to_string()
        );
    }
}

/// The unprotected header is not signed: values go-cose decodes there
/// (an empty `kid`, an unregistered `alg`, a simple value without a
/// name; a COSE library's stricter model refuses them) leave a valid
/// signature valid, and the parameters Notation reads are read as
/// before.
#[test]
fn unsigned_values_go_cose_decodes_leave_a_signature_valid() {
    let signer = test_signer();
    let req = SignRequest::new(br#"{"targetArtifact":{}}"#.to_vec(), &signer)
        .signing_agent(Some("agent/1".into()));
    let bytes = sign(&req, KeySpec::Rsa3072).unwrap();
    let (map, _) = unprotected_at(&bytes);
    let pairs = bytes[map] - 0xa0;
    assert!(pairs < 20);
    let extra = [0x04, 0x40, 0x01, 0x18, 0x4d, 0x61, b'z', 0xf0];
    let edited = [
        &bytes[..map],
        &[0xa0 + pairs + 3],
        &extra,
        &bytes[map + 1..],
    ]
    .concat();
    let verified = Envelope::parse(EnvelopeFormat::Cose, &edited)
        .unwrap()
        .verify(&crate::crypto::DefaultProvider)
        .unwrap();
    let original = Envelope::parse(EnvelopeFormat::Cose, &bytes)
        .unwrap()
        .verify(&crate::crypto::DefaultProvider)
        .unwrap();
    let unsigned = &verified.signer_info.unsigned;
    assert_eq!(unsigned.signing_agent.as_deref(), Some("agent/1"));
    assert_eq!(unsigned.timestamp_signature, None);
    assert_eq!(
        verified.signer_info.certificate_chain,
        original.signer_info.certificate_chain
    );
    assert_eq!(verified.payload, original.payload);
    // A changed signed byte still fails.
    let mut tampered = edited.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    assert!(
        Envelope::parse(EnvelopeFormat::Cose, &tampered)
            .unwrap()
            .verify(&crate::crypto::DefaultProvider)
            .is_err()
    );
}

/// The protected header is read as go-cose decodes it: every parameter
/// but `alg`, `crit`, the content type and Notary's own is an extended
/// attribute (a `kid` too, even empty), a simple value without a name
/// is its number, and a big integer is what Go's JSON encoder makes of
/// a `big.Int` value. A signature over such a header verifies.
#[test]
fn protected_parameters_are_read_as_go_cose_decodes_them() {
    let signer = test_signer();
    let text = |t: &str| encode(&Value::Text(t.into()));
    let pairs: Vec<(Vec<u8>, Vec<u8>)> = vec![
        (vec![0x01], vec![0x38, 0x25]), // alg: PS384 (-38)
        (
            vec![0x02],
            encode(&Value::Array(vec![Value::Text(
                header::SIGNING_SCHEME.into(),
            )])),
        ),
        (vec![0x03], text(crate::payload::PAYLOAD_MEDIA_TYPE)),
        (text(header::SIGNING_SCHEME), text("notary.x509")),
        (
            text(header::SIGNING_TIME),
            vec![0xc1, 0x1a, 0x65, 0x53, 0xf1, 0x00],
        ),
        (vec![0x04], vec![0x40]),                            // kid: empty
        (text("s"), vec![0xf0]),                             // simple(16)
        (text("b"), [&[0xc2, 0x54][..], &[1; 20]].concat()), // bignum
        (text("n"), [&[0x3b][..], &[0xff; 8]].concat()),     // -2^64
        (text("u"), vec![0xd9, 0xd9, 0xf7, 0x05]),           // self-described 5
    ];
    let mut protected = vec![0xa0 + pairs.len() as u8];
    for (k, v) in &pairs {
        protected.extend_from_slice(k);
        protected.extend_from_slice(v);
    }
    let payload = TEST_PAYLOAD.to_vec();
    let (message, signature) = signed_message(&signer, &protected);
    let envelope = Envelope::parse(EnvelopeFormat::Cose, &message).unwrap();
    let content = envelope.verify(&crate::crypto::DefaultProvider).unwrap();
    let extended: Vec<(String, serde_json::Value, bool)> = content
        .signer_info
        .signed
        .extended
        .iter()
        .map(|a| (a.key.to_string(), a.value.clone(), a.critical))
        .collect();
    assert_eq!(
        extended,
        [
            ("4".to_string(), serde_json::json!(""), false),
            ("s".to_string(), serde_json::json!(16), false),
            ("b".to_string(), serde_json::json!({}), false),
            ("n".to_string(), serde_json::json!({}), false),
            ("u".to_string(), serde_json::json!(5), false),
        ]
    );
    // As the reference CLI prints them: Go's %v of what go-cose decoded
    // (checked against Go: big.Int values print as their fields).
    let texts: Vec<(String, String)> = envelope
        .extended_attribute_texts()
        .unwrap()
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    let text_pairs = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    assert_eq!(
        texts,
        text_pairs(&[
            ("4", "[]"),
            ("s", "16"),
            (
                "b",
                "{false [72340172838076673 72340172838076673 16843009]}"
            ),
            ("n", "{true [0 1]}"),
            ("u", "5"),
        ])
    );
    // A byte string, a map (printed with its keys sorted), an array, a
    // time, a tag.
    let mut more = protected.clone();
    more[0] += 2;
    more.extend_from_slice(&text("x"));
    // {"zz": h'010203', 7: 100("x"), -3: [1.5, true, null], "a": 1(1700000000)}
    more.extend_from_slice(&[
        0xa4, 0x62, b'z', b'z', 0x43, 1, 2, 3, 0x07, 0xd8, 0x64, 0x61, b'x', 0x22, 0x83, 0xf9,
        0x3e, 0x00, 0xf5, 0xf6, 0x61, b'a', 0xc1, 0x1a, 0x65, 0x53, 0xf1, 0x00,
    ]);
    more.extend_from_slice(&text("y"));
    more.extend_from_slice(&[0xc6, 0x41, 9]); // 6(h'09')
    let message = encode_message(
        &more,
        vec![(
            Value::Integer(LABEL_X5CHAIN.into()),
            Value::Array(Vec::new()),
        )],
        &payload,
        &signature,
    );
    let texts: Vec<(String, String)> = Envelope::parse(EnvelopeFormat::Cose, &message)
        .unwrap()
        .extended_attribute_texts()
        .unwrap()
        .into_iter()
        .skip(5)
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    assert_eq!(
        texts,
        text_pairs(&[
            (
                "x",
                "map[-3:[1.5 true <nil>] 7:{100 x} a:2023-11-14 22:13:20 +0000 UTC zz:[1 2 3]]"
            ),
            ("y", "{6 [9]}"),
        ])
    );
    // fmt's order of map keys: nil first, each type by value, types in
    // a fixed order (checked against Go 1.19).
    for (item, go) in [
        (
            &[0xa2, 0x61, b'b', 0x01, 0xf6, 0x02][..],
            "map[<nil>:2 b:1]",
        ),
        (
            &[0xa2, 0xf9, 0x41, 0x00, 0x01, 0xf9, 0x3e, 0x00, 0x02],
            "map[1.5:2 2.5:1]",
        ),
        (
            &[0xa2, 0x41, 2, 0x01, 0x41, 1, 0x02],
            "map[\u{1}:2 \u{2}:1]",
        ),
        (
            &[0xa3, 0xf5, 0x01, 0xf4, 0x02, 0x01, 0x03],
            "map[false:2 true:1 1:3]",
        ),
        (
            &[
                0xa3, 0xf9, 0x7e, 0x00, 0x01, 0xf9, 0x80, 0x00, 0x02, 0x20, 0x03,
            ],
            "map[NaN:1 -0:2 -1:3]",
        ),
    ] {
        assert_eq!(super::go_value::go_v(item, 0, false), go);
    }
    // An `alg` given as text is go-cose's error.
    let mut texts = protected.clone();
    texts.splice(1..4, [0x01, 0x65, b'P', b'S', b'3', b'8', b'4']);
    let message = encode_message(&texts, Vec::new(), &payload, &signature);
    let e = Envelope::parse(EnvelopeFormat::Cose, &message)
        .unwrap()
        .content_unverified()
        .unwrap_err();
    assert_eq!(e.to_string(), r#"Algorithm("PS384")"#);
}

/// A header that marks 100,000 extended attributes critical is checked
/// in linear time (past a few, labels are looked up in sets).
#[test]
fn many_critical_extended_attributes_are_linear() {
    let signer = test_signer();
    let text = |t: &str| encode(&Value::Text(t.into()));
    let n: u32 = 100_000;
    let label = |i: u32| text(&format!("x{i}"));
    let mut crit = vec![0x9a];
    crit.extend_from_slice(&(n + 1).to_be_bytes());
    crit.extend_from_slice(&text(header::SIGNING_SCHEME));
    let mut protected = vec![0xba];
    protected.extend_from_slice(&(n + 5).to_be_bytes());
    protected.extend_from_slice(&[0x01, 0x38, 0x25]); // alg: PS384
    protected.push(0x02);
    for i in 0..n {
        crit.extend_from_slice(&label(i));
    }
    protected.extend_from_slice(&crit);
    protected.push(0x03);
    protected.extend_from_slice(&text(crate::payload::PAYLOAD_MEDIA_TYPE));
    protected.extend_from_slice(&text(header::SIGNING_SCHEME));
    protected.extend_from_slice(&text("notary.x509"));
    protected.extend_from_slice(&text(header::SIGNING_TIME));
    protected.extend_from_slice(&[0xc1, 0x1a, 0x65, 0x53, 0xf1, 0x00]);
    for i in 0..n {
        protected.extend_from_slice(&label(i));
        protected.push(0x00);
    }
    let (message, _) = signed_message(&signer, &protected);
    let envelope = Envelope::parse(EnvelopeFormat::Cose, &message).unwrap();
    let content = envelope.verify(&crate::crypto::DefaultProvider).unwrap();
    let extended = &content.signer_info.signed.extended;
    assert_eq!(extended.len(), n as usize);
    assert!(extended.iter().all(|a| a.critical));
}

/// go-cose's `Sign1Message.Verify`: a detached payload first, then the
/// declared algorithm against the leaf's, named as go-cose names them.
#[test]
fn verification_checks_and_texts_follow_go_cose() {
    let signer = test_signer();
    let chain = Value::Array(
        signer
            .certificate_chain()
            .iter()
            .map(|c| Value::Bytes(c.der().to_vec()))
            .collect(),
    );
    let verify = |alg: Value, payload: Option<&[u8]>| {
        let protected = encode(&Value::Map(vec![(Value::Integer(1.into()), alg)]));
        let mut message = encode_message(
            &protected,
            vec![(Value::Integer(LABEL_X5CHAIN.into()), chain.clone())],
            payload.unwrap_or_default(),
            &[1, 2, 3],
        );
        if payload.is_none() {
            // The payload (the third element) as `null`.
            let at = message.len() - 5;
            assert_eq!(message[at], 0x40);
            message[at] = 0xf6;
        }
        Envelope::parse(EnvelopeFormat::Cose, &message)
            .unwrap()
            .verify(&crate::crypto::DefaultProvider)
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    let int = |n: i64| Value::Integer(n.into());
    let err = |m: &str| Err(format!("signature is invalid. Error: {m}"));
    assert_eq!(verify(int(-7), None), err("missing payload"));
    assert_eq!(
        verify(int(-7), Some(b"x")),
        err("algorithm mismatch: verifier PS384: header ES256")
    );
    assert_eq!(
        verify(int(-257), Some(b"x")),
        err("algorithm mismatch: verifier PS384: header RS256")
    );
    assert_eq!(
        verify(int(77), Some(b"x")),
        err("algorithm mismatch: verifier PS384: header Algorithm(77)")
    );
    assert_eq!(
        verify(Value::Text("PS384".into()), Some(b"x")),
        err(r#"Algorithm("PS384")"#)
    );
    assert_eq!(verify(int(-38), Some(b"x")), err("verification error"));
}

/// Where the unprotected map of a signed message starts and ends.
fn unprotected_at(message: &[u8]) -> (usize, usize) {
    let mut decoder = ciborium_ll::Decoder::from(&message[2..]);
    let ciborium_ll::Header::Bytes(Some(len)) = decoder.pull().unwrap() else {
        panic!("protected header");
    };
    let start = 2 + decoder.offset() + len;
    let mut rest = &message[start..];
    let _: ciborium::Value = ciborium::de::from_reader(&mut rest).unwrap();
    (start, message.len() - rest.len())
}

/// As notation-core-go's `Verify`: an `x5chain` leaf that is not a byte
/// string is a malformed leaf; another element that is not is a chain
/// that is not present, once the signature verifies.
#[test]
fn x5chain_elements_that_are_not_byte_strings() {
    let signer = test_signer();
    let req = SignRequest::new(br#"{"targetArtifact":{}}"#.to_vec(), &signer);
    let bytes = sign(&req, KeySpec::Rsa3072).unwrap();
    let (start, end) = unprotected_at(&bytes);
    let chain: Vec<ciborium::Value> = Envelope::parse(EnvelopeFormat::Cose, &bytes)
        .unwrap()
        .content_unverified()
        .unwrap()
        .signer_info
        .certificate_chain
        .iter()
        .map(|c| ciborium::Value::Bytes(c.der().to_vec()))
        .collect();
    let with = |at: usize, value: ciborium::Value| {
        let mut chain = chain.clone();
        chain[at] = value;
        chain
    };
    let verify = |chain: Vec<ciborium::Value>| {
        let map = encode(&ciborium::Value::Map(vec![(
            ciborium::Value::Integer(LABEL_X5CHAIN.into()),
            ciborium::Value::Array(chain),
        )]));
        let message = [&bytes[..start], &map, &bytes[end..]].concat();
        Envelope::parse(EnvelopeFormat::Cose, &message)
            .unwrap()
            .verify(&crate::crypto::DefaultProvider)
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    let one = ciborium::Value::Integer(1.into());
    assert!(chain.len() > 1);
    assert_eq!(verify(chain.clone()), Ok(()));
    assert_eq!(
        verify(with(0, one.clone())),
        Err("COSE envelope malformed leaf certificate".into())
    );
    assert_eq!(
        verify(with(1, one)),
        Err("certificate chain is not present".into())
    );
}

#[test]
fn the_other_schemes_time_header_is_ignored() {
    let signer = test_signer();
    let req = SignRequest::new(br#"{"targetArtifact":{}}"#.to_vec(), &signer)
        .signing_scheme(SigningScheme::X509SigningAuthority)
        .extended_attribute(ExtendedAttribute::new(
            header::SIGNING_TIME,
            "not even a time".into(),
            false,
        ));
    let bytes = crate::envelope::sign(
        crate::envelope::EnvelopeFormat::Cose,
        &req,
        &crate::crypto::DefaultProvider,
    )
    .unwrap();
    let content = crate::envelope::Envelope::parse(crate::envelope::EnvelopeFormat::Cose, &bytes)
        .unwrap()
        .content_unverified()
        .unwrap();
    assert_eq!(
        content.signer_info.signed.signing_scheme,
        SigningScheme::X509SigningAuthority
    );
    assert!(content.signer_info.signed.extended.is_empty());
}

// D7: the protected header and the whole message are byte-identical to
// notation-core-go's for the conformance request.
#[test]
fn conformance_encoding_is_byte_identical() {
    let v = vector();
    let signer = test_signer();
    let payload = crate::hex::decode(v["payload"].as_str().unwrap()).unwrap();
    let req = SignRequest::new(payload.clone(), &signer)
        .signing_time(
            OffsetDateTime::from_unix_timestamp(v["signingTime"].as_i64().unwrap()).unwrap(),
        )
        .expiry(Some(
            OffsetDateTime::from_unix_timestamp(v["expiry"].as_i64().unwrap()).unwrap(),
        ))
        .extended_attribute(ExtendedAttribute::new(
            "signedCritKey1",
            "signedCritValue1".into(),
            true,
        ))
        .extended_attribute(ExtendedAttribute::new(
            "signedKey1",
            "signedValue1".into(),
            false,
        ))
        .signing_agent(Some("NotationConformanceTest/1.0.0".into()));
    let protected = protected_header(&req, SignatureAlgorithm::Ps384).unwrap();
    let expected_protected = v["protectedHeaders"]["cborHex"]
        .as_str()
        .unwrap()
        .to_lowercase();
    assert_eq!(crate::hex::encode(&protected), expected_protected);

    // Substitute the vector's signature; the vector has no x5chain.
    let expected = crate::hex::decode(v["expectedOutput"]["cborHex"].as_str().unwrap()).unwrap();
    let parsed = CoseEnvelope::parse(&expected).unwrap();
    assert_eq!(parsed.protected, protected);
    let message = encode_message(
        &protected,
        vec![(
            Value::Text(header::SIGNING_AGENT.into()),
            Value::Text("NotationConformanceTest/1.0.0".into()),
        )],
        &payload,
        &parsed.signature,
    );
    assert_eq!(crate::hex::encode(&message), crate::hex::encode(&expected));
    let unprotected = v["unprotectedHeaders"]["cborHex"]
        .as_str()
        .unwrap()
        .to_lowercase();
    assert!(crate::hex::encode(&message).contains(&unprotected));
}

#[test]
fn tag_one_times_keep_their_fraction() {
    let t = |v: Value| parse_time(Some((&Value::Tag(1, Box::new(v)), &[0xc1])), "t");
    assert_eq!(
        t(Value::Float(100.5)).unwrap(),
        OffsetDateTime::from_unix_timestamp_nanos(100_500_000_000).unwrap()
    );
    assert!(t(Value::Float(100.2)).unwrap() < t(Value::Float(100.7)).unwrap());
    assert_eq!(
        t(Value::Integer(7.into())).unwrap(),
        OffsetDateTime::from_unix_timestamp(7).unwrap()
    );
    // fxamacker/cbor decodes NaN and the infinities into Go's zero time.
    assert_eq!(
        t(Value::Float(f64::NAN)).unwrap(),
        super::super::GO_ZERO_TIME
    );
    assert_eq!(
        t(Value::Float(f64::INFINITY)).unwrap(),
        super::super::GO_ZERO_TIME
    );
}

/// Go's times reach beyond the years -9999 and 9999 that `time`'s do:
/// such a time is the nearest bound, which compares as Go's time does with
/// certificate validity and the clock. A float outside the `int64` range
/// is `math.MinInt64` seconds (Go's conversion on amd64), and seconds
/// within 62,135,596,800 of `math.MaxInt64` wrap to the far past, as Go
/// keeps seconds since year 1 in an `int64`.
// Requirements: D2.
#[test]
fn tag_one_times_beyond_our_years_are_the_nearest_bound() {
    let t = |v: Value| parse_time(Some((&Value::Tag(1, Box::new(v)), &[0xc1])), "t").unwrap();
    let max = time::PrimitiveDateTime::MAX.assume_utc();
    let min = time::PrimitiveDateTime::MIN.assume_utc();
    assert_eq!(t(Value::Integer(253_402_300_800i64.into())), max); // 10000-01-01
    assert_eq!(t(Value::Integer((1i64 << 62).into())), max);
    assert_eq!(t(Value::Integer((-(1i64 << 62)).into())), min);
    assert_eq!(t(Value::Integer(i64::MIN.into())), min);
    assert_eq!(t(Value::Integer(i64::MAX.into())), min);
    assert_eq!(t(Value::Integer((i64::MAX - 62_135_596_800).into())), max);
    assert_eq!(t(Value::Integer((i64::MAX - 62_135_596_799).into())), min);
    assert_eq!(t(Value::Float(1e15)), max);
    assert_eq!(t(Value::Float(-1e15)), min);
    assert_eq!(t(Value::Float(1e300)), min);
    assert_eq!(t(Value::Float(-1e20)), min);
    assert_eq!(t(Value::Float(9.2e18)), max);
    assert_eq!(
        t(Value::Integer(253_402_300_799i64.into())),
        time::macros::datetime!(9999-12-31 23:59:59 UTC)
    );
}

/// notation-core-go's `parseTime` on what go-cose decoded: `nil` is a
/// missing header; a time (tag 0 or 1) must be encoded under tag 1 (a
/// self-described tag before it is another tag); anything else is not
/// a time.
#[test]
fn time_headers_are_read_as_parse_time_reads_them() {
    let tag1 = Value::Tag(1, Box::new(Value::Integer(7.into())));
    let tag0 = Value::Tag(0, Box::new(Value::Text("2023-11-14T22:13:20Z".into())));
    type Parameter<'a> = Option<(&'a Value, &'a [u8])>;
    let cases: [(Parameter<'_>, Result<(), &str>); 7] = [
        (None, Err(r#"protected header "t" is missing"#)),
        (
            Some((&Value::Null, &[0xf6])),
            Err(r#"protected header "t" is missing"#),
        ),
        (Some((&tag1, &[0xc1, 0x07])), Ok(())),
        (
            Some((&tag1, &[0xd9, 0xd9, 0xf7, 0xc1, 0x07])),
            Err("only Tag `1` Datetime CBOR object is supported"),
        ),
        (
            Some((&tag0, &[0xc0])),
            Err("only Tag `1` Datetime CBOR object is supported"),
        ),
        (
            Some((&Value::Integer(1.into()), &[0x01])),
            Err("invalid timeValue type"),
        ),
        (
            Some((
                &Value::Tag(100, Box::new(Value::Integer(1.into()))),
                &[0xd8, 0x64, 0x01],
            )),
            Err("invalid timeValue type"),
        ),
    ];
    for (parameter, want) in cases {
        assert_eq!(
            parse_time(parameter, "t").map(|_| ()),
            want.map_err(str::to_owned),
            "{parameter:?}"
        );
    }
}

#[test]
fn rejects_untagged_and_garbage() {
    assert!(CoseEnvelope::parse(&[]).is_err());
    assert!(CoseEnvelope::parse(&[0x84, 0x40, 0xa0, 0x40, 0x40]).is_err());
    assert!(CoseEnvelope::parse(&[0xd2, 0x84, 0x40, 0xa0, 0x40]).is_err());
    assert!(CoseEnvelope::parse(&[0xff; 64]).is_err());
}
