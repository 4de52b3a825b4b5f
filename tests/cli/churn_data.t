# xsell churn eval on the IBM Telco table (../shared/data): blank
# TotalCharges reported, 5-fold AUC above 0.80.
TELCO="$SRC/../shared/data/telco/telco-customer-churn.csv"
need_file "$TELCO"
expect_rc 0 "$XS" churn eval --input "$TELCO" --id customerID --label Churn \
    --positive Yes --format csv
grep -qxF "xsell churn: $TELCO: TotalCharges: 11 blank values treated as missing" \
    "$T/.err" || fail "telco: blank TotalCharges reported"
auc=$(sed -n 2p "$T/.out" | cut -d, -f5)
awk -v a="$auc" 'BEGIN { exit !(a > 0.80) }' || fail "telco AUC $auc <= 0.80"
echo "telco 5-fold CV AUC $auc"
