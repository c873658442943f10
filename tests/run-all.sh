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

echo "== build"
autoreconf -fi > "$log/autoreconf.log" 2>&1 || { cat "$log/autoreconf.log"; echo "0 passed, 1 failed"; exit 1; }
./configure --enable-werror > "$log/configure.log" 2>&1 || { cat "$log/configure.log"; echo "0 passed, 1 failed"; exit 1; }
make -j2 > "$log/make.log" 2>&1 || { cat "$log/make.log"; echo "0 passed, 1 failed"; exit 1; }

echo "== make check"
make -j1 check || status=1
[ -f test-suite.log ] && count_results .
[ -f test-suite.log ] && [ $status -ne 0 ] && cat test-suite.log

echo "== unit tests under AddressSanitizer and UndefinedBehaviorSanitizer"
rm -rf "$log/asan" && mkdir -p "$log/asan"
(cd "$log/asan" && "$top/configure" --enable-sanitizers CC=gcc > configure.log 2>&1 &&
	make -j2 > make.log 2>&1 &&
	make check TESTS="tests/unit/test_config tests/unit/test_json tests/unit/test_jose tests/unit/test_protocol tests/unit/test_qr") || status=1
if [ -f "$log/asan/test-suite.log" ]; then
	count_results "$log/asan"
	[ $status -ne 0 ] && cat "$log/asan/test-suite.log"
else
	fail=$((fail + 1))
	tail -n 50 "$log/asan/make.log" "$log/asan/configure.log" 2>/dev/null
fi

[ $fail -ne 0 ] && status=1
[ $pass -eq 0 ] && status=1
echo "$pass passed, $fail failed"
exit $status
