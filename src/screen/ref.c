/*
 * ref.c — the reference tables of a screen (screen_int.h step 2): persons, institutions, staff,
 * catalogue, deaths, injuries, suspensions of every input directory, loaded once, indexed by a hash
 * of their key. A row that does not validate is reported (file, line, column) and skipped, like the
 * extraction tables' rows; a later row of the same key is found after the earlier one.
 */
#include "core/compat.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hmap.h"
#include "fundguard/alloc.h"
#include "fundguard/hash.h"
#include "screen/screen_priv.h"

static uint64_t hkey(const char *s)
{
    return fg_hmap_fold(fg_hash64(s, strlen(s)));
}

int fg__screen_rows_add(fg__screen_rows_t *rs, const void *rec)
{
    if (rs->n == rs->cap) {
        size_t cap = rs->cap ? rs->cap * 2 : 64;
        void *p = fg_realloc_array(rs->v, cap, rs->size);
        if (p == NULL)
            return FG_ENOMEM;
        rs->v = p;
        rs->cap = cap;
    }
    memcpy((char *)rs->v + rs->n * rs->size, rec, rs->size);
    rs->n++;
    return 0;
}

/* Index every row by the string at key_off (and, when key2_off is set, by that one too). */
static int rows_index(fg__screen_rows_t *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        const char *row = (const char *)rs->v + i * rs->size;
        const char *k = row + rs->key_off;
        if (k[0] != '\0' && fg_hmap_put(&rs->idx, hkey(k), (uint32_t)i + 1, 0) != 0)
            return FG_ENOMEM;
        if (rs->key2_off == 0)
            continue;
        k = row + rs->key2_off;
        if (k[0] != '\0' && fg_hmap_put(&rs->idx2, hkey(k), (uint32_t)i + 1, 0) != 0)
            return FG_ENOMEM;
    }
    return 0;
}

/* Rows whose key (or, second, key2) equals k, in file order: the count, up to max into out. */
static size_t rows_find(const fg__screen_rows_t *rs, int second, const char *k, const void **out,
                        size_t max)
{
    if (rs->n == 0 || k == NULL || k[0] == '\0')
        return 0;
    const fg_hmap_t *m = second ? &rs->idx2 : &rs->idx;
    size_t off = second ? rs->key2_off : rs->key_off;
    size_t probe = 0;
    size_t n = 0;
    uint32_t found[64];
    uint64_t h = hkey(k);
    for (const fg_hmap_slot_t *s = fg_hmap_find(m, h, &probe); s != NULL && n < 64;
         s = fg_hmap_find(m, h, &probe)) {
        const char *row = (const char *)rs->v + (s->value - 1) * rs->size;
        if (strcmp(row + off, k) == 0)
            found[n++] = s->value - 1;
    }
    /* File order: the probe walks slots, not rows. */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && found[j - 1] > found[j]; j--) {
            uint32_t t = found[j];
            found[j] = found[j - 1];
            found[j - 1] = t;
        }
    for (size_t i = 0; i < n && i < max; i++)
        out[i] = (const char *)rs->v + found[i] * rs->size;
    return n;
}

static const void *rows_last(const fg__screen_rows_t *rs, int second, const char *k)
{
    const void *v[64];
    size_t n = rows_find(rs, second, k, v, 64);
    return n > 0 ? v[n < 64 ? n - 1 : 63] : NULL;
}

void fg__screen_rows_release(fg__screen_rows_t *rs)
{
    fg_free(rs->v);
    fg_hmap_release(&rs->idx);
    fg_hmap_release(&rs->idx2);
    rs->v = NULL;
    rs->n = rs->cap = 0;
}

static void rows_setup(fg__screen_rows_t *rs, size_t size, size_t key_off, size_t key2_off)
{
    memset(rs, 0, sizeof(*rs));
    rs->size = size;
    rs->key_off = key_off;
    rs->key2_off = key2_off;
}

void fg__screen_ref_init(fg__screen_ref_t *r)
{
    memset(r, 0, sizeof(*r));
    rows_setup(&r->persons, sizeof(fg_person_t), offsetof(fg_person_t, psn_no),
               offsetof(fg_person_t, certno_hash));
    rows_setup(&r->institutions, sizeof(fg_institution_t),
               offsetof(fg_institution_t, fixmedins_code), 0);
    rows_setup(&r->staff, sizeof(fg_staff_t), offsetof(fg_staff_t, staff_code), 0);
    rows_setup(&r->catalogue, sizeof(fg_catalogue_item_t),
               offsetof(fg_catalogue_item_t, med_list_codg), 0);
    rows_setup(&r->deaths, sizeof(fg_death_t), offsetof(fg_death_t, psn_no),
               offsetof(fg_death_t, certno_hash));
    rows_setup(&r->injuries, sizeof(fg_injury_t), offsetof(fg_injury_t, psn_no), 0);
    rows_setup(&r->suspensions, sizeof(fg_suspension_t), offsetof(fg_suspension_t, subject_code),
               0);
}

