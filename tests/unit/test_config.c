/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for helper/config.c: the parser (config_parse), the defaults and
 * the file checks of config_load.  Messages are compared in full: they are
 * what an admin reads in the log.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../helper/config.h"

#define NAME "/etc/security/pam_oidc.conf"

/* Lines 1-3 of most test files; errors below are on line 4 or later. */
#define MINIMAL                                                                \
	"[provider]\n"                                                         \
	"issuer = https://ehr-idp.example.org/realms/clinical\n"               \
	"client_id = workstation\n"

static char tmpdir[256];

/* ------------------------------------------------------------------------ */
/* Helpers */

static int parse_len(const char *text, size_t len, struct oidc_config *cfg,
		     struct oidc_err *e)
{
	oidc_err_clear(e);
	assert_int_equal(config_defaults(cfg, e), OIDC_OK);
	return config_parse(NAME, text, len, cfg, e);
}

static int parse(const char *text, struct oidc_config *cfg, struct oidc_err *e)
{
	return parse_len(text, strlen(text), cfg, e);
}

/* Parse text, expect failure with exactly this message, and check that the
 * config was released. */
static void expect_error_len(const char *text, size_t len, const char *reason)
{
	struct oidc_config cfg;
	struct oidc_err e;
	int rc = parse_len(text, len, &cfg, &e);

	if (rc != OIDC_ECONFIG || strcmp(e.reason, reason) != 0)
		print_error("input:\n%s\n", text);
	assert_int_equal(rc, OIDC_ECONFIG);
	assert_int_equal(e.rc, OIDC_ECONFIG);
	assert_string_equal(e.reason, reason);
	/* Nothing half-parsed is left behind. */
	assert_null(cfg.path);
	assert_null(cfg.issuer);
	assert_null(cfg.scopes);
	assert_null(cfg.allowed_algs);
	config_free(&cfg);
}

static void expect_error(const char *text, const char *reason)
{
	expect_error_len(text, strlen(text), reason);
}

/* Parse text, which must succeed. */
static void expect_ok(const char *text, struct oidc_config *cfg)
{
	struct oidc_err e;
	int rc = parse(text, cfg, &e);

	if (rc != OIDC_OK)
		print_error("unexpected error: %s\ninput:\n%s\n", e.reason,
			    text);
	assert_int_equal(rc, OIDC_OK);
	assert_int_equal(e.rc, OIDC_OK);
	assert_string_equal(e.reason, "");
}

static void assert_algs(char **got, const char *const *want)
{
	size_t i;

	assert_non_null(got);
	for (i = 0; want[i] != NULL; i++) {
		assert_non_null(got[i]);
		assert_string_equal(got[i], want[i]);
	}
	assert_null(got[i]);
}

/* ------------------------------------------------------------------------ */
/* Good files */

static void test_full_file(void **state)
{
	static const char *const algs[] = {"ES256", "ES384", "ES512", "EdDSA",
					   "PS256", "PS384", "PS512", "RS256",
					   "RS384", "RS512", NULL};
	struct oidc_config cfg;

	(void)state;
	expect_ok("# pam_oidc configuration\n"
		  "\n"
		  "[provider]\n"
		  "issuer = https://ehr-idp.example.org:8443/realms/clinical/\n"
		  "client_id = workstation-42\n"
		  "ca_file = /etc/ssl/certs/ehr-ca.pem\n"
		  "scopes = openid fhirUser profile\n"
		  "timeout = 30\n"
		  "\n"
		  "[login]\n"
		  "flow = authcode\n"
		  "login_timeout = 600\n"
		  "qr = ascii\n"
		  "\n"
		  "[claims]\n"
		  "leeway = 0\n"
		  "allowed_algs = ES256 ES384 ES512 EdDSA PS256 PS384 PS512 "
		  "RS256 RS384 RS512\n"
		  "\n"
		  "[mapping]\n"
		  "username_claim = email\n"
		  "allow_root = yes\n"
		  "\n"
		  "[audit]\n"
		  "audit_file = /var/log/pam_oidc.audit\n",
		  &cfg);
	assert_string_equal(cfg.path, NAME);
	assert_string_equal(
	    cfg.issuer, "https://ehr-idp.example.org:8443/realms/clinical/");
	assert_string_equal(cfg.client_id, "workstation-42");
	assert_string_equal(cfg.ca_file, "/etc/ssl/certs/ehr-ca.pem");
	assert_string_equal(cfg.scopes, "openid fhirUser profile");
	assert_int_equal(cfg.timeout, 30);
	assert_int_equal(cfg.flow, FLOW_AUTHCODE);
	assert_int_equal(cfg.login_timeout, 600);
	assert_int_equal(cfg.qr, QR_ASCII);
	assert_int_equal(cfg.leeway, 0);
	assert_algs(cfg.allowed_algs, algs);
	assert_string_equal(cfg.username_claim, "email");
	assert_true(cfg.allow_root);
	assert_string_equal(cfg.audit_file, "/var/log/pam_oidc.audit");
	config_free(&cfg);
	assert_null(cfg.path);
	assert_null(cfg.issuer);
	assert_null(cfg.allowed_algs);
}

static void assert_defaults(const struct oidc_config *cfg)
{
	static const char *const algs[] = {"RS256", "PS256", "ES256", "EdDSA",
					   NULL};

	assert_null(cfg->ca_file);
	assert_string_equal(cfg->scopes, "openid profile");
	assert_int_equal(cfg->timeout, 10);
	assert_int_equal(cfg->flow, FLOW_DEVICE);
	assert_int_equal(cfg->login_timeout, 300);
	assert_int_equal(cfg->qr, QR_AUTO);
	assert_int_equal(cfg->leeway, 60);
	assert_algs(cfg->allowed_algs, algs);
	assert_string_equal(cfg->username_claim, "preferred_username");
	assert_false(cfg->allow_root);
	assert_null(cfg->audit_file);
}

static void test_defaults_minimal_file(void **state)
{
	struct oidc_config cfg;

	(void)state;
	expect_ok(MINIMAL, &cfg);
	assert_string_equal(cfg.path, NAME);
	assert_string_equal(cfg.issuer,
			    "https://ehr-idp.example.org/realms/clinical");
	assert_string_equal(cfg.client_id, "workstation");
	assert_defaults(&cfg);
	config_free(&cfg);
}

static void test_defaults_only(void **state)
{
	struct oidc_config cfg;
	struct oidc_err e;

	(void)state;
	oidc_err_clear(&e);
	memset(&cfg, 0xa5, sizeof(cfg)); /* config_defaults must not read it */
	assert_int_equal(config_defaults(&cfg, &e), OIDC_OK);
	assert_null(cfg.path);
	assert_null(cfg.issuer);
	assert_null(cfg.client_id);
	assert_defaults(&cfg);
	config_free(&cfg);
	assert_null(cfg.scopes);
	config_free(&cfg); /* twice is harmless */
	config_free(NULL);
}

static void test_free_zeroed(void **state)
{
	struct oidc_config cfg;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	config_free(&cfg);
	assert_null(cfg.path);
}

static void test_crlf_ok(void **state)
{
	struct oidc_config cfg;

	(void)state;
	expect_ok("[provider]\r\n"
		  "issuer = https://idp.example.org\r\n"
		  "client_id = ws\r\n"
		  "\r\n"
		  "# comment\r\n"
		  "[login]\r\n"
		  "flow = token\r\n"
		  "login_timeout = 10\r\n",
		  &cfg);
	assert_string_equal(cfg.issuer, "https://idp.example.org");
	assert_string_equal(cfg.client_id, "ws");
	assert_int_equal(cfg.flow, FLOW_TOKEN);
	assert_int_equal(cfg.login_timeout, 10);
	config_free(&cfg);
}

static void test_whitespace_and_last_line(void **state)
{
	struct oidc_config cfg;

	(void)state;
	/* Tabs and spaces around everything, no newline at the end. */
	expect_ok("\t[provider]  \n"
		  "  issuer=https://idp.example.org/\n"
		  "client_id\t =\t ws  \n"
		  "[ login ]\n"
		  "qr=off",
		  &cfg);
	assert_string_equal(cfg.issuer, "https://idp.example.org/");
	assert_string_equal(cfg.client_id, "ws");
	assert_int_equal(cfg.qr, QR_OFF);
	config_free(&cfg);
}

static void test_comments(void **state)
{
	struct oidc_config cfg;

	(void)state;
	expect_ok("# whole-line comment\n"
		  "   # indented comment\n"
		  "#[claims]\n"
		  "[provider] # trailing comment on a header\n"
		  "issuer = https://idp.example.org # trailing comment\n"
		  "client_id = ws#1\t# tab before the comment\n"
		  "[mapping]\n"
		  "username_claim = a#b\n"
		  "#username_claim = ignored\n",
		  &cfg);
	assert_string_equal(cfg.issuer, "https://idp.example.org");
	assert_string_equal(cfg.client_id, "ws#1");
	assert_string_equal(cfg.username_claim, "a#b");
	config_free(&cfg);

	expect_error(MINIMAL "[mapping]\nusername_claim = # only a comment\n",
		     NAME ":5: username_claim has an empty value "
			  "(allowed: text without control characters)");
}

static void test_bom_tolerated(void **state)
{
	struct oidc_config cfg;

	(void)state;
	expect_ok("\xef\xbb\xbf" MINIMAL, &cfg);
	assert_string_equal(cfg.client_id, "workstation");
	config_free(&cfg);
}

static void test_reopened_section(void **state)
{
	struct oidc_config cfg;

	(void)state;
	expect_ok("[provider]\nissuer = https://idp.example.org\n"
		  "[login]\nflow = token\n"
		  "[provider]\nclient_id = ws\n",
		  &cfg);
	assert_string_equal(cfg.client_id, "ws");
	assert_int_equal(cfg.flow, FLOW_TOKEN);
	config_free(&cfg);
}

static void test_accepted_values(void **state)
{
	static const struct {
		const char *line;
		size_t offset;
		long want;
	} cases[] = {
	    {"[provider]\ntimeout = 1\n", offsetof(struct oidc_config, timeout),
	     1},
	    {"[provider]\ntimeout = 300\n",
	     offsetof(struct oidc_config, timeout), 300},
	    {"[provider]\ntimeout = 007\n",
	     offsetof(struct oidc_config, timeout), 7},
	    {"[login]\nlogin_timeout = 3600\n",
	     offsetof(struct oidc_config, login_timeout), 3600},
	    {"[claims]\nleeway = 600\n", offsetof(struct oidc_config, leeway),
	     600},
	    {"[claims]\nleeway = -0\n", offsetof(struct oidc_config, leeway),
	     0},
	};
	static const struct {
		const char *value;
		bool want;
	} bools[] = {
	    {"yes", true},    {"YES", true},  {"True", true},
	    {"on", true},     {"1", true},    {"no", false},
	    {"False", false}, {"OFF", false}, {"0", false},
	};
	char text[512];
	struct oidc_config cfg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		void *field = (char *)&cfg + cases[i].offset;

		snprintf(text, sizeof(text), MINIMAL "%s", cases[i].line);
		expect_ok(text, &cfg);
		assert_int_equal(*(long *)field, cases[i].want);
		config_free(&cfg);
	}
	for (i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
		snprintf(text, sizeof(text),
			 MINIMAL "[mapping]\nallow_root = %s\n",
			 bools[i].value);
		expect_ok(text, &cfg);
		assert_int_equal(cfg.allow_root, bools[i].want);
		config_free(&cfg);
	}

	expect_ok(MINIMAL "[login]\nflow = device\nqr = utf8\n", &cfg);
	assert_int_equal(cfg.flow, FLOW_DEVICE);
	assert_int_equal(cfg.qr, QR_UTF8);
	config_free(&cfg);
}

