#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# SSH logins end to end: the ssh client, driven by expect as a person at a
# terminal -> a real OpenSSH sshd on loopback (its own configuration, host
# key and port; the system sshd is neither needed nor touched) -> PAM ->
# pam_oidc.so -> pam_oidc_helper -> the real oidc-provider over HTTPS,
# approved or declined on its pages.
#
# PAM configuration: sshd runs under pam_wrapper (LD_PRELOAD), which makes
# libpam read its service files from $T/pam.d, so nothing under /etc/pam.d
# is written.  The re-exec'ed per-connection sshd and its PAM child inherit
# LD_PRELOAD and PAM_WRAPPER_*; the login's own environment is built afresh
# by sshd, so the preload stops there.  OpenSSH names the PAM service after
# its binary (__progname): Debian's sshd started through a symlink named X
# uses the service X, so /usr/sbin/sshd uses "sshd", and the service file
# is $T/pam.d/sshd.  The first check below proves that this stack is the one
# in use.
#
# The account: useradd leaves a locked password ("!") in /etc/shadow.  sshd
# refuses locked accounts only when UsePAM is off, so with UsePAM yes the
# test account needs no change; the first check would show it otherwise.
. "$(dirname "$0")/lib.sh"

: "${SSHD:=/usr/sbin/sshd}"
: "${SSH:=ssh}"
: "${EXPECT:=expect}"

SSHD_PID=""
SSHD_PORT=""
EXPECT_PID=""

stop_sshd() {
	if [ -n "$SSHD_PID" ]; then
		# its per-connection children first, then the listener
		for p in $(pgrep -P "$SSHD_PID"); do kill "$p" 2>/dev/null; done
		kill "$SSHD_PID" 2>/dev/null
		i=0
		while kill -0 "$SSHD_PID" 2>/dev/null && [ $i -lt 30 ]; do
			i=$((i + 1)); sleep 0.1
		done
		kill -9 "$SSHD_PID" 2>/dev/null
		wait "$SSHD_PID" 2>/dev/null
		SSHD_PID=""
	fi
}

ssh_cleanup() {
	[ -n "$EXPECT_PID" ] && kill "$EXPECT_PID" 2>/dev/null
	stop_sshd
	cleanup
}
trap ssh_cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE

require_root
[ -x "$SSHD" ] || die "sshd not found at $SSHD (apt-get install openssh-server)"
command -v "$SSH" >/dev/null || die "ssh not found (apt-get install openssh-client)"
command -v "$EXPECT" >/dev/null || die "expect not found (apt-get install expect)"
command -v ssh-keygen >/dev/null || die "ssh-keygen not found"

PAM_PERMIT=""
for d in $(pkg-config --variable=moduledir pam 2>/dev/null) \
	/usr/lib/x86_64-linux-gnu/security /lib/x86_64-linux-gnu/security \
	/usr/lib64/security /lib64/security /usr/lib/security /lib/security; do
	[ -f "$d/pam_permit.so" ] && { PAM_PERMIT=$d/pam_permit.so; break; }
done
[ -n "$PAM_PERMIT" ] || die "pam_permit.so not found"

ensure_user alice
make_certs
start_provider
write_config "$T/pam_oidc.conf"

# The PAM stack sshd uses: the module for auth; account and session only as
# much as a login needs to run a command.
mkdir -p "$T/pam.d" "$T/ssh"
cat > "$T/pam.d/sshd" <<PAM
auth     required $MODULE config=$T/pam_oidc.conf helper=$HELPER
account  required $PAM_PERMIT
session  required $PAM_PERMIT
password required $PAM_PERMIT
PAM
printf 'auth required %s\naccount required %s\n' "${PAM_PERMIT%/*}/pam_deny.so" \
	"${PAM_PERMIT%/*}/pam_deny.so" > "$T/pam.d/other"

