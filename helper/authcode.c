/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The authorization code flow with PKCE (RFC 6749 §4.1, RFC 7636 S256,
 * OpenID Connect Core §3.1), RFC 9207 iss, pushed authorization requests
 * (RFC 9126), the loopback redirect of RFC 8252 §7.3 or a pasted one, and
 * SMART on FHIR's aud.
 *
 * A bare code pasted at the prompt is accepted although it brings no state
 * or iss to compare: the code is bound to this login's PKCE verifier (the
 * provider redeems it only with the verifier, which never left this
 * process), the ID token must carry this login's nonce, and there is one
 * configured provider, so a mix-up between providers cannot happen.  A
 * whole address, when pasted, is checked completely.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "json.h"
#include "login.h"
#include "loopback.h"
#include "oauth.h"
#include "pkce.h"
#include "smart.h"
#include "util.h"

#define DEFAULT_REDIRECT "http://127.0.0.1/callback"
#define AUTHZ_URL_MAX 8192
#define REQUEST_URI_MAX 2048
#define UI_SLICE_MS 100 /* how often the person's side is looked at */

struct authcode {
	struct pkce pkce;
	char state[OAUTH_RANDOM_LEN + 1];
	char nonce[OAUTH_RANDOM_LEN + 1];
	struct redirect_target rt;
	struct loopback lb;
	bool lb_open;
	const char *redirect_uri; /* as sent */
	char *authz_url;
	struct authz_resp resp;
	bool bare_code;
	struct smart_config smart;
	bool iss_advertised;
};

/* A boolean discovery member: false when absent. */
static int disco_bool(struct login *l, const char *member, bool *out)
{
	json_object *v;

	*out = false;
	if (!json_object_object_get_ex(l->disco.doc, member, &v))
		return OIDC_OK;
	if (!json_object_is_type(v, json_type_boolean))
		return oidc_fail(&l->err, OIDC_EREJECT,
				 "discovery %s is not a boolean", member);
	*out = json_object_get_boolean(v) != 0;
	return OIDC_OK;
}

/* The provider must offer what this flow needs. */
static int check_provider(struct login *l, struct authcode *ac, bool *par)
{
	struct oidc_err *e = &l->err;
	json_object *m;
	bool required = false;
	size_t i, n;
	int rc;

	if (l->disco.authorization_endpoint == NULL)
		return oidc_fail(e, OIDC_ECONFIG,
				 l->cfg->flow == FLOW_AUTO
				     ? "the provider %s advertises neither "
				       "a device_authorization_endpoint nor "
				       "an authorization_endpoint"
				     : "the provider %s advertises no "
				       "authorization_endpoint; set flow = "
				       "device",
				 l->cfg->issuer);
	/* Absent means "not said" (Entra ID and Cognito do not say); S256
	 * is sent either way.  Present without S256 is a refusal. */
	if (json_object_object_get_ex(l->disco.doc,
				      "code_challenge_methods_supported", &m)) {
		bool s256 = false;

		if (!json_object_is_type(m, json_type_array))
			return oidc_fail(e, OIDC_EREJECT,
					 "discovery "
					 "code_challenge_methods_supported is "
					 "not an array");
		n = json_object_array_length(m);
		for (i = 0; i < n; i++) {
			json_object *v = json_object_array_get_idx(m, i);

			if (json_object_is_type(v, json_type_string) &&
			    strcmp(json_object_get_string(v), "S256") == 0)
				s256 = true;
		}
		if (!s256)
			return oidc_fail(e, OIDC_EREJECT,
					 "the provider does not offer PKCE "
					 "S256 (code_challenge_methods_"
					 "supported); plain is never used");
	}
	rc = disco_bool(l, "authorization_response_iss_parameter_supported",
			&ac->iss_advertised);
	if (rc != OIDC_OK)
		return rc;
	rc = disco_bool(l, "require_pushed_authorization_requests", &required);
	if (rc != OIDC_OK)
		return rc;
	*par = required || l->cfg->par;
	if (*par && json_str(l->disco.doc,
			     "pushed_authorization_request_endpoint") == NULL)
		return oidc_fail(e, OIDC_ECONFIG,
				 "%s, but the provider advertises no "
				 "pushed_authorization_request_endpoint",
				 required ? "the provider requires pushed "
					    "authorization requests"
					  : "par = yes");
	return OIDC_OK;
}

