/* SPDX-License-Identifier: BSD-3-Clause */
/* The replay cache of flow = token (see replay.h). */
#include "replay.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#define HASH_HEX 64 /* SHA-256 in hex */
#define EXP_DIGITS_MAX 19
#define NAME_MAX_LEN (HASH_HEX + 1 + EXP_DIGITS_MAX)
#define ENTRY_MAX 128

/* "<what> <path>: owned by uid N, must be owned by uid M" and the like; the
 * closing sentence says why it matters. */
static int dir_problem(struct oidc_err *e, const char *path, const char *sub,
		       const char *what)
{
	return oidc_fail(e, OIDC_ECONFIG,
			 "replay cache %s%s%s: %s; flow = token is refused "
			 "without a root-only replay cache (a copied token "
			 "could be used again)",
			 path, sub ? "/" : "", sub ? sub : "", what);
}

static int check_dir(struct oidc_err *e, int fd, const char *path,
		     const char *sub, uid_t owner, mode_t forbidden)
{
	struct stat st;
	char what[160];

	if (fstat(fd, &st) != 0) {
		snprintf(what, sizeof(what), "fstat: %s", strerror(errno));
		return dir_problem(e, path, sub, what);
	}
	if (!S_ISDIR(st.st_mode))
		return dir_problem(e, path, sub, "not a directory");
	if (st.st_uid != owner) {
		snprintf(what, sizeof(what),
			 "owned by uid %u, must be owned by uid %u",
			 (unsigned)st.st_uid, (unsigned)owner);
		return dir_problem(e, path, sub, what);
	}
	if ((st.st_mode & forbidden) != 0) {
		snprintf(what, sizeof(what),
			 "mode %04o, must not be %s by group or other",
			 (unsigned)(st.st_mode & 07777),
			 forbidden == (S_IWGRP | S_IWOTH) ? "writable"
							  : "accessible");
		return dir_problem(e, path, sub, what);
	}
	return OIDC_OK;
}

/* Why a directory would not open: O_NOFOLLOW | O_DIRECTORY say ELOOP or
 * ENOTDIR for a symbolic link. */
static const char *open_error(int at, const char *name, int err)
{
	struct stat st;

	if ((err == ELOOP || err == ENOTDIR) &&
	    fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return S_ISLNK(st.st_mode) ? "is a symbolic link"
					   : "not a directory";
	return strerror(err);
}

/* Open cache_dir (made 0700 when missing) and its replay/ subdirectory
 * (made 0700 when missing), both checked. */
static int open_replay_dir(const char *cache_dir, uid_t owner, int *out,
			   struct oidc_err *e)
{
	const int dflags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	int cfd = -1, rfd = -1, rc;

	*out = -1;
	if (cache_dir == NULL || cache_dir[0] != '/')
		return dir_problem(e, cache_dir ? cache_dir : "(none)", NULL,
				   "not an absolute path");
	cfd = open(cache_dir, dflags);
	if (cfd < 0 && errno == ENOENT) {
		if (mkdir(cache_dir, 0700) != 0 && errno != EEXIST)
			return dir_problem(e, cache_dir, NULL, strerror(errno));
		cfd = open(cache_dir, dflags);
	}
	if (cfd < 0)
		return dir_problem(e, cache_dir, NULL,
				   open_error(AT_FDCWD, cache_dir, errno));
	rc = check_dir(e, cfd, cache_dir, NULL, owner, S_IWGRP | S_IWOTH);
	if (rc != OIDC_OK)
		goto out;
	if (mkdirat(cfd, REPLAY_SUBDIR, 0700) != 0 && errno != EEXIST) {
		rc = dir_problem(e, cache_dir, REPLAY_SUBDIR, strerror(errno));
		goto out;
	}
	rfd = openat(cfd, REPLAY_SUBDIR, dflags);
	if (rfd < 0) {
		rc = dir_problem(e, cache_dir, REPLAY_SUBDIR,
				 open_error(cfd, REPLAY_SUBDIR, errno));
		goto out;
	}
	rc = check_dir(e, rfd, cache_dir, REPLAY_SUBDIR, owner,
		       S_IRWXG | S_IRWXO);
	if (rc != OIDC_OK)
		goto out;
	*out = rfd;
	rfd = -1;
out:
	if (rfd >= 0)
		close(rfd);
	close(cfd);
	return rc;
}

/* The entry name: hex SHA-256 of the signing input, '-', exp. */
static int entry_name(const char *token, int64_t exp, char *name, size_t len,
		      struct oidc_err *e)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	const char *dot = strrchr(token, '.');
	size_t n = dot != NULL ? (size_t)(dot - token) : strlen(token);
	char h[HASH_HEX + 1];

	if (EVP_Digest(token, n, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen * 2 != HASH_HEX)
		return oidc_fail(e, OIDC_EINTERNAL,
				 "replay cache: SHA-256 failed");
	for (unsigned i = 0; i < mdlen; i++) {
		h[2 * i] = hex[md[i] >> 4];
		h[2 * i + 1] = hex[md[i] & 0xf];
	}
	h[HASH_HEX] = '\0';
	OPENSSL_cleanse(md, sizeof(md));
	snprintf(name, len, "%s-%lld", h, (long long)exp);
	return OIDC_OK;
}

/* exp of an entry name, or false when the name is not one of ours. */
static bool parse_name(const char *name, int64_t *exp)
{
	const char *p = name;
	int64_t v = 0;
	size_t digits = 0;

	for (size_t i = 0; i < HASH_HEX; i++, p++) {
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	}
	if (*p++ != '-')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (++digits > EXP_DIGITS_MAX - 1)
			return false; /* keeps v * 10 + 9 within int64 */
		v = v * 10 + (*p - '0');
	}
	if (*p != '\0' || digits == 0)
		return false;
	*exp = v;
	return true;
}

