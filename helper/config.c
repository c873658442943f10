/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Parser for pam_oidc.conf (see config.h).
 *
 * Every key is one row of cfg_keys[] below: its section, its name, its type,
 * where the value lives in struct oidc_config, its range or allowed names,
 * whether it is required, and its default.  Defaults are parsed by the same
 * code as values from the file, so a default can never be something the file
 * could not hold.  Adding a key is one row (plus the field in config.h).
 *
 * Error contract: on any error cfg is released with config_free() (and left
 * zeroed) so that nothing half-parsed can be used; calling config_free()
 * again is harmless.  e->reason is "FILE:LINE: what is wrong (allowed: ...)"
 * for an error on a line, "FILE: what is wrong" for the whole file.
 *
 * Anything taken from the file (keys, values, section names) is escaped
 * before it is put into a message: those messages end up in syslog.
 */
#include "config.h"

#include "adminfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONFIG_MAX_LINE 4096 /* bytes per line, without the line ending */
#define SHOW_MAX 64	     /* characters of a value quoted in a message */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------------ */
/* Names */

static const char *const sections[] = {
    "provider", "login", "claims", "mapping", "audit",
};

static const char *const flow_names[] = {
    [FLOW_DEVICE] = "device",
    [FLOW_AUTHCODE] = "authcode",
    [FLOW_TOKEN] = "token",
    [FLOW_AUTO] = "auto",
    NULL,
};

static const char *const client_auth_names[] = {
    [CLIENT_AUTH_NONE] = "none",
    [CLIENT_AUTH_SECRET_BASIC] = "client_secret_basic",
    [CLIENT_AUTH_SECRET_POST] = "client_secret_post",
    [CLIENT_AUTH_PRIVATE_KEY_JWT] = "private_key_jwt",
    [CLIENT_AUTH_TLS] = "tls_client_auth",
    [CLIENT_AUTH_SELF_SIGNED_TLS] = "self_signed_tls_client_auth",
    NULL,
};

static const char *const audience_names[] = {
    [AUD_TOKEN_ENDPOINT] = "token_endpoint",
    [AUD_ISSUER] = "issuer",
    NULL,
};

static const char *const qr_names[] = {
    [QR_AUTO] = "auto",
    [QR_UTF8] = "utf8",
    [QR_ASCII] = "ascii",
    [QR_OFF] = "off",
    NULL,
};

/* Signature algorithms the verifier implements (jose.h). */
static const char *const alg_names[] = {
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
    "ES256", "ES384", "ES512", "EdDSA", NULL,
};

/* Algorithms for signing a private_key_jwt client assertion: SMART Backend
 * Services' RS384 and ES384, and the three that providers commonly accept. */
static const char *const assertion_alg_names[] = {
    "RS256", "RS384", "PS256", "ES256", "ES384", NULL,
};

/* Algorithms that are never acceptable, whatever the admin writes. */
static const char hmac_why[] =
    "HMAC uses a shared secret that the client holds too, so anyone "
    "with the client secret could forge ID tokens";
static const struct {
	const char *name;
	const char *why;
} refused_algs[] = {
    {"none", "an unsigned token proves nothing"},
    {"HS256", hmac_why},
    {"HS384", hmac_why},
    {"HS512", hmac_why},
};

static const struct {
	const char *name;
	bool value;
} bool_names[] = {
    {"yes", true}, {"no", false},  {"true", true}, {"false", false},
    {"on", true},  {"off", false}, {"1", true},	   {"0", false},
};

/* Enums are stored through their int representation. */
_Static_assert(sizeof(enum oidc_flow) == sizeof(int), "enum size");
_Static_assert(sizeof(enum qr_mode) == sizeof(int), "enum size");
_Static_assert(sizeof(enum client_auth) == sizeof(int), "enum size");
_Static_assert(sizeof(enum assertion_audience) == sizeof(int), "enum size");

/* ------------------------------------------------------------------------ */
/* The key table */

enum cfg_type {
	CFG_STRING,	/* any text without control characters */
	CFG_PATH,	/* absolute path */
	CFG_URL,	/* https://host[:port][/path] */
	CFG_PROXY,	/* http(s)://host[:port], no path */
	CFG_REDIRECT,	/* http://127.0.0.1[:port]/path or an https URL */
	CFG_INT,	/* decimal integer in [min, max] */
	CFG_BOOL,	/* yes/no, true/false, on/off, 1/0 */
	CFG_ENUM,	/* one of names[]; stored as its index */
	CFG_CHOICE,	/* one of names[]; stored as a copy of the name */
	CFG_CLAIM,	/* a claim name: visible UTF-8, no spaces */
	CFG_CLAIM_PATH, /* claim names joined by dots: realm_access.roles */
	CFG_ALGS,	/* list of JWS algorithm names */
	CFG_WORDS,	/* list of words: visible UTF-8, no spaces */
	CFG_HOSTS,	/* list of host names, .domains and IP addresses */
	CFG_FHIR_TYPES, /* list of FHIR resource type names */
	CFG_SCOPES,	/* OAuth scope tokens, must include "openid" */
	CFG_CLIENT_ID,	/* printable ASCII, no spaces */
};

struct cfg_key {
	const char *section;
	const char *name;
	enum cfg_type type;
	size_t offset;		  /* of the field in struct oidc_config */
	long min, max;		  /* CFG_INT */
	const char *const *names; /* CFG_ENUM, CFG_CHOICE */
	bool required;		  /* must be set by the file */
	const char *def;	  /* default, parsed like a value; NULL: none */
};

/*
 * One macro per type, so that a row names only what matters.  FIELD checks
 * that the struct member has the C type the key type stores (_Generic fails
 * to compile otherwise).  Only char * keys can be required.
 */
/* clang-format off */
#define FIELD(f, T) \
	_Generic(((struct oidc_config *)0)->f, T: offsetof(struct oidc_config, f))
#define KEY_STR(sec, key, f, def) \
	{sec, key, CFG_STRING, FIELD(f, char *), 0, 0, NULL, false, def}
#define KEY_PATH(sec, key, f, def) \
	{sec, key, CFG_PATH, FIELD(f, char *), 0, 0, NULL, false, def}
#define KEY_URL(sec, key, f, req) \
	{sec, key, CFG_URL, FIELD(f, char *), 0, 0, NULL, req, NULL}
#define KEY_PROXY(sec, key, f) \
	{sec, key, CFG_PROXY, FIELD(f, char *), 0, 0, NULL, false, NULL}
#define KEY_REDIRECT(sec, key, f, def) \
	{sec, key, CFG_REDIRECT, FIELD(f, char *), 0, 0, NULL, false, def}
#define KEY_CLIENT_ID(sec, key, f, req) \
	{sec, key, CFG_CLIENT_ID, FIELD(f, char *), 0, 0, NULL, req, NULL}
#define KEY_SCOPES(sec, key, f, def) \
	{sec, key, CFG_SCOPES, FIELD(f, char *), 0, 0, NULL, false, def}
#define KEY_INT(sec, key, f, lo, hi, def) \
	{sec, key, CFG_INT, FIELD(f, long), lo, hi, NULL, false, def}
