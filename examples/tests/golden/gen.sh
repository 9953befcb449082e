#!/usr/bin/env bash
# Regenerates the golden files of examples/tests/golden.rs FROM THE REFERENCE
# notation CLI, never from ours: every file under out/ is what the reference
# printed, with only the values that must differ between runs replaced by
# placeholders (registry host:port -> {REG}/{AUTHREG}, the OCI layout path ->
# {LAYOUT}, this directory -> {GOLDEN}, the configuration directory ->
# {CONFIG}). The registry state the reference's signatures left (state/) is
# exported too, so that the test replays the read-only cases on the very same
# manifests and blobs.
#
# Needs:
#   - a build of the reference CLI: notation v1.3.2 (the latest release) as
#     $NOTATION_REF (default /work/ref/bin/notation) and notation main
#     (v2.0.0-alpha.1, for the policy commands) as $NOTATION_REF_MAIN
#     (default /work/ref/bin/notation-main); build them from
#     github.com/notaryproject/notation (tag v1.3.2, and main) with `make`;
#   - Debian's docker-registry (CNCF distribution 2.8.2), curl, jq, python3;
#   - the conformance vectors (../shared/conformance next to the checkout, or
#     $NOTATION_CONFORMANCE): the e2e signing key and certificate (valid until
#     2122) and the timestamped layouts of 09-e2e-oci-layouts.
# Run from anywhere: examples/tests/golden/gen.sh. It replaces out/, state/,
# completion/ and image/manifest.json; commit them with the script's changes.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo_root=$(cd "$here/../../.." && pwd)
conformance=${NOTATION_CONFORMANCE:-$repo_root/../shared/conformance}
ref_v1=${NOTATION_REF:-/work/ref/bin/notation}
ref_main=${NOTATION_REF_MAIN:-/work/ref/bin/notation-main}
user=testuser
password=testpassword
htpasswd_file=$repo_root/notation-oci/tests/support/fixtures/htpasswd

for tool in "$ref_v1" "$ref_main" docker-registry curl jq python3; do
  command -v "$tool" >/dev/null || { echo "gen.sh: $tool is required" >&2; exit 1; }
done
"$ref_v1" version | grep -q 'Version:[[:space:]]*v1.3.2' || { echo "gen.sh: $ref_v1 is not notation v1.3.2" >&2; exit 1; }
"$ref_main" version | grep -q 'Version:[[:space:]]*v2.0.0-alpha.1' || { echo "gen.sh: $ref_main is not notation v2.0.0-alpha.1" >&2; exit 1; }
[ -f "$conformance/09-e2e-oci-layouts/localkeys/e2e.key" ] || { echo "gen.sh: conformance vectors not found at $conformance" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_registry NAME AUTH(none|basic) -> prints localhost:PORT
start_registry() {
  local name=$1 auth=$2 port dir
  port=$(free_port)
  dir=$work/registry-$name
  mkdir -p "$dir/data"
  {
    printf 'version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n'
    printf 'storage:\n  filesystem:\n    rootdirectory: "%s"\n  delete:\n    enabled: true\n' "$dir/data"
    printf 'http:\n  addr: 127.0.0.1:%s\n  secret: notation-rs-golden\n' "$port"
    if [ "$auth" = basic ]; then
      printf 'auth:\n  htpasswd:\n    realm: notation-rs-golden\n    path: "%s"\n' "$htpasswd_file"
    fi
  } > "$dir/config.yml"
  docker-registry serve "$dir/config.yml" > "$dir/log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/" || true)
    if [ "$code" = 200 ] || [ "$code" = 401 ]; then
      echo "localhost:$port"
      return
    fi
    sleep 0.1
  done
  echo "gen.sh: registry $name did not start" >&2
  cat "$dir/log" >&2
  exit 1
}

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# push_blob HOST REPO FILE [CURL_AUTH...]
push_blob() {
  local host=$1 repo=$2 file=$3; shift 3
  local digest location sep
  digest=sha256:$(sha256_of "$file")
  location=$(curl -sf "$@" -X POST -D - -o /dev/null "http://$host/v2/$repo/blobs/uploads/" |
    tr -d '\r' | awk -F': ' 'tolower($1)=="location"{print $2}')
  case "$location" in http*) ;; *) location="http://$host$location" ;; esac
  sep='?'; case "$location" in *\?*) sep='&' ;; esac
  curl -sf "$@" -X PUT -H 'Content-Type: application/octet-stream' --data-binary @"$file" \
    "$location${sep}digest=$digest" -o /dev/null
}

