//! `notation certificate` (alias `cert`): trust store files and test keys
//! (`generate-test`, `cleanup-test`).
// Requirements: I1-I5.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use notation_core::algorithm::KeySpec;
use notation_core::config::{KeySuite, LOCAL_KEYS_DIR, SigningKeys, config_dir};
use notation_core::timefmt;
use notation_core::trust::store::{CertificateFileError, CertificateValidationError};
use notation_core::trust::{DirTrustStore, TrustStoreManagementError, TrustStoreType};

use super::{LoggingArgs, check_store_name, parse_store_type, require_flags};
use crate::console::{Confirmation, Console};
use crate::display::table;
use crate::duration::parse_lifetime;
use crate::error::{CliError, CliResult, go_quote};
use crate::fsutil::{self, Overwrite};
use crate::testpki::{self, TestCertificateRequest};

/// `notation certificate`.
#[derive(Args, Debug)]
pub struct CertificateCommand {
    #[command(subcommand)]
    command: CertificateSubcommand,
}

#[derive(Subcommand, Debug)]
enum CertificateSubcommand {
    /// Add certificates to the trust store.
    Add(AddArgs),
    /// List certificates in the trust store.
    #[command(visible_alias = "ls")]
    List(ListArgs),
    /// Show certificate details given trust store type, named store, and certificate file name. If the certificate file contains multiple certificates, then all certificates are displayed.
    Show(ShowArgs),
    /// Delete certificates from the trust store.
    Delete(DeleteArgs),
    /// Generate a test key and a corresponding self-signed certificate.
    GenerateTest(GenerateTestArgs),
    /// Clean up a test key and its corresponding certificate that were generated using the "generate-test" command.
    CleanupTest(CleanupTestArgs),
}

impl CertificateCommand {
    /// Runs the subcommand.
    pub fn run(self, con: &mut Console) -> CliResult {
        match self.command {
            CertificateSubcommand::Add(a) => a.run(con),
            CertificateSubcommand::List(a) => a.run(con),
            CertificateSubcommand::Show(a) => a.run(con),
            CertificateSubcommand::Delete(a) => a.run(con),
            CertificateSubcommand::GenerateTest(a) => a.run(con),
            CertificateSubcommand::CleanupTest(a) => a.run(con),
        }
    }
}

/// The `--type`/`--store` pair of add, show and delete.
#[derive(Args, Debug)]
struct StoreArgs {
    /// specify trust store type, options: ca, signingAuthority, tsa
    #[arg(short = 't', long = "type", value_name = "TYPE")]
    store_type: Option<String>,
    /// specify named store
    #[arg(short = 's', long = "store", value_name = "NAME")]
    store: Option<String>,
}

impl StoreArgs {
    /// Both flags are required; the name is checked before the type, as
    /// the reference does.
    fn required(&self) -> CliResult<(TrustStoreType, String)> {
        require_flags(&[
            ("type", self.store_type.is_some()),
            ("store", self.store.is_some()),
        ])?;
        let name = self.store.clone().unwrap_or_default();
        check_store_name(&name)?;
        let store_type = parse_store_type(self.store_type.as_deref().unwrap_or_default())?;
        Ok((store_type, name))
    }
}

/// A store operation's error in the reference's words where they differ
/// from notation-core's.
fn store_error_text(e: &TrustStoreManagementError) -> String {
    match e {
        TrustStoreManagementError::Invalid {
            error: CertificateValidationError::Empty,
            ..
        } => "no valid certificate found in the file".into(),
        // The parser's error alone, as the reference gives it (the line
        // names the file).
        TrustStoreManagementError::Read {
            error: CertificateFileError::Parse(e),
            ..
        } => e.to_string(),
        // Go's `os.ReadFile` error, on the absolute path as the reference
        // reads it.
        TrustStoreManagementError::Read {
            path,
            error: CertificateFileError::Io(e),
        } => crate::fsutil::go_read_error(&crate::fsutil::absolute(path), e),
        e => e.to_string(),
    }
}

// ---------------------------------------------------------------------------
// add
// ---------------------------------------------------------------------------

/// `notation certificate add`.
#[derive(Args, Debug)]
pub struct AddArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// certificate files (PEM or DER)
    #[arg(value_name = "CERT_PATH")]
    paths: Vec<PathBuf>,
}

