# xsell import --spec: a wide export (one row per account) through a mapping
# spec: exact tables, every spec and data error with its exact message, all
# or nothing, idempotent re-import; then the real Telco file when present.
cp "$SRC"/tests/data/spec/spec.json "$SRC"/tests/data/spec/wide.csv "$T"/
cd "$T" || fail "cd $T"
DB=$(new_db store)

expect_rc 0 "$XS" import --help
grep -q "^  --spec SPEC " "$T/.out" || fail "import --help lists --spec"
expect_err 2 "xsell import: with --spec, expected INPUT, got 2 arguments
try 'xsell import --help'" "$XS" import --db $DB --spec spec.json customers wide.csv
expect_err 2 "xsell import: --spec imports CSV all or nothing: --format jsonl, --map, --skip-bad-rows, --reject-file, --max-field-bytes and the transactions options do not apply
try 'xsell import --help'" "$XS" import --db $DB --spec spec.json --skip-bad-rows wide.csv
expect_err 1 'xsell import: nothere.json: cannot open: No such file or directory' "$XS" import --db $DB --spec nothere.json wide.csv

# --- the import, table by table
expect_rc 0 "$XS" import --db $DB --spec spec.json wide.csv
cat > want.err <<'TXT'
imported wide.csv through spec.json: 4 rows in 0.0 s
  products            4 (4 new, 0 updated, 0 unchanged)
  customers           4 (4 new, 0 updated, 0 unchanged)
  subscriptions       7 (7 new, 0 updated, 0 unchanged)
  subscriptions: 6 active, 1 ended (churned accounts)
    basic                          1 active       0 ended
    pro                            2 active       0 ended
    backup                         2 active       1 ended
    support                        1 active       0 ended
TXT
sed 's/in [0-9.]* s$/in 0.0 s/' "$T/.err" >got.err
diff -u want.err got.err >&2 || fail "import --spec: summary differs"

cat > want.csv <<'CSV'
product_id,name,family,tier,kind,price,billing,limits,category
backup,Backup,suite,,addon,5.50,month,,storage
basic,Basic,suite,1,plan,10.00,month,seats=5,
pro,Pro,suite,2,plan,30.00,month,seats=20,
support,Support,suite,,addon,8.50,month,,
CSV
expect_out 0 want.csv -- "$XS" export --db $DB products
# region through a map, constants, signup_date = as_of - tenure months,
# "Internal" dropped, the other unmapped columns kept as attributes
cat > want.csv <<'CSV'
customer_id,name,segment,industry,size,region,signup_date,consent_email,consent_in_app,consent_csm,consent_webinar,consent_sns,owner,contact_name,contact_email,Contract,tenure,Churn,Score
A1,Acme,smb,,,emea,2021-12-30,1,0,0,0,0,,,ops@acme.example,Two year,30,No,7
A2,Beta,smb,,,amer,2024-06-30,1,0,0,0,0,,,,Month-to-month,0,No,3
A3,Gamma,smb,,,emea,2023-04-30,1,0,0,0,0,,,,One year,14,Yes,
A4,"Delta, Inc",smb,,,amer,2024-01-30,1,0,0,0,0,,,it@delta.example,One year,5,No,9
CSV
expect_out 0 want.csv -- "$XS" export --db $DB customers
# two-year term renewing on the next 24-month anniversary after as_of; a
# churned account's subscription ended at as_of; a unit_price override
cat > want.csv <<'CSV'
customer_id,product_id,quantity,unit_price,start_date,end_date,term,renewal_date
A1,backup,1,5.50,2021-12-30,,24,2025-12-30
A1,pro,1,30.00,2021-12-30,,24,2025-12-30
A2,basic,1,10.00,2024-06-30,,1,2024-07-30
A3,backup,1,5.50,2023-04-30,2024-06-30,12,
A4,backup,1,5.50,2024-01-30,,12,2025-01-30
A4,pro,1,30.00,2024-01-30,,12,2025-01-30
A4,support,1,7.00,2024-01-30,,12,2025-01-30
CSV
expect_out 0 want.csv -- "$XS" export --db $DB subscriptions

