/*
 * fundguard/kb.h — the knowledge base: the national 两库 knowledge tables plus a bureau's local
 * tables.
 *
 * The national tables (kb/nhsa/, batches 1–8 and later batches of the same shapes) are loaded
 * exactly as published: one file per table, the original Chinese column headers, a batch is a
 * version. Local tables a bureau keeps itself (price caps, indications, maximum quantities,
 * bundles, diagnosis limits, the 无码库 stock, visit thresholds, parameters) are CSV files
 * documented in docs/kb.md.
 *
 * Loading is strict: an unknown table, a missing column or a row that does not parse is an error
 * naming the file and line (fg_error_t.where = file, .line = line). Nothing is half-loaded: a
 * failed load leaves the knowledge base unusable and the caller frees it.
 *
 * After loading, the knowledge base is immutable and may be shared by any number of threads. Every
 * knowledge point is a fact attached to a catalogue code (drug, service item) — one hash lookup of
 * a fee line's med_list_codg yields every fact about it — or, for diagnosis limits, to a diagnosis
 * prefix. Each fact names its table and row: the knowledge point id
 * "batch7-item-duplicate-charge#12" (table stem, 1-based data row) with the table's version
 * ("batch7", "local").
 *
 * The version of a whole knowledge base (fg_kb_version) is a digest of every loaded table's name
 * and bytes plus the batch list, e.g. "nhsa:1,2,3,4,5,6,7,8+local:3@5d41402abc4b2a76"; it changes
 * when any table changes.
 *
 * Ownership: fg_kb_t is owned by the caller of fg_kb_new (free with fg_kb_free). Pointers returned
 * by lookups (facts, strings, tables) are borrowed from the knowledge base until fg_kb_free.
 */
#ifndef FUNDGUARD_KB_H
#define FUNDGUARD_KB_H

#include <stddef.h>
#include <stdint.h>

#include "fundguard/buf.h"
#include "fundguard/datetime.h"
#include "fundguard/error.h"
#include "fundguard/money.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fg_kb fg_kb_t;

/* What a fact says. The comment gives the meaning of sub, a, b, ref, text for each kind. */
typedef enum fg_kb_kind {
    FG_KF_DRUG_GENDER = 1, /* drug for one sex only: sub = 1 male / 2 female */
    FG_KF_ITEM_GENDER,     /* service item for one sex only: sub as above */
    FG_KF_DRUG_AGE,        /* drug for an age group: sub = FG_KB_AGE_* */
    FG_KF_ITEM_AGE,        /* item for an age group: sub = FG_KB_AGE_* */
    FG_KF_ITEM_WORK_AGE,   /* item within the legal working age only (batch 8-2) */
    FG_KF_SURGERY_GROUP,   /* procedure of a surgery group: ref = group name */
    FG_KF_INSURANCE_TYPE,  /* drug payable by one insurance only: sub = FG_KB_INSU_* */
    FG_KF_CARE_SETTING,    /* drug payable in a care setting only: sub = FG_KB_SCENE_* */
    FG_KF_INST_LEVEL,      /* drug payable at level >= sub (2 二级, 3 三级) */
    FG_KF_DRUG_COURSE,     /* drug paid for at most a = days per course */
    FG_KF_DUP_SECONDARY,   /* secondary item of a duplicate pair: ref = main code, sub =
                              FG_KB_SCOPE_*,   a = hours for FG_KB_SCOPE_HOURS, text = remark, b =
                              main   name id */
    FG_KF_FREQUENCY,       /* at most a (units) per day: ref = unit text (日/天/小时) */
    FG_KF_ITEM_COURSE, /* item paid for at most a days per course; b = least interval days (0) */
    FG_KF_CYCLE,       /* at most a in a cycle of b days */
    FG_KF_PRICE_CAP,   /* local: price cap a fen at hosp_lv sub (0 = every level) */
    FG_KF_INDICATION,  /* local: limited to diagnoses with a prefix in ref ("I63|I64") */
    FG_KF_MAX_QTY,     /* local: at most a (qty, FG_QTY_ONE units; 0 none) and b days (0 none) per
                          line */
    FG_KF_BUNDLE_PART, /* local: part of bundle number a (fg_kb_bundle) */
    FG_KF_NOCODE,      /* local: 无码库 stock of a (qty units) at institution ref */
    FG_KF__COUNT
} fg_kb_kind_t;

enum {
    FG_KB_AGE_CHILD = 1, /* 儿童 */
    FG_KB_AGE_INFANT,    /* 婴幼儿 */
    FG_KB_AGE_NEONATE    /* 新生儿 */
};
enum { FG_KB_INSU_WORK_INJURY = 1 /* 工伤 */, FG_KB_INSU_MATERNITY /* 生育 */ };
enum {
    FG_KB_SCENE_OUTPATIENT = 1, /* 门诊 */
    FG_KB_SCENE_INPATIENT,      /* 住院 */
    FG_KB_SCENE_PHARMACY        /* 购药 */
};
enum {
    FG_KB_SCOPE_DAY = 1,    /* 单日: the same calendar day */
    FG_KB_SCOPE_CLOCK_HOUR, /* 同一小时: the same clock hour of the same day */
    FG_KB_SCOPE_HOURS,      /* N小时: within a hours of each other */
    FG_KB_SCOPE_VISIT       /* 单次就诊: the same visit (mdtrt_id) */
};

