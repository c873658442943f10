/* SPDX-License-Identifier: BSD-3-Clause */
/* The map file: ordered rules from verified claims to a local account (the
 * syntax is described in mapfile.h and pam_oidc.conf(5)). */
#include "mapfile.h"

#include "adminfile.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define MAX_PATH_SEGS 16
#define MAX_GROUPS 9	  /* \1 .. \9 */
#define ERE_MAX_COST 2000 /* parts of an ERE once repetitions are expanded */
#define ERE_MAX_NEST 32	  /* nested groups in an ERE */
#define UNSAFE_ACCOUNT                                                         \
	"\"%s\" is not a safe account name (1 to 64 of A-Z a-z 0-9 . _ - @, "  \
	"not starting with -, no ..)"

struct map_cond {
	char *path[MAX_PATH_SEGS]; /* claim path segments */
	size_t npath;
	bool is_regex;
	char *value; /* "=": the value; "~": the ERE as written */
	regex_t re;  /* "~": ^(ERE)$ */
	bool re_ok;
	size_t ngroups; /* groups in the ERE as written */
};

struct map_rule {
	unsigned line;
	struct map_cond *conds;
	size_t nconds;
	bool deny;
	char *target; /* account template (NULL when deny) */
	int capture;  /* index of the ~ condition \N refers to, or -1 */
};

struct pctx {
	const char *file;
	unsigned line;
	const char *start, *p, *end; /* the current line */
	struct oidc_err *e;
};

static int perr(struct pctx *c, enum oidc_rc rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int perr(struct pctx *c, enum oidc_rc rc, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = oidc_vfail_at(c->e, rc, c->file, c->line, fmt, ap);
	va_end(ap);
	return r;
}

static int nomem(struct pctx *c)
{
	return perr(c, OIDC_EINTERNAL, "out of memory");
}

/* Up to 40 bytes of s[0..n) fit to print: other bytes as \xNN. */
static const char *show(char *buf, size_t size, const char *s, size_t n)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < n && i < 40 && used + 5 < size; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch >= 0x20 && ch < 0x7f)
			buf[used++] = (char)ch;
		else
			used += (size_t)snprintf(buf + used, size - used,
						 "\\x%02x", ch);
	}
	if (i < n && used + 4 < size) {
		memcpy(buf + used, "...", 3);
		used += 3;
	}
	buf[used] = '\0';
	return buf;
}

/* ------------------------------------------------------------------------ */
/* lexing one line */

static bool is_ws(char ch)
{
	return ch == ' ' || ch == '\t';
}

static void skip_ws(struct pctx *c)
{
	while (c->p < c->end && is_ws(*c->p))
		c->p++;
}

/* End of the line, or a comment: '#' at the start or after a blank. */
static bool at_end(const struct pctx *c)
{
	if (c->p >= c->end)
		return true;
	return *c->p == '#' && (c->p == c->start || is_ws(c->p[-1]));
}

static bool at_arrow(const struct pctx *c)
{
	return c->end - c->p >= 2 && c->p[0] == '-' && c->p[1] == '>';
}

/* The rest of the current token, for messages. */
static const char *show_here(const struct pctx *c, char *buf, size_t size)
{
	const char *q = c->p;

	while (q < c->end && !is_ws(*q))
		q++;
	return show(buf, size, c->p, (size_t)(q - c->p));
}

static bool is_seg_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || strchr("_:$@+-", ch) != NULL;
}

static bool is_account_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
	       ch == '-' || ch == '@';
}

/* "..." with \" and \\; c->p is at the opening quote. */
static int lex_quoted(struct pctx *c, char **out)
{
	struct strbuf sb;
	char buf[64];

	sb_init(&sb);
	c->p++;
	while (c->p < c->end && *c->p != '"') {
		if (*c->p == '\\') {
			if (c->end - c->p < 2)
				break;
			if (c->p[1] != '"' && c->p[1] != '\\') {
				sb_wipe(&sb);
				return perr(c, OIDC_ECONFIG,
					    "unknown escape \"%s\" in a quoted "
					    "string (only \\\" and \\\\)",
					    show(buf, sizeof(buf), c->p, 2));
			}
			c->p++;
		}
		sb_addc(&sb, *c->p);
		c->p++;
	}
	if (c->p >= c->end) {
		sb_wipe(&sb);
		return perr(c, OIDC_ECONFIG,
			    "unterminated quoted string (no closing \")");
	}
	c->p++;
	*out = sb_steal(&sb);
	return *out == NULL ? nomem(c) : OIDC_OK;
}

