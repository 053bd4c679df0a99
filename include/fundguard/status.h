/*
 * fundguard/status.h — the reference status the review's checks consult (SPEC §4): deaths, the
 * insured (persons and their coverage periods), suspensions of staff and institutions, and the pack
 * sizes of the drug catalogue (which the service needs for split sales reported without one).
 *
 * A status is built from records of the model (fg_death_t, fg_person_t, fg_suspension_t,
 * fg_catalogue_item_t) wherever they come from: the reference files of a --ref directory
 * (docs/formats.md "Reference files", read here by fg_ref_load_dir), the store's reference rows
 * (serve), a document of the API. The review (rules.h) reads it through the lookups below; a
 * replay record keeps the rows a decision consulted as a slice of text.
 *
 * Threads: a fg_ref_t is built by one thread and is immutable afterwards; it may then be shared.
 * Ownership: fg_ref_new's object is the caller's (fg_ref_free, NULL allowed); answers are borrowed
 * until the next change of the status.
 */
#ifndef FUNDGUARD_STATUS_H
#define FUNDGUARD_STATUS_H

#include <stddef.h>
#include <stdint.h>

#include "fundguard/buf.h"
#include "fundguard/datetime.h"
#include "fundguard/error.h"
#include "fundguard/model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fg_ref fg_ref_t;

fg_ref_t *fg_ref_new(void);
void fg_ref_free(fg_ref_t *ref);

/* ---------------------------------------------------------------- records in */

/* `row` numbers the record in its feed (the line of its file, from 1): knowledge points cite it
 * ("deaths#3", "suspensions#2"). Errors: FG_ENOMEM. */

/* A death (skipped when it has no psn_no: a death known only by resident ID is not matched here).
 */
int fg_ref_add_death(fg_ref_t *ref, const fg_death_t *d, uint32_t row);
/* An insured person (the registry); a person with a die_date is a death as well (source
 * "persons"). */
int fg_ref_add_person(fg_ref_t *ref, const fg_person_t *p, uint32_t row);
/* A suspension of a staff member (subject_type "staff") or an institution ("institution"); its
 * action names its status (fg_ref_status_parse: "suspend", "terminate"). FG_EINVAL when the action
 * names no status that suspends. */
int fg_ref_add_suspension(fg_ref_t *ref, const fg_suspension_t *s, uint32_t row);

/* A coverage period of a person (coverage.csv: psn_no, insutype, begndate, enddate). */
typedef struct fg_ref_cover {
    char insutype[8]; /* "" any */
    fg_date_t begin;
    fg_date_t end; /* FG_DATE_NONE open */
    uint32_t row;
} fg_ref_cover_t;
int fg_ref_add_cover(fg_ref_t *ref, const char *psn_no, const fg_ref_cover_t *c);
/* A registry of the insured is given (even an empty one): a person it does not hold is not
 * insured. fg_ref_add_person and fg_ref_add_cover imply it. */
void fg_ref_set_registry(fg_ref_t *ref);
/* A catalogue drug's pack size (items without one, pack_units <= 0, are skipped); a later record
 * of the same code replaces the earlier one (the API's rows come after the files). */
int fg_ref_add_catalogue(fg_ref_t *ref, const fg_catalogue_item_t *item);

/* ---------------------------------------------------------------- from CSV */

/* Load deaths.csv, persons.csv, suspensions.csv, catalogue.csv (model reference files) and
 * coverage.csv from dir; absent files are skipped. A row that does not validate is an error with
 * its file and line. */
int fg_ref_load_dir(fg_ref_t *ref, const char *dir, fg_error_t *err);
/* One reference file from memory under its file name ("deaths.csv" …). */
int fg_ref_load_mem(fg_ref_t *ref, const char *filename, const char *data, size_t n,
                    fg_error_t *err);

/* ---------------------------------------------------------------- answers */

typedef struct fg_ref_death {
    fg_date_t die_date;
    uint32_t row;
    char source[16];
} fg_ref_death_t;

typedef struct fg_ref_susp {
    int institution; /* 1 institution, 0 staff */
    char code[16];
    fg_ref_status_t status; /* FG_REF_SUSPENDED or FG_REF_TERMINATED */
    fg_date_t begin;
    fg_date_t end; /* FG_DATE_NONE open */
    uint32_t row;
} fg_ref_susp_t;

/* The person's earliest death, NULL when none. */
const fg_ref_death_t *fg_ref_death(const fg_ref_t *ref, const char *psn_no);
/* 1 when a registry of insured persons (persons or coverage) was loaded. */
int fg_ref_has_registry(const fg_ref_t *ref);
/* The person's row among the persons (0 absent). */
uint32_t fg_ref_person_row(const fg_ref_t *ref, const char *psn_no);
/* Coverage periods of the person, one by one (*probe 0 first; NULL when no more). */
const fg_ref_cover_t *fg_ref_cover_next(const fg_ref_t *ref, const char *psn_no, size_t *probe);
/* Suspensions of a staff member (institution 0) or institution (1), one by one. */
const fg_ref_susp_t *fg_ref_susp_next(const fg_ref_t *ref, int institution, const char *code,
                                      size_t *probe);
/* The suspension of the subject in force on date (begin <= date <= end), NULL when none. */
const fg_ref_susp_t *fg_ref_susp_on(const fg_ref_t *ref, int institution, const char *code,
                                    fg_date_t date);
/* Records held per kind: "deaths", "persons", "coverage", "suspensions", "catalogue" (drugs with a
 * pack size). */
size_t fg_ref_count(const fg_ref_t *ref, const char *kind);
/* The smallest units per pack of a catalogue drug, 0 when unknown. */
uint32_t fg_ref_pack_units(const fg_ref_t *ref, const char *med_list_codg);

/* ---------------------------------------------------------------- slices (replay) */

/* The rows about one person / one subject as text lines; fg_ref_load_slice reads them into an
 * empty status (FG_E_REPLAY on a line it cannot read). */
int fg_ref_slice_person(const fg_ref_t *ref, const char *psn_no, fg_buf_t *out);
int fg_ref_slice_code(const fg_ref_t *ref, int institution, const char *code, fg_buf_t *out);
int fg_ref_load_slice(fg_ref_t *ref, const char *text, size_t n, fg_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
