# Commands that only read open the store read-only (xs_store_open_readonly):
# they work on a store file and directory they cannot write, and write
# nothing; the commands that write fail there with the database's message.
sqlite_only || skip "read-only store files and directories are SQLite's (no PostgreSQL counterpart)"
D="$SRC/tests/data/offer"
mkdir "$T/ro" || fail "mkdir"
DB="$T/ro/offer.db"
for t in customers products subscriptions orders usage events offers; do
    "$XS" import --db "$DB" "$t" "$D/$t.csv" >/dev/null 2>&1 || fail "import $t"
done
"$XS" build --db "$DB" >/dev/null 2>&1 || fail "build"
# what the commands print on the writable store
"$XS" recommend --db "$DB" --customer U1 --format csv >"$T/want_rec" 2>/dev/null || fail "recommend"
"$XS" targets --db "$DB" --format csv >"$T/want_tgt" 2>/dev/null || fail "targets"
"$XS" kpi --db "$DB" --format csv >"$T/want_kpi" 2>/dev/null || fail "kpi"
"$XS" export --db "$DB" customers >"$T/want_exp" 2>/dev/null || fail "export"
"$XS" rules --db "$DB" --format csv >"$T/want_rules" 2>/dev/null || fail "rules"
"$XS" catalog check --db "$DB" >"$T/want_cat" 2>/dev/null
[ -s "$T/want_rec" ] && [ -s "$T/want_kpi" ] || fail "empty outputs"
# a writer's close removes the -wal and -shm a reader leaves: a read-only
# directory then has no -shm index to share, so the store opens immutable
"$XS" import --db "$DB" customers "$D/customers.csv" >/dev/null 2>&1 || fail "re-import"
# (beside it the model file 'xsell build' wrote)
[ "$(ls -A "$T/ro")" = "$(printf 'offer.db\noffer.db.xsm')" ] ||
    fail "not a cleanly closed store: $(ls -A "$T/ro")"
sum_before=$(cksum <"$DB")
files_before=$(ls -A "$T/ro")
chmod 555 "$T/ro" && chmod 444 "$DB" || fail "chmod"

# Root may write anything, so the store is not read-only to it: run the
# commands as nobody instead when possible (a write probe decides).
RUN=
if touch "$T/ro/.probe" 2>/dev/null; then
    rm -f "$T/ro/.probe"
    chmod 755 "$T" || fail "chmod $T"
    # nobody must also reach the binary (a checkout under /root is not)
    if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 &&
        setpriv --reuid=65534 --regid=65534 --clear-groups "$XS" --version >/dev/null 2>&1; then
        RUN="setpriv --reuid=65534 --regid=65534 --clear-groups"
        $RUN touch "$T/ro/.probe" 2>/dev/null && fail "nobody can write the read-only directory"
    else
        RUN=skip # reported as skipped at the end, after the checks that can run
    fi
fi
if [ "$RUN" != skip ]; then
    expect_out 0 "$T/want_rec" -- $RUN "$XS" recommend --db "$DB" --customer U1 --format csv
    expect_out 0 "$T/want_tgt" -- $RUN "$XS" targets --db "$DB" --format csv
    expect_out 0 "$T/want_kpi" -- $RUN "$XS" kpi --db "$DB" --format csv
    expect_out 0 "$T/want_exp" -- $RUN "$XS" export --db "$DB" customers
    expect_out 0 "$T/want_rules" -- $RUN "$XS" rules --db "$DB" --format csv
    $RUN "$XS" catalog check --db "$DB" >"$T/.out" 2>/dev/null
    diff -u "$T/want_cat" "$T/.out" >&2 || fail "catalog check on a read-only store differs"
    # writing needs a writable store
    expect_err 1 "xsell import: $DB: opening the store: attempt to write a readonly database" $RUN "$XS" import --db "$DB" customers "$D/customers.csv"
    expect_err 1 "xsell recommend: $DB: opening the store: attempt to write a readonly database" $RUN "$XS" recommend --db "$DB" --customer U1 --log
    [ "$(ls -A "$T/ro")" = "$files_before" ] || fail "files appeared next to the store"
fi
# whoever ran them, the read-only commands changed nothing
"$XS" kpi --db "$DB" --format csv >/dev/null 2>&1 || fail "kpi"
"$XS" export --db "$DB" orders >/dev/null 2>&1 || fail "export"
[ "$(cksum <"$DB")" = "$sum_before" ] || fail "a read-only command changed the store file"

# a file that is not a store yet is not made one by a read-only command
: >"$T/empty.db"
expect_err 1 "xsell kpi: $T/empty.db: empty store (no schema yet): import data into it first" \
    "$XS" kpi --db "$T/empty.db"
[ -s "$T/empty.db" ] && fail "kpi wrote to an empty file"
expect_err 2 "xsell export: $T/none.db: no such store" "$XS" export --db "$T/none.db" customers
[ -e "$T/none.db" ] && fail "export created a store"
chmod -R u+w "$T"
[ "$RUN" = skip ] &&
    skip "running as root, read-only files are writable, and no unprivileged user can run $XS"
