/*
 * ledger_pg.c — the ledger on PostgreSQL 13+ / Citus (docs/scale-out.md).
 *
 * The state machine is machine.c, the same function the embedded ledger runs, so the two cannot
 * drift; PostgreSQL holds the state and the history. A batch of events travels in one transaction
 * of two pipelined round trips (libpq pipeline mode):
 *
 *   1. BEGIN; INSERT … ON CONFLICT (code) DO UPDATE … RETURNING the state of every distinct code
 *      in the batch (creating absent rows and locking all of them, in code order so that two
 *      servers never deadlock); SELECT which of the batch's institutions have reported purchases.
 *   2. the events are stepped in arrival order in memory; then UPDATE the codes' states, INSERT the
 *      history rows, INSERT new purchasers, COMMIT — each one statement over arrays (unnest).
 *
 * Every statement touches rows by code, the distribution column on Citus, so the coordinator routes
 * each array statement to the shards in parallel instead of one network hop per event. Results are
 * acknowledged when the COMMIT returns.
 */
#include "core/compat.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fundguard/alloc.h"
#include "fundguard/buf.h"
#include "ledger/ledger_int.h"

extern const char fg__ledger_pg_schema[];

struct detail {
    char inst[16];
    fg_time_t time;
    char setl_id[FG_LEDGER_STR_MAX + 1];
    char feedetl_sn[FG_LEDGER_STR_MAX + 1];
    char psn_no[FG_LEDGER_STR_MAX + 1];
};

struct cstate {
    const char *code; /* borrowed from the batch's events */
    fg__lstate_t st;
    uint32_t events;
    int dirty;
};

struct pginst {
    char code[16];
    int purchased;
    int new_purchase; /* learnt in this batch */
};

typedef struct fg__lpg fg__lpg_t;

struct fg__lpg {
    fg_ledger_t base; /* first: the handle the interface hands out (handle.c) */
    PGconn *conn;
    struct pginst *inst; /* id - 1 */
    uint32_t ninst;
    uint32_t inst_cap;
    struct detail *det;
    size_t ndet;
    size_t det_cap;
    struct cstate *cs;
    size_t ncs;
    size_t cs_cap;
    fg__lsale_t *pref;
    size_t pref_cap;
    fg_ledger_prior_t *prior;
    size_t prior_len;
    size_t prior_cap;
};

static int pg_error(fg__lpg_t *pg, const PGresult *r, const char *what, fg_error_t *err)
{
    const char *m = r != NULL ? PQresultErrorMessage(r) : PQerrorMessage(pg->conn);
    char msg[160];
    size_t n = strlen(m);
    while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == ' '))
        n--;
    if (n >= sizeof(msg))
        n = sizeof(msg) - 1;
    memcpy(msg, m, n);
    msg[n] = '\0';
    return fg_error_set(err, FG_E_LEDGER_PG, "postgresql", 0, "%s: %s", what, msg);
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap < 16 ? 16 : *cap;
    while (c < need)
        c *= 2;
    void *q = fg_realloc_array(*p, c, size);
    if (q == NULL)
        return FG_ENOMEM;
    *p = q;
    *cap = c;
    return 0;
}

static uint32_t inst_id(fg__lpg_t *pg, const char *code)
{
    /* Institutions are few (thousands); a linear scan from the newest is cheap enough next to a
     * network round trip, and keeps the ids stable for the handle's life. */
    for (uint32_t i = pg->ninst; i-- > 0;)
        if (strcmp(pg->inst[i].code, code) == 0)
            return i + 1;
    size_t cap = pg->inst_cap;
    if (grow((void **)&pg->inst, &cap, (size_t)pg->ninst + 1, sizeof(*pg->inst)) != 0)
        return 0;
    pg->inst_cap = (uint32_t)cap;
    struct pginst *in = &pg->inst[pg->ninst++];
    memset(in, 0, sizeof(*in));
    snprintf(in->code, sizeof(in->code), "%s", code);
    return pg->ninst;
}

static int pg_close(fg_ledger_t *h, fg_error_t *err);

int fg__pg_open(const char *conninfo, fg_ledger_t **out, fg_error_t *err)
{
    *out = NULL;
    fg__lpg_t *pg = fg_calloc(1, sizeof(*pg));
    if (pg == NULL)
        return fg_error_set(err, FG_ENOMEM, NULL, 0, NULL);
    pg->base.ops = &fg__pg_ops;
    pg->conn = PQconnectdb(conninfo);
    if (PQstatus(pg->conn) != CONNECTION_OK) {
        int rc = pg_error(pg, NULL, "cannot connect", err);
        pg_close(&pg->base, NULL);
        return rc;
    }
    PGresult *r = PQexec(pg->conn, "SET client_min_messages = warning");
    PQclear(r);
    r = PQexec(pg->conn, fg__ledger_pg_schema);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        int rc = pg_error(pg, r, "cannot create the ledger schema", err);
        PQclear(r);
        pg_close(&pg->base, NULL);
        return rc;
    }
    PQclear(r);
    *out = &pg->base;
    return 0;
}

