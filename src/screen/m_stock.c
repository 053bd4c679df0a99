/*
 * m_stock.c — `stock_mismatch` (进销存不符): per institution and drug, in smallest units,
 *
 *     opening + purchases − purchase returns − sales + sale returns  ≠  count
 *
 * at every stock count (3501), or sales beyond what was available at some moment (the books'
 * running stock after an outflow below 0). The books open at the first count when it comes before
 * any pack event of the drug there, else empty at the first event (so a drug counted only at the
 * close is reconciled too, and the opening count is compared with the purchases before it). A
 * count holds at the end of its day, an opening count (memo 期初…) at its start (pack.c). Flows
 * are every valid pack event the ledger applied (a duplicate sale still left the shelf on the
 * books); an event without units moves its pack size. Counts count unopened packs: a split (拆零)
 * pack leaves the stock when it is first opened, and its later split sales and returns move
 * nothing countable. Drugs never counted are not reconciled.
 *
 * One finding per (institution, drug) whose total gap or shortfall exceeds tolerance_units: the
 * opening, flows, closing, the gap in units, the shortfall in units and fen (catalogue price).
 * Amount: the larger of |gap| and shortfall, in fen.
 *
 * State: one entry per (institution, drug) with pack events, ~250 bytes; one 16-byte slot per
 * split pack opened.
 */
#include "core/compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fundguard/alloc.h"
#include "fundguard/hash.h"
#include "screen/screen_int.h"

static const fg__screen_param_t PARAMS[] = {
    {"tolerance_units", 0, 0, 1000000, "smallest units",
     "a gap or shortfall up to this many units is not reported", "容差（最小包装单位数）"},
};

typedef struct stock {
    char inst[16];
    char drug[FG_CODE_LEN + 1];
    int counted;      /* a count was seen */
    int64_t opening;  /* the first count when it came before any event, else 0 (from empty) */
    int64_t closing;  /* last count */
    int64_t balance;  /* the books' stock now */
    int64_t flows[4]; /* purchase, purchase return, sale, sale return since the opening */
    uint64_t events;  /* pack events applied */
    int64_t min_balance;
    fg_time_t min_time;
    fg_time_t open_time;
    fg_time_t close_time;
    int64_t gap_total; /* Σ (count − books) over the counts */
    int64_t first_gap;
    fg_time_t first_gap_time;
    uint32_t gaps;
} stock_t;

typedef struct stock_state {
    fg__screen_map_t entries; /* "inst|drug" → stock_t */
    fg_hmap_t opened;         /* hashes of split (拆零) packs already opened */
} stock_state_t;

static int init(fg__screen_ctx_t *cx, void **state)
{
    (void)cx;
    stock_state_t *st = fg_calloc(1, sizeof(*st));
    if (st == NULL)
        return FG_ENOMEM;
    fg__screen_map_init(&st->entries, sizeof(stock_t));
    *state = st;
    return 0;
}

static void state_free(void *state)
{
    stock_state_t *st = state;
    fg__screen_map_release(&st->entries);
    fg_hmap_release(&st->opened);
    fg_free(st);
}

static stock_t *entry(fg__screen_map_t *m, const char *inst, const char *drug)
{
    char key[16 + FG_CODE_LEN + 2];
    snprintf(key, sizeof(key), "%s|%s", inst, drug);
    stock_t *s = fg__screen_map_get(m, key, 1);
    if (s != NULL && s->inst[0] == '\0') {
        FG__SCREEN_SET(s->inst, inst);
        FG__SCREEN_SET(s->drug, drug);
    }
    return s;
}

static void note_gap(stock_t *s, int64_t gap, fg_time_t t)
{
    if (gap == 0)
        return;
    if (s->gaps++ == 0) {
        s->first_gap = gap;
        s->first_gap_time = t;
    }
    s->gap_total += gap;
}

static void on_count(stock_t *s, const fg_inv_event_t *c)
{
    int64_t cnt = c->cnt / FG_QTY_ONE;
    if (!s->counted && s->events == 0) {
        /* A first count before any pack event opens the books at the count. */
        s->opening = s->balance = s->min_balance = cnt;
        s->min_time = c->time;
    } else {
        /* Otherwise the books run from empty at the first event, and every count — the first
         * too — is compared with them. */
        note_gap(s, cnt - s->balance, c->time);
        s->balance = cnt;
    }
    if (!s->counted)
        s->open_time = c->time;
    s->counted = 1;
    s->closing = cnt;
    s->close_time = c->time;
}

static void flow(stock_t *s, fg_ledger_type_t type, int64_t units, fg_time_t t)
{
    int out = type == FG_LEDGER_SALE || type == FG_LEDGER_PURCHASE_RETURN;
    s->events++;
    s->balance += out ? -units : units;
    s->flows[type - 1] += units;
    if (out && s->balance < s->min_balance) {
        s->min_balance = s->balance;
        s->min_time = t;
    }
}

/* Countable units an event moves: whole packs; a split pack leaves when it is first opened. */
static int64_t moved_units(fg__screen_ctx_t *cx, stock_state_t *st, const fg__screen_event_t *e,
                           int *err)
{
    const fg_ledger_event_t *ev = e->ev;
    const fg_catalogue_item_t *c = fg__screen_ref_catalogue(fg__screen_ref(cx), ev->med_list);
    int64_t pack = ev->pack_units != 0              ? (int64_t)ev->pack_units
                   : c != NULL && c->pack_units > 0 ? (int64_t)c->pack_units
                                                    : 1;
    if (!ev->trdn)
        return ev->units != 0 ? (int64_t)ev->units : pack;
    /* Counts count unopened packs: a split (拆零) pack leaves the stock when it is opened — its
     * first split sale, once — and its later split sales and returns move nothing countable. */
    if (ev->type != FG_LEDGER_SALE)
        return 0;
    uint64_t h = fg_hmap_fold(fg_hash64(ev->code, strlen(ev->code)));
    size_t probe = 0;
    if (fg_hmap_find(&st->opened, h, &probe) != NULL)
        return 0;
    if (fg_hmap_put(&st->opened, h, 1, 0) != 0)
        *err = FG_ENOMEM;
    return pack;
}

