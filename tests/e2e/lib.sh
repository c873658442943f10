# SPDX-License-Identifier: BSD-3-Clause
# Shared pieces of the end-to-end tests: a real OpenID provider (the npm
# package oidc-provider, tests/provider/) over HTTPS with a CA made here, the
# built module and helper driven by pamtester through pam_wrapper (no change
# to /etc/pam.d), and a browser stand-in that approves on the provider's own
# pages.  Each check prints "ok N - name" or "not ok N - name" (TAP); the
# script exits non-zero when any check failed.

set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${NODE:=node}"
: "${PAMTESTER:=pamtester}"
PROVIDER_DIR=$top_srcdir/tests/provider
MODULE=$top_builddir/pam/.libs/pam_oidc.so
HELPER=$top_builddir/helper/pam_oidc_helper
PAM_WRAPPER_LIB=$(pkg-config --libs pam_wrapper 2>/dev/null | tr -d " ")
[ -f "$PAM_WRAPPER_LIB" ] || PAM_WRAPPER_LIB=/usr/lib/$(gcc -print-multiarch 2>/dev/null)/libpam_wrapper.so

T=$(mktemp -d /tmp/pam_oidc_e2e.XXXXXX)
chmod 0755 "$T"
N=0
FAILED=0
PROVIDER_PID=""

