/*
 * cli.h — what the subcommands of the xsell CLI share: the command table,
 * exit codes, error printing and common option parsing.
 *
 * Each subcommand lives in cmd_<name>.c and is one line in commands.c.
 */
#ifndef XS_CLI_H
#define XS_CLI_H

#include "xsell.h"

#include <stddef.h>
#include <stdio.h>

/* Exit codes of the CLI. */
enum { XS_EXIT_OK = 0, XS_EXIT_FAIL = 1, XS_EXIT_USAGE = 2 };

typedef struct xs_command {
    const char *name;
    const char *summary; /* one line for `xsell --help` */
    int (*run)(int argc, char **argv); /* argv[0] is the subcommand name */
} xs_command;

extern const xs_command xs_commands[];
extern const size_t xs_n_commands;

/* Maps a library error code to an exit code (the CLI's one table, errors.c). */
int xs_cli_exit_code(int code);

/* The flag that sets a library parameter ("as_of" -> "--as-of"; errors.c);
 * the parameter itself when no flag sets it. Static string. */
const char *xs_cli_flag(const char *param);

/* xs_error_format() with the parameter spelled as its flag: what the CLI
 * prints for every library error. Returns buf. */
const char *xs_cli_error_format(const xs_error *err, char *buf, size_t n);

/* Threads for work split across cores: the online CPUs, 1 to 16. */
int xs_cli_threads(void);

/* Prints "xsell CMD: <formatted err>" to stderr and returns its exit code. */
int xs_cli_fail(const char *cmd, const xs_error *err);
/* Writes t to stdout in fmt and flushes. Returns XS_EXIT_OK, or says
 * "xsell CMD: cannot write the output" and returns XS_EXIT_FAIL. */
int xs_cli_print_table(const char *cmd, const xs_table *t, xs_format fmt);

/* Prints "xsell CMD: message" plus "try 'xsell CMD --help'" and returns 2. */
int xs_cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Shared by the commands that read and fit (model_common.c). */
/* Prints "xsell CMD: out of memory" and returns XS_EXIT_FAIL. */
int xs_cli_nomem(const char *cmd);
/* Flushes stdout: XS_EXIT_OK, or says "xsell CMD: cannot write the output"
 * and returns XS_EXIT_FAIL. */
int xs_cli_flush(const char *cmd);
/* Reports a failed xs_*_write of a result: XS_ENOMEM as out of memory,
 * anything else as "cannot write the output". Returns XS_EXIT_FAIL. */
int xs_cli_write_failed(const char *cmd, int code);
/* Opens store db read-only and loads its snapshot (caller frees *snap with
 * xs_snapshot_free). Returns 0, or the exit code after printing the error
 * ("xsell CMD: DB: no such store" when there is none). */
int xs_cli_load_snapshot(const char *cmd, const char *db, xs_snapshot **snap);
/* The notes of a read table column on stderr: "xsell CMD: PATH: COLUMN: N
 * blank value(s) treated as missing" and, when values were not seen in
 * training, "... N value(s) UNSEEN" (UNSEEN: what became of them). */
void xs_cli_column_notes(const char *cmd, const char *path, const xs_churn_column *col,
                         const char *unseen);
/* --set SPEC of the offer commands: sets cfg's settings by name. Returns
 * 0, or prints the library's message as a usage error and returns 2. */
int xs_cli_offer_set(const char *cmd, xs_offer_config *cfg, const char *value);

/* `xsell experiment` (cmd_experiment.c picks the action): assign
 * (cmd_experiment_assign.c) and analyze (cmd_experiment_analyze.c);
 * argv[0] is the action. */
int xs_cli_experiment_assign(int argc, char **argv);
int xs_cli_experiment_analyze(int argc, char **argv);
/* `xsell experiment start|stop|list|report` (cmd_experiment_db.c): argv[0]
 * is the action. */
int xs_cli_experiment_db(int argc, char **argv);

