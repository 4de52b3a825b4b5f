# The published figure: retail.dat (FIMI, ../shared/data) at min count 89
# has 7,589 frequent itemsets.
R="$SRC/../shared/data/fimi/retail.dat"
need_file "$R"
expect_rc 0 "$XS" itemsets --input "$R" --min-count 89 --count-only
expect_eq "$(cat "$T/.out")" 7589 "retail.dat at 89"
expect_rc 0 "$XS" itemsets --input "$R" --min-support 0.001 --format csv
expect_eq "$(wc -l < "$T/.out" | tr -d ' ')" 7590 "retail.dat rows at 0.001 (plus header)"
