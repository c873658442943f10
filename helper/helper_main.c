/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pam_oidc_helper: started by pam_oidc.so with an empty environment, stdin,
 * stdout and stderr on /dev/null, and the module's socket on fd 3.  It runs
 * the whole login and answers with a verdict (protocol.h).
 */
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "config.h"
#include "json.h"
#include "login.h"
#include "privs.h"
#include "protocol.h"
#include "ui_pam.h"
#include "util.h"

#define HELLO_TIMEOUT_MS 10000

struct hello {
	uint32_t flags;
	char *service, *user, *rhost, *ruser, *tty, *config, *flow;
};

static void hello_free(struct hello *h)
{
	free(h->service);
	free(h->user);
	free(h->rhost);
	free(h->ruser);
	free(h->tty);
	free(h->config);
	free(h->flow);
	memset(h, 0, sizeof(*h));
}

static int read_hello(int fd, struct hello *h)
{
	struct po_buf b;
	uint32_t type = 0, version = 0;
	int rc;

	po_buf_init(&b);
	rc = po_recv(fd, &type, &b, HELLO_TIMEOUT_MS);
	if (rc == PO_OK && type != PO_HELLO)
		rc = PO_EPROTO;
	if (rc == PO_OK)
		rc = po_get_u32(&b, &version);
	if (rc == PO_OK && version != PO_VERSION)
		rc = PO_EPROTO;
	if (rc == PO_OK)
		rc = po_get_u32(&b, &h->flags);
	if (rc == PO_OK && (h->flags & ~PO_F_ALL) != 0)
		rc = PO_EPROTO;
	if (rc == PO_OK)
		rc = po_get_str(&b, &h->service);
	if (rc == PO_OK)
		rc = po_get_str(&b, &h->user);
	if (rc == PO_OK)
		rc = po_get_str(&b, &h->rhost);
	if (rc == PO_OK)
		rc = po_get_str(&b, &h->ruser);
	if (rc == PO_OK)
		rc = po_get_str(&b, &h->tty);
	if (rc == PO_OK)
		rc = po_get_str(&b, &h->config);
	if (rc == PO_OK)
		rc = po_get_str(&b, &h->flow);
	if (rc == PO_OK)
		rc = po_end(&b);
	po_buf_free(&b);
	return rc;
}

static uint32_t verdict_of(enum oidc_rc rc)
{
	switch (rc) {
	case OIDC_OK:
		return PO_R_SUCCESS;
	case OIDC_EUNAVAIL:
		return PO_R_AUTHINFO_UNAVAIL;
	case OIDC_ECONFIG:
	case OIDC_EINTERNAL:
		return PO_R_SERVICE_ERR;
	case OIDC_EREJECT:
	case OIDC_EABORT:
		break;
	}
	return PO_R_AUTH_ERR;
}

static const char *default_user_msg(enum oidc_rc rc)
{
	switch (rc) {
	case OIDC_EUNAVAIL:
		return "The sign-in service cannot be reached right now. Try "
		       "again, or use another way to sign in.";
	case OIDC_ECONFIG:
	case OIDC_EINTERNAL:
		return "Sign-in is not set up correctly on this computer. "
		       "Please tell IT support.";
	case OIDC_EABORT:
		return "The sign-in was cancelled.";
	case OIDC_EREJECT:
		return "The sign-in was refused.";
	case OIDC_OK:
		break;
	}
	return "";
}

/* A non-root caller (a screen locker through the setuid helper) gets the
 * system configuration only... */
static int check_caller_config(const struct hello *h, struct oidc_err *e)
{
	uid_t uid = getuid();

	if (uid != 0 && h->config[0] != '\0' &&
	    strcmp(h->config, PAM_OIDC_CONFIG_PATH) != 0)
		return oidc_fail(e, OIDC_ECONFIG,
				 "caller uid %u may not choose the configuration "
				 "file",
				 (unsigned)uid);
	return OIDC_OK;
}

/* ...and may only authenticate its own account (checked once the
 * configuration is read, so that the refusal reaches audit_file too). */
static int check_caller_user(const struct hello *h, struct oidc_err *e)
{
	struct passwd *pw;
	uid_t uid = getuid();

	if (uid == 0)
		return OIDC_OK;
	pw = getpwuid(uid);
	if (pw == NULL || strcmp(pw->pw_name, h->user) != 0)
		return oidc_fail(e, OIDC_ECONFIG,
				 "caller uid %u may only authenticate its own "
				 "account, not \"%s\"",
				 (unsigned)uid, h->user);
	return OIDC_OK;
}

