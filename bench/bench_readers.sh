#!/bin/sh
# bench_readers.sh — the two slow readers of a model file, one binary
# against another in the same run: `recommend --all --format csv` and
# `customers` (the aligned table), timed alternately (old, new, old, new,
# ...) by /usr/bin/time after one untimed run of each, with the median
# wall and CPU seconds of each binary, their ratio (new / old) and the load
# average before and after. The outputs of the two binaries are compared
# byte for byte (cmp) on the first timed run of each command; a difference
# is reported and fails the script.
#
#   bench/bench_readers.sh OLD_XSELL NEW_XSELL MODEL [RUNS]
#
# MODEL: a model file (`xsell build --db S --out MODEL`); RUNS: timed runs
# of each binary per command (default 3).
set -eu
OLD=$1
NEW=$2
MODEL=$3
RUNS=${4:-3}
command -v /usr/bin/time >/dev/null || { echo "bench_readers: /usr/bin/time not found" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/bench_readers.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM

# median of the numbers on stdin
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# one NAME ARGS...: times both binaries on ARGS, RUNS times each, alternately
one() {
    name=$1
    shift
    "$OLD" "$@" >/dev/null 2>&1
    "$NEW" "$@" >/dev/null 2>&1
    : >"$T/old.t"
    : >"$T/new.t"
    for i in $(seq "$RUNS"); do
        for who in old new; do
            bin=$OLD
            [ "$who" = new ] && bin=$NEW
            if [ "$i" = 1 ]; then out=$T/$who.out; else out=/dev/null; fi
            /usr/bin/time -f "%e %U %S" -o "$T/t" "$bin" "$@" >"$out" 2>/dev/null
            tail -1 "$T/t" >>"$T/$who.t"
        done
    done
    same=identical
    cmp -s "$T/old.out" "$T/new.out" || same=DIFFERENT
    rm -f "$T/old.out" "$T/new.out"
    ow=$(awk '{print $1}' "$T/old.t" | median)
    nw=$(awk '{print $1}' "$T/new.t" | median)
    oc=$(awk '{print $2 + $3}' "$T/old.t" | median)
    nc=$(awk '{print $2 + $3}' "$T/new.t" | median)
    printf '%-18s old %7.2f s wall %7.2f s cpu   new %7.2f s wall %7.2f s cpu   new/old wall %.2f cpu %.2f   output %s\n' \
        "$name" "$ow" "$oc" "$nw" "$nc" "$(echo "$nw $ow" | awk '{print $1 / $2}')" \
        "$(echo "$nc $oc" | awk '{print $1 / $2}')" "$same"
    [ "$same" = identical ]
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg); $RUNS runs of each binary, medians"
status=0
one "recommend --all" recommend --all --model "$MODEL" --format csv || status=1
one "customers" customers --model "$MODEL" || status=1
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
