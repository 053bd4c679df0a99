/*
 * kb.c — the knowledge base's structure: interned strings, the code index, facts, tables,
 * parameters and the version digest. Loading lives in load.c, replay slices in slice.c.
 */
#include "core/compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fundguard/alloc.h"
#include "fundguard/hash.h"
#include "kb/kb_int.h"

int fg__kb_grow(void **p, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return 0;
    size_t c = *cap != 0 ? *cap * 2 : 64;
    void *q = fg_realloc_array(*p, c, size);
    if (q == NULL)
        return FG_ENOMEM;
    *p = q;
    *cap = c;
    return 0;
}

/* ---------------------------------------------------------------- strings */

static int pool_append(fg_kb_t *kb, const char *s, size_t n, uint32_t *off)
{
    if (kb->pool_len + n + 1 > UINT32_MAX)
        return FG_ELIMIT;
    if (kb->pool_len + n + 1 > kb->pool_cap) {
        size_t c = kb->pool_cap != 0 ? kb->pool_cap : 65536;
        while (c < kb->pool_len + n + 1)
            c *= 2;
        char *p = fg_realloc_array(kb->pool, c, 1);
        if (p == NULL)
            return FG_ENOMEM;
        kb->pool = p;
        kb->pool_cap = c;
    }
    *off = (uint32_t)kb->pool_len;
    memcpy(kb->pool + kb->pool_len, s, n);
    kb->pool[kb->pool_len + n] = '\0';
    kb->pool_len += n + 1;
    return 0;
}

uint32_t fg__kb_intern(fg_kb_t *kb, const char *s, size_t n, int *rc)
{
    *rc = 0;
    if (n == 0)
        return 0;
    uint64_t h = fg_hash64_seed(s, n, 0x6b62);
    size_t probe = 0;
    kb_slot_t *slot;
    for (;;) {
        slot = fg_hmap_find(&kb->strings, h, &probe);
        if (slot == NULL)
            break;
        const char *t = kb->pool + (slot->value - 1);
        if (strlen(t) == n && memcmp(t, s, n) == 0)
            return slot->value - 1;
    }
    uint32_t off;
    *rc = pool_append(kb, s, n, &off);
    if (*rc == 0)
        *rc = fg_hmap_put(&kb->strings, h, off + 1, 0);
    return *rc == 0 ? off : 0;
}

const char *fg_kb_str(const fg_kb_t *kb, uint32_t id)
{
    if (id == 0 || id >= kb->pool_len)
        return "";
    return kb->pool + id;
}

/* ---------------------------------------------------------------- life cycle */

fg_kb_t *fg_kb_new(void)
{
    fg_kb_t *kb = fg_calloc(1, sizeof(*kb));
    if (kb == NULL)
        return NULL;
    uint32_t off;
    if (pool_append(kb, "", 0, &off) != 0) { /* id 0 is "" */
        fg_free(kb);
        return NULL;
    }
    fg__kb_params_default(&kb->params);
    return kb;
}

void fg_kb_free(fg_kb_t *kb)
{
    if (kb == NULL)
        return;
    fg_free(kb->pool);
    fg_hmap_release(&kb->strings);
    fg_hmap_release(&kb->codes);
    fg_hmap_release(&kb->limit_index);
    fg_free(kb->facts);
    fg_free(kb->tables);
    fg_free(kb->pending);
    fg_free(kb->limits);
    fg_free(kb->diags);
    fg_free(kb->bundles);
    fg_free(kb->visits);
    fg_free(kb);
}

/* ---------------------------------------------------------------- codes and facts */

uint64_t fg_kb_code_hash(const char *code, size_t n)
{
    return fg_hmap_fold(fg_hash64(code, n));
}

/* The slot of a code whose text is code[0..n) (hash h), or NULL. */
static kb_slot_t *code_slot(const fg_kb_t *kb, uint64_t h, const char *code, size_t n)
{
    size_t probe = 0;
    for (;;) {
        kb_slot_t *slot = fg_hmap_find(&kb->codes, h, &probe);
        if (slot == NULL)
            return NULL;
        if (code == NULL)
            return slot;
        const char *t = kb->pool + kb->facts[slot->value - 1].code;
        if (strlen(t) == n && memcmp(t, code, n) == 0)
            return slot;
    }
}

int fg__kb_add_fact(fg_kb_t *kb, const fg_kb_fact_t *f)
{
    int rc = fg__kb_grow((void **)&kb->facts, kb->nfacts, &kb->facts_cap, sizeof(*kb->facts));
    if (rc != 0)
        return rc;
    const char *code = fg_kb_str(kb, f->code);
    size_t n = strlen(code);
    uint64_t h = fg_kb_code_hash(code, n);
    uint32_t idx = (uint32_t)kb->nfacts;
    kb->facts[idx] = *f;
    kb->facts[idx].next = 0;
    kb->facts[idx].ref_hash = 0;
    if (f->kind == FG_KF_DUP_SECONDARY || f->kind == FG_KF_BUNDLE_PART) {
        const char *ref = fg_kb_str(kb, f->ref);
        kb->facts[idx].ref_hash = fg_kb_code_hash(ref, strlen(ref));
    }
    kb_slot_t *slot = code_slot(kb, h, code, n);
    if (slot == NULL) {
        rc = fg_hmap_put(&kb->codes, h, idx + 1, idx + 1);
        if (rc != 0)
            return rc;
    } else {
        kb->facts[slot->aux - 1].next = idx + 1;
        slot->aux = idx + 1;
    }
    kb->nfacts++;
    if (f->kind < FG_KF__COUNT)
        kb->count[f->kind]++;
    return 0;
}