static int pg_close(fg_ledger_t *h, fg_error_t *err)
{
    fg__lpg_t *pg = (fg__lpg_t *)h;
    (void)err;
    if (pg->conn != NULL)
        PQfinish(pg->conn);
    for (size_t i = 0; i < pg->cs_cap; i++)
        fg_free(pg->cs[i].st.sales);
    fg_free(pg->cs);
    fg_free(pg->inst);
    fg_free(pg->det);
    fg_free(pg->pref);
    fg_free(pg->prior);
    fg_free(pg);
    return 0;
}

static int pg_reset(fg_ledger_t *h, fg_error_t *err)
{
    fg__lpg_t *pg = (fg__lpg_t *)h;
    PGresult *r = PQexec(pg->conn, "TRUNCATE fg_ledger_code, fg_ledger_event, fg_ledger_inst");
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    int rc = ok ? 0 : pg_error(pg, r, "cannot reset the ledger", err);
    PQclear(r);
    pg->ninst = 0;
    return rc;
}

/* ---- array literals ---- */

static void arr_begin(fg_buf_t *b)
{
    fg_buf_reset(b);
    fg_buf_appendc(b, '{');
}

static int arr_add(fg_buf_t *b, const char *s, int null)
{
    if (b->len > 1) {
        int rc = fg_buf_appendc(b, ',');
        if (rc != 0)
            return rc;
    }
    if (null)
        return fg_buf_append(b, "NULL", 4);
    int rc = fg_buf_appendc(b, '"');
    for (const char *p = s; *p != '\0' && rc == 0; p++) {
        if (*p == '"' || *p == '\\')
            rc = fg_buf_appendc(b, '\\');
        rc = rc != 0 ? rc : fg_buf_appendc(b, *p);
    }
    return rc != 0 ? rc : fg_buf_appendc(b, '"');
}

static int arr_addu(fg_buf_t *b, long long v)
{
    if (b->len > 1) {
        int rc = fg_buf_appendc(b, ',');
        if (rc != 0)
            return rc;
    }
    return fg_buf_printf(b, "%lld", v);
}

static int arr_end(fg_buf_t *b)
{
    return fg_buf_appendc(b, '}');
}

/* ---- states ---- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_cs(const void *a, const void *b)
{
    return strcmp(((const struct cstate *)a)->code, ((const struct cstate *)b)->code);
}

static struct cstate *find_cs(fg__lpg_t *pg, const char *code)
{
    struct cstate key;
    key.code = code;
    return bsearch(&key, pg->cs, pg->ncs, sizeof(*pg->cs), cmp_cs);
}

static size_t add_detail(fg__lpg_t *pg, const char *inst, fg_time_t t, const char *setl,
                         const char *fee, const char *psn)
{
    if (grow((void **)&pg->det, &pg->det_cap, pg->ndet + 1, sizeof(*pg->det)) != 0)
        return SIZE_MAX;
    struct detail *d = &pg->det[pg->ndet];
    snprintf(d->inst, sizeof(d->inst), "%s", inst);
    d->time = t;
    snprintf(d->setl_id, sizeof(d->setl_id), "%s", setl);
    snprintf(d->feedetl_sn, sizeof(d->feedetl_sn), "%s", fee);
    snprintf(d->psn_no, sizeof(d->psn_no), "%s", psn);
    return pg->ndet++;
}

/* sales text: [["inst",time,"setl","fee","psn",units],…] */
static int load_sales(fg__lpg_t *pg, struct cstate *c, const char *text, fg_error_t *err)
{
    json_error_t je;
    c->st.nsales = 0;
    if (text == NULL || text[0] == '\0')
        return 0;
    json_t *a = json_loads(text, 0, &je);
    if (a == NULL || !json_is_array(a)) {
        json_decref(a);
        return fg_error_set(err, FG_E_LEDGER_PG, "sales", 0, "bad sales column for %s", c->code);
    }
    size_t n = json_array_size(a);
    size_t cap = c->st.cap;
    if (grow((void **)&c->st.sales, &cap, n + 1, sizeof(*c->st.sales)) != 0) {
        json_decref(a);
        return fg_error_set(err, FG_ENOMEM, NULL, 0, NULL);
    }
    c->st.cap = (uint32_t)cap;
    for (size_t i = 0; i < n; i++) {
        json_t *s = json_array_get(a, i);
        const char *inst = json_string_value(json_array_get(s, 0));
        if (inst == NULL || json_array_size(s) != 6) {
            json_decref(a);
            return fg_error_set(err, FG_E_LEDGER_PG, "sales", 0, "bad sale for %s", c->code);
        }
        size_t d = add_detail(pg, inst, (fg_time_t)json_integer_value(json_array_get(s, 1)),
                              json_string_value(json_array_get(s, 2)),
                              json_string_value(json_array_get(s, 3)),
                              json_string_value(json_array_get(s, 4)));
        uint32_t id = inst_id(pg, inst);
        if (d == SIZE_MAX || id == 0) {
            json_decref(a);
            return fg_error_set(err, FG_ENOMEM, NULL, 0, NULL);
        }
        c->st.sales[i].inst = id;
        c->st.sales[i].units = (uint32_t)json_integer_value(json_array_get(s, 5));
        c->st.sales[i].ref = d;
    }
    c->st.nsales = (uint32_t)n;
    json_decref(a);
    return 0;
}

