#!/bin/bash
# bench_recommend_table.sh — `xsell recommend --all --model MODEL` in the
# aligned table (the default format, en and --lang ja) and in CSV, of XSELL
# against a BASE binary in the same run: the two alternating, ROUNDS rounds
# (default 3), stdout to /dev/null (warm page cache: one untimed run of each
# first). Per run: wall seconds, CPU seconds (user+sys), peak RSS (MB); then
# the median of each and the ratio ours / base. Then the outputs of both
# binaries compared with cmp (streamed side by side, nothing on disk): the
# table, the Japanese table, the CSV, and the guardrail summaries on stderr.
# The load average is printed next to the numbers.
#
# usage: BASE=xsell-of-main [ROUNDS=3] bench/bench_recommend_table.sh XSELL MODEL.xsm
set -eu
XS=${1:?usage: BASE=... bench/bench_recommend_table.sh XSELL MODEL}
MODEL=${2:?model file}
BASE=${BASE:?BASE=another xsell binary}
ROUNDS=${ROUNDS:-3}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
load() { cut -d' ' -f1-3 /proc/loadavg; }

# run NAME BIN ARGS...: one timed run, its line appended to $T/NAME
run() {
    name=$1 bin=$2
    shift 2
    /usr/bin/time -o "$T/t" -f "%e %U %S %M" "$bin" recommend --all --model "$MODEL" "$@" \
        >/dev/null 2>"$T/err" || { cat "$T/err" >&2; exit 1; }
    awk '{printf "%.2f %.2f %.0f\n", $1, $2 + $3, $4 / 1024}' "$T/t" >>"$T/$name"
}

cases="table table-ja csv"
args() {
    case $1 in
    table) ;;
    table-ja) echo --lang ja ;;
    csv) echo --format csv ;;
    esac
}

echo "load $(load)  (before the warm-up)"
for c in $cases; do
    # shellcheck disable=SC2046
    "$BASE" recommend --all --model "$MODEL" $(args $c) >/dev/null 2>&1
done
echo "load $(load)"
printf '%-9s %5s %-4s %7s %7s %7s  %s\n' case round bin wall_s cpu_s rss_mb load
for r in $(seq 1 "$ROUNDS"); do
    for c in $cases; do
        for b in base ours; do
            bin=$BASE
            [ $b = ours ] && bin=$XS
            # shellcheck disable=SC2046
            run "$c.$b" "$bin" $(args $c)
            printf '%-9s %5s %-4s %7s %7s %7s  %s\n' $c "$r" $b $(tail -1 "$T/$c.$b") "$(load)"
        done
    done
done

# the median of column k of file f
median() { cut -d' ' -f"$2" "$1" | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
echo
echo "medians of $ROUNDS rounds (ratio = ours / base)"
printf '%-9s %7s %7s %6s  %7s %7s %6s  %7s %7s %6s\n' case wall_b wall_o ratio \
    cpu_b cpu_o ratio rss_b rss_o ratio
for c in $cases; do
    line="$c"
    for k in 1 2 3; do
        b=$(median "$T/$c.base" $k)
        o=$(median "$T/$c.ours" $k)
        line="$line $b $o $(echo "scale=3; $o / $b" | bc)"
    done
    # shellcheck disable=SC2086
    printf '%-9s %7s %7s %6s  %7s %7s %6s  %7s %7s %6s\n' $line
done

echo
echo "outputs (cmp of base and ours, stdout and stderr)"
for c in $cases; do
    # shellcheck disable=SC2046
    if cmp <("$BASE" recommend --all --model "$MODEL" $(args $c) 2>"$T/err.base") \
        <("$XS" recommend --all --model "$MODEL" $(args $c) 2>"$T/err.ours"); then
        echo "$c: stdout identical"
    else
        echo "$c: stdout DIFFERS"
    fi
    sleep 1 # the process substitutions' stderr files are complete
    if cmp -s "$T/err.base" "$T/err.ours"; then
        echo "$c: guardrail summary identical"
    else
        echo "$c: guardrail summary DIFFERS"
    fi
done
echo "load $(load)"
