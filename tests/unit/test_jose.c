/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for helper/jose.c: base64url, JWK sets, compact JWS.
 *
 * Vectors live in tests/vectors/, named by RFC section; the directory comes
 * from the environment variable VECTORS_DIR (set by the test harness), or
 * the compile-time -DVECTORS_DIR="...".  gen.sh there documents how the
 * non-RFC fixtures were made.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../helper/claims.h"
#include "../../helper/jose.h"
#include "../../helper/json.h"

#ifndef VECTORS_DIR
#define VECTORS_DIR "tests/vectors"
#endif

static const char *const algs_all[] = {
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
    "ES256", "ES384", "ES512", "EdDSA", NULL,
};

/* ------------------------------------------------------------------------ */
/* helpers                                                                  */

static const char *vectors_dir(void)
{
	const char *d = getenv("VECTORS_DIR");

	return (d != NULL && d[0] != '\0') ? d : VECTORS_DIR;
}

/* Contents of a vector file, trailing whitespace removed. */
static char *vec(const char *name)
{
	char path[4096];
	FILE *f;
	char *buf;
	long sz;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", vectors_dir(), name);
	f = fopen(path, "rb");
	if (f == NULL) {
		print_error("cannot open vector %s (set VECTORS_DIR)\n", path);
		fail();
	}
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	sz = ftell(f);
	assert_true(sz >= 0);
	rewind(f);
	buf = malloc((size_t)sz + 1);
	assert_non_null(buf);
	n = fread(buf, 1, (size_t)sz, f);
	fclose(f);
	assert_int_equal(n, (size_t)sz);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' ||
			 buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		n--;
	buf[n] = '\0';
	return buf;
}

/* The public part of a JWK file, with extra members merged in (extra is the
 * inside of a JSON object, e.g. "\"kid\":\"k1\"", or ""). */
static json_object *public_jwk(const char *file, const char *extra)
{
	static const char *const priv[] = {"d", "p", "q", "dp", "dq", "qi"};
	char *text = vec(file);
	json_object *k = json_tokener_parse(text);
	char buf[1024];
	json_object *x;

	free(text);
	assert_non_null(k);
	for (size_t i = 0; i < sizeof(priv) / sizeof(priv[0]); i++)
		json_object_object_del(k, priv[i]);
	snprintf(buf, sizeof(buf), "{%s}", extra);
	x = json_tokener_parse(buf);
	assert_non_null(x);
	json_object_object_foreach(x, name, val)
	{
		json_object_object_add(k, name, json_object_get(val));
	}
	json_object_put(x);
	return k;
}

/* {"keys":[...]} from (file, extra) pairs ending with NULL. */
static char *jwks_text(const char *file, const char *extra, ...)
{
	json_object *doc = json_object_new_object();
	json_object *keys = json_object_new_array();
	va_list ap;
	char *out;

	json_object_object_add(doc, "keys", keys);
	va_start(ap, extra);
	while (file != NULL) {
		json_object_array_add(keys, public_jwk(file, extra));
		file = va_arg(ap, const char *);
		if (file != NULL)
			extra = va_arg(ap, const char *);
	}
	va_end(ap);
	out =
	    strdup(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN));
	json_object_put(doc);
	assert_non_null(out);
	return out;
}

static struct jwk_set *load_set(const char *text)
{
	struct jwk_set *set = NULL;
	struct oidc_err e;

	oidc_err_clear(&e);
	if (jwks_parse(text, strlen(text), &set, &e) != OIDC_OK) {
		print_error("JWKS refused: %s\n", e.reason);
		fail();
	}
	assert_non_null(set);
	return set;
}

/* One-key set from a JWK file. */
static struct jwk_set *set1(const char *file, const char *extra)
{
	char *t = jwks_text(file, extra, NULL);
	struct jwk_set *set = load_set(t);

	free(t);
	return set;
}

/* Parse and verify; returns rc, reason in *e. */
static int check_token(const char *compact, const struct jwk_set *set,
		       const char *const *allowed, struct oidc_err *e)
{
	struct jws *jws = NULL;
	int rc;

	oidc_err_clear(e);
	rc = jws_parse(compact, strlen(compact), &jws, e);
	if (rc == OIDC_OK) {
		assert_non_null(jws);
		rc = jws_verify(jws, set, allowed, e);
	} else {
		assert_null(jws);
	}
	jws_free(jws);
	return rc;
}

/* Verify a compact JWS whose payload is not JSON (RFC 7515 A.4, RFC 8037
 * A.4): jws_parse insists on a JSON payload, so the struct is built here from
 * the same pieces and handed to jws_verify, which never reads the payload. */
static int check_raw(const char *compact, const struct jwk_set *set,
		     const char *const *allowed, struct oidc_err *e)
{
	const char *d1 = strchr(compact, '.');
	const char *d2 = d1 != NULL ? strchr(d1 + 1, '.') : NULL;
	struct jws *jws = calloc(1, sizeof(*jws));
	unsigned char *hdr = NULL;
	size_t hdrlen = 0;
	int rc;

	assert_non_null(jws);
	assert_non_null(d2);
	oidc_err_clear(e);
	assert_int_equal(
	    b64url_decode(compact, (size_t)(d1 - compact), &hdr, &hdrlen), 0);
	assert_int_equal(json_parse_object((const char *)hdr, hdrlen, "header",
					   &jws->header, e),
			 OIDC_OK);
	free(hdr);
	jws->alg = json_str(jws->header, "alg");
	jws->kid = json_str(jws->header, "kid");
	jws->signing_input_len = (size_t)(d2 - compact);
	jws->signing_input = strndup(compact, jws->signing_input_len);
	assert_non_null(jws->signing_input);
	assert_int_equal(
	    b64url_decode(d2 + 1, strlen(d2 + 1), &jws->sig, &jws->sig_len), 0);
	rc = jws_verify(jws, set, allowed, e);
	jws_free(jws);
	return rc;
}

static void expect_ok(int rc, const struct oidc_err *e)
{
	if (rc != OIDC_OK) {
		print_error("expected success, got %s: %s\n",
			    oidc_rc_name(e->rc), e->reason);
		fail();
	}
}

/* A rejection whose reason contains want and starts with the name of a rule
 * (claims.h); want usually starts with that name too. */
