/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Client-authenticated requests to the provider's OAuth endpoints (token,
 * device authorization, pushed authorization, revocation).  Every such
 * request goes through oauth_post(), so the configured client
 * authentication (client_auth) is applied everywhere the client
 * authenticates.
 */
#ifndef PAM_OIDC_OAUTH_H
#define PAM_OIDC_OAUTH_H

#include <json-c/json.h>

#include "error.h"
#include "login.h"

/*
 * POST form (application/x-www-form-urlencoded) to endpoint, with client_id
 * and the client authentication added by client_auth_apply().  form is
 * consumed: wiped and freed, *form set to NULL.
 *
 * Returns OIDC_OK with *status and *doc set for HTTP 200 or 201 (a pushed
 * authorization request) and for an OAuth error answer (a 4xx with a JSON
 * object body; the caller reads "error"), except invalid_client, which
 * fails here with a reason naming what to check in the registration.
 * Transport failures, 5xx and 429 are OIDC_EUNAVAIL; a 4xx whose body is not
 * a JSON object is OIDC_EREJECT.  what names the request in reasons
 * ("token endpoint", "device authorization").
 */
int oauth_post(struct login *l, const char *what, const char *endpoint,
	       char **form, long *status, json_object **doc);

/*
 * A successful token response (RFC 6749 §5.1, OpenID Connect Core §3.1.3.3):
 * it must carry an id_token; access_token and the granted scope are kept in
 * l (for at_hash and the scope check); when the response names the granted
 * scope it must contain "openid" (and "fhirUser" when fhir_user_types is
 * set).  *id_token is malloc'd (unverified: verify_id_token comes next).
 */
int token_response_accept(struct login *l, json_object *doc, char **id_token);

/*
 * A token request: form (consumed) to the token endpoint through
 * oauth_post().  On HTTP 200 the response is accepted with
 * token_response_accept() and *id_token set.  Otherwise *doc is the OAuth
 * error answer, for the flow to interpret (the caller puts it).
 */
int token_request(struct login *l, char **form, json_object **doc,
		  char **id_token);

/* Record an OAuth error answer as a reason "WHAT: error X: description"
 * (description sanitized) and return rc. */
int oauth_error(struct oidc_err *e, enum oidc_rc rc, const char *what,
		json_object *doc);

/*
 * Client authentication (clientauth.c).  Adds what the configured method
 * needs to *form (client_id, client_secret, client_assertion…) and/or sets
 * *authorization to a malloc'd "Basic …" header value (wiped by the caller).
 * endpoint is the URL the request goes to (the assertion audience).
 */
int client_auth_apply(struct login *l, const char *endpoint, char **form,
		      char **authorization);

#endif
