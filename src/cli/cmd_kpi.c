/*
 * cmd_kpi.c — `xsell kpi` (placeholder until its module lands).
 */
#include "cli/cli.h"

#include <stdio.h>

int xs_cmd_kpi(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "xsell kpi: not built yet\n");
    return XS_EXIT_FAIL;
}