/* CLAIM: segments separated by '.', each bare or quoted. */
static int lex_path(struct pctx *c, struct map_cond *cond)
{
	char buf[64];
	int rc;

	for (;;) {
		char *seg = NULL;

		if (cond->npath == MAX_PATH_SEGS)
			return perr(c, OIDC_ECONFIG,
				    "claim path has more than %d parts",
				    MAX_PATH_SEGS);
		if (c->p < c->end && *c->p == '"') {
			rc = lex_quoted(c, &seg);
			if (rc != OIDC_OK)
				return rc;
		} else {
			const char *s = c->p;

			while (c->p < c->end && is_seg_char(*c->p) &&
			       !at_arrow(c))
				c->p++;
			if (c->p == s) {
				if (cond->npath > 0)
					return perr(c, OIDC_ECONFIG,
						    "empty part in claim path "
						    "(after \".\")");
				if (at_end(c))
					return perr(c, OIDC_ECONFIG,
						    "missing condition "
						    "(CLAIM = VALUE or "
						    "CLAIM ~ /ERE/)");
				return perr(c, OIDC_ECONFIG,
					    "expected a claim name, found "
					    "\"%s\"",
					    show_here(c, buf, sizeof(buf)));
			}
			seg = strndup(s, (size_t)(c->p - s));
			if (seg == NULL)
				return nomem(c);
		}
		cond->path[cond->npath++] = seg;
		if (c->p < c->end && *c->p == '.') {
			c->p++;
			continue;
		}
		return OIDC_OK;
	}
}

/* The claim path as written, for messages. */
static const char *path_text(const struct map_cond *cond, char *buf,
			     size_t size)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < cond->npath; i++) {
		int w = snprintf(buf + used, size - used, "%s%s",
				 i > 0 ? "." : "", cond->path[i]);

		if (w < 0 || (size_t)w >= size - used)
			break;
		used += (size_t)w;
	}
	return buf;
}

/* A bare value: ends at a blank, a comma or "->". */
static int lex_bare(struct pctx *c, char **out)
{
	const char *s = c->p;
	char buf[64];

	while (c->p < c->end && !is_ws(*c->p) && *c->p != ',' && !at_arrow(c)) {
		unsigned char ch = (unsigned char)*c->p;

		if (ch == '"' || ch == '\\')
			return perr(
			    c, OIDC_ECONFIG,
			    "'%c' in the value \"%s\" (quote the whole "
			    "value: \"...\" with \\\" and \\\\)",
			    (char)ch,
			    show(buf, sizeof(buf), s, (size_t)(c->p - s) + 1));
		c->p++;
	}
	*out = strndup(s, (size_t)(c->p - s));
	return *out == NULL ? nomem(c) : OIDC_OK;
}

/* Sizes saturate just above ERE_MAX_COST, so they never overflow. */
static size_t cost_add(size_t a, size_t b)
{
	return a + b > ERE_MAX_COST ? ERE_MAX_COST + 1 : a + b;
}

static size_t cost_mul(size_t a, size_t b)
{
	if (a == 0 || b == 0)
		return 0;
	return a > (ERE_MAX_COST + 1) / b ? ERE_MAX_COST + 1 : a * b;
}

/* After a '[': past the bracket expression's ']' (or at the end). */
static const char *skip_bracket(const char *q)
{
	if (*q == '^')
		q++;
	if (*q == ']')
		q++;
	while (*q != '\0' && *q != ']') {
		if (q[0] == '[' &&
		    (q[1] == ':' || q[1] == '.' || q[1] == '=')) {
			char close = q[1];

			q += 2;
			while (*q != '\0' && !(q[0] == close && q[1] == ']'))
				q++;
			if (*q != '\0')
				q += 2;
			continue;
		}
		q++;
	}
	return *q == ']' ? q + 1 : q;
}

