/*
 * part.c — steps 3 and 4 of a screen (screen_int.h): the extraction tables (and invoices) of every
 * directory are streamed once, each row handed to the models' `row` callbacks and appended to the
 * partition of hash(psn_no); then each partition is read back, sorted by person, and every
 * person's rows go to the models' `person` callbacks.
 *
 * A partition is a file of records in tmp_dir (kind byte, size, the record struct, then a fee
 * line's trace references) — or, when the whole input fits one partition, a memory buffer. The
 * number of partitions is chosen from the input's bytes so that one partition's records stay under
 * options memory_bytes; memory is then that bound plus the reference tables, whatever the number of
 * fee lines.
 */
#include "core/compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fundguard/alloc.h"
#include "fundguard/hash.h"
#include "screen/screen_priv.h"

/* Bytes of records per byte of CSV (a fee line's struct is ~4× its row). */
#define EXPANSION 4u
#define MAX_PARTS 4096u

static const struct kind_info {
    fg_table_t table;
    fg__screen_row_kind_t kind;
    size_t size;
    size_t psn_off;
    size_t id_off; /* the row's identity (dedup across directories); 0: none */
    unsigned bit;
} KINDS[FG__SCREEN_ROW__COUNT] = {
    {FG_TABLE_SETL_D, FG__SCREEN_ROW_SETL, sizeof(fg_settlement_t),
     offsetof(fg_settlement_t, psn_no), offsetof(fg_settlement_t, setl_id), FG__SCREEN_IN_SETL},
    {FG_TABLE_MDTRT_D, FG__SCREEN_ROW_MDTRT, sizeof(fg_visit_t), offsetof(fg_visit_t, psn_no),
     offsetof(fg_visit_t, mdtrt_id), FG__SCREEN_IN_MDTRT},
    {FG_TABLE_FEE_LIST_D, FG__SCREEN_ROW_FEE, sizeof(fg_fee_line_t),
     offsetof(fg_fee_line_t, psn_no), offsetof(fg_fee_line_t, feedetl_sn), FG__SCREEN_IN_FEE},
    {FG_TABLE_SETL_LIST_DIAG_D, FG__SCREEN_ROW_DIAG, sizeof(fg_diagnosis_t),
     offsetof(fg_diagnosis_t, psn_no), 0, FG__SCREEN_IN_DIAG},
    {FG_TABLE_SETL_LIST_OPRN_D, FG__SCREEN_ROW_OPRN, sizeof(fg_operation_t),
     offsetof(fg_operation_t, psn_no), 0, FG__SCREEN_IN_OPRN},
    {FG_TABLE_INVOICES, FG__SCREEN_ROW_INVOICE, sizeof(fg_invoice_t),
     offsetof(fg_invoice_t, psn_no), offsetof(fg_invoice_t, invono), FG__SCREEN_IN_INVOICES},
};

typedef struct part {
    FILE *f;      /* NULL: in memory */
    fg_buf_t mem; /* the one in-memory partition */
} part_t;

typedef struct parter {
    fg__screen_ctx_t *cx;
    part_t *parts;
    size_t nparts;
    int err;
} parter_t;

/* ---------------------------------------------------------------- writing */

static int part_write(parter_t *pt, size_t p, const void *data, size_t n)
{
    part_t *q = &pt->parts[p];
    if (q->f == NULL)
        return fg_buf_append(&q->mem, data, n);
    return fwrite(data, 1, n, q->f) == n ? 0 : FG_EIO;
}

/* The time a row is filtered by, FG_TIME_NONE when it has none (kept). */
static fg_time_t row_time(fg__screen_row_kind_t k, const void *rec)
{
    switch (k) {
    case FG__SCREEN_ROW_SETL: {
        const fg_settlement_t *s = rec;
        if (s->setl_time != FG_TIME_NONE)
            return s->setl_time;
        return s->enddate != FG_DATE_NONE ? fg_date_start(s->enddate) : FG_TIME_NONE;
    }
    case FG__SCREEN_ROW_MDTRT:
        return ((const fg_visit_t *)rec)->begntime;
    case FG__SCREEN_ROW_FEE:
        return ((const fg_fee_line_t *)rec)->fee_ocur_time;
    case FG__SCREEN_ROW_INVOICE: {
        fg_date_t d = ((const fg_invoice_t *)rec)->invoice_date;
        return d != FG_DATE_NONE ? fg_date_start(d) : FG_TIME_NONE;
    }
    default:
        return FG_TIME_NONE;
    }
}

