#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# flow = token end to end: an ID token typed at the "ID token: " prompt of
# pamtester -> pam_oidc.so -> pam_oidc_helper, verified against the keys of
# a provider over HTTPS and let in once.
#
# Most tokens come from tests/provider/static-op.mjs (a provider that serves
# only discovery and a JWKS, for keys it writes out) and are signed by
# tests/provider/mint.mjs, so that each rule can be broken on purpose; the
# last one is a real ID token of the real oidc-provider, obtained with a
# device grant approved on its pages, as a clinician would get one.
. "$(dirname "$0")/lib.sh"

require_root
ensure_user alice
make_certs

AUTH_ERR="Authentication failure"
SERVICE_ERR="Error in service module"
SUCCESS="successfully authenticated"

# a signal (also mint's, below) ends the test through the EXIT trap
trap 'exit 130' INT TERM HUP

# the test configuration with flow = token and a replay cache of its own
token_config() {
	write_config "$T/pam_oidc.conf"
	sed -i -e 's/^flow = device$/flow = token/' "$T/pam_oidc.conf"
	grep -q '^cache_dir = ' "$T/pam_oidc.conf" ||
		sed -i -e "s|^timeout = 5\$|timeout = 5\\ncache_dir = $T/cache|" "$T/pam_oidc.conf"
	grep -q '^flow = token$' "$T/pam_oidc.conf" &&
		grep -q "^cache_dir = $T/cache\$" "$T/pam_oidc.conf" ||
		die "could not write the token-flow configuration"
}

# mint [mint.mjs options]: a token on stdout.  Used inside $(...): on
# failure it stops the whole test, not only the subshell.
mint() {
	"$NODE" "$PROVIDER_DIR/mint.mjs" --keys "$T/sop/keys.json" --iss "$ISSUER" "$@" && return 0
	echo "Bail out! mint.mjs $* failed" >&2
	kill -TERM $$
	exit 1
}

type_line() { printf '%s\n' "$1" >&7; }

# login_with USER TEXT: the person types TEXT at the token prompt
login_with() {
	start_login oidc-token "$1"
	i=0
	while [ ! -e "$LAST_OUT" ] && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.02; done
	if wait_for "ID token:" 20; then
		PROMPTED=yes
		type_line "$2"
	else
		PROMPTED=no
	fi
	end_login
}

