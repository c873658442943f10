/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What pam_oidc_helper keeps of its privileges.  It needs none of root's
 * capabilities: every file it reads or writes (configuration, secrets, the
 * cache, the replay cache, the audit file) is owned by root, so euid 0 with
 * an empty capability set reaches them by ownership alone.  It drops every
 * capability, forbids gaining new privileges, and checks that the drop
 * cannot be undone.  Started setuid root by a screen locker (real uid not
 * 0), it also takes back what the caller could set: resource limits, the
 * parent-death signal, core dumps.
 */
#ifndef PAM_OIDC_PRIVS_H
#define PAM_OIDC_PRIVS_H

#include "error.h"

/* Called first thing in main(), before anything from the caller is read. */
int privs_setup(struct oidc_err *e);

#endif