static int event(fg__screen_ctx_t *cx, void *state, const fg__screen_event_t *e)
{
    stock_state_t *st = state;
    if (e->count != NULL) {
        stock_t *s = entry(&st->entries, e->count->fixmedins_code, e->count->med_list_codg);
        if (s == NULL)
            return FG_ENOMEM;
        on_count(s, e->count);
        return 0;
    }
    int err = 0;
    int64_t units = moved_units(cx, st, e, &err);
    if (err != 0 || units == 0)
        return err;
    stock_t *s = entry(&st->entries, e->ev->inst, e->ev->med_list);
    if (s == NULL)
        return FG_ENOMEM;
    flow(s, e->ev->type, units, e->ev->time);
    return 0;
}

static int one(fg__screen_ctx_t *cx, const stock_t *s, int64_t tol)
{
    int64_t shortfall = s->min_balance < 0 ? -s->min_balance : 0;
    int64_t gap = s->gap_total < 0 ? -s->gap_total : s->gap_total;
    if (gap <= tol && shortfall <= tol)
        return 0;
    fg__screen_finding_t f;
    fg__screen_finding_init(&f, FG__SCREEN_SUSPICIOUS);
    FG__SCREEN_SET(f.fixmedins_code, s->inst);
    FG__SCREEN_SET(f.med_list_codg, s->drug);
    const fg__screen_ref_t *r = fg__screen_ref(cx);
    int64_t at_issue = gap > shortfall ? gap : shortfall;
    f.amount = fg__screen_units_fen(r, s->drug, (uint64_t)at_issue);
    f.time = s->gaps ? s->first_gap_time : s->min_time;
    int64_t expected = s->opening + s->flows[0] - s->flows[1] - s->flows[2] + s->flows[3];
    int rc = fg__screen_ev_int(&f, "opening", s->opening);
    if (rc == 0)
        rc = fg__screen_ev_time(&f, "opening_time", s->open_time);
    if (rc == 0)
        rc = fg__screen_ev_int(&f, "purchases", s->flows[0]);
    if (rc == 0)
        rc = fg__screen_ev_int(&f, "purchase_returns", s->flows[1]);
    if (rc == 0)
        rc = fg__screen_ev_int(&f, "sales", s->flows[2]);
    if (rc == 0)
        rc = fg__screen_ev_int(&f, "sale_returns", s->flows[3]);
    if (rc == 0)
        rc = fg__screen_ev_int(&f, "closing", s->closing);
    if (rc == 0)
        rc = fg__screen_ev_time(&f, "closing_time", s->close_time);
    if (rc == 0)
        rc = fg__screen_ev_int(&f, "expected_closing", expected);
    if (rc == 0)
        rc = fg__screen_ev_int(&f, "gap_units", s->gap_total);
    if (rc == 0)
        rc = fg__screen_ev_int(&f, "shortfall_units", shortfall);
    if (rc == 0)
        rc = fg__screen_ev_int(&f, "shortfall_fen",
                               shortfall ? fg__screen_units_fen(r, s->drug, (uint64_t)shortfall)
                                         : 0);
    if (rc == 0 && shortfall > 0)
        rc = fg__screen_ev_time(&f, "shortfall_time", s->min_time);
    snprintf(f.message, sizeof(f.message),
             "%s药品%s进销存不符：期初%lld+采购%lld−采购退货%lld−销售%lld+销售退货%lld=%lld，"
             "盘存%lld（差%lld），最大缺口%lld个最小单位",
             s->inst, s->drug, (long long)s->opening, (long long)s->flows[0],
             (long long)s->flows[1], (long long)s->flows[2], (long long)s->flows[3],
             (long long)expected, (long long)s->closing, (long long)s->gap_total,
             (long long)shortfall);
    if (rc == 0)
        rc = fg__screen_emit(cx, &f);
    fg__screen_finding_release(&f);
    return rc;
}

static int finish(fg__screen_ctx_t *cx, void *state)
{
    fg__screen_map_t *m = &((stock_state_t *)state)->entries;
    size_t *ix = fg__screen_map_sorted(m);
    if (ix == NULL)
        return FG_ENOMEM;
    int64_t tol = fg__screen_param(cx, "tolerance_units");
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < m->n; i++) {
        const stock_t *s = fg__screen_map_at(m, ix[i]);
        if (s->counted)
            rc = one(cx, s, tol);
    }
    fg_free(ix);
    return rc;
}

const fg__screen_model_t fg__screen_model_stock_mismatch = {
    .name = "stock_mismatch",
    .name_zh = "进销存不符",
    .definition =
        "按机构和药品以最小单位核对进销存：期初盘存+采购−采购退货−销售+销售退货应等于期末盘存"
        "（盘存按当日日终计），或某一时点销售超过可用库存的，每个机构和药品一条疑点，"
        "列出缺口数量和金额。",
    .needs = FG__SCREEN_IN_PACK_EVENTS | FG__SCREEN_IN_STOCK_COUNTS,
    .wants = FG__SCREEN_IN_CATALOGUE,
    .params = PARAMS,
    .nparams = sizeof(PARAMS) / sizeof(PARAMS[0]),
    .init = init,
    .event = event,
    .finish = finish,
    .free = state_free,
};
