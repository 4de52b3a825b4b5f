/*
 * cmd_apikey.c — `xsell apikey create|list|revoke`: the API keys of
 * `xsell serve` (the "Server" section of xsell.h). A new key is printed once;
 * the store keeps only its salted hash.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CMD "apikey"

static const char usage[] =
    "usage: xsell apikey create --db FILE --scope read|write|admin [--note TEXT]\n"
    "       xsell apikey list --db FILE [--format table|json|csv]\n"
    "       xsell apikey revoke --db FILE KEY_ID\n"
    "\n"
    "Manage the API keys of `xsell serve`. create prints the new key\n"
    "(xs_<key_id>_<secret>) once on stdout: the store keeps only a salted\n"
    "SHA-256 hash of the secret. Scopes: read < write < admin (a key grants\n"
    "its scope and the lower ones). list shows key_id, scope, created_at,\n"
    "revoked_at and note, never secrets. revoke disables a key for good (a\n"
    "running server notices within a second).\n"
    "\n"
    "Exit status: 0 ok, 1 failure, 2 bad usage or unknown key.\n";

int xs_cmd_apikey(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"scope", required_argument, NULL, 's'},
        {"note", required_argument, NULL, 'n'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *scope_s = NULL, *note = NULL;
    xs_format fmt = XS_FORMAT_TABLE;
    int c;
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(usage, stdout);
        return XS_EXIT_OK;
    }
    if (argc < 2 || argv[1][0] == '-')
        return xs_cli_usage_error(CMD, "expected create, list or revoke");
    const char *verb = argv[1];
    if (strcmp(verb, "create") && strcmp(verb, "list") && strcmp(verb, "revoke"))
        return xs_cli_usage_error(CMD, "unknown action \"%s\": expected create, list or revoke",
                                  verb);
    optind = 2;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 's':
            scope_s = optarg;
            break;
        case 'n':
            note = optarg;
            break;
        case 'f':
            if (xs_cli_format(CMD, optarg, &fmt)) return XS_EXIT_USAGE;
            break;
        case 'h':
            fputs(usage, stdout);
            return XS_EXIT_OK;
        default:
            return xs_cli_bad_option(CMD, c, argv);
        }
    }
    if (!db) return xs_cli_usage_error(CMD, "--db FILE is required");
    int is_create = !strcmp(verb, "create"), is_revoke = !strcmp(verb, "revoke");
    xs_apikey_scope scope = XS_SCOPE_NONE;
    if (is_create) {
        if (!scope_s) return xs_cli_usage_error(CMD, "create needs --scope read|write|admin");
        if (xs_apikey_scope_parse(scope_s, &scope) < 0)
            return xs_cli_usage_error(CMD, "--scope: expected read, write or admin, got \"%s\"",
                                      scope_s);
    } else if (scope_s || note) {
        return xs_cli_usage_error(CMD, "--scope and --note go with create");
    }
    if (is_revoke ? optind + 1 != argc : optind < argc) {
        if (is_revoke) return xs_cli_usage_error(CMD, "revoke needs one KEY_ID");
        return xs_cli_usage_error(CMD, "unexpected argument \"%s\"", argv[optind]);
    }
    if (!is_create && !xs_store_exists(db)) {
        fprintf(stderr, "xsell %s: %s: no such store\n", CMD, db);
        return XS_EXIT_USAGE;
    }
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
        if (xs_apikey_revoke(st, argv[optind], &e) < 0) {
            ex = xs_cli_fail(CMD, &e);
            goto cleanup;
        }
        fprintf(stderr, "xsell %s: revoked %s\n", CMD, argv[optind]);
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
