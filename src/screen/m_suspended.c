/*
 * m_suspended.c — services billed while a payment qualification or an agreement was suspended or
 * terminated (suspensions.csv; begin and end dates inclusive, an empty end open-ended), by the fee
 * line's service date; emergency care (med_type 13, 急诊/抢救) excepted:
 *
 *   staff_suspended        (医保支付资格暂停/终止期间结算): the line's billing doctor
 *                          (bilg_dr_code) and, where given, the visit's attending doctor
 *                          (chfpdr_code) and the settlement's operating doctors (oper_dr_code,
 *                          for lines on the operation's day). One finding per (staff, settlement).
 *   institution_suspended  (协议暂停/解除期间结算): the settlement's institution. One finding per
 *                          settlement.
 *
 * Amount: the lines concerned (det_item_fee_sumamt); a settlement without fee lines is dated by
 * setl_time and counts its medfee_sumamt. Refunds and void settlements are not care paid.
 *
 * State: none (per person group).
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>

#include "screen/screen_int.h"

/* The suspension of the subject covering date d, NULL when none. */
static const fg_suspension_t *covering(const fg__screen_ref_t *r, const char *type,
                                       const char *code, fg_date_t d)
{
    if (code == NULL || code[0] == '\0')
        return NULL;
    const fg_suspension_t *const *v = NULL;
    size_t n = fg__screen_ref_suspensions(r, type, code, &v);
    for (size_t i = 0; i < n; i++)
        if (d >= v[i]->begin_date && (v[i]->end_date == FG_DATE_NONE || d <= v[i]->end_date))
            return v[i];
    return NULL;
}

static int skip_setl(const fg__screen_person_t *p, const fg_settlement_t *s)
{
    if (s->refd_setl_flag == 1 || strcmp(s->vali_flag, "0") == 0)
        return 1;
    const fg_visit_t *v = fg__screen_person_visit(p, s->mdtrt_id);
    const char *mt = v != NULL && v->med_type[0] ? v->med_type : s->med_type;
    return strcmp(mt, "13") == 0;
}

