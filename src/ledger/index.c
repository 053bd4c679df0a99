/*
 * index.c — the compact in-memory index of the ledger: one 32-byte entry per code, found through a
 * table of 4-byte slots.
 *
 * Entries live in a chunked array (chunks of 65,536 entries, never moved, so growth costs no copy
 * and no doubling slack). Slots are open-addressed with linear probing at load <= 0.75; a slot
 * holds (entry index + 1) in its low k bits (2^k slots) and the top 32-k bits of the code's hash as
 * a tag, so a probe past another code rarely touches that code's entry. At 50M codes: k = 26, 32 B
 * entry + 5.4 B of slots ≈ 37.4 B per code (42.7 B just after the table doubled).
 *
 * An entry keeps the common states inline — no standing sale, or one sale of at most 65,535 units
 * by an institution with id < 2^24 — and spills anything else (split sales, duplicates, larger
 * packs) into a side table of growable sale lists; the entry then holds the side index.
 * The key: a Chinese 20-digit code as two 10-digit halves (68 bits, exact); a GS1 key as 87 bits of
 * two XXH3 hashes with the top bit set (docs/ledger.md weighs the collision odds: ~1e-12 at 50M).
 */
#include "core/compat.h"

#include <stddef.h>
#include <string.h>

#include "fundguard/alloc.h"
#include "fundguard/hash.h"
#include "ledger/ledger_int.h"

#define CHUNK      (1u << FG__CHUNK_BITS)
#define INLINE_MAX 0xFFFFu
#define INST_MAX   0xFFFFFFu
#define MIN_K      10
#define MAX_K      31

void fg__key_of(const char *code, uint8_t key[FG__KEY_LEN])
{
    size_t n = strlen(code);
    int digits = n == 20;
    for (size_t i = 0; digits && i < n; i++)
        digits = code[i] >= '0' && code[i] <= '9';
    if (digits) {
        /* Two halves of 10 digits, each < 2^34: 68 bits, exact. */
        uint64_t a = 0;
        uint64_t b = 0;
        for (size_t i = 0; i < 10; i++)
            a = a * 10 + (uint64_t)(code[i] - '0');
        for (size_t i = 10; i < 20; i++)
            b = b * 10 + (uint64_t)(code[i] - '0');
        uint64_t lo = b | a << 34;
        uint64_t hi = a >> 30;
        for (int i = 0; i < 8; i++)
            key[i] = (uint8_t)(lo >> (8 * i));
        key[8] = (uint8_t)hi;
        key[9] = 0;
        key[10] = 0;
        return;
    }
    uint64_t a = fg_hash64_seed(code, n, 0x9E3779B97F4A7C15ull);
    uint64_t b = fg_hash64_seed(code, n, 0xC2B2AE3D27D4EB4Full);
    for (int i = 0; i < 8; i++)
        key[i] = (uint8_t)(a >> (8 * i));
    for (int i = 0; i < 3; i++)
        key[8 + i] = (uint8_t)(b >> (8 * i));
    key[10] |= 0x80;
}

static uint64_t key_hash(const uint8_t key[FG__KEY_LEN])
{
    uint64_t a;
    uint64_t b = (uint64_t)key[8] | (uint64_t)key[9] << 8 | (uint64_t)key[10] << 16;
    memcpy(&a, key, 8);
    uint64_t h = a ^ (b * 0x9E3779B97F4A7C15ull);
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 33;
    return h;
}

static uint32_t tag_of(uint64_t h, unsigned k)
{
    if (k >= 32)
        return 0;
    return (uint32_t)(h >> 32) >> k; /* the top 32-k bits of the upper half */
}

int fg__index_init(fg__lindex_t *ix, uint64_t expect)
{
    memset(ix, 0, sizeof(*ix));
    unsigned k = MIN_K;
    while (k < MAX_K && (uint64_t)3 << (k - 2) < expect)
        k++;
    ix->slots = fg_calloc((size_t)1 << k, sizeof(uint32_t));
    if (ix->slots == NULL)
        return FG_ENOMEM;
    ix->k = k;
    ix->inst_k = 8;
    ix->inst_slots = fg_calloc((size_t)1 << ix->inst_k, sizeof(uint32_t));
    if (ix->inst_slots == NULL) {
        fg_free(ix->slots);
        ix->slots = NULL;
        return FG_ENOMEM;
    }
    return 0;
}

