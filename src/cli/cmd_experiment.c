/*
 * cmd_experiment.c — `xsell experiment assign|analyze|start|stop|list|report`:
 * deterministic holdout assignment of units to arms, lift analysis of an
 * experiment with confidence intervals, p-values, a sample-ratio-mismatch
 * check and CUPED, and the holdout experiments of the store. The work and
 * the reports are in libxsell (src/measure/assign.c, experiment.c,
 * stats.c, experiment_out.c); this file holds the help text and picks the
 * action: cmd_experiment_assign.c, cmd_experiment_analyze.c and
 * cmd_experiment_db.c (start, stop, list, report).
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static const char *CMD = "experiment";

void xs_cli_experiment_usage(FILE *out)
{
    fprintf(
        out,
        "usage: xsell experiment assign --strategy NAME (--input FILE --id COLUMN | "
        "--ids)\n"
        "                               [--split ARM:W,ARM:W,...] [--format F]\n"
        "       xsell experiment analyze --input FILE --group COLUMN --control LABEL\n"
        "                                --metric COLUMN [--metric COLUMN ...] "
        "[OPTIONS]\n"
        "       xsell experiment start|stop|list|report --db FILE ...  (holdout "
        "experiments\n"
        "                               of offer strategies; 'xsell experiment start "
        "--help')\n"
        "\n"
        "assign: puts every unit in an arm of the strategy's split. A unit's place in\n"
        "[0, 1) is the 64-bit hash of \"STRATEGY:ID\" (top 53 bits / 2^53); the arms "
        "cut\n"
        "[0, 1) into intervals proportional to their weights, in the order given. The\n"
        "same strategy and id always give the same arm, on every machine; different\n"
        "strategies are independent of each other.\n"
        "  --strategy NAME       experiment / strategy name (part of the hash)\n"
        "  --input FILE          CSV file with one row per unit ...\n"
        "  --id COLUMN           ... and the column holding the unit id\n"
        "  --ids                 or: ids from standard input, one per line (a trailing\n"
        "                        CR is dropped, empty lines are skipped)\n"
        "  --split SPEC          arms and weights, default treatment:90,holdout:10\n"
        "                        (a name without :W weighs 1)\n"
        "  --delimiter C         CSV delimiter (default ','; 'tab' for a tab)\n"
        "  --format F            table (default), csv or json: columns id, arm\n"
        "\n"
        "analyze: compares every group with the control for every metric.\n"
        "  --input FILE          CSV with a header and one row per unit\n"
        "  --group COLUMN        column holding the group label\n"
        "  --control LABEL       label of the control group\n"
        "  --metric COLUMN       numeric metric (repeatable)\n"
        "  --covariate COLUMN    pre-period covariate for CUPED\n"
        "  --expected-split A:B  planned shares of the groups, in the order of the\n"
        "                        output: labels sorted bytewise (default: equal)\n"
        "  --method M            auto (default), proportion, welch or bootstrap\n"
        "  --level X             confidence level (default 0.95)\n"
        "  --bootstrap N         resamples of --method bootstrap (default 2000)\n"
        "  --seed N              bootstrap seed (default 1)\n"
        "  --delimiter C         CSV delimiter (default ',')\n"
        "  --format F            table (default), csv or json\n"
        "  --help                this text\n"
        "\n"
        "Methods: auto uses proportion for a metric whose values are all 0 or 1 and\n"
        "welch otherwise. proportion: CI of the difference from the unpooled (Wald)\n"
        "standard error, p-value of the pooled two-proportion z-test. welch: Welch's t\n"
        "with Welch-Satterthwaite df. bootstrap: percentile CI of the difference of\n"
        "means from N resamples with a fixed seed per (metric, group), p-value\n"
        "2 (min(#{d<=0}, #{d>=0}) + 1) / (N + 1). Relative lift (mean / control mean\n"
        "- 1) has a delta-method CI (bootstrap: percentile); empty when the control\n"
        "mean is 0.\n"
        "Sample ratio: chi-square goodness of fit of the group sizes against the\n"
        "planned split; a mismatch (p < 0.001) is reported in the output (table,\n"
        "json) and on standard error.\n"
        "CUPED (--covariate X): theta = cov(Y, X) / var(X) over all units, Y' = Y -\n"
        "theta (X - mean X); var_reduction = 1 - var(Y') / var(Y); the cuped_* columns\n"
        "are the lift of Y' (Welch, or bootstrap) and relative to the control mean of "
        "Y'.\n"
        "Numbers are printed with 6 significant digits.\n"
        "Exit status: 0 ok, 1 failure, 2 bad usage or bad input.\n");
}

int xs_cmd_experiment(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        if (argc < 2) {
            xs_cli_experiment_usage(stderr);
            return XS_EXIT_USAGE;
        }
        xs_cli_experiment_usage(stdout);
        return XS_EXIT_OK;
    }
    if (!strcmp(argv[1], "assign")) return xs_cli_experiment_assign(argc - 1, argv + 1);
    if (!strcmp(argv[1], "analyze")) return xs_cli_experiment_analyze(argc - 1, argv + 1);
    if (!strcmp(argv[1], "start") || !strcmp(argv[1], "stop") || !strcmp(argv[1], "list") ||
        !strcmp(argv[1], "report"))
        return xs_cli_experiment_db(argc - 1, argv + 1);
    return xs_cli_usage_error(
        CMD, "unknown action \"%s\" (expected assign, analyze, start, stop, list or report)",
        argv[1]);
}
