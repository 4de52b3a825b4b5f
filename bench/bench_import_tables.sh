#!/bin/sh
# bench_import_tables.sh — import of every generated table, in key order (as
# `xsell gen` writes it) and shuffled, by `xsell import` against the sqlite3
# shell's `.import` of the same file into a plain table (no types, no key,
# no checks), measured in the same run with GNU time: wall time and peak RSS
# of each, and the ratio xsell / sqlite3 (below 1: xsell is faster).
#
# The tables are those of `xsell gen --customers N` (default 1,000,000). For
# customers and products xsell imports into a new store; for the other tables
# into a copy of a store holding the customers and products (made once, not
# timed). The shuffled files are the data lines in a random order fixed by
# the seed (shuf with an AES-CTR random source), below the same header; the
# reverse files the data lines last to first; the partial files their
# first seventh in key order and the rest shuffled (a file that leaves key
# order after rows were written): ORDERS="key reverse shuffled partial".
# Each contender runs RUNS times (default 1), one after the other in each
# run; the best time, the best CPU time (user + sys) and the largest RSS
# count. ratio is xsell's wall time over sqlite3's, cpu_ratio the same for
# CPU time (steadier on a shared machine). BASE=another xsell binary (e.g.
# one built from an earlier commit) is timed the same way in the same runs,
# in the base_s, base_MB, base_ratio and base_cpu_ratio columns.
# KEYED=1 times a third contender in the same runs, like with like: the
# sqlite3 shell's `.import` into a table with the primary key xsell's store
# table has (the file's columns, untyped, the same key columns, WITHOUT
# ROWID as xsell's), so that the shell has to place every row by its key
# too (keyed_s, keyed_MB, ratio_keyed = xsell_s / keyed_s and cpu_ratio_keyed,
# the same for CPU time; with BASE, base_ratio_keyed = base_s / keyed_s).
# A line "runs:" after each row lists every run's wall time of each
# contender (on a shared machine the best of runs and the spread differ).
#
# usage: [RUNS=3] [TABLES="orders usage"] [ORDERS="key reverse shuffled partial"]
#        [BASE=xsell] [BENCH_DIR=dir] [KEEP=1] bench/bench_import_tables.sh [XSELL] [N] [CSV_DIR]
# XSELL defaults to build/xsell (a Release build: `make`). CSV_DIR: files of an
# earlier `xsell gen` to use instead of generating them (read only).
# Needs about 4 GB of scratch space at 1M customers (BENCH_DIR, default a
# new directory under /tmp, removed at the end unless KEEP=1).
set -eu
cd "$(dirname "$0")/.."
XS=${1:-build/xsell}
N=${2:-1000000}
SRC=${3:-}
RUNS=${RUNS:-1}
TABLES=${TABLES:-"customers products subscriptions orders usage events offers"}
ORDERS=${ORDERS:-"key shuffled"}
SEED=${SEED:-42}
[ -x "$XS" ] || { echo "bench_import_tables: $XS not built (run make)" >&2; exit 1; }
for tool in sqlite3 shuf openssl /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "bench_import_tables: needs $tool" >&2; exit 1; }
done
XS=$(cd "$(dirname "$XS")" && pwd)/$(basename "$XS")
BASE=${BASE:-}
if [ -n "$BASE" ]; then
    [ -x "$BASE" ] || { echo "bench_import_tables: BASE $BASE is not a program" >&2; exit 1; }
    BASE=$(cd "$(dirname "$BASE")" && pwd)/$(basename "$BASE")
fi
if [ -n "${BENCH_DIR:-}" ]; then
    W=$BENCH_DIR
    mkdir -p "$W"
else
    W=$(mktemp -d /tmp/xsell-bench-import.XXXXXX)
fi
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$W"' EXIT

# the files
if [ -z "$SRC" ]; then
    SRC=$W/csv
    [ -f "$SRC/offers.csv" ] || "$XS" gen --out "$SRC" --customers "$N" >/dev/null
fi
for t in $TABLES; do
    [ -f "$SRC/$t.csv" ] || { echo "bench_import_tables: no $SRC/$t.csv" >&2; exit 1; }
done
case " $ORDERS " in
*" reverse "*)
    mkdir -p "$W/reverse"
    for t in $TABLES; do
        [ -f "$W/reverse/$t.csv" ] && continue
        {
            head -1 "$SRC/$t.csv"
            tail -n +2 "$SRC/$t.csv" | tac
        } >"$W/reverse/$t.csv"
    done
    ;;
