# xsell store init --citus on plain PostgreSQL with stand-ins for the Citus
# functions (tests/pg/citus-stub.sql records every call; Citus itself is not
# packaged in Debian): the exact calls, the re-keyed primary keys, every
# key of a distributed table holding its distribution column, and the
# demo company imported into the distributed store recommending exactly
# what it recommends from a plain one. Skipped without PostgreSQL.
PGDIR=$(mktemp -d /tmp/xsell-pg-citus.XXXXXX) || fail "mktemp"
trap '"$SRC/tests/pg/pg-test-server" stop "$PGDIR" >/dev/null 2>&1; rm -rf "$T"' EXIT
URL=$("$SRC/tests/pg/pg-test-server" start "$PGDIR")
rc=$?
[ "$rc" = 77 ] && skip "no PostgreSQL server binaries installed"
[ "$rc" = 0 ] || fail "cannot start a PostgreSQL server"
command -v psql >/dev/null 2>&1 || skip "psql not installed"
CURL="postgresql://postgres@/citus?host=$PGDIR&port=5432"
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
sql "$URL" -c "CREATE DATABASE citus" || fail "CREATE DATABASE"
# without Citus: refused, nothing distributed
expect_err 2 "xsell store: $CURL: Citus is not installed in this database (CREATE EXTENSION citus)" \
    "$XS" store init --db "$CURL" --citus
sql "$CURL" -f "$SRC/tests/pg/citus-stub.sql" || fail "installing the stubs"
expect_err 0 'xsell store: distributed the store for Citus' "$XS" store init --db "$CURL" --citus
cat >"$T/want_calls" <<'END'
create_reference_table(meta)
create_reference_table(schema_migrations)
create_reference_table(products)
create_reference_table(api_keys)
create_reference_table(builds)
create_reference_table(experiments)
create_reference_table(replays)
create_reference_table(plans)
create_reference_table(webhooks)
create_reference_table(webhook_deliveries)
create_reference_table(audit_log)
create_distributed_table(customers, customer_id, default)
create_distributed_table(subscriptions, customer_id, customers)
create_distributed_table(orders, customer_id, customers)
create_distributed_table(usage, customer_id, customers)
create_distributed_table(events, customer_id, customers)
create_distributed_table(offers, customer_id, customers)
create_distributed_table(churn_scores, customer_id, customers)
create_distributed_table(decisions, customer_id, customers)
create_distributed_table(plan_assignments, customer_id, customers)
create_distributed_table(anonymous_orders, order_id, none)
create_distributed_table(returns, return_id, none)
END
expect_out 0 "$T/want_calls" -- sql "$CURL" -c "SELECT call FROM citus_calls ORDER BY n"
# the calls are those --print shows
"$XS" store init --citus --print | grep "^SELECT create_" |
    sed "s/^SELECT //; s/'//g; s/colocate_with => //; s/);$/)/" >"$T/printed"
sed 's/(customers, customer_id, default)/(customers, customer_id)/' "$T/want_calls" >"$T/want_printed"
expect_out 0 "$T/want_printed" -- cat "$T/printed"
# the re-keyed primary keys (customer_id first), the others as they were
cat >"$T/want_keys" <<'END'
anonymous_orders|PRIMARY KEY (order_id, product_id)
api_keys|PRIMARY KEY (key_id)
audit_log|PRIMARY KEY (audit_id)
builds|PRIMARY KEY (build_id)
churn_scores|PRIMARY KEY (customer_id)
customers|PRIMARY KEY (customer_id)
decisions|PRIMARY KEY (customer_id, decision_id)
events|PRIMARY KEY (customer_id, date, type, ref)
experiments|PRIMARY KEY (name)
meta|PRIMARY KEY (key)
offers|PRIMARY KEY (customer_id, offer_id)
orders|PRIMARY KEY (customer_id, order_id, product_id)
plan_assignments|PRIMARY KEY (customer_id)
plans|PRIMARY KEY (plan_id)
products|PRIMARY KEY (product_id)
replays|PRIMARY KEY (replay_id)
returns|PRIMARY KEY (return_id, product_id)
schema_migrations|PRIMARY KEY (version)
subscriptions|PRIMARY KEY (customer_id, product_id, start_date)
usage|PRIMARY KEY (customer_id, product_id, metric, date)
webhook_deliveries|PRIMARY KEY (delivery_id)
webhooks|PRIMARY KEY (webhook_id)
END
expect_out 0 "$T/want_keys" -- sql "$CURL" -c "SELECT c.conrelid::regclass::text,
    pg_get_constraintdef(c.oid) FROM pg_constraint c
    WHERE c.connamespace = 'public'::regnamespace AND c.contype IN ('p', 'u')
    AND c.conrelid::regclass::text NOT IN ('citus_calls') ORDER BY 1, 2"
