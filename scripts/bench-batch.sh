#!/usr/bin/env bash
# Measures a batch verification of N references (default 100) in a local
# Debian docker-registry (CNCF distribution 2.8.2, plain HTTP on localhost),
# side by side with hyperfine:
#
#   notation-rs batch   notation verify -o json --concurrency C --references-from refs.txt
#   floor               a plain HTTP client making only the protocol's requests
#                       (HEAD manifest, GET tag-schema index, GET signature
#                       manifest, GET envelope) with the same concurrency,
#                       verifying nothing (benches/src/bin/batch-registry.rs)
#   notation-rs loop    our notation verify, once per reference
#   reference loop      the reference CLI, once per reference (only with
#                       REFERENCE_NOTATION=/path/to/notation, e.g. v1.3.2)
#
#   REFERENCE_NOTATION=/path/to/notation scripts/bench-batch.sh [N] [C]
#
# Needs docker-registry, hyperfine, curl and python3. Everything lives in a
# temporary directory (NOTATION_CONFIG, NOTATION_CACHE, NOTATION_LIBEXEC
# point there for both CLIs); the registry is stopped at the end.
set -euo pipefail

N=${1:-100}
C=${2:-8}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
for tool in docker-registry hyperfine curl python3; do
    command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 1; }
done

cargo build --release -q -p notation-examples --bin notation
cargo build --release -q -p notation-benches --bin batch-registry
BIN="$ROOT/target/release"

TMP=$(mktemp -d)
REGISTRY_PID=
cleanup() {
    [ -n "$REGISTRY_PID" ] && kill "$REGISTRY_PID" 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$TMP/registry.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $TMP/data
http:
  addr: 127.0.0.1:$PORT
EOF
docker-registry serve "$TMP/registry.yml" >"$TMP/registry.log" 2>&1 &
REGISTRY_PID=$!
for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$PORT/v2/" >/dev/null && break
    sleep 0.1
done
REGISTRY="localhost:$PORT"

mkdir -p "$TMP/config" "$TMP/cache" "$TMP/libexec"
"$BIN/batch-registry" populate "$REGISTRY" "$N" "$TMP/config" "$TMP/refs.txt"
export NOTATION_CONFIG="$TMP/config" NOTATION_CACHE="$TMP/cache" NOTATION_LIBEXEC="$TMP/libexec"

# Every reference verifies, in each implementation, before anything is timed.
"$BIN/notation" verify -o json --concurrency "$C" --references-from "$TMP/refs.txt" >"$TMP/report.json"
python3 - "$TMP/report.json" "$N" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
assert report["summary"]["verified"] == int(sys.argv[2]), report["summary"]
EOF
"$BIN/batch-registry" floor "$C" "$TMP/refs.txt"

commands=(
    -n "notation-rs batch (C=$C)" "$BIN/notation verify -o json --concurrency $C --references-from $TMP/refs.txt >/dev/null"
    -n "floor client (C=$C)" "$BIN/batch-registry floor $C $TMP/refs.txt 2>/dev/null"
    -n "notation-rs, once per reference" "while read -r r; do $BIN/notation verify \"\$r\" >/dev/null || exit 1; done <$TMP/refs.txt"
)
if [ -n "${REFERENCE_NOTATION:-}" ]; then
    head -1 "$TMP/refs.txt" | while read -r r; do "$REFERENCE_NOTATION" verify "$r" >/dev/null; done
    commands+=(-n "reference CLI, once per reference" "while read -r r; do $REFERENCE_NOTATION verify \"\$r\" >/dev/null || exit 1; done <$TMP/refs.txt")
fi
hyperfine --shell=bash --warmup 1 --runs "${RUNS:-10}" --export-markdown "${MARKDOWN:-/dev/null}" "${commands[@]}"
