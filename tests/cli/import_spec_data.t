# The real Telco file (../shared/data) through examples/telco/telco.json:
# 7,043 customers, per service as many subscriptions as "Yes" values in the
# file (recounted here with awk), and a second import changes nothing.
TELCO="$SRC/../shared/data/telco/telco-customer-churn.csv"
need_file "$TELCO"
cd "$T" || fail "cd $T"
TDB=$(new_db telco)
expect_rc 0 "$XS" import --db $TDB --spec "$SRC/examples/telco/telco.json" "$TELCO"
n=$("$XS" export --db $TDB customers | awk 'NR > 1' | wc -l | tr -d ' ')
expect_eq "$n" 7043 "telco customers"
"$XS" export --db $TDB subscriptions >subs.csv
# column name -> product of telco.json's holdings
for pair in PhoneService:Yes:phone MultipleLines:Yes:phone-multi-line \
    InternetService:DSL:internet-dsl "InternetService:Fiber optic:internet-fiber" \
    OnlineSecurity:Yes:online-security OnlineBackup:Yes:online-backup \
    DeviceProtection:Yes:device-protection TechSupport:Yes:tech-support \
    StreamingTV:Yes:streaming-tv StreamingMovies:Yes:streaming-movies; do
    col=${pair%%:*}; rest=${pair#*:}; val=${rest%%:*}; prod=${rest#*:}
    want=$(awk -F, -v c="$col" -v v="$val" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next }
                                             $k == v { n++ } END { print n + 0 }' "$TELCO")
    got=$(awk -F, -v p="$prod" '$2 == p { n++ } END { print n + 0 }' subs.csv)
    expect_eq "$got" "$want" "telco: subscriptions of $prod vs \"$val\" in $col"
done
# churned accounts (Churn=Yes) keep their subscriptions, ended at as_of
churned=$(awk -F, 'NR > 1 && $NF == "Yes" { n++ } END { print n + 0 }' "$TELCO")
ended=$(awk -F, 'NR > 1 && $6 != "" { print $1 }' subs.csv | sort -u | wc -l | tr -d ' ')
expect_eq "$ended" "$churned" "telco: churned accounts with ended subscriptions"
for t in products customers subscriptions; do "$XS" export --db $TDB $t >tb.$t.csv; done
expect_err 0 "imported $TELCO through $SRC/examples/telco/telco.json: 7043 rows in #.# s
  products           10 (0 new, 0 updated, 10 unchanged)
  customers        7043 (0 new, 0 updated, 7043 unchanged)
  subscriptions   29202 (0 new, 0 updated, 29202 unchanged)
  subscriptions: 21592 active, 7610 ended (churned accounts)
    phone                       4662 active    1699 ended
    phone-multi-line            2121 active     850 ended
    internet-dsl                1962 active     459 ended
    internet-fiber              1799 active    1297 ended
    online-security             1724 active     295 ended
    online-backup               1906 active     523 ended
    device-protection           1877 active     545 ended
    tech-support                1734 active     310 ended
    streaming-tv                1893 active     814 ended
    streaming-movies            1914 active     818 ended" "$XS" import --db $TDB --spec "$SRC/examples/telco/telco.json" "$TELCO"
for t in products customers subscriptions; do
    "$XS" export --db $TDB $t >ta.$t.csv
    cmp -s tb.$t.csv ta.$t.csv || fail "telco: a second import changed $t"
done
