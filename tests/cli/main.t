# The program's own options and the subcommand table.
expect_rc 0 "$XS" --help
grep -q "^  import " "$T/.out" || fail "--help lists import"
expect_rc 0 "$XS" --version
grep -q "^xsell [0-9]" "$T/.out" || fail "--version prints the version"
expect_err 2 "xsell: unknown command \"frobnicate\"
try 'xsell --help'" "$XS" frobnicate
expect_rc 2 "$XS"

# Every subcommand reports an option that lacks its value, at the end of the
# command line, the same way (one helper: xs_cli_bad_option).
expect_err 2 "xsell export: --format needs a value
try 'xsell export --help'" "$XS" export --db "$T/x.db" --format
expect_err 2 "xsell import: --db needs a value
try 'xsell import --help'" "$XS" import --db
expect_err 2 "xsell recommend: --db needs a value
try 'xsell recommend --help'" "$XS" recommend --db
expect_err 2 "xsell rules: --format needs a value
try 'xsell rules --help'" "$XS" rules --format
expect_err 2 "xsell kpi: --format needs a value
try 'xsell kpi --help'" "$XS" kpi --db "$T/x.db" --format
expect_err 2 "xsell experiment: --format needs a value
try 'xsell experiment --help'" "$XS" experiment analyze --format
expect_err 2 "xsell experiment: --db needs a value
try 'xsell experiment --help'" "$XS" experiment list --db
expect_err 2 "xsell catalog: --db needs a value
try 'xsell catalog --help'" "$XS" catalog check --db
expect_err 2 "xsell rank: --alpha needs a value
try 'xsell rank --help'" "$XS" rank --alpha
grep -q 'unknown option' "$T/.err" && fail "a missing value is not an unknown option"
# ... and the other option mistakes name the option without its value.
expect_err 2 "xsell rules: unknown option \"-z\"
try 'xsell rules --help'" "$XS" rules -z
expect_err 2 "xsell recommend: unknown option \"--frob\"
try 'xsell recommend --help'" "$XS" recommend --frob=2
expect_err 2 "xsell recommend: --help takes no value
try 'xsell recommend --help'" "$XS" recommend --help=3
expect_err 2 "xsell recommend: --help takes no value
try 'xsell recommend --help'" "$XS" recommend --help=3

# The option tables (src/cli/opt.c): GNU rules -- --name=VALUE, unambiguous
# prefixes, options after operands, "--" ending the options -- and one help
# layout, generated from each table, in every command converted to them.
expect_err 2 "xsell kpi: --format: expected table, json or csv, got \"x\"
try 'xsell kpi --help'" "$XS" kpi --db "$T/x.db" --form=x
expect_err 2 "xsell kpi: $T/x.db: no such store" "$XS" kpi --format=csv --db="$T/x.db"
expect_err 2 "xsell kpi: unexpected argument \"--format\"
try 'xsell kpi --help'" "$XS" kpi --db "$T/x.db" -- --format
# an ambiguous prefix (--cac, --cac-multiple) is not guessed
expect_err 2 "xsell kpi: unknown option \"--ca\"
try 'xsell kpi --help'" "$XS" kpi --ca 1
for c in gen export itemsets adoption together customers kpi targets catalog outcome \
    replay serve apikey webhook store retention rank evaluate; do
    expect_rc 0 "$XS" $c --help
    grep -q "^usage: xsell $c" "$T/.out" || fail "$c --help: the usage line"
    grep -qx "Options:" "$T/.out" || fail "$c --help: the Options: block"
    grep -qx "  -h, --help             this text" "$T/.out" || fail "$c --help: --help"
    tail -n 1 "$T/.out" | grep -qx "Exit status: 0 ok, 1 failure, 2 bad usage or bad input." ||
        fail "$c --help: the exit-status line last"
done