static int sales_text(fg__lpg_t *pg, const struct cstate *c, fg_buf_t *b)
{
    int rc = 0;
    fg_buf_reset(b);
    if (c->st.nsales == 0)
        return fg_buf_append(b, "", 0);
    rc = fg_buf_appendc(b, '[');
    for (uint32_t i = 0; i < c->st.nsales && rc == 0; i++) {
        const struct detail *d = &pg->det[c->st.sales[i].ref];
        rc = fg_buf_appends(b, i == 0 ? "[" : ",[");
        rc = rc != 0 ? rc : fg__json_str(b, d->inst);
        rc = rc != 0 ? rc : fg_buf_printf(b, ",%lld,", (long long)d->time);
        rc = rc != 0 ? rc : fg__json_str(b, d->setl_id);
        rc = rc != 0 ? rc : fg_buf_appendc(b, ',');
        rc = rc != 0 ? rc : fg__json_str(b, d->feedetl_sn);
        rc = rc != 0 ? rc : fg_buf_appendc(b, ',');
        rc = rc != 0 ? rc : fg__json_str(b, d->psn_no);
        rc = rc != 0 ? rc : fg_buf_printf(b, ",%u]", c->st.sales[i].units);
    }
    return rc != 0 ? rc : fg_buf_appendc(b, ']');
}

/* Send queries in pipeline mode and collect results; results[i] for query i. */
static int pipeline(fg__lpg_t *pg, int nq, const char *const *sql, const int *nparams,
                    const char *const *const *params, PGresult **results, fg_error_t *err)
{
    int rc = 0;
    if (PQenterPipelineMode(pg->conn) != 1)
        return pg_error(pg, NULL, "cannot enter pipeline mode", err);
    for (int i = 0; i < nq; i++) {
        if (PQsendQueryParams(pg->conn, sql[i], nparams[i], NULL, params[i], NULL, NULL, 0) != 1) {
            rc = pg_error(pg, NULL, "cannot send", err);
            break;
        }
    }
    if (PQpipelineSync(pg->conn) != 1 && rc == 0)
        rc = pg_error(pg, NULL, "cannot sync the pipeline", err);
    for (int i = 0; i < nq; i++)
        results[i] = NULL;
    int q = 0;
    for (;;) {
        PGresult *r = PQgetResult(pg->conn);
        if (r == NULL) {
            q++;
            if (PQstatus(pg->conn) == CONNECTION_BAD || q > nq + 1) {
                if (rc == 0)
                    rc = pg_error(pg, NULL, "connection lost", err);
                break;
            }
            continue;
        }
        ExecStatusType s = PQresultStatus(r);
        if (s == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            break;
        }
        if (q < nq && results[q] == NULL)
            results[q] = r;
        else
            PQclear(r);
        if ((s == PGRES_FATAL_ERROR || s == PGRES_PIPELINE_ABORTED) && rc == 0)
            rc = pg_error(pg, r, "batch failed", err);
    }
    PQexitPipelineMode(pg->conn);
    return rc;
}

static const char SQL_LOCK[] = "INSERT INTO fg_ledger_code (code) SELECT unnest($1::text[]) "
                               "ON CONFLICT (code) DO UPDATE SET code = EXCLUDED.code "
                               "RETURNING code, pack_units, stock, sales, events";
static const char SQL_PURCHASERS[] = "SELECT inst FROM fg_ledger_inst WHERE inst = ANY($1::text[])";
static const char SQL_UPDATE[] =
    "UPDATE fg_ledger_code AS c SET pack_units = u.p, stock = u.s, sales = u.j, events = u.e "
    "FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::int[]) AS u(code, p, s, j, e) "
    "WHERE c.code = u.code";
static const char SQL_HISTORY[] =
    "INSERT INTO fg_ledger_event (code, n, type, inst, time, units, pack_units, trdn, med_list, "
    "setl_id, feedetl_sn, psn_no, outcome, kind, findings) "
    "SELECT * FROM unnest($1::text[], $2::int[], $3::smallint[], $4::text[], $5::bigint[], "
    "$6::int[], $7::int[], $8::smallint[], $9::text[], $10::text[], $11::text[], $12::text[], "
    "$13::smallint[], $14::smallint[], $15::smallint[])";
