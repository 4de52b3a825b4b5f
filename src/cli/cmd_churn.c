/*
 * cmd_churn.c — `xsell churn eval|train|predict`: churn-risk models on a
 * customer-level table the user already has (one row per customer). eval
 * cross-validates (AUC, log loss, calibration deciles, per-fold AUCs),
 * train saves a model, predict scores customers with the columns that push
 * their risk most. With --db instead of --input the table comes from a
 * store's own history (src/score/churn_history.c): features at a cutoff,
 * labels from the horizon after it, a time-split evaluation. The work and
 * the reports are in libxsell (src/score/churn.c, features_table.c,
 * churn_history.c, auc.c, churn_out.c); this file holds the help text and
 * picks the subcommand, one file each (cmd_churn_eval.c, cmd_churn_train.c,
 * cmd_churn_predict.c; their options in cmd_churn_args.c).
 */
#include "cli/churn.h"

#include <stdio.h>
#include <string.h>

void xs_cli_churn_usage(FILE *out)
{
    fprintf(
        out,
        "usage: xsell churn eval --input FILE --id COLUMN --label COLUMN [OPTIONS]\n"
        "       xsell churn train --input FILE --id COLUMN --label COLUMN --model "
        "OUT.json\n"
        "                         [OPTIONS]\n"
        "       xsell churn predict --model FILE --input FILE --id COLUMN\n"
        "                           [--top-features K] [--approx] [--threads N]\n"
        "                           [--format F]\n"
        "       xsell churn eval --db FILE [--horizon DAYS] [--cutoff DATE] [OPTIONS]\n"
        "       xsell churn train --db FILE --model OUT.json [--horizon DAYS]\n"
        "                         [--cutoff DATE] [OPTIONS]\n"
        "       xsell churn predict --db FILE --model FILE [--as-of DATE]\n"
        "                           [--top-features K] [OPTIONS]\n"
        "\n"
        "A customer-level table: one row per customer, an id column, a label column\n"
        "with two values, and feature columns; ids must be unique and non-blank.\n"
        "A column is numeric when every non-blank\n"
        "value parses as a number (blank: empty or only spaces; blanks are missing\n"
        "values and reported on standard error), otherwise categorical and one-hot\n"
        "encoded as \"column=value\" features. The model is XGBoost (binary:logistic,\n"
        "tree_method hist, fixed seed and thread count: reproducible to the bit).\n"
        "\n"
        "eval: stratified k-fold cross-validation; prints the AUC (mean of the fold\n"
        "AUCs, their sd, and the AUC of all out-of-fold predictions pooled), the log\n"
        "loss of the out-of-fold predictions, the per-fold results and a calibration\n"
        "table: out-of-fold predictions sorted and cut into 10 equal-count deciles\n"
        "with count, mean predicted probability and observed rate.\n"
        "train: trains on all rows and writes one JSON file holding our feature\n"
        "encoding (\"xsell_churn\") and XGBoost's JSON model (\"xgboost\").\n"
        "predict: probability of the positive label per customer and the K columns\n"
        "whose contributions (TreeSHAP, in log-odds; one-hot features summed back into\n"
        "their column, named column=value) move it most, by absolute size.\n"
        "\n");
    fprintf(
        out,
        "With --db the table is built from the store's history (features of the\n"
        "customers active on a cutoff date from data dated on or before it: tenure,\n"
        "MRR and its 90/180-day change, subscriptions, plan tier, billing term, days\n"
        "to renewal, utilisation of plan limits, logins, NPS, tickets, payment\n"
        "failures, cancel requests, declined offers, orders, segment, industry,\n"
        "size; label: no subscription active HORIZON days later).\n"
        "eval --db: trains at cutoff T1 (default: the data's last day - 2 x horizon)\n"
        "and scores the customers active at T2 = T1 + horizon against what they did\n"
        "in the next horizon: AUC, log loss, calibration deciles.\n"
        "train --db: trains at T1 (the model eval --db measures).\n"
        "predict --db: scores every customer active on --as-of (default: the data's\n"
        "last day).\n"
        "\n"
        "  --input FILE          customer table (CSV with a header row)\n"
        "  --db FILE             store: build the table from its history\n"
        "  --horizon DAYS        --db: churn horizon (default 90, 1..3650)\n"
        "  --cutoff DATE         --db: training cutoff T1 (YYYY-MM-DD)\n"
        "  --as-of DATE          --db: the current date (YYYY-MM-DD)\n"
        "  --max-train N         --db train/eval: train on a stratified sample of N\n"
        "                        customers when more are active at T1 (default: all;\n"
        "                        customer scores and 'xsell build' use 200000)\n"
        "  --id COLUMN           customer id column (not a feature)\n"
        "  --label COLUMN        label column (not a feature)\n"
        "  --positive VALUE      label value meaning churned; default: the value among\n"
        "                        1, Yes, yes, YES, true, True, TRUE\n"
        "  --drop COLUMN         exclude a further column (repeatable)\n"
        "  --folds K             cross-validation folds (default 5)\n"
        "  --seed S              seed of the folds and of XGBoost (default 42)\n"
        "  --rounds N            boosting rounds (default 200)\n"
        "  --max-depth D         tree depth (default 3)\n"
        "  --eta E               learning rate (default 0.05)\n"
        "  --threads N           XGBoost threads (default 1; results depend on it)\n"
        "  --model FILE          model file to write (train) or read (predict)\n"
        "  --top-features K      reasons per customer (predict, default 3, 0: none)\n"
        "  --approx              predict: approximate contributions (Saabas: each\n"
        "                        split's change of the node mean goes to its feature;\n"
        "                        about 10x faster than TreeSHAP, less consistent)\n"
        "  --delimiter C         CSV delimiter (default ',')\n"
        "  --format F            table (default), json or csv\n"
        "  --help                this text\n"
        "Exit status: 0 ok, 1 failure, 2 bad usage or bad input.\n");
}

int xs_cmd_churn(int argc, char **argv)
{
    if (argc < 2) {
        xs_cli_churn_usage(stderr);
        return XS_EXIT_USAGE;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h")) {
        xs_cli_churn_usage(stdout);
        return XS_EXIT_OK;
    }
    if (!strcmp(sub, "eval")) return xs_cli_churn_eval(argc - 1, argv + 1);
    if (!strcmp(sub, "train")) return xs_cli_churn_train(argc - 1, argv + 1);
    if (!strcmp(sub, "predict")) return xs_cli_churn_predict(argc - 1, argv + 1);
    return xs_cli_usage_error(XS_CLI_CHURN,
                              "unknown subcommand \"%s\" (eval, train or predict)", sub);
}
