/*
 * cmd_adoption.c — `xsell adoption` (placeholder until its module lands).
 */
#include "cli/cli.h"

#include <stdio.h>

int xs_cmd_adoption(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "xsell adoption: not built yet\n");
    return XS_EXIT_FAIL;
}
