# xsell customers: health with its breakdown, segments, RFM, LTV, CLV.
# Fixtures in tests/data/health: six hand-made customers (the expected
# values are worked out in tests/unit/test_health.c, test_segments.c and
# test_ltv.c) and the golden outputs; CLV on a generated demo store.
DB=$(new_db s)
DB_G=$(new_db g)
D="$SRC/tests/data/health"
for t in customers products subscriptions orders usage events; do
    "$XS" import --db "$DB" $t "$D/$t.csv" >/dev/null 2>&1 || fail "import $t"
done
A="--db $DB --as-of 2024-06-30 --no-clv --no-churn"

# --- the list, one customer's breakdown, segments --------------------------
expect_out 0 "$D/list.out" -- "$XS" customers $A
expect_eq "$(cat "$T/.err")" "" "no stderr"
expect_out 0 "$D/h1.csv" -- "$XS" customers $A --customer H1 --format csv
expect_out 0 "$D/r1.out" -- "$XS" customers $A --customer R1
expect_out 0 "$D/segments.csv" -- "$XS" customers $A --by-segment --format csv
expect_out 0 "$D/champions.json" -- "$XS" customers $A --segment champion --format json

# filters, sorting, limits
expect_rc 0 "$XS" customers $A --segment at-risk --format csv
expect_eq "$(cut -d, -f1-3 "$T/.out" | tr '\n' ' ')" "customer_id,health,segment R1,35.8,at_risk " "at_risk only"
expect_rc 0 "$XS" customers $A --sort health --limit 3 --format csv
expect_eq "$(cut -d, -f1 "$T/.out" | tr '\n' ' ')" "customer_id Z1 S1 H1 " "by health"
expect_rc 0 "$XS" customers $A --sort ltv --limit 2 --format csv
expect_eq "$(cut -d, -f1,18 "$T/.out" | tr '\n' ' ')" "customer_id,ltv H1,5280.00 M1,3600.00 " "by ltv"
expect_rc 0 "$XS" customers $A --segment promising --format csv
expect_eq "$(cat "$T/.out")" "customer_id,health,segment,coverage,tenure,usage,trend,utilisation,nps,support,payment,open_critical,rfm,recency_days,orders,monetary,mrr,ltv,clv,p_alive,churn_risk" "empty segment: header only"

# weights and thresholds: tenure alone, full after 1000 days
expect_rc 0 "$XS" customers $A --customer R1 --format csv \
    --weights tenure=1,usage=0,trend=0,utilisation=0,nps=0,support=0,payment=0 --set tenure_full_days=1000
expect_eq "$(grep '^health,' "$T/.out")" "health,,weighted mean of the scores with data (coverage tenure),36.6,100.0,36.60" "custom weights"

# the default as_of is the latest observed date (2024-07-31), not a renewal
expect_rc 0 "$XS" customers --db "$DB" --no-clv --no-churn --customer N1 --format csv
expect_eq "$(grep '^tenure,' "$T/.out" | cut -d, -f2)" "91" "default as_of"

# CLV that cannot be fitted (two buyers): a note on stderr, exit 0
expect_err 0 'xsell customers: no CLV: Gamma-Gamma fit did not converge' \
    "$XS" customers --db "$DB" --as-of 2024-06-30 --no-churn --format csv
# a churn model needs churners and stayers in the history: a note, exit 0
expect_err 0 'xsell customers: no churn risk: none of the 3 customers active on 2024-01-02 churned within 90 days: need churners and stayers' \
    "$XS" customers --db "$DB" --as-of 2024-06-30 --no-clv --format csv
expect_eq "$(cut -d, -f21 "$T/.out" | sort -u | tr '\n' ' ')" " churn_risk " "no churn risk"
expect_rc 0 "$XS" customers --db "$DB" --as-of 2024-06-30 --no-clv --customer H1 --format csv
expect_eq "$(grep '^churn_risk,' "$T/.out")" "churn_risk,,none of the 3 customers active on 2024-01-02 churned within 90 days: need churners and stayers,,," "churn note in the breakdown"

