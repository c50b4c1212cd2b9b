/*
 * fuzz_sshd: libFuzzer harness for the agent's sshd log line parser. Log
 * lines carry attacker-chosen user names; the parser must never read past
 * the line, and what it returns must be a real IP address and printable
 * text.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ids.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ids_auth a;
	unsigned char buf[16];
	char *copy = malloc(size ? size : 1);

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);	/* exact length: reads past it are caught */
	if (ids_parse_line(copy, size, &a) != IDS_NONE) {
		if (inet_pton(AF_INET, a.source, buf) != 1 && inet_pton(AF_INET6, a.source, buf) != 1)
			abort();
		for (const char *p = a.user; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				abort();
	}
	free(copy);
	(void)ids_allowed("10.0.0.0/8,2001:db8::/32", a.source[0] ? a.source : "127.0.0.1");
	return 0;
}
