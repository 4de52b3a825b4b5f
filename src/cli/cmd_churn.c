/*
 * cmd_churn.c — `xsell churn eval|train|predict`: churn-risk models on a
 * customer-level table the user already has (one row per customer). eval
 * cross-validates (AUC, log loss, calibration deciles, per-fold AUCs),
 * train saves a model, predict scores customers with the columns that push
 * their risk most. With --db instead of --input the table comes from a
 * store's own history (src/score/churn_history.c): features at a cutoff,
 * labels from the horizon after it, a time-split evaluation. The work and
 * the reports are in libxsell (src/score/churn.c, features_table.c,
 * churn_history.c, auc.c, churn_out.c); this file picks the
 * subcommand, one file each (cmd_churn_eval.c, cmd_churn_train.c,
 * cmd_churn_predict.c); their one option table is in cmd_churn_args.c.
 */
#include "cli/churn.h"

int xs_cmd_churn(int argc, char **argv)
{
    static const char *const names[] = {"eval", "train", "predict", NULL};
    int which, rc = xs_cli_action(&xs_cli_churn_spec, argc, argv, names, &which);
    if (rc >= 0) return rc;
    if (which == 0) return xs_cli_churn_eval(argc - 1, argv + 1);
    if (which == 1) return xs_cli_churn_train(argc - 1, argv + 1);
    return xs_cli_churn_predict(argc - 1, argv + 1);
}
