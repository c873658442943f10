/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The rules an ID token must pass, by name, and the claim policy checks that
 * run once the signature and the OpenID Connect core claims are verified.
 *
 * Every rejection reason produced while verifying a token (jose.c, verify.c,
 * claims.c) is "<rule>: <detail>", e.g.
 *
 *   signature: invalid (alg RS256, kid "rsa1")
 *   npi check digit: "1234567897" fails the Luhn check over 80840
 *
 * `pam-oidc verify` prints "rejected: <reason>", the audit line carries the
 * reason, and the rejection tests assert the rule.  Rule names are stable:
 * lowercase words separated by single spaces, except that a name may start
 * with a claim name spelled as in the token (auth_time, at_hash, fhirUser).
 * A name is never reused for another rule; new rules get new names.
 *
 * Rule              Refused when
 * ----------------  ---------------------------------------------------------
 * token size        the compact token is longer than JWS_MAX_COMPACT bytes
 * token format      empty; not three dot-separated parts (a JWE has five);
 *                   empty signature
 * base64url         a part is not strict base64url (no padding, no '+' '/',
 *                   no whitespace, canonical trailing bits)
 * header json       the protected header is not one strict JSON object
 *                   (RFC 8259 grammar, well-formed UTF-8, no trailing data,
 *                   no repeated member name, nesting bounded)
 * payload json      the payload, likewise
 * alg               alg missing or not a string; "none" or HS* (always);
 *                   not supported; not in allowed_algs
 * crit              the header has "crit" (no extension is understood)
 * typ               typ is not a string, or names another kind of token:
 *                   at+jwt, logout+jwt, secevent+jwt (with or without
 *                   "application/")
 * kid               kid is not a string; no key with that kid in the JWKS;
 *                   no kid and not exactly one key fits the alg
 * key type          the key's kty (or crv) does not fit the alg
 * key use           the key has a "use" other than "sig"
 * key ops           the key has "key_ops" without "verify"
 * key alg           the key has an "alg" other than the token's
 * key size          RSA modulus under 2048 bits
 * key invalid       the key in the JWKS could not be loaded (malformed,
 *                   point not on the curve, publishes private members)
 * signature length  ECDSA not raw r||s of exactly 64/96/132 bytes (DER is
 *                   refused); Ed25519 not 64 bytes; RSA not the modulus size
 * signature         the signature does not verify
 * iss               iss missing, not a string, or not the configured issuer
 * sub               sub missing, empty, longer than 255, not printable ASCII
 * aud               aud missing, malformed, or without client_id
 * azp               azp present and not client_id; several audiences and no
 *                   azp
 * exp               exp missing, not a JSON number, or passed (with leeway)
 * nbf               nbf not a JSON number, or in the future (with leeway)
 * iat               iat missing, not a JSON number, or in the future
 * replay            no nonce was sent (device grant) and iat is before this
 *                   login began (minus leeway); a token already used (token
 *                   flow)
 * nonce             a nonce was sent and the claim is missing or differs
 * auth_time         max_auth_age is set and auth_time is missing, not a JSON
 *                   number, or older than max_auth_age (+ leeway); or
 *                   auth_time is in the future (beyond leeway)
 * at_hash           at_hash is not the hash of the access token, or there is
 *                   no access token to check it against
 * acr               required_acr is set and acr is missing or not one of it
 * amr               required_amr is set and amr is missing or lacks one
 * role claim        role_claim is set and its value is missing, or is not a
 *                   string or an array of strings
 * role              no value of role_claim is in allowed_roles
 * npi               require_npi and the NPI claim is missing; the NPI is not
 *                   a string of exactly 10 ASCII digits
 * npi check digit   the NPI's check digit is not the Luhn digit over
 *                   "80840" + its first nine digits
 * hpii              hpii_claim is set and the HPI-I is missing, not a string
 *                   of 16 ASCII digits, or does not start with 800361
 * hpii check digit  the HPI-I fails the Luhn check over its 16 digits
 * hpio              hpio_claim: as hpii, prefix 800362
 * hpio check digit  the HPI-O fails the Luhn check over its 16 digits
 * fhirUser          the fhirUser claim is not a string holding a FHIR
 *                   reference (Type/id, or absolute .../Type/id, optionally
 *                   with /_history/vid); missing while fhir_user_types is set
 * fhirUser type     the reference's resource type is not in fhir_user_types
 * fhirUser base     the reference is absolute and does not start with
 *                   fhir_base_url + "/" (scheme, host, port and path)
 *
 * Reserved for the other parts of the helper, so that every rejection an
 * admin sees carries a rule:
 *
 * discovery         the discovery document is refused (issuer mismatch, an
 *                   endpoint that is not https, a required member missing)
 * jwks              the JWKS document itself is refused
 * mapping           no map rule or username_claim yields an account for
 *                   the verified identity, or a rule denies it
 * account           the account it maps to is unsafe, does not exist, is
 *                   uid 0 without allow_root, or is not the PAM user
 */
