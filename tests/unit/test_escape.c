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
        {"csv_rule", test_csv_rule},
    };
    return xs_test_run(tests, XS_N(tests));
}
