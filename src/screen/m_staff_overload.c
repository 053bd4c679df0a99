/*
 * m_staff_overload.c — `staff_overload` (超负荷诊疗 / 虚构服务): a doctor or nurse billing more in
 * a day than one person can do.
 *
 * Per staff member (fee lines' bilg_dr_code, else the visit's chfpdr_code) and day of care: the
 * paid outpatient visits (med_type 11, 13, 14) they billed a line of, and the minutes of the timed
 * services they billed (cnt × the catalogue's `minutes` of the item, any setting; refund lines take
 * theirs back). A finding when the visits exceed max_visits or the minutes exceed max_minutes;
 * one per staff member and day. amount = the day's billed amount of those visits and timed lines ×
 * the share beyond the limit (visits − max_visits over visits, or minutes − max_minutes over
 * minutes, the larger).
 *
 * State: a 24-byte slot per (staff member, day) with care billed, in a table kept at most half
 * full, to the end (a county about 10 MB; a city's 15,000 staff at most ~260 MB if every one
 * billed every day), and one staff code per staff member.
 */
#include "core/compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fundguard/alloc.h"
#include "screen/mpost.h"

static const fg__screen_param_t PARAMS[] = {
    {"max_visits", 80, 1, 10000, "visits", "outpatient visits billed by one person in a day",
     "一人一日开单的门诊人次上限"},
    {"max_minutes", 960, 60, 1440, "minutes",
     "minutes of timed services billed by one person in a day (960: 16 hours)",
     "一人一日计时服务项目的分钟数上限（960即16小时）"},
};

typedef struct day_slot {
    uint32_t visits;
    int32_t minutes;
    int64_t amount; /* fen billed: visits' settlements and timed lines */
} day_slot_t;

typedef struct state {
    fg__mp_map_t days;  /* (staff number + 1 << 32 | day) → day_slot_t */
    fg__mp_ids_t staff; /* staff codes */
    fg__mp_ids_t inst;  /* the institution each staff member was first seen at (a list) */
} state_t;

static void sfree(void *p);

static int init(fg__screen_ctx_t *cx, void **out)
{
    (void)cx;
    state_t *s = fg_calloc(1, sizeof(*s));
    if (s == NULL || fg__mp_map_init(&s->days, sizeof(day_slot_t), 1 << 14) != 0 ||
        fg__mp_ids_init(&s->staff) != 0 || fg__mp_ids_init(&s->inst) != 0) {
        sfree(s);
        return FG_ENOMEM;
    }
    *out = s;
    return 0;
}

static void sfree(void *p)
{
    state_t *s = p;
    if (s == NULL)
        return;
    fg__mp_map_free(&s->days);
    fg__mp_ids_free(&s->staff);
    fg__mp_ids_free(&s->inst);
    fg_free(s);
}

/* The day slot of staff code on day d (NULL: out of memory). */
static day_slot_t *slot(state_t *s, const char *code, const char *inst, fg_date_t d)
{
    size_t known = s->staff.n;
    uint32_t ix = fg__mp_ids_of(&s->staff, code);
    if (ix == UINT32_MAX)
        return NULL;
    /* a new staff member: their institution in the list of the same number */
    if (s->staff.n > known && fg__mp_ids_push(&s->inst, inst) != 0)
        return NULL;
    return fg__mp_map_get(&s->days, (uint64_t)(ix + 1) << 32 | (uint32_t)d);
}

/* The visits: each staff member billing a line of it (or its chief doctor) counts it once. */
static int visit(state_t *s, const fg__screen_person_t *p, const fg__mp_visit_t *mv)
{
    size_t first = 0;
    size_t n = fg__screen_person_setl_fees(p, mv->s->setl_id, &first);
    fg_date_t d = fg_time_date(mv->v->begntime);
    int counted = 0;
    for (size_t i = 0; i < n; i++) {
        const char *code = p->fees[p->fee_by_setl[first + i]].bilg_dr_codg;
        int seen = code[0] == '\0';
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(p->fees[p->fee_by_setl[first + j]].bilg_dr_codg, code) == 0;
        if (seen)
            continue;
        day_slot_t *sl = slot(s, code, mv->v->fixmedins_code, d);
        if (sl == NULL)
            return FG_ENOMEM;
        sl->visits++;
        sl->amount += mv->s->medfee_sumamt;
        counted = 1;
    }
    if (!counted && mv->v->chfpdr_code[0] != '\0') {
        day_slot_t *sl = slot(s, mv->v->chfpdr_code, mv->v->fixmedins_code, d);
        if (sl == NULL)
            return FG_ENOMEM;
        sl->visits++;
        sl->amount += mv->s->medfee_sumamt;
    }
    return 0;
}

