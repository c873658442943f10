/* SPDX-License-Identifier: BSD-3-Clause */
#include "pkce.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

static const char b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t b64url_encode_buf(const unsigned char *in, size_t n, char *out,
			 size_t outsize)
{
	size_t need = n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
	size_t i, o = 0;

	if (outsize < need + 1)
		return 0;
	for (i = 0; i + 2 < n; i += 3) {
		unsigned long v = (unsigned long)in[i] << 16 |
				  (unsigned long)in[i + 1] << 8 | in[i + 2];

		out[o++] = b64url_alphabet[(v >> 18) & 63];
		out[o++] = b64url_alphabet[(v >> 12) & 63];
		out[o++] = b64url_alphabet[(v >> 6) & 63];
		out[o++] = b64url_alphabet[v & 63];
	}
	if (n - i == 1) {
		unsigned long v = (unsigned long)in[i] << 16;

		out[o++] = b64url_alphabet[(v >> 18) & 63];
		out[o++] = b64url_alphabet[(v >> 12) & 63];
	} else if (n - i == 2) {
		unsigned long v =
		    (unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8;

		out[o++] = b64url_alphabet[(v >> 18) & 63];
		out[o++] = b64url_alphabet[(v >> 12) & 63];
		out[o++] = b64url_alphabet[(v >> 6) & 63];
	}
	out[o] = '\0';
	return o;
}

int oauth_random(char *out, size_t outsize)
{
	unsigned char raw[OAUTH_RANDOM_BYTES];
	int rc = -1;

	if (outsize < OAUTH_RANDOM_LEN + 1)
		return -1;
	if (RAND_bytes(raw, sizeof(raw)) != 1)
		goto out;
	if (b64url_encode_buf(raw, sizeof(raw), out, outsize) !=
	    OAUTH_RANDOM_LEN)
		goto out;
	rc = 0;
out:
	OPENSSL_cleanse(raw, sizeof(raw));
	return rc;
}

bool pkce_verifier_valid(const char *v)
{
	size_t n;

	if (v == NULL)
		return false;
	n = strlen(v);
	if (n < 43 || n > 128)
		return false;
	/* unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~" */
	return strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789-._~") == n;
}

int pkce_challenge_s256(const char *verifier, char *out, size_t outsize)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int rc = -1;

	if (!pkce_verifier_valid(verifier) || outsize < PKCE_CHALLENGE_LEN + 1)
		return -1;
	if (EVP_Digest(verifier, strlen(verifier), md, &mdlen, EVP_sha256(),
		       NULL) != 1 ||
	    mdlen != 32)
		goto out;
	if (b64url_encode_buf(md, mdlen, out, outsize) != PKCE_CHALLENGE_LEN)
		goto out;
	rc = 0;
out:
	OPENSSL_cleanse(md, sizeof(md));
	return rc;
}

int pkce_from_bytes(const unsigned char bytes[PKCE_VERIFIER_BYTES],
		    struct pkce *p)
{
	if (b64url_encode_buf(bytes, PKCE_VERIFIER_BYTES, p->verifier,
			      sizeof(p->verifier)) != PKCE_VERIFIER_LEN ||
	    pkce_challenge_s256(p->verifier, p->challenge,
				sizeof(p->challenge)) != 0) {
		pkce_wipe(p);
		return -1;
	}
	return 0;
}

int pkce_new(struct pkce *p)
{
	unsigned char raw[PKCE_VERIFIER_BYTES];
	int rc = -1;

	memset(p, 0, sizeof(*p));
	if (RAND_bytes(raw, sizeof(raw)) != 1)
		goto out;
	rc = pkce_from_bytes(raw, p);
out:
	OPENSSL_cleanse(raw, sizeof(raw));
	return rc;
}

void pkce_wipe(struct pkce *p)
{
	OPENSSL_cleanse(p, sizeof(*p));
}
