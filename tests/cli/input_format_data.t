# Hints for the real files of ../shared/data read in the wrong format.
SHARED="$SRC/../shared/data"
need_file "$SHARED/cdnow/CDNOW_master.txt" "$SHARED/groceries/groceries.csv"
expect_err 2 "xsell clv: $SHARED/cdnow/CDNOW_master.txt:1: customer_id: no such column \"customer_id\" in the header; this looks like the CDNOW format: use --input-format cdnow" \
    "$XS" clv fit --model bgnbd --input "$SHARED/cdnow/CDNOW_master.txt" --calibration-end 1997-09-30
expect_err 2 "xsell together: $SHARED/groceries/groceries.csv:1: not an item number: \"citrus\"; this looks like a basket CSV file (item names separated by commas): use --input-format basket" \
    "$XS" together --input "$SHARED/groceries/groceries.csv"
