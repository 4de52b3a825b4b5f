# xsell demo: generate, import, load, summarise.
DB=$(new_db d)
DB_E=$(new_db e)
expect_rc 0 "$XS" demo --help
grep -q "^usage: xsell demo" "$T/.out" || fail "demo --help prints the usage"
expect_err 2 "xsell demo: --customers: 0 is out of range [1, 100000000]
try 'xsell demo --help'" "$XS" demo --customers 0
expect_err 2 "xsell demo: --format: expected table, json or csv, got \"xml\"
try 'xsell demo --help'" "$XS" demo --format xml
expect_err 2 "xsell demo: unknown option \"--bogus\"
try 'xsell demo --help'" "$XS" demo --bogus
expect_err 2 "xsell demo: unexpected argument \"extra\"
try 'xsell demo --help'" "$XS" demo extra

# A small company; the temporary directory is removed afterwards.
mkdir "$T/tmp"
TMPDIR="$T/tmp" expect_rc 0 "$XS" demo --db "$DB" --customers 40 --seed 3 --format csv
cp "$T/.out" "$T/summary.csv"
expect_eq "$(ls -A "$T/tmp")" "" "temporary files removed"
if sqlite_only; then
    [ -f "$DB" ] || fail "the store was created"
    [ ! -e "$T/d.db.tmp-"* ] 2>/dev/null || fail "no temporary store left"
fi

# Every count of the summary equals the rows `xsell export` writes.
count_of() { # the count of $1 in the "# counts" section
    awk -F, -v w="$1" '/^# /{s=substr($0, 3)} s=="counts" && $1==w {print $2}' "$T/summary.csv"
}
for t in customers products subscriptions orders usage events offers; do
    expect_rc 0 "$XS" export --db "$DB" --format jsonl "$t"
    n=$(wc -l <"$T/.out" | tr -d ' ')
    what=$t
    [ "$t" = orders ] && what=order_lines
    expect_eq "$(count_of "$what")" "$n" "summary count of $t"
done
expect_eq "$(count_of customers)" "40" "customers generated"
# distinct order ids
expect_rc 0 "$XS" export --db "$DB" --format csv orders
n=$(tail -n +2 "$T/.out" | cut -d, -f1 | sort -u | wc -l | tr -d ' ')
expect_eq "$(count_of orders)" "$n" "summary count of distinct orders"

# Segments add up to the customers; sections all present.
sum=$(awk -F, '/^# /{s=substr($0, 3); next} s=="segments" && $1!="segment" {n+=$2} END{print n}' "$T/summary.csv")
expect_eq "$sum" "40" "customers per segment add up"
for s in counts segments plans top_products totals; do
    grep -q "^# $s\$" "$T/summary.csv" || fail "section $s in the csv summary"
done
grep -q "^currency,USD\$" "$T/summary.csv" || fail "currency in the totals"

# The demo builds the store: recommend and targets work on it at once, and
# the demo's last two sections are what they print. The offers section
# holds the first customer (store order) whose top offer is an upsell, the
# first for a cross-sell and the first for a downsell, with their offered
# offers; the targets section is the top 10 of the target list.
for s in offers targets; do
    grep -q "^# $s\$" "$T/summary.csv" || fail "section $s in the csv summary"
done
section() { awk -v w="$1" '/^# /{s=substr($0, 3); next} s==w && NF' "$T/summary.csv"; }
expect_rc 0 "$XS" recommend --db "$DB" --all --format csv
tail -n +2 "$T/.out" >"$T/all.csv"
: >"$T/want"
head -1 "$T/.out" >>"$T/want"
for k in upsell cross-sell downsell; do
    c=$(awk -F, -v k="$k" '$2=="1" && $3==k {print $1; exit}' "$T/all.csv")
    [ -n "$c" ] || fail "some customer's top offer is a $k"
    echo "$c" >>"$T/chosen"
done
for c in $(sort "$T/chosen"); do grep "^$c," "$T/all.csv" >>"$T/want"; done
section offers >"$T/offers.csv"
diff -u "$T/want" "$T/offers.csv" >&2 || fail "demo offers = recommend of the chosen customers"
expect_eq "$(cut -d, -f3 "$T/offers.csv" | tail -n +2 | sort -u | tr '\n' ' ')" \
    "cross-sell downsell upsell " "all three kinds in the demo offers"
grep -q "; model built " "$T/offers.csv" || fail "the demo offers use the stored model"
expect_rc 0 "$XS" targets --db "$DB" --limit 10 --format csv
section targets >"$T/targets.csv"
diff -u "$T/.out" "$T/targets.csv" >&2 || fail "demo targets = xsell targets --limit 10"
expect_eq "$(wc -l <"$T/targets.csv" | tr -d ' ')" "11" "ten targets"

# Same seed, same summary; a file store is replaced, not appended to (a
# database is imported into as it is: each run gets an empty one).
again() { if sqlite_only; then echo "$DB"; else new_db "$1"; fi; }
expect_rc 0 "$XS" demo --db "$(again d2)" --customers 40 --seed 3 --format csv
cmp -s "$T/.out" "$T/summary.csv" || fail "a second run gives the same summary"
expect_rc 0 "$XS" demo --db "$(again d3)" --customers 25 --format json --out "$T/gen"
grep -q '"what": "customers", "count": 25}' "$T/.out" || fail "json summary after replacing"
grep -q '^"top_products": \[' "$T/.out" || fail "json sections"
[ -f "$T/gen/customers.csv" ] || fail "--out keeps the generated files"
expect_rc 0 "$XS" demo --db "$(again d4)" --customers 25
grep -q "^Plans held: active subscriptions and MRR by family and tier" "$T/.out" ||
    fail "table summary titles"

