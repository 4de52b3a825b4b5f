/*
 * cmd_clv.c — `xsell clv`: picks the subcommand (fit and predict, both in
 * cmd_clv_fit.c); their one option table and what they share are in cmd_clv_args.c.
 */
#include "cli/clv.h"

int xs_cmd_clv(int argc, char **argv)
{
    static const char *const names[] = {"fit", "predict", NULL};
    int which, rc = xs_cli_action(&xs_cli_clv_spec, argc, argv, names, &which);
    if (rc >= 0) return rc;
    return which ? xs_cli_clv_predict(argc - 1, argv + 1)
                 : xs_cli_clv_fit(argc - 1, argv + 1);
}
