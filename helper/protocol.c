/* SPDX-License-Identifier: BSD-3-Clause */
#include "protocol.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

void po_buf_init(struct po_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void po_buf_free(struct po_buf *b)
{
	if (b->data != NULL) {
		explicit_bzero(b->data, b->cap);
		free(b->data);
	}
	po_buf_init(b);
}

static int po_reserve(struct po_buf *b, size_t extra)
{
	size_t need, ncap;
	unsigned char *n;

	if (extra > PO_MAX_PAYLOAD || b->len > PO_MAX_PAYLOAD - extra)
		return PO_EPROTO;
	need = b->len + extra;
	if (need <= b->cap)
		return PO_OK;
	ncap = b->cap ? b->cap : 256;
	while (ncap < need)
		ncap *= 2;
	n = malloc(ncap);
	if (n == NULL)
		return PO_ENOMEM;
	if (b->data != NULL) {
		memcpy(n, b->data, b->len);
		explicit_bzero(b->data, b->cap);
		free(b->data);
	}
	b->data = n;
	b->cap = ncap;
	return PO_OK;
}

int po_put_u32(struct po_buf *b, uint32_t v)
{
	uint32_t n = htonl(v);
	int rc = po_reserve(b, sizeof(n));

	if (rc != PO_OK)
		return rc;
	memcpy(b->data + b->len, &n, sizeof(n));
	b->len += sizeof(n);
	return PO_OK;
}

int po_put_str(struct po_buf *b, const char *s)
{
	size_t l;
	int rc;

	if (s == NULL)
		s = "";
	l = strlen(s);
	if (l > PO_MAX_STRING)
		return PO_EPROTO;
	rc = po_put_u32(b, (uint32_t)l);
	if (rc != PO_OK)
		return rc;
	rc = po_reserve(b, l);
	if (rc != PO_OK)
		return rc;
	memcpy(b->data + b->len, s, l);
	b->len += l;
	return PO_OK;
}

int po_get_u32(struct po_buf *b, uint32_t *v)
{
	uint32_t n;

	if (b->off > b->len || b->len - b->off < sizeof(n))
		return PO_EPROTO;
	memcpy(&n, b->data + b->off, sizeof(n));
	b->off += sizeof(n);
	*v = ntohl(n);
	return PO_OK;
}

int po_get_str(struct po_buf *b, char **s)
{
	uint32_t l;
	char *out;
	int rc;

	*s = NULL;
	rc = po_get_u32(b, &l);
	if (rc != PO_OK)
		return rc;
	if (l > PO_MAX_STRING || b->len - b->off < l)
		return PO_EPROTO;
	if (l > 0 && memchr(b->data + b->off, '\0', l) != NULL)
		return PO_EPROTO;
	out = malloc((size_t)l + 1);
	if (out == NULL)
		return PO_ENOMEM;
	if (l > 0)
		memcpy(out, b->data + b->off, l);
	out[l] = '\0';
	b->off += l;
	*s = out;
	return PO_OK;
}

int po_end(const struct po_buf *b)
{
	return b->off == b->len ? PO_OK : PO_EPROTO;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return PO_EIO;
		}
		p += w;
		n -= (size_t)w;
	}
	return PO_OK;
}

int po_send(int fd, uint32_t type, const struct po_buf *payload)
{
	unsigned char hdr[8];
	uint32_t t = htonl(type);
	uint32_t l = htonl(payload ? (uint32_t)payload->len : 0);
	int rc;

	if (payload != NULL && payload->len > PO_MAX_PAYLOAD)
		return PO_EPROTO;
	memcpy(hdr, &t, 4);
	memcpy(hdr + 4, &l, 4);
	rc = write_all(fd, hdr, sizeof(hdr));
	if (rc != PO_OK || payload == NULL || payload->len == 0)
		return rc;
	return write_all(fd, payload->data, payload->len);
}

/* Read exactly n bytes before the deadline (deadline < 0: none). */
static int read_all(int fd, unsigned char *p, size_t n, long long deadline)
{
	while (n > 0) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int timeout = -1;
		ssize_t r;
		int pr;

		if (deadline >= 0) {
			long long left = deadline - now_ms();

			if (left <= 0)
				return PO_ETIMEOUT;
			timeout = left > 0x7fffffff ? 0x7fffffff : (int)left;
		}
		pr = poll(&pfd, 1, timeout);
		if (pr < 0) {
			if (errno == EINTR)
				continue;
			return PO_EIO;
		}
		if (pr == 0)
			return PO_ETIMEOUT;
		r = read(fd, p, n);
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return PO_EIO;
		}
		if (r == 0)
			return PO_EIO;
		p += r;
		n -= (size_t)r;
	}
	return PO_OK;
}

int po_recv(int fd, uint32_t *type, struct po_buf *payload, int timeout_ms)
{
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	unsigned char hdr[8];
	uint32_t t, l;
	int rc;

	payload->len = 0;
	payload->off = 0;
	rc = read_all(fd, hdr, sizeof(hdr), deadline);
	if (rc != PO_OK)
		return rc;
	memcpy(&t, hdr, 4);
	memcpy(&l, hdr + 4, 4);
	t = ntohl(t);
	l = ntohl(l);
	if (t < PO_HELLO || t > PO_VERDICT || l > PO_MAX_PAYLOAD)
		return PO_EPROTO;
	rc = po_reserve(payload, l);
	if (rc != PO_OK)
		return rc;
	rc = read_all(fd, payload->data, l, deadline);
	if (rc != PO_OK)
		return rc;
	payload->len = l;
	*type = t;
	return PO_OK;
}

void po_free_secret(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}