esac
case " $ORDERS " in
*" shuffled "* | *" partial "*)
    openssl enc -aes-256-ctr -pass pass:"$SEED" -nosalt -pbkdf2 </dev/zero 2>/dev/null |
        head -c 268435456 >"$W/random"
    ;;
esac
case " $ORDERS " in
*" partial "*)
    mkdir -p "$W/partial"
    for t in $TABLES; do
        [ -f "$W/partial/$t.csv" ] && continue
        n=$(($(wc -l <"$SRC/$t.csv") / 7))
        {
            head -n "$((n + 1))" "$SRC/$t.csv"
            tail -n +"$((n + 2))" "$SRC/$t.csv" | shuf --random-source="$W/random"
        } >"$W/partial/$t.csv"
    done
    ;;
esac
case " $ORDERS " in
*" shuffled "*)
    mkdir -p "$W/shuffled"
    for t in $TABLES; do
        [ -f "$W/shuffled/$t.csv" ] && continue
        {
            head -1 "$SRC/$t.csv"
            tail -n +2 "$SRC/$t.csv" | shuf --random-source="$W/random"
        } >"$W/shuffled/$t.csv"
    done
    ;;
esac

# the store the dependent tables go into: customers and products (made by
# the base binary when there is one, so that both can open a copy of it)
IMP=${BASE:-$XS}
rm -f "$W/base.db" "$W/base.db-wal" "$W/base.db-shm"
"$IMP" import --db "$W/base.db" customers "$SRC/customers.csv" 2>/dev/null
"$IMP" import --db "$W/base.db" products "$SRC/products.csv" 2>/dev/null

# timed CMD...: runs it under GNU time; sets T (seconds), C (CPU seconds,
# user + sys) and M (peak RSS, MB). Dirty pages of what ran before (the
# copy of the base store, the last contender's file) are written first, so
# that a contender's fsync does not pay for them.
timed() {
    sync
    /usr/bin/time -f "%e %M %U %S" -o "$W/time" "$@" >"$W/out" 2>"$W/err" || {
        echo "bench_import_tables: failed: $*" >&2
        cat "$W/err" >&2
        exit 1
    }
    T=$(awk '{ print $1 }' "$W/time")
    M=$(awk '{ printf "%.0f", $2 / 1024 }' "$W/time")
    C=$(awk '{ print $3 + $4 }' "$W/time")
}

# import_into XSELL TABLE FILE ROWS: times XSELL importing FILE into a new
# store (customers, products) or a copy of the base store; checks the count
import_into() {
    rm -f "$W/store.db" "$W/store.db-wal" "$W/store.db-shm"
    case $2 in
    customers | products) ;;
    *) cp "$W/base.db" "$W/store.db" ;;
    esac
    timed "$1" import --db "$W/store.db" "$2" "$3"
    n=$(sqlite3 "$W/store.db" "SELECT count(*) FROM $2")
    [ "$n" = "$4" ] || { echo "bench_import_tables: $1 stored $n rows of $2, not $4" >&2; exit 1; }
}
# key_of TABLE: the primary key columns of xsell's store table (schema.c)
key_of() {
    case $1 in
    customers) echo customer_id ;;
    products) echo product_id ;;
    subscriptions) echo customer_id,product_id,start_date ;;
    orders) echo order_id,product_id ;;
    usage) echo customer_id,product_id,metric,date ;;
    events) echo customer_id,date,type,ref ;;
    offers) echo offer_id ;;
    esac
}

# import_keyed TABLE FILE ROWS: times the sqlite3 shell's .import of FILE
# into a new table with TABLE's key; checks the count
import_keyed() {
    rm -f "$W/keyed.db" "$W/keyed.db-journal"
    cols=$(head -1 "$2" | tr -d '\r')
    sqlite3 "$W/keyed.db" "CREATE TABLE $1($cols, PRIMARY KEY($(key_of "$1"))) WITHOUT ROWID"
    timed sqlite3 "$W/keyed.db" ".mode csv" ".import --skip 1 $2 $1"
    n=$(sqlite3 "$W/keyed.db" "SELECT count(*) FROM $1")
    [ "$n" = "$3" ] || { echo "bench_import_tables: sqlite3 keyed has $n rows of $1, not $3" >&2; exit 1; }
}

min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }'; }
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 > a + 0) ? b : a }'; }

div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

