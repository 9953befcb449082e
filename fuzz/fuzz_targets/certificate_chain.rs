//! Parses arbitrary bytes as a certificate chain (PEM or concatenated DER)
//! and runs both chain validators over whatever parses; and as a
//! trust-store certificate file (Go's PEM reading).
#![no_main]

use libfuzzer_sys::fuzz_target;
use notation_core::crypto::DefaultProvider;
use notation_core::x509::Certificate;
use notation_core::x509::chain::{validate_code_signing_chain, validate_timestamping_chain};

fuzz_target!(|data: &[u8]| {
    let _ = notation_core::pem::go_blocks(data).count();
    let _ = notation_core::trust::store::parse_certificate_data(data);
    if let Ok(chain) = Certificate::parse_many(data) {
        for cert in &chain {
            let _ = cert.subject().to_string();
            let _ = cert.key_spec();
        }
        let _ = validate_code_signing_chain(&chain, None, &DefaultProvider);
        let _ = validate_timestamping_chain(&chain, &DefaultProvider);
    }
});
