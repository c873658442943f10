/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pam_oidc.so: the thin side.  It parses its arguments, starts
 * pam_oidc_helper with an empty environment and sanitized descriptors, relays
 * the helper's messages to the PAM conversation, and maps the helper's verdict
 * to a PAM result.  It links libpam and libc only and never parses a token.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define PAM_SM_AUTH
#define PAM_SM_ACCOUNT
#define PAM_SM_SESSION
#define PAM_SM_PASSWORD
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <security/pam_modutil.h>

#include "../helper/protocol.h"

#ifndef PAM_OIDC_HELPER_PATH
#define PAM_OIDC_HELPER_PATH "/usr/libexec/pam_oidc_helper"
#endif

#define REAP_GRACE_MS 2000

enum op { OP_AUTH, OP_SETCRED, OP_ACCT, OP_OPEN, OP_CLOSE, OP_CHAUTHTOK };
enum prompt_mode { PROMPT_AUTO, PROMPT_ALWAYS, PROMPT_NEVER };

struct mod_cfg {
	const char *config; /* NULL: the helper's default */
	const char *helper;
	const char *flow; /* NULL: from the config file */
	bool debug;
	enum prompt_mode prompt;
};

#define D(pamh, cfg, ...)                                                      \
	do {                                                                   \
		if ((cfg)->debug)                                              \
			debug_log((pamh), __FILE__, __LINE__, __VA_ARGS__);    \
	} while (0)

static void debug_log(pam_handle_t *pamh, const char *file, int line,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void debug_log(pam_handle_t *pamh, const char *file, int line,
		      const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pam_syslog(pamh, LOG_DEBUG, "%s:%d: %s", file, line, msg);
}

/* Module arguments: a table of names, each parsed in one place. */
static int parse_args(pam_handle_t *pamh, int argc, const char **argv,
		      struct mod_cfg *cfg)
{
	static const char *const flows[] = {"device", "authcode", "token",
					    "auto"};
	int i;
	size_t k;

	memset(cfg, 0, sizeof(*cfg));
	cfg->helper = PAM_OIDC_HELPER_PATH;
	cfg->prompt = PROMPT_AUTO;
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "debug") == 0) {
			cfg->debug = true;
		} else if (strncmp(a, "config=", 7) == 0) {
			cfg->config = a + 7;
			if (cfg->config[0] != '/') {
				pam_syslog(pamh, LOG_ERR,
					   "config=%s: the path must be absolute",
					   cfg->config);
				return PAM_SERVICE_ERR;
			}
		} else if (strncmp(a, "helper=", 7) == 0) {
			cfg->helper = a + 7;
			if (cfg->helper[0] != '/') {
				pam_syslog(pamh, LOG_ERR,
					   "helper=%s: the path must be absolute",
					   cfg->helper);
				return PAM_SERVICE_ERR;
			}
		} else if (strncmp(a, "flow=", 5) == 0) {
			cfg->flow = a + 5;
			for (k = 0; k < sizeof(flows) / sizeof(flows[0]); k++)
				if (strcmp(cfg->flow, flows[k]) == 0)
					break;
			if (k == sizeof(flows) / sizeof(flows[0])) {
				pam_syslog(pamh, LOG_ERR,
					   "flow=%s: unknown flow (device, "
					   "authcode, token or auto)",
					   cfg->flow);
				return PAM_SERVICE_ERR;
			}
		} else if (strcmp(a, "prompt=auto") == 0) {
			cfg->prompt = PROMPT_AUTO;
		} else if (strcmp(a, "prompt=always") == 0) {
			cfg->prompt = PROMPT_ALWAYS;
		} else if (strcmp(a, "prompt=never") == 0) {
			cfg->prompt = PROMPT_NEVER;
		} else {
			pam_syslog(pamh, LOG_ERR,
				   "unknown module argument \"%s\" (known: "
				   "config= helper= flow= prompt= debug)",
				   a);
			return PAM_SERVICE_ERR;
		}
	}
	return PAM_SUCCESS;
}

static const char *item_str(pam_handle_t *pamh, int item)
{
	const void *v = NULL;

	if (pam_get_item(pamh, item, &v) != PAM_SUCCESS || v == NULL)
		return "";
	return v;
}

