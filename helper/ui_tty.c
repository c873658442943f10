/* SPDX-License-Identifier: BSD-3-Clause */
/* struct ui on a terminal (ui_tty.h). */
#include "ui_tty.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

volatile sig_atomic_t ui_tty_signal;

/* ------------------------------------------------------------------------ */
/* escaping                                                                 */

/* Length of the well-formed UTF-8 sequence at s (1..4) and its code point,
 * or 0 when s does not start one (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF). */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		*cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		*cp = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		*cp = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		unsigned char b = s[i];

		if (b < (i == 1 ? lo : 0x80) || b > (i == 1 ? hi : 0xbf))
			return 0;
		*cp = *cp << 6 | (b & 0x3f);
	}
	return n;
}

/* Characters that change how the rest of a line is shown. */
static bool cp_is_format_control(uint32_t cp)
{
	return cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

static void add_u_escape(struct strbuf *sb, uint32_t cp)
{
	if (cp > 0xffff) {
		cp -= 0x10000;
		sb_addf(sb, "\\u%04x\\u%04x", (unsigned)(0xd800 + (cp >> 10)),
			(unsigned)(0xdc00 + (cp & 0x3ff)));
	} else {
		sb_addf(sb, "\\u%04x", (unsigned)cp);
	}
}

char *tty_escape(const char *s, unsigned flags)
{
	const unsigned char *p = (const unsigned char *)s;
	struct strbuf sb;

	sb_init(&sb);
	sb_add(&sb, ""); /* an empty string is a string, not NULL */
	while (*p != '\0') {
		uint32_t cp = 0;
		size_t n = utf8_decode(p, &cp);

		if (n == 0) {
			sb_addf(&sb, "\\x%02x", (unsigned)*p);
			p++;
			continue;
		}
		if (cp < 0x20 || cp == 0x7f) {
			if ((flags & TTY_KEEP_NEWLINES) &&
			    (cp == '\n' || cp == '\t'))
				sb_addc(&sb, (char)cp);
			else
				add_u_escape(&sb, cp);
		} else if (cp >= 0x80 &&
			   (cp <= 0x9f || cp_is_format_control(cp) ||
			    !(flags & TTY_UTF8))) {
			add_u_escape(&sb, cp);
		} else {
			sb_addn(&sb, (const char *)p, n);
		}
		p += n;
	}
	return sb_steal(&sb);
}

void tty_print(FILE *f, const char *s, unsigned flags)
{
	char *safe = tty_escape(s, flags);

	if (safe == NULL) {
		fputs("(out of memory)\n", f);
	} else {
		fputs(safe, f);
		fputc('\n', f);
		free(safe);
	}
	fflush(f);
}

/* ------------------------------------------------------------------------ */
/* the terminal                                                             */

static unsigned text_flags(const struct ui_tty *t)
{
	return TTY_KEEP_NEWLINES | (t->ui.utf8 ? TTY_UTF8 : 0);
}

static int tty_info(struct ui *ui, const char *text)
{
	struct ui_tty *t = (struct ui_tty *)ui;

	tty_print(t->out, text, text_flags(t));
	return ferror(t->out) ? -1 : 0;
}

static int tty_error(struct ui *ui, const char *text)
{
	struct ui_tty *t = (struct ui_tty *)ui;

	fflush(t->out);
	tty_print(t->err, text, text_flags(t));
	return 0;
}

static void restore_modes(struct ui_tty *t)
{
	if (t->raw) {
		(void)tcsetattr(t->ui.fd, TCSANOW, &t->saved);
		t->raw = false;
	}
}

/*
 * A hidden answer (a token pasted at the prompt) is read with the terminal's
 * echo off and, because a line in canonical mode is limited to 4095 bytes,
 * byte by byte: Enter ends it, Backspace and Ctrl-U edit it here.  Signals
 * (Ctrl-C) stay on.
 */
static int hide_input(struct ui_tty *t)
{
	struct termios tio;

	if (tcgetattr(t->ui.fd, &t->saved) != 0)
		return -1;
	tio = t->saved;
	tio.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL | ICANON);
	tio.c_cc[VMIN] = 1;
	tio.c_cc[VTIME] = 0;
	if (tcsetattr(t->ui.fd, TCSANOW, &tio) != 0)
		return -1;
	t->raw = true;
	return 0;
}

