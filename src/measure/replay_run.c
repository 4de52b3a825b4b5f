/*
 * replay_run.c — `xsell replay` as a library call: read a replay policy
 * file, decide every logged decision of a window again under it, feed the
 * estimators of replay.c, and render the result (table, JSON).
 *
 * Replay works on the logged candidates, not on the store's data: each
 * decision logged what the engine saw (kind, P(accept), value, the
 * customer's health, the logging policy's probability of each candidate;
 * src/offer/explore.c). So the settings it can apply are those that act on
 * a slot's candidates: exploration (xs_policy_probs, the function the
 * engine itself decides with), max_offers (slots beyond it offer nothing)
 * and min_health (growth offers to customers below it are removed).
 * Settings that change which candidates exist (usage_high, rules, ...)
 * cannot be replayed from a log and are refused by name.
 */
#include "base/alloc.h"
#include "base/date.h"
#include "base/error.h"
#include "base/hash.h"
#include "measure/replay.h"

#include "xsell.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* The policy file                                                        */
/* ---------------------------------------------------------------------- */

static const char *const replayable[] = {
    "control_share",   "epsilon_upsell",      "epsilon_cross_sell", "epsilon_downsell",
    "thompson_upsell", "thompson_cross_sell", "thompson_downsell",  "explore_seed",
    "max_offers",      "min_health",
};

static int is_replayable(const char *name)
{
    for (size_t i = 0; i < sizeof replayable / sizeof replayable[0]; i++)
        if (!strcmp(replayable[i], name)) return 1;
    return 0;
}

/* Trims spaces and tabs at both ends of s in place. */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* Contract in xsell.h. */
int xs_replay_policy_read(const char *path, xs_offer_config *cfg, char *text,
                          size_t n_text, xs_error *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return xs__error_set(err, XS_EIO, path, 0, NULL, "cannot open: %s",
                             strerror(errno));
    xs_offer_config_init(cfg);
    if (n_text) text[0] = '\0';
    char line[512];
    long ln = 0;
    int rc = XS_OK;
    size_t used = 0;
    while (fgets(line, sizeof line, f)) {
        ln++;
        if (!strchr(line, '\n') && !feof(f)) {
            rc = xs__error_set(err, XS_EINVAL, path, ln, NULL,
                               "line longer than %zu bytes", sizeof line - 2);
            break;
        }
        line[strcspn(line, "\n")] = '\0';
        char *hash = strchr(line, '#');
        if (hash) *hash = '\0';
        char *s = trim(line);
        if (!*s) continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            char q[120];
            xs__error_quote(q, sizeof q, s, strlen(s));
            rc = xs__error_set(err, XS_EINVAL, path, ln, NULL,
                               "expected name=value, got %s", q);
            break;
        }
        *eq = '\0';
        char *name = trim(s), *val = trim(eq + 1);
        char spec[300];
        snprintf(spec, sizeof spec, "%s=%s", name, val);
        xs_offer_config tmp = *cfg;
        if (xs_offer_config_set(&tmp, spec, name, err) < 0) {
            /* the engine's message, placed at the line: "name: what" */
            char msg[sizeof err->message];
            size_t nl = strlen(name);
            const char *m = err->message; /* "name: what" from the setting's check */
            if (!strncmp(m, name, nl) && !strncmp(m + nl, ": ", 2)) m += nl + 2;
            snprintf(msg, sizeof msg, "%s", m);
            rc = xs__error_set(err, XS_EINVAL, path, ln, name, "%s", msg);
            break;
        }
        if (!is_replayable(name)) {
            rc = xs__error_set(err, XS_EINVAL, path, ln, name,
                               "replay cannot apply this setting to logged decisions (it "
                               "changes the candidates)");
            break;
        }
        *cfg = tmp;
        if (n_text && used < n_text) {
            int k = snprintf(text + used, n_text - used, "%s%s", used ? "," : "", spec);
            if (k > 0) used += (size_t)k;
        }
    }
    if (rc == XS_OK && ferror(f))
        rc = xs__error_set(err, XS_EIO, path, 0, NULL, "read error");
    fclose(f);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* Deciding the logged decisions again                                    */
/* ---------------------------------------------------------------------- */

/* Contract in replay.h. min_health: growth offers to customers below it
 * are removed; a customer of unknown health is left as the engine judged
 * it. */
int xs__measure_replay_keeps(const xs_offer_config *cfg, int growth, double health)
{
    return !(growth && isfinite(health) && health < cfg->min_health);
}

