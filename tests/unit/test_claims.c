/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for helper/claims.c (claim policy, rule names) and the claim
 * rules of helper/verify.c.  Every rejection is checked for the rule name
 * its reason starts with, as `pam-oidc verify` prints it.
 *
 * The verify.c tests sign real ID tokens with an Ed25519 key made at start
 * (OpenSSL), publish its public half as a JWKS and run the whole
 * verification offline (verify_id_token_with_keys).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <openssl/evp.h>

#include "../../helper/claims.h"
#include "../../helper/jose.h"
#include "../../helper/json.h"
#include "../../helper/login.h"

#ifndef VECTORS_DIR
#define VECTORS_DIR "tests/vectors"
#endif

#define T0 1767225600 /* 2026-01-01T00:00:00Z: "now" of the pure checks */

/* ------------------------------------------------------------------------ */
/* helpers                                                                  */

static json_object *claims_of(const char *text)
{
	struct oidc_err e;
	json_object *o = NULL;

	oidc_err_clear(&e);
	if (json_parse_object(text, strlen(text), "test claims", &o, &e) !=
	    OIDC_OK) {
		print_error("bad test claims %s: %s\n", text, e.reason);
		fail();
	}
	return o;
}

static void base_cfg(struct oidc_config *c)
{
	static char *algs[] = {"RS256", "PS256", "ES256", "EdDSA", NULL};

	memset(c, 0, sizeof(*c));
	c->issuer = "https://idp.example.org/realms/clinical";
	c->client_id = "workstation";
	c->leeway = 60;
	c->login_timeout = 300;
	c->allowed_algs = algs;
	c->flow = FLOW_DEVICE;
}

static void expect_ok(int rc, const struct oidc_err *e)
{
	if (rc != OIDC_OK || e->rc != OIDC_OK) {
		print_error("expected success, got %s: %s\n",
			    oidc_rc_name(e->rc), e->reason);
		fail();
	}
}

/* A rejection whose reason starts with "<rule>: " and contains detail. */
static void expect_rule(int rc, const struct oidc_err *e, const char *rule,
			const char *detail)
{
	const struct oidc_rule *r = oidc_rule_of(e->reason);

	if (rc != OIDC_EREJECT || e->rc != OIDC_EREJECT || r == NULL ||
	    strcmp(r->name, rule) != 0 ||
	    (detail != NULL && strstr(e->reason, detail) == NULL)) {
		print_error("expected rejection by rule \"%s\" (\"%s\"), got "
			    "rc %d: \"%s\"\n",
			    rule, detail ? detail : "", rc, e->reason);
		fail();
	}
}

/* ------------------------------------------------------------------------ */
/* the rule vocabulary                                                      */

static void test_rule_table(void **state)
{
	static const char *const macros[] = {
	    RULE_TOKEN_SIZE,
	    RULE_TOKEN_FORMAT,
	    RULE_BASE64URL,
	    RULE_HEADER_JSON,
	    RULE_PAYLOAD_JSON,
	    RULE_ALG,
	    RULE_CRIT,
	    RULE_TYP,
	    RULE_KID,
	    RULE_KEY_TYPE,
	    RULE_KEY_USE,
	    RULE_KEY_OPS,
	    RULE_KEY_ALG,
	    RULE_KEY_SIZE,
	    RULE_KEY_INVALID,
	    RULE_SIG_LENGTH,
	    RULE_SIGNATURE,
	    RULE_ISS,
	    RULE_SUB,
	    RULE_AUD,
	    RULE_AZP,
	    RULE_EXP,
	    RULE_NBF,
	    RULE_IAT,
	    RULE_REPLAY,
	    RULE_NONCE,
	    RULE_AUTH_TIME,
	    RULE_AT_HASH,
	    RULE_ACR,
	    RULE_AMR,
	    RULE_ROLE_CLAIM,
	    RULE_ROLE,
	    RULE_NPI,
	    RULE_NPI_CHECK,
	    RULE_HPII,
	    RULE_HPII_CHECK,
	    RULE_HPIO,
	    RULE_HPIO_CHECK,
	    RULE_FHIR_USER,
	    RULE_FHIR_USER_TYPE,
	    RULE_FHIR_USER_BASE,
	    RULE_DISCOVERY,
	    RULE_JWKS,
	    RULE_MAPPING,
	    RULE_ACCOUNT, RULE_SCOPE, RULE_TOKEN_RESPONSE,
	};
	/* claim names a rule name may start with, spelled as in tokens */
	static const char *const claim_starts[] = {"auth_time", "at_hash",
						   "fhirUser"};
	size_t n = 0;
	(void)state;

	for (const struct oidc_rule *r = oidc_rules; r->name != NULL; r++) {
		const char *s = r->name;
		size_t start = 0;

		n++;
		assert_non_null(r->summary);
		assert_true(r->summary[0] != '\0');
		for (size_t i = 0;
		     i < sizeof(claim_starts) / sizeof(claim_starts[0]); i++) {
			size_t l = strlen(claim_starts[i]);

			if (strncmp(s, claim_starts[i], l) == 0 &&
			    (s[l] == '\0' || s[l] == ' ')) {
				start = l;
				break;
			}
		}
		/* lowercase words, single spaces, no ':' */
		for (size_t i = start; s[i] != '\0'; i++) {
			bool ok = (s[i] >= 'a' && s[i] <= 'z') ||
				  (s[i] >= '0' && s[i] <= '9') ||
				  (s[i] == ' ' && i > 0 && s[i - 1] != ' ' &&
				   s[i + 1] != '\0');
			if (!ok) {
				print_error("rule name \"%s\" is not lowercase "
					    "words\n",
					    r->name);
				fail();
			}
		}
		for (const struct oidc_rule *q = oidc_rules; q != r; q++)
			assert_string_not_equal(q->name, r->name);
	}
	/* every macro is in the table, and the table has nothing else */
	assert_int_equal(n, sizeof(macros) / sizeof(macros[0]));
	for (size_t i = 0; i < sizeof(macros) / sizeof(macros[0]); i++) {
		char reason[80];
		const struct oidc_rule *r;

		snprintf(reason, sizeof(reason), "%s: x", macros[i]);
		r = oidc_rule_of(reason);
		assert_non_null(r);
		assert_string_equal(r->name, macros[i]);
	}
	/* the longest rule wins; a rule needs ": " after it */
	assert_string_equal(oidc_rule_of("npi check digit: x")->name,
			    "npi check digit");
	assert_string_equal(oidc_rule_of("npi: x")->name, "npi");
	assert_string_equal(oidc_rule_of("signature length: x")->name,
			    "signature length");
	assert_string_equal(oidc_rule_of("fhirUser type: x")->name,
			    "fhirUser type");
	assert_null(oidc_rule_of("npix: x"));
	assert_null(oidc_rule_of("npi:x"));
	assert_null(oidc_rule_of("npi"));
	assert_null(oidc_rule_of("token expired"));
	assert_null(oidc_rule_of(""));
	assert_null(oidc_rule_of(NULL));
}

static void test_printable(void **state)
{
	char buf[8];
	(void)state;

	assert_string_equal(claims_printable(buf, sizeof(buf), "abc"), "abc");
	assert_string_equal(claims_printable(buf, sizeof(buf), "a\nb\x1b[c"),
			    "a?b?[c");
	assert_string_equal(claims_printable(buf, sizeof(buf), "abcdefghij"),
			    "abcd...");
	assert_string_equal(claims_printable(buf, sizeof(buf), "caf\xc3\xa9"),
			    "caf??");
	assert_string_equal(claims_printable(buf, sizeof(buf), NULL), "");
	claims_date_text(buf, 1, 0); /* too small: no overflow */
	{
		char d[40];

		claims_date_text(d, sizeof(d), T0);
		assert_string_equal(d, "2026-01-01T00:00:00Z");
	}
}

/* ------------------------------------------------------------------------ */
/* auth_time                                                                */

static int auth_time(const struct oidc_config *c, const char *claims,
		     struct oidc_err *e)
{
	json_object *o = claims_of(claims);
	int rc;

	oidc_err_clear(e);
	rc = claims_check_auth_time(o, c, (time_t)T0, e);
	json_object_put(o);
	return rc;
}

