/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The code flow's parts: PKCE S256 (RFC 7636 Appendix B), state and nonce,
 * the redirect_uri modes, the response parsers (query and pasted answer),
 * the loopback listener over real sockets, the SMART configuration checks
 * and the choice of flow.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "jose.h"
#include "../../helper/json.h"
#include "login.h"
#include "loopback.h"
#include "pkce.h"
#include "smart.h"
#include "util.h"

/* ------------------------------------------------------------ PKCE */

/* RFC 7636 Appendix B */
static const unsigned char appb_octets[32] = {
    116, 24,  223, 180, 151, 153, 224, 37,  79,	 250, 96,
    125, 216, 173, 187, 186, 22,  212, 37,  77,	 105, 214,
    191, 240, 91,  88,	5,   88,  83,  132, 141, 121,
};
static const char appb_verifier[] =
    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
static const char appb_challenge[] =
    "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

static void test_pkce_rfc7636_appendix_b(void **state)
{
	struct pkce p;
	char ch[PKCE_CHALLENGE_LEN + 1];

	(void)state;
	assert_int_equal(pkce_from_bytes(appb_octets, &p), 0);
	assert_string_equal(p.verifier, appb_verifier);
	assert_string_equal(p.challenge, appb_challenge);
	assert_int_equal(pkce_challenge_s256(appb_verifier, ch, sizeof(ch)), 0);
	assert_string_equal(ch, appb_challenge);
	pkce_wipe(&p);
	assert_int_equal(p.verifier[0], '\0');
}

