/*
 * errors.c — how the CLI shows a library error: the one table from error
 * codes to exit codes, and the one table from the library's parameter names
 * (xs_error.param: "from", "revenue_delta") to the flags that set them
 * ("--from", "--revenue-delta"), so a user reads `--from: not a date`; and
 * the hints that name the command mending a condition the library names.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static const struct {
    int code, exit;
} exit_map[] = {
    {XS_OK, XS_EXIT_OK},           {XS_EINVAL, XS_EXIT_USAGE},
    {XS_EPARSE, XS_EXIT_USAGE},    {XS_EUSAGE, XS_EXIT_USAGE},
    {XS_EREJECT, XS_EXIT_USAGE},   {XS_ERANGE, XS_EXIT_USAGE},
    {XS_ENOTFOUND, XS_EXIT_USAGE}, {XS_ECONFLICT, XS_EXIT_USAGE},
    {XS_ENOMEM, XS_EXIT_FAIL},     {XS_EIO, XS_EXIT_FAIL},
    {XS_EDB, XS_EXIT_FAIL},        {XS_ESCHEMA, XS_EXIT_FAIL},
    {XS_EINTERNAL, XS_EXIT_FAIL},  {XS_EBUSY, XS_EXIT_FAIL},
};

/* Library parameter -> the flag that gives it. A parameter the table lacks
 * is shown under its library name (a test then shows the gap). */
static const struct {
    const char *param, *flag;
} flag_map[] = {
    {"as_of", "--as-of"},
    {"at", "--at"},
    {"by", "--by"},
    {"cac", "--cac"},
    {"cac_multiple", "--cac-multiple"},
    {"churn_model", "--churn-model"},
    {"consent", "--consent"},
    {"control", "--control"},
    {"covariate", "--covariate"},
    {"currency", "--currency"},
    {"customers", "--customers"},
    {"cutoff", "--cutoff"},
    {"days", "--days"},
    {"db", "--db"},
    {"drop", "--drop"},
    {"end", "--end"},
    {"eta", "--eta"},
    {"events", "--events"},
    {"expected_split", "--expected-split"},
    {"features", "--features"},
    {"folds", "--folds"},
    {"from", "--from"},
    {"group", "--group"},
    {"half_life", "--half-life"},
    {"holdout_days", "--holdout-days"},
    {"horizon", "--horizon"},
    {"horizons", "--horizons"},
    {"id", "--id"},
    {"k", "--k"},
    {"kind", "--kind"},
    {"label", "--label"},
    {"learner", "--learner"},
    {"level", "--level"},
    {"listen", "--listen"},
    {"map", "--map"},
    {"max_depth", "--max-depth"},
    {"measure", "--measure"},
    {"metric", "--metric"},
    {"min_count", "--min-count"},
    {"model", "--model"},
    {"name", "--name"},
    {"offer_id", "--offer"},
    {"outcome", "--outcome"},
    {"period", "--period"},
    {"retention_cost", "--retention-cost"},
    {"revenue_delta", "--revenue-delta"},
    {"rounds", "--rounds"},
    {"save_days", "--save-days"},
    {"scope", "--scope"},
    {"secret", "--secret"},
    {"split", "--split"},
    {"start", "--start"},
    {"status", "--status"},
    {"to", "--to"},
    {"treatment", "--treatment"},
    {"treatment_col", "--treatment-col"},
    {"url", "--url"},
};

/* What the user can do about a library error, in CLI commands: the library
 * names the condition (xs_error.condition) and the CLI adds the command that
 * mends it at the message's end. */
static const struct {
    int condition;
    const char *hint;
} hint_map[] = {
    {XS_COND_NOT_BUILT, ": run 'xsell build --db FILE'"},
    {XS_COND_MODEL_VERSION, ": run 'xsell build' again"},
    {XS_COND_MODEL_DAMAGED, ": run 'xsell build' again"},
    {XS_COND_MODEL_NOT_PART, " (parts are written by 'xsell build --shard')"},
    {XS_COND_PART_NOT_MODEL, ": merge the parts with 'xsell build --merge'"},
    {XS_COND_NO_DECISIONS,
     ": log decisions with 'xsell recommend --log' (docs/replay.md)"},
    {XS_COND_NO_OUTCOMES, ": record outcomes with 'xsell outcome'"},
};

int xs_cli_exit_code(int code)
{
    for (size_t i = 0; i < sizeof exit_map / sizeof exit_map[0]; i++)
        if (exit_map[i].code == code) return exit_map[i].exit;
    return code >= 0 ? XS_EXIT_OK : XS_EXIT_FAIL;
}

const char *xs_cli_flag(const char *param)
{
    for (size_t i = 0; i < sizeof flag_map / sizeof flag_map[0]; i++)
        if (!strcmp(flag_map[i].param, param)) return flag_map[i].flag;
    return param;
}

const char *xs_cli_error_format(const xs_error *err, char *buf, size_t n)
{
    xs_error e = *err;
    if (err->param[0]) snprintf(e.param, sizeof e.param, "%s", xs_cli_flag(err->param));
    for (size_t i = 0; i < sizeof hint_map / sizeof hint_map[0]; i++)
        if (e.condition != XS_COND_NONE && hint_map[i].condition == e.condition) {
            size_t len = strlen(e.message);
            snprintf(e.message + len, sizeof e.message - len, "%s", hint_map[i].hint);
            break;
        }
    return xs_error_format(&e, buf, n);
}
