# xsell rank / xsell evaluate: the personal ranking and its offline
# evaluation. Fixture tests/data/rank: the histories of test_rank.c —
# U0 {p0 p1 p2}, U1 {p0 p1}, U2 {p1 p2 p3}, U3 {p0 p4}, U4 {p2 p5} before
# 2024-04-10; later.csv adds orders dated on and after it.
DB=$(new_db s)
DB_DEMO=$(new_db demo)
D="$SRC/tests/data/rank"
for t in customers products orders; do
    "$XS" import --db "$DB" $t "$D/$t.csv" >/dev/null 2>&1 || fail "import $t"
done
COS="--alpha 0.5 --beta 0.5 --user-pow 0 --seq-back 1 --neighbours 0 --half-life 0 --co-half-life 0"

# cosine by hand: U3 holds p0 (buyers U0 U1 U3) and p4 (U3 alone):
# s(p1) = co(p0,p1)/sqrt(3*3) = 2/3, s(p2) = 1/3; scores / max
cat >"$T/want" <<'OUT'
customer_id  rank  product_id  product  score  evidence  evidence_share
-----------  ----  ----------  -------  -----  --------  --------------
U3              1  p1          Tea          1  p0                     1
U3              2  p2          Spoon      0.5  p0                     1
OUT
expect_out 0 "$T/want" -- "$XS" rank --db "$DB" --customer U3 --as-of 2024-04-10 $COS

# a cart adds p3: s(p1) = 2/3 + 1/sqrt(3), s(p2) = 1/3 + 1/sqrt(3)
cat >"$T/want" <<'OUT'
[
 {"customer_id": "U3", "rank": 1, "product_id": "p1", "product": "Tea", "score": 1, "evidence": "p0", "evidence_share": 0.536},
 {"customer_id": "U3", "rank": 2, "product_id": "p2", "product": "Spoon", "score": 0.732051, "evidence": "p3", "evidence_share": 0.634}
]
OUT
expect_out 0 "$T/want" -- "$XS" rank --db "$DB" --customer U3 --as-of 2024-04-10 --cart p3 $COS --format json

# as-of: rows dated on or after --as-of change nothing
"$XS" rank --db "$DB" --all --as-of 2024-04-10 --format csv >"$T/before.csv" || fail "rank --all"
"$XS" import --db "$DB" orders "$D/later.csv" >/dev/null 2>&1 || fail "import later"
expect_out 0 "$T/before.csv" -- "$XS" rank --db "$DB" --all --as-of 2024-04-10 --format csv
# ... and a later as-of sees them: U3 now holds p1
"$XS" rank --db "$DB" --customer U3 --as-of 2024-05-01 --format csv >"$T/after.csv"
awk -F, '$3 == "p1"' "$T/after.csv" | grep -q . && fail "p1 offered to U3 after buying it"
n_pass=$((n_pass + 1))

# errors
expect_err 2 'xsell rank: --customer: unknown customer "U9"' "$XS" rank --db "$DB" --customer U9 --as-of 2024-04-10
expect_err 2 'xsell rank: --as-of: not a date: "2024-13-01"' "$XS" rank --db "$DB" --customer U3 --as-of 2024-13-01
expect_err 2 "xsell rank: --as-of DATE is required
try 'xsell rank --help'" "$XS" rank --db "$DB" --customer U3
expect_err 2 "xsell rank: give one of --customer ID or --all
try 'xsell rank --help'" "$XS" rank --db "$DB" --as-of 2024-04-10
expect_err 2 'xsell rank: --cart: unknown product "zz"' "$XS" rank --db "$DB" --customer U3 --as-of 2024-04-10 --cart zz
expect_err 2 'xsell evaluate: --cutoff: not a date: "x"' "$XS" evaluate --db "$DB" --cutoff x
expect_err 2 "xsell evaluate: --cutoff DATE is required
try 'xsell evaluate --help'" "$XS" evaluate --db "$DB"
expect_err 2 'xsell evaluate: --cutoff: no customer with an order before 2024-03-02 and a new product from 2024-03-02 to 2024-03-31' "$XS" evaluate --db "$DB" --cutoff 2024-03-02 --horizon 30

# evaluation by hand, k = 2, cutoff 2024-04-10: U3 then buys p1, U1 p3 p4.
# popular (buyers: p0 p1 p2 3 each): U3 gets p1 p2 (hit at 1: nDCG 1);
# U1 gets p2 p3 (hit at 2: (1/log2 3) / (1 + 1/log2 3) = 0.3869); mean 0.6934
cat >"$T/want" <<'OUT'
method,customers,precision,recall,ndcg,map,hit_rate,coverage,substitute_share,ndcg_vs_knn
xsell,2,0.5000,0.7500,0.8066,0.7500,1.0000,0.5000,0.0000,1.163
item-knn,2,0.5000,0.7500,0.6934,0.6250,1.0000,0.5000,0.0000,1.000
popular,2,0.5000,0.7500,0.6934,0.6250,1.0000,0.5000,0.0000,1.000
OUT
"$XS" evaluate --db "$DB" --cutoff 2024-04-10 --horizon 30 --k 2 --format csv | cut -d, -f1-10 >"$T/got" || fail "evaluate"
diff -u "$T/want" "$T/got" >&2 || fail "evaluate table differs"
n_pass=$((n_pass + 1))

# the fixture's customers gave no consent: the engine offers nothing
"$XS" evaluate --db "$DB" --cutoff 2024-04-10 --horizon 30 --k 2 >/dev/null 2>"$T/err" || fail "evaluate"
expect_eq "$(cat "$T/err")" "offers: 0 shop cross-sells offered to 0 customers; 0 (0.00 %) fail the relevance bar: 0 above 5x the customer's largest past line, 0 substitutes of a purchase in the last 90 days" "evaluate: the engine's offers"

# the demo company: under 5 % of the shop cross-sells offered fail the
# relevance bar (docs/evaluate.md)
"$XS" demo --db "$DB_DEMO" --customers 2000 --seed 11 >/dev/null 2>&1 || fail "demo"
"$XS" evaluate --db "$DB_DEMO" --cutoff 2026-04-01 >/dev/null 2>"$T/err" || fail "evaluate demo"
line=$(grep '^offers: ' "$T/err")
shop=$(echo "$line" | sed 's/^offers: \([0-9]*\) shop.*/\1/')
pct=$(echo "$line" | sed 's/.*; [0-9]* (\([0-9.]*\) %).*/\1/')
awk -v s="$shop" -v p="$pct" 'BEGIN { exit !(s >= 100 && p < 5) }' || fail "demo offers: $line"
n_pass=$((n_pass + 1))
echo "demo: $line"

