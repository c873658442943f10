/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for helper/clientauth.c and helper/secrets.c: the
 * client_secret_basic encoding (the vector of RFC 6749 §2.3.1 done right),
 * private_key_jwt assertions (claims, lifetime, kid, signature checked with
 * the project's own JWS verifier, jti uniqueness), the secret file rules,
 * client certificates (PEM pair and PKCS#12), mtls_endpoint_aliases, and
 * what pam-oidc check prints.
 *
 * Keys and certificates are made here with OpenSSL.  The file rules need
 * root (files owned by root, chown to another user): without root those
 * tests are skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "../../helper/clientauth.h"
#include "../../helper/config.h"
#include "../../helper/jose.h"
#include "../../helper/json.h"
#include "../../helper/login.h"
#include "../../helper/oauth.h"
#include "../../helper/secrets.h"

#define CLIENT_ID "ws-confidential"
#define ISSUER "https://idp.example.org/realms/clinical"
#define TOKEN_EP "https://idp.example.org/realms/clinical/token"

static char dir[] = "/tmp/test_clientauth.XXXXXX";

/* ------------------------------------------------------------------------ */
/* helpers                                                                  */

static bool is_root(void)
{
	return geteuid() == 0;
}

#define NEED_ROOT()                                                            \
	do {                                                                   \
		if (!is_root()) {                                              \
			print_message("skipped: needs root (root-owned "       \
				      "files)\n");                             \
			skip();                                                \
		}                                                              \
	} while (0)

static char *path_of(const char *name)
{
	static char buf[8][512];
	static int next;
	char *p = buf[next++ % 8];

	snprintf(p, sizeof(buf[0]), "%s/%s", dir, name);
	return p;
}

static const char *write_file(const char *name, const void *data, size_t len,
			      mode_t mode)
{
	const char *p = path_of(name);
	FILE *f;

	unlink(p);
	f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(p, mode), 0);
	return p;
}

static const char *write_text(const char *name, const char *text, mode_t mode)
{
	return write_file(name, text, strlen(text), mode);
}

static EVP_PKEY *keygen(const char *type, const char *param)
{
	EVP_PKEY *k;

	if (strcmp(type, "RSA") == 0)
		k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA",
				      (size_t)strtoul(param, NULL, 10));
	else
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", param);
	assert_non_null(k);
	return k;
}

/* Write k as an unencrypted PKCS#8 PEM, mode 0600. */
static const char *write_key(const char *name, EVP_PKEY *k)
{
	BIO *b = BIO_new(BIO_s_mem());
	BUF_MEM *bm;
	const char *p;

	assert_non_null(b);
	assert_int_equal(
	    PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL), 1);
	BIO_get_mem_ptr(b, &bm);
	p = write_file(name, bm->data, bm->length, 0600);
	BIO_free(b);
	return p;
}

/* A certificate for k, signed by issuer_key (self-signed when NULL), valid
 * from now + from_days to now + to_days. */
static X509 *make_cert(EVP_PKEY *k, const char *cn, EVP_PKEY *issuer_key,
		       X509 *issuer, long from_days, long to_days)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();

	assert_non_null(x);
	assert_non_null(name);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 4242);
	X509_gmtime_adj(X509_getm_notBefore(x), from_days * 86400);
	X509_gmtime_adj(X509_getm_notAfter(x), to_days * 86400);
	X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC,
				   (const unsigned char *)"AU", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
				   (const unsigned char *)"Example Hospital",
				   -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				   (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
	X509_set_pubkey(x, k);
	assert_true(X509_sign(x, issuer_key ? issuer_key : k, EVP_sha256()) >
		    0);
	X509_NAME_free(name);
	return x;
}

static const char *write_cert(const char *name, X509 *x, mode_t mode)
{
	BIO *b = BIO_new(BIO_s_mem());
	BUF_MEM *bm;
	const char *p;

	assert_int_equal(PEM_write_bio_X509(b, x), 1);
	BIO_get_mem_ptr(b, &bm);
	p = write_file(name, bm->data, bm->length, mode);
	BIO_free(b);
	return p;
}

static void cfg_init(struct oidc_config *cfg)
{
	struct oidc_err e;

	oidc_err_clear(&e);
	assert_int_equal(config_defaults(cfg, &e), OIDC_OK);
	free(cfg->issuer);
	free(cfg->client_id);
	cfg->issuer = strdup(ISSUER);
	cfg->client_id = strdup(CLIENT_ID);
}

static void cfg_set(char **field, const char *value)
{
	free(*field);
	*field = value ? strdup(value) : NULL;
}

/* A login with a parsed discovery document (doc_text may be NULL). */
static void login_setup(struct login *l, struct oidc_config *cfg,
			const char *doc_text)
{
	struct oidc_err e;

	memset(l, 0, sizeof(*l));
	l->cfg = cfg;
	oidc_err_clear(&l->err);
	if (doc_text != NULL) {
		oidc_err_clear(&e);
		assert_int_equal(json_parse_object(doc_text, strlen(doc_text),
						   "discovery", &l->disco.doc,
						   &e),
				 OIDC_OK);
		l->disco.issuer = json_str(l->disco.doc, "issuer");
		l->disco.token_endpoint =
		    json_str(l->disco.doc, "token_endpoint");
		l->disco.device_authorization_endpoint =
		    json_str(l->disco.doc, "device_authorization_endpoint");
	}
}

static void login_teardown(struct login *l)
{
	if (l->disco.doc != NULL)
		json_object_put(l->disco.doc);
	memset(l, 0, sizeof(*l));
}

/* The value of name in a form body (URL-decoded), malloc'd, or NULL. */
static char *form_value(const char *form, const char *name)
{
	size_t n = strlen(name);
	const char *p = form;

	while (p != NULL && *p != '\0') {
		const char *end = strchr(p, '&');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len > n && strncmp(p, name, n) == 0 && p[n] == '=') {
			char *out = malloc(len - n);
			size_t i, o = 0;

			assert_non_null(out);
			for (i = n + 1; i < len; i++) {
				if (p[i] == '+') {
					out[o++] = ' ';
				} else if (p[i] == '%' && i + 2 < len + 1) {
					char hex[3] = {p[i + 1], p[i + 2], 0};

					out[o++] = (char)strtol(hex, NULL, 16);
					i += 2;
				} else {
					out[o++] = p[i];
				}
			}
			out[o] = '\0';
			return out;
		}
		p = end ? end + 1 : NULL;
	}
	return NULL;
}