static void test_pkce_verifier_rules(void **state)
{
	char v[130], ch[PKCE_CHALLENGE_LEN + 1];

	(void)state;
	memset(v, 'a', sizeof(v));
	v[42] = '\0'; /* 42: too short */
	assert_false(pkce_verifier_valid(v));
	assert_int_equal(pkce_challenge_s256(v, ch, sizeof(ch)), -1);
	v[42] = 'a';
	v[43] = '\0';
	assert_true(pkce_verifier_valid(v));
	memset(v, '~', 128);
	v[128] = '\0';
	assert_true(pkce_verifier_valid(v));
	v[128] = 'a';
	v[129] = '\0';
	assert_false(pkce_verifier_valid(v)); /* 129: too long */
	assert_false(pkce_verifier_valid(
	    "dBjftJeZ4CVP+mB92K27uhbUJU1p1r/wW1gFWFOEjXk")); /* base64 */
	assert_false(pkce_verifier_valid(
	    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjX=")); /* padding */
	assert_false(pkce_verifier_valid(NULL));
	/* the output buffer must hold 43 characters and the NUL */
	assert_int_equal(pkce_challenge_s256(appb_verifier, ch, 43), -1);
}

static void test_b64url_rfc4648_vectors(void **state)
{
	static const char *const in[] = {"",	 "f",	  "fo",	   "foo",
					 "foob", "fooba", "foobar"};
	static const char *const out[] = {
	    "", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
	static const unsigned char hi[] = {0xfb, 0xff, 0xbf};
	char buf[16];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		assert_int_equal(b64url_encode_buf((const unsigned char *)in[i],
						   strlen(in[i]), buf,
						   sizeof(buf)),
				 strlen(out[i]));
		assert_string_equal(buf, out[i]);
	}
	/* the URL-safe alphabet, never '+' or '/' */
	assert_int_equal(b64url_encode_buf(hi, 3, buf, sizeof(buf)), 4);
	assert_string_equal(buf, "-_-_");
	/* too small for "Zm9vYmFy" + NUL */
	assert_int_equal(
	    b64url_encode_buf((const unsigned char *)"foobar", 6, buf, 8), 0);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

/* state, nonce and verifier: 43 base64url characters carrying 256 random
 * bits, never the same twice, bits balanced. */
static void test_random_values(void **state)
{
	enum { N = 2000 };
	char(*v)[OAUTH_RANDOM_LEN + 1] = calloc(N, sizeof(*v));
	unsigned long ones = 0, bits = 0;
	struct pkce p, q;
	size_t i, k;

	(void)state;
	assert_non_null(v);
	for (i = 0; i < N; i++) {
		unsigned char *raw = NULL;
		size_t rawlen = 0;

		assert_int_equal(oauth_random(v[i], sizeof(v[i])), 0);
		assert_int_equal(strlen(v[i]), OAUTH_RANDOM_LEN);
		assert_int_equal(strspn(v[i], "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					      "abcdefghijklmnopqrstuvwxyz"
					      "0123456789-_"),
				 OAUTH_RANDOM_LEN);
		assert_int_equal(
		    b64url_decode(v[i], strlen(v[i]), &raw, &rawlen), 0);
		assert_int_equal(rawlen, 32); /* 256 bits >= 128 */
		for (k = 0; k < rawlen; k++) {
			ones += (unsigned long)__builtin_popcount(raw[k]);
			bits += 8;
		}
		free(raw);
	}
	qsort(v, N, sizeof(*v), cmp_str);
	for (i = 1; i < N; i++)
		assert_string_not_equal(v[i - 1], v[i]);
	/* 512000 bits: the share of ones is 0.5 +- 0.0007 (1 sigma) */
	assert_true(ones * 100 > bits * 49 && ones * 100 < bits * 51);
	free(v);
	/* too small a buffer is refused, not truncated */
	assert_int_equal(oauth_random((char[43]){0}, 43), -1);

	assert_int_equal(pkce_new(&p), 0);
	assert_int_equal(pkce_new(&q), 0);
	assert_true(pkce_verifier_valid(p.verifier));
	assert_int_equal(strlen(p.verifier), PKCE_VERIFIER_LEN);
	assert_string_not_equal(p.verifier, q.verifier);
	{
		char ch[PKCE_CHALLENGE_LEN + 1];

		assert_int_equal(
		    pkce_challenge_s256(p.verifier, ch, sizeof(ch)), 0);
		assert_string_equal(ch, p.challenge);
	}
}

/* ------------------------------------------------------------ redirect_uri */

static void test_redirect_uri_modes(void **state)
{
	struct redirect_target t;
	const char *why;

	(void)state;
	assert_int_equal(
	    redirect_uri_parse("http://127.0.0.1/callback", &t, &why), 0);
	assert_int_equal(t.mode, REDIRECT_LOOPBACK);
	assert_int_equal(t.port, 0);
	assert_false(t.ipv6);
	assert_string_equal(t.path, "/callback");

	assert_int_equal(
	    redirect_uri_parse("http://127.0.0.1:8765/cb/x", &t, &why), 0);
	assert_int_equal(t.mode, REDIRECT_LOOPBACK);
	assert_int_equal(t.port, 8765);
	assert_string_equal(t.path, "/cb/x");

	assert_int_equal(redirect_uri_parse("http://[::1]:65535/", &t, &why),
			 0);
	assert_true(t.ipv6);
	assert_int_equal(t.port, 65535);
	assert_string_equal(t.path, "/");

	assert_int_equal(
	    redirect_uri_parse("https://sso.example.org/done", &t, &why), 0);
	assert_int_equal(t.mode, REDIRECT_PASTE);
}

static void test_redirect_uri_refused(void **state)
{
	static const char *const bad[] = {
	    "",
	    "http://localhost/callback",     /* may resolve elsewhere */
	    "http://10.0.0.1/callback",	     /* plain http off loopback */
	    "http://127.0.0.1",		     /* no path */
	    "http://127.0.0.1:0/callback",   /* port 0 */
	    "http://127.0.0.1:080/callback", /* leading zero */
	    "http://127.0.0.1:65536/callback",
	    "http://127.0.0.1:/callback",
	    "http://127.0.0.1:80x/callback",
	    "http://127.0.0.1.evil.example/callback",
	    "http://127.0.0.1/callback?x=1", /* query */
	    "https://example.org/cb#frag",   /* fragment */
	    "https://user@example.org/cb",   /* user information */
	    "https:///cb",		     /* no host */
	    "ftp://example.org/cb",
	    "HTTP://127.0.0.1/callback",
	    "http://127.0.0.1/call back",
	    NULL,
	};
	struct redirect_target t;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; bad[i] != NULL; i++) {
		why = NULL;
		if (redirect_uri_parse(bad[i], &t, &why) != -1)
			fail_msg("accepted: %s", bad[i]);
		assert_non_null(why);
	}
}

/* ------------------------------------------------------------ query */

static int parse(const char *q, struct authz_resp *r, const char **why)
{
	return authz_query_parse(q, strlen(q), r, why);
}

static void test_query_good(void **state)
{
	struct authz_resp r;
	const char *why;

	(void)state;
	assert_int_equal(
	    parse("code=SplxlOBeZQQYbYS6WxSbIA&state=xyz&iss=https%3A%2F%2F"
		  "127.0.0.1%3A8443&session_state=abc.def",
		  &r, &why),
	    0);
	assert_string_equal(r.code, "SplxlOBeZQQYbYS6WxSbIA");
	assert_string_equal(r.state, "xyz");
	assert_string_equal(r.iss, "https://127.0.0.1:8443");
	assert_null(r.error);
	authz_resp_free(&r);
	assert_null(r.code);

	/* an error response; '+' is a space; order does not matter */
	assert_int_equal(parse("state=s1&error_description=The+user+said+no"
			       "&error=access_denied",
			       &r, &why),
			 0);
	assert_string_equal(r.error, "access_denied");
	assert_string_equal(r.error_description, "The user said no");
	assert_null(r.code);
	authz_resp_free(&r);

	/* unknown parameters are ignored, even empty ones */
	assert_int_equal(parse("x=&code=c&state=s&y=%41", &r, &why), 0);
	assert_string_equal(r.code, "c");
	authz_resp_free(&r);
}

static void test_query_strict(void **state)
{
	static const char *const bad[] = {
	    "",
	    "code=c",			  /* no state */
	    "state=s",			  /* neither code nor error */
	    "code=c&error=e&state=s",	  /* both */
	    "code=c&code=d&state=s",	  /* repeated */
	    "code=c&state=s&state=s",	  /* repeated, same value */
	    "code=c&state=s&iss=a&iss=a", /* repeated iss */
	    "code=c&&state=s",		  /* empty parameter */
	    "code=c&state=s&",		  /* trailing '&' */
	    "&code=c&state=s",
	    "code=c&state",	  /* no '=' */
	    "=c&code=c&state=s",  /* no name */
	    "code=%G1&state=s",	  /* not hex */
	    "code=abc%4&state=s", /* short escape */
	    "code=abc%&state=s",
	    "code=a%00b&state=s", /* NUL */
	    "code=a%0Ab&state=s", /* control character */
	    "code=a%7Fb&state=s",
	    "code=a%C3%A9&state=s",	 /* non-ASCII */
	    "code=a b&state=s",		 /* raw space */
	    "code=a+b&state=s",		 /* a code with a space */
	    "code=&state=s",		 /* empty code */
	    "code=c&state=",		 /* empty state */
	    "code=c&state=s&iss=",	 /* empty iss */
	    "code=c&state=s&x=%ZZ",	 /* bad escape, ignored param */
	    "co%64e=c&co%64e=d&state=s", /* encoded name, repeated */
	    NULL,
	};
	struct authz_resp r;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; bad[i] != NULL; i++) {
		why = NULL;
		if (parse(bad[i], &r, &why) != -1)
			fail_msg("accepted: %s", bad[i]);
		assert_non_null(why);
		assert_null(r.code);
		assert_null(r.state);
	}
	/* a query longer than the cap */
	{
		size_t n = AUTHZ_QUERY_MAX + 1;
		char *q = malloc(n + 1);

		assert_non_null(q);
		memset(q, 'a', n);
		memcpy(q, "code=c&state=s&x=", 17);
		q[n] = '\0';
		assert_int_equal(authz_query_parse(q, n, &r, &why), -1);
		free(q);
	}
}

/* ------------------------------------------------------------ paste */

static const char *redir = "https://127.0.0.1/callback";

static void test_paste_url(void **state)
{
	struct authz_resp r;
	const char *why;

	(void)state;
	assert_int_equal(
	    authz_paste_parse("https://127.0.0.1/callback?code=abc&state=s1"
			      "&iss=https%3A%2F%2Fidp",
			      redir, &r, &why),
	    PASTE_URL);
	assert_string_equal(r.code, "abc");
	assert_string_equal(r.state, "s1");
	assert_string_equal(r.iss, "https://idp");
	authz_resp_free(&r);
	/* blanks around it, as terminals paste them */
	assert_int_equal(authz_paste_parse("  https://127.0.0.1/callback?"
					   "code=abc&state=s1 \t\r\n",
					   redir, &r, &why),
			 PASTE_URL);
	authz_resp_free(&r);
	/* an error response is a URL too (the flow reports it) */
	assert_int_equal(authz_paste_parse("https://127.0.0.1/callback?"
					   "error=access_denied&state=s1",
					   redir, &r, &why),
			 PASTE_URL);
	assert_string_equal(r.error, "access_denied");
	authz_resp_free(&r);
}

static void test_paste_foreign_and_bad(void **state)
{
	static const char *const foreign[] = {
	    "https://127.0.0.1/other?code=abc&state=s1",
	    "https://127.0.0.1/callbackX?code=abc&state=s1",
	    "https://127.0.0.1/callback/x?code=abc&state=s1",
	    "https://127.0.0.2/callback?code=abc&state=s1",
	    "https://127.0.0.1:444/callback?code=abc&state=s1",
	    "http://127.0.0.1/callback?code=abc&state=s1",
	    "HTTPS://127.0.0.1/callback?code=abc&state=s1",
	    "https://evil.example/?https://127.0.0.1/callback?code=a&"
	    "state=s",
	    NULL,
	};
	static const char *const bad[] = {
	    "",
	    "   ",
	    "https://127.0.0.1/callback",  /* no parameters */
	    "https://127.0.0.1/callback?", /* empty query */
	    "https://127.0.0.1/callback?code=abc&state=s1#x",
	    "https://127.0.0.1/callback?code=abc", /* no state */
	    "https://127.0.0.1/callback?code=a&code=b&state=s",
	    "https://127.0.0.1/callback?code=a b&state=s",
	    "yes",
	    "short",	   /* < 8 characters */
	    "abc%41defgh", /* '%' in a bare code */
	    "abc defghij",
	    "code=abcdefgh",
	    "abcdefgh\x1b[2J",
	    NULL,
	};
	struct authz_resp r;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; foreign[i] != NULL; i++) {
		why = NULL;
		if (authz_paste_parse(foreign[i], redir, &r, &why) !=
		    PASTE_FOREIGN)
			fail_msg("not refused as foreign: %s", foreign[i]);
		assert_non_null(why);
		assert_null(r.code);
	}
	for (i = 0; bad[i] != NULL; i++) {
		why = NULL;
		if (authz_paste_parse(bad[i], redir, &r, &why) != PASTE_BAD)
			fail_msg("not refused as malformed: %s", bad[i]);
		assert_non_null(why);
		assert_null(r.code);
	}
}

