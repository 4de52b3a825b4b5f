/*
 * messages.c — the message catalogs of the explanations, parsed once.
 *
 * Each language is a text file, src/offer/messages/<lang>.txt, embedded as
 * bytes by cmake/embed.cmake (xs__offer_msg_<lang>). The first lookup parses every
 * catalog (pthread_once, so the engine's threads may explain at once) into
 * a sorted array of (key, text) entries, indexed by a hash of the keys, that
 * lives until the process ends.
 * A third language is one more file and one line of the table below.
 *
 * Line format: `key = text`; blank lines and lines starting with '#' are
 * ignored; spaces around the key and the text are trimmed, and a text in
 * double quotes keeps its spaces. Keys are [A-Za-z0-9_.]+ and unique.
 */
#include "offer/messages.h"

#include "base/hash.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const unsigned char xs__offer_msg_en[];
extern const size_t xs__offer_msg_en_len;
extern const unsigned char xs__offer_msg_ja[];
extern const size_t xs__offer_msg_ja_len;

/* The languages: code and embedded catalog. */
static const struct {
    const char *code;
    const unsigned char *bytes;
    const size_t *len;
} langs[] = {
    {"en", xs__offer_msg_en, &xs__offer_msg_en_len},
    {"ja", xs__offer_msg_ja, &xs__offer_msg_ja_len},
};
#define N_LANGS (sizeof langs / sizeof langs[0])

typedef struct entry {
    const char *key, *text;
} entry;

typedef struct catalog {
    char *pool; /* the file's copy, cut into NUL-terminated keys and texts */
    entry *e;
    size_t n;
    uint32_t *slot; /* hash of the keys: entry index + 1, 0 empty; NULL none */
    size_t mask;    /* slots - 1 */
    const char *group, *decimal; /* number.group, number.decimal: every number */
    int n_errors;
    char errors[512];
} catalog;

static catalog cats[N_LANGS];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->key, ((const entry *)b)->key);
}

/* The hash of key: the catalog's lookups hash instead of bisecting (eight
 * bytes a step: an explanation looks up a dozen keys). */
static size_t key_hash(const char *key)
{
    return (size_t)xs__hash_bytes(key, strlen(key), 0);
}

/* Indexes the sorted entries of c by hash (the first of equal keys wins).
 * Without memory the lookups bisect. */
static void index_keys(catalog *c)
{
    size_t slots = 16;
    while (slots < 2 * c->n)
        slots *= 2;
    c->slot = calloc(slots, sizeof *c->slot);
    if (!c->slot) return;
    c->mask = slots - 1;
    for (size_t i = 0; i < c->n; i++) {
        size_t h = key_hash(c->e[i].key) & c->mask;
        while (c->slot[h] && strcmp(c->e[c->slot[h] - 1].key, c->e[i].key))
            h = (h + 1) & c->mask;
        if (!c->slot[h]) c->slot[h] = (uint32_t)(i + 1);
    }
}

static const char *find(const catalog *c, const char *key);

static void error(catalog *c, const char *code, size_t line, const char *what)
{
    size_t k = strlen(c->errors);
    if (c->n_errors++ < 8 && k < sizeof c->errors)
        snprintf(c->errors + k, sizeof c->errors - k, "%s%s.txt:%zu: %s", k ? "\n" : "",
                 code, line, what);
}

static char *trim(char *s, char *end)
{
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        end--;
    *end = '\0';
    return s;
}

static void parse(size_t li)
{
    catalog *c = &cats[li];
    size_t len = *langs[li].len, n_lines = 1;
    c->pool = malloc(len + 1);
    if (!c->pool) return;
    memcpy(c->pool, langs[li].bytes, len);
    c->pool[len] = '\0';
    for (size_t i = 0; i < len; i++)
        n_lines += c->pool[i] == '\n';
    c->e = malloc(n_lines * sizeof *c->e);
    if (!c->e) return;
    char *p = c->pool, *end = c->pool + len;
    for (size_t line = 1; p < end; line++) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) nl = end;
        char *eq = memchr(p, '=', (size_t)(nl - p)), *s = p;
        p = nl + 1;
        while (s < nl && (*s == ' ' || *s == '\t'))
            s++;
        if (s == nl || *s == '#' || *s == '\r') continue;
        if (!eq) {
            error(c, langs[li].code, line, "no '=' in the line");
            continue;
        }
        char *key = trim(s, eq), *text = trim(eq + 1, nl);
        size_t tl = strlen(text);
        if (tl >= 2 && text[0] == '"' && text[tl - 1] == '"') {
            text[tl - 1] = '\0';
            text++;
        }
        if (!*key ||
            strspn(key,
                   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.") !=
                strlen(key)) {
            error(c, langs[li].code, line, "a key is [A-Za-z0-9_.]+");
            continue;
        }
        c->e[c->n].key = key;
        c->e[c->n++].text = text;
    }
    qsort(c->e, c->n, sizeof *c->e, entry_cmp);
    for (size_t i = 1; i < c->n; i++)
        if (!strcmp(c->e[i].key, c->e[i - 1].key)) {
            char what[128];
            snprintf(what, sizeof what, "duplicate key %s", c->e[i].key);
            error(c, langs[li].code, 0, what);
        }
    index_keys(c);
    c->group = find(c, "number.group");
    c->decimal = find(c, "number.decimal");
}

