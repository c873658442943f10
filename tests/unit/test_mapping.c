/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * From verified claims to a local account: the map file (syntax, matching,
 * errors naming file:line, ownership) and the account checks (safe name,
 * exists, uid 0, the PAM user).  Accounts used: root (uid 0), daemon, bin,
 * nobody, which every Linux system has.  Loading a map file needs root
 * (the file must be owned by uid 0); those tests skip otherwise.
 */
#include <dirent.h>
#include <errno.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "config.h"
#include "login.h"
#include "mapfile.h"
#include "util.h"

static char tmpdir[128];

/* ------------------------------------------------------------------------ */
/* helpers */

static json_object *claims_of(const char *text)
{
	json_object *o = json_tokener_parse(text);

	assert_non_null(o);
	return o;
}

static struct map_file *parse_ok(const char *text)
{
	struct map_file *m = NULL;
	struct oidc_err e;
	int rc;

	oidc_err_clear(&e);
	rc = mapfile_parse("test.map", text, strlen(text), &m, &e);
	if (rc != OIDC_OK)
		print_error("unexpected error: %s\n", e.reason);
	assert_int_equal(rc, OIDC_OK);
	assert_non_null(m);
	return m;
}

static void expect_parse_error(const char *text, const char *reason)
{
	struct map_file *m = (struct map_file *)&m;
	struct oidc_err e;

	oidc_err_clear(&e);
	assert_int_equal(mapfile_parse("test.map", text, strlen(text), &m, &e),
			 OIDC_ECONFIG);
	assert_null(m);
	assert_string_equal(e.reason, reason);
}

/* Which line (0: none) and what the first matching rule says. */
static unsigned match(const struct map_file *m, const char *claims,
		      const char *iss, const char *sub, bool *deny,
		      char *account, size_t size)
{
	json_object *c = claims_of(claims);
	struct map_match mm;
	struct oidc_err e;

	oidc_err_clear(&e);
	assert_int_equal(mapfile_match(m, c, iss, sub, &mm, &e), OIDC_OK);
	json_object_put(c);
	if (deny != NULL)
		*deny = mm.deny;
	if (account != NULL)
		snprintf(account, size, "%s", mm.account ? mm.account : "");
	free(mm.account);
	return mm.line;
}

/* The account the map gives for these claims ("" if none or a deny). */
static const char *account_of(const struct map_file *m, const char *claims)
{
	static char account[256];

	account[0] = '\0';
	if (match(m, claims, NULL, NULL, NULL, account, sizeof(account)) == 0)
		return "(no match)";
	return account;
}

static void skip_unless_root(void)
{
	if (geteuid() != 0) {
		print_message("needs root (map files owned by uid 0)\n");
		skip();
	}
}

/* A temp file holding text, mode 0644, owned by the caller. */
static void make_file(char *path, size_t size, const char *text)
{
	size_t len = strlen(text);
	int fd;

	snprintf(path, size, "%s/map.XXXXXX", tmpdir);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, 0644), 0);
	assert_int_equal(close(fd), 0);
}

struct env {
	struct oidc_config cfg;
	char path[512];
};

/* A configuration whose map_file holds text (NULL: no map file). */
static void env_init(struct env *v, const char *text, bool allow_root)
{
	struct oidc_err e;

	oidc_err_clear(&e);
	assert_int_equal(config_defaults(&v->cfg, &e), OIDC_OK);
	v->cfg.allow_root = allow_root;
	v->path[0] = '\0';
	if (text != NULL) {
		make_file(v->path, sizeof(v->path), text);
		v->cfg.map_file = strdup(v->path);
		assert_non_null(v->cfg.map_file);
	}
}

static void env_free(struct env *v)
{
	if (v->path[0] != '\0')
		assert_int_equal(unlink(v->path), 0);
	config_free(&v->cfg);
}

