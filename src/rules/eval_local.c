/*
 * eval_local.c — families on a bureau's local tables and on the settlement itself:
 *   price cap: unit price above the cap for the institution's level (the local table), else above
 *     the line's own pric_uplmt_amt; (price − cap) × quantity.
 *   indication: a drug or item limited to diagnoses with given prefixes, none of the settlement's
 *     diagnoses has one; the line's amount.
 *   maximum quantity / days per line: the units beyond × price; the days beyond as a share of the
 * line. unbundling: min_parts or more parts of a bundle charged separately in its scope (day or
 * visit) instead of the bundle; the parts' total less the bundle's price, on the line completing
 * the set. diagnosis vs sex/age: a diagnosis that does not fit the person; the settlement's total.
 *   billing date: a fee dated outside the visit (begin date … end date); the line's amount.
 *   frequent visits: more visits of the scene (门诊, 购药, 住院) than the threshold in the window,
 *     this one included; the settlement's total.
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>

#include "rules/rules_int.h"

static void price_cap(rctx_t *c)
{
    if (!fg__rule_on(c, R_GZ1001))
        return;
    for (size_t i = 0; i < c->nlines; i++) {
        const rline_t *l = &c->lines[i];
        const fg_kb_fact_t *cap = NULL;
        for (const fg_kb_fact_t *f = l->facts; f != NULL; f = fg_kb_fact_next(c->kb, f)) {
            if (f->kind != FG_KF_PRICE_CAP)
                continue;
            if (c->hosp_lv != 0 && f->sub == c->hosp_lv) {
                cap = f;
                break;
            }
            if (f->sub == 0)
                cap = f;
        }
        /* The bureau's cap when its table has one, else the line's own 定价上限金额. */
        fg_fen_t limit = cap != NULL ? cap->a : l->fee->pric_uplmt_amt;
        if (limit <= 0 || l->fee->pric <= limit)
            continue;
        fg_fen_t amount = fg__qty_amount(l->fee->cnt, l->fee->pric - limit);
        kv_t kv[] = {{"price", fg__money_text(c, l->fee->pric)}, {"cap", fg__money_text(c, limit)}};
        if (cap != NULL)
            fg__hit_fact(c, R_GZ1001, (int)i, amount, "price_above_cap_x_qty", cap->table, cap->row,
                         kv, 2);
        else
            fg__hit(c, R_GZ1001, (int)i, amount, "price_above_line_cap_x_qty",
                    "feedetail.pric_uplmt_amt", "input", kv, 2);
    }
}

/* Does some diagnosis of the settlement start with one of the "|"-separated prefixes? */
static int diag_matches(const rctx_t *c, const char *prefixes)
{
    for (size_t d = 0; d < c->doc->ndiags; d++) {
        const char *code = c->doc->diags[d].diag_code;
        const char *p = prefixes;
        while (*p != '\0') {
            const char *bar = strchr(p, '|');
            size_t len = bar != NULL ? (size_t)(bar - p) : strlen(p);
            if (len > 0 && strncmp(code, p, len) == 0)
                return 1;
            if (bar == NULL)
                break;
            p = bar + 1;
        }
    }
    return 0;
}

static const char *diag_list(rctx_t *c)
{
    if (c->doc->ndiags == 0)
        return "（无）";
    char buf[256];
    size_t o = 0;
    for (size_t d = 0; d < c->doc->ndiags && o < sizeof(buf) - 40; d++) {
        size_t n = strlen(c->doc->diags[d].diag_code);
        if (d > 0)
            buf[o++] = ',';
        memcpy(buf + o, c->doc->diags[d].diag_code, n);
        o += n;
    }
    buf[o] = '\0';
    return fg__fmt(c, "%s", buf);
}

static void indication(rctx_t *c)
{
    if (!fg__rule_on(c, R_GZ1101))
        return;
    for (size_t i = 0; i < c->nlines; i++) {
        const rline_t *l = &c->lines[i];
        for (const fg_kb_fact_t *f = l->facts; f != NULL; f = fg_kb_fact_next(c->kb, f)) {
            if (f->kind != FG_KF_INDICATION || diag_matches(c, fg_kb_str(c->kb, f->ref)))
                continue;
            const char *note = fg_kb_str(c->kb, f->text);
            if (strncmp(note, "限", strlen("限")) == 0)
                note += strlen("限"); /* the template says 限 already */
            kv_t kv[] = {{"limit", note[0] ? note : "限定诊断"},
                         {"prefixes", fg_kb_str(c->kb, f->ref)},
                         {"diags", diag_list(c)}};
            fg__hit_fact(c, R_GZ1101, (int)i, l->total, "line_total", f->table, f->row, kv, 3);
            break;
        }
    }
}

