/*
 * care.c — one person's year of care, and the rows it writes.
 *
 * A person's year is a list of events (stays, outpatient visits, pharmacy purchases, monthly
 * refills of chronic drugs, dialysis sessions, the parts they play in fraud cases), drawn from
 * their own random stream, sorted by time and turned one by one into a visit: fee lines with prices
 * and trace codes, diagnoses, operations, a settlement. A visit is written at once — mdtrt_d,
 * setl_d, setl_list_diag_d, setl_list_oprn_d, fee_list_d, settlements.jsonl, invoices — and its
 * pack events go to the day buckets of stock.c. Nothing of a person outlives their year but
 * counters.
 *
 * Normal care keeps every national rule it is built from: limited drugs only for the sex, age,
 * insurance, setting and level they allow, courses within their days, no duplicate-charge pair on a
 * day, no item above its daily count or period, prices at or under their caps, no care during a
 * stay, no readmission to the same institution within 20 days, nothing after death, no suspended
 * doctor or institution. The fraud plan breaks exactly one of them per case and says so in
 * truth.csv.
 */
#include "core/compat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "fundguard/alloc.h"
#include "gen/gen_int.h"

/* ---------------------------------------------------------------- scratch */

enum ev_kind {
    EV_OP = 1,  /* outpatient visit */
    EV_PH,      /* pharmacy purchase */
    EV_STAY,    /* inpatient stay */
    EV_CHRONIC, /* monthly refill of a chronic drug */
    EV_DIAL,    /* haemodialysis session */
    EV_WORKINJ, /* work injury paid by work-injury insurance (410) */
    EV_PLAN     /* a part of a fraud case */
};

typedef struct ev {
    fg_time_t t;
    uint8_t kind;
    uint8_t sub; /* EV_CHRONIC: condition; EV_STAY: 1 ends in death */
    uint16_t los;
    uint32_t dx;
    uint32_t inst;
    uint32_t plan; /* plan item index for EV_PLAN, or part number */
    uint32_t seq;  /* tie-break */
    int32_t part;  /* EV_PLAN: which part of the case (0, 1, 2 …) */
} ev_t;

/* One fee line of the visit being built. */
typedef struct line {
    uint32_t cat;
    uint32_t doctor;
    fg_time_t t;
    fg_qty_t cnt;
    fg_fen_t pric;
    fg_fen_t amt;
    fg_fen_t cap;
    uint32_t tr_first;
    uint32_t tr_n;
    uint32_t case_id; /* an affected line of this case, GEN_NONE */
    int32_t prd_days;
    uint8_t trdn;
    uint8_t tkdrug;
    uint8_t dept;
    uint8_t freq; /* index into freq_text */
    uint8_t disc; /* 1: second procedure at half price */
    uint64_t sn;  /* fee line number, given at emission */
} line_t;

typedef struct tref {
    uint64_t serial;
    uint32_t units;
    uint8_t trdn;
    uint8_t buy; /* 1: the seller bought it (a purchase event precedes the sale) */
} tref_t;

typedef struct oprn {
    char code[16];
    const char *name;
    fg_time_t t;
    uint32_t doctor;
} oprn_t;

/* The pack opened for split sales of one drug during a stay. */
typedef struct open_pack {
    uint32_t cat;
    uint64_t serial;
    uint32_t left;
} open_pack_t;

/* A batch-7 item billed in the visit and the days (from the visit's first) it was billed on. */
typedef struct dupseen {
    uint32_t cat;
    uint64_t days[2];
} dupseen_t;

typedef struct visit {
    int kind; /* EV_OP, EV_PH, EV_STAY … */
    dupseen_t dupseen[48];
    int ndupseen;
    uint32_t inst;
    uint32_t doctor;
    uint32_t dx[4];
    int ndx;
    int ext; /* external cause index + 1 (injuries), 0 none */
    char med_type[3];
    const char *insutype;
    fg_time_t begin;
    fg_time_t end;
    int los;
    int died;
    line_t *lines;
    uint32_t nlines;
    uint32_t lines_cap;
    tref_t *tr;
    uint32_t ntr;
    uint32_t tr_cap;
    oprn_t op[3];
    int nop;
    open_pack_t open[16];
    int nopen;
    uint32_t whole_case; /* a case whose offence is the whole settlement, GEN_NONE */
    uint32_t evid_case;  /* a case this settlement is the evidence part of, GEN_NONE */
    int no_trace;        /* manual reimbursement: no trace codes */
    int refund;          /* refund this settlement a few days later */
    const char *manl;    /* manual reimbursement reason */
    uint64_t setl_no;    /* given at emission */
    uint64_t mdtrt_no;
    uint64_t invoice_no;
    fg_fen_t medfee;
    fg_fen_t fund;
} visit_t;

typedef struct gen_care {
    ev_t *ev;
    uint32_t nev;
    uint32_t ev_cap;
    visit_t v;
    double cdf_op[366];
    double cdf_ph[366];
    double cdf_ip[366];
    int ndays;
} gen_care_t;

/* The person being generated. */
typedef struct person {
    gen_profile_t p;
    gen_rng_t r;
    char psn_no[24];
    char name[32];
    char certno[20];
    const char *insutype; /* "310" / "390" */
    const char *psn_type;
    fg_date_t death;
    int age_mid;
    /* stays (busy intervals, days) */
    fg_date_t stay_from[12];
    fg_date_t stay_to[12];
    uint32_t stay_inst[12];
    int nstays;
    fg_date_t last_hba1c;
    /* drugs bought and the day their supply runs out (the last few), so that normal care never
     * buys a drug again while a week or more of it is left */
    uint32_t sup_cat[8];
    fg_date_t sup_end[8];
    uint8_t nsup;
    const gen_plan_item_t *plan;
    uint32_t nplan;
} person_t;

static const char *const freq_text[] = {"", "qd", "bid", "tid", "qn", "prn", "st"};

/* ---------------------------------------------------------------- the calendar */

/* Spring Festival (day of year, 0-based) of 2020 … 2035. */
static int spring_festival(int year)
{
    static const short doy[] = {24, 43, 31, 21, 40, 28, 47, 36, 25, 43, 33, 22, 41, 30, 18, 38};
    if (year >= 2020 && year <= 2035)
        return doy[year - 2020];
    return 35;
}

int fg__gen_care_init(gen_ctx_t *g, fg_error_t *err)
{
    gen_care_t *c = fg_calloc(1, sizeof(*c));
    if (c == NULL)
        return fg_error_set(err, FG_ENOMEM, NULL, 0, NULL);
    g->care = c;
    c->ndays = g->ndays;
    static const double month_op[12] = {1.2, 1.0, 1.05, 1.0,  0.95, 0.9,
                                        0.9, 0.9, 0.95, 0.95, 1.05, 1.25};
    static const double wday_op[7] = {1.3, 1.15, 1.05, 1.0, 1.0, 0.65, 0.55};
    static const double wday_ph[7] = {1.0, 0.95, 0.95, 0.95, 1.0, 1.15, 1.1};
    static const double wday_ip[7] = {1.25, 1.15, 1.05, 1.0, 0.95, 0.7, 0.6};
    int sf = spring_festival(g->year);
    double a = 0.0, b = 0.0, d = 0.0;
    for (int i = 0; i < g->ndays; i++) {
        fg_date_t day = g->y0 + i;
        int y, m, dd;
        fg_date_to_ymd(day, &y, &m, &dd);
        int wd = fg_date_weekday(day);
        double hol_op = 1.0;
        double hol_ph = 1.0;
        if (i >= sf - 1 && i <= sf + 6) {
            hol_op = 0.35;
            hol_ph = 0.6;
        } else if (i >= sf - 10 && i < sf - 1) {
            hol_ph = 1.25; /* stocking up before the holiday */
        }
        if (m == 10 && dd <= 7) {
            hol_op = 0.55;
            hol_ph = 0.9;
        }
        a += month_op[m - 1] * wday_op[wd] * hol_op;
        b += (0.9 + 0.1 * month_op[m - 1]) * wday_ph[wd] * hol_ph;
        d += (0.85 + 0.15 * month_op[m - 1]) * wday_ip[wd] * (hol_op < 1.0 ? 0.6 : 1.0);
        c->cdf_op[i] = a;
        c->cdf_ph[i] = b;
        c->cdf_ip[i] = d;
    }
    return 0;
}

void fg__gen_care_free(gen_ctx_t *g)
{
    gen_care_t *c = g->care;
    if (c == NULL)
        return;
    fg_free(c->ev);
    fg_free(c->v.lines);
    fg_free(c->v.tr);
    fg_free(c);
    g->care = NULL;
}

static fg_time_t at(const gen_ctx_t *g, fg_date_t d, int minute)
{
    (void)g;
    return fg_date_start(d) + (fg_time_t)minute * 60;
}

/* Minute of the day of an outpatient visit (mornings busier) or a purchase. */
static int op_minute(gen_rng_t *r)
{
    if (rng_chance(r, 0.64))
        return rng_range(r, 7 * 60 + 40, 11 * 60 + 40);
    return rng_range(r, 13 * 60 + 50, 17 * 60 + 20);
}

static int ph_minute(gen_rng_t *r)
{
    double u = rng_unit(r);
    if (u < 0.45)
        return rng_range(r, 8 * 60, 12 * 60);
    if (u < 0.7)
        return rng_range(r, 12 * 60, 17 * 60);
    return rng_range(r, 17 * 60, 21 * 60 + 30);
}

/* ---------------------------------------------------------------- small helpers */

static int inst_open(const gen_inst_t *in, fg_date_t d)
{
    return in->susp_begin == FG_DATE_NONE || d < in->susp_begin ||
           (in->susp_end != FG_DATE_NONE && d > in->susp_end);
}

static int staff_ok(const gen_staff_t *s, fg_date_t d)
{
    return s->susp_begin == FG_DATE_NONE || d < s->susp_begin ||
           (s->susp_end != FG_DATE_NONE && d > s->susp_end);
}

static int busy(const person_t *ps, fg_date_t d)
{
    for (int i = 0; i < ps->nstays; i++)
        if (d >= ps->stay_from[i] && d <= ps->stay_to[i])
            return 1;
    return 0;
}

static int alive(const person_t *ps, fg_date_t d)
{
    return ps->death == FG_DATE_NONE || d <= ps->death;
}

static int age_on(const person_t *ps, fg_date_t d)
{
    int a = fg__gen_age(ps->p.birth, d);
    return a < 0 ? 0 : a;
}

/* A doctor (pharmacist at a pharmacy) of inst in a department, not suspended on day d. */
static uint32_t doctor_for(const gen_ctx_t *g, uint32_t inst, int dept, fg_date_t d, gen_rng_t *r)
{
    for (int t = 0; t < 6; t++) {
        uint32_t s = fg__gen_pick_doctor(g, inst, t < 3 ? dept : -1, r);
        if (staff_ok(&g->reg.staff[s], d))
            return s;
    }
    const gen_inst_t *in = &g->reg.inst[inst];
    for (uint32_t k = 0; k < in->nstaff; k++) {
        uint32_t s = in->staff_first + k;
        int role = g->reg.staff[s].role;
        if ((role == RO_DOCTOR || role == RO_PHARMACIST || role == RO_PRINCIPAL) &&
            staff_ok(&g->reg.staff[s], d))
            return s;
    }
    return in->staff_first;
}

/* Whether a normal line may bill item `it` for this person and visit. */
static int cat_ok(const gen_ctx_t *g, const person_t *ps, const visit_t *v, const gen_cat_t *it,
                  fg_date_t d)
{
    if (it->lim_sex && it->lim_sex != ps->p.sex)
        return 0;
    if (it->lim_age) {
        int a = age_on(ps, d);
        if (it->lim_age == AGE_CHILD && a > 12)
            return 0;
        if (it->lim_age == AGE_INFANT && a > 2)
            return 0;
        if (it->lim_age == AGE_NEWBORN && fg_days_between(ps->p.birth, d) > 27)
            return 0;
        if (it->lim_age == AGE_WORKING && a >= 60)
            return 0;
    }
    if (it->lim_insu == 1 && strcmp(v->insutype, "410") != 0)
        return 0;
    if (it->lim_insu == 2)
        return 0;
    if (it->lim_ip && v->kind != EV_STAY)
        return 0;
    if (it->lim_level) {
        const char *lv = g->reg.inst[v->inst].hosp_lv;
        if (lv[0] == '\0' || lv[0] - '0' < it->lim_level)
            return 0;
    }
    if (it->indic == 1) {
        const char *code = g->cat.dx[v->dx[0]].code;
        if (strncmp(code, "I63", 3) != 0)
            return 0;
    }
    if (it->course && v->kind != EV_STAY)
        return 0;
    if (it->kind == CK_DRUG && v->kind == EV_PH &&
        (it->form == FORM_INJECTION || it->form == FORM_INFUSION) && it->area != AR_DIAB)
        return 0;
    return 1;
}

/* A drug of one of the areas that this person and visit may have. */
static uint32_t pick_drug(const gen_ctx_t *g, const person_t *ps, const visit_t *v,
                          const uint8_t *areas, fg_date_t d, gen_rng_t *r)
{
    const gen_catalogue_t *c = &g->cat;
    uint32_t na = 0;
    for (int i = 0; i < 3; i++)
        if (areas[i] != AR_NONE)
            na++;
    if (na == 0)
        return GEN_NONE;
    for (int t = 0; t < 12; t++) {
        int ar = areas[rng_below(r, na)];
        if (c->area_n[ar] == 0)
            continue;
        uint32_t i = c->area_pool[ar][rng_below(r, c->area_n[ar])];
        if (cat_ok(g, ps, v, &c->items[i], d))
            return i;
    }
    return GEN_NONE;
}

/* ---------------------------------------------------------------- building lines */

static void dup_note(const gen_ctx_t *g, visit_t *v, uint32_t cat, fg_time_t t);

static line_t *line_add(gen_ctx_t *g, visit_t *v, uint32_t cat, fg_time_t t, uint32_t doctor)
{
    if (v->nlines == v->lines_cap) {
        uint32_t cap = v->lines_cap ? v->lines_cap * 2 : 256;
        line_t *p = fg_realloc_array(v->lines, cap, sizeof(*p));
        if (p == NULL)
            return NULL;
        v->lines = p;
        v->lines_cap = cap;
    }
    line_t *l = &v->lines[v->nlines++];
    memset(l, 0, sizeof(*l));
    dup_note(g, v, cat, t);
    const gen_cat_t *it = &g->cat.items[cat];
    l->cat = cat;
    l->t = t;
    l->doctor = doctor;
    l->dept = g->reg.staff[doctor].dept;
    l->cnt = FG_QTY_ONE;
    l->pric = it->price;
    l->cap = it->cap;
    l->amt = it->price;
    l->case_id = GEN_NONE;
    l->prd_days = -1;
    return l;
}

static tref_t *tr_add(visit_t *v)
{
    if (v->ntr == v->tr_cap) {
        uint32_t cap = v->tr_cap ? v->tr_cap * 2 : 64;
        tref_t *p = fg_realloc_array(v->tr, cap, sizeof(*p));
        if (p == NULL)
            return NULL;
        v->tr = p;
        v->tr_cap = cap;
    }
    tref_t *t = &v->tr[v->ntr++];
    memset(t, 0, sizeof(*t));
    return t;
}

/* Whether adding `cat` on the day of `t` would make a duplicate-charge pair (batch 7) with an item
 * already in the visit: on the same day, or anywhere in the visit for 单次就诊 pairs. The visit
 * keeps its distinct batch-7 items with a bitmap of their days. */
