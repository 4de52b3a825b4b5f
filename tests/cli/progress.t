# The progress bar (src/base/progress.c): on a terminal every long stage of
# build, recommend --all, targets, customers, kpi, rank --all and churn
# eval/train draws its bar on stderr; in a pipe nothing is drawn. The
# terminal is a pty from util-linux script(1); XS_PROGRESS_AFTER=0 (test
# only) draws at once instead of after a second, so a small store shows
# every bar.
command -v script >/dev/null 2>&1 || skip "script(1) from util-linux is not installed"
# (SQLite only: the bar does not depend on the backend, CMakeLists.txt)
DB=$(new_db p)
"$XS" demo --customers 300 --db "$DB" >"$T/demo.out" 2>&1 || { cat "$T/demo.out" >&2; fail "demo"; }

# on_tty NAME CMD: runs CMD (stdout to $T/NAME.out) with stderr on a pty;
# what the terminal saw, carriage returns as newlines, goes to $T/NAME.tty
on_tty() {
    name=$1
    shift
    env -u XS_NO_PROGRESS XS_PROGRESS_AFTER=0 script -qec "$* >$T/$name.out" /dev/null >"$T/$name.raw" 2>&1 ||
        { cat "$T/$name.raw" >&2; fail "$name under a pty"; }
    tr '\r' '\n' <"$T/$name.raw" >"$T/$name.tty"
}
# bar NAME START: the terminal of NAME showed a line starting with START
# (a basic regular expression)
bar() {
    grep -q "^$2" "$T/$1.tty" || { cat "$T/$1.tty" >&2; fail "$1: no \"$2\" bar on the terminal"; }
    n_pass=$((n_pass + 1))
}

on_tty build "$XS build --db $DB"
bar build "scores "
bar build "engine "
bar build "targets \\["
bar build "writing the model "
grep -q "^built " "$T/build.out" || fail "build: its line on stdout"

on_tty recommend "$XS recommend --db $DB --all --format csv"
bar recommend "offers \\["
# the aligned table: its two passes, the offers decided, then written
on_tty recommend_table "$XS recommend --db $DB --all"
bar recommend_table "offers \\["
bar recommend_table "writing \\["
on_tty targets "$XS targets --db $DB --format csv"
bar targets "targets \\["
bar targets "writing \\["
on_tty customers "$XS customers --db $DB --format csv"
bar customers "customers \\["
on_tty kpi "$XS kpi --db $DB"
bar kpi "kpi "
on_tty rank "$XS rank --db $DB --all --as-of 2026-07-01 --format csv"
bar rank "ranking \\["
C="$SRC/tests/data/churn/customers.csv"
on_tty churn_eval "$XS churn eval --input $C --id customer_id --label churned"
bar churn_eval "cross-validation \\["
on_tty churn_train "$XS churn train --input $C --id customer_id --label churned --model $T/m.json"
bar churn_train "training "
# the bar is a line of its own, cleared when the stage ends: stdout is
# untouched
expect_eq "$(head -c 15 "$T/targets.out")" "rank,customer_i" "targets: stdout has no bar"

# in a pipe: nothing drawn, not even with the threshold at 0
env -u XS_NO_PROGRESS XS_PROGRESS_AFTER=0 "$XS" build --db "$DB" 2>&1 >/dev/null | cat >"$T/pipe.err"
env -u XS_NO_PROGRESS XS_PROGRESS_AFTER=0 "$XS" recommend --db "$DB" --all --format csv 2>>"$T/pipe.err" | cat >/dev/null
if grep -q "$(printf '\r')" "$T/pipe.err" || grep -q "$(printf '\033')" "$T/pipe.err"; then
    cat "$T/pipe.err" >&2
    fail "a bar was drawn into a pipe"
fi
n_pass=$((n_pass + 1))
# XS_NO_PROGRESS=1 turns it off on a terminal too
XS_NO_PROGRESS=1 XS_PROGRESS_AFTER=0 script -qec "$XS recommend --db $DB --all --format csv >/dev/null" /dev/null >"$T/off.raw" 2>&1 ||
    fail "recommend with XS_NO_PROGRESS=1"
if grep -q "$(printf '\r')offers" "$T/off.raw"; then fail "XS_NO_PROGRESS=1: a bar was drawn"; fi
n_pass=$((n_pass + 1))
