/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Strict JSON objects on top of json-c.
 *
 * json-c, even with JSON_TOKENER_STRICT, accepts a few things RFC 8259 does
 * not (single-quoted strings, NaN and Infinity, "1.", raw control characters
 * inside strings), silently keeps only the last of two members with the same
 * name, and truncates a member name at an escaped NUL.  So every document is
 * first run through a small lexer of our own that enforces the RFC 8259
 * token grammar, refuses "\u0000" and anything after the top-level value,
 * bounds the nesting and counts the name/value separators.  json-c then builds
 * the tree (and checks structure and UTF-8); a tree that holds fewer members
 * than the text has separators means that some object repeated a member name.
 */
#include "json.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lex {
	size_t members;	 /* ':' separators seen outside strings */
	size_t err_at;	 /* byte offset of the first error */
	const char *err; /* NULL when the text is lexically strict JSON */
	bool too_deep;	 /* the error is the nesting limit */
	bool trailing;	 /* the error is data after the top-level value */
};

static int is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int is_hex(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void lex_fail(struct lex *lx, size_t at, const char *why)
{
	lx->err = why;
	lx->err_at = at;
}

static unsigned hex_val(unsigned char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return c - 'A' + 10;
}

/* Four hex digits (already checked) as a number. */
static unsigned hex4(const unsigned char *p)
{
	return hex_val(p[0]) << 12 | hex_val(p[1]) << 8 | hex_val(p[2]) << 4 |
	       hex_val(p[3]);
}

/*
 * Length of the well-formed UTF-8 sequence at p (RFC 3629 section 4), or 0.
 * json-c's own check lets through overlong forms (C0 AF for '/'), encoded
 * UTF-16 surrogates (ED A0 80) and code points above U+10FFFF (F4 90 ..).
 */
static size_t utf8_seq(const unsigned char *p, size_t avail)
{
	unsigned char c = p[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (avail < n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t k = 2; k < n; k++) {
		if (p[k] < 0x80 || p[k] > 0xbf)
			return 0;
	}
	return n;
}

/* Scan a string starting at the opening quote; returns the offset after the
 * closing quote, or 0 on error (0 can never be a valid end). */
static size_t lex_string(const unsigned char *p, size_t len, size_t i,
			 struct lex *lx)
{
	size_t start = i;
	unsigned u;

	i++; /* opening quote */
	while (i < len) {
		unsigned char c = p[i];

		if (c == '"')
			return i + 1;
		if (c < 0x20) {
			lex_fail(lx, i, "control character inside a string");
			return 0;
		}
		if (c >= 0x80) {
			size_t n = utf8_seq(p + i, len - i);

			if (n == 0) {
				lex_fail(lx, i, "invalid utf-8 sequence");
				return 0;
			}
			i += n;
			continue;
		}
		if (c != '\\') {
			i++;
			continue;
		}
		if (i + 1 >= len)
			break;
		c = p[i + 1];
		if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' ||
		    c == 'n' || c == 'r' || c == 't') {
			i += 2;
			continue;
		}
		if (c != 'u' || len - i < 6 || !is_hex(p[i + 2]) ||
		    !is_hex(p[i + 3]) || !is_hex(p[i + 4]) ||
		    !is_hex(p[i + 5])) {
			lex_fail(lx, i, "invalid escape sequence in a string");
			return 0;
		}
		if (memcmp(p + i + 2, "0000", 4) == 0) {
			lex_fail(lx, i, "string contains \\u0000");
			return 0;
		}
		u = hex4(p + i + 2);
		if (u >= 0xdc00 && u <= 0xdfff) {
			lex_fail(lx, i, "lone low surrogate \\u escape");
			return 0;
		}
		if (u >= 0xd800 && u <= 0xdbff) {
			/* the pair must go on with a low surrogate escape */
			if (len - i < 12 || p[i + 6] != '\\' ||
			    p[i + 7] != 'u' || !is_hex(p[i + 8]) ||
			    !is_hex(p[i + 9]) || !is_hex(p[i + 10]) ||
			    !is_hex(p[i + 11]) || hex4(p + i + 8) < 0xdc00 ||
			    hex4(p + i + 8) > 0xdfff) {
				lex_fail(lx, i,
					 "lone high surrogate \\u escape");
				return 0;
			}
			i += 6;
		}
		i += 6;
	}
	lex_fail(lx, start, "unterminated string");
	return 0;
}

/* RFC 8259 number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static size_t lex_number(const unsigned char *p, size_t len, size_t i,
			 struct lex *lx)
{
	size_t start = i;

	if (p[i] == '-')
		i++;
	if (i >= len || !is_digit(p[i]))
		goto bad;
	if (p[i] == '0') {
		i++;
	} else {
		while (i < len && is_digit(p[i]))
			i++;
	}
	if (i < len && p[i] == '.') {
		i++;
		if (i >= len || !is_digit(p[i]))
			goto bad;
		while (i < len && is_digit(p[i]))
			i++;
	}
	if (i < len && (p[i] == 'e' || p[i] == 'E')) {
		i++;
		if (i < len && (p[i] == '+' || p[i] == '-'))
			i++;
		if (i >= len || !is_digit(p[i]))
			goto bad;
		while (i < len && is_digit(p[i]))
			i++;
	}
	if (i < len && (is_digit(p[i]) || is_alpha(p[i]) || p[i] == '.'))
		goto bad;
	return i;
bad:
	lex_fail(lx, start, "malformed number");
	return 0;
}

static size_t lex_literal(const unsigned char *p, size_t len, size_t i,
			  struct lex *lx)
{
	size_t start = i;
	size_t n;

	while (i < len && is_alpha(p[i]))
		i++;
	n = i - start;
	if ((n == 4 && memcmp(p + start, "true", 4) == 0) ||
	    (n == 5 && memcmp(p + start, "false", 5) == 0) ||
	    (n == 4 && memcmp(p + start, "null", 4) == 0))
		return i;
	lex_fail(lx, start, "unknown literal (only true, false, null)");
	return 0;
}

static void lex_scan(const char *buf, size_t len, struct lex *lx)
{
	const unsigned char *p = (const unsigned char *)buf;
	size_t depth = 0;
	size_t i = 0;
	bool closed = false; /* the top-level value has ended */

	memset(lx, 0, sizeof(*lx));
	while (i < len && lx->err == NULL) {
		unsigned char c = p[i];

		if (is_ws(c)) {
			i++;
		} else if (closed) {
			lex_fail(lx, i, "trailing data");
			lx->trailing = true;
		} else if (c == '{' || c == '[') {
			depth++;
			if (depth > JSON_MAX_DEPTH) {
				lex_fail(lx, i, "nesting too deep");
				lx->too_deep = true;
				break;
			}
			i++;
		} else if (c == '}' || c == ']') {
			if (depth == 0) {
				lex_fail(lx, i, "unbalanced closing bracket");
				break;
			}
			depth--;
			closed = depth == 0;
			i++;
		} else if (c == ':') {
			lx->members++;
			i++;
		} else if (c == ',') {
			i++;
		} else if (c == '"') {
			i = lex_string(p, len, i, lx);
		} else if (c == '-' || is_digit(c)) {
			i = lex_number(p, len, i, lx);
		} else if (is_alpha(c)) {
			i = lex_literal(p, len, i, lx);
		} else if (c == '\0') {
			lex_fail(lx, i, "NUL byte");
		} else if (c == '\'') {
			lex_fail(lx, i, "single-quoted string");
		} else {
			lex_fail(lx, i, "unexpected character");
		}
	}
}

