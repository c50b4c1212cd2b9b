/*
 * Unit tests of the agent's policy handling: a bundle signed by the control
 * plane's key is accepted and kept; one flipped byte, another key, another
 * node's bundle or a malformed payload is refused and the stored bundle
 * stays in force.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "crypto.h"
#include "log.h"
#include "policy.h"

struct fx {
	char dir[64], priv[128], pub[128], other[128], otherpub[128], store[128];
	EVP_PKEY *key, *wrong;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256];

	log_init("test_policy", LOG_LVL_ERR, NULL);
	snprintf(f->dir, sizeof(f->dir), "/tmp/ys-policy-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->priv, sizeof(f->priv), "%s/k", f->dir);
	snprintf(f->pub, sizeof(f->pub), "%s/k.pub", f->dir);
	snprintf(f->other, sizeof(f->other), "%s/o", f->dir);
	snprintf(f->otherpub, sizeof(f->otherpub), "%s/o.pub", f->dir);
	snprintf(f->store, sizeof(f->store), "%s/policy.json", f->dir);
	assert_int_equal(crypto_ed25519_generate(f->priv, f->pub, err, sizeof(err)), 0);
	assert_int_equal(crypto_ed25519_generate(f->other, f->otherpub, err, sizeof(err)), 0);
	f->key = crypto_ed25519_load_private(f->priv, err, sizeof(err));
	f->wrong = crypto_ed25519_load_private(f->other, err, sizeof(err));
	assert_non_null(f->key);
	assert_non_null(f->wrong);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	EVP_PKEY_free(f->key);
	EVP_PKEY_free(f->wrong);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* A bundle as the control plane makes it (nodes_policy_bundle). */
static json_t *
bundle(EVP_PKEY *key, long long node, long long version)
{
	unsigned char sig[64];
	char text[256], sig64[100];

	snprintf(text, sizeof(text), "{\"format\":1,\"kind\":\"agent\",\"node_id\":%lld,"
	    "\"policy\":{\"modules\":{\"fim\":{\"enabled\":true}}},\"version\":%lld}", node, version);
	assert_int_equal(crypto_ed25519_sign(key, text, strlen(text), sig), 0);
	assert_true(crypto_b64url_encode(sig, 64, sig64, sizeof(sig64)) > 0);
	return json_pack("{s:s, s:s}", "payload", text, "signature", sig64);
}

static void
test_good_bundle_accepted_and_kept(void **state)
{
	struct fx *f = *state;
	json_t *b = bundle(f->key, 7, 3);
	struct policy p;
	char err[256];

	assert_int_equal(policy_accept(f->key, b, 7, f->store, &p, err, sizeof(err)), 0);
	assert_int_equal(p.version, 3);
	assert_true(json_is_true(json_object_get(json_object_get(json_object_get(p.body,
	    "modules"), "fim"), "enabled")));
	policy_clear(&p);
	/* Reloaded after a restart, and verified again. */
	assert_int_equal(policy_load(f->key, f->store, 7, &p, err, sizeof(err)), 0);
	assert_int_equal(p.version, 3);
	policy_clear(&p);
	json_decref(b);
}

static void
test_tampered_bundles_refused(void **state)
{
	struct fx *f = *state;
	json_t *good = bundle(f->key, 7, 3), *b;
	struct policy p;
	char err[256], *text;
	size_t len;

	assert_int_equal(policy_accept(f->key, good, 7, f->store, &p, err, sizeof(err)), 0);
	policy_clear(&p);
	/* Every single flipped byte of the payload is refused. */
	text = strdup(json_string_value(json_object_get(good, "payload")));
	len = strlen(text);
	for (size_t i = 0; i < len; i++) {
		text[i] ^= 0x01;
		b = json_pack("{s:s, s:O}", "payload", text, "signature",
		    json_object_get(good, "signature"));
		assert_int_equal(policy_accept(f->key, b, 7, f->store, &p, err, sizeof(err)), -1);
		json_decref(b);
		text[i] ^= 0x01;
	}
	free(text);
	/* Signed with another key; for another node; no signature. */
	b = bundle(f->wrong, 7, 4);
	assert_int_equal(policy_accept(f->key, b, 7, f->store, &p, err, sizeof(err)), -1);
	json_decref(b);
	b = bundle(f->key, 8, 4);
	assert_int_equal(policy_accept(f->key, b, 7, f->store, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "another node"));
	json_decref(b);
	b = json_pack("{s:s}", "payload", "{}");
	assert_int_equal(policy_accept(f->key, b, 7, f->store, &p, err, sizeof(err)), -1);
	json_decref(b);
	/* The stored policy is still the good one. */
	assert_int_equal(policy_load(f->key, f->store, 7, &p, err, sizeof(err)), 0);
	assert_int_equal(p.version, 3);
	policy_clear(&p);
	json_decref(good);
}

static void
test_tampered_file_refused(void **state)
{
	struct fx *f = *state;
	json_t *good = bundle(f->key, 7, 3);
	struct policy p;
	char err[256];
	FILE *fp;

	assert_int_equal(policy_accept(f->key, good, 7, f->store, &p, err, sizeof(err)), 0);
	policy_clear(&p);
	json_decref(good);
	/* Edit the stored copy on disk: it no longer loads. */
	fp = fopen(f->store, "r+");
	assert_non_null(fp);
	fseek(fp, 30, SEEK_SET);
	fputc('9', fp);
	fclose(fp);
	assert_int_equal(policy_load(f->key, f->store, 7, &p, err, sizeof(err)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_good_bundle_accepted_and_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tampered_bundles_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tampered_file_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
