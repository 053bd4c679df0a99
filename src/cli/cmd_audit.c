/*
 * cmd_audit.c — `fundguard audit`: the hash-chained audit trail of the service.
 *
 *   fundguard audit verify [STORE]     walk the chain; say whether any entry was altered or removed
 *   fundguard audit list [--after SEQ] [STORE]
 *
 * verify prints "N entries, head HASH" (keep the head elsewhere: an entry removed at the end is
 * found by comparing it). STORE as for `fundguard key`.
 *
 * Exit: 0 sound, 1 the chain is broken, 2 usage, 3 store error.
 */
#include "core/compat.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "fundguard/store.h"

static void help(FILE *out)
{
    fprintf(out, "usage: fundguard audit verify [STORE]\n"
                 "       fundguard audit list [--after SEQ] [STORE]\n\n"
                 "The audit trail: every write of the service (who, when, what, digests before\n"
                 "and after), each entry hashed with the one before. verify detects any entry\n"
                 "altered or removed and prints the head hash to keep elsewhere.\n"
                 "STORE: --data DIR, --db postgresql://… or --config FILE.\n\n"
                 "exit: 0 sound, 1 the chain is broken, 2 usage, 3 store error\n");
}

/* An entry as one JSON line of the listing. */
static int entry_line(void *ctx, const fg_audit_record_t *r)
{
    int rc = fg_store_audit_json(r, ctx);
    return rc == 0 ? fg_buf_appendc(ctx, '\n') : rc;
}

int fg_cmd_audit(int argc, char **argv)
{
    int ec;
    if (fg__cli_verb_help(argc, argv, help, &ec))
        return ec;
    const char *verb = argv[1];
    uint64_t after = 0;
    for (int i = 2; i < argc; i++) {
        if (fg__cli_store_arg(argc, argv, i))
            i++;
        else if (strcmp(argv[i], "--after") == 0 && i + 1 < argc)
            after = strtoull(argv[++i], NULL, 10);
        else
            return fg_cli_usage_error("audit", "unknown option or missing value '%s'", argv[i]);
    }
    if (strcmp(verb, "verify") != 0 && strcmp(verb, "list") != 0)
        return fg_cli_usage_error("audit", "unknown subcommand '%s' (verify, list)", verb);
    fg_store_t *s = NULL;
    fg_buf_t b;
    ec = fg__cli_store_open("audit", argc, argv, &s, &b);
    if (ec != FG_EXIT_OK)
        return ec;
    fg_error_t err = {0};
    int rc;
    if (strcmp(verb, "verify") == 0) {
        fg_audit_report_t rep;
        rc = fg_store_audit_verify(s, &rep, &err);
        if (rc == 0) {
            printf("%" PRIu64 " entries, head %s\n", rep.entries, rep.head[0] ? rep.head : "-");
        } else if (rc == FG_E_AUDIT_CHAIN) {
            printf("broken at entry %" PRIu64 ": %s\n", rep.bad_seq, err.msg);
            fg__cli_store_done("audit", s, &b, 0, &err);
            return FG_EXIT_FINDINGS;
        }
    } else {
        rc = fg_store_audit_list(s, after, 1000000, entry_line, &b, &err);
    }
    return fg__cli_store_done("audit", s, &b, rc, &err);
}