static void test_paste_bare_code(void **state)
{
	struct authz_resp r;
	const char *why;

	(void)state;
	assert_int_equal(authz_paste_parse(" aBc-123_x.y~Z ", redir, &r, &why),
			 PASTE_CODE);
	assert_string_equal(r.code, "aBc-123_x.y~Z");
	assert_null(r.state);
	assert_null(r.iss);
	authz_resp_free(&r);
	assert_int_equal(authz_paste_parse("12345678", redir, &r, &why),
			 PASTE_CODE);
	authz_resp_free(&r);
}

/* ------------------------------------------------------------ listener */

static const char *lb_state = "Zq3uB1n2sJb0cG9xW4vT7yE5rA8dK6hL2pM0oN1iQ3s";

static struct loopback lb;

static unsigned lb_port(void)
{
	const char *p = strrchr(lb.redirect_uri, ':');
	char *end = NULL;
	unsigned long v;

	assert_non_null(p);
	v = strtoul(p + 1, &end, 10);
	assert_true(end != NULL && *end == '/');
	return (unsigned)v;
}

static int lb_setup(void **state)
{
	struct redirect_target t;
	struct oidc_err e;
	const char *why;

	(void)state;
	oidc_err_clear(&e);
	if (redirect_uri_parse("http://127.0.0.1/callback", &t, &why) != 0)
		return -1;
	return loopback_open(&lb, &t, lb_state, &e) == OIDC_OK ? 0 : -1;
}

