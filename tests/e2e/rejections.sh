#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The rejection corpus (tests/rejections/cases): every case is an ID token
# forged by tests/provider/forge.mjs for an issuer of
# tests/provider/bent-op.mjs (a provider that can be bent where the real one
# cannot), judged twice:
#
#   1. pam-oidc verify -c CONF --user USER, the token on stdin: its exit
#      status and the rule it names ("rejected: RULE: ...");
#   2. a PAM login (pamtester through pam_wrapper, flow = token, the token
#      typed at the "ID token: " prompt): the PAM result, and the rule named
#      by the login's one audit line (audit_file).
#
# Cases that need it also count the JWKS downloads the provider saw.  The
# last lines are "# N rejection cases, M acceptance cases" and the TAP plan.
. "$(dirname "$0")/lib.sh"

CLI=$top_builddir/helper/pam-oidc
CASES=${REJECTION_CASES:-$top_srcdir/tests/rejections/cases}
GHOST=pamoidc-ghost # an account that must not exist

require_root
[ -x "$CLI" ] || die "pam-oidc not built: $CLI"
[ -f "$CASES" ] || die "no case file: $CASES"
command -v curl >/dev/null || die "curl not found (apt-get install curl)"
ensure_user alice
ensure_user bob
id "$GHOST" >/dev/null 2>&1 && die "the account $GHOST exists; the corpus needs it not to"
make_certs

# A signal (also forge's failure, below) ends the test through lib.sh's EXIT
# trap, which stops the provider.
trap 'exit 130' INT TERM HUP

# ---------------------------------------------------------------- provider

# bent-op.mjs in lib.sh's provider slot (PROVIDER_PID: stopped on exit)
start_bent_op() {
	mkdir -p "$T/op"
	: > "$T/op/stdout"
	"$NODE" "$PROVIDER_DIR/bent-op.mjs" --port 0 --cert "$T/certs/server.pem" \
		--key "$T/certs/server.key" --state "$T/op" --keys-out "$T/op/keys.json" \
		> "$T/op/stdout" 2> "$T/op/stderr" &
	PROVIDER_PID=$!
	i=0
	while ! grep -q '^READY ' "$T/op/stdout"; do
		i=$((i + 1))
		if [ $i -gt 300 ] || ! kill -0 "$PROVIDER_PID" 2>/dev/null; then
			cat "$T/op/stderr" >&2
			die "bent-op.mjs did not start"
		fi
		sleep 0.1
	done
	OP_BASE=$(sed -n 's/^READY //p' "$T/op/stdout" | head -n 1)
}

# jwks_fetches TENANT: JWKS downloads from that tenant so far
jwks_fetches() {
	grep -c " GET /$1/jwks " "$T/op/requests.log" 2>/dev/null || true
}

publish() {
	[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST --cacert "$T/certs/ca.pem" \
		"$OP_BASE/$1/_publish?kid=$2")" = 204 ]
}

# forge [forge.mjs options]: a token on stdout, for the issuer $ISS
forge() {
	"$NODE" "$PROVIDER_DIR/forge.mjs" --keys "$T/op/keys.json" --iss "$ISS" "$@"
}

# ---------------------------------------------------------------- config

CONF=$T/pam_oidc.conf

# write_case_config: the base configuration for $ISS, with $C_CONFIG (lines
# "[section] key = value") added or replacing the same key
write_case_config() {
	{
		cat <<BASE
provider	issuer = $ISS
provider	client_id = workstation
provider	ca_file = $T/certs/ca.pem
provider	scopes = openid profile
provider	timeout = 5
provider	cache_dir = $T/cache
login	flow = token
login	login_timeout = 60
claims	leeway = 60
claims	allowed_algs = RS256 PS256 ES256 EdDSA
mapping	username_claim = preferred_username
mapping	allow_root = no
audit	audit_file = $T/audit.log
BASE
		printf '%s\n' "$C_CONFIG" | sed -n 's/^\[\([a-z]*\)\] *\(.*\)$/\1	\2/p'
	} | awk -F '\t' '
		{
			key = $1 "\t" $2; sub(/ *=.*/, "", key)
			if (!(key in val)) order[n++] = key
			val[key] = $2; sect[key] = $1
		}
		END {
			split("provider login claims mapping audit", s, " ")
			print "# rejection corpus: " ENVIRON["C_NAME"]
			for (j = 1; j <= 5; j++) {
				print "[" s[j] "]"
				for (i = 0; i < n; i++)
					if (sect[order[i]] == s[j]) print val[order[i]]
			}
		}' > "$CONF"
	chmod 0644 "$CONF"
}