/* One knowledge point attached to a code. Strings are ids for fg_kb_str (0 = none). */
typedef struct fg_kb_fact {
    uint8_t kind;      /* fg_kb_kind_t */
    uint8_t sub;       /* kind-specific small value */
    uint16_t table;    /* index for fg_kb_table_info */
    uint32_t row;      /* 1-based data row of the knowledge point in its table */
    int64_t a;         /* kind-specific value */
    int64_t b;         /* kind-specific value */
    uint32_t code;     /* the code the fact is attached to */
    uint32_t name;     /* name of the drug (generic name) or item, as the table gives it */
    uint32_t ref;      /* kind-specific string */
    uint32_t text;     /* the table's free text (说明, 备注) shown to people */
    uint32_t next;     /* internal: next fact of the same code */
    uint64_t ref_hash; /* fg_kb_code_hash of ref when ref is a code (duplicate pair, bundle part) */
} fg_kb_fact_t;

/* A local diagnosis limit (diagnosis-sex-age.csv). */
typedef struct fg_kb_diag_limit {
    uint32_t prefix; /* diagnosis code prefix ("O", "C61", "N40") */
    uint32_t name;   /* what the prefix means */
    uint8_t gend;    /* 1 male, 2 female: the only sex the diagnosis fits; 0 any */
    int16_t min_age; /* youngest age in years (-1 none) */
    int16_t max_age; /* oldest age in years (-1 none) */
    uint16_t table;
    uint32_t row;
} fg_kb_diag_limit_t;

/* A local bundle (bundle.csv): the parts that must be charged as the bundle item. */
typedef struct fg_kb_bundle {
    uint32_t code;     /* the bundle item's code */
    uint32_t name;     /* its name */
    fg_fen_t pric;     /* its price (0 if not known) */
    int32_t min_parts; /* distinct parts charged in scope that make an unbundling (>= 2) */
    uint8_t scope;     /* FG_KB_SCOPE_DAY or FG_KB_SCOPE_VISIT */
    uint16_t table;
    uint32_t row; /* first row of the bundle */
} fg_kb_bundle_t;

/* A local visit threshold (frequent-visits.csv): more than max_visits in window_days is frequent.
 */
typedef struct fg_kb_visit_limit {
    uint8_t scene; /* FG_KB_SCENE_* */
    int32_t window_days;
    int32_t max_visits;
    uint16_t table;
    uint32_t row;
} fg_kb_visit_limit_t;

/* Parameters (params.csv, key,value[,note]); every one has a documented default (docs/kb.md). */
typedef struct fg_kb_params {
    int child_age_below;      /* 儿童: age < this (default 18) */
    int infant_age_below;     /* 婴幼儿: age < this (default 3) */
    int neonate_days;         /* 新生儿: at most this many days old (default 28) */
    int work_age_min;         /* legal working age from (default 16) */
    int retire_age_male;      /* to below this for men (default 60) */
    int retire_age_female;    /* and for women (default 55) */
    fg_date_t trace_cutover;  /* drug lines need a trace code from this date (default 2025-07-01) */
    int surgery_discount_pct; /* second and later procedures at this % of the price (default 50) */
    int course_gap_days; /* a course ends after this many days without the drug/item (default 30) */
    int history_days;    /* history older than this is forgotten (default 400) */
    char emergency_med_types[32]; /* med_type codes of emergency/rescue visits, "|"-separated ("13")
                                   */
    char work_injury_insutypes[32]; /* insutype codes that are 工伤 (default "" — none in the NHSA
                                       table) */
    char maternity_insutypes[32];   /* insutype codes that are 生育 (default "510") */
    char maternity_med_types[32];   /* med_type codes of maternity care (default "51|52|53") */
    uint16_t table;                 /* the params table, or UINT16_MAX when all are defaults */
} fg_kb_params_t;

/* What a loaded table is. */
typedef enum fg_kb_tkind {
    FG_KT_NHSA_NAMES = 1, /* a drug batch's .names.csv (the limits) */
    FG_KT_NHSA_CODES,     /* a drug batch's .codes.csv (generic name → national codes) */
    FG_KT_NHSA_ITEMS,     /* an item table */
    FG_KT_LOCAL           /* a local table */
} fg_kb_tkind_t;

typedef struct fg_kb_table_info {
    char stem[64];    /* file name without ".csv": "batch7-item-duplicate-charge" */
    char version[16]; /* "batch7", "batch8", "local" */
    char family[32];  /* what it limits: "drug-gender", "item-duplicate-charge", "price-cap" … */
    fg_kb_tkind_t tkind;
    long rows;       /* data rows in the file (as published, including note rows) */
    long points;     /* knowledge points (rows that carry a limit) */
    long notes;      /* note rows (合计, 备注 lines at the foot of a published table) */
    char sha256[65]; /* digest of the file's bytes */
} fg_kb_table_info_t;