impl AddArgs {
    fn run(self, con: &mut Console) -> CliResult {
        if self.paths.is_empty() {
            return Err(CliError::usage("missing certificate path"));
        }
        let (store_type, name) = self.store.required()?;
        let store = DirTrustStore::new(config_dir());
        let mut added = Vec::new();
        let mut failed = Vec::new();
        for path in &self.paths {
            // Every certificate must satisfy the store type's rules (I5):
            // a `tsa` store takes only self-issued root CAs.
            match store.add_certificate_file(store_type, &name, path, false) {
                Ok(_) => added.push(path),
                Err(e) => failed.push((path, store_error_text(&e))),
            }
        }
        if !added.is_empty() {
            con.println(format_args!("Successfully added following certificates to named store {name} of type {store_type}:"))?;
            for p in added {
                con.println(p.display())?;
            }
        }
        if failed.is_empty() {
            return Ok(());
        }
        let mut lines = vec![format!(
            "Failed to add following certificates to named store {name} of type {store_type}:"
        )];
        for (p, e) in failed {
            lines.push(format!("{}, with error {}", p.display(), go_quote(&e)));
        }
        Err(CliError::Lines(lines))
    }
}

// ---------------------------------------------------------------------------
// list
// ---------------------------------------------------------------------------

/// `notation certificate list`.
#[derive(Args, Debug)]
pub struct ListArgs {
    #[command(flatten)]
    logging: LoggingArgs,
    #[command(flatten)]
    store: StoreArgs,
}

impl ListArgs {
    fn run(self, con: &mut Console) -> CliResult {
        self.logging.apply(con);
        // An empty `--type` filters nothing, and a type that is none of
        // the three lists nothing, as in the reference.
        let store_type = match self.store.store_type.as_deref() {
            None | Some("") => None,
            Some(t) => match TrustStoreType::from_name(t) {
                Some(t) => Some(t),
                None => return Ok(()),
            },
        };
        let name = self.store.store.as_deref().filter(|n| !n.is_empty());
        if let Some(n) = name {
            check_store_name(n)?;
        }
        let context = match (name, store_type) {
            (None, None) => "in the trust store".to_string(),
            (Some(n), Some(t)) => format!("in the named store {n} of type {t}"),
            (None, Some(t)) => format!("of type {t}"),
            (Some(n), None) => format!("in the named store {n}"),
        };
        let fail = |e: String| {
            CliError::failed(format!(
                "failed to list all certificates stored {context}, with error: {e}"
            ))
        };
        let store = DirTrustStore::new(config_dir());
        let types = store_type
            .map(|t| vec![t])
            .unwrap_or_else(|| TrustStoreType::ALL.to_vec());
        let mut rows = Vec::new();
        for t in types {
            let names = match name {
                Some(n) => vec![n.to_string()],
                None => store.list_stores(t).map_err(|e| fail(e.to_string()))?,
            };
            for n in names {
                for file in store
                    .list_certificate_files(t, &n)
                    .map_err(|e| fail(e.to_string()))?
                {
                    // As the reference, a file without certificates is not
                    // listed and one that does not parse is an error.
                    match store.read_certificate_file(t, &n, &file) {
                        Ok(_) => rows.push(vec![t.to_string(), n.clone(), file]),
                        Err(TrustStoreManagementError::Invalid {
                            error: CertificateValidationError::Empty,
                            ..
                        }) => {}
                        Err(e) => return Err(fail(e.to_string())),
                    }
                }
            }
        }
        con.debug(format_args!("{} certificate file(s) found", rows.len()))?;
        if rows.is_empty() {
            return Ok(());
        }
        rows.insert(
            0,
            vec![
                "STORE TYPE".into(),
                "STORE NAME".into(),
                "CERTIFICATE".into(),
            ],
        );
        con.print(table::render(&rows))
    }
}

// ---------------------------------------------------------------------------
// show
// ---------------------------------------------------------------------------

/// `notation certificate show`.
#[derive(Args, Debug)]
pub struct ShowArgs {
    #[command(flatten)]
    logging: LoggingArgs,
    #[command(flatten)]
    store: StoreArgs,
    /// the certificate file name in the store
    #[arg(value_name = "CERT_FILENAME")]
    files: Vec<String>,
}