# ---------------------------------------------------------------- the two judges

# run_verify USER TOKEN: pam-oidc verify; V_RC, $T/v.out, $T/v.err
run_verify() {
	printf '%s\n' "$2" > "$T/token"
	"$CLI" verify -c "$CONF" --user "$1" < "$T/token" > "$T/v.out" 2> "$T/v.err"
	V_RC=$?
}

# login_with USER TOKEN: the person types TOKEN at the prompt; LOGIN_RC,
# $LAST_OUT, AUDIT_NEW (audit lines this login added, in $T/audit.new).
# The token is typed from a subshell: pamtester's conversation reads only
# 4095 characters of a line, and an oversized token must not block us.
login_with() {
	before=0
	[ -f "$T/audit.log" ] && before=$(wc -l < "$T/audit.log")
	start_login oidc-rej "$1"
	i=0
	while [ ! -e "$LAST_OUT" ] && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.02; done
	TYPER=""
	if wait_for "ID token:" 20; then
		(printf '%s\n' "$2" >&7) 2>/dev/null &
		TYPER=$!
	fi
	end_login
	[ -n "$TYPER" ] && wait "$TYPER" 2>/dev/null
	tail -n +$((before + 1)) "$T/audit.log" 2>/dev/null > "$T/audit.new"
	AUDIT_NEW=$(wc -l < "$T/audit.new")
}

exit_of() {
	case $1 in
	SUCCESS) echo 0 ;; AUTH_ERR) echo 1 ;; SERVICE_ERR) echo 2 ;;
	AUTHINFO_UNAVAIL) echo 3 ;; *) echo 99 ;;
	esac
}
pam_text() {
	case $1 in
	SUCCESS) echo "successfully authenticated" ;;
	AUTH_ERR) echo "Authentication failure" ;;
	SERVICE_ERR) echo "Error in service module" ;;
	AUTHINFO_UNAVAIL) echo "Authentication service cannot retrieve authentication info" ;;
	esac
}
audit_word() {
	case $1 in
	SUCCESS) echo success ;; AUTH_ERR) echo failure ;;
	SERVICE_ERR) echo error ;; AUTHINFO_UNAVAIL) echo unavailable ;;
	esac
}

# starts_with TEXT PREFIX
starts_with() {
	case $1 in
	"$2"*) return 0 ;;
	esac
	return 1
}

# verify_judged RESULT [RULE...]: pam-oidc verify exited as RESULT asks and,
# for a rejection, printed exactly one line, "rejected: RULE: ..." (other
# failures: "error: RULE: ..." or "unavailable: RULE: ..." on stderr)
verify_judged() {
	res=$1; shift
	rule="$*"
	[ "$V_RC" -eq "$(exit_of "$res")" ] || return 1
	case $res in
	SUCCESS) grep -qx "account: $C_USER" "$T/v.out" ;;
	AUTH_ERR)
		[ "$(wc -l < "$T/v.out")" -eq 1 ] || return 1
		starts_with "$(cat "$T/v.out")" "rejected: ${rule:+$rule: }" ;;
	SERVICE_ERR | AUTHINFO_UNAVAIL)
		word=error; [ "$res" = AUTHINFO_UNAVAIL ] && word=unavailable
		starts_with "$(grep -v '^pam-oidc: ' "$T/v.err" | head -n 1)" "$word: ${rule:+$rule: }" ;;
	*) return 1 ;;
	esac
}

