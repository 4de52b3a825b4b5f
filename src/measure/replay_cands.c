/*
 * replay_cands.c — reads the candidates of a logged decision (the JSON
 * array of flat objects that xs_decision_fill writes) into the numbers
 * replay needs, without building a document.
 *
 * A replay reads every logged decision of its window; a general JSON
 * parser (one allocation per value) spent nine tenths of `xsell replay`
 * in malloc and free on a 128,000-decision log. The candidates are flat
 * objects of strings, numbers, booleans and null, so one pass with strtod
 * reads them; anything else (nesting, bad syntax) is refused, never
 * guessed.
 */
#include "measure/replay.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

/* Skips a JSON string at p (at its '"'); copies up to cap - 1 bytes of its
 * raw contents into out (may be NULL). Returns the byte after it, NULL on
 * a bad string. */
static const char *str(const char *p, char *out, size_t cap)
{
    size_t n = 0;
    if (*p++ != '"') return NULL;
    for (; *p && *p != '"'; p++) {
        if (*p == '\\') {
            if (!p[1]) return NULL;
            p++;
        }
        if (out && n + 1 < cap) out[n++] = *p;
    }
    if (out && cap) out[n] = '\0';
    return *p == '"' ? p + 1 : NULL;
}

/* Contract in replay.h. */
int xs__measure_replay_cands_read(const char *s, xs__measure_replay_cand *c, size_t cap,
                                  size_t *n)
{
    const char *p = ws(s);
    *n = 0;
    if (*p++ != '[') return XS_EPARSE;
    p = ws(p);
    if (*p == ']') return ws(p + 1)[0] ? XS_EPARSE : XS_OK;
    for (;;) {
        if (*n == cap || *p++ != '{') return XS_EPARSE;
        xs__measure_replay_cand *x = &c[(*n)++];
        memset(x, 0, sizeof *x);
        x->p_accept = x->value = x->ev = x->strength = x->health = x->prob = NAN;
        x->kind[0] = '\0';
        p = ws(p);
        while (*p != '}') {
            char key[16];
            if (!(p = str(p, key, sizeof key))) return XS_EPARSE;
            p = ws(p);
            if (*p++ != ':') return XS_EPARSE;
            p = ws(p);
            double *num = !strcmp(key, "p_accept")   ? &x->p_accept
                          : !strcmp(key, "value")    ? &x->value
                          : !strcmp(key, "ev")       ? &x->ev
                          : !strcmp(key, "strength") ? &x->strength
                          : !strcmp(key, "health")   ? &x->health
                          : !strcmp(key, "prob")     ? &x->prob
                                                     : NULL;
            if (*p == '"') {
                int is_kind = !strcmp(key, "kind");
                if (!(p = str(p, is_kind ? x->kind : NULL, sizeof x->kind)))
                    return XS_EPARSE;
            } else if (!strncmp(p, "true", 4) || !strncmp(p, "null", 4)) {
                if (p[0] == 't' && !strcmp(key, "growth")) x->growth = 1;
                p += 4;
            } else if (!strncmp(p, "false", 5)) {
                p += 5;
            } else {
                char *e;
                double v = strtod(p, &e);
                /* JSON numbers only: no inf, nan or hex strtod would take */
                if (e == p || strspn(p, "0123456789+-.eE") != (size_t)(e - p))
                    return XS_EPARSE;
                if (num) *num = v;
                p = e;
            }
            p = ws(p);
            if (*p == ',')
                p = ws(p + 1);
            else if (*p != '}')
                return XS_EPARSE;
        }
        p = ws(p + 1);
        if (*p == ']') return ws(p + 1)[0] ? XS_EPARSE : XS_OK;
        if (*p++ != ',') return XS_EPARSE;
        p = ws(p);
    }
}
