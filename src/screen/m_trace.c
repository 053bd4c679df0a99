/*
 * m_trace.c — the pack-code models, read off the embedded ledger's outcomes (src/ledger decides;
 * these only gather its answers into findings):
 *
 *   trace_duplicate  (追溯码重复销售): a sale the ledger calls `duplicate` — the pack was sold
 *                    before and that sale still stands — at the same or another institution. One
 *                    finding per pack code naming every sale of it (setl_ids, feedetl_sns,
 *                    psn_nos, the institutions in evidence). Amount: the sales the ledger
 *                    called duplicate, at catalogue price (a split sale's units).
 *   trace_reflow     (回流药): a purchase the ledger calls `reflow_purchase` — a pack already sold
 *                    to a patient bought in again. One finding per (code, buyer); fixmedins_code
 *                    is the buyer, evidence names the earlier sales. Amount: the pack's price.
 *   sale_unpurchased (无进货销售): a sale carrying the ledger's `unknown_source` finding — the
 *                    seller reports purchases but this pack never entered its stock. One finding
 *                    per (code, seller). Amount: the units sold, at catalogue price.
 *
 * State: the duplicated codes (a few per thousand sales); trace_reflow and sale_unpurchased emit
 * at once, deduplicated through a map of (code, institution) keys.
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>

#include "fundguard/alloc.h"
#include "screen/screen_int.h"

/* ---------------------------------------------------------------- shared */

/* One sale of a code, as evidence. */
typedef struct sale {
    char inst[16];
    fg_time_t time;
    char setl_id[FG_LEDGER_STR_MAX + 1];
    char feedetl_sn[FG_LEDGER_STR_MAX + 1];
    char psn_no[FG_LEDGER_STR_MAX + 1];
    uint32_t units;
} sale_t;

#define MAX_SALES 16

typedef struct dup {
    sale_t sales[MAX_SALES];
    size_t nsales;
    char med_list[FG_LEDGER_STR_MAX + 1];
    int other; /* a sale at another institution than the first */
    fg_time_t time;
    fg_fen_t amount; /* the duplicate sales (each event the ledger called duplicate) */
} dup_t;

static void add_sale(dup_t *d, const char *inst, fg_time_t t, const char *setl_id,
                     const char *feedetl_sn, const char *psn_no, uint32_t units)
{
    for (size_t i = 0; i < d->nsales; i++)
        if (strcmp(d->sales[i].setl_id, setl_id) == 0 &&
            strcmp(d->sales[i].feedetl_sn, feedetl_sn) == 0)
            return;
    if (d->nsales == MAX_SALES)
        return;
    sale_t *s = &d->sales[d->nsales++];
    FG__SCREEN_SET(s->inst, inst);
    s->time = t;
    FG__SCREEN_SET(s->setl_id, setl_id);
    FG__SCREEN_SET(s->feedetl_sn, feedetl_sn);
    FG__SCREEN_SET(s->psn_no, psn_no);
    s->units = units;
    if (d->nsales > 1 && strcmp(d->sales[0].inst, inst) != 0)
        d->other = 1;
}

/* The sales as a JSON array, into b. */
static int sales_json(fg_buf_t *b, const sale_t *s, size_t n)
{
    int rc = fg_buf_appendc(b, '[');
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char t[FG_TIME_TEXTLEN + 1];
        fg_time_format(s[i].time, t);
        rc = fg_buf_printf(b,
                           "%s{\"fixmedins_code\":\"%s\",\"time\":\"%s\",\"setl_id\":\"%s\","
                           "\"feedetl_sn\":\"%s\",\"psn_no\":\"%s\",\"units\":%u}",
                           i ? "," : "", s[i].inst, t, s[i].setl_id, s[i].feedetl_sn, s[i].psn_no,
                           s[i].units);
    }
    return rc != 0 ? rc : fg_buf_appendc(b, ']');
}

static int map_init(fg__screen_ctx_t *cx, void **state, size_t size)
{
    (void)cx;
    fg__screen_map_t *m = fg_malloc(sizeof(*m));
    if (m == NULL)
        return FG_ENOMEM;
    fg__screen_map_init(m, size);
    *state = m;
    return 0;
}

static void map_free(void *state)
{
    fg__screen_map_release(state);
    fg_free(state);
}

/* 1 the first time (code, institution) is seen by the model (its map holds one byte a key). */
static int first_time(fg__screen_map_t *m, const char *code, const char *inst, int *err)
{
    char key[FG_ID_NORM_MAX + 20];
    snprintf(key, sizeof(key), "%s|%s", code, inst);
    if (fg__screen_map_get(m, key, 0) != NULL)
        return 0;
    if (fg__screen_map_get(m, key, 1) == NULL)
        *err = FG_ENOMEM;
    return 1;
}

/* A finding about one pack event: its code, institution, drug, time and money. */
static void event_finding(fg__screen_ctx_t *cx, fg__screen_finding_t *f, fg__screen_level_t level,
                          const fg_ledger_event_t *ev)
{
    fg__screen_finding_init(f, level);
    FG__SCREEN_SET(f->drug_trac_codg, ev->code);
    FG__SCREEN_SET(f->fixmedins_code, ev->inst);
    FG__SCREEN_SET(f->med_list_codg, ev->med_list);
    f->time = ev->time;
    f->amount = fg__screen_units_fen(fg__screen_ref(cx), ev->med_list, ev->units);
}

