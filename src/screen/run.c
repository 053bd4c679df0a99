/*
 * run.c — fg_screen_run: thresholds, models on or off, reference loading, the steps in order, and
 * the outputs (findings.jsonl sorted, summary.json; the report writers where built in).
 */
#include "core/compat.h"

#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fundguard/alloc.h"
#include "screen/screen_priv.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---------------------------------------------------------------- thresholds */

static int set_param(fg__screen_ctx_t *cx, const char *item, fg_error_t *err)
{
    const char *eq = strchr(item, '=');
    const char *dot = strchr(item, '.');
    if (eq == NULL || dot == NULL || dot > eq)
        return fg_error_set(err, FG_E_CONFIG, item, 0,
                            "a threshold is set as model.param=value, not '%s'", item);
    for (size_t i = 0; i < fg__screen_nmodels; i++) {
        const fg__screen_model_t *m = fg__screen_models[i];
        if (strlen(m->name) != (size_t)(dot - item) || strncmp(m->name, item, dot - item) != 0)
            continue;
        for (size_t j = 0; j < m->nparams; j++) {
            const fg__screen_param_t *p = &m->params[j];
            if (strlen(p->name) != (size_t)(eq - dot - 1) ||
                strncmp(p->name, dot + 1, eq - dot - 1) != 0)
                continue;
            char *end = NULL;
            errno = 0;
            long long v = strtoll(eq + 1, &end, 10);
            if (errno != 0 || end == eq + 1 || *end != '\0' || v < p->min || v > p->max)
                return fg_error_set(err, FG_E_CONFIG, item, 0,
                                    "%s.%s takes a whole number from %lld to %lld (%s)", m->name,
                                    p->name, (long long)p->min, (long long)p->max, p->unit);
            cx->runs[i].params[j] = v;
            return 0;
        }
        return fg_error_set(err, FG_E_CONFIG, item, 0, "model %s has no threshold '%.*s'", m->name,
                            (int)(eq - dot - 1), dot + 1);
    }
    return fg_error_set(err, FG_E_CONFIG, item, 0, "no screening model '%.*s'", (int)(dot - item),
                        item);
}

/* ---------------------------------------------------------------- models on or off */

static int wanted(const char *list, const char *name)
{
    if (list == NULL || list[0] == '\0')
        return 1;
    size_t n = strlen(name);
    for (const char *p = list; *p != '\0';) {
        const char *e = strchr(p, ',');
        size_t len = e != NULL ? (size_t)(e - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0)
            return 1;
        p += len + (e != NULL);
    }
    return 0;
}

static int check_model_list(const char *list, fg_error_t *err)
{
    if (list == NULL)
        return 0;
    for (const char *p = list; *p != '\0';) {
        const char *e = strchr(p, ',');
        size_t len = e != NULL ? (size_t)(e - p) : strlen(p);
        char name[64];
        snprintf(name, sizeof(name), "%.*s", (int)(len < 63 ? len : 63), p);
        if (fg__screen_model_find(name) == NULL)
            return fg_error_set(err, FG_E_CONFIG, "--models", 0, "no screening model '%s'", name);
        p += len + (e != NULL);
    }
    return 0;
}

/* Why a model is off: the files missing, and the knowledge tables when --kb was not given. */
static void why_off(char *why, size_t n, unsigned missing)
{
    size_t len = 0;
    for (unsigned b = 0; b < FG__SCREEN_IN__COUNT; b++) {
        if (!(missing & (1u << b)) || (1u << b) == FG__SCREEN_IN_KB)
            continue;
        int k =
            snprintf(why + len, n - len, "%s%s", len ? ", " : "", fg__screen_input_name(1u << b));
        if (k > 0 && (size_t)k < n - len)
            len += (size_t)k;
    }
    if (len > 0) {
        int k = snprintf(why + len, n - len, " missing in every input");
        if (k > 0 && (size_t)k < n - len)
            len += (size_t)k;
    }
    if (missing & FG__SCREEN_IN_KB)
        snprintf(why + len, n - len, "%sno knowledge tables (--kb)", len ? "; " : "");
}

