/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * On-disk cache of the provider's discovery document and JWKS, per issuer.
 *
 * Where: `[provider] cache_dir` (default PAM_OIDC_CACHE_DIR,
 * /var/cache/pam_oidc).  The directory is created 0700 if it is missing.  It
 * is used only when it is a real directory (not a symlink), owned by root and
 * not accessible by group or other; otherwise the reason is logged (syslog,
 * LOG_AUTHPRIV) and logins go on without a cache: a cache problem never fails
 * a login by itself.  Parent directories are not checked.
 *
 * Files, all root-owned 0600; HASH is the lowercase hex SHA-256 of the issuer
 * exactly as configured:
 *
 *   HASH.discovery.json   the discovery document
 *   HASH.jwks.json        the JWKS
 *   HASH.state.json       {"format":..., "issuer":..., "jwks_refetch": T}:
 *                         when the last refetch for an unknown kid began
 *   HASH.lock             empty; flock()ed around refetches
 *   .HASH.*.XXXXXXXX      a write in progress (or left by a crash)
 *
 * A document file is one JSON object that carries the document as the
 * provider served it together with what is needed to judge its age, so that
 * the two are always replaced together:
 *
 *   { "format": "pam_oidc cache 1", "issuer": "https://idp.example",
 *     "kind": "jwks", "uri": "https://idp.example/jwks",
 *     "fetched": 1767225600, "max_age": 3600, "stale_ok": true,
 *     "body": "{\"keys\":[...]}" }
 *
 * Every file is written whole to a temporary file in the same directory
 * (O_CREAT|O_EXCL, 0600), fsync()ed and rename()d over the old one, so that
 * a reader sees the old or the new file, never a partial one, and concurrent
 * logins need no lock to read.  On read, a file that is not a regular
 * root-owned 0600 file, is not strict JSON (json.h), has another format,
 * kind or issuer, or whose body fails its own checks (jwks_parse,
 * discovery_check) is ignored as if absent (and logged); the next download
 * replaces it.
 *
 * Age (wall clock, from "fetched"):
 *   fresh      age < max_age: used without asking the provider;
 *   stale      max_age <= age < CACHE_STALE_LIMIT: used only when the
 *              provider cannot be reached (connection, TLS, timeout, HTTP
 *              5xx or 429) and the response allowed it (no no-cache or
 *              must-revalidate); the fallback is logged;
 *   expired    age >= CACHE_STALE_LIMIT, or "fetched" more than a minute in
 *              the future: never used.
 * The stale window lets a workstation keep verifying tokens through a short
 * outage of the identity provider only where the login itself needs no
 * network: the `token` flow (a JWT pasted at the prompt) and `pam-oidc
 * verify`.  A device or authcode login talks to the provider anyway and
 * fails with PAM_AUTHINFO_UNAVAIL while it is down.
 *
 * max_age comes from the response's Cache-Control header
 * (cache_control_parse): max-age within [CACHE_MAX_AGE_MIN,
 * CACHE_MAX_AGE_MAX]; no header or no max-age: CACHE_MAX_AGE_DEFAULT;
 * no-store: not written (and an older copy removed).
 *
 * Unknown kid: a token whose kid is not in a fresh cached JWKS causes one
 * refetch, at most one per issuer per CACHE_REFETCH_INTERVAL seconds across
 * all processes (HASH.lock is held while HASH.state.json is read and
 * updated and while the refetch runs; a login that waited for the lock first
 * looks whether the refetch it waited for brought the kid).
 */
#ifndef PAM_OIDC_CACHE_H
#define PAM_OIDC_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "error.h"
#include "jose.h"
#include "oidc.h"

#define CACHE_MAX_AGE_MIN 60L		   /* seconds */
#define CACHE_MAX_AGE_MAX (24L * 3600)	   /* seconds */
#define CACHE_MAX_AGE_DEFAULT 3600L	   /* no Cache-Control max-age */
#define CACHE_STALE_LIMIT (7L * 24 * 3600) /* never used after this */
#define CACHE_REFETCH_INTERVAL 30L	   /* unknown-kid refetches */
#define CACHE_FORMAT "pam_oidc cache 1"

enum cache_kind { CACHE_DISCOVERY = 0, CACHE_JWKS };

/* What a response's Cache-Control allows. */
struct cache_policy {
	long max_age;  /* seconds, clamped to the bounds above */
	bool store;    /* false: no-store */
	bool stale_ok; /* false: no-cache or must-revalidate */
};