# An existing file at --db is replaced.
if sqlite_only; then
    echo "not a store" >"$T/junk.db"
    expect_rc 0 "$XS" demo --db "$T/junk.db" --customers 5 --format csv
    grep -q "^customers,5\$" "$T/.out" || fail "demo over an existing file"
    expect_rc 0 "$XS" export --db "$T/junk.db" --format jsonl customers
    expect_eq "$(wc -l <"$T/.out" | tr -d ' ')" "5" "the replaced store holds the demo"
fi

# A store that cannot be created: exit 1, nothing left behind.
mkdir "$T/ro"
# one line: the line before it names the demo's scratch directory, a random name
expect_err_line 1 "xsell demo: $T/ro/missing-dir/x.db: cannot open the store: unable to open database file" \
    "$XS" demo --db "$T/ro/missing-dir/x.db" --customers 5
expect_eq "$(ls -A "$T/ro")" "" "nothing left after a failed demo"

# Holdout experiments: the demo plants them (--holdout-days, default 180),
# registers upsell, cross_sell and downsell as running from as_of - 180 and
# reports each arm against the holdout; --holdout-days 0 plants none.
expect_err 2 "xsell demo: --holdout-days: 3651 is out of range [0, 3650]
try 'xsell demo --help'" "$XS" demo --holdout-days 3651
expect_rc 0 "$XS" demo --db "$DB_E" --customers 300 --format csv
cp "$T/.out" "$T/e.csv"
expect_rc 0 "$XS" experiment list --db "$DB_E" --format csv
# (the split is quoted: it holds a comma; the end is empty: running)
expect_eq "$(cut -d, -f1-6 "$T/.out" | tr '\n' ' ')" \
    "name,kind,split,start,end,created_at cross_sell,cross_sell,\"treatment:90,holdout:10\",2026-04-03, downsell,downsell,\"treatment:90,holdout:10\",2026-04-03, upsell,upsell,\"treatment:90,holdout:10\",2026-04-03, " \
    "the demo's experiments"
awk -v w=experiments '/^# /{s=substr($0, 3); next} s==w && NF' "$T/e.csv" >"$T/exp.csv"
expect_eq "$(head -1 "$T/exp.csv")" \
    "experiment,kind,metric,holdout_n,treatment_n,holdout,treatment,lift,lift_lo,lift_hi,p_value" \
    "experiments section columns"
expect_eq "$(tail -n +2 "$T/exp.csv" | cut -d, -f1,3 | tr '\n' ' ')" \
    "cross_sell,arr_change cross_sell,expanded cross_sell,retained downsell,arr_change downsell,expanded downsell,retained upsell,arr_change upsell,expanded upsell,retained " \
    "three metrics per experiment"
# the section's numbers are those of `xsell experiment report` (4 against 6
# significant digits: equal within 1e-3 relative)
for x in cross_sell downsell upsell; do
    expect_rc 0 "$XS" experiment report --db "$DB_E" --name "$x" --format csv
    want=$(awk -F, 'NR>1 && $2=="holdout" {h[$1]=$3; m[$1]=$4} NR>1 && $2=="treatment" {print $1, h[$1], $3, m[$1], $4, $7, $8, $9}' "$T/.out")
    got=$(awk -F, -v x="$x" '$1==x {print $3, $4, $5, $6, $7, $8, $9, $10}' "$T/exp.csv")
    expect_eq "$(echo "$got" | cut -d' ' -f1-3)" "$(echo "$want" | cut -d' ' -f1-3)" "$x: metrics and arm sizes"
    bad=$(printf '%s\n%s\n' "$want" "$got" | awk '
        NR <= 3 {for (i = 4; i <= 8; i++) w[NR, i] = $i; next}
        {for (i = 4; i <= 8; i++) {d = $i - w[NR - 3, i]; if (d < 0) d = -d
            a = w[NR - 3, i]; if (a < 0) a = -a; if (d > 1e-3 * a + 1e-9) print NR - 3, i, $i, w[NR - 3, i]}}')
    expect_eq "$bad" "" "demo section = experiment report of $x"
    expect_rc 0 "$XS" experiment report --db "$DB_E" --name "$x" --format json
    grep -q '"arm": "holdout", "customers": [0-9]*, "offers": 0, "accepted": 0' "$T/.out" ||
        fail "$x: the planted holdout got no offers in the window"
done
# the running holdouts hold today's offers back
expect_rc 0 "$XS" recommend --db "$DB_E" --all --format csv
grep -q "^holdout  *[1-9]" "$T/.err" || fail "recommend --all: the holdout guard suppressed candidates"
DB_E0=$DB_E
sqlite_only || DB_E0=$(new_db e0)
expect_rc 0 "$XS" demo --db "$DB_E0" --customers 300 --holdout-days 0 --format csv
expect_rc 0 "$XS" experiment list --db "$DB_E0" --format csv
expect_eq "$(cat "$T/.out")" "name,kind,split,start,end,created_at" "--holdout-days 0: no experiments"
