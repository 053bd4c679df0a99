/*
 * screen.c — the driver of a screen (screen_int.h "How a run goes"): options and thresholds, the
 * inputs found, the models switched on or off, reference loading, the steps, the findings sorted
 * and written (findings.jsonl, summary.json).
 */
#include "core/compat.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fundguard/alloc.h"
#include "fundguard/log.h"
#include "screen/screen_priv.h"

void fg_screen_options_init(fg_screen_options_t *o)
{
    memset(o, 0, sizeof(*o));
    o->from = FG_DATE_NONE;
    o->to = FG_DATE_NONE;
}

/* ---------------------------------------------------------------- inputs */

static const struct input_file {
    unsigned bit;
    const char *file;
} INPUT_FILES[] = {
    {FG__SCREEN_IN_SETL, "setl_d.csv"},
    {FG__SCREEN_IN_MDTRT, "mdtrt_d.csv"},
    {FG__SCREEN_IN_FEE, "fee_list_d.csv"},
    {FG__SCREEN_IN_DIAG, "setl_list_diag_d.csv"},
    {FG__SCREEN_IN_OPRN, "setl_list_oprn_d.csv"},
    {FG__SCREEN_IN_PERSONS, "persons.csv"},
    {FG__SCREEN_IN_INSTITUTIONS, "institutions.csv"},
    {FG__SCREEN_IN_STAFF, "staff.csv"},
    {FG__SCREEN_IN_CATALOGUE, "catalogue.csv"},
    {FG__SCREEN_IN_DEATHS, "deaths.csv"},
    {FG__SCREEN_IN_INJURIES, "injuries.csv"},
    {FG__SCREEN_IN_INVOICES, "invoices.csv"},
    {FG__SCREEN_IN_SUSPENSIONS, "suspensions.csv"},
    {FG__SCREEN_IN_PACK_EVENTS, "ledger_events.jsonl"},
    {FG__SCREEN_IN_PACK_EVENTS, "inventory.jsonl"},
    {FG__SCREEN_IN_STOCK_COUNTS, "inventory.jsonl"},
};

const char *fg__screen_input_name(unsigned bit)
{
    if (bit == FG__SCREEN_IN_KB)
        return "--kb";
    if (bit == FG__SCREEN_IN_PACK_EVENTS)
        return "ledger_events.jsonl or inventory.jsonl";
    for (size_t i = 0; i < sizeof(INPUT_FILES) / sizeof(INPUT_FILES[0]); i++)
        if (INPUT_FILES[i].bit == bit)
            return INPUT_FILES[i].file;
    return NULL;
}

static int file_exists(const char *dir, const char *name)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

unsigned fg__screen_find_inputs(const fg_screen_options_t *o)
{
    unsigned present = 0;
    for (size_t d = 0; d < o->ndirs; d++)
        for (size_t i = 0; i < sizeof(INPUT_FILES) / sizeof(INPUT_FILES[0]); i++)
            if (file_exists(o->dirs[d], INPUT_FILES[i].file))
                present |= INPUT_FILES[i].bit;
    if (o->nkb_dirs > 0)
        present |= FG__SCREEN_IN_KB;
    return present;
}

uint64_t fg__screen_input_bytes(const fg__screen_ctx_t *cx)
{
    uint64_t total = 0;
    char path[4096];
    for (size_t d = 0; d < cx->o->ndirs; d++) {
        const char *last = NULL;
        for (size_t i = 0; i < sizeof(INPUT_FILES) / sizeof(INPUT_FILES[0]); i++) {
            struct stat st;
            if ((cx->read & INPUT_FILES[i].bit) == 0 ||
                (last != NULL && strcmp(last, INPUT_FILES[i].file) == 0))
                continue;
            last = INPUT_FILES[i].file;
            snprintf(path, sizeof(path), "%s/%s", cx->o->dirs[d], INPUT_FILES[i].file);
            if (stat(path, &st) == 0)
                total += (uint64_t)st.st_size;
        }
    }
    return total;
}

