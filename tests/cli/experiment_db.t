# xsell experiment start|stop|list|report --db FILE: holdout experiments of
# offer strategies kept in the store. On a demo store (300 customers; the
# demo registers the planted experiments upsell, cross_sell and downsell from
# 2026-04-03, the data ends 2026-09-30): exact output of start, stop and list
# (created_at masked), the report's arms against a recount from the CSV
# files (python3), the holdout guard in 'xsell recommend' against the arms
# of 'xsell experiment assign', and every usage and input error with its
# message and exit status 2.
command -v python3 >/dev/null 2>&1 || fail "python3 is not installed"
DB=$(new_db d)
G="$T/gen"
"$XS" demo --customers 300 --db "$DB" --out "$G" >"$T/demo.out" 2>&1 || {
    cat "$T/demo.out" >&2
    fail "demo"
}
E="xsell experiment"
TODAY=$(date -u +%Y-%m-%d)

# list's created_at is the time of the start: masked (format checked)
list_masked() {
    "$XS" experiment list --db "$DB" "$@" >"$T/list.raw" 2>"$T/.err" || {
        cat "$T/.err" >&2
        fail "experiment list $*"
    }
    sed 's/20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z/YYYY-MM-DDTHH:MM:SSZ/' \
        "$T/list.raw"
}

# sorts a list CSV (stdin) by start, then name, as 'experiment list' does
sort_list() {
    python3 -c 'import csv, sys
r = list(csv.reader(sys.stdin))
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(r[0])
w.writerows(sorted(r[1:], key=lambda x: (x[3], x[0])))'
}

# help
expect_rc 0 "$XS" experiment start --help
grep -q "^usage: xsell experiment start --db FILE --name NAME --kind KIND" "$T/.out" ||
    fail "experiment start --help prints usage"
expect_rc 0 "$XS" experiment report --help

# the demo's experiments
cat >"$T/want" <<'OUT'
name,kind,split,start,end,created_at
cross_sell,cross_sell,"treatment:90,holdout:10",2026-04-03,,YYYY-MM-DDTHH:MM:SSZ
downsell,downsell,"treatment:90,holdout:10",2026-04-03,,YYYY-MM-DDTHH:MM:SSZ
upsell,upsell,"treatment:90,holdout:10",2026-04-03,,YYYY-MM-DDTHH:MM:SSZ
OUT
expect_eq "$(list_masked --format csv)" "$(cat "$T/want")" "list csv"

# --- report: arms and means against a recount from the CSV files --------
cat >"$T/recount.py" <<'PY'
import csv, json, sys
gen, report, assign, kind = sys.argv[1:5]
rep = json.load(open(report))
x = rep["experiment"]
start, until = x["start"], x["until"]
billing = {r["product_id"]: r["billing"] for r in csv.DictReader(open(gen + "/products.csv"))}
def cents(s):
    whole, _, frac = s.partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])
a0, a1 = {}, {}
for r in csv.DictReader(open(gen + "/subscriptions.csv")):
    b = billing[r["product_id"]]
    arr = cents(r["unit_price"]) * int(r["quantity"]) * {"month": 12, "year": 1, "once": 0}[b]
    for day, acc in ((start, a0), (until, a1)):
        if r["start_date"] <= day and (r["end_date"] == "" or r["end_date"] > day):
            acc[r["customer_id"]] = acc.get(r["customer_id"], 0) + arr
arm = {r["id"]: r["arm"] for r in csv.DictReader(open(assign))}
units = {c: arm[c] for c, v in a0.items() if v > 0}
want = {}
for c, g in units.items():
    w = want.setdefault(g, {"customers": 0, "offers": 0, "accepted": 0, "change": 0,
                            "expanded": 0, "retained": 0})
    e = a1.get(c, 0)
    w["customers"] += 1
    w["change"] += e - a0[c]
    w["expanded"] += e > a0[c]
    w["retained"] += e > 0
for r in csv.DictReader(open(gen + "/offers.csv")):
    if r["kind"] != kind or r["customer_id"] not in units:
        continue
    if not (start <= r["sent_at"][:10] <= until):
        continue
    w = want[units[r["customer_id"]]]
    w["offers"] += 1
    w["accepted"] += r["outcome"] == "accepted"
