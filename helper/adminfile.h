/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Files that the administrator writes and the helper trusts (the
 * configuration, the map file): opened without following a symbolic link
 * and without blocking on a FIFO; they must be regular files owned by root
 * and not writable by group or other, of a bounded size.
 */
#ifndef PAM_OIDC_ADMINFILE_H
#define PAM_OIDC_ADMINFILE_H

#include <stddef.h>

#include "error.h"

/*
 * Read path into *buf (malloc'd, NUL-terminated, *len bytes without the NUL),
 * at most max bytes.  name is how messages name the file (already escaped
 * for a log); link_hint ends the message for a symbolic link ("name the real
 * file instead").  Errors: OIDC_ECONFIG "NAME: what is wrong (fix: …)", or
 * OIDC_EINTERNAL "NAME: out of memory".
 */
int admin_file_read(const char *path, const char *name, size_t max,
		    const char *link_hint, char **buf, size_t *len,
		    struct oidc_err *e);

#endif
