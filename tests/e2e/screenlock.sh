#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# A screen locker runs PAM as the user: the module then starts a setuid-root
# helper (configure --enable-setuid-helper), which authenticates only the
# caller's own account, only with the system configuration, and holds no
# capability.  The helper run by root holds none either.
. "$(dirname "$0")/lib.sh"

require_root
ensure_user alice
ensure_user bob
make_certs
start_provider

AUTH_ERR="Authentication failure"
SERVICE_ERR="Error in service module"
SUCCESS="successfully authenticated"

# A non-root caller gets only the default configuration file: put the test
# configuration there for the duration of this test, and put back whatever
# was there before.
SYSCONF=$("$top_builddir/helper/pam-oidc" --help | sed -n 's/.*(default \(\/[^)]*\)).*/\1/p')
[ -n "$SYSCONF" ] || die "cannot tell the default configuration file from pam-oidc --help"
mkdir -p "$(dirname "$SYSCONF")"
if [ -e "$SYSCONF" ]; then
	cp -p "$SYSCONF" "$T/sysconf.saved" || die "cannot save $SYSCONF"
fi
restore_sysconf() {
	if [ -e "$T/sysconf.saved" ]; then cp -p "$T/sysconf.saved" "$SYSCONF"
	else rm -f "$SYSCONF"; fi
}
trap 'restore_sysconf; cleanup' EXIT
write_config "$T/pam_oidc.conf"
install -m 0644 -o root -g root "$T/pam_oidc.conf" "$SYSCONF"

# the helper as a screen-lock installation has it: root-owned, setuid
SUID=$T/pam_oidc_helper
install -m 4755 -o root -g root "$HELPER" "$SUID"
mkdir -p "$T/pam.d"
printf 'auth required pam_deny.so\n' > "$T/pam.d/other"
echo "auth required $MODULE helper=$SUID" > "$T/pam.d/xlock"
echo "auth required $MODULE helper=$SUID config=$T/pam_oidc.conf" > "$T/pam.d/xlock-config"
chmod -R a+rX "$T/pam.d"

# start_user_login USER SERVICE PAMUSER: pamtester run by USER
start_user_login() {
	LAST_OUT=$T/out.$N.$1.$3
	rm -f "$T/stdin"
	mkfifo "$T/stdin"
	chmod 0666 "$T/stdin"
	su -s /bin/sh "$1" -c "LD_PRELOAD=$PAM_WRAPPER_LIB PAM_WRAPPER=1 \
		PAM_WRAPPER_SERVICE_DIR=$T/pam.d stdbuf -o0 -e0 $PAMTESTER -v $2 $3 authenticate" \
		< "$T/stdin" > "$LAST_OUT" 2>&1 &
	PAMTESTER_PID=$!
	exec 7> "$T/stdin"
}

# proc_field PID NAME: a field of /proc/PID/status
proc_field() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" 2>/dev/null; }
helper_pid() { pgrep -f "^$1 --pam" | head -n 1; }

# 1. alice unlocks her own session
start_user_login alice xlock alice
wait_for "enter the code:" 20
hp=$(helper_pid "$SUID")
uid_line=$(proc_field "$hp" Uid)
cap_eff=$(proc_field "$hp" CapEff)
cap_bnd=$(proc_field "$hp" CapBnd)
nnp=$(proc_field "$hp" NoNewPrivs)
browser alice approve
end_login
check "alice unlocks her own session -> success" [ "$LOGIN_RC" -eq 0 ]
check "the helper ran with alice's real uid and effective uid 0" \
	[ "$(echo "$uid_line" | awk '{print $1, $2}')" = "$(id -u alice) 0" ]
check "the setuid helper holds no capability" [ "$cap_eff" = 0000000000000000 ]
check "... and none can come back (empty bounding set)" [ "$cap_bnd" = 0000000000000000 ]
check "... and it cannot gain privileges (no_new_privs)" [ "$nnp" = 1 ]
check "audit line: success for alice through the lock screen" \
	audit_has "result=success reason=verified service=xlock user=alice "

# 2. alice asks for bob's account
start_user_login alice xlock bob
end_login
check "alice cannot run the helper for bob" said "$SERVICE_ERR"
check "audit line names the rule" audit_has "may only authenticate its own account"

# 3. a user cannot choose the configuration file
start_user_login alice xlock-config alice
end_login
check "a user-chosen config= is refused" said "$SERVICE_ERR"
check "the application's log says why" said "may not choose the configuration file"

# 4. run by root (sshd, login), the helper holds no capability either
echo "auth required $MODULE helper=$HELPER config=$T/pam_oidc.conf" > "$T/pam.d/rootsvc"
start_login rootsvc alice
wait_for "enter the code:" 20
hp=$(helper_pid "$HELPER")
cap_eff=$(proc_field "$hp" CapEff)
browser alice approve
end_login
check "a login through a root application still succeeds" [ "$LOGIN_RC" -eq 0 ]
check "the helper started by root holds no capability" [ "$cap_eff" = 0000000000000000 ]
check "no helper is left" no_helper_left

finish