static int setup_models(fg__screen_ctx_t *cx, fg_error_t *err)
{
    fg_screen_summary_t *s = cx->sum;
    s->nmodels = fg__screen_nmodels;
    s->models = fg_calloc(fg__screen_nmodels, sizeof(*s->models));
    cx->runs = fg_calloc(fg__screen_nmodels, sizeof(*cx->runs));
    if (s->models == NULL || cx->runs == NULL)
        return FG_ENOMEM;
    int rc = check_model_list(cx->o->models, err);
    for (size_t i = 0; rc == 0 && i < fg__screen_nmodels; i++) {
        const fg__screen_model_t *m = fg__screen_models[i];
        fg__screen_model_run_t *run = &cx->runs[i];
        fg_screen_model_summary_t *ms = &s->models[i];
        run->m = m;
        ms->name = m->name;
        ms->name_zh = m->name_zh;
        run->params = fg_calloc(m->nparams ? m->nparams : 1, sizeof(int64_t));
        if (run->params == NULL)
            return FG_ENOMEM;
        for (size_t j = 0; j < m->nparams; j++)
            run->params[j] = m->params[j].def;
        if (!wanted(cx->o->models, m->name)) {
            snprintf(ms->why, sizeof(ms->why), "not asked for (--models)");
            continue;
        }
        unsigned missing = m->needs & ~cx->present;
        if (missing != 0) {
            why_off(ms->why, sizeof(ms->why), missing);
            continue;
        }
        run->enabled = 1;
        ms->enabled = 1;
        cx->read |= (m->needs | m->wants) & cx->present;
    }
    /* Institutions (a small file) are always loaded when present: the reports show names. */
    cx->read |= cx->present & FG__SCREEN_IN_INSTITUTIONS;
    for (size_t i = 0; rc == 0 && cx->o->params != NULL && cx->o->params[i] != NULL; i++)
        rc = set_param(cx, cx->o->params[i], err);
    return rc;
}

/* ---------------------------------------------------------------- reference tables */

static int add_ref_row(fg__screen_ctx_t *cx, void *arg, fg_screen_input_summary_t *in,
                       const void *rec)
{
    (void)cx;
    (void)in;
    return fg__screen_rows_add(arg, rec);
}

static const struct {
    fg_table_t t;
    unsigned bit;
} REF_TABLES[] = {
    {FG_TABLE_PERSONS, FG__SCREEN_IN_PERSONS},
    {FG_TABLE_INSTITUTIONS, FG__SCREEN_IN_INSTITUTIONS},
    {FG_TABLE_STAFF, FG__SCREEN_IN_STAFF},
    {FG_TABLE_CATALOGUE, FG__SCREEN_IN_CATALOGUE},
    {FG_TABLE_DEATHS, FG__SCREEN_IN_DEATHS},
    {FG_TABLE_INJURIES, FG__SCREEN_IN_INJURIES},
    {FG_TABLE_SUSPENSIONS, FG__SCREEN_IN_SUSPENSIONS},
};

static int load_kb(fg__screen_ctx_t *cx, fg_error_t *err)
{
    fg__screen_ref_t *r = &cx->ref;
    r->kb = fg_kb_new();
    r->rules = fg_ref_new();
    if (r->kb == NULL || r->rules == NULL)
        return FG_ENOMEM;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < cx->o->nkb_dirs; i++)
        rc = fg_kb_load_dir(r->kb, cx->o->kb_dirs[i], err);
    if (rc == 0)
        rc = fg_kb_seal(r->kb, err);
    /* The review's status references: deaths, persons, suspensions, catalogue of every input. */
    for (size_t d = 0; rc == 0 && d < cx->o->ndirs; d++)
        rc = fg_ref_load_dir(r->rules, cx->o->dirs[d], err);
    return rc;
}

