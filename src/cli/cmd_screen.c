/*
 * cmd_screen.c — `fundguard screen`: the post-event models (事后监管) over directories of
 * extraction tables, reference feeds and pack events (docs/screen.md).
 *
 *   fundguard screen [--models LIST] [--from DATE --to DATE] [--out DIR] [--strict]
 *                    [--kb DIR]… [--set model.param=VALUE]… [--config FILE] DIR…
 *   fundguard screen --params
 * With --truth FILE (a generated truth.csv) the findings are scored per model afterwards.
 *
 * Exit: 0 no finding, 1 findings, 2 usage, 3 bad input, 4 internal error.
 */
#include "core/compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "fundguard/alloc.h"
#include "fundguard/money.h"
#include "fundguard/screen.h"

#define MAX_ITEMS 256

static void help(FILE *out)
{
    fprintf(out,
            "usage: fundguard screen [--models LIST] [--from DATE] [--to DATE] [--out DIR]\n"
            "                        [--strict] [--kb DIR]… [--set model.param=VALUE]…\n"
            "                        [--config FILE] [--tmp DIR] [--memory MB] [--quiet] DIR…\n"
            "       fundguard screen --params\n\n"
            "Runs the post-event models (事后监管) over the extraction tables (setl_d, mdtrt_d,\n"
            "fee_list_d, setl_list_diag_d, setl_list_oprn_d; UTF-8 or GBK), the reference files\n"
            "(persons, institutions, staff, catalogue, deaths, injuries, invoices, suspensions)\n"
            "and the pack events (ledger_events.jsonl, else inventory.jsonl) of every DIR, and\n"
            "writes findings.jsonl, summary.json, report.html and findings.xlsx into --out\n"
            "(default screen-out/).\n\n"
            "  --models LIST  comma-separated models to run (default: all; see --params)\n"
            "  --from DATE    only care on or after DATE (yyyy-MM-dd)\n"
            "  --to DATE      only care on or before DATE\n"
            "  --out DIR      output directory (created when missing)\n"
            "  --strict       a malformed row stops the run (default: reported and skipped)\n"
            "  --kb DIR       knowledge tables for the `rule` model (as fundguard check --kb)\n"
            "  --set M.P=V    set a model's threshold (e.g. after_death.grace_days=1)\n"
            "  --config FILE  thresholds, one M.P=V a line ('#' comments)\n"
            "  --tmp DIR      scratch directory (default: inside --out)\n"
            "  --memory MB    memory for one partition of the extraction tables (default 256)\n"
            "  --params       print every model's thresholds and defaults\n"
            "  --truth FILE   after the run, score the findings against a generated truth.csv:\n"
            "                 per model cases, found, recall, findings, precision, amount\n"
            "  --quiet        no per-model table on standard output\n\n"
            "exit: 0 no finding, 1 findings, 2 usage, 3 bad input, 4 internal error\n");
}

typedef struct opts {
    const char *dirs[MAX_ITEMS];
    size_t ndirs;
    const char *kb[32];
    size_t nkb;
    const char *params[MAX_ITEMS + 1];
    size_t nparams;
    char *owned[MAX_ITEMS]; /* lines read from --config */
    size_t nowned;
    int quiet;
    const char *truth;
} opts_t;

static void on_report(void *ctx, const char *file, const fg_error_t *e)
{
    (void)ctx;
    if (e->line > 0)
        fprintf(stderr, "fundguard screen: %s: line %ld, column %ld (%s): %s [%s]\n", file, e->line,
                e->col, e->where, e->msg, fg_err_name(e->code));
    else
        fprintf(stderr, "fundguard screen: %s: %s: %s [%s]\n", file, e->where, e->msg,
                fg_err_name(e->code));
}

static void on_progress(void *ctx, const char *what, uint64_t done, uint64_t total)
{
    fg_progress_t *p = ctx;
    p->label = what != NULL ? what : "screen";
    p->total = total;
    fg_progress_update(p, done);
}