static int dup_conflict(const gen_ctx_t *g, const visit_t *v, uint32_t cat, fg_time_t t)
{
    const gen_catalogue_t *c = &g->cat;
    if (!c->items[cat].has_dup)
        return 0;
    int day = fg_days_between(fg_time_date(v->begin), fg_time_date(t));
    for (int i = 0; i < v->ndupseen; i++) {
        const dupseen_t *s = &v->dupseen[i];
        if (s->cat == cat)
            continue;
        int f = fg__gen_dup_pair(c, cat, s->cat);
        if (f == 0)
            f = fg__gen_dup_pair(c, s->cat, cat);
        if (f == 0)
            continue;
        if (f == 2)
            return 1;
        if (day < 0 || day >= 128 || (s->days[day >> 6] >> (day & 63)) & 1)
            return 1;
    }
    return 0;
}

static void dup_note(const gen_ctx_t *g, visit_t *v, uint32_t cat, fg_time_t t)
{
    if (!g->cat.items[cat].has_dup)
        return;
    int day = fg_days_between(fg_time_date(v->begin), fg_time_date(t));
    dupseen_t *s = NULL;
    for (int i = 0; i < v->ndupseen; i++)
        if (v->dupseen[i].cat == cat)
            s = &v->dupseen[i];
    if (s == NULL) {
        if (v->ndupseen >= (int)FG_ARRAY_LEN(v->dupseen))
            return;
        s = &v->dupseen[v->ndupseen++];
        memset(s, 0, sizeof(*s));
        s->cat = cat;
    }
    if (day >= 0 && day < 128)
        s->days[day >> 6] |= 1ULL << (day & 63);
}

/* Whole units of item cat the visit already bills on day d. */
static int units_on_day(const visit_t *v, uint32_t cat, fg_date_t d)
{
    fg_qty_t sum = 0;
    for (uint32_t i = 0; i < v->nlines; i++)
        if (v->lines[i].cat == cat && fg_time_date(v->lines[i].t) == d)
            sum += v->lines[i].cnt;
    return (int)(sum / FG_QTY_ONE);
}

/* A service item line (cnt units), unless a rule of its own would be broken: a frequency-limited
 * item (batch 8-1) gets at most what its daily count leaves on the day, every line of it summed. */
static line_t *item_line(gen_ctx_t *g, const person_t *ps, visit_t *v, uint32_t cat, fg_time_t t,
                         uint32_t doctor, int cnt)
{
    if (cat == GEN_NONE)
        return NULL;
    const gen_cat_t *it = &g->cat.items[cat];
    if (!cat_ok(g, ps, v, it, fg_time_date(t)) || dup_conflict(g, v, cat, t))
        return NULL;
    if (it->freq_n) {
        int left = it->freq_n - units_on_day(v, cat, fg_time_date(t));
        if (left <= 0)
            return NULL;
        if (cnt > left)
            cnt = left;
    }
    line_t *l = line_add(g, v, cat, t, doctor);
    if (l == NULL)
        return NULL;
    l->cnt = (fg_qty_t)cnt * FG_QTY_ONE;
    l->amt = l->pric * cnt;
    return l;
}

/* Pack serials: every pack sold has its own trace code; normal serials count up per drug. */
static uint64_t new_serial(gen_ctx_t *g, uint32_t cat)
{
    return g->cat.items[cat].serial++;
}

/* Whole packs of a drug: one trace code each. */
static line_t *drug_packs(gen_ctx_t *g, visit_t *v, uint32_t cat, fg_time_t t, uint32_t doctor,
                          int packs, int days)
{
    line_t *l = line_add(g, v, cat, t, doctor);
    if (l == NULL)
        return NULL;
    const gen_cat_t *it = &g->cat.items[cat];
    l->cnt = (fg_qty_t)packs * FG_QTY_ONE;
    l->amt = it->price * packs;
    l->prd_days = days;
    l->freq = (uint8_t)(it->form == FORM_TOPICAL || it->form == FORM_DROPS ? 2 : 1 + (days % 3));
    l->tr_first = v->ntr;
    if (!v->no_trace) {
        for (int k = 0; k < packs; k++) {
            tref_t *tr = tr_add(v);
            if (tr == NULL)
                break;
            tr->serial = new_serial(g, cat);
            tr->units = it->pack_units;
            tr->buy = 1;
        }
    }
    l->tr_n = v->ntr - l->tr_first;
    return l;
}

/* `units` smallest units of a drug taken from the stay's open packs (split sale, 拆零). */
static line_t *drug_units(gen_ctx_t *g, visit_t *v, uint32_t cat, fg_time_t t, uint32_t doctor,
                          uint32_t units)
{
    const gen_cat_t *it = &g->cat.items[cat];
    if (it->pack_units <= 1)
        return drug_packs(g, v, cat, t, doctor, (int)units, 1);
    line_t *l = line_add(g, v, cat, t, doctor);
    if (l == NULL)
        return NULL;
    fg_fen_t unit_price = (it->price + it->pack_units / 2) / it->pack_units;
    if (unit_price < 1)
        unit_price = 1;
    l->pric = unit_price;
    l->cap = (it->cap + it->pack_units - 1) / it->pack_units;
    if (l->cap < unit_price)
        l->cap = unit_price;
    l->cnt = (fg_qty_t)units * FG_QTY_ONE;
    l->amt = unit_price * units;
    l->trdn = 1;
    l->prd_days = 1;
    l->freq = (uint8_t)(units >= 3 ? 3 : units == 2 ? 2 : 1);
    l->tr_first = v->ntr;
    open_pack_t *op = NULL;
    for (int i = 0; i < v->nopen; i++)
        if (v->open[i].cat == cat)
            op = &v->open[i];
    if (op == NULL && v->nopen < (int)FG_ARRAY_LEN(v->open)) {
        op = &v->open[v->nopen++];
        op->cat = cat;
        op->left = 0;
    }
    uint32_t need = units;
    while (need > 0 && op != NULL) {
        int fresh = 0;
        if (op->left == 0) {
            op->serial = new_serial(g, cat);
            op->left = it->pack_units;
            fresh = 1;
        }
        uint32_t take = need < op->left ? need : op->left;
        tref_t *tr = tr_add(v);
        if (tr == NULL)
            break;
        tr->serial = op->serial;
        tr->units = take;
        tr->trdn = 1;
        tr->buy = (uint8_t)fresh;
        op->left -= take;
        need -= take;
    }
    l->tr_n = v->ntr - l->tr_first;
    return l;
}

static void cons_line(gen_ctx_t *g, visit_t *v, uint32_t cat, fg_time_t t, uint32_t doctor, int n)
{
    line_t *l = line_add(g, v, cat, t, doctor);
    if (l == NULL)
        return;
    l->cnt = (fg_qty_t)n * FG_QTY_ONE;
    l->amt = l->pric * n;
}

/* The exam and test items of a template ("code;code;…"), each with probability p. */
static void template_items(gen_ctx_t *g, person_t *ps, visit_t *v, const char *list, fg_time_t t,
                           uint32_t doctor, double p, gen_rng_t *r)
{
    if (list == NULL)
        return;
    const char *s = list;
    while (*s != '\0') {
        char code[24];
        size_t n = 0;
        while (s[n] != '\0' && s[n] != ';' && n < sizeof(code) - 1) {
            code[n] = s[n];
            n++;
        }
        code[n] = '\0';
        s += n;
        if (*s == ';')
            s++;
        if (!rng_chance(r, p))
            continue;
        uint32_t cat = fg__gen_cat_find(&g->cat, code);
        if (cat == GEN_NONE)
            continue;
        const gen_cat_t *it = &g->cat.items[cat];
        /* Period-limited items (batch 8-4): at most once in their cycle for this person. */
        if (it->period_n) {
            fg_date_t d = fg_time_date(t);
            if (ps->last_hba1c != FG_DATE_NONE &&
                fg_days_between(ps->last_hba1c, d) < (int)it->period_days + 1)
                continue;
            ps->last_hba1c = d;
        }
        int cnt = 1;
        if (it->freq_n == 24) /* monitoring billed by the hour */
            cnt = rng_range(r, 6, 20);
        item_line(g, ps, v, cat, t, doctor, cnt);
    }
}

/* ---------------------------------------------------------------- visits */

static void visit_reset(visit_t *v)
{
    v->ndupseen = 0;
    v->nlines = 0;
    v->ntr = 0;
    v->ndx = 0;
    v->nop = 0;
    v->nopen = 0;
    v->ext = 0;
    v->died = 0;
    v->los = 0;
    v->whole_case = GEN_NONE;
    v->evid_case = GEN_NONE;
    v->no_trace = 0;
    v->refund = 0;
    v->manl = NULL;
}

static void visit_begin(visit_t *v, int kind, uint32_t inst, uint32_t dx, fg_time_t begin,
                        const person_t *ps)
{
    visit_reset(v);
    v->kind = kind;
    v->inst = inst;
    v->dx[0] = dx;
    v->ndx = dx == GEN_NONE ? 0 : 1;
    v->begin = begin;
    v->end = begin;
    v->insutype = ps->insutype;
    const char *mt = kind == EV_STAY ? "21" : kind == EV_PH ? "41" : "11";
    memcpy(v->med_type, mt, 3);
}

/* Whether more than a week of drug cat bought earlier is left on day d. */
static int supply_left(const person_t *ps, uint32_t cat, fg_date_t d)
{
    for (int i = 0; i < ps->nsup; i++)
        if (ps->sup_cat[i] == cat && ps->sup_end[i] > d + 7)
            return 1;
    return 0;
}

/* Note a purchase of `days` of drug cat on day d (replacing its earlier one, else the oldest). */
static void supply_note(person_t *ps, uint32_t cat, fg_date_t d, int days)
{
    int k = -1;
    for (int i = 0; i < ps->nsup && k < 0; i++)
        if (ps->sup_cat[i] == cat)
            k = i;
    if (k < 0 && ps->nsup < 8)
        k = ps->nsup++;
    if (k < 0) {
        k = 0;
        for (int i = 1; i < 8; i++)
            if (ps->sup_end[i] < ps->sup_end[k])
                k = i;
    }
    ps->sup_cat[k] = cat;
    ps->sup_end[k] = d + days;
}

/* Whole packs holding `days` of the drug's daily dose (an oral drug; one pack of anything else). */
static int packs_for(const gen_cat_t *it, int days)
{
    if (it->form != FORM_TABLET && it->form != FORM_GRANULE && it->form != FORM_LIQUID)
        return 1;
    int packs = (days * it->daily_dose + it->pack_units - 1) / it->pack_units;
    return packs < 1 ? 1 : packs;
}

/* Outpatient drugs for a few days: 1–3 drugs of the diagnosis, whole packs. */
static void op_drugs(gen_ctx_t *g, person_t *ps, visit_t *v, const gen_dx_t *dx, fg_time_t t,
                     uint32_t doctor, int chronic, gen_rng_t *r)
{
    int n = chronic ? rng_range(r, 1, 2) : (rng_chance(r, 0.3) ? 3 : rng_range(r, 1, 2));
    uint32_t seen[4] = {GEN_NONE, GEN_NONE, GEN_NONE, GEN_NONE};
    for (int k = 0; k < n; k++) {
        uint32_t cat = pick_drug(g, ps, v, dx->area, fg_time_date(t), r);
        if (cat == GEN_NONE)
            continue;
        int dup = 0;
        for (int j = 0; j < k; j++)
            dup |= seen[j] == cat;
        if (dup || supply_left(ps, cat, fg_time_date(t)))
            continue;
        seen[k] = cat;
        const gen_cat_t *it = &g->cat.items[cat];
        int days = chronic ? (rng_chance(r, 0.8) ? 30 : 28) : rng_range(r, 3, 7);
        int packs = packs_for(it, days);
        if (packs > 3)
            packs = 3;
        drug_packs(g, v, cat, t + 60 * rng_range(r, 2, 20), doctor, packs, days);
        supply_note(ps, cat, fg_time_date(t), days);
    }
}

static fg_time_t add_min(fg_time_t t, int m)
{
    return t + (fg_time_t)m * 60;
}

/* Peer outliers: extra tests and drugs at an inflating institution, booked as its excess. */
static void inflate(gen_ctx_t *g, const person_t *ps, visit_t *v, const gen_dx_t *dx, fg_time_t t,
                    uint32_t doctor, gen_rng_t *r)
{
    gen_inst_t *in = &g->reg.inst[v->inst];
    if (!in->outlier)
        return;
    uint32_t before = v->nlines;
    fg_fen_t sum0 = 0;
    for (uint32_t i = 0; i < v->nlines; i++)
        sum0 += v->lines[i].amt;
    if (in->outlier == 1) {
        /* Tests nobody needed. */
        static const char *const extra[] = {"002503040010000", "002503040020000", "002503040030000",
                                            "002503040040000", "002501030010000", "002501020030000",
                                            "003107010220000", "002101010010100"};
        int n = rng_range(r, 2, 4);
        for (int k = 0; k < n; k++) {
            uint32_t cat = fg__gen_cat_find(&g->cat, extra[rng_below(r, FG_ARRAY_LEN(extra))]);
            item_line(g, ps, v, cat, add_min(t, 5), doctor, 1);
        }
    } else {
        /* Drugs on top of the diagnosis's own. */
        int n = rng_range(r, 2, 3);
        for (int k = 0; k < n; k++) {
            uint32_t cat = pick_drug(g, ps, v, dx->area, fg_time_date(t), r);
            if (cat != GEN_NONE)
                drug_packs(g, v, cat, add_min(t, 8), doctor, rng_range(r, 2, 3), 7);
        }
    }
    if (v->nlines == before)
        return;
    fg_fen_t sum1 = 0;
    for (uint32_t i = 0; i < v->nlines; i++)
        sum1 += v->lines[i].amt;
    int m;
    int y, dd;
    fg_date_to_ymd(fg_time_date(t), &y, &m, &dd);
    if (y != g->year)
        return;
    in->excess[m - 1] += sum1 - sum0;
}

/* ---------------------------------------------------------------- emission */

static const char *yesno(int v)
{
    return v ? "1" : "0";
}

/* Line money: self-paid part (丙), in-scope part (乙 pays 10 % first). */
static void line_money(const gen_cat_t *it, fg_fen_t amt, fg_fen_t *ownpay, fg_fen_t *presel,
                       fg_fen_t *inscp)
{
    if (it->lv == 3) {
        *ownpay = amt;
        *presel = 0;
        *inscp = 0;
    } else if (it->lv == 2) {
        *ownpay = 0;
        *presel = amt / 10;
        *inscp = amt - *presel;
    } else {
        *ownpay = 0;
        *presel = 0;
        *inscp = amt;
    }
}

typedef struct money {
    fg_fen_t medfee, ownpay, overlmt, presel, inscp, dedc, hifp, fund, psn, acct, cash;
    int ratio; /* ‰ */
} money_t;