#define KEY_BOOL(sec, key, f, def) \
	{sec, key, CFG_BOOL, FIELD(f, bool), 0, 0, NULL, false, def}
#define KEY_ENUM(sec, key, f, T, names, def) \
	{sec, key, CFG_ENUM, FIELD(f, T), 0, 0, names, false, def}
#define KEY_CHOICE(sec, key, f, names) \
	{sec, key, CFG_CHOICE, FIELD(f, char *), 0, 0, names, false, NULL}
#define KEY_CLAIM(sec, key, f, def) \
	{sec, key, CFG_CLAIM, FIELD(f, char *), 0, 0, NULL, false, def}
#define KEY_CLAIM_PATH(sec, key, f) \
	{sec, key, CFG_CLAIM_PATH, FIELD(f, char *), 0, 0, NULL, false, NULL}
#define KEY_ALGS(sec, key, f, def) \
	{sec, key, CFG_ALGS, FIELD(f, char **), 0, 0, NULL, false, def}
#define KEY_WORDS(sec, key, f) \
	{sec, key, CFG_WORDS, FIELD(f, char **), 0, 0, NULL, false, NULL}
#define KEY_HOSTS(sec, key, f) \
	{sec, key, CFG_HOSTS, FIELD(f, char **), 0, 0, NULL, false, NULL}
#define KEY_FHIR_TYPES(sec, key, f) \
	{sec, key, CFG_FHIR_TYPES, FIELD(f, char **), 0, 0, NULL, false, NULL}
/* clang-format on */

static const struct cfg_key cfg_keys[] = {
    KEY_URL("provider", "issuer", issuer, true),
    KEY_CLIENT_ID("provider", "client_id", client_id, true),
    KEY_PATH("provider", "ca_file", ca_file, NULL),
    KEY_SCOPES("provider", "scopes", scopes, "openid profile"),
    KEY_INT("provider", "timeout", timeout, 1, 300, "10"),
    KEY_ENUM("provider", "client_auth", client_auth, enum client_auth,
	     client_auth_names, "none"),
    KEY_PATH("provider", "client_secret_file", client_secret_file, NULL),
    KEY_PATH("provider", "client_key_file", client_key_file, NULL),
    KEY_PATH("provider", "client_cert_file", client_cert_file, NULL),
    KEY_PATH("provider", "client_pkcs12_file", client_pkcs12_file, NULL),
    KEY_PATH("provider", "client_pkcs12_passphrase_file",
	     client_pkcs12_passphrase_file, NULL),
    KEY_CHOICE("provider", "client_assertion_alg", client_assertion_alg,
	       assertion_alg_names),
    KEY_ENUM("provider", "assertion_audience", assertion_audience,
	     enum assertion_audience, audience_names, "token_endpoint"),
    KEY_PROXY("provider", "proxy", proxy),
    KEY_HOSTS("provider", "no_proxy", no_proxy),
    KEY_PATH("provider", "cache_dir", cache_dir, PAM_OIDC_CACHE_DIR),
    KEY_URL("provider", "fhir_base_url", fhir_base_url, false),

    KEY_ENUM("login", "flow", flow, enum oidc_flow, flow_names, "device"),
    KEY_INT("login", "login_timeout", login_timeout, 10, 3600, "300"),
    KEY_ENUM("login", "qr", qr, enum qr_mode, qr_names, "auto"),
    KEY_REDIRECT("login", "redirect_uri", redirect_uri,
		 "http://127.0.0.1/callback"),
    KEY_BOOL("login", "par", par, "no"),

    KEY_INT("claims", "leeway", leeway, 0, 600, "60"),
    KEY_ALGS("claims", "allowed_algs", allowed_algs, "RS256 PS256 ES256 EdDSA"),
    KEY_INT("claims", "max_auth_age", max_auth_age, 0, 86400, "0"),
    KEY_WORDS("claims", "required_acr", required_acr),
    KEY_WORDS("claims", "required_amr", required_amr),
    KEY_CLAIM_PATH("claims", "role_claim", role_claim),
    KEY_WORDS("claims", "allowed_roles", allowed_roles),
    KEY_CLAIM("claims", "npi_claim", npi_claim, NULL),
    KEY_BOOL("claims", "require_npi", require_npi, "no"),
    KEY_CLAIM("claims", "hpii_claim", hpii_claim, NULL),
    KEY_CLAIM("claims", "hpio_claim", hpio_claim, NULL),
    KEY_CLAIM("claims", "fhir_user_claim", fhir_user_claim, "fhirUser"),
    KEY_FHIR_TYPES("claims", "fhir_user_types", fhir_user_types),

    KEY_STR("mapping", "username_claim", username_claim, "preferred_username"),
    KEY_PATH("mapping", "map_file", map_file, NULL),
    KEY_BOOL("mapping", "allow_root", allow_root, "no"),

    KEY_PATH("audit", "audit_file", audit_file, NULL),
};

/* ------------------------------------------------------------------------ */
/* Messages */

struct parse_ctx {
	char file[300]; /* escaped file name */
	unsigned line;	/* 0: not about one line */
	struct oidc_err *e;
};

/* Quote untrusted text for a message: printable ASCII as is, anything else
 * (and '"', '\\') as \xNN; at most max characters of output, then "...". */
struct shown {
	char s[256 + 8];
};

static const char *show_n(struct shown *o, const char *s, size_t len,
			  size_t max)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, j = 0;

	if (max > sizeof(o->s) - 4)
		max = sizeof(o->s) - 4;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		bool plain = ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\';

		if (j + (plain ? 1 : 4) > max)
			break;
		if (plain) {
			o->s[j++] = (char)ch;
		} else {
			o->s[j++] = '\\';
			o->s[j++] = 'x';
			o->s[j++] = hex[ch >> 4];
			o->s[j++] = hex[ch & 0xf];
		}
	}
	if (i < len) {
		memcpy(o->s + j, "...", 3);
		j += 3;
	}
	o->s[j] = '\0';
	return o->s;
}

static const char *show(struct shown *o, const char *s)
{
	return show_n(o, s, strlen(s), SHOW_MAX);
}

static int fail(struct parse_ctx *c, enum oidc_rc rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct parse_ctx *c, enum oidc_rc rc, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = oidc_vfail_at(c->e, rc, c->file, c->line, fmt, ap);
	va_end(ap);
	return r;
}

static int nomem(struct parse_ctx *c)
{
	return fail(c, OIDC_EINTERNAL, "out of memory");
}

/* Space-separated list of names into buf. */
static const char *join(char *buf, size_t size, const char *const *names,
			size_t n)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < n && names[i] != NULL; i++) {
		int w = snprintf(buf + used, size - used, "%s%s",
				 i > 0 ? " " : "", names[i]);

		if (w < 0 || (size_t)w >= size - used)
			break;
		used += (size_t)w;
	}
	return buf;
}

