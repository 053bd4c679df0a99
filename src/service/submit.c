/*
 * submit.c — the transactions that submit data: a real-time check, a completed settlement (or its
 * refund) and an inventory document, with the ledger events of their trace codes.
 *
 * A write is done only when it is durable: ledger events are synced, the store's transaction (the
 * settlement, its decision, its alerts and findings, the audit entry) committed. A settlement
 * given again (a retry after a lost answer or a crash) is answered with the decision recorded the
 * first time and changes nothing; its ledger events are recognised in the codes' history and never
 * applied twice.
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>

#include "fundguard/codes.h"
#include "service/service_int.h"

/* ---------------------------------------------------------------- scope */

/* The first institution code of the document: its envelope's, its records', its lines'. */
static void doc_inst(const fg_doc_t *doc, const char *codes[8], int *n, char inst[16])
{
    *n = 0;
    codes[(*n)++] = doc->fixmedins_code;
    if (doc->institution != NULL)
        codes[(*n)++] = doc->institution->fixmedins_code;
    if (doc->visit != NULL)
        codes[(*n)++] = doc->visit->fixmedins_code;
    if (doc->settlement != NULL)
        codes[(*n)++] = doc->settlement->fixmedins_code;
    inst[0] = '\0';
    for (int i = 0; i < *n; i++)
        if (codes[i][0] != '\0' && inst[0] == '\0')
            memcpy(inst, codes[i], strlen(codes[i]) + 1);
    for (size_t i = 0; i < doc->nfees; i++)
        if (inst[0] == '\0' && doc->fees[i].fixmedins_code[0] != '\0')
            memcpy(inst, doc->fees[i].fixmedins_code, strlen(doc->fees[i].fixmedins_code) + 1);
    for (size_t i = 0; i < doc->ninv; i++)
        if (inst[0] == '\0' && doc->inv[i].fixmedins_code[0] != '\0')
            memcpy(inst, doc->inv[i].fixmedins_code, strlen(doc->inv[i].fixmedins_code) + 1);
}

int fg_service_doc_scope(const fg_actor_t *a, const fg_doc_t *doc, char inst[16], fg_error_t *err)
{
    const char *codes[8];
    int n;
    doc_inst(doc, codes, &n, inst);
    if (inst[0] == '\0') {
        if (a->scope[0] == '\0')
            return fg_error_set(err, FG_E_REQUIRED, "fixmedins_code", 0,
                                "the document names no institution (fixmedins_code)");
        memcpy(inst, a->scope, strlen(a->scope) + 1);
    }
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++)
        if (codes[i][0] != '\0')
            rc = fg__svc_in_scope(a, codes[i], err);
    for (size_t i = 0; i < doc->nfees && rc == 0; i++)
        if (doc->fees[i].fixmedins_code[0] != '\0')
            rc = fg__svc_in_scope(a, doc->fees[i].fixmedins_code, err);
    for (size_t i = 0; i < doc->ninv && rc == 0; i++)
        if (doc->inv[i].fixmedins_code[0] != '\0')
            rc = fg__svc_in_scope(a, doc->inv[i].fixmedins_code, err);
    return rc == 0 ? fg__svc_in_scope(a, inst, err) : rc;
}

/* ---------------------------------------------------------------- review */

/* Check the document on the current engine; the decision JSON is appended to out. */
static int review(fg_service_t *s, const fg_doc_t *doc, fg_stage_t stage, fg_arena_t *arena,
                  fg_decision_t *d, fg_buf_t *out, fg_error_t *err)
{
    fg__engine_t *e = fg__engine_get(s);
    int k = fg__review_take(e);
    pthread_rwlock_rdlock(&s->hist_lock);
    int rc = fg_review_check(e->review[k], doc, stage, arena, d, err);
    pthread_rwlock_unlock(&s->hist_lock);
    if (rc == 0) {
        rc = fg_decision_json(doc, d, out);
        if (rc != 0)
            fg_error_set(err, rc, "", 0, NULL);
    }
    if (rc != 0)
        err->where[0] = '\0';
    fg__review_release(e, k);
    fg__engine_put(e);
    atomic_fetch_add(&s->checks, 1);
    return rc;
}

