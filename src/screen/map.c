/*
 * map.c — string-keyed maps of fixed-size values for the models' compact state (screen_int.h).
 */
#include "core/compat.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fundguard/alloc.h"
#include "fundguard/hash.h"
#include "screen/screen_int.h"

void fg__screen_map_init(fg__screen_map_t *m, size_t value_size)
{
    memset(m, 0, sizeof(*m));
    m->size = value_size;
    fg_arena_init(&m->keys, 0);
}

void *fg__screen_map_at(const fg__screen_map_t *m, size_t i)
{
    return (char *)m->vals + i * m->size;
}

void *fg__screen_map_get(fg__screen_map_t *m, const char *key, int create)
{
    uint64_t h = fg_hmap_fold(fg_hash64(key, strlen(key)));
    size_t probe = 0;
    for (const fg_hmap_slot_t *s = fg_hmap_find(&m->idx, h, &probe); s != NULL;
         s = fg_hmap_find(&m->idx, h, &probe))
        if (strcmp(m->key[s->value - 1], key) == 0)
            return fg__screen_map_at(m, s->value - 1);
    if (!create)
        return NULL;
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        void *v = fg_realloc_array(m->vals, cap, m->size);
        if (v == NULL)
            return NULL;
        m->vals = v;
        const char **k = fg_realloc_array(m->key, cap, sizeof(*k));
        if (k == NULL)
            return NULL;
        m->key = k;
        m->cap = cap;
    }
    char *copy = fg_arena_strndup(&m->keys, key, strlen(key));
    if (copy == NULL || fg_hmap_put(&m->idx, h, (uint32_t)m->n + 1, 0) != 0)
        return NULL;
    m->key[m->n] = copy;
    void *v = fg__screen_map_at(m, m->n++);
    memset(v, 0, m->size);
    return v;
}

static const fg__screen_map_t *g_sort_map;

static int cmp_key(const void *a, const void *b)
{
    return strcmp(g_sort_map->key[*(const size_t *)a], g_sort_map->key[*(const size_t *)b]);
}

size_t *fg__screen_map_sorted(const fg__screen_map_t *m)
{
    size_t *ix = fg_malloc((m->n ? m->n : 1) * sizeof(*ix));
    if (ix == NULL)
        return NULL;
    for (size_t i = 0; i < m->n; i++)
        ix[i] = i;
    g_sort_map = m;
    qsort(ix, m->n, sizeof(*ix), cmp_key);
    return ix;
}

void fg__screen_map_release(fg__screen_map_t *m)
{
    fg_hmap_release(&m->idx);
    fg_arena_release(&m->keys);
    fg_free(m->key);
    fg_free(m->vals);
    memset(m, 0, sizeof(*m));
}

fg_fen_t fg__screen_units_fen(const fg__screen_ref_t *r, const char *med_list_codg, uint64_t units)
{
    const fg_catalogue_item_t *c = fg__screen_ref_catalogue(r, med_list_codg);
    if (c == NULL)
        return 0;
    if (units == 0 || c->pack_units <= 0)
        return c->pric;
    /* Rounded half up to a fen. */
    if (units > (uint64_t)INT32_MAX || c->pric > (fg_fen_t)INT32_MAX)
        return c->pric * (fg_fen_t)(units / (uint64_t)c->pack_units);
    return (c->pric * (fg_fen_t)units * 2 + c->pack_units) / (2 * (fg_fen_t)c->pack_units);
}
