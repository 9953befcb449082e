#!/usr/bin/env bash
# Times blob verification side by side with another implementation on the
# same files (testdata/bench, made by testdata/bench/make-fixtures.sh):
#
#   - in process, warm (one verifier, the same signature again), warm-new
#     (ours without its signature cache: the envelope signature checked
#     every time, as for a new signature from a signer seen before) and
#     cold (a verifier per verification): notation-rs's verify-loop against
#     REF_BENCH, a program
#     that takes the same flags (--config --blob --signature --iterations
#     [--cold]) and prints a `RESULT ... median_ns=N ...` line, such as a
#     small Go program around notation-go's `notation.VerifyBlob` (see the
#     README's performance section);
#   - whole process: `notation blob verify` against REF_NOTATION (a
#     reference `notation` CLI with `blob verify`), wall time with hyperfine
#     and peak memory with GNU time.
#
# The two sides run alternately, ROUNDS times (default 3); each number is
# the median of the rounds' medians, so that a busy machine slows both.
#
# Usage: REF_BENCH=/path/to/ref-bench REF_NOTATION=/path/to/notation \
#          scripts/compare-reference.sh [iterations]
# Either reference may be left out; its columns are then empty. Needs
# hyperfine and GNU time (/usr/bin/time) for the whole-process part.
set -euo pipefail
cd "$(dirname "$0")/.."
iterations=${1:-1000}
rounds=${ROUNDS:-3}
cargo build --release -q -p notation-benches --bin verify-loop
# Separately: built with another package, the program would take that
# package's features (notation-benches builds both providers), and its
# functions would be named differently from its link order's list.
cargo build --release -q -p notation-examples --bin notation
ours=target/release/verify-loop
cli=target/release/notation
bench=testdata/bench
median_of() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
result() { sed -n 's/.*median_ns=\([0-9]*\).*/\1/p'; }
us() { awk -v n="$1" 'BEGIN {printf "%.0f", n/1000}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "" || b == "" || b == 0) print "-"; else printf "%.1fx", a/b}'; }

rows=(
  "p256-p384 jws|JWS, P-256 leaf <- P-384 root"
  "p256-p384 cose|COSE, P-256 leaf <- P-384 root"
  "rsa3072-rsa3072 jws|JWS, RSA-3072 leaf <- RSA-3072 root"
  "p256-p384-rsa4096 jws|JWS, P-256 <- P-384 intermediate <- RSA-4096 root"
  "p521-p384 jws|JWS, P-521 leaf <- P-384 root"
)

echo "In process ($iterations iterations, median of $rounds rounds; us per verification)"
echo
echo "| signature | mode | reference | notation-rs (aws-lc-rs) | ratio | notation-rs (ring) | ratio |"
echo "|---|---|---|---|---|---|---|"
for row in "${rows[@]}"; do
  spec=${row%%|*}; label=${row#*|}
  dir=${spec% *}; format=${spec#* }
  args=(--config "$bench/$dir/config" --blob "$bench/blob.bin" --signature "$bench/$dir/blob.bin.$format.sig" --quiet)
  for mode in warm warm-new cold; do
    # warm-new: our verifier without its signature cache, so that every
    # iteration checks the envelope signature, as for a new signature from
    # a signer seen before; the reference has no such cache (its warm run).
    flag=(); ours_flag=(); n=$iterations
    [ "$mode" = cold ] && { flag=(--cold); n=$((iterations / 4 + 1)); }
    [ "$mode" = warm-new ] && ours_flag=(--no-signature-cache)
    ref=(); aws=(); ring=()
    for _ in $(seq "$rounds"); do
      [ -n "${REF_BENCH:-}" ] && ref+=("$("$REF_BENCH" "${args[@]}" --iterations "$n" "${flag[@]}" | result)")
      aws+=("$("$ours" "${args[@]}" --iterations "$n" "${flag[@]}" "${ours_flag[@]}" --provider aws-lc-rs | result)")
      ring+=("$("$ours" "${args[@]}" --iterations "$n" "${flag[@]}" "${ours_flag[@]}" --provider ring | result)")
    done
    r=""; [ ${#ref[@]} -gt 0 ] && r=$(printf '%s\n' "${ref[@]}" | median_of)
    a=$(printf '%s\n' "${aws[@]}" | median_of)
    g=$(printf '%s\n' "${ring[@]}" | median_of)
    echo "| $label | $mode | ${r:+$(us "$r")} | $(us "$a") | $(ratio "$r" "$a") | $(us "$g") | $(ratio "$r" "$g") |"
  done
done

command -v hyperfine >/dev/null || { echo "hyperfine not found: whole-process timing skipped" >&2; exit 0; }
echo
echo "Whole process, \`notation blob verify\` (hyperfine mean; peak RSS from GNU time)"
echo
echo "| signature | reference ms | notation-rs ms | ratio | reference peak KiB | notation-rs peak KiB |"
echo "|---|---|---|---|---|---|"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for row in "${rows[@]}"; do
  spec=${row%%|*}; label=${row#*|}
  dir=${spec% *}; format=${spec#* }
  export NOTATION_CONFIG=$PWD/$bench/$dir/config NOTATION_CACHE=$scratch/cache NOTATION_LIBEXEC=$scratch/libexec
  verify=(blob verify --signature "$bench/$dir/blob.bin.$format.sig" "$bench/blob.bin")
  mean() { # command...
    hyperfine -N --style none --warmup 5 --runs 100 --export-json "$scratch/h.json" "$(printf '%q ' "$@")" >/dev/null 2>&1
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["mean"]*1000)' "$scratch/h.json"
  }
  peak() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
  ours_ms=$(mean "$cli" "${verify[@]}")
  ours_kib=$(peak "$cli" "${verify[@]}")
  ref_ms=""; ref_kib=""
  if [ -n "${REF_NOTATION:-}" ]; then
    ref_ms=$(mean "$REF_NOTATION" "${verify[@]}")
    ref_kib=$(peak "$REF_NOTATION" "${verify[@]}")
  fi
  printf '| %s | %s | %.2f | %s | %s | %s |\n' "$label" "${ref_ms:+$(printf %.2f "$ref_ms")}" "$ours_ms" \
    "$(awk -v a="$ours_ms" -v b="$ref_ms" 'BEGIN {if (b == "") print "-"; else printf "%.2fx", a/b}')" "$ref_kib" "$ours_kib"
done
