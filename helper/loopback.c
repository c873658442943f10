/* SPDX-License-Identifier: BSD-3-Clause */
/* The authorization response: redirect modes, parsing, loopback listener. */
#include "loopback.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "util.h"

struct lb_conn {
	int fd;
	long long deadline_ms;
	size_t len;
	char buf[LOOPBACK_MAX_REQUEST + 1];
};

static const char unreserved[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

static bool all_visible(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

/* ------------------------------------------------------------ redirect_uri */

/* "127.0.0.1" or "[::1]", then ":port" or nothing; *end is where the path
 * starts.  Returns NULL or why not. */
static const char *parse_loopback_authority(const char *a, size_t n,
					    struct redirect_target *t)
{
	size_t hl;
	unsigned long port = 0;
	size_t i;

	if (n >= 9 && strncmp(a, "127.0.0.1", 9) == 0) {
		hl = 9;
	} else if (n >= 5 && strncmp(a, "[::1]", 5) == 0) {
		hl = 5;
		t->ipv6 = true;
	} else if ((n >= 9 && strncasecmp(a, "localhost", 9) == 0)) {
		return "\"localhost\" is refused, write 127.0.0.1 (RFC 8252 "
		       "§8.3)";
	} else {
		return "plain http is allowed only for the loopback listener "
		       "on 127.0.0.1 or [::1]";
	}
	if (hl == n)
		return NULL;
	if (a[hl] != ':' || hl + 1 == n)
		return "malformed host or port";
	if (a[hl + 1] == '0')
		return "the port must be 1 to 65535 without leading zeros "
		       "(leave it out for a free port)";
	for (i = hl + 1; i < n; i++) {
		if (a[i] < '0' || a[i] > '9')
			return "the port is not a number";
		port = port * 10 + (unsigned long)(a[i] - '0');
		if (port > 65535)
			return "the port must be 1 to 65535";
	}
	t->port = (unsigned)port;
	return NULL;
}

int redirect_uri_parse(const char *uri, struct redirect_target *t,
		       const char **why)
{
	const char *auth, *path;
	size_t n;

	memset(t, 0, sizeof(*t));
	*why = NULL;
	if (uri == NULL || uri[0] == '\0') {
		*why = "redirect_uri is empty";
		return -1;
	}
	n = strlen(uri);
	if (n > REDIRECT_URI_MAX || !all_visible(uri, n)) {
		*why = "redirect_uri is too long or has spaces, control or "
		       "non-ASCII characters";
		return -1;
	}
	if (strchr(uri, '?') != NULL || strchr(uri, '#') != NULL) {
		*why = "redirect_uri may have neither a query nor a fragment";
		return -1;
	}
	if (strncmp(uri, "https://", 8) == 0) {
		t->mode = REDIRECT_PASTE;
		auth = uri + 8;
	} else if (strncmp(uri, "http://", 7) == 0) {
		t->mode = REDIRECT_LOOPBACK;
		auth = uri + 7;
	} else {
		*why = "redirect_uri is neither an https URL nor a loopback "
		       "http URL";
		return -1;
	}
	path = auth + strcspn(auth, "/");
	if (path == auth) {
		*why = "redirect_uri has no host";
		return -1;
	}
	if (memchr(auth, '@', (size_t)(path - auth)) != NULL) {
		*why = "redirect_uri may not carry user information";
		return -1;
	}
	if (t->mode == REDIRECT_PASTE)
		return 0;
	*why = parse_loopback_authority(auth, (size_t)(path - auth), t);
	if (*why != NULL)
		return -1;
	if (path[0] != '/') {
		*why = "the loopback redirect_uri needs a path (e.g. "
		       "http://127.0.0.1/callback)";
		return -1;
	}
	t->path = path;
	return 0;
}

/* ------------------------------------------------------------ query */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode s[0..n) into a malloc'd string (NULL for check only: out NULL).
 * Decoded bytes must be printable ASCII (0x20..0x7e) when strict. */
static int form_decode(const char *s, size_t n, bool strict, char **out,
		       const char **why)
{
	char *d = NULL;
	size_t i, o = 0;

	if (out != NULL) {
		*out = NULL;
		d = malloc(n + 1);
		if (d == NULL) {
			*why = "out of memory";
			return -1;
		}
	}
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch < 0x21 || ch > 0x7e) {
			*why = "a raw space, control or non-ASCII character";
			goto bad;
		}
		if (ch == '+') {
			ch = ' ';
		} else if (ch == '%') {
			int hi, lo;

			if (i + 2 >= n) {
				*why = "a '%' not followed by two hex digits";
				goto bad;
			}
			hi = hexval(s[i + 1]);
			lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0) {
				*why = "a '%' not followed by two hex digits";
				goto bad;
			}
			ch = (unsigned char)(hi << 4 | lo);
			i += 2;
			if (ch == 0) {
				*why = "an encoded NUL byte";
				goto bad;
			}
		}
		if (strict && (ch < 0x20 || ch > 0x7e)) {
			*why = "an encoded control or non-ASCII character";
			goto bad;
		}
		if (d != NULL)
			d[o++] = (char)ch;
	}
	if (d != NULL) {
		d[o] = '\0';
		*out = d;
	}
	return 0;
