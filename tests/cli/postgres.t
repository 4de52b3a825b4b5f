# The CLI on a PostgreSQL store (docs/postgres.md) says what it says on an
# SQLite store: the same files imported into both, then the same commands,
# byte for byte on stdout; a bad file is refused the same way. The server is
# a throwaway one (tests/pg/pg-test-server), skipped when PostgreSQL is not
# installed.
PGDIR=$(mktemp -d /tmp/xsell-pg-cli.XXXXXX) || fail "mktemp"
trap '"$SRC/tests/pg/pg-test-server" stop "$PGDIR" >/dev/null 2>&1; rm -rf "$T"' EXIT
URL=$("$SRC/tests/pg/pg-test-server" start "$PGDIR")
rc=$?
[ "$rc" = 77 ] && skip "no PostgreSQL server binaries installed"
[ "$rc" = 0 ] || fail "cannot start a PostgreSQL server"
D="$SRC/tests/data/offer"
DB="$T/s.db"
for t in customers products subscriptions orders usage events offers; do
    expect_rc 0 "$XS" import --db "$DB" "$t" "$D/$t.csv"
    expect_rc 0 "$XS" import --db "$URL" "$t" "$D/$t.csv"
done
# the same answers
same() {
    "$XS" "$@" --db "$DB" >"$T/want" 2>/dev/null
    want_rc=$?
    expect_out "$want_rc" "$T/want" -- "$XS" "$@" --db "$URL"
}
same export customers
same export orders
same export usage --format jsonl
same kpi --format csv
same customers --format csv
same rules --format csv
same together --format csv
same adoption --format csv
same recommend --customer U1 --format csv
expect_rc 0 "$XS" build --db "$DB" --out "$T/s.xsm"
expect_rc 0 "$XS" build --db "$URL" --out "$T/p.xsm"
same recommend --customer U1 --format csv
same targets --format csv
# a re-import changes nothing on either
expect_err 0 "imported $D/customers.csv: 19 rows (0 new, 0 updated, 19 unchanged) in #.# s" "$XS" import --db "$URL" customers "$D/customers.csv"
# a bad file: the same message, nothing written
printf 'customer_id,date,type,value,ref\nU1,2026-13-01,login,,\n' >"$T/bad.csv"
"$XS" import --db "$DB" events "$T/bad.csv" >/dev/null 2>"$T/want_err"
expect_rc 2 "$XS" import --db "$URL" events "$T/bad.csv"
cp "$T/.err" "$T/got_err"
expect_out 0 "$T/want_err" -- cat "$T/got_err"
same export events
# a URL's password never shows
expect_err 1 "xsell kpi: postgresql://u:***@/nosuch?host=$PGDIR&port=5432: cannot open the store: connection to server on socket \"$PGDIR/.s.PGSQL.5432\" failed: FATAL:  role \"u\" does not exist" "$XS" kpi --db "postgresql://u:secret@/nosuch?host=$PGDIR&port=5432"

# The demo company (issue 14): `xsell demo` into a file and into a database
# of its own, same seed: the same summary, and after `xsell build` the same
# `recommend --all` and `targets`, byte for byte, from the store and from
# the model file each build wrote.
psql -X -q -v ON_ERROR_STOP=1 -d "$URL" -c "CREATE DATABASE demo" >/dev/null || fail "createdb demo"
DEMO_PG=$(echo "$URL" | sed 's#@/postgres?#@/demo?#')
DEMO_DB="$T/demo.db"
"$XS" demo --db "$DEMO_DB" --customers 400 --seed 5 --format csv >"$T/demo_sqlite.csv" 2>/dev/null ||
    fail "demo on SQLite"
expect_out 0 "$T/demo_sqlite.csv" -- "$XS" demo --db "$DEMO_PG" --customers 400 --seed 5 --format csv
expect_rc 0 "$XS" build --db "$DEMO_DB" --out "$T/demo_sqlite.xsm"
expect_rc 0 "$XS" build --db "$DEMO_PG" --out "$T/demo_pg.xsm"
for args in "recommend --all --format csv" "recommend --all --show-suppressed --format csv" \
    "targets --format csv"; do
    # shellcheck disable=SC2086 # args are words
    "$XS" $args --db "$DEMO_DB" >"$T/want" 2>/dev/null || fail "$args on SQLite"
    [ "$(wc -l <"$T/want")" -gt 100 ] || fail "$args: only $(wc -l <"$T/want") lines"
    # shellcheck disable=SC2086
    expect_out 0 "$T/want" -- "$XS" $args --db "$DEMO_PG"
    # shellcheck disable=SC2086
    expect_out 0 "$T/want" -- "$XS" $args --model "$T/demo_pg.xsm"
done
# as of another day than the build's: decided on the store's snapshot
"$XS" recommend --db "$DEMO_DB" --all --as-of 2026-05-01 --format csv >"$T/want" 2>/dev/null ||
    fail "recommend --as-of on SQLite"
expect_out 0 "$T/want" -- "$XS" recommend --db "$DEMO_PG" --all --as-of 2026-05-01 --format csv