static bool locale_is_utf8(pam_handle_t *pamh)
{
	static const char *const vars[] = {"LC_ALL", "LC_CTYPE", "LANG"};
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = pam_getenv(pamh, vars[i]);

		if (v == NULL || *v == '\0')
			v = getenv(vars[i]);
		if (v == NULL || *v == '\0')
			continue;
		return strcasestr(v, "utf-8") != NULL ||
		       strcasestr(v, "utf8") != NULL;
	}
	return false;
}

static bool wants_enter_prompt(const struct mod_cfg *cfg, const char *service,
			       const char *tty)
{
	if (cfg->prompt != PROMPT_AUTO)
		return cfg->prompt == PROMPT_ALWAYS;
	/* OpenSSH shows informational text only together with a prompt; it
	 * names the PAM service after its binary and sets PAM_TTY to "ssh". */
	return strncmp(service, "sshd", 4) == 0 || strcmp(tty, "ssh") == 0;
}

static int check_helper(pam_handle_t *pamh, const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		pam_syslog(pamh, LOG_ERR, "helper %s: %s", path,
			   strerror(errno));
		return PAM_SERVICE_ERR;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0 ||
	    (st.st_mode & S_IXUSR) == 0) {
		pam_syslog(pamh, LOG_ERR,
			   "helper %s must be an executable regular file owned "
			   "by root and not writable by group or others",
			   path);
		return PAM_SERVICE_ERR;
	}
	return PAM_SUCCESS;
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Child side of the fork: never returns. */
static void exec_helper(int sock, const char *path, pid_t parent)
{
	char *const argv[] = {(char *)path, (char *)"--pam", NULL};
	char *const envp[] = {NULL};
	sigset_t none;
	int fd;

	/* If the application dies, the helper ends the login (and logs it). */
	(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(127); /* the parent died before prctl() */
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	(void)signal(SIGPIPE, SIG_DFL);

	if (sock != PO_HELPER_FD) {
		if (dup2(sock, PO_HELPER_FD) != PO_HELPER_FD)
			_exit(127);
	} else if (fcntl(sock, F_SETFD, 0) != 0) {
		_exit(127);
	}
	fd = open("/dev/null", O_RDWR);
	if (fd < 0)
		_exit(127);
	if (dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(127);
	if (close_range(PO_HELPER_FD + 1, ~0U, 0) != 0) {
		long max = sysconf(_SC_OPEN_MAX);
		int i;

		if (max < 0 || max > 65536)
			max = 65536;
		for (i = PO_HELPER_FD + 1; i < max; i++)
			(void)close(i);
	}
	execve(path, argv, envp);
	_exit(127);
}

/* One conversation exchange.  resp_out may be NULL (no answer wanted). */
static int converse(pam_handle_t *pamh, int style, const char *text,
		    char **resp_out)
{
	const struct pam_conv *conv = NULL;
	struct pam_message msg = {.msg_style = style, .msg = text};
	const struct pam_message *msgp = &msg;
	struct pam_response *resp = NULL;
	int rc;

	if (resp_out != NULL)
		*resp_out = NULL;
	rc = pam_get_item(pamh, PAM_CONV, (const void **)&conv);
	if (rc != PAM_SUCCESS || conv == NULL || conv->conv == NULL)
		return PAM_CONV_ERR;
	rc = conv->conv(1, &msgp, &resp, conv->appdata_ptr);
	if (rc != PAM_SUCCESS)
		goto out;
	if (resp_out != NULL) {
		if (resp == NULL || resp[0].resp == NULL) {
			*resp_out = strdup("");
		} else {
			*resp_out = resp[0].resp;
			resp[0].resp = NULL;
		}
		if (*resp_out == NULL)
			rc = PAM_BUF_ERR;
	}
out:
	if (resp != NULL) {
		if (resp[0].resp != NULL)
			po_free_secret(resp[0].resp);
		free(resp);
	}
	return rc;
}

static int send_hello(int fd, const struct mod_cfg *cfg, uint32_t flags,
		      const char *service, const char *user, const char *rhost,
		      const char *ruser, const char *tty)
{
	struct po_buf b;
	int rc;

	po_buf_init(&b);
	rc = po_put_u32(&b, PO_VERSION);
	if (rc == PO_OK)
		rc = po_put_u32(&b, flags);
	if (rc == PO_OK)
		rc = po_put_str(&b, service);
	if (rc == PO_OK)
		rc = po_put_str(&b, user);
	if (rc == PO_OK)
		rc = po_put_str(&b, rhost);
	if (rc == PO_OK)
		rc = po_put_str(&b, ruser);
	if (rc == PO_OK)
		rc = po_put_str(&b, tty);
	if (rc == PO_OK)
		rc = po_put_str(&b, cfg->config ? cfg->config : "");
	if (rc == PO_OK)
		rc = po_put_str(&b, cfg->flow ? cfg->flow : "");
	if (rc == PO_OK)
		rc = po_send(fd, PO_HELLO, &b);
	po_buf_free(&b);
	return rc;
}

static int send_answer(int fd, uint32_t type, const char *answer)
{
	struct po_buf b;
	int rc = PO_OK;

	po_buf_init(&b);
	if (type == PO_ANSWER)
		rc = po_put_str(&b, answer);
	if (rc == PO_OK)
		rc = po_send(fd, type, &b);
	po_buf_free(&b);
	return rc;
}

struct verdict {
	uint32_t result;
	char *account;
	char *reason;
};

/* Relay messages until the verdict.  Returns PAM_SUCCESS when a verdict was
 * read into *v, else the PAM error to return. */
static int relay(pam_handle_t *pamh, const struct mod_cfg *cfg, int fd,
		 struct verdict *v)
{
	long long deadline = mono_ms() + (long long)PO_FIRST_DEADLINE * 1000;
	bool conv_failed = false, grace = false;
	struct po_buf b;
	int ret = PAM_SERVICE_ERR;

	po_buf_init(&b);
	uint32_t type = 0;

	for (;;) {
		long long left = deadline - mono_ms();
		uint32_t u = 0;
		char *text = NULL, *answer = NULL;
		int rc;

		if (left <= 0 && !grace) {
			/* Time spent in the conversation (a late Enter) may
			 * have passed the deadline while the verdict already
			 * waits in the socket: one short last read. */
			grace = true;
			deadline = mono_ms() + 1000;
			continue;
		}
		if (left <= 0) {
			pam_syslog(pamh, LOG_ERR,
				   "helper gave no verdict in time; stopped it");
			ret = PAM_SERVICE_ERR;
			goto out;
		}
		rc = po_recv(fd, &type, &b, left > INT_MAX ? INT_MAX : (int)left);
		if (rc == PO_ETIMEOUT)
			continue;
		if (rc != PO_OK) {
			if (rc == PO_EIO)
				ret = -1; /* decided from the exit status */
			else
				pam_syslog(pamh, LOG_ERR,
					   "malformed message from helper");
			goto out;
		}
		switch (type) {
		case PO_DEADLINE:
			if (po_get_u32(&b, &u) != PO_OK || po_end(&b) != PO_OK ||
			    u == 0 || u > 24 * 3600)
				goto proto;
			deadline = mono_ms() + (long long)u * 1000 + 5000;
			break;
		case PO_INFO:
		case PO_ERROR:
			if (po_get_str(&b, &text) != PO_OK || po_end(&b) != PO_OK) {
				free(text);
				goto proto;
			}
			if (!conv_failed) {
				rc = converse(pamh,
					      type == PO_INFO ? PAM_TEXT_INFO
							      : PAM_ERROR_MSG,
					      text, NULL);
				if (rc != PAM_SUCCESS) {
					conv_failed = true;
					D(pamh, cfg, "conversation failed: %s",
					  pam_strerror(pamh, rc));
					(void)send_answer(fd, PO_CONV_FAIL, NULL);
				}
			}
			free(text);
			break;
		case PO_PROMPT:
			if (po_get_u32(&b, &u) != PO_OK || u > 1 ||
			    po_get_str(&b, &text) != PO_OK || po_end(&b) != PO_OK) {
				free(text);
				goto proto;
			}
			rc = conv_failed ? PAM_CONV_ERR
					 : converse(pamh,
						    u ? PAM_PROMPT_ECHO_ON
						      : PAM_PROMPT_ECHO_OFF,
						    text, &answer);
			free(text);
			if (rc == PAM_SUCCESS) {
				size_t n = strlen(answer);

				/* Longer answers than a frame holds are cut
				 * (the helper says so); never dropped. */
				if (n > PO_MAX_STRING) {
					D(pamh, cfg, "answer of %zu bytes cut "
						     "to %d",
					  n, PO_MAX_STRING);
					explicit_bzero(answer + PO_MAX_STRING,
						       n - PO_MAX_STRING);
				}
				/* The helper may have finished meanwhile. */
				(void)send_answer(fd, PO_ANSWER, answer);
			} else {
				conv_failed = true;
				D(pamh, cfg, "conversation failed: %s",
				  pam_strerror(pamh, rc));
				(void)send_answer(fd, PO_CONV_FAIL, NULL);
			}
			po_free_secret(answer);
			break;
		case PO_VERDICT:
			if (po_get_u32(&b, &v->result) != PO_OK ||
			    po_get_str(&b, &v->account) != PO_OK ||
			    po_get_str(&b, &v->reason) != PO_OK ||
			    po_end(&b) != PO_OK || v->result > PO_R_SERVICE_ERR)
				goto proto;
			ret = PAM_SUCCESS;
			goto out;
		default:
			goto proto;
		}
	}
proto:
	pam_syslog(pamh, LOG_ERR, "protocol error from helper (message type %u)",
		   type);
	ret = PAM_SERVICE_ERR;
out:
	po_buf_free(&b);
	return ret;
}

/* Reap the helper: give it a moment to exit, then kill it. */
static int reap(pid_t pid, bool kill_now)
{
	long long until = mono_ms() + REAP_GRACE_MS;
	int status = 0;
	pid_t r;

	if (kill_now)
		(void)kill(pid, SIGKILL);
	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		if (mono_ms() >= until)
			break;
		(void)usleep(10000);
	}
	(void)kill(pid, SIGKILL);
	do {
		r = waitpid(pid, &status, 0);
	} while (r < 0 && errno == EINTR);
	return r == pid ? status : -1;
}

static int authenticate(pam_handle_t *pamh, int argc, const char **argv)
{
	struct mod_cfg cfg;
	struct verdict v = {0};
	struct sigaction sa_dfl, sa_old;
	const char *user = NULL, *service, *rhost, *ruser, *tty;
	uint32_t flags = 0;
	int sv[2] = {-1, -1};
	int rc, status, ret;
	pid_t pid, parent;

	rc = parse_args(pamh, argc, argv, &cfg);
	if (rc != PAM_SUCCESS)
		return rc;
	rc = pam_get_user(pamh, &user, NULL);
	if (rc != PAM_SUCCESS || user == NULL || *user == '\0') {
		pam_syslog(pamh, LOG_NOTICE, "no user name: %s",
			   pam_strerror(pamh, rc));
		return rc == PAM_SUCCESS ? PAM_USER_UNKNOWN : rc;
	}
	service = item_str(pamh, PAM_SERVICE);
	rhost = item_str(pamh, PAM_RHOST);
	ruser = item_str(pamh, PAM_RUSER);
	tty = item_str(pamh, PAM_TTY);
	if (cfg.debug)
		flags |= PO_F_DEBUG;
	if (wants_enter_prompt(&cfg, service, tty))
		flags |= PO_F_ENTER_PROMPT;
	if (locale_is_utf8(pamh))
		flags |= PO_F_UTF8;

	rc = check_helper(pamh, cfg.helper);
	if (rc != PAM_SUCCESS)
		return rc;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		pam_syslog(pamh, LOG_ERR, "socketpair: %m");
		return PAM_SERVICE_ERR;
	}

	/* As unix_chkpwd: the application may have a SIGCHLD handler that
	 * would reap our child; use the default while the helper runs. */
	memset(&sa_dfl, 0, sizeof(sa_dfl));
	sa_dfl.sa_handler = SIG_DFL;
	sigemptyset(&sa_dfl.sa_mask);
	(void)sigaction(SIGCHLD, &sa_dfl, &sa_old);

	parent = getpid();
	pid = fork();
	if (pid < 0) {
		pam_syslog(pamh, LOG_ERR, "fork: %m");
		close(sv[0]);
		close(sv[1]);
		(void)sigaction(SIGCHLD, &sa_old, NULL);
		return PAM_SERVICE_ERR;
	}
	if (pid == 0) {
		close(sv[0]);
		exec_helper(sv[1], cfg.helper, parent);
	}
	close(sv[1]);
	D(pamh, &cfg, "started helper %s (pid %d) for user %s service %s",
	  cfg.helper, (int)pid, user, service);

	if (send_hello(sv[0], &cfg, flags, service, user, rhost, ruser, tty) !=
	    PO_OK) {
		ret = -1;
	} else {
		ret = relay(pamh, &cfg, sv[0], &v);
	}
	close(sv[0]);
	status = reap(pid, ret != PAM_SUCCESS && ret != -1);
	(void)sigaction(SIGCHLD, &sa_old, NULL);

	if (ret == -1) {
		/* The helper went away without a verdict. */
		if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 127)
			pam_syslog(pamh, LOG_ERR, "could not run helper %s",
				   cfg.helper);
		else if (status != -1 && WIFSIGNALED(status))
			pam_syslog(pamh, LOG_ERR, "helper %s died of signal %d",
				   cfg.helper, WTERMSIG(status));
		else
			pam_syslog(pamh, LOG_ERR,
				   "helper %s ended without a verdict",
				   cfg.helper);
		ret = PAM_SERVICE_ERR;
		goto out;
	}
	if (ret != PAM_SUCCESS)
		goto out;

	switch (v.result) {
	case PO_R_SUCCESS:
		if (strcmp(v.account, user) != 0) {
			pam_syslog(pamh, LOG_ERR,
				   "helper approved account \"%s\" but the PAM "
				   "user is \"%s\"; refusing",
				   v.account, user);
			ret = PAM_AUTH_ERR;
		} else if (status == -1 || !WIFEXITED(status) ||
			   WEXITSTATUS(status) != 0) {
			pam_syslog(pamh, LOG_ERR,
				   "helper did not exit cleanly after success; "
				   "refusing");
			ret = PAM_AUTH_ERR;
		} else {
			ret = PAM_SUCCESS;
		}
		break;
	case PO_R_AUTHINFO_UNAVAIL:
		ret = PAM_AUTHINFO_UNAVAIL;
		break;
	case PO_R_SERVICE_ERR:
		/* Something for the administrator to fix: say it here too,
		 * in the application's log. */
		pam_syslog(pamh, LOG_ERR, "%s", v.reason);
		ret = PAM_SERVICE_ERR;
		break;
	default:
		ret = PAM_AUTH_ERR;
		break;
	}
	D(pamh, &cfg, "verdict %u account \"%s\" reason \"%s\" -> %s", v.result,
	  v.account, v.reason, pam_strerror(pamh, ret));
