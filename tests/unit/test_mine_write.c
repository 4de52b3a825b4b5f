/*
 * test_mine_write.c — the itemsets and rules writers (src/mine/mine_write.c):
 * exact output of a hand-computed example in the three formats (CSV and
 * JSON quoting of names holding a comma and a quote, "inf" / null
 * conviction), the streamed itemsets against the stored ones, a failed
 * write (XS_EIO) and every failed allocation (XS_ENOMEM, nothing leaked).
 */
#include "test.h"

#include "base/alloc.h"
#include "xsell.h"

/* bread,x,y | bread,x,y | bread,q"t | q"t: N = 4 */
static xs_baskets *example(void)
{
    static const char *const rows[4][2] = {
        {"bread", "x,y"}, {"bread", "x,y"}, {"bread", "q\"t"}, {"q\"t", NULL}};
    xs_baskets *b = xs_baskets_new();
    for (int t = 0; t < 4; t++) {
        for (int i = 0; i < 2 && rows[t][i]; i++)
            xs_baskets_add(b, rows[t][i]);
        xs_baskets_end(b);
    }
    return b;
}

/* What a writer wrote to a temporary file, NUL-terminated (static). */
static const char *text_of(FILE *f)
{
    static char buf[4096];
    rewind(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static const char *itemsets_text(const xs_baskets *b, xs_format fmt, int stream)
{
    xs_mine_opts o = {.min_count = 2};
    FILE *f = tmpfile();
    CHECK(f != NULL);
    if (stream) {
        CHECK_INT(xs_itemsets_stream(b, &o, f, fmt, NULL), XS_OK);
    } else {
        xs_itemsets *s = NULL;
        CHECK_INT(xs_itemsets_mine(&s, b, &o, NULL), XS_OK);
        CHECK_INT(xs_itemsets_write(s, b, f, fmt), XS_OK);
        xs_itemsets_free(s);
    }
    return text_of(f);
}

static const char *rules_text(const xs_baskets *b, xs_format fmt)
{
    xs_rule_opts o;
    xs_rule_opts_init(&o);
    o.mine.min_count = 2;
    xs_rules *r = NULL;
    CHECK_INT(xs_rules_mine(&r, b, &o, NULL), XS_OK);
    FILE *f = tmpfile();
    CHECK(f != NULL);
    CHECK_INT(xs_rules_write(r, b, f, fmt), XS_OK);
    xs_rules_free(r);
    return text_of(f);
}

static void test_itemsets(void)
{
    xs_baskets *b = example();
    CHECK_STR(itemsets_text(b, XS_FORMAT_CSV, 0), "items,size,count,support\n"
                                                  "{bread},1,3,0.75\n"
                                                  "\"{q\"\"t}\",1,2,0.5\n"
                                                  "\"{x,y}\",1,2,0.5\n"
                                                  "\"{bread,x,y}\",2,2,0.5\n");
    CHECK_STR(
        itemsets_text(b, XS_FORMAT_JSON, 0),
        "[\n"
        " {\"items\": [\"bread\"], \"size\": 1, \"count\": 3, \"support\": 0.75},\n"
        " {\"items\": [\"q\\\"t\"], \"size\": 1, \"count\": 2, \"support\": 0.5},\n"
        " {\"items\": [\"x,y\"], \"size\": 1, \"count\": 2, \"support\": 0.5},\n"
        " {\"items\": [\"bread\", \"x,y\"], \"size\": 2, \"count\": 2, \"support\": "
        "0.5}\n"
        "]\n");
    CHECK_STR(itemsets_text(b, XS_FORMAT_TABLE, 0),
              "items        size  count  support\n"
              "-----------  ----  -----  -------\n"
              "{bread}         1      3     0.75\n"
              "{q\"t}           1      2      0.5\n"
              "{x,y}           1      2      0.5\n"
              "{bread,x,y}     2      2      0.5\n");
    /* streamed: the same rows in mining order */
    const char *streamed = itemsets_text(b, XS_FORMAT_CSV, 1);
    CHECK(strstr(streamed, "items,size,count,support\n") == streamed);
    CHECK(strstr(streamed, "\"{bread,x,y}\",2,2,0.5\n") != NULL);
    CHECK_INT(strlen(streamed), strlen(itemsets_text(b, XS_FORMAT_CSV, 0)));
    /* nothing frequent: the empty forms */
    xs_mine_opts none = {.min_count = 5};
    FILE *f = tmpfile();
    CHECK_INT(xs_itemsets_stream(b, &none, f, XS_FORMAT_JSON, NULL), XS_OK);
    CHECK_STR(text_of(f), "[]\n");
    xs_baskets_free(b);
}

static void test_rules(void)
{
    xs_baskets *b = example();
    /* {x,y} => {bread}: count 2, lhs 2, rhs 3 of N 4 */
    CHECK_STR(rules_text(b, XS_FORMAT_CSV),
              "lhs,rhs,support,confidence,coverage,lift,leverage,conviction,count\n"
              "\"{x,y}\",{bread},0.5,1,0.5,1.33333,0.125,inf,2\n");
    CHECK_STR(rules_text(b, XS_FORMAT_JSON),
              "[\n {\"lhs\": [\"x,y\"], \"rhs\": [\"bread\"], \"support\": 0.5, "
              "\"confidence\": 1, \"coverage\": 0.5, \"lift\": 1.33333, \"leverage\": "
              "0.125, \"conviction\": null, \"count\": 2}\n]\n");
    CHECK_STR(rules_text(b, XS_FORMAT_TABLE),
              "lhs    rhs      support  confidence  coverage     lift  leverage  "
              "conviction  count\n"
              "-----  -------  -------  ----------  --------  -------  --------  "
              "----------  -----\n"
              "{x,y}  {bread}      0.5           1       0.5  1.33333     0.125         "
              "inf      2\n");
    xs_baskets_free(b);
}

/* A full device: XS_EIO from every writer and format. */
static void test_write_failure(void)
{
    FILE *f = fopen("/dev/full", "w");
    if (!f) {
        xs_test_skip("no /dev/full");
        return;
    }
    setvbuf(f, NULL, _IONBF, 0);
    xs_baskets *b = example();
    xs_mine_opts o = {.min_count = 2};
    for (int fmt = XS_FORMAT_TABLE; fmt <= XS_FORMAT_CSV; fmt++) {
        CHECK(xs_itemsets_stream(b, &o, f, (xs_format)fmt, NULL) < 0);
        clearerr(f);
    }
    CHECK_INT(xs_itemsets_stream(b, &o, f, XS_FORMAT_CSV, NULL), XS_EIO);
    fclose(f);
    xs_baskets_free(b);
}

/* Every allocation of the writers failing in turn: XS_ENOMEM. */
static void test_alloc_failures(void)
{
    xs_baskets *b = example();
    xs_rule_opts o;
    xs_rule_opts_init(&o);
    o.mine.min_count = 2;
    xs_rules *r = NULL;
    CHECK_INT(xs_rules_mine(&r, b, &o, NULL), XS_OK);
    for (int fmt = XS_FORMAT_TABLE; fmt <= XS_FORMAT_CSV; fmt++) {
        FILE *f = tmpfile();
        xs__alloc_fail_after(1000000);
        CHECK_INT(xs_rules_write(r, b, f, (xs_format)fmt), XS_OK);
        long n = xs__alloc_fail_after(-1);
        for (long k = 0; k < n; k++) {
            xs__alloc_fail_after(k);
            int rc = xs_rules_write(r, b, f, (xs_format)fmt);
            xs__alloc_fail_after(-1);
            CHECK_INT(rc, XS_ENOMEM);
        }
        fclose(f);
    }
    xs_rules_free(r);
    xs_baskets_free(b);
}

int main(void)
{
    static const xs_test tests[] = {
        {"itemsets", test_itemsets},
        {"rules", test_rules},
        {"write_failure", test_write_failure},
        {"alloc_failures", test_alloc_failures},
    };
    return xs_test_run(tests, XS_N(tests));
}
