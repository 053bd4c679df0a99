/*
 * plan.c — the fraud plan, decided before any person is generated.
 *
 * Every scenario gets max(min_cases, rate × persons) cases (peer outliers: one case per outlier
 * institution and month). A case is a list of plan items: the persons taking part, the day, the
 * institution, the catalogue items and the trace serials it uses. Persons are chosen by their pure
 * profile (gen_profile_t), so the planner knows, without generating anyone, who is alive, who has
 * no stay of their own this year, their sex, age and county; each person takes part in one case at
 * most. Suspensions of staff and institutions (the reference feed) and the peer-outlier
 * institutions are chosen here too, so normal care can avoid them.
 */
#include "core/compat.h"

#include <math.h>
#include <stdlib.h>

#include "fundguard/alloc.h"
#include "gen/gen_int.h"

typedef struct want {
    int sex;    /* 0 any */
    int age_lo; /* on the day */
    int age_hi;
    int emp;         /* 1: 职工 only */
    uint32_t county; /* GEN_NONE any */
    int need_pharm;  /* 1: the county has a pharmacy */
} want_t;

static int used_get(const gen_ctx_t *g, uint32_t p)
{
    return (g->used[p >> 3] >> (p & 7)) & 1;
}

static void used_set(gen_ctx_t *g, uint32_t p)
{
    g->used[p >> 3] |= (uint8_t)(1u << (p & 7));
}

/* A random person fitting w on day d, alive all year and without stays of their own. */
static uint32_t pick_person(gen_ctx_t *g, gen_rng_t *r, const want_t *w, fg_date_t d,
                            gen_profile_t *out)
{
    for (int tries = 0; tries < 4000; tries++) {
        uint32_t p = rng_below(r, g->npersons);
        if (used_get(g, p))
            continue;
        gen_profile_t pr;
        fg__gen_profile(g, p, &pr);
        if (pr.death != FG_DATE_NONE || pr.nstays != 0)
            continue;
        if (w->sex != 0 && pr.sex != w->sex)
            continue;
        int age = fg__gen_age(pr.birth, d);
        if (age < w->age_lo || age > w->age_hi)
            continue;
        if (w->emp && !pr.emp)
            continue;
        if (w->county != GEN_NONE && pr.county != w->county)
            continue;
        if (w->need_pharm && pr.pharm[0] == GEN_NONE)
            continue;
        used_set(g, p);
        *out = pr;
        return p;
    }
    return GEN_NONE;
}

/* A person fitting w living in county, else anywhere (pharmacy or not). */
static uint32_t pick_near(gen_ctx_t *g, gen_rng_t *r, want_t *w, uint32_t county, fg_date_t d,
                          gen_profile_t *out)
{
    w->county = county;
    w->need_pharm = 0;
    uint32_t p = pick_person(g, r, w, d, out);
    if (p == GEN_NONE) {
        w->county = GEN_NONE;
        p = pick_person(g, r, w, d, out);
    }
    return p;
}

/* A new plan item: person's part in case cid of scenario scen, on day. */
static gen_plan_item_t *item_new(gen_ctx_t *g, int scen, uint32_t cid, uint32_t person,
                                 fg_date_t day)
{
    if (g->nplan == g->plan_cap) {
        uint64_t cap = g->plan_cap ? g->plan_cap * 2 : 1024;
        gen_plan_item_t *p = fg_realloc_array(g->plan, cap, sizeof(*p));
        if (p == NULL)
            return NULL;
        g->plan = p;
        g->plan_cap = cap;
    }
    gen_plan_item_t *it = &g->plan[g->nplan++];
    memset(it, 0, sizeof(*it));
    it->inst = GEN_NONE;
    it->inst2 = GEN_NONE;
    it->cat = GEN_NONE;
    it->cat2 = GEN_NONE;
    it->aux = GEN_NONE;
    it->person = person;
    it->scen = (uint16_t)scen;
    it->case_id = cid;
    it->day = day;
    return it;
}

uint32_t fg__gen_case_new(gen_ctx_t *g, int scen)
{
    if (g->ncases == g->cases_cap) {
        uint64_t cap = g->cases_cap ? g->cases_cap * 2 : 1024;
        gen_case_t *p = fg_realloc_array(g->cases, cap, sizeof(*p));
        if (p == NULL)
            return GEN_NONE;
        g->cases = p;
        g->cases_cap = cap;
    }
    gen_case_t *c = &g->cases[g->ncases];
    memset(c, 0, sizeof(*c));
    c->scen = (uint16_t)scen;
    c->person = GEN_NONE;
    c->person2 = GEN_NONE;
    c->inst = GEN_NONE;
    c->inst2 = GEN_NONE;
    c->staff = GEN_NONE;
    c->cat = GEN_NONE;
    c->group = GEN_NONE;
    c->time = FG_TIME_NONE;
    c->month = -1;
    return (uint32_t)g->ncases++;
}

void fg__gen_case_line(gen_ctx_t *g, uint32_t case_id, uint64_t feedetl)
{
    gen_case_t *c = &g->cases[case_id];
    if (g->ncase_lines == g->case_lines_cap) {
        uint64_t cap = g->case_lines_cap ? g->case_lines_cap * 2 : 4096;
        uint64_t *p = fg_realloc_array(g->case_lines, cap, sizeof(*p));
        if (p == NULL)
            return; /* the line is left out of truth.csv; the amount stays right */
        g->case_lines = p;
        g->case_lines_cap = cap;
    }
    if (c->nlines == 0)
        c->line_off = g->ncase_lines;
    else if (c->line_off + c->nlines != g->ncase_lines)
        return; /* lines of a case are written together; never interleaved */
    g->case_lines[g->ncase_lines++] = feedetl;
    c->nlines++;
}

/* ---------------------------------------------------------------- helpers */