static void test_auth_time(void **state)
{
	struct oidc_config c;
	struct oidc_err e;
	char buf[128];
	(void)state;

	base_cfg(&c);
	c.max_auth_age = 600;
	/* fresh, and at the very edge of max_auth_age + leeway */
	snprintf(buf, sizeof(buf), "{\"auth_time\":%d}", T0 - 100);
	expect_ok(auth_time(&c, buf, &e), &e);
	snprintf(buf, sizeof(buf), "{\"auth_time\":%d}", T0 - 660);
	expect_ok(auth_time(&c, buf, &e), &e);
	snprintf(buf, sizeof(buf), "{\"auth_time\":%d.0}", T0 - 5);
	expect_ok(auth_time(&c, buf, &e), &e);
	/* one second too old */
	snprintf(buf, sizeof(buf), "{\"auth_time\":%d}", T0 - 661);
	expect_rule(auth_time(&c, buf, &e), &e, RULE_AUTH_TIME,
		    "authentication at 2025-12-31T23:48:59Z is 661 s old, more "
		    "than max_auth_age 600 (+ leeway 60 s)");
	/* yesterday's sign-in */
	snprintf(buf, sizeof(buf), "{\"auth_time\":%d}", T0 - 86400);
	expect_rule(auth_time(&c, buf, &e), &e, RULE_AUTH_TIME, "s old");
	/* required when max_auth_age is set */
	expect_rule(auth_time(&c, "{\"sub\":\"a\"}", &e), &e, RULE_AUTH_TIME,
		    "claim missing; max_auth_age = 600");
	/* a JSON number, not a string, null or a fraction */
	snprintf(buf, sizeof(buf), "{\"auth_time\":\"%d\"}", T0);
	expect_rule(auth_time(&c, buf, &e), &e, RULE_AUTH_TIME,
		    "not a JSON number");
	expect_rule(auth_time(&c, "{\"auth_time\":null}", &e), &e,
		    RULE_AUTH_TIME, "not a JSON number");
	snprintf(buf, sizeof(buf), "{\"auth_time\":%d.5}", T0 - 5);
	expect_rule(auth_time(&c, buf, &e), &e, RULE_AUTH_TIME,
		    "not a JSON number");
	/* in the future: within leeway, and beyond */
	snprintf(buf, sizeof(buf), "{\"auth_time\":%d}", T0 + 60);
	expect_ok(auth_time(&c, buf, &e), &e);
	snprintf(buf, sizeof(buf), "{\"auth_time\":%d}", T0 + 61);
	expect_rule(auth_time(&c, buf, &e), &e, RULE_AUTH_TIME,
		    "is in the future (leeway 60 s)");

	/* max_auth_age = 0: optional, any age, but still checked if there */
	c.max_auth_age = 0;
	expect_ok(auth_time(&c, "{\"sub\":\"a\"}", &e), &e);
	snprintf(buf, sizeof(buf), "{\"auth_time\":%d}", T0 - 86400 * 30);
	expect_ok(auth_time(&c, buf, &e), &e);
	snprintf(buf, sizeof(buf), "{\"auth_time\":%d}", T0 + 3600);
	expect_rule(auth_time(&c, buf, &e), &e, RULE_AUTH_TIME, "future");
	expect_rule(auth_time(&c, "{\"auth_time\":true}", &e), &e,
		    RULE_AUTH_TIME, "not a JSON number");
	expect_rule(auth_time(&c, "{\"auth_time\":-9223372036854775000}", &e),
		    &e, RULE_AUTH_TIME,
		    "-9223372036854775000 is not a date between 1970 and 9999");
	expect_rule(auth_time(&c, "{\"auth_time\":1e300}", &e), &e,
		    RULE_AUTH_TIME, "not a JSON number");
	/* leeway 0: exactly max_auth_age is fine, one more is not */
	c.max_auth_age = 300;
	c.leeway = 0;
	snprintf(buf, sizeof(buf), "{\"auth_time\":%d}", T0 - 300);
	expect_ok(auth_time(&c, buf, &e), &e);
	snprintf(buf, sizeof(buf), "{\"auth_time\":%d}", T0 - 301);
	expect_rule(auth_time(&c, buf, &e), &e, RULE_AUTH_TIME,
		    "301 s old, more than max_auth_age 300 (+ leeway 0 s)");
}

/* ------------------------------------------------------------------------ */
/* at_hash                                                                  */

static const char *vectors_dir(void)
{
	const char *d = getenv("VECTORS_DIR");

	return (d != NULL && d[0] != '\0') ? d : VECTORS_DIR;
}

static int at_hash(const char *claims, const char *alg, const char *at,
		   struct oidc_err *e)
{
	json_object *o = claims_of(claims);
	int rc;

	oidc_err_clear(e);
	rc = claims_check_at_hash(o, alg, at, e);
	json_object_put(o);
	return rc;
}

static void test_at_hash_vectors(void **state)
{
	char path[4096], line[1024];
	FILE *f;
	int n = 0;
	(void)state;

	snprintf(path, sizeof(path), "%s/at_hash.txt", vectors_dir());
	f = fopen(path, "r");
	if (f == NULL) {
		print_error("cannot open %s (set VECTORS_DIR)\n", path);
		fail();
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *alg = line, *tok, *want, *end;
		char got[64], claims[128];
		struct oidc_err e;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		/* ALG TOKEN AT_HASH, single spaces */
		tok = strchr(alg, ' ');
		assert_non_null(tok);
		*tok++ = '\0';
		want = strchr(tok, ' ');
		assert_non_null(want);
		*want++ = '\0';
		end = strchr(want, '\n');
		assert_non_null(end);
		*end = '\0';
		assert_int_equal(claims_token_hash(alg, tok, got, sizeof(got)),
				 0);
		if (strcmp(got, want) != 0) {
			print_error("%s at_hash of %s: got %s, want %s\n", alg,
				    tok, got, want);
			fail();
		}
		snprintf(claims, sizeof(claims), "{\"at_hash\":\"%s\"}", want);
		expect_ok(at_hash(claims, alg, tok, &e), &e);
		n++;
	}
	fclose(f);
	assert_true(n >= 10);
}

static void test_at_hash_rules(void **state)
{
	static const char at[] = "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y";
	struct oidc_err e;
	char out[8];
	(void)state;

	expect_ok(at_hash("{\"at_hash\":\"77QmUPtjPfzWtF2AnpK9RQ\"}", "RS256",
			  at, &e),
		  &e);
	/* one character off */
	expect_rule(at_hash("{\"at_hash\":\"77QmUPtjPfzWtF2AnpK9RR\"}", "RS256",
			    at, &e),
		    &e, RULE_AT_HASH,
		    "\"77QmUPtjPfzWtF2AnpK9RR\" is not the SHA256 hash of the "
		    "access token");
	/* another access token */
	expect_rule(at_hash("{\"at_hash\":\"77QmUPtjPfzWtF2AnpK9RQ\"}", "RS256",
			    "another-token", &e),
		    &e, RULE_AT_HASH, "is not the SHA256 hash");
	/* the SHA-256 value under an alg that hashes with SHA-384/512 */
	expect_rule(at_hash("{\"at_hash\":\"77QmUPtjPfzWtF2AnpK9RQ\"}", "ES384",
			    at, &e),
		    &e, RULE_AT_HASH, "SHA384");
	expect_rule(at_hash("{\"at_hash\":\"77QmUPtjPfzWtF2AnpK9RQ\"}", "EdDSA",
			    at, &e),
		    &e, RULE_AT_HASH, "SHA512");
	/* the full hash, or the value with padding, is not the left half */
	expect_rule(at_hash("{\"at_hash\":\"77QmUPtjPfzWtF2AnpK9RQ==\"}",
			    "RS256", at, &e),
		    &e, RULE_AT_HASH, NULL);
	/* present, but no access token to check it against */
	expect_rule(at_hash("{\"at_hash\":\"77QmUPtjPfzWtF2AnpK9RQ\"}", "RS256",
			    NULL, &e),
		    &e, RULE_AT_HASH, "no access token");
	/* not a string */
	expect_rule(at_hash("{\"at_hash\":17}", "RS256", at, &e), &e,
		    RULE_AT_HASH, "not a string");
	/* absent: nothing to check, with or without an access token */
	expect_ok(at_hash("{\"sub\":\"a\"}", "RS256", at, &e), &e);
	expect_ok(at_hash("{\"sub\":\"a\"}", "RS256", NULL, &e), &e);
	/* unknown alg and a too small buffer are refused, not guessed */
	assert_int_equal(claims_token_hash("HS256", at, out, sizeof(out)), -1);
	assert_int_equal(claims_token_hash("RS256", at, out, sizeof(out)), -1);
	assert_string_equal(out, "");
}

/* ------------------------------------------------------------------------ */
/* acr, amr                                                                 */

static int acr_amr(const struct oidc_config *c, const char *claims,
		   struct oidc_err *e)
{
	json_object *o = claims_of(claims);
	int rc;

	oidc_err_clear(e);
	rc = claims_check_acr(o, c, e);
	if (rc == OIDC_OK)
		rc = claims_check_amr(o, c, e);
	json_object_put(o);
	return rc;
}

