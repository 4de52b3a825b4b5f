# xsell apikey: create prints the key once; list shows ids, scopes, dates
# and notes but never secrets; revoke; every usage error.
DB=$(new_db k)

K1=$("$XS" apikey create --db "$DB" --scope read --note "the dashboard") || fail "create read"
K2=$("$XS" apikey create --db "$DB" --scope admin) || fail "create admin"
echo "$K1" | grep -Eq '^xs_[0-9a-f]{16}_[0-9a-f]{64}$' || fail "key format: $K1"
echo "$K2" | grep -Eq '^xs_[0-9a-f]{16}_[0-9a-f]{64}$' || fail "key format: $K2"
[ "$K1" != "$K2" ] || fail "two keys are equal"
ID1=$(echo "$K1" | cut -c4-19)
ID2=$(echo "$K2" | cut -c4-19)
S1=$(echo "$K1" | cut -c21-)

# list: created_at is now, so it is replaced by a placeholder
"$XS" apikey list --db "$DB" --format csv >"$T/list" || fail "list"
sed 's/,[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9:]\{8\}Z,/,WHEN,/' "$T/list" | sort >"$T/got"
printf '%s\n' "$ID1,read,WHEN,,the dashboard" "$ID2,admin,WHEN,," "key_id,scope,created_at,revoked_at,note" | sort >"$T/want"
diff -u "$T/want" "$T/got" >&2 || fail "apikey list"
n_pass=$((n_pass + 1))
grep -q "$S1" "$T/list" && fail "list shows a secret"

# revoke: once, then it is an error; list shows when
expect_err 0 "xsell apikey: revoked $ID1" "$XS" apikey revoke --db "$DB" "$ID1"
expect_err 2 "xsell apikey: key already revoked: \"$ID1\"" "$XS" apikey revoke --db "$DB" "$ID1"
expect_err 2 'xsell apikey: no such key: "nope"' "$XS" apikey revoke --db "$DB" nope
"$XS" apikey list --db "$DB" --format json >"$T/json" || fail "list json"
grep -Eq "\"key_id\": \"$ID1\", \"scope\": \"read\", \"created_at\": \"[^\"]+\", \"revoked_at\": \"[0-9T:Z-]+\"" "$T/json" ||
    fail "json list: $(cat "$T/json")"

# the secret is nowhere in the store (its file; or every table's dump)
if sqlite_only; then
    if grep -q "$S1" "$DB" "$DB-wal" 2>/dev/null; then fail "secret stored"; fi
else
    pg_dump -d "$DB" >"$T/dump.sql" 2>"$T/dump.err" || fail "pg_dump: $(cat "$T/dump.err")"
    if grep -q "$S1" "$T/dump.sql"; then fail "secret stored"; fi
fi
n_pass=$((n_pass + 1))

# usage
expect_err 2 "xsell apikey: expected an action: create, list or revoke
try 'xsell apikey --help'" "$XS" apikey
expect_err 2 "xsell apikey: unknown action \"frob\" (expected create, list or revoke)
try 'xsell apikey --help'" "$XS" apikey frob --db x
expect_err 2 "xsell apikey: --db FILE is required
try 'xsell apikey --help'" "$XS" apikey list
expect_err 2 "xsell apikey: create needs --scope read|write|admin
try 'xsell apikey --help'" "$XS" apikey create --db "$DB"
expect_err 2 "xsell apikey: --scope: expected read, write or admin, got \"root\"
try 'xsell apikey --help'" "$XS" apikey create --db "$DB" --scope root
expect_err 2 "xsell apikey: revoke needs one KEY_ID
try 'xsell apikey --help'" "$XS" apikey revoke --db "$DB"
expect_err 2 "xsell apikey: --scope and --note go with create
try 'xsell apikey --help'" "$XS" apikey list --db "$DB" --note x
expect_err 2 "xsell apikey: $T/none.db: no such store" "$XS" apikey list --db "$T/none.db"
expect_err 2 "xsell apikey: unexpected argument \"x\"
try 'xsell apikey --help'" "$XS" apikey list --db "$DB" x
"$XS" apikey --help | grep -q "^usage: xsell apikey create" || fail "apikey --help"
n_pass=$((n_pass + 1))
