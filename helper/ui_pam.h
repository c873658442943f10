/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PAM_OIDC_UI_PAM_H
#define PAM_OIDC_UI_PAM_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "ui.h"

/* Set from a signal handler (SIGTERM, SIGHUP, SIGINT): the application
 * went away; wait() then answers UI_GONE. */
extern volatile sig_atomic_t ui_terminate;

void ui_pam_init(struct ui *ui, int fd, bool enter_prompt, bool utf8);
/* Send the final VERDICT (protocol.h). */
int ui_pam_verdict(int fd, uint32_t result, const char *account,
		   const char *reason);
void secure_answer_free(char **answer);

#endif
