#!/bin/sh
# bench_offers_ir.sh — user-space instructions per GET
# /v1/customers/{id}/offers?limit=3, counted by valgrind's callgrind (Ir)
# over N keep-alive requests on the top target customer, for xsell and a
# baseline binary. Counted instructions do not move with the machine's load
# (this VM has no hardware counters for perf stat), though valgrind counts
# each byte step of libc's `rep stos` memset, so a large memset weighs more
# here than in time. Needs valgrind (callgrind_control) and curl.
#
#   BASE=BINARY DB=STORE.db bench/bench_offers_ir.sh XSELL MODEL.xsm [N]
#
# DB gets a read API key added (use a copy).
set -eu
XS=$1
MODEL=$2
N=${3:-2000}
BASE=${BASE:?bench_offers_ir: BASE=the baseline binary}
DBF=${DB:?bench_offers_ir: DB=the store MODEL was built from}
for tool in valgrind callgrind_control curl; do
    command -v "$tool" >/dev/null || { echo "bench_offers_ir: $tool not found" >&2; exit 1; }
done
T=$(mktemp -d)
P=""
cleanup() {
    [ -n "$P" ] && kill -TERM "$P" 2>/dev/null && wait "$P" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
KEY=$("$XS" apikey create --db "$DBF" --scope read)

# ir BINARY: prints the Ir per request of N requests after N warm-up ones
ir() {
    : >"$T/out"
    valgrind --tool=callgrind --callgrind-out-file="$T/cg.%p" "$1" serve --db "$DBF" \
        --model "$MODEL" --listen 127.0.0.1:0 --threads 2 >"$T/out" 2>"$T/err" &
    P=$!
    while ! grep -q "^listening on" "$T/out"; do sleep 0.2; done
    url=$(sed 's/^listening on //' "$T/out")
    cust=$(curl -sf -H "Authorization: Bearer $KEY" "$url/v1/targets?limit=1" |
        sed 's/.*"customer_id":"\([^"]*\)".*/\1/')
    echo "header = \"Authorization: Bearer $KEY\"" >"$T/cfg"
    i=0
    while [ $i -lt "$N" ]; do
        echo "url = \"$url/v1/customers/$cust/offers?limit=3\""
        echo "output = /dev/null"
        i=$((i + 1))
    done >>"$T/cfg"
    curl -s -K "$T/cfg"
    callgrind_control -z "$P" >/dev/null 2>&1
    curl -s -K "$T/cfg"
    callgrind_control -d "$P" >/dev/null 2>&1
    kill -TERM "$P"
    wait "$P" 2>/dev/null || true
    awk -v n="$N" '/^summary:/ { printf "%.0f\n", $2 / n }' "$T/cg.$P.1"
    P=""
    rm -f "$T"/cg.*
}
echo "load average $(cut -d' ' -f1-3 /proc/loadavg), $N requests each"
a=$(ir "$XS")
echo "xsell     $a Ir/request"
b=$(ir "$BASE")
echo "baseline  $b Ir/request"
awk -v a="$a" -v b="$b" 'BEGIN { printf "ratio xsell / baseline: %.3f\n", a / b }'