/* Contract in replay.h. */
void xs__measure_replay_new_probs(const xs_offer_config *cfg, int slot,
                                  xs_policy_cand *pc, const size_t *at, size_t m,
                                  uint64_t seed, double *p_new)
{
    if (!m || (double)slot > cfg->max_offers) return;
    xs_policy_probs(cfg, 1, pc, m, seed);
    for (size_t j = 0; j < m; j++)
        p_new[at[j]] = pc[j].prob;
}

typedef struct run {
    const xs_offer_config *cfg;
    xs_replay *rp;
    xs_replay_result *r;
    xs_error *err;
    size_t n_seen;
} run;

static int one(void *ctx, const xs_logged_decision *d)
{
    run *u = ctx;
    const xs_offer_config *cfg = u->cfg;
    u->n_seen++;
    if (!u->r->from[0] || strcmp(d->decided_at, u->r->from) < 0)
        snprintf(u->r->from, sizeof u->r->from, "%s", d->decided_at);
    if (strcmp(d->decided_at, u->r->to) > 0)
        snprintf(u->r->to, sizeof u->r->to, "%s", d->decided_at);
    if (!isfinite(d->propensity)) {
        u->r->n_no_propensity++;
        return 0;
    }
    if (!d->outcome || !strcmp(d->outcome, "pending")) {
        u->r->n_pending++;
        return 0;
    }
    xs__measure_replay_cand c[XS_OFFER_MAX_CANDIDATES];
    size_t n = 0;
    if (xs__measure_replay_cands_read(d->candidates, c, XS_OFFER_MAX_CANDIDATES, &n) <
            0 ||
        !n || d->chosen < 0 || (size_t)d->chosen >= n)
        return xs__error_set(u->err, XS_EPARSE, NULL, 0, "candidates",
                             "decision %lld: not a list of candidates", d->decision_id);
    double p_log[XS_OFFER_MAX_CANDIDATES], p_new[XS_OFFER_MAX_CANDIDATES],
        q[XS_OFFER_MAX_CANDIDATES], value[XS_OFFER_MAX_CANDIDATES];
    xs_policy_cand pc[XS_OFFER_MAX_CANDIDATES];
    size_t at[XS_OFFER_MAX_CANDIDATES], m = 0;
    for (size_t i = 0; i < n; i++) {
        xs_offer_kind k;
        p_log[i] = c[i].prob;
        value[i] = c[i].value;
        if (xs_offer_kind_parse(c[i].kind, &k) < 0 || !isfinite(p_log[i]) ||
            !isfinite(value[i]) || !isfinite(c[i].p_accept) || !isfinite(c[i].ev))
            return xs__error_set(
                u->err, XS_EPARSE, NULL, 0, "candidates",
                "decision %lld: candidate %zu lacks kind, p_accept, value,"
                " ev or prob",
                d->decision_id, i + 1);
        q[i] = c[i].p_accept * value[i]; /* the expected reward: P(accept) x value */
        p_new[i] = 0;
        if (!xs__measure_replay_keeps(cfg, c[i].growth, c[i].health)) continue;
        pc[m].kind = k;
        pc[m].p_accept = c[i].p_accept;
        pc[m].value = value[i];
        pc[m].ev = c[i].ev;
        pc[m].strength = c[i].strength;
        at[m++] = i;
    }
    uint64_t seed = xs__mix64((uint64_t)d->decision_id * 0x9e3779b97f4a7c15ULL ^
                              (uint64_t)cfg->explore_seed);
    xs__measure_replay_new_probs(cfg, d->slot, pc, at, m, seed, p_new);
    size_t ch = (size_t)d->chosen;
    double reward = 0;
    if (!strcmp(d->outcome, "accepted"))
        reward = isfinite(d->revenue_delta) ? d->revenue_delta : value[ch];
    if (!(p_log[ch] > 0))
        return xs__error_set(u->err, XS_EPARSE, NULL, 0, "candidates",
                             "decision %lld: the chosen candidate has probability 0",
                             d->decision_id);
    return xs_replay_add(u->rp, n, p_log, p_new, q, ch, reward);
}