static int tty_prompt(struct ui *ui, const char *text, bool echo)
{
	struct ui_tty *t = (struct ui_tty *)ui;
	char *safe;

	if (t->buf == NULL) {
		t->buf = malloc(UI_TTY_MAX_ANSWER + 1);
		if (t->buf == NULL)
			return -1;
		t->len = 0;
	}
	safe = tty_escape(text, text_flags(t));
	if (safe == NULL)
		return -1;
	/* Echo off before the prompt appears: what is typed (or pasted) in
	 * answer to it never shows. */
	if (!echo && t->is_tty && hide_input(t) != 0) {
		free(safe);
		return -1;
	}
	fputs(safe, t->out);
	free(safe);
	fflush(t->out);
	t->overflow = false;
	ui->prompt_pending = true;
	return 0;
}

static enum ui_wait signal_result(void)
{
	return ui_tty_signal == SIGINT ? UI_ABORT : UI_GONE;
}

/* c is the terminal's special character `which` (unless disabled). */
static bool is_cc(const struct ui_tty *t, int which, unsigned char c)
{
	return t->saved.c_cc[which] != _POSIX_VDISABLE &&
	       c == t->saved.c_cc[which];
}

/* The edits a person makes while typing a hidden answer, applied to the
 * bytes at buf[from..t->len).  Returns true when Ctrl-D came on an empty
 * line (end of input). */
static bool apply_edits(struct ui_tty *t, size_t from)
{
	size_t r, w = from;
	bool eof = false;

	for (r = from; r < t->len; r++) {
		unsigned char c = (unsigned char)t->buf[r];

		if (c == 0x7f || c == 0x08 || is_cc(t, VERASE, c)) {
			if (w > 0 && t->buf[w - 1] != '\n')
				w--;
		} else if (is_cc(t, VKILL, c)) {
			while (w > 0 && t->buf[w - 1] != '\n')
				w--;
		} else if (is_cc(t, VEOF, c)) {
			if (w == 0 || t->buf[w - 1] == '\n')
				eof = true;
		} else {
			t->buf[w++] = c == '\r' ? '\n' : (char)c;
		}
	}
	explicit_bzero(t->buf + w, t->len - w);
	t->len = w;
	return eof;
}

/* The first complete line in the buffer, without its '\n' (and a '\r'
 * before it), taken out of the buffer.  Returns false when there is none
 * yet.  *answer is the malloc'd line, or NULL when it was too long (or
 * memory ran out). */
static bool take_line(struct ui_tty *t, char **answer)
{
	char *nl;
	size_t n, rest;

	*answer = NULL;
	nl = t->len > 0 ? memchr(t->buf, '\n', t->len) : NULL;
	if (nl == NULL)
		return false;
	n = (size_t)(nl - t->buf);
	rest = t->len - n - 1;
	if (!t->overflow) {
		size_t m = n;

		if (m > 0 && t->buf[m - 1] == '\r')
			m--;
		*answer = malloc(m + 1);
		if (*answer != NULL) {
			memcpy(*answer, t->buf, m);
			(*answer)[m] = '\0';
		}
	}
	memmove(t->buf, nl + 1, rest);
	explicit_bzero(t->buf + rest, t->len - rest);
	t->len = rest;
	return true;
}

/* The pending prompt is over (answered, or not): the terminal's modes back,
 * and its line ended where the Enter was not echoed (hidden input, no
 * terminal) or never came. */
static enum ui_wait prompt_over(struct ui_tty *t, enum ui_wait w)
{
	bool was_raw = t->raw;

	restore_modes(t);
	if (was_raw || !t->is_tty || w != UI_ANSWER) {
		fputc('\n', t->out);
		fflush(t->out);
	}
	t->ui.prompt_pending = false;
	return w;
}

