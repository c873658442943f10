/* SPDX-License-Identifier: BSD-3-Clause */
/* Small shared pieces: a string builder, secret wiping, clocks, and the
 * checks every provider-supplied string passes before it reaches a terminal
 * or an account lookup. */
#ifndef PAM_OIDC_UTIL_H
#define PAM_OIDC_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct strbuf {
	char *buf;
	size_t len, cap;
	bool failed;
};

void sb_init(struct strbuf *sb);
int sb_add(struct strbuf *sb, const char *s);
int sb_addn(struct strbuf *sb, const char *s, size_t n);
int sb_addc(struct strbuf *sb, char c);
int sb_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Returns the string (caller frees) or NULL if any append failed. */
char *sb_steal(struct strbuf *sb);
/* Wipe and free. */
void sb_wipe(struct strbuf *sb);

/* Wipe a NUL-terminated string and free it. */
void secure_free(char *s);

long long mono_ms(void);

/* An https URL fit to show on a terminal: "https://" + printable ASCII
 * without spaces (0x21..0x7e), at most max bytes. */
bool text_is_https_url(const char *s, size_t max);
/* A short code fit to show: printable ASCII (0x20..0x7e), 1..max bytes. */
bool text_is_printable(const char *s, size_t max);
/* A local account name that is safe to look up: 1..64 bytes of
 * [A-Za-z0-9._@-], not starting with '-', not ".", no "..". */
bool text_is_safe_username(const char *s);

/* Human duration: "10 minutes", "45 seconds". */
void text_duration(char *buf, size_t len, long seconds);

#endif
