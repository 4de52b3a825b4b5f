#!/bin/sh
# bench_table_write.sh — the table writer (src/io/table.c: every
# `--format table|csv|json` of the readers) against a BASE binary, in the
# same run: `xsell customers --model MODEL --format F` for each format, to
# /dev/null, alternating RUNS times (default 5); the best user+sys CPU
# seconds of each count (CPU time moves less than wall time with the load
# of a shared machine), and ratio is ours / base. The load average is
# printed next to the numbers.
#
# usage: BASE=xsell-of-main [RUNS=5] bench/bench_table_write.sh XSELL MODEL.xsm
set -eu
XS=${1:?usage: BASE=... bench/bench_table_write.sh XSELL MODEL}
MODEL=${2:?model file}
BASE=${BASE:?BASE=another xsell binary}
RUNS=${RUNS:-5}
T=$(mktemp)
trap 'rm -f "$T"' EXIT
cpu() { # user+sys seconds of one run of "$@"
    /usr/bin/time -o "$T" -f "%U %S" "$@" >/dev/null 2>&1
    awk '{print $1 + $2}' "$T"
}
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %8s %8s %6s\n' format base_s ours_s ratio
for f in csv json table; do
    b=999; o=999; i=0
    while [ $i -lt "$RUNS" ]; do
        x=$(cpu "$BASE" customers --model "$MODEL" --format $f)
        b=$(echo "if ($x < $b) $x else $b" | bc)
        x=$(cpu "$XS" customers --model "$MODEL" --format $f)
        o=$(echo "if ($x < $o) $x else $o" | bc)
        i=$((i + 1))
    done
    printf '%-8s %8.2f %8.2f %6.3f\n' $f "$b" "$o" "$(echo "scale=3; $o / $b" | bc)"
done
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
