#!/usr/bin/env bash
# Runs the fuzz targets on a stable toolchain (`cargo fuzz run -s none`),
# each for SECONDS (default 15: the short smoke run of CI), after seeding
# every corpus from real data (seeds/seeds.py: the conformance vectors,
# testdata/, test fixtures, openssl-made OCSP responses and CRLs). All
# targets are built once, then run side by side, one per CPU. See
# README.md for long runs.
#
#   fuzz/run.sh [seconds] [target...]
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-15}
shift || true
targets=("$@")
all=(
  jws_envelope cose_envelope certificate_chain trust_policy trust_identity
  timestamp_token timestamp_chain revocation plugin_responses ffi
  oci_documents registry_client oci_layout credentials private_key
  plugin_archive
)
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
conformance=${NOTATION_CONFORMANCE:-../../shared/conformance}
[ -d "$conformance" ] || { echo "conformance vectors not found at $conformance" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 is required to seed the corpora" >&2; exit 1; }
command -v openssl >/dev/null || { echo "openssl is required to seed the corpora" >&2; exit 1; }

echo "== seeding corpus/"
python3 seeds/seeds.py "$conformance" corpus
echo "== building ${#targets[@]} targets"
# One build of every target (one cargo invocation shares the work); each
# run below then finds its binary up to date.
cargo fuzz build -s none
# Targets run side by side, one per CPU (FUZZ_JOBS to choose), each with its
# own log, printed whole in the listed order once it is done.
parallel=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
logs=$(mktemp -d)
# Each target runs as a job of its own process group (job control), so
# that an interrupted run stops its fuzzers too, and only them.
set -m
stop_jobs() {
  local p
  for p in $(jobs -p); do kill -- "-$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$logs"
}
trap stop_jobs EXIT
run_one() {
  local t=$1
  # -timeout: an input that takes this long is a hang (a finding).
  if cargo fuzz run -s none "$t" "corpus/$t" -- -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=30 \
    >"$logs/$t.log" 2>&1; then
    echo 0 >"$logs/$t.rc"
  else
    echo $? >"$logs/$t.rc"
  fi
}
running=0
for t in "${targets[@]}"; do
  if [ "$running" -ge "$parallel" ]; then
    wait -n || true
    running=$((running - 1))
  fi
  echo "== fuzzing $t for ${seconds}s"
  run_one "$t" &
  running=$((running + 1))
done
wait
failed=()
for t in "${targets[@]}"; do
  echo "== $t"
  cat "$logs/$t.log"
  [ "$(cat "$logs/$t.rc" 2>/dev/null || echo 1)" = 0 ] || failed+=("$t")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing found a failure in: ${failed[*]} (see each log above; inputs in fuzz/artifacts/)" >&2
  exit 1
fi
echo "== every target ran ${seconds}s without a finding"
