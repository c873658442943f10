#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# SMART on FHIR end to end: with fhir_base_url set, a code-flow login first
# reads {fhir_base_url}/.well-known/smart-configuration from a FHIR server
# (here a small HTTPS server started by this script, with the test CA,
# serving the document the test writes), refuses a document that names
# another issuer or offers no PKCE S256, and otherwise sends aud =
# fhir_base_url on the authorization request to the real oidc-provider.
. "$(dirname "$0")/lib.sh"

LOGIN_TIMEOUT=20
require_root
ensure_user alice
make_certs
start_provider
write_service oidc-login

AUTH_ERR="Authentication failure"
SERVICE_ERR="Error in service module"

# ---------------------------------------------------------------- FHIR server

FHIR_PID=""
start_fhir() {
	mkdir -p "$T/fhir"
	cat > "$T/fhir/server.mjs" <<'JS'
// The FHIR server's SMART configuration: the file named by argv[4], read
// again at each request; every request logged to argv[5].
import * as fs from 'node:fs';
import * as https from 'node:https';

const [cert, key, doc, log] = process.argv.slice(2);
const server = https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) },
  (req, res) => {
    fs.appendFileSync(log, `${req.method} ${req.url}\n`);
    if (req.method === 'GET' && req.url === '/fhir/.well-known/smart-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(fs.readFileSync(doc));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
    }
  });
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`READY https://127.0.0.1:${server.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
JS
	: > "$T/fhir/requests.log"
	: > "$T/fhir/stdout"
	"$NODE" "$T/fhir/server.mjs" "$T/certs/server.pem" "$T/certs/server.key" \
		"$T/fhir/smart.json" "$T/fhir/requests.log" > "$T/fhir/stdout" 2> "$T/fhir/stderr" &
	FHIR_PID=$!
	i=0
	while ! grep -q '^READY ' "$T/fhir/stdout"; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$FHIR_PID" 2>/dev/null; then
			cat "$T/fhir/stderr" >&2
			die "the FHIR server did not start"
		fi
		sleep 0.1
	done
	FHIR=$(sed -n 's/^READY //p' "$T/fhir/stdout")/fhir
}
smart_cleanup() {
	[ -n "$FHIR_PID" ] && kill "$FHIR_PID" 2>/dev/null && wait "$FHIR_PID" 2>/dev/null
	cleanup
}
trap smart_cleanup EXIT

# smart_doc ISSUER METHODS: the SMART configuration served
smart_doc() {
	cat > "$T/fhir/smart.json" <<JSON
{
  "issuer": "$1",
  "authorization_endpoint": "$ISSUER/auth",
  "token_endpoint": "$ISSUER/token",
  "code_challenge_methods_supported": $2,
  "grant_types_supported": ["authorization_code"],
  "capabilities": ["launch-standalone", "client-public", "sso-openid-connect",
                   "context-standalone-patient", "permission-v2"]
}
JSON
}

# smart_config BASE_URL: flow = authcode (loopback) with fhir_base_url
smart_config() {
	write_config "$T/pam_oidc.conf"
	sed -i -e 's/^flow = device$/flow = authcode/' \
		-e "s|^timeout = 5\$|timeout = 5\\nfhir_base_url = $1|" "$T/pam_oidc.conf"
	grep -q "^fhir_base_url = $1\$" "$T/pam_oidc.conf" || die "could not write the configuration"
}

url_get() {
	"$NODE" -e 'const [u, k] = process.argv.slice(1);
		process.stdout.write(new URL(u).searchParams.get(k) ?? "")' "$1" "$2"
}

start_fhir
smart_config "$FHIR"

# 1. the FHIR server names another identity provider
smart_doc "https://idp.elsewhere.example" '["S256"]'
start_login oidc-login alice
end_login
check "smart-configuration issuer mismatch -> PAM_AUTH_ERR" said "$AUTH_ERR"
check "audit line names the SMART issuer mismatch" \
	audit_has "result=failure reason=\"smart-configuration issuer mismatch: it says .*idp.elsewhere.example"
check "no authorization URL was shown" sh -c "! grep -q 'Open this address' '$LAST_OUT'"
check "the document was read at fhir_base_url" \
	grep -qx "GET /fhir/.well-known/smart-configuration" "$T/fhir/requests.log"

# 2. S256 missing (only plain offered)
smart_doc "$ISSUER" '["plain"]'
start_login oidc-login alice
end_login
check "smart-configuration without S256 -> PAM_AUTH_ERR" said "$AUTH_ERR"
check "audit line says S256 is not offered" \
	audit_has "result=failure reason=\"smart-configuration: code_challenge_methods_supported does not offer S256"

# 3. a wrong fhir_base_url (404) is the administrator's to fix
smart_config "${FHIR%/fhir}/r4"
start_login oidc-login alice
end_login
check "no smart-configuration at fhir_base_url -> PAM_SERVICE_ERR" said "$SERVICE_ERR"
check "audit line points to fhir_base_url" audit_has "answered HTTP 404: check fhir_base_url"

# 4. a good document: the login proceeds, with aud
smart_config "$FHIR"
smart_doc "$ISSUER" '["S256"]'
start_login oidc-login alice
wait_for "Open this address in a web browser" 20
url=$(sed -n '/^Open this address in a web browser/{n;p;q}' "$LAST_OUT")
check "the authorization request carries aud = fhir_base_url" [ "$(url_get "$url" aud)" = "$FHIR" ]
"$NODE" "$PROVIDER_DIR/browser.mjs" --ca "$T/certs/ca.pem" --uri "$url" --login alice \
	--action approve >> "$T/browser.log" 2>&1
end_login
check "good smart-configuration -> success" [ "$LOGIN_RC" -eq 0 ]
check "audit line: success with flow authcode" audit_has "result=success reason=verified .*flow=authcode"
check "no helper process is left" no_helper_left

finish