static int load_refs(fg__screen_ctx_t *cx, fg_error_t *err)
{
    fg__screen_ref_init(&cx->ref);
    int rc = 0;
    for (size_t d = 0; rc == 0 && d < cx->o->ndirs; d++)
        for (size_t i = 0; rc == 0 && i < sizeof(REF_TABLES) / sizeof(REF_TABLES[0]); i++) {
            if ((cx->read & REF_TABLES[i].bit) == 0)
                continue;
            fg__screen_rows_t *rows = fg__screen_ref_rows(&cx->ref, REF_TABLES[i].t);
            rc = fg__screen_read_table(cx, cx->o->dirs[d], REF_TABLES[i].t, add_ref_row, rows, err);
        }
    if (rc == 0)
        rc = fg__screen_ref_seal(&cx->ref);
    if (rc == 0 && (cx->read & FG__SCREEN_IN_KB))
        rc = load_kb(cx, err);
    return rc;
}

/* ---------------------------------------------------------------- outputs */

static int cmp_kept(const void *a, const void *b)
{
    const fg__screen_kept_t *x = a;
    const fg__screen_kept_t *y = b;
    if (x->model != y->model)
        return x->model < y->model ? -1 : 1;
    return strcmp(x->line, y->line);
}

static int write_file(const char *dir, const char *name, const fg_buf_t *b, fg_error_t *err)
{
    char path[4096];
    char tmp[4200];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    int ok = f != NULL && (b->len == 0 || fwrite(b->data, 1, b->len, f) == b->len);
    if (f != NULL && fclose(f) != 0)
        ok = 0;
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        remove(tmp);
        return fg_error_set(err, -e, path, 0, "cannot write %s: %s", path, strerror(e));
    }
    return 0;
}

/* The input bits an input summary's kind stands for. */
static unsigned kind_bits(const char *kind)
{
    static const struct {
        const char *kind;
        unsigned bits;
    } K[] = {
        {"setl_d", FG__SCREEN_IN_SETL},
        {"mdtrt_d", FG__SCREEN_IN_MDTRT},
        {"fee_list_d", FG__SCREEN_IN_FEE},
        {"setl_list_diag_d", FG__SCREEN_IN_DIAG},
        {"setl_list_oprn_d", FG__SCREEN_IN_OPRN},
        {"persons", FG__SCREEN_IN_PERSONS},
        {"institutions", FG__SCREEN_IN_INSTITUTIONS},
        {"staff", FG__SCREEN_IN_STAFF},
        {"catalogue", FG__SCREEN_IN_CATALOGUE},
        {"deaths", FG__SCREEN_IN_DEATHS},
        {"injuries", FG__SCREEN_IN_INJURIES},
        {"invoices", FG__SCREEN_IN_INVOICES},
        {"suspensions", FG__SCREEN_IN_SUSPENSIONS},
        {"ledger_events", FG__SCREEN_IN_PACK_EVENTS},
        {"inventory", FG__SCREEN_IN_PACK_EVENTS | FG__SCREEN_IN_STOCK_COUNTS},
    };
    for (size_t i = 0; i < sizeof(K) / sizeof(K[0]); i++)
        if (strcmp(K[i].kind, kind) == 0)
            return K[i].bits;
    return 0;
}

/* A model's inputs as read: the kinds, and their rows and bad rows summed. */
static int model_inputs(const fg_screen_summary_t *s, unsigned reads, fg_buf_t *b)
{
    uint64_t rows = 0;
    uint64_t bad = 0;
    int rc = fg_buf_appends(b, ",\"inputs\":[");
    unsigned listed = 0;
    size_t n = 0;
    for (size_t i = 0; rc == 0 && i < s->ninputs; i++) {
        const fg_screen_input_summary_t *in = &s->inputs[i];
        unsigned bits = kind_bits(in->kind);
        if ((bits & reads) == 0)
            continue;
        rows += in->rows;
        bad += in->bad_rows;
        if ((listed & bits) == bits)
            continue;
        listed |= bits;
        rc = fg_buf_printf(b, "%s\"%s\"", n++ ? "," : "", in->kind);
    }
    if (rc == 0)
        rc = fg_buf_printf(b, "],\"rows\":%llu,\"bad_rows\":%llu", (unsigned long long)rows,
                           (unsigned long long)bad);
    return rc;
}

