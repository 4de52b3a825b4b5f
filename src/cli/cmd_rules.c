/*
 * cmd_rules.c — `xsell rules`: association rules lhs => rhs of a basket file.
 *
 * Mines the frequent itemsets, forms every rule with a single-item
 * consequent (any consequent with --multi-rhs), keeps those passing every
 * threshold and prints them with
 * support, confidence, coverage, lift, leverage, conviction and count.
 * Conviction is infinite when confidence is 1: printed "inf" in table and
 * CSV, null in JSON. --max-rules N keeps only the best N by --sort-by with a
 * bounded heap, so memory stays O(N) however many rules exist.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *CMD = "rules";

static void usage(FILE *out)
{
    fprintf(out,
            "usage: xsell rules (--input FILE | --db FILE) [OPTIONS]\n"
            "\n"
            "Mines association rules lhs => rhs (one item on the right by default,\n"
            "never an empty lhs).\n"
            "\n"
            "Input:\n"
            "  --input FILE          basket file ('-' for standard input)\n"
            "  --input-format F      fimi (default) or basket (names separated by commas)\n"
            "  --db FILE             read baskets from a store instead\n"
            "  --source S            with --db: orders (a basket per order, the default)\n"
            "                        or adoption (a basket per customer: all it holds)\n"
            "Itemsets:\n"
            "  --min-support S       itemset lhs+rhs frequent iff count / N >= S (default 0.1)\n"
            "  --min-count C         ... iff count >= C (overrides --min-support)\n"
            "  --max-len L           at most L items in lhs and rhs together\n"
            "Rules:\n"
            "  --min-confidence X    default 0.8\n"
            "  --min-lift X, --min-leverage X, --min-conviction X, --min-coverage X\n"
            "  --rhs ITEM[,ITEM]     only rules with one of these items as consequent\n"
            "  --multi-rhs           consequents of several items too (with --rhs: all\n"
            "                        of them among the --rhs items)\n"
            "  --no-redundant        drop a rule when a rule with the same rhs and an lhs\n"
            "                        that is a proper subset has at least its confidence\n"
            "  --max-rules N         keep the best N (by --sort-by) in O(N) memory\n"
            "  --sort-by K           confidence (default), lift, support, leverage,\n"
            "                        conviction or coverage; always descending\n"
            "Output:\n"
            "  --count-only          print only the number of rules\n"
            "  --format F            table (default), csv or json\n"
            "  --help                this text\n"
            "\n"
            "Sorted by the --sort-by measure, then count (descending), then shorter lhs,\n"
            "lhs names, rhs names. Conviction is \"inf\" (table, CSV) or null (JSON)\n"
            "when confidence is 1.\n"
            "Exit status: 0 ok, 1 failure, 2 bad usage or bad input.\n");
}

/* "{a,b}" of a list of item ids; caller frees. */
static char *set_text(const xs_baskets *b, const uint32_t *items, size_t n)
{
    size_t need = 3;
    for (size_t i = 0; i < n; i++) need += strlen(xs_baskets_item_name(b, items[i])) + 1;
    char *buf = malloc(need), *p = buf;
    if (!buf) return NULL;
    *p++ = '{';
    for (size_t i = 0; i < n; i++) {
        const char *s = xs_baskets_item_name(b, items[i]);
        size_t l = strlen(s);
        if (i) *p++ = ',';
        memcpy(p, s, l);
        p += l;
    }
    *p++ = '}';
    *p = '\0';
    return buf;
}

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

static void fmt_num(char *buf, size_t n, double v)
{
    if (isinf(v)) snprintf(buf, n, "inf");
    else snprintf(buf, n, "%.6g", v);
}

