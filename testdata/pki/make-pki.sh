#!/usr/bin/env bash
# Regenerates the test PKI used by the notation-rs test suite.
#
#   root CA (RSA-4096)  ->  intermediate CA (EC P-384)  ->  one leaf per key spec
#
# Leaves follow the Notary Project certificate rules (REQUIREMENTS H1-H3):
# CA certificates have critical basicConstraints CA:TRUE and critical
# keyUsage keyCertSign; leaves have critical keyUsage digitalSignature and
# extendedKeyUsage codeSigning. Validity is ~100 years so the tests do not rot.
# Also produces each leaf's key in PKCS#8, and SEC1 / PKCS#1 variants, and a
# self-signed leaf like `notation cert generate-test` makes.
#
# Usage: testdata/pki/make-pki.sh [output-dir]   (default: the script's dir)
set -euo pipefail
out=${1:-$(cd "$(dirname "$0")" && pwd)}
mkdir -p "$out"
cd "$out"
days=36500
subj() { echo "/C=US/ST=WA/L=Seattle/O=Notary/CN=$1"; }

cat > ca.ext <<'X'
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
X
cat > intermediate.ext <<'X'
basicConstraints=critical,CA:TRUE,pathlen:0
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
X
cat > leaf.ext <<'X'
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=codeSigning
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
X

openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:4096 -out root.key
openssl req -new -x509 -key root.key -sha256 -days $days -subj "$(subj 'Notation Test Root CA')" \
  -extensions v3 -config <(printf '[req]\ndistinguished_name=dn\n[dn]\n[v3]\n'; cat ca.ext) -out root.crt

openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out intermediate.key
openssl req -new -key intermediate.key -subj "$(subj 'Notation Test Intermediate CA')" -out intermediate.csr
openssl x509 -req -in intermediate.csr -CA root.crt -CAkey root.key -set_serial 0x1001 -sha256 \
  -days $days -extfile intermediate.ext -out intermediate.crt

leaf() { # name, genpkey args...
  local name=$1; shift
  openssl genpkey -quiet "$@" -out "$name.key"
  openssl req -new -key "$name.key" -subj "$(subj "Notation Test Leaf $name")" -out "$name.csr"
  openssl x509 -req -in "$name.csr" -CA intermediate.crt -CAkey intermediate.key \
    -set_serial "0x$(openssl rand -hex 8)" -sha384 -days $days -extfile leaf.ext -out "$name.crt"
  cat "$name.crt" intermediate.crt root.crt > "$name.chain.pem"
  rm "$name.csr"
}
leaf rsa-2048 -algorithm RSA -pkeyopt rsa_keygen_bits:2048
leaf rsa-3072 -algorithm RSA -pkeyopt rsa_keygen_bits:3072
leaf rsa-4096 -algorithm RSA -pkeyopt rsa_keygen_bits:4096
leaf ec-256 -algorithm EC -pkeyopt ec_paramgen_curve:P-256
leaf ec-384 -algorithm EC -pkeyopt ec_paramgen_curve:P-384
leaf ec-521 -algorithm EC -pkeyopt ec_paramgen_curve:P-521
# Key sizes Notation refuses (G3).
leaf rsa-1024 -algorithm RSA -pkeyopt rsa_keygen_bits:1024

# Other encodings of the same keys: SEC1 (EC) and PKCS#1 (RSA), PEM and DER.
openssl ec -in ec-256.key -out ec-256.sec1.pem 2>/dev/null
openssl ec -in ec-521.key -outform DER -out ec-521.sec1.der 2>/dev/null
openssl rsa -in rsa-2048.key -traditional -out rsa-2048.pkcs1.pem 2>/dev/null
openssl pkey -in rsa-3072.key -outform DER -out rsa-3072.pkcs8.der
# Password-protected PKCS#8 (PBES2: PBKDF2-HMAC-SHA256, AES-256-CBC), PEM
# and DER; the password is in encrypted-key.password.
printf 'notation-test-password' > encrypted-key.password
openssl pkcs8 -topk8 -v2 aes-256-cbc -passout file:encrypted-key.password -in ec-256.key -out ec-256.encrypted.pem
openssl pkcs8 -topk8 -v2 aes-256-cbc -passout file:encrypted-key.password -in rsa-2048.key -outform DER -out rsa-2048.encrypted.der
# Other schemes, with the same password: PBKDF2 over HMAC-SHA1 (what
# OpenSSL 1.0's -v2 wrote), scrypt (OpenSSL's N 16384, r 8, p 1), and two
# that are refused by name: Triple DES in PBES2, and PBES1.
openssl pkcs8 -topk8 -v2 aes-128-cbc -v2prf hmacWithSHA1 -passout file:encrypted-key.password -in ec-384.key -outform DER -out ec-384.encrypted-sha1.der
openssl pkcs8 -topk8 -scrypt -passout file:encrypted-key.password -in ec-384.key -out ec-384.encrypted-scrypt.pem
openssl pkcs8 -topk8 -v2 des3 -passout file:encrypted-key.password -in ec-256.key -out ec-256.encrypted-3des.pem
openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES -passout file:encrypted-key.password -in ec-256.key -out ec-256.encrypted-pbes1.pem
openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES -passout file:encrypted-key.password -in ec-256.key -outform DER -out ec-256.encrypted-pbes1.der
# OpenSSL's legacy PEM encryption (Proc-Type: 4,ENCRYPTED), refused by name too.
openssl ec -aes256 -passout file:encrypted-key.password -in ec-256.key -out ec-256.legacy-encrypted.pem 2>/dev/null

# A self-signed signing certificate, as `notation cert generate-test` makes.
openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out self-signed.key
openssl req -new -x509 -key self-signed.key -sha256 -days $days -subj "$(subj 'Notation Test Self Signed')" \
  -extensions v3 -config <(printf '[req]\ndistinguished_name=dn\n[dn]\n[v3]\n'; \
     printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\n') \
  -out self-signed.crt

# A second, unrelated root: signatures chaining to it must not verify
# against a store holding only root.crt.
openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out other-root.key
openssl req -new -x509 -key other-root.key -sha256 -days $days -subj "$(subj 'Unrelated Root CA')" \
  -extensions v3 -config <(printf '[req]\ndistinguished_name=dn\n[dn]\n[v3]\n'; cat ca.ext) -out other-root.crt

rm -f ca.ext intermediate.ext leaf.ext intermediate.csr *.srl
echo "test PKI written to $out"