bad = []
for a in rep["arms"]:
    w = want.get(a["arm"], {"customers": 0, "offers": 0, "accepted": 0})
    for k in ("customers", "offers", "accepted"):
        if a[k] != w[k]:
            bad.append("%s %s: report %s, recount %s" % (a["arm"], k, a[k], w[k]))
if sorted(a["arm"] for a in rep["arms"]) != sorted(want):
    bad.append("arms %s vs %s" % ([a["arm"] for a in rep["arms"]], sorted(want)))
for row in rep["results"]:
    w = want[row["group"]]
    n = w["customers"]
    mean = {"arr_change": w["change"] / 100 / n, "expanded": w["expanded"] / n,
            "retained": w["retained"] / n}[row["metric"]]
    if row["n"] != n or abs(row["mean"] - mean) > 1e-5 * max(1, abs(mean)):
        bad.append("%s %s: n %s mean %s, recount n %s mean %s"
                   % (row["metric"], row["group"], row["n"], row["mean"], n, mean))
print("\n".join(bad) if bad else "ok %s" % " ".join(
    "%s:%d/%d/%d" % (g, w["customers"], w["offers"], w["accepted"]) for g, w in sorted(want.items())))
PY
# recount NAME KIND SPLIT REPORT_JSON: prints "ok ARM:customers/offers/accepted ..."
recount() {
    "$XS" experiment assign --strategy "$1" --split "$3" --input "$G/customers.csv" \
        --id customer_id --format csv >"$T/assign.csv" || fail "assign $1"
    python3 "$T/recount.py" "$G" "$4" "$T/assign.csv" "$2"
}

for k in upsell cross_sell downsell; do
    "$XS" experiment report --db "$DB" --name "$k" --format json >"$T/rep.json" 2>"$T/.err" ||
        { cat "$T/.err" >&2; fail "report $k"; }
    python3 -c 'import json,sys; x = json.load(open(sys.argv[1]))["experiment"]; print(x["until"], x["end"])' \
        "$T/rep.json" >"$T/until" || fail "report $k: not JSON"
    expect_eq "$(cat "$T/until")" "2026-09-30 None" "report $k until"
    out=$(recount "$k" "$k" "treatment:90,holdout:10" "$T/rep.json")
    # the generated history never offered the kind to its holdout in the window
    case "$out" in
    "ok holdout:"*"/0/0 treatment:"*) n_pass=$((n_pass + 1)) ;;
    *) fail "report $k against the recount: $out" ;;
    esac
done
# an earlier --as-of shrinks the window
"$XS" experiment report --db "$DB" --name upsell --as-of 2026-06-30 --format json >"$T/rep.json" ||
    fail "report --as-of"
expect_eq "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["experiment"]["until"])' "$T/rep.json")" \
    "2026-06-30" "report --as-of until"
out=$(recount upsell upsell "treatment:90,holdout:10" "$T/rep.json")
case "$out" in ok*) n_pass=$((n_pass + 1)) ;; *) fail "report --as-of against the recount: $out" ;; esac
# table format: the head line and the arms
"$XS" experiment report --db "$DB" --name upsell >"$T/rep.txt" || fail "report table"
expect_eq "$(sed -n 1p "$T/rep.txt")" \
    "experiment upsell: upsell, split treatment:90,holdout:10, 2026-04-03 to 2026-09-30 (running)" \
    "report table head"
expect_eq "$(sed -n 3p "$T/rep.txt" | tr -s ' ')" "arm customers offers accepted" "report arms header"
# csv: the results table only
"$XS" experiment report --db "$DB" --name upsell --format csv >"$T/rep.csv" || fail "report csv"
expect_eq "$(head -c 19 "$T/rep.csv")" "metric,group,n,mean" "report csv header"
expect_eq "$(wc -l <"$T/rep.csv" | tr -d ' ')" "7" "report csv rows (header + 3 metrics x 2 arms)"

# --- start, stop, list ---------------------------------------------------
# one experiment per kind on a day
expect_err 2 "$E: --kind: an experiment of kind upsell overlapping these days exists: \"upsell\"" \
    "$XS" experiment start --db "$DB" --name spring --kind upsell --start 2027-01-01
expect_err 2 "$E: --kind: an experiment of kind cross_sell overlapping these days exists: \"cross_sell\"" \
    "$XS" experiment start --db "$DB" --name spring --kind cross_sell --start 2026-01-01 --end 2026-04-03
