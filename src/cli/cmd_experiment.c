/*
 * cmd_experiment.c — `xsell experiment assign|analyze|start|stop|list|report`:
 * deterministic holdout assignment of units to arms, lift analysis of an
 * experiment with confidence intervals, p-values, a sample-ratio-mismatch
 * check and CUPED, and the holdout experiments of the store. The work and
 * the reports are in libxsell (src/measure/assign.c, experiment.c,
 * stats.c, experiment_out.c); this file holds the help text and picks the
 * action: cmd_experiment_assign.c, cmd_experiment_analyze.c and
 * cmd_experiment_db.c (start, stop, list, report), each with its options.
 */
#include "cli/cli.h"

#define CMD "experiment"

static const xs_cli_spec spec = {
    CMD,
    "xsell experiment assign --strategy NAME (--input FILE --id COLUMN | --ids)\n"
    "                        [--split ARM:W,ARM:W,...] [--format F]\n"
    "xsell experiment analyze --input FILE --group COLUMN --control LABEL\n"
    "                         --metric COLUMN [--metric COLUMN ...] [OPTIONS]\n"
    "xsell experiment start|stop|list|report --db FILE ...",
    .about =
        "assign puts units in the arms of a strategy's split by a hash of their id;\n"
        "analyze compares every group of an experiment's table with the control;\n"
        "start, stop, list and report keep the holdout experiments of offer\n"
        "strategies in a store. 'xsell experiment ACTION --help' gives the options\n"
        "of each.",
    .opts = NULL,
};

int xs_cmd_experiment(int argc, char **argv)
{
    static const char *const names[] = {"assign", "analyze", "start", "stop",
                                        "list",   "report",  NULL};
    int which, rc = xs_cli_action(&spec, argc, argv, names, &which);
    if (rc >= 0) return rc;
    if (which == 0) return xs_cli_experiment_assign(argc - 1, argv + 1);
    if (which == 1) return xs_cli_experiment_analyze(argc - 1, argv + 1);
    return xs_cli_experiment_db(argc - 1, argv + 1);
}
