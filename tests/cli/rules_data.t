# arules: apriori(Groceries, supp = 0.001, conf = 0.8) finds 410 rules
# (../shared/data).
G="$SRC/../shared/data/groceries/groceries.csv"
need_file "$G"
expect_rc 0 "$XS" rules --input "$G" --input-format basket --min-support 0.001 --min-confidence 0.8 --count-only
expect_eq "$(cat "$T/.out")" 410 "groceries rules"
expect_rc 0 "$XS" rules --input "$G" --input-format basket --min-support 0.001 --min-confidence 0.8 --max-rules 1 --sort-by lift --format csv
expect_eq "$(sed -n 2p "$T/.out")" "\"{liquor,red/blush wine}\",{bottled beer},0.00193188,0.904762,0.00213523,11.2353,0.00175993,9.65445,19" "top rule by lift"
