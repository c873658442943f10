/* SPDX-License-Identifier: BSD-3-Clause */
#include "audit.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static void add_kv(struct strbuf *sb, const char *key, const char *val)
{
	const char *p;
	bool plain = true;

	if (val == NULL)
		val = "";
	for (p = val; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr("._@:/+-", c) != NULL))
			plain = false;
	}
	if (sb->len > 0)
		sb_addc(sb, ' ');
	sb_add(sb, key);
	sb_addc(sb, '=');
	if (plain && *val != '\0') {
		sb_add(sb, val);
		return;
	}
	sb_addc(sb, '"');
	for (p = val; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '"' || c == '\\') {
			sb_addc(sb, '\\');
			sb_addc(sb, (char)c);
		} else if (c < 0x20 || c == 0x7f) {
			sb_addf(sb, "\\x%02x", c);
		} else {
			sb_addc(sb, (char)c);
		}
	}
	sb_addc(sb, '"');
}

char *audit_format(const struct audit_event *ev)
{
	struct strbuf sb;
	char dur[32];

	sb_init(&sb);
	add_kv(&sb, "event", ev->event ? ev->event : "login");
	add_kv(&sb, "result", ev->result);
	add_kv(&sb, "reason", ev->reason);
	add_kv(&sb, "service", ev->service);
	add_kv(&sb, "user", ev->user);
	add_kv(&sb, "rhost", ev->rhost);
	add_kv(&sb, "tty", ev->tty);
	add_kv(&sb, "iss", ev->iss);
	add_kv(&sb, "sub", ev->sub);
	add_kv(&sb, "npi", ev->npi);
	add_kv(&sb, "role", ev->role);
	add_kv(&sb, "account", ev->account);
	add_kv(&sb, "mapping", ev->mapping);
	add_kv(&sb, "flow", ev->flow);
	snprintf(dur, sizeof(dur), "%lld", ev->duration_ms);
	add_kv(&sb, "duration_ms", dur);
	return sb_steal(&sb);
}

void audit_log(const struct audit_event *ev, const char *file)
{
	char *line = audit_format(ev);
	int prio = LOG_AUTHPRIV |
		   (strcmp(ev->result, "success") == 0 ? LOG_INFO : LOG_NOTICE);

	if (line == NULL) {
		syslog(LOG_AUTHPRIV | LOG_ERR, "event=login result=error "
					       "reason=\"out of memory\"");
		return;
	}
	syslog(prio, "%s", line);
	if (file != NULL) {
		int fd = open(file,
			      O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
			      0600);

		if (fd >= 0) {
			char stamp[64] = "";
			struct tm tm;
			time_t now = time(NULL);

			if (gmtime_r(&now, &tm) != NULL)
				strftime(stamp, sizeof(stamp),
					 "%Y-%m-%dT%H:%M:%SZ", &tm);
			dprintf(fd, "%s pam_oidc[%d]: %s\n", stamp, (int)getpid(),
				line);
			close(fd);
		} else {
			syslog(LOG_AUTHPRIV | LOG_ERR,
			       "cannot append to audit file %s: %m", file);
		}
	}
	free(line);
}
