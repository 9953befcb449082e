//! Verifies one blob signature in a loop and prints the median time per
//! verification, so that notation-rs can be compared with another
//! implementation on the same files:
//!
//! ```text
//! cargo run --release -p notation-benches --bin verify-loop -- \
//!     --config DIR --blob FILE --signature FILE [--iterations N] [--cold]
//!     [--warmup N] [--provider aws-lc-rs|ring] [--no-signature-cache]
//!     [--no-chain-cache] [--quiet]
//! ```
//!
//! `--config` is a configuration directory as `NOTATION_CONFIG` names one
//! (`trustpolicy.blob.json`, `truststore/x509/<type>/<name>/`); the format
//! comes from the signature's file name (`NAME.jws.sig`, `NAME.cose.sig`).
//! The blob is read into memory once. Warm (the default): one verifier,
//! built once, verifies in every iteration. `--cold`: every iteration loads
//! the policy, builds a verifier over the directory's trust store and
//! verifies, as a new process would. A warm verifier remembers the
//! signatures it has verified, so from the second iteration on no
//! public-key operation is left; `--no-signature-cache` makes every
//! iteration check the envelope signature, as for a signature not seen
//! before from a signer seen before, and `--no-chain-cache` turns every
//! cache off. The last line has the same form as the
//! reference benchmark's:
//! `RESULT impl=notation-rs mode=warm|cold iterations=N median_ns=... min_ns=... max_ns=... mean_ns=...`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use notation_benches::Caches;
use notation_core::blob::format_from_signature_path;
use notation_core::crypto::Backend;
use notation_core::envelope::EnvelopeFormat;
use notation_core::verifier::{BlobVerifyOptions, Verifier};

struct Args {
    config: PathBuf,
    blob: PathBuf,
    signature: PathBuf,
    iterations: usize,
    warmup: usize,
    cold: bool,
    backend: Backend,
    caches: Caches,
    quiet: bool,
}

const USAGE: &str = "usage: verify-loop --config DIR --blob FILE --signature FILE \
[--iterations N] [--warmup N] [--cold] [--provider aws-lc-rs|ring] [--no-signature-cache] \
[--no-chain-cache] [--quiet]";

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args_os().skip(1);
    let (mut config, mut blob, mut signature) = (None, None, None);
    let mut parsed = Args {
        config: PathBuf::new(),
        blob: PathBuf::new(),
        signature: PathBuf::new(),
        iterations: 100,
        warmup: 1,
        cold: false,
        backend: Backend::DEFAULT,
        caches: Caches::All,
        quiet: false,
    };
    while let Some(flag) = args.next() {
        let flag = flag.to_string_lossy().into_owned();
        let mut value = || {
            args.next()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
        };
        let number = |v: std::ffi::OsString| {
            v.to_string_lossy()
                .parse::<usize>()
                .map_err(|e| format!("{flag}: {e}"))
        };
        match flag.as_str() {
            "--config" => config = Some(PathBuf::from(value()?)),
            "--blob" => blob = Some(PathBuf::from(value()?)),
            "--signature" => signature = Some(PathBuf::from(value()?)),
            "--iterations" => parsed.iterations = number(value()?)?,
            "--warmup" => parsed.warmup = number(value()?)?,
            "--cold" => parsed.cold = true,
            "--no-chain-cache" => parsed.caches = Caches::None,
            "--no-signature-cache" if parsed.caches == Caches::All => parsed.caches = Caches::Chain,
            "--no-signature-cache" => {}
            "--quiet" => parsed.quiet = true,
            "--provider" => {
                let name = value()?.to_string_lossy().into_owned();
                parsed.backend = *Backend::ALL
                    .iter()
                    .find(|b| b.name() == name)
                    .ok_or_else(|| format!("unknown provider {name:?}"))?;
            }
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown flag {other:?}\n{USAGE}")),
        }
    }
    match (config, blob, signature) {
        (Some(c), Some(b), Some(s)) => {
            parsed.config = c;
            parsed.blob = b;
            parsed.signature = s;
        }
        _ => {
            return Err(format!(
                "--config, --blob and --signature are required\n{USAGE}"
            ));
        }
    }
    if parsed.iterations == 0 {
        return Err("--iterations must be at least 1".into());
    }
    Ok(parsed)
}

fn build(args: &Args) -> Result<Verifier, String> {
    notation_benches::blob_verifier(&args.config, args.backend, args.caches)
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let read = |p: &PathBuf| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
    let blob = read(&args.blob)?;
    let signature = read(&args.signature)?;
    let format: EnvelopeFormat =
        format_from_signature_path(&args.signature).map_err(|e| e.to_string())?;
    let options = BlobVerifyOptions::new();
    let warm = if args.cold { None } else { Some(build(&args)?) };
    let once = || -> Result<(), String> {
        let cold;
        let verifier = match &warm {
            Some(v) => v,
            None => {
                cold = build(&args)?;
                &cold
            }
        };
        verifier
            .verify_blob(&signature, format, &mut blob.as_slice(), &options)
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    for _ in 0..args.warmup {
        once().map_err(|e| format!("verification failed (warm-up): {e}"))?;
    }
    let mut times: Vec<Duration> = Vec::with_capacity(args.iterations);
    for i in 0..args.iterations {
        let start = Instant::now();
        let result = once();
        times.push(start.elapsed());
        result.map_err(|e| format!("verification failed (iteration {i}): {e}"))?;
    }
    let total: Duration = times.iter().sum();
    times.sort();
    let n = times.len();
    let median = if n.is_multiple_of(2) {
        (times[n / 2 - 1] + times[n / 2]) / 2
    } else {
        times[n / 2]
    };
    let mean = total / n as u32;
    let mode = if args.cold { "cold" } else { "warm" };
    if !args.quiet {
        println!(
            "notation-rs verify_blob ({mode} verifier, {} provider{}), {n} iterations, blob {} bytes, {format}",
            args.backend.name(),
            match args.caches {
                Caches::All => "",
                Caches::Chain => ", no signature cache",
                Caches::None => ", no chain cache",
            },
            blob.len()
        );
        println!(
            "median: {median:?}  min: {:?}  max: {:?}  mean: {mean:?}",
            times[0],
            times[n - 1]
        );
    }
    println!(
        "RESULT impl=notation-rs provider={} mode={mode} iterations={n} median_ns={} min_ns={} max_ns={} mean_ns={}",
        args.backend.name(),
        median.as_nanos(),
        times[0].as_nanos(),
        times[n - 1].as_nanos(),
        mean.as_nanos()
    );
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
