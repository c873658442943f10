/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the code flow's redirect parsers: the configured
 * redirect_uri, the response query (loopback request or pasted address)
 * and a pasted answer.  The first byte picks the parser; the rest is the
 * input.  Whatever is accepted must hold the parsers' promises.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../helper/loopback.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_visible(const char *s, bool space_ok)
{
	for (; s != NULL && *s; s++)
		if ((unsigned char)*s < (space_ok ? 0x20 : 0x21) ||
		    (unsigned char)*s > 0x7e)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct redirect_target t;
	struct authz_resp r;
	const char *why = NULL;
	char *s;
	int rc;

	if (size < 1)
		return 0;
	s = malloc(size);
	if (s == NULL)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 3) {
	case 0:
		if (redirect_uri_parse(s, &t, &why) == 0 &&
		    t.mode == REDIRECT_LOOPBACK && (t.path == NULL ||
						    t.path[0] != '/'))
			abort();
		break;
	case 1:
		rc = authz_query_parse(s, strlen(s), &r, &why);
		if (rc == 0) {
			if (r.state == NULL || r.state[0] == '\0' ||
			    (r.code == NULL) == (r.error == NULL))
				abort();
			check_visible(r.code, false);
			check_visible(r.state, false);
			check_visible(r.iss, false);
			check_visible(r.error_description, true);
		} else if (why == NULL || r.code != NULL || r.state != NULL) {
			abort();
		}
		authz_resp_free(&r);
		break;
	default:
		rc = authz_paste_parse(s, "https://127.0.0.1/callback", &r,
				       &why);
		if (rc == PASTE_CODE && (r.code == NULL || r.state != NULL ||
					 strlen(r.code) < PASTE_CODE_MIN))
			abort();
		if (rc < 0 && (why == NULL || r.code != NULL))
			abort();
		authz_resp_free(&r);
		break;
	}
	free(s);
	return 0;
}
