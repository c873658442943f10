#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The discovery/JWKS cache (cache_dir) end to end.
#
# Part 1, the real oidc-provider and device logins: the second login fetches
# neither discovery nor JWKS; the files are root-only; a key rotation (new
# kid) is accepted after exactly one refetch; a second unknown kid within
# 30 s is refused without a download; a corrupt or expired file is replaced;
# an unsafe directory is not used and logins go on.
#
# Part 2, flow = token against tests/provider/static-op.mjs (tokens minted by
# tests/provider/mint.mjs): with the provider down, a cached copy carries
# logins while fresh, and while stale (up to the stale limit), then no more;
# a token with a kid the provider does not have is refused after one refetch,
# and the next one without any.
. "$(dirname "$0")/lib.sh"

require_root
ensure_user alice
make_certs

AUTH_ERR="Authentication failure"
UNAVAIL="Authentication service cannot retrieve authentication info"
CACHE=$T/cache

# the test configuration with our own cache_dir (in [provider])
cache_config() {
	write_config "$T/pam_oidc.conf"
	# lib.sh's write_config already names $T/cache; keep exactly one line
	sed -i "s|^cache_dir = .*|cache_dir = $CACHE|" "$T/pam_oidc.conf"
	[ -n "${1:-}" ] && sed -i "s/^flow = device\$/flow = $1/" "$T/pam_oidc.conf"
	grep -q "^cache_dir = $CACHE\$" "$T/pam_oidc.conf" ||
		die "could not write the configuration"
}

hash_of() { printf '%s' "$1" | sha256sum | cut -c1-64; }

# requests of the client (not the browser) to PATH since the log was cleared
gets() {
	grep -v ' browser$' "$REQLOG" 2>/dev/null | grep -cE " GET $1 [0-9]+\$"
}
clear_log() { : > "$REQLOG"; }

# edit_entry FILE JS: run JS on the cached entry (env: the envelope, body:
# the parsed document, now: seconds), write it back whole, 0600.
edit_entry() {
	"$NODE" -e '
		const fs = require("fs");
		const [file, code] = process.argv.slice(1);
		const env = JSON.parse(fs.readFileSync(file, "utf8"));
		const body = env.body === undefined ? undefined : JSON.parse(env.body);
		const now = Math.floor(Date.now() / 1000);
		new Function("env", "body", "now", code)(env, body, now);
		if (body !== undefined) env.body = JSON.stringify(body);
		fs.writeFileSync(file + ".edit", JSON.stringify(env) + "\n", { mode: 0o600 });
		fs.renameSync(file + ".edit", file);
	' "$1" "$2" || die "cannot edit $1"
}
# entry_field FILE EXPR: print a field of a cached entry
entry_field() {
	"$NODE" -e '
		const fs = require("fs");
		const env = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
		const body = env.body === undefined ? undefined : JSON.parse(env.body);
		process.stdout.write(String(eval(process.argv[2])));
	' "$1" "$2" 2>/dev/null
}
# set_refetch FILE SECONDS_AGO: the state file says a refetch began then
set_refetch() {
	"$NODE" -e '
		const fs = require("fs");
		const [file, iss, ago] = process.argv.slice(1);
		const st = { format: "pam_oidc cache 1", issuer: iss,
			jwks_refetch: Math.floor(Date.now() / 1000) - Number(ago) };
		fs.writeFileSync(file + ".edit", JSON.stringify(st) + "\n", { mode: 0o600 });
		fs.renameSync(file + ".edit", file);
	' "$1" "$ISSUER" "$2" || die "cannot write $1"
}

no_temp_files() {
	[ -d "$CACHE" ] && [ -z "$(find "$CACHE" -maxdepth 1 -name '.*' -type f)" ]
}
mode_owner() { stat -c '%a %U' "$1" 2>/dev/null; }
audit_reason_has() { tail -n 1 "$T/audit.log" 2>/dev/null | grep -qE -- "reason=\"?$1"; }

