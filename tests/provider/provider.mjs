#!/usr/bin/env node
// SPDX-License-Identifier: BSD-3-Clause
// Test OpenID provider for pam_oidc's test suite: the npm package
// oidc-provider served over HTTPS on 127.0.0.1.  See README.md.
//
//   node provider.mjs --cert server.pem --key server.key [--port N]
//        [--state DIR] [--interval N|none] [--accounts FILE] [--clients FILE]
//        [--id-token-alg ALG] [--device-ttl SECONDS] [--mtls-ca FILE]
//
// stdout carries exactly one line, "READY https://127.0.0.1:<port>", once the
// server listens.  The provider's own notices go to DIR/provider.log (or are
// dropped without --state); errors go to stderr.
//
// --mtls-ca FILE turns on mutual TLS (RFC 8705): the server asks every
// client for a certificate (and accepts connections without one), the
// tls_client_auth and self_signed_tls_client_auth methods are enabled,
// tls_client_auth trusts client certificates issued by the CAs in FILE, and
// discovery lists mtls_endpoint_aliases under https://127.0.0.1:<port>/mtls/
// (served by the same endpoints; requests.log shows the /mtls/ path used).

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

// Connections from this address are the test browser's (browser.mjs binds to
// it); their log lines get a trailing " browser" so that a test can count the
// client's own requests and handshakes apart from the browser's.
const BROWSER_ADDRESS = '127.0.0.2';

function die(msg) {
  process.stderr.write(`provider: ${msg}\n`);
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
      interval: { type: 'string', default: '1' },
      accounts: { type: 'string' },
      clients: { type: 'string' },
      'id-token-alg': { type: 'string', default: 'RS256' },
      'device-ttl': { type: 'string', default: '600' },
      'mtls-ca': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (err) {
  die(err.message);
}

if (!opts.cert || !opts.key) die('--cert FILE and --key FILE are required');
const port = Number(opts.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) die('--port must be 0..65535');
let interval;
if (opts.interval !== 'none') {
  interval = Number(opts.interval);
  if (!/^\d+$/.test(opts.interval)) die('--interval must be a whole number of seconds or "none"');
}
const deviceTtl = Number(opts['device-ttl']);
if (!/^\d+$/.test(opts['device-ttl']) || deviceTtl < 1) die('--device-ttl must be a positive number of seconds');
const idTokenAlg = opts['id-token-alg'];
if (!['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519'].includes(idTokenAlg)) {
  die('--id-token-alg must be one of RS256 PS256 ES256 EdDSA Ed25519');
}

// ---------------------------------------------------------------- logging

const stateDir = opts.state;
if (stateDir) fs.mkdirSync(stateDir, { recursive: true });

function appendTo(name, line) {
  if (!stateDir) return;
  try {
    fs.appendFileSync(path.join(stateDir, name), `${line}\n`);
  } catch (err) {
    process.stderr.write(`provider: cannot write ${name}: ${err.message}\n`);
  }
}

// oidc-provider prints its notices with console.info (stdout) and
// console.warn; stdout must carry only the READY line, so both go to
// DIR/provider.log.  This has to be in place before the package is imported:
// importing it on Node 20 warns "Unsupported runtime" (v9 wants Node 22 LTS
// or later; everything used here works on Node 20).
for (const method of ['log', 'info', 'warn', 'debug']) {
  console[method] = (...args) => appendTo('provider.log', args.map(String).join(' '));
}

const { default: Provider } = await import('oidc-provider');

// ---------------------------------------------------------------- accounts

// Built-in account table, replaced as a whole by --accounts FILE (a JSON
// object of the same shape).  The key is the login name and the subject
// (sub); the value holds the account's claims.
let accounts = {
  alice: {
    preferred_username: 'alice',
    name: 'Alice Example',
    npi: '1234567893',
    practitioner_role: ['physician'],
    fhirUser: 'Practitioner/alice',
  },
  bob: {
    preferred_username: 'bob',
    npi: '2000000002',
    practitioner_role: ['nurse'],
    fhirUser: 'Practitioner/bob',
  },
  mallory: {
    preferred_username: 'root',
  },
};

if (opts.accounts) {
  try {
    accounts = JSON.parse(fs.readFileSync(opts.accounts, 'utf8'));
  } catch (err) {
    die(`--accounts ${opts.accounts}: ${err.message}`);
  }
  if (!accounts || typeof accounts !== 'object' || Array.isArray(accounts)) {
    die(`--accounts ${opts.accounts}: expected a JSON object of login -> claims`);
  }
}

// Only logins in the table can sign in: for any other name findAccount
// returns undefined, the provider keeps no session and shows the login page
// again.  The password is not checked at all (this is a test provider; the
// devInteractions login page accepts any password).
async function findAccount(ctx, id) {
  if (!Object.hasOwn(accounts, id)) return undefined;
  const stored = accounts[id];
  return {
    accountId: id,
    async claims() {
      return { ...stored, sub: id };
    },
  };
}

// ---------------------------------------------------------------- clients

let clients = [{
  client_id: 'workstation',
  client_name: 'pam_oidc workstation',
  // native: a loopback http redirect_uri matches on any port (RFC 8252 7.3)
  application_type: 'native',
  token_endpoint_auth_method: 'none',
  grant_types: [
    'urn:ietf:params:oauth:grant-type:device_code',
    'authorization_code',
    'refresh_token',
  ],
  response_types: ['code'],
  redirect_uris: ['http://127.0.0.1/callback', 'https://127.0.0.1/callback'],
  id_token_signed_response_alg: idTokenAlg,
  // auth_time in every ID token (the client checks the authentication age)
  require_auth_time: true,
}];

// --clients FILE: a JSON array of further client registrations (client
// metadata as in RFC 7591); one with client_id "workstation" replaces the
// built-in one.
if (opts.clients) {
  let extra;
  try {
    extra = JSON.parse(fs.readFileSync(opts.clients, 'utf8'));
  } catch (err) {
    die(`--clients ${opts.clients}: ${err.message}`);
  }
  if (!Array.isArray(extra)) die(`--clients ${opts.clients}: expected a JSON array`);
  const ids = new Set(extra.map((c) => c.client_id));
  clients = [...clients.filter((c) => !ids.has(c.client_id)), ...extra];
}

// ---------------------------------------------------------------- keys

// Fresh signing keys on every start, so ID tokens can be RS256/PS256 (rsa1),
// ES256 (ec1) or EdDSA (ed1).
function privateJwk(type, options, kid) {
  const { privateKey } = crypto.generateKeyPairSync(type, options);
  return { ...privateKey.export({ format: 'jwk' }), kid, use: 'sig' };
}
const jwks = {
  keys: [
    privateJwk('rsa', { modulusLength: 2048 }, 'rsa1'),
    privateJwk('ec', { namedCurve: 'P-256' }, 'ec1'),
    privateJwk('ed25519', {}, 'ed1'),
  ],
};

// ---------------------------------------------------------------- server

let cert;
let key;
let mtlsCa;
try {
  cert = fs.readFileSync(opts.cert);
  key = fs.readFileSync(opts.key);
  if (opts['mtls-ca']) mtlsCa = fs.readFileSync(opts['mtls-ca']);
} catch (err) {
  die(err.message);
}

// With --mtls-ca the handshake asks for a client certificate but does not
// require or verify it: socket.authorized then says whether it chains to
// FILE, which is what tls_client_auth checks (self-signed certificates are
// matched against the client's registered keys instead).
const server = https.createServer(mtlsCa
  ? { cert, key, ca: mtlsCa, requestCert: true, rejectUnauthorized: false }
  : { cert, key });

function who(socket) {
  const addr = socket?.remoteAddress ?? '';
  return addr === BROWSER_ADDRESS || addr === `::ffff:${BROWSER_ADDRESS}` ? ' browser' : '';
}

server.on('connection', (socket) => {
  appendTo('requests.log', `${new Date().toISOString()} tcp-connection${who(socket)}`);
});
server.on('secureConnection', (socket) => {
  appendTo('requests.log', `${new Date().toISOString()} tls-handshake${who(socket)}`);
});
server.on('tlsClientError', (err, socket) => {
  appendTo('requests.log', `${new Date().toISOString()} tls-error${who(socket)}`);
  appendTo('provider.log', `tls client error: ${err.code ?? ''} ${err.message}`);
});

await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, '127.0.0.1', () => {
    server.off('error', reject);
    resolve();
  });
}).catch((err) => die(`listen on 127.0.0.1:${port}: ${err.message}`));

