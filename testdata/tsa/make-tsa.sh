#!/usr/bin/env bash
# Regenerates the RFC 3161 fixtures of the notation-rs timestamp tests:
# two small TSAs and one granted response from each, made with `openssl ts`.
#
#   EC:  root CA (EC P-384) -> intermediate CA (EC P-384) -> TSA (EC P-256)
#        request: SHA-384 of message.txt, with nonce, certReq
#        reply:   ECDSA-with-SHA256 signer, genTime in milliseconds,
#                 accuracy 1 s 500 ms 100 us,
#                 ordering, TSA name, ESSCertIDv2 (SHA-256) for the whole chain
#   RSA: root CA (RSA-3072) -> TSA (RSA-2048)
#        request: SHA-512 of message.txt, no nonce, certReq
#        reply:   RSA PKCS#1 v1.5 SHA-512 signer, baseline policy
#                 0.4.0.2023.1.1 and no accuracy (O4: 1 s)
#
# TSA certificates follow RFC 3161 §2.3 and H4: extendedKeyUsage critical,
# timeStamping only; CAs follow H1. Validity is ~100 years so the tests do
# not rot; genTime is the time the script ran.
#
# Usage: testdata/tsa/make-tsa.sh [output-dir]   (default: the script's dir)
set -euo pipefail
out=${1:-$(cd "$(dirname "$0")" && pwd)}
mkdir -p "$out"
cd "$out"
days=36500
subj() { echo "/C=US/ST=WA/L=Seattle/O=Notary/CN=$1"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat > "$work/ca.ext" <<'X'
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
X
cat > "$work/intermediate.ext" <<'X'
basicConstraints=critical,CA:TRUE,pathlen:0
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
X
cat > "$work/tsa.ext" <<'X'
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=critical,timeStamping
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
X

root() { # name, subject CN, genpkey args...
  local name=$1 cn=$2; shift 2
  openssl genpkey -quiet "$@" -out "$work/$name.key"
  openssl req -new -x509 -key "$work/$name.key" -sha384 -days $days -subj "$(subj "$cn")" \
    -extensions v3 -config <(printf '[req]\ndistinguished_name=dn\n[dn]\n[v3]\n'; cat "$work/ca.ext") \
    -out "$name.crt"
}
issue() { # name, subject CN, issuer, extfile, genpkey args...
  local name=$1 cn=$2 issuer=$3 ext=$4; shift 4
  openssl genpkey -quiet "$@" -out "$work/$name.key"
  openssl req -new -key "$work/$name.key" -subj "$(subj "$cn")" -out "$work/$name.csr"
  openssl x509 -req -in "$work/$name.csr" -CA "$issuer.crt" -CAkey "$work/$issuer.key" \
    -set_serial "0x$(openssl rand -hex 8)" -sha384 -days $days -extfile "$work/$ext" -out "$name.crt"
}

root ec-root "Notation Test TSA Root EC" -algorithm EC -pkeyopt ec_paramgen_curve:P-384
issue ec-intermediate "Notation Test TSA Intermediate EC" ec-root intermediate.ext \
  -algorithm EC -pkeyopt ec_paramgen_curve:P-384
issue ec-tsa "Notation Test TSA EC" ec-intermediate tsa.ext -algorithm EC -pkeyopt ec_paramgen_curve:P-256
root rsa-root "Notation Test TSA Root RSA" -algorithm RSA -pkeyopt rsa_keygen_bits:3072
issue rsa-tsa "Notation Test TSA RSA" rsa-root tsa.ext -algorithm RSA -pkeyopt rsa_keygen_bits:2048

printf 'notation-rs timestamp fixture\n' > message.txt
echo 01 > "$work/serial"
cat > "$work/tsa.cnf" <<X
[ tsa ]
default_tsa = tsa_ec

[ tsa_ec ]
serial = $work/serial
crypto_device = builtin
signer_cert = $out/ec-tsa.crt
certs = $work/ec-certs.pem
signer_key = $work/ec-tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
other_policies = 1.2.3.4.2
digests = sha256, sha384, sha512
accuracy = secs:1, millisecs:500, microsecs:100
ordering = yes
clock_precision_digits = 3
tsa_name = yes
ess_cert_id_chain = yes
ess_cert_id_alg = sha256

[ tsa_rsa ]
serial = $work/serial
crypto_device = builtin
signer_cert = $out/rsa-tsa.crt
certs = $work/rsa-certs.pem
signer_key = $work/rsa-tsa.key
signer_digest = sha512
default_policy = 0.4.0.2023.1.1
digests = sha256, sha384, sha512
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
X
cat ec-intermediate.crt ec-root.crt > "$work/ec-certs.pem"
cat rsa-root.crt > "$work/rsa-certs.pem"

openssl ts -query -data message.txt -sha384 -cert -out ec.tsq
openssl ts -reply -config "$work/tsa.cnf" -section tsa_ec -queryfile ec.tsq -out ec.tsr
openssl ts -query -data message.txt -sha512 -cert -no_nonce -out rsa.tsq
openssl ts -reply -config "$work/tsa.cnf" -section tsa_rsa -queryfile rsa.tsq -out rsa.tsr

# Self-check with OpenSSL's own verifier.
openssl ts -verify -queryfile ec.tsq -in ec.tsr -CAfile ec-root.crt -untrusted ec-intermediate.crt >/dev/null
openssl ts -verify -queryfile rsa.tsq -in rsa.tsr -CAfile rsa-root.crt >/dev/null
