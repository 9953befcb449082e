#!/usr/bin/env bash
# Interoperability check of the notation-pkcs11 plugin with the reference
# notation CLI, on a SoftHSM token:
#
#   1. a SoftHSM token in a temporary directory holds the test PKI's EC-256
#      and RSA-3072 leaf keys and certificates (testdata/pki);
#   2. the reference installs the plugin (`notation plugin install --file`),
#      adds the token keys as plugin keys (`notation key add --plugin pkcs11
#      --id <PKCS#11 URI> --plugin-config certificate_chain=<PEM chain>`)
#      and signs an OCI image layout in JWS and COSE (`notation sign`), and
#      a blob (`notation blob sign`, with a reference build that has blob
#      commands);
#   3. notation-rs verifies every signature the reference made, then signs
#      with the same signingkeys.json entries in process (no plugin) and the
#      reference verifies those.
#
# The reference binaries are not part of this repository. Give them with
#   REFERENCE_NOTATION=/path/to/notation         (v1.3.x: OCI signing)
#   REFERENCE_NOTATION_BLOB=/path/to/notation    (a build with `blob` commands;
#                                                 optional: blob steps skipped
#                                                 and said so when unset)
# Needs softhsm2, opensc (pkcs11-tool) and openssl. Exits non-zero on the
# first failure; prints PASS lines for what it checked.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