# the same name, whatever the kind
expect_err 2 "$E: --name: an experiment of this name exists: \"upsell\"" \
    "$XS" experiment start --db "$DB" --name upsell --kind upsell --start 2027-01-01
expect_err 2 "$E: --name: an experiment of this name exists: \"downsell\"" \
    "$XS" experiment start --db "$DB" --name downsell --kind cross_sell --start 2020-01-01 --end 2020-02-01

echo "experiment cross_sell ended on 2026-09-30" >"$T/want"
expect_out 0 "$T/want" -- "$XS" experiment stop --db "$DB" --name cross_sell --end 2026-09-30
expect_err 2 "$E: experiment \"cross_sell\" already ended on 2026-09-30" \
    "$XS" experiment stop --db "$DB" --name cross_sell --end 2026-10-01
echo "experiment spring started: cross_sell, split treatment:1,holdout:1, from 2026-10-01 to 2026-12-31" >"$T/want"
expect_out 0 "$T/want" -- "$XS" experiment start --db "$DB" --name spring --kind cross_sell \
    --split treatment:1,holdout:1 --start 2026-10-01 --end 2026-12-31
echo "experiment later started: cross_sell, split treatment:90,holdout:10, from 2027-01-01" >"$T/want"
expect_out 0 "$T/want" -- "$XS" experiment start --db "$DB" --name later --kind cross_sell --start 2027-01-01
expect_err 2 "$E: --kind: an experiment of kind cross_sell overlapping these days exists: \"spring\"" \
    "$XS" experiment start --db "$DB" --name s2 --kind cross_sell --start 2026-12-31 --end 2026-12-31
expect_err 2 "$E: --end: before the experiment's start 2027-01-01: \"2026-12-31\"" \
    "$XS" experiment stop --db "$DB" --name later --end 2026-12-31
echo "experiment later ended on 2027-01-01" >"$T/want"
expect_out 0 "$T/want" -- "$XS" experiment stop --db "$DB" --name later --end 2027-01-01
# the defaults: --start today, stop --end today (UTC)
echo "experiment downsell ended on 2026-04-03" >"$T/want"
expect_out 0 "$T/want" -- "$XS" experiment stop --db "$DB" --name downsell --end 2026-04-03
if [ "$TODAY" \> "2026-04-03" ]; then
    echo "experiment dn2 started: downsell, split a:1,holdout:3, from $TODAY" >"$T/want"
    expect_out 0 "$T/want" -- "$XS" experiment start --db "$DB" --name dn2 --kind downsell --split a:1,holdout:3
    echo "experiment dn2 ended on $TODAY" >"$T/want"
    expect_out 0 "$T/want" -- "$XS" experiment stop --db "$DB" --name dn2
    DN2="dn2,downsell,\"a:1,holdout:3\",$TODAY,$TODAY,YYYY-MM-DDTHH:MM:SSZ"
fi

# ordered by start, then name (dn2's place depends on today: sorted here)
{
    echo "name,kind,split,start,end,created_at"
    echo "cross_sell,cross_sell,\"treatment:90,holdout:10\",2026-04-03,2026-09-30,YYYY-MM-DDTHH:MM:SSZ"
    echo "downsell,downsell,\"treatment:90,holdout:10\",2026-04-03,2026-04-03,YYYY-MM-DDTHH:MM:SSZ"
    echo "upsell,upsell,\"treatment:90,holdout:10\",2026-04-03,,YYYY-MM-DDTHH:MM:SSZ"
    echo "spring,cross_sell,\"treatment:1,holdout:1\",2026-10-01,2026-12-31,YYYY-MM-DDTHH:MM:SSZ"
    echo "later,cross_sell,\"treatment:90,holdout:10\",2027-01-01,2027-01-01,YYYY-MM-DDTHH:MM:SSZ"
    [ -z "${DN2:-}" ] || echo "$DN2"
} | sort_list >"$T/want"
expect_eq "$(list_masked --format csv)" "$(cat "$T/want")" "list csv after start / stop"
cp "$T/want" "$T/want_list"
# every created_at has the UTC timestamp form
expect_eq "$(tail -n +2 "$T/list.raw" | grep -cv ',20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z$')" \
    "0" "created_at format"
# table: running experiments have an empty end
list_masked >"$T/list.txt"
expect_eq "$(sed -n 1p "$T/list.txt" | tr -s ' ')" "name kind split start end created_at" "list table header"
expect_eq "$(grep '^upsell ' "$T/list.txt" | tr -s ' ')" \
    "upsell upsell treatment:90,holdout:10 2026-04-03 YYYY-MM-DDTHH:MM:SSZ" "list table running row"