/* Remember a settled document in the history (idempotent), for the windows of later checks. */
static int remember(fg_service_t *s, const fg_doc_t *doc, const fg_decision_t *d, fg_error_t *err)
{
    fg__engine_t *e = fg__engine_get(s);
    int k = fg__review_take(e);
    pthread_rwlock_wrlock(&s->hist_lock);
    int rc = fg_review_commit(e->review[k], doc, d, err);
    pthread_rwlock_unlock(&s->hist_lock);
    fg__review_release(e, k);
    fg__engine_put(e);
    return rc;
}

int fg_service_check(fg_service_t *s, const fg_actor_t *a, const fg_doc_t *doc, fg_stage_t stage,
                     fg_arena_t *arena, fg_buf_t *decision, fg_error_t *err)
{
    char inst[16];
    int rc = fg_service_doc_scope(a, doc, inst, err);
    if (rc != 0)
        return rc;
    if (doc->visit == NULL || doc->person == NULL)
        return fg_error_set(err, FG_E_REQUIRED, doc->visit == NULL ? "mdtrtinfo" : "psninfo", 0,
                            "a check request needs psninfo and mdtrtinfo");
    fg_decision_t d;
    return review(s, doc, stage, arena, &d, decision, err);
}

/* ---------------------------------------------------------------- settlements */

/* The ledger events of a settlement's trace codes: sales, or returns for a refund (matched to the
 * original line by init_feedetl_sn). */
static size_t settlement_events(const fg_doc_t *doc, const char *inst, fg_arena_t *arena,
                                fg_service_outcome_t **out)
{
    const fg_settlement_t *st = doc->settlement;
    size_t n = 0;
    for (size_t i = 0; i < doc->nfees; i++)
        n += doc->fees[i].ntrace;
    fg_service_outcome_t *a = n > 0 ? fg_arena_calloc(arena, n, sizeof(*a)) : NULL;
    size_t k = 0;
    for (size_t i = 0; i < doc->nfees && a != NULL; i++) {
        const fg_fee_line_t *f = &doc->fees[i];
        int ret = st->refd_setl_flag == 1 || f->init_feedetl_sn[0] != '\0';
        fg_time_t t = f->fee_ocur_time != FG_TIME_NONE ? f->fee_ocur_time : st->setl_time;
        for (size_t j = 0; j < f->ntrace; j++, k++) {
            fg_service_outcome_t *e = &a[k];
            fg__svc_event_init(e, ret ? FG_LEDGER_SALE_RETURN : FG_LEDGER_SALE,
                               f->trace[j].drug_trac_codg, inst, t);
            e->ev.trdn = f->trace[j].trdn_flag;
            if (e->ev.trdn)
                e->ev.units = (uint32_t)(f->cnt / 10000);
            fg__svc_copy(e->ev.med_list, sizeof(e->ev.med_list), f->med_list_codg);
            fg__svc_copy(e->ev.setl_id, sizeof(e->ev.setl_id),
                         ret && st->init_setl_id[0] != '\0' ? st->init_setl_id : st->setl_id);
            fg__svc_copy(e->ev.feedetl_sn, sizeof(e->ev.feedetl_sn),
                         f->init_feedetl_sn[0] != '\0' ? f->init_feedetl_sn : f->feedetl_sn);
            fg__svc_copy(e->ev.psn_no, sizeof(e->ev.psn_no), st->psn_no);
            fg__svc_event_check(e);
        }
    }
    *out = a;
    return a != NULL ? n : 0;
}

/* One finding's detail: {"rule","level","feedetl_sn","amount","kp","message"}. */
static int finding_json(const fg_hit_t *h, const fg_rule_t *r, const fg_fee_line_t *f, fg_buf_t *b)
{
    int rc = fg_buf_printf(b, "{\"rule\":\"%s\",\"level\":\"%s\"", r != NULL ? r->code : "",
                           r != NULL ? fg_level_name(r->level) : "");
    if (rc == 0)
        rc = fg__svc_json_member(b, "feedetl_sn", f != NULL ? f->feedetl_sn : "");
    if (rc == 0)
        rc = fg_buf_printf(b, ",\"amount\":%lld", (long long)h->amount);
    if (rc == 0)
        rc = fg__svc_json_member(b, "kp", h->kp);
    if (rc == 0)
        rc = fg_buf_appends(b, ",\"message\":");
    if (rc == 0)
        rc = fg_buf_append_json_str(b, h->message != NULL ? h->message : "",
                                    h->message != NULL ? strlen(h->message) : 0);
    return rc == 0 ? fg_buf_appendc(b, '}') : rc;
}

