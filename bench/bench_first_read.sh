#!/bin/sh
# bench_first_read.sh — the readers of a model file on their first read
# (the file not in the page cache, as right after `xsell build`, which
# writes it around the cache) and once it is cached, for two binaries on
# their own model files, alternating, with the ratio new / base of each.
#
#   bench/bench_first_read.sh BASE BASE_MODEL NEW NEW_MODEL [ROUNDS]
#
# BASE, NEW: xsell binaries; BASE_MODEL, NEW_MODEL: a model file each built
# (from the same store; the format may differ between versions). ROUNDS:
# default 2. Readers: kpi, recommend --all (the aligned table),
# recommend --all --format csv, targets, customers; their outputs are
# compared between the binaries.
#
# A file's pages are dropped from the page cache with POSIX_FADV_DONTNEED
# (`dd iflag=nocache count=0`, no root needed), then 4 s pass before the
# cold read: on a VM that hands freed memory back to its host, this is the
# state a reader finds a while after the build. The warm read follows.
#
# Output: one line per reader, binary and round: cold and warm wall
# seconds, user and sys CPU seconds and peak RSS (KB); then per reader
# the median cold and warm ratios new / base.
set -eu
if [ $# -lt 4 ]; then
    echo "usage: bench_first_read.sh BASE BASE_MODEL NEW NEW_MODEL [ROUNDS]" >&2
    exit 2
fi
BASE=$1 BM=$2 NEW=$3 NM=$4 R=${5:-2}
for f in "$BASE" "$NEW"; do [ -x "$f" ] || { echo "bench_first_read: $f: not a program" >&2; exit 1; }; done
for f in "$BM" "$NM"; do [ -f "$f" ] || { echo "bench_first_read: $f: no such file" >&2; exit 1; }; done
command -v /usr/bin/time >/dev/null || { echo "bench_first_read: /usr/bin/time not found" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/bench_first_read.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for c in "kpi" "recommend --all" "recommend --all --format csv" "targets" "customers"; do
    : >"$T/cold.base"; : >"$T/cold.new"; : >"$T/warm.base"; : >"$T/warm.new"
    for i in $(seq "$R"); do
        for side in base new; do
            if [ $side = base ]; then x=$BASE m=$BM; else x=$NEW m=$NM; fi
            dd if="$m" iflag=nocache count=0 status=none
            sleep 4
            # shellcheck disable=SC2086
            /usr/bin/time -f "%e %U %S %M" -o "$T/t1" "$x" $c --model "$m" >"$T/out.$side" 2>/dev/null
            # shellcheck disable=SC2086
            /usr/bin/time -f "%e %U %S %M" -o "$T/t2" "$x" $c --model "$m" >/dev/null 2>&1
            echo "$c | $side $i | cold $(cat "$T/t1") | warm $(cat "$T/t2")"
            cut -d' ' -f1 "$T/t1" >>"$T/cold.$side"
            cut -d' ' -f1 "$T/t2" >>"$T/warm.$side"
        done
        cmp -s "$T/out.base" "$T/out.new" || echo "$c: OUTPUTS DIFFER"
    done
    med() { sort -n "$1" | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
    echo "$c: cold new/base $(med "$T/cold.new") / $(med "$T/cold.base") s = $(awk -v a="$(med "$T/cold.new")" -v b="$(med "$T/cold.base")" 'BEGIN{printf "%.2f", a/b}'), warm $(med "$T/warm.new") / $(med "$T/warm.base") s = $(awk -v a="$(med "$T/warm.new")" -v b="$(med "$T/warm.base")" 'BEGIN{printf "%.2f", a/b}')"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
