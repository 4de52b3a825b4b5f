/*
 * field.h — one field of a record as readers and writers pass it: the
 * bytes (borrowed, not NUL-terminated in general), their length, and
 * whether the field is there at all (a JSON key missing or null is not;
 * a CSV field always is). Used by the record readers and writers of
 * src/io and by the store's export rows (src/store/export.c).
 */
#ifndef XS_FIELD_H
#define XS_FIELD_H

#include <stddef.h>

typedef struct xs__field {
    const char *ptr; /* not NUL-terminated in general; see len */
    size_t len;
    int present; /* 0: absent (JSON key missing or null); CSV fields are always present */
} xs__field;

#endif
