/*
 * test_serve_json.c — xs__serve_table_json (src/serve/json.c) builds the jansson
 * values of a table directly; the reference is what it did before: write
 * the table as JSON text (xs_table_write) and parse it back with
 * json_loadb. Random tables of text, number and empty cells — numbers of
 * every shape jansson parses or refuses (integers past 64 bits, reals that
 * overflow, `nan`, `01`), text with control bytes, UTF-8 and bytes that are
 * not UTF-8 — must give equal values (json_equal, and the same compact
 * dump, so key order and integer/real types agree) or both NULL.
 */
#include "test.h"
#include "xsell.h"

#include "base/rng.h"
#include "serve/serve_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

/* The old way: the table as JSON text, read back. */
static json_t *reference(const xs_table *t)
{
    char *text = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&text, &n);
    if (!f) return NULL;
    int rc = xs_table_write(t, f, XS_FORMAT_JSON);
    fclose(f);
    json_t *j = rc < 0 ? NULL : json_loadb(text, n, 0, NULL);
    free(text);
    if (j && !json_is_array(j)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static const char *const numbers[] = {"0",
                                      "-0",
                                      "12",
                                      "-3",
                                      "12.50",
                                      "1e5",
                                      "1E-3",
                                      "2.5e+10",
                                      "9223372036854775807",
                                      "-9223372036854775808",
                                      "9223372036854775808",
                                      "1e999",
                                      "-1e999",
                                      "1e-999",
                                      "01",
                                      "1.",
                                      ".5",
                                      "+1",
                                      "nan",
                                      "inf",
                                      "0x10",
                                      "1 ",
                                      "",
                                      "3.14159265358979",
                                      "null",
                                      "true",
                                      "[1]"};
static const char *const texts[] = {"plain",    "",     "a\"b\\c",  "tab\there\n",
                                    "\x01\x1f", "はい", "\xff",     "\xe3\x81",
                                    "null",     "12",   "{\"x\":1}"};

/* Two equal answers, or both NULL; counts failures quietly past the first
 * few. */
static void same(const xs_table *t, int *bad)
{
    json_t *want = reference(t), *got = xs__serve_table_json(t);
    int ok = (!want && !got);
    if (want && got) {
        char *a = json_dumps(want, JSON_COMPACT), *b = json_dumps(got, JSON_COMPACT);
        ok = json_equal(want, got) && a && b && !strcmp(a, b);
        if (!ok && *bad < 3) CHECK_STR(b, a);
        free(a);
        free(b);
    } else if (!ok && *bad < 3) {
        CHECK(!want == !got);
    }
    if (!ok) ++*bad;
    json_decref(want);
    json_decref(got);
}

static void test_random_tables(void)
{
    xs__rng rng;
    xs__rng_seed(&rng, 18);
    int bad = 0, n_null = 0;
    for (int k = 0; k < 400; k++) {
        xs_table *t = xs_table_new();
        size_t n_cols = 1 + xs__rng_below(&rng, 4);
        for (size_t c = 0; c < n_cols; c++) {
            char name[16];
            /* a repeated name now and then: the later cell wins, as when parsed */
            snprintf(name, sizeof name, "c%u", (unsigned)xs__rng_below(&rng, 5));
            xs_table_column(t, name, xs__rng_below(&rng, 2) ? XS_COL_NUM : XS_COL_TEXT);
        }
        size_t n_rows = xs__rng_below(&rng, 5);
        for (size_t r = 0; r < n_rows; r++) {
            xs_table_row(t);
            for (size_t c = 0; c < n_cols; c++) {
                int pick = (int)xs__rng_below(&rng, 10);
                if (pick == 0) continue; /* an absent cell */
                /* mostly well-formed numbers, so most tables parse */
                const char *v = pick < 6   ? numbers[xs__rng_below(&rng, 8)]
                                : pick < 8 ? numbers[xs__rng_below(&rng, XS_N(numbers))]
                                           : texts[xs__rng_below(&rng, XS_N(texts))];
                xs_table_cell(t, v);
            }
        }
        json_t *j = xs__serve_table_json(t);
        n_null += !j;
        json_decref(j);
        same(t, &bad);
        xs_table_free(t);
    }
    CHECK_INT(bad, 0);
    /* both kinds of answer were met */
    CHECK(n_null > 20 && n_null < 380);
}

static void test_exact(void)
{
    xs_table *t = xs_table_new();
    xs_table_column(t, "id", XS_COL_TEXT);
    xs_table_column(t, "n", XS_COL_NUM);
    xs_table_column(t, "x", XS_COL_NUM);
    xs_table_row(t);
    xs_table_cell(t, "a\nb");
    xs_table_cell(t, "-7");
    xs_table_cell(t, "");
    xs_table_row(t);
    xs_table_cell(t, "");
    xs_table_cell(t, "2.50");
    json_t *j = xs__serve_table_json(t);
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    CHECK_STR(
        s, "[{\"id\":\"a\\nb\",\"n\":-7,\"x\":null},{\"id\":\"\",\"n\":2.5,\"x\":null}]");
    free(s);
    json_decref(j);
    xs_table_free(t);
    t = xs_table_new();
    j = xs__serve_table_json(t);
    s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    CHECK_STR(s, "[]");
    free(s);
    json_decref(j);
    xs_table_free(t);
}

int main(void)
{
    static const xs_test tests[] = {
        {"exact", test_exact},
        {"random_tables", test_random_tables},
    };
    return xs_test_run(tests, XS_N(tests));
}
