//! Verification plugins: locating the plugin a signature names and
//! building its `verify-signature` request.

use super::*;

impl Verifier {
    /// The verification plugin named by the signature, located, its version at
    /// least the signature's minimum, with at least one
    /// `SIGNATURE_VERIFIER` capability. `None` when the signature names no
    /// plugin. The reference's order and messages.
    // Requirements: R8.
    pub(super) fn verification_plugin(
        &self,
        info: &SignerInfo,
        plugin_config: &PluginConfig,
    ) -> Result<Option<VerificationPlugin>, PluginStepError> {
        use crate::plugin::semver;
        use PluginStepError::Inconclusive;
        let Some(name) = info.signed.critical_string(header::VERIFICATION_PLUGIN) else {
            return Ok(None);
        };
        let name = name.map_err(Inconclusive)?;
        if name.trim().is_empty() {
            return Err(Inconclusive(format!(
                "{} from extended attribute is an empty string",
                header::VERIFICATION_PLUGIN
            )));
        }
        let minimum = match info
            .signed
            .critical_string(header::VERIFICATION_PLUGIN_MIN_VERSION)
        {
            None => None,
            Some(Ok(v)) if !v.trim().is_empty() && semver::is_valid(v) => Some(v),
            Some(result) => {
                let detail = match result {
                    Err(e) => e,
                    Ok(v) if v.trim().is_empty() => format!(
                        "{} from extended attribute is an empty string",
                        header::VERIFICATION_PLUGIN_MIN_VERSION
                    ),
                    Ok(_) => format!(
                        "{} from extended attribute is not a valid SemVer",
                        header::VERIFICATION_PLUGIN_MIN_VERSION
                    ),
                };
                return Err(Inconclusive(format!(
                    "error while getting plugin minimum version, error: {detail}"
                )));
            }
        };
        let not_located = |detail: String| {
            Inconclusive(format!(
                "error while locating the verification plugin {}, make sure the plugin is installed successfully before verifying the signature. error: {detail}",
                GoQuoted(name)
            ))
        };
        let Some(locator) = &self.plugins else {
            return Err(not_located("plugin not found".into()));
        };
        let plugin = locator
            .locate(name)
            .map_err(|e| not_located(e.to_string()))?;
        let metadata = plugin
            .get_metadata(&GetMetadataRequest::new(plugin_config.clone()))
            .map_err(|e| PluginStepError::Plugin(Box::new(PluginVerificationError::Metadata(e))))?;
        if !semver::is_valid(&metadata.version) {
            return Err(Inconclusive(format!(
                "plugin {name} has pluginVersion {} which is not in valid semver format",
                metadata.version
            )));
        }
        let minimum = minimum.unwrap_or_default();
        if !semver::satisfies_minimum(&metadata.version, minimum) {
            return Err(Inconclusive(format!(
                "found plugin {name} with version {} but signature verification needs plugin version greater than or equal to {minimum}",
                metadata.version
            )));
        }
        let mut capabilities: Vec<Capability> = Vec::new();
        for c in metadata
            .capabilities
            .into_iter()
            .filter(Capability::is_verifier)
        {
            if !capabilities.contains(&c) {
                capabilities.push(c);
            }
        }
        if capabilities.is_empty() {
            return Err(Inconclusive(format!(
                "digital signature requires plugin {} with signature verification capabilities ({} and/or {}) installed",
                GoQuoted(name),
                GoQuoted(Capability::TrustedIdentityVerifier.as_str()),
                GoQuoted(Capability::RevocationCheckVerifier.as_str())
            )));
        }
        Ok(Some(VerificationPlugin {
            name: name.to_string(),
            plugin,
            capabilities,
        }))
    }
}

/// The verification plugin a signature uses, as located.
// Requirements: R8.
pub(super) struct VerificationPlugin {
    pub(super) name: String,
    pub(super) plugin: Arc<dyn Plugin>,
    /// Its `SIGNATURE_VERIFIER` capabilities, in the order it lists them.
    pub(super) capabilities: Vec<Capability>,
}

/// How locating the verification plugin fails: inconclusive, or an error
/// the reference returns as is.
pub(super) enum PluginStepError {
    Inconclusive(String),
    Plugin(Box<PluginVerificationError>),
}

/// The `verify-signature` request as the reference builds it:
/// the Notary critical attributes (expiry always, the authentic signing
/// time for `signingAuthority`), every text-keyed extended attribute other
/// than the plugin headers as `extendedAttributes` and
/// `unprocessedAttributes` (`null` when there are none), the chain, the
/// statement's trusted identities as written, the capabilities to run.
///
/// Like the reference, and unlike the spec's wording, extended attributes
/// are sent whether or not `crit` lists them, and the plugin must process
/// them all; COSE integer-labelled attributes are not sent.
// Requirements: R8, W15.
pub(super) fn verify_request(
    info: &SignerInfo,
    statement: &PolicyStatement,
    capabilities: Vec<Capability>,
    plugin_config: &PluginConfig,
) -> VerifySignatureRequest {
    let extended: Vec<(&str, &serde_json::Value)> = info
        .signed
        .extended
        .iter()
        .filter_map(|a| match &a.key {
            AttributeKey::Text(k)
                if k != header::VERIFICATION_PLUGIN
                    && k != header::VERIFICATION_PLUGIN_MIN_VERSION =>
            {
                Some((k.as_str(), &a.value))
            }
            _ => None,
        })
        .collect();
    let unprocessed =
        (!extended.is_empty()).then(|| extended.iter().map(|(k, _)| k.to_string()).collect());
    let critical_attributes = CriticalAttributes {
        content_type: info.signed.content_type.clone(),
        signing_scheme: info.signed.signing_scheme.as_str().to_string(),
        expiry: info.signed.expiry,
        authentic_signing_time: info.signed.authentic_signing_time(),
        extended_attributes: extended
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    };
    let signature = SignatureDetails {
        critical_attributes,
        unprocessed_attributes: unprocessed,
        certificate_chain: info
            .certificate_chain
            .iter()
            .map(|c| c.der().to_vec())
            .collect(),
    };
    let trust_policy = PluginTrustPolicy {
        trusted_identities: statement
            .trusted_identities()
            .iter()
            .map(|i| i.as_str().to_string())
            .collect(),
        signature_verification: capabilities,
    };
    VerifySignatureRequest {
        contract_version: CONTRACT_VERSION.to_string(),
        signature,
        trust_policy,
        plugin_config: plugin_config.clone(),
    }
}
