#!/usr/bin/env bash
# Makes a throw-away TSA for the live timestamping tests: a root CA
# (RSA-3072) and a TSA certificate (EC P-256, extendedKeyUsage critical
# timeStamping only, REQUIREMENTS H4/H1), plus an `openssl ts` configuration
# that signs replies with them (SHA-256, ESSCertIDv2, accuracy 1 s, nonce
# echoed). The tests run `openssl ts -reply` with it behind tsa-http.py.
#
# Usage: testdata/tsa/make-live-tsa.sh <output-dir>
set -euo pipefail
out=${1:?output directory}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$out"
days=3650
subj() { echo "/C=US/ST=WA/L=Seattle/O=Notary/CN=$1"; }
cat > ca.ext <<'X'
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
X
cat > tsa.ext <<'X'
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=critical,timeStamping
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
X
openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out root.key
openssl req -new -x509 -key root.key -sha256 -days $days -subj "$(subj 'Live Test TSA Root')" \
  -extensions v3 -config <(printf '[req]\ndistinguished_name=dn\n[dn]\n[v3]\n'; cat ca.ext) -out root.crt
openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out tsa.key
openssl req -new -key tsa.key -subj "$(subj 'Live Test TSA')" -out tsa.csr
openssl x509 -req -in tsa.csr -CA root.crt -CAkey root.key -set_serial "0x$(openssl rand -hex 8)" \
  -sha256 -days $days -extfile tsa.ext -out tsa.crt 2>/dev/null
echo 01 > serial
cat > tsa.cnf <<X
[ tsa ]
default_tsa = live

[ live ]
serial = $out/serial
crypto_device = builtin
signer_cert = $out/tsa.crt
certs = $out/root.crt
signer_key = $out/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
X
rm -f ca.ext tsa.ext tsa.csr root.srl
