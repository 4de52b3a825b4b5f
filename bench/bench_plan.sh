#!/bin/sh
# bench_plan.sh — `xsell plan` on the demo company: the global plan under
# capacity against today's greedy per-customer ranking under the same
# capacities, in the same run (value gained, time), for each solver, with the
# LP bound as the ceiling. Prints a Markdown table. Environment:
#   XS=path/to/xsell     (default build/xsell, a Release build)
#   CUSTOMERS=N          (default 100000)
#   BENCH_DIR=dir        (scratch, default /tmp/xsell-bench-plan; the demo
#                         store is kept there and reused)
#   SOLVERS="lagrange lp" (default "lagrange lp"; lp takes minutes at 100k)
#   REPEAT=N             (runs of each solver, default 3; lp runs once)
#   SPEC='...'           (default below: 8 CSM meetings a week per CSM and
#                         channel budgets)
set -eu
cd "$(dirname "$0")/.."
XS=${XS:-build/xsell}
N=${CUSTOMERS:-100000}
DIR=${BENCH_DIR:-/tmp/xsell-bench-plan}
SOLVERS=${SOLVERS:-"lagrange lp"}
REPEAT=${REPEAT:-3}
SPEC=${SPEC:-"csm=8/owner, email=5000, in_app=5000, webinar=200, sns=100"}
[ -x "$XS" ] || { echo "bench_plan: $XS not built (make)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench_plan: needs GNU time (/usr/bin/time)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "bench_plan: needs python3" >&2; exit 1; }
mkdir -p "$DIR"
DB="$DIR/demo-$N.db"
if [ ! -f "$DB" ]; then
    "$XS" demo --db "$DB" --customers "$N" >/dev/null 2>&1 || { echo "bench_plan: demo failed" >&2; exit 1; }
fi

echo "capacity: $SPEC; $N customers; $(date -u +%Y-%m-%d)"
echo
echo "| solver | run | candidates | assigned | plan value | greedy value | gain | gap to LP bound | candidates s | greedy s | plan s | wall s | peak RSS MB |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for s in $SOLVERS; do
    runs=$REPEAT
    [ "$s" = lp ] || [ "$s" = mip ] && runs=1
    i=1
    while [ "$i" -le "$runs" ]; do
        /usr/bin/time -f "%e %M" -o "$DIR/time" "$XS" plan --db "$DB" --capacity "$SPEC" \
            --solver "$s" --format json >"$DIR/plan.json"
        python3 - "$DIR/plan.json" "$DIR/time" "$s" "$i" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["totals"][0]
wall, rss = open(sys.argv[2]).read().split()[-2:]
gap = "%.4f %%" % t["gap_pct"] if t["gap_pct"] is not None else "-"
print("| %s | %s | %d | %d | %.2f | %.2f | %+.2f %% | %s | %.3f | %.3f | %.3f | %.2f | %.0f |" % (
    sys.argv[3], sys.argv[4], t["candidates"], t["assigned"], t["value"], t["greedy_value"],
    t["gain_pct"], gap, t["seconds_candidates"], t["seconds_greedy"], t["seconds_plan"],
    float(wall), int(rss) / 1024))
PY
        i=$((i + 1))
    done
done
