/* SPDX-License-Identifier: BSD-3-Clause */
#include "oidc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache.h"
#include "claims.h"
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
				 RULE_DISCOVERY ": the document has no issuer string");
	if (strcmp(iss, cfg->issuer) != 0)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_DISCOVERY ": issuer mismatch: document says "
				 "\"%.200s\", configured issuer is \"%s\"",
				 iss, cfg->issuer);
	for (i = 0; endpoint_members[i] != NULL; i++) {
		json_object *v;

		if (!json_object_object_get_ex(doc, endpoint_members[i], &v))
			continue;
		if (!json_object_is_type(v, json_type_string) ||
		    !text_is_https_url(json_object_get_string(v), URL_MAX))
			return oidc_fail(e, OIDC_EREJECT,
					 RULE_DISCOVERY ": %s is not an https URL",
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
				 RULE_DISCOVERY ": the document has no token_endpoint");
	if (d->jwks_uri == NULL)
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_DISCOVERY ": the document has no jwks_uri");
	return OIDC_OK;
}

/* {issuer}/.well-known/openid-configuration, malloc'd. */
static char *discovery_url(const struct oidc_config *cfg)
{
	struct strbuf sb;
	size_t n = strlen(cfg->issuer);

	if (n > 0 && cfg->issuer[n - 1] == '/')
		n--;
	sb_init(&sb);
	sb_addn(&sb, cfg->issuer, n);
	sb_add(&sb, "/.well-known/openid-configuration");
	return sb_steal(&sb);
}

/* Record in e the failure kept in fe (unless e already holds one). */
static int pass_err(struct oidc_err *e, const struct oidc_err *fe)
{
	int rc = oidc_fail(e, fe->rc, "%s", fe->reason);

	if (e != NULL && fe->user_msg[0] != '\0' && e->user_msg[0] == '\0')
		oidc_user_msg(e, fe->user_msg);
	return rc;
}

/* The cached discovery document, checked exactly as a downloaded one; 0 and
 * d filled (d->doc owned), or -1 (absent, or ignored and logged). */
static int cached_discovery(struct cache *c, const struct oidc_config *cfg,
			    const char *url, struct discovery *d,
			    struct cache_entry *ent)
{
	struct oidc_err ce;
	json_object *doc = NULL;

	memset(d, 0, sizeof(*d));
	oidc_err_clear(&ce);
	if (cache_read(c, CACHE_DISCOVERY, ent, &ce) != OIDC_OK)
		return -1;
	if (strcmp(ent->uri, url) != 0)
		return -1;
	if (json_parse_object(ent->body, ent->len, "discovery document", &doc,
			      &ce) != OIDC_OK ||
	    discovery_check(cfg, doc, d, &ce) != OIDC_OK) {
		cache_log("the cached discovery document of %s is ignored: %s",
			  cfg->issuer, ce.reason);
		if (doc != NULL)
			json_object_put(doc);
		memset(d, 0, sizeof(*d));
		return -1;
	}
	d->doc = doc;
	return 0;
}

/* Download, check and (as Cache-Control allows) cache the document. */
static int discovery_download(struct http_client *h,
			      const struct oidc_config *cfg, const char *url,
			      struct cache *c, struct discovery *d,
			      struct oidc_err *e)
{
	struct http_response r;
	struct cache_policy p;
	struct oidc_err we;
	time_t now = time(NULL);
	int rc;

	memset(d, 0, sizeof(*d));
	rc = http_get(h, url, &r, e);
	if (rc != OIDC_OK)
		return rc;
	if (r.status >= 400 && r.status < 500 && r.status != 429) {
		rc = oidc_fail(e, OIDC_ECONFIG,
			       "discovery %s answered HTTP %ld: check issuer in "
			       "the configuration",
			       url, r.status);
		goto out;
	}
	if (r.status != 200) {
		rc = http_status_fail(e, "discovery", url, r.status);
		goto out;
	}
	rc = json_parse_object(r.body, r.len, "discovery document", &d->doc, e);
	if (rc != OIDC_OK)
		goto out;
	rc = discovery_check(cfg, d->doc, d, e);
	if (rc != OIDC_OK)
		goto out;
	cache_control_parse(r.cache_control, &p);
	oidc_err_clear(&we);
	if (cache_write(c, CACHE_DISCOVERY, url, r.body, r.len, &p, now, &we) !=
	    OIDC_OK)
		cache_log("%s", we.reason);
out:
	http_response_free(&r);
	if (rc != OIDC_OK)
		discovery_free(d);
	return rc;
}

