#!/usr/bin/env bash
# Regenerates fuzz/seeds/cose/: COSE envelopes signed by the repository's own
# `notation` CLI with every key of the test PKI (testdata/pki: RSA 2048, 3072,
# 4096, EC P-256, P-384, P-521, and a self-signed leaf), in the variants the
# JWS seeds cover (plain, user metadata, expiry, another media type), so that
# the cose_envelope target starts from as many real envelopes as the JWS one.
#
#   fuzz/seeds/make-cose-seeds.sh [path/to/notation]   (default: target/debug/notation)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
notation=${1:-$repo/target/debug/notation}
[ -x "$notation" ] || { echo "build the CLI first: cargo build -p notation-examples" >&2; exit 1; }
out=$repo/fuzz/seeds/cose
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export NOTATION_CONFIG=$tmp/config
mkdir -p "$NOTATION_CONFIG" "$out"
rm -f "$out"/*.cose.sig
pki=$repo/testdata/pki
keys=(rsa-2048 rsa-3072 rsa-4096 ec-256 ec-384 ec-521 self-signed)
{
  printf '{"default":"rsa-2048","keys":['
  sep=
  for k in "${keys[@]}"; do
    cert=$pki/$k.chain.pem
    [ -f "$cert" ] || cert=$pki/$k.crt
    printf '%s{"name":"%s","keyPath":"%s","certPath":"%s"}' "$sep" "$k" "$pki/$k.key" "$cert"
    sep=,
  done
  printf ']}\n'
} > "$NOTATION_CONFIG/signingkeys.json"
printf 'notation-rs fuzz seed blob\n' > "$tmp/blob"
for k in "${keys[@]}"; do
  variant() { # name, extra args...
    local name=$1; shift
    rm -rf "$tmp/sig"
    "$notation" blob sign --key "$k" --signature-format cose --signature-directory "$tmp/sig" "$@" "$tmp/blob" >/dev/null
    mv "$tmp/sig/blob.cose.sig" "$out/$k-$name.cose.sig"
  }
  variant plain
  variant metadata -m io.wabbit-networks.buildId=123 -m io.wabbit-networks.buildTime=1672944615
  variant expiry -e 8760h
  variant media-type --media-type application/vnd.oci.image.manifest.v1+json -e 1s
done
ls "$out" | wc -l