/* map_explain over claims: rc, and the reason / account / rule. */
static int explain(struct env *v, const char *claims, char *account, char *rule,
		   char *reason)
{
	json_object *c = claims_of(claims);
	char *acct = (char *)&acct, *r = (char *)&r;
	struct oidc_err e;
	int rc;

	oidc_err_clear(&e);
	rc = map_explain(
	    &v->cfg, c,
	    json_object_get_string(json_object_object_get(c, "iss")),
	    json_object_get_string(json_object_object_get(c, "sub")), &acct, &r,
	    &e);
	json_object_put(c);
	snprintf(account, 128, "%s", acct ? acct : "(null)");
	snprintf(rule, 128, "%s", r ? r : "(null)");
	snprintf(reason, 512, "%s", e.reason);
	if (rc == OIDC_OK)
		assert_non_null(acct);
	else
		assert_null(acct);
	free(acct);
	free(r);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* matching */

static void test_equality(void **state)
{
	struct map_file *m = parse_ok("role = nurse -> daemon\n");

	(void)state;
	assert_string_equal(account_of(m, "{\"role\":\"nurse\"}"), "daemon");
	assert_string_equal(account_of(m, "{\"role\":\"Nurse\"}"),
			    "(no match)");
	assert_string_equal(account_of(m, "{\"role\":\"nurses\"}"),
			    "(no match)");
	assert_string_equal(account_of(m, "{\"role\":\" nurse\"}"),
			    "(no match)");
	assert_string_equal(account_of(m, "{\"roles\":\"nurse\"}"),
			    "(no match)");
	assert_string_equal(account_of(m, "{}"), "(no match)");
	mapfile_free(m);
}

static void test_array_element(void **state)
{
	struct map_file *m =
	    parse_ok("realm_access.roles = physician -> bin\n");

	(void)state;
	assert_string_equal(account_of(m,
				       "{\"realm_access\":{\"roles\":"
				       "[\"offline_access\",\"physician\"]}}"),
			    "bin");
	assert_string_equal(
	    account_of(m, "{\"realm_access\":{\"roles\":\"physician\"}}"),
	    "bin");
	assert_string_equal(account_of(m, "{\"realm_access\":{\"roles\":"
					  "[\"physicians\",\"nurse\"]}}"),
			    "(no match)");
	/* Only the path given: a top-level "roles" or a nested array of
	 * arrays does not count. */
	assert_string_equal(account_of(m, "{\"roles\":[\"physician\"]}"),
			    "(no match)");
	assert_string_equal(account_of(m, "{\"realm_access\":{\"roles\":"
					  "[[\"physician\"]]}}"),
			    "(no match)");
	assert_string_equal(
	    account_of(m, "{\"realm_access\":[{\"roles\":\"physician\"}]}"),
	    "(no match)");
	mapfile_free(m);
}

static void test_regex_captures(void **state)
{
	struct map_file *m = parse_ok(
	    "email ~ /([a-z]+)@hospital\\.org/ -> \\1\n"
	    "upn ~ /([a-z]+)\\.([a-z]+)@ward([0-9])/ -> \\2_\\1-w\\3\n");

	(void)state;
	assert_string_equal(
	    account_of(m, "{\"email\":\"daemon@hospital.org\"}"), "daemon");
	assert_string_equal(account_of(m, "{\"upn\":\"ada.lovelace@ward7\"}"),
			    "lovelace_ada-w7");
	/* \. is a literal dot */
	assert_string_equal(
	    account_of(m, "{\"email\":\"daemon@hospitalXorg\"}"), "(no match)");
	mapfile_free(m);
}

static void test_regex_array_first_matching_element(void **state)
{
	struct map_file *m = parse_ok("groups ~ /ward-([0-9]+)/ -> ward\\1\n");

	(void)state;
	assert_string_equal(
	    account_of(m, "{\"groups\":[\"staff\",\"ward-12\",\"ward-3\"]}"),
	    "ward12");
	mapfile_free(m);
}

static void test_regex_anchored(void **state)
{
	struct map_file *m =
	    parse_ok("email ~ /([a-z]+)@hospital\\.org/ -> \\1\n"
		     "tag ~ /ab|cd/ -> bin\n");

	(void)state;
	/* A suffix or a prefix is not a match. */
	assert_string_equal(
	    account_of(m, "{\"email\":\"daemon@hospital.org.evil.example\"}"),
	    "(no match)");
	assert_string_equal(
	    account_of(m, "{\"email\":\"x daemon@hospital.org\"}"),
	    "(no match)");
	assert_string_equal(
	    account_of(m, "{\"email\":\"daemon@hospital.org\\n\"}"),
	    "(no match)");
	/* The alternation as a whole is anchored, not just its ends. */
	assert_string_equal(account_of(m, "{\"tag\":\"ab\"}"), "bin");
	assert_string_equal(account_of(m, "{\"tag\":\"cd\"}"), "bin");
	assert_string_equal(account_of(m, "{\"tag\":\"abx\"}"), "(no match)");
	assert_string_equal(account_of(m, "{\"tag\":\"xcd\"}"), "(no match)");
	assert_string_equal(account_of(m, "{\"tag\":\"abcd\"}"), "(no match)");
	mapfile_free(m);
}

static void test_first_match_wins(void **state)
{
	char account[64];
	struct map_file *m = parse_ok("# shared accounts first\n"
				      "\n"
				      "role = nurse, ward = 3 -> daemon\n"
				      "   # then everyone\n"
				      "role = nurse -> bin\n"
				      "role ~ /.*/ -> nobody\n");

	(void)state;
	assert_int_equal(match(m, "{\"role\":\"nurse\",\"ward\":\"3\"}", NULL,
			       NULL, NULL, account, sizeof(account)),
			 3);
	assert_string_equal(account, "daemon");
	assert_int_equal(match(m, "{\"role\":\"nurse\",\"ward\":\"4\"}", NULL,
			       NULL, NULL, account, sizeof(account)),
			 5);
	assert_string_equal(account, "bin");
	assert_int_equal(match(m, "{\"role\":\"porter\"}", NULL, NULL, NULL,
			       account, sizeof(account)),
			 6);
	assert_string_equal(account, "nobody");
	mapfile_free(m);
}

static void test_pin_iss_sub(void **state)
{
	char account[64];
	struct map_file *m =
	    parse_ok("iss = https://idp.example.org/realms/clinical, "
		     "sub = \"248289761001\" -> daemon\n");

	(void)state;
	assert_int_equal(match(m, "{}",
			       "https://idp.example.org/realms/clinical",
			       "248289761001", NULL, account, sizeof(account)),
			 1);
	assert_string_equal(account, "daemon");
	/* Another subject, another issuer. */
	assert_int_equal(match(m, "{}",
			       "https://idp.example.org/realms/clinical",
			       "248289761002", NULL, NULL, 0),
			 0);
	assert_int_equal(match(m, "{}", "https://idp.example.org/realms/other",
			       "248289761001", NULL, NULL, 0),
			 0);
	/* The verified iss/sub given stand for the claims of that name. */
	assert_int_equal(
	    match(m,
		  "{\"iss\":\"https://idp.example.org/realms/clinical\","
		  "\"sub\":\"248289761001\"}",
		  "https://idp.example.org/realms/clinical", "other", NULL,
		  NULL, 0),
	    0);
	/* Without them, the claims are used. */
	assert_int_equal(
	    match(m,
		  "{\"iss\":\"https://idp.example.org/realms/clinical\","
		  "\"sub\":\"248289761001\"}",
		  NULL, NULL, NULL, account, sizeof(account)),
	    1);
	mapfile_free(m);
}

static void test_conjunction_ward_account(void **state)
{
	struct map_file *m =
	    parse_ok("practitioner_role = nurse, ward = 3 -> ward3\n");

	(void)state;
	assert_string_equal(
	    account_of(m, "{\"practitioner_role\":\"nurse\",\"ward\":\"3\"}"),
	    "ward3");
	assert_string_equal(
	    account_of(m, "{\"practitioner_role\":[\"nurse\",\"educator\"],"
			  "\"ward\":3}"),
	    "ward3");
	assert_string_equal(
	    account_of(m, "{\"practitioner_role\":\"nurse\",\"ward\":\"4\"}"),
	    "(no match)");
	assert_string_equal(
	    account_of(m,
		       "{\"practitioner_role\":\"physician\",\"ward\":\"3\"}"),
	    "(no match)");
	assert_string_equal(account_of(m, "{\"practitioner_role\":\"nurse\"}"),
			    "(no match)");
	/* 3.0 is a float: floats never match */
	assert_string_equal(
	    account_of(m, "{\"practitioner_role\":\"nurse\",\"ward\":3.0}"),
	    "(no match)");
	mapfile_free(m);
}

static void test_value_types(void **state)
{
	struct map_file *m = parse_ok("email_verified = true -> daemon\n"
				      "n = 42 -> bin\n"
				      "x = null -> nobody\n"
				      "o = {} -> nobody\n");

	(void)state;
	assert_string_equal(account_of(m, "{\"email_verified\":true}"),
			    "daemon");
	assert_string_equal(account_of(m, "{\"email_verified\":\"true\"}"),
			    "daemon");
	assert_string_equal(account_of(m, "{\"email_verified\":false}"),
			    "(no match)");
	assert_string_equal(account_of(m, "{\"email_verified\":1}"),
			    "(no match)");
	assert_string_equal(account_of(m, "{\"n\":42}"), "bin");
	assert_string_equal(account_of(m, "{\"n\":[7,42]}"), "bin");
	assert_string_equal(account_of(m, "{\"n\":42.0}"), "(no match)");
	assert_string_equal(account_of(m, "{\"n\":4.2e1}"), "(no match)");
	/* null and objects never match, not even the words */
	assert_string_equal(account_of(m, "{\"x\":null}"), "(no match)");
	assert_string_equal(account_of(m, "{\"o\":{}}"), "(no match)");
	/* an integer json-c could not hold never matches */
	assert_string_equal(account_of(m, "{\"n\":99999999999999999999}"),
			    "(no match)");
	mapfile_free(m);
}

static void test_value_with_nul_never_matches(void **state)
{
	struct map_file *m = parse_ok("name ~ /.*/ -> daemon\n");

	(void)state;
	assert_string_equal(account_of(m, "{\"name\":\"a\\u0000b\"}"),
			    "(no match)");
	assert_string_equal(account_of(m, "{\"name\":\"ab\"}"), "daemon");
	mapfile_free(m);
}

static void test_value_length_cap(void **state)
{
	struct map_file *m = parse_ok("name ~ /a*/ -> daemon\n");
	char *claims = malloc(MAPFILE_MAX_VALUE + 32);
	int n;

	(void)state;
	assert_non_null(claims);
	n = snprintf(claims, 32, "{\"name\":\"");
	memset(claims + n, 'a', MAPFILE_MAX_VALUE);
	memcpy(claims + n + MAPFILE_MAX_VALUE, "\"}", 3);
	assert_string_equal(account_of(m, claims), "daemon");
	claims[n + MAPFILE_MAX_VALUE] = 'a';
	memcpy(claims + n + MAPFILE_MAX_VALUE + 1, "\"}", 3);
	assert_string_equal(account_of(m, claims), "(no match)");
	free(claims);
	mapfile_free(m);
}

static void test_quoting_and_paths(void **state)
{
	struct map_file *m = parse_ok(
	    "name = \"Dr. A \\\"Bee\\\" \\\\ C\" -> daemon\n"
	    "\"https://hospital.example.org/claims\".unit = ICU -> bin\n"
	    "a.\"b.c\".d = x -> nobody\n"
	    "site = https://x.example.org/a=b?c#frag -> daemon\n");

	(void)state;
	assert_string_equal(account_of(m, "{\"name\":\"Dr. A \\\"Bee\\\" "
					  "\\\\ C\"}"),
			    "daemon");
	assert_string_equal(
	    account_of(m, "{\"https://hospital.example.org/claims\":"
			  "{\"unit\":\"ICU\"}}"),
	    "bin");
	assert_string_equal(account_of(m, "{\"a\":{\"b.c\":{\"d\":\"x\"}}}"),
			    "nobody");
	assert_string_equal(
	    account_of(m, "{\"a\":{\"b\":{\"c\":{\"d\":\"x\"}}}}"),
	    "(no match)");
	/* '#' inside a word is not a comment */
	assert_string_equal(
	    account_of(m, "{\"site\":\"https://x.example.org/a=b?c#frag\"}"),
	    "daemon");
	mapfile_free(m);
}

static void test_comments_crlf_bom(void **state)
{
	struct map_file *m =
	    parse_ok("\xef\xbb\xbf# hospital map\r\n"
		     "\r\n"
		     "\trole = nurse   ->   daemon # shared\r\n"
		     "role=porter->bin\r\n"
		     "role = x -> nobody");

	(void)state;
	assert_string_equal(account_of(m, "{\"role\":\"nurse\"}"), "daemon");
	assert_string_equal(account_of(m, "{\"role\":\"porter\"}"), "bin");
	assert_string_equal(account_of(m, "{\"role\":\"x\"}"), "nobody");
	assert_int_equal(
	    match(m, "{\"role\":\"x\"}", NULL, NULL, NULL, NULL, 0), 5);
	mapfile_free(m);
}

static void test_deny_rule(void **state)
{
	bool deny = false;
	struct map_file *m =
	    parse_ok("fhirUser ~ /(.*\\/)?Patient\\/.+/ -> !deny\n"
		     "role = nurse -> daemon\n");

	(void)state;
	assert_int_equal(
	    match(m,
		  "{\"fhirUser\":\"https://fhir.example.org/r4/Patient/17\","
		  "\"role\":\"nurse\"}",
		  NULL, NULL, &deny, NULL, 0),
	    1);
	assert_true(deny);
	assert_int_equal(match(m,
			       "{\"fhirUser\":\"Patient/17\","
			       "\"role\":\"nurse\"}",
			       NULL, NULL, &deny, NULL, 0),
			 1);
	assert_true(deny);
	assert_int_equal(match(m,
			       "{\"fhirUser\":\"Practitioner/5\","
			       "\"role\":\"nurse\"}",
			       NULL, NULL, &deny, NULL, 0),
			 2);
	assert_false(deny);
	mapfile_free(m);
}

static void test_empty_file_matches_nothing(void **state)
{
	struct map_file *m = parse_ok("# nobody yet\n\n");

	(void)state;
	assert_int_equal(m->nrules, 0);
	assert_string_equal(account_of(m, "{\"role\":\"nurse\"}"),
			    "(no match)");
	mapfile_free(m);
}

/* ------------------------------------------------------------------------ */
/* syntax errors name file:line */

static void test_error_unterminated_regex(void **state)
{
	(void)state;
	expect_parse_error("# a\nrole = a -> bin\nemail ~ /([a-z]+@x -> \\1\n",
			   "test.map:3: unterminated regex (no closing /; "
			   "write \\/ for a slash inside it)");
	expect_parse_error("email ~ /abc\\/ -> bin\n",
			   "test.map:1: unterminated regex (no closing /; "
			   "write \\/ for a slash inside it)");
}

static void test_error_bad_regex(void **state)
{
	char msg[256], want[2048];
	regex_t re;
	int rc;

	(void)state;
	/* The message is the C library's own, after the pattern. */
	rc = regcomp(&re, "([a-z]+", REG_EXTENDED);
	assert_int_not_equal(rc, 0);
	regerror(rc, &re, msg, sizeof(msg));
	regfree(&re);
	snprintf(want, sizeof(want), "test.map:2: bad regex /([a-z]+/: %s",
		 msg);
	expect_parse_error("\nemail ~ /([a-z]+/ -> bin\n", want);

	rc = regcomp(&re, "a{2,1}", REG_EXTENDED);
	assert_int_not_equal(rc, 0);
	regerror(rc, &re, msg, sizeof(msg));
	regfree(&re);
	snprintf(want, sizeof(want), "test.map:1: bad regex /a{2,1}/: %s", msg);
	expect_parse_error("x ~ /a{2,1}/ -> bin\n", want);

	expect_parse_error("x ~ // -> bin\n", "test.map:1: empty regex //");
	/* glibc takes a lone ) literally, and ^(a)|(b))$ would not be
	 * anchored on the left: refused. */
	expect_parse_error("x ~ /a)|(b)/ -> bin\n",
			   "test.map:1: unmatched ) in regex /a)|(b)/ (write "
			   "\\) for a literal parenthesis)");
	expect_parse_error("x ~ /(a)\\1/ -> bin\n",
			   "test.map:1: back-reference \\1 in regex /(a)\\1/ "
			   "is not supported");
	expect_parse_error("x ~ /abc/i -> bin\n",
			   "test.map:1: unexpected \"i\" after regex /abc/ "
			   "(write \\/ for a slash inside it; no flags are "
			   "supported)");
}

/* Patterns that would make regcomp take exponential time or all memory
 * are refused with a reason, before regcomp sees them. */
static void test_error_regex_too_costly(void **state)
{
	struct strbuf sb;
	char *text, want[512];
	int i;

	(void)state;
	expect_parse_error("x ~ /a?+/ -> bin\n",
			   "test.map:1: regex /a?+/ repeats a part that can "
			   "match nothing, as in (a*)+ or (a?){3}: write a* or "
			   "a{0,3}");
	expect_parse_error("x ~ /((a|)+)?b/ -> bin\n",
			   "test.map:1: regex /((a|)+)?b/ repeats a part that "
			   "can match nothing, as in (a*)+ or (a?){3}: write "
			   "a* or a{0,3}");
	expect_parse_error("x ~ /(.*){20}/ -> bin\n",
			   "test.map:1: regex /(.*){20}/ repeats a part that "
			   "can match nothing, as in (a*)+ or (a?){3}: write "
			   "a* or a{0,3}");
	expect_parse_error("x ~ /a++++++++++++/ -> bin\n",
			   "test.map:1: regex /a++++++++++++/ repeats too much "
			   "(more than 2000 parts once its repetitions are "
			   "expanded)");
	expect_parse_error("x ~ /((a{20}){20}){20}/ -> bin\n",
			   "test.map:1: regex /((a{20}){20}){20}/ repeats too "
			   "much (more than 2000 parts once its repetitions "
			   "are expanded)");
	/* also inside a group that is never closed */
	expect_parse_error("x ~ /(((a{99}){99}/ -> bin\n",
			   "test.map:1: regex /(((a{99}){99}/ repeats too much "
			   "(more than 2000 parts once its repetitions are "
			   "expanded)");
	sb_init(&sb);
	sb_add(&sb, "x ~ /");
	for (i = 0; i < 33; i++)
		sb_addc(&sb, '(');
	sb_addc(&sb, 'a');
	for (i = 0; i < 33; i++)
		sb_addc(&sb, ')');
	sb_add(&sb, "/ -> bin\n");
	text = sb_steal(&sb);
	assert_non_null(text);
	snprintf(want, sizeof(want),
		 "test.map:1: regex /%.*s/ nests groups deeper than 32",
		 (int)(strlen(text) - 14), text + 5);
	expect_parse_error(text, want);
	free(text);
}

/* What such patterns mean is still accepted in its plain form. */
static void test_regex_repetitions_accepted(void **state)
{
	struct map_file *m =
	    parse_ok("x ~ /a{0,3}b/ -> daemon\n"
		     "y ~ /([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
		     "[0-9a-f]{12}/ -> u\\1\n"
		     "z ~ /(([a-z]+)\\.)+org|(a|)/ -> nobody\n"
		     "w ~ /a+?|b{2,}/ -> bin\n");

	(void)state;
	assert_string_equal(account_of(m, "{\"x\":\"aaab\"}"), "daemon");
	assert_string_equal(account_of(m, "{\"x\":\"b\"}"), "daemon");
	assert_string_equal(account_of(m, "{\"x\":\"aaaab\"}"), "(no match)");
	assert_string_equal(
	    account_of(m, "{\"y\":\"3f2a9c1e-77b0-4d5e-9a61-0c8f2b1d4e55\"}"),
	    "u3f2a9c1e");
	assert_string_equal(account_of(m, "{\"z\":\"ward.hospital.org\"}"),
			    "nobody");
	assert_string_equal(account_of(m, "{\"z\":\"\"}"), "nobody");
	assert_string_equal(account_of(m, "{\"w\":\"bbb\"}"), "bin");
	assert_string_equal(account_of(m, "{\"w\":\"b\"}"), "(no match)");
	mapfile_free(m);
}

static void test_bracket_parens_not_counted(void **state)
{
	struct map_file *m = parse_ok("x ~ /[)(]+|[[:alpha:]]/ -> bin\n"
				      "y ~ /\\(([a-z]+)\\)/ -> \\1\n");

	(void)state;
	assert_string_equal(account_of(m, "{\"x\":\")(\"}"), "bin");
	assert_string_equal(account_of(m, "{\"x\":\"q\"}"), "bin");
	assert_string_equal(account_of(m, "{\"y\":\"(daemon)\"}"), "daemon");
	mapfile_free(m);
}

static void test_error_missing_arrow(void **state)
{
	(void)state;
	expect_parse_error("role = nurse daemon\n",
			   "test.map:1: expected , or -> before \"daemon\"");
	expect_parse_error("role = nurse\n",
			   "test.map:1: missing -> ACCOUNT at the end of the "
			   "rule");
	expect_parse_error("role = nurse ->\n",
			   "test.map:1: missing account after -> (an account "
			   "name or !deny)");
	expect_parse_error("role = nurse -> # nobody\n",
			   "test.map:1: missing account after -> (an account "
			   "name or !deny)");
	expect_parse_error("role = nurse -> daemon bin\n",
			   "test.map:1: unexpected \"bin\" after the account "
			   "(one account per rule; comments start with #)");
}

static void test_error_unknown_operator(void **state)
{
	(void)state;
	expect_parse_error("role == nurse -> daemon\n",
			   "test.map:1: unknown operator \"==\" after claim "
			   "\"role\" (use = or ~)");
	expect_parse_error("role != nurse -> daemon\n",
			   "test.map:1: unknown operator \"!=\" after claim "
			   "\"role\" (use = or ~)");
	expect_parse_error("a.b =~ /x/ -> daemon\n",
			   "test.map:1: unknown operator \"=~\" after claim "
			   "\"a.b\" (use = or ~)");
	expect_parse_error("role in nurse -> daemon\n",
			   "test.map:1: expected = or ~ after claim \"role\", "
			   "found \"in\"");
	expect_parse_error("role -> daemon\n",
			   "test.map:1: missing = or ~ after claim \"role\"");
	expect_parse_error("role ~ nurse -> daemon\n",
			   "test.map:1: expected /ERE/ after claim \"role\" ~, "
			   "found \"nurse\"");
	expect_parse_error("role = -> daemon\n",
			   "test.map:1: missing value after claim \"role\" =");
	expect_parse_error("= nurse -> daemon\n",
			   "test.map:1: expected a claim name, found \"=\"");
	expect_parse_error(
	    "a..b = x -> daemon\n",
	    "test.map:1: empty part in claim path (after \".\")");
	expect_parse_error("role = nurse, -> daemon\n",
			   "test.map:1: expected a claim name, found \"->\"");
}

static void test_error_values_and_targets(void **state)
{
	(void)state;
	expect_parse_error("name = \"abc -> daemon\n",
			   "test.map:1: unterminated quoted string (no closing "
			   "\")");
	expect_parse_error("name = \"a\\nb\" -> daemon\n",
			   "test.map:1: unknown escape \"\\n\" in a quoted "
			   "string (only \\\" and \\\\)");
	expect_parse_error("name = a\"b -> daemon\n",
			   "test.map:1: '\"' in the value \"a\"\" (quote the "
			   "whole value: \"...\" with \\\" and \\\\)");
	expect_parse_error("role = nurse -> !allow\n",
			   "test.map:1: unknown keyword \"!allow\" after -> "
			   "(the only one is !deny)");
	expect_parse_error("role = nurse -> -daemon\n",
			   "test.map:1: \"-daemon\" is not a safe account name "
			   "(1 to 64 of A-Z a-z 0-9 . _ - @, not starting with "
			   "-, no ..)");
	expect_parse_error("x ~ /(a)/ -> -\\1\n",
			   "test.map:1: \"-\\1\" is not a safe account name "
			   "(1 to 64 of A-Z a-z 0-9 . _ - @, not starting with "
			   "-, no ..)");
	expect_parse_error("x ~ /(a)/ -> a/\\1\n",
			   "test.map:1: \"a/\\1\" is not a safe account name "
			   "(1 to 64 of A-Z a-z 0-9 . _ - @, not starting with "
			   "-, no ..)");
	expect_parse_error(
	    "x ~ /(a)/ -> \\0\n",
	    "test.map:1: in the account \"\\0\", a backslash must "
	    "be followed by 1 to 9 (a captured group)");
	expect_parse_error("x = a -> \\1\n",
			   "test.map:1: the account \"\\1\" uses \\1, so the "
			   "rule needs exactly one ~ condition (it has 0)");
	expect_parse_error("x ~ /(a)/, y ~ /(b)/ -> \\1\n",
			   "test.map:1: the account \"\\1\" uses \\1, so the "
			   "rule needs exactly one ~ condition (it has 2)");
	expect_parse_error("x ~ /(a)(b)/ -> \\1\\3\n",
			   "test.map:1: the account \"\\1\\3\" uses \\3, but "
			   "regex /(a)(b)/ has 2 groups");
	expect_parse_error("role = a\tb\x01 -> daemon\n",
			   "test.map:1: control character \\x01 in column 11");
}

static void test_error_overlong_line(void **state)
{
	char *text = malloc(MAPFILE_MAX_LINE + 64);
	size_t n;

	(void)state;
	assert_non_null(text);
	/* Exactly the limit is fine... */
	n = (size_t)snprintf(text, 64, "role = nurse -> daemon\nx = ");
	memset(text + n, 'a', MAPFILE_MAX_LINE - 4 - 10);
	memcpy(text + n + MAPFILE_MAX_LINE - 14, " -> daemon\n", 12);
	assert_int_equal(strlen(text + n - 4), MAPFILE_MAX_LINE + 1);
	mapfile_free(parse_ok(text));
	/* ...one more byte is not. */
	memset(text + n, 'a', MAPFILE_MAX_LINE - 4 - 9);
	memcpy(text + n + MAPFILE_MAX_LINE - 13, " -> daemon\n", 12);
	expect_parse_error(text, "test.map:2: line longer than 4096 bytes");
	free(text);
}

static void test_error_too_many_rules_and_conditions(void **state)
{
	struct strbuf sb;
	char *text;
	int i;

	(void)state;
	sb_init(&sb);
	sb_add(&sb, "# the limit\n");
	for (i = 0; i < MAPFILE_MAX_RULES; i++)
		sb_addf(&sb, "n = %d -> daemon\n", i);
	text = sb_steal(&sb);
	assert_non_null(text);
	{
		struct map_file *m = parse_ok(text);

		assert_int_equal(m->nrules, MAPFILE_MAX_RULES);
		assert_int_equal(
		    match(m, "{\"n\":999}", NULL, NULL, NULL, NULL, 0), 1001);
		mapfile_free(m);
	}
	sb_add(&sb, text);
	free(text);
	sb_add(&sb, "n = x -> daemon\n");
	text = sb_steal(&sb);
	assert_non_null(text);
	expect_parse_error(text, "test.map:1002: more than 1000 rules");
	free(text);

	sb_init(&sb);
	for (i = 0; i < MAPFILE_MAX_CONDS; i++)
		sb_addf(&sb, "%sc%d = x", i ? ", " : "", i);
	sb_add(&sb, " -> daemon\n");
	text = sb_steal(&sb);
	mapfile_free(parse_ok(text));
	free(text);
	sb_init(&sb);
	for (i = 0; i <= MAPFILE_MAX_CONDS; i++)
		sb_addf(&sb, "%sc%d = x", i ? ", " : "", i);
	sb_add(&sb, " -> daemon\n");
	text = sb_steal(&sb);
	expect_parse_error(text,
			   "test.map:1: more than 16 conditions in one rule");
	free(text);
}

static void test_error_nul_byte(void **state)
{
	static const char text[] = "role = nurse -> daemon\nrole = a\0b -> x\n";
	struct map_file *m = NULL;
	struct oidc_err e;

	(void)state;
	oidc_err_clear(&e);
	assert_int_equal(
	    mapfile_parse("test.map", text, sizeof(text) - 1, &m, &e),
	    OIDC_ECONFIG);
	assert_null(m);
	assert_string_equal(e.reason,
			    "test.map:2: control character \\x00 in column 9");
}

/* Fixture files in tests/unit/mapfiles: the first line of each is
 * "# expect: ok" or "# expect: " and the message after the file name. */
static void check_fixture(const char *path)
{
	static char buf[MAPFILE_MAX_SIZE + 1];
	const char *tag = "# expect: ";
	struct map_file *m = NULL;
	struct oidc_err e;
	char want[1024];
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
	rc = mapfile_parse(path, buf, len, &m, &e);
	if (n == 2 && strncmp(buf + strlen(tag), "ok", 2) == 0) {
		if (rc != OIDC_OK)
			print_error("%s: %s\n", path, e.reason);
		assert_int_equal(rc, OIDC_OK);
		assert_true(m->nrules > 0);
		mapfile_free(m);
		return;
	}
	assert_int_equal(rc, OIDC_ECONFIG);
	assert_string_equal(e.reason, want);
}

static void test_fixture_files(void **state)
{
	const char *top = getenv("top_srcdir");
	char dir[512], path[1024];
	struct dirent *de;
	DIR *d;
	int count = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/tests/unit/mapfiles",
		 top != NULL && top[0] != '\0' ? top : ".");
	d = opendir(dir);
	if (d == NULL)
		print_error("cannot open %s (set top_srcdir)\n", dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		size_t nl = strlen(de->d_name);

		if (nl < 4 || strcmp(de->d_name + nl - 4, ".map") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		check_fixture(path);
		count++;
	}
	assert_int_equal(closedir(d), 0);
	assert_true(count >= 9);
}

/* The example shipped in conf/ parses and does what its comments say. */
static void test_shipped_example(void **state)
{
	const char *top = getenv("top_srcdir");
	static char buf[MAPFILE_MAX_SIZE + 1];
	char path[512], account[64];
	struct map_file *m = NULL;
	struct oidc_err e;
	bool deny;
	size_t len;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/conf/pam_oidc.map",
		 top != NULL && top[0] != '\0' ? top : ".");
	f = fopen(path, "rb");
	assert_non_null(f);
	len = fread(buf, 1, sizeof(buf) - 1, f);
	assert_int_equal(fclose(f), 0);
	oidc_err_clear(&e);
	assert_int_equal(mapfile_parse(path, buf, len, &m, &e), OIDC_OK);

	assert_true(match(m,
			  "{\"fhirUser\":\"Patient/1\","
			  "\"email\":\"daemon@hospital.example.org\","
			  "\"email_verified\":true}",
			  NULL, NULL, &deny, NULL, 0) > 0);
	assert_true(deny);
	assert_true(match(m, "{}",
			  "https://ehr-idp.example.org/realms/clinical",
			  "3f2a9c1e-77b0-4d5e-9a61-0c8f2b1d4e55", &deny,
			  account, sizeof(account)) > 0);
	assert_string_equal(account, "itadmin");
	assert_string_equal(
	    account_of(m, "{\"practitioner_role\":\"nurse\",\"ward\":3}"),
	    "ward3");
	assert_string_equal(account_of(m, "{\"realm_access\":{\"roles\":"
					  "[\"radiology-reading\"]}}"),
			    "radiology");
	assert_string_equal(
	    account_of(m, "{\"email\":\"daemon@hospital.example.org\","
			  "\"email_verified\":true}"),
	    "daemon");
	assert_string_equal(
	    account_of(m, "{\"email\":\"daemon@hospital.example.org\","
			  "\"email_verified\":false}"),
	    "(no match)");
	mapfile_free(m);
}