impl ShowArgs {
    fn run(self, con: &mut Console) -> CliResult {
        self.logging.apply(con);
        let file = match self.files.as_slice() {
            [] => return Err(CliError::usage("missing certificate file name")),
            [f] => f.clone(),
            _ => {
                return Err(CliError::usage(
                    "show only supports single certificate file",
                ));
            }
        };
        let (store_type, name) = self.store.required()?;
        if file.is_empty() {
            return Err(CliError::usage("certificate fileName cannot be empty"));
        }
        let store = DirTrustStore::new(config_dir());
        let certs = store
            .read_certificate_file(store_type, &name, &file)
            .map_err(|e| {
                CliError::failed(format!(
                    "failed to show details of certificate {file}, with error: {}",
                    store_error_text(&e)
                ))
            })?;
        const RULE: &str =
            "--------------------------------------------------------------------------------";
        con.println("Certificate details")?;
        con.println(RULE)?;
        for (i, cert) in certs.iter().enumerate() {
            con.println(format_args!("Issuer: {}", cert.issuer()))?;
            con.println(format_args!("Subject: {}", cert.subject()))?;
            con.println(format_args!(
                "Valid from: {}",
                timefmt::go_utc_string(cert.not_before())
            ))?;
            con.println(format_args!(
                "Valid to: {}",
                timefmt::go_utc_string(cert.not_after())
            ))?;
            con.println(format_args!("IsCA: {}", cert.is_ca()))?;
            con.println(format_args!(
                "SHA256 Thumbprint: {}",
                cert.sha256_fingerprint_hex()
            ))?;
            if i + 1 != certs.len() {
                con.println(RULE)?;
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// delete
// ---------------------------------------------------------------------------

/// `notation certificate delete`.
#[derive(Args, Debug)]
pub struct DeleteArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// delete all certificates in the named store
    #[arg(short = 'a', long)]
    all: bool,
    /// do not prompt for confirmation
    #[arg(short = 'y', long = "yes")]
    yes: bool,
    /// the certificate file name in the store
    #[arg(value_name = "CERT_FILENAME")]
    files: Vec<String>,
}

impl DeleteArgs {
    fn run(self, con: &mut Console) -> CliResult {
        if self.all && !self.files.is_empty() {
            return Err(CliError::usage(
                "cannot delete a single certificate file when --all flag is set. use --help flag for more details",
            ));
        }
        if !self.all && self.files.is_empty() {
            return Err(CliError::usage(
                "delete requires either the certificate file name that needs to be deleted or --all flag to delete all certificates in the given named trust store",
            ));
        }
        let (store_type, name) = self.store.required()?;
        let store = DirTrustStore::new(config_dir());
        let skip = "use -y to delete without confirmation";
        if self.all {
            if !self.yes {
                let prompt = format!(
                    "Are you sure you want to delete all certificates in {} of type {}?",
                    go_quote(&name),
                    go_quote(store_type.as_str())
                );
                if con.confirm(&prompt, skip)? == Confirmation::No {
                    return Ok(());
                }
            }
            let path = store.delete_store(store_type, &name).map_err(|e| {
                CliError::failed(format!("failed to delete the named trust store: {e}"))
            })?;
            return con.println(format_args!("Successfully deleted {}", path.display()));
        }
        let file = &self.files[0];
        if file.is_empty() {
            return Err(CliError::usage(
                "to delete a specific certificate, certificate fileName cannot be empty",
            ));
        }
        if !self.yes {
            let prompt = format!(
                "Are you sure you want to delete {} in {} of type {}?",
                go_quote(file),
                go_quote(&name),
                go_quote(store_type.as_str())
            );
            if con.confirm(&prompt, skip)? == Confirmation::No {
                return Ok(());
            }
        }
        store
            .delete_certificate(store_type, &name, file)
            .map_err(|e| CliError::failed(format!("failed to delete the certificate file: {e}")))?;
        con.println(format_args!(
            "Successfully deleted {file} from trust store {name} of type {store_type}"
        ))
    }
}

// ---------------------------------------------------------------------------
// generate-test / cleanup-test
// ---------------------------------------------------------------------------

/// The key algorithm of `generate-test`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum KeyType {
    /// RSA (2048, 3072 or 4096 bits; RSASSA-PSS signatures).
    Rsa,
    /// ECDSA on NIST P-256, P-384 or P-521.
    Ec,
}

/// `notation certificate generate-test`.
#[derive(Args, Debug)]
pub struct GenerateTestArgs {
    /// mark as default signing key
    #[arg(long)]
    default: bool,
    /// key algorithm
    #[arg(long = "key-type", value_enum, default_value = "rsa")]
    key_type: KeyType,
    /// key size in bits: 2048, 3072 or 4096 for RSA (default 2048); 256, 384 or 521 for EC (default 256)
    #[arg(
        short = 'b',
        long = "bits",
        visible_alias = "key-size",
        value_name = "BITS",
        value_parser = crate::cli::flags::go_int_parser()
    )]
    key_size: Option<i64>,
    /// certificate lifetime, e.g. 365d, 30d, 12h (units d, h, m, s)
    #[arg(long, value_name = "DURATION", default_value = "365d", value_parser = parse_lifetime)]
    lifetime: time::Duration,
    /// the certificate's common name; also names the key, the files and the trust store
    #[arg(value_name = "COMMON_NAME")]
    name: Option<String>,
}

