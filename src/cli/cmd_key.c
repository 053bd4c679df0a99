/*
 * cmd_key.c — `fundguard key`: API keys of the service.
 *
 *   fundguard key add --role institution --fixmedins-code H43010200012 [STORE]
 *   fundguard key add --role reviewer|leader|admin|auditor [STORE]
 *   fundguard key list [STORE]
 *   fundguard key revoke ID [STORE]
 *
 * STORE is --data DIR (SQLite in DIR, default fundguard-data), --db URL (postgresql://…) or
 * --config FILE (the serve config: its data and db). `add` prints the key once on standard output
 * (only its SHA-256 is kept) and its id on standard error. Every change is in the audit trail.
 *
 * Exit: 0 ok, 2 usage, 3 not found / store error, 4 internal error.
 */
#include "core/compat.h"

#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "fundguard/serve.h"
#include "fundguard/store.h"

const char *fg__cli_actor(void)
{
    static char actor[80];
    const struct passwd *pw = getpwuid(geteuid());
    if (pw != NULL && pw->pw_name != NULL && pw->pw_name[0] != '\0')
        snprintf(actor, sizeof(actor), "cli:%s", pw->pw_name);
    else
        snprintf(actor, sizeof(actor), "cli:uid%lu", (unsigned long)geteuid());
    return actor;
}

int fg__cli_store_arg(int argc, char **argv, int i)
{
    return i + 1 < argc && (strcmp(argv[i], "--config") == 0 || strcmp(argv[i], "--data") == 0 ||
                            strcmp(argv[i], "--db") == 0);
}

int fg__cli_verb_help(int argc, char **argv, void (*help)(FILE *out), int *ec)
{
    if (argc >= 2 && strcmp(argv[1], "--help") != 0 && strcmp(argv[1], "-h") != 0)
        return 0;
    help(argc < 2 ? stderr : stdout);
    *ec = argc < 2 ? FG_EXIT_USAGE : FG_EXIT_OK;
    return 1;
}

int fg__cli_store_done(const char *cmd, fg_store_t *s, fg_buf_t *listing, int rc,
                       const fg_error_t *err)
{
    if (listing != NULL) {
        if (rc == 0 && listing->len > 0)
            fwrite(listing->data, 1, listing->len, stdout);
        fg_buf_release(listing);
    }
    fg_store_close(s);
    if (rc == 0)
        return FG_EXIT_OK;
    fprintf(stderr, "fundguard %s: %s [%s]\n", cmd, err->msg, fg_err_name(rc));
    return rc == FG_EINVAL ? FG_EXIT_USAGE : FG_EXIT_INPUT;
}

int fg__cli_store_open(const char *cmd, int argc, char **argv, fg_store_t **out, fg_buf_t *listing)
{
    fg_buf_init(listing, 256u << 20);
    fg_serve_config_t c;
    fg_serve_config_defaults(&c);
    fg_error_t err;
    for (int i = 1; i < argc; i++) {
        if (!fg__cli_store_arg(argc, argv, i))
            continue;
        const char *a = argv[i];
        int rc = strcmp(a, "--config") == 0 ? fg_serve_config_file(&c, argv[i + 1], &err)
                                            : fg_serve_config_set(&c, a + 2, argv[i + 1], &err);
        if (rc != 0)
            return fg_cli_usage_error(cmd, "%s", err.msg);
        i++;
    }
    int rc = fg_store_open(c.db[0] != '\0' ? c.db : c.data, out, &err);
    if (rc != 0) {
        fprintf(stderr, "fundguard %s: %s [%s]\n", cmd, err.msg, fg_err_name(rc));
        return FG_EXIT_INPUT;
    }
    return FG_EXIT_OK;
}

/* A key as one JSON line of the listing. */
static int key_line(void *ctx, const fg_store_key_t *k)
{
    int rc = fg_store_key_json(k, ctx);
    return rc == 0 ? fg_buf_appendc(ctx, '\n') : rc;
}

static void help(FILE *out)
{
    fprintf(out, "usage: fundguard key add --role ROLE [--fixmedins-code CODE] [STORE]\n"
                 "       fundguard key list [STORE]\n"
                 "       fundguard key revoke ID [STORE]\n\n"
                 "API keys of fundguard serve. ROLE: institution (needs --fixmedins-code: the key\n"
                 "submits and reads that institution's data only), reviewer, leader, admin,\n"
                 "auditor. `add` prints the key once; only its SHA-256 is stored.\n\n"
                 "STORE: --data DIR (default fundguard-data), --db postgresql://…, or\n"
                 "--config FILE (the serve configuration)\n\n"
                 "exit: 0 ok, 2 usage, 3 not found or store error, 4 internal error\n");
}

int fg_cmd_key(int argc, char **argv)
{
    int ec;
    if (fg__cli_verb_help(argc, argv, help, &ec))
        return ec;
    const char *verb = argv[1];
    const char *role = NULL, *inst = "", *id = NULL;
    for (int i = 2; i < argc; i++) {
        if (fg__cli_store_arg(argc, argv, i)) {
            i++;
        } else if (strcmp(argv[i], "--role") == 0 && i + 1 < argc) {
            role = argv[++i];
        } else if (strcmp(argv[i], "--fixmedins-code") == 0 && i + 1 < argc) {
            inst = argv[++i];
        } else if (id == NULL && argv[i][0] != '-') {
            id = argv[i];
        } else {
            return fg_cli_usage_error("key", "unknown option or missing value '%s'", argv[i]);
        }
    }
    if (strcmp(verb, "add") == 0 && role == NULL)
        return fg_cli_usage_error("key", "add needs --role");
    if (strcmp(verb, "revoke") == 0 && id == NULL)
        return fg_cli_usage_error("key", "revoke needs the key id");
    if (strcmp(verb, "add") != 0 && strcmp(verb, "list") != 0 && strcmp(verb, "revoke") != 0)
        return fg_cli_usage_error("key", "unknown subcommand '%s' (add, list, revoke)", verb);
    fg_store_t *s = NULL;
    fg_buf_t b;
    ec = fg__cli_store_open("key", argc, argv, &s, &b);
    if (ec != FG_EXIT_OK)
        return ec;
    fg_error_t err = {0};
    int rc;
    if (strcmp(verb, "add") == 0) {
        char key[FG_STORE_KEY_LEN + 1], kid[48];
        rc = fg_store_key_add(s, fg__cli_actor(), role, inst, key, kid, &err);
        if (rc == 0) {
            printf("%s\n", key);
            fprintf(stderr, "fundguard key: added %s (%s%s%s)\n", kid, role, inst[0] ? " " : "",
                    inst);
        }
    } else if (strcmp(verb, "list") == 0) {
        rc = fg_store_key_list(s, key_line, &b, &err);
    } else {
        rc = fg_store_key_revoke(s, fg__cli_actor(), id, &err);
    }
    return fg__cli_store_done("key", s, &b, rc, &err);
}
