#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Device-grant logins end to end: pamtester -> pam_oidc.so -> pam_oidc_helper
# -> the real oidc-provider over HTTPS, approved or declined on its pages.
. "$(dirname "$0")/lib.sh"

require_root
ensure_user alice
ensure_user bob
make_certs
start_provider
write_config "$T/pam_oidc.conf"
write_service oidc-login
write_service sshd

AUTH_ERR="Authentication failure"
UNAVAIL="Authentication service cannot retrieve authentication info"
SERVICE_ERR="Error in service module"
SUCCESS="successfully authenticated"

# 1. alice approves at the console: no key press needed
start_login oidc-login alice
browser alice approve
end_login
check "alice approves at the console -> success" [ "$LOGIN_RC" -eq 0 ]
check "pamtester reports success" said "$SUCCESS"
check "the clinician saw the host, the account and the code" \
	grep -qE "^Sign in to .+ as alice\.$" "$LAST_OUT"
check "the clinician saw a QR code" said "or scan this QR code with your phone:"
check "the clinician saw how long the code is valid (login_timeout 60 s)" said "The code is valid for 1 minute."
check "success message names the person" said "Signed in as Alice Example (alice)."
check "audit line: success for alice with iss and sub" \
	audit_has "result=success reason=verified service=oidc-login user=alice .*iss=https://127.0.0.1:[0-9]+ sub=alice .*flow=device duration_ms=[0-9]+"
check "no helper process is left after success" no_helper_left
check "no secret in the audit log" sh -c "! grep -qiE 'eyJ|device_code|access_token' '$T/audit.log'"

# 2. alice declines
start_login oidc-login alice
browser alice decline
end_login
check "alice declines -> PAM_AUTH_ERR" said "$AUTH_ERR"
check "the clinician is told in plain words" said "The sign-in was declined."
check "audit line names the denial" audit_has "result=failure reason=\".*access_denied.*\" service=oidc-login user=alice"

# 3. bob approves while the login is for alice
start_login oidc-login alice
browser bob approve
end_login
check "identity bob for PAM user alice -> PAM_AUTH_ERR" said "$AUTH_ERR"
check "audit line says which account the identity maps to" \
	audit_has "reason=\"account: identity maps to account \\\\\"bob\\\\\", but the login is for \\\\\"alice\\\\\"\""

# 4. an identity that maps to root is refused (allow_root = no)
start_login oidc-login root
browser mallory approve
end_login
check "identity mapping to root -> PAM_AUTH_ERR" said "$AUTH_ERR"
check "audit line names the uid 0 rule" audit_has "uid 0 and allow_root is no"

# 5. SSH-style: the instructions end with a prompt; Enter after approval
start_login sshd alice
wait_for "Press Enter after you have approved the sign-in" 20
check "over SSH the instructions end with an Enter prompt" [ $? -eq 0 ]
browser alice approve
sleep 2
type_enter
end_login
check "Enter after approving -> success" [ "$LOGIN_RC" -eq 0 ]

# 6. SSH-style: Enter too early, then approve, then Enter
start_login sshd alice
wait_for "Press Enter after you have approved the sign-in" 20
type_enter
check "Enter before approving -> told it is not approved yet" wait_for "Not approved yet" 10
browser alice approve
sleep 2
type_enter
end_login
check "then approving and Enter -> success" [ "$LOGIN_RC" -eq 0 ]

# 7. the connection drops while the Enter prompt waits (SSH disconnect)
start_login sshd alice
wait_for "Press Enter after you have approved the sign-in" 20
kill -9 "$PAMTESTER_PID"
exec 7>&-
wait "$PAMTESTER_PID" 2>/dev/null
check "no helper left after a disconnect at the prompt" no_helper_left
check "audit line says the login was abandoned" \
	audit_has "result=failure reason=\"the login was abandoned \\(connection closed\\)\" service=sshd user=alice"

# 8. the application dies while the console waits: no orphan poller
start_login oidc-login alice
wait_for "enter the code:" 20
kill -9 "$PAMTESTER_PID"
exec 7>&-
wait "$PAMTESTER_PID" 2>/dev/null
check "no orphan poller after the application is killed" no_helper_left
check "audit line for the abandoned console login" \
	audit_has "result=failure reason=\"the login was abandoned \\(connection closed\\)\" service=oidc-login"

