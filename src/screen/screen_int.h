/*
 * screen_int.h — the screen's internal model interface: THE CONTRACT every model (src/screen/m_*.c)
 * and every output writer is written against. Keep it stable; a change is announced in
 * /work/wt/SCREEN_CHANGES (during issue 14) and in docs/screen.md ("Writing a model").
 *
 * How a run goes (screen.c):
 *   1. Inputs are found in every directory (fg__screen_input_t bits). A model whose `needs` are not
 *      all present is switched off, its reason recorded in the summary ("deaths.csv missing in
 *      every input"); `wants` are used when present and never switch a model off.
 *   2. The reference tables an enabled model needs are loaded once into fg__screen_ref_t (persons,
 *      institutions, staff, catalogue, deaths, injuries, suspensions): small, read-only, shared.
 *   3. Partition: setl_d, mdtrt_d, fee_list_d, setl_list_diag_d, setl_list_oprn_d and invoices of
 *      every directory are streamed (date filter applied), each row handed to every model's `row`
 *      callback (streaming models) and spilled to the partition of hash(psn_no).
 *   4. Person groups: each partition is read back; for each person (ascending psn_no) the model's
 *      `person` callback gets every row of that person from all directories, each kind sorted by
 *      time then id (fg__screen_person_t). Most models work here with no state of their own, or
 *      keep compact per-institution / per-staff state for the end.
 *   5. Pack events: ledger_events.jsonl (else inventory.jsonl's 3503–3506) of every directory,
 *      merged in time order, are applied to an embedded ledger (src/ledger, in tmp_dir, fsync off);
 *      the `event` callback gets each event with the ledger's outcome; 3501 stock counts from
 *      inventory.jsonl come as count events (fg__screen_event_t.count).
 *   6. `finish` is called once per model: emit what was kept for the end.
 *   7. Findings are sorted (model, then the JSON line), written to findings.jsonl, counted in
 *      summary.json, and handed to the report writers (fg__screen_write_report / _xlsx).
 *
 * Every callback may be NULL. A callback returns 0, or a negative FG_E* code that stops the run
 * (use it for out-of-memory and I/O only; bad data is never a reason to stop).
 *
 * Memory rules for models: per-person work uses the person group (freed after the callback); state
 * kept across persons must be compact (hash of an id, not the row) and bounded by institutions,
 * staff, drugs or codes — not by fee lines. docs/screen.md states each model's state.
 */
#ifndef FG_SCREEN_INT_H
#define FG_SCREEN_INT_H

#include <stddef.h>
#include <stdint.h>

#include "core/hmap.h"
#include "fundguard/buf.h"
#include "fundguard/kb.h"
#include "fundguard/ledger.h"
#include "fundguard/model.h"
#include "fundguard/rules.h"
#include "fundguard/screen.h"

/* ---------------------------------------------------------------- inputs */

/* What a model reads. A model's `needs` must all be present (else it is switched off); its `wants`
 * are read when present. */
typedef enum fg__screen_input {
    FG__SCREEN_IN_SETL = 1u << 0,         /* setl_d.csv */
    FG__SCREEN_IN_MDTRT = 1u << 1,        /* mdtrt_d.csv */
    FG__SCREEN_IN_FEE = 1u << 2,          /* fee_list_d.csv */
    FG__SCREEN_IN_DIAG = 1u << 3,         /* setl_list_diag_d.csv */
    FG__SCREEN_IN_OPRN = 1u << 4,         /* setl_list_oprn_d.csv */
    FG__SCREEN_IN_PERSONS = 1u << 5,      /* persons.csv */
    FG__SCREEN_IN_INSTITUTIONS = 1u << 6, /* institutions.csv */
    FG__SCREEN_IN_STAFF = 1u << 7,        /* staff.csv */
    FG__SCREEN_IN_CATALOGUE = 1u << 8,    /* catalogue.csv */
    FG__SCREEN_IN_DEATHS = 1u << 9,       /* deaths.csv */
    FG__SCREEN_IN_INJURIES = 1u << 10,    /* injuries.csv */
    FG__SCREEN_IN_INVOICES = 1u << 11,    /* invoices.csv (partitioned with the person's rows) */
    FG__SCREEN_IN_SUSPENSIONS = 1u << 12, /* suspensions.csv */
    FG__SCREEN_IN_PACK_EVENTS = 1u << 13, /* ledger_events.jsonl, else inventory.jsonl 3503–3506 */
    FG__SCREEN_IN_STOCK_COUNTS = 1u << 14, /* inventory.jsonl 3501 stock counts */
    FG__SCREEN_IN_KB = 1u << 15,           /* knowledge tables (options kb_dirs) */
    FG__SCREEN_IN__COUNT = 16
} fg__screen_input_t;