static fg_date_t some_day(const gen_ctx_t *g, gen_rng_t *r, int lo, int tail)
{
    return g->y0 + rng_range(r, lo, g->ndays - tail);
}

static int inst_suspended(const gen_inst_t *in, fg_date_t d)
{
    return in->susp_begin != FG_DATE_NONE && d >= in->susp_begin &&
           (in->susp_end == FG_DATE_NONE || d <= in->susp_end);
}

/* A pharmacy of the person's county other than `not`, open (not suspended) on day d. */
static uint32_t county_pharmacy(const gen_ctx_t *g, uint32_t county, uint32_t not, fg_date_t d,
                                gen_rng_t *r)
{
    const gen_county_t *co = &g->reg.counties[county];
    uint32_t n = co->ninst[IK_PH_CHAIN] + co->ninst[IK_PH_SINGLE];
    for (int t = 0; t < 20 && n > 0; t++) {
        uint32_t j = rng_below(r, n);
        uint32_t i = j < co->ninst[IK_PH_CHAIN]
                         ? co->inst[IK_PH_CHAIN][j]
                         : co->inst[IK_PH_SINGLE][j - co->ninst[IK_PH_CHAIN]];
        if (i != not &&!inst_suspended(&g->reg.inst[i], d))
            return i;
    }
    /* Any pharmacy of the region. */
    for (int t = 0; t < 200; t++) {
        uint32_t i = rng_below(r, g->reg.ninst);
        if (g->reg.inst[i].kind >= IK_PH_CHAIN && i != not &&!inst_suspended(&g->reg.inst[i], d))
            return i;
    }
    return GEN_NONE;
}

/* A hospital (levels as kinds allow: mask of 1<<IK_*) reachable from the county, open on day d. */
static uint32_t county_hospital(const gen_ctx_t *g, uint32_t county, unsigned kinds, fg_date_t d,
                                gen_rng_t *r)
{
    const gen_county_t *co = &g->reg.counties[county];
    for (int t = 0; t < 40 && co->nhosp > 0; t++) {
        uint32_t i = co->hosp[fg__gen_pick_cdf(r, co->bed_cdf, co->nhosp)];
        const gen_inst_t *in = &g->reg.inst[i];
        if ((kinds & (1u << in->kind)) && !inst_suspended(in, d))
            return i;
    }
    for (int t = 0; t < 400; t++) {
        uint32_t i = rng_below(r, g->reg.ninst);
        const gen_inst_t *in = &g->reg.inst[i];
        if ((kinds & (1u << in->kind)) && !inst_suspended(in, d))
            return i;
    }
    return GEN_NONE;
}

static uint32_t pool_pick(const gen_ctx_t *g, int lp, gen_rng_t *r)
{
    if (g->cat.nlim[lp] == 0)
        return GEN_NONE;
    return g->cat.lim[lp][rng_below(r, g->cat.nlim[lp])];
}

/* An everyday oral drug (area pool) that no rule limits: the vehicle of trace-code cases. */
static uint32_t plain_drug(const gen_ctx_t *g, int area, gen_rng_t *r)
{
    const gen_catalogue_t *c = &g->cat;
    for (int t = 0; t < 100 && c->area_n[area] > 0; t++) {
        uint32_t i = c->area_pool[area][rng_below(r, c->area_n[area])];
        const gen_cat_t *it = &c->items[i];
        if (it->lim_sex || it->lim_age || it->lim_insu || it->lim_ip || it->lim_level ||
            it->course || it->lv == 3 || it->form == FORM_INJECTION || it->form == FORM_INFUSION)
            continue;
        return i;
    }
    return GEN_NONE;
}

static uint32_t dx_index(const gen_ctx_t *g, const char *code)
{
    for (uint32_t i = 0; i < g->cat.ndx; i++)
        if (strcmp(g->cat.dx[i].code, code) == 0)
            return i;
    return 0;
}

static uint32_t ncases_for(const gen_ctx_t *g)
{
    double v = g->rate * (double)g->npersons;
    uint32_t n = (uint32_t)floor(v + 0.5);
    return n < g->min_cases ? g->min_cases : n;
}

static int plan_cmp(const void *a, const void *b)
{
    const gen_plan_item_t *x = a;
    const gen_plan_item_t *y = b;
    if (x->person != y->person)
        return x->person < y->person ? -1 : 1;
    if (x->day != y->day)
        return x->day < y->day ? -1 : 1;
    return x->case_id < y->case_id ? -1 : x->case_id > y->case_id;
}

/* ---------------------------------------------------------------- suspensions and outliers */

static int plan_suspensions(gen_ctx_t *g, uint32_t ncases)
{
    gen_rng_t r;
    fg__gen_rng_init(&r, g->seed, ST_SUSPEND, 0);
    gen_region_t *R = &g->reg;
    /* Institutions: enough suspended agreements to host the cases (about 20 each), plus as many
     * again that nobody bills during the suspension. */
    uint32_t want_inst = (ncases + 19) / 20;
    uint32_t clean_inst = want_inst / 2 + 1;
    uint32_t done = 0;
    for (int t = 0; t < 100000 && done < want_inst + clean_inst; t++) {
        uint32_t i = rng_below(&r, R->ninst);
        gen_inst_t *in = &R->inst[i];
        if (in->kind == IK_H3 || in->kind == IK_H2 || in->susp_begin != FG_DATE_NONE || in->outlier)
            continue;
        in->susp_begin = some_day(g, &r, 30, 150);
        in->susp_end = in->susp_begin + rng_range(&r, 45, 120);
        done++;
    }
    /* Staff: doctors of institutions with several doctors (their colleagues take the patients). */
    uint32_t want_staff = (ncases + 9) / 10;
    uint32_t clean_staff = want_staff + 2;
    done = 0;
    for (int t = 0; t < 200000 && done < want_staff + clean_staff && R->nstaff > 0; t++) {
        uint32_t s = rng_below(&r, R->nstaff);
        gen_staff_t *st = &R->staff[s];
        const gen_inst_t *in = &R->inst[st->inst];
        if (st->role != RO_DOCTOR || st->susp_begin != FG_DATE_NONE || in->role_n[RO_DOCTOR] < 3 ||
            in->susp_begin != FG_DATE_NONE || in->dept_n[st->dept] < 2)
            continue;
        st->susp_begin = some_day(g, &r, 20, 120);
        if (rng_chance(&r, 0.1)) {
            st->susp_action = 2; /* terminated: no end date */
            st->susp_end = FG_DATE_NONE;
        } else {
            st->susp_action = 1;
            st->susp_end = st->susp_begin + rng_range(&r, 30, 180);
        }
        done++;
    }
    return 0;
}

