#!/bin/sh
# bench_serve_dispatch.sh — the server's own CPU per request of the read
# routes (bench_serve_dispatch.c: requests driven in-process, no sockets)
# for xsell and a baseline, alternating, with the ratio per route. Both are
# bench_serve_dispatch programs: this tree's (build-rel/bench_serve_dispatch)
# and one built in the baseline's tree with this file's .c copied into its
# bench/ (cmake builds every bench/bench_*.c), e.g.
#
#   git -C REPO archive BASE_COMMIT | tar -x -C /tmp/base
#   cp bench/bench_serve_dispatch.c /tmp/base/bench/
#   cmake -S /tmp/base -B /tmp/base/build -DCMAKE_BUILD_TYPE=Release
#   cmake --build /tmp/base/build --target bench_serve_dispatch
#
#   bench/bench_serve_dispatch.sh XS_PROG BASE_PROG DB MODEL.xsm [SECONDS] [ROUNDS]
#
# DB is the store MODEL was built from; each run adds a read API key to it
# (use a copy). SECONDS (default 2) per route and program, ROUNDS (default
# 3) alternations; every run on CPU 1 (taskset) when there is one.
set -eu
XS=$1
BASE=$2
DBF=$3
MODEL=$4
SECS=${5:-2}
ROUNDS=${6:-3}
PIN=""
command -v taskset >/dev/null && [ "$(nproc)" -gt 1 ] && PIN="taskset -c 1"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
r=1
while [ "$r" -le "$ROUNDS" ]; do
    echo "round $r of $ROUNDS, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    $PIN "$XS" "$DBF" "$MODEL" "$SECS" >"$T/xs"
    $PIN "$BASE" "$DBF" "$MODEL" "$SECS" >"$T/base"
    # path status bytes "bytes" us "us/request": the same paths in order
    paste -d' ' "$T/xs" "$T/base" | awk '{
        if ($3 != $9) print "bench_serve_dispatch: note: " $1 " answers " $3 " bytes, the baseline " $9
        printf "%-56s xsell %7.3f us  baseline %7.3f us  ratio %.3f\n", $1, $5, $11, $5 / $11 }'
    r=$((r + 1))
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
