#!/bin/sh
# bench_replay_log.sh — what logging decisions and replaying them cost on
# the demo company (docs/replay.md), each against a baseline in the same
# run:
#   recommend --all --log   against recommend --all (no logging)
#   replay                  against the sqlite3 shell reading the same rows
#                           (decisions joined with their offers' outcomes)
# Outcomes are set for the benchmark only (30 % accepted, by offer number),
# so the replayed values show the mechanics, not a finding. Environment:
#   XS=path/to/xsell  (default build/xsell, a Release build)
#   CUSTOMERS=N       (default 100000)
#   BENCH_DIR=dir     (scratch, default /tmp/xsell-bench-replay; the demo
#                      store is kept there and reused)
#   REPEAT=N          (default 3)
set -eu
cd "$(dirname "$0")/.."
XS=${XS:-build/xsell}
N=${CUSTOMERS:-100000}
DIR=${BENCH_DIR:-/tmp/xsell-bench-replay}
REPEAT=${REPEAT:-3}
[ -x "$XS" ] || { echo "bench_replay_log: $XS not built (make)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench_replay_log: needs GNU time" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "bench_replay_log: needs sqlite3" >&2; exit 1; }
mkdir -p "$DIR"
DB="$DIR/demo-$N.db"
if [ ! -f "$DB" ]; then
    "$XS" demo --db "$DB" --customers "$N" >/dev/null 2>&1 || { echo "bench_replay_log: demo failed" >&2; exit 1; }
fi
# wall seconds, peak KB, CPU seconds (user + system): on a shared machine
# the CPU time is the steadier figure
secs() {
    /usr/bin/time -f "%e %M %U %S" -o "$DIR/time" "$@" >/dev/null 2>&1
    awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' "$DIR/time"
}

echo "$N customers; $(date -u +%Y-%m-%d)"
echo
echo "| run | recommend --all s (CPU) | --log s (CPU) | CPU ratio | --log peak MB | decisions | replay s (CPU) | sqlite3 scan s (CPU) | CPU ratio | replay peak MB |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
printf 'epsilon_upsell=0.2\nmin_health=60\n' >"$DIR/policy.conf"
i=1
while [ "$i" -le "$REPEAT" ]; do
    set -- $(secs "$XS" recommend --db "$DB" --all --format csv)
    plain=$1
    plain_cpu=$3
    cp "$DB" "$DIR/log.db"
    set -- $(secs "$XS" recommend --db "$DIR/log.db" --all --log --format csv)
    logged=$1
    log_cpu=$3
    log_mb=$(($2 / 1024))
    sqlite3 "$DIR/log.db" "UPDATE offers SET outcome = CASE WHEN CAST(substr(offer_id, 11) AS INTEGER) % 10 < 3 THEN 'accepted' ELSE 'declined' END, outcome_at = sent_at WHERE offer_id IN (SELECT offer_id FROM decisions)"
    n_dec=$(sqlite3 "$DIR/log.db" "SELECT count(*) FROM decisions")
    set -- $(secs "$XS" replay --db "$DIR/log.db" --policy "$DIR/policy.conf")
    rep=$1
    rep_cpu=$3
    rep_mb=$(($2 / 1024))
    set -- $(secs sqlite3 "$DIR/log.db" "SELECT d.decision_id, d.propensity, d.candidates, o.outcome, o.revenue_delta FROM decisions d LEFT JOIN offers o ON o.offer_id = d.offer_id")
    scan=$1
    scan_cpu=$3
    echo "| $i | $plain ($plain_cpu) | $logged ($log_cpu) | $(echo "$log_cpu $plain_cpu" | awk '{printf "%.2f", $1 / $2}') | $log_mb | $n_dec | $rep ($rep_cpu) | $scan ($scan_cpu) | $(echo "$rep_cpu $scan_cpu" | awk '{printf "%.2f", $1 / $2}') | $rep_mb |"
    i=$((i + 1))
done
echo
"$XS" replay --db "$DIR/log.db" --policy "$DIR/policy.conf"
