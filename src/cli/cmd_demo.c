/*
 * cmd_demo.c — `xsell demo` (placeholder until its module lands).
 */
#include "cli/cli.h"

#include <stdio.h>

int xs_cmd_demo(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "xsell demo: not built yet\n");
    return XS_EXIT_FAIL;
}
