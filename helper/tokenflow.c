/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flow = token: an ID token that the person obtained elsewhere is pasted at
 * the prompt.  login_run() verifies it completely (verify_id_token) and then
 * calls token_flow_accept(), which lets each token in only once.
 *
 * A long paste can arrive cut short on its way to the prompt; each program
 * on the way cuts silently at its own length (see "TOKEN FLOW" in
 * pam_oidc(8)).  A token of exactly such a length that is incomplete is
 * refused here in words that name the limit, instead of as a bad signature.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "claims.h"
#include "jose.h"
#include "json.h"
#include "login.h"
#include "protocol.h"
#include "replay.h"
#include "util.h"

#define TOKEN_PROMPT "ID token: "

/* Lengths at which a longer answer arrives cut short, and who cuts. */
static const struct cut_point {
	size_t len;
	const char *admin; /* for the reason */
	const char *user;  /* for the person at the prompt */
} cut_points[] = {
    {511,
     "the 512-byte answer buffer of Linux-PAM's text conversation "
     "(misc_conv) before 1.5.2",
     "this program passes at most 511 characters"},
    {1023,
     "the 1024-byte answer buffer of the OpenSSH client (ssh), for "
     "keyboard-interactive and password prompts alike",
     "the ssh client sends at most 1023 characters"},
    {4095,
     "the 4096-byte line of a terminal in canonical mode, and of Linux-PAM's "
     "text conversation (misc_conv) since 1.5.2",
     "a terminal line holds at most 4095 characters"},
    {PO_MAX_STRING, "the largest answer that pam_oidc.so relays",
     "pam_oidc passes at most 32768 characters"},
};

static const struct cut_point *cut_point_at(size_t len)
{
	for (size_t i = 0; i < sizeof(cut_points) / sizeof(cut_points[0]); i++)
		if (cut_points[i].len == len)
			return &cut_points[i];
	return NULL;
}

/* The token arrived incomplete: say where it was cut, when we know. */
static int cut_short(struct login *l, size_t len, const char *what)
{
	const struct cut_point *cp = cut_point_at(len);
	char msg[256];

	if (cp != NULL) {
		snprintf(msg, sizeof(msg),
			 "The token arrived cut short: %s. It cannot be used "
			 "this way; ask IT support for a way that takes the "
			 "whole token.",
			 cp->user);
		oidc_user_msg(&l->err, msg);
		return oidc_fail(&l->err, OIDC_EREJECT,
				 RULE_TOKEN_FORMAT
				 ": the pasted token is incomplete (%s): it is "
				 "%zu bytes long, the limit of %s, so a longer "
				 "token was cut short on its way to the prompt",
				 what, len, cp->admin);
	}
	oidc_user_msg(&l->err, "The token is incomplete: copy all of it, on "
			       "one line, and try again.");
	return oidc_fail(&l->err, OIDC_EREJECT,
			 RULE_TOKEN_FORMAT
			 ": the pasted token is incomplete (%s); it is %zu "
			 "bytes long: it was not copied whole",
			 what, len);
}

/* The shortest signature an algorithm can have, in bytes (0: unknown). */
static size_t min_sig_len(const char *alg)
{
	static const struct {
		const char *alg;
		size_t len;
	} sigs[] = {
	    {"ES256", 64},  {"ES384", 96},  {"ES512", 132}, {"EdDSA", 64},
	    {"RS256", 256}, {"RS384", 256}, {"RS512", 256}, {"PS256", 256},
	    {"PS384", 256}, {"PS512", 256},
	};

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (strcmp(alg, sigs[i].alg) == 0)
			return sigs[i].len;
	return 0;
}