device_login() {
	start_login oidc-login alice
	browser alice approve
	end_login
}

# ---------------------------------------------------------------- part 1

start_provider
REQLOG=$T/op/requests.log
PORT=$(cat "$T/op/port")
cache_config
write_service oidc-login
H=$(hash_of "$ISSUER")
DISCO=$CACHE/$H.discovery.json
JWKS=$CACHE/$H.jwks.json
STATE=$CACHE/$H.state.json
WK=/.well-known/openid-configuration

# 1. the first login fills the cache
clear_log
device_login
check "first login -> success" [ "$LOGIN_RC" -eq 0 ]
check "first login: one discovery download" [ "$(gets $WK)" -eq 1 ]
check "first login: one JWKS download" [ "$(gets /jwks)" -eq 1 ]
check "the cache directory was made 0700 root" [ "$(mode_owner "$CACHE")" = "700 root" ]
check "the discovery document is cached 0600 root, named by the issuer's SHA-256" \
	[ "$(mode_owner "$DISCO")" = "600 root" ]
check "the JWKS is cached 0600 root, named by the issuer's SHA-256" \
	[ "$(mode_owner "$JWKS")" = "600 root" ]
check "the cached JWKS is the provider's, from its jwks_uri" \
	[ "$(entry_field "$JWKS" 'env.uri + " " + body.keys.map((k) => k.kid).join(",")')" = "$ISSUER/jwks rsa1,ec1,ed1" ]
check "no Cache-Control from the provider: kept for the default hour" \
	[ "$(entry_field "$JWKS" 'env.max_age')" = 3600 ]
check "no temporary file is left in the cache directory" no_temp_files

# 2. the second login uses the cache
clear_log
device_login
check "second login -> success" [ "$LOGIN_RC" -eq 0 ]
check "second login: no discovery download" [ "$(gets $WK)" -eq 0 ]
check "second login: no JWKS download" [ "$(gets /jwks)" -eq 0 ]

# 3. key rotation: the provider restarts with new keys on the same issuer;
# the cache holds the previous generation (kids rsa0, ec0, ed0)
stop_provider
start_provider --port "$PORT"
[ "$(cat "$T/op/port")" = "$PORT" ] || die "the provider did not come back on port $PORT"
edit_entry "$JWKS" 'for (const k of body.keys) k.kid = k.kid.replace(/1$/, "0");'
clear_log
device_login
check "a token signed with a new kid -> success" [ "$LOGIN_RC" -eq 0 ]
check "rotation: exactly one JWKS refetch" [ "$(gets /jwks)" -eq 1 ]
check "rotation: no discovery download (still fresh)" [ "$(gets $WK)" -eq 0 ]
check "the cache now holds the new key set" \
	[ "$(entry_field "$JWKS" 'body.keys.map((k) => k.kid).join(",")')" = "rsa1,ec1,ed1" ]
check "the refetch is recorded in the per-issuer state file, 0600 root" \
	[ "$(mode_owner "$STATE")" = "600 root" ]
check "the state file holds the time of that refetch" \
	[ "$(entry_field "$STATE" 'Math.abs(Date.now() / 1000 - env.jwks_refetch) < 120')" = true ]

# 4. another unknown kid within 30 s of that refetch: refused, no download
edit_entry "$JWKS" 'for (const k of body.keys) k.kid = k.kid.replace(/1$/, "0");'
clear_log
device_login
check "a second unknown kid within 30 s -> PAM_AUTH_ERR" said "$AUTH_ERR"
check "audit reason: no key, refetch rate-limited" \
	audit_reason_has 'kid: no key \\"rsa1\\" in the provider.s JWKS \(refetch rate-limited; next in [0-9]+ s\)'
check "rate-limited: no JWKS download" [ "$(gets /jwks)" -eq 0 ]

# 5. 31 s later (the state file aged) the refetch is allowed again
set_refetch "$STATE" 31
clear_log
device_login
check "after 30 s the unknown kid is refetched -> success" [ "$LOGIN_RC" -eq 0 ]
check "after 30 s: exactly one JWKS download" [ "$(gets /jwks)" -eq 1 ]