/* What a key accepts, for messages. */
static const char *expect(const struct cfg_key *k, char *buf, size_t size)
{
	char list[256];

	switch (k->type) {
	case CFG_STRING:
		return "text without control characters";
	case CFG_PATH:
		return "an absolute path starting with '/'";
	case CFG_URL:
		return "https://host[:port][/path] without query, fragment or "
		       "user@";
	case CFG_PROXY:
		return "http://host[:port] or https://host[:port], without "
		       "path, query or user@";
	case CFG_REDIRECT:
		return "http://127.0.0.1[:port]/path, http://[::1][:port]/path "
		       "or https://host[:port][/path], without query or "
		       "fragment";
	case CFG_INT:
		snprintf(buf, size, "an integer from %ld to %ld", k->min,
			 k->max);
		return buf;
	case CFG_BOOL:
		return "yes no true false on off 1 0";
	case CFG_ENUM:
	case CFG_CHOICE:
		return join(buf, size, k->names, SIZE_MAX);
	case CFG_CLAIM:
		return "a claim name without spaces or control characters";
	case CFG_CLAIM_PATH:
		return "claim names of A-Z a-z 0-9 _ : - joined by single "
		       "dots, e.g. realm_access.roles";
	case CFG_ALGS:
		snprintf(buf, size, "one or more of %s, separated by spaces",
			 join(list, sizeof(list), alg_names, SIZE_MAX));
		return buf;
	case CFG_WORDS:
		return "words separated by spaces, without control characters";
	case CFG_HOSTS:
		return "host names, .domain suffixes and IP addresses, "
		       "separated by spaces";
	case CFG_FHIR_TYPES:
		return "FHIR resource type names such as Practitioner, "
		       "separated by spaces";
	case CFG_SCOPES:
		return "scope names separated by spaces, including openid";
	case CFG_CLIENT_ID:
		return "printable ASCII without spaces";
	}
	return "?";
}

/* "key = "value": problem (allowed: ...)" */
static int bad_value(struct parse_ctx *c, const struct cfg_key *k,
		     const char *val, const char *problem)
{
	struct shown v;
	char buf[256];

	return fail(c, OIDC_ECONFIG, "%s = \"%s\": %s (allowed: %s)", k->name,
		    show(&v, val), problem, expect(k, buf, sizeof(buf)));
}

/* ------------------------------------------------------------------------ */
/* Character classes (ASCII, independent of the locale) */

static bool is_digit(int ch)
{
	return ch >= '0' && ch <= '9';
}

static bool is_alnum(int ch)
{
	return is_digit(ch) || (ch >= 'a' && ch <= 'z') ||
	       (ch >= 'A' && ch <= 'Z');
}

static bool is_hex(int ch)
{
	return is_digit(ch) || (ch >= 'a' && ch <= 'f') ||
	       (ch >= 'A' && ch <= 'F');
}

static bool is_blank(int ch)
{
	return ch == ' ' || ch == '\t';
}

static bool is_ctl(int ch)
{
	return (unsigned char)ch < 0x20 || (unsigned char)ch == 0x7f;
}

static const char *find_ctl(const char *s)
{
	for (; *s != '\0'; s++)
		if (is_ctl(*s))
			return s;
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* Value parsers: check val, then store it in field (freeing the old value). */

static int store_str(struct parse_ctx *c, void *field, const char *val)
{
	char **dst = field;
	char *copy = strdup(val);

	if (copy == NULL)
		return nomem(c);
	free(*dst);
	*dst = copy;
	return OIDC_OK;
}

static int set_string(struct parse_ctx *c, const struct cfg_key *k,
		      const char *val, void *field)
{
	if (find_ctl(val) != NULL)
		return bad_value(c, k, val,
				 "contains a tab or control character");
	return store_str(c, field, val);
}

static int set_path(struct parse_ctx *c, const struct cfg_key *k,
		    const char *val, void *field)
{
	if (val[0] != '/')
		return bad_value(c, k, val, "not an absolute path");
	if (find_ctl(val) != NULL)
		return bad_value(c, k, val,
				 "contains a tab or control character");
	return store_str(c, field, val);
}

static bool pchar_ok(int ch)
{
	/* RFC 3986 pchar and '/', with '%' checked by the caller. */
	return is_alnum(ch) || strchr("-._~!$&'()*+,;=:@/%", ch) != NULL;
}

/* The parts of a URL that url_parse() accepted. */
struct url_view {
	bool https;
	const char *host; /* IPv6 literals with their brackets */
	size_t host_len;
	long port;	  /* 0: none given */
	const char *path; /* "" or starting with '/' */
};

/*
 * NULL if url is an absolute https URL (or http, when allow_http) without
 * query, fragment or user information, with a well-formed host, port and
 * path; else why not.  Fills *u on success.
 */
static const char *url_parse(const char *url, bool allow_http,
			     struct url_view *u)
{
	const char *p, *host, *auth_end;
	size_t i;

	memset(u, 0, sizeof(*u));
	for (p = url; *p != '\0'; p++) {
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p == 0x7f)
			return "contains whitespace or a control character";
		if ((unsigned char)*p >= 0x80)
			return "contains a non-ASCII byte (percent-encode it)";
	}
	if (strncmp(url, "https://", 8) == 0) {
		u->https = true;
		host = url + 8;
	} else if (allow_http && strncmp(url, "http://", 7) == 0) {
		host = url + 7;
	} else if (!allow_http && strncasecmp(url, "http://", 7) == 0) {
		return "plain http is refused: tokens would travel unencrypted";
	} else if (strncasecmp(url, "https://", 8) == 0 ||
		   strncasecmp(url, "http://", 7) == 0) {
		return "write the scheme in lower case";
	} else {
		return allow_http ? "not an http or https URL"
				  : "not an https URL";
	}
	if (strchr(url, '?') != NULL)
		return "a query ('?') is not allowed";
	if (strchr(url, '#') != NULL)
		return "a fragment ('#') is not allowed";

	auth_end = host + strcspn(host, "/");
	if (memchr(host, '@', (size_t)(auth_end - host)) != NULL)
		return "user information ('user@') is not allowed";

	p = host;
	if (*p == '[') { /* IPv6 literal */
		for (p++;
		     p < auth_end && (is_hex(*p) || *p == ':' || *p == '.');
		     p++)
			;
		if (p == host + 1 || p >= auth_end || *p != ']')
			return "malformed IPv6 address (expected [address])";
		p++;
	} else {
		for (; p < auth_end &&
		       (is_alnum(*p) || strchr("-._", *p) != NULL);
		     p++)
			;
		if (p == host)
			return "the host name is missing";
		if (host[0] == '.' || host[0] == '-')
			return "malformed host name";
	}
	u->host = host;
	u->host_len = (size_t)(p - host);
	if (p < auth_end && *p == ':') {
		long port = 0;

		for (i = 0, p++; p < auth_end && is_digit(*p) && i < 6;
		     i++, p++)
			port = port * 10 + (*p - '0');
		if (i == 0 || i > 5 || p != auth_end || port < 1 ||
		    port > 65535)
			return "malformed port (expected :1 to :65535)";
		u->port = port;
	}
	if (p != auth_end)
		return "the host name contains a character that is not allowed";

	for (p = auth_end; *p != '\0'; p++) {
		if (!pchar_ok(*p))
			return "the path contains a character that must be "
			       "percent-encoded";
		if (*p == '%' && !(is_hex(p[1]) && is_hex(p[2])))
			return "the path contains '%' not followed by two hex "
			       "digits";
	}
	u->path = auth_end;
	return NULL;
}