static bool is_b64url(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

static int not_a_token(struct login *l, const char *rule, const char *why)
{
	oidc_user_msg(&l->err, "That is not an ID token: an ID token is one "
			       "line of three parts separated by dots.");
	return oidc_fail(&l->err, OIDC_EREJECT,
			 "%s: the pasted text is not a compact JWT: %s", rule,
			 why);
}

/*
 * The shape of a compact JWS: three base64url parts; then the header's alg
 * and the signature length, to tell a token cut short from a bad one.  The
 * reasons name offsets and byte values, never the text itself.
 */
static int check_shape(struct login *l, const char *tok, size_t len)
{
	const struct cut_point *cp = cut_point_at(len);
	struct oidc_err perr;
	struct jws *jws = NULL;
	const char *dot1, *dot2;
	size_t dots = 0, need;
	char why[160];
	int rc;

	if (len == 0) {
		oidc_user_msg(&l->err, "No token was entered.");
		return oidc_fail(&l->err, OIDC_EABORT,
				 "no token was entered at the prompt");
	}
	if (len > JWS_MAX_COMPACT) {
		oidc_user_msg(&l->err, "That is too long to be an ID token.");
		return oidc_fail(&l->err, OIDC_EREJECT,
				 RULE_TOKEN_SIZE
				 ": the pasted token is %zu bytes, more than "
				 "the %d accepted",
				 len, JWS_MAX_COMPACT);
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)tok[i];

		if (c == '.') {
			dots++;
		} else if (is_space(c)) {
			oidc_user_msg(&l->err,
				      "The token has a space or line break "
				      "in it: paste it as one line.");
			return oidc_fail(&l->err, OIDC_EREJECT,
					 RULE_TOKEN_FORMAT
					 ": the pasted token has whitespace at "
					 "offset %zu",
					 i);
		} else if (!is_b64url(c)) {
			snprintf(why, sizeof(why),
				 "byte 0x%02x at offset %zu is not base64url",
				 c, i);
			return not_a_token(l, RULE_BASE64URL, why);
		}
	}
	dot1 = memchr(tok, '.', len);
	dot2 = dot1 != NULL
		   ? memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - tok))
		   : NULL;
	if (dots != 2 || dot1 == tok || dot2 == dot1 + 1) {
		if (cp != NULL && dots < 2)
			return cut_short(l, len, "fewer than three parts");
		if (dots == 4)
			return not_a_token(l, RULE_TOKEN_FORMAT,
					   "it has five parts: an encrypted "
					   "token (JWE) cannot be used, paste "
					   "the signed ID token");
		snprintf(why, sizeof(why),
			 "it has %zu dot-separated parts%s, a compact JWT has "
			 "three",
			 dots + 1,
			 dots == 2 ? " and an empty header or payload" : "");
		return not_a_token(l, RULE_TOKEN_FORMAT, why);
	}

	/* Header rules (none, HS*, crit, typ) and base64url strictness. */
	oidc_err_clear(&perr);
	rc = jws_parse(tok, len, &jws, &perr);
	if (rc != OIDC_OK) {
		if (cp != NULL && rc == OIDC_EREJECT)
			return cut_short(l, len, perr.reason);
		oidc_user_msg(&l->err, "That is not a valid ID token.");
		return oidc_fail(&l->err, (enum oidc_rc)rc, "%s", perr.reason);
	}
	/* A short signature means "cut short" only at a cut point; anywhere
	 * else verification names the real rule (a weak key, a bad
	 * signature). */
	need = min_sig_len(jws->alg);
	if (cp != NULL && jws->sig_len < need) {
		snprintf(why, sizeof(why),
			 "the %s signature is %zu bytes, at least %zu expected",
			 jws->alg, jws->sig_len, need);
		jws_free(jws);
		return cut_short(l, len, why);
	}
	jws_free(jws);
	if (cp != NULL) {
		/* Complete as far as we can tell, but exactly at a limit: if
		 * the signature does not verify, this is the likely cause.
		 * verify_id_token() keeps a message that is already set;
		 * token_flow_accept() clears it once the token verified. */
		snprintf(why, sizeof(why),
			 "The token is exactly %zu characters long and %s: if "
			 "it was longer, it was cut short.",
			 len, cp->user);
		oidc_user_msg(&l->err, why);
	}
	return OIDC_OK;
}

/* Prompt (echo off) and wait for the answer until the login deadline. */
static int read_answer(struct login *l, char **answer)
{
	long long left = l->deadline_ms - mono_ms();

	if (left < 0)
		left = 0;
	/* The verdict follows the answer after at most a JWKS download. */
	(void)l->ui->deadline(
	    l->ui, (unsigned)(left / 1000 + l->cfg->timeout * 2 + 5));
	if (l->ui->prompt(l->ui, TOKEN_PROMPT, false) != 0)
		return oidc_fail(&l->err, OIDC_EABORT,
				 "the conversation went away");
	for (;;) {
		enum ui_wait w = login_wait_until(l, l->deadline_ms, answer);

		switch (w) {
		case UI_ANSWER:
			return OIDC_OK;
		case UI_ABORT:
			return oidc_fail(&l->err, OIDC_EABORT,
					 "the sign-in was cancelled at the "
					 "prompt");
		case UI_GONE:
			return oidc_fail(&l->err, OIDC_EABORT,
					 "the login was abandoned (connection "
					 "closed)");
		case UI_TIMEOUT:
			break;
		}
		if (mono_ms() >= l->deadline_ms) {
			oidc_user_msg(&l->err, "The sign-in took too long "
					       "\xe2\x80\x94 try again.");
			return oidc_fail(&l->err, OIDC_EABORT,
					 "login_timeout (%ld s) reached before "
					 "a token was entered",
					 l->cfg->login_timeout);
		}
	}
}

int token_flow(struct login *l, char **id_token)
{
	char *answer = NULL;
	size_t start = 0, end, n, len;
	int rc;

	*id_token = NULL;
	rc = read_answer(l, &answer);
	if (rc != OIDC_OK)
		goto out;
	/* Trim surrounding whitespace in place, wiping what is left over. */
	n = end = strlen(answer);
	while (start < end && is_space((unsigned char)answer[start]))
		start++;
	while (end > start && is_space((unsigned char)answer[end - 1]))
		end--;
	len = end - start;
	memmove(answer, answer + start, len);
	explicit_bzero(answer + len, n - len);
	rc = check_shape(l, answer, len);
	if (rc != OIDC_OK)
		goto out;
	*id_token = answer;
	answer = NULL;
out:
	secure_free(answer);
	return rc;
}

int token_flow_accept(struct login *l, const char *id_token)
{
	const char *dir =
	    l->cfg->cache_dir != NULL ? l->cfg->cache_dir : PAM_OIDC_CACHE_DIR;
	int64_t exp = 0;
	int rc;

	/* The token verified: a hint about a cut-short paste is moot. */
	oidc_user_msg(&l->err, "");
	if (l->claims == NULL || json_int64(l->claims, "exp", &exp) != 0)
		return oidc_fail(&l->err, OIDC_EINTERNAL,
				 "token flow: no verified exp claim");
	rc = replay_record(dir, 0, id_token, exp, l->cfg->leeway, time(NULL),
			   NULL, &l->err);
	if (rc == OIDC_EREJECT)
		oidc_user_msg(&l->err, "This token was already used. Get a new "
				       "token and try again.");
	return rc;
}
