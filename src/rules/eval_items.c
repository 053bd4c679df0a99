/*
 * eval_items.c — service-item families on the national tables:
 *   surgery discount (batch 2): two or more procedures of one group on the same day of a visit —
 * the dearest is the main one; each other must be charged at surgery_discount_pct of its price. The
 *     reference price is the line's pric_uplmt_amt, else the local price cap, else the line's own
 *     price (assumed full). Amount: (price − discounted price) × quantity.
 *   duplicate charge (batch 7): the secondary item charged with the main item in the period (单日,
 *     同一小时, N小时, 单次就诊) — in this settlement or the person's history. The secondary line
 * is the violation, its whole amount at issue. frequency (batch 8-1): at most N units a day of the
 * item; the units beyond are at issue. cycle frequency (batch 8-4): at most N in any D consecutive
 * days; the units beyond are at issue.
 */
#include "core/compat.h"

#include <string.h>

#include "rules/rules_int.h"

/* ---------------------------------------------------------------- surgery discount */

/* The local price cap of a line's code at the institution's level, 0 when none. */
static fg_fen_t local_cap(const rctx_t *c, const rline_t *l)
{
    fg_fen_t any = 0;
    for (const fg_kb_fact_t *f = l->facts; f != NULL; f = fg_kb_fact_next(c->kb, f)) {
        if (f->kind != FG_KF_PRICE_CAP)
            continue;
        if (f->sub == c->hosp_lv && c->hosp_lv != 0)
            return f->a;
        if (f->sub == 0)
            any = f->a;
    }
    return any;
}

static const fg_kb_fact_t *group_fact(const rctx_t *c, const rline_t *l, uint32_t group)
{
    for (const fg_kb_fact_t *f = l->facts; f != NULL; f = fg_kb_fact_next(c->kb, f))
        if (f->kind == FG_KF_SURGERY_GROUP && (group == 0 || f->ref == group))
            return f;
    return NULL;
}

static void surgery(rctx_t *c)
{
    if (!fg__rule_on(c, R_GZ0301))
        return;
    for (size_t i = 0; i < c->nlines; i++) {
        const rline_t *l = &c->lines[i];
        for (const fg_kb_fact_t *g = l->facts; g != NULL; g = fg_kb_fact_next(c->kb, g)) {
            if (g->kind != FG_KF_SURGERY_GROUP)
                continue;
            /* the main procedure of this group that day: the dearest, first on a tie */
            size_t main = i;
            int others = 0;
            for (size_t j = 0; j < c->nlines; j++) {
                const rline_t *o = &c->lines[j];
                if (o->date != l->date || group_fact(c, o, g->ref) == NULL)
                    continue;
                if (o->code != l->code)
                    others = 1;
                if (o->fee->pric > c->lines[main].fee->pric ||
                    (o->fee->pric == c->lines[main].fee->pric && j < main))
                    main = j;
            }
            if (!others || main == i || c->lines[main].code == l->code)
                continue;
            fg_fen_t ref = l->fee->pric_uplmt_amt > 0 ? l->fee->pric_uplmt_amt : local_cap(c, l);
            const char *basis = "price_above_discount_x_qty";
            if (ref <= 0) {
                ref = l->fee->pric;
                basis = "assumed_full_price_x_discount";
            }
            fg_fen_t expected = ref * c->P->surgery_discount_pct / 100;
            if (l->fee->pric <= expected)
                break;
            fg_fen_t amount = fg__qty_amount(l->fee->cnt, l->fee->pric - expected);
            kv_t kv[] = {{"main", c->lines[main].name},
                         {"group", fg_kb_str(c->kb, g->ref)},
                         {"pct", fg__fmt(c, "%d", c->P->surgery_discount_pct)},
                         {"expected", fg__money_text(c, expected)},
                         {"charged", fg__money_text(c, l->fee->pric)}};
            fg__hit_fact(c, R_GZ0301, (int)i, amount, basis, g->table, g->row, kv, 5);
            break; /* one discount finding per line, whatever groups the code is in */
        }
    }
}

/* ---------------------------------------------------------------- duplicate charge */

static int in_scope(const fg_kb_fact_t *f, fg_date_t d1, fg_time_t t1, fg_date_t d2, fg_time_t t2,
                    int same_visit)
{
    switch (f->sub) {
    case FG_KB_SCOPE_DAY:
        return d1 == d2 && d1 != FG_DATE_NONE;
    case FG_KB_SCOPE_CLOCK_HOUR:
        return t1 != FG_TIME_NONE && t2 != FG_TIME_NONE && t1 / 3600 == t2 / 3600;
    case FG_KB_SCOPE_HOURS: {
        if (t1 == FG_TIME_NONE || t2 == FG_TIME_NONE)
            return 0;
        fg_time_t dt = t1 > t2 ? t1 - t2 : t2 - t1;
        return dt <= f->a * 3600;
    }
    case FG_KB_SCOPE_VISIT:
        return same_visit;
    default:
        return 0;
    }
}

