/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PAM_OIDC_QR_H
#define PAM_OIDC_QR_H

#include <stdbool.h>

#define QR_QUIET_ZONE 2 /* modules of light border around the symbol */

/*
 * Render text as a QR code for a terminal (libqrencode, error correction
 * level L).  Light modules are drawn, dark ones left blank, so the code reads
 * dark-on-light on the usual light-on-dark terminal.  utf8: two module rows
 * per text line with the half blocks U+2580/U+2584/U+2588; otherwise ASCII,
 * two '#' per light module and one text line per module row.
 * Returns a malloc'd string of lines ending in '\n', or NULL.
 */
char *qr_render(const char *text, bool utf8);

#endif
