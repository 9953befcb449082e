#!/usr/bin/env python3
"""Prints the COSE_Sign1 decoding vectors (name TAB hex), one per line.

Each vector is a small tagged COSE_Sign1 message (not signed: decoding comes
before any signature check) that differs from a plain one in one way the
reference's CBOR decoding (go-cose v1.3.0 on fxamacker/cbor v2.8.0) has a
rule for. decoding.tsv holds these vectors with the verdict and error text
of go-cose's Sign1Message.UnmarshalCBOR on each, which notation-core's
envelope tests compare ours with.
"""
import struct


def head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    if n < 256:
        return bytes([major << 5 | 24, n])
    if n < 65536:
        return bytes([major << 5 | 25]) + struct.pack('>H', n)
    if n < 2**32:
        return bytes([major << 5 | 26]) + struct.pack('>I', n)
    return bytes([major << 5 | 27]) + struct.pack('>Q', n)


def bstr(b): return head(2, len(b)) + b
def tstr(s): return head(3, len(s.encode())) + s.encode()
def u(n): return head(0, n)
def neg(n): return head(1, -1 - n)
def amap(*kv): return head(5, len(kv) // 2) + b''.join(kv)
def arr(*xs): return head(4, len(xs)) + b''.join(xs)
def tag(t, x): return head(6, t) + x


SIGNING_TIME = tstr("io.cncf.notary.signingTime")
CERT = arr(bstr(b'\x01\x02\x03'))


def protected(*extra):
    return amap(u(1), neg(-37), u(3), tstr("application/x"), SIGNING_TIME,
                tag(1, u(1700000000)), *extra)


UNPROTECTED = amap(u(33), CERT)


def msg(p=None, un=UNPROTECTED, payload=bstr(b'abc'), sig=bstr(b'\x01\x02'), praw=None):
    pb = praw if praw is not None else bstr(p if p is not None else protected())
    return b'\xd2\x84' + pb + un + payload + sig


def unprot(*extra):
    return amap(u(33), CERT, *extra)


COUNTER = arr(bstr(b''), amap(), bstr(b'\x01'))
V = {}
V['plain'] = msg()
# Indefinite lengths.
V['unprotected map indefinite'] = msg(un=b'\xbf' + u(33) + CERT + b'\xff')
V['protected map indefinite'] = msg(p=b'\xbf' + u(1) + neg(-37) + b'\xff')
V['payload indefinite'] = msg(payload=b'\x5f' + bstr(b'abc') + b'\xff')
V['signature indefinite'] = msg(sig=b'\x5f' + bstr(b'\x01\x02') + b'\xff')
V['protected bstr indefinite'] = msg(praw=b'\x5f' + bstr(protected()) + b'\xff')
V['unprotected text indefinite'] = msg(un=unprot(tstr("io.cncf.notary.signingAgent"), b'\x7f' + tstr("a") + b'\xff'))
V['unprotected array indefinite'] = msg(un=amap(u(33), b'\x9f' + bstr(b'\x01') + b'\xff'))
V['protected text indefinite'] = msg(p=protected(tstr("x"), b'\x7f' + tstr("a") + b'\xff'))
# Duplicate keys.
V['unprotected duplicate'] = msg(un=amap(u(33), CERT, u(33), CERT))
V['unprotected duplicate longer head'] = msg(un=amap(u(33), CERT, b'\x19\x00\x21', CERT))
V['protected duplicate longer head'] = msg(p=amap(u(1), neg(-37), b'\x18\x01', neg(-37)))
V['protected duplicate text longer head'] = msg(p=protected(tstr("x"), u(1), b'\x78\x01x', u(2)))
V['unprotected duplicate text'] = msg(un=unprot(tstr("io.cncf.notary.signingAgent"), tstr("a"), b'\x78\x1bio.cncf.notary.signingAgent', tstr("b")))
V['unprotected nested map duplicate'] = msg(un=unprot(tstr("z"), amap(u(1), u(1), u(1), u(2))))
V['unprotected nested map duplicate zero floats'] = msg(un=unprot(tstr("z"), amap(b'\xf9\x00\x00', u(1), b'\xf9\x80\x00', u(2))))
V['unprotected nested map two NaN keys'] = msg(un=unprot(tstr("z"), amap(b'\xf9\x7e\x00', u(1), b'\xf9\x7e\x00', u(2))))
V['unprotected nested map duplicate after a failing pair'] = msg(un=unprot(tstr("z"), amap(neg(-2), u(1), neg(-2), b'\x62\xff\xfe', neg(-2), u(3))))
V['unprotected nested map failing pair, no duplicate'] = msg(un=unprot(tstr("z"), amap(neg(-2), u(1), neg(-2), b'\x62\xff\xfe', u(5), u(3))))
V['protected bad label, then a duplicate'] = msg(p=protected(bstr(b'k'), u(1), u(1), neg(-7)))
V['unprotected nested map array key'] = msg(un=unprot(tstr("z"), amap(arr(u(1)), u(1))))
V['unprotected nested map map key'] = msg(un=unprot(tstr("z"), amap(amap(), u(1))))
V['protected nested map big negative key'] = msg(p=protected(tstr("z"), amap(b'\x3b\xff\xff\xff\xff\xff\xff\xff\xff', u(1))))
V['protected nested map tagged time keys duplicate'] = msg(p=protected(tstr("z"), amap(tag(1, u(5)), u(1), tag(1, u(5)), u(2))))
V['protected nested map 55799 key duplicate'] = msg(p=protected(tstr("z"), amap(tag(55799, u(5)), u(1), u(5), u(2))))
V['protected tag 1 on a negative integer past int64'] = msg(p=protected(tstr("x"), tag(1, b'\x3b\x80\x00\x00\x00\x00\x00\x00\x00')))
V['protected tag 1 on a positive integer past int64'] = msg(p=protected(tstr("x"), tag(1, u(2**63))))
V['protected nested map keys NaN and infinite times'] = msg(p=protected(tstr("z"), amap(tag(1, b'\xf9\x7e\x00'), u(0), tag(1, b'\xf9\x7c\x00'), u(0))))
V['protected nested map keys UTC and local times'] = msg(p=protected(tstr("z"), amap(tag(0, tstr("1970-01-01T00:00:05Z")), u(0), tag(1, u(5)), u(0))))
V['protected nested map keys local times'] = msg(p=protected(tstr("z"), amap(tag(0, tstr("1970-01-01T00:00:05+00:00")), u(0), tag(1, u(5)), u(0))))
V['protected nested map keys fixed-zone times'] = msg(p=protected(tstr("z"), amap(tag(0, tstr("1970-01-01T01:00:05+01:00")), u(0), tag(0, tstr("1970-01-01T01:00:05+01:00")), u(0))))
V['protected nested map keys float times'] = msg(p=protected(tstr("z"), amap(tag(1, b'\xfb\x41\xd9\x53\xfc\x40\x06\x66\x66'), u(0), tag(1, b'\xfb\x41\xd9\x53\xfc\x40\x06\x66\x66'), u(0))))
V['protected nested map keys tag holding a self-described item'] = msg(p=protected(tstr("z"), amap(tag(100, tag(55799, u(5))), u(0), tag(100, u(5)), u(0))))
V['protected label whose value has a bad tag, then the label again'] = msg(p=protected(u(4), tag(2, u(1)), u(4), bstr(b'')))
V['protected label again, its value with a bad tag'] = msg(p=protected(u(4), bstr(b''), u(4), tag(2, u(1))))
V['countersignature null'] = msg(un=unprot(u(11), b'\xf6'))
V['countersignature list with null'] = msg(un=unprot(u(11), arr(b'\xf6', COUNTER)))
# Heads longer than they need be: accepted.
V['protected longer heads'] = msg(p=amap(b'\x18\x01', b'\x39\x00\x24'))
V['unprotected longer heads'] = msg(un=b'\xb8\x01' + b'\x19\x00\x21' + b'\x98\x01' + bstr(b'\x01\x02\x03'))
V['outer longer byte string heads'] = msg(praw=b'\x59' + struct.pack('>H', len(protected())) + protected(), payload=b'\x5a\x00\x00\x00\x03abc', sig=b'\x58\x02\x01\x02')
# Tags.
V['tag on protected bstr'] = msg(praw=tag(24, bstr(protected())))
V['self-described protected bstr'] = msg(praw=tag(55799, bstr(protected())))
V['tag on unprotected map'] = msg(un=tag(55799, UNPROTECTED))
V['tag on payload'] = msg(payload=tag(24, bstr(b'abc')))
V['tag on signature'] = msg(sig=tag(24, bstr(b'\x01\x02')))
V['tag in unprotected certificate'] = msg(un=amap(u(33), arr(tag(24, bstr(b'\x01\x02\x03')))))
V['tag on unprotected signing agent'] = msg(un=unprot(tstr("io.cncf.notary.signingAgent"), tag(32, tstr("http://a"))))
V['tag on unprotected key'] = msg(un=amap(tag(55799, u(33)), CERT))
V['protected other tag'] = msg(p=protected(tstr("x"), tag(100, u(5))))
V['protected tag 1 on text'] = msg(p=protected(tstr("x"), tag(1, tstr("2020"))))
V['protected tag 1 on float'] = msg(p=protected(tstr("x"), tag(1, b'\xfb\x41\xd9\x53\xfc\x40\x00\x00\x00')))
V['protected tag 0 on time'] = msg(p=protected(tstr("x"), tag(0, tstr("2023-11-14T22:13:20Z"))))
V['protected tag 0 on other text'] = msg(p=protected(tstr("x"), tag(0, tstr("notatime"))))
V['protected tag 0 on integer'] = msg(p=protected(tstr("x"), tag(0, u(5))))
V['protected tag 2 on integer'] = msg(p=protected(tstr("x"), tag(2, u(5))))
V['protected tag 3 on array'] = msg(p=protected(tstr("x"), tag(3, arr())))
V['protected crit with tagged entry'] = msg(p=protected(u(2), arr(tag(100, tstr("x"))), tstr("x"), u(1)))
V['protected crit with self-described entry'] = msg(p=protected(u(2), arr(tag(55799, tstr("x"))), tstr("x"), u(1)))
V['protected self-described key'] = msg(p=protected(tag(55799, tstr("x")), u(1)))
V['protected bignum key'] = msg(p=protected(tag(2, bstr(b'\x05')), u(1)))
V['protected bignum value'] = msg(p=protected(tstr("x"), tag(2, bstr(b'\x05'))))
V['protected bignum alg'] = msg(p=amap(u(1), tag(2, bstr(b'\x05'))))
V['protected tags 31 deep'] = msg(p=protected(tstr("x"), b''.join([head(6, 100)] * 31) + u(0)))
V['protected tags 32 deep'] = msg(p=protected(tstr("x"), b''.join([head(6, 100)] * 32) + u(0)))
# Trailing data.
V['trailing byte'] = msg() + b'\x00'
V['trailing message'] = msg() + msg()
V['protected map and a trailing byte'] = msg(p=protected() + b'\x00')
V['truncated'] = msg()[:-1]
V['truncated in the protected header'] = msg(praw=bstr(protected()[:-1]))
# The protected header's own form.
V['protected empty'] = msg(praw=b'\x40')
V['protected empty map'] = msg(p=b'\xa0')
V['protected null'] = msg(praw=b'\xf6')
V['protected integer'] = msg(praw=u(5))
V['protected array'] = msg(p=arr(u(1)))
V['unprotected array'] = msg(un=arr(u(1)))
V['unprotected null'] = msg(un=b'\xf6')
# Labels in both headers.
V['content type in both'] = msg(un=amap(u(3), tstr("application/y"), u(33), CERT))
V['alg in both'] = msg(un=amap(u(1), neg(-38), u(33), CERT))
# Simple values and floats.
V['float values'] = msg(p=protected(tstr("x"), b'\xf9\x3c\x00', tstr("y"), b'\xfb\x7f\xf8\x00\x00\x00\x00\x00\x00'), un=unprot(tstr("z"), b'\xfa\x7f\x80\x00\x00'))
V['undefined values'] = msg(p=protected(tstr("x"), b'\xf7'), un=unprot(tstr("z"), b'\xf7'))
V['two-byte simple 20 unprotected'] = msg(un=unprot(tstr("z"), b'\xf8\x14'))
V['two-byte simple 20 protected'] = msg(p=protected(tstr("x"), b'\xf8\x14'))
V['reserved additional information'] = msg(un=unprot(tstr("z"), b'\x1c'))
V['stray break'] = msg(un=unprot(tstr("z"), b'\xff'))
V['payload undefined'] = msg(payload=b'\xf7')
V['payload null'] = msg(payload=b'\xf6')
V['payload integer'] = msg(payload=u(1))
V['signature empty'] = msg(sig=b'\x40')
V['signature null'] = msg(sig=b'\xf6')
V['signature text'] = msg(sig=tstr("ab"))
# Labels.
V['unprotected byte string label'] = msg(un=unprot(bstr(b'k'), u(1)))
V['protected byte string label'] = msg(p=protected(bstr(b'k'), u(1)))
V['protected float label'] = msg(p=protected(b'\xf9\x3c\x00', u(1)))
V['protected true label'] = msg(p=protected(b'\xf5', u(1)))
V['protected array label'] = msg(p=protected(arr(u(1)), u(1)))
V['unprotected label past int64'] = msg(un=unprot(u(2**64 - 1), u(1)))
V['protected negative label past int64'] = msg(p=protected(b'\x3b\xff\xff\xff\xff\xff\xff\xff\xff', u(1)))
V['protected label text not UTF-8'] = msg(p=protected(b'\x62\xff\xfe', u(1)))
# Values.
V['unprotected value past int64'] = msg(un=unprot(tstr("z"), u(2**64 - 1)))
V['protected value past int64'] = msg(p=protected(tstr("x"), u(2**64 - 1)))
V['protected nested value past int64'] = msg(p=protected(tstr("x"), arr(arr(u(2**64 - 1)))))
V['protected value int64 max'] = msg(p=protected(tstr("x"), u(2**63 - 1)))
V['protected negative value past int64'] = msg(p=protected(tstr("x"), b'\x3b\xff\xff\xff\xff\xff\xff\xff\xff'))
V['protected text not UTF-8'] = msg(p=protected(tstr("x"), b'\x62\xff\xfe'))
V['unprotected text not UTF-8'] = msg(un=unprot(tstr("z"), b'\x62\xff\xfe'))
V['unprotected nested key not UTF-8'] = msg(un=unprot(tstr("z"), amap(b'\x62\xff\xfe', u(1))))
# Nesting and sizes.
V['unprotected nested 32 levels'] = msg(un=unprot(tstr("z"), b'\x81' * 30 + u(0)))
V['unprotected nested 33 levels'] = msg(un=unprot(tstr("z"), b'\x81' * 31 + u(0)))
V['protected nested 32 levels'] = msg(p=protected(tstr("x"), b'\x81' * 31 + u(0)))
V['protected nested 33 levels'] = msg(p=protected(tstr("x"), b'\x81' * 32 + u(0)))
V['unprotected array of 131073 declared'] = msg(un=unprot(tstr("z"), head(4, 131073)))
V['unprotected map of 131073 declared'] = msg(un=unprot(tstr("z"), head(5, 131073)))
V['byte string longer than the message'] = msg(un=unprot(tstr("z"), head(2, 2**40)))
# go-cose's header parameter rules.
V['crit in unprotected'] = msg(un=amap(u(2), arr(u(33)), u(33), CERT))
V['crit not an array'] = msg(p=protected(u(2), u(3)))
V['crit empty'] = msg(p=protected(u(2), arr()))
V['crit names a missing label'] = msg(p=protected(u(2), arr(tstr("nope"))))
V['crit names an integer label'] = msg(p=protected(u(2), arr(u(100)), u(100), u(1)))
V['crit with a byte string'] = msg(p=protected(u(2), arr(bstr(b'x'))))
V['alg text'] = msg(p=amap(u(1), tstr("ES256")))
V['alg byte string'] = msg(p=amap(u(1), bstr(b'x')))
V['alg unregistered'] = msg(p=amap(u(1), u(77)))
V['kid empty'] = msg(p=protected(u(4), b'\x40'))
V['kid text unprotected'] = msg(un=unprot(u(4), tstr("k")))
V['content type number'] = msg(p=amap(u(3), u(9999)))
V['content type negative'] = msg(p=amap(u(3), neg(-1)))
V['content type without slash'] = msg(p=amap(u(1), neg(-37), u(3), tstr("nope")))
V['content type with a space'] = msg(p=amap(u(1), neg(-37), u(3), tstr(" a/b")))
V['content type empty'] = msg(p=amap(u(1), neg(-37), u(3), tstr("")))
V['typ without slash'] = msg(p=protected(u(16), tstr("nope")))
V['typ number'] = msg(p=protected(u(16), u(5)))
V['IV and partial IV in protected'] = msg(p=protected(u(5), bstr(b'1'), u(6), bstr(b'2')))
V['IV protected, partial IV unprotected'] = msg(p=protected(u(5), bstr(b'1')), un=unprot(u(6), bstr(b'2')))
V['partial IV protected, IV unprotected'] = msg(p=protected(u(6), bstr(b'1')), un=unprot(u(5), bstr(b'2')))
V['IV text'] = msg(un=unprot(u(5), tstr("1")))
V['countersignature in protected'] = msg(p=protected(u(7), COUNTER))
V['countersignature0 in protected'] = msg(p=protected(u(9), bstr(b'\x01')))
V['countersignature v2 in protected'] = msg(p=protected(u(11), COUNTER))
V['countersignature0 v2 in protected'] = msg(p=protected(u(12), bstr(b'\x01')))
V['countersignature0 unprotected'] = msg(un=unprot(u(9), bstr(b'\x01')))
V['countersignature0 unprotected not bytes'] = msg(un=unprot(u(9), u(1)))
V['countersignature0 v2 unprotected not bytes'] = msg(un=unprot(u(12), u(1)))
V['countersignature unprotected'] = msg(un=unprot(u(7), COUNTER))
V['countersignature list unprotected'] = msg(un=unprot(u(7), arr(COUNTER, COUNTER)))
V['countersignature empty list unprotected'] = msg(un=unprot(u(11), arr()))
V['countersignature empty signature'] = msg(un=unprot(u(7), arr(bstr(b''), amap(), bstr(b''))))
V['countersignature with crit unprotected'] = msg(un=unprot(u(7), arr(bstr(b''), amap(u(2), arr(u(1))), bstr(b'\x01'))))
V['countersignature not an array'] = msg(un=unprot(u(11), u(1)))
# Unprotected values coset refuses and go-cose decodes (Notation reads
# only x5chain, the signing agent and the timestamp signature there).
V['kid empty unprotected'] = msg(un=unprot(u(4), bstr(b'')))
V['IV empty unprotected'] = msg(un=unprot(u(5), bstr(b'')))
V['partial IV empty unprotected'] = msg(un=unprot(u(6), bstr(b'')))
V['alg unregistered unprotected'] = msg(un=unprot(u(1), u(77)))
V['alg text unprotected'] = msg(un=unprot(u(1), tstr("x")))
V['content type number unprotected'] = msg(un=unprot(u(3), u(9999)))
V['content type tab unprotected'] = msg(un=unprot(u(3), tstr("\tapplication/x")))
V['self-described key unprotected'] = msg(un=unprot(tag(55799, tstr("z")), u(1)))
V['simple 16 unprotected'] = msg(un=unprot(tstr("z"), b'\xf0'))
V['simple 255 unprotected'] = msg(un=unprot(tstr("z"), b'\xf8\xff'))
V['simple 16 in unprotected signing agent'] = msg(un=unprot(tstr("io.cncf.notary.signingAgent"), b'\xf0'))
V['simple 16 in unprotected certificate'] = msg(un=amap(u(33), arr(bstr(b'\x01'), b'\xf0')))
V['label 99 unprotected'] = msg(un=unprot(u(99), u(1)))
V['negative label unprotected'] = msg(un=unprot(neg(-99), u(1)))
V['signing agent number'] = msg(un=unprot(tstr("io.cncf.notary.signingAgent"), u(1)))
V['timestamp signature text'] = msg(un=unprot(tstr("io.cncf.notary.timestampSignature"), tstr("x")))
# Protected values go-cose decodes (coset, which we no longer use, refused
# them).
V['IV empty protected'] = msg(p=protected(u(5), bstr(b'')))
V['content type tab protected'] = msg(p=amap(u(1), neg(-37), u(3), tstr("\tapplication/x")))
V['simple 16 protected'] = msg(p=protected(tstr("x"), b'\xf0'))
V['alg text protected'] = msg(p=amap(u(1), tstr("ES256")))
V['alg self-described protected'] = msg(p=amap(u(1), tag(55799, neg(-37))))
V['counter signature garbage protected'] = msg(p=protected(u(7), u(1)))
V['negative integer past int64 protected'] = msg(p=protected(tstr("x"), neg(-2**64)))
V['bignum protected'] = msg(p=protected(tstr("x"), tag(2, bstr(b'\x01' * 20))))

for name, value in V.items():
    print(name + "\t" + value.hex())
