/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Claim policy over verified ID token claims: auth_time, at_hash, acr/amr,
 * and the clinical rules (role, NPI, HPI-I/HPI-O, fhirUser).  The rule names
 * and what each refuses are listed in claims.h.
 */
#include "claims.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "jose.h"
#include "json.h"
#include "util.h"

#define ROLE_MAX 256	  /* bytes in one role value */
#define ROLES_MAX 256	  /* values in a role array */
#define LIST_SHOWN 8	  /* values quoted in a message */
#define FHIR_REF_MAX 2048 /* bytes in a fhirUser reference */
#define PATH_MAX_DEPTH 16 /* dotted path segments */

const struct oidc_rule oidc_rules[] = {
    {RULE_TOKEN_SIZE, "the compact token is too large"},
    {RULE_TOKEN_FORMAT, "not a compact JWS of three parts"},
    {RULE_BASE64URL, "a part is not strict base64url"},
    {RULE_HEADER_JSON, "the header is not one strict JSON object"},
    {RULE_PAYLOAD_JSON, "the payload is not one strict JSON object"},
    {RULE_ALG, "algorithm refused, unsupported or not in allowed_algs"},
    {RULE_CRIT, "the header has crit"},
    {RULE_TYP, "typ names another kind of token"},
    {RULE_KID, "no key for the token's kid"},
    {RULE_KEY_TYPE, "the key's kty or crv does not fit the algorithm"},
    {RULE_KEY_USE, "the key's use is not sig"},
    {RULE_KEY_OPS, "the key's key_ops lacks verify"},
    {RULE_KEY_ALG, "the key's alg is not the token's"},
    {RULE_KEY_SIZE, "RSA key under 2048 bits"},
    {RULE_KEY_INVALID, "the key in the JWKS could not be loaded"},
    {RULE_SIG_LENGTH, "the signature has the wrong length or form"},
    {RULE_SIGNATURE, "the signature does not verify"},
    {RULE_ISS, "not the configured issuer"},
    {RULE_SUB, "sub missing or invalid"},
    {RULE_AUD, "the audience does not contain client_id"},
    {RULE_AZP, "azp is not client_id, or is missing"},
    {RULE_EXP, "expired"},
    {RULE_NBF, "not yet valid"},
    {RULE_IAT, "iat missing or in the future"},
    {RULE_REPLAY, "issued before this login began"},
    {RULE_NONCE, "nonce missing or not the one sent"},
    {RULE_AUTH_TIME, "authentication missing or too old"},
    {RULE_AT_HASH, "at_hash does not match the access token"},
    {RULE_ACR, "acr not in required_acr"},
    {RULE_AMR, "amr lacks a method of required_amr"},
    {RULE_ROLE_CLAIM, "the role claim is missing or malformed"},
    {RULE_ROLE, "no role in allowed_roles"},
    {RULE_NPI, "NPI missing or not 10 digits"},
    {RULE_NPI_CHECK, "NPI check digit wrong"},
    {RULE_HPII, "HPI-I missing or malformed"},
    {RULE_HPII_CHECK, "HPI-I check digit wrong"},
    {RULE_HPIO, "HPI-O missing or malformed"},
    {RULE_HPIO_CHECK, "HPI-O check digit wrong"},
    {RULE_FHIR_USER, "fhirUser missing or not a FHIR reference"},
    {RULE_FHIR_USER_TYPE, "fhirUser resource type not allowed"},
    {RULE_FHIR_USER_BASE, "fhirUser not on fhir_base_url"},
    {RULE_DISCOVERY, "the discovery document is refused"},
    {RULE_JWKS, "the JWKS document is refused"},
    {RULE_MAPPING, "no local account for this identity"},
    {RULE_ACCOUNT, "the mapped account is not permitted"},
    {RULE_SCOPE, "the granted scope lacks openid (or fhirUser)"},
    {RULE_TOKEN_RESPONSE, "the token response carries no usable ID token"},
    {NULL, NULL},
};