# json: end null while running
list_masked --format json >"$T/list.json"
expect_eq "$(python3 -c 'import json,sys; print([(x["name"], x["end"]) for x in json.load(open(sys.argv[1])) if x["name"] in ("upsell", "spring")])' "$T/list.json")" \
    "[('upsell', None), ('spring', '2026-12-31')]" "list json"
# an ended experiment's report window ends on its end
"$XS" experiment report --db "$DB" --name cross_sell --format json >"$T/rep.json" || fail "report ended"
expect_eq "$(python3 -c 'import json,sys; x = json.load(open(sys.argv[1]))["experiment"]; print(x["end"], x["until"])' "$T/rep.json")" \
    "2026-09-30 2026-09-30" "report of an ended experiment"
"$XS" experiment report --db "$DB" --name cross_sell >"$T/rep.txt" || fail "report ended table"
expect_eq "$(sed -n 1p "$T/rep.txt")" \
    "experiment cross_sell: cross_sell, split treatment:90,holdout:10, 2026-04-03 to 2026-09-30" \
    "report table head of an ended experiment"

# --- the holdout guard in recommend ------------------------------------
# the data ends 2026-09-30: end the planted upsell experiment the day before,
# decide, start a 1:1000 holdout on 2026-09-30 and decide again
echo "experiment upsell ended on 2026-09-29" >"$T/want"
expect_out 0 "$T/want" -- "$XS" experiment stop --db "$DB" --name upsell --end 2026-09-29
"$XS" recommend --db "$DB" --all --show-suppressed --format csv >"$T/before.csv" 2>/dev/null ||
    fail "recommend before"
echo "experiment hold-up started: upsell, split treatment:1,holdout:1000, from 2026-09-30" >"$T/want"
expect_out 0 "$T/want" -- "$XS" experiment start --db "$DB" --name hold-up --kind upsell \
    --split treatment:1,holdout:1000 --start 2026-09-30
"$XS" recommend --db "$DB" --all --show-suppressed --format csv >"$T/after_all.csv" 2>"$T/sum.txt" ||
    fail "recommend after"
"$XS" recommend --db "$DB" --all --format csv >"$T/after.csv" 2>/dev/null || fail "recommend after"
"$XS" recommend --db "$DB" --all --format csv --limit 2 >"$T/after2.csv" 2>/dev/null || fail "recommend after"
cmp -s "$T/after.csv" "$T/after2.csv" || fail "recommend --limit 2 is the default"
"$XS" experiment assign --strategy hold-up --split treatment:1,holdout:1000 \
    --input "$G/customers.csv" --id customer_id --format csv >"$T/arms.csv" || fail "assign hold-up"
cat >"$T/guard.py" <<'PY'
import csv, sys
before, after_all, after, arms = sys.argv[1:5]
arm = {r["id"]: r["arm"] for r in csv.DictReader(open(arms))}
rows = lambda p: [r for r in csv.DictReader(open(p))]
b, aa, a = rows(before), rows(after_all), rows(after)
bad = []
# treatment customers: every row the same, in order
tb = [r for r in b if arm[r["customer_id"]] == "treatment"]
ta = [r for r in aa if arm[r["customer_id"]] == "treatment"]
if tb != ta:
    bad.append("treatment decisions differ")
key = lambda r: (r["customer_id"], r["trigger"], r["product"], r["channel"], r["timing"])
# holdout customers: no upsell offered; their upsell candidates (offered or
# not) are exactly the rows suppressed by holdout
hb = sorted(key(r) for r in b if arm[r["customer_id"]] == "holdout" and r["kind"] == "upsell")
hh = sorted(key(r) for r in aa if r["suppressed_by"] == "holdout" and r["kind"] == "upsell")
if hb != hh:
    bad.append("holdout rows: %d upsell candidates before, %d suppressed by holdout" % (len(hb), len(hh)))
if any(arm[r["customer_id"]] != "holdout" for r in aa if r["suppressed_by"] == "holdout" and r["kind"] == "upsell"):
    bad.append("an upsell of a treatment customer suppressed by holdout")