static void expect_reject(int rc, const struct oidc_err *e, const char *want)
{
	if (rc != OIDC_EREJECT || e->rc != OIDC_EREJECT ||
	    strstr(e->reason, want) == NULL ||
	    oidc_rule_of(e->reason) == NULL) {
		print_error("expected rejection \"%s\", got rc %d: \"%s\"\n",
			    want, rc, e->reason);
		fail();
	}
}

/* A token from a header JSON text and the payload/signature of another. */
static char *with_header(const char *hdr_json, const char *donor)
{
	char *h =
	    b64url_encode((const unsigned char *)hdr_json, strlen(hdr_json));
	const char *rest = strchr(donor, '.');
	size_t n;
	char *out;

	assert_non_null(h);
	assert_non_null(rest);
	n = strlen(h) + strlen(rest) + 1;
	out = malloc(n);
	assert_non_null(out);
	snprintf(out, n, "%s%s", h, rest);
	free(h);
	return out;
}

/* The token with its payload decoded, from replaced by to, re-encoded. */
static char *with_payload_edit(const char *token, const char *from,
			       const char *to)
{
	const char *d1 = strchr(token, '.');
	const char *d2 = strchr(d1 + 1, '.');
	unsigned char *p = NULL;
	size_t plen = 0;
	char *edited, *at, *b64, *out;
	size_t n;

	assert_int_equal(
	    b64url_decode(d1 + 1, (size_t)(d2 - d1 - 1), &p, &plen), 0);
	at = strstr((char *)p, from);
	assert_non_null(at);
	assert_int_equal(strlen(from), strlen(to));
	memcpy(at, to, strlen(to));
	edited = (char *)p;
	b64 = b64url_encode((unsigned char *)edited, plen);
	assert_non_null(b64);
	n = (size_t)(d1 - token) + 1 + strlen(b64) + strlen(d2) + 1;
	out = malloc(n);
	assert_non_null(out);
	snprintf(out, n, "%.*s.%s%s", (int)(d1 - token), token, b64, d2);
	free(b64);
	free(p);
	return out;
}

/* ------------------------------------------------------------------------ */
/* base64url                                                                */

static void test_b64url(void **state)
{
	static const struct {
		const char *in;
		const char *out;
	} good[] = {
	    {"", ""},	     {"Zg", "f"},	 {"Zm8", "fo"},
	    {"Zm9v", "foo"}, {"Zm9vYg", "foob"}, {"-_8", "\xfb\xff"},
	};
	static const char *const bad[] = {
	    "Zg==",    "Zm8=",	"Z+8", "Z/8", "Zm 9v", "Zm9v\n",
	    "Z",       "Zm9vY", "Zh",  "Zm9", /* "Zm9": trailing bits not zero
					       */
	    "Zm\x00v",
	};
	unsigned char bytes[64];
	(void)state;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		unsigned char *out = NULL;
		size_t n = 99;
		char *enc;

		assert_int_equal(
		    b64url_decode(good[i].in, strlen(good[i].in), &out, &n), 0);
		assert_int_equal(n, strlen(good[i].out));
		assert_memory_equal(out, good[i].out, n);
		assert_int_equal(out[n], '\0');
		enc = b64url_encode(out, n);
		assert_string_equal(enc, good[i].in);
		free(enc);
		free(out);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned char *out = (unsigned char *)"x";
		size_t n = 99;
		size_t len = strlen(bad[i]);

		if (i == sizeof(bad) / sizeof(bad[0]) - 1)
			len = 4; /* embedded NUL */
		if (b64url_decode(bad[i], len, &out, &n) != -1) {
			print_error("accepted bad base64url \"%s\"\n", bad[i]);
			fail();
		}
		assert_null(out);
	}
	/* round trip over all lengths */
	for (size_t i = 0; i < sizeof(bytes); i++)
		bytes[i] = (unsigned char)(i * 37 + 11);
	for (size_t len = 0; len <= sizeof(bytes); len++) {
		char *enc = b64url_encode(bytes, len);
		unsigned char *dec = NULL;
		size_t n = 0;

		assert_non_null(enc);
		assert_null(strchr(enc, '='));
		assert_int_equal(b64url_decode(enc, strlen(enc), &dec, &n), 0);
		assert_int_equal(n, len);
		if (len > 0)
			assert_memory_equal(dec, bytes, len);
		free(enc);
		free(dec);
	}
}

/* ------------------------------------------------------------------------ */
/* RFC vectors                                                              */

static void test_rfc7515_a2_rs256(void **state)
{
	char *tok = vec("rfc7515-A.2.jws");
	json_object *jwk = public_jwk("rfc7515-A.2.jwk.json", "");
	struct jwk_set *set = set1("rfc7515-A.2.jwk.json", "");
	unsigned char *n = NULL;
	size_t nlen = 0;
	struct jws *jws = NULL;
	struct oidc_err e;
	int64_t exp = 0;
	(void)state;

	/* the A.2 key is a 2048-bit modulus: 256 bytes, top bit set */
	assert_int_equal(b64url_decode(json_object_get_string(
					   json_object_object_get(jwk, "n")),
				       strlen(json_object_get_string(
					   json_object_object_get(jwk, "n"))),
				       &n, &nlen),
			 0);
	assert_int_equal(nlen, 256);
	assert_true(n[0] & 0x80);
	free(n);
	json_object_put(jwk);

	assert_int_equal(jwks_count(set), 1);
	expect_ok(check_token(tok, set, algs_all, &e), &e);

	/* the claims come through, CRLF line breaks and all */
	oidc_err_clear(&e);
	assert_int_equal(jws_parse(tok, strlen(tok), &jws, &e), OIDC_OK);
	assert_string_equal(jws->alg, "RS256");
	assert_null(jws->kid);
	assert_string_equal(json_str(jws->payload, "iss"), "joe");
	assert_int_equal(json_int64(jws->payload, "exp", &exp), 0);
	assert_int_equal(exp, 1300819380);
	assert_true(json_object_get_boolean(json_object_object_get(
	    jws->payload, "http://example.com/is_root")));
	assert_int_equal(jws->sig_len, 256);
	jws_free(jws);

	jwks_free(set);
	free(tok);
}