static int write_rules(const xs_rules *r, const xs_baskets *b, xs_format fmt, FILE *out)
{
    static const char *cols[] = {"lhs",  "rhs",      "support",  "confidence", "coverage",
                                 "lift", "leverage", "conviction", "count"};
    xs_table *t = NULL;
    int rc = XS_OK;
    if (fmt == XS_FORMAT_TABLE) {
        t = xs_table_new();
        if (!t) return XS_ENOMEM;
        for (int c = 0; c < 9; c++)
            if (xs_table_column(t, cols[c], c < 2 ? XS_COL_TEXT : XS_COL_NUM) < 0) {
                xs_table_free(t);
                return XS_ENOMEM;
            }
    } else if (fmt == XS_FORMAT_CSV) {
        fputs("lhs,rhs,support,confidence,coverage,lift,leverage,conviction,count\n", out);
    }
    size_t n = xs_rules_n(r);
    for (size_t i = 0; i < n && rc == XS_OK; i++) {
        xs_rule x;
        xs_rules_get(r, i, &x);
        char v[6][40];
        double m[6] = {x.support, x.confidence, x.coverage, x.lift, x.leverage, x.conviction};
        for (int k = 0; k < 6; k++) fmt_num(v[k], sizeof v[k], m[k]);
        if (fmt == XS_FORMAT_JSON) {
            fputs(i ? ",\n {\"lhs\": [" : "[\n {\"lhs\": [", out);
            for (size_t k = 0; k < x.n_lhs; k++) {
                if (k) fputs(", ", out);
                xs_cli_json_str(out, xs_baskets_item_name(b, x.lhs[k]));
            }
            fputs("], \"rhs\": [", out);
            for (size_t k = 0; k < x.n_rhs; k++) {
                if (k) fputs(", ", out);
                xs_cli_json_str(out, xs_baskets_item_name(b, x.rhs[k]));
            }
            fprintf(out,
                    "], \"support\": %s, \"confidence\": %s, \"coverage\": %s, \"lift\": %s, "
                    "\"leverage\": %s, \"conviction\": %s, \"count\": %llu}",
                    v[0], v[1], v[2], v[3], v[4], isinf(x.conviction) ? "null" : v[5],
                    (unsigned long long)x.count);
            continue;
        }
        char *lhs = set_text(b, x.lhs, x.n_lhs);
        char *rset = set_text(b, x.rhs, x.n_rhs);
        if (!lhs || !rset) rc = XS_ENOMEM;
        else if (fmt == XS_FORMAT_CSV) {
            xs_cli_csv_str(out, lhs);
            fputc(',', out);
            xs_cli_csv_str(out, rset);
            fprintf(out, ",%s,%s,%s,%s,%s,%s,%llu\n", v[0], v[1], v[2], v[3], v[4], v[5],
                    (unsigned long long)x.count);
        } else {
            if (xs_table_row(t) < 0 || xs_table_cell(t, lhs) < 0 || xs_table_cell(t, rset) < 0)
                rc = XS_ENOMEM;
            for (int k = 0; k < 6 && rc == XS_OK; k++)
                if (xs_table_cell(t, v[k]) < 0) rc = XS_ENOMEM;
            if (rc == XS_OK && xs_table_cellf(t, "%llu", (unsigned long long)x.count) < 0)
                rc = XS_ENOMEM;
        }
        free(lhs);
        free(rset);
    }
    if (fmt == XS_FORMAT_JSON) fputs(n ? "\n]\n" : "[]\n", out);
    if (t && rc == XS_OK) rc = xs_table_write(t, out, XS_FORMAT_TABLE);
    xs_table_free(t);
    return rc;
}

