/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * JOSE: base64url, JWK sets and compact JWS verification with OpenSSL 3 EVP.
 * The rules are listed in jose.h.
 */
#include "jose.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "claims.h" /* rule names */
#include "json.h"

#define RSA_MIN_BITS 2048
#define RSA_MAX_MODULUS_BYTES 2048 /* 16384 bits, OpenSSL's own limit */
#define RSA_MAX_EXPONENT_BYTES 8

/* A string from a token or a key set, fit for a message: printable ASCII
 * only (others become '?'), at most 64 bytes shown. */
struct shown {
	char s[72];
};

static const char *show(struct shown *b, const char *s)
{
	size_t n = 0;

	if (s == NULL)
		s = "";
	for (; s[n] != '\0' && n < 64; n++) {
		unsigned char c = (unsigned char)s[n];

		b->s[n] = (c < 0x20 || c > 0x7e) ? '?' : (char)c;
	}
	if (s[n] != '\0') {
		memcpy(b->s + n, "...", 3);
		n += 3;
	}
	b->s[n] = '\0';
	return b->s;
}

/* ------------------------------------------------------------------------ */
/* base64url                                                                */

/* value + 1 of each base64url character; 0: not in the alphabet */
static const unsigned char b64url_tab[256] = {
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0, 63,  0,  0,
	53, 54, 55, 56, 57, 58, 59, 60, 61, 62,  0,  0,  0,  0,  0,  0,
	 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15,
	16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26,  0,  0,  0,  0, 64,
	 0, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41,
	42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
};

static int b64url_val(unsigned char c)
{
	return (int)b64url_tab[c] - 1;
}

int b64url_decode(const char *in, size_t inlen, unsigned char **out,
		  size_t *outlen)
{
	const unsigned char *p = (const unsigned char *)in;
	unsigned char *buf;
	size_t n = 0;
	uint32_t acc = 0;
	unsigned bits = 0;

	if (out == NULL || outlen == NULL)
		return -1;
	*out = NULL;
	*outlen = 0;
	if (in == NULL && inlen != 0)
		return -1;
	if (inlen % 4 == 1 || inlen > SIZE_MAX / 3)
		return -1;
	buf = malloc(inlen / 4 * 3 + 3);
	if (buf == NULL)
		return -1;
	/* Four characters at a time while whole quads remain. */
	size_t i = 0;

	for (; i + 4 <= inlen; i += 4) {
		unsigned a = b64url_tab[p[i]], b = b64url_tab[p[i + 1]];
		unsigned c = b64url_tab[p[i + 2]], d = b64url_tab[p[i + 3]];
		uint32_t q;

		if (a == 0 || b == 0 || c == 0 || d == 0)
			goto fail;
		q = ((a - 1) << 18) | ((b - 1) << 12) | ((c - 1) << 6) |
		    (d - 1);
		buf[n++] = (unsigned char)(q >> 16);
		buf[n++] = (unsigned char)(q >> 8);
		buf[n++] = (unsigned char)q;
	}
	for (; i < inlen; i++) {
		int v = b64url_val(p[i]);

		if (v < 0)
			goto fail;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[n++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* 2 or 4 bits left over: they must be zero (canonical encoding) */
	if (acc != 0)
		goto fail;
	buf[n] = '\0';
	*out = buf;
	*outlen = n;
	return 0;
fail:
	OPENSSL_cleanse(buf, inlen / 4 * 3 + 3);
	free(buf);
	return -1;
}

char *b64url_encode(const unsigned char *in, size_t inlen)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	char *out;
	size_t n = 0;
	size_t i;

	if (in == NULL && inlen != 0)
		return NULL;
	if (inlen > (SIZE_MAX - 4) / 4 * 3)
		return NULL;
	out = malloc((inlen + 2) / 3 * 4 + 1);
	if (out == NULL)
		return NULL;
	for (i = 0; i + 3 <= inlen; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
			     in[i + 2];

		out[n++] = alpha[(v >> 18) & 63];
		out[n++] = alpha[(v >> 12) & 63];
		out[n++] = alpha[(v >> 6) & 63];
		out[n++] = alpha[v & 63];
	}
	if (inlen - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;

		out[n++] = alpha[(v >> 18) & 63];
		out[n++] = alpha[(v >> 12) & 63];
	} else if (inlen - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;

		out[n++] = alpha[(v >> 18) & 63];
		out[n++] = alpha[(v >> 12) & 63];
		out[n++] = alpha[(v >> 6) & 63];
	}
	out[n] = '\0';
	return out;
}

/* ------------------------------------------------------------------------ */
/* algorithms                                                               */

enum key_type { KT_NONE = 0, KT_RSA, KT_EC, KT_OKP };
enum sig_kind { SK_RSA_PKCS1, SK_RSA_PSS, SK_ECDSA, SK_EDDSA };

struct alg_info {
	const char *name;
	enum sig_kind kind;
	const char *md;	 /* digest name, NULL for EdDSA */
	const char *crv; /* JWK crv required, NULL for RSA */
	size_t sig_len;	 /* exact signature length, 0 for RSA */
};

static const struct alg_info algs[] = {
    {"RS256", SK_RSA_PKCS1, "SHA256", NULL, 0},
    {"RS384", SK_RSA_PKCS1, "SHA384", NULL, 0},
    {"RS512", SK_RSA_PKCS1, "SHA512", NULL, 0},
    {"PS256", SK_RSA_PSS, "SHA256", NULL, 0},
    {"PS384", SK_RSA_PSS, "SHA384", NULL, 0},
    {"PS512", SK_RSA_PSS, "SHA512", NULL, 0},
    {"ES256", SK_ECDSA, "SHA256", "P-256", 64},
    {"ES384", SK_ECDSA, "SHA384", "P-384", 96},
    {"ES512", SK_ECDSA, "SHA512", "P-521", 132},
    {"EdDSA", SK_EDDSA, NULL, "Ed25519", 64},
};

static const struct alg_info *alg_find(const char *name)
{
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		if (strcmp(algs[i].name, name) == 0)
			return &algs[i];
	}
	return NULL;
}