/* Findings: the hits of a decision that holds or blocks. */
static int store_findings(fg_service_t *s, const fg_doc_t *doc, const fg_decision_t *d,
                          const char *inst, fg_error_t *err)
{
    if (d->verdict < FG_VERDICT_HOLD)
        return 0;
    int rc = 0;
    fg_buf_t b;
    fg_buf_init(&b, 1u << 20);
    for (size_t i = 0; i < d->nhits && rc == 0; i++) {
        const fg_hit_t *h = &d->hits[i];
        const fg_rule_t *r = fg_rule(h->rule);
        const fg_fee_line_t *f = h->line >= 0 ? &doc->fees[h->line] : NULL;
        fg_buf_reset(&b);
        rc = finding_json(h, r, f, &b);
        fg_store_alert_t al = {.kind = r != NULL ? r->code : "",
                               .fixmedins_code = inst,
                               .code = f != NULL ? f->med_list_codg : "",
                               .setl_id = doc->settlement->setl_id,
                               .occurred = doc->settlement->setl_time,
                               .detail = b.data};
        if (rc == 0)
            rc = fg_store_alert_add(s->store, FG_STORE_FINDINGS, &al, err);
    }
    fg_buf_release(&b);
    return rc;
}

/* A settlement stored before (rc 1: again holds its first decision) is a replay; anything else an
 * error (a different settlement under the same setl_id: FG_E_CONFLICT). Releases again. */
static int replayed(int rc, fg_buf_t *again, fg_service_settled_t *res, fg_error_t *err)
{
    if (rc == 1) {
        res->replayed = 1;
        fg_buf_reset(&res->decision);
        rc = fg_buf_appends(&res->decision, again->data != NULL ? again->data : "null");
    } else {
        if (rc == 0)
            fg_error_set(err, FG_E_CONFLICT, "setl_id", 0, NULL);
        rc = rc != 0 ? rc : FG_E_CONFLICT;
        snprintf(err->where, sizeof(err->where), "setl_id");
        err->code = rc;
    }
    fg_buf_release(again);
    return rc;
}

/* The store's half of a new settlement: the row, its alerts, findings and audit entry in one
 * transaction. rc 1: a concurrent transaction stored the same settlement first (again holds it). */
static int settle_store(fg_service_t *s, const fg_actor_t *a, const fg_doc_t *doc,
                        const fg_store_settlement_t *ss, const fg_decision_t *d, int reviewed,
                        const fg_service_settled_t *res, fg_buf_t *again, fg_error_t *err)
{
    char after[65];
    fg_store_digest(ss->body, ss->body_len, after);
    int rc = fg_store_begin(s->store, err);
    if (rc != 0)
        return rc;
    rc = fg_store_settlement_put(s->store, ss, again, err);
    if (rc == 0)
        rc = fg__svc_store_alerts(s, res->events, res->nevents, err);
    if (rc == 0 && reviewed)
        rc = store_findings(s, doc, d, ss->fixmedins_code, err);
    fg__svc_audit(s, a, "settlement.put", ss->setl_id, "", after, err, &rc);
    if (rc == 0)
        rc = fg_store_commit(s->store, err);
    else
        fg_store_rollback(s->store);
    return rc;
}

/* Stored before: the same settlement is answered with its first decision and changes nothing; a
 * different one under the same setl_id is a conflict. 0: not stored before. */
static int settle_again(fg_service_t *s, const fg_actor_t *a, fg_store_settlement_t *ss,
                        fg_service_settled_t *res, int *done, fg_error_t *err)
{
    fg_arena_t arena;
    fg_arena_init(&arena, 4096);
    fg_store_settlement_t prior;
    int rc = fg_store_settlement_get(s->store, ss->setl_id, &arena, &prior, err);
    *done = rc != FG_ENOTFOUND;
    if (rc == 0)
        rc = fg__svc_in_scope(a, prior.fixmedins_code, err);
    else if (rc != FG_ENOTFOUND)
        err->where[0] = '\0';
    fg_arena_release(&arena);
    if (rc == FG_ENOTFOUND)
        return 0;
    if (rc != 0)
        return rc;
    fg_buf_t again;
    fg_buf_init(&again, 64u << 20);
    ss->decision = "";
    rc = fg_store_settlement_put(s->store, ss, &again, err);
    return replayed(rc, &again, res, err);
}

