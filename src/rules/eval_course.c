/*
 * eval_course.c — payment courses: drugs paid for at most N days (batch 6, by generic name: any
 * code of the name counts) and items paid for at most N days (batch 8-3, by item code).
 *
 * A course is the run of the person's charges of the drug or item in which no two consecutive
 * service dates are more than course_gap_days apart (default 30; a longer pause starts a new
 * course). The day of a charge in its course is (date − first date of the course + 1); a line on a
 * day beyond N is the violation, its whole amount at issue. The window reaches back through the
 * person's history.
 */
#include "core/compat.h"

#include <stdlib.h>
#include <string.h>

#include "rules/rules_int.h"

/* Does a code (its facts) carry the same course knowledge point as f? */
static int same_point(const rctx_t *c, const fg_kb_fact_t *facts, const fg_kb_fact_t *f)
{
    for (const fg_kb_fact_t *x = facts; x != NULL; x = fg_kb_fact_next(c->kb, x))
        if (x->kind == f->kind && x->table == f->table && x->row == f->row)
            return 1;
    return 0;
}

static int cmp_date(const void *a, const void *b)
{
    fg_date_t x = *(const fg_date_t *)a, y = *(const fg_date_t *)b;
    return x < y ? -1 : x > y;
}

/* First date of the course the date `on` belongs to, from the charge dates up to `on`. */
static fg_date_t course_start(rctx_t *c, const rline_t *l, const fg_kb_fact_t *f)
{
    size_t cap = c->nhist + c->nlines;
    fg_date_t *dates = fg_arena_alloc(c->arena, (cap + 1) * sizeof(*dates));
    if (dates == NULL) {
        c->rc = FG_ENOMEM;
        return l->date;
    }
    size_t n = 0;
    uint64_t last_code = 0;
    int last_same = 0;
    for (size_t i = 0; i < c->nhist; i++) {
        const fg_hist_entry_t *e = &c->hist[i];
        if (e->code == 0)
            continue;
        fg_date_t d = fg_time_date(e->time);
        if (d > l->date)
            continue;
        if (e->code != last_code) {
            last_code = e->code;
            last_same = e->code == l->code || (f->kind == FG_KF_DRUG_COURSE &&
                                               same_point(c, fg_kb_lookup_hash(c->kb, e->code), f));
        }
        if (last_same)
            dates[n++] = d;
    }
    for (size_t j = 0; j < c->nlines; j++) {
        const rline_t *o = &c->lines[j];
        if (o->date == FG_DATE_NONE || o->date > l->date)
            continue;
        if (o->code == l->code || (f->kind == FG_KF_DRUG_COURSE && same_point(c, o->facts, f)))
            dates[n++] = o->date;
    }
    qsort(dates, n, sizeof(*dates), cmp_date);
    fg_date_t start = n > 0 ? dates[0] : l->date;
    for (size_t k = 1; k < n; k++)
        if (fg_days_between(dates[k - 1], dates[k]) > c->P->course_gap_days)
            start = dates[k];
    return start;
}

void fg__eval_course(rctx_t *c)
{
    int drug_on = fg__rule_on(c, R_GZ0701), item_on = fg__rule_on(c, R_GZ0903);
    if (!drug_on && !item_on)
        return;
    for (size_t i = 0; i < c->nlines; i++) {
        const rline_t *l = &c->lines[i];
        if (l->date == FG_DATE_NONE)
            continue;
        for (const fg_kb_fact_t *f = l->facts; f != NULL; f = fg_kb_fact_next(c->kb, f)) {
            int rule;
            if (f->kind == FG_KF_DRUG_COURSE && drug_on)
                rule = R_GZ0701;
            else if (f->kind == FG_KF_ITEM_COURSE && item_on)
                rule = R_GZ0903;
            else
                continue;
            fg_date_t start = course_start(c, l, f);
            int day = (int)fg_days_between(start, l->date) + 1;
            if (day <= f->a)
                continue;
            const char *text = fg_kb_str(c->kb, f->text);
            kv_t kv[] = {
                {"limit", fg__fmt(c, "%lld", (long long)f->a)},
                {"start", fg__date_text(c, start)},
                {"day", fg__fmt(c, "%d", day)},
                {"rule", text[0] ? text : fg__fmt(c, "支付不超过%lld天。", (long long)f->a)}};
            fg__hit_fact(c, rule, (int)i, l->total, "line_total", f->table, f->row, kv, 4);
        }
    }
}
