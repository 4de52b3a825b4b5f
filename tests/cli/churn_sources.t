# Where the offer engine's P(churn) comes from (docs/offers.md "Churn risk",
# src/offer/churn_src.c): an imported churn_scores row, else the churn model
# attached to the build, else the built-in estimate; the evidence names the
# source after the number. The store of tests/data/churn-sources, as of
# 2026-06-30: C01, C02, C03 carry the columns of the labelled customer table
# train.csv (plan_type, monthly_spend, tickets: kept as attrs), C90 none.
D="$SRC/tests/data/churn-sources"
DB=$(new_db s)
for t in customers products subscriptions events; do
    "$XS" import --db "$DB" "$t" "$D/$t.csv" >/dev/null 2>&1 || fail "import $t"
done

# pchurn CUSTOMER: the distinct "P(churn) X (SOURCE)" of the customer's
# candidates (every candidate carries the same one, so one line)
pchurn() {
    "$XS" recommend --db "$DB" --customer "$1" --show-suppressed --format csv \
        >"$T/rec" 2>"$T/rec.err" || { cat "$T/rec.err" >&2; fail "recommend $1"; }
    grep -o 'P(churn) [0-9.]* ([^)]*)' "$T/rec" | sort -u
}
# predicted CUSTOMER: the probability `xsell churn predict` gives the
# customer's row of train.csv, to 3 decimals
predicted() {
    awk -F, -v id="$1" '$1 == id { printf "%.3f", $2 }' "$T/pred.csv"
}
BUILT="built $DB as of 2026-06-30: propensity model not fitted (too few: priors used) on 0 decided offers (upsell 0, cross-sell 0, downsell 0)"

# (a) nothing imported, no model: the built-in estimate
echo "$BUILT" >"$T/want"
expect_out 0 "$T/want" -- "$XS" build --db "$DB"
expect_eq "$(pchurn C01)" "P(churn) 0.002 (estimate)" "C01 without a model"
expect_eq "$(pchurn C03)" "P(churn) 0.002 (estimate)" "C03 without a model"

# (b) a model trained on the customer table, attached to the build: the
# customers' attrs are scored as `xsell churn predict` scores the CSV rows
expect_rc 0 "$XS" churn train --input "$D/train.csv" --id customer_id --label churned \
    --rounds 20 --model "$T/m.json"
expect_rc 0 "$XS" churn predict --model "$T/m.json" --input "$D/train.csv" \
    --id customer_id --top-features 0 --format csv
cp "$T/.out" "$T/pred.csv"
expect_eq "$(predicted C01)" "0.372" "churn predict C01"
expect_eq "$(predicted C03)" "0.770" "churn predict C03"
SHA=$(sha256sum "$T/m.json" | cut -c1-12)
{ echo "$BUILT"
  echo "churn model m.json (sha256 $SHA) attached: 3 of 3 columns in the customers' attrs, 3 customers scored"
} >"$T/want"
expect_out 0 "$T/want" -- "$XS" build --db "$DB" --churn-model "$T/m.json"
expect_eq "$(pchurn C01)" "P(churn) $(predicted C01) (model m.json)" "C01 from the model"
expect_eq "$(pchurn C02)" "P(churn) $(predicted C02) (model m.json)" "C02 from the model"
expect_eq "$(pchurn C03)" "P(churn) $(predicted C03) (model m.json)" "C03 from the model"
# no attrs at all: not scored by the model, the next source applies
expect_eq "$(pchurn C90)" "P(churn) 0.002 (estimate)" "C90 has no attrs"
# the store holds the model's bytes, not a path: the file may go
mv "$T/m.json" "$T/m.moved"
expect_eq "$(pchurn C03)" "P(churn) 0.770 (model m.json)" "model file moved"
mv "$T/m.moved" "$T/m.json"
# a later build keeps the model
echo "$BUILT" >"$T/want"
expect_out 0 "$T/want" -- "$XS" build --db "$DB"
expect_eq "$(pchurn C01)" "P(churn) 0.372 (model m.json)" "a later build keeps the model"
# the store-history model (recommend --churn-model) comes after the attached one
expect_rc 0 "$XS" recommend --db "$DB" --customer C01 --show-suppressed --churn-model \
    --format csv
expect_eq "$(grep -o 'P(churn) [0-9.]* ([^)]*)' "$T/.out" | sort -u)" \
    "P(churn) 0.372 (model m.json)" "attached model before the history model"

# a model column no customer's attrs hold is named, and scored as missing
awk -F, 'NR == 1 { print $0 ",region"; next } { print $0 ",r" NR % 3 }' \
    "$D/train.csv" >"$T/wide.csv"
expect_rc 0 "$XS" churn train --input "$T/wide.csv" --id customer_id --label churned \
    --rounds 20 --model "$T/wide.json"
SHA2=$(sha256sum "$T/wide.json" | cut -c1-12)
{ echo "$BUILT"
  echo "churn model wide.json (sha256 $SHA2) attached: 3 of 4 columns in the customers' attrs, 3 customers scored; missing (scored as missing values): region"
} >"$T/want"
expect_out 0 "$T/want" -- "$XS" build --db "$DB" --churn-model "$T/wide.json"
expect_eq "$(pchurn C01 | sed 's/^P(churn) [0-9.]* //')" "(model wide.json)" "wide model"
expect_rc 0 "$XS" build --db "$DB" --churn-model "$T/m.json"

