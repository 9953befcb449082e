#!/usr/bin/env bash
# Makes a throw-away TSA for the live timestamping tests: a root CA
# (RSA-3072) and a TSA certificate (EC P-256, extendedKeyUsage critical
# timeStamping only, REQUIREMENTS H4/H1), plus an `openssl ts` configuration
# that signs replies with them (SHA-256, ESSCertIDv2, accuracy 1 s, nonce
# echoed). The tests run `openssl ts -reply` with it behind tsa-http.py.
#
# Revoked TSAs, for the tests of the revocation check at signing, in two
# more steps once the PKI exists (the certificate must name the loopback
# port of its OCSP responder or CRL server, known only once they run, while
# `openssl ocsp` reads its index when it starts):
#   make-live-tsa.sh <dir> revoke     revokes tsa.crt's serial in a CA
#                                     database (index.txt, for openssl ocsp)
#                                     and writes the CRL crl/tsa.crl (DER)
#   make-live-tsa.sh <dir> reissue <extension line>...
#                                     issues tsa.crt again, same key, same
#                                     serial, with the extension lines added
#                                     (authorityInfoAccess=OCSP;URI:...,
#                                     crlDistributionPoints=URI:...)
#
# Usage: testdata/tsa/make-live-tsa.sh <output-dir> [revoke | reissue <ext>...]
set -euo pipefail
out=${1:?output directory}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$out"
days=3650
subj() { echo "/C=US/ST=WA/L=Seattle/O=Notary/CN=$1"; }
tsa_ext() {
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n'
  printf 'extendedKeyUsage=critical,timeStamping\nsubjectKeyIdentifier=hash\n'
  printf 'authorityKeyIdentifier=keyid\n'
  printf '%s\n' "$@"
}
case ${2:-} in
revoke)
  mkdir -p crl
  : > index.txt
  echo 01 > crlnumber
  cat > ca.cnf <<X
[ca]
default_ca=root
[root]
database=$out/index.txt
crlnumber=$out/crlnumber
certificate=$out/root.crt
private_key=$out/root.key
default_md=sha256
default_crl_days=30
crl_extensions=crl_ext
[crl_ext]
authorityKeyIdentifier=keyid:always
X
  openssl ca -batch -config ca.cnf -revoke tsa.crt -crl_reason keyCompromise 2>/dev/null
  openssl ca -batch -config ca.cnf -gencrl -out crl/tsa.crl.pem 2>/dev/null
  openssl crl -in crl/tsa.crl.pem -outform DER -out crl/tsa.crl
  rm crl/tsa.crl.pem
  exit 0
  ;;
reissue)
  shift 2
  serial=$(openssl x509 -in tsa.crt -noout -serial | cut -d= -f2)
  tsa_ext "$@" > tsa.ext
  openssl req -new -key tsa.key -subj "$(subj 'Live Test TSA')" -out tsa.csr
  openssl x509 -req -in tsa.csr -CA root.crt -CAkey root.key -set_serial "0x$serial" \
    -sha256 -days $days -extfile tsa.ext -out tsa.crt 2>/dev/null
  rm -f tsa.ext tsa.csr root.srl
  exit 0
  ;;
"") ;;
*) echo "unknown step: $2" >&2; exit 2 ;;
esac
cat > ca.ext <<'X'
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
X
tsa_ext > tsa.ext
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