/* ------------------------------------------------------------------------ */
/* map_explain / map_account: the account checks, with real files */

static void test_explain_ok_names_rule(void **state)
{
	char account[128], rule[128], reason[512];
	struct env v;

	(void)state;
	skip_unless_root();
	env_init(&v,
		 "# wards\n"
		 "practitioner_role = nurse, ward = 3 -> daemon\n"
		 "email ~ /([a-z]+)@hospital\\.org/ -> \\1\n",
		 false);
	assert_int_equal(explain(&v,
				 "{\"practitioner_role\":\"nurse\","
				 "\"ward\":\"3\"}",
				 account, rule, reason),
			 OIDC_OK);
	assert_string_equal(account, "daemon");
	assert_string_equal(rule, "map file line 2");
	assert_int_equal(explain(&v, "{\"email\":\"bin@hospital.org\"}",
				 account, rule, reason),
			 OIDC_OK);
	assert_string_equal(account, "bin");
	assert_string_equal(rule, "map file line 3");
	env_free(&v);
}

static void test_explain_no_match_and_deny(void **state)
{
	char account[128], rule[128], reason[512], want[2048];
	struct env v;

	(void)state;
	skip_unless_root();
	env_init(&v,
		 "fhirUser ~ /(.*\\/)?Patient\\/.+/ -> !deny\n"
		 "role = nurse -> daemon\n",
		 false);
	assert_int_equal(
	    explain(&v, "{\"role\":\"porter\"}", account, rule, reason),
	    OIDC_EREJECT);
	snprintf(want, sizeof(want), "mapping: no rule matches (map file %s)",
		 v.path);
	assert_string_equal(reason, want);
	assert_string_equal(rule, "(null)");

	assert_int_equal(explain(&v,
				 "{\"role\":\"nurse\",\"fhirUser\":"
				 "\"Patient/9\"}",
				 account, rule, reason),
			 OIDC_EREJECT);
	snprintf(want, sizeof(want),
		 "mapping: rule at line 1 denies (map file %s)", v.path);
	assert_string_equal(reason, want);
	assert_string_equal(rule, "map file line 1");
	env_free(&v);
}