static int plan_outliers(gen_ctx_t *g)
{
    gen_rng_t r;
    fg__gen_rng_init(&r, g->seed, ST_PLAN, 0xfeed);
    gen_region_t *R = &g->reg;
    uint32_t nmed = 0;
    for (uint32_t i = 0; i < R->ninst; i++)
        if (R->inst[i].kind == IK_H1 || R->inst[i].kind == IK_CLINIC)
            nmed++;
    uint32_t want = (g->min_cases + 11) / 12;
    uint32_t by_rate = (uint32_t)floor(0.02 * nmed + 0.5);
    if (by_rate > want)
        want = by_rate;
    if (want > nmed / 4 + 1)
        want = nmed / 4 + 1;
    uint32_t done = 0;
    for (int t = 0; t < 100000 && done < want; t++) {
        uint32_t i = rng_below(&r, R->ninst);
        gen_inst_t *in = &R->inst[i];
        if ((in->kind != IK_H1 && in->kind != IK_CLINIC) || in->outlier)
            continue;
        in->outlier = (uint8_t)(1 + rng_below(&r, 2));
        for (int m = 0; m < 12; m++)
            in->excess_case[m] = GEN_NONE;
        done++;
    }
    return 0;
}

/* ---------------------------------------------------------------- person scenarios */

#define FAIL_IF(x)                                                                                 \
    do {                                                                                           \
        if (x)                                                                                     \
            return FG_ENOMEM;                                                                      \
    } while (0)

static uint64_t fraud_serial(uint32_t case_id, uint32_t k)
{
    return 800000000ULL + (uint64_t)case_id * 8 + k;
}

/* A plan item of trace case cid: person sells or buys the case's pack at inst on day. */
static gen_plan_item_t *trace_item(gen_ctx_t *g, int scen, uint32_t cid, uint32_t person,
                                   fg_date_t day, uint32_t inst)
{
    gen_plan_item_t *it = item_new(g, scen, cid, person, day);
    if (it == NULL)
        return NULL;
    it->inst = inst;
    it->cat = g->cases[cid].cat;
    it->serial = g->cases[cid].serial;
    return it;
}

/* A trace-code case between two sales (or a sale and a purchase). */
static int plan_trace(gen_ctx_t *g, int scen, gen_rng_t *r)
{
    want_t w = {0, 18, 85, 0, GEN_NONE, 1};
    gen_profile_t p1;
    gen_profile_t p2;
    fg_date_t d1 = some_day(g, r, 10, 80);
    fg_date_t d2 = d1 + rng_range(r, 3, 60);
    uint32_t a = pick_person(g, r, &w, d1, &p1);
    if (a == GEN_NONE)
        return 0;
    uint32_t cid = fg__gen_case_new(g, scen);
    FAIL_IF(cid == GEN_NONE);
    gen_case_t *c = &g->cases[cid];
    uint32_t drug = plain_drug(g, rng_chance(r, 0.5) ? AR_CARDIO : AR_DIAB, r);
    if (drug == GEN_NONE)
        drug = plain_drug(g, AR_RESP, r);
    c->cat = drug;
    c->serial = fraud_serial(cid, 0);
    uint32_t x = county_pharmacy(g, p1.county, GEN_NONE, d1, r);
    if (scen == SC_trace_reflow)
        x = county_hospital(g, p1.county, 1u << IK_H2 | 1u << IK_H3 | 1u << IK_H1, d1, r);
    if (scen == SC_trace_sale_unpurchased) {
        gen_plan_item_t *it = trace_item(g, scen, cid, a, d1, x);
        FAIL_IF(it == NULL);
        it->arg = rng_range(r, 2, 6); /* packs */
        c->person = a;
        c->inst = x;
        return 0;
    }
    gen_plan_item_t *first = trace_item(g, scen, cid, a, d1, x);
    FAIL_IF(first == NULL);
    first->role = 1;
    c->person2 = a;
    c->inst2 = x;
    if (scen == SC_trace_sold_repurchased) {
        /* The repurchase by another pharmacy rides on the first person's generation. */
        first->role = 0;
        first->inst2 = county_pharmacy(g, p1.county, x, d2, r);
        first->arg = d2 - d1;
        c->person = a;
        c->person2 = GEN_NONE;
        c->inst = first->inst2;
        c->inst2 = x;
        return 0;
    }
    want_t w2 = {0, 18, 85, 0, p1.county, 1};
    uint32_t b = pick_person(g, r, &w2, d2, &p2);
    if (b == GEN_NONE) {
        w2.county = GEN_NONE;
        b = pick_person(g, r, &w2, d2, &p2);
    }
    if (b == GEN_NONE)
        return 0;
    uint32_t y = scen == SC_trace_dup_same_inst ? x : county_pharmacy(g, p2.county, x, d2, r);
    gen_plan_item_t *second = trace_item(g, scen, cid, b, d2, y);
    FAIL_IF(second == NULL);
    second->inst2 = x;
    c->person = b;
    c->inst = second->inst;
    return 0;
}