static int summary_json(const fg__screen_ctx_t *cx, fg_buf_t *b)
{
    const fg_screen_summary_t *s = cx->sum;
    int rc = fg_buf_printf(b,
                           "{\"findings\":%llu,\"amount\":%lld,\"persons\":%llu,\"fee_lines\":%llu,"
                           "\"events\":%llu,\"bad_rows\":%llu,\"partitions\":%llu,\"models\":[",
                           (unsigned long long)s->findings, (long long)s->amount,
                           (unsigned long long)s->persons, (unsigned long long)s->fee_lines,
                           (unsigned long long)s->events, (unsigned long long)s->bad_rows,
                           (unsigned long long)s->partitions);
    for (size_t i = 0; rc == 0 && i < s->nmodels; i++) {
        const fg_screen_model_summary_t *m = &s->models[i];
        rc = fg_buf_printf(b, "%s{\"model\":\"%s\",\"name_zh\":", i ? "," : "", m->name);
        if (rc == 0)
            rc = fg_buf_append_json_str(b, m->name_zh, strlen(m->name_zh));
        if (rc == 0)
            rc = fg_buf_printf(b, ",\"enabled\":%s,\"findings\":%llu,\"amount\":%lld",
                               m->enabled ? "true" : "false", (unsigned long long)m->findings,
                               (long long)m->amount);
        if (rc == 0 && !m->enabled) {
            rc = fg_buf_appends(b, ",\"why\":");
            if (rc == 0)
                rc = fg_buf_append_json_str(b, m->why, strlen(m->why));
        }
        const fg__screen_model_t *mm = cx->runs[i].m;
        if (rc == 0 && m->enabled)
            rc = model_inputs(s, (mm->needs | mm->wants) & cx->present, b);
        if (rc == 0)
            rc = fg_buf_appendc(b, '}');
    }
    if (rc == 0)
        rc = fg_buf_appends(b, "],\"inputs\":[");
    for (size_t i = 0; rc == 0 && i < s->ninputs; i++) {
        const fg_screen_input_summary_t *in = &s->inputs[i];
        rc = fg_buf_appends(b, i ? ",{\"path\":" : "{\"path\":");
        if (rc == 0)
            rc = fg_buf_append_json_str(b, in->path, strlen(in->path));
        if (rc == 0)
            rc = fg_buf_printf(b,
                               ",\"kind\":\"%s\",\"encoding\":\"%s\",\"rows\":%llu,"
                               "\"bad_rows\":%llu,\"filtered\":%llu}",
                               in->kind, in->encoding, (unsigned long long)in->rows,
                               (unsigned long long)in->bad_rows, (unsigned long long)in->filtered);
    }
    return rc != 0 ? rc : fg_buf_appends(b, "]}\n");
}

/* report.html and findings.xlsx (report_html.c, report_xlsx.c) from the sorted findings. The
 * result's findings are a contiguous copy of the kept ones (shallow: lists and evidence stay in
 * the run's arena). */
static int write_reports(fg__screen_ctx_t *cx, const char *dir, fg_error_t *err)
{
    fg__screen_finding_t *fs = fg_calloc(cx->nkept > 0 ? cx->nkept : 1, sizeof(*fs));
    const int64_t **params = fg_calloc(fg__screen_nmodels, sizeof(*params));
    int rc = fs != NULL && params != NULL ? 0 : FG_ENOMEM;
    if (rc == 0) {
        for (size_t i = 0; i < cx->nkept; i++)
            fs[i] = cx->kept[i].f;
        for (size_t i = 0; i < fg__screen_nmodels; i++)
            params[i] = cx->runs[i].params;
        fg__screen_result_t r = {.summary = cx->sum,
                                 .models = fg__screen_models,
                                 .params = params,
                                 .findings = fs,
                                 .nfindings = cx->nkept,
                                 .ref = &cx->ref};
        rc = fg__screen_write_report(dir, &r, err);
        if (rc == 0)
            rc = fg__screen_write_xlsx(dir, &r, err);
    } else {
        fg_error_set(err, rc, dir, 0, "out of memory writing the reports");
    }
    fg_free(fs);
    fg_free(params);
    return rc;
}

