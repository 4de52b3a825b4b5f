# The real shop (Online Retail II, ../shared/data): xsell's nDCG@10 >= 1.15 x
# item-kNN's.
DB=$(new_db or)
DATA="$SRC/../shared/data/online_retail_ii/online_retail_II_year_2009_2010.csv"
need_file "$DATA"
XSELL="$XS" DATA="$DATA" "$SRC/examples/online-retail/run.sh" "$DB" >/dev/null 2>&1 || fail "import the shop"
r=$("$XS" evaluate --db "$DB" --cutoff 2010-09-01 --format csv | awk -F, '$1 == "xsell" {print $10}')
awk -v r="$r" 'BEGIN {exit !(r >= 1.15)}' || fail "nDCG@10 vs item-kNN is $r, want >= 1.15"
n_pass=$((n_pass + 1))
