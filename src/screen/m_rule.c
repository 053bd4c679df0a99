/*
 * m_rule.c — `rule` (两库规则事后审核): every hit of the review engine (src/rules) at the 事后
 * (post) stage over the same settlements, as `fundguard check --stage post --batch` gives them.
 *
 * Each settlement is assembled from the extraction tables as the check request the engine reads:
 * the person (persons.csv, else the visit's gend/brdy/insutype), the institution (institutions.csv,
 * else the visit's level), the visit (mdtrt_d, else one made from setl_d), its diagnoses
 * (setl_list_diag_d) and fee lines (fee_list_d). A person's settlements go through the engine in
 * time order with a history of that person only (fg_review_commit after each), so windows that
 * reach back (courses, cycles, frequencies) see exactly the person's earlier care — and memory
 * holds one person's history at a time.
 *
 * One finding per hit: setl_ids, the fee line's feedetl_sns (none for a settlement-level hit),
 * med_list_codg of the line, amount = the hit's amount at issue, level = the rule's, evidence
 * `family`, `rule` (GZ code), `kp` (knowledge point), `kp_version`, `basis`.
 *
 * Not reported: the `no_trace_code` family — the extraction tables carry no trace codes (the pack
 * models read the ledger instead), so every coded drug would look uncoded.
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>

#include "fundguard/alloc.h"
#include "screen/screen_int.h"

typedef struct rule_state {
    fg_arena_t arena;
} rule_state_t;

static int init(fg__screen_ctx_t *cx, void **state)
{
    (void)cx;
    rule_state_t *s = fg_calloc(1, sizeof(*s));
    if (s == NULL)
        return FG_ENOMEM;
    fg_arena_init(&s->arena, 0);
    *state = s;
    return 0;
}

static void state_free(void *state)
{
    rule_state_t *s = state;
    fg_arena_release(&s->arena);
    fg_free(s);
}

/* A visit for a settlement that has none in mdtrt_d. */
static void visit_from_setl(fg_visit_t *v, const fg_settlement_t *s)
{
    fg_record_clear(FG_REC_VISIT, v);
    FG__SCREEN_SET(v->mdtrt_id, s->mdtrt_id);
    FG__SCREEN_SET(v->psn_no, s->psn_no);
    FG__SCREEN_SET(v->fixmedins_code, s->fixmedins_code);
    FG__SCREEN_SET(v->hosp_lv, s->hosp_lv);
    FG__SCREEN_SET(v->med_type, s->med_type);
    FG__SCREEN_SET(v->insutype, s->insutype);
    FG__SCREEN_SET(v->gend, s->gend);
    v->brdy = s->brdy;
    v->begntime = s->begndate != FG_DATE_NONE ? fg_date_start(s->begndate) : s->setl_time;
    v->endtime = s->enddate != FG_DATE_NONE ? fg_date_start(s->enddate) : FG_TIME_NONE;
}

/* The check request of settlement s, in the arena. */
static int assemble(fg__screen_ctx_t *cx, const fg__screen_person_t *p, const fg_settlement_t *s,
                    fg_arena_t *a, fg_doc_t *doc)
{
    memset(doc, 0, sizeof(*doc));
    const fg__screen_ref_t *r = fg__screen_ref(cx);
    doc->settlement = (fg_settlement_t *)(uintptr_t)s;
    FG__SCREEN_SET(doc->fixmedins_code, s->fixmedins_code);
    const fg_visit_t *v = fg__screen_person_visit(p, s->mdtrt_id);
    fg_visit_t *vc = fg_arena_alloc(a, sizeof(*vc));
    fg_person_t *pc = fg_arena_alloc(a, sizeof(*pc));
    fg_institution_t *ic = fg_arena_alloc(a, sizeof(*ic));
    if (vc == NULL || pc == NULL || ic == NULL)
        return FG_ENOMEM;
    if (v != NULL)
        *vc = *v;
    else
        visit_from_setl(vc, s);
    doc->visit = vc;
    const fg_person_t *pr = p->person;
    if (pr != NULL) {
        *pc = *pr;
    } else {
        fg_record_clear(FG_REC_PERSON, pc);
        FG__SCREEN_SET(pc->psn_no, p->psn_no);
        FG__SCREEN_SET(pc->gend, vc->gend);
        pc->brdy = vc->brdy;
        FG__SCREEN_SET(pc->insutype, vc->insutype);
    }
    doc->person = pc;
    const fg_institution_t *ir = fg__screen_ref_institution(r, s->fixmedins_code);
    if (ir != NULL) {
        *ic = *ir;
    } else {
        fg_record_clear(FG_REC_INSTITUTION, ic);
        FG__SCREEN_SET(ic->fixmedins_code, s->fixmedins_code);
        FG__SCREEN_SET(ic->hosp_lv, vc->hosp_lv[0] ? vc->hosp_lv : s->hosp_lv);
    }
    doc->institution = ic;
    size_t nd = 0;
    for (size_t i = 0; i < p->ndiags; i++)
        nd += strcmp(p->diags[i].setl_id, s->setl_id) == 0 && strcmp(p->diags[i].vali_flag, "0");
    doc->diags = fg_arena_alloc(a, (nd ? nd : 1) * sizeof(*doc->diags));
    size_t first = 0;
    size_t nf = fg__screen_person_setl_fees(p, s->setl_id, &first);
    doc->fees = fg_arena_alloc(a, (nf ? nf : 1) * sizeof(*doc->fees));
    if (doc->diags == NULL || doc->fees == NULL)
        return FG_ENOMEM;
    for (size_t i = 0; i < p->ndiags; i++)
        if (strcmp(p->diags[i].setl_id, s->setl_id) == 0 && strcmp(p->diags[i].vali_flag, "0"))
            doc->diags[doc->ndiags++] = p->diags[i];
    for (size_t i = 0; i < nf; i++) {
        const fg_fee_line_t *f = &p->fees[p->fee_by_setl[first + i]];
        if (strcmp(f->vali_flag, "0") != 0)
            doc->fees[doc->nfees++] = *f;
    }
    return 0;
}