/* The parameters of the authorization request, form-encoded. */
static int request_params(struct login *l, struct authcode *ac,
			  bool with_client_id, char **form)
{
	char max_age[32];
	int bad = 0;

	*form = NULL;
	bad |= http_form_add(form, "response_type", "code");
	if (with_client_id)
		bad |= http_form_add(form, "client_id", l->cfg->client_id);
	bad |= http_form_add(form, "redirect_uri", ac->redirect_uri);
	bad |= http_form_add(form, "scope", l->cfg->scopes);
	bad |= http_form_add(form, "state", ac->state);
	bad |= http_form_add(form, "nonce", ac->nonce);
	bad |= http_form_add(form, "code_challenge", ac->pkce.challenge);
	bad |= http_form_add(form, "code_challenge_method", "S256");
	if (l->cfg->max_auth_age > 0) {
		snprintf(max_age, sizeof(max_age), "%ld", l->cfg->max_auth_age);
		bad |= http_form_add(form, "max_age", max_age);
	}
	if (l->cfg->fhir_base_url != NULL)
		bad |= http_form_add(form, "aud", l->cfg->fhir_base_url);
	if (bad != 0) {
		secure_free(*form);
		*form = NULL;
		return oidc_fail(&l->err, OIDC_EINTERNAL, "out of memory");
	}
	return OIDC_OK;
}

static int set_url(struct login *l, struct authcode *ac, const char *query)
{
	const char *ep = l->disco.authorization_endpoint;
	struct strbuf sb;

	/* RFC 6749 §3.1: the endpoint's own query is kept. */
	sb_init(&sb);
	sb_add(&sb, ep);
	sb_addc(&sb, strchr(ep, '?') != NULL ? '&' : '?');
	sb_add(&sb, query);
	ac->authz_url = sb_steal(&sb);
	if (ac->authz_url == NULL)
		return oidc_fail(&l->err, OIDC_EINTERNAL, "out of memory");
	if (!text_is_https_url(ac->authz_url, AUTHZ_URL_MAX))
		return oidc_fail(&l->err, OIDC_ECONFIG,
				 "the authorization URL is longer than %d "
				 "bytes (shorten scopes, or set par = yes)",
				 AUTHZ_URL_MAX);
	return OIDC_OK;
}

/* An OAuth error that the administrator has to fix (client registration,
 * scopes, redirect URI), not the person signing in. */
static bool admin_error(const char *err)
{
	static const char *const admin[] = {
	    "invalid_client",	    "unauthorized_client", "invalid_scope",
	    "invalid_redirect_uri", "invalid_request",	   NULL,
	};
	size_t i;

	for (i = 0; err != NULL && admin[i] != NULL; i++)
		if (strcmp(err, admin[i]) == 0)
			return true;
	return false;
}

/* RFC 9126: push the parameters, then send the browser with request_uri. */
static int push_request(struct login *l, struct authcode *ac)
{
	struct oidc_err *e = &l->err;
	const char *ep =
	    json_str(l->disco.doc, "pushed_authorization_request_endpoint");
	json_object *doc = NULL;
	char *form = NULL, *query = NULL;
	const char *request_uri, *err;
	long status = 0;
	int64_t expires;
	int rc;

	rc = request_params(l, ac, false, &form);
	if (rc != OIDC_OK)
		return rc;
	rc = oauth_post(l, "pushed authorization request", ep, &form, &status,
			&doc);
	if (rc != OIDC_OK)
		return rc;
	if (status != 201 && status != 200) {
		err = json_str(doc, "error");
		rc = oauth_error(e,
				 admin_error(err) ? OIDC_ECONFIG : OIDC_EREJECT,
				 "pushed authorization request", doc);
		goto out;
	}
	request_uri = json_str(doc, "request_uri");
	if (!text_is_printable(request_uri, REQUEST_URI_MAX) ||
	    strchr(request_uri, ' ') != NULL) {
		rc = oidc_fail(e, OIDC_EREJECT,
			       "pushed authorization response: request_uri "
			       "missing or not a printable URI");
		goto out;
	}
	if (json_int64(doc, "expires_in", &expires) != 0 || expires <= 0) {
		rc = oidc_fail(e, OIDC_EREJECT,
			       "pushed authorization response: expires_in "
			       "missing or not a positive number");
		goto out;
	}
	if (http_form_add(&query, "client_id", l->cfg->client_id) != 0 ||
	    http_form_add(&query, "request_uri", request_uri) != 0) {
		rc = oidc_fail(e, OIDC_EINTERNAL, "out of memory");
		goto out;
	}
	rc = set_url(l, ac, query);
out:
	free(query);
	json_object_put(doc);
	return rc;
}

