//! PKCS#11 modules, loaded once per process.
//!
//! `C_Initialize` may be called once per process and module; a second call
//! fails, and finalizing a module under another user's feet breaks it. So
//! every module is loaded and initialized once, into a process-wide
//! registry keyed by its canonical path, and stays loaded until the process
//! ends. Modules are initialized with `CKF_OS_LOCKING_OK`, so they may be
//! called from several threads.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};

use crate::error::Pkcs11Error;
use crate::pin::Pin;
use crate::uri::Pkcs11Uri;

/// The environment variable naming the module to use when a URI has
/// neither `module-path` nor `module-name`.
pub const MODULE_ENV: &str = "NOTATION_PKCS11_MODULE";

/// A loaded, initialized PKCS#11 module.
#[derive(Clone, Debug)]
pub struct Module {
    path: PathBuf,
    context: Pkcs11,
    manufacturer: String,
    description: String,
    version: (u8, u8),
    /// Per slot, a keyed hash of the PIN this process last logged in with
    /// (not the PIN: the registry lives as long as the process).
    logins: Arc<Mutex<HashMap<u64, u64>>>,
    /// The key of those hashes, random per process.
    login_key: std::collections::hash_map::RandomState,
}

impl Module {
    /// The module's canonical path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The cryptoki context.
    pub(crate) fn context(&self) -> &Pkcs11 {
        &self.context
    }

    /// Records that `pin` logged in to the token in `slot`.
    pub(crate) fn record_login(&self, slot: u64, pin: &Pin) {
        let hash = self.pin_hash(pin);
        let mut logins = self.logins.lock().unwrap_or_else(|p| p.into_inner());
        logins.insert(slot, hash);
    }

    /// SipHash of the PIN under the process's random key: a keyed PRF, so
    /// equal PINs give equal values and the value alone tells nothing.
    fn pin_hash(&self, pin: &Pin) -> u64 {
        use std::hash::BuildHasher;
        self.login_key.hash_one(pin.expose())
    }

    /// Whether `pin` may use the token in `slot`, which reports that this
    /// process is logged in already (PKCS#11 login is per application, and
    /// a module answers `CKR_USER_ALREADY_LOGGED_IN` before it looks at the
    /// PIN): it must be the PIN that logged in, when this library logged
    /// in. A login by another component of the process cannot be checked.
    pub(crate) fn same_login(&self, slot: u64, pin: &Pin) -> bool {
        let logins = self.logins.lock().unwrap_or_else(|p| p.into_inner());
        let hash = self.pin_hash(pin);
        logins.get(&slot).is_none_or(|recorded| *recorded == hash)
    }

    /// Whether the URI's library attributes match this module.
    pub(crate) fn matches(&self, uri: &Pkcs11Uri) -> bool {
        uri.library_manufacturer()
            .is_none_or(|m| m == self.manufacturer)
            && uri
                .library_description()
                .is_none_or(|d| d == self.description)
            && uri.library_version().is_none_or(|v| v == self.version)
    }
}

fn registry() -> &'static Mutex<HashMap<PathBuf, Arc<Module>>> {
    static MODULES: OnceLock<Mutex<HashMap<PathBuf, Arc<Module>>>> = OnceLock::new();
    MODULES.get_or_init(Default::default)
}

/// Loads (once per process) and initializes the module at `path`.
pub fn load(path: &Path) -> Result<Arc<Module>, Pkcs11Error> {
    let fail = |reason: String| Pkcs11Error::ModuleLoad {
        path: path.to_path_buf(),
        reason,
    };
    let canonical = std::fs::canonicalize(path).map_err(|e| fail(e.to_string()))?;
    // Loading and initializing happen under the lock, so two threads asking
    // for the same module at once initialize it once.
    let mut modules = registry().lock().unwrap_or_else(|p| p.into_inner());
    if let Some(module) = modules.get(&canonical) {
        return Ok(module.clone());
    }
    let context = Pkcs11::new(&canonical).map_err(|e| fail(e.to_string()))?;
    match context.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) => {}
        // Another component of this process initialized it already: that
        // is fine, its sessions and ours coexist.
        Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(e) => return Err(fail(format!("C_Initialize: {e}"))),
    }
    let info = context
        .get_library_info()
        .map_err(|e| fail(format!("C_GetInfo: {e}")))?;
    let version = info.library_version();
    let module = Arc::new(Module {
        path: canonical.clone(),
        context,
        manufacturer: info.manufacturer_id().to_string(),
        description: info.library_description().to_string(),
        version: (version.major(), version.minor()),
        logins: Default::default(),
        login_key: Default::default(),
    });
    modules.insert(canonical, module.clone());
    Ok(module)
}