/* After a '{': the bound {n}, {n,} or {n,m} as its least and largest
 * count (*max 0: no upper limit), and its end; NULL if it is not one
 * (regcomp then judges it). */
static const char *parse_bound(const char *q, size_t *min, size_t *max)
{
	size_t n = 0, m = 0;
	bool comma = false, digits = false, mdigits = false;

	for (; *q >= '0' && *q <= '9'; q++, digits = true)
		n = n > 100000 ? n : n * 10 + (size_t)(*q - '0');
	if (*q == ',') {
		comma = true;
		for (q++; *q >= '0' && *q <= '9'; q++, mdigits = true)
			m = m > 100000 ? m : m * 10 + (size_t)(*q - '0');
	}
	if (!digits || *q != '}')
		return NULL;
	*min = n;
	*max = !comma ? n : mdigits ? m : 0;
	return q + 1;
}

/* One group of an ERE being checked (level 0: the whole ERE). */
struct ere_level {
	size_t size;	 /* parts so far, repetitions expanded */
	size_t last;	 /* parts of the last atom or group */
	bool has_last;	 /* there is a last atom or group in this branch */
	bool pre_empty;	 /* the branch before the last part can match "" */
	bool last_empty; /* the last part can match "" */
	bool alt_empty;	 /* an earlier branch (before a '|') can match "" */
};

static void ere_part(struct ere_level *l, size_t size, bool empty)
{
	l->pre_empty = l->pre_empty && l->last_empty;
	l->last = size;
	l->last_empty = empty;
	l->has_last = true;
	l->size = cost_add(l->size, size);
}

static void ere_branch(struct ere_level *l)
{
	l->last = 0;
	l->has_last = false;
	l->pre_empty = l->last_empty = true;
}

/*
 * Check an ERE as written, before regcomp(3) sees it:
 * - parentheses balance outside bracket expressions, so that ^( )$ around
 *   it anchors all of it (glibc takes a lone ')' literally);
 * - no back-references: \1 inside the ERE would point at the wrong group
 *   once wrapped, and they make matching exponential;
 * - nothing that can match the empty string is repeated (a?+, (a*)*,
 *   (x|)+, (.*){9}): it means nothing more than a single * or ?, and glibc
 *   takes time exponential in the number of such parts to compile it;
 * - repetitions do not expand it beyond ERE_MAX_COST parts: regcomp copies
 *   the repeated part for + and {n,m}, so a typo such as a+++++++ or
 *   ((a{99}){99}){99} would make it take all memory.
 */
