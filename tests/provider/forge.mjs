#!/usr/bin/env node
// SPDX-License-Identifier: BSD-3-Clause
// Forges ID tokens for the rejection corpus (tests/rejections/): a valid
// token by default, signed with a key that bent-op.mjs (or static-op.mjs)
// wrote, and every way of breaking one that a rule of pam_oidc refuses.
// Signatures are made with Node's crypto (OpenSSL) directly, so that a
// header can say anything (crit, typ, an alg that does not fit the key).
//
//   node forge.mjs --keys FILE --iss URL [options]      compact JWS on stdout
//
// Claims (the defaults as mint.mjs: iss, sub, aud, exp, iat, auth_time,
// preferred_username = sub, name):
//   --sub S --aud A       (--aud starting with '[' is a JSON array)
//   --iat N --exp N       offsets from now in seconds (default -300, +600)
//   --claims JSON         merged over the defaults; a string "$now+N" or
//                         "$now-N" becomes the number now + N
//   --drop a,b            remove these claims
//   --string-dates a,b    these claims become JSON strings of their values
//   --pad N               a claim "pad" of N characters
//   --append-payload RAW  RAW inserted before the payload's closing brace
//                         (e.g. ',"sub":"mallory"': a repeated member)
//   --suffix-payload RAW  RAW after the payload's closing brace
// Header (default {"alg", "kid", "typ":"JWT"}):
//   --kid KID             the key to sign with (default rsa1)
//   --alg ALG             default: the key's alg, else RS256/ES256/EdDSA
//   --header JSON         merged over the header
//   --drop-header a,b     remove these members (e.g. kid)
//   --append-header RAW   RAW inserted before the header's closing brace
// Signature:
//   --rogue               sign with a fresh key of the same type, same kid
//   --none                alg "none" and an empty signature
//   --bend NAME           after signing:
//      tamper-payload     exp moved a day later, signature kept
//      tamper-header      a "jku" member added, signature kept
//      strip-signature    the signature removed ("h.p.")
//      der                ECDSA signature in DER instead of raw r||s
//      hs256-pubkey       alg HS256, HMAC keyed with the named key's public
//                         key in PEM (the key-confusion attack)
//      relabel=ALG        header alg changed to ALG, signature kept
//      pad-b64            the signature with base64 '=' padding
//      noncanonical       the signature's unused trailing bits set
//      jwe                five parts, as an encrypted token (JWE) has
//      bad-utf8           the payload holds a byte 0xff in a string
//
// Exit 0 on success; 2 with one line "forge: REASON" on stderr otherwise.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';

function die(msg) {
  process.stderr.write(`forge: ${msg}\n`);
  process.exit(2);
}

