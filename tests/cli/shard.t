# Build by shard (docs/model.md, "Build by shard"): `xsell build --shard I/N`
# writes the part of each customer shard, `xsell build --merge` makes the
# model of the N parts, and that model decides exactly as one `xsell build`
# of the same store: recommend --all, targets, customers and kpi read from
# both models are byte-identical, on a generated store (N = 1, 4, 7, and with
# --as-of) and on the hand-made stores of tests/data (orders, usage, events,
# offers; returns; a shop's order log with anonymous baskets, where most of
# 7 shards hold no customer). Then every refusal with its message.

# answers MODEL OUT: the readers' answers from MODEL into OUT.* (stdout)
# and OUT.*.err (stderr: the guardrail summary, the evidence's notes)
answers() {
    "$XS" recommend --model "$1" --all --show-suppressed --format csv >"$2.rec" \
        2>"$2.rec.err" || fail "recommend --model $1"
    "$XS" targets --model "$1" --format csv >"$2.tgt" 2>"$2.tgt.err" || fail "targets --model $1"
    "$XS" customers --model "$1" --format csv >"$2.cus" 2>"$2.cus.err" ||
        fail "customers --model $1"
    "$XS" kpi --model "$1" --format csv >"$2.kpi" 2>"$2.kpi.err" || fail "kpi --model $1"
}

# same_err WANT: the stderr of the last expect_out equals WANT, but for the
# model's name
same_err() {
    sed "s|$T/one.xsm|$T/merged.xsm|g" "$1" >"$T/.want_err"
    diff -u "$T/.want_err" "$T/.err" >&2 || fail "stderr differs from $1"
    n_pass=$((n_pass + 1))
}

# one DB [--as-of DATE]: one build of DB and its answers (want.*)
one() {
    db=$1
    shift
    "$XS" build --db "$db" --out "$T/one.xsm" "$@" >/dev/null 2>&1 || fail "build $db"
    answers "$T/one.xsm" "$T/want"
}

# same_as_one DB N [--as-of DATE]: N shard builds of DB merged answer as
# the last one build (one DB, with the same options)
same_as_one() {
    db=$1 n=$2
    shift 2
    parts=""
    i=0
    while [ "$i" -lt "$n" ]; do
        expect_rc 0 "$XS" build --db "$db" --shard "$i/$n" --out "$T/p$i.xsp"
        grep -q "^part $i/$n of $db: " "$T/.out" || fail "shard $i/$n: no summary line"
        parts="$parts $T/p$i.xsp"
        i=$((i + 1))
    done
    # shellcheck disable=SC2086
    expect_rc 0 "$XS" build --merge --out "$T/merged.xsm" "$@" $parts
    grep -q "^merged $n parts into $T/merged.xsm: " "$T/.out" || fail "merge: no summary"
    for f in rec tgt cus kpi; do
        [ -s "$T/want.$f" ] || fail "$db: empty $f"
    done
    expect_out 0 "$T/want.rec" -- "$XS" recommend --model "$T/merged.xsm" --all \
        --show-suppressed --format csv
    same_err "$T/want.rec.err"
    expect_out 0 "$T/want.tgt" -- "$XS" targets --model "$T/merged.xsm" --format csv
    same_err "$T/want.tgt.err"
    expect_out 0 "$T/want.cus" -- "$XS" customers --model "$T/merged.xsm" --format csv
    same_err "$T/want.cus.err"
    expect_out 0 "$T/want.kpi" -- "$XS" kpi --model "$T/merged.xsm" --format csv
    same_err "$T/want.kpi.err"
    rm -f "$T"/p*.xsp "$T/merged.xsm"
}

# --- a generated store ----------------------------------------------------
"$XS" gen --out "$T/g" --customers 3000 --seed 5 --holdout-days 90 >/dev/null 2>&1 ||
    fail "gen"
DB=$(new_db gen)
for t in customers products subscriptions orders usage events offers; do
    "$XS" import --db "$DB" "$t" "$T/g/$t.csv" >/dev/null 2>&1 || fail "import $t"
done
one "$DB"
same_as_one "$DB" 4
same_as_one "$DB" 1
same_as_one "$DB" 7
one "$DB" --as-of 2026-09-15
same_as_one "$DB" 4 --as-of 2026-09-15
# --- the hand-made stores ---------------------------------------------------
DB2=$(new_db offer)
for t in customers products subscriptions orders usage events offers; do
    "$XS" import --db "$DB2" "$t" "$SRC/tests/data/offer/$t.csv" >/dev/null 2>&1 ||
        fail "import offer $t"
