#!/bin/sh
# Uplift inside the offer engine (docs/offers.md "Uplift"): what valuing
# offers by uplift costs when the engine opens, and what it changes. The
# demo company with N customers (default 30000: its holdout experiments
# qualify) is generated and built once; then, in the same run, the baseline
# (uplift=0: P(accept) x value, today's engine) and uplift=1:
#   - opening the engine and deciding one customer (what every recommend
#     and serve start pays), best of 3 runs, and the ratio;
#   - deciding every customer (recommend --all): offered, held back by
#     negative_uplift, and the per-kind evidence.
#   sh bench/bench_uplift_engine.sh [XSELL] [N]   (default build/xsell, 30000)
set -eu
XS=${1:-build/xsell}
N=${2:-30000}
D=${TMPDIR:-/tmp}/xs_bench_uplift_engine.$$
mkdir -p "$D"
trap 'rm -rf "$D"' EXIT
"$XS" demo --db "$D/d.db" --customers "$N" >/dev/null 2>&1
best() { # best wall seconds of 3 runs of: recommend ... --set $1
    b=
    for i in 1 2 3; do
        t0=$(date +%s.%N)
        "$XS" recommend --db "$D/d.db" --customer C00000001 --set "$1" >/dev/null 2>&1
        t1=$(date +%s.%N)
        t=$(echo "$t1 - $t0" | bc)
        if [ -z "$b" ] || [ "$(echo "$t < $b" | bc)" = 1 ]; then b=$t; fi
    done
    echo "$b"
}
base=$(best uplift=0)
upl=$(best uplift=1)
printf "customers %s\n" "$N"
printf "engine open + one decision: propensity %.2f s, uplift %.2f s, ratio %.2fx\n" \
    "$base" "$upl" "$(echo "$upl / $base" | bc -l)"
for s in uplift=0 uplift=1; do
    "$XS" recommend --db "$D/d.db" --all --set "$s" --format csv >/dev/null 2>"$D/sum"
    off=$(awk '$1 == "offered" { print $2, $3 }' "$D/sum")
    neg=$(awk '$1 == "negative_uplift" { print $2 }' "$D/sum")
    echo "$s: offered (count, expected value) $off; negative_uplift ${neg:-0}"
done
sed -n '/^uplift evidence:/,$p' "$D/sum"
