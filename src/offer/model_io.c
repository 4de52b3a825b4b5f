/*
 * model_io.c — the offer engine's side of `xsell build` and of closing the
 * loop: the propensity model as text (so the store can keep it), building
 * (fit + store), opening an engine over a store with its stored model, and
 * turning a decided offer into a record for the offers log
 * (src/store/offers_log.c writes it).
 *
 * The model text is line based (docs/offers.md, "Build"):
 *
 *   xsell-offer-model 1
 *   fitted 0|1
 *   n_hist <upsell> <cross-sell> <downsell>
 *   beta <b0> ... <b9>
 *   seg <f_email> <f_in_app> <f_csm> <f_webinar> <f_sns> <segment name>
 *
 * with one seg line per segment whose response-rate factors are not all 1
 * (the name "*" stands for customers without a segment). Numbers are
 * written with 17 significant digits, so a stored model decides exactly as
 * the fitted one did.
 */
#include "offer/offer_int.h"

#include "base/alloc.h"
#include "base/buf.h"
#include "base/date.h"
#include "base/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MODEL_MAGIC "xsell-offer-model 1"

/* Contract in offer_int.h. */
char *xs__offer_model_text(const xs_offer_engine *en)
{
    xs__buf b = {0};
    xs__buf_printf(&b, "%s\nfitted %d\nn_hist %zu %zu %zu\nbeta", MODEL_MAGIC, en->fitted,
                   en->n_hist[0], en->n_hist[1], en->n_hist[2]);
    for (int j = 0; j < XS__OFFER_NFEAT; j++)
        xs__buf_printf(&b, " %.17g", en->beta[j]);
    xs__buf_addc(&b, '\n');
    const xs__intern *segs = &en->s->dict.segments;
    for (size_t sg = 0; sg < 256 && !b.err; sg++) {
        int ones = 1;
        for (int ch = 0; ch < XS_SNAP_N_CHANNELS; ch++)
            if (en->seg_factor[sg][ch] != 1.0) ones = 0;
        if (ones) continue;
        const char *name = sg == 255      ? "*"
                           : sg < segs->n ? xs__intern_str(segs, (uint32_t)sg)
                                          : NULL;
        if (!name || !name[0]) continue;
        xs__buf_adds(&b, "seg");
        for (int ch = 0; ch < XS_SNAP_N_CHANNELS; ch++)
            xs__buf_printf(&b, " %.17g", en->seg_factor[sg][ch]);
        xs__buf_printf(&b, " %s\n", name);
    }
    return xs__buf_take(&b, NULL);
}

/* Reads count numbers from *p (advanced). Returns 0 or -1. */
static int read_nums(const char **p, double *out, int count)
{
    for (int i = 0; i < count; i++) {
        char *end;
        out[i] = strtod(*p, &end);
        if (end == *p) return -1;
        *p = end;
    }
    return 0;
}

/* Contract in offer_int.h. */
int xs__offer_model_read(xs_offer_engine *en, const char *text, xs_error *err)
{
    const char *p = text;
    long line = 1;
    double v[XS__OFFER_NFEAT];
    size_t ml = strlen(MODEL_MAGIC);
    if (strncmp(p, MODEL_MAGIC "\n", ml + 1)) goto bad;
    p += ml + 1;
    line++;
    if (strncmp(p, "fitted ", 7)) goto bad;
    p += 7;
    if (read_nums(&p, v, 1) < 0 || *p++ != '\n') goto bad;
    en->fitted = v[0] != 0;
    line++;
    if (strncmp(p, "n_hist", 6)) goto bad;
    p += 6;
    if (read_nums(&p, v, 3) < 0 || *p++ != '\n') goto bad;
    for (int k = 0; k < XS_OFFER_N_KINDS; k++)
        en->n_hist[k] = v[k] < 0 ? 0 : (size_t)v[k];
    line++;
    if (strncmp(p, "beta", 4)) goto bad;
    p += 4;
    if (read_nums(&p, v, XS__OFFER_NFEAT) < 0 || *p++ != '\n') goto bad;
    memcpy(en->beta, v, sizeof en->beta);
    for (int sg = 0; sg < 256; sg++)
        for (int ch = 0; ch < XS_SNAP_N_CHANNELS; ch++)
            en->seg_factor[sg][ch] = 1.0;
    while (*p) {
        line++;
        if (strncmp(p, "seg", 3)) goto bad;
        p += 3;
        if (read_nums(&p, v, XS_SNAP_N_CHANNELS) < 0 || *p++ != ' ') goto bad;
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        uint32_t sg = 256;
        if (len == 1 && *p == '*')
            sg = 255;
        else {
            uint32_t c = xs__intern_find(&en->s->dict.segments, p, len);
            if (c != XS_INTERN_NONE && c < 255) sg = c;
        }
        if (sg < 256) /* a segment the snapshot no longer has is skipped */
            for (int ch = 0; ch < XS_SNAP_N_CHANNELS; ch++)
                en->seg_factor[sg][ch] = v[ch];
        p += len;
        if (*p == '\n') p++;
    }
    return XS_OK;
bad:
    return xs__error_cond(err, XS_COND_MODEL_DAMAGED,
                          xs__error_set(err, XS_EPARSE, "builds.model", line, NULL,
                                        "damaged stored model"));
}

