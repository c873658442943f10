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

#ifndef PAM_OIDC_CACHE_DIR
#define PAM_OIDC_CACHE_DIR "/var/cache/pam_oidc"
#endif

enum oidc_flow { FLOW_DEVICE = 0, FLOW_AUTHCODE, FLOW_TOKEN, FLOW_AUTO };
enum client_auth {
	CLIENT_AUTH_NONE = 0,
	CLIENT_AUTH_SECRET_BASIC,
	CLIENT_AUTH_SECRET_POST,
	CLIENT_AUTH_PRIVATE_KEY_JWT,
	CLIENT_AUTH_TLS,             /* tls_client_auth */
	CLIENT_AUTH_SELF_SIGNED_TLS, /* self_signed_tls_client_auth */
};
enum assertion_audience { AUD_TOKEN_ENDPOINT = 0, AUD_ISSUER };
enum qr_mode { QR_AUTO = 0, QR_UTF8, QR_ASCII, QR_OFF };

struct oidc_config {
	char *path; /* file it was read from */

	/* [provider] */
	char *issuer;    /* required; https URL, no query/fragment */
	char *client_id; /* required; printable, no spaces */
	char *ca_file;   /* absolute path or NULL (system default CAs) */
	char *scopes;    /* default "openid profile"; must contain "openid" */
	long timeout;    /* seconds per HTTP request, 1..300, default 10 */
	enum client_auth client_auth; /* default none */
	char *client_secret_file;     /* absolute path or NULL */
	char *client_key_file;        /* absolute path (PEM) or NULL */
	char *client_cert_file;       /* absolute path (PEM) or NULL */
	char *client_pkcs12_file;     /* absolute path (PKCS#12) or NULL */
	char *client_pkcs12_passphrase_file; /* absolute path or NULL */
	char *client_assertion_alg;   /* RS256 RS384 PS256 ES256 ES384; NULL:
					 RS384 for RSA keys, ES256 for P-256,
					 ES384 for P-384 */
	enum assertion_audience assertion_audience; /* default token_endpoint */
	char *proxy;     /* http(s)://host:port or NULL (no proxy) */
	char **no_proxy; /* NULL-terminated host list or NULL */
	char *cache_dir; /* absolute path; default PAM_OIDC_CACHE_DIR */
	char *fhir_base_url; /* https URL or NULL: SMART configuration, aud */

	/* [login] */
	enum oidc_flow flow; /* default device */
	long login_timeout;  /* seconds, 10..3600, default 300 */
	enum qr_mode qr;     /* default auto */
	char *redirect_uri;  /* http://127.0.0.1[:port]/path or https URL;
				default http://127.0.0.1/callback */
	bool par;            /* pushed authorization requests; default no */

	/* [claims] */
	long leeway;         /* seconds, 0..600, default 60 */
	char **allowed_algs; /* NULL-terminated; default RS256 PS256 ES256 EdDSA */
	long max_auth_age;   /* seconds, 0 = auth_time not required; 0..86400 */
	char **required_acr; /* NULL-terminated or NULL: acr must be one of */
	char **required_amr; /* NULL-terminated or NULL: amr must contain all */
	char *role_claim;    /* dotted path or NULL (no role policy) */
	char **allowed_roles; /* NULL-terminated or NULL */
	char *npi_claim;     /* claim name or NULL */
	bool require_npi;    /* default no */
	char *hpii_claim;    /* claim name or NULL: Australian HPI-I */
	char *hpio_claim;    /* claim name or NULL: Australian HPI-O */
	char *fhir_user_claim; /* default "fhirUser" */
	char **fhir_user_types; /* NULL-terminated or NULL (no fhirUser rule) */

	/* [mapping] */
	char *username_claim; /* default "preferred_username" */
	char *map_file;       /* absolute path or NULL: no map file */
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

/* Parse a flow name ("device", "authcode", "token", "auto"); -1 if unknown. */
int config_flow_from_name(const char *name);
const char *config_flow_name(enum oidc_flow flow);

void config_free(struct oidc_config *cfg);

#endif