/* A person's own case: one item, the fields filled by the caller. */
static gen_plan_item_t *own_item(gen_ctx_t *g, int scen, uint32_t person, fg_date_t d,
                                 uint32_t *cid_out)
{
    uint32_t cid = fg__gen_case_new(g, scen);
    if (cid == GEN_NONE)
        return NULL;
    gen_plan_item_t *it = item_new(g, scen, cid, person, d);
    if (it == NULL)
        return NULL;
    g->cases[cid].person = person;
    *cid_out = cid;
    return it;
}

/* What a rule case needs: the person wanted, the items, the institution kinds, the care. */
typedef struct rule_pick {
    want_t w;
    uint32_t cat;  /* the item that breaks the rule */
    uint32_t cat2; /* a second item (the pair, the other procedure) */
    unsigned kinds;
    int stay; /* in a stay rather than a visit */
    int kb;
    uint32_t dx;
    int32_t arg;
} rule_pick_t;

/* The rule cases of stays (and of a visit or a stay: duplicate charges): 0 when scen is none. */
static int rule_choose_stay(gen_ctx_t *g, int scen, gen_rng_t *r, rule_pick_t *rp)
{
    switch (scen) {
    case SC_rule_surgery_discount:
        rp->stay = 1;
        rp->kinds = 1u << IK_H2 | 1u << IK_H3;
        rp->kb = KB_B2_SURGERY;
        rp->cat = pool_pick(g, LP_SURGERY, r);
        if (rp->cat != GEN_NONE) {
            /* Another procedure of the same group. */
            uint16_t grp = g->cat.items[rp->cat].surg_group;
            for (int t = 0; t < 400; t++) {
                uint32_t o = pool_pick(g, LP_SURGERY, r);
                if (o != rp->cat && o != GEN_NONE && g->cat.items[o].surg_group == grp) {
                    rp->cat2 = o;
                    break;
                }
            }
            /* The engine takes the dearest procedure of the group as the main one (docs/rules.md):
             * the first billed is the dearer, the second (the violation) the cheaper. */
            if (rp->cat2 != GEN_NONE &&
                g->cat.items[rp->cat2].price > g->cat.items[rp->cat].price) {
                uint32_t t = rp->cat;
                rp->cat = rp->cat2;
                rp->cat2 = t;
            }
        }
        rp->w.age_lo = 30;
        rp->dx = dx_index(g, "K35.800");
        break;
    case SC_rule_drug_course:
    case SC_rule_indication:
        rp->stay = 1;
        rp->kinds = 1u << IK_H2 | 1u << IK_H3;
        rp->kb = KB_B6_COURSE;
        rp->cat = pool_pick(g, LP_DRUG_COURSE, r);
        rp->w.age_lo = 50;
        rp->w.age_hi = 88;
        rp->dx = scen == SC_rule_drug_course ? dx_index(g, "I63.900") : dx_index(g, "I50.900");
        if (rp->cat != GEN_NONE && scen == SC_rule_drug_course)
            rp->arg = g->cat.items[rp->cat].course + rng_range(r, 4, 10); /* length of the stay */
        break;
    case SC_rule_duplicate_charge:
        rp->stay = rng_chance(r, 0.7);
        rp->kinds = 1u << IK_H2 | 1u << IK_H3;
        rp->kb = KB_B7_DUP;
        if (g->cat.ndups > 0) {
            /* A pair on a single day whose items a stay or a visit plausibly bills. */
            for (int t = 0; t < 200; t++) {
                const gen_dup_t *dp = &g->cat.dups[rng_below(r, g->cat.ndups)];
                const gen_cat_t *m = &g->cat.items[dp->main];
                const gen_cat_t *s = &g->cat.items[dp->sec];
                if (dp->freq > 2 || m->lim_sex || s->lim_sex || m->lim_age || s->lim_age ||
                    s->lv == 3 || m->surg_group || s->surg_group)
                    continue;
                rp->cat = dp->main;
                rp->cat2 = dp->sec;
                break;
            }
        }
        rp->w.age_lo = 30;
        rp->dx = dx_index(g, "J18.900");
        break;
    case SC_rule_item_frequency:
        rp->stay = 1;
        rp->kinds = 1u << IK_H2 | 1u << IK_H3 | 1u << IK_H1;
        rp->kb = KB_B8_1_FREQ;
        rp->cat = rng_chance(r, 0.5) ? g->cat.it_ip_consult : pool_pick(g, LP_ITEM_FREQ, r);
        rp->dx = dx_index(g, "J18.900");
        break;
    case SC_rule_item_course:
        rp->stay = 1;
        rp->kinds = 1u << IK_H2 | 1u << IK_H3;
        rp->kb = KB_B8_3_COURSE;
        /* An item whose course fits a stay (a limit of months cannot be overrun in one). */
        for (int t = 0; t < 32; t++) {
            rp->cat = pool_pick(g, LP_ITEM_COURSE, r);
            if (rp->cat == GEN_NONE || g->cat.items[rp->cat].course <= 88)
                break;
            rp->cat = GEN_NONE;
        }
        rp->w.age_lo = 50;
        rp->w.age_hi = 85;
        rp->dx = dx_index(g, "I69.300");
        if (rp->cat != GEN_NONE)
            rp->arg = g->cat.items[rp->cat].course + rng_range(r, 5, 12); /* days of training */
        break;
    case SC_rule_billing_outside_stay:
        rp->stay = 1;
        rp->kinds = 1u << IK_H2 | 1u << IK_H3 | 1u << IK_H1;
        rp->dx = dx_index(g, rng_chance(r, 0.5) ? "J18.900" : "A09.900");
        break;
    default:
        return 0;
    }
    return 1;
}

