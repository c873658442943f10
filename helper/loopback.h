/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where the authorization response arrives (the code flow's redirect):
 *
 *  - redirect_uri_parse() tells the two modes apart: a loopback listener
 *    (http://127.0.0.1[:port]/path or http://[::1][:port]/path, RFC 8252
 *    §7.3) or an https page whose address the person pastes back (paste
 *    mode, for SSH where the browser runs elsewhere).
 *  - authz_query_parse() reads the response parameters from a query
 *    string (RFC 6749 §4.1.2, RFC 9207 iss), strictly: every '%' followed
 *    by two hex digits, '+' is a space, no control characters, no empty or
 *    nameless parameter, no response parameter twice; unknown parameters
 *    are ignored (RFC 6749 §4.1.2).
 *  - authz_paste_parse() reads what was pasted at the prompt: the whole
 *    address (it must start with the redirect_uri exactly, followed by '?'
 *    and the query) or the bare code.
 *  - struct loopback is the listener: bound to the loopback address only
 *    (an ephemeral port when the redirect_uri names none), it serves at
 *    most LOOPBACK_MAX_CONNS connections at a time, reads at most
 *    LOOPBACK_MAX_REQUEST bytes of each request within read_timeout_ms (when
 *    all are busy, the oldest connection is dropped for a new one), and
 *    accepts exactly one request: a GET of the path whose query is a
 *    well-formed response carrying the expected state.  Every other request
 *    is answered 400 and the wait goes on.  After the accepted one the
 *    listener is closed; the browser's connection is held until
 *    loopback_reply() tells it how the sign-in ended.
 */
#ifndef PAM_OIDC_LOOPBACK_H
#define PAM_OIDC_LOOPBACK_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define REDIRECT_URI_MAX 2048
#define AUTHZ_QUERY_MAX 8192 /* bytes of a response query string */
#define AUTHZ_VALUE_MAX 4096 /* bytes of one decoded parameter */
#define PASTE_CODE_MIN 8     /* a bare code: 8..AUTHZ_VALUE_MAX characters */

#define LOOPBACK_MAX_REQUEST 8192 /* request line and headers */
#define LOOPBACK_MAX_CONNS 16
#define LOOPBACK_READ_TIMEOUT_MS 5000

enum redirect_mode { REDIRECT_LOOPBACK = 1, REDIRECT_PASTE = 2 };

struct redirect_target {
	enum redirect_mode mode;
	bool ipv6;	  /* loopback on [::1] rather than 127.0.0.1 */
	unsigned port;	  /* loopback: 0 when none is given (ephemeral) */
	const char *path; /* loopback: points into the parsed URI */
};

/* Classify a redirect_uri.  Returns 0, or -1 with *why saying what is
 * wrong (a query, fragment, user information, "localhost", plain http to
 * another host, a missing path, a bad port). */
int redirect_uri_parse(const char *uri, struct redirect_target *t,
		       const char **why);

/* The response parameters (malloc'd, NUL-terminated; NULL when absent). */
struct authz_resp {
	char *code;
	char *state;
	char *iss;
	char *error;
	char *error_description;
};

/* Parse q[0..len) (without the '?').  Requires state and exactly one of
 * code and error.  Returns 0, or -1 with *why (a constant string) set. */
int authz_query_parse(const char *q, size_t len, struct authz_resp *r,
		      const char **why);

enum paste_kind {
	PASTE_URL = 1,	    /* the whole address: r has state, code or error */
	PASTE_CODE = 2,	    /* a bare code: only r->code is set */
	PASTE_FOREIGN = -2, /* an http(s) address for another redirect URI */
	PASTE_BAD = -1,	    /* neither an address nor a code */
};

/* Parse a pasted answer (blanks around it are ignored) against the
 * redirect_uri that was sent.  Returns an enum paste_kind; for the negative
 * ones *why says what is wrong and r is empty. */
int authz_paste_parse(const char *answer, const char *redirect_uri,
		      struct authz_resp *r, const char **why);

/* Wipe and free the parameters. */
void authz_resp_free(struct authz_resp *r);

struct lb_conn;

struct loopback {
	int fd;		     /* the listening socket, -1 once closed */
	int held;	     /* the accepted request's connection */
	char *redirect_uri;  /* as sent: with the actual port */
	char *path;	     /* the path requests must ask for */
	char *state;	     /* the expected state (wiped) */
	int read_timeout_ms; /* per connection */
	unsigned stray;	     /* requests answered 400 so far */
	struct lb_conn *conns[LOOPBACK_MAX_CONNS];
};

/* Listen for the response to the request carrying state.  t must be a
 * REDIRECT_LOOPBACK target.  OIDC_EUNAVAIL when the port is in use. */
int loopback_open(struct loopback *lb, const struct redirect_target *t,
		  const char *state, struct oidc_err *e);

enum lb_event {
	LB_ERROR = -1,	 /* poll failed */
	LB_NOTHING = 0,	 /* the time passed, or a signal arrived */
	LB_RESPONSE = 1, /* *r holds the accepted response */
	LB_OTHER = 2,	 /* other_fd is readable */
};

/* Serve connections for up to timeout_ms, returning early when the
 * response arrives or other_fd (-1: none) becomes readable. */
enum lb_event loopback_wait(struct loopback *lb, int other_fd, int timeout_ms,
			    struct authz_resp *r);

/* Answer the held connection with a small page (200): ok says whether the
 * sign-in went through; message is plain text (HTML-escaped here).  Then
 * close it.  Without a held connection, nothing happens. */
void loopback_reply(struct loopback *lb, bool ok, const char *message);

/* Close everything and wipe the state.  Safe to call twice. */
void loopback_close(struct loopback *lb);

#endif
