/*
 * hmap.c — see hmap.h. The table is kept at most three-quarters full, so every probe sequence
 * ends at an empty slot.
 */
#include "core/compat.h"

#include "core/hmap.h"
#include "fundguard/alloc.h"
#include "fundguard/error.h"

static int rehash(fg_hmap_t *m, size_t cap)
{
    fg_hmap_slot_t *s = fg_calloc(cap, sizeof(*s));
    if (s == NULL)
        return FG_ENOMEM;
    for (size_t i = 0; i < m->cap; i++) {
        if (m->slots[i].hash == 0)
            continue;
        size_t j = (size_t)m->slots[i].hash & (cap - 1);
        while (s[j].hash != 0)
            j = (j + 1) & (cap - 1);
        s[j] = m->slots[i];
    }
    fg_free(m->slots);
    m->slots = s;
    m->cap = cap;
    return 0;
}

int fg_hmap_put(fg_hmap_t *m, uint64_t hash, uint32_t value, uint32_t aux)
{
    if ((m->n + 1) * 4 >= m->cap * 3) {
        int rc = rehash(m, m->cap != 0 ? m->cap * 2 : 64);
        if (rc != 0)
            return rc;
    }
    hash = fg_hmap_fold(hash);
    size_t j = (size_t)hash & (m->cap - 1);
    while (m->slots[j].hash != 0)
        j = (j + 1) & (m->cap - 1);
    m->slots[j].hash = hash;
    m->slots[j].value = value;
    m->slots[j].aux = aux;
    m->n++;
    return 0;
}

fg_hmap_slot_t *fg_hmap_find(const fg_hmap_t *m, uint64_t hash, size_t *probe)
{
    if (m->cap == 0)
        return NULL;
    hash = fg_hmap_fold(hash);
    size_t mask = m->cap - 1;
    size_t j = *probe == 0 ? ((size_t)hash & mask) : (*probe - 1);
    while (m->slots[j].hash != 0) {
        size_t here = j;
        j = (j + 1) & mask;
        if (m->slots[here].hash == hash) {
            *probe = j + 1;
            return &m->slots[here];
        }
    }
    return NULL;
}

void fg_hmap_release(fg_hmap_t *m)
{
    fg_free(m->slots);
    m->slots = NULL;
    m->cap = 0;
    m->n = 0;
}
