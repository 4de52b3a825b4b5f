# xsell uplift train|predict|eval on a generated experiment with a planted
# uplift (tests/data/uplift/README.md): segment a +0.30, b 0, c -0.25.
D="$SRC/tests/data/uplift"
F="$D/planted.csv"
A="--input $F --treatment-col arm --treatment offer --control none --outcome accepted"

expect_rc 0 "$XS" uplift --help
grep -q "^usage: xsell uplift train" "$T/.out" || fail "uplift --help prints the usage"
expect_rc 0 "$XS" uplift eval --help
expect_err 2 "xsell uplift: unknown action \"fit\" (expected train, predict or eval)
try 'xsell uplift --help'" "$XS" uplift fit

# train: the summary, the rows of the third arm counted, blanks noted
expect_rc 0 "$XS" uplift train $A --rounds 20 --model "$T/m.json" --format csv
expect_eq "$(sed -n 2p "$T/.out")" "$T/m.json,two_model,579,582,39,0.469775,0.474227,5,20" \
    "train summary"
grep -qxF "xsell uplift: $F: 39 rows whose arm is neither \"offer\" nor \"none\" left out" \
    "$T/.err" || fail "train counts the rows left out"
grep -qxF "xsell uplift: $F: score: 13 blank values treated as missing" "$T/.err" ||
    fail "train notes the blank scores"
head -c 30 "$T/m.json" | grep -qF '{"xsell_uplift":{"format":1,' || fail "model file header"

# predict: one row per data row in input order (the third arm included),
# the same twice; the planted segments come out with their signs
expect_out 0 "$D/predict.csv" -- "$XS" uplift predict --model "$T/m.json" --input "$F" \
    --format csv
expect_eq "$(wc -l <"$T/.out" | tr -d ' ')" 1201 "a header and 1200 rows"
expect_out 0 "$D/predict.csv" -- "$XS" uplift predict --model "$T/m.json" --input "$F" \
    --format csv --threads 1
tail -n +2 "$T/.out" | cut -d, -f2 >"$T/u"
tail -n +2 "$F" | cut -d, -f1 | paste -d, - "$T/u" |
    awk -F, '{s[$1] += $2; n[$1]++} END {printf "%s %s %s", (s["a"]/n["a"] > 0.2), (s["b"]/n["b"] > -0.1 && s["b"]/n["b"] < 0.1), (s["c"]/n["c"] < -0.15)}' >"$T/signs"
expect_eq "$(cat "$T/signs")" "1 1 1" "segment a positive, b near 0, c negative"
# a table with only the features, one category never seen in training
printf 'tenure,score,segment\n10,0.5,z\n10,0.5,a\n' >"$T/new.csv"
expect_err 0 "xsell uplift: $T/new.csv: segment: 1 value not seen in training: no indicator set" \
    "$XS" uplift predict --model "$T/m.json" --input "$T/new.csv"
expect_eq "$(sed -n 3p "$T/.out" | awk '{print $1}')" "1" "row numbers start at 1"
# the class transformation learner
expect_rc 0 "$XS" uplift train $A --rounds 20 --learner class_transform --model "$T/ct.json"
expect_rc 0 "$XS" uplift predict --model "$T/ct.json" --input "$F" --format json
head -c 15 "$T/.out" | grep -qF '[' || fail "json output"

# eval: golden, both learners, seeded split and bootstrap
expect_out 0 "$D/eval.csv" -- "$XS" uplift eval $A --rounds 20 --bootstrap 20 --format csv
grep -qxF "xsell uplift: one split: 580 training rows, 581 test rows, 20 bootstrap resamples" \
    "$T/.err" || fail "eval says what it held out"
expect_rc 0 "$XS" uplift eval $A --rounds 20 --bootstrap 0 --folds 3 \
    --learner class_transform --format csv
expect_eq "$(wc -l <"$T/.out" | tr -d ' ')" 9 "a header, 4 metrics, 4 random rows"
expect_eq "$(sed -n 2p "$T/.out" | cut -d, -f1-3,5,6)" "class_transform,qini,,," \
    "no interval without bootstrap"

# bad usage and bad input: exact messages, exit 2
expect_err 2 "xsell uplift: --treatment is required
try 'xsell uplift --help'" \
    "$XS" uplift train --input "$F" --treatment-col arm --control none --outcome accepted \
    --model "$T/x.json"
expect_err 2 "xsell uplift: --model is required
try 'xsell uplift --help'" "$XS" uplift train $A
expect_err 2 "xsell uplift: --folds and --split cannot be used together
try 'xsell uplift --help'" \
    "$XS" uplift eval $A --folds 3 --split 0.3
expect_err 2 "xsell uplift: --learner: expected two_model or class_transform, got \"s_learner\"
try 'xsell uplift --help'" \
    "$XS" uplift eval $A --learner s_learner
expect_err 2 "xsell uplift: $F: --outcome: unknown column \"visit\" (columns: segment, score, tenure, arm, accepted)" \
    "$XS" uplift train --input "$F" --treatment-col arm --treatment offer --control none \
    --outcome visit --model "$T/x.json"
expect_err 2 "xsell uplift: $F: --features: unknown column \"age\" (columns: segment, score, tenure, arm, accepted)" \
    "$XS" uplift train $A --features score,age --model "$T/x.json"
expect_err 2 "xsell uplift: $F: arm: no row has the treatment value \"Offer\"" \
    "$XS" uplift train --input "$F" --treatment-col arm --treatment Offer --control none \
    --outcome accepted --model "$T/x.json"
printf 'segment,score,tenure,arm,accepted\na,0.1,3,offer,1\nb,0.2,4,none,yes\n' >"$T/bad.csv"
expect_err 2 "xsell uplift: $T/bad.csv:3: accepted: outcome must be 0 or 1 (or give --positive): \"yes\"" \
    "$XS" uplift train --input "$T/bad.csv" --treatment-col arm --treatment offer \
    --control none --outcome accepted --model "$T/x.json"
[ -e "$T/x.json" ] && fail "no model file after an error"
printf 'segment,score,tenure\na,high,3\n' >"$T/text.csv"
expect_err 2 "xsell uplift: $T/text.csv:2: score: not a number: \"high\"" \
    "$XS" uplift predict --model "$T/m.json" --input "$T/text.csv"
printf '{"xsell_churn":{}}' >"$T/churn.json"
expect_err 2 "xsell uplift: $T/churn.json: not an uplift model file: no \"xsell_uplift\" object and \"xgboost\" array" \
    "$XS" uplift predict --model "$T/churn.json" --input "$F"
printf 'f,arm,accepted\n1,offer,1\n2,none,0\n3,offer,0\n4,none,1\n' >"$T/tiny.csv"
expect_err 2 "xsell uplift: $T/tiny.csv: too few rows: the training part has no treated rows" \
    "$XS" uplift eval --input "$T/tiny.csv" --treatment-col arm --treatment offer \
    --control none --outcome accepted
