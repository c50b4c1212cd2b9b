/*
 * hostfx: fake host trees for the baseline and inventory tests. A fixture
 * under tests/fixtures/hostinfo/NAME is copied to a fresh temporary
 * directory, its modes normalised (git keeps only the executable bit) and
 * then set from the fixture's "modes" in expected.json (SUID bits, sticky
 * and world-writable directories). Header-only so each test stays one file.
 */
#ifndef YS_TEST_HOSTFX_H
#define YS_TEST_HOSTFX_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#define HOSTFX_DIR YS_SOURCE_DIR "/tests/fixtures/hostinfo"

static inline json_t *
hostfx_expected(void)
{
	json_error_t e;
	json_t *j = json_load_file(HOSTFX_DIR "/expected.json", 0, &e);

	if (j == NULL)
		fprintf(stderr, "hostfx: expected.json:%d: %s\n", e.line, e.text);
	return j;
}

/* Copy fixture name into a new temporary directory (written to root). */
static inline int
hostfx_make(const char *name, const json_t *modes, char *root, size_t rootlen)
{
	char cmd[1024];
	const char *path;
	json_t *mode;

	snprintf(root, rootlen, "/tmp/ys-hostfx-XXXXXX");
	if (mkdtemp(root) == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd), "cp -a '%s/%s/.' '%s/' && find '%s' -type d -exec chmod 0755 {} + "
	    "&& find '%s' -type f -exec chmod 0644 {} +", HOSTFX_DIR, name, root, root, root);
	if (system(cmd) != 0)
		return -1;
	json_object_foreach((json_t *)modes, path, mode) {
		char full[1024];

		snprintf(full, sizeof(full), "%s/%s", root, path);
		if (chmod(full, (mode_t)strtoul(json_string_value(mode), NULL, 8)) < 0) {
			perror(full);
			return -1;
		}
	}
	return 0;
}

static inline void
hostfx_remove(const char *root)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "hostfx: cannot remove %s\n", root);
}

#endif
