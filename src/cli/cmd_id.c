/*
 * cmd_id.c — `fundguard id KIND VALUE…`: check identifiers one per line of output.
 *
 *   ok <normalised>                      the value is valid
 *   error <code> <position>: <message>   it is not (position 0 = the value as a whole)
 *
 * A resident ID is shown masked with the birth date and sex it encodes, never in full.
 * Exit 0 when every value is valid, 3 otherwise, 2 on wrong usage.
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "fundguard/codes.h"

static void help(FILE *out)
{
    fprintf(
        out,
        "usage: fundguard id KIND VALUE...\n"
        "       fundguard id KIND -        (values from standard input, one a line)\n\n"
        "KIND: trace gtin drug consumable item med_list institution doctor staff icd10 region idcard\n\n"
        "Prints one line per value: 'ok <normalised>' or 'error <code> <position>: <message>'.\n"
        "Resident IDs are shown masked, with the birth date and sex they encode.\n"
        "exit: 0 all valid, 3 some invalid, 2 usage\n");
}

/* Check one value and print its line; returns 1 when valid. */
static int check_one(fg_id_kind_t kind, const char *value, size_t n)
{
    fg_error_t err;
    fg_error_clear(&err);
    if (kind == FG_ID_IDCARD) {
        fg_idcard_t id;
        int rc = fg_idcard_parse(value, n, &id, &err);
        if (rc == 0) {
            char birth[FG_DATE_TEXTLEN + 1];
            fg_date_format(id.birth, birth);
            printf("ok %s birth=%s sex=%d\n", id.masked, birth, id.sex);
            return 1;
        }
    } else {
        char out[FG_ID_NORM_MAX];
        int rc = fg_id_check(kind, value, n, out, sizeof(out), &err);
        if (rc == 0) {
            printf("ok %s\n", out);
            return 1;
        }
    }
    printf("error %s %zu: %s\n", fg_err_name(err.code), err.pos, err.msg);
    return 0;
}

int fg_cmd_id(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        help(stdout);
        return FG_EXIT_OK;
    }
    if (argc < 3) {
        help(stderr);
        return FG_EXIT_USAGE;
    }
    int kind = fg_id_kind_parse(argv[1]);
    if (kind < 0)
        return fg_cli_usage_error("id", "unknown kind '%s' (see fundguard id --help)", argv[1]);
    int all_ok = 1;
    if (argc == 3 && strcmp(argv[2], "-") == 0) {
        char line[4096];
        while (fgets(line, sizeof(line), stdin) != NULL) {
            size_t n = strcspn(line, "\r\n");
            all_ok &= check_one((fg_id_kind_t)kind, line, n);
        }
    } else {
        for (int i = 2; i < argc; i++)
            all_ok &= check_one((fg_id_kind_t)kind, argv[i], strlen(argv[i]));
    }
    return all_ok ? FG_EXIT_OK : FG_EXIT_INPUT;
}