static void test_issuer_forms_kept(void **state)
{
	static const char *const good[] = {
	    "https://idp.example.org",
	    "https://idp.example.org/",
	    "https://idp.example.org:443/realms/clinical",
	    "https://idp.example.org/realms/clinical/",
	    "https://127.0.0.1:8443/op",
	    "https://[::1]:8443/op",
	    "https://idp_1.example.org/t%C3%A9nant/v2.0",
	    "https://login.example.com/tenant-id/v2.0",
	};
	char text[512];
	struct oidc_config cfg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text),
			 "[provider]\nissuer = %s\nclient_id = ws\n", good[i]);
		expect_ok(text, &cfg);
		/* Kept exactly as written: the issuer is compared exactly. */
		assert_string_equal(cfg.issuer, good[i]);
		config_free(&cfg);
	}
}

static void test_scopes_normalised(void **state)
{
	struct oidc_config cfg;

	(void)state;
	expect_ok(MINIMAL
		  "scopes =   profile\topenid   fhirUser  user/*.read\n",
		  &cfg);
	assert_string_equal(cfg.scopes, "profile openid fhirUser user/*.read");
	config_free(&cfg);
}

static void test_client_id_printable(void **state)
{
	struct oidc_config cfg;

	(void)state;
	expect_ok("[provider]\nissuer = https://idp.example.org\n"
		  "client_id = !~ws:{x}@example/\"q\"\n",
		  &cfg);
	assert_string_equal(cfg.client_id, "!~ws:{x}@example/\"q\"");
	config_free(&cfg);
}

static void test_longest_line_ok(void **state)
{
	/* "# " and 4094 'x': exactly 4096 bytes, then the minimal file. */
	size_t len = 4096 + 1 + strlen(MINIMAL);
	char *text = malloc(len + 1);
	struct oidc_config cfg;

	(void)state;
	assert_non_null(text);
	memset(text, 'x', 4096);
	text[0] = '#';
	text[1] = ' ';
	text[4096] = '\n';
	memcpy(text + 4097, MINIMAL, strlen(MINIMAL) + 1);
	expect_ok(text, &cfg);
	config_free(&cfg);

	/* With CRLF the CR does not count. */
	text = realloc(text, len + 2);
	assert_non_null(text);
	memmove(text + 4097, text + 4096, len + 1 - 4096);
	text[4096] = '\r';
	expect_ok(text, &cfg);
	config_free(&cfg);
	free(text);
}

/* ------------------------------------------------------------------------ */
/* Syntax errors */

#define KNOWN_PROVIDER                                                         \
	"(known: issuer client_id ca_file scopes timeout client_auth "         \
	"client_secret_file client_key_file client_cert_file "                 \
	"client_pkcs12_file client_pkcs12_passphrase_file "                    \
	"client_assertion_alg assertion_audience proxy no_proxy cache_dir "    \
	"fhir_base_url)"

static void test_unknown_key(void **state)
{
	(void)state;
	expect_error(
	    MINIMAL "\n# typo below\nclientid = ws\n",
	    NAME ":6: unknown key \"clientid\" in [provider] " KNOWN_PROVIDER);
}

static void test_unknown_key_other_section(void **state)
{
	(void)state;
	expect_error(
	    MINIMAL "[login]\ntimeout = 10\n", NAME
	    ":5: unknown key \"timeout\" in [login] "
	    "(known: flow login_timeout qr redirect_uri par; timeout belongs "
	    "in [provider])");
}

static void test_unknown_key_escaped(void **state)
{
	(void)state;
	/* Bytes from the file are escaped before they reach the log. */
	expect_error(MINIMAL "cl\xc3\xaf"
			     "ent\"_id = ws\n",
		     NAME ":4: unknown key \"cl\\xc3\\xafent\\x22_id\" in "
			  "[provider] " KNOWN_PROVIDER);
}

static void test_unknown_section(void **state)
{
	(void)state;
	expect_error(MINIMAL "[providers]\n",
		     NAME ":4: unknown section [providers] "
			  "(known: provider login claims mapping audit)");
	expect_error(MINIMAL "[Provider]\n",
		     NAME ":4: unknown section [Provider] "
			  "(known: provider login claims mapping audit)");
}

static void test_malformed_header(void **state)
{
	(void)state;
	expect_error(
	    MINIMAL "[login\n",
	    NAME ":4: malformed section header \"[login\" (expected [name])");
	expect_error(
	    MINIMAL "[login]#x\n", NAME
	    ":4: malformed section header \"[login]#x\" (expected [name])");
}

static void test_key_outside_section(void **state)
{
	(void)state;
	expect_error(
	    "# comment\n\nissuer = https://idp.example.org\n[provider]\n",
	    NAME ":3: key \"issuer\" appears before any [section] header "
		 "(sections: provider login claims mapping audit)");
}

static void test_duplicate_key(void **state)
{
	(void)state;
	expect_error(MINIMAL "timeout = 10\n[login]\nqr = off\n"
			     "[provider]\nissuer = https://other.example.org\n",
		     NAME ":8: duplicate key \"issuer\" in [provider] "
			  "(first set on line 2)");
	/* Same value twice is still a duplicate. */
	expect_error(MINIMAL "client_id = workstation\n",
		     NAME ":4: duplicate key \"client_id\" in [provider] "
			  "(first set on line 3)");
}

static void test_no_equals(void **state)
{
	(void)state;
	expect_error(MINIMAL "timeout 10\n",
		     NAME ":4: expected \"key = value\" or \"[section]\", "
			  "got \"timeout 10\"");
	expect_error(MINIMAL " = 10\n", NAME ":4: missing key name before '='");
}

static void test_empty_value(void **state)
{
	(void)state;
	expect_error(
	    "[provider]\nissuer =\nclient_id = ws\n", NAME
	    ":2: issuer has an empty value (allowed: "
	    "https://host[:port][/path] without query, fragment or user@)");
	expect_error(MINIMAL "timeout = \t \n",
		     NAME ":4: timeout has an empty value "
			  "(allowed: an integer from 1 to 300)");
	expect_error(MINIMAL "ca_file=\n",
		     NAME ":4: ca_file has an empty value "
			  "(allowed: an absolute path starting with '/')");
}

static void test_nul_byte(void **state)
{
	static const char text[] = MINIMAL "[login]\nflow = dev\0ice\n";

	(void)state;
	expect_error_len(text, sizeof(text) - 1,
			 NAME
			 ":5: NUL byte in line (the file must be plain text)");
}

static void test_control_char(void **state)
{
	(void)state;
	expect_error(
	    MINIMAL "[mapping]\nusername_claim = a\x1b[31mb\n",
	    NAME ":5: control character 0x1b in line (only tab is allowed)");
	expect_error(
	    MINIMAL "[mapping]\nusername_claim = a\rb\n",
	    NAME ":5: control character 0x0d in line (only tab is allowed)");
	expect_error(
	    MINIMAL "# \x7f\n",
	    NAME ":4: control character 0x7f in line (only tab is allowed)");
}

static void test_overlong_line(void **state)
{
	size_t len = strlen(MINIMAL) + 4097 + 1;
	char *text = malloc(len + 1);

	(void)state;
	assert_non_null(text);
	memcpy(text, MINIMAL, strlen(MINIMAL));
	memset(text + strlen(MINIMAL), '#', 4097);
	text[len - 1] = '\n';
	text[len] = '\0';
	expect_error(text, NAME ":4: line is longer than 4096 bytes");
	free(text);
}

static void test_file_too_big(void **state)
{
	size_t len = CONFIG_MAX_SIZE + 1;
	char *text = malloc(len);
	size_t i;

	(void)state;
	assert_non_null(text);
	/* Valid lines all the way: only the size is wrong. */
	for (i = 0; i < len; i++)
		text[i] = (i % 64 == 63) ? '\n' : '#';
	expect_error_len(text, len, NAME ": file is larger than 262144 bytes");
	free(text);
}

static void test_empty_file(void **state)
{
	(void)state;
	expect_error("",
		     NAME ": missing required key \"issuer\" in [provider]");
	expect_error("\n\n# nothing\n",
		     NAME ": missing required key \"issuer\" in [provider]");
}

/* ------------------------------------------------------------------------ */
/* Value errors */

static void test_int_suffix(void **state)
{
	(void)state;
	expect_error(MINIMAL "timeout = 10s\n",
		     NAME ":4: timeout = \"10s\": not a whole number "
			  "(allowed: an integer from 1 to 300)");
	expect_error(MINIMAL "timeout = 1 0\n",
		     NAME ":4: timeout = \"1 0\": not a whole number "
			  "(allowed: an integer from 1 to 300)");
	expect_error(MINIMAL "timeout = 0x10\n",
		     NAME ":4: timeout = \"0x10\": not a whole number "
			  "(allowed: an integer from 1 to 300)");
	expect_error(MINIMAL "timeout = 1.5\n",
		     NAME ":4: timeout = \"1.5\": not a whole number "
			  "(allowed: an integer from 1 to 300)");
	expect_error(MINIMAL "timeout = -\n",
		     NAME ":4: timeout = \"-\": not a whole number "
			  "(allowed: an integer from 1 to 300)");
}

static void test_int_plus(void **state)
{
	(void)state;
	expect_error(MINIMAL "timeout = +5\n",
		     NAME ":4: timeout = \"+5\": not a whole number "
			  "(allowed: an integer from 1 to 300)");
	expect_error(MINIMAL "[claims]\nleeway = - 5\n",
		     NAME ":5: leeway = \"- 5\": not a whole number "
			  "(allowed: an integer from 0 to 600)");
}

static void test_int_range(void **state)
{
	(void)state;
	expect_error(MINIMAL "timeout = 0\n",
		     NAME ":4: timeout = \"0\": out of range "
			  "(allowed: an integer from 1 to 300)");
	expect_error(MINIMAL "timeout = 301\n",
		     NAME ":4: timeout = \"301\": out of range "
			  "(allowed: an integer from 1 to 300)");
	expect_error(MINIMAL "[login]\nlogin_timeout = 9\n",
		     NAME ":5: login_timeout = \"9\": out of range "
			  "(allowed: an integer from 10 to 3600)");
	expect_error(MINIMAL "[claims]\nleeway = -1\n",
		     NAME ":5: leeway = \"-1\": out of range "
			  "(allowed: an integer from 0 to 600)");
	/* Beyond long: strtol reports ERANGE. */
	expect_error(MINIMAL "[claims]\nleeway = 99999999999999999999999\n",
		     NAME
		     ":5: leeway = \"99999999999999999999999\": out of range "
		     "(allowed: an integer from 0 to 600)");
	expect_error(MINIMAL "[claims]\nleeway = -99999999999999999999999\n",
		     NAME
		     ":5: leeway = \"-99999999999999999999999\": out of range "
		     "(allowed: an integer from 0 to 600)");
}

static void test_bool_bad(void **state)
{
	(void)state;
	expect_error(MINIMAL "[mapping]\nallow_root = maybe\n",
		     NAME ":5: allow_root = \"maybe\": not a yes/no value "
			  "(allowed: yes no true false on off 1 0)");
	expect_error(MINIMAL "[mapping]\nallow_root = y\n",
		     NAME ":5: allow_root = \"y\": not a yes/no value "
			  "(allowed: yes no true false on off 1 0)");
}

static void test_enum_bad(void **state)
{
	(void)state;
	expect_error(MINIMAL "[login]\nflow = pkce\n",
		     NAME ":5: flow = \"pkce\": unknown value "
			  "(allowed: device authcode token auto)");
	expect_error(MINIMAL "[login]\nflow = Device\n",
		     NAME ":5: flow = \"Device\": unknown value "
			  "(allowed: device authcode token auto)");
	expect_error(MINIMAL "[login]\nqr = colour\n",
		     NAME ":5: qr = \"colour\": unknown value "
			  "(allowed: auto utf8 ascii off)");
}