static const char SQL_NEWINST[] =
    "INSERT INTO fg_ledger_inst (inst) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING";

/* The batch's distinct codes, sorted (the lock order), as pg->cs and the array literal `codes`;
 * the institutions not yet known as purchasers as `insts`. */
static int batch_codes(fg__lpg_t *pg, const fg_ledger_event_t *ev, size_t n, const char **sorted,
                       fg_buf_t *codes, fg_buf_t *insts, fg_error_t *err)
{
    for (size_t i = 0; i < n; i++)
        sorted[i] = ev[i].code;
    qsort(sorted, n, sizeof(*sorted), cmp_str);
    size_t nd = 0;
    for (size_t i = 0; i < n; i++)
        if (nd == 0 || strcmp(sorted[nd - 1], sorted[i]) != 0)
            sorted[nd++] = sorted[i];
    size_t cap = pg->cs_cap;
    if (grow((void **)&pg->cs, &cap, nd, sizeof(*pg->cs)) != 0)
        return fg_error_set(err, FG_ENOMEM, NULL, 0, NULL);
    for (size_t i = pg->cs_cap; i < cap; i++)
        memset(&pg->cs[i], 0, sizeof(pg->cs[i]));
    pg->cs_cap = cap;
    pg->ncs = nd;
    arr_begin(codes);
    for (size_t i = 0; i < nd; i++) {
        pg->cs[i].code = sorted[i];
        pg->cs[i].st.pack = 0;
        pg->cs[i].st.stock = 0;
        pg->cs[i].st.nsales = 0;
        pg->cs[i].events = 0;
        pg->cs[i].dirty = 0;
        arr_add(codes, sorted[i], 0);
    }
    arr_end(codes);
    arr_begin(insts);
    for (size_t i = 0; i < n; i++) {
        uint32_t id = inst_id(pg, ev[i].inst);
        if (id == 0)
            return fg_error_set(err, FG_ENOMEM, NULL, 0, NULL);
        if (!pg->inst[id - 1].purchased)
            arr_add(insts, ev[i].inst, 0);
    }
    arr_end(insts);
    return 0;
}

/* Round trip 1: BEGIN, lock-and-read the codes' rows, read which institutions purchased. */
static int batch_lock(fg__lpg_t *pg, const fg_buf_t *codes, const fg_buf_t *insts, PGresult **r1,
                      fg_error_t *err)
{
    const char *sql[3] = {"BEGIN", SQL_LOCK, SQL_PURCHASERS};
    int np[3] = {0, 1, 1};
    const char *p1[1] = {codes->data};
    const char *p2[1] = {insts->data};
    const char *const *params[3] = {NULL, p1, p2};
    int rc = pipeline(pg, 3, sql, np, params, r1, err);
    if (rc != 0)
        return rc;
    for (int row = 0; row < PQntuples(r1[1]); row++) {
        struct cstate *c = find_cs(pg, PQgetvalue(r1[1], row, 0));
        if (c == NULL)
            continue;
        c->st.pack = (uint32_t)strtoul(PQgetvalue(r1[1], row, 1), NULL, 10);
        c->st.stock = PQgetisnull(r1[1], row, 2) ? 0 : inst_id(pg, PQgetvalue(r1[1], row, 2));
        c->events = (uint32_t)strtoul(PQgetvalue(r1[1], row, 4), NULL, 10);
        rc = load_sales(pg, c, PQgetisnull(r1[1], row, 3) ? NULL : PQgetvalue(r1[1], row, 3), err);
        if (rc != 0)
            return rc;
    }
    for (int row = 0; row < PQntuples(r1[2]); row++) {
        uint32_t id = inst_id(pg, PQgetvalue(r1[2], row, 0));
        if (id != 0)
            pg->inst[id - 1].purchased = 1;
    }
    return 0;
}

/* Copy the standing sales before an event (pg->pref) into the batch's prior list; res->prior
 * holds the index of the first until batch_step turns it into a pointer. */
static int keep_priors(fg__lpg_t *pg, size_t nprior, fg_ledger_result_t *res)
{
    res->nprior = nprior;
    if (nprior == 0)
        return 0;
    if (grow((void **)&pg->prior, &pg->prior_cap, pg->prior_len + nprior, sizeof(*pg->prior)) != 0)
        return FG_ENOMEM;
    res->prior = (const fg_ledger_prior_t *)(uintptr_t)pg->prior_len;
    for (size_t k = 0; k < nprior; k++) {
        const struct detail *dd = &pg->det[pg->pref[k].ref];
        fg_ledger_prior_t *p = &pg->prior[pg->prior_len++];
        memcpy(p->inst, dd->inst, sizeof(p->inst));
        p->time = dd->time;
        memcpy(p->setl_id, dd->setl_id, sizeof(p->setl_id));
        memcpy(p->feedetl_sn, dd->feedetl_sn, sizeof(p->feedetl_sn));
        memcpy(p->psn_no, dd->psn_no, sizeof(p->psn_no));
        p->units = pg->pref[k].units;
    }
    return 0;
}

