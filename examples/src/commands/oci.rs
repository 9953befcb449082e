//! `notation sign`, `verify`, `list`/`ls` and `inspect`: signatures of OCI
//! artifacts in registries and in OCI image layouts. `sign --recursive` and
//! `verify --recursive` take a multi-platform image (an image index) with
//! every manifest it lists. Their output, flags and defaults follow notation v1.3.2,
//! the latest release (`--force-referrers-tag` on by default, plain HTTP
//! only to `localhost:<port>`, `inspect` in the v1.3.2 shapes).
//!
//! Each command resolves the reference first, as the reference does (with
//! the mutable-tag warning, and `failed to get manifest descriptor: ...`
//! when it cannot), then works on the digest.
//!
//! Deviation: the reference hides `--oci-layout`/`--scope` behind
//! `NOTATION_EXPERIMENTAL=1`; here the OCI layout is a first-class store
//! (it is notation-rs's embedded default), so the flags are always on.
// Requirements: T1, T2, Q, K3, X2, X3.

mod copy;
mod copy_progress;
mod list;
mod sign;
mod trace;
mod verify;
mod verify_many;
mod verify_recursive;

pub use copy::CopyArgs;
pub use list::{InspectArgs, ListArgs};
pub use sign::SignArgs;
pub use trace::HttpTrace;
pub use verify::VerifyArgs;

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use notation_core::config::{Config, config_dir};
use notation_oci::layout::{LayoutError, parse_layout_reference};
use notation_oci::oci::Descriptor;
use notation_oci::reference::ReferenceError;
use notation_oci::registry::credentials::{CredentialChain, StaticCredentials};
use notation_oci::registry::{Credential, RegistryClient, RegistryError};
use notation_oci::repository::{RepositoryError, SignatureRepository};
use notation_oci::workflow::{self, WorkflowError};
use notation_oci::{OciLayout, Reference, RemoteRepository};

use crate::console::{Console, LogLevel};
use crate::error::{CliError, CliResult, go_quote};

/// Registry access flags (`-u/-p`, `--insecure-registry`).
#[derive(Args, Clone, Debug, Default)]
pub struct RegistryArgs {
    /// username for registry operations (default to $NOTATION_USERNAME if not specified)
    #[arg(short = 'u', long)]
    pub username: Option<String>,
    /// password for registry operations (default to $NOTATION_PASSWORD if not specified)
    #[arg(short = 'p', long)]
    pub password: Option<String>,
    /// use HTTP protocol while connecting to registries. Should be used only for testing
    #[arg(long = "insecure-registry")]
    pub insecure_registry: bool,
}

/// Whether `registry` is reached over plain HTTP, as the reference decides:
/// `--insecure-registry`, or listed in `insecureRegistries` of
/// `config.json`, or a `localhost:<port>` registry. Everything else,
/// `127.0.0.1` and `[::1]` included, is reached over HTTPS.
pub fn is_plain_http(registry: &str, insecure_flag: bool, config: &Config) -> bool {
    insecure_flag
        || config
            .insecure_registries
            .iter()
            .any(|r| r.eq_ignore_ascii_case(registry))
        || registry
            .rsplit_once(':')
            .is_some_and(|(host, port)| host.eq_ignore_ascii_case("localhost") && !port.is_empty())
}

impl RegistryArgs {
    /// A registry client for `registry` with the credentials and transport
    /// the flags and configuration ask for, and, under `-d`, the HTTP
    /// trace.
    pub fn client(&self, registry: &str, con: &Console) -> CliResult<RegistryClient> {
        let given = self.username_password();
        let explicit = Credential::from_username_password(&given.0, &given.1)
            .map(|c| StaticCredentials::new(registry, c));
        let chain = CredentialChain::notation_default(explicit).map_err(CliError::failed)?;
        self.build_client(registry, con, chain, RegistryClient::builder())
    }

