/*
 * cmd_apikey.c — `xsell apikey create|list|revoke`: the API keys of
 * `xsell serve` (the "Server" section of xsell.h). A new key is printed once;
 * the store keeps only its salted hash.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#define CMD "apikey"

struct apikey_opts {
    const char *scope, *note;
};

static const xs_opt opts[] = {
    {.ref = &xs_cli_opt_db},
    {"scope", 0, "S", XS_OPT_STR, .off = offsetof(struct apikey_opts, scope),
     .help = "create: read, write or admin"},
    {"note", 0, "TEXT", XS_OPT_STR, .off = offsetof(struct apikey_opts, note),
     .help = "create: a note kept with the key"},
    {.ref = &xs_cli_opt_format, .help = "list: table (default), json or csv"},
    {0},
};

static const xs_cli_spec spec = {
    CMD,
    "xsell apikey create --db FILE --scope read|write|admin [--note TEXT]\n"
    "xsell apikey list --db FILE [--format table|json|csv]\n"
    "xsell apikey revoke --db FILE KEY_ID",
    .about = "Manage the API keys of `xsell serve`. create prints the new key\n"
             "(xs_<key_id>_<secret>) once on stdout: the store keeps only a salted\n"
             "SHA-256 hash of the secret. Scopes: read < write < admin (a key grants\n"
             "its scope and the lower ones). list shows key_id, scope, created_at,\n"
             "revoked_at and note, never secrets. revoke disables a key for good (a\n"
             "running server notices within a second).",
    .opts = opts,
    .notes = "An unknown KEY_ID is bad input (exit status 2).",
    .max_operands = -1,
};

int xs_cmd_apikey(int argc, char **argv)
{
    static const char *const actions[] = {"create", "list", "revoke", NULL};
    int act = 0;
    int rc = xs_cli_action(&spec, argc, argv, actions, &act);
    if (rc >= 0) return rc;
    struct apikey_opts o = {0};
    xs_cli_args a = {0};
    rc = xs_cli_parse(&spec, argc - 1, argv + 1, &a, &o);
    if (rc >= 0) return rc;
    const char *db = a.db, *scope_s = o.scope, *note = o.note;
    xs_format fmt = a.format;
    if (!db) return xs_cli_usage_error(CMD, "--db FILE is required");
    int is_create = act == 0, is_revoke = act == 2;
    xs_apikey_scope scope = XS_SCOPE_NONE;
    if (is_create) {
        if (!scope_s) return xs_cli_usage_error(CMD, "create needs --scope read|write|admin");
        if (xs_apikey_scope_parse(scope_s, &scope) < 0)
            return xs_cli_usage_error(CMD, "--scope: expected read, write or admin, got %s",
                                      xs_cli_q(scope_s));
    } else if (scope_s || note) {
        return xs_cli_usage_error(CMD, "--scope and --note go with create");
    }
    if (is_revoke ? a.argc != 1 : a.argc > 0) {
        if (is_revoke) return xs_cli_usage_error(CMD, "revoke needs one KEY_ID");
        return xs_cli_usage_error(CMD, "unexpected argument %s", xs_cli_q(a.argv[0]));
    }
    if (!is_create && !xs_store_exists(db)) return xs_cli_no_store(CMD, db);
    xs_store *st = NULL;
    xs_table *t = NULL;
    xs_error e;
    int ex = XS_EXIT_FAIL;
    if (xs_store_open(&st, db, &e) < 0) {
        ex = xs_cli_fail(CMD, &e);
        goto cleanup;
    }
    if (is_create) {
        char key[XS_APIKEY_MAX];
        if (xs_apikey_create(st, scope, note, key, sizeof key, &e) < 0) {
            ex = xs_cli_fail(CMD, &e);
            goto cleanup;
        }
        printf("%s\n", key);
    } else if (is_revoke) {
        if (xs_apikey_revoke(st, a.argv[0], &e) < 0) {
            ex = xs_cli_fail(CMD, &e);
            goto cleanup;
        }
        fprintf(stderr, "xsell %s: revoked %s\n", CMD, a.argv[0]);
    } else {
        t = xs_table_new();
        if (!t) {
            fprintf(stderr, "xsell %s: out of memory\n", CMD);
            goto cleanup;
        }
        if (xs_apikey_list(st, t, &e) < 0) {
            ex = xs_cli_fail(CMD, &e);
            goto cleanup;
        }
        if ((ex = xs_cli_print_table(CMD, t, fmt)) != XS_EXIT_OK) goto cleanup;
    }
    ex = XS_EXIT_OK;
cleanup:
    xs_table_free(t);
    xs_store_close(st);
    return ex;
}