static void test_relative_path(void **state)
{
	(void)state;
	expect_error(MINIMAL "ca_file = certs/ca.pem\n", NAME
		     ":4: ca_file = \"certs/ca.pem\": not an absolute path "
		     "(allowed: an absolute path starting with '/')");
	expect_error(MINIMAL "[audit]\naudit_file = ~/audit.log\n", NAME
		     ":5: audit_file = \"~/audit.log\": not an absolute path "
		     "(allowed: an absolute path starting with '/')");
	expect_error(
	    MINIMAL "ca_file = /etc/ssl/a\tb.pem\n", NAME
	    ":4: ca_file = \"/etc/ssl/a\\x09b.pem\": contains a tab or "
	    "control character (allowed: an absolute path starting with '/')");
}

#define ISSUER_ALLOWED                                                         \
	"(allowed: https://host[:port][/path] without query, fragment or "     \
	"user@)"

static void test_issuer_http(void **state)
{
	(void)state;
	expect_error(
	    "[provider]\nissuer = http://idp.example.org\nclient_id = ws\n",
	    NAME ":2: issuer = \"http://idp.example.org\": plain http is "
		 "refused: tokens would travel unencrypted " ISSUER_ALLOWED);
	expect_error(
	    "[provider]\nissuer = HTTP://idp.example.org\nclient_id = ws\n",
	    NAME ":2: issuer = \"HTTP://idp.example.org\": plain http is "
		 "refused: tokens would travel unencrypted " ISSUER_ALLOWED);
	expect_error(
	    "[provider]\nissuer = HTTPS://idp.example.org\nclient_id = ws\n",
	    NAME ":2: issuer = \"HTTPS://idp.example.org\": write the scheme "
		 "in lower case " ISSUER_ALLOWED);
	expect_error("[provider]\nissuer = idp.example.org\nclient_id = ws\n",
		     NAME ":2: issuer = \"idp.example.org\": not an https "
			  "URL " ISSUER_ALLOWED);
}

static void test_issuer_query_fragment_userinfo(void **state)
{
	(void)state;
	expect_error("[provider]\nissuer = https://idp.example.org/r?x=1\n",
		     NAME
		     ":2: issuer = \"https://idp.example.org/r?x=1\": a query "
		     "('?') is not allowed " ISSUER_ALLOWED);
	expect_error(
	    "[provider]\nissuer = https://idp.example.org/r#top\n",
	    NAME ":2: issuer = \"https://idp.example.org/r#top\": a fragment "
		 "('#') is not allowed " ISSUER_ALLOWED);
	expect_error("[provider]\nissuer = https://admin@idp.example.org/r\n",
		     NAME
		     ":2: issuer = \"https://admin@idp.example.org/r\": user "
		     "information ('user@') is not allowed " ISSUER_ALLOWED);
	expect_error("[provider]\nissuer = https://a:b@idp.example.org\n", NAME
		     ":2: issuer = \"https://a:b@idp.example.org\": user "
		     "information ('user@') is not allowed " ISSUER_ALLOWED);
}

static void test_issuer_other_bad(void **state)
{
	(void)state;
	expect_error("[provider]\nissuer = https://idp.example.org/a b\n", NAME
		     ":2: issuer = \"https://idp.example.org/a b\": contains "
		     "whitespace or a control character " ISSUER_ALLOWED);
	expect_error("[provider]\nissuer = https://\n",
		     NAME ":2: issuer = \"https://\": the host name is "
			  "missing " ISSUER_ALLOWED);
	expect_error("[provider]\nissuer = https:///realms\n",
		     NAME ":2: issuer = \"https:///realms\": the host name is "
			  "missing " ISSUER_ALLOWED);
	expect_error(
	    "[provider]\nissuer = https://idp.example.org:0/\n",
	    NAME ":2: issuer = \"https://idp.example.org:0/\": malformed port "
		 "(expected :1 to :65535) " ISSUER_ALLOWED);
	expect_error(
	    "[provider]\nissuer = https://idp.example.org:65536\n",
	    NAME ":2: issuer = \"https://idp.example.org:65536\": malformed "
		 "port (expected :1 to :65535) " ISSUER_ALLOWED);
	expect_error(
	    "[provider]\nissuer = https://idp.example.org:/\n",
	    NAME ":2: issuer = \"https://idp.example.org:/\": malformed port "
		 "(expected :1 to :65535) " ISSUER_ALLOWED);
	expect_error(
	    "[provider]\nissuer = https://idp.exa$mple.org\n",
	    NAME ":2: issuer = \"https://idp.exa$mple.org\": the host name "
		 "contains a character that is not allowed " ISSUER_ALLOWED);
	expect_error("[provider]\nissuer = https://[::1/x\n", NAME
		     ":2: issuer = \"https://[::1/x\": malformed IPv6 address "
		     "(expected [address]) " ISSUER_ALLOWED);
	expect_error("[provider]\nissuer = https://idp.example.org/r<x>\n", NAME
		     ":2: issuer = \"https://idp.example.org/r<x>\": the path "
		     "contains a character that must be "
		     "percent-encoded " ISSUER_ALLOWED);
	expect_error(
	    "[provider]\nissuer = https://idp.example.org/%zz\n",
	    NAME ":2: issuer = \"https://idp.example.org/%zz\": the path "
		 "contains '%' not followed by two hex digits " ISSUER_ALLOWED);
	expect_error(
	    "[provider]\nissuer = https://idp.example.org/t\xc3\xa9\n", NAME
	    ":2: issuer = \"https://idp.example.org/t\\xc3\\xa9\": "
	    "contains a non-ASCII byte (percent-encode it) " ISSUER_ALLOWED);
}

#define ALGS_ALLOWED                                                           \
	"(allowed: one or more of RS256 RS384 RS512 PS256 PS384 PS512 "        \
	"ES256 ES384 ES512 EdDSA, separated by spaces)"

static void test_algs_bad(void **state)
{
	(void)state;
	expect_error(MINIMAL "[claims]\nallowed_algs = RS256 none\n", NAME
		     ":5: allowed_algs = \"RS256 none\": \"none\" is refused: "
		     "an unsigned token proves nothing " ALGS_ALLOWED);
	expect_error(MINIMAL "[claims]\nallowed_algs = NONE\n",
		     NAME ":5: allowed_algs = \"NONE\": \"NONE\" is refused: "
			  "an unsigned token proves nothing " ALGS_ALLOWED);
	expect_error(
	    MINIMAL "[claims]\nallowed_algs = HS256 RS256\n",
	    NAME ":5: allowed_algs = \"HS256 RS256\": \"HS256\" is refused: "
		 "HMAC uses a shared secret that the client holds too, so "
		 "anyone with the client secret could forge ID "
		 "tokens " ALGS_ALLOWED);
	expect_error(
	    MINIMAL "[claims]\nallowed_algs = RS256 HS512\n",
	    NAME ":5: allowed_algs = \"RS256 HS512\": \"HS512\" is refused: "
		 "HMAC uses a shared secret that the client holds too, so "
		 "anyone with the client secret could forge ID "
		 "tokens " ALGS_ALLOWED);
}

static void test_algs_unknown_duplicate(void **state)
{
	(void)state;
	expect_error(MINIMAL "[claims]\nallowed_algs = RS256 ES256K\n", NAME
		     ":5: allowed_algs = \"RS256 ES256K\": unknown algorithm "
		     "\"ES256K\" " ALGS_ALLOWED);
	expect_error(
	    MINIMAL "[claims]\nallowed_algs = rs256\n",
	    NAME ":5: allowed_algs = \"rs256\": unknown algorithm \"rs256\" "
		 "(names are case-sensitive: RS256) " ALGS_ALLOWED);
	expect_error(MINIMAL "[claims]\nallowed_algs = RS256 ES256 RS256\n",
		     NAME
		     ":5: allowed_algs = \"RS256 ES256 RS256\": \"RS256\" is "
		     "listed twice " ALGS_ALLOWED);
	expect_error(MINIMAL "[claims]\nallowed_algs = RS256,ES256\n", NAME
		     ":5: allowed_algs = \"RS256,ES256\": unknown algorithm "
		     "\"RS256,ES256\" " ALGS_ALLOWED);
}

#define SCOPES_ALLOWED                                                         \
	"(allowed: scope names separated by spaces, including openid)"

static void test_scopes_bad(void **state)
{
	(void)state;
	expect_error(MINIMAL "scopes = profile email\n",
		     NAME ":4: scopes = \"profile email\": \"openid\" is "
			  "missing " SCOPES_ALLOWED);
	expect_error(MINIMAL "scopes = OpenID profile\n",
		     NAME ":4: scopes = \"OpenID profile\": \"openid\" is "
			  "missing " SCOPES_ALLOWED);
	expect_error(
	    MINIMAL "scopes = openid pro\"file\n", NAME
	    ":4: scopes = \"openid pro\\x22file\": scope "
	    "\"pro\\x22file\" contains a character not allowed by RFC "
	    "6749 3.3 (printable ASCII except '\"' and '\\') " SCOPES_ALLOWED);
	expect_error(MINIMAL "scopes = openid a\\b\n", NAME
		     ":4: scopes = \"openid a\\x5cb\": scope \"a\\x5cb\" "
		     "contains a character not allowed by RFC 6749 3.3 "
		     "(printable ASCII except '\"' and '\\') " SCOPES_ALLOWED);
	expect_error(MINIMAL "scopes = openid profile openid\n", NAME
		     ":4: scopes = \"openid profile openid\": \"openid\" is "
		     "listed twice " SCOPES_ALLOWED);
}

static void test_scopes_too_many(void **state)
{
	char text[1024];
	size_t used;
	int i;

	(void)state;
	used = (size_t)snprintf(text, sizeof(text), MINIMAL "scopes = openid");
	for (i = 1; i < CONFIG_MAX_LIST + 1; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used,
					 " s%d", i);
	snprintf(text + used, sizeof(text) - used, "\n");
	expect_error(text, NAME
		     ":4: scopes = \"openid s1 s2 s3 s4 s5 s6 s7 s8 s9 s10 s11 "
		     "s12 s13 s14 s15 s16 s1...\": more than 32 "
		     "entries " SCOPES_ALLOWED);

	/* 32 exactly is fine. */
	used = (size_t)snprintf(text, sizeof(text), MINIMAL "scopes = openid");
	for (i = 1; i < CONFIG_MAX_LIST; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used,
					 " s%d", i);
	{
		struct oidc_config cfg;

		expect_ok(text, &cfg);
		assert_int_equal(strncmp(cfg.scopes, "openid s1 s2 ", 13), 0);
		config_free(&cfg);
	}
}

static void test_client_id_bad(void **state)
{
	(void)state;
	expect_error("[provider]\nissuer = https://idp.example.org\n"
		     "client_id = work station\n",
		     NAME
		     ":3: client_id = \"work station\": contains whitespace "
		     "(allowed: printable ASCII without spaces)");
	expect_error("[provider]\nissuer = https://idp.example.org\n"
		     "client_id = postes-m\xc3\xa9"
		     "decins\n",
		     NAME
		     ":3: client_id = \"postes-m\\xc3\\xa9decins\": contains a "
		     "byte outside printable ASCII "
		     "(allowed: printable ASCII without spaces)");
}

static void test_missing_required(void **state)
{
	(void)state;
	expect_error("[provider]\nclient_id = ws\n[login]\nflow = token\n",
		     NAME ": missing required key \"issuer\" in [provider]");
	expect_error("[provider]\nissuer = https://idp.example.org\n",
		     NAME ": missing required key \"client_id\" in [provider]");
}

static void test_first_error_wins(void **state)
{
	(void)state;
	/* The first bad line is reported, not a later one. */
	expect_error(MINIMAL "timeout = x\nbogus = 1\n",
		     NAME ":4: timeout = \"x\": not a whole number "
			  "(allowed: an integer from 1 to 300)");
}