static void test_rfc7515_a2_wrong_key(void **state)
{
	char *tok = vec("rfc7515-A.2.jws");
	struct jwk_set *set = set1("rsa2048-gen.jwk.json", "");
	struct oidc_err e;
	(void)state;

	expect_reject(check_token(tok, set, algs_all, &e), &e,
		      "signature: invalid (alg RS256, kid \"rsa-gen\")");
	jwks_free(set);
	free(tok);
}

static void test_rfc7515_a2_tampered(void **state)
{
	char *tok = vec("rfc7515-A.2.jws");
	struct jwk_set *set = set1("rfc7515-A.2.jwk.json", "\"kid\":\"rsa1\"");
	char *bad = with_payload_edit(tok, "\"joe\"", "\"eve\"");
	char *badsig = strdup(tok);
	struct oidc_err e;
	(void)state;

	expect_reject(check_token(bad, set, algs_all, &e), &e,
		      "signature: invalid (alg RS256, kid \"rsa1\")");
	/* one signature bit flipped ('c' -> 'd' in the first character) */
	badsig[strrchr(badsig, '.') - badsig + 1] = 'd';
	expect_reject(check_token(badsig, set, algs_all, &e), &e,
		      "signature: invalid");
	/* signature cut short (252 bytes): RSA signatures are exactly the
	 * modulus size (RFC 8017 8.2.2) */
	badsig[strlen(badsig) - 6] = '\0';
	expect_reject(check_token(badsig, set, algs_all, &e), &e,
		      "signature length: RSA signature must be 256 bytes (the "
		      "modulus size of key \"rsa1\"), got 252");
	/* one byte too many (257) */
	{
		const char *d2 = strrchr(tok, '.');
		unsigned char *sig = NULL, *longer;
		size_t n = 0;
		char *s64, *t2;

		assert_int_equal(
		    b64url_decode(d2 + 1, strlen(d2 + 1), &sig, &n), 0);
		longer = calloc(1, n + 1);
		assert_non_null(longer);
		memcpy(longer + 1, sig, n); /* a leading zero byte */
		s64 = b64url_encode(longer, n + 1);
		assert_non_null(s64);
		t2 = malloc(strlen(tok) + 8);
		assert_non_null(t2);
		snprintf(t2, strlen(tok) + 8, "%.*s.%s", (int)(d2 - tok), tok,
			 s64);
		expect_reject(check_token(t2, set, algs_all, &e), &e,
			      "signature length: RSA signature must be 256 "
			      "bytes");
		free(t2);
		free(s64);
		free(longer);
		free(sig);
	}
	free(badsig);
	free(bad);
	jwks_free(set);
	free(tok);
}

static void test_rfc7515_a3_es256(void **state)
{
	char *tok = vec("rfc7515-A.3.jws");
	char *bad = with_payload_edit(tok, "\"joe\"", "\"eve\"");
	struct jwk_set *set = set1("rfc7515-A.3.jwk.json", "");
	struct jwk_set *other = set1("p256-gen.jwk.json", "");
	struct oidc_err e;
	(void)state;

	expect_ok(check_token(tok, set, algs_all, &e), &e);
	expect_reject(check_token(tok, other, algs_all, &e), &e,
		      "signature: invalid (alg ES256, kid \"ec-gen\")");
	expect_reject(check_token(bad, set, algs_all, &e), &e,
		      "signature: invalid (alg ES256");
	jwks_free(other);
	jwks_free(set);
	free(bad);
	free(tok);
}

static void test_rfc7515_a4_es512(void **state)
{
	char *tok = vec("rfc7515-A.4.jws");
	struct jwk_set *set = set1("rfc7515-A.4.jwk.json", "");
	struct jwk_set *other = set1("p521-gen.jwk.json", "");
	struct jws *jws = NULL;
	struct oidc_err e;
	(void)state;

	expect_ok(check_raw(tok, set, algs_all, &e), &e);
	expect_reject(check_raw(tok, other, algs_all, &e), &e,
		      "signature: invalid (alg ES512");
	/* as a login token it is refused: the payload "Payload" is no JSON */
	oidc_err_clear(&e);
	expect_reject(jws_parse(tok, strlen(tok), &jws, &e), &e,
		      "payload json: JWS payload");
	assert_null(jws);
	jwks_free(other);
	jwks_free(set);
	free(tok);
}

static void test_rfc8037_a4_ed25519(void **state)
{
	char *tok = vec("rfc8037-A.4.jws");
	char *tok_json = vec("rfc8037-A.4-key-json-payload.jws");
	char *bad = with_payload_edit(tok_json, "alice", "alicf");
	struct jwk_set *set = set1("rfc8037-A.4.jwk.json", "");
	struct jwk_set *other = set1("ed25519-gen.jwk.json", "");
	struct oidc_err e;
	(void)state;

	assert_int_equal(jwks_count(set), 1);
	expect_ok(check_raw(tok, set, algs_all, &e), &e);
	expect_reject(check_raw(tok, other, algs_all, &e), &e,
		      "signature: invalid (alg EdDSA, kid \"ed-gen\")");
	/* the same key over a JSON payload, through jws_parse */
	expect_ok(check_token(tok_json, set, algs_all, &e), &e);
	expect_reject(check_token(tok_json, other, algs_all, &e), &e,
		      "signature: invalid (alg EdDSA");
	expect_reject(check_token(bad, set, algs_all, &e), &e,
		      "signature: invalid (alg EdDSA");
	jwks_free(other);
	jwks_free(set);
	free(bad);
	free(tok_json);
	free(tok);
}