/* The event's history row onto the 15 column arrays. */
static int history_row(fg_buf_t *a, const fg_ledger_event_t *e, uint32_t n,
                       const fg_ledger_result_t *res)
{
    arr_add(&a[0], e->code, 0);
    arr_addu(&a[1], n);
    arr_addu(&a[2], e->type);
    arr_add(&a[3], e->inst, 0);
    arr_addu(&a[4], (long long)e->time);
    arr_addu(&a[5], e->units);
    arr_addu(&a[6], e->pack_units);
    arr_addu(&a[7], e->trdn);
    arr_add(&a[8], e->med_list, 0);
    arr_add(&a[9], e->setl_id, 0);
    arr_add(&a[10], e->feedetl_sn, 0);
    arr_add(&a[11], e->psn_no, 0);
    arr_addu(&a[12], res->outcome);
    arr_addu(&a[13], res->kind);
    return arr_addu(&a[14], res->findings);
}

/* Step one event on its code's state (in memory) and queue its history row. */
static int step_one(fg__lpg_t *pg, const fg_ledger_event_t *e, fg_ledger_result_t *res, fg_buf_t *a,
                    fg_error_t *err)
{
    struct cstate *c = find_cs(pg, e->code);
    uint32_t id = inst_id(pg, e->inst);
    size_t nprior;
    int changed;
    if (c == NULL || id == 0)
        return fg_error_set(err, FG_EINTERNAL, NULL, 0, "batch state lost a code");
    memset(res, 0, sizeof(*res));
    size_t d = add_detail(pg, e->inst, e->time, e->setl_id, e->feedetl_sn, e->psn_no);
    size_t scap = c->st.cap;
    if (d == SIZE_MAX ||
        grow((void **)&c->st.sales, &scap, (size_t)c->st.nsales + 1, sizeof(fg__lsale_t)) ||
        grow((void **)&pg->pref, &pg->pref_cap, (size_t)c->st.nsales + 1, sizeof(*pg->pref)))
        return fg_error_set(err, FG_ENOMEM, NULL, 0, NULL);
    c->st.cap = (uint32_t)scap;
    int rc = fg__ledger_step(&c->st, e, id, pg->inst[id - 1].purchased, d, res, pg->pref, &nprior,
                             &changed);
    if (rc != 0)
        return fg_error_set(err, rc, NULL, 0, NULL);
    if (e->type == FG_LEDGER_PURCHASE && !pg->inst[id - 1].purchased) {
        pg->inst[id - 1].purchased = 1;
        pg->inst[id - 1].new_purchase = 1;
    }
    c->dirty = 1;
    c->events++;
    res->lsn = c->events;
    rc = keep_priors(pg, nprior, res);
    rc = rc != 0 ? rc : history_row(a, e, c->events, res);
    return rc != 0 ? fg_error_set(err, rc, NULL, 0, NULL) : 0;
}

/* Step every event in arrival order; the history rows into a[0..15). */
static int batch_step(fg__lpg_t *pg, const fg_ledger_event_t *ev, size_t n, fg_ledger_result_t *res,
                      fg_buf_t *a, fg_error_t *err)
{
    for (int i = 0; i < 15; i++)
        arr_begin(&a[i]);
    for (size_t i = 0; i < n; i++) {
        int rc = step_one(pg, &ev[i], &res[i], a, err);
        if (rc != 0)
            return rc;
    }
    for (size_t i = 0; i < n; i++)
        if (res[i].nprior > 0)
            res[i].prior = pg->prior + (uintptr_t)res[i].prior;
    for (int i = 0; i < 15; i++)
        arr_end(&a[i]);
    return 0;
}

/* The changed states as 5 column arrays, the new purchasers as `insts`. */
static int state_rows(fg__lpg_t *pg, fg_buf_t *u, fg_buf_t *insts, fg_buf_t *tmp)
{
    int rc = 0;
    for (int i = 0; i < 5; i++)
        arr_begin(&u[i]);
    for (size_t i = 0; i < pg->ncs && rc == 0; i++) {
        const struct cstate *c = &pg->cs[i];
        if (!c->dirty)
            continue;
        rc = sales_text(pg, c, tmp);
        arr_add(&u[0], c->code, 0);
        arr_addu(&u[1], c->st.pack);
        arr_add(&u[2], c->st.stock ? pg->inst[c->st.stock - 1].code : "", c->st.stock == 0);
        arr_add(&u[3], tmp->data != NULL ? tmp->data : "", 0);
        rc = rc != 0 ? rc : arr_addu(&u[4], c->events);
    }
    fg_buf_reset(insts);
    arr_begin(insts);
    for (uint32_t i = 0; i < pg->ninst; i++)
        if (pg->inst[i].new_purchase)
            arr_add(insts, pg->inst[i].code, 0);
    arr_end(insts);
    for (int i = 0; i < 5; i++)
        arr_end(&u[i]);
    return rc;
}

