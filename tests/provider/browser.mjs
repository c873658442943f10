#!/usr/bin/env node
// SPDX-License-Identifier: BSD-3-Clause
// A user's browser for the test provider: walks oidc-provider's own pages
// (device user-code form, code confirmation, login, consent) the way a person
// would, with a cookie jar and manual redirects.  See README.md.
//
//   node browser.mjs --ca CA.pem --uri VERIFICATION_URI_COMPLETE --login alice
//        [--action approve|decline] [--decline-at consent|code]
//   node browser.mjs --ca CA.pem --uri VERIFICATION_URI --user-code ABCD-EFGH
//        --login alice [--action approve|decline] [--decline-at consent|code]
//   node browser.mjs --ca CA.pem --uri AUTHORIZATION_URL --login alice
//        [--action approve|decline] [--print-redirect]
//
// Success: exit 0 and one line "browser: approved" / "browser: declined" on
// stdout (with --print-redirect: the redirect URL instead).  Failure: exit 1
// and one line "browser: REASON" on stderr.  Usage errors exit 2.
//
// Connections are made from 127.0.0.2 when the provider is on 127.0.0.x, so
// the provider's request log can tell the browser's traffic from the client's.

import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { parseArgs } from 'node:util';

const SOURCE_ADDRESS = '127.0.0.2';
const MAX_STEPS = 30;
const TIMEOUT_MS = 10000;

class Failure extends Error {}

function fail(msg) {
  throw new Failure(msg);
}

function usage(msg) {
  process.stderr.write(`browser: ${msg}\n`);
  process.exit(2);
}