/* Contract in offer_int.h. */
int xs__offer_engine_open_with(const xs_snapshot *s, const xs_offer_config *c,
                               const char *as_of, const char *day, const char *model,
                               const xs__offer_churn_file *churn,
                               const xs_experiment *exp, size_t n_exp,
                               xs_offer_engine **out, xs_error *err)
{
    char now[11];
    xs_offer_engine *en = NULL;
    *out = NULL;
    int rc = xs__offer_engine_create(s, c, as_of, 0, churn, &en, err);
    if (rc < 0) goto cleanup;
    if ((rc = xs_offer_engine_set_experiments(en, exp, n_exp, err)) < 0) goto cleanup;
    xs_offer_engine_as_of(en, now);
    snprintf(en->model_day, sizeof en->model_day, "%s", day);
    if (!strcmp(now, day)) {
        rc = xs__offer_model_read(en, model, err);
        if (rc < 0) goto cleanup;
        en->model_src = 1;
    } else {
        /* the build learnt from outcomes up to another day: deciding as of
         * this one with it would use outcomes not known yet (or miss some) */
        if ((rc = xs__offer_fit(en)) < 0) {
            xs__error_set(err, rc, NULL, 0, NULL, "out of memory");
            goto cleanup;
        }
        en->model_src = 2;
    }
    *out = en;
    en = NULL;
    rc = XS_OK;
cleanup:
    xs_offer_engine_free(en);
    return rc;
}

/* Contract in xsell.h. */
int xs_offer_engine_open(xs_store *st, const xs_snapshot *s, const xs_offer_config *c,
                         const char *as_of, xs_offer_engine **out, xs_error *err)
{
    char day[11], built[21], sha[65];
    char *model = NULL, *cname = NULL, *ctext = NULL;
    size_t clen = 0;
    xs_experiment *exp = NULL;
    *out = NULL;
    int rc = xs_store_build_get(st, day, built, &model, err);
    if (rc < 0) return rc;
    if (rc == 0)
        return xs__error_cond(
            err, XS_COND_NOT_BUILT,
            xs__error_set(err, XS_ENOTFOUND, NULL, 0, NULL, "store was never built"));
    /* the churn model attached to the build (xs_offer_churn_attach) */
    rc = xs_store_build_churn_get(st, &cname, sha, &ctext, &clen, err);
    if (rc < 0) goto cleanup;
    xs__offer_churn_file cf = {cname, ctext, clen};
    int has_churn = rc == 1;
    long n_exp = xs_store_experiments(st, &exp, err);
    if (n_exp < 0) {
        rc = (int)n_exp;
        goto cleanup;
    }
    rc = xs__offer_engine_open_with(s, c, as_of, day, model, has_churn ? &cf : NULL, exp,
                                    (size_t)n_exp, out, err);
cleanup:
    xs_store_experiments_free(exp);
    xs_store_build_free(model);
    xs_store_build_free(cname);
    xs_store_build_free(ctext);
    return rc;
}

/* Contract in xsell.h. */
int xs_offer_build(xs_store *st, const xs_snapshot *s, const xs_offer_config *c,
                   const char *as_of, xs_offer_build_info *info, xs_error *err)
{
    return xs_offer_build_open(st, s, c, as_of, info, NULL, err);
}

