#!/usr/bin/env python3
"""Prints the JWS envelope decoding vectors (name TAB hex), one per line.

Each vector is a JWS envelope (not signed: decoding comes before any
signature check) that differs from a plain one in one way Go's
encoding/json has a rule for, as notation-core-go's ParseEnvelope decodes
the envelope into its jwsEnvelope struct. decoding.tsv holds these vectors
with the verdict and error text of that decoding on each, which
notation-core's envelope tests compare ours with.
"""
import json

CERT = '"AQID"'
HEADER = '{"x5c":[%s],"io.cncf.notary.signingAgent":"agent","io.cncf.notary.timestampSignature":"AQID"}' % CERT


def env(payload='"cGF5"', protected='"cHJv"', header=HEADER, signature='"c2ln"', extra=''):
    members = []
    for name, value in [('payload', payload), ('protected', protected), ('header', header), ('signature', signature)]:
        if value is not None:
            members.append('"%s":%s' % (name, value))
    return '{' + ','.join(members) + extra + '}'


def hdr(x5c='[%s]' % CERT, ts='"AQID"', agent='"agent"', extra=''):
    members = []
    for name, value in [('x5c', x5c), ('io.cncf.notary.timestampSignature', ts), ('io.cncf.notary.signingAgent', agent)]:
        if value is not None:
            members.append('"%s":%s' % (name, value))
    return '{' + ','.join(members) + extra + '}'


PLAIN = env()
V = {}
V['plain'] = PLAIN
V['plain with whitespace'] = ' \t\r\n' + json.dumps(json.loads(PLAIN), indent=2) + '\n'
V['no members'] = '{}'
V['no header'] = env(header=None)
V['unknown members of any kind'] = env(extra=',"x":[1,{"y":null}],"n":1e999,"t":true')
V['unknown header members'] = env(header=hdr(extra=',"io.cncf.notary.other":"mock","z":-0.5e-3'))
V['signing agent folded'] = env(header='{"x5c":[%s],"io.cncf.notary.SigningAgent":"mock"}' % CERT)
V['names folded'] = '{"PAYLOAD":"cGF5","Protected":"cHJv","HEADER":{"X5C":[%s]},"signaturE":"c2ln"}' % CERT
V['names folded with long s and kelvin'] = env(header='{"x5c":[%s],"io.cncf.notary.\\u017figningAgent":"a"}' % CERT)
V['strings with escapes'] = env(payload='"c\\u0047F5"', header=hdr(x5c='["AQ\\u0049D"]'))
V['strings not utf-8'] = env(header=hdr(agent='"\xff\xfe"'))
V['lone surrogate'] = env(header=hdr(agent='"\\ud800"'))
# Null leaves a member as it is.
V['top-level null'] = 'null'
V['null members'] = env(payload='null', protected='null', header='null', signature='null')
V['null header members'] = env(header=hdr(x5c='null', ts='null', agent='null'))
V['null certificate'] = env(header=hdr(x5c='[null]'))
V['empty x5c'] = env(header=hdr(x5c='[]'))
V['empty timestamp signature'] = env(header=hdr(ts='""'))
# Syntax, checked over the whole input before decoding.
V['empty'] = ''
V['whitespace'] = ' \n'
V['cut in a string'] = PLAIN[:20]
V['cut after a member'] = PLAIN[:PLAIN.index(',')]
V['cut after a comma'] = PLAIN[:PLAIN.index(',') + 1]
V['trailing garbage'] = PLAIN + ' x'
V['two objects'] = PLAIN + PLAIN
V['comma before brace'] = env(extra=',')
V['missing colon'] = '{"payload" "a"}'
V['missing comma'] = '{"payload":"a" "protected":"b"}'
V['control character in string'] = env(header=hdr(agent='"a\x01b"'))
V['bad escape'] = env(header=hdr(agent='"a\\qb"'))
V['bad unicode escape'] = env(header=hdr(agent='"\\u12g4"'))
V['single quotes'] = "{'payload':'a'}"
V['leading zero'] = env(extra=',"n":01')
V['bare minus'] = env(extra=',"n":-')
V['cut literal'] = env(extra=',"n":tru')
V['literal misspelt'] = env(extra=',"n":nul1')
V['byte not utf-8 outside strings'] = PLAIN + '\xc3'
V['syntax error after type error'] = env(payload='1') + ']'
V['deep nesting Go takes'] = env(extra=',"x":' + '[' * 64 + ']' * 64)
V['deep nesting Go refuses'] = env(extra=',"x":' + '[' * 10001 + ']' * 10001)
# Not an object.
for name, doc in [('array', '[]'), ('string', '"x"'), ('number', '1'), ('bool', 'true')]:
    V['top-level ' + name] = doc
