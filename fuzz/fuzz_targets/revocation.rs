//! Revocation data from the network and the CRL cache (P3-P6): OCSP
//! responses, CRLs with their entries and extensions, base + delta
//! bundles, the whole checker over a fetcher that answers with the input,
//! the CRL cache file of notation-oci, and CRL distribution points.
//!
//! The first byte selects: bits 0-2 the operation (0 OCSP response, 1 CRL,
//! 2 base and delta CRL, 3 CRL cache file, 4 the revocation checker over a
//! fetcher, 5 distribution points), bit 3 the PKI (testdata/revocation or
//! the conformance CRL chain of 08), bit 4 a crypto provider that accepts
//! every signature (to reach the checks behind it), bit 5 an authentic
//! signing time. Operations that take two documents read a 2-byte
//! big-endian length, the first document, then the second.
#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use notation_core::crypto::{CryptoProvider, DefaultProvider};
use notation_core::revocation::Crl;
use notation_core::revocation::crl::{check_bundle, distribution_point_urls, entry_status};
use notation_core::revocation::ocsp::check_response;
use notation_core::revocation::{
    CrlBundle, CrlCache, CrlHttpRequest, FetchError, MemoryCrlCache, OcspHttpRequest,
    RevocationChecker, RevocationFetcher, RevocationPurpose, RevocationStatus, RevocationValidator,
};
use notation_core::x509::Certificate;
use notation_fuzz::AcceptAllSignatures;
use notation_oci::revocation::FileCrlCache;
use time::OffsetDateTime;

/// Verification time: inside every fixture's validity and every seed's
/// nextUpdate (the openssl-made seeds are valid for 100 years).
const NOW: i64 = 4_102_444_800; // 2100-01-01
const SIGNED: i64 = 1_735_689_600; // 2025-01-01

/// Leaf, issuer, root.
struct Pki {
    leaves: Vec<Certificate>,
    issuer: Certificate,
    root: Certificate,
}

fn pki(conformance: bool) -> &'static Pki {
    static A: OnceLock<Pki> = OnceLock::new();
    static B: OnceLock<Pki> = OnceLock::new();
    let parse = |b: &[u8]| Certificate::parse_many(b).expect("fixture certificate");
    if conformance {
        B.get_or_init(|| {
            let chain = parse(include_bytes!(
                "../../../shared/conformance/08-revocation/crl-e2e/certchain_with_crl.pem"
            ));
            Pki {
                leaves: vec![chain[0].clone()],
                issuer: chain[1].clone(),
                root: chain[2].clone(),
            }
        })
    } else {
        A.get_or_init(|| Pki {
            leaves: [
                &include_bytes!("../../testdata/revocation/leaf-ocsp.crt")[..],
                include_bytes!("../../testdata/revocation/leaf-crl.crt"),
                include_bytes!("../../testdata/revocation/leaf.crt"),
                include_bytes!("../../testdata/revocation/leaf-freshest.crt"),
            ]
            .iter()
            .flat_map(|b| parse(b))
            .collect(),
            issuer: parse(include_bytes!("../../testdata/revocation/intermediate.crt")).remove(0),
            root: parse(include_bytes!("../../testdata/revocation/root.crt")).remove(0),
        })
    }
}

fn split(data: &[u8]) -> (&[u8], &[u8]) {
    let [a, b, rest @ ..] = data else {
        return (data, &[]);
    };
    let n = usize::from(u16::from_be_bytes([*a, *b])).min(rest.len());
    rest.split_at(n)
}

/// Answers every OCSP request with one document and every CRL download
/// with the other.
struct Fetcher {
    ocsp: Vec<u8>,
    crl: Vec<u8>,
}

impl RevocationFetcher for Fetcher {
    fn fetch_ocsp(&self, _: &OcspHttpRequest) -> Result<Vec<u8>, FetchError> {
        Ok(self.ocsp.clone())
    }

    fn fetch_crl(&self, _: &CrlHttpRequest) -> Result<Vec<u8>, FetchError> {
        Ok(self.crl.clone())
    }
}

