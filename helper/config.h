/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /etc/security/pam_oidc.conf: INI sections, "key = value", '#' comments
 * (whole-line, or after whitespace).  Strict: unknown section or key, a
 * duplicate key, a bad value or a relative path is an error naming file:line.
 * The file must be a regular file owned by root and not writable by group or
 * other.
 */
#ifndef PAM_OIDC_CONFIG_H
#define PAM_OIDC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#ifndef PAM_OIDC_CONFIG_PATH
#define PAM_OIDC_CONFIG_PATH "/etc/security/pam_oidc.conf"
#endif

#define CONFIG_MAX_SIZE (256 * 1024)
#define CONFIG_MAX_LIST 32

enum oidc_flow { FLOW_DEVICE = 0, FLOW_AUTHCODE, FLOW_TOKEN };
enum qr_mode { QR_AUTO = 0, QR_UTF8, QR_ASCII, QR_OFF };

struct oidc_config {
	char *path; /* file it was read from */

	/* [provider] */
	char *issuer;    /* required; https URL, no query/fragment */
	char *client_id; /* required; printable, no spaces */
	char *ca_file;   /* absolute path or NULL (system default CAs) */
	char *scopes;    /* default "openid profile"; must contain "openid" */
	long timeout;    /* seconds per HTTP request, 1..300, default 10 */

	/* [login] */
	enum oidc_flow flow; /* default device */
	long login_timeout;  /* seconds, 10..3600, default 300 */
	enum qr_mode qr;     /* default auto */

	/* [claims] */
	long leeway;         /* seconds, 0..600, default 60 */
	char **allowed_algs; /* NULL-terminated; default RS256 PS256 ES256 EdDSA */

	/* [mapping] */
	char *username_claim; /* default "preferred_username" */
	bool allow_root;      /* default no */

	/* [audit] */
	char *audit_file; /* absolute path or NULL: also append audit lines here */
};

/* Fill cfg with defaults (all strings allocated). */
int config_defaults(struct oidc_config *cfg, struct oidc_err *e);

/* Load and check a file (ownership/mode, then parse).  On error e->reason is
 * "FILE:LINE: what is wrong" and rc is OIDC_ECONFIG. */
int config_load(const char *path, struct oidc_config *cfg, struct oidc_err *e);

/* Parse a buffer; name is used in messages.  No ownership checks. */
int config_parse(const char *name, const char *buf, size_t len,
		 struct oidc_config *cfg, struct oidc_err *e);

/* Parse a flow name ("device", "authcode", "token"); -1 if unknown. */
int config_flow_from_name(const char *name);
const char *config_flow_name(enum oidc_flow flow);

void config_free(struct oidc_config *cfg);

#endif
