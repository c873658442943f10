/* SPDX-License-Identifier: BSD-3-Clause */
#include "secrets.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int check_file(int fd, const char *path, const char *what, size_t max,
		      unsigned flags, struct oidc_err *e)
{
	struct stat st;
	mode_t mode;

	if (fstat(fd, &st) != 0)
		return oidc_fail(e, OIDC_ECONFIG, "%s %s: cannot stat: %s",
				 what, path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return oidc_fail(e, OIDC_ECONFIG,
				 "%s %s is not a regular file (fix: point %s "
				 "at a plain file)",
				 what, path, what);
	if (st.st_uid != 0)
		return oidc_fail(e, OIDC_ECONFIG,
				 "%s %s is owned by uid %lu, not root (fix: "
				 "chown root:root %s)",
				 what, path, (unsigned long)st.st_uid, path);
	mode = st.st_mode & 07777;
	if ((flags & SECRET_PUBLIC) != 0) {
		if ((mode & 022) != 0)
			return oidc_fail(e, OIDC_ECONFIG,
					 "%s %s has mode %04o: group or other "
					 "may change it (fix: chmod 0644 %s)",
					 what, path, (unsigned)mode, path);
	} else if ((mode & 077) != 0) {
		return oidc_fail(e, OIDC_ECONFIG,
				 "%s %s has mode %04o: group or other may "
				 "read it (fix: chmod 0600 %s)",
				 what, path, (unsigned)mode, path);
	}
	if (st.st_size == 0)
		return oidc_fail(e, OIDC_ECONFIG, "%s %s is empty", what, path);
	if ((unsigned long long)st.st_size > max)
		return oidc_fail(e, OIDC_ECONFIG,
				 "%s %s is %lld bytes, more than the %zu "
				 "allowed (is it the right file?)",
				 what, path, (long long)st.st_size, max);
	return OIDC_OK;
}

/* One line of text: drop a final "\n" or "\r\n"; refuse other control
 * characters, which would be a truncated or binary file. */
static int check_line(struct secret *s, const char *path, const char *what,
		      struct oidc_err *e)
{
	size_t i;

	if (s->len > 0 && s->data[s->len - 1] == '\n') {
		s->len--;
		if (s->len > 0 && s->data[s->len - 1] == '\r')
			s->len--;
		s->data[s->len] = '\0';
	}
	if (s->len == 0)
		return oidc_fail(e, OIDC_ECONFIG, "%s %s is empty", what, path);
	for (i = 0; i < s->len; i++) {
		unsigned char c = s->data[i];

		if (c < 0x20 || c == 0x7f)
			return oidc_fail(e, OIDC_ECONFIG,
					 "%s %s holds a control character or "
					 "more than one line (fix: write the "
					 "value alone, e.g. printf '%%s' VALUE "
					 "> %s)",
					 what, path, path);
	}
	return OIDC_OK;
}

int secret_read(const char *path, const char *what, size_t max, unsigned flags,
		struct secret *out, struct oidc_err *e)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	int fd, rc;

	memset(out, 0, sizeof(*out));
	if (path == NULL || path[0] != '/')
		return oidc_fail(e, OIDC_ECONFIG,
				 "%s must be set to an absolute path", what);
	/* O_NOFOLLOW: a symbolic link is refused, not followed to whatever it
	 * points at today; O_NONBLOCK: a FIFO cannot stall us before fstat. */
	fd = open(path,
		  O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ELOOP)
			return oidc_fail(e, OIDC_ECONFIG,
					 "%s %s is a symbolic link (fix: set "
					 "%s to the file itself)",
					 what, path, what);
		return oidc_fail(e, OIDC_ECONFIG, "%s %s cannot be opened: %s",
				 what, path, strerror(errno));
	}
	rc = check_file(fd, path, what, max, flags, e);
	if (rc != OIDC_OK)
		goto out;
	/* One byte more than allowed: a file that grew past the cap since
	 * fstat is still caught. */
	buf = malloc(max + 1);
	if (buf == NULL) {
		rc = oidc_fail(e, OIDC_EINTERNAL, "out of memory");
		goto out;
	}
	while (len < max + 1) {
		ssize_t n = read(fd, buf + len, max + 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = oidc_fail(e, OIDC_ECONFIG,
				       "%s %s cannot be read: %s", what, path,
				       strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > max) {
		rc =
		    oidc_fail(e, OIDC_ECONFIG,
			      "%s %s is more than the %zu bytes allowed (is it "
			      "the right file?)",
			      what, path, max);
		goto out;
	}
	buf[len] = '\0';
	out->data = buf;
	out->len = len;
	out->size = max + 1;
	buf = NULL;
	if ((flags & SECRET_LINE) != 0) {
		rc = check_line(out, path, what, e);
		if (rc != OIDC_OK)
			secret_free(out);
	}
out:
	if (buf != NULL) {
		explicit_bzero(buf, max + 1);
		free(buf);
	}
	close(fd);
	return rc;
}

void secret_free(struct secret *s)
{
	if (s->data != NULL) {
		/* The whole buffer: a removed newline is wiped too. */
		explicit_bzero(s->data, s->size);
		free(s->data);
	}
	s->data = NULL;
	s->len = 0;
	s->size = 0;
}
