/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One error idiom for the helper: a function returns an oidc_rc and, on
 * failure, fills a struct oidc_err with the class of failure (which decides
 * the PAM result), a short reason for the audit log and the admin, and
 * optionally a plain sentence for the clinician at the prompt.
 */
#ifndef PAM_OIDC_ERROR_H
#define PAM_OIDC_ERROR_H

#include <stdarg.h>
#include <stddef.h>

enum oidc_rc {
	OIDC_OK = 0,
	OIDC_EREJECT = 1,   /* verification or policy rejection -> PAM_AUTH_ERR */
	OIDC_EUNAVAIL = 2,  /* provider unreachable, TLS, timeout -> PAM_AUTHINFO_UNAVAIL */
	OIDC_ECONFIG = 3,   /* configuration error -> PAM_SERVICE_ERR */
	OIDC_EINTERNAL = 4, /* out of memory, bad helper state -> PAM_SERVICE_ERR */
	OIDC_EABORT = 5,    /* user aborted or login_timeout -> PAM_AUTH_ERR */
};

struct oidc_err {
	enum oidc_rc rc;
	char reason[512];   /* for the admin and the audit log: what failed and why */
	char user_msg[256]; /* for the clinician, plain words; may be empty */
};

/* Record a failure (the first one recorded wins) and return rc. */
int oidc_fail(struct oidc_err *e, enum oidc_rc rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The same for a file an administrator wrote: the reason becomes
 * "FILE:LINE: message" (line > 0) or "FILE: message". */
int oidc_vfail_at(struct oidc_err *e, enum oidc_rc rc, const char *file,
		  unsigned line, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));

/* Set the sentence shown to the clinician (overwrites). */
void oidc_user_msg(struct oidc_err *e, const char *msg);

/* Reset to "no error". */
void oidc_err_clear(struct oidc_err *e);

/* Name of the class, e.g. "rejected", "unavailable". */
const char *oidc_rc_name(enum oidc_rc rc);

#endif