static void test_long_value_cut(void **state)
{
	char text[512];
	char want[512];
	size_t used;
	int i;

	(void)state;
	snprintf(text, sizeof(text), MINIMAL "ca_file = %0100d\n", 0);
	snprintf(want, sizeof(want),
		 NAME ":4: ca_file = \"%064d...\": not an absolute path "
		      "(allowed: an absolute path starting with '/')",
		 0);
	expect_error(text, want);

	/* Escapes count against the limit too: 16 of them fill 64 characters.
	 */
	used = (size_t)snprintf(text, sizeof(text),
				MINIMAL "[mapping]\nallow_root = ");
	for (i = 0; i < 40; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used,
					 "\xc3\xa9");
	snprintf(text + used, sizeof(text) - used, "\n");
	used = (size_t)snprintf(want, sizeof(want), NAME ":5: allow_root = \"");
	for (i = 0; i < 8; i++)
		used += (size_t)snprintf(want + used, sizeof(want) - used,
					 "\\xc3\\xa9");
	snprintf(want + used, sizeof(want) - used,
		 "...\": not a yes/no value (allowed: yes no true false on off "
		 "1 0)");
	expect_error(text, want);
}

static void test_flow_names(void **state)
{
	(void)state;
	assert_int_equal(config_flow_from_name("device"), FLOW_DEVICE);
	assert_int_equal(config_flow_from_name("authcode"), FLOW_AUTHCODE);
	assert_int_equal(config_flow_from_name("token"), FLOW_TOKEN);
	assert_int_equal(config_flow_from_name("Device"), -1);
	assert_int_equal(config_flow_from_name(""), -1);
	assert_int_equal(config_flow_from_name(NULL), -1);
	assert_string_equal(config_flow_name(FLOW_DEVICE), "device");
	assert_string_equal(config_flow_name(FLOW_AUTHCODE), "authcode");
	assert_string_equal(config_flow_name(FLOW_TOKEN), "token");
	assert_string_equal(config_flow_name((enum oidc_flow)7), "unknown");
}

/* ------------------------------------------------------------------------ */
/* Keys of client authentication, the code flow, SMART and clinical policy */

#define PATH_ALLOWED "(allowed: an absolute path starting with '/')"
#define PROXY_ALLOWED                                                          \
	"(allowed: http://host[:port] or https://host[:port], without path, "  \
	"query or user@)"
#define REDIRECT_ALLOWED                                                       \
	"(allowed: http://127.0.0.1[:port]/path, http://[::1][:port]/path or " \
	"https://host[:port][/path], without query or fragment)"
#define WORDS_ALLOWED                                                          \
	"(allowed: words separated by spaces, without control characters)"
#define HOSTS_ALLOWED                                                          \
	"(allowed: host names, .domain suffixes and IP addresses, separated "  \
	"by spaces)"
#define FHIR_ALLOWED                                                           \
	"(allowed: FHIR resource type names such as Practitioner, separated "  \
	"by spaces)"
#define CLAIM_ALLOWED                                                          \
	"(allowed: a claim name without spaces or control characters)"
#define CLAIM_PATH_ALLOWED                                                     \
	"(allowed: claim names of A-Z a-z 0-9 _ : - joined by single dots, "   \
	"e.g. realm_access.roles)"
#define CLIENT_AUTH_ALLOWED                                                    \
	"(allowed: none client_secret_basic client_secret_post "               \
	"private_key_jwt tls_client_auth self_signed_tls_client_auth)"
#define ASSERTION_ALG_ALLOWED "(allowed: RS256 RS384 PS256 ES256 ES384)"

/* MINIMAL, then "[section]" and the lines of body (one or more); line 5 is
 * the first line of body. */
static void with_section(char *text, size_t size, const char *section,
			 const char *body)
{
	int w = snprintf(text, size, MINIMAL "[%s]\n%s\n", section, body);

	assert_true(w > 0 && (size_t)w < size);
}

static void expect_ok_in(const char *section, const char *body,
			 struct oidc_config *cfg)
{
	char text[2048];

	with_section(text, sizeof(text), section, body);
	expect_ok(text, cfg);
}

/* body (one line) in [section] is refused with NAME ":5: " why. */
static void expect_bad_in(const char *section, const char *body,
			  const char *why)
{
	char text[2048], want[1024];
	int w = snprintf(want, sizeof(want), NAME ":5: %s", why);

	assert_true(w > 0 && (size_t)w < sizeof(want));
	with_section(text, sizeof(text), section, body);
	expect_error(text, want);
}

static void test_new_defaults(void **state)
{
	struct oidc_config cfg;

	(void)state;
	expect_ok(MINIMAL, &cfg);
	assert_int_equal(cfg.client_auth, CLIENT_AUTH_NONE);
	assert_null(cfg.client_secret_file);
	assert_null(cfg.client_key_file);
	assert_null(cfg.client_cert_file);
	assert_null(cfg.client_pkcs12_file);
	assert_null(cfg.client_pkcs12_passphrase_file);
	assert_null(cfg.client_assertion_alg);
	assert_int_equal(cfg.assertion_audience, AUD_TOKEN_ENDPOINT);
	assert_null(cfg.proxy);
	assert_null(cfg.no_proxy);
	assert_string_equal(cfg.cache_dir, PAM_OIDC_CACHE_DIR);
	assert_null(cfg.fhir_base_url);
	assert_string_equal(cfg.redirect_uri, "http://127.0.0.1/callback");
	assert_false(cfg.par);
	assert_int_equal(cfg.max_auth_age, 0);
	assert_null(cfg.required_acr);
	assert_null(cfg.required_amr);
	assert_null(cfg.role_claim);
	assert_null(cfg.allowed_roles);
	assert_null(cfg.npi_claim);
	assert_false(cfg.require_npi);
	assert_null(cfg.hpii_claim);
	assert_null(cfg.hpio_claim);
	assert_string_equal(cfg.fhir_user_claim, "fhirUser");
	assert_null(cfg.fhir_user_types);
	assert_null(cfg.map_file);
	config_free(&cfg);
	assert_null(cfg.cache_dir);
	assert_null(cfg.redirect_uri);
	assert_null(cfg.fhir_user_claim);
}

static void test_every_new_key(void **state)
{
	static const char *const no_proxy[] = {".hospital.local", "localhost",
					       "10.20.0.5", "fd00::17", NULL};
	static const char *const acr[] = {"phr", "urn:mace:incommon:iap:silver",
					  NULL};
	static const char *const amr[] = {"mfa", "hwk", NULL};
	static const char *const roles[] = {"physician", "nurse",
					    "infirmi\xc3\xa8re", NULL};
	static const char *const types[] = {"Practitioner", "PractitionerRole",
					    NULL};
	struct oidc_config cfg;

	(void)state;
	expect_ok("[provider]\n"
		  "issuer = https://ehr-idp.example.org/realms/clinical\n"
		  "client_id = workstation\n"
		  "client_auth = private_key_jwt\n"
		  "client_key_file = /etc/security/pam_oidc/client.key\n"
		  "client_assertion_alg = ES384\n"
		  "assertion_audience = issuer\n"
		  "proxy = http://proxy.hospital.local:3128\n"
		  "no_proxy = .hospital.local localhost 10.20.0.5 fd00::17\n"
		  "cache_dir = /var/cache/pam_oidc-test\n"
		  "fhir_base_url = https://fhir.example.org/r4\n"
		  "[login]\n"
		  "flow = auto\n"
		  "redirect_uri = http://127.0.0.1:8400/oidc/callback\n"
		  "par = yes\n"
		  "[claims]\n"
		  "max_auth_age = 600\n"
		  "required_acr = phr urn:mace:incommon:iap:silver\n"
		  "required_amr = mfa hwk\n"
		  "role_claim = realm_access.roles\n"
		  "allowed_roles = physician nurse infirmi\xc3\xa8re\n"
		  "npi_claim = npi\n"
		  "require_npi = yes\n"
		  "hpii_claim = hpii\n"
		  "hpio_claim = https://ns.example.org.au/hpio\n"
		  "fhir_user_claim = fhir_user\n"
		  "fhir_user_types = Practitioner PractitionerRole\n"
		  "[mapping]\n"
		  "map_file = /etc/security/pam_oidc.map\n",
		  &cfg);
	assert_int_equal(cfg.client_auth, CLIENT_AUTH_PRIVATE_KEY_JWT);
	assert_string_equal(cfg.client_key_file,
			    "/etc/security/pam_oidc/client.key");
	assert_string_equal(cfg.client_assertion_alg, "ES384");
	assert_int_equal(cfg.assertion_audience, AUD_ISSUER);
	assert_string_equal(cfg.proxy, "http://proxy.hospital.local:3128");
	assert_algs(cfg.no_proxy, no_proxy);
	assert_string_equal(cfg.cache_dir, "/var/cache/pam_oidc-test");
	assert_string_equal(cfg.fhir_base_url, "https://fhir.example.org/r4");
	assert_int_equal(cfg.flow, FLOW_AUTO);
	assert_string_equal(cfg.redirect_uri,
			    "http://127.0.0.1:8400/oidc/callback");
	assert_true(cfg.par);
	assert_int_equal(cfg.max_auth_age, 600);
	assert_algs(cfg.required_acr, acr);
	assert_algs(cfg.required_amr, amr);
	assert_string_equal(cfg.role_claim, "realm_access.roles");
	assert_algs(cfg.allowed_roles, roles);
	assert_string_equal(cfg.npi_claim, "npi");
	assert_true(cfg.require_npi);
	assert_string_equal(cfg.hpii_claim, "hpii");
	assert_string_equal(cfg.hpio_claim, "https://ns.example.org.au/hpio");
	assert_string_equal(cfg.fhir_user_claim, "fhir_user");
	assert_algs(cfg.fhir_user_types, types);
	assert_string_equal(cfg.map_file, "/etc/security/pam_oidc.map");
	config_free(&cfg);
	assert_null(cfg.no_proxy);
	assert_null(cfg.allowed_roles);
	assert_null(cfg.client_assertion_alg);
}

static void test_flow_auto(void **state)
{
	struct oidc_config cfg;

	(void)state;
	expect_ok_in("login", "flow = auto", &cfg);
	assert_int_equal(cfg.flow, FLOW_AUTO);
	config_free(&cfg);
	assert_int_equal(config_flow_from_name("auto"), FLOW_AUTO);
	assert_int_equal(config_flow_from_name("Auto"), -1);
	assert_string_equal(config_flow_name(FLOW_AUTO), "auto");
}