# 6. a corrupt cache file is ignored and replaced
head -c 100 "$JWKS" > "$JWKS.cut" && cat "$JWKS.cut" > "$JWKS" && rm -f "$JWKS.cut"
clear_log
device_login
check "a truncated cached JWKS -> the login still succeeds" [ "$LOGIN_RC" -eq 0 ]
check "truncated: the JWKS is downloaded once" [ "$(gets /jwks)" -eq 1 ]
check "truncated: the file is whole again" \
	[ "$(entry_field "$JWKS" 'body.keys.length')" = 3 ]

# 7. past max-age (1 h): both documents are downloaded again
edit_entry "$JWKS" 'env.fetched = now - 3601;'
edit_entry "$DISCO" 'env.fetched = now - 3601;'
clear_log
device_login
check "expired cache -> success" [ "$LOGIN_RC" -eq 0 ]
check "expired cache: discovery downloaded again" [ "$(gets $WK)" -eq 1 ]
check "expired cache: JWKS downloaded again" [ "$(gets /jwks)" -eq 1 ]
check "expired cache: the new copy is fresh" \
	[ "$(entry_field "$JWKS" 'Math.abs(Date.now() / 1000 - env.fetched) < 120')" = true ]

# 8. a cache directory that others can read is not used; logins go on
chmod 0755 "$CACHE"
BEFORE=$(cat "$JWKS")
clear_log
device_login
check "cache_dir mode 0755 -> the login still succeeds" [ "$LOGIN_RC" -eq 0 ]
check "cache_dir mode 0755: not read (discovery downloaded)" [ "$(gets $WK)" -eq 1 ]
check "cache_dir mode 0755: not read (JWKS downloaded)" [ "$(gets /jwks)" -eq 1 ]
check "cache_dir mode 0755: not written" [ "$(cat "$JWKS")" = "$BEFORE" ]
chmod 0700 "$CACHE"

# 8b. a key replaced under the same kid: the provider restarts with new keys
# named rsa1/ec1/ed1 again while the cache holds the old ones, fresh.  The
# signature fails with the cached key; one download (rate-limited like an
# unknown kid) brings the new key and the login succeeds.
stop_provider
start_provider --port "$PORT"
[ "$(cat "$T/op/port")" = "$PORT" ] || die "the provider did not come back on port $PORT"
set_refetch "$STATE" 31
clear_log
device_login
check "a key replaced under the same kid -> success after a refetch" [ "$LOGIN_RC" -eq 0 ]
check "replaced key: exactly one JWKS download" [ "$(gets /jwks)" -eq 1 ]
stop_provider
start_provider --port "$PORT"
clear_log
device_login
check "replaced again within 30 s -> refused, the signature rule named" \
	audit_reason_has 'signature: '
check "replaced again within 30 s: no JWKS download (rate limit)" [ "$(gets /jwks)" -eq 0 ]
set_refetch "$STATE" 31
device_login
check "after 30 s the new key is fetched -> success" [ "$LOGIN_RC" -eq 0 ]

# 9. the provider down: a device login needs it, fresh cache or not
stop_provider
start_login oidc-login alice
end_login
check "provider down, fresh cache, device flow -> PAM_AUTHINFO_UNAVAIL" said "$UNAVAIL"

# ---------------------------------------------------------------- part 2


mint() {
	"$NODE" "$PROVIDER_DIR/mint.mjs" --keys "${KEYS:-$T/sop/keys.json}" --iss "$ISSUER" "$@" ||
		die "mint.mjs $* failed"
}
# token_login TOKEN: type TOKEN at the prompt (if the login gets that far;
# a subshell, so that a login that ended first cannot SIGPIPE the script)
token_login() {
	start_login oidc-token alice
	if wait_for "ID token:" 20; then
		(printf '%s\n' "$1" >&7) 2>/dev/null || true
	fi
	end_login
}

