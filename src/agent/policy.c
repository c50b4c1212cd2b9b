/*
 * policy: bundle verification and the on-disk last good bundle.
 */
#include "policy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto.h"

#define BUNDLE_MAX (4 * 1024 * 1024)

static int
b64url_decode(const char *in, unsigned char *out, size_t outsz, size_t *outlen)
{
	static const char alpha[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	uint32_t acc = 0;
	int bits = 0;
	size_t n = 0;

	for (const char *p = in; *p; p++) {
		const char *c = strchr(alpha, *p);

		if (c == NULL || *p == '\0')
			return -1;
		acc = acc << 6 | (uint32_t)(c - alpha);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n >= outsz)
				return -1;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	*outlen = n;
	return 0;
}

void
policy_clear(struct policy *p)
{
	if (p == NULL)
		return;
	json_decref(p->body);
	memset(p, 0, sizeof(*p));
}

int
policy_verify(EVP_PKEY *key, const json_t *bundle, int64_t node_id, struct policy *p,
    char *err, size_t errlen)
{
	const char *text = json_string_value(json_object_get(bundle, "payload"));
	const char *sig64 = json_string_value(json_object_get(bundle, "signature"));
	unsigned char sig[80];
	size_t siglen = 0;
	json_t *payload;
	json_error_t je;

	memset(p, 0, sizeof(*p));
	if (text == NULL || sig64 == NULL || strlen(text) > BUNDLE_MAX) {
		snprintf(err, errlen, "policy bundle lacks payload or signature");
		return -1;
	}
	if (b64url_decode(sig64, sig, sizeof(sig), &siglen) < 0 ||
	    siglen != CRYPTO_ED25519_SIG_LEN ||
	    crypto_ed25519_verify(key, text, strlen(text), sig) != 0) {
		snprintf(err, errlen, "policy bundle signature does not verify");
		return -1;
	}
	payload = json_loads(text, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(payload) ||
	    json_integer_value(json_object_get(payload, "format")) != 1 ||
	    !json_is_integer(json_object_get(payload, "version")) ||
	    !json_is_object(json_object_get(payload, "policy"))) {
		json_decref(payload);
		snprintf(err, errlen, "policy bundle payload is malformed");
		return -1;
	}
	if (json_integer_value(json_object_get(payload, "node_id")) != node_id) {
		json_decref(payload);
		snprintf(err, errlen, "policy bundle is for another node");
		return -1;
	}
	p->version = json_integer_value(json_object_get(payload, "version"));
	p->node_id = node_id;
	p->body = json_incref(json_object_get(payload, "policy"));
	json_decref(payload);
	return 0;
}

int
policy_accept(EVP_PKEY *key, const json_t *bundle, int64_t node_id, const char *path,
    struct policy *p, char *err, size_t errlen)
{
	char tmp[1100], *text;
	size_t len;
	int fd;

	if (policy_verify(key, bundle, node_id, p, err, errlen) < 0)
		return -1;
	text = json_dumps(bundle, JSON_COMPACT);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	len = text ? strlen(text) : 0;
	fd = text ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || fsync(fd) < 0 ||
	    rename(tmp, path) < 0) {
		snprintf(err, errlen, "cannot store the policy in %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(text);
		policy_clear(p);
		return -1;
	}
	close(fd);
	free(text);
	return 0;
}

int
policy_load(EVP_PKEY *key, const char *path, int64_t node_id, struct policy *p, char *err,
    size_t errlen)
{
	json_error_t je;
	json_t *bundle = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	int rc;

	memset(p, 0, sizeof(*p));
	if (bundle == NULL) {
		snprintf(err, errlen, "no stored policy (%s)", je.text);
		return -1;
	}
	rc = policy_verify(key, bundle, node_id, p, err, errlen);
	json_decref(bundle);
	return rc;
}
