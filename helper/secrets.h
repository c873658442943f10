/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reading the files that hold the client's credentials: client secret,
 * private key, PKCS#12 bundle and its passphrase, client certificate.
 *
 * A secret file must be a regular file (not a symbolic link), owned by
 * root, with no permission bits for group or other (0600 or 0400), and
 * no larger than the cap the caller gives.  A refusal names the file and
 * the command that fixes it.  The contents never appear in a message.
 *
 * A certificate (SECRET_PUBLIC) is not secret: it may be readable by
 * anyone, but it must still be root-owned and not writable by group or
 * other, since whoever can replace it decides what the helper presents.
 */
#ifndef PAM_OIDC_SECRETS_H
#define PAM_OIDC_SECRETS_H

#include <stddef.h>

#include "error.h"

#define SECRET_TEXT_MAX 4096	    /* client secret, passphrase */
#define SECRET_FILE_MAX (64 * 1024) /* PEM key, certificate chain, PKCS#12 */

enum secret_flags {
	/* One line of printable text: a single trailing "\n" or "\r\n" is
	 * removed; empty, or any other control character, is refused. */
	SECRET_LINE = 1u << 0,
	/* A certificate: readable by anyone is fine (writable is not). */
	SECRET_PUBLIC = 1u << 1,
};

struct secret {
	unsigned char *data; /* NUL-terminated (the NUL not counted) */
	size_t len;
	size_t size; /* bytes allocated (all wiped by secret_free) */
};

/*
 * Read path into *out after the checks above.  what names the
 * configuration key in messages ("client_secret_file").  max is the size
 * cap in bytes.  Failure: OIDC_ECONFIG (the administrator's to fix) with a
 * reason naming the file and the fix, or OIDC_EINTERNAL (out of memory).
 */
int secret_read(const char *path, const char *what, size_t max, unsigned flags,
		struct secret *out, struct oidc_err *e);

/* Wipe and free; safe on a zeroed or already freed struct. */
void secret_free(struct secret *s);

#endif
