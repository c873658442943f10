/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * make bench: ID-token verifications per second, RS256, ES256 and EdDSA.
 *
 * For each algorithm the same run measures
 *   floor  a bare OpenSSL EVP_DigestVerify over the token's signing input
 *          with a ready EVP_PKEY (what any verifier must at least do), and
 *   full   verify_id_token_with_keys(): base64url and strict JSON parsing,
 *          every header rule, key selection, the signature, and every claim
 *          rule (iss, aud, azp, exp, nbf, iat, sub, auth_time, role, NPI,
 *          fhirUser), with the key set already parsed (a warm key cache).
 * Rounds alternate floor and full; the best round of each is reported, and
 * the ratio full / floor in time per verification.  The target for RS256 is
 * a ratio of at most 1.15.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "claims.h"
#include "config.h"
#include "jose.h"
#include "login.h"
#include "util.h"

#define ROUNDS 5
#define MIN_ROUND_NS 300000000LL /* each round runs at least 0.3 s */

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "bench: %s\n", what);
	exit(2);
}

static char *b64(const unsigned char *p, size_t n)
{
	char *s = b64url_encode(p, n);

	if (s == NULL)
		die("out of memory");
	return s;
}

static char *bn_b64(EVP_PKEY *k, const char *param, size_t pad)
{
	BIGNUM *bn = NULL;
	unsigned char buf[1024];
	int len;

	if (!EVP_PKEY_get_bn_param(k, param, &bn))
		die("EVP_PKEY_get_bn_param");
	len = pad ? BN_bn2binpad(bn, buf, (int)pad) : BN_bn2bin(bn, buf);
	BN_free(bn);
	if (len <= 0)
		die("BN_bn2bin");
	return b64(buf, (size_t)len);
}

struct algcase {
	const char *alg;
	const char *kid;
	EVP_PKEY *key;
	const EVP_MD *md; /* NULL for Ed25519 */
	char *jwk;        /* public JWK JSON */
	char *token;
	unsigned char *sig_der; /* what EVP_DigestVerify takes */
	size_t sig_der_len;
	char *signing_input;
};

static void make_key(struct algcase *c)
{
	char *x, *y, *n, *e;
	unsigned char raw[64];
	size_t rawlen = sizeof(raw);
	char buf[2048];

	if (strcmp(c->alg, "RS256") == 0) {
		c->key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
		c->md = EVP_sha256();
		n = bn_b64(c->key, OSSL_PKEY_PARAM_RSA_N, 0);
		e = bn_b64(c->key, OSSL_PKEY_PARAM_RSA_E, 0);
		snprintf(buf, sizeof(buf),
			 "{\"kty\":\"RSA\",\"kid\":\"%s\",\"use\":\"sig\","
			 "\"alg\":\"RS256\",\"n\":\"%s\",\"e\":\"%s\"}",
			 c->kid, n, e);
		free(n);
		free(e);
	} else if (strcmp(c->alg, "ES256") == 0) {
		c->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		c->md = EVP_sha256();
		x = bn_b64(c->key, OSSL_PKEY_PARAM_EC_PUB_X, 32);
		y = bn_b64(c->key, OSSL_PKEY_PARAM_EC_PUB_Y, 32);
		snprintf(buf, sizeof(buf),
			 "{\"kty\":\"EC\",\"kid\":\"%s\",\"crv\":\"P-256\","
			 "\"x\":\"%s\",\"y\":\"%s\"}",
			 c->kid, x, y);
		free(x);
		free(y);
	} else {
		c->key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		c->md = NULL;
		if (!EVP_PKEY_get_raw_public_key(c->key, raw, &rawlen))
			die("raw public key");
		x = b64(raw, rawlen);
		snprintf(buf, sizeof(buf),
			 "{\"kty\":\"OKP\",\"kid\":\"%s\",\"crv\":\"Ed25519\","
			 "\"x\":\"%s\"}",
			 c->kid, x);
		free(x);
	}
	if (c->key == NULL)
		die("key generation");
	c->jwk = strdup(buf);
}

/* DER ECDSA signature -> JOSE r||s */
static size_t der_to_raw(const unsigned char *der, size_t len,
			 unsigned char *out)
{
	const unsigned char *p = der;
	ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)len);
	const BIGNUM *r, *ss;

	if (s == NULL)
		die("d2i_ECDSA_SIG");
	ECDSA_SIG_get0(s, &r, &ss);
	BN_bn2binpad(r, out, 32);
	BN_bn2binpad(ss, out + 32, 32);
	ECDSA_SIG_free(s);
	return 64;
}