const fg_kb_fact_t *fg_kb_lookup(const fg_kb_t *kb, const char *code, size_t n)
{
    kb_slot_t *slot = code_slot(kb, fg_kb_code_hash(code, n), code, n);
    return slot != NULL ? &kb->facts[slot->value - 1] : NULL;
}

const fg_kb_fact_t *fg_kb_lookup_hash(const fg_kb_t *kb, uint64_t code_hash)
{
    kb_slot_t *slot = code_slot(kb, fg_hmap_fold(code_hash), NULL, 0);
    return slot != NULL ? &kb->facts[slot->value - 1] : NULL;
}

const fg_kb_fact_t *fg_kb_fact_next(const fg_kb_t *kb, const fg_kb_fact_t *f)
{
    return f->next != 0 ? &kb->facts[f->next - 1] : NULL;
}

const char *fg_kb_code_name(const fg_kb_t *kb, const char *code, size_t n)
{
    for (const fg_kb_fact_t *f = fg_kb_lookup(kb, code, n); f != NULL; f = fg_kb_fact_next(kb, f))
        if (f->name != 0)
            return fg_kb_str(kb, f->name);
    return NULL;
}

const fg_kb_fact_t *fg_kb_fact_at(const fg_kb_t *kb, size_t i)
{
    return i < kb->nfacts ? &kb->facts[i] : NULL;
}

size_t fg_kb_nfacts(const fg_kb_t *kb, fg_kb_kind_t kind)
{
    if ((unsigned)kind >= FG_KF__COUNT)
        return kb->nfacts;
    return kb->count[kind];
}

/* ---------------------------------------------------------------- tables */

int fg__kb_add_table(fg_kb_t *kb, const fg_kb_table_info_t *t, uint16_t *out)
{
    if (kb->ntables >= UINT16_MAX - 1)
        return FG_ELIMIT;
    int rc = fg__kb_grow((void **)&kb->tables, kb->ntables, &kb->tables_cap, sizeof(*kb->tables));
    if (rc != 0)
        return rc;
    kb->tables[kb->ntables] = *t;
    *out = (uint16_t)kb->ntables++;
    return 0;
}

size_t fg_kb_ntables(const fg_kb_t *kb)
{
    return kb->ntables;
}

const fg_kb_table_info_t *fg_kb_table_info(const fg_kb_t *kb, size_t i)
{
    return i < kb->ntables ? &kb->tables[i] : NULL;
}

long fg_kb_table_find(const fg_kb_t *kb, const char *stem)
{
    for (size_t i = 0; i < kb->ntables; i++)
        if (strcmp(kb->tables[i].stem, stem) == 0)
            return (long)i;
    return -1;
}

char *fg_kb_kp(const fg_kb_t *kb, uint16_t table, uint32_t row, char *out, size_t cap)
{
    /* "<stem>#<row>" without printf: this runs for every hit */
    const char *stem = table < kb->ntables ? kb->tables[table].stem : "params";
    char num[16];
    size_t nd = 0;
    if (table == UINT16_MAX) {
        memcpy(num, "default", 7);
        nd = 7;
    } else {
        char rev[16];
        size_t k = 0;
        do {
            rev[k++] = (char)('0' + row % 10);
            row /= 10;
        } while (row != 0);
        while (k > 0)
            num[nd++] = rev[--k];
    }
    size_t sl = strlen(stem);
    if (cap == 0)
        return out;
    if (sl + 1 + nd >= cap) {
        snprintf(out, cap, "%s#%.*s", stem, (int)nd, num);
        return out;
    }
    memcpy(out, stem, sl);
    out[sl] = '#';
    memcpy(out + sl + 1, num, nd);
    out[sl + 1 + nd] = '\0';
    return out;
}

size_t fg_kb_ndiag_limits(const fg_kb_t *kb)
{
    return kb->ndiags;
}

const fg_kb_diag_limit_t *fg_kb_diag_limit(const fg_kb_t *kb, size_t i)
{
    return i < kb->ndiags ? &kb->diags[i] : NULL;
}

size_t fg_kb_nbundles(const fg_kb_t *kb)
{
    return kb->nbundles;
}

const fg_kb_bundle_t *fg_kb_bundle(const fg_kb_t *kb, size_t i)
{
    return i < kb->nbundles ? &kb->bundles[i] : NULL;
}

size_t fg_kb_nvisit_limits(const fg_kb_t *kb)
{
    return kb->nvisits;
}

const fg_kb_visit_limit_t *fg_kb_visit_limit(const fg_kb_t *kb, size_t i)
{
    return i < kb->nvisits ? &kb->visits[i] : NULL;
}

