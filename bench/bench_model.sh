#!/bin/sh
# bench_model.sh — what the model file buys at scale: wall time and peak RSS
# of `build`, `kpi`, `targets`, `customers`, `recommend --all` and of
# `serve` until it answers its first request, reading the store (--db,
# today's way: every reader loads the store again) and reading the mapped
# model file (--model), with the ratios between them, plus the floor of the
# SQLite load (bench_select: a bare sqlite3_step loop over the same rows and
# columns) and a second `serve` replica on the same file (Rss / Pss of both
# from /proc/PID/smaps_rollup: the pages they share are counted half in each
# Pss) — all in one run.
#
#   bench/bench_model.sh [XSELL] [STORE | CUSTOMERS]
#
# XSELL: the binary (default build/xsell, a Release build); bench_select is
# taken from the same directory (or SEL=PATH). STORE: an existing store, copied (never
# written); or a number of customers (default 1000000) generated with
# `xsell gen` and imported. BASE=OLD_XSELL (environment) adds a column with
# an older binary on the same store (e.g. one built before the model file).
# When XSELL has no `build --out`, only the --db half runs.
#
# Output: one line per command, seconds and peak RSS (MB) per way, ratios.
set -eu
XS=${1:-build/xsell}
SRC=${2:-1000000}
BASE=${BASE:-}
SEL=${SEL:-"$(dirname "$XS")/bench_select"}
for tool in curl /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "bench_model: $tool not found" >&2; exit 1; }
done
T=$(mktemp -d "${TMPDIR:-/tmp}/bench_model.XXXXXX")
PIDS=""
cleanup() {
    for p in $PIDS; do kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
    rm -rf "$T"
}
trap cleanup EXIT INT TERM

# ---- the store ---------------------------------------------------------
if [ -f "$SRC" ]; then
    STORE=$SRC
else
    echo "generating $SRC customers ..." >&2
    "$XS" gen --out "$T/csv" --customers "$SRC" >/dev/null
    for t in customers products subscriptions orders usage events offers; do
        "$XS" import --db "$T/gen.db" "$t" "$T/csv/$t.csv" >/dev/null 2>&1
    done
    rm -rf "$T/csv"
    STORE=$T/gen.db
fi
fresh() { # a fresh copy of the store at $1 (builds write into it)
    rm -f "$1" "$1-wal" "$1-shm" "$1.xsm"
    cp "$STORE" "$1"
}

# ---- measuring ----------------------------------------------------------
# run NAME CMD...: wall seconds and peak RSS (MB) of CMD into $T/NAME.m
run() {
    name=$1
    shift
    if ! /usr/bin/time -f "%e %M" -o "$T/$name.time" "$@" >/dev/null 2>"$T/$name.err"; then
        echo "bench_model: $name failed: $*" >&2
        tail -3 "$T/$name.err" >&2
        echo "- -" >"$T/$name.m"
        return 0
    fi
    tail -1 "$T/$name.time" | awk '{printf "%.2f %.0f\n", $1, $2 / 1024}' >"$T/$name.m"
}
get() { cat "$T/$1.m" 2>/dev/null || echo "- -"; }

# serve NAME CMD...: seconds from start to the first answered GET /healthz
# and RSS (MB) then, into $T/NAME.m; leaves the server running ($LAST_PID)
serve() {
    name=$1
    shift
    : >"$T/$name.out"
    t0=$(date +%s.%N)
    "$@" --listen 127.0.0.1:0 >"$T/$name.out" 2>"$T/$name.err" &
    LAST_PID=$!
    PIDS="$PIDS $LAST_PID"
    i=0
    while ! grep -q "^listening on" "$T/$name.out" && [ $i -lt 30000 ]; do
        kill -0 "$LAST_PID" 2>/dev/null || break
        sleep 0.01
        i=$((i + 1))
    done
    url=$(sed -n 's/^listening on //p' "$T/$name.out")
    if [ -z "$url" ]; then
        echo "bench_model: $name did not start" >&2
        tail -3 "$T/$name.err" >&2
        echo "- -" >"$T/$name.m"
        return 0
    fi
    while ! curl -sf -o /dev/null "$url/healthz"; do sleep 0.01; done
    t1=$(date +%s.%N)
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$LAST_PID/status")
    echo "$t0 $t1 $rss" | awk '{printf "%.2f %.0f\n", $2 - $1, $3 / 1024}' >"$T/$name.m"
    echo "$url" >"$T/$name.url"
}
stop() { kill -TERM "$1" 2>/dev/null && wait "$1" 2>/dev/null || true; }

readers() { # readers PREFIX XSELL SOURCE-ARGS...
    p=$1
    x=$2
    shift 2
    run "$p.kpi" "$x" kpi "$@"
    run "$p.targets" "$x" targets "$@"
    run "$p.customers" "$x" customers "$@"
    run "$p.recommend" "$x" recommend --all "$@"
}

# ---- the SQLite floor ---------------------------------------------------
fresh "$T/sel.db"
if [ -x "$SEL" ]; then
    "$SEL" "$T/sel.db" --load >"$T/select.txt" 2>&1 || true
    cat "$T/select.txt"
else
    echo "bench_model: $SEL not found (build the bench targets): no SELECT floor" >&2
