#!/bin/sh
# Runs one CLI golden test: tests/cli/NAME.t is a shell script that gets
#   $XS   the xsell binary under test
#   $T    a fresh temporary directory (removed afterwards)
#   $SRC  the source tree (for fixtures under tests/cli/data)
# and the helpers below. It fails on the first failed expectation.
#
# The backend under test is SQLite unless XS_TEST_BACKEND=pg: then XS_TEST_PG
# is the URL of a PostgreSQL test server (tests/pg/pg-test-server, the CTest
# fixture "pg"), new_db makes each store a fresh database there, and the
# test is skipped (exit 77) when no server can be had.
set -u
XS="$1"
SCRIPT="$2"
SRC="${XS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
T=$(mktemp -d)
BACKEND=${XS_TEST_BACKEND:-sqlite}
export XS T SRC BACKEND XS_NO_PROGRESS=1
n_pass=0

# The databases new_db made on the test server, one name a line in
# $T/.pg_dbs, are dropped when the test ends, pass or fail.
cleanup() {
    if [ -s "$T/.pg_dbs" ]; then
        while read -r name; do
            pg_admin "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1
        done <"$T/.pg_dbs"
    fi
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
# pg_admin SQL: runs SQL on the test server's maintenance database.
pg_admin() {
    psql -X -q -v ON_ERROR_STOP=1 -d "$XS_TEST_PG" -c "$1"
}

fail() {
    echo "FAIL: $*" >&2
    echo "0 passed, 1 failed"
    exit 1
}
# expect_out EXPECTED_EXIT EXPECTED_STDOUT_FILE -- cmd...: stdout must equal the file
expect_out() {
    want_rc=$1; want=$2; shift 3
    "$@" >"$T/.out" 2>"$T/.err"; rc=$?
    [ "$rc" = "$want_rc" ] || { cat "$T/.err" >&2; fail "$*: exit $rc, want $want_rc"; }
    diff -u "$want" "$T/.out" >&2 || fail "$*: stdout differs from $want"
    n_pass=$((n_pass + 1))
}
# expect_err EXPECTED_EXIT "EXPECTED STDERR" cmd...: stderr must be exactly
# the text (every line; a message of two lines is written with a newline in
# the quotes), or empty when the text is. Durations differ from run to run:
# a number of seconds as the CLI prints it ("in 0.4 s") is compared as "#.# s".
expect_err() {
    want_rc=$1; want=$2; shift 2
    "$@" >"$T/.out" 2>"$T/.err"; rc=$?
    [ "$rc" = "$want_rc" ] || { cat "$T/.err" >&2; fail "$*: exit $rc, want $want_rc"; }
    if [ -n "$want" ]; then printf '%s\n' "$want"; fi >"$T/.want"
    sed -E 's/\b[0-9]+\.[0-9] s\b/#.# s/g' "$T/.err" >"$T/.got"
    diff -u "$T/.want" "$T/.got" >&2 || fail "$*: stderr differs (- want, + got)"
    n_pass=$((n_pass + 1))
}
# expect_err_line EXPECTED_EXIT "ONE LINE" cmd...: one line of stderr must be
# exactly the text. Only for stderr that holds, besides the line the check is
# about, lines that are not the same from run to run (a temporary directory's
# name) or that another test owns (the catalog warnings of an import, checked
# in catalog.t); say which in a comment at the call.
expect_err_line() {
    want_rc=$1; want=$2; shift 2
    "$@" >"$T/.out" 2>"$T/.err"; rc=$?
    [ "$rc" = "$want_rc" ] || { cat "$T/.err" >&2; fail "$*: exit $rc, want $want_rc"; }
    sed -E 's/\b[0-9]+\.[0-9] s\b/#.# s/g' "$T/.err" | grep -qxF -- "$want" ||
        { cat "$T/.err" >&2; fail "$*: no stderr line is: $want"; }
    n_pass=$((n_pass + 1))
}
# expect_rc EXPECTED_EXIT cmd...
expect_rc() {
    want_rc=$1; shift
    "$@" >"$T/.out" 2>"$T/.err"; rc=$?
    [ "$rc" = "$want_rc" ] || { cat "$T/.err" >&2; fail "$*: exit $rc, want $want_rc"; }
    n_pass=$((n_pass + 1))
}
# skip WHY: the test cannot run here (data or a tool absent): exit 77, which
# CTest reports as skipped, never as passed. Call it before any expectation;
# a test with parts that need data keeps them in a file of their own
# (NAME_data.t).
skip() {
    echo "skipped: $*"
    exit 77
}
# need_file PATH...: skip unless every PATH is readable
need_file() {
    for f in "$@"; do
        [ -r "$f" ] || skip "$f absent"
    done
}
# expect_eq A B what
expect_eq() {
    [ "$1" = "$2" ] || fail "$3: \"$1\" != \"$2\""
    n_pass=$((n_pass + 1))
}

# new_db NAME: prints where a test's store NAME lives on the backend under
# test: the path $T/NAME.db (not created yet), or with XS_TEST_BACKEND=pg
# the URL of a new, empty database on the test server, dropped at exit.
# Messages that name the store name it by what new_db printed.
new_db() {
    if [ "$BACKEND" != pg ]; then
        echo "$T/$1.db"
        return
    fi
    n=$(wc -l <"$T/.pg_dbs")
    name=$(printf 'xt_%s_%s_%s' "$$" "$n" "$1" | tr -c 'a-zA-Z0-9_\n' _ | tr A-Z a-z)
    echo "$name" >>"$T/.pg_dbs"
    # (a failure here is in a command substitution: fail stops the test
    # itself, not only the subshell)
    pg_admin "CREATE DATABASE $name" >&2 || {
        echo "FAIL: new_db $1: cannot create database $name" >&2
        kill -TERM $$
        exit 1
    }
    echo "$XS_TEST_PG" | sed "s#^\(postgres[a-z]*://[^/]*/\)[^?]*#\1$name#"
}
# copy_db STORE NAME: prints where a copy of the store STORE (made by
# new_db; no process may have it open) lives: the file copied to
# $T/NAME.db, or a new database NAME made from it as a template.
copy_db() {
    if [ "$BACKEND" != pg ]; then
        cp "$1" "$T/$2.db" || {
            echo "FAIL: copy_db $2" >&2
            kill -TERM $$
            exit 1
        }
        echo "$T/$2.db"
        return
    fi
    from=$(echo "$1" | sed 's#^postgres[a-z]*://[^/]*/\([^?]*\).*#\1#')
    to=$(new_db "$2" | sed 's#^postgres[a-z]*://[^/]*/\([^?]*\).*#\1#')
    pg_admin "DROP DATABASE $to" >&2 && pg_admin "CREATE DATABASE $to TEMPLATE $from" >&2 || {
        echo "FAIL: copy_db $2: cannot copy $from" >&2
        kill -TERM $$
        exit 1
    }
    echo "$1" | sed "s#^\(postgres[a-z]*://[^/]*/\)[^?]*#\1$to#"
}
# db_query STORE SQL: runs SQL on the store's database itself (the sqlite3
# shell or psql) and prints the rows, columns separated by '|'.
db_query() {
    if [ "$BACKEND" != pg ]; then
        sqlite3 "$1" "$2"
    else
        psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -c "$2"
    fi
}
# sqlite_only: true when the backend under test is SQLite. Guards the few
# parts that are about SQLite by nature (the store file's bytes, its
# permissions, the sqlite3 shell, the model file defaulting to FILE.xsm
# beside the store): `if sqlite_only; then ... fi`.
sqlite_only() {
    [ "$BACKEND" != pg ]
}

if [ "$BACKEND" = pg ]; then
    [ -n "${XS_TEST_PG:-}" ] || skip "XS_TEST_BACKEND=pg without XS_TEST_PG (no test server)"
    command -v psql >/dev/null 2>&1 || skip "psql not installed"
    if ! pg_admin "SELECT 1" >/dev/null 2>"$T/.pg_err"; then
        ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 ||
            skip "no PostgreSQL server binaries installed"
        cat "$T/.pg_err" >&2
        fail "cannot reach the test server $XS_TEST_PG"
    fi
    : >"$T/.pg_dbs"
fi

. "$SCRIPT"
echo "$n_pass passed, 0 failed"
