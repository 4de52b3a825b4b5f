/*
 * test_escape.c — the one JSON string escaper and the one CSV quoting rule
 * (src/base/escape.h): every ASCII byte against a table written out here,
 * UTF-8 passed through and checked only when asked, the worst-case sizes,
 * and the CSV rule case by case.
 */
#include "test.h"

#include "base/escape.h"

/* s[0..n) escaped, as a NUL-terminated string in a static buffer. */
static const char *json(const char *s, size_t n, int *bad)
{
    static char out[XS__JSON_ESC_MAX(64) + 1];
    size_t k = xs__json_esc(out, s, n, bad);
    out[k] = '\0';
    return out;
}

static const char *csv(const char *s, char delim, int lone)
{
    static char out[XS__CSV_ESC_MAX(64) + 1];
    size_t k = xs__csv_esc(out, s, strlen(s), delim, lone);
    out[k] = '\0';
    return out;
}

/* Every byte 0x00-0x7F alone: the expected text written independently of
 * the escaper (jansson's rule). */
static void test_json_ascii(void)
{
    static const char *const ctl[32] = {
        "\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006",
        "\\u0007", "\\b",     "\\t",     "\\n",     "\\u000B", "\\f",     "\\r",
        "\\u000E", "\\u000F", "\\u0010", "\\u0011", "\\u0012", "\\u0013", "\\u0014",
        "\\u0015", "\\u0016", "\\u0017", "\\u0018", "\\u0019", "\\u001A", "\\u001B",
        "\\u001C", "\\u001D", "\\u001E", "\\u001F"};
    for (int c = 0; c < 0x80; c++) {
        char in = (char)c, want[16];
        if (c < 0x20)
            snprintf(want, sizeof want, "\"%s\"", ctl[c]);
        else if (c == '"')
            strcpy(want, "\"\\\"\"");
        else if (c == '\\')
            strcpy(want, "\"\\\\\"");
        else
            snprintf(want, sizeof want, "\"%c\"", c);
        int bad = 0;
        CHECK_STR(json(&in, 1, &bad), want);
        CHECK_INT(bad, 0);
        CHECK_STR(json(&in, 1, NULL), want);
    }
    CHECK_STR(json("", 0, NULL), "\"\"");
    CHECK_STR(json("a\"b\\c\nd\x7f", 8, NULL), "\"a\\\"b\\\\c\\nd\x7f\"");
}

static void test_json_utf8(void)
{
    int bad = 0;
    /* é, あ, 😀 (2, 3, 4 bytes) and the edges of the valid ranges */
    const char *ok =
        "\xc3\xa9\xe3\x81\x82\xf0\x9f\x98\x80\xc2\x80\xef\xbf\xbf\xf4\x8f\xbf\xbf";
    char want[64];
    snprintf(want, sizeof want, "\"%s\"", ok);
    CHECK_STR(json(ok, strlen(ok), &bad), want);
    CHECK_INT(bad, 0);
    /* invalid sequences are copied unchanged; only a non-NULL flag hears of them */
    static const char *const invalid[] = {
        "\x80",             /* stray continuation */
        "\xc0\xaf",         /* overlong */
        "\xed\xa0\x80",     /* surrogate */
        "\xf4\x90\x80\x80", /* above U+10FFFF */
        "\xff",
        "\xe3\x81",  /* cut short by the end */
        "\xe3\x81x", /* cut short by a byte that does not continue it */
    };
    for (size_t i = 0; i < XS_N(invalid); i++) {
        snprintf(want, sizeof want, "\"%s\"", invalid[i]);
        bad = 0;
        CHECK_STR(json(invalid[i], strlen(invalid[i]), &bad), want);
        CHECK_INT(bad, 1);
        CHECK_STR(json(invalid[i], strlen(invalid[i]), NULL), want);
    }
    /* the flag is never reset by a later valid string */
    CHECK_STR(json("ok", 2, &bad), "\"ok\"");
    CHECK_INT(bad, 1);
    /* a control byte inside a cut sequence is still escaped */
    bad = 0;
    CHECK_STR(json("\xc3\n", 2, &bad), "\"\xc3\\n\"");
    CHECK_INT(bad, 1);
}

/* The worst case is reached exactly and never passed. */
static void test_json_worst(void)
{
    char in[64], out[XS__JSON_ESC_MAX(64) + 8];
    memset(in, 1, sizeof in);
    memset(out, '#', sizeof out);
    CHECK_INT(xs__json_esc(out, in, sizeof in, NULL), XS__JSON_ESC_MAX(64));
    CHECK_INT(out[XS__JSON_ESC_MAX(64)], '#');
}