#ifndef PAM_OIDC_CLAIMS_H
#define PAM_OIDC_CLAIMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <json-c/json.h>

#include "config.h"
#include "error.h"

#define RULE_TOKEN_SIZE "token size"
#define RULE_TOKEN_FORMAT "token format"
#define RULE_BASE64URL "base64url"
#define RULE_HEADER_JSON "header json"
#define RULE_PAYLOAD_JSON "payload json"
#define RULE_ALG "alg"
#define RULE_CRIT "crit"
#define RULE_TYP "typ"
#define RULE_KID "kid"
#define RULE_KEY_TYPE "key type"
#define RULE_KEY_USE "key use"
#define RULE_KEY_OPS "key ops"
#define RULE_KEY_ALG "key alg"
#define RULE_KEY_SIZE "key size"
#define RULE_KEY_INVALID "key invalid"
#define RULE_SIG_LENGTH "signature length"
#define RULE_SIGNATURE "signature"
#define RULE_ISS "iss"
#define RULE_SUB "sub"
#define RULE_AUD "aud"
#define RULE_AZP "azp"
#define RULE_EXP "exp"
#define RULE_NBF "nbf"
#define RULE_IAT "iat"
#define RULE_REPLAY "replay"
#define RULE_NONCE "nonce"
#define RULE_AUTH_TIME "auth_time"
#define RULE_AT_HASH "at_hash"
#define RULE_ACR "acr"
#define RULE_AMR "amr"
#define RULE_ROLE_CLAIM "role claim"
#define RULE_ROLE "role"
#define RULE_NPI "npi"
#define RULE_NPI_CHECK "npi check digit"
#define RULE_HPII "hpii"
#define RULE_HPII_CHECK "hpii check digit"
#define RULE_HPIO "hpio"
#define RULE_HPIO_CHECK "hpio check digit"
#define RULE_FHIR_USER "fhirUser"
#define RULE_FHIR_USER_TYPE "fhirUser type"
#define RULE_FHIR_USER_BASE "fhirUser base"
#define RULE_DISCOVERY "discovery"
#define RULE_JWKS "jwks"
#define RULE_MAPPING "mapping"
#define RULE_ACCOUNT "account"
#define RULE_SCOPE "scope"
#define RULE_TOKEN_RESPONSE "token response"

struct oidc_rule {
	const char *name;    /* RULE_* */
	const char *summary; /* one line, for `pam-oidc` and the man page */
};

/* The table above, in that order, ended by {NULL, NULL}. */
extern const struct oidc_rule oidc_rules[];

/* The rule a reason starts with ("<name>: ..."), or NULL if none does. */
const struct oidc_rule *oidc_rule_of(const char *reason);

/* ------------------------------------------------------------------------ */
/* Claim policy.  Each check reads only the verified claims and the config;
 * on failure it fills e with OIDC_EREJECT and a "<rule>: ..." reason (or
 * OIDC_ECONFIG / OIDC_EINTERNAL), and returns that code. */

/* auth_time: when cfg->max_auth_age > 0 it is required, a JSON number, and
 * now - auth_time <= max_auth_age + leeway.  Whenever present it must be a
 * JSON number and not later than now + leeway. */
int claims_check_auth_time(json_object *claims, const struct oidc_config *cfg,
			   time_t now, struct oidc_err *e);

/* at_hash (OpenID Connect Core 3.1.3.6, 3.2.2.9): when present, it must be
 * base64url(left half of H(access_token)), H chosen by the ID token's alg:
 * RS256 PS256 ES256 -> SHA-256; *384 -> SHA-384; *512 -> SHA-512; EdDSA
 * (Ed25519, the only curve accepted) -> SHA-512, as the OpenID Connect
 * working group settled for Ed25519 (connect issue #1125, 25 Nov 2019) and
 * the OpenID Connect Token Hash Algorithms guide records: the hash that
 * Ed25519 itself uses (RFC 8032 5.1).  access_token NULL while at_hash is
 * present is a rejection: a hash that cannot be checked is not accepted.
 * access_token "" means the flow has no access token by design (an ID token
 * pasted at the prompt, or verified offline): at_hash binds the ID token to
 * an access token that this login never receives, so it is not checked. */
int claims_check_at_hash(json_object *claims, const char *alg,
			 const char *access_token, struct oidc_err *e);

/* The at_hash value for a token under alg ("" if alg has no hash here).
 * Returns 0, or -1 for an unknown alg.  out must hold 44 bytes. */
int claims_token_hash(const char *alg, const char *token, char *out,
		      size_t outsz);

/* acr one of cfg->required_acr; amr (array) contains all of
 * cfg->required_amr.  No-ops when those are NULL. */
int claims_check_acr(json_object *claims, const struct oidc_config *cfg,
		     struct oidc_err *e);
int claims_check_amr(json_object *claims, const struct oidc_config *cfg,
		     struct oidc_err *e);

