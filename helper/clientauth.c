/* SPDX-License-Identifier: BSD-3-Clause */
/* Client authentication at the provider (client_auth); see clientauth.h. */
#include "clientauth.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/buffer.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "http.h"
#include "json.h"
#include "jose.h"
#include "login.h"
#include "oauth.h"
#include "secrets.h"

#define JTI_BYTES 32	  /* 256 random bits */
#define RSA_MIN_BITS 2048 /* as for the provider's keys (jose.h) */
#define ASSERTION_TYPE "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

static const char *const method_names[] = {
    [CLIENT_AUTH_NONE] = "none",
    [CLIENT_AUTH_SECRET_BASIC] = "client_secret_basic",
    [CLIENT_AUTH_SECRET_POST] = "client_secret_post",
    [CLIENT_AUTH_PRIVATE_KEY_JWT] = "private_key_jwt",
    [CLIENT_AUTH_TLS] = "tls_client_auth",
    [CLIENT_AUTH_SELF_SIGNED_TLS] = "self_signed_tls_client_auth",
};

const char *client_auth_name(enum client_auth method)
{
	if ((size_t)method < sizeof(method_names) / sizeof(method_names[0]) &&
	    method_names[method] != NULL)
		return method_names[method];
	return "(unknown)";
}

bool client_auth_uses_cert(enum client_auth method)
{
	return method == CLIENT_AUTH_TLS ||
	       method == CLIENT_AUTH_SELF_SIGNED_TLS;
}

/* ------------------------------------------------------------------------ */
/* client_secret_basic                                                      */

char *client_secret_basic_header(const char *client_id, const char *secret)
{
	struct strbuf plain, hdr;
	unsigned char *b64 = NULL;
	size_t b64_size = 0;
	char *out = NULL;

	/* RFC 6749 §2.3.1: each part form-urlencoded (Appendix B), then
	 * "id:secret" in base64 (RFC 7617). */
	sb_init(&plain);
	sb_init(&hdr);
	if (http_urlencode(&plain, client_id) != 0 ||
	    sb_addc(&plain, ':') != 0 || http_urlencode(&plain, secret) != 0)
		goto out;
	if (plain.len > (size_t)(INT32_MAX / 2))
		goto out;
	b64_size = (plain.len + 2) / 3 * 4 + 1;
	b64 = malloc(b64_size);
	if (b64 == NULL)
		goto out;
	EVP_EncodeBlock(b64, (const unsigned char *)plain.buf, (int)plain.len);
	if (sb_add(&hdr, "Basic ") != 0 || sb_add(&hdr, (char *)b64) != 0)
		goto out;
	out = sb_steal(&hdr);
out:
	if (b64 != NULL) {
		explicit_bzero(b64, b64_size);
		free(b64);
	}
	sb_wipe(&plain);
	sb_wipe(&hdr);
	return out;
}

/* ------------------------------------------------------------------------ */
/* keys                                                                     */

struct assertion_alg {
	const char *name;
	int type;	  /* EVP_PKEY_RSA or EVP_PKEY_EC */
	const char *crv;  /* EC curve (JOSE name), NULL for RSA */
	bool pss;	  /* RSASSA-PSS */
	size_t coord_len; /* EC: bytes of r and of s */
	const EVP_MD *(*md)(void);
};

static const struct assertion_alg assertion_algs[] = {
    {"RS256", EVP_PKEY_RSA, NULL, false, 0, EVP_sha256},
    {"RS384", EVP_PKEY_RSA, NULL, false, 0, EVP_sha384},
    {"PS256", EVP_PKEY_RSA, NULL, true, 0, EVP_sha256},
    {"ES256", EVP_PKEY_EC, "P-256", false, 32, EVP_sha256},
    {"ES384", EVP_PKEY_EC, "P-384", false, 48, EVP_sha384},
};

static const struct assertion_alg *assertion_alg_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(assertion_algs) / sizeof(assertion_algs[0]); i++)
		if (strcmp(assertion_algs[i].name, name) == 0)
			return &assertion_algs[i];
	return NULL;
}

struct client_key {
	EVP_PKEY *pkey;
	const struct assertion_alg *alg;
	char kid[48]; /* base64url of a SHA-256: 43 characters */
};

/* The JOSE name of an EC key's curve, NULL for another curve. */
static const char *ec_curve(EVP_PKEY *pkey)
{
	char group[64];

	if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME,
					   group, sizeof(group), NULL) != 1)
		return NULL;
	if (strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0)
		return "P-256";
	if (strcmp(group, "secp384r1") == 0 || strcmp(group, "P-384") == 0)
		return "P-384";
	if (strcmp(group, "secp521r1") == 0 || strcmp(group, "P-521") == 0)
		return "P-521";
	return NULL;
}

/* "RSA 3072 bits", "EC P-384", "ED25519" */
static void pkey_type(EVP_PKEY *pkey, char *buf, size_t len)
{
	int id = EVP_PKEY_get_base_id(pkey);

	if (id == EVP_PKEY_RSA) {
		snprintf(buf, len, "RSA %d bits", EVP_PKEY_get_bits(pkey));
	} else if (id == EVP_PKEY_EC) {
		const char *crv = ec_curve(pkey);

		snprintf(buf, len, "EC %s", crv ? crv : "(an unnamed curve)");
	} else {
		const char *name = OBJ_nid2sn(id);

		snprintf(buf, len, "%s", name ? name : "an unknown key type");
	}
}

static int no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return 0; /* never prompt on a terminal */
}

/* A PEM private key from a secret file's bytes. */
static int pem_private_key(const struct secret *s, const char *what,
			   const char *path, EVP_PKEY **out, struct oidc_err *e)
{
	BIO *bio;

	*out = NULL;
	if (strstr((const char *)s->data, "ENCRYPTED") != NULL)
		return oidc_fail(e, OIDC_ECONFIG,
				 "%s %s is encrypted, and the helper cannot "
				 "ask for a passphrase (fix: openssl pkey -in "
				 "%s -out NEW_FILE, then chmod 0600 NEW_FILE "
				 "and point %s at it)",
				 what, path, path, what);
	bio = BIO_new_mem_buf(s->data, (int)s->len);
	if (bio == NULL)
		return oidc_fail(e, OIDC_EINTERNAL, "out of memory");
	*out = PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL);
	BIO_free(bio);
	ERR_clear_error();
	if (*out == NULL)
		return oidc_fail(e, OIDC_ECONFIG,
				 "%s %s holds no PEM private key (expected "
				 "\"-----BEGIN PRIVATE KEY-----\"; a DER key "
				 "converts with openssl pkey -inform DER -in "
				 "%s -out NEW_FILE)",
				 what, path, path);
	return OIDC_OK;
}