static int lb_teardown(void **state)
{
	(void)state;
	loopback_close(&lb);
	return 0;
}

static int client_connect(unsigned port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int client_send(const char *req)
{
	int fd = client_connect(lb_port());

	assert_true(fd >= 0);
	assert_int_equal(send(fd, req, strlen(req), MSG_NOSIGNAL),
			 (ssize_t)strlen(req));
	return fd;
}

/* Run the listener for up to ms, or until it has the response. */
static enum lb_event pump(int ms, struct authz_resp *r)
{
	long long until = mono_ms() + ms;
	enum lb_event ev = LB_NOTHING;

	memset(r, 0, sizeof(*r));
	while (mono_ms() < until) {
		ev = loopback_wait(&lb, -1, 20, r);
		if (ev != LB_NOTHING)
			break;
	}
	return ev;
}

/* What the server sent before closing (or "" after 2 s). */
static char *client_read(int fd)
{
	static char buf[4096];
	size_t len = 0;
	struct pollfd p = {.fd = fd, .events = POLLIN};

	while (len < sizeof(buf) - 1 && poll(&p, 1, 2000) == 1) {
		ssize_t n = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);

		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	close(fd);
	return buf;
}

static void expect_400(const char *req)
{
	struct authz_resp r;
	unsigned before = lb.stray;
	int fd = client_send(req);

	assert_int_equal(pump(300, &r), LB_NOTHING);
	assert_true(strncmp(client_read(fd), "HTTP/1.1 400 ", 13) == 0);
	assert_int_equal(lb.stray, before + 1);
	assert_true(lb.fd >= 0); /* still listening */
}

static void test_loopback_ephemeral_port(void **state)
{
	(void)state;
	assert_true(strncmp(lb.redirect_uri, "http://127.0.0.1:", 17) == 0);
	assert_true(lb_port() > 0);
	assert_string_equal(strchr(lb.redirect_uri + 7, '/'), "/callback");
}

static void test_loopback_stray_requests(void **state)
{
	char big[LOOPBACK_MAX_REQUEST + 64];
	char req[512];

	(void)state;
	/* another path (a favicon), no query, wrong state, missing code */
	expect_400("GET /favicon.ico HTTP/1.1\r\nHost: x\r\n\r\n");
	expect_400("GET /callback HTTP/1.1\r\n\r\n");
	snprintf(req, sizeof(req),
		 "GET /callback?code=c&state=%.42sX HTTP/1.1\r\n\r\n",
		 lb_state);
	expect_400(req);
	snprintf(req, sizeof(req), "GET /callback?state=%s HTTP/1.1\r\n\r\n",
		 lb_state);
	expect_400(req);
	/* the right parameters on a prefix path, by POST, malformed */
	snprintf(req, sizeof(req),
		 "GET /callbackX?code=c&state=%s HTTP/1.1\r\n\r\n", lb_state);
	expect_400(req);
	snprintf(req, sizeof(req),
		 "POST /callback?code=c&state=%s HTTP/1.1\r\n"
		 "Content-Length: 0\r\n\r\n",
		 lb_state);
	expect_400(req);
	snprintf(req, sizeof(req),
		 "GET /callback?code=c&state=%s HTTP/2.0\r\n\r\n", lb_state);
	expect_400(req);
	expect_400("GARBAGE\r\n\r\n");
	/* oversized: the request never ends within the cap */
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET /callback?x=", 16);
	big[LOOPBACK_MAX_REQUEST] = '\0';
	expect_400(big);
	assert_int_equal(lb.stray, 9);
}

static void test_loopback_slow_client(void **state)
{
	struct authz_resp r;
	int fd;

	(void)state;
	lb.read_timeout_ms = 200;
	fd = client_send("GET /callback?code=c&st");
	assert_int_equal(pump(600, &r), LB_NOTHING);
	/* closed without an answer after the read timeout */
	assert_string_equal(client_read(fd), "");
	assert_true(lb.fd >= 0);
}

static void test_loopback_other_fd(void **state)
{
	struct authz_resp r;
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(loopback_wait(&lb, p[0], 50, &r), LB_NOTHING);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(loopback_wait(&lb, p[0], 1000, &r), LB_OTHER);
	close(p[0]);
	close(p[1]);
}

static void test_loopback_accepts_one(void **state)
{
	struct authz_resp r;
	char req[512];
	const char *page;
	unsigned port = lb_port();
	int fd, idle;

	(void)state;
	/* a browser's idle preconnection is dropped with the rest */
	idle = client_connect(port);
	assert_true(idle >= 0);
	snprintf(req, sizeof(req),
		 "GET /callback?code=the-code&state=%s&iss=https%%3A%%2F%%2Fidp"
		 " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
		 lb_state);
	fd = client_send(req);
	assert_int_equal(pump(1000, &r), LB_RESPONSE);
	assert_string_equal(r.code, "the-code");
	assert_string_equal(r.iss, "https://idp");
	authz_resp_free(&r);
	/* the listener is gone at once: nobody else gets an answer */
	assert_int_equal(lb.fd, -1);
	assert_int_equal(client_connect(port), -1);
	assert_int_equal(errno, ECONNREFUSED);
	assert_string_equal(client_read(idle), "");
	/* the browser waits for the outcome */
	loopback_reply(&lb, true,
		       "Signed in \xe2\x80\x94 you can close this "
		       "window.");
	page = client_read(fd);
	assert_true(strncmp(page, "HTTP/1.1 200 OK\r\n", 17) == 0);
	assert_non_null(strstr(page, "Cache-Control: no-store\r\n"));
	assert_non_null(strstr(page,
			       "<p>Signed in \xe2\x80\x94 you can close this "
			       "window.</p>"));
	assert_int_equal(lb.held, -1);
}

/* Idle connections that fill every slot do not lock the browser out. */
static void test_loopback_idle_hogs(void **state)
{
	int hogs[LOOPBACK_MAX_CONNS + 4];
	struct authz_resp r;
	char req[256];
	size_t i;
	int fd;

	(void)state;
	for (i = 0; i < sizeof(hogs) / sizeof(hogs[0]); i++) {
		hogs[i] = client_connect(lb_port());
		assert_true(hogs[i] >= 0);
		assert_int_equal(pump(30, &r), LB_NOTHING);
	}
	snprintf(req, sizeof(req),
		 "GET /callback?code=late&state=%s HTTP/1.1\r\n\r\n", lb_state);
	fd = client_send(req);
	assert_int_equal(pump(1000, &r), LB_RESPONSE);
	assert_string_equal(r.code, "late");
	authz_resp_free(&r);
	loopback_reply(&lb, true, "ok");
	assert_true(strncmp(client_read(fd), "HTTP/1.1 200 ", 13) == 0);
	for (i = 0; i < sizeof(hogs) / sizeof(hogs[0]); i++)
		close(hogs[i]);
}

static void test_loopback_reply_escapes(void **state)
{
	struct authz_resp r;
	char req[256];
	int fd;

	(void)state;
	snprintf(req, sizeof(req),
		 "GET /callback?error=access_denied&state=%s HTTP/1.0\r\n\r\n",
		 lb_state);
	fd = client_send(req);
	assert_int_equal(pump(1000, &r), LB_RESPONSE);
	assert_string_equal(r.error, "access_denied");
	authz_resp_free(&r);
	loopback_reply(&lb, false, "<b>no</b> & \"declined\"");
	assert_non_null(strstr(client_read(fd),
			       "<p>&lt;b&gt;no&lt;/b&gt; &amp; &quot;declined"
			       "&quot;</p>"));
}

static void test_loopback_fixed_port(void **state)
{
	struct redirect_target t;
	struct loopback other;
	struct oidc_err e;
	char uri[64];
	const char *why;
	unsigned port = lb_port();

	(void)state;
	oidc_err_clear(&e);
	snprintf(uri, sizeof(uri), "http://127.0.0.1:%u/cb", port);
	assert_int_equal(redirect_uri_parse(uri, &t, &why), 0);
	/* in use by the listener of the fixture */
	assert_int_equal(loopback_open(&other, &t, lb_state, &e),
			 OIDC_EUNAVAIL);
	assert_non_null(strstr(e.reason, "in use"));
	assert_int_equal(other.fd, -1);
	loopback_close(&lb);
	oidc_err_clear(&e);
	assert_int_equal(loopback_open(&other, &t, lb_state, &e), OIDC_OK);
	assert_string_equal(other.redirect_uri, uri);
	loopback_close(&other);
	loopback_close(&other); /* twice is harmless */
}

/* ------------------------------------------------------------ SMART */

static struct oidc_config smart_cfg = {.issuer = "https://idp.example.org"};

static int smart(const char *json, struct smart_config *sc, struct oidc_err *e)
{
	json_object *doc = NULL;
	int rc;

	memset(sc, 0, sizeof(*sc));
	oidc_err_clear(e);
	assert_int_equal(
	    json_parse_object(json, strlen(json), "smart", &doc, e), OIDC_OK);
	rc = smart_check(&smart_cfg, doc, sc, e);
	json_object_put(doc);
	return rc;
}

static void test_smart_good(void **state)
{
	struct smart_config sc;
	struct oidc_err e;
	json_object *doc = NULL;
	const char *j =
	    "{\"issuer\":\"https://idp.example.org\","
	    "\"authorization_endpoint\":\"https://idp.example.org/auth\","
	    "\"token_endpoint\":\"https://idp.example.org/token\","
	    "\"code_challenge_methods_supported\":[\"S256\"],"
	    "\"capabilities\":[\"launch-standalone\",\"client-public\","
	    "\"sso-openid-connect\",\"permission-v2\"]}";

	(void)state;
	oidc_err_clear(&e);
	assert_int_equal(json_parse_object(j, strlen(j), "smart", &doc, &e),
			 OIDC_OK);
	memset(&sc, 0, sizeof(sc));
	assert_int_equal(smart_check(&smart_cfg, doc, &sc, &e), OIDC_OK);
	assert_int_equal(sc.n_capabilities, 4);
	assert_string_equal(sc.capabilities[1], "client-public");
	assert_null(sc.capabilities[4]);
	assert_true(smart_has_capability(&sc, "sso-openid-connect"));
	assert_false(smart_has_capability(&sc, "launch-ehr"));
	assert_string_equal(sc.token_endpoint, "https://idp.example.org/token");
	json_object_put(doc);
}

static void test_smart_refused(void **state)
{
	static const struct {
		const char *json, *reason;
	} bad[] = {
	    {"{\"code_challenge_methods_supported\":[\"S256\"]}", "no issuer"},
	    {"{\"issuer\":\"https://evil.example.org\","
	     "\"code_challenge_methods_supported\":[\"S256\"]}",
	     "issuer mismatch"},
	    {"{\"issuer\":\"https://idp.example.org/\","
	     "\"code_challenge_methods_supported\":[\"S256\"]}",
	     "issuer mismatch"},
	    {"{\"issuer\":\"https://idp.example.org\","
	     "\"code_challenge_methods_supported\":[\"plain\"]}",
	     "does not offer S256"},
	    {"{\"issuer\":\"https://idp.example.org\"}", "does not offer S256"},
	    {"{\"issuer\":\"https://idp.example.org\","
	     "\"code_challenge_methods_supported\":\"S256\"}",
	     "not an array"},
	    {"{\"issuer\":\"https://idp.example.org\","
	     "\"code_challenge_methods_supported\":[\"S256\"],"
	     "\"capabilities\":[\"a b\"]}",
	     "not a printable token"},
	    {"{\"issuer\":\"https://idp.example.org\","
	     "\"code_challenge_methods_supported\":[\"S256\"],"
	     "\"capabilities\":[1]}",
	     "not a string"},
	    {"{\"issuer\":\"https://idp.example.org\","
	     "\"code_challenge_methods_supported\":[\"S256\"],"
	     "\"token_endpoint\":\"http://idp.example.org/token\"}",
	     "token_endpoint is not an https URL"},
	};
	struct smart_config sc;
	struct oidc_err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(smart(bad[i].json, &sc, &e), OIDC_EREJECT);
		if (strstr(e.reason, bad[i].reason) == NULL)
			fail_msg("%s: reason \"%s\" lacks \"%s\"", bad[i].json,
				 e.reason, bad[i].reason);
	}
}