static enum key_type alg_kty(const struct alg_info *a)
{
	switch (a->kind) {
	case SK_RSA_PKCS1:
	case SK_RSA_PSS:
		return KT_RSA;
	case SK_ECDSA:
		return KT_EC;
	case SK_EDDSA:
		return KT_OKP;
	}
	return KT_NONE;
}

static const char *kty_name(enum key_type t)
{
	switch (t) {
	case KT_RSA:
		return "RSA";
	case KT_EC:
		return "EC";
	case KT_OKP:
		return "OKP";
	case KT_NONE:
		break;
	}
	return "unknown";
}

/* Algorithms refused whatever the configuration says: unsigned and HMAC
 * (a public key must never become an HMAC secret). */
static bool alg_forbidden(const char *alg)
{
	return strcasecmp(alg, "none") == 0 || strncasecmp(alg, "HS", 2) == 0;
}

/* ------------------------------------------------------------------------ */
/* JWK sets                                                                 */

struct jwk {
	enum key_type kty;
	char *kid;    /* may be NULL */
	char *use;    /* may be NULL */
	char *alg;    /* may be NULL */
	char crv[16]; /* EC / OKP curve, "" for RSA */
	bool has_key_ops;
	bool ops_verify; /* key_ops contains "verify" */
	int bits;	 /* RSA modulus size */
	EVP_PKEY *pkey;	 /* NULL: the key was skipped, see why */
	struct jwk_prep *prep; /* verification context, made at first use */
	char why[160];	 /* reason a key was skipped */
};

/*
 * A key's ready verification context (RSA and ECDSA): EVP_PKEY_verify over a
 * digest, initialised once for the algorithm the key was last used with, so
 * that a warm key set verifies without OpenSSL 3's per-call algorithm fetch.
 * Held behind a pointer because a key set is otherwise read-only during
 * verification.
 */
struct jwk_prep {
	EVP_PKEY_CTX *ctx;
	const char *alg; /* the alg_info name ctx was set up for */
};

struct jwk_set {
	struct jwk keys[JWKS_MAX_KEYS];
	size_t n;      /* entries, usable or not */
	size_t usable; /* entries with a pkey */
};

static void jwk_clear(struct jwk *k)
{
	free(k->kid);
	free(k->use);
	free(k->alg);
	if (k->prep != NULL) {
		EVP_PKEY_CTX_free(k->prep->ctx);
		free(k->prep);
	}
	EVP_PKEY_free(k->pkey);
	memset(k, 0, sizeof(*k));
}

void jwks_free(struct jwk_set *set)
{
	if (set == NULL)
		return;
	for (size_t i = 0; i < set->n; i++)
		jwk_clear(&set->keys[i]);
	free(set);
}

size_t jwks_count(const struct jwk_set *set)
{
	return set == NULL ? 0 : set->usable;
}

bool jwks_has_kid(const struct jwk_set *set, const char *kid)
{
	if (set == NULL || kid == NULL)
		return false;
	for (size_t i = 0; i < set->n; i++) {
		const struct jwk *k = &set->keys[i];

		/* An unusable key still answers for its kid: the verifier
		 * then says why it is unusable ("key invalid"), instead of
		 * refetching the set for a kid the provider did publish. */
		if (k->kid != NULL && strcmp(k->kid, kid) == 0)
			return true;
	}
	return false;
}

/* Decode a base64url member into a buffer; *out NULL if absent. */
static int member_b64(json_object *o, const char *name, unsigned char **out,
		      size_t *outlen, char *why, size_t whysz)
{
	const char *s = json_str(o, name);

	*out = NULL;
	*outlen = 0;
	if (s == NULL) {
		snprintf(why, whysz, "\"%s\" missing or not a string", name);
		return -1;
	}
	if (b64url_decode(s, strlen(s), out, outlen) != 0) {
		snprintf(why, whysz, "\"%s\" is not valid base64url", name);
		return -1;
	}
	return 0;
}

static EVP_PKEY *pkey_fromdata(const char *type, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY_CTX *chk = NULL;
	EVP_PKEY *pkey = NULL;

	params = OSSL_PARAM_BLD_to_param(bld);
	if (params == NULL)
		goto out;
	ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		goto out;
	chk = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	if (chk == NULL || EVP_PKEY_public_check(chk) != 1) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
out:
	EVP_PKEY_CTX_free(chk);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return pkey;
}