int discovery_fetch(struct http_client *h, const struct oidc_config *cfg,
		    struct discovery *d, struct oidc_err *e)
{
	struct cache c;
	struct cache_entry ent = {0};
	struct discovery cached = {0};
	struct oidc_err fe;
	enum cache_age age = CACHE_EXPIRED;
	time_t now = time(NULL);
	bool have;
	char *url;
	int rc;

	memset(d, 0, sizeof(*d));
	url = discovery_url(cfg);
	if (url == NULL)
		return oidc_fail(e, OIDC_EINTERNAL, "out of memory");
	cache_open_or_log(&c, cfg);
	have = cached_discovery(&c, cfg, url, &cached, &ent) == 0;
	if (have)
		age = cache_entry_age(&ent, now);
	if (have && age == CACHE_FRESH) {
		*d = cached;
		memset(&cached, 0, sizeof(cached));
		rc = OIDC_OK;
		goto out;
	}
	oidc_err_clear(&fe);
	rc = discovery_download(h, cfg, url, &c, d, &fe);
	if (rc == OIDC_EUNAVAIL && have && age == CACHE_STALE && ent.stale_ok) {
		cache_log("the provider cannot be reached (%s); using the "
			  "cached discovery document of %s, %lld s old",
			  fe.reason, cfg->issuer,
			  (long long)(now - ent.fetched));
		*d = cached;
		memset(&cached, 0, sizeof(cached));
		rc = OIDC_OK;
		goto out;
	}
	if (rc != OIDC_OK)
		pass_err(e, &fe);
out:
	discovery_free(&cached);
	cache_entry_free(&ent);
	cache_close(&c);
	free(url);
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

/* The cached JWKS of jwks_uri uri, parsed: 0, or -1 (absent, from another
 * jwks_uri, or ignored and logged). */
static int cached_jwks(struct cache *c, const char *uri, struct jwk_set **set,
		       struct cache_entry *ent)
{
	struct oidc_err ce;

	*set = NULL;
	cache_entry_free(ent);
	oidc_err_clear(&ce);
	if (cache_read(c, CACHE_JWKS, ent, &ce) != OIDC_OK)
		return -1;
	if (strcmp(ent->uri, uri) != 0)
		return -1; /* jwks_uri moved: the download replaces it */
	if (jwks_parse(ent->body, ent->len, set, &ce) != OIDC_OK) {
		cache_log("the cached JWKS of %s is ignored: %s", c->issuer,
			  ce.reason);
		return -1;
	}
	return 0;
}

/* Download jwks_uri (counted in l->jwks_fetches), parse, and cache it as
 * Cache-Control allows. */
static int jwks_download(struct login *l, struct cache *c, const char *uri,
			 struct jwk_set **set, struct oidc_err *e)
{
	struct http_response r;
	struct cache_policy p;
	struct oidc_err we;
	time_t now = time(NULL);
	int rc;