# the cross_sell experiment (ended 2026-09-30, the decision day) runs in
# both: its holdout rows are the same before and after
hx = lambda rows: sorted(key(r) for r in rows if r["suppressed_by"] == "holdout" and r["kind"] != "upsell")
if hx(b) != hx(aa) or any(r["kind"] != "cross-sell" for r in aa if r["suppressed_by"] == "holdout" and r["kind"] != "upsell"):
    bad.append("holdout rows of other kinds changed")
n_cross = len(hx(aa))
if any(r["kind"] == "upsell" and arm[r["customer_id"]] == "holdout" and r["suppressed_by"] != "holdout" for r in aa):
    bad.append("an upsell of a holdout customer not suppressed by holdout")
# the offered list: upsells only for treatment customers, exactly theirs before
up_a = [r for r in a if r["kind"] == "upsell"]
up_b = [r for r in b if r["kind"] == "upsell" and r["suppressed_by"] == "" and arm[r["customer_id"]] == "treatment"]
if up_a != up_b:
    bad.append("offered upsells: %d after, %d of treatment customers before" % (len(up_a), len(up_b)))
if [r for r in aa if r["suppressed_by"] == ""] != a:
    bad.append("--show-suppressed changes the offered rows")
n_held_off = sum(1 for r in b if r["kind"] == "upsell" and r["suppressed_by"] == "" and arm[r["customer_id"]] == "holdout")
n_treat = sum(1 for v in arm.values() if v == "treatment")
print("\n".join(bad) if bad else "ok %d %d %d %d %d" % (len(hh), n_held_off, len(up_a), n_treat, n_cross))
PY
out=$(python3 "$T/guard.py" "$T/before.csv" "$T/after_all.csv" "$T/after.csv" "$T/arms.csv")
set -- $out
[ "${1:-}" = ok ] || fail "recommend with the holdout: $out"
shift
n_pass=$((n_pass + 1))
# not vacuous: upsells offered before were held back; the summary counts them
[ "$2" -gt 20 ] || fail "only $2 offered upsells were held back"
[ "$5" -gt 20 ] || fail "only $5 cross-sells held back by cross_sell"
expect_eq "$(grep -c '^holdout ' "$T/sum.txt" 2>/dev/null || true)" "1" "summary has a holdout row"
expect_eq "$(awk '$1 == "holdout" {print $2}' "$T/sum.txt")" "$(($1 + $5))" \
    "summary: holdout suppressions (upsells of hold-up, cross-sells of cross_sell)"
# report before the start
expect_err 2 "$E: --as-of: experiment \"hold-up\" starts 2026-09-30, after the data's as-of day 2026-09-29" \
    "$XS" experiment report --db "$DB" --name hold-up --as-of 2026-09-29

# --- usage and input errors ----------------------------------------------
expect_err 2 "$E: list: --db FILE is required
try '$E --help'" "$XS" experiment list
expect_err 2 "$E: start: --db FILE is required
try '$E --help'" "$XS" experiment start --name a --kind upsell
expect_err 2 "$E: start: --name NAME is required
try '$E --help'" "$XS" experiment start --db "$DB" --kind upsell
expect_err 2 "$E: stop: --name NAME is required
try '$E --help'" "$XS" experiment stop --db "$DB"
expect_err 2 "$E: report: --name NAME is required
try '$E --help'" "$XS" experiment report --db "$DB"
expect_err 2 "$E: start: --kind KIND is required
try '$E --help'" "$XS" experiment start --db "$DB" --name a
expect_err 2 "$E: --kind: expected upsell, cross_sell or downsell, got \"cross-sell\"" \
    "$XS" experiment start --db "$DB" --name a --kind cross-sell
expect_err 2 "$E: --name: only letters, digits, '_', '-' and '.' allowed: \"a b\"" \
    "$XS" experiment start --db "$DB" --name "a b" --kind upsell --start 2030-01-01
expect_err 2 "$E: --name: must be 1 to 63 characters" \
    "$XS" experiment start --db "$DB" --name "$(printf 'n%.0s' $(seq 64))" --kind upsell --start 2030-01-01
expect_err 2 "$E: --split: needs an arm named holdout and at least one other: \"a:1,b:1\"" \
    "$XS" experiment start --db "$DB" --name a --kind upsell --split a:1,b:1 --start 2030-01-01
expect_err 2 "$E: --split: needs an arm named holdout and at least one other: \"holdout\"" \
    "$XS" experiment start --db "$DB" --name a --kind upsell --split holdout --start 2030-01-01