static bool host_is(const struct url_view *u, const char *name)
{
	return u->host_len == strlen(name) &&
	       strncasecmp(u->host, name, u->host_len) == 0;
}

/* NULL if url is an acceptable issuer (or FHIR base URL), else why not. */
static const char *issuer_problem(const char *url)
{
	struct url_view u;

	return url_parse(url, false, &u);
}

/* An HTTP(S) proxy: scheme, host and port only (a lone '/' is tolerated,
 * as in the usual http_proxy values). */
static const char *proxy_problem(const char *url)
{
	struct url_view u;
	const char *why = url_parse(url, true, &u);

	if (why != NULL)
		return why;
	if (u.path[0] != '\0' && strcmp(u.path, "/") != 0)
		return "a path is not allowed (write scheme://host:port)";
	return NULL;
}

/* An https redirect URI, or the loopback listener of RFC 8252 7.3. */
static const char *redirect_problem(const char *url)
{
	struct url_view u;
	const char *why = url_parse(url, true, &u);

	if (why != NULL)
		return why;
	if (u.https)
		return NULL;
	if (host_is(&u, "localhost") || host_is(&u, "localhost."))
		return "\"localhost\" is refused, write 127.0.0.1 instead "
		       "(RFC 8252 8.3: the name may resolve to another "
		       "address, and the listener binds 127.0.0.1 only)";
	if (!host_is(&u, "127.0.0.1") && !host_is(&u, "[::1]"))
		return "plain http is allowed only for the loopback listener "
		       "on 127.0.0.1 or [::1]; any other redirect must be "
		       "https";
	if (u.path[0] == '\0')
		return "the path is missing (e.g. http://127.0.0.1/callback)";
	return NULL;
}

static int set_url(struct parse_ctx *c, const struct cfg_key *k,
		   const char *val, void *field)
{
	const char *why = issuer_problem(val);

	if (why != NULL)
		return bad_value(c, k, val, why);
	return store_str(c, field, val);
}

static int set_proxy(struct parse_ctx *c, const struct cfg_key *k,
		     const char *val, void *field)
{
	const char *why = proxy_problem(val);

	if (why != NULL)
		return bad_value(c, k, val, why);
	return store_str(c, field, val);
}

static int set_redirect(struct parse_ctx *c, const struct cfg_key *k,
			const char *val, void *field)
{
	const char *why = redirect_problem(val);

	if (why != NULL)
		return bad_value(c, k, val, why);
	return store_str(c, field, val);
}

static int set_client_id(struct parse_ctx *c, const struct cfg_key *k,
			 const char *val, void *field)
{
	const unsigned char *p;

	for (p = (const unsigned char *)val; *p != '\0'; p++) {
		if (is_blank(*p))
			return bad_value(c, k, val, "contains whitespace");
		if (*p < 0x21 || *p > 0x7e)
			return bad_value(
			    c, k, val,
			    "contains a byte outside printable ASCII");
	}
	return store_str(c, field, val);
}

static int set_int(struct parse_ctx *c, const struct cfg_key *k,
		   const char *val, void *field)
{
	long v;
	char *end = NULL;

	/* strtol alone would accept leading spaces, '+' and "0x". */
	if (!is_digit(val[0]) && !(val[0] == '-' && is_digit(val[1])))
		return bad_value(c, k, val, "not a whole number");
	errno = 0;
	v = strtol(val, &end, 10);
	if (end == val || *end != '\0')
		return bad_value(c, k, val, "not a whole number");
	if (errno == ERANGE || v < k->min || v > k->max)
		return bad_value(c, k, val, "out of range");
	*(long *)field = v;
	return OIDC_OK;
}

static int set_bool(struct parse_ctx *c, const struct cfg_key *k,
		    const char *val, void *field)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bool_names); i++) {
		if (strcasecmp(val, bool_names[i].name) == 0) {
			*(bool *)field = bool_names[i].value;
			return OIDC_OK;
		}
	}
	return bad_value(c, k, val, "not a yes/no value");
}

static int set_enum(struct parse_ctx *c, const struct cfg_key *k,
		    const char *val, void *field)
{
	int i;

	for (i = 0; k->names[i] != NULL; i++) {
		if (strcmp(val, k->names[i]) == 0) {
			memcpy(field, &i, sizeof(i));
			return OIDC_OK;
		}
	}
	return bad_value(c, k, val, "unknown value");
}

/* Stored as a copy of the name, so that NULL can mean "not set". */
static int set_choice(struct parse_ctx *c, const struct cfg_key *k,
		      const char *val, void *field)
{
	char problem[160];
	size_t i;

	for (i = 0; k->names[i] != NULL; i++)
		if (strcmp(val, k->names[i]) == 0)
			return store_str(c, field, k->names[i]);
	for (i = 0; k->names[i] != NULL; i++) {
		if (strcasecmp(val, k->names[i]) == 0) {
			snprintf(problem, sizeof(problem),
				 "unknown value (names are case-sensitive: "
				 "%s)",
				 k->names[i]);
			return bad_value(c, k, val, problem);
		}
	}
	return bad_value(c, k, val, "unknown value");
}

/*
 * Length of the UTF-8 sequence that starts at s: 1 to 4, or 0 if it is not
 * well-formed (RFC 3629: no overlong forms, no surrogates, nothing above
 * U+10FFFF), or if it encodes a C0 or C1 control character.
 */
static size_t utf8_char(const unsigned char *s)
{
	unsigned cp;
	size_t n, i;

	if (s[0] < 0x80)
		return is_ctl(s[0]) ? 0 : 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1fu;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0fu;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07u;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0; /* also stops at the terminating NUL */
		cp = (cp << 6) | (s[i] & 0x3fu);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
	    (cp >= 0x80 && cp <= 0x9f))
		return 0;
	return n;
}

/* NULL if s is one word of visible text (UTF-8, no blanks, no control
 * characters), else why not. */
static const char *word_problem(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		size_t n = utf8_char(p);
		bool c1 = p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f;

		if (is_blank(*p))
			return "contains whitespace";
		if (n == 0 && (*p < 0x80 || c1))
			return "contains a control character";
		if (n == 0)
			return "is not valid UTF-8 text";
		p += n;
	}
	return NULL;
}

/* A claim name as it appears in the ID token, e.g. npi or a URI. */
static int set_claim(struct parse_ctx *c, const struct cfg_key *k,
		     const char *val, void *field)
{
	const char *why = word_problem(val);

	if (why != NULL)
		return bad_value(c, k, val, why);
	return store_str(c, field, val);
}

/* A path into the claims: member names joined by '.', each [A-Za-z0-9_:-]+
 * (Keycloak's realm_access.roles, Cognito's cognito:groups). */
static int set_claim_path(struct parse_ctx *c, const struct cfg_key *k,
			  const char *val, void *field)
{
	const char *p;
	size_t seg = 0;

	for (p = val; *p != '\0'; p++) {
		if (*p == '.') {
			if (seg == 0)
				break;
			seg = 0;
		} else if (is_alnum(*p) || strchr("_:-", *p) != NULL) {
			seg++;
		} else {
			return bad_value(c, k, val,
					 "contains a character other than "
					 "A-Z a-z 0-9 _ : - and '.'");
		}
	}
	if (seg == 0)
		return bad_value(c, k, val,
				 "has an empty name (a '.' at the start or "
				 "end, or two in a row)");
	return store_str(c, field, val);
}