# a second import changes nothing
for t in products customers subscriptions; do "$XS" export --db $DB $t >before.$t.csv; done
expect_err 0 'imported wide.csv through spec.json: 4 rows in #.# s
  products            4 (0 new, 0 updated, 4 unchanged)
  customers           4 (0 new, 0 updated, 4 unchanged)
  subscriptions       7 (0 new, 0 updated, 7 unchanged)
  subscriptions: 6 active, 1 ended (churned accounts)
    basic                          1 active       0 ended
    pro                            2 active       0 ended
    backup                         2 active       1 ended
    support                        1 active       0 ended' "$XS" import --db $DB --spec spec.json wide.csv
grep -qF "  subscriptions       7 (0 new, 0 updated, 7 unchanged)" "$T/.err" || fail "re-import: subscriptions changed"
grep -qF "  products            4 (0 new, 0 updated, 4 unchanged)" "$T/.err" || fail "re-import: products changed"

# --- bad input: exact errors, nothing written
unchanged() {
    for t in products customers subscriptions; do
        "$XS" export --db $DB $t >after.$t.csv
        cmp -s before.$t.csv after.$t.csv || fail "$1: a rejected import changed $t"
    done
}
# expect_errs NAME INPUT SPEC: stderr must equal want.err, exit 2
expect_errs() {
    expect_rc 2 "$XS" import --db $DB --spec "$3" "$2"
    diff -u want.err "$T/.err" >&2 || fail "$1: stderr differs"
    unchanged "$1"
}

# data errors: every one, located FILE:LINE: COLUMN
cat > bad.csv <<'CSV'
acct,Name,Email,Region,Plan,Backup,Support,Contract,tenure,Churn,Internal,Score
A1,Acme,ops@acme.example,EU,Pro,Yes,No,Two year,30,No,x1,7
A2,Beta,,US,Basic,No,No,Month-to-month,x,No,x2,3
A3,Gamma,,APAC,None,Maybe,N/A,Three year,14,Yes,x3,
A1,Again,,EU,Gold,Yes,No,One year,-2,No,x4,9
,Nobody,,EU,None,No,No,One year,1,No,x5,
CSV
cat > want.err <<'TXT'
bad.csv:3: tenure: not a whole number of months: "x" (spec: derived.signup_date)
bad.csv:4: Region: value "APAC" is not in the map of customer.region (expected "EU" or "US")
bad.csv:4: Contract: value "Three year" is not in term.values (expected "Month-to-month", "One year" or "Two year")
bad.csv:4: Backup: unexpected value "Maybe" (spec: holdings[1] expects "Yes" or "No")
bad.csv:5: acct: duplicate customer "A1" (first on line 2)
bad.csv:5: tenure: not a whole number of months: "-2" (spec: derived.signup_date)
bad.csv:5: Plan: unexpected value "Gold" (spec: holdings[0] expects "Basic", "Pro" or "None")
bad.csv:6: acct: missing required value
xsell import: bad.csv: 8 errors in 4 rows, nothing imported
TXT
expect_errs "data errors" bad.csv spec.json

# --max-errors caps the messages
cat > want.err <<'TXT'
bad.csv:3: tenure: not a whole number of months: "x" (spec: derived.signup_date)
bad.csv:4: Region: value "APAC" is not in the map of customer.region (expected "EU" or "US")
... and 6 more errors
xsell import: bad.csv: 8 errors in 4 rows, nothing imported
TXT
expect_rc 2 "$XS" import --db $DB --spec spec.json --max-errors 2 bad.csv
diff -u want.err "$T/.err" >&2 || fail "--max-errors: stderr differs"

# a value the store's validation rejects, located at the column it came from
sed 's/ops@acme.example/nope/' wide.csv >email.csv
cat > want.err <<'TXT'
email.csv:2: Email: not an email address: "nope"
xsell import: email.csv: 1 error in 1 row, nothing imported
TXT
expect_errs "bad email" email.csv spec.json