int fg_service_settle(fg_service_t *s, const fg_actor_t *a, const fg_doc_t *doc, const char *body,
                      size_t body_len, fg_arena_t *arena, fg_service_settled_t *res,
                      fg_error_t *err)
{
    char inst[16];
    int rc = fg_service_doc_scope(a, doc, inst, err);
    if (rc != 0)
        return rc;
    const fg_settlement_t *setl = doc->settlement;
    if (setl == NULL || setl->setl_id[0] == '\0')
        return fg_error_set(err, FG_E_REQUIRED, "setlinfo.setl_id", 0,
                            "a completed settlement needs setlinfo with setl_id");
    const char *kept;
    size_t kept_len;
    rc = fg__svc_kept(s, arena, body, body_len, &kept, &kept_len, err);
    if (rc != 0)
        return rc;
    /* Kept without its identity numbers; a retry is recognised by that form (the pseudonym of a
     * different number differs, so a changed document is still a conflict). */
    fg_store_settlement_t ss = {.setl_id = setl->setl_id,
                                .fixmedins_code = inst,
                                .psn_no = setl->psn_no,
                                .setl_time = setl->setl_time,
                                .refund = setl->refd_setl_flag == 1,
                                .init_setl_id = setl->init_setl_id,
                                .body = kept,
                                .body_len = kept_len,
                                .verdict = "pass"};
    int done;
    rc = settle_again(s, a, &ss, res, &done, err);
    if (done)
        return rc;
    fg_decision_t d;
    memset(&d, 0, sizeof(d));
    int reviewed = doc->visit != NULL && doc->person != NULL;
    if (reviewed)
        rc = review(s, doc, FG_STAGE_IN, arena, &d, &res->decision, err);
    else
        rc = fg_buf_printf(&res->decision, "{\"decision\":\"pass\",\"stage\":\"in\","
                                           "\"reviewed\":false}");
    ss.decision = res->decision.data;
    ss.verdict = reviewed ? fg_verdict_name(d.verdict) : "pass";
    /* The ledger first (events already in a code's history are recognised, not applied again),
     * then the history, then one store transaction: a crash between them is repaired by the
     * client's retry. */
    res->nevents = rc == 0 ? settlement_events(doc, inst, arena, &res->events) : 0;
    if (rc == 0)
        rc = fg__svc_ledger_apply(s, res->events, res->nevents, arena, err);
    if (rc != 0)
        return rc;
    rc = reviewed ? remember(s, doc, &d, err) : 0;
    fg_buf_t again;
    fg_buf_init(&again, 64u << 20);
    if (rc == 0)
        rc = settle_store(s, a, doc, &ss, &d, reviewed, res, &again, err);
    if (rc != 0) /* 1: a concurrent request stored the same settlement first */
        return replayed(rc, &again, res, err);
    fg_buf_release(&again);
    atomic_fetch_add(&s->settlements, 1);
    return 0;
}

/* ---------------------------------------------------------------- inventory */

static int inv_type(fg_inv_type_t t)
{
    switch (t) {
    case FG_INV_PURCHASE:
        return FG_LEDGER_PURCHASE;
    case FG_INV_PURCHASE_RETURN:
        return FG_LEDGER_PURCHASE_RETURN;
    case FG_INV_SALE:
        return FG_LEDGER_SALE;
    case FG_INV_SALE_RETURN:
        return FG_LEDGER_SALE_RETURN;
    default:
        return 0; /* 3501, 3502, 3507: recorded, no ledger event */
    }
}