fg_screen_input_summary_t *fg__screen_input_add(fg__screen_ctx_t *cx, const char *path,
                                                const char *kind)
{
    fg_screen_summary_t *s = cx->sum;
    fg_screen_input_summary_t *v = fg_realloc_array(s->inputs, s->ninputs + 1, sizeof(*v));
    if (v == NULL)
        return NULL;
    s->inputs = v;
    fg_screen_input_summary_t *in = &v[s->ninputs++];
    memset(in, 0, sizeof(*in));
    snprintf(in->path, sizeof(in->path), "%s", path);
    in->kind = kind;
    in->encoding = "";
    return in;
}

void fg__screen_bad_row(fg__screen_ctx_t *cx, fg_screen_input_summary_t *in, const fg_error_t *e)
{
    if (cx->o->report != NULL)
        cx->o->report(cx->o->ctx, in != NULL ? in->path : "", e);
    if (cx->o->strict && !cx->fatal) {
        cx->fatal = 1;
        cx->fatal_err = *e;
        char where[sizeof(e->where)];
        snprintf(where, sizeof(where), "%s", e->where);
        snprintf(cx->fatal_err.where, sizeof(cx->fatal_err.where), "%.60s: %.30s",
                 in != NULL ? in->path : "", where);
    }
}

void fg__screen_note(fg__screen_ctx_t *cx, const char *file, const fg_error_t *e)
{
    cx->sum->bad_rows++;
    if (cx->o->report != NULL)
        cx->o->report(cx->o->ctx, file, e);
}

void fg__screen_progress(fg__screen_ctx_t *cx, uint64_t bytes)
{
    cx->done += bytes;
    if (cx->o->progress != NULL)
        cx->o->progress(cx->o->ctx, cx->doing, cx->done, cx->total);
}

typedef struct diag_ctx {
    fg__screen_ctx_t *cx;
    fg_screen_input_summary_t *in;
} diag_ctx_t;

static void on_diag(void *ctx, const fg_error_t *e)
{
    diag_ctx_t *d = ctx;
    fg__screen_bad_row(d->cx, d->in, e);
}

int fg__screen_read_table(fg__screen_ctx_t *cx, const char *dir, fg_table_t t,
                          int (*fn)(fg__screen_ctx_t *cx, void *arg, fg_screen_input_summary_t *in,
                                    const void *rec),
                          void *arg, fg_error_t *err)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s.csv", dir, fg_table_name(t));
    struct stat st;
    if (stat(path, &st) != 0)
        return 0; /* absent here: other directories may hold it */
    fg_screen_input_summary_t *in = fg__screen_input_add(cx, path, fg_table_name(t));
    if (in == NULL)
        return FG_ENOMEM;
    diag_ctx_t dc = {cx, in};
    fg_diag_t diag = {.report = on_diag, .ctx = &dc};
    fg_csv_options_t co = {.encoding = FG_CSV_ENC_AUTO,
                           .on_error = cx->o->strict ? FG_CSV_FATAL : FG_CSV_SKIP,
                           .header = 1,
                           .name = path};
    fg_table_reader_t *r = NULL;
    fg_csv_t *csv = NULL;
    int rc = fg_csv_open_path(path, &co, &csv, err);
    if (rc == 0)
        rc = fg_table_open_csv(t, csv, co.on_error, &diag, &r, err);
    if (rc == 0)
        in->encoding = fg_csv_encoding(csv) == FG_CSV_ENC_GBK ? "gbk" : "utf-8";
    /* No model reads the extraction tables' certno_hash (persons and deaths carry the one the
     * death join uses): their IDs are checked, not pseudonymised. */
    if (rc == 0 && t != FG_TABLE_PERSONS && t != FG_TABLE_DEATHS)
        fg_table_skip_pseudonyms(r);
    if (rc != 0) {
        fg_table_close(r);
        fg_csv_close(csv);
        char where[sizeof(err->where)];
        snprintf(where, sizeof(where), "%s", err->where);
        snprintf(err->where, sizeof(err->where), "%.60s: %.30s", path, where);
        return rc;
    }
    cx->doing = fg_table_name(t);
    size_t size = fg_rectype_info(fg_table_rectype(t))->size;
    void *rec = fg_malloc(size);
    uint64_t last = 0;
    int got = 0;
    while (rec != NULL && !cx->fatal && (got = fg_table_next(r, rec)) > 0) {
        in->rows++;
        rc = fn(cx, arg, in, rec);
        if (rc != 0)
            break;
        uint64_t off = fg_table_offset(r);
        if (off - last > (1u << 20)) {
            fg__screen_progress(cx, off - last);
            last = off;
        }
    }
    fg__screen_progress(cx, (uint64_t)st.st_size > last ? (uint64_t)st.st_size - last : 0);
    in->bad_rows = fg_table_bad_rows(r);
    in->rows = fg_table_rows(r) - in->bad_rows;
    cx->sum->bad_rows += in->bad_rows;
    fg_table_close(r);
    fg_csv_close(csv);
    fg_free(rec);
    if (rec == NULL)
        return FG_ENOMEM;
    if (rc == 0 && cx->fatal) {
        *err = cx->fatal_err;
        return cx->fatal_err.code != 0 ? cx->fatal_err.code : FG_EINVAL;
    }
    if (rc == 0 && got < 0) {
        fg_error_set(err, got, path, 0, "%s: cannot read on: %s", path, fg_strerror(got));
        return got;
    }
    return rc;
}

