/*
 * opt.c — the option tables of the subcommands: one parser that reads
 * argv by a command's table (xs_cli_spec) into the shared xs_cli_args and
 * the command's own struct, reports every bad option one way, checks the
 * required store, and writes the one help layout from the same table
 * (which scripts/gen-man turns into the man page). The API is in cli.h.
 */
#include "cli/cli.h"

#include <assert.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_OPTS 64 /* entries of one table, --help included */
#define HELP_COL 25 /* where the help of an option starts */

/* ---- the shared entries ---------------------------------------------- */

#define COMMON(field) .common = 1, .off = offsetof(xs_cli_args, field)

const xs_opt xs_cli_opt_db = {"db", 0, "FILE", XS_OPT_STR, COMMON(db),
                              .help = "the store (from xsell import or xsell demo)"};
const xs_opt xs_cli_opt_model = {
    "model", 0, "FILE", XS_OPT_STR, COMMON(model),
    .help = "read the model file FILE ('xsell build') instead of\n"
            "the store (with --db: it must be that store's); with\n"
            "only --db, the store's latest model when it is current"};
const xs_opt xs_cli_opt_format = {"format", 0, "F", XS_OPT_FORMAT, COMMON(format),
                                  .help = "output format: table (default), json or csv"};
const xs_opt xs_cli_opt_as_of = {"as-of", 0, "DATE", XS_OPT_STR, COMMON(as_of),
                                 .help = "the day decided for (default: the end of the data)"};
static int parse_lang(const char *value, void *field)
{
    if (strcmp(value, "en") && strcmp(value, "ja")) return -1;
    *(const char **)field = value;
    return 0;
}
const xs_opt xs_cli_opt_lang = {"lang", 0, "L", XS_OPT_ENUM, COMMON(lang),
                                .parse = parse_lang, .expect = "en or ja",
                                .help = "explanation language: en (default) or ja"};
const xs_opt xs_cli_opt_threads = {"threads", 0, "N", XS_OPT_INT, COMMON(threads), .lo = 1,
                                   .hi = 16, .help = "work on N threads (default 2)"};

/* --set SPEC into the xs_offer_config at o->off of the command's struct. */
static int set_offer(const char *cmd, const xs_opt *o, const char *value, void *opts)
{
    xs_error e;
    char buf[1200];
    xs_offer_config *cfg = (xs_offer_config *)((char *)opts + o->off);
    if (xs_offer_config_set(cfg, value, "--set", &e) < 0)
        return xs_cli_usage_error(cmd, "%s", xs_cli_error_format(&e, buf, sizeof buf));
    return 0;
}
const xs_opt xs_cli_opt_set = {"set", 0, "SPEC", XS_OPT_CALL, .call = set_offer,
                               .help = "offer settings by name, e.g.\n"
                                       "min_health=60,max_offers=1 (repeatable)"};

static const xs_opt opt_help = {"help", 'h', NULL, XS_OPT_FLAG, .help = "this text"};

/* ---- the table as the parser sees it --------------------------------- */

/* o with its reference resolved: the shared entry, with the fields o sets
 * (other than ref) in its place. */
static xs_opt resolve(const xs_opt *o)
{
    if (!o->ref) return *o;
    xs_opt r = *o->ref;
    if (o->name) r.name = o->name;
    if (o->letter) r.letter = o->letter;
    if (o->value) r.value = o->value;
    if (o->off) r.off = o->off;
    if (o->lo) r.lo = o->lo;
    if (o->hi) r.hi = o->hi;
    if (o->expect) r.expect = o->expect;
    if (o->help) r.help = o->help;
    return r;
}

/* The spec's entries resolved, --help last. Returns their count. */
static size_t table(const xs_cli_spec *spec, xs_opt *tab)
{
    size_t n = 0;
    for (const xs_opt *o = spec->opts; o && (o->name || o->ref); o++) {
        assert(n < MAX_OPTS - 1); /* a table longer than MAX_OPTS */
        tab[n++] = resolve(o);
    }
    tab[n++] = opt_help;
    return n;
}