static void test_client_auth_methods(void **state)
{
	static const struct {
		const char *body;
		enum client_auth want;
	} cases[] = {
	    {"client_auth = none", CLIENT_AUTH_NONE},
	    {"client_auth = client_secret_basic\n"
	     "client_secret_file = /etc/security/pam_oidc.secret",
	     CLIENT_AUTH_SECRET_BASIC},
	    {"client_auth = client_secret_post\n"
	     "client_secret_file = /etc/security/pam_oidc.secret",
	     CLIENT_AUTH_SECRET_POST},
	    {"client_auth = private_key_jwt\n"
	     "client_key_file = /etc/security/client.key",
	     CLIENT_AUTH_PRIVATE_KEY_JWT},
	    {"client_auth = tls_client_auth\n"
	     "client_cert_file = /etc/security/client.crt\n"
	     "client_key_file = /etc/security/client.key",
	     CLIENT_AUTH_TLS},
	    {"client_auth = tls_client_auth\n"
	     "client_pkcs12_file = /etc/security/nash.p12\n"
	     "client_pkcs12_passphrase_file = /etc/security/nash.pass",
	     CLIENT_AUTH_TLS},
	    {"client_auth = self_signed_tls_client_auth\n"
	     "client_cert_file = /etc/security/client.crt\n"
	     "client_key_file = /etc/security/client.key",
	     CLIENT_AUTH_SELF_SIGNED_TLS},
	    {"client_auth = self_signed_tls_client_auth\n"
	     "client_pkcs12_file = /etc/security/client.p12",
	     CLIENT_AUTH_SELF_SIGNED_TLS},
	};
	struct oidc_config cfg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		expect_ok_in("provider", cases[i].body, &cfg);
		assert_int_equal(cfg.client_auth, cases[i].want);
		config_free(&cfg);
	}
	expect_ok_in("provider",
		     "client_auth = tls_client_auth\n"
		     "client_pkcs12_file = /etc/security/nash.p12\n"
		     "client_pkcs12_passphrase_file = /etc/security/nash.pass",
		     &cfg);
	assert_string_equal(cfg.client_pkcs12_file, "/etc/security/nash.p12");
	assert_string_equal(cfg.client_pkcs12_passphrase_file,
			    "/etc/security/nash.pass");
	assert_null(cfg.client_cert_file);
	config_free(&cfg);

	expect_bad_in("provider", "client_auth = client_secret_jwt",
		      "client_auth = \"client_secret_jwt\": unknown "
		      "value " CLIENT_AUTH_ALLOWED);
	expect_bad_in("provider", "client_auth = Private_Key_JWT",
		      "client_auth = \"Private_Key_JWT\": unknown "
		      "value " CLIENT_AUTH_ALLOWED);
	expect_bad_in(
	    "provider", "client_auth = mtls",
	    "client_auth = \"mtls\": unknown value " CLIENT_AUTH_ALLOWED);
}

static void test_credential_paths(void **state)
{
	static const char *const keys[] = {
	    "client_secret_file",
	    "client_key_file",
	    "client_cert_file",
	    "client_pkcs12_file",
	    "client_pkcs12_passphrase_file",
	    "cache_dir",
	};
	char body[256], why[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(body, sizeof(body), "%s = secrets/client", keys[i]);
		snprintf(why, sizeof(why),
			 "%s = \"secrets/client\": not an absolute "
			 "path " PATH_ALLOWED,
			 keys[i]);
		expect_bad_in("provider", body, why);
	}
	expect_bad_in("mapping", "map_file = pam_oidc.map",
		      "map_file = \"pam_oidc.map\": not an absolute "
		      "path " PATH_ALLOWED);
	expect_bad_in("provider", "cache_dir = ~root/cache",
		      "cache_dir = \"~root/cache\": not an absolute "
		      "path " PATH_ALLOWED);
}

static void test_assertion_alg_and_audience(void **state)
{
	static const char *const good[] = {"RS256", "RS384", "PS256", "ES256",
					   "ES384"};
	char body[256];
	struct oidc_config cfg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(body, sizeof(body),
			 "client_auth = private_key_jwt\n"
			 "client_key_file = /etc/security/client.key\n"
			 "client_assertion_alg = %s\n"
			 "assertion_audience = token_endpoint",
			 good[i]);
		expect_ok_in("provider", body, &cfg);
		assert_string_equal(cfg.client_assertion_alg, good[i]);
		assert_int_equal(cfg.assertion_audience, AUD_TOKEN_ENDPOINT);
		config_free(&cfg);
	}
	expect_bad_in("provider", "client_assertion_alg = RS512",
		      "client_assertion_alg = \"RS512\": unknown "
		      "value " ASSERTION_ALG_ALLOWED);
	expect_bad_in("provider", "client_assertion_alg = HS256",
		      "client_assertion_alg = \"HS256\": unknown "
		      "value " ASSERTION_ALG_ALLOWED);
	expect_bad_in("provider", "client_assertion_alg = EdDSA",
		      "client_assertion_alg = \"EdDSA\": unknown "
		      "value " ASSERTION_ALG_ALLOWED);
	expect_bad_in("provider", "client_assertion_alg = es384",
		      "client_assertion_alg = \"es384\": unknown value (names "
		      "are case-sensitive: ES384) " ASSERTION_ALG_ALLOWED);
	expect_bad_in("provider", "assertion_audience = aud",
		      "assertion_audience = \"aud\": unknown value (allowed: "
		      "token_endpoint issuer)");
}

static void test_proxy(void **state)
{
	static const char *const good[] = {
	    "http://proxy.hospital.local:3128",
	    "https://proxy.hospital.local:8443",
	    "http://10.0.0.1:3128/",
	    "http://[fd00::1]:3128",
	    "http://proxy",
	};
	char body[256];
	struct oidc_config cfg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(body, sizeof(body), "proxy = %s", good[i]);
		expect_ok_in("provider", body, &cfg);
		assert_string_equal(cfg.proxy, good[i]);
		config_free(&cfg);
	}
	expect_bad_in("provider", "proxy = socks5://proxy:1080",
		      "proxy = \"socks5://proxy:1080\": not an http or https "
		      "URL " PROXY_ALLOWED);
	expect_bad_in("provider", "proxy = proxy.hospital.local:3128",
		      "proxy = \"proxy.hospital.local:3128\": not an http or "
		      "https URL " PROXY_ALLOWED);
	expect_bad_in("provider", "proxy = http://user:pw@proxy:3128",
		      "proxy = \"http://user:pw@proxy:3128\": user information "
		      "('user@') is not allowed " PROXY_ALLOWED);
	expect_bad_in("provider", "proxy = http://proxy:3128/pac",
		      "proxy = \"http://proxy:3128/pac\": a path is not "
		      "allowed (write scheme://host:port) " PROXY_ALLOWED);
	expect_bad_in("provider", "proxy = http://proxy:3128/?x=1",
		      "proxy = \"http://proxy:3128/?x=1\": a query ('?') is "
		      "not allowed " PROXY_ALLOWED);
	expect_bad_in("provider", "proxy = http://proxy:99999",
		      "proxy = \"http://proxy:99999\": malformed port "
		      "(expected :1 to :65535) " PROXY_ALLOWED);
	expect_bad_in(
	    "provider", "proxy = HTTP://proxy:3128",
	    "proxy = \"HTTP://proxy:3128\": write the scheme in lower "
	    "case " PROXY_ALLOWED);
}

static void test_no_proxy(void **state)
{
	static const char *const want[] = {"localhost",
					   ".hospital.local",
					   "ehr-idp.hospital.local",
					   "127.0.0.1",
					   "::1",
					   NULL};
	struct oidc_config cfg;

	(void)state;
	expect_ok_in("provider",
		     "proxy = http://proxy:3128\n"
		     "no_proxy = localhost .hospital.local "
		     "ehr-idp.hospital.local 127.0.0.1 ::1",
		     &cfg);
	assert_algs(cfg.no_proxy, want);
	config_free(&cfg);

	expect_bad_in("provider", "no_proxy = *",
		      "no_proxy = \"*\": \"*\" is not supported: to use no "
		      "proxy at all, leave proxy unset " HOSTS_ALLOWED);
	expect_bad_in("provider", "no_proxy = *.hospital.local",
		      "no_proxy = \"*.hospital.local\": \"*.hospital.local\" "
		      "is not supported: write the domain with a leading '.' "
		      "and no '*' (e.g. .example.org) " HOSTS_ALLOWED);
	expect_bad_in("provider", "no_proxy = localhost,.hospital.local",
		      "no_proxy = \"localhost,.hospital.local\": "
		      "\"localhost,.hospital.local\" is not a host name, "
		      ".domain or IP address " HOSTS_ALLOWED);
	expect_bad_in("provider", "no_proxy = ehr:443",
		      "no_proxy = \"ehr:443\": \"ehr:443\" is not a host name "
		      "or IP address (no port, and IPv6 addresses without "
		      "brackets) " HOSTS_ALLOWED);
	expect_bad_in(
	    "provider", "no_proxy = [::1]",
	    "no_proxy = \"[::1]\": \"[::1]\" is not a host name or IP "
	    "address (no port, and IPv6 addresses without "
	    "brackets) " HOSTS_ALLOWED);
	expect_bad_in("provider", "no_proxy = 10.0.0.0/8",
		      "no_proxy = \"10.0.0.0/8\": \"10.0.0.0/8\" is not a host "
		      "name: no scheme, path or address range "
		      "(/prefix) " HOSTS_ALLOWED);
	expect_bad_in("provider", "no_proxy = hospital..local",
		      "no_proxy = \"hospital..local\": \"hospital..local\" has "
		      "an empty label (a '.' at the end, or two in a "
		      "row) " HOSTS_ALLOWED);
	expect_bad_in("provider", "no_proxy = localhost localhost",
		      "no_proxy = \"localhost localhost\": \"localhost\" is "
		      "listed twice " HOSTS_ALLOWED);
}

static void test_fhir_base_url(void **state)
{
	struct oidc_config cfg;

	(void)state;
	expect_ok_in("provider",
		     "fhir_base_url = https://fhir.example.org:9443/", &cfg);
	assert_string_equal(cfg.fhir_base_url,
			    "https://fhir.example.org:9443/");
	config_free(&cfg);
	expect_bad_in("provider", "fhir_base_url = http://fhir.example.org/r4",
		      "fhir_base_url = \"http://fhir.example.org/r4\": plain "
		      "http is refused: tokens would travel "
		      "unencrypted " ISSUER_ALLOWED);
	expect_bad_in(
	    "provider",
	    "fhir_base_url = https://fhir.example.org/r4?_format=json",
	    "fhir_base_url = \"https://fhir.example.org/r4?_format="
	    "json\": a query ('?') is not allowed " ISSUER_ALLOWED);
	expect_bad_in("provider", "fhir_base_url = https://fhir.example.org/#x",
		      "fhir_base_url = \"https://fhir.example.org/#x\": a "
		      "fragment ('#') is not allowed " ISSUER_ALLOWED);
}

static void test_redirect_uri_good(void **state)
{
	static const char *const good[] = {
	    "http://127.0.0.1/callback",
	    "http://127.0.0.1/",
	    "http://127.0.0.1:1/cb",
	    "http://127.0.0.1:65535/oidc/callback",
	    "http://[::1]/callback",
	    "http://[::1]:8400/callback",
	    "https://ehr-idp.example.org/pam/callback",
	    "https://workstations.hospital.example:8443",
	};
	char body[256];
	struct oidc_config cfg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(body, sizeof(body), "redirect_uri = %s", good[i]);
		expect_ok_in("login", body, &cfg);
		assert_string_equal(cfg.redirect_uri, good[i]);
		config_free(&cfg);
	}
}

static void test_redirect_uri_bad(void **state)
{
	static const struct {
		const char *uri, *why;
	} bad[] = {
	    {"http://localhost/callback",
	     "\"localhost\" is refused, write 127.0.0.1 instead (RFC 8252 "
	     "8.3: the name may resolve to another address, and the listener "
	     "binds 127.0.0.1 only)"},
	    {"http://LocalHost:8080/callback",
	     "\"localhost\" is refused, write 127.0.0.1 instead (RFC 8252 "
	     "8.3: the name may resolve to another address, and the listener "
	     "binds 127.0.0.1 only)"},
	    {"http://ws17.hospital.local/callback",
	     "plain http is allowed only for the loopback listener on "
	     "127.0.0.1 or [::1]; any other redirect must be https"},
	    {"http://127.0.0.2/callback",
	     "plain http is allowed only for the loopback listener on "
	     "127.0.0.1 or [::1]; any other redirect must be https"},
	    {"http://[::2]/callback",
	     "plain http is allowed only for the loopback listener on "
	     "127.0.0.1 or [::1]; any other redirect must be https"},
	    {"http://127.0.0.1",
	     "the path is missing (e.g. http://127.0.0.1/callback)"},
	    {"http://127.0.0.1:8400",
	     "the path is missing (e.g. http://127.0.0.1/callback)"},
	    {"http://127.0.0.1:0/callback",
	     "malformed port (expected :1 to :65535)"},
	    {"http://127.0.0.1:65536/callback",
	     "malformed port (expected :1 to :65535)"},
	    {"http://127.0.0.1:/callback",
	     "malformed port (expected :1 to :65535)"},
	    {"http://127.0.0.1/callback?x=1", "a query ('?') is not allowed"},
	    {"https://ehr.example.org/cb#done",
	     "a fragment ('#') is not allowed"},
	    {"HTTP://127.0.0.1/callback", "write the scheme in lower case"},
	    {"urn:ietf:wg:oauth:2.0:oob", "not an http or https URL"},
	    {"com.example.app:/callback", "not an http or https URL"},
	    {"https://user@ehr.example.org/cb",
	     "user information ('user@') is not allowed"},
	};
	char body[256], why[1024];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(body, sizeof(body), "redirect_uri = %s", bad[i].uri);
		snprintf(why, sizeof(why),
			 "redirect_uri = \"%s\": %s " REDIRECT_ALLOWED,
			 bad[i].uri, bad[i].why);
		expect_bad_in("login", body, why);
	}
}

