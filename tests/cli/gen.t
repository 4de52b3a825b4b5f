# xsell gen: --help, usage errors with their exact messages, the summary on
# stderr, byte-identical output for a seed, no leftovers, and the import of
# every generated table, in dependency order, into a fresh store.
DB=$(new_db store)
DB_H=$(new_db h)
expect_rc 0 "$XS" gen --help
grep -q "^usage: xsell gen --out DIR" "$T/.out" || fail "gen --help prints the usage"

expect_err 2 "xsell gen: --out DIR is required
try 'xsell gen --help'" "$XS" gen --customers 10
expect_err 2 "xsell gen: --customers: not an integer: \"ten\"
try 'xsell gen --help'" "$XS" gen --out "$T/x" --customers ten
expect_err 2 "xsell gen: --customers: 0 is out of range [1, 100000000]
try 'xsell gen --help'" \
    "$XS" gen --out "$T/x" --customers 0
expect_err 2 "xsell gen: --customers: 100000001 is out of range [1, 100000000]
try 'xsell gen --help'" \
    "$XS" gen --out "$T/x" --customers 100000001
expect_err 2 "xsell gen: --seed: -1 is out of range [0, 9223372036854775807]
try 'xsell gen --help'" "$XS" gen --out "$T/x" --seed -1
expect_err 2 'xsell gen: --as-of: not a date YYYY-MM-DD in 2000..2199: "2026-13-01"' \
    "$XS" gen --out "$T/x" --as-of 2026-13-01
expect_err 2 "xsell gen: --holdout-days: not an integer: \"x\"
try 'xsell gen --help'" \
    "$XS" gen --out "$T/x" --holdout-days x
expect_err 2 "xsell gen: --holdout-days: -1 is out of range [0, 3650]
try 'xsell gen --help'" \
    "$XS" gen --out "$T/x" --holdout-days -1
expect_err 2 "xsell gen: --holdout-days: 3651 is out of range [0, 3650]
try 'xsell gen --help'" \
    "$XS" gen --out "$T/x" --holdout-days 3651
expect_err 2 "xsell gen: unknown option \"--frob\"
try 'xsell gen --help'" "$XS" gen --frob
expect_err 2 "xsell gen: --out needs a value
try 'xsell gen --help'" "$XS" gen --out
expect_err 2 "xsell gen: unexpected argument \"extra\"
try 'xsell gen --help'" "$XS" gen --out "$T/x" extra
: >"$T/file"
expect_err 2 "xsell gen: $T/file: not a directory" "$XS" gen --out "$T/file"
expect_err 2 "xsell gen: $T/file/sub: cannot create directory: Not a directory" \
    "$XS" gen --out "$T/file/sub"
# a directory nobody may write in (/sys, when it is so on this machine)
if [ -d /sys ] && ! (: >/sys/.xsell-probe) 2>/dev/null; then
    expect_err 2 'xsell gen: /sys: cannot write in directory: Permission denied' "$XS" gen --out /sys
fi
[ ! -e "$T/x" ] || fail "usage errors create nothing"

# a write that fails (file size limit) exits 1 and leaves nothing behind
expect_err 1 "xsell gen: $T/full/customers.csv: write failed: File too large" \
    sh -c 'ulimit -f 200; trap "" XFSZ; exec "$0" gen --out "$1" --customers 5000' "$XS" "$T/full"
expect_eq "$(ls -A "$T/full" | wc -l | tr -d ' ')" 0 "no files after a failed write"