/* ---------------------------------------------------------------- trace_duplicate */

static int dup_init(fg__screen_ctx_t *cx, void **state)
{
    return map_init(cx, state, sizeof(dup_t));
}

static int dup_event(fg__screen_ctx_t *cx, void *state, const fg__screen_event_t *e)
{
    if (e->ev == NULL || e->res->outcome != FG_LEDGER_DUPLICATE)
        return 0;
    dup_t *d = fg__screen_map_get(state, e->ev->code, 1);
    if (d == NULL)
        return FG_ENOMEM;
    for (size_t i = 0; i < e->res->nprior; i++) {
        const fg_ledger_prior_t *p = &e->res->prior[i];
        add_sale(d, p->inst, p->time, p->setl_id, p->feedetl_sn, p->psn_no, p->units);
    }
    const fg_ledger_event_t *ev = e->ev;
    add_sale(d, ev->inst, ev->time, ev->setl_id, ev->feedetl_sn, ev->psn_no, ev->units);
    if (d->med_list[0] == '\0')
        FG__SCREEN_SET(d->med_list, ev->med_list);
    if (d->time == 0)
        d->time = ev->time;
    d->amount += fg__screen_units_fen(fg__screen_ref(cx), ev->med_list, ev->units);
    return 0;
}

static int dup_one(fg__screen_ctx_t *cx, const char *code, const dup_t *d)
{
    fg__screen_finding_t f;
    fg__screen_finding_init(&f, FG__SCREEN_DEFINITE);
    const sale_t *last = &d->sales[d->nsales - 1];
    FG__SCREEN_SET(f.drug_trac_codg, code);
    FG__SCREEN_SET(f.med_list_codg, d->med_list);
    FG__SCREEN_SET(f.fixmedins_code, last->inst);
    f.time = d->time;
    f.amount = d->amount;
    int rc = 0;
    char insts[96] = "";
    for (size_t i = 0; rc == 0 && i < d->nsales; i++) {
        const sale_t *s = &d->sales[i];
        rc = fg__screen_ids_add(&f, &f.setl_ids, s->setl_id);
        if (rc == 0)
            rc = fg__screen_ids_add(&f, &f.feedetl_sns, s->feedetl_sn);
        if (rc == 0)
            rc = fg__screen_ids_add(&f, &f.psn_nos, s->psn_no);
        size_t used = strlen(insts);
        if (strstr(insts, s->inst) == NULL && used + 16 + 4 < sizeof(insts))
            snprintf(insts + used, sizeof(insts) - used, "%s%.15s", used ? "、" : "", s->inst);
    }
    fg_buf_t b;
    fg_buf_init(&b, 1u << 20);
    if (rc == 0)
        rc = sales_json(&b, d->sales, d->nsales);
    if (rc == 0)
        rc = fg__screen_ev_str(&f, "kind", d->other ? "other_institution" : "same_institution");
    if (rc == 0)
        rc = fg__screen_ev_int(&f, "sales", (int64_t)d->nsales);
    if (rc == 0)
        rc = fg__screen_ev_raw(&f, "sale_list", b.data);
    fg_buf_release(&b);
    snprintf(f.message, sizeof(f.message),
             "追溯码%s被重复销售%zu次（%s），同一药品包装只能销售一次", code, d->nsales, insts);
    if (rc == 0)
        rc = fg__screen_emit(cx, &f);
    fg__screen_finding_release(&f);
    return rc;
}

static int dup_finish(fg__screen_ctx_t *cx, void *state)
{
    fg__screen_map_t *m = state;
    size_t *ix = fg__screen_map_sorted(m);
    if (ix == NULL)
        return FG_ENOMEM;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < m->n; i++) {
        const dup_t *d = fg__screen_map_at(m, ix[i]);
        if (d->nsales >= 2)
            rc = dup_one(cx, m->key[ix[i]], d);
    }
    fg_free(ix);
    return rc;
}

const fg__screen_model_t fg__screen_model_trace_duplicate = {
    .name = "trace_duplicate",
    .name_zh = "追溯码重复销售",
    .definition =
        "同一药品追溯码在本机构或其他机构被再次销售且前次销售未退货的，"
        "按追溯码台账（每盒一码、只能销售一次，拆零按最小单位计）判定，每个追溯码一条疑点，"
        "列出全部销售结算。",
    .needs = FG__SCREEN_IN_PACK_EVENTS,
    .wants = FG__SCREEN_IN_CATALOGUE,
    .init = dup_init,
    .event = dup_event,
    .finish = dup_finish,
    .free = map_free,
};

/* ---------------------------------------------------------------- trace_reflow */

static int seen_init(fg__screen_ctx_t *cx, void **state)
{
    return map_init(cx, state, 1);
}

