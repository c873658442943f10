/* SPDX-License-Identifier: BSD-3-Clause */
#include "login.h"

#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>

#include "audit.h"
#include "qr.h"
#include "util.h"

void login_init(struct login *l, struct oidc_config *cfg, struct ui *ui)
{
	memset(l, 0, sizeof(*l));
	l->cfg = cfg;
	l->ui = ui;
	l->flow = cfg->flow;
	l->started = time(NULL);
	l->started_ms = mono_ms();
	l->deadline_ms = l->started_ms + cfg->login_timeout * 1000;
	if (gethostname(l->hostname, sizeof(l->hostname) - 1) != 0 ||
	    !text_is_printable(l->hostname, sizeof(l->hostname) - 1))
		snprintf(l->hostname, sizeof(l->hostname), "this computer");
}

enum ui_wait login_wait_until(struct login *l, long long until, char **answer)
{
	long long left = until - mono_ms();

	if (left < 0)
		left = 0;
	if (left > 60000)
		left = 60000;
	return l->ui->wait(l->ui, (int)left, answer);
}

int login_run(struct login *l)
{
	char *id_token = NULL;
	int rc;

	rc = http_init(&l->http, l->cfg, &l->err);
	if (rc != OIDC_OK)
		return rc;
	rc = discovery_fetch(&l->http, l->cfg, &l->disco, &l->err);
	if (rc != OIDC_OK)
		goto out;
	l->flow = login_pick_flow(l);
	switch (l->flow) {
	case FLOW_DEVICE:
		rc = device_flow(l, &id_token);
		break;
	case FLOW_AUTHCODE:
		rc = authcode_flow(l, &id_token);
		break;
	case FLOW_TOKEN:
		rc = token_flow(l, &id_token);
		break;
	case FLOW_AUTO:
	default:
		rc = oidc_fail(&l->err, OIDC_EINTERNAL, "no flow chosen");
		break;
	}
	if (rc != OIDC_OK)
		goto out;
	rc = verify_id_token(l, id_token);
	if (rc != OIDC_OK)
		goto out;
	if (l->flow == FLOW_TOKEN) {
		rc = token_flow_accept(l, id_token);
		if (rc != OIDC_OK)
			goto out;
	}
	rc = map_account(l);
out:
	secure_free(id_token);
	return rc;
}

static const char *result_word(enum oidc_rc rc)
{
	switch (rc) {
	case OIDC_OK:
		return "success";
	case OIDC_EUNAVAIL:
		return "unavailable";
	case OIDC_ECONFIG:
	case OIDC_EINTERNAL:
		return "error";
	case OIDC_EREJECT:
	case OIDC_EABORT:
		break;
	}
	return "failure";
}

/* The audit line of a login, as pam_oidc_helper writes it. */
void login_audit(const struct login *l, enum oidc_rc rc)
{
	struct audit_event ev = {0};

	ev.event = "login";
	ev.result = result_word(rc);
	ev.reason = rc == OIDC_OK ? "verified" : l->err.reason;
	ev.service = l->service;
	ev.user = l->user;
	ev.rhost = l->rhost;
	ev.tty = l->tty;
	ev.flow = config_flow_name(l->flow);
	ev.iss = rc == OIDC_OK ? l->iss : l->cfg->issuer;
	ev.sub = l->sub;
	ev.npi = l->npi;
	ev.role = l->role;
	ev.account = l->account;
	ev.mapping = l->map_rule;
	ev.duration_ms = mono_ms() - l->started_ms;
	audit_log(&ev, l->cfg->audit_file);
}

void login_text_greeting(const struct login *l, struct strbuf *sb)
{
	sb_addf(sb, "Sign in to %s as %s", l->hostname, l->user);
	if (l->rhost != NULL && l->rhost[0] != '\0')
		sb_addf(sb, " (connection from %s)", l->rhost);
	sb_addc(sb, '.');
}

void login_text_qr(const struct login *l, struct strbuf *sb, const char *uri)
{
	bool utf8 = l->cfg->qr == QR_UTF8 ||
		    (l->cfg->qr == QR_AUTO && l->ui->utf8);
	char *qr;

	if (l->cfg->qr == QR_OFF)
		return;
	qr = qr_render(uri, utf8);
	if (qr == NULL)
		return;
	sb_add(sb, "or scan this QR code with your phone:\n");
	sb_add(sb, qr);
	free(qr);
}

int login_text_show(struct login *l, struct strbuf *sb, const char *what)
{
	char *text = sb_steal(sb);
	int rc;

	if (text == NULL)
		return oidc_fail(&l->err, OIDC_EINTERNAL, "out of memory");
	rc = l->ui->info(l->ui, text);
	free(text);
	if (rc != 0)
		return oidc_fail(&l->err, OIDC_EABORT, "could not show %s",
				 what);
	return OIDC_OK;
}

enum oidc_flow login_pick_flow(const struct login *l)
{
	if (l->cfg->flow != FLOW_AUTO)
		return l->cfg->flow;
	return l->disco.device_authorization_endpoint != NULL ? FLOW_DEVICE
							      : FLOW_AUTHCODE;
}

void login_free(struct login *l)
{
	discovery_free(&l->disco);
	http_cleanup(&l->http);
	if (l->claims != NULL)
		json_object_put(l->claims);
	free(l->account);
	free(l->npi);
	free(l->role);
	free(l->fhir_user);
	free(l->map_rule);
	secure_free(l->nonce);
	secure_free(l->access_token);
	free(l->granted_scope);
	l->claims = NULL;
	l->account = NULL;
}