let opts;
try {
  ({ values: opts } = parseArgs({
    options: {
      keys: { type: 'string' },
      iss: { type: 'string' },
      kid: { type: 'string', default: 'rsa1' },
      alg: { type: 'string' },
      sub: { type: 'string', default: 'alice' },
      aud: { type: 'string', default: 'workstation' },
      iat: { type: 'string', default: '-300' },
      exp: { type: 'string', default: '600' },
      claims: { type: 'string' },
      drop: { type: 'string' },
      'string-dates': { type: 'string' },
      pad: { type: 'string' },
      'append-payload': { type: 'string' },
      'suffix-payload': { type: 'string' },
      header: { type: 'string' },
      'drop-header': { type: 'string' },
      'append-header': { type: 'string' },
      rogue: { type: 'boolean', default: false },
      none: { type: 'boolean', default: false },
      bend: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (err) {
  die(err.message);
}
if (!opts.iss) die('--iss URL is required');
if (!opts.keys) die('--keys FILE is required');

const b64 = (buf) => Buffer.from(buf).toString('base64url');
const now = Math.floor(Date.now() / 1000);
const list = (s) => (s ? s.split(',').filter((x) => x !== '') : []);

function offset(name) {
  if (!/^[-+]?\d+$/.test(opts[name])) die(`--${name} must be a whole number of seconds`);
  return Number(opts[name]);
}

function parseJson(name) {
  try {
    return JSON.parse(opts[name]);
  } catch (err) {
    return die(`--${name}: ${err.message}`);
  }
}

// "$now+N" / "$now-N" -> a number, anywhere in a JSON value
function withNow(v) {
  if (typeof v === 'string') {
    const m = /^\$now([-+]\d+)?$/.exec(v);
    return m ? now + Number(m[1] ?? 0) : v;
  }
  if (Array.isArray(v)) return v.map(withNow);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withNow(x)]));
  }
  return v;
}

// ---------------------------------------------------------------- key

let keyset;
try {
  ({ keys: keyset } = JSON.parse(fs.readFileSync(opts.keys, 'utf8')));
} catch (err) {
  die(`--keys ${opts.keys}: ${err.message}`);
}
let jwk = keyset.find((k) => k.kid === opts.kid);
if (!jwk) die(`no key "${opts.kid}" in ${opts.keys}`);
if (opts.rogue) {
  const made = {
    RSA: () => crypto.generateKeyPairSync('rsa', {
      modulusLength: Buffer.from(jwk.n, 'base64url').length * 8,
    }),
    EC: () => crypto.generateKeyPairSync('ec', { namedCurve: jwk.crv }),
    OKP: () => crypto.generateKeyPairSync('ed25519'),
  }[jwk.kty]();
  jwk = { ...made.privateKey.export({ format: 'jwk' }), kid: jwk.kid };
}
const alg = opts.alg ?? jwk.alg ?? { RSA: 'RS256', EC: 'ES256', OKP: 'EdDSA' }[jwk.kty];

// ---------------------------------------------------------------- content

let payload = {
  iss: opts.iss,
  sub: opts.sub,
  aud: opts.aud.startsWith('[') ? JSON.parse(opts.aud) : opts.aud,
  exp: now + offset('exp'),
  iat: now + offset('iat'),
  preferred_username: opts.sub,
  name: opts.sub === 'alice' ? 'Alice Example' : opts.sub,
};
payload.auth_time = payload.iat;
if (opts.claims) payload = { ...payload, ...withNow(parseJson('claims')) };
for (const name of list(opts.drop)) delete payload[name];
for (const name of list(opts['string-dates'])) {
  if (!(name in payload)) die(`--string-dates: no claim ${name}`);
  payload[name] = String(payload[name]);
}
if (opts.pad !== undefined) {
  if (!/^\d+$/.test(opts.pad)) die('--pad must be a number of characters');
  payload.pad = 'x'.repeat(Number(opts.pad));
}

let header = opts.none ? { alg: 'none', typ: 'JWT' } : { alg, kid: jwk.kid, typ: 'JWT' };
if (opts.bend === 'hs256-pubkey') header.alg = 'HS256';
if (opts.header) header = { ...header, ...parseJson('header') };
for (const name of list(opts['drop-header'])) delete header[name];

// JSON text, RAW spliced in before the closing brace
function text(obj, append) {
  const s = JSON.stringify(obj);
  return append ? `${s.slice(0, -1)}${append}}` : s;
}
let payloadBytes = Buffer.from(text(payload, opts['append-payload']) +
  (opts['suffix-payload'] ?? ''), 'utf8');
if (opts.bend === 'bad-utf8') {
  payloadBytes = Buffer.concat([payloadBytes.subarray(0, -1),
    Buffer.from(',"nickname":"', 'utf8'), Buffer.from([0xff]), Buffer.from('"}', 'utf8')]);
}
const headerB64 = b64(text(header, opts['append-header']));
const payloadB64 = b64(payloadBytes);
const input = Buffer.from(`${headerB64}.${payloadB64}`, 'ascii');

// ---------------------------------------------------------------- signature

const HASH = { 256: 'sha256', 384: 'sha384', 512: 'sha512' };

function sign(data) {
  if (opts.none) return Buffer.alloc(0);
  if (opts.bend === 'hs256-pubkey') {
    const pub = crypto.createPublicKey({ key: jwk, format: 'jwk' })
      .export({ type: 'spki', format: 'pem' });
    return crypto.createHmac('sha256', pub).update(data).digest();
  }
  const key = crypto.createPrivateKey({ key: jwk, format: 'jwk' });
  const m = /^(RS|PS|ES)(256|384|512)$/.exec(alg);
  if (alg === 'EdDSA') return crypto.sign(null, data, key);
  if (!m) return die(`cannot sign with alg ${alg}`);
  const md = HASH[m[2]];
  if (m[1] === 'RS') return crypto.sign(md, data, { key, padding: crypto.constants.RSA_PKCS1_PADDING });
  if (m[1] === 'PS') {
    return crypto.sign(md, data, {
      key,
      padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
      saltLength: Number(m[2]) / 8,
    });
  }
  return crypto.sign(md, data, { key, dsaEncoding: opts.bend === 'der' ? 'der' : 'ieee-p1363' });
}

let sig = sign(input);
let token = `${headerB64}.${payloadB64}.${b64(sig)}`;

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const bend = opts.bend ?? '';
if (bend === 'tamper-payload') {
  const p = JSON.parse(payloadBytes.toString('utf8'));
  p.exp += 86400;
  token = `${headerB64}.${b64(JSON.stringify(p))}.${b64(sig)}`;
} else if (bend === 'tamper-header') {
  token = `${b64(JSON.stringify({ ...header, jku: 'https://attacker.example/jwks' }))}.${payloadB64}.${b64(sig)}`;
} else if (bend === 'strip-signature') {
  token = `${headerB64}.${payloadB64}.`;
} else if (bend.startsWith('relabel=')) {
  token = `${b64(JSON.stringify({ ...header, alg: bend.slice(8) }))}.${payloadB64}.${b64(sig)}`;
} else if (bend === 'pad-b64') {
  const s = b64(sig);
  token = `${headerB64}.${payloadB64}.${s}${'='.repeat((4 - (s.length % 4)) % 4)}`;
  if (s.length % 4 === 0) die('pad-b64: this signature needs no padding');
} else if (bend === 'noncanonical') {
  const s = b64(sig);
  const unused = { 2: 4, 3: 2 }[s.length % 4];
  if (!unused) die('noncanonical: this signature has no unused bits');
  const last = B64URL.indexOf(s[s.length - 1]);
  token = `${headerB64}.${payloadB64}.${s.slice(0, -1)}${B64URL[last | 1]}`;
} else if (bend === 'jwe') {
  const h = b64(JSON.stringify({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: jwk.kid }));
  const r = (n) => b64(crypto.randomBytes(n));
  token = `${h}.${r(256)}.${r(12)}.${r(200)}.${r(16)}`;
} else if (!['', 'der', 'hs256-pubkey', 'bad-utf8'].includes(bend)) {
  die(`unknown --bend ${bend}`);
}
sig = null;
process.stdout.write(`${token}\n`);
