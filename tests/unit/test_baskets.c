/*
 * test_baskets.c — the baskets builder and the FIMI / basket-CSV readers:
 * canonical form (sorted, unique, empty baskets kept), line endings,
 * quoting, natural name order, and every error message exactly.
 */
#include "test.h"

#include "base/alloc.h"
#include "io/baskets_read.h"
#include "mine/baskets.h"
#include "xsell.h"

/* Renders baskets as "a b|c|" (names, ascending id order per basket). */
static void render(const xs_baskets *b, char *out, size_t n)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t t = 0; t < b->n_tx; t++) {
        for (size_t i = b->off[t]; i < b->off[t + 1]; i++)
            o += (size_t)snprintf(out + o, n - o, "%s%s", i > b->off[t] ? " " : "",
                                  xs_baskets_item_name(b, b->items[i]));
        o += (size_t)snprintf(out + o, n - o, "|");
    }
}

static int parse(const char *text, xs_baskets_format fmt, char *out, size_t n, xs_error *e)
{
    struct xs_baskets b;
    xs__mine_baskets_init(&b);
    int rc = xs__io_baskets_parse(&b, text, strlen(text), fmt, "f.dat", e);
    if (rc == XS_OK) render(&b, out, n);
    xs__mine_baskets_clear(&b);
    return rc;
}

static void test_fimi(void)
{
    char out[512];
    xs_error e;
    /* trailing blanks, CRLF, an empty line, duplicates, no final newline */
    CHECK_INT(parse("1 2 3 \n3 1 3\r\n\n  7\t2", XS_BASKETS_FIMI, out, sizeof out, &e), XS_OK);
    /* ids: 1->0, 2->1, 3->2, 7->3 */
    CHECK_STR(out, "1 2 3|1 3||2 7|");
    CHECK_INT(parse("", XS_BASKETS_FIMI, out, sizeof out, &e), XS_OK);
    CHECK_STR(out, "");
    CHECK_INT(parse("\n", XS_BASKETS_FIMI, out, sizeof out, &e), XS_OK);
    CHECK_STR(out, "|");
    CHECK_INT(parse("5\n \n", XS_BASKETS_FIMI, out, sizeof out, &e), XS_OK);
    CHECK_STR(out, "5||");
    /* leading zeros name the same item; large numbers go through the name table */
    CHECK_INT(parse("007 7 4294967295 99999999\n", XS_BASKETS_FIMI, out, sizeof out, &e), XS_OK);
    CHECK_STR(out, "7 4294967295 99999999|");
}

static void test_fimi_errors(void)
{
    char out[256], msg[1200];
    xs_error e;
    CHECK_INT(parse("1 2\n3 x1 4\n", XS_BASKETS_FIMI, out, sizeof out, &e), XS_EPARSE);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg), "f.dat:2: not an item number: \"x1\"");
    CHECK_INT(parse("1 2a\n", XS_BASKETS_FIMI, out, sizeof out, &e), XS_EPARSE);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg), "f.dat:1: not an item number: \"2a\"");
    CHECK_INT(parse("\n\n-1\n", XS_BASKETS_FIMI, out, sizeof out, &e), XS_EPARSE);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg), "f.dat:3: not an item number: \"-1\"");
    CHECK_INT(parse("1,2\n", XS_BASKETS_FIMI, out, sizeof out, &e), XS_EPARSE);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg), "f.dat:1: not an item number: \"1,2\"");
    CHECK_INT(parse("4294967296\n", XS_BASKETS_FIMI, out, sizeof out, &e), XS_EPARSE);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg),
              "f.dat:1: item number too large: \"4294967296\"");
}

static void test_csv(void)
{
    char out[512], msg[1200];
    xs_error e;
    CHECK_INT(parse("milk,bread,milk\r\n\"a, b\",\"say \"\"hi\"\"\"\n\n,x,,\nlast", XS_BASKETS_CSV,
                    out, sizeof out, &e),
              XS_OK);
    /* ids: milk 0, bread 1, "a, b" 2, say "hi" 3, x 4, last 5 */
    CHECK_STR(out, "milk bread|a, b say \"hi\"||x|last|");
    /* a quoted name may hold a newline; a BOM is skipped */
    CHECK_INT(parse("\xef\xbb\xbf\"two\nlines\",z\n", XS_BASKETS_CSV, out, sizeof out, &e), XS_OK);
    CHECK_STR(out, "two\nlines z|");
    CHECK_INT(parse("a\n\"open,b\n", XS_BASKETS_CSV, out, sizeof out, &e), XS_EPARSE);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg), "f.dat:2: unterminated quoted item");
    CHECK_INT(parse("\"a\"b,c\n", XS_BASKETS_CSV, out, sizeof out, &e), XS_EPARSE);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg), "f.dat:1: text after a quoted item: \"b\"");
}