    /// A registry client for one side of `notation copy`: the flags'
    /// credentials for `registry` only, then the credential store, never
    /// `NOTATION_USERNAME`/`NOTATION_PASSWORD` (they do not say which
    /// registry they are for). Each request is bounded by its operation's
    /// limit (`--timeout`) or, for a layer, by its blob transfer's, not by a
    /// fixed time per request: a large layer on a slow link may take long.
    pub fn client_for_copy(&self, registry: &str, con: &Console) -> CliResult<RegistryClient> {
        let mut chain = CredentialChain::new();
        if let Some(explicit) = self.explicit(registry) {
            chain = chain.with(explicit);
        }
        let store = notation_oci::registry::credentials::select_default_credential_store(
            &notation_oci::registry::credentials::notation_config_path(),
        )
        .map_err(CliError::failed)?;
        let store: Arc<dyn notation_oci::registry::CredentialStore> = Arc::from(store);
        let builder = RegistryClient::builder().timeouts(
            notation_oci::registry::Timeouts::default()
                .overall(std::time::Duration::from_secs(24 * 3600)),
        );
        self.build_client(registry, con, chain.with_arc(store), builder)
    }

    /// The username and password the reference's flags hold: each flag
    /// defaults to its own variable (`NOTATION_USERNAME`,
    /// `NOTATION_PASSWORD`), so `-u alice` with `NOTATION_PASSWORD` set
    /// logs in as alice with that password.
    pub fn username_password(&self) -> (String, String) {
        let flag_or_env = |flag: &Option<String>, var: &str| {
            flag.clone()
                .or_else(|| std::env::var(var).ok())
                .unwrap_or_default()
        };
        (
            flag_or_env(
                &self.username,
                notation_oci::registry::credentials::ENV_USERNAME,
            ),
            flag_or_env(
                &self.password,
                notation_oci::registry::credentials::ENV_PASSWORD,
            ),
        )
    }

    /// `-u/-p` alone (never the variables) as a credential for `registry`
    /// alone.
    fn explicit(&self, registry: &str) -> Option<StaticCredentials> {
        match (&self.username, &self.password) {
            (None, None) => None,
            (u, p) => Credential::from_username_password(
                u.as_deref().unwrap_or(""),
                p.as_deref().unwrap_or(""),
            )
            .map(|c| StaticCredentials::new(registry, c)),
        }
    }

    fn build_client(
        &self,
        registry: &str,
        con: &Console,
        chain: CredentialChain,
        builder: notation_oci::registry::RegistryClientOptions,
    ) -> CliResult<RegistryClient> {
        let config = Config::load(&config_dir())?;
        let mut options = super::network::registry_options(builder)
            .loopback_plain_http(false)
            .credentials(chain);
        if is_plain_http(registry, self.insecure_registry, &config) {
            options = options.insecure_registry(registry);
        }
        if con.log_level() > LogLevel::Off {
            options = options.observer(Arc::new(HttpTrace::new(con.log_sink())));
        }
        options.build().map_err(CliError::failed)
    }
}

/// Where the artifact and its signatures are.
enum Target {
    Layout {
        layout: OciLayout,
        path: PathBuf,
        reference: String,
    },
    Remote {
        repo: RemoteRepository,
        reference: Reference,
    },
}

impl Target {
    fn open(
        con: &Console,
        raw: &str,
        oci_layout: bool,
        registry: &RegistryArgs,
        force_referrers_tag: bool,
    ) -> CliResult<Self> {
        if oci_layout {
            let (path, reference) = parse_layout_reference(raw).map_err(CliError::usage)?;
            let layout = OciLayout::open(&path).map_err(CliError::failed)?;
            return Ok(Target::Layout {
                layout,
                path,
                reference,
            });
        }
        let reference = Reference::parse(raw).map_err(|e| {
            CliError::usage(format!(
                "{}: {}. Expecting <registry>/<repository>:<tag> or <registry>/<repository>@<digest>",
                go_quote(raw),
                reference_error_text(&e)
            ))
        })?;
        if reference.reference().is_none() {
            return Err(CliError::usage(format!(
                "{raw:?}: invalid reference: no tag or digest. Expecting <registry>/<repository>:<tag> or <registry>/<repository>@<digest>"
            )));
        }
        // One command, one registry operation: its requests share one time
        // limit (--timeout), however many signatures it reads.
        let client = registry
            .client(reference.registry(), con)?
            .begin_operation();
        let repo = RemoteRepository::new(client, &reference)
            .map_err(CliError::failed)?
            .force_referrers_tag(force_referrers_tag);
        Ok(Target::Remote { repo, reference })
    }