/* fn over the person's settlements that are care paid (not refunds, void or emergency). */
static int each_setl(fg__screen_ctx_t *cx, const fg__screen_person_t *p,
                     int (*fn)(fg__screen_ctx_t *, const fg__screen_person_t *,
                               const fg_settlement_t *))
{
    for (size_t i = 0; i < p->nsetls; i++) {
        if (skip_setl(p, &p->setls[i]))
            continue;
        int rc = fn(cx, p, &p->setls[i]);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int suspension_evidence(fg__screen_finding_t *f, const fg_suspension_t *sp)
{
    int rc = fg__screen_ev_str(f, "action", sp->action);
    if (rc == 0)
        rc = fg__screen_ev_date(f, "begin_date", sp->begin_date);
    if (rc == 0 && sp->end_date != FG_DATE_NONE)
        rc = fg__screen_ev_date(f, "end_date", sp->end_date);
    if (rc == 0 && sp->reason[0])
        rc = fg__screen_ev_str(f, "reason", sp->reason);
    return rc;
}

/* ---------------------------------------------------------------- institution_suspended */

static int inst_setl(fg__screen_ctx_t *cx, const fg__screen_person_t *p, const fg_settlement_t *s)
{
    const fg__screen_ref_t *r = fg__screen_ref(cx);
    fg__screen_finding_t f;
    fg__screen_finding_init(&f, FG__SCREEN_DEFINITE);
    const fg_suspension_t *hit = NULL;
    size_t first = 0;
    size_t n = fg__screen_person_setl_fees(p, s->setl_id, &first);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const fg_fee_line_t *fee = &p->fees[p->fee_by_setl[first + i]];
        fg_time_t t = fg__screen_fee_time(p, fee);
        const fg_suspension_t *sp =
            t == FG_TIME_NONE ? NULL
                              : covering(r, "institution", s->fixmedins_code, fg_time_date(t));
        if (sp == NULL || !fg__screen_in_window(cx, t))
            continue;
        hit = sp;
        f.amount += fee->det_item_fee_sumamt;
        if (f.time == FG_TIME_NONE || t < f.time)
            f.time = t;
        rc = fg__screen_ids_add(&f, &f.feedetl_sns, fee->feedetl_sn);
    }
    if (n == 0 && s->setl_time != FG_TIME_NONE && fg__screen_in_window(cx, s->setl_time)) {
        hit = covering(r, "institution", s->fixmedins_code, fg_time_date(s->setl_time));
        f.amount = s->medfee_sumamt;
        f.time = s->setl_time;
    }
    if (rc == 0 && hit != NULL) {
        FG__SCREEN_SET(f.fixmedins_code, s->fixmedins_code);
        FG__SCREEN_SET(f.psn_no, p->psn_no);
        rc = fg__screen_ids_add(&f, &f.setl_ids, s->setl_id);
        if (rc == 0)
            rc = fg__screen_ids_add(&f, &f.mdtrt_ids, s->mdtrt_id);
        if (rc == 0)
            rc = fg__screen_ev_time(&f, "service_time", f.time);
        if (rc == 0)
            rc = suspension_evidence(&f, hit);
        char d[FG_DATE_TEXTLEN + 1];
        snprintf(f.message, sizeof(f.message), "%s在医保协议%s期间（%s起）仍结算医保费用",
                 s->fixmedins_code,
                 fg_ref_status_parse(hit->action) == FG_REF_TERMINATED ? "解除" : "暂停",
                 fg__screen_day(fg_date_start(hit->begin_date), d));
        if (rc == 0)
            rc = fg__screen_emit(cx, &f);
    }
    fg__screen_finding_release(&f);
    return rc;
}

static int inst_person(fg__screen_ctx_t *cx, void *state, const fg__screen_person_t *p)
{
    (void)state;
    return each_setl(cx, p, inst_setl);
}

const fg__screen_model_t fg__screen_model_institution_suspended = {
    .name = "institution_suspended",
    .name_zh = "协议暂停期间结算",
    .definition =
        "定点医药机构医保协议暂停或解除期间（起止日期含当日），按费用发生日期仍结算医保费用的，"
        "急诊抢救（医疗类别13）除外，每个结算一条。",
    .needs = FG__SCREEN_IN_SETL | FG__SCREEN_IN_SUSPENSIONS,
    .wants = FG__SCREEN_IN_FEE | FG__SCREEN_IN_MDTRT,
    .person = inst_person,
};

/* ---------------------------------------------------------------- staff_suspended */

#define MAX_STAFF 8

typedef struct staff_hit {
    char code[16];
    const char *role;
    const fg_suspension_t *sp;
    fg__screen_finding_t f;
} staff_hit_t;

/* The hit of staff `code` in hits[0..*n), a new one when absent (NULL when full). */
static staff_hit_t *staff_slot(staff_hit_t *hits, size_t *n, const char *code, const char *role,
                               const fg_suspension_t *sp)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(hits[i].code, code) == 0)
            return &hits[i];
    if (*n == MAX_STAFF)
        return NULL;
    staff_hit_t *h = &hits[(*n)++];
    FG__SCREEN_SET(h->code, code);
    h->role = role;
    h->sp = sp;
    fg__screen_finding_init(&h->f, FG__SCREEN_DEFINITE);
    return h;
}

/* Does staff `code` in `role` make fee line fee (dated t) a hit? Adds it. */
static int staff_line(fg__screen_ctx_t *cx, staff_hit_t *hits, size_t *n, const char *code,
                      const char *role, const fg_fee_line_t *fee, fg_time_t t)
{
    const fg_suspension_t *sp = covering(fg__screen_ref(cx), "staff", code, fg_time_date(t));
    if (sp == NULL)
        return 0;
    staff_hit_t *h = staff_slot(hits, n, code, role, sp);
    if (h == NULL)
        return 0;
    for (size_t i = 0; i < h->f.feedetl_sns.n; i++)
        if (strcmp(h->f.feedetl_sns.v[i], fee->feedetl_sn) == 0)
            return 0;
    h->f.amount += fee->det_item_fee_sumamt;
    if (h->f.time == FG_TIME_NONE || t < h->f.time)
        h->f.time = t;
    return fg__screen_ids_add(&h->f, &h->f.feedetl_sns, fee->feedetl_sn);
}