static int jwk_load_rsa(json_object *o, struct jwk *k)
{
	unsigned char *n = NULL, *ev = NULL;
	size_t nlen = 0, elen = 0;
	BIGNUM *bn_n = NULL, *bn_e = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	int rc = -1;

	if (member_b64(o, "n", &n, &nlen, k->why, sizeof(k->why)) != 0 ||
	    member_b64(o, "e", &ev, &elen, k->why, sizeof(k->why)) != 0)
		goto out;
	if (nlen == 0 || nlen > RSA_MAX_MODULUS_BYTES) {
		snprintf(k->why, sizeof(k->why),
			 "RSA modulus of %zu bytes is out of range", nlen);
		goto out;
	}
	if (elen == 0 || elen > RSA_MAX_EXPONENT_BYTES) {
		snprintf(k->why, sizeof(k->why),
			 "RSA exponent of %zu bytes is out of range", elen);
		goto out;
	}
	bn_n = BN_bin2bn(n, (int)nlen, NULL);
	bn_e = BN_bin2bn(ev, (int)elen, NULL);
	bld = OSSL_PARAM_BLD_new();
	if (bn_n == NULL || bn_e == NULL || bld == NULL) {
		snprintf(k->why, sizeof(k->why), "out of memory");
		goto out;
	}
	if (!BN_is_odd(bn_n) || !BN_is_odd(bn_e) || BN_is_one(bn_e) ||
	    BN_cmp(bn_e, bn_n) >= 0) {
		snprintf(k->why, sizeof(k->why),
			 "RSA modulus or exponent is not a valid public key");
		goto out;
	}
	if (OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) != 1) {
		snprintf(k->why, sizeof(k->why), "out of memory");
		goto out;
	}
	k->pkey = pkey_fromdata("RSA", bld);
	if (k->pkey == NULL) {
		snprintf(k->why, sizeof(k->why),
			 "OpenSSL refused the RSA public key");
		goto out;
	}
	k->bits = EVP_PKEY_get_bits(k->pkey);
	rc = 0;
out:
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn_n);
	BN_free(bn_e);
	free(n);
	free(ev);
	return rc;
}

static int jwk_load_ec(json_object *o, struct jwk *k)
{
	static const struct {
		const char *crv;
		const char *group;
		size_t len;
	} curves[] = {
	    {"P-256", "prime256v1", 32},
	    {"P-384", "secp384r1", 48},
	    {"P-521", "secp521r1", 66},
	};
	const char *crv = json_str(o, "crv");
	unsigned char *x = NULL, *y = NULL, *pub = NULL;
	size_t xlen = 0, ylen = 0, flen = 0;
	const char *group = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	int rc = -1;

	if (crv == NULL) {
		snprintf(k->why, sizeof(k->why), "EC key without \"crv\"");
		goto out;
	}
	for (size_t i = 0; i < sizeof(curves) / sizeof(curves[0]); i++) {
		if (strcmp(crv, curves[i].crv) == 0) {
			group = curves[i].group;
			flen = curves[i].len;
		}
	}
	if (group == NULL) {
		struct shown sh;

		snprintf(k->why, sizeof(k->why),
			 "EC curve \"%s\" is not supported", show(&sh, crv));
		goto out;
	}
	snprintf(k->crv, sizeof(k->crv), "%s", crv);
	if (member_b64(o, "x", &x, &xlen, k->why, sizeof(k->why)) != 0 ||
	    member_b64(o, "y", &y, &ylen, k->why, sizeof(k->why)) != 0)
		goto out;
	if (xlen != flen || ylen != flen) {
		snprintf(
		    k->why, sizeof(k->why),
		    "EC %s coordinates must be %zu bytes, got x %zu, y %zu",
		    crv, flen, xlen, ylen);
		goto out;
	}
	pub = malloc(1 + 2 * flen);
	bld = OSSL_PARAM_BLD_new();
	if (pub == NULL || bld == NULL) {
		snprintf(k->why, sizeof(k->why), "out of memory");
		goto out;
	}
	pub[0] = 0x04; /* uncompressed point */
	memcpy(pub + 1, x, flen);
	memcpy(pub + 1 + flen, y, flen);
	if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					    group, 0) != 1 ||
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub,
					     1 + 2 * flen) != 1) {
		snprintf(k->why, sizeof(k->why), "out of memory");
		goto out;
	}
	k->pkey = pkey_fromdata("EC", bld);
	if (k->pkey == NULL) {
		snprintf(k->why, sizeof(k->why), "EC point is not on curve %s",
			 crv);
		goto out;
	}
	rc = 0;
out:
	OSSL_PARAM_BLD_free(bld);
	free(pub);
	free(x);
	free(y);
	return rc;
}

