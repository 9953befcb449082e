//! Real SoftHSM 2 tokens for the tests, made with the tools a user would
//! use: `softhsm2-util --init-token` creates the tokens in a temporary
//! directory, `pkcs11-tool` (OpenSC) imports the test PKI's keys and
//! certificates (`testdata/pki`) and generates a key on the token that never
//! leaves it, and `openssl` issues that key's certificate.
//!
//! SoftHSM reads `SOFTHSM2_CONF` once, when a process first initializes it,
//! and a PKCS#11 module is initialized once per process: so each test
//! process has one token directory ([`hsm`]), set up before anything loads
//! the module, with every token the tests of that process use. Tests that
//! need a token nobody else logs into (wrong PIN) get their own token.
//!
//! A missing `softhsm2-util`, `pkcs11-tool` or `openssl` fails the test:
//! install them with `apt-get install -y softhsm2 opensc openssl`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The SoftHSM module Debian installs.
pub const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
/// The main token's label and user PIN.
pub const TOKEN: &str = "notation";
pub const PIN: &str = "1234";
const SO_PIN: &str = "12345678";
/// A token only the wrong-PIN tests log into (badly).
pub const LOCKED_TOKEN: &str = "wrong-pin";
pub const LOCKED_PIN: &str = "4321";
/// The key specs of the test PKI, by their file names.
pub const SPECS: [&str; 6] = [
    "rsa-2048", "rsa-3072", "rsa-4096", "ec-256", "ec-384", "ec-521",
];
/// The label of the key generated on the token (RSA-3072, non-extractable).
pub const GENERATED: &str = "generated";
/// A token whose sessions a test closes under its signer's feet (as a
/// token removed and put back does); PIN [`PIN`], key `ec-256`.
pub const SESSIONS_TOKEN: &str = "sessions";
/// A token that keeps, before the right intermediate, a certificate with
/// the same subject and another key (an issuer renewed with a new key);
/// PIN [`PIN`], key and certificate `ec-256`.
pub const RENEWED_TOKEN: &str = "renewed";

/// The test PKI directory.
pub fn pki(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/pki")).join(name)
}

/// This process's token directory.
pub struct Hsm {
    dir: tempfile::TempDir,
    conf: PathBuf,
}

