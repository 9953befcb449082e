#!/usr/bin/env python3
"""Prints the compact JWS vectors (name TAB key TAB protected TAB payload
TAB signature), one per line.

Each vector is the three parts of a JWS envelope signed by the test PKI's
`key` (testdata/pki), differing from a good one in one way golang-jwt v4's
Parser.Parse (which notation-core-go v1.3.0's verifyJWT calls) has a rule
for. A signature of `SIGN` stands for the key's signature over
`protected.payload`, made when the test runs. jwt.tsv holds these vectors
with the verdict and error text of that check on each.
"""
import base64
import json


def b64(s):
    if isinstance(s, str):
        s = s.encode('latin-1')
    return base64.urlsafe_b64encode(s).rstrip(b'=').decode()


def header(alg='ES256', **extra):
    h = {"cty": "application/vnd.cncf.notary.payload.v1+json",
         "crit": ["io.cncf.notary.signingScheme"],
         "io.cncf.notary.signingScheme": "notary.x509",
         "io.cncf.notary.signingTime": "2024-01-01T00:00:00Z"}
    if alg is not None:
        h["alg"] = alg
    h.update(extra)
    return json.dumps(h)


PAYLOAD = json.dumps({"targetArtifact": {
    "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "digest": "sha256:" + "0" * 64, "size": 1}})
H, P = b64(header()), b64(PAYLOAD)
V = []


def v(name, protected=H, payload=P, signature='SIGN', key='ec-256'):
    V.append((name, key, protected, payload, signature))


v('good')
v('good rsa', protected=b64(header('PS256')), key='rsa-2048')
# Segments.
v('dot in protected', protected=H[:10] + '.' + H[10:])
v('dot in payload', payload=P[:10] + '.' + P[10:])
v('dot in signature', signature='a.b')
# Base64.
v('protected not base64', protected='!' + H)
v('protected padded', protected=b64(header()) + '=')
v('protected bearer', protected='Bearer ' + H)
v('protected one digit over', protected=H + 'A' * ((1 - len(H)) % 4 or 4))
v('payload not base64', payload=P + '*')
v('signature not base64', signature='AA*A')
# The header.
v('header empty', protected='')
v('header cut', protected=b64(header()[:-1]))
v('header trailing garbage', protected=b64(header() + ' x'))
v('header not utf-8', protected=b64('\xff'))
v('header array', protected=b64('[]'))
v('header string', protected=b64('"ES256"'))
v('header number', protected=b64('1'))
v('header null', protected=b64('null'))
v('header number past float64', protected=b64(header()[:-1] + ', "x": [1, -1.8e308]}'))
v('header lone surrogate', protected=b64(header().replace('"notary.x509"', '"notary.x509", "x": "\\ud800"')))
v('header alg twice, last wins', protected=b64(header('PS256')[:-1] + ', "alg": "ES256"}'))
v('header alg folded', protected=b64(header(None, ALG='ES256')))
# The claims: Go's streaming decoder reads the first value.
for name, payload in [('empty', ''), ('whitespace', ' '), ('cut', PAYLOAD[:-1]), ('array', '[]'),
                      ('string', '"x"'), ('number', '1'), ('null', 'null'), ('syntax', '{]'),
                      ('trailing garbage', PAYLOAD + ' x'), ('two objects', PAYLOAD + '{'),
                      ('cut literal', 'tru')]:
    v('payload ' + name, payload=b64(payload))
# The algorithm.
for name, alg in [('missing', None), ('number', 1), ('unknown', 'foo'), ('empty', ''),
                  ('HS256', 'HS256'), ('RS256', 'RS256'), ('none', 'none'), ('EdDSA', 'EdDSA'),
                  ('lowercase', 'es256')]:
    v('alg ' + name, protected=b64(header(alg)))
v('alg invalid before payload error', protected=b64(header('HS256')), payload=b64('[]'))
# The signature and the key.
v('ecdsa method, rsa key', protected=b64(header('ES256')), key='rsa-2048')
v('rsa method, ecdsa key', protected=b64(header('PS256')))
v('signature empty', signature='')
v('signature short', signature='AAAA')
v('signature of zeros', signature=b64(b'\0' * 64))
v('another curve', protected=b64(header('ES384')))
v('another hash', protected=b64(header('PS384')), key='rsa-2048')
v('rsa signature of zeros', protected=b64(header('PS256')), signature=b64(b'\0' * 256), key='rsa-2048')

for row in V:
    print('\t'.join(row))
