//! Writing documents back in the reference's field order.

use super::*;

#[derive(Serialize)]
pub(super) struct SignatureVerificationOut<'a> {
    pub(super) level: &'a str,
    #[serde(rename = "override", skip_serializing_if = "BTreeMap::is_empty")]
    pub(super) overrides: BTreeMap<&'a str, &'a str>,
    #[serde(rename = "verifyTimestamp", skip_serializing_if = "Option::is_none")]
    pub(super) verify_timestamp: Option<&'a str>,
}

#[derive(Serialize)]
pub(super) struct StatementOut<'a> {
    pub(super) name: &'a str,
    #[serde(rename = "signatureVerification")]
    pub(super) signature_verification: SignatureVerificationOut<'a>,
    #[serde(rename = "trustStores")]
    pub(super) trust_stores: Vec<String>,
    #[serde(rename = "trustedIdentities")]
    pub(super) trusted_identities: Vec<&'a str>,
    #[serde(rename = "registryScopes", skip_serializing_if = "Option::is_none")]
    pub(super) registry_scopes: Option<&'a [String]>,
    #[serde(rename = "globalPolicy", skip_serializing_if = "std::ops::Not::not")]
    pub(super) global_policy: bool,
}

#[derive(Serialize)]
pub(super) struct DocumentOut<'a> {
    pub(super) version: &'a str,
    #[serde(rename = "trustPolicies")]
    pub(super) trust_policies: Vec<StatementOut<'a>>,
}

pub(super) fn statement_out(s: &PolicyStatement, kind: PolicyKind) -> StatementOut<'_> {
    StatementOut {
        name: &s.name,
        signature_verification: SignatureVerificationOut {
            level: s.verification.level.as_str(),
            // Go marshals the override map with sorted keys.
            overrides: s
                .overrides
                .iter()
                .map(|(t, a)| (t.as_str(), a.as_str()))
                .collect(),
            verify_timestamp: s.verify_timestamp.map(VerifyTimestamp::as_str),
        },
        trust_stores: s.trust_stores.iter().map(ToString::to_string).collect(),
        trusted_identities: s
            .trusted_identities
            .iter()
            .map(TrustedIdentity::as_str)
            .collect(),
        registry_scopes: (kind == PolicyKind::Oci).then_some(s.registry_scopes.as_slice()),
        global_policy: s.global,
    }
}

impl Serialize for OciTrustPolicyDocument {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        DocumentOut {
            version: &self.version,
            trust_policies: self
                .statements
                .iter()
                .map(|s| statement_out(s, PolicyKind::Oci))
                .collect(),
        }
        .serialize(serializer)
    }
}

impl Serialize for BlobTrustPolicyDocument {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        DocumentOut {
            version: &self.version,
            trust_policies: self
                .statements
                .iter()
                .map(|s| statement_out(s, PolicyKind::Blob))
                .collect(),
        }
        .serialize(serializer)
    }
}
