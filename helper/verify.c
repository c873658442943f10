/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ID token verification: signature first (jose.c), then the claims of
 * OpenID Connect Core 1.0 §3.1.3.7 and RFC 8725 that this login relies on,
 * then the claim policy (claims.c).  Every rejection reason starts with the
 * name of the rule (claims.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "claims.h"
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
		return oidc_fail(e, OIDC_EREJECT, RULE_AUD ": claim missing");
	if (json_object_is_type(aud, json_type_string)) {
		n = 1;
		found = strcmp(json_object_get_string(aud), cid) == 0;
	} else if (json_object_is_type(aud, json_type_array)) {
		n = json_object_array_length(aud);
		if (n == 0)
			return oidc_fail(e, OIDC_EREJECT,
					 RULE_AUD ": claim is an empty array");
		for (i = 0; i < n; i++) {
			json_object *v = json_object_array_get_idx(aud, i);

			if (!json_object_is_type(v, json_type_string))
				return oidc_fail(e, OIDC_EREJECT,
						 RULE_AUD ": claim holds a "
							  "non-string");
			if (strcmp(json_object_get_string(v), cid) == 0)
				found = true;
		}
	} else {
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_AUD ": claim is neither a string nor an "
					  "array");
	}
	if (!found)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_AUD ": does not contain client_id \"%s\"",
				 cid);
	if (json_object_object_get_ex(claims, "azp", &azp)) {
		if (!json_object_is_type(azp, json_type_string) ||
		    strcmp(json_object_get_string(azp), cid) != 0)
			return oidc_fail(e, OIDC_EREJECT,
					 RULE_AZP ": present and not client_id "
						  "\"%s\"",
					 cid);
	} else if (n > 1) {
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_AZP ": missing, and aud has %zu "
					  "audiences",
				 n);
	}
	return OIDC_OK;
}

/* A NumericDate claim: required or optional; must be a JSON number.  The
 * claim's name is also its rule's name. */
static int get_date(struct login *l, json_object *claims, const char *name,
		    bool required, int64_t *out, bool *present)
{
	int rc = json_int64(claims, name, out);

	*present = rc == 0;
	if (rc == -1 && !required)
		return OIDC_OK;
	if (rc == -1)
		return oidc_fail(&l->err, OIDC_EREJECT, "%s: claim missing",
				 name);
	if (rc != 0)
		return oidc_fail(&l->err, OIDC_EREJECT,
				 "%s: claim is not a JSON number", name);
	if (*out < 0 || *out > NUMERIC_DATE_MAX)
		return oidc_fail(&l->err, OIDC_EREJECT,
				 "%s: %lld is not a date between 1970 and 9999",
				 name, (long long)*out);
	return OIDC_OK;
}

/* A time rule broken: "<rule>: <what> <t> (now <now>, leeway N s)". */
static int time_fail(struct login *l, const char *rule, const char *what,
		     int64_t t, int64_t now)
{
	char when[40], nows[40];

	claims_date_text(when, sizeof(when), t);
	claims_date_text(nows, sizeof(nows), now);
	return oidc_fail(&l->err, OIDC_EREJECT,
			 "%s: %s %s (now %s, leeway %ld s)", rule, what, when,
			 nows, l->cfg->leeway);
}

static int check_times(struct login *l, json_object *claims, int64_t now)
{
	int64_t leeway = l->cfg->leeway, exp = 0, nbf = 0, iat = 0;
	int64_t started = (int64_t)l->started;
	bool has;
	int rc;

	rc = get_date(l, claims, "exp", true, &exp, &has);
	if (rc != OIDC_OK)
		return rc;
	if (exp + leeway <= now)
		return time_fail(l, RULE_EXP, "token expired at", exp, now);
	rc = get_date(l, claims, "nbf", false, &nbf, &has);
	if (rc != OIDC_OK)
		return rc;
	if (has && nbf - leeway > now)
		return time_fail(l, RULE_NBF, "token not valid before", nbf,
				 now);
	rc = get_date(l, claims, "iat", true, &iat, &has);
	if (rc != OIDC_OK)
		return rc;
	if (iat - leeway > now)
		return time_fail(l, RULE_IAT, "issued in the future at", iat,
				 now);
	/* Without a nonce (device grant) a token minted before this login
	 * began is a replay.  The token flow takes tokens obtained earlier by
	 * design; it has its own replay rule (token_flow_accept). */
	if (l->nonce == NULL && l->flow != FLOW_TOKEN &&
	    iat + leeway < started) {
		char when[40], start[40];

		claims_date_text(when, sizeof(when), iat);
		claims_date_text(start, sizeof(start), started);
		return oidc_fail(&l->err, OIDC_EREJECT,
				 RULE_REPLAY ": issued at %s, before this "
					     "login began at %s (leeway %lld "
					     "s)",
				 when, start, (long long)leeway);
	}
	return OIDC_OK;
}

