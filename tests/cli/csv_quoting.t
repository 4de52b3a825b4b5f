# One CSV quoting rule (src/base/escape.h): `xsell export` and every
# `--format csv` quote the same value the same way: a comma, a quote, CR,
# LF, a leading or trailing space, an empty field, UTF-8 text.
DB=$(new_db q)
cd "$T" || fail "cd $T"
printf '%s\n' 'customer_id,name,segment,signup_date' \
    '"a,b",Comma Co,smb,2022-01-01' '"say ""hi""",Quote Co,smb,2022-01-01' \
    '" lead",Lead,smb,2022-01-01' '"trail ",Trail,smb,2022-01-01' \
    '日本,JP,smb,2022-01-01' 'plain,,smb,2022-01-01' >c.csv
printf 'product_id,name,family,tier,kind,price,billing,category\nP1,one,"lf\nfam",1,plan,20,month,c\nP2,two,"lf\nfam",2,plan,10,month,c\nQ1,one,"cr\rfam",1,plan,20,month,c\nQ2,two,"cr\rfam",2,plan,10,month,c\n' >p.csv
expect_rc 0 "$XS" import --db "$DB" customers c.csv
expect_rc 0 "$XS" import --db "$DB" products p.csv

# the first field of each row, as each command writes it (cut splits "a,b"
# at its comma in both, so a difference in quoting still shows)
printf '%s\n' '" lead"' '"a' '"say ""hi"""' '"trail "' 'plain' '日本' >want_ids
expect_rc 0 "$XS" export --db "$DB" customers
sed 1d "$T/.out" | cut -d, -f1 | LC_ALL=C sort >export_ids
expect_eq "$(cat export_ids)" "$(LC_ALL=C sort want_ids)" "export quotes the ids"
expect_rc 0 "$XS" customers --db "$DB" --as-of 2024-06-30 --no-clv --no-churn --format csv
sed 1d "$T/.out" | cut -d, -f1 | LC_ALL=C sort >table_ids
expect_eq "$(cat table_ids)" "$(cat export_ids)" "customers --format csv quotes the ids as export does"
# the empty name stays an empty field (not the only one of its row)
expect_rc 0 "$XS" export --db "$DB" customers
grep -qx 'plain,,smb,,,,2022-01-01,.*' "$T/.out" || fail "export: the empty name is an empty field"

# CR and LF inside a value: the whole value quoted, the byte kept
expect_rc 0 "$XS" export --db "$DB" products
printf 'product_id,name,family,tier,kind,price,billing,limits,category\nP1,one,"lf\nfam",1,plan,20.00,month,,c\nP2,two,"lf\nfam",2,plan,10.00,month,,c\nQ1,one,"cr\rfam",1,plan,20.00,month,,c\nQ2,two,"cr\rfam",2,plan,10.00,month,,c\n' >want_products
cmp -s want_products "$T/.out" || fail "export products: $(od -c "$T/.out" | head -20)"
expect_rc 0 "$XS" catalog check --db "$DB" --format csv
grep -c '^tier_cheaper,"lf$' "$T/.out" | grep -qx 1 || fail "catalog --format csv quotes the LF family"
grep -c "^tier_cheaper,\"cr$(printf '\r')fam\",Q2,Q1," "$T/.out" | grep -qx 1 ||
    fail "catalog --format csv quotes the CR family"
n_pass=$((n_pass + 2))
