#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Confidential clients end to end: the real oidc-provider with one client
# registration per client_auth method (tests/provider/clients-confidential.json,
# its mTLS feature on), a device login through pamtester with each, and the
# refusals an administrator has to be able to read: a wrong secret, a secret
# file readable by others, an assertion signed with a key the provider does
# not know, a client certificate from a CA the provider does not trust, an
# expired client certificate.  Then the proxy and no_proxy keys, through a
# CONNECT proxy started here.
#
# The client keys and certificates are made here with the openssl command:
# an organisation CA (standing in for a NASH-style PKI), the workstation's
# certificate from it, the same certificate from a rogue CA, an expired one,
# a self-signed certificate in a PKCS#12 file with a passphrase file, and
# the private_key_jwt signing keys.
. "$(dirname "$0")/lib.sh"

require_root
command -v openssl >/dev/null || die "openssl not found"
ensure_user alice
make_certs

SERVICE_ERR="Error in service module"
SUCCESS="successfully authenticated"
C=$T/client
PROXY_PID=""

stop_proxy() {
	if [ -n "$PROXY_PID" ]; then
		kill "$PROXY_PID" 2>/dev/null
		wait "$PROXY_PID" 2>/dev/null
		PROXY_PID=""
	fi
}
trap 'stop_proxy; cleanup' EXIT

# ---------------------------------------------------------------- material

