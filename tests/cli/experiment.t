# xsell experiment assign|analyze: golden output of a small fixture in all
# three formats, the bootstrap, SRM detection, assignment, and every error
# message with exit status 2.
D="$SRC/tests/data/experiment"
F="$D/small.csv"
A="--input $F --group arm --control control"

# help
expect_rc 0 "$XS" experiment --help
grep -q "^usage: xsell experiment assign" "$T/.out" || fail "experiment --help prints usage"
expect_rc 0 "$XS" experiment analyze --help
expect_rc 2 "$XS" experiment
expect_err 2 "xsell experiment: unknown action \"frob\" (expected assign, analyze, start, stop, list or report)
try 'xsell experiment --help'" "$XS" experiment frob

# analyze: full output in the three formats (numbers checked independently:
# revenue treatment vs control Welch df 5.92146, t 2.05619, p 0.0861284)
for f in table json csv; do
    expect_out 0 "$D/analyze_small.$f" -- "$XS" experiment analyze $A --metric converted \
        --metric revenue --covariate pre_revenue --format $f
done
[ -s "$T/.err" ] && fail "no warning expected without a sample ratio mismatch"
# bootstrap: fixed seed, same output every run
expect_out 0 "$D/analyze_bootstrap.csv" -- "$XS" experiment analyze $A --metric revenue \
    --method bootstrap --bootstrap 500 --seed 3 --format csv
# the order of rows inside the file does not matter for the groups' order
{ head -1 "$F"; tail -n +2 "$F" | sort -r; } > "$T/rev.csv"
"$XS" experiment analyze --input "$T/rev.csv" --group arm --control control --metric revenue \
    --format csv | cut -d, -f1-4 > "$T/a.txt"
cut -d, -f1-4 "$D/analyze_small.csv" | grep -v '^converted' > "$T/b.txt"
diff "$T/a.txt" "$T/b.txt" >&2 || fail "group order and counts independent of row order"

# sample ratio mismatch: 5000 vs 5400 planned 50:50 is flagged ...
awk 'BEGIN { print "id,g,y"; for (i = 0; i < 5000; i++) print "a" i ",a," (i % 3 == 0);
             for (i = 0; i < 5400; i++) print "b" i ",b," (i % 4 == 0) }' > "$T/srm.csv"
expect_err 0 'xsell experiment: warning: sample ratio mismatch (chi-square p = 8.77e-05 < 0.001)' \
    "$XS" experiment analyze --input "$T/srm.csv" --group g --control a --metric y
grep -q "SAMPLE RATIO MISMATCH (p < 0.001)" "$T/.out" || fail "SRM reported in the table"
expect_rc 0 "$XS" experiment analyze --input "$T/srm.csv" --group g --control a --metric y \
    --format json
grep -q '"flagged": true' "$T/.out" || fail "SRM flagged in JSON"
# ... unless that split was planned (50:54)
expect_rc 0 "$XS" experiment analyze --input "$T/srm.csv" --group g --control a --metric y \
    --expected-split 50:54
grep -q "no mismatch with the planned split" "$T/.out" || fail "planned 50:54 split is no SRM"
[ -s "$T/.err" ] && fail "no warning with the planned split"
# ... and 5000 vs 5050 is not flagged (chi2 = 2 * 25^2 / 5025, p = erfc(sqrt(chi2 / 2)) = 0.617952)
awk 'BEGIN { print "id,g,y"; for (i = 0; i < 5000; i++) print "a" i ",a,1";
             for (i = 0; i < 5050; i++) print "b" i ",b,0" }' > "$T/ok.csv"
expect_rc 0 "$XS" experiment analyze --input "$T/ok.csv" --group g --control a --metric y
grep -q "p = 0.617952: no mismatch" "$T/.out" || fail "5000 vs 5050 is no SRM"

# analyze errors (exit 2, message naming the offender)
expect_err 2 'xsell experiment: --metric: unknown column "spnd" (columns: customer_id, arm, converted, revenue, pre_revenue)' \
    "$XS" experiment analyze $A --metric spnd
expect_err 2 'xsell experiment: --group: unknown column "segment" (columns: customer_id, arm, converted, revenue, pre_revenue)' \
    "$XS" experiment analyze --input "$F" --group segment --control control --metric revenue
expect_err 2 'xsell experiment: --covariate: unknown column "pre" (columns: customer_id, arm, converted, revenue, pre_revenue)' "$XS" experiment analyze $A --metric revenue \
    --covariate pre
expect_err 2 'xsell experiment: --control: no rows with arm = "No Email"' \
    "$XS" experiment analyze --input "$F" --group arm --control "No Email" --metric revenue