# start_sshd: on the first free port of 127.0.0.1:22220-22239
start_sshd() {
	# The privilege separation directory, compiled into sshd.  The Debian
	# package's service makes it at start; it is left in place (empty,
	# on tmpfs), as another sshd may be starting meanwhile.
	if [ ! -d /run/sshd ]; then
		mkdir -p /run/sshd && chmod 0755 /run/sshd || die "cannot make /run/sshd"
	fi
	[ -f "$T/ssh/host_ed25519" ] ||
		ssh-keygen -q -t ed25519 -N '' -C pam_oidc-test \
			-f "$T/ssh/host_ed25519" || die "ssh-keygen failed"
	for port in $(seq 22220 22239); do
		if ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then
			continue
		fi
		cat > "$T/ssh/sshd_config" <<CONF
# sshd for the pam_oidc SSH test only
ListenAddress 127.0.0.1:$port
HostKey $T/ssh/host_ed25519
PidFile $T/ssh/sshd.pid
LogLevel ${SSHD_LOGLEVEL:-VERBOSE}
UsePAM yes
KbdInteractiveAuthentication yes
PasswordAuthentication no
PubkeyAuthentication no
HostbasedAuthentication no
GSSAPIAuthentication no
KerberosAuthentication no
AuthenticationMethods keyboard-interactive
AuthorizedKeysFile none
PermitRootLogin no
MaxAuthTries 2
LoginGraceTime 45
UseDNS no
PrintMotd no
PrintLastLog no
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
PermitUserEnvironment no
CONF
		: > "$T/ssh/sshd.log"
		LD_PRELOAD=$PAM_WRAPPER_LIB PAM_WRAPPER=1 \
		PAM_WRAPPER_SERVICE_DIR=$T/pam.d \
			"$SSHD" -D -e -f "$T/ssh/sshd_config" \
			>> "$T/ssh/sshd.log" 2>&1 &
		SSHD_PID=$!
		i=0
		while [ $i -lt 50 ]; do
			if grep -q "Server listening on 127.0.0.1 port $port" \
				"$T/ssh/sshd.log"; then
				SSHD_PORT=$port
				return 0
			fi
			kill -0 "$SSHD_PID" 2>/dev/null || break
			i=$((i + 1)); sleep 0.1
		done
		stop_sshd
		grep -qiE "address already in use|cannot bind" "$T/ssh/sshd.log" &&
			continue
		sed 's/^/#   /' "$T/ssh/sshd.log" | tail -n 20
		die "sshd did not start"
	done
	die "no free port in 127.0.0.1:22220-22239 for sshd"
}

# The person at the terminal, an expect script.  Arguments: transcript
# file, user, port, remote command, ssh.  Each time the Enter prompt shows,
# it saves what the person saw since the last one in TRANSCRIPT.seen.N, then
# waits (bounded) until the test writes TRANSCRIPT.go.N: "enter" presses
# Enter, "hangup" closes the terminal.  Exit: ssh's own status, or 10 and
# above when something did not happen in time.  The whole transcript is in
# TRANSCRIPT, with "#EXPECT:" notes.
cat > "$T/ssh/person.exp" <<'EXP'
set out    [lindex $argv 0]
set user   [lindex $argv 1]
set port   [lindex $argv 2]
set cmd    [lindex $argv 3]
set sshcmd [lindex $argv 4]
log_user 0
log_file -a -noappend $out
set timeout 20
# the first prompt, and the one after an Enter that came too early
set prompt {(Press Enter after you have approved the sign-in|Approve the sign-in, then press Enter): $}
spawn -noecho $sshcmd -F /dev/null -p $port \
	-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
	-o PreferredAuthentications=keyboard-interactive \
	-o PubkeyAuthentication=no -o PasswordAuthentication=no \
	-o KbdInteractiveAuthentication=yes -o GSSAPIAuthentication=no \
	-o NumberOfPasswordPrompts=1 -o ConnectTimeout=5 \
	-o BatchMode=no $user@127.0.0.1 $cmd
set n 0
expect {
	-re $prompt {
		incr n
		if {$n > 5} { send_log "\n#EXPECT: prompted more than 5 times\n"; exit 13 }
		set f [open $out.seen.$n w]
		puts -nonewline $f $expect_out(buffer)
		close $f
		set i 0
		while {![file exists $out.go.$n]} {
			incr i
			if {$i > 250} { send_log "\n#EXPECT: no word from the test at prompt $n\n"; exit 12 }
			after 100
		}
		set f [open $out.go.$n r]
		set what [string trim [read $f]]
		close $f
		if {$what eq "hangup"} {
			send_log "\n#EXPECT: hung up at prompt $n\n"
			close
			wait
			exit 0
		}
		send "\r"
		send_log "\n#EXPECT: pressed Enter at prompt $n\n"
		exp_continue
	}
	timeout {
		send_log "\n#EXPECT: nothing new from ssh within $timeout s (prompt $n)\n"
		exit [expr {$n == 0 ? 10 : 14}]
	}
	eof {}
}
send_log "\n#EXPECT: ssh ended after $n prompt(s)\n"
set st [wait]
exit [lindex $st 3]
EXP

