/*
 * m_injury_third_party.c — `injury_third_party` (应由第三人负担 / 工伤 — 医保基金支付): injuries
 * paid by the medical-insurance fund where a traffic-accident or work-injury record exists.
 *
 * A paid settlement (not a refund, not void, not reversed) of basic medical insurance (insutype
 * other than 410 工伤 and 510 生育) whose fund paid > 0 (fund_pay_sumamt, else hifp_pay), whose
 * main diagnosis is an injury (ICD-10 S or T) or which carries an external cause V01–Y98 beside
 * it (Y40–Y84, complications of medical care, excluded), and an injury record of the person
 * (injuries.csv, traffic or work) dated on or before the care date (the visit's begin, else the
 * settlement's begndate or setl_time; within max_days when that is not 0). One finding per
 * settlement; amount = the fund's payment.
 *
 * State: none (per person group).
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>

#include "screen/mpost.h"

static const fg__screen_param_t PARAMS[] = {
    {"max_days", 0, 0, 3650, "days",
     "care at most this many days after the injury record (0: any time after)",
     "就医日期距伤害记录日期不超过的天数（0：不限）"},
};

/* 1 for an external cause V01–Y98 that is not Y40–Y84 (complications of care). */
static int external(const char *dx)
{
    if (dx[0] != 'V' && dx[0] != 'W' && dx[0] != 'X' && dx[0] != 'Y')
        return 0;
    if (dx[1] < '0' || dx[1] > '9' || dx[2] < '0' || dx[2] > '9')
        return 0;
    int n = (dx[1] - '0') * 10 + (dx[2] - '0');
    return !(dx[0] == 'Y' && n >= 40 && n <= 84);
}

/* The injury diagnosis of a settlement ("" when none): the main one when S/T, else an external
 * cause among its diagnoses. */
static const char *injury_dx(const fg__screen_person_t *p, const fg_settlement_t *s,
                             const fg_visit_t *v)
{
    const char *main = v != NULL ? v->dscg_maindiag_code : "";
    for (size_t i = 0; main[0] == '\0' && i < p->ndiags; i++)
        if (p->diags[i].maindiag_flag == 1 && strcmp(p->diags[i].setl_id, s->setl_id) == 0)
            main = p->diags[i].diag_code;
    if (main[0] == 'S' || main[0] == 'T')
        return main;
    if (external(main))
        return main;
    for (size_t i = 0; i < p->ndiags; i++)
        if (strcmp(p->diags[i].setl_id, s->setl_id) == 0 && external(p->diags[i].diag_code))
            return p->diags[i].diag_code;
    return "";
}

static int one(fg__screen_ctx_t *cx, const fg__screen_person_t *p, const fg_settlement_t *s,
               const fg_injury_t *inj, const char *dx, fg_time_t t, fg_fen_t fund)
{
    fg__screen_finding_t f;
    fg__screen_finding_init(&f, FG__SCREEN_SUSPICIOUS);
    fg__mp_finding_base(&f, p->psn_no, s->fixmedins_code, t, fund);
    int rc = fg__screen_ids_add(&f, &f.setl_ids, s->setl_id);
    if (rc == 0)
        rc = fg__screen_ids_add(&f, &f.mdtrt_ids, s->mdtrt_id);
    if (rc == 0)
        rc = fg__screen_ev_str(&f, "diagnosis", dx);
    if (rc == 0)
        rc = fg__screen_ev_str(&f, "injury_kind", inj->kind);
    if (rc == 0)
        rc = fg__screen_ev_date(&f, "injury_date", inj->injury_date);
    if (rc == 0)
        rc = fg__screen_ev_str(&f, "record_no", inj->record_no);
    if (rc == 0)
        rc = fg__screen_ev_time(&f, "care_time", t);
    char d1[FG_DATE_TEXTLEN + 1];
    char d2[FG_DATE_TEXTLEN + 1];
    fg_date_format(inj->injury_date, d1);
    snprintf(
        f.message, sizeof(f.message),
        "参保人%s有%s记录（%s），%s伤害诊断%s的费用由医保基金支付，疑似应由第三方或工伤保险负担",
        d1, strcmp(inj->kind, "work") == 0 ? "工伤认定" : "交通事故", inj->record_no,
        fg__screen_day(t, d2), dx);
    return fg__mp_emit(cx, &f, rc);
}

static int person(fg__screen_ctx_t *cx, void *state, const fg__screen_person_t *p)
{
    (void)state;
    const fg_injury_t *const *inj;
    size_t ninj = fg__screen_ref_injuries(fg__screen_ref(cx), p->psn_no, &inj);
    if (ninj == 0)
        return 0;
    int max_days = (int)fg__screen_param(cx, "max_days");
    for (size_t i = 0; i < p->nsetls; i++) {
        const fg_settlement_t *s = &p->setls[i];
        const fg_visit_t *v = fg__screen_person_visit(p, s->mdtrt_id);
        const char *insu = s->insutype[0] ? s->insutype : v != NULL ? v->insutype : "";
        fg_fen_t fund = s->fund_pay_sumamt > 0 ? s->fund_pay_sumamt : s->hifp_pay;
        if (fund <= 0 || strcmp(insu, "410") == 0 || strcmp(insu, "510") == 0 ||
            !fg__mp_setl_paid(p, s))
            continue;
        const char *dx = injury_dx(p, s, v);
        if (dx[0] == '\0')
            continue;
        fg_time_t t = v != NULL && v->begntime != FG_TIME_NONE ? v->begntime
                      : s->begndate != FG_DATE_NONE            ? fg_date_start(s->begndate)
                                                               : s->setl_time;
        if (t == FG_TIME_NONE || !fg__screen_in_window(cx, t))
            continue;
        fg_date_t d = fg_time_date(t);
        const fg_injury_t *hit = NULL;
        for (size_t k = 0; k < ninj; k++) {
            int since = fg_days_between(inj[k]->injury_date, d);
            if (since >= 0 && (max_days == 0 || since <= max_days))
                hit = inj[k]; /* the latest record on or before the care date */
        }
        if (hit == NULL)
            continue;
        int rc = one(cx, p, s, hit, dx, t, fund);
        if (rc != 0)
            return rc;
    }
    return 0;
}

const fg__screen_model_t fg__screen_model_injury_third_party = {
    .name = "injury_third_party",
    .name_zh = "应由第三方负担",
    .definition =
        "主诊断为损伤（ICD-10 S、T）或另有外因编码（V01–Y98，Y40–Y84医疗并发症除外），"
        "基本医疗保险基金支付大于0，且该参保人在就医日期当日或之前有交通事故或工伤认定记录的，"
        "疑似应由第三人或工伤保险负担的费用由医保基金支付。",
    .needs = FG__SCREEN_IN_SETL | FG__SCREEN_IN_INJURIES,
    .wants = FG__SCREEN_IN_MDTRT | FG__SCREEN_IN_DIAG,
    .params = PARAMS,
    .nparams = sizeof(PARAMS) / sizeof(PARAMS[0]),
    .person = person,
};