/* Number of members of all objects in the tree; depth is bounded by the
 * parser (JSON_MAX_DEPTH), so recursion is bounded too. */
static size_t tree_members(json_object *o)
{
	size_t n = 0;

	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, k, v)
		{
			(void)k;
			n += 1 + tree_members(v);
		}
	} else if (json_object_is_type(o, json_type_array)) {
		size_t len = json_object_array_length(o);

		for (size_t i = 0; i < len; i++)
			n += tree_members(json_object_array_get_idx(o, i));
	}
	return n;
}

/*
 * Best effort, for the message only: find a member name spelled the same way
 * twice in one object.  The text has already passed lex_scan() and json-c, so
 * it is well formed; names are collected with the offset of their enclosing
 * object, sorted, and neighbours compared: O(n log n) in the member count.
 */
struct name_ref {
	const unsigned char *s; /* the name, quotes included */
	size_t len;
	size_t container; /* offset of the enclosing '{' */
};

static int name_qcmp(const void *a, const void *b)
{
	const struct name_ref *x = a;
	const struct name_ref *y = b;

	if (x->container != y->container)
		return x->container < y->container ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->s, y->s, x->len);
}

static void find_dup_name(const char *buf, size_t len, size_t members,
			  char *out, size_t outsz)
{
	const unsigned char *p = (const unsigned char *)buf;
	size_t stack[JSON_MAX_DEPTH];
	struct name_ref *names = NULL;
	struct name_ref last = {NULL, 0, 0};
	size_t n = 0;
	size_t depth = 0;
	struct lex lx;

	out[0] = '\0';
	if (members == 0 || members > SIZE_MAX / sizeof(*names) || outsz < 2)
		return;
	names = calloc(members, sizeof(*names));
	if (names == NULL)
		return;
	memset(&lx, 0, sizeof(lx));
	for (size_t i = 0; i < len;) {
		unsigned char c = p[i];

		if (c == '"') {
			size_t end = lex_string(p, len, i, &lx);

			if (end == 0)
				goto out;
			last.s = p + i;
			last.len = end - i;
			i = end;
			continue;
		}
		if (c == '{' || c == '[') {
			if (depth >= JSON_MAX_DEPTH)
				goto out;
			stack[depth++] = (c == '{') ? i : SIZE_MAX;
		} else if (c == '}' || c == ']') {
			if (depth == 0)
				goto out;
			depth--;
		} else if (c == ':') {
			if (depth == 0 || n >= members ||
			    stack[depth - 1] == SIZE_MAX || last.s == NULL)
				goto out;
			last.container = stack[depth - 1];
			names[n++] = last;
		}
		i++;
	}
	qsort(names, n, sizeof(*names), name_qcmp);
	for (size_t i = 1; i < n; i++) {
		size_t l;

		if (name_qcmp(&names[i - 1], &names[i]) != 0)
			continue;
		l = names[i].len - 2; /* without the quotes */
		if (l > outsz - 1)
			l = outsz - 1;
		for (size_t j = 0; j < l; j++) {
			unsigned char ch = names[i].s[1 + j];

			out[j] = (ch < 0x20 || ch >= 0x7f) ? '?' : (char)ch;
		}
		out[l] = '\0';
		break;
	}
out:
	free(names);
}

