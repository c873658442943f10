/* SPDX-License-Identifier: BSD-3-Clause */
#include "http.h"

#include <ctype.h>
#include <errno.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "clientauth.h"
#include "util.h"

struct sink {
	char *buf;
	size_t len, cap;
	int overflow;
	char *cache_control;
};

static size_t write_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct sink *s = userdata;
	size_t n = size * nmemb;

	if (n > HTTP_MAX_RESPONSE - s->len) {
		s->overflow = 1;
		return 0; /* makes curl fail with CURLE_WRITE_ERROR */
	}
	if (s->len + n + 1 > s->cap) {
		size_t ncap = s->cap ? s->cap : 4096;
		char *nb;

		while (ncap < s->len + n + 1)
			ncap *= 2;
		nb = realloc(s->buf, ncap);
		if (nb == NULL)
			return 0;
		s->buf = nb;
		s->cap = ncap;
	}
	memcpy(s->buf + s->len, ptr, n);
	s->len += n;
	s->buf[s->len] = '\0';
	return n;
}

static size_t header_cb(char *ptr, size_t size, size_t nitems, void *userdata)
{
	struct sink *s = userdata;
	size_t n = size * nitems;
	static const char name[] = "cache-control:";

	if (n > sizeof(name) - 1 &&
	    strncasecmp(ptr, name, sizeof(name) - 1) == 0) {
		const char *v = ptr + sizeof(name) - 1;
		size_t vl = n - (sizeof(name) - 1);

		while (vl > 0 && (*v == ' ' || *v == '\t')) {
			v++;
			vl--;
		}
		while (vl > 0 && isspace((unsigned char)v[vl - 1]))
			vl--;
		if (s->cache_control == NULL) {
			s->cache_control = strndup(v, vl);
		} else {
			/* Several header lines are one list (RFC 9110 §5.3).
			 * A list too long to keep is not cached at all. */
			size_t ol = strlen(s->cache_control);
			char *j = ol + vl < 1024 ? malloc(ol + 2 + vl + 1) : NULL;

			if (j != NULL) {
				memcpy(j, s->cache_control, ol);
				memcpy(j + ol, ", ", 2);
				memcpy(j + ol + 2, v, vl);
				j[ol + 2 + vl] = '\0';
			} else {
				j = strdup("no-store");
			}
			free(s->cache_control);
			s->cache_control = j;
		}
	}
	return n;
}

/*
 * proxy / no_proxy from the configuration, and nothing from the
 * environment: CURLOPT_PROXY "" (set in http_init) and CURLOPT_NOPROXY ""
 * keep libcurl from reading https_proxy, all_proxy or no_proxy (pam-oidc
 * runs with the administrator's environment).  https goes through a CONNECT
 * tunnel: TLS, the server certificate check and the client certificate are
 * end to end with the provider.
 */
static int setup_proxy(struct http_client *h, struct oidc_err *e)
{
	const struct oidc_config *cfg = h->cfg;
	CURL *c = h->curl;
	struct strbuf sb;
	char *no_proxy;
	size_t i;
	int ok;

	if (cfg->proxy == NULL)
		return curl_easy_setopt(c, CURLOPT_NOPROXY, "") == CURLE_OK
			   ? OIDC_OK
			   : oidc_fail(e, OIDC_EINTERNAL,
				       "cannot set CURLOPT_NOPROXY");
	sb_init(&sb);
	for (i = 0; cfg->no_proxy != NULL && cfg->no_proxy[i] != NULL; i++) {
		if (i > 0)
			sb_addc(&sb, ',');
		sb_add(&sb, cfg->no_proxy[i]);
	}
	no_proxy = sb_steal(&sb); /* "" when the list is empty */
	if (no_proxy == NULL)
		return oidc_fail(e, OIDC_EINTERNAL, "out of memory");
	/* libcurl copies string options. */
	ok = curl_easy_setopt(c, CURLOPT_PROXY, cfg->proxy) == CURLE_OK &&
	     curl_easy_setopt(c, CURLOPT_NOPROXY, no_proxy) == CURLE_OK &&
	     curl_easy_setopt(c, CURLOPT_HTTPPROXYTUNNEL, 1L) == CURLE_OK;
	free(no_proxy);
	if (!ok)
		return oidc_fail(e, OIDC_ECONFIG,
				 "proxy %s: libcurl refused it (an http:// or "
				 "https:// proxy URL with a port is expected)",
				 cfg->proxy);
	return OIDC_OK;
}

