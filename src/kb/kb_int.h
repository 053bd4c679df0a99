/*
 * kb_int.h — what the files of src/kb/ share and nobody else sees: the knowledge base's layout.
 *
 * kb.c owns the structure (string pool, code index, facts, tables, version); load.c turns national
 * and local table files into facts; slice.c writes and reads the replay slices. Facts live in one
 * array and are chained per code (fg_kb_fact_t.next, index + 1, 0 = end) from the code index, which
 * is an open addressing table keyed by fg_kb_code_hash.
 */
#ifndef FG_KB_INT_H
#define FG_KB_INT_H

#include <stddef.h>
#include <stdint.h>

#include "core/hmap.h"
#include "fundguard/kb.h"

/* A code of a drug .codes.csv row, resolved against its .names.csv at seal time. */
typedef struct kb_pending {
    uint16_t table; /* the .codes table */
    uint32_t row;   /* its data row */
    long line;      /* its file line (for the error) */
    uint32_t name;  /* generic name */
    uint32_t code;  /* national code */
} kb_pending_t;

/* A limit row of a drug .names.csv table. */
typedef struct kb_limit {
    uint16_t table; /* the .names table */
    uint32_t row;
    uint32_t name; /* generic name */
    uint8_t kind;  /* fg_kb_kind_t of its codes */
    uint8_t sub;
    int64_t a;
    uint32_t text; /* 药品说明 */
} kb_limit_t;

typedef fg_hmap_slot_t kb_slot_t; /* value: index + 1; aux: see each map */
typedef fg_hmap_t kb_map_t;

struct fg_kb {
    char *pool; /* strings, NUL-terminated, id = offset (0 = "") */
    size_t pool_len;
    size_t pool_cap;
    kb_map_t strings; /* hash of text → offset + 1 */

    kb_map_t codes; /* code hash → code string offset + 1, first fact + 1 (aux: last fact + 1) */
    fg_kb_fact_t *facts;
    size_t nfacts;
    size_t facts_cap;
    size_t count[FG_KF__COUNT];

    fg_kb_table_info_t *tables;
    size_t ntables;
    size_t tables_cap;

    kb_pending_t *pending;
    size_t npending;
    size_t pending_cap;
    kb_limit_t *limits;
    size_t nlimits;
    size_t limits_cap;
    kb_map_t limit_index; /* hash(names stem, name) → limit + 1 */

    fg_kb_diag_limit_t *diags;
    size_t ndiags;
    size_t diags_cap;
    fg_kb_bundle_t *bundles;
    size_t nbundles;
    size_t bundles_cap;
    fg_kb_visit_limit_t *visits;
    size_t nvisits;
    size_t visits_cap;
    fg_kb_params_t params;

    int sealed;
    char version[128];
};

/* Grow *p (n used, *cap allocated, elements of size) to hold one more. */
int fg__kb_grow(void **p, size_t n, size_t *cap, size_t size);

/* Intern s[0..n): its id (offset), or 0 with *rc = FG_ENOMEM. Empty text is id 0. */
uint32_t fg__kb_intern(fg_kb_t *kb, const char *s, size_t n, int *rc);

/* Add a fact to its code (f->code must be set); returns 0 or FG_ENOMEM. */
int fg__kb_add_fact(fg_kb_t *kb, const fg_kb_fact_t *f);

/* Add a table; *out receives its index. */
int fg__kb_add_table(fg_kb_t *kb, const fg_kb_table_info_t *t, uint16_t *out);

/* Map primitives (hash 0 is folded to 1 by the callers' hash). */

/* Parameter defaults, and setting one by key ("child_age_below"); FG_ENOTFOUND for an unknown key.
 */
void fg__kb_params_default(fg_kb_params_t *p);
int fg__kb_param_set(fg_kb_params_t *p, const char *key, const char *value, size_t n,
                     fg_error_t *err);
/* Write every parameter as "key\tvalue" lines (for slices). */
int fg__kb_params_write(const fg_kb_params_t *p, fg_buf_t *out);

/* Parse a national batch file name into version ("batch7") and family ("item-duplicate-charge") and
 * part (0 item table, 1 .names, 2 .codes); -1 when it is not one. */
int fg__kb_parse_national_name(const char *stem, char *version, size_t vcap, char *family,
                               size_t fcap, int *part);

#endif