static void test_explain_unsafe_captures_refused(void **state)
{
	static const char *const bad[][2] = {
	    {"../x", "account: \"../x\" (from map file line 1) is not a safe "
		     "account name"},
	    {"-x", "account: \"-x\" (from map file line 1) is not a safe "
		   "account name"},
	    {"a/b", "account: \"a/b\" (from map file line 1) is not a safe "
		    "account name"},
	    {".", "account: \".\" (from map file line 1) is not a safe "
		  "account name"},
	    {"", "account: \"\" (from map file line 1) is not a safe account "
		 "name"},
	    {"a\\nb", "account: \"a\\x0ab\" (from map file line 1) is not a "
		      "safe account name"},
	    {"a\\\"b", "account: \"a\\x22b\" (from map file line 1) is not a "
		       "safe account name"},
	};
	char account[128], rule[128], reason[512], claims[128];
	struct env v;
	size_t i;

	(void)state;
	skip_unless_root();
	env_init(&v, "name ~ /(.*)/ -> \\1\n", false);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(claims, sizeof(claims), "{\"name\":\"%s\"}",
			 bad[i][0]);
		assert_int_equal(explain(&v, claims, account, rule, reason),
				 OIDC_EREJECT);
		assert_string_equal(reason, bad[i][1]);
		assert_string_equal(rule, "map file line 1");
	}
	env_free(&v);
}