pam_judged() {
	res=$1
	[ "$res" = SUCCESS ] && { [ "$LOGIN_RC" -eq 0 ] && said "$(pam_text SUCCESS)"; return; }
	[ "$LOGIN_RC" -ne 0 ] && said "$(pam_text "$res")"
}

# audit_judged RESULT [RULE...]: one new audit line, with result, flow and
# rule
audit_judged() {
	res=$1; shift
	rule="$*"
	[ "$AUDIT_NEW" -eq 1 ] || return 1
	grep -q " result=$(audit_word "$res") " "$T/audit.new" || return 1
	grep -q " flow=$C_FLOW " "$T/audit.new" || return 1
	[ "$res" = SUCCESS ] && { grep -q ' reason=verified ' "$T/audit.new"; return; }
	[ -z "$rule" ] || grep -qF " reason=\"$rule: " "$T/audit.new"
}

# chk NAME COMMAND...: one TAP line; on failure, what the judges said
chk() {
	name=$1; shift
	if "$@"; then
		ok "$name"
	else
		not_ok "$name"
		echo "#   pam-oidc verify: exit ${V_RC:-?}"
		for f in "$T/v.out" "$T/v.err"; do
			[ -s "$f" ] && sed 's/^/#     /' "$f" | head -n 5
		done
		[ -n "${LAST_OUT:-}" ] && [ -f "$LAST_OUT" ] &&
			{ echo "#   pamtester (exit ${LOGIN_RC:-?}):"; sed 's/^/#     /' "$LAST_OUT" | tail -n 5; }
		[ -f "$T/audit.new" ] &&
			{ echo "#   audit lines of the login:"; sed 's/^/#     /' "$T/audit.new"; }
	fi
}

# shown RESULT [RULE...]: "success", or "AUTH_ERR, rule RULE"
shown() {
	r=$1; shift
	case $r in
	SUCCESS) echo success ;;
	*) echo "$r${1:+, rule $*}" ;;
	esac
}
# quoted TEXT: TEXT cut to 72 characters, without TAP's '#'
quoted() { printf '%s' "$1" | cut -c1-72 | tr '#' '?'; }

# ---------------------------------------------------------------- one case

N_REJECT=0
N_ACCEPT=0

run_case() {
	[ -n "$C_NAME" ] || return 0
	[ -n "$C_EXPECT" ] || die "case \"$C_NAME\": no expect: line"
	: "${C_VERIFY:=$C_EXPECT}" "${C_PAM:=$C_EXPECT}"
	ISS=$OP_BASE/$C_TENANT
	export C_NAME
	write_case_config
	C_FLOW=$(sed -n 's/^flow = //p' "$CONF")
	V_RC="" LOGIN_RC="" LAST_OUT=""
	rm -f "$T/v.out" "$T/v.err" "$T/audit.new"

	# shellcheck disable=SC2086
	set -- $C_PAM
	if [ "$1" = SUCCESS ]; then N_ACCEPT=$((N_ACCEPT + 1)); else N_REJECT=$((N_REJECT + 1)); fi

	printf '%s\n' "$C_BEFORE" | sed '/^$/d' > "$T/before"
	while IFS= read -r step; do
		case $step in
		prime)
			run_verify "$C_USER" "$(forge --kid rsa1)"
			chk "$C_NAME | setup: a valid token is verified, its JWKS cached" \
				[ "$V_RC" -eq 0 ] ;;
		"publish "*)
			chk "$C_NAME | setup: the provider publishes key ${step#publish }" \
				publish "$C_TENANT" "${step#publish }" ;;
		*) die "case \"$C_NAME\": unknown before: $step" ;;
		esac
	done < "$T/before"

	eval "set -- $C_TOKEN"
	if ! TOKEN=$(forge "$@"); then
		not_ok "$C_NAME | forge.mjs $C_TOKEN failed"
		return 0
	fi

	f0=$(jwks_fetches "$C_TENANT")
	if [ "$C_ORDER" = pam-first ]; then
		pam_step; f1=$(jwks_fetches "$C_TENANT"); pam_fetched=$((f1 - f0))
		verify_step; f2=$(jwks_fetches "$C_TENANT"); verify_fetched=$((f2 - f1))
	else
		verify_step; f1=$(jwks_fetches "$C_TENANT"); verify_fetched=$((f1 - f0))
		pam_step; f2=$(jwks_fetches "$C_TENANT"); pam_fetched=$((f2 - f1))
	fi
	if [ -n "$C_FETCHES" ]; then
		# shellcheck disable=SC2086
		set -- $C_FETCHES
		chk "$C_NAME | JWKS downloads: $1 by verify (saw $verify_fetched), $2 by the PAM login (saw $pam_fetched)" \
			[ "$verify_fetched" -eq "$1" -a "$pam_fetched" -eq "$2" ]
	fi
}

