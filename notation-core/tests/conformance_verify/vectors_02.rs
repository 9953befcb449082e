//! MANIFEST 02: the signatures of the alpine OCI layout.

use std::sync::Arc;

use notation_core::payload::Descriptor;
use notation_core::trust::{DirTrustStore, OciTrustPolicyDocument};
use notation_core::verifier::{ArtifactVerifyOptions, Verifier};

use crate::common::report::Report;
use crate::fixtures::{conf, read};
use crate::verdict::{expect, verdict};

pub(crate) fn vectors_02(r: &mut Report) {
    let reference =
        "local/oci-layout@sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0";
    let desc = Descriptor::new(
        "application/vnd.oci.image.manifest.v1+json",
        "sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0",
        481,
    );
    let make = || {
        let store = Arc::new(DirTrustStore::new(conf("02-oci-layout-alpine")));
        Verifier::builder(store)
            .oci_policy(
                OciTrustPolicyDocument::from_json(&read(
                    "02-oci-layout-alpine/trustpolicy.oci.json",
                ))
                .unwrap(),
            )
            .build()
            .unwrap()
    };
    for (file, mt) in [
        ("jws_signature.jws.sig", "application/jose+json"),
        ("cose_signature.cose.sig", "application/cose"),
    ] {
        r.case(format!("02 {file}"), || {
            let env = read(&format!("02-oci-layout-alpine/{file}"));
            expect(
                verdict(make().verify_artifact(
                    reference,
                    &desc,
                    &env,
                    mt,
                    &ArtifactVerifyOptions::new(),
                )),
                "VALID",
                &[],
            )
        });
        r.case(format!("02 {file} other artifact"), || {
            let env = read(&format!("02-oci-layout-alpine/{file}"));
            let other = Descriptor::new(desc.media_type.clone(), desc.digest.clone(), 482);
            expect(
                verdict(make().verify_artifact(
                    reference,
                    &other,
                    &env,
                    mt,
                    &ArtifactVerifyOptions::new(),
                )),
                "FAIL(PAYLOAD)",
                &["content descriptor mismatch"],
            )
        });
    }
}