# ssh_start USER: the person types "ssh USER@127.0.0.1 CMD" (in the
# background); SSH_OUT is the terminal transcript.
REMOTE_CMD='id -un; echo LOGIN-OK'
ssh_start() {
	LAST_OUT=$T/ssh/out.$N.$1
	SSH_OUT=$LAST_OUT
	rm -f "$SSH_OUT" "$SSH_OUT".*
	"$EXPECT" -f "$T/ssh/person.exp" "$SSH_OUT" "$1" "$SSHD_PORT" \
		"$REMOTE_CMD" "$SSH" > "$T/ssh/expect.stderr" 2>&1 &
	EXPECT_PID=$!
}

# transcript: the person's terminal for a failure report, QR rows left out
transcript() {
	LAST_OUT=$SSH_OUT.txt
	tr -d '\r' < "$SSH_OUT" 2>/dev/null |
		sed '/^[# ]\{40,\}$/d' > "$LAST_OUT"
}

# ssh_wait_prompt N: until the person sees the Enter prompt the Nth time
ssh_wait_prompt() {
	i=0
	while [ ! -s "$SSH_OUT.seen.$1" ]; do
		i=$((i + 1))
		kill -0 "$EXPECT_PID" 2>/dev/null && [ $i -le 250 ] ||
			{ transcript; return 1; }
		sleep 0.1
	done
	return 0
}

# ssh_answer N enter|hangup: what the person does at the Nth prompt
ssh_answer() { echo "$2" > "$SSH_OUT.go.$1.tmp" && mv "$SSH_OUT.go.$1.tmp" "$SSH_OUT.go.$1"; }

# ssh_end: wait (bounded) for ssh to end; SSH_RC its status
ssh_end() {
	i=0
	while kill -0 "$EXPECT_PID" 2>/dev/null && [ $i -lt 400 ]; do
		i=$((i + 1)); sleep 0.1
	done
	kill "$EXPECT_PID" 2>/dev/null
	wait "$EXPECT_PID"
	SSH_RC=$?
	EXPECT_PID=""
	transcript
}

# seen_uri / seen_code: what the person read before pressing Enter
seen_uri() {
	cat "$SSH_OUT.seen.1" 2>/dev/null | tr -d '\r' | grep -o 'Open https://[^ ]*' |
		head -n 1 | sed 's/^Open //'
}
seen_code() {
	cat "$SSH_OUT.seen.1" 2>/dev/null | tr -d '\r' |
		sed -n 's/.*and enter the code: \([A-Za-z0-9-]*\).*/\1/p' | head -n 1
}

# seen_qr: the QR code the person saw, read as a phone camera would
# (tests/tools/qrtext2pbm, then zbarimg), when both are there
QR2PBM=$top_builddir/tests/tools/qrtext2pbm
QR_TOOLS=yes QR_TOOLS_MISSING=""
[ -x "$QR2PBM" ] || { QR_TOOLS=""; QR_TOOLS_MISSING="make $QR2PBM"; }
command -v zbarimg >/dev/null ||
	{ QR_TOOLS=""; QR_TOOLS_MISSING="${QR_TOOLS_MISSING:+$QR_TOOLS_MISSING, }apt-get install zbar-tools"; }
seen_qr() {
	cat "$SSH_OUT.seen.1" 2>/dev/null | tr -d '\r' | "$QR2PBM" > "$T/ssh/qr.pbm" &&
		zbarimg --raw -q "$T/ssh/qr.pbm" 2>/dev/null
}

# ssh_browser LOGIN ACTION [qr]: act on the provider's pages with what was
# seen: the URI and the code typed in, or the link in the QR code
ssh_browser() {
	if [ "${3:-}" = qr ]; then
		uri=$(seen_qr)
		[ -n "$uri" ] || return 1
		set -- "$1" "$2" --uri "$uri"
	else
		uri=$(seen_uri) code=$(seen_code)
		[ -n "$uri" ] && [ -n "$code" ] || return 1
		set -- "$1" "$2" --uri "$uri" --user-code "$code"
	fi
	login=$1 action=$2; shift 2
	"$NODE" "$PROVIDER_DIR/browser.mjs" --ca "$T/certs/ca.pem" "$@" \
		--login "$login" --action "$action" >> "$T/browser.log" 2>&1
}

# token_answered STATUS: the helper's token poll got STATUS since the mark
mark_requests() { MARK=$(cat "$T/op/requests.log" 2>/dev/null | wc -l); }
token_answered() {
	i=0
	while ! tail -n +$((MARK + 1)) "$T/op/requests.log" |
		grep -v ' browser$' | grep -q " POST /token $1\$"; do
		i=$((i + 1)); [ $i -gt 100 ] && return 1; sleep 0.1
	done
	return 0
}

