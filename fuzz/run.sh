#!/usr/bin/env bash
# Runs the fuzz targets on a stable toolchain (`cargo fuzz run -s none`),
# each for SECONDS (default 30), seeding each corpus from the conformance
# vectors and the test PKI so that libFuzzer starts from real structures.
#
#   fuzz/run.sh [seconds] [target...]
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(jws_envelope cose_envelope certificate_chain trust_policy timestamp_token plugin_responses ffi)
conformance=${NOTATION_CONFORMANCE:-../../shared/conformance}
[ -d "$conformance" ] || { echo "conformance vectors not found at $conformance" >&2; exit 1; }

seed() { # target, files...
  local dir=corpus/$1; shift
  mkdir -p "$dir"
  for f in "$@"; do [ -f "$f" ] && cp "$f" "$dir/$(sha256sum "$f" | cut -c1-16)"; done
}
seed jws_envelope "$conformance"/01-*/*.json "$conformance"/02-*/*.jws.sig "$conformance"/10-blob/*/*.jws.sig
seed cose_envelope "$conformance"/02-*/*.cose.sig "$conformance"/10-blob/*/*.cose.sig "$conformance"/03-*/sigEnv/cose*.sig
seed certificate_chain ../testdata/pki/*.pem ../testdata/pki/*.crt "$conformance"/07-certificates/*/*
seed trust_policy "$conformance"/06-trust-policies/*/*.json
seed timestamp_token "$conformance"/04-timestamp-tokens/*/*.p7s "$conformance"/04-timestamp-tokens/*/*.tsr
# ffi: the first byte selects the call (see fuzz_targets/ffi.rs): 0/1 OCI/blob
# policy validation, 2/3 JWS/COSE inspection, 4/5 JWS/COSE verification,
# 6 trust store certificates, 8 plugin directory, names and config (strings
# split at NUL bytes).
seed_selected() { # target, selector byte (octal escape), files...
  local dir=corpus/$1 selector=$2; shift 2
  mkdir -p "$dir"
  for f in "$@"; do
    [ -f "$f" ] || continue
    { printf "$selector"; cat "$f"; } > "$dir/${selector//\\/}-$(sha256sum "$f" | cut -c1-16)"
  done
}
seed_selected ffi '\000' "$conformance"/06-trust-policies/derived-oci/*.json
seed_selected ffi '\001' "$conformance"/06-trust-policies/derived-blob/*.json
seed_selected ffi '\002' "$conformance"/02-*/*.jws.sig "$conformance"/10-blob/*/*.jws.sig
seed_selected ffi '\003' "$conformance"/02-*/*.cose.sig "$conformance"/10-blob/*/*.cose.sig
seed_selected ffi '\004' "$conformance"/02-*/*.jws.sig "$conformance"/10-blob/*/*.jws.sig
seed_selected ffi '\005' "$conformance"/02-*/*.cose.sig "$conformance"/10-blob/*/*.cose.sig
seed_selected ffi '\006' ../testdata/pki/root.crt ../testdata/pki/intermediate.crt
mkdir -p corpus/ffi
printf '\010/tmp/plugins\000com.example.kms\000key-1\000region\000eu\000region' > corpus/ffi/plugin-strings
printf '\010\000..\000\000\377\376\000a/b' > corpus/ffi/plugin-hostile-strings
# plugin_responses: the first byte selects the command answered (see
# fuzz_targets/plugin_responses.rs): 0 metadata, 1 describe-key,
# 2 generate-signature, 3 generate-envelope, 4 verify-signature.
seed_selected plugin_responses '\000' "$conformance"/12-plugin/protocol/get-plugin-metadata.response.*.json
seed_selected plugin_responses '\001' "$conformance"/12-plugin/protocol/describe-key.response.json
seed_selected plugin_responses '\002' "$conformance"/12-plugin/protocol/generate-signature.response.json
seed_selected plugin_responses '\003' "$conformance"/12-plugin/protocol/generate-envelope.response*.json
seed_selected plugin_responses '\004' "$conformance"/12-plugin/protocol/verify-signature.response.*.json

for t in "${targets[@]}"; do
  echo "== fuzzing $t for ${seconds}s"
  cargo fuzz run -s none "$t" "corpus/$t" -- -max_total_time="$seconds" -rss_limit_mb=2048
done