/* The file (or option) an input bit stands for: "deaths.csv", "--kb"; NULL for an unknown bit. */
const char *fg__screen_input_name(unsigned bit);

/* ---------------------------------------------------------------- findings */

typedef enum fg__screen_level {
    FG__SCREEN_DEFINITE = 1,  /* "definite": the data prove it (明确违规) */
    FG__SCREEN_SUSPICIOUS = 2 /* "suspicious": a clue to check (疑点) */
} fg__screen_level_t;

/* A list of ids (setl_ids, mdtrt_ids, feedetl_sns, psn_nos): insertion order, no duplicates. */
typedef struct fg__screen_ids {
    const char **v;
    size_t n;
    size_t cap;
} fg__screen_ids_t;

/*
 * One finding: exactly the fields of a findings.jsonl line (issue 14), in this order. Empty
 * strings and empty lists are absent (omitted from the line); amount is always written (fen, an
 * integer); score is written when has_score. evidence is a JSON object's text ("{…}") or empty.
 * `model` is filled by fg__screen_emit. `time` is not written: it is the finding's date for the
 * report's months and the sort (the offending event's time; FG_TIME_NONE when none).
 *
 * Build one with fg__screen_finding_init, set strings with snprintf or the helpers, add ids,
 * evidence members, the message, then fg__screen_emit (which copies everything) and
 * fg__screen_finding_release.
 */
typedef struct fg__screen_finding {
    const char *model;
    fg__screen_level_t level;
    char fixmedins_code[16];
    fg_idstr_t psn_no;
    fg__screen_ids_t psn_nos;
    char staff_code[16];
    fg__screen_ids_t setl_ids;
    fg__screen_ids_t mdtrt_ids;
    fg__screen_ids_t feedetl_sns;
    char drug_trac_codg[FG_ID_NORM_MAX];
    char med_list_codg[FG_CODE_LEN + 1];
    char invono[41];
    fg_fen_t amount; /* money at issue, fen */
    double score;
    int has_score;
    fg_buf_t evidence; /* members without the braces while building; "{…}" after emit */
    char message[512]; /* plain Chinese (officers read it), UTF-8 */
    fg_time_t time;
    fg_arena_t arena; /* the builder's copies of ids */
} fg__screen_finding_t;

void fg__screen_finding_init(fg__screen_finding_t *f, fg__screen_level_t level);
void fg__screen_finding_release(fg__screen_finding_t *f);
/* Add an id to a list (a copy; an empty or repeated id is ignored). 0 or FG_ENOMEM. */
int fg__screen_ids_add(fg__screen_finding_t *f, fg__screen_ids_t *list, const char *id);
/* Evidence members, appended in call order: a string, an integer, a money amount written as fen
 * (an integer), a number, a date "yyyy-MM-dd", a time "yyyy-MM-dd HH:mm:ss", and raw JSON (an
 * array or object the caller wrote). 0, FG_ENOMEM or FG_ELIMIT. */
int fg__screen_ev_str(fg__screen_finding_t *f, const char *key, const char *val);
int fg__screen_ev_int(fg__screen_finding_t *f, const char *key, int64_t val);
int fg__screen_ev_num(fg__screen_finding_t *f, const char *key, double val);
int fg__screen_ev_date(fg__screen_finding_t *f, const char *key, fg_date_t d);
int fg__screen_ev_time(fg__screen_finding_t *f, const char *key, fg_time_t t);
int fg__screen_ev_raw(fg__screen_finding_t *f, const char *key, const char *json);
/* The finding as its findings.jsonl line (no newline), appended to out. */
int fg__screen_finding_json(const fg__screen_finding_t *f, fg_buf_t *out);