fi
rm -f "$T/sel.db"*

# ---- an older binary (BASE) ---------------------------------------------
if [ -n "$BASE" ]; then
    fresh "$T/base.db"
    run base.build "$BASE" build --db "$T/base.db"
    readers base "$BASE" --db "$T/base.db"
    serve base.serve "$BASE" serve --db "$T/base.db"
    stop "$LAST_PID"
    rm -f "$T/base.db"*
fi

# ---- XSELL, store and model ----------------------------------------------
HAS_MODEL=0
"$XS" build --help | grep -q -- "--out" && HAS_MODEL=1
fresh "$T/s.db"
if [ $HAS_MODEL = 1 ]; then
    run db.build "$XS" build --db "$T/s.db" --out "$T/m.xsm"
    # the readers with --db alone would use the store's model file: hide it
    # so they load the store as before
    mv "$T/m.xsm" "$T/hidden.xsm"
    [ -f "$T/s.db.xsm" ] && mv "$T/s.db.xsm" "$T/hidden2.xsm"
else
    run db.build "$XS" build --db "$T/s.db"
fi
readers db "$XS" --db "$T/s.db"
serve db.serve "$XS" serve --db "$T/s.db"
stop "$LAST_PID"
if [ $HAS_MODEL = 1 ]; then
    mv "$T/hidden.xsm" "$T/m.xsm"
    [ -f "$T/hidden2.xsm" ] && mv "$T/hidden2.xsm" "$T/s.db.xsm"
    MB=$(du -m "$T/m.xsm" | cut -f1)
    readers model "$XS" --model "$T/m.xsm"
    serve model.serve "$XS" serve --db "$T/s.db" --model "$T/m.xsm"
    P1=$LAST_PID
    U1=$(cat "$T/model.serve.url" 2>/dev/null || true)
    serve model.serve2 "$XS" serve --db "$T/s.db" --model "$T/m.xsm"
    P2=$LAST_PID
    U2=$(cat "$T/model.serve2.url" 2>/dev/null || true)
    # the same requests to both: a page of targets, a customer and its
    # offers (a key written now is read by a server at its next request)
    KEY=$("$XS" apikey create --db "$T/s.db" --scope read)
    for u in $U1 $U2; do
        curl -sf -H "Authorization: Bearer $KEY" "$u/v1/targets?limit=100" >"$T/t.json" || true
    done
    CUST=$(sed -n 's/.*"customer_id":"\([^"]*\)".*/\1/p' "$T/t.json" | head -1)
    for u in $U1 $U2; do
        curl -sf -H "Authorization: Bearer $KEY" "$u/v1/customers/$CUST" >/dev/null || true
        curl -sf -H "Authorization: Bearer $KEY" "$u/v1/customers/$CUST/offers" >/dev/null ||
            true
    done
fi

# ---- the table ------------------------------------------------------------
printf '\n%-22s %9s %9s %9s %9s %9s %9s' command "db s" "db MB" "model s" "model MB" \
    "s ratio" "MB ratio"
[ -n "$BASE" ] && printf ' %9s %9s' "base s" "base MB"
printf '\n'
for c in build kpi targets customers recommend serve; do
    set -- $(get "db.$c")
    ds=$1 dm=$2
    if [ $c = build ]; then set -- "-" "-"; else set -- $(get "model.$c"); fi
    ms=$1 mm=$2
    label=$c
    [ $c = recommend ] && label="recommend --all"
    [ $c = serve ] && label="serve (first answer)"
    printf '%-22s %9s %9s %9s %9s' "$label" "$ds" "$dm" "$ms" "$mm"
    echo "$ds $ms $dm $mm" | awk '{
        if ($1 != "-" && $2 != "-" && $2 > 0) printf " %9.2f", $1 / $2; else printf " %9s", "-";
        if ($3 != "-" && $4 != "-" && $4 > 0) printf " %9.2f", $3 / $4; else printf " %9s", "-" }'
    if [ -n "$BASE" ]; then
        set -- $(get "base.$c")
        printf ' %9s %9s' "$1" "$2"
    fi
    printf '\n'
done
echo "(s ratio, MB ratio: store / model; serve: seconds to the first answered GET /healthz,"
echo " MB its RSS then)"
if [ -f "$T/select.txt" ]; then
    sel=$(sed -n 's/^select_loop: .* in \([0-9.]*\) s.*/\1/p' "$T/select.txt")
    set -- $(get db.build)
    [ -n "$sel" ] && [ "$1" != "-" ] &&
        echo "$1 $sel" | awk '{printf "build / SELECT loop: %.2f (%.2f s / %.2f s)\n", $1 / $2, $1, $2}'
fi
if [ $HAS_MODEL = 1 ]; then
    echo "model file: $MB MB"
    for p in ${P1:-} ${P2:-}; do
        kill -0 "$p" 2>/dev/null || continue
        awk -v p="$p" '/^Rss:/ {r = $2} /^Pss:/ {s = $2} /^Shared_Clean:/ {c = $2}
            END {printf "replica pid %s: Rss %.1f MB, Pss %.1f MB, shared clean %.1f MB\n",
                 p, r / 1024, s / 1024, c / 1024}' "/proc/$p/smaps_rollup"
    done
fi