/* A value split into words (in a private copy of the value). */
struct words {
	char *buf;
	char *w[CONFIG_MAX_LIST];
	size_t n;
};

typedef int (*word_check)(struct parse_ctx *c, const struct cfg_key *k,
			  const char *val, const char *word);

/* Split val at spaces/tabs; refuse more than CONFIG_MAX_LIST words and
 * duplicates; run check on each word.  ws->buf must be freed by the caller
 * whatever the result. */
static int split_words(struct parse_ctx *c, const struct cfg_key *k,
		       const char *val, struct words *ws, word_check check)
{
	struct shown sw;
	char problem[160];
	char *p;
	size_t i;
	int rc;

	ws->n = 0;
	ws->buf = strdup(val);
	if (ws->buf == NULL)
		return nomem(c);
	p = ws->buf;
	for (;;) {
		char *word;

		while (is_blank(*p))
			p++;
		if (*p == '\0')
			break;
		word = p;
		while (*p != '\0' && !is_blank(*p))
			p++;
		if (*p != '\0')
			*p++ = '\0';
		if (ws->n == CONFIG_MAX_LIST) {
			snprintf(problem, sizeof(problem),
				 "more than %d entries", CONFIG_MAX_LIST);
			return bad_value(c, k, val, problem);
		}
		rc = check(c, k, val, word);
		if (rc != OIDC_OK)
			return rc;
		for (i = 0; i < ws->n; i++) {
			if (strcmp(ws->w[i], word) == 0) {
				snprintf(problem, sizeof(problem),
					 "\"%s\" is listed twice",
					 show(&sw, word));
				return bad_value(c, k, val, problem);
			}
		}
		ws->w[ws->n++] = word;
	}
	if (ws->n == 0)
		return bad_value(c, k, val, "no entries");
	return OIDC_OK;
}

static int check_alg(struct parse_ctx *c, const struct cfg_key *k,
		     const char *val, const char *word)
{
	struct shown sw;
	char problem[320];
	size_t i;

	for (i = 0; alg_names[i] != NULL; i++)
		if (strcmp(word, alg_names[i]) == 0)
			return OIDC_OK;
	for (i = 0; i < ARRAY_SIZE(refused_algs); i++) {
		if (strcasecmp(word, refused_algs[i].name) == 0) {
			snprintf(problem, sizeof(problem),
				 "\"%s\" is refused: %s", show(&sw, word),
				 refused_algs[i].why);
			return bad_value(c, k, val, problem);
		}
	}
	for (i = 0; alg_names[i] != NULL; i++) {
		if (strcasecmp(word, alg_names[i]) == 0) {
			snprintf(problem, sizeof(problem),
				 "unknown algorithm \"%s\" (names are "
				 "case-sensitive: %s)",
				 show(&sw, word), alg_names[i]);
			return bad_value(c, k, val, problem);
		}
	}
	snprintf(problem, sizeof(problem), "unknown algorithm \"%s\"",
		 show(&sw, word));
	return bad_value(c, k, val, problem);
}

/* A word of a generic list: roles, acr and amr values. */
static int check_word(struct parse_ctx *c, const struct cfg_key *k,
		      const char *val, const char *word)
{
	struct shown sw;
	char problem[160];
	const char *why = word_problem(word);

	if (why == NULL)
		return OIDC_OK;
	snprintf(problem, sizeof(problem), "\"%s\" %s", show(&sw, word), why);
	return bad_value(c, k, val, problem);
}

/* A no_proxy entry: a host name, a .domain (the domain and every host in
 * it), an IPv4 address, or an IPv6 address without brackets. */
static int check_host(struct parse_ctx *c, const struct cfg_key *k,
		      const char *val, const char *word)
{
	struct shown sw;
	char problem[200];
	static const char empty_label[] =
	    "has an empty label (a '.' at the end, or two in a row)";
	const char *p, *why = NULL;
	size_t label = 0, colons = 0;

	for (p = word; *p != '\0'; p++)
		if (*p == ':')
			colons++;

	if (strcmp(word, "*") == 0) {
		why = "is not supported: to use no proxy at all, leave proxy "
		      "unset";
	} else if (strncmp(word, "*.", 2) == 0) {
		why = "is not supported: write the domain with a leading '.' "
		      "and no '*' (e.g. .example.org)";
	} else if (strchr(word, '/') != NULL) {
		why = "is not a host name: no scheme, path or address range "
		      "(/prefix)";
	} else if (colons > 0) {
		for (p = word; *p != '\0'; p++)
			if (!is_hex(*p) && *p != ':' && *p != '.')
				break;
		if (*p != '\0' || colons < 2)
			why = "is not a host name or IP address (no port, and "
			      "IPv6 addresses without brackets)";
	} else {
		p = word[0] == '.' ? word + 1 : word;
		for (; *p != '\0' && why == NULL; p++) {
			if (*p == '.' && label == 0)
				why = empty_label;
			else if (*p == '.')
				label = 0;
			else if (is_alnum(*p) || *p == '-' || *p == '_')
				label++;
			else
				why = "is not a host name, .domain or IP "
				      "address";
		}
		if (why == NULL && label == 0)
			why = empty_label;
	}
	if (why == NULL)
		return OIDC_OK;
	snprintf(problem, sizeof(problem), "\"%s\" %s", show(&sw, word), why);
	return bad_value(c, k, val, problem);
}

/* A FHIR resource type name: a capital letter, then letters. */
static int check_fhir_type(struct parse_ctx *c, const struct cfg_key *k,
			   const char *val, const char *word)
{
	struct shown sw;
	char problem[200];
	const char *p;

	for (p = word + 1; *p != '\0' && is_alnum(*p) && !is_digit(*p); p++)
		;
	if (word[0] >= 'A' && word[0] <= 'Z' && *p == '\0')
		return OIDC_OK;
	snprintf(problem, sizeof(problem),
		 "\"%s\" is not a FHIR resource type name (a capital letter, "
		 "then letters only, e.g. PractitionerRole)",
		 show(&sw, word));
	return bad_value(c, k, val, problem);
}

static word_check list_check(enum cfg_type type)
{
	switch (type) {
	case CFG_ALGS:
		return check_alg;
	case CFG_HOSTS:
		return check_host;
	case CFG_FHIR_TYPES:
		return check_fhir_type;
	default:
		return check_word;
	}
}

/* Every list type: a NULL-terminated array of copies of the words. */
static int set_list(struct parse_ctx *c, const struct cfg_key *k,
		    const char *val, void *field)
{
	struct words ws;
	char **list = NULL, ***dst = field;
	size_t i;
	int rc;

	rc = split_words(c, k, val, &ws, list_check(k->type));
	if (rc != OIDC_OK)
		goto out;
	list = calloc(ws.n + 1, sizeof(*list));
	if (list == NULL) {
		rc = nomem(c);
		goto out;
	}
	for (i = 0; i < ws.n; i++) {
		list[i] = strdup(ws.w[i]);
		if (list[i] == NULL) {
			rc = nomem(c);
			goto out;
		}
	}
	if (*dst != NULL) {
		for (i = 0; (*dst)[i] != NULL; i++)
			free((*dst)[i]);
		free(*dst);
	}
	*dst = list;
	list = NULL;
out:
	if (list != NULL) {
		for (i = 0; list[i] != NULL; i++)
			free(list[i]);
		free(list);
	}
	free(ws.buf);
	return rc;
}