static int prior_evidence(fg__screen_finding_t *f, const fg_ledger_result_t *res)
{
    sale_t s[MAX_SALES];
    size_t n = 0;
    for (size_t i = 0; i < res->nprior && n < MAX_SALES; i++, n++) {
        const fg_ledger_prior_t *p = &res->prior[i];
        FG__SCREEN_SET(s[n].inst, p->inst);
        s[n].time = p->time;
        FG__SCREEN_SET(s[n].setl_id, p->setl_id);
        FG__SCREEN_SET(s[n].feedetl_sn, p->feedetl_sn);
        FG__SCREEN_SET(s[n].psn_no, p->psn_no);
        s[n].units = p->units;
    }
    fg_buf_t b;
    fg_buf_init(&b, 1u << 20);
    int rc = sales_json(&b, s, n);
    if (rc == 0)
        rc = fg__screen_ev_raw(f, "earlier_sales", b.data);
    fg_buf_release(&b);
    return rc;
}

static int reflow_event(fg__screen_ctx_t *cx, void *state, const fg__screen_event_t *e)
{
    if (e->ev == NULL || e->res->outcome != FG_LEDGER_REFLOW_PURCHASE)
        return 0;
    const fg_ledger_event_t *ev = e->ev;
    int rc = 0;
    if (!first_time(state, ev->code, ev->inst, &rc))
        return rc;
    fg__screen_finding_t f;
    event_finding(cx, &f, FG__SCREEN_DEFINITE, ev);
    const char *seller = "";
    for (size_t i = 0; rc == 0 && i < e->res->nprior; i++) {
        const fg_ledger_prior_t *p = &e->res->prior[i];
        seller = p->inst;
        rc = fg__screen_ids_add(&f, &f.setl_ids, p->setl_id);
        if (rc == 0)
            rc = fg__screen_ids_add(&f, &f.psn_nos, p->psn_no);
    }
    if (rc == 0)
        rc = fg__screen_ev_time(&f, "purchase_time", ev->time);
    if (rc == 0)
        rc = fg__screen_ev_str(&f, "buyer", ev->inst);
    if (rc == 0)
        rc = prior_evidence(&f, e->res);
    snprintf(f.message, sizeof(f.message), "追溯码%s已于%s售出给参保人，%s又将其采购入库（回流药）",
             ev->code, seller[0] ? seller : "其他机构", ev->inst);
    if (rc == 0)
        rc = fg__screen_emit(cx, &f);
    fg__screen_finding_release(&f);
    return rc;
}

const fg__screen_model_t fg__screen_model_trace_reflow = {
    .name = "trace_reflow",
    .name_zh = "回流药",
    .definition = "已销售给参保人的药品追溯码又被定点机构采购入库的（回流药），"
                  "按追溯码台账判定，每个追溯码和采购机构一条疑点。",
    .needs = FG__SCREEN_IN_PACK_EVENTS,
    .wants = FG__SCREEN_IN_CATALOGUE,
    .init = seen_init,
    .event = reflow_event,
    .free = map_free,
};

/* ---------------------------------------------------------------- sale_unpurchased */

static int unpurchased_event(fg__screen_ctx_t *cx, void *state, const fg__screen_event_t *e)
{
    if (e->ev == NULL || e->ev->type != FG_LEDGER_SALE ||
        (e->res->findings & FG_LEDGER_FINDING_UNKNOWN_SOURCE) == 0)
        return 0;
    const fg_ledger_event_t *ev = e->ev;
    int rc = 0;
    if (!first_time(state, ev->code, ev->inst, &rc))
        return rc;
    fg__screen_finding_t f;
    event_finding(cx, &f, FG__SCREEN_SUSPICIOUS, ev);
    FG__SCREEN_SET(f.psn_no, ev->psn_no);
    rc = fg__screen_ids_add(&f, &f.setl_ids, ev->setl_id);
    if (rc == 0)
        rc = fg__screen_ids_add(&f, &f.feedetl_sns, ev->feedetl_sn);
    if (rc == 0)
        rc = fg__screen_ev_time(&f, "sale_time", ev->time);
    if (rc == 0)
        rc = fg__screen_ev_int(&f, "units", ev->units);
    if (rc == 0)
        rc = fg__screen_ev_str(&f, "ledger_outcome", fg_ledger_outcome_name(e->res->outcome));
    snprintf(f.message, sizeof(f.message),
             "%s销售的追溯码%s从未采购入库（该机构有采购上报），疑似虚构销售或来源不明", ev->inst,
             ev->code);
    if (rc == 0)
        rc = fg__screen_emit(cx, &f);
    fg__screen_finding_release(&f);
    return rc;
}

const fg__screen_model_t fg__screen_model_sale_unpurchased = {
    .name = "sale_unpurchased",
    .name_zh = "无进货销售",
    .definition = "有采购上报的机构销售了从未采购入库的追溯码药品（进销存对不上、来源不明），"
                  "按追溯码台账判定，每个追溯码和销售机构一条疑点。",
    .needs = FG__SCREEN_IN_PACK_EVENTS,
    .wants = FG__SCREEN_IN_CATALOGUE,
    .init = seen_init,
    .event = unpurchased_event,
    .free = map_free,
};