static void make_token(struct algcase *c, const char *payload_json)
{
	char header[128];
	char *h, *p, *sig64;
	unsigned char sig[512], raw[64];
	size_t siglen = sizeof(sig);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	struct strbuf sb;

	snprintf(header, sizeof(header),
		 "{\"alg\":\"%s\",\"kid\":\"%s\",\"typ\":\"JWT\"}", c->alg,
		 c->kid);
	h = b64((const unsigned char *)header, strlen(header));
	p = b64((const unsigned char *)payload_json, strlen(payload_json));
	sb_init(&sb);
	sb_add(&sb, h);
	sb_addc(&sb, '.');
	sb_add(&sb, p);
	c->signing_input = sb_steal(&sb);
	if (ctx == NULL || c->signing_input == NULL ||
	    EVP_DigestSignInit(ctx, NULL, c->md, NULL, c->key) != 1 ||
	    EVP_DigestSign(ctx, sig, &siglen,
			   (const unsigned char *)c->signing_input,
			   strlen(c->signing_input)) != 1)
		die("signing");
	EVP_MD_CTX_free(ctx);
	c->sig_der = malloc(siglen);
	memcpy(c->sig_der, sig, siglen);
	c->sig_der_len = siglen;
	if (strcmp(c->alg, "ES256") == 0)
		sig64 = b64(raw, der_to_raw(sig, siglen, raw));
	else
		sig64 = b64(sig, siglen);
	sb_init(&sb);
	sb_add(&sb, c->signing_input);
	sb_addc(&sb, '.');
	sb_add(&sb, sig64);
	c->token = sb_steal(&sb);
	free(h);
	free(p);
	free(sig64);
}

/* noinline: make bench counts instructions of these two by name
 * (valgrind --toggle-collect) */
__attribute__((noinline)) static long run_floor(const struct algcase *c,
						long iters)
{
	long i, ok = 0;
	size_t len = strlen(c->signing_input);

	for (i = 0; i < iters; i++) {
		EVP_MD_CTX *ctx = EVP_MD_CTX_new();

		if (ctx != NULL &&
		    EVP_DigestVerifyInit(ctx, NULL, c->md, NULL, c->key) == 1 &&
		    EVP_DigestVerify(ctx, c->sig_der, c->sig_der_len,
				     (const unsigned char *)c->signing_input,
				     len) == 1)
			ok++;
		EVP_MD_CTX_free(ctx);
	}
	return ok;
}

__attribute__((noinline)) static long run_full(struct login *l,
					       const struct algcase *c,
					       const struct jwk_set *keys,
					       long iters)
{
	long i, ok = 0;

	for (i = 0; i < iters; i++) {
		oidc_err_clear(&l->err);
		if (verify_id_token_with_keys(l, c->token, keys) == OIDC_OK)
			ok++;
	}
	return ok;
}

/* ns per operation of the best of ROUNDS rounds, each at least
 * MIN_ROUND_NS long */
static double measure(struct login *l, const struct algcase *c,
		      const struct jwk_set *keys, double *floor_ns,
		      double *full_ns)
{
	long iters = 64;
	int r;

	/* calibrate on the floor */
	for (;;) {
		long long t0 = now_ns();

		run_floor(c, iters);
		if (now_ns() - t0 > MIN_ROUND_NS / 4)
			break;
		iters *= 2;
	}
	iters *= 4;
	*floor_ns = *full_ns = 1e30;
	for (r = 0; r < ROUNDS; r++) {
		long long t0 = now_ns();
		double d;

		if (run_floor(c, iters) != iters)
			die("floor verification failed");
		d = (double)(now_ns() - t0) / (double)iters;
		if (d < *floor_ns)
			*floor_ns = d;
		t0 = now_ns();
		if (run_full(l, c, keys, iters) != iters) {
			fprintf(stderr, "bench: %s: %s\n", c->alg,
				l->err.reason);
			die("full verification failed");
		}
		d = (double)(now_ns() - t0) / (double)iters;
		if (d < *full_ns)
			*full_ns = d;
	}
	return *full_ns / *floor_ns;
}

