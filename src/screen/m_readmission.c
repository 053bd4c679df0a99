/*
 * m_readmission.c — `readmission` (分解住院): a discharge, then an admission to the same
 * institution within 15 days with a related diagnosis.
 *
 * For each paid stay, the person's next paid stay at the same institution: when its admission
 * date − the previous discharge date ≤ max_days calendar days (0 = the same day) and both main
 * diagnoses share their first `category_chars` characters (the 3-character ICD-10 category),
 * one finding naming the earlier stay and then the readmission (setl_ids, mdtrt_ids); amount =
 * the readmission's medfee_sumamt. A transfer between two institutions is no readmission.
 *
 * State: none (per person group).
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>

#include "fundguard/alloc.h"
#include "screen/mpost.h"

static const fg__screen_param_t PARAMS[] = {
    {"max_days", 15, 0, 90, "days", "admission date − previous discharge date at most this",
     "再次入院日期与上次出院日期相隔不超过的天数"},
    {"category_chars", 3, 1, 7, "characters",
     "leading characters of the main diagnoses that must agree (3: the ICD-10 category)",
     "主诊断须一致的前几位（3：ICD-10 类目）"},
};

static int one(fg__screen_ctx_t *cx, const fg__screen_person_t *p, const fg__mp_visit_t *a,
               const fg__mp_visit_t *b, const char *da, const char *db, int gap)
{
    fg__screen_finding_t f;
    fg__screen_finding_init(&f, FG__SCREEN_SUSPICIOUS);
    fg__mp_finding_base(&f, p->psn_no, b->v->fixmedins_code, b->v->begntime, b->s->medfee_sumamt);
    int rc = fg__mp_add_visit(&f, a);
    if (rc == 0)
        rc = fg__mp_add_visit(&f, b);
    if (rc == 0)
        rc = fg__screen_ev_time(&f, "discharged", a->v->endtime);
    if (rc == 0)
        rc = fg__screen_ev_time(&f, "readmitted", b->v->begntime);
    if (rc == 0)
        rc = fg__screen_ev_int(&f, "days_between", gap);
    if (rc == 0)
        rc = fg__screen_ev_str(&f, "first_diag", da);
    if (rc == 0)
        rc = fg__screen_ev_str(&f, "second_diag", db);
    char d1[FG_DATE_TEXTLEN + 1];
    char d2[FG_DATE_TEXTLEN + 1];
    snprintf(f.message, sizeof(f.message),
             "参保人%s自%s出院后%d天（%s）再次入院，主诊断同类（%s / %s），疑似分解住院",
             fg__screen_day(a->v->endtime, d1), b->v->fixmedins_code, gap,
             fg__screen_day(b->v->begntime, d2), da, db);
    return fg__mp_emit(cx, &f, rc);
}

static int person(fg__screen_ctx_t *cx, void *state, const fg__screen_person_t *p)
{
    (void)state;
    fg__mp_visit_t *v;
    long n = fg__mp_visits(p, &v);
    if (n < 0)
        return FG_ENOMEM;
    int max_days = (int)fg__screen_param(cx, "max_days");
    size_t chars = (size_t)fg__screen_param(cx, "category_chars");
    int rc = 0;
    for (long i = 0; i < n && rc == 0; i++) {
        const fg_visit_t *a = v[i].v;
        if (!fg__mp_inpatient(a->med_type) || a->endtime == FG_TIME_NONE)
            continue;
        for (long j = i + 1; j < n; j++) {
            const fg_visit_t *b = v[j].v;
            if (!fg__mp_inpatient(b->med_type) || strcmp(a->fixmedins_code, b->fixmedins_code))
                continue;
            /* the next stay at this institution decides */
            int gap = fg_days_between(fg_time_date(a->endtime), fg_time_date(b->begntime));
            const char *da = fg__mp_main_diag(p, &v[i]);
            const char *db = fg__mp_main_diag(p, &v[j]);
            if (gap >= 0 && gap <= max_days && strlen(da) >= chars && strncmp(da, db, chars) == 0 &&
                fg__screen_in_window(cx, b->begntime))
                rc = one(cx, p, &v[i], &v[j], da, db, gap);
            break;
        }
    }
    fg_free(v);
    return rc;
}

const fg__screen_model_t fg__screen_model_readmission = {
    .name = "readmission",
    .name_zh = "分解住院",
    .definition = "参保人出院后15天内（入院日期减上次出院日期不超过15个自然日）再次入住同一定点"
                  "医疗机构，且两次主诊断属同一ICD-10类目（前3位相同）的，疑似分解住院。",
    .needs = FG__SCREEN_IN_SETL | FG__SCREEN_IN_MDTRT,
    .wants = FG__SCREEN_IN_DIAG,
    .params = PARAMS,
    .nparams = sizeof(PARAMS) / sizeof(PARAMS[0]),
    .person = person,
};
