/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the JWS path: jws_parse + jws_verify against a fixed
 * JWKS built from the RFC 7515 / RFC 8037 example keys.  An input starting
 * with '{' is taken as a JWKS document instead, and a fixed RFC 7515 A.2
 * token is verified against whatever it yields.  An input starting with '#'
 * is "header\npayload\nsignature" in raw bytes, base64url-encoded here, so
 * that the fuzzer reaches the header rules and key selection quickly.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *     helper/error.c helper/json.c helper/jose.c tests/fuzz/fuzz_jws.c \
 *     $(pkg-config --cflags --libs json-c libcrypto) -lm -o fuzz_jws
 *   ./fuzz_jws -max_len=4096 corpus/ tests/vectors/
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../helper/jose.h"
#include "../../helper/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char jwks_doc[] =
    "{\"keys\":[{\"kty\":\"RSA\",\"n\":\"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_"
    "wWJcy"
    "QoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd"
    "2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kp"
    "aSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY"
    "4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj"
    "8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ\",\"e\":\"AQAB\"},{\"kty\":"
    "\"RSA\","
    "\"n\":\"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmf"
    "HQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwO"
    "WvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsL"
    "A9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4L"
    "T6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDT"
    "W9gb54h4FRWyuXpoQ\",\"e\":\"AQAB\",\"kid\":\"rsa1\",\"use\":\"sig\","
    "\"alg\":\"RS25"
    "6\"},{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":"
    "\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8"
    "Tus9uPHvRVEU\",\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"},{"
    "\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":"
    "\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9u"
    "PHvRVEU\",\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\",\"kid\":\""
    "ec1\",\"key_ops\":[\"verify\"]},{\"kty\":\"EC\",\"crv\":\"P-521\",\"x\":"
    "\"AekpBQ8S"
    "T8a8VcfVOTNl353vSrDCLLJXmPk06wTjxrrjcBpXp5EOnYG_NjFZ6OvLFV1jSfS9ts"
    "z4qUxcWceqwQGk\",\"y\":\"ADSmRA43Z1DSNx_RvcLI87cdL07l6jQyyBXMoxVg_l2Th"
    "-x3S1WDhjDly79ajL4Kkd0AZMaZmh9ubmf63e3kyMj2\",\"kid\":\"ec521\"},{\"kty\""
    ":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_"
    "7TyWQHOg7hcvPapiMlrwIaaP"
    "cHURo\"},{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_"
    "7TyWQHOg7h"
    "cvPapiMlrwIaaPcHURo\",\"kid\":\"ed1\",\"use\":\"enc\"}]}";

static const char a2_token[] =
    "eyJhbGciOiJSUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt"
    "cGxlLmNvbS9pc19yb290Ijp0cnVlfQ."
    "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7"
    "AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4"
    "BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K"
    "0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqv"
    "hJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrB"
    "p0igcN_IoypGlUPQGe77Rw";

static const char *const allowed[] = {
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
    "ES256", "ES384", "ES512", "EdDSA", NULL,
};

static struct jwk_set *fixed_set;

static void check_reason(const struct oidc_err *e, int rc)
{
	/* every failure says why; success leaves no reason */
	if (rc != OIDC_OK && ((int)e->rc != rc || e->reason[0] == '\0'))
		abort();
	if (rc == OIDC_OK && e->rc != OIDC_OK)
		abort();
}

static void fuzz_token(const char *buf, size_t len, const struct jwk_set *set)
{
	struct jws *jws = NULL;
	struct oidc_err e;
	int rc;

	oidc_err_clear(&e);
	rc = jws_parse(buf, len, &jws, &e);
	check_reason(&e, rc);
	if (rc != OIDC_OK) {
		if (jws != NULL)
			abort();
		return;
	}
	if (jws == NULL || jws->header == NULL || jws->payload == NULL ||
	    jws->alg == NULL || jws->sig_len == 0 ||
	    jws->signing_input_len >= len ||
	    memcmp(jws->signing_input, buf, jws->signing_input_len) != 0)
		abort();
	rc = jws_verify(jws, set, allowed, &e);
	check_reason(&e, rc);
	jws_free(jws);
}

static void fuzz_raw_parts(const char *p, size_t n)
{
	const char *part[3] = {p, NULL, NULL};
	size_t len[3] = {n, 0, 0};
	char *enc[3] = {NULL, NULL, NULL};
	char *tok = NULL;
	size_t total = 0;

	for (int i = 1; i < 3; i++) {
		const char *nl = memchr(part[i - 1], '\n', len[i - 1]);

		if (nl == NULL)
			return;
		part[i] = nl + 1;
		len[i] = len[i - 1] - (size_t)(nl + 1 - part[i - 1]);
		len[i - 1] = (size_t)(nl - part[i - 1]);
	}
	for (int i = 0; i < 3; i++) {
		enc[i] = b64url_encode((const unsigned char *)part[i], len[i]);
		if (enc[i] == NULL)
			goto out;
		total += strlen(enc[i]) + 1;
	}
	tok = malloc(total);
	if (tok == NULL)
		goto out;
	snprintf(tok, total, "%s.%s.%s", enc[0], enc[1], enc[2]);
	fuzz_token(tok, strlen(tok), fixed_set);
out:
	free(tok);
	for (int i = 0; i < 3; i++)
		free(enc[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf;

	if (fixed_set == NULL) {
		struct oidc_err e;

		oidc_err_clear(&e);
		if (jwks_parse(jwks_doc, strlen(jwks_doc), &fixed_set, &e) !=
			OIDC_OK ||
		    jwks_count(fixed_set) != 7)
			abort();
	}
	/* exact-size copy so ASan sees any read past the end */
	buf = malloc(size ? size : 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);

	if (size > 0 && buf[0] == '{') {
		struct jwk_set *set = NULL;
		struct oidc_err e;
		int rc;

		oidc_err_clear(&e);
		rc = jwks_parse(buf, size, &set, &e);
		check_reason(&e, rc);
		if (rc == OIDC_OK) {
			(void)jwks_has_kid(set, "rsa1");
			(void)jwks_count(set);
			fuzz_token(a2_token, strlen(a2_token), set);
		} else if (set != NULL) {
			abort();
		}
		jwks_free(set);
	} else if (size > 0 && buf[0] == '#') {
		fuzz_raw_parts(buf + 1, size - 1);
	} else {
		fuzz_token(buf, size, fixed_set);
	}
	free(buf);
	return 0;
}