static int jwk_load_okp(json_object *o, struct jwk *k)
{
	const char *crv = json_str(o, "crv");
	unsigned char *x = NULL;
	size_t xlen = 0;
	OSSL_PARAM_BLD *bld = NULL;
	int rc = -1;

	if (crv == NULL || strcmp(crv, "Ed25519") != 0) {
		struct shown sh;

		snprintf(k->why, sizeof(k->why),
			 "OKP curve \"%s\" is not supported (only Ed25519)",
			 show(&sh, crv));
		goto out;
	}
	snprintf(k->crv, sizeof(k->crv), "%s", crv);
	if (member_b64(o, "x", &x, &xlen, k->why, sizeof(k->why)) != 0)
		goto out;
	if (xlen != 32) {
		snprintf(k->why, sizeof(k->why),
			 "Ed25519 \"x\" must be 32 bytes, got %zu", xlen);
		goto out;
	}
	bld = OSSL_PARAM_BLD_new();
	if (bld == NULL || OSSL_PARAM_BLD_push_octet_string(
			       bld, OSSL_PKEY_PARAM_PUB_KEY, x, xlen) != 1) {
		snprintf(k->why, sizeof(k->why), "out of memory");
		goto out;
	}
	k->pkey = pkey_fromdata("ED25519", bld);
	if (k->pkey == NULL) {
		snprintf(k->why, sizeof(k->why),
			 "OpenSSL refused the Ed25519 public key");
		goto out;
	}
	rc = 0;
out:
	OSSL_PARAM_BLD_free(bld);
	free(x);
	return rc;
}

/* Optional string member: 0 absent or string (copied), -1 wrong type. */
static int opt_str(json_object *o, const char *name, char **out)
{
	const char *s;

	*out = NULL;
	if (!json_has(o, name))
		return 0;
	s = json_str(o, name);
	if (s == NULL)
		return -1;
	*out = strdup(s);
	return *out == NULL ? -1 : 0;
}

/* Fill one entry from one element of "keys".  Returns 0 if the entry should
 * be kept (usable, or skipped with a reason), -1 if it is to be dropped
 * silently (unknown kty), or OIDC_EINTERNAL. */
static int jwk_load(json_object *o, struct jwk *k)
{
	static const char *const private_members[] = {
	    "d", "p", "q", "dp", "dq", "qi", "oth", "k",
	};
	const char *kty;
	json_object *ops = NULL;

	memset(k, 0, sizeof(*k));
	if (!json_object_is_type(o, json_type_object)) {
		snprintf(k->why, sizeof(k->why), "key is not a JSON object");
		return 0;
	}
	if (opt_str(o, "kid", &k->kid) != 0) {
		snprintf(k->why, sizeof(k->why), "\"kid\" is not a string");
		return 0;
	}
	kty = json_str(o, "kty");
	if (kty == NULL) {
		snprintf(k->why, sizeof(k->why),
			 "\"kty\" missing or not a string");
		return 0;
	}
	if (strcmp(kty, "RSA") == 0) {
		k->kty = KT_RSA;
	} else if (strcmp(kty, "EC") == 0) {
		k->kty = KT_EC;
	} else if (strcmp(kty, "OKP") == 0) {
		k->kty = KT_OKP;
	} else {
		/* oct and anything newer: not for us */
		snprintf(k->why, sizeof(k->why),
			 "kty \"%.32s\" is not supported", kty);
		return -1;
	}
	if (opt_str(o, "use", &k->use) != 0) {
		snprintf(k->why, sizeof(k->why), "\"use\" is not a string");
		return 0;
	}
	if (opt_str(o, "alg", &k->alg) != 0) {
		snprintf(k->why, sizeof(k->why), "\"alg\" is not a string");
		return 0;
	}
	if (json_object_object_get_ex(o, "key_ops", &ops)) {
		size_t n;

		if (!json_object_is_type(ops, json_type_array)) {
			snprintf(k->why, sizeof(k->why),
				 "\"key_ops\" is not an array");
			return 0;
		}
		k->has_key_ops = true;
		n = json_object_array_length(ops);
		for (size_t i = 0; i < n; i++) {
			json_object *op = json_object_array_get_idx(ops, i);

			if (!json_object_is_type(op, json_type_string)) {
				snprintf(k->why, sizeof(k->why),
					 "\"key_ops\" has a non-string entry");
				return 0;
			}
			if (strcmp(json_object_get_string(op), "verify") == 0)
				k->ops_verify = true;
		}
	}
	/* A published private key is a compromised key: anyone who fetched
	 * the set could sign with it. */
	for (size_t i = 0;
	     i < sizeof(private_members) / sizeof(private_members[0]); i++) {
		if (json_has(o, private_members[i])) {
			snprintf(k->why, sizeof(k->why),
				 "key publishes private member \"%s\"",
				 private_members[i]);
			return 0;
		}
	}
	switch (k->kty) {
	case KT_RSA:
		(void)jwk_load_rsa(o, k);
		break;
	case KT_EC:
		(void)jwk_load_ec(o, k);
		break;
	case KT_OKP:
		(void)jwk_load_okp(o, k);
		break;
	case KT_NONE:
		break;
	}
	ERR_clear_error();
	return 0;
}

/* json_parse_object(), its reason prefixed with the rule's name. */
static int parse_json(const char *buf, size_t len, const char *rule,
		      const char *what, json_object **out, struct oidc_err *e)
{
	struct oidc_err je;
	int rc;

	oidc_err_clear(&je);
	rc = json_parse_object(buf, len, what, out, &je);
	if (rc != OIDC_OK)
		return oidc_fail(e, (enum oidc_rc)rc, "%s: %s", rule,
				 je.reason);
	return OIDC_OK;
}

int jwks_parse(const char *buf, size_t len, struct jwk_set **out,
	       struct oidc_err *e)
{
	json_object *doc = NULL;
	json_object *keys = NULL;
	struct jwk_set *set = NULL;
	size_t n;
	int rc;