out:
	free(v.account);
	free(v.reason);
	return ret;
}

static int dispatch(pam_handle_t *pamh, int flags, int argc, const char **argv,
		    enum op op)
{
	(void)flags;
	switch (op) {
	case OP_AUTH:
		return authenticate(pamh, argc, argv);
	case OP_SETCRED:
		return PAM_SUCCESS;
	case OP_ACCT:
	case OP_OPEN:
	case OP_CLOSE:
		return PAM_IGNORE;
	case OP_CHAUTHTOK:
		return PAM_SERVICE_ERR;
	}
	return PAM_SERVICE_ERR;
}

PAM_EXTERN int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc,
				   const char **argv)
{
	return dispatch(pamh, flags, argc, argv, OP_AUTH);
}

PAM_EXTERN int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc,
			      const char **argv)
{
	return dispatch(pamh, flags, argc, argv, OP_SETCRED);
}

PAM_EXTERN int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc,
				const char **argv)
{
	return dispatch(pamh, flags, argc, argv, OP_ACCT);
}

PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc,
				   const char **argv)
{
	return dispatch(pamh, flags, argc, argv, OP_OPEN);
}

PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc,
				    const char **argv)
{
	return dispatch(pamh, flags, argc, argv, OP_CLOSE);
}

PAM_EXTERN int pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc,
				const char **argv)
{
	return dispatch(pamh, flags, argc, argv, OP_CHAUTHTOK);
}
