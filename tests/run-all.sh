#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The whole test suite from a clean checkout, as root on Debian 12: install
# what is needed, build with warnings as errors, run `make check` (unit tests,
# end-to-end logins against the bundled OpenID provider, SSH, QR decoding,
# docs), then the unit tests again under ASan+UBSan.  Ends with one line
# "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

sh tests/setup-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

log=$(mktemp -d /tmp/pam_oidc_run.XXXXXX)
status=0
pass=0
fail=0

# count_results DIR: add the PASS/FAIL counts of an automake test-suite.log
count_results() {
	p=$(sed -n 's/^# PASS: *//p' "$1/test-suite.log" | head -n 1)
	f=$(sed -n 's/^# FAIL: *//p' "$1/test-suite.log" | head -n 1)
	e=$(sed -n 's/^# ERROR: *//p' "$1/test-suite.log" | head -n 1)
	x=$(sed -n 's/^# XPASS: *//p' "$1/test-suite.log" | head -n 1)
	pass=$((pass + ${p:-0}))
	fail=$((fail + ${f:-0} + ${e:-0} + ${x:-0}))
}

# Out-of-tree builds: the main one and the sanitizer one side by side.
[ -f config.status ] && make distclean > /dev/null 2>&1
echo "== build"
autoreconf -fi > "$log/autoreconf.log" 2>&1 || { cat "$log/autoreconf.log"; echo "0 passed, 1 failed"; exit 1; }
B=$top/build
rm -rf "$B" && mkdir -p "$B"
(cd "$B" && "$top/configure" --enable-werror > configure.log 2>&1) || { cat "$B/configure.log"; echo "0 passed, 1 failed"; exit 1; }
make -C "$B" -j2 > "$log/make.log" 2>&1 || { cat "$log/make.log"; echo "0 passed, 1 failed"; exit 1; }
make -C "$B" lint-banned || { echo "0 passed, 1 failed"; exit 1; }

echo "== make check"
make -C "$B" -j1 check || status=1
if [ -f "$B/test-suite.log" ]; then
	count_results "$B"
	[ $status -ne 0 ] && cat "$B/test-suite.log"
else
	fail=$((fail + 1))
fi

echo "== unit tests under AddressSanitizer and UndefinedBehaviorSanitizer"
units=$(sed -n 's/^.*\(tests\/unit\/test_[a-z_]*\).*$/\1/p' "$top/Makefile.am" | sort -u | tr '\n' ' ')
A=$top/build-asan
rm -rf "$A" && mkdir -p "$A"
ok=1
(cd "$A" && "$top/configure" --enable-sanitizers > configure.log 2>&1) || ok=0
[ $ok = 1 ] && { make -C "$A" -j2 > "$A/make.log" 2>&1 || ok=0; }
if [ $ok = 1 ]; then
	make -C "$A" check TESTS="$units" || status=1
fi
if [ $ok = 1 ] && [ -f "$A/test-suite.log" ]; then
	count_results "$A"
	[ $status -ne 0 ] && cat "$A/test-suite.log"
else
	fail=$((fail + 1))
	tail -n 50 "$A/make.log" "$A/configure.log" 2>/dev/null
fi

echo "== make distcheck (unit tests in the unpacked tarball)"
if make -C "$B" distcheck DISTCHECK_CONFIGURE_FLAGS="--enable-werror" \
	TESTS="$units tests/e2e/docs.sh" \
	> "$log/distcheck.log" 2>&1; then
	pass=$((pass + 1))
	grep -A3 "archives ready for distribution" "$log/distcheck.log"
else
	fail=$((fail + 1))
	tail -n 60 "$log/distcheck.log"
fi

echo "== make fuzz (every harness, ${FUZZ_TIME:-15} s each, ASan+UBSan)"
if make -C "$B" fuzz FUZZ_TIME="${FUZZ_TIME:-15}" > "$log/fuzz.log" 2>&1; then
	pass=$((pass + 1))
	grep -E "^== fuzz_|^Done " "$log/fuzz.log"
else
	fail=$((fail + 1))
	tail -n 60 "$log/fuzz.log"
fi

[ $fail -ne 0 ] && status=1
[ $pass -eq 0 ] && status=1
echo "$pass passed, $fail failed"
exit $status