static void max_quantity(rctx_t *c)
{
    int qty_on = fg__rule_on(c, R_GZ1201), days_on = fg__rule_on(c, R_GZ1202);
    for (size_t i = 0; i < c->nlines && (qty_on || days_on); i++) {
        const rline_t *l = &c->lines[i];
        for (const fg_kb_fact_t *f = l->facts; f != NULL; f = fg_kb_fact_next(c->kb, f)) {
            if (f->kind != FG_KF_MAX_QTY)
                continue;
            if (qty_on && f->a > 0 && l->fee->cnt > f->a) {
                fg_qty_t excess = l->fee->cnt - f->a;
                kv_t kv[] = {{"limit", fg__qty_text(c, f->a)},
                             {"value", fg__qty_text(c, l->fee->cnt)},
                             {"excess", fg__qty_text(c, excess)}};
                fg__hit_fact(c, R_GZ1201, (int)i, fg__qty_amount(excess, l->fee->pric),
                             "excess_qty_x_price", f->table, f->row, kv, 3);
            }
            if (days_on && f->b > 0 && l->fee->prd_days > f->b) {
                kv_t kv[] = {{"limit", fg__fmt(c, "%lld", (long long)f->b)},
                             {"value", fg__fmt(c, "%d", (int)l->fee->prd_days)}};
                fg__hit_fact(c, R_GZ1202, (int)i,
                             fg__share(l->total, l->fee->prd_days - f->b, l->fee->prd_days),
                             "excess_days_share_of_line", f->table, f->row, kv, 2);
            }
        }
    }
}

/* The bundle a line's code is a part of (index), -1 when none. */
static long part_of(const rctx_t *c, const rline_t *l, size_t bundle)
{
    for (const fg_kb_fact_t *f = l->facts; f != NULL; f = fg_kb_fact_next(c->kb, f))
        if (f->kind == FG_KF_BUNDLE_PART && (size_t)f->a == bundle)
            return (long)bundle;
    return -1;
}

static void unbundling(rctx_t *c)
{
    if (!fg__rule_on(c, R_GZ1301) || fg_kb_nbundles(c->kb) == 0)
        return;
    for (size_t i = 0; i < c->nlines; i++) {
        const rline_t *l = &c->lines[i];
        for (const fg_kb_fact_t *f = l->facts; f != NULL; f = fg_kb_fact_next(c->kb, f)) {
            if (f->kind != FG_KF_BUNDLE_PART)
                continue;
            const fg_kb_bundle_t *b = fg_kb_bundle(c->kb, (size_t)f->a);
            const char *bcode = fg_kb_str(c->kb, b->code);
            uint64_t bh = f->ref_hash;
            /* the parts in scope up to and including line i; the bundle itself charged in scope
             * makes it a duplicate, not an unbundling */
            uint64_t codes[64];
            size_t ncodes = 0;
            int bundle_charged = 0, completes_here = 0;
            fg_fen_t total = 0;
            char parts[400];
            size_t po = 0;
            parts[0] = '\0';
            for (size_t j = 0; j < c->nlines; j++) {
                const rline_t *o = &c->lines[j];
                int scope_ok = b->scope == FG_KB_SCOPE_VISIT || o->date == l->date;
                if (!scope_ok)
                    continue;
                if (o->code == bh) {
                    bundle_charged = 1;
                    continue;
                }
                if (part_of(c, o, (size_t)f->a) < 0)
                    continue;
                total += o->total;
                size_t k = 0;
                while (k < ncodes && codes[k] != o->code)
                    k++;
                if (k == ncodes && ncodes < FG_ARRAY_LEN(codes)) {
                    codes[ncodes++] = o->code;
                    if ((int)ncodes == b->min_parts)
                        completes_here = j == i;
                    size_t nl = strlen(o->name);
                    if (po + nl + 8 < sizeof(parts)) {
                        po += (size_t)snprintf(parts + po, sizeof(parts) - po, "%s“%s”",
                                               po ? "、" : "", o->name);
                    }
                }
            }
            if (bundle_charged || (int)ncodes < b->min_parts || !completes_here)
                continue;
            fg_fen_t amount = total - b->pric;
            if (b->pric <= 0 || amount < 0)
                amount = 0;
            const char *bname = fg_kb_str(c->kb, b->name);
            kv_t kv[] = {{"parts", fg__fmt(c, "%s", parts)},
                         {"bundle", bname[0] ? bname : bcode},
                         {"bprice", fg__money_text(c, b->pric)},
                         {"total", fg__money_text(c, total)}};
            fg__hit_fact(c, R_GZ1301, (int)i, amount, "parts_total_minus_bundle_price", b->table,
                         b->row, kv, 4);
            break;
        }
    }
}

static const char *sex_text(int g)
{
    return g == 1 ? "男" : g == 2 ? "女" : "未知";
}