static void on_terminate(int sig)
{
	(void)sig;
	ui_terminate = 1;
}

/* The module asks for SIGTERM when the application dies: end the login
 * cleanly, with an audit line, instead of dying silently. */
static void catch_termination(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_terminate;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: interrupt poll() */
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
}

int main(int argc, char **argv)
{
	struct oidc_config cfg;
	struct hello h = {0};
	struct ui ui;
	struct login l;
	struct oidc_err cfg_err;
	struct stat st;
	const char *msg;
	enum oidc_rc rc;
	int fd = PO_HELPER_FD;

	/* The module passes an empty environment; make sure of it, so that
	 * nothing (SSLKEYLOGFILE, CURL_CA_BUNDLE, OPENSSL_CONF, LOCPATH…)
	 * steers libcurl, OpenSSL or libc when the helper is started any
	 * other way. */
	if (clearenv() != 0)
		return 3;
	/* No capability is needed past this point (privs.h). */
	oidc_err_clear(&cfg_err);
	if (privs_setup(&cfg_err) != OIDC_OK) {
		openlog("pam_oidc", LOG_PID, LOG_AUTHPRIV);
		syslog(LOG_ERR, "helper: %s", cfg_err.reason);
		return 3;
	}
	if (argc != 2 || strcmp(argv[1], "--pam") != 0 || fstat(fd, &st) != 0 ||
	    !S_ISSOCK(st.st_mode) || isatty(STDIN_FILENO)) {
		fprintf(stderr, "pam_oidc_helper is started by pam_oidc.so; use "
				"pam-oidc(8) to test a configuration.\n");
		return 2;
	}
	umask(077);
	signal(SIGPIPE, SIG_IGN);
	catch_termination();
	openlog("pam_oidc", LOG_PID, LOG_AUTHPRIV);
	memset(&cfg, 0, sizeof(cfg));
	oidc_err_clear(&cfg_err);

	if (read_hello(fd, &h) != PO_OK) {
		syslog(LOG_ERR, "malformed or missing HELLO from the module");
		return 3;
	}
	ui_pam_init(&ui, fd, (h.flags & PO_F_ENTER_PROMPT) != 0,
		    (h.flags & PO_F_UTF8) != 0);

	rc = check_caller_config(&h, &cfg_err);
	if (rc == OIDC_OK)
		rc = config_defaults(&cfg, &cfg_err);
	if (rc == OIDC_OK)
		rc = config_load(h.config[0] ? h.config : PAM_OIDC_CONFIG_PATH,
				 &cfg, &cfg_err);
	if (rc == OIDC_OK)
		rc = check_caller_user(&h, &cfg_err);
	if (rc == OIDC_OK && h.flow[0] != '\0') {
		int f = config_flow_from_name(h.flow);

		if (f < 0)
			rc = oidc_fail(&cfg_err, OIDC_ECONFIG,
				       "module argument flow=%s is unknown",
				       h.flow);
		else
			cfg.flow = (enum oidc_flow)f;
	}
	ui.deadline(&ui, (unsigned)(rc == OIDC_OK ? cfg.login_timeout + 30 : 30));

	login_init(&l, &cfg, &ui);
	l.service = h.service;
	l.user = h.user;
	l.rhost = h.rhost;
	l.ruser = h.ruser;
	l.tty = h.tty;
	l.debug = (h.flags & PO_F_DEBUG) != 0;
	if (rc != OIDC_OK) {
		l.err = cfg_err;
	} else {
		if (l.debug)
			syslog(LOG_DEBUG, "login for %s (service %s) with %s",
			       h.user, h.service, cfg.path);
		rc = (enum oidc_rc)login_run(&l);
	}

	if (rc == OIDC_OK) {
		const char *name = json_str(l.claims, "name");
		char line[512];

		if (name != NULL && text_is_printable(name, 128))
			snprintf(line, sizeof(line), "Signed in as %s (%s).",
				 name, l.account);
		else
			snprintf(line, sizeof(line), "Signed in as %s.",
				 l.account);
		(void)ui.info(&ui, line);
	} else {
		msg = l.err.user_msg[0] ? l.err.user_msg : default_user_msg(rc);
		(void)ui.error(&ui, msg);
	}

	login_audit(&l, rc);

	(void)ui_pam_verdict(fd, verdict_of(rc), rc == OIDC_OK ? l.account : "",
			     rc == OIDC_OK ? "verified" : l.err.reason);
	login_free(&l);
	config_free(&cfg);
	hello_free(&h);
	closelog();
	return 0;
}