cleanup() {
	stop_static_op
	stop_provider
	if [ "$FAILED" -ne 0 ] && [ -n "${KEEP_ON_FAIL:-}" ]; then
		echo "# kept $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT

ok() { N=$((N + 1)); echo "ok $N - $1"; }
not_ok() {
	N=$((N + 1)); FAILED=$((FAILED + 1)); echo "not ok $N - $1"
	shift
	for f in "$@"; do
		[ -f "$f" ] && sed 's/^/#   /' "$f" | tail -n 40
	done
	return 0
}
# check NAME COMMAND...: one assertion
check() {
	name=$1; shift
	if "$@"; then ok "$name"; else not_ok "$name" "$LAST_OUT" "$T/audit.log"; fi
}
finish() {
	echo "1..$N"
	[ "$FAILED" -eq 0 ]
}
die() { echo "Bail out! $*"; exit 1; }

require_root() {
	[ "$(id -u)" = 0 ] || die "these tests need root: they create the test accounts alice and bob, a root-owned configuration and a root-owned helper"
	[ -x "$HELPER" ] || die "helper not built: $HELPER"
	[ -f "$MODULE" ] || die "module not built: $MODULE"
	[ -f "$PAM_WRAPPER_LIB" ] || die "pam_wrapper not found (apt-get install libpam-wrapper)"
	command -v "$PAMTESTER" >/dev/null || die "pamtester not found (apt-get install pamtester)"
	[ -d "$PROVIDER_DIR/node_modules/oidc-provider" ] || die "test provider not installed: run (cd tests/provider && npm ci)"
}

ensure_user() {
	id "$1" >/dev/null 2>&1 || useradd -m -s /bin/bash "$1" || die "useradd $1"
}

make_certs() {
	sh "$PROVIDER_DIR/make-certs.sh" "$T/certs" >/dev/null || die "make-certs.sh failed"
}

# start_provider [CERT KEY] [provider options...]
start_provider() {
	cert=$T/certs/server.pem key=$T/certs/server.key
	if [ $# -ge 2 ] && [ -f "$1" ]; then cert=$1 key=$2; shift 2; fi
	mkdir -p "$T/op"
	for attempt in 1 2; do
		: > "$T/op/stdout"
		"$NODE" "$PROVIDER_DIR/provider.mjs" --port 0 --cert "$cert" --key "$key" \
			--state "$T/op" "$@" > "$T/op/stdout" 2> "$T/op/stderr" < /dev/null &
		PROVIDER_PID=$!
		if provider_ready; then
			ISSUER=$(sed -n 's/^READY //p' "$T/op/stdout" | head -n 1)
			return 0
		fi
		# Not ready in time: say what it was doing, then one more try.
		echo "# the test provider (attempt $attempt) was not ready after 45 s:"
		sed 's/^/# provider: /' "$T/op/stderr" "$T/op/provider.log" \
			"$T/op/stdout" 2>/dev/null | tail -n 20
		grep -E '^(State|Threads)' "/proc/$PROVIDER_PID/status" 2>/dev/null | sed 's/^/# provider: /'
		sed 's/^/# provider wchan: /' "/proc/$PROVIDER_PID/wchan" 2>/dev/null; echo
		ls -l "/proc/$PROVIDER_PID/fd" 2>/dev/null | sed 's/^/# provider fd: /' | tail -n 15
		kill -9 "$PROVIDER_PID" 2>/dev/null
		wait "$PROVIDER_PID" 2>/dev/null
		PROVIDER_PID=""
	done
	die "the test provider was not ready after two attempts"
}

# provider_ready: until READY (0), or the provider exits (dies), or 45 s (1)
provider_ready() {
	i=0
	while ! grep -q '^READY ' "$T/op/stdout"; do
		i=$((i + 1))
		if ! kill -0 "$PROVIDER_PID" 2>/dev/null; then
			wait "$PROVIDER_PID"
			st=$?
			sed 's/^/# provider: /' "$T/op/stderr" "$T/op/provider.log" 2>/dev/null | tail -n 20
			die "the test provider exited with status $st before it was ready"
		fi
		[ $i -gt 450 ] && return 1
		sleep 0.1
	done
	return 0
}

# start_static_op [PORT]: tests/provider/static-op.mjs, a provider that
# serves only discovery and a JWKS and writes its private keys to
# $T/sop/keys.json for mint.mjs; sets ISSUER
SOP_PID=""
start_static_op() {
	mkdir -p "$T/sop"
	: > "$T/sop/stdout"
	"$NODE" "$PROVIDER_DIR/static-op.mjs" --port "${1:-0}" --cert "$T/certs/server.pem" \
		--key "$T/certs/server.key" --state "$T/sop" --keys-out "$T/sop/keys.json" \
		> "$T/sop/stdout" 2> "$T/sop/stderr" < /dev/null &
	SOP_PID=$!
	i=0
	while ! grep -q '^READY ' "$T/sop/stdout"; do
		i=$((i + 1))
		if [ $i -gt 300 ] || ! kill -0 "$SOP_PID" 2>/dev/null; then
			cat "$T/sop/stderr" >&2
			die "static-op.mjs did not start"
		fi
		sleep 0.1
	done
	ISSUER=$(sed -n 's/^READY //p' "$T/sop/stdout" | head -n 1)
}
stop_static_op() {
	if [ -n "$SOP_PID" ]; then
		kill "$SOP_PID" 2>/dev/null
		wait "$SOP_PID" 2>/dev/null
		SOP_PID=""
	fi
}

stop_provider() {
	if [ -n "$PROVIDER_PID" ]; then
		kill "$PROVIDER_PID" 2>/dev/null
		wait "$PROVIDER_PID" 2>/dev/null
		PROVIDER_PID=""
	fi
}

# write_config FILE [extra lines for [login] ...]: a complete configuration
write_config() {
	f=$1; shift
	cat > "$f" <<CONF
# test configuration
[provider]
issuer = $ISSUER
client_id = workstation
ca_file = $T/certs/ca.pem
scopes = openid profile
timeout = 5
cache_dir = $T/cache

[login]
flow = device
login_timeout = ${LOGIN_TIMEOUT:-60}
qr = ${QR_MODE:-auto}

[claims]
leeway = 60
allowed_algs = RS256 PS256 ES256 EdDSA

[mapping]
username_claim = preferred_username
allow_root = no

[audit]
audit_file = $T/audit.log
CONF
	chmod 0644 "$f"
}

# write_service NAME [module arguments...]
write_service() {
	name=$1; shift
	mkdir -p "$T/pam.d"
	[ -f "$T/pam.d/other" ] || printf 'auth required pam_deny.so\naccount required pam_deny.so\n' > "$T/pam.d/other"
	echo "auth required $MODULE config=$T/pam_oidc.conf helper=$HELPER $*" > "$T/pam.d/$name"
}

# start_login SERVICE USER: pamtester in the background, its output in
# $LAST_OUT, its stdin a FIFO ($T/stdin) kept open by fd 7 so that the test
# can type Enter; PAMTESTER_PID set.
start_login() {
	LAST_OUT=$T/out.$N.$1.$2
	rm -f "$T/stdin"
	mkfifo "$T/stdin"
	LD_PRELOAD=$PAM_WRAPPER_LIB PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR=$T/pam.d \
		stdbuf -o0 -e0 "$PAMTESTER" -v "$1" "$2" authenticate < "$T/stdin" > "$LAST_OUT" 2>&1 &
	PAMTESTER_PID=$!
	exec 7> "$T/stdin"
}

# end_login: close stdin, wait for pamtester; sets LOGIN_RC
end_login() {
	exec 7>&-
	wait "$PAMTESTER_PID"
	LOGIN_RC=$?
}

type_enter() { printf '\n' >&7; }

# wait_for TEXT [SECONDS]: until the login output contains TEXT
wait_for() {
	i=0
	while ! grep -qF -- "$1" "$LAST_OUT"; do
		i=$((i + 1))
		[ $i -gt $((${2:-20} * 10)) ] && return 1
		kill -0 "$PAMTESTER_PID" 2>/dev/null || { grep -qF -- "$1" "$LAST_OUT"; return $?; }
		sleep 0.1
	done
	return 0
}

# browser LOGIN ACTION: read the URI and code the clinician sees, and act on
# the provider's pages as that person would.
browser() {
	wait_for "enter the code:" 20 || return 1
	uri=$(sed -n 's/^Open \(https:[^ ]*\)$/\1/p' "$LAST_OUT" | head -n 1)
	code=$(sed -n 's/^and enter the code: \(.*\)$/\1/p' "$LAST_OUT" | head -n 1)
	[ -n "$uri" ] && [ -n "$code" ] || return 1
	"$NODE" "$PROVIDER_DIR/browser.mjs" --ca "$T/certs/ca.pem" --uri "$uri" \
		--user-code "$code" --login "$1" --action "$2" >> "$T/browser.log" 2>&1
}

# login_result: the pamtester verdict text
said() { grep -qF -- "$1" "$LAST_OUT"; }
helpers_left() { pgrep -f "$HELPER" >/dev/null 2>&1; }
no_helper_left() {
	i=0
	while helpers_left; do
		i=$((i + 1)); [ $i -gt 30 ] && return 1; sleep 0.1
	done
	return 0
}
audit_has() { tail -n 1 "$T/audit.log" 2>/dev/null | grep -qE -- "$1"; }