# push_manifest HOST REPO REF MEDIATYPE FILE [CURL_AUTH...]
push_manifest() {
  local host=$1 repo=$2 ref=$3 media_type=$4 file=$5; shift 5
  curl -sf "$@" -X PUT -H "Content-Type: $media_type" --data-binary @"$file" \
    "http://$host/v2/$repo/manifests/$ref" -o /dev/null
}

# The image every signature is about: an empty config and one layer.
make_image() {
  local config_digest layer_digest layer_size
  config_digest=sha256:$(sha256_of "$here/image/config.json")
  layer_digest=sha256:$(sha256_of "$here/image/layer.txt")
  layer_size=$(stat -c %s "$here/image/layer.txt")
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":2},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%s}]}' \
    "$config_digest" "$layer_digest" "$layer_size" > "$here/image/manifest.json"
}

push_image() {
  local host=$1 repo=$2
  push_blob "$host" "$repo" "$here/image/config.json"
  push_blob "$host" "$repo" "$here/image/layer.txt"
  push_manifest "$host" "$repo" v1 application/vnd.oci.image.manifest.v1+json "$here/image/manifest.json"
}

# push_layout HOST REPO LAYOUT_DIR: every blob, the manifests of index.json
# (tagged as in the layout; signatures by digest), and for the signatures'
# subject the referrers tag schema index (distribution has no referrers API).
push_layout() {
  local host=$1 repo=$2 layout=$3 blob entries layout_subject=
  for blob in "$layout"/blobs/sha256/*; do push_blob "$host" "$repo" "$blob"; done
  entries='[]'
  while IFS=$'\t' read -r media_type digest size ref; do
    local file=$layout/blobs/sha256/${digest#sha256:}
    if jq -e '.subject' "$file" >/dev/null; then
      push_manifest "$host" "$repo" "$digest" "$media_type" "$file"
      entries=$(jq -c --argjson e "$entries" --arg mt "$media_type" --arg d "$digest" --argjson s "$size" \
        '$e + [{mediaType: $mt, digest: $d, size: $s} + (if .artifactType then {artifactType: .artifactType} elif .config.mediaType then {artifactType: .config.mediaType} else {} end) + (if .annotations then {annotations: .annotations} else {} end)]' "$file")
      layout_subject=$(jq -r '.subject.digest' "$file")
    else
      push_manifest "$host" "$repo" "${ref:-$digest}" "$media_type" "$file"
    fi
  done < <(jq -r '.manifests[] | [.mediaType, .digest, (.size|tostring), (.annotations["org.opencontainers.image.ref.name"] // "")] | @tsv' "$layout/index.json")
  jq -n -c --argjson m "$entries" '{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: $m}' > "$work/index.json"
  push_manifest "$host" "$repo" "sha256-${layout_subject#sha256:}" application/vnd.oci.image.index.v1+json "$work/index.json"
}

# export_repo HOST REPO: writes state/REPO/manifests.tsv (ref, media type,
# digest, in push order) and state/REPO/blobs.txt; content in state/blobs.
accept='application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json'
fetch_manifest() { # HOST REPO REF -> file path in state/blobs, prints "mediatype digest"
  local host=$1 repo=$2 ref=$3 tmp digest
  tmp=$work/fetched
  curl -sf -H "Accept: $accept" "http://$host/v2/$repo/manifests/$ref" -o "$tmp"
  digest=sha256:$(sha256_of "$tmp")
  cp "$tmp" "$here/state/blobs/${digest#sha256:}"
  printf '%s\t%s\n' "$(jq -r .mediaType "$tmp")" "$digest"
}
export_repo() {
  local host=$1 repo=$2 dir=$here/state/$2 tag line
  mkdir -p "$dir"
  : > "$dir/manifests.tsv"
  : > "$dir/blobs.txt"
  record_blobs() { # manifest file
    jq -r '[.config.digest] + [.layers[]?.digest] | .[] | select(. != null)' "$1" | while read -r b; do
      curl -sf "http://$host/v2/$repo/blobs/$b" -o "$here/state/blobs/${b#sha256:}"
      grep -qx "$b" "$dir/blobs.txt" || echo "$b" >> "$dir/blobs.txt"
    done
  }
  for tag in $(curl -sf "http://$host/v2/$repo/tags/list" | jq -r '.tags[]' | grep -v '^sha256-' | sort); do
    line=$(fetch_manifest "$host" "$repo" "$tag")
    printf '%s\t%s\n' "$tag" "$line" >> "$dir/manifests.tsv"
    record_blobs "$here/state/blobs/$(cut -f2 <<<"$line" | sed 's/^sha256://')"
  done
  for tag in $(curl -sf "http://$host/v2/$repo/tags/list" | jq -r '.tags[]' | grep '^sha256-' | sort); do
    line=$(fetch_manifest "$host" "$repo" "$tag")
    index=$here/state/blobs/$(cut -f2 <<<"$line" | sed 's/^sha256://')
    for d in $(jq -r '.manifests[].digest' "$index"); do
      sig=$(fetch_manifest "$host" "$repo" "$d")
      printf '%s\t%s\n' "$d" "$sig" >> "$dir/manifests.tsv"
      record_blobs "$here/state/blobs/${d#sha256:}"
    done
    printf '%s\t%s\n' "$tag" "$line" >> "$dir/manifests.tsv"
  done
}
import_repo() { # HOST REPO [CURL_AUTH...]
  local host=$1 repo=$2; shift 2
  local b ref media_type digest
  while read -r b; do push_blob "$host" "$repo" "$here/state/blobs/${b#sha256:}" "$@"; done < "$here/state/$repo/blobs.txt"
  while IFS=$'\t' read -r ref media_type digest; do
    push_manifest "$host" "$repo" "$ref" "$media_type" "$here/state/blobs/${digest#sha256:}" "$@"
  done < "$here/state/$repo/manifests.tsv"
}

# The configuration of every run: the conformance e2e key as the default
# signing key, its certificate in the trust store ca:e2e, and
# trustpolicy.json (the file v1.3.2 reads; notation-rs reads it too when
# there is no trustpolicy.oci.json).
config=$work/config
mkdir -p "$config/truststore/x509/ca/e2e" "$config/localkeys" "$work/libexec" "$work/cache" "$work/home"
cp "$conformance/09-e2e-oci-layouts/localkeys/e2e.crt" "$config/truststore/x509/ca/e2e/e2e.crt"
cp "$conformance/09-e2e-oci-layouts/localkeys/e2e.key" "$config/localkeys/e2e.key"
cp "$conformance/09-e2e-oci-layouts/localkeys/e2e.crt" "$config/localkeys/e2e.crt"
printf '{"default":"e2e","keys":[{"name":"e2e","keyPath":"%s","certPath":"%s"}]}' \
  "$config/localkeys/e2e.key" "$config/localkeys/e2e.crt" > "$config/signingkeys.json"
cp "$here/trustpolicy.json" "$config/trustpolicy.json"

make_image
subject=sha256:$(sha256_of "$here/image/manifest.json")
ts_subject=sha256:53b0191218aed9a3c1f7c661736ac40cfc8eb928642348fd843ba3f0483c0c20
badts_subject=sha256:f1da8cd70d6d851fa2313c8d6618f79508cf1e86877edf1c0bfe49a1b0a6467a
e2e_subject=sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9

reg=$(start_registry plain none)
authreg=$(start_registry auth basic)
push_image "$reg" net-monitor
push_image "$reg" unsigned
push_layout "$reg" timestamped "$conformance/09-e2e-oci-layouts/layouts/e2e-with-timestamped-signature"
push_layout "$reg" bad-timestamp "$conformance/09-e2e-oci-layouts/layouts/e2e-with-invalid-timestamped-signature"

rm -rf "$here/out" "$here/state" "$here/completion"
mkdir -p "$here/out" "$here/state/blobs" "$here/completion"

layout=$work/layout
pconfig=$work/policy-config

# run_case NAME PHASE BUILD ARGS...: runs the reference and records its
# output with the placeholders put back.
placeholders() {
  sed -e "s|$reg|{REG}|g" -e "s|$authreg|{AUTHREG}|g" -e "s|$layout|{LAYOUT}|g" \
      -e "s|$pconfig|{CONFIG}|g" -e "s|$here|{GOLDEN}|g"
}
run_case() {
  local name=$1 phase=$2 build=$3; shift 3
  local bin=$ref_v1 cfg=$config code
  [ "$build" = main ] && bin=$ref_main
  [ "$phase" = policy ] && cfg=$pconfig
  local env=(env -i PATH="$PATH" HOME="$work/home" TZ=UTC NOTATION_CONFIG="$cfg"
    NOTATION_LIBEXEC="$work/libexec" NOTATION_CACHE="$work/cache" DOCKER_CONFIG="$work/docker")
  [ "$phase" = layout ] && env+=(NOTATION_EXPERIMENTAL=1)
  set +e
  "${env[@]}" "$bin" "$@" > "$work/stdout" 2> "$work/stderr" < /dev/null
  code=$?
  set -e
  placeholders < "$work/stdout" > "$here/out/$name.stdout"
  placeholders < "$work/stderr" > "$here/out/$name.stderr"
  echo "$code" > "$here/out/$name.code"
}

run_phase() {
  local want=$1 name phase build compare args
  while IFS=$'\t' read -r name phase build compare args; do
    case "$name" in ''|'#'*) continue ;; esac
    [ "$phase" = "$want" ] || continue
    args=${args//\{REG\}/$reg}
    args=${args//\{AUTHREG\}/$authreg}
    args=${args//\{SUBJECT\}/$subject}
    args=${args//\{TS\}/$ts_subject}
    args=${args//\{BADTS\}/$badts_subject}
    args=${args//\{E2E\}/$e2e_subject}
    args=${args//\{LAYOUT\}/$layout}
    args=${args//\{GOLDEN\}/$here}
    args=${args//\{USER\}/$user}
    args=${args//\{PASSWORD\}/$password}
    # shellcheck disable=SC2086 # the arguments hold no spaces
    run_case "$name" "$phase" "$build" $args
    echo "gen.sh: $name -> exit $(cat "$here/out/$name.code")"
  done < "$here/cases.tsv"
}

run_phase sign
for r in net-monitor unsigned timestamped bad-timestamp; do export_repo "$reg" "$r"; done
for r in net-monitor unsigned timestamped bad-timestamp; do import_repo "$authreg" "$r" -u "$user:$password"; done
run_phase read
cp -r "$conformance/09-e2e-oci-layouts/layouts/e2e-valid-signature" "$layout"
run_phase layout
run_phase args
mkdir -p "$pconfig"
run_phase policy

# Completion: the commands and flags the reference completes (cobra's
# hidden __complete), which every completion script of ours must name.
for cmd in "" sign verify list inspect certificate key plugin policy login logout version; do
  # shellcheck disable=SC2086
  env -i PATH="$PATH" HOME="$work/home" NOTATION_CONFIG="$config" "$ref_v1" __complete $cmd "" 2>/dev/null |
    { grep -v '^:' || true; } | cut -f1 > "$here/completion/${cmd:-notation}.commands"
  # shellcheck disable=SC2086
  env -i PATH="$PATH" HOME="$work/home" NOTATION_CONFIG="$config" "$ref_v1" __complete $cmd -- 2>/dev/null |
    { grep -v '^:' || true; } | cut -f1 > "$here/completion/${cmd:-notation}.flags"
done
echo "gen.sh: done; review and commit examples/tests/golden"
