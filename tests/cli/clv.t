# xsell clv / xsell retention: lifetime-value models from the CLI.
# Fixtures in tests/data/clv: sim_orders.csv (400 customers simulated by
# gen_orders.py), orders.csv (5 hand-made customers), survivors_exact.csv
# (a curve that is exactly sBG with alpha 2, beta 3: S = 1, 3/5, 2/5, 2/7,
# 3/14 of 1400). Fitted values are compared rounded (the last digits of an
# optimiser's answer may differ between builds), data-derived ones exactly.
DB=$(new_db clv)
DB_EMPTY=$(new_db empty)
DB_GEN=$(new_db gen)
D="$SRC/tests/data/clv"

# field N of line 2 of a CSV output
field() { sed -n 2p "$T/.out" | cut -d, -f"$1"; }
round() { awk -v v="$1" -v d="$2" 'BEGIN { printf "%.*f", d, v }'; }

# --- fit ---------------------------------------------------------------
expect_rc 0 "$XS" clv fit --model bgnbd --input "$D/sim_orders.csv" --calibration-end 2023-09-30 --format csv
expect_eq "$(sed -n 1p "$T/.out")" "model,r,alpha,a,b,log_likelihood,n_customers,n_dropped,iterations,converged,grad_norm" "bgnbd csv header"
expect_eq "$(field 1)" "bgnbd" "model"
expect_eq "$(round "$(field 2)" 4)" "0.6073" "r"
expect_eq "$(round "$(field 3)" 3)" "10.517" "alpha"
expect_eq "$(round "$(field 4)" 4)" "1.3137" "a"
expect_eq "$(round "$(field 5)" 3)" "7.106" "b"
expect_eq "$(round "$(field 6)" 2)" "-2242.63" "log_likelihood"
expect_eq "$(field 7),$(field 8),$(field 10)" "400,0,true" "counts, converged"

expect_rc 0 "$XS" clv fit --model gamma-gamma --input "$D/sim_orders.csv" --calibration-end 2023-09-30 --time-unit week --format json
grep -q '^{"model": "gamma-gamma", "p": 5.12[0-9]*, "q": 4.30[0-9]*, "gamma": 22.0[0-9]*, "log_likelihood": -982.96[0-9]*, "n_customers": 230, "n_dropped": 0, "n_excluded": 0, "iterations": [0-9]*, "converged": true, "grad_norm": [0-9.e+-]*}$' "$T/.out" \
    || fail "gamma-gamma json: $(cat "$T/.out")"

# table: one key per line
expect_rc 0 "$XS" clv fit --model bgnbd --input "$D/sim_orders.csv" --calibration-end 2023-09-30
expect_eq "$(awk 'NR > 2 { printf "%s ", $1 }' "$T/.out")" "model r alpha a b log_likelihood n_customers n_dropped iterations converged grad_norm " "table keys"

# days as the unit: same customers, alpha in days = 7 x alpha in weeks
expect_rc 0 "$XS" clv fit --model bgnbd --input "$D/sim_orders.csv" --calibration-end 2023-09-30 --time-unit day --format csv
expect_eq "$(round "$(field 2)" 4)" "0.6073" "r in days"
expect_eq "$(round "$(field 3)" 2)" "$(round "$(echo 10.517170 | awk '{ print $1 * 7 }')" 2)" "alpha in days"

# a customer whose first purchase is after the calibration end is dropped
# and reported; rows after the end never enter the fit
expect_err 0 'xsell clv: 1 customer with no purchase on or before 2024-03-31 dropped' \
    "$XS" clv fit --model bgnbd --input "$D/orders.csv" --calibration-end 2024-03-31 --format csv
expect_eq "$(field 7),$(field 8)" "4,1" "orders.csv counts"

