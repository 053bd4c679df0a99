/*
 * m_peer_outlier.c — `peer_outlier` (同类机构指标异常): institutions far outside their peers.
 *
 * Per institution, over its paid care: drug share (fee categories 09 西药 + 10 中药饮片 + 11 中成药
 * of the total, per mille), exam share (03 检查 + 04 化验), cost per outpatient visit (11, 13, 14),
 * cost per stay, cost per pharmacy purchase (41) and mean length of stay. An indicator is scored
 * when the institution has at least min_visits visits of its kind (fee lines for the shares).
 * Peers: the same fixmedins_type, hosp_lv and region (admdvs) in institutions.csv; a group of
 * fewer than min_peers scored members is widened to type + level, and one still smaller is not
 * scored. Robust z = 0.6745 × (x − median) ÷ MAD (median absolute deviation); a finding when
 * z > z_milli / 1000 on any indicator (above the peers: more drugs, more tests, dearer, longer).
 * One finding per institution: the indicator of the largest z in evidence (indicator, value,
 * median, mad, z, peers) with every indicator over; amount = the money above the peers' median
 * on that indicator (volume × (value − median)); score = that z.
 *
 * State: one record of sums per institution (about 120 bytes).
 */
#include "core/compat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fundguard/alloc.h"
#include "screen/mpost.h"

static const fg__screen_param_t PARAMS[] = {
    {"z_milli", 3000, 1000, 20000, "1/1000", "robust z above this (3000: z > 3)",
     "稳健Z值超过此值（千分之一，3000即Z>3）"},
    {"min_peers", 5, 3, 1000, "institutions", "peers needed to score an institution",
     "同类机构少于此数时放宽分组，仍不足则不评分"},
    {"min_visits", 30, 1, 100000, "visits", "visits (or stays, purchases) an indicator needs",
     "计算某项指标所需的最少就诊（住院、购药）次数"},
};

enum { I_DRUG = 0, I_EXAM, I_OP_COST, I_IP_COST, I_PH_COST, I_LOS, I__N };
static const char *const ind_name[I__N] = {
    "drug_share",    "exam_share",        "cost_per_visit_outpatient",
    "cost_per_stay", "cost_per_purchase", "length_of_stay"};
static const char *const ind_zh[I__N] = {"药占比",       "检查检验占比", "门诊次均费用",
                                         "住院次均费用", "药店次均费用", "平均住院日"};

typedef struct inst_sums {
    int64_t total, drug, exam; /* fen of fee lines */
    int64_t nlines;
    int64_t op_cost, ip_cost, ph_cost; /* fen of settlements */
    int64_t nop, nip, nph;
    int64_t los_days;
} inst_sums_t;

typedef struct state {
    fg__mp_ids_t code; /* institution codes, numbered as inst */
    inst_sums_t *inst;
    size_t n, cap;
} state_t;

