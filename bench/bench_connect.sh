#!/bin/sh
# bench_connect.sh — the cost of a new connection to `xsell serve`: every
# request on its own connection (wrk with "Connection: close", GET
# /healthz), so each one goes through the acceptor (src/serve/admit.c:
# accept, waiting room, the check of its head, the hand-over to
# libmicrohttpd). Compared with a baseline binary in the same run,
# alternating; requests/s swing with what else runs on the machine, the
# server's CPU time per request (all its threads, from /proc) much less.
#
#   BASE=BASELINE_BINARY bench/bench_connect.sh [XSELL_BINARY] [SECONDS] [CONNECTIONS]
#
# Defaults: build/xsell, 5 s, 16 connections; RUNS=N rounds (default 3).
# Needs wrk and curl.
set -eu
XS=${1:-build/xsell}
DUR=${2:-5}
CONN=${3:-16}
BASE=${BASE:?bench_connect: BASE=the baseline binary}
RUNS=${RUNS:-3}
for tool in wrk curl; do
    command -v "$tool" >/dev/null || { echo "bench_connect: $tool not found" >&2; exit 1; }
done
T=$(mktemp -d)
PIDS=""
cleanup() {
    for p in $PIDS; do kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT
"$XS" demo --db "$T/demo.db" --customers 300 >/dev/null 2>&1

# start NAME BINARY: serves the demo store; sets PID_NAME and URL_NAME
start() {
    : >"$T/$1.out"
    "$2" serve --db "$T/demo.db" --listen 127.0.0.1:0 --threads 2 >"$T/$1.out" 2>"$T/$1.err" &
    eval "PID_$1=$!"
    PIDS="$PIDS $!"
    i=0
    while ! grep -q "^listening on" "$T/$1.out" && [ $i -lt 6000 ]; do
        sleep 0.01
        i=$((i + 1))
    done
    eval "URL_$1=$(sed 's/^listening on //' "$T/$1.out")"
}
start xs "$XS"
start base "$BASE"
HZ=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# measure PID URL: requests/s, 99th percentile latency, CPU us per request
measure() {
    c0=$(cpu_ticks "$1")
    wrk -t1 -c"$CONN" -d"${DUR}s" --latency -H "Connection: close" "$2/healthz" >"$T/wrk.out" 2>&1
    c1=$(cpu_ticks "$1")
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$T/wrk.out")
    p99=$(awk '/^ +99%/ {print $2}' "$T/wrk.out")
    cpu=$(awk -v a="$c0" -v b="$c1" -v hz="$HZ" '/ requests in / { n = $1 }
        END { printf "%.1f", n ? (b - a) / hz * 1e6 / n : 0 }' "$T/wrk.out")
    echo "$rps $p99 $cpu"
}
run=1
while [ "$run" -le "$RUNS" ]; do
    echo "run $run of $RUNS, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    set -- $(measure "$PID_xs" "$URL_xs")
    xs_rps=$1 xs_p99=$2 xs_cpu=$3
    set -- $(measure "$PID_base" "$URL_base")
    awk -v a="$xs_rps" -v b="$1" -v ca="$xs_cpu" -v cb="$3" -v pa="$xs_p99" -v pb="$2" 'BEGIN {
        printf "  xsell    %10.0f req/s  p99 %8s  %6.1f cpu us/req\n", a, pa, ca
        printf "  baseline %10.0f req/s  p99 %8s  %6.1f cpu us/req\n", b, pb, cb
        printf "  ratio xsell/baseline: requests/s %.3f, cpu per request %.3f\n", a / b, ca / cb
    }'
    run=$((run + 1))
done
