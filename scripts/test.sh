#!/usr/bin/env bash
# The whole notation-rs test suite, from a fresh machine:
#   - installs what is missing (Debian packages: docker-registry for the
#     registry tests, openssl for the test PKI and TSA/OCSP, gcc, golang-go and
#     make, pkg-config and valgrind for the C and Go bindings; python3 for
#     the loopback TSA/CRL servers; cargo-fuzz),
#   - checks formatting and clippy,
#   - runs every Rust test, including all conformance vectors (the pending
#     ones are listed in the output), on the default crypto provider
#     (aws-lc-rs); the crypto cross-check between the providers runs there
#     too (the benches crate builds notation-core with both),
#   - runs the notation-core and notation-oci tests (every conformance
#     vector among them) again on the other provider, ring alone,
#   - runs each fuzz target for FUZZ_SECONDS (default 30),
#   - builds the benchmarks (run them with `cargo bench -p notation-benches`).
# A component that is needed and missing fails the run: nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

need_pkgs=()
command -v docker-registry >/dev/null || need_pkgs+=(docker-registry)
command -v htpasswd >/dev/null || need_pkgs+=(apache2-utils)
command -v openssl >/dev/null || need_pkgs+=(openssl)
command -v python3 >/dev/null || need_pkgs+=(python3)
command -v curl >/dev/null || need_pkgs+=(curl)
command -v gcc >/dev/null || need_pkgs+=(gcc)
command -v make >/dev/null || need_pkgs+=(make)
command -v go >/dev/null || need_pkgs+=(golang-go)
command -v valgrind >/dev/null || need_pkgs+=(valgrind)
command -v pkg-config >/dev/null || need_pkgs+=(pkg-config)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  step "installing ${need_pkgs[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi
# The Debian package may start a registry on :5000; the tests start their
# own on free loopback ports and do not depend on it.

export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

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

step "cargo test notation-core notation-oci (ring provider alone)"
cargo test -p notation-core -p notation-oci --no-default-features --features ring

step "benchmarks build"
cargo bench -p notation-benches --no-run

if [ "${SKIP_FUZZ:-0}" != "1" ]; then
  step "fuzzing (${FUZZ_SECONDS:-30}s per target)"
  command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
  fuzz/run.sh "${FUZZ_SECONDS:-30}"
else
  echo "fuzzing disabled by SKIP_FUZZ=1 (local runs only; CI fuzzes)"
fi

step "all tests passed"
