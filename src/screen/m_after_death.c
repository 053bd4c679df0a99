/*
 * m_after_death.c — `after_death` (死亡后结算): care settled after the person's death date.
 *
 * The service date decides: each fee line's fee_ocur_time (else its visit's begntime, else the
 * settlement's time); a settlement with no fee lines is dated by its visit's begntime, else its
 * begndate, else setl_time. The day of death is payable: a line is after death when its date is
 * later than die_date + grace_days. Deaths come from deaths.csv by psn_no, or by certno through
 * persons.csv, else persons.csv's die_date (fg__screen_ref_death). Refunds (refd_setl_flag 1) and
 * void settlements (vali_flag 0) are not care paid. One finding per settlement; amount = the
 * settlement's medfee_sumamt (医疗费总额) — the whole settlement is care nobody received.
 *
 * State: none (per person group).
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>

#include "screen/screen_int.h"

static const fg__screen_param_t PARAMS[] = {
    {"grace_days", 0, 0, 365, "days",
     "days after the death date still payable (0: only the day of death)",
     "死亡日期后仍可支付的天数（0：仅死亡当日）"},
};

/* The service date of a settlement with no fee lines. */
static fg_time_t setl_time(const fg__screen_person_t *p, const fg_settlement_t *s)
{
    const fg_visit_t *v = fg__screen_person_visit(p, s->mdtrt_id);
    if (v != NULL && v->begntime != FG_TIME_NONE)
        return v->begntime;
    if (s->begndate != FG_DATE_NONE)
        return fg_date_start(s->begndate);
    return s->setl_time;
}

static int one_setl(fg__screen_ctx_t *cx, const fg__screen_person_t *p, const fg_settlement_t *s,
                    fg_date_t limit)
{
    size_t first = 0;
    size_t n = fg__screen_person_setl_fees(p, s->setl_id, &first);
    fg_time_t t = FG_TIME_NONE; /* the first service after death */
    size_t after = 0;
    fg__screen_finding_t f;
    fg__screen_finding_init(&f, FG__SCREEN_DEFINITE);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const fg_fee_line_t *fee = &p->fees[p->fee_by_setl[first + i]];
        fg_time_t ft = fg__screen_fee_time(p, fee);
        if (ft == FG_TIME_NONE || fg_time_date(ft) <= limit)
            continue;
        after++;
        if (t == FG_TIME_NONE || ft < t)
            t = ft;
        rc = fg__screen_ids_add(&f, &f.feedetl_sns, fee->feedetl_sn);
    }
    if (n == 0) {
        t = setl_time(p, s);
        if (t != FG_TIME_NONE && fg_time_date(t) > limit)
            after = 1;
    }
    if (rc != 0 || after == 0 || !fg__screen_in_window(cx, t)) {
        fg__screen_finding_release(&f);
        return rc;
    }
    FG__SCREEN_SET(f.psn_no, p->psn_no);
    FG__SCREEN_SET(f.fixmedins_code, s->fixmedins_code);
    f.amount = s->medfee_sumamt;
    f.time = t;
    rc = fg__screen_ids_add(&f, &f.setl_ids, s->setl_id);
    if (rc == 0)
        rc = fg__screen_ids_add(&f, &f.mdtrt_ids, s->mdtrt_id);
    int days = fg_days_between(p->die_date, fg_time_date(t));
    if (rc == 0)
        rc = fg__screen_ev_date(&f, "die_date", p->die_date);
    if (rc == 0 && p->death != NULL && p->death->source[0] != '\0')
        rc = fg__screen_ev_str(&f, "death_source", p->death->source);
    if (rc == 0)
        rc = fg__screen_ev_time(&f, "service_time", t);
    if (rc == 0)
        rc = fg__screen_ev_int(&f, "days_after_death", days);
    if (rc == 0)
        rc = fg__screen_ev_int(&f, "lines_after_death", (int64_t)after);
    char d1[FG_DATE_TEXTLEN + 1];
    char d2[FG_DATE_TEXTLEN + 1];
    fg_date_format(p->die_date, d1);
    snprintf(f.message, sizeof(f.message),
             "参保人已于%s死亡，%s仍在%s发生并结算医疗费用（死亡后%d天）", d1,
             fg__screen_day(t, d2), s->fixmedins_code, days);
    if (rc == 0)
        rc = fg__screen_emit(cx, &f);
    fg__screen_finding_release(&f);
    return rc;
}

static int person(fg__screen_ctx_t *cx, void *state, const fg__screen_person_t *p)
{
    (void)state;
    if (p->die_date == FG_DATE_NONE)
        return 0;
    fg_date_t limit = p->die_date + (fg_date_t)fg__screen_param(cx, "grace_days");
    for (size_t i = 0; i < p->nsetls; i++) {
        const fg_settlement_t *s = &p->setls[i];
        if (s->refd_setl_flag == 1 || strcmp(s->vali_flag, "0") == 0)
            continue;
        int rc = one_setl(cx, p, s, limit);
        if (rc != 0)
            return rc;
    }
    return 0;
}

const fg__screen_model_t fg__screen_model_after_death = {
    .name = "after_death",
    .name_zh = "死亡后结算",
    .definition = "参保人死亡日期（民政、公安、卫健等数据交换）之后仍发生医疗服务并结算的，"
                  "按费用发生时间（无则按就诊开始时间）判断，死亡当日的费用可支付。",
    .needs = FG__SCREEN_IN_SETL | FG__SCREEN_IN_DEATHS,
    .wants = FG__SCREEN_IN_FEE | FG__SCREEN_IN_MDTRT | FG__SCREEN_IN_PERSONS,
    .params = PARAMS,
    .nparams = sizeof(PARAMS) / sizeof(PARAMS[0]),
    .person = person,
};
