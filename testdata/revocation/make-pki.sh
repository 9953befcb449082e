#!/usr/bin/env bash
# Regenerates the PKI of the revocation tests (notation-core/tests/revocation_*.rs).
#
#   root CA (RSA-2048)                       OCSP http://ocsp.root.test (root signs itself)
#   └── intermediate CA (EC P-256)           OCSP http://ocsp.root.test, CRL http://crl.root.test/root.crl
#       ├── leaf            (0x3001)        OCSP http://ocsp.intermediate.test + CRL http://crl.intermediate.test/intermediate.crl
#       ├── leaf-crl        (0x3002)        CRL only
#       ├── leaf-multi-dp   (0x3003)        CRL only: point 1 = two mirrors, point 2 = a second partition (W14)
#       ├── leaf-ocsp       (0x3004)        OCSP only
#       ├── leaf-https      (0x3005)        https OCSP and https CRL only (P3/P4: refused)
#       ├── leaf-freshest   (0x3006)        CRL + a Freshest CRL extension in the certificate
#       ├── leaf-none       (0x3007)        neither OCSP nor CRL
#       ├── leaf-two-ocsp   (0x3008)        OCSP http://down.intermediate.test, then http://ocsp.intermediate.test
#       ├── leaf-relative-dp (0x3009)       CRL only: point 1 named relative to the CRL issuer, point 2 a URI
#       ├── responder       (0x3100)        delegated OCSP responder: id-kp-OCSPSigning
#       ├── responder-no-eku (0x3101)       signs OCSP responses without id-kp-OCSPSigning
#       └── responder-expired (0x3102)      id-kp-OCSPSigning, valid only in 2000
#   other root CA (RSA-2048)
#       └── other-responder (0x4100)        id-kp-OCSPSigning, but for another CA
#
# The tests generate OCSP responses (`openssl ocsp`) and CRLs (`openssl ca -gencrl`) from these
# keys at test time, in a temporary directory, so that every response and CRL is produced by a
# real implementation with fresh times. Certificates follow the Notary Project rules (H1-H3) so
# that the chains pass the chain re-validation of P2. Validity is ~100 years.
#
# Usage: testdata/revocation/make-pki.sh [output-dir]   (default: the script's dir)
set -euo pipefail
out=${1:-$(cd "$(dirname "$0")" && pwd)}
mkdir -p "$out"
cd "$out"
days=36500
subj() { echo "/C=US/ST=WA/L=Seattle/O=Notary/OU=Revocation Tests/CN=$1"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat > "$tmp/root.ext" <<'X'
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
X
cat > "$tmp/intermediate.ext" <<'X'
basicConstraints=critical,CA:TRUE,pathlen:0
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
authorityInfoAccess=OCSP;URI:http://ocsp.root.test
crlDistributionPoints=URI:http://crl.root.test/root.crl
X
leaf_ext() { # extra lines...
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\n'
  printf 'subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n'
  printf '%s\n' "$@"
}
responder_ext() { # extendedKeyUsage line
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n%s\n' "$1"
  printf 'subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n'
}

rsa() { openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1"; }
ec() { openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }
self_signed() { # name, CN
  openssl req -new -x509 -key "$1.key" -sha256 -days $days -subj "$(subj "$2")" \
    -extensions v3 -config <(printf '[req]\ndistinguished_name=dn\n[dn]\n[v3]\n'; cat "$tmp/root.ext") \
    -out "$1.crt"
}
issue() { # name, CN, issuer name, serial, extfile
  openssl req -new -key "$1.key" -subj "$(subj "$2")" -out "$tmp/$1.csr"
  openssl x509 -req -in "$tmp/$1.csr" -CA "$3.crt" -CAkey "$3.key" -set_serial "$4" -sha256 \
    -days $days -extfile "$5" -out "$1.crt"
}

rsa root.key
self_signed root "Revocation Test Root"
ec intermediate.key
issue intermediate "Revocation Test Intermediate" root 0x2001 "$tmp/intermediate.ext"

int_ocsp='authorityInfoAccess=OCSP;URI:http://ocsp.intermediate.test'
int_crl='crlDistributionPoints=URI:http://crl.intermediate.test/intermediate.crl'
leaf() { # name, serial, extension lines...
  local name=$1 serial=$2; shift 2
  rsa "$name.key"
  leaf_ext "$@" > "$tmp/$name.ext"
  issue "$name" "Revocation Test ${name}" intermediate "$serial" "$tmp/$name.ext"
  cat "$name.crt" intermediate.crt root.crt > "$name.chain.pem"
}
leaf leaf 0x3001 "$int_ocsp" "$int_crl"
leaf leaf-crl 0x3002 "$int_crl"
leaf leaf-multi-dp 0x3003 'crlDistributionPoints=dp1,dp2' '[dp1]' \
  'fullname=URI:http://mirror1.intermediate.test/intermediate.crl,URI:http://mirror2.intermediate.test/intermediate.crl' \
  '[dp2]' 'fullname=URI:http://partition2.intermediate.test/intermediate.crl'
leaf leaf-ocsp 0x3004 "$int_ocsp"
leaf leaf-https 0x3005 'authorityInfoAccess=OCSP;URI:https://ocsp.intermediate.test' \
  'crlDistributionPoints=URI:https://crl.intermediate.test/intermediate.crl'
leaf leaf-freshest 0x3006 "$int_crl" 'freshestCRL=URI:http://crl.intermediate.test/delta.crl'
leaf leaf-none 0x3007
leaf leaf-two-ocsp 0x3008 \
  'authorityInfoAccess=OCSP;URI:http://down.intermediate.test,OCSP;URI:http://ocsp.intermediate.test'
leaf leaf-relative-dp 0x3009 'crlDistributionPoints=dp1,dp2' '[dp1]' 'relativename=rel' \
  '[rel]' 'CN=crl.intermediate.test' '[dp2]' "fullname=URI:http://crl.intermediate.test/intermediate.crl"

ec responder.key
responder_ext 'extendedKeyUsage=critical,OCSPSigning' > "$tmp/responder.ext"
issue responder "Revocation Test OCSP Responder" intermediate 0x3100 "$tmp/responder.ext"
ec responder-no-eku.key
responder_ext 'extendedKeyUsage=codeSigning' > "$tmp/responder-no-eku.ext"
issue responder-no-eku "Revocation Test Responder Without EKU" intermediate 0x3101 "$tmp/responder-no-eku.ext"

# A responder certificate valid only in the year 2000 (openssl ca sets explicit dates).
ec responder-expired.key
mkdir -p "$tmp/ca/newcerts"; : > "$tmp/ca/index.txt"; echo 3102 > "$tmp/ca/serial"
cat > "$tmp/ca.cnf" <<X
[ca]
default_ca=d
[d]
database=$tmp/ca/index.txt
new_certs_dir=$tmp/ca/newcerts
serial=$tmp/ca/serial
default_md=sha256
policy=p
x509_extensions=ext
[p]
commonName=supplied
[ext]
$(responder_ext 'extendedKeyUsage=critical,OCSPSigning')
X
openssl req -new -key responder-expired.key -subj "$(subj 'Revocation Test Expired Responder')" \
  -out "$tmp/responder-expired.csr"
openssl ca -batch -notext -config "$tmp/ca.cnf" -cert intermediate.crt -keyfile intermediate.key \
  -startdate 20000101000000Z -enddate 20001231000000Z -preserveDN \
  -in "$tmp/responder-expired.csr" -out responder-expired.crt 2>/dev/null

rsa other-root.key
self_signed other-root "Revocation Test Other Root"
ec other-responder.key
responder_ext 'extendedKeyUsage=critical,OCSPSigning' > "$tmp/other-responder.ext"
issue other-responder "Revocation Test Other Responder" other-root 0x4100 "$tmp/other-responder.ext"

rm -f ./*.srl