# two repeat buyers cannot pin down three Gamma-Gamma parameters: the last
# point is printed with converged false, and the command fails (exit 1)
expect_err 1 'xsell clv: 1 customer with no purchase on or before 2024-03-31 dropped
xsell clv: Gamma-Gamma fit did not converge (81 iterations, gradient 7.40566e-05)' \
    "$XS" clv fit --model gamma-gamma --input "$D/orders.csv" --calibration-end 2024-03-31 --format csv
expect_eq "$(field 1),$(field 6),$(field 10)" "gamma-gamma,2,false" "non-converged fit"

# one repeat buyer has no finite BG/NBD optimum: Newton's method gives up
# and the BFGS fit from the start point fails as it did before Newton
# (c88e85c printed this message, digit for digit)
printf 'customer_id,date,amount\nA,2024-01-01,10\nA,2024-01-15,10\nA,2024-02-01,5\nA,2024-03-01,7\n' >"$T/one.csv"
expect_err 1 'xsell clv: BG/NBD fit did not converge (53 iterations, gradient 1.31506e-05)' \
    "$XS" clv fit --model bgnbd --input "$T/one.csv" --calibration-end 2024-03-31 --format csv
expect_eq "$(field 2),$(field 10)" "15255944.180631,false" "one buyer: the last point"

# other columns, delimiter and date format
expect_rc 0 "$XS" clv fit --model bgnbd --input "$D/semicolon.csv" --delimiter ';' --id cust --date day --amount total --date-format yyyymmdd --calibration-end 2024-02-29 --time-unit day --format csv
expect_eq "$(field 7)" "2" "semicolon customers"

# --- predict -----------------------------------------------------------
expect_rc 0 "$XS" clv predict --input "$D/sim_orders.csv" --calibration-end 2023-09-30 --horizon 39 --discount 0.002 --format csv
expect_eq "$(sed -n 1p "$T/.out")" "customer_id,x,t_x,T,mean_spend,p_alive,expected_purchases,expected_spend,clv,holdout_purchases,holdout_spend" "predict header"
expect_eq "$(wc -l <"$T/.out" | tr -d ' ')" "401" "predict rows"
# C002 buys 2023-02-09, 02-10 (13.29), 07-30 (21.32) and, after the end,
# 10-06 (22.61): x 2, t_x 171/7, T 233/7 weeks, mean (13.29 + 21.32) / 2
line=$(grep '^C002,' "$T/.out")
expect_eq "$(echo "$line" | cut -d, -f1-5)" "C002,2,24.4286,33.2857,17.3050" "C002 summary"
expect_eq "$(echo "$line" | cut -d, -f10-11)" "1,22.61" "C002 holdout"
expect_eq "$(round "$(echo "$line" | cut -d, -f6)" 3)" "0.774" "C002 p_alive"
expect_eq "$(round "$(echo "$line" | cut -d, -f7)" 3)" "1.509" "C002 expected purchases"
# C001 buys twice on 2023-03-07: one transaction, x 0, alive by definition
line=$(grep '^C001,' "$T/.out")
expect_eq "$(echo "$line" | cut -d, -f2,6)" "0,1.000000" "C001 one-time buyer"

# --- orders from a store (--db) -------------------------------------------
# tests/data/clv/store: 12 customers, 26 orders of 1-2 lines (a discount
# line, two orders on one day, a customer without orders, one whose first
# order is after the end); orders_summed.csv is the same orders written by
# hand as customer_id,date,amount (one row per order, the sum of its lines).
# Both sources must give the same fits and predictions, digit for digit.
S="$SRC/tests/data/clv/store"
for t in customers products orders; do
    expect_rc 0 "$XS" import --db "$DB" "$t" "$S/$t.csv"
done
for m in bgnbd gamma-gamma; do
    expect_rc 0 "$XS" clv fit --model "$m" --input "$S/orders_summed.csv" --calibration-end 2024-06-30 --format json
    cp "$T/.out" "$T/want"
    expect_out 0 "$T/want" -- "$XS" clv fit --model "$m" --db "$DB" --calibration-end 2024-06-30 --format json