static void settle_money(const gen_ctx_t *g, const person_t *ps, const visit_t *v, money_t *m)
{
    memset(m, 0, sizeof(*m));
    for (uint32_t i = 0; i < v->nlines; i++) {
        const line_t *l = &v->lines[i];
        fg_fen_t o, p, s;
        line_money(&g->cat.items[l->cat], l->amt, &o, &p, &s);
        m->medfee += l->amt;
        m->ownpay += o;
        m->presel += p;
        m->inscp += s;
    }
    const gen_inst_t *in = &g->reg.inst[v->inst];
    int lv = in->hosp_lv[0] ? in->hosp_lv[0] - '0' : 1;
    int emp = strcmp(v->insutype, "310") == 0;
    int work = strcmp(v->insutype, "410") == 0;
    fg_fen_t dedc = 0;
    int ratio;
    if (work) {
        ratio = 1000;
    } else if (v->kind == EV_STAY) {
        static const int dedc_emp[4] = {0, 30000, 50000, 80000};
        static const int dedc_res[4] = {0, 20000, 60000, 100000};
        static const int ratio_emp[4] = {0, 950, 900, 850};
        static const int ratio_res[4] = {0, 850, 700, 600};
        dedc = emp ? dedc_emp[lv] : dedc_res[lv];
        ratio = emp ? ratio_emp[lv] + (ps->p.retired ? 30 : 0) : ratio_res[lv];
    } else if (v->kind == EV_PH) {
        ratio = emp ? 0 : (in->kind == IK_PH_CHAIN ? 500 : 0);
    } else if (strcmp(v->med_type, "14") == 0) {
        ratio = emp ? 700 : 600;
    } else {
        ratio = lv >= 2 ? (emp ? 500 : 400) : (emp ? 600 : 500);
    }
    if (ratio > 1000)
        ratio = 1000;
    fg_fen_t base = m->inscp - dedc;
    if (base < 0) {
        dedc = m->inscp;
        base = 0;
    }
    m->dedc = dedc;
    m->ratio = ratio;
    m->hifp = (base * ratio + 500) / 1000;
    m->fund = m->hifp;
    m->psn = m->medfee - m->fund;
    if (emp && v->kind != EV_STAY)
        m->acct = v->kind == EV_PH ? m->psn : m->psn * 8 / 10;
    m->cash = m->psn - m->acct;
}

static void put_id(gen_row_t *row, int slot, char *buf, size_t n)
{
    fg__gen_row_mem(row, slot, buf, n);
}

static void emit_lev(gen_ctx_t *g, int type, fg_time_t t, uint32_t inst, uint32_t cat,
                     uint64_t serial, uint32_t units, int trdn, uint64_t setl, uint64_t feedetl,
                     const person_t *ps, fg_fen_t price)
{
    uint32_t psn = ps != NULL ? ps->p.idx : GEN_NONE;
    gen_lev_t e;
    memset(&e, 0, sizeof(e));
    e.time = t;
    e.type = (uint8_t)type;
    e.inst = inst;
    e.cat = cat;
    e.serial = serial;
    e.units = units;
    e.trdn = (uint8_t)trdn;
    e.setl = setl;
    e.feedetl = feedetl;
    e.psn = psn;
    e.county = ps != NULL ? ps->p.county : 0;
    e.price = price;
    e.gs1 = g->cat.items[cat].gs1;
    fg__gen_stock_event(g, &e);
}

/* Every pack sold: its purchase by the seller (when it was bought) and the sale. */
static void emit_pack_events(gen_ctx_t *g, const person_t *ps, const visit_t *v, int refund,
                             uint64_t setl)
{
    for (uint32_t i = 0; i < v->nlines; i++) {
        const line_t *l = &v->lines[i];
        const gen_cat_t *it = &g->cat.items[l->cat];
        for (uint32_t k = 0; k < l->tr_n; k++) {
            const tref_t *tr = &v->tr[l->tr_first + k];
            fg_fen_t unit = l->trdn ? l->pric : (it->price + it->pack_units / 2) / it->pack_units;
            if (refund) {
                emit_lev(g, LV_SALE_RETURN, l->t, v->inst, l->cat, tr->serial, tr->units, tr->trdn,
                         setl, l->sn, ps, unit);
                gen_stock_entry_t *se = fg__gen_stock_at(&g->stock, v->inst, l->cat);
                if (se != NULL && !tr->trdn)
                    se->returned++;
                continue;
            }
            if (tr->buy) {
                gen_rng_t r;
                fg__gen_rng_init(&r, g->seed, ST_STOCK, tr->serial ^ ((uint64_t)l->cat << 40));
                fg_time_t pt = fg__gen_purchase_time(g, v->inst, l->t, &r);
                emit_lev(g, LV_PURCHASE, pt, v->inst, l->cat, tr->serial, it->pack_units, 0, 0, 0,
                         NULL, it->price * 85 / 100);
                gen_stock_entry_t *se = fg__gen_stock_at(&g->stock, v->inst, l->cat);
                if (se != NULL) {
                    se->sold++;
                    if (pt < g->t0)
                        se->pre++;
                }
            }
            emit_lev(g, LV_SALE, l->t, v->inst, l->cat, tr->serial, tr->units, tr->trdn, setl,
                     l->sn, ps, unit);
        }
    }
}

/* A money member; zero is left out (absent reads as 0, as the model's writer does). */
static void json_money_nz(gen_out_t *w, const char *key, fg_fen_t v)
{
    char tmp[40];
    if (v == 0)
        return;
    OUT_LIT(w, ",\"");
    out_s(w, key);
    OUT_LIT(w, "\":\"");
    out_mem(w, tmp, fg__gen_fmt_fen(tmp, v));
    out_c(w, '"');
}

static void json_money(gen_out_t *w, const char *key, fg_fen_t v)
{
    char tmp[40];
    out_c(w, '"');
    out_s(w, key);
    OUT_LIT(w, "\":\"");
    out_mem(w, tmp, fg__gen_fmt_fen(tmp, v));
    out_c(w, '"');
}

static void json_kv(gen_out_t *w, const char *key, const char *val)
{
    out_c(w, '"');
    out_s(w, key);
    OUT_LIT(w, "\":\"");
    out_s(w, val);
    out_c(w, '"');
}

static void json_kv_mem(gen_out_t *w, const char *key, const char *val, size_t n)
{
    out_c(w, '"');
    out_s(w, key);
    OUT_LIT(w, "\":\"");
    out_mem(w, val, n);
    out_c(w, '"');
}

/*
 * Write one settlement (and, the first time, its visit): every table and the bundle.
 * refund: 0 the settlement itself, 1 its refund (negated, lines point back), 2 a manual second
 * claim with the same invoice.
 */
/* The person and institution columns of mdtrt_d and setl_d. */
static void row_person(const gen_ctx_t *g, gen_row_t *row, const person_t *ps, const visit_t *v,
                       const gen_inst_t *in, const char *brdy, const char *age_s, size_t n_age)
{
    fg__gen_row_str(row, SL_psn_no, ps->psn_no);
    fg__gen_row_str(row, SL_psn_name, ps->name);
    fg__gen_row_str(row, SL_psn_cert_type, "01");
    fg__gen_row_str(row, SL_certno, ps->certno);
    fg__gen_row_str(row, SL_gend, ps->p.sex == 1 ? "1" : "2");
    fg__gen_row_str(row, SL_naty, "01");
    fg__gen_row_mem(row, SL_brdy, brdy, 10);
    fg__gen_row_mem(row, SL_age, age_s, n_age);
    fg__gen_row_str(row, SL_insutype, v->insutype);
    fg__gen_row_str(row, SL_psn_type, ps->psn_type);
    fg__gen_row_str(row, SL_insu_admdvs, g->reg.counties[ps->p.county].code);
    fg__gen_row_str(row, SL_fixmedins_code, in->code);
    fg__gen_row_str(row, SL_fixmedins_name, in->name);
    if (in->hosp_lv[0])
        fg__gen_row_str(row, SL_hosp_lv, in->hosp_lv);
}

/* What the parts of one settlement's output share: the ids, the person's fields, the money. */
typedef struct setl_out {
    gen_ctx_t *g;
    const person_t *ps;
    visit_t *v;
    const gen_inst_t *in;
    gen_row_t *row;
    gen_out_t *cache;
    fg_time_t setl_time;
    int mode; /* 0 settlement, 1 its refund, 2 a second claim */
    int neg;  /* -1 for a refund */
    uint64_t setl_no;
    char setl_id[24], mdtrt_id[24], invono[24], init_setl[24];
    size_t n_setl, n_mdtrt, n_inv, n_init;
    char age_s[8], year_s[8], brdy[12];
    size_t n_age, n_year;
    uint64_t *orig_sn; /* a refund: the settled lines' numbers */
    money_t m;
} setl_out_t;

/* The settlement's numbers and ids, its fee lines numbered, its money. */
static void setl_begin(setl_out_t *so)
{
    gen_ctx_t *g = so->g;
    visit_t *v = so->v;
    int mode = so->mode;
    uint64_t orig_setl = v->setl_no;
    so->setl_no = ++g->next_setl;
    if (mode == 0) {
        v->mdtrt_no = ++g->next_mdtrt;
        v->invoice_no = ++g->next_invoice;
    }
    v->setl_no = so->setl_no;
    so->n_setl = fg__gen_id_setl(g, so->setl_no, so->setl_id);
    so->n_mdtrt = fg__gen_id_mdtrt(g, v->mdtrt_no, so->mdtrt_id);
    if (mode != 1)
        so->n_inv = fg__gen_id_invoice(g, v->invoice_no, so->invono);
    if (mode == 1)
        so->n_init = fg__gen_id_setl(g, orig_setl, so->init_setl);
    so->neg = mode == 1 ? -1 : 1;
    int age = age_on(so->ps, fg_time_date(v->begin));
    so->n_age = fg__gen_fmt_u64(so->age_s, (uint64_t)age);
    so->n_year = fg__gen_fmt_u64(so->year_s, (uint64_t)g->year);
    fg__gen_fmt_date(so->cache, so->brdy, so->ps->p.birth);
    so->brdy[10] = '\0';

    /* Fee line numbers and money. */
    uint64_t line_base = g->next_feedetl;
    g->next_feedetl += v->nlines;
    if (mode == 1) {
        so->orig_sn = fg_malloc((size_t)(v->nlines ? v->nlines : 1) * sizeof(*so->orig_sn));
        for (uint32_t i = 0; so->orig_sn != NULL && i < v->nlines; i++)
            so->orig_sn[i] = v->lines[i].sn;
    }
    for (uint32_t i = 0; i < v->nlines; i++)
        v->lines[i].sn = line_base + 1 + i;
    settle_money(g, so->ps, v, &so->m);
    if (mode == 0) {
        v->medfee = so->m.medfee;
        v->fund = so->m.fund;
    }
}

/* mdtrt_d: once per visit. */
static void setl_mdtrt_row(setl_out_t *so)
{
    gen_ctx_t *g = so->g;
    gen_row_t *row = so->row;
    gen_out_t *cache = so->cache;
    const visit_t *v = so->v;
    const gen_staff_t *doc = &g->reg.staff[v->doctor];
    fg__gen_row_begin(row);
    put_id(row, SL_mdtrt_id, so->mdtrt_id, so->n_mdtrt);
    row_person(g, row, so->ps, v, so->in, so->brdy, so->age_s, so->n_age);
    fg__gen_row_time(row, cache, SL_begntime, v->begin);
    fg__gen_row_time(row, cache, SL_endtime, v->end);
    fg__gen_row_str(row, SL_med_type, v->med_type);
    fg__gen_row_mem(row, SL_year, so->year_s, so->n_year);
    if (v->kind != EV_PH) {
        fg__gen_row_str(row, SL_chfpdr_code, doc->code);
        fg__gen_row_str(row, SL_chfpdr_name, doc->name);
        fg__gen_row_str(row, SL_adm_dept_codg, fg__gen_dept_code(doc->dept));
        fg__gen_row_str(row, SL_adm_dept_name, fg__gen_dept_name(doc->dept));
    }
    if (v->ndx > 0) {
        const gen_dx_t *dx = &g->cat.dx[v->dx[0]];
        fg__gen_row_str(row, SL_dscg_maindiag_code, dx->code);
        fg__gen_row_str(row, SL_dscg_maindiag_name, dx->name);
    }
    if (v->kind == EV_STAY) {
        fg__gen_row_str(row, SL_dscg_dept_codg, fg__gen_dept_code(doc->dept));
        fg__gen_row_str(row, SL_dscg_dept_name, fg__gen_dept_name(doc->dept));
        fg__gen_row_str(row, SL_dscg_way, v->died ? "5" : "1");
        fg__gen_row_u64(row, SL_ipt_days, (uint64_t)v->los);
        if (v->died)
            fg__gen_row_date(row, cache, SL_die_date, fg_time_date(v->end));
        fg__gen_row_u64(row, SL_ipt_otp_no, v->mdtrt_no);
    }
    fg__gen_row_str(row, SL_vali_flag, "1");
    fg__gen_row_emit(&g->tab[GF_MDTRT_D], row);
    g->st.visits++;
}

/* setl_d */
static void setl_setl_row(setl_out_t *so)
{
    gen_ctx_t *g = so->g;
    gen_row_t *row = so->row;
    gen_out_t *cache = so->cache;
    const person_t *ps = so->ps;
    const visit_t *v = so->v;
    const money_t *m = &so->m;
    int mode = so->mode, neg = so->neg;
    fg__gen_row_begin(row);
    put_id(row, SL_setl_id, so->setl_id, so->n_setl);
    put_id(row, SL_mdtrt_id, so->mdtrt_id, so->n_mdtrt);
    row_person(g, row, ps, v, so->in, so->brdy, so->age_s, so->n_age);
    fg__gen_row_date(row, cache, SL_begndate, fg_time_date(v->begin));
    fg__gen_row_date(row, cache, SL_enddate, fg_time_date(v->end));
    fg__gen_row_time(row, cache, SL_setl_time, so->setl_time);
    fg__gen_row_str(row, SL_mdtrt_cert_type, (ps->p.idx & 3) == 0 ? "03" : "01");
    fg__gen_row_str(row, SL_med_type, v->med_type);
    fg__gen_row_str(row, SL_clr_type, v->kind == EV_STAY ? "21" : v->kind == EV_PH ? "41" : "11");
    fg__gen_row_fen(row, SL_medfee_sumamt, neg * m->medfee);
    fg__gen_row_fen(row, SL_fulamt_ownpay_amt, neg * m->ownpay);
    fg__gen_row_fen(row, SL_overlmt_selfpay, 0);
    fg__gen_row_fen(row, SL_preselfpay_amt, neg * m->presel);
    fg__gen_row_fen(row, SL_inscp_amt, neg * m->inscp);
    fg__gen_row_fen(row, SL_act_pay_dedc, neg * m->dedc);
    fg__gen_row_fen(row, SL_hifp_pay, neg * m->hifp);
    fg__gen_row_fen(row, SL_fund_pay_sumamt, neg * m->fund);
    fg__gen_row_fen(row, SL_psn_pay, neg * m->psn);
    fg__gen_row_fen(row, SL_acct_pay, neg * m->acct);
    fg__gen_row_fen(row, SL_cash_payamt, neg * m->cash);
    fg__gen_row_str(row, SL_refd_setl_flag, yesno(mode == 1));
    if (mode == 1)
        put_id(row, SL_init_setl_id, so->init_setl, so->n_init);
    fg__gen_row_mem(row, SL_year, so->year_s, so->n_year);
    if (so->n_inv > 0)
        put_id(row, SL_invono, so->invono, so->n_inv);
    if (v->manl != NULL && mode == 2)
        fg__gen_row_str(row, SL_manl_reim_rea, v->manl);
    fg__gen_row_str(row, SL_vali_flag, "1");
    fg__gen_row_emit(&g->tab[GF_SETL_D], row);
    g->st.settlements++;
}

