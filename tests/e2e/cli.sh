#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The administrator's tool pam-oidc against the real provider: check,
# verify and login, their exit statuses (0 ok, 1 rejected, 2 usage or
# configuration error, 3 provider unavailable), and output that cannot take
# over the terminal whatever the claims hold.
. "$(dirname "$0")/lib.sh"

CLI=$top_builddir/helper/pam-oidc
require_root
[ -x "$CLI" ] || die "pam-oidc not built: $CLI"
command -v curl >/dev/null || die "curl not found (apt-get install curl)"
ensure_user alice
ensure_user bob
make_certs

# alice's display name carries terminal escape sequences (ESC, BEL, a C1
# control, a right-to-left override) and one harmless accented letter.
cat > "$T/accounts.json" <<'EOF'
{
  "alice": {
    "preferred_username": "alice",
    "name": "Alic\u00e9 \u001b[31mRed\u001b[0m \u001b]0;owned\u0007 \u202eevil\u0085",
    "npi": "1234567893",
    "practitioner_role": ["physician"]
  },
  "bob": {
    "preferred_username": "bob",
    "npi": "2000000002",
    "practitioner_role": ["nurse"]
  },
  "mallory": { "preferred_username": "root" }
}
EOF
start_provider --accounts "$T/accounts.json"

CONF=$T/pam_oidc.conf
# config FILE [sed expressions...]: the shared test configuration with its
# own cache directory, edited
config() {
	f=$1; shift
	write_config "$f"
	if grep -q '^cache_dir = ' "$f"; then
		sed -i "s|^cache_dir = .*|cache_dir = $T/cache|" "$f"
	else
		sed -i "/^timeout = /a cache_dir = $T/cache" "$f"
	fi
	for x in "$@"; do sed -i "$x" "$f"; done
}
config "$CONF"

OUT=$T/cli.out
ERR=$T/cli.err
# cli ARGS... [< input]: run pam-oidc; RC, $OUT (stdout), $ERR (stderr)
cli() {
	"$CLI" "$@" > "$OUT" 2> "$ERR"
	RC=$?
}
# cli_in LOCALE ARGS...: the same in a locale
cli_in() {
	loc=$1; shift
	env LC_ALL="$loc" "$CLI" "$@" > "$OUT" 2> "$ERR"
	RC=$?
}
t() {
	name=$1; shift
	if "$@"; then ok "$name"; else
		not_ok "$name" "$OUT" "$ERR" "$T/browser.log"
		echo "#   (exit status $RC)"
	fi
}
out_has() { grep -qE -- "$1" "$OUT"; }
err_has() { grep -qE -- "$1" "$ERR"; }
# rejected_line ERE: stdout is exactly one line, "rejected: " and ERE
rejected_line() { [ "$(wc -l < "$OUT")" -eq 1 ] && grep -qE -- "^rejected: $1" "$OUT"; }
ESC=$(printf '\033')
BEL=$(printf '\007')
no_raw_controls() { ! grep -q "[$ESC$BEL]" "$OUT" && ! grep -q "$(printf '\342\200\256')" "$OUT" && ! grep -q "$(printf '\302\205')" "$OUT"; }

json_field() {
	"$NODE" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{
		const v=JSON.parse(s)[process.argv[1]];
		if (typeof v !== "string") process.exit(1);
		console.log(v)})' "$1"
}

# id_token LOGIN: a real ID token, through a device grant approved on the
# provider's pages
id_token() {
	da=$(curl -s --cacert "$T/certs/ca.pem" -d client_id=workstation \
		--data-urlencode "scope=openid profile" "$ISSUER/device/auth") || return 1
	uric=$(printf '%s' "$da" | json_field verification_uri_complete) || return 1
	dc=$(printf '%s' "$da" | json_field device_code) || return 1
	"$NODE" "$PROVIDER_DIR/browser.mjs" --ca "$T/certs/ca.pem" --uri "$uric" \
		--login "$1" >> "$T/browser.log" 2>&1 || return 1
	curl -s --cacert "$T/certs/ca.pem" -d client_id=workstation \
		-d grant_type=urn:ietf:params:oauth:grant-type:device_code \
		-d "device_code=$dc" "$ISSUER/token" | json_field id_token
}