/* The items, person and institution of a rule case (rule_choose_stay for the stays'); 0 when scen
 * is no rule case. */
static int rule_choose(gen_ctx_t *g, int scen, gen_rng_t *r, rule_pick_t *rp)
{
    switch (scen) {
    case SC_rule_gender_drug:
        rp->w.sex = rng_chance(r, 0.6) ? 1 : 2;
        rp->cat = pool_pick(g, rp->w.sex == 1 ? LP_DRUG_FEMALE : LP_DRUG_MALE, r);
        rp->kb = KB_B1_DRUG_GENDER;
        break;
    case SC_rule_gender_item:
        rp->w.sex = rng_chance(r, 0.5) ? 1 : 2;
        rp->cat = pool_pick(g, rp->w.sex == 1 ? LP_ITEM_FEMALE : LP_ITEM_MALE, r);
        rp->kinds = 1u << IK_H2 | 1u << IK_H3;
        rp->kb = KB_B1_ITEM_GENDER;
        break;
    case SC_rule_child_drug:
        rp->w.age_lo = 25;
        rp->w.age_hi = 75;
        rp->cat = pool_pick(g, LP_DRUG_CHILD, r);
        rp->kb = KB_B1_DRUG_AGE;
        break;
    case SC_rule_age_item:
        if (rng_chance(r, 0.5) && g->cat.nlim[LP_ITEM_WORKAGE] > 0) {
            rp->w.age_lo = 66;
            rp->w.age_hi = 90;
            rp->cat = pool_pick(g, LP_ITEM_WORKAGE, r);
            rp->kb = KB_B8_2_AGE;
        } else {
            rp->w.age_lo = 30;
            rp->w.age_hi = 80;
            rp->cat = pool_pick(g, LP_ITEM_CHILD, r);
            rp->kb = KB_B1_ITEM_AGE;
        }
        rp->kinds = 1u << IK_H2 | 1u << IK_H3;
        break;
    case SC_rule_insurance_type:
        rp->w.emp = 1;
        rp->w.age_hi = 59;
        rp->cat = pool_pick(g, LP_DRUG_WORK, r);
        rp->kb = KB_B3_INSU;
        break;
    case SC_rule_inpatient_only:
        rp->cat = pool_pick(g, LP_DRUG_IP, r);
        rp->kinds = 1u << IK_H2 | 1u << IK_H3;
        rp->kb = KB_B4_SETTING;
        break;
    case SC_rule_inst_level:
        rp->cat = pool_pick(g, LP_DRUG_LEVEL, r);
        rp->kinds = 1u << IK_H1;
        rp->kb = KB_B5_LEVEL;
        break;
    case SC_rule_period_frequency:
        rp->cat = pool_pick(g, LP_ITEM_PERIOD, r);
        rp->kinds = 1u << IK_H2 | 1u << IK_H3 | 1u << IK_H1;
        rp->kb = KB_B8_4_PERIOD;
        if (rp->cat != GEN_NONE) {
            int period = g->cat.items[rp->cat].period_days;
            rp->arg =
                rng_range(r, 1, period > 2 ? period - 1 : 1); /* second one this many days later */
        }
        break;
    case SC_rule_price_cap:
        rp->kb = KB_NONE;
        break;
    case SC_rule_diag_gender:
        rp->w.sex = 1;
        rp->dx = dx_index(g, rng_chance(r, 0.5) ? "N76.000" : "N92.000");
        break;
    default:
        return rule_choose_stay(g, scen, r, rp);
    }
    return 1;
}

static int plan_rule(gen_ctx_t *g, int scen, gen_rng_t *r)
{
    rule_pick_t rp = {
        .w = {0, 18, 80, 0, GEN_NONE, 1},
        .cat = GEN_NONE,
        .cat2 = GEN_NONE,
        .kinds = 1u << IK_H1 | 1u << IK_H2 | 1u << IK_H3,
        .kb = KB_NONE,
        .dx = GEN_NONE,
    };
    fg_date_t d = some_day(g, r, 20, 60);
    gen_profile_t p;
    if (!rule_choose(g, scen, r, &rp))
        return 0;
    uint32_t cat = rp.cat, cat2 = rp.cat2;
    int32_t arg = rp.arg;
    if (cat == GEN_NONE && scen != SC_rule_price_cap && scen != SC_rule_diag_gender &&
        scen != SC_rule_billing_outside_stay)
        return 0;
    if (scen == SC_rule_surgery_discount && cat2 == GEN_NONE)
        return 0;
    if (scen == SC_rule_item_course) {
        if (arg > 100)
            arg = 100;
        /* The whole course of training must fit in the year. */
        if (d + arg + 5 >= g->y0 + g->ndays)
            d = some_day(g, r, 20, arg + 5);
    }
    uint32_t person = pick_person(g, r, &rp.w, d, &p);
    if (person == GEN_NONE)
        return 0;
    uint32_t inst = county_hospital(g, p.county, rp.kinds, d, r);
    if (inst == GEN_NONE)
        return 0;
    uint32_t cid;
    gen_plan_item_t *it = own_item(g, scen, person, d, &cid);
    FAIL_IF(it == NULL);
    it->inst = inst;
    it->cat = cat;
    it->cat2 = cat2;
    it->aux = rp.dx;
    it->arg = arg;
    it->arg2 = rp.stay;
    gen_case_t *c = &g->cases[cid];
    c->inst = inst;
    c->cat = scen == SC_rule_surgery_discount || scen == SC_rule_duplicate_charge ? cat2 : cat;
    c->kb = (uint16_t)rp.kb;
    return 0;
}

