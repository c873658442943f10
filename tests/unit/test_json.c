/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for helper/json.c: strict JSON objects and typed accessors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../helper/json.h"

/* Parse a buffer; returns the rc and keeps the reason in *e. */
static int parse_len(const char *buf, size_t len, json_object **out,
		     struct oidc_err *e)
{
	oidc_err_clear(e);
	return json_parse_object(buf, len, "test document", out, e);
}

static int parse(const char *s, json_object **out, struct oidc_err *e)
{
	return parse_len(s, strlen(s), out, e);
}

/* The document must be refused, with a reason containing want. */
static void assert_refused_len(const char *buf, size_t len, const char *want)
{
	struct oidc_err e;
	json_object *o = NULL;
	int rc = parse_len(buf, len, &o, &e);

	if (rc != OIDC_EREJECT || o != NULL || strstr(e.reason, want) == NULL) {
		print_error(
		    "document %.*s: rc %d, reason \"%s\", expected \"%s\"\n",
		    (int)len, buf, rc, e.reason, want);
		json_object_put(o);
		fail();
	}
	assert_int_equal(e.rc, OIDC_EREJECT);
}

static void assert_refused(const char *s, const char *want)
{
	assert_refused_len(s, strlen(s), want);
}

static void assert_accepted(const char *s)
{
	struct oidc_err e;
	json_object *o = NULL;
	int rc = parse(s, &o, &e);

	if (rc != OIDC_OK || o == NULL) {
		print_error("document %s refused: %s\n", s, e.reason);
		fail();
	}
	json_object_put(o);
}

static void test_good_object(void **state)
{
	struct oidc_err e;
	json_object *o = NULL;
	int64_t v = 0;
	(void)state;

	assert_int_equal(
	    parse("{\"iss\":\"https://idp.example.org\",\r\n"
		  " \"exp\":1300819380, \"nested\":{\"a\":[1,2,{\"b\":null}]},"
		  " \"t\":true, \"uni\":\"caf\\u00e9 \xe2\x82\xac\"}  \n",
		  &o, &e),
	    OIDC_OK);
	assert_non_null(o);
	assert_string_equal(json_str(o, "iss"), "https://idp.example.org");
	assert_string_equal(json_str(o, "uni"), "caf\xc3\xa9 \xe2\x82\xac");
	assert_true(json_has(o, "nested"));
	assert_false(json_has(o, "missing"));
	assert_int_equal(json_int64(o, "exp", &v), 0);
	assert_int_equal(v, 1300819380);
	/* typed accessors do not coerce */
	assert_null(json_str(o, "exp"));
	assert_null(json_str(o, "t"));
	assert_null(json_str(o, "missing"));
	assert_int_equal(e.rc, OIDC_OK);
	json_object_put(o);

	assert_accepted("{}");
	assert_accepted(" \t\r\n{ } \n");
	/* the same name in different objects is fine */
	assert_accepted(
	    "{\"a\":{\"a\":1},\"b\":{\"a\":2},\"c\":[{\"a\":1},{\"a\":1}]}");
	/* a string that looks like members */
	assert_accepted("{\"a\":\"\\\"a\\\":1,\\\"a\\\":2\"}");
}

static void test_trailing_data(void **state)
{
	(void)state;
	assert_refused("{\"a\":1} x",
		       "test document has trailing data at offset 8");
	assert_refused("{\"a\":1}{\"a\":1}", "trailing data at offset 7");
	assert_refused("{\"a\":1}  \n ]", "trailing data at offset 11");
	assert_refused("{\"a\":1},", "trailing data at offset 7");
	assert_refused("{\"a\":1}\"x\"", "trailing data at offset 7");
	assert_refused("{\"a\":1", "ends early");
	/* trailing whitespace is fine */
	assert_accepted("{\"a\":1} \r\n\t ");
}