/* The engine en that fitted the build of day just stored (model its text),
 * turned into the engine xs_offer_engine_open() gives on that build: the
 * store's experiments, the propensity model read back from its text. Sets
 * *out to en (taken) or, when the build carries a churn model (which the
 * engine must be created with), leaves it NULL. */
static int reopen_built(xs_store *st, xs_offer_engine **en, const char *day,
                        const char *model, xs_offer_engine **out, xs_error *err)
{
    char *cname = NULL, *ctext = NULL, sha[65];
    size_t clen = 0;
    xs_experiment *exp = NULL;
    int rc = xs_store_build_churn_get(st, &cname, sha, &ctext, &clen, err);
    xs_store_build_free(cname);
    xs_store_build_free(ctext);
    if (rc != 0) return rc < 0 ? rc : XS_OK; /* a churn model: the caller opens */
    long n_exp = xs_store_experiments(st, &exp, err);
    if (n_exp < 0) return (int)n_exp;
    rc = xs__offer_engine_as_built(*en, day, model, exp, (size_t)n_exp, err);
    xs_store_experiments_free(exp);
    if (rc < 0) return rc;
    *out = *en;
    *en = NULL;
    return XS_OK;
}

/* Contract in offer_int.h. */
int xs__offer_engine_as_built(xs_offer_engine *en, const char *day, const char *model,
                              const xs_experiment *exp, size_t n_exp, xs_error *err)
{
    int rc = xs_offer_engine_set_experiments(en, exp, n_exp, err);
    if (rc < 0) return rc;
    snprintf(en->model_day, sizeof en->model_day, "%s", day);
    if ((rc = xs__offer_model_read(en, model, err)) < 0) return rc;
    en->model_src = 1;
    return XS_OK;
}

/* Contract in xsell.h. */
int xs_offer_build_open(xs_store *st, const xs_snapshot *s, const xs_offer_config *c,
                        const char *as_of, xs_offer_build_info *info,
                        xs_offer_engine **out, xs_error *err)
{
    xs_offer_engine *en = NULL;
    char *text = NULL;
    char day[11], built[21];
    if (out) *out = NULL;
    int rc = xs_offer_engine_new(s, c, as_of, &en, err);
    if (rc < 0) return rc;
    text = xs__offer_model_text(en);
    if (!text) {
        rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
        goto cleanup;
    }
    xs_offer_engine_as_of(en, day);
    xs__utc_now(built);
    rc = xs_store_build_put(st, day, built, text, err);
    if (rc < 0) goto cleanup;
    if (info) {
        memset(info, 0, sizeof *info);
        memcpy(info->as_of, day, sizeof day);
        memcpy(info->built_at, built, sizeof built);
        info->fitted = en->fitted;
        memcpy(info->n_hist, en->n_hist, sizeof info->n_hist);
    }
    if (out) rc = reopen_built(st, &en, day, text, out, err);
cleanup:
    xs__free(text);
    xs_offer_engine_free(en);
    return rc;
}

/* Contract in xsell.h. */
int xs_offer_log_fill(const xs_offer_engine *en, const xs_offer *o, xs_offer_record *r)
{
    static const char *const kinds[] = {"upsell", "cross_sell", "downsell"};
    const struct xs_snapshot *s = en->s;
    if (o->rank <= 0 || o->channel < 0 || (unsigned)o->kind >= XS_OFFER_N_KINDS)
        return XS_EINVAL;
    int32_t p = o->to_product >= 0 ? o->to_product : o->from_product;
    if (p < 0) return XS_EINVAL;
    memset(r, 0, sizeof *r);
    r->customer_id = xs__intern_str(&s->cust.ids, o->customer);
    r->product_id = xs__intern_str(&s->prod.ids, (uint32_t)p);
    r->kind = kinds[o->kind];
    r->channel = xs_offer_channel_name(o->channel);
    xs_offer_engine_as_of(en, r->sent_at);
    const char *from = o->from_product >= 0 && o->to_product >= 0
                           ? xs__intern_str(&s->prod.ids, (uint32_t)o->from_product)
                           : "";
    if (strpbrk(from, "\"\\")) from = ""; /* never break the JSON */
    snprintf(r->attrs, sizeof r->attrs, "{\"trigger\":\"%s\",\"from\":\"%.80s\"}",
             xs_offer_trigger_name(o->trigger), from);
    return XS_OK;
}
