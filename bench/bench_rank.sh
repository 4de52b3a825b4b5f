#!/bin/sh
# The personal ranking on Online Retail II: the evaluation of the chosen
# model and of every variant measured (bench/RESULTS.md, "Personal
# ranking"), then the time of `xsell rank --all` including the store read
# and the build.
#   sh bench/bench_rank.sh [XSELL]      (default build/xsell)
# Needs ../shared/data/online_retail_ii; prints "skipped" without it.
set -eu
XS=${1:-build/xsell}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=$(cd "$ROOT/.." && pwd)/shared/data/online_retail_ii/online_retail_II_year_2009_2010.csv
if [ ! -r "$DATA" ]; then
    echo "skipped: $DATA is absent"
    exit 0
fi
DB=${TMPDIR:-/tmp}/xs_bench_rank.db
rm -f "$DB" "$DB-wal" "$DB-shm"
XSELL="$XS" DATA="$DATA" sh "$ROOT/examples/online-retail/run.sh" "$DB" >/dev/null 2>&1
EV="$XS evaluate --db $DB --cutoff 2010-09-01"
echo "== chosen model, with both baselines"
$EV
echo "== variants (nDCG@10, ratio to item-kNN): first row of evaluate with these options"
COS="--alpha 0.5 --beta 0.5 --user-pow 0 --seq-back 1 --neighbours 0 --half-life 0 --co-half-life 0"
while read -r opts; do
    # shellcheck disable=SC2086
    r=$($EV --format csv $opts | awk -F, '$1 == "xsell" {print $5 " " $10}')
    echo "$r  $opts"
done <<EOF2
$COS
$COS --neighbours 200
$COS --shrink 10
$COS --half-life 30
$COS --alpha 0.3 --beta 0.7
$COS --alpha 0.7 --beta 0.3
$COS --user-pow 0.5
$COS --user-pow 1
$COS --seq-back 0.5
$COS --trend-weight 0.1 --trend-days 30
$COS --user-pow 1 --half-life 30 --seq-back 0.5
--co-half-life 0 --neighbours 0
--co-half-life 15
--co-half-life 90
--co-half-life 180
--user-pow 0
--alpha 0.5
--neighbours 0
--neighbours 500
--neighbours 200
--shrink 5
--trend-weight 0.05
--trend-weight 0.3
--trend-pow 0.25
--trend-pow 0.5
--trend-weight 0.1 --trend-days 120 --trend-lag 245
--trend-pow 0.25 --trend-days 120 --trend-lag 245
EOF2
echo "== xsell rank --all (store read, build, 10 products for every customer)"
for i in 1 2 3; do
    /usr/bin/time -f "%e s  %M KB max RSS" "$XS" rank --db "$DB" --all --as-of 2010-12-10 >/dev/null
done
rm -f "$DB" "$DB-wal" "$DB-shm"
