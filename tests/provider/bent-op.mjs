#!/usr/bin/env node
// SPDX-License-Identifier: BSD-3-Clause
// A bendable OpenID provider for the rejection corpus (tests/rejections/):
// like static-op.mjs it serves only discovery documents and JWKS over HTTPS
// on 127.0.0.1, but for several issuers ("tenants") at once, each at its own
// path, each bent in one way that a real provider cannot be made to be:
//
//   tenant       issuer https://127.0.0.1:PORT/<tenant>, serving
//   good         every key below except the hidden ones: the standard keys
//                and one bent key per key rule
//   unknown      the standard keys (a tenant of its own, so that its
//                unknown-kid refetches can be counted and rate-limited alone)
//   rotate-cli   the standard keys; "rot2" appears when published
//   rotate-pam   the standard keys; "rot3" appears when published
//   wrong-iss    a discovery document whose issuer is another one (.../good)
//   http-jwks    a discovery document whose jwks_uri is http://
//   http-token   a discovery document whose token_endpoint is http://
//   bad-jwks     a JWKS document whose "keys" is not an array
//   jwks-down    a jwks_uri that answers HTTP 503
//
//   node bent-op.mjs --cert server.pem --key server.key --keys-out FILE
//        [--port N] [--state DIR]
//
// Keys (kid: what it is):
//   rsa1      RSA-2048, use sig          (RS256, PS256, ...)
//   ec1       P-256, alg ES256, use sig
//   ed1       Ed25519, alg EdDSA, use sig
//   rsa1024   RSA-1024, use sig          (key size)
//   enc1      RSA-2048, use enc          (key use)
//   ops1      RSA-2048, key_ops [encrypt] (key ops)
//   alg384    RSA-2048, alg RS384        (key alg, for an RS256 token)
//   ec384     P-384, use sig             (key type, for an ES256 token)
//   priv1     RSA-2048 published with its private members (key invalid)
//   rot2 rot3 RSA-2048, use sig, hidden until published
// FILE gets every key with its private members ({"keys": [...]}, mode 0600)
// for forge.mjs.
//
// Control: POST /<tenant>/_publish?kid=KID adds a hidden key to that
// tenant's JWKS (204; 404 if no such tenant or hidden key).
//
// stdout carries exactly one line, "READY https://127.0.0.1:<port>" (the
// tenants' issuers are that plus "/<tenant>"), once the server listens.
// DIR/requests.log gets "<ISO time> <METHOD> <path> <status>" per request,
// written before the response is sent.
// Every response has Cache-Control: max-age=300.  SIGTERM or SIGINT stops
// it (exit 0).

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

function die(msg) {
  process.stderr.write(`bent-op: ${msg}\n`);
  process.exit(2);
}

