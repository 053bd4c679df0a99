/*
 * m_quantity_excess.c — `quantity_excess` (超量开药 / 囤药): days' supply of a drug bought over a
 * period far beyond the days in it.
 *
 * Per person and drug (med_list_codg), over the drug lines (list_type 1xx) of outpatient and
 * pharmacy care (med_type 11, 13, 14, 41) of paid settlements (a refunded settlement and its
 * refund both left out, void ones too): a line's days' supply is its prd_days when given, else
 * cnt × pack_units ÷ daily_dose from the catalogue (a drug the catalogue gives no daily dose is
 * left out); a line returned on its own (cnt < 0) takes its days back. A
 * finding when any `window_days` consecutive days hold purchases of more than ratio_pm / 1000 ×
 * window_days days' supply. One finding per person and drug: every line of the windows over the
 * limit (feedetl_sns, setl_ids); amount = the busiest window's cost × (its days − window_days) ÷
 * its days, the drug beyond what the window needed.
 *
 * State: none (per person group).
 */
#include "core/compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fundguard/alloc.h"
#include "screen/mpost.h"

static const fg__screen_param_t PARAMS[] = {
    {"window_days", 90, 7, 366, "days", "length of the sliding window", "滑动窗口天数"},
    {"ratio_pm", 1500, 1000, 10000, "per mille",
     "days' supply in the window above this share of its days (1500: 1.5 ×)",
     "窗口内用药天数超过窗口天数的倍数（千分比，1500即1.5倍）"},
};

typedef struct qline {
    const fg_fee_line_t *fee;
    fg_date_t day;
    int64_t mdays; /* days' supply × 1000, negative for a refund */
} qline_t;

static int cmp_q(const void *a, const void *b)
{
    const qline_t *x = a;
    const qline_t *y = b;
    int c = strcmp(x->fee->med_list_codg, y->fee->med_list_codg);
    if (c != 0)
        return c;
    if (x->day != y->day)
        return x->day < y->day ? -1 : 1;
    return strcmp(x->fee->feedetl_sn, y->fee->feedetl_sn);
}

/* Days' supply × 1000 of a line, 0 when unknown. */
static int64_t mdays_of(fg__screen_ctx_t *cx, const fg_fee_line_t *fee)
{
    int sign = fee->cnt < 0 ? -1 : 1;
    if (fee->prd_days > 0)
        return (int64_t)sign * fee->prd_days * 1000;
    const fg_catalogue_item_t *it =
        fg__screen_ref_catalogue(fg__screen_ref(cx), fee->med_list_codg);
    if (it == NULL || it->pack_units <= 0 || it->daily_dose <= 0)
        return 0;
    return fee->cnt * it->pack_units * 1000 / ((int64_t)it->daily_dose * FG_QTY_ONE);
}

static int report(fg__screen_ctx_t *cx, const fg__screen_person_t *p, const qline_t *q,
                  const size_t *keep, size_t nkeep, size_t bj, size_t bi, int64_t best, int win)
{
    fg__screen_finding_t f;
    fg__screen_finding_init(&f, FG__SCREEN_SUSPICIOUS);
    fg_fen_t cost = 0;
    for (size_t k = bj; k <= bi; k++)
        if (q[k].mdays > 0)
            cost += q[k].fee->det_item_fee_sumamt;
    fg__mp_finding_base(&f, p->psn_no, q[bj].fee->fixmedins_code, fg__screen_fee_time(p, q[bj].fee),
                        (fg_fen_t)(cost * (best - (int64_t)win * 1000) / best));
    snprintf(f.med_list_codg, sizeof(f.med_list_codg), "%s", q[bj].fee->med_list_codg);
    int rc = 0;
    for (size_t k = 0; k < nkeep && rc == 0; k++) {
        rc = fg__screen_ids_add(&f, &f.feedetl_sns, q[keep[k]].fee->feedetl_sn);
        if (rc == 0)
            rc = fg__screen_ids_add(&f, &f.setl_ids, q[keep[k]].fee->setl_id);
    }
    if (rc == 0)
        rc = fg__screen_ev_num(&f, "days_supply", (double)best / 1000.0);
    if (rc == 0)
        rc = fg__screen_ev_int(&f, "window_days", win);
    if (rc == 0)
        rc = fg__screen_ev_date(&f, "window_from", q[bj].day);
    if (rc == 0)
        rc = fg__screen_ev_int(&f, "purchases", (int64_t)(bi - bj + 1));
    if (rc == 0)
        rc = fg__screen_ev_num(&f, "limit_days",
                               (double)fg__screen_param(cx, "ratio_pm") * win / 1000.0);
    char d1[FG_DATE_TEXTLEN + 1];
    fg_date_format(q[bj].day, d1);
    snprintf(f.message, sizeof(f.message),
             "参保人自%s起%d天内购入%s共%.0f天用量，超过窗口天数的%.1f倍，疑似超量开药或囤药", d1,
             win, q[bj].fee->med_list_codg, (double)best / 1000.0,
             (double)fg__screen_param(cx, "ratio_pm") / 1000.0);
    return fg__mp_emit(cx, &f, rc);
}