const struct oidc_rule *oidc_rule_of(const char *reason)
{
	const struct oidc_rule *best = NULL;
	size_t best_len = 0;

	if (reason == NULL)
		return NULL;
	for (const struct oidc_rule *r = oidc_rules; r->name != NULL; r++) {
		size_t n = strlen(r->name);

		if (strncmp(reason, r->name, n) == 0 && reason[n] == ':' &&
		    reason[n + 1] == ' ' && n > best_len) {
			best = r;
			best_len = n;
		}
	}
	return best;
}

char *claims_printable(char *buf, size_t bufsz, const char *s)
{
	size_t n = 0;

	if (bufsz == 0)
		return buf;
	if (s == NULL)
		s = "";
	for (; s[n] != '\0' && n + 1 < bufsz; n++) {
		unsigned char c = (unsigned char)s[n];

		buf[n] = (c < 0x20 || c > 0x7e) ? '?' : (char)c;
	}
	buf[n] = '\0';
	if (s[n] != '\0' && bufsz >= 4)
		memcpy(buf + bufsz - 4, "...", 4);
	return buf;
}

/* "[a, b, c]" from a NULL-terminated list, printable, bounded. */
static void list_text(char *buf, size_t bufsz, char *const *list)
{
	struct strbuf sb;
	char one[64];
	char *s;
	size_t i;

	sb_init(&sb);
	sb_addc(&sb, '[');
	for (i = 0; list != NULL && list[i] != NULL; i++) {
		if (i == LIST_SHOWN) {
			sb_add(&sb, ", ...");
			break;
		}
		sb_add(&sb, i > 0 ? ", " : "");
		sb_add(&sb, claims_printable(one, sizeof(one), list[i]));
	}
	sb_addc(&sb, ']');
	s = sb_steal(&sb);
	claims_printable(buf, bufsz, s != NULL ? s : "[...]");
	free(s);
}

static bool in_list(char *const *list, const char *s)
{
	for (size_t i = 0; list != NULL && list[i] != NULL; i++) {
		if (strcmp(list[i], s) == 0)
			return true;
	}
	return false;
}

static bool list_empty(char *const *list)
{
	return list == NULL || list[0] == NULL;
}

/* A string member that is a well-formed C string; NULL with *present true
 * means the member has another type. */
static const char *str_member(json_object *claims, const char *name,
			      bool *present)
{
	*present = json_has(claims, name);
	return *present ? json_str(claims, name) : NULL;
}

/* Type name of a JSON value, for messages. */
static const char *kind_of(json_object *v)
{
	if (v == NULL)
		return "null";
	switch (json_object_get_type(v)) {
	case json_type_int:
	case json_type_double:
		return "a JSON number";
	case json_type_boolean:
		return "a boolean";
	case json_type_array:
		return "an array";
	case json_type_object:
		return "an object";
	case json_type_string:
		return "a string";
	case json_type_null:
		break;
	}
	return "null";
}

void claims_date_text(char *buf, size_t bufsz, int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if ((int64_t)tt != t || gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, bufsz, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, bufsz, "%lld", (long long)t);
}

/* ------------------------------------------------------------------------ */
/* auth_time                                                                */

int claims_check_auth_time(json_object *claims, const struct oidc_config *cfg,
			   time_t now, struct oidc_err *e)
{
	int64_t at = 0;
	int64_t leeway = cfg->leeway;
	int64_t t = (int64_t)now;
	char when[40];
	int r = json_int64(claims, "auth_time", &at);

	if (r == -1 && cfg->max_auth_age <= 0)
		return OIDC_OK;
	if (r == -1)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_AUTH_TIME ": claim missing; max_auth_age "
						"= %ld needs the time of "
						"authentication",
				 cfg->max_auth_age);
	if (r != 0)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_AUTH_TIME ": claim is not a JSON number");
	if (at < 0 || at > NUMERIC_DATE_MAX)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_AUTH_TIME ": %lld is not a date between "
						"1970 and 9999",
				 (long long)at);
	if (at <= t + leeway &&
	    (cfg->max_auth_age <= 0 || t - at <= cfg->max_auth_age + leeway))
		return OIDC_OK;
	claims_date_text(when, sizeof(when), at);
	if (at > t + leeway)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_AUTH_TIME ": authentication at %s is in "
						"the future (leeway %lld s)",
				 when, (long long)leeway);
	return oidc_fail(e, OIDC_EREJECT,
			 RULE_AUTH_TIME ": authentication at %s is "
					"%lld s old, more than "
					"max_auth_age %ld (+ leeway "
					"%lld s)",
			 when, (long long)(t - at), cfg->max_auth_age,
			 (long long)leeway);
}

