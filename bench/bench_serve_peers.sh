#!/bin/sh
# shellcheck disable=SC2046 # the pkg-config flags and the measured numbers split on purpose
# bench_serve_peers.sh — is libmicrohttpd the limit of `xsell serve`? The
# same answer bytes of the three measured read routes (offers, together,
# customer), served with keep-alive to wrk in the same run by:
#   xsell        the real route (routing, auth, the decision, JSON), as
#                `xsell serve --threads 2` runs by default: 4 worker
#                threads for its connection limit of 256 (server.c)
#   xsell-2w     the same with --max-connections 100, which needs only the
#                2 workers --threads asks for: what the two extra workers
#                cost
#   mhd-static   libmicrohttpd driven as xsell drives it (internal polling
#                threads, epoll, a response made per request) answering
#                the fixed bytes: libmicrohttpd's own ceiling, with 2
#                worker threads and with the 4 `xsell serve --threads 2`
#                starts for its default connection limit (server.c)
#   h2o-static   Debian's libh2o-evloop, 2 event loops (SO_REUSEPORT)
#   nginx        the static file, 2 worker processes (as bench_serve.sh)
# The two peers are built here from bench/serve_peer_mhd.c and
# bench/serve_peer_h2o.c (Debian packages libmicrohttpd-dev,
# libh2o-evloop-dev; wrk, nginx-light, curl). Prints requests/s, p99, the
# server's CPU microseconds per request (user + system from /proc: steadier
# than requests/s on a shared machine) and each one's ratio to nginx.
#
#   DB=STORE.db bench/bench_serve_peers.sh XSELL MODEL.xsm [SECONDS] [CONNECTIONS]
#   bench/bench_serve_peers.sh XSELL CUSTOMERS [SECONDS] [CONNECTIONS]
#
# With a model file DB must name the store it was built from and gets a
# read API key added (use a copy); with CUSTOMERS a demo store is built.
# RUNS=N repeats the round.
set -eu
XS=${1:?usage: bench_serve_peers.sh XSELL MODEL.xsm|CUSTOMERS [SECONDS] [CONNECTIONS]}
N=${2:-3000}
DUR=${3:-5}
CONN=${4:-16}
RUNS=${RUNS:-1}
for tool in wrk nginx curl cc pkg-config; do
    command -v "$tool" >/dev/null || { echo "bench_serve_peers: $tool not found" >&2; exit 1; }
done
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
PIDS=""
cleanup() {
    for p in $PIDS; do kill -TERM "$p" 2>/dev/null || true; done
    for p in $PIDS; do wait "$p" 2>/dev/null || true; done
    rm -rf "$T"
}
trap cleanup EXIT

cc -O2 -o "$T/peer_mhd" "$HERE/serve_peer_mhd.c" $(pkg-config --cflags --libs libmicrohttpd)
KINDS="mhd2 mhd4 h2o"
if pkg-config --exists libh2o-evloop; then
    cc -O2 -o "$T/peer_h2o" "$HERE/serve_peer_h2o.c" $(pkg-config --cflags --libs libh2o-evloop) \
        -lpthread
else # not a dependency of xsell: only this script uses it
    echo "bench_serve_peers: no libh2o-evloop-dev, the h2o peer is left out" >&2
    KINDS="mhd2 mhd4"
fi

case "$N" in
*.xsm)
    DBF=${DB:?bench_serve_peers: a model file needs DB=the store it was built from}
    SERVE_ARGS="--db $DBF --model $N"
    ;;
*)
    DBF="$T/demo.db"
    "$XS" demo --db "$DBF" --customers "$N" >/dev/null 2>&1
    SERVE_ARGS="--db $DBF"
    ;;
esac
KEY=$("$XS" apikey create --db "$DBF" --scope read)
AUTH="Authorization: Bearer $KEY"

# shellcheck disable=SC2086
"$XS" serve $SERVE_ARGS --listen 127.0.0.1:0 --threads 2 >"$T/xs.out" 2>"$T/xs.err" &
XPID=$!
PIDS="$XPID"
i=0
while ! grep -q "^listening on" "$T/xs.out" && [ $i -lt 60000 ]; do
    sleep 0.01
    i=$((i + 1))
done
URL=$(sed 's/^listening on //' "$T/xs.out")
# shellcheck disable=SC2086
"$XS" serve $SERVE_ARGS --listen 127.0.0.1:0 --threads 2 --max-connections 100 \
    >"$T/xs2.out" 2>"$T/xs2.err" &
X2PID=$!
PIDS="$PIDS $X2PID"
i=0
while ! grep -q "^listening on" "$T/xs2.out" && [ $i -lt 60000 ]; do
    sleep 0.01
    i=$((i + 1))