static int check_ere(struct pctx *c, const char *re)
{
	struct ere_level lv[ERE_MAX_NEST + 1], *l = &lv[0];
	size_t min, max, copies;
	const char *q = re, *end;
	bool empty;
	int d = 0;

	memset(l, 0, sizeof(*l));
	ere_branch(l);
	l->alt_empty = false;
	while (*q != '\0') {
		switch (*q) {
		case '\\':
			if (q[1] >= '1' && q[1] <= '9')
				return perr(c, OIDC_ECONFIG,
					    "back-reference \\%c in regex /%s/ "
					    "is not supported",
					    q[1], re);
			q += q[1] != '\0' ? 2 : 1;
			ere_part(l, 1, false);
			break;
		case '[':
			q = skip_bracket(q + 1);
			ere_part(l, 1, false);
			break;
		case '^':
		case '$':
			q++;
			ere_part(l, 1, true);
			break;
		case '(':
			if (d == ERE_MAX_NEST)
				return perr(c, OIDC_ECONFIG,
					    "regex /%s/ nests groups deeper "
					    "than %d",
					    re, ERE_MAX_NEST);
			l = &lv[++d];
			memset(l, 0, sizeof(*l));
			ere_branch(l);
			q++;
			break;
		case ')':
			if (d == 0)
				return perr(c, OIDC_ECONFIG,
					    "unmatched ) in regex /%s/ (write "
					    "\\) for a literal parenthesis)",
					    re);
			empty = l->alt_empty || (l->pre_empty && l->last_empty);
			min = l->size > 0 ? l->size : 1;
			l = &lv[--d];
			ere_part(l, min, empty);
			q++;
			break;
		case '|':
			l->alt_empty =
			    l->alt_empty || (l->pre_empty && l->last_empty);
			ere_branch(l);
			q++;
			break;
		case '*':
		case '+':
		case '?':
		case '{':
			min = *q == '+' ? 1 : 0;
			max = *q == '?' ? 1 : 0;
			end = q + 1;
			if (*q == '{') {
				end = parse_bound(q + 1, &min, &max);
				if (end == NULL) { /* not a bound: '{' */
					q++;
					ere_part(l, 1, false);
					break;
				}
			}
			if (!l->has_last) { /* regcomp judges it */
				q++;
				ere_part(l, 1, false);
				break;
			}
			if (l->last_empty && max != 1)
				return perr(c, OIDC_ECONFIG,
					    "regex /%s/ repeats a part that "
					    "can match nothing, as in (a*)+ "
					    "or (a?){3}: write a* or a{0,3}",
					    re);
			/* x+ is xx*, x{n,m} up to m copies of x: copies
			 * of x that regcomp makes beyond the first */
			copies = max > min ? max : min > 0 ? min : 1;
			if (*q == '+' || (*q == '{' && max == 0))
				copies = min + 1;
			l->size =
			    cost_add(l->size, cost_mul(l->last, copies - 1));
			l->last = cost_mul(l->last, copies);
			l->last_empty = l->last_empty || min == 0;
			q = end;
			break;
		default:
			q++;
			ere_part(l, 1, false);
			break;
		}
		/* Every level, also one never closed: regcomp copies as it
		 * parses, before it notices a missing ')'. */
		if (l->size > ERE_MAX_COST || l->last > ERE_MAX_COST)
			return perr(c, OIDC_ECONFIG,
				    "regex /%s/ repeats too much (more than %d "
				    "parts once its repetitions are expanded)",
				    re, ERE_MAX_COST);
	}
	return OIDC_OK;
}

/* /ERE/ : c->p is at the opening slash. */
static int lex_regex(struct pctx *c, struct map_cond *cond)
{
	struct strbuf sb;
	char *wrapped = NULL;
	char msg[256], buf[64];
	regex_t raw;
	int rc, rrc;

	sb_init(&sb);
	c->p++;
	while (c->p < c->end && *c->p != '/') {
		if (*c->p == '\\' && c->end - c->p >= 2) {
			if (c->p[1] == '/')
				sb_addc(&sb, '/');
			else
				sb_addn(&sb, c->p, 2);
			c->p += 2;
			continue;
		}
		if ((unsigned char)*c->p < 0x20 || *c->p == 0x7f) {
			sb_wipe(&sb);
			return perr(c, OIDC_ECONFIG,
				    "control character in regex");
		}
		sb_addc(&sb, *c->p);
		c->p++;
	}
	if (c->p >= c->end) {
		sb_wipe(&sb);
		return perr(c, OIDC_ECONFIG,
			    "unterminated regex (no closing /; write \\/ for "
			    "a slash inside it)");
	}
	c->p++;
	cond->value = sb_steal(&sb);
	if (cond->value == NULL)
		return nomem(c);
	if (cond->value[0] == '\0')
		return perr(c, OIDC_ECONFIG, "empty regex //");
	if (c->p < c->end && !is_ws(*c->p) && *c->p != ',' && !at_arrow(c))
		return perr(c, OIDC_ECONFIG,
			    "unexpected \"%s\" after regex /%s/ (write \\/ for "
			    "a slash inside it; no flags are supported)",
			    show_here(c, buf, sizeof(buf)), cond->value);

	rc = check_ere(c, cond->value);
	if (rc != OIDC_OK)
		return rc;
	/* The ERE on its own: its errors in its own terms, and its groups. */
	rrc = regcomp(&raw, cond->value, REG_EXTENDED);
	if (rrc != 0) {
		regerror(rrc, &raw, msg, sizeof(msg));
		regfree(&raw);
		return perr(c, OIDC_ECONFIG, "bad regex /%s/: %s", cond->value,
			    msg);
	}
	cond->ngroups = raw.re_nsub;
	regfree(&raw);

	/* Anchored over the whole value. */
	wrapped = malloc(strlen(cond->value) + 5);
	if (wrapped == NULL)
		return nomem(c);
	memcpy(wrapped, "^(", 2);
	memcpy(wrapped + 2, cond->value, strlen(cond->value));
	memcpy(wrapped + 2 + strlen(cond->value), ")$", 3);
	rrc = regcomp(&cond->re, wrapped, REG_EXTENDED);
	free(wrapped);
	if (rrc != 0) {
		regerror(rrc, &cond->re, msg, sizeof(msg));
		regfree(&cond->re);
		return perr(c, OIDC_ECONFIG, "bad regex /%s/: %s", cond->value,
			    msg);
	}
	cond->re_ok = true;
	if (cond->re.re_nsub != cond->ngroups + 1)
		return perr(c, OIDC_ECONFIG,
			    "regex /%s/ cannot be anchored (check its "
			    "parentheses)",
			    cond->value);
	return OIDC_OK;
}

