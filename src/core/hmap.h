/*
 * hmap.h — a multimap from 64-bit hashes to pairs of 32-bit values (usually index + 1), open
 * addressing with linear probing. The one hash index of the knowledge base, the reference data
 * and the per-person history: callers keep the records in their own arrays and confirm a match
 * against the record, since different keys may share a hash.
 */
#ifndef FG_CORE_HMAP_H
#define FG_CORE_HMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct fg_hmap_slot {
    uint64_t hash;  /* 0 = empty (a real hash of 0 is stored as 1: fg_hmap_fold) */
    uint32_t value; /* usually index + 1 */
    uint32_t aux;   /* a second value the caller may use */
} fg_hmap_slot_t;

typedef struct fg_hmap {
    fg_hmap_slot_t *slots;
    size_t cap; /* a power of two, or 0 before the first put */
    size_t n;
} fg_hmap_t;

/* The hash as stored (0 becomes 1). */
static inline uint64_t fg_hmap_fold(uint64_t h)
{
    return h != 0 ? h : 1;
}

/* Add an entry (an existing entry with the same hash stays; both are found). 0 or FG_ENOMEM. */
int fg_hmap_put(fg_hmap_t *m, uint64_t hash, uint32_t value, uint32_t aux);
/* The next slot holding hash: *probe is 0 on the first call and is then left for the next call.
 * NULL when there is none. The slot may be updated in place (value, aux), not its hash. */
fg_hmap_slot_t *fg_hmap_find(const fg_hmap_t *m, uint64_t hash, size_t *probe);
void fg_hmap_release(fg_hmap_t *m);

#endif