static int read_config(opts_t *o, const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return fg_cli_usage_error("screen", "cannot read --config %s", path);
    char line[1024];
    while (fgets(line, sizeof(line), f) != NULL) {
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        size_t n = strcspn(p, "#\r\n");
        while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (n == 0)
            continue;
        if (o->nparams >= MAX_ITEMS || o->nowned >= MAX_ITEMS) {
            fclose(f);
            return fg_cli_usage_error("screen", "%s: too many thresholds", path);
        }
        char *c = fg_strndup(p, n);
        if (c == NULL) {
            fclose(f);
            return FG_EXIT_INTERNAL;
        }
        o->owned[o->nowned++] = c;
        o->params[o->nparams++] = c;
    }
    fclose(f);
    return FG_EXIT_OK;
}

static int parse_date_opt(const char *name, const char *v, fg_date_t *out)
{
    fg_error_t err;
    if (fg_date_parse(v, strlen(v), out, &err) != 0)
        return fg_cli_usage_error("screen", "%s takes a date like 2025-07-01, not '%s'", name, v);
    return FG_EXIT_OK;
}

/* Columns a UTF-8 string takes on a terminal: CJK (U+1100 and up) two, others one. */
static size_t display_width(const char *s)
{
    size_t w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p & 0xc0) == 0x80)
            continue;
        w += *p >= 0xe1 ? 2 : 1;
    }
    return w;
}

static void print_summary(const fg_screen_summary_t *s)
{
    printf("%-22s %-26s %8s %14s\n", "model", "", "findings", "amount (yuan)");
    for (size_t i = 0; i < s->nmodels; i++) {
        const fg_screen_model_summary_t *m = &s->models[i];
        size_t w = display_width(m->name_zh);
        int pad = w < 26 ? (int)(26 - w) : 0;
        char amt[FG_MONEY_TEXTLEN];
        fg_money_format(m->amount, amt);
        if (m->enabled)
            printf("%-22s %s%*s %8llu %14s\n", m->name, m->name_zh, pad, "",
                   (unsigned long long)m->findings, amt);
        else
            printf("%-22s %s%*s %8s %14s  off: %s\n", m->name, m->name_zh, pad, "", "-", "-",
                   m->why);
    }
    char amt[FG_MONEY_TEXTLEN];
    fg_money_format(s->amount, amt);
    printf("%llu findings, %s yuan; %llu persons, %llu fee lines, %llu pack events, %llu bad "
           "rows, %.1f s\n",
           (unsigned long long)s->findings, amt, (unsigned long long)s->persons,
           (unsigned long long)s->fee_lines, (unsigned long long)s->events,
           (unsigned long long)s->bad_rows, s->seconds);
}

/* Print the findings against truth.csv; the exit code stays unless scoring fails. */
static int score(const opts_t *o, const char *out_dir, int ec)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/findings.jsonl", out_dir);
    fg_buf_t b;
    fg_buf_init(&b, 16u << 20);
    fg_error_t err;
    int rc = fg_screen_truth(o->truth, path, &b, &err);
    if (rc == 0)
        fputs(b.data, stdout);
    else
        fprintf(stderr, "fundguard screen: --truth: %s [%s]\n", err.msg, fg_err_name(rc));
    fg_buf_release(&b);
    return rc == 0 ? ec : FG_EXIT_INPUT;
}

