# xsell store init|info on SQLite (docs/scale-out.md): usage errors with
# their exact messages, --citus refused on a file without creating it, the
# Citus SQL printed by --print, and info's row counts against the files
# imported. The PostgreSQL / Citus half is citus.t.
DB=$(new_db s)
expect_rc 0 "$XS" store --help
grep -q "^usage: xsell store init --db FILE|URL" "$T/.out" || fail "store --help prints the usage"
expect_err 2 "xsell store: expected an action: init or info
try 'xsell store --help'" "$XS" store
expect_err 2 "xsell store: unknown action \"frob\" (expected init or info)
try 'xsell store --help'" "$XS" store frob
expect_err 2 "xsell store: --db FILE|URL is required
try 'xsell store --help'" "$XS" store init
expect_err 2 "xsell store: --db FILE|URL is required
try 'xsell store --help'" "$XS" store info
expect_err 2 "xsell store: --db needs a value
try 'xsell store --help'" "$XS" store init --db
expect_err 2 "xsell store: unknown option \"--shards\"
try 'xsell store --help'" "$XS" store init --db "$DB" --shards 4
expect_err 2 "xsell store: unexpected argument \"extra\"
try 'xsell store --help'" "$XS" store info --db "$DB" extra
expect_err 2 "xsell store: --print goes with --citus
try 'xsell store --help'" "$XS" store init --db "$DB" --print
expect_err 2 "xsell store: --citus and --print go with init
try 'xsell store --help'" "$XS" store info --db "$DB" --citus
expect_err 2 "xsell store: --format: expected table, json or csv, got \"xml\"
try 'xsell store --help'" "$XS" store info --db "$DB" --format xml
expect_err 2 "xsell store: --format goes with info
try 'xsell store --help'" "$XS" store init --db "$DB" --format json
if sqlite_only; then
    expect_err 2 "xsell store: --citus needs a PostgreSQL store
try 'xsell store --help'" "$XS" store init --db "$DB" --citus
    [ -e "$DB" ] && fail "a refused --citus created the store"
fi
expect_err 2 "xsell store: $T/none.db: no such store" "$XS" store info --db "$T/none.db"
# --print: the one transaction, every table of the store placed once
expect_rc 0 "$XS" store init --citus --print
head -1 "$T/.out" >"$T/first"
tail -1 "$T/.out" >"$T/last"
expect_eq "$(cat "$T/first")" "BEGIN;" "first line of the Citus SQL"
expect_eq "$(cat "$T/last")" "COMMIT;" "last line of the Citus SQL"
grep -o "create_[a-z]*_table('[a-z_]*'" "$T/.out" | sed "s/.*('//; s/'//" | sort >"$T/placed"
# every table info lists (all the store's tables) is placed exactly once
expect_rc 0 "$XS" store init --db "$DB"
expect_err 0 'xsell store: the store is ready' "$XS" store init --db "$DB"
expect_rc 0 "$XS" store info --db "$DB" --format csv
tail -n +2 "$T/.out" | cut -d, -f1 | sort >"$T/tables"
expect_out 0 "$T/tables" -- cat "$T/placed"
# a fresh store: the header lines, every table empty but schema_migrations
expect_rc 0 "$XS" store info --db "$DB"
expect_eq "$(sed -n 1p "$T/.out")" "backend         $(sqlite_only && echo sqlite || echo postgresql)" "backend"
expect_eq "$(sed -n 4p "$T/.out")" "data_version    0" "data_version of a fresh store"
expect_eq "$(sed -n 6p "$T/.out")" "citus           no" "not a Citus store"
# row counts are the rows imported
"$XS" gen --out "$T/co" --customers 40 >/dev/null 2>&1 || fail "gen"
for t in customers products subscriptions orders usage events offers; do
    expect_rc 0 "$XS" import --db "$DB" "$t" "$T/co/$t.csv"
done
expect_rc 0 "$XS" store info --db "$DB" --format json
cp "$T/.out" "$T/info.json"
for t in customers products subscriptions orders usage events offers; do
    want=$(($(wc -l <"$T/co/$t.csv") - 1))
    got=$(grep -o "\"table\": \"$t\", \"rows\": [0-9]*" "$T/info.json" | sed 's/.*: //')
    expect_eq "$got" "$want" "rows of $t"
done
backend=$(sqlite_only && echo sqlite || echo postgresql)
grep -q '"backend": "'$backend'", "schema_version": [1-9][0-9]*, "store_id": "", "data_version": 7, "model_path": null, "citus": false' \
    "$T/info.json" || fail "info json header: $(cat "$T/info.json")"
