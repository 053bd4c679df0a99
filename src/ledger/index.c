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
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "fundguard/alloc.h"
#include "fundguard/hash.h"
#include "ledger/ledger_int.h"

#define CHUNK        (1u << FG__CHUNK_BITS)
#define INLINE_MAX   0xFFFFu
#define INST_MAX     0xFFFFFFu
#define MIN_K        10
#define MAX_K        31
#define REHASH_AHEAD 16 /* fg__index_rehash: entries whose new slot is prefetched */

/* The value of 8 ASCII digits at s (little-endian word), or UINT64_MAX when any byte is not a
 * digit: the digits checked and combined in pairs, fours and eights within the word. */
static uint64_t digits8(const char *s)
{
    uint64_t w;
    memcpy(&w, s, 8);
    const uint64_t hi = 0xF0F0F0F0F0F0F0F0ull;
    if ((w & hi) != 0x3030303030303030ull ||
        ((w + 0x0606060606060606ull) & hi) != 0x3030303030303030ull)
        return UINT64_MAX;
    w -= 0x3030303030303030ull;
    w = (w * 10 + (w >> 8)) & 0x00FF00FF00FF00FFull;        /* pairs: d0d1, d2d3, … */
    w = (w * 100 + (w >> 16)) & 0x0000FFFF0000FFFFull;      /* fours */
    return (w * 10000 + (w >> 32)) & 0x00000000FFFFFFFFull; /* eight */
}

/* Two digits at s, or UINT64_MAX. */
static uint64_t digits2(const char *s)
{
    unsigned a = (unsigned)(unsigned char)s[0] - '0';
    unsigned b = (unsigned)(unsigned char)s[1] - '0';
    return a > 9 || b > 9 ? UINT64_MAX : a * 10u + b;
}

void fg__key_of(const char *code, uint8_t key[FG__KEY_LEN])
{
    size_t n = 0;
    uint64_t a = UINT64_MAX;
    uint64_t b = UINT64_MAX;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* A 20-digit code (the common case) a word at a time, once its 20 bytes are known to be
     * there. */
    uint64_t d0 = strnlen(code, 21) == 20 ? digits8(code) : UINT64_MAX;
    if (d0 != UINT64_MAX) {
        uint64_t d2 = digits2(code + 8);
        uint64_t d3 = digits2(code + 10);
        uint64_t d4 = digits8(code + 12);
        if (d2 != UINT64_MAX && d3 != UINT64_MAX && d4 != UINT64_MAX) {
            a = d0 * 100 + d2;
            b = d3 * 100000000 + d4;
        }
    }
#endif
    if (a == UINT64_MAX) {
        while (n < 20 && code[n] >= '0' && code[n] <= '9')
            n++;
        if (n == 20 && code[20] == '\0') {
            a = 0;
            b = 0;
            for (size_t i = 0; i < 10; i++)
                a = a * 10 + (uint64_t)(code[i] - '0');
            for (size_t i = 10; i < 20; i++)
                b = b * 10 + (uint64_t)(code[i] - '0');
        }
    }
    if (a != UINT64_MAX) {
        /* Two halves of 10 digits, each < 2^34: 68 bits, exact. */
        uint64_t lo = b | a << 34;
        uint64_t hi = a >> 30;
        for (int i = 0; i < 8; i++)
            key[i] = (uint8_t)(lo >> (8 * i));
        key[8] = (uint8_t)hi;
        key[9] = 0;
        key[10] = 0;
        return;
    }
    n += strlen(code + n);
    uint64_t ha = fg_hash64_seed(code, n, 0x9E3779B97F4A7C15ull);
    uint64_t hb = fg_hash64_seed(code, n, 0xC2B2AE3D27D4EB4Full);
    for (int i = 0; i < 8; i++)
        key[i] = (uint8_t)(ha >> (8 * i));
    for (int i = 0; i < 3; i++)
        key[8 + i] = (uint8_t)(hb >> (8 * i));
    key[10] |= 0x80;
}