const fg_kb_params_t *fg_kb_params(const fg_kb_t *kb)
{
    return &kb->params;
}

/* ---------------------------------------------------------------- version */

static int cmp_stem(const void *a, const void *b)
{
    const fg_kb_table_info_t *const *x = a;
    const fg_kb_table_info_t *const *y = b;
    return strcmp((*x)->stem, (*y)->stem);
}

/* "nhsa:1,2,…+local:N@<16 hex of sha256 over every table's stem and digest, sorted>". */
static int compute_version(fg_kb_t *kb)
{
    const fg_kb_table_info_t **order = fg_calloc(kb->ntables + 1, sizeof(*order));
    if (order == NULL)
        return FG_ENOMEM;
    for (size_t i = 0; i < kb->ntables; i++)
        order[i] = &kb->tables[i];
    qsort(order, kb->ntables, sizeof(*order), cmp_stem);

    fg_buf_t b;
    fg_buf_init(&b, 1u << 20);
    int rc = 0;
    char batches[64] = "";
    size_t blen = 0;
    int seen[1000] = {0};
    long nlocal = 0;
    for (size_t i = 0; i < kb->ntables && rc == 0; i++) {
        rc = fg_buf_printf(&b, "%s\t%s\n", order[i]->stem, order[i]->sha256);
        if (strcmp(order[i]->version, "local") == 0) {
            nlocal++;
            continue;
        }
        char *end;
        long bn = strtol(order[i]->version + 5, &end, 10);
        if (bn > 0 && bn < 1000)
            seen[bn] = 1;
    }
    for (int i = 1; i < 1000; i++) {
        if (!seen[i])
            continue;
        int w = snprintf(batches + blen, sizeof(batches) - blen, "%s%d", blen ? "," : "", i);
        if (w < 0 || (size_t)w >= sizeof(batches) - blen)
            break;
        blen += (size_t)w;
    }
    if (rc == 0) {
        char digest[65];
        fg_sha256_hex(b.data != NULL ? b.data : "", b.len, digest);
        digest[16] = '\0';
        int w = snprintf(kb->version, sizeof(kb->version), "nhsa:%s+local:%ld@%s",
                         blen ? batches : "-", nlocal, digest);
        if (w < 0 || (size_t)w >= sizeof(kb->version))
            rc = FG_ELIMIT; /* a cut version string would name two knowledge bases alike */
    }
    fg_buf_release(&b);
    fg_free(order);
    return rc;
}

const char *fg_kb_version(const fg_kb_t *kb)
{
    return kb->version;
}

/* Resolve drug codes to their limits (the .names row of the same batch and family). */
static int resolve_pending(fg_kb_t *kb, fg_error_t *err)
{
    for (size_t i = 0; i < kb->npending; i++) {
        const kb_pending_t *p = &kb->pending[i];
        const fg_kb_table_info_t *t = &kb->tables[p->table];
        char names_stem[80];
        size_t sl = strlen(t->stem);
        /* "batch1-drug-age.codes" → "batch1-drug-age.names" */
        snprintf(names_stem, sizeof(names_stem), "%.*s.names", (int)(sl - 6), t->stem);
        const char *name = fg_kb_str(kb, p->name);
        uint64_t h = fg_hash64_seed(name, strlen(name), fg_hash64(names_stem, strlen(names_stem)));
        size_t probe = 0;
        const kb_limit_t *lim = NULL;
        for (;;) {
            kb_slot_t *slot = fg_hmap_find(&kb->limit_index, h, &probe);
            if (slot == NULL)
                break;
            const kb_limit_t *l = &kb->limits[slot->value - 1];
            if (l->name == p->name && strcmp(kb->tables[l->table].stem, names_stem) == 0) {
                lim = l;
                break;
            }
        }
        if (lim == NULL) {
            fg_error_set(err, FG_E_KB_REFERENCE, t->stem, 0,
                         "%s.csv: line %ld: drug '%s' is not in %s.csv", t->stem, p->line, name,
                         names_stem);
            if (err != NULL)
                err->line = p->line;
            return FG_E_KB_REFERENCE;
        }
        fg_kb_fact_t f = {
            .kind = lim->kind,
            .sub = lim->sub,
            .table = lim->table,
            .row = lim->row,
            .a = lim->a,
            .code = p->code,
            .name = lim->name,
            .text = lim->text,
        };
        int rc = fg__kb_add_fact(kb, &f);
        if (rc != 0)
            return fg_error_set(err, rc, NULL, 0, NULL);
    }
    fg_free(kb->pending);
    kb->pending = NULL;
    kb->npending = 0;
    kb->pending_cap = 0;
    return 0;
}

int fg_kb_seal(fg_kb_t *kb, fg_error_t *err)
{
    if (kb->sealed)
        return 0;
    int rc = resolve_pending(kb, err);
    if (rc != 0)
        return rc;
    if (kb->version[0] == '\0') {
        rc = compute_version(kb);
        if (rc != 0)
            return fg_error_set(err, rc, NULL, 0, NULL);
    }
    kb->sealed = 1;
    return 0;
}