/* ---- help ------------------------------------------------------------- */

/* Writes text's lines, each but the first after indent spaces. */
static void lines(FILE *out, const char *text, int indent)
{
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        int len = nl ? (int)(nl - p) : (int)strlen(p);
        if (p != text && len) fprintf(out, "%*s", indent, "");
        fprintf(out, "%.*s\n", len, p);
        p += len + (nl != NULL);
    }
}

void xs_cli_help(const xs_cli_spec *spec, FILE *out)
{
    xs_opt tab[MAX_OPTS];
    size_t n = table(spec, tab);
    fputs("usage: ", out);
    lines(out, spec->usage, 7);
    if (spec->about) {
        fputc('\n', out);
        lines(out, spec->about, 0);
    }
    fputs("\nOptions:\n", out);
    for (size_t i = 0; i < n; i++) {
        char left[96];
        const xs_opt *o = &tab[i];
        int w = o->letter ? snprintf(left, sizeof left, "  -%c, --%s", o->letter, o->name)
                          : snprintf(left, sizeof left, "  --%s", o->name);
        if (o->value) w += snprintf(left + w, sizeof left - (size_t)w, " %s", o->value);
        if (w + 2 > HELP_COL)
            fprintf(out, "%s\n%*s", left, HELP_COL, "");
        else
            fprintf(out, "%-*s", HELP_COL, left);
        lines(out, tab[i].help ? tab[i].help : "", HELP_COL);
    }
    fputc('\n', out);
    if (spec->notes) lines(out, spec->notes, 0);
    fputs("Exit status: 0 ok, 1 failure, 2 bad usage or bad input.\n", out);
}

/* ---- parsing ---------------------------------------------------------- */

/* A bound as a long: LONG_MAX as a double does not convert back. */
static long bound(double v)
{
    return v >= (double)LONG_MAX ? LONG_MAX : v <= (double)LONG_MIN ? LONG_MIN : (long)v;
}

/* Stores value in o's target (field). Returns 0 or the exit code. */
static int set(const char *cmd, const xs_opt *o, const char *value, void *field,
               void *opts)
{
    char flag[72];
    long l;
    snprintf(flag, sizeof flag, "--%s", o->name);
    switch (o->kind) {
    case XS_OPT_FLAG:
        *(int *)field = 1;
        return 0;
    case XS_OPT_STR:
        *(const char **)field = value;
        return 0;
    case XS_OPT_INT:
        if (xs_cli_long(cmd, flag, value, bound(o->lo), bound(o->hi), &l))
            return XS_EXIT_USAGE;
        *(int *)field = (int)l;
        return 0;
    case XS_OPT_LONG:
        return xs_cli_long(cmd, flag, value, bound(o->lo), bound(o->hi), field);
    case XS_OPT_SIZE:
        if (xs_cli_long(cmd, flag, value, bound(o->lo), bound(o->hi), &l))
            return XS_EXIT_USAGE;
        *(size_t *)field = (size_t)l;
        return 0;
    case XS_OPT_DOUBLE:
        return xs_cli_double(cmd, flag, value, o->lo, o->hi, field);
    case XS_OPT_FORMAT:
        return xs_cli_format(cmd, value, field);
    case XS_OPT_DELIMITER:
        return xs_cli_delimiter(cmd, value, field);
    case XS_OPT_ENUM:
        if (o->parse(value, field) >= 0) return 0;
        return xs_cli_usage_error(cmd, "%s: expected %s, got %s", flag, o->expect,
                                  xs_cli_q(value));
    case XS_OPT_CALL:
        return o->call(cmd, o, value, opts);
    }
    return XS_EXIT_USAGE;
}