/* ------------------------------------------------------------------------ */
/* at_hash                                                                  */

static const char *hash_of_alg(const char *alg)
{
	static const struct {
		const char *alg, *md;
	} map[] = {
	    {"RS256", "SHA256"}, {"PS256", "SHA256"}, {"ES256", "SHA256"},
	    {"RS384", "SHA384"}, {"PS384", "SHA384"}, {"ES384", "SHA384"},
	    {"RS512", "SHA512"}, {"PS512", "SHA512"}, {"ES512", "SHA512"},
	    {"EdDSA", "SHA512"}, /* Ed25519 only: see claims.h */
	};

	if (alg == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(map[i].alg, alg) == 0)
			return map[i].md;
	}
	return NULL;
}

int claims_token_hash(const char *alg, const char *token, char *out,
		      size_t outsz)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	const char *name = hash_of_alg(alg);
	EVP_MD *type = NULL;
	char *b64 = NULL;
	int rc = -1;

	if (outsz > 0)
		out[0] = '\0';
	if (name == NULL || token == NULL)
		return -1;
	type = EVP_MD_fetch(NULL, name, NULL);
	if (type == NULL ||
	    EVP_Digest(token, strlen(token), md, &mdlen, type, NULL) != 1)
		goto out;
	b64 = b64url_encode(md, mdlen / 2);
	if (b64 == NULL || strlen(b64) >= outsz)
		goto out;
	memcpy(out, b64, strlen(b64) + 1);
	rc = 0;
out:
	free(b64);
	EVP_MD_free(type);
	OPENSSL_cleanse(md, sizeof(md));
	return rc;
}

int claims_check_at_hash(json_object *claims, const char *alg,
			 const char *access_token, struct oidc_err *e)
{
	char want[64];
	char shown[64];
	const char *got;
	bool present;

	got = str_member(claims, "at_hash", &present);
	if (!present)
		return OIDC_OK;
	if (got == NULL)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_AT_HASH ": claim is not a string");
	if (access_token != NULL && access_token[0] == '\0')
		return OIDC_OK; /* no access token in this flow, by design */
	if (access_token == NULL)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_AT_HASH ": claim present but no access "
					      "token came with the ID token "
					      "to check it against");
	if (hash_of_alg(alg) == NULL)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_AT_HASH ": no hash is defined for alg "
					      "%.32s",
				 alg != NULL ? alg : "(none)");
	if (claims_token_hash(alg, access_token, want, sizeof(want)) != 0)
		return oidc_fail(e, OIDC_EINTERNAL,
				 "at_hash: could not hash the access token");
	if (strlen(got) != strlen(want) ||
	    CRYPTO_memcmp(got, want, strlen(want)) != 0)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_AT_HASH ": \"%s\" is not the %s hash of "
					      "the access token",
				 claims_printable(shown, sizeof(shown), got),
				 hash_of_alg(alg));
	return OIDC_OK;
}

/* ------------------------------------------------------------------------ */
/* acr, amr                                                                 */

int claims_check_acr(json_object *claims, const struct oidc_config *cfg,
		     struct oidc_err *e)
{
	char list[256], shown[80];
	const char *acr;
	bool present;