static int write_outputs(fg__screen_ctx_t *cx, const char *dir, fg_error_t *err)
{
    if (cx->nkept > 1)
        qsort(cx->kept, cx->nkept, sizeof(*cx->kept), cmp_kept);
    fg_screen_summary_t *s = cx->sum;
    fg_buf_t b;
    fg_buf_init(&b, SIZE_MAX / 2);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < cx->nkept; i++) {
        const fg__screen_kept_t *k = &cx->kept[i];
        s->models[k->model].findings++;
        s->models[k->model].amount += k->f.amount;
        s->findings++;
        s->amount += k->f.amount;
        rc = fg_buf_append(&b, k->line, k->len);
        if (rc == 0)
            rc = fg_buf_appendc(&b, '\n');
    }
    if (rc == 0)
        rc = write_file(dir, "findings.jsonl", &b, err);
    fg_buf_reset(&b);
    if (rc == 0)
        rc = summary_json(cx, &b);
    if (rc == 0)
        rc = write_file(dir, "summary.json", &b, err);
    fg_buf_release(&b);
    if (rc == 0)
        rc = write_reports(cx, dir, err);
    return rc;
}

/* ---------------------------------------------------------------- the run */

static int make_dirs(fg__screen_ctx_t *cx, const char *out, fg_error_t *err)
{
    if (mkdir(out, 0777) != 0 && errno != EEXIST)
        return fg_error_set(err, -errno, out, 0, "cannot create %s: %s", out, strerror(errno));
    if (cx->o->tmp_dir != NULL)
        snprintf(cx->tmp, sizeof(cx->tmp), "%s/fundguard-screen-%ld", cx->o->tmp_dir,
                 (long)getpid());
    else
        snprintf(cx->tmp, sizeof(cx->tmp), "%s/.screen-tmp", out);
    if (mkdir(cx->tmp, 0700) != 0 && errno != EEXIST)
        return fg_error_set(err, -errno, cx->tmp, 0, "cannot create %s: %s", cx->tmp,
                            strerror(errno));
    return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) != 0 ? 0 : 0; /* best effort: a scratch file left is not an error */
}