/* Diagnoses (medical institutions only) and operations. */
static void setl_diag_oprn_rows(setl_out_t *so)
{
    gen_ctx_t *g = so->g;
    gen_row_t *row = so->row;
    const person_t *ps = so->ps;
    const visit_t *v = so->v;
    for (int k = 0; k < v->ndx + (v->ext ? 1 : 0); k++) {
        const char *code;
        const char *name;
        if (k < v->ndx) {
            code = g->cat.dx[v->dx[k]].code;
            name = g->cat.dx[v->dx[k]].name;
        } else {
            code = fg__gen_ext_cause_code[v->ext - 1];
            name = fg__gen_ext_cause_name[v->ext - 1];
        }
        fg__gen_row_begin(row);
        fg__gen_row_u64(row, SL_setl_list_diag_id, ++g->next_diag);
        put_id(row, SL_setl_id, so->setl_id, so->n_setl);
        put_id(row, SL_mdtrt_id, so->mdtrt_id, so->n_mdtrt);
        fg__gen_row_str(row, SL_psn_no, ps->psn_no);
        fg__gen_row_str(row, SL_diag_type, "1");
        fg__gen_row_str(row, SL_maindiag_flag, yesno(k == 0));
        fg__gen_row_str(row, SL_diag_code, code);
        fg__gen_row_str(row, SL_diag_name, name);
        if (v->kind == EV_STAY)
            fg__gen_row_str(row, SL_adm_cond_type, "1");
        fg__gen_row_str(row, SL_vali_flag, "1");
        fg__gen_row_emit(&g->tab[GF_DIAG_D], row);
        g->st.diagnoses++;
    }
    for (int k = 0; k < v->nop; k++) {
        const oprn_t *o = &v->op[k];
        const gen_staff_t *od = &g->reg.staff[o->doctor];
        fg__gen_row_begin(row);
        fg__gen_row_u64(row, SL_setl_list_oprn_id, ++g->next_oprn);
        put_id(row, SL_setl_id, so->setl_id, so->n_setl);
        put_id(row, SL_mdtrt_id, so->mdtrt_id, so->n_mdtrt);
        fg__gen_row_str(row, SL_psn_no, ps->psn_no);
        fg__gen_row_str(row, SL_main_oprn_flag, yesno(k == 0));
        fg__gen_row_str(row, SL_oprn_oprt_code, o->code);
        fg__gen_row_str(row, SL_oprn_oprt_name, o->name);
        fg__gen_row_time(row, so->cache, SL_oprn_oprt_date, o->t);
        fg__gen_row_str(row, SL_oper_dr_code, od->code);
        fg__gen_row_str(row, SL_oper_dr_name, od->name);
        fg__gen_row_str(row, SL_anst_way, "2");
        fg__gen_row_time(row, so->cache, SL_oprn_oprt_begntime, o->t);
        fg__gen_row_time(row, so->cache, SL_oprn_oprt_endtime, o->t + 3600 + (o->t % 3600));
        fg__gen_row_str(row, SL_vali_flag, "1");
        fg__gen_row_emit(&g->tab[GF_OPRN_D], row);
        g->st.operations++;
    }
}

/* The settlement document up to its feedetail: psninfo, fixmedins, mdtrtinfo, diseinfo. */
static void setl_json_head(setl_out_t *so, gen_out_t *js)
{
    const gen_ctx_t *g = so->g;
    const person_t *ps = so->ps;
    const visit_t *v = so->v;
    OUT_LIT(js, "{\"psninfo\":{");
    json_kv(js, "psn_no", ps->psn_no);
    out_c(js, ',');
    json_kv(js, "gend", ps->p.sex == 1 ? "1" : "2");
    out_c(js, ',');
    json_kv_mem(js, "brdy", so->brdy, 10);
    out_c(js, ',');
    json_kv(js, "insutype", v->insutype);
    OUT_LIT(js, "},\"fixmedins\":{");
    json_kv(js, "fixmedins_code", so->in->code);
    if (so->in->hosp_lv[0]) {
        out_c(js, ',');
        json_kv(js, "hosp_lv", so->in->hosp_lv);
    }
    OUT_LIT(js, "},\"mdtrtinfo\":{");
    json_kv_mem(js, "mdtrt_id", so->mdtrt_id, so->n_mdtrt);
    out_c(js, ',');
    json_kv(js, "psn_no", ps->psn_no);
    out_c(js, ',');
    json_kv(js, "med_type", v->med_type);
    OUT_LIT(js, ",\"begntime\":\"");
    fg__gen_out_time(js, v->begin);
    OUT_LIT(js, "\",\"endtime\":\"");
    fg__gen_out_time(js, v->end);
    OUT_LIT(js, "\"},\"diseinfo\":[");
    if (v->kind != EV_PH) {
        for (int k = 0; k < v->ndx + (v->ext ? 1 : 0); k++) {
            if (k > 0)
                out_c(js, ',');
            OUT_LIT(js, "{\"diag_code\":\"");
            out_s(js, k < v->ndx ? g->cat.dx[v->dx[k]].code : fg__gen_ext_cause_code[v->ext - 1]);
            OUT_LIT(js, "\",\"maindiag_flag\":\"");
            out_c(js, k == 0 ? '1' : '0');
            OUT_LIT(js, "\"}");
        }
    }
    OUT_LIT(js, "],\"feedetail\":[");
}

/* fee_list_d: one fee line. */
static void setl_fee_row(setl_out_t *so, uint32_t i, char *sn, size_t n_sn)
{
    gen_ctx_t *g = so->g;
    gen_row_t *row = so->row;
    gen_out_t *cache = so->cache;
    const visit_t *v = so->v;
    const line_t *l = &v->lines[i];
    const gen_cat_t *it = &g->cat.items[l->cat];
    const gen_staff_t *ld = &g->reg.staff[l->doctor];
    int neg = so->neg;
    fg_fen_t o, p, s;
    line_money(it, neg * l->amt, &o, &p, &s);
    fg__gen_row_begin(row);
    put_id(row, SL_bkkp_sn, sn, n_sn);
    put_id(row, SL_mdtrt_id, so->mdtrt_id, so->n_mdtrt);
    fg__gen_row_time(row, cache, SL_fee_ocur_time, l->t);
    put_id(row, SL_setl_id, so->setl_id, so->n_setl);
    fg__gen_row_str(row, SL_fixmedins_code, so->in->code);
    fg__gen_row_str(row, SL_psn_no, so->ps->psn_no);
    fg__gen_row_str(row, SL_insu_admdvs, g->reg.counties[so->ps->p.county].code);
    fg__gen_row_str(row, SL_med_type, v->med_type);
    fg__gen_row_qty(row, SL_cnt, neg * l->cnt);
    fg__gen_row_fen(row, SL_pric, l->pric);
    fg__gen_row_fen(row, SL_det_item_fee_sumamt, neg * l->amt);
    fg__gen_row_fen(row, SL_pric_uplmt_amt, l->cap);
    fg__gen_row_str(row, SL_selfpay_prop, it->lv == 1 ? "0" : it->lv == 2 ? "0.1" : "1");
    fg__gen_row_fen(row, SL_fulamt_ownpay_amt, o);
    fg__gen_row_fen(row, SL_inscp_amt, s);
    fg__gen_row_str(row, SL_chrgitm_lv, it->lv == 1 ? "01" : it->lv == 2 ? "02" : "03");
    fg__gen_row_str(row, SL_list_type,
                    it->kind == CK_DRUG   ? "101"
                    : it->kind == CK_ITEM ? "201"
                                          : "301");
    fg__gen_row_mem(row, SL_med_list_codg, it->code, it->code_len);
    char chrg[3] = {(char)('0' + it->chrg / 10), (char)('0' + it->chrg % 10), 0};
    fg__gen_row_mem(row, SL_med_chrgitm_type, chrg, 2);
    fg__gen_row_str(row, SL_bilg_dept_codg, fg__gen_dept_code(l->dept));
    fg__gen_row_str(row, SL_bilg_dr_code, ld->code);
    if (it->kind == CK_DRUG) {
        if (l->freq)
            fg__gen_row_str(row, SL_used_frqu_dscr, freq_text[l->freq]);
        if (l->prd_days > 0)
            fg__gen_row_u64(row, SL_prd_days, (uint64_t)l->prd_days);
        if (l->tkdrug)
            fg__gen_row_str(row, SL_dscg_tkdrug_flag, "1");
    }
    if (l->disc)
        fg__gen_row_str(row, SL_memo, "第二术式按50%计价");
    if (so->mode == 1 && so->orig_sn != NULL) {
        char osn[24];
        size_t n_osn = fg__gen_id_feedetl(g, so->orig_sn[i], osn);
        char *keep = row->scratch + row->used;
        if (row->used + n_osn <= sizeof(row->scratch)) {
            memcpy(keep, osn, n_osn);
            row->used += n_osn;
            fg__gen_row_mem(row, SL_init_feedetl_sn, keep, n_osn);
        }
    }
    fg__gen_row_str(row, SL_vali_flag, "1");
    fg__gen_row_emit(&g->tab[GF_FEE_LIST_D], row);
    g->st.fee_lines++;
}

/* One feedetail entry of the settlement document (after the first, a comma before it). */
static void setl_fee_json(setl_out_t *so, gen_out_t *js, uint32_t i, const char *sn, size_t n_sn)
{
    gen_ctx_t *g = so->g;
    const visit_t *v = so->v;
    const line_t *l = &v->lines[i];
    const gen_cat_t *it = &g->cat.items[l->cat];
    int neg = so->neg, mode = so->mode;
    char tmp[64];
    if (i > 0)
        out_c(js, ',');
    OUT_LIT(js, "{\"feedetl_sn\":\"");
    out_mem(js, sn, n_sn);
    OUT_LIT(js, "\",\"mdtrt_id\":\"");
    out_mem(js, so->mdtrt_id, so->n_mdtrt);
    OUT_LIT(js, "\",\"psn_no\":\"");
    out_s(js, so->ps->psn_no);
    OUT_LIT(js, "\",\"fee_ocur_time\":\"");
    fg__gen_out_time(js, l->t);
    OUT_LIT(js, "\",\"med_list_codg\":\"");
    out_mem(js, it->code, it->code_len);
    OUT_LIT(js, "\",\"cnt\":\"");
    out_mem(js, tmp, fg__gen_fmt_qty(tmp, neg * l->cnt));
    OUT_LIT(js, "\",");
    json_money(js, "pric", l->pric);
    out_c(js, ',');
    json_money(js, "det_item_fee_sumamt", neg * l->amt);
    out_c(js, ',');
    json_money(js, "pric_uplmt_amt", l->cap);
    OUT_LIT(js, ",\"bilg_dr_codg\":\"");
    out_s(js, g->reg.staff[l->doctor].code);
    out_c(js, '"');
    if (mode == 1 && so->orig_sn != NULL) {
        OUT_LIT(js, ",\"init_feedetl_sn\":\"");
        out_mem(js, tmp, fg__gen_id_feedetl(g, so->orig_sn[i], tmp));
        out_c(js, '"');
    }
    if (l->tr_n > 0 && mode != 2) {
        OUT_LIT(js, ",\"drug_trac_info\":[");
        for (uint32_t k = 0; k < l->tr_n; k++) {
            const tref_t *tr = &v->tr[l->tr_first + k];
            char code[64];
            size_t nc = fg__gen_trace_code(it, tr->serial, code);
            if (k > 0)
                out_c(js, ',');
            OUT_LIT(js, "{\"drug_trac_codg\":\"");
            out_mem(js, code, nc);
            OUT_LIT(js, "\",\"trdn_flag\":\"");
            out_c(js, tr->trdn ? '1' : '0');
            OUT_LIT(js, "\"}");
        }
        out_c(js, ']');
    }
    out_c(js, '}');
}

/* The settlement document from its setlinfo to the end of the line. */
static void setl_json_tail(setl_out_t *so, gen_out_t *js)
{
    const money_t *m = &so->m;
    int neg = so->neg;
    OUT_LIT(js, "],\"setlinfo\":{");
    json_kv_mem(js, "setl_id", so->setl_id, so->n_setl);
    out_c(js, ',');
    json_kv_mem(js, "mdtrt_id", so->mdtrt_id, so->n_mdtrt);
    out_c(js, ',');
    json_kv(js, "psn_no", so->ps->psn_no);
    OUT_LIT(js, ",\"setl_time\":\"");
    fg__gen_out_time(js, so->setl_time);
    OUT_LIT(js, "\",");
    json_money(js, "medfee_sumamt", neg * m->medfee);
    json_money_nz(js, "fulamt_ownpay_amt", neg * m->ownpay);
    json_money_nz(js, "inscp_amt", neg * m->inscp);
    json_money_nz(js, "hifp_pay", neg * m->hifp);
    json_money_nz(js, "fund_pay_sumamt", neg * m->fund);
    json_money_nz(js, "psn_pay", neg * m->psn);
    json_money_nz(js, "acct_pay", neg * m->acct);
    json_money_nz(js, "cash_payamt", neg * m->cash);
    OUT_LIT(js, ",\"refd_setl_flag\":\"");
    out_c(js, so->mode == 1 ? '1' : '0');
    out_c(js, '"');
    if (so->mode == 1) {
        OUT_LIT(js, ",\"init_setl_id\":\"");
        out_mem(js, so->init_setl, so->n_init);
        out_c(js, '"');
    }
    if (so->n_inv > 0) {
        OUT_LIT(js, ",\"invono\":\"");
        out_mem(js, so->invono, so->n_inv);
        out_c(js, '"');
    }
    OUT_LIT(js, "}}\n");
    js->rows++;
}

/* The e-invoice of the settlement (refunds reverse it; a second claim reuses it). */
static void setl_invoice_row(setl_out_t *so)
{
    gen_ctx_t *g = so->g;
    gen_row_t *row = so->row;
    fg__gen_row_begin(row);
    put_id(row, SL_invono, so->invono, so->n_inv);
    put_id(row, SL_setl_id, so->setl_id, so->n_setl);
    fg__gen_row_str(row, SL_psn_no, so->ps->psn_no);
    fg__gen_row_str(row, SL_fixmedins_code, so->in->code);
    fg__gen_row_date(row, so->cache, SL_invoice_date, fg_time_date(so->setl_time));
    fg__gen_row_fen(row, SL_amount, so->m.medfee);
    fg__gen_row_emit(&g->tab[GF_INVOICES], row);
    g->st.invoices++;
}

/* Cases: a whole settlement, or the evidence part of one. */
static void setl_cases(setl_out_t *so)
{
    gen_ctx_t *g = so->g;
    const visit_t *v = so->v;
    int mode = so->mode;
    if (mode == 0 && v->whole_case != GEN_NONE) {
        gen_case_t *c = &g->cases[v->whole_case];
        c->setl[0] = so->setl_no;
        c->mdtrt[0] = v->mdtrt_no;
        c->amount += so->m.medfee;
        c->time = so->setl_time;
        c->done = 1;
    }
    if (mode == 2 && v->whole_case != GEN_NONE) {
        gen_case_t *c = &g->cases[v->whole_case];
        c->setl[0] = so->setl_no;
        c->mdtrt[0] = v->mdtrt_no;
        c->amount = so->m.medfee;
        c->time = so->setl_time;
        c->done = 1;
    }
    if (mode == 0 && v->evid_case != GEN_NONE) {
        gen_case_t *c = &g->cases[v->evid_case];
        c->setl[1] = so->setl_no;
        c->mdtrt[1] = v->mdtrt_no;
    }
}

static void emit_settlement(gen_ctx_t *g, const person_t *ps, visit_t *v, fg_time_t setl_time,
                            int mode)
{
    setl_out_t so = {
        .g = g,
        .ps = ps,
        .v = v,
        .in = &g->reg.inst[v->inst],
        .row = &g->row,
        .cache = &g->tab[GF_SETL_D].out,
        .setl_time = setl_time,
        .mode = mode,
    };
    setl_begin(&so);
    if (mode == 0)
        setl_mdtrt_row(&so);
    setl_setl_row(&so);
    if (mode == 0 && v->kind != EV_PH)
        setl_diag_oprn_rows(&so);

    /* fee_list_d and the bundle's feedetail, line by line. */
    gen_out_t *js = &g->json[GF_SETTLEMENTS - GF__TABLES];
    setl_json_head(&so, js);
    for (uint32_t i = 0; i < v->nlines; i++) {
        char sn[24];
        size_t n_sn = fg__gen_id_feedetl(g, v->lines[i].sn, sn);
        setl_fee_row(&so, i, sn, n_sn);
        setl_fee_json(&so, js, i, sn, n_sn);
        /* Affected lines of cases. */
        if (v->lines[i].case_id != GEN_NONE && mode == 0)
            fg__gen_case_line(g, v->lines[i].case_id, v->lines[i].sn);
    }
    setl_json_tail(&so, js);
    if (mode == 0 && so.m.medfee > 0)
        setl_invoice_row(&so);
    if (mode != 2)
        emit_pack_events(g, ps, v, mode == 1, so.setl_no);
    fg_free(so.orig_sn);
    setl_cases(&so);
}

