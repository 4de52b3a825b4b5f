/*
 * apikeys.c — API keys of `xsell serve` in the store's api_keys table
 * (schema version 2, schema.c): creating, listing, revoking, and loading the
 * valid keys into an in-memory set the server checks requests against.
 *
 * A key is "xs_<key_id>_<secret>": key_id is 8 random bytes and the secret
 * 32 random bytes, both from OpenSSL's CSPRNG (base/crypto.h) and written as
 * lower-case hex. Only key_id, a random 16-byte salt and SHA-256(salt ||
 * secret as hex text, OpenSSL's) are
 * stored, so a copy of the store does not hand out working keys. Checking
 * finds the key_id (not secret) and compares the hash in constant time.
 */
#include "base/alloc.h"
#include "base/date.h"
#include "base/error.h"
#include "base/crypto.h"
#include "store/db.h"
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ID_BYTES 8
#define SECRET_BYTES 32
#define SALT_BYTES 16
#define ID_HEX (2 * ID_BYTES)
#define SECRET_HEX (2 * SECRET_BYTES)

static const char *const scope_names[] = {"none", "read", "write", "admin"};

/* Contract in xsell.h. */
int xs_apikey_scope_parse(const char *s, xs_apikey_scope *out)
{
    for (int i = XS_SCOPE_READ; i <= XS_SCOPE_ADMIN; i++)
        if (s && !strcmp(s, scope_names[i])) {
            *out = (xs_apikey_scope)i;
            return XS_OK;
        }
    return XS_EINVAL;
}

/* Contract in xsell.h. */
const char *xs_apikey_scope_name(xs_apikey_scope s)
{
    return (unsigned)s <= XS_SCOPE_ADMIN ? scope_names[s] : "none";
}

static int is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return 0;
    return 1;
}

/* SHA-256(salt || secret). */
static void key_hash(const unsigned char *salt, size_t n_salt, const char *secret,
                     size_t n_secret, unsigned char out[XS_SHA256_LEN])
{
    const void *parts[2] = {salt, secret};
    size_t lens[2] = {n_salt, n_secret};
    xs__sha256_parts(2, parts, lens, out);
}