static void test_acr(void **state)
{
	static char *acr[] = {"urn:mace:incommon:iap:silver", "phr", NULL};
	struct oidc_config c;
	struct oidc_err e;
	(void)state;

	base_cfg(&c);
	/* not configured: anything goes */
	expect_ok(acr_amr(&c, "{\"acr\":\"0\"}", &e), &e);
	expect_ok(acr_amr(&c, "{}", &e), &e);
	c.required_acr = acr;
	expect_ok(acr_amr(&c, "{\"acr\":\"phr\"}", &e), &e);
	expect_ok(acr_amr(&c, "{\"acr\":\"urn:mace:incommon:iap:silver\"}", &e),
		  &e);
	expect_rule(acr_amr(&c, "{\"acr\":\"0\"}", &e), &e, RULE_ACR,
		    "\"0\" is not in required_acr [urn:mace:incommon:iap:"
		    "silver, phr]");
	expect_rule(acr_amr(&c, "{\"acr\":\"PHR\"}", &e), &e, RULE_ACR,
		    "not in required_acr");
	expect_rule(acr_amr(&c, "{}", &e), &e, RULE_ACR, "claim missing");
	expect_rule(acr_amr(&c, "{\"acr\":[\"phr\"]}", &e), &e, RULE_ACR,
		    "an array, not a string");
	expect_rule(acr_amr(&c, "{\"acr\":2}", &e), &e, RULE_ACR,
		    "a JSON number, not a string");
}

static void test_amr(void **state)
{
	static char *amr[] = {"pwd", "mfa", NULL};
	struct oidc_config c;
	struct oidc_err e;
	(void)state;

	base_cfg(&c);
	expect_ok(acr_amr(&c, "{\"amr\":\"pwd\"}", &e), &e);
	c.required_amr = amr;
	expect_ok(acr_amr(&c, "{\"amr\":[\"pwd\",\"otp\",\"mfa\"]}", &e), &e);
	expect_ok(acr_amr(&c, "{\"amr\":[\"mfa\",\"pwd\"]}", &e), &e);
	expect_rule(acr_amr(&c, "{\"amr\":[\"pwd\"]}", &e), &e, RULE_AMR,
		    "\"mfa\" of required_amr [pwd, mfa] is not in amr");
	expect_rule(acr_amr(&c, "{\"amr\":[\"mfa\",\"hwk\"]}", &e), &e,
		    RULE_AMR, "\"pwd\" of required_amr");
	expect_rule(acr_amr(&c, "{\"amr\":[]}", &e), &e, RULE_AMR,
		    "\"pwd\" of required_amr");
	expect_rule(acr_amr(&c, "{}", &e), &e, RULE_AMR,
		    "claim missing; required_amr is [pwd, mfa]");
	expect_rule(acr_amr(&c, "{\"amr\":\"pwd mfa\"}", &e), &e, RULE_AMR,
		    "a string, not an array");
	expect_rule(acr_amr(&c, "{\"amr\":[\"pwd\",\"mfa\",1]}", &e), &e,
		    RULE_AMR, "element 2 is a JSON number, not a string");
}

/* ------------------------------------------------------------------------ */
/* role                                                                     */

static int role(const struct oidc_config *c, const char *claims, char **matched,
		struct oidc_err *e)
{
	json_object *o = claims_of(claims);
	int rc;

	oidc_err_clear(e);
	*matched = (char *)"untouched";
	rc = claims_check_role(o, c, matched, e);
	json_object_put(o);
	return rc;
}

static void expect_roles(const struct oidc_config *c, const char *claims,
			 const char *want)
{
	struct oidc_err e;
	char *m = NULL;

	expect_ok(role(c, claims, &m, &e), &e);
	if (want == NULL) {
		assert_null(m);
		return;
	}
	assert_non_null(m);
	assert_string_equal(m, want);
	free(m);
}

static void expect_role_rule(const struct oidc_config *c, const char *claims,
			     const char *rule, const char *detail)
{
	struct oidc_err e;
	char *m = NULL;

	expect_rule(role(c, claims, &m, &e), &e, rule, detail);
	assert_null(m);
}

static void test_role_paths(void **state)
{
	static char *allowed[] = {"physician", "nurse", NULL};
	struct oidc_config c;
	(void)state;

	base_cfg(&c);
	c.allowed_roles = allowed;

	/* Keycloak: realm_access.roles */
	c.role_claim = "realm_access.roles";
	expect_roles(&c,
		     "{\"realm_access\":{\"roles\":[\"offline_access\","
		     "\"physician\",\"uma_authorization\"]}}",
		     "physician");
	/* every allowed role, in the claim's order */
	expect_roles(&c,
		     "{\"realm_access\":{\"roles\":[\"nurse\",\"x\","
		     "\"physician\"]}}",
		     "nurse,physician");
	/* a step of the path missing, or not an object */
	expect_role_rule(&c, "{\"realm_access\":{}}", RULE_ROLE_CLAIM,
			 "\"realm_access.roles\" is missing");
	expect_role_rule(&c, "{\"roles\":[\"nurse\"]}", RULE_ROLE_CLAIM,
			 "is missing");
	expect_role_rule(&c, "{\"realm_access\":\"nurse\"}", RULE_ROLE_CLAIM,
			 "is missing");
	expect_role_rule(&c, "{\"realm_access\":[{\"roles\":[\"nurse\"]}]}",
			 RULE_ROLE_CLAIM, "is missing");

	/* Cognito: the ':' belongs to the name */
	c.role_claim = "cognito:groups";
	expect_roles(&c, "{\"cognito:groups\":[\"nurse\"]}", "nurse");
	expect_role_rule(&c, "{\"cognito\":{\"groups\":[\"nurse\"]}}",
			 RULE_ROLE_CLAIM, "\"cognito:groups\" is missing");

	/* a plain string value */
	c.role_claim = "practitioner_role";
	expect_roles(&c, "{\"practitioner_role\":\"physician\"}", "physician");
	expect_role_rule(&c, "{\"practitioner_role\":\"visitor\"}", RULE_ROLE,
			 "none of [visitor] is in allowed_roles [physician, "
			 "nurse]");
	/* case matters */
	expect_role_rule(&c, "{\"practitioner_role\":\"Physician\"}", RULE_ROLE,
			 "none of [Physician]");
	/* not a string or an array of strings */
	expect_role_rule(&c, "{\"practitioner_role\":[\"nurse\",5]}",
			 RULE_ROLE_CLAIM,
			 "element 1 is a JSON number, not a string");
	expect_role_rule(&c, "{\"practitioner_role\":[\"nurse\",null]}",
			 RULE_ROLE_CLAIM, "element 1 is null");
	expect_role_rule(&c, "{\"practitioner_role\":[[\"nurse\"]]}",
			 RULE_ROLE_CLAIM, "element 0 is an array");
	expect_role_rule(&c, "{\"practitioner_role\":{\"nurse\":true}}",
			 RULE_ROLE_CLAIM,
			 "is an object, not a string or an array");
	expect_role_rule(&c, "{\"practitioner_role\":true}", RULE_ROLE_CLAIM,
			 "is a boolean");
	expect_role_rule(&c, "{\"practitioner_role\":\"\"}", RULE_ROLE_CLAIM,
			 "element 0");
	expect_role_rule(&c, "{\"practitioner_role\":[]}", RULE_ROLE,
			 "none of [] is in allowed_roles");
	expect_role_rule(&c, "{}", RULE_ROLE_CLAIM,
			 "\"practitioner_role\" is missing");
	/* what the token says is shown, but never raw */
	expect_role_rule(&c, "{\"practitioner_role\":\"vis\\nitor\\u001b\"}",
			 RULE_ROLE, "none of [vis?itor?]");
}