static void diagnosis(rctx_t *c)
{
    int sex_on = fg__rule_on(c, R_GZ1401), age_on = fg__rule_on(c, R_GZ1402);
    size_t n = fg_kb_ndiag_limits(c->kb);
    if ((!sex_on && !age_on) || n == 0)
        return;
    fg_date_t on = c->begin != FG_DATE_NONE ? c->begin
                   : c->nlines > 0          ? c->lines[0].date
                                            : FG_DATE_NONE;
    int age = fg__age(c, on);
    for (size_t d = 0; d < c->doc->ndiags; d++) {
        const char *code = c->doc->diags[d].diag_code;
        for (size_t k = 0; k < n; k++) {
            const fg_kb_diag_limit_t *x = fg_kb_diag_limit(c->kb, k);
            const char *prefix = fg_kb_str(c->kb, x->prefix);
            if (strncmp(code, prefix, strlen(prefix)) != 0)
                continue;
            const char *dname = fg_kb_str(c->kb, x->name);
            if (sex_on && x->gend != 0 && c->gend != 0 && x->gend != c->gend) {
                kv_t kv[] = {{"diag", code},
                             {"dname", dname},
                             {"limit", sex_text(x->gend)},
                             {"sex", sex_text(c->gend)}};
                fg__hit_fact(c, R_GZ1401, -1, c->settlement_total, "settlement_total", x->table,
                             x->row, kv, 4);
            }
            if (age_on && age >= 0 &&
                ((x->min_age >= 0 && age < x->min_age) || (x->max_age >= 0 && age > x->max_age))) {
                const char *limit = x->min_age >= 0 && x->max_age >= 0
                                        ? fg__fmt(c, "%d至%d岁", x->min_age, x->max_age)
                                    : x->min_age >= 0 ? fg__fmt(c, "%d岁及以上", x->min_age)
                                                      : fg__fmt(c, "%d岁及以下", x->max_age);
                kv_t kv[] = {{"diag", code},
                             {"dname", dname},
                             {"limit", limit},
                             {"age", fg__age_text(c, on)}};
                fg__hit_fact(c, R_GZ1402, -1, c->settlement_total, "settlement_total", x->table,
                             x->row, kv, 4);
            }
        }
    }
}

static void billing_date(rctx_t *c)
{
    if (!fg__rule_on(c, R_GZ1501) || c->begin == FG_DATE_NONE)
        return;
    for (size_t i = 0; i < c->nlines; i++) {
        const rline_t *l = &c->lines[i];
        if (l->fee->fee_ocur_time == FG_TIME_NONE)
            continue;
        if (l->date >= c->begin && (c->end == FG_DATE_NONE || l->date <= c->end))
            continue;
        kv_t kv[] = {{"begin", fg__date_text(c, c->begin)},
                     {"end", c->end == FG_DATE_NONE ? "今" : fg__date_text(c, c->end)}};
        fg__hit(c, R_GZ1501, (int)i, l->total, "line_total", "mdtrtinfo.begntime/endtime", "input",
                kv, 2);
    }
}

static void frequent_visits(rctx_t *c)
{
    static const int rules[] = {[FG_KB_SCENE_OUTPATIENT] = R_GZ1601,
                                [FG_KB_SCENE_INPATIENT] = R_GZ1603,
                                [FG_KB_SCENE_PHARMACY] = R_GZ1602};
    int rule = rules[c->scene];
    fg_date_t on = c->begin != FG_DATE_NONE ? c->begin
                   : c->nlines > 0          ? c->lines[0].date
                                            : FG_DATE_NONE;
    if (!fg__rule_on(c, rule) || on == FG_DATE_NONE)
        return;
    for (size_t k = 0; k < fg_kb_nvisit_limits(c->kb); k++) {
        const fg_kb_visit_limit_t *v = fg_kb_visit_limit(c->kb, k);
        if (v->scene != c->scene)
            continue;
        fg_date_t from = on - v->window_days + 1;
        int visits = 1; /* this one */
        for (size_t i = 0; i < c->nhist; i++) {
            const fg_hist_entry_t *e = &c->hist[i];
            fg_date_t d = fg_time_date(e->time);
            if (e->code == 0 && e->qty == c->scene && d >= from && d <= on)
                visits++;
        }
        if (visits <= v->max_visits)
            continue;
        kv_t kv[] = {{"days", fg__fmt(c, "%d", v->window_days)},
                     {"value", fg__fmt(c, "%d", visits)},
                     {"limit", fg__fmt(c, "%d", v->max_visits)}};
        fg__hit_fact(c, rule, -1, c->settlement_total, "settlement_total", v->table, v->row, kv, 3);
    }
}

void fg__eval_local(rctx_t *c)
{
    price_cap(c);
    indication(c);
    max_quantity(c);
    unbundling(c);
    diagnosis(c);
    billing_date(c);
    frequent_visits(c);
}