/* RSA keys below RSA_MIN_BITS and curves other than P-256 / P-384 are
 * refused for both uses (assertions and TLS). */
static int key_strength(EVP_PKEY *pkey, const char *what, const char *path,
			struct oidc_err *e)
{
	int id = EVP_PKEY_get_base_id(pkey);
	char type[64];

	pkey_type(pkey, type, sizeof(type));
	if (id == EVP_PKEY_RSA) {
		if (EVP_PKEY_get_bits(pkey) < RSA_MIN_BITS)
			return oidc_fail(e, OIDC_ECONFIG,
					 "%s %s is an %s key; at least %d "
					 "bits are needed (fix: make a new "
					 "key, e.g. openssl genpkey -algorithm "
					 "RSA -pkeyopt rsa_keygen_bits:3072)",
					 what, path, type, RSA_MIN_BITS);
		return OIDC_OK;
	}
	if (id == EVP_PKEY_EC) {
		const char *crv = ec_curve(pkey);

		if (crv != NULL && strcmp(crv, "P-521") != 0)
			return OIDC_OK;
	}
	return oidc_fail(e, OIDC_ECONFIG,
			 "%s %s is an %s key; RSA (2048 bits or more) or EC "
			 "P-256 / P-384 is needed",
			 what, path, type);
}

/* "base64url(bn)", fixed length when pad > 0. */
static char *bn_b64url(EVP_PKEY *pkey, const char *param, size_t pad)
{
	BIGNUM *bn = NULL;
	unsigned char *bin = NULL;
	size_t n;
	char *out = NULL;

	if (EVP_PKEY_get_bn_param(pkey, param, &bn) != 1)
		return NULL;
	n = pad > 0 ? pad : (size_t)BN_num_bytes(bn);
	bin = malloc(n > 0 ? n : 1);
	if (bin != NULL && BN_bn2binpad(bn, bin, (int)n) == (int)n)
		out = b64url_encode(bin, n);
	free(bin);
	BN_free(bn);
	return out;
}

/*
 * The public key's JWK members into obj (when not NULL), and its RFC 7638
 * thumbprint input (the required members in lexicographic order, no
 * whitespace) into canon.
 */
static int public_members(EVP_PKEY *pkey, json_object *obj,
			  struct strbuf *canon)
{
	const char *names[2], *crv = NULL;
	char *vals[2] = {NULL, NULL};
	int rc = -1;
	size_t i;

	if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA) {
		names[0] = "n";
		names[1] = "e";
		vals[0] = bn_b64url(pkey, OSSL_PKEY_PARAM_RSA_N, 0);
		vals[1] = bn_b64url(pkey, OSSL_PKEY_PARAM_RSA_E, 0);
		if (vals[0] == NULL || vals[1] == NULL)
			goto out;
		sb_addf(canon, "{\"e\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\"}",
			vals[1], vals[0]);
	} else {
		size_t len;

		crv = ec_curve(pkey);
		if (crv == NULL)
			goto out;
		len = strcmp(crv, "P-256") == 0 ? 32 : 48;
		names[0] = "x";
		names[1] = "y";
		vals[0] = bn_b64url(pkey, OSSL_PKEY_PARAM_EC_PUB_X, len);
		vals[1] = bn_b64url(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, len);
		if (vals[0] == NULL || vals[1] == NULL)
			goto out;
		sb_addf(canon,
			"{\"crv\":\"%s\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":"
			"\"%s\"}",
			crv, vals[0], vals[1]);
	}
	if (canon->failed)
		goto out;
	if (obj != NULL) {
		json_object_object_add(
		    obj, "kty", json_object_new_string(crv ? "EC" : "RSA"));
		if (crv != NULL)
			json_object_object_add(obj, "crv",
					       json_object_new_string(crv));
		for (i = 0; i < 2; i++)
			json_object_object_add(obj, names[i],
					       json_object_new_string(vals[i]));
	}
	rc = 0;
out:
	free(vals[0]);
	free(vals[1]);
	return rc;
}

/* RFC 7638 thumbprint with SHA-256, base64url, into kid. */
static int thumbprint(EVP_PKEY *pkey, char *kid, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	struct strbuf canon;
	char *b64;
	int rc = -1;

	sb_init(&canon);
	if (public_members(pkey, NULL, &canon) != 0)
		goto out;
	if (EVP_Digest(canon.buf, canon.len, md, &mdlen, EVP_sha256(), NULL) !=
	    1)
		goto out;
	b64 = b64url_encode(md, mdlen);
	if (b64 != NULL && strlen(b64) < len) {
		memcpy(kid, b64, strlen(b64) + 1);
		rc = 0;
	}
	free(b64);
out:
	sb_wipe(&canon);
	return rc;
}

static const struct assertion_alg *default_alg(EVP_PKEY *pkey)
{
	const char *crv;

	if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA)
		return assertion_alg_find("RS384");
	crv = ec_curve(pkey);
	if (crv != NULL && strcmp(crv, "P-384") == 0)
		return assertion_alg_find("ES384");
	return assertion_alg_find("ES256");
}

int client_key_load(const char *path, const char *alg, struct client_key **out,
		    struct oidc_err *e)
{
	static const char what[] = "client_key_file";
	struct client_key *k = NULL;
	struct secret s;
	char type[64];
	int rc;

