//! Help texts: each command's description and examples, as the reference's
//! `Long` texts (notation v1.3.2 for the commands it has, v2.0.0-alpha.1
//! for `blob` and the OCI/blob `policy` split), and the messages for a
//! missing required argument. Commands where the reference has no example
//! get examples in the same style.

use clap::{Arg, ArgAction, Command};

/// The `Long` text of each command, by path (without `notation`).
const LONG: &[(&str, &str)] = &[
    (
        "",
        "Notation - a tool to sign and verify artifacts

Example - Sign an OCI artifact with the default key and verify it:
  notation sign <registry>/<repository>@<digest>
  notation verify <registry>/<repository>@<digest>

Example - Generate shell completion for bash:
  notation completion bash",
    ),
    (
        "blob",
        "Sign, verify, inspect signatures of blob. Configure blob trust policy.

Example - Sign a blob and verify its signature:
  notation blob sign <blob_path>
  notation blob verify --signature <blob_path>.jws.sig <blob_path>",
    ),
    (
        "blob sign",
        "Produce a detached signature for a given blob.

By default, the signature file will be written to the same directory as the blob with file name \"{blob file name}.{signature format}.sig\".

Note: a signing key must be specified. This can be done temporarily by specifying a key ID, or a new key can be configured using the command \"notation key add\"

Example - Sign a blob artifact using the default signing key, with the default JWS envelope, and store the signature at current directory:
  notation blob sign <blob_path>

Example - Sign a blob artifact by generating the signature in a particular directory:
  notation blob sign --signature-directory <signature_directory_path> <blob_path>

Example - Sign a blob artifact and skip user confirmations when overwriting existing signature:
  notation blob sign --force <blob_path>

Example - Sign a blob artifact using the default signing key, with the COSE envelope:
  notation blob sign --signature-format cose <blob_path>

Example - Sign a blob artifact with a specified plugin and signing key stored in KMS:
  notation blob sign --plugin <plugin_name> --id <remote_key_id> <blob_path>

Example - Sign a blob artifact and add a user metadata to payload:
  notation blob sign --user-metadata <metadata> <blob_path>

Example - Sign a blob artifact using a specified media type:
  notation blob sign --media-type <media type> <blob_path>

Example - Sign a blob artifact using a specified key:
  notation blob sign --key <key_name> <blob_path>

Example - Sign a blob artifact and specify the signature expiry duration, for example 24 hours:
  notation blob sign --expiry 24h <blob_path>

Example - Sign a blob artifact with timestamping:
  notation blob sign --timestamp-url <TSA_url> --timestamp-root-cert <TSA_root_certificate_filepath> <blob_path>",
    ),
    (
        "blob verify",
        "Verify a signature associated with a blob.

Prerequisite: added a certificate into trust store and created a trust policy.

Example - Verify a signature on a blob artifact:
  notation blob verify --signature <signature_path> <blob_path>

Example - Verify the signature on a blob artifact with user metadata:
  notation blob verify --user-metadata <metadata> --signature <signature_path> <blob_path>

Example - Verify the signature on a blob artifact with media type:
  notation blob verify --media-type <media_type> --signature <signature_path> <blob_path>

Example - Verify the signature on a blob artifact using a policy statement name:
  notation blob verify --policy-name <policy_name> --signature <signature_path> <blob_path>",
    ),
    (
        "blob inspect",
        "Inspect a signature associated with a blob.

Example - Inspect a signature:
  notation blob inspect blob.cose.sig

Example - Inspect a signature and output as JSON:
  notation blob inspect -o json blob.cose.sig",
    ),
    (
        "blob policy",
        "Manage blob trust policy configuration for arbitrary blob signature verification.

Example - Initialize a blob trust policy, then show it:
  notation blob policy init --name examplePolicy --trust-store ca:exampleStore --trusted-identity \"*\"
  notation blob policy show",
    ),
    (
        "blob policy import",
        "Import blob trust policy configuration from a JSON file.

Example - Import blob trust policy configuration from a JSON file and store as \"trustpolicy.blob.json\":
  notation blob policy import my_policy.json

Example - Import blob trust policy and override existing configuration without prompt:
  notation blob policy import --force my_policy.json",
    ),
    (
        "blob policy show",
        "Show blob trust policy configuration.

Example - Show current blob trust policy configuration:
  notation blob policy show

Example - Save current blob trust policy configuration to a file:
  notation blob policy show > my_policy.json",
    ),
    (
        "blob policy init",
        "Initialize blob trust policy configuration.

Example - init a blob trust policy configuration with a trust store and a trusted identity:
  notation blob policy init --name examplePolicy --trust-store ca:exampleStore --trusted-identity \"x509.subject: C=US, ST=WA, O=acme-rockets.io\"

Example - init a blob trust policy configuration and set the policy statement as the global policy:
  notation blob policy init --name examplePolicy --trust-store ca:exampleStore --trusted-identity \"x509.subject: C=US, ST=WA, O=acme-rockets.io\" --global

Example - init a blob trust policy configuration with multiple trust stores and trusted identities:
  notation blob policy init --name examplePolicy --trust-store ca:exampleStore --trust-store ca:exampleStore2 --trusted-identity \"x509.subject: C=US, ST=WA, O=acme-rockets.io\" --trusted-identity \"x509.subject: C=US, ST=WA, L=Seattle, O=wabbit-networks.io\"

Example - init a blob trust policy configuration with any trusted identity:
  notation blob policy init --name examplePolicy --trust-store ca:exampleStore --trusted-identity \"*\"

Example - init a blob trust policy configuration without prompt:
  notation blob policy init --name examplePolicy --trust-store ca:exampleStore --trusted-identity \"x509.subject: C=US, ST=WA, O=acme-rockets.io\" --force",
    ),
    (
        "certificate",
        "Manage certificates in trust store for signature verification.

Example - Add a certificate to the \"ca\" type of a named store \"acme-rockets\", then list the trust store:
  notation cert add --type ca --store acme-rockets acme-rockets.crt
  notation cert ls",
    ),
    (
        "certificate add",
        "Add certificates to the trust store

Example - Add a certificate to the \"ca\" type of a named store \"acme-rockets\":
  notation cert add --type ca --store acme-rockets acme-rockets.crt

Example - Add a certificate to the \"signingAuthority\" type of a named store \"wabbit-networks\":
  notation cert add --type signingAuthority --store wabbit-networks wabbit-networks.pem

Example - Add a certificate to the \"tsa\" type of a named store \"timestamp\":
  notation cert add --type tsa --store timestamp wabbit-networks-timestamp.pem",
    ),
    (
        "certificate list",
        "List certificates in the trust store

Example - List all certificate files stored in the trust store
  notation cert ls

Example - List all certificate files of trust store \"acme-rockets\"
  notation cert ls --store \"acme-rockets\"

Example - List all certificate files from trust store of type \"ca\"
  notation cert ls --type ca

Example - List all certificate files from trust store \"wabbit-networks\" of type \"signingAuthority\"
  notation cert ls --type signingAuthority --store \"wabbit-networks\"

Example - List all certificate files from trust store of type \"tsa\"
  notation cert ls --type tsa",
    ),
    (
        "certificate show",
        "Show certificate details of given trust store name, trust store type, and certificate file name. If the certificate file contains multiple certificates, then all certificates are displayed

Example - Show details of certificate \"cert1.pem\" with type \"ca\" from trust store \"acme-rockets\":
  notation cert show --type ca --store acme-rockets cert1.pem

Example - Show details of certificate \"cert2.pem\" with type \"signingAuthority\" from trust store \"wabbit-networks\":
  notation cert show --type signingAuthority --store wabbit-networks cert2.pem

Example - Show details of certificate \"wabbit-networks-timestamp.pem\" with type \"tsa\" from trust store \"timestamp\":
  notation cert show --type tsa --store timestamp wabbit-networks-timestamp.pem",
    ),
    (
        "certificate delete",
        "Delete certificates from the trust store

Example - Delete all certificates with \"ca\" type from the trust store \"acme-rockets\":
  notation cert delete --type ca --store acme-rockets --all

Example - Delete certificate \"cert1.pem\" with \"signingAuthority\" type from trust store wabbit-networks:
  notation cert delete --type signingAuthority --store wabbit-networks cert1.pem

Example - Delete all certificates with \"ca\" type from the trust store \"acme-rockets\", without prompt for confirmation:
  notation cert delete --type ca --store acme-rockets -y --all

Example - Delete certificate \"wabbit-networks-timestamp.pem\" with \"tsa\" type from trust store timestamp:
  notation cert delete --type tsa --store timestamp wabbit-networks-timestamp.pem -y",
    ),
    (
        "certificate generate-test",
        "Generate a test RSA key and a corresponding self-signed certificate

Example - Generate a test RSA key and a corresponding self-signed certificate named \"wabbit-networks.io\":
  notation cert generate-test \"wabbit-networks.io\"

Example - Generate a test RSA key and a corresponding self-signed certificate, set RSA key as a default signing key:
  notation cert generate-test --default \"wabbit-networks.io\"

Example - Generate a test ECDSA P-384 key and certificate valid for 30 days:
  notation cert generate-test --key-type ec --key-size 384 --lifetime 30d \"wabbit-networks.io\"",
    ),
    (
        "certificate cleanup-test",
        "Clean up a test RSA key and its corresponding certificate that were generated using the \"generate-test\" command.

Example - Clean up a test key and corresponding certificate named \"wabbit-networks.io\":
  notation cert cleanup-test wabbit-networks.io",
    ),
    (
        "key",
        "Manage keys used for signing

Example - Add a key to signing key list:
  notation key add --plugin <plugin_name> --id <key_id> <key_name>

Example - List keys used for signing:
  notation key ls

Example - Update the default signing key:
  notation key set --default <key_name>

Example - Delete the key from signing key list:
  notation key delete <key_name>...",
    ),
    (
        "key add",
        "Add key to Notation signing key list

Example - Add a key of a signing plugin and make it the default key:
  notation key add --plugin <plugin_name> --id <key_id> --default <key_name>

Example - Add a local key and its certificate chain:
  notation key add --key-file <key_path> --cert-file <cert_chain_path> <key_name>",
    ),
    (
        "key update",
        "Update key in Notation signing key list

Example - Make a key the default signing key:
  notation key update --default <key_name>",
    ),
    (
        "key list",
        "List keys used for signing

Example - List keys used for signing (the default key is marked with \"*\"):
  notation key ls",
    ),
    (
        "key delete",
        "Remove key from Notation signing key list

Example - Remove two keys from the signing key list (their files are kept):
  notation key delete <key_name> <key_name>",
    ),
    (
        "plugin",
        "Manage plugins

Example - Install a plugin from a file, then list installed plugins:
  notation plugin install --file wabbit-plugin-v1.0.zip
  notation plugin ls",
    ),
    (
        "plugin install",
        "Install a plugin

Example - Install plugin from file system:
  notation plugin install --file wabbit-plugin-v1.0.zip

Example - Install plugin from file system with user input SHA256 checksum:
  notation plugin install --file wabbit-plugin-v1.0.zip --sha256sum 113062a462674a0e35cb5cad75a0bb2ea16e9537025531c0fd705018fcdbc17e

Example - Install plugin from file system regardless if it's already installed:
  notation plugin install --file wabbit-plugin-v1.0.zip --force

Example - Install plugin from file system with .tar.gz:
  notation plugin install --file wabbit-plugin-v1.0.tar.gz

Example - Install plugin from file system with a single plugin executable file:
  notation plugin install --file notation-wabbit-plugin

Example - Install plugin from URL, SHA256 checksum is required:
  notation plugin install --url https://wabbit-networks.com/intaller/linux/amd64/wabbit-plugin-v1.0.tar.gz --sha256sum f8a75d9234db90069d9eb5660e5374820edf36d710bd063f4ef81e7063d3810b",
    ),
    (
        "plugin uninstall",
        "Uninstall a plugin

Example - Uninstall plugin:
  notation plugin uninstall wabbit-plugin",
    ),
    (
        "plugin list",
        "List installed plugins

Example - List installed Notation plugins:
  notation plugin ls",
    ),
    (
        "policy",
        "Manage OCI trust policy configuration for OCI artifact signature verification.

Example - Import an OCI trust policy, then show it:
  notation policy import my_policy.json
  notation policy show",
    ),
    (
        "policy import",
        "Import OCI trust policy configuration from a JSON file.

Example - Import OCI trust policy configuration from a JSON file and store as \"trustpolicy.oci.json\":
  notation policy import my_policy.json

Example - Import OCI trust policy and override existing configuration without prompt:
  notation policy import --force my_policy.json",
    ),
    (
        "policy show",
        "Show OCI trust policy configuration.

Example - Show current OCI trust policy configuration:
  notation policy show

Example - Save current OCI trust policy configuration to a file:
  notation policy show > my_policy.json",
    ),
    (
        "sign",
        "Sign artifacts

Note: a signing key must be specified. This can be done temporarily by specifying a key ID, or a new key can be configured using the command \"notation key add\"

Example - Sign an OCI artifact using the default signing key, with the default JWS envelope, and use OCI image manifest to store the signature:
  notation sign <registry>/<repository>@<digest>

Example - Sign an OCI artifact using the default signing key, with the COSE envelope:
  notation sign --signature-format cose <registry>/<repository>@<digest>

Example - Sign an OCI artifact with a specified plugin and signing key stored in KMS
  notation sign --plugin <plugin_name> --id <remote_key_id> <registry>/<repository>@<digest>

Example - Sign an OCI artifact using a specified key
  notation sign --key <key_name> <registry>/<repository>@<digest>

Example - Sign an OCI artifact identified by a tag (Notation will resolve tag to digest)
  notation sign <registry>/<repository>:<tag>

Example - Sign an OCI artifact stored in a registry and specify the signature expiry duration, for example 24 hours
  notation sign --expiry 24h <registry>/<repository>@<digest>

Example - Sign an OCI artifact and store signature using the Referrers API. If it's not supported, fallback to the Referrers tag schema
  notation sign --force-referrers-tag=false <registry>/<repository>@<digest>

Example - Sign an OCI artifact with timestamping:
  notation sign --timestamp-url <TSA_url> --timestamp-root-cert <TSA_root_certificate_filepath> <registry>/<repository>@<digest>

Example - Sign an OCI artifact referenced in an OCI layout
  notation sign --oci-layout \"<oci_layout_path>@<digest>\"

Example - Sign an OCI artifact identified by a tag and referenced in an OCI layout
  notation sign --oci-layout \"<oci_layout_path>:<tag>\"

Example - Sign a multi-platform image (an image index) and every manifest it lists
  notation sign --recursive <registry>/<repository>@<digest>",
    ),
    (
        "verify",
        "Verify OCI artifacts

Prerequisite: added a certificate into trust store and created a trust policy.

Example - Verify a signature on an OCI artifact identified by a digest:
  notation verify <registry>/<repository>@<digest>

Example - Verify a signature on an OCI artifact identified by a tag  (Notation will resolve tag to digest):
  notation verify <registry>/<repository>:<tag>

Example - Verify a signature on an OCI artifact referenced in an OCI layout using trust policy statement specified by scope.
  notation verify --oci-layout \"<oci_layout_path>@<digest>\" --scope <trust_policy_scope>

Example - Verify a signature on an OCI artifact identified by a tag and referenced in an OCI layout using trust policy statement specified by scope.
  notation verify --oci-layout \"<oci_layout_path>:<tag>\" --scope <trust_policy_scope>

Example - Verify a multi-platform image (an image index) and every manifest it lists:
  notation verify --recursive <registry>/<repository>@<digest>

Example - Verify several OCI artifacts and report on each in JSON (exit status 0 only when every one is verified or skipped by policy):
  notation verify -o json <registry>/<repository>@<digest> <registry>/<repository>:<tag>

Example - Verify the OCI artifacts listed in a file (one reference per line, '-' for standard input), 16 at once:
  notation verify --concurrency 16 --references-from <file>",
    ),
    (
        "copy",
        "Copy an artifact with its signatures, byte for byte, between registries and OCI image layouts

The artifact keeps its digest: a manifest with its config and layers, or an image index with every manifest it lists, and every Notary signature attached to them. Blobs the destination has are skipped, blobs of another repository of the same registry are mounted, and the destination tag is written last: an interrupted copy leaves no tag, and running it again completes it.

Example - Copy a multi-platform image and its signatures to another registry (the destination takes the source's tag):
  notation copy <registry>/<repository>:<tag> <other_registry>/<repository>

Example - Export an artifact with its signatures into an OCI layout (for an air-gapped network):
  notation copy --to-oci-layout <registry>/<repository>:<tag> <oci_layout_path>

Example - Import it from the OCI layout into a registry, and verify it there:
  notation copy --from-oci-layout --verify <oci_layout_path>:<tag> <registry>/<repository>:<tag>

Example - Copy every referrer too (SBOMs, attestations) with their signatures:
  notation copy --all-referrers <registry>/<repository>@<digest> <other_registry>/<repository>:<tag>

Example - Copy between registries with their own credentials:
  notation copy --from-username <user> --from-password <password> --to-username <user2> --to-password <password2> <registry>/<repository>:<tag> <other_registry>/<repository>",
    ),
    (
        "list",
        "List all the signatures associated with signed artifact

Example - List signatures of an OCI artifact:
  notation list <registry>/<repository>@<digest>

Example - List signatures of an OCI artifact identified by a tag (Notation will resolve tag to digest)
  notation list <registry>/<repository>:<tag>

Example - List signatures of an OCI artifact referenced in an OCI layout
  notation list --oci-layout \"<oci_layout_path>@<digest>\"

Example - List signatures of an OCI artifact identified by a tag and referenced in an OCI layout
  notation list --oci-layout \"<oci_layout_path>:<tag>\"",
    ),
    (
        "inspect",
        "Inspect all signatures associated with the signed artifact.

Example - Inspect signatures on an OCI artifact identified by a digest:
  notation inspect <registry>/<repository>@<digest>

Example - Inspect signatures on an OCI artifact identified by a tag  (Notation will resolve tag to digest):
  notation inspect <registry>/<repository>:<tag>

Example - Inspect signatures on an OCI artifact identified by a digest and output as json:
  notation inspect --output json <registry>/<repository>@<digest>",
    ),
    (
        "login",
        "Log in to an OCI registry

Example - Login with provided username and password:
  notation login -u <user> -p <password> registry.example.com

Example - Login using $NOTATION_USERNAME $NOTATION_PASSWORD variables:
  notation login registry.example.com",
    ),
    (
        "logout",
        "Log out from the logged in registries

Example - Log out from a registry:
  notation logout registry.example.com",
    ),
    (
        "version",
        "Show the notation version information

Example - Show the version, the Rust version and the platform:
  notation version",
    ),
    (
        "completion",
        "Generate the autocompletion script for notation for the specified shell.
See each sub-command's help for details on how to use the generated script.

Example - Load bash completions in the current shell session:
  source <(notation completion bash)",
    ),
    (
        "completion bash",
        "Generate the autocompletion script for the bash shell.

This script depends on the 'bash-completion' package.
If it is not installed already, you can install it via your OS's package manager.

To load completions in your current shell session:

	source <(notation completion bash)

To load completions for every new session, execute once:

#### Linux:

	notation completion bash > /etc/bash_completion.d/notation

#### macOS:

	notation completion bash > $(brew --prefix)/etc/bash_completion.d/notation

You will need to start a new shell for this setup to take effect.",
    ),
    (
        "completion zsh",
        "Generate the autocompletion script for the zsh shell.

If shell completion is not already enabled in your environment you will need
to enable it.  You can execute the following once:

	echo \"autoload -U compinit; compinit\" >> ~/.zshrc

To load completions in your current shell session:

	source <(notation completion zsh)

To load completions for every new session, execute once:

#### Linux:

	notation completion zsh > \"${fpath[1]}/_notation\"

#### macOS:

	notation completion zsh > $(brew --prefix)/share/zsh/site-functions/_notation

You will need to start a new shell for this setup to take effect.",
    ),
    (
        "completion fish",
        "Generate the autocompletion script for the fish shell.

To load completions in your current shell session:

	notation completion fish | source

To load completions for every new session, execute once:

	notation completion fish > ~/.config/fish/completions/notation.fish

You will need to start a new shell for this setup to take effect.",
    ),
    (
        "completion powershell",
        "Generate the autocompletion script for powershell.

To load completions in your current shell session:

	notation completion powershell | Out-String | Invoke-Expression

To load completions for every new session, add the output of the above command
to your powershell profile.",
    ),
];

/// The message for a missing required argument of the command at `path`
/// (`["notation", "sign"]`), as the reference words it.
pub fn missing_argument(path: &[String]) -> Option<&'static str> {
    let key: Vec<&str> = path.iter().skip(1).map(String::as_str).collect();
    Some(match key.join(" ").as_str() {
        "sign" => {
            "missing reference to the artifact: use `notation sign --help` to see what parameters are required"
        }
        "verify" => {
            "missing reference to the artifact: use `notation verify --help` to see what parameters are required"
        }
        "list" => {
            "missing reference to the artifact: use `notation list --help` to see what parameters are required"
        }
        "copy" => {
            "missing source or destination: use `notation copy --help` to see what parameters are required"
        }
        "inspect" => {
            "missing reference to the artifact: use `notation inspect --help` to see what parameters are required"
        }
        "blob sign" => {
            "missing file path to the blob artifact: use `notation blob sign --help` to see what parameters are required"
        }
        "blob verify" => {
            "missing path to the blob artifact: use `notation blob verify --help` to see what parameters are required"
        }
        "blob inspect" => {
            "missing signature path: use `notation blob inspect --help` to see what parameters are required"
        }
        _ => return None,
    })
}

/// The `Long` text of the command at `path` (without `notation`).
pub fn long_text(path: &str) -> Option<&'static str> {
    LONG.iter().find(|(p, _)| *p == path).map(|(_, t)| *t)
}

