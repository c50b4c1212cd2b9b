/*
 * fuzz_config: libFuzzer harness for config_parse, the parser of files an
 * operator (or an attacker with write access to a config directory) hands
 * to every daemon. The keyword table has one key of each type, including a
 * tiny string buffer, so that every value path is reachable. After a
 * successful parse the string fields must still be NUL-terminated.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

struct fuzz_cfg {
	char name[64];
	char tiny[2];
	long long port;
	long long any;
	bool tls;
	bool debug;
};

static const struct config_kw kws[] = {
	{ "name", CONFIG_STR, offsetof(struct fuzz_cfg, name),
	    sizeof(((struct fuzz_cfg *)0)->name), 0, 0, "a string" },
	{ "tiny", CONFIG_STR, offsetof(struct fuzz_cfg, tiny),
	    sizeof(((struct fuzz_cfg *)0)->tiny), 0, 0, "a one-byte string" },
	{ "port", CONFIG_INT, offsetof(struct fuzz_cfg, port), 0, 1, 65535,
	    "a bounded integer" },
	{ "any", CONFIG_INT, offsetof(struct fuzz_cfg, any), 0, INT64_MIN,
	    INT64_MAX, "any integer" },
	{ "tls", CONFIG_BOOL, offsetof(struct fuzz_cfg, tls), 0, 0, 0, "a bool" },
	{ "log.debug", CONFIG_BOOL, offsetof(struct fuzz_cfg, debug), 0, 0, 0,
	    "a dotted bool" },
	{ NULL, CONFIG_STR, 0, 0, 0, 0, NULL },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_cfg cfg;
	char err[256];
	char *copy;

	memset(&cfg, 0, sizeof(cfg));
	/* An exact-size heap copy lets ASan catch any read past len. */
	if ((copy = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	if (config_parse("fuzz", copy, size, kws, &cfg, err, sizeof(err)) == 0) {
		if (memchr(cfg.name, '\0', sizeof(cfg.name)) == NULL ||
		    memchr(cfg.tiny, '\0', sizeof(cfg.tiny)) == NULL)
			abort();
		if (cfg.port != 0 && (cfg.port < 1 || cfg.port > 65535))
			abort();
	} else if (memchr(err, '\0', sizeof(err)) == NULL) {
		abort();
	}
	free(copy);
	return 0;
}