	if (out == NULL)
		return oidc_fail(e, OIDC_EINTERNAL, "jwks_parse: no output");
	*out = NULL;
	rc = parse_json(buf, len, RULE_JWKS, "JWKS document", &doc, e);
	if (rc != OIDC_OK)
		goto out;
	if (!json_object_object_get_ex(doc, "keys", &keys) ||
	    !json_object_is_type(keys, json_type_array)) {
		rc = oidc_fail(e, OIDC_EREJECT,
			       RULE_JWKS ": the JWKS document has no \"keys\" "
					 "array");
		goto out;
	}
	n = json_object_array_length(keys);
	if (n > JWKS_MAX_KEYS) {
		rc = oidc_fail(e, OIDC_EREJECT,
			       RULE_JWKS ": the JWKS document has %zu keys, at "
					 "most %d supported",
			       n, JWKS_MAX_KEYS);
		goto out;
	}
	set = calloc(1, sizeof(*set));
	if (set == NULL) {
		rc = oidc_fail(e, OIDC_EINTERNAL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct jwk *k = &set->keys[set->n];

		if (jwk_load(json_object_array_get_idx(keys, i), k) != 0) {
			jwk_clear(k);
			continue;
		}
		set->n++;
		if (k->pkey != NULL)
			set->usable++;
	}
	*out = set;
	set = NULL;
	rc = OIDC_OK;
out:
	jwks_free(set);
	json_object_put(doc);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* compact JWS                                                              */

void jws_free(struct jws *jws)
{
	if (jws == NULL)
		return;
	json_object_put(jws->header);
	json_object_put(jws->payload);
	if (jws->signing_input != NULL) {
		OPENSSL_cleanse(jws->signing_input, jws->signing_input_len);
		free(jws->signing_input);
	}
	if (jws->sig != NULL) {
		OPENSSL_cleanse(jws->sig, jws->sig_len);
		free(jws->sig);
	}
	free(jws);
}

static int decode_part(const char *p, size_t n, const char *what,
		       unsigned char **out, size_t *outlen, struct oidc_err *e)
{
	size_t i;

	if (b64url_decode(p, n, out, outlen) == 0)
		return OIDC_OK;
	for (i = 0; i < n; i++) {
		if (b64url_val((unsigned char)p[i]) < 0)
			break;
	}
	if (i < n)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_BASE64URL
				 ": token %s has byte 0x%02x at offset %zu "
				 "(padding, '+', '/' and whitespace are not "
				 "allowed)",
				 what, (unsigned char)p[i], i);
	return oidc_fail(e, OIDC_EREJECT,
			 RULE_BASE64URL ": token %s is not canonical (length "
					"%zu)",
			 what, n);
}

/* typ values that name a token which is not an ID token. */
static bool typ_refused(const char *typ)
{
	static const char *const refused[] = {
	    "at+jwt",
	    "logout+jwt",
	    "secevent+jwt",
	};
	const char *t = typ;

	/* RFC 7515 4.1.9: "application/" may be omitted; compare without */
	if (strncasecmp(t, "application/", 12) == 0)
		t += 12;
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		if (strcasecmp(t, refused[i]) == 0)
			return true;
	}
	return false;
}

int jws_parse(const char *compact, size_t len, struct jws **out,
	      struct oidc_err *e)
{
	struct jws *jws = NULL;
	const char *dot1, *dot2;
	unsigned char *hdr = NULL, *pay = NULL;
	size_t hdrlen = 0, paylen = 0;
	size_t parts = 1;
	json_object *v = NULL;
	struct shown sh;
	int rc;

