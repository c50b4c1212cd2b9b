/*
 * output: how the CLI prints server answers for people. Lists become
 * aligned tables, objects "key: value" lines. Every string from the server
 * is cleaned of control characters first: audit entries carry text an
 * attacker chose (a user name tried at login), which must not reach the
 * terminal as escape sequences. With --json the body is printed as JSON
 * instead, where jansson escapes such characters.
 */
#ifndef YS_CLI_OUTPUT_H
#define YS_CLI_OUTPUT_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* Terminal columns taken by UTF-8 text (CJK wide characters count 2). */
size_t cli_out_width(const char *s);
/* A printable copy of a value: strings cleaned, null as "-", numbers and
 * booleans as JSON, objects and arrays as compact JSON. Caller frees. */
char *cli_out_cell(const json_t *v);
/* items: array of objects; cols: NULL-ended column names. Header in upper
 * case, columns two spaces apart, missing values "-". 0 / -1 (no memory). */
int cli_out_table(FILE *f, const json_t *items, const char *const *cols);
/* "key: value" per member; nested objects flattened as "a.b: value". */
int cli_out_object(FILE *f, const json_t *obj);
/* Pretty JSON (two-space indent) and a newline. */
int cli_out_json(FILE *f, const json_t *v);

#endif