# missing columns: the closest match and the columns the file has
sed '1s/tenure/tenure_months/; 1s/Contract/Contrat/' wide.csv >hdr.csv
cat > want.err <<'TXT'
hdr.csv:1: column "tenure" (spec: derived.signup_date.months_before_as_of) not found. The file has: acct, Name, Email, Region, Plan, Backup, Support, Contrat, tenure_months, Churn, Internal, Score
hdr.csv:1: column "Contract" (spec: term.column) not found; did you mean "Contrat"? The file has: acct, Name, Email, Region, Plan, Backup, Support, Contrat, tenure_months, Churn, Internal, Score
xsell import: hdr.csv: 2 errors in 1 row, nothing imported
TXT
expect_errs "missing columns" hdr.csv spec.json

# a kept column that would be a second value of a field the spec sets
sed '1s/Internal/segment/; 1s/"Internal"/"Score"/' wide.csv >conf.csv
sed 's/"drop": \["Internal"\]/"drop": ["Score"]/' spec.json >conf.json
cat > want.err <<'TXT'
conf.csv:1: column "segment" is the customers field that the spec sets by constants.segment; map it, or list it in "drop"
xsell import: conf.csv: 1 error in 1 row, nothing imported
TXT
expect_errs "field conflict" conf.csv conf.json

# spec errors: SPEC:LINE:COL for JSON, SPEC: json.path: what for content
spec_err() { # spec_err SED_EXPR "exact stderr"
    sed "$1" spec.json >v.json
    printf '%s\n' "$2" >want.err
    expect_errs "spec: $1" wide.csv v.json
}
spec_err '3s/,$//' "xsell import: v.json:4:6: '}' expected near '\"id\"'"
spec_err 's/"holdings"/"holding"/' 'xsell import: v.json: unknown key "holding"; did you mean "holdings"?'
spec_err 's/"as_of": "2024-06-30"/"as_of": "2024-13-01"/' 'xsell import: v.json: as_of: not a date: "2024-13-01"'
spec_err 's/"id": "acct",//' 'xsell import: v.json: id: missing'
spec_err 's/"region": {/"regoin": {/' 'xsell import: v.json: customer.regoin: not a customers field; did you mean "region"?'
spec_err 's/"consent_email": 1/"consent_email": "maybe"/' 'xsell import: v.json: constants.consent_email: expected 1/0, true/false, yes/no or y/n, got "maybe"'
spec_err 's/"segment": "smb"/"region": "emea"/' 'xsell import: v.json: constants.region: region is already set by customer.region'
spec_err 's/"price": 30,/"prise": 30,/' 'xsell import: v.json: products[1]: unknown key "prise"; did you mean "price"?'
spec_err 's/"product": "backup"/"product": "backups"/' 'xsell import: v.json: holdings[1].product: unknown product "backups" (not in "products" nor in the store)'
spec_err 's/"when": \["Yes"\]/"when": []/' 'xsell import: v.json: holdings[2].when: expected a string or an array of strings'
spec_err 's/"Two year": 24/"Two year": 0/' 'xsell import: v.json: term.values."Two year": expected a number of months 1 to 120, got 0'
spec_err 's/"term": {"column"/"_term": {"column"/' 'xsell import: v.json: term: missing: holdings need a term (a number of months, or {"column": ..., "values": {...}})'
spec_err 's/"months_before_as_of"/"months_before"/' 'xsell import: v.json: derived.signup_date: unknown key "months_before"; did you mean "months_before_as_of"?'
# product values are checked as a products import would, located in the spec
spec_err 's/"price": "10.00"/"price": "abc"/' 'v.json: products[0].price: not an amount: "abc"
xsell import: wide.csv: 1 error in 1 row, nothing imported'
spec_err 's/"kind": "plan",/"kind": "plans",/' 'v.json: products[0].kind: expected plan, addon or product, got "plans"
v.json: products[1].kind: expected plan, addon or product, got "plans"
xsell import: wide.csv: 2 errors in 2 rows, nothing imported'
spec_err 's/"unit_price": "7.00"/"unit_price": "7.001"/' 'v.json: holdings[2].unit_price: more than 2 fraction digits: "7.001"
xsell import: wide.csv: 1 error in 1 row, nothing imported'

