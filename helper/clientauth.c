/* SPDX-License-Identifier: BSD-3-Clause */
/* Client authentication at the provider (client_auth). */
#include <stdlib.h>

#include "http.h"
#include "oauth.h"

int client_auth_apply(struct login *l, const char *endpoint, char **form,
		      char **authorization)
{
	(void)endpoint;
	*authorization = NULL;
	switch (l->cfg->client_auth) {
	case CLIENT_AUTH_NONE:
		if (http_form_add(form, "client_id", l->cfg->client_id) != 0)
			return oidc_fail(&l->err, OIDC_EINTERNAL,
					 "out of memory");
		return OIDC_OK;
	default:
		break;
	}
	return oidc_fail(&l->err, OIDC_ECONFIG,
			 "client_auth: this method is not available in this "
			 "build");
}
