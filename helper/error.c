/* SPDX-License-Identifier: BSD-3-Clause */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int oidc_fail(struct oidc_err *e, enum oidc_rc rc, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL || e->rc != OIDC_OK)
		return rc;
	e->rc = rc;
	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
	va_end(ap);
	return rc;
}

int oidc_vfail_at(struct oidc_err *e, enum oidc_rc rc, const char *file,
		  unsigned line, const char *fmt, va_list ap)
{
	char msg[sizeof(e->reason)];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (line > 0)
		return oidc_fail(e, rc, "%s:%u: %s", file, line, msg);
	return oidc_fail(e, rc, "%s: %s", file, msg);
}

void oidc_user_msg(struct oidc_err *e, const char *msg)
{
	if (e == NULL)
		return;
	snprintf(e->user_msg, sizeof(e->user_msg), "%s", msg);
}

void oidc_err_clear(struct oidc_err *e)
{
	memset(e, 0, sizeof(*e));
}

const char *oidc_rc_name(enum oidc_rc rc)
{
	switch (rc) {
	case OIDC_OK:
		return "ok";
	case OIDC_EREJECT:
		return "rejected";
	case OIDC_EUNAVAIL:
		return "unavailable";
	case OIDC_ECONFIG:
		return "config";
	case OIDC_EINTERNAL:
		return "internal";
	case OIDC_EABORT:
		return "aborted";
	}
	return "unknown";
}
