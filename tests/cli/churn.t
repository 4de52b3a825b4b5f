# xsell churn eval|train|predict on a customer-level table.
D="$SRC/tests/data/churn"
F="$D/customers.csv"
A="--input $F --id customer_id --label churned"

expect_rc 0 "$XS" churn --help
grep -q "^usage: xsell churn eval" "$T/.out" || fail "churn --help prints the usage"
expect_rc 0 "$XS" churn eval --help
expect_err 2 "xsell churn: unknown action \"fit\" (expected eval, train or predict)
try 'xsell churn --help'" "$XS" churn fit

# eval: golden JSON and table; blank numeric cells are notes, not errors
expect_out 0 "$D/eval.json" -- "$XS" churn eval $A --rounds 20 --format json
grep -qxF "xsell churn: $F: monthly_spend: 3 blank values treated as missing" "$T/.err" ||
    fail "eval reports the blank monthly_spend values"
grep -qxF "xsell churn: $F: region: 1 blank value treated as missing" "$T/.err" ||
    fail "eval reports the blank region value"
expect_out 0 "$D/eval.txt" -- "$XS" churn eval $A --rounds 20 --folds 4 --seed 7
expect_rc 0 "$XS" churn eval $A --rounds 20 --format csv
expect_eq "$(wc -l <"$T/.out" | tr -d ' ')" 17 "csv: header, overall, 5 folds, 10 deciles"
expect_eq "$(sed -n 2p "$T/.out")" "overall,,200,54,0.738850,0.539980,,,," "csv overall row"
# a different seed gives different folds
expect_rc 0 "$XS" churn eval $A --rounds 20 --seed 8 --format csv
[ "$(sed -n 2p "$T/.out")" != "overall,,200,54,0.738850,0.539980,,,," ] ||
    fail "the seed changes the folds"

# train -> predict; the same model gives the same output twice
expect_rc 0 "$XS" churn train $A --rounds 20 --model "$T/m.json" --format csv
expect_eq "$(sed -n 2p "$T/.out")" "$T/m.json,200,54,Yes,10,20" "train summary"
expect_out 0 "$D/predict.csv" -- "$XS" churn predict --model "$T/m.json" --input "$F" \
    --id customer_id --top-features 2 --format csv
expect_out 0 "$D/predict.csv" -- "$XS" churn predict --model "$T/m.json" --input "$F" \
    --id customer_id --top-features 2 --format csv
# approximate contributions and more threads: same probabilities
expect_rc 0 "$XS" churn predict --model "$T/m.json" --input "$F" --id customer_id \
    --top-features 2 --approx --threads 2 --format csv
expect_eq "$(cut -d, -f1,2 "$T/.out" | cksum)" "$(cut -d, -f1,2 "$D/predict.csv" | cksum)" \
    "--approx keeps the probabilities"
cmp -s "$T/.out" "$D/predict.csv" && fail "--approx gives other contributions"
expect_rc 0 "$XS" churn predict --model "$T/m.json" --input "$F" --id customer_id \
    --top-features 0 --format csv
expect_eq "$(sed -n 1p "$T/.out")" "customer_id,probability" "no reasons with K=0"
# scoring a table without the label, with a category never seen in training
printf 'customer_id,plan,seats,monthly_spend,region,tickets\nN1,gold,3,40,north,5\n' \
    >"$T/new.csv"
expect_err 0 "xsell churn: $T/new.csv: plan: 1 value not seen in training treated as missing" \
    "$XS" churn predict --model "$T/m.json" --input "$T/new.csv" --id customer_id --format csv
expect_eq "$(cut -d, -f1 "$T/.out" | sed -n 2p)" "N1" "predict on new data"

# bad input: exact messages, exit 2
expect_err 2 "xsell churn: $F: --label: unknown column \"churn\" (columns: customer_id, plan, seats, monthly_spend, region, tickets, churned)" \
    "$XS" churn eval --input "$F" --id customer_id --label churn
expect_err 2 "xsell churn: $F: --drop: unknown column \"zone\" (columns: customer_id, plan, seats, monthly_spend, region, tickets, churned)" \
    "$XS" churn eval $A --drop zone
expect_err 2 "xsell churn: $F: --id: unknown column \"id\" (columns: customer_id, plan, seats, monthly_spend, region, tickets, churned)" \
    "$XS" churn eval --input "$F" --id id --label churned
printf 'id,x,churned\na,1,Yes\nb,2,No\nc,3,Maybe\n' >"$T/three.csv"
expect_err 2 "xsell churn: $T/three.csv:4: churned: a third label value \"Maybe\" (after \"Yes\" and \"No\"): the label must have two values" \
    "$XS" churn eval --input "$T/three.csv" --id id --label churned
