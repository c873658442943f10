/* SPDX-License-Identifier: BSD-3-Clause */
/* The replay cache of flow = token: each token once, atomically, pruned,
 * in a root-only directory, and never the token itself on disk. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "replay.h"

/* An ES256 ID token's header and payload.  The signatures are arbitrary
 * 64-byte values in base64url: the cache never verifies them (the token
 * verified before it reaches the cache). */
#define HDR "eyJhbGciOiJFUzI1NiIsImtpZCI6ImVjMSJ9"
#define PAY                                                                    \
	"eyJpc3MiOiJodHRwczovL2lkcC5leGFtcGxlLm9yZyIsInN1YiI6ImFsaWNlIiwiYXVk" \
	"Ijoid29ya3N0YXRpb24iLCJleHAiOjE3MDAwMDA2MDAsImlhdCI6MTcwMDAwMDAwMH0"
#define SIG1                                                                   \
	"q9mJ3bOAy0mQ4sSEm6eSuJ6yQ1lGd6Pj6R0mJ7cW5o1dPgRrMZ2zKq3rY9x4QmWb0V5x" \
	"FtH0bqKc2s8dE1aJ7w"
/* another signature over the same signed content, as ECDSA's twin
 * (r, n - s) of a signature is */
#define SIG2                                                                   \
	"q9mJ3bOAy0mQ4sSEm6eSuJ6yQ1lGd6Pj6R0mJ7cW5o1kXbA4p1w3Mz5bQx2tW9c6Fv7k" \
	"Y3hN9pLx5d1sQ8bE2g"
#define TOKEN HDR "." PAY "." SIG1
#define TWIN HDR "." PAY "." SIG2
#define PAY_BOB "eyJzdWIiOiJib2IiLCJleHAiOjE3MDAwMDA2MDB9"
#define OTHER HDR "." PAY_BOB "." SIG1

#define NOW ((time_t)1700000000)
#define EXP ((int64_t)1700000600)
#define LEEWAY 60L

struct dirs {
	char base[64];	 /* cache_dir */
	char replay[96]; /* cache_dir/replay */
	uid_t me;
};

static int setup(void **state)
{
	struct dirs *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	snprintf(d->base, sizeof(d->base), "/tmp/test_replay.XXXXXX");
	assert_non_null(mkdtemp(d->base));
	snprintf(d->replay, sizeof(d->replay), "%s/%s", d->base, REPLAY_SUBDIR);
	d->me = geteuid();
	*state = d;
	return 0;
}

