#!/usr/bin/env node
// SPDX-License-Identifier: BSD-3-Clause
// A static OpenID provider for the token-flow tests: over HTTPS on
// 127.0.0.1 it serves only a discovery document and a JWKS, for signing keys
// it makes at each start, and writes those keys (private parts included) to
// a file so that mint.mjs can sign ID tokens with them.  It issues no tokens
// itself; pam_oidc's token flow needs nothing else from a provider.
//
//   node static-op.mjs --cert server.pem --key server.key --keys-out FILE
//        [--port N] [--state DIR]
//
// stdout carries exactly one line, "READY https://127.0.0.1:<port>", once the
// server listens.  DIR/requests.log gets "<ISO time> <METHOD> <path> <status>"
// per request.  SIGTERM or SIGINT stops it (exit 0).
//
// Keys (kid: kty, for alg):  rsa1: RSA-2048 (RS256, PS256),
// ec1: P-256 (ES256), ed1: Ed25519 (EdDSA).  FILE is a JSON Web Key Set
// with the private members, mode 0600.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

function die(msg) {
  process.stderr.write(`static-op: ${msg}\n`);
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

function makeKey(type, options, kid, alg) {
  const { privateKey } = crypto.generateKeyPairSync(type, options);
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid, use: 'sig' };
  if (alg) jwk.alg = alg;
  return jwk;
}

const privateKeys = [
  makeKey('rsa', { modulusLength: 2048 }, 'rsa1'),
  makeKey('ec', { namedCurve: 'P-256' }, 'ec1', 'ES256'),
  makeKey('ed25519', {}, 'ed1', 'EdDSA'),
];
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'];
const publicKeys = privateKeys.map((k) => Object.fromEntries(
  Object.entries(k).filter(([name]) => !PRIVATE_MEMBERS.includes(name)),
));

try {
  fs.writeFileSync(opts['keys-out'], `${JSON.stringify({ keys: privateKeys })}\n`,
    { mode: 0o600 });
} catch (err) {
  die(`--keys-out ${opts['keys-out']}: ${err.message}`);
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

const issuer = `https://127.0.0.1:${server.address().port}`;
const discovery = {
  issuer,
  authorization_endpoint: `${issuer}/auth`,
  token_endpoint: `${issuer}/token`,
  jwks_uri: `${issuer}/jwks`,
  response_types_supported: ['code'],
  subject_types_supported: ['public'],
  id_token_signing_alg_values_supported: ['RS256', 'PS256', 'ES256', 'EdDSA'],
};

server.on('request', (req, res) => {
  const pathname = (req.url ?? '').split('?')[0];
  let status = 404;
  let body = { error: 'not_found' };
  if (req.method === 'GET' && pathname === '/.well-known/openid-configuration') {
    status = 200;
    body = discovery;
  } else if (req.method === 'GET' && pathname === '/jwks') {
    status = 200;
    body = { keys: publicKeys };
  }
  res.on('close', () => {
    logRequest(`${new Date().toISOString()} ${req.method} ${pathname} ${res.statusCode}`);
  });
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'max-age=300',
  });
  res.end(JSON.stringify(body));
});

if (stateDir) fs.writeFileSync(path.join(stateDir, 'port'), `${server.address().port}\n`);
process.stdout.write(`READY ${issuer}\n`);

function shutdown() {
  server.close();
  server.closeAllConnections();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
