#!/bin/sh
# Runs one CLI golden test: tests/cli/NAME.t is a shell script that gets
#   $XS   the xsell binary under test
#   $T    a fresh temporary directory (removed afterwards)
#   $SRC  the source tree (for fixtures under tests/cli/data)
# and the helpers below. It fails on the first failed expectation.
set -u
XS="$1"
SCRIPT="$2"
SRC="${XS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export XS T SRC XS_NO_PROGRESS=1
n_pass=0

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
# expect_err EXPECTED_EXIT "EXPECTED STDERR TEXT" cmd...: stderr must contain the text
expect_err() {
    want_rc=$1; want=$2; shift 2
    "$@" >"$T/.out" 2>"$T/.err"; rc=$?
    [ "$rc" = "$want_rc" ] || { cat "$T/.err" >&2; fail "$*: exit $rc, want $want_rc"; }
    grep -qF -- "$want" "$T/.err" || { cat "$T/.err" >&2; fail "$*: stderr lacks: $want"; }
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

. "$SCRIPT"
echo "$n_pass passed, 0 failed"