	if (list_empty(cfg->required_acr))
		return OIDC_OK;
	list_text(list, sizeof(list), cfg->required_acr);
	acr = str_member(claims, "acr", &present);
	if (!present)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_ACR ": claim missing; required_acr is %s",
				 list);
	if (acr == NULL)
		return oidc_fail(
		    e, OIDC_EREJECT, RULE_ACR ": claim is %s, not a string",
		    kind_of(json_object_object_get(claims, "acr")));
	if (!in_list(cfg->required_acr, acr))
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_ACR ": \"%s\" is not in required_acr %s",
				 claims_printable(shown, sizeof(shown), acr),
				 list);
	return OIDC_OK;
}

int claims_check_amr(json_object *claims, const struct oidc_config *cfg,
		     struct oidc_err *e)
{
	char list[256], shown[80];
	json_object *amr = NULL;
	size_t n;

	if (list_empty(cfg->required_amr))
		return OIDC_OK;
	list_text(list, sizeof(list), cfg->required_amr);
	if (!json_object_object_get_ex(claims, "amr", &amr))
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_AMR ": claim missing; required_amr is %s",
				 list);
	if (!json_object_is_type(amr, json_type_array))
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_AMR ": claim is %s, not an array",
				 kind_of(amr));
	n = json_object_array_length(amr);
	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(amr, i);

		if (!json_object_is_type(v, json_type_string))
			return oidc_fail(e, OIDC_EREJECT,
					 RULE_AMR ": element %zu is %s, not a "
						  "string",
					 i, kind_of(v));
	}
	for (size_t k = 0; cfg->required_amr[k] != NULL; k++) {
		bool found = false;

		for (size_t i = 0; i < n && !found; i++) {
			json_object *v = json_object_array_get_idx(amr, i);

			found = strcmp(json_object_get_string(v),
				       cfg->required_amr[k]) == 0;
		}
		if (!found)
			return oidc_fail(
			    e, OIDC_EREJECT,
			    RULE_AMR ": \"%s\" of required_amr %s is not in "
				     "amr",
			    claims_printable(shown, sizeof(shown),
					     cfg->required_amr[k]),
			    list);
	}
	return OIDC_OK;
}

/* ------------------------------------------------------------------------ */
/* role                                                                     */

/* Walk the dotted path; NULL when a step is missing or not an object. */
static json_object *walk_dotted(json_object *obj, const char *path)
{
	char seg[256];
	const char *p = path;
	int depth = 0;

	for (;;) {
		const char *dot = strchr(p, '.');
		size_t n = dot != NULL ? (size_t)(dot - p) : strlen(p);
		json_object *next = NULL;

		if (n == 0 || n >= sizeof(seg) || ++depth > PATH_MAX_DEPTH ||
		    !json_object_is_type(obj, json_type_object))
			return NULL;
		memcpy(seg, p, n);
		seg[n] = '\0';
		if (!json_object_object_get_ex(obj, seg, &next))
			return NULL;
		if (dot == NULL)
			return next;
		obj = next;
		p = dot + 1;
	}
}

json_object *claims_path(json_object *claims, const char *path, bool *ambiguous)
{
	json_object *whole = NULL, *dotted;

	*ambiguous = false;
	if (path == NULL || path[0] == '\0' ||
	    !json_object_is_type(claims, json_type_object))
		return NULL;
	if (strchr(path, '.') == NULL)
		return json_object_object_get_ex(claims, path, &whole) ? whole
								       : NULL;
	dotted = walk_dotted(claims, path);
	if (!json_object_object_get_ex(claims, path, &whole))
		return dotted;
	if (dotted != NULL) {
		*ambiguous = true;
		return NULL;
	}
	return whole;
}

/* A role value fit for a comma-joined audit field and a message. */
static bool role_value_ok(json_object *v)
{
	const char *s;
	size_t n;

	if (!json_object_is_type(v, json_type_string))
		return false;
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	return n > 0 && n <= ROLE_MAX && strlen(s) == n;
}

