/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pam-oidc: the administrator's view of a pam_oidc configuration.
 *
 *   pam-oidc check  [-c FILE] [--claims FILE.json]
 *   pam-oidc verify [-c FILE] [--user NAME]      (a compact JWT on stdin)
 *   pam-oidc login  [-c FILE] [--user NAME]
 *
 * Exit status: 0 ok, 1 rejected, 2 usage or configuration error, 3 provider
 * unavailable.  Everything printed passes tty_escape(): claims and provider
 * answers may hold anything.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "cache.h"
#include "claims.h"
#include "clientauth.h"
#include "config.h"
#include "http.h"
#include "jose.h"
#include "json.h"
#include "login.h"
#include "mapfile.h"
#include "oidc.h"
#include "smart.h"
#include "ui_tty.h"
#include "util.h"

#define EXIT_OK 0
#define EXIT_REJECTED 1
#define EXIT_USAGE 2 /* usage or configuration error */
#define EXIT_UNAVAILABLE 3

#define CLAIMS_FILE_MAX (256 * 1024)
#define SERVICE_NAME "pam-oidc"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

static unsigned out_utf8; /* TTY_UTF8 when the terminal shows UTF-8 */

/* ------------------------------------------------------------------------ */
/* output                                                                   */

static void vline(FILE *f, const char *prefix, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static void vline(FILE *f, const char *prefix, const char *fmt, va_list ap)
{
	struct strbuf sb;
	char *text;
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	sb_init(&sb);
	sb_add(&sb, prefix != NULL ? prefix : "");
	text = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (text != NULL) {
		vsnprintf(text, (size_t)n + 1, fmt, ap);
		sb_add(&sb, text);
		free(text);
	}
	text = sb_steal(&sb);
	tty_print(f, text != NULL ? text : "(out of memory)", out_utf8);
	free(text);
}

/* One line to f, made safe for the terminal, prefix first. */
static void line_to(FILE *f, const char *prefix, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void line_to(FILE *f, const char *prefix, const char *fmt, ...)
{
	va_list ap;

	if (f == stderr)
		fflush(stdout);
	va_start(ap, fmt);
	vline(f, prefix, fmt, ap);
	va_end(ap);
}

#define say(...) line_to(stdout, NULL, __VA_ARGS__)
#define complain(...) line_to(stderr, "pam-oidc: ", __VA_ARGS__)

static void print_json(json_object *obj)
{
	const char *s = json_object_to_json_string_ext(
	    obj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
		     JSON_C_TO_STRING_NOSLASHESCAPE);

	tty_print(stdout, s != NULL ? s : "(out of memory)",
		  TTY_KEEP_NEWLINES | out_utf8);
}

static int exit_of(enum oidc_rc rc)
{
	switch (rc) {
	case OIDC_OK:
		return EXIT_OK;
	case OIDC_EREJECT:
	case OIDC_EABORT:
		return EXIT_REJECTED;
	case OIDC_EUNAVAIL:
		return EXIT_UNAVAILABLE;
	case OIDC_ECONFIG:
	case OIDC_EINTERNAL:
		break;
	}
	return EXIT_USAGE;
}

/* The verdict of verify and login when it is not a success: a rejection is
 * exactly one line on stdout; the other failures go to stderr. */
static int print_failure(const struct oidc_err *e)
{
	const char *reason = e->reason[0] != '\0' ? e->reason : "no reason";

	switch (e->rc) {
	case OIDC_EREJECT:
	case OIDC_EABORT:
		line_to(stdout, "rejected: ", "%s", reason);
		break;
	case OIDC_EUNAVAIL:
		line_to(stderr, "unavailable: ", "%s", reason);
		break;
	case OIDC_OK:
	case OIDC_ECONFIG:
	case OIDC_EINTERNAL:
		line_to(stderr, "error: ", "%s", reason);
		break;
	}
	return exit_of((enum oidc_rc)e->rc);
}

/* The result of a verified login: claims, account, rule. */
static void print_success(const struct login *l, const char *account,
			  const char *rule)
{
	print_json(l->claims);
	say("account: %s", account);
	say("rule: %s", rule != NULL ? rule : "(none)");
}

/* ------------------------------------------------------------------------ */
/* common setup                                                             */

struct options {
	const char *command;
	const char *config;
	const char *claims; /* check --claims */
	const char *user;   /* verify, login --user */
};

/* Load the configuration as the helper does (config_load: ownership, mode,
 * syntax); on failure e says why. */
static int load_config(const struct options *o, struct oidc_config *cfg,
		       struct oidc_err *e)
{
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	oidc_err_clear(e);
	rc = config_defaults(cfg, e);
	if (rc == OIDC_OK)
		rc = config_load(o->config, cfg, e);
	return rc;
}

/* Read all of fd, at most max bytes.  *more tells that the input went on
 * beyond max (the rest is not read).  Returns 0, or -1 with errno. */
static int read_all(int fd, size_t max, char **out, size_t *len, bool *more)
{
	char *buf = malloc(max + 2);
	size_t n = 0;
	ssize_t r;

	*out = NULL;
	*len = 0;
	*more = false;
	if (buf == NULL)
		return -1;
	while (n < max + 1) {
		r = read(fd, buf + n, max + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int saved = errno;

			explicit_bzero(buf, n);
			free(buf);
			errno = saved;
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max) {
		*more = true;
		explicit_bzero(buf + max, n - max);
		n = max;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* check                                                                    */

struct report {
	unsigned errors, warnings;
	bool unavailable; /* the provider could not be reached */
	bool rejected;	  /* --claims: these claims would not log in */
};

static void problem(struct report *r, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void problem(struct report *r, bool error, const char *fmt, ...)
{
	va_list ap;

	if (error)
		r->errors++;
	else
		r->warnings++;
	va_start(ap, fmt);
	vline(stdout, error ? "error: " : "warning: ", fmt, ap);
	va_end(ap);
}

/* A failure from the helper's code, classified as check counts it. */
static void problem_err(struct report *r, const struct oidc_err *e)
{
	if (e->rc == OIDC_EUNAVAIL) {
		r->unavailable = true;
		say("error: provider unavailable: %s", e->reason);
		return;
	}
	problem(r, true, "%s", e->reason);
}

static void list_text(char *buf, size_t size, char *const *list)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; list != NULL && list[i] != NULL; i++) {
		int n = snprintf(buf + used, size - used, "%s%s",
				 i > 0 ? " " : "", list[i]);

		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
	}
}

/* true if the JSON array member `name` of doc holds the string s; *listed
 * tells whether doc has such an array at all. */
static bool doc_lists(json_object *doc, const char *name, const char *s,
		      bool *listed)
{
	json_object *arr;
	size_t n;

	*listed = false;
	if (doc == NULL || !json_object_object_get_ex(doc, name, &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return false;
	*listed = true;
	n = json_object_array_length(arr);
	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(arr, i);

		if (json_object_is_type(v, json_type_string) &&
		    strcmp(json_object_get_string(v), s) == 0)
			return true;
	}
	return false;
}

/* A file the helper must read: a readable regular file. */
static void check_readable(struct report *r, const char *key, const char *path)
{
	struct stat st;

	if (path == NULL)
		return;
	if (stat(path, &st) != 0) {
		problem(r, true, "%s %s: %s", key, path, strerror(errno));
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		problem(r, true, "%s %s is not a regular file", key, path);
		return;
	}
	if (access(path, R_OK) != 0)
		problem(r, true, "%s %s cannot be read: %s", key, path,
			strerror(errno));
}

/* 1. The file itself: the parser names FILE:LINE for every problem. */
static int check_config(struct report *r, const struct options *o,
			struct oidc_config *cfg)
{
	struct oidc_err e;
	int rc;

	rc = load_config(o, cfg, &e);
	if (rc != OIDC_OK) {
		problem(r, true, "%s", e.reason);
		return rc;
	}
	say("config: %s", cfg->path != NULL ? cfg->path : o->config);
	say("  issuer %s, client_id %s", cfg->issuer, cfg->client_id);
	check_readable(r, "ca_file", cfg->ca_file);
	if (cfg->ca_file == NULL)
		say("  TLS: the system's CA certificates");
	else
		say("  TLS: CA certificates from %s", cfg->ca_file);
	if (cfg->audit_file != NULL) {
		char *dir = strdup(cfg->audit_file);
		char *slash = dir != NULL ? strrchr(dir, '/') : NULL;
		struct stat st;

		if (slash != NULL) {
			*(slash == dir ? slash + 1 : slash) = '\0';
			if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
				problem(r, false,
					"audit_file %s: directory %s does not "
					"exist; audit lines go to syslog only",
					cfg->audit_file, dir);
		}
		free(dir);
		say("  audit: syslog (authpriv) and %s", cfg->audit_file);
	} else {
		say("  audit: syslog (authpriv)");
	}
	return OIDC_OK;
}

/* {issuer}/.well-known/openid-configuration (OpenID Connect Discovery 1.0
 * §4: a trailing '/' of the issuer removed first). */
static char *discovery_url(const char *issuer)
{
	struct strbuf sb;
	size_t n = strlen(issuer);

	if (n > 0 && issuer[n - 1] == '/')
		n--;
	sb_init(&sb);
	sb_addn(&sb, issuer, n);
	sb_add(&sb, "/.well-known/openid-configuration");
	return sb_steal(&sb);
}

/* GET url; OIDC_OK with an HTTP 200 response in *resp, or a failure in e
 * (5xx and 429 count as unavailable). */
static int get_ok(struct http_client *h, const char *what, const char *url,
		  struct http_response *resp, struct oidc_err *e)
{
	int rc;

	rc = http_get(h, url, resp, e);
	if (rc != OIDC_OK)
		return rc;
	if (resp->status != 200) {
		/* 4xx: the URL is wrong, which is the configuration's fault */
		rc = http_status_fail(e, what, url, resp->status);
		if (rc == OIDC_EREJECT)
			rc = e->rc = OIDC_ECONFIG;
		http_response_free(resp);
	}
	return rc;
}

/* 2. Discovery, fetched now (not from the cache): the issuer must match
 * exactly and every endpoint be https.  Fills l->disco. */
static int check_discovery(struct report *r, struct login *l)
{
	static const char *const shown[] = {
	    "authorization_endpoint",
	    "device_authorization_endpoint",
	    "token_endpoint",
	    "jwks_uri",
	    "pushed_authorization_request_endpoint",
	    NULL,
	};
	struct http_response resp;
	struct oidc_err e;
	json_object *doc = NULL;
	char *url;
	int rc;

	oidc_err_clear(&e);
	url = discovery_url(l->cfg->issuer);
	if (url == NULL) {
		problem(r, true, "out of memory");
		return OIDC_EINTERNAL;
	}
	say("discovery: %s", url);
	rc = http_init(&l->http, l->cfg, &e);
	if (rc == OIDC_OK)
		rc = get_ok(&l->http, "discovery", url, &resp, &e);
	if (rc != OIDC_OK) {
		if (rc == OIDC_ECONFIG)
			problem(r, true,
				"%s: check issuer in the configuration",
				e.reason);
		else
			problem_err(r, &e);
		free(url);
		return rc;
	}
	rc = json_parse_object(resp.body, resp.len, "discovery document", &doc,
			       &e);
	http_response_free(&resp);
	if (rc == OIDC_OK)
		rc = discovery_check(l->cfg, doc, &l->disco, &e);
	if (rc != OIDC_OK) {
		problem(r, true, "%s", e.reason);
		if (doc != NULL)
			json_object_put(doc);
		memset(&l->disco, 0, sizeof(l->disco));
		free(url);
		return OIDC_ECONFIG;
	}
	l->disco.doc = doc;
	say("  issuer %s matches the configuration; all endpoints are https",
	    l->disco.issuer);
	for (size_t i = 0; shown[i] != NULL; i++) {
		const char *v = json_str(doc, shown[i]);

		if (v != NULL)
			say("  %s %s", shown[i], v);
	}
	free(url);
	return OIDC_OK;
}

/* What jose.c requires of a key for each algorithm. */
static const struct {
	const char *alg, *kty, *crv;
} alg_keys[] = {
    {"RS256", "RSA", NULL},   {"RS384", "RSA", NULL},
    {"RS512", "RSA", NULL},   {"PS256", "RSA", NULL},
    {"PS384", "RSA", NULL},   {"PS512", "RSA", NULL},
    {"ES256", "EC", "P-256"}, {"ES384", "EC", "P-384"},
    {"ES512", "EC", "P-521"}, {"EdDSA", "OKP", "Ed25519"},
};

static bool key_fits_alg(json_object *k, const char *alg)
{
	const char *kty = json_str(k, "kty"), *crv = json_str(k, "crv");
	const char *kalg = json_str(k, "alg"), *use = json_str(k, "use");
	json_object *ops;
	bool verify = false;

	if (kty == NULL || (kalg != NULL && strcmp(kalg, alg) != 0) ||
	    (use != NULL && strcmp(use, "sig") != 0))
		return false;
	if (json_object_object_get_ex(k, "key_ops", &ops)) {
		size_t n = json_object_is_type(ops, json_type_array)
			       ? json_object_array_length(ops)
			       : 0;

		for (size_t i = 0; i < n; i++) {
			const char *op = json_object_get_string(
			    json_object_array_get_idx(ops, i));

			if (op != NULL && strcmp(op, "verify") == 0)
				verify = true;
		}
		if (!verify)
			return false;
	}
	for (size_t i = 0; i < sizeof(alg_keys) / sizeof(alg_keys[0]); i++) {
		if (strcmp(alg_keys[i].alg, alg) != 0)
			continue;
		return strcmp(alg_keys[i].kty, kty) == 0 &&
		       (alg_keys[i].crv == NULL ||
			(crv != NULL && strcmp(alg_keys[i].crv, crv) == 0));
	}
	return false;
}

/* Size of an RSA modulus in bits, 0 if unknown. */
static int rsa_bits(json_object *k)
{
	const char *n = json_str(k, "n");
	unsigned char *raw = NULL;
	size_t len = 0, i = 0;
	int bits = 0;

	if (n == NULL || b64url_decode(n, strlen(n), &raw, &len) != 0)
		return 0;
	while (i < len && raw[i] == 0)
		i++;
	if (i < len) {
		unsigned char top = raw[i];

		bits = (int)(len - i - 1) * 8;
		while (top != 0) {
			bits++;
			top >>= 1;
		}
	}
	free(raw);
	return bits;
}

/* Whether jose.c loads this one key: it is given alone to jwks_parse(). */
static bool key_loads(json_object *k)
{
	json_object *doc = json_object_new_object();
	json_object *arr = json_object_new_array();
	struct jwk_set *set = NULL;
	struct oidc_err e;
	const char *text;
	bool ok = false;

	oidc_err_clear(&e);
	if (doc == NULL || arr == NULL) {
		json_object_put(doc);
		json_object_put(arr);
		return false;
	}
	json_object_array_add(arr, json_object_get(k));
	json_object_object_add(doc, "keys", arr);
	text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
	if (text != NULL && jwks_parse(text, strlen(text), &set, &e) == OIDC_OK)
		ok = jwks_count(set) == 1;
	jwks_free(set);
	json_object_put(doc);
	return ok;
}

static bool has_private_member(json_object *k)
{
	static const char *const priv[] = {"d",	 "p",  "q",   "dp",
					   "dq", "qi", "oth", "k"};

	for (size_t i = 0; i < sizeof(priv) / sizeof(priv[0]); i++) {
		if (json_has(k, priv[i]))
			return true;
	}
	return false;
}

/* One key of the JWKS, described on one line; *fits gets the allowed
 * algorithms it can verify (bit i: cfg->allowed_algs[i]). */
static void describe_key(struct report *r, const struct oidc_config *cfg,
			 json_object *k, size_t idx, unsigned long *fits)
{
	const char *kid = json_str(k, "kid"), *kty = json_str(k, "kty");
	const char *crv = json_str(k, "crv"), *use = json_str(k, "use");
	const char *kalg = json_str(k, "alg");
	char name[160], what[96], algs[256];
	size_t used = 0;
	int bits = 0;

	*fits = 0;
	if (kid != NULL)
		snprintf(name, sizeof(name), "key \"%.128s\"", kid);
	else
		snprintf(name, sizeof(name), "key #%zu (no kid)", idx + 1);
	if (kty == NULL) {
		problem(r, false, "jwks: %s has no kty and is ignored", name);
		return;
	}
	if (strcmp(kty, "RSA") == 0) {
		bits = rsa_bits(k);
		snprintf(what, sizeof(what), "RSA %d bits", bits);
	} else if (strcmp(kty, "EC") == 0 || strcmp(kty, "OKP") == 0) {
		snprintf(what, sizeof(what), "%s %.32s", kty,
			 crv != NULL ? crv : "(no crv)");
	} else {
		say("  %s: kty %.32s, not a signature key type that is "
		    "supported; ignored",
		    name, kty);
		return;
	}
	if (!key_loads(k)) {
		const char *why = "malformed for its key type";

		if (has_private_member(k))
			why = "it publishes private key material: the "
			      "provider's key is compromised";
		else if (bits > 0 && bits < 2048)
			why = "RSA keys under 2048 bits are refused";
		problem(r, false, "jwks: %s (%s) is refused: %s", name, what,
			why);
		return;
	}
	algs[0] = '\0';
	for (size_t i = 0;
	     cfg->allowed_algs != NULL && cfg->allowed_algs[i] != NULL &&
	     i < 8 * sizeof(*fits);
	     i++) {
		int n;

		if (!key_fits_alg(k, cfg->allowed_algs[i]))
			continue;
		*fits |= 1UL << i;
		n = snprintf(algs + used, sizeof(algs) - used, " %s",
			     cfg->allowed_algs[i]);
		if (n > 0 && (size_t)n < sizeof(algs) - used)
			used += (size_t)n;
	}
	say("  %s: %s%s%.16s%s%.16s, verifies%s", name, what,
	    use != NULL ? ", use " : "", use != NULL ? use : "",
	    kalg != NULL ? ", alg " : "", kalg != NULL ? kalg : "",
	    *fits != 0 ? algs : " none of allowed_algs");
}

/* 3. The provider's keys, fetched now: which are usable, for which of
 * allowed_algs. */
static int check_keys(struct report *r, struct login *l)
{
	const struct oidc_config *cfg = l->cfg;
	struct http_response resp;
	struct jwk_set *set = NULL;
	struct oidc_err e;
	json_object *doc = NULL, *keys = NULL;
	unsigned long all = 0, fits;
	char missing[256], offered[256];
	size_t n, i, nmiss = 0;
	bool listed = false;
	int rc;

	oidc_err_clear(&e);
	say("jwks: %s", l->disco.jwks_uri);
	rc = get_ok(&l->http, "jwks_uri", l->disco.jwks_uri, &resp, &e);
	if (rc != OIDC_OK) {
		problem_err(r, &e);
		return rc;
	}
	rc = jwks_parse(resp.body, resp.len, &set, &e);
	if (rc == OIDC_OK)
		rc = json_parse_object(resp.body, resp.len, "JWKS document",
				       &doc, &e);
	http_response_free(&resp);
	if (rc != OIDC_OK) {
		problem(r, true, "%s", e.reason);
		jwks_free(set);
		return OIDC_ECONFIG;
	}
	(void)json_object_object_get_ex(doc, "keys", &keys);
	n = json_object_array_length(keys);
	say("  %zu key(s), %zu usable", n, jwks_count(set));
	for (i = 0; i < n; i++) {
		describe_key(r, cfg, json_object_array_get_idx(keys, i), i,
			     &fits);
		all |= fits;
	}
	missing[0] = '\0';
	for (i = 0; cfg->allowed_algs != NULL && cfg->allowed_algs[i] != NULL;
	     i++) {
		size_t used = strlen(missing);

		if (i < 8 * sizeof(all) && (all & (1UL << i)) != 0)
			continue;
		snprintf(missing + used, sizeof(missing) - used, "%s%s",
			 nmiss++ > 0 ? " " : "", cfg->allowed_algs[i]);
	}
	if (all == 0) {
		list_text(offered, sizeof(offered), cfg->allowed_algs);
		problem(r, true,
			"jwks: no usable key fits allowed_algs (%s): no ID "
			"token can be verified; compare allowed_algs with the "
			"provider's keys",
			offered);
		rc = OIDC_ECONFIG;
	} else if (nmiss > 0) {
		say("  no key for %s (tokens signed so are refused)", missing);
	}

	/* The algorithm the provider says it signs ID tokens with. */
	offered[0] = '\0';
	for (i = 0; cfg->allowed_algs != NULL && cfg->allowed_algs[i] != NULL;
	     i++) {
		if (doc_lists(l->disco.doc,
			      "id_token_signing_alg_values_supported",
			      cfg->allowed_algs[i], &listed))
			break;
	}
	if (listed &&
	    (cfg->allowed_algs == NULL || cfg->allowed_algs[i] == NULL)) {
		list_text(offered, sizeof(offered), cfg->allowed_algs);
		problem(r, true,
			"the provider's id_token_signing_alg_values_supported "
			"has none of allowed_algs (%s)",
			offered);
		rc = OIDC_ECONFIG;
	}
	jwks_free(set);
	json_object_put(doc);
	return rc;
}

/* 4. The flow a login takes, and why. */
static void check_flow(struct report *r, struct login *l, bool have_disco)
{
	const struct oidc_config *cfg = l->cfg;
	enum oidc_flow f;
	bool listed;

	if (cfg->flow == FLOW_AUTO && !have_disco) {
		say("flow: auto (device or authcode: it depends on the "
		    "provider, which could not be asked)");
		return;
	}
	f = login_pick_flow(l);
	if (cfg->flow == FLOW_AUTO)
		say("flow: %s (flow = auto: the provider %s a "
		    "device_authorization_endpoint)",
		    config_flow_name(f),
		    l->disco.device_authorization_endpoint != NULL
			? "advertises"
			: "advertises no");
	else
		say("flow: %s (flow = %s)", config_flow_name(f),
		    config_flow_name(cfg->flow));

	switch (f) {
	case FLOW_DEVICE:
		say("  the person sees a code%s and approves on a phone or "
		    "another computer within %ld s (login_timeout)",
		    cfg->qr != QR_OFF ? " and a QR code" : "",
		    cfg->login_timeout);
		if (have_disco &&
		    l->disco.device_authorization_endpoint == NULL)
			problem(r, true,
				"flow = device, but the provider advertises no "
				"device_authorization_endpoint: set flow = "
				"authcode, or enable the device grant for "
				"client %s at the provider",
				cfg->client_id);
		if (have_disco &&
		    !doc_lists(l->disco.doc, "grant_types_supported",
			       "urn:ietf:params:oauth:grant-type:device_code",
			       &listed) &&
		    listed)
			problem(r, false,
				"the provider's grant_types_supported does "
				"not list the device_code grant");
		break;
	case FLOW_AUTHCODE:
		say("  authorization code with PKCE S256, state and nonce; "
		    "redirect_uri %s",
		    cfg->redirect_uri != NULL ? cfg->redirect_uri : "(none)");
		if (cfg->redirect_uri != NULL &&
		    strncmp(cfg->redirect_uri, "http://", 7) == 0)
			say("  the browser returns to a listener on this "
			    "computer (loopback)");
		else
			say("  the person pastes the address the browser "
			    "ends on (or the code) at the prompt");
		if (cfg->par)
			say("  pushed authorization requests (par = yes)");
		if (have_disco && l->disco.authorization_endpoint == NULL)
			problem(r, true,
				"flow = authcode, but the provider advertises "
				"no authorization_endpoint");
		if (have_disco &&
		    !doc_lists(l->disco.doc, "code_challenge_methods_supported",
			       "S256", &listed) &&
		    listed)
			problem(r, true,
				"the provider's "
				"code_challenge_methods_supported lacks S256: "
				"PKCE cannot be used");
		if (have_disco && cfg->par &&
		    json_str(l->disco.doc,
			     "pushed_authorization_request_endpoint") == NULL)
			problem(r, true,
				"par = yes, but the provider advertises no "
				"pushed_authorization_request_endpoint");
		break;
	case FLOW_TOKEN:
		say("  the password prompt takes a compact ID token, "
		    "verified offline against the provider's keys; each "
		    "token is accepted once");
		break;
	case FLOW_AUTO:
		break;
	}
}

/* 5. The scopes asked for. */
static void check_scopes(struct report *r, const struct login *l,
			 bool have_disco)
{
	const struct oidc_config *cfg = l->cfg;
	char *copy = strdup(cfg->scopes);
	char *p, *end;
	bool listed, fhir = false;

	say("scopes: %s", cfg->scopes);
	for (p = copy; p != NULL && *p != '\0'; p = end) {
		end = p + strcspn(p, " ");
		if (*end != '\0')
			*end++ = '\0';
		if (*p == '\0')
			continue;
		if (strcmp(p, "fhirUser") == 0)
			fhir = true;
		if (have_disco &&
		    !doc_lists(l->disco.doc, "scopes_supported", p, &listed) &&
		    listed)
			problem(r, false,
				"scope %s is not in the provider's "
				"scopes_supported: the provider may refuse the "
				"request or ignore it",
				p);
	}
	free(copy);
	if (cfg->fhir_user_types != NULL && !fhir)
		problem(r, false,
			"fhir_user_types is set but scopes lacks fhirUser: "
			"ID tokens may carry no fhirUser claim");
}

/* A claim the policy needs that the provider does not say it issues. */
static void check_claim_supported(struct report *r, const struct login *l,
				  bool have_disco, const char *claim)
{
	char top[128];
	bool listed;
	size_t n;

	if (!have_disco || claim == NULL)
		return;
	n = strcspn(claim, ".");
	if (n >= sizeof(top))
		return;
	memcpy(top, claim, n);
	top[n] = '\0';
	if (!doc_lists(l->disco.doc, "claims_supported", top, &listed) &&
	    listed)
		problem(r, false,
			"claim %s is not in the provider's claims_supported: "
			"check that ID tokens carry it",
			top);
}

/* 6. The rules every ID token must pass, as configured. */
static void check_claim_rules(struct report *r, const struct login *l,
			      bool have_disco)
{
	const struct oidc_config *cfg = l->cfg;
	char list[512];

	say("ID token rules:");
	list_text(list, sizeof(list), cfg->allowed_algs);
	say("  signature: %s (none and HS* always refused)", list);
	say("  iss is %s; aud contains %s; azp, if present, is %s", cfg->issuer,
	    cfg->client_id, cfg->client_id);
	say("  exp, nbf, iat checked with leeway %ld s; in the device flow "
	    "iat not before the login began",
	    cfg->leeway);
	if (cfg->max_auth_age > 0)
		say("  auth_time required, at most %ld s old",
		    cfg->max_auth_age);
	else
		say("  auth_time not required (max_auth_age = 0)");
	if (cfg->required_acr != NULL) {
		list_text(list, sizeof(list), cfg->required_acr);
		say("  acr one of: %s", list);
	}
	if (cfg->required_amr != NULL) {
		list_text(list, sizeof(list), cfg->required_amr);
		say("  amr contains all of: %s", list);
	}
	if (cfg->role_claim != NULL) {
		list_text(list, sizeof(list), cfg->allowed_roles);
		if (cfg->allowed_roles != NULL)
			say("  role: %s holds one of: %s", cfg->role_claim,
			    list);
		else
			say("  role: %s must be a string or an array of "
			    "strings (any value)",
			    cfg->role_claim);
		check_claim_supported(r, l, have_disco, cfg->role_claim);
	} else if (cfg->allowed_roles != NULL) {
		problem(r, true,
			"allowed_roles is set but role_claim is not: set "
			"role_claim to the claim that holds the roles");
	}
	if (cfg->npi_claim != NULL) {
		say("  npi: %s, 10 digits with the NPI check digit%s",
		    cfg->npi_claim,
		    cfg->require_npi ? ", required" : ", when present");
		check_claim_supported(r, l, have_disco, cfg->npi_claim);
	} else if (cfg->require_npi) {
		problem(r, true,
			"require_npi = yes but npi_claim is not set: set "
			"npi_claim");
	}
	if (cfg->hpii_claim != NULL)
		say("  HPI-I: %s, required, 16 digits, prefix 800361, Luhn",
		    cfg->hpii_claim);
	if (cfg->hpio_claim != NULL)
		say("  HPI-O: %s, required, 16 digits, prefix 800362, Luhn",
		    cfg->hpio_claim);
	if (cfg->fhir_user_types != NULL) {
		list_text(list, sizeof(list), cfg->fhir_user_types);
		say("  %s: a FHIR reference of type %s%s%s",
		    cfg->fhir_user_claim != NULL ? cfg->fhir_user_claim
						 : "fhirUser",
		    list, cfg->fhir_base_url != NULL ? " under " : "",
		    cfg->fhir_base_url != NULL ? cfg->fhir_base_url : "");
		check_claim_supported(r, l, have_disco, cfg->fhir_user_claim);
	}
}

/* 7. From the identity to the account. */
static void check_mapping(struct report *r, const struct login *l,
			  bool have_disco)
{
	const struct oidc_config *cfg = l->cfg;
	struct map_file *m = NULL;
	struct oidc_err e;

	oidc_err_clear(&e);
	if (cfg->map_file == NULL) {
		say("mapping: the claim %s names the local account",
		    cfg->username_claim);
		check_claim_supported(r, l, have_disco, cfg->username_claim);
	} else if (mapfile_load(cfg->map_file, &m, &e) != OIDC_OK) {
		problem(r, true, "%s", e.reason);
	} else {
		say("mapping: map file %s, %zu rule(s), the first that "
		    "matches decides",
		    cfg->map_file, m->nrules);
		if (m->nrules == 0)
			problem(r, true,
				"map file %s has no rules: nobody can log in",
				cfg->map_file);
		mapfile_free(m);
	}
	say("  the account must exist and be the PAM user; uid 0 %s",
	    cfg->allow_root ? "allowed (allow_root = yes)"
			    : "never (allow_root = no)");
}

/* Lines from another part of the helper, printed as they are (made safe):
 * "warning: " lines stay at the margin, the rest indented as given. */
static void print_lines(const char *text)
{
	const char *p = text;

	while (p != NULL && *p != '\0') {
		size_t n = strcspn(p, "\n");

		say("%.*s", (int)n, p);
		p += n;
		if (*p == '\n')
			p++;
	}
}

/* 8. Client authentication at the token endpoint (clientauth.h). */
static void check_client_auth(struct report *r, const struct login *l,
			      bool have_disco)
{
	struct strbuf sb;
	struct oidc_err e;
	unsigned warnings = 0;
	char *text;
	int rc;

	sb_init(&sb);
	oidc_err_clear(&e);
	rc = client_auth_describe(l->cfg, have_disco ? l->disco.doc : NULL, &sb,
				  &warnings, &e);
	text = sb_steal(&sb);
	print_lines(text);
	free(text);
	r->warnings += warnings;
	if (rc != OIDC_OK)
		problem_err(r, &e);
}

/* 9. SMART on FHIR: the FHIR server's smart-configuration (smart.h). */
static void check_smart(struct report *r, struct login *l)
{
	struct smart_config sc;
	char list[512];
	size_t used = 0;

	if (l->cfg->fhir_base_url == NULL)
		return;
	say("SMART on FHIR: %s", l->cfg->fhir_base_url);
	oidc_err_clear(&l->err);
	memset(&sc, 0, sizeof(sc));
	if (smart_fetch(l, &sc) != OIDC_OK) {
		problem_err(r, &l->err);
		oidc_err_clear(&l->err);
		return;
	}
	say("  %s: issuer %s matches; S256 offered", sc.url, sc.issuer);
	list[0] = '\0';
	for (size_t i = 0; i < sc.n_capabilities; i++) {
		int n = snprintf(list + used, sizeof(list) - used, "%s%s",
				 i > 0 ? " " : "", sc.capabilities[i]);

		if (n < 0 || (size_t)n >= sizeof(list) - used)
			break;
		used += (size_t)n;
	}
	say("  capabilities: %s",
	    sc.n_capabilities > 0 ? list : "(none listed)");
	if (sc.n_capabilities > 0 &&
	    !smart_has_capability(&sc, "launch-standalone"))
		problem(r, false,
			"the FHIR server does not list the capability "
			"launch-standalone");
	smart_free(&sc);
}

static void say_cached(const char *what, int rc, long age,
		       const struct oidc_err *e)
{
	if (rc == OIDC_OK)
		say("  %s: cached %ld s ago", what, age);
	else
		say("  %s: %s", what, e->reason);
}

/* 10. The on-disk cache of discovery and keys. */
static void check_cache(struct report *r, const struct oidc_config *cfg)
{
	struct cache c;
	struct discovery d;
	struct jwk_set *set = NULL;
	struct oidc_err e;
	long age = 0;
	int rc;

	say("cache: %s", cache_dir_path(cfg));
	oidc_err_clear(&e);
	rc = cache_open(&c, cfg, &e);
	cache_close(&c);
	if (rc != OIDC_OK) {
		problem(r, false, "%s (logins go on without a cache)",
			e.reason);
		return;
	}
	memset(&d, 0, sizeof(d));
	oidc_err_clear(&e);
	rc = cache_load_discovery(cfg, &d, &age, &e);
	say_cached("discovery", rc, age, &e);
	discovery_free(&d);
	oidc_err_clear(&e);
	rc = cache_load_jwks(cfg, &set, &age, &e);
	say_cached("jwks", rc, age, &e);
	jwks_free(set);
}

/* 11. --claims FILE: what a login with these claims would give. */
static void check_claims_file(struct report *r, const struct oidc_config *cfg,
			      const char *path)
{
	struct claims_result res = {0};
	struct oidc_err e;
	json_object *claims = NULL;
	char *buf = NULL, *account = NULL, *rule = NULL;
	size_t len = 0;
	bool more = false;
	int fd, rc;

	say("claims: %s", path);
	oidc_err_clear(&e);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		problem(r, true, "--claims %s: %s", path, strerror(errno));
		return;
	}
	rc = read_all(fd, CLAIMS_FILE_MAX, &buf, &len, &more);
	close(fd);
	if (rc != 0 || more) {
		problem(r, true, "--claims %s: %s", path,
			more ? "larger than 256 KiB" : strerror(errno));
		goto out;
	}
	if (json_parse_object(buf, len, "claims file", &claims, &e) !=
	    OIDC_OK) {
		problem(r, true, "--claims %s: %s", path, e.reason);
		goto out;
	}

	/* The claim policy that needs no token (not auth_time, at_hash). */
	if (claims_check_acr(claims, cfg, &e) != OIDC_OK ||
	    claims_check_amr(claims, cfg, &e) != OIDC_OK ||
	    claims_check_role(claims, cfg, &res.role, &e) != OIDC_OK ||
	    claims_check_npi(claims, cfg, &res.npi, &e) != OIDC_OK ||
	    claims_check_hpi(claims, cfg, &e) != OIDC_OK ||
	    claims_check_fhir_user(claims, cfg, &res.fhir_user, &e) !=
		OIDC_OK) {
		r->rejected = true;
		say("  rejected: %s", e.reason);
		goto out;
	}
	if (res.role != NULL)
		say("  role: %s", res.role);
	if (res.npi != NULL)
		say("  npi: %s", res.npi);
	if (res.fhir_user != NULL)
		say("  fhirUser: %s", res.fhir_user);

	rc = map_explain(cfg, claims, json_str(claims, "iss"),
			 json_str(claims, "sub"), &account, &rule, &e);
	if (rule != NULL)
		say("  rule: %s", rule);
	if (rc == OIDC_OK) {
		say("  account: %s", account);
	} else if (rc == OIDC_EREJECT) {
		r->rejected = true;
		say("  rejected: %s", e.reason);
	} else {
		problem(r, true, "%s", e.reason);
	}
out:
	claims_result_free(&res);
	free(account);
	free(rule);
	if (claims != NULL)
		json_object_put(claims);
	free(buf);
}

static int cmd_check(const struct options *o)
{
	struct oidc_config cfg;
	struct report r = {0};
	struct ui_tty t;
	struct login l;
	bool have_disco = false;

	ui_tty_init(&t);
	if (check_config(&r, o, &cfg) != OIDC_OK) {
		config_free(&cfg);
		return EXIT_USAGE;
	}
	login_init(&l, &cfg, &t.ui);
	if (check_discovery(&r, &l) == OIDC_OK) {
		have_disco = true;
		(void)check_keys(&r, &l);
	}
	check_flow(&r, &l, have_disco);
	check_scopes(&r, &l, have_disco);
	check_claim_rules(&r, &l, have_disco);
	check_mapping(&r, &l, have_disco);
	check_client_auth(&r, &l, have_disco);
	if (l.http.curl != NULL)
		check_smart(&r, &l);
	check_cache(&r, &cfg);
	if (o->claims != NULL)
		check_claims_file(&r, &cfg, o->claims);

	say("%u error(s), %u warning(s)%s", r.errors, r.warnings,
	    r.unavailable ? "; the provider could not be reached" : "");
	login_free(&l);
	config_free(&cfg);
	ui_tty_cleanup(&t);
	if (r.errors > 0)
		return EXIT_USAGE;
	if (r.unavailable)
		return EXIT_UNAVAILABLE;
	return r.rejected ? EXIT_REJECTED : EXIT_OK;
}

/* ------------------------------------------------------------------------ */
/* verify                                                                   */

/*
 * The token on stdin: at most JWS_MAX_COMPACT bytes and one line end.  An
 * input that is too long, or holds a NUL byte, is refused here under the
 * same rule names verify_id_token() uses; the rest is its to judge.
 */
static int read_token(char **token, struct oidc_err *e)
{
	size_t len = 0;
	bool more = false;
	char *buf = NULL;

	*token = NULL;
	if (isatty(STDIN_FILENO))
		complain("reading a compact JWT from standard input (end it "
			 "with Ctrl-D)");
	if (read_all(STDIN_FILENO, JWS_MAX_COMPACT + 2, &buf, &len, &more) != 0)
		return oidc_fail(e, OIDC_ECONFIG,
				 "cannot read standard input: %s",
				 strerror(errno));
	if (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	if (len > 0 && buf[len - 1] == '\r')
		buf[--len] = '\0';
	if (more || len > JWS_MAX_COMPACT) {
		secure_free(buf);
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_TOKEN_SIZE ": more than %d bytes on "
						 "standard input",
				 JWS_MAX_COMPACT);
	}
	if (strlen(buf) != len) {
		secure_free(buf);
		return oidc_fail(e, OIDC_EREJECT,
				 RULE_TOKEN_FORMAT ": the input holds a NUL "
						   "byte");
	}
	*token = buf;
	return OIDC_OK;
}

static int cmd_verify(const struct options *o)
{
	struct oidc_config cfg;
	struct oidc_err e;
	struct ui_tty t;
	struct login l;
	char *token = NULL, *account = NULL, *rule = NULL;
	int rc;

	ui_tty_init(&t);
	rc = load_config(o, &cfg, &e);
	if (rc == OIDC_OK)
		rc = read_token(&token, &e);
	if (rc != OIDC_OK) {
		rc = print_failure(&e);
		config_free(&cfg);
		ui_tty_cleanup(&t);
		return rc;
	}

	login_init(&l, &cfg, &t.ui);
	/* An offline verification, as in the token flow: no nonce was sent
	 * and the token was not minted during this run, so the replay rule
	 * of the device grant (iat not before the login began) does not
	 * apply; the one-use record of the token flow is not written. */
	l.flow = FLOW_TOKEN;
	l.service = SERVICE_NAME;
	l.user = o->user;
	rc = http_init(&l.http, &cfg, &l.err);
	if (rc == OIDC_OK)
		rc = discovery_fetch(&l.http, &cfg, &l.disco, &l.err);
	if (rc == OIDC_OK)
		rc = verify_id_token(&l, token);
	if (rc == OIDC_OK && o->user != NULL) {
		rc = map_account(&l);
		if (rc == OIDC_OK)
			print_success(&l, l.account, l.map_rule);
	} else if (rc == OIDC_OK) {
		rc = map_explain(&cfg, l.claims, l.iss, l.sub, &account, &rule,
				 &l.err);
		if (rc == OIDC_OK)
			print_success(&l, account, rule);
	}
	if (rc != OIDC_OK)
		rc = print_failure(&l.err);
	free(account);
	free(rule);
	secure_free(token);
	login_free(&l);
	config_free(&cfg);
	ui_tty_cleanup(&t);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* login                                                                    */


static int cmd_login(const struct options *o)
{
	struct oidc_config cfg;
	struct oidc_err e;
	struct passwd *pw;
	struct ui_tty t;
	struct login l;
	char *me = NULL;
	const char *tty;
	int rc;

	ui_tty_init(&t);
	rc = load_config(o, &cfg, &e);
	if (rc != OIDC_OK) {
		rc = print_failure(&e);
		config_free(&cfg);
		ui_tty_cleanup(&t);
		return rc;
	}
	pw = getpwuid(getuid());
	if (pw != NULL)
		me = strdup(pw->pw_name);
	if (o->user == NULL && me == NULL) {
		complain("the invoking user (uid %u) has no name; use --user",
			 (unsigned)getuid());
		config_free(&cfg);
		ui_tty_cleanup(&t);
		return EXIT_USAGE;
	}
	tty = ttyname(STDIN_FILENO);
	ui_tty_catch_signals();
	openlog("pam_oidc", LOG_PID, LOG_AUTHPRIV);

	login_init(&l, &cfg, &t.ui);
	l.service = SERVICE_NAME;
	l.user = o->user != NULL ? o->user : me;
	l.ruser = me;
	l.rhost = "";
	l.tty = tty != NULL ? tty : "";
	rc = login_run(&l);
	login_audit(&l, (enum oidc_rc)rc);
	ui_tty_cleanup(&t);
	if (rc == OIDC_OK) {
		print_success(&l, l.account, l.map_rule);
	} else {
		if (l.err.rc == OIDC_OK)
			(void)oidc_fail(&l.err, (enum oidc_rc)rc, "%s",
					"login failed");
		rc = print_failure(&l.err);
	}
	login_free(&l);
	config_free(&cfg);
	free(me);
	closelog();
	return rc;
}

/* ------------------------------------------------------------------------ */
/* main                                                                     */

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: pam-oidc COMMAND [OPTION]...\n"
		"Check, and try out, an OpenID Connect login set up for "
		"pam_oidc.\n"
		"\n"
		"Commands:\n"
		"  check   validate the configuration, fetch the provider's "
		"discovery\n"
		"          document and keys, and show what a login would "
		"do\n"
		"  verify  verify a compact ID token read on standard input "
		"and show\n"
		"          its claims and account, or the rule that refused "
		"it\n"
		"  login   run a login on this terminal and show the verified "
		"claims\n"
		"          and account\n"
		"\n"
		"Options:\n"
		"  -c, --config FILE  the configuration (default %s)\n"
		"      --claims FILE  check: a JSON object of claims; show "
		"the mapping\n"
		"                     rule it hits and the account\n"
		"  -u, --user NAME    verify, login: the local account to log "
		"in to\n"
		"                     (login: default the invoking user)\n"
		"  -h, --help         show this help and exit\n"
		"  -V, --version      show the version and exit\n"
		"\n"
		"Exit status: 0 ok, 1 rejected, 2 usage or configuration "
		"error,\n"
		"3 provider unavailable.  See pam-oidc(8).\n",
		PAM_OIDC_CONFIG_PATH);
}

static int usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	va_start(ap, fmt);
	vline(stderr, "pam-oidc: ", fmt, ap);
	va_end(ap);
	fputs("Try 'pam-oidc --help'.\n", stderr);
	return EXIT_USAGE;
}

enum { OPT_CLAIMS = 256 };

static int parse_args(int argc, char **argv, struct options *o, bool *done)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"claims", required_argument, NULL, OPT_CLAIMS},
	    {"user", required_argument, NULL, 'u'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	*done = false;
	memset(o, 0, sizeof(*o));
	o->config = PAM_OIDC_CONFIG_PATH;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:u:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case OPT_CLAIMS:
			o->claims = optarg;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'h':
			usage(stdout);
			*done = true;
			return EXIT_OK;
		case 'V':
			printf("pam-oidc (pam_oidc) %s\n", PACKAGE_VERSION);
			*done = true;
			return EXIT_OK;
		case ':':
			return usage_error("option %s needs a value",
					   argv[optind - 1]);
		default:
			return usage_error("unknown option %s",
					   argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error("%s", "no command given (check, verify or "
					 "login)");
	o->command = argv[optind++];
	if (optind < argc)
		return usage_error("unexpected argument \"%s\"", argv[optind]);
	if (strcmp(o->command, "check") != 0 &&
	    strcmp(o->command, "verify") != 0 &&
	    strcmp(o->command, "login") != 0)
		return usage_error("unknown command \"%s\" (check, verify or "
				   "login)",
				   o->command);
	if (o->claims != NULL && strcmp(o->command, "check") != 0)
		return usage_error("%s", "--claims goes with check");
	if (o->user != NULL && strcmp(o->command, "check") == 0)
		return usage_error("%s", "--user goes with verify and login");
	if (o->user != NULL && !text_is_safe_username(o->user))
		return usage_error("\"%s\" is not a safe account name",
				   o->user);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	struct options o;
	bool done;
	int rc;

	umask(077);
	signal(SIGPIPE, SIG_IGN);
	rc = parse_args(argc, argv, &o, &done);
	if (rc != EXIT_OK || done)
		return rc;
	{
		struct ui_tty probe;

		ui_tty_init(&probe); /* sets the locale, learns UTF-8 */
		out_utf8 = probe.ui.utf8 ? TTY_UTF8 : 0;
		ui_tty_cleanup(&probe);
	}
	if (strcmp(o.command, "check") == 0)
		return cmd_check(&o);
	if (strcmp(o.command, "verify") == 0)
		return cmd_verify(&o);
	return cmd_login(&o);
}