fn run(cmd: &mut Command) -> Vec<u8> {
    let shown = format!("{cmd:?}");
    let out = cmd.output().unwrap_or_else(|e| {
        panic!(
            "cannot run {shown}: {e}. The PKCS#11 tests need softhsm2, opensc and openssl: apt-get install -y softhsm2 opensc openssl"
        )
    });
    assert!(
        out.status.success(),
        "{shown} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The process's SoftHSM: made once, `SOFTHSM2_CONF` set before any test
/// loads the module.
pub fn hsm() -> &'static Hsm {
    static HSM: OnceLock<Hsm> = OnceLock::new();
    HSM.get_or_init(|| {
        assert!(
            Path::new(MODULE).exists(),
            "{MODULE} is missing: apt-get install -y softhsm2"
        );
        let hsm = Hsm::create();
        // SAFETY: every test calls `hsm()` before it does anything else, and
        // the OnceLock makes the others wait here, so no other thread reads
        // the environment while it changes.
        unsafe { std::env::set_var("SOFTHSM2_CONF", &hsm.conf) };
        hsm
    })
}

impl Hsm {
    /// A token directory with the main token (every test PKI key, its
    /// certificate, the CA certificates, public keys for two EC keys, and
    /// a generated key) and the wrong-PIN token.
    pub fn create() -> Hsm {
        let dir = tempfile::tempdir().unwrap();
        let tokens = dir.path().join("tokens");
        std::fs::create_dir(&tokens).unwrap();
        let conf = dir.path().join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n",
                tokens.display()
            ),
        )
        .unwrap();
        let hsm = Hsm { dir, conf };
        hsm.init_token(TOKEN, PIN);
        for (i, spec) in SPECS.iter().enumerate() {
            let id = format!("{:02x}", i + 1);
            hsm.import(
                TOKEN,
                PIN,
                "privkey",
                &pki(&format!("{spec}.key")),
                spec,
                &id,
            );
            hsm.import(TOKEN, PIN, "cert", &pki(&format!("{spec}.crt")), spec, &id);
        }
        // EC keys are stored without their public point; with a public key
        // object beside them the point is compared, without it (ec-521) a
        // test signature decides.
        for (spec, id) in [("ec-256", "04"), ("ec-384", "05")] {
            let public = hsm.dir.path().join(format!("{spec}.pub.pem"));
            run(Command::new("openssl")
                .args(["pkey", "-pubout", "-in"])
                .arg(pki(&format!("{spec}.key")))
                .arg("-out")
                .arg(&public));
            hsm.import(TOKEN, PIN, "pubkey", &public, spec, id);
        }
        hsm.import(
            TOKEN,
            PIN,
            "cert",
            &pki("intermediate.crt"),
            "intermediate",
            "a1",
        );
        hsm.import(TOKEN, PIN, "cert", &pki("root.crt"), "root", "a2");
        hsm.generate_key(TOKEN, PIN, "rsa:3072", GENERATED, "99");

        hsm.init_token(SESSIONS_TOKEN, PIN);
        hsm.import_ec256(SESSIONS_TOKEN);

        // The old intermediate: the real one's subject and extensions,
        // another key (self-signed with it).
        let old = hsm.dir.path().join("old-intermediate.crt");
        run(Command::new("openssl")
            .args(["x509", "-in"])
            .arg(pki("intermediate.crt"))
            .arg("-signkey")
            .arg(pki("other-root.key"))
            .arg("-out")
            .arg(&old));
        hsm.init_token(RENEWED_TOKEN, PIN);
        hsm.import_ec256(RENEWED_TOKEN);
        hsm.import(
            RENEWED_TOKEN,
            PIN,
            "cert",
            &pki("intermediate.crt"),
            "intermediate",
            "a1",
        );
        hsm.import(RENEWED_TOKEN, PIN, "cert", &pki("root.crt"), "root", "a2");
        hsm.import(RENEWED_TOKEN, PIN, "cert", &old, "old-intermediate", "b0");

        hsm.init_token(LOCKED_TOKEN, LOCKED_PIN);
        hsm.import(
            LOCKED_TOKEN,
            LOCKED_PIN,
            "privkey",
            &pki("ec-256.key"),
            "ec-256",
            "01",
        );
        hsm
    }

    /// The configuration file (for `SOFTHSM2_CONF`).
    pub fn conf(&self) -> &Path {
        &self.conf
    }

    /// A scratch directory that lives as long as the tokens.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    fn softhsm_util(&self) -> Command {
        let mut c = Command::new("softhsm2-util");
        c.env("SOFTHSM2_CONF", &self.conf);
        c
    }

    fn pkcs11_tool(&self, token: &str, pin: &str) -> Command {
        let mut c = Command::new("pkcs11-tool");
        c.env("SOFTHSM2_CONF", &self.conf).args([
            "--module",
            MODULE,
            "--token-label",
            token,
            "--login",
            "--pin",
            pin,
        ]);
        c
    }

    fn init_token(&self, label: &str, pin: &str) {
        run(self.softhsm_util().args([
            "--init-token",
            "--free",
            "--label",
            label,
            "--pin",
            pin,
            "--so-pin",
            SO_PIN,
        ]));
    }

    /// The ec-256 key and certificate, label `ec-256`, id 01, PIN [`PIN`].
    fn import_ec256(&self, token: &str) {
        self.import(token, PIN, "privkey", &pki("ec-256.key"), "ec-256", "01");
        self.import(token, PIN, "cert", &pki("ec-256.crt"), "ec-256", "01");
    }

    fn import(&self, token: &str, pin: &str, kind: &str, file: &Path, label: &str, id: &str) {
        run(self
            .pkcs11_tool(token, pin)
            .arg("--write-object")
            .arg(file)
            .args(["--type", kind, "--label", label, "--id", id]));
    }

    /// Generates a key pair on the token (sensitive, never extractable)
    /// and stores a certificate for it from the test intermediate CA.
    fn generate_key(&self, token: &str, pin: &str, key_type: &str, label: &str, id: &str) {
        run(self.pkcs11_tool(token, pin).args([
            "--keypairgen",
            "--key-type",
            key_type,
            "--usage-sign",
            "--sensitive",
            "--label",
            label,
            "--id",
            id,
        ]));
        let der = self.dir().join(format!("{label}.pub.der"));
        run(self
            .pkcs11_tool(token, pin)
            .args([
                "--read-object",
                "--type",
                "pubkey",
                "--id",
                id,
                "--output-file",
            ])
            .arg(&der));
        let pem = self.dir().join(format!("{label}.pub.pem"));
        run(Command::new("openssl")
            .args(["pkey", "-pubin", "-inform", "DER", "-in"])
            .arg(&der)
            .arg("-out")
            .arg(&pem));
        let ext = self.dir().join("leaf.ext");
        std::fs::write(
            &ext,
            "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
        )
        .unwrap();
        let crt = self.dir().join(format!("{label}.crt"));
        run(Command::new("openssl")
            .args(["x509", "-new", "-force_pubkey"])
            .arg(&pem)
            .args([
                "-subj",
                &format!("/C=US/ST=WA/L=Seattle/O=Notary/CN=Notation Test Leaf {label}"),
            ])
            .arg("-CA")
            .arg(pki("intermediate.crt"))
            .arg("-CAkey")
            .arg(pki("intermediate.key"))
            .args([
                "-sha384",
                "-days",
                "36500",
                "-set_serial",
                "0x4242",
                "-extfile",
            ])
            .arg(&ext)
            .arg("-out")
            .arg(&crt));
        let chain = self.dir().join(format!("{label}.chain.pem"));
        let mut pem_chain = std::fs::read(&crt).unwrap();
        pem_chain.extend(std::fs::read(pki("intermediate.crt")).unwrap());
        pem_chain.extend(std::fs::read(pki("root.crt")).unwrap());
        std::fs::write(&chain, pem_chain).unwrap();
        self.import(token, pin, "cert", &crt, label, id);
    }

    /// The chain file of the generated key.
    pub fn generated_chain(&self) -> PathBuf {
        self.dir().join(format!("{GENERATED}.chain.pem"))
    }

    /// A URI for `label` on the main token (with the module path, no PIN).
    pub fn uri(&self, label: &str) -> String {
        format!("pkcs11:token={TOKEN};object={label}?module-path={MODULE}")
    }

    /// The same with `pin-value` (for in-process tests only).
    pub fn uri_with_pin(&self, label: &str) -> String {
        format!("{}&pin-value={PIN}", self.uri(label))
    }

    /// A file holding the main token's PIN, and a `pin-source` URI for it.
    pub fn pin_file(&self) -> PathBuf {
        let path = self.dir().join("pin.txt");
        if !path.exists() {
            std::fs::write(&path, format!("{PIN}\n")).unwrap();
        }
        path
    }

    /// A SoftHSM configuration over the same tokens with `mechanisms`
    /// disabled (`slots.mechanisms = -CKM_...`), for a separate process.
    pub fn conf_without(&self, mechanisms: &[&str]) -> PathBuf {
        let conf = self
            .dir()
            .join(format!("softhsm2-without-{}.conf", mechanisms.join("-")));
        let base = std::fs::read_to_string(&self.conf).unwrap();
        // `-A,B,C` disables A, B and C; SoftHSM 2.6.1 skips the first
        // entry of such a list, so it is one that does not matter (MD5).
        std::fs::write(
            &conf,
            format!(
                "{base}slots.mechanisms = -CKM_MD5,{}\n",
                mechanisms.join(",")
            ),
        )
        .unwrap();
        conf
    }
}

/// Serializes the tests of a process that run PKCS#11 in child processes
/// (the plugin, the CLI). SoftHSM's file store rewrites a token's file on
/// every login, and another process reading it at that moment gets
/// CKR_GENERAL_ERROR: SoftHSM 2.6 is safe for threads of one process, not
/// for processes logging in at the same time. Hardware tokens serialize
/// this themselves.
pub fn exclusive() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    hsm();
    LOCK.lock().unwrap_or_else(|p| p.into_inner())
}