/* CLAIM = VALUE | CLAIM ~ /ERE/ */
static int lex_cond(struct pctx *c, struct map_cond *cond)
{
	char buf[64], pbuf[128];
	const char *op;
	int rc;

	rc = lex_path(c, cond);
	if (rc != OIDC_OK)
		return rc;
	skip_ws(c);
	op = c->p;
	while (c->p < c->end && strchr("=~!<>:", *c->p) != NULL)
		c->p++;
	if (c->p == op) {
		if (at_end(c) || at_arrow(c))
			return perr(c, OIDC_ECONFIG,
				    "missing = or ~ after claim \"%s\"",
				    path_text(cond, pbuf, sizeof(pbuf)));
		return perr(c, OIDC_ECONFIG,
			    "expected = or ~ after claim \"%s\", found \"%s\"",
			    path_text(cond, pbuf, sizeof(pbuf)),
			    show_here(c, buf, sizeof(buf)));
	}
	if (c->p - op != 1 || (*op != '=' && *op != '~'))
		return perr(c, OIDC_ECONFIG,
			    "unknown operator \"%s\" after claim \"%s\" (use = "
			    "or ~)",
			    show(buf, sizeof(buf), op, (size_t)(c->p - op)),
			    path_text(cond, pbuf, sizeof(pbuf)));
	cond->is_regex = *op == '~';
	skip_ws(c);
	if (at_end(c) || *c->p == ',' || at_arrow(c))
		return perr(c, OIDC_ECONFIG, "missing %s after claim \"%s\" %c",
			    cond->is_regex ? "/ERE/" : "value",
			    path_text(cond, pbuf, sizeof(pbuf)), *op);
	if (cond->is_regex) {
		if (*c->p != '/')
			return perr(c, OIDC_ECONFIG,
				    "expected /ERE/ after claim \"%s\" ~, "
				    "found \"%s\"",
				    path_text(cond, pbuf, sizeof(pbuf)),
				    show_here(c, buf, sizeof(buf)));
		return lex_regex(c, cond);
	}
	if (*c->p == '"')
		return lex_quoted(c, &cond->value);
	return lex_bare(c, &cond->value);
}