# --- usage ---------------------------------------------------------------
cli
t "no command -> exit 2" [ "$RC" -eq 2 ]
t "no command -> says what is missing" err_has "no command given"
cli frobnicate -c "$CONF"
t "unknown command -> exit 2" [ "$RC" -eq 2 ]
cli check --colour
t "unknown option -> exit 2" [ "$RC" -eq 2 ]
cli verify --claims "$T/x.json" -c "$CONF"
t "--claims with verify -> exit 2" [ "$RC" -eq 2 ]
cli check -c
t "option without its value -> exit 2" [ "$RC" -eq 2 ]
cli --help
t "--help -> exit 0 and the usage" sh -c "[ $RC -eq 0 ] && grep -q '^Usage: pam-oidc COMMAND' '$OUT'"
cli --version
t "--version -> exit 0 and the version" sh -c "[ $RC -eq 0 ] && grep -q '^pam-oidc (pam_oidc) [0-9]' '$OUT'"

# --- check ---------------------------------------------------------------
cli check -c "$CONF"
t "check, good configuration -> exit 0" [ "$RC" -eq 0 ]
t "check names the flow and why" out_has "^flow: device \(flow = device\)$"
t "check confirms the issuer" out_has "issuer https://127.0.0.1:[0-9]+ matches the configuration"
t "check lists the RSA key and its algorithms" out_has "key \"rsa1\": RSA 2048 bits.*verifies RS256 PS256$"
t "check lists the EC key" out_has "key \"ec1\": EC P-256.*verifies ES256$"
t "check lists the Ed25519 key" out_has "key \"ed1\": OKP Ed25519.*verifies EdDSA$"
t "check shows the scopes" out_has "^scopes: openid profile$"
t "check shows the mapping" out_has "^mapping: the claim preferred_username names the local account$"
t "check shows where the cache is" out_has "^cache: $T/cache$"
t "check ends with no error and no warning" out_has "^0 error\(s\), 0 warning\(s\)$"

config "$T/auto.conf" "s/^flow = device/flow = auto/"
cli check -c "$T/auto.conf"
t "flow = auto -> exit 0" [ "$RC" -eq 0 ]
t "flow = auto: says which flow and why" \
	out_has "^flow: device \(flow = auto: the provider advertises a device_authorization_endpoint\)$"

config "$T/bad.conf" "/^client_id = /a clientid = typo"
cli check -c "$T/bad.conf"
t "check, unknown key -> exit 2" [ "$RC" -eq 2 ]
t "check names file:line of the bad key" out_has "^error: $T/bad.conf:5: unknown key \"clientid\""

config "$T/slash.conf" "s|^issuer = .*|issuer = $ISSUER/|"
cli check -c "$T/slash.conf"
t "check, issuer differs from the provider's -> exit 2" [ "$RC" -eq 2 ]
t "check names the issuer mismatch" out_has "^error: .*issuer.*$ISSUER/"

config "$T/algs.conf" "s/^allowed_algs = .*/allowed_algs = ES512/"
cli check -c "$T/algs.conf"
t "check, no provider key fits allowed_algs -> exit 2" [ "$RC" -eq 2 ]
t "check says no key fits allowed_algs" out_has "^error: jwks: no usable key fits allowed_algs \(ES512\)"

config "$T/smart.conf" "/^timeout = /a fhir_base_url = $ISSUER/fhir"
cli check -c "$T/smart.conf"
t "check, fhir_base_url without a SMART configuration -> exit 2" [ "$RC" -eq 2 ]
t "... says which URL failed and what to check" \
	out_has "^error: smart-configuration $ISSUER/fhir/.well-known/smart-configuration answered HTTP 404: check fhir_base_url"