mkdir -p "$C/ca-db"
cat > "$C/openssl.cnf" <<EOF
[req]
distinguished_name = dn
[dn]
[ca]
default_ca = test_ca
[test_ca]
database = $C/ca-db/index.txt
serial = $C/ca-db/serial
new_certs_dir = $C/ca-db
default_md = sha256
policy = any
unique_subject = no
email_in_dn = no
[any]
countryName = optional
organizationName = optional
commonName = supplied
[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
EOF
: > "$C/ca-db/index.txt"
echo 1000 > "$C/ca-db/serial"

ossl() { openssl "$@" > "$C/openssl.log" 2>&1 || { cat "$C/openssl.log"; die "openssl $1 failed"; }; }

# ca NAME SUBJECT: a self-signed CA, valid 3 days
ca() {
	ossl req -x509 -newkey rsa:2048 -nodes -keyout "$C/$1.key" -out "$C/$1.pem" \
		-days 3 -subj "$2" -config "$C/openssl.cnf" -extensions ca_ext
}
# issue CA OUT [START END]: the workstation's certificate request signed by
# CA, for 2 days or from START to END (YYMMDDHHMMSSZ)
issue() {
	if [ $# -eq 4 ]; then dates="-startdate $3 -enddate $4"; else dates="-days 2"; fi
	# shellcheck disable=SC2086
	ossl ca -batch -config "$C/openssl.cnf" -cert "$C/$1.pem" -keyfile "$C/$1.key" \
		-in "$C/ws.csr" -out "$C/$2.pem" -extensions client -notext $dates
}

ca org-ca "/C=AU/O=Example Health PKI/CN=Example Organisation CA"
ca rogue-ca "/C=AU/O=Example Health PKI/CN=Example Organisation CA"
ossl req -new -newkey rsa:2048 -nodes -keyout "$C/ws.key" -out "$C/ws.csr" \
	-subj "/C=AU/O=Example Hospital/CN=workstation.example.org"
issue org-ca ws
issue rogue-ca ws-rogue
issue org-ca ws-expired 200101000000Z 200201000000Z

ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes \
	-keyout "$C/self.key" -out "$C/self.pem" -days 2 -subj "/CN=ws-self-signed"
printf 'Pic 1234-5678\n' > "$C/self.pass"
ossl pkcs12 -export -in "$C/self.pem" -inkey "$C/self.key" -name ws-self-signed \
	-out "$C/self.p12" -passout "file:$C/self.pass"

ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$C/jwt-rsa.key"
ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$C/jwt-ec.key"
ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$C/stranger.key"

# A secret with every character that form-urlencoding changes.
SECRET_CORE=$(openssl rand -hex 16)
SECRET="S3cr3t $SECRET_CORE/+:=%&~*"
printf '%s\n' "$SECRET" > "$C/secret"

chown -R root:root "$C"
chmod 0644 "$C"/*.pem
chmod 0600 "$C"/*.key "$C/self.p12" "$C/self.pass" "$C/secret"

# The registrations: the template with the secret and the public keys filled
# in; kid is the RFC 7638 thumbprint as the jose package computes it.
cat > "$T/clients.mjs" <<'EOF'
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const [providerDir, template, out, ...subs] = process.argv.slice(2);
const require = createRequire(`${providerDir}/package.json`);
const jose = await import(pathToFileURL(require.resolve('jose')).href);

async function jwk(key, extra) {
  const pub = typeof key === 'string' ? crypto.createPublicKey(key) : key;
  const k = pub.export({ format: 'jwk' });
  return { ...k, kid: await jose.calculateJwkThumbprint(k), use: 'sig', ...extra };
}
const values = {};
for (const s of subs) {
  const [name, kind, file] = s.split(':');
  const text = fs.readFileSync(file, 'utf8');
  if (kind === 'text') values[name] = text.replace(/\n$/, '');
  else if (kind === 'jwk') values[name] = await jwk(text, {});
  else if (kind === 'x5c') {
    const x = new crypto.X509Certificate(text);
    values[name] = await jwk(x.publicKey, { x5c: [x.raw.toString('base64')] });
  }
}
const fill = (v) => {
  if (typeof v === 'string') {
    const m = /^@([A-Z0-9_]+)@$/.exec(v);
    if (m && !(m[1] in values)) throw new Error(`no value for ${v}`);
    return m ? values[m[1]] : v;
  }
  if (Array.isArray(v)) return v.map(fill);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)]));
  return v;
};
fs.writeFileSync(out, JSON.stringify(fill(JSON.parse(fs.readFileSync(template, 'utf8'))), null, 1));
EOF
"$NODE" "$T/clients.mjs" "$PROVIDER_DIR" "$PROVIDER_DIR/clients-confidential.json" \
	"$T/clients.json" "CLIENT_SECRET:text:$C/secret" "JWT_RSA_JWK:jwk:$C/jwt-rsa.key" \
	"JWT_EC_JWK:jwk:$C/jwt-ec.key" "SELF_SIGNED_JWK:x5c:$C/self.pem" ||
	die "cannot fill in the client registrations"

start_provider --clients "$T/clients.json" --mtls-ca "$C/org-ca.pem"
write_service oidc-login

# conf CLIENT_ID [lines for the [provider] section...]
conf() {
	id=$1
	shift
	write_config "$T/pam_oidc.conf"
	printf '%s\n' "$@" > "$T/extra.conf"
	sed -i -e "s|^client_id = workstation\$|client_id = $id|" \
		-e "/^client_id = /r $T/extra.conf" "$T/pam_oidc.conf"
}

# approve: a device login for alice, approved on the provider's pages
approve() {
	start_login oidc-login alice
	browser alice approve
	end_login
}
# refused: a login that must stop before any code is shown
refused() {
	start_login oidc-login alice
	end_login
}
requests() { grep -v ' browser$' "$T/op/requests.log" | grep -cE " POST $1 "; }

# ---------------------------------------------------------------- each method

conf ws-basic "client_auth = client_secret_basic" "client_secret_file = $C/secret"
approve
check "client_secret_basic: device login succeeds" [ "$LOGIN_RC" -eq 0 ]
check "client_secret_basic: audit line says success" \
	audit_has "result=success reason=verified service=oidc-login user=alice .*flow=device"

conf ws-post "client_auth = client_secret_post" "client_secret_file = $C/secret"
approve
check "client_secret_post: device login succeeds" [ "$LOGIN_RC" -eq 0 ]

conf ws-jwt-rsa "client_auth = private_key_jwt" "client_key_file = $C/jwt-rsa.key"
approve
check "private_key_jwt, RSA key, RS384 by default: device login succeeds" [ "$LOGIN_RC" -eq 0 ]

conf ws-jwt-ec "client_auth = private_key_jwt" "client_key_file = $C/jwt-ec.key" \
	"client_assertion_alg = ES384" "assertion_audience = issuer"
approve
check "private_key_jwt, EC P-384, ES384, aud = issuer: device login succeeds" [ "$LOGIN_RC" -eq 0 ]

: > "$T/op/requests.log"
conf ws-mtls "client_auth = tls_client_auth" "client_cert_file = $C/ws.pem" \
	"client_key_file = $C/ws.key"
approve
check "tls_client_auth (organisation certificate): device login succeeds" [ "$LOGIN_RC" -eq 0 ]
check "tls_client_auth: the device authorization went to the mtls alias" \
	[ "$(requests /mtls/device/auth)" -ge 1 ]
check "tls_client_auth: the token requests went to the mtls alias" \
	[ "$(requests /mtls/token)" -ge 1 ]

conf ws-self-signed "client_auth = self_signed_tls_client_auth" \
	"client_pkcs12_file = $C/self.p12" "client_pkcs12_passphrase_file = $C/self.pass"
approve
check "self_signed_tls_client_auth (PKCS#12 + passphrase file): device login succeeds" [ "$LOGIN_RC" -eq 0 ]

check "the client secret is in no log or output" \
	sh -c "! grep -rqF '$SECRET_CORE' '$T/audit.log' '$T/op/provider.log' $T/out.*"

# ---------------------------------------------------------------- refusals

LOGIN_TIMEOUT=15
export LOGIN_TIMEOUT

# a wrong secret: the provider says invalid_client; the admin's to fix
printf 'not-the-secret\n' > "$C/wrong-secret"
chmod 0600 "$C/wrong-secret"
conf ws-basic "client_auth = client_secret_basic" "client_secret_file = $C/wrong-secret"
refused
check "wrong client secret -> PAM_SERVICE_ERR" said "$SERVICE_ERR"
check "wrong client secret: the reason is invalid_client and names the secret file" \
	audit_has "reason=\"device authorization: error invalid_client: .* \\(client_auth = client_secret_basic: check that client_secret_file $C/wrong-secret holds the secret registered for client ws-basic"

# a secret file readable by others: refused before anything is sent
chmod 0644 "$C/secret"
before=$(requests /device/auth)
conf ws-post "client_auth = client_secret_post" "client_secret_file = $C/secret"
refused
check "secret file of mode 0644 -> PAM_SERVICE_ERR" said "$SERVICE_ERR"
check "secret file of mode 0644: the reason names the file and the fix" \
	audit_has "client_secret_file $C/secret has mode 0644: group or other may read it \\(fix: chmod 0600 $C/secret\\)"
check "secret file of mode 0644: the secret was not sent" [ "$(requests /device/auth)" -eq "$before" ]
chmod 0600 "$C/secret"

# an assertion signed with a key the provider does not know
conf ws-jwt-ec "client_auth = private_key_jwt" "client_key_file = $C/stranger.key"
refused
check "assertion signed by an unknown key -> PAM_SERVICE_ERR" said "$SERVICE_ERR"
check "unknown key: the reason is invalid_client and names the key's kid" \
	audit_has "reason=\"device authorization: error invalid_client: .* \\(client_auth = private_key_jwt: check that client ws-jwt-ec has the public key of $C/stranger.key registered with kid [A-Za-z0-9_-]{43} and alg ES384"
check "unknown key: the provider saw an assertion it could not verify" \
	grep -q "POST /device/auth 401" "$T/op/requests.log"

# a client certificate from a CA the provider does not trust (same subject)
conf ws-mtls "client_auth = tls_client_auth" "client_cert_file = $C/ws-rogue.pem" \
	"client_key_file = $C/ws.key"
refused
check "client certificate from an untrusted CA -> PAM_SERVICE_ERR" said "$SERVICE_ERR"
check "untrusted CA: the reason is invalid_client and names the certificate's issuer" \
	audit_has "reason=\"device authorization: error invalid_client: .* \\(client_auth = tls_client_auth: check that the provider trusts the issuer of the certificate in $C/ws-rogue.pem \\(CN=Example Organisation CA,O=Example Health PKI,C=AU\\)"

# an expired client certificate: refused here, with the date and the fix
conf ws-mtls "client_auth = tls_client_auth" "client_cert_file = $C/ws-expired.pem" \
	"client_key_file = $C/ws.key"
refused
check "expired client certificate -> PAM_SERVICE_ERR" said "$SERVICE_ERR"
check "expired client certificate: the reason names the file and the date" \
	audit_has "client certificate in client_cert_file $C/ws-expired.pem expired on 2020-02-01 00:00:00 UTC \\(fix: install the renewed certificate and key\\)"

unset LOGIN_TIMEOUT

# ---------------------------------------------------------------- proxy

cat > "$T/proxy.mjs" <<'EOF'
// A CONNECT-only HTTP proxy to 127.0.0.1 that logs each tunnel.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';

const log = process.argv[2];
const server = http.createServer((req, res) => { res.writeHead(405); res.end(); });
server.on('connect', (req, sock, head) => {
  fs.appendFileSync(log, `CONNECT ${req.url}\n`);
  const m = /^127\.0\.0\.1:(\d+)$/.exec(req.url);
  if (!m) { sock.end('HTTP/1.1 403 Forbidden\r\n\r\n'); return; }
  const up = net.connect(Number(m[1]), '127.0.0.1', () => {
    sock.write('HTTP/1.1 200 Connection established\r\n\r\n');
    if (head.length) up.write(head);
    up.pipe(sock);
    sock.pipe(up);
  });
  up.on('error', () => sock.destroy());
  sock.on('error', () => up.destroy());
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`READY ${server.address().port}\n`));
EOF
: > "$T/proxy.log"
"$NODE" "$T/proxy.mjs" "$T/proxy.log" > "$T/proxy.out" 2>&1 &
PROXY_PID=$!
i=0
until grep -q '^READY ' "$T/proxy.out"; do
	i=$((i + 1))
	[ $i -gt 100 ] && die "the test proxy did not start"
	sleep 0.1
done
PROXY_PORT=$(sed -n 's/^READY //p' "$T/proxy.out")
OP_HOSTPORT=${ISSUER#https://}

conf ws-basic "client_auth = client_secret_basic" "client_secret_file = $C/secret" \
	"proxy = http://127.0.0.1:$PROXY_PORT"
approve
check "through proxy = http://127.0.0.1:$PROXY_PORT: device login succeeds" [ "$LOGIN_RC" -eq 0 ]
check "the proxy carried the connection (CONNECT $OP_HOSTPORT)" \
	grep -qxF "CONNECT $OP_HOSTPORT" "$T/proxy.log"

: > "$T/proxy.log"
conf ws-basic "client_auth = client_secret_basic" "client_secret_file = $C/secret" \
	"proxy = http://127.0.0.1:$PROXY_PORT" "no_proxy = .example.org 127.0.0.1"
approve
check "no_proxy = 127.0.0.1: device login succeeds" [ "$LOGIN_RC" -eq 0 ]
check "no_proxy = 127.0.0.1: the proxy was not used" [ ! -s "$T/proxy.log" ]

# proxy variables in the environment are not used
conf ws-basic "client_auth = client_secret_basic" "client_secret_file = $C/secret"
https_proxy=http://127.0.0.1:$PROXY_PORT HTTPS_PROXY=http://127.0.0.1:$PROXY_PORT \
	all_proxy=http://127.0.0.1:$PROXY_PORT
export https_proxy HTTPS_PROXY all_proxy
approve
unset https_proxy HTTPS_PROXY all_proxy
check "with https_proxy in the environment: device login succeeds" [ "$LOGIN_RC" -eq 0 ]
check "with https_proxy in the environment: the proxy was not used" [ ! -s "$T/proxy.log" ]
stop_proxy

finish