uint64_t fg__index_hash(const uint8_t key[FG__KEY_LEN])
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

uint32_t *fg__index_slots_new(unsigned k)
{
    size_t n = ((size_t)1 << k) * sizeof(uint32_t);
    uint32_t *slots = fg_malloc(n);
    if (slots == NULL)
        return NULL;
#ifdef MADV_HUGEPAGE
    /* Every lookup lands on a random slot: with 4 KiB pages a large table misses the TLB on
     * almost each one (a page walk the prefetches cannot always hide). Ask for huge pages over
     * the 2 MiB-aligned part before the first touch (advice only). */
    const uintptr_t huge = (uintptr_t)2 << 20;
    uintptr_t a = ((uintptr_t)slots + huge - 1) & ~(huge - 1);
    uintptr_t b = ((uintptr_t)slots + n) & ~(huge - 1);
    if (b > a)
        madvise((void *)a, b - a, MADV_HUGEPAGE);
#endif
    memset(slots, 0, n);
    return slots;
}

int fg__index_init(fg__lindex_t *ix, uint64_t expect)
{
    memset(ix, 0, sizeof(*ix));
    unsigned k = MIN_K;
    while (k < MAX_K && (uint64_t)3 << (k - 2) < expect)
        k++;
    ix->slots = fg__index_slots_new(k);
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
    fg_free(ix->med);
    fg_free(ix->med_slots);
    memset(ix, 0, sizeof(*ix));
}

int fg__index_find(const fg__lindex_t *ix, const uint8_t key[FG__KEY_LEN], uint64_t *idx,
                   uint64_t *slot)
{
    return fg__index_find_h(ix, key, fg__index_hash(key), idx, slot);
}

