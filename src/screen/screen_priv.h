/*
 * screen_priv.h — what the framework's files (screen.c, ref.c, part.c, pack.c) share. Models and
 * writers use screen_int.h only.
 */
#ifndef FG_SCREEN_PRIV_H
#define FG_SCREEN_PRIV_H

#include <stdio.h>

#include "core/hmap.h"
#include "screen/screen_int.h"

/* Records of one size, indexed by one or two string members. */
typedef struct fg__screen_rows {
    void *v;
    size_t n;
    size_t cap;
    size_t size;
    size_t key_off;
    size_t key2_off; /* 0: no second key */
    fg_hmap_t idx;
    fg_hmap_t idx2;
} fg__screen_rows_t;

int fg__screen_rows_add(fg__screen_rows_t *rs, const void *rec);
void fg__screen_rows_release(fg__screen_rows_t *rs);

struct fg__screen_ref {
    fg__screen_rows_t persons;
    fg__screen_rows_t institutions;
    fg__screen_rows_t staff;
    fg__screen_rows_t catalogue;
    fg__screen_rows_t deaths;
    fg__screen_rows_t injuries;
    fg__screen_rows_t suspensions;
    fg_kb_t *kb;
    fg_ref_t *rules;
    const void *scratch[64]; /* lookups' result lists */
};

void fg__screen_ref_init(fg__screen_ref_t *r);
void fg__screen_ref_release(fg__screen_ref_t *r);
/* The rows of a reference table (NULL for other tables). */
fg__screen_rows_t *fg__screen_ref_rows(fg__screen_ref_t *r, fg_table_t t);
/* Sort and index after loading. */
int fg__screen_ref_seal(fg__screen_ref_t *r);

/* One emitted finding as kept by the run: the struct (its lists and evidence in the run's arena)
 * and its JSON line. */
typedef struct fg__screen_kept {
    fg__screen_finding_t f;
    char *line;
    size_t len;
    uint32_t model; /* registry index */
} fg__screen_kept_t;

typedef struct fg__screen_model_run {
    const fg__screen_model_t *m;
    int enabled;
    void *state;
    int64_t *params; /* as configured, m->params order */
} fg__screen_model_run_t;

struct fg__screen_ctx {
    const fg_screen_options_t *o;
    fg__screen_ref_t ref;
    fg_screen_summary_t *sum;
    fg__screen_model_run_t *runs; /* fg__screen_nmodels */
    size_t current;               /* the model whose callback runs */
    unsigned present;             /* FG__SCREEN_IN_* found */
    unsigned read;                /* FG__SCREEN_IN_* some enabled model reads */
    fg_arena_t arena;             /* kept findings' contents */
    fg_arena_t arena2;            /* those of the pack thread's findings (run.c) */
    fg__screen_kept_t *kept;
    size_t nkept;
    size_t kept_cap;
    fg_buf_t line;
    char tmp[4096]; /* scratch directory */
    uint64_t total; /* input bytes, for progress */
    uint64_t done;
    const char *doing;
    int fatal; /* strict: the first bad row */
    fg_error_t fatal_err;
};

/* FG__SCREEN_IN_* of the files found in any input directory (and --kb). */
unsigned fg__screen_find_inputs(const fg_screen_options_t *o);

/* Bytes of the input files the enabled models read (the progress total). */
uint64_t fg__screen_input_bytes(const fg__screen_ctx_t *cx);

/* Add an input to the summary; returns its index. */
fg_screen_input_summary_t *fg__screen_input_add(fg__screen_ctx_t *cx, const char *path,
                                                const char *kind);
/* Report a bad row (counted on the input; fatal under strict). */
void fg__screen_bad_row(fg__screen_ctx_t *cx, fg_screen_input_summary_t *in, const fg_error_t *e);
void fg__screen_progress(fg__screen_ctx_t *cx, uint64_t bytes);

/* Call one callback of every enabled model. */
int fg__screen_call_row(fg__screen_ctx_t *cx, fg__screen_row_kind_t kind, const void *rec);
int fg__screen_call_person(fg__screen_ctx_t *cx, const fg__screen_person_t *p);
int fg__screen_call_event(fg__screen_ctx_t *cx, const fg__screen_event_t *e);

/* Step 3 and 4 (part.c): partition the extraction tables, then hand out person groups. */
int fg__screen_partition_run(fg__screen_ctx_t *cx, fg_error_t *err);
/* Step 5 (pack.c). */
int fg__screen_pack_run(fg__screen_ctx_t *cx, fg_error_t *err);
/* Reference loading (screen.c uses the table reader over every directory). */
int fg__screen_read_table(fg__screen_ctx_t *cx, const char *dir, fg_table_t t,
                          int (*fn)(fg__screen_ctx_t *cx, void *arg, fg_screen_input_summary_t *in,
                                    const void *rec),
                          void *arg, fg_error_t *err);

#endif
