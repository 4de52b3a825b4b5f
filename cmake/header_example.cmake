# header_example.cmake — turns a public header into a C file that includes
# that header alone (twice: the include guard must hold), then the example
# of its opening comment, so that the build proves each header of
# include/xsell/ self-contained and its example compiling and linking.
#
#   cmake -DIN=include/xsell/store.h -DHEADER=xsell/store.h -DOUT=gen/header_store.c -P header_example.cmake
#
# The example is the first `@code` ... `@endcode` block of the file, written
# as complete functions with ` * ` before each line.
file(READ "${IN}" text)
string(FIND "${text}" "@code\n" start)
string(FIND "${text}" "@endcode" end)
if(start LESS 0 OR end LESS start)
  message(FATAL_ERROR "${IN}: no @code ... @endcode example in its opening comment")
endif()
math(EXPR start "${start} + 6")
math(EXPR len "${end} - ${start}")
string(SUBSTRING "${text}" ${start} ${len} example)
# drop the comment's " * " (" *" on an empty line) at the start of each line
string(REGEX REPLACE "\n \\* " "\n" example "\n${example}")
string(REGEX REPLACE "\n \\*\n" "\n\n" example "${example}")
string(REGEX REPLACE "\n \\*\n" "\n\n" example "${example}")
string(REGEX REPLACE "\n *$" "\n" example "${example}")
file(WRITE "${OUT}.tmp"
"/* Generated from ${IN} by cmake/header_example.cmake: do not edit. */
#include \"${HEADER}\"
#include \"${HEADER}\"

${example}
int main(void)
{
    return 0;
}
")
file(RENAME "${OUT}.tmp" "${OUT}")