: "${REFERENCE_NOTATION:?set REFERENCE_NOTATION to the reference notation binary}"
ref=$REFERENCE_NOTATION
ref_blob=${REFERENCE_NOTATION_BLOB:-}
module=${PKCS11_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
for tool in softhsm2-util pkcs11-tool openssl; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y softhsm2 opensc openssl" >&2; exit 1; }
done
[ -e "$module" ] || { echo "missing $module: apt-get install -y softhsm2" >&2; exit 1; }

pass() { printf 'PASS %s\n' "$*"; }
step() { printf '\n==> %s\n' "$*"; }

step "building notation-pkcs11 and notation (notation-rs)"
cargo build -q -p notation-pkcs11 -p notation-examples --bins
ours=$root/target/debug/notation
plugin=$root/target/debug/notation-pkcs11

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export NOTATION_CONFIG=$work/config NOTATION_LIBEXEC=$work/libexec NOTATION_CACHE=$work/cache
mkdir -p "$NOTATION_CONFIG" "$NOTATION_LIBEXEC" "$NOTATION_CACHE"

step "SoftHSM token"
mkdir -p "$work/tokens"
export SOFTHSM2_CONF=$work/softhsm2.conf
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$work/tokens" > "$SOFTHSM2_CONF"
softhsm2-util --init-token --free --label notation --pin 1234 --so-pin 12345678 >/dev/null
printf '1234\n' > "$work/pin"
p11() { pkcs11-tool --module "$module" --token-label notation --login --pin 1234 "$@" >/dev/null; }
id=1
for spec in ec-256 rsa-3072; do
  p11 --write-object "testdata/pki/$spec.key" --type privkey --label "$spec" --id "0$id"
  p11 --write-object "testdata/pki/$spec.crt" --type cert --label "$spec" --id "0$id"
  id=$((id + 1))
done
uri() { printf 'pkcs11:token=notation;object=%s?module-path=%s&pin-source=file:%s' "$1" "$module" "$work/pin"; }
pass "token with ec-256 and rsa-3072 keys"

step "trust store and policies (shared by both CLIs)"
mkdir -p "$NOTATION_CONFIG/truststore/x509/ca/root"
cp testdata/pki/root.crt "$NOTATION_CONFIG/truststore/x509/ca/root/root.crt"
oci_policy='{"version":"1.0","trustPolicies":[{"name":"p","registryScopes":["*"],"signatureVerification":{"level":"strict"},"trustStores":["ca:root"],"trustedIdentities":["*"]}]}'
printf '%s' "$oci_policy" > "$NOTATION_CONFIG/trustpolicy.json"
printf '%s' "$oci_policy" > "$NOTATION_CONFIG/trustpolicy.oci.json"
printf '%s' '{"version":"1.0","trustPolicies":[{"name":"b","globalPolicy":true,"signatureVerification":{"level":"strict"},"trustStores":["ca:root"],"trustedIdentities":["*"]}]}' \
  > "$NOTATION_CONFIG/trustpolicy.blob.json"

step "reference: plugin install, key add"
"$ref" version | head -1
"$ref" plugin install --file "$plugin"
"$ref" plugin list
"$ref" plugin list | grep -q '^pkcs11 .*SIGNATURE_GENERATOR.RAW' && pass "reference lists the pkcs11 plugin with SIGNATURE_GENERATOR.RAW"
for spec in ec-256 rsa-3072; do
  "$ref" key add --plugin pkcs11 --id "$(uri "$spec")" \
    --plugin-config "certificate_chain=$root/testdata/pki/$spec.chain.pem" "hsm-$spec"
done
"$ref" key list
pass "reference added plugin keys hsm-ec-256 and hsm-rsa-3072"

conformance_layout=$root/../shared/conformance/02-oci-layout-alpine/oci-layout
[ -d "$conformance_layout" ] || conformance_layout=/work/shared/conformance/02-oci-layout-alpine/oci-layout
digest=sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0
# A fresh copy of the image layout for each signature, so that each
# verification checks exactly one signature.
fresh_layout() { rm -rf "$work/layout"; cp -r "$conformance_layout" "$work/layout"; echo "$work/layout"; }

step "reference signs an OCI image layout through the plugin; notation-rs verifies each signature"
for spec in ec-256 rsa-3072; do
  for format in jws cose; do
    layout=$(fresh_layout)
    NOTATION_EXPERIMENTAL=1 "$ref" sign --oci-layout --signature-format "$format" -k "hsm-$spec" "$layout@$digest"
    "$ours" inspect --oci-layout "$layout@$digest" | grep -q "pkcs11/" \
      || { echo "the signing agent does not name the plugin" >&2; exit 1; }
    "$ours" verify --oci-layout --scope local/layout "$layout@$digest"
    pass "reference signed with hsm-$spec ($format) through notation-pkcs11; notation-rs verified it"
  done
done

step "notation-rs signs with the same signingkeys.json entries, in process; the reference verifies"
if "$ours" sign --help 2>/dev/null | grep -q -- '--pkcs11-uri'; then
  for spec in ec-256 rsa-3072; do
    for format in jws cose; do
      layout=$(fresh_layout)
      # v1.3.2 finds signatures in an image layout only in the image
      # manifest form (it misses artifactType-form ones; notation main
      # finds both).
      "$ours" sign --oci-layout --signature-manifest image --signature-format "$format" -k "hsm-$spec" "$layout@$digest"
      NOTATION_EXPERIMENTAL=1 "$ref" verify --oci-layout --scope local/layout "$layout@$digest"
      pass "notation-rs signed with the plugin key hsm-$spec ($format) without the plugin; the reference verified it"
    done
  done
else
  echo "SKIP notation-rs in-process PKCS#11 signing: this build has no --pkcs11-uri"
fi

if [ -n "$ref_blob" ]; then
  step "blob: the reference signs through the plugin, notation-rs verifies"
  printf 'a release artifact\n' > "$work/artifact.txt"
  for spec in ec-256 rsa-3072; do
    for format in jws cose; do
      rm -f "$work/artifact.txt.$format.sig"
      "$ref_blob" blob sign --signature-format "$format" -k "hsm-$spec" --signature-directory "$work" "$work/artifact.txt"
      "$ours" blob verify --signature "$work/artifact.txt.$format.sig" "$work/artifact.txt"
      pass "notation-rs verified the reference's blob signature (hsm-$spec, $format)"
      if "$ours" sign --help 2>/dev/null | grep -q -- '--pkcs11-uri'; then
        rm -f "$work/artifact.txt.$format.sig"
        "$ours" blob sign --signature-format "$format" -k "hsm-$spec" --signature-directory "$work" "$work/artifact.txt"
        "$ref_blob" blob verify --signature "$work/artifact.txt.$format.sig" "$work/artifact.txt"
        pass "the reference verified notation-rs's in-process blob signature (hsm-$spec, $format)"
      fi
    done
  done
else
  echo "SKIP blob steps: REFERENCE_NOTATION_BLOB is not set"
fi

step "all interoperability checks passed"
