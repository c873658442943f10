/* SPDX-License-Identifier: BSD-3-Clause */
#include "adminfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	return "not a regular file";
}

int admin_file_read(const char *path, const char *name, size_t max,
		    const char *link_hint, char **buf, size_t *len,
		    struct oidc_err *e)
{
	struct stat st;
	char *b = NULL;
	size_t n = 0;
	int fd, rc = OIDC_OK;

	*buf = NULL;
	*len = 0;
	/* O_NONBLOCK: opening a FIFO must not hang; harmless for files. */
	fd = open(path,
		  O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		int err = errno;

		if (err == ELOOP && lstat(path, &st) == 0 &&
		    S_ISLNK(st.st_mode))
			return oidc_fail(e, OIDC_ECONFIG,
					 "%s: is a symbolic link; refusing to "
					 "follow it (%s)",
					 name, link_hint);
		return oidc_fail(e, OIDC_ECONFIG, "%s: cannot open: %s", name,
				 strerror(err));
	}
	if (fstat(fd, &st) != 0) {
		rc = oidc_fail(e, OIDC_ECONFIG, "%s: cannot stat: %s", name,
			       strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = oidc_fail(e, OIDC_ECONFIG, "%s: is %s, not a regular file",
			       name, file_kind(st.st_mode));
		goto out;
	}
	if (st.st_uid != 0) {
		rc = oidc_fail(e, OIDC_ECONFIG,
			       "%s: owned by uid %lu, must be owned by root "
			       "(fix: chown root:root %s; chmod 0644 %s)",
			       name, (unsigned long)st.st_uid, name, name);
		goto out;
	}
	if ((st.st_mode & 022) != 0) {
		rc = oidc_fail(e, OIDC_ECONFIG,
			       "%s: writable by group or other (mode %04o) "
			       "(fix: chown root:root %s; chmod 0644 %s)",
			       name, (unsigned)(st.st_mode & 07777), name,
			       name);
		goto out;
	}
	if (st.st_size < 0 || (unsigned long long)st.st_size > max) {
		rc = oidc_fail(e, OIDC_ECONFIG,
			       "%s: file is larger than %zu bytes", name, max);
		goto out;
	}
	/* Read one byte more than allowed, to notice a file that grew. */
	b = malloc(max + 2);
	if (b == NULL) {
		rc = oidc_fail(e, OIDC_EINTERNAL, "%s: out of memory", name);
		goto out;
	}
	while (n < max + 1) {
		ssize_t r = read(fd, b + n, max + 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = oidc_fail(e, OIDC_ECONFIG, "%s: cannot read: %s",
				       name, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max) {
		rc = oidc_fail(e, OIDC_ECONFIG,
			       "%s: file is larger than %zu bytes", name, max);
		goto out;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	b = NULL;
out:
	close(fd);
	free(b);
	return rc;
}
