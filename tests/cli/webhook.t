# xsell webhook: subscriptions and their errors, the delivery queued by a
# build, an attempt against a closed port (retried later, not at once), and
# removal cancelling what is pending. Delivery to a live receiver, headers,
# signatures and backoff: tests/unit/test_webhook.c.
D="$SRC/tests/data/offer"
DB=$(new_db hooks)
for t in customers products subscriptions orders usage events offers; do
    "$XS" import --db "$DB" "$t" "$D/$t.csv" >/dev/null 2>&1 || fail "import $t"
done

expect_err 2 'xsell webhook: --url: expected an http:// or https:// URL, got "ftp://x"' \
    "$XS" webhook add --db "$DB" --url ftp://x --events build.done
expect_err 2 'xsell webhook: --events: unknown event "build": expected offer.issued, offer.outcome or build.done' \
    "$XS" webhook add --db "$DB" --url http://x/ --events offer.issued,build
expect_err 2 "xsell webhook: add needs --url URL and --events LIST
try 'xsell webhook --help'" \
    "$XS" webhook add --db "$DB" --url http://x/
expect_err 2 'xsell webhook: --secret: expected 16 to 256 characters, got 3' \
    "$XS" webhook add --db "$DB" --url http://x/ --events build.done --secret abc
expect_err 2 "xsell webhook: unknown action \"send\" (expected add, list, remove, log or deliver)
try 'xsell webhook --help'" \
    "$XS" webhook send --db "$DB"
expect_err 2 "xsell webhook: --id, --status and --limit go with log
try 'xsell webhook --help'" \
    "$XS" webhook list --db "$DB" --id 1
expect_err 2 'xsell webhook: --status: expected pending, delivered, failed or cancelled, got "sent"' \
    "$XS" webhook log --db "$DB" --status sent
expect_err 2 'xsell webhook: no such webhook: 7' "$XS" webhook remove --db "$DB" 7
expect_err 2 "xsell webhook: WEBHOOK_ID: not an integer: \"x\"
try 'xsell webhook --help'" "$XS" webhook remove --db "$DB" x

# add prints the id and the secret once; list never shows it
printf 'webhook_id: 1\nsecret: 0123456789abcdef-test\n' >"$T/want"
expect_out 0 "$T/want" -- "$XS" webhook add --db "$DB" --url http://127.0.0.1:1/h \
    --events build.done,offer.outcome --secret 0123456789abcdef-test
"$XS" webhook list --db "$DB" --format csv >"$T/list" || fail "list"
expect_eq "$(sed -E '1d; s/,[0-9T:-]+Z,/,TIME,/' "$T/list")" \
    '1,http://127.0.0.1:1/h,"offer.outcome,build.done",TIME,,0,0,0' "list"
expect_eq "$(grep -c 0123456789abcdef-test "$T/list")" "0" "no secret in the list"

# a build queues build.done; port 1 refuses: one attempt, retried in 10 s
"$XS" build --db "$DB" >/dev/null 2>&1 || fail "build"
expect_err 0 'xsell webhook: delivered 0, to retry 1, failed 0' "$XS" webhook deliver --db "$DB"
"$XS" webhook log --db "$DB" --format csv >"$T/log" || fail "log"
expect_eq "$(cut -d, -f1-3,5,6,8 "$T/log" | sed 1d)" "1,1,build.done,pending,1," "log after one attempt"
expect_eq "$(cut -d, -f9- "$T/log" | sed 1d | cut -c1-33)" "Failed to connect to 127.0.0.1 po" "last error"
expect_err 0 'xsell webhook: delivered 0, to retry 0, failed 0' "$XS" webhook deliver --db "$DB"

# removal cancels the pending delivery and keeps the log
expect_err 0 'xsell webhook: removed 1' "$XS" webhook remove --db "$DB" 1
"$XS" webhook log --db "$DB" --status cancelled --format csv >"$T/log" || fail "log"
expect_eq "$(cut -d, -f1-3,5,6 "$T/log" | sed 1d)" "1,1,build.done,cancelled,1" "log after removal"
expect_err 2 'xsell webhook: no such webhook: 1' "$XS" webhook remove --db "$DB" 1