# audit_reason_has ERE: the reason of the last audit line contains ERE
audit_reason_has() {
	tail -n 1 "$T/audit.log" 2>/dev/null | grep -qE -- "reason=\"?([^\"\\\\]|\\\\.)*$1"
}
replay_entries() { find "$T/cache/replay" -type f 2>/dev/null | wc -l; }
one_hashed_entry() {
	[ "$(replay_entries)" -eq 1 ] &&
		ls "$T/cache/replay" | grep -qxE '[0-9a-f]{64}-[0-9]+'
}
# no part of the token in any file or name under DIR
no_token_in() {
	[ -e "$1" ] || return 1
	for part in $(printf '%s' "$2" | tr '.' ' '); do
		[ ${#part} -ge 16 ] || continue
		if grep -rqF -- "$part" "$1" || find "$1" | grep -qF -- "$part"; then
			return 1
		fi
	done
	return 0
}

start_static_op
token_config
write_service oidc-token

# 1. a valid token, minted five minutes before the login began
TOKEN=$(mint --kid rsa1 --iat=-300)
login_with alice "$TOKEN"
check "the login asks for the token at an \"ID token:\" prompt" [ "$PROMPTED" = yes ]
check "valid RS256 token, issued 5 minutes before the login (leeway 60 s) -> success" \
	[ "$LOGIN_RC" -eq 0 ]
check "pamtester reports success" said "$SUCCESS"
check "the person is told who signed in" said "Signed in as Alice Example (alice)."
check "audit line: success, flow=token, iss and sub of the token" \
	audit_has "result=success reason=verified service=oidc-token user=alice .*iss=$ISSUER sub=alice .*flow=token"
check "the replay cache was made root-only" \
	[ "$(stat -c '%a %u' "$T/cache/replay")" = "700 0" ]
check "one replay entry, named by a hash and exp" one_hashed_entry
check "no part of the token in the replay cache" no_token_in "$T/cache" "$TOKEN"
check "no part of the token in the audit log" no_token_in "$T/audit.log" "$TOKEN"
check "no helper left" no_helper_left

# 2. the same token again
login_with alice "$TOKEN"
check "the same token again -> PAM_AUTH_ERR" said "$AUTH_ERR"
check "audit reason: replay, with the time of first use" \
	audit_reason_has "replay: this token was already used at [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z"
check "the person is told the token was used" said "This token was already used."

# 3. ES256, and the twin signature (r, n - s) of the same token
ES=$(mint --kid ec1)
login_with alice "$ES"
check "valid ES256 token -> success" [ "$LOGIN_RC" -eq 0 ]
TWIN=$("$NODE" "$PROVIDER_DIR/mint.mjs" --twin-of "$ES")
check "the twin token differs from the original" test -n "$TWIN" -a "$TWIN" != "$ES"
login_with alice "$TWIN"
check "its ECDSA twin (same content, other valid signature) -> PAM_AUTH_ERR" said "$AUTH_ERR"
check "audit reason: replay (keyed on the signed content, not the signature)" \
	audit_reason_has "replay: "

# 4. EdDSA, issued an hour ago and valid for ten more minutes: the device
# flow's rule against tokens older than the login does not apply here
login_with alice "$(mint --kid ed1 --iat=-3600 --exp=600)"
check "valid EdDSA token issued an hour before the login -> success" [ "$LOGIN_RC" -eq 0 ]

# 5. refusals, each with its reason
login_with alice "$(mint --iat=-7200 --exp=-3600)"
check "expired token -> PAM_AUTH_ERR" said "$AUTH_ERR"
check "audit reason: expired" audit_reason_has "token expired"

login_with alice "$(mint --none)"
check "alg none -> PAM_AUTH_ERR" said "$AUTH_ERR"
check "audit reason: alg none refused" audit_reason_has "alg: .{0,3}none.{0,3} refused"

login_with alice "$(mint --aud another-client)"
check "token for another client (aud) -> PAM_AUTH_ERR" said "$AUTH_ERR"
check "audit reason: aud" audit_reason_has "aud.{0,3} does not contain client_id"

login_with alice "$(mint --rogue)"
check "token signed by a key not in the JWKS (same kid) -> PAM_AUTH_ERR" said "$AUTH_ERR"
check "audit reason: signature invalid" audit_reason_has "signature: invalid"

login_with alice "$(mint --sub bob --claims '{"preferred_username":"bob"}')"
check "a valid token of another person -> PAM_AUTH_ERR" said "$AUTH_ERR"

login_with alice "not-a-token"
check "text that is not a JWT -> PAM_AUTH_ERR" said "$AUTH_ERR"
check "the person is told what a token looks like" said "That is not an ID token"
check "audit reason: not a compact JWT" audit_reason_has "the pasted text is not a compact JWT"

login_with alice ""
check "Enter without a token -> PAM_AUTH_ERR" said "$AUTH_ERR"
check "audit reason: no token" audit_reason_has "no token was entered"

# 6. a paste longer than the conversation takes: Linux-PAM's misc_conv
# (pamtester's) passes 4095 characters of it, and no more
BEFORE=$(replay_entries)
BIG=$(mint --pad 6000)
login_with alice "$BIG"
check "an oversized paste (${#BIG} characters) -> PAM_AUTH_ERR" said "$AUTH_ERR"
check "the person is told it arrived cut short, and where" \
	said "The token arrived cut short: a terminal line holds at most 4095 characters."
check "audit reason: incomplete, 4095 bytes, the limit named" \
	audit_reason_has "the pasted token is incomplete .*4095 bytes long, the limit of"
check "the cut token left no replay entry" [ "$(replay_entries)" -eq "$BEFORE" ]
check "no helper left after the oversized paste" no_helper_left

# 7. what the OpenSSH client delivers of a long token: its first 1023
# characters (its answer buffer is 1024 bytes)
LONG=$(mint --pad 800)
login_with alice "$(printf '%s' "$LONG" | cut -c1-1023)"
check "a token cut at 1023 characters -> PAM_AUTH_ERR" said "$AUTH_ERR"
check "the person is told the ssh client cut it" \
	said "The token arrived cut short: the ssh client sends at most 1023 characters."
login_with alice "$LONG"
check "the whole ${#LONG}-character token at the console -> success" [ "$LOGIN_RC" -eq 0 ]
# a complete token of exactly 1023 characters that does not verify (signed
# by a stranger's key): the person is told the length may be the cause
# (base64url skips one length in four: try two header lengths)
EXACT=""
for kid in rsa1 ed1; do
	base=$(mint --kid $kid --rogue --pad 0 | tr -d '\n' | wc -c)
	for p in $(seq $(((1023 - base) * 3 / 4 - 4)) $(((1023 - base) * 3 / 4 + 4))); do
		t=$(mint --kid $kid --rogue --pad "$p")
		[ ${#t} -eq 1023 ] && { EXACT=$t; break 2; }
	done
done
check "a complete token of exactly 1023 characters was minted" [ ${#EXACT} -eq 1023 ]
login_with alice "$EXACT"
check "it does not verify -> PAM_AUTH_ERR" said "$AUTH_ERR"
check "the person is told that the length may be why" \
	said "The token is exactly 1023 characters long and the ssh client sends at most 1023 characters: if it was longer, it was cut short."
check "audit reason: the signature rule" audit_reason_has "signature: invalid"

# 8. a replay cache that others can read -> refused as a configuration error
chmod 0750 "$T/cache/replay"
login_with alice "$(mint)"
check "replay cache readable by the group -> PAM_SERVICE_ERR" said "$SERVICE_ERR"
check "audit reason names the directory and the rule" \
	audit_reason_has "replay cache $T/cache/replay: mode 0750, must not be accessible by group or other"
chmod 0700 "$T/cache/replay"
login_with alice "$(mint)"
check "with the mode fixed, a new token -> success" [ "$LOGIN_RC" -eq 0 ]

# 9. over SSH, against a real sshd on loopback (under pam_wrapper, as in
# ssh_login.sh) with the OpenSSH client driven by expect: a token of up to
# 1023 characters logs in; a longer one reaches the module cut at 1023, and
# the person is told so, for keyboard-interactive and password alike
: "${SSHD:=/usr/sbin/sshd}"
SSHD_PID=""
stop_sshd() {
	if [ -n "$SSHD_PID" ]; then
		for p in $(pgrep -P "$SSHD_PID"); do kill "$p" 2>/dev/null; done
		kill "$SSHD_PID" 2>/dev/null
		wait "$SSHD_PID" 2>/dev/null
		SSHD_PID=""
	fi
}
token_cleanup() { stop_sshd; stop_static_op; cleanup; }
start_sshd() {
	P=$(dirname "$(find /usr/lib /lib /usr/lib64 /lib64 -name pam_permit.so 2>/dev/null | head -n 1)")
	mkdir -p "$T/ssh" /run/sshd
	cat > "$T/pam.d/sshd" <<PAM
auth     required $MODULE config=$T/pam_oidc.conf helper=$HELPER
account  required $P/pam_permit.so
session  required $P/pam_permit.so
PAM
	ssh-keygen -q -t ed25519 -N '' -f "$T/ssh/host_ed25519" || return 1
	for port in $(seq 22240 22259); do
		ss -Hltn "sport = :$port" 2>/dev/null | grep -q . && continue
		cat > "$T/ssh/sshd_config" <<CONF
ListenAddress 127.0.0.1:$port
HostKey $T/ssh/host_ed25519
PidFile $T/ssh/sshd.pid
UsePAM yes
KbdInteractiveAuthentication yes
PasswordAuthentication yes
PubkeyAuthentication no
AuthorizedKeysFile none
PermitRootLogin no
UseDNS no
PrintMotd no
CONF
		LD_PRELOAD=$PAM_WRAPPER_LIB PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR=$T/pam.d \
			"$SSHD" -D -e -f "$T/ssh/sshd_config" > "$T/ssh/sshd.log" 2>&1 &
		SSHD_PID=$!
		i=0
		while [ $i -lt 50 ]; do
			grep -q "Server listening on 127.0.0.1 port $port" "$T/ssh/sshd.log" &&
				{ SSHD_PORT=$port; return 0; }
			kill -0 "$SSHD_PID" 2>/dev/null || break
			i=$((i + 1)); sleep 0.1
		done
		stop_sshd
	done
	return 1
}
# ssh_with METHOD TOKEN: the person pastes TOKEN at the prompt of ssh
ssh_with() {
	printf '%s' "$2" > "$T/ssh/token"
	LAST_OUT=$T/ssh/out.$N
	expect -f - "$SSHD_PORT" "$1" "$T/ssh/token" > "$LAST_OUT" 2>&1 <<'EXP'
set f [open [lindex $argv 2] r]; set tok [read $f]; close $f
set timeout 20
spawn ssh -F /dev/null -p [lindex $argv 0] -o StrictHostKeyChecking=no \
	-o UserKnownHostsFile=/dev/null -o PubkeyAuthentication=no \
	-o PreferredAuthentications=[lindex $argv 1] -o NumberOfPasswordPrompts=1 \
	alice@127.0.0.1 "echo LOGIN-OK"
expect {
	-re "(ID token: |password: )$" { send -- "$tok\r" }
	timeout { puts "\nSSH: no prompt"; exit 1 }
}
expect {
	"LOGIN-OK" { puts "\nSSH: logged in" }
	-re "Permission denied|Connection closed" { puts "\nSSH: refused" }
	timeout { puts "\nSSH: timeout" }
}
EXP
}
if command -v expect >/dev/null && command -v ssh >/dev/null && [ -x "$SSHD" ] &&
	start_sshd; then
	SHORT=$(mint --kid ec1)
	ssh_with keyboard-interactive "$SHORT"
	check "ssh, keyboard-interactive: a ${#SHORT}-character ES256 token -> logged in" \
		said "SSH: logged in"
	LONG=$(mint --pad 800)
	ssh_with keyboard-interactive "$LONG"
	check "ssh, keyboard-interactive: a ${#LONG}-character token -> refused" said "SSH: refused"
	check "ssh: the person is told the ssh client cut it at 1023 characters" \
		said "The token arrived cut short: the ssh client sends at most 1023 characters."
	check "ssh: the audit reason names the OpenSSH client's limit" \
		audit_reason_has "is 1023 bytes long, the limit of the 1024-byte answer buffer of the OpenSSH client"
	ssh_with password "$(mint --kid ed1)"
	check "ssh, password: a short EdDSA token -> logged in" said "SSH: logged in"
	ssh_with password "$(mint --pad 800)"
	check "ssh, password: a long token -> refused" said "SSH: refused"
	check "ssh, password: it reached the module cut at 1023 characters" \
		audit_reason_has "is 1023 bytes long, the limit of the 1024-byte answer buffer of the OpenSSH client"
	stop_sshd
else
	echo "# skipped: SSH checks (need sshd, ssh and expect, and a free port in 22240-22259)"
fi

# 10. a real ID token of the real provider (oidc-provider), from a device
# grant approved on its pages, pasted at the prompt
stop_static_op
start_provider
token_config
json_get() { "$NODE" -e 'let s="";process.stdin.on("data",(d)=>{s+=d}).on("end",()=>{const v=JSON.parse(s)[process.argv[1]];process.stdout.write(v===undefined?"":String(v))})' "$1"; }
DA=$(curl -s --cacert "$T/certs/ca.pem" -d client_id=workstation \
	--data-urlencode 'scope=openid profile' "$ISSUER/device/auth")
URI=$(printf '%s' "$DA" | json_get verification_uri_complete)
DEVICE_CODE=$(printf '%s' "$DA" | json_get device_code)
"$NODE" "$PROVIDER_DIR/browser.mjs" --ca "$T/certs/ca.pem" --uri "$URI" \
	--login alice >> "$T/browser.log" 2>&1
check "alice approves the device grant on the provider's pages" [ $? -eq 0 ]
REAL=$(curl -s --cacert "$T/certs/ca.pem" -d client_id=workstation \
	-d grant_type=urn:ietf:params:oauth:grant-type:device_code \
	--data-urlencode "device_code=$DEVICE_CODE" "$ISSUER/token" | json_get id_token)
check "the provider issued an ID token (${#REAL} characters)" [ ${#REAL} -gt 100 ]
login_with alice "$REAL"
check "the real provider's ID token pasted -> success" [ "$LOGIN_RC" -eq 0 ]
check "audit line: success with the provider as issuer" \
	audit_has "result=success reason=verified service=oidc-token user=alice .*iss=$ISSUER sub=alice .*flow=token"
login_with alice "$REAL"
check "the real token again -> PAM_AUTH_ERR (replay)" audit_reason_has "replay: "

finish
