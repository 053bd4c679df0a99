/*
 * cmd_kb.c — `fundguard kb stats --kb DIR…`: load the knowledge base and count it.
 *
 * Prints one line per table — stem, version, rows as published, knowledge points, note rows — then
 * the facts by kind and the knowledge base's version. Loading is strict: the first bad row is
 * reported as "file: line N, column C: message [code]" and the exit code is 3.
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "fundguard/buf.h"
#include "fundguard/kb.h"
#include "fundguard/rules.h"

static void help(FILE *out)
{
    fprintf(
        out,
        "usage: fundguard kb stats --kb DIR [--kb DIR…] [--json]\n"
        "       fundguard kb rules [--csv]\n\n"
        "stats  load the national tables (DIR and DIR/nhsa: batch*.csv) and local tables\n"
        "       (DIR and DIR/local: price-cap.csv …, docs/kb.md) and print, per table, the rows as\n"
        "       published, the knowledge points and the note rows, then the version.\n"
        "rules  print the rule catalogue (GZ codes, docs/rules.md).\n\n"
        "exit: 0 ok, 2 usage, 3 a table failed to load\n");
}

static const char *const kind_names[FG_KF__COUNT] = {
    [FG_KF_DRUG_GENDER] = "drug_gender",
    [FG_KF_ITEM_GENDER] = "item_gender",
    [FG_KF_DRUG_AGE] = "drug_age",
    [FG_KF_ITEM_AGE] = "item_age",
    [FG_KF_ITEM_WORK_AGE] = "item_work_age",
    [FG_KF_SURGERY_GROUP] = "surgery_group",
    [FG_KF_INSURANCE_TYPE] = "insurance_type",
    [FG_KF_CARE_SETTING] = "care_setting",
    [FG_KF_INST_LEVEL] = "institution_level",
    [FG_KF_DRUG_COURSE] = "drug_course",
    [FG_KF_DUP_SECONDARY] = "duplicate_pair",
    [FG_KF_FREQUENCY] = "frequency",
    [FG_KF_ITEM_COURSE] = "item_course",
    [FG_KF_CYCLE] = "cycle_frequency",
    [FG_KF_PRICE_CAP] = "price_cap",
    [FG_KF_INDICATION] = "indication",
    [FG_KF_MAX_QTY] = "max_quantity",
    [FG_KF_BUNDLE_PART] = "bundle_part",
    [FG_KF_NOCODE] = "nocode_stock",
};

/* Load every --kb directory; prints the error and returns an exit code. */
int fg__cli_kb_load(const char *cmd, char **dirs, int ndirs, fg_kb_t **out);

int fg__cli_kb_load(const char *cmd, char **dirs, int ndirs, fg_kb_t **out)
{
    fg_error_t err;
    fg_kb_t *kb = fg_kb_new();
    if (kb == NULL) {
        fprintf(stderr, "fundguard %s: out of memory\n", cmd);
        return FG_EXIT_INTERNAL;
    }
    int rc = 0;
    for (int i = 0; i < ndirs && rc == 0; i++)
        rc = fg_kb_load_dir(kb, dirs[i], &err);
    if (rc == 0)
        rc = fg_kb_seal(kb, &err);
    if (rc != 0) {
        fprintf(stderr, "fundguard %s: %s [%s]\n", cmd, err.msg, fg_err_name(rc));
        fg_kb_free(kb);
        return rc == FG_ENOMEM ? FG_EXIT_INTERNAL : FG_EXIT_INPUT;
    }
    *out = kb;
    return FG_EXIT_OK;
}

