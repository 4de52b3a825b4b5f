/*
 * cmd_rules.c — `xsell rules` (placeholder until its module lands).
 */
#include "cli/cli.h"

#include <stdio.h>

int xs_cmd_rules(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "xsell rules: not built yet\n");
    return XS_EXIT_FAIL;
}
