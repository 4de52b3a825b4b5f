#!/bin/sh
# bench_build.sh — `xsell build` of one store by two binaries, alternately:
# a baseline (BASE, e.g. a build of the commit before a change) and XSELL.
# Each binary builds its own copy of the store (a build writes into the
# store: its build row and model path; and a newer binary may migrate the
# schema, which an older one then refuses), RUNS times in turn, B X B X ...
# Prints each run's stage line (`model stages: ...` on stderr), wall and CPU
# (user + sys) seconds, peak RSS and page faults (minor: pages the kernel
# handed out, zeroed or read from its cache) from /usr/bin/time, then the ratios
# XSELL / BASE of each pair. On a shared machine compare CPU seconds and
# ratios within a pair, and quote the load average printed before each run.
#
# Usage: sh bench/bench_build.sh BASE XSELL STORE [RUNS]   (RUNS default 2)
# Scratch: $BENCH_DIR (default /tmp/xs_bench_build): two copies of STORE
# and two model files; removed at the end unless KEEP=1.
set -eu
BASE=${1:?usage: bench_build.sh BASE XSELL STORE [RUNS]}
XS=${2:?usage: bench_build.sh BASE XSELL STORE [RUNS]}
STORE=${3:?usage: bench_build.sh BASE XSELL STORE [RUNS]}
RUNS=${4:-2}
T=${BENCH_DIR:-/tmp/xs_bench_build}
mkdir -p "$T"
cp "$STORE" "$T/base.db"
cp "$STORE" "$T/new.db"
: > "$T/times"
one() { # label binary store model
    echo "== $1 $(uptime | sed 's/.*load/load/')"
    /usr/bin/time -f "$1 %e %U %S %M %R" -a -o "$T/times" "$2" build --db "$3" --out "$4" \
        2>&1 >/dev/null | grep '^model stages' || true
    tail -n 1 "$T/times" | awk '{printf "%s: wall %.2f s, cpu %.2f s (user %.2f), peak %d MB, faults %d\n",
        $1, $2, $3 + $4, $3, $5 / 1024, $6}'
}
i=1
while [ "$i" -le "$RUNS" ]; do
    one "base$i" "$BASE" "$T/base.db" "$T/base.xsm"
    one "new$i" "$XS" "$T/new.db" "$T/new.xsm"
    i=$((i + 1))
done
awk '{w[$1] = $2; c[$1] = $3 + $4}
     END {for (i = 1; ("base" i) in w; i++)
              if (("new" i) in w)
                  printf "pair %d: wall %.2f / %.2f s = %.2f, cpu %.2f / %.2f s = %.2f\n", i,
                      w["new" i], w["base" i], w["new" i] / w["base" i],
                      c["new" i], c["base" i], c["new" i] / c["base" i]}' "$T/times"
[ "${KEEP:-0}" = 1 ] || rm -rf "$T"
