/* SPDX-License-Identifier: BSD-3-Clause */
#include "qr.h"

#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* true when module (x, y) is light; outside the symbol is quiet zone */
static bool light(const QRcode *q, int x, int y)
{
	x -= QR_QUIET_ZONE;
	y -= QR_QUIET_ZONE;
	if (x < 0 || y < 0 || x >= q->width || y >= q->width)
		return true;
	return (q->data[y * q->width + x] & 1) == 0;
}

char *qr_render(const char *text, bool utf8)
{
	QRcode *q;
	struct strbuf sb;
	int size, x, y;

	q = QRcode_encodeString(text, 0, QR_ECLEVEL_L, QR_MODE_8, 1);
	if (q == NULL)
		return NULL;
	size = q->width + 2 * QR_QUIET_ZONE;
	sb_init(&sb);
	if (utf8) {
		for (y = 0; y < size; y += 2) {
			for (x = 0; x < size; x++) {
				bool top = light(q, x, y);
				bool bottom = y + 1 < size ? light(q, x, y + 1)
							   : false;

				if (top && bottom)
					sb_add(&sb, "\u2588");
				else if (top)
					sb_add(&sb, "\u2580");
				else if (bottom)
					sb_add(&sb, "\u2584");
				else
					sb_addc(&sb, ' ');
			}
			sb_addc(&sb, '\n');
		}
	} else {
		for (y = 0; y < size; y++) {
			for (x = 0; x < size; x++)
				sb_add(&sb, light(q, x, y) ? "##" : "  ");
			sb_addc(&sb, '\n');
		}
	}
	QRcode_free(q);
	return sb_steal(&sb);
}