/* Each algorithm family with a key made by openssl (gen.sh). */
static void test_generated_algs(void **state)
{
	static const struct {
		const char *tok, *jwk;
	} cases[] = {
	    {"rs256-gen.jws", "rsa2048-gen.jwk.json"},
	    {"ps256-gen.jws", "rsa2048-gen.jwk.json"},
	    {"es256-gen.jws", "p256-gen.jwk.json"},
	    {"es384-gen.jws", "p384-gen.jwk.json"},
	    {"es512-gen.jws", "p521-gen.jwk.json"},
	};
	static const char *const only_ps256[] = {"PS256", NULL};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *tok = vec(cases[i].tok);
		struct jwk_set *set = set1(cases[i].jwk, "");
		struct oidc_err e;
		int rc = check_token(tok, set, algs_all, &e);

		if (rc != OIDC_OK) {
			print_error("%s: %s\n", cases[i].tok, e.reason);
			fail();
		}
		jwks_free(set);
		free(tok);
	}

	/* a PSS signature relabelled as PKCS#1 v1.5 (and back) does not verify
	 */
	{
		char *ps = vec("ps256-gen.jws");
		char *rs = vec("rs256-gen.jws");
		char *ps_as_rs =
		    with_header("{\"alg\":\"RS256\",\"kid\":\"rsa-gen\"}", ps);
		char *rs_as_ps =
		    with_header("{\"alg\":\"PS256\",\"kid\":\"rsa-gen\"}", rs);
		struct jwk_set *set = set1("rsa2048-gen.jwk.json", "");
		struct oidc_err e;

		expect_reject(check_token(ps_as_rs, set, algs_all, &e), &e,
			      "signature: invalid (alg RS256");
		expect_reject(check_token(rs_as_ps, set, only_ps256, &e), &e,
			      "signature: invalid (alg PS256");
		jwks_free(set);
		free(rs_as_ps);
		free(ps_as_rs);
		free(rs);
		free(ps);
	}
}

/* ------------------------------------------------------------------------ */
/* regressions: one per known attack or rule                                */

static void test_alg_none(void **state)
{
	char *tok = vec("rfc7515-A.5.jws");
	char *a2 = vec("rfc7515-A.2.jws");
	char *upper = with_header("{\"alg\":\"NONE\"}", a2);
	char *mixed = with_header("{\"alg\":\"nOnE\"}", a2);
	struct jwk_set *set = set1("rfc7515-A.2.jwk.json", "");
	static const char *const with_none[] = {"none", "RS256", NULL};
	struct oidc_err e;
	(void)state;

	expect_reject(check_token(tok, set, algs_all, &e), &e,
		      "alg: none refused");
	/* even when the configuration lists it */
	expect_reject(check_token(tok, set, with_none, &e), &e,
		      "alg: none refused");
	/* with a signature attached, and in other spellings */
	expect_reject(check_token(upper, set, with_none, &e), &e,
		      "alg: NONE refused");
	expect_reject(check_token(mixed, set, with_none, &e), &e,
		      "alg: nOnE refused");
	jwks_free(set);
	free(mixed);
	free(upper);
	free(a2);
	free(tok);
}

static void test_hs256_key_confusion(void **state)
{
	char *tok = vec("hs256-key-confusion.jws");
	struct jwk_set *set = set1("rfc7515-A.2.jwk.json", "");
	static const char *const with_hs[] = {"HS256", "RS256", NULL};
	struct jws *jws = NULL;
	struct oidc_err e;
	(void)state;

	expect_reject(check_token(tok, set, with_hs, &e), &e,
		      "alg: HS256 refused");
	/* jws_verify refuses it on its own too, if handed such a token */
	jws = calloc(1, sizeof(*jws));
	assert_non_null(jws);
	jws->header = json_tokener_parse("{\"alg\":\"HS256\"}");
	jws->alg = json_str(jws->header, "alg");
	jws->signing_input = strdup("x.y");
	jws->signing_input_len = 3;
	jws->sig = (unsigned char *)strdup("0123456789abcdef0123456789abcdef");
	jws->sig_len = 32;
	oidc_err_clear(&e);
	expect_reject(jws_verify(jws, set, with_hs, &e), &e,
		      "alg: HS256 refused");
	jws_free(jws);
	jwks_free(set);
	free(tok);
}

static void test_kty_mismatch(void **state)
{
	char *a2 = vec("rfc7515-A.2.jws");
	char *a3 = vec("rfc7515-A.3.jws");
	char *rs_kid = with_header("{\"alg\":\"RS256\",\"kid\":\"k1\"}", a2);
	char *es_kid = with_header("{\"alg\":\"ES256\",\"kid\":\"k1\"}", a3);
	char *ed_kid = with_header("{\"alg\":\"EdDSA\",\"kid\":\"k1\"}", a3);
	struct jwk_set *ec = set1("rfc7515-A.3.jwk.json", "\"kid\":\"k1\"");
	struct jwk_set *p384 = set1("p384-gen.jwk.json", "\"kid\":\"k1\"");
	struct jwk_set *rsa = set1("rfc7515-A.2.jwk.json", "\"kid\":\"k1\"");
	struct oidc_err e;
	(void)state;

	/* an RS256 token presented against an EC key */
	expect_reject(
	    check_token(rs_kid, ec, algs_all, &e), &e,
	    "key type: alg RS256 needs kty RSA, key \"k1\" has kty EC");
	/* without kid: no key of the right type at all */
	expect_reject(check_token(a2, ec, algs_all, &e), &e,
		      "kid: the token has no kid and no key in the JWKS fits "
		      "alg RS256 (RSA)");
	/* ES256 with a P-384 key */
	expect_reject(check_token(es_kid, p384, algs_all, &e), &e,
		      "key type: alg ES256 needs curve P-256, key \"k1\" is on "
		      "P-384");
	/* ES256 and EdDSA tokens against an RSA key */
	expect_reject(
	    check_token(es_kid, rsa, algs_all, &e), &e,
	    "key type: alg ES256 needs kty EC, key \"k1\" has kty RSA");
	expect_reject(
	    check_token(ed_kid, rsa, algs_all, &e), &e,
	    "key type: alg EdDSA needs kty OKP, key \"k1\" has kty RSA");
	jwks_free(rsa);
	jwks_free(p384);
	jwks_free(ec);
	free(ed_kid);
	free(es_kid);
	free(rs_kid);
	free(a3);
	free(a2);
}