typedef struct put_arg {
    parter_t *pt;
    const struct kind_info *ki;
    fg_screen_input_summary_t *in;
} put_arg_t;

static int put_row(fg__screen_ctx_t *cx, void *arg, fg_screen_input_summary_t *in, const void *rec)
{
    put_arg_t *a = arg;
    a->in = in;
    const struct kind_info *ki = a->ki;
    fg_time_t t = row_time(ki->kind, rec);
    if (t != FG_TIME_NONE && !fg__screen_in_window(cx, t)) {
        a->in->filtered++;
        return 0;
    }
    int rc = fg__screen_call_row(cx, ki->kind, rec);
    if (rc != 0)
        return rc;
    const char *psn = (const char *)rec + ki->psn_off;
    size_t p = a->pt->nparts > 1 ? fg_hash64(psn, strlen(psn)) % a->pt->nparts : 0;
    uint32_t hdr[2] = {(uint32_t)ki->kind, (uint32_t)ki->size};
    size_t ntrace = 0;
    if (ki->kind == FG__SCREEN_ROW_FEE)
        ntrace = ((const fg_fee_line_t *)rec)->ntrace;
    hdr[0] |= (uint32_t)ntrace << 8;
    rc = part_write(a->pt, p, hdr, sizeof(hdr));
    if (rc == 0)
        rc = part_write(a->pt, p, rec, ki->size);
    if (rc == 0 && ntrace > 0)
        rc = part_write(a->pt, p, ((const fg_fee_line_t *)rec)->trace,
                        ntrace * sizeof(fg_trace_ref_t));
    return rc;
}

static uint64_t input_bytes(fg__screen_ctx_t *cx)
{
    uint64_t total = 0;
    char path[4096];
    for (size_t d = 0; d < cx->o->ndirs; d++)
        for (size_t k = 0; k < FG__SCREEN_ROW__COUNT; k++) {
            struct stat st;
            snprintf(path, sizeof(path), "%s/%s.csv", cx->o->dirs[d],
                     fg_table_name(KINDS[k].table));
            if (stat(path, &st) == 0)
                total += (uint64_t)st.st_size;
        }
    return total;
}

static int open_parts(parter_t *pt, uint64_t bytes, fg_error_t *err)
{
    fg__screen_ctx_t *cx = pt->cx;
    uint64_t budget = cx->o->memory_bytes ? cx->o->memory_bytes : (256u << 20);
    uint64_t n = bytes * EXPANSION / budget + 1;
    pt->nparts = n > MAX_PARTS ? MAX_PARTS : (size_t)n;
    pt->parts = fg_calloc(pt->nparts, sizeof(*pt->parts));
    if (pt->parts == NULL)
        return FG_ENOMEM;
    for (size_t i = 0; i < pt->nparts; i++) {
        fg_buf_init(&pt->parts[i].mem, SIZE_MAX / 2);
        if (pt->nparts == 1)
            break;
        char path[4200];
        snprintf(path, sizeof(path), "%s/part-%04zu.bin", cx->tmp, i);
        pt->parts[i].f = fopen(path, "w+b");
        if (pt->parts[i].f == NULL) {
            int e = errno;
            snprintf(err->where, sizeof(err->where), "%.90s", path);
            snprintf(err->msg, sizeof(err->msg), "cannot create a partition file: %s", strerror(e));
            return err->code = -e;
        }
    }
    cx->sum->partitions = pt->nparts;
    return 0;
}

static void close_parts(parter_t *pt)
{
    for (size_t i = 0; pt->parts != NULL && i < pt->nparts; i++) {
        if (pt->parts[i].f != NULL) {
            fclose(pt->parts[i].f);
            char path[4200];
            snprintf(path, sizeof(path), "%s/part-%04zu.bin", pt->cx->tmp, i);
            remove(path);
        }
        fg_buf_release(&pt->parts[i].mem);
    }
    fg_free(pt->parts);
    pt->parts = NULL;
}

/* ---------------------------------------------------------------- reading back */

