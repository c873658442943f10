/* SPDX-License-Identifier: BSD-3-Clause */
/* Module <-> helper framing: round trips and every malformed frame. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "protocol.h"

struct pair {
	int a, b;
};

static int setup(void **state)
{
	struct pair *p = malloc(sizeof(*p));
	int sv[2];

	assert_non_null(p);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	p->a = sv[0];
	p->b = sv[1];
	*state = p;
	return 0;
}

static int teardown(void **state)
{
	struct pair *p = *state;

	if (p->a >= 0)
		close(p->a);
	if (p->b >= 0)
		close(p->b);
	free(p);
	return 0;
}

static void write_raw(int fd, uint32_t type, uint32_t len, const void *data,
		      size_t n)
{
	uint32_t h[2] = {htonl(type), htonl(len)};

	assert_int_equal(write(fd, h, sizeof(h)), (ssize_t)sizeof(h));
	if (n > 0)
		assert_int_equal(write(fd, data, n), (ssize_t)n);
}

static void test_roundtrip(void **state)
{
	struct pair *p = *state;
	struct po_buf out, in;
	uint32_t type = 0, v = 0;
	char *s1 = NULL, *s2 = NULL;

	po_buf_init(&out);
	po_buf_init(&in);
	assert_int_equal(po_put_u32(&out, 7), PO_OK);
	assert_int_equal(po_put_str(&out, "alice"), PO_OK);
	assert_int_equal(po_put_str(&out, ""), PO_OK);
	assert_int_equal(po_send(p->a, PO_VERDICT, &out), PO_OK);
	assert_int_equal(po_recv(p->b, &type, &in, 1000), PO_OK);
	assert_int_equal(type, PO_VERDICT);
	assert_int_equal(po_get_u32(&in, &v), PO_OK);
	assert_int_equal(v, 7);
	assert_int_equal(po_get_str(&in, &s1), PO_OK);
	assert_string_equal(s1, "alice");
	assert_int_equal(po_get_str(&in, &s2), PO_OK);
	assert_string_equal(s2, "");
	assert_int_equal(po_end(&in), PO_OK);
	free(s1);
	free(s2);
	po_buf_free(&out);
	po_buf_free(&in);
}

static void test_truncated_frame_times_out(void **state)
{
	struct pair *p = *state;
	struct po_buf in;
	uint32_t type;

	po_buf_init(&in);
	/* header says 10 bytes, only 3 arrive */
	write_raw(p->a, PO_INFO, 10, "abc", 3);
	assert_int_equal(po_recv(p->b, &type, &in, 200), PO_ETIMEOUT);
	po_buf_free(&in);
}

static void test_truncated_frame_then_close(void **state)
{
	struct pair *p = *state;
	struct po_buf in;
	uint32_t type;

	po_buf_init(&in);
	write_raw(p->a, PO_INFO, 10, "abc", 3);
	close(p->a);
	p->a = -1;
	assert_int_equal(po_recv(p->b, &type, &in, 1000), PO_EIO);
	po_buf_free(&in);
}

static void test_oversized_frame_refused(void **state)
{
	struct pair *p = *state;
	struct po_buf in;
	uint32_t type;

	po_buf_init(&in);
	write_raw(p->a, PO_INFO, PO_MAX_PAYLOAD + 1, NULL, 0);
	assert_int_equal(po_recv(p->b, &type, &in, 1000), PO_EPROTO);
	po_buf_free(&in);
}

static void test_unknown_type_refused(void **state)
{
	struct pair *p = *state;
	struct po_buf in;
	uint32_t type;

	po_buf_init(&in);
	write_raw(p->a, 99, 0, NULL, 0);
	assert_int_equal(po_recv(p->b, &type, &in, 1000), PO_EPROTO);
	write_raw(p->a, 0, 0, NULL, 0);
	assert_int_equal(po_recv(p->b, &type, &in, 1000), PO_EPROTO);
	po_buf_free(&in);
}

static void test_string_overruns_payload(void **state)
{
	struct pair *p = *state;
	unsigned char payload[8];
	uint32_t l = htonl(100), type;
	struct po_buf in;
	char *s = NULL;

	memcpy(payload, &l, 4);
	memcpy(payload + 4, "abcd", 4);
	po_buf_init(&in);
	write_raw(p->a, PO_INFO, sizeof(payload), payload, sizeof(payload));
	assert_int_equal(po_recv(p->b, &type, &in, 1000), PO_OK);
	assert_int_equal(po_get_str(&in, &s), PO_EPROTO);
	assert_null(s);
	po_buf_free(&in);
}

static void test_string_with_nul_refused(void **state)
{
	struct pair *p = *state;
	unsigned char payload[8];
	uint32_t l = htonl(4), type;
	struct po_buf in;
	char *s = NULL;

	memcpy(payload, &l, 4);
	memcpy(payload + 4, "ab\0d", 4);
	po_buf_init(&in);
	write_raw(p->a, PO_INFO, sizeof(payload), payload, sizeof(payload));
	assert_int_equal(po_recv(p->b, &type, &in, 1000), PO_OK);
	assert_int_equal(po_get_str(&in, &s), PO_EPROTO);
	po_buf_free(&in);
}

static void test_trailing_bytes_refused(void **state)
{
	struct pair *p = *state;
	struct po_buf out, in;
	uint32_t type, v;

	po_buf_init(&out);
	po_buf_init(&in);
	assert_int_equal(po_put_u32(&out, 1), PO_OK);
	assert_int_equal(po_put_u32(&out, 2), PO_OK);
	assert_int_equal(po_send(p->a, PO_DEADLINE, &out), PO_OK);
	assert_int_equal(po_recv(p->b, &type, &in, 1000), PO_OK);
	assert_int_equal(po_get_u32(&in, &v), PO_OK);
	assert_int_equal(po_end(&in), PO_EPROTO);
	/* and reading past the end is refused too */
	assert_int_equal(po_get_u32(&in, &v), PO_OK);
	assert_int_equal(po_get_u32(&in, &v), PO_EPROTO);
	po_buf_free(&out);
	po_buf_free(&in);
}

static void test_writer_refuses_oversized(void **state)
{
	struct po_buf out;
	char *big = malloc(PO_MAX_STRING + 2);

	(void)state;
	assert_non_null(big);
	memset(big, 'x', PO_MAX_STRING + 1);
	big[PO_MAX_STRING + 1] = '\0';
	po_buf_init(&out);
	assert_int_equal(po_put_str(&out, big), PO_EPROTO);
	big[PO_MAX_STRING] = '\0';
	assert_int_equal(po_put_str(&out, big), PO_OK);
	assert_int_equal(po_put_str(&out, big), PO_EPROTO); /* payload cap */
	po_buf_free(&out);
	free(big);
}

static void test_peer_closed_is_eio(void **state)
{
	struct pair *p = *state;
	struct po_buf in;
	uint32_t type;

	po_buf_init(&in);
	close(p->a);
	p->a = -1;
	assert_int_equal(po_recv(p->b, &type, &in, 1000), PO_EIO);
	/* writing to a closed peer fails without SIGPIPE */
	assert_int_equal(po_send(p->b, PO_ANSWER, NULL), PO_EIO);
	po_buf_free(&in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_frame_times_out,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_frame_then_close,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_oversized_frame_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_type_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_string_overruns_payload,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_string_with_nul_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_trailing_bytes_refused,
						setup, teardown),
		cmocka_unit_test(test_writer_refuses_oversized),
		cmocka_unit_test_setup_teardown(test_peer_closed_is_eio, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("protocol", tests, NULL, NULL);
}