static int build_request(struct login *l, struct authcode *ac, bool par)
{
	char *query = NULL;
	int rc;

	if (par)
		return push_request(l, ac);
	rc = request_params(l, ac, true, &query);
	if (rc != OIDC_OK)
		return rc;
	rc = set_url(l, ac, query);
	secure_free(query);
	return rc;
}

static int show_instructions(struct login *l, struct authcode *ac, long valid_s)
{
	struct strbuf sb;
	char valid[64];
	bool paste = ac->rt.mode == REDIRECT_PASTE;

	text_duration(valid, sizeof(valid), valid_s);
	sb_init(&sb);
	login_text_greeting(l, &sb);
	sb_addf(&sb, "\nOpen this address in a web browser%s:\n%s\n",
		paste ? "" : " on this computer", ac->authz_url);
	/* Only the paste mode can finish on a phone: a loopback redirect
	 * goes to the device that runs the browser. */
	if (paste) {
		login_text_qr(l, &sb, ac->authz_url);
		sb_addf(&sb,
			"After you sign in, the browser opens an address "
			"that starts with\n%s\nCopy that whole address "
			"(or the code it shows) and paste it here.\n",
			ac->redirect_uri);
	}
	sb_addf(&sb,
		"Sign in within %s. Approve only a sign-in that you "
		"started yourself.",
		valid);
	return login_text_show(l, &sb, "the sign-in address");
}

static int ui_ended(struct login *l, enum ui_wait w)
{
	return oidc_fail(&l->err, OIDC_EABORT,
			 w == UI_ABORT ? "the sign-in was cancelled at the "
					 "prompt"
				       : "the login was abandoned (connection "
					 "closed)");
}

static int timed_out(struct login *l)
{
	oidc_user_msg(&l->err, "The sign-in took too long \xe2\x80\x94 try "
			       "again.");
	return oidc_fail(&l->err, OIDC_EABORT,
			 "login_timeout (%ld s) reached before the sign-in "
			 "was completed",
			 l->cfg->login_timeout);
}

/* Wait for the browser at the loopback listener, watching the person. */
static int wait_loopback(struct login *l, struct authcode *ac)
{
	bool need_prompt = true, user_waiting = false;

	for (;;) {
		long long left = l->deadline_ms - mono_ms();
		char *answer = NULL;
		enum lb_event ev;
		enum ui_wait w;
		int ui_fd;

		if (l->ui->enter_prompt && need_prompt &&
		    !l->ui->prompt_pending) {
			const char *p =
			    user_waiting ? "Not signed in yet. Finish signing "
					   "in in the browser, then press "
					   "Enter: "
					 : "Press Enter after you have signed "
					   "in: ";

			if (l->ui->prompt(l->ui, p, false) != 0)
				return oidc_fail(&l->err, OIDC_EABORT,
						 "the conversation went away");
			need_prompt = false;
		}
		if (left <= 0)
			return timed_out(l);
		/* The person's side is watched on its fd while an answer is
		 * awaited, else every UI_SLICE_MS (a terminal's stdin may be
		 * readable, or at its end, with nothing asked). */
		ui_fd = l->ui->prompt_pending ? l->ui->fd : -1;
		if (ui_fd < 0 && left > UI_SLICE_MS)
			left = UI_SLICE_MS;
		if (left > 1000)
			left = 1000;
		ev = loopback_wait(&ac->lb, ui_fd, (int)left, &ac->resp);
		if (ev == LB_RESPONSE)
			return OIDC_OK;
		if (ev == LB_ERROR)
			return oidc_fail(&l->err, OIDC_EINTERNAL,
					 "loopback listener: poll failed");
		w = l->ui->wait(l->ui, 0, &answer);
		secure_free(answer);
		if (w == UI_ABORT || w == UI_GONE)
			return ui_ended(l, w);
		if (w == UI_ANSWER) {
			user_waiting = true;
			need_prompt = true;
		}
	}
}