static void test_top_level_not_object(void **state)
{
	(void)state;
	assert_refused("[1,2]", "must be a JSON object, got array");
	assert_refused("\"str\"", "must be a JSON object, got string");
	assert_refused("true", "must be a JSON object");
	assert_refused("null", "must be a JSON object");
	assert_refused("", "is empty");
	assert_refused("   ", "test document");
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	assert_refused("{\"a\":\"\xff\"}", "utf-8");
	assert_refused("{\"a\":\"\xc3\"}", "utf-8");
	assert_refused("{\"\xfe\":1}", "utf-8");
	/* bytes outside strings are not JSON at all */
	assert_refused("{\"a\":1\xc3\xa9}", "test document");
	assert_accepted("{\"a\":\"\xc3\xa9\"}");
	/* RFC 3629: what json-c's own check lets through is refused too */
	assert_refused("{\"a\":\"\xc0\xaf\"}",
		       "invalid utf-8"); /* overlong / */
	assert_refused("{\"a\":\"\xe0\x80\xaf\"}", "invalid utf-8");
	assert_refused("{\"a\":\"\xf0\x80\x80\xaf\"}", "invalid utf-8");
	assert_refused("{\"a\":\"\xed\xa0\x80\"}", "invalid utf-8"); /* D800 */
	assert_refused("{\"a\":\"\xed\xbf\xbf\"}", "invalid utf-8"); /* DFFF */
	assert_refused("{\"a\":\"\xf4\x90\x80\x80\"}", "invalid utf-8");
	assert_refused("{\"a\":\"\xf5\x80\x80\x80\"}", "invalid utf-8");
	assert_refused("{\"a\":\"\xe2\x82\"}", "invalid utf-8"); /* cut */
	assert_refused("{\"a\":\"\xe2\x28\xa1\"}", "invalid utf-8");
	assert_refused("{\"a\":\"\x80\"}", "invalid utf-8");
	assert_refused("{\"\xc0\xaf\":1}", "invalid utf-8");
	/* the edges that are valid */
	assert_accepted("{\"a\":\"\xc2\x80\xdf\xbf\"}");
	assert_accepted("{\"a\":\"\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\"}");
	assert_accepted("{\"a\":\"\xef\xbf\xbf\"}");
	assert_accepted("{\"a\":\"\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"}");
	assert_accepted("{\"a\":\"\xf0\x9f\x98\x80\"}");
}

static void test_surrogate_escapes(void **state)
{
	struct oidc_err e;
	json_object *o = NULL;
	(void)state;

	/* a pair is one character, U+1F600 */
	assert_int_equal(parse("{\"a\":\"\\ud83d\\ude00\"}", &o, &e), OIDC_OK);
	assert_string_equal(json_str(o, "a"), "\xf0\x9f\x98\x80");
	json_object_put(o);
	assert_accepted("{\"a\":\"\\uDBFF\\uDFFF\"}");
	/* a lone half would become U+FFFD and hide what was sent */
	assert_refused("{\"a\":\"\\ud800\"}", "lone high surrogate");
	assert_refused("{\"a\":\"\\ud800x\"}", "lone high surrogate");
	assert_refused("{\"a\":\"\\ud800\\u0041\"}", "lone high surrogate");
	assert_refused("{\"a\":\"\\ud800\\ud800\"}", "lone high surrogate");
	assert_refused("{\"a\":\"\\ud800\\n\"}", "lone high surrogate");
	assert_refused("{\"a\":\"\\udc00\"}", "lone low surrogate");
	assert_refused("{\"a\":\"\\ude00\\ud83d\"}", "lone low surrogate");
	assert_refused("{\"\\udfff\":1}", "lone low surrogate");
	/* the end of the buffer right after a high surrogate */
	assert_refused_len("{\"a\":\"\\ud83d", 12, "surrogate");
}

static void test_duplicate_top_level(void **state)
{
	(void)state;
	assert_refused("{\"sub\":\"alice\",\"sub\":\"root\"}",
		       "repeats the member name \"sub\"");
	assert_refused("{\"a\":1,\"b\":2,\"a\":1}",
		       "repeats the member name \"a\"");
	/* spelled differently, same name after unescaping */
	assert_refused("{\"a\":1,\"\\u0061\":2}", "repeats");
	/* a duplicate whose first value is a big object */
	assert_refused("{\"a\":{\"x\":1,\"y\":[1,{\"z\":2}]},\"a\":3}",
		       "repeats");
}

