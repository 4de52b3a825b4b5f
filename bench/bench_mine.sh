#!/bin/sh
# bench_mine.sh — frequent itemsets and rules on the FIMI datasets, timed with
# /usr/bin/time -v (wall time and peak memory, best of $REPS runs, file
# reading included), against the I/O+parse floor measured in the same run: a
# plain C loop that reads the file with one read(2) and parses its integers.
#
#   sh bench/bench_mine.sh [XSELL_BINARY]      (default build/xsell, Release)
#   PEERS=DIR BASE=OTHER_XSELL sh bench/bench_mine.sh [XSELL_BINARY]
#
# PEERS (optional) names Christian Borgelt's eclat and fpgrowth: either a
# directory holding the two built programs (DIR/eclat, DIR/fpgrowth), or his
# source tree (DIR/eclat/src/makefile, DIR/fpgrowth/src/makefile beside
# DIR/tract, DIR/util, DIR/math, DIR/apriori, as his packages and the PyFIM
# sources lay them out), which is copied and built here with his makefiles.
# Then the itemset runs are repeated against both on the same files and
# supports: the counts must agree (the run stops if they do not), and our
# cpu and wall are printed as ratios to theirs. BASE (optional) is a second
# xsell binary (a baseline) measured in the same table.
#
# Needs ../shared/data/fimi/{retail,T10I4D100K}.dat. Scaling inputs (the data
# repeated 4x and 16x) are generated in a temporary directory.
set -eu
cd "$(dirname "$0")/.."
XS=${1:-build/xsell}
REPS=${REPS:-5}
DATA=../shared/data/fimi
[ -x "$XS" ] || { echo "bench_mine: $XS not built (make, or pass the binary)"; exit 1; }
[ -f "$DATA/retail.dat" ] || { echo "bench_mine: skipped: $DATA/retail.dat absent"; exit 0; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# The floor: read(2) the whole file, parse every integer, print their count.
cat > "$TMP/floor.c" <<'EOF'
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    int fd = open(argv[1], O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) return 1;
    char *buf = malloc((size_t)st.st_size + 1);
    size_t n = 0;
    ssize_t got;
    while ((got = read(fd, buf + n, (size_t)st.st_size - n)) > 0) n += (size_t)got;
    unsigned long items = 0, lines = 0, sum = 0, v = 0;
    int in = 0;
    for (size_t i = 0; i < n; i++) {
        char c = buf[i];
        if (c >= '0' && c <= '9') { v = v * 10 + (unsigned long)(c - '0'); in = 1; continue; }
        if (in) { items++; sum += v; v = 0; in = 0; }
        if (c == '\n') lines++;
    }
    printf("%lu lines %lu items %lu\n", lines, items, sum);
    free(buf);
    return 0;
}
EOF
cc -O2 -o "$TMP/floor" "$TMP/floor.c"

# best wall seconds (date +%s%N around /usr/bin/time -v, whose own clock has
# only 10 ms resolution), the peak RSS (MB, from time -v) of that run, and
# the least user+system CPU seconds (time -v, 10 ms ticks; steadier than wall
# time on a shared machine)
measure() {
    m_best=""; m_mem=""; m_cpu=""
    m_i=0
    while [ $m_i -lt "$REPS" ]; do
        m_t0=$(date +%s%N)
        /usr/bin/time -v "$@" >/dev/null 2>"$TMP/tv" || { cat "$TMP/tv" >&2; exit 1; }
        m_t1=$(date +%s%N)
        m_t=$(awk "BEGIN{printf \"%.3f\", ($m_t1 - $m_t0) / 1e9}")
        m_m=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2/1024}' "$TMP/tv")
        m_c=$(awk -F': ' '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$TMP/tv")
        if [ -z "$m_best" ] || awk "BEGIN{exit !($m_t < $m_best)}"; then m_best=$m_t; m_mem=$m_m; fi
        if [ -z "$m_cpu" ] || awk "BEGIN{exit !($m_c < $m_cpu)}"; then m_cpu=$m_c; fi
        m_i=$((m_i + 1))
    done
    echo "$m_best $m_mem $m_cpu"
}

row() { # label "floor_wall floor_cpu" command... (result: the count printed, or rows written)
    label=$1; fl=${2% *}; flc=${2#* }; shift 2
    set -- $(measure "$@") "$@"
    r_t=$1; r_m=$2; r_c=$3; shift 3
    case " $* " in
    *" --count-only "*) n=$("$@" 2>/dev/null) ;;
    *) n=$(($("$@" 2>/dev/null | wc -l) - 1)) ;;
    esac
    ratio=$(awk "BEGIN{printf \"%.1f\", $r_t / ($fl > 0 ? $fl : 0.005)}")
    ratioc=$(awk "BEGIN{printf \"%.1f\", $r_c / ($flc > 0 ? $flc : 0.001)}")
    printf "| %-56s | %8s | %6s s | %5s s | %7s MB | %6sx | %6sx |\n" "$label" "$n" "$r_t" "$r_c" "$r_m" "$ratio" "$ratioc"
}

