/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Strict JSON on top of json-c: the whole buffer must be exactly one JSON
 * object (no trailing data), valid UTF-8, nesting at most JSON_MAX_DEPTH, and
 * no object may repeat a member name.  Accessors type-check every field.
 */
#ifndef PAM_OIDC_JSON_H
#define PAM_OIDC_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "error.h"

#define JSON_MAX_DEPTH 32

/* Parse buf[0..len) into *out (caller json_object_put()s it).  what names the
 * document in error messages ("discovery document", "ID token payload").
 * Failure: OIDC_EREJECT with a reason. */
int json_parse_object(const char *buf, size_t len, const char *what,
		      json_object **out, struct oidc_err *e);

/* Member accessors.  Return NULL / false when the member is absent or has
 * another type; *present (if not NULL) tells which. */
const char *json_str(json_object *obj, const char *key);
bool json_has(json_object *obj, const char *key);

/* A JSON number member that is an integer (or a double with no fractional
 * part) within int64.  Returns 0 on success, -1 if absent, -2 wrong type. */
int json_int64(json_object *obj, const char *key, int64_t *out);

#endif