static void test_ecdsa_der_signature(void **state)
{
	char *der = vec("es256-der-signature.jws");
	char *raw = vec("es256-gen.jws");
	char *a3 = vec("rfc7515-A.3.jws");
	struct jwk_set *set = set1("p256-gen.jwk.json", "");
	struct jwk_set *a3set = set1("rfc7515-A.3.jwk.json", "");
	struct jws *jws = NULL;
	struct oidc_err e;
	char *short_sig;
	char want[64];
	(void)state;

	/* the same signature in r||s form verifies */
	expect_ok(check_token(raw, set, algs_all, &e), &e);
	oidc_err_clear(&e);
	assert_int_equal(jws_parse(der, strlen(der), &jws, &e), OIDC_OK);
	snprintf(want, sizeof(want),
		 "signature length: ECDSA signature must be 64 bytes r||s, "
		 "got %zu",
		 jws->sig_len);
	assert_true(jws->sig_len >= 68 && jws->sig_len <= 72);
	jws_free(jws);
	expect_reject(check_token(der, set, algs_all, &e), &e, want);

	/* 63 bytes: the A.3 signature (86 characters) cut to 84 */
	short_sig = strdup(a3);
	assert_non_null(short_sig);
	short_sig[strlen(short_sig) - 2] = '\0';
	expect_reject(check_token(short_sig, a3set, algs_all, &e), &e,
		      "signature length: ECDSA signature must be 64 bytes "
		      "r||s, got 63");
	free(short_sig);
	jwks_free(a3set);
	jwks_free(set);
	free(a3);
	free(raw);
	free(der);
}

static void test_alg_not_allowed(void **state)
{
	char *a2 = vec("rfc7515-A.2.jws");
	char *es256k = with_header("{\"alg\":\"ES256K\"}", a2);
	char *lower = with_header("{\"alg\":\"rs256\"}", a2);
	struct jwk_set *set = set1("rfc7515-A.2.jwk.json", "");
	static const char *const es_ps[] = {"ES256", "PS256", NULL};
	static const char *const empty[] = {NULL};
	static const char *const with_k[] = {"ES256K", "rs256", NULL};
	struct oidc_err e;
	(void)state;

	expect_reject(check_token(a2, set, es_ps, &e), &e,
		      "alg: RS256 is not in allowed_algs (ES256 PS256)");
	expect_reject(check_token(es256k, set, with_k, &e), &e,
		      "alg: ES256K is not supported");
	expect_reject(check_token(lower, set, with_k, &e), &e,
		      "alg: rs256 is not supported");
	/* an empty list is a configuration error, not a pass */
	oidc_err_clear(&e);
	assert_int_equal(check_token(a2, set, empty, &e), OIDC_ECONFIG);
	assert_int_equal(check_token(a2, set, NULL, &e), OIDC_ECONFIG);
	jwks_free(set);
	free(lower);
	free(es256k);
	free(a2);
}

static void test_header_rules(void **state)
{
	static const struct {
		const char *hdr;
		const char *want; /* NULL: accepted */
	} cases[] = {
	    {"{\"alg\":\"RS256\",\"crit\":[\"exp\"],\"exp\":1363284000}",
	     "crit: the JWS header has \"crit\""},
	    {"{\"alg\":\"RS256\",\"crit\":[]}", "crit: "},
	    {"{\"alg\":\"RS256\",\"typ\":\"at+jwt\"}",
	     "typ: \"at+jwt\" is not an ID token"},
	    {"{\"alg\":\"RS256\",\"typ\":\"application/at+jwt\"}",
	     "typ: \"application/at+jwt\" is not an ID token"},
	    {"{\"alg\":\"RS256\",\"typ\":\"AT+JWT\"}",
	     "typ: \"AT+JWT\" is not an ID token"},
	    {"{\"alg\":\"RS256\",\"typ\":\"logout+jwt\"}",
	     "typ: \"logout+jwt\" is not an ID token"},
	    {"{\"alg\":\"RS256\",\"typ\":\"secevent+jwt\"}",
	     "typ: \"secevent+jwt\" is not an ID token"},
	    {"{\"alg\":\"RS256\",\"typ\":1}",
	     "typ: the JWS header typ is not a string"},
	    {"{\"alg\":\"RS256\",\"kid\":7}",
	     "kid: the JWS header kid is not a string"},
	    {"{\"alg\":[\"RS256\"]}",
	     "alg: the JWS header alg is not a string"},
	    {"{\"typ\":\"JWT\"}", "alg: the JWS header has no alg"},
	    {"{\"alg\":\"RS256\",\"alg\":\"none\"}",
	     "header json: JWS protected header repeats the member name "
	     "\"alg\""},
	    {"[\"RS256\"]",
	     "header json: JWS protected header must be a JSON object"},
	    {"{\"alg\":\"RS256\",\"kid\":\"\xc0\xaf\"}",
	     "header json: JWS protected header is not valid JSON: invalid "
	     "utf-8"},
	    {"{\"alg\":\"RS256\"} ", NULL},
	    {"{\"alg\":\"RS256\",\"typ\":\"JWT\"}", NULL},
	    {"{\"alg\":\"RS256\",\"typ\":\"jwt\",\"cty\":\"x\"}", NULL},
	};
	char *a2 = vec("rfc7515-A.2.jws");
	struct jwk_set *set = set1("rfc7515-A.2.jwk.json", "");
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *tok = with_header(cases[i].hdr, a2);
		struct jws *jws = NULL;
		struct oidc_err e;
		int rc;

		oidc_err_clear(&e);
		rc = jws_parse(tok, strlen(tok), &jws, &e);
		if (cases[i].want == NULL) {
			/* parses; the signature is over another header */
			expect_ok(rc, &e);
			expect_reject(jws_verify(jws, set, algs_all, &e), &e,
				      "signature: invalid");
		} else {
			expect_reject(rc, &e, cases[i].want);
			assert_null(jws);
		}
		jws_free(jws);
		free(tok);
	}
	jwks_free(set);
	free(a2);
}