static enum ui_wait answered(struct ui_tty *t, char *answer, char **out)
{
	if (t->overflow) {
		t->overflow = false;
		secure_free(answer);
		prompt_over(t, UI_ABORT);
		tty_print(t->err,
			  "pam-oidc: the answer is too long; the sign-in is "
			  "cancelled.",
			  0);
		return UI_ABORT;
	}
	if (answer == NULL) /* out of memory */
		return prompt_over(t, UI_ABORT);
	*out = answer;
	return prompt_over(t, UI_ANSWER);
}

/* Nothing (more) to read now: a signal, or still waiting. */
static enum ui_wait interrupted(struct ui_tty *t)
{
	if (ui_tty_signal == 0)
		return UI_TIMEOUT;
	return prompt_over(t, signal_result());
}

static enum ui_wait tty_wait(struct ui *ui, int timeout_ms, char **answer)
{
	struct ui_tty *t = (struct ui_tty *)ui;
	struct pollfd pfd = {.fd = ui->fd, .events = POLLIN};
	char *line = NULL;
	size_t before;
	ssize_t n;
	bool eof;
	int rc;

	*answer = NULL;
	if (!ui->prompt_pending) {
		/* Nothing is asked: stdin is not read (it may be at EOF). */
		if (ui_tty_signal == 0)
			(void)poll(NULL, 0, timeout_ms);
		return ui_tty_signal != 0 ? signal_result() : UI_TIMEOUT;
	}
	if (ui_tty_signal != 0)
		return interrupted(t);
	if (take_line(t, &line)) /* typed ahead */
		return answered(t, line, answer);

	rc = poll(&pfd, 1, timeout_ms);
	if (rc < 0 && errno == EINTR)
		return interrupted(t);
	if (rc < 0)
		return prompt_over(t, UI_GONE);
	if (rc == 0)
		return UI_TIMEOUT;

	before = t->len;
	n = read(ui->fd, t->buf + t->len, UI_TTY_MAX_ANSWER - t->len);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return interrupted(t);
	if (n < 0)
		return prompt_over(t, UI_GONE);
	t->len += (size_t)n;
	eof = n == 0;
	if (t->raw && apply_edits(t, before))
		eof = true;

	if (take_line(t, &line))
		return answered(t, line, answer);
	if (t->len == UI_TTY_MAX_ANSWER) {
		/* No end of line in sight: drop what came, remember. */
		explicit_bzero(t->buf, t->len);
		t->len = 0;
		t->overflow = true;
	}
	if (!eof)
		return UI_TIMEOUT;
	/* End of input: a last line without '\n' still counts. */
	if (t->len == 0 || t->overflow)
		return prompt_over(t, UI_GONE);
	line = malloc(t->len + 1);
	if (line != NULL) {
		memcpy(line, t->buf, t->len);
		line[t->len] = '\0';
	}
	explicit_bzero(t->buf, t->len);
	t->len = 0;
	return answered(t, line, answer);
}

static int tty_deadline(struct ui *ui, unsigned seconds)
{
	/* The login keeps its own time (login_timeout); nobody waits for us
	 * on a terminal. */
	(void)ui;
	(void)seconds;
	return 0;
}

void ui_tty_init(struct ui_tty *t)
{
	const char *codeset;

	memset(t, 0, sizeof(*t));
	t->ui.info = tty_info;
	t->ui.error = tty_error;
	t->ui.prompt = tty_prompt;
	t->ui.wait = tty_wait;
	t->ui.deadline = tty_deadline;
	t->ui.enter_prompt = false;
	t->ui.fd = STDIN_FILENO;
	t->out = stdout;
	t->err = stderr;
	t->is_tty = isatty(STDIN_FILENO) == 1;
	(void)setlocale(LC_CTYPE, "");
	codeset = nl_langinfo(CODESET);
	t->ui.utf8 = codeset != NULL && strcmp(codeset, "UTF-8") == 0;
}

void ui_tty_cleanup(struct ui_tty *t)
{
	restore_modes(t);
	if (t->buf != NULL) {
		explicit_bzero(t->buf, UI_TTY_MAX_ANSWER + 1);
		free(t->buf);
	}
	t->buf = NULL;
	t->len = 0;
}

static void on_signal(int sig)
{
	ui_tty_signal = sig;
}

void ui_tty_catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: interrupt poll() */
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
}
