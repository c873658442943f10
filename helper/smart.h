/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SMART on FHIR (SMART App Launch 2.x): the FHIR server's
 * {fhir_base_url}/.well-known/smart-configuration.
 *
 * When fhir_base_url is set, the code flow reads this document before the
 * authorization request and refuses the provider unless
 *   - issuer is present and equals the configured issuer exactly (the
 *     FHIR server names the identity provider we trust: no other one);
 *   - code_challenge_methods_supported is an array containing "S256" (the
 *     only method pam_oidc sends; a server offering only "plain" is
 *     refused);
 *   - capabilities, when present, is an array of short printable tokens
 *     (SMART_CAP_MAX bytes each, at most SMART_MAX_CAPABILITIES);
 *   - authorization_endpoint and token_endpoint, when present, are https
 *     URLs.
 * The authorization request then carries aud = fhir_base_url.  The
 * endpoints used are still those of the provider's OpenID discovery
 * document, which is bound to the issuer; the SMART ones are reported
 * (pam-oidc check) but not used.
 *
 * API for pam-oidc check:
 *
 *     struct smart_config sc;
 *     if (smart_fetch(&l, &sc) == OIDC_OK) {
 *             for (size_t i = 0; i < sc.n_capabilities; i++)
 *                     printf(" %s", sc.capabilities[i]);
 *             smart_free(&sc);
 *     }                       // on failure l.err says why; nothing to free
 *
 * smart_fetch needs l->http initialised (http_init) and l->cfg with
 * fhir_base_url set; it does not need discovery.
 */
#ifndef PAM_OIDC_SMART_H
#define PAM_OIDC_SMART_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "config.h"
#include "error.h"
#include "login.h"

#define SMART_MAX_CAPABILITIES 64
#define SMART_MAX_METHODS 16
#define SMART_CAP_MAX 64

struct smart_config {
	json_object *doc; /* the document (owned; strings below point in) */
	char *url;	  /* where it was read (owned) */
	const char *issuer;
	const char *authorization_endpoint; /* NULL when absent */
	const char *token_endpoint;	    /* NULL when absent */
	/* NULL-terminated lists */
	const char *capabilities[SMART_MAX_CAPABILITIES + 1];
	size_t n_capabilities;
	const char *code_challenge_methods[SMART_MAX_METHODS + 1];
	size_t n_code_challenge_methods;
};

/*
 * GET {fhir_base_url}/.well-known/smart-configuration (a trailing '/' of
 * fhir_base_url removed first) through l->http and check it as above.
 * Errors in l->err: OIDC_EUNAVAIL when the server cannot be reached (or
 * answers 5xx/429), OIDC_ECONFIG when it answers 4xx (wrong
 * fhir_base_url), OIDC_EREJECT when the document fails a check.
 */
int smart_fetch(struct login *l, struct smart_config *sc);

/* The checks alone, on a parsed document (borrowed: sc points into it, and
 * sc->doc stays NULL).  For tests and the fuzzer. */
int smart_check(const struct oidc_config *cfg, json_object *doc,
		struct smart_config *sc, struct oidc_err *e);

/* true when the document lists this capability (e.g. "client-public"). */
bool smart_has_capability(const struct smart_config *sc, const char *name);

void smart_free(struct smart_config *sc);

#endif