static void test_builder(void)
{
    xs_baskets *b = xs_baskets_new();
    CHECK_INT(xs_baskets_add(b, "z"), XS_OK);
    CHECK_INT(xs_baskets_add(b, "a"), XS_OK);
    CHECK_INT(xs_baskets_add(b, "z"), XS_OK);
    CHECK_INT(xs_baskets_end(b), XS_OK);
    CHECK_INT(xs_baskets_end(b), XS_OK);
    CHECK_INT(xs_baskets_add(b, "a"), XS_OK);
    CHECK_INT(xs_baskets_end(b), XS_OK);
    CHECK_INT(xs_baskets_n_tx(b), 3);
    CHECK_INT(xs_baskets_n_items(b), 2);
    char out[128];
    render(b, out, sizeof out);
    CHECK_STR(out, "z a||a|");
    uint32_t id;
    CHECK_INT(xs_baskets_find_item(b, "a", &id), XS_OK);
    CHECK_INT(id, 1);
    CHECK_INT(xs_baskets_find_item(b, "q", &id), XS_ENOTFOUND);
    CHECK(xs_baskets_item_name(b, 7) == NULL);
    xs_baskets_free(b);
    xs_baskets_free(NULL);
}

static void test_name_order(void)
{
    CHECK(xs__mine_item_name_cmp("9", "10") < 0);
    CHECK(xs__mine_item_name_cmp("10", "9") > 0);
    CHECK(xs__mine_item_name_cmp("07", "7") < 0); /* numeric tie: bytes */
    CHECK(xs__mine_item_name_cmp("7", "07") > 0);
    CHECK(xs__mine_item_name_cmp("10", "a") < 0);
    CHECK(xs__mine_item_name_cmp("B", "a") < 0);
    CHECK(xs__mine_item_name_cmp("x", "x") == 0);
    CHECK(xs__mine_item_name_cmp("", "0") < 0);
}

static void test_read_file(void)
{
    xs_baskets *b = NULL;
    xs_error e;
    char msg[1200];
    CHECK_INT(xs_baskets_read(&b, "/nonexistent/x.dat", XS_BASKETS_FIMI, &e), XS_EIO);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg),
              "/nonexistent/x.dat: No such file or directory");
    CHECK(b == NULL);
    CHECK_INT(xs_baskets_read(&b, "/", XS_BASKETS_FIMI, &e), XS_EIO);
    CHECK_STR(xs_error_format(&e, msg, sizeof msg), "/: Is a directory");
    const char *src = getenv("XS_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/mine/small.dat", src ? src : ".");
    CHECK_INT(xs_baskets_read(&b, path, XS_BASKETS_FIMI, &e), XS_OK);
    if (b) {
        CHECK_INT(xs_baskets_n_tx(b), 8);
        xs_baskets_free(b);
    }
    snprintf(path, sizeof path, "%s/tests/data/mine/bad.dat", src ? src : ".");
    CHECK_INT(xs_baskets_read(&b, path, XS_BASKETS_FIMI, &e), XS_EPARSE);
    CHECK_INT(e.line, 3);
    CHECK_STR(e.message, "not an item number: \"x1\"");
}

static void test_alloc_failures(void)
{
    const char *text = "1 2 3\n4 5 1\n\n9 9 9 8\n";
    const char *csv = "a,b\n\"c,d\",e\n";
    for (int f = 0; f < 2; f++) {
        const char *t = f ? csv : text;
        struct xs_baskets b;
        xs__mine_baskets_init(&b);
        xs__alloc_fail_after(1000000);
        CHECK_INT(xs__io_baskets_parse(&b, t, strlen(t),
                                       f ? XS_BASKETS_CSV : XS_BASKETS_FIMI, NULL, NULL),
                  XS_OK);
        long n = xs__alloc_fail_after(-1);
        xs__mine_baskets_clear(&b);
        for (long k = 0; k < n; k++) {
            xs__mine_baskets_init(&b);
            xs__alloc_fail_after(k);
            int rc = xs__io_baskets_parse(
                &b, t, strlen(t), f ? XS_BASKETS_CSV : XS_BASKETS_FIMI, NULL, NULL);
            xs__alloc_fail_after(-1);
            CHECK_INT(rc, XS_ENOMEM);
            xs__mine_baskets_clear(&b);
        }
    }
}

int main(void)
{
    static const xs_test tests[] = {
        {"fimi", test_fimi},
        {"fimi_errors", test_fimi_errors},
        {"csv", test_csv},
        {"builder", test_builder},
        {"name_order", test_name_order},
        {"read_file", test_read_file},
        {"alloc_failures", test_alloc_failures},
    };
    return xs_test_run(tests, XS_N(tests));
}