static int check_scope(struct parse_ctx *c, const struct cfg_key *k,
		       const char *val, const char *word)
{
	struct shown sw;
	char problem[256];
	const unsigned char *p;

	/* RFC 6749 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ) */
	for (p = (const unsigned char *)word; *p != '\0'; p++) {
		if (*p < 0x21 || *p > 0x7e || *p == '"' || *p == '\\') {
			snprintf(
			    problem, sizeof(problem),
			    "scope \"%s\" contains a character not allowed by "
			    "RFC 6749 3.3 (printable ASCII except '\"' and "
			    "'\\')",
			    show(&sw, word));
			return bad_value(c, k, val, problem);
		}
	}
	return OIDC_OK;
}

/* Stored normalised: the scopes joined by single spaces. */
static int set_scopes(struct parse_ctx *c, const struct cfg_key *k,
		      const char *val, void *field)
{
	struct words ws;
	char *joined = NULL;
	bool openid = false;
	size_t i, used = 0;
	int rc;

	rc = split_words(c, k, val, &ws, check_scope);
	if (rc != OIDC_OK)
		goto out;
	for (i = 0; i < ws.n; i++)
		if (strcmp(ws.w[i], "openid") == 0)
			openid = true;
	if (!openid) {
		rc = bad_value(c, k, val, "\"openid\" is missing");
		goto out;
	}
	joined = malloc(strlen(val) + 1);
	if (joined == NULL) {
		rc = nomem(c);
		goto out;
	}
	for (i = 0; i < ws.n; i++) {
		size_t wl = strlen(ws.w[i]);

		if (i > 0)
			joined[used++] = ' ';
		memcpy(joined + used, ws.w[i], wl);
		used += wl;
	}
	joined[used] = '\0';
	free(*(char **)field);
	*(char **)field = joined;
	joined = NULL;
out:
	free(joined);
	free(ws.buf);
	return rc;
}

static void release_str(void *field)
{
	char **p = field;

	free(*p);
	*p = NULL;
}

static void release_list(void *field)
{
	char ***p = field;
	size_t i;

	if (*p == NULL)
		return;
	for (i = 0; (*p)[i] != NULL; i++)
		free((*p)[i]);
	free(*p);
	*p = NULL;
}

static const struct {
	int (*set)(struct parse_ctx *c, const struct cfg_key *k,
		   const char *val, void *field);
	void (*release)(void *field); /* NULL: nothing allocated */
} cfg_types[] = {
    [CFG_STRING] = {set_string, release_str},
    [CFG_PATH] = {set_path, release_str},
    [CFG_URL] = {set_url, release_str},
    [CFG_PROXY] = {set_proxy, release_str},
    [CFG_REDIRECT] = {set_redirect, release_str},
    [CFG_INT] = {set_int, NULL},
    [CFG_BOOL] = {set_bool, NULL},
    [CFG_ENUM] = {set_enum, NULL},
    [CFG_CHOICE] = {set_choice, release_str},
    [CFG_CLAIM] = {set_claim, release_str},
    [CFG_CLAIM_PATH] = {set_claim_path, release_str},
    [CFG_ALGS] = {set_list, release_list},
    [CFG_WORDS] = {set_list, release_list},
    [CFG_HOSTS] = {set_list, release_list},
    [CFG_FHIR_TYPES] = {set_list, release_list},
    [CFG_SCOPES] = {set_scopes, release_str},
    [CFG_CLIENT_ID] = {set_client_id, release_str},
};

static void *field_of(struct oidc_config *cfg, const struct cfg_key *k)
{
	return (char *)cfg + k->offset;
}

/* ------------------------------------------------------------------------ */
/* Lines */

static const char *find_section(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sections); i++)
		if (strcmp(name, sections[i]) == 0)
			return sections[i];
	return NULL;
}

static const struct cfg_key *find_key(const char *section, const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cfg_keys); i++)
		if ((section == NULL ||
		     strcmp(cfg_keys[i].section, section) == 0) &&
		    strcmp(cfg_keys[i].name, name) == 0)
			return &cfg_keys[i];
	return NULL;
}

static int unknown_key(struct parse_ctx *c, const char *section,
		       const char *key)
{
	const struct cfg_key *elsewhere = find_key(NULL, key);
	struct shown sk;
	char known[320], hint[96] = "";
	size_t i, used = 0;

	known[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(cfg_keys); i++) {
		int w;

		if (strcmp(cfg_keys[i].section, section) != 0)
			continue;
		w = snprintf(known + used, sizeof(known) - used, "%s%s",
			     used > 0 ? " " : "", cfg_keys[i].name);
		if (w < 0 || (size_t)w >= sizeof(known) - used)
			break;
		used += (size_t)w;
	}
	if (elsewhere != NULL)
		snprintf(hint, sizeof(hint), "; %s belongs in [%s]",
			 elsewhere->name, elsewhere->section);
	return fail(c, OIDC_ECONFIG, "unknown key \"%s\" in [%s] (known: %s%s)",
		    show(&sk, key), section, known, hint);
}

static char *trim(char *s)
{
	size_t n;

	while (is_blank(*s))
		s++;
	n = strlen(s);
	while (n > 0 && is_blank(s[n - 1]))
		s[--n] = '\0';
	return s;
}

struct parse_state {
	struct parse_ctx *c;
	struct oidc_config *cfg;
	const char *section; /* current [section], NULL before one */
	unsigned seen[ARRAY_SIZE(cfg_keys)]; /* line where each key was set */
};

static int parse_header(struct parse_state *st, char *s)
{
	struct parse_ctx *c = st->c;
	struct shown sv;
	char list[128];
	size_t n = strlen(s);
	const char *name;

	if (n < 2 || s[n - 1] != ']')
		return fail(c, OIDC_ECONFIG,
			    "malformed section header \"%s\" (expected [name])",
			    show(&sv, s));
	s[n - 1] = '\0';
	s = trim(s + 1);
	name = find_section(s);
	if (name == NULL)
		return fail(
		    c, OIDC_ECONFIG, "unknown section [%s] (known: %s)",
		    show(&sv, s),
		    join(list, sizeof(list), sections, ARRAY_SIZE(sections)));
	st->section = name;
	return OIDC_OK;
}