const actualPort = server.address().port;
const issuer = `https://127.0.0.1:${actualPort}`;

// ---------------------------------------------------------------- provider

// The one client registration carries both redirect URIs of the design: as
// a native client it gets port-agnostic loopback http redirects, but
// oidc-provider refuses https://127.0.0.1/... for native clients ("claimed
// HTTPS URIs must not be using 127.0.0.1").  That check is waived here
// (dynamic registration is off, so only the clients configured here are
// concerned).
function relaxSchema(provider) {
  const { invalidate } = provider.Client.Schema.prototype;
  provider.Client.Schema.prototype.invalidate = function relaxedInvalidate(message, code) {
    if (typeof message === 'string'
        && message.includes('for native clients using claimed HTTPS URIs must not be using')) {
      return;
    }
    invalidate.call(this, message, code);
  };
}

// RFC 8705 for --mtls-ca: the client certificate of the TLS connection.
function peerCertificate(ctx) {
  const peer = ctx.socket?.getPeerCertificate?.();
  return peer?.raw ? new crypto.X509Certificate(peer.raw) : undefined;
}

const mTLS = {
  enabled: true,
  certificateBoundAccessTokens: false,
  tlsClientAuth: true,
  selfSignedTlsClientAuth: true,
  getCertificate: peerCertificate,
  certificateAuthorized: (ctx) => ctx.socket?.authorized === true,
  // tls_client_auth_subject_dn as an RFC 4514 string (most specific RDN
  // first, e.g. "CN=ws,O=Example Hospital,C=AU"), or tls_client_auth_san_dns.
  certificateSubjectMatches(ctx, property, expected) {
    const c = peerCertificate(ctx);
    if (!c) return false;
    if (property === 'tls_client_auth_subject_dn') {
      return c.subject.split('\n').reverse().join(',') === expected;
    }
    if (property === 'tls_client_auth_san_dns') {
      return (c.subjectAltName ?? '').split(', ').includes(`DNS:${expected}`);
    }
    return false;
  },
};