static void test_explain_account_must_exist(void **state)
{
	char account[128], rule[128], reason[512];
	struct env v;

	(void)state;
	skip_unless_root();
	env_init(&v, "role = nurse -> no_such_user_pamoidc\n", false);
	assert_int_equal(
	    explain(&v, "{\"role\":\"nurse\"}", account, rule, reason),
	    OIDC_EREJECT);
	assert_string_equal(reason,
			    "account: \"no_such_user_pamoidc\" does not exist");
	env_free(&v);
}

static void test_explain_uid0(void **state)
{
	char account[128], rule[128], reason[512];
	struct env v;

	(void)state;
	skip_unless_root();
	env_init(&v, "role = admin -> root\n", false);
	assert_int_equal(
	    explain(&v, "{\"role\":\"admin\"}", account, rule, reason),
	    OIDC_EREJECT);
	assert_string_equal(reason,
			    "account: \"root\" has uid 0 and allow_root is no");
	assert_string_equal(rule, "map file line 1");
	env_free(&v);

	env_init(&v, "role = admin -> root\n", true);
	assert_int_equal(
	    explain(&v, "{\"role\":\"admin\"}", account, rule, reason),
	    OIDC_OK);
	assert_string_equal(account, "root");
	env_free(&v);
}

static void test_explain_username_claim(void **state)
{
	char account[128], rule[128], reason[512];
	struct env v;

	(void)state;
	env_init(&v, NULL, false);
	assert_int_equal(explain(&v, "{\"preferred_username\":\"daemon\"}",
				 account, rule, reason),
			 OIDC_OK);
	assert_string_equal(account, "daemon");
	assert_string_equal(rule, "username_claim preferred_username");
	assert_int_equal(explain(&v, "{\"preferred_username\":[\"daemon\"]}",
				 account, rule, reason),
			 OIDC_EREJECT);
	assert_string_equal(reason, "mapping: username_claim "
				    "\"preferred_username\" missing or not a "
				    "string");
	assert_int_equal(explain(&v, "{\"preferred_username\":\"../root\"}",
				 account, rule, reason),
			 OIDC_EREJECT);
	assert_string_equal(reason, "account: \"../root\" (from username_claim "
				    "preferred_username) is not a safe account "
				    "name");
	assert_int_equal(explain(&v, "{\"preferred_username\":\"root\"}",
				 account, rule, reason),
			 OIDC_EREJECT);
	assert_string_equal(reason,
			    "account: \"root\" has uid 0 and allow_root is no");
	env_free(&v);
}