/* Round trip 2: write back states, history, new purchasers, COMMIT. */
static int batch_write(fg__lpg_t *pg, const fg_buf_t *a, fg_buf_t *insts, fg_buf_t *tmp,
                       PGresult **r2, fg_error_t *err)
{
    fg_buf_t u[5];
    for (int i = 0; i < 5; i++)
        fg_buf_init(&u[i], (size_t)1 << 30);
    int rc = state_rows(pg, u, insts, tmp);
    if (rc == 0) {
        const char *sql[5] = {SQL_UPDATE, SQL_HISTORY, SQL_NEWINST, "COMMIT", NULL};
        int np[4] = {5, 15, 1, 0};
        const char *pu[5] = {u[0].data, u[1].data, u[2].data, u[3].data, u[4].data};
        const char *ph[15];
        for (int i = 0; i < 15; i++)
            ph[i] = a[i].data;
        const char *pi[1] = {insts->data};
        const char *const *params[4] = {pu, ph, pi, NULL};
        rc = pipeline(pg, 4, sql, np, params, r2, err);
    } else {
        fg_error_set(err, rc, NULL, 0, NULL);
    }
    for (int i = 0; i < 5; i++)
        fg_buf_release(&u[i]);
    return rc;
}

static int pg_apply_batch(fg_ledger_t *h, const fg_ledger_event_t *ev, size_t n,
                          fg_ledger_result_t *res, fg_error_t *err)
{
    fg__lpg_t *pg = (fg__lpg_t *)h;
    fg_buf_t codes;
    fg_buf_t insts;
    fg_buf_t a[15];
    fg_buf_t tmp;
    const char **sorted = NULL;
    PGresult *r1[3] = {NULL, NULL, NULL};
    PGresult *r2[5] = {NULL, NULL, NULL, NULL, NULL};
    int rc = 0;

    pg->ndet = 0;
    pg->prior_len = 0;
    for (uint32_t i = 0; i < pg->ninst; i++)
        pg->inst[i].new_purchase = 0;
    if (n == 0)
        return 0;
    sorted = fg_calloc(n, sizeof(*sorted));
    if (sorted == NULL)
        return fg_error_set(err, FG_ENOMEM, NULL, 0, NULL);
    fg_buf_init(&codes, (size_t)1 << 30);
    fg_buf_init(&insts, (size_t)1 << 30);
    fg_buf_init(&tmp, (size_t)1 << 24);
    for (int i = 0; i < 15; i++)
        fg_buf_init(&a[i], (size_t)1 << 30);
    rc = batch_codes(pg, ev, n, sorted, &codes, &insts, err);
    if (rc == 0) {
        rc = batch_lock(pg, &codes, &insts, r1, err);
        rc = rc != 0 ? rc : batch_step(pg, ev, n, res, a, err);
        rc = rc != 0 ? rc : batch_write(pg, a, &insts, &tmp, r2, err);
        if (rc != 0) {
            PQclear(PQexec(pg->conn, "ROLLBACK"));
            /* What this batch learnt about purchasers is void. */
            for (uint32_t i = 0; i < pg->ninst; i++)
                if (pg->inst[i].new_purchase)
                    pg->inst[i].purchased = 0;
        }
    }
    for (int i = 0; i < 3; i++)
        PQclear(r1[i]);
    for (int i = 0; i < 5; i++)
        PQclear(r2[i]);
    fg_free(sorted);
    fg_buf_release(&codes);
    fg_buf_release(&insts);
    fg_buf_release(&tmp);
    for (int i = 0; i < 15; i++)
        fg_buf_release(&a[i]);
    return rc;
}

/* The history columns, in the order row_history reads them. */
#define HISTORY_COLS                                                                               \
    "n, type, inst, time, units, pack_units, trdn, med_list, setl_id, feedetl_sn, psn_no, "        \
    "outcome, kind, findings"

