# make install's layout (cmake --install of this build into a temporary
# prefix): the program, libxsell + headers + pkg-config file (a program
# compiled with nothing but `pkg-config --cflags --libs xsell` links and
# runs, with xsell.h or a module's header alone), the man page with a section per command, bash completion.
B=$(dirname "$XS")
[ -f "$B/CMakeCache.txt" ] || skip "$XS is not in a CMake build directory"
command -v pkg-config >/dev/null 2>&1 || skip "pkg-config absent"
P="$T/prefix"
expect_rc 0 cmake --install "$B" --prefix "$P"
[ -x "$P/bin/xsell" ] || fail "bin/xsell not installed"
expect_eq "$("$P/bin/xsell" --version)" "$("$XS" --version)" "installed xsell --version"
LIBDIR=$(dirname "$(find "$P" -name xsell.pc)")
[ -n "$LIBDIR" ] && [ -f "$LIBDIR/../libxsell.a" ] || fail "libxsell.a and lib/pkgconfig/xsell.pc"
[ -f "$P/include/xsell.h" ] || fail "include/xsell.h not installed"
# every module header, and nothing else, under include/xsell/
expect_eq "$(cd "$P/include/xsell" && ls)" "$(cd "$SRC/include/xsell" && ls)" \
    "the module headers installed in include/xsell/"

# a program against the installed library, through pkg-config only
cat >"$T/prog.c" <<'C'
#include <xsell.h>
#include <stdio.h>
int main(void)
{
    xs_store *st = NULL;
    xs_error e;
    if (xs_store_open(&st, ":memory:", &e) != XS_OK) return 1;
    xs_store_close(st);
    puts("libxsell ok");
    return 0;
}
C
FLAGS=$(PKG_CONFIG_PATH="$LIBDIR" pkg-config --cflags --libs xsell) || fail "pkg-config xsell"
expect_rc 0 cc "$T/prog.c" $FLAGS -o "$T/prog"
expect_eq "$("$T/prog")" "libxsell ok" "a program linked with pkg-config's flags"

# ... and one that includes a module's header alone
cat >"$T/mine.c" <<'C'
#include <xsell/mine.h>
#include <stdio.h>
int main(void)
{
    xs_baskets *b = xs_baskets_new();
    if (!b || xs_baskets_add(b, "milk") != XS_OK || xs_baskets_end(b) != XS_OK) return 1;
    printf("%zu basket\n", xs_baskets_n_tx(b));
    xs_baskets_free(b);
    return 0;
}
C
expect_rc 0 cc "$T/mine.c" $FLAGS -o "$T/mine"
expect_eq "$("$T/mine")" "1 basket" "a program including <xsell/mine.h> alone"

# the man page: one section per command of `xsell --help`, each its help text
MAN="$P/share/man/man1/xsell.1"
[ -f "$MAN" ] || fail "share/man/man1/xsell.1 not installed"
for c in $("$XS" --help | awk '/^Commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }'); do
    grep -qx ".SS $c" "$MAN" || fail "man page: no section for $c"
    first=$("$XS" "$c" --help | head -1 | sed 's/\\/\\e/g')
    grep -qxF -- "$first" "$MAN" || fail "man page: $c: its --help first line \"$first\""
    n_pass=$((n_pass + 1))
done
if command -v man >/dev/null 2>&1; then
    man -l "$MAN" 2>&1 >/dev/null | grep . && fail "man page warnings"
    n_pass=$((n_pass + 1))
fi

# bash completion: commands, then a command's options
COMP="$P/share/bash-completion/completions/xsell"
[ -f "$COMP" ] || fail "bash completion not installed"
got=$(bash -c '. "$1"; COMP_WORDS=("$2" re); COMP_CWORD=1; _xsell; echo "${COMPREPLY[*]}"' _ "$COMP" "$P/bin/xsell")
want=$("$XS" --help | awk '/^Commands:/ { on = 1; next } on && /^$/ { exit } on && $1 ~ /^re/ { print $1 }' | tr '\n' ' ')
expect_eq "$got " "$want" "completion of \"xsell re\""
got=$(bash -c '. "$1"; COMP_WORDS=("$2" kpi --per); COMP_CWORD=2; _xsell; echo "${COMPREPLY[*]}"' _ "$COMP" "$P/bin/xsell")
expect_eq "$got" "--period" "completion of \"xsell kpi --per\""