static int stats(fg_kb_t *kb, int json)
{
    size_t nt = fg_kb_ntables(kb);
    long rows = 0, points = 0;
    if (json) {
        fg_buf_t b;
        fg_buf_init(&b, 1 << 20);
        fg_buf_appends(&b, "{\"version\":");
        fg_buf_append_json_str(&b, fg_kb_version(kb), strlen(fg_kb_version(kb)));
        fg_buf_appends(&b, ",\"tables\":[");
        for (size_t i = 0; i < nt; i++) {
            const fg_kb_table_info_t *t = fg_kb_table_info(kb, i);
            fg_buf_printf(&b,
                          "%s{\"table\":\"%s\",\"version\":\"%s\",\"family\":\"%s\","
                          "\"rows\":%ld,\"points\":%ld,\"notes\":%ld,\"sha256\":\"%s\"}",
                          i ? "," : "", t->stem, t->version, t->family, t->rows, t->points,
                          t->notes, t->sha256);
        }
        fg_buf_appends(&b, "],\"facts\":{");
        int first = 1;
        for (int k = 1; k < FG_KF__COUNT; k++) {
            fg_buf_printf(&b, "%s\"%s\":%zu", first ? "" : ",", kind_names[k],
                          fg_kb_nfacts(kb, (fg_kb_kind_t)k));
            first = 0;
        }
        fg_buf_printf(&b, "},\"diagnosis_limits\":%zu,\"bundles\":%zu,\"visit_limits\":%zu}\n",
                      fg_kb_ndiag_limits(kb), fg_kb_nbundles(kb), fg_kb_nvisit_limits(kb));
        fwrite(b.data, 1, b.len, stdout);
        fg_buf_release(&b);
        return FG_EXIT_OK;
    }
    printf("%-40s %-8s %7s %7s %5s\n", "table", "version", "rows", "points", "notes");
    for (size_t i = 0; i < nt; i++) {
        const fg_kb_table_info_t *t = fg_kb_table_info(kb, i);
        printf("%-40s %-8s %7ld %7ld %5ld\n", t->stem, t->version, t->rows, t->points, t->notes);
        rows += t->rows;
        points += t->points;
    }
    printf("%-40s %-8s %7ld %7ld\n", "total", "", rows, points);
    printf("\nfacts by kind:");
    for (int k = 1; k < FG_KF__COUNT; k++)
        if (fg_kb_nfacts(kb, (fg_kb_kind_t)k) > 0)
            printf(" %s=%zu", kind_names[k], fg_kb_nfacts(kb, (fg_kb_kind_t)k));
    if (fg_kb_ndiag_limits(kb) > 0)
        printf(" diagnosis_limit=%zu", fg_kb_ndiag_limits(kb));
    if (fg_kb_nbundles(kb) > 0)
        printf(" bundle=%zu", fg_kb_nbundles(kb));
    if (fg_kb_nvisit_limits(kb) > 0)
        printf(" visit_limit=%zu", fg_kb_nvisit_limits(kb));
    printf("\nversion: %s\n", fg_kb_version(kb));
    return FG_EXIT_OK;
}

int fg_cmd_kb(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        help(argc < 2 ? stderr : stdout);
        return argc < 2 ? FG_EXIT_USAGE : FG_EXIT_OK;
    }
    if (strcmp(argv[1], "rules") == 0) {
        int csv = argc > 2 && strcmp(argv[2], "--csv") == 0;
        fg_buf_t b;
        fg_buf_init(&b, 1 << 20);
        int rc = csv ? fg_rules_catalogue_csv(&b) : fg_rules_catalogue_text(&b);
        if (rc == 0)
            fwrite(b.data, 1, b.len, stdout);
        fg_buf_release(&b);
        return rc == 0 ? FG_EXIT_OK : FG_EXIT_INTERNAL;
    }
    if (strcmp(argv[1], "stats") != 0)
        return fg_cli_usage_error("kb", "unknown subcommand '%s' (stats, rules)", argv[1]);
    char *dirs[32];
    int ndirs = 0, json = 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--kb") == 0 && i + 1 < argc && ndirs < 32) {
            dirs[ndirs++] = argv[++i];
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--help") == 0) {
            help(stdout);
            return FG_EXIT_OK;
        } else {
            return fg_cli_usage_error("kb", "unknown option '%s'", argv[i]);
        }
    }
    if (ndirs == 0)
        return fg_cli_usage_error("kb", "stats needs --kb DIR");
    fg_kb_t *kb = NULL;
    int ec = fg__cli_kb_load("kb", dirs, ndirs, &kb);
    if (ec != FG_EXIT_OK)
        return ec;
    ec = stats(kb, json);
    fg_kb_free(kb);
    return ec;
}
