/* SPDX-License-Identifier: BSD-3-Clause */
#include "oidc.h"

#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "login.h"
#include "util.h"

#define URL_MAX 2048

int http_status_fail(struct oidc_err *e, const char *what, const char *url,
		     long status)
{
	if (status >= 500 || status == 429)
		return oidc_fail(e, OIDC_EUNAVAIL, "%s %s answered HTTP %ld",
				 what, url, status);
	return oidc_fail(e, OIDC_EREJECT, "%s %s answered HTTP %ld", what, url,
			 status);
}

/* Members that name endpoints; each, when present, must be https. */
static const char *const endpoint_members[] = {
	"authorization_endpoint",
	"token_endpoint",
	"userinfo_endpoint",
	"jwks_uri",
	"registration_endpoint",
	"device_authorization_endpoint",
	"revocation_endpoint",
	"introspection_endpoint",
	"end_session_endpoint",
	"pushed_authorization_request_endpoint",
	"backchannel_authentication_endpoint",
	"check_session_iframe",
	NULL,
};

int discovery_check(const struct oidc_config *cfg, json_object *doc,
		    struct discovery *d, struct oidc_err *e)
{
	const char *iss;
	size_t i;

	iss = json_str(doc, "issuer");
	if (iss == NULL)
		return oidc_fail(e, OIDC_EREJECT,
				 "discovery document has no issuer string");
	if (strcmp(iss, cfg->issuer) != 0)
		return oidc_fail(e, OIDC_EREJECT,
				 "discovery issuer mismatch: document says "
				 "\"%.200s\", configured issuer is \"%s\"",
				 iss, cfg->issuer);
	for (i = 0; endpoint_members[i] != NULL; i++) {
		json_object *v;

		if (!json_object_object_get_ex(doc, endpoint_members[i], &v))
			continue;
		if (!json_object_is_type(v, json_type_string) ||
		    !text_is_https_url(json_object_get_string(v), URL_MAX))
			return oidc_fail(e, OIDC_EREJECT,
					 "discovery %s is not an https URL",
					 endpoint_members[i]);
	}
	d->issuer = iss;
	d->token_endpoint = json_str(doc, "token_endpoint");
	d->jwks_uri = json_str(doc, "jwks_uri");
	d->device_authorization_endpoint =
		json_str(doc, "device_authorization_endpoint");
	d->authorization_endpoint = json_str(doc, "authorization_endpoint");
	if (d->token_endpoint == NULL)
		return oidc_fail(e, OIDC_EREJECT,
				 "discovery document has no token_endpoint");
	if (d->jwks_uri == NULL)
		return oidc_fail(e, OIDC_EREJECT,
				 "discovery document has no jwks_uri");
	return OIDC_OK;
}

int discovery_fetch(struct http_client *h, const struct oidc_config *cfg,
		    struct discovery *d, struct oidc_err *e)
{
	struct http_response r;
	struct strbuf sb;
	size_t n = strlen(cfg->issuer);
	char *url;
	int rc;

	memset(d, 0, sizeof(*d));
	if (n > 0 && cfg->issuer[n - 1] == '/')
		n--;
	sb_init(&sb);
	sb_addn(&sb, cfg->issuer, n);
	sb_add(&sb, "/.well-known/openid-configuration");
	url = sb_steal(&sb);
	if (url == NULL)
		return oidc_fail(e, OIDC_EINTERNAL, "out of memory");
	rc = http_get(h, url, &r, e);
	if (rc != OIDC_OK)
		goto out;
	if (r.status >= 400 && r.status < 500 && r.status != 429) {
		rc = oidc_fail(e, OIDC_ECONFIG,
			       "discovery %s answered HTTP %ld: check issuer in "
			       "the configuration",
			       url, r.status);
		goto out_resp;
	}
	if (r.status != 200) {
		rc = http_status_fail(e, "discovery", url, r.status);
		goto out_resp;
	}
	rc = json_parse_object(r.body, r.len, "discovery document", &d->doc, e);
	if (rc != OIDC_OK)
		goto out_resp;
	rc = discovery_check(cfg, d->doc, d, e);
out_resp:
	http_response_free(&r);
out:
	free(url);
	if (rc != OIDC_OK)
		discovery_free(d);
	return rc;
}

void discovery_free(struct discovery *d)
{
	if (d->doc != NULL)
		json_object_put(d->doc);
	memset(d, 0, sizeof(*d));
}

int jwks_fetch(struct http_client *h, const char *uri, struct jwk_set **set,
	       struct oidc_err *e)
{
	struct http_response r;
	int rc;

	*set = NULL;
	rc = http_get(h, uri, &r, e);
	if (rc != OIDC_OK)
		return rc;
	if (r.status != 200)
		rc = http_status_fail(e, "jwks_uri", uri, r.status);
	else
		rc = jwks_parse(r.body, r.len, set, e);
	http_response_free(&r);
	return rc;
}

int keys_for_token(struct login *l, const char *kid, struct jwk_set **set)
{
	(void)kid;
	l->jwks_fetches++;
	return jwks_fetch(&l->http, l->disco.jwks_uri, set, &l->err);
}