/* ACCOUNT with \1..\9, or !deny. */
static int lex_target(struct pctx *c, struct map_rule *r)
{
	const char *s = c->p, *q;
	char buf[64];
	int maxref = 0;
	size_t i, nregex = 0;

	while (c->p < c->end && !is_ws(*c->p))
		c->p++;
	if (c->p == s)
		return perr(c, OIDC_ECONFIG,
			    "missing account after -> (an account name or "
			    "!deny)");
	if (*s == '!') {
		if ((size_t)(c->p - s) == 5 && memcmp(s, "!deny", 5) == 0) {
			r->deny = true;
			return OIDC_OK;
		}
		return perr(c, OIDC_ECONFIG,
			    "unknown keyword \"%s\" after -> (the only one is "
			    "!deny)",
			    show(buf, sizeof(buf), s, (size_t)(c->p - s)));
	}
	for (q = s; q < c->p; q++) {
		if (*q == '\\') {
			if (q + 1 >= c->p || q[1] < '1' || q[1] > '9')
				return perr(
				    c, OIDC_ECONFIG,
				    "in the account \"%s\", a backslash "
				    "must be followed by 1 to 9 (a "
				    "captured group)",
				    show(buf, sizeof(buf), s,
					 (size_t)(c->p - s)));
			if (q[1] - '0' > maxref)
				maxref = q[1] - '0';
			q++;
			continue;
		}
		if (!is_account_char(*q))
			return perr(
			    c, OIDC_ECONFIG, UNSAFE_ACCOUNT,
			    show(buf, sizeof(buf), s, (size_t)(c->p - s)));
	}
	r->target = strndup(s, (size_t)(c->p - s));
	if (r->target == NULL)
		return nomem(c);
	if (maxref == 0) {
		if (!text_is_safe_username(r->target))
			return perr(
			    c, OIDC_ECONFIG, UNSAFE_ACCOUNT,
			    show(buf, sizeof(buf), s, (size_t)(c->p - s)));
		return OIDC_OK;
	}
	if (r->target[0] == '-' || strstr(r->target, "..") != NULL)
		return perr(c, OIDC_ECONFIG, UNSAFE_ACCOUNT, r->target);
	for (i = 0; i < r->nconds; i++) {
		if (r->conds[i].is_regex) {
			nregex++;
			r->capture = (int)i;
		}
	}
	if (nregex != 1)
		return perr(c, OIDC_ECONFIG,
			    "the account \"%s\" uses \\%d, so the rule needs "
			    "exactly one ~ condition (it has %zu)",
			    r->target, maxref, nregex);
	if ((size_t)maxref > r->conds[r->capture].ngroups)
		return perr(c, OIDC_ECONFIG,
			    "the account \"%s\" uses \\%d, but regex /%s/ has "
			    "%zu group%s",
			    r->target, maxref, r->conds[r->capture].value,
			    r->conds[r->capture].ngroups,
			    r->conds[r->capture].ngroups == 1 ? "" : "s");
	return OIDC_OK;
}

static void cond_free(struct map_cond *cond)
{
	size_t i;

	for (i = 0; i < cond->npath; i++)
		free(cond->path[i]);
	free(cond->value);
	if (cond->re_ok)
		regfree(&cond->re);
	memset(cond, 0, sizeof(*cond));
}

static void rule_free(struct map_rule *r)
{
	size_t i;

	for (i = 0; i < r->nconds; i++)
		cond_free(&r->conds[i]);
	free(r->conds);
	free(r->target);
	memset(r, 0, sizeof(*r));
}

/* One line (without its newline); a rule is added to m. */
static int parse_line(struct pctx *c, struct map_file *m, size_t *cap)
{
	struct map_rule *r;
	char buf[64];
	int rc;

	skip_ws(c);
	if (at_end(c))
		return OIDC_OK;
	if (m->nrules == MAPFILE_MAX_RULES)
		return perr(c, OIDC_ECONFIG, "more than %d rules",
			    MAPFILE_MAX_RULES);
	if (m->nrules == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct map_rule *nr;

		if (ncap > MAPFILE_MAX_RULES)
			ncap = MAPFILE_MAX_RULES;
		nr = realloc(m->rules, ncap * sizeof(*nr));
		if (nr == NULL)
			return nomem(c);
		m->rules = nr;
		*cap = ncap;
	}
	r = &m->rules[m->nrules++];
	memset(r, 0, sizeof(*r));
	r->line = c->line;
	r->capture = -1;
	r->conds = calloc(MAPFILE_MAX_CONDS, sizeof(*r->conds));
	if (r->conds == NULL)
		return nomem(c);

	for (;;) {
		if (r->nconds == MAPFILE_MAX_CONDS)
			return perr(c, OIDC_ECONFIG,
				    "more than %d conditions in one rule",
				    MAPFILE_MAX_CONDS);
		rc = lex_cond(c, &r->conds[r->nconds++]);
		if (rc != OIDC_OK)
			return rc;
		skip_ws(c);
		if (c->p < c->end && *c->p == ',') {
			c->p++;
			skip_ws(c);
			continue;
		}
		break;
	}
	if (!at_arrow(c)) {
		if (at_end(c))
			return perr(c, OIDC_ECONFIG,
				    "missing -> ACCOUNT at the end of the "
				    "rule");
		return perr(c, OIDC_ECONFIG, "expected , or -> before \"%s\"",
			    show_here(c, buf, sizeof(buf)));
	}
	c->p += 2;
	skip_ws(c);
	if (at_end(c))
		return perr(c, OIDC_ECONFIG,
			    "missing account after -> (an account name or "
			    "!deny)");
	rc = lex_target(c, r);
	if (rc != OIDC_OK)
		return rc;
	skip_ws(c);
	if (!at_end(c))
		return perr(c, OIDC_ECONFIG,
			    "unexpected \"%s\" after the account (one account "
			    "per rule; comments start with #)",
			    show_here(c, buf, sizeof(buf)));
	return OIDC_OK;
}

