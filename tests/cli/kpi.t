# xsell kpi: KPIs per period from a store built from the hand-made history
# of tests/data/kpi (its numbers are worked out in tests/unit/test_kpi.c).
# Golden outputs: tests/data/kpi/*.out.
D="$SRC/tests/data/kpi"
DB=$(new_db kpi)
for t in customers products subscriptions orders offers; do
    expect_rc 0 "$XS" import --db "$DB" "$t" "$D/$t.csv"
done

# --- output -------------------------------------------------------------
expect_out 0 "$D/month.csv.out" -- "$XS" kpi --db "$DB" --format csv
expect_out 0 "$D/quarter.table.out" -- "$XS" kpi --db "$DB" --from 2026-01-01 --period quarter --cac 100
expect_out 0 "$D/segment.json.out" -- "$XS" kpi --db "$DB" --from 2026-02-01 --to 2026-03-31 --by segment --format json
expect_out 0 "$D/channel.csv.out" -- "$XS" kpi --db "$DB" --from 2026-01-01 --period year --by channel --format csv
expect_out 0 "$D/product.csv.out" -- "$XS" kpi --db "$DB" --from 2026-01-01 --to 2026-04-30 --by product --save-days 30 --retention-cost 10 --cac-multiple 4 --format csv

# the same run twice gives the same bytes
"$XS" kpi --db "$DB" --by kind --format json >"$T/a.json" 2>&1
"$XS" kpi --db "$DB" --by kind --format json >"$T/b.json" 2>&1
cmp -s "$T/a.json" "$T/b.json" || fail "two runs differ"
n_pass=$((n_pass + 1))

# field NAME of the CSV row of period P
kpi_field() {
    awk -F, -v p="$1" -v f="$2" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        $1 == p { print $c[f] }' "$T/.out"
}
expect_rc 0 "$XS" kpi --db "$DB" --from 2026-01-01 --to 2026-04-30 --format csv
expect_eq "$(kpi_field 2026-02 nrr),$(kpi_field 2026-02 grr)" "1.0762,0.8857" "February NRR, GRR"
expect_eq "$(kpi_field 2026-03 reactivation_mrr)" "10.00" "March reactivation"
expect_eq "$(kpi_field 2026-04 mrr_end)" "106.00" "April MRR"

# --- help and errors ----------------------------------------------------
expect_rc 0 "$XS" kpi --help
grep -q "^usage: xsell kpi --db FILE" "$T/.out" || fail "--help prints the usage"
expect_err 2 "xsell kpi: --by: expected segment, industry, size, channel, kind or product, got \"region\"
try 'xsell kpi --help'" "$XS" kpi --db "$DB" --by region
expect_err 2 "xsell kpi: --period: expected month, quarter or year, got \"week\"
try 'xsell kpi --help'" "$XS" kpi --db "$DB" --period week
expect_err 2 'xsell kpi: --from: 2026-05-01 is after the end of the range (to 2026-04-30)' "$XS" kpi --db "$DB" --from 2026-05-01 --to 2026-04-30
expect_err 2 'xsell kpi: --from: not a date: "2026-02-30"' "$XS" kpi --db "$DB" --from 2026-02-30
expect_err 2 'xsell kpi: --to: not a date: "tomorrow"' "$XS" kpi --db "$DB" --to tomorrow
expect_err 2 'xsell kpi: --cac: expected a non-negative amount with at most 2 decimals, got "1,000"' "$XS" kpi --db "$DB" --cac 1,000
expect_err 2 "xsell kpi: --cac-multiple: not a number: \"five\"
try 'xsell kpi --help'" "$XS" kpi --db "$DB" --cac-multiple five
expect_err 2 "xsell kpi: --save-days: 0 is out of range [1, 3650]
try 'xsell kpi --help'" "$XS" kpi --db "$DB" --save-days 0
expect_err 2 "xsell kpi: --format: expected table, json or csv, got \"xml\"
try 'xsell kpi --help'" "$XS" kpi --db "$DB" --format xml
expect_err 2 "xsell kpi: --db FILE is required
try 'xsell kpi --help'" "$XS" kpi
expect_err 2 "xsell kpi: $T/none.db: no such store" "$XS" kpi --db "$T/none.db"
[ ! -e "$T/none.db" ] || fail "a missing store is not created"
n_pass=$((n_pass + 1))
expect_err 2 "xsell kpi: unexpected argument \"extra\"
try 'xsell kpi --help'" "$XS" kpi --db "$DB" extra
expect_err 2 "xsell kpi: unknown option \"--bogus\"
try 'xsell kpi --help'" "$XS" kpi --db "$DB" --bogus
expect_err 2 "xsell kpi: --by needs a value
try 'xsell kpi --help'" "$XS" kpi --db "$DB" --by
# the option table's parser (src/cli/opt.c): values in messages escaped,
# --help takes no value, -h is --help, --db or --model is required
expect_err 2 "xsell kpi: --period: expected month, quarter or year, got \"we\\\"ek\\x0a\"
try 'xsell kpi --help'" "$XS" kpi --db "$DB" --period "we\"ek
"
expect_err 2 "xsell kpi: --save-days: not an integer: \"9\\x09\"
try 'xsell kpi --help'" "$XS" kpi --db "$DB" --save-days "9	"
expect_err 2 "xsell kpi: unexpected argument \"a\\\\b\"
try 'xsell kpi --help'" "$XS" kpi --db "$DB" 'a\b'
expect_err 2 "xsell kpi: unknown option \"--x\\\"y\"
try 'xsell kpi --help'" "$XS" kpi --db "$DB" '--x"y'
expect_err 2 "xsell kpi: --help takes no value
try 'xsell kpi --help'" "$XS" kpi --help=yes
expect_rc 0 "$XS" kpi -h
grep -q "^Exit status: 0 ok, 1 failure, 2 bad usage or bad input.$" "$T/.out" || fail "-h prints the help"
grep -q "^  --save-days N          a downsell offer" "$T/.out" || fail "the Options: block"
