/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for helper/cache.c: the on-disk discovery/JWKS cache.  They
 * work on real directories under /tmp and need root (the cache trusts only
 * root-owned files, and the tests chown to show that other owners are
 * refused); without root they are skipped (exit 77).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../helper/cache.h"

#define ISSUER "https://idp.example.org/realms/clinical"
/* printf '%s' "$ISSUER" | sha256sum */
#define ISSUER_HASH                                                            \
	"652b2745be1ab9e0dc5060bc08c8a7da34ba4694a564eab6e54d3bf8f1de4a2d"
#define JWKS_URI "https://idp.example.org/realms/clinical/jwks"
#define DISCO_URI                                                              \
	"https://idp.example.org/realms/clinical/.well-known/"                 \
	"openid-configuration"

/* Public keys of RFC 7515 A.3 (P-256) and RFC 8037 A.4 (Ed25519). */
#define JWKS_K1                                                                \
	"{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"k1\","         \
	"\"use\":\"sig\","                                                     \
	"\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","               \
	"\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}]}"
#define JWKS_K2                                                                \
	"{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"k2\","      \
	"\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}]}"
#define DISCO                                                                  \
	"{\"issuer\":\"" ISSUER "\","                                          \
	"\"token_endpoint\":\"" ISSUER "/token\","                             \
	"\"jwks_uri\":\"" JWKS_URI "\"}"

struct fixture {
	char root[64]; /* mkdtemp */
	char dir[96];  /* root/cache: the cache_dir */
	struct oidc_config cfg;
};

static const struct cache_policy keep = {300, true, true};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->root, sizeof(f->root), "/tmp/test_cache.XXXXXX");
	if (mkdtemp(f->root) == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/cache", f->root);
	f->cfg.issuer = (char *)ISSUER;
	f->cfg.cache_dir = f->dir;
	*state = f;
	return 0;
}

static void rm_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	char p[512];

	if (d == NULL) {
		unlink(path);
		return;
	}
	for (;;) {
		de = readdir(d);
		if (de == NULL)
			break;
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, de->d_name);
		rm_tree(p);
	}
	closedir(d);
	rmdir(path);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	rm_tree(f->root);
	free(f);
	return 0;
}

/* Open the cache, which must succeed. */
static void open_ok(struct fixture *f, struct cache *c)
{
	struct oidc_err e;

	oidc_err_clear(&e);
	if (cache_open(c, &f->cfg, &e) != OIDC_OK) {
		print_error("cache_open: %s\n", e.reason);
		fail();
	}
	assert_true(c->dirfd >= 0);
}

static void put(struct cache *c, enum cache_kind kind, const char *uri,
		const char *body, const struct cache_policy *p, time_t fetched)
{
	struct oidc_err e;

	oidc_err_clear(&e);
	if (cache_write(c, kind, uri, body, strlen(body), p, fetched, &e) !=
	    OIDC_OK) {
		print_error("cache_write: %s\n", e.reason);
		fail();
	}
}

static void path_of(struct fixture *f, const char *suffix, char *buf,
		    size_t len)
{
	snprintf(buf, len, "%s/%s.%s", f->dir, ISSUER_HASH, suffix);
}

