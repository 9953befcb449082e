//! Envelope encoding, decoding and integrity (REQUIREMENTS C, D, G).

mod common;

use notation_core::algorithm::KeySpec;
use notation_core::crypto::default_provider;
use notation_core::envelope::{self, Envelope, EnvelopeFormat, SignRequest};
use notation_core::payload::{Descriptor, Payload};

fn payload() -> Vec<u8> {
    Payload::new(Descriptor::new(
        "application/vnd.oci.image.manifest.v1+json",
        "sha256:0000000000000000000000000000000000000000000000000000000000000000",
        42,
    ))
    .to_json()
}

#[test]
fn six_key_specs_times_two_formats_round_trip() {
    let crypto = default_provider();
    let expected = [
        KeySpec::Rsa2048,
        KeySpec::Rsa3072,
        KeySpec::Rsa4096,
        KeySpec::Ec256,
        KeySpec::Ec384,
        KeySpec::Ec521,
    ];
    for (name, spec) in common::KEY_NAMES.iter().zip(expected) {
        let signer = common::signer(name);
        for format in [EnvelopeFormat::Jws, EnvelopeFormat::Cose] {
            let req = SignRequest::new(payload(), &signer);
            let bytes = envelope::sign(format, &req, crypto.as_ref())
                .unwrap_or_else(|e| panic!("{name} {format}: {e}"));
            let env = Envelope::parse(format, &bytes).unwrap();
            let content = env
                .verify(crypto.as_ref())
                .unwrap_or_else(|e| panic!("{name} {format}: {e}"));
            assert_eq!(
                content.signer_info.signature_algorithm,
                spec.signature_algorithm()
            );
            assert_eq!(
                Payload::from_json(&content.payload).unwrap(),
                Payload::from_json(&payload()).unwrap()
            );
            assert_eq!(content.signer_info.certificate_chain.len(), 3);
        }
    }
}
