# embed.cmake — turns a file into a C byte array, so that a document kept in
# docs/ (the OpenAPI description) is compiled into the library instead of
# being copied by hand into a .c file.
#
#   cmake -DIN=docs/openapi.json -DOUT=gen/openapi_doc.c -DNAME=xs__serve_openapi_json -P embed.cmake
#
# Defines `const unsigned char NAME[]` (the bytes, not NUL-terminated) and
# `const size_t NAME_len`.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" n_hex)
math(EXPR n_bytes "${n_hex} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
# 16 bytes a line (CMake regexes have no {n} repetition)
string(REPEAT "0x[0-9a-f][0-9a-f]," 16 sixteen)
string(REGEX REPLACE "(${sixteen})" "\\1\n    " body "${body}")
file(WRITE "${OUT}.tmp"
"/* Generated from ${IN} by cmake/embed.cmake: do not edit. */
#include <stddef.h>

extern const unsigned char ${NAME}[];
extern const size_t ${NAME}_len;

const unsigned char ${NAME}[${n_bytes} + 1] = {
    ${body}0x00};
const size_t ${NAME}_len = ${n_bytes};
")
file(RENAME "${OUT}.tmp" "${OUT}")