static int init(fg__screen_ctx_t *cx, void **out)
{
    (void)cx;
    state_t *s = fg_calloc(1, sizeof(*s));
    if (s == NULL || fg__mp_ids_init(&s->code) != 0) {
        fg_free(s);
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
    fg__mp_ids_free(&s->code);
    fg_free(s->inst);
    fg_free(s);
}

static inst_sums_t *sums(state_t *s, const char *code)
{
    uint32_t ix = fg__mp_ids_of(&s->code, code);
    if (ix == UINT32_MAX)
        return NULL;
    if (ix == s->n) {
        if (s->n == s->cap) {
            size_t cap = s->cap ? s->cap * 2 : 64;
            inst_sums_t *p = fg_realloc_array(s->inst, cap, sizeof(*p));
            if (p == NULL)
                return NULL;
            s->inst = p;
            s->cap = cap;
        }
        memset(&s->inst[s->n++], 0, sizeof(s->inst[0]));
    }
    return &s->inst[ix];
}

static int person(fg__screen_ctx_t *cx, void *state, const fg__screen_person_t *p)
{
    state_t *s = state;
    fg__mp_visit_t *v;
    long n = fg__mp_visits(p, &v);
    if (n < 0)
        return FG_ENOMEM;
    for (long i = 0; i < n; i++) {
        const fg_visit_t *vis = v[i].v;
        if (!fg__screen_in_window(cx, vis->begntime))
            continue;
        inst_sums_t *in = sums(s, vis->fixmedins_code);
        if (in == NULL) {
            fg_free(v);
            return FG_ENOMEM;
        }
        if (fg__mp_outpatient(vis->med_type)) {
            in->nop++;
            in->op_cost += v[i].s->medfee_sumamt;
        } else if (fg__mp_pharmacy(vis->med_type)) {
            in->nph++;
            in->ph_cost += v[i].s->medfee_sumamt;
        } else if (fg__mp_inpatient(vis->med_type) && vis->endtime != FG_TIME_NONE) {
            in->nip++;
            in->ip_cost += v[i].s->medfee_sumamt;
            int los = vis->ipt_days > 0 ? vis->ipt_days
                                        : fg_days_between(fg_time_date(vis->begntime),
                                                          fg_time_date(vis->endtime));
            in->los_days += los > 0 ? los : 1;
        }
        size_t first = 0;
        size_t nf = fg__screen_person_setl_fees(p, v[i].s->setl_id, &first);
        for (size_t k = 0; k < nf; k++) {
            const fg_fee_line_t *fee = &p->fees[p->fee_by_setl[first + k]];
            const char *c = fee->med_chrgitm_type;
            in->total += fee->det_item_fee_sumamt;
            in->nlines++;
            if (strcmp(c, "09") == 0 || strcmp(c, "10") == 0 || strcmp(c, "11") == 0)
                in->drug += fee->det_item_fee_sumamt;
            else if (strcmp(c, "03") == 0 || strcmp(c, "04") == 0)
                in->exam += fee->det_item_fee_sumamt;
        }
    }
    fg_free(v);
    return 0;
}

/* The indicator's value (per mille for shares, fen for costs, 1/1000 day for stays) and the
 * volume it stands on; 0 when it is not scored. */
static int value(const inst_sums_t *in, int k, int64_t minv, double *x, int64_t *vol)
{
    switch (k) {
    case I_DRUG:
    case I_EXAM:
        if (in->nop + in->nip + in->nph < minv || in->total <= 0)
            return 0;
        *x = 1000.0 * (double)(k == I_DRUG ? in->drug : in->exam) / (double)in->total;
        *vol = in->total;
        return 1;
    case I_OP_COST:
        *vol = in->nop;
        *x = in->nop > 0 ? (double)in->op_cost / (double)in->nop : 0;
        return in->nop >= minv;
    case I_IP_COST:
        *vol = in->nip;
        *x = in->nip > 0 ? (double)in->ip_cost / (double)in->nip : 0;
        return in->nip >= minv;
    case I_PH_COST:
        *vol = in->nph;
        *x = in->nph > 0 ? (double)in->ph_cost / (double)in->nph : 0;
        return in->nph >= minv;
    default:
        *vol = in->nip;
        *x = in->nip > 0 ? 1000.0 * (double)in->los_days / (double)in->nip : 0;
        return in->nip >= minv;
    }
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), cmp_d);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Peers of institution i: 2 same type + level + region, 1 same type + level. */
static int peer(const fg_institution_t *a, const fg_institution_t *b, int level)
{
    if (a == NULL || b == NULL)
        return 0;
    return strcmp(a->fixmedins_type, b->fixmedins_type) == 0 &&
           strcmp(a->hosp_lv, b->hosp_lv) == 0 && (level == 1 || strcmp(a->admdvs, b->admdvs) == 0);
}

typedef struct score {
    double x, med, mad, z;
    size_t peers;
    int widened;
} score_t;

/* Score institution i on indicator k; 0 when not scored. */
static int score_one(fg__screen_ctx_t *cx, const state_t *s, size_t i, int k, double *buf,
                     score_t *out)
{
    const fg__screen_ref_t *ref = fg__screen_ref(cx);
    int64_t minv = fg__screen_param(cx, "min_visits");
    size_t minp = (size_t)fg__screen_param(cx, "min_peers");
    const fg_institution_t *me = fg__screen_ref_institution(ref, s->code.s[i]);
    int64_t vol;
    if (me == NULL || !value(&s->inst[i], k, minv, &out->x, &vol))
        return 0;
    for (int level = 2; level >= 1; level--) {
        size_t n = 0;
        for (size_t j = 0; j < s->n; j++) {
            double x;
            const fg_institution_t *o = fg__screen_ref_institution(ref, s->code.s[j]);
            if (peer(me, o, level) && value(&s->inst[j], k, minv, &x, &vol))
                buf[n++] = x;
        }
        if (n < minp)
            continue;
        out->med = median(buf, n);
        for (size_t j = 0; j < n; j++)
            buf[j] = fabs(buf[j] - out->med);
        out->mad = median(buf, n);
        out->peers = n;
        out->widened = level == 1;
        if (out->mad <= 0)
            return 0;
        out->z = 0.6745 * (out->x - out->med) / out->mad;
        return 1;
    }
    return 0;
}

/* Money above the median on indicator k (fen, ≥ 0). */
static fg_fen_t excess(const inst_sums_t *in, int k, double med)
{
    double e;
    switch (k) {
    case I_DRUG:
        e = (double)in->drug - med * (double)in->total / 1000.0;
        break;
    case I_EXAM:
        e = (double)in->exam - med * (double)in->total / 1000.0;
        break;
    case I_OP_COST:
        e = (double)in->op_cost - med * (double)in->nop;
        break;
    case I_IP_COST:
        e = (double)in->ip_cost - med * (double)in->nip;
        break;
    case I_PH_COST:
        e = (double)in->ph_cost - med * (double)in->nph;
        break;
    default: /* days above the median at the mean cost of a day */
        e = in->los_days > 0 ? ((double)in->los_days - med * (double)in->nip / 1000.0) *
                                   (double)in->ip_cost / (double)in->los_days
                             : 0;
        break;
    }
    return e > 0 ? (fg_fen_t)(e + 0.5) : 0;
}