/* ---- Option tables (opt.c) ------------------------------------------
 *
 * A subcommand describes its options in a table and calls xs_cli_parse()
 * once; the parser fills the shared xs_cli_args and the command's own
 * struct, reports every bad option one way, checks the store, and prints
 * the help (usage, description, an Options: block generated from the
 * table, notes, the exit-status line) that scripts/gen-man also turns into
 * the man page. A command:
 *
 *   struct kpi_opts { xs_kpi_opts k; int save; };
 *   static const xs_opt opts[] = {
 *       {.ref = &xs_cli_opt_db},          // shared: fills args.db
 *       {.ref = &xs_cli_opt_format},      // shared: fills args.format
 *       {"save-days", 0, "N", XS_OPT_INT, .off = offsetof(struct kpi_opts, save),
 *        .lo = 1, .hi = 3650, .help = "keep N days (default 90)"},
 *       {0},
 *   };
 *   static const xs_cli_spec spec = {
 *       "kpi", "xsell kpi --db FILE [--save-days N] [--format F]",
 *       .about = "KPIs per calendar period.", .opts = opts, .flags = XS_CLI_DB};
 *   ...
 *   xs_cli_args a = {0};
 *   struct kpi_opts o = {.save = 90};     // defaults before parsing
 *   int rc = xs_cli_parse(&spec, argc, argv, &a, &o);
 *   if (rc >= 0) return rc;               // help printed (0) or error (2)
 *   // a.db exists, a.argc/a.argv are the operands
 *
 * Messages (all "xsell CMD: ..." plus "try 'xsell CMD --help'", exit 2):
 * "--db needs a value", "unknown option \"--x\"", "--help takes no value",
 * "--n: not an integer: \"x\"", "--n: 0 is out of range [1, 10]",
 * "--by: expected a, b or c, got \"x\"", "unexpected argument \"x\"",
 * "--db FILE is required"; and "xsell CMD: PATH: no such store" (exit 2).
 * Values in messages are escaped by xs_cli_q(). --help (-h) is added to
 * every table; getopt_long's rules hold (unambiguous prefixes, --name=value,
 * options and operands in any order, "--" ends the options). */
typedef enum xs_opt_kind {
    XS_OPT_FLAG,   /* no value: the int target is set to 1 */
    XS_OPT_STR,    /* const char *: the value itself (borrowed from argv) */
    XS_OPT_INT,    /* int in [lo, hi] */
    XS_OPT_LONG,   /* long in [lo, hi] */
    XS_OPT_SIZE,   /* size_t in [lo, hi] */
    XS_OPT_DOUBLE, /* double in [lo, hi] */
    XS_OPT_FORMAT, /* xs_format: table, json or csv */
    XS_OPT_DELIMITER, /* char: one character or "tab" (xs_cli_delimiter) */
    XS_OPT_ENUM,   /* parse(value, target) >= 0, else "--NAME: expected EXPECT, got V" */
    XS_OPT_CALL,   /* call(cmd, opt, value, opts): anything else (repeatable
                    * options, lists); returns 0 or the exit code after printing */
} xs_opt_kind;

typedef struct xs_opt xs_opt;
struct xs_opt {
    const char *name;  /* long name without "--"; NULL (and no ref) ends a table */
    char letter;       /* short option letter, or 0 */
    const char *value; /* the value's name in the help ("FILE"); NULL for a flag */
    xs_opt_kind kind;
    int common;        /* target in xs_cli_args (shared entries), else in opts */
    size_t off;        /* offsetof() the target in its struct */
    double lo, hi;     /* bounds of INT, LONG, DOUBLE */
    int (*parse)(const char *value, void *target); /* ENUM */
    const char *expect;                            /* ENUM: "month, quarter or year" */
    int (*call)(const char *cmd, const xs_opt *o, const char *value, void *opts);
    const char *help; /* help lines, separated by '\n' */
    /* A shared entry (xs_cli_opt_db...) this one is: every other field set
     * here (non-zero) replaces the shared one's, e.g. .help or .hi. */
    const xs_opt *ref;
};

/* The shared entries: each fills its field of xs_cli_args. */
extern const xs_opt xs_cli_opt_db;      /* --db FILE -> db */
extern const xs_opt xs_cli_opt_model;   /* --model FILE -> model */
extern const xs_opt xs_cli_opt_format;  /* --format table|json|csv -> format */
extern const xs_opt xs_cli_opt_as_of;   /* --as-of DATE -> as_of */
extern const xs_opt xs_cli_opt_lang;    /* --lang en|ja -> lang */
extern const xs_opt xs_cli_opt_threads; /* --threads N, 1..16 -> threads */
/* --set SPEC (repeatable): xs_offer_config_set() on the xs_offer_config
 * the entry's .off names in the command's struct:
 * {.ref = &xs_cli_opt_set, .off = offsetof(struct x, cfg)} */