start_static_op
REQLOG=$T/sop/requests.log
SOP_PORT=$(sed -n 's|^READY https://127.0.0.1:||p' "$T/sop/stdout")
cache_config token
write_service oidc-token
H=$(hash_of "$ISSUER")
DISCO=$CACHE/$H.discovery.json
JWKS=$CACHE/$H.jwks.json

# 10. a token login fills the cache; then the provider goes away
token_login "$(mint --kid rsa1)"
check "token flow, provider up -> success" [ "$LOGIN_RC" -eq 0 ]
check "token flow: the JWKS is cached" [ "$(mode_owner "$JWKS")" = "600 root" ]
stop_static_op

token_login "$(mint --kid ec1)"
check "provider down, fresh cache, token flow -> success" [ "$LOGIN_RC" -eq 0 ]

# 11. stale (2 h old, past max-age): used only because the provider is down
edit_entry "$JWKS" 'env.fetched = now - 7200;'
edit_entry "$DISCO" 'env.fetched = now - 7200;'
token_login "$(mint --kid ed1)"
check "provider down, cache 2 h old (stale) -> success" [ "$LOGIN_RC" -eq 0 ]
check "the stale copy was kept as it was" \
	[ "$(entry_field "$JWKS" 'Date.now() / 1000 - env.fetched >= 7200')" = true ]

# 12. a provider that says must-revalidate: its stale copy is not used
edit_entry "$JWKS" 'env.stale_ok = false;'
token_login "$(mint --kid rsa1)"
check "provider down, stale copy marked must-revalidate -> PAM_AUTHINFO_UNAVAIL" said "$UNAVAIL"
edit_entry "$JWKS" 'env.stale_ok = true;'

# 13. past the stale limit (8 days): never used
edit_entry "$JWKS" 'env.fetched = now - 8 * 86400;'
edit_entry "$DISCO" 'env.fetched = now - 8 * 86400;'
token_login "$(mint --kid rsa1)"
check "provider down, cache 8 days old -> PAM_AUTHINFO_UNAVAIL" said "$UNAVAIL"
check "audit: unavailable" audit_has "result=unavailable"

# 14. a kid the provider does not have: one refetch, then refused; the next
# such token within 30 s: refused without a download
start_static_op "$SOP_PORT"
token_login "$(mint --kid rsa1)"
check "provider back (new keys): the expired cache is replaced -> success" [ "$LOGIN_RC" -eq 0 ]
"$NODE" -e '
	const fs = require("fs");
	const ks = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
	for (const k of ks.keys) k.kid = "ghost-" + k.kid;
	fs.writeFileSync(process.argv[2], JSON.stringify(ks), { mode: 0o600 });
' "$T/sop/keys.json" "$T/ghost-keys.json" || die "cannot write ghost keys"
: > "$REQLOG"
token_login "$(KEYS=$T/ghost-keys.json mint --kid ghost-rsa1)"
check "unknown kid -> PAM_AUTH_ERR" said "$AUTH_ERR"
check "audit reason: no key, after the refetch" \
	audit_reason_has 'kid: no key \\"ghost-rsa1\\" in the provider.s JWKS \(refetched\)'
check "unknown kid: one JWKS refetch" [ "$(gets /jwks)" -eq 1 ]
token_login "$(KEYS=$T/ghost-keys.json mint --kid ghost-ec1)"
check "another unknown kid at once -> PAM_AUTH_ERR" said "$AUTH_ERR"
check "audit reason: refetch rate-limited" \
	audit_reason_has 'kid: no key \\"ghost-ec1\\" in the provider.s JWKS \(refetch rate-limited; next in [0-9]+ s\)'
check "unknown kids: still one JWKS download in all" [ "$(gets /jwks)" -eq 1 ]
token_login "$(mint --kid rsa1)"
check "a token with a known kid still gets in" [ "$LOGIN_RC" -eq 0 ]

finish
