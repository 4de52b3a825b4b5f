# xsell adoption: Kaplan-Meier adoption curves from the store. Fixtures:
# tests/data/together (as of 2024-09-30). Accounting -> payroll: holders of
# acc are C1 (acc 2024-01-01, pay 2024-03-01: adopts at 60 days), C2 (had
# pay before acc: excluded), C3 (never: censored at 269 days), C5 (censored
# at 60 days). KM: t=60, 3 at risk, 1 adopts: 1/3; band (Greenwood,
# log-log) [0.0548, 0.9459].
DB=$(new_db s)
D="$SRC/tests/data/together"
for t in customers products subscriptions orders events; do
    "$XS" import --db "$DB" $t "$D/$t.csv" >/dev/null 2>&1 || fail "import $t"
done

cat >"$T/want" <<'OUT'
days  at_risk  events  cum_adoption      lo      hi
----  -------  ------  ------------  ------  ------
  60        3       1        0.3333  0.0548  0.9459
OUT
expect_out 0 "$T/want" -- "$XS" adoption --db "$DB" --from acc --to pay --curve

cat >"$T/want" <<'OUT'
from,to,holders,excluded,cohort,adopted,median_days,within_30d,lo_30d,hi_30d,within_90d,lo_90d,hi_90d,within_365d,lo_365d,hi_365d
acc,pay,4,1,3,1,,0.0000,0.0000,0.0000,0.3333,0.0548,0.9459,,,
OUT
expect_out 0 "$T/want" -- "$XS" adoption --db "$DB" --from acc --to pay --horizons 30,90,365 --format csv

# every pair with an adoption, A held by at least 3 customers; ordered by
# the share at the last horizon, then names. seat -> acc: C1 and C2 had acc
# first (excluded), C5 adopts at 151 days: everyone at risk adopted, so the
# share is 1 at 180 days although the follow-up ends at 151.
# acc -> seat: C1 at 40 days, C2 at 165 (churned, observed until its last
# order 2024-07-15), C3 censored at 269, C5 excluded: 1 - (2/3)(1/2) = 2/3,
# median 165; Greenwood 1/(3*2) + 1/(2*1) = 2/3, band [0.2259, 0.9910].
cat >"$T/want" <<'OUT'
from  to    holders  excluded  cohort  adopted  median_days  within_180d  lo_180d  hi_180d
----  ----  -------  --------  ------  -------  -----------  -----------  -------  -------
seat  acc         3         2       1        1          151       1.0000   1.0000   1.0000
acc   seat        4         1       3        2          165       0.6667   0.2259   0.9910
crm   acc         3         1       2        1          151       0.5000   0.0896   0.9940
seat  pay         3         1       2        1           20       0.5000   0.0896   0.9940
acc   crm         4         1       3        1                    0.3333   0.0548   0.9459
acc   pay         4         1       3        1                    0.3333   0.0548   0.9459
crm   pay         3         0       3        1                    0.3333   0.0548   0.9459
OUT
expect_out 0 "$T/want" -- "$XS" adoption --db "$DB" --horizons 180 --min-customers 3

# pay -> acc: C1 had acc first; C2 adopts 17 days after pay: 1 at 30 days
# (past the follow-up, but everyone adopted), 0 at 10 days
cat >"$T/want" <<'OUT'
[
 {"from": "pay", "to": "acc", "holders": 2, "excluded": 1, "cohort": 1, "adopted": 1, "median_days": 17, "within_30d": 1.0000, "lo_30d": 1.0000, "hi_30d": 1.0000, "within_10d": 0.0000, "lo_10d": 0.0000, "hi_10d": 0.0000}
]
OUT
expect_out 0 "$T/want" -- "$XS" adoption --db "$DB" --from pay --to acc --horizons 30,10 --format json

# bad input
expect_err 2 "xsell adoption: --input: adoption timing needs dates: import the data into a store and use --db
try 'xsell adoption --help'" "$XS" adoption --input "$D/small.dat"
expect_err 2 'xsell adoption: --from: unknown item "foo"' "$XS" adoption --db "$DB" --from foo
expect_err 2 'xsell adoption: --to: unknown item "bar"' "$XS" adoption --db "$DB" --to bar
expect_err 2 "xsell adoption: --horizons: 40000 is out of range [0, 36500]
try 'xsell adoption --help'" "$XS" adoption --db "$DB" --horizons 30,40000
expect_err 2 "xsell adoption: --horizons: expected a list of days, got \"30,,90\"
try 'xsell adoption --help'" "$XS" adoption --db "$DB" --horizons 30,,90
expect_err 2 "xsell adoption: --horizons: not an integer: \"x\"
try 'xsell adoption --help'" "$XS" adoption --db "$DB" --horizons x
expect_err 2 "xsell adoption: --min-customers: 0 is out of range [1, 1000000000]
try 'xsell adoption --help'" "$XS" adoption --db "$DB" --min-customers 0
expect_err 2 "xsell adoption: --curve needs --from A and --to B
try 'xsell adoption --help'" "$XS" adoption --db "$DB" --from acc --curve
expect_err 2 "xsell adoption: --from and --to name the same product \"acc\"
try 'xsell adoption --help'" "$XS" adoption --db "$DB" --from acc --to acc
expect_err 2 "xsell adoption: --db FILE is required
try 'xsell adoption --help'" "$XS" adoption
expect_err 2 "xsell adoption: $T/none.db: no such store" "$XS" adoption --db "$T/none.db"
[ -e "$T/none.db" ] && fail "a missing store must not be created"
expect_err 2 "xsell adoption: --format: expected table, json or csv, got \"yaml\"
try 'xsell adoption --help'" "$XS" adoption --db "$DB" --format yaml
expect_rc 0 "$XS" adoption --help
grep -q "^usage: xsell adoption" "$T/.out" || fail "--help prints the usage"