/* Wait for the pasted address (or code). */
static int wait_paste(struct login *l, struct authcode *ac)
{
	struct oidc_err *e = &l->err;
	bool need_prompt = true;
	const char *why = NULL;
	int kind;

	for (;;) {
		char *answer = NULL;
		enum ui_wait w;

		if (need_prompt && !l->ui->prompt_pending) {
			if (l->ui->prompt(l->ui,
					  "Paste the address you were sent to "
					  "(or the code): ",
					  true) != 0)
				return oidc_fail(e, OIDC_EABORT,
						 "the conversation went away");
			need_prompt = false;
		}
		if (mono_ms() >= l->deadline_ms)
			return timed_out(l);
		w = login_wait_until(l, l->deadline_ms, &answer);
		if (w == UI_TIMEOUT)
			continue;
		if (w != UI_ANSWER)
			return ui_ended(l, w);
		if (answer[strspn(answer, " \t\r\n")] == '\0') {
			/* Enter alone: ask again. */
			secure_free(answer);
			need_prompt = true;
			continue;
		}
		kind = authz_paste_parse(answer, ac->redirect_uri, &ac->resp,
					 &why);
		secure_free(answer);
		if (kind == PASTE_URL)
			return OIDC_OK;
		if (kind == PASTE_CODE) {
			ac->bare_code = true;
			return OIDC_OK;
		}
		if (kind == PASTE_FOREIGN) {
			oidc_user_msg(e,
				      "The address you pasted is not the one "
				      "this sign-in sent you to.");
			return oidc_fail(e, OIDC_EREJECT,
					 "pasted address refused: %s (%s)", why,
					 ac->redirect_uri);
		}
		oidc_user_msg(e, "That is neither the address from the browser "
				 "nor the code.");
		return oidc_fail(e, OIDC_EREJECT, "pasted answer refused: %s",
				 why);
	}
}

/* The response belongs to this login and names a code. */
static int check_response(struct login *l, struct authcode *ac)
{
	struct oidc_err *e = &l->err;
	struct authz_resp *r = &ac->resp;
	const char *desc;

	if (!ac->bare_code) {
		size_t n = strlen(ac->state);

		/* The listener accepts only the right state; a pasted
		 * address is checked here. */
		if (r->state == NULL || strlen(r->state) != n ||
		    CRYPTO_memcmp(r->state, ac->state, n) != 0) {
			oidc_user_msg(e, "That sign-in response belongs to "
					 "another sign-in.");
			return oidc_fail(e, OIDC_EREJECT,
					 "authorization response state does "
					 "not match this login (a response to "
					 "another sign-in, or forged)");
		}
		if (r->iss != NULL && strcmp(r->iss, l->cfg->issuer) != 0) {
			oidc_user_msg(e, "That sign-in response comes from "
					 "another identity provider.");
			return oidc_fail(
			    e, OIDC_EREJECT,
			    "authorization response iss \"%.200s\" "
			    "is not the configured issuer %s "
			    "(RFC 9207)",
			    r->iss, l->cfg->issuer);
		}
		if (r->iss == NULL && ac->iss_advertised)
			return oidc_fail(e, OIDC_EREJECT,
					 "authorization response has no iss, "
					 "although the provider advertises "
					 "authorization_response_iss_"
					 "parameter_supported (RFC 9207)");
	}
	if (r->error != NULL) {
		desc = r->error_description;
		if (desc == NULL || !text_is_printable(desc, 200))
			desc = "";
		if (strcmp(r->error, "access_denied") == 0) {
			oidc_user_msg(e, "The sign-in was declined.");
			return oidc_fail(e, OIDC_EREJECT,
					 "the sign-in was declined at the "
					 "provider (access_denied%s%s)",
					 desc[0] ? ": " : "", desc);
		}
		if (strcmp(r->error, "login_required") == 0 ||
		    strcmp(r->error, "interaction_required") == 0 ||
		    strcmp(r->error, "consent_required") == 0) {
			oidc_user_msg(e, "The sign-in was not completed.");
			return oidc_fail(e, OIDC_EREJECT,
					 "authorization error %.64s%s%s",
					 r->error, desc[0] ? ": " : "", desc);
		}
		oidc_user_msg(e, "The identity provider refused the sign-in "
				 "request. Please tell IT support.");
		return oidc_fail(
		    e, admin_error(r->error) ? OIDC_ECONFIG : OIDC_EREJECT,
		    "authorization error %.64s%s%s", r->error,
		    desc[0] ? ": " : "", desc);
	}
	if (r->code == NULL || r->code[0] == '\0')
		return oidc_fail(e, OIDC_EREJECT,
				 "authorization response has no code");
	return OIDC_OK;
}