/* Parse a Cache-Control header value (NULL: no header).  Directive names
 * are case-insensitive; unknown directives are ignored; max-age must be
 * digits (optionally quoted) and appear once, otherwise (invalid, negative,
 * repeated) it counts as 0; values are then clamped to
 * [CACHE_MAX_AGE_MIN, CACHE_MAX_AGE_MAX]; no-cache counts as max-age 0
 * without stale use; s-maxage (shared caches) is ignored. */
void cache_control_parse(const char *value, struct cache_policy *p);

/* One issuer's cache, open.  dirfd is -1 when there is no usable cache;
 * every operation below is then a no-op that finds nothing. */
struct cache {
	int dirfd;
	int lockfd;    /* -1 unless cache_lock() holds HASH.lock */
	char hash[65]; /* hex SHA-256 of the issuer */
	const char *issuer;
	const char *dir;
};

/* A cached document, as read back. */
struct cache_entry {
	char *body; /* the document as served, NUL-terminated */
	size_t len;
	char *uri;	/* where it was fetched from */
	time_t fetched; /* wall clock of the download */
	long max_age;
	bool stale_ok;
};

enum cache_age { CACHE_FRESH = 0, CACHE_STALE, CACHE_EXPIRED };

/* The cache directory of cfg (cache_dir, or PAM_OIDC_CACHE_DIR if unset). */
const char *cache_dir_path(const struct oidc_config *cfg);

/* Open (creating the directory if missing) and check the cache of
 * cfg->issuer.  On failure c->dirfd is -1 and e says why, e.g.
 * "cache_dir /var/cache/pam_oidc is accessible by group or other (mode
 * 0755): chmod 0700 /var/cache/pam_oidc" (OIDC_ECONFIG), or OIDC_EINTERNAL.
 * cache_close() is safe either way. */
int cache_open(struct cache *c, const struct oidc_config *cfg,
	       struct oidc_err *e);
/* The same, but a failure is logged (once per process) and not returned:
 * the caller goes on without a cache. */
void cache_open_or_log(struct cache *c, const struct oidc_config *cfg);
void cache_close(struct cache *c);

/* Read and check the envelope of a cached document (not yet its body's own
 * rules; the caller applies jwks_parse or discovery_check and, when they
 * fail, treats the entry as absent).  OIDC_OK, or OIDC_EUNAVAIL with a
 * reason: "no cached ..." when absent, or what is wrong with the file. */
int cache_read(struct cache *c, enum cache_kind kind, struct cache_entry *ent,
	       struct oidc_err *e);
void cache_entry_free(struct cache_entry *ent);
enum cache_age cache_entry_age(const struct cache_entry *ent, time_t now);

/* Store a document downloaded at `fetched` from uri (atomically replacing
 * the previous one).  With p->store false nothing is written and a cached
 * copy is removed.  OIDC_OK also when there is no cache. */
int cache_write(struct cache *c, enum cache_kind kind, const char *uri,
		const char *body, size_t len, const struct cache_policy *p,
		time_t fetched, struct oidc_err *e);

/* flock() HASH.lock, waiting at most timeout_ms; OIDC_EUNAVAIL when it did
 * not come (another process holds it), OIDC_EINTERNAL on other errors. */
int cache_lock(struct cache *c, long timeout_ms, struct oidc_err *e);
void cache_unlock(struct cache *c);
/* Under cache_lock(): 0 when a refetch may begin now (and records that it
 * did), else the seconds until the next one is allowed (> 0).  -1 when the
 * lock is not held. */
long cache_refetch_claim(struct cache *c, time_t now);

/* Offline reading, for `pam-oidc check`/`verify` and the token flow: the
 * cached copy of cfg's issuer, fresh or stale, with its age in seconds.
 * OIDC_EUNAVAIL when there is none, when the file is ignored (reason says
 * why) or when it is past CACHE_STALE_LIMIT; what cache_open() returns when
 * the directory cannot be used (OIDC_ECONFIG); OIDC_EREJECT when the cached
 * document fails its own checks.  *set is the caller's to jwks_free(); d is
 * the caller's to discovery_free(). */
int cache_load_jwks(const struct oidc_config *cfg, struct jwk_set **set,
		    long *age_s, struct oidc_err *e);
int cache_load_discovery(const struct oidc_config *cfg, struct discovery *d,
			 long *age_s, struct oidc_err *e);

/* Remove every cache file of cfg's issuer (a forced refetch on the next
 * login).  OIDC_OK also when there was nothing to remove. */
int cache_clear(const struct oidc_config *cfg, struct oidc_err *e);

/* Log a cache warning (syslog LOG_AUTHPRIV|LOG_WARNING, "pam_oidc cache: "). */
void cache_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