static void test_bad_base64url(void **state)
{
	char *a2 = vec("rfc7515-A.2.jws");
	size_t len = strlen(a2);
	char *d1 = strchr(a2, '.');
	char *d2 = strchr(d1 + 1, '.');
	struct jwk_set *set = set1("rfc7515-A.2.jwk.json", "");
	char buf[1024];
	struct oidc_err e;
	char *p;
	(void)state;

	assert_true(len + 8 < sizeof(buf));
	/* padding on the signature (256 bytes encode to 342 chars + "==") */
	snprintf(buf, sizeof(buf), "%s==", a2);
	expect_reject(check_token(buf, set, algs_all, &e), &e,
		      "base64url: token signature has byte 0x3d");
	/* standard alphabet '+' and '/' instead of '-' and '_' */
	snprintf(buf, sizeof(buf), "%s", a2);
	p = strchr(buf + (d2 - a2), '-');
	assert_non_null(p);
	*p = '+';
	expect_reject(check_token(buf, set, algs_all, &e), &e,
		      "base64url: token signature has byte 0x2b");
	snprintf(buf, sizeof(buf), "%s", a2);
	p = strchr(buf + (d2 - a2), '_');
	assert_non_null(p);
	*p = '/';
	expect_reject(check_token(buf, set, algs_all, &e), &e,
		      "base64url: token signature has byte 0x2f");
	/* whitespace inside the payload, and a line break at the end */
	snprintf(buf, sizeof(buf), "%.*s %s", (int)(d1 - a2 + 10), a2,
		 a2 + (d1 - a2 + 10));
	expect_reject(check_token(buf, set, algs_all, &e), &e,
		      "base64url: token payload has byte 0x20");
	snprintf(buf, sizeof(buf), "%s\n", a2);
	expect_reject(check_token(buf, set, algs_all, &e), &e,
		      "base64url: token signature has byte 0x0a");
	/* padding on the header */
	snprintf(buf, sizeof(buf), "eyJhbGciOiJSUzI1NiJ9=%s", d1);
	expect_reject(check_token(buf, set, algs_all, &e), &e,
		      "base64url: token header has byte 0x3d");
	/* impossible length (4n+1) and non-zero trailing bits */
	snprintf(buf, sizeof(buf), "%.*sAAA%s", (int)(d2 - a2), a2, d2);
	expect_reject(check_token(buf, set, algs_all, &e), &e,
		      "base64url: token payload is not canonical");
	snprintf(buf, sizeof(buf), "%s", a2);
	buf[len - 1] = 'x'; /* "...7Rw" -> "...7Rx" */
	expect_reject(check_token(buf, set, algs_all, &e), &e,
		      "base64url: token signature is not canonical");
	jwks_free(set);
	free(a2);
}

static void test_wrong_part_count(void **state)
{
	char *a2 = vec("rfc7515-A.2.jws");
	struct jwk_set *set = set1("rfc7515-A.2.jwk.json", "");
	char buf[1024];
	struct oidc_err e;
	(void)state;

	/* two parts: header.payload, signature dropped */
	snprintf(buf, sizeof(buf), "%.*s", (int)(strrchr(a2, '.') - a2), a2);
	expect_reject(check_token(buf, set, algs_all, &e), &e,
		      "token format: token must have 3 dot-separated parts, "
		      "got 2");
	/* four parts */
	snprintf(buf, sizeof(buf), "%s.AAAA", a2);
	expect_reject(check_token(buf, set, algs_all, &e), &e,
		      "token format: token must have 3 dot-separated parts, "
		      "got 4");
	/* five: a JWE */
	expect_reject(
	    check_token("eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d", set, algs_all, &e),
	    &e,
	    "token format: token has 5 parts: an encrypted JWE is not "
	    "supported");
	expect_reject(check_token("", set, algs_all, &e), &e,
		      "token format: the token is empty");
	expect_reject(check_token("..", set, algs_all, &e), &e,
		      "header json: JWS protected header is empty");
	expect_reject(check_token("abc", set, algs_all, &e), &e,
		      "token format: token must have 3 dot-separated parts, "
		      "got 1");
	/* empty signature with a real alg */
	snprintf(buf, sizeof(buf), "%.*s.", (int)(strrchr(a2, '.') - a2), a2);
	expect_reject(check_token(buf, set, algs_all, &e), &e,
		      "token format: the token signature is empty");
	jwks_free(set);
	free(a2);
}

static void test_kid_selection(void **state)
{
	char *a2 = vec("rfc7515-A.2.jws");
	char *nope = with_header("{\"alg\":\"RS256\",\"kid\":\"nope\"}", a2);
	char *gen = vec("rs256-gen.jws"); /* kid "rsa-gen" */
	char *two = jwks_text("rfc7515-A.2.jwk.json", "\"kid\":\"a2\"",
			      "rsa2048-gen.jwk.json", "", NULL);
	char *two_nokid =
	    jwks_text("rfc7515-A.2.jwk.json", "", "rsa2048-gen.jwk.json",
		      "\"kid\":null", NULL);
	char *mixed =
	    jwks_text("rfc7515-A.3.jwk.json", "", "rfc7515-A.2.jwk.json", "",
		      "rfc8037-A.4.jwk.json", "", NULL);
	struct jwk_set *set = load_set(two);
	struct jwk_set *set2 = NULL;
	struct jwk_set *set3 = load_set(mixed);
	struct oidc_err e;
	(void)state;

	expect_reject(check_token(nope, set, algs_all, &e), &e,
		      "kid: no key \"nope\" in the provider's JWKS");
	assert_true(jwks_has_kid(set, "a2"));
	assert_true(jwks_has_kid(set, "rsa-gen"));
	assert_false(jwks_has_kid(set, "nope"));
	assert_false(jwks_has_kid(set, NULL));
	/* by kid, whichever position */
	expect_ok(check_token(gen, set, algs_all, &e), &e);
	/* no kid and two RSA keys: ambiguous, not "try them all" */
	expect_reject(check_token(a2, set, algs_all, &e), &e,
		      "kid: the token has no kid and 2 keys in the JWKS fit "
		      "alg RS256");
	/* kid null is not a kid: the key is skipped */
	oidc_err_clear(&e);
	assert_int_equal(jwks_parse(two_nokid, strlen(two_nokid), &set2, &e),
			 OIDC_OK);
	assert_int_equal(jwks_count(set2), 1);
	expect_ok(check_token(a2, set2, algs_all, &e), &e);
	/* no kid, one key of each type: the RSA one is taken */
	expect_ok(check_token(a2, set3, algs_all, &e), &e);
	jwks_free(set3);
	jwks_free(set2);
	jwks_free(set);
	free(mixed);
	free(two_nokid);
	free(two);
	free(gen);
	free(nope);
	free(a2);
}

