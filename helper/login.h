/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One login: the flow, ID token verification, account mapping.  Shared by
 * pam_oidc_helper (through the PAM module) and `pam-oidc login`.
 */
#ifndef PAM_OIDC_LOGIN_H
#define PAM_OIDC_LOGIN_H

#include <stdbool.h>
#include <time.h>

#include <json-c/json.h>

#include "config.h"
#include "error.h"
#include "http.h"
#include "oidc.h"
#include "jose.h"
#include "ui.h"
#include "util.h"

struct login {
	/* inputs */
	struct oidc_config *cfg;
	struct ui *ui;
	const char *service, *user, *rhost, *ruser, *tty;
	enum oidc_flow flow;
	bool debug;
	char hostname[256];
	time_t started;         /* wall clock at the start of this login */
	long long started_ms;   /* monotonic */
	long long deadline_ms;  /* monotonic: login_timeout */

	/* state */
	struct http_client http;
	struct discovery disco;

	/* set by the flow (owned, wiped) */
	char *nonce;        /* the nonce sent (authcode flow), else NULL */
	char *access_token; /* from the token response, for at_hash */
	char *granted_scope; /* "scope" of the token response, or NULL */

	/* results (owned) */
	json_object *claims; /* verified ID token claims */
	const char *iss, *sub; /* point into claims */
	char *npi, *role, *fhir_user; /* verified clinical claims, for audit */
	char *map_rule;        /* which mapping rule matched (for check/audit) */
	char *account;         /* mapped local account */
	unsigned jwks_fetches; /* JWKS downloads during this login */
	struct oidc_err err;
};

void login_init(struct login *l, struct oidc_config *cfg, struct ui *ui);
/* Run the whole login.  Returns OIDC_OK when the identity is verified and
 * mapped to l->user; otherwise l->err says why. */
int login_run(struct login *l);
void login_free(struct login *l);

/* The device authorization grant (RFC 8628): on success *id_token is the
 * (unverified) ID token from the token response, malloc'd. */
int device_flow(struct login *l, char **id_token);

/* The provider's signing keys for a token whose header names kid (NULL if
 * none): from the on-disk cache when fresh, else fetched from jwks_uri; when
 * kid is not in the set, one refetch (rate-limited per issuer).  *set is the
 * caller's to jwks_free(). */
int keys_for_token(struct login *l, const char *kid, struct jwk_set **set);

/* The authorization code flow with PKCE (authcode.c): on success *id_token
 * is the (unverified) ID token and l->nonce the nonce that was sent. */
int authcode_flow(struct login *l, char **id_token);

/* flow = token (tokenflow.c): the password prompt receives a compact JWT,
 * *id_token.  Replay protection is token_flow_accept(), called after the
 * token verified. */
int token_flow(struct login *l, char **id_token);
int token_flow_accept(struct login *l, const char *id_token);

/* The audit line of this login's decision (audit.h): syslog, and
 * audit_file when set.  rc is the login's result. */
void login_audit(const struct login *l, enum oidc_rc rc);

/* The instructions a flow shows the person, built in sb: */
/* "Sign in to HOST as USER (connection from RHOST)" — the remote-phishing
 * mitigation of RFC 8628 §5.4, for every flow. */
void login_text_greeting(const struct login *l, struct strbuf *sb);
/* "or scan this QR code with your phone:" and the code of uri, in the
 * rendering qr = auto|utf8|ascii asks for; nothing for qr = off. */
void login_text_qr(const struct login *l, struct strbuf *sb, const char *uri);
/* Show sb (consumed) as information; what names it in the failure reason. */
int login_text_show(struct login *l, struct strbuf *sb, const char *what);

/* Which flow a login uses: cfg->flow, or for auto the device grant when the
 * provider advertises a device_authorization_endpoint, else the code flow. */
enum oidc_flow login_pick_flow(const struct login *l);

/* The checks the device flow makes on a device authorization answer (HTTP
 * status and parsed body), for tests and the fuzzer. */
int device_auth_response_check(struct login *l, long status,
			       json_object *doc);

/* After a signature failure with cached keys (the provider may have put a
 * new key under an old kid): download the JWKS once, within the same
 * per-issuer rate limit as an unknown kid.  OIDC_OK with a fresh *set, or
 * not (the caller keeps its own reason). */
int keys_refresh(struct login *l, struct jwk_set **set);

/* Verify an ID token completely and keep its claims in l->claims. */
int verify_id_token(struct login *l, const char *id_token);

/* Check the verified claims against a Unix account and fill l->account. */
int map_account(struct login *l);

/* Wait until the monotonic time `until` while watching the person side;
 * returns UI_TIMEOUT when the time came, or what happened. */
enum ui_wait login_wait_until(struct login *l, long long until, char **answer);

#endif
