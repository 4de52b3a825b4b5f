#!/bin/sh
# bench_progress.sh — which long commands show a progress bar on a terminal,
# and what the bar costs: one binary against another in the same run, each
# command run with stderr on a pty (util-linux script(1), stdout to
# /dev/null), alternately (old, new, old, new, ...), with the median wall
# seconds of each binary, their ratio (new / old), whether any bar line was
# drawn ("bar": "-" none, "yes" some) and the load average before and after.
#
#   bench/bench_progress.sh OLD_XSELL NEW_XSELL DB [RUNS] [--build]
#
# DB: a store that has been built (`xsell build --db DB`: the readers map
# DB.xsm); RUNS: timed runs of each binary per command (default 2);
# --build also times `build` (it rewrites DB.xsm: give a copy).
set -eu
OLD=$1
NEW=$2
DB=$3
RUNS=${4:-2}
BUILD=${5:-}
command -v script >/dev/null || { echo "bench_progress: script(1) not found" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/bench_progress.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM

median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
now() { date +%s.%N; }

# one NAME ARGS...: both binaries on ARGS under a pty, RUNS times each
one() {
    name=$1
    shift
    : >"$T/old.t"
    : >"$T/new.t"
    echo - >"$T/old.bar"
    echo - >"$T/new.bar"
    for i in $(seq "$RUNS"); do
        for who in old new; do
            bin=$OLD
            [ "$who" = new ] && bin=$NEW
            s=$(now)
            env -u XS_NO_PROGRESS script -qec "$bin $* >/dev/null" /dev/null >"$T/tty" 2>&1 ||
                { cat "$T/tty" >&2; echo "bench_progress: $who $name failed" >&2; exit 1; }
            e=$(now)
            echo "$e - $s" | bc >>"$T/$who.t"
            # a bar: a line drawn over with a carriage return
            if tr '\r' '\n' <"$T/tty" | grep -q '\[K$'; then echo yes >"$T/$who.bar"; fi
        done
    done
    o=$(median <"$T/old.t")
    n=$(median <"$T/new.t")
    printf '%-16s %8.2f %8.2f %6.2f   %-4s %-4s\n' "$name" "$o" "$n" "$(echo "$n / $o" | bc -l)" \
        "$(cat "$T/old.bar")" "$(cat "$T/new.bar")"
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-16s %8s %8s %6s   %-4s %-4s\n' command "old s" "new s" ratio "bar" "bar"
printf '%-16s %8s %8s %6s   %-4s %-4s\n' "" "" "" "" old new
[ "$BUILD" = --build ] && one build build --db "$DB"
one recommend_all recommend --db "$DB" --all --format csv
one targets targets --db "$DB" --format csv
one customers customers --db "$DB" --format csv
one kpi kpi --db "$DB"
one rank_all rank --db "$DB" --all --as-of 2026-07-01 --format csv
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