verify_step() {
	run_verify "$C_USER" "$TOKEN"
	# shellcheck disable=SC2086
	set -- $C_VERIFY
	said_v=$(cat "$T/v.out" "$T/v.err" 2>/dev/null | grep -E '^(rejected|error|unavailable|account): ' | head -n 1)
	chk "$C_NAME | pam-oidc verify: $(shown "$@") [$(quoted "$said_v")]" verify_judged "$@"
}

pam_step() {
	# shellcheck disable=SC2086
	set -- $C_PAM
	if [ "$C_LOGIN" = twice ]; then
		login_with "$C_USER" "$TOKEN"
		chk "$C_NAME | PAM: first use -> success" pam_judged SUCCESS
	fi
	login_with "$C_USER" "$TOKEN"
	chk "$C_NAME | PAM: $(pam_text "$1")" pam_judged "$1"
	reason=$(sed -n -e 's/.* reason="\(\([^"\\]\|\\.\)*\)".*/\1/p' \
		-e 't' -e 's/.* reason=\([^ ]*\).*/\1/p' "$T/audit.new" | head -n 1)
	chk "$C_NAME | audit: $(shown "$@") [$(quoted "$reason")]" audit_judged "$@"
}

# ---------------------------------------------------------------- the corpus

start_bent_op
write_service oidc-rej
STARTED=$(date +%s)

reset_case() {
	C_NAME="" C_EXPECT="" C_VERIFY="" C_PAM="" C_TENANT=good C_USER=alice
	C_CONFIG="" C_TOKEN="" C_BEFORE="" C_FETCHES="" C_ORDER="" C_LOGIN=""
}
reset_case
NAMES=""
while IFS= read -r line <&3; do
	case $line in
	"" | "#"*) continue ;;
	esac
	key=${line%%:*}
	val=$(printf '%s' "${line#*:}" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')
	case $key in
	case)
		run_case
		reset_case
		case "$NAMES" in *"|$val|"*) die "two cases named \"$val\"" ;; esac
		NAMES="$NAMES|$val|"
		C_NAME=$val ;;
	expect) C_EXPECT=$val ;;
	verify) C_VERIFY=$val ;;
	pam) C_PAM=$val ;;
	tenant) C_TENANT=$val ;;
	user) C_USER=$val ;;
	config) C_CONFIG="$C_CONFIG
$val" ;;
	token) C_TOKEN=$val ;;
	before) C_BEFORE="$C_BEFORE
$val" ;;
	jwks-fetches) C_FETCHES=$val ;;
	order) C_ORDER=$val ;;
	login) C_LOGIN=$val ;;
	*) die "$CASES: unknown key \"$key\" in: $line" ;;
	esac
done 3< "$CASES"
run_case

check "the corpus holds at least 45 rejection cases ($N_REJECT)" [ "$N_REJECT" -ge 45 ]
check "no helper left" no_helper_left
echo "# $N_REJECT rejection cases, $N_ACCEPT acceptance cases ($(($(date +%s) - STARTED)) s)"
finish