bad:
	if (d != NULL) {
		explicit_bzero(d, n + 1);
		free(d);
	}
	return -1;
}

void authz_resp_free(struct authz_resp *r)
{
	secure_free(r->code);
	secure_free(r->state);
	secure_free(r->iss);
	secure_free(r->error);
	secure_free(r->error_description);
	memset(r, 0, sizeof(*r));
}

static char **resp_slot(struct authz_resp *r, const char *name)
{
	if (strcmp(name, "code") == 0)
		return &r->code;
	if (strcmp(name, "state") == 0)
		return &r->state;
	if (strcmp(name, "iss") == 0)
		return &r->iss;
	if (strcmp(name, "error") == 0)
		return &r->error;
	if (strcmp(name, "error_description") == 0)
		return &r->error_description;
	return NULL;
}

int authz_query_parse(const char *q, size_t len, struct authz_resp *r,
		      const char **why)
{
	const char *p = q, *end = q + len;

	memset(r, 0, sizeof(*r));
	*why = NULL;
	if (len == 0) {
		*why = "no response parameters";
		return -1;
	}
	if (len > AUTHZ_QUERY_MAX) {
		*why = "the response parameters are too long";
		return -1;
	}
	while (p <= end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *seg_end = amp != NULL ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(seg_end - p));
		char *name = NULL, **slot;

		if (seg_end == p) {
			*why = "an empty parameter ('&&', or '&' at an end)";
			goto bad;
		}
		if (eq == NULL || eq == p) {
			*why = "a parameter without a name or without '='";
			goto bad;
		}
		if (form_decode(p, (size_t)(eq - p), true, &name, why) != 0)
			goto bad;
		slot = resp_slot(r, name);
		free(name);
		if (slot == NULL) {
			/* unknown: ignored, but it must be well-formed */
			if (form_decode(eq + 1, (size_t)(seg_end - eq - 1),
					false, NULL, why) != 0)
				goto bad;
		} else {
			if (*slot != NULL) {
				*why = "a response parameter appears twice";
				goto bad;
			}
			if ((size_t)(seg_end - eq - 1) > AUTHZ_VALUE_MAX * 3) {
				*why = "a response parameter is too long";
				goto bad;
			}
			if (form_decode(eq + 1, (size_t)(seg_end - eq - 1),
					true, slot, why) != 0)
				goto bad;
			if (strlen(*slot) > AUTHZ_VALUE_MAX) {
				*why = "a response parameter is too long";
				goto bad;
			}
		}
		if (amp == NULL)
			break;
		p = amp + 1;
	}
	if (r->state == NULL || r->state[0] == '\0') {
		*why = "the response has no state";
		goto bad;
	}
	if ((r->code != NULL) == (r->error != NULL)) {
		*why = r->code != NULL ? "the response has both code and error"
				       : "the response has neither code nor "
					 "error";
		goto bad;
	}
	if (r->code != NULL &&
	    (r->code[0] == '\0' || !all_visible(r->code, strlen(r->code)))) {
		*why = "the code is empty or has spaces";
		goto bad;
	}
	if (r->error != NULL &&
	    (r->error[0] == '\0' || !all_visible(r->error, strlen(r->error)))) {
		*why = "the error is empty or has spaces";
		goto bad;
	}
	if (!all_visible(r->state, strlen(r->state)) ||
	    (r->iss != NULL &&
	     (r->iss[0] == '\0' || !all_visible(r->iss, strlen(r->iss))))) {
		*why = "the state or iss is empty or has spaces";
		goto bad;
	}
	return 0;