/* Overwrite a cache file with raw text (root, 0600 unless mode says). */
static void plant(struct fixture *f, const char *suffix, const char *text,
		  mode_t mode)
{
	char p[256];
	int fd;

	path_of(f, suffix, p, sizeof(p));
	unlink(p);
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void assert_reason(const struct oidc_err *e, const char *want)
{
	if (strstr(e->reason, want) == NULL) {
		print_error("reason \"%s\" does not contain \"%s\"\n",
			    e->reason, want);
		fail();
	}
}

/* ------------------------------------------------------------ Cache-Control */

static void test_cache_control(void **state)
{
	static const struct {
		const char *value;
		long max_age;
		bool store, stale_ok;
	} t[] = {
	    {NULL, 3600, true, true}, /* no header: 1 h */
	    {"", 3600, true, true},
	    {"max-age=120", 120, true, true},
	    {"public, max-age=300", 300, true, true},
	    {"private, max-age=7200 ,  no-transform", 7200, true, true},
	    {"MAX-AGE=900", 900, true, true},
	    {"max-age=\"600\"", 600, true, true},
	    {"max-age=0", 60, true, true}, /* lower bound */
	    {"max-age=59", 60, true, true},
	    {"max-age=60", 60, true, true},
	    {"max-age=86400", 86400, true, true},
	    {"max-age=86401", 86400, true, true}, /* upper bound */
	    {"max-age=31536000", 86400, true, true},
	    {"max-age=99999999999999999999999999", 86400, true, true},
	    {"max-age=-5", 60, true, true}, /* invalid: stale */
	    {"max-age=abc", 60, true, true},
	    {"max-age=1.5", 60, true, true},
	    {"max-age=", 60, true, true},
	    {"max-age", 60, true, true},
	    {"max-age=\"300", 60, true, true},		  /* unterminated */
	    {"max-age=300, max-age=600", 60, true, true}, /* repeated */
	    {"no-store", 3600, false, true},
	    {"max-age=600, no-store", 600, false, true},
	    {"No-Store", 3600, false, true},
	    {"no-cache", 60, true, false},
	    {"no-cache, max-age=3000", 60, true, false},
	    {"no-cache=\"Set-Cookie\", max-age=300", 300, true, true},
	    {"must-revalidate, max-age=900", 900, true, false},
	    {"s-maxage=10", 3600, true, true}, /* shared caches only */
	    {"%%%garbage;;", 3600, true, true},
	    {"x-max-age=5, max-agex=5", 3600, true, true},
	};
	struct cache_policy p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		cache_control_parse(t[i].value, &p);
		if (p.max_age != t[i].max_age || p.store != t[i].store ||
		    p.stale_ok != t[i].stale_ok) {
			print_error("Cache-Control \"%s\": max_age %ld store "
				    "%d stale_ok %d; expected %ld %d %d\n",
				    t[i].value ? t[i].value : "(none)",
				    p.max_age, p.store, p.stale_ok,
				    t[i].max_age, t[i].store, t[i].stale_ok);
			fail();
		}
	}
}

/* ------------------------------------------------------------ directory */

static void test_dir_default(void **state)
{
	struct fixture *f = *state;
	struct oidc_config cfg = f->cfg;

	cfg.cache_dir = NULL;
	assert_string_equal(cache_dir_path(&cfg), PAM_OIDC_CACHE_DIR);
	assert_string_equal(cache_dir_path(&f->cfg), f->dir);
}

