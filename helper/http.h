/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HTTPS client on libcurl: one handle per login so the TLS connection is
 * reused; https only (also on redirects, which are not followed); CA from
 * ca_file; connect and total timeouts from `timeout`; every response capped
 * at HTTP_MAX_RESPONSE bytes; proxy variables from the environment ignored
 * (the proxy and no_proxy config keys only; https through a CONNECT tunnel,
 * so the proxy never sees inside the TLS connection).  With
 * tls_client_auth or self_signed_tls_client_auth the client certificate
 * (clientauth.h) is presented on every connection.
 */
#ifndef PAM_OIDC_HTTP_H
#define PAM_OIDC_HTTP_H

#include <stddef.h>

#include "config.h"
#include "error.h"
#include "util.h"

#define HTTP_MAX_RESPONSE (1024 * 1024)

/* A client certificate chain and its private key, PEM, in memory (libcurl
 * reads them from here, not a copy; wiped by tls_credential_free). */
struct tls_credential {
	char *cert_pem;
	size_t cert_len;
	char *key_pem;
	size_t key_len;
};

struct http_client {
	void *curl; /* CURL * */
	const struct oidc_config *cfg;
	unsigned requests;	   /* requests made with this client */
	struct tls_credential tls; /* certificate methods only */
};

struct http_response {
	long status;
	char *body; /* NUL-terminated; len excludes the NUL */
	size_t len;
	char *cache_control; /* Cache-Control header value or NULL */
};

int http_init(struct http_client *h, const struct oidc_config *cfg,
	      struct oidc_err *e);
void http_cleanup(struct http_client *h);

int http_get(struct http_client *h, const char *url, struct http_response *r,
	     struct oidc_err *e);
/* POST application/x-www-form-urlencoded.  form is wiped by the caller. */
int http_post_form(struct http_client *h, const char *url, const char *form,
		   struct http_response *r, struct oidc_err *e);
/* The same with an Authorization header value (NULL: none). */
int http_post_form_auth(struct http_client *h, const char *url,
			const char *form, const char *authorization,
			struct http_response *r, struct oidc_err *e);
void http_response_free(struct http_response *r);

/* Append s to sb, application/x-www-form-urlencoded (unreserved kept, space
 * as '+', the rest %XX); 0 or -1 (out of memory). */
int http_urlencode(struct strbuf *sb, const char *s);

/* Append "&name=value" (or "name=value" when *form is empty), URL-encoded,
 * to the malloc'd *form (which may start NULL).  Old buffers are wiped. */
int http_form_add(char **form, const char *name, const char *value);

#endif