void fg__index_release(fg__lindex_t *ix)
{
    for (size_t c = 0; c < ix->nchunks; c++)
        fg_free(ix->chunks[c]);
    fg_free(ix->chunks);
    fg_free(ix->slots);
    for (uint32_t s = 0; s < ix->nside; s++)
        fg_free(ix->side[s].sales);
    fg_free(ix->side);
    fg_free(ix->inst);
    fg_free(ix->inst_slots);
    memset(ix, 0, sizeof(*ix));
}

int fg__index_find(const fg__lindex_t *ix, const uint8_t key[FG__KEY_LEN], uint64_t *idx,
                   uint64_t *slot)
{
    uint64_t h = key_hash(key);
    uint64_t mask = ((uint64_t)1 << ix->k) - 1;
    uint32_t tag = tag_of(h, ix->k);
    uint32_t imask = ix->k >= 32 ? 0xFFFFFFFFu : (uint32_t)mask;
    uint64_t i = h & mask;
    for (;;) {
        uint32_t s = ix->slots[i];
        if (s == 0) {
            *slot = i;
            return 0;
        }
        if ((ix->k >= 32 || s >> ix->k == tag)) {
            uint64_t e = (uint64_t)(s & imask) - 1;
            if (memcmp(fg__index_entry(ix, e)->key, key, FG__KEY_LEN) == 0) {
                *idx = e;
                *slot = i;
                return 1;
            }
        }
        i = (i + 1) & mask;
    }
}

void fg__index_prefetch_slot(const fg__lindex_t *ix, const uint8_t key[FG__KEY_LEN])
{
    uint64_t h = key_hash(key);
    __builtin_prefetch(&ix->slots[h & (((uint64_t)1 << ix->k) - 1)]);
}

void fg__index_prefetch_entry(const fg__lindex_t *ix, const uint8_t key[FG__KEY_LEN])
{
    uint64_t h = key_hash(key);
    uint32_t s = ix->slots[h & (((uint64_t)1 << ix->k) - 1)];
    uint32_t imask = ix->k >= 32 ? 0xFFFFFFFFu : (uint32_t)(((uint64_t)1 << ix->k) - 1);
    if (s != 0 && (s & imask) - 1 < ix->count)
        __builtin_prefetch(fg__index_entry(ix, (s & imask) - 1));
}

int fg__index_rehash(fg__lindex_t *ix, unsigned k)
{
    uint32_t *slots = fg_calloc((size_t)1 << k, sizeof(uint32_t));
    if (slots == NULL)
        return FG_ENOMEM;
    uint64_t mask = ((uint64_t)1 << k) - 1;
    for (uint64_t e = 0; e < ix->count; e++) {
        uint64_t h = key_hash(fg__index_entry(ix, e)->key);
        uint64_t i = h & mask;
        while (slots[i] != 0)
            i = (i + 1) & mask;
        slots[i] = (uint32_t)(tag_of(h, k) << k | (uint32_t)(e + 1));
        if (k >= 32)
            slots[i] = (uint32_t)(e + 1);
    }
    fg_free(ix->slots);
    ix->slots = slots;
    ix->k = k;
    return 0;
}

int fg__index_add(fg__lindex_t *ix, const uint8_t key[FG__KEY_LEN], uint64_t slot, uint64_t *idx)
{
    uint64_t e = ix->count;
    int rc;

    if ((e + 1) * 4 > ((uint64_t)3 << ix->k)) {
        if (ix->k >= MAX_K)
            return FG_ELIMIT;
        rc = fg__index_rehash(ix, ix->k + 1);
        if (rc != 0)
            return rc;
        uint64_t dummy;
        if (fg__index_find(ix, key, &dummy, &slot))
            return FG_EINTERNAL;
    }
    if ((e >> FG__CHUNK_BITS) >= ix->nchunks) {
        fg__lentry_t **c = fg_realloc_array(ix->chunks, ix->nchunks + 1, sizeof(*c));
        if (c == NULL)
            return FG_ENOMEM;
        ix->chunks = c;
        c[ix->nchunks] = fg_calloc(CHUNK, sizeof(fg__lentry_t));
        if (c[ix->nchunks] == NULL)
            return FG_ENOMEM;
        ix->nchunks++;
    }
    fg__lentry_t *en = fg__index_entry(ix, e);
    memset(en, 0, sizeof(*en));
    memcpy(en->key, key, FG__KEY_LEN);
    uint64_t h = key_hash(key);
    ix->slots[slot] =
        ix->k >= 32 ? (uint32_t)(e + 1) : (uint32_t)(tag_of(h, ix->k) << ix->k | (uint32_t)(e + 1));
    ix->count++;
    *idx = e;
    return 0;
}

