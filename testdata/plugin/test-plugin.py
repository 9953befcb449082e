#!/usr/bin/env python3
"""A Notation plugin (contract 1.0) for the notation-rs tests.

Tests install a copy as {plugins}/{name}/notation-{name} and put a
behavior.json next to it. For the command given as the first argument, the
behavior's entry of that name says what to do; the actions run in this
order, each only when its key is present:

  "pid_file":     path: write this process's id there
  "sleep":        seconds to sleep (or to hang, before any output)
  "stdout_bytes": write this many bytes of "a" to stdout
  "stderr_bytes": write this many bytes of "e" to stderr
  "stdout_raw":   text written to stdout as is
  "response":     a JSON value written to stdout
  "sign":         answer generate-signature by signing with openssl:
                  {"key": PEM key path, "chain": PEM chain path,
                   optional "key_id", "signing_algorithm",
                   "tamper_signature": true, "certificate_chain": [base64 ...],
                   "signature": base64 text answered instead of the signature}
  "envelope":     answer generate-envelope with an envelope file:
                  {"file": path, optional "text" (instead of file),
                   "type" (default: the requested type), "annotations"}
  "build_jws":    answer generate-envelope by building a JWS envelope over
                  the requested payload, signed with openssl, as a KMS
                  plugin does: {"key": PEM key path, "chain": PEM chain
                  path, "key_spec": "RSA-2048" ..., optional "headers"
                  (extra protected headers), "critical" (their names to
                  mark critical), "annotations"}. Only JWS requests.
  "stderr":       text, or a JSON value, written to stderr
  "exit":         the exit code (default 0)

A command without an entry fails with exit code 1 and an ERROR response.
Every call is appended to calls.jsonl next to the executable as
{"command", "request", "argv"} so tests can check what notation-rs sent.
Requires only Python 3 and, for "sign", the openssl command.
"""

import base64
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

HASHES = {"SHA-256": "-sha256", "SHA-384": "-sha384", "SHA-512": "-sha512"}
EC_SIZES = {"EC-256": 32, "EC-384": 48, "EC-521": 66}
ALGORITHMS = {
    "RSA-2048": "RSASSA-PSS-SHA-256",
    "RSA-3072": "RSASSA-PSS-SHA-384",
    "RSA-4096": "RSASSA-PSS-SHA-512",
    "EC-256": "ECDSA-SHA-256",
    "EC-384": "ECDSA-SHA-384",
    "EC-521": "ECDSA-SHA-512",
}


def pem_chain(path):
    """The DER certificates of a PEM file, base64 encoded."""
    out, inside, lines = [], False, []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("-----BEGIN CERTIFICATE"):
                inside, lines = True, []
            elif line.startswith("-----END CERTIFICATE"):
                inside = False
                out.append("".join(lines))
            elif inside:
                lines.append(line)
    return out


def der_ecdsa_to_fixed(der, size):
    """ECDSA-Sig-Value (DER) to the fixed-width r||s of JWS and COSE."""

    def read_len(b, i):
        n = b[i]
        i += 1
        if n < 0x80:
            return n, i
        k = n & 0x7F
        return int.from_bytes(b[i : i + k], "big"), i + k

    assert der[0] == 0x30
    _, i = read_len(der, 1)
    parts = []
    for _ in range(2):
        assert der[i] == 0x02
        n, i = read_len(der, i + 1)
        parts.append(int.from_bytes(der[i : i + n], "big"))
        i += n
    return b"".join(p.to_bytes(size, "big") for p in parts)


def openssl_sign(data, key_spec, hash_algorithm, key):
    """RSASSA-PSS (salt = hash length) or ECDSA (fixed-width r||s)."""
    cmd = ["openssl", "dgst", HASHES[hash_algorithm], "-sign", key]
    if key_spec.startswith("RSA"):
        cmd += ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"]
    signature = subprocess.run(cmd, input=data, capture_output=True, check=True).stdout
    if key_spec in EC_SIZES:
        signature = der_ecdsa_to_fixed(signature, EC_SIZES[key_spec])
    return signature


def sign(request, config):
    payload = base64.b64decode(request["payload"])
    key_spec = request["keySpec"]
    signature = openssl_sign(payload, key_spec, request["hashAlgorithm"], config["key"])
    if config.get("tamper_signature"):
        signature = bytes([signature[0] ^ 0xFF]) + signature[1:]
    chain = config.get("certificate_chain")
    if chain is None:
        chain = pem_chain(config["chain"])
    return {
        "keyId": config.get("key_id", request["keyId"]),
        "signature": config.get("signature", base64.b64encode(signature).decode()),
        "signingAlgorithm": config.get("signing_algorithm", ALGORITHMS[key_spec]),
        "certificateChain": chain,
    }


