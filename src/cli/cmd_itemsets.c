/*
 * cmd_itemsets.c — `xsell itemsets`: frequent itemsets of a basket file.
 *
 * Reads baskets (FIMI or basket CSV), mines all / closed / maximal frequent
 * itemsets and prints them sorted by size, then count descending, then item
 * names (natural order: numbers numerically), items within a set in the same
 * name order. --count-only prints the number (all itemsets: nothing stored;
 * closed / maximal: the itemset tree, unless --stream); --stream prints in
 * mining order as the miner finds them (nothing stored), for results too
 * large to sort in memory. The rows are written by xs_itemsets_write and
 * xs_itemsets_stream (src/mine/mine_write.c).
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
    if (stream) {
        rc = xs_itemsets_stream(b, &mo, stdout, fmt, &err);
    } else {
        xs_itemsets *s = NULL;
        rc = xs_itemsets_mine(&s, b, &mo, &err);
        if (rc == XS_OK) rc = xs_itemsets_write(s, b, stdout, fmt);
        xs_itemsets_free(s);
    }
    if (rc < 0 && rc != XS_EIO) { /* XS_EIO: stdout's error, which xs_cli_flush reports */
        if (err.code == XS_OK) err.code = rc;
        exit_code = xs_cli_fail(CMD, &err);
        goto cleanup;
    }
    exit_code = xs_cli_flush(CMD);
cleanup:
    xs_baskets_free(b);
    return exit_code;
}
