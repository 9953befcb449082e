#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target from real data: the shared
conformance vectors, the committed test PKIs (testdata/), the fixtures the
tests use, COSE envelopes made by make-cose-seeds.sh (fuzz/seeds/cose), and
OCSP responses and CRLs that openssl makes here from testdata/revocation.

    seeds.py CONFORMANCE_DIR CORPUS_DIR

Targets whose first input byte selects an operation get one seed per
(selector, file). Multi-file targets (registry_client, oci_layout) take
entries in the format of fuzz/src/entries.rs.
"""
import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

CONF = Path(sys.argv[1]).resolve()
OUT = Path(sys.argv[2]).resolve()
REPO = Path(__file__).resolve().parent.parent.parent
TESTDATA = REPO / "testdata"
SEEDS = Path(__file__).resolve().parent

INDEX = "application/vnd.oci.image.index.v1+json"
MANIFEST = "application/vnd.oci.image.manifest.v1+json"
NOTARY = "application/vnd.cncf.notary.signature"
EMPTY = "application/vnd.oci.empty.v1+json"
SEP = b"\n--8<--\n"

counts = {}


def seed(target, data, selector=None):
    if selector is not None:
        data = bytes([selector]) + data
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha256(data).hexdigest()[:16]).write_bytes(data)
    counts[target] = counts.get(target, 0) + 1


def files(*patterns, base=CONF):
    out = []
    for p in patterns:
        out += sorted(x for x in base.glob(p) if x.is_file())
    if not out:
        sys.exit(f"no seed files for {patterns}")
    return out


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


# ------------------------------------------------------------ envelopes

JWS = files(
    "01-*/*.json",
    "02-*/*.jws.sig",
    "03-*/sigEnv/jws*.sig",
    "03-*/sigEnv/withoutTimestamp.sig",
    "03-*/sigEnv/timestampBeforeNotBefore.sig",
    "10-blob/*/*.jws.sig",
)
COSE = files(
    "02-*/*.cose.sig",
    "03-*/sigEnv/cose*.sig",
    "03-*/sigEnv/timestampAfterNotAfter.sig",
    "10-blob/*/*.cose.sig",
) + files("cose/*.cose.sig", base=SEEDS)
# 09: the envelopes stored in the e2e layouts (JWS).
for p in files("09-*/layouts/*/blobs/sha256/*"):
    head = p.read_bytes()[:1]
    if head == b"{" and b'"payload"' in p.read_bytes() and b'"protected"' in p.read_bytes():
        JWS.append(p)
for p in JWS:
    seed("jws_envelope", p.read_bytes())
for p in COSE:
    seed("cose_envelope", p.read_bytes())
cose_hex = json.loads((CONF / "11-envelope-encoding/cose-conformance.json").read_text())
for v in cose_hex.values() if isinstance(cose_hex, dict) else []:
    if isinstance(v, str) and all(c in "0123456789abcdefABCDEF" for c in v) and len(v) > 64:
        seed("cose_envelope", bytes.fromhex(v))
# The decoding vectors: each differs from a plain envelope in one rule of
# the reference's decoding.
for target, directory in (("jws_envelope", "jws"), ("cose_envelope", "cose")):
    for line in (TESTDATA / directory / "decoding.tsv").read_text().splitlines():
        if line and not line.startswith("#"):
            seed(target, bytes.fromhex(line.split("\t")[1]))

# ------------------------------------------------------------ certificates, policies, tokens

for p in files("pki/*.pem", "pki/*.crt", base=TESTDATA) + files("07-certificates/*/*"):
    seed("certificate_chain", p.read_bytes())
for p in files("06-trust-policies/*/*.json"):
    seed("trust_policy", p.read_bytes())
# Key files: each with the selector of its certificate (0 P-256, 1 P-384,
# 2 P-521, 3 RSA-2048); the others as RSA-2048's.
KEY_SELECTOR = {"ec-256": 0, "ec-384": 1, "ec-521": 2, "rsa-2048": 3}
for p in files("pki/*.key", "pki/*.encrypted*", "pki/*.sec1.*", "pki/*.pkcs1.pem", "pki/*.pkcs8.der", base=TESTDATA):
    seed("private_key", p.read_bytes(), KEY_SELECTOR.get(p.name.split(".")[0], 3))
for p in files("04-timestamp-tokens/*/*.p7s", "04-timestamp-tokens/*/*.tsr", "04-timestamp-tokens/*/*.tsq"):
    seed("timestamp_token", p.read_bytes())
for p in files("tsa/*.tsr", base=TESTDATA):
    seed("timestamp_token", p.read_bytes())

# ------------------------------------------------------------ ffi

for p in files("06-trust-policies/derived-oci/*.json"):
    seed("ffi", p.read_bytes(), 0)
for p in files("06-trust-policies/derived-blob/*.json"):
    seed("ffi", p.read_bytes(), 1)
for p in JWS:
    seed("ffi", p.read_bytes(), 2)
    seed("ffi", p.read_bytes(), 4)
for p in COSE:
    seed("ffi", p.read_bytes(), 3)
    seed("ffi", p.read_bytes(), 5)
for p in files("pki/root.crt", "pki/intermediate.crt", base=TESTDATA):
    seed("ffi", p.read_bytes(), 6)
seed("ffi", b"/tmp/plugins\0com.example.kms\0key-1\0region\0eu\0region", 8)
seed("ffi", b"\0..\0\0\xff\xfe\0a/b", 8)

# ------------------------------------------------------------ plugins

PROTOCOL = CONF / "12-plugin/protocol"
for sel, pattern in [
    (0, "get-plugin-metadata.response.*.json"),
    (1, "describe-key.response.json"),
    (2, "generate-signature.response.json"),
    (3, "generate-envelope.response*.json"),
    (4, "verify-signature.response.*.json"),
    (5, "error.response.json"),
]:
    for p in files(pattern, base=PROTOCOL):
        seed("plugin_responses", p.read_bytes(), sel)
# Error responses with every error code of the contract.
for code in ["VALIDATION_ERROR", "UNSUPPORTED_CONTRACT_VERSION", "ACCESS_DENIED", "TIMEOUT", "THROTTLED", "GENERIC"]:
    seed("plugin_responses", json.dumps({"errorCode": code, "errorMessage": "m", "errorMetadata": {"k": "v"}}).encode(), 5)

# ------------------------------------------------------------ OCI documents

LAYOUTS = sorted((CONF / "09-e2e-oci-layouts/layouts").iterdir())
ALPINE = CONF / "02-oci-layout-alpine/oci-layout"


def layout_blobs(layout, limit=64 * 1024):
    return {"sha256:" + p.name: p.read_bytes() for p in sorted((layout / "blobs/sha256").iterdir()) if p.stat().st_size <= limit}


def parse_json(data):
    try:
        return json.loads(data)
    except ValueError:
        return None


for layout in LAYOUTS + [ALPINE]:
    seed("oci_documents", (layout / "index.json").read_bytes(), 1)
    for digest, data in layout_blobs(layout).items():
        doc = parse_json(data)
        if not isinstance(doc, dict):
            continue
        if doc.get("mediaType") == INDEX or "manifests" in doc:
            seed("oci_documents", data, 1)
        elif "layers" in doc or "blobs" in doc or "config" in doc:
            seed("oci_documents", data, 0)
            if doc.get("subject"):
                seed("oci_documents", data, 2)
LINKS = [
    '</v2/repo/referrers/sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0?n=10&last=a>; rel="next"',
    '<https://r.io/p?x=1,2>; rel="prev", <https://r.io/n>; title="a;b,c"; rel=next',
    '<https://r.io/p>; rel="prev"\n<https://r.io/q>; rel="last next"',
    "</only>",
    '</a>; rel="next"; title*=UTF-8\'de\'n%c3%a4chstes',
]
for v in LINKS:
    seed("oci_documents", v.encode(), 3)
CHALLENGES = [
    'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
    'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:user/image:pull repository:user/other:pull,push"',
    'Basic realm="Registry Realm"',
    'Basic realm="x", Bearer realm="https://a/t",service="s",error="invalid_token"',
    'Bearer realm="https://r/t\\"q",scope="a:b:c,d"\nBasic realm=r',
]
for v in CHALLENGES:
    seed("oci_documents", v.encode(), 4)
REFERENCES = [
    "registry.acme-rockets.io/software/net-monitor@sha256:60043cf45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74e",
    "localhost:5000/net-monitor:v1",
    "localhost:5000/test-repo@sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9",
    "[::1]:5000/a/b__c-d.e:tag_1.2-3",
    "docker.io/library/alpine:3.19@sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0",
    "registry.example/repo@sha384:b8ab24dafba5cf7e4c89c562f811cf10493d4203da982d3b1345f366ca863d9c2ed323dbd0fb7ff83a80302ceffa5a61",
]
for v in REFERENCES:
    seed("oci_documents", v.encode(), 5)
for v in ["local/oci-layout@sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0", "layout:v1", "C:\\layouts\\x:v1", "/tmp/a@b:c"]:
    seed("oci_documents", v.encode(), 6)
PAYLOADS = [
    '{"targetArtifact":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0","size":481,"annotations":{"k":"v"}}}',
    '{"TargetArtifact":{"MEDIATYPE":null,"size":-0,"urls":["u",null],"data":"aGk=","platform":{"os.features":["f"]},"artifactType":"a"}}',
    '{"targetArtifact":null}',
    '{"targetArtifact":{"size":1e3,"annotations":{"a":null}}} ',
]
for v in PAYLOADS:
    seed("oci_documents", v.encode(), 7)

# ------------------------------------------------------------ registries and layouts


def entry(name, content):
    return name.encode() + b"\n" + content


def route(name, headers=(), body=b""):
    return entry(name, "".join(f"{k}: {v}\n" for k, v in headers).encode() + b"\n" + body)


def signature_manifests(blobs, subject):
    """The Notary signature manifests of `subject` among `blobs`, as
    referrers descriptors (artifactType and annotations pulled up)."""
    out = []
    for digest, data in blobs.items():
        doc = parse_json(data)
        if not isinstance(doc, dict) or (doc.get("subject") or {}).get("digest") != subject:
            continue
        d = {"mediaType": doc.get("mediaType", MANIFEST), "digest": digest, "size": len(data)}
        d["artifactType"] = doc.get("artifactType") or (doc.get("config") or {}).get("mediaType")
        if doc.get("annotations"):
            d["annotations"] = doc["annotations"]
        out.append(d)
    return out


def alpine_signed():
    """The alpine layout of 02 with its JWS and COSE signatures stored as
    Notary signature manifests (as `notation sign --oci-layout` writes)."""
    blobs = layout_blobs(ALPINE)
    subject = {"mediaType": MANIFEST, "digest": "sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0", "size": 481}
    index = json.loads((ALPINE / "index.json").read_bytes())
    blobs[sha(b"{}")] = b"{}"
    for file, mt in [("jws_signature.jws.sig", "application/jose+json"), ("cose_signature.cose.sig", "application/cose")]:
        env = (CONF / "02-oci-layout-alpine" / file).read_bytes()
        blobs[sha(env)] = env
        m = json.dumps({
            "schemaVersion": 2, "mediaType": MANIFEST, "artifactType": NOTARY,
            "config": {"mediaType": EMPTY, "digest": sha(b"{}"), "size": 2},
            "layers": [{"mediaType": mt, "digest": sha(env), "size": len(env)}],
            "subject": subject,
            "annotations": {"io.cncf.notary.x509chain.thumbprint#S256": '["9f5f5aecee24b5cfdc7a91f6d5ac5c3a5348feb17c934d403f59ac251549ea0d"]', "org.opencontainers.image.created": "2023-03-14T04:45:22Z"},
        }, separators=(",", ":")).encode()
        blobs[sha(m)] = m
        index["manifests"].append({"mediaType": MANIFEST, "digest": sha(m), "size": len(m), "artifactType": NOTARY})
    for a in index["manifests"]:
        if (a.get("annotations") or {}).get("org.opencontainers.image.ref.name") == "v2":
            a["annotations"]["org.opencontainers.image.ref.name"] = "v1"
    return blobs, json.dumps(index).encode(), subject["digest"]


def layouts():
    """(name, blobs, index.json bytes, subject digest) of every seed layout."""
    out = []
    for layout in LAYOUTS:
        index = (layout / "index.json").read_bytes()
        subject = next(d["digest"] for d in json.loads(index)["manifests"] if (d.get("annotations") or {}).get("org.opencontainers.image.ref.name") == "v1")
        out.append((layout.name, layout_blobs(layout), index, subject))
    blobs, index, subject = alpine_signed()
    out.append(("alpine", blobs, index, subject))
    return out


CHALLENGE = [
    ("Status", "401"),
    ("Anonymous", "1"),
    ("WWW-Authenticate", 'Bearer realm="https://auth.fuzz/token",service="registry.fuzz",scope="repository:repo:pull"'),
    ("Content-Type", "application/json"),
]
UNAUTHORIZED = b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":[{"Type":"repository","Name":"repo","Action":"pull"}]}]}'
TOKEN = b'{"token":"fuzz-token","access_token":"fuzz-token","expires_in":300,"issued_at":"2024-01-01T00:00:00Z"}'

for name, blobs, index, subject in layouts():
    content = [entry(subject, blobs[subject])] + [entry(d, b) for d, b in blobs.items() if d != subject]
    sigs = signature_manifests(blobs, subject)
    referrers = json.dumps({"schemaVersion": 2, "mediaType": INDEX, "manifests": sigs}).encode()
    tag_index = next((blobs[d["digest"]] for d in json.loads(index)["manifests"] if (d.get("annotations") or {}).get("org.opencontainers.image.ref.name", "").startswith("sha256-")), None)
    tag = "manifests/sha256-" + subject[7:]
    v1 = route("manifests/v1", [], blobs[subject])
    api = route("referrers/" + subject, [("Content-Type", INDEX)], referrers)
    schema = [v1] + ([route(tag, [("Content-Type", INDEX)], tag_index)] if tag_index else [])
    auth = [route("", CHALLENGE, UNAUTHORIZED), route("//auth.fuzz/token", [("Content-Type", "application/json")], TOKEN)]
    half = len(sigs) // 2
    page1 = json.dumps({"schemaVersion": 2, "mediaType": INDEX, "manifests": sigs[:half]}).encode()
    page2 = json.dumps({"schemaVersion": 2, "mediaType": INDEX, "manifests": sigs[half:]}).encode()
    paged = [
        route("referrers/" + subject, [("Content-Type", INDEX), ("Link", f'</v2/repo/referrers/{subject}?n={half}&last=x>; rel="next"')], page1),
        route(f"referrers/{subject}?n={half}", [("Content-Type", INDEX), ("OCI-Filters-Applied", "artifactType")], page2),
    ]
    for op in [0, 1, 2, 4]:
        seed("registry_client", SEP.join(content + schema), op)
        seed("registry_client", SEP.join(content + [v1, api]), op)
    seed("registry_client", SEP.join(content + [v1] + paged), 0)
    for cred in [0, 1, 2, 3]:
        seed("registry_client", SEP.join(content + [v1, api] + auth), cred << 3)
        seed("registry_client", SEP.join(auth), 3 | cred << 3)
    seed("registry_client", SEP.join(content + [route("", [("Status", "401"), ("Anonymous", "1"), ("WWW-Authenticate", 'Basic realm="registry"')])]), 3 | 1 << 3)
    seed("registry_client", SEP.join(content + schema + [route("PUT manifests/", [("Status", "201"), ("OCI-Subject", subject)])]), 5)
    seed("registry_client", SEP.join(content + schema), 5 | 1 << 5)
    # The layout itself.
    files_ = [entry("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'), entry("index.json", index)]
    files_ += [entry("blobs/sha256/" + d[7:], b) for d, b in blobs.items()]
    for op in range(5):
        seed("oci_layout", SEP.join(files_), op)
    seed("oci_layout", SEP.join(files_ + [entry("ref", subject.encode())]), 0)
# Registry error bodies (distribution spec), for every status the client meets.
for status, code in [(404, "NAME_UNKNOWN"), (404, "MANIFEST_UNKNOWN"), (401, "UNAUTHORIZED"), (403, "DENIED"), (429, "TOOMANYREQUESTS"), (500, "UNKNOWN")]:
    body = json.dumps({"errors": [{"code": code, "message": code.lower(), "detail": {}}]}).encode()
    seed("registry_client", route("", [("Status", str(status)), ("Content-Type", "application/json")], body), 2)
seed("registry_client", route("", [("Status", "502"), ("Content-Type", "text/html")], b"<html><body>Bad Gateway</body></html>"), 4)
seed("registry_client", route("manifests/", [("Status", "307"), ("Location", "https://storage.fuzz/blob?sig=secret")]), 4)

# ------------------------------------------------------------ TSA chains, identities

def run(*args):
    r = subprocess.run(args, capture_output=True)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: {r.stderr.decode(errors='replace')}")
    return r.stdout


def token_certs(p7s):
    try:
        return run("openssl", "pkcs7", "-inform", "DER", "-print_certs", "-in", str(p7s))
    except RuntimeError:
        return b""


def at(year, month=1, day=1):
    import calendar
    return (calendar.timegm((year, month, day, 0, 0, 0)) - 946684800).to_bytes(4, "big")


GLOBALSIGN = (CONF / "04-timestamp-tokens/tspclient-go/GlobalSignRootCA.crt").read_bytes()
chains = []
for p7s in files("04-timestamp-tokens/*/*.p7s"):
    certs = token_certs(p7s)
    if certs.count(b"BEGIN CERTIFICATE") >= 1:
        chains.append((certs + GLOBALSIGN, [at(2021, 9, 17), at(2022), at(2030)]))
tsa = TESTDATA / "tsa"
chains.append(((tsa / "ec-tsa.crt").read_bytes() + (tsa / "ec-intermediate.crt").read_bytes() + (tsa / "ec-root.crt").read_bytes(), [at(2026), at(2050), at(2000)]))
x509 = CONF / "07-certificates/core-go-x509-testdata"
chains.append(((x509 / "timestamp_leaf.crt").read_bytes() + (x509 / "timestamp_intermediate.crt").read_bytes() + (x509 / "timestamp_root.crt").read_bytes(), [at(2024), at(2030)]))
cs = CONF / "07-certificates/codesigning"
for leaf in files("07-certificates/timestamping/*.pem") + [cs / "codeSigningLeaf.pem"]:
    chains.append((leaf.read_bytes() + (cs / "intermediateCert2.pem").read_bytes() + (cs / "intermediateCert1.pem").read_bytes() + (cs / "rootCert.pem").read_bytes(), [at(2024)]))
seen = set()
for pem, times in chains:
    if pem in seen:
        continue
    seen.add(pem)
    for t in times:
        for flags in (0, 1, 2, 5):
            seed("timestamp_chain", bytes([flags]) + t + pem)

identities = set()
for p in files("06-trust-policies/*/*.json"):
    doc = parse_json(p.read_bytes()) or {}
    for st in doc.get("trustPolicies", []) if isinstance(doc, dict) else []:
        for i in st.get("trustedIdentities", []) if isinstance(st, dict) else []:
            if isinstance(i, str):
                identities.add(i)
leaf_certs = files("07-certificates/trusted-identity/*.pem", "09-*/localkeys/*.crt", "02-*/truststore/x509/ca/alpine/*.pem") + files("pki/rsa-2048.crt", "pki/ec-256.crt", "pki/self-signed.crt", base=TESTDATA)
for n, i in enumerate(sorted(identities)):
    for cert in (leaf_certs[n % len(leaf_certs)], leaf_certs[(n + 1) % len(leaf_certs)]):
        seed("trust_identity", i.encode() + b"\n" + cert.read_bytes())
for cert in leaf_certs:
    subject = run("openssl", "x509", "-noout", "-subject", "-nameopt", "RFC2253", "-in", str(cert)).decode().strip()
    seed("trust_identity", ("x509.subject:" + subject.removeprefix("subject=")).encode() + b"\n" + cert.read_bytes())

# ------------------------------------------------------------ revocation (openssl-made responses and CRLs)

REV = TESTDATA / "revocation"


def serial(cert):
    return run("openssl", "x509", "-noout", "-serial", "-in", str(cert)).decode().strip().split("=")[1]


def index_line(cert, revoked=None):
    if revoked is None:
        return f"V\t21260101000000Z\t\t{serial(cert)}\tunknown\t/CN=x\n"
    return f"R\t21260101000000Z\t{revoked}\t{serial(cert)}\tunknown\t/CN=x\n"


def der(path_pem, kind):
    return run("openssl", kind, "-in", str(path_pem), "-outform", "DER")


REVOKED = ["240101000000Z,keyCompromise", "240101000000Z,certificateHold", "240101000000Z,removeFromCRL", "240101000000Z,keyTime,20230101000000Z", "240101000000Z"]

with tempfile.TemporaryDirectory() as tmp:
    tmp = Path(tmp)
    (tmp / "index.txt.attr").write_text("unique_subject = no\n")
    leaves = ["leaf-ocsp", "leaf", "leaf-crl", "leaf-freshest"]
    # OCSP: every status, by the issuer, by a delegated responder, with and
    # without certificates, with a key id, without nextUpdate.
    for leaf in ["leaf-ocsp", "leaf"]:
        cert = REV / f"{leaf}.crt"
        run("openssl", "ocsp", "-no_nonce", "-issuer", str(REV / "intermediate.crt"), "-cert", str(cert), "-reqout", str(tmp / "req.der"))
        for status in [None] + REVOKED + ["unknown"]:
            (tmp / "index.txt").write_text("" if status == "unknown" else index_line(cert, status))
            for signer, extra in [("intermediate", []), ("responder", []), ("responder", ["-resp_no_certs"]), ("intermediate", ["-resp_key_id"]), ("responder-no-eku", []), ("other-responder", [])]:
                for validity in (["-ndays", "36500"], []):
                    run("openssl", "ocsp", "-index", str(tmp / "index.txt"), "-CA", str(REV / "intermediate.crt"), "-rsigner", str(REV / f"{signer}.crt"), "-rkey", str(REV / f"{signer}.key"), "-reqin", str(tmp / "req.der"), "-respout", str(tmp / "resp.der"), *validity, *extra)
                    for bits in (0x00, 0x10, 0x20):
                        seed("revocation", (tmp / "resp.der").read_bytes(), 0 | bits)
                    if status is None and signer == "intermediate" and not extra:
                        good_ocsp = (tmp / "resp.der").read_bytes()
    # CRLs of the intermediate: empty, each revocation of leaf-crl, a delta.
    crls = []
    for status, number, ext in [(None, 1, []), *[(r, 2, []) for r in REVOKED], (None, 4, ["freshestCRL=URI:http://crl.intermediate.test/delta.crl"])]:
        (tmp / "index.txt").write_text("" if status is None else index_line(REV / "leaf-crl.crt", status))
        cnf = f"[ca]\ndefault_ca=d\n[d]\ndatabase={tmp}/index.txt\ndefault_md=sha256\ncrlnumber={tmp}/crlnumber\n"
        (tmp / "crlnumber").write_text(f"{number:02X}\n")
        if ext:
            cnf += "crl_extensions=crl_ext\n[crl_ext]\n" + "\n".join(ext) + "\n"
        (tmp / "ca.cnf").write_text(cnf)
        run("openssl", "ca", "-gencrl", "-batch", "-config", str(tmp / "ca.cnf"), "-cert", str(REV / "intermediate.crt"), "-keyfile", str(REV / "intermediate.key"), "-crldays", "36500", "-out", str(tmp / "crl.pem"))
        crls.append(der(tmp / "crl.pem", "crl"))
for crl in crls:
    for bits in (0x00, 0x10, 0x20):
        seed("revocation", crl, 1 | bits)
    entry_ = json.dumps({"baseCRL": base64.b64encode(crl).decode()}).encode()
    seed("revocation", entry_, 3)
    seed("revocation", len(good_ocsp).to_bytes(2, "big") + good_ocsp + crl, 4)
    seed("revocation", len(good_ocsp).to_bytes(2, "big") + good_ocsp + crl, 4 | 0x10)
base, delta = crls[0], crls[1]
seed("revocation", len(base).to_bytes(2, "big") + base + delta, 2)
seed("revocation", len(base).to_bytes(2, "big") + base + delta, 2 | 0x10)
seed("revocation", json.dumps({"baseCRL": base64.b64encode(base).decode(), "deltaCRL": base64.b64encode(delta).decode()}).encode(), 3)
for crl in files("08-revocation/crl-e2e/*.crl"):
    for bits in (0x08, 0x18, 0x38):
        seed("revocation", crl.read_bytes(), 1 | bits)
    seed("revocation", json.dumps({"baseCRL": base64.b64encode(crl.read_bytes()).decode()}).encode(), 3 | 0x08)
    seed("revocation", (0).to_bytes(2, "big") + crl.read_bytes(), 4 | 0x08)
core_go = files("08-revocation/crl-core-go/*.crl")
for crl in core_go:
    seed("revocation", crl.read_bytes(), 1)
# A real delta CRL (EJBCA) after its base.
seed("revocation", len(core_go[0].read_bytes()).to_bytes(2, "big") + core_go[0].read_bytes() + core_go[1].read_bytes(), 2)
# Distribution point extensions of real certificates (the extension value).
for cert in files("08-revocation/crl-core-go/*.cer") + files("revocation/leaf*.crt", base=TESTDATA):
    text = run("openssl", "asn1parse", "-in", str(cert), "-inform", "PEM" if b"BEGIN" in cert.read_bytes() else "DER")
    for line in text.decode().splitlines():
        if "X509v3 CRL Distribution Points" in line or "X509v3 Freshest CRL" in line:
            nxt = text.decode().splitlines()[text.decode().splitlines().index(line) + 1]
            offset = int(nxt.split(":")[0])
            value = run("openssl", "asn1parse", "-in", str(cert), "-inform", "PEM" if b"BEGIN" in cert.read_bytes() else "DER", "-strparse", str(offset), "-out", "/dev/stdout", "-noout")
            seed("revocation", value, 5)

# ------------------------------------------------------------ credentials

DOCKER_CONFIGS = [
    (CONF / "13-config/e2e/pass_credential_helper_config.json").read_bytes(),
    b'{"auths":{"registry.fuzz":{"auth":"' + base64.b64encode(b"user:pa:ss") + b'"},"https://index.docker.io/v1/":{"auth":"' + base64.b64encode(b"hub:secret") + b'"}}}',
    b'{"auths":{"localhost:5000":{"identitytoken":"refresh"},"[::1]:5000":{"registrytoken":"t","username":"u","password":"p"}}}',
    b'{"credHelpers":{"registry.fuzz":"fuzzok","docker.io":"fuzzfail"},"auths":{"registry.fuzz":{}}}',
    b'{"credsStore":"fuzzok","auths":{"https://registry.fuzz/v2/":{"auth":"' + base64.b64encode(b"a:b") + b'"}},"HttpHeaders":{"User-Agent":"Docker-Client/19.03.12 (linux)"},"psFormat":"table"}',
    b"",
    b"  \n",
]
for c in DOCKER_CONFIGS:
    seed("credentials", c, 0)
HELPER_OUTPUTS = [
    b'{"ServerURL":"registry.fuzz","Username":"user","Secret":"secret"}',
    b'{"ServerURL":"registry.fuzz","Username":"<token>","Secret":"refresh-token"}\n',
    b'{"Username":"","Secret":""}',
    b"credentials not found in native keychain\n",
]
for o in HELPER_OUTPUTS:
    seed("credentials", o, 1)
    seed("credentials", o, 2)
for p in files("13-config/notation-go-config/*/config.json"):
    seed("credentials", p.read_bytes(), 3)
for p in files("13-config/notation-go-config/*/signingkeys.json"):
    seed("credentials", p.read_bytes(), 4)

# ------------------------------------------------------------ plugin packages

import io
import tarfile
import zipfile


def zip_of(entries):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in entries:
            z.writestr(name, content)
    return out.getvalue()


def tar_gz_of(entries):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as t:
        for name, content in entries:
            info = tarfile.TarInfo(name)
            if content is None:
                info.type = tarfile.SYMTYPE
                info.linkname = "/etc/passwd"
                t.addfile(info)
            else:
                info.size = len(content)
                info.mode = 0o755
                t.addfile(info, io.BytesIO(content))
    return out.getvalue()


PLUGIN = b"#!/bin/sh\necho '{}'\n"
for entries in [
    [("notation-fuzz", PLUGIN)],
    [("notation-fuzz", PLUGIN), ("LICENSE", b"text"), ("dir/notation-other", PLUGIN)],
    [("../notation-fuzz", PLUGIN)],
    [("notation-fuzz", b"\0" * 4096)],
]:
    seed("plugin_archive", zip_of(entries), 0)
    seed("plugin_archive", tar_gz_of(entries), 1)
seed("plugin_archive", tar_gz_of([("notation-fuzz", None)]), 1)

for t in sorted(counts):
    print(f"  {t}: {counts[t]} seeds")