impl GenerateTestArgs {
    fn key_spec(&self) -> CliResult<KeySpec> {
        let spec = match (self.key_type, self.key_size) {
            (KeyType::Rsa, None | Some(2048)) => KeySpec::Rsa2048,
            (KeyType::Rsa, Some(3072)) => KeySpec::Rsa3072,
            (KeyType::Rsa, Some(4096)) => KeySpec::Rsa4096,
            (KeyType::Ec, None | Some(256)) => KeySpec::Ec256,
            (KeyType::Ec, Some(384)) => KeySpec::Ec384,
            (KeyType::Ec, Some(521)) => KeySpec::Ec521,
            (KeyType::Rsa, Some(b)) => {
                return Err(CliError::usage(format!(
                    "unsupported RSA key size {b}: supported sizes are 2048, 3072 and 4096"
                )));
            }
            (KeyType::Ec, Some(b)) => {
                return Err(CliError::usage(format!(
                    "unsupported EC key size {b}: supported sizes are 256, 384 and 521"
                )));
            }
        };
        Ok(spec)
    }

    fn run(self, con: &mut Console) -> CliResult {
        let name = self
            .name
            .clone()
            .ok_or_else(|| CliError::usage("missing certificate common_name"))?;
        if !testpki::is_valid_name(&name) {
            return Err(CliError::usage(
                "name needs to follow [a-zA-Z0-9_.-]+ format",
            ));
        }
        let spec = self.key_spec()?;
        let dir = fsutil::absolute(&config_dir());
        let (key_path, cert_path) = local_key_paths(&dir, &name);
        let cert_file = format!("{name}.crt");

        // Everything that would make a later step fail is checked before
        // anything is generated or written.
        let mut keys = SigningKeys::load(&dir)?;
        if keys.keys.iter().any(|k| k.name == name) {
            return Err(CliError::failed(format!(
                "signing key with name {} already exists",
                go_quote(&name)
            )));
        }
        for path in [&key_path, &cert_path] {
            if fs::symlink_metadata(path).is_ok() {
                return Err(CliError::failed(format!(
                    "{} already exists",
                    path.display()
                )));
            }
        }
        let store = DirTrustStore::new(&dir);
        if store
            .list_certificate_files(TrustStoreType::Ca, &name)
            .map_err(CliError::failed)?
            .contains(&cert_file)
        {
            return Err(CliError::failed(format!(
                "certificate {cert_file} already exists in trust store {name} of type ca"
            )));
        }

        let (algorithm, bits) = if spec.is_rsa() {
            ("RSA", spec.bits())
        } else {
            ("EC", spec.bits())
        };
        con.println(format_args!("generating {algorithm} Key with {bits} bits"))?;
        let generated =
            testpki::generate(&TestCertificateRequest::new(&name, spec).lifetime(self.lifetime))
                .map_err(CliError::failed)?;
        con.println(format_args!(
            "generated certificate expiring on {}",
            timefmt::rfc3339(generated.certificate().not_after())
        ))?;

        // Written in order; on failure, what was written is removed again.
        let mut undo = Undo::default();
        let result = (|| {
            fsutil::write_atomic(
                &key_path,
                generated.key_pem().as_bytes(),
                0o600,
                Overwrite::Deny,
            )
            .map_err(|e| {
                CliError::failed(format!(
                    "failed to write key file: {}",
                    fsutil::io_error_text(&e)
                ))
            })?;
            undo.files.push(key_path.clone());
            con.println(format_args!("wrote key: {}", key_path.display()))?;
            fsutil::write_atomic(
                &cert_path,
                generated.cert_pem().as_bytes(),
                0o644,
                Overwrite::Deny,
            )
            .map_err(|e| {
                CliError::failed(format!(
                    "failed to write certificate file: {}",
                    fsutil::io_error_text(&e)
                ))
            })?;
            undo.files.push(cert_path.clone());
            con.println(format_args!("wrote certificate: {}", cert_path.display()))?;
            store
                .add_certificate(
                    TrustStoreType::Ca,
                    &name,
                    &cert_file,
                    generated.cert_pem().as_bytes(),
                    false,
                )
                .map_err(|e| CliError::failed(store_error_text(&e)))?;
            undo.store_certificate = Some((store.clone(), name.clone(), cert_file.clone()));
            con.println(format_args!(
                "Successfully added {cert_file} to named store {name} of type ca"
            ))?;
            keys.add(
                KeySuite::local(
                    &name,
                    key_path.to_string_lossy(),
                    cert_path.to_string_lossy(),
                ),
                self.default,
            )?;
            keys.save(&dir)?;
            Ok(())
        })();
        if let Err(e) = result {
            undo.run();
            return Err(e);
        }
        con.println(format_args!("{name}: added to the key list"))?;
        if self.default {
            con.println(format_args!("{name}: marked as default signing key"))?;
        }
        Ok(())
    }
}

