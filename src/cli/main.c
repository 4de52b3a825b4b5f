/*
 * main.c — the xsell command line: dispatches to the subcommand table.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out, "usage: xsell COMMAND [OPTIONS]\n\n"
                 "Grow revenue from existing customers: upsell, cross-sell, downsell.\n\n"
                 "Commands:\n");
    for (size_t i = 0; i < xs_n_commands; i++)
        fprintf(out, "  %-10s %s\n", xs_commands[i].name, xs_commands[i].summary);
    fprintf(out, "\nOptions:\n  --help     this text\n  --version  print the version\n"
                 "\n'xsell COMMAND --help' describes a command.\n"
                 "Exit status: 0 ok, 1 failure, 2 bad usage or bad input.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return XS_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
        usage(stdout);
        return XS_EXIT_OK;
    }
    if (!strcmp(name, "--version") || !strcmp(name, "version")) {
        printf("xsell %s\n", xs_version());
        return XS_EXIT_OK;
    }
    for (size_t i = 0; i < xs_n_commands; i++)
        if (!strcmp(name, xs_commands[i].name)) return xs_commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "xsell: unknown command %s\ntry 'xsell --help'\n", xs_cli_q(name));
    return XS_EXIT_USAGE;
}