# a run: one line per file on stderr, nothing on stdout
expect_err 0 "$T/a/customers.csv: 300 rows, 44029 bytes
$T/a/products.csv: 96 rows, 7918 bytes
$T/a/subscriptions.csv: 489 rows, 29776 bytes
$T/a/orders.csv: 1316 rows, 74955 bytes
$T/a/usage.csv: 3933 rows, 182232 bytes
$T/a/events.csv: 2937 rows, 103337 bytes
$T/a/offers.csv: 168 rows, 16217 bytes
$T/a/truth_customers.csv: 300 rows, 16826 bytes
$T/a/truth.json: 1 rows, 5603 bytes" "$XS" gen --out "$T/a" --customers 300 --seed 3
grep -q "^$T/a/products.csv: 96 rows, " "$T/.err" || fail "summary names products.csv"
grep -q "^$T/a/truth.json: 1 rows, " "$T/.err" || fail "summary names truth.json"
expect_eq "$(wc -l <"$T/.err" | tr -d ' ')" 9 "summary lines"
expect_eq "$(wc -c <"$T/.out" | tr -d ' ')" 0 "nothing on stdout"
expect_eq "$(wc -l <"$T/a/customers.csv" | tr -d ' ')" 301 "customers.csv lines"
expect_eq "$(ls -A "$T/a" | wc -l | tr -d ' ')" 9 "nine files, no temporaries"

# same seed: byte-identical; another seed: different
expect_rc 0 "$XS" gen --out "$T/b" --customers 300 --seed 3
expect_rc 0 "$XS" gen --out "$T/c" --customers 300 --seed 4
for f in customers products subscriptions orders usage events offers truth_customers; do
    cmp -s "$T/a/$f.csv" "$T/b/$f.csv" || fail "$f.csv differs for the same seed"
done
cmp -s "$T/a/truth.json" "$T/b/truth.json" || fail "truth.json differs for the same seed"
cmp -s "$T/a/orders.csv" "$T/c/orders.csv" && fail "orders.csv equal for another seed"
# --as-of moves the data
expect_rc 0 "$XS" gen --out "$T/d" --customers 20 --as-of 2025-03-31
grep -q '"as_of": "2025-03-31"' "$T/d/truth.json" || fail "truth.json records --as-of"

# every generated table imports cleanly, in dependency order
for t in customers products subscriptions orders usage events offers; do
    rows=$(($(wc -l <"$T/a/$t.csv") - 1))
    # one line: importing products also warns about the generated catalog,
    # which catalog.t checks
    expect_err_line 0 "imported $T/a/$t.csv: $rows rows ($rows new, 0 updated, 0 unchanged) in #.# s" \
        "$XS" import --db "$DB" "$t" "$T/a/$t.csv"
done

# --holdout-days: truth.json records the experiments; no upsell offer in the
# window reaches a customer `xsell experiment assign` puts in the holdout;
# the customers are the same; every table imports
expect_rc 0 "$XS" gen --out "$T/h" --customers 300 --seed 3 --holdout-days 180
grep -q '^  "experiments": {"start": "2026-04-03", "days": 180, "split": "treatment:90,holdout:10",$' \
    "$T/h/truth.json" || fail "truth.json records the experiments"
grep -q '"experiments"' "$T/a/truth.json" && fail "no experiments without --holdout-days"
cmp -s "$T/a/customers.csv" "$T/h/customers.csv" || fail "same customers with --holdout-days"
for k in upsell cross_sell downsell; do
    expect_rc 0 "$XS" experiment assign --strategy $k --input "$T/h/customers.csv" \
        --id customer_id --format csv
    n=$(awk -F, -v k=$k 'NR == FNR { if ($2 == "holdout") h[$1] = 1; next }
        FNR > 1 && $4 == k && substr($6, 1, 10) >= "2026-04-03" && ($2 in h)' \
        "$T/.out" "$T/h/offers.csv" | wc -l | tr -d ' ')
    expect_eq "$n" 0 "$k offers to its holdout in the window"
done
for t in customers products subscriptions orders usage events offers; do
    rows=$(($(wc -l <"$T/h/$t.csv") - 1))
    # one line: as above, products also warns about the catalog
    expect_err_line 0 "imported $T/h/$t.csv: $rows rows ($rows new, 0 updated, 0 unchanged) in #.# s" \
        "$XS" import --db "$DB_H" "$t" "$T/h/$t.csv"
done