static void test_explain_broken_map_is_config_error(void **state)
{
	char account[128], rule[128], reason[512], want[2048];
	struct env v;

	(void)state;
	skip_unless_root();
	env_init(&v, "role = nurse -> daemon\n\nrole = x -> \n", false);
	assert_int_equal(
	    explain(&v, "{\"role\":\"nurse\"}", account, rule, reason),
	    OIDC_ECONFIG);
	snprintf(want, sizeof(want),
		 "%s:3: missing account after -> (an account name or !deny)",
		 v.path);
	assert_string_equal(reason, want);
	assert_string_equal(rule, "(null)");
	env_free(&v);
}

/* A login: the mapped account must be the PAM user. */
static int login_map(struct env *v, const char *user, const char *claims,
		     struct login *l)
{
	login_init(l, &v->cfg, NULL);
	l->user = user;
	l->claims = claims_of(claims);
	l->iss =
	    json_object_get_string(json_object_object_get(l->claims, "iss"));
	l->sub =
	    json_object_get_string(json_object_object_get(l->claims, "sub"));
	return map_account(l);
}

static void test_map_account_pam_user(void **state)
{
	struct login l;
	struct env v;

	(void)state;
	skip_unless_root();
	env_init(&v,
		 "iss = https://idp.example.org, sub = s-1 -> daemon\n"
		 "role = nurse, ward = 3 -> bin\n",
		 false);
	assert_int_equal(login_map(&v, "daemon",
				   "{\"iss\":\"https://idp.example.org\","
				   "\"sub\":\"s-1\"}",
				   &l),
			 OIDC_OK);
	assert_string_equal(l.account, "daemon");
	assert_string_equal(l.map_rule, "map file line 1");
	login_free(&l);

	/* The ward account, but the login is for daemon. */
	assert_int_equal(login_map(&v, "daemon",
				   "{\"iss\":\"https://idp.example.org\","
				   "\"sub\":\"s-2\",\"role\":\"nurse\","
				   "\"ward\":3}",
				   &l),
			 OIDC_EREJECT);
	assert_null(l.account);
	assert_string_equal(l.map_rule, "map file line 2");
	assert_string_equal(l.err.reason,
			    "account: identity maps to account \"bin\", but "
			    "the login is for \"daemon\"");
	assert_string_equal(l.err.user_msg,
			    "You signed in as someone else than this account.");
	login_free(&l);

	/* No rule: the clinician is told in plain words. */
	assert_int_equal(login_map(&v, "daemon",
				   "{\"iss\":\"https://idp.example.org\","
				   "\"sub\":\"s-3\"}",
				   &l),
			 OIDC_EREJECT);
	assert_null(l.map_rule);
	assert_string_equal(l.err.user_msg,
			    "Your identity has no account on this computer.");
	login_free(&l);
	env_free(&v);
}

