#!/bin/sh
# bench_import_txn.sh — a real shop's flat order log through
# `xsell import ... transactions` vs the sqlite3 shell's raw `.import`.
#
# File: ../shared/data/online_retail_ii/online_retail_II_year_2009_2010.csv
# (525,461 invoice lines). In the same run and on the same file:
#   baseline: sqlite3 shell, `.mode csv` + `.import` into a plain table (no
#             types, no key, no checks, nothing derived);
#   xsell:    the whole transactions import into a new store: every line
#             parsed (date-times, money to micro-units), orders merged,
#             returns, anonymous baskets, non-product codes, new customers
#             and products derived, then validated and upserted into five
#             tables in one transaction.
#   re-import: the same file again into that store (every row unchanged).
# Each runs RUNS times (default 5), alternating; prints every time, the
# median of each and the ratio of the medians (xsell / sqlite3), and xsell's
# peak RSS (GNU time).
#
# usage: [RUNS=5] bench/bench_import_txn.sh [XSELL_BINARY]
set -eu
cd "$(dirname "$0")/.."
XS=${1:-build/xsell}
F=../shared/data/online_retail_ii/online_retail_II_year_2009_2010.csv
[ -x "$XS" ] || { echo "bench_import_txn: $XS not built (run make)" >&2; exit 1; }
[ -r "$F" ] || { echo "bench_import_txn: skipped: $F absent"; exit 0; }
command -v sqlite3 >/dev/null || { echo "bench_import_txn: sqlite3 shell not installed" >&2; exit 1; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
RUNS=${RUNS:-5}
now() { date +%s.%N; }
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
MAP="--map Invoice=order_id --map StockCode=product_id --map Description=product_name
     --map Quantity=quantity --map InvoiceDate=date --map Price=unit_price"

base="" ours="" re=""
for run in $(seq "$RUNS"); do
    rm -f "$W/plain.db"
    t0=$(now)
    printf '.mode csv\n.import %s lines\n' "$F" | sqlite3 "$W/plain.db"
    t1=$(now)
    base="$base $(echo "$t1 - $t0" | bc -l)"

    rm -f "$W/s.db" "$W/s.db-wal" "$W/s.db-shm"
    t0=$(now)
    # shellcheck disable=SC2086
    "$XS" import --db "$W/s.db" transactions "$F" $MAP --map "Customer ID=customer_id" \
        --currency GBP --return-prefix C 2>"$W/summary.txt"
    t1=$(now)
    ours="$ours $(echo "$t1 - $t0" | bc -l)"

    t0=$(now)
    # shellcheck disable=SC2086
    "$XS" import --db "$W/s.db" transactions "$F" $MAP --map "Customer ID=customer_id" \
        --currency GBP --return-prefix C 2>/dev/null
    t1=$(now)
    re="$re $(echo "$t1 - $t0" | bc -l)"
done
rm -f "$W/s.db" "$W/s.db-wal" "$W/s.db-shm"
# shellcheck disable=SC2086
/usr/bin/time -f '%M' -o "$W/rss" "$XS" import --db "$W/s.db" transactions "$F" $MAP \
    --map "Customer ID=customer_id" --currency GBP --return-prefix C 2>/dev/null

mb=$(median $base) mo=$(median $ours) mr=$(median $re)
echo "file: $F ($(($(wc -l <"$F") - 1)) lines)"
echo "sqlite3 .import (s):             $base   median $mb"
echo "xsell import transactions (s):   $ours   median $mo"
echo "xsell re-import, unchanged (s):  $re   median $mr"
printf 'ratio xsell / sqlite3 (medians): %.2f   re-import: %.2f\n' \
    "$(echo "$mo / $mb" | bc -l)" "$(echo "$mr / $mb" | bc -l)"
echo "xsell peak RSS: $(($(cat "$W/rss") / 1024)) MB"
echo "what the import found:"
sed 's/^/  /' "$W/summary.txt"