/* tls_client_auth, self_signed_tls_client_auth: the certificate chain and
 * key, checked and re-encoded by clientauth.c, handed to libcurl from
 * memory (CURL_BLOB_NOCOPY: ours to wipe in http_cleanup). */
static int setup_client_cert(struct http_client *h, struct oidc_err *e)
{
	struct curl_blob cert, key;
	CURL *c = h->curl;
	int rc;

	rc = tls_credential_load(h->cfg, &h->tls, e);
	if (rc != OIDC_OK)
		return rc;
	cert.data = h->tls.cert_pem;
	cert.len = h->tls.cert_len;
	cert.flags = CURL_BLOB_NOCOPY;
	key.data = h->tls.key_pem;
	key.len = h->tls.key_len;
	key.flags = CURL_BLOB_NOCOPY;
	if (curl_easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM") != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_SSLCERT_BLOB, &cert) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_SSLKEYTYPE, "PEM") != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_SSLKEY_BLOB, &key) != CURLE_OK)
		return oidc_fail(e, OIDC_EINTERNAL,
				 "libcurl cannot take a client certificate "
				 "from memory (needs libcurl >= 7.71 with "
				 "OpenSSL)");
	return OIDC_OK;
}

int http_init(struct http_client *h, const struct oidc_config *cfg,
	      struct oidc_err *e)
{
	static int global_done;
	CURL *c;
	int rc;

	memset(h, 0, sizeof(*h));
	if (!global_done) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return oidc_fail(e, OIDC_EINTERNAL,
					 "curl_global_init failed");
		global_done = 1;
	}
	c = curl_easy_init();
	if (c == NULL)
		return oidc_fail(e, OIDC_EINTERNAL, "curl_easy_init failed");
	h->curl = c;
	h->cfg = cfg;
	if (curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https") != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https") !=
		CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_SSLVERSION,
			     (long)CURL_SSLVERSION_TLSv1_2) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_PROXY, "") != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, cfg->timeout) !=
		CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_TIMEOUT, cfg->timeout) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
			     (curl_off_t)HTTP_MAX_RESPONSE) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_USERAGENT,
			     "pam_oidc/" PACKAGE_VERSION) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb) !=
		CURLE_OK) {
		http_cleanup(h);
		return oidc_fail(e, OIDC_EINTERNAL,
				 "libcurl lacks a required option (https-only "
				 "protocols need libcurl >= 7.85)");
	}
	rc = setup_proxy(h, e);
	if (rc != OIDC_OK) {
		http_cleanup(h);
		return rc;
	}
	if (client_auth_uses_cert(cfg->client_auth)) {
		rc = setup_client_cert(h, e);
		if (rc != OIDC_OK) {
			http_cleanup(h);
			return rc;
		}
	}
	if (cfg->ca_file != NULL) {
		/* Trust exactly this file, not also a built-in CA directory. */
		if (access(cfg->ca_file, R_OK) != 0) {
			http_cleanup(h);
			return oidc_fail(e, OIDC_ECONFIG,
					 "ca_file %s cannot be read: %s",
					 cfg->ca_file, strerror(errno));
		}
		if (curl_easy_setopt(c, CURLOPT_CAINFO, cfg->ca_file) !=
			CURLE_OK ||
		    curl_easy_setopt(c, CURLOPT_CAPATH, NULL) != CURLE_OK) {
			http_cleanup(h);
			return oidc_fail(e, OIDC_EINTERNAL,
					 "cannot set ca_file");
		}
	}
	return OIDC_OK;
}

void http_cleanup(struct http_client *h)
{
	if (h->curl != NULL)
		curl_easy_cleanup(h->curl);
	h->curl = NULL;
	/* After the handle: libcurl read the key from this memory. */
	tls_credential_free(&h->tls);
}

void http_response_free(struct http_response *r)
{
	if (r->body != NULL) {
		explicit_bzero(r->body, r->len);
		free(r->body);
	}
	free(r->cache_control);
	memset(r, 0, sizeof(*r));
}

