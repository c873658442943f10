/* SPDX-License-Identifier: BSD-3-Clause */
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sb_init(struct strbuf *sb)
{
	memset(sb, 0, sizeof(*sb));
}

int sb_addn(struct strbuf *sb, const char *s, size_t n)
{
	if (sb->failed)
		return -1;
	if (sb->len + n + 1 > sb->cap) {
		size_t ncap = sb->cap ? sb->cap : 128;
		char *nb;

		while (ncap < sb->len + n + 1)
			ncap *= 2;
		nb = malloc(ncap);
		if (nb == NULL) {
			sb->failed = true;
			return -1;
		}
		if (sb->buf != NULL) {
			memcpy(nb, sb->buf, sb->len);
			explicit_bzero(sb->buf, sb->cap);
			free(sb->buf);
		}
		sb->buf = nb;
		sb->cap = ncap;
	}
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
	return 0;
}

int sb_add(struct strbuf *sb, const char *s)
{
	return sb_addn(sb, s, strlen(s));
}

int sb_addc(struct strbuf *sb, char c)
{
	return sb_addn(sb, &c, 1);
}

int sb_addf(struct strbuf *sb, const char *fmt, ...)
{
	char small[512];
	char *big = NULL;
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		sb->failed = true;
		return -1;
	}
	if ((size_t)n < sizeof(small))
		return sb_addn(sb, small, (size_t)n);
	big = malloc((size_t)n + 1);
	if (big == NULL) {
		sb->failed = true;
		return -1;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	rc = sb_addn(sb, big, (size_t)n);
	free(big);
	return rc;
}

char *sb_steal(struct strbuf *sb)
{
	char *s;

	if (sb->failed) {
		sb_wipe(sb);
		return NULL;
	}
	s = sb->buf != NULL ? sb->buf : strdup("");
	sb_init(sb);
	return s;
}

void sb_wipe(struct strbuf *sb)
{
	if (sb->buf != NULL) {
		explicit_bzero(sb->buf, sb->cap);
		free(sb->buf);
	}
	sb_init(sb);
}

void secure_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool text_is_https_url(const char *s, size_t max)
{
	size_t n;

	if (s == NULL || strncmp(s, "https://", 8) != 0)
		return false;
	n = strlen(s);
	if (n <= 8 || n > max)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

bool text_is_printable(const char *s, size_t max)
{
	size_t n;

	if (s == NULL)
		return false;
	n = strlen(s);
	if (n == 0 || n > max)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

bool text_is_safe_username(const char *s)
{
	size_t n, i;

	if (s == NULL)
		return false;
	n = strlen(s);
	if (n == 0 || n > 64 || s[0] == '-' || strstr(s, "..") != NULL ||
	    strcmp(s, ".") == 0)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-' || c == '@'))
			return false;
	}
	return true;
}

void text_duration(char *buf, size_t len, long seconds)
{
	if (seconds >= 120 && seconds % 60 == 0)
		snprintf(buf, len, "%ld minutes", seconds / 60);
	else if (seconds >= 120)
		snprintf(buf, len, "%ld minutes", (seconds + 30) / 60);
	else if (seconds == 60)
		snprintf(buf, len, "1 minute");
	else
		snprintf(buf, len, "%ld seconds", seconds);
}
