/*
 * json.c — JSON helpers of the server: numbers that may be NaN / infinite
 * (JSON has neither: null) and result tables (xs_table, the library's one
 * output shape) turned into jansson values by writing them as JSON and
 * parsing that back, so the API and `--format json` of the CLI agree.
 */
#include "serve/serve_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Contract in serve_int.h. */
json_t *xs__num(double v) { return isfinite(v) ? json_real(v) : json_null(); }

/* Contract in serve_int.h. */
json_t *xs__table_json(const xs_table *t)
{
    char *text = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&text, &n);
    if (!f) return NULL;
    int rc = xs_table_write(t, f, XS_FORMAT_JSON);
    if (fclose(f) != 0 || rc < 0) {
        free(text); /* open_memstream's allocation */
        return NULL;
    }
    json_t *j = json_loadb(text, n, 0, NULL);
    free(text);
    if (j && !json_is_array(j)) {
        json_decref(j);
        return NULL;
    }
    return j;
}