/* The escaper against a byte-by-byte reference written here, on random
 * strings of every length up to 40 drawn from the bytes that matter (the
 * word-at-a-time path must agree with it wherever a run starts or ends):
 * same bytes, and with bad_utf8 the same verdict as xs__utf8_seq's. */
static void test_json_random(void)
{
    static const unsigned char alpha[] = {'a',  'Z',  ' ',  '~',  '"',  '\\', '\n',
                                          0x00, 0x01, 0x1f, 0x7f, 0xc3, 0xa9, 0xe3,
                                          0x81, 0x82, 0xff, '/',  '0'};
    unsigned seed = 12345;
    for (int round = 0; round < 20000; round++) {
        char in[40], want[XS__JSON_ESC_MAX(40)], got[XS__JSON_ESC_MAX(40)];
        size_t n = (size_t)(round % 41);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            /* mostly plain letters, so long plain runs occur */
            unsigned r = seed >> 16;
            in[i] = (char)(r % 4 ? 'a' + (char)(r % 26) : alpha[(r >> 4) % sizeof alpha]);
        }
        size_t k = 0;
        int want_bad = 0;
        want[k++] = '"';
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)in[i];
            if (c >= 0x80) {
                int q = xs__utf8_seq(in + i, n - i);
                if (q <= 0) want_bad = 1, q = 1;
                memcpy(want + k, in + i, (size_t)q);
                k += (size_t)q;
                i += (size_t)q - 1;
            } else if (c == '"' || c == '\\') {
                want[k++] = '\\', want[k++] = (char)c;
            } else if (c < 0x20) {
                const char *sh = c == '\b'   ? "b"
                                 : c == '\f' ? "f"
                                 : c == '\n' ? "n"
                                 : c == '\r' ? "r"
                                 : c == '\t' ? "t"
                                             : NULL;
                if (sh)
                    want[k++] = '\\', want[k++] = *sh;
                else
                    k += (size_t)sprintf(want + k, "\\u%04X", c);
            } else {
                want[k++] = (char)c;
            }
        }
        want[k++] = '"';
        int bad = 0;
        size_t g = xs__json_esc(got, in, n, &bad);
        CHECK_INT(g, k);
        CHECK(!memcmp(got, want, k));
        CHECK_INT(bad, want_bad);
        CHECK_INT(xs__json_esc(got, in, n, NULL), k);
        CHECK(!memcmp(got, want, k));
    }
}

static void test_csv_rule(void)
{
    CHECK_STR(csv("plain", ',', 0), "plain");
    CHECK_STR(csv("a,b", ',', 0), "\"a,b\"");
    CHECK_STR(csv("a;b", ',', 0), "a;b");
    CHECK_STR(csv("a;b", ';', 0), "\"a;b\"");
    CHECK_STR(csv("say \"hi\"", ',', 0), "\"say \"\"hi\"\"\"");
    CHECK_STR(csv("a\rb", ',', 0), "\"a\rb\"");
    CHECK_STR(csv("a\nb", ',', 0), "\"a\nb\"");
    CHECK_STR(csv(" lead", ',', 0), "\" lead\"");
    CHECK_STR(csv("trail ", ',', 0), "\"trail \"");
    CHECK_STR(csv("\tlead", ',', 0), "\"\tlead\"");
    CHECK_STR(csv("mid dle", ',', 0), "mid dle");
    CHECK_STR(csv("\xef\xbb\xbfid", ',', 0), "\"\xef\xbb\xbfid\"");
    CHECK_STR(csv("", ',', 0), "");
    CHECK_STR(csv("", ',', 1), "\"\"");
    CHECK_STR(csv("x", ',', 1), "x");
    CHECK_STR(csv("\xe6\x97\xa5\xe6\x9c\xac", ',', 0), "\xe6\x97\xa5\xe6\x9c\xac");
    CHECK_STR(csv("\"", ',', 0), "\"\"\"\"");
    CHECK_INT(xs__csv_needs_quotes("a,b", 1, ',', 0), 0); /* only n bytes are read */
    char body[8];
    CHECK_INT(xs__csv_body(body, "a\"\"b", 4), 6);
    CHECK(!memcmp(body, "a\"\"\"\"b", 6));
    /* the worst case: all quotes */
    char in[16], out[XS__CSV_ESC_MAX(16)];
    memset(in, '"', sizeof in);
    CHECK_INT(xs__csv_esc(out, in, sizeof in, ',', 0), XS__CSV_ESC_MAX(16));
}

int main(void)
{
    static const xs_test tests[] = {
        {"json_ascii", test_json_ascii},
        {"json_utf8", test_json_utf8},
        {"json_worst", test_json_worst},
        {"json_random", test_json_random},
        {"csv_rule", test_csv_rule},
    };
    return xs_test_run(tests, XS_N(tests));
}
