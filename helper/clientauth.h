/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Client authentication at the provider (client_auth): the pieces behind
 * client_auth_apply() (declared in oauth.h), for the login, the admin CLI
 * and the tests.
 *
 *  - client_secret_basic: "Basic " base64(urlenc(id) ":" urlenc(secret)),
 *    each part form-urlencoded first (RFC 6749 §2.3.1).
 *  - client_secret_post: client_id and client_secret in the request body.
 *  - private_key_jwt (RFC 7523, OpenID Connect Core §9, SMART Backend
 *    Services): a fresh assertion per request, iss = sub = client_id, aud
 *    the token endpoint (or the issuer), a 256-bit random jti, iat, exp =
 *    iat + ASSERTION_LIFETIME; header alg, kid = the RFC 7638 thumbprint of
 *    the public key, typ JWT.
 *  - tls_client_auth / self_signed_tls_client_auth (RFC 8705): a client
 *    certificate on the TLS connection (http.c); the provider's
 *    mtls_endpoint_aliases are used when present.
 *
 * Every credential is read from a root-owned file (secrets.h) when it is
 * needed and wiped after use; none is ever part of a message.
 */
#ifndef PAM_OIDC_CLIENTAUTH_H
#define PAM_OIDC_CLIENTAUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <json-c/json.h>

#include "config.h"
#include "error.h"
#include "http.h"
#include "util.h"

struct login;

/* Seconds from iat to exp of a client assertion: within the 5 minutes that
 * SMART Backend Services and Epic allow, with room for a clock that is up
 * to two minutes off either way. */
#define ASSERTION_LIFETIME 180
/* pam-oidc check warns when the client certificate expires this soon. */
#define CERT_WARN_DAYS 30

/* "client_secret_basic", ... */
const char *client_auth_name(enum client_auth method);
/* true for tls_client_auth and self_signed_tls_client_auth */
bool client_auth_uses_cert(enum client_auth method);

/* The Authorization header value for client_secret_basic, malloc'd (the
 * caller wipes it); NULL when out of memory. */
char *client_secret_basic_header(const char *client_id, const char *secret);

/* ---- private_key_jwt --------------------------------------------------- */

struct client_key; /* a signing key and what it signs with */

/*
 * Load the PEM private key in path (a secret file, secrets.h): RSA of at
 * least 2048 bits, or EC P-256 / P-384; an encrypted key is refused with
 * the command that decrypts it.  alg is client_assertion_alg (NULL: RS384
 * for RSA, ES384 for P-384, ES256 for P-256) and must fit the key.
 * OIDC_ECONFIG with a reason naming the file on any problem.
 */
int client_key_load(const char *path, const char *alg, struct client_key **out,
		    struct oidc_err *e);
void client_key_free(struct client_key *k);
const char *client_key_alg(const struct client_key *k);
/* RFC 7638 JWK thumbprint (SHA-256, base64url): the header's kid. */
const char *client_key_kid(const struct client_key *k);
/* "RSA 3072 bits", "EC P-384" */
void client_key_type(const struct client_key *k, char *buf, size_t len);
/* The public key as a JWK to register at the provider: kty, key members,
 * kid, use "sig", alg.  malloc'd JSON text, NULL when out of memory. */
char *client_key_public_jwk(const struct client_key *k);

/* A signed client assertion (compact JWS, malloc'd; the caller wipes it)
 * issued at now for client_id and audience. */
int client_assertion_make(const struct client_key *k, const char *client_id,
			  const char *audience, time_t now, char **out,
			  struct oidc_err *e);

/* ---- mutual TLS --------------------------------------------------------- */

/*
 * The certificate chain and key for the TLS connection, from
 * client_cert_file + client_key_file (PEM) or client_pkcs12_file (+
 * client_pkcs12_passphrase_file), re-encoded as PEM in memory for libcurl.
 * Refused (OIDC_ECONFIG, naming the file and the fix): a key that does not
 * belong to the certificate, a certificate that has expired or is not valid
 * yet, an RSA key under 2048 bits, a PKCS#12 passphrase that does not open
 * the file.
 */
int tls_credential_load(const struct oidc_config *cfg,
			struct tls_credential *out, struct oidc_err *e);
void tls_credential_free(struct tls_credential *c);

/*
 * RFC 8705 §5: with a certificate method, the URL the provider lists for
 * member (e.g. "token_endpoint") in its discovery mtls_endpoint_aliases,
 * when that is an https URL; otherwise fallback.
 */
const char *mtls_alias(const struct login *l, const char *member,
		       const char *fallback);
/* The same for a URL: which discovery member url is (token_endpoint,
 * device_authorization_endpoint, pushed_authorization_request_endpoint,
 * revocation_endpoint, ...), then its alias.  oauth_post() calls this on
 * its endpoint. */
const char *client_auth_endpoint(const struct login *l, const char *url);

/*
 * The provider refused the client's authentication (an OAuth error
 * invalid_client in doc, RFC 6749 §5.2): record "WHAT: error
 * invalid_client: DESCRIPTION (client_auth = METHOD: what to check)" and
 * return OIDC_ECONFIG (the administrator's to fix).  The hint names the
 * secret file, the key's kid, or the certificate's issuer, never a secret.
 * oauth_post() calls this for any invalid_client answer.
 */
int client_auth_refused(struct login *l, const char *what, json_object *doc);

/* ---- pam-oidc check ------------------------------------------------------ */

/*
 * Describe the configured client authentication for an administrator,
 * appending lines to out:
 *   - the method, and whether the provider lists it in discovery
 *     token_endpoint_auth_methods_supported (discovery_doc may be NULL:
 *     then that line says the provider was not asked);
 *   - client_secret_*: the secret file passes its checks (never the secret);
 *   - private_key_jwt: key type and size, alg, kid, the audience, the public
 *     JWK to register, and whether the provider lists the alg in
 *     token_endpoint_auth_signing_alg_values_supported;
 *   - certificate methods: subject, issuer, serial, validity, key type and
 *     size, the mtls_endpoint_aliases in use, and for
 *     self_signed_tls_client_auth the JWK (with x5c) to register.
 * Lines that need attention start with "warning: " and are counted in
 * *warnings (may be NULL): the provider does not list the method or alg;
 * the certificate expires within CERT_WARN_DAYS days.  Returns OIDC_OK, or
 * the error a login would hit (a refused file, an expired certificate) with
 * e filled; out then holds what was found before it.
 */
int client_auth_describe(const struct oidc_config *cfg,
			 json_object *discovery_doc, struct strbuf *out,
			 unsigned *warnings, struct oidc_err *e);

#endif