extern const xs_opt xs_cli_opt_set;

/* What the shared entries fill, and the operands. Zero it before parsing
 * (format 0 is XS_FORMAT_TABLE); unset fields stay 0 / NULL. */
typedef struct xs_cli_args {
    const char *db, *model, *as_of, *lang;
    xs_format format;
    int threads;
    int argc;    /* the operands (non-option arguments), after parsing */
    char **argv; /* borrowed from the argv parsed */
} xs_cli_args;

/* xs_cli_spec.flags: which store check xs_cli_parse() makes. With any,
 * a --db given must name an existing store ("PATH: no such store"). */
enum {
    XS_CLI_DB = 1,          /* --db is required */
    XS_CLI_DB_OR_MODEL = 2, /* --db or --model is required */
    XS_CLI_DB_OPTIONAL = 4, /* --db may be left out (other input) */
};

typedef struct xs_cli_spec {
    const char *name;  /* what messages say: "xsell NAME: ..." */
    const char *usage; /* usage lines: "xsell kpi --db FILE ..."; lines after
                        * the first are indented under the first */
    const char *about; /* what the command does (paragraphs), or NULL */
    const xs_opt *opts; /* the table, ending with {0}; --help is added */
    const char *notes;  /* text after the Options: block, or NULL */
    unsigned flags;     /* XS_CLI_DB, XS_CLI_DB_OR_MODEL, XS_CLI_DB_OPTIONAL or 0
                         * (0: the command checks --db itself) */
    /* Optional: checks that options go together, after the operands and
     * before the store (so a usage error comes first); returns -1 to go on
     * or the exit code after printing (xs_cli_usage_error). */
    int (*check)(const char *cmd, const xs_cli_args *a, const void *opts);
    int max_operands;   /* more is "unexpected argument"; -1: any number */
} xs_cli_spec;

/* Parses argv (argv[0] is the command's name) by spec into *a (the shared
 * entries, operands) and *opts (the others, at their .off), then checks
 * operands, spec->check and the store. Returns -1 to go on, XS_EXIT_OK after printing the
 * help, or XS_EXIT_USAGE after printing the error. */
int xs_cli_parse(const xs_cli_spec *spec, int argc, char **argv, xs_cli_args *a,
                 void *opts);
/* For a command whose first word is an action (`xsell store init ...`):
 * argv[1] must be one of names (NULL-terminated). Returns -1 with *which
 * its index (then parse argc - 1, argv + 1: the action is argv[0] there),
 * XS_EXIT_OK after printing spec's help for --help / -h, or XS_EXIT_USAGE
 * after "expected an action: A, B or C" / "unknown action \"x\" (expected
 * A, B or C)". */
int xs_cli_action(const xs_cli_spec *spec, int argc, char **argv, const char *const *names,
                  int *which);
/* Writes spec's help to out (the layout above). */
void xs_cli_help(const xs_cli_spec *spec, FILE *out);
/* Prints "xsell CMD: DB: no such store" and returns XS_EXIT_USAGE. */
int xs_cli_no_store(const char *cmd, const char *db);
/* value in double quotes for a message, '"' and '\\' escaped, control
 * characters as \xNN, cut after XS_CLI_Q_MAX bytes. Returns one of four
 * static buffers in turn (at most four per message; not thread-safe). */
#define XS_CLI_Q_MAX 120
const char *xs_cli_q(const char *value);

/* The one report of a getopt_long failure: call it for whatever the loop
 * did not handle (c is ':' or '?'; every optstring starts with ':' so that a
 * missing value is told apart). Prints "xsell CMD: --db needs a value",
 * "--help takes no value" or "unknown option \"--x\"" with the usage hint
 * and returns XS_EXIT_USAGE. Reads getopt's optind and optopt. */
int xs_cli_bad_option(const char *cmd, int c, char **argv);