bad:
	authz_resp_free(r);
	return -1;
}

/* ------------------------------------------------------------ paste */

int authz_paste_parse(const char *answer, const char *redirect_uri,
		      struct authz_resp *r, const char **why)
{
	size_t n, rl = strlen(redirect_uri);
	const char *s = answer;

	memset(r, 0, sizeof(*r));
	*why = NULL;
	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
			 s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	if (n == 0) {
		*why = "nothing was pasted";
		return PASTE_BAD;
	}
	if (!all_visible(s, n)) {
		*why = "the answer has spaces, control or non-ASCII characters "
		       "inside";
		return PASTE_BAD;
	}
	if (n > rl && strncmp(s, redirect_uri, rl) == 0 && s[rl] == '?') {
		const char *q = s + rl + 1;
		size_t ql = n - rl - 1;

		if (memchr(q, '#', ql) != NULL) {
			*why = "the address has a fragment ('#')";
			return PASTE_BAD;
		}
		if (authz_query_parse(q, ql, r, why) != 0)
			return PASTE_BAD;
		return PASTE_URL;
	}
	if ((n >= 7 && strncasecmp(s, "http://", 7) == 0) ||
	    (n >= 8 && strncasecmp(s, "https://", 8) == 0)) {
		if (n == rl && strncmp(s, redirect_uri, rl) == 0)
			*why = "the address carries no response parameters";
		else
			*why = "the address is not the redirect_uri this "
			       "sign-in sent the browser to";
		return n == rl && strncmp(s, redirect_uri, rl) == 0
			   ? PASTE_BAD
			   : PASTE_FOREIGN;
	}
	if (n >= PASTE_CODE_MIN && n <= AUTHZ_VALUE_MAX &&
	    strspn(s, unreserved) >= n) {
		r->code = strndup(s, n);
		if (r->code == NULL) {
			*why = "out of memory";
			return PASTE_BAD;
		}
		return PASTE_CODE;
	}
	*why = "neither the address from the browser nor a code (a code is "
	       "at least 8 letters, digits, '-', '.', '_' or '~')";
	return PASTE_BAD;
}

/* ------------------------------------------------------------ listener */

static void conn_close(struct loopback *lb, size_t i)
{
	struct lb_conn *c = lb->conns[i];

	if (c == NULL)
		return;
	if (c->fd >= 0)
		close(c->fd);
	explicit_bzero(c, sizeof(*c));
	free(c);
	lb->conns[i] = NULL;
}