done
URL2=$(sed 's/^listening on //' "$T/xs2.out")
ITEM=$(curl -sf -H "$AUTH" "$URL/v1/rules?limit=1" | sed 's/.*"lhs":\["\([^"]*\)".*/\1/')
CUST=$(curl -sf -H "$AUTH" "$URL/v1/targets?limit=1" | sed 's/.*"customer_id":"\([^"]*\)".*/\1/')
mkdir -p "$T/www/s"
chmod 755 "$T" "$T/www" "$T/www/s" # nginx workers run as another user
curl -sf -H "$AUTH" "$URL/v1/customers/$CUST/offers?limit=3" >"$T/www/s/offers.json"
curl -sf -H "$AUTH" "$URL/v1/items/$ITEM/together?limit=10" >"$T/www/s/together.json"
curl -sf -H "$AUTH" "$URL/v1/customers/$CUST" >"$T/www/s/customer.json"
chmod 644 "$T"/www/s/*.json

BASEPORT=$((20000 + $$ % 20000))
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
        listen 127.0.0.1:$BASEPORT;
        root $T/www;
    }
}
CONF
nginx -c "$T/nginx.conf" -p "$T" &
NPID=$!
PIDS="$PIDS $NPID"

# peer NAME COMMAND...: one static server per route and kind (each serves
# its one file at every path); records its pid in PID_<NAME>
peer() {
    name=$1
    shift
    "$@" &
    eval "PID_$name=$!"
    PIDS="$PIDS $!"
}
k=1
for r in offers together customer; do
    peer "mhd2_$r" "$T/peer_mhd" $((BASEPORT + k)) "$T/www/s/$r.json" 2
    peer "mhd4_$r" "$T/peer_mhd" $((BASEPORT + k + 1)) "$T/www/s/$r.json" 4
    [ -x "$T/peer_h2o" ] && peer "h2o_$r" "$T/peer_h2o" $((BASEPORT + k + 2)) "$T/www/s/$r.json" 2
    k=$((k + 3))
done
sleep 0.5
NGINX_PIDS="$NPID $(pgrep -P "$NPID" | tr '\n' ' ')"
# every peer answers the same bytes as xsell
for r in offers together customer; do
    case $r in
    offers) path="/v1/customers/$CUST/offers?limit=3" ;;
    together) path="/v1/items/$ITEM/together?limit=10" ;;
    customer) path="/v1/customers/$CUST" ;;
    esac
    curl -sf -H "$AUTH" "$URL2$path" | cmp -s - "$T/www/s/$r.json" ||
        { echo "bench_serve_peers: xsell-2w answers $r with other bytes" >&2; exit 1; }
done
k=1
for r in offers together customer; do
    ports="$((BASEPORT + k)) $((BASEPORT + k + 1))"
    [ -x "$T/peer_h2o" ] && ports="$ports $((BASEPORT + k + 2))"
    for p in $ports; do
        curl -sf "http://127.0.0.1:$p/s/$r.json" | cmp -s - "$T/www/s/$r.json" ||
            { echo "bench_serve_peers: the peer on port $p does not serve $r" >&2; exit 1; }
    done
    k=$((k + 3))
done
curl -sf "http://127.0.0.1:$BASEPORT/s/offers.json" | cmp -s - "$T/www/s/offers.json" ||
    { echo "bench_serve_peers: nginx does not serve the file" >&2; exit 1; }

cpu_ticks() { # pid...
    for p in "$@"; do cat "/proc/$p/stat" 2>/dev/null; done |
        awk '{ t += $14 + $15 } END { print t + 0 }'
}
HZ=$(getconf CLK_TCK)
# measure PIDS -- wrk arguments: requests/s, p99, cpu us per request
measure() {
    pids=""
    while [ "$1" != "--" ]; do
        pids="$pids $1"
        shift
    done
    shift
    # shellcheck disable=SC2086
    c0=$(cpu_ticks $pids)
    wrk -t1 -c"$CONN" -d"${DUR}s" --latency "$@" >"$T/wrk.out" 2>&1
    # shellcheck disable=SC2086
    c1=$(cpu_ticks $pids)
    awk -v a="$c0" -v b="$c1" -v hz="$HZ" '/^Requests\/sec:/ { r = $2 } /^ +99%/ { p = $2 }
        / requests in / { n = $1 } /Non-2xx/ { bad = $5 }
        END { printf "%s %s %.2f %d\n", r, p, n ? (b - a) / hz * 1e6 / n : 0, bad }' "$T/wrk.out"
}

run=1
while [ "$run" -le "$RUNS" ]; do
    echo "run $run of $RUNS, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    printf '%-22s %6s %11s %9s %8s %9s %9s\n' server bytes requests/s p99 "cpu us" "x nginx" "cpu n/x"
    k=1
    for r in offers together customer; do
        case $r in
        offers) path="/v1/customers/$CUST/offers?limit=3" ;;
        together) path="/v1/items/$ITEM/together?limit=10" ;;
        customer) path="/v1/customers/$CUST" ;;
        esac
        bytes=$(wc -c <"$T/www/s/$r.json")
        # nginx first: the ratios are to it
        # shellcheck disable=SC2086
        set -- $(measure $NGINX_PIDS -- "http://127.0.0.1:$BASEPORT/s/$r.json")
        n_rps=$1
        n_cpu=$3
        out() { # name rps p99 cpu non2xx
            awk -v n="$1" -v b="$bytes" -v r="$2" -v p="$3" -v c="$4" -v nr="$n_rps" \
                -v nc="$n_cpu" -v bad="$5" 'BEGIN {
                cr = 0
                if (c > 0) cr = nc / c
                note = ""
                if (bad > 0) note = "  (" bad " non-2xx)"
                printf "%-22s %6s %11s %9s %8s %9.2f %9.2f%s\n", n, b, r, p, c, r / nr, cr, note }'
        }
        out "nginx $r" "$@"
        set -- $(measure "$XPID" -- -H "$AUTH" "$URL$path")
        out "xsell $r" "$@"
        set -- $(measure "$X2PID" -- -H "$AUTH" "$URL2$path")
        out "xsell-2w $r" "$@"
        for kind in $KINDS; do
            eval "pid=\$PID_${kind}_$r"
            case $kind in mhd2) port=$((BASEPORT + k)) ;; mhd4) port=$((BASEPORT + k + 1)) ;;
            h2o) port=$((BASEPORT + k + 2)) ;; esac
            # shellcheck disable=SC2154
            set -- $(measure "$pid" -- "http://127.0.0.1:$port/s/$r.json")
            out "$kind-static $r" "$@"
        done
        k=$((k + 3))
    done
    run=$((run + 1))
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