static int check_nonce(struct login *l, json_object *claims)
{
	const char *got;
	size_t n;

	if (l->nonce == NULL)
		return OIDC_OK;
	if (!json_has(claims, "nonce"))
		return oidc_fail(&l->err, OIDC_EREJECT,
				 RULE_NONCE ": a nonce was sent and the ID "
					    "token has none");
	got = json_str(claims, "nonce");
	n = strlen(l->nonce);
	if (got == NULL || strlen(got) != n ||
	    CRYPTO_memcmp(got, l->nonce, n) != 0)
		return oidc_fail(&l->err, OIDC_EREJECT,
				 RULE_NONCE ": not the nonce sent with this "
					    "login");
	return OIDC_OK;
}

static void set_owned(char **dst, char *src)
{
	free(*dst);
	*dst = src;
}

/* Everything after parsing: signature, core claims, policy. */
static int verify_parsed(struct login *l, const struct jws *jws,
			 const struct jwk_set *keys)
{
	struct oidc_err *e = &l->err;
	struct claims_result res;
	char shown[208];
	const char *iss, *sub;
	int64_t now = (int64_t)time(NULL);
	int rc;

	memset(&res, 0, sizeof(res));
	rc =
	    jws_verify(jws, keys, (const char *const *)l->cfg->allowed_algs, e);
	if (rc != OIDC_OK)
		return rc;

	/* Only now is anything in the payload believed. */
	if (!json_has(jws->payload, "iss"))
		return oidc_fail(e, OIDC_EREJECT, RULE_ISS ": claim missing");
	iss = json_str(jws->payload, "iss");
	if (iss == NULL)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_ISS ": claim is not a string");
	if (strcmp(iss, l->cfg->issuer) != 0)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_ISS ": \"%s\" is not the configured "
					  "issuer \"%s\"",
				 claims_printable(shown, sizeof(shown), iss),
				 l->cfg->issuer);
	sub = json_str(jws->payload, "sub");
	if (sub == NULL || !text_is_printable(sub, SUB_MAX))
		return oidc_fail(e, OIDC_EREJECT, RULE_SUB ": claim %s",
				 !json_has(jws->payload, "sub")
				     ? "missing"
				     : "is not 1..255 printable ASCII "
				       "characters");
	rc = check_aud(l, jws->payload);
	if (rc == OIDC_OK)
		rc = check_times(l, jws->payload, now);
	if (rc == OIDC_OK)
		rc = check_nonce(l, jws->payload);
	if (rc == OIDC_OK)
		rc = claims_check_all(jws->payload, l->cfg, jws->alg,
				      l->flow == FLOW_TOKEN ? ""
							    : l->access_token,
				      (time_t)now, &res, e);
	if (rc != OIDC_OK)
		return rc;

	if (l->claims != NULL)
		json_object_put(l->claims);
	l->claims = json_object_get(jws->payload);
	l->iss = json_str(l->claims, "iss");
	l->sub = json_str(l->claims, "sub");
	set_owned(&l->npi, res.npi);
	set_owned(&l->role, res.role);
	set_owned(&l->fhir_user, res.fhir_user);
	return OIDC_OK;
}

static int parse_token(struct login *l, const char *id_token, struct jws **jws)
{
	size_t len = id_token != NULL ? strlen(id_token) : 0;

	*jws = NULL;
	if (len > JWS_MAX_COMPACT)
		return oidc_fail(&l->err, OIDC_EREJECT,
				 RULE_TOKEN_SIZE ": ID token is %zu bytes, "
						 "at most %d accepted",
				 len, JWS_MAX_COMPACT);
	return jws_parse(id_token, len, jws, &l->err);
}

static int finish(struct login *l, int rc)
{
	if (rc == OIDC_EREJECT && l->err.user_msg[0] == '\0')
		oidc_user_msg(&l->err, "The sign-in could not be verified.");
	return rc;
}

int verify_id_token_with_keys(struct login *l, const char *id_token,
			      const struct jwk_set *keys)
{
	struct jws *jws = NULL;
	int rc;

	rc = parse_token(l, id_token, &jws);
	if (rc == OIDC_OK)
		rc = verify_parsed(l, jws, keys);
	jws_free(jws);
	return finish(l, rc);
}

int verify_id_token(struct login *l, const char *id_token)
{
	struct jwk_set *keys = NULL;
	struct jws *jws = NULL;
	unsigned fetches = l->jwks_fetches;
	int rc;

	rc = parse_token(l, id_token, &jws);
	if (rc == OIDC_OK)
		rc = keys_for_token(l, jws->kid, &keys);
	if (rc == OIDC_OK)
		rc = verify_parsed(l, jws, keys);
	if (rc == OIDC_EREJECT && l->jwks_fetches == fetches &&
	    oidc_rule_of(l->err.reason) != NULL &&
	    strcmp(oidc_rule_of(l->err.reason)->name, RULE_SIGNATURE) == 0) {
		/* The keys came from the cache: try once with fresh ones. */
		struct jwk_set *fresh = NULL;
		struct oidc_err first = l->err;

		if (keys_refresh(l, &fresh) == OIDC_OK) {
			oidc_err_clear(&l->err);
			rc = verify_parsed(l, jws, fresh);
			jwks_free(keys);
			keys = fresh;
		} else {
			l->err = first;
		}
	}
	jwks_free(keys);
	jws_free(jws);
	return finish(l, rc);
}
