#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# flow = authcode end to end: pamtester -> pam_oidc.so -> pam_oidc_helper
# -> the real oidc-provider (PKCE required) over HTTPS.  The test is the
# browser: browser.mjs signs in and consents on the provider's own pages and
# delivers the redirect to the helper's loopback listener, or prints it so
# that the test pastes it at the prompt (paste mode).
#
# The refusals need no bent provider: the test stands where an attacker
# would, between the provider and the client.  It edits the authorization
# URL before the browser follows it (another nonce, another PKCE challenge:
# the provider then issues a real code and ID token for those) or the
# redirect before it reaches the client (another state or iss, another
# redirect URI).
. "$(dirname "$0")/lib.sh"

# a failing step ends its login soon, not after the default minute
LOGIN_TIMEOUT=20
require_root
command -v curl >/dev/null || die "curl not found"
ensure_user alice
make_certs
start_provider
write_service oidc-login

AUTH_ERR="Authentication failure"
SUCCESS="successfully authenticated"

# ac_config [login lines...]: the test configuration with flow = authcode;
# CLAIMS_EXTRA adds lines to [claims].
ac_config() {
	login=$(printf '%s\\n' "$@")
	write_config "$T/pam_oidc.conf"
	awk -v login="$login" -v claims="${CLAIMS_EXTRA:-}" '
		/^flow = device$/ { print "flow = authcode"; printf "%s", login; next }
		/^leeway = 60$/ { print; if (claims != "") print claims; next }
		{ print }' "$T/pam_oidc.conf" > "$T/conf.new" &&
		mv "$T/conf.new" "$T/pam_oidc.conf" && chmod 0644 "$T/pam_oidc.conf"
	grep -q '^flow = authcode$' "$T/pam_oidc.conf" || die "could not write the configuration"
}

# authz_url: the address the clinician is told to open
authz_url() {
	wait_for "Open this address in a web browser" 20 || return 1
	sed -n '/^Open this address in a web browser/{n;p;q}' "$LAST_OUT"
}

# url_set URL NAME VALUE: URL with query parameter NAME set to VALUE
url_set() {
	"$NODE" -e 'const [u, k, v] = process.argv.slice(1); const x = new URL(u);
		x.searchParams.set(k, v); process.stdout.write(x.href)' "$1" "$2" "$3"
}
# url_get URL NAME: the value of a query parameter
url_get() {
	"$NODE" -e 'const [u, k] = process.argv.slice(1);
		process.stdout.write(new URL(u).searchParams.get(k) ?? "")' "$1" "$2"
}

# browse URL LOGIN ACTION [--print-redirect]: the clinician's browser
browse() {
	"$NODE" "$PROVIDER_DIR/browser.mjs" --ca "$T/certs/ca.pem" --uri "$1" \
		--login "$2" --action "$3" ${4:+"$4"} 2>> "$T/browser.log"
}

# deliver URL: what the browser does with the redirect; prints the status
deliver() {
	curl -s -o "$T/page" -w '%{http_code}' --max-time 10 "$1"
}

type_line() { printf '%s\n' "$1" >&7; }
login_alive() { kill -0 "$PAMTESTER_PID" 2>/dev/null; }

# ---------------------------------------------------------------- loopback

CLAIMS_EXTRA="max_auth_age = 600"
ac_config
CLAIMS_EXTRA=""

# 1. the browser signs in and delivers the code to the listener
start_login oidc-login alice
url=$(authz_url)
check "the clinician sees the authorization URL of the provider" \
	test "${url#"$ISSUER"/auth?}" != "$url"
redirect_uri=$(url_get "$url" redirect_uri)
challenge=$(url_get "$url" code_challenge)
state=$(url_get "$url" state)
nonce=$(url_get "$url" nonce)
check "the redirect_uri sent names the listener's actual port" \
	sh -c "echo '$redirect_uri' | grep -qE '^http://127\\.0\\.0\\.1:[0-9]+/callback\$'"