static void test_role_policy(void **state)
{
	static char *allowed[] = {"physician", "nurse", NULL};
	static char *comma[] = {"a,b", NULL};
	struct oidc_config c;
	struct oidc_err e;
	json_object *o;
	char *m = NULL;
	bool amb;
	(void)state;

	base_cfg(&c);
	/* no role policy at all */
	expect_roles(&c, "{\"roles\":[\"nurse\"]}", NULL);
	/* allowed_roles without role_claim is a configuration error */
	c.allowed_roles = allowed;
	oidc_err_clear(&e);
	assert_int_equal(role(&c, "{}", &m, &e), OIDC_ECONFIG);
	assert_null(m);

	/* role_claim without allowed_roles: every value recorded */
	c.allowed_roles = NULL;
	c.role_claim = "groups";
	expect_roles(&c, "{\"groups\":[\"ward3\",\"nurse\"]}", "ward3,nurse");
	expect_role_rule(&c, "{\"groups\":[]}", RULE_ROLE, "no usable role");
	expect_role_rule(&c, "{}", RULE_ROLE_CLAIM, "missing");
	/* a value that would split the comma-joined audit field */
	c.allowed_roles = comma;
	expect_role_rule(&c, "{\"groups\":[\"a,b\"]}", RULE_ROLE, "none of");

	/* a namespaced claim name with dots is taken whole ... */
	c.allowed_roles = allowed;
	c.role_claim = "https://ehr.example.org/roles";
	expect_roles(&c, "{\"https://ehr.example.org/roles\":[\"nurse\"]}",
		     "nurse");
	/* ... and a path that means two things is refused */
	c.role_claim = "a.b";
	expect_role_rule(
	    &c, "{\"a.b\":[\"visitor\"],\"a\":{\"b\":[\"nurse\"]}}",
	    RULE_ROLE_CLAIM, "names both a top-level claim and a nested one");
	o = claims_of("{\"a.b\":1,\"a\":{\"b\":2}}");
	assert_null(claims_path(o, "a.b", &amb));
	assert_true(amb);
	json_object_put(o);
	o = claims_of("{\"x\":{\"y\":{\"z\":7}}}");
	assert_int_equal(json_object_get_int(claims_path(o, "x.y.z", &amb)), 7);
	assert_false(amb);
	assert_null(claims_path(o, "x..y", &amb));
	assert_null(claims_path(o, ".x", &amb));
	assert_null(claims_path(o, "x.y.", &amb));
	assert_null(claims_path(o, "", &amb));
	assert_null(claims_path(o, NULL, &amb));
	json_object_put(o);
	/* too many values */
	{
		char big[4096];
		size_t n = 0;

		n += (size_t)snprintf(big, sizeof(big), "{\"a.b\":[");
		for (int i = 0; i < 257; i++)
			n += (size_t)snprintf(big + n, sizeof(big) - n,
					      "%s\"r\"", i ? "," : "");
		snprintf(big + n, sizeof(big) - n, "]}");
		expect_role_rule(&c, big, RULE_ROLE_CLAIM,
				 "holds 257 values, at most 256");
	}
}

/* ------------------------------------------------------------------------ */
/* NPI                                                                      */

static int npi(const struct oidc_config *c, const char *claims, char **out,
	       struct oidc_err *e)
{
	json_object *o = claims_of(claims);
	int rc;

	oidc_err_clear(e);
	rc = claims_check_npi(o, c, out, e);
	json_object_put(o);
	return rc;
}

static void test_npi_values(void **state)
{
	(void)state;

	/* valid: the check digit is the Luhn digit over 80840 + 9 digits */
	assert_int_equal(npi_validate("1234567893"), 0);
	assert_int_equal(npi_validate("2000000002"), 0);
	assert_int_equal(npi_validate("1000000400"), 0);
	/* wrong check digit; 1234567897 passes plain Luhn, not NPI's */
	assert_int_equal(npi_validate("1234567890"), -2);
	assert_int_equal(npi_validate("1234567897"), -2);
	assert_int_equal(npi_validate("1234567894"), -2);
	/* not 10 ASCII digits */
	assert_int_equal(npi_validate("123456789"), -1);
	assert_int_equal(npi_validate("12345678930"), -1);
	assert_int_equal(npi_validate(""), -1);
	assert_int_equal(npi_validate(NULL), -1);
	assert_int_equal(npi_validate("123456789X"), -1);
	assert_int_equal(npi_validate(" 1234567893"), -1);
	assert_int_equal(npi_validate("1234567893 "), -1);
	assert_int_equal(npi_validate("-234567893"), -1);
	/* full-width digits U+FF11.. look the same and are not ASCII */
	assert_int_equal(
	    npi_validate("\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93\xef\xbc\x94"
			 "\xef\xbc\x95\xef\xbc\x96\xef\xbc\x97\xef\xbc\x98"
			 "\xef\xbc\x99\xef\xbc\x93"),
	    -1);
}

static void test_npi_claim(void **state)
{
	struct oidc_config c;
	struct oidc_err e;
	char *out = NULL;
	(void)state;

	base_cfg(&c);
	/* not configured */
	expect_ok(npi(&c, "{\"npi\":\"garbage\"}", &out, &e), &e);
	assert_null(out);
	c.require_npi = true;
	oidc_err_clear(&e);
	assert_int_equal(npi(&c, "{}", &out, &e), OIDC_ECONFIG);

	c.npi_claim = "npi";
	expect_ok(npi(&c, "{\"npi\":\"1234567893\"}", &out, &e), &e);
	assert_string_equal(out, "1234567893");
	free(out);
	expect_ok(npi(&c, "{\"npi\":\"2000000002\"}", &out, &e), &e);
	free(out);
	expect_ok(npi(&c, "{\"npi\":\"1000000400\"}", &out, &e), &e);
	free(out);
	expect_rule(npi(&c, "{\"npi\":\"1234567890\"}", &out, &e), &e,
		    RULE_NPI_CHECK,
		    "\"1234567890\" fails the Luhn check over 80840");
	assert_null(out);
	expect_rule(npi(&c, "{\"npi\":\"1234567897\"}", &out, &e), &e,
		    RULE_NPI_CHECK,
		    "\"1234567897\" fails the Luhn check over 80840");
	expect_rule(npi(&c, "{\"npi\":\"123456789\"}", &out, &e), &e, RULE_NPI,
		    "\"123456789\" is not 10 ASCII digits");
	expect_rule(npi(&c, "{\"npi\":\"12345678930\"}", &out, &e), &e,
		    RULE_NPI, "is not 10 ASCII digits");
	expect_rule(npi(&c,
			"{\"npi\":\"\\uff11\\uff12\\uff13\\uff14\\uff15"
			"\\uff16\\uff17\\uff18\\uff19\\uff13\"}",
			&out, &e),
		    &e, RULE_NPI, "is not 10 ASCII digits");
	expect_rule(npi(&c, "{\"npi\":1234567893}", &out, &e), &e, RULE_NPI,
		    "claim \"npi\" is a JSON number, not a string of 10 "
		    "digits");
	expect_rule(npi(&c, "{\"npi\":[\"1234567893\"]}", &out, &e), &e,
		    RULE_NPI, "is an array");
	expect_rule(npi(&c, "{}", &out, &e), &e, RULE_NPI,
		    "claim \"npi\" missing and require_npi is yes");
	expect_rule(npi(&c, "{\"npi\":null}", &out, &e), &e, RULE_NPI,
		    "is null");
	assert_null(out);

	/* not required: may be absent, but if present it must be valid */
	c.require_npi = false;
	expect_ok(npi(&c, "{}", &out, &e), &e);
	assert_null(out);
	expect_rule(npi(&c, "{\"npi\":\"1234567897\"}", &out, &e), &e,
		    RULE_NPI_CHECK, NULL);
	expect_rule(npi(&c, "{\"npi\":1234567893}", &out, &e), &e, RULE_NPI,
		    NULL);
	/* another claim name */
	c.npi_claim = "https://smart.example.org/npi";
	expect_ok(npi(&c, "{\"https://smart.example.org/npi\":\"1234567893\"}",
		      &out, &e),
		  &e);
	assert_string_equal(out, "1234567893");
	free(out);
}

/* ------------------------------------------------------------------------ */
/* HPI-I, HPI-O                                                             */

/* An HPI-O computed for these tests: 800362 246813579 and the Luhn digit
 * over the 15 before it (4); also checked with an independent awk Luhn. */
#define HPIO_OK "8003622468135794"
#define HPII_OK "8003610833334085" /* the example */

static int hpi(const struct oidc_config *c, const char *claims,
	       struct oidc_err *e)
{
	json_object *o = claims_of(claims);
	int rc;

	oidc_err_clear(e);
	rc = claims_check_hpi(o, c, e);
	json_object_put(o);
	return rc;
}

static void test_hpi_values(void **state)
{
	(void)state;

	assert_int_equal(hpi_validate(HPII_OK, HPI_I), 0);
	assert_int_equal(hpi_validate(HPIO_OK, HPI_O), 0);
	/* each kind has its own prefix */
	assert_int_equal(hpi_validate(HPII_OK, HPI_O), -2);
	assert_int_equal(hpi_validate(HPIO_OK, HPI_I), -2);
	/* any other check digit fails */
	for (char d = '0'; d <= '9'; d++) {
		char s[17];

		memcpy(s, HPII_OK, 17);
		s[15] = d;
		assert_int_equal(hpi_validate(s, HPI_I), d == '5' ? 0 : -3);
		memcpy(s, HPIO_OK, 17);
		s[15] = d;
		assert_int_equal(hpi_validate(s, HPI_O), d == '4' ? 0 : -3);
	}
	/* two neighbouring digits swapped (what Luhn is for) */
	assert_int_equal(hpi_validate("8003610833334805", HPI_I), -3);
	assert_int_equal(hpi_validate("800361083333408", HPI_I), -1);
	assert_int_equal(hpi_validate("80036108333340850", HPI_I), -1);
	assert_int_equal(hpi_validate("800361083333408a", HPI_I), -1);
	assert_int_equal(hpi_validate(NULL, HPI_I), -1);
}

