# xsell itemsets: golden outputs on tests/data/mine, every error path, the
# published retail.dat figure when ../shared/data is present.
DB=$(new_db s)
D="$SRC/tests/data/mine"
expect_rc 0 "$XS" itemsets --help
grep -q "^usage: xsell itemsets" "$T/.out" || fail "--help prints usage"

# small.dat (8 baskets, one empty): counts 1:5 2:5 3:4 4:3 12:4 13:3 23:3 123:2
expect_out 0 "$D/small_3.out" -- "$XS" itemsets --input "$D/small.dat" --min-count 3
expect_out 0 "$D/small_3_maximal.csv" -- "$XS" itemsets --input "$D/small.dat" --min-count 3 --maximal --format csv
# 0.375 * 8 = 3 exactly: the same threshold as --min-count 3
expect_out 0 "$D/small_375_closed.json" -- "$XS" itemsets --input "$D/small.dat" --min-support 0.375 --target closed --format json
expect_rc 0 "$XS" itemsets --input "$D/small.dat" --min-support 0.375 --count-only
expect_eq "$(cat "$T/.out")" 7 "count at support 3/8"
expect_rc 0 "$XS" itemsets --input "$D/small.dat" --min-support 0.37500001 --count-only
expect_eq "$(cat "$T/.out")" 4 "count just above 3/8 (count 4 and up)"
expect_rc 0 "$XS" itemsets --input "$D/small.dat" --min-count 2 --max-len 2 --count-only
expect_eq "$(cat "$T/.out")" 9 "count with --max-len 2: 4 items, 5 pairs"
expect_rc 0 "$XS" itemsets --input "$D/small.dat" --min-count 2 --maximal --count-only
expect_eq "$(cat "$T/.out")" 2 "maximal at count 2: {1,2,3} {2,3,4}"

# --stream prints the same rows in mining order
expect_rc 0 "$XS" itemsets --input "$D/small.dat" --min-count 1 --format csv --stream
sort "$T/.out" > "$T/stream.sorted"
expect_rc 0 "$XS" itemsets --input "$D/small.dat" --min-count 1 --format csv
sort "$T/.out" > "$T/sorted.sorted"
cmp -s "$T/stream.sorted" "$T/sorted.sorted" || fail "--stream rows differ from sorted rows"
expect_rc 0 "$XS" itemsets --input "$D/small.dat" --min-count 1 --format json --stream
sed 's/,$//' "$T/.out" | sort > "$T/stream.json"
expect_rc 0 "$XS" itemsets --input "$D/small.dat" --min-count 1 --format json
sed 's/,$//' "$T/.out" | sort > "$T/sorted.json"
cmp -s "$T/stream.json" "$T/sorted.json" || fail "--stream JSON rows differ from sorted rows"
# closed / maximal counts: tree path and storage-free streaming path agree
for tg in closed maximal; do
    expect_rc 0 "$XS" itemsets --input "$D/small.csv" --input-format basket --min-count 1 --target $tg --count-only
    a=$(cat "$T/.out")
    expect_rc 0 "$XS" itemsets --input "$D/small.csv" --input-format basket --min-count 1 --target $tg --count-only --stream
    expect_eq "$(cat "$T/.out")" "$a" "$tg count with --stream"
done
expect_rc 0 "$XS" itemsets --input "$D/small.dat" --min-count 2 --target closed --count-only
expect_eq "$(cat "$T/.out")" 9 "closed at count 2: all 11 frequent but {2,4} and {3,4} (count 2 = {2,3,4})"
# deterministic: the same bytes twice
"$XS" itemsets --input "$D/small.csv" --input-format basket --min-count 1 > "$T/a"
"$XS" itemsets --input "$D/small.csv" --input-format basket --min-count 1 > "$T/b"
cmp -s "$T/a" "$T/b" || fail "output is not deterministic"

# errors
expect_err 2 "xsell itemsets: $D/bad.dat:3: not an item number: \"x1\"" "$XS" itemsets --input "$D/bad.dat"
expect_err 2 "xsell itemsets: $D/nope.dat: No such file or directory" "$XS" itemsets --input "$D/nope.dat"
expect_err 2 "xsell itemsets: --min-support: 1.5 is out of range [0, 1]
try 'xsell itemsets --help'" "$XS" itemsets --input "$D/small.dat" --min-support 1.5
expect_err 2 "xsell itemsets: --min-count: not an integer: \"x\"
try 'xsell itemsets --help'" "$XS" itemsets --input "$D/small.dat" --min-count x
expect_err 2 "xsell itemsets: --target: expected all, closed or maximal, got \"some\"
try 'xsell itemsets --help'" "$XS" itemsets --input "$D/small.dat" --target some
expect_err 2 "xsell itemsets: --input-format: expected fimi or basket, got \"xml\"
try 'xsell itemsets --help'" "$XS" itemsets --input "$D/small.dat" --input-format xml
expect_err 2 "xsell itemsets: give one of --input FILE or --db FILE
try 'xsell itemsets --help'" "$XS" itemsets
expect_err 2 "xsell itemsets: unknown option \"--frob\"
try 'xsell itemsets --help'" "$XS" itemsets --frob

# --db: baskets from the store's orders equal baskets built from orders.csv
expect_rc 0 "$XS" gen --out "$T/g" --customers 200
for t in customers products subscriptions orders; do
    "$XS" import --db "$DB" $t "$T/g/$t.csv" >/dev/null 2>&1 || fail "import $t"
done
# order_id,customer_id,date,product_id,...: one line per order, its products
awk -F, 'NR > 1 { if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } b[$1] = b[$1] (b[$1] == "" ? "" : ",") $4 }
         END { for (i = 1; i <= n; i++) print b[order[i]] }' "$T/g/orders.csv" > "$T/orders.basket"
expect_rc 0 "$XS" itemsets --input "$T/orders.basket" --input-format basket --min-count 3 --format csv
sort "$T/.out" > "$T/from_file"
expect_rc 0 "$XS" itemsets --db "$DB" --source orders --min-count 3 --format csv
sort "$T/.out" > "$T/from_db"
cmp -s "$T/from_file" "$T/from_db" || fail "--db orders differs from the orders file"
expect_rc 0 "$XS" rules --db "$DB" --source adoption --min-support 0.05 --min-confidence 0.5 --count-only
expect_err 2 "xsell itemsets: --source: expected orders or adoption, got \"x\"
try 'xsell itemsets --help'" "$XS" itemsets --db "$DB" --source x