def envelope(request, config):
    if "text" in config:
        data = config["text"].encode()
    else:
        with open(config["file"], "rb") as f:
            data = f.read()
    response = {
        "signatureEnvelope": base64.b64encode(data).decode(),
        "signatureEnvelopeType": config.get("type", request["signatureEnvelopeType"]),
    }
    if "annotations" in config:
        response["annotations"] = config["annotations"]
    return response


JWS_ALGORITHMS = {
    "RSA-2048": ("PS256", "SHA-256"),
    "RSA-3072": ("PS384", "SHA-384"),
    "RSA-4096": ("PS512", "SHA-512"),
    "EC-256": ("ES256", "SHA-256"),
    "EC-384": ("ES384", "SHA-384"),
    "EC-521": ("ES512", "SHA-512"),
}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def rfc3339(seconds):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def build_jws(request, config):
    """A flattened JWS (notary.x509) over the request's payload."""
    if request["signatureEnvelopeType"] != "application/jose+json":
        sys.stderr.write(json.dumps({"errorCode": "VALIDATION_ERROR", "errorMessage": "only JWS envelopes"}))
        sys.exit(1)
    key_spec = config["key_spec"]
    alg, hash_algorithm = JWS_ALGORITHMS[key_spec]
    now = int(time.time())
    protected = {
        "alg": alg,
        "cty": request["payloadType"],
        "io.cncf.notary.signingScheme": "notary.x509",
        "io.cncf.notary.signingTime": rfc3339(now),
    }
    critical = ["io.cncf.notary.signingScheme"]
    expiry = request.get("expiryDurationInSeconds") or 0
    if expiry:
        protected["io.cncf.notary.expiry"] = rfc3339(now + expiry)
        critical.append("io.cncf.notary.expiry")
    protected.update(config.get("headers", {}))
    critical += config.get("critical", [])
    protected["crit"] = critical
    encoded_protected = b64url(json.dumps(protected).encode())
    encoded_payload = b64url(base64.b64decode(request["payload"]))
    signing_input = (encoded_protected + "." + encoded_payload).encode()
    signature = openssl_sign(signing_input, key_spec, hash_algorithm, config["key"])
    envelope = {
        "payload": encoded_payload,
        "protected": encoded_protected,
        "header": {
            "x5c": pem_chain(config["chain"]),
            "io.cncf.notary.signingAgent": "test-plugin/1.0",
        },
        "signature": b64url(signature),
    }
    response = {
        "signatureEnvelope": base64.b64encode(json.dumps(envelope).encode()).decode(),
        "signatureEnvelopeType": request["signatureEnvelopeType"],
    }
    if "annotations" in config:
        response["annotations"] = config["annotations"]
    return response


def main():
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    raw = sys.stdin.buffer.read()
    try:
        request = json.loads(raw) if raw else None
    except ValueError:
        request = None
    with open(os.path.join(HERE, "calls.jsonl"), "a") as f:
        f.write(json.dumps({"command": command, "request": request, "argv": sys.argv[1:]}) + "\n")
    with open(os.path.join(HERE, "behavior.json")) as f:
        behavior = json.load(f)
    action = behavior.get(command)
    if action is None:
        sys.stderr.write(json.dumps({"errorCode": "ERROR", "errorMessage": "unsupported command " + command}))
        sys.exit(1)
    if "pid_file" in action:
        with open(action["pid_file"], "w") as f:
            f.write(str(os.getpid()))
    if "sleep" in action:
        time.sleep(action["sleep"])
    out = sys.stdout.buffer
    if "stdout_bytes" in action:
        out.write(b"a" * action["stdout_bytes"])
    if "stderr_bytes" in action:
        sys.stderr.buffer.write(b"e" * action["stderr_bytes"])
    if "stdout_raw" in action:
        out.write(action["stdout_raw"].encode())
    if "response" in action:
        out.write(json.dumps(action["response"]).encode())
    if "sign" in action:
        out.write(json.dumps(sign(request, action["sign"])).encode())
    if "envelope" in action:
        out.write(json.dumps(envelope(request, action["envelope"])).encode())
    if "build_jws" in action:
        out.write(json.dumps(build_jws(request, action["build_jws"])).encode())
    out.flush()
    if "stderr" in action:
        value = action["stderr"]
        sys.stderr.write(value if isinstance(value, str) else json.dumps(value))
        sys.stderr.flush()
    sys.exit(action.get("exit", 0))


if __name__ == "__main__":
    main()
