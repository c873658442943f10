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
#include "ui.h"

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

	/* results (owned) */
	json_object *claims; /* verified ID token claims */
	const char *iss, *sub; /* point into claims */
	char *account;         /* mapped local account */
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

/* Verify an ID token completely and keep its claims in l->claims. */
int verify_id_token(struct login *l, const char *id_token);

/* Check the verified claims against a Unix account and fill l->account. */
int map_account(struct login *l);

/* Wait until the monotonic time `until` while watching the person side;
 * returns UI_TIMEOUT when the time came, or what happened. */
enum ui_wait login_wait_until(struct login *l, long long until, char **answer);

#endif