static void test_hpi_claims(void **state)
{
	struct oidc_config c;
	struct oidc_err e;
	(void)state;

	base_cfg(&c);
	/* not configured: not looked at */
	expect_ok(hpi(&c, "{\"hpii\":\"x\"}", &e), &e);
	c.hpii_claim = "hpii";
	expect_ok(hpi(&c, "{\"hpii\":\"" HPII_OK "\"}", &e), &e);
	expect_rule(hpi(&c, "{\"hpii\":\"8003610833334086\"}", &e), &e,
		    RULE_HPII_CHECK,
		    "\"8003610833334086\" fails the Luhn check");
	expect_rule(hpi(&c, "{\"hpii\":\"" HPIO_OK "\"}", &e), &e, RULE_HPII,
		    "does not start with 800361 (HPI-I)");
	expect_rule(hpi(&c, "{\"hpii\":\"800361083333408\"}", &e), &e,
		    RULE_HPII, "is not 16 ASCII digits");
	expect_rule(hpi(&c, "{\"hpii\":8003610833334085}", &e), &e, RULE_HPII,
		    "is a JSON number, not a string of 16 digits");
	expect_rule(hpi(&c, "{}", &e), &e, RULE_HPII, "claim \"hpii\" missing");
	c.hpio_claim = "hpio";
	expect_ok(
	    hpi(&c, "{\"hpii\":\"" HPII_OK "\",\"hpio\":\"" HPIO_OK "\"}", &e),
	    &e);
	expect_rule(
	    hpi(&c, "{\"hpii\":\"" HPII_OK "\",\"hpio\":\"8003622468135795\"}",
		&e),
	    &e, RULE_HPIO_CHECK, "fails the Luhn check");
	expect_rule(
	    hpi(&c, "{\"hpii\":\"" HPII_OK "\",\"hpio\":\"" HPII_OK "\"}", &e),
	    &e, RULE_HPIO, "does not start with 800362 (HPI-O)");
	expect_rule(hpi(&c, "{\"hpii\":\"" HPII_OK "\"}", &e), &e, RULE_HPIO,
		    "claim \"hpio\" missing");
}

/* ------------------------------------------------------------------------ */
/* fhirUser                                                                 */

static void test_fhir_ref_parse(void **state)
{
	static const char *const bad[] = {
	    "",
	    "Practitioner",
	    "Practitioner/",
	    "/Practitioner/1",
	    "practitioner/1",
	    "P/1",
	    "Practi-tioner/1",
	    "Practitioner/1/extra",
	    "Practitioner//1",
	    "Practitioner/1?x=y",
	    "Practitioner/1#frag",
	    "Practitioner/a b",
	    "Practitioner/a\tb",
	    "Practitioner/caf\xc3\xa9",
	    "Practitioner/$everything",
	    "Practitioner/a_b",
	    "Practitioner/.",
	    "Practitioner/..",
	    "Practitioner/"
	    "12345678901234567890123456789012345678901234567890123456789012345",
	    "Practitioner/1/_history/",
	    "Practitioner/1/_history/a/b",
	    "Practitioner/1/_History/2",
	    "ftp://fhir.example.org/Practitioner/1",
	    "urn:uuid:Practitioner/1",
	    "https:///Practitioner/1",
	    "https://Practitioner/1",
	    "https:/x/Practitioner/1",
	    "//fhir.example.org/Practitioner/1",
	};
	struct fhir_ref r;
	const char *why;
	(void)state;

	assert_int_equal(fhir_ref_parse("Practitioner/123", &r, NULL), 0);
	assert_string_equal(r.type, "Practitioner");
	assert_string_equal(r.id, "123");
	assert_string_equal(r.vid, "");
	assert_int_equal(r.base_len, 0);

	assert_int_equal(
	    fhir_ref_parse("PractitionerRole/a-b.C9/_history/7", &r, NULL), 0);
	assert_string_equal(r.type, "PractitionerRole");
	assert_string_equal(r.id, "a-b.C9");
	assert_string_equal(r.vid, "7");
	assert_int_equal(r.base_len, 0);

	assert_int_equal(
	    fhir_ref_parse("https://fhir.example.org/r4/Practitioner/abc", &r,
			   NULL),
	    0);
	assert_string_equal(r.type, "Practitioner");
	assert_string_equal(r.id, "abc");
	assert_int_equal(r.base_len, strlen("https://fhir.example.org/r4"));

	assert_int_equal(fhir_ref_parse("https://fhir.example.org:8443/"
					"Practitioner/abc/_history/3",
					&r, NULL),
			 0);
	assert_string_equal(r.id, "abc");
	assert_string_equal(r.vid, "3");
	assert_int_equal(r.base_len, strlen("https://fhir.example.org:8443"));

	/* 64 characters is the longest id */
	assert_int_equal(
	    fhir_ref_parse(
		"Patient/"
		"1234567890123456789012345678901234567890123456789012"
		"345678901234",
		&r, NULL),
	    0);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		if (fhir_ref_parse(bad[i], &r, &why) != -1) {
			print_error("accepted \"%s\" as a FHIR reference\n",
				    bad[i]);
			fail();
		}
		assert_non_null(why);
		assert_string_equal(r.type, "");
	}
	assert_int_equal(fhir_ref_parse(NULL, &r, NULL), -1);
}

static int fhir(const struct oidc_config *c, const char *claims, char **out,
		struct oidc_err *e)
{
	json_object *o = claims_of(claims);
	int rc;

	oidc_err_clear(e);
	rc = claims_check_fhir_user(o, c, out, e);
	json_object_put(o);
	return rc;
}

static void expect_fhir_ok(const struct oidc_config *c, const char *value)
{
	char claims[512];
	struct oidc_err e;
	char *out = NULL;

	snprintf(claims, sizeof(claims), "{\"fhirUser\":\"%s\"}", value);
	expect_ok(fhir(c, claims, &out, &e), &e);
	assert_non_null(out);
	assert_string_equal(out, value);
	free(out);
}

static void expect_fhir_rule(const struct oidc_config *c, const char *value,
			     const char *rule, const char *detail)
{
	char claims[512];
	struct oidc_err e;
	char *out = NULL;

	snprintf(claims, sizeof(claims), "{\"fhirUser\":\"%s\"}", value);
	expect_rule(fhir(c, claims, &out, &e), &e, rule, detail);
	assert_null(out);
}

static void test_fhir_user(void **state)
{
	static char *types[] = {"Practitioner", "PractitionerRole", NULL};
	struct oidc_config c;
	struct oidc_err e;
	char *out = NULL;
	(void)state;

	base_cfg(&c);
	/* no rule configured: absent is fine, present must still parse */
	expect_ok(fhir(&c, "{}", &out, &e), &e);
	assert_null(out);
	expect_fhir_ok(&c, "Patient/42");
	expect_fhir_rule(&c, "not a reference", RULE_FHIR_USER,
			 "is not a FHIR reference");

	c.fhir_user_types = types;
	c.fhir_base_url = "https://fhir.example.org/r4";
	expect_fhir_ok(&c, "Practitioner/123");
	expect_fhir_ok(&c, "PractitionerRole/ward3-nurse");
	expect_fhir_ok(&c, "https://fhir.example.org/r4/Practitioner/123");
	expect_fhir_ok(&c, "https://fhir.example.org/r4/Practitioner/123/"
			   "_history/2");
	/* a Patient is not a clinician */
	expect_fhir_rule(&c, "Patient/42", RULE_FHIR_USER_TYPE,
			 "Patient is not in fhir_user_types [Practitioner, "
			 "PractitionerRole]");
	expect_fhir_rule(&c, "https://fhir.example.org/r4/Patient/42",
			 RULE_FHIR_USER_TYPE, "Patient is not in");
	expect_fhir_rule(&c, "RelatedPerson/1/_history/1", RULE_FHIR_USER_TYPE,
			 "RelatedPerson");
	/* required once types are configured */
	expect_rule(fhir(&c, "{}", &out, &e), &e, RULE_FHIR_USER,
		    "claim \"fhirUser\" missing; fhir_user_types is "
		    "[Practitioner, PractitionerRole]");
	expect_rule(fhir(&c, "{\"fhirUser\":123}", &out, &e), &e,
		    RULE_FHIR_USER, "a JSON number, not a string");
	expect_fhir_rule(&c, "Practitioner/", RULE_FHIR_USER, "the id is not");
	expect_fhir_rule(&c, "practitioner/1", RULE_FHIR_USER,
			 "the resource type is not");
	/* another origin or base */
	expect_fhir_rule(&c, "https://other.example.org/r4/Practitioner/1",
			 RULE_FHIR_USER_BASE,
			 "\"https://other.example.org/r4/Practitioner/1\" is "
			 "not on fhir_base_url https://fhir.example.org/r4");
	expect_fhir_rule(&c, "http://fhir.example.org/r4/Practitioner/1",
			 RULE_FHIR_USER_BASE, NULL);
	expect_fhir_rule(&c,
			 "https://fhir.example.org.evil.com/r4/Practitioner/1",
			 RULE_FHIR_USER_BASE, NULL);
	expect_fhir_rule(&c, "https://fhir.example.org/r4x/Practitioner/1",
			 RULE_FHIR_USER_BASE, NULL);
	expect_fhir_rule(&c, "https://fhir.example.org/r4/x/Practitioner/1",
			 RULE_FHIR_USER_BASE, NULL);
	expect_fhir_rule(&c, "https://fhir.example.org/Practitioner/1",
			 RULE_FHIR_USER_BASE, NULL);
	expect_fhir_rule(&c, "https://fhir.example.org:444/r4/Practitioner/1",
			 RULE_FHIR_USER_BASE, NULL);
	expect_fhir_rule(&c, "https://evil@fhir.example.org/r4/Practitioner/1",
			 RULE_FHIR_USER_BASE, NULL);
	expect_fhir_rule(&c, "https://FHIR.example.org/r4/Practitioner/1",
			 RULE_FHIR_USER_BASE, NULL);
	/* a trailing '/' in the configured base changes nothing */
	c.fhir_base_url = "https://fhir.example.org/r4/";
	expect_fhir_ok(&c, "https://fhir.example.org/r4/Practitioner/123");
	expect_fhir_rule(&c, "https://fhir.example.org/r4x/Practitioner/1",
			 RULE_FHIR_USER_BASE, NULL);
	/* without fhir_base_url an absolute reference is any origin */
	c.fhir_base_url = NULL;
	expect_fhir_ok(&c, "https://other.example.org/Practitioner/1");
	/* the claim's name is configurable */
	c.fhir_user_claim = "profile";
	expect_ok(fhir(&c, "{\"profile\":\"Practitioner/9\"}", &out, &e), &e);
	assert_string_equal(out, "Practitioner/9");
	free(out);
	expect_rule(fhir(&c, "{\"fhirUser\":\"Practitioner/9\"}", &out, &e), &e,
		    RULE_FHIR_USER, "claim \"profile\" missing");
}

