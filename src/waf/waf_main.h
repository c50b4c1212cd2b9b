/*
 * waf_main: the subcommands of yunshou-waf, one function each, dispatched
 * by main.c's table.
 */
#ifndef YS_WAF_MAIN_H
#define YS_WAF_MAIN_H

int waf_inspect_main(int argc, char **argv);
int waf_proxy_main(int argc, char **argv);	/* proxy_main.c */

/* Rules directory when none is given: the source tree's rules/waf for a
 * binary run from a build inside it, the installed one otherwise. */
const char *waf_default_rules_dir(void);

#endif