/* One history row (columns HISTORY_COLS from column `c0` on) of `code` into *h. */
static void row_history(const PGresult *r, int row, int c0, const char *code,
                        fg_ledger_history_t *h)
{
    memset(h, 0, sizeof(*h));
    h->lsn = strtoull(PQgetvalue(r, row, c0), NULL, 10);
    snprintf(h->event.code, sizeof(h->event.code), "%s", code);
    h->event.type = (fg_ledger_type_t)strtol(PQgetvalue(r, row, c0 + 1), NULL, 10);
    snprintf(h->event.inst, sizeof(h->event.inst), "%s", PQgetvalue(r, row, c0 + 2));
    h->event.time = strtoll(PQgetvalue(r, row, c0 + 3), NULL, 10);
    h->event.units = (uint32_t)strtoul(PQgetvalue(r, row, c0 + 4), NULL, 10);
    h->event.pack_units = (uint32_t)strtoul(PQgetvalue(r, row, c0 + 5), NULL, 10);
    h->event.trdn = (int)strtol(PQgetvalue(r, row, c0 + 6), NULL, 10);
    snprintf(h->event.med_list, sizeof(h->event.med_list), "%s", PQgetvalue(r, row, c0 + 7));
    snprintf(h->event.setl_id, sizeof(h->event.setl_id), "%s", PQgetvalue(r, row, c0 + 8));
    snprintf(h->event.feedetl_sn, sizeof(h->event.feedetl_sn), "%s", PQgetvalue(r, row, c0 + 9));
    snprintf(h->event.psn_no, sizeof(h->event.psn_no), "%s", PQgetvalue(r, row, c0 + 10));
    h->outcome = (fg_ledger_outcome_t)strtol(PQgetvalue(r, row, c0 + 11), NULL, 10);
    h->kind = (fg_ledger_kind_t)strtol(PQgetvalue(r, row, c0 + 12), NULL, 10);
    h->findings = (unsigned)strtoul(PQgetvalue(r, row, c0 + 13), NULL, 10);
}

/* Run a query that returns rows; NULL (and *rc the error) when it fails. */
static PGresult *select_rows(fg__lpg_t *pg, const char *sql, int np, const char *const *params,
                             const char *what, int *rc, fg_error_t *err)
{
    PGresult *r = PQexecParams(pg->conn, sql, np, NULL, params, NULL, NULL, 0);
    *rc = 0;
    if (PQresultStatus(r) == PGRES_TUPLES_OK)
        return r;
    *rc = pg_error(pg, r, what, err);
    PQclear(r);
    return NULL;
}

static int pg_query(fg_ledger_t *h, const char *code, fg_ledger_code_state_t *st,
                    fg_ledger_history_fn fn, void *ctx, fg_error_t *err)
{
    fg__lpg_t *pg = (fg__lpg_t *)h;
    fg_trace_code_t tc;
    int rc = fg_trace_parse(code, strlen(code), &tc, err);
    if (rc != 0)
        return rc;
    memset(st, 0, sizeof(*st));
    const char *p[1] = {tc.key};
    PGresult *r = select_rows(pg,
                              "SELECT pack_units, stock, sales, events FROM fg_ledger_code "
                              "WHERE code = $1",
                              1, p, "query", &rc, err);
    if (r == NULL)
        return rc;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return 0;
    }
    struct cstate c;
    memset(&c, 0, sizeof(c));
    c.code = tc.key;
    pg->ndet = 0;
    rc = load_sales(pg, &c, PQgetvalue(r, 0, 2), err);
    st->known = 1;
    st->pack_units = (uint32_t)strtoul(PQgetvalue(r, 0, 0), NULL, 10);
    if (!PQgetisnull(r, 0, 1))
        snprintf(st->stock, sizeof(st->stock), "%s", PQgetvalue(r, 0, 1));
    st->events = strtoull(PQgetvalue(r, 0, 3), NULL, 10);
    st->standing_sales = c.st.nsales;
    for (uint32_t i = 0; i < c.st.nsales; i++)
        st->units_sold += c.st.sales[i].units;
    fg_free(c.st.sales);
    PQclear(r);
    if (rc != 0 || fn == NULL)
        return rc;
    r = select_rows(pg, "SELECT " HISTORY_COLS " FROM fg_ledger_event WHERE code = $1 ORDER BY n",
                    1, p, "query history", &rc, err);
    for (int row = 0; r != NULL && row < PQntuples(r) && rc == 0; row++) {
        fg_ledger_history_t hh;
        row_history(r, row, 0, tc.key, &hh);
        rc = fn(ctx, &hh);
    }
    PQclear(r);
    return rc;
}