	if (out == NULL)
		return oidc_fail(e, OIDC_EINTERNAL, "jws_parse: no output");
	*out = NULL;
	if (compact == NULL || len == 0)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_TOKEN_FORMAT ": the token is empty");
	if (len > JWS_MAX_COMPACT)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_TOKEN_SIZE ": token is %zu bytes, at "
						 "most %d accepted",
				 len, JWS_MAX_COMPACT);
	for (size_t i = 0; i < len; i++) {
		if (compact[i] == '.')
			parts++;
	}
	if (parts != 3) {
		if (parts == 5)
			return oidc_fail(e, OIDC_EREJECT,
					 RULE_TOKEN_FORMAT
					 ": token has 5 parts: an "
					 "encrypted JWE is not "
					 "supported, a signed JWS has 3");
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_TOKEN_FORMAT ": token must have 3 "
						   "dot-separated parts, got "
						   "%zu",
				 parts);
	}
	dot1 = memchr(compact, '.', len);
	dot2 = memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - compact));

	jws = calloc(1, sizeof(*jws));
	if (jws == NULL)
		return oidc_fail(e, OIDC_EINTERNAL, "out of memory");

	rc = decode_part(compact, (size_t)(dot1 - compact), "header", &hdr,
			 &hdrlen, e);
	if (rc != OIDC_OK)
		goto out;
	rc = decode_part(dot1 + 1, (size_t)(dot2 - dot1 - 1), "payload", &pay,
			 &paylen, e);
	if (rc != OIDC_OK)
		goto out;
	rc = decode_part(dot2 + 1, len - (size_t)(dot2 + 1 - compact),
			 "signature", &jws->sig, &jws->sig_len, e);
	if (rc != OIDC_OK)
		goto out;

	rc = parse_json((const char *)hdr, hdrlen, RULE_HEADER_JSON,
			"JWS protected header", &jws->header, e);
	if (rc != OIDC_OK)
		goto out;

	if (!json_has(jws->header, "alg")) {
		rc = oidc_fail(e, OIDC_EREJECT,
			       RULE_ALG ": the JWS header has no alg");
		goto out;
	}
	jws->alg = json_str(jws->header, "alg");
	if (jws->alg == NULL) {
		rc = oidc_fail(e, OIDC_EREJECT,
			       RULE_ALG ": the JWS header alg is not a "
					"string");
		goto out;
	}
	if (alg_forbidden(jws->alg)) {
		rc = oidc_fail(e, OIDC_EREJECT,
			       RULE_ALG ": %s refused (unsigned and HMAC "
					"tokens are never accepted)",
			       show(&sh, jws->alg));
		goto out;
	}
	if (json_has(jws->header, "crit")) {
		rc = oidc_fail(e, OIDC_EREJECT,
			       RULE_CRIT ": the JWS header has \"crit\": "
					 "critical extensions are not "
					 "supported");
		goto out;
	}
	if (json_object_object_get_ex(jws->header, "typ", &v)) {
		const char *typ = json_str(jws->header, "typ");

		if (typ == NULL) {
			rc = oidc_fail(e, OIDC_EREJECT,
				       RULE_TYP ": the JWS header typ is not "
						"a string");
			goto out;
		}
		if (typ_refused(typ)) {
			rc = oidc_fail(e, OIDC_EREJECT,
				       RULE_TYP ": \"%s\" is not an ID token",
				       show(&sh, typ));
			goto out;
		}
	}
	if (json_has(jws->header, "kid")) {
		jws->kid = json_str(jws->header, "kid");
		if (jws->kid == NULL) {
			rc = oidc_fail(e, OIDC_EREJECT,
				       RULE_KID ": the JWS header kid is not "
						"a string");
			goto out;
		}
	}

	rc = parse_json((const char *)pay, paylen, RULE_PAYLOAD_JSON,
			"JWS payload", &jws->payload, e);
	if (rc != OIDC_OK)
		goto out;

	if (jws->sig_len == 0) {
		rc = oidc_fail(e, OIDC_EREJECT,
			       RULE_TOKEN_FORMAT ": the token signature is "
						 "empty");
		goto out;
	}
	jws->signing_input_len = (size_t)(dot2 - compact);
	jws->signing_input = malloc(jws->signing_input_len + 1);
	if (jws->signing_input == NULL) {
		rc = oidc_fail(e, OIDC_EINTERNAL, "out of memory");
		goto out;
	}
	memcpy(jws->signing_input, compact, jws->signing_input_len);
	jws->signing_input[jws->signing_input_len] = '\0';

	*out = jws;
	jws = NULL;
	rc = OIDC_OK;
out:
	if (hdr != NULL) {
		OPENSSL_cleanse(hdr, hdrlen);
		free(hdr);
	}
	if (pay != NULL) {
		OPENSSL_cleanse(pay, paylen);
		free(pay);
	}
	jws_free(jws);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* verification                                                             */

static const char *kid_or_none(const char *kid)
{
	return kid != NULL ? kid : "(no kid)";
}

/* Does the key's type (and curve) fit the algorithm? */
static bool key_fits(const struct jwk *k, const struct alg_info *a)
{
	if (k->pkey == NULL || k->kty != alg_kty(a))
		return false;
	if (a->crv != NULL && strcmp(k->crv, a->crv) != 0)
		return false;
	return true;
}

/* All key rules for this algorithm; reason names the rule. */
static int key_check(const struct jwk *k, const struct alg_info *a,
		     struct oidc_err *e)
{
	struct shown sk, sx;
	const char *kid = show(&sk, kid_or_none(k->kid));

	if (k->pkey == NULL)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_KEY_INVALID ": key \"%s\" in the JWKS is "
						  "unusable: %s",
				 kid, k->why);
	if (k->kty != alg_kty(a))
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_KEY_TYPE ": alg %s needs kty %s, key "
					       "\"%s\" has kty %s",
				 a->name, kty_name(alg_kty(a)), kid,
				 kty_name(k->kty));
	if (a->crv != NULL && strcmp(k->crv, a->crv) != 0)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_KEY_TYPE ": alg %s needs curve %s, key "
					       "\"%s\" is on %s",
				 a->name, a->crv, kid, show(&sx, k->crv));
	if (k->use != NULL && strcmp(k->use, "sig") != 0)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_KEY_USE ": key \"%s\" has use \"%s\", "
					      "not \"sig\"",
				 kid, show(&sx, k->use));
	if (k->has_key_ops && !k->ops_verify)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_KEY_OPS ": key \"%s\" key_ops does not "
					      "allow \"verify\"",
				 kid);
	if (k->alg != NULL && strcmp(k->alg, a->name) != 0)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_KEY_ALG ": key \"%s\" is for alg %s, "
					      "token uses %s",
				 kid, show(&sx, k->alg), a->name);
	if (k->kty == KT_RSA && k->bits < RSA_MIN_BITS)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_KEY_SIZE ": RSA key \"%s\" has %d bits, "
					       "at least %d required",
				 kid, k->bits, RSA_MIN_BITS);
	return OIDC_OK;
}

