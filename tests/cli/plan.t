# xsell plan: the global plan under capacity on a small demo company
# (300 customers): every capacity respected exactly (recounted from the
# assignment), the plan never below greedy nor above its bound, the exact
# solver at least as good as the Lagrangian one, and the exact message of
# every bad capacity spec.
DB2=$(new_db d2)
DB=$(new_db demo)
"$XS" demo --db "$DB" --customers 300 >/dev/null 2>&1 || fail "demo"

# bad specs: located at the entry (inline) or the line (@FILE)
expect_err 2 "xsell plan: --capacity SPEC is required
try 'xsell plan --help'" "$XS" plan --db "$DB"
expect_err 2 'xsell plan: capacity:3: unknown channel "fax"' \
    "$XS" plan --db "$DB" --capacity 'csm=8/owner, email=5000, fax=3'
expect_err 2 'xsell plan: capacity:1: expected NAME=N: "csm"' \
    "$XS" plan --db "$DB" --capacity 'csm'
expect_err 2 'xsell plan: capacity:1: a limit is N (in all) or N/owner (per owner), not per "team"' \
    "$XS" plan --db "$DB" --capacity 'csm=8/team'
expect_err 2 'xsell plan: capacity:2: capacity not a whole number 0..1000000000: "-1"' \
    "$XS" plan --db "$DB" --capacity 'csm=8/owner,email=-1'
expect_err 2 'xsell plan: capacity:1: capacity not a whole number 0..1000000000: "2.5"' \
    "$XS" plan --db "$DB" --capacity 'webinar=2.5'
expect_err 2 'xsell plan: capacity:1: unknown product "nope"' \
    "$XS" plan --db "$DB" --capacity 'product:nope=3'
expect_err 2 'xsell plan: capacity:2: duplicate constraint "email"' \
    "$XS" plan --db "$DB" --capacity 'email=3,email=4'
expect_err 2 'xsell plan: capacity:1: a product limit is not per owner: "product:acct-pro-m=3/owner"' \
    "$XS" plan --db "$DB" --capacity 'product:acct-pro-m=3/owner'
expect_err 2 'xsell plan: capacity: no constraint: expected e.g. "csm=8/owner, email=5000"' \
    "$XS" plan --db "$DB" --capacity ' , '
printf '# CSM meetings a week, per CSM\ncsm=8/owner\n\nemail=lots\n' >"$T/caps.txt"
expect_err 2 "xsell plan: $T/caps.txt:4: capacity not a whole number 0..1000000000: \"lots\"" \
    "$XS" plan --db "$DB" --capacity "@$T/caps.txt"
expect_err 2 "xsell plan: $T/none.txt: cannot read the capacity file" \
    "$XS" plan --db "$DB" --capacity "@$T/none.txt"
expect_err 2 "xsell plan: --solver: expected auto, lagrange, lp or mip, got \"simplex\"
try 'xsell plan --help'" \
    "$XS" plan --db "$DB" --capacity 'email=1' --solver simplex
expect_err 2 "xsell plan: --days: 0 is out of range [1, 366]
try 'xsell plan --help'" "$XS" plan --db "$DB" --capacity 'email=1' --days 0
expect_err 2 "xsell plan: --customer needs --format csv or json
try 'xsell plan --help'" \
    "$XS" plan --db "$DB" --capacity 'email=1' --customer C00000001
expect_err 2 'xsell plan: --customer: unknown customer "nobody"' \
    "$XS" plan --db "$DB" --capacity 'email=1' --customer nobody --format csv

# every capacity respected; used = the assignment recounted; plan >= greedy;
# plan <= bound; the exact solver's value >= the Lagrangian's
SPEC='csm=2/owner, email=20, in_app=15, webinar=3, product:acct-pro-m=1'
for s in lagrange lp mip; do
    "$XS" plan --db "$DB" --capacity "$SPEC" --solver $s --format json >"$T/$s.json" ||
        fail "plan --solver $s"
done
python3 - "$T" <<'PY' || fail "capacities or values"
import json, sys, collections
t = sys.argv[1]
vals = {}
for s in ("lagrange", "lp", "mip"):
    d = json.load(open(f"{t}/{s}.json"))
    tot = d["totals"][0]
    use = collections.Counter()
    for a in d["assignment"]:
        use[(a["channel"], None)] += 1
        if a["channel"] == "csm":
            use[("csm/owner", a["owner"] or "(none)")] += 1
        if a["product"].split(" -> ")[-1].split()[0] == "acct-pro-m":
            use[("product:acct-pro-m", None)] += 1
    assert len(d["assignment"]) == tot["assigned"], s
    assert abs(sum(a["expected_value"] for a in d["assignment"]) - tot["value"]) < 0.01 * len(d["assignment"]) + 0.01, s
    for c in d["constraints"]:
        key = (c["constraint"], c["owner"])
        assert c["used"] <= c["capacity"], (s, c)
        assert use[key] == c["used"], (s, c, use[key])
        assert c["greedy_used"] <= c["capacity"], (s, c)
        assert c["shadow_price"] >= 0, (s, c)
    assert tot["value"] >= tot["greedy_value"] - 1e-6, s
    assert tot["value"] <= tot["bound"] + 1e-6, s
    vals[s] = tot
assert vals["mip"]["optimal"] == 1
assert vals["mip"]["value"] >= vals["lagrange"]["value"] - 1e-6
assert vals["mip"]["value"] >= vals["lp"]["value"] - 1e-6
PY
n_pass=$((n_pass + 1))