# helpers of this sshd: descendants of it, or orphans not there before (other
# tests may run helpers of their own meanwhile)
ppid_of() { awk '{ print $4 }' "/proc/$1/stat" 2>/dev/null; }
helpers_before() { HELPERS_BEFORE=" $(pgrep -d ' ' -f "$HELPER") "; }
our_helpers() {
	for p in $(pgrep -f "$HELPER"); do
		ppid=$(ppid_of "$p")
		if [ "$ppid" = 1 ]; then
			case $HELPERS_BEFORE in *" $p "*) ;; *) echo "$p" ;; esac
			continue
		fi
		q=$ppid
		while [ -n "$q" ] && [ "$q" -gt 1 ]; do
			[ "$q" = "$SSHD_PID" ] && { echo "$p"; break; }
			q=$(ppid_of "$q")
		done
	done
}
no_helper_of_ours() {
	i=0
	while [ -n "$(our_helpers)" ]; do
		i=$((i + 1)); [ $i -gt 30 ] && return 1; sleep 0.1
	done
	return 0
}

# saw ERE: in the person's whole terminal transcript
saw() { cat "$SSH_OUT" 2>/dev/null | tr -d '\r' | grep -qE -- "$1"; }
# check NAME COMMAND...: as lib.sh's, and on failure show sshd's log too
check() {
	name=$1; shift
	if "$@"; then ok "$name"; else
		not_ok "$name" "$LAST_OUT" "$T/ssh/sshd.log" "$T/audit.log"; fi
}
# saw_at_prompt N ERE: in what the person saw up to the Nth prompt
saw_at_prompt() { cat "$SSH_OUT.seen.$1" 2>/dev/null | tr -d '\r' | grep -qE -- "$2"; }
seconds() { date +%s.%N | cut -c1-14; }
elapsed() { awk -v a="$1" -v b="$(seconds)" 'BEGIN { printf "%.1f", b - a }'; }

T0=$(seconds)
start_sshd
echo "# $("$SSHD" -V 2>&1 | head -n 1) on 127.0.0.1:$SSHD_PORT (pid $SSHD_PID)"

# 1. alice approves on her phone, then presses Enter
t=$(seconds)
helpers_before
mark_requests
ssh_start alice
ssh_wait_prompt 1
check "ssh shows the Enter prompt of pam_oidc (sshd runs this PAM stack)" [ $? -eq 0 ]
[ "$FAILED" -eq 0 ] || die "sshd did not run the pam_oidc conversation; see above"
# What reached the person before any key press: all of it in the one
# keyboard-interactive prompt (ssh prefixes a prompt with "(user@host) ").
check "instructions arrive with the prompt, in one keyboard-interactive round" \
	saw_at_prompt 1 "^\(alice@127\.0\.0\.1\) Sign in to "
check "the host, account and remote host are named before Enter" \
	saw_at_prompt 1 "Sign in to .+ as alice \(connection from 127\.0\.0\.1\)\.$"
check "the verification URI came with the prompt" \
	saw_at_prompt 1 "^Open https://127\.0\.0\.1:[0-9]+/device$"
check "the user code came with the prompt" \
	saw_at_prompt 1 "^and enter the code: [A-Z0-9]{4}-?[A-Z0-9]{4}$"
check "the QR code came with the prompt" \
	saw_at_prompt 1 "^or scan this QR code with your phone:$"
check "the QR code came whole, not cut short" \
	[ "$(cat "$SSH_OUT.seen.1" | tr -d '\r' | grep -cE '^([# ]|█|▀|▄){21,}$')" -ge 11 ]
if [ -n "$QR_TOOLS" ]; then
	check "the QR code the SSH user saw decodes to verification_uri_complete" \
		[ "$(seen_qr)" = "$(seen_uri)?user_code=$(seen_code)" ]
else
	echo "# skipped: decoding the QR code ($QR_TOOLS_MISSING)"
fi
check "the validity came with the prompt" \
	saw_at_prompt 1 "^The code is valid for [0-9]+ (second|minute|hour)s?\."
