#!/bin/sh
# bench_store_pg.sh — the same company in a PostgreSQL store and in an SQLite
# store, timed in the same run: the import of every generated table, `xsell
# build` (the snapshot load and the fits, then the model file) and `xsell
# kpi` (which reads the store); the ratio PostgreSQL / SQLite of each
# (above 1: PostgreSQL is slower). With BASE (an xsell built before the
# database layer of src/store existed), the SQLite store is also timed with
# it, and the ratio new / base says what the layer costs SQLite.
#
# PostgreSQL is the throwaway server of tests/pg/pg-test-server (unix
# socket, fsync off: a server tuned for speed over durability, as SQLite's
# synchronous=NORMAL is not quite either), started and removed here.
# Each command runs RUNS times (default 3); the best time counts. With
# CPU=1 the times are CPU seconds of the xsell process (user + system, the
# steadier figure on a shared machine; the server's own CPU is not in it)
# instead of wall seconds.
#
# PG=0 leaves PostgreSQL out (only the comparison with BASE).
#
# usage: [RUNS=3] [CPU=1] [PG=0] bench/bench_store_pg.sh [XSELL] [N] [BASE]
# XSELL defaults to build/xsell (a Release build: `make`), N to 100000.
set -eu
cd "$(dirname "$0")/.."
XS=${1:-build/xsell}
N=${2:-100000}
BASE=${3:-}
RUNS=${RUNS:-3}
[ -x "$XS" ] || { echo "bench_store_pg: $XS not built (run make)" >&2; exit 1; }
ROOT=$(pwd)
W=$(mktemp -d /tmp/xsell-bench-pg.XXXXXX)
chmod 755 "$W"
PGDIR=$W/pg
trap 'tests/pg/pg-test-server stop "$PGDIR" >/dev/null 2>&1; rm -rf "$W"' EXIT
if [ "${PG:-1}" != 0 ]; then
    URL=$(tests/pg/pg-test-server start "$PGDIR") || {
        echo "bench_store_pg: no PostgreSQL server (tests/pg/pg-test-server start failed)" >&2
        exit 1
    }
    PG="$URL&dbname=bench"
    psql -q "$URL" -c "CREATE DATABASE bench" >/dev/null
else
    PG=
fi

TABLES="customers products subscriptions orders usage events offers"
"$XS" gen --out "$W/d" --customers "$N" >/dev/null 2>&1

CPU=${CPU:-0}
UNIT=$([ "$CPU" = 1 ] && echo "CPU seconds of xsell" || echo "wall seconds")

# timed CMD...: seconds of one run (wall, or CPU with CPU=1)
timed() {
    /usr/bin/time -f "%e %U %S" -o "$W/.time" "$@" >/dev/null 2>&1 || return 1
    if [ "$CPU" = 1 ]; then
        awk '{ print $2 + $3 }' "$W/.time"
    else
        awk '{ print $1 }' "$W/.time"
    fi
}

# import_all XSELL STORE: seconds to import every table
import_all() {
    sum=0
    for t in $TABLES; do
        s=$(timed "$1" import --db "$2" "$t" "$W/d/$t.csv") || {
            echo "bench_store_pg: import of $t into $2 failed" >&2
            exit 1
        }
        sum=$(echo "$sum + $s" | bc)
    done
    echo "$sum"
}

# best XSELL ARGS...: the best time of RUNS runs
best() {
    b=
    i=0
    while [ $i -lt "$RUNS" ]; do
        s=$(timed "$@") || { echo "bench_store_pg: $* failed" >&2; exit 1; }
        if [ -z "$b" ] || [ "$(echo "$s < $b" | bc)" = 1 ]; then b=$s; fi
        i=$((i + 1))
    done
    echo "$b"
}

ratio() { echo "scale=2; $1 / $2" | bc; }

if [ -n "$PG" ]; then
    imp_s=$(import_all "$XS" "$W/s.db")
    imp_p=$(import_all "$XS" "$PG")
    # kpi and customers before any build: they read the store, not a model file
    kpi_s=$(best "$XS" kpi --db "$W/s.db")
    kpi_p=$(best "$XS" kpi --db "$PG")
    cus_s=$(best "$XS" customers --db "$W/s.db" --format csv)
    cus_p=$(best "$XS" customers --db "$PG" --format csv)
    # an xsell from before model files has no --out (its build stores the
    # propensity model only)
    if "$XS" build --help 2>&1 | grep -q -- --out; then
        bld_s=$(best "$XS" build --db "$W/s.db" --out "$W/s.xsm")
        bld_p=$(best "$XS" build --db "$PG" --out "$W/p.xsm")
    else
        bld_s=$(best "$XS" build --db "$W/s.db")
        bld_p=$(best "$XS" build --db "$PG")
    fi
    echo "store backends, $N customers (xsell gen), best of $RUNS; $UNIT"
    printf '%-9s %10s %10s %9s\n' step sqlite postgres pg/sqlite
    printf '%-9s %10.2f %10.2f %9s\n' import "$imp_s" "$imp_p" "$(ratio "$imp_p" "$imp_s")"
    printf '%-9s %10.2f %10.2f %9s\n' kpi "$kpi_s" "$kpi_p" "$(ratio "$kpi_p" "$kpi_s")"
    printf '%-9s %10.2f %10.2f %9s\n' customers "$cus_s" "$cus_p" "$(ratio "$cus_p" "$cus_s")"
    printf '%-9s %10.2f %10.2f %9s\n' build "$bld_s" "$bld_p" "$(ratio "$bld_p" "$bld_s")"
fi

if [ -n "$BASE" ]; then
    [ -x "$BASE" ] || { echo "bench_store_pg: $BASE not built" >&2; exit 1; }
    imp_b=$(import_all "$BASE" "$W/b.db")
    imp_n=$(import_all "$XS" "$W/n.db")
    kpi_b=$(best "$BASE" kpi --db "$W/b.db")
    kpi_n=$(best "$XS" kpi --db "$W/n.db")
    cus_b=$(best "$BASE" customers --db "$W/b.db" --format csv)
    cus_n=$(best "$XS" customers --db "$W/n.db" --format csv)
    echo
    echo "SQLite store: this xsell against BASE ($BASE), best of $RUNS; $UNIT"
    printf '%-9s %10s %10s %9s\n' step base new new/base
    printf '%-9s %10.2f %10.2f %9s\n' import "$imp_b" "$imp_n" "$(ratio "$imp_n" "$imp_b")"
    printf '%-9s %10.2f %10.2f %9s\n' kpi "$kpi_b" "$kpi_n" "$(ratio "$kpi_n" "$kpi_b")"
    printf '%-9s %10.2f %10.2f %9s\n' customers "$cus_b" "$cus_n" "$(ratio "$cus_n" "$cus_b")"
fi