expect_err 2 "xsell experiment: $D/bad_number.csv:3: spend: not a number: \"abc\"" \
    "$XS" experiment analyze --input "$D/bad_number.csv" --group group --control a --metric spend
expect_err 2 'xsell experiment: group: group "b" has 1 row; at least 2 are needed' \
    "$XS" experiment analyze --input "$D/one_row_group.csv" --group group --control a --metric spend
expect_err 2 'xsell experiment: group: only one group ("a"); at least 2 are needed' \
    "$XS" experiment analyze --input "$D/one_group.csv" --group group --control a --metric spend
expect_err 2 "xsell experiment: $D/empty_label.csv:3: group: empty group label" \
    "$XS" experiment analyze --input "$D/empty_label.csv" --group group --control a --metric spend
expect_err 2 "xsell experiment: $D/header_only.csv: no data rows" \
    "$XS" experiment analyze --input "$D/header_only.csv" --group group --control a --metric spend
expect_err 2 'xsell experiment: --expected-split: 2 parts for 3 groups (control, holdout, treatment)' \
    "$XS" experiment analyze $A --metric revenue --expected-split 50:50
expect_err 2 "xsell experiment: --expected-split: expected shares > 0 separated by ':' (e.g. 50:50), got \"50:x\"
try 'xsell experiment --help'" \
    "$XS" experiment analyze $A --metric revenue --expected-split 50:x
expect_err 2 'xsell experiment: revenue: method proportion needs values 0 and 1 only' \
    "$XS" experiment analyze $A --metric revenue --method proportion
expect_err 2 "xsell experiment: --method: expected auto, proportion, welch or bootstrap, got \"t\"
try 'xsell experiment --help'" \
    "$XS" experiment analyze $A --metric revenue --method t
expect_err 2 "xsell experiment: analyze needs --metric COLUMN
try 'xsell experiment --help'" "$XS" experiment analyze $A
expect_err 2 "xsell experiment: analyze needs --control LABEL
try 'xsell experiment --help'" "$XS" experiment analyze --input "$F" --group arm \
    --metric revenue
expect_err 2 "xsell experiment: --format: expected table, json or csv, got \"xml\"
try 'xsell experiment --help'" \
    "$XS" experiment analyze $A --metric revenue --format xml
expect_err 1 "xsell experiment: $T/nope.csv: cannot open: No such file or directory" "$XS" experiment analyze --input "$T/nope.csv" --group g --control a \
    --metric y

# assign: ids from stdin (the same arms as the anchors of test_assign.c)
printf 'C000016\nC000021\nC000022\r\nC000023\n\nC000001\nalice@example.com\n' > "$T/ids.txt"
expect_out 0 "$D/assign_ids.csv" -- sh -c "\"$XS\" experiment assign --strategy spring-upsell --ids --format csv < \"$T/ids.txt\""
expect_out 0 "$D/assign_small.table" -- "$XS" experiment assign --strategy spring-upsell \
    --input "$F" --id customer_id --split a:1,b:1,c:2
# a file and stdin give the same arms
cut -d, -f1 "$F" | tail -n +2 > "$T/cids.txt"
"$XS" experiment assign --strategy s1 --ids --format csv < "$T/cids.txt" > "$T/x1"
"$XS" experiment assign --strategy s1 --input "$F" --id customer_id --format csv > "$T/x2"
cmp -s "$T/x1" "$T/x2" || fail "assign: --ids and --input agree"
expect_rc 0 "$XS" experiment assign --strategy s1 --input "$F" --id customer_id --format json
grep -q '"id": "C01", "arm": "treatment"' "$T/.out" || fail "assign --format json"
# assign errors
expect_err 2 "xsell experiment: assign needs --strategy NAME
try 'xsell experiment --help'" "$XS" experiment assign --ids
expect_err 2 "xsell experiment: assign needs one of --input FILE or --ids
try 'xsell experiment --help'" "$XS" experiment assign --strategy s \
    --ids --input "$F" --id customer_id
expect_err 2 "xsell experiment: --input needs --id COLUMN
try 'xsell experiment --help'" "$XS" experiment assign --strategy s --input "$F"
expect_err 2 'xsell experiment: --split: weight must be a number > 0: "b:0"' "$XS" experiment assign --strategy s \
    --ids --split a:1,b:0
expect_err 2 'xsell experiment: --id: unknown column "cid"' "$XS" experiment assign --strategy s --input "$F" \
    --id cid
expect_err 2 "xsell experiment: $D/empty_id.csv:4: customer_id: empty id" "$XS" experiment assign --strategy s \
    --input "$D/empty_id.csv" --id customer_id