# the floor's CPU time is below time's 10 ms tick: measure 20 runs at once
floor_cpu() {
    /usr/bin/time -f "%U %S" -o "$TMP/fc" sh -c \
        'i=0; while [ $i -lt 20 ]; do "$0" "$1" >/dev/null; i=$((i + 1)); done' "$TMP/floor" "$1"
    awk '{printf "%.4f", ($1 + $2) / 20}' "$TMP/fc"
}
for f in retail.dat T10I4D100K.dat; do
    set -- $(measure "$TMP/floor" "$DATA/$f")
    fc=$(floor_cpu "$DATA/$f")
    v=$(echo $f | tr -c 'a-zA-Z0-9\n' '_')
    eval "floor_$v=$1 floorc_$v=$fc"
    echo "floor (read+parse) $f: $1 s wall, $fc s cpu, $2 MB"
done
FR="$floor_retail_dat $floorc_retail_dat"
FT="$floor_T10I4D100K_dat $floorc_T10I4D100K_dat"
echo
echo "| run | result | wall | cpu | peak memory | wall vs floor | cpu vs floor |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for c in 89 45 20; do
    row "retail.dat itemsets --min-count $c --count-only" "$FR" \
        "$XS" itemsets --input "$DATA/retail.dat" --min-count $c --count-only
    row "retail.dat itemsets --min-count $c > /dev/null" "$FR" \
        "$XS" itemsets --input "$DATA/retail.dat" --min-count $c --format csv
done
if [ -f "$DATA/T10I4D100K.dat" ]; then
    for c in 1000 300 100; do
        row "T10I4D100K itemsets --min-count $c --count-only" "$FT" \
            "$XS" itemsets --input "$DATA/T10I4D100K.dat" --min-count $c --count-only
        row "T10I4D100K itemsets --min-count $c > /dev/null" "$FT" \
            "$XS" itemsets --input "$DATA/T10I4D100K.dat" --min-count $c --format csv
    done
fi
for c in 89 20; do
    row "retail.dat itemsets --min-count $c --closed" "$FR" \
        "$XS" itemsets --input "$DATA/retail.dat" --min-count $c --closed --count-only
    row "retail.dat itemsets --min-count $c --maximal" "$FR" \
        "$XS" itemsets --input "$DATA/retail.dat" --min-count $c --maximal --count-only
done
for conf in 0.5 0.8; do
    row "retail.dat rules --min-count 20 --min-confidence $conf" "$FR" \
        "$XS" rules --input "$DATA/retail.dat" --min-count 20 --min-confidence $conf --format csv
    row "retail.dat rules ... $conf --max-rules 100 --sort-by lift" "$FR" \
        "$XS" rules --input "$DATA/retail.dat" --min-count 20 --min-confidence $conf --max-rules 100 --sort-by lift --format csv
    [ -f "$DATA/T10I4D100K.dat" ] && row "T10I4D100K rules --min-count 100 --min-confidence $conf" "$FT" \
        "$XS" rules --input "$DATA/T10I4D100K.dat" --min-count 100 --min-confidence $conf --format csv
done

# dense data (the bit-vector path): 3,000 baskets over 40 items, each held
# with probability 0.75 (awk's generator, seeded)
awk 'BEGIN { srand(1); for (t = 0; t < 3000; t++) { l = ""; for (i = 0; i < 40; i++)
     if (rand() < 0.75) l = l (l == "" ? "" : " ") i; print l } }' > "$TMP/dense.dat"
set -- $(measure "$TMP/floor" "$TMP/dense.dat")
FD="$1 $(floor_cpu "$TMP/dense.dat")"
row "dense 40 items 75% itemsets --min-support 0.3 --count-only" "$FD" \
    "$XS" itemsets --input "$TMP/dense.dat" --min-support 0.3 --count-only

# scaling: the same data repeated; a support fraction keeps the itemsets equal
cp "$DATA/retail.dat" "$TMP/r1.dat"
for k in 1 2 3 4; do cat "$DATA/retail.dat"; done > "$TMP/r4.dat"
for k in 1 2 3 4; do cat "$TMP/r4.dat"; done > "$TMP/r16.dat"
for k in 1 4 16; do
    set -- $(measure "$TMP/floor" "$TMP/r$k.dat")
    fk="$1 $(floor_cpu "$TMP/r$k.dat")"
    row "retail x$k itemsets --min-support 0.001 --count-only" "$fk" \
        "$XS" itemsets --input "$TMP/r$k.dat" --min-support 0.001 --count-only
