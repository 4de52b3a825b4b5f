# Closing the loop: xsell build, xsell recommend --log, xsell outcome, and
# the next decisions respecting what was logged, on the hand-made store of
# tests/data/offer as of 2026-06-30 (docs/offers.md, "Closing the loop").
D="$SRC/tests/data/offer"
DB=$(new_db loop)
for t in customers products subscriptions orders usage events offers; do
    "$XS" import --db "$DB" "$t" "$D/$t.csv" >/dev/null 2>&1 || fail "import $t"
done
expect_rc 0 "$XS" build --db "$DB"

# --log: the offered offers go into the offers table, pending, sent on the
# decision day, with ids X<day>-<sequence>; their ids on stderr
"$XS" export --db "$DB" offers >"$T/off0" 2>/dev/null || fail "export"
expect_rc 0 "$XS" recommend --db "$DB" --customer K1 --log --format csv
cat >"$T/want" <<'OUT'
logged X20260630-0001 K1 pay-m
logged X20260630-0002 K1 books-pro-m
OUT
diff -u "$T/want" "$T/.err" >&2 || fail "--log ids on stderr"
expect_eq "$(cut -d, -f1-5 "$T/.out" | tail -n +2 | tr '\n' ' ')" \
    "K1,1,cross-sell,adoption,pay-m K1,2,upsell,usage,books-m -> books-pro-m " "K1 offers shown"
"$XS" export --db "$DB" offers >"$T/off1" 2>/dev/null || fail "export"
expect_eq "$(grep '^X2026' "$T/off1" | cut -d, -f1-9 | tr '\n' ' ')" \
    "X20260630-0001,K1,pay-m,cross_sell,email,2026-06-30,pending,, X20260630-0002,K1,books-pro-m,upsell,email,2026-06-30,pending,, " \
    "logged rows"
expect_eq "$(grep -vc '^X2026' "$T/off1")" "$(wc -l <"$T/off0" | tr -d ' ')" "other offers kept"
# the sequence goes on within a day
expect_rc 0 "$XS" recommend --db "$DB" --customer U1 --log
expect_eq "$(cat "$T/.err")" "logged X20260630-0003 U1 team-premium-m" "next id"

# frequency: K1 now has 2 offers within 30 days (max_contacts 2): nothing more
# (its low-usage downsells are never made: K1 is not at risk, checked first)
"$XS" recommend --db "$DB" --customer K1 --show-suppressed --format csv >"$T/k1" 2>&1 || fail "K1 again"
expect_eq "$(tail -n +2 "$T/k1" | cut -d, -f2 | sort -u | tr -d '\n')" "" "K1 has no offered offer"
expect_eq "$(tail -n +2 "$T/k1" | awk -F, '{print $NF}' | sort -u | tr '\n' ' ')" "frequency not_at_risk " "K1 held back by frequency"
# U1's one logged offer counts too: with max_contacts=1 it is held back
"$XS" recommend --db "$DB" --customer U1 --set max_contacts=1 --show-suppressed --format csv >"$T/u1" 2>&1
expect_eq "$(sed -n 2p "$T/u1" | awk -F, '{print $5 "|" $NF}')" "team-basic-m -> team-premium-m|frequency" "U1 frequency"

# outcomes: errors change nothing
"$XS" export --db "$DB" offers >"$T/before" 2>/dev/null
expect_err 2 'xsell outcome: --offer: unknown offer "X20260630-0099"' \
    "$XS" outcome --db "$DB" --offer X20260630-0099 accepted --at 2026-07-01
expect_err 2 'xsell outcome: --at: "2026-06-29" is before the offer was sent (2026-06-30)' \
    "$XS" outcome --db "$DB" --offer X20260630-0003 declined --at 2026-06-29
expect_err 2 'xsell outcome: --at: expected a date YYYY-MM-DD, got "tomorrow"' \
    "$XS" outcome --db "$DB" --offer X20260630-0003 declined --at tomorrow
expect_err 2 'xsell outcome: --revenue-delta: not an amount: "lots"' \
    "$XS" outcome --db "$DB" --offer X20260630-0003 accepted --at 2026-06-30 --revenue-delta lots
expect_err 2 'xsell outcome: --revenue-delta: more than 2 fraction digits: "1.005"' \
    "$XS" outcome --db "$DB" --offer X20260630-0003 accepted --at 2026-06-30 --revenue-delta 1.005
expect_err 2 "xsell outcome: expected accepted, declined or ignored, got \"maybe\"
try 'xsell outcome --help'" \
    "$XS" outcome --db "$DB" --offer X20260630-0003 maybe
expect_err 2 "xsell outcome: give the outcome: accepted, declined or ignored
try 'xsell outcome --help'" \
    "$XS" outcome --db "$DB" --offer X20260630-0003
expect_err 2 "xsell outcome: --offer ID is required
try 'xsell outcome --help'" "$XS" outcome --db "$DB" accepted
expect_err 2 "xsell outcome: --db FILE is required
try 'xsell outcome --help'" "$XS" outcome --offer X accepted
expect_err 2 "xsell outcome: unexpected argument \"again\"
try 'xsell outcome --help'" \
    "$XS" outcome --db "$DB" --offer X20260630-0003 accepted again
expect_err 2 "xsell outcome: $T/none.db: no such store" \
    "$XS" outcome --db "$T/none.db" --offer X accepted
"$XS" export --db "$DB" offers >"$T/after" 2>/dev/null
cmp -s "$T/before" "$T/after" || fail "a refused outcome changed the offers"
# a refused --log run logs nothing
expect_err 2 'xsell recommend: --customer: unknown customer "ZZ"' \
    "$XS" recommend --db "$DB" --customer ZZ --log
