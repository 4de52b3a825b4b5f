#!/bin/sh
# bench_serve.sh — keep-alive throughput and latency of `xsell serve` on three
# read routes, against nginx serving a static JSON file of the same size
# (the ceiling: no routing, no auth, no work), measured with wrk in the same
# run. Needs wrk, nginx and curl (Debian packages wrk, nginx-light, curl).
#
#   bench/bench_serve.sh [XSELL_BINARY] [CUSTOMERS | MODEL.xsm] [SECONDS] [CONNECTIONS]
#
# Defaults: build/xsell, 3000 customers, 5 s, 16 connections;
# server and nginx get 2 worker threads / processes, wrk 1 thread (PIN=1:
# one each, on their own core; below).
#
# With CUSTOMERS the script builds a demo store of that size and serves it
# with --db. With a model file (e.g. one built from the 1M store with
# `xsell build --db COPY.db --out m.xsm`) it serves `--db $DB --model
# MODEL.xsm` instead: DB must name that store, and gets a read API key added
# (use a copy). The time from starting the server to its first answer on the
# offers route is printed (the issue's bound: < 1 s).
#
# Besides requests/s and latency the script prints each server's CPU time
# (user + system, all its threads or processes) per request, from /proc:
# on a machine shared with other work the requests/s swing with what else
# runs, the CPU a request costs much less.
#
# Environment: BASE=BINARY also serves the same store with a baseline binary
# and measures it in the same run, alternating (xsell, baseline, nginx per
# route), with its ratio; RUNS=N repeats the whole round N times.
#
# PIN=1 separates the load from the servers: every server runs on CPU 0
# with one worker (xsell --threads 1, nginx worker_processes 1) and wrk on
# CPU 1 (taskset). Unpinned, wrk and the servers' two workers share both
# cores, and a worker that loses its core for a scheduler slice holds its
# connections' answers that long: p99 then measures the scheduler more
# than the server. Pinned, each server gets one whole core to itself.
set -eu
XS=${1:-build/xsell}
N=${2:-3000}
DUR=${3:-5}
CONN=${4:-16}
BASE=${BASE:-}
RUNS=${RUNS:-1}
PIN=${PIN:-}
WORKERS=2
SRV_PIN=""
CLI_PIN=""
if [ -n "$PIN" ]; then
    command -v taskset >/dev/null || { echo "bench_serve: taskset not found" >&2; exit 1; }
    WORKERS=1
    SRV_PIN="taskset -c 0"
    CLI_PIN="taskset -c 1"
fi
for tool in wrk nginx curl; do
    command -v "$tool" >/dev/null || { echo "bench_serve: $tool not found" >&2; exit 1; }
done
T=$(mktemp -d)
SPID=""
BPID=""
NPID=""
cleanup() {
    [ -n "$SPID" ] && kill -TERM "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
    [ -n "$BPID" ] && kill -TERM "$BPID" 2>/dev/null && wait "$BPID" 2>/dev/null
    [ -n "$NPID" ] && kill -TERM "$NPID" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT

case "$N" in
*.xsm)
    MODEL=$N
    DBF=${DB:?bench_serve: a model file needs DB=the store it was built from}
    SERVE_ARGS="--db $DBF --model $MODEL"
    ;;
*)
    MODEL=""
    DBF="$T/demo.db"
    "$XS" demo --db "$DBF" --customers "$N" >/dev/null 2>&1
    SERVE_ARGS="--db $DBF"
    ;;
esac
KEY=$("$XS" apikey create --db "$DBF" --scope read)
AUTH="Authorization: Bearer $KEY"

# start_server BINARY NAME: starts it, waits for its "listening on" line;
# sets PID_NAME, URL_NAME and LISTEN_S (seconds to the listening line)
start_server() {
    : >"$T/$2.out"
    t0=$(date +%s.%N)
    # shellcheck disable=SC2086
    $SRV_PIN "$1" serve $SERVE_ARGS --listen 127.0.0.1:0 --threads $WORKERS >"$T/$2.out" 2>"$T/$2.err" &
    eval "PID_$2=$!"
    i=0
    while ! grep -q "^listening on" "$T/$2.out" && [ $i -lt 60000 ]; do
        sleep 0.01
        i=$((i + 1))
    done
    eval "URL_$2=$(sed 's/^listening on //' "$T/$2.out")"
    LISTEN_S=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')
}
# seconds from t0 until GET url (with the key) answers 200
until_answer() { # t0 url
    until curl -sf -o /dev/null -H "$AUTH" "$2"; do sleep 0.005; done
    awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }'
}

# the top target customer and an item with neighbours, asked of a first
# server (the offers route's first answer is timed below, on a fresh one)
start_server "$XS" xs
SPID=$PID_xs
URL=$URL_xs
ITEM=$(curl -sf -H "$AUTH" "$URL/v1/rules?limit=1" | sed 's/.*"lhs":\["\([^"]*\)".*/\1/')
CUST=$(curl -sf -H "$AUTH" "$URL/v1/targets?limit=1" | sed 's/.*"customer_id":"\([^"]*\)".*/\1/')
P1="/v1/items/$ITEM/together?limit=10"
P2="/v1/customers/$CUST"
P3="/v1/customers/$CUST/offers?limit=3"
kill -TERM "$SPID" && wait "$SPID" 2>/dev/null || true
t0=$(date +%s.%N)
start_server "$XS" xs
SPID=$PID_xs
URL=$URL_xs
first_s=$(until_answer "$t0" "$URL$P3")
echo "xsell serve $SERVE_ARGS: listening after $LISTEN_S s, first offers answer after $first_s s"
if [ -n "$BASE" ]; then
    t0=$(date +%s.%N)
    start_server "$BASE" base
    BPID=$PID_base
    BURL=$URL_base
    bfirst_s=$(until_answer "$t0" "$BURL$P3")
    echo "baseline $BASE: listening after $LISTEN_S s, first offers answer after $bfirst_s s"