/* ------------------------------------------------------------ flow choice */

static void test_pick_flow(void **state)
{
	struct oidc_config cfg;
	struct login l;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	memset(&l, 0, sizeof(l));
	l.cfg = &cfg;
	cfg.flow = FLOW_AUTO;
	l.disco.device_authorization_endpoint = "https://idp/device";
	assert_int_equal(login_pick_flow(&l), FLOW_DEVICE);
	l.disco.device_authorization_endpoint = NULL;
	assert_int_equal(login_pick_flow(&l), FLOW_AUTHCODE);
	cfg.flow = FLOW_DEVICE;
	assert_int_equal(login_pick_flow(&l), FLOW_DEVICE);
	cfg.flow = FLOW_TOKEN;
	l.disco.device_authorization_endpoint = "https://idp/device";
	assert_int_equal(login_pick_flow(&l), FLOW_TOKEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pkce_rfc7636_appendix_b),
	    cmocka_unit_test(test_pkce_verifier_rules),
	    cmocka_unit_test(test_b64url_rfc4648_vectors),
	    cmocka_unit_test(test_random_values),
	    cmocka_unit_test(test_redirect_uri_modes),
	    cmocka_unit_test(test_redirect_uri_refused),
	    cmocka_unit_test(test_query_good),
	    cmocka_unit_test(test_query_strict),
	    cmocka_unit_test(test_paste_url),
	    cmocka_unit_test(test_paste_foreign_and_bad),
	    cmocka_unit_test(test_paste_bare_code),
	    cmocka_unit_test_setup_teardown(test_loopback_ephemeral_port,
					    lb_setup, lb_teardown),
	    cmocka_unit_test_setup_teardown(test_loopback_stray_requests,
					    lb_setup, lb_teardown),
	    cmocka_unit_test_setup_teardown(test_loopback_slow_client, lb_setup,
					    lb_teardown),
	    cmocka_unit_test_setup_teardown(test_loopback_other_fd, lb_setup,
					    lb_teardown),
	    cmocka_unit_test_setup_teardown(test_loopback_accepts_one, lb_setup,
					    lb_teardown),
	    cmocka_unit_test_setup_teardown(test_loopback_idle_hogs, lb_setup,
					    lb_teardown),
	    cmocka_unit_test_setup_teardown(test_loopback_reply_escapes,
					    lb_setup, lb_teardown),
	    cmocka_unit_test_setup_teardown(test_loopback_fixed_port, lb_setup,
					    lb_teardown),
	    cmocka_unit_test(test_smart_good),
	    cmocka_unit_test(test_smart_refused),
	    cmocka_unit_test(test_pick_flow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
