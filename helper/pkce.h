/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Proof Key for Code Exchange (RFC 7636), S256 only, and the other random
 * values of an authorization request (state, nonce).  Every value is the
 * base64url encoding (no padding) of 32 bytes from the OpenSSL CSPRNG:
 * 43 characters of [A-Za-z0-9_-], 256 bits.
 */
#ifndef PAM_OIDC_PKCE_H
#define PAM_OIDC_PKCE_H

#include <stdbool.h>
#include <stddef.h>

#define PKCE_VERIFIER_BYTES 32
#define PKCE_VERIFIER_LEN 43  /* base64url of 32 bytes (RFC 7636 §4.1) */
#define PKCE_CHALLENGE_LEN 43 /* base64url of a SHA-256 digest */
#define OAUTH_RANDOM_BYTES 32 /* state and nonce: 256 bits */
#define OAUTH_RANDOM_LEN 43

struct pkce {
	char verifier[PKCE_VERIFIER_LEN + 1];
	char challenge[PKCE_CHALLENGE_LEN + 1];
};

/* base64url without padding of in[0..n) into out (outsize >= 4*n/3 + 2).
 * Returns the length written, or 0 when out is too small. */
size_t b64url_encode_buf(const unsigned char *in, size_t n, char *out,
			 size_t outsize);

/* out (>= OAUTH_RANDOM_LEN + 1 bytes) = base64url(32 random bytes).
 * Returns 0, or -1 when the random generator fails. */
int oauth_random(char *out, size_t outsize);

/* A verifier is 43..128 characters of [A-Za-z0-9-._~] (RFC 7636 §4.1). */
bool pkce_verifier_valid(const char *verifier);

/* challenge = BASE64URL(SHA256(ASCII(verifier))) (RFC 7636 §4.2); out holds
 * at least PKCE_CHALLENGE_LEN + 1 bytes.  Returns 0, or -1 for an invalid
 * verifier or a digest failure. */
int pkce_challenge_s256(const char *verifier, char *out, size_t outsize);

/* The verifier from these 32 bytes, and its challenge. */
int pkce_from_bytes(const unsigned char bytes[PKCE_VERIFIER_BYTES],
		    struct pkce *p);

/* A fresh verifier from 32 random bytes, and its challenge.  0 or -1. */
int pkce_new(struct pkce *p);

/* Wipe the verifier and the challenge. */
void pkce_wipe(struct pkce *p);

#endif
