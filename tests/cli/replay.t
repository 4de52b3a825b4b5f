# Decisions logged with their propensities and `xsell replay` (docs/replay.md),
# on the hand-made store of tests/data/offer as of 2026-06-30: --log writes
# one decision per offered offer, replay refuses until outcomes exist, the
# logging policy replayed on its own log gives IPS = the logged mean with
# every weight 1, and every bad input is a located error that changes
# nothing.
D="$SRC/tests/data/offer"
DB=$(new_db r)
for t in customers products subscriptions orders usage events offers; do
    "$XS" import --db "$DB" "$t" "$D/$t.csv" >/dev/null 2>&1 || fail "import $t"
done
expect_rc 0 "$XS" build --db "$DB"
FRESH=$(copy_db "$DB" fresh)

# without a control share a logged decision is the plain one
expect_rc 0 "$XS" recommend --db "$FRESH" --all --format csv
cp "$T/.out" "$T/plain"
C0=$(copy_db "$DB" c0)
expect_rc 0 "$XS" recommend --db "$C0" --all --log --set control_share=0 --format csv
diff -u "$T/plain" "$T/.out" >&2 || fail "control_share=0: output changed by --log"

# --log: one decision per offered offer (the default control share 0.02)
expect_rc 0 "$XS" recommend --db "$DB" --all --log --format csv
grep '^logged ' "$T/.err" >"$T/logged"
n_logged=$(grep -c . "$T/logged")
expect_eq "$n_logged" "$(tail -n +2 "$T/.out" | grep -c .)" "one logged offer per offer shown"

# no outcome yet: refused
printf 'control_share=0.02\n' >"$T/same.conf"
expect_err 2 "xsell replay: none of the $n_logged logged decisions has an outcome yet ($n_logged pending): record outcomes with 'xsell outcome'" \
    "$XS" replay --db "$DB" --policy "$T/same.conf"

# outcomes: every other one accepted (revenue_delta 100.00 on the first)
i=0
for id in $(cut -d' ' -f2 "$T/logged"); do
    i=$((i + 1))
    if [ $((i % 2)) = 1 ]; then
        if [ $i = 1 ]; then
            "$XS" outcome --db "$DB" --offer "$id" accepted --at 2026-07-01 --revenue-delta 100 >/dev/null || fail "outcome $id"
        else
            "$XS" outcome --db "$DB" --offer "$id" accepted --at 2026-07-01 >/dev/null || fail "outcome $id"
        fi
    else
        "$XS" outcome --db "$DB" --offer "$id" declined --at 2026-07-01 >/dev/null || fail "outcome $id"
    fi
done

# the logging policy itself: every weight 1, so IPS = SNIPS = the logged mean
# and the effective sample size is the number of decisions
expect_rc 0 "$XS" replay --db "$DB" --policy "$T/same.conf" --format json
json=$(cat "$T/.out")
field() { printf '%s' "$json" | sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p"; }
expect_eq "$(field decisions)" "$n_logged" "decisions used"
expect_eq "$(field mean_weight)" "1.0" "mean weight"
expect_eq "$(field max_weight)" "1.0" "max weight"
expect_eq "$(printf '%s' "$json" | sed -n 's/.*"ips":{"value":\([^,]*\).*/\1/p')" "$(field logged)" "IPS = logged"
expect_eq "$(printf '%s' "$json" | sed -n 's/.*"snips":{"value":\([^,]*\).*/\1/p')" "$(field logged)" "SNIPS = logged"
expect_eq "$(field ess | cut -d. -f1)" "$n_logged" "ESS"

# the table form names the policy and the window
expect_rc 0 "$XS" replay --db "$DB" --policy "$T/same.conf" --from 2026-06-30 --to 2026-06-30
expect_eq "$(sed -n 1p "$T/.out")" "policy control_share=0.02" "table: policy line"
expect_eq "$(sed -n 2p "$T/.out" | cut -d' ' -f1-6)" "decisions $n_logged from 2026-06-30 to 2026-06-30" "table: window"
expect_eq "$(sed -n 5p "$T/.out" | tr -s ' ' | cut -d' ' -f1-5)" "estimator value se ci_low ci_high" "table: header"

# --save keeps it for GET /v1/replays
expect_err 0 'saved replay 1' "$XS" replay --db "$DB" --policy "$T/same.conf" --save

# bad input: located messages, exit 2, nothing written
printf 'epsilon_upsell=0.5\n# fine\n\nusage_high=0.5\n' >"$T/bad1.conf"
expect_err 2 "xsell replay: $T/bad1.conf:4: usage_high: replay cannot apply this setting to logged decisions (it changes the candidates)" \
    "$XS" replay --db "$DB" --policy "$T/bad1.conf"
printf 'epsilonupsell=0.5\n' >"$T/bad2.conf"
expect_err 2 "xsell replay: $T/bad2.conf:1: epsilonupsell: unknown name \"epsilonupsell\"" \
    "$XS" replay --db "$DB" --policy "$T/bad2.conf"
printf 'control_share=2\n' >"$T/bad3.conf"
expect_err 2 "xsell replay: $T/bad3.conf:1: control_share: expected a share from 0 to 1, got 2" \
    "$XS" replay --db "$DB" --policy "$T/bad3.conf"
printf 'max_offers\n' >"$T/bad4.conf"
expect_err 2 "xsell replay: $T/bad4.conf:1: expected name=value, got \"max_offers\"" \
    "$XS" replay --db "$DB" --policy "$T/bad4.conf"
expect_err 1 "xsell replay: $T/none.conf: cannot open: No such file or directory" \
    "$XS" replay --db "$DB" --policy "$T/none.conf"
expect_err 2 'xsell replay: --from: not a date: "June"' \
    "$XS" replay --db "$DB" --policy "$T/same.conf" --from June
expect_err 2 'xsell replay: --to: 2026-01-01 is before the start of the range (from 2026-06-30)' \
    "$XS" replay --db "$DB" --policy "$T/same.conf" --from 2026-06-30 --to 2026-01-01
expect_err 2 "xsell replay: no logged decision between 2026-07-01 and the last: log decisions with 'xsell recommend --log' (docs/replay.md)" \
    "$XS" replay --db "$DB" --policy "$T/same.conf" --from 2026-07-01
expect_err 2 "xsell replay: --policy CONFIG is required
try 'xsell replay --help'" "$XS" replay --db "$DB"
expect_err 2 "xsell replay: --db FILE is required
try 'xsell replay --help'" "$XS" replay --policy "$T/same.conf"
expect_err 2 "xsell replay: $T/no.db: no such store" "$XS" replay --db "$T/no.db" --policy "$T/same.conf"
# a store logged before decisions were: no decision to replay
expect_err 2 "xsell replay: no logged decision between the first and the last: log decisions with 'xsell recommend --log' (docs/replay.md)" \
    "$XS" replay --db "$FRESH" --policy "$T/same.conf"