# (c) an imported score comes before the model, for that customer only
printf 'customer_id,churn_risk,scored_at\nC03,0.05,2024-06-30\n' >"$T/scores.csv"
expect_err 0 "imported $T/scores.csv: 1 rows (1 new, 0 updated, 0 unchanged) in #.# s" \
    "$XS" import --db "$DB" churn_scores "$T/scores.csv"
expect_eq "$(pchurn C03)" "P(churn) 0.050 (imported 2024-06-30)" "C03 imported"
expect_eq "$(pchurn C01)" "P(churn) 0.372 (model m.json)" "C01 keeps the model"
# scored_at is optional: the evidence then says only "imported"
printf 'customer_id,churn_risk\nC02,0.9\n' >"$T/undated.csv"
expect_rc 0 "$XS" import --db "$DB" churn_scores "$T/undated.csv"
expect_eq "$(pchurn C02)" "P(churn) 0.900 (imported)" "C02 imported without a date"

# (e) errors, with their exact messages; nothing changes
printf 'customer_id,churn_risk,scored_at\nC03,1.2,2024-07-31\n' >"$T/high.csv"
expect_err 2 "$T/high.csv:2: churn_risk: must be between 0 and 1, got \"1.2\"
xsell import: $T/high.csv: 1 error in 1 row, nothing imported" \
    "$XS" import --db "$DB" churn_scores "$T/high.csv"
grep -qxF "xsell import: $T/high.csv: 1 error in 1 row, nothing imported" "$T/.err" ||
    fail "churn_risk 1.2: nothing imported"
printf 'customer_id,churn_risk,scored_at\nC03,-0.1,2024-07-31\n' >"$T/neg.csv"
expect_err 2 "$T/neg.csv:2: churn_risk: must be between 0 and 1, got \"-0.1\"
xsell import: $T/neg.csv: 1 error in 1 row, nothing imported" \
    "$XS" import --db "$DB" churn_scores "$T/neg.csv"
printf 'customer_id,churn_risk,scored_at\nC77,0.5,2024-07-31\n' >"$T/stranger.csv"
expect_err 2 "$T/stranger.csv:2: customer_id: unknown customer \"C77\"
xsell import: $T/stranger.csv: 1 error in 1 row, nothing imported" \
    "$XS" import --db "$DB" churn_scores "$T/stranger.csv"
expect_eq "$(pchurn C03)" "P(churn) 0.050 (imported 2024-06-30)" "C03 unchanged"
expect_err 1 "xsell build: $T/nope.json: --churn-model: cannot open the model" \
    "$XS" build --db "$DB" --churn-model "$T/nope.json"
# a refused model leaves the store as it was: no new build, not even one
# as of another day
"$XS" recommend --db "$DB" --customer C01 --format csv >"$T/before.csv" 2>&1
expect_err 1 "xsell build: $T/nope.json: --churn-model: cannot open the model" \
    "$XS" build --db "$DB" --as-of 2024-01-01 --churn-model "$T/nope.json"
"$XS" recommend --db "$DB" --customer C01 --format csv >"$T/after.csv" 2>&1
cmp -s "$T/before.csv" "$T/after.csv" || fail "a failed build --churn-model changed the store"
n_pass=$((n_pass + 1))
printf '{"hello": 1}\n' >"$T/notmodel.json"
expect_err 2 "xsell build: $T/notmodel.json: not a churn model file: no \"xsell_churn\" and \"xgboost\" objects" \
    "$XS" build --db "$DB" --churn-model "$T/notmodel.json"
expect_err 2 "xsell build: $D/customers.csv:1: not a churn model file: '[' or '{' expected near 'customer'" \
    "$XS" build --db "$DB" --churn-model "$D/customers.csv"
# a model none of whose columns the customers' attrs hold
expect_rc 0 "$XS" churn train --input "$T/wide.csv" --id customer_id --label churned \
    --rounds 20 --drop plan_type --drop monthly_spend --drop tickets --model "$T/region.json"
expect_err 2 "xsell build: $T/region.json: --churn-model: no customer's attrs hold any column of the model" \
    "$XS" build --db "$DB" --churn-model "$T/region.json"
expect_eq "$(pchurn C01)" "P(churn) 0.372 (model m.json)" "a failed attach keeps the model"

# (d) detached: back to the estimate; imported scores stay
{ echo "$BUILT"; echo "churn model detached"; } >"$T/want"
expect_out 0 "$T/want" -- "$XS" build --db "$DB" --churn-model none
expect_eq "$(pchurn C01)" "P(churn) 0.002 (estimate)" "C01 after detaching"
expect_eq "$(pchurn C03)" "P(churn) 0.050 (imported 2024-06-30)" "C03 after detaching"

# the unknown-customer gate (docs/offers.md "health"): 0, 1 or 2 only
expect_err 2 "xsell recommend: --set: unknown_gate: expected 0 (downsell only), 1 (health) or 2 (none), got 3
try 'xsell recommend --help'" \
    "$XS" recommend --db "$DB" --customer C01 --set unknown_gate=3
