/*
 * fuzz_bundle: libFuzzer harness for the node's policy bundle parser: the
 * input is taken as the bundle JSON received from the network and run
 * through policy_verify() with a fixed key. Random input must never verify
 * (that would be a forged signature) and must never crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static EVP_PKEY *key;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char raw[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
		16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };
	struct policy p;
	char err[256];
	json_t *bundle;

	if (key == NULL)
		key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, raw, sizeof(raw));
	bundle = json_loadb((const char *)data, size, 0, NULL);
	if (bundle == NULL)
		return 0;
	if (policy_verify(key, bundle, 7, &p, err, sizeof(err)) == 0)
		abort();	/* a signature the fuzzer made up verified */
	json_decref(bundle);
	return 0;
}