check "PKCE S256 with a 43-character challenge" \
	sh -c '[ "$1" = S256 ] && [ "$2" -eq 43 ]' _ "$(url_get "$url" code_challenge_method)" ${#challenge}
check "state and nonce carry 256 bits (43 characters each)" \
	sh -c '[ "$1" -eq 43 ] && [ "$2" -eq 43 ]' _ ${#state} ${#nonce}
check "max_age is sent when max_auth_age is set" [ "$(url_get "$url" max_age)" = 600 ]
check "no plain PKCE, no implicit response" [ "$(url_get "$url" response_type)" = code ]
said_browser=$(browse "$url" alice approve)
check "the browser signs in; the listener answers it" [ "$said_browser" = "browser: approved" ]
end_login
check "loopback login -> success" [ "$LOGIN_RC" -eq 0 ]
check "pamtester reports success" said "$SUCCESS"
check "success message names the person" said "Signed in as Alice Example (alice)."
check "audit line: success, flow authcode" \
	audit_has "result=success reason=verified service=oidc-login user=alice .*sub=alice .*flow=authcode"
check "no code, verifier or token in the audit log" \
	sh -c "! grep -qiE 'eyJ|code_verifier|$state|$nonce' '$T/audit.log'"
check "no helper process is left" no_helper_left

ac_config
# 2. a stray request with the wrong state gets 400 and the login goes on;
# after the one accepted request, the listener is gone
start_login oidc-login alice
url=$(authz_url)
redirect=$(browse "$url" alice approve --print-redirect)
st=$(deliver "$(url_set "$redirect" state "$(url_get "$redirect" state | tr 'A-Za-z' 'N-ZA-Mn-za-m')")")
check "a request with the wrong state -> 400" [ "$st" = 400 ]
st=$(deliver "$(echo "$redirect" | sed 's|/callback?|/favicon.ico?|')")
check "a request for another path -> 400" [ "$st" = 400 ]
check "the login still waits after stray requests" login_alive
st=$(deliver "$redirect")
check "the real redirect -> 200" [ "$st" = 200 ]
check "the page says the sign-in went through" grep -q "Signed in .* you can close this window" "$T/page"
deliver "$redirect" > /dev/null
check "a second real request is refused (nobody listens)" [ $? -eq 7 ]
end_login
check "stray requests do not spoil the login -> success" [ "$LOGIN_RC" -eq 0 ]

# 3. RFC 9207: a response whose iss names another provider
start_login oidc-login alice
url=$(authz_url)
redirect=$(browse "$url" alice approve --print-redirect)
check "the provider sends iss in the response" [ "$(url_get "$redirect" iss)" = "$ISSUER" ]
deliver "$(url_set "$redirect" iss https://idp.evil.example)" > /dev/null
end_login
check "iss parameter mismatch -> PAM_AUTH_ERR" said "$AUTH_ERR"
check "audit line names the iss mismatch" \
	audit_has "result=failure reason=\"authorization response iss .*idp.evil.example.* is not the configured issuer .*RFC 9207"
check "the page told the browser" grep -q "another identity provider" "$T/page"

# 4. the clinician declines on the consent page
start_login oidc-login alice
url=$(authz_url)
browse "$url" alice decline > /dev/null
end_login
check "error=access_denied -> PAM_AUTH_ERR" said "$AUTH_ERR"
check "the clinician is told in plain words" said "The sign-in was declined."
check "audit line names access_denied" audit_has "result=failure reason=\"the sign-in was declined at the provider \\(access_denied"

# 5. a code issued for another PKCE challenge: the verifier is refused
start_login oidc-login alice
url=$(authz_url)
other=$("$NODE" -e 'const c = require("crypto");
	process.stdout.write(c.createHash("sha256").update(c.randomBytes(32).toString("base64url")).digest("base64url"))')
browse "$(url_set "$url" code_challenge "$other")" alice approve > /dev/null
end_login
check "PKCE verifier rejected -> PAM_AUTH_ERR" said "$AUTH_ERR"
check "audit line: the token endpoint refused the code (invalid_grant)" \
	audit_has "result=failure reason=\"token endpoint refused the authorization code .*PKCE.*error invalid_grant"

# 6. an ID token minted for another nonce
start_login oidc-login alice
url=$(authz_url)
browse "$(url_set "$url" nonce "injected-$(date +%s)")" alice approve > /dev/null
end_login
check "nonce mismatch -> PAM_AUTH_ERR" said "$AUTH_ERR"
check "audit line names the nonce" audit_has "result=failure reason=\".*nonce"

# 7. pushed authorization request (RFC 9126): the URL carries only
# client_id and request_uri
ac_config "par = yes"
start_login oidc-login alice
url=$(authz_url)
check "PAR: the authorization URL has a request_uri" \
	sh -c "echo '$url' | grep -qE '^$ISSUER/auth\\?client_id=workstation&request_uri=urn[^&]*\$'"
browse "$url" alice approve > /dev/null
end_login
check "PAR login -> success" [ "$LOGIN_RC" -eq 0 ]
check "the parameters went to the PAR endpoint" grep -qE ' POST /request 201$' "$T/op/requests.log"

# ---------------------------------------------------------------- paste

ac_config "redirect_uri = https://127.0.0.1/callback"
# 8. the whole address pasted at the prompt (echo on)
start_login oidc-login alice
url=$(authz_url)
check "paste mode: the redirect_uri is the configured https one" \
	[ "$(url_get "$url" redirect_uri)" = https://127.0.0.1/callback ]
check "paste mode shows a QR code of the authorization URL" said "or scan this QR code with your phone:"
check "paste mode prompts for the address" wait_for "Paste the address you were sent to (or the code):" 10
redirect=$(browse "$url" alice approve --print-redirect)
type_line ""
prompts() { grep -o 'Paste the address you were sent to' "$LAST_OUT" | wc -l; }
i=0
while [ "$(prompts)" -lt 2 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "Enter alone asks again" [ "$(prompts)" -eq 2 ]
type_line "$redirect"
end_login
check "pasted address -> success" [ "$LOGIN_RC" -eq 0 ]
check "audit line: success" audit_has "result=success reason=verified service=oidc-login user=alice"

# 9. the bare code pasted
start_login oidc-login alice
url=$(authz_url)
redirect=$(browse "$url" alice approve --print-redirect)
type_line "$(url_get "$redirect" code)"
end_login
check "pasted bare code -> success (PKCE binds it to this login)" [ "$LOGIN_RC" -eq 0 ]

# 10. state mismatch in a pasted address
start_login oidc-login alice
url=$(authz_url)
redirect=$(browse "$url" alice approve --print-redirect)
type_line "$(url_set "$redirect" state "$(url_get "$url" state | tr 'A-Za-z' 'N-ZA-Mn-za-m')")"
end_login
check "state mismatch -> PAM_AUTH_ERR" said "$AUTH_ERR"
check "audit line names the state" \
	audit_has "result=failure reason=\"authorization response state does not match this login"

# 11. an address for another redirect URI
start_login oidc-login alice
url=$(authz_url)
redirect=$(browse "$url" alice approve --print-redirect)
type_line "$(echo "$redirect" | sed 's|^https://127.0.0.1/callback|https://127.0.0.1:8443/callback|')"
end_login
check "pasted URL for another redirect URI -> PAM_AUTH_ERR" said "$AUTH_ERR"
check "the clinician is told it is not the address sent" said "is not the one this sign-in sent you to"
check "audit line names the redirect_uri" \
	audit_has "result=failure reason=\"pasted address refused: the address is not the redirect_uri"

check "no helper process is left" no_helper_left
finish