/* Contract in xsell.h. */
int xs_replay_run(xs_store *st, const xs_offer_config *policy, const char *from,
                  const char *to, xs_replay_result *r, xs_error *err)
{
    memset(r, 0, sizeof *r);
    const char *day[2] = {from, to}, *opt[2] = {"from", "to"};
    for (int i = 0; i < 2; i++) {
        int32_t d;
        if (day[i] && xs__date_param_day(day[i], opt[i], &d, err) < 0) return XS_EINVAL;
    }
    if (from && to && strcmp(from, to) > 0)
        return xs__error_param(err, XS_EINVAL, NULL, "to",
                               "%s is before the start of the range (from %s)", to, from);
    run u = {policy, NULL, r, err, 0};
    int rc = xs_replay_new(&u.rp);
    if (rc < 0) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    long n = xs_store_decisions_scan(st, from, to, one, &u, err);
    if (n < 0) {
        rc = (int)n;
        goto cleanup;
    }
    if (n == 0) {
        rc = xs__error_cond(err, XS_COND_NO_DECISIONS,
                            xs__error_set(err, XS_ENOTFOUND, NULL, 0, NULL,
                                          "no logged decision between %s and %s",
                                          from ? from : "the first",
                                          to ? to : "the last"));
        goto cleanup;
    }
    if (r->n_no_propensity == (size_t)n) {
        rc = xs__error_set(err, XS_EINVAL, NULL, 0, NULL,
                           "none of the %ld logged decisions carries a propensity: replay"
                           " needs decisions logged with their propensities",
                           n);
        goto cleanup;
    }
    if (xs_replay_finish(u.rp, r) < 0) {
        rc =
            xs__error_cond(err, XS_COND_NO_OUTCOMES,
                           xs__error_set(err, XS_EINVAL, NULL, 0, NULL,
                                         "none of the %ld logged decisions has an outcome"
                                         " yet (%zu pending)",
                                         n, r->n_pending));
        goto cleanup;
    }
    rc = XS_OK;
cleanup:
    xs_replay_free(u.rp);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* Output                                                                 */
/* ---------------------------------------------------------------------- */

static json_t *estimate_json(const xs_replay_estimate *e)
{
    return json_pack("{s:f,s:f,s:f,s:f}", "value", e->value, "se", e->se, "ci_low", e->lo,
                     "ci_high", e->hi);
}

/* Contract in xsell.h. */
char *xs_replay_result_json(const xs_replay_result *r, const char *policy)
{
    json_t *o =
        json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:f,s:o,s:o,s:o,s:f,s:f,s:f,s:f}", "policy",
                  policy ? policy : "", "from", r->from, "to", r->to, "decisions",
                  (json_int_t)r->n_decisions, "pending", (json_int_t)r->n_pending,
                  "no_propensity", (json_int_t)r->n_no_propensity, "logged", r->logged,
                  "ips", estimate_json(&r->ips), "snips", estimate_json(&r->snips), "dr",
                  estimate_json(&r->dr), "ess", r->ess, "mean_weight", r->mean_weight,
                  "max_weight", r->max_weight, "no_support", r->no_support);
    if (!o) return NULL;
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    json_decref(o);
    return s;
}

/* Contract in xsell.h. */
int xs_replay_table(const xs_replay_result *r, xs_table *t)
{
    const struct {
        const char *name;
        xs_replay_estimate e;
    } rows[] = {
        {"ips", r->ips},
        {"snips", r->snips},
        {"dr", r->dr},
    };
    if (xs_table_column(t, "estimator", XS_COL_TEXT) < 0 ||
        xs_table_column(t, "value", XS_COL_NUM) < 0 ||
        xs_table_column(t, "se", XS_COL_NUM) < 0 ||
        xs_table_column(t, "ci_low", XS_COL_NUM) < 0 ||
        xs_table_column(t, "ci_high", XS_COL_NUM) < 0)
        return XS_ENOMEM;
    if (xs_table_row(t) < 0 || xs_table_cell(t, "logged") < 0 ||
        xs_table_cellf(t, "%.4f", r->logged) < 0 || xs_table_cell(t, NULL) < 0 ||
        xs_table_cell(t, NULL) < 0 || xs_table_cell(t, NULL) < 0)
        return XS_ENOMEM;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (xs_table_row(t) < 0 || xs_table_cell(t, rows[i].name) < 0 ||
            xs_table_cellf(t, "%.4f", rows[i].e.value) < 0 ||
            xs_table_cellf(t, "%.4f", rows[i].e.se) < 0 ||
            xs_table_cellf(t, "%.4f", rows[i].e.lo) < 0 ||
            xs_table_cellf(t, "%.4f", rows[i].e.hi) < 0)
            return XS_ENOMEM;
    return XS_OK;
}
