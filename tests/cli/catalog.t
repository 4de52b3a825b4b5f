# xsell catalog check, and the catalog warnings of `xsell import products`:
# exact findings on a hand-made catalogue, a clean one, usage errors.
cd "$T"
DB=$(new_db c)

cat > inverted.csv <<'CSV'
product_id,name,family,tier,kind,price,billing,limits
crm-basic,CRM Basic,crm,2,plan,30,month,seats=10
crm-pro,CRM Pro,crm,3,plan,25,month,seats=5
crm-lite,CRM Lite,crm,1,plan,10,month,seats=3
crm-ent,CRM Enterprise,crm,5,plan,90,month,seats=100
crm-api,API access,crm,,addon,40,month,
crm-storage,Storage pack,crm,,addon,5,month,storage_gb=100
pen,Pen,,,product,1,once,
CSV

# import: the warnings go to stderr, the import succeeds (exit 0)
expect_rc 0 "$XS" import --db "$DB" products inverted.csv
grep '^warning: ' "$T/.err" >got.err
cat > want.err <<'TXT'
warning: crm-pro (tier 3) costs less than crm-basic (tier 2): 25.00 < 30.00 a month
warning: crm-pro (tier 3) has a lower seats limit than crm-basic (tier 2): 5 < 10
warning: the crm monthly plans have no tier 4 between crm-pro (tier 3) and crm-ent (tier 5): no upsell leads from one to the other
warning: crm-api (add-on) costs more than crm-lite, the cheapest plan it attaches to: 40.00 > 10.00 a month
warning: crm-ent can never be offered: no upsell, downsell or term change of crm leads to it and it is not the family's entry plan
warning: crm-storage can never be offered: an add-on with limits (storage_gb) is not proposed as an option; only one with a seats limit is, as seat packs
TXT
diff -u want.err got.err >&2 || fail "import products: warnings differ"
expect_eq "$(grep -c '^imported inverted.csv: 7 rows (7 new' "$T/.err")" 1 "import summary line"
# an import of another table runs no check
printf 'customer_id,signup_date\nC1,2024-01-01\n' >customers.csv
expect_rc 0 "$XS" import --db "$DB" customers customers.csv
expect_eq "$(grep -c '^warning' "$T/.err")" 0 "customers import: no catalog warnings"

# catalog check: the same findings in every format, exit 0, a summary line
cat > want.csv <<'CSV'
code,family,product,other,message
tier_cheaper,crm,crm-pro,crm-basic,crm-pro (tier 3) costs less than crm-basic (tier 2): 25.00 < 30.00 a month
tier_limit_lower,crm,crm-pro,crm-basic,crm-pro (tier 3) has a lower seats limit than crm-basic (tier 2): 5 < 10
tier_gap,crm,crm-ent,crm-pro,the crm monthly plans have no tier 4 between crm-pro (tier 3) and crm-ent (tier 5): no upsell leads from one to the other
addon_above_plan,crm,crm-api,crm-lite,"crm-api (add-on) costs more than crm-lite, the cheapest plan it attaches to: 40.00 > 10.00 a month"
unreachable,crm,crm-ent,,"crm-ent can never be offered: no upsell, downsell or term change of crm leads to it and it is not the family's entry plan"
unreachable,crm,crm-storage,,"crm-storage can never be offered: an add-on with limits (storage_gb) is not proposed as an option; only one with a seats limit is, as seat packs"
CSV
expect_out 0 want.csv -- "$XS" catalog check --db "$DB" --format csv
expect_eq "$(cat "$T/.err")" "checked 7 products in 1 family: 6 findings" "summary line"
expect_rc 0 "$XS" catalog check --db "$DB" --format json
expect_eq "$(sed -n 2p "$T/.out")" ' {"code": "tier_cheaper", "family": "crm", "product": "crm-pro", "other": "crm-basic", "message": "crm-pro (tier 3) costs less than crm-basic (tier 2): 25.00 < 30.00 a month"},' "json first finding"
expect_eq "$(wc -l <"$T/.out")" 8 "json lines"
expect_rc 0 "$XS" catalog check --db "$DB"
expect_eq "$(sed -n 1p "$T/.out" | tr -s ' ')" "code family product other message" "table header"
expect_eq "$(wc -l <"$T/.out")" 8 "table lines"

# fixing the catalogue (upsert) clears the findings
cat > fixed.csv <<'CSV'
product_id,name,family,tier,kind,price,billing,limits
crm-pro,CRM Pro,crm,3,plan,45,month,seats=25
crm-ent,CRM Enterprise,crm,4,plan,90,month,seats=100
crm-api,API access,crm,,addon,8,month,
crm-storage,Storage pack,crm,,addon,5,month,seats=5
CSV
expect_rc 0 "$XS" import --db "$DB" products fixed.csv
expect_eq "$(grep -c '^warning' "$T/.err")" 0 "fixed catalogue: no warnings"
printf 'code,family,product,other,message\n' >want.csv
expect_out 0 want.csv -- "$XS" catalog check --db "$DB" --format csv
expect_eq "$(cat "$T/.err")" "checked 7 products in 1 family: 0 findings" "clean summary"
printf '[]\n' >want.json
expect_out 0 want.json -- "$XS" catalog check --db "$DB" --format json

# usage
expect_err 2 "xsell catalog: expected an action: check
try 'xsell catalog --help'" "$XS" catalog
expect_err 2 "xsell catalog: unknown action \"lint\" (expected check)
try 'xsell catalog --help'" "$XS" catalog lint
expect_err 2 "xsell catalog: --db FILE is required
try 'xsell catalog --help'" "$XS" catalog check
expect_err 2 "xsell catalog: --db needs a value
try 'xsell catalog --help'" "$XS" catalog check --db
expect_err 2 'xsell catalog: nope.db: no such store' "$XS" catalog check --db nope.db
[ -e nope.db ] && fail "catalog check created nope.db"
expect_err 2 "xsell catalog: --format: expected table, json or csv, got \"xml\"
try 'xsell catalog --help'" \
    "$XS" catalog check --db "$DB" --format xml
expect_err 2 "xsell catalog: unknown option \"--fix\"
try 'xsell catalog --help'" "$XS" catalog check --db "$DB" --fix
expect_err 2 "xsell catalog: unexpected argument \"extra\"
try 'xsell catalog --help'" "$XS" catalog check --db "$DB" extra
expect_rc 0 "$XS" catalog --help
grep -q "usage: xsell catalog check --db FILE" "$T/.out" || fail "catalog --help lacks usage"
expect_rc 0 "$XS" catalog check --help
grep -q "unreachable" "$T/.out" || fail "catalog check --help lacks the codes"