/* The member at a dotted path: "realm_access.roles" is claims.realm_access
 * .roles; ':' and every other character but '.' belong to the name
 * ("cognito:groups").  A path that as a whole names a top-level member (a
 * namespaced claim like "https://example.org/roles") is that member; if the
 * dotted reading would find a value too, the path is ambiguous and NULL is
 * returned with *ambiguous set.  NULL when absent. */
json_object *claims_path(json_object *claims, const char *path,
			 bool *ambiguous);

/* role_claim / allowed_roles.  With cfg->role_claim NULL: no-op, *matched
 * NULL.  Otherwise the value must be a string or an array of strings (each
 * 1..256 bytes); with allowed_roles set at least one must be in it and
 * *matched is those, comma-joined, in claim order; without allowed_roles
 * every value is kept in *matched (for mapping and audit).  A value with a
 * ',' or a byte outside printable ASCII is never matched (it would break
 * the comma-joined audit field).  *matched is malloc'd. */
int claims_check_role(json_object *claims, const struct oidc_config *cfg,
		      char **matched, struct oidc_err *e);

/* An NPI value: exactly 10 ASCII digits and the Luhn check digit over
 * "80840" + the first nine.  0 valid, -1 not 10 digits, -2 check digit. */
int npi_validate(const char *s);
/* npi_claim: absent -> refused if require_npi; present -> valid NPI string.
 * *npi is a malloc'd copy (NULL when absent or not configured). */
int claims_check_npi(json_object *claims, const struct oidc_config *cfg,
		     char **npi, struct oidc_err *e);

enum hpi_kind { HPI_I, HPI_O };
/* An Australian HPI-I (prefix 800361) or HPI-O (800362): 16 ASCII digits,
 * Luhn over all 16.  0 valid, -1 format, -2 prefix, -3 check digit. */
int hpi_validate(const char *s, enum hpi_kind kind);
/* hpii_claim / hpio_claim: when configured the claim is required and must
 * be valid. */
int claims_check_hpi(json_object *claims, const struct oidc_config *cfg,
		     struct oidc_err *e);

/* A FHIR reference, as in the fhirUser claim (SMART App Launch). */
struct fhir_ref {
	char type[65];	 /* resource type, [A-Z][A-Za-z]+ */
	char id[65];	 /* [A-Za-z0-9.-]{1,64}, not "." or ".." */
	char vid[65];	 /* version from /_history/vid, or "" */
	size_t base_len; /* absolute: length of the base URL (without the
			    '/' before the type); 0 for a relative reference */
};
/* Parse "Type/id", "Type/id/_history/vid", or an absolute http(s) URL
 * ending in one of those.  No query, fragment, whitespace or control
 * character.  0 on success, -1 otherwise (why says what, if not NULL). */
int fhir_ref_parse(const char *s, struct fhir_ref *ref, const char **why);
/* fhir_user_claim (default "fhirUser"): when present it must be a FHIR
 * reference; with fhir_user_types set it is required and its type must be
 * listed; absolute and fhir_base_url set: it must start with
 * fhir_base_url + "/" and the rest be Type/id[/_history/vid].  *fhir_user is
 * a malloc'd copy of the claim (NULL when absent). */
int claims_check_fhir_user(json_object *claims, const struct oidc_config *cfg,
			   char **fhir_user, struct oidc_err *e);

/* What the policy checks yield for the audit line and mapping. */
struct claims_result {
	char *npi;	 /* the verified NPI or NULL */
	char *role;	 /* matched role(s), comma-joined, or NULL */
	char *fhir_user; /* the verified fhirUser reference or NULL */
};
void claims_result_free(struct claims_result *r);

/* All of the above, in the order of the table.  alg is the ID token's
 * (for at_hash); access_token may be NULL. */
int claims_check_all(json_object *claims, const struct oidc_config *cfg,
		     const char *alg, const char *access_token, time_t now,
		     struct claims_result *out, struct oidc_err *e);

/* Copy s into buf for a message: bytes outside printable ASCII become '?',
 * and a value longer than the buffer ends in "...".  Returns buf. */
char *claims_printable(char *buf, size_t bufsz, const char *s);

/* NumericDate claims (exp, nbf, iat, auth_time) outside 0..this (the end of
 * year 9999) are refused by their rule: no date arithmetic can overflow. */
#define NUMERIC_DATE_MAX 253402300799LL

/* A NumericDate as "2026-01-31T08:00:00Z" (UTC), for messages. */
void claims_date_text(char *buf, size_t bufsz, int64_t t);

/* ------------------------------------------------------------------------ */
/* Verification entry points (implemented in verify.c). */

struct login;
struct jwk_set;

/* Verify a compact ID token against a given key set (offline: the admin
 * CLI's `verify`, the token flow, tests): signature, the core claims, the
 * nonce when l->nonce is set, the replay rule when it is not (except in the
 * token flow), then claims_check_all().  On success l->claims, l->iss,
 * l->sub, l->npi, l->role and l->fhir_user are set. */
int verify_id_token_with_keys(struct login *l, const char *id_token,
			      const struct jwk_set *keys);

#endif