/// Where the module for `uri` is: `module-path`, else `module-name` looked
/// up in the system's PKCS#11 module directories, else [`MODULE_ENV`].
///
/// A path must be absolute: loading a module runs its code, and a relative
/// one would load whatever file of that name the current directory holds
/// (a cloned repository, say).
pub fn resolve_path(uri: &Pkcs11Uri) -> Result<PathBuf, Pkcs11Error> {
    let absolute = |path: PathBuf, what: &str| {
        if path.is_absolute() {
            Ok(path)
        } else {
            Err(Pkcs11Error::ModuleLoad {
                reason: format!(
                    "{what} must be an absolute path: a relative one would load a library from the current directory"
                ),
                path,
            })
        }
    };
    if let Some(path) = uri.module_path() {
        return absolute(PathBuf::from(path), "module-path");
    }
    if let Some(name) = uri.module_name() {
        return find_module_by_name(name).ok_or_else(|| Pkcs11Error::ModuleLoad {
            path: PathBuf::from(name),
            reason: format!(
                "no module called {name:?} in {}",
                module_dirs()
                    .iter()
                    .map(|d| d.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    match std::env::var_os(MODULE_ENV) {
        Some(path) if !path.is_empty() => absolute(PathBuf::from(path), MODULE_ENV),
        _ => Err(Pkcs11Error::NoModule),
    }
}

/// The directories p11-kit and the distributions install modules into.
fn module_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    let arch = std::env::consts::ARCH;
    for triplet in [format!("{arch}-linux-gnu"), format!("{arch}-linux-musl")] {
        dirs.push(PathBuf::from(format!("/usr/lib/{triplet}/pkcs11")));
    }
    for d in [
        "/usr/lib64/pkcs11",
        "/usr/lib/pkcs11",
        "/usr/local/lib/pkcs11",
    ] {
        dirs.push(PathBuf::from(d));
    }
    dirs
}

/// `module-name=NAME` (RFC 7512: the name without path or suffix), as
/// `NAME.so` or `libNAME.so` in [`module_dirs`]. A name with a path
/// separator is not a name.
fn find_module_by_name(name: &str) -> Option<PathBuf> {
    if name.is_empty() || name.contains(['/', '\\']) || name == "." || name == ".." {
        return None;
    }
    let suffix = std::env::consts::DLL_SUFFIX;
    module_dirs().into_iter().find_map(|dir| {
        [format!("{name}{suffix}"), format!("lib{name}{suffix}")]
            .into_iter()
            .map(|file| dir.join(file))
            .find(|p| p.is_file())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_module_that_does_not_exist_is_a_load_error() {
        let err = load(Path::new("/nonexistent/libnothing.so")).unwrap_err();
        assert!(
            matches!(&err, Pkcs11Error::ModuleLoad { path, .. } if path == Path::new("/nonexistent/libnothing.so")),
            "{err}"
        );
    }

    #[test]
    fn a_file_that_is_no_library_is_a_load_error() {
        let dir = tempfile::tempdir().unwrap();
        let fake = dir.path().join("libfake.so");
        std::fs::write(&fake, b"not an ELF file").unwrap();
        let err = load(&fake).unwrap_err();
        assert!(matches!(err, Pkcs11Error::ModuleLoad { .. }), "{err}");
        assert!(err.to_string().contains("libfake.so"), "{err}");
    }

    #[test]
    fn module_names_never_escape_the_module_directories() {
        for name in ["../../../tmp/x", "/usr/lib/softhsm/libsofthsm2", "", ".."] {
            assert_eq!(find_module_by_name(name), None, "{name}");
        }
    }

    #[test]
    fn a_relative_module_path_is_refused() {
        for uri in [
            "pkcs11:?module-path=libsofthsm2.so",
            "pkcs11:?module-path=./lib/x.so",
            "pkcs11:?module-path=",
        ] {
            let err = resolve_path(&Pkcs11Uri::parse(uri).unwrap()).unwrap_err();
            assert!(
                err.to_string().contains("must be an absolute path"),
                "{uri}: {err}"
            );
        }
    }

    #[test]
    fn module_path_wins_over_module_name() {
        let uri = Pkcs11Uri::parse("pkcs11:?module-name=nothing&module-path=/x/y.so").unwrap();
        assert_eq!(resolve_path(&uri).unwrap(), PathBuf::from("/x/y.so"));
    }
}