chmod 0666 "$T/auto.conf"
cli check -c "$T/auto.conf"
t "check, world-writable configuration -> exit 2" [ "$RC" -eq 2 ]
t "check gives the fix" out_has "^error: .*auto.conf: writable by group or other.*chmod 0644"

echo '{"iss":"x","sub":"alice","preferred_username":"alice"}' > "$T/alice.json"
cli check -c "$CONF" --claims "$T/alice.json"
t "check --claims alice -> exit 0" [ "$RC" -eq 0 ]
t "check --claims names the rule" out_has "^  rule: username_claim preferred_username$"
t "check --claims names the account" out_has "^  account: alice$"

echo '{"sub":"m","preferred_username":"root"}' > "$T/root.json"
cli check -c "$CONF" --claims "$T/root.json"
t "check --claims mapping to root -> exit 1" [ "$RC" -eq 1 ]
t "check --claims says why" out_has "^  rejected: account: \"root\" has uid 0"

printf '# wards\npractitioner_role = nurse -> bob\npreferred_username ~ /([a-z]+)/ -> \\1\n' > "$T/pam_oidc.map"
chmod 0644 "$T/pam_oidc.map"
config "$T/map.conf" "/^username_claim = /a map_file = $T/pam_oidc.map"
echo '{"sub":"n1","preferred_username":"nina","practitioner_role":["nurse"]}' > "$T/nurse.json"
cli check -c "$T/map.conf" --claims "$T/nurse.json"
t "check --claims with a map file -> exit 0" [ "$RC" -eq 0 ]
t "check counts the map file's rules" out_has "^mapping: map file $T/pam_oidc.map, 2 rule\(s\)"
t "check --claims: a nurse hits line 2, account bob" \
	sh -c "grep -q '^  rule: map file line 2$' '$OUT' && grep -q '^  account: bob$' '$OUT'"

printf 'practitioner_role = nurse -> bob\npreferred_username ~ /([a-z]+/ -> \\1\n' > "$T/pam_oidc.map"
cli check -c "$T/map.conf"
t "check, broken map file -> exit 2" [ "$RC" -eq 2 ]
t "check names map file:line" out_has "^error: $T/pam_oidc.map:2: "

# --- verify --------------------------------------------------------------
TOKEN=$(id_token alice)
[ -n "$TOKEN" ] || die "could not get an ID token from the provider (see $T/browser.log)"
printf '%s\n' "$TOKEN" > "$T/alice.jwt"