# Members of the wrong type.
for kind, value in [('number', '1'), ('bool', 'false'), ('array', '["a"]'), ('object', '{}')]:
    V['payload ' + kind] = env(payload=value)
    V['signature ' + kind] = env(signature=value)
    V['signing agent ' + kind] = env(header=hdr(agent=value))
V['protected number'] = env(protected='1.5')
for kind, value in [('string', '"x"'), ('number', '0'), ('array', '[]'), ('bool', 'true')]:
    V['header ' + kind] = env(header=value)
for kind, value in [('string', '"AQID"'), ('number', '1'), ('object', '{}')]:
    V['x5c ' + kind] = env(header=hdr(x5c=value))
for kind, value in [('number', '1'), ('object', '{}'), ('bool', 'false')]:
    V['timestamp signature ' + kind] = env(header=hdr(ts=value))
for kind, value in [('number', '1'), ('bool', 'true'), ('object', '{}')]:
    V['certificate ' + kind] = env(header=hdr(x5c='[%s]' % value))
# Numbers past float64's range, where Go reads a struct, a slice or bytes.
V['header huge number'] = env(header='1e999')
V['x5c huge number'] = env(header=hdr(x5c='-1e999'))
V['certificate huge number'] = env(header=hdr(x5c='[1e999]'))
V['timestamp signature huge number'] = env(header=hdr(ts='1e999'))
V['huge number after a type error'] = env(payload='true', header='1e999')
V['huge number before a syntax error'] = env(header='1e999') + 'x'
# []byte as an array of byte values: Go takes numbers 0-255 as written.
V['certificate as byte array'] = env(header=hdr(x5c='[[1,2,255]]'))
V['timestamp signature as byte array'] = env(header=hdr(ts='[1,null,3]'))
for name, value in [('256', '256'), ('-1', '-1'), ('-0', '-0'), ('1.0', '1.0'), ('1e2', '1e2'),
                    ('1e999', '1e999'), ('string', '"a"'), ('bool', 'true'), ('array', '[]'),
                    ('object', '{}')]:
    V['certificate byte ' + name] = env(header=hdr(x5c='[[1,%s]]' % value))
# Base64, as Go's StdEncoding reads it.
for name, value in [('one digit', 'A'), ('two digits', 'AA'), ('three digits', 'AAA'),
                    ('five digits', 'AAAAA'), ('padding first', '=AAA'), ('three pads', 'A==='),
                    ('data after padding', 'AA==AA=='), ('url alphabet', 'AA-_'), ('space', 'AA AA'),
                    ('one pad cut', 'AA='), ('pad then digit', 'AA=A')]:
    V['certificate base64 ' + name] = env(header=hdr(x5c='["%s"]' % value))
V['timestamp signature base64 bad'] = env(header=hdr(ts='"AQI"'))
V['second certificate base64 bad'] = env(header=hdr(x5c='[%s,"A"]' % CERT))
# Go accepts these; we refuse them (no two encodings of one envelope).
V['certificate base64 line breaks'] = env(header=hdr(x5c='["AQ\\nID"]'))
V['certificate base64 trailing bits'] = env(header=hdr(x5c='["AQJ="]'))
V['payload twice'] = env(extra=',"payload":"eA"')
V['payload twice folded'] = env(extra=',"PAYLOAD":"eA"')
V['x5c twice'] = env(header=hdr(extra=',"x5c":[]'))
# The first of Go's errors wins, in document order, and over ours.
V['type error then base64 error'] = env(payload='1', header=hdr(x5c='["A"]'))
V['base64 error then type error'] = '{"header":{"x5c":["A"]},"payload":1}'
V['duplicate then type error'] = env(extra=',"payload":"a","signature":1')
V['header error then signature error'] = env(header='"x"', signature='1')

for name, doc in V.items():
    print('%s\t%s' % (name, doc.encode('latin-1').hex()))