	*set = NULL;
	l->jwks_fetches++;
	rc = http_get(&l->http, uri, &r, e);
	if (rc != OIDC_OK)
		return rc;
	if (r.status != 200)
		rc = http_status_fail(e, "jwks_uri", uri, r.status);
	else
		rc = jwks_parse(r.body, r.len, set, e);
	if (rc == OIDC_OK) {
		cache_control_parse(r.cache_control, &p);
		oidc_err_clear(&we);
		if (cache_write(c, CACHE_JWKS, uri, r.body, r.len, &p, now,
				&we) != OIDC_OK)
			cache_log("%s", we.reason);
	}
	http_response_free(&r);
	return rc;
}

/* kid is not in the fresh cached set: one refetch, unless another process
 * refetched less than CACHE_REFETCH_INTERVAL seconds ago. */
static int refetch_for_kid(struct login *l, struct cache *c, const char *uri,
			   const char *kid, struct jwk_set **set)
{
	struct cache_entry ent = {0};
	char shown[128];
	struct jwk_set *now_cached = NULL;
	struct oidc_err fe;
	long wait;
	int rc;

	/* kid comes from a header not yet verified: print it safely. */
	claims_printable(shown, sizeof(shown), kid);
	oidc_err_clear(&fe);
	rc = cache_lock(c, l->cfg->timeout * 1000 + 2000, &fe);
	if (rc != OIDC_OK) {
		rc = oidc_fail(&l->err, OIDC_EREJECT,
			       "kid: no key \"%s\" in the provider's JWKS "
			       "(no refetch: %s)",
			       shown, fe.reason);
		goto out;
	}
	/* The refetch this login waited for may have brought the key. */
	if (cached_jwks(c, uri, &now_cached, &ent) == 0 &&
	    cache_entry_age(&ent, time(NULL)) == CACHE_FRESH &&
	    jwks_has_kid(now_cached, kid)) {
		*set = now_cached;
		now_cached = NULL;
		rc = OIDC_OK;
		goto out;
	}
	wait = cache_refetch_claim(c, time(NULL));
	if (wait != 0) {
		rc = oidc_fail(&l->err, OIDC_EREJECT,
			       "kid: no key \"%s\" in the provider's JWKS "
			       "(refetch rate-limited; next in %ld s)",
			       shown, wait);
		goto out;
	}
	rc = jwks_download(l, c, uri, set, &fe);
	if (rc != OIDC_OK) {
		rc = oidc_fail(&l->err, fe.rc,
			       "kid: no key \"%s\" in the cached JWKS, and "
			       "the refetch failed: %s",
			       shown, fe.reason);
		goto out;
	}
	if (!jwks_has_kid(*set, kid)) {
		jwks_free(*set);
		*set = NULL;
		rc = oidc_fail(&l->err, OIDC_EREJECT,
			       "kid: no key \"%s\" in the provider's JWKS "
			       "(refetched)",
			       shown);
	}
out:
	cache_unlock(c);
	jwks_free(now_cached);
	cache_entry_free(&ent);
	return rc;
}

int keys_for_token(struct login *l, const char *kid, struct jwk_set **set)
{
	const char *uri = l->disco.jwks_uri;
	struct cache c;
	struct cache_entry ent = {0};
	struct jwk_set *cached = NULL;
	struct oidc_err fe;
	enum cache_age age = CACHE_EXPIRED;
	time_t now = time(NULL);
	bool have;
	int rc;

	*set = NULL;
	if (uri == NULL)
		return oidc_fail(&l->err, OIDC_EINTERNAL,
				 "keys_for_token: no jwks_uri");
	cache_open_or_log(&c, l->cfg);
	have = cached_jwks(&c, uri, &cached, &ent) == 0;
	if (have)
		age = cache_entry_age(&ent, now);
	if (have && age == CACHE_FRESH) {
		if (kid == NULL || jwks_has_kid(cached, kid)) {
			*set = cached;
			cached = NULL;
			rc = OIDC_OK;
		} else {
			rc = refetch_for_kid(l, &c, uri, kid, set);
		}
		goto out;
	}
	oidc_err_clear(&fe);
	rc = jwks_download(l, &c, uri, set, &fe);
	if (rc == OIDC_EUNAVAIL && have && age == CACHE_STALE &&
	    ent.stale_ok && (kid == NULL || jwks_has_kid(cached, kid))) {
		cache_log("the provider cannot be reached (%s); using the "
			  "cached JWKS of %s, %lld s old",
			  fe.reason, l->cfg->issuer,
			  (long long)(now - ent.fetched));
		*set = cached;
		cached = NULL;
		rc = OIDC_OK;
		goto out;
	}
	if (rc != OIDC_OK) {
		pass_err(&l->err, &fe);
		goto out;
	}
	if (kid != NULL && !jwks_has_kid(*set, kid)) {
		char shown[128];

		claims_printable(shown, sizeof(shown), kid);
		jwks_free(*set);
		*set = NULL;
		rc = oidc_fail(&l->err, OIDC_EREJECT,
			       "kid: no key \"%s\" in the provider's JWKS "
			       "(fetched just now)",
			       shown);
	}
out:
	jwks_free(cached);
	cache_entry_free(&ent);
	cache_close(&c);
	return rc;
}

int keys_refresh(struct login *l, struct jwk_set **set)
{
	struct cache c;
	struct oidc_err fe;
	int rc = OIDC_EREJECT;

	*set = NULL;
	if (l->disco.jwks_uri == NULL)
		return OIDC_EINTERNAL;
	cache_open_or_log(&c, l->cfg);
	oidc_err_clear(&fe);
	if (cache_lock(&c, l->cfg->timeout * 1000 + 2000, &fe) != OIDC_OK)
		goto out;
	/* The same per-issuer slot as an unknown kid: a stream of forged
	 * signatures cannot make us hammer the provider. */
	if (cache_refetch_claim(&c, time(NULL)) == 0)
		rc = jwks_download(l, &c, l->disco.jwks_uri, set, &fe);
	cache_unlock(&c);
out:
	cache_close(&c);
	return rc;
}
