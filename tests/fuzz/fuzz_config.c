/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the configuration parser:
 *   clang -std=c11 -D_GNU_SOURCE -g -fsanitize=fuzzer,address,undefined \
 *     helper/error.c helper/config.c tests/fuzz/fuzz_config.c -o fuzz_config
 *   ./fuzz_config -max_len=8192 tests/fuzz/corpus/config
 *
 * Beyond memory safety it checks the parser's contract: a success yields the
 * required keys and values inside their ranges; a failure yields a reason
 * and leaves the config released.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../helper/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oidc_config cfg;
	struct oidc_err e;
	size_t i;
	int rc;

	oidc_err_clear(&e);
	if (config_defaults(&cfg, &e) != OIDC_OK)
		return 0;
	rc = config_parse("fuzz.conf", (const char *)data, size, &cfg, &e);
	if (rc == OIDC_OK) {
		check(cfg.path != NULL && cfg.issuer != NULL &&
		      cfg.client_id != NULL);
		check(strncmp(cfg.issuer, "https://", 8) == 0);
		check(strchr(cfg.issuer, '?') == NULL &&
		      strchr(cfg.issuer, '#') == NULL);
		check(cfg.timeout >= 1 && cfg.timeout <= 300);
		check(cfg.login_timeout >= 10 && cfg.login_timeout <= 3600);
		check(cfg.leeway >= 0 && cfg.leeway <= 600);
		check(cfg.scopes != NULL &&
		      strstr(cfg.scopes, "openid") != NULL);
		check(cfg.ca_file == NULL || cfg.ca_file[0] == '/');
		check(cfg.audit_file == NULL || cfg.audit_file[0] == '/');
		check(cfg.allowed_algs != NULL && cfg.allowed_algs[0] != NULL);
		for (i = 0; cfg.allowed_algs[i] != NULL; i++) {
			check(i < CONFIG_MAX_LIST);
			check(strcmp(cfg.allowed_algs[i], "none") != 0);
			check(strncmp(cfg.allowed_algs[i], "HS", 2) != 0);
		}
		check(e.rc == OIDC_OK);
	} else {
		check((int)e.rc == rc && e.reason[0] != '\0');
		check(cfg.path == NULL && cfg.scopes == NULL &&
		      cfg.allowed_algs == NULL);
	}
	config_free(&cfg);
	return 0;
}