static int emit_hit(fg__screen_ctx_t *cx, const fg_doc_t *doc, const fg_hit_t *h)
{
    const fg_rule_t *rule = fg_rule(h->rule);
    if (rule == NULL || rule->family == FG_FAM_NO_TRACE_CODE)
        return 0;
    const fg_fee_line_t *line =
        h->line >= 0 && (size_t)h->line < doc->nfees ? &doc->fees[h->line] : NULL;
    fg__screen_finding_t f;
    fg__screen_finding_init(&f, rule->level == FG_LEVEL_DEFINITE ? FG__SCREEN_DEFINITE
                                                                 : FG__SCREEN_SUSPICIOUS);
    const fg_settlement_t *s = doc->settlement;
    FG__SCREEN_SET(f.fixmedins_code, s->fixmedins_code);
    FG__SCREEN_SET(f.psn_no, s->psn_no);
    f.amount = h->amount;
    f.time = line != NULL && line->fee_ocur_time != FG_TIME_NONE ? line->fee_ocur_time
                                                                 : doc->visit->begntime;
    int rc = fg__screen_ids_add(&f, &f.setl_ids, s->setl_id);
    if (rc == 0)
        rc = fg__screen_ids_add(&f, &f.mdtrt_ids, s->mdtrt_id);
    if (rc == 0 && line != NULL) {
        rc = fg__screen_ids_add(&f, &f.feedetl_sns, line->feedetl_sn);
        FG__SCREEN_SET(f.med_list_codg, line->med_list_codg);
    }
    if (rc == 0)
        rc = fg__screen_ev_str(&f, "family", fg_family_name(rule->family));
    if (rc == 0)
        rc = fg__screen_ev_str(&f, "rule", rule->code);
    if (rc == 0)
        rc = fg__screen_ev_str(&f, "rule_name", rule->name);
    if (rc == 0)
        rc = fg__screen_ev_str(&f, "kp", h->kp);
    if (rc == 0 && h->kp_version[0])
        rc = fg__screen_ev_str(&f, "kp_version", h->kp_version);
    if (rc == 0 && h->basis != NULL)
        rc = fg__screen_ev_str(&f, "basis", h->basis);
    FG__SCREEN_SET(f.message, h->message != NULL ? h->message : rule->name);
    if (rc == 0)
        rc = fg__screen_emit(cx, &f);
    fg__screen_finding_release(&f);
    return rc;
}

static int person(fg__screen_ctx_t *cx, void *state, const fg__screen_person_t *p)
{
    rule_state_t *st = state;
    const fg__screen_ref_t *r = fg__screen_ref(cx);
    fg_history_t *hist = fg_history_new();
    fg_review_t *rv =
        hist != NULL ? fg_review_new(fg__screen_ref_kb(r), fg__screen_ref_rules(r), hist) : NULL;
    int rc = rv == NULL ? FG_ENOMEM : 0;
    for (size_t i = 0; rc == 0 && i < p->nsetls; i++) {
        const fg_settlement_t *s = &p->setls[i];
        if (strcmp(s->vali_flag, "0") == 0)
            continue;
        fg_arena_reset(&st->arena);
        fg_doc_t doc;
        fg_decision_t d;
        fg_error_t err;
        rc = assemble(cx, p, s, &st->arena, &doc);
        if (rc == 0)
            rc = fg_review_check(rv, &doc, FG_STAGE_POST, &st->arena, &d, &err);
        if (rc == FG_EINVAL) {
            fg__screen_note(cx, "setl_d", &err);
            rc = 0;
            continue;
        }
        int in_window = fg__screen_in_window(cx, doc.visit->begntime);
        for (size_t k = 0; rc == 0 && in_window && k < d.nhits; k++)
            rc = emit_hit(cx, &doc, &d.hits[k]);
        if (rc == 0)
            rc = fg_review_commit(rv, &doc, &d, &err);
    }
    fg_review_free(rv);
    fg_history_free(hist);
    return rc;
}

const fg__screen_model_t fg__screen_model_rule = {
    .name = "rule",
    .name_zh = "两库规则事后审核",
    .definition = "以国家医保智能监管“两库”（规则库、知识库）对同一批结算逐条事后审核（事后阶段），"
                  "每条规则命中一条，证据给出规则族、规则编码和知识点；结算由结算、就诊、诊断、"
                  "费用明细表组装，按参保人就诊时间顺序审核。",
    .needs = FG__SCREEN_IN_SETL | FG__SCREEN_IN_FEE | FG__SCREEN_IN_KB,
    .wants = FG__SCREEN_IN_MDTRT | FG__SCREEN_IN_DIAG | FG__SCREEN_IN_PERSONS |
             FG__SCREEN_IN_INSTITUTIONS | FG__SCREEN_IN_DEATHS | FG__SCREEN_IN_SUSPENSIONS |
             FG__SCREEN_IN_CATALOGUE,
    .init = init,
    .person = person,
    .free = state_free,
};
