/*
 * cmd_itemsets.c — `xsell itemsets`: frequent itemsets of a basket file.
 *
 * Reads baskets (FIMI or basket CSV), mines all / closed / maximal frequent
 * itemsets and prints them sorted by size, then count descending, then item
 * names (natural order: numbers numerically), items within a set in the same
 * name order. --count-only prints the number (all itemsets: nothing stored;
 * closed / maximal: the itemset tree, unless --stream); --stream prints in
 * mining order as the miner finds them (nothing stored), for results too
 * large to sort in memory.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *CMD = "itemsets";

static void usage(FILE *out)
{
    fprintf(out,
            "usage: xsell itemsets (--input FILE | --db FILE) [OPTIONS]\n"
            "\n"
            "Mines the frequent itemsets of a basket file (exact).\n"
            "\n"
            "Input:\n"
            "  --input FILE          basket file ('-' for standard input)\n"
            "  --input-format F      fimi (item numbers separated by blanks, the\n"
            "                        default) or basket (names separated by commas)\n"
            "  --db FILE             read baskets from a store instead\n"
            "  --source S            with --db: orders (a basket per order, the default)\n"
            "                        or adoption (a basket per customer: all it holds)\n"
            "Thresholds:\n"
            "  --min-support S       frequent iff count / N >= S (default 0.1)\n"
            "  --min-count C         frequent iff count >= C (overrides --min-support)\n"
            "  --max-len L           itemsets of at most L items\n"
            "  --target T            all (default), closed or maximal\n"
            "  --closed, --maximal   same as --target closed / maximal\n"
            "Output:\n"
            "  --count-only          print only the number of itemsets\n"
            "  --stream              print in mining order without storing (huge results);\n"
            "                        with --count-only, closed / maximal counts store nothing\n"
            "  --format F            table (default), csv or json\n"
            "  --help                this text\n"
            "\n"
            "Sorted by size, then count (descending), then item names; columns\n"
            "items, size, count, support (count / N). N counts empty baskets.\n"
            "Exit status: 0 ok, 1 failure, 2 bad usage or bad input.\n");
}

/* ---------------------------------------------------------------------- */
/* Writers                                                                */
/* ---------------------------------------------------------------------- */

/* "{a,b,c}" into a growing buffer; returns it (NULL when out of memory). */
static char *set_text(const xs_baskets *b, const uint32_t *items, size_t n, char **buf,
                      size_t *cap)
{
    size_t need = 3;
    for (size_t i = 0; i < n; i++) need += strlen(xs_baskets_item_name(b, items[i])) + 1;
    if (need > *cap) {
        char *nb = realloc(*buf, need);
        if (!nb) return NULL;
        *buf = nb;
        *cap = need;
    }
    char *p = *buf;
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
    return *buf;
}

typedef struct writer {
    FILE *out;
    xs_format fmt;
    const xs_baskets *b;
    double n_tx;
    size_t rows;
    xs_table *table;
    char *buf;
    size_t cap;
} writer;

static int writer_row(void *ctx, const uint32_t *items, size_t n, uint64_t count)
{
    writer *w = ctx;
    double support = w->n_tx > 0 ? (double)count / w->n_tx : 0;
    if (w->fmt == XS_FORMAT_JSON) {
        fputs(w->rows ? ",\n {\"items\": [" : "[\n {\"items\": [", w->out);
        for (size_t i = 0; i < n; i++) {
            if (i) fputs(", ", w->out);
            xs_cli_json_str(w->out, xs_baskets_item_name(w->b, items[i]));
        }
        fprintf(w->out, "], \"size\": %zu, \"count\": %llu, \"support\": %.6g}", n,
                (unsigned long long)count, support);
    } else {
        if (!set_text(w->b, items, n, &w->buf, &w->cap)) return XS_ENOMEM;
        if (w->fmt == XS_FORMAT_CSV) {
            xs_cli_csv_str(w->out, w->buf);
            fprintf(w->out, ",%zu,%llu,%.6g\n", n, (unsigned long long)count, support);
        } else if (xs_table_row(w->table) < 0 || xs_table_cell(w->table, w->buf) < 0 ||
                   xs_table_cellf(w->table, "%zu", n) < 0 ||
                   xs_table_cellf(w->table, "%llu", (unsigned long long)count) < 0 ||
                   xs_table_cellf(w->table, "%.6g", support) < 0) {
            return XS_ENOMEM;
        }
    }
    w->rows++;
    return XS_OK;
}

static int writer_start(writer *w)
{
    if (w->fmt == XS_FORMAT_CSV) fputs("items,size,count,support\n", w->out);
    if (w->fmt != XS_FORMAT_TABLE) return XS_OK;
    w->table = xs_table_new();
    if (!w->table || xs_table_column(w->table, "items", XS_COL_TEXT) < 0 ||
        xs_table_column(w->table, "size", XS_COL_NUM) < 0 ||
        xs_table_column(w->table, "count", XS_COL_NUM) < 0 ||
        xs_table_column(w->table, "support", XS_COL_NUM) < 0)
        return XS_ENOMEM;
    return XS_OK;
}

static int writer_end(writer *w)
{
    if (w->fmt == XS_FORMAT_JSON) fputs(w->rows ? "\n]\n" : "[]\n", w->out);
    if (w->fmt == XS_FORMAT_TABLE) return xs_table_write(w->table, w->out, XS_FORMAT_TABLE);
    return XS_OK;
}

