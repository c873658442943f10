#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# A demo login, as root on Debian 12: install what is needed, build, start the
# bundled OpenID provider (tests/provider) on 127.0.0.1 with a CA made here,
# and log the local account "alice" in through pam_oidc.so with pamtester.
#
#   sh tests/demo.sh                 approve yourself in a browser on this
#                                    machine (sign in as "alice"; the test CA
#                                    is in the printed directory)
#   sh tests/demo.sh --auto-approve  a scripted browser approves after a few
#                                    seconds, for machines without a browser
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
auto=no
case "${1:-}" in
--auto-approve) auto=yes ;;
"") ;;
*) echo "usage: sh tests/demo.sh [--auto-approve]" >&2; exit 2 ;;
esac

sh "$top/tests/setup-deps.sh"
cd "$top"
B=$top/build
echo "== building in $B"
[ -f config.status ] && make distclean >/dev/null 2>&1
[ -x configure ] || autoreconf -fi >/dev/null 2>&1
mkdir -p "$B"
[ -f "$B/Makefile" ] || (cd "$B" && "$top/configure" >/dev/null)
make -C "$B" -j2 >/dev/null

top_srcdir=$top
top_builddir=$B
. "$top/tests/e2e/lib.sh"
trap cleanup EXIT
require_root
if ! id alice >/dev/null 2>&1; then
	echo "== creating the local demo account alice"
	ensure_user alice
fi
make_certs
start_provider
LOGIN_TIMEOUT=300 write_config "$T/pam_oidc.conf"
# the clinical policy a hospital would set: a recent sign-in, a clinical
# role, a valid NPI and a Practitioner fhirUser
sed -i 's/^scopes = .*/scopes = openid profile fhirUser/' "$T/pam_oidc.conf"
cat >> "$T/pam_oidc.conf" <<'POLICY'

[claims]
max_auth_age = 600
role_claim = practitioner_role
allowed_roles = physician nurse
npi_claim = npi
require_npi = yes
fhir_user_types = Practitioner PractitionerRole
POLICY
write_service pam_oidc-demo

cat <<INFO
== pam_oidc demo
   provider:  $ISSUER  (test CA: $T/certs/ca.pem)
   config:    $T/pam_oidc.conf
   PAM stack: $T/pam.d/pam_oidc-demo
   Logging in the local account alice with: pamtester pam_oidc-demo alice authenticate

INFO

start_login pam_oidc-demo alice
tail -f "$LAST_OUT" --pid="$PAMTESTER_PID" &
tailpid=$!
if [ $auto = yes ]; then
	wait_for "The code is valid for" 30 || true
	sleep 3
	echo
	echo "   (demo: a scripted browser now signs in as alice on the provider's pages and approves)"
	browser alice approve || echo "   (demo: the scripted browser failed; see $T/browser.log)"
else
	echo "   Open the link in a browser on this machine (trust $T/certs/ca.pem or click through),"
	echo "   sign in as alice (any password) and approve."
fi
end_login
wait "$tailpid" 2>/dev/null || true
echo
if [ "$LOGIN_RC" -eq 0 ]; then
	echo "== demo login succeeded. Audit line:"
else
	echo "== demo login failed (pamtester exit $LOGIN_RC). Audit line:"
fi
tail -n 1 "$T/audit.log" 2>/dev/null | sed 's/^/   /'
exit "$LOGIN_RC"
