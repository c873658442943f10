/* SPDX-License-Identifier: BSD-3-Clause */
/* The OAuth 2.0 device authorization grant, RFC 8628. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "login.h"
#include "oauth.h"
#include "util.h"

#define GRANT_DEVICE "urn:ietf:params:oauth:grant-type:device_code"
#define DEFAULT_INTERVAL 5L   /* RFC 8628 §3.2 */
#define SLOW_DOWN_STEP 5L     /* RFC 8628 §3.5 */
#define MAX_INTERVAL 60L
#define URI_MAX 2048
#define CODE_MAX 64
#define DEVICE_CODE_MAX 4096

struct device_auth {
	json_object *doc;
	const char *device_code;
	const char *user_code;
	const char *verification_uri;
	const char *verification_uri_complete; /* may be NULL */
	long expires_in;
	long interval;
};

/* The device authorization answer (RFC 8628 §3.2), already parsed. */
static int parse_device_auth(struct login *l, long status, json_object *doc,
			     struct device_auth *da)
{
	struct oidc_err *e = &l->err;
	int64_t v;
	int rc;

	da->doc = doc;
	if (status != 200) {
		const char *err = json_str(doc, "error");

		/* A client the provider does not know or allow is the
		 * administrator's to fix. */
		if (err != NULL && (strcmp(err, "invalid_client") == 0 ||
				    strcmp(err, "unauthorized_client") == 0 ||
				    strcmp(err, "invalid_scope") == 0))
			return oauth_error(e, OIDC_ECONFIG,
					   "device authorization", doc);
		return oauth_error(e, OIDC_EREJECT, "device authorization", doc);
	}
	da->device_code = json_str(doc, "device_code");
	da->user_code = json_str(doc, "user_code");
	da->verification_uri = json_str(doc, "verification_uri");
	da->verification_uri_complete =
		json_str(doc, "verification_uri_complete");
	if (da->device_code == NULL || da->device_code[0] == '\0' ||
	    strlen(da->device_code) > DEVICE_CODE_MAX)
		return oidc_fail(e, OIDC_EREJECT,
				 "device authorization response: device_code "
				 "missing or too long");
	if (!text_is_printable(da->user_code, CODE_MAX))
		return oidc_fail(e, OIDC_EREJECT,
				 "device authorization response: user_code "
				 "missing or not printable ASCII");
	if (!text_is_https_url(da->verification_uri, URI_MAX))
		return oidc_fail(e, OIDC_EREJECT,
				 "device authorization response: "
				 "verification_uri missing or not a plain https "
				 "URL");
	if (da->verification_uri_complete != NULL &&
	    !text_is_https_url(da->verification_uri_complete, URI_MAX))
		return oidc_fail(e, OIDC_EREJECT,
				 "device authorization response: "
				 "verification_uri_complete is not a plain "
				 "https URL");
	if (json_int64(doc, "expires_in", &v) != 0 || v <= 0 ||
	    v > 24 * 3600)
		return oidc_fail(e, OIDC_EREJECT,
				 "device authorization response: expires_in "
				 "missing or out of range");
	da->expires_in = (long)v;
	rc = json_int64(doc, "interval", &v);
	if (rc == -1) {
		da->interval = DEFAULT_INTERVAL;
	} else if (rc != 0 || v < 1 || v > MAX_INTERVAL) {
		return oidc_fail(e, OIDC_EREJECT,
				 "device authorization response: interval "
				 "must be a number from 1 to %ld",
				 MAX_INTERVAL);
	} else {
		da->interval = (long)v;
	}
	return OIDC_OK;
}

int device_auth_response_check(struct login *l, long status,
				json_object *doc)
{
	struct device_auth da = {0};

	return parse_device_auth(l, status, doc, &da);
}

static int show_instructions(struct login *l, const struct device_auth *da,
			     long valid_s)
{
	struct strbuf sb;
	char valid[64];

	text_duration(valid, sizeof(valid), valid_s);
	sb_init(&sb);
	login_text_greeting(l, &sb);
	sb_addf(&sb, "\nOpen %s\nand enter the code: %s\n",
		da->verification_uri, da->user_code);
	if (da->verification_uri_complete != NULL)
		login_text_qr(l, &sb, da->verification_uri_complete);
	sb_addf(&sb, "The code is valid for %s. Approve only a sign-in that "
		     "you started yourself.",
		valid);
	return login_text_show(l, &sb, "the sign-in code");
}

/* One token request.  Returns OIDC_OK with *id_token set when done,
 * OIDC_OK with *pending set when not yet approved, or an error. */