done
grep -q '"n_customers": 6, "n_dropped": 1,' "$T/want" || fail "store gamma-gamma counts: $(cat "$T/want")"
expect_err 0 'xsell clv: 1 customer with no purchase on or before 2024-06-30 dropped' \
    "$XS" clv predict --db "$DB" --calibration-end 2024-06-30 --horizon 10 --format csv
cp "$T/.out" "$T/want"
expect_out 0 "$T/want" -- "$XS" clv predict --input "$S/orders_summed.csv" --calibration-end 2024-06-30 --horizon 10 --format csv
# K01: 19.00 on 01-05; 99.99 + 10.00 (two orders) on 02-10; 4.50 on 05-20;
# 30.00 after the end. K06: 20.00 - 2.00 then 18.00.
expect_eq "$(grep '^K01,' "$T/want" | cut -d, -f1-5,10-11)" "K01,2,19.4286,25.2857,57.2450,1,30.00" "K01 from the store"
expect_eq "$(grep '^K06,' "$T/want" | cut -d, -f2,5)" "1,18.0000" "K06 discount line"
expect_eq "$(grep -c '^K0[45],' "$T/want")" "0" "K04 dropped, K05 without orders"
# a store with customers but no orders
expect_rc 0 "$XS" import --db "$DB_EMPTY" customers "$S/customers.csv"
expect_err 2 "xsell clv: $DB_EMPTY: the store has no orders" \
    "$XS" clv fit --model bgnbd --db "$DB_EMPTY" --calibration-end 2024-06-30
expect_err 2 "xsell clv: $DB: no customer has a purchase on or before the calibration end" \
    "$XS" clv fit --model bgnbd --db "$DB" --calibration-end 2023-06-30

# a generated store (2000 customers, seed 7) against its orders.csv summed
# per order by awk: same fits
expect_rc 0 "$XS" gen --out "$T/gen" --customers 2000 --seed 7
for t in customers products orders; do
    expect_rc 0 "$XS" import --db "$DB_GEN" "$t" "$T/gen/$t.csv"
done
awk -F, 'NR > 1 { if (!($1 in s)) { k[++n] = $1; c[$1] = $2; d[$1] = $3 } s[$1] += $6 }
    END { print "customer_id,date,amount"
          for (i = 1; i <= n; i++) printf "%s,%s,%.2f\n", c[k[i]], d[k[i]], s[k[i]] }' \
    "$T/gen/orders.csv" >"$T/gen_summed.csv"
for m in bgnbd gamma-gamma; do
    expect_rc 0 "$XS" clv fit --model "$m" --input "$T/gen_summed.csv" --calibration-end 2026-03-31 --format json
    cp "$T/.out" "$T/want"
    grep -q '"converged": true' "$T/want" || fail "generated $m fit: $(cat "$T/want")"
    expect_out 0 "$T/want" -- "$XS" clv fit --model "$m" --db "$DB_GEN" --calibration-end 2026-03-31 --format json
done
expect_rc 0 "$XS" clv predict --input "$T/gen_summed.csv" --calibration-end 2026-03-31 --horizon 26 --format csv
LC_ALL=C sort "$T/.out" >"$T/want"
expect_rc 0 "$XS" clv predict --db "$DB_GEN" --calibration-end 2026-03-31 --horizon 26 --format csv
LC_ALL=C sort "$T/.out" | diff -u "$T/want" - >&2 || fail "generated store: predictions differ"

# --- bad input -----------------------------------------------------------
expect_err 2 "xsell clv: $D/orders.csv:1: total: no such column \"total\" in the header" \
    "$XS" clv fit --model bgnbd --input "$D/orders.csv" --amount total --calibration-end 2024-03-31
expect_err 2 "xsell clv: $D/bad_date.csv:3: date: not an ISO date: \"2024-02-30\"" \
    "$XS" clv fit --model bgnbd --input "$D/bad_date.csv" --calibration-end 2024-03-31
