//! Shared helpers of the CLI integration tests: a temporary `NOTATION_CONFIG`
//! and working directory per test, the built `notation` binary, and the
//! conformance vectors (a missing vector fails the test; nothing is skipped).
#![allow(dead_code)]

pub mod test_plugin;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The shared conformance vectors directory.
pub fn conformance_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/conformance"
    ))
}

/// A conformance vector; panics (fails the test) when it is missing.
pub fn vector(relative: &str) -> PathBuf {
    let p = conformance_dir().join(relative);
    assert!(
        p.exists(),
        "conformance vector {} is required but missing",
        p.display()
    );
    p
}

/// The bytes of a conformance vector.
pub fn vector_bytes(relative: &str) -> Vec<u8> {
    fs::read(vector(relative)).expect("readable vector")
}

/// What one run of the binary produced.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(output: Output) -> Self {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Asserts exit status 0 and returns self.
    #[track_caller]
    pub fn success(self) -> Self {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Asserts exit status 1 and returns self.
    #[track_caller]
    pub fn failure(self) -> Self {
        assert_eq!(
            self.code, 1,
            "expected failure\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Asserts that standard output contains `text`.
    #[track_caller]
    pub fn stdout_has(self, text: &str) -> Self {
        assert!(
            self.stdout.contains(text),
            "stdout lacks {text:?}\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// Asserts that standard error contains `text`.
    #[track_caller]
    pub fn stderr_has(self, text: &str) -> Self {
        assert!(
            self.stderr.contains(text),
            "stderr lacks {text:?}\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// Asserts that standard error does not contain `text`.
    #[track_caller]
    pub fn stderr_lacks(self, text: &str) -> Self {
        assert!(
            !self.stderr.contains(text),
            "stderr has {text:?}\nstderr:\n{}",
            self.stderr
        );
        self
    }
}

/// A temporary configuration directory (`<tmp>/config`) and working
/// directory (`<tmp>/work`).
pub struct Env {
    root: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Self {
        let root = tempfile::tempdir().expect("temp dir");
        fs::create_dir_all(root.path().join("config")).unwrap();
        fs::create_dir_all(root.path().join("work")).unwrap();
        Env { root }
    }

    /// The temporary directory holding everything of this environment.
    pub fn root(&self) -> PathBuf {
        self.root.path().to_path_buf()
    }

    /// `NOTATION_CONFIG`.
    pub fn config(&self) -> PathBuf {
        self.root.path().join("config")
    }

    /// The working directory of every run.
    pub fn work(&self) -> PathBuf {
        self.root.path().join("work")
    }

    /// A path in the working directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.work().join(name)
    }

    /// Writes a file in the working directory and returns its path.
    pub fn write(&self, name: &str, data: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(&p, data).unwrap();
        p
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_notation"));
        c.args(args)
            .current_dir(self.work())
            .env("NOTATION_CONFIG", self.config())
            .env("DOCKER_CONFIG", self.root.path().join("docker"))
            .env("NOTATION_CACHE", self.root.path().join("cache"))
            .env_remove("NOTATION_LIBEXEC")
            .env("TZ", "UTC");
        c
    }

    /// Runs `notation <args>` with standard input closed.
    pub fn run(&self, args: &[&str]) -> Run {
        let out = self
            .command(args)
            .stdin(Stdio::null())
            .output()
            .expect("notation runs");
        Run::from(out)
    }

    /// Runs `notation <args>` with standard input closed and extra
    /// environment variables.
    pub fn run_with_env(&self, args: &[&str], vars: &[(&str, &std::ffi::OsStr)]) -> Run {
        let mut c = self.command(args);
        for (k, v) in vars {
            c.env(k, v);
        }
        Run::from(c.stdin(Stdio::null()).output().expect("notation runs"))
    }

    /// Runs `notation <args>` with standard input closed and the
    /// environment variables `removed` unset (`DOCKER_CONFIG` among them,
    /// which every other run sets).
    pub fn run_without_env(&self, args: &[&str], removed: &[&str]) -> Run {
        let mut c = self.command(args);
        for k in removed {
            c.env_remove(k);
        }
        Run::from(c.stdin(Stdio::null()).output().expect("notation runs"))
    }

    /// Runs `notation <args>` with standard input closed, watching its
    /// peak resident memory: the `VmHWM` of `/proc/<pid>/status` (a high
    /// water mark the kernel keeps), read until the process exits. Returns
    /// the run and the peak in KiB.
    pub fn run_measured(&self, args: &[&str]) -> (Run, u64) {
        let mut child = self
            .command(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("notation runs");
        let status = format!("/proc/{}/status", child.id());
        // The pipes are drained on threads so that the child never blocks
        // on a full pipe while it is watched.
        let mut out = child.stdout.take().unwrap();
        let mut err = child.stderr.take().unwrap();
        let out = std::thread::spawn(move || {
            let mut v = Vec::new();
            std::io::Read::read_to_end(&mut out, &mut v).unwrap();
            v
        });
        let err = std::thread::spawn(move || {
            let mut v = Vec::new();
            std::io::Read::read_to_end(&mut err, &mut v).unwrap();
            v
        });
        let mut peak = 0u64;
        let exit = loop {
            if let Ok(text) = fs::read_to_string(&status)
                && let Some(kib) = text
                    .lines()
                    .find_map(|l| l.strip_prefix("VmHWM:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak = peak.max(kib);
            }
            if let Some(exit) = child.try_wait().unwrap() {
                break exit;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        };
        assert!(peak > 0, "no VmHWM read from {status}");
        let run = Run {
            code: exit.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.join().unwrap()).into_owned(),
            stderr: String::from_utf8_lossy(&err.join().unwrap()).into_owned(),
        };
        (run, peak)
    }

    /// Runs `notation <args>` on a pseudo-terminal (util-linux `script`),
    /// as a user at a terminal would: returns what the terminal showed.
    pub fn run_in_terminal(&self, args: &[&str]) -> Run {
        let mut terminal = Terminal::start(self, args, &[]);
        terminal.stdin.take();
        terminal.finish()
    }

    /// Starts `notation <args>` on a pseudo-terminal (util-linux's
    /// `script`), with `vars` set: a [`Terminal`] to read what it shows
    /// and to type into.
    pub fn start_in_terminal(&self, args: &[&str], vars: &[(&str, &std::ffi::OsStr)]) -> Terminal {
        Terminal::start(self, args, vars)
    }

    /// Runs `notation <args>` with `input` on standard input.
    pub fn run_with_input(&self, args: &[&str], input: &str) -> Run {
        use std::io::Write;
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("notation runs");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        Run::from(child.wait_with_output().unwrap())
    }

    /// `certificate generate-test` with extra flags; asserts success.
    pub fn generate_test(&self, name: &str, extra: &[&str]) -> Run {
        let mut args = vec!["certificate", "generate-test"];
        args.extend_from_slice(extra);
        args.push(name);
        self.run(&args).success()
    }

    /// Writes `trustpolicy.blob.json` in the configuration directory.
    pub fn blob_policy(&self, json: &str) {
        fs::write(self.config().join("trustpolicy.blob.json"), json).unwrap();
    }

    /// Puts `cert` (PEM or DER bytes) into `truststore/x509/<type>/<store>/<file>`.
    pub fn trust(&self, store_type: &str, store: &str, file: &str, cert: &[u8]) {
        let dir = self
            .config()
            .join("truststore/x509")
            .join(store_type)
            .join(store);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join(file), cert).unwrap();
    }
}

/// A blob trust policy document with one statement per `(name, level,
/// stores, global)`, trusting any identity.
pub fn blob_policy_json(statements: &[(&str, &str, &[&str], bool)]) -> String {
    let statements: Vec<serde_json::Value> = statements
        .iter()
        .map(|(name, level, stores, global)| {
            let mut s = serde_json::json!({
                "name": name,
                "signatureVerification": {"level": level},
            });
            if *level != "skip" {
                s["trustStores"] = serde_json::json!(stores);
                s["trustedIdentities"] = serde_json::json!(["*"]);
            }
            if *global {
                s["globalPolicy"] = serde_json::json!(true);
            }
            s
        })
        .collect();
    serde_json::to_string_pretty(
        &serde_json::json!({"version": "1.0", "trustPolicies": statements}),
    )
    .unwrap()
}

/// Reads a file as UTF-8.
pub fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Copies a directory tree (an OCI layout vector, say).
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// `notation` running on a pseudo-terminal from util-linux's `script`:
/// what the terminal shows is collected as it comes, and answers are
/// typed once their prompt shows, so nothing depends on timing.
pub struct Terminal {
    child: std::process::Child,
    stdin: Option<std::process::ChildStdin>,
    seen: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Terminal {
    fn start(env: &Env, args: &[&str], vars: &[(&str, &std::ffi::OsStr)]) -> Self {
        let present = Command::new("script")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            present,
            "util-linux's script is required by this test (apt-get install bsdutils)"
        );
        let quote = |a: &str| format!("'{}'", a.replace('\'', "'\\''"));
        let line = std::iter::once(env!("CARGO_BIN_EXE_notation"))
            .chain(args.iter().copied())
            .map(quote)
            .collect::<Vec<_>>()
            .join(" ");
        let mut c = Command::new("script");
        c.args(["-qec", &line, "/dev/null"])
            .current_dir(env.work())
            .env("NOTATION_CONFIG", env.config())
            .env("DOCKER_CONFIG", env.root.path().join("docker"))
            .env("NOTATION_CACHE", env.root.path().join("cache"))
            .env_remove("NOTATION_LIBEXEC")
            .env_remove("NOTATION_USERNAME")
            .env_remove("NOTATION_PASSWORD")
            .env("TZ", "UTC")
            .env("TERM", "xterm");
        for (k, v) in vars {
            c.env(k, v);
        }
        let mut child = c
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("script (util-linux) runs");
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut stdout = child.stdout.take().unwrap();
        let sink = seen.clone();
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 1024];
            while let Ok(n) = std::io::Read::read(&mut stdout, &mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Terminal {
            stdin: child.stdin.take(),
            child,
            seen,
            reader: Some(reader),
        }
    }

    /// What the terminal has shown so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.seen.lock().unwrap()).into_owned()
    }

    /// Waits (up to a minute) until the terminal shows `what`.
    #[track_caller]
    pub fn wait_for(&self, what: &str) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while !self.text().contains(what) {
            assert!(
                std::time::Instant::now() < deadline,
                "no {what:?} in {:?}",
                self.text()
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// Types `line` and Enter.
    pub fn type_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("the terminal is open");
        std::io::Write::write_all(stdin, format!("{line}\n").as_bytes()).unwrap();
    }

    /// Waits for the program to end: its exit code, and all the terminal
    /// showed as its standard output.
    pub fn finish(mut self) -> Run {
        let status = self.child.wait().unwrap();
        self.stdin.take();
        self.reader.take().unwrap().join().unwrap();
        Run {
            code: status.code().unwrap_or(-1),
            stdout: self.text(),
            stderr: String::new(),
        }
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        if self.reader.is_some() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