static int staff_emit(fg__screen_ctx_t *cx, const fg__screen_person_t *p, const fg_settlement_t *s,
                      staff_hit_t *h)
{
    fg__screen_finding_t *f = &h->f;
    FG__SCREEN_SET(f->staff_code, h->code);
    FG__SCREEN_SET(f->fixmedins_code, s->fixmedins_code);
    FG__SCREEN_SET(f->psn_no, p->psn_no);
    int rc = fg__screen_ids_add(f, &f->setl_ids, s->setl_id);
    if (rc == 0)
        rc = fg__screen_ids_add(f, &f->mdtrt_ids, s->mdtrt_id);
    if (rc == 0)
        rc = fg__screen_ev_str(f, "role", h->role);
    if (rc == 0)
        rc = fg__screen_ev_time(f, "service_time", f->time);
    if (rc == 0)
        rc = suspension_evidence(f, h->sp);
    char d[FG_DATE_TEXTLEN + 1];
    snprintf(f->message, sizeof(f->message),
             "医保相关人员%s在医保支付资格%s期间（%s起）仍为参保人提供服务并结算（%zu条费用）",
             h->code, fg_ref_status_parse(h->sp->action) == FG_REF_TERMINATED ? "终止" : "暂停",
             fg__screen_day(fg_date_start(h->sp->begin_date), d), f->feedetl_sns.n);
    return rc != 0 ? rc : fg__screen_emit(cx, f);
}

static int staff_setl(fg__screen_ctx_t *cx, const fg__screen_person_t *p, const fg_settlement_t *s)
{
    staff_hit_t hits[MAX_STAFF];
    size_t nh = 0;
    const fg_visit_t *v = fg__screen_person_visit(p, s->mdtrt_id);
    size_t first = 0;
    size_t n = fg__screen_person_setl_fees(p, s->setl_id, &first);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const fg_fee_line_t *fee = &p->fees[p->fee_by_setl[first + i]];
        fg_time_t t = fg__screen_fee_time(p, fee);
        if (t == FG_TIME_NONE || !fg__screen_in_window(cx, t))
            continue;
        rc = staff_line(cx, hits, &nh, fee->bilg_dr_codg, "billing", fee, t);
        if (rc == 0 && v != NULL)
            rc = staff_line(cx, hits, &nh, v->chfpdr_code, "attending", fee, t);
        for (size_t k = 0; rc == 0 && k < p->noprns; k++) {
            const fg_operation_t *o = &p->oprns[k];
            if (strcmp(o->setl_id, s->setl_id) == 0 && o->oprn_oprt_date != FG_TIME_NONE &&
                fg_time_date(o->oprn_oprt_date) == fg_time_date(t))
                rc = staff_line(cx, hits, &nh, o->oper_dr_code, "operating", fee, t);
        }
    }
    for (size_t i = 0; i < nh; i++) {
        if (rc == 0)
            rc = staff_emit(cx, p, s, &hits[i]);
        fg__screen_finding_release(&hits[i].f);
    }
    return rc;
}

static int staff_person(fg__screen_ctx_t *cx, void *state, const fg__screen_person_t *p)
{
    (void)state;
    return each_setl(cx, p, staff_setl);
}

const fg__screen_model_t fg__screen_model_staff_suspended = {
    .name = "staff_suspended",
    .name_zh = "医保支付资格暂停期间结算",
    .definition =
        "医保相关人员（开单医生，以及就诊的主诊医师、手术医师）医保支付资格暂停或终止期间"
        "（起止日期含当日），按费用发生日期仍提供服务并结算的，急诊抢救（医疗类别13）除外，"
        "每名人员每个结算一条。",
    .needs = FG__SCREEN_IN_SETL | FG__SCREEN_IN_FEE | FG__SCREEN_IN_SUSPENSIONS,
    .wants = FG__SCREEN_IN_MDTRT | FG__SCREEN_IN_OPRN,
    .person = staff_person,
};
