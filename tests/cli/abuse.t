# bench/bench_abuse.sh in its short form (issue 15): the same attacks as the
# benchmark (odd bytes, slowloris and idle connection floods at 2x and 4x
# --max-connections, wrk request floods up to 4x) against the real server,
# 1 s each, on a 300-customer demo. ABUSE_CHECK=1 makes the script fail when
# the well-behaved clients get under 0.1 of their rate alone, /healthz takes
# over 1 s or recovery over 1 s: the bounds a sanitizer build on a shared
# machine keeps; the server before src/serve/admit.c broke all of them.
# The finer checks are tests/unit/test_serve_abuse.c. Needs wrk, curl and
# cc (scripts/install-deps --bench); skipped without them.
for tool in wrk curl cc; do
    command -v "$tool" >/dev/null 2>&1 || skip "bench_abuse.sh needs $tool"
done
ABUSE_CHECK=1 sh "$SRC/bench/bench_abuse.sh" "$XS" 300 1 >"$T/abuse.out" 2>"$T/abuse.err"
rc=$?
[ $rc = 77 ] && skip "bench_abuse.sh: a tool is missing"
if [ $rc != 0 ]; then
    cat "$T/abuse.out" "$T/abuse.err" >&2
    fail "bench_abuse.sh short form: exit $rc"
fi
grep -q "^slowloris x1024 " "$T/abuse.out" || fail "bench_abuse.sh ran no slowloris x1024"
grep -q "^wrk -c1024 " "$T/abuse.out" || fail "bench_abuse.sh ran no request flood at 4x"
n_pass=$((n_pass + 1))
