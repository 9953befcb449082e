//! Parses and verifies arbitrary bytes as a JWS envelope: any input must
//! give a typed error or a verified content, never a panic; so must the
//! extended attributes' text that inspect prints.
#![no_main]

use libfuzzer_sys::fuzz_target;
use notation_core::crypto::DefaultProvider;
use notation_core::envelope::{Envelope, EnvelopeFormat};

fuzz_target!(|data: &[u8]| {
    if let Ok(envelope) = Envelope::parse(EnvelopeFormat::Jws, data) {
        let _ = envelope.content_unverified();
        // What inspect prints: Go's %v of each extended attribute.
        let _ = envelope.extended_attribute_texts();
        let _ = envelope.verify(&DefaultProvider);
    }
});
