/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the module <-> helper framing (helper/protocol.h):
 * the input is the byte stream one side receives.  Every frame is decoded
 * the way its receiver decodes it; malformed frames must be refused, never
 * crash, never read out of bounds, never allocate without bound.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../helper/protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decode(uint32_t type, struct po_buf *b)
{
	uint32_t u;
	char *s[7] = {0};
	int i, n = 0;

	switch (type) {
	case PO_HELLO:
		if (po_get_u32(b, &u) != PO_OK || po_get_u32(b, &u) != PO_OK)
			break;
		for (n = 0; n < 7; n++)
			if (po_get_str(b, &s[n]) != PO_OK)
				break;
		break;
	case PO_DEADLINE:
		(void)po_get_u32(b, &u);
		break;
	case PO_INFO:
	case PO_ERROR:
	case PO_ANSWER:
		(void)po_get_str(b, &s[n++]);
		break;
	case PO_PROMPT:
		if (po_get_u32(b, &u) == PO_OK)
			(void)po_get_str(b, &s[n++]);
		break;
	case PO_VERDICT:
		if (po_get_u32(b, &u) == PO_OK && po_get_str(b, &s[0]) == PO_OK)
			(void)po_get_str(b, &s[1]);
		n = 2;
		break;
	default:
		break;
	}
	(void)po_end(b);
	for (i = 0; i < 7; i++)
		po_free_secret(s[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct po_buf b;
	uint32_t type;
	int sv[2];
	int guard = 0;

	if (size > 256 * 1024 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		return 0;
	/* The socket buffer takes the whole input; the reader sees EOF. */
	{
		int big = 1 << 20;

		(void)setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
		(void)setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	}
	if (size > 0 && write(sv[0], data, size) != (ssize_t)size) {
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	close(sv[0]);
	po_buf_init(&b);
	while (guard++ < 64 && po_recv(sv[1], &type, &b, 100) == PO_OK)
		decode(type, &b);
	po_buf_free(&b);
	close(sv[1]);
	return 0;
}
