# xsell serve: usage errors, start on an ephemeral port, a busy port, an
# empty store, SIGTERM. The HTTP routes themselves are tested by
# tests/unit/test_serve_http.c (a plain-socket client, no curl needed).
DB=$(new_db e)

expect_err 2 "xsell serve: --db FILE is required
try 'xsell serve --help'" "$XS" serve
expect_err 2 "xsell serve: $T/none.db: no such store" "$XS" serve --db "$T/none.db"
expect_err 2 "xsell serve: unknown option \"--bogus\"
try 'xsell serve --help'" "$XS" serve --db x --bogus
expect_err 2 "xsell serve: unexpected argument \"extra\"
try 'xsell serve --help'" "$XS" serve --db x extra
expect_err 2 "xsell serve: --threads: 0 is out of range [1, 256]
try 'xsell serve --help'" "$XS" serve --db x --threads 0
expect_err 2 "xsell serve: --model-poll goes with --model
try 'xsell serve --help'" "$XS" serve --db x --model-poll 5
expect_err 2 "xsell serve: --model-poll: 3601 is out of range [0, 3600]
try 'xsell serve --help'" \
    "$XS" serve --db x --model x.xsm --model-poll 3601
expect_err 2 "xsell serve: --max-body: not an integer: \"1k\"
try 'xsell serve --help'" "$XS" serve --db x --max-body 1k
expect_err 2 "xsell serve: --listen needs a value
try 'xsell serve --help'" "$XS" serve --db x --listen
"$XS" serve --help >"$T/help" || fail "serve --help"
grep -q "^usage: xsell serve --db FILE" "$T/help" || fail "serve --help: no usage line"

# an empty store (created by apikey create) serves; bad addresses are
# refused before anything listens. --web: a dashboard of one file, so that
# stderr does not depend on whether `make web` has built web/dist
"$XS" apikey create --db "$DB" --scope read >/dev/null || fail "apikey create"
mkdir "$T/web" && echo '<!doctype html>' >"$T/web/index.html" || fail "web dir"
expect_err 2 'xsell serve: --listen: expected HOST:PORT, got "localhost"' \
    "$XS" serve --db "$DB" --web "$T/web" --listen localhost
expect_err 2 'xsell serve: --listen: expected an IPv4 HOST:PORT, got "1.2.3:80"' \
    "$XS" serve --db "$DB" --web "$T/web" --listen 1.2.3:80
expect_err 2 'xsell serve: --listen: expected an IPv4 HOST:PORT, got "127.0.0.1:70000"' \
    "$XS" serve --db "$DB" --web "$T/web" --listen 127.0.0.1:70000

# port 0: the bound port is printed; a second server on it fails (exit 1);
# SIGTERM stops the first with exit 0
"$XS" serve --db "$DB" --listen 127.0.0.1:0 >"$T/out" 2>"$T/err" &
pid=$!
i=0
while ! grep -q "^listening on" "$T/out" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
line=$(cat "$T/out")
port=${line##*:}
case "$line" in
"listening on http://127.0.0.1:$port") n_pass=$((n_pass + 1)) ;;
*) kill "$pid"; fail "serve printed \"$line\"" ;;
esac
expect_err 1 "xsell serve: --listen: cannot listen on 127.0.0.1:$port" \
    "$XS" serve --db "$DB" --web "$T/web" --listen "127.0.0.1:$port"
kill -TERM "$pid"
wait "$pid"
expect_eq "$?" 0 "exit status after SIGTERM"
grep -q "^xsell serve: SIGTERM: stopping$" "$T/err" || fail "no stopping line: $(cat "$T/err")"