static int exchange_code(struct login *l, struct authcode *ac, char **id_token)
{
	struct oidc_err *e = &l->err;
	json_object *doc = NULL;
	char *form = NULL;
	const char *err;
	int bad = 0, rc;

	bad |= http_form_add(&form, "grant_type", "authorization_code");
	bad |= http_form_add(&form, "code", ac->resp.code);
	bad |= http_form_add(&form, "redirect_uri", ac->redirect_uri);
	bad |= http_form_add(&form, "code_verifier", ac->pkce.verifier);
	if (bad != 0) {
		secure_free(form);
		return oidc_fail(e, OIDC_EINTERNAL, "out of memory");
	}
	rc = token_request(l, &form, &doc, id_token);
	if (rc != OIDC_OK || *id_token != NULL)
		goto out;
	err = json_str(doc, "error");
	if (err != NULL && strcmp(err, "invalid_grant") == 0) {
		oidc_user_msg(e, "The sign-in could not be completed "
				 "\xe2\x80\x94 try again.");
		rc = oauth_error(e, OIDC_EREJECT,
				 "token endpoint refused the authorization "
				 "code (PKCE code_verifier rejected, or the "
				 "code expired or was used already)",
				 doc);
	} else if (err != NULL && (strcmp(err, "invalid_client") == 0 ||
				   strcmp(err, "unauthorized_client") == 0)) {
		rc = oauth_error(e, OIDC_ECONFIG, "token endpoint", doc);
	} else {
		rc = oauth_error(e, OIDC_EREJECT, "token endpoint", doc);
	}
out:
	json_object_put(doc);
	return rc;
}

static void authcode_wipe(struct authcode *ac)
{
	if (ac->lb_open)
		loopback_close(&ac->lb);
	smart_free(&ac->smart);
	authz_resp_free(&ac->resp);
	secure_free(ac->authz_url);
	pkce_wipe(&ac->pkce);
	OPENSSL_cleanse(ac->state, sizeof(ac->state));
	OPENSSL_cleanse(ac->nonce, sizeof(ac->nonce));
}

int authcode_flow(struct login *l, char **id_token)
{
	struct oidc_err *e = &l->err;
	struct authcode ac;
	const char *uri =
	    l->cfg->redirect_uri ? l->cfg->redirect_uri : DEFAULT_REDIRECT;
	const char *why = NULL;
	long long left_ms;
	bool par = false;
	int rc;

	*id_token = NULL;
	memset(&ac, 0, sizeof(ac));
	rc = check_provider(l, &ac, &par);
	if (rc != OIDC_OK)
		goto out;
	if (redirect_uri_parse(uri, &ac.rt, &why) != 0) {
		rc =
		    oidc_fail(e, OIDC_ECONFIG, "redirect_uri %s: %s", uri, why);
		goto out;
	}
	if (l->cfg->fhir_base_url != NULL) {
		rc = smart_fetch(l, &ac.smart);
		if (rc != OIDC_OK)
			goto out;
	}
	if (pkce_new(&ac.pkce) != 0 ||
	    oauth_random(ac.state, sizeof(ac.state)) != 0 ||
	    oauth_random(ac.nonce, sizeof(ac.nonce)) != 0) {
		rc = oidc_fail(e, OIDC_EINTERNAL,
			       "the random number generator failed");
		goto out;
	}
	secure_free(l->nonce);
	l->nonce = strdup(ac.nonce);
	if (l->nonce == NULL) {
		rc = oidc_fail(e, OIDC_EINTERNAL, "out of memory");
		goto out;
	}
	if (ac.rt.mode == REDIRECT_LOOPBACK) {
		rc = loopback_open(&ac.lb, &ac.rt, ac.state, e);
		if (rc != OIDC_OK)
			goto out;
		ac.lb_open = true;
		ac.redirect_uri = ac.lb.redirect_uri;
	} else {
		ac.redirect_uri = uri;
	}
	rc = build_request(l, &ac, par);
	if (rc != OIDC_OK)
		goto out;

	left_ms = l->deadline_ms - mono_ms();
	if (left_ms < 1000)
		left_ms = 1000;
	/* The module may stop us a little after our own end. */
	l->ui->deadline(l->ui,
			(unsigned)(left_ms / 1000 + l->cfg->timeout * 2 + 5));
	rc = show_instructions(l, &ac, (long)((left_ms + 500) / 1000));
	if (rc != OIDC_OK)
		goto out;

	rc = ac.rt.mode == REDIRECT_LOOPBACK ? wait_loopback(l, &ac)
					     : wait_paste(l, &ac);
	if (rc != OIDC_OK)
		goto out;
	rc = check_response(l, &ac);
	if (rc == OIDC_OK)
		rc = exchange_code(l, &ac, id_token);
	if (ac.lb_open)
		loopback_reply(
		    &ac.lb, rc == OIDC_OK,
		    rc == OIDC_OK ? "Signed in \xe2\x80\x94 you can close "
				    "this window."
		    : e->user_msg[0] != '\0' ? e->user_msg
					     : "The sign-in failed. You "
					       "can close this window.");
out:
	authcode_wipe(&ac);
	if (rc != OIDC_OK && *id_token != NULL) {
		secure_free(*id_token);
		*id_token = NULL;
	}
	return rc;
}