int loopback_open(struct loopback *lb, const struct redirect_target *t,
		  const char *state, struct oidc_err *e)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	struct strbuf sb;
	const char *host = t->ipv6 ? "[::1]" : "127.0.0.1";
	unsigned port;
	int one = 1, rc;

	memset(lb, 0, sizeof(*lb));
	lb->fd = -1;
	lb->held = -1;
	lb->read_timeout_ms = LOOPBACK_READ_TIMEOUT_MS;
	if (t->mode != REDIRECT_LOOPBACK || t->path == NULL)
		return oidc_fail(e, OIDC_EINTERNAL, "not a loopback redirect");
	memset(&ss, 0, sizeof(ss));
	if (t->ipv6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		a->sin6_port = htons((uint16_t)t->port);
		sl = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a->sin_port = htons((uint16_t)t->port);
		sl = sizeof(*a);
	}
	lb->fd =
	    socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (lb->fd < 0) {
		rc =
		    oidc_fail(e, OIDC_EINTERNAL,
			      "loopback listener: socket: %s", strerror(errno));
		goto out;
	}
	/* A fixed port comes back at once after the previous login. */
	if (t->port != 0)
		(void)setsockopt(lb->fd, SOL_SOCKET, SO_REUSEADDR, &one,
				 sizeof(one));
	if (t->ipv6)
		(void)setsockopt(lb->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
				 sizeof(one));
	if (bind(lb->fd, (struct sockaddr *)&ss, sl) != 0) {
		if (errno == EADDRINUSE)
			rc = oidc_fail(e, OIDC_EUNAVAIL,
				       "loopback listener: %s port %u is in "
				       "use (another login may be waiting; "
				       "leave the port out of redirect_uri to "
				       "use a free one)",
				       host, t->port);
		else
			rc = oidc_fail(e, OIDC_ECONFIG,
				       "loopback listener: cannot listen on %s "
				       "port %u: %s",
				       host, t->port, strerror(errno));
		goto out;
	}
	if (listen(lb->fd, LOOPBACK_MAX_CONNS) != 0) {
		rc =
		    oidc_fail(e, OIDC_EINTERNAL,
			      "loopback listener: listen: %s", strerror(errno));
		goto out;
	}
	sl = sizeof(ss);
	if (getsockname(lb->fd, (struct sockaddr *)&ss, &sl) != 0) {
		rc = oidc_fail(e, OIDC_EINTERNAL,
			       "loopback listener: getsockname: %s",
			       strerror(errno));
		goto out;
	}
	port = ntohs(t->ipv6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
			     : ((struct sockaddr_in *)&ss)->sin_port);
	sb_init(&sb);
	sb_addf(&sb, "http://%s:%u%s", host, port, t->path);
	lb->redirect_uri = sb_steal(&sb);
	lb->path = strdup(t->path);
	lb->state = strdup(state);
	if (lb->redirect_uri == NULL || lb->path == NULL || lb->state == NULL) {
		rc = oidc_fail(e, OIDC_EINTERNAL, "out of memory");
		goto out;
	}
	rc = OIDC_OK;
out:
	if (rc != OIDC_OK)
		loopback_close(lb);
	return rc;
}