static void test_dir_created(void **state)
{
	struct fixture *f = *state;
	struct cache c;
	struct stat st;

	umask(022);
	open_ok(f, &c);
	assert_string_equal(c.hash, ISSUER_HASH);
	cache_close(&c);
	assert_int_equal(lstat(f->dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(st.st_uid, 0);
}

/* The directory must be refused with a reason containing want; then the
 * cache is simply absent: writes do nothing, reads find nothing. */
static void assert_dir_refused(struct fixture *f, const char *want)
{
	struct cache c;
	struct cache_entry ent;
	struct jwk_set *set = NULL;
	struct oidc_err e;
	long age = -1;

	oidc_err_clear(&e);
	assert_int_equal(cache_open(&c, &f->cfg, &e), OIDC_ECONFIG);
	assert_reason(&e, want);
	assert_int_equal(c.dirfd, -1);
	oidc_err_clear(&e);
	assert_int_equal(cache_write(&c, CACHE_JWKS, JWKS_URI, JWKS_K1,
				     strlen(JWKS_K1), &keep, time(NULL), &e),
			 OIDC_OK);
	assert_int_not_equal(cache_read(&c, CACHE_JWKS, &ent, &e), OIDC_OK);
	cache_close(&c);
	oidc_err_clear(&e);
	assert_int_equal(cache_load_jwks(&f->cfg, &set, &age, &e),
			 OIDC_ECONFIG);
	assert_null(set);
	assert_reason(&e, want);
}

static void test_dir_wrong_owner(void **state)
{
	struct fixture *f = *state;
	struct cache c;
	struct cache_entry ent;
	struct oidc_err e;

	open_ok(f, &c);
	put(&c, CACHE_JWKS, JWKS_URI, JWKS_K2, &keep, time(NULL));
	cache_close(&c);
	assert_int_equal(chown(f->dir, 65534, 65534), 0);
	assert_dir_refused(f,
			   "is owned by uid 65534, not root: chown root:root");
	/* the write attempted in the refused directory did not happen */
	assert_int_equal(chown(f->dir, 0, 0), 0);
	open_ok(f, &c);
	oidc_err_clear(&e);
	assert_int_equal(cache_read(&c, CACHE_JWKS, &ent, &e), OIDC_OK);
	assert_string_equal(ent.body, JWKS_K2);
	cache_entry_free(&ent);
	cache_close(&c);
}

static void test_dir_group_readable(void **state)
{
	struct fixture *f = *state;
	struct cache c;
	char want[160];

	open_ok(f, &c);
	cache_close(&c);
	assert_int_equal(chmod(f->dir, 0755), 0);
	snprintf(want, sizeof(want),
		 "is accessible by group or other (mode 0755): chmod 0700 %s",
		 f->dir);
	assert_dir_refused(f, want);
	assert_int_equal(chmod(f->dir, 0750), 0);
	assert_dir_refused(f, "(mode 0750)");
	assert_int_equal(chmod(f->dir, 0701), 0);
	assert_dir_refused(f, "(mode 0701)");
	assert_int_equal(chmod(f->dir, 0700), 0);
	open_ok(f, &c);
	cache_close(&c);
}

static void test_dir_symlink(void **state)
{
	struct fixture *f = *state;
	char real[128];

	snprintf(real, sizeof(real), "%s/real", f->root);
	assert_int_equal(mkdir(real, 0700), 0);
	assert_int_equal(symlink(real, f->dir), 0);
	assert_dir_refused(f, "is a symlink");
	unlink(f->dir);
	/* a file where the directory should be */
	assert_int_equal(close(open(f->dir, O_WRONLY | O_CREAT, 0600)), 0);
	assert_dir_refused(f, "is not a directory");
}

/* ------------------------------------------------------------ entries */

static void test_round_trip(void **state)
{
	struct fixture *f = *state;
	struct cache c;
	struct cache_entry ent;
	struct jwk_set *set = NULL;
	struct discovery d;
	struct oidc_err e;
	struct stat st;
	time_t now = time(NULL);
	long age = -1;
	char p[256];

	open_ok(f, &c);
	put(&c, CACHE_JWKS, JWKS_URI, JWKS_K1, &keep, now - 5);
	put(&c, CACHE_DISCOVERY, DISCO_URI, DISCO, &keep, now - 7);

	/* files named by the issuer's hash, root-owned 0600 */
	path_of(f, "jwks.json", p, sizeof(p));
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_uid, 0);
	path_of(f, "discovery.json", p, sizeof(p));
	assert_int_equal(lstat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);

	oidc_err_clear(&e);
	assert_int_equal(cache_read(&c, CACHE_JWKS, &ent, &e), OIDC_OK);
	assert_string_equal(ent.body, JWKS_K1);
	assert_int_equal(ent.len, strlen(JWKS_K1));
	assert_string_equal(ent.uri, JWKS_URI);
	assert_int_equal(ent.fetched, now - 5);
	assert_int_equal(ent.max_age, 300);
	assert_true(ent.stale_ok);
	assert_int_equal(cache_entry_age(&ent, now), CACHE_FRESH);
	cache_entry_free(&ent);
	cache_close(&c);

	oidc_err_clear(&e);
	assert_int_equal(cache_load_jwks(&f->cfg, &set, &age, &e), OIDC_OK);
	assert_true(jwks_has_kid(set, "k1"));
	assert_false(jwks_has_kid(set, "k2"));
	assert_true(age >= 5 && age < 60);
	jwks_free(set);

	oidc_err_clear(&e);
	assert_int_equal(cache_load_discovery(&f->cfg, &d, &age, &e), OIDC_OK);
	assert_string_equal(d.issuer, ISSUER);
	assert_string_equal(d.jwks_uri, JWKS_URI);
	assert_string_equal(d.token_endpoint, ISSUER "/token");
	assert_true(age >= 7 && age < 60);
	discovery_free(&d);

	/* the other kind under the other name: not mixed up */
	open_ok(f, &c);
	put(&c, CACHE_JWKS, JWKS_URI, JWKS_K2, &keep, now);
	cache_close(&c);
	oidc_err_clear(&e);
	assert_int_equal(cache_load_jwks(&f->cfg, &set, NULL, &e), OIDC_OK);
	assert_true(jwks_has_kid(set, "k2"));
	assert_false(jwks_has_kid(set, "k1"));
	jwks_free(set);
}

static void test_absent(void **state)
{
	struct fixture *f = *state;
	struct jwk_set *set = NULL;
	struct discovery d;
	struct oidc_err e;

	oidc_err_clear(&e);
	assert_int_equal(cache_load_jwks(&f->cfg, &set, NULL, &e),
			 OIDC_EUNAVAIL);
	assert_reason(&e, "no cached JWKS for " ISSUER);
	oidc_err_clear(&e);
	assert_int_equal(cache_load_discovery(&f->cfg, &d, NULL, &e),
			 OIDC_EUNAVAIL);
	assert_reason(&e, "no cached discovery document for " ISSUER);
	assert_null(d.doc);
}

/* Only this document's files and no temporary file are in the directory. */
static void assert_no_temp_files(struct fixture *f)
{
	DIR *d = opendir(f->dir);
	struct dirent *de;

	assert_non_null(d);
	for (;;) {
		de = readdir(d);
		if (de == NULL)
			break;
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (de->d_name[0] == '.') {
			print_error("temporary file left: %s\n", de->d_name);
			fail();
		}
	}
	closedir(d);
}

static void test_atomic_replace(void **state)
{
	struct fixture *f = *state;
	struct cache c;
	struct cache_entry ent;
	struct oidc_err e;
	char p[256], buf[4096];
	time_t now = time(NULL);
	pid_t pid;
	ssize_t n;
	int fd, i, status, bad = 0;

	open_ok(f, &c);
	put(&c, CACHE_JWKS, JWKS_URI, JWKS_K1, &keep, now);
	path_of(f, "jwks.json", p, sizeof(p));
	fd = open(p, O_RDONLY);
	assert_true(fd >= 0);
	put(&c, CACHE_JWKS, JWKS_URI, JWKS_K2, &keep, now);
	/* A reader that opened the old file still reads it whole... */
	n = read(fd, buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	close(fd);
	assert_non_null(strstr(buf, "\\\"kid\\\":\\\"k1\\\""));
	assert_true(buf[n - 1] == '\n');
	/* ...and a new reader gets the new one. */
	oidc_err_clear(&e);
	assert_int_equal(cache_read(&c, CACHE_JWKS, &ent, &e), OIDC_OK);
	assert_string_equal(ent.body, JWKS_K2);
	cache_entry_free(&ent);
	assert_no_temp_files(f);

	/* A writer replacing the file over and over: a concurrent reader
	 * always finds a complete, valid entry. */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct cache wc;
		struct oidc_err we;

		oidc_err_clear(&we);
		if (cache_open(&wc, &f->cfg, &we) != OIDC_OK)
			_exit(2);
		for (i = 0; i < 300; i++) {
			const char *b = i % 2 ? JWKS_K1 : JWKS_K2;

			if (cache_write(&wc, CACHE_JWKS, JWKS_URI, b, strlen(b),
					&keep, now, &we) != OIDC_OK)
				_exit(1);
		}
		_exit(0);
	}
	for (i = 0; i < 300; i++) {
		oidc_err_clear(&e);
		if (cache_read(&c, CACHE_JWKS, &ent, &e) != OIDC_OK ||
		    (strcmp(ent.body, JWKS_K1) != 0 &&
		     strcmp(ent.body, JWKS_K2) != 0)) {
			print_error("read %d during rewrites: %s\n", i,
				    e.reason);
			bad++;
		}
		cache_entry_free(&ent);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(bad, 0);
	assert_no_temp_files(f);
	cache_close(&c);
}

/* The planted JWKS file must be ignored (cache_read fails with want), and a
 * write must replace it. */
static void assert_ignored_then_replaced(struct fixture *f, const char *want)
{
	struct cache c;
	struct cache_entry ent;
	struct jwk_set *set = NULL;
	struct oidc_err e;

	open_ok(f, &c);
	oidc_err_clear(&e);
	assert_int_equal(cache_read(&c, CACHE_JWKS, &ent, &e), OIDC_EUNAVAIL);
	assert_reason(&e, "ignored");
	assert_reason(&e, want);
	assert_null(ent.body);
	oidc_err_clear(&e);
	assert_int_equal(cache_load_jwks(&f->cfg, &set, NULL, &e),
			 OIDC_EUNAVAIL);
	assert_null(set);
	put(&c, CACHE_JWKS, JWKS_URI, JWKS_K1, &keep, time(NULL));
	oidc_err_clear(&e);
	assert_int_equal(cache_read(&c, CACHE_JWKS, &ent, &e), OIDC_OK);
	assert_string_equal(ent.body, JWKS_K1);
	cache_entry_free(&ent);
	cache_close(&c);
}

/* A valid envelope with one member replaced. */
static void plant_envelope(struct fixture *f, const char *kind,
			   const char *issuer, const char *max_age,
			   const char *body)
{
	char text[2048];

	snprintf(text, sizeof(text),
		 "{\"format\":\"pam_oidc cache 1\",\"issuer\":\"%s\","
		 "\"kind\":\"%s\",\"uri\":\"" JWKS_URI "\",\"fetched\":%lld,"
		 "\"max_age\":%s,\"stale_ok\":true,\"body\":%s}\n",
		 issuer, kind, (long long)time(NULL), max_age, body);
	plant(f, "jwks.json", text, 0600);
}

static void test_corrupt_ignored(void **state)
{
	struct fixture *f = *state;
	struct cache c;
	struct jwk_set *set = NULL;
	struct oidc_err e;
	char p[256], real[256];

	open_ok(f, &c);
	cache_close(&c);

	plant(f, "jwks.json", "{\"format\":\"pam_oidc cache 1\",\"iss", 0600);
	assert_ignored_then_replaced(f, "cache file");
	plant(f, "jwks.json", "", 0600);
	assert_ignored_then_replaced(f, "cache file");
	plant(f, "jwks.json", "{\"a\":1}{\"b\":2}", 0600);
	assert_ignored_then_replaced(f, "cache file");
	plant_envelope(f, "jwks", "https://evil.example", "300",
		       "\"{\\\"keys\\\":[]}\"");
	assert_ignored_then_replaced(f, "issuer is not " ISSUER);
	plant_envelope(f, "discovery", ISSUER, "300", "\"{\\\"keys\\\":[]}\"");
	assert_ignored_then_replaced(f, "kind is not \"jwks\"");
	plant_envelope(f, "jwks", ISSUER, "999999", "\"{\\\"keys\\\":[]}\"");
	assert_ignored_then_replaced(f, "max_age is not within 60..86400");
	plant_envelope(f, "jwks", ISSUER, "300", "{\"keys\":[]}");
	assert_ignored_then_replaced(f, "body is not a string");

	/* a file others could read or write, or owned by another user */
	plant(f, "jwks.json", "{}", 0644);
	assert_ignored_then_replaced(f, "with mode 0644, not root with 0600");
	plant(f, "jwks.json", "{}", 0600);
	path_of(f, "jwks.json", p, sizeof(p));
	assert_int_equal(chown(p, 65534, 0), 0);
	assert_ignored_then_replaced(f, "owned by uid 65534");
	/* a symlink in place of the file */
	snprintf(real, sizeof(real), "%s/elsewhere", f->root);
	assert_int_equal(close(open(real, O_WRONLY | O_CREAT, 0600)), 0);
	unlink(p);
	assert_int_equal(symlink(real, p), 0);
	assert_ignored_then_replaced(f, "cannot open");

	/* an envelope that is fine around a body that is no JWKS */
	plant_envelope(f, "jwks", ISSUER, "300", "\"{\\\"keys\\\":{}}\"");
	oidc_err_clear(&e);
	assert_int_equal(cache_load_jwks(&f->cfg, &set, NULL, &e),
			 OIDC_EREJECT);
	assert_reason(&e, "the cached JWKS of " ISSUER);
	assert_reason(&e, "no \"keys\" array");
	assert_null(set);
}

static void test_discovery_checked_on_read(void **state)
{
	struct fixture *f = *state;
	struct cache c;
	struct discovery d;
	struct oidc_err e;
	time_t now = time(NULL);

	open_ok(f, &c);
	put(&c, CACHE_DISCOVERY, DISCO_URI,
	    "{\"issuer\":\"https://evil.example\",\"token_endpoint\":"
	    "\"https://evil.example/t\",\"jwks_uri\":\"https://evil.example/"
	    "k\"}",
	    &keep, now);
	oidc_err_clear(&e);
	assert_int_equal(cache_load_discovery(&f->cfg, &d, NULL, &e),
			 OIDC_EREJECT);
	assert_reason(&e, "discovery: issuer mismatch");
	assert_null(d.doc);
	put(&c, CACHE_DISCOVERY, DISCO_URI,
	    "{\"issuer\":\"" ISSUER "\",\"token_endpoint\":\"" ISSUER
	    "/token\",\"jwks_uri\":\"http://idp.example.org/jwks\"}",
	    &keep, now);
	oidc_err_clear(&e);
	assert_int_equal(cache_load_discovery(&f->cfg, &d, NULL, &e),
			 OIDC_EREJECT);
	assert_reason(&e, "discovery: jwks_uri is not an https URL");
	cache_close(&c);
}

static void test_no_store(void **state)
{
	struct fixture *f = *state;
	struct cache c;
	struct cache_entry ent;
	struct cache_policy p;
	struct oidc_err e;
	char path[256];
	struct stat st;

	open_ok(f, &c);
	put(&c, CACHE_JWKS, JWKS_URI, JWKS_K1, &keep, time(NULL));
	path_of(f, "jwks.json", path, sizeof(path));
	assert_int_equal(stat(path, &st), 0);
	cache_control_parse("no-store", &p);
	put(&c, CACHE_JWKS, JWKS_URI, JWKS_K2, &p, time(NULL));
	/* not written, and the older copy is gone */
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(errno, ENOENT);
	oidc_err_clear(&e);
	assert_int_equal(cache_read(&c, CACHE_JWKS, &ent, &e), OIDC_EUNAVAIL);
	assert_reason(&e, "no cached JWKS");
	cache_close(&c);
}

/* ------------------------------------------------------------ ages */

static void test_ages(void **state)
{
	const time_t now = 1767225600; /* 2026-01-01 */
	struct cache_entry ent = {0};
	const long day = 86400;

	(void)state;
	ent.max_age = 300;
	ent.fetched = now;
	assert_int_equal(cache_entry_age(&ent, now), CACHE_FRESH);
	ent.fetched = now - 299;
	assert_int_equal(cache_entry_age(&ent, now), CACHE_FRESH);
	ent.fetched = now - 300;
	assert_int_equal(cache_entry_age(&ent, now), CACHE_STALE);
	ent.fetched = now - 7 * day + 1;
	assert_int_equal(cache_entry_age(&ent, now), CACHE_STALE);
	ent.fetched = now - 7 * day;
	assert_int_equal(cache_entry_age(&ent, now), CACHE_EXPIRED);
	ent.fetched = now - 365 * day;
	assert_int_equal(cache_entry_age(&ent, now), CACHE_EXPIRED);
	/* a little clock skew is tolerated; a copy from the future is not */
	ent.fetched = now + 30;
	assert_int_equal(cache_entry_age(&ent, now), CACHE_FRESH);
	ent.fetched = now + 3600;
	assert_int_equal(cache_entry_age(&ent, now), CACHE_EXPIRED);
	/* max-age 24 h */
	ent.max_age = 86400;
	ent.fetched = now - day + 1;
	assert_int_equal(cache_entry_age(&ent, now), CACHE_FRESH);
	ent.fetched = now - day;
	assert_int_equal(cache_entry_age(&ent, now), CACHE_STALE);
}

static void test_stale_limit(void **state)
{
	struct fixture *f = *state;
	struct cache c;
	struct jwk_set *set = NULL;
	struct discovery d;
	struct oidc_err e;
	time_t now = time(NULL);
	long age = -1;

	open_ok(f, &c);
	/* two days old: stale, still there for offline use */
	put(&c, CACHE_JWKS, JWKS_URI, JWKS_K1, &keep, now - 2 * 86400);
	put(&c, CACHE_DISCOVERY, DISCO_URI, DISCO, &keep, now - 2 * 86400);
	oidc_err_clear(&e);
	assert_int_equal(cache_load_jwks(&f->cfg, &set, &age, &e), OIDC_OK);
	assert_true(jwks_has_kid(set, "k1"));
	assert_true(age >= 2 * 86400 && age < 2 * 86400 + 60);
	jwks_free(set);
	set = NULL;
	/* eight days old: never used */
	put(&c, CACHE_JWKS, JWKS_URI, JWKS_K1, &keep, now - 8 * 86400);
	put(&c, CACHE_DISCOVERY, DISCO_URI, DISCO, &keep, now - 8 * 86400);
	oidc_err_clear(&e);
	assert_int_equal(cache_load_jwks(&f->cfg, &set, &age, &e),
			 OIDC_EUNAVAIL);
	assert_null(set);
	assert_reason(&e, "past the stale limit of 7 days");
	oidc_err_clear(&e);
	assert_int_equal(cache_load_discovery(&f->cfg, &d, &age, &e),
			 OIDC_EUNAVAIL);
	assert_reason(&e, "past the stale limit of 7 days");
	cache_close(&c);
}

/* ------------------------------------------------------------ refetch limit */

/* In a child: open, lock, claim at `now`; exit 0 when allowed, 1 when
 * rate-limited, 2 on error. */
static pid_t claim_in_child(struct fixture *f, time_t now, long lock_ms)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct cache c;
		struct oidc_err e;
		long w;

		oidc_err_clear(&e);
		if (cache_open(&c, &f->cfg, &e) != OIDC_OK ||
		    cache_lock(&c, lock_ms, &e) != OIDC_OK)
			_exit(2);
		w = cache_refetch_claim(&c, now);
		/* hold the lock a moment, as a refetch would */
		usleep(50 * 1000);
		cache_close(&c);
		_exit(w == 0				     ? 0
		      : w > 0 && w <= CACHE_REFETCH_INTERVAL ? 1
							     : 2);
	}
	return pid;
}