static int person(fg__screen_ctx_t *cx, void *state, const fg__screen_person_t *p)
{
    state_t *s = state;
    fg__mp_visit_t *v;
    long n = fg__mp_visits(p, &v);
    if (n < 0)
        return FG_ENOMEM;
    int rc = 0;
    for (long i = 0; i < n && rc == 0; i++)
        if (fg__mp_outpatient(v[i].v->med_type))
            rc = visit(s, p, &v[i]);
    fg_free(v);
    const fg__screen_ref_t *ref = fg__screen_ref(cx);
    for (size_t i = 0; i < p->nfees && rc == 0; i++) {
        const fg_fee_line_t *fee = &p->fees[i];
        if (fee->bilg_dr_codg[0] == '\0' || fee->list_type[0] == '1' ||
            strcmp(fee->vali_flag, "0") == 0)
            continue;
        const fg_catalogue_item_t *it = fg__screen_ref_catalogue(ref, fee->med_list_codg);
        fg_time_t t = fg__screen_fee_time(p, fee);
        if (it == NULL || it->minutes <= 0 || t == FG_TIME_NONE)
            continue;
        day_slot_t *sl = slot(s, fee->bilg_dr_codg, fee->fixmedins_code, fg_time_date(t));
        if (sl == NULL)
            return FG_ENOMEM;
        sl->minutes += (int32_t)(fee->cnt * it->minutes / FG_QTY_ONE);
        sl->amount += fee->det_item_fee_sumamt;
    }
    return rc;
}

static int one(fg__screen_ctx_t *cx, const char *code, const char *inst, fg_date_t d,
               const day_slot_t *sl, int64_t maxv, int64_t maxm)
{
    fg__screen_finding_t f;
    fg__screen_finding_init(&f, FG__SCREEN_SUSPICIOUS);
    const fg_staff_t *ref = fg__screen_ref_staff(fg__screen_ref(cx), code);
    snprintf(f.staff_code, sizeof(f.staff_code), "%s", code);
    snprintf(f.fixmedins_code, sizeof(f.fixmedins_code), "%s",
             ref != NULL && ref->fixmedins_code[0] ? ref->fixmedins_code : inst);
    f.time = fg_date_start(d);
    double share = 0;
    if (sl->visits > maxv)
        share = (double)(sl->visits - maxv) / sl->visits;
    if (sl->minutes > maxm && (double)(sl->minutes - maxm) / sl->minutes > share)
        share = (double)(sl->minutes - maxm) / sl->minutes;
    f.amount = (fg_fen_t)((double)sl->amount * share + 0.5);
    int rc = fg__screen_ev_date(&f, "day", d);
    if (rc == 0)
        rc = fg__screen_ev_int(&f, "visits", sl->visits);
    if (rc == 0)
        rc = fg__screen_ev_num(&f, "hours", sl->minutes / 60.0);
    if (rc == 0)
        rc = fg__screen_ev_int(&f, "max_visits", maxv);
    if (rc == 0)
        rc = fg__screen_ev_num(&f, "max_hours", (double)maxm / 60.0);
    if (rc == 0 && ref != NULL && ref->role[0] != '\0')
        rc = fg__screen_ev_str(&f, "role", ref->role);
    char d1[FG_DATE_TEXTLEN + 1];
    fg_date_format(d, d1);
    snprintf(f.message, sizeof(f.message),
             "医保相关人员%s于%s开单门诊%u人次、计时服务%.1f小时，超出一人一日可完成的诊疗量"
             "（%lld人次或%.0f小时），疑似虚构或冒名诊疗",
             code, d1, sl->visits, sl->minutes / 60.0, (long long)maxv, (double)maxm / 60.0);
    return fg__mp_emit(cx, &f, rc);
}

static int finish(fg__screen_ctx_t *cx, void *state)
{
    state_t *s = state;
    int64_t maxv = fg__screen_param(cx, "max_visits");
    int64_t maxm = fg__screen_param(cx, "max_minutes");
    for (size_t i = 0; i < s->days.cap; i++) {
        uint64_t k = s->days.keys[i];
        const day_slot_t *sl = (const day_slot_t *)(s->days.vals + i * s->days.vsize);
        if (k == 0 || (sl->visits <= maxv && sl->minutes <= maxm))
            continue;
        fg_date_t d = (fg_date_t)(int32_t)(uint32_t)k;
        if (!fg__screen_in_window(cx, fg_date_start(d)))
            continue;
        size_t ix = (size_t)(k >> 32) - 1;
        int rc = one(cx, s->staff.s[ix], s->inst.s[ix], d, sl, maxv, maxm);
        if (rc != 0)
            return rc;
    }
    return 0;
}

const fg__screen_model_t fg__screen_model_staff_overload = {
    .name = "staff_overload",
    .name_zh = "超负荷诊疗",
    .definition = "同一医保相关人员（开单医生或护士）一日内开单门诊（11、13、14）超过80人次，或"
                  "计时服务项目（按目录单次时长×数量）合计超过16小时的，超出一人可完成的诊疗量，"
                  "疑似虚构诊疗或冒名开单。",
    .needs = FG__SCREEN_IN_FEE | FG__SCREEN_IN_SETL | FG__SCREEN_IN_MDTRT,
    .wants = FG__SCREEN_IN_CATALOGUE | FG__SCREEN_IN_STAFF,
    .params = PARAMS,
    .nparams = sizeof(PARAMS) / sizeof(PARAMS[0]),
    .init = init,
    .person = person,
    .finish = finish,
    .free = sfree,
};
