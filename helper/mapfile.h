/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * From a verified identity to a local account.
 *
 * Without a map file (config key map_file unset), the string value of the
 * top-level claim named by username_claim is the account name.
 *
 * A map file (map_file = /etc/security/pam_oidc.map) holds ordered rules, one
 * per line; the first rule whose conditions all hold decides:
 *
 *     # comment (a line starting with #, or # after a space)
 *     iss = https://idp.example.org/realms/clinical, sub = 8f1c -> alice
 *     fhirUser ~ /(.*\/)?Patient\/.+/ -> !deny
 *     email ~ /([a-z]+)@hospital\.org/ -> \1
 *     practitioner_role = nurse, ward = 3 -> ward3
 *     realm_access.roles = physician -> doctors
 *     "https://hospital.org/claims".unit = ICU -> icu
 *
 * Syntax of a rule:  CONDITION [, CONDITION]... -> TARGET
 *
 *   CONDITION  CLAIM = VALUE   the claim's value equals VALUE exactly
 *              CLAIM ~ /ERE/   the claim's value matches the POSIX extended
 *                              regular expression ERE over its WHOLE length
 *                              (the rule is anchored: ERE is compiled as
 *                              ^(ERE)$); \/ stands for a slash inside ERE;
 *                              other backslashes are passed to regcomp(3);
 *                              back-references, flags and an unmatched )
 *                              are errors
 *   CLAIM      a dotted path into the claims (realm_access.roles).  A path
 *              segment is [A-Za-z0-9_:$@+-]+ or a quoted string, which is
 *              taken literally (for claim names with dots: "https://x.org/r")
 *   VALUE      a bare word (printable, no space, comma, '"', backslash; it
 *              ends at a space, a comma or "->") or a quoted string "..."
 *              with \" and \\ as the only escapes
 *   TARGET     an account name (A-Z a-z 0-9 . _ - @, not starting with -,
 *              no ..) in which \1 ... \9 stand for the groups captured by the
 *              rule's one ~ condition (a group that took no part is empty);
 *              or !deny: the identity is refused, no later rule is tried
 *
 * Values that take part in matching: a string; true and false (as the words
 * "true" and "false", so email_verified = true works for providers that send
 * a boolean or a string); an integer written without fraction or exponent
 * (as its decimal text, so ward = 3 matches 3 and "3").  For an array, a
 * condition holds when any element does (for ~, the first matching element
 * gives the captures).  Other values (null, floats, objects, nested arrays,
 * strings with NUL or longer than MAPFILE_MAX_VALUE bytes) never match, nor
 * does an absent claim.  The claims are the verified ID token claims only;
 * iss and sub are the verified issuer and subject, so a rule with
 * "iss = ..., sub = ..." pins one identity to one account.
 *
 * The file must be a regular file (not a symbolic link) owned by root and
 * not writable by group or other; it is read whole and checked whole at each
 * login: any error (syntax, a bad regex, a \N beyond the regex's groups, a
 * literal target that is not a safe account name, a limit below exceeded) is
 * a configuration error "FILE:LINE: what is wrong" (OIDC_ECONFIG, so
 * PAM_SERVICE_ERR) and nobody logs in until it is fixed.
 *
 * The account a rule gives then passes the same checks as without a map
 * file: a safe name, it exists (getpwnam_r), uid 0 only with allow_root, and
 * (for a login) it is the PAM user.
 */
#ifndef PAM_OIDC_MAPFILE_H
#define PAM_OIDC_MAPFILE_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "config.h"
#include "error.h"

#define MAPFILE_MAX_SIZE (256 * 1024) /* bytes in the file */
#define MAPFILE_MAX_LINE 4096	      /* bytes in a line, without newline */
#define MAPFILE_MAX_RULES 1000
#define MAPFILE_MAX_CONDS 16   /* conditions in one rule */
#define MAPFILE_MAX_VALUE 4096 /* longer claim values never match */

struct map_rule;

struct map_file {
	char *path; /* name used in messages */
	struct map_rule *rules;
	size_t nrules;
};

/* What a map file says about a set of claims.  line is 0 when no rule
 * matched; otherwise either deny is true or account is the rule's target
 * with captures substituted (malloc'd, not yet checked for safety). */
struct map_match {
	unsigned line;
	bool deny;
	char *account;
};

/* Open, check (regular file, owner root, mode not group/other writable,
 * size) and parse path.  On error: OIDC_ECONFIG, e->reason "PATH: ..." or
 * "PATH:LINE: ...", *out NULL. */
int mapfile_load(const char *path, struct map_file **out, struct oidc_err *e);

/* Parse buf[0..len) (may hold NUL bytes, which are errors); name is used in
 * messages.  No ownership checks. */
int mapfile_parse(const char *name, const char *buf, size_t len,
		  struct map_file **out, struct oidc_err *e);

/* The first rule that matches.  iss and sub, when not NULL, stand for the
 * top-level claims "iss" and "sub".  OIDC_OK (out->line 0 when nothing
 * matched), or OIDC_EINTERNAL when out of memory.  out->account is the
 * caller's to free. */
int mapfile_match(const struct map_file *m, json_object *claims,
		  const char *iss, const char *sub, struct map_match *out,
		  struct oidc_err *e);

void mapfile_free(struct map_file *m);

/*
 * What a login with these verified claims would map to, without comparing it
 * to a PAM user (for `pam-oidc check`, `verify`, `login`, and map_account).
 * Loads cfg->map_file when set (else uses cfg->username_claim), finds the
 * rule, and checks the account: safe name, exists, uid 0 only with
 * allow_root.
 *
 * *rule (malloc'd, or NULL) names what decided: "map file line 7" or
 * "username_claim preferred_username"; it is set whenever a rule matched,
 * also when the account is then refused.  *account (malloc'd) is the
 * account's name as the system spells it, set only on OIDC_OK.
 *
 * Returns OIDC_OK; OIDC_EREJECT with e->reason starting "mapping: " (no rule,
 * a deny rule, claim missing) or "account: " (unsafe name, no such account,
 * uid 0); OIDC_ECONFIG for a broken map file ("FILE:LINE: ..."); OIDC_EINTERNAL
 * for out of memory or a failing account lookup.
 */
int map_explain(const struct oidc_config *cfg, json_object *claims,
		const char *iss, const char *sub, char **account, char **rule,
		struct oidc_err *e);

#endif
