/* SPDX-License-Identifier: BSD-3-Clause */
/* struct ui over the module's socket (protocol.h). */
#include "ui_pam.h"

#include <errno.h>
#include <poll.h>
#include <string.h>

#include "protocol.h"

volatile sig_atomic_t ui_terminate;

static int send_text(struct ui *ui, uint32_t type, const char *text)
{
	struct po_buf b;
	int rc;

	po_buf_init(&b);
	rc = po_put_str(&b, text);
	if (rc == PO_OK)
		rc = po_send(ui->fd, type, &b);
	po_buf_free(&b);
	return rc == PO_OK ? 0 : -1;
}

static int pam_info(struct ui *ui, const char *text)
{
	return send_text(ui, PO_INFO, text);
}

static int pam_error(struct ui *ui, const char *text)
{
	return send_text(ui, PO_ERROR, text);
}

static int pam_prompt(struct ui *ui, const char *text, bool echo)
{
	struct po_buf b;
	int rc;

	po_buf_init(&b);
	rc = po_put_u32(&b, echo ? 1 : 0);
	if (rc == PO_OK)
		rc = po_put_str(&b, text);
	if (rc == PO_OK)
		rc = po_send(ui->fd, PO_PROMPT, &b);
	po_buf_free(&b);
	if (rc != PO_OK)
		return -1;
	ui->prompt_pending = true;
	return 0;
}

static enum ui_wait pam_wait(struct ui *ui, int timeout_ms, char **answer)
{
	struct pollfd pfd = {.fd = ui->fd, .events = POLLIN};
	struct po_buf b;
	uint32_t type = 0;
	enum ui_wait ret;
	int rc;

	*answer = NULL;
	for (;;) {
		if (ui_terminate)
			return UI_GONE;
		rc = poll(&pfd, 1, timeout_ms);
		if (rc < 0 && errno == EINTR)
			continue;
		break;
	}
	if (rc == 0)
		return UI_TIMEOUT;
	if (rc < 0)
		return UI_GONE;
	po_buf_init(&b);
	/* A frame has started: the rest must follow promptly. */
	rc = po_recv(ui->fd, &type, &b, 5000);
	if (rc == PO_EIO || rc == PO_ETIMEOUT) {
		ret = UI_GONE;
	} else if (rc != PO_OK) {
		ret = UI_ABORT;
	} else if (type == PO_CONV_FAIL && po_end(&b) == PO_OK) {
		ret = UI_ABORT;
	} else if (type == PO_ANSWER && ui->prompt_pending &&
		   po_get_str(&b, answer) == PO_OK && po_end(&b) == PO_OK) {
		ui->prompt_pending = false;
		ret = UI_ANSWER;
	} else {
		secure_answer_free(answer);
		ret = UI_ABORT; /* unexpected message: treat as fatal */
	}
	po_buf_free(&b);
	return ret;
}

static int pam_deadline(struct ui *ui, unsigned seconds)
{
	struct po_buf b;
	int rc;

	po_buf_init(&b);
	rc = po_put_u32(&b, seconds);
	if (rc == PO_OK)
		rc = po_send(ui->fd, PO_DEADLINE, &b);
	po_buf_free(&b);
	return rc == PO_OK ? 0 : -1;
}

void secure_answer_free(char **answer)
{
	po_free_secret(*answer);
	*answer = NULL;
}

void ui_pam_init(struct ui *ui, int fd, bool enter_prompt, bool utf8)
{
	memset(ui, 0, sizeof(*ui));
	ui->info = pam_info;
	ui->error = pam_error;
	ui->prompt = pam_prompt;
	ui->wait = pam_wait;
	ui->deadline = pam_deadline;
	ui->enter_prompt = enter_prompt;
	ui->utf8 = utf8;
	ui->fd = fd;
}

int ui_pam_verdict(int fd, uint32_t result, const char *account,
		   const char *reason)
{
	struct po_buf b;
	int rc;

	po_buf_init(&b);
	rc = po_put_u32(&b, result);
	if (rc == PO_OK)
		rc = po_put_str(&b, account);
	if (rc == PO_OK)
		rc = po_put_str(&b, reason);
	if (rc == PO_OK)
		rc = po_send(fd, PO_VERDICT, &b);
	po_buf_free(&b);
	return rc == PO_OK ? 0 : -1;
}