static void send_all(int fd, const char *buf, size_t n)
{
	/* The answers are small: one send fits the socket buffer. */
	while (n > 0) {
		ssize_t w = send(fd, buf, n, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		buf += w;
		n -= (size_t)w;
	}
}

static void respond(int fd, const char *status, const char *type,
		    const char *body)
{
	struct strbuf sb;
	char *msg;

	sb_init(&sb);
	sb_addf(&sb,
		"HTTP/1.1 %s\r\n"
		"Content-Type: %s; charset=utf-8\r\n"
		"Content-Length: %zu\r\n"
		"Cache-Control: no-store\r\n"
		"Referrer-Policy: no-referrer\r\n"
		"Content-Security-Policy: default-src 'none'\r\n"
		"X-Content-Type-Options: nosniff\r\n"
		"Connection: close\r\n\r\n%s",
		status, type, strlen(body), body);
	msg = sb_steal(&sb);
	if (msg == NULL)
		return;
	send_all(fd, msg, strlen(msg));
	free(msg);
	(void)shutdown(fd, SHUT_WR);
}

static void respond_400(int fd)
{
	respond(fd, "400 Bad Request", "text/plain",
		"This is not the sign-in response this computer is waiting "
		"for.\n");
}

/* A complete request in c->buf: 1 when it is the response (r filled),
 * 0 when it was answered 400. */
static int handle_request(struct loopback *lb, struct lb_conn *c,
			  struct authz_resp *r)
{
	const char *line_end, *target, *sp, *q;
	size_t tl, pl, sl;
	const char *why;

	line_end = strstr(c->buf, "\r\n");
	if (line_end == NULL || strncmp(c->buf, "GET ", 4) != 0)
		goto stray;
	target = c->buf + 4;
	sp = memchr(target, ' ', (size_t)(line_end - target));
	if (sp == NULL || sp == target || ((size_t)(line_end - sp) != 9) ||
	    (strncmp(sp, " HTTP/1.1", 9) != 0 &&
	     strncmp(sp, " HTTP/1.0", 9) != 0))
		goto stray;
	tl = (size_t)(sp - target);
	if (target[0] != '/' || !all_visible(target, tl) ||
	    memchr(target, '#', tl) != NULL)
		goto stray;
	q = memchr(target, '?', tl);
	if (q == NULL)
		goto stray;
	pl = (size_t)(q - target);
	if (pl != strlen(lb->path) || memcmp(target, lb->path, pl) != 0)
		goto stray;
	if (authz_query_parse(q + 1, tl - pl - 1, r, &why) != 0)
		goto stray;
	sl = strlen(lb->state);
	if (strlen(r->state) != sl ||
	    CRYPTO_memcmp(r->state, lb->state, sl) != 0) {
		authz_resp_free(r);
		goto stray;
	}
	return 1;
stray:
	lb->stray++;
	respond_400(c->fd);
	return 0;
}

/* Read what is there; 1 when the response arrived, 0 otherwise. */
static int conn_read(struct loopback *lb, size_t i, struct authz_resp *r)
{
	struct lb_conn *c = lb->conns[i];
	ssize_t n;

	for (;;) {
		n = recv(c->fd, c->buf + c->len, LOOPBACK_MAX_REQUEST - c->len,
			 MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		break;
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n <= 0) {
		conn_close(lb, i);
		return 0;
	}
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	if (memchr(c->buf, '\0', c->len) != NULL) {
		lb->stray++;
		respond_400(c->fd);
		conn_close(lb, i);
		return 0;
	}
	if (strstr(c->buf, "\r\n\r\n") == NULL) {
		if (c->len == LOOPBACK_MAX_REQUEST) {
			lb->stray++;
			respond_400(c->fd);
			conn_close(lb, i);
		}
		return 0;
	}
	if (handle_request(lb, c, r) == 1) {
		size_t k;

		lb->held = c->fd;
		c->fd = -1;
		conn_close(lb, i);
		/* exactly one: nobody else gets an answer from now on */
		for (k = 0; k < LOOPBACK_MAX_CONNS; k++)
			conn_close(lb, k);
		if (lb->fd >= 0) {
			close(lb->fd);
			lb->fd = -1;
		}
		return 1;
	}
	conn_close(lb, i);
	return 0;
}

/* A free slot; when all are taken, the oldest connection makes room (a
 * browser's request is never the oldest for long, idle hogs are). */
static size_t free_slot(struct loopback *lb)
{
	size_t i, oldest = 0;

	for (i = 0; i < LOOPBACK_MAX_CONNS; i++) {
		if (lb->conns[i] == NULL)
			return i;
		if (lb->conns[i]->deadline_ms < lb->conns[oldest]->deadline_ms)
			oldest = i;
	}
	conn_close(lb, oldest);
	return oldest;
}

static void accept_all(struct loopback *lb)
{
	for (;;) {
		struct lb_conn *c;
		size_t i;
		int fd =
		    accept4(lb->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return;
		i = free_slot(lb);
		c = malloc(sizeof(*c));
		if (c == NULL) {
			close(fd);
			continue;
		}
		c->fd = fd;
		c->len = 0;
		c->buf[0] = '\0';
		c->deadline_ms = mono_ms() + lb->read_timeout_ms;
		lb->conns[i] = c;
	}
}

enum lb_event loopback_wait(struct loopback *lb, int other_fd, int timeout_ms,
			    struct authz_resp *r)
{
	struct pollfd pfd[LOOPBACK_MAX_CONNS + 2];
	size_t idx[LOOPBACK_MAX_CONNS];
	nfds_t n = 0, first_conn, other = (nfds_t)-1, k;
	long long now = mono_ms(), wait = timeout_ms;
	size_t i, nconn = 0;
	int prc;

	memset(r, 0, sizeof(*r));
	if (lb->fd >= 0) {
		pfd[n].fd = lb->fd;
		pfd[n].events = POLLIN;
		pfd[n].revents = 0;
		n++;
	}
	first_conn = n;
	for (i = 0; i < LOOPBACK_MAX_CONNS; i++) {
		struct lb_conn *c = lb->conns[i];

		if (c == NULL)
			continue;
		if (c->deadline_ms - now < wait)
			wait = c->deadline_ms - now;
		pfd[n].fd = c->fd;
		pfd[n].events = POLLIN;
		pfd[n].revents = 0;
		idx[nconn++] = i;
		n++;
	}
	if (other_fd >= 0) {
		other = n;
		pfd[n].fd = other_fd;
		pfd[n].events = POLLIN;
		pfd[n].revents = 0;
		n++;
	}
	if (wait < 0)
		wait = 0;
	prc = poll(pfd, n, (int)wait);
	if (prc < 0)
		return errno == EINTR ? LB_NOTHING : LB_ERROR;
	for (k = 0; k < nconn; k++) {
		if (pfd[first_conn + k].revents == 0)
			continue;
		if (conn_read(lb, idx[k], r) == 1)
			return LB_RESPONSE;
	}
	/* connections that stayed silent too long */
	now = mono_ms();
	for (i = 0; i < LOOPBACK_MAX_CONNS; i++)
		if (lb->conns[i] != NULL && lb->conns[i]->deadline_ms <= now)
			conn_close(lb, i);
	if (lb->fd >= 0 && first_conn == 1 && pfd[0].revents != 0)
		accept_all(lb);
	if (other != (nfds_t)-1 && pfd[other].revents != 0)
		return LB_OTHER;
	return LB_NOTHING;
}

static void html_escape(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			sb_add(sb, "&amp;");
			break;
		case '<':
			sb_add(sb, "&lt;");
			break;
		case '>':
			sb_add(sb, "&gt;");
			break;
		case '"':
			sb_add(sb, "&quot;");
			break;
		default:
			sb_addc(sb, *s);
			break;
		}
	}
}

void loopback_reply(struct loopback *lb, bool ok, const char *message)
{
	struct strbuf sb;
	char *page;

	if (lb->held < 0)
		return;
	sb_init(&sb);
	sb_add(&sb, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
		    "<meta charset=\"utf-8\"><title>");
	sb_add(&sb, ok ? "Signed in" : "Sign-in failed");
	sb_add(&sb, "</title></head>\n<body><p>");
	html_escape(&sb, message);
	sb_add(&sb, "</p></body></html>\n");
	page = sb_steal(&sb);
	if (page != NULL)
		respond(lb->held, "200 OK", "text/html", page);
	free(page);
	close(lb->held);
	lb->held = -1;
}

void loopback_close(struct loopback *lb)
{
	size_t i;

	for (i = 0; i < LOOPBACK_MAX_CONNS; i++)
		conn_close(lb, i);
	if (lb->fd >= 0)
		close(lb->fd);
	if (lb->held >= 0)
		close(lb->held);
	lb->fd = -1;
	lb->held = -1;
	free(lb->redirect_uri);
	free(lb->path);
	secure_free(lb->state);
	lb->redirect_uri = NULL;
	lb->path = NULL;
	lb->state = NULL;
}