expect_err 2 "xsell churn: $T/three.csv:4: churned: label \"Maybe\" is neither the positive value \"Yes\" nor the other value \"No\"" \
    "$XS" churn eval --input "$T/three.csv" --id id --label churned --positive Yes
expect_err 2 "xsell churn: $F: monthly_spend: 3 blank values treated as missing
xsell churn: $F: region: 1 blank value treated as missing
xsell churn: --folds: 1 folds for 200 rows: need 2 <= folds <= rows" \
    "$XS" churn eval $A --folds 1
expect_err 2 "xsell churn: $F: monthly_spend: 3 blank values treated as missing
xsell churn: $F: region: 1 blank value treated as missing
xsell churn: --folds: 201 folds for 200 rows: need 2 <= folds <= rows" \
    "$XS" churn eval $A --folds 201
: >"$T/empty.csv"
expect_err 2 "xsell churn: $T/empty.csv: empty file (no header row)" \
    "$XS" churn eval --input "$T/empty.csv" --id id --label churned
printf 'id,x,churned\n' >"$T/header.csv"
expect_err 2 "xsell churn: $T/header.csv: no data rows" \
    "$XS" churn eval --input "$T/header.csv" --id id --label churned
printf 'id,x,churned\na,1,Yes\nb,2,Yes\n' >"$T/one.csv"
expect_err 2 "xsell churn: $T/one.csv: the label has a single value: need positives and negatives" \
    "$XS" churn eval --input "$T/one.csv" --id id --label churned --folds 2
expect_err 2 "xsell churn: --id is required
try 'xsell churn --help'" "$XS" churn eval --input "$F" --label churned
expect_err 2 "xsell churn: --model is required
try 'xsell churn --help'" "$XS" churn train $A
expect_err 2 "xsell churn: --rounds: 0 is out of range [1, 100000]
try 'xsell churn --help'" "$XS" churn eval $A --rounds 0
expect_err 2 "xsell churn: --eta: not a number: \"fast\"
try 'xsell churn --help'" "$XS" churn eval $A --eta fast
printf 'customer_id,plan,seats,monthly_spend,region\nN1,pro,3,40,north\n' >"$T/short.csv"
expect_err 2 "xsell churn: $T/short.csv: column \"tickets\" of the model is missing" \
    "$XS" churn predict --model "$T/m.json" --input "$T/short.csv" --id customer_id
printf 'customer_id,plan,seats,monthly_spend,region,tickets\nN1,pro,many,40,north,5\n' \
    >"$T/bad.csv"
expect_err 2 "xsell churn: $T/bad.csv:2: seats: not a number: \"many\"" \
    "$XS" churn predict --model "$T/m.json" --input "$T/bad.csv" --id customer_id
printf '{"a": 1}\n' >"$T/notmodel.json"
expect_err 2 "xsell churn: $T/notmodel.json: not a churn model file: no \"xsell_churn\" and \"xgboost\" objects" \
    "$XS" churn predict --model "$T/notmodel.json" --input "$F" --id customer_id
expect_err 1 "xsell churn: $T/absent.json: cannot open the model" \
    "$XS" churn predict --model "$T/absent.json" --input "$F" --id customer_id
[ ! -e "$T/none.json" ] || fail "no model file before"
expect_rc 2 "$XS" churn train --input "$T/three.csv" --id id --label churned --model "$T/none.json"
[ ! -e "$T/none.json" ] || fail "a failed train writes no model"

# ---- churn from the store's own history (--db) ----
H="$SRC/tests/data/churn/history"
DB=$(new_db h)
for t in customers products subscriptions orders usage events offers; do
    expect_rc 0 "$XS" import --db "$DB" $t "$H/$t.csv"
done
# default T1 = 2026-07-31 - 2 x 90 = 2026-02-01 (D leaves by 05-02), T2 = 05-02
expect_rc 0 "$XS" churn eval --db "$DB" --rounds 5 --format csv
expect_eq "$(sed -n 1p "$T/.out")" \
    "part,index,cutoff,n,n_positive,auc,log_loss,p_min,p_max,mean_predicted,observed_rate" \
    "history eval csv header"
expect_eq "$(sed -n 2p "$T/.out")" "train,,2026-02-01,4,1,,,,,," "history eval: training rows"
expect_eq "$(sed -n 3p "$T/.out" | cut -d, -f1-5)" "eval,,2026-05-02,4,1" \
    "history eval: evaluation rows"