done
one "$DB2"
same_as_one "$DB2" 4
DB3=$(new_db returns)
for t in customers products orders returns; do
    "$XS" import --db "$DB3" "$t" "$SRC/tests/data/returns/$t.csv" >/dev/null 2>&1 ||
        fail "import returns $t"
done
one "$DB3"
same_as_one "$DB3" 4
DB4=$(new_db shop)
"$XS" import --db "$DB4" transactions "$SRC/tests/data/transactions/shop.csv" \
    --map Invoice=order_id --map StockCode=product_id --map Description=product_name \
    --map Quantity=quantity --map InvoiceDate=date --map Price=unit_price \
    --map "Customer ID=customer_id" --return-prefix C >/dev/null 2>&1 || fail "import shop"
"$XS" build --db "$DB4" --shard 0/1 --out "$T/p0.xsp" >"$T/s.out" 2>&1 || fail "shard shop"
grep -q " 2 anonymous order lines: " "$T/s.out" || fail "the shop's anonymous lines are in its part"
n_pass=$((n_pass + 1))
one "$DB4"
same_as_one "$DB4" 4
same_as_one "$DB4" 7

# --- refusals ---------------------------------------------------------------
# the shards cover every customer once
for i in 0 1 2 3; do
    "$XS" build --db "$DB" --shard "$i/4" --out "$T/p$i.xsp" >"$T/s$i.out" 2>/dev/null ||
        fail "shard $i"
done
total=$(sed -n 's/^part [0-9]*\/4 of .*: \([0-9]*\) customers,.*/\1/p' "$T"/s[0-3].out |
    awk '{s += $1} END {print s}')
expect_eq "$total" 3000 "the shards' customers add up to the store's"

expect_err 2 "xsell build: --shard: not I/N (shard I of N, 0 <= I < N): \"x\"
try 'xsell build --help'" \
    "$XS" build --db "$DB" --shard x --out "$T/p.xsp"
expect_err 2 "xsell build: --shard: not I/N (shard I of N, 0 <= I < N): \"-1/4\"
try 'xsell build --help'" \
    "$XS" build --db "$DB" --shard -1/4 --out "$T/p.xsp"
expect_err 2 "xsell build: --shard: not I/N (shard I of N, 0 <= I < N): \"1/\"
try 'xsell build --help'" \
    "$XS" build --db "$DB" --shard 1/ --out "$T/p.xsp"
expect_err 2 "xsell build: --shard: I: 4 is out of range [0, 3]: \"4/4\"
try 'xsell build --help'" \
    "$XS" build --db "$DB" --shard 4/4 --out "$T/p.xsp"
expect_err 2 "xsell build: --shard: N: 0 is out of range [1, 65536]: \"0/0\"
try 'xsell build --help'" \
    "$XS" build --db "$DB" --shard 0/0 --out "$T/p.xsp"
expect_err 2 "xsell build: --shard: N: 65537 is out of range [1, 65536]: \"0/65537\"
try 'xsell build --help'" \
    "$XS" build --db "$DB" --shard 0/65537 --out "$T/p.xsp"
expect_err 2 "xsell build: --shard needs --out PART
try 'xsell build --help'" "$XS" build --db "$DB" --shard 1/2
expect_err 2 "xsell build: --merge needs --out MODEL
try 'xsell build --help'" "$XS" build --merge "$T/p0.xsp"
expect_err 2 "xsell build: --shard and --merge: one or the other
try 'xsell build --help'" \
    "$XS" build --db "$DB" --shard 1/2 --merge --out "$T/m.xsm"
expect_err 2 "xsell build: --merge reads no store: give no --db
try 'xsell build --help'" \
    "$XS" build --db "$DB" --merge --out "$T/m.xsm" "$T/p0.xsp"
expect_err 2 "xsell build: --merge: give the part files (written by 'xsell build --shard I/N --out PART')
try 'xsell build --help'" \
    "$XS" build --merge --out "$T/m.xsm"
expect_err 2 "xsell build: --as-of: give it to --merge (a shard only cuts the store)
try 'xsell build --help'" \
    "$XS" build --db "$DB" --shard 1/2 --out "$T/p.xsp" --as-of 2026-09-01