/* The store check of XS_CLI_DB / XS_CLI_DB_OR_MODEL. Returns -1 or the exit code. */
static int check_db(const xs_cli_spec *spec, const xs_cli_args *a)
{
    unsigned need = spec->flags & (XS_CLI_DB | XS_CLI_DB_OR_MODEL);
    if (need && !a->db && !(need == XS_CLI_DB_OR_MODEL && a->model))
        return xs_cli_usage_error(spec->name, "--db FILE is required");
    if ((need || spec->flags & XS_CLI_DB_OPTIONAL) && a->db && !xs_store_exists(a->db))
        return xs_cli_no_store(spec->name, a->db);
    return -1;
}

int xs_cli_parse(const xs_cli_spec *spec, int argc, char **argv, xs_cli_args *a,
                 void *opts)
{
    xs_opt tab[MAX_OPTS];
    struct option lo[MAX_OPTS + 1];
    char shorts[2 + 2 * MAX_OPTS] = ":";
    size_t n = table(spec, tab), ns = 1;
    for (size_t i = 0; i < n; i++) {
        int has = tab[i].kind != XS_OPT_FLAG;
        lo[i] = (struct option){tab[i].name, has ? required_argument : no_argument, NULL,
                                tab[i].letter ? tab[i].letter : 256 + (int)i};
        if (tab[i].letter) {
            shorts[ns++] = tab[i].letter;
            if (has) shorts[ns++] = ':';
        }
    }
    lo[n] = (struct option){0};
    shorts[ns] = '\0';
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
        const xs_opt *o = NULL;
        for (size_t i = 0; i < n && !o; i++)
            if (c == (tab[i].letter ? tab[i].letter : 256 + (int)i)) o = &tab[i];
        if (!o) return xs_cli_bad_option(spec->name, c, argv);
        if (o == &tab[n - 1]) {
            xs_cli_help(spec, stdout);
            return fflush(stdout) ? XS_EXIT_FAIL : XS_EXIT_OK;
        }
        void *field = (char *)(o->common ? (void *)a : opts) + o->off;
        int e = set(spec->name, o, optarg, field, opts);
        if (e) return e;
    }
    a->argc = argc - optind;
    a->argv = argv + optind;
    if (spec->max_operands >= 0 && a->argc > spec->max_operands)
        return xs_cli_usage_error(spec->name, "unexpected argument %s",
                                  xs_cli_q(a->argv[spec->max_operands]));
    int rc;
    if (spec->check && (rc = spec->check(spec->name, a, opts)) >= 0) return rc;
    return check_db(spec, a);
}

int xs_cli_no_store(const char *cmd, const char *db)
{
    fprintf(stderr, "xsell %s: %s: no such store\n", cmd, db);
    return XS_EXIT_USAGE;
}

/* "A, B or C" of names into buf. */
static const char *alternatives(const char *const *names, char *buf, size_t n)
{
    size_t k = 0, o = 0;
    while (names[k])
        k++;
    buf[0] = '\0';
    for (size_t i = 0; i < k && o < n; i++)
        o += (size_t)snprintf(buf + o, n - o, "%s%s",
                              i == 0       ? ""
                              : i + 1 == k ? " or "
                                           : ", ",
                              names[i]);
    return buf;
}

int xs_cli_action(const xs_cli_spec *spec, int argc, char **argv,
                  const char *const *names, int *which)
{
    char alt[256];
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        xs_cli_help(spec, stdout);
        return fflush(stdout) ? XS_EXIT_FAIL : XS_EXIT_OK;
    }
    if (argc < 2 || argv[1][0] == '-')
        return xs_cli_usage_error(spec->name, "expected an action: %s",
                                  alternatives(names, alt, sizeof alt));
    for (int i = 0; names[i]; i++)
        if (!strcmp(argv[1], names[i])) {
            *which = i;
            return -1;
        }
    return xs_cli_usage_error(spec->name, "unknown action %s (expected %s)",
                              xs_cli_q(argv[1]), alternatives(names, alt, sizeof alt));
}