done
# ---------------------------------------------------------------- peers
# Borgelt's programs print "[N set(s)]" on stderr; -s-N is an absolute
# minimum support of N baskets, -tc / -tm closed / maximal item sets; with no
# output file they only count (as --count-only does).
peer_bin() { # name: the built program, or empty
    if [ -x "$PEERS/$1" ] && [ -f "$PEERS/$1" ]; then echo "$PEERS/$1"; return; fi
    if [ -f "$PEERS/$1/src/makefile" ]; then
        if [ ! -d "$TMP/peersrc" ]; then
            mkdir "$TMP/peersrc"
            cp -R "$PEERS"/. "$TMP/peersrc"
            find "$TMP/peersrc" -name '*.o' -exec rm -f {} +
        fi
        rm -f "$TMP/peersrc/$1/src/$1"
        (cd "$TMP/peersrc/$1/src" && make "$1" >"$TMP/peer-$1.log" 2>&1) ||
            { echo "bench_mine: building $1 failed:" >&2; tail -n 20 "$TMP/peer-$1.log" >&2; exit 1; }
        echo "$TMP/peersrc/$1/src/$1"
    fi
}
peer_count() { # program args...: the count it reports
    "$@" 2>&1 >/dev/null | sed -n 's/.*\[\([0-9]*\) set(s)\].*/\1/p' | tail -n 1
}
# label "our args" "peer args" file
peer_row() {
    p_label=$1; p_ours=$2; p_theirs=$3; p_file=$4
    n_x=$("$XS" itemsets --input "$p_file" $p_ours --count-only 2>/dev/null)
    set -- $(measure "$XS" itemsets --input "$p_file" $p_ours --count-only); x_t=$1 x_c=$3
    b_col=""
    if [ -n "${BASE:-}" ]; then
        n_b=$("$BASE" itemsets --input "$p_file" $p_ours --count-only 2>/dev/null)
        [ "$n_b" = "$n_x" ] || { echo "bench_mine: $p_label: base counts $n_b, xsell $n_x" >&2; exit 1; }
        set -- $(measure "$BASE" itemsets --input "$p_file" $p_ours --count-only)
        b_col=$(awk "BEGIN{printf \"%s s | %s s | %.2fx |\", $1, $3, $x_c / ($3 > 0 ? $3 : 0.005)}")
    fi
    n_e=$(peer_count "$ECLAT" $p_theirs "$p_file")
    n_f=$(peer_count "$FPGROWTH" $p_theirs "$p_file")
    [ "$n_e" = "$n_x" ] && [ "$n_f" = "$n_x" ] ||
        { echo "bench_mine: $p_label: counts differ: xsell $n_x, eclat $n_e, fpgrowth $n_f" >&2; exit 1; }
    set -- $(measure "$ECLAT" $p_theirs "$p_file"); e_t=$1 e_c=$3
    set -- $(measure "$FPGROWTH" $p_theirs "$p_file"); f_t=$1 f_c=$3
    awk -v l="$p_label" -v n="$n_x" -v xt="$x_t" -v xc="$x_c" -v et="$e_t" -v ec="$e_c" \
        -v ft="$f_t" -v fc="$f_c" -v b="$b_col" 'function r(a, d) { return a / (d > 0 ? d : 0.005) }
        BEGIN { printf "| %-40s | %7s | %s s | %s s | %s%s s | %s s | %s s | %s s | %.2fx | %.2fx | %.2fx | %.2fx |\n",
                l, n, xt, xc, b == "" ? "" : b " ", et, ec, ft, fc, r(xc, ec), r(xc, fc), r(xt, et), r(xt, ft) }'
}
if [ -n "${PEERS:-}" ]; then
    ECLAT=$(peer_bin eclat)
    FPGROWTH=$(peer_bin fpgrowth)
    [ -n "$ECLAT" ] && [ -n "$FPGROWTH" ] ||
        { echo "bench_mine: PEERS=$PEERS holds neither eclat and fpgrowth nor their sources" >&2; exit 1; }
    echo
    echo "Against Borgelt's eclat and fpgrowth (PEERS=$PEERS), same files and supports, counts checked equal:"
    echo
    if [ -n "${BASE:-}" ]; then
        echo "| run | itemsets | xsell wall | xsell cpu | base wall | base cpu | cpu vs base | eclat wall | eclat cpu | fpgrowth wall | fpgrowth cpu | cpu vs eclat | cpu vs fpgrowth | wall vs eclat | wall vs fpgrowth |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    else
        echo "| run | itemsets | xsell wall | xsell cpu | eclat wall | eclat cpu | fpgrowth wall | fpgrowth cpu | cpu vs eclat | cpu vs fpgrowth | wall vs eclat | wall vs fpgrowth |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    fi
    for c in 89 45 20; do
        peer_row "retail.dat --min-count $c" "--min-count $c" "-s-$c" "$DATA/retail.dat"
    done
    if [ -f "$DATA/T10I4D100K.dat" ]; then
        for c in 1000 300 100; do
            peer_row "T10I4D100K --min-count $c" "--min-count $c" "-s-$c" "$DATA/T10I4D100K.dat"
        done
    fi
    for c in 89 20; do
        peer_row "retail.dat --min-count $c --closed" "--min-count $c --closed" "-s-$c -tc" "$DATA/retail.dat"
        peer_row "retail.dat --min-count $c --maximal" "--min-count $c --maximal" "-s-$c -tm" "$DATA/retail.dat"
    done
    peer_row "dense 40 items 75% --min-count 900" "--min-count 900" "-s-900" "$TMP/dense.dat"
    peer_row "retail x16 --min-count 1424" "--min-count 1424" "-s-1424" "$TMP/r16.dat"
    echo
    echo "vs eclat / fpgrowth / base: our time / theirs (below 1: we are faster)."
