/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for what the provider sends back: the discovery
 * document, the device authorization answer and the token response, each
 * through the same strict JSON parser and checks a login uses.  The first
 * byte picks the document and the HTTP status; the rest is the body.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../helper/config.h"
#include "../../helper/json.h"
#include "../../helper/login.h"
#include "../../helper/oauth.h"
#include "../../helper/oidc.h"
#include "../../helper/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct oidc_config cfg;
static int ready;

static void setup(void)
{
	struct oidc_err e;

	oidc_err_clear(&e);
	if (config_defaults(&cfg, &e) != OIDC_OK)
		abort();
	cfg.issuer = strdup("https://idp.example.org/realms/clinical");
	cfg.client_id = strdup("workstation");
	if (cfg.issuer == NULL || cfg.client_id == NULL)
		abort();
	ready = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = {200, 400, 401, 403};
	struct login l;
	struct discovery d;
	json_object *doc = NULL;
	char *tok = NULL;
	unsigned sel;

	if (!ready)
		setup();
	if (size < 1)
		return 0;
	sel = data[0];
	data++;
	size--;
	memset(&l, 0, sizeof(l));
	l.cfg = &cfg;
	if (json_parse_object((const char *)data, size, "fuzz", &doc, &l.err) !=
	    OIDC_OK) {
		if (l.err.reason[0] == '\0')
			abort(); /* a refusal always says why */
		return 0;
	}
	switch (sel % 3) {
	case 0:
		memset(&d, 0, sizeof(d));
		(void)discovery_check(&cfg, doc, &d, &l.err);
		break;
	case 1:
		(void)device_auth_response_check(&l, statuses[(sel / 3) % 4],
						 doc);
		break;
	default:
		if (token_response_accept(&l, doc, &tok) == OIDC_OK &&
		    tok == NULL)
			abort();
		secure_free(tok);
		secure_free(l.access_token);
		free(l.granted_scope);
		break;
	}
	json_object_put(doc);
	return 0;
}