/* Contract in xsell.h. */
int xs_apikey_create(xs_store *st, xs_apikey_scope scope, const char *note, char *key,
                     size_t cap, xs_error *err)
{
    if (scope < XS_SCOPE_READ || scope > XS_SCOPE_ADMIN)
        return xs__error_param(err, XS_EINVAL, NULL, "scope", "unknown scope %d",
                               (int)scope);
    if (!key || cap < XS_APIKEY_MAX)
        return xs__error_set(err, XS_EINVAL, NULL, 0, NULL, "key buffer too small");
    unsigned char rnd[ID_BYTES + SECRET_BYTES + SALT_BYTES];
    int rc = xs__random_bytes(rnd, sizeof rnd, err);
    if (rc < 0) return rc;
    char id[ID_HEX + 1], secret[SECRET_HEX + 1], when[32];
    xs__hex(rnd, ID_BYTES, id);
    xs__hex(rnd + ID_BYTES, SECRET_BYTES, secret);
    const unsigned char *salt = rnd + ID_BYTES + SECRET_BYTES;
    unsigned char hash[XS_SHA256_LEN];
    key_hash(salt, SALT_BYTES, secret, SECRET_HEX, hash);
    xs__utc_now(when);

    xs__store_stmt *s = NULL;
    if (xs__store_db_prepare(
            st,
            "INSERT INTO api_keys(key_id, hash, salt, scope, created_at, note)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            -1, &s) != XS__DB_OK) {
        rc = xs__store_dberr(st, "creating an API key", err);
        goto cleanup;
    }
    xs__store_db_bind_text(s, 1, id, -1);
    xs__store_db_bind_blob(s, 2, hash, sizeof hash);
    xs__store_db_bind_blob(s, 3, salt, SALT_BYTES);
    xs__store_db_bind_text(s, 4, scope_names[scope], -1);
    xs__store_db_bind_text(s, 5, when, -1);
    if (note)
        xs__store_db_bind_text(s, 6, note, -1);
    else
        xs__store_db_bind_null(s, 6);
    if (xs__store_db_step(s) != XS__DB_DONE) {
        rc = xs__store_dberr(st, "creating an API key", err);
        goto cleanup;
    }
    snprintf(key, cap, "xs_%s_%s", id, secret);
    rc = XS_OK;
cleanup:
    xs__store_db_finalize(s);
    memset(secret, 0, sizeof secret);
    memset(rnd, 0, sizeof rnd);
    return rc;
}

/* Contract in xsell.h. */
int xs_apikey_revoke(xs_store *st, const char *key_id, xs_error *err)
{
    char when[32], q[64];
    xs__utc_now(when);
    xs__store_stmt *s = NULL;
    int rc;
    if (xs__store_db_prepare(
            st, "SELECT revoked_at IS NOT NULL FROM api_keys WHERE key_id = ?1", -1,
            &s) != XS__DB_OK)
        return xs__store_dberr(st, "revoking an API key", err);
    xs__store_db_bind_text(s, 1, key_id, -1);
    int step = xs__store_db_step(s);
    xs__error_quote(q, sizeof q, key_id, strlen(key_id));
    if (step == XS__DB_DONE) {
        rc = xs__error_set(err, XS_ENOTFOUND, NULL, 0, NULL, "no such key: %s", q);
        goto cleanup;
    }
    if (step != XS__DB_ROW) {
        rc = xs__store_dberr(st, "revoking an API key", err);
        goto cleanup;
    }
    if (xs__store_db_column_int(s, 0)) {
        rc = xs__error_set(err, XS_ENOTFOUND, NULL, 0, NULL, "key already revoked: %s", q);
        goto cleanup;
    }
    xs__store_db_finalize(s);
    s = NULL;
    if (xs__store_db_prepare(st, "UPDATE api_keys SET revoked_at = ?2 WHERE key_id = ?1",
                             -1, &s) != XS__DB_OK) {
        rc = xs__store_dberr(st, "revoking an API key", err);
        goto cleanup;
    }
    xs__store_db_bind_text(s, 1, key_id, -1);
    xs__store_db_bind_text(s, 2, when, -1);
    rc = xs__store_db_step(s) == XS__DB_DONE
             ? XS_OK
             : xs__store_dberr(st, "revoking an API key", err);
cleanup:
    xs__store_db_finalize(s);
    return rc;
}

/* Contract in xsell.h. */
int xs_apikey_list(xs_store *st, xs_table *out, xs_error *err)
{
    static const char *const cols[] = {"key_id", "scope", "created_at", "revoked_at", "note"};
    for (size_t i = 0; i < 5; i++)
        if (xs_table_column(out, cols[i], XS_COL_TEXT) < 0)
            return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    xs__store_stmt *s = NULL;
    if (xs__store_db_prepare(
            st,
            "SELECT key_id, scope, created_at, revoked_at, note FROM api_keys"
            " ORDER BY created_at, key_id",
            -1, &s) != XS__DB_OK)
        return xs__store_dberr(st, "listing API keys", err);
    int rc, n = 0, step;
    while ((step = xs__store_db_step(s)) == XS__DB_ROW) {
        if (xs_table_row(out) < 0) goto nomem;
        for (int c = 0; c < 5; c++)
            if (xs_table_cell(out, (const char *)xs__store_db_column_text(s, c)) < 0)
                goto nomem;
        n++;
    }
    rc = step == XS__DB_DONE ? n : xs__store_dberr(st, "listing API keys", err);
    xs__store_db_finalize(s);
    return rc;
nomem:
    xs__store_db_finalize(s);
    return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
}

/* ---------------------------------------------------------------------- */
/* The in-memory key set                                                  */
/* ---------------------------------------------------------------------- */

typedef struct key_entry {
    char id[ID_HEX + 1];
    unsigned char salt[SALT_BYTES];
    size_t n_salt;
    unsigned char hash[XS_SHA256_LEN];
    xs_apikey_scope scope;
} key_entry;

struct xs_apikeys {
    key_entry *keys; /* sorted by id */
    size_t n_keys;
};

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const key_entry *)a)->id, ((const key_entry *)b)->id);
}