	*out = NULL;
	rc = secret_read(path, what, SECRET_FILE_MAX, 0, &s, e);
	if (rc != OIDC_OK)
		return rc;
	k = calloc(1, sizeof(*k));
	if (k == NULL) {
		rc = oidc_fail(e, OIDC_EINTERNAL, "out of memory");
		goto out;
	}
	rc = pem_private_key(&s, what, path, &k->pkey, e);
	if (rc != OIDC_OK)
		goto out;
	rc = key_strength(k->pkey, what, path, e);
	if (rc != OIDC_OK)
		goto out;
	pkey_type(k->pkey, type, sizeof(type));
	if (alg == NULL) {
		k->alg = default_alg(k->pkey);
	} else {
		k->alg = assertion_alg_find(alg);
		if (k->alg == NULL) {
			rc = oidc_fail(e, OIDC_ECONFIG,
				       "client_assertion_alg %s is not one of "
				       "RS256 RS384 PS256 ES256 ES384",
				       alg);
			goto out;
		}
	}
	if (k->alg->type != EVP_PKEY_get_base_id(k->pkey) ||
	    (k->alg->crv != NULL &&
	     strcmp(k->alg->crv, ec_curve(k->pkey)) != 0)) {
		rc = oidc_fail(e, OIDC_ECONFIG,
			       "client_assertion_alg %s does not fit the %s "
			       "key in %s %s (fix: %s)",
			       k->alg->name, type, what, path,
			       k->alg->type == EVP_PKEY_RSA
				   ? "RS256, RS384 and PS256 need an RSA "
				     "key"
			       : k->alg->coord_len == 32
				   ? "ES256 needs an EC P-256 key"
				   : "ES384 needs an EC P-384 "
				     "key");
		goto out;
	}
	if (thumbprint(k->pkey, k->kid, sizeof(k->kid)) != 0) {
		rc = oidc_fail(e, OIDC_EINTERNAL,
			       "cannot compute the key's thumbprint");
		goto out;
	}
	*out = k;
	k = NULL;
out:
	secret_free(&s);
	client_key_free(k);
	return rc;
}