if [ -n "$BASE" ]; then
    printf '%-14s %-9s %10s %8s %9s %9s %9s %8s %6s %9s %8s %7s %10s %14s\n' table order rows \
        file_MB sqlite3_s sqlite_MB xsell_s xsell_MB ratio cpu_ratio base_s base_MB \
        base_ratio base_cpu_ratio | tee "$W/table"
else
    printf '%-14s %-9s %10s %8s %9s %9s %9s %8s %6s %9s\n' table order rows file_MB \
        sqlite3_s sqlite_MB xsell_s xsell_MB ratio cpu_ratio | tee "$W/table"
fi
for t in $TABLES; do
    for order in $ORDERS; do
        if [ "$order" = key ]; then f=$SRC/$t.csv; else f=$W/$order/$t.csv; fi
        rows=$(($(wc -l <"$f") - 1))
        mb=$(awk -v b="$(wc -c <"$f")" 'BEGIN { printf "%.0f", b / 1e6 }')
        bt="" bm="" bc="" xt="" xm="" xc="" at="" am="" ac="" kt="" km="" kc=""
        all_s="" all_x="" all_a="" all_k=""
        for run in $(seq "$RUNS"); do
            rm -f "$W/plain.db" "$W/plain.db-journal"
            timed sqlite3 "$W/plain.db" ".mode csv" ".import $f $t"
            bt=$(min "$bt" "$T")
            bm=$(max "$bm" "$M")
            bc=$(min "$bc" "$C")
            all_s="$all_s $T"
            n=$(sqlite3 "$W/plain.db" "SELECT count(*) FROM $t")
            [ "$n" = "$rows" ] || { echo "bench_import_tables: sqlite3 has $n rows of $t, not $rows" >&2; exit 1; }

            import_into "$XS" "$t" "$f" "$rows"
            xt=$(min "$xt" "$T")
            xm=$(max "$xm" "$M")
            xc=$(min "$xc" "$C")
            all_x="$all_x $T"
            if [ -n "$BASE" ]; then
                import_into "$BASE" "$t" "$f" "$rows"
                at=$(min "$at" "$T")
                am=$(max "$am" "$M")
                ac=$(min "$ac" "$C")
                all_a="$all_a $T"
            fi
            if [ "${KEYED:-0}" = 1 ]; then
                import_keyed "$t" "$f" "$rows"
                kt=$(min "$kt" "$T")
                km=$(max "$km" "$M")
                kc=$(min "$kc" "$C")
                all_k="$all_k $T"
            fi
        done
        if [ -n "$BASE" ]; then
            printf '%-14s %-9s %10d %8s %9.2f %9s %9.2f %8s %6s %9s %8.2f %7s %10s %14s\n' "$t" \
                "$order" "$rows" "$mb" "$bt" "$bm" "$xt" "$xm" "$(div "$xt" "$bt")" \
                "$(div "$xc" "$bc")" "$at" "$am" "$(div "$at" "$bt")" "$(div "$ac" "$bc")" |
                tee -a "$W/table"
        else
            printf '%-14s %-9s %10d %8s %9.2f %9s %9.2f %8s %6s %9s\n' "$t" "$order" "$rows" \
                "$mb" "$bt" "$bm" "$xt" "$xm" "$(div "$xt" "$bt")" "$(div "$xc" "$bc")" |
                tee -a "$W/table"
        fi
        if [ "${KEYED:-0}" = 1 ]; then
            printf '%-14s %-9s keyed_s %.2f keyed_MB %s ratio_keyed %s cpu_ratio_keyed %s%s\n' "$t" \
                "$order" "$kt" "$km" "$(div "$xt" "$kt")" "$(div "$xc" "$kc")" \
                "${BASE:+ base_ratio_keyed $(div "$at" "$kt")}" | tee -a "$W/table"
        fi
        printf '%-14s %-9s runs: sqlite3%s; xsell%s%s%s\n' "$t" "$order" "$all_s" "$all_x" \
            "${BASE:+; base$all_a}" "${all_k:+; keyed$all_k}" | tee -a "$W/table"
    done
done
echo "best of $RUNS run(s); *_MB = peak RSS (GNU time), file_MB = size of the CSV;"
echo "ratio = xsell_s / sqlite3_s; cpu_ratio = the same for user + sys seconds;"
echo "base_ratio = base_s / sqlite3_s, base_cpu_ratio its CPU time's; ratio_keyed = xsell_s / keyed_s"
echo "(keyed_s: sqlite3 .import into a table with the store table's key; cpu_ratio_keyed: its CPU's)"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
