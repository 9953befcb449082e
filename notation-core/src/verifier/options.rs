//! Options for one verification.

use super::*;

/// Options for verifying a blob signature.
// Requirements: S3.
#[derive(Clone, Debug, Default)]
pub struct BlobVerifyOptions {
    pub(super) policy_name: Option<String>,
    pub(super) media_type: Option<String>,
    pub(super) user_metadata: BTreeMap<String, String>,
    pub(super) plugin_config: PluginConfig,
}

impl BlobVerifyOptions {
    /// Default options: the global blob policy, no media type or metadata
    /// requirement.
    pub fn new() -> Self {
        Self::default()
    }

    /// Selects the blob policy statement by name (an empty name selects the
    /// global statement, as giving none does, as the reference's
    /// `--policy-name ""`).
    // Requirements: K4.
    pub fn policy_name(mut self, name: impl Into<String>) -> Self {
        self.policy_name = Some(name.into());
        self
    }

    /// Requires the signed media type.
    // Requirements: N9.
    pub fn media_type(mut self, media_type: impl Into<String>) -> Self {
        self.media_type = Some(media_type.into());
        self
    }

    /// Requires user metadata.
    // Requirements: N10.
    pub fn user_metadata(mut self, metadata: BTreeMap<String, String>) -> Self {
        self.user_metadata = metadata;
        self
    }

    /// Configuration passed to a verification plugin (`--plugin-config`).
    // Requirements: R8.
    pub fn plugin_config(mut self, config: PluginConfig) -> Self {
        self.plugin_config = config;
        self
    }
}

/// Options for verifying an OCI artifact signature.
#[derive(Clone, Debug, Default)]
pub struct ArtifactVerifyOptions {
    pub(super) user_metadata: BTreeMap<String, String>,
    pub(super) plugin_config: PluginConfig,
}

impl ArtifactVerifyOptions {
    /// Default options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Requires user metadata.
    // Requirements: N10.
    pub fn user_metadata(mut self, metadata: BTreeMap<String, String>) -> Self {
        self.user_metadata = metadata;
        self
    }

    /// The required user metadata.
    pub fn required_user_metadata(&self) -> &BTreeMap<String, String> {
        &self.user_metadata
    }

    /// Configuration passed to a verification plugin (`--plugin-config`).
    // Requirements: R8.
    pub fn plugin_config(mut self, config: PluginConfig) -> Self {
        self.plugin_config = config;
        self
    }
}
