# xsell import ... transactions: a flat order log (one line per order line,
# as shops export it) becomes customers, products, orders, returns and
# anonymous baskets. The fixture tests/data/transactions/shop.csv holds each
# quirk of a real export: date-times, a product line repeated in one order,
# a cancellation (C prefix, negative quantity), lines without a customer,
# non-product codes (POST, M), a zero-price stock note, a price with more
# fraction digits than the currency, a quoted description with spaces.
# old.csv has the older column names and month-first dates.
DB2=$(new_db d2)
DB3=$(new_db d3)
DB_OLD=$(new_db old)
DB_BAD=$(new_db bad)
cp "$SRC"/tests/data/transactions/*.csv "$T"/
cd "$T" || fail "cd $T"
DB=$(new_db shop)
MAP="--map Invoice=order_id --map StockCode=product_id --map Description=product_name
     --map Quantity=quantity --map InvoiceDate=date --map Price=unit_price"

expect_rc 0 "$XS" import --help
grep -q "^  --return-prefix P " "$T/.out" || fail "import --help lists --return-prefix"

# --- the import and its summary
# shellcheck disable=SC2086
expect_rc 0 "$XS" import --db $DB transactions shop.csv $MAP --map "Customer ID=customer_id" \
    --return-prefix C
cat > want.err <<'TXT'
imported shop.csv: 13 lines read in 0.0 s
  orders:        4 orders with a customer, 6 lines (6 new, 0 updated, 0 unchanged)
  merged:        1 repeated product line added to an earlier line of the same order
  returns:       1 line in 1 return or cancellation
  anonymous:     2 lines in 1 order without a customer (kept for co-purchase mining only)
  not sales:     1 line priced 0 and 0 with a negative price (left out)
  excluded:      2 lines of 2 codes that are not products:
    M                   1 line   description "Manual"
    POST                1 line   description "POSTAGE"
  new customers: 2 (signup date = first purchase)
  new products:  4 (price = median unit price of their sales)
  rounded:       2 amounts had more fraction digits than the currency (rounded half to even)
TXT
sed 's/read in [0-9.]* s$/read in 0.0 s/' "$T/.err" >got.err
diff -u want.err got.err >&2 || fail "transactions: summary differs"

# customers: first purchase as signup date, no consent unless asked for
cat > want.csv <<'CSV'
customer_id,name,segment,industry,size,region,signup_date,consent_email,consent_in_app,consent_csm,consent_webinar,consent_sns,owner,contact_name,contact_email
12346,,,,,,2009-12-02,0,0,0,0,0,,,
13085,,,,,,2009-12-01,0,0,0,0,0,,,
CSV
expect_out 0 want.csv -- "$XS" export --db $DB customers
# products: the first description (trimmed), the lower median unit price of
# the sales (85048: 6.95 6.95 6.95 7.95; 79323P: 6.50 6.75), 1.255 -> 1.26
# (half to even); POST and M are not products
cat > want.csv <<'CSV'
product_id,name,family,tier,kind,price,billing,limits,category
21232,STRAWBERRY MUG,,,product,1.26,once,,
22041,"RECORD FRAME 7"" SINGLE SIZE",,,product,2.10,once,,
79323P,PINK CHERRY LIGHTS,,,product,6.50,once,,
85048,GLASS BALL 20 LIGHTS,,,product,6.95,once,,
CSV
expect_out 0 want.csv -- "$XS" export --db $DB products
# orders: 85048 twice in 489434 is one line (12 + 6, 83.40 + 41.70);
# 3 x 1.255 = 3.765 -> 3.76 (half to even); the time kept as ordered_at,
# Country as an attribute
cat > want.csv <<'CSV'
order_id,customer_id,date,product_id,quantity,amount,ordered_at,Country
489434,13085,2009-12-01,79323P,12,81.00,2009-12-01T07:45:00,United Kingdom
489434,13085,2009-12-01,85048,18,125.10,2009-12-01T07:45:00,United Kingdom
489435,13085,2009-12-01,22041,48,100.80,2009-12-01T09:06:00,United Kingdom
489436,12346,2009-12-02,21232,3,3.76,2009-12-02T10:00:00,France
489436,12346,2009-12-02,79323P,2,13.00,2009-12-02T10:00:00,France
489441,12346,2009-12-05,85048,2,13.90,2009-12-05T14:00:00,France
CSV
expect_out 0 want.csv -- "$XS" export --db $DB orders
cat > want.csv <<'CSV'
return_id,product_id,customer_id,date,quantity,amount,returned_at,Country
C489437,79323P,13085,2009-12-03,1,6.75,2009-12-03T11:00:00,United Kingdom
CSV
expect_out 0 want.csv -- "$XS" export --db $DB returns
cat > want.csv <<'CSV'
order_id,product_id,date,quantity,amount,ordered_at,Country
489438,22041,2009-12-03,1,2.55,2009-12-03T12:00:00,United Kingdom
489438,85048,2009-12-03,1,7.95,2009-12-03T12:00:00,United Kingdom
CSV
expect_out 0 want.csv -- "$XS" export --db $DB anonymous_orders

# the anonymous basket feeds "bought together": 22041 is in 489435 and
# 489438, 85048 in 489434, 489438 and 489441: cosine 1 / sqrt(2 x 3)
cat > want.csv <<'CSV'
rank,item,score,count
1,85048,0.408248,1
CSV
expect_out 0 want.csv -- "$XS" together --db $DB --item 22041 --format csv

# idempotent: a second import changes nothing
"$XS" export --db $DB orders >before.csv 2>/dev/null
# shellcheck disable=SC2086
expect_err 0 'imported shop.csv: 13 lines read in #.# s
  orders:        4 orders with a customer, 6 lines (0 new, 0 updated, 6 unchanged)
  merged:        1 repeated product line added to an earlier line of the same order
  returns:       1 line in 1 return or cancellation
  anonymous:     2 lines in 1 order without a customer (kept for co-purchase mining only)
  not sales:     1 line priced 0 and 0 with a negative price (left out)
  excluded:      2 lines of 2 codes that are not products:
    M                   1 line   description "Manual"
    POST                1 line   description "POSTAGE"
  new customers: 0 (signup date = first purchase)
  new products:  0 (price = median unit price of their sales)
  rounded:       1 amount had more fraction digits than the currency (rounded half to even)' \
    "$XS" import --db $DB transactions shop.csv $MAP --map "Customer ID=customer_id" --return-prefix C
"$XS" export --db $DB orders >after.csv 2>/dev/null
cmp -s before.csv after.csv || fail "re-import changed the orders"

# without --return-prefix only the negative quantity makes the return (same
# result here); --no-default-exclusions keeps POST and M as products;
# --exclude-products and --keep-products; --consent
# shellcheck disable=SC2086
expect_err 0 'imported shop.csv: 13 lines read in #.# s
  orders:        5 orders with a customer, 8 lines (8 new, 0 updated, 0 unchanged)
  merged:        1 repeated product line added to an earlier line of the same order
  returns:       1 line in 1 return or cancellation
  anonymous:     2 lines in 1 order without a customer (kept for co-purchase mining only)
  not sales:     1 line priced 0 and 0 with a negative price (left out)
  excluded:      0 lines of 0 codes that are not products
  new customers: 2 (signup date = first purchase)
  new products:  6 (price = median unit price of their sales)
  rounded:       2 amounts had more fraction digits than the currency (rounded half to even)' \
    "$XS" import --db "$DB2" transactions shop.csv $MAP --map "Customer ID=customer_id" --no-default-exclusions
expect_eq "$("$XS" export --db "$DB2" products | grep -c '^POST,POSTAGE,')" 1 "POST kept as a product"
# shellcheck disable=SC2086
expect_rc 0 "$XS" import --db "$DB3" transactions shop.csv $MAP --map "Customer ID=customer_id" \
    --exclude-products 21232 --keep-products POST --consent email,in_app
cat > want.err <<'TXT'
  excluded:      3 lines of 2 codes that are not products:
    21232               2 lines  --exclude-products
    M                   1 line   description "Manual"
TXT
grep -A2 '^  excluded:' "$T/.err" >got.err
diff -u want.err got.err >&2 || fail "--exclude-products / --keep-products"
expect_eq "$("$XS" export --db "$DB3" customers | cut -d, -f1,8-12 | tail -1)" "13085,1,1,0,0,0" \
    "--consent sets the new customers' consent"

# --- the older export: other column names, month-first dates
OLDMAP="--map InvoiceNo=order_id --map StockCode=product_id --map Description=product_name
        --map Quantity=quantity --map InvoiceDate=date --map UnitPrice=unit_price
        --map CustomerID=customer_id"
cat > want.err <<'TXT'
old.csv:2: date: not an ISO 8601 date or date-time (YYYY-MM-DD[ HH:MM[:SS]]): "12/1/2010 8:26"; use --date-format dmy, mdy or ymd
old.csv:3: date: not an ISO 8601 date or date-time (YYYY-MM-DD[ HH:MM[:SS]]): "12/1/2010 8:26"; use --date-format dmy, mdy or ymd
old.csv:4: date: not an ISO 8601 date or date-time (YYYY-MM-DD[ HH:MM[:SS]]): "12/13/2010 8:28"; use --date-format dmy, mdy or ymd
xsell import: old.csv: 3 errors in 3 rows, nothing imported
TXT
# shellcheck disable=SC2086
expect_rc 2 "$XS" import --db "$DB_OLD" transactions old.csv $OLDMAP
diff -u want.err "$T/.err" >&2 || fail "old.csv without --date-format"
cat > want.err <<'TXT'
old.csv:4: date: not a dmy date (D/M/YYYY [H:MM[:SS]]): "12/13/2010 8:28"
xsell import: old.csv: 1 error in 1 row, nothing imported
TXT
# shellcheck disable=SC2086
expect_rc 2 "$XS" import --db "$DB_OLD" transactions old.csv $OLDMAP --date-format dmy
diff -u want.err "$T/.err" >&2 || fail "old.csv as dmy"
expect_eq "$("$XS" export --db "$DB_OLD" orders | wc -l)" 1 "a rejected import writes nothing"
# shellcheck disable=SC2086
expect_rc 0 "$XS" import --db "$DB_OLD" transactions old.csv $OLDMAP --date-format mdy
cat > want.csv <<'CSV'
order_id,customer_id,date,product_id,quantity,amount,ordered_at,Country
536365,17850,2010-12-01,71053,6,20.34,2010-12-01T08:26:00,United Kingdom
536365,17850,2010-12-01,85123A,6,15.30,2010-12-01T08:26:00,United Kingdom
536366,17850,2010-12-13,22633,6,11.10,2010-12-13T08:28:00,United Kingdom
CSV
expect_out 0 want.csv -- "$XS" export --db "$DB_OLD" orders

# --- bad input: every message exact, nothing written
cat > want.err <<'TXT'
old.csv:1: missing required column "product_id"; the file has: InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID, Country
old.csv:1: missing required column "date"; the file has: InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID, Country
old.csv:1: missing required column "quantity" (closest: "Quantity": use --map Quantity=quantity); the file has: InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID, Country
old.csv:1: missing required column "unit_price" (or "amount") (closest: "UnitPrice": use --map UnitPrice=unit_price); the file has: InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID, Country
xsell import: old.csv: 4 errors in the header, nothing imported
TXT
expect_rc 2 "$XS" import --db "$DB_BAD" transactions old.csv --map InvoiceNo=order_id
diff -u want.err "$T/.err" >&2 || fail "missing columns"
cat > bad.csv <<'CSV'
order_id,product_id,date,quantity,unit_price,customer_id
O1,A,2024-01-02,x,1.00,C1
O1,B,2024-01-02,0,1.00,C1
O2,A,2024-01-02 25:00,1,1.00,C1
O3,A,2024-01-03,1,abc,C1
O3,B,2024-01-03,1,0.0000001,C1
O4,A,2024-01-04,1,1.00,C1
O4,B,2024-01-04,1,1.00,C2
O4,C,2024-01-05,1,1.00,C1
O5,,2024-01-05,1,1.00,
CSV
cat > want.err <<'TXT'
bad.csv:2: quantity: not an integer: "x"
bad.csv:3: quantity: must not be 0: "0"
bad.csv:4: date: not an ISO 8601 date or date-time (YYYY-MM-DD[ HH:MM[:SS]]): "2024-01-02 25:00"
bad.csv:5: unit_price: not an amount: "abc"
bad.csv:6: unit_price: more than 6 fraction digits: "0.0000001"
bad.csv:8: customer_id: order "O4" belongs to customer "C1" (line 7), not "C2"
bad.csv:9: date: order "O4" is dated "2024-01-04" (line 7), not "2024-01-05"
bad.csv:10: product_id: missing required value
xsell import: bad.csv: 8 errors in 8 rows, nothing imported
TXT
expect_rc 2 "$XS" import --db "$DB_BAD" transactions bad.csv
diff -u want.err "$T/.err" >&2 || fail "bad values"
expect_eq "$("$XS" export --db "$DB_BAD" customers | wc -l)" 1 "bad.csv wrote nothing"
# --max-errors caps the messages
expect_rc 2 "$XS" import --db "$DB_BAD" transactions bad.csv --max-errors 2
expect_eq "$(sed -n 3p "$T/.err")" "... and 6 more errors" "--max-errors 2"

# usage errors
expect_err 2 "xsell import: --date-format: expected iso, ymd, dmy or mdy, got \"us\"
try 'xsell import --help'" \
    "$XS" import --db "$DB_BAD" transactions bad.csv --date-format us
expect_err 2 'xsell import: --consent: expected email, in_app, csm, webinar or sns, got "mail"' \
    "$XS" import --db "$DB_BAD" transactions bad.csv --consent mail
expect_err 2 'xsell import: --map: "bogus" is not a transactions field (expected order_id, product_id, date, quantity, unit_price, amount, customer_id or product_name)' \
    "$XS" import --db "$DB_BAD" transactions bad.csv --map order_id=bogus
expect_err 2 "xsell import: --date-format, --return-prefix, --exclude-products, --keep-products, --no-default-exclusions and --consent apply to transactions only
try 'xsell import --help'" \
    "$XS" import --db "$DB_BAD" orders bad.csv --return-prefix C
expect_err 2 "xsell import: --skip-bad-rows does not apply to transactions (an order log is imported whole)
try 'xsell import --help'" \
    "$XS" import --db "$DB_BAD" transactions bad.csv --skip-bad-rows