    fn repository(&self) -> &dyn SignatureRepository {
        match self {
            Target::Layout { layout, .. } => layout,
            Target::Remote { repo, .. } => repo,
        }
    }

    /// The store, for the walk of an image index (`--recursive`).
    fn store(&self) -> &dyn notation_oci::store::ContentStore {
        match self {
            Target::Layout { layout, .. } => layout,
            Target::Remote { repo, .. } => repo,
        }
    }

    /// The tag or digest to resolve.
    fn reference(&self) -> &str {
        match self {
            Target::Layout { reference, .. } => reference,
            Target::Remote { reference, .. } => reference.reference().expect("checked at open"),
        }
    }

    /// `<registry>/<repository>@<digest>` or `<layout path>@<digest>`: how
    /// the reference names a resolved artifact in every success line.
    fn display(&self, digest: &str) -> String {
        match self {
            Target::Layout { path, .. } => format!("{}@{digest}", path.display()),
            Target::Remote { reference, .. } => format!("{}@{digest}", reference.scope()),
        }
    }

    /// The reference as given, `<registry>/<repository>:<tag>` or
    /// `...@<digest>` (for "not found").
    fn shown_reference(&self) -> String {
        match self {
            Target::Layout {
                path, reference, ..
            } => format!("{}:{reference}", path.display()),
            Target::Remote { reference, .. } => match reference.digest() {
                Some(d) => format!("{}@{d}", reference.scope()),
                None => format!(
                    "{}:{}",
                    reference.scope(),
                    reference.tag().unwrap_or_default()
                ),
            },
        }
    }

    /// Resolves the reference to a digest as the reference's
    /// `resolveReference` does: logs the descriptor, and when a tag was
    /// given, prints `warning` (its text for the operation) once resolved.
    fn resolve(
        &self,
        con: &mut Console,
        warning: impl FnOnce(&str) -> String,
    ) -> CliResult<Descriptor> {
        let reference = self.reference();
        let (artifact, from_tag) =
            workflow::resolve(self.repository(), reference).map_err(|e| self.resolve_error(e))?;
        con.info(format_args!(
            "Reference {reference} resolved to manifest descriptor: {}",
            go_descriptor(&artifact)
        ))?;
        if from_tag {
            con.eprintln(warning(reference))?;
        }
        Ok(artifact)
    }

    /// The error of a failed resolution, worded as the reference's
    /// (`failed to get manifest descriptor: <reference>: not found`). The
    /// one place that decides what "not found" is.
    fn resolve_error(&self, e: WorkflowError) -> CliError {
        if let WorkflowError::DigestMismatch { .. } = e {
            return CliError::failed(e);
        }
        let not_found = match &e {
            WorkflowError::Repository(RepositoryError::Registry(RegistryError::Status(s))) => {
                s.status == 404
            }
            WorkflowError::Repository(RepositoryError::Layout(LayoutError::NotFound(_))) => true,
            _ => false,
        };
        if not_found {
            CliError::failed(match self {
                // The reference's OCI layout store says just "not found".
                Target::Layout { .. } => "failed to get manifest descriptor: not found".to_string(),
                Target::Remote { .. } => format!(
                    "failed to get manifest descriptor: {}: not found",
                    self.shown_reference()
                ),
            })
        } else {
            CliError::failed(format!("failed to get manifest descriptor: {e}"))
        }
    }
}