static int key_select(const struct jws *jws, const struct jwk_set *set,
		      const struct alg_info *a, const struct jwk **out,
		      struct oidc_err *e)
{
	const struct jwk *first = NULL;
	const struct jwk *chosen = NULL;
	size_t fit = 0, ok = 0;
	struct shown sh;

	*out = NULL;
	if (jws->kid != NULL) {
		for (size_t i = 0; i < set->n; i++) {
			const struct jwk *k = &set->keys[i];

			if (k->kid == NULL || strcmp(k->kid, jws->kid) != 0)
				continue;
			if (first == NULL)
				first = k;
			if (key_check(k, a, NULL) == OIDC_OK) {
				*out = k;
				return OIDC_OK;
			}
		}
		if (first == NULL)
			return oidc_fail(e, OIDC_EREJECT,
					 RULE_KID ": no key \"%s\" in the "
						  "provider's JWKS",
					 show(&sh, jws->kid));
		return key_check(first, a, e);
	}

	/* no kid: exactly one key fitting the algorithm */
	for (size_t i = 0; i < set->n; i++) {
		const struct jwk *k = &set->keys[i];

		if (!key_fits(k, a))
			continue;
		if (first == NULL)
			first = k;
		fit++;
		if (key_check(k, a, NULL) == OIDC_OK) {
			chosen = k;
			ok++;
		}
	}
	if (ok == 1) {
		*out = chosen;
		return OIDC_OK;
	}
	if (ok > 1)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_KID ": the token has no kid and %zu keys "
					  "in the JWKS fit alg %s",
				 ok, a->name);
	if (fit > 0)
		return key_check(first, a, e);
	return oidc_fail(e, OIDC_EREJECT,
			 RULE_KID ": the token has no kid and no key in the "
				  "JWKS fits alg %s (%s%s%s)",
			 a->name, kty_name(alg_kty(a)), a->crv ? " " : "",
			 a->crv ? a->crv : "");
}

/* ECDSA raw r||s -> DER for OpenSSL.  *der is OPENSSL_malloc'd. */
static int ecdsa_raw_to_der(const unsigned char *sig, size_t len,
			    unsigned char **der, size_t *derlen)
{
	ECDSA_SIG *es = NULL;
	BIGNUM *r = NULL, *s = NULL;
	int n;
	int rc = -1;

	*der = NULL;
	*derlen = 0;
	es = ECDSA_SIG_new();
	r = BN_bin2bn(sig, (int)(len / 2), NULL);
	s = BN_bin2bn(sig + len / 2, (int)(len / 2), NULL);
	if (es == NULL || r == NULL || s == NULL)
		goto out;
	if (ECDSA_SIG_set0(es, r, s) != 1)
		goto out;
	r = s = NULL; /* owned by es */
	n = i2d_ECDSA_SIG(es, der);
	if (n <= 0) {
		*der = NULL;
		goto out;
	}
	*derlen = (size_t)n;
	rc = 0;
out:
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return rc;
}

/* 1 valid, 0 invalid, -1 could not set up the verification */
/*
 * The digest for an algorithm, fetched once per process.  Fetching by name
 * at every verification walks OpenSSL 3's provider tables each time, which
 * costs about a third of an RS256 verification.
 */
static const EVP_MD *md_of(const char *name)
{
	static const char *const names[] = {"SHA256", "SHA384", "SHA512"};
	static EVP_MD *mds[3];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(name, names[i]) != 0)
			continue;
		if (mds[i] == NULL)
			mds[i] = EVP_MD_fetch(NULL, names[i], NULL);
		return mds[i];
	}
	return NULL;
}

/* Hash data with md into out, with one digest context kept for the
 * process (the helper is single-threaded). */
static int digest_of(const EVP_MD *md, const void *data, size_t len,
		     unsigned char *out, unsigned int *outlen)
{
	static EVP_MD_CTX *ctx;

	if (ctx == NULL)
		ctx = EVP_MD_CTX_new();
	if (ctx == NULL || EVP_DigestInit_ex2(ctx, md, NULL) != 1 ||
	    EVP_DigestUpdate(ctx, data, len) != 1 ||
	    EVP_DigestFinal_ex(ctx, out, outlen) != 1)
		return 0;
	return 1;
}

/* The key's verification context for alg a (see struct jwk_prep). */
static EVP_PKEY_CTX *prepared(const struct jwk *k, const struct alg_info *a,
			      const EVP_MD *md)
{
	struct jwk_prep *p = k->prep;
	EVP_PKEY_CTX *ctx;

	if (p != NULL && p->ctx != NULL && p->alg == a->name)
		return p->ctx;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
	if (ctx == NULL || EVP_PKEY_verify_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(ctx, md) != 1)
		goto fail;
	if (a->kind == SK_RSA_PKCS1 &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) != 1)
		goto fail;
	if (a->kind == SK_RSA_PSS &&
	    (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	     EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) != 1 ||
	     EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST) !=
		     1))
		goto fail;
	if (p == NULL) {
		/* k is const for the caller; the context is a cache. */
		p = calloc(1, sizeof(*p));
		if (p == NULL)
			goto fail;
		((struct jwk *)k)->prep = p;
	}
	EVP_PKEY_CTX_free(p->ctx);
	p->ctx = ctx;
	p->alg = a->name;
	return ctx;