expect_eq "$(wc -l <"$T/.out" | tr -d ' ')" 13 "csv: header, train, eval, 10 deciles"
expect_rc 0 "$XS" churn eval --db "$DB" --rounds 5 --format json
grep -q '"train_cutoff": "2026-02-01"' "$T/.out" || fail "history eval json: train_cutoff"
grep -q '"calibration": \[' "$T/.out" || fail "history eval json: calibration"
# train at a cutoff -> predict at it: one row per active customer (A, B, C, F)
expect_rc 0 "$XS" churn train --db "$DB" --horizon 30 --cutoff 2026-06-30 --rounds 5 \
    --model "$T/h.json" --format csv
expect_eq "$(sed -n 2p "$T/.out")" "$T/h.json,2026-06-30,30,4,1,36,5" "history train summary"
expect_rc 0 "$XS" churn predict --db "$DB" --model "$T/h.json" --as-of 2026-06-30 \
    --top-features 1 --format csv
expect_eq "$(sed -n 1p "$T/.out")" "customer_id,probability,feature_1,contribution_1" \
    "history predict header"
expect_eq "$(cut -d, -f1 "$T/.out" | tail -n +2 | tr '\n' ' ')" "A B C F " \
    "history predict: the customers active on the date"
# by default the data's last day (2026-07-31): A, B, E, F
expect_rc 0 "$XS" churn predict --db "$DB" --model "$T/h.json" --top-features 0 --format csv
expect_eq "$(cut -d, -f1 "$T/.out" | tail -n +2 | tr '\n' ' ')" "A B E F " \
    "history predict at the data's end"
# errors: exact messages, exit 2
expect_err 2 "xsell churn: $T/none.db: no such store" \
    "$XS" churn eval --db "$T/none.db"
[ ! -e "$T/none.db" ] || fail "an unknown --db is not created"
expect_err 2 'xsell churn: --cutoff: no customer is active on 2020-01-01' \
    "$XS" churn eval --db "$DB" --cutoff 2020-01-01 --horizon 30
expect_err 2 "xsell churn: --horizon: 5000 is out of range [1, 3650]
try 'xsell churn --help'" \
    "$XS" churn eval --db "$DB" --horizon 5000
expect_err 2 "xsell churn: --horizon: 0 is out of range [1, 3650]
try 'xsell churn --help'" \
    "$XS" churn train --db "$DB" --horizon 0 --model "$T/x.json"
expect_err 2 'xsell churn: --cutoff: evaluating cutoff 2026-07-01 needs data up to 2026-08-30 (cutoff + 2 x horizon), the data ends on 2026-07-31' \
    "$XS" churn eval --db "$DB" --cutoff 2026-07-01 --horizon 30
expect_err 2 'xsell churn: --cutoff: labels of cutoff 2026-07-01 need data up to 2026-09-29, the data ends on 2026-07-31' \
    "$XS" churn train --db "$DB" --cutoff 2026-07-01 --model "$T/x.json"
[ ! -e "$T/x.json" ] || fail "a failed history train writes no model"
expect_err 2 'xsell churn: --cutoff: none of the 4 customers active on 2026-06-01 churned within 30 days: need churners and stayers' \
    "$XS" churn eval --db "$DB" --cutoff 2026-06-01 --horizon 30
expect_err 2 'xsell churn: --cutoff: not a date: "2026-06-31"' \
    "$XS" churn eval --db "$DB" --cutoff 2026-06-31
expect_err 2 'xsell churn: --as-of: not a date: "soon"' \
    "$XS" churn predict --db "$DB" --model "$T/h.json" --as-of soon
expect_err 2 'xsell churn: --model: not a store-history churn model: its column 1 is "plan"' \
    "$XS" churn predict --db "$DB" --model "$T/m.json"
expect_err 2 "xsell churn: --db and --input cannot be used together
try 'xsell churn --help'" \
    "$XS" churn eval --db "$DB" --input "$F"
expect_err 2 "xsell churn: --input or --db is required
try 'xsell churn --help'" \
    "$XS" churn predict --model "$T/h.json"
expect_err 2 "xsell churn: --cutoff needs --db
try 'xsell churn --help'" "$XS" churn eval $A --cutoff 2026-01-01

# --delimiter: one rule for every command (xs_cli_delimiter)
expect_err 2 "xsell churn: --delimiter: expected one character or 'tab', got \"ab\"
try 'xsell churn --help'" \
    "$XS" churn eval $A --delimiter ab
expect_err 2 "xsell retention: --delimiter: expected one character or 'tab', got \"\\\"\"
try 'xsell retention --help'" \
    "$XS" retention fit --input x.csv --column n --delimiter '"'
expect_err 2 "xsell uplift: --delimiter: expected one character or 'tab', got \"\\x0d\"
try 'xsell uplift --help'" \
    "$XS" uplift eval --input x.csv --treatment-col t --treatment a --control b --outcome y --delimiter "$(printf '\r')"
