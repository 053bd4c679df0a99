/*
 * person.c — lookups inside a person group (screen_int.h "person groups").
 */
#include "core/compat.h"

#include <stddef.h>
#include <string.h>

#include "screen/screen_int.h"

/* The row of rows[0..n) (each `size` bytes, key string at `off`) whose key is `key`, by binary
 * search over ix (positions ordered by key); NULL when none. */
static const void *find_by_key(const void *rows, size_t size, size_t off, const uint32_t *ix,
                               size_t n, const char *key)
{
    size_t lo = 0;
    size_t hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *row = (const char *)rows + (size_t)ix[mid] * size;
        int c = strcmp(row + off, key);
        if (c == 0)
            return row;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const fg_visit_t *fg__screen_person_visit(const fg__screen_person_t *p, const char *mdtrt_id)
{
    return find_by_key(p->visits, sizeof(*p->visits), offsetof(fg_visit_t, mdtrt_id),
                       p->visit_by_id, p->nvisits, mdtrt_id);
}

const fg_settlement_t *fg__screen_person_setl(const fg__screen_person_t *p, const char *setl_id)
{
    return find_by_key(p->setls, sizeof(*p->setls), offsetof(fg_settlement_t, setl_id),
                       p->setl_by_id, p->nsetls, setl_id);
}

size_t fg__screen_person_setl_fees(const fg__screen_person_t *p, const char *setl_id, size_t *first)
{
    size_t lo = 0;
    size_t hi = p->nfees;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(p->fees[p->fee_by_setl[mid]].setl_id, setl_id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < p->nfees && strcmp(p->fees[p->fee_by_setl[end]].setl_id, setl_id) == 0)
        end++;
    *first = lo;
    return end - lo;
}

fg_time_t fg__screen_fee_time(const fg__screen_person_t *p, const fg_fee_line_t *fee)
{
    if (fee->fee_ocur_time != FG_TIME_NONE)
        return fee->fee_ocur_time;
    const fg_visit_t *v = fg__screen_person_visit(p, fee->mdtrt_id);
    if (v != NULL && v->begntime != FG_TIME_NONE)
        return v->begntime;
    const fg_settlement_t *s = fg__screen_person_setl(p, fee->setl_id);
    return s != NULL ? s->setl_time : FG_TIME_NONE;
}
