/* SPDX-License-Identifier: BSD-3-Clause */
/* OpenID Provider metadata (discovery) and key set retrieval. */
#ifndef PAM_OIDC_OIDC_H
#define PAM_OIDC_OIDC_H

#include <json-c/json.h>

#include "config.h"
#include "error.h"
#include "http.h"
#include "jose.h"

struct discovery {
	json_object *doc;
	const char *issuer;
	const char *token_endpoint;
	const char *jwks_uri;
	const char *device_authorization_endpoint; /* may be NULL */
	const char *authorization_endpoint;        /* may be NULL */
};

/* GET {issuer}/.well-known/openid-configuration (a trailing '/' of the
 * issuer removed first, OpenID Connect Discovery 1.0 §4).  The document's
 * issuer must equal the configured one exactly; token_endpoint and jwks_uri
 * are required; every *_endpoint / *_uri member that names an endpoint must
 * be an https URL.  Served from the on-disk cache while it is fresh, and
 * while it is stale but the provider cannot be reached (cache.h); otherwise
 * downloaded and cached as its Cache-Control allows. */
int discovery_fetch(struct http_client *h, const struct oidc_config *cfg,
		    struct discovery *d, struct oidc_err *e);
/* The checks alone, on a parsed document (for tests and the fuzzer). */
int discovery_check(const struct oidc_config *cfg, json_object *doc,
		    struct discovery *d, struct oidc_err *e);
void discovery_free(struct discovery *d);

/* Download and parse a JWKS, without the cache (logins use keys_for_token,
 * login.h). */
int jwks_fetch(struct http_client *h, const char *uri, struct jwk_set **set,
	       struct oidc_err *e);

/* Classify an HTTP status of a provider response: 5xx and 429 ->
 * OIDC_EUNAVAIL, else OIDC_EREJECT.  Records what in the reason. */
int http_status_fail(struct oidc_err *e, const char *what, const char *url,
		     long status);

#endif