const provider = new Provider(issuer, {
  clients,
  jwks,
  findAccount,
  cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
  // Scopes and the claims they release:
  //   profile  -> preferred_username, name, npi, practitioner_role
  //   fhirUser -> fhirUser
  // (openid -> sub).  So "openid profile" gets everything but fhirUser and
  // "openid fhirUser profile" (pam_oidc's default scopes) gets all of them.
  claims: {
    openid: ['sub'],
    profile: ['preferred_username', 'name', 'npi', 'practitioner_role'],
    fhirUser: ['fhirUser'],
  },
  scopes: ['openid', 'offline_access', 'profile', 'fhirUser'],
  // Release the scope's claims in the ID token itself, not only at userinfo.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  // code flow only (no implicit or hybrid responses)
  responseTypes: ['code'],
  features: {
    devInteractions: { enabled: true },
    deviceFlow: { enabled: true },
    ...(mtlsCa ? { mTLS } : {}),
    // RFC 9207 iss in authorization responses is on by default; keep it.
  },
  ...(mtlsCa ? {
    clientAuthMethods: [
      'client_secret_basic', 'client_secret_jwt', 'client_secret_post',
      'private_key_jwt', 'none', 'tls_client_auth', 'self_signed_tls_client_auth',
    ],
    discovery: {
      mtls_endpoint_aliases: {
        token_endpoint: `${issuer}/mtls/token`,
        device_authorization_endpoint: `${issuer}/mtls/device/auth`,
        pushed_authorization_request_endpoint: `${issuer}/mtls/request`,
      },
    },
  } : {}),
  // Client assertions (private_key_jwt) may also be signed with the
  // algorithms of SMART Backend Services, RS384 and ES384.
  enabledJWA: {
    clientAuthSigningAlgValues: [
      'HS256', 'RS256', 'RS384', 'PS256', 'ES256', 'ES384', 'Ed25519', 'EdDSA',
    ],
  },
  ttl: {
    AccessToken: 600,
    AuthorizationCode: 60,
    DeviceCode: deviceTtl,
    Grant: 3600,
    IdToken: 600,
    Interaction: 600,
    RefreshToken: 3600,
    Session: 3600,
  },
});
relaxSchema(provider);

// oidc-provider sends no "interval" in the device authorization response
// (RFC 8628 3.2 makes it optional, clients then wait 5 s); add ours.
provider.use(async (ctx, next) => {
  await next();
  if (ctx.oidc?.route === 'device_authorization' && ctx.status === 200
      && interval !== undefined && ctx.body && typeof ctx.body === 'object') {
    ctx.body.interval = interval;
  }
});

// The devInteractions login form takes any name and finishes the login with
// it; oidc-provider then fails deep inside (500) when findAccount knows no
// such account.  Turn an unknown name away at the form instead, as a real
// login page would: send the browser back to the login page.
provider.use(async (ctx, next) => {
  if (ctx.method === 'POST' && /^\/interaction\/[^/]+$/.test(ctx.path)
      && ctx.is('application/x-www-form-urlencoded')) {
    const chunks = [];
    let size = 0;
    for await (const chunk of ctx.req) {
      size += chunk.length;
      if (size > 56 * 1024) ctx.throw(413);
      chunks.push(chunk);
    }
    const raw = Buffer.concat(chunks).toString('utf8');
    const form = new URLSearchParams(raw);
    if (form.get('prompt') === 'login' && !Object.hasOwn(accounts, form.get('login') ?? '')) {
      appendTo('provider.log', `login refused: unknown account ${JSON.stringify(form.get('login'))}`);
      ctx.status = 303;
      ctx.redirect(ctx.path);
      return;
    }
    // oidc-provider reads an already consumed body from req.body
    ctx.req.body = raw;
  }
  await next();
});

provider.on('server_error', (ctx, err) => {
  process.stderr.write(`provider: server_error on ${ctx.method} ${ctx.path}: ${err.stack ?? err}\n`);
});

const callback = provider.callback();
server.on('request', (req, res) => {
  const started = new Date().toISOString();
  const pathname = (req.url ?? '').split('?')[0];
  const tag = who(req.socket);
  res.on('close', () => {
    appendTo('requests.log', `${started} ${req.method} ${pathname} ${res.statusCode}${tag}`);
  });
  // an mtls_endpoint_aliases URL: the endpoint it aliases
  if (mtlsCa && pathname.startsWith('/mtls/')) req.url = req.url.slice('/mtls'.length);
  callback(req, res);
});

if (stateDir) fs.writeFileSync(path.join(stateDir, 'port'), `${actualPort}\n`);
process.stdout.write(`READY ${issuer}\n`);

// ---------------------------------------------------------------- shutdown

function shutdown() {
  server.close();
  server.closeAllConnections();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
