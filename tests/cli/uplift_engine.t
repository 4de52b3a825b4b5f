# Uplift inside the offer engine (docs/offers.md "Uplift"): the demo's
# holdout experiments, read from the store by `recommend`, as evidence.
DB=$(new_db d)
"$XS" demo --db "$DB" --customers 3000 >"$T/demo.out" 2>&1 || { cat "$T/demo.out" >&2; fail "demo"; }

# the demo's holdouts have ~120 units: under uplift_min_n (1000) nothing
# changes, and the summary has no negative_uplift row
"$XS" recommend --db "$DB" --all --show-suppressed --format csv >"$T/a0" 2>"$T/s0" || fail "recommend"
grep -q "negative_uplift\|uplift evidence" "$T/s0" && fail "no evidence: no uplift lines"
grep -q "from the holdout experiment" "$T/a0" && fail "no evidence: no uplift in the evidence"
# uplift=0 with a low uplift_min_n: the same bytes
"$XS" recommend --db "$DB" --all --show-suppressed --set uplift=0,uplift_min_n=100 --format csv \
    >"$T/a0b" 2>"$T/s0b" || fail "uplift=0"
cmp -s "$T/a0" "$T/a0b" || fail "uplift=0 changes the offers"
cmp -s "$T/s0" "$T/s0b" || fail "uplift=0 changes the summary"

# with uplift_min_n=100 all three qualify
"$XS" recommend --db "$DB" --all --show-suppressed --set uplift_min_n=100 --format csv \
    >"$T/a1" 2>"$T/s1" || fail "uplift_min_n=100"
# the units per arm are the experiment report's
for k in upsell cross_sell downsell; do
    "$XS" experiment report --db "$DB" --name $k --format json >"$T/r.json" || fail "report $k"
    nt=$(tr ',' '\n' <"$T/r.json" | grep -A1 '"arm": *"treatment"' | sed -n 's/.*"customers": *\([0-9]*\).*/\1/p')
    nh=$(tr ',' '\n' <"$T/r.json" | grep -A1 '"arm": *"holdout"' | sed -n 's/.*"customers": *\([0-9]*\).*/\1/p')
    kind=$(echo $k | tr _ -)
    row=$(grep "^$kind  " "$T/s1")
    expect_eq "$(echo "$row" | awk '{print $2, $3, $6, $7}')" "uplift $k $nt $nh" "uplift evidence of $k"
done
# the summary's negative_uplift count is the suppressed rows it names
n=$(grep -c ',negative_uplift$' "$T/a1")
expect_eq "$(grep '^negative_uplift ' "$T/s1" | awk '{print $2}')" "$n" "negative_uplift count"
# offered upsells name their evidence, except those of customers outside
# the experiment's population (no recurring revenue: a free plan)
grep '^[^,]*,[0-9][0-9]*,upsell,' "$T/a1" >"$T/up"
named=$(grep -c "; uplift [-+]0\.[0-9]* (expanded) from the holdout experiment upsell ([0-9]* treated / [0-9]* holdout)" "$T/up")
[ "$named" -gt 0 ] || fail "no upsell valued by uplift"
expect_eq "$(grep -v "from the holdout experiment" "$T/up" | grep -vc -- '-free-')" "0" \
    "upsells valued by P(accept) are those of free plans"
# deterministic
"$XS" recommend --db "$DB" --all --show-suppressed --set uplift_min_n=100 --format csv \
    >"$T/a2" 2>/dev/null || fail "again"
cmp -s "$T/a1" "$T/a2" || fail "uplift decisions differ between runs"

# bad settings
expect_err 2 "xsell recommend: --set: not a number >= 0: \"x\"
try 'xsell recommend --help'" \
    "$XS" recommend --db "$DB" --all --set uplift_min_n=x