void mapfile_free(struct map_file *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nrules; i++)
		rule_free(&m->rules[i]);
	free(m->rules);
	free(m->path);
	free(m);
}

int mapfile_parse(const char *name, const char *buf, size_t len,
		  struct map_file **out, struct oidc_err *e)
{
	struct pctx c = {.file = name, .e = e};
	struct map_file *m;
	const char *p = buf, *end = buf + len;
	size_t cap = 0;
	int rc = OIDC_OK;

	*out = NULL;
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return nomem(&c);
	m->path = strdup(name);
	if (m->path == NULL) {
		rc = nomem(&c);
		goto out;
	}
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl != NULL ? nl : end;
		const char *q;

		c.line++;
		if ((size_t)(eol - p) > MAPFILE_MAX_LINE) {
			rc = perr(&c, OIDC_ECONFIG, "line longer than %d bytes",
				  MAPFILE_MAX_LINE);
			goto out;
		}
		if (eol > p && eol[-1] == '\r')
			eol--;
		for (q = p; q < eol; q++) {
			unsigned char ch = (unsigned char)*q;

			if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
				rc = perr(&c, OIDC_ECONFIG,
					  "control character \\x%02x in column "
					  "%zu",
					  ch, (size_t)(q - p) + 1);
				goto out;
			}
		}
		c.start = c.p = p;
		c.end = eol;
		rc = parse_line(&c, m, &cap);
		if (rc != OIDC_OK)
			goto out;
		p = nl != NULL ? nl + 1 : end;
	}
out:
	if (rc != OIDC_OK) {
		mapfile_free(m);
		return rc;
	}
	*out = m;
	return OIDC_OK;
}

int mapfile_load(const char *path, struct map_file **out, struct oidc_err *e)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	rc = admin_file_read(path, path, MAPFILE_MAX_SIZE,
			     "name the real file in map_file", &buf, &len, e);
	if (rc == OIDC_OK)
		rc = mapfile_parse(path, buf, len, out, e);
	free(buf);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* matching */

/* The text a JSON value takes part in matching with, or NULL. */
static const char *value_text(json_object *v, char *num, size_t size)
{
	switch (json_object_get_type(v)) {
	case json_type_string: {
		const char *s = json_object_get_string(v);
		int n = json_object_get_string_len(v);

		if (s == NULL || n < 0 || (size_t)n > MAPFILE_MAX_VALUE ||
		    strlen(s) != (size_t)n)
			return NULL;
		return s;
	}
	case json_type_boolean:
		return json_object_get_boolean(v) ? "true" : "false";
	case json_type_int: {
		int64_t i;

		/* json-c saturates out-of-range integers: never match those. */
		i = json_object_get_int64(v);
		if (i == INT64_MAX || i == INT64_MIN)
			return NULL;
		snprintf(num, size, "%" PRId64, i);
		return num;
	}
	default:
		return NULL;
	}
}

/* The claim cond names, or NULL.  iss and sub, when given, stand for the
 * top-level claims of those names (*direct). */
static json_object *resolve(const struct map_cond *cond, json_object *claims,
			    const char *iss, const char *sub,
			    const char **direct)
{
	json_object *v = claims;
	size_t i;

	*direct = NULL;
	if (cond->npath == 1 && strcmp(cond->path[0], "iss") == 0 &&
	    iss != NULL) {
		*direct = iss;
		return NULL;
	}
	if (cond->npath == 1 && strcmp(cond->path[0], "sub") == 0 &&
	    sub != NULL) {
		*direct = sub;
		return NULL;
	}
	for (i = 0; i < cond->npath; i++) {
		if (v == NULL || !json_object_is_type(v, json_type_object))
			return NULL;
		if (!json_object_object_get_ex(v, cond->path[i], &v))
			return NULL;
	}
	return v;
}

