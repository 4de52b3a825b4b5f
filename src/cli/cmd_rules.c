/*
 * cmd_rules.c — `xsell rules`: association rules lhs => rhs of a basket file.
 *
 * Mines the frequent itemsets, forms every rule with a single-item
 * consequent (any consequent with --multi-rhs), keeps those passing every
 * threshold and prints them with
 * support, confidence, coverage, lift, leverage, conviction and count.
 * Conviction is infinite when confidence is 1: printed "inf" in table and
 * CSV, null in JSON. --max-rules N keeps only the best N by --sort-by with a
 * bounded heap, so memory stays O(N) however many rules exist. The rules
 * are written by xs_rules_write (src/mine/mine_write.c).
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *CMD = "rules";

struct rules_opts {
    const char *input, *rhs;
    xs_baskets_format ifmt;
    xs_mine_source source;
    xs_rule_opts ro;
    long min_count, max_len, max_rules;
};

static int set_source(const char *v, void *f)
{
    return xs_mine_source_parse(v, f);
}
static int set_ifmt(const char *v, void *f)
{
    return xs_baskets_format_parse(v, f);
}
static int set_key(const char *v, void *f)
{
    return xs_rule_key_parse(v, f);
}

#define OFF(f) offsetof(struct rules_opts, f)
#define MIN(name, field, min, max, text)                                                 \
    {                                                                                    \
        name, 0, "X", XS_OPT_DOUBLE, .off = OFF(field), .lo = min, .hi = max,            \
                                     .help = text                                        \
    }
static const xs_opt opts[] = {
    {"input", 0, "FILE", XS_OPT_STR, .off = OFF(input),
     .help = "basket file ('-' for standard input)"},
    {"input-format", 0, "F", XS_OPT_ENUM, .off = OFF(ifmt), .parse = set_ifmt,
     .expect = "fimi or basket",
     .help = "fimi (default) or basket (names separated by commas)"},
    {.ref = &xs_cli_opt_db, .help = "read baskets from a store instead"},
    {"source", 0, "S", XS_OPT_ENUM, .off = OFF(source), .parse = set_source,
     .expect = "orders or adoption",
     .help = "with --db: orders (a basket per order, the default)\n"
             "or adoption (a basket per customer: all it holds)"},
    {"min-support", 0, "S", XS_OPT_DOUBLE, .off = OFF(ro.mine.min_support), .lo = 0,
     .hi = 1, .help = "itemset lhs+rhs frequent iff count / N >= S (default 0.1)"},
    {"min-count", 0, "C", XS_OPT_LONG, .off = OFF(min_count), .lo = 1, .hi = 4294967295.0,
     .help = "... iff count >= C (overrides --min-support)"},
    {"max-len", 0, "L", XS_OPT_LONG, .off = OFF(max_len), .lo = 2, .hi = 1000000,
     .help = "at most L items in lhs and rhs together"},
    MIN("min-confidence", ro.min_confidence, 0, 1, "default 0.8"),
    MIN("min-lift", ro.min_lift, 0, 1e300, "rules with at least this lift"),
    MIN("min-leverage", ro.min_leverage, -1, 1, "... leverage"),
    MIN("min-conviction", ro.min_conviction, 0, 1e300, "... conviction"),
    MIN("min-coverage", ro.min_coverage, 0, 1, "... coverage"),
    {"rhs", 0, "ITEM[,ITEM]", XS_OPT_STR, .off = OFF(rhs),
     .help = "only rules with one of these items as consequent"},
    {"multi-rhs", 0, NULL, XS_OPT_FLAG, .off = OFF(ro.multi_rhs),
     .help = "consequents of several items too (with --rhs: all\nof them among the --rhs "
             "items)"},
    {"no-redundant", 0, NULL, XS_OPT_FLAG, .off = OFF(ro.no_redundant),
     .help = "drop a rule when a rule with the same rhs and an lhs\n"
             "that is a proper subset has at least its confidence"},
    {"max-rules", 0, "N", XS_OPT_LONG, .off = OFF(max_rules), .lo = 1, .hi = 1000000000L,
     .help = "keep the best N (by --sort-by) in O(N) memory"},
    {"sort-by", 0, "K", XS_OPT_ENUM, .off = OFF(ro.sort_by), .parse = set_key,
     .expect = "confidence, lift, support, leverage, conviction or coverage",
     .help = "confidence (default), lift, support, leverage,\n"
             "conviction or coverage; always descending"},
    {"count-only", 0, NULL, XS_OPT_FLAG, .off = OFF(ro.count_only),
     .help = "print only the number of rules"},
    {.ref = &xs_cli_opt_format},
    {0},
};

static const xs_cli_spec spec = {
    "rules",
    "xsell rules (--input FILE | --db FILE) [OPTIONS]",
    .about = "Mines association rules lhs => rhs (one item on the right by default,\n"
             "never an empty lhs).",
    .opts = opts,
    .notes =
        "Sorted by the --sort-by measure, then count (descending), then shorter lhs,\n"
        "lhs names, rhs names. Conviction is \"inf\" (table, CSV) or null (JSON)\n"
        "when confidence is 1.\n",
};

/* Parses "a,b,c" into item ids; prints the error and returns 2 on failure. */
static int parse_rhs(const xs_baskets *b, const char *arg, uint32_t **out, size_t *n)
{
    size_t cap = 1;
    for (const char *p = arg; *p; p++)
        if (*p == ',') cap++;
    uint32_t *ids = malloc(cap * sizeof *ids);
    char *copy = malloc(strlen(arg) + 1);
    if (!ids || !copy) {
        free(ids);
        free(copy);
        fprintf(stderr, "xsell %s: out of memory\n", CMD);
        return XS_EXIT_FAIL;
    }
    strcpy(copy, arg);
    size_t k = 0;
    char *s = copy;
    for (;;) {
        char *comma = strchr(s, ',');
        if (comma) *comma = '\0';
        if (*s) {
            uint32_t id;
            if (xs_baskets_find_item(b, s, &id) < 0) {
                fprintf(stderr, "xsell %s: --rhs: unknown item \"%s\"\n", CMD, s);
                free(ids);
                free(copy);
                return XS_EXIT_USAGE;
            }
            ids[k++] = id;
        }
        if (!comma) break;
        s = comma + 1;
    }
    free(copy);
    if (!k) {
        free(ids);
        return xs_cli_usage_error(CMD, "--rhs: no item given");
    }
    *out = ids;
    *n = k;
    return 0;
}