static void test_duplicate_nested(void **state)
{
	(void)state;
	assert_refused("{\"x\":{\"b\":1,\"b\":1}}",
		       "repeats the member name \"b\"");
	assert_refused("{\"x\":[1,{\"c\":{\"d\":true,\"d\":false}}]}",
		       "repeats the member name \"d\"");
	assert_refused("{\"x\":[{\"k\":1},{\"k\":1,\"k\":2}]}", "repeats");
}

static void nest(char *buf, size_t levels)
{
	size_t n = 0;

	for (size_t i = 0; i + 1 < levels; i++) {
		memcpy(buf + n, "{\"a\":", 5);
		n += 5;
	}
	buf[n++] = '{';
	buf[n++] = '}';
	for (size_t i = 0; i + 1 < levels; i++)
		buf[n++] = '}';
	buf[n] = '\0';
}

static void test_deep_nesting(void **state)
{
	char buf[64 * 8];
	char arr[200];
	size_t n = 0;
	(void)state;

	nest(buf, JSON_MAX_DEPTH);
	assert_accepted(buf);
	nest(buf, JSON_MAX_DEPTH + 1);
	assert_refused(buf, "nested deeper than 32 levels");
	nest(buf, 60);
	assert_refused(buf, "nested deeper than 32 levels");

	/* arrays count as levels too */
	arr[n++] = '{';
	memcpy(arr + n, "\"a\":", 4);
	n += 4;
	for (size_t i = 0; i < JSON_MAX_DEPTH; i++)
		arr[n++] = '[';
	for (size_t i = 0; i < JSON_MAX_DEPTH; i++)
		arr[n++] = ']';
	arr[n++] = '}';
	arr[n] = '\0';
	assert_refused(arr, "nested deeper than 32 levels");
}

static void test_embedded_nul(void **state)
{
	static const char doc[] = "{\"a\":\"x\0y\"}";
	static const char tail[] = "{\"a\":1}\0";
	(void)state;

	assert_refused_len(doc, sizeof(doc) - 1, "NUL byte at offset 7");
	assert_refused_len(tail, sizeof(tail) - 1, "NUL byte");
	/* escaped NUL: C strings would be cut short, a member name too */
	assert_refused("{\"sub\":\"alice\\u0000admin\"}", "\\u0000");
	assert_refused("{\"a\\u0000b\":1,\"a\":2}", "\\u0000");
}

static void test_not_rfc8259(void **state)
{
	(void)state;
	/* json-c accepts these even in strict mode */
	assert_refused("{'a':1}", "single-quoted");
	assert_refused("{\"a\":NaN}", "literal");
	assert_refused("{\"a\":Infinity}", "literal");
	assert_refused("{\"a\":-Infinity}", "number");
	assert_refused("{\"a\":1.}", "malformed number");
	assert_refused("{\"a\":\"tab\there\"}", "control character");
	/* and these it refuses itself */
	assert_refused("{\"a\":01}", "test document");
	assert_refused("{\"a\":+1}", "test document");
	assert_refused("{\"a\":.5}", "test document");
	assert_refused("{\"a\":1,}", "test document");
	assert_refused("{/*c*/\"a\":1}", "test document");
	assert_refused("{\"a\":True}", "literal");
	assert_refused("{\"a\":\"\\x\"}", "escape");
	assert_accepted(
	    "{\"a\":-0.5e+10,\"b\":0,\"c\":1E3,\"d\":[true,false,null]}");
}