static void parse_all(void)
{
    for (size_t i = 0; i < N_LANGS; i++)
        parse(i);
}

static const catalog *cat(int lang)
{
    if (lang < 0 || (size_t)lang >= N_LANGS) return NULL;
    pthread_once(&once, parse_all);
    return &cats[lang];
}

int xs__offer_msg_lang(const char *code)
{
    if (!code) return 0;
    for (size_t i = 0; i < N_LANGS; i++)
        if (!strcmp(code, langs[i].code)) return (int)i;
    return -1;
}

size_t xs__offer_msg_n_langs(void)
{
    return N_LANGS;
}

const char *xs__offer_msg_lang_code(size_t i)
{
    return i < N_LANGS ? langs[i].code : NULL;
}

const char *xs__offer_msg_get(int lang, const char *key)
{
    return find(cat(lang), key);
}

/* The text of key in catalog c (NULL: none), or NULL. */
static const char *find(const catalog *c, const char *key)
{
    if (!c || !c->e) return NULL;
    if (c->slot) {
        for (size_t h = key_hash(key) & c->mask; c->slot[h]; h = (h + 1) & c->mask)
            if (!strcmp(c->e[c->slot[h] - 1].key, key)) return c->e[c->slot[h] - 1].text;
        return NULL;
    }
    entry k = {key, NULL};
    const entry *e = bsearch(&k, c->e, c->n, sizeof *c->e, entry_cmp);
    return e ? e->text : NULL;
}

const char *xs__offer_msg_number(int lang, const char **decimal)
{
    const catalog *c = cat(lang);
    *decimal = c ? c->decimal : NULL;
    return c ? c->group : NULL;
}

/* key "." v1 ["." v2] into k (size n), cut at n - 1 bytes as snprintf would. */
static void join_key(char *k, size_t n, const char *key, const char *v1, const char *v2)
{
    size_t w = 0;
    const char *part[5] = {key, ".", v1, v2 ? "." : NULL, v2};
    for (int i = 0; i < 5 && part[i]; i++) {
        size_t len = strlen(part[i]);
        if (len > n - 1 - w) len = n - 1 - w;
        memcpy(k + w, part[i], len);
        w += len;
    }
    k[w] = '\0';
}

const char *xs__offer_msg_pick(int lang, const char *key, const char *v1, const char *v2)
{
    char k[128];
    const char *t;
    if (v1 && v2) {
        join_key(k, sizeof k, key, v1, v2);
        if ((t = xs__offer_msg_get(lang, k))) return t;
    }
    for (int i = 0; i < 2; i++) {
        const char *v = i ? v2 : v1;
        if (!v) continue;
        join_key(k, sizeof k, key, v, NULL);
        if ((t = xs__offer_msg_get(lang, k))) return t;
    }
    return xs__offer_msg_get(lang, key);
}

const char *xs__offer_msg_entry(int lang, size_t i, const char **text)
{
    const catalog *c = cat(lang);
    if (!c || !c->e || i >= c->n) return NULL;
    if (text) *text = c->e[i].text;
    return c->e[i].key;
}

int xs__offer_msg_errors(int lang, char *buf, size_t n)
{
    const catalog *c = cat(lang);
    if (n) buf[0] = '\0';
    if (!c) return 0;
    if (!c->e) {
        snprintf(buf, n, "out of memory parsing the catalog");
        return 1;
    }
    snprintf(buf, n, "%s", c->errors);
    return c->n_errors;
}

void xs__offer_msg_fill(const char *t, const xs__offer_msg_var *vars, size_t n_vars,
                        char *buf, size_t n, size_t *w)
{
    if (!n) return;
    if (*w >= n) *w = n - 1;
    const char *end = t + strlen(t); /* one pass for the length: memchr after */
    while (t < end) {
        /* the plain text up to the next '{', in one copy */
        const char *open = memchr(t, '{', (size_t)(end - t));
        size_t run = open ? (size_t)(open - t) : (size_t)(end - t);
        if (run) {
            size_t k = run > n - 1 - *w ? n - 1 - *w : run;
            memcpy(buf + *w, t, k);
            *w += k;
            t += run;
            continue;
        }
        const char *val = NULL, *close = memchr(t + 1, '}', (size_t)(end - t - 1));
        size_t len = 1;
        if (close) {
            size_t nl = (size_t)(close - t - 1);
            for (size_t i = 0; i < n_vars && !val; i++) {
                const char *name = vars[i].name; /* the first byte rules most out */
                if ((!nl || name[0] == t[1]) && !strncmp(name, t + 1, nl) && !name[nl])
                    val = vars[i].value ? vars[i].value : "";
            }
            if (val) len = nl + 2;
        }
        const char *src = val ? val : t;
        size_t k = val ? strlen(val) : 1;
        if (k > n - 1 - *w) k = n - 1 - *w;
        memcpy(buf + *w, src, k);
        *w += k;
        t += len;
    }
    /* truncated: never end in half a UTF-8 character */
    size_t s = *w;
    while (s > 0 && ((unsigned char)buf[s - 1] & 0xC0) == 0x80)
        s--;
    if (s > 0 && (unsigned char)buf[s - 1] >= 0xC0) {
        unsigned char lead = (unsigned char)buf[s - 1];
        size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
        if (*w - (s - 1) < need) *w = s - 1;
    }
    buf[*w] = '\0';
}
