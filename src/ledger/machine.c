/*
 * machine.c — the ledger's state machine (SPEC §3, issue 4's contract), as one pure function over
 * the state of one code. Both backends call it: the embedded ledger with state from its compact
 * index, the PostgreSQL backend with state read from its rows, so their outcomes cannot drift.
 *
 * Rules, in the order they are decided:
 *   - the first pack_units seen is kept; a whole-pack sale with none known makes it a 1-unit pack;
 *   - sale: duplicate/other_institution when a standing sale is another institution's; else
 *     duplicate/same_institution when units sold + these > pack_units; else first_sale when
 *     nothing stands, split_sale otherwise. Every sale, duplicates too, stands afterwards.
 *     unknown_source when the institution has reported purchases and the pack is not in its stock;
 *   - sale_return: return_ok when the institution's standing sales hold the units (taken off its
 *     newest sales first; a sale at 0 units no longer stands), else return_unmatched, no change;
 *   - purchase: reflow_purchase when any sale stands, else transfer_suspect when another
 *     institution holds the pack, else in_stock; the pack is then in this institution's stock;
 *   - purchase_return: stock_out when in this institution's stock (it leaves), else
 *     return_unmatched, no change.
 */
#include "core/compat.h"

#include "fundguard/alloc.h"
#include "ledger/ledger_int.h"

uint32_t fg__ledger_units(const fg_ledger_event_t *ev, uint32_t pack)
{
    if (ev->type != FG_LEDGER_SALE && ev->type != FG_LEDGER_SALE_RETURN)
        return ev->units;
    if (ev->trdn)
        return ev->units;
    if (pack != 0)
        return pack;
    return ev->pack_units != 0 ? ev->pack_units : 1;
}

static void sale(fg__lstate_t *st, const fg_ledger_event_t *ev, uint32_t inst, int purchased,
                 fg_ledger_result_t *res)
{
    uint64_t sold = 0;
    int other = 0;
    uint32_t units;

    if (st->pack == 0)
        st->pack = ev->pack_units != 0 ? ev->pack_units : (ev->trdn ? 0 : 1);
    units = fg__ledger_units(ev, st->pack);
    for (uint32_t i = 0; i < st->nsales; i++) {
        sold += st->sales[i].units;
        if (st->sales[i].inst != inst)
            other = 1;
    }
    if (other) {
        res->outcome = FG_LEDGER_DUPLICATE;
        res->kind = FG_LEDGER_OTHER_INSTITUTION;
    } else if (sold + units > st->pack) {
        res->outcome = FG_LEDGER_DUPLICATE;
        res->kind = FG_LEDGER_SAME_INSTITUTION;
    } else {
        res->outcome = st->nsales == 0 ? FG_LEDGER_FIRST_SALE : FG_LEDGER_SPLIT_SALE;
    }
    if (purchased && st->stock != inst)
        res->findings |= FG_LEDGER_FINDING_UNKNOWN_SOURCE;
}

static void sale_return(fg__lstate_t *st, const fg_ledger_event_t *ev, uint32_t inst,
                        fg_ledger_result_t *res, int *changed)
{
    uint32_t units = fg__ledger_units(ev, st->pack);
    uint64_t held = 0;

    for (uint32_t i = 0; i < st->nsales; i++)
        if (st->sales[i].inst == inst)
            held += st->sales[i].units;
    if (held < units) {
        res->outcome = FG_LEDGER_RETURN_UNMATCHED;
        return;
    }
    res->outcome = FG_LEDGER_RETURN_OK;
    *changed = 1;
    /* Newest first; a sale reduced to 0 no longer stands (order of the rest is kept). */
    for (uint32_t i = st->nsales; i-- > 0 && units > 0;) {
        fg__lsale_t *s = &st->sales[i];
        if (s->inst != inst)
            continue;
        uint32_t take = s->units < units ? s->units : units;
        s->units -= take;
        units -= take;
        if (s->units == 0) {
            memmove(s, s + 1, (st->nsales - i - 1) * sizeof(*s));
            st->nsales--;
        }
    }
}

int fg__ledger_step(fg__lstate_t *st, const fg_ledger_event_t *ev, uint32_t inst, int purchased,
                    uint64_t ref, fg_ledger_result_t *res, fg__lsale_t *prior, size_t *nprior,
                    int *changed)
{
    res->outcome = FG_LEDGER_INVALID;
    res->kind = FG_LEDGER_KIND_NONE;
    res->findings = 0;
    *changed = 0;
    if (st->nsales > 0)
        memcpy(prior, st->sales, st->nsales * sizeof(*prior));
    *nprior = st->nsales;

    switch (ev->type) {
    case FG_LEDGER_SALE: {
        int rc = fg__lstate_reserve(st, st->nsales + 1);
        if (rc != 0)
            return rc;
        sale(st, ev, inst, purchased, res);
        st->sales[st->nsales].inst = inst;
        st->sales[st->nsales].units = fg__ledger_units(ev, st->pack);
        st->sales[st->nsales].ref = ref;
        st->nsales++;
        *changed = 1;
        return 0;
    }
    case FG_LEDGER_SALE_RETURN:
        sale_return(st, ev, inst, res, changed);
        break;
    case FG_LEDGER_PURCHASE:
        if (st->nsales > 0)
            res->outcome = FG_LEDGER_REFLOW_PURCHASE;
        else if (st->stock != 0 && st->stock != inst)
            res->outcome = FG_LEDGER_TRANSFER_SUSPECT;
        else
            res->outcome = FG_LEDGER_IN_STOCK;
        st->stock = inst;
        *changed = 1;
        break;
    case FG_LEDGER_PURCHASE_RETURN:
        if (st->stock == inst) {
            res->outcome = FG_LEDGER_STOCK_OUT;
            st->stock = 0;
            *changed = 1;
        } else {
            res->outcome = FG_LEDGER_RETURN_UNMATCHED;
        }
        break;
    default:
        return FG_EINVAL;
    }
    if (*changed && st->pack == 0 && ev->pack_units != 0)
        st->pack = ev->pack_units;
    return 0;
}