# 9. login_timeout reached
LOGIN_TIMEOUT=10 write_config "$T/pam_oidc.conf"
start_login oidc-login alice
end_login
check "login_timeout reached -> PAM_AUTH_ERR" said "$AUTH_ERR"
check "the clinician is told it took too long" said "The sign-in took too long"
check "audit line names login_timeout" audit_has "login_timeout \\(10 s\\) reached"
check "no helper left after the timeout" no_helper_left
write_config "$T/pam_oidc.conf"

# 10. provider stopped -> PAM_AUTHINFO_UNAVAIL
stop_provider
start_login oidc-login alice
end_login
check "provider stopped -> PAM_AUTHINFO_UNAVAIL" said "$UNAVAIL"
check "audit line: unavailable" audit_has "result=unavailable"
check "the clinician is told the service cannot be reached" said "cannot be reached right now"

# 11. a server certificate from a CA we do not trust -> PAM_AUTHINFO_UNAVAIL
start_provider "$T/certs/untrusted-server.pem" "$T/certs/untrusted-server.key"
write_config "$T/pam_oidc.conf"
start_login oidc-login alice
end_login
check "untrusted server certificate -> PAM_AUTHINFO_UNAVAIL" said "$UNAVAIL"
check "audit line names the certificate problem" audit_has "result=unavailable reason=\".*(certificate|SSL).*\""
stop_provider
start_provider
write_config "$T/pam_oidc.conf"

# 12. configuration errors -> PAM_SERVICE_ERR, never success
chmod 0666 "$T/pam_oidc.conf"
start_login oidc-login alice
end_login
check "world-writable config -> PAM_SERVICE_ERR" said "$SERVICE_ERR"
check "the application's log names the file and the fix" \
	grep -qE "pam_oidc.conf: writable by group or other .*chmod 0644" "$LAST_OUT"
chmod 0644 "$T/pam_oidc.conf"

printf '[provider]\nissuer = %s\nclient_id = workstation\nclientid = typo\n' "$ISSUER" > "$T/pam_oidc.conf"
start_login oidc-login alice
end_login
check "unknown key -> PAM_SERVICE_ERR" said "$SERVICE_ERR"
check "the clinician is pointed to IT support" said "Please tell IT support."
write_config "$T/pam_oidc.conf"

echo "auth required $MODULE config=$T/pam_oidc.conf helper=$T/no-such-helper" > "$T/pam.d/oidc-nohelper"
start_login oidc-nohelper alice
end_login
check "helper missing -> PAM_SERVICE_ERR" said "$SERVICE_ERR"

echo "auth required $MODULE config=$T/pam_oidc.conf helper=$HELPER colour=blue" > "$T/pam.d/oidc-badarg"
start_login oidc-badarg alice
end_login
check "unknown module argument -> PAM_SERVICE_ERR" said "$SERVICE_ERR"

# 12b. the helper distrusts its environment: started (through a wrapper)
# with SSLKEYLOGFILE set, which libcurl honours, it writes no TLS keys
printf '#!/bin/sh\nexec env SSLKEYLOGFILE=%s/keys.log %s "$@"\n' "$T" "$HELPER" > "$T/envwrap.sh"
chmod 0755 "$T/envwrap.sh"
echo "auth required $MODULE config=$T/pam_oidc.conf helper=$T/envwrap.sh" > "$T/pam.d/oidc-env"
start_login oidc-env alice
browser alice approve
end_login
check "a login with SSLKEYLOGFILE in the helper's environment succeeds" [ "$LOGIN_RC" -eq 0 ]
check "... and no TLS key log is written" [ ! -e "$T/keys.log" ]

# 13. the request count of one login (for the record)
: > "$T/op/requests.log"
start_login oidc-login alice
browser alice approve
end_login
check "a last approval still succeeds" [ "$LOGIN_RC" -eq 0 ]
req=$(grep -v ' browser$' "$T/op/requests.log" | grep -cE ' (GET|POST) ')
tls=$(grep -v ' browser$' "$T/op/requests.log" | grep -c 'tls-handshake')
echo "# one login: $req HTTP requests, $tls TLS handshake(s)"
check "one TLS handshake per login (the connection is reused)" [ "$tls" -eq 1 ]

finish