/* ------------------------------------------------------------------------ */
/* all policy checks together                                               */

static void test_check_all(void **state)
{
	static char *allowed[] = {"physician", "nurse", NULL};
	static char *types[] = {"Practitioner", NULL};
	static char *acr[] = {"urn:hospital:loa:2", NULL};
	struct oidc_config c;
	struct claims_result r;
	struct oidc_err e;
	json_object *o;
	char buf[1024];
	(void)state;

	base_cfg(&c);
	c.max_auth_age = 600;
	c.required_acr = acr;
	c.role_claim = "realm_access.roles";
	c.allowed_roles = allowed;
	c.npi_claim = "npi";
	c.require_npi = true;
	c.hpii_claim = "hpii";
	c.fhir_user_types = types;
	c.fhir_base_url = "https://fhir.example.org/r4";

	snprintf(buf, sizeof(buf),
		 "{\"auth_time\":%d,\"acr\":\"urn:hospital:loa:2\","
		 "\"realm_access\":{\"roles\":[\"nurse\"]},"
		 "\"npi\":\"1234567893\",\"hpii\":\"" HPII_OK "\","
		 "\"fhirUser\":\"https://fhir.example.org/r4/Practitioner/"
		 "p1\"}",
		 T0 - 30);
	o = claims_of(buf);
	oidc_err_clear(&e);
	expect_ok(claims_check_all(o, &c, "ES256", NULL, T0, &r, &e), &e);
	assert_string_equal(r.npi, "1234567893");
	assert_string_equal(r.role, "nurse");
	assert_string_equal(r.fhir_user,
			    "https://fhir.example.org/r4/Practitioner/p1");
	claims_result_free(&r);
	assert_null(r.npi);
	/* the first failing rule is the one reported, nothing is kept */
	json_object_object_add(o, "npi", json_object_new_string("1234567897"));
	json_object_object_add(o, "fhirUser",
			       json_object_new_string("Patient/1"));
	oidc_err_clear(&e);
	memset(&r, 0x55, sizeof(r));
	expect_rule(claims_check_all(o, &c, "ES256", NULL, T0, &r, &e), &e,
		    RULE_NPI_CHECK, NULL);
	assert_null(r.npi);
	assert_null(r.role);
	assert_null(r.fhir_user);
	json_object_put(o);
	/* nothing configured: an empty claim set passes */
	base_cfg(&c);
	o = claims_of("{}");
	oidc_err_clear(&e);
	expect_ok(claims_check_all(o, &c, "RS256", NULL, T0, &r, &e), &e);
	assert_null(r.npi);
	assert_null(r.role);
	assert_null(r.fhir_user);
	json_object_put(o);
}

/* ------------------------------------------------------------------------ */
/* verify.c: whole ID tokens, signed here                                   */

static EVP_PKEY *ed_key;
static struct jwk_set *ed_jwks;

static int setup_keys(void **state)
{
	unsigned char pub[32];
	size_t publen = sizeof(pub);
	char doc[256];
	char *x;
	struct oidc_err e;
	(void)state;

	ed_key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (ed_key == NULL ||
	    EVP_PKEY_get_raw_public_key(ed_key, pub, &publen) != 1)
		return -1;
	x = b64url_encode(pub, publen);
	if (x == NULL)
		return -1;
	snprintf(doc, sizeof(doc),
		 "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":"
		 "\"ed1\",\"use\":\"sig\",\"x\":\"%s\"}]}",
		 x);
	free(x);
	oidc_err_clear(&e);
	return jwks_parse(doc, strlen(doc), &ed_jwks, &e) == OIDC_OK ? 0 : -1;
}

static int teardown_keys(void **state)
{
	(void)state;
	jwks_free(ed_jwks);
	EVP_PKEY_free(ed_key);
	return 0;
}

/* A compact JWS of header and payload texts, signed with ed_key. */
static char *mint(const char *header, const char *payload)
{
	char *h = b64url_encode((const unsigned char *)header, strlen(header));
	char *p =
	    b64url_encode((const unsigned char *)payload, strlen(payload));
	unsigned char sig[64];
	size_t siglen = sizeof(sig);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	char *si, *s64, *out;
	size_t n;

	assert_non_null(h);
	assert_non_null(p);
	assert_non_null(ctx);
	n = strlen(h) + strlen(p) + 2;
	si = malloc(n);
	assert_non_null(si);
	snprintf(si, n, "%s.%s", h, p);
	assert_int_equal(
	    EVP_DigestSignInit_ex(ctx, NULL, NULL, NULL, NULL, ed_key, NULL),
	    1);
	assert_int_equal(EVP_DigestSign(ctx, sig, &siglen,
					(const unsigned char *)si, strlen(si)),
			 1);
	s64 = b64url_encode(sig, siglen);
	assert_non_null(s64);
	n += strlen(s64) + 1;
	out = malloc(n);
	assert_non_null(out);
	snprintf(out, n, "%s.%s", si, s64);
	EVP_MD_CTX_free(ctx);
	free(s64);
	free(si);
	free(h);
	free(p);
	return out;
}

#define HDR "{\"alg\":\"EdDSA\",\"kid\":\"ed1\",\"typ\":\"JWT\"}"

struct vt {
	struct oidc_config cfg;
	struct login l;
	time_t now;
};

static void vt_init(struct vt *t)
{
	base_cfg(&t->cfg);
	login_init(&t->l, &t->cfg, NULL);
	t->now = time(NULL);
}

/* Members from the inside of an object text merged into base: a member
 * replaces one of the same name, null removes it. */
static void merge(json_object *base, const char *extra)
{
	char buf[2048];
	json_object *x;

	snprintf(buf, sizeof(buf), "{%s}", extra);
	x = claims_of(buf);
	json_object_object_foreach(x, k, v)
	{
		if (json_object_is_type(v, json_type_null))
			json_object_object_del(base, k);
		else
			json_object_object_add(base, k, json_object_get(v));
	}
	json_object_put(x);
}

/* The payload of a good token, changed by extra and then by more (either
 * may be NULL or ""), e.g. "\"aud\":\"other\"".  Times are relative to
 * now. */
static char *payload2(const struct vt *t, const char *extra, const char *more)
{
	json_object *base;
	char buf[2048];
	char *out;

	snprintf(buf, sizeof(buf),
		 "{\"iss\":\"%s\",\"sub\":\"8d2f6c0e\",\"aud\":\"%s\","
		 "\"exp\":%lld,\"iat\":%lld,\"preferred_username\":\"alice\"}",
		 t->cfg.issuer, t->cfg.client_id, (long long)t->now + 300,
		 (long long)t->now);
	base = claims_of(buf);
	if (extra != NULL)
		merge(base, extra);
	if (more != NULL)
		merge(base, more);
	out = strdup(
	    json_object_to_json_string_ext(base, JSON_C_TO_STRING_PLAIN));
	json_object_put(base);
	assert_non_null(out);
	return out;
}