static int perform(struct http_client *h, const char *url, const char *form,
		   const char *authorization, struct http_response *r,
		   struct oidc_err *e)
{
	CURL *c = h->curl;
	struct curl_slist *hdrs = NULL;
	struct sink s = {0};
	char errbuf[CURL_ERROR_SIZE] = "";
	CURLcode cc;
	int rc;

	memset(r, 0, sizeof(*r));
	if (strncmp(url, "https://", 8) != 0)
		return oidc_fail(e, OIDC_EREJECT, "refusing non-https URL %s",
				 url);
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	if (hdrs == NULL)
		return oidc_fail(e, OIDC_EINTERNAL, "out of memory");
	if (authorization != NULL) {
		struct curl_slist *n;
		struct strbuf hb;
		char *line;

		sb_init(&hb);
		sb_add(&hb, "Authorization: ");
		sb_add(&hb, authorization);
		line = sb_steal(&hb);
		n = line ? curl_slist_append(hdrs, line) : NULL;
		secure_free(line);
		if (n == NULL) {
			curl_slist_free_all(hdrs);
			return oidc_fail(e, OIDC_EINTERNAL, "out of memory");
		}
		hdrs = n;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &s);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	if (form != NULL) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(form));
	} else {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	}
	h->requests++;
	cc = curl_easy_perform(c);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, NULL);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
	/* The list may hold a credential: wipe it before it is freed. */
	for (struct curl_slist *it = hdrs; it != NULL; it = it->next)
		explicit_bzero(it->data, strlen(it->data));
	curl_slist_free_all(hdrs);
	if (cc != CURLE_OK) {
		if (s.overflow || cc == CURLE_FILESIZE_EXCEEDED)
			rc = oidc_fail(e, OIDC_EUNAVAIL,
				       "%s: response larger than %d bytes", url,
				       HTTP_MAX_RESPONSE);
		else
			rc = oidc_fail(e, OIDC_EUNAVAIL, "%s: %s", url,
				       errbuf[0] ? errbuf
						 : curl_easy_strerror(cc));
		goto fail;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	if (s.buf == NULL) {
		s.buf = strdup("");
		if (s.buf == NULL) {
			rc = oidc_fail(e, OIDC_EINTERNAL, "out of memory");
			goto fail;
		}
	}
	r->body = s.buf;
	r->len = s.len;
	r->cache_control = s.cache_control;
	return OIDC_OK;
fail:
	if (s.buf != NULL) {
		explicit_bzero(s.buf, s.len);
		free(s.buf);
	}
	free(s.cache_control);
	return rc;
}

int http_get(struct http_client *h, const char *url, struct http_response *r,
	     struct oidc_err *e)
{
	return perform(h, url, NULL, NULL, r, e);
}

int http_post_form(struct http_client *h, const char *url, const char *form,
		   struct http_response *r, struct oidc_err *e)
{
	return perform(h, url, form, NULL, r, e);
}

int http_post_form_auth(struct http_client *h, const char *url,
			const char *form, const char *authorization,
			struct http_response *r, struct oidc_err *e)
{
	return perform(h, url, form, authorization, r, e);
}

int http_urlencode(struct strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (isalnum(ch) || ch == '-' || ch == '.' || ch == '_' ||
		    ch == '~') {
			if (sb_addc(sb, (char)ch) != 0)
				return -1;
		} else if (ch == ' ') {
			if (sb_addc(sb, '+') != 0)
				return -1;
		} else if (sb_addc(sb, '%') != 0 ||
			   sb_addc(sb, hex[ch >> 4]) != 0 ||
			   sb_addc(sb, hex[ch & 15]) != 0) {
			return -1;
		}
	}
	return 0;
}

int http_form_add(char **form, const char *name, const char *value)
{
	struct strbuf sb;
	int rc = -1;

	sb_init(&sb);
	if (*form != NULL && **form != '\0') {
		if (sb_add(&sb, *form) != 0 || sb_addc(&sb, '&') != 0)
			goto out;
	}
	if (http_urlencode(&sb, name) != 0 || sb_addc(&sb, '=') != 0 ||
	    http_urlencode(&sb, value) != 0)
		goto out;
	secure_free(*form);
	*form = sb_steal(&sb);
	rc = *form != NULL ? 0 : -1;
out:
	sb_wipe(&sb);
	return rc;
}