/// Gives the command at `path` (without `notation`; empty for the root)
/// and its subcommands their `Long` text and a `-h/--help` that shows it
/// (cobra shows the same help for both), and removes `-V/--version` from
/// subcommands (the reference has `notation version` only).
pub fn apply_at(command: Command, path: &str) -> Command {
    apply_here(command, path).mut_subcommands(|sub| {
        let sub_path = if path.is_empty() {
            sub.get_name().to_string()
        } else {
            format!("{path} {}", sub.get_name())
        };
        apply_at(sub, &sub_path)
    })
}

/// [`apply_at`] for the command at `path` alone.
pub fn apply_here(mut command: Command, path: &str) -> Command {
    if let Some(text) = long_text(path) {
        command = command.long_about(text);
    }
    let shown = if path.is_empty() {
        "notation".to_string()
    } else {
        path.rsplit(' ').next().unwrap_or(path).to_string()
    };
    command = command.disable_help_flag(true).arg(
        Arg::new("help")
            .short('h')
            .long("help")
            .help(format!("help for {shown}"))
            .action(ArgAction::HelpLong)
            .global(false),
    );
    if !path.is_empty() {
        command = command.disable_version_flag(true);
    }
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command has its Long text, with an example.
    #[test]
    fn every_command_has_examples() {
        fn walk(command: &Command, path: &str, seen: &mut Vec<String>) {
            // clap's `help` subcommands (and theirs) are not the reference's.
            if command.get_name() == "help" {
                return;
            }
            {
                let text = long_text(path).unwrap_or_else(|| panic!("no help text for {path:?}"));
                assert!(text.contains("notation"), "{path}: {text}");
                assert!(
                    text.contains("Example")
                        || text.contains("source <(notation completion")
                        || text.contains("To load completions"),
                    "no example for {path:?}"
                );
                seen.push(path.to_string());
            }
            for sub in command.get_subcommands() {
                let sub_path = if path.is_empty() {
                    sub.get_name().to_string()
                } else {
                    format!("{path} {}", sub.get_name())
                };
                walk(sub, &sub_path, seen);
            }
        }
        let mut seen = Vec::new();
        walk(&crate::cli::command(), "", &mut seen);
        for (path, _) in LONG {
            assert!(
                seen.iter().any(|s| s == path),
                "help text for a command that does not exist: {path:?}"
            );
        }
    }
}