int claims_check_role(json_object *claims, const struct oidc_config *cfg,
		      char **matched, struct oidc_err *e)
{
	const char *path = cfg->role_claim;
	char pshown[96], shown[80], list[256];
	json_object *val;
	json_object *one[1];
	json_object **vals;
	struct strbuf got, out;
	size_t n, kept = 0;
	bool ambiguous;
	int rc;

	*matched = NULL;
	if (path == NULL) {
		if (!list_empty(cfg->allowed_roles))
			return oidc_fail(e, OIDC_ECONFIG,
					 "allowed_roles is set but role_claim "
					 "is not");
		return OIDC_OK;
	}
	claims_printable(pshown, sizeof(pshown), path);
	val = claims_path(claims, path, &ambiguous);
	if (ambiguous)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_ROLE_CLAIM ": \"%s\" names both a "
						 "top-level claim and a "
						 "nested one",
				 pshown);
	if (val == NULL)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_ROLE_CLAIM ": \"%s\" is missing", pshown);
	if (json_object_is_type(val, json_type_string)) {
		one[0] = val;
		vals = one;
		n = 1;
	} else if (json_object_is_type(val, json_type_array)) {
		vals = NULL;
		n = json_object_array_length(val);
		if (n > ROLES_MAX)
			return oidc_fail(e, OIDC_EREJECT,
					 RULE_ROLE_CLAIM ": \"%s\" holds %zu "
							 "values, at most %d",
					 pshown, n, ROLES_MAX);
	} else {
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_ROLE_CLAIM ": \"%s\" is %s, not a string "
						 "or an array of strings",
				 pshown, kind_of(val));
	}
	for (size_t i = 0; i < n; i++) {
		json_object *v =
		    vals != NULL ? vals[i] : json_object_array_get_idx(val, i);

		if (!role_value_ok(v))
			return oidc_fail(e, OIDC_EREJECT,
					 RULE_ROLE_CLAIM
					 ": \"%s\" element %zu is %s, not a "
					 "string of 1..%d bytes",
					 pshown, i, kind_of(v), ROLE_MAX);
	}

	sb_init(&got);
	sb_init(&out);
	for (size_t i = 0; i < n; i++) {
		json_object *v =
		    vals != NULL ? vals[i] : json_object_array_get_idx(val, i);
		const char *s = json_object_get_string(v);

		if (i < LIST_SHOWN) {
			sb_add(&got, i > 0 ? ", " : "");
			sb_add(&got, claims_printable(shown, sizeof(shown), s));
		} else if (i == LIST_SHOWN) {
			sb_add(&got, ", ...");
		}
		if (!list_empty(cfg->allowed_roles) &&
		    !in_list(cfg->allowed_roles, s))
			continue;
		/* the audit field is comma-joined: a comma inside a value
		 * would split it, and a value shown is shown printable */
		if (strchr(s, ',') != NULL || !text_is_printable(s, ROLE_MAX))
			continue;
		sb_add(&out, kept > 0 ? "," : "");
		sb_add(&out, s);
		kept++;
	}
	if (got.failed || out.failed) {
		rc = oidc_fail(e, OIDC_EINTERNAL, "out of memory");
		goto out;
	}
	if (kept == 0) {
		char *g = sb_steal(&got);

		list_text(list, sizeof(list), cfg->allowed_roles);
		if (list_empty(cfg->allowed_roles))
			rc = oidc_fail(e, OIDC_EREJECT,
				       RULE_ROLE ": \"%s\" holds no usable "
						 "role ([%s])",
				       pshown, g != NULL ? g : "");
		else
			rc = oidc_fail(e, OIDC_EREJECT,
				       RULE_ROLE ": none of [%s] is in "
						 "allowed_roles %s",
				       g != NULL ? g : "", list);
		free(g);
		goto out;
	}
	*matched = sb_steal(&out);
	if (*matched == NULL) {
		rc = oidc_fail(e, OIDC_EINTERNAL, "out of memory");
		goto out;
	}
	rc = OIDC_OK;