/* Contract in xsell.h. */
int xs_apikeys_load(xs_store *st, xs_apikeys **out, xs_error *err)
{
    xs_apikeys *ks = xs__calloc(1, sizeof *ks);
    xs__store_stmt *s = NULL;
    size_t cap = 0;
    int rc, step;
    if (!ks) return xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
    if (xs__store_db_prepare(st,
                             "SELECT key_id, salt, hash, scope FROM api_keys"
                             " WHERE revoked_at IS NULL",
                             -1, &s) != XS__DB_OK) {
        rc = xs__store_dberr(st, "loading API keys", err);
        goto cleanup;
    }
    while ((step = xs__store_db_step(s)) == XS__DB_ROW) {
        const char *id = (const char *)xs__store_db_column_text(s, 0);
        const char *scope = (const char *)xs__store_db_column_text(s, 3);
        int n_salt = xs__store_db_column_bytes(s, 1),
            n_hash = xs__store_db_column_bytes(s, 2);
        xs_apikey_scope sc;
        /* rows that cannot be a key of ours (edited by hand) are skipped */
        if (!id || strlen(id) != ID_HEX || n_salt > SALT_BYTES || n_hash != XS_SHA256_LEN ||
            xs_apikey_scope_parse(scope, &sc) < 0)
            continue;
        if (xs__grow(&ks->keys, &cap, ks->n_keys + 1, sizeof *ks->keys) < 0) {
            rc = xs__error_set(err, XS_ENOMEM, NULL, 0, NULL, "out of memory");
            goto cleanup;
        }
        key_entry *k = &ks->keys[ks->n_keys++];
        memcpy(k->id, id, ID_HEX + 1);
        k->n_salt = (size_t)n_salt;
        if (n_salt) memcpy(k->salt, xs__store_db_column_blob(s, 1), (size_t)n_salt);
        memcpy(k->hash, xs__store_db_column_blob(s, 2), XS_SHA256_LEN);
        k->scope = sc;
    }
    if (step != XS__DB_DONE) {
        rc = xs__store_dberr(st, "loading API keys", err);
        goto cleanup;
    }
    if (ks->n_keys) qsort(ks->keys, ks->n_keys, sizeof *ks->keys, cmp_entry);
    xs__store_db_finalize(s);
    *out = ks;
    return XS_OK;
cleanup:
    xs__store_db_finalize(s);
    xs_apikeys_free(ks);
    return rc;
}

/* Contract in xsell.h. */
void xs_apikeys_free(xs_apikeys *ks)
{
    if (!ks) return;
    xs__free(ks->keys);
    xs__free(ks);
}

/* Contract in xsell.h. */
xs_apikey_scope xs_apikeys_check(const xs_apikeys *ks, const char *key, size_t len)
{
    /* "xs_" id "_" secret */
    if (!ks || !key || len != 3 + ID_HEX + 1 + SECRET_HEX || memcmp(key, "xs_", 3) ||
        key[3 + ID_HEX] != '_' || !is_hex(key + 3, ID_HEX))
        return XS_SCOPE_NONE;
    key_entry probe;
    memcpy(probe.id, key + 3, ID_HEX);
    probe.id[ID_HEX] = 0;
    const key_entry *k = ks->n_keys ? bsearch(&probe, ks->keys, ks->n_keys, sizeof *ks->keys,
                                              cmp_entry)
                                    : NULL;
    if (!k) return XS_SCOPE_NONE;
    unsigned char h[XS_SHA256_LEN];
    key_hash(k->salt, k->n_salt, key + 4 + ID_HEX, SECRET_HEX, h);
    /* constant time in the secret: every byte is compared */
    return xs__equal_ct(h, k->hash, XS_SHA256_LEN) ? k->scope : XS_SCOPE_NONE;
}
