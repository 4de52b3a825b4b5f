# The real shop, Online Retail II (../shared/data): imported whole, every
# count recounted independently with python3.
DB=$(new_db real)
SHOP="$SRC/../shared/data/online_retail_ii/online_retail_II_year_2009_2010.csv"
need_file "$SHOP"
cd "$T" || fail "cd $T"
command -v python3 >/dev/null 2>&1 || skip "python3 absent"
MAP="--map Invoice=order_id --map StockCode=product_id --map Description=product_name
     --map Quantity=quantity --map InvoiceDate=date --map Price=unit_price"
expect_rc 0 "$XS" import --db "$DB" transactions "$SHOP" $MAP \
    --map "Customer ID=customer_id" --currency GBP --return-prefix C
# the same rules, counted independently from the file
python3 - "$SHOP" >want.txt <<'PY'
import csv, sys, re
from decimal import Decimal, ROUND_HALF_EVEN
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8")))[1:]
service = [(w, "all") for w in ("postage", "carriage", "shipping", "delivery",
           "discount", "manual", "samples")] + \
          [(w, "end") for w in ("postage", "fee", "fees", "charges", "shipping")] + \
          [(w, "start") for w in ("adjustment", "adjust bad debt", "test product",
           "this is a test product")] + [("gift voucher", "any")]
def is_service(d):
    d = d.strip().lower()
    for w, where in service:
        pat = r"(?<![a-z])" + re.escape(w) + r"(?![a-z])"
        if where == "all" and d == w: return True
        if where == "end" and re.search(pat + r"$", d): return True
        if where == "start" and re.match(pat, d): return True
        if where == "any" and re.search(pat, d): return True
    return False
excluded = set(r[1] for r in rows if Decimal(r[5]) != 0 and is_service(r[2]))
orders, returns, anon = {}, {}, {}
n_exc = n_zero = n_ret = n_anon = 0
for inv, code, desc, q, dt, p, cust, country in rows:
    q, p = int(q), Decimal(p)
    if code in excluded: n_exc += 1; continue
    if p * q == 0: n_zero += 1; continue
    if q < 0 or inv.startswith("C"):
        n_ret += 1; returns.setdefault((inv, code), 0); continue
    if not cust:
        n_anon += 1; anon.setdefault((inv, code), 0); continue
    orders[(inv, code)] = orders.get((inv, code), Decimal(0)) + p * q
total = sum(v.quantize(Decimal("0.01"), ROUND_HALF_EVEN) for v in orders.values())
print(len(set(k[0] for k in orders)), len(orders), n_ret, len(set(k[0] for k in returns)),
      n_anon, len(set(k[0] for k in anon)), n_exc, n_zero, len(excluded), total)
PY
sed -n 's/^  orders: *\([0-9]*\) orders with a customer, \([0-9]*\) lines.*/\1 \2/p' "$T/.err" >got.txt
got=$(cat got.txt)
got="$got $(sed -n 's/^  returns: *\([0-9]*\) lines in \([0-9]*\) returns.*/\1 \2/p' "$T/.err")"
got="$got $(sed -n 's/^  anonymous: *\([0-9]*\) lines in \([0-9]*\) orders.*/\1 \2/p' "$T/.err")"
got="$got $(sed -n 's/^  excluded: *\([0-9]*\) lines of \([0-9]*\) codes.*/\1/p' "$T/.err")"
got="$got $(sed -n 's/^  not sales: *\([0-9]*\) lines priced 0.*/\1/p' "$T/.err")"
got="$got $(sed -n 's/^  excluded: *[0-9]* lines of \([0-9]*\) codes.*/\1/p' "$T/.err")"
sum=$("$XS" export --db "$DB" orders --format csv | awk -F, 'NR > 1 { s += $6 * 100 } END { printf "%.2f", s / 100 }')
expect_eq "$got $sum" "$(cat want.txt)" "online retail II: counts and order revenue recounted"
expect_eq "$("$XS" export --db "$DB" customers | tail -n +2 | wc -l)" 4314 "online retail II: customers"
echo "online retail II: $(cat want.txt)"