static int parse_assignment(struct parse_state *st, char *s)
{
	struct parse_ctx *c = st->c;
	const struct cfg_key *k;
	struct shown sk;
	char *eq = strchr(s, '='), *key, *val, list[128], buf[256];
	size_t idx;

	if (eq == NULL)
		return fail(
		    c, OIDC_ECONFIG,
		    "expected \"key = value\" or \"[section]\", got \"%s\"",
		    show(&sk, s));
	*eq = '\0';
	key = trim(s);
	val = trim(eq + 1);
	if (key[0] == '\0')
		return fail(c, OIDC_ECONFIG, "missing key name before '='");
	if (st->section == NULL)
		return fail(
		    c, OIDC_ECONFIG,
		    "key \"%s\" appears before any [section] header "
		    "(sections: %s)",
		    show(&sk, key),
		    join(list, sizeof(list), sections, ARRAY_SIZE(sections)));
	k = find_key(st->section, key);
	if (k == NULL)
		return unknown_key(c, st->section, key);
	idx = (size_t)(k - cfg_keys);
	if (st->seen[idx] != 0)
		return fail(
		    c, OIDC_ECONFIG,
		    "duplicate key \"%s\" in [%s] (first set on line %u)",
		    k->name, k->section, st->seen[idx]);
	st->seen[idx] = c->line;
	if (val[0] == '\0')
		return fail(c, OIDC_ECONFIG,
			    "%s has an empty value (allowed: %s)", k->name,
			    expect(k, buf, sizeof(buf)));
	return cfg_types[k->type].set(c, k, val, field_of(st->cfg, k));
}

static int parse_line(struct parse_state *st, const char *raw, size_t len)
{
	struct parse_ctx *c = st->c;
	char line[CONFIG_MAX_LINE + 1];
	char *s;
	size_t i;

	if (memchr(raw, '\0', len) != NULL)
		return fail(c, OIDC_ECONFIG,
			    "NUL byte in line (the file must be plain text)");
	if (len > 0 && raw[len - 1] == '\r')
		len--;
	if (len > CONFIG_MAX_LINE)
		return fail(c, OIDC_ECONFIG, "line is longer than %d bytes",
			    CONFIG_MAX_LINE);
	for (i = 0; i < len; i++)
		if (is_ctl(raw[i]) && raw[i] != '\t')
			return fail(c, OIDC_ECONFIG,
				    "control character 0x%02x in line (only "
				    "tab is allowed)",
				    (unsigned char)raw[i]);
	memcpy(line, raw, len);
	line[len] = '\0';

	/* '#' starts a comment at the start of the line or after a blank. */
	for (i = 0; i < len; i++) {
		if (line[i] == '#' && (i == 0 || is_blank(line[i - 1]))) {
			line[i] = '\0';
			break;
		}
	}
	s = trim(line);
	if (s[0] == '\0')
		return OIDC_OK;
	if (s[0] == '[')
		return parse_header(st, s);
	return parse_assignment(st, s);
}

/* ------------------------------------------------------------------------ */
/* Keys that only make sense together */

#define AUTH_BIT(m) (1u << (m))
#define AUTH_TLS_BITS                                                          \
	(AUTH_BIT(CLIENT_AUTH_TLS) | AUTH_BIT(CLIENT_AUTH_SELF_SIGNED_TLS))

/* Client credentials, and the client_auth methods that use them. */
static const struct {
	const char *name;
	size_t offset; /* of a char * in struct oidc_config */
	unsigned methods;
	const char *methods_text;
} credential_keys[] = {
    {"client_secret_file", offsetof(struct oidc_config, client_secret_file),
     AUTH_BIT(CLIENT_AUTH_SECRET_BASIC) | AUTH_BIT(CLIENT_AUTH_SECRET_POST),
     "client_secret_basic or client_secret_post"},
    {"client_key_file", offsetof(struct oidc_config, client_key_file),
     AUTH_BIT(CLIENT_AUTH_PRIVATE_KEY_JWT) | AUTH_TLS_BITS,
     "private_key_jwt, tls_client_auth or self_signed_tls_client_auth"},
    {"client_cert_file", offsetof(struct oidc_config, client_cert_file),
     AUTH_TLS_BITS, "tls_client_auth or self_signed_tls_client_auth"},
    {"client_pkcs12_file", offsetof(struct oidc_config, client_pkcs12_file),
     AUTH_TLS_BITS, "tls_client_auth or self_signed_tls_client_auth"},
    {"client_assertion_alg", offsetof(struct oidc_config, client_assertion_alg),
     AUTH_BIT(CLIENT_AUTH_PRIVATE_KEY_JWT), "private_key_jwt"},
};

/* Line where a key was set, 0 if it was not. */
static unsigned line_of(const struct parse_state *st, const char *name)
{
	const struct cfg_key *k = find_key(NULL, name);

	return k != NULL ? st->seen[k - cfg_keys] : 0;
}

/* Point the message at the line of key (if it was set). */
static struct parse_ctx *at(struct parse_state *st, const char *key)
{
	st->c->line = line_of(st, key);
	return st->c;
}

static int check_client_auth(struct parse_state *st)
{
	const struct oidc_config *cfg = st->cfg;
	const char *method = client_auth_names[cfg->client_auth];
	bool cert = cfg->client_cert_file != NULL;
	bool key = cfg->client_key_file != NULL;
	bool p12 = cfg->client_pkcs12_file != NULL;
	size_t i;

	if (cfg->client_pkcs12_passphrase_file != NULL && !p12)
		return fail(at(st, "client_pkcs12_passphrase_file"),
			    OIDC_ECONFIG,
			    "client_pkcs12_passphrase_file is set but "
			    "client_pkcs12_file is not (fix: add "
			    "client_pkcs12_file, or remove "
			    "client_pkcs12_passphrase_file)");
	for (i = 0; i < ARRAY_SIZE(credential_keys); i++) {
		const void *field =
		    (const char *)cfg + credential_keys[i].offset;
		const char *set = *(char *const *)field;

		if (set == NULL || (credential_keys[i].methods &
				    AUTH_BIT(cfg->client_auth)) != 0)
			continue;
		return fail(at(st, credential_keys[i].name), OIDC_ECONFIG,
			    "%s is set but client_auth = %s (fix: set "
			    "client_auth = %s, or remove %s)",
			    credential_keys[i].name, method,
			    credential_keys[i].methods_text,
			    credential_keys[i].name);
	}
	if (line_of(st, "assertion_audience") != 0 &&
	    cfg->client_auth != CLIENT_AUTH_PRIVATE_KEY_JWT)
		return fail(at(st, "assertion_audience"), OIDC_ECONFIG,
			    "assertion_audience is set but client_auth = %s "
			    "(fix: set client_auth = private_key_jwt, or "
			    "remove assertion_audience)",
			    method);

	switch (cfg->client_auth) {
	case CLIENT_AUTH_NONE:
		break;
	case CLIENT_AUTH_SECRET_BASIC:
	case CLIENT_AUTH_SECRET_POST:
		if (cfg->client_secret_file == NULL)
			return fail(at(st, "client_auth"), OIDC_ECONFIG,
				    "client_auth = %s needs client_secret_file "
				    "(fix: add client_secret_file = the path "
				    "of a root-owned file of mode 0600 that "
				    "holds the secret)",
				    method);
		break;
	case CLIENT_AUTH_PRIVATE_KEY_JWT:
		if (!key)
			return fail(at(st, "client_auth"), OIDC_ECONFIG,
				    "client_auth = %s needs client_key_file "
				    "(fix: add client_key_file = the path of "
				    "the PEM private key whose public key is "
				    "registered at the provider)",
				    method);
		break;
	case CLIENT_AUTH_TLS:
	case CLIENT_AUTH_SELF_SIGNED_TLS:
		if (p12 && (cert || key))
			return fail(at(st, cert ? "client_cert_file"
						: "client_key_file"),
				    OIDC_ECONFIG,
				    "client_pkcs12_file and %s are both set "
				    "(fix: use either client_cert_file with "
				    "client_key_file, or client_pkcs12_file "
				    "alone)",
				    cert ? "client_cert_file"
					 : "client_key_file");
		if (!p12 && !cert && !key)
			return fail(at(st, "client_auth"), OIDC_ECONFIG,
				    "client_auth = %s needs client_cert_file "
				    "and client_key_file, or "
				    "client_pkcs12_file (fix: add the PEM "
				    "certificate and key files, or one "
				    "PKCS#12 file)",
				    method);
		if (cert && !key)
			return fail(at(st, "client_cert_file"), OIDC_ECONFIG,
				    "client_cert_file is set but "
				    "client_key_file is not (fix: add "
				    "client_key_file = the path of the "
				    "certificate's PEM private key)");
		if (key && !cert)
			return fail(at(st, "client_key_file"), OIDC_ECONFIG,
				    "client_key_file is set but "
				    "client_cert_file is not, and "
				    "client_auth = %s needs both (fix: add "
				    "client_cert_file = the path of the PEM "
				    "certificate)",
				    method);
		break;
	}
	return OIDC_OK;
}