/* The scratch directory and everything in it (partitions, the pack ledger). */
static void remove_tree(const char *dir)
{
    nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void free_ctx(fg__screen_ctx_t *cx)
{
    for (size_t i = 0; cx->runs != NULL && i < fg__screen_nmodels; i++) {
        if (cx->runs[i].m != NULL && cx->runs[i].m->free != NULL && cx->runs[i].state != NULL)
            cx->runs[i].m->free(cx->runs[i].state);
        fg_free(cx->runs[i].params);
    }
    fg_free(cx->runs);
    fg_free(cx->kept);
    fg_arena_release(&cx->arena);
    fg_arena_release(&cx->arena2);
    fg_buf_release(&cx->line);
    fg__screen_ref_release(&cx->ref);
}

/* ---------------------------------------------------------------- the second core */

/* The pack models (event callbacks) and the person models (row and person callbacks) share no
 * state, so the pack events are screened on a second thread while the extraction tables are
 * partitioned and walked. The thread has its own context: its findings, its summary's inputs and
 * counts, its bad-row reports are held and merged after the join in the order a sequential run
 * gives (tables first, then pack events), so every output stays the same byte for byte. */
typedef struct held_report {
    char *file;
    fg_error_t e;
} held_report_t;

typedef struct pack_job {
    fg__screen_ctx_t px;
    fg_screen_options_t o;
    held_report_t *held;
    size_t nheld;
    int oom;
    int rc;
    fg_error_t err;
} pack_job_t;

static void hold_report(void *ctx, const char *file, const fg_error_t *e)
{
    pack_job_t *j = ctx;
    held_report_t *v = fg_realloc_array(j->held, j->nheld + 1, sizeof(*v));
    const char *name = file != NULL ? file : "";
    size_t n = strlen(name) + 1;
    char *f = fg_malloc(n);
    if (f != NULL)
        memcpy(f, name, n);
    if (v == NULL || f == NULL) {
        if (v != NULL)
            j->held = v;
        fg_free(f);
        j->oom = 1;
        return;
    }
    j->held = v;
    v[j->nheld].file = f;
    v[j->nheld].e = *e;
    j->nheld++;
}

static void *pack_thread(void *arg)
{
    pack_job_t *j = arg;
    j->rc = fg__screen_pack_run(&j->px, &j->err);
    return NULL;
}

/* Append the pack thread's findings, inputs and counts to cx; replay its reports. */
static int merge_pack(fg__screen_ctx_t *cx, pack_job_t *j)
{
    fg__screen_ctx_t *px = &j->px;
    for (size_t i = 0; i < j->nheld; i++)
        if (cx->o->report != NULL)
            cx->o->report(cx->o->ctx, j->held[i].file, &j->held[i].e);
    fg_screen_summary_t *s = cx->sum;
    const fg_screen_summary_t *ps = px->sum;
    fg__screen_kept_t *kv = fg_realloc_array(cx->kept, cx->nkept + px->nkept + 1, sizeof(*kv));
    fg_screen_input_summary_t *iv =
        fg_realloc_array(s->inputs, s->ninputs + ps->ninputs + 1, sizeof(*iv));
    if (kv != NULL)
        cx->kept = kv;
    if (iv != NULL)
        s->inputs = iv;
    if (kv == NULL || iv == NULL || j->oom)
        return FG_ENOMEM;
    if (px->nkept > 0)
        memcpy(kv + cx->nkept, px->kept, px->nkept * sizeof(*kv));
    cx->nkept += px->nkept;
    cx->kept_cap = cx->nkept + 1;
    if (ps->ninputs > 0)
        memcpy(iv + s->ninputs, ps->inputs, ps->ninputs * sizeof(*iv));
    s->ninputs += ps->ninputs;
    s->events += ps->events;
    s->bad_rows += ps->bad_rows;
    fg__screen_progress(cx, px->done);
    return 0;
}

static void free_job(pack_job_t *j)
{
    for (size_t i = 0; i < j->nheld; i++)
        fg_free(j->held[i].file);
    fg_free(j->held);
    fg_free(j->px.kept);
    fg_buf_release(&j->px.line);
    if (j->px.sum != NULL)
        fg_free(j->px.sum->inputs);
    fg_free(j->px.sum);
}

static int partition_and_pack(fg__screen_ctx_t *cx, fg_error_t *err)
{
    unsigned pack_in = FG__SCREEN_IN_PACK_EVENTS | FG__SCREEN_IN_STOCK_COUNTS;
    unsigned rows_in = cx->read & ~pack_in;
    if ((cx->read & pack_in) == 0 || rows_in == 0 || cx->o->strict) {
        int rc = fg__screen_partition_run(cx, err);
        return rc != 0 ? rc : fg__screen_pack_run(cx, err);
    }
    pack_job_t *j = fg_calloc(1, sizeof(*j));
    if (j == NULL)
        return FG_ENOMEM;
    j->px = *cx;
    j->o = *cx->o;
    j->o.progress = NULL;
    j->o.report = hold_report;
    j->o.ctx = j;
    j->px.o = &j->o;
    j->px.sum = fg_calloc(1, sizeof(*j->px.sum));
    j->px.kept = NULL;
    j->px.nkept = j->px.kept_cap = 0;
    j->px.done = 0;
    fg_arena_init(&j->px.arena, 0);
    fg_buf_init(&j->px.line, 16u << 20);
    pthread_t th;
    int rc = j->px.sum != NULL ? 0 : FG_ENOMEM;
    int started = rc == 0 && pthread_create(&th, NULL, pack_thread, j) == 0;
    if (rc == 0 && !started) {
        /* no second thread: the same steps one after the other */
        free_job(j);
        fg_free(j);
        rc = fg__screen_partition_run(cx, err);
        return rc != 0 ? rc : fg__screen_pack_run(cx, err);
    }
    if (rc == 0)
        rc = fg__screen_partition_run(cx, err);
    if (started)
        pthread_join(th, NULL);
    cx->arena2 = j->px.arena;
    if (rc == 0 && j->rc != 0) {
        *err = j->err;
        rc = j->rc;
    }
    if (rc == 0)
        rc = merge_pack(cx, j);
    free_job(j);
    fg_free(j);
    return rc;
}

static int run_steps(fg__screen_ctx_t *cx, fg_error_t *err)
{
    int rc = load_refs(cx, err);
    for (size_t i = 0; rc == 0 && i < fg__screen_nmodels; i++) {
        fg__screen_model_run_t *run = &cx->runs[i];
        cx->current = i;
        if (run->enabled && run->m->init != NULL)
            rc = run->m->init(cx, &run->state);
    }
    if (rc == 0)
        rc = partition_and_pack(cx, err);
    for (size_t i = 0; rc == 0 && i < fg__screen_nmodels; i++) {
        fg__screen_model_run_t *run = &cx->runs[i];
        cx->current = i;
        if (run->enabled && run->m->finish != NULL)
            rc = run->m->finish(cx, run->state);
    }
    if (rc != 0 && err->code == 0)
        fg_error_set(err, rc, "", 0, "%s", fg_strerror(rc));
    return rc;
}

int fg_screen_run(const fg_screen_options_t *o, fg_screen_summary_t **out, fg_error_t *err)
{
    fg_error_t scratch;
    if (err == NULL)
        err = &scratch;
    memset(err, 0, sizeof(*err));
    *out = NULL;
    if (o == NULL || o->ndirs == 0)
        return fg_error_set(err, FG_EINVAL, "dirs", 0, "no input directory given");
    if (o->from != FG_DATE_NONE && o->to != FG_DATE_NONE && o->from > o->to)
        return fg_error_set(err, FG_EINVAL, "--from", 0, "--from is after --to");
    fg__screen_ctx_t cx;
    memset(&cx, 0, sizeof(cx));
    cx.o = o;
    cx.sum = fg_calloc(1, sizeof(*cx.sum));
    if (cx.sum == NULL)
        return FG_ENOMEM;
    *out = cx.sum;
    fg_arena_init(&cx.arena, 0);
    fg_arena_init(&cx.arena2, 0);
    fg_buf_init(&cx.line, 16u << 20);
    fg__screen_ref_init(&cx.ref);
    double t0 = now_s();
    cx.present = fg__screen_find_inputs(o);
    int rc = 0;
    if ((cx.present & ~(unsigned)FG__SCREEN_IN_KB) == 0)
        rc = fg_error_set(err, FG_ENOTFOUND, o->dirs[0], 0,
                          "no input directory holds a file the screen reads (setl_d.csv, "
                          "fee_list_d.csv, ledger_events.jsonl …)");
    if (rc == 0)
        rc = setup_models(&cx, err);
    if (rc == 0)
        cx.total = fg__screen_input_bytes(&cx);
    const char *dir = o->out_dir != NULL ? o->out_dir : "screen-out";
    if (rc == 0)
        rc = make_dirs(&cx, dir, err);
    if (rc == 0)
        rc = run_steps(&cx, err);
    if (rc == 0)
        rc = write_outputs(&cx, dir, err);
    if (cx.tmp[0] != '\0')
        remove_tree(cx.tmp);
    cx.sum->seconds = now_s() - t0;
    free_ctx(&cx);
    return rc;
}

void fg_screen_summary_free(fg_screen_summary_t *s)
{
    if (s == NULL)
        return;
    fg_free(s->models);
    fg_free(s->inputs);
    fg_free(s);
}