# --- errors ---------------------------------------------------------------
expect_err 2 'xsell customers: --customer: unknown customer "C9"' "$XS" customers $A --customer C9
expect_err 2 "xsell customers: --segment: expected new, hibernating, at_risk, champion, loyal, promising or needs_attention, got \"vip\"
try 'xsell customers --help'" \
    "$XS" customers $A --segment vip
expect_err 2 'xsell customers: --as-of: not a date: "2024-02-30"' "$XS" customers --db "$DB" --as-of 2024-02-30
expect_err 2 "xsell customers: --weights: unknown name \"tenur\"
try 'xsell customers --help'" "$XS" customers $A --weights tenur=3
expect_err 2 "xsell customers: --set: logins_full: expected a positive number, got \"0\"
try 'xsell customers --help'" "$XS" customers $A --set logins_full=0
expect_err 2 "xsell customers: --sort: expected id, health, ltv, clv or churn, got \"rfm\"
try 'xsell customers --help'" "$XS" customers $A --sort rfm
expect_err 2 "xsell customers: --limit: not an integer: \"ten\"
try 'xsell customers --help'" "$XS" customers $A --limit ten
expect_err 2 "xsell customers: --format: expected table, json or csv, got \"xml\"
try 'xsell customers --help'" "$XS" customers $A --format xml
expect_err 2 "xsell customers: --db FILE is required
try 'xsell customers --help'" "$XS" customers
expect_err 2 "xsell customers: $T/none.db: no such store" "$XS" customers --db "$T/none.db"
expect_err 2 "xsell customers: --customer cannot be combined with --segment or --by-segment
try 'xsell customers --help'" \
    "$XS" customers $A --customer H1 --by-segment
expect_err 2 "xsell customers: unknown option \"--bogus\"
try 'xsell customers --help'" "$XS" customers $A --bogus
expect_rc 0 "$XS" customers --help
grep -q '^usage: xsell customers --db FILE' "$T/.out" || fail "--help prints the usage"

# --- a generated store: CLV fitted, at_risk concentrates planted churners ---
"$XS" gen --out "$T/g" --customers 1500 --seed 5 >/dev/null 2>&1 || fail "gen"
for t in customers products subscriptions orders usage events; do
    "$XS" import --db "$DB_G" $t "$T/g/$t.csv" >/dev/null 2>&1 || fail "import gen $t"
done
expect_rc 0 "$XS" customers --db "$DB_G" --sort clv --limit 3 --format csv
expect_eq "$(cat "$T/.err")" "" "CLV and churn model fitted: no note"
expect_eq "$(sed -n 2,4p "$T/.out" | cut -d, -f18 | grep -c '^[0-9][0-9.]*$')" "3" "clv values"
expect_rc 0 "$XS" customers --db "$DB_G" --no-clv --sort churn --limit 3 --format csv
expect_eq "$(sed -n 2,4p "$T/.out" | cut -d, -f21 | grep -c '^0\.[0-9][0-9][0-9]$')" "3" "churn_risk values"
c1=$(sed -n 2p "$T/.out" | cut -d, -f20); c3=$(sed -n 4p "$T/.out" | cut -d, -f20)
[ "$(awk -v a="$c1" -v b="$c3" 'BEGIN { print (a >= b) }')" = 1 ] || fail "sorted by churn: $c1 < $c3"
expect_rc 0 "$XS" customers --db "$DB_G" --no-clv --no-churn --segment at_risk --format csv
at_risk=$(sed 1d "$T/.out" | cut -d, -f1 | sort)
churners=$(awk -F, 'NR > 1 && $10 == 1 { print $1 }' "$T/g/truth_customers.csv" | sort)
n_churn=$(echo "$churners" | wc -l)
echo "$at_risk" > "$T/a.ids"; echo "$churners" > "$T/c.ids"
n_hit=$(comm -12 "$T/a.ids" "$T/c.ids" | wc -l)
n_at_risk=$(echo "$at_risk" | wc -l)
# most at_risk customers are planted churners, and most churners are at_risk
[ $((n_hit * 2)) -ge "$n_at_risk" ] || fail "at_risk: $n_hit of $n_at_risk are planted churners"
[ $((n_hit * 10)) -ge $((n_churn * 6)) ] || fail "at_risk holds $n_hit of $n_churn planted churners"