/* ---------------------------------------------------------------- the run's context */

typedef struct fg__screen_ctx fg__screen_ctx_t;

/* Emit a finding of the calling model (the model is the one whose callback is running). The
 * finding is copied; the builder may be reused after fg__screen_finding_release. */
int fg__screen_emit(fg__screen_ctx_t *cx, fg__screen_finding_t *f);

/* The model's threshold `name` as configured (default, or options params "model.name=v"). Every
 * parameter a model reads must be in its registry entry; an unknown name is a programming error
 * (returns 0 and logs). Values are integers in the parameter's unit (days, count, per mille …). */
int64_t fg__screen_param(const fg__screen_ctx_t *cx, const char *name);

/* The run's options (date window, strict …). */
const fg_screen_options_t *fg__screen_options(const fg__screen_ctx_t *cx);

/* Record a bad-data note that does not stop the run (counted, passed to the report callback). */
void fg__screen_note(fg__screen_ctx_t *cx, const char *file, const fg_error_t *e);

/* ---------------------------------------------------------------- reference tables */

typedef struct fg__screen_ref fg__screen_ref_t;

const fg__screen_ref_t *fg__screen_ref(const fg__screen_ctx_t *cx);
/* Lookups (NULL / 0 when unknown or the file was absent). Borrowed for the whole run. */
const fg_person_t *fg__screen_ref_person(const fg__screen_ref_t *r, const char *psn_no);
const fg_institution_t *fg__screen_ref_institution(const fg__screen_ref_t *r, const char *code);
const fg_staff_t *fg__screen_ref_staff(const fg__screen_ref_t *r, const char *staff_code);
const fg_catalogue_item_t *fg__screen_ref_catalogue(const fg__screen_ref_t *r, const char *codg);
/* The person's death: deaths.csv by psn_no, or by certno_hash through persons.csv (deaths known
 * only by certno), else persons.csv die_date; FG_DATE_NONE when not known dead. *src (may be
 * NULL) gets the death row used (NULL when the date came from persons.csv). */
fg_date_t fg__screen_ref_death(const fg__screen_ref_t *r, const char *psn_no,
                               const fg_death_t **src);
/* Suspensions of a subject ("staff" or "institution", its code), in file order: count, *out. */
size_t fg__screen_ref_suspensions(const fg__screen_ref_t *r, const char *subject_type,
                                  const char *code, const fg_suspension_t *const **out);
/* Injuries of a person, by injury_date: count, *out. */
size_t fg__screen_ref_injuries(const fg__screen_ref_t *r, const char *psn_no,
                               const fg_injury_t *const **out);
/* Knowledge base and review references for the `rule` model (NULL without FG__SCREEN_IN_KB). */
const fg_kb_t *fg__screen_ref_kb(const fg__screen_ref_t *r);
const fg_ref_t *fg__screen_ref_rules(const fg__screen_ref_t *r);

/* ---------------------------------------------------------------- streamed rows */

typedef enum fg__screen_row_kind {
    FG__SCREEN_ROW_SETL = 0, /* fg_settlement_t */
    FG__SCREEN_ROW_MDTRT,    /* fg_visit_t */
    FG__SCREEN_ROW_FEE,      /* fg_fee_line_t */
    FG__SCREEN_ROW_DIAG,     /* fg_diagnosis_t */
    FG__SCREEN_ROW_OPRN,     /* fg_operation_t */
    FG__SCREEN_ROW_INVOICE,  /* fg_invoice_t */
    FG__SCREEN_ROW__COUNT
} fg__screen_row_kind_t;

/* ---------------------------------------------------------------- person groups */

