/* SPDX-License-Identifier: BSD-3-Clause */
/* From a verified identity to a local account (rules in mapfile.h). */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "claims.h"
#include "json.h"
#include "login.h"
#include "mapfile.h"
#include "util.h"

#define PW_BUF_MAX (1024 * 1024)
#define NO_ACCOUNT "Your identity has no account on this computer."

/* A name for messages: at most 64 bytes, other bytes than printable ASCII
 * and '"' '\' as \xNN. */
static const char *show_name(char *buf, size_t size, const char *s)
{
	size_t i, used = 0;

	for (i = 0; s[i] != '\0' && i < 64 && used + 5 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			buf[used++] = (char)c;
		else
			used += (size_t)snprintf(buf + used, size - used,
						 "\\x%02x", c);
	}
	if (s[i] != '\0' && used + 4 < size) {
		memcpy(buf + used, "...", 3);
		used += 3;
	}
	buf[used] = '\0';
	return buf;
}

/* The local account: safe name, exists, uid 0 only with allow_root.
 * *canon gets the name as the system spells it. */
static int check_account(const struct oidc_config *cfg, const char *name,
			 const char *rule, char **canon, struct oidc_err *e)
{
	struct passwd pw, *res = NULL;
	char shown[400];
	char *buf = NULL;
	size_t size = 4096;
	int rc;

	if (!text_is_safe_username(name)) {
		oidc_user_msg(e, NO_ACCOUNT);
		return oidc_fail(e, OIDC_EREJECT,
				 "account: \"%s\" (from %s) is not a safe "
				 "account name",
				 show_name(shown, sizeof(shown), name), rule);
	}
	for (;;) {
		char *nb = realloc(buf, size);

		if (nb == NULL) {
			free(buf);
			return oidc_fail(e, OIDC_EINTERNAL, "out of memory");
		}
		buf = nb;
		rc = getpwnam_r(name, &pw, buf, size, &res);
		if (rc == EINTR)
			continue;
		if (rc == ERANGE && size < PW_BUF_MAX) {
			size *= 2;
			continue;
		}
		break;
	}
	if (res == NULL) {
		/* 0, ENOENT, ESRCH, EBADF, EPERM: "not found" (getpwnam_r(3))
		 */
		if (rc == 0 || rc == ENOENT || rc == ESRCH || rc == EBADF ||
		    rc == EPERM) {
			oidc_user_msg(e, NO_ACCOUNT);
			rc = oidc_fail(e, OIDC_EREJECT,
				       "account: \"%s\" does not exist", name);
		} else {
			rc = oidc_fail(e, OIDC_EINTERNAL,
				       "account: cannot look up \"%s\": %s",
				       name, strerror(rc));
		}
		goto out;
	}
	if (pw.pw_uid == 0 && !cfg->allow_root) {
		oidc_user_msg(e, "This account cannot sign in with this "
				 "method.");
		rc = oidc_fail(e, OIDC_EREJECT,
			       "account: \"%s\" has uid 0 and allow_root is no",
			       name);
		goto out;
	}
	*canon = strdup(pw.pw_name);
	rc = *canon == NULL ? oidc_fail(e, OIDC_EINTERNAL, "out of memory")
			    : OIDC_OK;
out:
	explicit_bzero(buf, size);
	free(buf);
	return rc;
}

int map_explain(const struct oidc_config *cfg, json_object *claims,
		const char *iss, const char *sub, char **account, char **rule,
		struct oidc_err *e)
{
	struct map_file *m = NULL;
	struct map_match mm = {0};
	char rulebuf[128];
	const char *name;
	int rc;

	*account = NULL;
	*rule = NULL;
	if (cfg->map_file == NULL) {
		snprintf(rulebuf, sizeof(rulebuf), "username_claim %s",
			 cfg->username_claim);
		name = json_str(claims, cfg->username_claim);
		if (name == NULL) {
			oidc_user_msg(e, NO_ACCOUNT);
			return oidc_fail(e, OIDC_EREJECT,
					 "mapping: username_claim \"%s\" "
					 "missing or not a string",
					 cfg->username_claim);
		}
		*rule = strdup(rulebuf);
		if (*rule == NULL)
			return oidc_fail(e, OIDC_EINTERNAL, "out of memory");
		return check_account(cfg, name, rulebuf, account, e);
	}

	rc = mapfile_load(cfg->map_file, &m, e);
	if (rc != OIDC_OK)
		return rc;
	rc = mapfile_match(m, claims, iss, sub, &mm, e);
	if (rc != OIDC_OK)
		goto out;
	if (mm.line == 0) {
		oidc_user_msg(e, NO_ACCOUNT);
		rc = oidc_fail(e, OIDC_EREJECT,
			       "mapping: no rule matches (map file %s)",
			       cfg->map_file);
		goto out;
	}
	snprintf(rulebuf, sizeof(rulebuf), "map file line %u", mm.line);
	*rule = strdup(rulebuf);
	if (*rule == NULL) {
		rc = oidc_fail(e, OIDC_EINTERNAL, "out of memory");
		goto out;
	}
	if (mm.deny) {
		oidc_user_msg(e, "Your identity may not sign in to this "
				 "computer.");
		rc = oidc_fail(e, OIDC_EREJECT,
			       "mapping: rule at line %u denies (map file %s)",
			       mm.line, cfg->map_file);
		goto out;
	}
	rc = check_account(cfg, mm.account, rulebuf, account, e);
out:
	free(mm.account);
	mapfile_free(m);
	return rc;
}

int map_account(struct login *l)
{
	struct oidc_err *e = &l->err;
	char *account = NULL, *rule = NULL;
	int rc;

	rc = map_explain(l->cfg, l->claims, l->iss, l->sub, &account, &rule, e);
	free(l->map_rule);
	l->map_rule = rule;
	if (rc != OIDC_OK)
		return rc;
	if (strcmp(account, l->user) != 0) {
		oidc_user_msg(e, "You signed in as someone else than this "
				 "account.");
		rc = oidc_fail(e, OIDC_EREJECT,
			       RULE_ACCOUNT ": identity maps to account \"%s\", "
			       "but the login is for \"%s\"",
			       account, l->user);
		free(account);
		return rc;
	}
	free(l->account);
	l->account = account;
	return OIDC_OK;
}