/* Parses --format's value, printing a usage error on failure.
 * Returns 0 or XS_EXIT_USAGE. */
int xs_cli_format(const char *cmd, const char *value, xs_format *out);

/* Parses --delimiter's value: one character other than '"', CR and LF, or
 * "tab" (also "\\t") for a tab. Returns 0, or prints a usage error and
 * returns XS_EXIT_USAGE. */
int xs_cli_delimiter(const char *cmd, const char *value, char *out);

/* Strict number parsing for option values: the whole string must be a
 * number in [lo, hi]. Return 0, or print a usage error and return 2. */
int xs_cli_long(const char *cmd, const char *opt, const char *value, long lo, long hi,
                long *out);
int xs_cli_double(const char *cmd, const char *opt, const char *value, double lo,
                  double hi, double *out);

/* Writes s as a JSON string, escaped by the rules of base/escape.h (the
 * same as xs_table_write() and `xsell export`). */
void xs_cli_json_str(FILE *out, const char *s);

/* Baskets for the mining commands: from INPUT in ifmt when input is set,
 * else from the store db's source. Returns 0 (*b set; caller frees with
 * xs_baskets_free) or the exit code after printing the error. */
int xs_cli_load_baskets(const char *cmd, const char *input, xs_baskets_format ifmt,
                        const char *db, xs_mine_source source, xs_baskets **b);

/* `xsell import products` after a successful import: prints the catalog
 * check of store db as "warning: MESSAGE" lines on stderr (or why the check
 * was skipped). Returns the number of findings or a negative XS_E* code;
 * never changes the exit status. (cmd_catalog.c) */
int xs_cli_catalog_warn(const char *db);

/* Where the mining commands (itemsets, rules, together) read baskets:
 * --input FILE [--input-format fimi|basket], or --db with --source. Put
 * one in the command's struct and XS_CLI_BASKET_OPTS(offsetof(...)) in its
 * table; set ifmt = XS_BASKETS_FIMI, source = XS_SOURCE_ORDERS first. */
typedef struct xs_cli_basket_src {
    const char *input;
    xs_baskets_format ifmt;
    xs_mine_source source;
} xs_cli_basket_src;
int xs_cli_parse_baskets_format(const char *value, void *out);
int xs_cli_parse_mine_source(const char *value, void *out);
#define XS_CLI_BASKET_OPTS(b)                                                            \
    {"input",                                                                            \
     0,                                                                                  \
     "FILE",                                                                             \
     XS_OPT_STR,                                                                         \
     .off = (b) + offsetof(xs_cli_basket_src, input),                                    \
     .help = "baskets from a file ('-' for standard input)"},                            \
        {"input-format",                                                                 \
         0,                                                                              \
         "F",                                                                            \
         XS_OPT_ENUM,                                                                    \
         .off = (b) + offsetof(xs_cli_basket_src, ifmt),                                 \
         .parse = xs_cli_parse_baskets_format,                                           \
         .expect = "fimi or basket",                                                     \
         .help = "fimi (item numbers, blank separated; default) or\n"                    \
                 "basket (item names, comma separated)"},                                \
    {                                                                                    \
        "source", 0, "S", XS_OPT_ENUM,                                                   \
            .off = (b) + offsetof(xs_cli_basket_src, source),                            \
            .parse = xs_cli_parse_mine_source, .expect = "orders or adoption",           \
            .help = "with --db: orders (one basket per order; default) or\n"             \
                    "adoption (one basket per customer: every product held)"             \
    }

/* Prints why basket file input did not read in ifmt and, when it reads in
 * the other format, the --input-format that fixes it. Returns 2. (util.c) */
int xs_cli_baskets_fail(const char *cmd, const char *input, xs_baskets_format ifmt,
                        const xs_error *err);

/* What a reader (recommend, rank, targets, customers, kpi) reads: a model
 * file (--model, or the store's latest one when it is current) or the
 * store itself. (model_arg.c) */