static void test_par_and_max_auth_age(void **state)
{
	struct oidc_config cfg;

	(void)state;
	expect_ok_in("login", "par = on", &cfg);
	assert_true(cfg.par);
	config_free(&cfg);
	expect_ok_in("claims", "max_auth_age = 86400", &cfg);
	assert_int_equal(cfg.max_auth_age, 86400);
	config_free(&cfg);
	expect_ok_in("claims", "max_auth_age = 0", &cfg);
	assert_int_equal(cfg.max_auth_age, 0);
	config_free(&cfg);

	expect_bad_in("login", "par = required",
		      "par = \"required\": not a yes/no value (allowed: yes no "
		      "true false on off 1 0)");
	expect_bad_in("claims", "max_auth_age = 86401",
		      "max_auth_age = \"86401\": out of range (allowed: an "
		      "integer from 0 to 86400)");
	expect_bad_in("claims", "max_auth_age = -1",
		      "max_auth_age = \"-1\": out of range (allowed: an "
		      "integer from 0 to 86400)");
	expect_bad_in("claims", "max_auth_age = 10m",
		      "max_auth_age = \"10m\": not a whole number (allowed: an "
		      "integer from 0 to 86400)");
}

static void test_word_lists(void **state)
{
	static const char *const keys[] = {"required_acr", "required_amr",
					   "allowed_roles"};
	char body[256], why[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(body, sizeof(body), "%s = nurse nurs\xff", keys[i]);
		snprintf(why, sizeof(why),
			 "%s = \"nurse nurs\\xff\": \"nurs\\xff\" is not "
			 "valid UTF-8 text " WORDS_ALLOWED,
			 keys[i]);
		expect_bad_in("claims", body, why);
	}
	/* Overlong forms, surrogates and C1 controls are refused too. */
	expect_bad_in("claims", "required_amr = \xc0\xafpwd",
		      "required_amr = \"\\xc0\\xafpwd\": \"\\xc0\\xafpwd\" is "
		      "not valid UTF-8 text " WORDS_ALLOWED);
	expect_bad_in("claims", "required_amr = \xed\xa0\x80",
		      "required_amr = \"\\xed\\xa0\\x80\": \"\\xed\\xa0\\x80\" "
		      "is not valid UTF-8 text " WORDS_ALLOWED);
	expect_bad_in("claims",
		      "required_acr = a\xc2\x85"
		      "b",
		      "required_acr = \"a\\xc2\\x85b\": \"a\\xc2\\x85b\" "
		      "contains a control character " WORDS_ALLOWED);
	expect_bad_in("claims", "required_amr = pwd mfa pwd",
		      "required_amr = \"pwd mfa pwd\": \"pwd\" is listed "
		      "twice " WORDS_ALLOWED);
	expect_bad_in("claims", "required_acr =",
		      "required_acr has an empty value " WORDS_ALLOWED);
}

#define EMPTY_NAME                                                             \
	"has an empty name (a '.' at the start or end, or two in a row)"
#define BAD_CHAR "contains a character other than A-Z a-z 0-9 _ : - and '.'"

static void test_role_claim(void **state)
{
	static const char *const good[] = {
	    "roles",	      "realm_access.roles",
	    "cognito:groups", "resource_access.ws-client.roles",
	    "https:x",
	};
	static const struct {
		const char *path, *shown, *why;
	} bad[] = {
	    {".roles", ".roles", EMPTY_NAME},
	    {"realm_access..roles", "realm_access..roles", EMPTY_NAME},
	    {"realm_access.", "realm_access.", EMPTY_NAME},
	    {"roles[0]", "roles[0]", BAD_CHAR},
	    {"https://example.org/roles", "https://example.org/roles",
	     BAD_CHAR},
	    {"r\xc3\xb4le", "r\\xc3\\xb4le", BAD_CHAR},
	};
	char body[256], why[1024];
	struct oidc_config cfg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(body, sizeof(body),
			 "role_claim = %s\nallowed_roles = nurse", good[i]);
		expect_ok_in("claims", body, &cfg);
		assert_string_equal(cfg.role_claim, good[i]);
		config_free(&cfg);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(body, sizeof(body), "role_claim = %s", bad[i].path);
		snprintf(why, sizeof(why),
			 "role_claim = \"%s\": %s " CLAIM_PATH_ALLOWED,
			 bad[i].shown, bad[i].why);
		expect_bad_in("claims", body, why);
	}
}

static void test_claim_names(void **state)
{
	static const char *const keys[] = {"npi_claim", "hpii_claim",
					   "hpio_claim", "fhir_user_claim"};
	char body[256], why[512];
	struct oidc_config cfg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(body, sizeof(body),
			 "%s = https://hospital.example/npi", keys[i]);
		expect_ok_in("claims", body, &cfg);
		config_free(&cfg);
		snprintf(body, sizeof(body), "%s = provider npi", keys[i]);
		snprintf(
		    why, sizeof(why),
		    "%s = \"provider npi\": contains whitespace " CLAIM_ALLOWED,
		    keys[i]);
		expect_bad_in("claims", body, why);
		snprintf(body, sizeof(body), "%s = npi\xfe", keys[i]);
		snprintf(why, sizeof(why),
			 "%s = \"npi\\xfe\": is not valid UTF-8 "
			 "text " CLAIM_ALLOWED,
			 keys[i]);
		expect_bad_in("claims", body, why);
	}
	expect_bad_in(
	    "claims", "npi_claim = a\tb",
	    "npi_claim = \"a\\x09b\": contains whitespace " CLAIM_ALLOWED);
	expect_ok_in("claims", "npi_claim = NPI\nrequire_npi = no", &cfg);
	assert_string_equal(cfg.npi_claim, "NPI");
	assert_false(cfg.require_npi);
	config_free(&cfg);
	expect_bad_in("claims", "require_npi = sometimes",
		      "require_npi = \"sometimes\": not a yes/no value "
		      "(allowed: yes no true false on off 1 0)");
}

static void test_fhir_user_types(void **state)
{
	static const char *const want[] = {"Practitioner", "PractitionerRole",
					   "Patient", "RelatedPerson", NULL};
	struct oidc_config cfg;

	(void)state;
	expect_ok_in("claims",
		     "fhir_user_types = Practitioner PractitionerRole Patient "
		     "RelatedPerson",
		     &cfg);
	assert_algs(cfg.fhir_user_types, want);
	config_free(&cfg);

	expect_bad_in("claims", "fhir_user_types = practitioner",
		      "fhir_user_types = \"practitioner\": \"practitioner\" is "
		      "not a FHIR resource type name (a capital letter, then "
		      "letters only, e.g. PractitionerRole) " FHIR_ALLOWED);
	expect_bad_in(
	    "claims", "fhir_user_types = Practitioner/123",
	    "fhir_user_types = \"Practitioner/123\": "
	    "\"Practitioner/123\" is not a FHIR resource type name (a "
	    "capital letter, then letters only, e.g. "
	    "PractitionerRole) " FHIR_ALLOWED);
	expect_bad_in("claims", "fhir_user_types = Practitioner,Patient",
		      "fhir_user_types = \"Practitioner,Patient\": "
		      "\"Practitioner,Patient\" is not a FHIR resource type "
		      "name (a capital letter, then letters only, e.g. "
		      "PractitionerRole) " FHIR_ALLOWED);
	expect_bad_in(
	    "claims", "fhir_user_types = Practitioner2",
	    "fhir_user_types = \"Practitioner2\": \"Practitioner2\" is "
	    "not a FHIR resource type name (a capital letter, then "
	    "letters only, e.g. PractitionerRole) " FHIR_ALLOWED);
}

/* Rules between keys: the message names the file, the line of the key that
 * is set, both keys and the fix. */
static void test_cross_client_auth(void **state)
{
	static const struct {
		const char *body, *why;
	} cases[] = {
	    {"client_secret_file = /etc/security/oidc.secret",
	     ":5: client_secret_file is set but client_auth = none (fix: set "
	     "client_auth = client_secret_basic or client_secret_post, or "
	     "remove client_secret_file)"},
	    {"client_key_file = /etc/security/client.key",
	     ":5: client_key_file is set but client_auth = none (fix: set "
	     "client_auth = private_key_jwt, tls_client_auth or "
	     "self_signed_tls_client_auth, or remove client_key_file)"},
	    {"client_auth = none\nclient_cert_file = /etc/security/c.pem",
	     ":6: client_cert_file is set but client_auth = none (fix: set "
	     "client_auth = tls_client_auth or self_signed_tls_client_auth, "
	     "or remove client_cert_file)"},
	    {"client_pkcs12_file = /etc/security/c.p12",
	     ":5: client_pkcs12_file is set but client_auth = none (fix: set "
	     "client_auth = tls_client_auth or self_signed_tls_client_auth, "
	     "or remove client_pkcs12_file)"},
	    {"client_auth = client_secret_basic\n"
	     "client_secret_file = /etc/security/oidc.secret\n"
	     "client_key_file = /etc/security/client.key",
	     ":7: client_key_file is set but client_auth = client_secret_basic "
	     "(fix: set client_auth = private_key_jwt, tls_client_auth or "
	     "self_signed_tls_client_auth, or remove client_key_file)"},
	    {"client_auth = private_key_jwt\n"
	     "client_key_file = /etc/security/client.key\n"
	     "client_secret_file = /etc/security/oidc.secret",
	     ":7: client_secret_file is set but client_auth = private_key_jwt "
	     "(fix: set client_auth = client_secret_basic or "
	     "client_secret_post, or remove client_secret_file)"},
	    {"client_auth = client_secret_basic",
	     ":5: client_auth = client_secret_basic needs client_secret_file "
	     "(fix: add client_secret_file = the path of a root-owned file of "
	     "mode 0600 that holds the secret)"},
	    {"client_auth = client_secret_post",
	     ":5: client_auth = client_secret_post needs client_secret_file "
	     "(fix: add client_secret_file = the path of a root-owned file of "
	     "mode 0600 that holds the secret)"},
	    {"client_auth = private_key_jwt",
	     ":5: client_auth = private_key_jwt needs client_key_file (fix: "
	     "add client_key_file = the path of the PEM private key whose "
	     "public key is registered at the provider)"},
	    {"client_auth = tls_client_auth",
	     ":5: client_auth = tls_client_auth needs client_cert_file and "
	     "client_key_file, or client_pkcs12_file (fix: add the PEM "
	     "certificate and key files, or one PKCS#12 file)"},
	    {"client_auth = self_signed_tls_client_auth",
	     ":5: client_auth = self_signed_tls_client_auth needs "
	     "client_cert_file and client_key_file, or client_pkcs12_file "
	     "(fix: add the PEM certificate and key files, or one PKCS#12 "
	     "file)"},
	    {"client_auth = tls_client_auth\n"
	     "client_cert_file = /etc/security/c.pem",
	     ":6: client_cert_file is set but client_key_file is not (fix: add "
	     "client_key_file = the path of the certificate's PEM private "
	     "key)"},
	    {"client_auth = tls_client_auth\n"
	     "client_key_file = /etc/security/c.key",
	     ":6: client_key_file is set but client_cert_file is not, and "
	     "client_auth = tls_client_auth needs both (fix: add "
	     "client_cert_file = the path of the PEM certificate)"},
	    {"client_auth = tls_client_auth\n"
	     "client_pkcs12_file = /etc/security/c.p12\n"
	     "client_cert_file = /etc/security/c.pem\n"
	     "client_key_file = /etc/security/c.key",
	     ":7: client_pkcs12_file and client_cert_file are both set (fix: "
	     "use either client_cert_file with client_key_file, or "
	     "client_pkcs12_file alone)"},
	    {"client_auth = self_signed_tls_client_auth\n"
	     "client_key_file = /etc/security/c.key\n"
	     "client_pkcs12_file = /etc/security/c.p12",
	     ":6: client_pkcs12_file and client_key_file are both set (fix: "
	     "use either client_cert_file with client_key_file, or "
	     "client_pkcs12_file alone)"},
	    {"client_auth = tls_client_auth\n"
	     "client_cert_file = /etc/security/c.pem\n"
	     "client_key_file = /etc/security/c.key\n"
	     "client_pkcs12_passphrase_file = /etc/security/c.pass",
	     ":8: client_pkcs12_passphrase_file is set but client_pkcs12_file "
	     "is not (fix: add client_pkcs12_file, or remove "
	     "client_pkcs12_passphrase_file)"},
	    {"client_assertion_alg = RS384",
	     ":5: client_assertion_alg is set but client_auth = none (fix: set "
	     "client_auth = private_key_jwt, or remove client_assertion_alg)"},
	    {"client_auth = tls_client_auth\n"
	     "client_pkcs12_file = /etc/security/c.p12\n"
	     "client_assertion_alg = ES256",
	     ":7: client_assertion_alg is set but client_auth = "
	     "tls_client_auth (fix: set client_auth = private_key_jwt, or "
	     "remove client_assertion_alg)"},
	    {"assertion_audience = issuer",
	     ":5: assertion_audience is set but client_auth = none (fix: set "
	     "client_auth = private_key_jwt, or remove assertion_audience)"},
	};
	char text[1024], want[1024];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		with_section(text, sizeof(text), "provider", cases[i].body);
		snprintf(want, sizeof(want), NAME "%s", cases[i].why);
		expect_error(text, want);
	}
}

