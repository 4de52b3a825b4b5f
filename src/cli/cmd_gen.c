/*
 * cmd_gen.c — `xsell gen` (placeholder until its module lands).
 */
#include "cli/cli.h"

#include <stdio.h>

int xs_cmd_gen(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "xsell gen: not built yet\n");
    return XS_EXIT_FAIL;
}