typedef struct xs_cli_src {
    xs_store *st;        /* with --db: the store (read-only unless asked) */
    xs_model *model;     /* the model read, or NULL */
    xs_snapshot *snap;   /* loaded from the store when no model is read */
    const xs_snapshot *s; /* the snapshot to read: the model's or snap */
    int noted;           /* the "other settings" note was printed */
} xs_cli_src;
/* Opens db and/or model (at least one given) into *src. need_snapshot 0:
 * open the store only when no model is read (the caller loads nothing).
 * Returns -1 to go on, else the exit code (message printed). */
int xs_cli_src_open(const char *cmd, const char *db, const char *model, int writable,
                    xs_cli_src *src);
void xs_cli_src_close(xs_cli_src *src);
/* The offer engine for cfg and as_of: the model's when it was built with
 * them, else one built on the snapshot (the store's build when the store
 * is open; noted on stderr once). *owned: the caller frees it. Returns -1
 * to go on, else the exit code (message printed). */
int xs_cli_src_engine(const char *cmd, xs_cli_src *src, const xs_offer_config *cfg,
                      const char *as_of, xs_offer_engine **en, int *owned);
/* Prints, once per run, that the model was built with other settings. */
void xs_cli_src_note(const char *cmd, xs_cli_src *src, const char *what);
/* The model options of `xsell rank` and `xsell evaluate`: option table
 * entries for the xs_rank_opts at offset base of the command's struct,
 * e.g. XS_CLI_RANK_OPTS(offsetof(struct eval, o.model)). */
#define XS_CLI_RANK_OPT_(b, name, v, kind, field, l, h, text)                            \
    {                                                                                    \
        name, 0, v, kind, .off = (b) + offsetof(xs_rank_opts, field), .lo = l, .hi = h,  \
                          .help = text                                                   \
    }
#define XS_CLI_RANK_OPTS(base_)                                                          \
    XS_CLI_RANK_OPT_(base_, "alpha", "A", XS_OPT_DOUBLE, alpha, 0, 2,                    \
                     "similarity co / (n_i^A n_j^B + shrink) (0.25)"),                   \
        XS_CLI_RANK_OPT_(base_, "beta", "B", XS_OPT_DOUBLE, beta, 0, 2,                  \
                         "see --alpha (0.5)"),                                           \
        XS_CLI_RANK_OPT_(base_, "shrink", "S", XS_OPT_DOUBLE, shrink, 0, 1e9,            \
                         "see --alpha (0)"),                                             \
        XS_CLI_RANK_OPT_(base_, "user-pow", "X", XS_OPT_DOUBLE, user_pow, 0, 10,         \
                         "co-buyers weigh |items|^-X (1)"),                              \
        XS_CLI_RANK_OPT_(base_, "seq-back", "W", XS_OPT_DOUBLE, seq_back, 0, 1,          \
                         "weight of co-buyers who bought j before i (0.5)"),             \
        XS_CLI_RANK_OPT_(base_, "neighbours", "N", XS_OPT_SIZE, neighbours, 0, 1000000,  \
                         "kept per product, 0 = all (300)"),                             \
        XS_CLI_RANK_OPT_(base_, "half-life", "DAYS", XS_OPT_DOUBLE, half_life, 0, 1e6,   \
                         "decay of the customer's own history, 0 = none (30)"),          \
        XS_CLI_RANK_OPT_(base_, "co-half-life", "DAYS", XS_OPT_DOUBLE, co_half_life, 0,  \
                         1e6, "decay of co-buyers' purchases, 0 = none (30)"),           \
        XS_CLI_RANK_OPT_(base_, "knn-weight", "W", XS_OPT_DOUBLE, knn_weight, 0, 1e6,    \
                         "weight of the item-to-item term (1)"),                         \
        XS_CLI_RANK_OPT_(base_, "trend-weight", "W", XS_OPT_DOUBLE, trend_weight, 0,     \
                         1e6, "weight of popularity in a window (0)"),                   \
        XS_CLI_RANK_OPT_(base_, "trend-days", "DAYS", XS_OPT_INT, trend_days, 0, 100000, \
                         "the window, 0 = all time (30)"),                               \
        XS_CLI_RANK_OPT_(base_, "trend-lag", "DAYS", XS_OPT_INT, trend_lag, 0, 100000,   \
                         "the window ends DAYS before --as-of (0)"),                     \
        XS_CLI_RANK_OPT_(base_, "trend-pow", "X", XS_OPT_DOUBLE, trend_pow, 0, 100,      \
                         "item-to-item term times popularity^X (0)")