/// `{config}/localkeys/<name>.key` and `.crt`.
fn local_key_paths(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let base = dir.join(LOCAL_KEYS_DIR);
    (
        base.join(format!("{name}.key")),
        base.join(format!("{name}.crt")),
    )
}

/// What `generate-test` removes again when a later step fails.
#[derive(Default)]
struct Undo {
    files: Vec<PathBuf>,
    store_certificate: Option<(DirTrustStore, String, String)>,
}

impl Undo {
    fn run(self) {
        if let Some((store, name, file)) = self.store_certificate {
            let _ = store.delete_certificate(TrustStoreType::Ca, &name, &file);
        }
        for f in self.files {
            let _ = fs::remove_file(f);
        }
    }
}

/// `notation certificate cleanup-test`.
#[derive(Args, Debug)]
pub struct CleanupTestArgs {
    /// do not prompt for confirmation
    #[arg(short = 'y', long = "yes")]
    yes: bool,
    /// the common name given to generate-test
    #[arg(value_name = "COMMON_NAME")]
    name: Option<String>,
}

impl CleanupTestArgs {
    fn run(self, con: &mut Console) -> CliResult {
        let name = self
            .name
            .ok_or_else(|| CliError::usage("missing certificate common name"))?;
        if !testpki::is_valid_name(&name) {
            return Err(CliError::usage(
                "certificate common name must follow [a-zA-Z0-9_.-]+ format",
            ));
        }
        let dir = fsutil::absolute(&config_dir());
        let (key_path, cert_path) = local_key_paths(&dir, &name);
        let cert_file = format!("{name}.crt");
        if !self.yes {
            let prompt = format!(
                "The test key {name} and its corresponding certificate will be cleaned up with the following changes:\n- Delete certificate {cert_file} from trust store {name} of type ca\n- Remove key {name} from the key list\n- Delete key file: {}\n- Delete certificate file: {}\n\nAre you sure you want to continue?",
                key_path.display(),
                cert_path.display()
            );
            if con.confirm(&prompt, "use -y to clean up without confirmation")? == Confirmation::No
            {
                return Ok(());
            }
        }
        let store = DirTrustStore::new(&dir);
        match store.delete_certificate(TrustStoreType::Ca, &name, &cert_file) {
            Ok(_) => con.println(format_args!(
                "Successfully deleted {cert_file} from trust store {name} of type ca"
            ))?,
            Err(TrustStoreManagementError::CertificateNotFound { .. }) => {
                con.println(format_args!(
                    "Certificate {cert_file} does not exist in trust store {name} of type ca"
                ))?
            }
            Err(e) => {
                return Err(CliError::failed(format!(
                    "failed to delete certificate {cert_file} from trust store {name} of type ca: {e}"
                )));
            }
        }
        let mut keys = SigningKeys::load(&dir).map_err(|e| {
            CliError::failed(format!(
                "failed to remove key {name} from the key list: {e}"
            ))
        })?;
        if keys.keys.iter().any(|k| k.name == name) {
            keys.remove(&name)?;
            keys.save(&dir).map_err(|e| {
                CliError::failed(format!(
                    "failed to remove key {name} from the key list: {e}"
                ))
            })?;
            con.println(format_args!(
                "Successfully removed key {name} from the key list"
            ))?;
        } else {
            con.println(format_args!("Key {name} does not exist in the key list"))?;
        }
        for (path, what, action) in [
            (&key_path, "Key file", "failed to delete key file"),
            (
                &cert_path,
                "Certificate file",
                "failed to delete certificate file",
            ),
        ] {
            match fs::remove_file(path) {
                Ok(()) => con.println(format_args!(
                    "Successfully deleted {}: {}",
                    what.to_lowercase(),
                    path.display()
                ))?,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    con.println(format_args!("{what} {} does not exist", path.display()))?
                }
                Err(e) => return Err(CliError::io(action, path, e)),
            }
        }
        con.println("Cleanup completed successfully")
    }
}
