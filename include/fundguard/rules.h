/*
 * fundguard/rules.h — the review engine: the rule catalogue (GZ codes), status checks, one
 * evaluator per rule family on the knowledge base, and the decision of each stage (SPEC §4).
 *
 * One rule definition serves three stages: 事前 (pre: a reminder while the doctor prescribes), 事中
 * (in: at settlement, a definite hit blocks its line, a suspicious one holds the settlement for
 * review) and 事后 (post: every hit is a finding that becomes a clue). Status checks run first
 * (deceased, not insured, staff suspended, institution suspended, no trace code), then the
 * families. Every hit is reported, not only the first: rule, fee line, knowledge point and its
 * version, amount at issue in fen with how it was computed, and a message in plain Chinese.
 *
 * The status checks read a reference status (fg_ref_t, status.h). Windows that reach back in time
 * (courses, cycles, frequency per day, duplicate pairs in a day or a visit, frequent visits) read
 * the person's history (fg_history_t, history.h), which the caller updates with fg_review_commit
 * after each settlement checked in stage in or post. Both are modules of their own below rules;
 * the review only reads them through their faces.
 *
 * Threads: a fg_kb_t and fg_ref_t are immutable after loading and may be shared; a fg_review_t may
 * be used by one thread at a time (it holds the history, which commits change).
 *
 * Ownership: objects from *_new are owned by the caller and freed with the matching *_free (NULL
 * allowed). A decision's arrays and strings live in the arena given to fg_review_check. The review
 * borrows kb, ref and history: they must outlive it.
 */
#ifndef FUNDGUARD_RULES_H
#define FUNDGUARD_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "fundguard/arena.h"
#include "fundguard/buf.h"
#include "fundguard/error.h"
#include "fundguard/history.h"
#include "fundguard/kb.h"
#include "fundguard/model.h"
#include "fundguard/money.h"
#include "fundguard/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- the catalogue */

typedef enum fg_stage { FG_STAGE_PRE = 0, FG_STAGE_IN = 1, FG_STAGE_POST = 2 } fg_stage_t;

typedef enum fg_verdict {
    FG_VERDICT_PASS = 0,
    FG_VERDICT_REMIND,
    FG_VERDICT_HOLD,
    FG_VERDICT_BLOCK
} fg_verdict_t;

typedef enum fg_level { FG_LEVEL_DEFINITE = 1, FG_LEVEL_SUSPICIOUS = 2 } fg_level_t;

/* Rule families, in the output vocabulary of `fundguard check` ("gender", "age" …). */
typedef enum fg_family {
    FG_FAM_DECEASED = 0,
    FG_FAM_NOT_INSURED,
    FG_FAM_STAFF_SUSPENDED,
    FG_FAM_INSTITUTION_SUSPENDED,
    FG_FAM_NO_TRACE_CODE,
    FG_FAM_GENDER,
    FG_FAM_AGE,
    FG_FAM_SURGERY_DISCOUNT,
    FG_FAM_INSURANCE_TYPE,
    FG_FAM_CARE_SETTING,
    FG_FAM_INSTITUTION_LEVEL,
    FG_FAM_DRUG_COURSE,
    FG_FAM_DUPLICATE_CHARGE,
    FG_FAM_FREQUENCY,
    FG_FAM_CYCLE_FREQUENCY,
    FG_FAM_ITEM_COURSE,
    FG_FAM_PRICE_CAP,
    FG_FAM_INDICATION,
    FG_FAM_MAX_QUANTITY,
    FG_FAM_UNBUNDLING,
    FG_FAM_DIAGNOSIS_SEX_AGE,
    FG_FAM_BILLING_DATE,
    FG_FAM_FREQUENT_VISITS,
    FG_FAM__COUNT
} fg_family_t;

#define FG_STAGE_BIT(s) (1u << (s))
#define FG_SCENE_BIT(s) (1u << (s)) /* s: FG_KB_SCENE_* */

typedef struct fg_rule {
    const char *code; /* "GZ0101": Fundguard's own code (docs/rules.md) */
    const char *name; /* 限性别用药 */
    fg_family_t family;
    const char *klass;   /* the national framework's class: 限定类, 重复收费类 … */
    fg_level_t level;    /* definite (明确违规) or suspicious (可疑) */
    unsigned stages;     /* FG_STAGE_BIT set */
    unsigned scenes;     /* FG_SCENE_BIT set: 门诊, 住院, 购药 */
    const char *objects; /* what it looks at: drug, item, diagnosis, person, staff … */
    const char *tables;  /* knowledge tables it uses */
    const char *message; /* message template: {name}, {limit} … filled per hit */
} fg_rule_t;

/* A rule's index in the catalogue (src/rules/catalogue.csv order), 0 … fg_rules_count() - 1. */
typedef int fg_rule_id_t;