static int group_setup(void **state)
{
	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ------------------------------------------------------------------------ */
/* client_secret_basic                                                      */

static void test_basic_vector(void **state)
{
	char *h;

	(void)state;
	/* Each part form-urlencoded before base64 (RFC 6749 §2.3.1): '/' ->
	 * %2F, ' ' -> '+', '+' -> %2B, ':' -> %3A, '=' -> %3D. */
	h = client_secret_basic_header(
	    "1PpG/Q 1", "z/tZ9VwFZqApmIQ+ZH1I5pLk/uB4ud:X2/8bL+wfFTt1rFw=");
	assert_non_null(h);
	assert_string_equal(
	    h, "Basic MVBwRyUyRlErMTp6JTJGdFo5VndGWnFBcG1JUSUyQlpIMUk1cExr"
	       "JTJGdUI0dWQlM0FYMiUyRjhiTCUyQndmRlR0MXJGdyUzRA==");
	secure_free(h);

	/* RFC 7617's own example, which needs no encoding. */
	h = client_secret_basic_header("Aladdin", "open sesame");
	assert_non_null(h);
	assert_string_equal(h, "Basic QWxhZGRpbjpvcGVuK3Nlc2FtZQ==");
	secure_free(h);
}

/* ------------------------------------------------------------------------ */
/* secret files                                                             */

static int read_secret(const char *path, size_t max, unsigned flags,
		       struct secret *s, struct oidc_err *e)
{
	oidc_err_clear(e);
	return secret_read(path, "client_secret_file", max, flags, s, e);
}

static void test_secret_ok(void **state)
{
	struct secret s;
	struct oidc_err e;
	const char *p;

	(void)state;
	NEED_ROOT();
	p = write_text("secret-ok", "s3cret value/+:=\n", 0600);
	assert_int_equal(read_secret(p, SECRET_TEXT_MAX, SECRET_LINE, &s, &e),
			 OIDC_OK);
	assert_int_equal(s.len, 16);
	assert_string_equal((char *)s.data, "s3cret value/+:=");
	secret_free(&s);
	assert_null(s.data);

	p = write_text("secret-crlf", "abc\r\n", 0400);
	assert_int_equal(read_secret(p, SECRET_TEXT_MAX, SECRET_LINE, &s, &e),
			 OIDC_OK);
	assert_string_equal((char *)s.data, "abc");
	secret_free(&s);

	/* Exactly at the cap is fine. */
	{
		char big[SECRET_TEXT_MAX];

		memset(big, 'x', sizeof(big));
		p = write_file("secret-cap", big, sizeof(big), 0600);
		assert_int_equal(
		    read_secret(p, SECRET_TEXT_MAX, SECRET_LINE, &s, &e),
		    OIDC_OK);
		assert_int_equal(s.len, SECRET_TEXT_MAX);
		secret_free(&s);
	}
}

static void test_secret_mode_refused(void **state)
{
	struct secret s;
	struct oidc_err e;
	const char *p;

	(void)state;
	NEED_ROOT();
	p = write_text("secret-0644", "s3cret\n", 0644);
	assert_int_equal(read_secret(p, SECRET_TEXT_MAX, SECRET_LINE, &s, &e),
			 OIDC_ECONFIG);
	assert_null(s.data);
	assert_non_null(strstr(e.reason, p));
	assert_non_null(strstr(e.reason, "mode 0644"));
	assert_non_null(strstr(e.reason, "chmod 0600"));
	assert_null(strstr(e.reason, "s3cret"));

	p = write_text("secret-0640", "s3cret\n", 0640);
	assert_int_equal(read_secret(p, SECRET_TEXT_MAX, SECRET_LINE, &s, &e),
			 OIDC_ECONFIG);
	assert_non_null(strstr(e.reason, "mode 0640"));

	p = write_text("secret-0604", "s3cret\n", 0604);
	assert_int_equal(read_secret(p, SECRET_TEXT_MAX, SECRET_LINE, &s, &e),
			 OIDC_ECONFIG);
}

static void test_secret_owner_refused(void **state)
{
	struct secret s;
	struct oidc_err e;
	const char *p;

	(void)state;
	NEED_ROOT();
	p = write_text("secret-nobody", "s3cret\n", 0600);
	assert_int_equal(chown(p, 65534, 65534), 0);
	assert_int_equal(read_secret(p, SECRET_TEXT_MAX, SECRET_LINE, &s, &e),
			 OIDC_ECONFIG);
	assert_non_null(strstr(e.reason, "owned by uid 65534, not root"));
	assert_non_null(strstr(e.reason, "chown root:root"));
	assert_non_null(strstr(e.reason, p));
}

static void test_secret_symlink_refused(void **state)
{
	struct secret s;
	struct oidc_err e;
	const char *target, *link;

	(void)state;
	NEED_ROOT();
	target = write_text("secret-target", "s3cret\n", 0600);
	link = path_of("secret-link");
	unlink(link);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(
	    read_secret(link, SECRET_TEXT_MAX, SECRET_LINE, &s, &e),
	    OIDC_ECONFIG);
	assert_non_null(strstr(e.reason, "is a symbolic link"));
	assert_non_null(strstr(e.reason, link));
	/* the target itself is fine */
	assert_int_equal(
	    read_secret(target, SECRET_TEXT_MAX, SECRET_LINE, &s, &e), OIDC_OK);
	secret_free(&s);
}

static void test_secret_size_refused(void **state)
{
	char big[SECRET_TEXT_MAX + 1];
	struct secret s;
	struct oidc_err e;
	const char *p;

	(void)state;
	NEED_ROOT();
	memset(big, 'x', sizeof(big));
	p = write_file("secret-big", big, sizeof(big), 0600);
	assert_int_equal(read_secret(p, SECRET_TEXT_MAX, SECRET_LINE, &s, &e),
			 OIDC_ECONFIG);
	assert_non_null(strstr(e.reason, "more than the 4096"));
	assert_null(s.data);

	p = write_text("secret-empty", "", 0600);
	assert_int_equal(read_secret(p, SECRET_TEXT_MAX, SECRET_LINE, &s, &e),
			 OIDC_ECONFIG);
	assert_non_null(strstr(e.reason, "is empty"));

	p = write_text("secret-newline", "\n", 0600);
	assert_int_equal(read_secret(p, SECRET_TEXT_MAX, SECRET_LINE, &s, &e),
			 OIDC_ECONFIG);
	assert_non_null(strstr(e.reason, "is empty"));

	p = write_text("secret-2lines", "alpha\nbeta\n", 0600);
	assert_int_equal(read_secret(p, SECRET_TEXT_MAX, SECRET_LINE, &s, &e),
			 OIDC_ECONFIG);
	assert_non_null(strstr(e.reason, "more than one line"));
	assert_null(strstr(e.reason, "alpha"));
}

static void test_secret_other_refusals(void **state)
{
	struct secret s;
	struct oidc_err e;
	const char *p;

	(void)state;
	NEED_ROOT();
	assert_int_equal(read_secret(path_of("no-such-file"), SECRET_TEXT_MAX,
				     SECRET_LINE, &s, &e),
			 OIDC_ECONFIG);
	assert_non_null(strstr(e.reason, "cannot be opened"));

	assert_int_equal(read_secret(dir, SECRET_TEXT_MAX, 0, &s, &e),
			 OIDC_ECONFIG);
	assert_non_null(strstr(e.reason, "not a regular file"));

	assert_int_equal(
	    read_secret("relative/path", SECRET_TEXT_MAX, 0, &s, &e),
	    OIDC_ECONFIG);

	/* A certificate may be world-readable, never writable. */
	p = write_text("cert-0644", "-----BEGIN CERTIFICATE-----\n", 0644);
	assert_int_equal(read_secret(p, SECRET_FILE_MAX, SECRET_PUBLIC, &s, &e),
			 OIDC_OK);
	secret_free(&s);
	p = write_text("cert-0664", "-----BEGIN CERTIFICATE-----\n", 0664);
	assert_int_equal(read_secret(p, SECRET_FILE_MAX, SECRET_PUBLIC, &s, &e),
			 OIDC_ECONFIG);
	assert_non_null(strstr(e.reason, "may change it"));
	assert_non_null(strstr(e.reason, "chmod 0644"));
}

/* ------------------------------------------------------------------------ */
/* private_key_jwt                                                          */

static struct client_key *load_key(const char *path, const char *alg)
{
	struct client_key *k = NULL;
	struct oidc_err e;

	oidc_err_clear(&e);
	if (client_key_load(path, alg, &k, &e) != OIDC_OK) {
		print_error("key refused: %s\n", e.reason);
		fail();
	}
	return k;
}

/* Base64url of SHA-256 over the RFC 7638 members of a public JWK, built
 * here from the JWK the key reports (independently of clientauth.c). */
static char *rfc7638(json_object *jwk)
{
	const char *kty = json_str(jwk, "kty");
	unsigned char md[SHA256_DIGEST_LENGTH];
	char canon[2048];

	if (strcmp(kty, "RSA") == 0)
		snprintf(canon, sizeof(canon),
			 "{\"e\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\"}",
			 json_str(jwk, "e"), json_str(jwk, "n"));
	else
		snprintf(canon, sizeof(canon),
			 "{\"crv\":\"%s\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":"
			 "\"%s\"}",
			 json_str(jwk, "crv"), json_str(jwk, "x"),
			 json_str(jwk, "y"));
	SHA256((const unsigned char *)canon, strlen(canon), md);
	return b64url_encode(md, sizeof(md));
}

/* Make an assertion with k and check everything a provider checks. */
static void check_assertion(struct client_key *k, const char *want_alg)
{
	const char *allowed[2] = {want_alg, NULL};
	struct jwk_set *set = NULL;
	struct jws *jws = NULL;
	struct oidc_err e;
	json_object *jwk;
	char *compact = NULL, *jwk_text, *jwks, *thumb;
	time_t now = time(NULL);
	int64_t iat, exp;
	size_t jwks_len;
	const char *jti;
	unsigned char *raw;
	size_t rawlen;

	assert_string_equal(client_key_alg(k), want_alg);
	oidc_err_clear(&e);
	assert_int_equal(
	    client_assertion_make(k, CLIENT_ID, TOKEN_EP, now, &compact, &e),
	    OIDC_OK);
	assert_int_equal(jws_parse(compact, strlen(compact), &jws, &e),
			 OIDC_OK);

	/* header */
	assert_string_equal(json_str(jws->header, "alg"), want_alg);
	assert_string_equal(json_str(jws->header, "typ"), "JWT");
	assert_string_equal(json_str(jws->header, "kid"), client_key_kid(k));

	/* claims */
	assert_string_equal(json_str(jws->payload, "iss"), CLIENT_ID);
	assert_string_equal(json_str(jws->payload, "sub"), CLIENT_ID);
	assert_string_equal(json_str(jws->payload, "aud"), TOKEN_EP);
	assert_int_equal(json_int64(jws->payload, "iat", &iat), 0);
	assert_int_equal(json_int64(jws->payload, "exp", &exp), 0);
	assert_int_equal(iat, (int64_t)now);
	assert_true(exp > iat);
	assert_true(exp - iat <= 300);
	jti = json_str(jws->payload, "jti");
	assert_non_null(jti);
	assert_int_equal(b64url_decode(jti, strlen(jti), &raw, &rawlen), 0);
	assert_true(rawlen * 8 >= 128);
	free(raw);

	/* kid is the RFC 7638 thumbprint of the public JWK */
	jwk_text = client_key_public_jwk(k);
	assert_non_null(jwk_text);
	jwk = json_tokener_parse(jwk_text);
	assert_non_null(jwk);
	assert_null(json_str(jwk, "d")); /* public only */
	assert_string_equal(json_str(jwk, "kid"), client_key_kid(k));
	assert_string_equal(json_str(jwk, "alg"), want_alg);
	assert_string_equal(json_str(jwk, "use"), "sig");
	thumb = rfc7638(jwk);
	assert_string_equal(thumb, client_key_kid(k));
	free(thumb);
	json_object_put(jwk);

	/* the signature verifies with the public key, and only with it */
	jwks_len = strlen(jwk_text) + 16;
	jwks = malloc(jwks_len);
	assert_non_null(jwks);
	snprintf(jwks, jwks_len, "{\"keys\":[%s]}", jwk_text);
	assert_int_equal(jwks_parse(jwks, strlen(jwks), &set, &e), OIDC_OK);
	if (jws_verify(jws, set, allowed, &e) != OIDC_OK) {
		print_error("assertion does not verify: %s\n", e.reason);
		fail();
	}
	jws->sig[jws->sig_len / 2] ^= 0x01;
	oidc_err_clear(&e);
	assert_int_equal(jws_verify(jws, set, allowed, &e), OIDC_EREJECT);

	jwks_free(set);
	jws_free(jws);
	free(jwks);
	free(jwk_text);
	secure_free(compact);
}

static void test_assertion_es384(void **state)
{
	EVP_PKEY *pk;
	struct client_key *k;

	(void)state;
	NEED_ROOT();
	pk = keygen("EC", "P-384");
	k = load_key(write_key("ec384.key", pk), NULL); /* default: ES384 */
	check_assertion(k, "ES384");
	client_key_free(k);
	EVP_PKEY_free(pk);
}

static void test_assertion_rsa(void **state)
{
	EVP_PKEY *pk;
	struct client_key *k;
	const char *p;

	(void)state;
	NEED_ROOT();
	pk = keygen("RSA", "2048");
	p = write_key("rsa.key", pk);
	k = load_key(p, NULL); /* default: RS384 */
	check_assertion(k, "RS384");
	client_key_free(k);
	k = load_key(p, "RS256");
	check_assertion(k, "RS256");
	client_key_free(k);
	k = load_key(p, "PS256");
	check_assertion(k, "PS256");
	client_key_free(k);
	EVP_PKEY_free(pk);
}

static void test_assertion_es256(void **state)
{
	EVP_PKEY *pk;
	struct client_key *k;

	(void)state;
	NEED_ROOT();
	pk = keygen("EC", "P-256");
	k = load_key(write_key("ec256.key", pk), NULL); /* only ES256 fits */
	check_assertion(k, "ES256");
	client_key_free(k);
	EVP_PKEY_free(pk);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_jti_unique(void **state)
{
	enum { N = 10000 };
	char **jtis = calloc(N, sizeof(char *));
	struct client_key *k;
	EVP_PKEY *pk;
	struct oidc_err e;
	size_t i;

	(void)state;
	NEED_ROOT();
	assert_non_null(jtis);
	pk = keygen("EC", "P-256");
	k = load_key(write_key("jti.key", pk), NULL);
	for (i = 0; i < N; i++) {
		char *compact = NULL;
		struct jws *jws = NULL;

		oidc_err_clear(&e);
		assert_int_equal(client_assertion_make(k, CLIENT_ID, TOKEN_EP,
						       time(NULL), &compact,
						       &e),
				 OIDC_OK);
		assert_int_equal(jws_parse(compact, strlen(compact), &jws, &e),
				 OIDC_OK);
		jtis[i] = strdup(json_str(jws->payload, "jti"));
		assert_non_null(jtis[i]);
		jws_free(jws);
		secure_free(compact);
	}
	qsort(jtis, N, sizeof(char *), cmp_str);
	for (i = 1; i < N; i++)
		if (strcmp(jtis[i - 1], jtis[i]) == 0) {
			print_error("jti repeated: %s\n", jtis[i]);
			fail();
		}
	for (i = 0; i < N; i++)
		free(jtis[i]);
	free(jtis);
	client_key_free(k);
	EVP_PKEY_free(pk);
}

static void test_key_refusals(void **state)
{
	struct client_key *k = NULL;
	struct oidc_err e;
	EVP_PKEY *rsa, *ec256, *ec384, *small;
	const char *p;
	BIO *b;
	BUF_MEM *bm;

	(void)state;
	NEED_ROOT();
	rsa = keygen("RSA", "2048");
	ec256 = keygen("EC", "P-256");
	ec384 = keygen("EC", "P-384");
	small = keygen("RSA", "1024");

	p = write_key("rsa-alg.key", rsa);
	oidc_err_clear(&e);
	assert_int_equal(client_key_load(p, "ES384", &k, &e), OIDC_ECONFIG);
	assert_null(k);
	assert_non_null(strstr(e.reason, "ES384 does not fit the RSA 2048"));
	assert_non_null(strstr(e.reason, "ES384 needs an EC P-384 key"));

	p = write_key("ec256-alg.key", ec256);
	oidc_err_clear(&e);
	assert_int_equal(client_key_load(p, "ES384", &k, &e), OIDC_ECONFIG);
	assert_non_null(strstr(e.reason, "does not fit the EC P-256"));
	oidc_err_clear(&e);
	assert_int_equal(client_key_load(p, "RS384", &k, &e), OIDC_ECONFIG);

	p = write_key("ec384-alg.key", ec384);
	oidc_err_clear(&e);
	assert_int_equal(client_key_load(p, "ES256", &k, &e), OIDC_ECONFIG);
	assert_non_null(strstr(e.reason, "ES256 needs an EC P-256 key"));

	p = write_key("rsa1024.key", small);
	oidc_err_clear(&e);
	assert_int_equal(client_key_load(p, NULL, &k, &e), OIDC_ECONFIG);
	assert_non_null(strstr(e.reason, "RSA 1024 bits key"));

	/* an encrypted key: refused with the command that decrypts it */
	b = BIO_new(BIO_s_mem());
	assert_int_equal(PEM_write_bio_PKCS8PrivateKey(b, ec384,
						       EVP_aes_256_cbc(),
						       "pass", 4, NULL, NULL),
			 1);
	BIO_get_mem_ptr(b, &bm);
	p = write_file("encrypted.key", bm->data, bm->length, 0600);
	BIO_free(b);
	oidc_err_clear(&e);
	assert_int_equal(client_key_load(p, NULL, &k, &e), OIDC_ECONFIG);
	assert_non_null(strstr(e.reason, "is encrypted"));
	assert_non_null(strstr(e.reason, "openssl pkey -in"));

	p = write_text("garbage.key", "not a key\n", 0600);
	oidc_err_clear(&e);
	assert_int_equal(client_key_load(p, NULL, &k, &e), OIDC_ECONFIG);
	assert_non_null(strstr(e.reason, "holds no PEM private key"));

	/* the key file is a secret file */
	p = write_key("rsa-0644.key", rsa);
	assert_int_equal(chmod(p, 0644), 0);
	oidc_err_clear(&e);
	assert_int_equal(client_key_load(p, NULL, &k, &e), OIDC_ECONFIG);
	assert_non_null(strstr(e.reason, "client_key_file"));
	assert_non_null(strstr(e.reason, "chmod 0600"));

	EVP_PKEY_free(rsa);
	EVP_PKEY_free(ec256);
	EVP_PKEY_free(ec384);
	EVP_PKEY_free(small);
}

/* ------------------------------------------------------------------------ */
/* client_auth_apply: what each method puts on a request                   */

static const char disco_text[] =
    "{\"issuer\":\"" ISSUER "\",\"token_endpoint\":\"" TOKEN_EP "\","
    "\"device_authorization_endpoint\":\"" ISSUER "/device\","
    "\"revocation_endpoint\":\"" ISSUER "/revoke\","
    "\"jwks_uri\":\"" ISSUER "/jwks\","
    "\"token_endpoint_auth_methods_supported\":[\"client_secret_basic\","
    "\"private_key_jwt\",\"tls_client_auth\"],"
    "\"token_endpoint_auth_signing_alg_values_supported\":[\"RS256\","
    "\"ES256\"],"
    "\"mtls_endpoint_aliases\":{\"token_endpoint\":"
    "\"https://mtls.idp.example.org/token\","
    "\"device_authorization_endpoint\":"
    "\"https://mtls.idp.example.org/device\","
    "\"revocation_endpoint\":\"http://mtls.idp.example.org/revoke\"}}";

static void test_apply_secrets(void **state)
{
	struct oidc_config cfg;
	struct login l;
	char *form = NULL, *auth = NULL, *v;
	const char *p;

	(void)state;
	NEED_ROOT();
	cfg_init(&cfg);
	p = write_text("apply-secret",
		       "z/tZ9VwFZqApmIQ+ZH1I5pLk/uB4ud:X2/8bL+"
		       "wfFTt1rFw=\n",
		       0600);
	cfg_set(&cfg.client_secret_file, p);
	cfg_set(&cfg.client_id, "1PpG/Q 1");
	login_setup(&l, &cfg, disco_text);

	/* client_secret_basic: the header only, nothing secret in the body */
	cfg.client_auth = CLIENT_AUTH_SECRET_BASIC;
	assert_int_equal(http_form_add(&form, "grant_type", "x"), 0);
	assert_int_equal(client_auth_apply(&l, TOKEN_EP, &form, &auth),
			 OIDC_OK);
	assert_non_null(auth);
	assert_string_equal(
	    auth, "Basic MVBwRyUyRlErMTp6JTJGdFo5VndGWnFBcG1JUSUyQlpIMUk1"
		  "cExrJTJGdUI0dWQlM0FYMiUyRjhiTCUyQndmRlR0MXJGdyUzRA==");
	assert_string_equal(form, "grant_type=x");
	secure_free(auth);
	secure_free(form);
	form = NULL;

	/* client_secret_post: in the body, no header */
	cfg.client_auth = CLIENT_AUTH_SECRET_POST;
	assert_int_equal(client_auth_apply(&l, TOKEN_EP, &form, &auth),
			 OIDC_OK);
	assert_null(auth);
	v = form_value(form, "client_secret");
	assert_non_null(v);
	assert_string_equal(v,
			    "z/tZ9VwFZqApmIQ+ZH1I5pLk/uB4ud:X2/8bL+wfFTt1rFw=");
	free(v);
	v = form_value(form, "client_id");
	assert_string_equal(v, "1PpG/Q 1");
	free(v);
	secure_free(form);
	form = NULL;

	/* a secret file of mode 0644 stops the request: a config error */
	assert_int_equal(chmod(p, 0644), 0);
	assert_int_equal(client_auth_apply(&l, TOKEN_EP, &form, &auth),
			 OIDC_ECONFIG);
	assert_null(auth);
	assert_non_null(strstr(l.err.reason, "client_secret_file"));
	assert_non_null(strstr(l.err.reason, "chmod 0600"));
	secure_free(form);

	login_teardown(&l);
	config_free(&cfg);
}

static void test_apply_private_key_jwt(void **state)
{
	struct oidc_config cfg;
	struct login l;
	struct jws *jws = NULL;
	struct oidc_err e;
	char *form = NULL, *auth = NULL, *v;
	EVP_PKEY *pk;

	(void)state;
	NEED_ROOT();
	cfg_init(&cfg);
	pk = keygen("EC", "P-384");
	cfg_set(&cfg.client_key_file, write_key("apply.key", pk));
	cfg.client_auth = CLIENT_AUTH_PRIVATE_KEY_JWT;
	login_setup(&l, &cfg, disco_text);

	assert_int_equal(client_auth_apply(&l, ISSUER "/device", &form, &auth),
			 OIDC_OK);
	assert_null(auth);
	v = form_value(form, "client_assertion_type");
	assert_string_equal(
	    v, "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
	free(v);
	v = form_value(form, "client_assertion");
	assert_non_null(v);
	oidc_err_clear(&e);
	assert_int_equal(jws_parse(v, strlen(v), &jws, &e), OIDC_OK);
	/* the token endpoint by default, also for the device endpoint */
	assert_string_equal(json_str(jws->payload, "aud"), TOKEN_EP);
	jws_free(jws);
	secure_free(v);
	secure_free(form);
	form = NULL;

	cfg.assertion_audience = AUD_ISSUER;
	assert_int_equal(client_auth_apply(&l, TOKEN_EP, &form, &auth),
			 OIDC_OK);
	v = form_value(form, "client_assertion");
	assert_int_equal(jws_parse(v, strlen(v), &jws, &e), OIDC_OK);
	assert_string_equal(json_str(jws->payload, "aud"), ISSUER);
	jws_free(jws);
	secure_free(v);
	secure_free(form);

	login_teardown(&l);
	config_free(&cfg);
	EVP_PKEY_free(pk);
}

static void test_mtls_aliases(void **state)
{
	struct oidc_config cfg;
	struct login l;

	(void)state;
	cfg_init(&cfg);
	login_setup(&l, &cfg, disco_text);

	/* not a certificate method: the regular endpoints */
	cfg.client_auth = CLIENT_AUTH_PRIVATE_KEY_JWT;
	assert_string_equal(mtls_alias(&l, "token_endpoint", TOKEN_EP),
			    TOKEN_EP);
	assert_string_equal(client_auth_endpoint(&l, TOKEN_EP), TOKEN_EP);

	cfg.client_auth = CLIENT_AUTH_TLS;
	assert_string_equal(mtls_alias(&l, "token_endpoint", TOKEN_EP),
			    "https://mtls.idp.example.org/token");
	assert_string_equal(client_auth_endpoint(&l, TOKEN_EP),
			    "https://mtls.idp.example.org/token");
	assert_string_equal(client_auth_endpoint(&l, ISSUER "/device"),
			    "https://mtls.idp.example.org/device");
	/* an alias that is not https is not used */
	assert_string_equal(client_auth_endpoint(&l, ISSUER "/revoke"),
			    ISSUER "/revoke");
	/* a URL the document does not name stays as it is */
	assert_string_equal(client_auth_endpoint(&l, ISSUER "/other"),
			    ISSUER "/other");
	cfg.client_auth = CLIENT_AUTH_SELF_SIGNED_TLS;
	assert_string_equal(
	    mtls_alias(&l, "device_authorization_endpoint", "x"),
	    "https://mtls.idp.example.org/device");
	login_teardown(&l);

	/* no aliases in the document */
	login_setup(&l, &cfg,
		    "{\"issuer\":\"" ISSUER "\",\"token_endpoint\":\"" TOKEN_EP
		    "\"}");
	assert_string_equal(client_auth_endpoint(&l, TOKEN_EP), TOKEN_EP);
	login_teardown(&l);
	config_free(&cfg);
}

static void test_refused_hints(void **state)
{
	static const char answer[] = "{\"error\":\"invalid_client\","
				     "\"error_description\":\"client "
				     "authentication failed\"}";
	struct oidc_config cfg;
	struct client_key *k;
	struct login l;
	json_object *doc = NULL;
	struct oidc_err e;
	EVP_PKEY *pk;
	char want[256];

	(void)state;
	NEED_ROOT();
	oidc_err_clear(&e);
	assert_int_equal(
	    json_parse_object(answer, strlen(answer), "answer", &doc, &e),
	    OIDC_OK);
	cfg_init(&cfg);
	login_setup(&l, &cfg, disco_text);

	/* a secret: the file is named, the secret is not */
	cfg.client_auth = CLIENT_AUTH_SECRET_POST;
	cfg_set(&cfg.client_secret_file,
		write_text("refused-secret", "NotInAnyMessage\n", 0600));
	assert_int_equal(client_auth_refused(&l, "token endpoint", doc),
			 OIDC_ECONFIG);
	assert_non_null(strstr(l.err.reason,
			       "token endpoint: error invalid_client: client "
			       "authentication failed (client_auth = "
			       "client_secret_post: check that "
			       "client_secret_file"));
	assert_non_null(strstr(l.err.reason, cfg.client_secret_file));
	assert_null(strstr(l.err.reason, "NotInAnyMessage"));

	/* a signing key: its kid and alg, to compare with the registration */
	oidc_err_clear(&l.err);
	cfg.client_auth = CLIENT_AUTH_PRIVATE_KEY_JWT;
	pk = keygen("EC", "P-256");
	cfg_set(&cfg.client_key_file, write_key("refused.key", pk));
	k = load_key(cfg.client_key_file, NULL);
	snprintf(want, sizeof(want), "registered with kid %s and alg ES256",
		 client_key_kid(k));
	assert_int_equal(client_auth_refused(&l, "device authorization", doc),
			 OIDC_ECONFIG);
	assert_non_null(strstr(l.err.reason, want));

	client_key_free(k);
	EVP_PKEY_free(pk);
	json_object_put(doc);
	login_teardown(&l);
	config_free(&cfg);
}

/* ------------------------------------------------------------------------ */
/* client certificates                                                      */

static int load_tls(struct oidc_config *cfg, struct tls_credential *c,
		    struct oidc_err *e)
{
	oidc_err_clear(e);
	return tls_credential_load(cfg, c, e);
}

static void test_tls_pem(void **state)
{
	struct oidc_config cfg;
	struct tls_credential c;
	struct oidc_err e;
	EVP_PKEY *ca_key, *key, *other;
	X509 *ca, *cert, *expired, *future;
	const char *cert_path;
	char chain[8192];
	FILE *f;
	size_t n;

	(void)state;
	NEED_ROOT();
	cfg_init(&cfg);
	cfg.client_auth = CLIENT_AUTH_TLS;
	ca_key = keygen("EC", "P-256");
	key = keygen("RSA", "2048");
	other = keygen("RSA", "2048");
	ca = make_cert(ca_key, "Example CA", NULL, NULL, -1, 365);
	cert = make_cert(key, "workstation.example.org", ca_key, ca, -1, 90);
	expired = make_cert(key, "old", ca_key, ca, -30, -1);
	future = make_cert(key, "future", ca_key, ca, 2, 30);

	/* leaf + issuing CA in one file: both are sent */
	cert_path = write_cert("client.pem", cert, 0644);
	f = fopen(cert_path, "ab");
	assert_non_null(f);
	assert_int_equal(PEM_write_X509(f, ca), 1);
	fclose(f);
	cfg_set(&cfg.client_cert_file, cert_path);
	cfg_set(&cfg.client_key_file, write_key("client.key", key));
	assert_int_equal(load_tls(&cfg, &c, &e), OIDC_OK);
	assert_non_null(c.cert_pem);
	assert_int_equal(strlen(c.cert_pem), c.cert_len);
	n = 0;
	for (const char *p = c.cert_pem;
	     (p = strstr(p, "BEGIN CERTIFICATE")) != NULL; p++)
		n++;
	assert_int_equal(n, 2);
	assert_non_null(strstr(c.key_pem, "BEGIN PRIVATE KEY"));
	assert_int_equal(strlen(c.key_pem), c.key_len);
	tls_credential_free(&c);
	assert_null(c.key_pem);
	(void)chain;

	/* expired */
	cfg_set(&cfg.client_cert_file,
		write_cert("expired.pem", expired, 0644));
	assert_int_equal(load_tls(&cfg, &c, &e), OIDC_ECONFIG);
	assert_non_null(strstr(e.reason, "expired on"));
	assert_non_null(strstr(e.reason, "expired.pem"));
	assert_null(c.key_pem);

	/* not valid yet */
	cfg_set(&cfg.client_cert_file, write_cert("future.pem", future, 0644));
	assert_int_equal(load_tls(&cfg, &c, &e), OIDC_ECONFIG);
	assert_non_null(strstr(e.reason, "is not valid before"));

	/* a key of another pair */
	cfg_set(&cfg.client_cert_file, cert_path);
	cfg_set(&cfg.client_key_file, write_key("other.key", other));
	assert_int_equal(load_tls(&cfg, &c, &e), OIDC_ECONFIG);
	assert_non_null(strstr(e.reason, "does not belong to the certificate"));

	/* a certificate anyone may replace */
	cfg_set(&cfg.client_key_file, path_of("client.key"));
	assert_int_equal(chmod(cert_path, 0666), 0);
	assert_int_equal(load_tls(&cfg, &c, &e), OIDC_ECONFIG);
	assert_non_null(strstr(e.reason, "client_cert_file"));
	assert_int_equal(chmod(cert_path, 0644), 0);

	/* a key file readable by others */
	assert_int_equal(chmod(path_of("client.key"), 0640), 0);
	assert_int_equal(load_tls(&cfg, &c, &e), OIDC_ECONFIG);
	assert_non_null(strstr(e.reason, "client_key_file"));
	assert_int_equal(chmod(path_of("client.key"), 0600), 0);

	X509_free(ca);
	X509_free(cert);
	X509_free(expired);
	X509_free(future);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
	config_free(&cfg);
}

static const char *write_p12(const char *name, const char *pass, EVP_PKEY *key,
			     X509 *cert)
{
	PKCS12 *p12 =
	    PKCS12_create(pass, "client", key, cert, NULL, 0, 0, 0, 0, 0);
	unsigned char *der = NULL;
	int n;
	const char *p;

	assert_non_null(p12);
	n = i2d_PKCS12(p12, &der);
	assert_true(n > 0);
	p = write_file(name, der, (size_t)n, 0600);
	OPENSSL_free(der);
	PKCS12_free(p12);
	return p;
}

static void test_tls_pkcs12(void **state)
{
	struct oidc_config cfg;
	struct tls_credential c;
	struct oidc_err e;
	EVP_PKEY *key;
	X509 *cert;

	(void)state;
	NEED_ROOT();
	cfg_init(&cfg);
	cfg.client_auth = CLIENT_AUTH_SELF_SIGNED_TLS;
	key = keygen("EC", "P-384");
	cert =
	    make_cert(key, "fac.1234567890.nash.example", NULL, NULL, -1, 700);
	cfg_set(&cfg.client_pkcs12_file,
		write_p12("org.p12", "Pic-1234 5678", key, cert));
	cfg_set(&cfg.client_pkcs12_passphrase_file,
		write_text("org.pass", "Pic-1234 5678\n", 0600));
	assert_int_equal(load_tls(&cfg, &c, &e), OIDC_OK);
	assert_non_null(strstr(c.cert_pem, "BEGIN CERTIFICATE"));
	assert_non_null(strstr(c.key_pem, "BEGIN PRIVATE KEY"));
	tls_credential_free(&c);

	/* the wrong passphrase names both files */
	write_text("org.pass", "wrong\n", 0600);
	assert_int_equal(load_tls(&cfg, &c, &e), OIDC_ECONFIG);
	assert_non_null(strstr(e.reason, "does not open client_pkcs12_file"));
	assert_non_null(strstr(e.reason, "org.pass"));
	assert_null(strstr(e.reason, "wrong"));

	/* no passphrase file for a protected bundle */
	cfg_set(&cfg.client_pkcs12_passphrase_file, NULL);
	assert_int_equal(load_tls(&cfg, &c, &e), OIDC_ECONFIG);
	assert_non_null(strstr(e.reason, "needs a passphrase"));

	/* the bundle is a secret file */
	assert_int_equal(chmod(cfg.client_pkcs12_file, 0644), 0);
	assert_int_equal(load_tls(&cfg, &c, &e), OIDC_ECONFIG);
	assert_non_null(strstr(e.reason, "client_pkcs12_file"));

	X509_free(cert);
	EVP_PKEY_free(key);
	config_free(&cfg);
}

/* ------------------------------------------------------------------------ */
/* pam-oidc check                                                           */

static char *describe(struct oidc_config *cfg, const char *doc_text,
		      unsigned *warnings, int want_rc, struct oidc_err *e)
{
	json_object *doc = NULL;
	struct strbuf sb;
	char *out;

	oidc_err_clear(e);
	if (doc_text != NULL)
		assert_int_equal(json_parse_object(doc_text, strlen(doc_text),
						   "discovery", &doc, e),
				 OIDC_OK);
	sb_init(&sb);
	assert_int_equal(client_auth_describe(cfg, doc, &sb, warnings, e),
			 want_rc);
	out = sb_steal(&sb);
	assert_non_null(out);
	if (doc != NULL)
		json_object_put(doc);
	return out;
}

static void test_describe(void **state)
{
	struct oidc_config cfg;
	struct oidc_err e;
	unsigned warnings = 99;
	EVP_PKEY *key;
	X509 *cert;
	char *out;

	(void)state;
	NEED_ROOT();
	cfg_init(&cfg);

	/* a secret: described, never shown */
	cfg.client_auth = CLIENT_AUTH_SECRET_POST;
	cfg_set(&cfg.client_secret_file,
		write_text("describe-secret", "TopSecretValue\n", 0600));
	out = describe(&cfg, disco_text, &warnings, OIDC_OK, &e);
	assert_non_null(strstr(out, "client_auth: client_secret_post"));
	assert_non_null(strstr(out, "one line: readable"));
	assert_null(strstr(out, "characters"));
	assert_null(strstr(out, "TopSecretValue"));
	/* the provider does not list client_secret_post */
	assert_int_equal(warnings, 1);
	assert_non_null(strstr(out, "warning: the provider does not list "
				    "client_secret_post"));
	free(out);

	/* a refused secret file: the error a login would hit */
	assert_int_equal(chmod(cfg.client_secret_file, 0644), 0);
	out = describe(&cfg, disco_text, &warnings, OIDC_ECONFIG, &e);
	assert_non_null(strstr(e.reason, "chmod 0600"));
	free(out);
	cfg_set(&cfg.client_secret_file, NULL);

	/* private_key_jwt: type, alg, kid, the JWK to register; the provider
	 * lists the method but not ES384 */
	cfg.client_auth = CLIENT_AUTH_PRIVATE_KEY_JWT;
	key = keygen("EC", "P-384");
	cfg_set(&cfg.client_key_file, write_key("describe.key", key));
	out = describe(&cfg, disco_text, &warnings, OIDC_OK, &e);
	assert_non_null(strstr(out, "(EC P-384)"));
	assert_non_null(strstr(out, "alg ES384, kid "));
	assert_non_null(strstr(out, "\"kty\":\"EC\""));
	assert_null(strstr(out, "\"d\""));
	assert_non_null(strstr(out, "private_key_jwt is listed"));
	assert_int_equal(warnings, 1);
	assert_non_null(
	    strstr(out, "warning: the provider does not list ES384"));
	free(out);

	/* without a discovery document */
	out = describe(&cfg, NULL, &warnings, OIDC_OK, &e);
	assert_non_null(strstr(out, "not checked"));
	assert_int_equal(warnings, 0);
	free(out);
	cfg_set(&cfg.client_key_file, NULL);

	/* a certificate expiring in 10 days: subject, issuer, warning */
	cfg.client_auth = CLIENT_AUTH_TLS;
	cert = make_cert(key, "workstation.example.org", NULL, NULL, -300, 10);
	cfg_set(&cfg.client_cert_file, write_cert("soon.pem", cert, 0644));
	cfg_set(&cfg.client_key_file, path_of("describe.key"));
	out = describe(&cfg, disco_text, &warnings, OIDC_OK, &e);
	assert_non_null(strstr(out, "subject: CN=workstation.example.org,"
				    "O=Example Hospital,C=AU"));
	assert_non_null(strstr(out, "issuer:  CN=workstation.example.org"));
	assert_non_null(strstr(out, "key:     EC P-384, matches"));
	assert_non_null(strstr(out, "token_endpoint: "
				    "https://mtls.idp.example.org/token"));
	assert_non_null(strstr(out, "tls_client_auth is listed"));
	assert_non_null(strstr(out, "warning: the client certificate expires "
				    "in"));
	assert_int_equal(warnings, 1);
	free(out);
	X509_free(cert);

	/* self-signed: the JWK with x5c to register */
	cfg.client_auth = CLIENT_AUTH_SELF_SIGNED_TLS;
	cert = make_cert(key, "ws", NULL, NULL, -1, 400);
	cfg_set(&cfg.client_cert_file, write_cert("self.pem", cert, 0644));
	out = describe(&cfg, disco_text, &warnings, OIDC_OK, &e);
	assert_non_null(strstr(out, "\"x5c\":[\"MII"));
	/* not listed by this provider */
	assert_non_null(strstr(out, "warning: the provider does not list "
				    "self_signed_tls_client_auth"));
	assert_int_equal(warnings, 1);
	free(out);
	X509_free(cert);

	/* expired: the error a login would hit */
	cert = make_cert(key, "ws", NULL, NULL, -10, -1);
	cfg_set(&cfg.client_cert_file, write_cert("old.pem", cert, 0644));
	out = describe(&cfg, disco_text, &warnings, OIDC_ECONFIG, &e);
	assert_non_null(strstr(e.reason, "expired on"));
	free(out);
	X509_free(cert);

	EVP_PKEY_free(key);
	config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_basic_vector),
	    cmocka_unit_test(test_secret_ok),
	    cmocka_unit_test(test_secret_mode_refused),
	    cmocka_unit_test(test_secret_owner_refused),
	    cmocka_unit_test(test_secret_symlink_refused),
	    cmocka_unit_test(test_secret_size_refused),
	    cmocka_unit_test(test_secret_other_refusals),
	    cmocka_unit_test(test_assertion_es384),
	    cmocka_unit_test(test_assertion_rsa),
	    cmocka_unit_test(test_assertion_es256),
	    cmocka_unit_test(test_jti_unique),
	    cmocka_unit_test(test_key_refusals),
	    cmocka_unit_test(test_apply_secrets),
	    cmocka_unit_test(test_apply_private_key_jwt),
	    cmocka_unit_test(test_mtls_aliases),
	    cmocka_unit_test(test_refused_hints),
	    cmocka_unit_test(test_tls_pem),
	    cmocka_unit_test(test_tls_pkcs12),
	    cmocka_unit_test(test_describe),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
