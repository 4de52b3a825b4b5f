#!/bin/sh
# bench_escape.sh — `xsell export` (the record writer, whose every CSV field
# and JSON string goes through src/base/escape.c) against a BASE binary
# built from an earlier commit, in the same run: each table and format is
# exported to /dev/null by both, alternating, RUNS times (default 5); the
# best wall time of each counts, and ratio is ours / base (below 1: ours is
# faster). The load average is printed next to the numbers.
#
# usage: BASE=xsell-of-main [RUNS=5] [TABLES="customers orders"]
#        bench/bench_escape.sh XSELL STORE
# STORE is only read, but SQLite may touch it: give a copy, not shared data.
set -eu
XS=${1:?usage: BASE=... bench/bench_escape.sh XSELL STORE}
DB=${2:?store}
BASE=${BASE:?BASE=another xsell binary}
RUNS=${RUNS:-5}
TABLES=${TABLES:-"customers orders"}
best() { # best wall time of "$@" over RUNS runs, interleaved by the caller
    s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N)
    echo "$e - $s" | bc
}
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-10s %-6s %8s %8s %6s\n' table format base_s ours_s ratio
for t in $TABLES; do
    for f in csv jsonl; do
        b=999; o=999
        i=0
        while [ $i -lt "$RUNS" ]; do
            x=$(best "$BASE" export --db "$DB" --format $f $t)
            b=$(echo "if ($x < $b) $x else $b" | bc)
            x=$(best "$XS" export --db "$DB" --format $f $t)
            o=$(echo "if ($x < $o) $x else $o" | bc)
            i=$((i + 1))
        done
        printf '%-10s %-6s %8.3f %8.3f %6.3f\n' $t $f "$b" "$o" "$(echo "scale=3; $o / $b" | bc)"
    done
done
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