/* A number after "key=" in an entry's text, or -1. */
static long long entry_field(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	long long v = 0;
	int digits = 0;

	if (p == NULL)
		return -1;
	for (p += strlen(key); *p >= '0' && *p <= '9'; p++) {
		if (++digits > EXP_DIGITS_MAX - 1)
			return -1;
		v = v * 10 + (*p - '0');
	}
	return digits > 0 ? v : -1;
}

/* When the token of an existing entry was used: its "used=" field, or the
 * entry's modification time while its text is still being written. */
static time_t entry_used_at(int rfd, const char *name, time_t now)
{
	char text[ENTRY_MAX + 1];
	struct stat st;
	long long used = -1;
	ssize_t n = 0;
	int fd;

	fd = openat(rfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return now;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		do {
			n = read(fd, text, ENTRY_MAX);
		} while (n < 0 && errno == EINTR);
		if (n > 0) {
			text[n] = '\0';
			used = entry_field(text, "used=");
		}
		if (used < 0)
			used = (long long)st.st_mtime;
	}
	close(fd);
	return used >= 0 ? (time_t)used : now;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* "2026-11-30T14:05:09Z" */
static void utc_text(char *buf, size_t len, time_t t)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)t);
}

/* Remove expired entries, with bounded work. */
static void prune(int rfd, int64_t now, long leeway, struct replay_stats *stats)
{
	int64_t before = now - (int64_t)leeway - REPLAY_MARGIN;
	struct dirent *de;
	DIR *d;
	int fd;

	fd = openat(rfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return;
	}
	while (stats->scanned < REPLAY_SCAN_MAX &&
	       stats->pruned < REPLAY_PRUNE_MAX) {
		int64_t exp;

		de = readdir(d);
		if (de == NULL)
			break;
		stats->scanned++;
		/* exp + leeway + margin < now, without overflow */
		if (!parse_name(de->d_name, &exp) || exp >= before)
			continue;
		if (unlinkat(rfd, de->d_name, 0) == 0)
			stats->pruned++;
	}
	closedir(d);
}

int replay_record(const char *cache_dir, uid_t owner, const char *token,
		  int64_t exp, long leeway, time_t now,
		  struct replay_stats *stats, struct oidc_err *e)
{
	struct replay_stats st = {0, 0};
	char name[NAME_MAX_LEN + 1], text[ENTRY_MAX], when[64];
	int rfd = -1, fd = -1, rc;

	if (token == NULL || exp <= 0)
		return oidc_fail(e, OIDC_EINTERNAL,
				 "replay cache: no token or no exp");
	rc = open_replay_dir(cache_dir, owner, &rfd, e);
	if (rc != OIDC_OK)
		goto out;
	rc = entry_name(token, exp, name, sizeof(name), e);
	if (rc != OIDC_OK)
		goto out;

	fd = openat(rfd, name,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST) {
		utc_text(when, sizeof(when), entry_used_at(rfd, name, now));
		rc = oidc_fail(e, OIDC_EREJECT,
			       "replay: this token was already used at %s",
			       when);
		goto sweep;
	}
	if (fd < 0) {
		rc = oidc_fail(e, OIDC_EINTERNAL,
			       "replay cache %s/%s: cannot create an entry: %s",
			       cache_dir, REPLAY_SUBDIR, strerror(errno));
		goto out;
	}
	snprintf(text, sizeof(text), "exp=%lld used=%lld\n", (long long)exp,
		 (long long)now);
	/* Durable before the login goes on: after a crash the token must
	 * still be known. */
	if (write_all(fd, text, strlen(text)) != 0 || fsync(fd) != 0 ||
	    fsync(rfd) != 0) {
		rc = oidc_fail(e, OIDC_EINTERNAL,
			       "replay cache %s/%s: cannot write an entry: %s",
			       cache_dir, REPLAY_SUBDIR, strerror(errno));
		/* This login fails: the token was not used, leave it usable. */
		(void)unlinkat(rfd, name, 0);
		goto out;
	}
	rc = OIDC_OK;
sweep:
	prune(rfd, (int64_t)now, leeway, &st);
out:
	if (fd >= 0)
		close(fd);
	if (rfd >= 0)
		close(rfd);
	if (stats != NULL)
		*stats = st;
	return rc;
}