static void rm_tree(const char *path)
{
	DIR *dir = opendir(path);
	struct dirent *de;
	char p[PATH_MAX];

	if (dir != NULL) {
		while ((de = readdir(dir)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(p, sizeof(p), "%s/%s", path, de->d_name);
			rm_tree(p);
		}
		closedir(dir);
		(void)rmdir(path);
	} else {
		(void)unlink(path);
	}
}

static int teardown(void **state)
{
	struct dirs *d = *state;

	(void)chmod(d->base, 0700);
	(void)chmod(d->replay, 0700);
	rm_tree(d->base);
	free(d);
	return 0;
}

static int record(struct dirs *d, const char *token, int64_t exp, time_t now,
		  struct replay_stats *st, struct oidc_err *e)
{
	oidc_err_clear(e);
	return replay_record(d->base, d->me, token, exp, LEEWAY, now, st, e);
}

static unsigned count_entries(const char *path)
{
	DIR *dir = opendir(path);
	struct dirent *de;
	unsigned n = 0;

	assert_non_null(dir);
	while ((de = readdir(dir)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

/* 1. A token is accepted once; the second time the reason says when. */
static void test_once(void **state)
{
	struct dirs *d = *state;
	struct oidc_err e;
	struct stat st;

	assert_int_equal(record(d, TOKEN, EXP, NOW, NULL, &e), OIDC_OK);
	assert_int_equal(record(d, TOKEN, EXP, NOW + 30, NULL, &e),
			 OIDC_EREJECT);
	assert_string_equal(e.reason, "replay: this token was already used "
				      "at 2023-11-14T22:13:20Z");
	/* another token is not affected */
	assert_int_equal(record(d, OTHER, EXP, NOW + 31, NULL, &e), OIDC_OK);
	/* made root-only (here: ours-only) when missing */
	assert_int_equal(stat(d->replay, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(count_entries(d->replay), 2);
}

/* 2. ECDSA's twin signature (r, n - s) over the same content is the same
 * token: keyed on the signing input, it is refused too. */
static void test_twin_signature(void **state)
{
	struct dirs *d = *state;
	struct oidc_err e;

	assert_int_equal(record(d, TOKEN, EXP, NOW, NULL, &e), OIDC_OK);
	assert_int_equal(record(d, TWIN, EXP, NOW + 1, NULL, &e), OIDC_EREJECT);
	assert_non_null(strstr(e.reason, "replay: "));
}

/* 3. Concurrent logins with one token: exactly one wins. */
static void test_concurrent(void **state)
{
	enum { N = 24 };
	struct dirs *d = *state;
	int go[2], status, ok = 0, replayed = 0, other = 0;
	pid_t pids[N];
	char c = 'g';

	assert_int_equal(pipe(go), 0);
	for (int i = 0; i < N; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			struct oidc_err e;
			char x;
			int rc;

			close(go[1]);
			/* all start together when the pipe closes */
			while (read(go[0], &x, 1) > 0)
				;
			rc = record(d, TOKEN, EXP, NOW, NULL, &e);
			_exit(rc == OIDC_OK ? 0 : rc == OIDC_EREJECT ? 1 : 2);
		}
	}
	close(go[0]);
	assert_int_equal(write(go[1], &c, 1), 1);
	close(go[1]);
	for (int i = 0; i < N; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		if (WEXITSTATUS(status) == 0)
			ok++;
		else if (WEXITSTATUS(status) == 1)
			replayed++;
		else
			other++;
	}
	assert_int_equal(ok, 1);
	assert_int_equal(replayed, N - 1);
	assert_int_equal(other, 0);
	assert_int_equal(count_entries(d->replay), 1);
}

/* 4. Entries whose exp + leeway (+ margin) passed are removed; live ones
 * stay; each call does bounded work. */
static void test_prune(void **state)
{
	struct dirs *d = *state;
	struct replay_stats st;
	struct oidc_err e;
	char tok[128];
	time_t later;
	unsigned i;

	/* expires at NOW + 10 */
	assert_int_equal(record(d, TOKEN, NOW + 10, NOW, &st, &e), OIDC_OK);
	/* still needed up to exp + leeway + margin */
	later = NOW + 10 + LEEWAY + REPLAY_MARGIN;
	assert_int_equal(record(d, OTHER, later + 3600, later, &st, &e),
			 OIDC_OK);
	assert_int_equal(st.pruned, 0);
	assert_int_equal(count_entries(d->replay), 2);
	/* one second later it goes, the live one stays */
	assert_int_equal(record(d, "h.p2.s", later + 3600, later + 1, &st, &e),
			 OIDC_OK);
	assert_int_equal(st.pruned, 1);
	assert_int_equal(count_entries(d->replay), 2);
	/* and the expired token, presented again (verification refuses it
	 * as expired first), is not known any more; its new entry is expired
	 * at once and goes in the same call */
	assert_int_equal(record(d, TOKEN, NOW + 10, later + 2, &st, &e),
			 OIDC_OK);
	assert_int_equal(st.pruned, 1);
	assert_int_equal(count_entries(d->replay), 2);

	/* 250 expired entries: at most REPLAY_PRUNE_MAX go per call */
	for (i = 0; i < 250; i++) {
		snprintf(tok, sizeof(tok), "h.p%u.s", 1000 + i);
		assert_int_equal(record(d, tok, NOW + 20, NOW, &st, &e),
				 OIDC_OK);
	}
	assert_int_equal(count_entries(d->replay), 2 + 250);
	assert_int_equal(
	    record(d, "h.q1.s", later + 9000, later + 100, &st, &e), OIDC_OK);
	assert_int_equal(st.pruned, REPLAY_PRUNE_MAX);
	assert_true(st.scanned <= REPLAY_SCAN_MAX);
	assert_int_equal(
	    record(d, "h.q2.s", later + 9000, later + 100, &st, &e), OIDC_OK);
	assert_int_equal(st.pruned, REPLAY_PRUNE_MAX);
	assert_int_equal(
	    record(d, "h.q3.s", later + 9000, later + 100, &st, &e), OIDC_OK);
	/* the rest of the 250 */
	assert_int_equal(st.pruned, 250 - 2 * REPLAY_PRUNE_MAX);
	/* left: OTHER, h.p2, h.q1..3 */
	assert_int_equal(count_entries(d->replay), 5);
}

/* 5. A directory that others could write to, or that is not ours, is
 * refused as a configuration error. */
static void test_bad_dirs(void **state)
{
	struct dirs *d = *state;
	struct oidc_err e;
	char link[128];

	/* replay/ owned by someone else */
	oidc_err_clear(&e);
	assert_int_equal(replay_record(d->base, d->me + 1, TOKEN, EXP, LEEWAY,
				       NOW, NULL, &e),
			 OIDC_ECONFIG);
	assert_non_null(strstr(e.reason, "must be owned by uid"));
	assert_non_null(strstr(e.reason, "flow = token is refused"));

	assert_int_equal(record(d, TOKEN, EXP, NOW, NULL, &e), OIDC_OK);
	/* replay/ readable by the group */
	assert_int_equal(chmod(d->replay, 0750), 0);
	assert_int_equal(record(d, OTHER, EXP, NOW, NULL, &e), OIDC_ECONFIG);
	assert_non_null(strstr(e.reason, "/replay: mode 0750, must not be "
					 "accessible by group or other"));
	assert_int_equal(chmod(d->replay, 0701), 0);
	assert_int_equal(record(d, OTHER, EXP, NOW, NULL, &e), OIDC_ECONFIG);
	assert_int_equal(chmod(d->replay, 0700), 0);
	/* cache_dir writable by others */
	assert_int_equal(chmod(d->base, 0777), 0);
	assert_int_equal(record(d, OTHER, EXP, NOW, NULL, &e), OIDC_ECONFIG);
	assert_non_null(strstr(e.reason, "mode 0777, must not be writable"));
	/* but readable by others is fine for cache_dir (the JWKS is public) */
	assert_int_equal(chmod(d->base, 0755), 0);
	assert_int_equal(record(d, OTHER, EXP, NOW, NULL, &e), OIDC_OK);

	/* replay/ as a symbolic link to a directory of the right mode */
	snprintf(link, sizeof(link), "%s/elsewhere", d->base);
	assert_int_equal(mkdir(link, 0700), 0);
	rm_tree(d->replay);
	assert_int_equal(symlink("elsewhere", d->replay), 0);
	assert_int_equal(record(d, TOKEN, EXP, NOW, NULL, &e), OIDC_ECONFIG);
	assert_non_null(strstr(e.reason, "is a symbolic link"));
	/* a relative cache_dir */
	oidc_err_clear(&e);
	assert_int_equal(replay_record("var/cache", d->me, TOKEN, EXP, LEEWAY,
				       NOW, NULL, &e),
			 OIDC_ECONFIG);
}

static bool file_has(const char *path, const char *needle)
{
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

/* 6. Neither the token nor any part of it is on disk: not in a name, not
 * in an entry. */
static void test_no_token_on_disk(void **state)
{
	static const char *const parts[] = {HDR, PAY, SIG1, "eyJ"};
	struct dirs *d = *state;
	struct oidc_err e;
	struct dirent *de;
	char path[PATH_MAX];
	unsigned files = 0;
	DIR *dir;

	assert_int_equal(record(d, TOKEN, EXP, NOW, NULL, &e), OIDC_OK);
	dir = opendir(d->replay);
	assert_non_null(dir);
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		files++;
		snprintf(path, sizeof(path), "%s/%s", d->replay, de->d_name);
		for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
			assert_null(strstr(de->d_name, parts[i]));
			assert_false(file_has(path, parts[i]));
		}
		/* what it does hold */
		assert_true(file_has(path, "exp=1700000600 used=1700000000\n"));
		assert_int_equal(strlen(de->d_name), 64 + 1 + 10);
	}
	closedir(dir);
	assert_int_equal(files, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_twin_signature, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_concurrent, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_prune, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_dirs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_token_on_disk, setup,
					    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