fail:
	EVP_PKEY_CTX_free(ctx);
	return NULL;
}

/* 1: valid, 0: invalid, -1: could not check */
static int verify_sig(const struct jws *jws, const struct jwk *k,
		      const struct alg_info *a)
{
	const EVP_MD *md = NULL;
	EVP_MD_CTX *mctx = NULL;
	EVP_PKEY_CTX *pctx;
	unsigned char *der = NULL;
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	size_t derlen = 0;
	const unsigned char *sig = jws->sig;
	size_t siglen = jws->sig_len;
	int rc = -1;

	if (a->kind == SK_EDDSA) {
		/* Pure EdDSA signs the message itself, not a digest. */
		mctx = EVP_MD_CTX_new();
		if (mctx == NULL ||
		    EVP_DigestVerifyInit(mctx, NULL, NULL, NULL, k->pkey) != 1)
			goto out;
		/* Anything but 1 is a bad signature: OpenSSL returns -1, not
		 * 0, for some malformed ones, and those come from the token. */
		rc = EVP_DigestVerify(mctx, sig, siglen,
				      (const unsigned char *)jws->signing_input,
				      jws->signing_input_len) == 1
			 ? 1
			 : 0;
		goto out;
	}
	md = md_of(a->md);
	if (md == NULL)
		goto out;
	if (a->kind == SK_ECDSA) {
		if (ecdsa_raw_to_der(jws->sig, jws->sig_len, &der, &derlen) !=
		    0)
			goto out;
		sig = der;
		siglen = derlen;
	}
	pctx = prepared(k, a, md);
	if (pctx == NULL || digest_of(md, jws->signing_input,
				      jws->signing_input_len, digest,
				      &dlen) != 1)
		goto out;
	rc = EVP_PKEY_verify(pctx, sig, siglen, digest, dlen) == 1 ? 1 : 0;
out:
	OPENSSL_free(der);
	EVP_MD_CTX_free(mctx);
	ERR_clear_error();
	return rc;
}

int jws_verify(const struct jws *jws, const struct jwk_set *set,
	       const char *const *allowed_algs, struct oidc_err *e)
{
	const struct alg_info *a;
	const struct jwk *k = NULL;
	char list[256];
	size_t used = 0;
	bool allowed = false;
	struct shown sh;
	int r;

	if (jws == NULL || jws->alg == NULL || jws->signing_input == NULL ||
	    jws->sig == NULL)
		return oidc_fail(e, OIDC_EINTERNAL, "jws_verify: no token");
	if (set == NULL)
		return oidc_fail(e, OIDC_EINTERNAL, "jws_verify: no JWKS");
	if (allowed_algs == NULL || allowed_algs[0] == NULL)
		return oidc_fail(e, OIDC_ECONFIG, "allowed_algs is empty");

	if (alg_forbidden(jws->alg))
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_ALG ": %s refused (unsigned and HMAC "
					  "tokens are never accepted)",
				 show(&sh, jws->alg));
	a = alg_find(jws->alg);
	if (a == NULL)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_ALG ": %s is not supported",
				 show(&sh, jws->alg));
	list[0] = '\0';
	for (size_t i = 0; allowed_algs[i] != NULL; i++) {
		int w;

		if (strcmp(allowed_algs[i], a->name) == 0)
			allowed = true;
		if (used < sizeof(list)) {
			w = snprintf(list + used, sizeof(list) - used, "%s%s",
				     used > 0 ? " " : "", allowed_algs[i]);
			if (w > 0)
				used += (size_t)w;
		}
	}
	if (!allowed)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_ALG ": %s is not in allowed_algs (%s)",
				 a->name, list);

	r = key_select(jws, set, a, &k, e);
	if (r != OIDC_OK)
		return r;

	if (a->kind == SK_ECDSA && jws->sig_len != a->sig_len)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_SIG_LENGTH
				 ": ECDSA signature must be %zu "
				 "bytes r||s, got %zu",
				 a->sig_len, jws->sig_len);
	if (a->kind == SK_EDDSA && jws->sig_len != a->sig_len)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_SIG_LENGTH ": Ed25519 signature must be "
						 "%zu bytes, got %zu",
				 a->sig_len, jws->sig_len);
	/* RFC 8017 8.1.2 / 8.2.2 step 1: exactly the modulus length */
	if ((a->kind == SK_RSA_PKCS1 || a->kind == SK_RSA_PSS) &&
	    jws->sig_len != (size_t)EVP_PKEY_get_size(k->pkey))
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_SIG_LENGTH ": RSA signature must be %d "
						 "bytes (the modulus size of "
						 "key \"%s\"), got %zu",
				 EVP_PKEY_get_size(k->pkey),
				 show(&sh, kid_or_none(k->kid)), jws->sig_len);

	r = verify_sig(jws, k, a);
	if (r < 0)
		return oidc_fail(
		    e, OIDC_EINTERNAL,
		    "OpenSSL could not verify (alg %s, kid \"%s\")", a->name,
		    show(&sh, kid_or_none(k->kid)));
	if (r == 0)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_SIGNATURE
				 ": invalid (alg %s, kid \"%s\")",
				 a->name, show(&sh, kid_or_none(k->kid)));
	return OIDC_OK;
}