/* What a value starting with c is (the text has passed lex_scan). */
static const char *value_kind(char c)
{
	switch (c) {
	case '[':
		return "array";
	case '"':
		return "string";
	case 't':
	case 'f':
		return "boolean";
	case 'n':
		return "null";
	default:
		return "number";
	}
}

static struct json_tokener *shared_tokener(void)
{
	static struct json_tokener *tok;

	if (tok == NULL) {
		tok = json_tokener_new_ex(JSON_MAX_DEPTH);
		if (tok == NULL)
			return NULL;
		/* UTF-8 is validated, more strictly (RFC 3629: no overlong
		 * forms, no surrogates), by our own lexer before json-c runs;
		 * json-c's own pass would only repeat that work. */
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	}
	json_tokener_reset(tok);
	return tok;
}

int json_parse_object(const char *buf, size_t len, const char *what,
		      json_object **out, struct oidc_err *e)
{
	struct json_tokener *tok = NULL;
	json_object *obj = NULL;
	enum json_tokener_error jerr;
	const char *nul;
	struct lex lx;
	size_t end;
	int rc;

	if (what == NULL)
		what = "JSON document";
	if (out == NULL)
		return oidc_fail(e, OIDC_EINTERNAL, "%s: no output", what);
	*out = NULL;
	if (buf == NULL || len == 0)
		return oidc_fail(e, OIDC_EREJECT, "%s is empty", what);
	if (len > INT_MAX)
		return oidc_fail(e, OIDC_EREJECT, "%s is too large (%zu bytes)",
				 what, len);
	nul = memchr(buf, '\0', len);
	if (nul != NULL)
		return oidc_fail(e, OIDC_EREJECT,
				 "%s contains a NUL byte at offset %zu", what,
				 (size_t)(nul - buf));

	lex_scan(buf, len, &lx);
	if (lx.err != NULL) {
		if (lx.too_deep)
			return oidc_fail(e, OIDC_EREJECT,
					 "%s is nested deeper than %d levels",
					 what, JSON_MAX_DEPTH);
		if (lx.trailing)
			return oidc_fail(e, OIDC_EREJECT,
					 "%s has trailing data at offset %zu",
					 what, lx.err_at);
		return oidc_fail(e, OIDC_EREJECT,
				 "%s is not valid JSON: %s at offset %zu", what,
				 lx.err, lx.err_at);
	}

	for (size_t i = 0; i < len; i++) {
		if (is_ws((unsigned char)buf[i]))
			continue;
		if (buf[i] != '{')
			return oidc_fail(e, OIDC_EREJECT,
					 "%s must be a JSON object, got %s",
					 what, value_kind(buf[i]));
		break;
	}

	/* One tokener per process, reset for each document: making one
	 * costs as much as parsing a small token.  The helper and the
	 * tools are single-threaded. */
	tok = shared_tokener();
	if (tok == NULL)
		return oidc_fail(e, OIDC_EINTERNAL, "out of memory");
	obj = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (obj == NULL || jerr != json_tokener_success) {
		if (jerr == json_tokener_continue)
			rc = oidc_fail(e, OIDC_EREJECT,
				       "%s is not valid JSON: it ends early",
				       what);
		else if (jerr == json_tokener_error_depth)
			rc = oidc_fail(e, OIDC_EREJECT,
				       "%s is nested deeper than %d levels",
				       what, JSON_MAX_DEPTH);
		else
			rc =
			    oidc_fail(e, OIDC_EREJECT,
				      "%s is not valid JSON: %s at offset %zu",
				      what, json_tokener_error_desc(jerr), end);
		goto out;
	}
	for (size_t i = end; i < len; i++) {
		if (!is_ws((unsigned char)buf[i])) {
			rc = oidc_fail(e, OIDC_EREJECT,
				       "%s has trailing data at offset %zu",
				       what, i);
			goto out;
		}
	}
	if (!json_object_is_type(obj, json_type_object)) {
		rc = oidc_fail(e, OIDC_EREJECT,
			       "%s must be a JSON object, got %s", what,
			       json_type_to_name(json_object_get_type(obj)));
		goto out;
	}
	if (tree_members(obj) != lx.members) {
		char name[65];

		find_dup_name(buf, len, lx.members, name, sizeof(name));
		if (name[0] != '\0')
			rc = oidc_fail(
			    e, OIDC_EREJECT,
			    "%s repeats the member name \"%s\" in one object",
			    what, name);
		else
			rc = oidc_fail(e, OIDC_EREJECT,
				       "%s repeats a member name in one object",
				       what);
		goto out;
	}
	*out = obj;
	obj = NULL;
	rc = OIDC_OK;
out:
	json_object_put(obj);
	return rc;
}

