# The model file (docs/model.md): `xsell build` writes it beside the store
# (or to --out); recommend, targets, customers, kpi and rank read the same
# answers from it as from the store, with --model alone, with --db and
# --model, and with --db alone (the store's latest model while it is
# current); a damaged, foreign or missing model is refused with its message.
DB_O=$(new_db o)
"$XS" gen --out "$T/g" --customers 300 --seed 3 --holdout-days 90 >/dev/null 2>&1 ||
    fail "gen"
DB=$(new_db s)
for t in customers products subscriptions orders usage events offers; do
    "$XS" import --db "$DB" "$t" "$T/g/$t.csv" >/dev/null 2>&1 || fail "import $t"
done
if sqlite_only; then
    expect_rc 0 "$XS" build --db "$DB"
    [ -s "$DB.xsm" ] || fail "build wrote no model beside the store"
    expect_eq "$(sed -E 's/[0-9]+\.[0-9] s/#.# s/g' "$T/.err")" \
        "model stages: load #.# s, mine #.# s, scores #.# s, engine #.# s, targets #.# s, write #.# s
model $DB.xsm: $(wc -c <"$DB.xsm" | tr -d ' ') bytes" "build names the model beside the store"
else
    # a database has no file beside it: only --out writes a model
    expect_err 0 "xsell build: no model file written: give --out MODEL for a database server" \
        "$XS" build --db "$DB"
fi
expect_rc 0 "$XS" build --db "$DB" --out "$T/m.xsm"
expect_eq "$(sed -E 's/[0-9]+\.[0-9] s/#.# s/g' "$T/.err")" \
    "model stages: load #.# s, mine #.# s, scores #.# s, engine #.# s, targets #.# s, write #.# s
model $T/m.xsm: $(wc -c <"$T/m.xsm" | tr -d ' ') bytes" "build --out names the model"

# --- the same answers with and without the model ----------------------------
# --db alone now reads the latest model ($T/m.xsm); the store's own answers
# are taken with the model files out of the way
for f in recommend targets customers kpi; do
    case $f in
    recommend) args="--all --show-suppressed --format csv" ;;
    customers) args="--format csv" ;;
    *) args="--format csv" ;;
    esac
    "$XS" $f --model "$T/m.xsm" $args >"$T/$f.model" 2>"$T/$f.model.err" || fail "$f --model"
    [ -s "$T/$f.model" ] || fail "$f --model: empty output"
    expect_out 0 "$T/$f.model" -- "$XS" $f --db "$DB" --model "$T/m.xsm" $args
    expect_out 0 "$T/$f.model" -- "$XS" $f --db "$DB" $args
done
"$XS" rank --model "$T/m.xsm" --all --as-of 2026-09-01 --format csv >"$T/rank.model" 2>&1 ||
    fail "rank --model"
mv "$T/m.xsm" "$T/m.keep" || fail "mv"
if sqlite_only; then mv "$DB.xsm" "$T/s.keep" || fail "mv"; fi
for f in recommend targets customers kpi; do
    case $f in
    recommend) args="--all --show-suppressed --format csv" ;;
    *) args="--format csv" ;;
    esac
    expect_out 0 "$T/$f.model" -- "$XS" $f --db "$DB" $args
done
expect_out 0 "$T/rank.model" -- "$XS" rank --db "$DB" --all --as-of 2026-09-01 --format csv
mv "$T/m.keep" "$T/m.xsm" || fail "mv"

# other settings than the model's: an engine built on its snapshot, said once
# (one line: the guardrail summary that follows is the engine's own output)
expect_err_line 0 "xsell recommend: the model $T/m.xsm was built with other settings or as of another day: deciding with the store's build on its snapshot" \
    "$XS" recommend --db "$DB" --model "$T/m.xsm" --all --as-of 2026-09-15
"$XS" recommend --db "$DB" --all --as-of 2026-09-15 --format csv >"$T/asof.want" 2>/dev/null
expect_out 0 "$T/asof.want" -- "$XS" recommend --db "$DB" --model "$T/m.xsm" --all \
    --as-of 2026-09-15 --format csv