typedef struct group {
    fg__screen_rows_t rows[FG__SCREEN_ROW__COUNT];
    fg_arena_t traces;
} group_t;

static int load_part(parter_t *pt, size_t p, group_t *g)
{
    part_t *q = &pt->parts[p];
    const char *mem = q->mem.data;
    size_t memlen = q->mem.len;
    size_t pos = 0;
    if (q->f != NULL) {
        if (fflush(q->f) != 0 || fseek(q->f, 0, SEEK_SET) != 0)
            return FG_EIO;
    }
    union {
        fg_settlement_t s;
        fg_visit_t v;
        fg_fee_line_t f;
        fg_diagnosis_t d;
        fg_operation_t o;
        fg_invoice_t i;
    } rec;
    for (;;) {
        uint32_t hdr[2];
        if (q->f != NULL) {
            size_t got = fread(hdr, 1, sizeof(hdr), q->f);
            if (got == 0)
                break;
            if (got != sizeof(hdr))
                return FG_ECORRUPT;
        } else {
            if (pos >= memlen)
                break;
            memcpy(hdr, mem + pos, sizeof(hdr));
            pos += sizeof(hdr);
        }
        size_t kind = hdr[0] & 0xffu;
        size_t ntrace = hdr[0] >> 8;
        if (kind >= FG__SCREEN_ROW__COUNT || hdr[1] != KINDS[kind].size)
            return FG_ECORRUPT;
        size_t tbytes = ntrace * sizeof(fg_trace_ref_t);
        fg_trace_ref_t *tr = ntrace ? fg_arena_alloc(&g->traces, tbytes) : NULL;
        if (ntrace && tr == NULL)
            return FG_ENOMEM;
        if (q->f != NULL) {
            if (fread(&rec, 1, hdr[1], q->f) != hdr[1] ||
                (tbytes && fread(tr, 1, tbytes, q->f) != tbytes))
                return FG_ECORRUPT;
        } else {
            memcpy(&rec, mem + pos, hdr[1]);
            pos += hdr[1];
            if (tbytes)
                memcpy(tr, mem + pos, tbytes);
            pos += tbytes;
        }
        if (kind == FG__SCREEN_ROW_FEE) {
            rec.f.trace = tr;
            rec.f.ntrace = ntrace;
        }
        int rc = fg__screen_rows_add(&g->rows[kind], &rec);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Sort keys: (psn_no, time, id) per kind; the by-id pass first drops duplicates. */
static const struct kind_info *g_sort_kind;

static fg_time_t sort_time(const void *rec)
{
    switch (g_sort_kind->kind) {
    case FG__SCREEN_ROW_DIAG:
    case FG__SCREEN_ROW_OPRN:
        return 0;
    default: {
        fg_time_t t = row_time(g_sort_kind->kind, rec);
        return t == FG_TIME_NONE ? INT64_MIN : t;
    }
    }
}

static int cmp_secondary(const void *a, const void *b)
{
    const char *x = a;
    const char *y = b;
    switch (g_sort_kind->kind) {
    case FG__SCREEN_ROW_DIAG: {
        const fg_diagnosis_t *p = a;
        const fg_diagnosis_t *q = b;
        int c = strcmp(p->setl_id, q->setl_id);
        if (c == 0)
            c = q->maindiag_flag - p->maindiag_flag;
        if (c == 0)
            c = strcmp(p->diag_code, q->diag_code);
        return c != 0 ? c : strcmp(p->diag_type, q->diag_type);
    }
    case FG__SCREEN_ROW_OPRN: {
        const fg_operation_t *p = a;
        const fg_operation_t *q = b;
        int c = strcmp(p->setl_id, q->setl_id);
        if (c == 0)
            c = (p->oprn_oprt_date > q->oprn_oprt_date) - (p->oprn_oprt_date < q->oprn_oprt_date);
        return c != 0 ? c : strcmp(p->oprn_oprt_code, q->oprn_oprt_code);
    }
    default:
        return strcmp(x + g_sort_kind->id_off, y + g_sort_kind->id_off);
    }
}

static int cmp_by_id(const void *a, const void *b)
{
    int c = strcmp((const char *)a + g_sort_kind->psn_off, (const char *)b + g_sort_kind->psn_off);
    return c != 0 ? c : cmp_secondary(a, b);
}

static int cmp_by_time(const void *a, const void *b)
{
    int c = strcmp((const char *)a + g_sort_kind->psn_off, (const char *)b + g_sort_kind->psn_off);
    if (c != 0)
        return c;
    fg_time_t x = sort_time(a);
    fg_time_t y = sort_time(b);
    if (x != y)
        return x < y ? -1 : 1;
    return cmp_secondary(a, b);
}

static void sort_rows(fg__screen_rows_t *rs, const struct kind_info *ki)
{
    if (rs->n < 2)
        return;
    g_sort_kind = ki;
    qsort(rs->v, rs->n, rs->size, cmp_by_id);
    /* The same row from two directories (overlapping exports) is kept once. */
    size_t w = 1;
    for (size_t i = 1; i < rs->n; i++) {
        char *prev = (char *)rs->v + (w - 1) * rs->size;
        char *cur = (char *)rs->v + i * rs->size;
        if (cmp_by_id(prev, cur) == 0)
            continue;
        if (w != i)
            memcpy((char *)rs->v + w * rs->size, cur, rs->size);
        w++;
    }
    rs->n = w;
    qsort(rs->v, rs->n, rs->size, cmp_by_time);
}

/* ---------------------------------------------------------------- person groups */

static const fg__screen_person_t *g_idx_person;

static int cmp_visit_idx(const void *a, const void *b)
{
    const fg_visit_t *v = g_idx_person->visits;
    return strcmp(v[*(const uint32_t *)a].mdtrt_id, v[*(const uint32_t *)b].mdtrt_id);
}

static int cmp_setl_idx(const void *a, const void *b)
{
    const fg_settlement_t *s = g_idx_person->setls;
    return strcmp(s[*(const uint32_t *)a].setl_id, s[*(const uint32_t *)b].setl_id);
}

static int cmp_fee_idx(const void *a, const void *b)
{
    const fg_fee_line_t *f = g_idx_person->fees;
    const fg_fee_line_t *x = &f[*(const uint32_t *)a];
    const fg_fee_line_t *y = &f[*(const uint32_t *)b];
    int c = strcmp(x->setl_id, y->setl_id);
    return c != 0 ? c : strcmp(x->feedetl_sn, y->feedetl_sn);
}

static uint32_t *make_index(fg_arena_t *a, size_t n, int (*cmp)(const void *, const void *))
{
    uint32_t *ix = fg_arena_alloc(a, (n ? n : 1) * sizeof(*ix));
    if (ix == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        ix[i] = (uint32_t)i;
    qsort(ix, n, sizeof(*ix), cmp);
    return ix;
}

static int person_call(fg__screen_ctx_t *cx, fg__screen_person_t *p, fg_arena_t *a)
{
    p->person = fg__screen_ref_person(&cx->ref, p->psn_no);
    p->die_date = fg__screen_ref_death(&cx->ref, p->psn_no, &p->death);
    g_idx_person = p;
    uint32_t *vi = make_index(a, p->nvisits, cmp_visit_idx);
    uint32_t *si = make_index(a, p->nsetls, cmp_setl_idx);
    uint32_t *fi = make_index(a, p->nfees, cmp_fee_idx);
    if (vi == NULL || si == NULL || fi == NULL)
        return FG_ENOMEM;
    p->visit_by_id = vi;
    p->setl_by_id = si;
    p->fee_by_setl = fi;
    cx->sum->persons++;
    cx->sum->fee_lines += p->nfees;
    return fg__screen_call_person(cx, p);
}

static const char *row_psn(const group_t *g, size_t k, size_t i)
{
    const fg__screen_rows_t *rs = &g->rows[k];
    return (const char *)rs->v + i * rs->size + KINDS[k].psn_off;
}

/* Walk the sorted kinds in step, one person at a time (the smallest psn_no first). */
static int walk_persons(fg__screen_ctx_t *cx, group_t *g)
{
    size_t pos[FG__SCREEN_ROW__COUNT] = {0};
    fg_arena_t a;
    fg_arena_init(&a, 0);
    int rc = 0;
    for (;;) {
        const char *next = NULL;
        for (size_t k = 0; k < FG__SCREEN_ROW__COUNT; k++)
            if (pos[k] < g->rows[k].n && (next == NULL || strcmp(row_psn(g, k, pos[k]), next) < 0))
                next = row_psn(g, k, pos[k]);
        if (next == NULL)
            break;
        fg_idstr_t psn;
        snprintf(psn, sizeof(psn), "%s", next);
        fg__screen_person_t p;
        memset(&p, 0, sizeof(p));
        p.psn_no = psn;
        size_t cnt[FG__SCREEN_ROW__COUNT];
        const void *first[FG__SCREEN_ROW__COUNT];
        for (size_t k = 0; k < FG__SCREEN_ROW__COUNT; k++) {
            size_t e = pos[k];
            while (e < g->rows[k].n && strcmp(row_psn(g, k, e), psn) == 0)
                e++;
            first[k] =
                g->rows[k].v != NULL ? (const char *)g->rows[k].v + pos[k] * g->rows[k].size : NULL;
            cnt[k] = e - pos[k];
            pos[k] = e;
        }
        p.setls = first[FG__SCREEN_ROW_SETL];
        p.nsetls = cnt[FG__SCREEN_ROW_SETL];
        p.visits = first[FG__SCREEN_ROW_MDTRT];
        p.nvisits = cnt[FG__SCREEN_ROW_MDTRT];
        p.fees = first[FG__SCREEN_ROW_FEE];
        p.nfees = cnt[FG__SCREEN_ROW_FEE];
        p.diags = first[FG__SCREEN_ROW_DIAG];
        p.ndiags = cnt[FG__SCREEN_ROW_DIAG];
        p.oprns = first[FG__SCREEN_ROW_OPRN];
        p.noprns = cnt[FG__SCREEN_ROW_OPRN];
        p.invoices = first[FG__SCREEN_ROW_INVOICE];
        p.ninvoices = cnt[FG__SCREEN_ROW_INVOICE];
        rc = person_call(cx, &p, &a);
        fg_arena_reset(&a);
        if (rc != 0)
            break;
    }
    fg_arena_release(&a);
    return rc;
}

static int screen_part(parter_t *pt, size_t p)
{
    group_t g;
    memset(&g, 0, sizeof(g));
    fg_arena_init(&g.traces, 0);
    for (size_t k = 0; k < FG__SCREEN_ROW__COUNT; k++)
        g.rows[k].size = KINDS[k].size;
    int rc = load_part(pt, p, &g);
    /* The partition's bytes are in g now: give the memory back before the models run. */
    if (pt->parts[p].f != NULL && rc == 0 && ftruncate(fileno(pt->parts[p].f), 0) != 0)
        rc = FG_EIO;
    fg_buf_release(&pt->parts[p].mem);
    for (size_t k = 0; rc == 0 && k < FG__SCREEN_ROW__COUNT; k++)
        sort_rows(&g.rows[k], &KINDS[k]);
    if (rc == 0)
        rc = walk_persons(pt->cx, &g);
    for (size_t k = 0; k < FG__SCREEN_ROW__COUNT; k++)
        fg__screen_rows_release(&g.rows[k]);
    fg_arena_release(&g.traces);
    return rc;
}

int fg__screen_partition_run(fg__screen_ctx_t *cx, fg_error_t *err)
{
    unsigned want = 0;
    for (size_t k = 0; k < FG__SCREEN_ROW__COUNT; k++)
        want |= KINDS[k].bit;
    if ((cx->read & want) == 0)
        return 0;
    parter_t pt = {.cx = cx};
    int rc = open_parts(&pt, input_bytes(cx), err);
    for (size_t d = 0; rc == 0 && d < cx->o->ndirs; d++)
        for (size_t k = 0; rc == 0 && k < FG__SCREEN_ROW__COUNT; k++) {
            if ((cx->read & KINDS[k].bit) == 0)
                continue;
            put_arg_t a = {.pt = &pt, .ki = &KINDS[k]};
            rc = fg__screen_read_table(cx, cx->o->dirs[d], KINDS[k].table, put_row, &a, err);
        }
    for (size_t p = 0; rc == 0 && p < pt.nparts; p++) {
        cx->doing = "persons";
        rc = screen_part(&pt, p);
        if (rc != 0 && err->code == 0) {
            err->code = rc;
            snprintf(err->msg, sizeof(err->msg), "screening partition %zu: %s", p, fg_strerror(rc));
        }
    }
    close_parts(&pt);
    return rc;
}