static int plan_status(gen_ctx_t *g, int scen, gen_rng_t *r, uint32_t *cursor)
{
    want_t w = {0, 15, 85, 0, GEN_NONE, 1};
    gen_profile_t p;
    gen_region_t *R = &g->reg;
    if (scen == SC_settle_after_death) {
        w.age_lo = 55;
        w.age_hi = 95;
        fg_date_t death = some_day(g, r, 10, 70);
        uint32_t person = pick_person(g, r, &w, death, &p);
        if (person == GEN_NONE)
            return 0;
        fg_date_t d = death + rng_range(r, 2, 60);
        uint32_t cid;
        gen_plan_item_t *it = own_item(g, scen, person, d, &cid);
        FAIL_IF(it == NULL);
        it->arg = death;
        it->inst = rng_chance(r, 0.7) ? p.pharm[0] : p.clinic;
        if (inst_suspended(&R->inst[it->inst], d))
            it->inst = county_pharmacy(g, p.county, it->inst, d, r);
        g->cases[cid].inst = it->inst;
        return 0;
    }
    if (scen == SC_staff_suspended_billing) {
        /* Walk the suspended doctors round-robin: each hosts a few cases. */
        uint32_t n = R->nstaff;
        for (uint32_t k = 0; k < n; k++) {
            uint32_t s = (*cursor + k) % n;
            gen_staff_t *st = &R->staff[s];
            if (st->susp_begin == FG_DATE_NONE || (s & 1))
                continue;
            *cursor = s + 1;
            fg_date_t end = st->susp_end == FG_DATE_NONE ? g->y0 + g->ndays - 1 : st->susp_end;
            if (end > g->y0 + g->ndays - 1)
                end = g->y0 + g->ndays - 1;
            fg_date_t d = st->susp_begin + rng_range(r, 0, end - st->susp_begin);
            uint32_t person = pick_near(g, r, &w, R->inst[st->inst].county, d, &p);
            if (person == GEN_NONE)
                return 0;
            uint32_t cid;
            gen_plan_item_t *it = own_item(g, scen, person, d, &cid);
            FAIL_IF(it == NULL);
            it->inst = st->inst;
            it->aux = s;
            g->cases[cid].inst = st->inst;
            g->cases[cid].staff = s;
            return 0;
        }
        return 0;
    }
    if (scen == SC_inst_suspended_billing) {
        uint32_t n = R->ninst;
        for (uint32_t k = 0; k < n; k++) {
            uint32_t i = (*cursor + k) % n;
            gen_inst_t *in = &R->inst[i];
            /* Every other suspended institution hosts the cases; the rest stay clean. */
            if (in->susp_begin == FG_DATE_NONE || (i % 3) == 2)
                continue;
            *cursor = i + 1;
            fg_date_t d = in->susp_begin + rng_range(r, 0, in->susp_end - in->susp_begin);
            if (d >= g->y0 + g->ndays)
                d = g->y0 + g->ndays - 1;
            uint32_t person = pick_near(g, r, &w, in->county, d, &p);
            if (person == GEN_NONE)
                return 0;
            uint32_t cid;
            gen_plan_item_t *it = own_item(g, scen, person, d, &cid);
            FAIL_IF(it == NULL);
            it->inst = i;
            g->cases[cid].inst = i;
            return 0;
        }
        return 0;
    }
    return 0;
}

