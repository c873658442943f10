/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One audit line per decision, key=value, to syslog (LOG_AUTHPRIV) and, when
 * `[audit] audit_file` is set, appended to that file.  Values are quoted when they
 * contain anything but [A-Za-z0-9._@:/+-], with '"', '\\' and control bytes
 * escaped.  Never a token, code, secret or verifier.
 */
#ifndef PAM_OIDC_AUDIT_H
#define PAM_OIDC_AUDIT_H

struct audit_event {
	const char *event;  /* "login" */
	const char *result; /* "success" | "failure" | "unavailable" | "error" */
	const char *reason;
	const char *service, *user, *rhost, *tty, *flow;
	const char *iss, *sub, *npi, *role, *account;
	const char *mapping; /* which mapping rule matched */
	long long duration_ms;
};

/* Build the line (malloc'd) without logging it. */
char *audit_format(const struct audit_event *ev);
/* Log it: syslog always; file when not NULL. */
void audit_log(const struct audit_event *ev, const char *file);

#endif
