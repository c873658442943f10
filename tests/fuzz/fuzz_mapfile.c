/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the map file (helper/mapfile.h): parse the input as
 * a map file; when it parses, match it against a fixed set of verified
 * claims.  Refusals must carry a reason; nothing may crash, hang or leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "../../helper/mapfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char claims_json[] =
    "{\"role\":\"nurse\",\"ward\":3,\"email\":\"a.b@hospital.example.org\","
    "\"email_verified\":true,\"realm_access\":{\"roles\":[\"x\","
    "\"radiology-reading\"]},\"fhirUser\":\"Practitioner/1\","
    "\"name\":\"../x\"}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct map_file *m = NULL;
	struct map_match mm = {0};
	struct oidc_err e;
	json_object *c;

	oidc_err_clear(&e);
	if (mapfile_parse("fuzz.map", (const char *)data, size, &m, &e) !=
	    OIDC_OK) {
		if (e.reason[0] == '\0')
			abort(); /* a refusal always says why */
		return 0;
	}
	c = json_tokener_parse(claims_json);
	if (c == NULL)
		abort();
	oidc_err_clear(&e);
	(void)mapfile_match(m, c, "https://ehr-idp.example.org/realms/clinical",
			    "3f2a9c1e", &mm, &e);
	free(mm.account);
	json_object_put(c);
	mapfile_free(m);
	return 0;
}