/* The ledger events of an inventory document's trace codes. */
static int inventory_events(const fg_doc_t *doc, const char *inst, fg_arena_t *arena,
                            fg_service_outcome_t **out, size_t *nout, fg_error_t *err)
{
    size_t n = 0;
    for (size_t i = 0; i < doc->ninv; i++)
        n += inv_type(doc->inv[i].type) != 0 ? doc->inv[i].ntrace : 0;
    fg_service_outcome_t *a = n > 0 ? fg_arena_calloc(arena, n, sizeof(*a)) : NULL;
    if (n > 0 && a == NULL)
        return fg_error_set(err, FG_ENOMEM, "", 0, NULL);
    size_t k = 0;
    for (size_t i = 0; i < doc->ninv; i++) {
        const fg_inv_event_t *v = &doc->inv[i];
        int type = inv_type(v->type);
        for (size_t j = 0; type != 0 && j < v->ntrace; j++, k++) {
            fg__svc_event_init(&a[k], (fg_ledger_type_t)type, v->trace[j].drug_trac_codg,
                               v->fixmedins_code[0] != '\0' ? v->fixmedins_code : inst, v->time);
            a[k].ev.trdn = v->trace[j].trdn_flag;
            if (a[k].ev.trdn)
                a[k].ev.units = (uint32_t)(v->cnt / 10000);
            fg__svc_copy(a[k].ev.med_list, sizeof(a[k].ev.med_list), v->med_list_codg);
            fg__svc_copy(a[k].ev.setl_id, sizeof(a[k].ev.setl_id), v->setl_id);
            fg__svc_copy(a[k].ev.psn_no, sizeof(a[k].ev.psn_no), v->psn_no);
            fg__svc_event_check(&a[k]);
        }
    }
    *out = a;
    *nout = n;
    return 0;
}

/* The first answer to the same document, marked replayed. 0 found, FG_ENOTFOUND, or an error. */
static int inventory_again(fg_service_t *s, const char *digest, const char *inst, fg_buf_t *answer,
                           fg_error_t *err)
{
    fg_buf_t first;
    fg_buf_init(&first, 64u << 20);
    int rc = fg_store_request_get(s->store, digest, inst, &first, err);
    if (rc == 0) {
        const char *mark = "\"replayed\":false";
        const char *at = strstr(first.data, mark);
        size_t pre = at != NULL ? (size_t)(at - first.data) : 0;
        fg_buf_append(answer, first.data, pre);
        fg_buf_appends(answer, at != NULL ? "\"replayed\":true" : "");
        fg_buf_appends(answer, first.data + pre + (at != NULL ? strlen(mark) : 0));
    }
    fg_buf_release(&first);
    if (rc != 0 && rc != FG_ENOTFOUND)
        err->where[0] = '\0';
    return rc;
}

int fg_service_inventory(fg_service_t *s, const fg_actor_t *a, const fg_doc_t *doc,
                         const char *body, size_t body_len, fg_arena_t *arena, fg_buf_t *answer,
                         int *again, fg_error_t *err)
{
    char inst[16];
    *again = 0;
    int rc = fg_service_doc_scope(a, doc, inst, err);
    if (rc != 0)
        return rc;
    if (doc->ninv == 0)
        return fg_error_set(err, FG_E_REQUIRED, "input", 0,
                            "an inventory document (3501–3507) holds at least one event");
    /* The same document again (a retry): the first answer, nothing applied or alerted twice. It
     * is known by the digest of its form at rest (no identity number goes into a digest). */
    char after[65];
    const char *kept;
    size_t kept_len;
    rc = fg__svc_kept(s, arena, body, body_len, &kept, &kept_len, err);
    if (rc != 0)
        return rc;
    fg_store_digest(kept, kept_len, after);
    rc = inventory_again(s, after, inst, answer, err);
    *again = rc == 0;
    if (rc != FG_ENOTFOUND)
        return rc;
    fg_service_outcome_t *ev = NULL;
    size_t n = 0;
    rc = inventory_events(doc, inst, arena, &ev, &n, err);
    if (rc == 0)
        rc = fg__svc_ledger_apply(s, ev, n, arena, err);
    if (rc != 0)
        return rc;
    char object[64];
    snprintf(object, sizeof(object), "%d:%s", doc->infno, doc->msgid[0] ? doc->msgid : inst);
    fg_buf_printf(answer,
                  "{\"infno\":%d,\"documents\":%zu,\"replayed\":false,\"events\":", doc->infno,
                  doc->ninv);
    fg_service_outcomes_json(ev, n, answer);
    fg_buf_appendc(answer, '}');
    rc = fg_store_begin(s->store, err);
    if (rc == 0) {
        rc = fg__svc_store_alerts(s, ev, n, err);
        if (rc == 0)
            rc = fg_store_request_put(s->store, after, inst, answer->data, err);
        fg__svc_audit(s, a, "inventory.post", object, "", after, err, &rc);
        if (rc == 0)
            rc = fg_store_commit(s->store, err);
        else
            fg_store_rollback(s->store);
    }
    if (rc != 0)
        err->where[0] = '\0';
    return rc;
}
