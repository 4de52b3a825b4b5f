# The web dashboard (docs/dashboard.md): `xsell serve --web DIR` on a
# generated store of 300 customers, driven end to end in headless Chromium by
# tests/e2e/dashboard.e2e.mjs (playwright-core from web/node_modules, Debian's
# /usr/bin/chromium; both installed by scripts/install-deps); then every
# route of the API answered and checked against docs/openapi.json by
# tests/e2e/api.e2e.mjs (Ajv from web/node_modules), which runs even with
# XS_SKIP_E2E=1. The page is
# built from web/src into $T/dist, so the test always sees the current
# sources. Screenshots go to e2e-dashboard/ in the build directory when run
# by CTest (else to $T). XS_SKIP_E2E=1 skips the browser part (only for
# machines that cannot install Chromium: it is the dashboard's only test).
DB=$(new_db x)

"$XS" serve --help >"$T/help" || fail "serve --help"
grep -q "^  --web DIR  " "$T/help" || fail "serve --help: no --web DIR"

node --version >/dev/null 2>&1 || fail "node is not installed (scripts/install-deps)"
[ -d "$SRC/web/node_modules/chart.js" ] && [ -d "$SRC/web/node_modules/playwright-core" ] &&
    [ -d "$SRC/web/node_modules/ajv" ] && [ -d "$SRC/web/node_modules/ajv-formats" ] ||
    fail "$SRC/web/node_modules is incomplete: run \"npm ci\" in web/ (scripts/install-deps)"
node "$SRC/web/build.mjs" "$T/dist" >"$T/build.out" 2>&1 || { cat "$T/build.out" >&2; fail "web/build.mjs"; }
for f in index.html assets/app.js assets/app.css assets/chart.umd.min.js; do
    [ -s "$T/dist/$f" ] || fail "web/build.mjs wrote no $f"
done
n_pass=$((n_pass + 1))

# start_server WEBDIR: starts xsell serve on a free port; sets pid and url
start_server() {
    : >"$T/serve.out" # truncated here: the child's own redirection may come late
    "$XS" serve --db "$DB" --listen 127.0.0.1:0 --web "$1" >"$T/serve.out" 2>"$T/serve.err" &
    pid=$!
    i=0
    while ! grep -q "^listening on http://.*:[0-9]" "$T/serve.out" && kill -0 "$pid" 2>/dev/null &&
        [ $i -lt 600 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    url=$(sed -n 's/^listening on //p' "$T/serve.out")
    [ -n "$url" ] || {
        kill "$pid" 2>/dev/null
        cat "$T/serve.out" "$T/serve.err" >&2
        fail "serve --web $1 did not start"
    }
}
stop_server() {
    kill -TERM "$pid"
    wait "$pid"
    src=$?
    [ $src = 0 ] || { cat "$T/serve.err" >&2; fail "serve exited $src"; }
}

"$XS" demo --customers 300 --db "$DB" >"$T/demo.out" 2>&1 || { cat "$T/demo.out" >&2; fail "demo"; }
# a plan under capacity for the plan panel (docs/plan.md)
"$XS" build --db "$DB" --capacity 'csm=2/owner, email=40, in_app=40' >"$T/build.out" 2>&1 ||
    { cat "$T/build.out" >&2; fail "build --capacity"; }
key=$("$XS" apikey create --db "$DB" --scope read --note e2e) || fail "apikey create"
# the actions (docs/dashboard.md "Acting"): a write key, and an admin key for the audit log
key_write=$("$XS" apikey create --db "$DB" --scope write --note e2e-write) || fail "apikey create write"
key_admin=$("$XS" apikey create --db "$DB" --scope admin --note e2e-admin) || fail "apikey create admin"
"$XS" customers --db "$DB" --format json >"$T/customers.json" 2>/dev/null || fail "customers"

# without the built files / answers 404 and says how to build them
start_server "$T/none"
grep -qxF "xsell serve: no dashboard at $T/none (index.html missing): the API works, GET / answers 404; run \`make web\` or pass --web DIR" "$T/serve.err" ||
    { cat "$T/serve.err" >&2; fail "serve says at start-up that the dashboard files are missing"; }
node -e 'fetch(process.argv[1]).then(async (r) => console.log(r.status, await r.text()))' "$url/" >"$T/none.out" 2>&1
stop_server
expect_eq "$(cat "$T/none.out")" "404 {\"error\":{\"code\":\"not_found\",\"message\":\"dashboard not built: $T/none/index.html is missing (run \`make web\`, or pass --web DIR)\"}}" \
    "GET / without web/dist"

# the browser test, then every route against docs/openapi.json
# (tests/e2e/api.e2e.mjs) on the same server: both change the store
start_server "$T/dist"
if [ "${XS_SKIP_E2E:-0}" = 1 ]; then
    skip "the browser test (XS_SKIP_E2E=1); the checks above passed"
else
    [ -x "${XS_CHROMIUM:-/usr/bin/chromium}" ] ||
        fail "${XS_CHROMIUM:-/usr/bin/chromium} is not installed (apt-get install chromium; scripts/install-deps)"
    out="$T/shots"
    [ -f CTestTestfile.cmake ] && out="$PWD/e2e-dashboard"
    mkdir -p "$out" || fail "mkdir $out"
    XS_URL="$url" XS_KEY="$key" XS_KEY_WRITE="$key_write" XS_KEY_ADMIN="$key_admin" XS_OUT="$out" XS_CUSTOMERS="$T/customers.json" timeout 300 node "$SRC/tests/e2e/dashboard.e2e.mjs" >"$T/e2e.out" 2>&1
    rc=$?
    cat "$T/e2e.out"
    [ $rc = 0 ] || { stop_server; fail "tests/e2e/dashboard.e2e.mjs exited $rc"; }
    [ -s "$out/dashboard.png" ] || { stop_server; fail "no screenshot $out/dashboard.png"; }
    n_pass=$((n_pass + 1))
fi
XS_URL="$url" XS_KEY="$key" XS_KEY_WRITE="$key_write" XS_KEY_ADMIN="$key_admin" timeout 120 node "$SRC/tests/e2e/api.e2e.mjs" >"$T/api.out" 2>&1
rc=$?
stop_server
cat "$T/api.out"
[ $rc = 0 ] || fail "tests/e2e/api.e2e.mjs exited $rc"
n_pass=$((n_pass + 1))