/* The side index of a mode-2 entry: 4 bytes from s_inst (which runs on into s_units). */
static uint32_t side_get(const fg__lentry_t *e)
{
    uint32_t si;
    memcpy(&si, (const uint8_t *)e + offsetof(fg__lentry_t, s_inst), 4);
    return si;
}

static void side_set(fg__lentry_t *e, uint32_t si)
{
    memcpy((uint8_t *)e + offsetof(fg__lentry_t, s_inst), &si, 4);
}

int fg__lstate_reserve(fg__lstate_t *st, uint32_t n)
{
    if (n <= st->cap)
        return 0;
    uint32_t cap = st->cap < 4 ? 4 : st->cap;
    while (cap < n)
        cap *= 2;
    fg__lsale_t *p = fg_realloc_array(st->sales, cap, sizeof(*p));
    if (p == NULL)
        return FG_ENOMEM;
    st->sales = p;
    st->cap = cap;
    return 0;
}

int fg__index_load(const fg__lindex_t *ix, const fg__lentry_t *e, fg__lstate_t *st)
{
    st->stock = fg__get24(e->stock);
    if (e->mode == 2) {
        uint32_t si = side_get(e);
        const fg__lside_t *sd = &ix->side[si];
        int rc = fg__lstate_reserve(st, sd->nsales + 1);
        if (rc != 0)
            return rc;
        st->pack = sd->pack;
        st->nsales = sd->nsales;
        if (sd->nsales > 0)
            memcpy(st->sales, sd->sales, sd->nsales * sizeof(*st->sales));
        return 0;
    }
    int rc = fg__lstate_reserve(st, 2);
    if (rc != 0)
        return rc;
    st->pack = e->pack;
    st->nsales = 0;
    if (e->mode == 1) {
        st->sales[0].inst = fg__get24(e->s_inst);
        st->sales[0].units = e->s_units;
        st->sales[0].ref = fg__get40(e->s_off) * 8;
        st->nsales = 1;
    }
    return 0;
}

static int side_alloc(fg__lindex_t *ix, uint32_t *out)
{
    if (ix->side_free != 0) {
        uint32_t s = ix->side_free - 1;
        ix->side_free = ix->side[s].next_free;
        ix->side[s].next_free = 0;
        *out = s;
        return 0;
    }
    if (ix->nside == ix->side_cap) {
        uint32_t cap = ix->side_cap < 64 ? 64 : ix->side_cap * 2;
        fg__lside_t *p = fg_realloc_array(ix->side, cap, sizeof(*p));
        if (p == NULL)
            return FG_ENOMEM;
        ix->side = p;
        ix->side_cap = cap;
    }
    memset(&ix->side[ix->nside], 0, sizeof(ix->side[0]));
    *out = ix->nside++;
    return 0;
}

int fg__index_store(fg__lindex_t *ix, fg__lentry_t *e, const fg__lstate_t *st)
{
    fg__put24(e->stock, st->stock);
    int fits =
        st->pack <= INLINE_MAX && st->nsales <= 1 &&
        (st->nsales == 0 || (st->sales[0].units <= INLINE_MAX && st->sales[0].inst <= INST_MAX &&
                             st->sales[0].ref / 8 < ((uint64_t)1 << 40)));
    if (e->mode == 2) {
        uint32_t si = side_get(e);
        fg__lside_t *sd = &ix->side[si];
        if (fits) {
            /* Back inline: the side record goes to the free list. */
            fg_free(sd->sales);
            memset(sd, 0, sizeof(*sd));
            sd->next_free = ix->side_free;
            ix->side_free = si + 1;
            ix->spilled--;
            e->mode = 0;
        } else {
            if (st->nsales > sd->cap) {
                uint32_t cap = sd->cap < 4 ? 4 : sd->cap;
                while (cap < st->nsales)
                    cap *= 2;
                fg__lsale_t *p = fg_realloc_array(sd->sales, cap, sizeof(*p));
                if (p == NULL)
                    return FG_ENOMEM;
                sd->sales = p;
                sd->cap = cap;
            }
            sd->pack = st->pack;
            sd->nsales = st->nsales;
            if (st->nsales > 0) /* sd->sales may still be NULL with nothing to copy */
                memcpy(sd->sales, st->sales, st->nsales * sizeof(*st->sales));
            return 0;
        }
    }
    if (fits) {
        e->pack = (uint16_t)st->pack;
        if (st->nsales == 1) {
            e->mode = 1;
            fg__put24(e->s_inst, st->sales[0].inst);
            e->s_units = (uint16_t)st->sales[0].units;
            fg__put40(e->s_off, st->sales[0].ref / 8);
        } else {
            e->mode = 0;
            memset(e->s_inst, 0, 3);
            e->s_units = 0;
            memset(e->s_off, 0, 5);
        }
        return 0;
    }
    uint32_t si;
    int rc = side_alloc(ix, &si);
    if (rc != 0)
        return rc;
    fg__lside_t *sd = &ix->side[si];
    uint32_t cap = 4;
    while (cap < st->nsales)
        cap *= 2;
    sd->sales = fg_calloc(cap, sizeof(*sd->sales));
    if (sd->sales == NULL) {
        sd->next_free = ix->side_free;
        ix->side_free = si + 1;
        return FG_ENOMEM;
    }
    sd->cap = cap;
    sd->pack = st->pack;
    sd->nsales = st->nsales;
    if (st->nsales > 0)
        memcpy(sd->sales, st->sales, st->nsales * sizeof(*st->sales));
    e->mode = 2;
    e->pack = 0;
    memset(e->s_inst, 0, 3);
    e->s_units = 0;
    memset(e->s_off, 0, 5);
    side_set(e, si);
    ix->spilled++;
    return 0;
}