int xs_cmd_rules(int argc, char **argv)
{
    xs_cli_args a = {0};
    struct rules_opts o = {.ifmt = XS_BASKETS_FIMI, .source = XS_SOURCE_ORDERS};
    xs_rule_opts_init(&o.ro);
    int rc = xs_cli_parse(&spec, argc, argv, &a, &o);
    if (rc >= 0) return rc;
    if (!o.input == !a.db)
        return xs_cli_usage_error(CMD, "give one of --input FILE or --db FILE");
    if (o.min_count) o.ro.mine.min_count = (uint64_t)o.min_count;
    if (o.max_len) o.ro.mine.max_len = (size_t)o.max_len;
    if (o.max_rules) o.ro.max_rules = (size_t)o.max_rules;
    xs_error err = {0};
    xs_baskets *b = NULL;
    uint32_t *rhs = NULL;
    xs_rules *r = NULL;
    int exit_code;
    if ((exit_code = xs_cli_load_baskets(CMD, o.input, o.ifmt, a.db, o.source, &b)))
        return exit_code;
    if (o.rhs) {
        if ((exit_code = parse_rhs(b, o.rhs, &rhs, &o.ro.n_rhs))) goto cleanup;
        o.ro.rhs = rhs;
    }
    if (xs_rules_mine(&r, b, &o.ro, &err) < 0) {
        exit_code = xs_cli_fail(CMD, &err);
        goto cleanup;
    }
    if (o.ro.count_only)
        printf("%llu\n", (unsigned long long)xs_rules_total(r));
    else if ((rc = xs_rules_write(r, b, stdout, a.format)) == XS_ENOMEM) {
        exit_code = xs_cli_nomem(CMD);
        goto cleanup;
    }
    exit_code = xs_cli_flush(CMD);
cleanup:
    xs_rules_free(r);
    free(rhs);
    xs_baskets_free(b);
    return exit_code;
}