static int poll_token(struct login *l, const struct device_auth *da,
		      long *interval, bool *pending, char **id_token)
{
	struct oidc_err *e = &l->err;
	json_object *doc = NULL;
	char *form = NULL;
	const char *err;
	int rc;

	*pending = false;
	if (http_form_add(&form, "grant_type", GRANT_DEVICE) != 0 ||
	    http_form_add(&form, "device_code", da->device_code) != 0) {
		secure_free(form);
		return oidc_fail(e, OIDC_EINTERNAL, "out of memory");
	}
	rc = token_request(l, &form, &doc, id_token);
	if (rc != OIDC_OK || *id_token != NULL)
		goto out;
	err = json_str(doc, "error");
	if (err != NULL && strcmp(err, "authorization_pending") == 0) {
		*pending = true;
	} else if (err != NULL && strcmp(err, "slow_down") == 0) {
		*pending = true;
		if (*interval + SLOW_DOWN_STEP <= MAX_INTERVAL)
			*interval += SLOW_DOWN_STEP;
	} else if (err != NULL && strcmp(err, "access_denied") == 0) {
		oidc_user_msg(e, "The sign-in was declined.");
		rc = oidc_fail(e, OIDC_EREJECT,
			       "the sign-in was declined at the provider "
			       "(access_denied)");
	} else if (err != NULL && strcmp(err, "expired_token") == 0) {
		oidc_user_msg(e, "The code expired \xe2\x80\x94 try again.");
		rc = oidc_fail(e, OIDC_EREJECT,
			       "the device code expired (expired_token)");
	} else {
		rc = oauth_error(e, OIDC_EREJECT, "token endpoint", doc);
	}
out:
	json_object_put(doc);
	return rc;
}

int device_flow(struct login *l, char **id_token)
{
	struct oidc_err *e = &l->err;
	struct device_auth da = {0};
	json_object *doc = NULL;
	long long expires_ms, end_ms, next_ms;
	long status = 0;
	bool user_waiting = false, pending = true, code_expiry;
	bool need_prompt = true;
	char *form = NULL;
	long interval;
	int rc;

	*id_token = NULL;
	if (l->disco.device_authorization_endpoint == NULL)
		return oidc_fail(e, OIDC_ECONFIG,
				 "the provider %s advertises no "
				 "device_authorization_endpoint; set flow = "
				 "authcode",
				 l->cfg->issuer);
	if (http_form_add(&form, "scope", l->cfg->scopes) != 0) {
		secure_free(form);
		return oidc_fail(e, OIDC_EINTERNAL, "out of memory");
	}
	rc = oauth_post(l, "device authorization",
			l->disco.device_authorization_endpoint, &form, &status,
			&doc);
	if (rc != OIDC_OK)
		return rc;
	rc = parse_device_auth(l, status, doc, &da);
	if (rc != OIDC_OK)
		goto out;

	interval = da.interval;
	expires_ms = mono_ms() + (long long)da.expires_in * 1000;
	code_expiry = expires_ms <= l->deadline_ms;
	end_ms = code_expiry ? expires_ms : l->deadline_ms;
	/* The module may stop us a little after our own end. */
	l->ui->deadline(l->ui,
			(unsigned)((end_ms - mono_ms()) / 1000 +
				   l->cfg->timeout * 2 + 5));
	rc = show_instructions(l, &da, (long)((end_ms - mono_ms() + 500) / 1000));
	if (rc != OIDC_OK)
		goto out;

	next_ms = mono_ms() + interval * 1000;
	while (pending) {
		char *answer = NULL;
		enum ui_wait w;

		if (l->ui->enter_prompt && need_prompt &&
		    !l->ui->prompt_pending) {
			const char *p = user_waiting
				? "Not approved yet. Approve the sign-in, then "
				  "press Enter: "
				: "Press Enter after you have approved the "
				  "sign-in: ";

			if (l->ui->prompt(l->ui, p, false) != 0) {
				rc = oidc_fail(e, OIDC_EABORT,
					       "the conversation went away");
				goto out;
			}
			need_prompt = false;
		}
		w = login_wait_until(l, next_ms < end_ms ? next_ms : end_ms,
				     &answer);
		secure_free(answer);
		if (w == UI_ANSWER) {
			/* Enter pressed: the next poll tells; re-prompt only
			 * if that poll finds the sign-in still pending. */
			user_waiting = true;
			continue;
		}
		if (w == UI_ABORT || w == UI_GONE) {
			rc = oidc_fail(e, OIDC_EABORT,
				       w == UI_ABORT
					       ? "the sign-in was cancelled at "
						 "the prompt"
					       : "the login was abandoned "
						 "(connection closed)");
			goto out;
		}
		if (mono_ms() >= end_ms) {
			if (code_expiry) {
				oidc_user_msg(e, "The code expired \xe2\x80\x94 "
						 "try again.");
				rc = oidc_fail(e, OIDC_EABORT,
					       "the device code expired before "
					       "it was approved");
			} else {
				oidc_user_msg(e, "The sign-in took too long "
						 "\xe2\x80\x94 try again.");
				rc = oidc_fail(e, OIDC_EABORT,
					       "login_timeout (%ld s) reached "
					       "before the sign-in was "
					       "approved",
					       l->cfg->login_timeout);
			}
			goto out;
		}
		if (mono_ms() < next_ms)
			continue;
		rc = poll_token(l, &da, &interval, &pending, id_token);
		if (rc != OIDC_OK)
			goto out;
		next_ms = mono_ms() + interval * 1000;
		if (pending && user_waiting && !l->ui->prompt_pending)
			need_prompt = true; /* "not approved yet" */
	}
	rc = OIDC_OK;
out:
	if (da.doc != NULL)
		json_object_put(da.doc);
	if (rc != OIDC_OK && *id_token != NULL) {
		secure_free(*id_token);
		*id_token = NULL;
	}
	return rc;
}