fi

# ---------------------------------------------------------------- base
# A second xsell (BASE, e.g. the main branch's Release build) on the miners'
# commands: the outputs must be byte-identical, the cpu is printed as a ratio.
base_row() { # label command...
    b_label=$1; shift
    "$XS" "$@" >"$TMP/out.x" 2>/dev/null
    "$BASE" "$@" >"$TMP/out.b" 2>/dev/null
    cmp -s "$TMP/out.x" "$TMP/out.b" ||
        { echo "bench_mine: $b_label: the output differs from BASE's" >&2; exit 1; }
    b_x=$(measure "$XS" "$@")
    b_b=$(measure "$BASE" "$@")
    echo "$b_x $b_b" | awk -v l="$b_label" -v n="$(wc -l <"$TMP/out.x")" \
        '{ printf "| %-52s | %7d | %s s | %s s | %s s | %s s | %.2fx | %.2fx |\n", l, n - 1,
           $1, $3, $4, $6, $3 / ($6 > 0 ? $6 : 0.005), $1 / ($4 > 0 ? $4 : 0.005) }'
}
if [ -n "${BASE:-}" ]; then
    echo
    echo "Against BASE=$BASE, same commands, outputs checked byte-identical:"
    echo
    echo "| run | rows | xsell wall | xsell cpu | base wall | base cpu | cpu vs base | wall vs base |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|"
    base_row "retail.dat itemsets --min-count 20 (csv)" \
        itemsets --input "$DATA/retail.dat" --min-count 20 --format csv
    base_row "retail.dat itemsets --min-count 20 --closed (csv)" \
        itemsets --input "$DATA/retail.dat" --min-count 20 --closed --format csv
    base_row "retail.dat itemsets --min-count 20 --maximal (csv)" \
        itemsets --input "$DATA/retail.dat" --min-count 20 --maximal --format csv
    base_row "retail.dat rules --min-count 20 --min-confidence 0.5" \
        rules --input "$DATA/retail.dat" --min-count 20 --min-confidence 0.5 --format csv
    base_row "retail.dat rules ... 0.5 --max-rules 100 --sort-by lift" \
        rules --input "$DATA/retail.dat" --min-count 20 --min-confidence 0.5 --max-rules 100 --sort-by lift --format csv
    base_row "retail.dat together (every item's neighbours)" \
        together --input "$DATA/retail.dat" --format csv
    if [ -f "$DATA/T10I4D100K.dat" ]; then
        base_row "T10I4D100K itemsets --min-count 100 (csv)" \
            itemsets --input "$DATA/T10I4D100K.dat" --min-count 100 --format csv
        base_row "T10I4D100K rules --min-count 100 --min-confidence 0.5" \
            rules --input "$DATA/T10I4D100K.dat" --min-count 100 --min-confidence 0.5 --format csv
        base_row "T10I4D100K together" together --input "$DATA/T10I4D100K.dat" --format csv
    fi
    base_row "dense 40 items 75% itemsets --min-support 0.3 (csv)" \
        itemsets --input "$TMP/dense.dat" --min-support 0.3 --format csv
    base_row "retail x16 itemsets --min-count 320 (csv)" \
        itemsets --input "$TMP/r16.dat" --min-count 320 --format csv
    base_row "retail x16 rules --min-count 320 --min-confidence 0.5" \
        rules --input "$TMP/r16.dat" --min-count 320 --min-confidence 0.5 --format csv
    base_row "retail x16 together" together --input "$TMP/r16.dat" --format csv
    echo
    echo "vs base: our time / BASE's (below 1: faster)."
fi

echo
echo "wall: best of $REPS runs, file reading included; cpu: least user+system of"
echo "the runs; result: the count printed, or rows written; vs floor: time /"
echo "time of the read+parse loop on the same file (its cpu: mean of 20 runs)."