expect_err 0 "xsell customers: the model $T/m.xsm was built with other settings or as of another day: scoring its snapshot
xsell customers: no CLV: Gamma-Gamma fit did not converge" \
    "$XS" customers --model "$T/m.xsm" --no-churn

# a store changed since its build no longer reads its model: the answer
# with other settings says nothing about a model
"$XS" import --db "$DB" customers "$T/g/customers.csv" >/dev/null 2>&1 || fail "re-import"
"$XS" recommend --db "$DB" --all --as-of 2026-09-15 >/dev/null 2>"$T/.err" || fail "recommend"
grep -q "the model" "$T/.err" && fail "a stale model was read"
n_pass=$((n_pass + 1))

# --- refused models -----------------------------------------------------------
expect_err 2 "xsell recommend: $T/none.xsm: no such model file" \
    "$XS" recommend --model "$T/none.xsm" --all
if sqlite_only; then
    expect_err 2 "xsell kpi: $DB: not an xsell model file" "$XS" kpi --model "$DB"
fi
size=$(wc -c <"$T/m.xsm")
head -c 1000 "$T/m.xsm" >"$T/short.xsm"
expect_err 2 "xsell targets: $T/short.xsm: truncated: 1000 of $size bytes" \
    "$XS" targets --model "$T/short.xsm"
