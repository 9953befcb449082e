//! The trusted-identity match (L1-L5): a policy's `x509.subject:` DN, parsed
//! with the reference's rules, against a certificate's subject rendered and
//! parsed as the reference does. Input: the first line is one
//! `trustedIdentities` entry, the rest a certificate (PEM or DER, leaf
//! first); the rest is also read as a bare DER `Name`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use notation_core::trust::dn::{ParsedDn, parse_rfc4514, verify_trusted_identities};
use notation_core::trust::policy::TrustedIdentity;
use notation_core::x509::Certificate;
use notation_core::x509::name::DistinguishedName;

fuzz_target!(|data: &[u8]| {
    let (line, rest) = match data.iter().position(|b| *b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let identity = String::from_utf8_lossy(line);
    let _ = parse_rfc4514(identity.trim_start_matches("x509.subject:"));
    let parsed = TrustedIdentity::parse(&identity);
    if let Ok(TrustedIdentity::X509Subject { dn, .. }) = &parsed {
        assert!(dn.is_subset_of(dn) && dn.overlaps(dn));
        let _ = dn.attributes().count();
    }
    if let Ok(name) = DistinguishedName::from_der(rest) {
        let _ = ParsedDn::from_subject(&name);
        let _ = name.rdns().len();
    }
    let Ok(chain) = Certificate::parse_many(rest) else {
        return;
    };
    let Some(leaf) = chain.first() else {
        return;
    };
    let subject = ParsedDn::from_subject(leaf.subject());
    if let (Ok(TrustedIdentity::X509Subject { dn, .. }), Ok(subject)) = (&parsed, &subject) {
        let _ = dn.overlaps(subject);
    }
    if let Ok(identity) = parsed {
        let _ = verify_trusted_identities("fuzz", std::slice::from_ref(&identity), leaf);
        let _ = verify_trusted_identities("fuzz", &[identity, TrustedIdentity::Any], leaf);
    }
    // A leaf always matches an identity made of its own subject.
    if subject.is_ok() {
        let own = TrustedIdentity::parse(&format!("x509.subject:{}", leaf.subject().as_str()))
            .expect("the subject parsed as a DN");
        assert!(
            verify_trusted_identities("fuzz", &[own], leaf).is_ok(),
            "{} does not match itself",
            leaf.subject().as_str()
        );
    }
});
