#!/bin/sh
# bench_pg_copy.sh — importing order lines into a PostgreSQL store against
# the floor of `psql \copy` of the same file into a plain table (no key, no
# validation), timed in the same run on the throwaway server of
# tests/pg/pg-test-server (unix socket, fsync off), started and removed here.
#
# The company is `xsell gen --customers N` (default 230,000: about a million
# order lines); its customers and products are imported first (not timed),
# then `xsell import orders` runs into a fresh database each time and
# `\copy` into a fresh plain table each time. RUNS runs (default 3), the best
# of each counts; the line ends with the ratio xsell / \copy (the issue asks
# for at most 1.5).
#
# usage: [RUNS=3] bench/bench_pg_copy.sh [XSELL] [N]
set -eu
cd "$(dirname "$0")/.."
XS=${1:-build/xsell}
N=${2:-230000}
RUNS=${RUNS:-3}
[ -x "$XS" ] || { echo "bench_pg_copy: $XS not built (run make)" >&2; exit 1; }
command -v psql >/dev/null 2>&1 || { echo "bench_pg_copy: psql not installed" >&2; exit 1; }
W=$(mktemp -d /tmp/xsell-bench-pgcopy.XXXXXX)
chmod 755 "$W" # the server runs as nobody when we are root
PGDIR="$W/pg"
trap 'tests/pg/pg-test-server stop "$PGDIR" >/dev/null 2>&1; rm -rf "$W"' EXIT
URL=$(tests/pg/pg-test-server start "$PGDIR") || {
    echo "bench_pg_copy: no PostgreSQL server (tests/pg/pg-test-server start failed)" >&2
    exit 1
}
"$XS" gen --out "$W/csv" --customers "$N" >/dev/null 2>&1
chmod -R a+rX "$W/csv" # the server runs as nobody when we are root
LINES=$(($(wc -l <"$W/csv/orders.csv") - 1))

now() { date +%s.%N; }
best() { printf '%s\n' "$@" | sort -g | head -1; }

ours=""
copy=""
r=1
while [ "$r" -le "$RUNS" ]; do
    db="x$r"
    psql -q "$URL" -c "CREATE DATABASE $db" >/dev/null
    S="$URL&dbname=$db"
    "$XS" import --db "$S" customers "$W/csv/customers.csv" >/dev/null 2>&1
    "$XS" import --db "$S" products "$W/csv/products.csv" >/dev/null 2>&1
    t0=$(now)
    "$XS" import --db "$S" orders "$W/csv/orders.csv" >/dev/null 2>"$W/err" || {
        cat "$W/err" >&2
        exit 1
    }
    t1=$(now)
    ours="$ours $(echo "$t1 - $t0" | bc -l)"
    psql -q "$S" -c "CREATE TABLE plain(order_id text, customer_id text, date text,
        product_id text, quantity bigint, amount numeric)" >/dev/null
    t0=$(now)
    psql -q "$S" -c "\\copy plain FROM '$W/csv/orders.csv' CSV HEADER" >/dev/null
    t1=$(now)
    copy="$copy $(echo "$t1 - $t0" | bc -l)"
    r=$((r + 1))
done
# shellcheck disable=SC2086
o=$(best $ours)
# shellcheck disable=SC2086
c=$(best $copy)
printf 'order lines %d (gen --customers %d): xsell import %.2f s, psql \\copy %.2f s, ratio %.2f (runs: xsell%s; copy%s)\n' \
    "$LINES" "$N" "$o" "$c" "$(echo "$o / $c" | bc -l)" "$ours" "$copy"