static char *payload(const struct vt *t, const char *extra)
{
	return payload2(t, extra, NULL);
}

static int run_verify2(struct vt *t, const char *header, const char *extra,
		       const char *more)
{
	char *p = payload2(t, extra, more);
	char *tok = mint(header, p);
	int rc;

	oidc_err_clear(&t->l.err);
	rc = verify_id_token_with_keys(&t->l, tok, ed_jwks);
	free(tok);
	free(p);
	return rc;
}

static int run_verify(struct vt *t, const char *header, const char *extra)
{
	return run_verify2(t, header, extra, NULL);
}

static void verify_rule(struct vt *t, const char *extra, const char *rule,
			const char *detail)
{
	int rc = run_verify(t, HDR, extra);

	expect_rule(rc, &t->l.err, rule, detail);
	/* the clinician sees a plain sentence, never the rule */
	assert_string_equal(t->l.err.user_msg,
			    "The sign-in could not be verified.");
}

static void verify_ok(struct vt *t, const char *extra)
{
	expect_ok(run_verify(t, HDR, extra), &t->l.err);
	assert_non_null(t->l.claims);
}

static void test_verify_core_claims(void **state)
{
	struct vt t;
	char x[256];
	(void)state;

	vt_init(&t);
	verify_ok(&t, "");
	assert_string_equal(t.l.iss, t.cfg.issuer);
	assert_string_equal(t.l.sub, "8d2f6c0e");
	assert_null(t.l.npi);
	assert_null(t.l.role);
	assert_null(t.l.fhir_user);

	verify_rule(&t, "\"iss\":\"https://idp.example.org/realms/other\"",
		    RULE_ISS,
		    "\"https://idp.example.org/realms/other\" is not the "
		    "configured issuer");
	verify_rule(&t, "\"iss\":\"https://idp.example.org/realms/clinical/\"",
		    RULE_ISS, NULL);
	verify_rule(&t, "\"iss\":null", RULE_ISS, "claim missing");
	verify_rule(&t, "\"iss\":[\"x\"]", RULE_ISS, "not a string");
	verify_rule(&t, "\"sub\":null", RULE_SUB, "claim missing");
	verify_rule(&t, "\"sub\":\"\"", RULE_SUB, "printable");
	verify_rule(&t, "\"sub\":\"a\\nb\"", RULE_SUB, "printable");
	verify_rule(&t, "\"sub\":7", RULE_SUB, NULL);
	verify_rule(&t, "\"aud\":\"other\"", RULE_AUD,
		    "does not contain client_id \"workstation\"");
	verify_rule(&t, "\"aud\":null", RULE_AUD, "claim missing");
	verify_rule(&t, "\"aud\":[]", RULE_AUD, "empty array");
	verify_rule(&t, "\"aud\":[\"workstation\",\"other\"]", RULE_AZP,
		    "missing, and aud has 2 audiences");
	verify_rule(&t, "\"aud\":[\"workstation\",\"other\"],\"azp\":\"other\"",
		    RULE_AZP, "present and not client_id");
	verify_ok(&t, "\"aud\":[\"workstation\",\"other\"],"
		      "\"azp\":\"workstation\"");
	snprintf(x, sizeof(x), "\"exp\":%lld", (long long)t.now - 61);
	verify_rule(&t, x, RULE_EXP, "token expired at ");
	snprintf(x, sizeof(x), "\"exp\":%lld", (long long)t.now - 30);
	verify_ok(&t, x); /* within leeway */
	verify_rule(&t, "\"exp\":null", RULE_EXP, "claim missing");
	snprintf(x, sizeof(x), "\"exp\":\"%lld\"", (long long)t.now + 300);
	verify_rule(&t, x, RULE_EXP, "not a JSON number");
	snprintf(x, sizeof(x), "\"nbf\":%lld", (long long)t.now + 120);
	verify_rule(&t, x, RULE_NBF, "token not valid before ");
	snprintf(x, sizeof(x), "\"nbf\":%lld", (long long)t.now + 30);
	verify_ok(&t, x);
	verify_rule(&t, "\"nbf\":\"0\"", RULE_NBF, "not a JSON number");
	/* dates no arithmetic can overflow on */
	verify_rule(&t, "\"exp\":9223372036854775000", RULE_EXP,
		    "9223372036854775000 is not a date between 1970 and 9999");
	verify_rule(&t, "\"exp\":253402300800", RULE_EXP, "not a date");
	verify_rule(&t, "\"nbf\":-9223372036854775000", RULE_NBF, "not a date");
	verify_rule(&t, "\"iat\":-1", RULE_IAT, "not a date");
	snprintf(x, sizeof(x), "\"iat\":%lld", (long long)t.now + 120);
	verify_rule(&t, x, RULE_IAT, "issued in the future");
	verify_rule(&t, "\"iat\":null", RULE_IAT, "claim missing");
	login_free(&t.l);
}

static void test_verify_replay_and_nonce(void **state)
{
	struct vt t;
	char x[256];
	(void)state;

	vt_init(&t);
	/* device grant, no nonce: a token from before this login */
	t.l.started = t.now;
	snprintf(x, sizeof(x), "\"iat\":%lld", (long long)t.now - 120);
	verify_rule(&t, x, RULE_REPLAY, "before this login began");
	snprintf(x, sizeof(x), "\"iat\":%lld", (long long)t.now - 50);
	verify_ok(&t, x); /* within leeway */
	/* the token flow takes tokens minted before the login */
	t.l.flow = FLOW_TOKEN;
	snprintf(x, sizeof(x), "\"iat\":%lld", (long long)t.now - 120);
	verify_ok(&t, x);
	login_free(&t.l);

	/* authorization code flow: the nonce decides, not iat */
	vt_init(&t);
	t.l.flow = FLOW_AUTHCODE;
	t.l.nonce = strdup("n-0S6_WzA2Mj");
	assert_non_null(t.l.nonce);
	snprintf(x, sizeof(x), "\"nonce\":\"n-0S6_WzA2Mj\",\"iat\":%lld",
		 (long long)t.now - 120);
	verify_ok(&t, x);
	verify_rule(&t, "", RULE_NONCE, "the ID token has none");
	verify_rule(&t, "\"nonce\":\"n-0S6_WzA2Mk\"", RULE_NONCE,
		    "not the nonce sent");
	verify_rule(&t, "\"nonce\":\"n-0S6_WzA2Mj \"", RULE_NONCE, NULL);
	verify_rule(&t, "\"nonce\":\"n-0S6_WzA2M\"", RULE_NONCE, NULL);
	verify_rule(&t, "\"nonce\":7", RULE_NONCE, NULL);
	/* without a nonce sent, the code flow falls back to the iat rule */
	secure_free(t.l.nonce);
	t.l.nonce = NULL;
	verify_rule(&t, x, RULE_REPLAY, NULL);
	login_free(&t.l);
}

