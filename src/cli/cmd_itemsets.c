/*
 * cmd_itemsets.c — `xsell itemsets` (placeholder until its module lands).
 */
#include "cli/cli.h"

#include <stdio.h>

int xs_cmd_itemsets(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "xsell itemsets: not built yet\n");
    return XS_EXIT_FAIL;
}