expect_err 2 "$E: --split: weight must be a number > 0: \"holdout:0\"" \
    "$XS" experiment start --db "$DB" --name a --kind upsell --split a,holdout:0 --start 2030-01-01
expect_err 2 "$E: --start: not a date (YYYY-MM-DD): \"2026-02-30\"" \
    "$XS" experiment start --db "$DB" --name a --kind upsell --start 2026-02-30
expect_err 2 "$E: --start: not a date (YYYY-MM-DD): \"2026-02-300\"" \
    "$XS" experiment start --db "$DB" --name a --kind upsell --start 2026-02-300
expect_err 2 "$E: --end: not a date (YYYY-MM-DD): \"2031-1-1\"" \
    "$XS" experiment start --db "$DB" --name a --kind upsell --start 2030-01-01 --end 2031-1-1
expect_err 2 "$E: --end: before the start 2030-01-01: \"2029-12-31\"" \
    "$XS" experiment start --db "$DB" --name a --kind upsell --start 2030-01-01 --end 2029-12-31
expect_err 2 "$E: --name: no experiment of this name: \"nope\"" \
    "$XS" experiment stop --db "$DB" --name nope --end 2030-01-01
expect_err 2 "$E: --name: no experiment of this name: \"nope\"" \
    "$XS" experiment report --db "$DB" --name nope
expect_err 2 "$E: --end: not a date (YYYY-MM-DD): \"2026-13-01\"" \
    "$XS" experiment stop --db "$DB" --name hold-up --end 2026-13-01
expect_err 2 "$E: --end: not a date (YYYY-MM-DD): \"2026-10-010\"
try '$E --help'" \
    "$XS" experiment stop --db "$DB" --name hold-up --end 2026-10-010
expect_err 2 "$E: --end: before the experiment's start 2026-09-30: \"2026-09-29\"" \
    "$XS" experiment stop --db "$DB" --name hold-up --end 2026-09-29
expect_err 2 "$E: --as-of: not a date (YYYY-MM-DD): \"2026-9-30\"" \
    "$XS" experiment report --db "$DB" --name upsell --as-of 2026-9-30
expect_err 2 "$E: --as-of: experiment \"upsell\" starts 2026-04-03, after the data's as-of day 2026-04-02" \
    "$XS" experiment report --db "$DB" --name upsell --as-of 2026-04-02
expect_err 2 "$E: --format: expected table, json or csv, got \"xml\"
try '$E --help'" \
    "$XS" experiment list --db "$DB" --format xml
expect_err 2 "$E: unexpected argument \"extra\"
try '$E --help'" "$XS" experiment list --db "$DB" extra
expect_err 2 "$E: unknown option \"--frob\"
try '$E --help'" "$XS" experiment list --db "$DB" --frob
expect_err 2 "$E: --name needs a value
try '$E --help'" "$XS" experiment stop --db "$DB" --name
# an arm with fewer than 2 customers paying on the start day
echo "experiment tiny started: cross_sell, split treatment:1,holdout:1000000, from 2026-03-01 to 2026-03-31" >"$T/want"
expect_out 0 "$T/want" -- "$XS" experiment start --db "$DB" --name tiny --kind cross_sell \
    --split treatment:1,holdout:1000000 --start 2026-03-01 --end 2026-03-31
expect_rc 2 "$XS" experiment report --db "$DB" --name tiny
grep -qx "$E: experiment \"tiny\": arm treatment has [01] customers with revenue on 2026-03-01; at least 2 are needed" \
    "$T/.err" || { cat "$T/.err" >&2; fail "report of an arm with < 2 units"; }
# every refusal left the store as it was: upsell ended, tiny and hold-up added
{
    sed 's/^upsell,upsell,\("[^"]*"\),2026-04-03,,/upsell,upsell,\1,2026-04-03,2026-09-29,/' "$T/want_list"
    echo 'tiny,cross_sell,"treatment:1,holdout:1000000",2026-03-01,2026-03-31,YYYY-MM-DDTHH:MM:SSZ'
    echo 'hold-up,upsell,"treatment:1,holdout:1000",2026-09-30,,YYYY-MM-DDTHH:MM:SSZ'
} | sort_list >"$T/want"
expect_eq "$(list_masked --format csv)" "$(cat "$T/want")" "list after the errors"