/* ---------------------------------------------------------------- context helpers */

int fg__screen_in_window(const fg__screen_ctx_t *cx, fg_time_t t)
{
    if (t == FG_TIME_NONE)
        return 1;
    fg_date_t d = fg_time_date(t);
    if (cx->o->from != FG_DATE_NONE && d < cx->o->from)
        return 0;
    if (cx->o->to != FG_DATE_NONE && d > cx->o->to)
        return 0;
    return 1;
}

const fg_screen_options_t *fg__screen_options(const fg__screen_ctx_t *cx)
{
    return cx->o;
}

const fg__screen_ref_t *fg__screen_ref(const fg__screen_ctx_t *cx)
{
    return &cx->ref;
}

int64_t fg__screen_param(const fg__screen_ctx_t *cx, const char *name)
{
    const fg__screen_model_run_t *run = &cx->runs[cx->current];
    for (size_t i = 0; i < run->m->nparams; i++)
        if (strcmp(run->m->params[i].name, name) == 0)
            return run->params[i];
    fg_log(FG_LOG_ERROR, "screen model %s reads an unknown parameter %s", run->m->name, name);
    return 0;
}

const fg__screen_model_t *fg__screen_model_find(const char *name)
{
    for (size_t i = 0; i < fg__screen_nmodels; i++)
        if (strcmp(fg__screen_models[i]->name, name) == 0)
            return fg__screen_models[i];
    return NULL;
}

size_t fg_screen_model_count(void)
{
    return fg__screen_nmodels;
}

const char *fg_screen_model_name(size_t i)
{
    return i < fg__screen_nmodels ? fg__screen_models[i]->name : NULL;
}

const char *fg_screen_model_name_zh(size_t i)
{
    return i < fg__screen_nmodels ? fg__screen_models[i]->name_zh : NULL;
}

size_t fg_screen_params_text(char *buf, size_t n)
{
    size_t len = 0;
    for (size_t i = 0; i < fg__screen_nmodels; i++) {
        const fg__screen_model_t *m = fg__screen_models[i];
        for (size_t j = 0; j < m->nparams; j++) {
            const fg__screen_param_t *p = &m->params[j];
            int k =
                snprintf(len < n ? buf + len : NULL, len < n ? n - len : 0,
                         "%s.%s=%lld  # %s (%s, %lld…%lld)\n", m->name, p->name, (long long)p->def,
                         p->meaning, p->unit, (long long)p->min, (long long)p->max);
            if (k > 0)
                len += (size_t)k;
        }
    }
    if (n > 0 && len >= n)
        buf[n - 1] = '\0';
    return len;
}

/* ---------------------------------------------------------------- callbacks */

