/* SPDX-License-Identifier: BSD-3-Clause */
/* From a verified identity to a local account. */
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "login.h"
#include "util.h"

int map_account(struct login *l)
{
	struct oidc_err *e = &l->err;
	const char *claim = l->cfg->username_claim;
	struct passwd pw, *res = NULL;
	char buf[4096];
	const char *name;
	int rc;

	name = json_str(l->claims, claim);
	if (name == NULL) {
		oidc_user_msg(e, "Your identity has no account on this computer.");
		return oidc_fail(e, OIDC_EREJECT,
				 "username_claim \"%s\" missing or not a string",
				 claim);
	}
	if (!text_is_safe_username(name)) {
		oidc_user_msg(e, "Your identity has no account on this computer.");
		return oidc_fail(e, OIDC_EREJECT,
				 "username_claim \"%s\" is not a safe account "
				 "name",
				 claim);
	}
	do {
		rc = getpwnam_r(name, &pw, buf, sizeof(buf), &res);
	} while (rc == EINTR);
	if (rc != 0 || res == NULL) {
		oidc_user_msg(e, "Your identity has no account on this computer.");
		return oidc_fail(e, OIDC_EREJECT,
				 "mapped account \"%s\" does not exist", name);
	}
	if (pw.pw_uid == 0 && !l->cfg->allow_root) {
		oidc_user_msg(e, "This account cannot sign in with this method.");
		return oidc_fail(e, OIDC_EREJECT,
				 "mapped account \"%s\" has uid 0 and allow_root "
				 "is no",
				 name);
	}
	if (strcmp(pw.pw_name, l->user) != 0) {
		oidc_user_msg(e, "You signed in as someone else than this "
				 "account.");
		return oidc_fail(e, OIDC_EREJECT,
				 "identity maps to account \"%s\", but the login "
				 "is for \"%s\"",
				 pw.pw_name, l->user);
	}
	l->account = strdup(pw.pw_name);
	if (l->account == NULL)
		return oidc_fail(e, OIDC_EINTERNAL, "out of memory");
	return OIDC_OK;
}