/* Rules between keys, checked once the whole file is read.  Each names
 * both keys and the fix, at the line of the key that is set. */
static int check_combinations(struct parse_state *st)
{
	const struct oidc_config *cfg = st->cfg;
	int rc;

	rc = check_client_auth(st);
	if (rc != OIDC_OK)
		return rc;
	if (cfg->no_proxy != NULL && cfg->proxy == NULL)
		return fail(at(st, "no_proxy"), OIDC_ECONFIG,
			    "no_proxy is set but proxy is not (fix: add "
			    "proxy = http://HOST:PORT, or remove no_proxy; "
			    "proxy variables in the environment are "
			    "ignored)");
	if (cfg->role_claim != NULL && cfg->allowed_roles == NULL)
		return fail(at(st, "role_claim"), OIDC_ECONFIG,
			    "role_claim is set but allowed_roles is not (fix: "
			    "add allowed_roles = the roles that may log in, "
			    "or remove role_claim)");
	if (cfg->allowed_roles != NULL && cfg->role_claim == NULL)
		return fail(at(st, "allowed_roles"), OIDC_ECONFIG,
			    "allowed_roles is set but role_claim is not (fix: "
			    "add role_claim = the claim that holds the roles, "
			    "e.g. realm_access.roles, or remove "
			    "allowed_roles)");
	if (cfg->require_npi && cfg->npi_claim == NULL)
		return fail(at(st, "require_npi"), OIDC_ECONFIG,
			    "require_npi = yes needs npi_claim (fix: add "
			    "npi_claim = the claim that holds the NPI, e.g. "
			    "npi, or set require_npi = no)");
	return OIDC_OK;
}

/* ------------------------------------------------------------------------ */
/* Public functions */

static void ctx_init(struct parse_ctx *c, const char *file, struct oidc_err *e)
{
	struct shown sf;

	memset(c, 0, sizeof(*c));
	c->e = e;
	snprintf(c->file, sizeof(c->file), "%s",
		 show_n(&sf, file, strlen(file), 255));
}

void config_free(struct oidc_config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < ARRAY_SIZE(cfg_keys); i++)
		if (cfg_types[cfg_keys[i].type].release != NULL)
			cfg_types[cfg_keys[i].type].release(
			    field_of(cfg, &cfg_keys[i]));
	free(cfg->path);
	memset(cfg, 0, sizeof(*cfg));
}

int config_defaults(struct oidc_config *cfg, struct oidc_err *e)
{
	struct parse_ctx c;
	size_t i;
	int rc = OIDC_OK;

	memset(cfg, 0, sizeof(*cfg));
	ctx_init(&c, "built-in default", e);
	for (i = 0; i < ARRAY_SIZE(cfg_keys) && rc == OIDC_OK; i++)
		if (cfg_keys[i].def != NULL)
			rc = cfg_types[cfg_keys[i].type].set(
			    &c, &cfg_keys[i], cfg_keys[i].def,
			    field_of(cfg, &cfg_keys[i]));
	if (rc != OIDC_OK)
		config_free(cfg);
	return rc;
}

int config_parse(const char *name, const char *buf, size_t len,
		 struct oidc_config *cfg, struct oidc_err *e)
{
	struct parse_ctx c;
	struct parse_state st;
	char *path = NULL;
	size_t pos = 0, i;
	int rc = OIDC_OK;

	if (name == NULL)
		name = "(config)";
	ctx_init(&c, name, e);
	memset(&st, 0, sizeof(st));
	st.c = &c;
	st.cfg = cfg;

	if (buf == NULL && len > 0) {
		rc = fail(&c, OIDC_EINTERNAL, "no buffer to parse");
		goto out;
	}
	if (len > CONFIG_MAX_SIZE) {
		rc = fail(&c, OIDC_ECONFIG, "file is larger than %d bytes",
			  CONFIG_MAX_SIZE);
		goto out;
	}
	path = strdup(name);
	if (path == NULL) {
		rc = nomem(&c);
		goto out;
	}
	free(cfg->path);
	cfg->path = path;

	/* A UTF-8 byte order mark some editors write. */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos < len) {
		const char *start = buf + pos;
		const char *nl = memchr(start, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - start) : len - pos;

		c.line++;
		pos += n + (nl != NULL ? 1 : 0);
		rc = parse_line(&st, start, n);
		if (rc != OIDC_OK)
			goto out;
	}

	c.line = 0;
	for (i = 0; i < ARRAY_SIZE(cfg_keys); i++) {
		if (cfg_keys[i].required &&
		    *(char **)field_of(cfg, &cfg_keys[i]) == NULL) {
			rc = fail(&c, OIDC_ECONFIG,
				  "missing required key \"%s\" in [%s]",
				  cfg_keys[i].name, cfg_keys[i].section);
			goto out;
		}
	}
	rc = check_combinations(&st);
out:
	if (rc != OIDC_OK)
		config_free(cfg);
	return rc;
}

int config_load(const char *path, struct oidc_config *cfg, struct oidc_err *e)
{
	struct parse_ctx c;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (path == NULL)
		path = PAM_OIDC_CONFIG_PATH;
	ctx_init(&c, path, e);
	rc = admin_file_read(path, c.file, CONFIG_MAX_SIZE,
			     "name the real file instead", &buf, &len, e);
	if (rc == OIDC_OK)
		rc = config_parse(path, buf, len, cfg, e);
	free(buf);
	if (rc != OIDC_OK)
		config_free(cfg);
	return rc;
}

int config_flow_from_name(const char *name)
{
	int i;

	if (name == NULL)
		return -1;
	for (i = 0; flow_names[i] != NULL; i++)
		if (strcmp(name, flow_names[i]) == 0)
			return i;
	return -1;
}

const char *config_flow_name(enum oidc_flow flow)
{
	if ((size_t)flow < ARRAY_SIZE(flow_names) - 1)
		return flow_names[flow];
	return "unknown";
}