static int emit_inst(fg__screen_ctx_t *cx, const char *code, const inst_sums_t *in,
                     const score_t *sc, int best)
{
    fg__screen_finding_t f;
    fg__screen_finding_init(&f, FG__SCREEN_SUSPICIOUS);
    snprintf(f.fixmedins_code, sizeof(f.fixmedins_code), "%s", code);
    f.amount = excess(in, best, sc[best].med);
    f.score = round(sc[best].z * 1000) / 1000;
    f.has_score = 1;
    f.time = FG_TIME_NONE;
    double zmin = (double)fg__screen_param(cx, "z_milli") / 1000.0;
    fg_buf_t arr;
    fg_buf_init(&arr, 1 << 16);
    int rc = fg_buf_append(&arr, "[", 1);
    int first = 1;
    for (int k = 0; k < I__N && rc == 0; k++) {
        if (!(sc[k].peers > 0 && sc[k].z > zmin))
            continue;
        char one[256];
        int n = snprintf(one, sizeof(one),
                         "%s{\"indicator\":\"%s\",\"value\":%.3f,\"median\":%.3f,\"mad\":%.3f,"
                         "\"z\":%.3f,\"peers\":%zu}",
                         first ? "" : ",", ind_name[k], sc[k].x, sc[k].med, sc[k].mad, sc[k].z,
                         sc[k].peers);
        rc = fg_buf_append(&arr, one, (size_t)n);
        first = 0;
    }
    if (rc == 0)
        rc = fg_buf_append(&arr, "]\0", 2);
    if (rc == 0)
        rc = fg__screen_ev_str(&f, "indicator", ind_name[best]);
    const double nums[3] = {sc[best].z, sc[best].x, sc[best].med};
    const char *const keys[3] = {"z", "value", "median"};
    for (int k = 0; k < 3 && rc == 0; k++) {
        char num[48];
        snprintf(num, sizeof(num), "%.3f", nums[k]);
        rc = fg__screen_ev_raw(&f, keys[k], num);
    }
    if (rc == 0)
        rc = fg__screen_ev_int(&f, "peers", (int64_t)sc[best].peers);
    if (rc == 0)
        rc = fg__screen_ev_str(&f, "peer_group",
                               sc[best].widened ? "type+level" : "type+level+region");
    if (rc == 0)
        rc = fg__screen_ev_raw(&f, "indicators", (const char *)arr.data);
    fg_buf_release(&arr);
    snprintf(f.message, sizeof(f.message),
             "%s的%s偏离同类机构（%zu家）中位数，稳健Z值%.1f，超过%.0f，疑似过度诊疗或虚增费用",
             code, ind_zh[best], sc[best].peers, sc[best].z, zmin);
    return fg__mp_emit(cx, &f, rc);
}

static int finish(fg__screen_ctx_t *cx, void *state)
{
    state_t *s = state;
    double zmin = (double)fg__screen_param(cx, "z_milli") / 1000.0;
    double *buf = fg_calloc(s->n + 1, sizeof(*buf));
    if (buf == NULL)
        return FG_ENOMEM;
    int rc = 0;
    for (size_t i = 0; i < s->n && rc == 0; i++) {
        score_t sc[I__N];
        memset(sc, 0, sizeof(sc));
        int best = -1;
        for (int k = 0; k < I__N; k++) {
            if (!score_one(cx, s, i, k, buf, &sc[k]))
                sc[k].peers = 0;
            else if (sc[k].z > zmin && (best < 0 || sc[k].z > sc[best].z))
                best = k;
        }
        if (best >= 0)
            rc = emit_inst(cx, s->code.s[i], &s->inst[i], sc, best);
    }
    fg_free(buf);
    return rc;
}

const fg__screen_model_t fg__screen_model_peer_outlier = {
    .name = "peer_outlier",
    .name_zh = "同类机构指标异常",
    .definition = "按机构类型、等级、区划分组（不足5家时放宽为类型+等级，仍不足不评分），计算药占比"
                  "（费用类别09+10+11）、检查检验占比（03+04）、门诊次均、住院次均、药店次均费用和"
                  "平均住院日，稳健Z值=0.6745×(指标−中位数)÷绝对中位差，高于同类3以上的，疑似过度"
                  "诊疗或虚增费用。",
    .needs = FG__SCREEN_IN_SETL | FG__SCREEN_IN_MDTRT | FG__SCREEN_IN_INSTITUTIONS,
    .wants = FG__SCREEN_IN_FEE,
    .params = PARAMS,
    .nparams = sizeof(PARAMS) / sizeof(PARAMS[0]),
    .init = init,
    .person = person,
    .finish = finish,
    .free = sfree,
};