/* Does one value satisfy cond?  For a regex, m (MAX_GROUPS + 2 entries)
 * gets the groups of ^(ERE)$. */
static bool value_matches(const struct map_cond *cond, const char *s,
			  regmatch_t *m)
{
	if (!cond->is_regex)
		return strcmp(s, cond->value) == 0;
	if (regexec(&cond->re, s, MAX_GROUPS + 2, m, 0) != 0)
		return false;
	/* ^( )$ anchors already; this only restates it. */
	return m[0].rm_so == 0 && (size_t)m[0].rm_eo == strlen(s);
}

/* Does cond hold?  *text (malloc'd; NULL when out of memory) and m say
 * which value matched, for captures. */
static bool cond_holds(const struct map_cond *cond, json_object *claims,
		       const char *iss, const char *sub, char **text,
		       regmatch_t *m)
{
	const char *s = NULL, *direct;
	json_object *v;
	char num[32];
	size_t i, n;

	v = resolve(cond, claims, iss, sub, &direct);
	if (direct != NULL) {
		if (strlen(direct) <= MAPFILE_MAX_VALUE &&
		    value_matches(cond, direct, m))
			s = direct;
	} else if (v != NULL && json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		for (i = 0; i < n && s == NULL; i++) {
			json_object *el = json_object_array_get_idx(v, i);
			const char *t;

			if (el == NULL)
				continue;
			t = value_text(el, num, sizeof(num));
			if (t != NULL && value_matches(cond, t, m))
				s = t;
		}
	} else if (v != NULL) {
		s = value_text(v, num, sizeof(num));
		if (s != NULL && !value_matches(cond, s, m))
			s = NULL;
	}
	if (s == NULL)
		return false;
	*text = strdup(s);
	return true;
}

/* target with \N replaced by group N of text. */
static char *expand(const char *target, const char *text, const regmatch_t *m)
{
	struct strbuf sb;
	const char *q;

	sb_init(&sb);
	for (q = target; *q != '\0'; q++) {
		if (q[0] == '\\' && q[1] >= '1' && q[1] <= '9') {
			/* group N of the ERE is group N + 1 of ^(ERE)$ */
			const regmatch_t *g = &m[q[1] - '0' + 1];

			if (text != NULL && g->rm_so >= 0 &&
			    g->rm_eo >= g->rm_so)
				sb_addn(&sb, text + g->rm_so,
					(size_t)(g->rm_eo - g->rm_so));
			q++;
			continue;
		}
		sb_addc(&sb, *q);
	}
	return sb_steal(&sb);
}

int mapfile_match(const struct map_file *m, json_object *claims,
		  const char *iss, const char *sub, struct map_match *out,
		  struct oidc_err *e)
{
	regmatch_t groups[MAX_GROUPS + 2];
	size_t i, j;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < m->nrules; i++) {
		const struct map_rule *r = &m->rules[i];
		char *captext = NULL;
		bool all = true;

		for (j = 0; j < r->nconds && all; j++) {
			regmatch_t mm[MAX_GROUPS + 2];
			char *text = NULL;

			if (!cond_holds(&r->conds[j], claims, iss, sub, &text,
					mm)) {
				all = false;
				break;
			}
			if (text == NULL) {
				free(captext);
				return oidc_fail(e, OIDC_EINTERNAL,
						 "out of memory");
			}
			if ((int)j == r->capture) {
				captext = text;
				memcpy(groups, mm, sizeof(groups));
			} else {
				free(text);
			}
		}
		if (!all) {
			free(captext);
			continue;
		}
		out->line = r->line;
		out->deny = r->deny;
		if (!r->deny) {
			out->account = expand(r->target, captext, groups);
			if (out->account == NULL) {
				free(captext);
				return oidc_fail(e, OIDC_EINTERNAL,
						 "out of memory");
			}
		}
		free(captext);
		return OIDC_OK;
	}
	return OIDC_OK;
}
