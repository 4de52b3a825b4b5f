# Errors a user can act on: an input read in the wrong format names the
# --input-format that reads it (clv: csv / cdnow; mining: fimi / basket),
# and only when that format really reads the file.
cd "$T"

# CDNOW layout (whitespace separated, a header line, CRLF) read as CSV
printf ' customer_id  date number_of_cds  dollar_value\r\n 00001 19970101  1   11.77\r\n 00001 19970112  2   22.00\r\n 00002 19970115  1   12.00\r\n' >cdnow.txt
expect_err 2 'xsell clv: cdnow.txt:1: customer_id: no such column "customer_id" in the header; this looks like the CDNOW format: use --input-format cdnow' \
    "$XS" clv fit --model bgnbd --input cdnow.txt --calibration-end 1997-09-30
expect_eq "$(wc -l <"$T/.err")" 1 "one error line"
# ... and the option does read it
expect_rc 0 "$XS" clv fit --model bgnbd --input cdnow.txt --input-format cdnow --calibration-end 1997-09-30
# a CSV read as CDNOW
printf 'customer_id,date,amount\nA,1997-01-01,3\nA,1997-02-01,4\n' >orders.csv
expect_err 2 'xsell clv: orders.csv:2: expected 4 or 5 whitespace-separated fields, got 1; this looks like a CSV file with a header row: use --input-format csv' \
    "$XS" clv fit --model bgnbd --input orders.csv --input-format cdnow --calibration-end 1997-09-30
# a CSV that reads in neither format gets no hint
printf 'id,day,total\nA,1997-01-01,3\n' >other.csv
expect_err 2 'xsell clv: other.csv:1: customer_id: no such column "customer_id" in the header' \
    "$XS" clv fit --model bgnbd --input other.csv --calibration-end 1997-09-30
grep -q 'looks like' "$T/.err" && fail "clv: a hint for a file no format reads"

# basket CSV read as FIMI (the default) by every mining command
printf 'citrus fruit,semi-finished bread,margarine\ntropical fruit,yogurt,coffee\nwhole milk\n' >groceries.csv
for c in together itemsets rules; do
    expect_err 2 "xsell $c: groceries.csv:1: not an item number: \"citrus\"; this looks like a basket CSV file (item names separated by commas): use --input-format basket" \
        "$XS" $c --input groceries.csv
done
expect_rc 0 "$XS" together --input groceries.csv --input-format basket
# a FIMI file with one bad token has no commas: no hint
printf '1 2 3\n2 x 4\n' >bad.dat
expect_err 2 'xsell itemsets: bad.dat:2: not an item number: "x"' "$XS" itemsets --input bad.dat
grep -q 'looks like' "$T/.err" && fail "itemsets: a hint for a FIMI file with a typo"
# standard input cannot be read twice: no hint
expect_err 2 'xsell rules: -:1: not an item number: "citrus"' sh -c "\"\$XS\" rules --input - <groceries.csv"
grep -q 'looks like' "$T/.err" && fail "rules: a hint for standard input"

