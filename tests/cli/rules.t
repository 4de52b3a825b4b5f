# xsell rules: golden outputs on tests/data/mine/small.csv (hand-checked in
# tests/unit/test_rules.c), top-N, --rhs, --no-redundant, errors, and the
# arules figure for groceries.csv when ../shared/data is present.
D="$SRC/tests/data/mine"
expect_rc 0 "$XS" rules --help
grep -q "^usage: xsell rules" "$T/.out" || fail "--help prints usage"

# 10 baskets: 5 {bread,milk}, 2 {bread}, 1 {milk}, 1 {jam,milk,bread}, 1 {}
expect_out 0 "$D/rules_small.out" -- "$XS" rules --input "$D/small.csv" --input-format basket --min-count 1 --min-confidence 0.7
expect_out 0 "$D/rules_small_top2.json" -- "$XS" rules --input "$D/small.csv" --input-format basket --min-count 1 --min-confidence 0.7 --format json --max-rules 2
expect_out 0 "$D/rules_small_rhs.csv" -- "$XS" rules --input "$D/small.csv" --input-format basket --min-count 1 --min-confidence 0.7 --format csv --rhs bread
expect_out 0 "$D/rules_small_nored.csv" -- "$XS" rules --input "$D/small.csv" --input-format basket --min-count 1 --min-confidence 0.7 --no-redundant --sort-by lift --format csv
# --multi-rhs adds {jam, strawberry} => {bread,milk} (lift 1 / 0.6)
expect_out 0 "$D/rules_small_multi.csv" -- "$XS" rules --input "$D/small.csv" --input-format basket --min-count 1 --min-confidence 0.7 --multi-rhs --format csv
expect_rc 0 "$XS" rules --input "$D/small.csv" --input-format basket --min-count 1 --min-confidence 0 --count-only
expect_eq "$(cat "$T/.out")" 9 "all rules at count 1: 2 per pair (3 pairs), 3 from the triple"
expect_rc 0 "$XS" rules --input "$D/small.csv" --input-format basket --min-count 1 --min-confidence 0 --min-lift 1.3 --count-only
expect_eq "$(cat "$T/.out")" 4 "rules with lift >= 1.3"

# errors
expect_err 2 'xsell rules: --rhs: unknown item "foo"' "$XS" rules --input "$D/small.csv" --input-format basket --rhs foo
expect_err 2 "xsell rules: --min-support: 1.5 is out of range [0, 1]
try 'xsell rules --help'" "$XS" rules --input "$D/small.csv" --min-support 1.5
expect_err 2 "xsell rules: --min-confidence: 2 is out of range [0, 1]
try 'xsell rules --help'" "$XS" rules --input "$D/small.csv" --min-confidence 2
expect_err 2 "xsell rules: --sort-by: expected confidence, lift, support, leverage, conviction or coverage, got \"x\"
try 'xsell rules --help'" "$XS" rules --input "$D/small.csv" --sort-by x
expect_err 2 "xsell rules: $D/bad.dat:3: not an item number: \"x1\"" "$XS" rules --input "$D/bad.dat"
expect_err 2 "xsell rules: $D/nope.dat: No such file or directory" "$XS" rules --input "$D/nope.dat"