static void test_key_use_ops_alg(void **state)
{
	static const struct {
		const char *extra;
		const char *want; /* NULL: verifies */
	} cases[] = {
	    {"\"use\":\"enc\"",
	     "key use: key \"(no kid)\" has use \"enc\", not \"sig\""},
	    {"\"use\":\"enc\",\"kid\":\"e1\"",
	     "key use: key \"e1\" has use \"enc\""},
	    {"\"use\":\"sig\\n\",\"kid\":\"e\\u001b\"",
	     "key use: key \"e?\" has use \"sig?\""},
	    {"\"key_ops\":[\"encrypt\",\"wrapKey\"]",
	     "key ops: key \"(no kid)\" key_ops does not allow \"verify\""},
	    {"\"key_ops\":[]", "key ops: key \"(no kid)\" key_ops does not"},
	    {"\"alg\":\"RS512\"",
	     "key alg: key \"(no kid)\" is for alg RS512, token uses RS256"},
	    {"\"alg\":\"PS256\"", "key alg: key \"(no kid)\" is for alg PS256"},
	    {"\"use\":\"sig\"", NULL},
	    {"\"key_ops\":[\"verify\"]", NULL},
	    {"\"key_ops\":[\"sign\",\"verify\"]", NULL},
	    {"\"alg\":\"RS256\",\"use\":\"sig\",\"kid\":\"x\"", NULL},
	};
	char *a2 = vec("rfc7515-A.2.jws");
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct jwk_set *set =
		    set1("rfc7515-A.2.jwk.json", cases[i].extra);
		struct oidc_err e;
		int rc = check_token(a2, set, algs_all, &e);

		if (cases[i].want == NULL)
			expect_ok(rc, &e);
		else
			expect_reject(rc, &e, cases[i].want);
		jwks_free(set);
	}
	free(a2);
}

static void test_rsa_1024_refused(void **state)
{
	char *tok = vec("rsa1024-RS256.jws");
	struct jwk_set *set = set1("rsa1024.jwk.json", "");
	struct jws *jws = NULL;
	struct oidc_err e;
	(void)state;

	/* the key loads (so the reason can be precise) ... */
	assert_int_equal(jwks_count(set), 1);
	assert_true(jwks_has_kid(set, "weak"));
	/* ... the token is well formed ... */
	oidc_err_clear(&e);
	assert_int_equal(jws_parse(tok, strlen(tok), &jws, &e), OIDC_OK);
	assert_int_equal(jws->sig_len, 128);
	jws_free(jws);
	/* ... and refused for the key size alone */
	expect_reject(check_token(tok, set, algs_all, &e), &e,
		      "key size: RSA key \"weak\" has 1024 bits, at least 2048 "
		      "required");
	jwks_free(set);
	free(tok);
}

static void test_oversized_token(void **state)
{
	char *a2 = vec("rfc7515-A.2.jws");
	struct jwk_set *set = set1("rfc7515-A.2.jwk.json", "");
	size_t n = JWS_MAX_COMPACT + 1;
	char *big = malloc(n + 1);
	struct jws *jws = NULL;
	struct oidc_err e;
	char want[80];
	(void)state;

	assert_non_null(big);
	memset(big, 'A', n);
	memcpy(big, a2, strlen(a2)); /* a real token, padded with junk */
	big[n] = '\0';
	snprintf(want, sizeof(want),
		 "token size: token is %zu bytes, at most %d accepted", n,
		 JWS_MAX_COMPACT);
	oidc_err_clear(&e);
	expect_reject(jws_parse(big, n, &jws, &e), &e, want);
	assert_null(jws);
	/* a NUL inside the given length is not a terminator */
	memcpy(big, a2, strlen(a2) + 1);
	oidc_err_clear(&e);
	expect_reject(jws_parse(big, strlen(a2) + 1, &jws, &e), &e,
		      "base64url: token signature has byte 0x00");
	free(big);
	jwks_free(set);
	free(a2);
}

/* ------------------------------------------------------------------------ */
/* JWKS parsing                                                             */

static void test_jwks_documents(void **state)
{
	static const struct {
		const char *doc;
		const char *want;
	} bad[] = {
	    {"[]", "jwks: JWKS document must be a JSON object"},
	    {"{}", "jwks: the JWKS document has no \"keys\" array"},
	    {"{\"keys\":{}}", "jwks: the JWKS document has no \"keys\" array"},
	    {"{\"keys\":[],\"keys\":[]}",
	     "jwks: JWKS document repeats the member name \"keys\""},
	    {"{\"keys\":[]} x", "jwks: JWKS document has trailing data at "
				"offset 12"},
	    {"{\"keys\":[]}{}", "jwks: JWKS document has trailing data at "
				"offset 11"},
	};
	struct jwk_set *set = NULL;
	struct oidc_err e;
	char *many;
	size_t cap = 64 * (JWKS_MAX_KEYS + 2);
	size_t n = 0;
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		oidc_err_clear(&e);
		expect_reject(
		    jwks_parse(bad[i].doc, strlen(bad[i].doc), &set, &e), &e,
		    bad[i].want);
		assert_null(set);
	}
	set = load_set("{\"keys\":[]}");
	assert_int_equal(jwks_count(set), 0);
	jwks_free(set);

	/* the cap on the number of keys */
	many = malloc(cap);
	assert_non_null(many);
	n += (size_t)snprintf(many + n, cap - n, "{\"keys\":[");
	for (int i = 0; i <= JWKS_MAX_KEYS; i++)
		n += (size_t)snprintf(many + n, cap - n, "%s{\"kty\":\"oct\"}",
				      i ? "," : "");
	snprintf(many + n, cap - n, "]}");
	oidc_err_clear(&e);
	expect_reject(jwks_parse(many, strlen(many), &set, &e), &e,
		      "jwks: the JWKS document has 65 keys, at most 64 "
		      "supported");
	free(many);
}