/// A reference that does not parse, worded as oras-go's errors (the
/// reference quotes the input before it).
pub(crate) fn reference_error_text(e: &ReferenceError) -> String {
    match e {
        ReferenceError::MissingRepository(_) => {
            "invalid reference: missing registry or repository".into()
        }
        ReferenceError::InvalidRegistry { registry, .. } => {
            format!("invalid reference: invalid registry {}", go_quote(registry))
        }
        ReferenceError::InvalidRepository { repository, .. } => format!(
            "invalid reference: invalid repository {}",
            go_quote(repository)
        ),
        ReferenceError::InvalidTag { tag, .. } => {
            format!("invalid reference: invalid tag {}", go_quote(tag))
        }
        ReferenceError::InvalidDigest { digest, .. } => {
            let quoted = go_quote(digest);
            match go_digest_reason(digest) {
                Some(reason) => format!("invalid reference: invalid digest {quoted}: {reason}"),
                None => format!("invalid reference: invalid digest {quoted}"),
            }
        }
        e => e.to_string(),
    }
}

/// Why go-digest's `Digest.Validate` refuses `digest` (the reason oras-go
/// gives after the digest), or `None` where it takes it.
fn go_digest_reason(digest: &str) -> Option<&'static str> {
    const FORMAT: &str = "invalid checksum digest format";
    let Some((algorithm, encoded)) = digest
        .split_once(':')
        .filter(|(a, e)| !a.is_empty() && !e.is_empty())
    else {
        return Some(FORMAT);
    };
    let size = match algorithm {
        "sha256" => 32,
        "sha384" => 48,
        "sha512" => 64,
        // `DigestRegexpAnchored`: `[a-z0-9]+(?:[.+_-][a-z0-9]+)*` before the
        // colon, `[a-zA-Z0-9=_-]+` after it.
        _ => {
            let component = |c: &str| {
                !c.is_empty()
                    && c.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            };
            let well_formed = algorithm.split(['.', '+', '_', '-']).all(component)
                && encoded
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'=' | b'_' | b'-'));
            return Some(if well_formed {
                "unsupported digest algorithm"
            } else {
                FORMAT
            });
        }
    };
    if encoded.len() != size * 2 {
        return Some("invalid checksum digest length");
    }
    (!encoded
        .bytes()
        .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
    .then_some(FORMAT)
}

/// The mutable-tag warning of `verify`, `list` and `inspect`.
fn tag_warning(operation: &'static str) -> impl FnOnce(&str) -> String {
    move |tag| {
        format!(
            "Warning: Always {operation} the artifact using digest(@sha256:...) rather than a tag(:{tag}) because resolved digest may not point to the same signed artifact, as tags are mutable."
        )
    }
}