/* Counts rows (--count-only --stream: nothing stored at all). */
static int count_row(void *ctx, const uint32_t *items, size_t n, uint64_t count)
{
    (void)items;
    (void)n;
    (void)count;
    ++*(uint64_t *)ctx;
    return XS_OK;
}

/* ---------------------------------------------------------------------- */
/* Command                                                                */
/* ---------------------------------------------------------------------- */

int xs_cmd_itemsets(int argc, char **argv)
{
    enum { O_INPUT = 256, O_IFMT, O_DB, O_SOURCE, O_MINSUP, O_MINCNT, O_MAXLEN, O_TARGET, O_CLOSED,
           O_MAXIMAL, O_COUNT, O_STREAM, O_FORMAT, O_HELP };
    static const struct option opts[] = {
        {"input", required_argument, NULL, O_INPUT},
        {"input-format", required_argument, NULL, O_IFMT},
        {"db", required_argument, NULL, O_DB},
        {"source", required_argument, NULL, O_SOURCE},
        {"min-support", required_argument, NULL, O_MINSUP},
        {"min-count", required_argument, NULL, O_MINCNT},
        {"max-len", required_argument, NULL, O_MAXLEN},
        {"target", required_argument, NULL, O_TARGET},
        {"closed", no_argument, NULL, O_CLOSED},
        {"maximal", no_argument, NULL, O_MAXIMAL},
        {"count-only", no_argument, NULL, O_COUNT},
        {"stream", no_argument, NULL, O_STREAM},
        {"format", required_argument, NULL, O_FORMAT},
        {"help", no_argument, NULL, O_HELP},
        {NULL, 0, NULL, 0}};
    const char *input = NULL;
    xs_baskets_format ifmt = XS_BASKETS_FIMI;
    const char *db = NULL;
    xs_mine_source source = XS_SOURCE_ORDERS;
    xs_mine_opts mo = {0.1, 0, 0, XS_ITEMSETS_ALL};
    int count_only = 0, stream = 0, rc;
    xs_format fmt = XS_FORMAT_TABLE;
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
                return xs_cli_usage_error(CMD, "--input-format: expected fimi or basket, got \"%s\"",
                                          optarg);
            break;
        case O_MINSUP:
            if ((rc = xs_cli_double(CMD, "--min-support", optarg, 0, 1, &d))) return rc;
            mo.min_support = d;
            break;
        case O_MINCNT:
            if ((rc = xs_cli_long(CMD, "--min-count", optarg, 1, 4294967295L, &v))) return rc;
            mo.min_count = (uint64_t)v;
            break;
        case O_MAXLEN:
            if ((rc = xs_cli_long(CMD, "--max-len", optarg, 1, 1000000, &v))) return rc;
            mo.max_len = (size_t)v;
            break;
        case O_TARGET:
            if (!strcmp(optarg, "all")) mo.target = XS_ITEMSETS_ALL;
            else if (!strcmp(optarg, "closed")) mo.target = XS_ITEMSETS_CLOSED;
            else if (!strcmp(optarg, "maximal")) mo.target = XS_ITEMSETS_MAXIMAL;
            else
                return xs_cli_usage_error(
                    CMD, "--target: expected all, closed or maximal, got \"%s\"", optarg);
            break;
        case O_CLOSED: mo.target = XS_ITEMSETS_CLOSED; break;
        case O_MAXIMAL: mo.target = XS_ITEMSETS_MAXIMAL; break;
        case O_COUNT: count_only = 1; break;
        case O_STREAM: stream = 1; break;
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
    if ((rc = xs_cli_load_baskets(CMD, input, ifmt, db, source, &b))) return rc;
    int exit_code = XS_EXIT_OK;
    if (count_only) {
        uint64_t n = 0;
        if (stream) rc = xs_itemsets_each(b, &mo, count_row, &n, &err);
        else rc = xs_itemsets_count(b, &mo, &n, &err);
        if (rc < 0) exit_code = xs_cli_fail(CMD, &err);
        else printf("%llu\n", (unsigned long long)n);
        xs_baskets_free(b);
        return exit_code;
    }
    writer w = {stdout, fmt, b, (double)xs_baskets_n_tx(b), 0, NULL, NULL, 0};
    if (writer_start(&w) < 0) {
        err.code = XS_ENOMEM;
        exit_code = xs_cli_fail(CMD, &err);
        goto cleanup;
    }
    if (stream) {
        rc = xs_itemsets_each(b, &mo, writer_row, &w, &err);
    } else {
        xs_itemsets *s = NULL;
        rc = xs_itemsets_mine(&s, b, &mo, &err);
        for (size_t i = 0; rc == XS_OK && i < xs_itemsets_n(s); i++) {
            const uint32_t *it;
            uint64_t cnt;
            size_t n = xs_itemsets_get(s, i, &it, &cnt);
            rc = writer_row(&w, it, n, cnt);
        }
        xs_itemsets_free(s);
    }
    if (rc < 0) {
        if (err.code == XS_OK) err.code = rc;
        exit_code = xs_cli_fail(CMD, &err);
        goto cleanup;
    }
    writer_end(&w);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "xsell %s: cannot write the output\n", CMD);
        exit_code = XS_EXIT_FAIL;
    }
cleanup:
    xs_table_free(w.table);
    free(w.buf);
    xs_baskets_free(b);
    return exit_code;
}