ssh_browser alice approve
check "alice approves in the browser with the URI and code she saw" [ $? -eq 0 ]
token_answered 200
check "the helper obtained the tokens while the prompt waited" [ $? -eq 0 ]
ssh_answer 1 enter
ssh_end
check "ssh exits 0 after one Enter" [ "$SSH_RC" -eq 0 ]
check "the person is told who signed in" saw "^Signed in as Alice Example \(alice\)\.$"
check "the remote command ran as alice" saw "^alice$"
check "the remote command ran to the end" saw "^LOGIN-OK$"
check "one prompt only" saw "^#EXPECT: ssh ended after 1 prompt\(s\)$"
check "sshd accepted keyboard-interactive/pam for alice" \
	grep -qE "Accepted keyboard-interactive/pam for alice from 127\.0\.0\.1" "$T/ssh/sshd.log"
check "audit line: success for alice, service sshd, rhost, tty ssh" \
	audit_has "result=success reason=verified service=sshd user=alice rhost=127\.0\.0\.1 tty=ssh .*flow=device"
check "no helper process is left after the SSH login" no_helper_of_ours
echo "# approved SSH login: $(elapsed "$t") s"

# 2. alice declines: access refused, the command never runs
t=$(seconds)
helpers_before
mark_requests
ssh_start alice
ssh_wait_prompt 1
check "declined: the Enter prompt came" [ $? -eq 0 ]
ssh_browser alice decline
check "alice declines in the browser" [ $? -eq 0 ]
token_answered 400
ssh_answer 1 enter
ssh_end
check "declined: ssh gives up (exit 255)" [ "$SSH_RC" -eq 255 ]
check "declined: the person is told in plain words" saw "^The sign-in was declined\.$"
check "declined: ssh says permission denied" saw "Permission denied \(keyboard-interactive\)"
check "declined: the remote command never ran" sh -c "! tr -d '\r' < '$SSH_OUT' | grep -q LOGIN-OK"
check "declined: sshd logged the failure" \
	grep -qE "Failed keyboard-interactive/pam for alice from 127\.0\.0\.1" "$T/ssh/sshd.log"
check "declined: audit line names the denial" \
	audit_has "result=failure reason=\".*access_denied.*\" service=sshd user=alice"
check "declined: no helper process is left" no_helper_of_ours
echo "# declined SSH login: $(elapsed "$t") s"

# 3. Enter before approving: told so, prompted again in the same login
t=$(seconds)
helpers_before
mark_requests
ssh_start alice
ssh_wait_prompt 1
ssh_answer 1 enter
ssh_wait_prompt 2
check "early Enter: prompted again" [ $? -eq 0 ]
check "early Enter: told the sign-in is not approved yet" saw_at_prompt 2 "Not approved yet"
if [ -n "$QR_TOOLS" ]; then
	ssh_browser alice approve qr
	check "early Enter: alice then approves with her phone (the QR link)" [ $? -eq 0 ]
else
	ssh_browser alice approve
	check "early Enter: alice then approves" [ $? -eq 0 ]
fi
token_answered 200
ssh_answer 2 enter
ssh_end
check "early Enter: the second Enter logs in" [ "$SSH_RC" -eq 0 ]
check "early Enter: the remote command ran" saw "^LOGIN-OK$"
check "early Enter: one device code, not a new login" \
	[ "$(tail -n +$((MARK + 1)) "$T/op/requests.log" | grep -v ' browser$' | grep -c ' POST /device/auth ')" -eq 1 ]
check "early Enter: no helper process is left" no_helper_of_ours
echo "# SSH login with an early Enter: $(elapsed "$t") s"

# 4. the person closes the terminal at the prompt: nothing stays behind
t=$(seconds)
helpers_before
audit_mark=$(cat "$T/audit.log" 2>/dev/null | wc -l)
ssh_start alice
ssh_wait_prompt 1
check "hang-up: the Enter prompt came" [ $? -eq 0 ]
check "hang-up: the helper was polling while the prompt waited" \
	[ -n "$(our_helpers)" ]
ssh_answer 1 hangup
ssh_end
check "hang-up: no helper process is left" no_helper_of_ours
if [ "$(cat "$T/audit.log" 2>/dev/null | wc -l)" -gt "$audit_mark" ]; then
	echo "# hang-up: audit: $(tail -n 1 "$T/audit.log" | cut -d' ' -f3-)"
else
	echo "# hang-up: no audit line for the abandoned login"
fi
check "hang-up: sshd is still serving" kill -0 "$SSHD_PID"
echo "# hang-up at the prompt: $(elapsed "$t") s"

pid=$SSHD_PID
stop_sshd
check "sshd stopped" sh -c "! kill -0 $pid 2>/dev/null"
echo "# total: $(elapsed "$T0") s"
finish
