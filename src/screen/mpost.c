/*
 * mpost.c — helpers of the post-event models (mpost.h).
 */
#include "core/compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fundguard/alloc.h"
#include "fundguard/hash.h"
#include "screen/mpost.h"

int fg__mp_setl_paid(const fg__screen_person_t *p, const fg_settlement_t *s)
{
    if (s->refd_setl_flag == 1 || strcmp(s->vali_flag, "0") == 0)
        return 0;
    for (size_t i = 0; i < p->nsetls; i++) {
        const fg_settlement_t *r = &p->setls[i];
        if (r->refd_setl_flag == 1 && strcmp(r->init_setl_id, s->setl_id) == 0 &&
            strcmp(r->vali_flag, "0") != 0)
            return 0;
    }
    return 1;
}

static int cmp_visit(const void *a, const void *b)
{
    const fg__mp_visit_t *x = a;
    const fg__mp_visit_t *y = b;
    if (x->v->begntime != y->v->begntime)
        return x->v->begntime < y->v->begntime ? -1 : 1;
    return strcmp(x->v->mdtrt_id, y->v->mdtrt_id);
}

long fg__mp_visits(const fg__screen_person_t *p, fg__mp_visit_t **out)
{
    *out = NULL;
    if (p->nvisits == 0)
        return 0;
    const fg_settlement_t **first = fg_calloc(p->nvisits, sizeof(*first));
    fg__mp_visit_t *v = fg_calloc(p->nvisits, sizeof(*v));
    if (first == NULL || v == NULL) {
        fg_free(first);
        fg_free(v);
        return -1;
    }
    for (size_t i = 0; i < p->nsetls; i++) {
        const fg_settlement_t *s = &p->setls[i];
        const fg_visit_t *vis = fg__screen_person_visit(p, s->mdtrt_id);
        if (vis == NULL || !fg__mp_setl_paid(p, s))
            continue;
        size_t k = (size_t)(vis - p->visits);
        if (first[k] == NULL)
            first[k] = s;
    }
    long n = 0;
    for (size_t k = 0; k < p->nvisits; k++) {
        const fg_visit_t *vis = &p->visits[k];
        if (first[k] == NULL || vis->begntime == FG_TIME_NONE || strcmp(vis->vali_flag, "0") == 0)
            continue;
        v[n].v = vis;
        v[n].s = first[k];
        n++;
    }
    fg_free(first);
    if (n == 0) {
        fg_free(v);
        return 0;
    }
    qsort(v, (size_t)n, sizeof(*v), cmp_visit);
    *out = v;
    return n;
}

int fg__mp_inpatient(const char *t)
{
    return (t[0] == '2' && t[1] != '\0') || strcmp(t, "52") == 0;
}

int fg__mp_outpatient(const char *t)
{
    return strcmp(t, "11") == 0 || strcmp(t, "13") == 0 || strcmp(t, "14") == 0;
}

int fg__mp_pharmacy(const char *t)
{
    return strcmp(t, "41") == 0;
}

const char *fg__mp_main_diag(const fg__screen_person_t *p, const fg__mp_visit_t *mv)
{
    if (mv->v->dscg_maindiag_code[0] != '\0')
        return mv->v->dscg_maindiag_code;
    for (size_t i = 0; i < p->ndiags; i++) {
        const fg_diagnosis_t *d = &p->diags[i];
        if (d->maindiag_flag == 1 && strcmp(d->vali_flag, "0") != 0 &&
            (strcmp(d->setl_id, mv->s->setl_id) == 0 || strcmp(d->mdtrt_id, mv->v->mdtrt_id) == 0))
            return d->diag_code;
    }
    return "";
}

void fg__mp_finding_base(fg__screen_finding_t *f, const char *psn_no, const char *inst, fg_time_t t,
                         fg_fen_t amount)
{
    snprintf(f->psn_no, sizeof(f->psn_no), "%s", psn_no);
    if (inst != NULL)
        snprintf(f->fixmedins_code, sizeof(f->fixmedins_code), "%s", inst);
    f->time = t;
    f->amount = amount;
}

int fg__mp_emit(fg__screen_ctx_t *cx, fg__screen_finding_t *f, int rc)
{
    if (rc == 0)
        rc = fg__screen_emit(cx, f);
    fg__screen_finding_release(f);
    return rc;
}

