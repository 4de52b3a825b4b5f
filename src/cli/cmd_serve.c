/*
 * cmd_serve.c — `xsell serve` (placeholder until its module lands).
 */
#include "cli/cli.h"

#include <stdio.h>

int xs_cmd_serve(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "xsell serve: not built yet\n");
    return XS_EXIT_FAIL;
}
