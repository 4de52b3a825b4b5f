/*
 * cmd_together.c — `xsell together` (placeholder until its module lands).
 */
#include "cli/cli.h"

#include <stdio.h>

int xs_cmd_together(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "xsell together: not built yet\n");
    return XS_EXIT_FAIL;
}
