/*
 * fundguard/history.h — the compact per-person history the review's windowed rules read (courses,
 * cycles, frequency per day, duplicate pairs across settlements, frequent visits), and the 无码库
 * stock used so far per institution and drug.
 *
 * It takes records: a settlement as the model reads it (fg_doc_t: visit, person, institution, fee
 * lines — from the API's JSON, a check file, the extraction tables) through
 * fg_history_add_settlement, or single entries. It answers with a person's entries in time order
 * of arrival and the stock used. Kept in memory, and with fg_history_open in an append-only journal
 * DIR/history.fgh (format in history.c) replayed at start.
 *
 * Threads: one writer at a time; readers may share it while nobody writes (serve takes a
 * read/write lock around it). Ownership: fg_history_new's object is the caller's
 * (fg_history_free, NULL allowed); answers are borrowed until the next change.
 */
#ifndef FUNDGUARD_HISTORY_H
#define FUNDGUARD_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "fundguard/buf.h"
#include "fundguard/datetime.h"
#include "fundguard/error.h"
#include "fundguard/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One remembered fee line (or, with code 0, a visit) of a person. 40 bytes. */
typedef struct fg_hist_entry {
    fg_time_t time; /* fee_ocur_time (visit: begntime) */
    uint64_t code;  /* fg_kb_code_hash(med_list_codg); 0 for a visit marker */
    uint64_t id;    /* identity of the line (fg_history_line_id) or of the visit */
    fg_qty_t qty;   /* cnt; a visit marker holds its scene (FG_KB_SCENE_*) */
    uint32_t visit; /* fg_history_h32(mdtrt_id) */
    uint32_t inst;  /* fg_history_h32(fixmedins_code) */
} fg_hist_entry_t;

typedef struct fg_history fg_history_t;

/* An empty in-memory history. */
fg_history_t *fg_history_new(void);
/* Load dir/history.fgh (created when absent) and append every later change to it. A damaged
 * record is FG_E_HISTORY; a torn record at the end (a crash while writing) is dropped. */
int fg_history_open(fg_history_t *h, const char *dir, fg_error_t *err);
void fg_history_free(fg_history_t *h);
/* Days an entry is kept before the person's newest when a person is full (default 400). */
void fg_history_set_retention(fg_history_t *h, int days);

/* ---------------------------------------------------------------- records in */

/* Remember a settlement: a visit marker, then each fee line not skipped (skip[i] non-zero: line i
 * was not paid; skip may be NULL), with the 无码库 stock line i drew on (nocode_used may be NULL).
 * A refund line (init_feedetl_sn) is remembered on the day of the line it reverses. Idempotent: an
 * entry already held is not added again. Flushes the journal. Errors: FG_ENOMEM, -errno. */
int fg_history_add_settlement(fg_history_t *h, const fg_doc_t *doc, const uint8_t *skip,
                              const fg_qty_t *nocode_used, fg_error_t *err);
/* One entry of a person (skipped when one with the same id and code is held); journalled. */
int fg_history_add(fg_history_t *h, const char *psn_no, const fg_hist_entry_t *e);
/* qty more of the 无码库 stock of (institution, drug code) used by line line_id. */
int fg_history_add_nocode(fg_history_t *h, const char *inst, const char *code, uint64_t line_id,
                          fg_qty_t qty);
/* Write what was journalled since the last flush. */
int fg_history_flush(fg_history_t *h);

/* ---------------------------------------------------------------- answers */

/* The person's entries (borrowed until the next change of the history), count returned. */
size_t fg_history_person(const fg_history_t *h, const char *psn_no, const fg_hist_entry_t **out);
/* The time of the person's entry with this id (the latest held), FG_TIME_NONE when none. */
fg_time_t fg_history_time_of(const fg_history_t *h, const char *psn_no, uint64_t id);
/* Used quantity of the 无码库 stock of (institution, drug code). */
fg_qty_t fg_history_nocode_used(const fg_history_t *h, const char *inst, const char *code);
/* Persons and entries held. */
size_t fg_history_npersons(const fg_history_t *h);
size_t fg_history_nentries(const fg_history_t *h);

/* The identity of a fee line (mdtrt_id, feedetl_sn; "" for the visit itself), never 0, and the
 * 32-bit hash of a visit or institution code. */
uint64_t fg_history_line_id(const char *mdtrt_id, const char *feedetl_sn);
uint32_t fg_history_h32(const char *s);
/* The care setting (FG_KB_SCENE_*) of a visit's med_type: 41 pharmacy, 2x and 52 inpatient, else
 * outpatient. */
int fg_history_scene(const char *med_type);

/* ---------------------------------------------------------------- slices (replay) */

/* The person's entries and the stock used of (inst, each code) as text lines;
 * fg_history_load_slice reads them into an empty history (FG_E_REPLAY on a line it cannot read). */
int fg_history_slice(const fg_history_t *h, const char *psn_no, const char *inst,
                     const char *const *codes, size_t ncodes, fg_buf_t *out);
int fg_history_load_slice(fg_history_t *h, const char *text, size_t n, fg_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
