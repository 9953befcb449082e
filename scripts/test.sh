#!/usr/bin/env bash
# The whole notation-rs test suite, from a fresh machine:
#   - installs what is missing (Debian packages: docker-registry for the
#     registry tests, openssl for the test PKI and TSA/OCSP, gcc, binutils,
#     golang-go, make, pkg-config and valgrind for the C and Go bindings and
#     their installation; python3 for the loopback TSA/CRL servers; zsh and
#     fish for the CLI's completion scripts; softhsm2 and opensc for the
#     PKCS#11 tests, with opensc-pkcs11's pkcs11-spy; cargo-fuzz),
#   - checks formatting and clippy,
#   - runs every Rust test, including all conformance vectors (the pending
#     ones are listed in the output), on the default crypto provider
#     (aws-lc-rs); the crypto cross-check between the providers runs there
#     too (the benches crate builds notation-core with both),
#   - runs the notation-core and notation-oci tests (every conformance
#     vector among them) again on the other provider, ring alone,
#   - seeds every fuzz target from real data and runs each for FUZZ_SECONDS
#     (default 15: a smoke run; fuzz/README.md tells how to run a campaign),
#   - builds the benchmarks and their binaries, with the test build's
#     dependencies (an optimised build of them all would take minutes of a CI
#     run; `cargo bench -p notation-benches` builds and runs them optimised).
# A component that is needed and missing fails the run: nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }
# A failed step ends the log with the free disk: a linker killed by SIGBUS
# or a registry refusing a push is often a full disk.
trap 'status=$?; printf "\n==> failed (exit %s); free disk:\n" "$status"; df -h . "${TMPDIR:-/tmp}" || true' ERR

need_pkgs=()
command -v docker-registry >/dev/null || need_pkgs+=(docker-registry)
command -v htpasswd >/dev/null || need_pkgs+=(apache2-utils)
command -v openssl >/dev/null || need_pkgs+=(openssl)
command -v python3 >/dev/null || need_pkgs+=(python3)
command -v curl >/dev/null || need_pkgs+=(curl)
command -v gcc >/dev/null || need_pkgs+=(gcc)
# ld -r, objcopy, nm, readelf: `make -C notation-ffi install` and its test.
command -v objcopy >/dev/null || need_pkgs+=(binutils)
command -v make >/dev/null || need_pkgs+=(make)
command -v go >/dev/null || need_pkgs+=(golang-go)
command -v valgrind >/dev/null || need_pkgs+=(valgrind)
command -v pkg-config >/dev/null || need_pkgs+=(pkg-config)
# `login` on a pseudo-terminal (util-linux's script).
command -v script >/dev/null || need_pkgs+=(bsdutils)
# The CLI's completion scripts are checked with each shell's parser.
command -v zsh >/dev/null || need_pkgs+=(zsh)
command -v fish >/dev/null || need_pkgs+=(fish)
# PKCS#11 tests: SoftHSM tokens, objects imported with OpenSC's pkcs11-tool.
command -v softhsm2-util >/dev/null || need_pkgs+=(softhsm2)
command -v pkcs11-tool >/dev/null || need_pkgs+=(opensc)
# OpenSC's pkcs11-spy module: a module that prints (the plugin's stdout test).
compgen -G '/usr/lib/*/pkcs11/pkcs11-spy.so' >/dev/null || compgen -G '/usr/lib*/pkcs11/pkcs11-spy.so' >/dev/null \
  || need_pkgs+=(opensc-pkcs11)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  step "installing ${need_pkgs[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi
# The Debian package may start a registry on :5000; the tests start their
# own on free loopback ports and do not depend on it.

export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
# A run from a clean clone gains nothing from incremental data, which takes
# gigabytes of disk; a disk that fills makes the registry tests fail.
export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}

step "free disk (the build, and the registries' data in TMPDIR)"
df -h . "${TMPDIR:-/tmp}" || true

step "cargo fmt --check"
cargo fmt --all -- --check
(cd fuzz && cargo fmt -- --check)

step "cargo clippy --all-targets -D warnings"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p notation-core -p notation-oci --no-default-features --features ring --all-targets -- -D warnings

step "cargo doc -D warnings"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet

step "cargo test (workspace, aws-lc-rs provider)"
cargo test --workspace

step "the release program's link order is for this toolchain and Cargo.lock"
cargo test -p notation-examples --test link_order -- --ignored

# The test programs that ran are not run again: their disk (some 4 GB) goes
# to the builds that follow (a CI disk once filled up during them).
find "${CARGO_TARGET_DIR:-target}/debug/deps" -maxdepth 1 -type f -perm -u+x \
  ! -name '*.so' ! -name '*.d' -delete

step "cargo test notation-core notation-oci (ring provider alone)"
cargo test -p notation-core -p notation-oci --no-default-features --features ring

step "benchmarks build"
cargo build -p notation-benches --benches --bins

if [ "${SKIP_FUZZ:-0}" != "1" ]; then
  step "fuzzing (${FUZZ_SECONDS:-15}s per target)"
  command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
  fuzz/run.sh "${FUZZ_SECONDS:-15}"
else
  echo "fuzzing disabled by SKIP_FUZZ=1 (local runs only; CI fuzzes)"
fi

step "all tests passed"
