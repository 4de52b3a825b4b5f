#!/bin/sh
# Uplift learners on the Hillstrom e-mail test (../shared/data/hillstrom):
# Womens E-Mail against No E-Mail, outcome visit, features recency, history,
# mens, womens, zip_code, newbie, channel. Five seeded, stratified 50/50
# splits (seeds 1-5); for each learner the held-out uplift@30% (overall and
# by_group), Qini and AUUC (scikit-uplift's conventions, docs/uplift.md),
# their means over the splits, and the random baseline measured on the same
# test rows (treated visit rate minus control visit rate: what uplift@30% of
# a random order expects; Qini and AUUC of a random order are 0). Then one
# split with 1,000 bootstrap resamples for the intervals.
#   sh bench/bench_uplift.sh [XSELL]      (default build/xsell)
# Target (issue 16): mean uplift@30% >= 0.066 (scikit-uplift's published
# pipeline on one 50/50 split); random is +0.0452 on the whole data.
set -eu
XS=${1:-build/xsell}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=$(cd "$ROOT/.." && pwd)/shared/data/hillstrom/hillstrom.csv
if [ ! -r "$DATA" ]; then
    echo "skipped: $DATA is absent"
    exit 0
fi
OUT=${TMPDIR:-/tmp}/xs_bench_uplift.$$
trap 'rm -f "$OUT"' EXIT
ev() {
    "$XS" uplift eval --input "$DATA" --treatment-col segment --treatment "Womens E-Mail" \
        --control "No E-Mail" --outcome visit \
        --features recency,history,mens,womens,zip_code,newbie,channel "$@"
}
echo "seed learner          uplift@30%  by_group    qini     auuc     seconds"
for seed in 1 2 3 4 5; do
    t0=$(date +%s.%N)
    ev --seed "$seed" --bootstrap 0 --format csv >"$OUT" 2>/dev/null
    t1=$(date +%s.%N)
    awk -F, -v seed="$seed" -v secs="$(echo "$t1 - $t0" | bc)" '
        NR > 1 { k = $1; if ($2 == "qini") q[k] = $4; else if ($2 == "auuc") u[k] = $4;
                 else if ($3 == "overall") o[k] = $4; else g[k] = $4;
                 if (!(k in seen)) { seen[k] = 1; order[++n] = k } }
        END { for (i = 1; i <= n; i++) { k = order[i];
                printf "%-4s %-15s %10.4f %9.4f %8.4f %8.4f %s\n", seed, k, o[k], g[k],
                       q[k], u[k], (k == "random" ? "" : sprintf("%.1f (both)", secs)) } }' "$OUT"
done | tee "$OUT.all"
echo
echo "mean over the 5 splits (ratio of uplift@30% to random)"
awk '{ o[$2] += $3; g[$2] += $4; q[$2] += $5; u[$2] += $6; n[$2]++ }
     END { for (k in n) r[k] = o[k] / n[k];
           for (k in n) printf "%-15s uplift@30%% %.4f (x%.3f)  by_group %.4f  qini %.4f  auuc %.4f\n",
                        k, r[k], r[k] / r["random"], g[k] / n[k], q[k] / n[k], u[k] / n[k] }' \
    "$OUT.all" | sort
rm -f "$OUT.all"
echo
echo "seed 1 with 1000 bootstrap resamples (95 % intervals)"
ev --seed 1 --bootstrap 1000
