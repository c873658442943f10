/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Turn the QR code that pam_oidc printed (text on stdin) back into a picture
 * (plain PBM on stdout), scaled up, so that a QR reader can decode it.
 * Reads the lines between the "or scan this QR code" line and the "The code
 * is valid" line.  Drawn characters (U+2580/2584/2588 or '#') are light
 * modules, as qr.c renders them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXW 400
#define MAXH 400
#define SCALE 4

static unsigned char light[MAXH][MAXW];

int main(void)
{
	char line[8192];
	int in_qr = 0, rows = 0, width = 0, utf8 = -1, x, y;

	while (fgets(line, sizeof(line), stdin) != NULL) {
		if (strstr(line, "or scan this QR code") != NULL) {
			in_qr = 1;
			continue;
		}
		if (!in_qr)
			continue;
		if (strstr(line, "The code is valid") != NULL)
			break;
		line[strcspn(line, "\n")] = '\0';
		if (utf8 < 0)
			utf8 = strstr(line, "\xe2\x96") != NULL;
		if (rows + 2 > MAXH)
			return 2;
		x = 0;
		for (const char *p = line; *p;) {
			int top = 0, bottom = 0;

			if (utf8 && strncmp(p, "\xe2\x96\x88", 3) == 0) {
				top = bottom = 1;
				p += 3;
			} else if (utf8 && strncmp(p, "\xe2\x96\x80", 3) == 0) {
				top = 1;
				p += 3;
			} else if (utf8 && strncmp(p, "\xe2\x96\x84", 3) == 0) {
				bottom = 1;
				p += 3;
			} else if (!utf8 && (p[0] == '#' || p[0] == ' ') &&
				   p[1] == p[0]) {
				top = p[0] == '#';
				p += 2;
			} else if (utf8 && *p == ' ') {
				p++;
			} else {
				fprintf(stderr, "unexpected byte 0x%02x in QR\n",
					(unsigned char)*p);
				return 2;
			}
			if (x >= MAXW)
				return 2;
			light[rows][x] = (unsigned char)top;
			if (utf8)
				light[rows + 1][x] = (unsigned char)bottom;
			x++;
		}
		if (x > width)
			width = x;
		rows += utf8 ? 2 : 1;
	}
	if (rows == 0 || width == 0) {
		fprintf(stderr, "no QR code found in the input\n");
		return 1;
	}
	/* plain PBM: 1 = black.  Light modules are white; add a white margin. */
	printf("P1\n%d %d\n", (width + 8) * SCALE, (rows + 8) * SCALE);
	for (y = 0; y < (rows + 8) * SCALE; y++) {
		for (x = 0; x < (width + 8) * SCALE; x++) {
			int my = y / SCALE - 4, mx = x / SCALE - 4;
			int white = my < 0 || mx < 0 || my >= rows ||
				    mx >= width || light[my][mx];

			putchar(white ? '0' : '1');
			putchar(x + 1 < (width + 8) * SCALE ? ' ' : '\n');
		}
	}
	return 0;
}