static void test_verify_policy(void **state)
{
	static char *allowed[] = {"physician", "nurse", NULL};
	static char *types[] = {"Practitioner", NULL};
	struct vt t;
	char x[512], h[64];
	(void)state;

	vt_init(&t);
	t.cfg.max_auth_age = 600;
	t.cfg.role_claim = "realm_access.roles";
	t.cfg.allowed_roles = allowed;
	t.cfg.npi_claim = "npi";
	t.cfg.require_npi = true;
	t.cfg.fhir_user_types = types;
	t.cfg.fhir_base_url = "https://fhir.example.org/r4";
	t.l.access_token = strdup("SlAV32hkKG-access-token");
	assert_non_null(t.l.access_token);
	/* EdDSA (Ed25519) hashes at_hash with SHA-512 */
	assert_int_equal(
	    claims_token_hash("EdDSA", t.l.access_token, h, sizeof(h)), 0);
	assert_int_equal(strlen(h), 43);

	snprintf(x, sizeof(x),
		 "\"auth_time\":%lld,\"at_hash\":\"%s\","
		 "\"realm_access\":{\"roles\":[\"nurse\",\"physician\"]},"
		 "\"npi\":\"1234567893\","
		 "\"fhirUser\":\"https://fhir.example.org/r4/Practitioner/7\"",
		 (long long)t.now - 60, h);
	verify_ok(&t, x);
	/* the audit fields */
	assert_string_equal(t.l.npi, "1234567893");
	assert_string_equal(t.l.role, "nurse,physician");
	assert_string_equal(t.l.fhir_user,
			    "https://fhir.example.org/r4/Practitioner/7");
	/* a second verification replaces them */
	verify_ok(&t, x);
	assert_string_equal(t.l.role, "nurse,physician");

	/* each policy rule through the whole path: change one member */
	{
		static const struct {
			const char *member, *rule, *detail;
		} cases[] = {
		    {"\"auth_time\":null", RULE_AUTH_TIME, "claim missing"},
		    {"\"auth_time\":1000", RULE_AUTH_TIME, "s old"},
		    {"\"at_hash\":\"77QmUPtjPfzWtF2AnpK9RQ\"", RULE_AT_HASH,
		     "is not the SHA512 hash"},
		    {"\"realm_access\":{\"roles\":[\"visitor\"]}", RULE_ROLE,
		     "none of [visitor] is in allowed_roles"},
		    {"\"realm_access\":{\"roles\":[\"nurse\",3]}",
		     RULE_ROLE_CLAIM, "element 1"},
		    {"\"realm_access\":null", RULE_ROLE_CLAIM, "missing"},
		    {"\"npi\":\"1234567897\"", RULE_NPI_CHECK,
		     "\"1234567897\" fails the Luhn check over 80840"},
		    {"\"npi\":1234567893", RULE_NPI, "JSON number"},
		    {"\"fhirUser\":\"Patient/1\"", RULE_FHIR_USER_TYPE,
		     "Patient is not in fhir_user_types"},
		    {"\"fhirUser\":\"https://fhir.example.org.evil.com/r4/"
		     "Practitioner/7\"",
		     RULE_FHIR_USER_BASE, "is not on fhir_base_url"},
		};

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			int rc = run_verify2(&t, HDR, x, cases[i].member);

			expect_rule(rc, &t.l.err, cases[i].rule,
				    cases[i].detail);
		}
	}
	/* the npi claim removed while require_npi is yes */
	expect_rule(run_verify2(&t, HDR, x, "\"npi\":null"), &t.l.err, RULE_NPI,
		    "missing and require_npi");
	/* at_hash with no access token known */
	secure_free(t.l.access_token);
	t.l.access_token = NULL;
	verify_rule(&t, x, RULE_AT_HASH, "no access token");
	login_free(&t.l);
}

static void test_verify_jws_rules(void **state)
{
	struct vt t;
	char *p, *tok;
	(void)state;

	vt_init(&t);
	/* unknown kid */
	expect_rule(run_verify(&t, "{\"alg\":\"EdDSA\",\"kid\":\"k9\"}", ""),
		    &t.l.err, RULE_KID, "no key \"k9\" in the provider's JWKS");
	/* a kid that would write on the admin's terminal is shown safely */
	expect_rule(
	    run_verify(&t, "{\"alg\":\"EdDSA\",\"kid\":\"k\\u001b[2J\"}", ""),
	    &t.l.err, RULE_KID, "no key \"k?[2J\"");
	/* HMAC and none, whatever the signature */
	expect_rule(run_verify(&t, "{\"alg\":\"HS256\",\"kid\":\"ed1\"}", ""),
		    &t.l.err, RULE_ALG, "HS256 refused");
	expect_rule(run_verify(&t, "{\"alg\":\"none\"}", ""), &t.l.err,
		    RULE_ALG, "none refused");
	/* allowed_algs decides */
	{
		static char *only_rs[] = {"RS256", NULL};
		char **saved = t.cfg.allowed_algs;

		t.cfg.allowed_algs = only_rs;
		expect_rule(run_verify(&t, HDR, ""), &t.l.err, RULE_ALG,
			    "EdDSA is not in allowed_algs (RS256)");
		t.cfg.allowed_algs = saved;
	}
	expect_rule(run_verify(&t,
			       "{\"alg\":\"EdDSA\",\"crit\":[\"b64\"],"
			       "\"b64\":false}",
			       ""),
		    &t.l.err, RULE_CRIT, NULL);
	expect_rule(
	    run_verify(&t, "{\"alg\":\"EdDSA\",\"typ\":\"at+jwt\"}", ""),
	    &t.l.err, RULE_TYP, "\"at+jwt\" is not an ID token");
	expect_rule(
	    run_verify(&t, "{\"alg\":\"EdDSA\",\"typ\":\"secevent+jwt\"}", ""),
	    &t.l.err, RULE_TYP, NULL);
	expect_rule(run_verify(&t, "{\"alg\":\"EdDSA\",\"alg\":\"EdDSA\"}", ""),
		    &t.l.err, RULE_HEADER_JSON, "repeats the member name");
	/* tampered payload, signature of the original */
	p = payload(&t, "");
	tok = mint(HDR, p);
	{
		char *d1 = strchr(tok, '.');
		char *d2 = strchr(d1 + 1, '.');
		char *other = payload(&t, "\"sub\":\"mallory\"");
		char *o64 =
		    b64url_encode((const unsigned char *)other, strlen(other));
		size_t n = strlen(tok) + strlen(o64) + 1;
		char *forged = malloc(n);

		assert_non_null(forged);
		snprintf(forged, n, "%.*s.%s%s", (int)(d1 - tok), tok, o64, d2);
		oidc_err_clear(&t.l.err);
		expect_rule(verify_id_token_with_keys(&t.l, forged, ed_jwks),
			    &t.l.err, RULE_SIGNATURE,
			    "invalid (alg EdDSA, kid \"ed1\")");
		/* signature stripped */
		snprintf(forged, n, "%.*s.", (int)(d2 - tok), tok);
		oidc_err_clear(&t.l.err);
		expect_rule(verify_id_token_with_keys(&t.l, forged, ed_jwks),
			    &t.l.err, RULE_TOKEN_FORMAT, "signature is empty");
		/* 63 bytes of signature */
		snprintf(forged, n, "%.*s", (int)strlen(tok) - 2, tok);
		oidc_err_clear(&t.l.err);
		expect_rule(verify_id_token_with_keys(&t.l, forged, ed_jwks),
			    &t.l.err, RULE_SIG_LENGTH,
			    "Ed25519 signature must be 64 bytes, got 63");
		free(forged);
		free(o64);
		free(other);
	}
	/* payload that is not strict JSON */
	free(tok);
	tok = mint(HDR, "{\"sub\":\"a\",\"sub\":\"b\"}");
	oidc_err_clear(&t.l.err);
	expect_rule(verify_id_token_with_keys(&t.l, tok, ed_jwks), &t.l.err,
		    RULE_PAYLOAD_JSON, "repeats the member name \"sub\"");
	free(tok);
	tok = mint(HDR, "{\"sub\":\"\xc0\xaf\"}");
	oidc_err_clear(&t.l.err);
	expect_rule(verify_id_token_with_keys(&t.l, tok, ed_jwks), &t.l.err,
		    RULE_PAYLOAD_JSON, "utf-8");
	free(tok);
	/* size cap and empty token */
	{
		size_t n = JWS_MAX_COMPACT + 1;
		char *big = malloc(n + 1);

		assert_non_null(big);
		memset(big, 'A', n);
		big[n] = '\0';
		oidc_err_clear(&t.l.err);
		expect_rule(verify_id_token_with_keys(&t.l, big, ed_jwks),
			    &t.l.err, RULE_TOKEN_SIZE, "at most 65536");
		free(big);
	}
	oidc_err_clear(&t.l.err);
	expect_rule(verify_id_token_with_keys(&t.l, "", ed_jwks), &t.l.err,
		    RULE_TOKEN_FORMAT, "empty");
	oidc_err_clear(&t.l.err);
	expect_rule(verify_id_token_with_keys(&t.l, "a.b", ed_jwks), &t.l.err,
		    RULE_TOKEN_FORMAT, "3 dot-separated parts, got 2");
	oidc_err_clear(&t.l.err);
	expect_rule(verify_id_token_with_keys(&t.l, "e30=.e30.AA", ed_jwks),
		    &t.l.err, RULE_BASE64URL, "byte 0x3d");
	/* nothing of a refused token is kept */
	assert_null(t.l.claims);
	free(p);
	login_free(&t.l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rule_table),
	    cmocka_unit_test(test_printable),
	    cmocka_unit_test(test_auth_time),
	    cmocka_unit_test(test_at_hash_vectors),
	    cmocka_unit_test(test_at_hash_rules),
	    cmocka_unit_test(test_acr),
	    cmocka_unit_test(test_amr),
	    cmocka_unit_test(test_role_paths),
	    cmocka_unit_test(test_role_policy),
	    cmocka_unit_test(test_npi_values),
	    cmocka_unit_test(test_npi_claim),
	    cmocka_unit_test(test_hpi_values),
	    cmocka_unit_test(test_hpi_claims),
	    cmocka_unit_test(test_fhir_ref_parse),
	    cmocka_unit_test(test_fhir_user),
	    cmocka_unit_test(test_check_all),
	    cmocka_unit_test(test_verify_core_claims),
	    cmocka_unit_test(test_verify_replay_and_nonce),
	    cmocka_unit_test(test_verify_policy),
	    cmocka_unit_test(test_verify_jws_rules),
	};

	return cmocka_run_group_tests(tests, setup_keys, teardown_keys);
}
