/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * How the login talks to the person: through the PAM module (ui_pam.c) or,
 * for `pam-oidc login`, directly on a terminal.  Prompts are asynchronous:
 * the flow starts a prompt and keeps working (polling the provider) while it
 * waits for the answer.
 */
#ifndef PAM_OIDC_UI_H
#define PAM_OIDC_UI_H

#include <stdbool.h>

enum ui_wait {
	UI_TIMEOUT = 0, /* nothing happened within the time */
	UI_ANSWER = 1,  /* an answer to the pending prompt arrived */
	UI_ABORT = 2,   /* the conversation failed or the user aborted */
	UI_GONE = 3,    /* the other side went away */
};

struct ui {
	int (*info)(struct ui *ui, const char *text);
	int (*error)(struct ui *ui, const char *text);
	/* Start a prompt; the answer is collected by wait(). */
	int (*prompt)(struct ui *ui, const char *text, bool echo);
	/* Wait up to timeout_ms (>= 0) for something from the person.  On
	 * UI_ANSWER, *answer is malloc'd (wipe with secure_free). */
	enum ui_wait (*wait)(struct ui *ui, int timeout_ms, char **answer);
	/* Tell the caller the login ends within this many seconds. */
	int (*deadline)(struct ui *ui, unsigned seconds);
	bool enter_prompt; /* end instructions with a prompt (SSH) */
	bool utf8;         /* the terminal shows UTF-8 */
	int fd;            /* implementation data */
	bool prompt_pending;
};

#endif
