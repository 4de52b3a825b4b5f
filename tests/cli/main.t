# The program's own options and the subcommand table.
expect_rc 0 "$XS" --help
grep -q "^  import " "$T/.out" || fail "--help lists import"
expect_rc 0 "$XS" --version
grep -q "^xsell [0-9]" "$T/.out" || fail "--version prints the version"
expect_err 2 'unknown command "frobnicate"' "$XS" frobnicate
expect_rc 2 "$XS"