expect_err 2 "xsell build: --churn-max-train: give it to --merge (a shard only cuts the store)
try 'xsell build --help'" \
    "$XS" build --db "$DB" --shard 1/2 --out "$T/p.xsp" --churn-max-train 5
expect_err 2 "xsell build: --capacity: not with --shard
try 'xsell build --help'" \
    "$XS" build --db "$DB" --shard 1/2 --out "$T/p.xsp" --capacity email=10
[ ! -e "$T/p.xsp" ] || fail "a refused shard build wrote a part"
n_pass=$((n_pass + 1))

# parts missing, twice, of another sharding, store or data version
expect_err 2 'xsell build: missing part 3/4: a build of 4 shards needs all 4 parts, 3 given' \
    "$XS" build --merge --out "$T/m.xsm" "$T/p0.xsp" "$T/p1.xsp" "$T/p2.xsp"
expect_err 2 'xsell build: missing part 1/4: a build of 4 shards needs all 4 parts, 1 given' \
    "$XS" build --merge --out "$T/m.xsm" "$T/p0.xsp"
cp "$T/p2.xsp" "$T/p2b.xsp"
expect_err 2 "xsell build: $T/p2b.xsp: part 2/4 given twice (also $T/p2.xsp)" \
    "$XS" build --merge --out "$T/m.xsm" "$T/p0.xsp" "$T/p1.xsp" "$T/p2.xsp" "$T/p2b.xsp"
"$XS" build --db "$DB" --shard 1/2 --out "$T/h1.xsp" >/dev/null 2>&1 || fail "shard 1/2"
expect_err 2 "xsell build: $T/h1.xsp: part 1/2, but $T/p0.xsp is a part of 4 shards" \
    "$XS" build --merge --out "$T/m.xsm" "$T/p0.xsp" "$T/h1.xsp"
"$XS" build --db "$DB2" --shard 3/4 --out "$T/o3.xsp" >/dev/null 2>&1 || fail "shard other"
# (store ids are random: shown here as ID)
expect_rc 2 "$XS" build --merge --out "$T/m.xsm" "$T/p0.xsp" "$T/p1.xsp" "$T/p2.xsp" "$T/o3.xsp"
expect_eq "$(sed -E 's/[0-9a-f]{32}/ID/g' "$T/.err")" \
    "xsell build: $T/o3.xsp: from another store (store id ID, $T/p0.xsp's is ID)" \
    "merge: a part of another store, named against the first part"
n_pass=$((n_pass + 1))
"$XS" import --db "$DB" customers "$T/g/customers.csv" >/dev/null 2>&1 || fail "re-import"
"$XS" build --db "$DB" --shard 3/4 --out "$T/n3.xsp" >/dev/null 2>&1 || fail "shard 3 again"
expect_err 2 "xsell build: $T/n3.xsp: store data version 10, $T/p0.xsp's is 9 (the store changed between the shard builds: build every shard again)" \
    "$XS" build --merge --out "$T/m.xsm" "$T/p0.xsp" "$T/p1.xsp" "$T/p2.xsp" "$T/n3.xsp"
grep -qF "xsell build: $T/n3.xsp: store data version " "$T/.err" ||
    fail "the data version message names the part"
n_pass=$((n_pass + 1))
# a model is no part, a part is no model
expect_err 2 "xsell build: $T/one.xsm: a model file, not a build part (parts are written by 'xsell build --shard')" \
    "$XS" build --merge --out "$T/m.xsm" "$T/one.xsm" "$T/p1.xsp" "$T/p2.xsp" "$T/p3.xsp"
expect_err 2 "xsell recommend: $T/p0.xsp: a build part, not a model: merge the parts with 'xsell build --merge'" \
    "$XS" recommend --model "$T/p0.xsp" --all
expect_err 2 "xsell build: $T/none.xsp: no such model file" \
    "$XS" build --merge --out "$T/m.xsm" "$T/none.xsp"
if sqlite_only; then
    expect_err 2 "xsell build: $DB: not an xsell model file" \
        "$XS" build --merge --out "$T/m.xsm" "$DB"
fi
[ ! -e "$T/m.xsm" ] || fail "a refused merge wrote a model"
n_pass=$((n_pass + 1))