static const char *scope_text(rctx_t *c, const fg_kb_fact_t *f)
{
    switch (f->sub) {
    case FG_KB_SCOPE_DAY:
        return "在同一日内";
    case FG_KB_SCOPE_CLOCK_HOUR:
        return "在同一小时内";
    case FG_KB_SCOPE_HOURS:
        return fg__fmt(c, "在%lld小时内", (long long)f->a);
    default:
        return "在同一次就诊中";
    }
}

static void duplicate(rctx_t *c)
{
    if (!fg__rule_on(c, R_GZ0801))
        return;
    for (size_t i = 0; i < c->nlines; i++) {
        const rline_t *l = &c->lines[i];
        for (const fg_kb_fact_t *f = l->facts; f != NULL; f = fg_kb_fact_next(c->kb, f)) {
            if (f->kind != FG_KF_DUP_SECONDARY)
                continue;
            uint64_t mh = f->ref_hash;
            int found = 0;
            for (size_t j = 0; j < c->nlines && !found; j++)
                found = j != i && c->lines[j].code == mh &&
                        in_scope(f, l->date, l->time, c->lines[j].date, c->lines[j].time, 1);
            for (size_t k = 0; k < c->nhist && !found; k++) {
                const fg_hist_entry_t *e = &c->hist[k];
                found = e->code == mh && in_scope(f, l->date, l->time, fg_time_date(e->time),
                                                  e->time, e->visit == c->visit32);
            }
            if (!found)
                continue;
            const char *remark = fg_kb_str(c->kb, f->text);
            kv_t kv[] = {{"main", fg_kb_str(c->kb, (uint32_t)f->b)},
                         {"scope", scope_text(c, f)},
                         {"remark", remark[0] ? remark : "主项已包含从项"}};
            fg__hit_fact(c, R_GZ0801, (int)i, l->total, "line_total", f->table, f->row, kv, 3);
        }
    }
}

/* ---------------------------------------------------------------- frequency and cycles */

/* Units of the line's code charged before line i within [from, to] (history, then earlier lines of
 * this settlement on or before the line's date). */
static fg_qty_t units_before(const rctx_t *c, size_t i, fg_date_t from, fg_date_t to)
{
    const rline_t *l = &c->lines[i];
    fg_qty_t sum = 0;
    for (size_t k = 0; k < c->nhist; k++) {
        const fg_hist_entry_t *e = &c->hist[k];
        if (e->code != l->code)
            continue;
        fg_date_t d = fg_time_date(e->time);
        if (d >= from && d <= to)
            sum += e->qty;
    }
    for (size_t j = 0; j < c->nlines; j++) {
        const rline_t *o = &c->lines[j];
        if (j == i || o->code != l->code || o->date < from || o->date > to)
            continue;
        if (o->date < l->date || (o->date == l->date && j < i))
            sum += o->fee->cnt;
    }
    return sum;
}

static void frequency(rctx_t *c)
{
    int freq_on = fg__rule_on(c, R_GZ0901), cycle_on = fg__rule_on(c, R_GZ0902);
    if (!freq_on && !cycle_on)
        return;
    for (size_t i = 0; i < c->nlines; i++) {
        const rline_t *l = &c->lines[i];
        if (l->date == FG_DATE_NONE)
            continue;
        for (const fg_kb_fact_t *f = l->facts; f != NULL; f = fg_kb_fact_next(c->kb, f)) {
            int rule;
            fg_date_t from;
            if (f->kind == FG_KF_FREQUENCY && freq_on) {
                rule = R_GZ0901;
                from = l->date;
            } else if (f->kind == FG_KF_CYCLE && cycle_on) {
                rule = R_GZ0902;
                from = l->date - (fg_date_t)f->b + 1;
            } else {
                continue;
            }
            fg_qty_t limit = f->a * FG_QTY_ONE;
            fg_qty_t before = units_before(c, i, from, l->date);
            fg_qty_t total = before + l->fee->cnt;
            if (total <= limit)
                continue;
            fg_qty_t excess = total - limit < l->fee->cnt ? total - limit : l->fee->cnt;
            fg_fen_t amount = fg__qty_amount(excess, l->fee->pric);
            if (rule == R_GZ0901) {
                const char *unit = fg_kb_str(c->kb, f->ref);
                if (strcmp(unit, "日") == 0 || strcmp(unit, "天") == 0)
                    unit = "次"; /* a daily charge counted in days: once a day */
                kv_t kv[] = {{"limit", fg__fmt(c, "%lld", (long long)f->a)},
                             {"unit", unit},
                             {"value", fg__qty_text(c, total)},
                             {"excess", fg__qty_text(c, excess)}};
                fg__hit_fact(c, rule, (int)i, amount, "excess_qty_x_price", f->table, f->row, kv,
                             4);
            } else {
                kv_t kv[] = {{"limit", fg__fmt(c, "%lld", (long long)f->a)},
                             {"days", fg__fmt(c, "%lld", (long long)f->b)},
                             {"start", fg__date_text(c, from)},
                             {"value", fg__qty_text(c, total)}};
                fg__hit_fact(c, rule, (int)i, amount, "excess_qty_x_price", f->table, f->row, kv,
                             4);
            }
        }
    }
}

void fg__eval_items(rctx_t *c)
{
    surgery(c);
    duplicate(c);
    frequency(c);
}
