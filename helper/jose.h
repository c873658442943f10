/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * JOSE: base64url, JWK sets, compact JWS parse and verify (OpenSSL 3 EVP).
 * RFC 7515, 7517, 7518, 8037, RFC 8725.
 *
 * Rules enforced here:
 *  - base64url strict: alphabet A-Z a-z 0-9 - _ only, no padding, no
 *    whitespace, no impossible length (len % 4 == 1), unused trailing bits 0;
 *  - header and payload are strict JSON objects (json.h);
 *  - the header's alg must be in the caller's allow-list, "none" and HS* are
 *    refused whatever the list says; "crit" present is refused; typ
 *    "at+jwt" / "logout+jwt" / "secevent+jwt" refused;
 *  - the key is chosen by kid (if the token has no kid, and exactly one key
 *    fits the algorithm, that key); kty/crv must fit the alg; key use, if
 *    present, is "sig"; key_ops, if present, contains "verify"; key alg, if
 *    present, equals the token's alg; RSA modulus >= 2048 bits;
 *  - ECDSA signatures are raw r||s of exactly 64 (ES256), 96 (ES384) or 132
 *    (ES512) bytes, converted to DER for OpenSSL with ECDSA_SIG_set0;
 *  - RSA signatures are exactly the modulus size (RFC 8017);
 *  - supported algs: RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512
 *    EdDSA (Ed25519).
 */
#ifndef PAM_OIDC_JOSE_H
#define PAM_OIDC_JOSE_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "error.h"

#define JWS_MAX_COMPACT (64 * 1024) /* size cap on a compact token */
#define JWKS_MAX_KEYS 64

/* Strict base64url decode; returns 0 or -1.  *out is malloc'd (NUL-terminated
 * for convenience, the NUL not counted in *outlen). */
int b64url_decode(const char *in, size_t inlen, unsigned char **out,
		  size_t *outlen);
/* base64url encode without padding; returns malloc'd NUL-terminated string. */
char *b64url_encode(const unsigned char *in, size_t inlen);

struct jwk_set; /* opaque */

/* Parse a JWKS document ({"keys":[...]}).  Keys of unknown kty are skipped;
 * a key that is malformed for its kty is skipped and counted.  Fails only if
 * the document itself is malformed. */
int jwks_parse(const char *buf, size_t len, struct jwk_set **out,
	       struct oidc_err *e);
void jwks_free(struct jwk_set *set);
size_t jwks_count(const struct jwk_set *set);
/* true if the set has an entry with this kid, usable or not (an unusable
 * key is then refused by jws_verify as "key invalid", not refetched) */
bool jwks_has_kid(const struct jwk_set *set, const char *kid);

struct jws {
	json_object *header;   /* parsed protected header */
	json_object *payload;  /* parsed payload (claims) */
	char *signing_input;   /* "b64(header).b64(payload)" */
	size_t signing_input_len;
	unsigned char *sig;
	size_t sig_len;
	const char *alg; /* points into header */
	const char *kid; /* points into header, may be NULL */
};

/* Parse a compact JWS (three parts).  Checks syntax, alg presence, and the
 * header rules that need no key (none/HS*, crit, typ). */
int jws_parse(const char *compact, size_t len, struct jws **out,
	      struct oidc_err *e);

/* Verify the signature with the key chosen from set.  allowed_algs is a
 * NULL-terminated list.  Reasons start with a rule name (claims.h), e.g.
 * "alg: RS512 is not in allowed_algs (...)", "kid: no key \"k1\" in the
 * provider's JWKS", "signature: invalid (...)". */
int jws_verify(const struct jws *jws, const struct jwk_set *set,
	       const char *const *allowed_algs, struct oidc_err *e);

void jws_free(struct jws *jws);

#endif
