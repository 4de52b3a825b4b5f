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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *CMD = "itemsets";

struct itemsets_opts {
    xs_cli_basket_src in;
    xs_mine_opts mo;
    long min_count;
    int closed, maximal, count_only, stream;
};

static int parse_target(const char *v, void *out)
{
    static const char *const names[] = {"all", "closed", "maximal"};
    static const xs_itemset_target targets[] = {XS_ITEMSETS_ALL, XS_ITEMSETS_CLOSED,
                                                 XS_ITEMSETS_MAXIMAL};
    for (size_t i = 0; i < 3; i++)
        if (!strcmp(v, names[i])) {
            *(xs_itemset_target *)out = targets[i];
            return 0;
        }
    return -1;
}

static int check(const char *cmd, const xs_cli_args *a, const void *v)
{
    if (!((const struct itemsets_opts *)v)->in.input == !a->db)
        return xs_cli_usage_error(cmd, "give one of --input FILE or --db FILE");
    return -1;
}

#define I(field) .off = offsetof(struct itemsets_opts, field)
static const xs_opt opts[] = {
    XS_CLI_BASKET_OPTS(offsetof(struct itemsets_opts, in)),
    {.ref = &xs_cli_opt_db, .help = "read baskets from a store instead"},
    {"min-support", 0, "S", XS_OPT_DOUBLE, I(mo.min_support), .lo = 0, .hi = 1,
     .help = "frequent iff count / N >= S (default 0.1)"},
    {"min-count", 0, "C", XS_OPT_LONG, I(min_count), .lo = 1, .hi = 4294967295.0,
     .help = "frequent iff count >= C (overrides --min-support)"},
    {"max-len", 0, "L", XS_OPT_SIZE, I(mo.max_len), .lo = 1, .hi = 1000000,
     .help = "itemsets of at most L items"},
    {"target", 0, "T", XS_OPT_ENUM, I(mo.target), .parse = parse_target,
     .expect = "all, closed or maximal", .help = "all (default), closed or maximal"},
    {"closed", 0, NULL, XS_OPT_FLAG, I(closed), .help = "same as --target closed"},
    {"maximal", 0, NULL, XS_OPT_FLAG, I(maximal), .help = "same as --target maximal"},
    {"count-only", 0, NULL, XS_OPT_FLAG, I(count_only),
     .help = "print only the number of itemsets"},
    {"stream", 0, NULL, XS_OPT_FLAG, I(stream),
     .help = "print in mining order without storing (huge results);\n"
             "with --count-only, closed / maximal counts store nothing"},
    {.ref = &xs_cli_opt_format},
    {0},
};

static const xs_cli_spec spec = {
    "itemsets",
    "xsell itemsets (--input FILE | --db FILE) [OPTIONS]",
    .about = "Mines the frequent itemsets of a basket file (exact).",
    .opts = opts,
    .notes = "Sorted by size, then count (descending), then item names; columns\n"
             "items, size, count, support (count / N). N counts empty baskets.",
    .flags = XS_CLI_DB_OPTIONAL,
    .check = check,
};

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
    struct itemsets_opts io = {.in = {NULL, XS_BASKETS_FIMI, XS_SOURCE_ORDERS},
                               .mo = {0.1, 0, 0, XS_ITEMSETS_ALL}};
    xs_cli_args a = {0};
    int rc = xs_cli_parse(&spec, argc, argv, &a, &io);
    if (rc >= 0) return rc;
    xs_mine_opts mo = io.mo;
    mo.min_count = (uint64_t)io.min_count;
    if (io.closed) mo.target = XS_ITEMSETS_CLOSED;
    if (io.maximal) mo.target = XS_ITEMSETS_MAXIMAL;
    int count_only = io.count_only, stream = io.stream;
    xs_format fmt = a.format;

    xs_error err = {0};
    xs_baskets *b = NULL;
    if ((rc = xs_cli_load_baskets(CMD, io.in.input, io.in.ifmt, a.db, io.in.source, &b)))
        return rc;
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