let opts;
try {
  ({ values: opts } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      cert: { type: 'string' },
      key: { type: 'string' },
      state: { type: 'string' },
      'keys-out': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (err) {
  die(err.message);
}
if (!opts.cert || !opts.key) die('--cert FILE and --key FILE are required');
if (!opts['keys-out']) die('--keys-out FILE is required');
const port = Number(opts.port);
if (!/^\d+$/.test(opts.port) || port > 65535) die('--port must be 0..65535');

const stateDir = opts.state;
if (stateDir) fs.mkdirSync(stateDir, { recursive: true });

function logRequest(line) {
  if (!stateDir) return;
  fs.appendFileSync(path.join(stateDir, 'requests.log'), `${line}\n`);
}

// ---------------------------------------------------------------- keys

function makeKey(type, options, kid, extra) {
  const { privateKey } = crypto.generateKeyPairSync(type, options);
  return { ...privateKey.export({ format: 'jwk' }), kid, ...extra };
}

const rsa = (bits) => ['rsa', { modulusLength: bits }];
const keys = {
  rsa1: makeKey(...rsa(2048), 'rsa1', { use: 'sig' }),
  ec1: makeKey('ec', { namedCurve: 'P-256' }, 'ec1', { use: 'sig', alg: 'ES256' }),
  ed1: makeKey('ed25519', {}, 'ed1', { use: 'sig', alg: 'EdDSA' }),
  rsa1024: makeKey(...rsa(1024), 'rsa1024', { use: 'sig' }),
  enc1: makeKey(...rsa(2048), 'enc1', { use: 'enc' }),
  ops1: makeKey(...rsa(2048), 'ops1', { key_ops: ['encrypt'] }),
  alg384: makeKey(...rsa(2048), 'alg384', { use: 'sig', alg: 'RS384' }),
  ec384: makeKey('ec', { namedCurve: 'P-384' }, 'ec384', { use: 'sig' }),
  priv1: makeKey(...rsa(2048), 'priv1', { use: 'sig' }),
  rot2: makeKey(...rsa(2048), 'rot2', { use: 'sig' }),
  rot3: makeKey(...rsa(2048), 'rot3', { use: 'sig' }),
};
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'];
const publicOf = (k) => Object.fromEntries(
  Object.entries(k).filter(([name]) => !PRIVATE_MEMBERS.includes(name)),
);

try {
  fs.writeFileSync(opts['keys-out'], `${JSON.stringify({ keys: Object.values(keys) })}\n`,
    { mode: 0o600 });
} catch (err) {
  die(`--keys-out ${opts['keys-out']}: ${err.message}`);
}

const STANDARD = ['rsa1', 'ec1', 'ed1'];
// name -> { published: [kid], hidden: [kid], bend(discovery, base) }
const tenants = {
  good: {
    published: [...STANDARD, 'rsa1024', 'enc1', 'ops1', 'alg384', 'ec384', 'priv1'],
  },
  unknown: { published: [...STANDARD] },
  'rotate-cli': { published: [...STANDARD], hidden: ['rot2'] },
  'rotate-pam': { published: [...STANDARD], hidden: ['rot3'] },
  'wrong-iss': {
    published: [...STANDARD],
    bend: (d, base) => { d.issuer = `${base}/good`; },
  },
  'http-jwks': {
    published: [...STANDARD],
    bend: (d) => { d.jwks_uri = d.jwks_uri.replace(/^https:/, 'http:'); },
  },
  'http-token': {
    published: [...STANDARD],
    bend: (d) => { d.token_endpoint = d.token_endpoint.replace(/^https:/, 'http:'); },
  },
  'bad-jwks': { published: [...STANDARD], jwks: () => ({ keys: 'rsa1 ec1 ed1' }) },
  'jwks-down': { published: [...STANDARD], jwksStatus: 503 },
};
for (const t of Object.values(tenants)) t.hidden ??= [];

function jwksOf(t) {
  if (t.jwks) return t.jwks();
  // priv1 is the one key published whole, on purpose
  return { keys: t.published.map((kid) => (kid === 'priv1' ? keys[kid] : publicOf(keys[kid]))) };
}

// ---------------------------------------------------------------- server

let server;
try {
  server = https.createServer({
    cert: fs.readFileSync(opts.cert),
    key: fs.readFileSync(opts.key),
  });
} catch (err) {
  die(err.message);
}

await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, '127.0.0.1', () => {
    server.off('error', reject);
    resolve();
  });
}).catch((err) => die(`listen on 127.0.0.1:${port}: ${err.message}`));

const base = `https://127.0.0.1:${server.address().port}`;

function discoveryOf(name, t) {
  const issuer = `${base}/${name}`;
  const d = {
    issuer,
    authorization_endpoint: `${issuer}/auth`,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/jwks`,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256', 'PS256', 'ES256', 'EdDSA'],
  };
  if (t.bend) t.bend(d, base);
  return d;
}

server.on('request', (req, res) => {
  const url = new URL(req.url ?? '/', base);
  const [, name, ...rest] = url.pathname.split('/');
  const sub = `/${rest.join('/')}`;
  const t = Object.hasOwn(tenants, name) ? tenants[name] : undefined;
  let status = 404;
  let body = { error: 'not_found' };
  if (t && req.method === 'GET' && sub === '/.well-known/openid-configuration') {
    status = 200;
    body = discoveryOf(name, t);
  } else if (t && req.method === 'GET' && sub === '/jwks') {
    status = t.jwksStatus ?? 200;
    body = status === 200 ? jwksOf(t) : { error: 'temporarily_unavailable' };
  } else if (t && req.method === 'POST' && sub === '/_publish') {
    const kid = url.searchParams.get('kid');
    if (t.hidden.includes(kid)) {
      t.hidden = t.hidden.filter((k) => k !== kid);
      t.published.push(kid);
      status = 204;
      body = null;
    }
  }
  // logged before the answer leaves, so that a client that has its answer
  // finds its request in the log
  logRequest(`${new Date().toISOString()} ${req.method} ${url.pathname} ${status}`);
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'max-age=300',
  });
  res.end(body === null ? undefined : JSON.stringify(body));
});

if (stateDir) fs.writeFileSync(path.join(stateDir, 'port'), `${server.address().port}\n`);
process.stdout.write(`READY ${base}\n`);

function shutdown() {
  server.close();
  server.closeAllConnections();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