static void test_map_account_root_and_deny_messages(void **state)
{
	struct login l;
	struct env v;

	(void)state;
	skip_unless_root();
	env_init(&v,
		 "fhirUser ~ /(.*\\/)?Patient\\/.+/ -> !deny\n"
		 "preferred_username = mallory -> root\n",
		 false);
	assert_int_equal(
	    login_map(&v, "root", "{\"preferred_username\":\"mallory\"}", &l),
	    OIDC_EREJECT);
	assert_string_equal(l.err.reason,
			    "account: \"root\" has uid 0 and allow_root is no");
	assert_string_equal(l.err.user_msg,
			    "This account cannot sign in with this method.");
	login_free(&l);
	assert_int_equal(
	    login_map(&v, "root", "{\"fhirUser\":\"Patient/3\"}", &l),
	    OIDC_EREJECT);
	assert_string_equal(l.err.user_msg,
			    "Your identity may not sign in to this computer.");
	login_free(&l);
	env_free(&v);
}

/* ------------------------------------------------------------------------ */
/* the file itself */

static void expect_load_error(const char *path, const char *reason)
{
	struct map_file *m = (struct map_file *)&m;
	struct oidc_err e;

	oidc_err_clear(&e);
	assert_int_equal(mapfile_load(path, &m, &e), OIDC_ECONFIG);
	assert_null(m);
	assert_string_equal(e.reason, reason);
}

