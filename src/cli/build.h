/*
 * build.h — what the files of `xsell build` share (cmd_build*.c): writing
 * the model file of a build, and the shard and merge builds.
 */
#ifndef XS_CLI_BUILD_H
#define XS_CLI_BUILD_H

#include "cli/cli.h"

#define XS_CLI_BUILD "build"

/* Wall seconds of the steps before the model's own (its info times the
 * rest): loading the snapshot, fitting and storing the engine. */
typedef struct xs_cli_build_times {
    double load, engine;
} xs_cli_build_times;

/* Monotonic seconds, for the stage times printed on stderr. */
double xs_cli_build_seconds(void);
/* The options of the build's model, the same for its scores started
 * early (xs_model_scores_begin) and for the model itself; churn_max_train
 * < 0: its default. */
void xs_cli_build_model_opts(xs_model_opts *o, const char *as_of,
                             const xs_offer_config *cfg, long churn_max_train);
/* Whether the build writes a model file (a store on a database server
 * needs --out for one). */
int xs_cli_build_writes_model(const char *db, const char *out);
/* Builds the model of the store (on the build's snapshot, its scores
 * started early and, when given, the engine of its build, all taken over:
 * *snap, *sc and *en are set to NULL) and writes it to out (default
 * FILE.xsm), recorded as the store's latest model, with the options mo
 * (xs_cli_build_model_opts). Returns the exit code (message printed).
 * (cmd_build_model.c) */
int xs_cli_build_write_model(xs_store *st, xs_snapshot **snap, xs_model_scores_job **sc,
                             xs_offer_engine **en, const xs_cli_build_times *pre,
                             const char *db, const char *out, const xs_model_opts *mo);

/* Parses --shard I/N (0 <= I < N <= 65536). Returns 0, or prints the
 * message and returns XS_EXIT_USAGE. (cmd_build_shard.c) */
int xs_cli_build_parse_shard(const char *spec, uint32_t *i, uint32_t *n);
/* `xsell build --db FILE --shard I/N --out PART`. Returns the exit code. */
int xs_cli_build_shard(const char *db, uint32_t i, uint32_t n, const char *out);
/* `xsell build --merge --out MODEL PART...`. Returns the exit code. */
int xs_cli_build_merge(const char *const *parts, size_t n, const char *out,
                       const xs_model_opts *mo);

#endif
