#!/bin/sh
# bench_offers_cpu.sh — the server's own work on GET
# /v1/customers/{id}/offers against a baseline binary: its CPU per request in
# user space and in the kernel apart (/proc/PID/stat utime and stime), under
# wrk on the top target customer (the customer bench_serve.sh asks). The
# kernel's TCP is about half of a request and the same for both binaries;
# the user part is what the engine's code changes, and it moves less with
# what else runs on the machine than requests/s do. Needs wrk and curl.
#
#   BASE=BINARY DB=STORE.db bench/bench_offers_cpu.sh XSELL MODEL.xsm [SECONDS] [RUNS]
#
# DB gets a read API key added (use a copy). Both servers get 2 threads,
# wrk 1 thread and 16 connections; xsell and the baseline alternate.
set -eu
XS=$1
MODEL=$2
DUR=${3:-5}
RUNS=${4:-3}
BASE=${BASE:?bench_offers_cpu: BASE=the baseline binary}
DBF=${DB:?bench_offers_cpu: DB=the store MODEL was built from}
for tool in wrk curl; do
    command -v "$tool" >/dev/null || { echo "bench_offers_cpu: $tool not found" >&2; exit 1; }
done
T=$(mktemp -d)
PIDS=""
cleanup() {
    for p in $PIDS; do kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT
KEY=$("$XS" apikey create --db "$DBF" --scope read)
AUTH="Authorization: Bearer $KEY"

# start NAME BINARY: sets PID_NAME and URL_NAME once it listens
start() {
    : >"$T/$1.out"
    "$2" serve --db "$DBF" --model "$MODEL" --listen 127.0.0.1:0 --threads 2 \
        >"$T/$1.out" 2>"$T/$1.err" &
    eval "PID_$1=$!"
    PIDS="$PIDS $!"
    while ! grep -q "^listening on" "$T/$1.out"; do sleep 0.05; done
    eval "URL_$1=$(sed 's/^listening on //' "$T/$1.out")"
}
start xs "$XS"
start base "$BASE"
CUST=$(curl -sf -H "$AUTH" "$URL_xs/v1/targets?limit=1" |
    sed 's/.*"customer_id":"\([^"]*\)".*/\1/')
P="/v1/customers/$CUST/offers?limit=3"
curl -sf -H "$AUTH" "$URL_xs$P" >"$T/a.json"
curl -sf -H "$AUTH" "$URL_base$P" >"$T/b.json"
cmp -s "$T/a.json" "$T/b.json" || echo "bench_offers_cpu: note: the answers differ" >&2

ticks() { awk -v f="$2" '{ print $f }' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)
# measure PID URL: "user us per request, system us per request, requests/s"
measure() {
    u0=$(ticks "$1" 14)
    s0=$(ticks "$1" 15)
    wrk -t1 -c16 -d"${DUR}s" -H "$AUTH" "$2$P" >"$T/wrk.out" 2>&1
    u1=$(ticks "$1" 14)
    s1=$(ticks "$1" 15)
    awk -v u="$((u1 - u0))" -v s="$((s1 - s0))" -v hz="$HZ" '/ requests in / { n = $1 }
        /^Requests\/sec:/ { r = $2 }
        END { printf "%.2f %.2f %s\n", u / hz * 1e6 / n, s / hz * 1e6 / n, r }' "$T/wrk.out"
}
run=1
while [ "$run" -le "$RUNS" ]; do
    echo "run $run of $RUNS, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    set -- $(measure "$PID_xs" "$URL_xs")
    printf '%-9s user %6s us/request  system %6s us/request  %10s requests/s\n' xsell "$1" "$2" "$3"
    xu=$1
    xs=$2
    set -- $(measure "$PID_base" "$URL_base")
    printf '%-9s user %6s us/request  system %6s us/request  %10s requests/s\n' baseline "$1" "$2" "$3"
    awk -v a="$xu" -v b="$1" -v c="$xs" -v d="$2" 'BEGIN {
        printf "ratio xsell / baseline: user cpu %.3f, user + system %.3f\n", a / b, (a + c) / (b + d) }'
    run=$((run + 1))
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