static int child_status(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_refetch_rate_limit(void **state)
{
	struct fixture *f = *state;
	struct cache c;
	struct oidc_err e;
	time_t now = time(NULL);
	pid_t pids[4];
	int i, allowed = 0, limited = 0;

	open_ok(f, &c);
	/* not locked: no claim */
	assert_int_equal(cache_refetch_claim(&c, now), -1);
	cache_close(&c);

	/* one process refetches; another, 10 s later, is refused */
	assert_int_equal(child_status(claim_in_child(f, now, 2000)), 0);
	open_ok(f, &c);
	oidc_err_clear(&e);
	assert_int_equal(cache_lock(&c, 2000, &e), OIDC_OK);
	assert_int_equal(cache_refetch_claim(&c, now + 10), 20);
	assert_int_equal(cache_refetch_claim(&c, now + 29), 1);
	/* 30 s after the first: allowed again, and that one counts */
	assert_int_equal(cache_refetch_claim(&c, now + 30), 0);
	assert_int_equal(cache_refetch_claim(&c, now + 31), 29);
	cache_close(&c);

	/* four logins at the same moment, 2 minutes on: exactly one refetch */
	for (i = 0; i < 4; i++)
		pids[i] = claim_in_child(f, now + 120, 5000);
	for (i = 0; i < 4; i++) {
		int st = child_status(pids[i]);

		assert_true(st == 0 || st == 1);
		if (st == 0)
			allowed++;
		else
			limited++;
	}
	assert_int_equal(allowed, 1);
	assert_int_equal(limited, 3);
}

static void test_lock_timeout(void **state)
{
	struct fixture *f = *state;
	struct cache c;
	struct oidc_err e;
	pid_t pid;

	open_ok(f, &c);
	oidc_err_clear(&e);
	assert_int_equal(cache_lock(&c, 1000, &e), OIDC_OK);
	/* the lock is held here: a child gives up after its wait */
	pid = fork();
	if (pid == 0) {
		struct cache cc;
		struct oidc_err ce;
		int rc;

		oidc_err_clear(&ce);
		if (cache_open(&cc, &f->cfg, &ce) != OIDC_OK)
			_exit(2);
		rc = cache_lock(&cc, 200, &ce);
		_exit(rc == OIDC_EUNAVAIL &&
			      strstr(ce.reason, "held the refetch lock")
			  ? 0
			  : 1);
	}
	assert_int_equal(child_status(pid), 0);
	cache_unlock(&c);
	/* released: now the child gets it */
	pid = claim_in_child(f, time(NULL), 200);
	assert_int_equal(child_status(pid), 0);
	cache_close(&c);
}

static void test_state_corrupt(void **state)
{
	struct fixture *f = *state;
	struct cache c;
	struct oidc_err e;
	time_t now = time(NULL);

	open_ok(f, &c);
	/* a garbage state file does not block refetching forever */
	plant(f, "state.json", "{\"jwks_refetch\":", 0600);
	oidc_err_clear(&e);
	assert_int_equal(cache_lock(&c, 1000, &e), OIDC_OK);
	assert_int_equal(cache_refetch_claim(&c, now), 0);
	/* and is replaced by a good one */
	assert_int_equal(cache_refetch_claim(&c, now + 1), 29);
	/* a refetch time far in the future (the clock went back) neither */
	plant(f, "state.json",
	      "{\"format\":\"pam_oidc cache 1\",\"issuer\":\"" ISSUER
	      "\",\"jwks_refetch\":99999999999}",
	      0600);
	assert_int_equal(cache_refetch_claim(&c, now), 0);
	cache_close(&c);
}

static void test_clear(void **state)
{
	struct fixture *f = *state;
	struct oidc_config other = f->cfg;
	struct cache c;
	struct jwk_set *set = NULL;
	struct oidc_err e;
	time_t now = time(NULL);

	other.issuer = (char *)"https://other.example.org";
	open_ok(f, &c);
	put(&c, CACHE_JWKS, JWKS_URI, JWKS_K1, &keep, now);
	put(&c, CACHE_DISCOVERY, DISCO_URI, DISCO, &keep, now);
	oidc_err_clear(&e);
	assert_int_equal(cache_lock(&c, 1000, &e), OIDC_OK);
	assert_int_equal(cache_refetch_claim(&c, now), 0);
	cache_close(&c);
	oidc_err_clear(&e);
	assert_int_equal(cache_open(&c, &other, &e), OIDC_OK);
	put(&c, CACHE_JWKS, "https://other.example.org/jwks", JWKS_K2, &keep,
	    now);
	cache_close(&c);

	oidc_err_clear(&e);
	assert_int_equal(cache_clear(&f->cfg, &e), OIDC_OK);
	oidc_err_clear(&e);
	assert_int_equal(cache_load_jwks(&f->cfg, &set, NULL, &e),
			 OIDC_EUNAVAIL);
	/* the refetch record went too */
	open_ok(f, &c);
	oidc_err_clear(&e);
	assert_int_equal(cache_lock(&c, 1000, &e), OIDC_OK);
	assert_int_equal(cache_refetch_claim(&c, now + 1), 0);
	cache_close(&c);
	/* another issuer's cache is untouched */
	oidc_err_clear(&e);
	assert_int_equal(cache_load_jwks(&other, &set, NULL, &e), OIDC_OK);
	assert_true(jwks_has_kid(set, "k2"));
	jwks_free(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cache_control),
	    cmocka_unit_test(test_ages),
	    cmocka_unit_test_setup_teardown(test_dir_default, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dir_created, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dir_wrong_owner, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_dir_group_readable, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_dir_symlink, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_absent, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_atomic_replace, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_corrupt_ignored, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_discovery_checked_on_read,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_store, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stale_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refetch_rate_limit, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_lock_timeout, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_state_corrupt, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_clear, setup, teardown),
	};

	if (geteuid() != 0) {
		printf("# test_cache needs root (it checks that files of other "
		       "owners are refused); skipped\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