python3 - "$T/m.xsm" "$T/flip.xsm" "$T/v3.xsm" <<'EOF' || fail "python3"
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
f = bytearray(b); f[len(f) // 2] ^= 0x01
open(sys.argv[2], 'wb').write(f)
v = bytearray(b); v[8] = 3
open(sys.argv[3], 'wb').write(v)
EOF
expect_err 2 "xsell customers: $T/flip.xsm: checksum mismatch (the file is corrupted)" \
    "$XS" customers --model "$T/flip.xsm"
expect_err 1 "xsell recommend: $T/v3.xsm: format version 3, this xsell reads version 2: run 'xsell build' again" \
    "$XS" recommend --model "$T/v3.xsm" --all
# a model of another store
for t in customers products; do
    "$XS" import --db "$DB_O" "$t" "$T/g/$t.csv" >/dev/null 2>&1 || fail "import $t"
done
"$XS" build --db "$DB_O" --out "$T/o.xsm" >/dev/null 2>&1 || fail "build other"
# (store ids are random: shown here as ID)
expect_rc 2 "$XS" recommend --db "$DB" --model "$T/o.xsm" --all
expect_eq "$(sed -E 's/[0-9a-f]{32}/ID/g' "$T/.err")" \
    "xsell recommend: $T/o.xsm: built from another store (store id ID, this store's is ID)" \
    "recommend: a model of another store"
expect_rc 2 "$XS" kpi --db "$DB" --model "$T/o.xsm"
expect_eq "$(sed -E 's/[0-9a-f]{32}/ID/g' "$T/.err")" \
    "xsell kpi: $T/o.xsm: built from another store (store id ID, this store's is ID)" \
    "kpi: a model of another store"
expect_err 2 "xsell recommend: --log writes to the store: give --db FILE
try 'xsell recommend --help'" \
    "$XS" recommend --model "$T/m.xsm" --all --log
expect_err 2 "xsell build: unknown option \"--outt\"
try 'xsell build --help'" "$XS" build --db "$DB" --outt x
# (the temporary file is named by the process id: shown here as PID)
expect_rc 1 "$XS" build --db "$DB" --out "$T/nodir/m.xsm"
expect_eq "$(sed -E 's/\.tmp-[0-9]+/.tmp-PID/' "$T/.err")" \
    "xsell build: $T/nodir/m.xsm: cannot create $T/nodir/m.xsm.tmp-PID: No such file or directory" \
    "build --out into a missing directory"

# --- a build that offers nothing says why -------------------------------------
# the same company with every consent column left out (so consent is 0): no
# candidate may be sent, and build says how many consent held back, the
# figures of recommend's guardrail summary
NC=$(new_db noconsent)
mkdir -p "$T/nc"
cp "$T"/g/*.csv "$T/nc/"
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i !~ /^consent_/) keep[++n] = i }
         { line = ""; for (j = 1; j <= n; j++) line = line (j > 1 ? "," : "") $keep[j]; print line }' \
    "$T/g/customers.csv" >"$T/nc/customers.csv"
grep -q consent_ "$T/nc/customers.csv" && fail "the consent columns are still there"
[ "$(awk -F, '{ print NF }' "$T/nc/customers.csv" | sort -u)" = 10 ] ||
    fail "customers.csv: a field holds a comma, awk cannot cut it"
for t in customers products subscriptions orders usage events offers; do
    "$XS" import --db "$NC" "$t" "$T/nc/$t.csv" >/dev/null 2>&1 || fail "import $t without consent"
done
expect_rc 0 "$XS" build --db "$NC" --out "$T/nc.xsm"
cp "$T/.err" "$T/nc-build.err"
expect_rc 0 "$XS" recommend --model "$T/nc.xsm" --all --format csv
cand=$(sed -n 's/^guardrail summary: [0-9]* customers, \([0-9]*\) candidates$/\1/p' "$T/.err")
held=$(awk '$1 == "consent" { print $2 }' "$T/.err")
[ -n "$cand" ] && [ -n "$held" ] && [ "$held" -gt 0 ] || fail "recommend: no consent count ($cand, $held)"
expect_eq "$(awk '$1 == "offered" { print $2 }' "$T/.err")" 0 "without consent nothing is offered"
expect_eq "$(grep '^warning' "$T/nc-build.err")" \
    "warning: no offer made: $held of $cand candidates held back because their customer consented to no channel (the customers' consent_* columns; an order log: import transactions --consent CHANNELS)" \
    "build without consent says why nothing is offered"
expect_rc 0 "$XS" build --db "$DB" --out "$T/m-again.xsm"
expect_eq "$(grep -c '^warning' "$T/.err")" 0 "build with consent: no such warning"

# --- the churn model's training sample (--churn-max-train) --------------------
# the store's churn model trains at its cutoff on fewer customers than the
# default cap: 0 (every one) builds the same file's answers; a cap of 40
# trains on a sample: other churn risks in customers, the same decisions
# (the engine does not read the model's scores)
for cap in 0 40; do
    expect_rc 0 "$XS" build --db "$DB" --out "$T/cap$cap.xsm" --churn-max-train $cap
    for f in recommend targets customers; do
        "$XS" $f --model "$T/cap$cap.xsm" --format csv $([ $f = recommend ] && echo --all) \
            >"$T/$f.cap$cap" 2>/dev/null || fail "$f --model cap$cap.xsm"
    done
done
for f in recommend targets customers; do
    "$XS" $f --model "$T/m-again.xsm" --format csv $([ $f = recommend ] && echo --all) \
        >"$T/$f.capdef" 2>/dev/null || fail "$f --model m-again.xsm"
    cmp -s "$T/$f.capdef" "$T/$f.cap0" || fail "$f: --churn-max-train 0 differs within the cap"
done
cmp -s "$T/recommend.capdef" "$T/recommend.cap40" || fail "recommend: the cap changed a decision"
cmp -s "$T/targets.capdef" "$T/targets.cap40" || fail "targets: the cap changed the ranking"
cmp -s "$T/customers.capdef" "$T/customers.cap40" && fail "customers: a 40-customer sample gave every churn risk of all"
n_pass=$((n_pass + 1))
expect_err 2 "xsell build: --churn-max-train: not an integer: \"x\"
try 'xsell build --help'" "$XS" build --db "$DB" --churn-max-train x
expect_err 2 "xsell build: --churn-max-train: -1 is out of range [0, 1000000000]
try 'xsell build --help'" "$XS" build --db "$DB" --churn-max-train -1