static void test_int64(void **state)
{
	struct oidc_err e;
	json_object *o = NULL;
	int64_t v;
	(void)state;

	assert_int_equal(parse("{\"int\":42,\"neg\":-7,\"one\":1.0,\"exp\":1e3,"
			       "\"half\":1.5,\"str\":\"1\",\"bool\":true,"
			       "\"null\":null,\"huge\":1e300,\"inf\":1e400,"
			       "\"big\":9223372036854775808,"
			       "\"bigneg\":-9223372036854775809,"
			       "\"max\":9223372036854775806,"
			       "\"arr\":[1],\"obj\":{}}",
			       &o, &e),
			 OIDC_OK);
	v = 0;
	assert_int_equal(json_int64(o, "int", &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(json_int64(o, "neg", &v), 0);
	assert_int_equal(v, -7);
	assert_int_equal(json_int64(o, "one", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(json_int64(o, "exp", &v), 0);
	assert_int_equal(v, 1000);
	assert_int_equal(json_int64(o, "max", &v), 0);
	assert_true(v == INT64_C(9223372036854775806));

	v = 99;
	assert_int_equal(json_int64(o, "half", &v), -2);
	assert_int_equal(json_int64(o, "str", &v), -2);
	assert_int_equal(json_int64(o, "bool", &v), -2);
	assert_int_equal(json_int64(o, "null", &v), -2);
	assert_int_equal(json_int64(o, "huge", &v), -2);
	assert_int_equal(json_int64(o, "inf", &v), -2);
	assert_int_equal(json_int64(o, "big", &v), -2);
	assert_int_equal(json_int64(o, "bigneg", &v), -2);
	assert_int_equal(json_int64(o, "arr", &v), -2);
	assert_int_equal(json_int64(o, "obj", &v), -2);
	assert_int_equal(v, 99); /* untouched on failure */
	assert_int_equal(json_int64(o, "absent", &v), -1);
	assert_int_equal(json_int64(NULL, "int", &v), -1);
	json_object_put(o);
}

static void test_error_idiom(void **state)
{
	struct oidc_err e;
	json_object *o = (json_object *)&e; /* must be reset to NULL */
	(void)state;

	oidc_err_clear(&e);
	assert_int_equal(
	    json_parse_object("[]", 2, "discovery document", &o, &e),
	    OIDC_EREJECT);
	assert_null(o);
	assert_string_equal(
	    e.reason, "discovery document must be a JSON object, got array");
	/* the first failure recorded wins */
	assert_int_equal(json_parse_object("{", 1, "other", &o, &e),
			 OIDC_EREJECT);
	assert_string_equal(
	    e.reason, "discovery document must be a JSON object, got array");
	/* a NULL error sink is allowed */
	assert_int_equal(json_parse_object("{}x", 3, "x", &o, NULL),
			 OIDC_EREJECT);
	assert_int_equal(json_parse_object(NULL, 0, "x", &o, NULL),
			 OIDC_EREJECT);
}

static void test_many_members(void **state)
{
	/* many members, one duplicate at the end: found, and quickly */
	size_t cap = 1 << 20;
	char *buf = malloc(cap);
	size_t n = 0;
	struct oidc_err e;
	json_object *o = NULL;
	(void)state;

	assert_non_null(buf);
	buf[n++] = '{';
	for (int i = 0; i < 20000; i++)
		n += (size_t)snprintf(buf + n, cap - n, "\"k%d\":%d,", i, i);
	n += (size_t)snprintf(buf + n, cap - n, "\"k0\":0}");
	assert_int_equal(parse_len(buf, n, &o, &e), OIDC_EREJECT);
	assert_non_null(strstr(e.reason, "\"k0\""));
	buf[n - 6] = 'x'; /* the last member becomes "x0":0 */
	assert_int_equal(parse_len(buf, n, &o, &e), OIDC_OK);
	assert_int_equal(json_int64(o, "x0", NULL), 0);
	json_object_put(o);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good_object),
	    cmocka_unit_test(test_trailing_data),
	    cmocka_unit_test(test_top_level_not_object),
	    cmocka_unit_test(test_invalid_utf8),
	    cmocka_unit_test(test_surrogate_escapes),
	    cmocka_unit_test(test_duplicate_top_level),
	    cmocka_unit_test(test_duplicate_nested),
	    cmocka_unit_test(test_deep_nesting),
	    cmocka_unit_test(test_embedded_nul),
	    cmocka_unit_test(test_not_rfc8259),
	    cmocka_unit_test(test_int64),
	    cmocka_unit_test(test_error_idiom),
	    cmocka_unit_test(test_many_members),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