let opts;
try {
  ({ values: opts } = parseArgs({
    options: {
      ca: { type: 'string' },
      uri: { type: 'string' },
      'user-code': { type: 'string' },
      login: { type: 'string' },
      password: { type: 'string', default: 'any' },
      action: { type: 'string', default: 'approve' },
      'decline-at': { type: 'string', default: 'consent' },
      'print-redirect': { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (err) {
  usage(err.message);
}

if (!opts.uri) usage('--uri is required');
if (!['approve', 'decline'].includes(opts.action)) usage('--action must be approve or decline');
if (!['consent', 'code'].includes(opts['decline-at'])) usage('--decline-at must be consent or code');
const approve = opts.action === 'approve';
const start = new URL(opts.uri);
if (start.protocol !== 'https:') usage('--uri must be an https URL');
const origin = start.origin;

let ca;
if (opts.ca) {
  try {
    ca = fs.readFileSync(opts.ca);
  } catch (err) {
    usage(`--ca: ${err.message}`);
  }
}

// ---------------------------------------------------------------- HTTP

const useSource = /^127\.\d+\.\d+\.\d+$/.test(start.hostname);
const agents = {
  'https:': new https.Agent({ ca, keepAlive: true, ...(useSource ? { localAddress: SOURCE_ADDRESS } : {}) }),
  'http:': new http.Agent({ keepAlive: true }),
};

// name -> value, for the provider's origin only
const jar = new Map();

function storeCookies(setCookie) {
  for (const line of setCookie ?? []) {
    const [pair, ...attrs] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq < 1) continue;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    let expired = false;
    for (const attr of attrs) {
      const [k, v = ''] = attr.split('=');
      const key = k.trim().toLowerCase();
      if (key === 'max-age' && Number(v) <= 0) expired = true;
      if (key === 'expires' && Date.parse(v) <= Date.now()) expired = true;
    }
    if (expired) jar.delete(name);
    else jar.set(name, value);
  }
}

function request(method, url, form) {
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? https : http;
  const body = form ? new URLSearchParams(form).toString() : undefined;
  const headers = {
    'user-agent': 'pam-oidc-test-browser/1',
    accept: 'text/html',
  };
  if (u.origin === origin && jar.size) {
    headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  if (body !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    headers['content-length'] = Buffer.byteLength(body);
  }
  return new Promise((resolve, reject) => {
    const req = mod.request(u, {
      method, headers, agent: agents[u.protocol], timeout: TIMEOUT_MS,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        if (u.origin === origin) storeCookies(res.headers['set-cookie']);
        resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err) => {
      // no 127.0.0.2 here: go on from the default address
      if (err.code === 'EADDRNOTAVAIL' && agents['https:'].options.localAddress) {
        agents['https:'].destroy();
        agents['https:'] = new https.Agent({ ca, keepAlive: true });
        request(method, url, form).then(resolve, reject);
        return;
      }
      reject(new Failure(`${method} ${u.origin}${u.pathname}: ${err.code ?? ''} ${err.message}`.replace(/\s+/g, ' ')));
    });
    if (body !== undefined) req.write(body);
    req.end();
  });
}

// ---------------------------------------------------------------- HTML

function decode(s) {
  return s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (m, e) => {
    const l = e.toLowerCase();
    if (l === 'amp') return '&';
    if (l === 'lt') return '<';
    if (l === 'gt') return '>';
    if (l === 'quot') return '"';
    if (l === 'apos') return "'";
    if (l.startsWith('#x')) return String.fromCodePoint(parseInt(l.slice(2), 16));
    return String.fromCodePoint(parseInt(l.slice(1), 10));
  });
}

function attrs(tag) {
  const out = {};
  for (const m of tag.matchAll(/([a-zA-Z_:.-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
    out[m[1].toLowerCase()] = decode(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return out;
}

function forms(html) {
  const list = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const a = attrs(m[1]);
    const inputs = [];
    for (const i of m[2].matchAll(/<input\b([^>]*)>/gi)) inputs.push(attrs(i[1]));
    list.push({
      id: a.id, action: a.action, method: (a.method ?? 'get').toLowerCase(), inputs,
    });
  }
  return list;
}

function hidden(form) {
  const out = {};
  for (const i of form.inputs) {
    if (i.type === 'hidden' && i.name) out[i.name] = i.value ?? '';
  }
  return out;
}

function text(html) {
  return decode(html.replace(/<style[\s\S]*?<\/style>|<script[\s\S]*?<\/script>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').trim();
}

function title(html) {
  const m = /<title>([\s\S]*?)<\/title>/i.exec(html);
  return m ? decode(m[1]).trim() : '';
}

// oidc-provider's error page: <pre><strong>error</strong>: ...</pre> lines
function errorPage(html) {
  if (!/oops! something went wrong/i.test(html)) return undefined;
  const found = {};
  for (const m of html.matchAll(/<strong>(\w+)<\/strong>:\s*([^<]*)/g)) found[m[1]] = decode(m[2]).trim();
  return found.error ? `${found.error}${found.error_description ? ` (${found.error_description})` : ''}` : text(html).slice(0, 200);
}

// ---------------------------------------------------------------- walk

function done(word) {
  process.stdout.write(`browser: ${word}\n`);
  return 0;
}

// A redirect that leaves the provider: the client's redirect_uri.
async function leaving(location) {
  const params = new URL(location).searchParams;
  const gotCode = params.has('code');
  const denied = params.get('error') === 'access_denied';
  if (opts['print-redirect']) {
    process.stdout.write(`${location}\n`);
    if (approve && gotCode) return 0;
    if (!approve && denied) return 0;
    fail(`redirected without ${approve ? 'a code' : 'access_denied'}: error=${params.get('error') ?? ''}`);
  }
  if (approve && !gotCode) fail(`redirected without a code: error=${params.get('error') ?? ''} ${params.get('error_description') ?? ''}`.trim());
  if (!approve && !denied) fail(`redirected without access_denied: ${params.get('error') ?? 'no error'}`);
  const res = await request('GET', location);
  if (res.status >= 400) fail(`redirect_uri answered ${res.status}`);
  return done(approve ? 'approved' : 'declined');
}

async function walk() {
  let method = 'GET';
  let url = start.href;
  let form;
  let logins = 0;
  let sawCodeForm = false;

  for (let step = 0; step < MAX_STEPS; step += 1) {
    const u = new URL(url);
    if (u.origin !== origin) return leaving(url);

    const res = await request(method, url, form);
    method = 'GET';
    form = undefined;

    if (res.status >= 300 && res.status < 400) {
      if (!res.headers.location) fail(`${res.status} without Location from ${u.pathname}`);
      url = new URL(res.headers.location, url).href;
      continue;
    }

    const html = res.body;
    const err = errorPage(html);
    if (err) {
      if (!approve && /^access_denied\b/.test(err)) return done('declined');
      fail(`provider error page: ${err}`);
    }
    if (res.status >= 400) fail(`${u.pathname} answered ${res.status}: ${text(html).slice(0, 200)}`);

    const fs_ = forms(html);
    const byId = (id) => fs_.find((f) => f.id === id);
    const byPrompt = (p) => fs_.find((f) => hidden(f).prompt === p);

    // Device flow: the page with the user-code field.
    const input = byId('op.deviceInputForm');
    if (input) {
      if (/The code you entered is incorrect/i.test(html)) fail('provider rejected the user code (unknown, expired or already used)');
      if (/The Sign-in request was interrupted/i.test(html)) {
        if (!approve) return done('declined');
        fail('provider says the sign-in request was interrupted');
      }
      if (/There was an error processing your request/i.test(html)) fail('provider says there was an error processing the request');
      if (sawCodeForm) fail('user-code form shown again');
      if (!opts['user-code']) fail('provider asks for the user code and no --user-code was given');
      sawCodeForm = true;
      method = 'POST';
      url = new URL(input.action, url).href;
      form = { ...hidden(input), user_code: opts['user-code'] };
      continue;
    }

    // Device flow: "Confirm Device" with the code shown.  Its Abort button
    // submits the same form with abort=yes.
    const confirm = byId('op.deviceConfirmForm');
    if (confirm) {
      method = 'POST';
      url = new URL(confirm.action, url).href;
      form = hidden(confirm);
      if (!approve && opts['decline-at'] === 'code') form.abort = 'yes';
      continue;
    }

    // Login page (devInteractions): any password; unknown logins come back
    // here because the provider finds no such account.
    const login = byPrompt('login');
    if (login) {
      if (!opts.login) fail('provider asks for a login and no --login was given');
      logins += 1;
      if (logins > 1) fail(`login as ${opts.login} not accepted`);
      method = 'POST';
      url = new URL(login.action, url).href;
      form = { ...hidden(login), login: opts.login, password: opts.password };
      continue;
    }

    // Consent page: Continue to approve, the [ Cancel ] link to decline.
    const consent = byPrompt('consent');
    if (consent) {
      if (approve) {
        method = 'POST';
        url = new URL(consent.action, url).href;
        form = hidden(consent);
      } else {
        const m = /<a href="([^"]*\/abort)"/.exec(html);
        if (!m) fail('no cancel link on the consent page');
        url = new URL(decode(m[1]), url).href;
      }
      continue;
    }

    // Auto-submitting form_post page (verification_uri_complete, or a
    // form_post response to the client).
    if (/Submitting Callback/i.test(title(html)) && fs_.length === 1) {
      const f = fs_[0];
      const action = new URL(f.action, url);
      if (action.origin !== origin) {
        fail(`provider posts the response to ${action.origin}${action.pathname} (form_post is not supported here)`);
      }
      method = f.method === 'post' ? 'POST' : 'GET';
      url = action.href;
      form = hidden(f);
      continue;
    }

    if (/Sign-in Success/i.test(title(html))) {
      if (approve) return done('approved');
      fail('sign-in succeeded although declining');
    }

    fail(`unexpected page at ${u.pathname} (${res.status}, "${title(html)}"): ${text(html).slice(0, 160)}`);
  }
  fail(`gave up after ${MAX_STEPS} steps`);
}

let code;
try {
  code = await walk();
} catch (err) {
  process.stderr.write(`browser: ${err instanceof Failure ? err.message : (err.stack ?? err)}\n`.replace(/\n(?!$)/g, ' '));
  code = 1;
}
for (const a of Object.values(agents)) a.destroy();
process.exitCode = code;
