/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The replay cache of flow = token: an ID token is accepted at most once
 * within its lifetime.
 *
 * Layout: CACHE_DIR/replay/ (created 0700 when missing), owned by root and
 * closed to group and other, in a CACHE_DIR owned by root and not writable
 * by group or other; anything else is refused, since without the cache a
 * token could be used again.  One entry per accepted token, named
 *
 *     <hex SHA-256 of the token's signing input>-<exp>
 *
 * and holding "exp=<exp> used=<time of use>\n"; never the token.  The key
 * is the signing input (header.payload), not the whole compact token: an
 * ECDSA signature (r, s) has a twin (r, n - s) that verifies as well, so
 * keying on the whole token would let a copied ES256 token be used twice.
 * The entry is made with O_CREAT | O_EXCL, so of two logins with the same
 * token exactly one wins.
 *
 * Pruning: each call removes entries whose exp + leeway passed more than
 * REPLAY_MARGIN seconds ago (a token that old fails verification anyway;
 * the margin covers a clock stepped back), reading at most REPLAY_SCAN_MAX
 * names and removing at most REPLAY_PRUNE_MAX entries, so that the work of
 * one login stays bounded however large the directory grew.
 */
#ifndef PAM_OIDC_REPLAY_H
#define PAM_OIDC_REPLAY_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "error.h"

#define REPLAY_SUBDIR "replay"
#define REPLAY_MARGIN 300L     /* seconds kept beyond exp + leeway */
#define REPLAY_SCAN_MAX 10000u /* directory entries read per call */
#define REPLAY_PRUNE_MAX 100u  /* entries removed per call */

struct replay_stats {
	unsigned scanned; /* directory entries looked at */
	unsigned pruned;  /* expired entries removed */
};

/*
 * Record the token (compact JWS, already verified) whose exp claim is exp,
 * at time now, in cache_dir/replay.  owner is the uid that must own both
 * directories (0; the tests pass their own uid).  Returns OIDC_OK when the
 * token was not seen before (and is now recorded); OIDC_EREJECT with the
 * reason "replay: this token was already used at <UTC time>" when it was;
 * OIDC_ECONFIG when the directory is missing and cannot be made, or has the
 * wrong owner or mode; OIDC_EINTERNAL when the entry cannot be written.
 * stats may be NULL.
 */
int replay_record(const char *cache_dir, uid_t owner, const char *token,
		  int64_t exp, long leeway, time_t now,
		  struct replay_stats *stats, struct oidc_err *e);

#endif
