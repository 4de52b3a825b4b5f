/*
 * cmd_uplift.c — `xsell uplift`: picks the subcommand (cmd_uplift_model.c:
 * train and predict, cmd_uplift_eval.c: eval); their one option table and
 * what they share are in cmd_uplift_args.c.
 */
#include "cli/uplift.h"

int xs_cmd_uplift(int argc, char **argv)
{
    static const char *const names[] = {"train", "predict", "eval", NULL};
    int which, rc = xs_cli_action(&xs_cli_uplift_spec, argc, argv, names, &which);
    if (rc >= 0) return rc;
    if (which == 0) return xs_cli_uplift_train(argc - 1, argv + 1);
    if (which == 1) return xs_cli_uplift_predict(argc - 1, argv + 1);
    return xs_cli_uplift_eval(argc - 1, argv + 1);
}