static int parse_args(int argc, char **argv, opts_t *o, fg_screen_options_t *so, int *done)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int ec = FG_EXIT_OK;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            help(stdout);
            *done = 1;
            return FG_EXIT_OK;
        } else if (strcmp(a, "--params") == 0) {
            size_t n = fg_screen_params_text(NULL, 0);
            char *t = fg_malloc(n + 1);
            if (t == NULL)
                return FG_EXIT_INTERNAL;
            fg_screen_params_text(t, n + 1);
            fputs(t, stdout);
            fg_free(t);
            *done = 1;
            return FG_EXIT_OK;
        } else if (strcmp(a, "--strict") == 0) {
            so->strict = 1;
            continue;
        } else if (strcmp(a, "--quiet") == 0) {
            o->quiet = 1;
            continue;
        } else if (a[0] == '-' && a[1] == '-' && v == NULL) {
            return fg_cli_usage_error("screen", "%s needs a value", a);
        } else if (strcmp(a, "--models") == 0) {
            so->models = v;
        } else if (strcmp(a, "--from") == 0) {
            ec = parse_date_opt(a, v, &so->from);
        } else if (strcmp(a, "--to") == 0) {
            ec = parse_date_opt(a, v, &so->to);
        } else if (strcmp(a, "--out") == 0) {
            so->out_dir = v;
        } else if (strcmp(a, "--truth") == 0) {
            o->truth = v;
        } else if (strcmp(a, "--tmp") == 0) {
            so->tmp_dir = v;
        } else if (strcmp(a, "--memory") == 0) {
            char *end = NULL;
            unsigned long long mb = strtoull(v, &end, 10);
            if (end == v || *end != '\0' || mb == 0 || mb > (1ull << 20))
                return fg_cli_usage_error("screen", "--memory takes megabytes, not '%s'", v);
            so->memory_bytes = mb << 20;
        } else if (strcmp(a, "--kb") == 0) {
            if (o->nkb >= 32)
                return fg_cli_usage_error("screen", "too many --kb");
            o->kb[o->nkb++] = v;
        } else if (strcmp(a, "--set") == 0) {
            if (o->nparams >= MAX_ITEMS)
                return fg_cli_usage_error("screen", "too many --set");
            o->params[o->nparams++] = v;
        } else if (strcmp(a, "--config") == 0) {
            ec = read_config(o, v);
        } else if (a[0] == '-' && a[1] != '\0') {
            return fg_cli_usage_error("screen", "unknown option '%s'", a);
        } else {
            if (o->ndirs >= MAX_ITEMS)
                return fg_cli_usage_error("screen", "too many directories");
            o->dirs[o->ndirs++] = a;
            continue;
        }
        if (ec != FG_EXIT_OK)
            return ec;
        i++;
    }
    return FG_EXIT_OK;
}

int fg_cmd_screen(int argc, char **argv)
{
    opts_t o;
    memset(&o, 0, sizeof(o));
    fg_screen_options_t so;
    fg_screen_options_init(&so);
    int done = 0;
    int ec = parse_args(argc, argv, &o, &so, &done);
    if (ec == FG_EXIT_OK && !done && o.ndirs == 0) {
        help(stderr);
        ec = fg_cli_usage_error("screen", "no input directory");
    }
    if (ec != FG_EXIT_OK || done) {
        for (size_t i = 0; i < o.nowned; i++)
            fg_free(o.owned[i]);
        return ec;
    }
    o.params[o.nparams] = NULL;
    so.dirs = o.dirs;
    so.ndirs = o.ndirs;
    so.kb_dirs = o.kb;
    so.nkb_dirs = o.nkb;
    so.params = o.params;
    fg_progress_t bar;
    fg_progress_init(&bar, "screen", 0);
    so.progress = on_progress;
    so.report = on_report;
    so.ctx = &bar;
    fg_screen_summary_t *s = NULL;
    fg_error_t err;
    int rc = fg_screen_run(&so, &s, &err);
    fg_progress_finish(&bar);
    if (rc != 0) {
        if (err.line > 0)
            fprintf(stderr, "fundguard screen: %s: line %ld, column %ld: %s [%s]\n", err.where,
                    err.line, err.col, err.msg, fg_err_name(rc));
        else
            fprintf(stderr, "fundguard screen: %s%s%s [%s]\n", err.where, err.where[0] ? ": " : "",
                    err.msg, fg_err_name(rc));
        ec = rc == FG_ENOMEM || rc == FG_EINTERNAL || rc == FG_EIO ? FG_EXIT_INTERNAL
             : rc == FG_E_CONFIG || rc == FG_EINVAL                ? FG_EXIT_USAGE
                                                                   : FG_EXIT_INPUT;
    } else {
        if (!o.quiet)
            print_summary(s);
        ec = s->findings > 0 ? FG_EXIT_FINDINGS : FG_EXIT_OK;
        if (o.truth != NULL)
            ec = score(&o, so.out_dir != NULL ? so.out_dir : "screen-out", ec);
    }
    fg_screen_summary_free(s);
    for (size_t i = 0; i < o.nowned; i++)
        fg_free(o.owned[i]);
    return ec;
}
