/*
 * eval_status.c — the status checks that run first (SPEC §4): the person deceased before the
 * service date, the person not insured on it, the billing staff member's payment qualification
 * suspended or terminated (emergency and rescue visits excepted), the institution's agreement
 * suspended or terminated, and a drug line without a trace code after the cut-over that the
 * institution's 无码库 (stock bought before the cut-over) does not cover.
 *
 * Each is a hit on every line it concerns; the amount at issue is the line's total.
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>

#include "rules/rules_int.h"

static void deceased(rctx_t *c)
{
    if (!fg__rule_on(c, R_GZ0001))
        return;
    fg_date_t die = FG_DATE_NONE;
    char kp[80] = "", ver[16] = "input";
    const fg_ref_death_t *d = fg_ref_death(c->ref, c->psn_no);
    if (d != NULL) {
        die = d->die_date;
        snprintf(kp, sizeof(kp), "deaths#%u", (unsigned)d->row);
        snprintf(ver, sizeof(ver), "ref");
    }
    const fg_person_t *p = c->doc->person;
    if (p != NULL && p->die_date != FG_DATE_NONE && (die == FG_DATE_NONE || p->die_date < die)) {
        die = p->die_date;
        snprintf(kp, sizeof(kp), "psninfo.die_date");
        snprintf(ver, sizeof(ver), "input");
    }
    if (die == FG_DATE_NONE)
        return;
    kv_t kv[] = {{"die_date", fg__date_text(c, die)}};
    for (size_t i = 0; i < c->nlines; i++) {
        const rline_t *l = &c->lines[i];
        if (l->date != FG_DATE_NONE && l->date > die)
            fg__hit(c, R_GZ0001, (int)i, l->total, "line_total", kp, ver, kv, 1);
    }
}

static void not_insured(rctx_t *c)
{
    if (!fg__rule_on(c, R_GZ0002) || !fg_ref_has_registry(c->ref))
        return;
    uint32_t prow = fg_ref_person_row(c->ref, c->psn_no);
    int have_cover = 0;
    size_t probe = 0;
    if (fg_ref_cover_next(c->ref, c->psn_no, &probe) != NULL)
        have_cover = 1;
    for (size_t i = 0; i < c->nlines; i++) {
        const rline_t *l = &c->lines[i];
        if (l->date == FG_DATE_NONE)
            continue;
        const char *why = NULL;
        char kp[80] = "persons";
        if (have_cover) {
            const fg_ref_cover_t *cv, *last = NULL;
            int ok = 0;
            probe = 0;
            for (;;) {
                cv = fg_ref_cover_next(c->ref, c->psn_no, &probe);
                if (cv == NULL)
                    break;
                last = cv;
                if (cv->insutype[0] != '\0' && c->insutype[0] != '\0' &&
                    strcmp(cv->insutype, c->insutype) != 0)
                    continue;
                if (l->date >= cv->begin && (cv->end == FG_DATE_NONE || l->date <= cv->end)) {
                    ok = 1;
                    break;
                }
            }
            if (ok)
                continue;
            snprintf(kp, sizeof(kp), "coverage#%u", last != NULL ? (unsigned)last->row : 0u);
            why = last != NULL
                      ? fg__fmt(c, "参保期为%s至%s", fg__date_text(c, last->begin),
                                last->end == FG_DATE_NONE ? "今" : fg__date_text(c, last->end))
                      : "无参保记录";
        } else if (prow == 0) {
            why = "参保人员库中没有此人";
        } else {
            continue;
        }
        kv_t kv[] = {{"why", why}};
        fg__hit(c, R_GZ0002, (int)i, l->total, "line_total", kp, "ref", kv, 1);
    }
}

static const char *action_text(fg_ref_status_t status)
{
    return status == FG_REF_TERMINATED ? "终止" : "暂停";
}

static void suspended(rctx_t *c)
{
    if (c->ref == NULL)
        return;
    int staff_on = fg__rule_on(c, R_GZ0003) && !fg__in_list(c->P->emergency_med_types, c->med_type);
    int inst_on = fg__rule_on(c, R_GZ0004);
    for (size_t i = 0; i < c->nlines; i++) {
        const rline_t *l = &c->lines[i];
        if (l->date == FG_DATE_NONE)
            continue;
        const fg_ref_susp_t *s = inst_on ? fg_ref_susp_on(c->ref, 1, c->inst, l->date) : NULL;
        if (s != NULL) {
            kv_t kv[] = {{"inst", c->inst},
                         {"begin", fg__date_text(c, s->begin)},
                         {"action", action_text(s->status)}};
            fg__hit(c, R_GZ0004, (int)i, l->total, "line_total",
                    fg__fmt(c, "suspensions#%u", (unsigned)s->row), "ref", kv, 3);
        }
        s = staff_on ? fg_ref_susp_on(c->ref, 0, l->fee->bilg_dr_codg, l->date) : NULL;
        if (s != NULL) {
            kv_t kv[] = {{"staff", l->fee->bilg_dr_codg},
                         {"begin", fg__date_text(c, s->begin)},
                         {"action", action_text(s->status)}};
            fg__hit(c, R_GZ0003, (int)i, l->total, "line_total",
                    fg__fmt(c, "suspensions#%u", (unsigned)s->row), "ref", kv, 3);
        }
    }
}

/* Drug lines without a trace code after the cut-over; the 无码库 covers them in line order until
 * its declared quantity is used up. */
static void no_trace(rctx_t *c)
{
    if (!fg__rule_on(c, R_GZ0005))
        return;
    for (size_t i = 0; i < c->nlines; i++) {
        const rline_t *l = &c->lines[i];
        if (!l->is_drug || l->fee->ntrace > 0 || l->date == FG_DATE_NONE ||
            l->date < c->P->trace_cutover)
            continue;
        /* 无码库: declared stock of this drug at this institution, less what was used */
        fg_qty_t declared = 0;
        const fg_kb_fact_t *stock = NULL;
        for (const fg_kb_fact_t *f = l->facts; f != NULL; f = fg_kb_fact_next(c->kb, f)) {
            if (f->kind == FG_KF_NOCODE && strcmp(fg_kb_str(c->kb, f->ref), c->inst) == 0) {
                declared += f->a;
                stock = f;
            }
        }
        fg_qty_t need = l->fee->cnt;
        fg_qty_t uncovered = need;
        if (declared > 0) {
            fg_qty_t used = fg_history_nocode_used(c->hist_store, c->inst, l->fee->med_list_codg);
            for (size_t j = 0; j < i; j++)
                if (c->lines[j].code == l->code)
                    used += c->nocode_used[j];
            fg_qty_t left = declared - used;
            if (left < 0)
                left = 0;
            fg_qty_t take = left < need ? left : need;
            c->nocode_used[i] = take;
            uncovered = need - take;
        }
        if (uncovered <= 0)
            continue;
        fg_fen_t amount = l->total;
        const char *basis = "line_total";
        if (uncovered < need && need > 0) {
            amount = fg__share(l->total, uncovered, need);
            basis = "uncovered_share_of_line";
        }
        char kp[80], ver[16];
        if (stock != NULL) {
            fg__kp(c, stock->table, stock->row, kp, ver);
        } else {
            snprintf(kp, sizeof(kp), "params#trace_cutover");
            snprintf(ver, sizeof(ver), "%s", c->P->table != UINT16_MAX ? "local" : "default");
        }
        fg__hit(c, R_GZ0005, (int)i, amount, basis, kp, ver, NULL, 0);
    }
}

void fg__eval_status(rctx_t *c)
{
    deceased(c);
    not_insured(c);
    suspended(c);
    no_trace(c);
}
