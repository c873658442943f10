/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ID token verification: signature first (jose.c), then the claims of
 * OpenID Connect Core 1.0 §3.1.3.7 and RFC 8725 that this login relies on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jose.h"
#include "json.h"
#include "login.h"
#include "util.h"

#define SUB_MAX 255

static int check_aud(struct login *l, json_object *claims)
{
	struct oidc_err *e = &l->err;
	const char *cid = l->cfg->client_id;
	json_object *aud, *azp;
	size_t i, n;
	bool found = false;

	if (!json_object_object_get_ex(claims, "aud", &aud))
		return oidc_fail(e, OIDC_EREJECT, "aud claim missing");
	if (json_object_is_type(aud, json_type_string)) {
		n = 1;
		found = strcmp(json_object_get_string(aud), cid) == 0;
	} else if (json_object_is_type(aud, json_type_array)) {
		n = json_object_array_length(aud);
		if (n == 0)
			return oidc_fail(e, OIDC_EREJECT, "aud claim is empty");
		for (i = 0; i < n; i++) {
			json_object *v = json_object_array_get_idx(aud, i);

			if (!json_object_is_type(v, json_type_string))
				return oidc_fail(e, OIDC_EREJECT,
						 "aud claim holds a non-string");
			if (strcmp(json_object_get_string(v), cid) == 0)
				found = true;
		}
	} else {
		return oidc_fail(e, OIDC_EREJECT,
				 "aud claim is neither a string nor an array");
	}
	if (!found)
		return oidc_fail(e, OIDC_EREJECT,
				 "aud does not contain client_id \"%s\"", cid);
	if (json_object_object_get_ex(claims, "azp", &azp)) {
		if (!json_object_is_type(azp, json_type_string) ||
		    strcmp(json_object_get_string(azp), cid) != 0)
			return oidc_fail(e, OIDC_EREJECT,
					 "azp is present and is not client_id "
					 "\"%s\"",
					 cid);
	} else if (n > 1) {
		return oidc_fail(e, OIDC_EREJECT,
				 "aud has %zu audiences and no azp claim", n);
	}
	return OIDC_OK;
}

/* A NumericDate claim: required or optional; must be a JSON number. */
static int get_date(struct login *l, json_object *claims, const char *name,
		    bool required, int64_t *out, bool *present)
{
	int rc = json_int64(claims, name, out);

	*present = rc == 0;
	if (rc == -1 && !required)
		return OIDC_OK;
	if (rc == -1)
		return oidc_fail(&l->err, OIDC_EREJECT, "%s claim missing", name);
	if (rc != 0)
		return oidc_fail(&l->err, OIDC_EREJECT,
				 "%s claim is not a JSON number", name);
	return OIDC_OK;
}

static int check_times(struct login *l, json_object *claims)
{
	struct oidc_err *e = &l->err;
	int64_t now = (int64_t)time(NULL);
	int64_t leeway = l->cfg->leeway, exp = 0, nbf = 0, iat = 0;
	bool has;
	int rc;

	rc = get_date(l, claims, "exp", true, &exp, &has);
	if (rc != OIDC_OK)
		return rc;
	if (exp + leeway <= now)
		return oidc_fail(e, OIDC_EREJECT,
				 "token expired (exp %lld, now %lld, leeway "
				 "%lld s)",
				 (long long)exp, (long long)now,
				 (long long)leeway);
	rc = get_date(l, claims, "nbf", false, &nbf, &has);
	if (rc != OIDC_OK)
		return rc;
	if (has && nbf - leeway > now)
		return oidc_fail(e, OIDC_EREJECT,
				 "token not yet valid (nbf %lld, now %lld)",
				 (long long)nbf, (long long)now);
	rc = get_date(l, claims, "iat", true, &iat, &has);
	if (rc != OIDC_OK)
		return rc;
	if (iat - leeway > now)
		return oidc_fail(e, OIDC_EREJECT,
				 "iat is in the future (iat %lld, now %lld)",
				 (long long)iat, (long long)now);
	/* A device grant carries no nonce: a token minted before this login
	 * began is a replay. */
	if (l->flow == FLOW_DEVICE && iat + leeway < (int64_t)l->started)
		return oidc_fail(e, OIDC_EREJECT,
				 "iat %lld is before this login began (%lld): "
				 "replayed token",
				 (long long)iat, (long long)l->started);
	return OIDC_OK;
}

int verify_id_token(struct login *l, const char *id_token)
{
	struct oidc_err *e = &l->err;
	struct jwk_set *keys = NULL;
	struct jws *jws = NULL;
	const char *iss, *sub;
	size_t len = strlen(id_token);
	int rc;

	if (len > JWS_MAX_COMPACT)
		return oidc_fail(e, OIDC_EREJECT,
				 "ID token is %zu bytes, more than %d", len,
				 JWS_MAX_COMPACT);
	rc = jws_parse(id_token, len, &jws, e);
	if (rc != OIDC_OK)
		goto out;
	rc = keys_for_token(l, jws->kid, &keys);
	if (rc != OIDC_OK)
		goto out;
	rc = jws_verify(jws, keys, (const char *const *)l->cfg->allowed_algs,
			e);
	if (rc != OIDC_OK)
		goto out;

	/* Only now is anything in the payload believed. */
	iss = json_str(jws->payload, "iss");
	if (iss == NULL || strcmp(iss, l->cfg->issuer) != 0) {
		rc = oidc_fail(e, OIDC_EREJECT,
			       "iss \"%.200s\" is not the configured issuer",
			       iss ? iss : "(missing)");
		goto out;
	}
	sub = json_str(jws->payload, "sub");
	if (sub == NULL || sub[0] == '\0' || strlen(sub) > SUB_MAX) {
		rc = oidc_fail(e, OIDC_EREJECT, "sub claim missing or invalid");
		goto out;
	}
	rc = check_aud(l, jws->payload);
	if (rc != OIDC_OK)
		goto out;
	rc = check_times(l, jws->payload);
	if (rc != OIDC_OK)
		goto out;
	l->claims = json_object_get(jws->payload);
	l->iss = json_str(l->claims, "iss");
	l->sub = json_str(l->claims, "sub");
out:
	if (rc == OIDC_EREJECT && e->user_msg[0] == '\0')
		oidc_user_msg(e, "The sign-in could not be verified.");
	jwks_free(keys);
	jws_free(jws);
	return rc;
}