int xs_cmd_rules(int argc, char **argv)
{
    enum { O_INPUT = 256, O_IFMT, O_DB, O_SOURCE, O_MINSUP, O_MINCNT, O_MAXLEN, O_MINCONF, O_MINLIFT,
           O_MINLEV, O_MINCONV, O_MINCOV, O_RHS, O_NOREDUNDANT, O_MAXRULES, O_SORTBY,
           O_COUNT, O_FORMAT, O_HELP, O_MULTI };
    static const struct option opts[] = {
        {"input", required_argument, NULL, O_INPUT},
        {"input-format", required_argument, NULL, O_IFMT},
        {"db", required_argument, NULL, O_DB},
        {"source", required_argument, NULL, O_SOURCE},
        {"min-support", required_argument, NULL, O_MINSUP},
        {"min-count", required_argument, NULL, O_MINCNT},
        {"max-len", required_argument, NULL, O_MAXLEN},
        {"min-confidence", required_argument, NULL, O_MINCONF},
        {"min-lift", required_argument, NULL, O_MINLIFT},
        {"min-leverage", required_argument, NULL, O_MINLEV},
        {"min-conviction", required_argument, NULL, O_MINCONV},
        {"min-coverage", required_argument, NULL, O_MINCOV},
        {"rhs", required_argument, NULL, O_RHS},
        {"no-redundant", no_argument, NULL, O_NOREDUNDANT},
        {"max-rules", required_argument, NULL, O_MAXRULES},
        {"sort-by", required_argument, NULL, O_SORTBY},
        {"count-only", no_argument, NULL, O_COUNT},
        {"multi-rhs", no_argument, NULL, O_MULTI},
        {"format", required_argument, NULL, O_FORMAT},
        {"help", no_argument, NULL, O_HELP},
        {NULL, 0, NULL, 0}};
    const char *input = NULL, *rhs_arg = NULL;
    xs_baskets_format ifmt = XS_BASKETS_FIMI;
    const char *db = NULL;
    xs_mine_source source = XS_SOURCE_ORDERS;
    xs_rule_opts ro;
    xs_rule_opts_init(&ro);
    xs_format fmt = XS_FORMAT_TABLE;
    int rc;
    long v;
    double d;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (c) {
        case O_INPUT: input = optarg; break;
        case O_DB: db = optarg; break;
        case O_SOURCE:
            if (xs_mine_source_parse(optarg, &source) < 0)
                return xs_cli_usage_error(
                    CMD, "--source: expected orders or adoption, got \"%s\"", optarg);
            break;
        case O_IFMT:
            if (xs_baskets_format_parse(optarg, &ifmt) < 0)
                return xs_cli_usage_error(
                    CMD, "--input-format: expected fimi or basket, got \"%s\"", optarg);
            break;
        case O_MINSUP:
            if ((rc = xs_cli_double(CMD, "--min-support", optarg, 0, 1, &d))) return rc;
            ro.mine.min_support = d;
            break;
        case O_MINCNT:
            if ((rc = xs_cli_long(CMD, "--min-count", optarg, 1, 4294967295L, &v))) return rc;
            ro.mine.min_count = (uint64_t)v;
            break;
        case O_MAXLEN:
            if ((rc = xs_cli_long(CMD, "--max-len", optarg, 2, 1000000, &v))) return rc;
            ro.mine.max_len = (size_t)v;
            break;
        case O_MINCONF:
            if ((rc = xs_cli_double(CMD, "--min-confidence", optarg, 0, 1, &d))) return rc;
            ro.min_confidence = d;
            break;
        case O_MINLIFT:
            if ((rc = xs_cli_double(CMD, "--min-lift", optarg, 0, 1e300, &d))) return rc;
            ro.min_lift = d;
            break;
        case O_MINLEV:
            if ((rc = xs_cli_double(CMD, "--min-leverage", optarg, -1, 1, &d))) return rc;
            ro.min_leverage = d;
            break;
        case O_MINCONV:
            if ((rc = xs_cli_double(CMD, "--min-conviction", optarg, 0, 1e300, &d))) return rc;
            ro.min_conviction = d;
            break;
        case O_MINCOV:
            if ((rc = xs_cli_double(CMD, "--min-coverage", optarg, 0, 1, &d))) return rc;
            ro.min_coverage = d;
            break;
        case O_RHS: rhs_arg = optarg; break;
        case O_NOREDUNDANT: ro.no_redundant = 1; break;
        case O_MAXRULES:
            if ((rc = xs_cli_long(CMD, "--max-rules", optarg, 1, 1000000000L, &v))) return rc;
            ro.max_rules = (size_t)v;
            break;
        case O_SORTBY:
            if (xs_rule_key_parse(optarg, &ro.sort_by) < 0)
                return xs_cli_usage_error(CMD,
                                          "--sort-by: expected confidence, lift, support, "
                                          "leverage, conviction or coverage, got \"%s\"",
                                          optarg);
            break;
        case O_COUNT: ro.count_only = 1; break;
        case O_MULTI: ro.multi_rhs = 1; break;
        case O_FORMAT:
            if ((rc = xs_cli_format(CMD, optarg, &fmt))) return rc;
            break;
        case O_HELP: usage(stdout); return XS_EXIT_OK;
        default: return xs_cli_bad_option(CMD, c, argv);
        }
    }
    if (optind < argc) return xs_cli_usage_error(CMD, "unexpected argument \"%s\"", argv[optind]);
    if (!input == !db)
        return xs_cli_usage_error(CMD, "give one of --input FILE or --db FILE");

    xs_error err = {0};
    xs_baskets *b = NULL;
    uint32_t *rhs = NULL;
    xs_rules *r = NULL;
    int exit_code = XS_EXIT_OK;
    if ((exit_code = xs_cli_load_baskets(CMD, input, ifmt, db, source, &b))) return exit_code;
    if (rhs_arg) {
        if ((exit_code = parse_rhs(b, rhs_arg, &rhs, &ro.n_rhs))) goto cleanup;
        ro.rhs = rhs;
    }
    if ((rc = xs_rules_mine(&r, b, &ro, &err)) < 0) {
        exit_code = xs_cli_fail(CMD, &err);
        goto cleanup;
    }
    if (ro.count_only) {
        printf("%llu\n", (unsigned long long)xs_rules_total(r));
    } else if (write_rules(r, b, fmt, stdout) < 0) {
        fprintf(stderr, "xsell %s: out of memory\n", CMD);
        exit_code = XS_EXIT_FAIL;
        goto cleanup;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "xsell %s: cannot write the output\n", CMD);
        exit_code = XS_EXIT_FAIL;
    }
cleanup:
    xs_rules_free(r);
    free(rhs);
    xs_baskets_free(b);
    return exit_code;
}
