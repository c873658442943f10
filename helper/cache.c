/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The on-disk discovery and JWKS cache (see cache.h for the design: files,
 * envelope, ages, refetch rate limit).
 */
#include "cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "http.h"
#include "json.h"
#include "util.h"

/* A document is at most HTTP_MAX_RESPONSE bytes; as a JSON string it can
 * grow (quotes and backslashes are escaped), hence the factor. */
#define CACHE_FILE_MAX (2 * HTTP_MAX_RESPONSE + 4096)
#define CACHE_URI_MAX 2048
#define NAME_MAX_LEN 128

static const char *kind_file(enum cache_kind kind)
{
	return kind == CACHE_JWKS ? "jwks.json" : "discovery.json";
}

static const char *kind_name(enum cache_kind kind)
{
	return kind == CACHE_JWKS ? "jwks" : "discovery";
}

static const char *kind_title(enum cache_kind kind)
{
	return kind == CACHE_JWKS ? "JWKS" : "discovery document";
}

void cache_log(const char *fmt, ...)
{
	char buf[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	syslog(LOG_AUTHPRIV | LOG_WARNING, "pam_oidc cache: %s", buf);
}

/* ------------------------------------------------------------ Cache-Control */

static bool is_tchar(char ch)
{
	return ch != '\0' && ch != ',' && ch != '=' && ch != ' ' &&
	       ch != '\t' && ch != '"' && ch != ';';
}

/* delta-seconds: digits only; larger than any bound means the maximum. */
static bool parse_delta(const char *s, size_t n, long *out)
{
	long v = 0;
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (v <= CACHE_MAX_AGE_MAX)
			v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static bool name_is(const char *s, size_t n, const char *name)
{
	return strlen(name) == n && strncasecmp(s, name, n) == 0;
}

void cache_control_parse(const char *value, struct cache_policy *p)
{
	const char *s = value;
	long max_age = 0;
	int max_age_seen = 0;
	bool max_age_bad = false, no_cache = false;

	p->store = true;
	p->stale_ok = true;
	p->max_age = CACHE_MAX_AGE_DEFAULT;
	if (s == NULL)
		return;
	while (*s != '\0') {
		const char *name, *val = NULL;
		size_t nlen, vlen = 0;
		bool has_val = false;

		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		if (*s == '\0')
			break;
		name = s;
		while (is_tchar(*s))
			s++;
		nlen = (size_t)(s - name);
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '=') {
			has_val = true;
			s++;
			while (*s == ' ' || *s == '\t')
				s++;
			if (*s == '"') {
				val = ++s;
				while (*s != '\0' && *s != '"')
					s++;
				vlen = (size_t)(s - val);
				if (*s == '"')
					s++;
				else
					val = NULL; /* unterminated */
			} else {
				val = s;
				while (is_tchar(*s))
					s++;
				vlen = (size_t)(s - val);
			}
		}
		/* Whatever else is left of this directive is garbage. */
		while (*s != '\0' && *s != ',')
			s++;
		if (nlen == 0)
			continue;
		if (name_is(name, nlen, "no-store")) {
			p->store = false;
		} else if (name_is(name, nlen, "no-cache")) {
			/* no-cache="field" only concerns header fields */
			if (!has_val)
				no_cache = true;
		} else if (name_is(name, nlen, "must-revalidate")) {
			p->stale_ok = false;
		} else if (name_is(name, nlen, "max-age")) {
			long v;

			max_age_seen++;
			if (val != NULL && parse_delta(val, vlen, &v))
				max_age = v;
			else
				max_age_bad = true;
		}
	}
	if (max_age_seen > 1 || max_age_bad)
		p->max_age = 0; /* RFC 9111 1.2.2, 4.2.1: treat as stale */
	else if (max_age_seen == 1)
		p->max_age = max_age;
	if (no_cache) {
		p->max_age = 0;
		p->stale_ok = false;
	}
	if (p->max_age < CACHE_MAX_AGE_MIN)
		p->max_age = CACHE_MAX_AGE_MIN;
	if (p->max_age > CACHE_MAX_AGE_MAX)
		p->max_age = CACHE_MAX_AGE_MAX;
}

/* ------------------------------------------------------------ directory */

const char *cache_dir_path(const struct oidc_config *cfg)
{
	if (cfg->cache_dir != NULL && cfg->cache_dir[0] != '\0')
		return cfg->cache_dir;
	return PAM_OIDC_CACHE_DIR;
}

static int issuer_hash(const char *issuer, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	unsigned int i;

	if (EVP_Digest(issuer, strlen(issuer), md, &mdlen, EVP_sha256(),
		       NULL) != 1 ||
	    mdlen != 32)
		return -1;
	for (i = 0; i < mdlen; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
	return 0;
}

static void cache_reset(struct cache *c)
{
	c->dirfd = -1;
	c->lockfd = -1;
	c->hash[0] = '\0';
	c->issuer = NULL;
	c->dir = NULL;
}

int cache_open(struct cache *c, const struct oidc_config *cfg,
	       struct oidc_err *e)
{
	const char *dir = cache_dir_path(cfg);
	struct stat st;
	int fd, rc;

	cache_reset(c);
	c->dir = dir;
	c->issuer = cfg->issuer;
	if (cfg->issuer == NULL)
		return oidc_fail(e, OIDC_EINTERNAL, "cache: no issuer");
	if (dir[0] != '/')
		return oidc_fail(e, OIDC_ECONFIG,
				 "cache_dir %s is not an absolute path", dir);
	if (lstat(dir, &st) != 0) {
		if (errno != ENOENT)
			return oidc_fail(e, OIDC_ECONFIG, "cache_dir %s: %s",
					 dir, strerror(errno));
		if (geteuid() != 0)
			return oidc_fail(e, OIDC_ECONFIG,
					 "cache_dir %s does not exist (only "
					 "root may create it)",
					 dir);
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			return oidc_fail(e, OIDC_ECONFIG,
					 "cannot create cache_dir %s: %s", dir,
					 strerror(errno));
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;

		if (lstat(dir, &st) == 0 && S_ISLNK(st.st_mode))
			return oidc_fail(e, OIDC_ECONFIG,
					 "cache_dir %s is a symlink: name the "
					 "real directory",
					 dir);
		if (err == ENOTDIR)
			return oidc_fail(e, OIDC_ECONFIG,
					 "cache_dir %s is not a directory",
					 dir);
		return oidc_fail(e, OIDC_ECONFIG,
				 "cannot open cache_dir %s: %s", dir,
				 strerror(err));
	}
	if (fstat(fd, &st) != 0) {
		rc = oidc_fail(e, OIDC_EINTERNAL, "cache_dir %s: fstat: %s",
			       dir, strerror(errno));
		goto fail;
	}
	if (st.st_uid != 0) {
		rc = oidc_fail(e, OIDC_ECONFIG,
			       "cache_dir %s is owned by uid %lu, not root: "
			       "chown root:root %s",
			       dir, (unsigned long)st.st_uid, dir);
		goto fail;
	}
	if ((st.st_mode & 077) != 0) {
		rc = oidc_fail(e, OIDC_ECONFIG,
			       "cache_dir %s is accessible by group or other "
			       "(mode %04o): chmod 0700 %s",
			       dir, (unsigned)(st.st_mode & 07777), dir);
		goto fail;
	}
	if (issuer_hash(cfg->issuer, c->hash) != 0) {
		rc = oidc_fail(e, OIDC_EINTERNAL, "cache: SHA-256 failed");
		goto fail;
	}
	c->dirfd = fd;
	return OIDC_OK;
fail:
	close(fd);
	return rc;
}

void cache_open_or_log(struct cache *c, const struct oidc_config *cfg)
{
	static bool logged;
	struct oidc_err e;

	oidc_err_clear(&e);
	if (cache_open(c, cfg, &e) == OIDC_OK || logged)
		return;
	logged = true;
	cache_log("%s; going on without the cache", e.reason);
}

void cache_close(struct cache *c)
{
	cache_unlock(c);
	if (c->dirfd >= 0)
		close(c->dirfd);
	c->dirfd = -1;
}

/* ------------------------------------------------------------ files */

static int file_name(const struct cache *c, const char *suffix, char *buf,
		     size_t len)
{
	int n = snprintf(buf, len, "%s.%s", c->hash, suffix);

	return n > 0 && (size_t)n < len ? 0 : -1;
}

/* Read a cache file whole.  0: read; 1: absent; -1: unusable (why says). */
static int read_file(const struct cache *c, const char *name, char **out,
		     size_t *outlen, char *why, size_t whylen)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int fd, rc = -1;

	*out = NULL;
	*outlen = 0;
	fd = openat(c->dirfd, name,
		    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		snprintf(why, whylen, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		snprintf(why, whylen, "fstat: %s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "not a regular file");
		goto out;
	}
	if (st.st_uid != 0 || (st.st_mode & 077) != 0) {
		snprintf(why, whylen,
			 "owned by uid %lu with mode %04o, not root with 0600",
			 (unsigned long)st.st_uid,
			 (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if (st.st_size > CACHE_FILE_MAX) {
		snprintf(why, whylen, "larger than %d bytes", CACHE_FILE_MAX);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(why, whylen, "read: %s", strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Replace name atomically: a temporary file in the same directory, written,
 * fsync()ed, renamed over name; then the directory fsync()ed. */
static int atomic_write(const struct cache *c, const char *name,
			const char *data, size_t len, struct oidc_err *e)
{
	static unsigned counter;
	char tmp[NAME_MAX_LEN + 32];
	int fd = -1, tries, err;

	for (tries = 0; tries < 100; tries++) {
		snprintf(tmp, sizeof(tmp), ".%s.%08lx%04x", name,
			 (unsigned long)getpid() & 0xffffffffUL,
			 (counter++) & 0xffffU);
		fd = openat(
		    c->dirfd, tmp,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0)
		return oidc_fail(e, OIDC_EINTERNAL,
				 "cache: cannot create a file in %s: %s",
				 c->dir, strerror(errno));
	if (fchmod(fd, 0600) != 0 || write_all(fd, data, len) != 0 ||
	    fsync(fd) != 0) {
		err = errno;
		close(fd);
		goto fail;
	}
	if (close(fd) != 0) {
		err = errno;
		goto fail;
	}
	if (renameat(c->dirfd, tmp, c->dirfd, name) != 0) {
		err = errno;
		goto fail;
	}
	(void)fsync(c->dirfd);
	return OIDC_OK;
fail:
	unlinkat(c->dirfd, tmp, 0);
	return oidc_fail(e, OIDC_EINTERNAL, "cache: cannot write %s/%s: %s",
			 c->dir, name, strerror(err));
}

/* ------------------------------------------------------------ entries */

void cache_entry_free(struct cache_entry *ent)
{
	free(ent->body);
	free(ent->uri);
	memset(ent, 0, sizeof(*ent));
}

/* The envelope's common members: format and issuer. */
static int envelope_ok(const struct cache *c, json_object *env, char *why,
		       size_t whylen)
{
	const char *s = json_str(env, "format");

	if (s == NULL || strcmp(s, CACHE_FORMAT) != 0) {
		snprintf(why, whylen, "format is not \"%s\"", CACHE_FORMAT);
		return -1;
	}
	s = json_str(env, "issuer");
	if (s == NULL || strcmp(s, c->issuer) != 0) {
		snprintf(why, whylen, "issuer is not %.200s", c->issuer);
		return -1;
	}
	return 0;
}

static int entry_from(const struct cache *c, enum cache_kind kind,
		      json_object *env, struct cache_entry *ent, char *why,
		      size_t whylen)
{
	json_object *v;
	const char *s;
	int64_t fetched, max_age;

	if (envelope_ok(c, env, why, whylen) != 0)
		return -1;
	s = json_str(env, "kind");
	if (s == NULL || strcmp(s, kind_name(kind)) != 0) {
		snprintf(why, whylen, "kind is not \"%s\"", kind_name(kind));
		return -1;
	}
	s = json_str(env, "uri");
	if (s == NULL || !text_is_https_url(s, CACHE_URI_MAX)) {
		snprintf(why, whylen, "uri is not an https URL");
		return -1;
	}
	if (json_int64(env, "fetched", &fetched) != 0 || fetched <= 0) {
		snprintf(why, whylen, "fetched is not a positive integer");
		return -1;
	}
	if (json_int64(env, "max_age", &max_age) != 0 ||
	    max_age < CACHE_MAX_AGE_MIN || max_age > CACHE_MAX_AGE_MAX) {
		snprintf(why, whylen, "max_age is not within %ld..%ld",
			 CACHE_MAX_AGE_MIN, CACHE_MAX_AGE_MAX);
		return -1;
	}
	if (!json_object_object_get_ex(env, "stale_ok", &v) ||
	    !json_object_is_type(v, json_type_boolean)) {
		snprintf(why, whylen, "stale_ok is not true or false");
		return -1;
	}
	ent->stale_ok = json_object_get_boolean(v);
	ent->fetched = (time_t)fetched;
	ent->max_age = (long)max_age;
	ent->uri = strdup(s);
	if (!json_object_object_get_ex(env, "body", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		snprintf(why, whylen, "body is not a string");
		return -1;
	}
	ent->len = (size_t)json_object_get_string_len(v);
	ent->body = malloc(ent->len + 1);
	if (ent->uri == NULL || ent->body == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	memcpy(ent->body, json_object_get_string(v), ent->len);
	ent->body[ent->len] = '\0';
	if (strlen(ent->body) != ent->len) {
		snprintf(why, whylen, "body holds a NUL byte");
		return -1;
	}
	return 0;
}

int cache_read(struct cache *c, enum cache_kind kind, struct cache_entry *ent,
	       struct oidc_err *e)
{
	char name[NAME_MAX_LEN], why[320] = "";
	struct oidc_err pe;
	json_object *env = NULL;
	char *buf = NULL;
	size_t len;
	int r, rc;

	memset(ent, 0, sizeof(*ent));
	if (c->dirfd < 0)
		return oidc_fail(e, OIDC_EUNAVAIL, "no usable cache");
	if (file_name(c, kind_file(kind), name, sizeof(name)) != 0)
		return oidc_fail(e, OIDC_EINTERNAL, "cache: name too long");
	r = read_file(c, name, &buf, &len, why, sizeof(why));
	if (r == 1)
		return oidc_fail(e, OIDC_EUNAVAIL, "no cached %s for %s in %s",
				 kind_title(kind), c->issuer, c->dir);
	if (r == 0) {
		oidc_err_clear(&pe);
		if (json_parse_object(buf, len, "cache file", &env, &pe) !=
		    OIDC_OK) {
			snprintf(why, sizeof(why), "%.300s", pe.reason);
			r = -1;
		} else if (entry_from(c, kind, env, ent, why, sizeof(why)) !=
			   0) {
			r = -1;
		}
	}
	if (r != 0) {
		cache_entry_free(ent);
		cache_log("%s/%s ignored: %s", c->dir, name, why);
		rc = oidc_fail(e, OIDC_EUNAVAIL, "cache file %s/%s ignored: %s",
			       c->dir, name, why);
	} else {
		rc = OIDC_OK;
	}
	if (env != NULL)
		json_object_put(env);
	free(buf);
	return rc;
}

enum cache_age cache_entry_age(const struct cache_entry *ent, time_t now)
{
	long long age = (long long)now - (long long)ent->fetched;

	if (age < -60) /* from the future: the clock went back */
		return CACHE_EXPIRED;
	if (age < ent->max_age)
		return CACHE_FRESH;
	if (age < CACHE_STALE_LIMIT)
		return CACHE_STALE;
	return CACHE_EXPIRED;
}

static int add_str(json_object *o, const char *k, const char *v, size_t len)
{
	json_object *s = json_object_new_string_len(v, (int)len);

	if (s == NULL)
		return -1;
	if (json_object_object_add(o, k, s) != 0) {
		json_object_put(s);
		return -1;
	}
	return 0;
}

static int add_int(json_object *o, const char *k, int64_t v)
{
	json_object *n = json_object_new_int64(v);

	if (n == NULL)
		return -1;
	if (json_object_object_add(o, k, n) != 0) {
		json_object_put(n);
		return -1;
	}
	return 0;
}

/* Serialize env as one line and write it to name. */
static int write_json(const struct cache *c, const char *name, json_object *env,
		      struct oidc_err *e)
{
	const char *text;
	size_t len;
	char *line;
	int rc;

	text = json_object_to_json_string_ext(
	    env, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (text == NULL)
		return oidc_fail(e, OIDC_EINTERNAL, "out of memory");
	len = strlen(text);
	line = malloc(len + 2);
	if (line == NULL)
		return oidc_fail(e, OIDC_EINTERNAL, "out of memory");
	memcpy(line, text, len);
	line[len] = '\n';
	line[len + 1] = '\0';
	rc = atomic_write(c, name, line, len + 1, e);
	free(line);
	return rc;
}

static json_object *new_envelope(const struct cache *c)
{
	json_object *env = json_object_new_object();

	if (env == NULL)
		return NULL;
	if (add_str(env, "format", CACHE_FORMAT, strlen(CACHE_FORMAT)) != 0 ||
	    add_str(env, "issuer", c->issuer, strlen(c->issuer)) != 0) {
		json_object_put(env);
		return NULL;
	}
	return env;
}

int cache_write(struct cache *c, enum cache_kind kind, const char *uri,
		const char *body, size_t len, const struct cache_policy *p,
		time_t fetched, struct oidc_err *e)
{
	char name[NAME_MAX_LEN];
	json_object *env, *b;
	int rc;

	if (c->dirfd < 0)
		return OIDC_OK;
	if (file_name(c, kind_file(kind), name, sizeof(name)) != 0)
		return oidc_fail(e, OIDC_EINTERNAL, "cache: name too long");
	if (!p->store) {
		if (unlinkat(c->dirfd, name, 0) != 0 && errno != ENOENT)
			return oidc_fail(e, OIDC_EINTERNAL,
					 "cache: cannot remove %s/%s: %s",
					 c->dir, name, strerror(errno));
		return OIDC_OK;
	}
	if (len > HTTP_MAX_RESPONSE || strlen(body) != len ||
	    strlen(uri) > CACHE_URI_MAX)
		return oidc_fail(e, OIDC_EINTERNAL,
				 "cache: document not fit to store");
	env = new_envelope(c);
	if (env == NULL)
		return oidc_fail(e, OIDC_EINTERNAL, "out of memory");
	b = json_object_new_boolean(p->stale_ok);
	if (add_str(env, "kind", kind_name(kind), strlen(kind_name(kind))) !=
		0 ||
	    add_str(env, "uri", uri, strlen(uri)) != 0 ||
	    add_int(env, "fetched", (int64_t)fetched) != 0 ||
	    add_int(env, "max_age", p->max_age) != 0 || b == NULL ||
	    json_object_object_add(env, "stale_ok", b) != 0) {
		json_object_put(b);
		rc = oidc_fail(e, OIDC_EINTERNAL, "out of memory");
		goto out;
	}
	if (add_str(env, "body", body, len) != 0) {
		rc = oidc_fail(e, OIDC_EINTERNAL, "out of memory");
		goto out;
	}
	rc = write_json(c, name, env, e);
out:
	json_object_put(env);
	return rc;
}

/* ------------------------------------------------------------ refetch limit */

int cache_lock(struct cache *c, long timeout_ms, struct oidc_err *e)
{
	char name[NAME_MAX_LEN];
	long long until = mono_ms() + timeout_ms;
	struct stat st;
	int fd;

	if (c->dirfd < 0)
		return oidc_fail(e, OIDC_EUNAVAIL, "no usable cache");
	if (c->lockfd >= 0)
		return OIDC_OK;
	if (file_name(c, "lock", name, sizeof(name)) != 0)
		return oidc_fail(e, OIDC_EINTERNAL, "cache: name too long");
	fd = openat(c->dirfd, name,
		    O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
		    0600);
	if (fd < 0)
		return oidc_fail(e, OIDC_EINTERNAL,
				 "cache: cannot open %s/%s: %s", c->dir, name,
				 strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != 0) {
		close(fd);
		return oidc_fail(e, OIDC_EINTERNAL,
				 "cache: %s/%s is not a root-owned file",
				 c->dir, name);
	}
	for (;;) {
		struct timespec ts = {0, 20 * 1000 * 1000};

		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			break;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			int err = errno;

			close(fd);
			return oidc_fail(e, OIDC_EINTERNAL,
					 "cache: flock %s/%s: %s", c->dir, name,
					 strerror(err));
		}
		if (mono_ms() >= until) {
			close(fd);
			return oidc_fail(e, OIDC_EUNAVAIL,
					 "another login has held the refetch "
					 "lock for %ld ms",
					 timeout_ms);
		}
		nanosleep(&ts, NULL);
	}
	c->lockfd = fd;
	return OIDC_OK;
}

void cache_unlock(struct cache *c)
{
	if (c->lockfd >= 0) {
		flock(c->lockfd, LOCK_UN);
		close(c->lockfd);
	}
	c->lockfd = -1;
}

/* The last refetch time recorded in HASH.state.json, or 0. */
static time_t last_refetch(const struct cache *c, const char *name)
{
	char why[320] = "";
	struct oidc_err pe;
	json_object *st = NULL;
	char *buf = NULL;
	size_t len;
	int64_t t = 0;
	bool ok = false;
	int r;

	r = read_file(c, name, &buf, &len, why, sizeof(why));
	if (r == 1)
		return 0;
	if (r == 0) {
		oidc_err_clear(&pe);
		if (json_parse_object(buf, len, "cache state", &st, &pe) !=
		    OIDC_OK)
			snprintf(why, sizeof(why), "%.300s", pe.reason);
		else if (envelope_ok(c, st, why, sizeof(why)) != 0)
			ok = false;
		else if (json_int64(st, "jwks_refetch", &t) != 0 || t < 0)
			snprintf(why, sizeof(why),
				 "jwks_refetch is not an integer");
		else
			ok = true;
	}
	if (!ok) {
		cache_log("%s/%s ignored: %s", c->dir, name, why);
		t = 0;
	}
	if (st != NULL)
		json_object_put(st);
	free(buf);
	return (time_t)t;
}

long cache_refetch_claim(struct cache *c, time_t now)
{
	char name[NAME_MAX_LEN];
	struct oidc_err we;
	json_object *st;
	time_t last;

	if (c->dirfd < 0 || c->lockfd < 0)
		return -1;
	if (file_name(c, "state.json", name, sizeof(name)) != 0)
		return -1;
	last = last_refetch(c, name);
	/* A time further in the future than one interval means the clock
	 * went back: it does not block refetches. */
	if (last <= now + CACHE_REFETCH_INTERVAL &&
	    now < last + CACHE_REFETCH_INTERVAL)
		return (long)(last + CACHE_REFETCH_INTERVAL - now);
	oidc_err_clear(&we);
	st = new_envelope(c);
	if (st == NULL || add_int(st, "jwks_refetch", (int64_t)now) != 0 ||
	    write_json(c, name, st, &we) != OIDC_OK)
		cache_log("cannot record the refetch time: %s",
			  we.reason[0] ? we.reason : "out of memory");
	if (st != NULL)
		json_object_put(st);
	return 0;
}

/* ------------------------------------------------------------ offline use */

static int load_entry(const struct oidc_config *cfg, enum cache_kind kind,
		      struct cache_entry *ent, long *age_s, struct oidc_err *e)
{
	struct cache c;
	time_t now = time(NULL);
	int rc;

	memset(ent, 0, sizeof(*ent));
	rc = cache_open(&c, cfg, e);
	if (rc != OIDC_OK)
		return rc;
	rc = cache_read(&c, kind, ent, e);
	if (rc != OIDC_OK)
		goto out;
	if (cache_entry_age(ent, now) == CACHE_EXPIRED) {
		rc = oidc_fail(e, OIDC_EUNAVAIL,
			       "the cached %s of %s was fetched at %lld, now "
			       "is %lld: past the stale limit of %ld days",
			       kind_title(kind), cfg->issuer,
			       (long long)ent->fetched, (long long)now,
			       CACHE_STALE_LIMIT / 86400);
		cache_entry_free(ent);
		goto out;
	}
	if (age_s != NULL)
		*age_s = now > ent->fetched ? (long)(now - ent->fetched) : 0;
out:
	cache_close(&c);
	return rc;
}

int cache_load_jwks(const struct oidc_config *cfg, struct jwk_set **set,
		    long *age_s, struct oidc_err *e)
{
	struct cache_entry ent;
	struct oidc_err pe;
	int rc;

	*set = NULL;
	rc = load_entry(cfg, CACHE_JWKS, &ent, age_s, e);
	if (rc != OIDC_OK)
		return rc;
	oidc_err_clear(&pe);
	rc = jwks_parse(ent.body, ent.len, set, &pe);
	if (rc != OIDC_OK)
		rc = oidc_fail(e, rc, "the cached JWKS of %s: %s", cfg->issuer,
			       pe.reason);
	cache_entry_free(&ent);
	return rc;
}

int cache_load_discovery(const struct oidc_config *cfg, struct discovery *d,
			 long *age_s, struct oidc_err *e)
{
	struct cache_entry ent;
	struct oidc_err pe;
	json_object *doc = NULL;
	int rc;

	memset(d, 0, sizeof(*d));
	rc = load_entry(cfg, CACHE_DISCOVERY, &ent, age_s, e);
	if (rc != OIDC_OK)
		return rc;
	oidc_err_clear(&pe);
	rc = json_parse_object(ent.body, ent.len, "discovery document", &doc,
			       &pe);
	if (rc == OIDC_OK)
		rc = discovery_check(cfg, doc, d, &pe);
	if (rc != OIDC_OK) {
		rc = oidc_fail(e, rc, "the cached discovery document of %s: %s",
			       cfg->issuer, pe.reason);
		if (doc != NULL)
			json_object_put(doc);
		memset(d, 0, sizeof(*d));
	} else {
		d->doc = doc;
	}
	cache_entry_free(&ent);
	return rc;
}

int cache_clear(const struct oidc_config *cfg, struct oidc_err *e)
{
	struct cache c;
	struct dirent *de;
	DIR *dir;
	int fd, rc;

	rc = cache_open(&c, cfg, e);
	if (rc != OIDC_OK)
		return rc;
	fd = dup(c.dirfd);
	dir = fd >= 0 ? fdopendir(fd) : NULL;
	if (dir == NULL) {
		if (fd >= 0)
			close(fd);
		rc = oidc_fail(e, OIDC_EINTERNAL, "cannot list %s: %s", c.dir,
			       strerror(errno));
		goto out;
	}
	for (;;) {
		const char *n;

		de = readdir(dir);
		if (de == NULL)
			break;
		n = de->d_name;
		if (n[0] == '.')
			n++;
		if (strncmp(n, c.hash, 64) != 0 || n[64] != '.')
			continue;
		if (unlinkat(c.dirfd, de->d_name, 0) != 0 && errno != ENOENT) {
			rc = oidc_fail(e, OIDC_EINTERNAL,
				       "cannot remove %s/%s: %s", c.dir,
				       de->d_name, strerror(errno));
			break;
		}
	}
	closedir(dir);
out:
	cache_close(&c);
	return rc;
}
