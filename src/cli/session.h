/*
 * session: the saved login, <config-dir>/session.json, holding the server
 * URL, the CA bundle (absolute path), the session token and the user name.
 * The directory is created 0700 and the file written 0600 through a
 * temporary file and rename(), so a crash never leaves half a file and the
 * token is never readable by others, not even for a moment.
 */
#ifndef YS_CLI_SESSION_H
#define YS_CLI_SESSION_H

#include <stddef.h>

#include "cli.h"

/* Default directory: $XDG_CONFIG_HOME/yunshou or ~/.config/yunshou.
 * 0 / -1 (no home directory) with err. */
int cli_session_default_dir(char *buf, size_t len, char *err, size_t errlen);
/* A missing file is not an error: s stays empty. 0 / -1 with err. */
int cli_session_load(const char *dir, struct cli_session *s, char *err,
    size_t errlen);
int cli_session_save(const char *dir, const struct cli_session *s, char *err,
    size_t errlen);
/* Frees the members (the token wiped first); accepts NULL. */
void cli_session_clear(struct cli_session *s);
/* Replaces one member with a copy of v (NULL clears it). 0 / -1. */
int cli_session_set(char **member, const char *v);

#endif