static void test_cross_claims_and_proxy(void **state)
{
	struct oidc_config cfg;

	(void)state;
	expect_error(MINIMAL "no_proxy = localhost\n",
		     NAME ":4: no_proxy is set but proxy is not (fix: add "
			  "proxy = http://HOST:PORT, or remove no_proxy; proxy "
			  "variables in the environment are ignored)");
	expect_error(MINIMAL "[claims]\nleeway = 30\nrole_claim = roles\n", NAME
		     ":6: role_claim is set but allowed_roles is not (fix: "
		     "add allowed_roles = the roles that may log in, or "
		     "remove role_claim)");
	expect_error(MINIMAL "[claims]\nallowed_roles = physician nurse\n", NAME
		     ":5: allowed_roles is set but role_claim is not (fix: "
		     "add role_claim = the claim that holds the roles, "
		     "e.g. realm_access.roles, or remove allowed_roles)");
	expect_error(MINIMAL "[claims]\nrequire_npi = yes\n",
		     NAME ":5: require_npi = yes needs npi_claim (fix: add "
			  "npi_claim = the claim that holds the NPI, e.g. npi, "
			  "or set require_npi = no)");
	/* The rules look at the whole file: order does not matter. */
	expect_ok(MINIMAL "[claims]\nrequire_npi = yes\nallowed_roles = nurse\n"
			  "[provider]\nproxy = http://proxy:3128\n"
			  "[claims]\nnpi_claim = npi\nrole_claim = roles\n"
			  "[provider]\nno_proxy = .local\n",
		  &cfg);
	assert_true(cfg.require_npi);
	config_free(&cfg);
	/* SMART keys stand alone. */
	expect_ok(MINIMAL "fhir_base_url = https://fhir.example.org/r4\n",
		  &cfg);
	config_free(&cfg);
	expect_ok(MINIMAL "fhir_base_url = https://fhir.example.org/r4\n"
			  "[claims]\nfhir_user_types = Practitioner\n",
		  &cfg);
	config_free(&cfg);
	expect_ok(MINIMAL "[claims]\nfhir_user_types = Practitioner\n", &cfg);
	config_free(&cfg);
	/* hpii_claim and hpio_claim need nothing else. */
	expect_ok(MINIMAL "[claims]\nhpii_claim = hpii\nhpio_claim = hpio\n",
		  &cfg);
	config_free(&cfg);
}

/* The example that is installed as documentation parses, and says what its
 * comments say. */
static void test_example_conf(void **state)
{
	static char buf[CONFIG_MAX_SIZE + 1];
	const char *top = getenv("top_srcdir");
	char path[512];
	struct oidc_config cfg;
	struct oidc_err e;
	size_t len;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/conf/pam_oidc.conf",
		 top != NULL && top[0] != '\0' ? top : ".");
	f = fopen(path, "rb");
	if (f == NULL)
		print_error("cannot open %s (run from the source tree or set "
			    "top_srcdir)\n",
			    path);
	assert_non_null(f);
	len = fread(buf, 1, sizeof(buf) - 1, f);
	assert_int_equal(fclose(f), 0);
	oidc_err_clear(&e);
	assert_int_equal(config_defaults(&cfg, &e), OIDC_OK);
	if (config_parse(path, buf, len, &cfg, &e) != OIDC_OK)
		print_error("%s\n", e.reason);
	assert_int_equal(e.rc, OIDC_OK);
	assert_string_equal(cfg.issuer,
			    "https://ehr-idp.example.org/realms/clinical");
	assert_string_equal(cfg.client_id, "workstation");
	assert_int_equal(cfg.client_auth, CLIENT_AUTH_NONE);
	assert_int_equal(cfg.flow, FLOW_DEVICE);
	assert_string_equal(cfg.redirect_uri, "http://127.0.0.1/callback");
	assert_string_equal(cfg.cache_dir, PAM_OIDC_CACHE_DIR);
	assert_string_equal(cfg.fhir_user_claim, "fhirUser");
	assert_null(cfg.role_claim);
	assert_null(cfg.map_file);
	config_free(&cfg);
}

/* ------------------------------------------------------------------------ */
/* Fixture files in tests/unit/config: the first line of each is a comment
 * "# expect: ok" or "# expect: " and the message after the file name. */

static void check_fixture(const char *path)
{
	static char buf[CONFIG_MAX_SIZE + 1];
	char want[1024];
	struct oidc_config cfg;
	struct oidc_err e;
	const char *tag = "# expect: ";
	size_t len, n;
	FILE *f = fopen(path, "rb");
	int rc, w;

	assert_non_null(f);
	len = fread(buf, 1, sizeof(buf) - 1, f);
	assert_int_equal(fclose(f), 0);
	buf[len] = '\0';
	assert_int_equal(strncmp(buf, tag, strlen(tag)), 0);
	n = strcspn(buf + strlen(tag), "\r\n");
	w = snprintf(want, sizeof(want), "%s%.*s", path, (int)n,
		     buf + strlen(tag));
	assert_true(w > 0 && (size_t)w < sizeof(want));

	oidc_err_clear(&e);
	assert_int_equal(config_defaults(&cfg, &e), OIDC_OK);
	rc = config_parse(path, buf, len, &cfg, &e);
	if (n == 2 && strncmp(buf + strlen(tag), "ok", 2) == 0) {
		if (rc != OIDC_OK)
			print_error("%s: %s\n", path, e.reason);
		assert_int_equal(rc, OIDC_OK);
		assert_string_equal(cfg.path, path);
		assert_non_null(cfg.issuer);
	} else {
		assert_int_equal(rc, OIDC_ECONFIG);
		assert_string_equal(e.reason, want);
	}
	config_free(&cfg);
}

static void test_fixture_files(void **state)
{
	const char *top = getenv("top_srcdir");
	char dir[512], path[1024];
	struct dirent *de;
	DIR *d;
	int count = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/tests/unit/config",
		 top != NULL && top[0] != '\0' ? top : ".");
	d = opendir(dir);
	if (d == NULL)
		print_error("cannot open %s (run from the source tree or set "
			    "top_srcdir)\n",
			    dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		size_t nl = strlen(de->d_name);

		if (nl < 5 || strcmp(de->d_name + nl - 5, ".conf") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		check_fixture(path);
		count++;
	}
	assert_int_equal(closedir(d), 0);
	assert_true(count >= 14);
}

/* ------------------------------------------------------------------------ */
/* Allocation failures (built with -DWRAP_ALLOC and
 * -Wl,--wrap=malloc,--wrap=calloc,--wrap=strdup): fail the first, second,
 * ... allocation of a full parse; each must end in OIDC_EINTERNAL with
 * nothing leaked (the leak check is valgrind's or ASan's). */

#ifdef WRAP_ALLOC
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
char *__wrap_strdup(const char *s);

static long alloc_countdown = -1; /* fail when it reaches 0; -1: never */
static bool alloc_failed;

static bool alloc_fails(void)
{
	if (alloc_countdown < 0)
		return false;
	if (alloc_countdown-- > 0)
		return false;
	alloc_failed = true;
	return true;
}

void *__wrap_malloc(size_t n)
{
	return alloc_fails() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return alloc_fails() ? NULL : __real_calloc(n, size);
}

char *__wrap_strdup(const char *s)
{
	return alloc_fails() ? NULL : __real_strdup(s);
}
#endif

static void test_alloc_failures(void **state)
{
#ifdef WRAP_ALLOC
	static const char text[] =
	    MINIMAL "ca_file = /etc/ssl/certs/ca.pem\n"
		    "scopes = openid profile fhirUser\n"
		    "client_auth = private_key_jwt\n"
		    "client_key_file = /etc/security/client.key\n"
		    "client_assertion_alg = ES384\n"
		    "proxy = http://proxy:3128\n"
		    "no_proxy = localhost .hospital.local\n"
		    "cache_dir = /var/cache/oidc\n"
		    "fhir_base_url = https://fhir.example.org/r4\n"
		    "[login]\nredirect_uri = http://[::1]:8400/cb\n"
		    "[claims]\nallowed_algs = ES256 RS256\n"
		    "required_acr = phr\nrequired_amr = mfa pwd\n"
		    "role_claim = realm_access.roles\n"
		    "allowed_roles = physician nurse\n"
		    "npi_claim = npi\nhpii_claim = hpii\nhpio_claim = hpio\n"
		    "fhir_user_claim = fhirUser\n"
		    "fhir_user_types = Practitioner\n"
		    "[mapping]\nusername_claim = email\n"
		    "map_file = /etc/security/pam_oidc.map\n"
		    "[audit]\naudit_file = /var/log/oidc\n";
	struct oidc_config cfg;
	struct oidc_err e;
	long n;
	int rc;

	(void)state;
	for (n = 0;; n++) {
		oidc_err_clear(&e);
		alloc_failed = false;
		alloc_countdown = n;
		rc = config_defaults(&cfg, &e);
		if (rc == OIDC_OK)
			rc = config_parse(NAME, text, strlen(text), &cfg, &e);
		alloc_countdown = -1;
		if (!alloc_failed) {
			assert_int_equal(rc, OIDC_OK);
			config_free(&cfg);
			break;
		}
		assert_int_equal(rc, OIDC_EINTERNAL);
		assert_non_null(strstr(e.reason, "out of memory"));
		assert_null(cfg.path);
		assert_null(cfg.scopes);
		assert_null(cfg.allowed_algs);
		assert_null(cfg.no_proxy);
		assert_null(cfg.cache_dir);
		config_free(&cfg);
	}
	assert_true(n > 40); /* every allocation was tried */
#else
	(void)state;
	print_message("build with -DWRAP_ALLOC -Wl,--wrap=malloc,--wrap=calloc,"
		      "--wrap=strdup to run\n");
	skip();
#endif
}