/// A descriptor as Go's `%+v` prints an `ocispec.Descriptor` (the
/// reference's info log).
fn go_descriptor(d: &Descriptor) -> String {
    let annotations = d
        .annotations
        .as_ref()
        .map(|a| {
            a.iter()
                .map(|(k, v)| format!("{k}:{v}"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    format!(
        "{{MediaType:{} Digest:{} Size:{} URLs:[] Annotations:map[{annotations}] Data:[] Platform:<nil> ArtifactType:{}}}",
        d.media_type,
        d.digest,
        d.size,
        d.artifact_type.as_deref().unwrap_or("")
    )
}

/// `<scope>@<digest>` or `<scope>:<tag>`: the artifact as policy errors
/// quote it before it is resolved.
fn shown_input(scope: &str, reference: &str) -> String {
    if reference.contains(':') {
        format!("{scope}@{reference}")
    } else {
        format!("{scope}:{reference}")
    }
}

fn check_max(max: i64) -> CliResult<usize> {
    if max <= 0 {
        return Err(CliError::usage(format!(
            "max-signatures value {max} must be a positive number"
        )));
    }
    Ok(max as usize)
}

/// The reference's deprecated, hidden `--allow-referrers-api` flag:
/// accepted with its warning (`sign` then uses the referrers API).
#[derive(Args, Clone, Debug, Default)]
pub struct AllowReferrersApiArg {
    /// (deprecated) use the Referrers API to store or list signatures, if not supported (returns 404), fallback to the Referrers tag schema
    #[arg(
        long = "allow-referrers-api",
        hide = true,
        value_name = crate::cli::flags::BOOL_VALUE_NAME,
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        value_parser = crate::cli::flags::go_bool_parser()
    )]
    pub allow_referrers_api: Option<bool>,
}

impl AllowReferrersApiArg {
    /// Prints the reference's deprecation warning when the flag was given.
    fn warn(&self, con: &mut Console, replacement: bool) -> CliResult {
        match self.allow_referrers_api {
            Some(true) if replacement => con.eprintln(
                "Warning: flag '--allow-referrers-api' is deprecated and will be removed in future versions, use '--force-referrers-tag=false' instead.",
            ),
            Some(_) => con.eprintln(
                "Warning: flag '--allow-referrers-api' is deprecated and will be removed in future versions.",
            ),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    /// go-digest's reasons, as the reference CLI prints them after the
    /// digest (`invalid digest "sha256:abc": invalid checksum digest
    /// length`).
    #[test]
    fn digest_reasons_are_go_digests() {
        let hex = "ab".repeat(32);
        for (digest, reason) in [
            ("sha256:abc", Some("invalid checksum digest length")),
            (
                &*format!("sha256:{}", hex.to_uppercase()),
                Some("invalid checksum digest format"),
            ),
            ("sha999:abc", Some("unsupported digest algorithm")),
            (
                "md5:d41d8cd98f00b204e9800998ecf8427e",
                Some("unsupported digest algorithm"),
            ),
            ("a+b.c:x=y_z-0", Some("unsupported digest algorithm")),
            ("SHA256:abc", Some("invalid checksum digest format")),
            ("sha256", Some("invalid checksum digest format")),
            ("sha256:", Some("invalid checksum digest format")),
            (":abc", Some("invalid checksum digest format")),
            ("a..b:c", Some("invalid checksum digest format")),
            ("x:a/b", Some("invalid checksum digest format")),
            (&*format!("sha256:{hex}"), None),
            (&*format!("sha512:{hex}{hex}"), None),
        ] {
            assert_eq!(super::go_digest_reason(digest), reason, "{digest}");
        }
    }

    use super::*;

    #[test]
    fn plain_http_as_the_reference() {
        let config = Config {
            insecure_registries: vec!["reg.example:5000".into()],
            ..Default::default()
        };
        assert!(is_plain_http("localhost:5000", false, &config));
        assert!(is_plain_http("LOCALHOST:1", false, &config));
        assert!(is_plain_http("REG.example:5000", false, &config));
        assert!(is_plain_http("anything.io", true, &config));
        // HTTPS everywhere else, loopback addresses included.
        for tls in [
            "localhost",
            "127.0.0.1:5000",
            "[::1]:5000",
            "registry.io",
            "localhost.example:5000",
        ] {
            assert!(!is_plain_http(tls, false, &config), "{tls}");
        }
    }

    #[test]
    fn descriptors_as_go_prints_them() {
        let mut d = Descriptor::new(
            "application/vnd.oci.image.manifest.v1+json",
            "sha256:ab",
            394,
        );
        assert_eq!(
            go_descriptor(&d),
            "{MediaType:application/vnd.oci.image.manifest.v1+json Digest:sha256:ab Size:394 URLs:[] Annotations:map[] Data:[] Platform:<nil> ArtifactType:}"
        );
        d.annotations = Some([("b".to_string(), "2".to_string()), ("a".into(), "1".into())].into());
        assert!(go_descriptor(&d).contains("Annotations:map[a:1 b:2]"));
    }
}