fi

mkdir -p "$T/www/s"
chmod 755 "$T" "$T/www" "$T/www/s" # nginx workers run as another user
curl -sf -H "$AUTH" "$URL$P1" >"$T/www/s/together.json"
curl -sf -H "$AUTH" "$URL$P2" >"$T/www/s/customer.json"
curl -sf -H "$AUTH" "$URL$P3" >"$T/www/s/offers.json"
if [ -n "$BASE" ]; then
    for case in "offers:$P3" "together:$P1" "customer:$P2"; do
        curl -sf -H "$AUTH" "$BURL${case#*:}" | cmp -s - "$T/www/s/${case%%:*}.json" ||
            echo "bench_serve: note: the baseline answers ${case%%:*} with other bytes" >&2
    done
fi

# nginx with the same responses as static files
NPORT=$((20000 + $$ % 20000))
cat >"$T/nginx.conf" <<CONF
daemon off;
worker_processes $WORKERS;
pid $T/nginx.pid;
error_log $T/nginx.err;
events { worker_connections 1024; }
http {
    access_log off;
    keepalive_requests 1000000;
    types { application/json json; }
    server {
        listen 127.0.0.1:$NPORT;
        root $T/www;
    }
}
CONF
# shellcheck disable=SC2086
$SRV_PIN nginx -c "$T/nginx.conf" -p "$T" &
NPID=$!
sleep 0.5
curl -sf "http://127.0.0.1:$NPORT/s/together.json" | cmp -s - "$T/www/s/together.json" ||
    { echo "bench_serve: nginx does not serve the file" >&2; exit 1; }

# CPU seconds (user + system, all threads) of processes so far, in clock ticks
cpu_ticks() { # pid...
    for p in "$@"; do cat "/proc/$p/stat" 2>/dev/null; done |
        awk '{ t += $14 + $15 } END { print t + 0 }'
}
HZ=$(getconf CLK_TCK)
# wrk: requests/s, average and 99th percentile latency, non-2xx answers, and
# the server's CPU microseconds per request (the pids after the URL's
# arguments: measure PIDS -- wrk arguments...)
measure() {
    pids=""
    while [ "$1" != "--" ]; do
        pids="$pids $1"
        shift
    done
    shift
    # shellcheck disable=SC2086
    c0=$(cpu_ticks $pids)
    # shellcheck disable=SC2086
    $CLI_PIN wrk -t1 -c"$CONN" -d"${DUR}s" --latency "$@" >"$T/wrk.out" 2>&1
    # shellcheck disable=SC2086
    c1=$(cpu_ticks $pids)
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$T/wrk.out")
    avg=$(awk '/^ +Latency / {print $2; exit}' "$T/wrk.out")
    p99=$(awk '/^ +99%/ {print $2}' "$T/wrk.out")
    non2xx=$(awk '/Non-2xx/ {print $5}' "$T/wrk.out")
    cpu=$(awk -v a="$c0" -v b="$c1" -v hz="$HZ" '/ requests in / { n = $1 }
        END { printf "%.2f", n ? (b - a) / hz * 1e6 / n : 0 }' "$T/wrk.out")
    echo "$rps $avg $p99 ${non2xx:-0} $cpu"
}
NGINX_PIDS="$NPID $(pgrep -P "$NPID" | tr '\n' ' ')"

run=1
while [ "$run" -le "$RUNS" ]; do
    echo "run $run of $RUNS, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    printf '%-34s %8s %12s %9s %9s %7s %8s\n' target bytes requests/s avg p99 non2xx "cpu us"
    for case in "offers:$P3" "together:$P1" "customer:$P2"; do
        name=${case%%:*}
        path=${case#*:}
        bytes=$(wc -c <"$T/www/s/$name.json")
        set -- $(measure "$SPID" -- -H "$AUTH" "$URL$path")
        xs_rps=$1
        xs_cpu=$5
        printf '%-34s %8s %12s %9s %9s %7s %8s\n' "xsell GET $name" "$bytes" "$1" "$2" "$3" "$4" "$5"
        b_rps=""
        b_cpu=""
        if [ -n "$BASE" ]; then
            set -- $(measure "$BPID" -- -H "$AUTH" "$BURL$path")
            b_rps=$1
            b_cpu=$5
            printf '%-34s %8s %12s %9s %9s %7s %8s\n' "baseline GET $name" "$bytes" "$1" "$2" "$3" "$4" "$5"
        fi
        # shellcheck disable=SC2086
        set -- $(measure $NGINX_PIDS -- "http://127.0.0.1:$NPORT/s/$name.json")
        printf '%-34s %8s %12s %9s %9s %7s %8s\n' "nginx static $name.json" "$bytes" "$1" "$2" "$3" "$4" "$5"
        awk -v a="$xs_rps" -v b="$1" -v c="$b_rps" -v n="$name" -v xc="$xs_cpu" -v nc="$5" \
            -v bc="$b_cpu" 'BEGIN {
            printf "ratio xsell / nginx (%s): %.2f (cpu per request, nginx / xsell: %.2f)", n, a / b, nc / xc
            if (c != "") printf "   baseline / nginx: %.2f (cpu %.2f)   xsell / baseline: %.2f", c / b, nc / bc, a / c
            printf "\n" }'
    done
    run=$((run + 1))
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