/* Settle the visit (and refund it when drawn so). */
/* Lines of normal care dated while their doctor is suspended (a stay begun before the
 * suspension) go to a colleague of the department: normal care never bills a suspended doctor. */
static void hand_over(gen_ctx_t *g, visit_t *v, gen_rng_t *r)
{
    if (v->whole_case != GEN_NONE || v->evid_case != GEN_NONE)
        return;
    for (uint32_t i = 0; i < v->nlines; i++) {
        line_t *l = &v->lines[i];
        fg_date_t d = fg_time_date(l->t);
        if (l->case_id != GEN_NONE || l->doctor == GEN_NONE ||
            staff_ok(&g->reg.staff[l->doctor], d))
            continue;
        l->doctor = doctor_for(g, v->inst, g->reg.staff[l->doctor].dept, d, r);
        l->dept = g->reg.staff[l->doctor].dept;
    }
}

static void settle(gen_ctx_t *g, const person_t *ps, visit_t *v, gen_rng_t *r)
{
    if (v->nlines == 0)
        return;
    hand_over(g, v, r);
    if (v->doctor == GEN_NONE)
        v->doctor = v->lines[0].doctor;
    fg_time_t st = v->end + 60 * rng_range(r, 1, 12);
    emit_settlement(g, ps, v, st, 0);
    /* Case lines are counted once the offending settlement is written. */
    for (uint32_t i = 0; i < v->nlines; i++) {
        const line_t *l = &v->lines[i];
        if (l->case_id == GEN_NONE)
            continue;
        gen_case_t *c = &g->cases[l->case_id];
        if (c->setl[0] == 0) {
            c->setl[0] = v->setl_no;
            c->mdtrt[0] = v->mdtrt_no;
        }
        if (c->scen == SC_rule_surgery_discount)
            c->amount += l->amt / 2;
        else if (c->scen == SC_rule_item_frequency) {
            const gen_cat_t *it = &g->cat.items[l->cat];
            fg_qty_t lim = (fg_qty_t)(it->freq_n ? it->freq_n : 1) * FG_QTY_ONE;
            fg_fen_t per = l->pric;
            c->amount += (l->cnt - lim) / FG_QTY_ONE * per;
        } else if (c->scen == SC_rule_price_cap) {
            c->amount += (l->pric - l->cap) * (l->cnt / FG_QTY_ONE);
        } else if (c->scen == SC_quantity_excess) {
            /* The part beyond a month's supply. */
            int months_supply = l->prd_days > 0 ? l->prd_days : 30;
            c->amount += l->amt - l->amt * 30 / months_supply;
        } else if (c->scen != SC_trace_sold_repurchased) {
            c->amount += l->amt;
        }
        if (c->time == FG_TIME_NONE)
            c->time = l->t;
        c->done = 1;
    }
    /* A few outpatient and pharmacy settlements are refunded (退费) within days. */
    if (v->kind != EV_STAY && v->whole_case == GEN_NONE && v->evid_case == GEN_NONE &&
        rng_chance(r, 0.012)) {
        int has_case = 0;
        for (uint32_t i = 0; i < v->nlines; i++)
            has_case |= v->lines[i].case_id != GEN_NONE;
        fg_time_t rt = st + 60 * rng_range(r, 10, 60 * 24 * 3);
        /* within the year: a return after the closing stock count would break its books */
        if (!has_case && fg_time_date(rt) < g->y0 + g->ndays) {
            for (uint32_t i = 0; i < v->nlines; i++)
                v->lines[i].t = rt;
            emit_settlement(g, ps, v, rt, 1);
        }
    }
}

/* ---------------------------------------------------------------- visit kinds */

static uint32_t dx_pick(const gen_ctx_t *g, const person_t *ps, unsigned where, fg_date_t d,
                        gen_rng_t *r)
{
    const gen_catalogue_t *c = &g->cat;
    uint32_t n = c->ndx_by_where[where];
    int age = age_on(ps, d);
    uint32_t best = GEN_NONE;
    for (int t = 0; t < 16 && n > 0; t++) {
        uint32_t i = c->dx_by_where[where][rng_below(r, n)];
        const gen_dx_t *dx = &c->dx[i];
        if (dx->sex && dx->sex != ps->p.sex)
            continue;
        if (age < dx->age_lo || age > dx->age_hi)
            continue;
        if (dx->chronic || (where != DXW_IP && strcmp(dx->code, "N18.900") == 0))
            continue;
        if (rng_below(r, 300) >= dx->weight)
            continue;
        best = i;
        break;
    }
    if (best == GEN_NONE) {
        for (uint32_t k = 0; k < n; k++) {
            const gen_dx_t *dx = &c->dx[c->dx_by_where[where][k]];
            if ((!dx->sex || dx->sex == ps->p.sex) && age >= dx->age_lo && age <= dx->age_hi &&
                !dx->chronic && dx->weight >= 40)
                return c->dx_by_where[where][k];
        }
        return c->dx_by_where[where][0];
    }
    return best;
}

/* An outpatient visit: consultation, exams of the diagnosis, drugs. */
static void build_op(gen_ctx_t *g, person_t *ps, visit_t *v, uint32_t inst, uint32_t dx_i,
                     fg_time_t t, int chronic, uint32_t force_doctor, gen_rng_t *r)
{
    const gen_dx_t *dx = &g->cat.dx[dx_i];
    visit_begin(v, EV_OP, inst, dx_i, t, ps);
    if (chronic && g->reg.inst[inst].kind <= IK_H2)
        memcpy(v->med_type, "14", 3);
    if (dx->injury)
        v->ext = 1; /* a fall, unless the caller says otherwise */
    fg_date_t d = fg_time_date(t);
    uint32_t doctor = force_doctor != GEN_NONE ? force_doctor : doctor_for(g, inst, dx->dept, d, r);
    v->doctor = doctor;
    int er = !chronic && g->reg.inst[inst].kind <= IK_H2 && rng_chance(r, 0.08);
    item_line(g, ps, v, er ? g->cat.it_er_consult : g->cat.it_consult, t, doctor, 1);
    template_items(g, ps, v, dx->op_items, add_min(t, 6), doctor, chronic ? 0.3 : 0.4, r);
    op_drugs(g, ps, v, dx, add_min(t, 12), doctor, chronic, r);
    if (!chronic)
        inflate(g, ps, v, dx, add_min(t, 14), doctor, r);
    v->end = add_min(t, rng_range(r, 15, 50));
}

/* A pharmacy purchase: 1–3 drugs of the diagnosis (or the chronic refill). */
static void build_ph(gen_ctx_t *g, person_t *ps, visit_t *v, uint32_t inst, uint32_t dx_i,
                     fg_time_t t, int chronic, gen_rng_t *r)
{
    const gen_dx_t *dx = &g->cat.dx[dx_i];
    visit_begin(v, EV_PH, inst, dx_i, t, ps);
    uint32_t ph = doctor_for(g, inst, DP_PHARM, fg_time_date(t), r);
    v->doctor = ph;
    int n = chronic ? rng_range(r, 1, 2) : rng_range(r, 1, 2);
    for (int k = 0; k < n; k++) {
        uint32_t cat = pick_drug(g, ps, v, dx->area, fg_time_date(t), r);
        if (cat == GEN_NONE)
            continue;
        int dup = 0;
        for (uint32_t j = 0; j < v->nlines; j++)
            dup |= v->lines[j].cat == cat;
        if (dup || supply_left(ps, cat, fg_time_date(t)))
            continue;
        const gen_cat_t *it = &g->cat.items[cat];
        int days = chronic ? 30 : rng_range(r, 3, 7);
        supply_note(ps, cat, fg_time_date(t), days);
        int packs = 1;
        if (chronic)
            packs = packs_for(it, 30);
        else if (rng_chance(r, 0.25))
            packs = 2;
        if (packs > 3)
            packs = 3;
        if (packs < 1)
            packs = 1;
        drug_packs(g, v, cat, add_min(t, k), ph, packs, days);
    }
    v->end = add_min(t, rng_range(r, 2, 8));
}

/* A visit of its own at inst on day d: a purchase at a pharmacy, else an outpatient visit at t
 * (FG_TIME_NONE: a usual hour). Each draw is its own statement, so every compiler makes them in
 * the same order (the order of a call's arguments is unspecified in C). */
static void build_walk_in(gen_ctx_t *g, person_t *ps, visit_t *v, uint32_t inst, fg_date_t d,
                          fg_time_t t, gen_rng_t *r)
{
    if (g->reg.inst[inst].kind >= IK_PH_CHAIN) {
        uint32_t dx = dx_pick(g, ps, DXW_PH, d, r);
        build_ph(g, ps, v, inst, dx, at(g, d, ph_minute(r)), 0, r);
    } else {
        uint32_t dx = dx_pick(g, ps, DXW_OP, d, r);
        if (t == FG_TIME_NONE)
            t = at(g, d, op_minute(r));
        build_op(g, ps, v, inst, dx, t, 0, GEN_NONE, r);
    }
}

/* An inpatient stay: admission tests, daily bed, consultation, nursing, drugs (split packs),
 * consumables, the operation, discharge drugs. */
static void build_stay(gen_ctx_t *g, person_t *ps, visit_t *v, uint32_t inst, uint32_t dx_i,
                       fg_time_t t, int los, int dies, gen_rng_t *r)
{
    const gen_catalogue_t *C = &g->cat;
    const gen_dx_t *dx = &C->dx[dx_i];
    visit_begin(v, EV_STAY, inst, dx_i, t, ps);
    if (strcmp(dx->code, "O80.000") == 0)
        memcpy(v->med_type, "52", 3);
    if (dx->injury)
        v->ext = 1;
    v->los = los;
    v->died = dies;
    fg_date_t d0 = fg_time_date(t);
    uint32_t doctor = doctor_for(g, inst, dx->dept, d0, r);
    v->doctor = doctor;
    int newborn = strcmp(dx->code, "P59.900") == 0;
    int severe = los >= 10 || dies;
    /* A second diagnosis from the person's chronic conditions. */
    for (int k = 0; k < 8 && v->ndx < 3; k++) {
        if (!(ps->p.chronic & (1u << k)))
            continue;
        uint32_t cd = fg__gen_chronic_dx(g, k);
        if (cd != GEN_NONE && cd != dx_i && rng_chance(r, 0.6))
            v->dx[v->ndx++] = cd;
    }
    /* Admission day tests. */
    template_items(g, ps, v, dx->ip_items, add_min(t, 40), doctor, 0.85, r);
    /* Daily care. */
    uint32_t iv_drug = pick_drug(g, ps, v, dx->ip_area, d0, r);
    uint32_t oral = GEN_NONE;
    uint8_t oral_area[3] = {dx->ip_area[1], dx->ip_area[2], dx->area[0]};
    if (rng_chance(r, 0.55))
        oral = pick_drug(g, ps, v, oral_area, d0, r);
    uint32_t iv_units = 1 + (uint32_t)rng_below(r, 2);
    int surgery_day =
        dx->surgery != NULL || dx->oprn != NULL ? rng_range(r, 0, los > 2 ? 1 : 0) : -1;
    for (int day = 0; day < los; day++) {
        fg_time_t td = at(g, d0 + day, 8 * 60 + rng_range(r, 0, 90));
        if (day == 0)
            td = add_min(t, 30);
        item_line(g, ps, v, newborn ? C->it_bed_newborn : C->it_bed, td, doctor, 1);
        item_line(g, ps, v, C->it_ip_consult, add_min(td, 2), doctor, 1);
        item_line(g, ps, v,
                  newborn ? C->it_nurse_newborn : (severe && day < 3 ? C->it_nurse1 : C->it_nurse2),
                  add_min(td, 3), doctor, 1);
        template_items(g, ps, v, dx->daily, add_min(td, 5), doctor, 0.6, r);
        if (iv_drug != GEN_NONE && (day < los - 1 || los == 1)) {
            const gen_cat_t *it = &C->items[iv_drug];
            /* Course-limited drugs stop at their course. */
            if (!(it->course && day >= it->course)) {
                drug_units(g, v, C->saline, add_min(td, 30), doctor, 1);
                drug_units(g, v, iv_drug, add_min(td, 31), doctor, iv_units);
                cons_line(g, v, C->cons_infusion_set, add_min(td, 32), doctor, 1);
            }
        }
        if (oral != GEN_NONE)
            drug_units(g, v, oral, add_min(td, 60), doctor, 1 + (uint32_t)(day % 2));
        if (day == surgery_day) {
            fg_time_t ts = at(g, d0 + day, 9 * 60 + rng_range(r, 0, 300));
            uint32_t surgeon = doctor_for(g, inst, DP_SURG, d0 + day, r);
            if (dx->surgery != NULL) {
                uint32_t sc = fg__gen_cat_find(C, dx->surgery);
                item_line(g, ps, v, sc, ts, surgeon, 1);
            }
            item_line(g, ps, v, C->it_anesth_local, ts, surgeon, 1);
            item_line(g, ps, v, C->it_anesth_mon, ts, surgeon, rng_range(r, 1, 3));
            cons_line(g, v, C->cons_suture, ts, surgeon, rng_range(r, 1, 3));
            cons_line(g, v, C->cons_gauze, ts, surgeon, rng_range(r, 2, 6));
            if (dx->cons != NULL) {
                if (strcmp(dx->cons, "lap") == 0)
                    cons_line(g, v, C->cons_trocar, ts, surgeon, 1);
                else if (strcmp(dx->cons, "stent") == 0)
                    cons_line(g, v, C->cons_stent, ts, surgeon, rng_range(r, 1, 2));
                else if (strcmp(dx->cons, "hip") == 0)
                    cons_line(g, v, C->cons_hip, ts, surgeon, 1);
                else if (strcmp(dx->cons, "plate") == 0)
                    cons_line(g, v, C->cons_plate, ts, surgeon, 1);
            }
            if (dx->oprn != NULL && v->nop < 3) {
                const char *bar = strchr(dx->oprn, '|');
                oprn_t *o = &v->op[v->nop++];
                size_t n = bar != NULL ? (size_t)(bar - dx->oprn) : strlen(dx->oprn);
                if (n > sizeof(o->code) - 1)
                    n = sizeof(o->code) - 1;
                memcpy(o->code, dx->oprn, n);
                o->code[n] = '\0';
                o->name = bar != NULL ? bar + 1 : "";
                o->t = ts;
                o->doctor = surgeon;
            }
        }
    }
    if (v->ndx > 0 && strcmp(dx->code, "E11.600") == 0)
        cons_line(g, v, C->cons_pen_needle, add_min(t, 50), doctor, 7);
    fg_date_t dend = d0 + los;
    fg_time_t tend = dies ? at(g, dend, rng_range(r, 0, 24 * 60 - 1))
                          : at(g, dend, 9 * 60 + rng_range(r, 0, 150));
    /* Discharge drugs. */
    if (!dies && oral != GEN_NONE && rng_chance(r, 0.6)) {
        line_t *l = drug_packs(g, v, oral, add_min(tend, -30), doctor, rng_range(r, 1, 2), 14);
        if (l != NULL)
            l->tkdrug = 1;
    }
    if (!dies)
        inflate(g, ps, v, dx, add_min(t, 45), doctor, r);
    v->end = tend;
}

