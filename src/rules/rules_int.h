/*
 * rules_int.h — what the files of src/rules/ share and nobody else sees.
 *
 * catalogue.c: the rule table (catalogue.csv, compiled in). engine.c: the check driver, hits,
 * verdicts, JSON, snapshots. The reference status and the history are modules of their own
 * (status.h, history.h). eval_*.c: one evaluator per family, each `void
 * fg__eval_<family>(rctx_t *c)`.
 */
#ifndef FG_RULES_INT_H
#define FG_RULES_INT_H

#include <stddef.h>
#include <stdint.h>

#include "fundguard/kb.h"
#include "fundguard/rules.h"

/* The rules that have an evaluator, in catalogue order. What each one is (name, family, level,
 * stages, scenes, message …) is data: the rows of src/rules/catalogue.csv, compiled in as bytes by
 * CMake (no generator to run); catalogue.c checks at start that the file lists exactly these codes
 * in this order. */
/* clang-format off */
#define FG__RULE_CODES(X) \
    X(GZ0001) X(GZ0002) X(GZ0003) X(GZ0004) X(GZ0005) X(GZ0101) X(GZ0102) X(GZ0201) \
    X(GZ0202) X(GZ0203) X(GZ0301) X(GZ0401) X(GZ0402) X(GZ0501) X(GZ0601) X(GZ0701) \
    X(GZ0801) X(GZ0901) X(GZ0902) X(GZ0903) X(GZ1001) X(GZ1101) X(GZ1201) X(GZ1202) \
    X(GZ1301) X(GZ1401) X(GZ1402) X(GZ1501) X(GZ1601) X(GZ1602) X(GZ1603)
/* clang-format on */

/* Rule ids in catalogue order: R_GZ0101 … */
enum {
#define FG__RULE_ID(code) R_##code,
    FG__RULE_CODES(FG__RULE_ID)
#undef FG__RULE_ID
        R__COUNT
};

/* ---------------------------------------------------------------- evaluation context */

typedef struct rline {
    const fg_fee_line_t *fee;
    uint64_t code; /* fg_kb_code_hash */
    const fg_kb_fact_t *facts;
    const char *name; /* from the knowledge base, else the code */
    fg_date_t date;   /* service date (China time) */
    fg_time_t time;
    fg_fen_t total; /* det_item_fee_sumamt, or pric × cnt */
    uint64_t id;    /* fg_history_line_id */
    int is_drug;
} rline_t;

typedef struct rctx {
    const fg_review_t *r;
    const fg_kb_t *kb;
    const fg_kb_params_t *P;
    const fg_ref_t *ref;
    const fg_doc_t *doc;
    fg_stage_t stage;
    fg_arena_t *arena;
    fg_error_t *err;
    int rc; /* first failure (ENOMEM) */

    const char *psn_no;
    int gend; /* 1, 2, 0 unknown */
    fg_date_t brdy;
    const char *insutype;
    const char *med_type;
    int scene;        /* FG_KB_SCENE_* */
    int hosp_lv;      /* 0 unknown, 1..3 */
    const char *inst; /* fixmedins_code */
    const char *mdtrt_id;
    uint32_t visit32;
    fg_date_t begin; /* visit begin date, FG_DATE_NONE */
    fg_date_t end;   /* visit end date, FG_DATE_NONE */
    fg_fen_t settlement_total;

    rline_t *lines;
    size_t nlines;
    const fg_history_t *hist_store; /* NULL when there is none */
    const fg_hist_entry_t *hist;    /* the person's history without this settlement's own lines */
    size_t nhist;

    fg_hit_t *hits;
    size_t nhits;
    size_t hits_cap;
    fg_qty_t *nocode_used; /* per line */
} rctx_t;

/* Is the rule on for this stage and scene? */
int fg__rule_on(const rctx_t *c, int rule);

/* A message value: {key} in a template is replaced by val. */
typedef struct kv {
    const char *key;
    const char *val;
} kv_t;

/* Record a hit. table/row name the knowledge point (table UINT16_MAX: kp given as text in kp). */
void fg__hit(rctx_t *c, int rule, int line, fg_fen_t amount, const char *basis, const char *kp,
             const char *kp_version, const kv_t *kv, size_t nkv);
/* kp and version of a knowledge base fact or table row. */
void fg__kp(const rctx_t *c, uint16_t table, uint32_t row, char kp[80], char version[16]);
/* Hit on a fact's knowledge point. */
void fg__hit_fact(rctx_t *c, int rule, int line, fg_fen_t amount, const char *basis, uint16_t table,
                  uint32_t row, const kv_t *kv, size_t nkv);

/* Formatting into the arena. */
const char *fg__fmt(rctx_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *fg__date_text(rctx_t *c, fg_date_t d);
const char *fg__money_text(rctx_t *c, fg_fen_t f);
const char *fg__qty_text(rctx_t *c, fg_qty_t q);
const char *fg__age_text(rctx_t *c, fg_date_t on);
/* Age in whole years on a date (-1 unknown). */
int fg__age(const rctx_t *c, fg_date_t on);
/* qty × price per unit, rounded (fen). */
fg_fen_t fg__qty_amount(fg_qty_t qty, fg_fen_t pric);
/* total × num / den, rounded down, without overflow (0 when den is 0). */
fg_fen_t fg__share(fg_fen_t total, int64_t num, int64_t den);
/* 1 when s is one of the "|"-separated codes in list. */
int fg__in_list(const char *list, const char *s);

/* Evaluators, in the order they run. */
void fg__eval_status(rctx_t *c);  /* deceased, not insured, staff, institution, trace code */
void fg__eval_patient(rctx_t *c); /* gender, age, insurance type, care setting, level */
void fg__eval_course(rctx_t *c);  /* drug course, item course */
void fg__eval_items(rctx_t *c);   /* surgery discount, duplicate, frequency, cycle */
void fg__eval_local(rctx_t *c);   /* price cap, indication, max quantity, unbundling,
                                     diagnosis vs sex/age, billing date, frequent visits */

#endif