out:
	sb_wipe(&got);
	sb_wipe(&out);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* NPI, HPI-I, HPI-O                                                        */

static bool all_digits(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
	}
	return true;
}

/* Luhn (ISO/IEC 7812-1) over a digit string whose last digit is the check
 * digit: true when it checks. */
static bool luhn_ok(const char *d, size_t n)
{
	unsigned sum = 0;

	for (size_t k = 0; k < n; k++) {
		unsigned v = (unsigned)(d[n - 1 - k] - '0');

		if (k % 2 == 1) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
	}
	return sum % 10 == 0;
}

int npi_validate(const char *s)
{
	char buf[16];

	if (s == NULL || !all_digits(s, 10))
		return -1;
	/* ISO 7812 card issuer prefix 80840 for US health: the check digit
	 * of the 10-digit NPI is the Luhn digit of the 15-digit number */
	memcpy(buf, "80840", 5);
	memcpy(buf + 5, s, 10);
	buf[15] = '\0';
	return luhn_ok(buf, 15) ? 0 : -2;
}

int hpi_validate(const char *s, enum hpi_kind kind)
{
	const char *prefix = kind == HPI_I ? "800361" : "800362";

	if (s == NULL || !all_digits(s, 16))
		return -1;
	if (strncmp(s, prefix, 6) != 0)
		return -2;
	return luhn_ok(s, 16) ? 0 : -3;
}

int claims_check_npi(json_object *claims, const struct oidc_config *cfg,
		     char **npi, struct oidc_err *e)
{
	const char *name = cfg->npi_claim;
	char shown[40];
	const char *s;
	bool present;
	int r;

	*npi = NULL;
	if (name == NULL) {
		if (cfg->require_npi)
			return oidc_fail(e, OIDC_ECONFIG,
					 "require_npi is yes but npi_claim is "
					 "not set");
		return OIDC_OK;
	}
	s = str_member(claims, name, &present);
	if (!present && cfg->require_npi)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_NPI ": claim \"%s\" missing and "
					  "require_npi is yes",
				 name);
	if (!present)
		return OIDC_OK;
	if (s == NULL)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_NPI ": claim \"%s\" is %s, not a string "
					  "of 10 digits",
				 name,
				 kind_of(json_object_object_get(claims, name)));
	claims_printable(shown, sizeof(shown), s);
	r = npi_validate(s);
	if (r == -1)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_NPI ": \"%s\" is not 10 ASCII digits",
				 shown);
	if (r != 0)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_NPI_CHECK ": \"%s\" fails the Luhn check "
						"over 80840",
				 shown);
	*npi = strdup(s);
	if (*npi == NULL)
		return oidc_fail(e, OIDC_EINTERNAL, "out of memory");
	return OIDC_OK;
}

static int check_one_hpi(json_object *claims, const char *name,
			 enum hpi_kind kind, struct oidc_err *e)
{
	const char *rule = kind == HPI_I ? RULE_HPII : RULE_HPIO;
	const char *check = kind == HPI_I ? RULE_HPII_CHECK : RULE_HPIO_CHECK;
	const char *what = kind == HPI_I ? "HPI-I" : "HPI-O";
	const char *prefix = kind == HPI_I ? "800361" : "800362";
	char shown[40];
	const char *s;
	bool present;

	if (name == NULL)
		return OIDC_OK;
	s = str_member(claims, name, &present);
	if (!present)
		return oidc_fail(e, OIDC_EREJECT, "%s: claim \"%s\" missing",
				 rule, name);
	if (s == NULL)
		return oidc_fail(e, OIDC_EREJECT,
				 "%s: claim \"%s\" is %s, not a string of 16 "
				 "digits",
				 rule, name,
				 kind_of(json_object_object_get(claims, name)));
	claims_printable(shown, sizeof(shown), s);
	switch (hpi_validate(s, kind)) {
	case 0:
		return OIDC_OK;
	case -1:
		return oidc_fail(e, OIDC_EREJECT,
				 "%s: \"%s\" is not 16 ASCII digits", rule,
				 shown);
	case -2:
		return oidc_fail(e, OIDC_EREJECT,
				 "%s: \"%s\" does not start with %s (%s)", rule,
				 shown, prefix, what);
	default:
		return oidc_fail(e, OIDC_EREJECT,
				 "%s: \"%s\" fails the Luhn check", check,
				 shown);
	}
}

