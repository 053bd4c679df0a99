/*
 * cmd_gen.c — `fundguard gen`: generate a synthetic region with injected fraud and its ground
 * truth.
 *
 *   fundguard gen --out DIR --scale county|city|province --seed N [--year 2025] [--fraud-rate R]
 *                 [--encoding utf8|gbk] [--kb DIR] [--persons N]
 *
 * Exit codes: 0 ok, 2 usage, 3 bad input (kb tables missing or unreadable), 4 internal error.
 */
#include "core/compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "fundguard/gen.h"

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: fundguard gen --out DIR --scale county|city|province --seed N [--year 2025]\n"
        "                     [--fraud-rate R] [--encoding utf8|gbk] [--kb DIR] [--persons N]\n\n"
        "Generates a region's year of medical insurance with injected fraud, deterministically:\n"
        "the same seed gives byte-identical files (manifest.json lists their sha256).\n\n"
        "  --out DIR          output folder (created; files in it are overwritten)\n"
        "  --scale S          county (~50 institutions, 50k persons, 1M fee lines),\n"
        "                     city (~500 / 500k / 10M), province (~5,000 / 5M / 100M)\n"
        "  --seed N           any unsigned 64-bit number\n"
        "  --year Y           the natural year to generate (default %d)\n"
        "  --fraud-rate R     fraud cases per person per scenario above the guaranteed 50\n"
        "                     (default %.3f, at most 0.05)\n"
        "  --encoding E       utf8 (default) or gbk for the CSV files\n"
        "  --kb DIR           the national tables (default: kb/nhsa of the source tree)\n"
        "  --persons N        override the scale's number of persons\n\n"
        "Writes setl_d, mdtrt_d, fee_list_d, setl_list_diag_d, setl_list_oprn_d (.csv);\n"
        "settlements.jsonl, inventory.jsonl, ledger_events.jsonl; institutions, staff, persons,\n"
        "catalogue, deaths, injuries, invoices, suspensions (.csv); truth.csv; manifest.json.\n"
        "docs/generator.md describes the distributions and every fraud scenario.\n"
        "exit codes: 0 ok, 2 usage, 3 bad input, 4 internal error\n",
        FG_GEN_DEFAULT_YEAR, FG_GEN_DEFAULT_FRAUD_RATE);
}

/* A whole unsigned decimal number, no sign, no spaces, no overflow. */
static int parse_u64(const char *s, unsigned long long max, unsigned long long *out)
{
    unsigned long long v = 0;
    if (s == NULL || *s == '\0')
        return -1;
    for (const char *p = s; *p != '\0'; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        unsigned d = (unsigned)(*p - '0');
        if (v > (max - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

static int parse_rate(const char *s, double *out)
{
    char *end = NULL;
    if (s == NULL || *s == '\0' || *s == '-' || *s == '+' || *s == ' ')
        return -1;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !(v >= 0.0) || v > 0.05)
        return -1;
    *out = v;
    return 0;
}

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
    fg_progress_t *p = ctx;
    p->total = total;
    fg_progress_update(p, done);
}

int fg_cmd_gen(int argc, char **argv)
{
    fg_gen_options_t opt;
    fg_gen_options_init(&opt);
    int have_out = 0;
    int have_scale = 0;
    int have_seed = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return FG_EXIT_OK;
        }
        if (i + 1 >= argc) {
            usage(stderr);
            return fg_cli_usage_error("gen", "'%s' is not an option that stands alone", a);
        }
        const char *v = argv[++i];
        unsigned long long n;
        if (strcmp(a, "--out") == 0) {
            if (v[0] == '\0')
                return fg_cli_usage_error("gen", "--out needs a folder");
            opt.out_dir = v;
            have_out = 1;
        } else if (strcmp(a, "--scale") == 0) {
            int s = fg_gen_scale_parse(v);
            if (s < 0)
                return fg_cli_usage_error("gen", "unknown scale '%s' (county, city, province)", v);
            opt.scale = (fg_gen_scale_t)s;
            have_scale = 1;
        } else if (strcmp(a, "--seed") == 0) {
            if (parse_u64(v, UINT64_MAX, &n) != 0)
                return fg_cli_usage_error("gen", "--seed '%s' is not a whole number 0…%llu", v,
                                          (unsigned long long)UINT64_MAX);
            opt.seed = n;
            have_seed = 1;
        } else if (strcmp(a, "--year") == 0) {
            if (parse_u64(v, 9999, &n) != 0 || n < 2000 || n > 2099)
                return fg_cli_usage_error("gen", "--year '%s' is not a year 2000…2099", v);
            opt.year = (int)n;
        } else if (strcmp(a, "--fraud-rate") == 0) {
            if (parse_rate(v, &opt.fraud_rate) != 0)
                return fg_cli_usage_error("gen", "--fraud-rate '%s' is not a number 0…0.05", v);
        } else if (strcmp(a, "--encoding") == 0) {
            if (strcmp(v, "utf8") == 0 || strcmp(v, "utf-8") == 0)
                opt.encoding = FG_GEN_UTF8;
            else if (strcmp(v, "gbk") == 0)
                opt.encoding = FG_GEN_GBK;
            else
                return fg_cli_usage_error("gen", "unknown encoding '%s' (utf8, gbk)", v);
        } else if (strcmp(a, "--kb") == 0) {
            opt.kb_dir = v;
        } else if (strcmp(a, "--persons") == 0) {
            if (parse_u64(v, 50000000ULL, &n) != 0 || n < 100)
                return fg_cli_usage_error("gen", "--persons '%s' is not a number 100…50000000", v);
            opt.persons = n;
        } else {
            usage(stderr);
            return fg_cli_usage_error("gen", "unknown option '%s'", a);
        }
    }
    if (!have_out || !have_scale || !have_seed) {
        usage(stderr);
        return fg_cli_usage_error("gen", "--out, --scale and --seed are required");
    }

    fg_progress_t bar;
    fg_progress_init(&bar, "gen", 0);
    opt.progress = on_progress;
    opt.progress_ctx = &bar;

    fg_gen_stats_t st;
    fg_error_t err;
    fg_error_clear(&err);
    int rc = fg_gen_run(&opt, &st, &err);
    fg_progress_finish(&bar);
    if (rc != 0) {
        fprintf(stderr, "fundguard gen: %s%s%s [%s]\n", err.where[0] ? err.where : "",
                err.where[0] ? ": " : "", err.msg[0] ? err.msg : fg_strerror(rc), fg_err_name(rc));
        if (rc == FG_EINVAL || rc == FG_ENOTFOUND || rc == FG_ECORRUPT)
            return rc == FG_EINVAL ? FG_EXIT_USAGE : FG_EXIT_INPUT;
        return FG_EXIT_INTERNAL;
    }
    printf("generated %s (seed %llu, year %d) into %s: %llu institutions, %llu staff, %llu persons,"
           " %llu visits, %llu settlements, %llu fee lines, %llu ledger events, %llu truth cases,"
           " %.1f MB\n",
           fg_gen_scale_name(opt.scale), (unsigned long long)opt.seed, opt.year, opt.out_dir,
           (unsigned long long)st.institutions, (unsigned long long)st.staff,
           (unsigned long long)st.persons, (unsigned long long)st.visits,
           (unsigned long long)st.settlements, (unsigned long long)st.fee_lines,
           (unsigned long long)st.ledger_events, (unsigned long long)st.truth_cases,
           (double)st.bytes / 1e6);
    return FG_EXIT_OK;
}