int fg__index_find_h(const fg__lindex_t *ix, const uint8_t key[FG__KEY_LEN], uint64_t h,
                     uint64_t *idx, uint64_t *slot)
{
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

void fg__index_prefetch_slot(const fg__lindex_t *ix, uint64_t h)
{
    __builtin_prefetch(&ix->slots[h & (((uint64_t)1 << ix->k) - 1)]);
}

void fg__index_prefetch_entry(const fg__lindex_t *ix, uint64_t h)
{
    /* Only an entry whose tag matches: at load 0.4-0.75 the home slot often holds another code,
     * and fetching its entry would cost a cache and TLB miss for nothing. The probe stops at the
     * first empty slot, like find. */
    uint64_t mask = ((uint64_t)1 << ix->k) - 1;
    uint32_t imask = ix->k >= 32 ? 0xFFFFFFFFu : (uint32_t)mask;
    uint32_t tag = tag_of(h, ix->k);
    uint64_t i = h & mask;
    for (int n = 0; n < 4; n++, i = (i + 1) & mask) {
        uint32_t s = ix->slots[i];
        if (s == 0)
            return;
        if ((ix->k >= 32 || s >> ix->k == tag) && (s & imask) - 1 < ix->count) {
            __builtin_prefetch(fg__index_entry(ix, (s & imask) - 1));
            return;
        }
    }
}

int fg__index_rehash(fg__lindex_t *ix, unsigned k)
{
    uint32_t *slots = fg__index_slots_new(k);
    if (slots == NULL)
        return FG_ENOMEM;
    uint64_t mask = ((uint64_t)1 << k) - 1;
    uint64_t hs[REHASH_AHEAD];
    /* The hashes of the entries REHASH_AHEAD on are computed and their new slots prefetched: the
     * slots are written in random order, and this hides most of a cache miss each. */
    for (uint64_t e = 0; e < ix->count && e < REHASH_AHEAD; e++) {
        hs[e] = fg__index_hash(fg__index_entry(ix, e)->key);
        __builtin_prefetch(&slots[hs[e] & mask], 1);
    }
    for (uint64_t e = 0; e < ix->count; e++) {
        uint64_t h = hs[e % REHASH_AHEAD];
        if (e + REHASH_AHEAD < ix->count) {
            uint64_t ha = fg__index_hash(fg__index_entry(ix, e + REHASH_AHEAD)->key);
            hs[e % REHASH_AHEAD] = ha;
            __builtin_prefetch(&slots[ha & mask], 1);
        }
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
    uint64_t h = fg__index_hash(key);
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

/* ---- name tables (institutions, med_list_codg): rows whose first `maxlen` bytes are a
 * NUL-padded name, found through 2^k open-addressed slots holding row index + 1 ---- */

struct names {
    void *rows;
    size_t stride;
    size_t maxlen;
};

static const char *name_at(const struct names *t, uint32_t id)
{
    return (const char *)t->rows + (size_t)(id - 1) * t->stride;
}

uint32_t *fg__names_slots(const void *rows, size_t stride, size_t maxlen, uint32_t n, unsigned k)
{
    uint32_t *slots = fg_calloc((size_t)1 << k, sizeof(uint32_t));
    if (slots == NULL)
        return NULL;
    uint64_t mask = ((uint64_t)1 << k) - 1;
    for (uint32_t id = 1; id <= n; id++) {
        const char *c = (const char *)rows + (size_t)(id - 1) * stride;
        uint64_t i = fg_hash64(c, strnlen(c, maxlen)) & mask;
        while (slots[i] != 0)
            i = (i + 1) & mask;
        slots[i] = id;
    }
    return slots;
}

/* The id of name s (n bytes), or 0 and *at the empty slot where it goes. */
static uint32_t names_find(const struct names *t, const uint32_t *slots, unsigned k, const char *s,
                           size_t n, uint64_t *at)
{
    uint64_t mask = ((uint64_t)1 << k) - 1;
    uint64_t i = fg_hash64(s, n) & mask;
    for (;;) {
        uint32_t id = slots[i];
        if (id == 0)
            break;
        const char *c = name_at(t, id);
        if (memcmp(c, s, n) == 0 && (n == t->maxlen || c[n] == '\0'))
            return id;
        i = (i + 1) & mask;
    }
    *at = i;
    return 0;
}

/* Room for one more row in a table of *cap rows. */
static int names_grow(void **rows, size_t stride, uint32_t n, uint32_t *cap)
{
    if (n < *cap)
        return 0;
    uint32_t c = *cap < 64 ? 64 : *cap * 2;
    void *p = fg_realloc_array(*rows, c, stride);
    if (p == NULL)
        return FG_ENOMEM;
    *rows = p;
    *cap = c;
    return 0;
}

/* After the n-th row was added at slot `at`: fill the slot, or double the table at load 0.75. */
static int names_added(const struct names *t, uint32_t n, uint32_t **slots, unsigned *k,
                       uint64_t at)
{
    if ((uint64_t)n * 4 <= ((uint64_t)3 << *k)) {
        (*slots)[at] = n;
        return 0;
    }
    uint32_t *s = fg__names_slots(t->rows, t->stride, t->maxlen, n, *k + 1);
    if (s == NULL)
        return FG_ENOMEM;
    fg_free(*slots);
    *slots = s;
    (*k)++;
    return 0;
}

int fg__index_inst(fg__lindex_t *ix, const char *code, uint32_t *id)
{
    struct names t = {ix->inst, sizeof(*ix->inst), sizeof(ix->inst->code)};
    size_t n = strnlen(code, sizeof(ix->inst->code));
    uint64_t at;
    *id = names_find(&t, ix->inst_slots, ix->inst_k, code, n, &at);
    if (*id != 0)
        return 0;
    if (ix->ninst >= INST_MAX)
        return FG_ELIMIT;
    void *rows = ix->inst;
    int rc = names_grow(&rows, sizeof(*ix->inst), ix->ninst, &ix->inst_cap);
    ix->inst = rows;
    if (rc != 0)
        return rc;
    fg__linst_t *in = &ix->inst[ix->ninst];
    memset(in, 0, sizeof(*in));
    memcpy(in->code, code, n);
    ix->ninst++;
    *id = ix->ninst;
    t.rows = ix->inst;
    return names_added(&t, ix->ninst, &ix->inst_slots, &ix->inst_k, at);
}

int fg__index_med(fg__lindex_t *ix, const char *s, uint32_t *id, int *added)
{
    size_t n = strnlen(s, FG_LEDGER_STR_MAX);
    uint64_t at;
    *id = 0;
    *added = 0;
    if (n == 0)
        return 0;
    if (ix->med_slots == NULL) {
        ix->med_slots = fg_calloc((size_t)1 << 8, sizeof(uint32_t));
        if (ix->med_slots == NULL)
            return FG_ENOMEM;
        ix->med_k = 8;
    }
    struct names t = {ix->med, sizeof(*ix->med), FG_LEDGER_STR_MAX};
    *id = names_find(&t, ix->med_slots, ix->med_k, s, n, &at);
    if (*id != 0 || ix->nmed >= FG__MED_MAX)
        return 0; /* known, or the table is full: the record carries the text */
    void *rows = ix->med;
    int rc = names_grow(&rows, sizeof(*ix->med), ix->nmed, &ix->med_cap);
    ix->med = rows;
    if (rc != 0)
        return rc;
    memset(&ix->med[ix->nmed], 0, sizeof(*ix->med));
    memcpy(ix->med[ix->nmed].code, s, n);
    ix->nmed++;
    *id = ix->nmed;
    *added = 1;
    t.rows = ix->med;
    return names_added(&t, ix->nmed, &ix->med_slots, &ix->med_k, at);
}

/* Side record s and its standing sales refer only to what the index holds. */
static int side_sound(const fg__lindex_t *ix, const fg__lside_t *sd)
{
    if (sd->next_free > ix->nside || (sd->nsales > 0 && sd->sales == NULL))
        return 0;
    for (uint32_t i = 0; i < sd->nsales; i++)
        if (sd->sales[i].inst == 0 || sd->sales[i].inst > ix->ninst)
            return 0;
    return 1;
}

int fg__index_check(const fg__lindex_t *ix, uint64_t *bad)
{
    uint32_t imask = ix->k >= 32 ? 0xFFFFFFFFu : (uint32_t)(((uint64_t)1 << ix->k) - 1);
    uint64_t used = 0;
    for (uint64_t i = 0; i < ((uint64_t)1 << ix->k); i++) {
        uint32_t sl = ix->slots[i];
        *bad = i;
        if (sl != 0 && (uint64_t)(sl & imask) - 1 >= ix->count)
            return FG_E_LEDGER_SNAPSHOT;
        used += sl != 0;
    }
    if (used != ix->count || ix->side_free > ix->nside)
        return FG_E_LEDGER_SNAPSHOT;
    for (uint64_t i = 0; i < ix->count; i++) {
        const fg__lentry_t *e = fg__index_entry(ix, i);
        *bad = i;
        if (e->mode > 2 || fg__get24(e->stock) > ix->ninst ||
            (e->mode == 1 && (fg__get24(e->s_inst) == 0 || fg__get24(e->s_inst) > ix->ninst)) ||
            (e->mode == 2 && side_get(e) >= ix->nside))
            return FG_E_LEDGER_SNAPSHOT;
    }
    for (uint32_t s = 0; s < ix->nside; s++) {
        *bad = s;
        if (!side_sound(ix, &ix->side[s]))
            return FG_E_LEDGER_SNAPSHOT;
    }
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
    b += (uint64_t)ix->med_cap * sizeof(*ix->med);
    if (ix->med_slots != NULL)
        b += ((uint64_t)1 << ix->med_k) * sizeof(uint32_t);
    return b;
}
