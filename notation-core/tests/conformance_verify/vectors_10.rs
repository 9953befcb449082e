//! MANIFEST 10: blob signatures.

use std::collections::BTreeMap;
use std::sync::Arc;

use notation_core::envelope::EnvelopeFormat;
use notation_core::payload::Descriptor;
use notation_core::trust::{
    BlobTrustPolicyDocument, DirTrustStore, MemoryTrustStore, TrustStoreType,
};
use notation_core::verifier::{BlobVerifyOptions, Verifier};
use notation_core::x509::Certificate;
use serde_json::json;

use crate::common::report::Report;
use crate::fixtures::{blob_doc, conf, read};
use crate::verdict::{expect, verdict};

pub(crate) fn vectors_10(r: &mut Report) {
    let blob = read("10-blob/e2e-signatures/signed-blob-LICENSE.txt");
    let policy_for = |level: &str, chain: &[Certificate]| {
        let mut store = MemoryTrustStore::new();
        store
            .add(TrustStoreType::Ca, "e2e", chain.to_vec())
            .unwrap();
        let doc = blob_doc(&json!({
            "version": "1.0",
            "trustPolicies": [{
                "name": "e2e", "globalPolicy": true,
                "signatureVerification": {"level": level},
                "trustStores": ["ca:e2e"], "trustedIdentities": ["*"]
            }]
        }));
        Verifier::builder(Arc::new(store))
            .blob_policy(doc)
            .build()
            .unwrap()
    };
    // The MANIFEST: the signing certificates expired in January 2025.
    for (file, format, expired) in [
        (
            "blob.jws.sig",
            EnvelopeFormat::Jws,
            "verification time is after certificate \"CN=testcert2,O=Notary,L=Seattle,ST=WA,C=US\" validity period, it was expired at \"Wed, 01 Jan 2025 08:04:39 +0000\"",
        ),
        (
            "blob.cose.sig",
            EnvelopeFormat::Cose,
            "verification time is after certificate \"CN=testcert3,O=Notary,L=Seattle,ST=WA,C=US\" validity period, it was expired at \"Wed, 08 Jan 2025 08:42:24 +0000\"",
        ),
    ] {
        let env = read(&format!("10-blob/e2e-signatures/{file}"));
        let chain = notation_core::envelope::Envelope::parse(format, &env)
            .unwrap()
            .content_unverified()
            .unwrap()
            .signer_info
            .certificate_chain;
        // The signing certificates expired in January 2025 and the TSA root
        // is not among the vectors: strict fails on the expired
        // certificate; audit logs it and the blob digest matches.
        r.case(format!("10 {file} strict, no tsa store"), || {
            let got = verdict(policy_for("strict", &chain).verify_blob(
                &env,
                format,
                &mut blob.as_slice(),
                &BlobVerifyOptions::new(),
            ));
            expect(got, "FAIL(AUTHENTIC_TIMESTAMP)", &[expired])
        });
        r.case(format!("10 {file} audit"), || {
            let got = verdict(policy_for("audit", &chain).verify_blob(
                &env,
                format,
                &mut blob.as_slice(),
                &BlobVerifyOptions::new(),
            ));
            expect(got, "WARN(AUTHENTIC_TIMESTAMP)", &[expired])
        });
        r.case(format!("10 {file} audit, other blob"), || {
            let got = verdict(policy_for("audit", &chain).verify_blob(
                &env,
                format,
                &mut &b"other"[..],
                &BlobVerifyOptions::new(),
            ));
            expect(
                got,
                "FAIL(PAYLOAD)",
                &["integrity check failed. signature does not match the given blob"],
            )
        });
        r.case(format!("10 {file} audit, --media-type image/jpeg"), || {
            let got = verdict(policy_for("audit", &chain).verify_blob(
                &env,
                format,
                &mut blob.as_slice(),
                &BlobVerifyOptions::new().media_type("image/jpeg"),
            ));
            expect(
                got,
                "FAIL(PAYLOAD)",
                &["integrity check failed. signature does not match the given blob"],
            )
        });
        r.case(
            format!("10 {file} audit, --media-type application/octet-stream"),
            || {
                let got = verdict(policy_for("audit", &chain).verify_blob(
                    &env,
                    format,
                    &mut blob.as_slice(),
                    &BlobVerifyOptions::new().media_type("application/octet-stream"),
                ));
                expect(got, "WARN(AUTHENTIC_TIMESTAMP)", &[expired])
            },
        );
    }
    r.case("10 malformed.jws.sig", || {
        let env = read("10-blob/e2e-signatures/malformed.jws.sig");
        let v = policy_for(
            "audit",
            &Certificate::parse_many(&read("09-e2e-oci-layouts/localkeys/e2e.crt")).unwrap(),
        );
        expect(
            verdict(v.verify_blob(
                &env,
                EnvelopeFormat::Jws,
                &mut blob.as_slice(),
                &BlobVerifyOptions::new(),
            )),
            "FAIL(INTEGRITY)",
            &["unable to parse the digital signature"],
        )
    });

    // TestVerifyBlob (notation-go): the descriptor is fed directly.
    let dir = conf("10-blob/notation-go-verifyblob");
    let verifier = || {
        Verifier::builder(Arc::new(DirTrustStore::new(&dir)))
            .blob_policy(
                BlobTrustPolicyDocument::from_json(&read(
                    "10-blob/notation-go-verifyblob/trustpolicy.blob.json",
                ))
                .unwrap(),
            )
            .build()
            .unwrap()
    };
    let sig = read("10-blob/notation-go-verifyblob/testSig.jws.sig");
    let good = "sha384:b8ab24dafba5cf7e4c89c562f811cf10493d4203da982d3b1345f366ca863d9c2ed323dbd0fb7ff83a80302ceffa5a61";
    let run = |sig: &[u8], digest: &'static str, opts: BlobVerifyOptions| {
        verdict(
            verifier().verify_blob_with(sig, EnvelopeFormat::Jws, &opts, &mut |_| {
                Ok(Descriptor::new("video/mp4", digest, 12))
            }),
        )
    };
    let named = || BlobVerifyOptions::new().policy_name("blob-test-policy");
    let md = |v: &str| {
        [("buildId".to_string(), v.to_string())]
            .into_iter()
            .collect::<BTreeMap<_, _>>()
    };
    r.case("10 testSig blob-test-policy", || {
        expect(run(&sig, good, named()), "VALID", &[])
    });
    r.case("10 testSig with buildId=101", || {
        expect(
            run(&sig, good, named().user_metadata(md("101"))),
            "VALID",
            &[],
        )
    });
    r.case("10 testSig with buildId=zzz", || {
        expect(
            run(&sig, good, named().user_metadata(md("zzz"))),
            "FAIL(PAYLOAD)",
            &["unable to find specified metadata in the signature"],
        )
    });
    r.case("10 testSig other digest", || {
        let bad = "sha384:b8ab24dafba5cf7e4c89c562f811cf10493d4203da982d3b1345f366ca863d9c2ed323dbd0fb7ff83a80302ceffa5a62";
        expect(run(&sig, bad, named()), "FAIL(PAYLOAD)", &["integrity check failed. signature does not match the given blob"])
    });
    r.case("10 testSig empty signature", || {
        expect(
            run(b"", good, named()),
            "FAIL(INTEGRITY)",
            &["unable to parse the digital signature, error : unexpected end of JSON input"],
        )
    });
    r.case("10 testSig unknown policy name", || {
        expect(
            run(&sig, good, BlobVerifyOptions::new().policy_name("blaah")),
            "FAIL(SELECTION)",
            &["no applicable blob trust policy with name \"blaah\""],
        )
    });
    r.case("10 testSig descriptor generator error", || {
        let got = verifier().verify_blob_with(&sig, EnvelopeFormat::Jws, &named(), &mut |_| {
            Err("boom".into())
        });
        match got {
            Err(e)
                if e.to_string()
                    == "failed to generate descriptor for given artifact. Error: boom" =>
            {
                Ok(())
            }
            other => Err(format!("{other:?}")),
        }
    });
    r.case("10 testSig skip level does not parse", || {
        let mut store = MemoryTrustStore::new();
        store.add(TrustStoreType::Ca, "x", Certificate::parse_many(&read("10-blob/notation-go-verifyblob/trusted-cert.pem")).unwrap()).unwrap();
        let doc = blob_doc(&json!({"version": "1.0", "trustPolicies": [{"name": "skip", "signatureVerification": {"level": "skip"}}]}));
        let v = Verifier::builder(Arc::new(store)).blob_policy(doc).build().unwrap();
        let out = v.verify_blob_with(b"garbage", EnvelopeFormat::Jws, &BlobVerifyOptions::new().policy_name("skip"), &mut |_| Err("not called".into()));
        match out {
            Ok(o) if o.is_skipped() && o.results().is_empty() => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
}
