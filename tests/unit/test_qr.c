/* SPDX-License-Identifier: BSD-3-Clause */
/* QR rendering: shape of both renderings and terminal safety. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "qr.h"

static const char *uri =
	"https://127.0.0.1:8443/device?user_code=WDJB-MJHT";

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_ascii_is_square_and_plain(void **state)
{
	char *q = qr_render(uri, false);
	size_t lines, width;
	const char *p;

	(void)state;
	assert_non_null(q);
	lines = count_lines(q);
	width = strcspn(q, "\n");
	/* two characters per module, one line per module row */
	assert_int_equal(width, 2 * lines);
	assert_true(lines >= 21 + 2 * QR_QUIET_ZONE);
	for (p = q; *p; p++)
		assert_true(*p == '#' || *p == ' ' || *p == '\n');
	/* the quiet zone is light: the first line is all '#' */
	for (p = q; *p != '\n'; p++)
		assert_int_equal(*p, '#');
	free(q);
}

static void test_utf8_is_half_height(void **state)
{
	char *a = qr_render(uri, false);
	char *u = qr_render(uri, true);
	const unsigned char *p;

	(void)state;
	assert_non_null(a);
	assert_non_null(u);
	assert_int_equal(count_lines(u), (count_lines(a) + 1) / 2);
	/* only half/full blocks, spaces and newlines: no escape sequences */
	for (p = (const unsigned char *)u; *p;) {
		if (*p == ' ' || *p == '\n') {
			p++;
			continue;
		}
		assert_int_equal(p[0], 0xe2);
		assert_int_equal(p[1], 0x96);
		assert_true(p[2] == 0x80 || p[2] == 0x84 || p[2] == 0x88);
		p += 3;
	}
	free(a);
	free(u);
}

static void test_longer_text_bigger_symbol(void **state)
{
	char long_uri[600];
	char *s, *l;

	(void)state;
	memset(long_uri, 'a', sizeof(long_uri) - 1);
	long_uri[sizeof(long_uri) - 1] = '\0';
	memcpy(long_uri, "https://", 8);
	s = qr_render(uri, false);
	l = qr_render(long_uri, false);
	assert_non_null(s);
	assert_non_null(l);
	assert_true(count_lines(l) > count_lines(s));
	free(s);
	free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascii_is_square_and_plain),
		cmocka_unit_test(test_utf8_is_half_height),
		cmocka_unit_test(test_longer_text_bigger_symbol),
	};

	return cmocka_run_group_tests_name("qr", tests, NULL, NULL);
}