/*
 * Every row of one person over all inputs. Arrays are sorted: visits by (begntime, mdtrt_id),
 * settlements by (setl_time, setl_id), fees by (fee_ocur_time, feedetl_sn), diagnoses by (setl_id,
 * maindiag_flag descending, diag_code), operations by (setl_id, oprn_oprt_date), invoices by
 * (invoice_date, invono). Rows with the same key from two directories are kept once. Borrowed for
 * the callback.
 */
typedef struct fg__screen_person {
    const char *psn_no;
    const fg_person_t *person; /* persons.csv row, NULL when unknown */
    fg_date_t die_date;        /* fg__screen_ref_death, FG_DATE_NONE when alive */
    const fg_death_t *death;   /* the deaths.csv row it came from, or NULL */
    const fg_visit_t *visits;
    size_t nvisits;
    const fg_settlement_t *setls;
    size_t nsetls;
    const fg_fee_line_t *fees;
    size_t nfees;
    const fg_diagnosis_t *diags;
    size_t ndiags;
    const fg_operation_t *oprns;
    size_t noprns;
    const fg_invoice_t *invoices;
    size_t ninvoices;
    /* Indexes for the lookups below (internal; use the functions). */
    const uint32_t *visit_by_id; /* visits ordered by mdtrt_id */
    const uint32_t *setl_by_id;  /* settlements ordered by setl_id */
    const uint32_t *fee_by_setl; /* fees ordered by (setl_id, feedetl_sn) */
} fg__screen_person_t;

/* The person's visit / settlement with that id, NULL when none. */
const fg_visit_t *fg__screen_person_visit(const fg__screen_person_t *p, const char *mdtrt_id);
const fg_settlement_t *fg__screen_person_setl(const fg__screen_person_t *p, const char *setl_id);
/* The fee lines of a settlement: count; *first is the position in fee_by_setl, so line i is
 * p->fees[p->fee_by_setl[*first + i]] (ordered by feedetl_sn). */
size_t fg__screen_person_setl_fees(const fg__screen_person_t *p, const char *setl_id,
                                   size_t *first);
/* The date of care of a fee line (its fee_ocur_time; else its visit's begntime; else its
 * settlement's setl_time): the service date the models decide by. FG_TIME_NONE when none. */
fg_time_t fg__screen_fee_time(const fg__screen_person_t *p, const fg_fee_line_t *fee);

/* ---------------------------------------------------------------- pack events */

/*
 * One pack event in time order with the embedded ledger's outcome, or one stock count. Exactly
 * one of ev / count is set. For ev, res is the ledger's answer (res->prior borrowed for the call).
 * count is a 3501 stock count (fixmedins_code, med_list_codg, time = end of its day, cnt in
 * packs as reported; convert with the catalogue's pack_units).
 */
typedef struct fg__screen_event {
    const fg_ledger_event_t *ev;
    const fg_ledger_result_t *res;
    const fg_inv_event_t *count;
    const char *file; /* where it came from */
    long line;
} fg__screen_event_t;

/* ---------------------------------------------------------------- the model registry */

/* One threshold: integer, in a unit, with a default and an allowed range. */
typedef struct fg__screen_param {
    const char *name; /* "grace_days" (set as "after_death.grace_days=1") */
    int64_t def;      /* default */
    int64_t min;      /* allowed range, inclusive */
    int64_t max;
    const char *unit;    /* "days", "visits", "per mille" … */
    const char *meaning; /* English, one line (docs/screen.md has more) */
    const char *meaning_zh;
} fg__screen_param_t;

typedef struct fg__screen_model {
    const char *name;       /* "after_death": the `model` of its findings */
    const char *name_zh;    /* 死亡后结算 */
    const char *definition; /* one paragraph in Chinese for report.html (what it finds, how) */
    unsigned needs;         /* FG__SCREEN_IN_* that must be present */
    unsigned wants;         /* FG__SCREEN_IN_* read when present */
    const fg__screen_param_t *params;
    size_t nparams;
    /* Make the model's state (*state, may stay NULL). */
    int (*init)(fg__screen_ctx_t *cx, void **state);
    /* Every row of the extraction tables (and invoices) as read, in file order (step 3). */
    int (*row)(fg__screen_ctx_t *cx, void *state, fg__screen_row_kind_t kind, const void *rec);
    /* Every person's rows (step 4). */
    int (*person)(fg__screen_ctx_t *cx, void *state, const fg__screen_person_t *p);
    /* Every pack event / stock count in time order (step 5). */
    int (*event)(fg__screen_ctx_t *cx, void *state, const fg__screen_event_t *e);
    /* Once at the end (step 6). */
    int (*finish)(fg__screen_ctx_t *cx, void *state);
    void (*free)(void *state);
} fg__screen_model_t;

