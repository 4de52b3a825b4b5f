#!/bin/sh
# bench_shard.sh — a build split by customer shard against one build, in
# one run on one store: wall time and peak RSS of `xsell build` (the
# baseline binary BASE and XSELL), of each `xsell build --shard i/N` and of
# `xsell build --merge`, the ratios to XSELL's one build, and whether the
# merged model answers `targets`, `kpi`, `customers` and `recommend --all`
# byte for byte as the one build's model.
#
#   bench/bench_shard.sh XSELL STORE [N]
#
# XSELL: the binary (a Release build); STORE: an existing store, copied to
# a scratch directory first (the builds write the store's id and build into
# the copy, never into STORE); N shards (default 4). BASE=OLD_XSELL
# (environment) also times one build of an older binary on the same copy.
# DIR=PATH keeps the scratch files there (default: a temporary directory,
# removed at the end); REUSE=1 with DIR keeps the one builds (and the store
# copy) of a previous run there and times only the shards and the merge.
#
# Output: one line per command: wall seconds, peak RSS (MB), ratios to the
# one build; then "same answers: yes/no" per reader; the load average.
set -eu
XS=$1
SRC=$2
N=${3:-4}
BASE=${BASE:-}
command -v /usr/bin/time >/dev/null || { echo "bench_shard: /usr/bin/time not found" >&2; exit 1; }
if [ -n "${DIR:-}" ]; then
    T=$DIR
    mkdir -p "$T"
else
    T=$(mktemp -d "${TMPDIR:-/tmp}/bench_shard.XXXXXX")
    trap 'rm -rf "$T"' EXIT INT TERM
fi
REUSE=${REUSE:-0}
[ "$REUSE" = 1 ] && [ -s "$T/one.xsm" ] && [ -s "$T/results" ] || REUSE=0
[ "$REUSE" = 1 ] || cp "$SRC" "$T/s.db"
DB=$T/s.db

# run NAME CMD...: times CMD with /usr/bin/time -v; records NAME, wall s, MB
run() {
    name=$1
    shift
    /usr/bin/time -v "$@" >"$T/$name.out" 2>"$T/$name.time" || {
        cat "$T/$name.time" >&2
        echo "bench_shard: $name failed" >&2
        exit 1
    }
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$T/$name.time" |
        awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
    kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$T/$name.time")
    echo "$name $wall $((kb / 1024))" >>"$T/results"
}

uptime
if [ "$REUSE" = 1 ]; then
    grep -E '^(base_build|build) ' "$T/results" >"$T/results.keep"
    mv "$T/results.keep" "$T/results"
else
    : >"$T/results"
    if [ -n "$BASE" ]; then run base_build "$BASE" build --db "$DB" --out "$T/base.xsm"; fi
    run build "$XS" build --db "$DB" --out "$T/one.xsm"
fi
parts=""
i=0
while [ "$i" -lt "$N" ]; do
    run "shard_$i" "$XS" build --db "$DB" --shard "$i/$N" --out "$T/p$i.xsp"
    parts="$parts $T/p$i.xsp"
    i=$((i + 1))
done
# shellcheck disable=SC2086
run merge "$XS" build --merge --out "$T/merged.xsm" $parts
uptime

awk -v n="$N" '
    $1 == "build" { w0 = $2; m0 = $3 }
    { name[NR] = $1; w[NR] = $2; m[NR] = $3 }
    END {
        printf "%-14s %9s %9s %8s %8s\n", "command", "wall_s", "peak_MB", "wall/one", "MB/one"
        for (i = 1; i <= NR; i++) {
            printf "%-14s %9.1f %9d %8.2f %8.2f\n", name[i], w[i], m[i], w[i] / w0, m[i] / m0
            if (name[i] ~ /^shard_/) { sw += w[i]; if (m[i] > sm) sm = m[i] }
        }
        printf "%-14s %9.1f %9d %8.2f %8.2f\n", "shards, sum", sw, sm, sw / w0, sm / m0
    }' "$T/results"
for f in "$T"/shard_*.out "$T/merge.out"; do cat "$f"; done
grep -h "stages" "$T"/shard_*.time "$T/merge.time"
ls -l "$T"/p*.xsp "$T/one.xsm" "$T/merged.xsm" | awk '{print $5, $NF}'

for r in targets kpi customers "recommend --all"; do
    # shellcheck disable=SC2086
    "$XS" $r --model "$T/one.xsm" --format csv >"$T/a.csv" 2>/dev/null
    # shellcheck disable=SC2086
    "$XS" $r --model "$T/merged.xsm" --format csv >"$T/b.csv" 2>/dev/null
    if cmp -s "$T/a.csv" "$T/b.csv"; then same=yes; else same=no; fi
    echo "same answers, $r: $same ($(wc -l <"$T/a.csv") lines)"
done
