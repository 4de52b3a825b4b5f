/*
 * cmd_import.c — `xsell import` (placeholder until its module lands).
 */
#include "cli/cli.h"

#include <stdio.h>

int xs_cmd_import(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "xsell import: not built yet\n");
    return XS_EXIT_FAIL;
}
