#!/bin/sh
# bench_quiet_1m.sh — a whole-session check at 1M customers: `xsell build`
# of two binaries (a baseline and a new one) on copies of one store, then
# each binary's `recommend --all --format csv` and `customers` twice,
# alternating, on the same model file (the baseline's), with the outputs
# compared byte for byte; then the new binary on its own model file
# (recommend, customers, targets, kpi). Prints wall / CPU / peak RSS and
# the new/base ratios. Needs ~6 GB of scratch (DIR) and a quiet machine.
#
#   sh bench/bench_quiet_1m.sh BASE_BIN NEW_BIN STORE [DIR]
set -eu
BASE=$1 NEW=$2 STORE=$3 DIR=${4:-/tmp/xs-quiet-1m}
mkdir -p "$DIR"
cp "$STORE" "$DIR/base.db"
cp "$STORE" "$DIR/new.db"
cd "$DIR"
# name out cmd...: runs cmd (stdout kept in out), prints its wall / CPU / peak
# RSS on stderr and its wall seconds on stdout
run() {
    name=$1 out=$2; shift 2
    /usr/bin/time -f "%e %U %S %M" -o t.txt "$@" >"$out" 2>err.txt
    read -r w u s m <t.txt
    awk -v n="$name" -v w="$w" -v u="$u" -v s="$s" -v m="$m" \
        'BEGIN { printf "%-30s %8.2f s wall %8.2f s CPU %9d KB\n", n, w, u + s, m }' >&2
    echo "$w"
}
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
wb=$(run "build base" /dev/null "$BASE" build --db base.db --out base.xsm )
wn=$(run "build new" /dev/null "$NEW" build --db new.db --out new.xsm )
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "build new/base: $(ratio "$wn" "$wb")"
for i in 1 2; do
    rb=$(run "recommend base ($i)" rec-base.csv "$BASE" recommend --all --model base.xsm --format csv )
    rn=$(run "recommend new ($i)" rec-new.csv "$NEW" recommend --all --model base.xsm --format csv )
    cb=$(run "customers base ($i)" cust-base.txt "$BASE" customers --model base.xsm )
    cn=$(run "customers new ($i)" cust-new.txt "$NEW" customers --model base.xsm )
    echo "recommend new/base: $(ratio "$rn" "$rb"); customers new/base: $(ratio "$cn" "$cb")"
done
cmp -s rec-base.csv rec-new.csv && echo "recommend: identical bytes" || echo "recommend: OUTPUTS DIFFER"
cmp -s cust-base.txt cust-new.txt && echo "customers: identical bytes" || echo "customers: OUTPUTS DIFFER"
for c in "recommend --all --format csv" customers targets kpi; do
    # shellcheck disable=SC2086
    run "new on its model: ${c%% *}" /dev/null "$NEW" $c --model new.xsm >/dev/null
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
