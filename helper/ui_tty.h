/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * struct ui (ui.h) on a terminal, for `pam-oidc login`: information on
 * stdout, errors on stderr, prompts answered on stdin, read while the login
 * goes on polling the provider (poll(2) on fd 0).  UTF-8 output (the QR code
 * in half blocks) when the locale's codeset is UTF-8.
 *
 * Whatever reaches the terminal passes tty_escape() first: text from a
 * provider or a token may hold escape sequences, C1 controls or
 * bidirectional overrides that would rewrite what the admin reads.
 */
#ifndef PAM_OIDC_UI_TTY_H
#define PAM_OIDC_UI_TTY_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <termios.h>

#include "ui.h"

/* The longest answer accepted at a prompt (a compact ID token fits). */
#define UI_TTY_MAX_ANSWER (64 * 1024 + 2)

struct ui_tty {
	struct ui ui; /* first member: the callbacks get &t->ui */
	FILE *out, *err;
	char *buf; /* what was typed so far (wiped when freed) */
	size_t len;
	bool overflow; /* the line being typed is too long */
	bool raw;      /* terminal modes changed for a hidden prompt */
	bool is_tty;   /* fd 0 is a terminal */
	struct termios saved;
};

/* The last of SIGINT, SIGTERM, SIGHUP caught (0: none), once
 * ui_tty_catch_signals() ran.  wait() then answers UI_ABORT for SIGINT
 * (the person pressed Ctrl-C), UI_GONE for the others. */
extern volatile sig_atomic_t ui_tty_signal;

/* Set up on fd 0, stdout and stderr.  Sets the locale's LC_CTYPE from the
 * environment (setlocale(LC_CTYPE, "")) to learn whether the terminal shows
 * UTF-8.  enter_prompt is false: a terminal login needs no key press. */
void ui_tty_init(struct ui_tty *t);
/* Restore the terminal's modes and wipe a half-typed answer. */
void ui_tty_cleanup(struct ui_tty *t);
/* Catch SIGINT, SIGTERM and SIGHUP (without SA_RESTART) so that a waiting
 * login ends cleanly, with its audit line and the terminal restored. */
void ui_tty_catch_signals(void);

enum {
	TTY_KEEP_NEWLINES = 1 << 0, /* keep '\n' and '\t' as they are */
	TTY_UTF8 = 1 << 1,	    /* keep printable non-ASCII characters */
};

/*
 * s made safe to print: ASCII control characters (but '\n' and '\t' with
 * TTY_KEEP_NEWLINES), DEL, C1 controls, the bidirectional and line
 * separator controls (U+061C, U+200E, U+200F, U+2028..U+202E,
 * U+2066..U+2069) and, without TTY_UTF8, every other non-ASCII character
 * become \uXXXX (UTF-16 escapes, so pretty JSON stays valid JSON); bytes
 * that are not well-formed UTF-8 become \xHH.  Returns a malloc'd string or
 * NULL (out of memory).
 */
char *tty_escape(const char *s, unsigned flags);

/* tty_escape(s) followed by '\n' on f; flags as above.  Out of memory:
 * prints a fixed note instead. */
void tty_print(FILE *f, const char *s, unsigned flags);

#endif
