#!/usr/bin/env node
// SPDX-License-Identifier: BSD-3-Clause
// Mints ID tokens for the token-flow tests with the keys that static-op.mjs
// wrote (or with a stranger's key), and prints the compact JWS on stdout.
//
//   node mint.mjs --keys FILE --iss URL [--kid rsa1|ec1|ed1] [--alg ALG]
//        [--sub alice] [--aud workstation] [--iat SECONDS] [--exp SECONDS]
//        [--claims JSON] [--pad N] [--none] [--rogue]
//   node mint.mjs --twin-of ES256_TOKEN
//
// --iat and --exp are offsets from now (default -300 and +600: a token
//   minted five minutes before the login, as a pasted one would be).
// --claims  a JSON object merged over the default claims (iss, sub, aud,
//   exp, iat, auth_time, preferred_username = sub, name).
// --pad N   adds a claim "pad" of N characters (an oversized token).
// --none    an unsigned token: header {"alg":"none"}, empty signature.
// --rogue   signs with a fresh key of the same type under the same kid: a
//   key that is not in the provider's JWKS.
// --twin-of the same ES256 token with the other valid ECDSA signature of its
//   content, (r, n - s): it verifies as well as the original.
//
// Exit 0 on success; 2 with one line "mint: REASON" on stderr otherwise.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { CompactSign, importJWK } from 'jose';

function die(msg) {
  process.stderr.write(`mint: ${msg}\n`);
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
      pad: { type: 'string' },
      none: { type: 'boolean', default: false },
      rogue: { type: 'boolean', default: false },
      'twin-of': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (err) {
  die(err.message);
}

const b64 = (buf) => Buffer.from(buf).toString('base64url');

// P-256 group order
const P256_N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

function twinOf(token) {
  const parts = token.trim().split('.');
  if (parts.length !== 3) die('--twin-of: not a compact JWS');
  const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
  if (header.alg !== 'ES256') die('--twin-of: only ES256 tokens have a twin here');
  const sig = Buffer.from(parts[2], 'base64url');
  if (sig.length !== 64) die('--twin-of: an ES256 signature has 64 bytes');
  const s = BigInt(`0x${sig.subarray(32).toString('hex')}`);
  const twin = (P256_N - s).toString(16).padStart(64, '0');
  const out = Buffer.concat([sig.subarray(0, 32), Buffer.from(twin, 'hex')]);
  return `${parts[0]}.${parts[1]}.${b64(out)}`;
}

if (opts['twin-of'] !== undefined) {
  process.stdout.write(`${twinOf(opts['twin-of'])}\n`);
  process.exit(0);
}

if (!opts.iss) die('--iss URL is required');
if (!opts.keys && !opts.none) die('--keys FILE is required');

function offset(name) {
  if (!/^[-+]?\d+$/.test(opts[name])) die(`--${name} must be a whole number of seconds`);
  return Number(opts[name]);
}

const now = Math.floor(Date.now() / 1000);
const iat = now + offset('iat');
let payload = {
  iss: opts.iss,
  sub: opts.sub,
  aud: opts.aud,
  exp: now + offset('exp'),
  iat,
  auth_time: iat,
  preferred_username: opts.sub,
  name: opts.sub === 'alice' ? 'Alice Example' : opts.sub,
};
if (opts.claims) {
  let extra;
  try {
    extra = JSON.parse(opts.claims);
  } catch (err) {
    die(`--claims: ${err.message}`);
  }
  payload = { ...payload, ...extra };
}
if (opts.pad !== undefined) {
  if (!/^\d+$/.test(opts.pad)) die('--pad must be a number of characters');
  payload.pad = 'x'.repeat(Number(opts.pad));
}
const payloadBytes = new TextEncoder().encode(JSON.stringify(payload));

if (opts.none) {
  const header = b64(JSON.stringify({ alg: 'none', typ: 'JWT' }));
  process.stdout.write(`${header}.${b64(payloadBytes)}.\n`);
  process.exit(0);
}

let keys;
try {
  ({ keys } = JSON.parse(fs.readFileSync(opts.keys, 'utf8')));
} catch (err) {
  die(`--keys ${opts.keys}: ${err.message}`);
}
let jwk = keys.find((k) => k.kid === opts.kid);
if (!jwk) die(`no key "${opts.kid}" in ${opts.keys}`);
const alg = opts.alg ?? jwk.alg ?? { RSA: 'RS256', EC: 'ES256', OKP: 'EdDSA' }[jwk.kty];

if (opts.rogue) {
  const made = {
    RSA: () => crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }),
    EC: () => crypto.generateKeyPairSync('ec', { namedCurve: jwk.crv }),
    OKP: () => crypto.generateKeyPairSync('ed25519'),
  }[jwk.kty]();
  jwk = { ...made.privateKey.export({ format: 'jwk' }), kid: jwk.kid };
}

const key = await importJWK(jwk, alg);
const token = await new CompactSign(payloadBytes)
  .setProtectedHeader({ alg, kid: jwk.kid, typ: 'JWT' })
  .sign(key);
process.stdout.write(`${token}\n`);
