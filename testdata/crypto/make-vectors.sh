#!/usr/bin/env bash
# Regenerates the OpenSSL signature vectors that both crypto providers must
# accept (notation-core/src/crypto/tests.rs): one message, signed by the
# test PKI's leaf keys (testdata/pki) with every scheme Notation verifies:
#
#   RSA (2048, 3072, 4096): RSASSA-PSS (salt = hash length) and
#                           RSASSA-PKCS1-v1_5, each with SHA-256/384/512
#   EC (P-256, P-384, P-521): ECDSA with SHA-256/384/512, DER-encoded
#
# Files: message.bin and <key>.<pss|pkcs1|ecdsa>-<sha256|sha384|sha512>.sig.
# The public keys are the certificates testdata/pki/<key>.crt.
#
# Besides: rsa-3070.pub.der (an SPKI) and rsa-3070.pss-sha384.sig, from a
# throw-away key whose modulus is 3070 bits long (OpenSSL makes that of
# `genrsa 3071`): 384 bytes, which the reference counts as RSA-3072.
#
# Usage: testdata/crypto/make-vectors.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
pki="$here/../pki"
cd "$here"
rm -f ./*.sig
printf 'Notary Project signature vectors, signed with OpenSSL.\n' > message.bin
for key in rsa-2048 rsa-3072 rsa-4096; do
  for hash in sha256 sha384 sha512; do
    openssl dgst -"$hash" -sign "$pki/$key.key" -sigopt rsa_padding_mode:pss \
      -sigopt rsa_pss_saltlen:digest -out "$key.pss-$hash.sig" message.bin
    openssl dgst -"$hash" -sign "$pki/$key.key" -out "$key.pkcs1-$hash.sig" message.bin
  done
done
for key in ec-256 ec-384 ec-521; do
  for hash in sha256 sha384 sha512; do
    openssl dgst -"$hash" -sign "$pki/$key.key" -out "$key.ecdsa-$hash.sig" message.bin
  done
done
rm -f rsa-3070.*
openssl genrsa -out rsa-3070.key 3071 2>/dev/null
openssl rsa -in rsa-3070.key -pubout -outform DER -out rsa-3070.pub.der 2>/dev/null
openssl dgst -sha384 -sign rsa-3070.key -sigopt rsa_padding_mode:pss \
  -sigopt rsa_pss_saltlen:digest -out rsa-3070.pss-sha384.sig message.bin
openssl dgst -sha384 -verify rsa-3070.pub.der -keyform DER -sigopt rsa_padding_mode:pss \
  -sigopt rsa_pss_saltlen:digest -signature rsa-3070.pss-sha384.sig message.bin >/dev/null
rm -f rsa-3070.key
# Check them with OpenSSL itself, so that a bad vector fails here.
for sig in ./rsa-[24]*.sig ./rsa-3072*.sig ./ec-*.sig; do
  base=${sig#./}; key=${base%%.*}; rest=${base#*.}; scheme=${rest%%-*}
  hash=${rest#*-}; hash=${hash%.sig}
  opts=()
  [ "$scheme" = pss ] && opts=(-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest)
  openssl x509 -in "$pki/$key.crt" -pubkey -noout > pub.pem
  openssl dgst -"$hash" -verify pub.pem "${opts[@]}" -signature "$sig" message.bin >/dev/null
done
rm -f pub.pem
echo "wrote $(ls ./*.sig | wc -l) vectors to $here"