static int plan_post(gen_ctx_t *g, int scen, gen_rng_t *r)
{
    want_t w = {0, 18, 85, 0, GEN_NONE, 1};
    gen_profile_t p;
    fg_date_t d = some_day(g, r, 15, 75);
    uint32_t cid;
    gen_plan_item_t *it;
    uint32_t person;
    switch (scen) {
    case SC_care_during_stay: {
        w.age_lo = 40;
        person = pick_person(g, r, &w, d, &p);
        if (person == GEN_NONE)
            return 0;
        it = own_item(g, scen, person, d, &cid);
        FAIL_IF(it == NULL);
        static const char *const dxs[] = {"J18.900", "I63.900", "A09.900", "I50.900"};
        it->aux = dx_index(g, dxs[rng_below(r, 4)]);
        it->inst = county_hospital(g, p.county, 1u << IK_H2 | 1u << IK_H3, d, r);
        it->arg = rng_range(r, 7, 16);           /* LOS */
        it->arg2 = rng_range(r, 2, it->arg - 2); /* day of the other visit */
        it->inst2 =
            rng_chance(r, 0.6) ? county_pharmacy(g, p.county, GEN_NONE, d + it->arg2, r) : p.clinic;
        if (inst_suspended(&g->reg.inst[it->inst2], d + it->arg2))
            it->inst2 = county_pharmacy(g, p.county, it->inst2, d + it->arg2, r);
        g->cases[cid].inst = it->inst2;
        g->cases[cid].inst2 = it->inst;
        return it->inst == GEN_NONE || it->inst2 == GEN_NONE ? (g->nplan--, 0) : 0;
    }
    case SC_readmission_15d: {
        w.age_lo = 45;
        w.age_hi = 88;
        d = some_day(g, r, 15, 90);
        person = pick_person(g, r, &w, d, &p);
        if (person == GEN_NONE)
            return 0;
        it = own_item(g, scen, person, d, &cid);
        FAIL_IF(it == NULL);
        static const char *const dxs[] = {"J44.100", "I50.900", "E11.600", "J18.900"};
        it->aux = dx_index(g, dxs[rng_below(r, 4)]);
        it->inst = county_hospital(g, p.county, 1u << IK_H2 | 1u << IK_H3 | 1u << IK_H1, d, r);
        it->arg = rng_range(r, 5, 12);  /* first LOS */
        it->arg2 = rng_range(r, 2, 14); /* days between discharge and readmission */
        for (int t = 0; t < 8 && it->inst != GEN_NONE &&
                        inst_suspended(&g->reg.inst[it->inst], d + it->arg + it->arg2);
             t++)
            it->inst = county_hospital(g, p.county, 1u << IK_H2 | 1u << IK_H3 | 1u << IK_H1, d, r);
        g->cases[cid].inst = it->inst;
        return 0;
    }
    case SC_quantity_excess: {
        w.age_lo = 45;
        person = pick_person(g, r, &w, d, &p);
        if (person == GEN_NONE)
            return 0;
        it = own_item(g, scen, person, d, &cid);
        FAIL_IF(it == NULL);
        it->inst = p.pharm[0];
        it->cat = plain_drug(g, rng_chance(r, 0.5) ? AR_CARDIO : AR_DIAB, r);
        it->arg = rng_range(r, 150, 360); /* days' supply bought at once */
        it->arg2 = rng_range(r, 20, 35);  /* next purchase this many days later */
        /* open on both days: a case breaks one rule, not an agreement's suspension too */
        for (int t = 0; t < 8 && it->inst != GEN_NONE &&
                        (inst_suspended(&g->reg.inst[it->inst], d) ||
                         inst_suspended(&g->reg.inst[it->inst], d + it->arg2));
             t++)
            it->inst = county_pharmacy(g, p.county, it->inst, d, r);
        g->cases[cid].inst = it->inst;
        g->cases[cid].cat = it->cat;
        return 0;
    }
    case SC_frequent_visits: {
        d = some_day(g, r, 15, 110);
        person = pick_person(g, r, &w, d, &p);
        if (person == GEN_NONE)
            return 0;
        it = own_item(g, scen, person, d, &cid);
        FAIL_IF(it == NULL);
        it->inst = p.pharm[0];
        it->inst2 = p.pharm[1] != GEN_NONE ? p.pharm[1] : p.pharm[0];
        (void)rng_chance(r, 0.5); /* the draw of the drug's area, kept: a painkiller, never a
                                   * drug of the person's chronic refills */
        it->cat = plain_drug(g, AR_PAIN, r);
        it->arg = rng_range(r, 24, 40);  /* purchases */
        it->arg2 = rng_range(r, 30, 60); /* over this many days: ≥ 12 in any 30 of them */
        g->cases[cid].inst = it->inst;
        g->cases[cid].cat = it->cat;
        return 0;
    }
    case SC_invoice_duplicate: {
        person = pick_person(g, r, &w, d, &p);
        if (person == GEN_NONE)
            return 0;
        it = own_item(g, scen, person, d, &cid);
        FAIL_IF(it == NULL);
        it->inst = county_hospital(g, p.county, 1u << IK_H2 | 1u << IK_H3, d, r);
        it->arg = rng_range(r, 10, 45); /* the second claim this many days later */
        it->aux = dx_index(g, rng_chance(r, 0.5) ? "M54.500" : "K29.700");
        g->cases[cid].inst = it->inst;
        return 0;
    }
    case SC_injury_third_party: {
        int work = rng_chance(r, 0.4);
        w.emp = work;
        w.age_hi = work ? 59 : 80;
        person = pick_person(g, r, &w, d, &p);
        if (person == GEN_NONE)
            return 0;
        it = own_item(g, scen, person, d, &cid);
        FAIL_IF(it == NULL);
        static const char *const dxs[] = {"S52.500", "S06.000", "S61.000", "T14.000"};
        it->aux = dx_index(g, dxs[rng_below(r, 4)]);
        it->arg = work ? 2 : 1;        /* 1 traffic, 2 work */
        it->arg2 = rng_range(r, 0, 2); /* care this many days after the injury */
        it->inst =
            county_hospital(g, p.county, 1u << IK_H2 | 1u << IK_H3 | 1u << IK_H1, d + it->arg2, r);
        g->cases[cid].inst = it->inst;
        return 0;
    }
    default:
        return 0;
    }
}

static int plan_groups(gen_ctx_t *g, uint32_t n, gen_rng_t *r)
{
    g->groups = fg_calloc(n ? n : 1, sizeof(*g->groups));
    g->group_members = fg_calloc((size_t)n * 8 + 1, sizeof(*g->group_members));
    if (g->groups == NULL || g->group_members == NULL)
        return FG_ENOMEM;
    for (uint32_t k = 0; k < n; k++) {
        /* A county with pharmacies; members living there; 6–12 occasions at 1–3 pharmacies. */
        gen_profile_t seedp;
        want_t w = {0, 20, 75, 0, GEN_NONE, 1};
        fg_date_t d0 = some_day(g, r, 5, 120);
        uint32_t lead = pick_person(g, r, &w, d0, &seedp);
        if (lead == GEN_NONE)
            return 0;
        gen_group_t *gr = &g->groups[g->ngroups];
        uint32_t cid = fg__gen_case_new(g, SC_covisit_group);
        if (cid == GEN_NONE)
            return FG_ENOMEM;
        gr->case_id = cid;
        gr->first = g->ngroup_members;
        g->group_members[g->ngroup_members++] = lead;
        uint32_t size = (uint32_t)rng_range(r, 4, 7);
        w.county = seedp.county;
        for (uint32_t m = 1; m < size; m++) {
            gen_profile_t pm;
            uint32_t q = pick_person(g, r, &w, d0, &pm);
            if (q == GEN_NONE)
                break;
            g->group_members[g->ngroup_members++] = q;
        }
        gr->n = g->ngroup_members - gr->first;
        uint32_t insts[3];
        uint32_t ninst = (uint32_t)rng_range(r, 1, 3);
        for (uint32_t i = 0; i < ninst; i++)
            insts[i] = county_pharmacy(g, seedp.county, GEN_NONE, d0, r);
        gr->nocc = (uint32_t)rng_range(r, 6, 12);
        fg_date_t d = d0;
        for (uint32_t o = 0; o < gr->nocc; o++) {
            gr->occ_day[o] = d;
            gr->occ_min[o] = rng_range(r, 8 * 60 + 30, 17 * 60);
            gr->occ_inst[o] = insts[rng_below(r, ninst)];
            if (inst_suspended(&g->reg.inst[gr->occ_inst[o]], d))
                gr->occ_inst[o] = county_pharmacy(g, seedp.county, gr->occ_inst[o], d, r);
            d += rng_range(r, 6, 20);
            if (d >= g->y0 + g->ndays - 1) {
                gr->nocc = o + 1;
                break;
            }
        }
        gr->cat = plain_drug(g, rng_chance(r, 0.5) ? AR_CARDIO : AR_DIAB, r);
        gen_case_t *c = &g->cases[cid];
        c->group = g->ngroups;
        c->person = lead;
        c->inst = gr->occ_inst[0];
        c->cat = gr->cat;
        for (uint32_t m = 0; m < gr->n; m++) {
            gen_plan_item_t *it =
                item_new(g, SC_covisit_group, cid, g->group_members[gr->first + m], gr->occ_day[0]);
            if (it == NULL)
                return FG_ENOMEM;
            it->role = (uint8_t)m;
            it->aux = g->ngroups;
        }
        g->ngroups++;
    }
    return 0;
}