void fg__screen_ref_release(fg__screen_ref_t *r)
{
    fg__screen_rows_release(&r->persons);
    fg__screen_rows_release(&r->institutions);
    fg__screen_rows_release(&r->staff);
    fg__screen_rows_release(&r->catalogue);
    fg__screen_rows_release(&r->deaths);
    fg__screen_rows_release(&r->injuries);
    fg__screen_rows_release(&r->suspensions);
    fg_kb_free(r->kb);
    fg_ref_free(r->rules);
    r->kb = NULL;
    r->rules = NULL;
}

fg__screen_rows_t *fg__screen_ref_rows(fg__screen_ref_t *r, fg_table_t t)
{
    switch (t) {
    case FG_TABLE_PERSONS:
        return &r->persons;
    case FG_TABLE_INSTITUTIONS:
        return &r->institutions;
    case FG_TABLE_STAFF:
        return &r->staff;
    case FG_TABLE_CATALOGUE:
        return &r->catalogue;
    case FG_TABLE_DEATHS:
        return &r->deaths;
    case FG_TABLE_INJURIES:
        return &r->injuries;
    case FG_TABLE_SUSPENSIONS:
        return &r->suspensions;
    default:
        return NULL;
    }
}

static int cmp_injury(const void *a, const void *b)
{
    const fg_injury_t *x = a;
    const fg_injury_t *y = b;
    int c = strcmp(x->psn_no, y->psn_no);
    if (c != 0)
        return c;
    return (x->injury_date > y->injury_date) - (x->injury_date < y->injury_date);
}

int fg__screen_ref_seal(fg__screen_ref_t *r)
{
    /* Injuries by date within a person (the lookup's promise); the rest keep file order. */
    if (r->injuries.n > 1)
        qsort(r->injuries.v, r->injuries.n, r->injuries.size, cmp_injury);
    fg__screen_rows_t *all[] = {&r->persons, &r->institutions, &r->staff,      &r->catalogue,
                                &r->deaths,  &r->injuries,     &r->suspensions};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        int rc = rows_index(all[i]);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* ---------------------------------------------------------------- lookups */

const fg_person_t *fg__screen_ref_person(const fg__screen_ref_t *r, const char *psn_no)
{
    return rows_last(&r->persons, 0, psn_no);
}

const fg_institution_t *fg__screen_ref_institution(const fg__screen_ref_t *r, const char *code)
{
    return rows_last(&r->institutions, 0, code);
}

const fg_staff_t *fg__screen_ref_staff(const fg__screen_ref_t *r, const char *staff_code)
{
    return rows_last(&r->staff, 0, staff_code);
}

const fg_catalogue_item_t *fg__screen_ref_catalogue(const fg__screen_ref_t *r, const char *codg)
{
    return rows_last(&r->catalogue, 0, codg);
}

fg_date_t fg__screen_ref_death(const fg__screen_ref_t *r, const char *psn_no,
                               const fg_death_t **src)
{
    const fg_death_t *d = rows_last(&r->deaths, 0, psn_no);
    const fg_person_t *p = fg__screen_ref_person(r, psn_no);
    if (d == NULL && p != NULL && p->certno_hash[0] != '\0')
        d = rows_last(&r->deaths, 1, p->certno_hash);
    if (src != NULL)
        *src = d;
    if (d != NULL)
        return d->die_date;
    return p != NULL ? p->die_date : FG_DATE_NONE;
}

size_t fg__screen_ref_suspensions(const fg__screen_ref_t *r, const char *subject_type,
                                  const char *code, const fg_suspension_t *const **out)
{
    const void *v[64];
    size_t n = rows_find(&r->suspensions, 0, code, v, 64);
    fg__screen_ref_t *w = (fg__screen_ref_t *)(uintptr_t)r; /* scratch of the lookup */
    size_t k = 0;
    for (size_t i = 0; i < n && i < 64; i++) {
        const fg_suspension_t *s = v[i];
        if (strcmp(s->subject_type, subject_type) == 0)
            w->scratch[k++] = s;
    }
    *out = (const fg_suspension_t *const *)w->scratch;
    return k;
}

size_t fg__screen_ref_injuries(const fg__screen_ref_t *r, const char *psn_no,
                               const fg_injury_t *const **out)
{
    const void *v[64];
    size_t n = rows_find(&r->injuries, 0, psn_no, v, 64);
    fg__screen_ref_t *w = (fg__screen_ref_t *)(uintptr_t)r;
    for (size_t i = 0; i < n && i < 64; i++)
        w->scratch[i] = v[i];
    *out = (const fg_injury_t *const *)w->scratch;
    return n < 64 ? n : 64;
}

const fg_kb_t *fg__screen_ref_kb(const fg__screen_ref_t *r)
{
    return r->kb;
}

const fg_ref_t *fg__screen_ref_rules(const fg__screen_ref_t *r)
{
    return r->rules;
}