static uint64_t inst_hash(const char *code)
{
    return fg_hash64(code, strnlen(code, 12));
}

static int inst_rehash(fg__lindex_t *ix, unsigned k)
{
    uint32_t *slots = fg_calloc((size_t)1 << k, sizeof(uint32_t));
    if (slots == NULL)
        return FG_ENOMEM;
    uint64_t mask = ((uint64_t)1 << k) - 1;
    for (uint32_t id = 1; id <= ix->ninst; id++) {
        uint64_t i = inst_hash(ix->inst[id - 1].code) & mask;
        while (slots[i] != 0)
            i = (i + 1) & mask;
        slots[i] = id;
    }
    fg_free(ix->inst_slots);
    ix->inst_slots = slots;
    ix->inst_k = k;
    return 0;
}

int fg__index_inst(fg__lindex_t *ix, const char *code, uint32_t *id)
{
    uint64_t mask = ((uint64_t)1 << ix->inst_k) - 1;
    uint64_t i = inst_hash(code) & mask;
    size_t n = strnlen(code, 12);
    for (;;) {
        uint32_t s = ix->inst_slots[i];
        if (s == 0)
            break;
        const char *c = ix->inst[s - 1].code;
        if (strnlen(c, 12) == n && memcmp(c, code, n) == 0) {
            *id = s;
            return 0;
        }
        i = (i + 1) & mask;
    }
    if (ix->ninst >= INST_MAX)
        return FG_ELIMIT;
    if (ix->ninst == ix->inst_cap) {
        uint32_t cap = ix->inst_cap < 64 ? 64 : ix->inst_cap * 2;
        fg__linst_t *p = fg_realloc_array(ix->inst, cap, sizeof(*p));
        if (p == NULL)
            return FG_ENOMEM;
        ix->inst = p;
        ix->inst_cap = cap;
    }
    fg__linst_t *in = &ix->inst[ix->ninst];
    memset(in, 0, sizeof(*in));
    memcpy(in->code, code, n);
    ix->ninst++;
    *id = ix->ninst;
    if ((uint64_t)ix->ninst * 4 > ((uint64_t)3 << ix->inst_k))
        return inst_rehash(ix, ix->inst_k + 1);
    ix->inst_slots[i] = ix->ninst;
    return 0;
}

uint64_t fg__index_bytes(const fg__lindex_t *ix)
{
    uint64_t b = (uint64_t)ix->nchunks * CHUNK * sizeof(fg__lentry_t);
    b += ((uint64_t)1 << ix->k) * sizeof(uint32_t);
    b += (uint64_t)ix->side_cap * sizeof(fg__lside_t);
    for (uint32_t s = 0; s < ix->nside; s++)
        b += (uint64_t)ix->side[s].cap * sizeof(fg__lsale_t);
    b += (uint64_t)ix->inst_cap * sizeof(fg__linst_t);
    b += ((uint64_t)1 << ix->inst_k) * sizeof(uint32_t);
    return b;
}
