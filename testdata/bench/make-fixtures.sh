#!/usr/bin/env bash
# Regenerates the benchmark fixtures: one signed 1.5 KB blob per key spec,
# each with a configuration directory that verifies it (a strict global blob
# trust policy over three trust stores), so that notation-rs and any other
# implementation can be timed on identical files (see the README's
# performance section and `notation-benches`' verify-loop).
#
#   p256-p384/          P-256 leaf <- P-384 root     blob.bin.jws.sig, blob.bin.cose.sig
#   rsa3072-rsa3072/    RSA-3072 leaf <- RSA-3072 root
#   p256-p384-rsa4096/  P-256 leaf <- P-384 intermediate <- RSA-4096 root
#   p521-p384/          P-521 leaf <- P-384 root
#
# Each directory holds `config/` (trustpolicy.blob.json; truststore/x509/ca/
# bench with the row's root, ca/other-1 and ca/other-2 with unrelated roots)
# and the signatures of ../blob.bin. The PKI is made with openssl (~100-year
# validity, the Notary Project certificate rules); the signatures with the
# notation CLI given as NOTATION (default: this workspace's release build,
# built if missing). Private keys are not kept.
#
# Usage: testdata/bench/make-fixtures.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if [ -z "${NOTATION:-}" ]; then
  (cd "$root" && cargo build --release -q -p notation-examples --bin notation)
  NOTATION="$root/target/release/notation"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
days=36500
subj() { echo "/C=US/ST=WA/L=Seattle/O=Notation Bench/CN=$1"; }
v3() { printf '[req]\ndistinguished_name=dn\n[dn]\n[v3]\n'; cat; }
ca_ext='basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash'
int_ext='basicConstraints=critical,CA:TRUE,pathlen:0
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid'
leaf_ext='basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=codeSigning
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid'

key() { # file, spec (p256 p384 p521 rsa3072 rsa4096)
  case $2 in
    p*) openssl genpkey -quiet -algorithm EC -pkeyopt "ec_paramgen_curve:P-${2#p}" -out "$1" ;;
    rsa*) openssl genpkey -quiet -algorithm RSA -pkeyopt "rsa_keygen_bits:${2#rsa}" -out "$1" ;;
  esac
}
root_ca() { # name, spec, hash
  key "$work/$1.key" "$2"
  openssl req -new -x509 -key "$work/$1.key" -"$3" -days $days -subj "$(subj "$1")" \
    -extensions v3 -config <(v3 <<<"$ca_ext") -out "$work/$1.crt"
}
issue() { # name, spec, issuer, hash, extensions
  key "$work/$1.key" "$2"
  openssl req -new -key "$work/$1.key" -subj "$(subj "$1")" -out "$work/$1.csr"
  openssl x509 -req -in "$work/$1.csr" -CA "$work/$3.crt" -CAkey "$work/$3.key" \
    -set_serial "0x$(openssl rand -hex 8)" -"$4" -days $days -extfile <(echo "$5") \
    -out "$work/$1.crt" 2>/dev/null
}

# The blob: 1.5 KB of text, the same for every row.
for i in $(seq 1 24); do printf 'notation-rs benchmark blob, line %02d: 0123456789abcdefghijklmnop\n' "$i"; done \
  > "$here/blob.bin"
[ "$(wc -c < "$here/blob.bin")" -eq 1536 ]

root_ca "Unrelated Root 1" p256 sha256
root_ca "Unrelated Root 2" rsa3072 sha256

row() { # dir, formats, chain names (leaf first)...
  local dir=$1 formats=$2; shift 2
  local out="$here/$dir" leaf=$1
  rm -rf "$out"; mkdir -p "$out/config/truststore/x509/ca"/{bench,other-1,other-2}
  local last=${*: -1}
  cp "$work/$last.crt" "$out/config/truststore/x509/ca/bench/root.crt"
  cp "$work/Unrelated Root 1.crt" "$out/config/truststore/x509/ca/other-1/root.crt"
  cp "$work/Unrelated Root 2.crt" "$out/config/truststore/x509/ca/other-2/root.crt"
  cat > "$out/config/trustpolicy.blob.json" <<JSON
{
    "version": "1.0",
    "trustPolicies": [
        {
            "name": "bench",
            "globalPolicy": true,
            "signatureVerification": {
                "level": "strict"
            },
            "trustStores": ["ca:bench", "ca:other-1", "ca:other-2"],
            "trustedIdentities": ["x509.subject: C=US, ST=WA, L=Seattle, O=Notation Bench, CN=$leaf"]
        }
    ]
}
JSON
  # Sign with a throw-away configuration holding the leaf key.
  local sign="$work/sign-$dir"
  mkdir -p "$sign/config"
  for n in "$@"; do cat "$work/$n.crt"; done > "$sign/chain.pem"
  cat > "$sign/config/signingkeys.json" <<JSON
{"default":"bench","keys":[{"name":"bench","keyPath":"$work/$leaf.key","certPath":"$sign/chain.pem"}]}
JSON
  for format in $formats; do
    NOTATION_CONFIG="$sign/config" NOTATION_CACHE="$sign/cache" NOTATION_LIBEXEC="$sign/libexec" \
      "$NOTATION" blob sign --signature-format "$format" --signature-directory "$out" --force \
      "$here/blob.bin" >/dev/null
    NOTATION_CONFIG="$out/config" NOTATION_CACHE="$sign/cache" NOTATION_LIBEXEC="$sign/libexec" \
      "$NOTATION" blob verify --signature "$out/blob.bin.$format.sig" "$here/blob.bin" >/dev/null
  done
}

root_ca "P-384 Root" p384 sha384
issue "P-256 Leaf" p256 "P-384 Root" sha384 "$leaf_ext"
row p256-p384 "jws cose" "P-256 Leaf" "P-384 Root"

root_ca "RSA-3072 Root" rsa3072 sha384
issue "RSA-3072 Leaf" rsa3072 "RSA-3072 Root" sha384 "$leaf_ext"
row rsa3072-rsa3072 jws "RSA-3072 Leaf" "RSA-3072 Root"

root_ca "RSA-4096 Root" rsa4096 sha256
issue "P-384 Intermediate" p384 "RSA-4096 Root" sha256 "$int_ext"
issue "P-256 Leaf via Intermediate" p256 "P-384 Intermediate" sha384 "$leaf_ext"
row p256-p384-rsa4096 jws "P-256 Leaf via Intermediate" "P-384 Intermediate" "RSA-4096 Root"

issue "P-521 Leaf" p521 "P-384 Root" sha384 "$leaf_ext"
row p521-p384 jws "P-521 Leaf" "P-384 Root"

echo "benchmark fixtures written to $here"