# the assignment of one customer is that customer's rows of the whole one
"$XS" plan --db "$DB" --capacity "$SPEC" --solver mip --format csv >"$T/all.csv" || fail "csv"
C=$(sed -n 2p "$T/all.csv" | cut -d, -f1)
grep "^$C," "$T/all.csv" >"$T/want"
sed -i '1i customer_id,product,kind,channel,owner,timing,expected_value,engine_rank,greedy' "$T/want"
expect_out 0 "$T/want" -- "$XS" plan --db "$DB" --capacity "$SPEC" --solver mip --format csv --customer "$C"

# zero capacity everywhere: nothing is planned, value 0
"$XS" plan --db "$DB" --capacity 'email=0,in_app=0,csm=0,webinar=0,sns=0' --format json >"$T/zero.json" ||
    fail "zero"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); t=d['totals'][0]; assert t['assigned']==0 and t['value']==0 and t['greedy_value']==0, t" "$T/zero.json" ||
    fail "zero capacity plans nothing"
n_pass=$((n_pass + 1))

# build --capacity: a bad spec writes nothing (not even the build); a good
# one stores the plan, which GET /v1/plan serves
builds() { db_query "$DB" "SELECT count(*) FROM builds"; }
n0=$(builds)
expect_err 2 'xsell build: capacity:2: unknown channel "fax"' \
    "$XS" build --db "$DB" --capacity 'csm=2/owner, fax=1'
expect_eq "$(builds)" "$n0" "builds after a bad --capacity"
expect_eq "$(db_query "$DB" "SELECT count(*) FROM plans")" "0" "plans after a bad --capacity"
KEY=$("$XS" apikey create --db "$DB" --scope read | grep -o 'xs_[0-9a-f_]*' | head -1)
"$XS" serve --db "$DB" --listen 127.0.0.1:0 >"$T/srv.out" 2>"$T/srv.err" &
SRV=$!
i=0
while ! grep -q "^listening on" "$T/srv.out" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
PORT=$(sed -n 's/^listening on http:\/\/127.0.0.1://p' "$T/srv.out")
[ -n "$PORT" ] || { kill "$SRV"; fail "serve did not start"; }
get() {
    python3 - "$PORT" "$KEY" "$1" <<'PY'
import sys, urllib.request, urllib.error
req = urllib.request.Request("http://127.0.0.1:%s%s" % (sys.argv[1], sys.argv[3]),
                             headers={"Authorization": "Bearer " + sys.argv[2]})
try:
    r = urllib.request.urlopen(req)
    print(r.status, r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode())
PY
}
expect_eq "$(get /v1/plan)" "404 {\"error\":{\"code\":\"not_found\",\"message\":\"no plan stored: run 'xsell build --db FILE --capacity SPEC'\"}}" "GET /v1/plan before a plan"
"$XS" build --db "$DB" --capacity "$SPEC" >"$T/build.out" || { kill "$SRV"; fail "build --capacity"; }
grep -q '^plan stored: ' "$T/build.out" || { kill "$SRV"; fail "build: no plan line"; }
"$XS" plan --db "$DB" --capacity "$SPEC" --format json >"$T/now.json" || { kill "$SRV"; fail "plan"; }
get /v1/plan >"$T/api"
get "/v1/plan?customer=$C" >"$T/api_c"
get "/v1/plan?customer=nobody" >"$T/api_x"
kill -TERM "$SRV"
wait "$SRV"
python3 - "$T" "$C" "$SPEC" <<'PY' || fail "GET /v1/plan"
import json, sys
t, c, spec = sys.argv[1:]
now = json.load(open(t + "/now.json"))
st, body = open(t + "/api").read().split(" ", 1)
assert st == "200", st
api = json.loads(body)
assert api["capacity"] == spec
for k in ("value", "greedy_value", "assigned", "bound"):
    assert abs(api["totals"][k] - now["totals"][0][k]) < 1e-6, k
assert [(x["constraint"], x["owner"], x["used"], x["shadow_price"]) for x in api["constraints"]] == \
       [(x["constraint"], x["owner"], x["used"], x["shadow_price"]) for x in now["constraints"]]
st, body = open(t + "/api_c").read().split(" ", 1)
assert st == "200", st
mine = [a for a in now["assignment"] if a["customer_id"] == c]
assert json.loads(body)["assignment"] == mine and mine, (body, mine)
st, body = open(t + "/api_x").read().split(" ", 1)
assert st == "404" and json.loads(body)["error"]["code"] == "not_found", body
PY
n_pass=$((n_pass + 1))

# the candidates decided on 1 or 2 threads give the same plan (1,200
# customers: above the 1,000 under which one thread is used)
"$XS" demo --db "$DB2" --customers 1200 >/dev/null 2>&1 || fail "demo 1200"
"$XS" plan --db "$DB2" --capacity "$SPEC" --solver lagrange --threads 1 --format json >"$T/t1" ||
    fail "--threads 1"
"$XS" plan --db "$DB2" --capacity "$SPEC" --solver lagrange --threads 2 --format json >"$T/t2" ||
    fail "--threads 2"
python3 - "$T/t1" "$T/t2" <<'PY' || fail "threads 1 and 2 differ"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
for d in (a, b):
    for k in ("seconds_candidates", "seconds_greedy", "seconds_plan"):
        del d["totals"][0][k]
assert a == b
assert a["totals"][0]["assigned"] > 0
PY
n_pass=$((n_pass + 1))

expect_rc 0 "$XS" plan --help