/* ---------------------------------------------------------------- the person's year */

static int ev_push(gen_care_t *c, const ev_t *e)
{
    if (c->nev == c->ev_cap) {
        uint32_t cap = c->ev_cap ? c->ev_cap * 2 : 256;
        ev_t *p = fg_realloc_array(c->ev, cap, sizeof(*p));
        if (p == NULL)
            return FG_ENOMEM;
        c->ev = p;
        c->ev_cap = cap;
    }
    c->ev[c->nev] = *e;
    c->ev[c->nev].seq = c->nev;
    c->nev++;
    return 0;
}

static int ev_cmp(const void *a, const void *b)
{
    const ev_t *x = a;
    const ev_t *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static fg_date_t draw_day(const gen_ctx_t *g, const double *cdf, gen_rng_t *r)
{
    return g->y0 + (fg_date_t)fg__gen_pick_cdf(r, cdf, (uint32_t)g->ndays);
}

/* A hospital for the person: own county and city hospitals by beds, open on day d. */
static uint32_t hospital_for(const gen_ctx_t *g, const person_t *ps, fg_date_t d, int ip,
                             gen_rng_t *r)
{
    const gen_county_t *co = &g->reg.counties[ps->p.county];
    for (int t = 0; t < 12 && co->nhosp > 0; t++) {
        uint32_t i = co->hosp[fg__gen_pick_cdf(r, co->bed_cdf, co->nhosp)];
        const gen_inst_t *in = &g->reg.inst[i];
        if (!ip && in->kind == IK_H1 && rng_chance(r, 0.5))
            continue;
        if (inst_open(in, d))
            return i;
    }
    return GEN_NONE;
}

static uint32_t primary_for(const gen_ctx_t *g, const person_t *ps, fg_date_t d, gen_rng_t *r)
{
    if (inst_open(&g->reg.inst[ps->p.clinic], d))
        return ps->p.clinic;
    return hospital_for(g, ps, d, 0, r);
}

static uint32_t pharmacy_for(const gen_ctx_t *g, const person_t *ps, fg_date_t d, gen_rng_t *r)
{
    for (int k = 0; k < 2; k++) {
        uint32_t i = ps->p.pharm[rng_chance(r, 0.7) ? 0 : 1];
        if (i != GEN_NONE && inst_open(&g->reg.inst[i], d))
            return i;
    }
    for (int k = 0; k < 2; k++)
        if (ps->p.pharm[k] != GEN_NONE && inst_open(&g->reg.inst[ps->p.pharm[k]], d))
            return ps->p.pharm[k];
    return GEN_NONE;
}

/* Inpatient diagnosis for the person's age and sex (weights of the table). */
static uint32_t ip_dx(const gen_ctx_t *g, const person_t *ps, fg_date_t d, gen_rng_t *r)
{
    int age = age_on(ps, d);
    if (age == 0 && rng_chance(r, 0.6)) {
        for (uint32_t i = 0; i < g->cat.ndx; i++)
            if (strcmp(g->cat.dx[i].code, "P59.900") == 0)
                return i;
    }
    if (ps->p.sex == 2 && age >= 20 && age <= 40 && rng_chance(r, 0.45)) {
        for (uint32_t i = 0; i < g->cat.ndx; i++)
            if (strcmp(g->cat.dx[i].code, "O80.000") == 0)
                return i;
    }
    for (int t = 0; t < 24; t++) {
        uint32_t i = dx_pick(g, ps, DXW_IP, d, r);
        const gen_dx_t *dx = &g->cat.dx[i];
        if (strcmp(dx->code, "P59.900") == 0 || strcmp(dx->code, "O80.000") == 0)
            continue;
        return i;
    }
    return dx_pick(g, ps, DXW_IP, d, r);
}

static int los_for(const gen_dx_t *dx, gen_rng_t *r)
{
    double v = fg__gen_lognormal(r, dx->los > 0 ? dx->los : 5, 0.4);
    int los = (int)(v + 0.5);
    if (los < 1)
        los = 1;
    if (los > 60)
        los = 60;
    return los;
}

/* Normal stays: admission days by season, no overlap, at least 20 days apart. */
static int plan_stays(gen_ctx_t *g, person_t *ps, gen_rng_t *r)
{
    gen_care_t *c = g->care;
    int want = ps->p.nstays;
    int dies_in_hospital =
        ps->death != FG_DATE_NONE && age_on(ps, ps->death) >= 60 && rng_chance(r, 0.55);
    for (int k = 0; k < want + dies_in_hospital; k++) {
        int last = k == want; /* the terminal stay */
        for (int t = 0; t < 8; t++) {
            fg_date_t d = draw_day(g, c->cdf_ip, r);
            uint32_t dx = ip_dx(g, ps, d, r);
            int los = los_for(&g->cat.dx[dx], r);
            if (last) {
                los = rng_range(r, 2, 15);
                d = ps->death - los;
                if (d < g->y0)
                    d = g->y0;
                los = ps->death - d;
                if (los < 1)
                    break;
            }
            fg_date_t e = d + los;
            if (!last && ps->death != FG_DATE_NONE && e >= ps->death)
                continue;
            if (e >= g->y0 + g->ndays - 1)
                continue;
            int clash = 0;
            for (int i = 0; i < ps->nstays; i++)
                if (d <= ps->stay_to[i] + 20 && e + 20 >= ps->stay_from[i])
                    clash = 1;
            if (clash || ps->nstays >= 12)
                continue;
            uint32_t inst = hospital_for(g, ps, d, 1, r);
            if (inst == GEN_NONE || !inst_open(&g->reg.inst[inst], e))
                continue;
            ps->stay_from[ps->nstays] = d;
            ps->stay_to[ps->nstays] = e;
            ps->stay_inst[ps->nstays] = inst;
            ps->nstays++;
            ev_t ev = {0};
            ev.kind = EV_STAY;
            ev.t = at(g, d,
                      rng_chance(r, 0.15) ? rng_range(r, 0, 24 * 60 - 1)
                                          : rng_range(r, 8 * 60, 16 * 60));
            ev.dx = dx;
            ev.los = (uint16_t)los;
            ev.inst = inst;
            ev.sub = (uint8_t)last;
            if (ev_push(c, &ev) != 0)
                return FG_ENOMEM;
            break;
        }
    }
    return 0;
}

/* Outpatient visits, purchases, chronic refills, dialysis: never during a stay, never after death.
 */
static int plan_visits(gen_ctx_t *g, person_t *ps, gen_rng_t *r)
{
    gen_care_t *c = g->care;
    int age = ps->age_mid;
    double base_op = age < 5 ? 2.6 : age < 15 ? 1.4 : age < 45 ? 0.9 : age < 65 ? 1.35 : 2.0;
    double base_ph = age < 15 ? 0.7 : age < 45 ? 1.2 : 1.3;
    double f = ps->p.frailty;
    int nop = fg__gen_poisson(r, base_op * (0.5 + 0.5 * f));
    int nph = fg__gen_poisson(r, base_ph * (0.6 + 0.4 * f));
    if (nop > 24)
        nop = 24;
    if (nph > 20)
        nph = 20;
    for (int k = 0; k < nop + nph; k++) {
        int is_op = k < nop;
        fg_date_t d = draw_day(g, is_op ? c->cdf_op : c->cdf_ph, r);
        if (busy(ps, d) || !alive(ps, d))
            continue;
        ev_t ev = {0};
        ev.kind = is_op ? EV_OP : EV_PH;
        ev.t = at(g, d, is_op ? op_minute(r) : ph_minute(r));
        ev.dx = dx_pick(g, ps, is_op ? DXW_OP : DXW_PH, d, r);
        if (ev_push(c, &ev) != 0)
            return FG_ENOMEM;
    }
    /* Chronic conditions: a refill about every month (pharmacy or primary care); diabetics see
     * their doctor each quarter; dialysis three times a week. */
    for (int k = 0; k < 8; k++) {
        if (!(ps->p.chronic & (1u << k)))
            continue;
        uint32_t dxi = fg__gen_chronic_dx(g, k);
        if (dxi == GEN_NONE)
            continue;
        if (k == 7) {
            int wd0 = rng_range(r, 0, 1);
            for (int day = 0; day < g->ndays; day++) {
                fg_date_t d = g->y0 + day;
                int wd = fg_date_weekday(d);
                if (wd != wd0 && wd != wd0 + 2 && wd != wd0 + 4)
                    continue;
                if (busy(ps, d) || !alive(ps, d))
                    continue;
                ev_t ev = {0};
                ev.kind = EV_DIAL;
                ev.t = at(g, d, wd0 == 0 ? 7 * 60 + 30 : 13 * 60);
                ev.dx = dxi;
                if (ev_push(c, &ev) != 0)
                    return FG_ENOMEM;
            }
            continue;
        }
        fg_date_t d = g->y0 + rng_range(r, 0, 27);
        int n = 0;
        while (d < g->y0 + g->ndays) {
            if (!busy(ps, d) && alive(ps, d) && rng_chance(r, 0.7)) {
                ev_t ev = {0};
                ev.kind = EV_CHRONIC;
                ev.sub = (uint8_t)k;
                ev.t = at(g, d, rng_chance(r, 0.5) ? op_minute(r) : ph_minute(r));
                ev.dx = dxi;
                ev.plan = (uint32_t)(n % 3 == 0 && k == 1); /* diabetics: quarterly tests */
                if (ev_push(c, &ev) != 0)
                    return FG_ENOMEM;
                n++;
            }
            d += rng_range(r, 28, 36);
        }
    }
    /* Work injury (paid by work-injury insurance) for employees. */
    if (ps->p.emp && !ps->p.retired && rng_chance(r, 0.003)) {
        fg_date_t d = draw_day(g, c->cdf_op, r);
        if (!busy(ps, d) && alive(ps, d)) {
            ev_t ev = {0};
            ev.kind = EV_WORKINJ;
            ev.t = at(g, d, op_minute(r));
            if (ev_push(c, &ev) != 0)
                return FG_ENOMEM;
        }
    }
    return 0;
}

static void injury_row(gen_ctx_t *g, const person_t *ps, int kind, fg_date_t d, uint64_t n)
{
    gen_row_t *row = &g->row;
    char rec[64];
    int y, m, dd;
    fg_date_to_ymd(d, &y, &m, &dd);
    if (kind == 1)
        snprintf(rec, sizeof(rec), "公交认字[%d]第%06llu号", y, (unsigned long long)n);
    else
        snprintf(rec, sizeof(rec), "工伤认定[%d]%06llu号", y, (unsigned long long)n);
    fg__gen_row_begin(row);
    fg__gen_row_str(row, SL_psn_no, ps->psn_no);
    fg__gen_row_str(row, SL_kind, kind == 1 ? "traffic" : "work");
    fg__gen_row_date(row, &g->tab[GF_INJURIES].out, SL_injury_date, d);
    fg__gen_row_str(row, SL_record_no, rec);
    fg__gen_row_str(row, SL_region, g->reg.counties[ps->p.county].code);
    fg__gen_row_emit(&g->tab[GF_INJURIES], row);
    g->st.injuries++;
}

/* Whether an event of the person's year from index `from` on is care of an injury (ICD-10 S/T)
 * on or after day d: a traffic or work-injury record before it would make that care look owed by
 * a third party, so normal care never has one. */
static int injury_care_after(const gen_ctx_t *g, uint32_t from, fg_date_t d)
{
    const gen_care_t *C = g->care;
    for (uint32_t e = from; e < C->nev; e++) {
        const ev_t *ev = &C->ev[e];
        if (ev->kind == EV_PLAN || ev->dx >= g->cat.ndx || fg_time_date(ev->t) < d)
            continue;
        char c = g->cat.dx[ev->dx].code[0];
        if (c == 'S' || c == 'T')
            return 1;
    }
    return 0;
}

static uint32_t dx_code(const gen_ctx_t *g, const char *code)
{
    for (uint32_t i = 0; i < g->cat.ndx; i++)
        if (strcmp(g->cat.dx[i].code, code) == 0)
            return i;
    return 0;
}

/* The outpatient diagnosis under which a drug is plausibly given. */
static uint32_t dx_for_drug(const gen_ctx_t *g, uint32_t cat)
{
    switch (g->cat.items[cat].area) {
    case AR_CARDIO:
        return dx_code(g, "I10.x00");
    case AR_DIAB:
        return dx_code(g, "E11.900");
    case AR_PAIN:
        return dx_code(g, "M54.500");
    case AR_GI:
        return dx_code(g, "K29.700");
    default:
        return dx_code(g, "J06.900");
    }
}

/* A pharmacy sale of a planned drug with planned trace serials. */
static void planned_sale(gen_ctx_t *g, person_t *ps, visit_t *v, uint32_t inst, uint32_t cat,
                         fg_time_t t, uint64_t serial, int packs, int buy, gen_rng_t *r)
{
    visit_begin(v, g->reg.inst[inst].kind >= IK_PH_CHAIN ? EV_PH : EV_OP, inst, dx_for_drug(g, cat),
                t, ps);
    uint32_t doc = doctor_for(g, inst, g->reg.inst[inst].kind >= IK_PH_CHAIN ? DP_PHARM : DP_MED,
                              fg_time_date(t), r);
    v->doctor = doc;
    if (v->kind == EV_OP)
        item_line(g, ps, v, g->cat.it_consult, t, doc, 1);
    line_t *l = line_add(g, v, cat, add_min(t, 3), doc);
    if (l == NULL)
        return;
    const gen_cat_t *it = &g->cat.items[cat];
    l->cnt = (fg_qty_t)packs * FG_QTY_ONE;
    l->amt = it->price * packs;
    l->prd_days = 30;
    l->freq = 1;
    l->tr_first = v->ntr;
    for (int k = 0; k < packs; k++) {
        tref_t *tr = tr_add(v);
        if (tr == NULL)
            break;
        tr->serial = serial + (uint64_t)k;
        tr->units = it->pack_units;
        tr->buy = (uint8_t)buy;
    }
    l->tr_n = v->ntr - l->tr_first;
    v->end = add_min(t, rng_range(r, 3, 20));
}

/* The injected line of a rule scenario, added to an outpatient visit. */
static line_t *inject(gen_ctx_t *g, visit_t *v, uint32_t cat, fg_time_t t, uint32_t doctor,
                      uint32_t case_id, gen_rng_t *r)
{
    if (cat == GEN_NONE)
        return NULL;
    const gen_cat_t *it = &g->cat.items[cat];
    line_t *l;
    if (it->kind == CK_DRUG)
        l = drug_packs(g, v, cat, t, doctor, it->form == FORM_INFUSION ? rng_range(r, 1, 3) : 1,
                       it->form == FORM_INFUSION ? 1 : 7);
    else
        l = line_add(g, v, cat, t, doctor);
    if (l != NULL)
        l->case_id = case_id;
    return l;
}

/* Stays of the plan: reserve their days so normal care keeps out. */
static void reserve_plan_stays(gen_ctx_t *g, person_t *ps)
{
    for (uint32_t k = 0; k < ps->nplan && ps->nstays < 10; k++) {
        const gen_plan_item_t *it = &ps->plan[k];
        int los = 0;
        switch (it->scen) {
        case SC_care_during_stay:
            los = it->arg;
            break;
        case SC_readmission_15d: {
            fg_date_t d2 = it->day + it->arg + it->arg2;
            ps->stay_from[ps->nstays] = it->day;
            ps->stay_to[ps->nstays] = it->day + it->arg;
            ps->nstays++;
            ps->stay_from[ps->nstays] = d2;
            ps->stay_to[ps->nstays] = d2 + g->cat.dx[it->aux].los + 3;
            ps->nstays++;
            continue;
        }
        default:
            if (it->arg2 == 1 && it->scen >= SC_rule_gender_drug && it->scen <= SC_rule_indication)
                los = it->arg > 0 ? it->arg : 12;
            break;
        }
        if (los > 0) {
            ps->stay_from[ps->nstays] = it->day;
            ps->stay_to[ps->nstays] = it->day + los + 3;
            ps->nstays++;
        }
    }
}

/* The parts of fraud cases this person plays. */
/* Planned trace-code cases: a pack sold twice, sold back into stock, never bought. */
static void run_plan_trace(gen_ctx_t *g, person_t *ps, const gen_plan_item_t *it, fg_time_t t,
                           gen_rng_t *r)
{
    visit_t *v = &g->care->v;
    const gen_catalogue_t *K = &g->cat;
    gen_case_t *c = &g->cases[it->case_id];
    fg_date_t d = it->day;
    switch (it->scen) {
    case SC_trace_dup_same_inst:
    case SC_trace_dup_other_inst:
    case SC_trace_reflow: {
        if (it->role == 1) {
            planned_sale(g, ps, v, it->inst, it->cat, t, it->serial, 1, 1, r);
            v->evid_case = it->case_id;
            settle(g, ps, v, r);
            return;
        }
        t = at(g, d, ph_minute(r));
        if (it->scen == SC_trace_reflow) {
            /* The pharmacy buys the returned pack in (回流) a day or two before selling it. */
            fg_time_t pt = t - 3600 * rng_range(r, 20, 60);
            emit_lev(g, LV_PURCHASE, pt, it->inst, it->cat, it->serial,
                     K->items[it->cat].pack_units, 0, 0, 0, NULL,
                     K->items[it->cat].price * 60 / 100);
            gen_stock_entry_t *se = fg__gen_stock_at(&g->stock, it->inst, it->cat);
            if (se != NULL) {
                se->reflow++;
                se->reflow_sold++;
            }
        }
        planned_sale(g, ps, v, it->inst, it->cat, t, it->serial, 1, 0, r);
        if (it->scen != SC_trace_reflow) {
            gen_stock_entry_t *se = fg__gen_stock_at(&g->stock, it->inst, it->cat);
            if (se != NULL)
                se->fake++;
        }
        v->lines[v->nlines - 1].case_id = it->case_id;
        c->person = ps->p.idx;
        settle(g, ps, v, r);
        return;
    }
    case SC_trace_sold_repurchased: {
        t = at(g, d, ph_minute(r));
        planned_sale(g, ps, v, it->inst2 == GEN_NONE ? it->inst : it->inst, it->cat, t, it->serial,
                     1, 1, r);
        v->evid_case = it->case_id;
        settle(g, ps, v, r);
        if (it->inst2 != GEN_NONE) {
            fg_time_t pt = at(g, d + it->arg, 10 * 60 + rng_range(r, 0, 240));
            emit_lev(g, LV_PURCHASE, pt, it->inst2, it->cat, it->serial,
                     K->items[it->cat].pack_units, 0, 0, 0, NULL,
                     K->items[it->cat].price * 60 / 100);
            gen_stock_entry_t *se = fg__gen_stock_at(&g->stock, it->inst2, it->cat);
            if (se != NULL)
                se->reflow++;
            c->amount = K->items[it->cat].price;
            c->time = pt;
            c->done = 1;
        }
        return;
    }
    case SC_trace_sale_unpurchased:
        t = at(g, d, ph_minute(r));
        planned_sale(g, ps, v, it->inst, it->cat, t, it->serial, it->arg > 0 ? it->arg : 2, 0, r);
        {
            gen_stock_entry_t *se = fg__gen_stock_at(&g->stock, it->inst, it->cat);
            if (se != NULL)
                se->fake += (uint32_t)(it->arg > 0 ? it->arg : 2);
        }
        v->lines[v->nlines - 1].case_id = it->case_id;
        settle(g, ps, v, r);
        return;
    default:
        return;
    }
}

/* Planned rule cases: a line one national or local rule refuses. */
static void run_plan_rule(gen_ctx_t *g, person_t *ps, const gen_plan_item_t *it, fg_time_t t,
                          gen_rng_t *r)
{
    visit_t *v = &g->care->v;
    const gen_catalogue_t *K = &g->cat;
    fg_date_t d = it->day;
    switch (it->scen) {
    case SC_rule_gender_drug:
    case SC_rule_child_drug:
    case SC_rule_inst_level:
    case SC_rule_inpatient_only:
    case SC_rule_insurance_type:
    case SC_rule_gender_item:
    case SC_rule_age_item: {
        uint32_t dx = dx_pick(g, ps, DXW_OP, d, r);
        if (it->scen == SC_rule_insurance_type)
            dx = dx_code(g, "T14.000");
        build_op(g, ps, v, it->inst, dx, t, 0, GEN_NONE, r);
        inject(g, v, it->cat, add_min(t, 9), v->doctor, it->case_id, r);
        settle(g, ps, v, r);
        return;
    }
    case SC_rule_price_cap: {
        uint32_t dx = dx_pick(g, ps, DXW_OP, d, r);
        build_op(g, ps, v, it->inst, dx, t, 0, GEN_NONE, r);
        /* The costliest line is charged above its cap. */
        line_t *best = NULL;
        for (uint32_t i = 0; i < v->nlines; i++)
            if (K->items[v->lines[i].cat].lv != 3 && (best == NULL || v->lines[i].amt > best->amt))
                best = &v->lines[i];
        if (best != NULL) {
            int pct = rng_range(r, 15, 80);
            best->pric = best->cap + (best->cap * pct + 99) / 100;
            best->amt = best->pric * (best->cnt / FG_QTY_ONE);
            best->case_id = it->case_id;
        }
        settle(g, ps, v, r);
        return;
    }
    case SC_rule_diag_gender: {
        build_op(g, ps, v, it->inst, it->aux, t, 0, GEN_NONE, r);
        /* Lines that break nothing but the diagnosis: consultation, a test, a plain drug. */
        uint32_t keep = 0;
        for (uint32_t i = 0; i < v->nlines; i++)
            if (K->items[v->lines[i].cat].lim_sex == 0)
                v->lines[keep++] = v->lines[i];
        v->nlines = keep;
        v->whole_case = it->case_id;
        settle(g, ps, v, r);
        return;
    }
    case SC_rule_period_frequency: {
        const gen_cat_t *pi = &K->items[it->cat];
        uint32_t dx =
            strncmp(pi->code, "0025", 4) == 0 ? dx_code(g, "E11.900") : dx_code(g, "I69.300");
        for (int rep = 0; rep < 2; rep++) {
            fg_date_t dd = d + (rep ? it->arg : 0);
            fg_time_t tt = at(g, dd, op_minute(r));
            build_op(g, ps, v, it->inst, dx, tt, 0, GEN_NONE, r);
            /* Remove the template's own copy, then bill it once. */
            uint32_t keep = 0;
            for (uint32_t i = 0; i < v->nlines; i++)
                if (v->lines[i].cat != it->cat)
                    v->lines[keep++] = v->lines[i];
            v->nlines = keep;
            line_t *l = line_add(g, v, it->cat, add_min(tt, 8), v->doctor);
            if (l != NULL && rep == 1)
                l->case_id = it->case_id;
            if (rep == 0)
                v->evid_case = it->case_id;
            settle(g, ps, v, r);
        }
        ps->last_hba1c = d + it->arg;
        return;
    }
    default:
        return;
    }
}

/* Planned cases of several settlements: a quantity over two purchases, frequent visits, a
 * co-visiting group. */
static void run_plan_series(gen_ctx_t *g, person_t *ps, const gen_plan_item_t *it, gen_rng_t *r)
{
    visit_t *v = &g->care->v;
    const gen_catalogue_t *K = &g->cat;
    gen_case_t *c = &g->cases[it->case_id];
    fg_date_t d = it->day;
    switch (it->scen) {
    case SC_quantity_excess: {
        const gen_cat_t *qi = &K->items[it->cat];
        for (int rep = 0; rep < 2; rep++) {
            fg_date_t dd = d + (rep ? it->arg2 : 0);
            fg_time_t tt = at(g, dd, ph_minute(r));
            visit_begin(v, EV_PH, it->inst, dx_for_drug(g, it->cat), tt, ps);
            v->doctor = doctor_for(g, it->inst, DP_PHARM, dd, r);
            int days = rep == 0 ? it->arg : 30;
            int packs = packs_for(qi, days);
            line_t *l = drug_packs(g, v, it->cat, add_min(tt, 2), v->doctor, packs, days);
            if (l != NULL && rep == 0)
                l->case_id = it->case_id;
            v->end = add_min(tt, 5);
            if (rep == 1)
                v->evid_case = it->case_id;
            settle(g, ps, v, r);
        }
        return;
    }
    case SC_frequent_visits: {
        int n = it->arg;
        for (int k = 0; k < n; k++) {
            fg_date_t dd = d + (fg_date_t)((int64_t)k * it->arg2 / n);
            fg_time_t tt = at(g, dd, ph_minute(r));
            uint32_t inst = (k % 3 == 2) ? it->inst2 : it->inst;
            if (!inst_open(&g->reg.inst[inst], dd))
                inst = inst == it->inst ? it->inst2 : it->inst; /* the other one, if open */
            if (!inst_open(&g->reg.inst[inst], dd))
                continue;
            visit_begin(v, EV_PH, inst, dx_for_drug(g, it->cat), tt, ps);
            v->doctor = doctor_for(g, inst, DP_PHARM, dd, r);
            line_t *l = drug_packs(g, v, it->cat, add_min(tt, 2), v->doctor, 1, 3);
            if (l != NULL)
                l->case_id = it->case_id;
            v->end = add_min(tt, 4);
            settle(g, ps, v, r);
            c->nsetl++;
        }
        return;
    }
    case SC_covisit_group: {
        const gen_group_t *gr = &g->groups[it->aux];
        for (uint32_t o = 0; o < gr->nocc; o++) {
            fg_date_t dd = gr->occ_day[o];
            if (busy(ps, dd))
                continue;
            fg_time_t tt = at(g, dd, gr->occ_min[o] + (int)it->role * rng_range(r, 1, 3));
            uint32_t inst = gr->occ_inst[o];
            if (inst == GEN_NONE || gr->cat == GEN_NONE)
                continue;
            visit_begin(v, EV_PH, inst, dx_for_drug(g, gr->cat), tt, ps);
            v->doctor = doctor_for(g, inst, DP_PHARM, dd, r);
            drug_packs(g, v, gr->cat, add_min(tt, 1), v->doctor, 1, 7);
            v->end = add_min(tt, 3);
            settle(g, ps, v, r);
            c->amount += v->medfee;
            c->nsetl++;
            if (c->time == FG_TIME_NONE || tt < c->time)
                c->time = tt;
            c->done = 1;
        }
        return;
    }
    default:
        return;
    }
}

static void run_plan(gen_ctx_t *g, person_t *ps, const gen_plan_item_t *it, gen_rng_t *r)
{
    gen_care_t *C = g->care;
    visit_t *v = &C->v;
    gen_case_t *c = &g->cases[it->case_id];
    fg_date_t d = it->day;
    fg_time_t t = at(g, d, op_minute(r));
    if (it->inst == GEN_NONE && it->scen != SC_covisit_group)
        return;
    switch (it->scen) {
    case SC_trace_dup_same_inst:
    case SC_trace_dup_other_inst:
    case SC_trace_reflow:
    case SC_trace_sold_repurchased:
    case SC_trace_sale_unpurchased:
        run_plan_trace(g, ps, it, t, r);
        return;
    case SC_rule_gender_drug:
    case SC_rule_child_drug:
    case SC_rule_inst_level:
    case SC_rule_inpatient_only:
    case SC_rule_insurance_type:
    case SC_rule_gender_item:
    case SC_rule_age_item:
    case SC_rule_price_cap:
    case SC_rule_diag_gender:
    case SC_rule_period_frequency:
        run_plan_rule(g, ps, it, t, r);
        return;
    case SC_quantity_excess:
    case SC_frequent_visits:
    case SC_covisit_group:
        run_plan_series(g, ps, it, r);
        return;
    case SC_settle_after_death: {
        uint32_t dx = fg__gen_chronic_dx(g, 0);
        if (g->reg.inst[it->inst].kind >= IK_PH_CHAIN) {
            build_ph(g, ps, v, it->inst, dx, at(g, d, ph_minute(r)), 1, r);
        } else {
            build_op(g, ps, v, it->inst, dx, t, 1, GEN_NONE, r);
        }
        v->whole_case = it->case_id;
        settle(g, ps, v, r);
        return;
    }
    case SC_care_during_stay: {
        /* The stay is its own event; this is the visit elsewhere during it. */
        build_walk_in(g, ps, v, it->inst2, d + it->arg2, FG_TIME_NONE, r);
        v->whole_case = it->case_id;
        settle(g, ps, v, r);
        return;
    }
    case SC_staff_suspended_billing: {
        uint32_t dx = dx_pick(g, ps, DXW_OP, d, r);
        build_op(g, ps, v, it->inst, dx, t, 0, it->aux, r);
        for (uint32_t i = 0; i < v->nlines; i++)
            if (v->lines[i].doctor == it->aux)
                v->lines[i].case_id = it->case_id;
        settle(g, ps, v, r);
        return;
    }
    case SC_inst_suspended_billing:
        build_walk_in(g, ps, v, it->inst, d, t, r);
        v->whole_case = it->case_id;
        settle(g, ps, v, r);
        return;
    case SC_invoice_duplicate: {
        build_op(g, ps, v, it->inst, it->aux, t, 0, GEN_NONE, r);
        v->evid_case = it->case_id;
        settle(g, ps, v, r);
        /* The same invoice claimed again by hand (零星报销) weeks later. */
        fg_time_t t2 = at(g, d + it->arg, 9 * 60 + rng_range(r, 0, 420));
        v->whole_case = it->case_id;
        v->manl = "零星报销";
        v->no_trace = 1;
        for (uint32_t i = 0; i < v->nlines; i++)
            v->lines[i].tr_n = 0;
        emit_settlement(g, ps, v, t2, 2);
        return;
    }
    case SC_staff_overload: {
        /* One of the doctor's 84–95 visits of the day, five minutes apart from 8:00. */
        fg_time_t tv = at(g, d, 8 * 60 + 5 * it->arg);
        build_op(g, ps, v, it->inst, dx_code(g, "J06.900"), tv, 0, it->aux, r);
        settle(g, ps, v, r);
        c->amount += v->medfee;
        c->nsetl++;
        if (c->time == FG_TIME_NONE || tv < c->time)
            c->time = tv;
        c->done = 1;
        return;
    }
    case SC_injury_third_party: {
        injury_row(g, ps, it->arg, d, it->case_id + 1);
        fg_date_t dv = d + it->arg2;
        build_op(g, ps, v, it->inst, it->aux, at(g, dv, op_minute(r)), 0, GEN_NONE, r);
        v->ext = it->arg == 1 ? 2 : 3;
        v->whole_case = it->case_id;
        settle(g, ps, v, r);
        return;
    }
    default:
        return;
    }
}

/* Planned stays, built as normal stays with the scenario's change. */
static void run_plan_stay(gen_ctx_t *g, person_t *ps, const gen_plan_item_t *it, int part,
                          gen_rng_t *r)
{
    gen_care_t *C = g->care;
    visit_t *v = &C->v;
    const gen_catalogue_t *K = &g->cat;
    fg_date_t d = it->day;
    fg_time_t t = at(g, d, rng_range(r, 8 * 60, 15 * 60));
    if (it->inst == GEN_NONE)
        return;
    switch (it->scen) {
    case SC_care_during_stay:
        build_stay(g, ps, v, it->inst, it->aux, t, it->arg, 0, r);
        v->evid_case = it->case_id;
        settle(g, ps, v, r);
        return;
    case SC_readmission_15d: {
        if (part == 0) {
            build_stay(g, ps, v, it->inst, it->aux, t, it->arg, 0, r);
            v->evid_case = it->case_id;
        } else {
            fg_date_t d2 = d + it->arg + it->arg2;
            build_stay(g, ps, v, it->inst, it->aux, at(g, d2, rng_range(r, 8 * 60, 15 * 60)),
                       K->dx[it->aux].los, 0, r);
            v->whole_case = it->case_id;
        }
        settle(g, ps, v, r);
        return;
    }
    case SC_rule_surgery_discount: {
        build_stay(g, ps, v, it->inst, it->aux, t, rng_range(r, 5, 8), 0, r);
        /* Two procedures of one group through one incision; the second at full price. */
        fg_time_t ts = at(g, d + 1, 10 * 60);
        uint32_t surgeon = doctor_for(g, it->inst, DP_SURG, d + 1, r);
        uint32_t keep = 0;
        for (uint32_t i = 0; i < v->nlines; i++)
            if (K->items[v->lines[i].cat].surg_group == 0)
                v->lines[keep++] = v->lines[i];
        v->nlines = keep;
        line_add(g, v, it->cat, ts, surgeon);
        line_t *l2 = line_add(g, v, it->cat2, add_min(ts, 40), surgeon);
        if (l2 != NULL)
            l2->case_id = it->case_id;
        settle(g, ps, v, r);
        return;
    }
    case SC_rule_drug_course:
    case SC_rule_indication: {
        int los = it->scen == SC_rule_drug_course ? it->arg : rng_range(r, 7, 12);
        build_stay(g, ps, v, it->inst, it->aux, t, los, 0, r);
        const gen_cat_t *ci = &K->items[it->cat];
        for (int day = 0; day < los - 1; day++) {
            fg_time_t td = at(g, d + day, 9 * 60 + 30);
            line_t *l = drug_units(g, v, it->cat, td, v->doctor, 1);
            if (l == NULL)
                continue;
            if (it->scen == SC_rule_indication || day >= ci->course)
                l->case_id = it->case_id;
        }
        settle(g, ps, v, r);
        return;
    }
    case SC_rule_duplicate_charge: {
        if (it->arg2) {
            build_stay(g, ps, v, it->inst, it->aux, t, rng_range(r, 4, 9), 0, r);
        } else {
            build_op(g, ps, v, it->inst, it->aux, t, 0, GEN_NONE, r);
        }
        fg_time_t td = at(g, d + (it->arg2 ? 1 : 0), 10 * 60 + 15);
        /* Both items of the pair on the same day; the secondary is the violation. */
        uint32_t keep = 0;
        for (uint32_t i = 0; i < v->nlines; i++)
            if (v->lines[i].cat != it->cat && v->lines[i].cat != it->cat2)
                v->lines[keep++] = v->lines[i];
        v->nlines = keep;
        line_add(g, v, it->cat, td, v->doctor);
        line_t *l2 = line_add(g, v, it->cat2, add_min(td, 5), v->doctor);
        if (l2 != NULL)
            l2->case_id = it->case_id;
        settle(g, ps, v, r);
        return;
    }
    case SC_rule_item_frequency: {
        build_stay(g, ps, v, it->inst, it->aux, t, rng_range(r, 4, 9), 0, r);
        fg_date_t dd = d + 2;
        /* The item billed beyond its daily count on one day. */
        line_t *hit = NULL;
        for (uint32_t i = 0; i < v->nlines; i++)
            if (v->lines[i].cat == it->cat && fg_time_date(v->lines[i].t) == dd)
                hit = &v->lines[i];
        if (hit == NULL)
            hit = line_add(g, v, it->cat, at(g, dd, 10 * 60), v->doctor);
        if (hit != NULL) {
            const gen_cat_t *fi = &K->items[it->cat];
            int cnt = (fi->freq_n ? fi->freq_n : 1) + rng_range(r, 1, 2);
            hit->cnt = (fg_qty_t)cnt * FG_QTY_ONE;
            hit->amt = hit->pric * cnt;
            hit->case_id = it->case_id;
        }
        settle(g, ps, v, r);
        return;
    }
    case SC_rule_item_course: {
        int days = it->arg;
        build_stay(g, ps, v, it->inst, it->aux, t, days + 2, 0, r);
        const gen_cat_t *ci = &K->items[it->cat];
        uint32_t keep = 0;
        for (uint32_t i = 0; i < v->nlines; i++)
            if (v->lines[i].cat != it->cat)
                v->lines[keep++] = v->lines[i];
        v->nlines = keep;
        for (int day = 0; day < days; day++) {
            line_t *l = line_add(g, v, it->cat, at(g, d + day + 1, 14 * 60 + 30), v->doctor);
            if (l != NULL && day >= ci->course)
                l->case_id = it->case_id;
        }
        settle(g, ps, v, r);
        return;
    }
    case SC_rule_billing_outside_stay: {
        int los = rng_range(r, 4, 9);
        build_stay(g, ps, v, it->inst, it->aux, t, los, 0, r);
        /* A test dated after discharge. */
        int after = rng_range(r, 1, 3); /* drawn apart: argument order is unspecified in C */
        fg_time_t tx = at(g, d + los + after, 10 * 60 + rng_range(r, 0, 300));
        uint32_t cat = K->it_glucose;
        line_t *l = line_add(g, v, cat, tx, v->doctor);
        if (l != NULL)
            l->case_id = it->case_id;
        settle(g, ps, v, r);
        return;
    }
    default:
        return;
    }
}

static int is_stay_scen(const gen_plan_item_t *it)
{
    switch (it->scen) {
    case SC_care_during_stay:
    case SC_readmission_15d:
    case SC_rule_surgery_discount:
    case SC_rule_drug_course:
    case SC_rule_indication:
    case SC_rule_item_frequency:
    case SC_rule_item_course:
    case SC_rule_billing_outside_stay:
        return 1;
    case SC_rule_duplicate_charge:
        return 1; /* stay or visit, both handled by run_plan_stay */
    default:
        return 0;
    }
}

/* The person's events of the year (stays, visits, purchases, planned cases) in time order in
 * g->care->ev; first: the index of the person's first plan item. */
static int person_events(gen_ctx_t *g, person_t *ps, uint64_t first, gen_rng_t *r)
{
    gen_care_t *C = g->care;
    C->nev = 0;
    reserve_plan_stays(g, ps);
    int rc = plan_stays(g, ps, r);
    if (rc == 0)
        rc = plan_visits(g, ps, r);
    for (uint32_t k = 0; k < ps->nplan && rc == 0; k++) {
        const gen_plan_item_t *it = &ps->plan[k];
        ev_t ev = {0};
        ev.kind = EV_PLAN;
        ev.plan = (uint32_t)(first + k);
        ev.t = at(g, it->day, 12 * 60);
        if (is_stay_scen(it)) {
            ev.part = 100;
            rc = ev_push(C, &ev);
            if (rc == 0 && it->scen == SC_readmission_15d) {
                ev.part = 101;
                ev.t = at(g, it->day + it->arg + it->arg2, 12 * 60);
                rc = ev_push(C, &ev);
            }
            if (rc == 0 && it->scen == SC_care_during_stay) {
                ev.part = 0;
                ev.t = at(g, it->day + it->arg2, 12 * 60);
                rc = ev_push(C, &ev);
            }
        } else {
            rc = ev_push(C, &ev);
        }
    }
    if (rc != 0)
        return rc;
    if (C->nev > 1) /* a person without care has no event array */
        qsort(C->ev, C->nev, sizeof(*C->ev), ev_cmp);
    return 0;
}

/* One event of the person's year: its care, settled. */
static void person_event(gen_ctx_t *g, person_t *ps, uint32_t idx, uint32_t e, gen_rng_t *r)
{
    gen_care_t *C = g->care;
    visit_t *v = &C->v;
    const ev_t *ev = &C->ev[e];
    fg_date_t d = fg_time_date(ev->t);
    switch (ev->kind) {
    case EV_STAY:
        build_stay(g, ps, v, ev->inst, ev->dx, ev->t, ev->los, ev->sub, r);
        settle(g, ps, v, r);
        break;
    case EV_OP: {
        uint32_t inst =
            rng_chance(r, 0.55) ? primary_for(g, ps, d, r) : hospital_for(g, ps, d, 0, r);
        if (inst == GEN_NONE)
            break;
        build_op(g, ps, v, inst, ev->dx, ev->t, 0, GEN_NONE, r);
        settle(g, ps, v, r);
        break;
    }
    case EV_PH: {
        uint32_t inst = pharmacy_for(g, ps, d, r);
        if (inst == GEN_NONE)
            break;
        build_ph(g, ps, v, inst, ev->dx, ev->t, 0, r);
        settle(g, ps, v, r);
        break;
    }
    case EV_CHRONIC: {
        int at_ph = ev->plan == 0 && rng_chance(r, 0.55);
        uint32_t inst = at_ph ? pharmacy_for(g, ps, d, r) : primary_for(g, ps, d, r);
        if (inst == GEN_NONE)
            break;
        if (g->reg.inst[inst].kind >= IK_PH_CHAIN)
            build_ph(g, ps, v, inst, ev->dx, ev->t, 1, r);
        else
            build_op(g, ps, v, inst, ev->dx, ev->t, 1, GEN_NONE, r);
        settle(g, ps, v, r);
        break;
    }
    case EV_DIAL: {
        /* At the nearest level-2/3 hospital with the same doctor's department. */
        uint32_t inst = GEN_NONE;
        const gen_county_t *co = &g->reg.counties[ps->p.county];
        for (uint32_t k = 0; k < co->nhosp && inst == GEN_NONE; k++) {
            const gen_inst_t *in = &g->reg.inst[co->hosp[k]];
            if (in->kind <= IK_H2 && inst_open(in, d))
                inst = co->hosp[k];
        }
        if (inst == GEN_NONE)
            break;
        visit_begin(v, EV_OP, inst, ev->dx, ev->t, ps);
        memcpy(v->med_type, "14", 3);
        v->doctor = doctor_for(g, inst, DP_MED, d, r);
        item_line(g, ps, v, fg__gen_cat_find(&g->cat, "003110000060000"), ev->t, v->doctor, 1);
        cons_line(g, v, g->cat.cons_cannula, ev->t, v->doctor, 2);
        v->end = add_min(ev->t, 240);
        settle(g, ps, v, r);
        break;
    }
    case EV_WORKINJ: {
        uint32_t inst = hospital_for(g, ps, d, 0, r);
        if (inst == GEN_NONE || injury_care_after(g, e + 1, d))
            break;
        injury_row(g, ps, 2, d, 900000 + idx);
        build_op(g, ps, v, inst, dx_code(g, "S61.000"), ev->t, 0, GEN_NONE, r);
        v->insutype = "410";
        v->ext = 3;
        /* Work-injury insurance pays its own catalogue drugs (batch 3): legitimately here. */
        if (g->cat.nlim[LP_DRUG_WORK] > 0 && rng_chance(r, 0.5)) {
            uint32_t wcat = g->cat.lim[LP_DRUG_WORK][rng_below(r, g->cat.nlim[LP_DRUG_WORK])];
            drug_packs(g, v, wcat, add_min(ev->t, 15), v->doctor, 1, 7);
        }
        settle(g, ps, v, r);
        break;
    }
    case EV_PLAN: {
        const gen_plan_item_t *it = &g->plan[ev->plan];
        if (ev->part >= 100)
            run_plan_stay(g, ps, it, ev->part - 100, r);
        else
            run_plan(g, ps, it, r);
        break;
    }
    default:
        break;
    }
}

/* persons.csv and, when the person died this year, deaths.csv. */
static void person_rows(gen_ctx_t *g, const person_t *ps, gen_rng_t *r)
{
    gen_row_t *row = &g->row;
    gen_out_t *cache = &g->tab[GF_PERSONS].out;
    fg__gen_row_begin(row);
    fg__gen_row_str(row, SL_psn_no, ps->psn_no);
    fg__gen_row_str(row, SL_psn_name, ps->name);
    fg__gen_row_str(row, SL_certno, ps->certno);
    fg__gen_row_str(row, SL_gend, ps->p.sex == 1 ? "1" : "2");
    fg__gen_row_date(row, cache, SL_brdy, ps->p.birth);
    fg__gen_row_str(row, SL_insutype, ps->insutype);
    fg__gen_row_str(row, SL_insu_admdvs, g->reg.counties[ps->p.county].code);
    fg__gen_row_str(row, SL_psn_type, ps->psn_type);
    if (ps->death != FG_DATE_NONE)
        fg__gen_row_date(row, cache, SL_die_date, ps->death);
    fg__gen_row_emit(&g->tab[GF_PERSONS], row);
    g->st.persons++;
    if (ps->death != FG_DATE_NONE) {
        static const char *const sources[] = {"民政", "公安", "卫健", "殡葬"};
        fg__gen_row_begin(row);
        fg__gen_row_str(row, SL_psn_no, ps->psn_no);
        fg__gen_row_str(row, SL_certno, ps->certno);
        fg__gen_row_date(row, &g->tab[GF_DEATHS].out, SL_die_date, ps->death);
        fg__gen_row_str(row, SL_source, sources[rng_below(r, 4)]);
        fg__gen_row_emit(&g->tab[GF_DEATHS], row);
        g->st.deaths++;
    }
}

int fg__gen_person_year(gen_ctx_t *g, uint32_t idx)
{
    gen_care_t *C = g->care;
    person_t ps;
    memset(&ps, 0, sizeof(ps));
    fg__gen_profile(g, idx, &ps.p);
    fg__gen_rng_init(&ps.r, g->seed, ST_PERSON, idx);
    gen_rng_t *r = &ps.r;
    ps.death = ps.p.death;
    ps.last_hba1c = FG_DATE_NONE;
    ps.insutype = ps.p.emp ? "310" : "390";
    ps.psn_type = ps.p.emp ? (ps.p.retired ? "12" : "11") : "15";
    fg__gen_psn_no(g, &ps.p, ps.psn_no);
    fg__gen_person_name(g->seed, idx, ps.p.sex, ps.name, sizeof(ps.name));
    int rc =
        fg__gen_certno(&g->reg, g->reg.counties[ps.p.county].code, ps.p.birth, ps.p.sex, ps.certno);
    if (rc != 0)
        return rc;
    ps.age_mid = age_on(&ps, g->y0 + g->ndays / 2);

    /* This person's plan items. */
    while (g->plan_cursor < g->nplan && g->plan[g->plan_cursor].person < idx)
        g->plan_cursor++;
    uint64_t first = g->plan_cursor;
    while (g->plan_cursor < g->nplan && g->plan[g->plan_cursor].person == idx)
        g->plan_cursor++;
    ps.plan = g->plan + first;
    ps.nplan = (uint32_t)(g->plan_cursor - first);
    for (uint32_t k = 0; k < ps.nplan; k++)
        if (ps.plan[k].scen == SC_settle_after_death)
            ps.death = ps.plan[k].arg;

    rc = person_events(g, &ps, first, r);
    if (rc != 0)
        return rc;
    for (uint32_t e = 0; e < C->nev; e++)
        person_event(g, &ps, idx, e, r);

    /* Traffic accidents leave a record; their care is paid by the liable party, not here. */
    if (rng_chance(r, 0.004)) {
        fg_date_t d = draw_day(g, C->cdf_op, r);
        if (alive(&ps, d) && !injury_care_after(g, 0, d))
            injury_row(g, &ps, 1, d, 500000 + idx);
    }

    person_rows(g, &ps, r);
    return 0;
}