expect_err 2 "xsell recommend: --log records offers made to customers: not with --cart
try 'xsell recommend --help'" \
    "$XS" recommend --db "$DB" --customer U1 --cart nope --log
"$XS" export --db "$DB" offers >"$T/after" 2>/dev/null
cmp -s "$T/before" "$T/after" || fail "a refused --log run changed the offers"

# U1 declines; K1 accepts one with its revenue change
echo "X20260630-0003: declined on 2026-06-30" >"$T/want"
expect_out 0 "$T/want" -- "$XS" outcome --db "$DB" --offer X20260630-0003 declined --at 2026-06-30
expect_rc 0 "$XS" outcome --db "$DB" --offer X20260630-0001 --at 2026-06-30 accepted --revenue-delta -12.5
"$XS" export --db "$DB" offers >"$T/off2" 2>/dev/null
expect_eq "$(grep -E '^X20260630-000[13],' "$T/off2" | cut -d, -f1,7-9 | tr '\n' ' ')" \
    "X20260630-0001,accepted,2026-06-30,-12.50 X20260630-0003,declined,2026-06-30, " "outcomes stored"
# an outcome is final: refused, nothing changed
expect_err 2 'xsell outcome: offer "X20260630-0003" already has the final outcome "declined"' \
    "$XS" outcome --db "$DB" --offer X20260630-0003 accepted --at 2026-07-01
"$XS" export --db "$DB" offers >"$T/off3" 2>/dev/null
cmp -s "$T/off2" "$T/off3" || fail "a second outcome changed the offers"

# the next build learns from them; the declined product is not offered again
echo "built $DB as of 2026-06-30: propensity model not fitted (too few: priors used) on 3 decided offers (upsell 2, cross-sell 1, downsell 0)" >"$T/want"
expect_out 0 "$T/want" -- "$XS" build --db "$DB"
"$XS" recommend --db "$DB" --customer U1 --show-suppressed --format csv >"$T/u1b" 2>&1 || fail "U1 after"
expect_eq "$(grep -c 'team-basic-m -> team-premium-m,.*,declined$' "$T/u1b")" "1" "declined blocks a repeat"
expect_eq "$(sed -n 2p "$T/u1b" | cut -d, -f2,5)" "1,team-seats-10 x3" "U1's next best offer"
# ... for 90 days: as of 2026-09-27 still blocked, as of 2026-09-29 offered again
# (decisions as of another day than the build fit the model on the fly)
"$XS" recommend --db "$DB" --customer U1 --as-of 2026-09-27 --show-suppressed --format csv >"$T/u1c" 2>&1
expect_eq "$(grep -c 'team-premium-m,.*,declined$' "$T/u1c")" "1" "declined within 90 days"
grep -q "model fitted, build is as of 2026-06-30" "$T/u1c" || fail "evidence says the model was fitted"
"$XS" recommend --db "$DB" --customer U1 --as-of 2026-09-29 --show-suppressed --format csv >"$T/u1d" 2>&1
expect_eq "$(grep -c ',declined$' "$T/u1d")" "0" "declined expires after 90 days"

# --all --log: every offered offer of every customer logged, in one go
D2=$(new_db all)
for t in customers products subscriptions orders usage events offers; do
    "$XS" import --db "$D2" "$t" "$D/$t.csv" >/dev/null 2>&1 || fail "import $t"
done
expect_rc 0 "$XS" build --db "$D2"
"$XS" recommend --db "$D2" --all --log --format csv >"$T/all.csv" 2>"$T/all.err" || fail "--all --log"
n_shown=$(tail -n +2 "$T/all.csv" | wc -l | tr -d ' ')
expect_eq "$n_shown" "9" "offers shown by --all"
expect_eq "$(grep -c '^logged X20260630-' "$T/all.err")" "$n_shown" "every shown offer logged"
expect_eq "$(grep '^logged ' "$T/all.err" | cut -d' ' -f2 | sort -u | wc -l | tr -d ' ')" "$n_shown" "unique ids"
expect_eq "$(grep '^logged ' "$T/all.err" | tail -1 | cut -d' ' -f2)" "X20260630-0009" "last id"
# customer and product of each logged line are those of the rows shown
expect_eq "$(grep '^logged ' "$T/all.err" | cut -d' ' -f3 | tr '\n' ' ')" \
    "$(tail -n +2 "$T/all.csv" | cut -d, -f1 | tr '\n' ' ')" "logged in the order shown"
# a second --all: customers given 2 offers reached max_contacts (2 per 30
# days) and get none; the others get at most one more
"$XS" recommend --db "$D2" --all --format csv >"$T/all2.csv" 2>/dev/null
two=$(tail -n +2 "$T/all.csv" | cut -d, -f1 | sort | uniq -d)
[ -n "$two" ] || fail "some customer was given 2 offers"
for c in $two; do
    grep -q "^$c," "$T/all2.csv" && fail "$c offered again after 2 logged offers"
done
expect_eq "$(tail -n +2 "$T/all2.csv" | cut -d, -f2 | sort -u | tr '\n' ' ')" "1 " "at most one more offer each"

# build errors
expect_err 2 "xsell build: --db FILE is required
try 'xsell build --help'" "$XS" build
expect_err 2 "xsell build: $T/none.db: no such store" "$XS" build --db "$T/none.db"
expect_err 2 "xsell build: --set: unknown name \"foo\"
try 'xsell build --help'" "$XS" build --db "$DB" --set foo=1
expect_err 2 "xsell build: unexpected argument \"x\"
try 'xsell build --help'" "$XS" build --db "$DB" x
expect_rc 0 "$XS" build --help
expect_rc 0 "$XS" outcome --help
