/* SPDX-License-Identifier: BSD-3-Clause */
#include "oauth.h"

#include <stdlib.h>
#include <string.h>

#include "claims.h"
#include "clientauth.h"
#include "http.h"
#include "json.h"
#include "oidc.h"
#include "util.h"

int oauth_error(struct oidc_err *e, enum oidc_rc rc, const char *what,
		json_object *doc)
{
	const char *err = doc ? json_str(doc, "error") : NULL;
	const char *desc = doc ? json_str(doc, "error_description") : NULL;

	if (err == NULL || !text_is_printable(err, 64))
		err = "(none)";
	if (desc == NULL || !text_is_printable(desc, 200))
		desc = "";
	return oidc_fail(e, rc, "%s: error %s%s%s", what, err,
			 desc[0] ? ": " : "", desc);
}

int oauth_post(struct login *l, const char *what, const char *endpoint,
	       char **form, long *status, json_object **doc)
{
	struct oidc_err *e = &l->err;
	struct http_response r;
	char *authorization = NULL;
	int rc;

	*doc = NULL;
	*status = 0;
	rc = client_auth_apply(l, endpoint, form, &authorization);
	if (rc != OIDC_OK)
		goto out;
	/* RFC 8705 §5: with a client certificate, the mTLS alias */
	endpoint = client_auth_endpoint(l, endpoint);
	rc = http_post_form_auth(&l->http, endpoint, *form, authorization, &r,
				 e);
	if (rc != OIDC_OK)
		goto out;
	*status = r.status;
	if (r.status >= 500 || r.status == 429) {
		rc = http_status_fail(e, what, endpoint, r.status);
	} else if (r.status == 200 || r.status == 201 ||
		   (r.status >= 400 && r.status < 500)) {
		/* 201: a pushed authorization request (RFC 9126) */
		rc = json_parse_object(r.body, r.len, what, doc, e);
		if (rc != OIDC_OK && r.status >= 400) {
			oidc_err_clear(e);
			rc = oidc_fail(e, OIDC_EREJECT,
				       "%s %s answered HTTP %ld without an "
				       "OAuth error object",
				       what, endpoint, r.status);
		} else if (rc == OIDC_OK && r.status >= 400) {
			const char *err = json_str(*doc, "error");

			/* Say which part of the client registration to
			 * check. */
			if (err != NULL && strcmp(err, "invalid_client") == 0) {
				rc = client_auth_refused(l, what, *doc);
				json_object_put(*doc);
				*doc = NULL;
			}
		}
	} else {
		rc = http_status_fail(e, what, endpoint, r.status);
	}
	http_response_free(&r);
out:
	secure_free(authorization);
	secure_free(*form);
	*form = NULL;
	return rc;
}

static bool scope_has(const char *scopes, const char *want)
{
	size_t n = strlen(want);
	const char *p = scopes;

	while (*p != '\0') {
		size_t len = strcspn(p, " ");

		if (len == n && strncmp(p, want, n) == 0)
			return true;
		p += len;
		p += strspn(p, " ");
	}
	return false;
}

int token_response_accept(struct login *l, json_object *doc, char **id_token)
{
	struct oidc_err *e = &l->err;
	const char *tok = json_str(doc, "id_token");
	const char *at = json_str(doc, "access_token");
	const char *scope = json_str(doc, "scope");

	*id_token = NULL;
	if (tok == NULL || tok[0] == '\0')
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_TOKEN_RESPONSE ": no id_token (is the "
						     "openid scope granted?)");
	if (json_has(doc, "scope") && scope == NULL)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_TOKEN_RESPONSE ": scope is not a string");
	if (scope != NULL) {
		if (!scope_has(scope, "openid"))
			return oidc_fail(e, OIDC_EREJECT,
					 RULE_SCOPE ": the granted scope lacks "
						    "openid");
		if (l->cfg->fhir_user_types != NULL &&
		    !scope_has(scope, "fhirUser"))
			return oidc_fail(e, OIDC_EREJECT,
					 RULE_SCOPE
					 ": the granted scope lacks fhirUser, "
					 "which fhir_user_types needs");
		free(l->granted_scope);
		l->granted_scope = strdup(scope);
	}
	if (at != NULL) {
		secure_free(l->access_token);
		l->access_token = strdup(at);
	}
	*id_token = strdup(tok);
	if (*id_token == NULL)
		return oidc_fail(e, OIDC_EINTERNAL, "out of memory");
	return OIDC_OK;
}

int token_request(struct login *l, char **form, json_object **doc,
		  char **id_token)
{
	long status = 0;
	int rc;

	*id_token = NULL;
	rc = oauth_post(l, "token endpoint", l->disco.token_endpoint, form,
			&status, doc);
	if (rc != OIDC_OK || status != 200)
		return rc;
	rc = token_response_accept(l, *doc, id_token);
	json_object_put(*doc);
	*doc = NULL;
	return rc;
}