int main(int argc, char **argv)
{
	/* --count N ALG: N verifications of each kind for one algorithm,
	 * untimed, for an instruction count under valgrind */
	const char *only = NULL;
	long count = 0;
	struct algcase cases[] = {
		{.alg = "RS256", .kid = "rsa1"},
		{.alg = "ES256", .kid = "ec1"},
		{.alg = "EdDSA", .kid = "ed1"},
	};
	struct oidc_config cfg;
	struct oidc_err e;
	struct jwk_set *keys = NULL;
	struct login l;
	struct strbuf sb;
	char payload[1024];
	char *jwks;
	long now = (long)time(NULL);
	size_t i;

	if (argc == 4 && strcmp(argv[1], "--count") == 0) {
		char *end = NULL;

		errno = 0;
		count = strtol(argv[2], &end, 10);
		if (errno != 0 || end == argv[2] || *end != '\0' || count < 1 ||
		    count > 1000000)
			die("--count takes a number from 1 to 1000000");
		only = argv[3];
	} else if (argc != 1) {
		die("usage: bench_verify [--count N RS256|ES256|EdDSA]");
	}
	oidc_err_clear(&e);
	if (config_defaults(&cfg, &e) != OIDC_OK)
		die(e.reason);
	cfg.issuer = strdup("https://ehr-idp.example.org/realms/clinical");
	cfg.client_id = strdup("workstation");
	cfg.role_claim = strdup("practitioner_role");
	cfg.allowed_roles = calloc(3, sizeof(char *));
	cfg.allowed_roles[0] = strdup("physician");
	cfg.allowed_roles[1] = strdup("nurse");
	cfg.npi_claim = strdup("npi");
	cfg.require_npi = true;
	cfg.max_auth_age = 600;
	cfg.fhir_user_types = calloc(2, sizeof(char *));
	cfg.fhir_user_types[0] = strdup("Practitioner");

	snprintf(payload, sizeof(payload),
		 "{\"iss\":\"https://ehr-idp.example.org/realms/clinical\","
		 "\"sub\":\"f1c2a7e0-4b8d-4a51-9d0e-2a1f5c3b7d19\","
		 "\"aud\":\"workstation\",\"azp\":\"workstation\","
		 "\"exp\":%ld,\"iat\":%ld,\"auth_time\":%ld,"
		 "\"preferred_username\":\"alice\",\"name\":\"Alice Example\","
		 "\"practitioner_role\":[\"physician\"],\"npi\":\"1234567893\","
		 "\"fhirUser\":\"Practitioner/alice\"}",
		 now + 3600, now, now);

	sb_init(&sb);
	sb_add(&sb, "{\"keys\":[");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		make_key(&cases[i]);
		make_token(&cases[i], payload);
		sb_add(&sb, i ? "," : "");
		sb_add(&sb, cases[i].jwk);
	}
	sb_add(&sb, "]}");
	jwks = sb_steal(&sb);
	if (jwks_parse(jwks, strlen(jwks), &keys, &e) != OIDC_OK)
		die(e.reason);

	memset(&l, 0, sizeof(l));
	l.cfg = &cfg;
	l.flow = FLOW_TOKEN;
	l.started = (time_t)now;

	if (count > 0) {
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			if (strcmp(cases[i].alg, only) != 0)
				continue;
			if (run_floor(&cases[i], count) != count ||
			    run_full(&l, &cases[i], keys, count) != count)
				die("verification failed");
		}
		goto done;
	}
	printf("ID-token verification, best of %d rounds (OpenSSL %s)\n",
	       ROUNDS, OpenSSL_version(OPENSSL_VERSION_STRING));
	printf("%-6s %16s %16s %8s\n", "alg", "floor verif/s", "full verif/s",
	       "ratio");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double fl, fu, ratio;

		ratio = measure(&l, &cases[i], keys, &fl, &fu);
		printf("%-6s %16.0f %16.0f %8.3f%s\n", cases[i].alg, 1e9 / fl,
		       1e9 / fu, ratio,
		       i == 0 ? (ratio <= 1.15 ? "  (target <= 1.15: met)"
					       : "  (target <= 1.15: MISSED)")
			      : "");
	}
	printf("floor: EVP_DigestVerify over the same signing input with a "
	       "ready key; full: parse, every header and claim rule, key "
	       "selection, signature.\n");
done:
	login_free(&l);
	jwks_free(keys);
	free(jwks);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		EVP_PKEY_free(cases[i].key);
		free(cases[i].jwk);
		free(cases[i].token);
		free(cases[i].sig_der);
		free(cases[i].signing_input);
	}
	config_free(&cfg);
	return 0;
}
