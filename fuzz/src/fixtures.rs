//! What the OCI targets verify against: a verifier trusting the signers of
//! the conformance layouts (02 alpine, 09 e2e), offline, under a policy
//! that applies to every repository and layout.

use std::sync::{Arc, OnceLock};

use notation_core::trust::{MemoryTrustStore, OciTrustPolicyDocument, TrustStoreType};
use notation_core::verifier::Verifier;
use notation_core::x509::Certificate;

/// The trust policy: strict, store `ca:fuzz`, any identity, any scope.
pub const OCI_POLICY: &str = r#"{"version":"1.0","trustPolicies":[{"name":"fuzz","registryScopes":["*"],"signatureVerification":{"level":"strict"},"trustStores":["ca:fuzz"],"trustedIdentities":["*"]}]}"#;

const ALPINE: &[u8] = include_bytes!(
    "../../../shared/conformance/02-oci-layout-alpine/truststore/x509/ca/alpine/alpine-self-signed.pem"
);
const E2E: &[u8] =
    include_bytes!("../../../shared/conformance/09-e2e-oci-layouts/localkeys/e2e.crt");

/// The shared verifier (built once: the policy and store never change).
pub fn oci_verifier() -> &'static Verifier {
    static VERIFIER: OnceLock<Verifier> = OnceLock::new();
    VERIFIER.get_or_init(|| {
        let mut store = MemoryTrustStore::new();
        let mut certs = Certificate::parse_many(ALPINE).expect("alpine certificate");
        certs.extend(Certificate::parse_many(E2E).expect("e2e certificate"));
        store
            .add(TrustStoreType::Ca, "fuzz", certs)
            .expect("trust store");
        Verifier::builder(Arc::new(store))
            .oci_policy(OciTrustPolicyDocument::from_json(OCI_POLICY.as_bytes()).expect("policy"))
            .build()
            .expect("verifier")
    })
}