/* One drug's lines q[0..n), by day. */
static int drug(fg__screen_ctx_t *cx, const fg__screen_person_t *p, const qline_t *q, size_t n,
                size_t *keep)
{
    int win = (int)fg__screen_param(cx, "window_days");
    int64_t limit = fg__screen_param(cx, "ratio_pm") * win;
    int64_t sum = 0, best = 0;
    size_t nkeep = 0, bj = 0, bi = 0, marked = 0;
    int any = 0;
    for (size_t i = 0, j = 0; i < n; i++) {
        sum += q[i].mdays;
        while (fg_days_between(q[j].day, q[i].day) >= win)
            sum -= q[j++].mdays;
        if (sum > limit) {
            for (size_t k = any && marked + 1 > j ? marked + 1 : j; k <= i; k++)
                keep[nkeep++] = k;
            marked = i;
            any = 1;
        }
        if (sum > best) {
            best = sum;
            bj = j;
            bi = i;
        }
    }
    if (!any || !fg__screen_in_window(cx, fg__screen_fee_time(p, q[bi].fee)))
        return 0;
    return report(cx, p, q, keep, nkeep, bj, bi, best, win);
}

static int person(fg__screen_ctx_t *cx, void *state, const fg__screen_person_t *p)
{
    (void)state;
    if (p->nfees == 0)
        return 0;
    qline_t *q = fg_calloc(p->nfees, sizeof(*q));
    size_t *keep = fg_calloc(p->nfees, sizeof(*keep));
    int rc = q == NULL || keep == NULL ? FG_ENOMEM : 0;
    size_t n = 0;
    for (size_t i = 0; i < p->nfees && rc == 0; i++) {
        const fg_fee_line_t *fee = &p->fees[i];
        const char *mt = fee->med_type;
        if (mt[0] == '\0') {
            const fg_visit_t *v = fg__screen_person_visit(p, fee->mdtrt_id);
            mt = v != NULL ? v->med_type : "";
        }
        if (fee->list_type[0] != '1' || (!fg__mp_outpatient(mt) && !fg__mp_pharmacy(mt)) ||
            strcmp(fee->vali_flag, "0") == 0 || fee->med_list_codg[0] == '\0')
            continue;
        const fg_settlement_t *s = fg__screen_person_setl(p, fee->setl_id);
        if (s != NULL && !fg__mp_setl_paid(p, s))
            continue;
        fg_time_t t = fg__screen_fee_time(p, fee);
        int64_t md = mdays_of(cx, fee);
        if (t == FG_TIME_NONE || md == 0)
            continue;
        q[n].fee = fee;
        q[n].day = fg_time_date(t);
        q[n].mdays = md;
        n++;
    }
    if (rc == 0)
        qsort(q, n, sizeof(*q), cmp_q);
    for (size_t a = 0; a < n && rc == 0;) {
        size_t b = a + 1;
        while (b < n && strcmp(q[b].fee->med_list_codg, q[a].fee->med_list_codg) == 0)
            b++;
        rc = drug(cx, p, q + a, b - a, keep);
        a = b;
    }
    fg_free(keep);
    fg_free(q);
    return rc;
}

const fg__screen_model_t fg__screen_model_quantity_excess = {
    .name = "quantity_excess",
    .name_zh = "超量开药",
    .definition = "同一参保人同一药品（门诊及药店购药），用药天数按周期天数计，无周期天数时按"
                  "数量×包装数量÷目录日剂量折算，退药冲减；任意连续90天内购入的用药天数超过"
                  "90天的1.5倍（135天）的，疑似超量开药或囤药。",
    .needs = FG__SCREEN_IN_FEE,
    .wants = FG__SCREEN_IN_CATALOGUE | FG__SCREEN_IN_MDTRT | FG__SCREEN_IN_SETL,
    .params = PARAMS,
    .nparams = sizeof(PARAMS) / sizeof(PARAMS[0]),
    .person = person,
};
