/* SPDX-License-Identifier: BSD-3-Clause */
/* SMART on FHIR: .well-known/smart-configuration. */
#include "smart.h"

#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "json.h"
#include "oidc.h"
#include "util.h"

#define SMART_URL_MAX 2048

/* A member that must be, when present, an array of at most max short
 * printable tokens.  Returns OIDC_OK (count in *n, 0 when absent). */
static int token_list(json_object *doc, const char *member, const char **out,
		      size_t max, size_t *n, struct oidc_err *e)
{
	json_object *arr;
	size_t i, len;

	*n = 0;
	out[0] = NULL;
	if (!json_object_object_get_ex(doc, member, &arr))
		return OIDC_OK;
	if (!json_object_is_type(arr, json_type_array))
		return oidc_fail(e, OIDC_EREJECT,
				 "smart-configuration: %s is not an array",
				 member);
	len = json_object_array_length(arr);
	if (len > max)
		return oidc_fail(e, OIDC_EREJECT,
				 "smart-configuration: %s has more than %zu "
				 "entries",
				 member, max);
	for (i = 0; i < len; i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		const char *s;

		if (!json_object_is_type(v, json_type_string))
			return oidc_fail(e, OIDC_EREJECT,
					 "smart-configuration: %s[%zu] is not "
					 "a string",
					 member, i);
		s = json_object_get_string(v);
		if (!text_is_printable(s, SMART_CAP_MAX) ||
		    strchr(s, ' ') != NULL)
			return oidc_fail(e, OIDC_EREJECT,
					 "smart-configuration: %s[%zu] is "
					 "empty, too long or not a printable "
					 "token",
					 member, i);
		out[i] = s;
	}
	out[len] = NULL;
	*n = len;
	return OIDC_OK;
}

static int https_member(json_object *doc, const char *member, const char **out,
			struct oidc_err *e)
{
	*out = NULL;
	if (!json_has(doc, member))
		return OIDC_OK;
	*out = json_str(doc, member);
	if (!text_is_https_url(*out, SMART_URL_MAX))
		return oidc_fail(e, OIDC_EREJECT,
				 "smart-configuration: %s is not an https URL",
				 member);
	return OIDC_OK;
}

int smart_check(const struct oidc_config *cfg, json_object *doc,
		struct smart_config *sc, struct oidc_err *e)
{
	size_t i;
	bool s256 = false;
	int rc;

	sc->issuer = json_str(doc, "issuer");
	if (sc->issuer == NULL)
		return oidc_fail(e, OIDC_EREJECT,
				 "smart-configuration has no issuer string (a "
				 "SMART server with sso-openid-connect names "
				 "its OpenID provider)");
	if (strcmp(sc->issuer, cfg->issuer) != 0)
		return oidc_fail(e, OIDC_EREJECT,
				 "smart-configuration issuer mismatch: it says "
				 "\"%.200s\", configured issuer is \"%s\"",
				 text_is_printable(sc->issuer, 200)
				     ? sc->issuer
				     : "(not printable)",
				 cfg->issuer);
	rc = token_list(doc, "code_challenge_methods_supported",
			sc->code_challenge_methods, SMART_MAX_METHODS,
			&sc->n_code_challenge_methods, e);
	if (rc != OIDC_OK)
		return rc;
	for (i = 0; i < sc->n_code_challenge_methods; i++)
		if (strcmp(sc->code_challenge_methods[i], "S256") == 0)
			s256 = true;
	if (!s256)
		return oidc_fail(e, OIDC_EREJECT,
				 "smart-configuration: "
				 "code_challenge_methods_supported does not "
				 "offer S256 (PKCE S256 is required; plain is "
				 "never used)");
	rc = token_list(doc, "capabilities", sc->capabilities,
			SMART_MAX_CAPABILITIES, &sc->n_capabilities, e);
	if (rc != OIDC_OK)
		return rc;
	rc = https_member(doc, "authorization_endpoint",
			  &sc->authorization_endpoint, e);
	if (rc != OIDC_OK)
		return rc;
	return https_member(doc, "token_endpoint", &sc->token_endpoint, e);
}

int smart_fetch(struct login *l, struct smart_config *sc)
{
	struct oidc_err *e = &l->err;
	const char *base = l->cfg->fhir_base_url;
	struct http_response r;
	struct strbuf sb;
	size_t n;
	int rc;

	memset(sc, 0, sizeof(*sc));
	if (base == NULL)
		return oidc_fail(e, OIDC_EINTERNAL, "fhir_base_url is not set");
	n = strlen(base);
	if (n > 0 && base[n - 1] == '/')
		n--;
	sb_init(&sb);
	sb_addn(&sb, base, n);
	sb_add(&sb, "/.well-known/smart-configuration");
	sc->url = sb_steal(&sb);
	if (sc->url == NULL)
		return oidc_fail(e, OIDC_EINTERNAL, "out of memory");
	rc = http_get(&l->http, sc->url, &r, e);
	if (rc != OIDC_OK)
		goto out;
	if (r.status >= 400 && r.status < 500 && r.status != 429) {
		rc =
		    oidc_fail(e, OIDC_ECONFIG,
			      "smart-configuration %s answered HTTP %ld: check "
			      "fhir_base_url in the configuration",
			      sc->url, r.status);
		goto out_resp;
	}
	if (r.status != 200) {
		rc = http_status_fail(e, "smart-configuration", sc->url,
				      r.status);
		goto out_resp;
	}
	rc = json_parse_object(r.body, r.len, "smart-configuration", &sc->doc,
			       e);
	if (rc != OIDC_OK)
		goto out_resp;
	rc = smart_check(l->cfg, sc->doc, sc, e);
out_resp:
	http_response_free(&r);
out:
	if (rc != OIDC_OK)
		smart_free(sc);
	return rc;
}

bool smart_has_capability(const struct smart_config *sc, const char *name)
{
	size_t i;

	for (i = 0; i < sc->n_capabilities; i++)
		if (strcmp(sc->capabilities[i], name) == 0)
			return true;
	return false;
}

void smart_free(struct smart_config *sc)
{
	if (sc->doc != NULL)
		json_object_put(sc->doc);
	free(sc->url);
	memset(sc, 0, sizeof(*sc));
}