expect_err 2 "xsell clv: $D/negative.csv:2: amount: negative amount: \"-5.00\"" \
    "$XS" clv fit --model bgnbd --input "$D/negative.csv" --calibration-end 2024-03-31
expect_err 2 "xsell clv: $D/bad_amount.csv:3: amount: not a number: \"ten\"" \
    "$XS" clv predict --input "$D/bad_amount.csv" --calibration-end 2024-03-31 --horizon 4
expect_err 2 "xsell clv: --model: expected bgnbd or gamma-gamma, got \"pareto\"
try 'xsell clv --help'" \
    "$XS" clv fit --model pareto --input "$D/orders.csv" --calibration-end 2024-03-31
expect_err 2 "xsell clv: --model bgnbd|gamma-gamma is required
try 'xsell clv --help'" \
    "$XS" clv fit --input "$D/orders.csv" --calibration-end 2024-03-31
expect_err 2 "xsell clv: --calibration-end DATE is required
try 'xsell clv --help'" \
    "$XS" clv fit --model bgnbd --input "$D/orders.csv"
expect_err 2 "xsell clv: --calibration-end: not a date: \"2024-02-30\"
try 'xsell clv --help'" \
    "$XS" clv fit --model bgnbd --input "$D/orders.csv" --calibration-end 2024-02-30
expect_err 2 "xsell clv: --time-unit: expected day or week, got \"month\"
try 'xsell clv --help'" \
    "$XS" clv fit --model bgnbd --input "$D/orders.csv" --calibration-end 2024-03-31 --time-unit month
expect_err 2 "xsell clv: --horizon N is required
try 'xsell clv --help'" \
    "$XS" clv predict --input "$D/orders.csv" --calibration-end 2024-03-31
expect_err 2 "xsell clv: --horizon: 0 is out of range [1, 100000]
try 'xsell clv --help'" \
    "$XS" clv predict --input "$D/orders.csv" --calibration-end 2024-03-31 --horizon 0
expect_err 2 "xsell clv: --input and --db: give one source of orders
try 'xsell clv --help'" \
    "$XS" clv fit --model bgnbd --db x.db --input "$D/orders.csv" --calibration-end 2024-03-31
expect_err 2 "xsell clv: --input FILE or --db FILE is required
try 'xsell clv --help'" \
    "$XS" clv predict --calibration-end 2024-03-31 --horizon 4
expect_err 2 "xsell clv: --id applies to --input, not --db
try 'xsell clv --help'" \
    "$XS" clv fit --model bgnbd --db x.db --id cust --calibration-end 2024-03-31
expect_err 2 "xsell clv: $T/none.db: no such store" \
    "$XS" clv fit --model bgnbd --db "$T/none.db" --calibration-end 2024-03-31
[ -e "$T/none.db" ] && fail "clv --db created a missing store"
expect_err 2 "xsell clv: unknown action \"score\" (expected fit or predict)
try 'xsell clv --help'" "$XS" clv score
expect_err 2 "xsell clv: $D/orders.csv: no customer has a purchase on or before the calibration end" \
    "$XS" clv fit --model bgnbd --input "$D/orders.csv" --calibration-end 2020-01-01
expect_err 2 "xsell clv: $T/missing.csv: No such file or directory" \
    "$XS" clv fit --model bgnbd --input "$T/missing.csv" --calibration-end 2020-01-01
expect_rc 0 "$XS" clv --help
grep -q "input-format csv|cdnow" "$T/.out" || fail "clv --help lacks --input-format"
expect_rc 0 "$XS" clv fit --help

# --- retention -----------------------------------------------------------
cat >"$T/want" <<'OUT'
key                  value
--------------  ----------
alpha             2.000000
beta              3.000000
log_likelihood  -1811.9192
periods_fitted           3
converged             true
del                 2.2652