# Citus's rule, checked on the catalog: no key of a hash-distributed table
# lacks its distribution column, and no foreign key exists at all
printf '0\n' >"$T/zero"
expect_out 0 "$T/zero" -- sql "$CURL" -c "SELECT count(*) FROM pg_dist_partition p
    JOIN pg_constraint c ON c.conrelid = p.logicalrelid AND c.contype IN ('p', 'u')
    WHERE p.partmethod = 'h' AND NOT EXISTS (SELECT 1 FROM pg_attribute a
      WHERE a.attrelid = p.logicalrelid AND a.attname = p.partkey
      AND a.attnum = ANY (c.conkey))"
expect_out 0 "$T/zero" -- sql "$CURL" -c "SELECT count(*) FROM pg_constraint
    WHERE connamespace = 'public'::regnamespace AND contype = 'f'"
# once distributed, init leaves it alone
expect_err 0 'xsell store: the store is already distributed' "$XS" store init --db "$CURL" --citus
expect_out 0 "$T/want_calls" -- sql "$CURL" -c "SELECT call FROM citus_calls ORDER BY n"
# the demo company into a plain and the distributed store: the same answers
"$XS" gen --out "$T/co" --customers 150 >/dev/null 2>&1 || fail "gen"
for t in customers products subscriptions orders usage events offers; do
    expect_rc 0 "$XS" import --db "$URL" "$t" "$T/co/$t.csv"
    expect_rc 0 "$XS" import --db "$CURL" "$t" "$T/co/$t.csv"
done
n_orders=$(($(wc -l <"$T/co/orders.csv") - 1))
expect_err 0 "imported $T/co/orders.csv: $n_orders rows (0 new, 0 updated, $n_orders unchanged) in #.# s" "$XS" import --db "$CURL" orders "$T/co/orders.csv"
expect_rc 0 "$XS" build --db "$URL"
expect_rc 0 "$XS" build --db "$CURL"
"$XS" recommend --db "$URL" --all --format csv >"$T/want_rec" 2>/dev/null || fail "recommend on the plain store"
[ -s "$T/want_rec" ] || fail "no recommendations"
expect_out 0 "$T/want_rec" -- "$XS" recommend --db "$CURL" --all --format csv
"$XS" targets --db "$URL" --format csv >"$T/want_tgt" 2>/dev/null || fail "targets on the plain store"
expect_out 0 "$T/want_tgt" -- "$XS" targets --db "$CURL" --format csv
# info: rows equal to the plain store's, placement from pg_dist_partition
expect_rc 0 "$XS" store info --db "$URL" --format csv
cut -d, -f1,2 "$T/.out" >"$T/want_rows"
expect_rc 0 "$XS" store info --db "$CURL" --format csv
cp "$T/.out" "$T/info.csv"
cut -d, -f1,2 "$T/info.csv" >"$T/got_rows"
expect_out 0 "$T/want_rows" -- cat "$T/got_rows"
grep -qx "orders,$n_orders,distributed(customer_id)" "$T/info.csv" || fail "orders placement: $(cat "$T/info.csv")"
grep -qx "returns,0,distributed(return_id)" "$T/info.csv" || fail "returns placement"
grep -qx "products,$(($(wc -l <"$T/co/products.csv") - 1)),reference" "$T/info.csv" || fail "products placement"
expect_rc 0 "$XS" store info --db "$CURL"
expect_eq "$(sed -n 6p "$T/.out")" "citus           yes" "citus on the stubbed store"
# a flat order log: returns and anonymous baskets land in the tables
# distributed by their own id, and read back as from the plain store
MAP="--map Invoice=order_id --map StockCode=product_id --map Description=product_name
     --map Quantity=quantity --map InvoiceDate=date --map Price=unit_price
     --map Customer_ID=customer_id"
sed '1s/Customer ID/Customer_ID/' "$SRC/tests/data/transactions/shop.csv" >"$T/shop.csv"
for u in "$URL" "$CURL"; do
    # shellcheck disable=SC2086
    expect_rc 0 "$XS" import --db "$u" transactions "$T/shop.csv" $MAP --return-prefix C
done
for what in "export returns" "export anonymous_orders" "export orders" "together --format csv"; do
    # shellcheck disable=SC2086
    "$XS" $what --db "$URL" >"$T/want_x" 2>/dev/null || fail "$what on the plain store"
    # shellcheck disable=SC2086
    expect_out 0 "$T/want_x" -- "$XS" $what --db "$CURL"
done
expect_rc 0 "$XS" store info --db "$CURL" --format csv
grep -qx "returns,1,distributed(return_id)" "$T/.out" || fail "returns rows: $(cat "$T/.out")"
grep -qx "anonymous_orders,2,distributed(order_id)" "$T/.out" || fail "anonymous_orders rows"
