/*
 * mpost.h — what the post-event models (care_during_stay, readmission, frequent_visits,
 * quantity_excess, injury_third_party, invoice_duplicate, peer_outlier, covisit_group,
 * staff_overload) share: which settlements count as care paid, a person's paid visits, kinds of
 * visit, an open-addressing counter keyed by 64-bit keys, and the finding's common fields.
 * Internal to src/screen (mpost.c).
 */
#ifndef FG_SCREEN_MPOST_H
#define FG_SCREEN_MPOST_H

#include <stddef.h>
#include <stdint.h>

#include "screen/screen_int.h"

/* 1 when a settlement is care paid: not a refund, not void, and not reversed by a refund of the
 * same person (a refund's init_setl_id). */
int fg__mp_setl_paid(const fg__screen_person_t *p, const fg_settlement_t *s);

/* A person's visit that was paid, with its first paid settlement. */
typedef struct fg__mp_visit {
    const fg_visit_t *v;
    const fg_settlement_t *s;
} fg__mp_visit_t;

/* The person's paid, valid visits in begntime order (those without a begin time are left out),
 * into *out (fg_free it; NULL when there are none): count, or -1 when out of memory. */
long fg__mp_visits(const fg__screen_person_t *p, fg__mp_visit_t **out);

/* Kinds of visit by med_type. */
int fg__mp_inpatient(const char *med_type);  /* 2x 住院, 52 生育住院 */
int fg__mp_outpatient(const char *med_type); /* 11 普通门诊, 13 急诊, 14 门诊慢特病 */
int fg__mp_pharmacy(const char *med_type);   /* 41 定点药店购药 */

/* The main diagnosis of a visit: its dscg_maindiag_code, else the main row of the settlement
 * list's diagnoses (setl_list_diag_d), else "". */
const char *fg__mp_main_diag(const fg__screen_person_t *p, const fg__mp_visit_t *mv);

/* Fill the fields every per-person finding has: psn_no, the institution, time, amount. */
void fg__mp_finding_base(fg__screen_finding_t *f, const char *psn_no, const char *inst, fg_time_t t,
                         fg_fen_t amount);

/* Emit f when rc is 0, release it either way: rc, or the emit's error. */
int fg__mp_emit(fg__screen_ctx_t *cx, fg__screen_finding_t *f, int rc);

/* Add a visit's settlement and visit ids to a finding. 0 or FG_ENOMEM. */
int fg__mp_add_visit(fg__screen_finding_t *f, const fg__mp_visit_t *mv);

/* An open-addressing map from a nonzero 64-bit key to a slot of `vsize` bytes (zeroed when new). */
typedef struct fg__mp_map {
    uint64_t *keys;
    unsigned char *vals;
    size_t vsize;
    size_t cap; /* power of two */
    size_t n;
} fg__mp_map_t;

int fg__mp_map_init(fg__mp_map_t *m, size_t vsize, size_t cap);
void fg__mp_map_free(fg__mp_map_t *m);
/* The slot of key (0 is mapped to 1), inserted when new; NULL when out of memory. */
void *fg__mp_map_get(fg__mp_map_t *m, uint64_t key);
/* The slot of key, NULL when absent. */
void *fg__mp_map_find(const fg__mp_map_t *m, uint64_t key);

/* Ids (codes of up to 31 bytes) numbered 0, 1, … in the order first seen. */
typedef struct fg__mp_ids {
    fg__mp_map_t map; /* hash of the id → number + 1 */
    char (*s)[32];
    size_t n, cap;
} fg__mp_ids_t;

int fg__mp_ids_init(fg__mp_ids_t *x);
void fg__mp_ids_free(fg__mp_ids_t *x);
/* Append a copy of v (cut to 31 bytes) to the list x->s as number x->n. 0 or FG_ENOMEM. */
int fg__mp_ids_push(fg__mp_ids_t *x, const char *v);
/* The number of id (numbered when new), UINT32_MAX when out of memory. */
uint32_t fg__mp_ids_of(fg__mp_ids_t *x, const char *id);

/* A 64-bit key of a string (never 0). */
uint64_t fg__mp_key(const char *s);

#endif
