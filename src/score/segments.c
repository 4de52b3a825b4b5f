/*
 * segments.c — rule-based customer segments.
 *
 * The rules are checked in order and the first that matches wins, so each
 * customer has exactly one segment (docs/scores.md lists them with their
 * reasons):
 *   new          tenure < new_days (too early to judge)
 *   hibernating  no active subscription and no order within active_days
 *   at_risk      an open critical ticket, or a cancel_request within
 *                cancel_window_days (signals, whatever the coverage)
 *   unknown      coverage too low to judge (health.c, xs__score_health_unknown:
 *                fewer than min_components components with data, or no
 *                activity component while need_activity): a partial
 *                health is not a verdict, neither at_risk nor champion
 *   at_risk      health < at_risk_health
 *   champion     health >= champion_health and tenure >= loyal_tenure_days
 *   loyal        health >= loyal_health and tenure >= loyal_tenure_days
 *   promising    health >= promising_health
 *   needs_attention  everyone else
 * A customer whose health is NaN (no weighted component has data) is
 * needs_attention unless an earlier rule matched.
 */
#include "score/segments.h"

#include <math.h>
#include <string.h>

static const char *const seg_names[XS_SEG_N] = {
    "new",       "hibernating", "at_risk",         "champion",
    "loyal",     "promising",   "needs_attention", "unknown",
};

const char *xs_segment_name(xs_segment s)
{
    return (unsigned)s < XS_SEG_N ? seg_names[s] : NULL;
}

int xs_segment_parse(const char *s, xs_segment *out)
{
    char buf[32];
    size_t n = strlen(s);
    if (n >= sizeof buf) return XS_ENOTFOUND;
    for (size_t i = 0; i <= n; i++)
        buf[i] = (s[i] == '-' || s[i] == ' ') ? '_' : s[i];
    for (int i = 0; i < XS_SEG_N; i++)
        if (!strcmp(buf, seg_names[i])) {
            *out = (xs_segment)i;
            return XS_OK;
        }
    return XS_ENOTFOUND;
}

xs_segment xs__score_segment_of(const xs_health_config *c, double health,
                                double tenure_days, unsigned flags)
{
    if (!isnan(tenure_days) && tenure_days < c->new_days) return XS_SEG_NEW;
    if (!(flags & XS__CS_ACTIVE)) return XS_SEG_HIBERNATING;
    if (flags & (XS__CS_OPEN_CRITICAL | XS__CS_CANCEL)) return XS_SEG_AT_RISK;
    if (flags & XS__CS_UNKNOWN) return XS_SEG_UNKNOWN;
    if (health < c->at_risk_health) return XS_SEG_AT_RISK;
    int long_tenure = tenure_days >= c->loyal_tenure_days;
    if (health >= c->champion_health && long_tenure) return XS_SEG_CHAMPION;
    if (health >= c->loyal_health && long_tenure) return XS_SEG_LOYAL;
    if (health >= c->promising_health) return XS_SEG_PROMISING;
    return XS_SEG_NEEDS_ATTENTION;
}

void xs__score_segments_assign(xs_customer_scores *cs)
{
    for (size_t i = 0; i < cs->n; i++)
        cs->segment[i] = (uint8_t)xs__score_segment_of(
            &cs->cfg, cs->health[i], cs->raw[XS_HEALTH_TENURE][i], cs->flags[i]);
}
