# xsell serve: the limits that hold the server under abuse (src/serve/admit.c,
# docs/api.md "Limits under load"): bad values of the flags are usage errors
# with exact messages. Their behaviour is tested by
# tests/unit/test_serve_abuse.c (slow clients, floods, per-address cap).

expect_err 2 "xsell serve: --request-timeout: 0 is out of range [1, 3600]
try 'xsell serve --help'" \
    "$XS" serve --db x --request-timeout 0
expect_err 2 "xsell serve: --request-timeout: not an integer: \"5s\"
try 'xsell serve --help'" \
    "$XS" serve --db x --request-timeout 5s
expect_err 2 "xsell serve: --max-per-address: 0 is out of range [1, 100000]
try 'xsell serve --help'" \
    "$XS" serve --db x --max-per-address 0
expect_err 2 "xsell serve: --max-per-address: not an integer: \"x\"
try 'xsell serve --help'" \
    "$XS" serve --db x --max-per-address x
"$XS" serve --help >"$T/help" || fail "serve --help"
grep -q "^  --request-timeout S " "$T/help" || fail "serve --help: no --request-timeout"
grep -q "^  --max-per-address N " "$T/help" || fail "serve --help: no --max-per-address"