/* The registry (registry.c): every model in report order. */
extern const fg__screen_model_t *const fg__screen_models[];
extern const size_t fg__screen_nmodels;

/* A model's registry entry by name, NULL when unknown. */
const fg__screen_model_t *fg__screen_model_find(const char *name);

/* ---------------------------------------------------------------- the result, for writers */

/* Per model, for the writers: its registry entry and the run's numbers. */
typedef struct fg__screen_result {
    const fg_screen_summary_t *summary;
    const fg__screen_model_t *const *models; /* = fg__screen_models, summary order */
    const int64_t *const *params;            /* params[i][j]: model i's parameter j as configured */
    const fg__screen_finding_t *findings;    /* sorted as in findings.jsonl */
    size_t nfindings;
    const fg__screen_ref_t *ref; /* the reference tables (institution names …) */
} fg__screen_result_t;

/*
 * The report writers (screenout: src/screen/report.c and xlsx.c): report.html and findings.xlsx
 * into dir. The framework calls them after findings.jsonl and summary.json are written, when they
 * are built in (they are not declared weak: until they land, screen.c calls nothing). Return 0 or
 * an error with err set; an error fails the run (exit 4) after the other outputs are written.
 */
int fg__screen_write_report(const char *dir, const fg__screen_result_t *r, fg_error_t *err);
int fg__screen_write_xlsx(const char *dir, const fg__screen_result_t *r, fg_error_t *err);

/* ---------------------------------------------------------------- helpers models share */

/* 1 when t (a date of care) is inside the run's --from/--to window. */
int fg__screen_in_window(const fg__screen_ctx_t *cx, fg_time_t t);
/* "yyyy-MM-dd" of an instant into out (FG_DATE_TEXTLEN + 1), "" for FG_TIME_NONE. */
const char *fg__screen_day(fg_time_t t, char out[FG_DATE_TEXTLEN + 1]);

/* A map from string keys to fixed-size values (zeroed when created): models' compact state per
 * institution, drug, code or staff. Entries keep insertion order; a value pointer stays valid until
 * the next entry is created. */
typedef struct fg__screen_map {
    fg_hmap_t idx;
    fg_arena_t keys;
    const char **key; /* key[i] of entry i */
    void *vals;
    size_t n;
    size_t cap;
    size_t size;
} fg__screen_map_t;

void fg__screen_map_init(fg__screen_map_t *m, size_t value_size);
/* The value of key; with create, a new zeroed entry when absent. NULL when absent (or ENOMEM). */
void *fg__screen_map_get(fg__screen_map_t *m, const char *key, int create);
/* Entry i's value (0 <= i < m->n). */
void *fg__screen_map_at(const fg__screen_map_t *m, size_t i);
/* Entry positions ordered by key (for deterministic output), count m->n; free with fg_free. */
size_t *fg__screen_map_sorted(const fg__screen_map_t *m);
void fg__screen_map_release(fg__screen_map_t *m);

/* Copy a string into a char array member, cut to fit (ids are validated shorter upstream). */
#define FG__SCREEN_SET(dst, src) snprintf((dst), sizeof(dst), "%.*s", (int)sizeof(dst) - 1, (src))

/* Money of `units` smallest units of a catalogue drug: pric (per pack) × units / pack_units, or
 * pric when units or the pack size are unknown; 0 when the drug is not in the catalogue. */
fg_fen_t fg__screen_units_fen(const fg__screen_ref_t *r, const char *med_list_codg, uint64_t units);

#endif