int claims_check_hpi(json_object *claims, const struct oidc_config *cfg,
		     struct oidc_err *e)
{
	int rc = check_one_hpi(claims, cfg->hpii_claim, HPI_I, e);

	if (rc != OIDC_OK)
		return rc;
	return check_one_hpi(claims, cfg->hpio_claim, HPI_O, e);
}

/* ------------------------------------------------------------------------ */
/* fhirUser                                                                 */

static bool fhir_id_ok(const char *s, size_t n)
{
	if (n == 0 || n > 64)
		return false;
	if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '.'))
			return false;
	}
	return true;
}

static bool fhir_type_ok(const char *s, size_t n)
{
	if (n < 2 || n > 64 || s[0] < 'A' || s[0] > 'Z')
		return false;
	for (size_t i = 1; i < n; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
			return false;
	}
	return true;
}

int fhir_ref_parse(const char *s, struct fhir_ref *ref, const char **why)
{
	const char *seg[4]; /* the last four segments, last first */
	size_t len[4];
	size_t nseg = 0, tail, n;
	const char *end, *p;
	const char *dummy;

	if (why == NULL)
		why = &dummy;
	memset(ref, 0, sizeof(*ref));
	if (s == NULL || s[0] == '\0') {
		*why = "it is empty";
		return -1;
	}
	n = strlen(s);
	if (n > FHIR_REF_MAX) {
		*why = "it is too long";
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f) {
			*why = "it holds a space, control or non-ASCII byte";
			return -1;
		}
		if (c == '?' || c == '#') {
			*why = "it has a query or fragment";
			return -1;
		}
	}
	/* split off up to four segments from the end */
	end = s + n;
	while (nseg < 4) {
		p = end;
		while (p > s && p[-1] != '/')
			p--;
		seg[nseg] = p;
		len[nseg] = (size_t)(end - p);
		nseg++;
		if (p == s)
			break;
		end = p - 1; /* skip the '/' */
	}
	/* Type/id/_history/vid or Type/id */
	tail = 2;
	if (nseg == 4 && len[1] == 8 && memcmp(seg[1], "_history", 8) == 0)
		tail = 4;
	if (nseg < tail) {
		*why = "it is not Type/id";
		return -1;
	}
	if (tail == 4) {
		if (!fhir_id_ok(seg[0], len[0])) {
			*why = "the version id is not [A-Za-z0-9.-]{1,64}";
			return -1;
		}
		memcpy(ref->vid, seg[0], len[0]);
	}
	if (!fhir_id_ok(seg[tail - 2], len[tail - 2])) {
		*why = "the id is not [A-Za-z0-9.-]{1,64}";
		return -1;
	}
	if (!fhir_type_ok(seg[tail - 1], len[tail - 1])) {
		*why = "the resource type is not [A-Z][A-Za-z]+";
		return -1;
	}
	memcpy(ref->id, seg[tail - 2], len[tail - 2]);
	memcpy(ref->type, seg[tail - 1], len[tail - 1]);
	if (seg[tail - 1] == s)
		return 0; /* relative */
	/* absolute: what precedes is the base, an http(s) URL with a host */
	ref->base_len = (size_t)(seg[tail - 1] - s) - 1;
	if (strncmp(s, "https://", 8) == 0)
		p = s + 8;
	else if (strncmp(s, "http://", 7) == 0)
		p = s + 7;
	else
		p = NULL;
	if (p == NULL || p >= s + ref->base_len || *p == '/') {
		*why = "it is neither Type/id nor an http(s) URL ending in "
		       "Type/id";
		memset(ref, 0, sizeof(*ref));
		return -1;
	}
	return 0;
}

