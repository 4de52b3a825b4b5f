/*
 * cmd_customers.c — `xsell customers` (placeholder until its module lands).
 */
#include "cli/cli.h"

#include <stdio.h>

int xs_cmd_customers(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "xsell customers: not built yet\n");
    return XS_EXIT_FAIL;
}
