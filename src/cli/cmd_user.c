/*
 * cmd_user.c — `fundguard user`: officer accounts of the service.
 *
 *   fundguard user add NAME --role reviewer|leader|admin|auditor [STORE]
 *   fundguard user passwd NAME [STORE]
 *   fundguard user list [STORE]
 *
 * The password is the first line of standard input (never a flag, so it stays out of the process
 * list and shell history); it is kept as an argon2id hash (libsodium crypto_pwhash_str). STORE as
 * for `fundguard key`.
 *
 * Exit: 0 ok, 2 usage, 3 exists / not found / store error, 4 internal error.
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "fundguard/store.h"

static void help(FILE *out)
{
    fprintf(out, "usage: fundguard user add NAME --role ROLE [STORE] < password\n"
                 "       fundguard user passwd NAME [STORE] < password\n"
                 "       fundguard user list [STORE]\n\n"
                 "Officer accounts: ROLE is reviewer, leader, admin or auditor (read-only).\n"
                 "The password (at least 8 characters) is the first line of standard input.\n"
                 "STORE: --data DIR, --db postgresql://… or --config FILE (as fundguard key).\n\n"
                 "exit: 0 ok, 2 usage, 3 exists, not found or store error, 4 internal error\n");
}

static int read_password(char *pw, size_t cap)
{
    if (fgets(pw, (int)cap, stdin) == NULL)
        return -1;
    size_t n = strlen(pw);
    while (n > 0 && (pw[n - 1] == '\n' || pw[n - 1] == '\r'))
        pw[--n] = '\0';
    return 0;
}

/* An account as one JSON line of the listing. */
static int user_line(void *ctx, const fg_store_user_t *u)
{
    int rc = fg_store_user_json(u, ctx);
    return rc == 0 ? fg_buf_appendc(ctx, '\n') : rc;
}

int fg_cmd_user(int argc, char **argv)
{
    int ec;
    if (fg__cli_verb_help(argc, argv, help, &ec))
        return ec;
    const char *verb = argv[1], *name = NULL, *role = NULL;
    for (int i = 2; i < argc; i++) {
        if (fg__cli_store_arg(argc, argv, i))
            i++;
        else if (strcmp(argv[i], "--role") == 0 && i + 1 < argc)
            role = argv[++i];
        else if (name == NULL && argv[i][0] != '-')
            name = argv[i];
        else
            return fg_cli_usage_error("user", "unknown option or missing value '%s'", argv[i]);
    }
    int add = strcmp(verb, "add") == 0, passwd = strcmp(verb, "passwd") == 0;
    if (!add && !passwd && strcmp(verb, "list") != 0)
        return fg_cli_usage_error("user", "unknown subcommand '%s' (add, passwd, list)", verb);
    if ((add || passwd) && name == NULL)
        return fg_cli_usage_error("user", "%s needs a user name", verb);
    if (add && role == NULL)
        return fg_cli_usage_error("user", "add needs --role");
    char pw[512] = "";
    if ((add || passwd) && read_password(pw, sizeof(pw)) != 0)
        return fg_cli_usage_error("user", "the password is read from standard input");
    fg_store_t *s = NULL;
    fg_buf_t b;
    ec = fg__cli_store_open("user", argc, argv, &s, &b);
    if (ec != FG_EXIT_OK)
        return ec;
    fg_error_t err = {0};
    int rc;
    if (add) {
        rc = fg_store_user_add(s, fg__cli_actor(), name, role, pw, &err);
    } else if (passwd) {
        rc = fg_store_user_passwd(s, fg__cli_actor(), name, pw, &err);
    } else {
        rc = fg_store_user_list(s, user_line, &b, &err);
    }
    return fg__cli_store_done("user", s, &b, rc, &err);
}