size_t fg_rules_count(void);
/* NULL when out of range. */
const fg_rule_t *fg_rule(fg_rule_id_t id);
/* By code ("GZ0101"); NULL when unknown. */
const fg_rule_t *fg_rule_find(const char *code);
/* "gender", "age" …; "" when out of range. */
const char *fg_family_name(fg_family_t f);
/* -1 when unknown. */
int fg_family_parse(const char *name);
const char *fg_stage_name(fg_stage_t s);     /* "pre", "in", "post" */
int fg_stage_parse(const char *name);        /* -1 when unknown */
const char *fg_verdict_name(fg_verdict_t v); /* "pass", "remind", "hold", "block" */
const char *fg_level_name(fg_level_t l);     /* "definite", "suspicious" */
/* Version of the catalogue: "rules-<n>@<12 hex>" (a digest of every rule's definition). */
const char *fg_rules_version(void);
/* The catalogue as CSV (exactly src/rules/catalogue.csv) / as an aligned text table. */
int fg_rules_catalogue_csv(fg_buf_t *out);
int fg_rules_catalogue_text(fg_buf_t *out);

/* ---------------------------------------------------------------- review */

typedef struct fg_review fg_review_t;

/* A review over a sealed knowledge base; ref and history may be NULL (the checks that need them are
 * skipped). */
fg_review_t *fg_review_new(const fg_kb_t *kb, const fg_ref_t *ref, fg_history_t *history);
void fg_review_free(fg_review_t *r);

/* One hit. */
typedef struct fg_hit {
    fg_rule_id_t rule;
    int line;            /* index into doc->fees, -1 for the settlement as a whole */
    fg_fen_t amount;     /* amount at issue, fen */
    const char *basis;   /* how the amount was computed ("line_total", "excess_qty_x_price" …) */
    char kp[80];         /* knowledge point "batch7-item-duplicate-charge#12" */
    char kp_version[16]; /* "batch7", "local", "ref" */
    const char *message; /* plain Chinese, in the arena */
} fg_hit_t;

typedef struct fg_decision {
    fg_stage_t stage;
    fg_verdict_t verdict; /* the settlement's: the worst of its lines and settlement hits */
    fg_verdict_t *lines;  /* per fee line (doc->nfees), in the arena */
    size_t nlines;
    fg_hit_t *hits; /* in the arena */
    size_t nhits;
    const char *kb_version;
    const char *rules_version;
    fg_qty_t *nocode_used; /* per fee line: 无码库 stock the line draws on (fg_review_commit) */
} fg_decision_t;

/* Check one settlement (a parsed check request: person, institution, visit, diags, fees). Rules
 * whose stages do not include `stage` are skipped. Errors: FG_EINVAL (no visit or person),
 * FG_ENOMEM. */
int fg_review_check(fg_review_t *r, const fg_doc_t *doc, fg_stage_t stage, fg_arena_t *arena,
                    fg_decision_t *out, fg_error_t *err);

/* Remember the settlement in the history (stage in: lines that were blocked are not remembered,
 * they were not paid; stage post: every line). Idempotent: a line already remembered is not added
 * again. */
int fg_review_commit(fg_review_t *r, const fg_doc_t *doc, const fg_decision_t *d, fg_error_t *err);

/* The decision as one line of JSON (no newline):
 * {"decision","stage","kb_version","rules_version","mdtrt_id","lines":[{"feedetl_sn","decision"}],
 *  "hits":[{"rule","family","level","feedetl_sn","amount","basis","kp","kp_version","message"}]} */
int fg_decision_json(const fg_doc_t *doc, const fg_decision_t *d, fg_buf_t *out);

/*
 * Replay (docs/rules.md "Replay"). A record holds everything a decision depended on — the knowledge
 * points of the settlement's codes (a knowledge slice), the status rows consulted and the person's
 * history as it was — as text. fg_review_snapshot writes those three texts for a settlement about
 * to be (or just) checked; fg_review_new_replay builds a review from them that reproduces the
 * decision whatever has happened to the tables, the reference files or the history since.
 */
int fg_review_snapshot(const fg_review_t *r, const fg_doc_t *doc, fg_buf_t *kb_slice,
                       fg_buf_t *ref_slice, fg_buf_t *history_slice);

typedef struct fg_replay fg_replay_t;
int fg_replay_new(const char *kb_slice, size_t kb_n, const char *ref_slice, size_t ref_n,
                  const char *history_slice, size_t history_n, fg_replay_t **out, fg_error_t *err);
fg_review_t *fg_replay_review(fg_replay_t *rp);
void fg_replay_free(fg_replay_t *rp);

#ifdef __cplusplus
}
#endif
#endif