void client_key_free(struct client_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

const char *client_key_alg(const struct client_key *k)
{
	return k->alg->name;
}

const char *client_key_kid(const struct client_key *k)
{
	return k->kid;
}

void client_key_type(const struct client_key *k, char *buf, size_t len)
{
	pkey_type(k->pkey, buf, len);
}

/* The JWK of pkey with kid, use and (when not NULL) alg and x5c. */
static char *public_jwk(EVP_PKEY *pkey, const char *kid, const char *alg,
			X509 *x5c)
{
	json_object *obj = json_object_new_object();
	struct strbuf canon;
	char *out = NULL;

	sb_init(&canon);
	if (obj == NULL || public_members(pkey, obj, &canon) != 0)
		goto out;
	json_object_object_add(obj, "kid", json_object_new_string(kid));
	json_object_object_add(obj, "use", json_object_new_string("sig"));
	if (alg != NULL)
		json_object_object_add(obj, "alg", json_object_new_string(alg));
	if (x5c != NULL) {
		unsigned char *der = NULL, *b64 = NULL;
		int n = i2d_X509(x5c, &der);
		json_object *arr;

		if (n <= 0)
			goto out;
		b64 = malloc(((size_t)n + 2) / 3 * 4 + 1);
		if (b64 == NULL) {
			OPENSSL_free(der);
			goto out;
		}
		EVP_EncodeBlock(b64, der, n);
		arr = json_object_new_array();
		json_object_array_add(arr, json_object_new_string((char *)b64));
		json_object_object_add(obj, "x5c", arr);
		OPENSSL_free(der);
		free(b64);
	}
	out = strdup(json_object_to_json_string_ext(
	    obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
out:
	sb_wipe(&canon);
	json_object_put(obj);
	return out;
}

char *client_key_public_jwk(const struct client_key *k)
{
	return public_jwk(k->pkey, k->kid, k->alg->name, NULL);
}

/* ------------------------------------------------------------------------ */
/* client assertions                                                        */

/* Sign input with k; *sig is the JWS signature (ECDSA: raw r||s). */
static int sign(const struct client_key *k, const char *input, size_t len,
		unsigned char **sig, size_t *siglen)
{
	const struct assertion_alg *a = k->alg;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char *der = NULL;
	size_t derlen = 0;
	ECDSA_SIG *es = NULL;
	int rc = -1;

	*sig = NULL;
	*siglen = 0;
	if (ctx == NULL ||
	    EVP_DigestSignInit(ctx, &pctx, a->md(), NULL, k->pkey) != 1)
		goto out;
	if (a->pss &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) !=
		 1 ||
	     EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, a->md()) != 1))
		goto out;
	if (EVP_DigestSign(ctx, NULL, &derlen, (const unsigned char *)input,
			   len) != 1)
		goto out;
	der = malloc(derlen);
	if (der == NULL ||
	    EVP_DigestSign(ctx, der, &derlen, (const unsigned char *)input,
			   len) != 1)
		goto out;
	if (a->type == EVP_PKEY_RSA) {
		*sig = der;
		*siglen = derlen;
		der = NULL;
		rc = 0;
		goto out;
	}
	/* ECDSA: DER SEQUENCE { r, s } -> fixed-length r || s (RFC 7518
	 * §3.4). */
	{
		const unsigned char *p = der;
		const BIGNUM *r, *s;

		es = d2i_ECDSA_SIG(NULL, &p, (long)derlen);
		if (es == NULL)
			goto out;
		ECDSA_SIG_get0(es, &r, &s);
		*sig = malloc(2 * a->coord_len);
		if (*sig == NULL)
			goto out;
		if (BN_bn2binpad(r, *sig, (int)a->coord_len) !=
			(int)a->coord_len ||
		    BN_bn2binpad(s, *sig + a->coord_len, (int)a->coord_len) !=
			(int)a->coord_len) {
			free(*sig);
			*sig = NULL;
			goto out;
		}
		*siglen = 2 * a->coord_len;
		rc = 0;
	}
out:
	ECDSA_SIG_free(es);
	free(der);
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

static char *json_b64url(json_object *obj)
{
	const char *s = json_object_to_json_string_ext(
	    obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

	return s != NULL ? b64url_encode((const unsigned char *)s, strlen(s))
			 : NULL;
}

int client_assertion_make(const struct client_key *k, const char *client_id,
			  const char *audience, time_t now, char **out,
			  struct oidc_err *e)
{
	json_object *hdr = json_object_new_object();
	json_object *claims = json_object_new_object();
	unsigned char rnd[JTI_BYTES];
	unsigned char *sig = NULL;
	size_t siglen = 0;
	char *jti = NULL, *h64 = NULL, *p64 = NULL, *s64 = NULL;
	struct strbuf sb;
	int rc = OIDC_EINTERNAL;

	*out = NULL;
	sb_init(&sb);
	if (hdr == NULL || claims == NULL)
		goto out;
	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		rc = oidc_fail(e, OIDC_EINTERNAL,
			       "no random bytes for the assertion's jti");
		goto out;
	}
	jti = b64url_encode(rnd, sizeof(rnd));
	if (jti == NULL)
		goto out;
	json_object_object_add(hdr, "alg",
			       json_object_new_string(k->alg->name));
	json_object_object_add(hdr, "kid", json_object_new_string(k->kid));
	json_object_object_add(hdr, "typ", json_object_new_string("JWT"));
	json_object_object_add(claims, "iss",
			       json_object_new_string(client_id));
	json_object_object_add(claims, "sub",
			       json_object_new_string(client_id));
	json_object_object_add(claims, "aud", json_object_new_string(audience));
	json_object_object_add(claims, "jti", json_object_new_string(jti));
	json_object_object_add(claims, "iat",
			       json_object_new_int64((int64_t)now));
	json_object_object_add(
	    claims, "exp",
	    json_object_new_int64((int64_t)now + ASSERTION_LIFETIME));
	h64 = json_b64url(hdr);
	p64 = json_b64url(claims);
	if (h64 == NULL || p64 == NULL)
		goto out;
	sb_add(&sb, h64);
	sb_addc(&sb, '.');
	sb_add(&sb, p64);
	if (sb.failed)
		goto out;
	if (sign(k, sb.buf, sb.len, &sig, &siglen) != 0) {
		rc = oidc_fail(e, OIDC_EINTERNAL,
			       "signing the client assertion with %s failed",
			       k->alg->name);
		goto out;
	}
	s64 = b64url_encode(sig, siglen);
	if (s64 == NULL)
		goto out;
	sb_addc(&sb, '.');
	sb_add(&sb, s64);
	*out = sb_steal(&sb);
	if (*out != NULL)
		rc = OIDC_OK;
out:
	if (rc == OIDC_EINTERNAL && *out == NULL && e->rc == OIDC_OK)
		rc = oidc_fail(e, OIDC_EINTERNAL, "out of memory");
	explicit_bzero(rnd, sizeof(rnd));
	free(jti);
	free(h64);
	free(p64);
	free(s64);
	free(sig);
	sb_wipe(&sb);
	json_object_put(hdr);
	json_object_put(claims);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* mutual TLS                                                               */

struct tls_objects {
	EVP_PKEY *pkey;
	X509 *cert;
	STACK_OF(X509) * chain; /* may be NULL */
	const char *cert_what;	/* "client_cert_file" / "client_pkcs12_file" */
	const char *cert_path;
};

static void tls_objects_free(struct tls_objects *o)
{
	EVP_PKEY_free(o->pkey);
	X509_free(o->cert);
	sk_X509_pop_free(o->chain, X509_free);
	memset(o, 0, sizeof(*o));
}

static int load_pem_pair(const struct oidc_config *cfg, struct tls_objects *o,
			 struct oidc_err *e)
{
	struct secret cert = {0}, key = {0};
	BIO *bio = NULL;
	X509 *x;
	int rc;

	o->cert_what = "client_cert_file";
	o->cert_path = cfg->client_cert_file;
	rc = secret_read(cfg->client_cert_file, "client_cert_file",
			 SECRET_FILE_MAX, SECRET_PUBLIC, &cert, e);
	if (rc != OIDC_OK)
		goto out;
	bio = BIO_new_mem_buf(cert.data, (int)cert.len);
	if (bio == NULL) {
		rc = oidc_fail(e, OIDC_EINTERNAL, "out of memory");
		goto out;
	}
	o->cert = PEM_read_bio_X509(bio, NULL, no_password, NULL);
	if (o->cert == NULL) {
		rc = oidc_fail(e, OIDC_ECONFIG,
			       "client_cert_file %s holds no PEM certificate "
			       "(a DER certificate converts with openssl x509 "
			       "-inform DER -in %s -out NEW_FILE)",
			       cfg->client_cert_file, cfg->client_cert_file);
		goto out;
	}
	/* Further certificates in the file: the chain to send (e.g. the
	 * issuing CA of an organisation certificate). */
	while ((x = PEM_read_bio_X509(bio, NULL, no_password, NULL)) != NULL) {
		if (o->chain == NULL)
			o->chain = sk_X509_new_null();
		if (o->chain == NULL || sk_X509_push(o->chain, x) == 0) {
			X509_free(x);
			rc = oidc_fail(e, OIDC_EINTERNAL, "out of memory");
			goto out;
		}
	}
	rc = secret_read(cfg->client_key_file, "client_key_file",
			 SECRET_FILE_MAX, 0, &key, e);
	if (rc != OIDC_OK)
		goto out;
	rc = pem_private_key(&key, "client_key_file", cfg->client_key_file,
			     &o->pkey, e);
out:
	ERR_clear_error();
	BIO_free(bio);
	secret_free(&cert);
	secret_free(&key);
	return rc;
}

static int load_pkcs12(const struct oidc_config *cfg, struct tls_objects *o,
		       struct oidc_err *e)
{
	static bool legacy_loaded;
	struct secret blob = {0}, pass = {0};
	const unsigned char *p;
	const char *pw = "";
	PKCS12 *p12 = NULL;
	int rc;

	o->cert_what = "client_pkcs12_file";
	o->cert_path = cfg->client_pkcs12_file;
	rc = secret_read(cfg->client_pkcs12_file, "client_pkcs12_file",
			 SECRET_FILE_MAX, 0, &blob, e);
	if (rc != OIDC_OK)
		goto out;
	if (cfg->client_pkcs12_passphrase_file != NULL) {
		rc = secret_read(cfg->client_pkcs12_passphrase_file,
				 "client_pkcs12_passphrase_file",
				 SECRET_TEXT_MAX, SECRET_LINE, &pass, e);
		if (rc != OIDC_OK)
			goto out;
		pw = (const char *)pass.data;
	}
	p = blob.data;
	p12 = d2i_PKCS12(NULL, &p, (long)blob.len);
	if (p12 == NULL) {
		rc = oidc_fail(e, OIDC_ECONFIG,
			       "client_pkcs12_file %s is not a PKCS#12 file "
			       "(.p12 / .pfx)",
			       cfg->client_pkcs12_file);
		goto out;
	}
	if (PKCS12_mac_present(p12) && PKCS12_verify_mac(p12, pw, -1) != 1 &&
	    !(pw[0] == '\0' && PKCS12_verify_mac(p12, NULL, 0) == 1)) {
		if (cfg->client_pkcs12_passphrase_file != NULL)
			rc = oidc_fail(e, OIDC_ECONFIG,
				       "the passphrase in "
				       "client_pkcs12_passphrase_file %s does "
				       "not open client_pkcs12_file %s (fix: "
				       "write the file's passphrase alone into "
				       "%s)",
				       cfg->client_pkcs12_passphrase_file,
				       cfg->client_pkcs12_file,
				       cfg->client_pkcs12_passphrase_file);
		else
			rc = oidc_fail(e, OIDC_ECONFIG,
				       "client_pkcs12_file %s needs a "
				       "passphrase (fix: set "
				       "client_pkcs12_passphrase_file to a "
				       "root-owned file of mode 0600 that "
				       "holds it)",
				       cfg->client_pkcs12_file);
		goto out;
	}
	if (PKCS12_parse(p12, pw, &o->pkey, &o->cert, &o->chain) != 1 &&
	    !legacy_loaded) {
		/* Older bundles (RC2, 40-bit) need OpenSSL's legacy
		 * provider; load it (with the default one) and try again. */
		legacy_loaded = true;
		ERR_clear_error();
		if (OSSL_PROVIDER_load(NULL, "default") != NULL &&
		    OSSL_PROVIDER_load(NULL, "legacy") != NULL)
			PKCS12_parse(p12, pw, &o->pkey, &o->cert, &o->chain);
	}
	if (o->pkey == NULL || o->cert == NULL) {
		rc =
		    oidc_fail(e, OIDC_ECONFIG,
			      "client_pkcs12_file %s: no certificate with "
			      "its private key could be read (if it uses "
			      "old algorithms, re-export it: openssl pkcs12 "
			      "-legacy -in %s -nodes | openssl pkcs12 "
			      "-export -out NEW_FILE)",
			      cfg->client_pkcs12_file, cfg->client_pkcs12_file);
		goto out;
	}
	rc = OIDC_OK;
out:
	ERR_clear_error();
	PKCS12_free(p12);
	secret_free(&blob);
	secret_free(&pass);
	return rc;
}

static void asn1_time_text(const ASN1_TIME *t, char *buf, size_t len)
{
	struct tm tm;

	if (ASN1_TIME_to_tm(t, &tm) != 1 ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, len, "(unreadable time)");
}

/* Whole days from now until t (negative when past); 0 on error. */
static int days_until(const ASN1_TIME *t)
{
	int days = 0, secs = 0;

	if (ASN1_TIME_diff(&days, &secs, NULL, t) != 1)
		return 0;
	return days;
}

/* The checks every login makes on the certificate and key. */
static int tls_objects_check(const struct tls_objects *o,
			     const struct oidc_config *cfg, struct oidc_err *e)
{
	const char *key_what = cfg->client_pkcs12_file != NULL
				   ? "client_pkcs12_file"
				   : "client_key_file";
	const char *key_path = cfg->client_pkcs12_file != NULL
				   ? cfg->client_pkcs12_file
				   : cfg->client_key_file;
	char when[64];
	int rc;

	if (X509_cmp_current_time(X509_get0_notAfter(o->cert)) < 0) {
		asn1_time_text(X509_get0_notAfter(o->cert), when, sizeof(when));
		return oidc_fail(e, OIDC_ECONFIG,
				 "the client certificate in %s %s expired on "
				 "%s (fix: install the renewed certificate "
				 "and key)",
				 o->cert_what, o->cert_path, when);
	}
	if (X509_cmp_current_time(X509_get0_notBefore(o->cert)) > 0) {
		asn1_time_text(X509_get0_notBefore(o->cert), when,
			       sizeof(when));
		return oidc_fail(e, OIDC_ECONFIG,
				 "the client certificate in %s %s is not valid "
				 "before %s (is this computer's clock right?)",
				 o->cert_what, o->cert_path, when);
	}
	rc = key_strength(o->pkey, key_what, key_path, e);
	if (rc != OIDC_OK)
		return rc;
	if (X509_check_private_key(o->cert, o->pkey) != 1) {
		ERR_clear_error();
		return oidc_fail(e, OIDC_ECONFIG,
				 "the private key in %s %s does not belong to "
				 "the certificate in %s %s (fix: point both "
				 "keys at the same pair)",
				 key_what, key_path, o->cert_what,
				 o->cert_path);
	}
	return OIDC_OK;
}

static int tls_objects_load(const struct oidc_config *cfg,
			    struct tls_objects *o, struct oidc_err *e)
{
	int rc;

	memset(o, 0, sizeof(*o));
	if (cfg->client_pkcs12_file != NULL)
		rc = load_pkcs12(cfg, o, e);
	else
		rc = load_pem_pair(cfg, o, e);
	if (rc == OIDC_OK)
		rc = tls_objects_check(o, cfg, e);
	if (rc != OIDC_OK)
		tls_objects_free(o);
	return rc;
}

/* The bytes of a memory BIO, copied into a malloc'd NUL-terminated
 * buffer. */
static int bio_take(BIO *bio, char **out, size_t *len)
{
	BUF_MEM *bm = NULL;

	*out = NULL;
	*len = 0;
	if (BIO_get_mem_ptr(bio, &bm) != 1 || bm == NULL || bm->length == 0)
		return -1;
	*out = malloc(bm->length + 1);
	if (*out == NULL)
		return -1;
	memcpy(*out, bm->data, bm->length);
	(*out)[bm->length] = '\0';
	*len = bm->length;
	return 0;
}

int tls_credential_load(const struct oidc_config *cfg,
			struct tls_credential *out, struct oidc_err *e)
{
	struct tls_objects o;
	BIO *cb = NULL, *kb = NULL;
	int i, rc;

	memset(out, 0, sizeof(*out));
	rc = tls_objects_load(cfg, &o, e);
	if (rc != OIDC_OK)
		return rc;
	rc = OIDC_EINTERNAL;
	cb = BIO_new(BIO_s_mem());
	kb = BIO_new(BIO_s_secmem()); /* cleared when freed */
	if (cb == NULL || kb == NULL || PEM_write_bio_X509(cb, o.cert) != 1)
		goto out;
	for (i = 0; o.chain != NULL && i < sk_X509_num(o.chain); i++)
		if (PEM_write_bio_X509(cb, sk_X509_value(o.chain, i)) != 1)
			goto out;
	if (PEM_write_bio_PrivateKey(kb, o.pkey, NULL, NULL, 0, NULL, NULL) !=
	    1)
		goto out;
	if (bio_take(cb, &out->cert_pem, &out->cert_len) != 0 ||
	    bio_take(kb, &out->key_pem, &out->key_len) != 0)
		goto out;
	rc = OIDC_OK;
out:
	if (rc != OIDC_OK) {
		oidc_fail(e, rc,
			  "cannot encode the client certificate for libcurl");
		tls_credential_free(out);
	}
	ERR_clear_error();
	BIO_free(cb);
	BIO_free(kb);
	tls_objects_free(&o);
	return rc;
}

void tls_credential_free(struct tls_credential *c)
{
	if (c->key_pem != NULL) {
		explicit_bzero(c->key_pem, c->key_len);
		free(c->key_pem);
	}
	free(c->cert_pem);
	memset(c, 0, sizeof(*c));
}

/* Members of the provider metadata that name endpoints where the client
 * authenticates (RFC 8705 §5 lists which ones may have aliases). */
static const char *const alias_members[] = {
    "token_endpoint",
    "device_authorization_endpoint",
    "pushed_authorization_request_endpoint",
    "revocation_endpoint",
    "introspection_endpoint",
    "backchannel_authentication_endpoint",
    "userinfo_endpoint",
    "registration_endpoint",
    NULL,
};

static const char *alias_in(json_object *doc, const char *member)
{
	json_object *aliases;
	const char *v;

	if (doc == NULL ||
	    !json_object_object_get_ex(doc, "mtls_endpoint_aliases",
				       &aliases) ||
	    !json_object_is_type(aliases, json_type_object))
		return NULL;
	v = json_str(aliases, member);
	return v != NULL && text_is_https_url(v, 2048) ? v : NULL;
}

const char *mtls_alias(const struct login *l, const char *member,
		       const char *fallback)
{
	const char *v;

	if (!client_auth_uses_cert(l->cfg->client_auth))
		return fallback;
	v = alias_in(l->disco.doc, member);
	return v != NULL ? v : fallback;
}

const char *client_auth_endpoint(const struct login *l, const char *url)
{
	size_t i;

	if (url == NULL || !client_auth_uses_cert(l->cfg->client_auth) ||
	    l->disco.doc == NULL)
		return url;
	for (i = 0; alias_members[i] != NULL; i++) {
		const char *v = json_str(l->disco.doc, alias_members[i]);

		if (v != NULL && strcmp(v, url) == 0)
			return mtls_alias(l, alias_members[i], url);
	}
	return url;
}

/* ------------------------------------------------------------------------ */
/* applying the method to a request                                         */

int client_auth_apply(struct login *l, const char *endpoint, char **form,
		      char **authorization)
{
	const struct oidc_config *cfg = l->cfg;
	struct oidc_err *e = &l->err;
	struct client_key *key = NULL;
	struct secret secret = {0};
	char *assertion = NULL;
	const char *aud;
	int rc = OIDC_OK;

	(void)endpoint; /* the audience is the token endpoint or issuer */
	*authorization = NULL;
	switch (cfg->client_auth) {
	case CLIENT_AUTH_NONE:
	case CLIENT_AUTH_TLS:
	case CLIENT_AUTH_SELF_SIGNED_TLS:
		/* RFC 8705 §2: the client_id names the client; the
		 * certificate on the connection authenticates it. */
		if (http_form_add(form, "client_id", cfg->client_id) != 0)
			rc = oidc_fail(e, OIDC_EINTERNAL, "out of memory");
		break;
	case CLIENT_AUTH_SECRET_BASIC:
		rc = secret_read(cfg->client_secret_file, "client_secret_file",
				 SECRET_TEXT_MAX, SECRET_LINE, &secret, e);
		if (rc != OIDC_OK)
			break;
		*authorization = client_secret_basic_header(
		    cfg->client_id, (const char *)secret.data);
		if (*authorization == NULL)
			rc = oidc_fail(e, OIDC_EINTERNAL, "out of memory");
		break;
	case CLIENT_AUTH_SECRET_POST:
		rc = secret_read(cfg->client_secret_file, "client_secret_file",
				 SECRET_TEXT_MAX, SECRET_LINE, &secret, e);
		if (rc != OIDC_OK)
			break;
		if (http_form_add(form, "client_id", cfg->client_id) != 0 ||
		    http_form_add(form, "client_secret",
				  (const char *)secret.data) != 0)
			rc = oidc_fail(e, OIDC_EINTERNAL, "out of memory");
		break;
	case CLIENT_AUTH_PRIVATE_KEY_JWT:
		rc = client_key_load(cfg->client_key_file,
				     cfg->client_assertion_alg, &key, e);
		if (rc != OIDC_OK)
			break;
		aud = cfg->assertion_audience == AUD_ISSUER
			  ? cfg->issuer
			  : l->disco.token_endpoint;
		if (aud == NULL) {
			rc = oidc_fail(e, OIDC_EINTERNAL,
				       "no token endpoint for the assertion "
				       "audience");
			break;
		}
		rc = client_assertion_make(key, cfg->client_id, aud, time(NULL),
					   &assertion, e);
		if (rc != OIDC_OK)
			break;
		if (http_form_add(form, "client_id", cfg->client_id) != 0 ||
		    http_form_add(form, "client_assertion_type",
				  ASSERTION_TYPE) != 0 ||
		    http_form_add(form, "client_assertion", assertion) != 0)
			rc = oidc_fail(e, OIDC_EINTERNAL, "out of memory");
		break;
	default:
		rc =
		    oidc_fail(e, OIDC_ECONFIG, "client_auth: unknown method %d",
			      (int)cfg->client_auth);
		break;
	}
	if (rc != OIDC_OK) {
		secure_free(*authorization);
		*authorization = NULL;
	}
	secure_free(assertion);
	client_key_free(key);
	secret_free(&secret);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* when the provider says invalid_client                                    */

static void name_text(const X509_NAME *name, char *buf, size_t len);

static void refusal_hint(const struct oidc_config *cfg, char *buf, size_t len)
{
	const char *m = client_auth_name(cfg->client_auth);
	struct oidc_err ignored;
	struct tls_objects o;
	struct client_key *k = NULL;
	char issuer[256];

	oidc_err_clear(&ignored);
	switch (cfg->client_auth) {
	case CLIENT_AUTH_NONE:
		snprintf(buf, len,
			 "client_auth = none: the provider may expect client "
			 "%s to authenticate; set client_auth to the method "
			 "of its registration",
			 cfg->client_id);
		break;
	case CLIENT_AUTH_SECRET_BASIC:
	case CLIENT_AUTH_SECRET_POST:
		snprintf(buf, len,
			 "client_auth = %s: check that client_secret_file %s "
			 "holds the secret registered for client %s, and that "
			 "the registration uses %s",
			 m, cfg->client_secret_file, cfg->client_id, m);
		break;
	case CLIENT_AUTH_PRIVATE_KEY_JWT:
		if (client_key_load(cfg->client_key_file,
				    cfg->client_assertion_alg, &k,
				    &ignored) == OIDC_OK)
			snprintf(buf, len,
				 "client_auth = private_key_jwt: check that "
				 "client %s has the public key of %s "
				 "registered with kid %s and alg %s "
				 "(pam-oidc check prints the JWK)",
				 cfg->client_id, cfg->client_key_file, k->kid,
				 k->alg->name);
		else
			snprintf(buf, len,
				 "client_auth = private_key_jwt: check the "
				 "key registered for client %s",
				 cfg->client_id);
		client_key_free(k);
		break;
	case CLIENT_AUTH_TLS:
	case CLIENT_AUTH_SELF_SIGNED_TLS:
		if (tls_objects_load(cfg, &o, &ignored) != OIDC_OK) {
			snprintf(buf, len, "client_auth = %s", m);
			break;
		}
		name_text(X509_get_issuer_name(o.cert), issuer, sizeof(issuer));
		if (cfg->client_auth == CLIENT_AUTH_TLS)
			snprintf(buf, len,
				 "client_auth = tls_client_auth: check that "
				 "the provider trusts the issuer of the "
				 "certificate in %s (%s) and that its subject "
				 "matches the registration of client %s",
				 o.cert_path, issuer, cfg->client_id);
		else
			snprintf(buf, len,
				 "client_auth = self_signed_tls_client_auth: "
				 "check that the certificate in %s is in the "
				 "jwks registered for client %s (pam-oidc "
				 "check prints the JWK)",
				 o.cert_path, cfg->client_id);
		tls_objects_free(&o);
		break;
	}
}

int client_auth_refused(struct login *l, const char *what, json_object *doc)
{
	const char *desc = doc ? json_str(doc, "error_description") : NULL;
	char hint[1024];

	if (desc == NULL || !text_is_printable(desc, 120))
		desc = "";
	refusal_hint(l->cfg, hint, sizeof(hint));
	return oidc_fail(&l->err, OIDC_ECONFIG,
			 "%s: error invalid_client%s%s (%s)", what,
			 desc[0] ? ": " : "", desc, hint);
}

/* ------------------------------------------------------------------------ */
/* pam-oidc check                                                           */

static void warn(struct strbuf *out, unsigned *warnings, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void warn(struct strbuf *out, unsigned *warnings, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	sb_add(out, "warning: ");
	sb_add(out, line);
	sb_addc(out, '\n');
	if (warnings != NULL)
		(*warnings)++;
}

/* 1 listed, 0 not listed, -1 the member is absent or not an array. */
static int doc_lists(json_object *doc, const char *member, const char *value)
{
	json_object *arr;
	size_t i, n;

	if (doc == NULL || !json_object_object_get_ex(doc, member, &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return -1;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(arr, i);

		if (json_object_is_type(v, json_type_string) &&
		    strcmp(json_object_get_string(v), value) == 0)
			return 1;
	}
	return 0;
}

static void describe_advertised(const struct oidc_config *cfg, json_object *doc,
				struct strbuf *out, unsigned *warnings)
{
	const char *m = client_auth_name(cfg->client_auth);
	int listed;

	if (doc == NULL) {
		sb_addf(out, "  provider support: not checked (no discovery "
			     "document)\n");
		return;
	}
	listed = doc_lists(doc, "token_endpoint_auth_methods_supported", m);
	if (listed == 1) {
		sb_addf(out,
			"  provider support: %s is listed in "
			"token_endpoint_auth_methods_supported\n",
			m);
	} else if (listed == 0) {
		warn(out, warnings,
		     "the provider does not list %s in "
		     "token_endpoint_auth_methods_supported: the client "
		     "registration and client_auth must use the same method",
		     m);
	} else if (cfg->client_auth == CLIENT_AUTH_SECRET_BASIC) {
		sb_addf(out, "  provider support: no "
			     "token_endpoint_auth_methods_supported; its "
			     "default is client_secret_basic\n");
	} else {
		warn(out, warnings,
		     "the provider publishes no "
		     "token_endpoint_auth_methods_supported (the default is "
		     "client_secret_basic only); make sure it accepts %s",
		     m);
	}
}

static void describe_aliases(json_object *doc, struct strbuf *out)
{
	size_t i;
	bool any = false;

	for (i = 0; doc != NULL && alias_members[i] != NULL; i++) {
		const char *v = alias_in(doc, alias_members[i]);

		if (v == NULL)
			continue;
		if (!any)
			sb_add(out, "  mtls_endpoint_aliases (used):\n");
		any = true;
		sb_addf(out, "    %s: %s\n", alias_members[i], v);
	}
	if (!any && doc != NULL)
		sb_add(out, "  mtls_endpoint_aliases: none (the regular "
			    "endpoints are used)\n");
}

static void name_text(const X509_NAME *name, char *buf, size_t len)
{
	BIO *b = BIO_new(BIO_s_mem());
	BUF_MEM *bm = NULL;

	snprintf(buf, len, "(unreadable)");
	if (b == NULL)
		return;
	/* RFC 2253 form; control and non-ASCII bytes escaped. */
	if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) >= 0 &&
	    BIO_get_mem_ptr(b, &bm) == 1 && bm != NULL)
		snprintf(buf, len, "%.*s", (int)bm->length, bm->data);
	BIO_free(b);
}

static int describe_cert(const struct oidc_config *cfg, json_object *doc,
			 struct strbuf *out, unsigned *warnings,
			 struct oidc_err *e)
{
	struct tls_objects o;
	char text[512], from[64], until[64];
	BIGNUM *serial = NULL;
	char *hex = NULL;
	int days, rc;

	rc = tls_objects_load(cfg, &o, e);
	if (rc != OIDC_OK)
		return rc;
	sb_addf(out, "  certificate: %s %s\n", o.cert_what, o.cert_path);
	name_text(X509_get_subject_name(o.cert), text, sizeof(text));
	sb_addf(out, "    subject: %s\n", text);
	name_text(X509_get_issuer_name(o.cert), text, sizeof(text));
	sb_addf(out, "    issuer:  %s\n", text);
	serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(o.cert), NULL);
	hex = serial != NULL ? BN_bn2hex(serial) : NULL;
	if (hex != NULL)
		sb_addf(out, "    serial:  %s\n", hex);
	asn1_time_text(X509_get0_notBefore(o.cert), from, sizeof(from));
	asn1_time_text(X509_get0_notAfter(o.cert), until, sizeof(until));
	days = days_until(X509_get0_notAfter(o.cert));
	sb_addf(out, "    valid:   %s to %s (%d day%s left)\n", from, until,
		days, days == 1 ? "" : "s");
	pkey_type(o.pkey, text, sizeof(text));
	sb_addf(out, "    key:     %s, matches the certificate\n", text);
	if (o.chain != NULL && sk_X509_num(o.chain) > 0)
		sb_addf(out, "    chain:   %d CA certificate%s sent with it\n",
			sk_X509_num(o.chain),
			sk_X509_num(o.chain) == 1 ? "" : "s");
	else
		sb_add(out, "    chain:   the certificate alone (no CA "
			    "certificate in the file)\n");
	if (days < CERT_WARN_DAYS)
		warn(out, warnings,
		     "the client certificate expires in %d day%s (%s): renew "
		     "it before then, or logins will stop",
		     days, days == 1 ? "" : "s", until);
	if (cfg->client_auth == CLIENT_AUTH_SELF_SIGNED_TLS) {
		char kid[48];
		char *jwk = NULL;

		if (thumbprint(o.pkey, kid, sizeof(kid)) == 0)
			jwk = public_jwk(o.pkey, kid, NULL, o.cert);
		if (jwk != NULL)
			sb_addf(out,
				"  register this key (with its certificate) "
				"in the client's jwks at the provider:\n"
				"    %s\n",
				jwk);
		free(jwk);
	}
	describe_aliases(doc, out);
	OPENSSL_free(hex);
	BN_free(serial);
	tls_objects_free(&o);
	return OIDC_OK;
}

static int describe_key(const struct oidc_config *cfg, json_object *doc,
			struct strbuf *out, unsigned *warnings,
			struct oidc_err *e)
{
	struct client_key *k = NULL;
	char type[64];
	char *jwk;
	int listed, rc;

	rc = client_key_load(cfg->client_key_file, cfg->client_assertion_alg,
			     &k, e);
	if (rc != OIDC_OK)
		return rc;
	client_key_type(k, type, sizeof(type));
	sb_addf(out, "  client_key_file: %s (%s)\n", cfg->client_key_file,
		type);
	sb_addf(out, "  assertion: alg %s, kid %s, lifetime %d s, aud %s\n",
		k->alg->name, k->kid, ASSERTION_LIFETIME,
		cfg->assertion_audience == AUD_ISSUER ? "the issuer"
						      : "the token endpoint");
	jwk = client_key_public_jwk(k);
	if (jwk != NULL)
		sb_addf(out,
			"  register this public key in the client's jwks at "
			"the provider:\n    %s\n",
			jwk);
	free(jwk);
	listed =
	    doc_lists(doc, "token_endpoint_auth_signing_alg_values_supported",
		      k->alg->name);
	if (listed == 1)
		sb_addf(out,
			"  provider support: %s is listed in "
			"token_endpoint_auth_signing_alg_values_supported\n",
			k->alg->name);
	else if (listed == 0)
		warn(out, warnings,
		     "the provider does not list %s in "
		     "token_endpoint_auth_signing_alg_values_supported (fix: "
		     "set client_assertion_alg to one it lists)",
		     k->alg->name);
	client_key_free(k);
	return OIDC_OK;
}

int client_auth_describe(const struct oidc_config *cfg,
			 json_object *discovery_doc, struct strbuf *out,
			 unsigned *warnings, struct oidc_err *e)
{
	struct secret s = {0};
	int rc = OIDC_OK;

	if (warnings != NULL)
		*warnings = 0;
	sb_addf(out, "client_auth: %s (client_id %s)\n",
		client_auth_name(cfg->client_auth), cfg->client_id);
	switch (cfg->client_auth) {
	case CLIENT_AUTH_NONE:
		sb_add(out, "  public client: no client credential is sent\n");
		break;
	case CLIENT_AUTH_SECRET_BASIC:
	case CLIENT_AUTH_SECRET_POST:
		rc = secret_read(cfg->client_secret_file, "client_secret_file",
				 SECRET_TEXT_MAX, SECRET_LINE, &s, e);
		if (rc != OIDC_OK)
			break;
		/* Not even its length is shown. */
		sb_addf(out,
			"  client_secret_file: %s (root-owned, mode 0600 or "
			"stricter, one line: readable)\n",
			cfg->client_secret_file);
		sb_addf(out, "  the secret is sent %s\n",
			cfg->client_auth == CLIENT_AUTH_SECRET_BASIC
			    ? "in the Authorization header (HTTP Basic)"
			    : "in the request body");
		secret_free(&s);
		break;
	case CLIENT_AUTH_PRIVATE_KEY_JWT:
		rc = describe_key(cfg, discovery_doc, out, warnings, e);
		break;
	case CLIENT_AUTH_TLS:
	case CLIENT_AUTH_SELF_SIGNED_TLS:
		rc = describe_cert(cfg, discovery_doc, out, warnings, e);
		break;
	}
	if (rc == OIDC_OK)
		describe_advertised(cfg, discovery_doc, out, warnings);
	if (out->failed && rc == OIDC_OK)
		rc = oidc_fail(e, OIDC_EINTERNAL, "out of memory");
	return rc;
}
