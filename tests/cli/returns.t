# Returns reduce revenue: a shop's orders and returns (tests/data/returns,
# numbers worked out in tests/unit/test_returns.c) through the CLI. The KPI
# report gains its order revenue and return columns at the end, only for a
# store that holds returns; the customer list's monetary value and LTV are
# net of the returns up to --as-of. Golden outputs: tests/data/returns/*.out.
D="$SRC/tests/data/returns"
DB=$(new_db shop)
for t in customers products orders returns; do
    expect_rc 0 "$XS" import --db "$DB" "$t" "$D/$t.csv"
done

expect_out 0 "$D/month.csv.out" -- "$XS" kpi --db "$DB" --format csv
expect_out 0 "$D/quarter.table.out" -- "$XS" kpi --db "$DB" --period quarter
expect_out 0 "$D/customers.csv.out" -- "$XS" customers --db "$DB" --as-of 2024-04-30 --no-clv --no-churn --format csv

# JSON: the new fields come last, net revenue may be negative, an undefined
# return rate (no order revenue in May) is null
expect_out 0 "$D/may.json.out" -- "$XS" kpi --db "$DB" --from 2024-05-01 --format json

# the same store without returns: the columns of before, nothing added
DB0=$(new_db noreturns)
for t in customers products orders; do
    expect_rc 0 "$XS" import --db "$DB0" "$t" "$D/$t.csv"
done
expect_rc 0 "$XS" kpi --db "$DB0" --format csv
head -1 "$T/.out" | grep -q ',new_business_cost,expansion_cost$' || fail "no return columns without returns"
n_pass=$((n_pass + 1))