static void test_jwks_skips_bad_keys(void **state)
{
	char *a3 = vec("rfc7515-A.3.jws");
	char *a3_kid = with_header("{\"alg\":\"ES256\",\"kid\":\"bad\"}", a3);
	char *a2 = vec("rfc7515-A.2.jws");
	char *a2_kid = with_header("{\"alg\":\"RS256\",\"kid\":\"priv\"}", a2);
	char *doc;
	struct jwk_set *set;
	struct oidc_err e;
	(void)state;

	/* unknown kty and symmetric keys are skipped, the others still work */
	doc = jwks_text("rfc7515-A.2.jwk.json", "", "rfc7515-A.3.jwk.json",
			"\"kty\":\"oct\",\"k\":\"AyM1\"",
			"rfc7515-A.3.jwk.json", "\"kty\":\"EC2\"", NULL);
	set = load_set(doc);
	assert_int_equal(jwks_count(set), 1);
	expect_ok(check_token(a2, set, algs_all, &e), &e);
	jwks_free(set);
	free(doc);

	/* a point that is not on the curve (y changed) */
	set = load_set(
	    "{\"keys\":[{\"kty\":\"EC\",\"kid\":\"bad\",\"crv\":\"P-256\","
	    "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
	    "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a4\"}]}");
	assert_int_equal(jwks_count(set), 0);
	assert_true(jwks_has_kid(set, "bad")); /* known kid, unusable key */
	expect_reject(check_token(a3_kid, set, algs_all, &e), &e,
		      "key invalid: key \"bad\" in the JWKS is unusable: EC "
		      "point is not on curve P-256");
	jwks_free(set);

	/* wrong coordinate length, unsupported curves, bad members */
	set = load_set(
	    "{\"keys\":["
	    "{\"kty\":\"EC\",\"kid\":\"bad\",\"crv\":\"P-256\","
	    "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRAA\","
	    "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"},"
	    "{\"kty\":\"EC\",\"crv\":\"secp256k1\",\"x\":\"AA\",\"y\":\"AA\"},"
	    "{\"kty\":\"OKP\",\"crv\":\"Ed448\",\"x\":\"AA\"},"
	    "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"AAAA\"},"
	    "{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"},"
	    "{\"kty\":\"RSA\",\"n\":\"AQAB\"},"
	    "{\"kty\":\"RSA\",\"n\":\"AQ==\",\"e\":\"AQAB\"},"
	    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"use\":1},"
	    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"key_ops\":\"verify\"},"
	    "{\"kty\":1},\"not a key\",{}"
	    "]}");
	assert_int_equal(jwks_count(set), 0);
	expect_reject(check_token(a3_kid, set, algs_all, &e), &e,
		      "key invalid: key \"bad\" in the JWKS is unusable: EC "
		      "P-256 coordinates must be 32 bytes, got x 31, y 32");
	jwks_free(set);

	/* RSA: even exponent, and exponent 1 */
	set = load_set(
	    "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"priv\",\"e\":\"AQAA\","
	    "\"n\":\"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_"
	    "wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-"
	    "yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-"
	    "bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-"
	    "UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_"
	    "I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_"
	    "h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ\"},"
	    "{\"kty\":\"RSA\",\"kid\":\"one\",\"e\":\"AQ\","
	    "\"n\":\"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_"
	    "wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-"
	    "yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-"
	    "bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-"
	    "UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_"
	    "I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_"
	    "h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ\"}]}");
	assert_int_equal(jwks_count(set), 0);
	expect_reject(check_token(a2_kid, set, algs_all, &e), &e,
		      "key invalid: key \"priv\" in the JWKS is unusable: RSA "
		      "modulus or exponent is not a valid public key");
	jwks_free(set);
	free(a3_kid);
	free(a3);

	/* a published private key is a compromised key: skipped */
	{
		char *full = vec("rfc7515-A.2.jwk.json");
		size_t n = strlen(full) + 64;
		char *d = malloc(n);

		assert_non_null(d);
		/* the RFC JWK as is, with a kid added */
		snprintf(d, n, "{\"keys\":[{\"kid\":\"priv\",%s]}", full + 1);
		set = load_set(d);
		assert_int_equal(jwks_count(set), 0);
		expect_reject(check_token(a2_kid, set, algs_all, &e), &e,
			      "key invalid: key \"priv\" in the JWKS is "
			      "unusable: key publishes private member \"d\"");
		jwks_free(set);
		free(d);
		free(full);
	}
	free(a2_kid);
	free(a2);
}

static void test_null_arguments(void **state)
{
	struct jws *jws = NULL;
	struct jwk_set *set = NULL;
	struct oidc_err e;
	(void)state;

	oidc_err_clear(&e);
	assert_int_equal(jws_parse(NULL, 0, &jws, &e), OIDC_EREJECT);
	assert_int_equal(jwks_parse(NULL, 0, &set, NULL), OIDC_EREJECT);
	assert_null(set);
	oidc_err_clear(&e);
	assert_int_equal(jws_verify(NULL, NULL, algs_all, &e), OIDC_EINTERNAL);
	assert_int_equal(jwks_count(NULL), 0);
	assert_false(jwks_has_kid(NULL, "x"));
	jws_free(NULL);
	jwks_free(NULL);
	assert_null(b64url_encode(NULL, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_b64url),
	    cmocka_unit_test(test_rfc7515_a2_rs256),
	    cmocka_unit_test(test_rfc7515_a2_wrong_key),
	    cmocka_unit_test(test_rfc7515_a2_tampered),
	    cmocka_unit_test(test_rfc7515_a3_es256),
	    cmocka_unit_test(test_rfc7515_a4_es512),
	    cmocka_unit_test(test_rfc8037_a4_ed25519),
	    cmocka_unit_test(test_generated_algs),
	    cmocka_unit_test(test_alg_none),
	    cmocka_unit_test(test_hs256_key_confusion),
	    cmocka_unit_test(test_kty_mismatch),
	    cmocka_unit_test(test_ecdsa_der_signature),
	    cmocka_unit_test(test_alg_not_allowed),
	    cmocka_unit_test(test_header_rules),
	    cmocka_unit_test(test_bad_base64url),
	    cmocka_unit_test(test_wrong_part_count),
	    cmocka_unit_test(test_kid_selection),
	    cmocka_unit_test(test_key_use_ops_alg),
	    cmocka_unit_test(test_rsa_1024_refused),
	    cmocka_unit_test(test_oversized_token),
	    cmocka_unit_test(test_jwks_documents),
	    cmocka_unit_test(test_jwks_skips_bad_keys),
	    cmocka_unit_test(test_null_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
