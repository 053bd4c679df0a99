/*
 * m_frequent_visits.c — `frequent_visits` (频繁就医 / 频繁购药): a person's visits or purchases in
 * a window far above the norm.
 *
 * Pharmacy purchases (med_type 41) and outpatient visits (11, 13, 14) are counted apart, never
 * added: a finding when any `window_days` consecutive days hold ≥ pharmacy_min purchases or
 * ≥ outpatient_min visits (paid visits; refunded and void ones do not count). Dialysis sessions
 * (main diagnosis N18 / Z49, three a week by prescription) are left out while skip_dialysis is 1.
 * One finding per person and kind, naming every visit of the windows over the threshold;
 * amount = their medfee_sumamt; evidence: the busiest window and its count.
 *
 * State: none (per person group).
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>

#include "fundguard/alloc.h"
#include "screen/mpost.h"

static const fg__screen_param_t PARAMS[] = {
    {"window_days", 30, 1, 366, "days", "length of the sliding window", "滑动窗口天数"},
    {"pharmacy_min", 10, 2, 1000, "purchases", "pharmacy purchases (41) in the window",
     "窗口内定点药店购药次数（医疗类别41）达到此数"},
    {"outpatient_min", 8, 2, 1000, "visits", "outpatient visits (11, 13, 14) in the window",
     "窗口内门诊就诊次数（医疗类别11、13、14）达到此数"},
    {"skip_dialysis", 1, 0, 1, "flag", "1: dialysis sessions (N18, Z49) are not counted",
     "1：透析（主诊断N18、Z49）不计入"},
};

static int dialysis(const char *dx)
{
    return strncmp(dx, "N18", 3) == 0 || strncmp(dx, "Z49", 3) == 0;
}

/* Report the visits of idx[0..m) (one kind, in time order) that fall in a window over min;
 * keep has room for m. */
static int kind(fg__screen_ctx_t *cx, const fg__screen_person_t *p, const fg__mp_visit_t *v,
                const long *idx, long m, long *keep, int win, int min, const char *what)
{
    long best = 0, best_j = 0, marked = -1, nkeep = 0;
    for (long i = 0, j = 0; i < m; i++) {
        fg_date_t di = fg_time_date(v[idx[i]].v->begntime);
        while (fg_days_between(fg_time_date(v[idx[j]].v->begntime), di) >= win)
            j++;
        long c = i - j + 1;
        if (c >= min) {
            for (long k = j > marked ? j : marked + 1; k <= i; k++)
                keep[nkeep++] = idx[k];
            marked = i;
        }
        if (c > best) {
            best = c;
            best_j = j;
        }
    }
    if (nkeep == 0 || !fg__screen_in_window(cx, v[keep[nkeep - 1]].v->begntime))
        return 0;
    const fg__mp_visit_t *first = &v[idx[best_j]];
    fg__screen_finding_t f;
    fg__screen_finding_init(&f, FG__SCREEN_SUSPICIOUS);
    fg__mp_finding_base(&f, p->psn_no, first->v->fixmedins_code, first->v->begntime, 0);
    int rc = 0;
    for (long k = 0; k < nkeep && rc == 0; k++) {
        f.amount += v[keep[k]].s->medfee_sumamt;
        rc = fg__mp_add_visit(&f, &v[keep[k]]);
    }
    int ph = strcmp(what, "pharmacy") == 0;
    if (rc == 0)
        rc = fg__screen_ev_str(&f, "kind", what);
    if (rc == 0)
        rc = fg__screen_ev_int(&f, "count", best);
    if (rc == 0)
        rc = fg__screen_ev_int(&f, "threshold", min);
    if (rc == 0)
        rc = fg__screen_ev_int(&f, "window_days", win);
    if (rc == 0)
        rc = fg__screen_ev_time(&f, "window_from", first->v->begntime);
    if (rc == 0)
        rc = fg__screen_ev_int(&f, "visits", nkeep);
    char d1[FG_DATE_TEXTLEN + 1];
    snprintf(f.message, sizeof(f.message), "参保人自%s起%d天内%s%ld次（阈值%d次），疑似频繁%s",
             fg__screen_day(first->v->begntime, d1), win, ph ? "定点药店购药" : "门诊就诊", best,
             min, ph ? "购药" : "就医");
    return fg__mp_emit(cx, &f, rc);
}

static int person(fg__screen_ctx_t *cx, void *state, const fg__screen_person_t *p)
{
    (void)state;
    fg__mp_visit_t *v;
    long n = fg__mp_visits(p, &v);
    if (n < 0)
        return FG_ENOMEM;
    int win = (int)fg__screen_param(cx, "window_days");
    int skip = (int)fg__screen_param(cx, "skip_dialysis");
    long *ph = fg_calloc((size_t)n + 1, sizeof(*ph));
    long *op = fg_calloc((size_t)n + 1, sizeof(*op));
    long *keep = fg_calloc((size_t)n + 1, sizeof(*keep));
    int rc = ph == NULL || op == NULL || keep == NULL ? FG_ENOMEM : 0;
    long nph = 0, nop = 0;
    for (long i = 0; i < n && rc == 0; i++) {
        if (fg__mp_pharmacy(v[i].v->med_type))
            ph[nph++] = i;
        else if (fg__mp_outpatient(v[i].v->med_type) &&
                 !(skip && dialysis(fg__mp_main_diag(p, &v[i]))))
            op[nop++] = i;
    }
    if (rc == 0)
        rc = kind(cx, p, v, ph, nph, keep, win, (int)fg__screen_param(cx, "pharmacy_min"),
                  "pharmacy");
    if (rc == 0)
        rc = kind(cx, p, v, op, nop, keep, win, (int)fg__screen_param(cx, "outpatient_min"),
                  "outpatient");
    fg_free(keep);
    fg_free(ph);
    fg_free(op);
    fg_free(v);
    return rc;
}

const fg__screen_model_t fg__screen_model_frequent_visits = {
    .name = "frequent_visits",
    .name_zh = "频繁就医",
    .definition = "参保人任意连续30天内在定点药店购药（医疗类别41）达10次及以上，或门诊就诊"
                  "（11、13、14）达8次及以上的，两者分别计算、不相加；透析不计入。",
    .needs = FG__SCREEN_IN_SETL | FG__SCREEN_IN_MDTRT,
    .wants = FG__SCREEN_IN_DIAG,
    .params = PARAMS,
    .nparams = sizeof(PARAMS) / sizeof(PARAMS[0]),
    .person = person,
};
