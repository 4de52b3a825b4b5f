# xsell import / export: exit codes, exact error output, the --max-errors cap,
# --skip-bad-rows with a reject file, --map, idempotent re-import, export.
DB_FRESH=$(new_db fresh)
cp "$SRC"/tests/data/import/*.csv "$T"/
cd "$T" || fail "cd $T"
DB=$(new_db store)

expect_rc 0 "$XS" import --help
grep -q "^usage: xsell import --db FILE TABLE INPUT" "$T/.out" || fail "import --help prints usage"
expect_rc 0 "$XS" export --help
grep -q "^usage: xsell export --db FILE TABLE" "$T/.out" || fail "export --help prints usage"

# usage errors: exit 2
expect_err 2 "xsell import: --db FILE is required
try 'xsell import --help'" "$XS" import customers customers.csv
expect_err 2 "xsell import: unknown table \"client\" (expected customers, products, subscriptions, orders, usage, events, offers, returns, anonymous_orders or transactions)
try 'xsell import --help'" "$XS" import --db $DB client customers.csv
expect_err 2 "xsell import: --format: expected csv or jsonl, got \"xml\"
try 'xsell import --help'" "$XS" import --db $DB --format xml customers customers.csv
expect_err 2 "xsell import: --reject-file needs --skip-bad-rows
try 'xsell import --help'" "$XS" import --db $DB --reject-file r.csv customers customers.csv
expect_err 2 "xsell import: expected TABLE and INPUT, got 1 argument
try 'xsell import --help'" "$XS" import --db $DB customers
expect_err 2 "xsell import: --max-errors: not an integer: \"many\"
try 'xsell import --help'" "$XS" import --db $DB --max-errors many customers customers.csv
expect_err 2 'xsell import: --currency: expected CODE or CODE:DIGITS (e.g. USD:2, JPY:0; digits 0 to 6), got "dollars"' "$XS" import --db $DB --currency dollars customers customers.csv
expect_err 2 'xsell export: nothere.db: no such store' "$XS" export --db nothere.db customers
# an unreadable input is a failure (1)
expect_err 1 'xsell import: missing.csv: cannot open: No such file or directory' "$XS" import --db $DB customers missing.csv

# good imports
for t in customers products subscriptions orders usage events offers; do
    expect_rc 0 "$XS" import --db $DB $t $t.csv
done
expect_err 0 'imported orders.csv: 6 rows (0 new, 0 updated, 6 unchanged) in #.# s' "$XS" import --db $DB orders orders.csv
expect_err 0 'imported customers.csv: 5 rows (0 new, 0 updated, 5 unchanged) in #.# s' "$XS" import --db $DB customers customers.csv

# ids with backslashes (COPY's escape) and one spelled as COPY's NULL: a
# re-import finds every key (on PostgreSQL the store's keys are read back
# by COPY ... TO STDOUT, its escapes undone), an order finds its customer
DB_ODD=$(new_db odd)
printf 'customer_id,name,signup_date\n"a\\b",x,2024-01-01\n\\N,z,2024-01-01\n"c\\\\d",w,2024-01-01\n' >odd.csv
printf 'order_id,customer_id,date,product_id,quantity,amount\n"o\\1","a\\b",2024-02-01,crm-seat,1,1.00\n\\N,\\N,2024-02-01,crm-seat,1,1.00\n"o\\\\t","c\\\\d",2024-02-01,crm-seat,1,1.00\n' >oddo.csv
expect_rc 0 "$XS" import --db $DB_ODD products products.csv
expect_err 0 'imported odd.csv: 3 rows (3 new, 0 updated, 0 unchanged) in #.# s' "$XS" import --db $DB_ODD customers odd.csv
expect_err 0 'imported odd.csv: 3 rows (0 new, 0 updated, 3 unchanged) in #.# s' "$XS" import --db $DB_ODD customers odd.csv
expect_err 0 'imported oddo.csv: 3 rows (3 new, 0 updated, 0 unchanged) in #.# s' "$XS" import --db $DB_ODD orders oddo.csv
expect_err 0 'imported oddo.csv: 3 rows (0 new, 0 updated, 3 unchanged) in #.# s' "$XS" import --db $DB_ODD orders oddo.csv
cat >odd.want <<'CSV'
order_id,customer_id,date,product_id,quantity,amount
\N,\N,2024-02-01,crm-seat,1,1.00
o\1,a\b,2024-02-01,crm-seat,1,1.00
o\\t,c\\d,2024-02-01,crm-seat,1,1.00
CSV
expect_out 0 odd.want -- "$XS" export --db $DB_ODD orders

# exact error output, all or nothing
cat > bad.csv <<'CSV'
order_id,customer_id,date,product_id,quantity,amount
O5,C999,2024-13-01,crm-seat,0,1.234
O1001,C0001,2024-05-02,crm-seat,5,150.00
O1001,C0001,2024-05-02,crm-seat,5,150.00
O7,C0001,2024-05-02,nope,x,abc
CSV
cat > want.err <<'TXT'
bad.csv:2: customer_id: unknown customer "C999"
bad.csv:2: date: not a date: "2024-13-01"
bad.csv:2: quantity: must be at least 1, got "0"
bad.csv:2: amount: more than 2 fraction digits: "1.234"
bad.csv:4: order_id: duplicate key "O1001", "crm-seat" (first on line 3)
bad.csv:5: product_id: unknown product "nope"
bad.csv:5: quantity: not an integer: "x"
bad.csv:5: amount: not an amount: "abc"
xsell import: bad.csv: 8 errors in 3 rows, nothing imported
TXT
"$XS" export --db $DB orders >before.csv 2>/dev/null
expect_rc 2 "$XS" import --db $DB orders bad.csv
diff -u want.err "$T/.err" >&2 || fail "import bad.csv: stderr differs"
"$XS" export --db $DB orders >after.csv 2>/dev/null
cmp -s before.csv after.csv || fail "a rejected import changed the store"

# --max-errors caps the messages
cat > want.err <<'TXT'
bad.csv:2: customer_id: unknown customer "C999"
bad.csv:2: date: not a date: "2024-13-01"
bad.csv:2: quantity: must be at least 1, got "0"
... and 5 more errors
xsell import: bad.csv: 8 errors in 3 rows, nothing imported
TXT
expect_rc 2 "$XS" import --db $DB --max-errors 3 orders bad.csv
diff -u want.err "$T/.err" >&2 || fail "--max-errors 3: stderr differs"
expect_rc 2 "$XS" import --db $DB --max-errors 0 orders bad.csv
printf '... and 8 more errors\nxsell import: bad.csv: 8 errors in 3 rows, nothing imported\n' >want.err
diff -u want.err "$T/.err" >&2 || fail "--max-errors 0: stderr differs"

# a missing required column
printf 'customer_id,name\nC9,x\n' >nocol.csv
expect_rc 2 "$XS" import --db $DB customers nocol.csv
printf 'nocol.csv:1: missing required column "signup_date"; the file has: customer_id, name\nxsell import: nocol.csv: 1 error in the header, nothing imported\n' >want.err
diff -u want.err "$T/.err" >&2 || fail "missing column: stderr differs"
# ... with the closest column the file has and the --map that takes it
printf 'customer_id,name,Signup Date\nC9,x,2024-01-01\n' >near.csv
expect_rc 2 "$XS" import --db $DB customers near.csv
printf 'near.csv:1: missing required column "signup_date" (closest: "Signup Date": use --map '"'"'Signup Date=signup_date'"'"'); the file has: customer_id, name, Signup Date\nxsell import: near.csv: 1 error in the header, nothing imported\n' >want.err
diff -u want.err "$T/.err" >&2 || fail "missing column, closest: stderr differs"
expect_rc 0 "$XS" import --db $DB --map 'Signup Date=signup_date' customers near.csv

# --skip-bad-rows: the good rows go in, the bad ones to the reject file
expect_err 0 'bad.csv:2: customer_id: unknown customer "C999"
bad.csv:2: date: not a date: "2024-13-01"
bad.csv:2: quantity: must be at least 1, got "0"
bad.csv:2: amount: more than 2 fraction digits: "1.234"
bad.csv:4: order_id: duplicate key "O1001", "crm-seat" (first on line 3)
bad.csv:5: product_id: unknown product "nope"
bad.csv:5: quantity: not an integer: "x"
bad.csv:5: amount: not an amount: "abc"
imported bad.csv: 1 rows (0 new, 1 updated, 0 unchanged), 3 rejected in #.# s' \
    "$XS" import --db $DB --skip-bad-rows --reject-file rejects.csv orders bad.csv
cat > want.csv <<'CSV'
order_id,customer_id,date,product_id,quantity,amount,reject_reason
O5,C999,2024-13-01,crm-seat,0,1.234,"customer_id: unknown customer ""C999""; date: not a date: ""2024-13-01""; quantity: must be at least 1, got ""0""; amount: more than 2 fraction digits: ""1.234"""
O1001,C0001,2024-05-02,crm-seat,5,150.00,"order_id: duplicate key ""O1001"", ""crm-seat"" (first on line 3)"
O7,C0001,2024-05-02,nope,x,abc,"product_id: unknown product ""nope""; quantity: not an integer: ""x""; amount: not an amount: ""abc"""
CSV
diff -u want.csv rejects.csv >&2 || fail "reject file differs"

# an order is a basket: its lines share customer_id and date, in the file and
# with the stored order
cat > basket.csv <<'CSV'
order_id,customer_id,date,product_id,quantity,amount
O8,C0001,2024-07-01,crm-basic,1,30
O8,C0002,2024-07-01,crm-seat,1,15.50
O8,C0001,2024-07-02,crm-pro,1,80
O1002,C0003,2024-05-04,crm-seat,1,15.50
CSV
cat > want.err <<'TXT'
basket.csv:3: customer_id: order "O8" belongs to customer "C0001" (line 2), not "C0002"
basket.csv:4: date: order "O8" is dated "2024-07-01" (line 2), not "2024-07-02"
basket.csv:5: customer_id: order "O1002" belongs to customer "C0002" (in the store), not "C0003"
basket.csv:5: date: order "O1002" is dated "2024-05-03" (in the store), not "2024-05-04"
xsell import: basket.csv: 4 errors in 3 rows, nothing imported
TXT
expect_rc 2 "$XS" import --db $DB orders basket.csv
diff -u want.err "$T/.err" >&2 || fail "import basket.csv: stderr differs"

# --map and attrs, JSON Lines by extension, export back
printf '{"customerID":"C0100","signup":"2024-06-01","tier_hint":"gold"}\n' >more.jsonl
expect_err 0 'imported more.jsonl: 1 rows (1 new, 0 updated, 0 unchanged) in #.# s' \
    "$XS" import --db $DB --map customerID=customer_id --map signup=signup_date customers more.jsonl
expect_rc 0 "$XS" export --db $DB --format jsonl customers
grep -qxF '{"customer_id":"C0100","signup_date":"2024-06-01","consent_email":0,"consent_in_app":0,"consent_csm":0,"consent_webinar":0,"consent_sns":0,"tier_hint":"gold"}' "$T/.out" \
    || fail "export shows the mapped row with its attrs"

# export: exact output, and the file round-trips through a fresh store
cat > want.csv <<'CSV'
product_id,name,family,tier,kind,price,billing,limits,category
crm-basic,CRM Basic,crm,1,plan,30.00,month,seats=10;storage_gb=5,crm
crm-pro,CRM Pro,crm,2,plan,80.00,month,seats=50;storage_gb=50,crm
crm-seat,CRM Seat,crm,,addon,15.50,month,,crm
payroll,Payroll,payroll,,product,1200.00,year,,hr
CSV
expect_out 0 want.csv -- "$XS" export --db $DB products
expect_err 0 'exported orders: 6 rows to out.csv' "$XS" export --db $DB orders --out out.csv
for t in customers products orders; do
    "$XS" export --db $DB $t --out rt_$t.csv 2>/dev/null || fail "export $t"
    expect_rc 0 "$XS" import --db "$DB_FRESH" $t rt_$t.csv
    "$XS" export --db "$DB_FRESH" $t >rt2_$t.csv 2>/dev/null || fail "export fresh $t"
    cmp -s rt_$t.csv rt2_$t.csv || fail "round trip of $t differs"
done

# currency: fixed by the first import
expect_err 2 'xsell import: --currency: the store uses USD:2, got "JPY:0"' \
    "$XS" import --db $DB --currency JPY products products.csv

# a NUL byte in a text value (raw in CSV, \u0000 in JSON) is a located error
# and the import writes nothing
"$XS" export --db $DB customers >before.csv 2>/dev/null
printf 'customer_id,name,signup_date\nC90,a\000b,2024-01-01\nC91,ok,2024-01-01\n' >nul.csv
expect_rc 2 "$XS" import --db $DB customers nul.csv
printf 'nul.csv:2: name: contains a NUL byte\nxsell import: nul.csv: 1 error in 1 row, nothing imported\n' >want.err
diff -u want.err "$T/.err" >&2 || fail "NUL in CSV: stderr differs"
printf '{"customer_id":"C92","name":"a\\u0000b","signup_date":"2024-01-01"}\n' >nul.jsonl
expect_rc 2 "$XS" import --db $DB customers nul.jsonl
printf 'nul.jsonl:1: name: contains a NUL byte\nxsell import: nul.jsonl: 1 error in 1 row, nothing imported\n' >want.err
diff -u want.err "$T/.err" >&2 || fail "NUL in JSONL: stderr differs"
"$XS" export --db $DB customers >after.csv 2>/dev/null
cmp -s before.csv after.csv || fail "an import with a NUL byte changed the store"

# --max-field-bytes: a longer value is a located error (default 1 MiB)
printf 'customer_id,name,signup_date\nC93,abcdefghijk,2024-01-01\nC94,abcdefghij,2024-01-01\n' >long.csv
expect_rc 2 "$XS" import --db $DB --max-field-bytes 10 customers long.csv
printf 'long.csv:2: name: field longer than 10 bytes\nxsell import: long.csv: 1 error in 1 row, nothing imported\n' >want.err
diff -u want.err "$T/.err" >&2 || fail "--max-field-bytes 10: stderr differs"
expect_err 2 "xsell import: --max-field-bytes: 0 is out of range [1, 2147483647]
try 'xsell import --help'" \
    "$XS" import --db $DB --max-field-bytes 0 customers long.csv
expect_err 2 "xsell import: --max-field-bytes does not apply to transactions (values longer than 1048576 bytes are rejected)
try 'xsell import --help'" \
    "$XS" import --db $DB --max-field-bytes 10 transactions long.csv
{ printf 'customer_id,name,signup_date\nC95,'; head -c 1048577 /dev/zero | tr '\0' x
  printf ',2024-01-01\n'; } >huge.csv
expect_rc 2 "$XS" import --db $DB customers huge.csv
printf 'huge.csv:2: name: field longer than 1048576 bytes\nxsell import: huge.csv: 1 error in 1 row, nothing imported\n' >want.err
diff -u want.err "$T/.err" >&2 || fail "default field limit: stderr differs"
expect_err 0 'imported huge.csv: 1 rows (1 new, 0 updated, 0 unchanged) in #.# s' "$XS" import --db $DB --max-field-bytes 2000000 customers huge.csv
"$XS" export --db $DB customers | grep -q '^C95,x' || fail "--max-field-bytes 2000000 imports the long name"