fn crl_accessors(crl: &Crl) {
    let _ = (
        crl.issuer().to_string(),
        crl.this_update(),
        crl.next_update(),
    );
    let _ = (
        crl.number(),
        crl.is_delta(),
        crl.freshest_crl_urls(),
        crl.tbs_der().len(),
    );
    let mut n = 0;
    for e in crl.revoked_entries() {
        let _ = (e.serial_number(), e.revocation_date(), e.reason_code());
        let _ = (e.invalidity_date(), e.unsupported_critical_extension());
        n += 1;
    }
    assert_eq!(n, crl.revoked_count());
}

fn scratch() -> &'static std::path::Path {
    static DIR: OnceLock<std::path::PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("notation-fuzz-crl-{}", std::process::id()));
        std::fs::create_dir_all(&d).expect("scratch directory");
        d
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, input)) = data.split_first() else {
        return;
    };
    let pki = pki(selector & 0x08 != 0);
    let crypto: Arc<dyn CryptoProvider> = if selector & 0x10 != 0 {
        Arc::new(AcceptAllSignatures)
    } else {
        Arc::new(DefaultProvider)
    };
    let now = OffsetDateTime::from_unix_timestamp(NOW).expect("time");
    let signed =
        (selector & 0x20 != 0).then(|| OffsetDateTime::from_unix_timestamp(SIGNED).expect("time"));
    match selector & 7 {
        0 => {
            for leaf in &pki.leaves {
                let _ = check_response(input, leaf, &pki.issuer, now, signed, crypto.as_ref());
            }
            let _ = check_response(input, &pki.issuer, &pki.root, now, signed, crypto.as_ref());
        }
        1 => {
            let Ok(crl) = Crl::from_der(input) else {
                return;
            };
            crl_accessors(&crl);
            let _ = crl.is_effective_at(now);
            let bundle = CrlBundle::new(crl, None);
            for leaf in &pki.leaves {
                let _ = entry_status(&bundle, leaf, signed);
                if let Ok(status) =
                    check_bundle(&bundle, leaf, &pki.issuer, now, signed, crypto.as_ref())
                {
                    assert_ne!(status, RevocationStatus::Unknown);
                }
            }
        }
        2 => {
            let (base, delta) = split(input);
            let (Ok(base), Ok(delta)) = (Crl::from_der(base), Crl::from_der(delta)) else {
                return;
            };
            crl_accessors(&delta);
            let bundle = CrlBundle::new(base, Some(delta));
            let _ = bundle.is_effective_at(now);
            for leaf in &pki.leaves {
                let _ = entry_status(&bundle, leaf, signed);
                let _ = check_bundle(&bundle, leaf, &pki.issuer, now, signed, crypto.as_ref());
            }
        }
        3 => {
            let cache = FileCrlCache::new(scratch());
            let url = "http://crl.fuzz/fuzz.crl";
            let path = cache.entry_path(url);
            let _ = std::fs::create_dir_all(path.parent().expect("a cache directory"));
            std::fs::write(&path, input).expect("cache entry");
            if let Ok(Some(bundle)) = cache.get(url) {
                // What the cache returns, it stores and returns again.
                cache.set(url, &bundle).expect("a cache entry is written");
                let again = cache.get(url).expect("read back").expect("present");
                assert_eq!(again.base().der(), bundle.base().der());
                assert_eq!(again.delta().map(Crl::der), bundle.delta().map(Crl::der));
            } else {
                assert!(cache.had_errors(), "a failed read is reported");
            }
        }
        4 => {
            let (ocsp, crl) = split(input);
            let validator = RevocationValidator::builder(Arc::new(Fetcher {
                ocsp: ocsp.to_vec(),
                crl: crl.to_vec(),
            }))
            .crl_cache(Arc::new(MemoryCrlCache::new()))
            .clock(move || now)
            .crypto_provider(crypto.clone())
            .max_parallel_checks(1)
            .build();
            for leaf in &pki.leaves {
                let chain = [leaf.clone(), pki.issuer.clone(), pki.root.clone()];
                if let Ok(results) = validator.check(&chain, RevocationPurpose::CodeSigning, signed)
                {
                    assert_eq!(results.len(), chain.len());
                }
            }
        }
        _ => {
            let _ = distribution_point_urls(input);
        }
    }
});