/* An empty knowledge base (parameters at their defaults). NULL when out of memory. */
fg_kb_t *fg_kb_new(void);
/* NULL allowed. */
void fg_kb_free(fg_kb_t *kb);

/* Load every table found in dir: national tables (batch*.csv) in dir and dir/nhsa/, local tables in
 * dir and dir/local/. Other *.csv files are an error (an unknown table is never ignored silently);
 * other files (README.md) are ignored. May be called for several directories. */
int fg_kb_load_dir(fg_kb_t *kb, const char *dir, fg_error_t *err);
/* Load one table file; the kind comes from the file name (docs/kb.md). */
int fg_kb_load_file(fg_kb_t *kb, const char *path, fg_error_t *err);
/* Load one table from memory under a file name ("price-cap.csv",
 * "batch7-item-duplicate-charge.csv"). */
int fg_kb_load_mem(fg_kb_t *kb, const char *filename, const char *data, size_t n, fg_error_t *err);
/* Finish loading: resolve cross references, compute the version. Lookups need it; loading after it
 * is FG_EINVAL. */
int fg_kb_seal(fg_kb_t *kb, fg_error_t *err);

/* The version string (valid after fg_kb_seal). */
const char *fg_kb_version(const fg_kb_t *kb);

/* The code identity used everywhere (knowledge base, history): 64-bit hash of the code text. */
uint64_t fg_kb_code_hash(const char *code, size_t n);

/* First fact attached to a code (NULL if none); fg_kb_fact_next walks the rest. */
const fg_kb_fact_t *fg_kb_lookup(const fg_kb_t *kb, const char *code, size_t n);
const fg_kb_fact_t *fg_kb_lookup_hash(const fg_kb_t *kb, uint64_t code_hash);
const fg_kb_fact_t *fg_kb_fact_next(const fg_kb_t *kb, const fg_kb_fact_t *f);
/* Every fact, in the order it was added (i < fg_kb_nfacts(kb, FG_KF__COUNT); NULL beyond): each
 * table's facts in the order of its rows, as the files were loaded; the drug facts, which
 * fg_kb_seal resolves, after them in the order of their .codes rows. */
const fg_kb_fact_t *fg_kb_fact_at(const fg_kb_t *kb, size_t i);
/* Name of the code as a knowledge table gives it (NULL when the code is in no table). */
const char *fg_kb_code_name(const fg_kb_t *kb, const char *code, size_t n);

/* String of an id ("" for 0). */
const char *fg_kb_str(const fg_kb_t *kb, uint32_t id);

size_t fg_kb_ntables(const fg_kb_t *kb);
const fg_kb_table_info_t *fg_kb_table_info(const fg_kb_t *kb, size_t i);
/* Index of the loaded table whose stem is stem ("batch7-item-duplicate-charge"), or -1. */
long fg_kb_table_find(const fg_kb_t *kb, const char *stem);
/* Knowledge point id of a fact or row: "<stem>#<row>" into out (cap bytes); returns out. */
char *fg_kb_kp(const fg_kb_t *kb, uint16_t table, uint32_t row, char *out, size_t cap);

size_t fg_kb_ndiag_limits(const fg_kb_t *kb);
const fg_kb_diag_limit_t *fg_kb_diag_limit(const fg_kb_t *kb, size_t i);
size_t fg_kb_nbundles(const fg_kb_t *kb);
const fg_kb_bundle_t *fg_kb_bundle(const fg_kb_t *kb, size_t i);
size_t fg_kb_nvisit_limits(const fg_kb_t *kb);
const fg_kb_visit_limit_t *fg_kb_visit_limit(const fg_kb_t *kb, size_t i);
const fg_kb_params_t *fg_kb_params(const fg_kb_t *kb);

/* Number of facts of each kind (stats), and in all. */
size_t fg_kb_nfacts(const fg_kb_t *kb, fg_kb_kind_t kind);

/*
 * Slices, for replay (docs/kb.md "Replay"). A slice is the part of a knowledge base that one
 * decision could consult: every fact of the given codes, the bundles they belong to, every
 * diagnosis limit, visit threshold and parameter, with their table names, rows and versions, as
 * text. Loading a slice into an empty knowledge base gives the same answers for those codes as the
 * original, whatever has happened to the tables since; its version is the original's.
 */
int fg_kb_slice_begin(const fg_kb_t *kb, fg_buf_t *out);
/* Add the facts of one code (a code already added is skipped by the caller's choice: duplicates are
 * harmless but grow the text). */
int fg_kb_slice_code(const fg_kb_t *kb, uint64_t code_hash, fg_buf_t *out);
/* Load a slice written by the functions above into a new, empty knowledge base, and seal it. */
int fg_kb_load_slice(fg_kb_t *kb, const char *text, size_t n, fg_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
