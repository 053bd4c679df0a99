/*
 * m_care_during_stay.c — `care_during_stay` (住院期间异地就医 / 挂床 / 冒名): a visit or purchase
 * at another institution while the person is an inpatient.
 *
 * By time: a paid visit of any kind whose begntime lies inside a paid stay's [begntime, endtime]
 * (both inclusive) at another institution. One finding per outside visit, naming the outside
 * visit first and the stay second (setl_ids and mdtrt_ids); amount = the outside settlement's
 * medfee_sumamt. A stay without an end time is taken to last its ipt_days, else it is skipped.
 *
 * State: none (per person group).
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>

#include "fundguard/alloc.h"
#include "screen/mpost.h"

static const fg__screen_param_t PARAMS[] = {
    {"margin_minutes", 0, 0, 1440, "minutes",
     "minutes after admission and before discharge not counted (0: the whole stay)",
     "入院后、出院前不计的分钟数（0：整个住院期间）"},
};

static int one(fg__screen_ctx_t *cx, const fg__screen_person_t *p, const fg__mp_visit_t *out,
               const fg__mp_visit_t *stay, fg_time_t end)
{
    fg__screen_finding_t f;
    fg__screen_finding_init(&f, FG__SCREEN_SUSPICIOUS);
    fg__mp_finding_base(&f, p->psn_no, out->v->fixmedins_code, out->v->begntime,
                        out->s->medfee_sumamt);
    int rc = fg__mp_add_visit(&f, out);
    if (rc == 0)
        rc = fg__mp_add_visit(&f, stay);
    if (rc == 0)
        rc = fg__screen_ev_str(&f, "hospital", stay->v->fixmedins_code);
    if (rc == 0)
        rc = fg__screen_ev_time(&f, "admitted", stay->v->begntime);
    if (rc == 0)
        rc = fg__screen_ev_time(&f, "discharged", end);
    if (rc == 0)
        rc = fg__screen_ev_time(&f, "visit_time", out->v->begntime);
    if (rc == 0)
        rc = fg__screen_ev_str(&f, "visit_med_type", out->v->med_type);
    char d1[FG_DATE_TEXTLEN + 1];
    char d2[FG_DATE_TEXTLEN + 1];
    char d3[FG_DATE_TEXTLEN + 1];
    snprintf(f.message, sizeof(f.message),
             "参保人%s至%s在%s住院期间，%s在%s发生就医或购药（疑似挂床住院或冒名就医）",
             fg__screen_day(stay->v->begntime, d1), fg__screen_day(end, d2),
             stay->v->fixmedins_code, fg__screen_day(out->v->begntime, d3), out->v->fixmedins_code);
    return fg__mp_emit(cx, &f, rc);
}

static int person(fg__screen_ctx_t *cx, void *state, const fg__screen_person_t *p)
{
    (void)state;
    fg__mp_visit_t *v;
    long n = fg__mp_visits(p, &v);
    if (n < 0)
        return FG_ENOMEM;
    fg_time_t margin = (fg_time_t)fg__screen_param(cx, "margin_minutes") * 60;
    int rc = 0;
    for (long i = 0; i < n && rc == 0; i++) {
        const fg_visit_t *st = v[i].v;
        if (!fg__mp_inpatient(st->med_type))
            continue;
        fg_time_t end = st->endtime;
        if (end == FG_TIME_NONE && st->ipt_days > 0)
            end = st->begntime + (fg_time_t)st->ipt_days * 86400;
        if (end == FG_TIME_NONE)
            continue;
        for (long j = 0; j < n && rc == 0; j++) {
            const fg_visit_t *o = v[j].v;
            if (j == i || strcmp(o->fixmedins_code, st->fixmedins_code) == 0)
                continue;
            if (o->begntime < st->begntime + margin || o->begntime > end - margin)
                continue;
            if (!fg__screen_in_window(cx, o->begntime))
                continue;
            rc = one(cx, p, &v[j], &v[i], end);
        }
    }
    fg_free(v);
    return rc;
}

const fg__screen_model_t fg__screen_model_care_during_stay = {
    .name = "care_during_stay",
    .name_zh = "住院期间异地就医",
    .definition = "参保人住院期间（入院时间至出院时间之内），在其他定点医药机构发生门诊就医、"
                  "住院或药店购药的，疑似挂床住院或冒名就医；按就诊开始时间判断。",
    .needs = FG__SCREEN_IN_SETL | FG__SCREEN_IN_MDTRT,
    .params = PARAMS,
    .nparams = sizeof(PARAMS) / sizeof(PARAMS[0]),
    .person = person,
};