/* ------------------------------------------------------------------------ */
/* config_load */

static int setup_tmpdir(void **state)
{
	const char *base = getenv("TMPDIR");

	(void)state;
	if (base == NULL || base[0] == '\0')
		base = "/tmp";
	snprintf(tmpdir, sizeof(tmpdir), "%s/test_config.XXXXXX", base);
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

/* Remove the temp dir and whatever a failed test left in it (one level). */
static int teardown_tmpdir(void **state)
{
	char path[512];
	struct dirent *de;
	DIR *d = opendir(tmpdir);

	(void)state;
	if (d != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", tmpdir,
				 de->d_name);
			if (unlink(path) != 0)
				rmdir(path);
		}
		closedir(d);
	}
	return rmdir(tmpdir);
}

/* A temp file holding text, mode 0644, owned by the caller; name in path. */
static void make_file(char *path, size_t size, const char *text)
{
	int fd;
	size_t len = strlen(text);

	snprintf(path, size, "%s/conf.XXXXXX", tmpdir);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, 0644), 0);
	assert_int_equal(close(fd), 0);
}

static void expect_load_error(const char *path, const char *reason)
{
	struct oidc_config cfg;
	struct oidc_err e;

	oidc_err_clear(&e);
	assert_int_equal(config_defaults(&cfg, &e), OIDC_OK);
	assert_int_equal(config_load(path, &cfg, &e), OIDC_ECONFIG);
	assert_string_equal(e.reason, reason);
	assert_null(cfg.scopes);
	config_free(&cfg);
}

static void skip_unless_root(void)
{
	if (geteuid() != 0) {
		print_message("needs root (files owned by uid 0)\n");
		skip();
	}
}

static void test_load_ok(void **state)
{
	char path[512];
	struct oidc_config cfg;
	struct oidc_err e;

	(void)state;
	skip_unless_root();
	make_file(path, sizeof(path), MINIMAL "[login]\nflow = token\n");
	oidc_err_clear(&e);
	assert_int_equal(config_defaults(&cfg, &e), OIDC_OK);
	assert_int_equal(config_load(path, &cfg, &e), OIDC_OK);
	assert_string_equal(cfg.path, path);
	assert_string_equal(cfg.client_id, "workstation");
	assert_int_equal(cfg.flow, FLOW_TOKEN);
	assert_int_equal(cfg.timeout, 10);
	config_free(&cfg);

	/* 0600 and 0400 are fine too. */
	assert_int_equal(chmod(path, 0400), 0);
	assert_int_equal(config_defaults(&cfg, &e), OIDC_OK);
	assert_int_equal(config_load(path, &cfg, &e), OIDC_OK);
	config_free(&cfg);
	assert_int_equal(unlink(path), 0);
}

static void test_load_parse_error_names_file(void **state)
{
	char path[512], want[1024];

	(void)state;
	skip_unless_root();
	make_file(path, sizeof(path), MINIMAL "timeout = 10s\n");
	snprintf(want, sizeof(want),
		 "%s:4: timeout = \"10s\": not a whole number "
		 "(allowed: an integer from 1 to 300)",
		 path);
	expect_load_error(path, want);
	assert_int_equal(unlink(path), 0);
}

static void test_load_mode(void **state)
{
	static const struct {
		mode_t mode;
		const char *shown;
	} modes[] = {
	    {0664, "0664"}, {0620, "0620"}, {0646, "0646"},
	    {0602, "0602"}, {0666, "0666"}, {02624, "2624"},
	};
	char path[512], want[2048];
	size_t i;

	(void)state;
	skip_unless_root();
	make_file(path, sizeof(path), MINIMAL);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		assert_int_equal(chmod(path, modes[i].mode), 0);
		snprintf(want, sizeof(want),
			 "%s: writable by group or other (mode %s) (fix: chown "
			 "root:root %s; chmod 0644 %s)",
			 path, modes[i].shown, path, path);
		expect_load_error(path, want);
	}
	assert_int_equal(unlink(path), 0);
}

static void test_load_owner(void **state)
{
	char path[512], want[2048];

	(void)state;
	skip_unless_root();
	make_file(path, sizeof(path), MINIMAL);
	assert_int_equal(chown(path, 65534, 0), 0);
	snprintf(want, sizeof(want),
		 "%s: owned by uid 65534, must be owned by root (fix: chown "
		 "root:root %s; chmod 0644 %s)",
		 path, path, path);
	expect_load_error(path, want);
	/* A root-owned file in a non-root group is fine (mode 0644). */
	assert_int_equal(chown(path, 0, 65534), 0);
	{
		struct oidc_config cfg;
		struct oidc_err e;

		oidc_err_clear(&e);
		assert_int_equal(config_defaults(&cfg, &e), OIDC_OK);
		assert_int_equal(config_load(path, &cfg, &e), OIDC_OK);
		config_free(&cfg);
	}
	assert_int_equal(unlink(path), 0);
}

static void test_load_symlink(void **state)
{
	char path[512], link[520], want[1024];

	(void)state;
	skip_unless_root();
	make_file(path, sizeof(path), MINIMAL);
	snprintf(link, sizeof(link), "%s.link", path);
	assert_int_equal(symlink(path, link), 0);
	snprintf(want, sizeof(want),
		 "%s: is a symbolic link; refusing to follow it (name the real "
		 "file instead)",
		 link);
	expect_load_error(link, want);
	assert_int_equal(unlink(link), 0);
	assert_int_equal(unlink(path), 0);
}

static void test_load_not_regular(void **state)
{
	char path[512], want[1024];

	(void)state;
	/* A FIFO: must be refused, and must not block the open. */
	snprintf(path, sizeof(path), "%s/fifo", tmpdir);
	assert_int_equal(mkfifo(path, 0644), 0);
	snprintf(want, sizeof(want), "%s: is a FIFO, not a regular file", path);
	expect_load_error(path, want);
	assert_int_equal(unlink(path), 0);

	snprintf(path, sizeof(path), "%s/dir", tmpdir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(want, sizeof(want), "%s: is a directory, not a regular file",
		 path);
	expect_load_error(path, want);
	assert_int_equal(rmdir(path), 0);

	expect_load_error(
	    "/dev/null",
	    "/dev/null: is a character device, not a regular file");
}

static void test_load_missing(void **state)
{
	char path[512], want[1024];

	(void)state;
	snprintf(path, sizeof(path), "%s/absent.conf", tmpdir);
	snprintf(want, sizeof(want), "%s: cannot open: %s", path,
		 strerror(ENOENT));
	expect_load_error(path, want);
}

static void test_load_too_big(void **state)
{
	char path[512], want[1024];
	int fd;

	(void)state;
	skip_unless_root();
	make_file(path, sizeof(path), MINIMAL);
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, CONFIG_MAX_SIZE + 1), 0);
	assert_int_equal(close(fd), 0);
	snprintf(want, sizeof(want), "%s: file is larger than 262144 bytes",
		 path);
	expect_load_error(path, want);
	assert_int_equal(unlink(path), 0);
}

int main(void)
{
	const struct CMUnitTest parse_tests[] = {
	    cmocka_unit_test(test_full_file),
	    cmocka_unit_test(test_defaults_minimal_file),
	    cmocka_unit_test(test_defaults_only),
	    cmocka_unit_test(test_free_zeroed),
	    cmocka_unit_test(test_crlf_ok),
	    cmocka_unit_test(test_whitespace_and_last_line),
	    cmocka_unit_test(test_comments),
	    cmocka_unit_test(test_bom_tolerated),
	    cmocka_unit_test(test_reopened_section),
	    cmocka_unit_test(test_accepted_values),
	    cmocka_unit_test(test_issuer_forms_kept),
	    cmocka_unit_test(test_scopes_normalised),
	    cmocka_unit_test(test_client_id_printable),
	    cmocka_unit_test(test_longest_line_ok),
	    cmocka_unit_test(test_unknown_key),
	    cmocka_unit_test(test_unknown_key_other_section),
	    cmocka_unit_test(test_unknown_key_escaped),
	    cmocka_unit_test(test_unknown_section),
	    cmocka_unit_test(test_malformed_header),
	    cmocka_unit_test(test_key_outside_section),
	    cmocka_unit_test(test_duplicate_key),
	    cmocka_unit_test(test_no_equals),
	    cmocka_unit_test(test_empty_value),
	    cmocka_unit_test(test_nul_byte),
	    cmocka_unit_test(test_control_char),
	    cmocka_unit_test(test_overlong_line),
	    cmocka_unit_test(test_file_too_big),
	    cmocka_unit_test(test_empty_file),
	    cmocka_unit_test(test_int_suffix),
	    cmocka_unit_test(test_int_plus),
	    cmocka_unit_test(test_int_range),
	    cmocka_unit_test(test_bool_bad),
	    cmocka_unit_test(test_enum_bad),
	    cmocka_unit_test(test_relative_path),
	    cmocka_unit_test(test_issuer_http),
	    cmocka_unit_test(test_issuer_query_fragment_userinfo),
	    cmocka_unit_test(test_issuer_other_bad),
	    cmocka_unit_test(test_algs_bad),
	    cmocka_unit_test(test_algs_unknown_duplicate),
	    cmocka_unit_test(test_scopes_bad),
	    cmocka_unit_test(test_scopes_too_many),
	    cmocka_unit_test(test_client_id_bad),
	    cmocka_unit_test(test_missing_required),
	    cmocka_unit_test(test_first_error_wins),
	    cmocka_unit_test(test_long_value_cut),
	    cmocka_unit_test(test_flow_names),
	    cmocka_unit_test(test_new_defaults),
	    cmocka_unit_test(test_every_new_key),
	    cmocka_unit_test(test_flow_auto),
	    cmocka_unit_test(test_client_auth_methods),
	    cmocka_unit_test(test_credential_paths),
	    cmocka_unit_test(test_assertion_alg_and_audience),
	    cmocka_unit_test(test_proxy),
	    cmocka_unit_test(test_no_proxy),
	    cmocka_unit_test(test_fhir_base_url),
	    cmocka_unit_test(test_redirect_uri_good),
	    cmocka_unit_test(test_redirect_uri_bad),
	    cmocka_unit_test(test_par_and_max_auth_age),
	    cmocka_unit_test(test_word_lists),
	    cmocka_unit_test(test_role_claim),
	    cmocka_unit_test(test_claim_names),
	    cmocka_unit_test(test_fhir_user_types),
	    cmocka_unit_test(test_cross_client_auth),
	    cmocka_unit_test(test_cross_claims_and_proxy),
	    cmocka_unit_test(test_example_conf),
	    cmocka_unit_test(test_fixture_files),
	    cmocka_unit_test(test_alloc_failures),
	};
	const struct CMUnitTest load_tests[] = {
	    cmocka_unit_test(test_load_ok),
	    cmocka_unit_test(test_load_parse_error_names_file),
	    cmocka_unit_test(test_load_mode),
	    cmocka_unit_test(test_load_owner),
	    cmocka_unit_test(test_load_symlink),
	    cmocka_unit_test(test_load_not_regular),
	    cmocka_unit_test(test_load_missing),
	    cmocka_unit_test(test_load_too_big),
	};
	int failed = 0;

	failed += cmocka_run_group_tests_name("config_parse", parse_tests, NULL,
					      NULL);
	failed += cmocka_run_group_tests_name("config_load", load_tests,
					      setup_tmpdir, teardown_tmpdir);
	return failed == 0 ? 0 : 1;
}