int fg__mp_add_visit(fg__screen_finding_t *f, const fg__mp_visit_t *mv)
{
    int rc = fg__screen_ids_add(f, &f->setl_ids, mv->s->setl_id);
    if (rc == 0)
        rc = fg__screen_ids_add(f, &f->mdtrt_ids, mv->v->mdtrt_id);
    return rc;
}

/* ---------------------------------------------------------------- map */

int fg__mp_map_init(fg__mp_map_t *m, size_t vsize, size_t cap)
{
    size_t c = 64;
    while (c < cap * 2)
        c *= 2;
    m->keys = fg_calloc(c, sizeof(*m->keys));
    m->vals = fg_calloc(c, vsize);
    m->vsize = vsize;
    m->cap = c;
    m->n = 0;
    if (m->keys == NULL || m->vals == NULL) {
        fg__mp_map_free(m);
        return FG_ENOMEM;
    }
    return 0;
}

void fg__mp_map_free(fg__mp_map_t *m)
{
    fg_free(m->keys);
    fg_free(m->vals);
    m->keys = NULL;
    m->vals = NULL;
    m->cap = m->n = 0;
}

static size_t slot_of(const fg__mp_map_t *m, uint64_t key)
{
    uint64_t h = key * 0x9e3779b97f4a7c15ULL;
    size_t i = (size_t)(h >> 17) & (m->cap - 1);
    while (m->keys[i] != 0 && m->keys[i] != key)
        i = (i + 1) & (m->cap - 1);
    return i;
}

static int grow(fg__mp_map_t *m)
{
    fg__mp_map_t g;
    if (fg__mp_map_init(&g, m->vsize, m->cap) != 0)
        return FG_ENOMEM;
    for (size_t i = 0; i < m->cap; i++) {
        if (m->keys[i] == 0)
            continue;
        size_t j = slot_of(&g, m->keys[i]);
        g.keys[j] = m->keys[i];
        memcpy(g.vals + j * g.vsize, m->vals + i * m->vsize, m->vsize);
    }
    g.n = m->n;
    fg__mp_map_free(m);
    *m = g;
    return 0;
}

void *fg__mp_map_get(fg__mp_map_t *m, uint64_t key)
{
    if (key == 0)
        key = 1;
    if ((m->n + 1) * 2 > m->cap && grow(m) != 0)
        return NULL;
    size_t i = slot_of(m, key);
    if (m->keys[i] == 0) {
        m->keys[i] = key;
        m->n++;
    }
    return m->vals + i * m->vsize;
}

void *fg__mp_map_find(const fg__mp_map_t *m, uint64_t key)
{
    if (key == 0)
        key = 1;
    if (m->cap == 0)
        return NULL;
    size_t i = slot_of(m, key);
    return m->keys[i] == 0 ? NULL : m->vals + i * m->vsize;
}

uint64_t fg__mp_key(const char *s)
{
    uint64_t h = fg_hash64(s, strlen(s));
    return h == 0 ? 1 : h;
}

int fg__mp_ids_init(fg__mp_ids_t *x)
{
    memset(x, 0, sizeof(*x));
    return fg__mp_map_init(&x->map, sizeof(uint32_t), 1024);
}

void fg__mp_ids_free(fg__mp_ids_t *x)
{
    fg__mp_map_free(&x->map);
    fg_free(x->s);
    x->s = NULL;
    x->n = x->cap = 0;
}

int fg__mp_ids_push(fg__mp_ids_t *x, const char *v)
{
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 1024;
        char(*p)[32] = fg_realloc_array(x->s, cap, sizeof(*p));
        if (p == NULL)
            return FG_ENOMEM;
        x->s = p;
        x->cap = cap;
    }
    snprintf(x->s[x->n++], sizeof(x->s[0]), "%s", v);
    return 0;
}

uint32_t fg__mp_ids_of(fg__mp_ids_t *x, const char *id)
{
    uint32_t *ix = fg__mp_map_get(&x->map, fg__mp_key(id));
    if (ix == NULL)
        return UINT32_MAX;
    if (*ix == 0) {
        if (fg__mp_ids_push(x, id) != 0)
            return UINT32_MAX;
        *ix = (uint32_t)x->n;
    }
    return *ix - 1;
}