static int pg_dump(fg_ledger_t *h, fg_ledger_history_fn fn, void *ctx, fg_error_t *err)
{
    fg__lpg_t *pg = (fg__lpg_t *)h;
    int rc;
    /* A cursor: the history may not fit in memory. */
    PGresult *r = PQexec(pg->conn, "BEGIN READ ONLY");
    PQclear(r);
    r = PQexec(pg->conn, "DECLARE fg_dump NO SCROLL CURSOR FOR SELECT code, " HISTORY_COLS
                         " FROM fg_ledger_event ORDER BY code, n");
    rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : pg_error(pg, r, "dump", err);
    PQclear(r);
    while (rc == 0) {
        r = select_rows(pg, "FETCH 10000 FROM fg_dump", 0, NULL, "dump", &rc, err);
        int rows = r != NULL ? PQntuples(r) : 0;
        for (int row = 0; row < rows && rc == 0; row++) {
            fg_ledger_history_t hh;
            row_history(r, row, 1, PQgetvalue(r, row, 0), &hh);
            rc = fn(ctx, &hh);
        }
        PQclear(r);
        if (rows == 0)
            break;
    }
    PQclear(PQexec(pg->conn, "COMMIT"));
    return rc;
}

static void pg_stats(const fg_ledger_t *h, fg_ledger_stats_t *st)
{
    fg__lpg_t *pg = (fg__lpg_t *)(uintptr_t)h;
    int rc;
    memset(st, 0, sizeof(*st));
    PGresult *r = select_rows(pg,
                              "SELECT (SELECT count(*) FROM fg_ledger_code WHERE events > 0), "
                              "(SELECT count(DISTINCT inst) FROM fg_ledger_event), "
                              "(SELECT count(*) FROM fg_ledger_event WHERE findings & 1 <> 0)",
                              0, NULL, "stats", &rc, &st->error);
    if (r == NULL)
        return;
    st->codes = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
    st->institutions = strtoull(PQgetvalue(r, 0, 1), NULL, 10);
    st->unknown_source = strtoull(PQgetvalue(r, 0, 2), NULL, 10);
    PQclear(r);
    r = select_rows(pg, "SELECT outcome, count(*) FROM fg_ledger_event GROUP BY outcome", 0, NULL,
                    "stats", &rc, &st->error);
    for (int row = 0; r != NULL && row < PQntuples(r); row++) {
        unsigned long o = strtoul(PQgetvalue(r, row, 0), NULL, 10);
        uint64_t k = strtoull(PQgetvalue(r, row, 1), NULL, 10);
        if (o < FG_LEDGER__OUTCOMES)
            st->outcomes[o] = k;
        st->events += k;
    }
    PQclear(r);
}

int fg__pg_verify(const char *conninfo, uint64_t *records, uint64_t *bad_offset, fg_error_t *err)
{
    fg_ledger_t *h;
    int rc = fg__pg_open(conninfo, &h, err);
    if (rc != 0)
        return rc;
    fg__lpg_t *pg = (fg__lpg_t *)h;
    /* A code whose state's count is not the number of its history rows numbered 1..n. */
    PGresult *r = select_rows(
        pg,
        "SELECT c.code, c.events, c.sales, coalesce(e.k, 0), coalesce(e.m, 0) "
        "FROM fg_ledger_code c LEFT JOIN (SELECT code, count(*) AS k, max(n) AS m, min(n) AS l "
        "FROM fg_ledger_event GROUP BY code) e ON e.code = c.code "
        "WHERE c.events <> coalesce(e.k, 0) OR c.events <> coalesce(e.m, 0) "
        "OR coalesce(e.l, 1) <> 1 ORDER BY c.code LIMIT 1",
        0, NULL, "verify", &rc, err);
    if (r != NULL && PQntuples(r) > 0) {
        *bad_offset = strtoull(PQgetvalue(r, 0, 1), NULL, 10);
        rc = fg_error_set(err, FG_E_LEDGER_JOURNAL, "fg_ledger_event", 0,
                          "code %s counts %s events but its history holds %s (numbered to %s)",
                          PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 3),
                          PQgetvalue(r, 0, 4));
    }
    PQclear(r);
    if (rc == 0) {
        r = select_rows(pg, "SELECT code, sales FROM fg_ledger_code WHERE sales <> ''", 0, NULL,
                        "verify", &rc, err);
        for (int row = 0; r != NULL && row < PQntuples(r) && rc == 0; row++) {
            struct cstate c;
            memset(&c, 0, sizeof(c));
            c.code = PQgetvalue(r, row, 0);
            pg->ndet = 0;
            rc = load_sales(pg, &c, PQgetvalue(r, row, 1), err);
            fg_free(c.st.sales);
        }
        PQclear(r);
    }
    if (rc == 0) {
        r = select_rows(pg, "SELECT count(*) FROM fg_ledger_event", 0, NULL, "verify", &rc, err);
        if (r != NULL)
            *records = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
        PQclear(r);
    }
    pg_close(h, NULL);
    return rc;
}

const fg__lops_t fg__pg_ops = {
    .name = "postgresql",
    .batch = 5000,
    .apply_batch = pg_apply_batch,
    .query = pg_query,
    .stats = pg_stats,
    .dump = pg_dump,
    .reset = pg_reset,
    .close = pg_close,
};