/* The subcommands. */
int xs_cmd_demo(int argc, char **argv);
/* cmd_demo_summary.c: the summary sections of `xsell demo` (the store's
 * snapshot s, the engine en, the n_exp experiments exp) in fmt to out.
 * Returns XS_OK or a negative XS_E* code. */
int xs_cli_demo_summary(const xs_experiment *exp, long n_exp, const xs_snapshot *s,
                        const xs_offer_engine *en, xs_format fmt, FILE *out);
int xs_cmd_gen(int argc, char **argv);
int xs_cmd_import(int argc, char **argv);
/* cmd_import_out.c: the error and progress callbacks every import prints with
 * (ctx: an xs__progress for the progress callback, unused for errors) */
void xs_cli_import_error(void *ctx, const xs_error *e);
void xs_cli_import_progress(void *ctx, unsigned long long rows, unsigned long long done,
                            unsigned long long total);
/* cmd_import_out.c: the errors left unprinted beyond o->max_errors and,
 * when ok, the summary line of an import of input (on stderr) */
void xs_cli_import_summary(const char *input, const xs_import_options *o,
                           const xs_import_result *r, int ok);
/* cmd_import_spec.c: `import --spec`, with its summary; returns the exit code */
int xs_cli_import_spec(const char *db, const char *spec, const char *input,
                       xs_import_options *o);
/* cmd_import_txn.c: `import ... transactions` and its comma-separated code lists */
int xs_cli_import_transactions(const char *db, const char *input, const xs_txn_options *o);
int xs_cli_code_list(const char *cmd, const char *opt, char *value, const char ***list,
                     size_t *n);
int xs_cmd_export(int argc, char **argv);
int xs_cmd_itemsets(int argc, char **argv);
int xs_cmd_rules(int argc, char **argv);
int xs_cmd_adoption(int argc, char **argv);
int xs_cmd_together(int argc, char **argv);
int xs_cmd_clv(int argc, char **argv);
int xs_cmd_retention(int argc, char **argv);
int xs_cmd_experiment(int argc, char **argv);
int xs_cmd_churn(int argc, char **argv);
int xs_cmd_uplift(int argc, char **argv);
int xs_cmd_customers(int argc, char **argv);
int xs_cmd_kpi(int argc, char **argv);
int xs_cmd_recommend(int argc, char **argv);
int xs_cmd_targets(int argc, char **argv);
int xs_cmd_plan(int argc, char **argv);
/* cmd_plan.c: the plan of `build --capacity SPEC|@FILE`, in two steps:
 * xs_cli_plan_spec() reads and checks the spec before the build writes
 * anything; xs_cli_plan_run() plans over the engine of the new build
 * (xs_offer_engine_open: its model and the store's experiments). */
typedef struct xs_cli_plan {
    const char *spec;   /* the spec's text (capacity, or an @FILE's text) */
    const char *source; /* "capacity" or the file name */
    xs_offer_engine *en;
    xs_plan *pl;
    char *spec_text; /* an @FILE's text */
} xs_cli_plan;
/* Each returns 0, or the exit code after printing the error as "xsell CMD: ...". */
int xs_cli_plan_spec(const char *cmd, const xs_snapshot *snap, const char *capacity,
                     xs_cli_plan *out);
int xs_cli_plan_run(const char *cmd, xs_store *st, const xs_snapshot *snap,
                    const xs_offer_config *cfg, const char *as_of, int days, xs_cli_plan *out);
/* Frees what xs_cli_plan_make() made (fields NULL are fine). */
void xs_cli_plan_free(xs_cli_plan *p);
int xs_cmd_build(int argc, char **argv);
int xs_cmd_outcome(int argc, char **argv);
int xs_cmd_replay(int argc, char **argv);
int xs_cmd_serve(int argc, char **argv);
int xs_cmd_apikey(int argc, char **argv);
int xs_cmd_webhook(int argc, char **argv);
int xs_cmd_store(int argc, char **argv);
int xs_cmd_catalog(int argc, char **argv);
int xs_cmd_rank(int argc, char **argv);
int xs_cmd_evaluate(int argc, char **argv);

#endif
