/*
 * cmd_export.c — `xsell export` (placeholder until its module lands).
 */
#include "cli/cli.h"

#include <stdio.h>

int xs_cmd_export(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "xsell export: not built yet\n");
    return XS_EXIT_FAIL;
}
