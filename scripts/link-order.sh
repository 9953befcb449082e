#!/usr/bin/env bash
# Writes examples/link/notation.order: the functions of the `notation`
# program that its verification and signing commands run, as callgrind lists
# them, for the linker to place side by side in a release build (see
# examples/build.rs). Function names depend on the toolchain and on the
# versions in Cargo.lock, so the list records both, and a test fails when
# either has changed since: then run this script and commit the result.
#
# The list comes from callgrind (valgrind): the release build, with its
# symbols, verifies each signature in testdata/bench (`blob verify`, JWS and
# COSE, RSA, EC and P-521 chains), verifies and signs the quickstart's image
# in an OCI layout, and prints its version. Only the names of
# functions in the program are kept, not of the C library's.
#
# Usage: scripts/link-order.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind is needed" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 is needed" >&2; exit 1; }

# The release build itself, linked once more with its symbol names kept
# (the names must be those of the release build's own objects: a build with
# other profile settings names its functions differently), then again as it
# ships, with the new order.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cargo build --release -q -p notation-examples --bin notation --bin quickstart
touch examples/src/main.rs
cargo rustc --release -q -p notation-examples --bin notation -- -C strip=none
cp target/release/notation "$scratch/notation"
program=$scratch/notation
[ -n "$(nm --defined-only "$program" 2>/dev/null | head -1)" ] \
  || { echo "the program was linked without its symbols" >&2; exit 1; }

export NOTATION_CACHE=$scratch/cache NOTATION_LIBEXEC=$scratch/libexec
run() { # name command...
  valgrind --tool=callgrind --demangle=no --callgrind-out-file="$scratch/$1.out" \
    "$program" "${@:2}" >/dev/null 2>"$scratch/$1.err" \
    || { cat "$scratch/$1.err" >&2; exit 1; }
}
run 00-version version
for sig in testdata/bench/*/blob.bin.*.sig; do
  fixture=$(basename "$(dirname "$sig")")
  NOTATION_CONFIG=$PWD/testdata/bench/$fixture/config \
    run "10-$fixture-$(basename "$sig")" blob verify --signature "$sig" testdata/bench/blob.bin
done
# An image in an OCI layout, signed and verified: the quickstart's, kept.
kept=$(target/release/quickstart --keep | sed -n 's/^Kept \([^;]*\);.*/\1/p')
[ -d "$kept/work/layout" ] || { echo "the quickstart kept no OCI layout" >&2; exit 1; }
trap 'rm -rf "$scratch" "$kept"' EXIT
NOTATION_CONFIG=$kept/config run 20-verify-oci-layout \
  verify --oci-layout --scope local/quickstart "$kept/work/layout:v1"
NOTATION_CONFIG=$kept/config run 30-sign-oci-layout sign --oci-layout "$kept/work/layout:v1"

mkdir -p examples/link
lock=$(sha256sum Cargo.lock | cut -d' ' -f1)
rustc=$(rustc -V)
python3 - "$program" "$scratch" examples/link/notation.order "$lock" "$rustc" <<'EOF'
import glob, os, re, subprocess, sys
program, scratch, out, lock, rustc = sys.argv[1:]
program = os.path.realpath(program)
defined = {
    fields[-1]
    for fields in (l.split() for l in subprocess.run(
        ["nm", "--defined-only", program], capture_output=True, text=True, check=True
    ).stdout.splitlines())
    if len(fields) == 3 and fields[1] in "tTwW"
}
order, seen = [], set()
for path in sorted(glob.glob(os.path.join(scratch, "*.out"))):
    objects, functions, current = {}, {}, None
    for line in open(path):
        line = line.rstrip("\n")
        m = re.match(r"^(c?ob)=\((\d+)\)(?: (.*))?$", line)
        if m:
            if m.group(3):
                objects[m.group(2)] = m.group(3)
            if m.group(1) == "ob":
                current = objects.get(m.group(2))
            continue
        # A name is given once, where its number is first used: on a
        # function's own line (fn=) or on a call to it (cfn=).
        m = re.match(r"^(c?fn)=\((\d+)\)(?: (.*))?$", line)
        if m:
            if m.group(3):
                functions[m.group(2)] = m.group(3)
            name = functions.get(m.group(2))
            if m.group(1) != "fn":
                continue
            if current and os.path.realpath(current) == program and name in defined and name not in seen:
                seen.add(name)
                order.append(name)
if len(order) < 500:
    sys.exit(f"only {len(order)} functions of {program} found in callgrind's output")
with open(out, "w") as f:
    f.write("# Written by scripts/link-order.sh: the functions `notation` runs to verify\n")
    f.write("# and sign, as callgrind lists them, for the linker (see examples/build.rs).\n")
    f.write(f"# Cargo.lock: {lock}\n")
    f.write(f"# rustc: {rustc}\n")
    f.write("".join(name + "\n" for name in order))
print(f"{out}: {len(order)} functions")
EOF

touch examples/src/main.rs
cargo build --release -q -p notation-examples --bin notation
