/*
 * cmd_apikey.c — `xsell apikey` (placeholder until its module lands).
 */
#include "cli/cli.h"

#include <stdio.h>

int xs_cmd_apikey(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "xsell apikey: not built yet\n");
    return XS_EXIT_FAIL;
}