/* A doctor of a clinic or township centre who sees 84–95 outpatients on one day, every one a
 * person of the county with a visit of their own (冒名 / 虚构就诊): the case of staff_overload. */
static int plan_overload(gen_ctx_t *g, uint32_t n, gen_rng_t *r)
{
    for (uint32_t k = 0; k < n; k++) {
        uint32_t inst = GEN_NONE, doc = GEN_NONE;
        fg_date_t d = some_day(g, r, 10, 20);
        for (int t = 0; t < 200 && doc == GEN_NONE; t++) {
            uint32_t i = rng_below(r, g->reg.ninst);
            const gen_inst_t *in = &g->reg.inst[i];
            if ((in->kind != IK_H1 && in->kind != IK_CLINIC) || inst_suspended(in, d) ||
                in->nstaff == 0)
                continue;
            uint32_t s = in->staff_first + rng_below(r, in->nstaff);
            const gen_staff_t *st = &g->reg.staff[s];
            if (st->role != RO_DOCTOR || st->susp_begin != FG_DATE_NONE)
                continue;
            inst = i;
            doc = s;
        }
        if (doc == GEN_NONE)
            return 0;
        uint32_t cid = fg__gen_case_new(g, SC_staff_overload);
        if (cid == GEN_NONE)
            return FG_ENOMEM;
        gen_case_t *c = &g->cases[cid];
        c->inst = inst;
        c->staff = doc;
        want_t w = {0, 5, 85, 0, g->reg.inst[inst].county, 0};
        int nvis = rng_range(r, 84, 95); /* a refund or two still leaves > 80 */
        for (int m = 0; m < nvis; m++) {
            gen_profile_t pm;
            uint32_t q = pick_person(g, r, &w, d, &pm);
            if (q == GEN_NONE) {
                w.county = GEN_NONE;
                q = pick_person(g, r, &w, d, &pm);
            }
            if (q == GEN_NONE)
                return 0;
            gen_plan_item_t *it = item_new(g, SC_staff_overload, cid, q, d);
            if (it == NULL)
                return FG_ENOMEM;
            it->inst = inst;
            it->aux = doc;
            it->arg = m; /* the visit's slot: five minutes each from 8:00 */
        }
    }
    return 0;
}

int fg__gen_plan_build(gen_ctx_t *g, fg_error_t *err)
{
    g->used = fg_calloc((size_t)g->npersons / 8 + 1, 1);
    if (g->used == NULL)
        return fg_error_set(err, FG_ENOMEM, NULL, 0, NULL);
    uint32_t n = ncases_for(g);
    int rc = plan_outliers(g);
    if (rc == 0)
        rc = plan_suspensions(g, n);
    uint32_t staff_cursor = 0;
    uint32_t inst_cursor = 0;
    for (int s = 0; s < SC__COUNT && rc == 0; s++) {
        gen_rng_t r;
        fg__gen_rng_init(&r, g->seed, ST_PLAN, (uint64_t)s + 1);
        if (s == SC_peer_outlier)
            continue; /* cases made per institution and month while generating */
        if (s == SC_covisit_group) {
            rc = plan_groups(g, n, &r);
            continue;
        }
        if (s == SC_staff_overload) {
            rc = plan_overload(g, n / 2 > g->min_cases ? n / 2 : g->min_cases, &r);
            continue;
        }
        for (uint32_t k = 0; k < n && rc == 0; k++) {
            switch (s) {
            case SC_trace_dup_same_inst:
            case SC_trace_dup_other_inst:
            case SC_trace_reflow:
            case SC_trace_sold_repurchased:
            case SC_trace_sale_unpurchased:
                rc = plan_trace(g, s, &r);
                break;
            case SC_settle_after_death:
                rc = plan_status(g, s, &r, NULL);
                break;
            case SC_staff_suspended_billing:
                rc = plan_status(g, s, &r, &staff_cursor);
                break;
            case SC_inst_suspended_billing:
                rc = plan_status(g, s, &r, &inst_cursor);
                break;
            case SC_care_during_stay:
            case SC_readmission_15d:
            case SC_quantity_excess:
            case SC_frequent_visits:
            case SC_invoice_duplicate:
            case SC_injury_third_party:
                rc = plan_post(g, s, &r);
                break;
            default:
                rc = plan_rule(g, s, &r);
                break;
            }
        }
    }
    if (rc != 0)
        return fg_error_set(err, rc, NULL, 0, NULL);
    qsort(g->plan, g->nplan, sizeof(*g->plan), plan_cmp);
    g->plan_cursor = 0;
    return 0;
}