static json_object *member(json_object *obj, const char *key)
{
	json_object *v = NULL;

	if (obj == NULL || key == NULL ||
	    !json_object_is_type(obj, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v;
}

const char *json_str(json_object *obj, const char *key)
{
	json_object *v = member(obj, key);
	const char *s;

	if (v == NULL || !json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	/* a string with an embedded NUL would be silently truncated */
	if (s == NULL || strlen(s) != (size_t)json_object_get_string_len(v))
		return NULL;
	return s;
}

bool json_has(json_object *obj, const char *key)
{
	json_object *v = NULL;

	if (obj == NULL || key == NULL ||
	    !json_object_is_type(obj, json_type_object))
		return false;
	return json_object_object_get_ex(obj, key, &v);
}

int json_int64(json_object *obj, const char *key, int64_t *out)
{
	json_object *v;

	if (!json_has(obj, key))
		return -1;
	v = member(obj, key);
	if (json_object_is_type(v, json_type_int)) {
		/* json-c clamps out-of-range integers to the int64 limits (and
		 * keeps values above INT64_MAX as uint64); the limits are
		 * therefore treated as out of range. */
		int64_t i = json_object_get_int64(v);

		if (i == INT64_MAX || i == INT64_MIN)
			return -2;
		if (out != NULL)
			*out = i;
		return 0;
	}
	if (json_object_is_type(v, json_type_double)) {
		double d = json_object_get_double(v);

		if (!isfinite(d) || floor(d) != d ||
		    d < -9223372036854775808.0 || d >= 9223372036854775808.0)
			return -2;
		if (out != NULL)
			*out = (int64_t)d;
		return 0;
	}
	return -2;
}