static void test_load_ownership_and_mode(void **state)
{
	char path[512], want[2048];
	struct map_file *m = NULL;
	struct oidc_err e;

	(void)state;
	skip_unless_root();
	make_file(path, sizeof(path), "role = nurse -> daemon\n");
	oidc_err_clear(&e);
	assert_int_equal(mapfile_load(path, &m, &e), OIDC_OK);
	assert_int_equal(m->nrules, 1);
	mapfile_free(m);

	assert_int_equal(chown(path, 1, 0), 0);
	snprintf(want, sizeof(want),
		 "%s: owned by uid 1, must be owned by root (fix: chown "
		 "root:root %s; chmod 0644 %s)",
		 path, path, path);
	expect_load_error(path, want);

	assert_int_equal(chown(path, 0, 0), 0);
	assert_int_equal(chmod(path, 0664), 0);
	snprintf(want, sizeof(want),
		 "%s: writable by group or other (mode 0664) (fix: chown "
		 "root:root %s; chmod 0644 %s)",
		 path, path, path);
	expect_load_error(path, want);
	assert_int_equal(chmod(path, 0646), 0);
	snprintf(want, sizeof(want),
		 "%s: writable by group or other (mode 0646) (fix: chown "
		 "root:root %s; chmod 0644 %s)",
		 path, path, path);
	expect_load_error(path, want);

	/* 0600 and 0400 are fine. */
	assert_int_equal(chmod(path, 0400), 0);
	assert_int_equal(mapfile_load(path, &m, &e), OIDC_OK);
	mapfile_free(m);
	assert_int_equal(unlink(path), 0);
}

static void test_load_not_a_plain_file(void **state)
{
	char path[512], link[600], want[2048];

	(void)state;
	skip_unless_root();
	make_file(path, sizeof(path), "role = nurse -> daemon\n");
	snprintf(link, sizeof(link), "%s.link", path);
	assert_int_equal(symlink(path, link), 0);
	snprintf(want, sizeof(want),
		 "%s: is a symbolic link; refusing to follow it (name the "
		 "real file in map_file)",
		 link);
	expect_load_error(link, want);
	assert_int_equal(unlink(link), 0);
	assert_int_equal(unlink(path), 0);

	snprintf(want, sizeof(want), "%s: is a directory, not a regular file",
		 tmpdir);
	expect_load_error(tmpdir, want);

	snprintf(path, sizeof(path), "%s/absent.map", tmpdir);
	snprintf(want, sizeof(want),
		 "%s: cannot open: No such file or directory",
		 path);
	expect_load_error(path, want);
}

static void test_load_size_cap(void **state)
{
	char path[512], want[2048];
	char *text = malloc(MAPFILE_MAX_SIZE + 2);
	struct map_file *m = NULL;
	struct oidc_err e;

	(void)state;
	skip_unless_root();
	assert_non_null(text);
	memset(text, '\n', MAPFILE_MAX_SIZE);
	text[MAPFILE_MAX_SIZE] = '\0';
	make_file(path, sizeof(path), text);
	oidc_err_clear(&e);
	assert_int_equal(mapfile_load(path, &m, &e), OIDC_OK);
	mapfile_free(m);
	assert_int_equal(unlink(path), 0);

	text[MAPFILE_MAX_SIZE] = '\n';
	text[MAPFILE_MAX_SIZE + 1] = '\0';
	make_file(path, sizeof(path), text);
	snprintf(want, sizeof(want), "%s: file is larger than %d bytes", path,
		 MAPFILE_MAX_SIZE);
	expect_load_error(path, want);
	assert_int_equal(unlink(path), 0);
	free(text);
}

static void test_load_error_names_file_and_line(void **state)
{
	char path[512], want[2048];

	(void)state;
	skip_unless_root();
	make_file(path, sizeof(path),
		  "# ok\nrole = nurse -> daemon\nrole ~ /nurse -> bin\n");
	snprintf(want, sizeof(want),
		 "%s:3: unterminated regex (no closing /; write \\/ for a "
		 "slash inside it)",
		 path);
	expect_load_error(path, want);
	assert_int_equal(unlink(path), 0);
}

/* ------------------------------------------------------------------------ */

static int setup_tmpdir(void **state)
{
	const char *base = getenv("TMPDIR");

	(void)state;
	if (base == NULL || base[0] == '\0')
		base = "/tmp";
	snprintf(tmpdir, sizeof(tmpdir), "%s/test_mapping.XXXXXX", base);
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

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
			unlink(path);
		}
		closedir(d);
	}
	return rmdir(tmpdir);
}

int main(void)
{
	const struct CMUnitTest match_tests[] = {
	    cmocka_unit_test(test_equality),
	    cmocka_unit_test(test_array_element),
	    cmocka_unit_test(test_regex_captures),
	    cmocka_unit_test(test_regex_array_first_matching_element),
	    cmocka_unit_test(test_regex_anchored),
	    cmocka_unit_test(test_first_match_wins),
	    cmocka_unit_test(test_pin_iss_sub),
	    cmocka_unit_test(test_conjunction_ward_account),
	    cmocka_unit_test(test_value_types),
	    cmocka_unit_test(test_value_with_nul_never_matches),
	    cmocka_unit_test(test_value_length_cap),
	    cmocka_unit_test(test_quoting_and_paths),
	    cmocka_unit_test(test_comments_crlf_bom),
	    cmocka_unit_test(test_deny_rule),
	    cmocka_unit_test(test_empty_file_matches_nothing),
	    cmocka_unit_test(test_bracket_parens_not_counted),
	    cmocka_unit_test(test_regex_repetitions_accepted),
	};
	const struct CMUnitTest syntax_tests[] = {
	    cmocka_unit_test(test_error_unterminated_regex),
	    cmocka_unit_test(test_error_bad_regex),
	    cmocka_unit_test(test_error_regex_too_costly),
	    cmocka_unit_test(test_error_missing_arrow),
	    cmocka_unit_test(test_error_unknown_operator),
	    cmocka_unit_test(test_error_values_and_targets),
	    cmocka_unit_test(test_error_overlong_line),
	    cmocka_unit_test(test_error_too_many_rules_and_conditions),
	    cmocka_unit_test(test_error_nul_byte),
	    cmocka_unit_test(test_fixture_files),
	    cmocka_unit_test(test_shipped_example),
	};
	const struct CMUnitTest account_tests[] = {
	    cmocka_unit_test(test_explain_ok_names_rule),
	    cmocka_unit_test(test_explain_no_match_and_deny),
	    cmocka_unit_test(test_explain_unsafe_captures_refused),
	    cmocka_unit_test(test_explain_account_must_exist),
	    cmocka_unit_test(test_explain_uid0),
	    cmocka_unit_test(test_explain_username_claim),
	    cmocka_unit_test(test_explain_broken_map_is_config_error),
	    cmocka_unit_test(test_map_account_pam_user),
	    cmocka_unit_test(test_map_account_root_and_deny_messages),
	    cmocka_unit_test(test_load_ownership_and_mode),
	    cmocka_unit_test(test_load_not_a_plain_file),
	    cmocka_unit_test(test_load_size_cap),
	    cmocka_unit_test(test_load_error_names_file_and_line),
	};
	int failed = 0;

	failed +=
	    cmocka_run_group_tests_name("matching", match_tests, NULL, NULL);
	failed +=
	    cmocka_run_group_tests_name("syntax", syntax_tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("accounts", account_tests,
					      setup_tmpdir, teardown_tmpdir);
	return failed == 0 ? 0 : 1;
}
