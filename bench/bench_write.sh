#!/bin/sh
# bench_write.sh — the text writers against a baseline binary, alternating
# runs in one script: `xsell gen` (every file built in its row buffer) and
# `xsell rules` / `xsell itemsets --stream` on the FIMI and Groceries data in
# the three formats, written to /dev/null. Prints CPU seconds (user+sys, GNU
# time, best of $REPS) of each and the ratio ours / baseline, and the load
# average before and after.
#
#   BASE=/path/to/baseline/xsell sh bench/bench_write.sh [XSELL_BINARY]
#   (default build/xsell, Release; GEN=300000 customers, REPS=5)
set -eu
cd "$(dirname "$0")/.."
XS=${1:-build/xsell}
BASE=${BASE:?give BASE=baseline xsell}
REPS=${REPS:-5}
GEN=${GEN:-300000}
D=../shared/data
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# cpu BIN ARGS...: best user+sys seconds of REPS runs, stdout to /dev/null
cpu() {
    bin=$1
    shift
    best=
    i=0
    while [ $i -lt "$REPS" ]; do
        rm -rf "$TMP/gen"
        /usr/bin/time -f '%U %S' -o "$TMP/t" "$bin" "$@" >/dev/null 2>"$TMP/err" ||
            { cat "$TMP/err" >&2; exit 1; }
        t=$(awk '{ printf "%.2f", $1 + $2 }' "$TMP/t")
        best=$(echo "$best $t" | awk '{ print ($1 == "" || $2 < $1) ? $NF : $1 }')
        i=$((i + 1))
    done
    echo "$best"
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| run | baseline cpu s | ours cpu s | ours / baseline |"
echo "|---|---:|---:|---:|"
row() {
    name=$1
    shift
    b=$(cpu "$BASE" "$@")
    o=$(cpu "$XS" "$@")
    echo "| $name | $b | $o | $(echo "$o $b" | awk '{ printf "%.3f", ($2 > 0) ? $1 / $2 : 0 }') |"
}
row "gen --customers $GEN" gen --customers "$GEN" --out "$TMP/gen"
for f in table csv json; do
    row "rules T10I4D100K multi-rhs ($f)" rules --input $D/fimi/T10I4D100K.dat \
        --min-support 0.002 --min-confidence 0.5 --multi-rhs --format $f
    row "rules groceries ($f)" rules --input $D/groceries/groceries.csv \
        --input-format basket --min-support 0.0005 --min-confidence 0.3 --format $f
    row "itemsets retail --stream ($f)" itemsets --input $D/fimi/retail.dat \
        --min-support 0.00005 --stream --format $f
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
