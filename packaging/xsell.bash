# Bash completion of xsell: command names, then the options of the command.
# Both are read from the program's own help (`xsell --help`,
# `xsell COMMAND --help`), so they follow the installed version.
# Installed as share/bash-completion/completions/xsell by `make install`.
_xsell()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prog=${COMP_WORDS[0]}
    if [ "$COMP_CWORD" -eq 1 ]; then
        local cmds
        cmds=$("$prog" --help 2>/dev/null |
            awk '/^Commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }')
        COMPREPLY=($(compgen -W "$cmds --help --version" -- "$cur"))
        return
    fi
    case $cur in
    -*)
        local opts
        opts=$("$prog" "${COMP_WORDS[1]}" --help 2>/dev/null |
            grep -o -- '--[a-z][a-z0-9-]*' | sort -u)
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        ;;
    *)
        COMPREPLY=($(compgen -f -- "$cur"))
        ;;
    esac
}
complete -o filenames -F _xsell xsell
