# xsell together: frequently bought together from a basket file and from
# the store. Fixtures: tests/data/together (small.csv / small.dat are the
# baskets {a b c} {a b} {a b} {a} {c} {d} {} of test_together.c: N = 7,
# w(a) = 4, w(b) = 3, w(c) = 2, w(ab) = 3, w(ac) = w(bc) = 1).
DB=$(new_db s)
D="$SRC/tests/data/together"

# every item's neighbours by lift: a,b = 3*7/(4*3) = 1.75; a,c = 7/8;
# b,c = 7/6
cat >"$T/want" <<'OUT'
item  rank  neighbour    score  count
----  ----  ---------  -------  -----
a        1  b             1.75      3
a        2  c            0.875      1
b        1  a             1.75      3
b        2  c          1.16667      1
c        1  b          1.16667      1
c        2  a            0.875      1
OUT
expect_out 0 "$T/want" -- "$XS" together --input "$D/small.csv" --input-format basket --measure lift

# one item, FIMI input, Jaccard: 1,2 = 3/(4+3-3); 1,3 = 1/(4+2-1)
cat >"$T/want" <<'OUT'
[
 {"rank": 1, "item": "2", "score": 0.75, "count": 3},
 {"rank": 2, "item": "3", "score": 0.2, "count": 1}
]
OUT
expect_out 0 "$T/want" -- "$XS" together --input "$D/small.dat" --item 1 --measure jaccard --format json

# a cart (a repeated item counts once): b and c by summed counts
cat >"$T/want" <<'OUT'
rank,item,score,count
1,b,3,3
2,c,1,1
OUT
expect_out 0 "$T/want" -- "$XS" together --input "$D/small.csv" --input-format basket --cart a,d,a --measure count --format csv

# cosine (default measure), --top 1
cat >"$T/want" <<'OUT'
rank  item     score  count
----  ----  --------  -----
   1  a     0.866025      3
OUT
expect_out 0 "$T/want" -- "$XS" together --input "$D/small.csv" --input-format basket --item b --top 1

# d has no neighbour: a header only
cat >"$T/want" <<'OUT'
rank  item  score  count
----  ----  -----  -----
OUT
expect_out 0 "$T/want" -- "$XS" together --input "$D/small.csv" --input-format basket --item d

# from the store
for t in customers products subscriptions orders events; do
    "$XS" import --db "$DB" $t "$D/$t.csv" >/dev/null 2>&1 || fail "import $t"
done
# orders O1 and O3 both hold crm and seat
cat >"$T/want" <<'OUT'
item  rank  neighbour  score  count
----  ----  ---------  -----  -----
crm      1  seat           2      2
seat     1  crm            2      2
OUT
expect_out 0 "$T/want" -- "$XS" together --db "$DB" --measure count
# adoption sets (per customer): acc with seat (C1 C2 C5), crm (C1 C5), pay (C1 C2)
cat >"$T/want" <<'OUT'
rank  item  score  count
----  ----  -----  -----
   1  seat      3      3
   2  crm       2      2
   3  pay       2      2
OUT
expect_out 0 "$T/want" -- "$XS" together --db "$DB" --source adoption --item acc --measure count
# half-life 30 days, as of 2024-09-30: orders of 2024-02-10 (233 days) and
# 2024-03-03 (211 days): 0.5^(233/30) + 0.5^(211/30) = 0.012226
cat >"$T/want" <<'OUT'
rank  item     score     count
----  ----  --------  --------
   1  crm   0.012226  0.012226
OUT
expect_out 0 "$T/want" -- "$XS" together --db "$DB" --half-life 30 --measure count --item seat
# --min-count drops the weak pair
cat >"$T/want" <<'OUT'
rank  item  score  count
----  ----  -----  -----
OUT
expect_out 0 "$T/want" -- "$XS" together --db "$DB" --half-life 30 --min-count 0.5 --item seat

# bad input
expect_err 2 'xsell together: --item: unknown item "foo"' "$XS" together --input "$D/small.csv" --input-format basket --item foo
expect_err 2 'xsell together: --cart: unknown item "zz"' "$XS" together --input "$D/small.csv" --input-format basket --cart a,zz
expect_err 2 "xsell together: $T/nope.dat: No such file or directory" "$XS" together --input "$T/nope.dat"
expect_err 2 "xsell together: $T/nope.db: no such store" "$XS" together --db "$T/nope.db"
[ -e "$T/nope.db" ] && fail "a missing store must not be created"
expect_err 2 "xsell together: --top: 0 is out of range [1, 10000]
try 'xsell together --help'" "$XS" together --input "$D/small.dat" --top 0
expect_err 2 "xsell together: --top: not an integer: \"x\"
try 'xsell together --help'" "$XS" together --input "$D/small.dat" --top x
expect_err 2 "xsell together: --half-life: -1 is out of range [0.001, 1e+06]
try 'xsell together --help'" "$XS" together --db "$DB" --half-life -1
expect_err 2 "xsell together: --min-count: not a number: \"many\"
try 'xsell together --help'" "$XS" together --db "$DB" --min-count many
expect_err 2 "xsell together: --measure: expected count, jaccard, lift or cosine, got \"dice\"
try 'xsell together --help'" "$XS" together --input "$D/small.dat" --measure dice
expect_err 2 "xsell together: --source: expected orders or adoption, got \"lines\"
try 'xsell together --help'" "$XS" together --db "$DB" --source lines
expect_err 2 "xsell together: --input-format: expected fimi or basket, got \"xml\"
try 'xsell together --help'" "$XS" together --input "$D/small.dat" --input-format xml
expect_err 2 "xsell together: give one of --input FILE or --db FILE
try 'xsell together --help'" "$XS" together
expect_err 2 "xsell together: give one of --input FILE or --db FILE
try 'xsell together --help'" "$XS" together --input "$D/small.dat" --db "$DB"
expect_err 2 "xsell together: give --item or --cart, not both
try 'xsell together --help'" "$XS" together --input "$D/small.dat" --item 1 --cart 2
expect_err 2 "xsell together: --half-life needs dated baskets: use --db
try 'xsell together --help'" "$XS" together --input "$D/small.dat" --half-life 30
expect_err 2 "xsell together: --format: expected table, json or csv, got \"xml\"
try 'xsell together --help'" "$XS" together --input "$D/small.dat" --format xml
expect_err 2 "xsell together: unknown option \"--bogus\"
try 'xsell together --help'" "$XS" together --bogus
expect_rc 0 "$XS" together --help
grep -q "^usage: xsell together" "$T/.out" || fail "--help prints the usage"
