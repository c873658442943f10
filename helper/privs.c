/* SPDX-License-Identifier: BSD-3-Clause */
#include "privs.h"

#include <errno.h>
#include <linux/capability.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

static int capget_raw(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};

	return (int)syscall(SYS_capget, &hdr, data);
}

static int capset_raw(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};

	return (int)syscall(SYS_capset, &hdr, data);
}

/* Limits a caller could have lowered to make the helper fail half way
 * (a cache file cut short) or raised to make it dump core. */
static void reset_limits(void)
{
	struct rlimit none = {0, 0};
	struct rlimit files = {1024, 1024};
	struct rlimit unlimited = {RLIM_INFINITY, RLIM_INFINITY};

	(void)setrlimit(RLIMIT_CORE, &none);
	(void)setrlimit(RLIMIT_FSIZE, &unlimited);
	(void)setrlimit(RLIMIT_NOFILE, &files);
	(void)signal(SIGXFSZ, SIG_IGN);
}

int privs_setup(struct oidc_err *e)
{
	struct __user_cap_data_struct caps[2];
	unsigned long cap;

	if (getuid() != 0 && geteuid() == 0) {
		/* setuid root for a screen locker: the parent-death signal
		 * was cleared by execve(), and limits are the caller's. */
		(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() == 1)
			return oidc_fail(e, OIDC_EINTERNAL,
					 "the calling application is gone");
		reset_limits();
	}
	(void)prctl(PR_SET_DUMPABLE, 0);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return oidc_fail(e, OIDC_EINTERNAL, "PR_SET_NO_NEW_PRIVS: %s",
				 strerror(errno));
	if (geteuid() != 0)
		return OIDC_OK; /* nothing to drop */
	/* Empty the bounding set, then every set of this process. */
	for (cap = 0; cap <= 63; cap++) {
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) < 0)
			break; /* past the last capability this kernel knows */
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0)
			return oidc_fail(e, OIDC_EINTERNAL,
					 "cannot drop capability %lu: %s", cap,
					 strerror(errno));
	}
	memset(caps, 0, sizeof(caps));
	if (capset_raw(caps) != 0)
		return oidc_fail(e, OIDC_EINTERNAL, "capset: %s",
				 strerror(errno));
	/* Verify: nothing is left, and nothing can be raised again. */
	if (capget_raw(caps) != 0 || caps[0].effective || caps[0].permitted ||
	    caps[1].effective || caps[1].permitted)
		return oidc_fail(e, OIDC_EINTERNAL,
				 "capabilities are still held after the drop");
	caps[0].effective = caps[0].permitted =
		1u << CAP_DAC_OVERRIDE;
	if (capset_raw(caps) == 0)
		return oidc_fail(e, OIDC_EINTERNAL,
				 "a dropped capability could be raised again");
	if (prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0) != 0)
		return oidc_fail(e, OIDC_EINTERNAL,
				 "CAP_SYS_ADMIN is still in the bounding set");
	return OIDC_OK;
}
