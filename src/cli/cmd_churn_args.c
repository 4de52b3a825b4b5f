/*
 * cmd_churn_args.c — what `xsell churn eval|train|predict` share besides
 * their options (cmd_churn.c): the history options, the notes on the table
 * read and the reading of the training table.
 */
#include "cli/churn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *CMD = XS_CLI_CHURN;

void xs_cli_churn_args_free(xs_cli_churn_args *a)
{
    free(a->drop);
    a->drop = NULL;
}

void xs_cli_churn_history_opts(const xs_cli_churn_args *a, xs_churn_history_opts *o)
{
    xs_churn_history_opts_init(o);
    o->horizon = (int)a->horizon;
    o->cutoff = a->cutoff;
    o->as_of = a->as_of;
    o->params = a->p;
    o->max_train = (size_t)a->max_train;
}

void xs_cli_churn_notes(const xs_churn_data *d, const char *path)
{
    for (size_t c = 0; c < xs_churn_data_n_columns(d); c++)
        xs_cli_column_notes(CMD, path, xs_churn_data_column(d, c),
                            "not seen in training treated as missing");
}

int xs_cli_churn_load_train(const xs_cli_churn_args *a, xs_churn_data **d)
{
    if (!a->input) return xs_cli_usage_error(CMD, "--input is required");
    if (!a->id) return xs_cli_usage_error(CMD, "--id is required");
    if (!a->label) return xs_cli_usage_error(CMD, "--label is required");
    xs_churn_read_opts o;
    memset(&o, 0, sizeof o);
    o.id = a->id;
    o.label = a->label;
    o.positive = a->positive;
    o.drop = a->drop;
    o.n_drop = a->n_drop;
    o.delimiter = a->delim;
    xs_error e;
    memset(&e, 0, sizeof e);
    if (xs_churn_data_read(a->input, &o, d, &e) < 0) return xs_cli_fail(CMD, &e);
    xs_cli_churn_notes(*d, a->input);
    return 0;
}
