/*
 * m_invoice_duplicate.c — `invoice_duplicate` (重复报销): the same invoice number reimbursed in
 * two settlements.
 *
 * Each paid settlement (refunds, void ones and those a refund reversed excluded) takes its invoice
 * number from setl_d's invono, else from the invoices.csv row of its setl_id. Settlements of one
 * person sharing an invoice number: one finding per number naming every settlement (earliest
 * first); amount = medfee_sumamt of every one but the first, the money claimed again.
 *
 * State: none (per person group; a number shared by two persons is not seen — the invoice names
 * its person).
 */
#include "core/compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fundguard/alloc.h"
#include "screen/mpost.h"

typedef struct inv {
    const char *no;
    const fg_settlement_t *s;
} inv_t;

static int cmp_inv(const void *a, const void *b)
{
    const inv_t *x = a;
    const inv_t *y = b;
    int c = strcmp(x->no, y->no);
    if (c != 0)
        return c;
    if (x->s->setl_time != y->s->setl_time)
        return x->s->setl_time < y->s->setl_time ? -1 : 1;
    return strcmp(x->s->setl_id, y->s->setl_id);
}

static const char *invono_of(const fg__screen_person_t *p, const fg_settlement_t *s)
{
    if (s->invono[0] != '\0')
        return s->invono;
    for (size_t i = 0; i < p->ninvoices; i++)
        if (strcmp(p->invoices[i].setl_id, s->setl_id) == 0)
            return p->invoices[i].invono;
    return "";
}

static int one(fg__screen_ctx_t *cx, const fg__screen_person_t *p, const inv_t *v, size_t n)
{
    fg__screen_finding_t f;
    fg__screen_finding_init(&f, FG__SCREEN_DEFINITE);
    fg__mp_finding_base(&f, p->psn_no, v[n - 1].s->fixmedins_code, v[n - 1].s->setl_time, 0);
    snprintf(f.invono, sizeof(f.invono), "%s", v[0].no);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (i > 0)
            f.amount += v[i].s->medfee_sumamt;
        rc = fg__screen_ids_add(&f, &f.setl_ids, v[i].s->setl_id);
        if (rc == 0)
            rc = fg__screen_ids_add(&f, &f.mdtrt_ids, v[i].s->mdtrt_id);
    }
    if (rc == 0)
        rc = fg__screen_ev_int(&f, "settlements", (int64_t)n);
    if (rc == 0)
        rc = fg__screen_ev_time(&f, "first_settled", v[0].s->setl_time);
    if (rc == 0)
        rc = fg__screen_ev_time(&f, "again_settled", v[1].s->setl_time);
    if (rc == 0 && v[1].s->med_type[0] != '\0')
        rc = fg__screen_ev_str(&f, "again_med_type", v[1].s->med_type);
    char d1[FG_DATE_TEXTLEN + 1];
    char d2[FG_DATE_TEXTLEN + 1];
    snprintf(f.message, sizeof(f.message),
             "票据号%s于%s结算后，%s再次报销（共%zu次结算），属重复报销", v[0].no,
             fg__screen_day(v[0].s->setl_time, d1), fg__screen_day(v[1].s->setl_time, d2), n);
    return fg__mp_emit(cx, &f, rc);
}

static int person(fg__screen_ctx_t *cx, void *state, const fg__screen_person_t *p)
{
    (void)state;
    if (p->nsetls < 2)
        return 0;
    inv_t *v = fg_calloc(p->nsetls, sizeof(*v));
    if (v == NULL)
        return FG_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < p->nsetls; i++) {
        const fg_settlement_t *s = &p->setls[i];
        const char *no = invono_of(p, s);
        if (no[0] == '\0' || !fg__mp_setl_paid(p, s))
            continue;
        v[n].no = no;
        v[n].s = s;
        n++;
    }
    qsort(v, n, sizeof(*v), cmp_inv);
    int rc = 0;
    for (size_t a = 0; a < n && rc == 0;) {
        size_t b = a + 1;
        while (b < n && strcmp(v[b].no, v[a].no) == 0)
            b++;
        if (b - a >= 2 && fg__screen_in_window(cx, v[b - 1].s->setl_time))
            rc = one(cx, p, v + a, b - a);
        a = b;
    }
    fg_free(v);
    return rc;
}

const fg__screen_model_t fg__screen_model_invoice_duplicate = {
    .name = "invoice_duplicate",
    .name_zh = "重复报销",
    .definition = "同一票据号码（电子票据或结算表发票号）在两次及以上有效结算中报销的（退费、"
                  "无效及已被冲销的结算除外），属重复报销。",
    .needs = FG__SCREEN_IN_SETL,
    .wants = FG__SCREEN_IN_INVOICES,
    .params = NULL,
    .nparams = 0,
    .person = person,
};