period  actual   fitted  actual_retention  fitted_retention  in_fit    derl    clv
------  ------  -------  ----------------  ----------------  ------  ------  -----
     0    1400  1400.00                                           1  1.5183  15.18
     1     840   840.00            0.6000            0.6000       1  1.8365  18.37
     2     560   560.00            0.6667            0.6667       1  2.1057  21.06
     3     400   400.00            0.7143            0.7143       1  2.3376  23.38
     4     300   300.00            0.7500            0.7500       0  2.5402  25.40
     5           233.33                              0.7778       0  2.7192  27.19
OUT
# LL = 560 ln 0.4 + 280 ln 0.2 + 160 ln(4/35) + 400 ln(2/7); DEL = sum S(t) 1.2^-t
expect_rc 0 "$XS" retention fit --input "$D/survivors_exact.csv" --column n --periods 3 --horizon 5 --discount 0.2 --price 10
grep -v '^iterations ' "$T/.out" >"$T/got"
diff -u "$T/want" "$T/got" >&2 || fail "retention table differs"

cat >"$T/want" <<'OUT'
period,actual,fitted,actual_retention,fitted_retention,in_fit,derl,alpha,beta,log_likelihood
0,1400,1400.00,,,1,1.5183,2.000000,3.000000,-1811.9192
1,840,840.00,0.6000,0.6000,1,1.8365,2.000000,3.000000,-1811.9192
2,560,560.00,0.6667,0.6667,1,2.1057,2.000000,3.000000,-1811.9192
3,400,400.00,0.7143,0.7143,1,2.3376,2.000000,3.000000,-1811.9192
OUT
expect_out 0 "$T/want" -- "$XS" retention fit --input "$D/survivors_exact.csv" --column n --periods 3 --horizon 3 --discount 0.2 --format csv

expect_rc 0 "$XS" retention fit --input "$D/survivors_exact.csv" --column n --periods 3 --horizon 4 --discount 0.2 --format json
grep -q '^{"alpha": 2.000000, "beta": 3.000000, "log_likelihood": -1811.9192, "periods_fitted": 3, "iterations": [0-9]*, "converged": true, "del": 2.2652, "periods": \[$' "$T/.out" \
    || fail "retention json head: $(head -1 "$T/.out")"
expect_eq "$(tail -3 "$T/.out" | head -1)" ' {"period": 4, "actual": 300, "fitted": 300.00, "actual_retention": 0.7500, "fitted_retention": 0.7500, "in_fit": 0, "derl": 2.5402}' "retention json last period"
expect_eq "$(tail -1 "$T/.out")" "}" "retention json end"

expect_err 2 "xsell retention: $D/survivors_exact.csv:1: nope: no such column \"nope\" in the header" \
    "$XS" retention fit --input "$D/survivors_exact.csv" --column nope
expect_err 2 "xsell retention: $D/survivors_up.csv:4: survivors: survivors increase: \"60\" after 50" \
    "$XS" retention fit --input "$D/survivors_up.csv" --column survivors
expect_err 2 "xsell retention: $D/survivors_bad.csv:3: survivors: not a non-negative number: \"x\"" \
    "$XS" retention fit --input "$D/survivors_bad.csv" --column survivors
expect_err 2 "xsell retention: --periods: 9, but $D/survivors_exact.csv has periods 0..4 only
try 'xsell retention --help'" \
    "$XS" retention fit --input "$D/survivors_exact.csv" --column n --periods 9
expect_err 2 "xsell retention: --column NAME is required
try 'xsell retention --help'" \
    "$XS" retention fit --input "$D/survivors_exact.csv"
expect_err 2 "xsell retention: unknown action \"project\" (expected fit)
try 'xsell retention --help'" "$XS" retention project
expect_rc 0 "$XS" retention fit --help

expect_err 2 "xsell retention: $T/missing.csv: No such file or directory" \
    "$XS" retention fit --input "$T/missing.csv" --column n