cli_in C verify -c "$CONF" < "$T/alice.jwt"
t "verify a real ID token -> exit 0" [ "$RC" -eq 0 ]
t "verify prints the account" out_has "^account: alice$"
t "verify prints the rule" out_has "^rule: username_claim preferred_username$"
t "verify prints the verified claims" out_has "^  \"sub\": \"alice\",?$"
t "no escape sequence, BEL, C1 or bidi control reaches the terminal" no_raw_controls
t "the claims are shown escaped" out_has 'Alic\\u00e9 \\u001b\[31mRed\\u001b\[0m \\u001b\]0;owned\\u0007 \\u202eevil\\u0085'
t "the claims printed are valid JSON holding the exact value" sh -c "head -n -2 '$OUT' | '$NODE' -e '
	const c = JSON.parse(require(\"fs\").readFileSync(0, \"utf8\"));
	process.exit(c.name === \"Alic\u00e9 \u001b[31mRed\u001b[0m \u001b]0;owned\u0007 \u202eevil\u0085\" ? 0 : 1)'"
cli_in C.UTF-8 verify -c "$CONF" < "$T/alice.jwt"
t "in a UTF-8 locale letters pass, controls stay escaped" \
	sh -c "[ $RC -eq 0 ] && grep -q 'Alicé \\\\u001b\\[31m' '$OUT' && grep -q '\\\\u202eevil' '$OUT'"
t "... and nothing raw reaches the terminal" no_raw_controls

cli verify -c "$CONF" --user alice < "$T/alice.jwt"
t "verify --user alice -> exit 0" sh -c "[ $RC -eq 0 ] && grep -q '^account: alice$' '$OUT'"
cli verify -c "$CONF" --user bob < "$T/alice.jwt"
t "verify --user bob with alice's token -> exit 1" [ "$RC" -eq 1 ]
t "... one line that names both accounts" rejected_line '.*"alice".*"bob"'

printf '%s' "$TOKEN" | "$NODE" -e '
	const t = require("fs").readFileSync(0, "utf8").split(".");
	const p = JSON.parse(Buffer.from(t[1], "base64url"));
	p.preferred_username = "bob";
	t[1] = Buffer.from(JSON.stringify(p)).toString("base64url");
	console.log(t.join("."))' > "$T/tampered.jwt"
cli verify -c "$CONF" < "$T/tampered.jwt"
t "verify a tampered payload -> exit 1" [ "$RC" -eq 1 ]
t "... exactly one line: rejected: signature" rejected_line "signature: "

printf '%s' "$TOKEN" | "$NODE" -e '
	const t = require("fs").readFileSync(0, "utf8").split(".");
	t[0] = Buffer.from(JSON.stringify({alg: "none", kid: "rsa1"})).toString("base64url");
	console.log(t.join("."))' > "$T/none.jwt"
cli verify -c "$CONF" < "$T/none.jwt"
t "verify alg none -> exit 1, rule alg" sh -c "[ $RC -eq 1 ] && grep -q '^rejected: alg' '$OUT'"

cli verify -c "$CONF" < /dev/null
t "verify empty input -> exit 1, rule token format" sh -c "[ $RC -eq 1 ] && grep -q '^rejected: token format' '$OUT'"
echo 'this is not a token' > "$T/garbage"
cli verify -c "$CONF" < "$T/garbage"
t "verify garbage -> exit 1" [ "$RC" -eq 1 ]
t "... one line that says it is not a token" rejected_line "token format: .*3 dot-separated parts"
head -c 70000 /dev/zero | tr '\0' a > "$T/huge"
cli verify -c "$CONF" < "$T/huge"
t "verify a 70000-byte input -> exit 1, rule token size" sh -c "[ $RC -eq 1 ] && grep -q '^rejected: token size' '$OUT'"

chmod 0666 "$T/auto.conf"
cli verify -c "$T/auto.conf" < "$T/alice.jwt"
t "verify with a world-writable configuration -> exit 2" [ "$RC" -eq 2 ]
t "... error: on stderr" err_has "^error: .*writable by group or other"
chmod 0644 "$T/auto.conf"

# --- login ---------------------------------------------------------------
# login_cli ARGS...: pam-oidc login in the background, like a person at a
# terminal; lib.sh's browser reads the code from its output
login_cli() {
	LAST_OUT=$OUT
	"$CLI" login "$@" > "$OUT" 2> "$ERR" < /dev/null &
	PAMTESTER_PID=$!
}
login_wait() { wait "$PAMTESTER_PID"; RC=$?; }

login_cli -c "$CONF" --user alice
browser alice approve
login_wait
t "login approved in the browser -> exit 0" [ "$RC" -eq 0 ]
t "login showed the code to enter" out_has "^and enter the code: [A-Z]{4}-[A-Z]{4}$"
t "login prints the account" out_has "^account: alice$"
t "login prints the verified claims" out_has "^  \"preferred_username\": \"alice\",?$"
t "login output is safe for the terminal" no_raw_controls
t "login writes the audit line of a login" \
	audit_has "result=success reason=verified service=pam-oidc user=alice .*iss=https://127.0.0.1:[0-9]+ sub=alice .*account=alice .*flow=device"

login_cli -c "$CONF" --user alice
browser alice decline
login_wait
t "login declined -> exit 1" [ "$RC" -eq 1 ]
t "... rejected: names the denial" out_has "^rejected: .*access_denied"
t "... audit line: failure" audit_has "result=failure .*service=pam-oidc user=alice"

login_cli -c "$CONF" --user bob
browser alice approve
login_wait
t "login for bob approved as alice -> exit 1" [ "$RC" -eq 1 ]
t "... names both accounts" out_has "^rejected: .*\"alice\".*\"bob\""

# flow = token: the prompt is answered on stdin.  The token was verified
# above with verify, which does not spend it: it is accepted once here.
config "$T/token.conf" "s/^flow = device/flow = token/"
cli login -c "$T/token.conf" --user alice < "$T/alice.jwt"
t "login, flow = token, token given at the prompt -> exit 0" [ "$RC" -eq 0 ]
t "... the prompt was shown" out_has "^ID token: $"
t "... and the account" out_has "^account: alice$"
cli login -c "$T/token.conf" --user alice < "$T/alice.jwt"
t "the same token a second time -> exit 1" [ "$RC" -eq 1 ]
t "... rejected: replay" sh -c "grep -q '^rejected: replay' '$OUT' && [ \$(grep -c '^rejected' '$OUT') -eq 1 ]"
cli login -c "$T/token.conf" --user alice < /dev/null
t "flow = token and stdin closed at the prompt -> exit 1" [ "$RC" -eq 1 ]

# On a terminal (script(1) gives pam-oidc a pseudo-terminal): a pasted token
# is not echoed, a paste longer than a terminal line (4095 bytes in
# canonical mode) arrives whole, and the terminal's echo is back afterwards.
# The text is typed 2 s after the start, once the prompt is up.
# on_tty TEXT ARGS...: type TEXT and Enter at the prompt of pam-oidc ARGS
on_tty() {
	text=$1; shift
	(sleep 2; printf '%s\r' "$text"; sleep 3) |
		script -qf -c "stty echo; $CLI $*; echo EXIT=\$?; stty -a | grep -q ' echo ' && echo ECHO-ON" \
			/dev/null > "$OUT" 2>&1
	RC=$?
}
if command -v script >/dev/null 2>&1; then
	TOKEN2=$(id_token alice)
	on_tty "$TOKEN2" login -c "$T/token.conf" --user alice
	t "on a terminal, a pasted token -> exit 0" sh -c "grep -q '^account: alice' '$OUT' && grep -q '^EXIT=0' '$OUT'"
	t "... the token is not echoed" sh -c "! grep -qF '$(printf %s "$TOKEN2" | cut -c 1-40)' '$OUT'"
	t "... the terminal echoes again afterwards" out_has "^ECHO-ON"
	long=$(head -c 3000 /dev/zero | tr '\0' a).$(head -c 3000 /dev/zero | tr '\0' b)
	on_tty "$long" login -c "$T/token.conf" --user alice
	t "on a terminal, a 6001-character paste arrives whole" \
		sh -c "grep -q '^rejected: .*2 dot-separated parts' '$OUT' && ! grep -q 'cut short' '$OUT'"
else
	for x in "token on a terminal" "token not echoed" "echo restored" "long paste"; do
		ok "$x # SKIP no script(1) (util-linux)"
	done
fi

# --- the provider stopped --------------------------------------------------
stop_provider
cli check -c "$CONF"
t "check with the provider stopped -> exit 3" [ "$RC" -eq 3 ]
t "... says the provider cannot be reached" out_has "^error: provider unavailable: "
t "... and still shows the local parts" out_has "^mapping: the claim preferred_username names the local account$"

cli verify -c "$CONF" < "$T/alice.jwt"
t "verify with the provider stopped uses the cached keys -> exit 0" \
	sh -c "[ $RC -eq 0 ] && grep -q '^account: alice$' '$OUT'"
config "$T/nocache.conf" "s|^cache_dir = .*|cache_dir = $T/empty-cache|"
cli verify -c "$T/nocache.conf" < "$T/alice.jwt"
t "verify with the provider stopped and no cache -> exit 3" [ "$RC" -eq 3 ]
t "... unavailable: on stderr" err_has "^unavailable: "

login_cli -c "$CONF" --user alice
login_wait
t "login with the provider stopped -> exit 3" [ "$RC" -eq 3 ]
t "... audit line: unavailable" audit_has "result=unavailable .*service=pam-oidc"

finish
