/*
 * interpose.c — the definition an interposed function stands in front of.
 *
 * mhd_errors.c and mhd_epoll.c define functions that libmicrohttpd calls
 * through its PLT (ELF symbol interposition); each passes the call on to
 * the definition that comes after the executable's in the lookup order
 * (the library's, or the sanitizer's in front of the C library's), found
 * here once.
 */
#define _GNU_SOURCE /* RTLD_NEXT */
#include "serve/serve_int.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Contract in serve_int.h. */
void *xs__serve_next_fn(const char *name, void *fn, size_t size)
{
    void *p = dlsym(RTLD_NEXT, name);
    if (!p || size != sizeof p) {
        /* e.g. libmicrohttpd linked statically: our definitions would clash */
        fprintf(stderr, "xsell: no definition of %s after the executable's\n", name);
        abort();
    }
    memcpy(fn, &p, size); /* ISO C has no cast between object and function pointers */
    return p;
}
