#!/bin/sh
# bench_serve.sh — keep-alive throughput and latency of `xsell serve` on three
# read routes, against nginx serving a static JSON file of the same size
# (the ceiling: no routing, no auth, no work), measured with wrk in the same
# run. Needs wrk, nginx and curl (Debian packages wrk, nginx-light, curl).
#
#   bench/bench_serve.sh [XSELL_BINARY] [CUSTOMERS] [SECONDS] [CONNECTIONS]
#
# Defaults: build/xsell, 3000 customers, 5 s, 16 connections;
# server and nginx get 2 worker threads / processes, wrk 1 thread.
set -eu
XS=${1:-build/xsell}
N=${2:-3000}
DUR=${3:-5}
CONN=${4:-16}
for tool in wrk nginx curl; do
    command -v "$tool" >/dev/null || { echo "bench_serve: $tool not found" >&2; exit 1; }
done
T=$(mktemp -d)
SPID=""
NPID=""
cleanup() {
    [ -n "$SPID" ] && kill -TERM "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
    [ -n "$NPID" ] && kill -TERM "$NPID" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT

"$XS" demo --db "$T/demo.db" --customers "$N" >/dev/null 2>&1
KEY=$("$XS" apikey create --db "$T/demo.db" --scope read)
: >"$T/serve.out"
"$XS" serve --db "$T/demo.db" --listen 127.0.0.1:0 --threads 2 >"$T/serve.out" 2>"$T/serve.err" &
SPID=$!
i=0
while ! grep -q "^listening on" "$T/serve.out" && [ $i -lt 6000 ]; do sleep 0.1; i=$((i + 1)); done
URL=$(sed 's/^listening on //' "$T/serve.out")
AUTH="Authorization: Bearer $KEY"

# an item with neighbours and the best target customer
ITEM=$(curl -sf -H "$AUTH" "$URL/v1/rules?limit=1" | sed 's/.*"lhs":\["\([^"]*\)".*/\1/')
CUST=$(curl -sf -H "$AUTH" "$URL/v1/targets?limit=1" | sed 's/.*"customer_id":"\([^"]*\)".*/\1/')
P1="/v1/items/$ITEM/together?limit=10"
P2="/v1/customers/$CUST"
P3="/v1/customers/$CUST/offers?limit=3"
mkdir -p "$T/www/s"
chmod 755 "$T" "$T/www" "$T/www/s" # nginx workers run as another user
curl -sf -H "$AUTH" "$URL$P1" >"$T/www/s/together.json"
curl -sf -H "$AUTH" "$URL$P2" >"$T/www/s/customer.json"
curl -sf -H "$AUTH" "$URL$P3" >"$T/www/s/offers.json"

# nginx with the same responses as static files
NPORT=$((20000 + $$ % 20000))
cat >"$T/nginx.conf" <<CONF
daemon off;
worker_processes 2;
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
nginx -c "$T/nginx.conf" -p "$T" &
NPID=$!
sleep 0.5
curl -sf "http://127.0.0.1:$NPORT/s/together.json" | cmp -s - "$T/www/s/together.json" ||
    { echo "bench_serve: nginx does not serve the file" >&2; exit 1; }

# wrk: requests/s, average and 99th percentile latency
measure() {
    wrk -t1 -c"$CONN" -d"${DUR}s" --latency "$@" >"$T/wrk.out" 2>&1
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$T/wrk.out")
    avg=$(awk '/^ +Latency / {print $2; exit}' "$T/wrk.out")
    p99=$(awk '/^ +99%/ {print $2}' "$T/wrk.out")
    non2xx=$(awk '/Non-2xx/ {print $5}' "$T/wrk.out")
    echo "$rps $avg $p99 ${non2xx:-0}"
}

printf '%-34s %8s %12s %9s %9s %7s\n' target bytes requests/s avg p99 non2xx
for case in "offers:$P3" "together:$P1" "customer:$P2"; do
    name=${case%%:*}
    path=${case#*:}
    bytes=$(wc -c <"$T/www/s/$name.json")
    set -- $(measure -H "$AUTH" "$URL$path")
    xs_rps=$1
    printf '%-34s %8s %12s %9s %9s %7s\n' "xsell GET $name" "$bytes" "$1" "$2" "$3" "$4"
    set -- $(measure "http://127.0.0.1:$NPORT/s/$name.json")
    printf '%-34s %8s %12s %9s %9s %7s\n' "nginx static $name.json" "$bytes" "$1" "$2" "$3" "$4"
    awk -v a="$xs_rps" -v b="$1" 'BEGIN { printf "ratio xsell / nginx (%s): %.2f\n", "'"$name"'", a / b }'
done