int claims_check_fhir_user(json_object *claims, const struct oidc_config *cfg,
			   char **fhir_user, struct oidc_err *e)
{
	const char *name =
	    cfg->fhir_user_claim != NULL ? cfg->fhir_user_claim : "fhirUser";
	bool required = !list_empty(cfg->fhir_user_types);
	char shown[160], list[256];
	struct fhir_ref ref;
	const char *s, *why = NULL;
	bool present;

	*fhir_user = NULL;
	s = str_member(claims, name, &present);
	if (!present && required) {
		list_text(list, sizeof(list), cfg->fhir_user_types);
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_FHIR_USER ": claim \"%s\" missing; "
						"fhir_user_types is %s",
				 name, list);
	}
	if (!present)
		return OIDC_OK;
	if (s == NULL)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_FHIR_USER ": claim \"%s\" is %s, not a "
						"string",
				 name,
				 kind_of(json_object_object_get(claims, name)));
	claims_printable(shown, sizeof(shown), s);
	if (fhir_ref_parse(s, &ref, &why) != 0)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_FHIR_USER ": \"%s\" is not a FHIR "
						"reference: %s",
				 shown, why);
	if (required && !in_list(cfg->fhir_user_types, ref.type)) {
		list_text(list, sizeof(list), cfg->fhir_user_types);
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_FHIR_USER_TYPE ": %s is not in "
						     "fhir_user_types %s",
				 ref.type, list);
	}
	if (ref.base_len > 0 && cfg->fhir_base_url != NULL) {
		const char *base = cfg->fhir_base_url;
		size_t bl = strlen(base);

		if (bl > 0 && base[bl - 1] == '/')
			bl--;
		/* the reference's base is exactly fhir_base_url: same
		 * scheme, host, port and path, nothing more */
		if (ref.base_len != bl || strncmp(s, base, bl) != 0 ||
		    s[bl] != '/') {
			char bshown[160];

			return oidc_fail(
			    e, OIDC_EREJECT,
			    RULE_FHIR_USER_BASE ": \"%s\" is not on "
						"fhir_base_url %s",
			    shown,
			    claims_printable(bshown, sizeof(bshown), base));
		}
	}
	*fhir_user = strdup(s);
	if (*fhir_user == NULL)
		return oidc_fail(e, OIDC_EINTERNAL, "out of memory");
	return OIDC_OK;
}

/* ------------------------------------------------------------------------ */

void claims_result_free(struct claims_result *r)
{
	if (r == NULL)
		return;
	free(r->npi);
	free(r->role);
	free(r->fhir_user);
	memset(r, 0, sizeof(*r));
}

int claims_check_all(json_object *claims, const struct oidc_config *cfg,
		     const char *alg, const char *access_token, time_t now,
		     struct claims_result *out, struct oidc_err *e)
{
	struct claims_result r;
	int rc;

	memset(&r, 0, sizeof(r));
	memset(out, 0, sizeof(*out));
	rc = claims_check_auth_time(claims, cfg, now, e);
	if (rc == OIDC_OK)
		rc = claims_check_at_hash(claims, alg, access_token, e);
	if (rc == OIDC_OK)
		rc = claims_check_acr(claims, cfg, e);
	if (rc == OIDC_OK)
		rc = claims_check_amr(claims, cfg, e);
	if (rc == OIDC_OK)
		rc = claims_check_role(claims, cfg, &r.role, e);
	if (rc == OIDC_OK)
		rc = claims_check_npi(claims, cfg, &r.npi, e);
	if (rc == OIDC_OK)
		rc = claims_check_hpi(claims, cfg, e);
	if (rc == OIDC_OK)
		rc = claims_check_fhir_user(claims, cfg, &r.fhir_user, e);
	if (rc != OIDC_OK) {
		claims_result_free(&r);
		return rc;
	}
	*out = r;
	return OIDC_OK;
}
