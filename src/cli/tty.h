/*
 * tty: asking the user on /dev/tty (never stdin, which may be a pipe
 * carrying data), with echo off for passwords. Passwords may instead come
 * from an environment variable for automation; never from a flag.
 */
#ifndef YS_CLI_TTY_H
#define YS_CLI_TTY_H

#include <stdbool.h>
#include <stddef.h>

#define CLI_SECRET_MAX 1024

/* Prints prompt on the terminal and reads one line into buf (without the
 * newline). 0 / -1 with err (no terminal, line too long, end of input). */
int cli_tty_ask(const char *prompt, bool echo, char *buf, size_t len,
    char *err, size_t errlen);
/* A password: env's value if set and non-empty, else asked with echo off
 * (twice when confirm). what names it in prompts and messages. 0 / -1. */
int cli_tty_secret(const char *env, const char *what, bool confirm, char *buf,
    size_t len, char *err, size_t errlen);

#endif