#define CALL_EACH(cx, cb, ...)                                                                     \
    do {                                                                                           \
        for (size_t i_ = 0; i_ < fg__screen_nmodels; i_++) {                                       \
            fg__screen_model_run_t *r_ = &(cx)->runs[i_];                                          \
            if (!r_->enabled || r_->m->cb == NULL)                                                 \
                continue;                                                                          \
            (cx)->current = i_;                                                                    \
            int rc_ = r_->m->cb((cx), r_->state, __VA_ARGS__);                                     \
            if (rc_ != 0)                                                                          \
                return rc_;                                                                        \
        }                                                                                          \
        return 0;                                                                                  \
    } while (0)

int fg__screen_call_row(fg__screen_ctx_t *cx, fg__screen_row_kind_t kind, const void *rec)
{
    CALL_EACH(cx, row, kind, rec);
}

int fg__screen_call_person(fg__screen_ctx_t *cx, const fg__screen_person_t *p)
{
    CALL_EACH(cx, person, p);
}

int fg__screen_call_event(fg__screen_ctx_t *cx, const fg__screen_event_t *e)
{
    CALL_EACH(cx, event, e);
}

/* ---------------------------------------------------------------- emit */

static int copy_ids(fg_arena_t *a, fg__screen_ids_t *dst, const fg__screen_ids_t *src)
{
    dst->cap = dst->n = src->n;
    dst->v = NULL;
    if (src->n == 0)
        return 0;
    const char **v = fg_arena_alloc(a, src->n * sizeof(*v));
    if (v == NULL)
        return FG_ENOMEM;
    for (size_t i = 0; i < src->n; i++)
        if ((v[i] = fg_arena_strndup(a, src->v[i], strlen(src->v[i]))) == NULL)
            return FG_ENOMEM;
    dst->v = v;
    return 0;
}

int fg__screen_emit(fg__screen_ctx_t *cx, fg__screen_finding_t *f)
{
    const fg__screen_model_t *m = cx->runs[cx->current].m;
    f->model = m->name;
    if (cx->nkept == cx->kept_cap) {
        size_t cap = cx->kept_cap ? cx->kept_cap * 2 : 256;
        fg__screen_kept_t *v = fg_realloc_array(cx->kept, cap, sizeof(*v));
        if (v == NULL)
            return FG_ENOMEM;
        cx->kept = v;
        cx->kept_cap = cap;
    }
    fg_buf_reset(&cx->line);
    int rc = fg__screen_finding_json(f, &cx->line);
    if (rc != 0)
        return rc;
    fg__screen_kept_t *k = &cx->kept[cx->nkept];
    memset(k, 0, sizeof(*k));
    k->f = *f;
    memset(&k->f.arena, 0, sizeof(k->f.arena));
    k->model = (uint32_t)cx->current;
    rc = copy_ids(&cx->arena, &k->f.psn_nos, &f->psn_nos);
    if (rc == 0)
        rc = copy_ids(&cx->arena, &k->f.setl_ids, &f->setl_ids);
    if (rc == 0)
        rc = copy_ids(&cx->arena, &k->f.mdtrt_ids, &f->mdtrt_ids);
    if (rc == 0)
        rc = copy_ids(&cx->arena, &k->f.feedetl_sns, &f->feedetl_sns);
    if (rc != 0)
        return rc;
    /* Evidence as the whole object; the kept finding's buffer is not to be released. */
    size_t elen = f->evidence.len;
    char *ev = fg_arena_alloc(&cx->arena, elen + 3);
    k->line = fg_arena_strndup(&cx->arena, cx->line.data, cx->line.len);
    if (ev == NULL || k->line == NULL)
        return FG_ENOMEM;
    if (elen > 0) {
        ev[0] = '{';
        memcpy(ev + 1, f->evidence.data, elen);
        ev[elen + 1] = '}';
        ev[elen + 2] = '\0';
        elen += 2;
    } else {
        ev[0] = '\0';
    }
    k->f.evidence.data = ev;
    k->f.evidence.len = elen;
    k->f.evidence.cap = 0;
    k->f.evidence.max = 0;
    k->len = cx->line.len;
    cx->nkept++;
    return 0;
}
