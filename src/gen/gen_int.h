/*
 * gen_int.h — what the files of src/gen/ share and nobody else sees.
 *
 *   rng.c     the PRNG (xoshiro256** seeded through splitmix64 per (seed, stream, entity)) and the
 *             distributions drawn from it
 *   out.c     buffered output files: sha256 while writing, GB18030 conversion, fast number and time
 *             formatting, CSV rows laid out by the model's column lists
 *   kbcat.c   the catalogue (national codes from kb/nhsa + a few synthetic ones), prices, caps and
 * pack sizes derived from a hash of the code; the diagnoses and their care templates region.c
 * region codes, institutions, staff, person profiles, names, resident IDs plan.c    the fraud plan:
 * which persons, institutions and staff take part in which case care.c    one person's year of
 * care: visits, stays, purchases, refunds, and their rows stock.c   trace codes, purchases, the
 * per-day event buckets and the time-ordered ledger and inventory files gen.c     fg_gen_run: the
 * passes, the reference files, truth.csv and manifest.json
 *
 * Everything here is deterministic: no clock, no address, no hash-table iteration order reaches the
 * output. Every random draw comes from a gen_rng_t seeded by (seed, stream, entity).
 */
#ifndef FG_GEN_INT_H
#define FG_GEN_INT_H

#include <iconv.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fundguard/datetime.h"
#include "fundguard/error.h"
#include "fundguard/gen.h"
#include "fundguard/kb.h"
#include "fundguard/model.h"
#include "fundguard/money.h"
#include "gen/sha256.h"

#define GEN_NONE UINT32_MAX

/* ---------------------------------------------------------------- rng (rng.c) */

typedef struct gen_rng {
    uint64_t s[4];
} gen_rng_t;

/* Streams: one per kind of entity, so adding draws to one never shifts another. */
enum gen_stream {
    ST_REGION = 1,
    ST_INST,
    ST_STAFF,
    ST_PROFILE,
    ST_PERSON,
    ST_PLAN,
    ST_GROUP,
    ST_STOCK,
    ST_SUSPEND,
    ST_NAME,
    ST_CASE,
    ST_INJURY,
    ST_STAFFID
};

static inline uint64_t gen_mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static inline uint64_t gen_hash3(uint64_t a, uint64_t b, uint64_t c)
{
    return gen_mix64(gen_mix64(gen_mix64(a) ^ b) ^ c);
}

void fg__gen_rng_init(gen_rng_t *r, uint64_t seed, uint64_t stream, uint64_t id);

static inline uint64_t rng_next(gen_rng_t *r)
{
    uint64_t *s = r->s;
    uint64_t x = s[1] * 5;
    uint64_t result = ((x << 7) | (x >> 57)) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return result;
}

/* Uniform in [0, n) (n > 0); n < 2^32. */
static inline uint32_t rng_below(gen_rng_t *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi]. */
static inline int32_t rng_range(gen_rng_t *r, int32_t lo, int32_t hi)
{
    return lo + (int32_t)rng_below(r, (uint32_t)(hi - lo + 1));
}

/* Uniform in [0, 1). */
static inline double rng_unit(gen_rng_t *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* 1 with probability p. */
static inline int rng_chance(gen_rng_t *r, double p)
{
    return rng_unit(r) < p;
}

int fg__gen_poisson(gen_rng_t *r, double lambda);
double fg__gen_normal(gen_rng_t *r);
/* Log-normal with the given median and log-sd. */
double fg__gen_lognormal(gen_rng_t *r, double median, double sigma);
/* Index i with probability w[i] / sum, from a cumulative table cdf[0..n). */
uint32_t fg__gen_pick_cdf(gen_rng_t *r, const double *cdf, uint32_t n);

/* ---------------------------------------------------------------- output (out.c) */

typedef struct gen_out {
    int fd;
    char *buf;
    size_t len;
    size_t cap;
    gen_sha256_t sha;
    uint64_t bytes;      /* written to the file (after conversion) */
    uint64_t wb_started; /* bytes whose writeback was started (write-behind, out.c) */
    uint64_t rows;       /* data rows / lines, counted by the writers */
    int gbk;
    iconv_t cd;
    char *cvt;
    size_t cvt_cap;
    char carry[8]; /* an incomplete UTF-8 sequence held back for the next conversion */
    size_t ncarry;
    int err; /* first error (negated errno or FG_E*) */
    char name[48];
    fg_date_t day;     /* cache of the last date formatted */
    char day_text[11]; /* "yyyy-MM-dd" */
} gen_out_t;

int fg__gen_out_open(gen_out_t *w, const char *dir, const char *name, int gbk);
void fg__gen_out_flush(gen_out_t *w);
/* Flush, close and give the sha256 of what was written. Returns w->err. */
int fg__gen_out_close(gen_out_t *w, char sha_hex[65]);
/* Free without finishing (on an error path). */
void fg__gen_out_abort(gen_out_t *w);

void fg__gen_out_big(gen_out_t *w, const void *p, size_t n);

static inline void out_mem(gen_out_t *w, const void *p, size_t n)
{
    if (w->len + n > w->cap) {
        fg__gen_out_big(w, p, n);
        return;
    }
    memcpy(w->buf + w->len, p, n);
    w->len += n;
}

static inline void out_c(gen_out_t *w, char c)
{
    if (w->len + 1 > w->cap)
        fg__gen_out_flush(w);
    w->buf[w->len++] = c;
}

static inline void out_s(gen_out_t *w, const char *s)
{
    out_mem(w, s, strlen(s));
}

#define OUT_LIT(w, lit) out_mem((w), (lit), sizeof(lit) - 1)

/* Number formatting into a small buffer; each returns the length (no NUL written unless said). */
size_t fg__gen_fmt_u64(char *out, uint64_t v);
size_t fg__gen_fmt_pad(char *out, uint64_t v, int width);
size_t fg__gen_fmt_fen(char *out, fg_fen_t v);
size_t fg__gen_fmt_qty(char *out, fg_qty_t q);
size_t fg__gen_fmt_date(gen_out_t *cache, char *out, fg_date_t d); /* 10 chars */
size_t fg__gen_fmt_time(gen_out_t *cache, char *out, fg_time_t t); /* 19 chars */

void fg__gen_out_u64(gen_out_t *w, uint64_t v);
void fg__gen_out_i64(gen_out_t *w, int64_t v);
void fg__gen_out_fen(gen_out_t *w, fg_fen_t v);
void fg__gen_out_time(gen_out_t *w, fg_time_t t);
void fg__gen_out_date(gen_out_t *w, fg_date_t d);
/* A JSON string literal (quotes and escapes). */
void fg__gen_out_jstr(gen_out_t *w, const char *s);
/* A CSV field, quoted when it needs to be. */
void fg__gen_out_csv(gen_out_t *w, const char *s, size_t n);

/* ---- CSV rows in a table's column order ---- */

/* Every column the generator fills, in any table. */
enum gen_slot {
// clang-format off
#define GEN_SLOTS(X) \
    X(setl_id) \
    X(mdtrt_id) \
    X(psn_no) \
    X(psn_name) \
    X(psn_cert_type) \
    X(certno) \
    X(gend) \
    X(naty) \
    X(brdy) \
    X(age) \
    X(insutype) \
    X(psn_type) \
    X(insu_admdvs) \
    X(pay_loc) \
    X(fixmedins_code) \
    X(fixmedins_name) \
    X(hosp_lv) \
    X(fix_blng_admdvs) \
    X(begndate) \
    X(enddate) \
    X(setl_time) \
    X(mdtrt_cert_type) \
    X(med_type) \
    X(setl_type) \
    X(clr_type) \
    X(clr_way) \
    X(psn_setlway) \
    X(medfee_sumamt) \
    X(fulamt_ownpay_amt) \
    X(overlmt_selfpay) \
    X(preselfpay_amt) \
    X(inscp_amt) \
    X(dedc_std) \
    X(act_pay_dedc) \
    X(hifp_pay) \
    X(pool_prop_selfpay) \
    X(hifmi_pay) \
    X(fund_pay_sumamt) \
    X(psn_pay) \
    X(acct_pay) \
    X(cash_payamt) \
    X(refd_setl_flag) \
    X(init_setl_id) \
    X(year) \
    X(invono) \
    X(manl_reim_rea) \
    X(vali_flag) \
    X(medins_setl_id) \
    X(begntime) \
    X(endtime) \
    X(ipt_otp_no) \
    X(chfpdr_code) \
    X(chfpdr_name) \
    X(adm_dept_codg) \
    X(adm_dept_name) \
    X(dscg_dept_codg) \
    X(dscg_dept_name) \
    X(dscg_maindiag_code) \
    X(dscg_maindiag_name) \
    X(dscg_way) \
    X(ipt_days) \
    X(die_date) \
    X(inhosp_stas) \
    X(otp_diag_info) \
    X(adm_diag_dscr) \
    X(bkkp_sn) \
    X(fee_ocur_time) \
    X(rx_drord_no) \
    X(cnt) \
    X(pric) \
    X(det_item_fee_sumamt) \
    X(pric_uplmt_amt) \
    X(selfpay_prop) \
    X(chrgitm_lv) \
    X(hilist_code) \
    X(hilist_name) \
    X(list_type) \
    X(med_list_codg) \
    X(medins_list_codg) \
    X(med_chrgitm_type) \
    X(spec) \
    X(dosform_name) \
    X(bilg_dept_codg) \
    X(bilg_dept_name) \
    X(bilg_dr_code) \
    X(lmt_used_flag) \
    X(dscg_tkdrug_flag) \
    X(sin_dos_dscr) \
    X(used_frqu_dscr) \
    X(prd_days) \
    X(init_feedetl_sn) \
    X(memo) \
    X(setl_list_diag_id) \
    X(diag_type) \
    X(maindiag_flag) \
    X(diag_code) \
    X(diag_name) \
    X(adm_cond_type) \
    X(setl_list_oprn_id) \
    X(main_oprn_flag) \
    X(oprn_oprt_name) \
    X(oprn_oprt_code) \
    X(oprn_oprt_date) \
    X(anst_way) \
    X(oper_dr_name) \
    X(oper_dr_code) \
    X(oprn_oprt_begntime) \
    X(oprn_oprt_endtime) \
    X(staff_code) \
    X(staff_name) \
    X(role) \
    X(dept_codg) \
    X(fixmedins_type) \
    X(admdvs) \
    X(name) \
    X(pack_units) \
    X(daily_dose) \
    X(minutes) \
    X(trace_required) \
    X(die_date_ref) \
    X(source) \
    X(kind) \
    X(injury_date) \
    X(record_no) \
    X(region) \
    X(invoice_date) \
    X(amount) \
    X(subject_type) \
    X(subject_code) \
    X(action) \
    X(begin_date) \
    X(end_date) \
    X(reason) \
    X(code_source) \
    X(limit_source) \
    X(limit_text) \
    X(inst_kind) \
    X(chain) \
    X(beds) \
    X(county_name)
// clang-format on
#define GEN_SLOT_ENUM(n) SL_##n,
    GEN_SLOTS(GEN_SLOT_ENUM)
#undef GEN_SLOT_ENUM
        SL__COUNT
};

typedef struct gen_row {
    const char *v[SL__COUNT];
    uint32_t n[SL__COUNT];
    uint32_t mark[SL__COUNT]; /* slot is set when mark == id */
    uint32_t id;
    char scratch[8192];
    size_t used;
} gen_row_t;

typedef struct gen_table {
    gen_out_t out;
    fg_table_t table;
    size_t ncols;
    int16_t slot[160];        /* column → slot, -1 for a column left empty */
    uint8_t quote[160];       /* 1: free text that may need quoting */
    const char *const *extra; /* extra columns after the model's (NULL-terminated), or NULL */
    int16_t extra_slot[8];
    size_t nextra;
} gen_table_t;

int fg__gen_table_open(gen_table_t *t, const char *dir, fg_table_t table, const char *const *extra,
                       int gbk);
void fg__gen_row_begin(gen_row_t *r);
void fg__gen_row_str(gen_row_t *r, int slot, const char *s);
void fg__gen_row_mem(gen_row_t *r, int slot, const char *s, size_t n);
void fg__gen_row_u64(gen_row_t *r, int slot, uint64_t v);
void fg__gen_row_fen(gen_row_t *r, int slot, fg_fen_t v);
void fg__gen_row_qty(gen_row_t *r, int slot, fg_qty_t v);
void fg__gen_row_time(gen_row_t *r, gen_out_t *cache, int slot, fg_time_t t);
void fg__gen_row_date(gen_row_t *r, gen_out_t *cache, int slot, fg_date_t d);
/* Write the row as the table's columns lay it out, then a newline. */
void fg__gen_row_emit(gen_table_t *t, const gen_row_t *r);

/* ---------------------------------------------------------------- catalogue (kbcat.c) */

enum gen_cat_kind { CK_DRUG = 1, CK_ITEM, CK_CONS };

enum gen_form {
    FORM_NONE = 0,
    FORM_TABLET,    /* 片, 胶囊, 丸 */
    FORM_GRANULE,   /* 颗粒, 散, 袋 */
    FORM_LIQUID,    /* 口服液, 糖浆, 合剂 */
    FORM_INJECTION, /* 注射 */
    FORM_TOPICAL,   /* 软膏, 乳膏, 凝胶, 贴 */
    FORM_DROPS,     /* 滴眼液, 滴耳液, 喷雾 */
    FORM_SUPPOS,    /* 栓 */
    FORM_INFUSION   /* large-volume infusions, emulsions */
};

/* Where a knowledge point came from (truth.csv names it). */
enum gen_kb {
    KB_NONE = 0,
    KB_B1_DRUG_AGE,
    KB_B1_DRUG_GENDER,
    KB_B1_ITEM_AGE,
    KB_B1_ITEM_GENDER,
    KB_B2_SURGERY,
    KB_B3_INSU,
    KB_B4_SETTING,
    KB_B5_LEVEL,
    KB_B6_COURSE,
    KB_B7_DUP,
    KB_B8_1_FREQ,
    KB_B8_2_AGE,
    KB_B8_3_COURSE,
    KB_B8_4_PERIOD,
    KB__COUNT
};

enum gen_age_lim { AGE_NONE = 0, AGE_CHILD, AGE_NEWBORN, AGE_INFANT, AGE_WORKING };

/* Drug therapeutic areas: the pools care templates draw from. */
enum gen_area {
    AR_NONE = 0,
    AR_RESP,   /* antibiotics, cough, cold */
    AR_CARDIO, /* antihypertensives, statins, antiplatelets */
    AR_DIAB,
    AR_GI,
    AR_PAIN,     /* analgesics, NSAIDs, musculoskeletal */
    AR_NEURO,    /* stroke: oral */
    AR_NEURO_IV, /* stroke / TCM injections (batch 5, 6) */
    AR_IV,       /* infusions (saline, glucose) */
    AR_NUTR_IV,  /* inpatient nutrition (batch 4) */
    AR_GYN,      /* female-only (batch 1 gender 女) */
    AR_URO,      /* male-only (batch 1 gender 男) */
    AR_PEDS,     /* children's drugs (batch 1 age 儿童) */
    AR_ONCO,
    AR_SKIN,
    AR_EYE,
    AR_WORK, /* work-injury-only drugs (batch 3 工伤) */
    AR_ANTIBIO_IV,
    AR_PSY,
    AR_BONE,
    AR__COUNT
};

typedef struct gen_cat {
    char code[24];
    uint8_t code_len;
    uint8_t kind;      /* gen_cat_kind */
    uint8_t lv;        /* 1 甲, 2 乙, 3 丙 */
    uint8_t form;      /* gen_form, drugs */
    uint8_t chrg;      /* med_chrgitm_type 1…14 */
    uint8_t area;      /* gen_area, drugs */
    uint8_t lim_sex;   /* 0 none, 1 male only, 2 female only */
    uint8_t lim_age;   /* gen_age_lim */
    uint8_t lim_insu;  /* 0, 1 工伤, 2 生育 */
    uint8_t lim_ip;    /* 1: inpatient only (batch 4) */
    uint8_t lim_level; /* 0, 2 ≥ 二级, 3 ≥ 三级 (batch 5) */
    uint8_t gs1;       /* trace code as a GS1 element string */
    uint8_t synthetic; /* 1: code made up (no national code in kb) */
    uint8_t freq_n;    /* batch 8-1: at most freq_n per day (or hours per day), 0 none */
    uint8_t period_n;  /* batch 8-4: at most period_n in period_days */
    uint8_t has_dup;   /* batch 7: takes part in a duplicate-charge pair */
    uint16_t period_days;
    uint16_t course;     /* days paid per course (batch 6 / 8-3), 0 none */
    uint16_t surg_group; /* batch 2 group + 1, 0 none */
    uint16_t pack_units; /* drugs: smallest units per pack */
    uint16_t daily_dose; /* drugs: smallest units a day (catalogue.csv daily_dose) */
    uint16_t minutes;    /* timed service items: minutes a unit takes (catalogue.csv minutes) */
    uint16_t kb_src;     /* enum gen_kb of its limit (the first one met) */
    uint8_t indic;       /* drugs: 0 no clinical condition, 1 new cerebral infarction, 2 other */
    uint32_t name;       /* offset of the name in the string pool */
    uint32_t note;       /* offset of the limit's text (说明/备注), 0 none */
    fg_fen_t price;      /* per pack (drugs) or per unit */
    fg_fen_t cap;        /* price cap */
    uint32_t product;    /* trace product id (7 digits starting with 8) */
    uint64_t serial;     /* next normal serial of its packs */
} gen_cat_t;

/* A duplicate-charge pair of batch 7. */
typedef struct gen_dup {
    uint32_t main; /* catalogue index */
    uint32_t sec;
    uint8_t freq; /* 1 单日, 2 单次就诊, 3 6小时, 4 同一小时 */
} gen_dup_t;

/* A diagnosis and its care template. */
typedef struct gen_dx {
    const char *code;
    const char *name;
    uint8_t group; /* related diagnoses share a group (readmission) */
    uint8_t where; /* DXW_* mask */
    uint8_t sex;   /* 0 any, 1 male, 2 female */
    uint8_t age_lo;
    uint8_t age_hi;
    uint8_t area[3];      /* drug areas, outpatient/pharmacy */
    uint8_t ip_area[3];   /* drug areas, inpatient */
    uint8_t los;          /* median length of stay, days */
    uint8_t chronic;      /* 1: refills every month */
    uint8_t injury;       /* 1: an S/T diagnosis (needs an external cause) */
    uint8_t dept;         /* department index */
    uint16_t weight;      /* relative frequency within its setting */
    const char *op_items; /* outpatient exams, ';'-separated codes */
    const char *ip_items; /* admission exams and tests */
    const char *daily;    /* extra daily items in a stay */
    const char *surgery;  /* surgery item codes (main first) */
    const char *oprn;     /* ICD-9-CM-3 code and name of the main operation, "code|name" */
    const char *cons;     /* consumables of a stay */
} gen_dx_t;

#define DXW_OP 1u /* outpatient */
#define DXW_PH 2u /* pharmacy */
#define DXW_IP 4u /* inpatient */

typedef struct gen_catalogue {
    gen_cat_t *items;
    uint32_t n;
    char *pool; /* names and notes */
    size_t pool_len;
    size_t pool_cap;
    uint32_t *area_pool[AR__COUNT]; /* drugs of each area */
    uint32_t area_n[AR__COUNT];
    gen_dup_t *dups;
    uint32_t ndups;
    uint64_t *dup_set; /* open-addressing set of (main << 32 | sec) + 1 → freq in the low bits */
    uint32_t dup_cap;
    /* items named by the templates, resolved */
    uint32_t it_consult, it_er_consult, it_ip_consult, it_bed, it_bed_newborn, it_nurse2, it_nurse1,
        it_nurse_newborn, it_ecg_mon, it_glucose, it_k, it_na, it_cl, it_hba1c, it_anesth_local,
        it_anesth_mon, it_er_monitor, it_observe_bed;
    uint32_t cons_syringe, cons_infusion_set, cons_cannula, cons_gauze, cons_suture, cons_trocar,
        cons_stent, cons_electrode, cons_catheter, cons_hip, cons_plate, cons_pen_needle;
    uint32_t saline, glucose_iv; /* infusion carriers */
    /* pools for the rule-family scenarios (catalogue indices) */
    uint32_t *lim[16];
    uint32_t nlim[16];
    const gen_dx_t *dx;
    uint32_t ndx;
    uint32_t *dx_by_where[8]; /* dx indices usable in a setting (DXW_*) */
    uint32_t ndx_by_where[8];
} gen_catalogue_t;

/* Pools of catalogue items by limit, for the planner. */
enum gen_lim_pool {
    LP_DRUG_FEMALE = 0, /* batch 1 drugs for women only */
    LP_DRUG_MALE,
    LP_DRUG_CHILD,
    LP_ITEM_FEMALE,
    LP_ITEM_MALE,
    LP_ITEM_CHILD,   /* batch 1 item age (儿童, 新生儿, 婴幼儿) */
    LP_ITEM_WORKAGE, /* batch 8-2 */
    LP_SURGERY,      /* batch 2 */
    LP_DRUG_WORK,    /* batch 3 工伤 */
    LP_DRUG_IP,      /* batch 4 */
    LP_DRUG_LEVEL,   /* batch 5 */
    LP_DRUG_COURSE,  /* batch 6 */
    LP_ITEM_FREQ,    /* batch 8-1 (per day) */
    LP_ITEM_COURSE,  /* batch 8-3 */
    LP_ITEM_PERIOD,  /* batch 8-4 */
    LP__COUNT
};

/* The catalogue from a loaded, sealed knowledge base (the national tables of kb/nhsa). */
int fg__gen_catalogue_load(gen_catalogue_t *c, const fg_kb_t *kb, fg_error_t *err);
/* Load and seal the knowledge tables of dir: FG_ENOTFOUND when dir is no folder, FG_ECORRUPT (the
 * loader's message kept) when a table does not load. */
int fg__gen_kb_load(const char *dir, fg_kb_t **out, fg_error_t *err);
void fg__gen_catalogue_free(gen_catalogue_t *c);
uint32_t fg__gen_cat_find(const gen_catalogue_t *c, const char *code);
/* The frequency (1 单日, 2 单次就诊, 3 6小时, 4 同一小时) of the batch-7 pair (main, sec), 0 none.
 */
int fg__gen_dup_pair(const gen_catalogue_t *c, uint32_t main, uint32_t sec);

static inline const char *cat_name(const gen_catalogue_t *c, const gen_cat_t *it)
{
    return c->pool + it->name;
}

const char *fg__gen_kb_name(int kb);
/* External causes (ICD-10 V–Y) of injury diagnoses: 0 fall, 1 traffic, 2 machinery (work). */
extern const char *const fg__gen_ext_cause_code[3];
extern const char *const fg__gen_ext_cause_name[3];
const char *fg__gen_form_name(int form);
const char *fg__gen_form_unit(int form);

/* ---------------------------------------------------------------- region (region.c) */

enum gen_inst_kind { IK_H3 = 0, IK_H2, IK_H1, IK_CLINIC, IK_PH_CHAIN, IK_PH_SINGLE, IK__COUNT };

enum gen_role { RO_DOCTOR = 0, RO_NURSE, RO_PHARMACIST, RO_REVIEWER, RO_PRINCIPAL, RO__COUNT };

enum gen_dept {
    DP_GENERAL = 0, /* A02 全科 */
    DP_MED,         /* A03 内科 */
    DP_SURG,        /* A04 外科 */
    DP_OBGYN,       /* A05 妇产科 */
    DP_PEDS,        /* A07 儿科 */
    DP_EYE,         /* A10 眼科 */
    DP_ENT,         /* A11 耳鼻咽喉科 */
    DP_SKIN,        /* A13 皮肤科 */
    DP_PSY,         /* A15 精神科 */
    DP_ONCO,        /* A19 肿瘤科 */
    DP_ER,          /* A20 急诊医学科 */
    DP_REHAB,       /* A21 康复医学科 */
    DP_TCM,         /* A50 中医科 */
    DP_PHARM,       /* pharmacy */
    DP__COUNT
};

typedef struct gen_county {
    char code[7];
    char name[80];
    uint32_t city;             /* index of its city */
    double weight;             /* share of the population */
    uint32_t *inst[IK__COUNT]; /* institutions of each kind in the county */
    uint32_t ninst[IK__COUNT];
    double *bed_cdf; /* hospitals of the county (H3, H2, H1) weighted by beds */
    uint32_t *hosp;
    uint32_t nhosp;
} gen_county_t;

typedef struct gen_inst {
    char code[13];
    char name[160];
    uint8_t kind;          /* gen_inst_kind */
    char hosp_lv[2];       /* "3", "2", "1" or "" */
    uint8_t outlier;       /* peer outlier: 1 cost, 2 length of stay, 3 drug share */
    uint8_t delivery_wday; /* 0 … 6: weekly delivery day (pharmacies), hospitals twice a week */
    uint32_t county;
    uint32_t beds;
    uint32_t chain;       /* chain number, GEN_NONE for singles and medical institutions */
    uint32_t staff_first; /* its staff: [staff_first, staff_first + nstaff) */
    uint32_t nstaff;
    uint32_t role_first[RO__COUNT];
    uint32_t role_n[RO__COUNT];
    uint32_t dept_first[DP__COUNT]; /* its doctors by department */
    uint32_t dept_n[DP__COUNT];
    fg_date_t susp_begin; /* agreement suspension, FG_DATE_NONE if none */
    fg_date_t susp_end;
    /* peer-outlier bookkeeping: excess money per month */
    fg_fen_t excess[12];
    uint32_t excess_case[12];
} gen_inst_t;

typedef struct gen_staff {
    char code[14];
    char name[24];
    char certno[19];
    uint8_t role;
    uint8_t dept;
    uint32_t inst;
    fg_date_t susp_begin; /* payment qualification suspended, FG_DATE_NONE if none */
    fg_date_t susp_end;
    uint8_t susp_action; /* 1 suspend, 2 terminate */
} gen_staff_t;

/* A person: what a pure function of (seed, index) says, cheap enough for the planner to ask. */
typedef struct gen_profile {
    uint32_t idx;
    uint32_t county;
    uint8_t sex; /* 1 male, 2 female */
    uint8_t emp; /* 1 职工 (310), 0 居民 (390) */
    uint8_t retired;
    uint8_t nstays;   /* inpatient stays this year (normal care) */
    uint32_t chronic; /* bit per chronic diagnosis (dx index < 32) */
    fg_date_t birth;
    fg_date_t death; /* FG_DATE_NONE when alive all year */
    float frailty;
    uint32_t pharm[2]; /* usual pharmacies */
    uint32_t clinic;   /* usual primary-care institution */
} gen_profile_t;

typedef struct gen_region {
    uint32_t chronic_dx[8]; /* diagnosis index of each chronic condition, GEN_NONE if missing */
    int province;           /* two digits */
    char province_name[16];
    gen_county_t *counties;
    uint32_t ncounties;
    double *county_cdf;
    gen_inst_t *inst;
    uint32_t ninst;
    gen_staff_t *staff;
    uint32_t nstaff;
    uint32_t nchains;
    char chain_names[64][24];
    uint32_t npersons;
    /* (region, birth date, sex) → next sequence number, for unique resident IDs */
    uint64_t *idseq;
    uint32_t idseq_cap;
    uint32_t idseq_n;
} gen_region_t;

struct gen_ctx;

int fg__gen_region_build(struct gen_ctx *g, fg_error_t *err);
void fg__gen_region_free(gen_region_t *r);
void fg__gen_profile(const struct gen_ctx *g, uint32_t idx, gen_profile_t *p);
/* Age in whole years on a date. */
int fg__gen_age(fg_date_t birth, fg_date_t on);
/* A valid resident ID for (region, birth, sex), unique in this run. */
int fg__gen_certno(gen_region_t *r, const char *region, fg_date_t birth, int sex, char out[19]);
void fg__gen_person_name(uint64_t seed, uint32_t idx, int sex, char *out, size_t cap);
void fg__gen_psn_no(const struct gen_ctx *g, const gen_profile_t *p, char out[24]);
/* The dx index of chronic condition k (bit k of gen_profile_t.chronic), GEN_NONE if none. */
uint32_t fg__gen_chronic_dx(const struct gen_ctx *g, int k);
/* A doctor of inst in department dept (falling back to any doctor), chosen by r. */
uint32_t fg__gen_pick_doctor(const struct gen_ctx *g, uint32_t inst, int dept, gen_rng_t *r);
const char *fg__gen_dept_code(int dept);
const char *fg__gen_dept_name(int dept);
const char *fg__gen_role_name(int role);

/* ---------------------------------------------------------------- fraud plan (plan.c) */

enum gen_scen {
#define GEN_SCENARIOS(X)                                                                           \
    X(trace_dup_same_inst, "ledger", "trace code sold twice at the same institution")              \
    X(trace_dup_other_inst, "ledger", "trace code sold at one institution, then at another")       \
    X(trace_reflow, "ledger",                                                                      \
      "pack dispensed by a hospital, bought in and resold by a pharmacy (回流)")                   \
    X(trace_sold_repurchased, "ledger",                                                            \
      "pack sold to a patient, then purchased again by a pharmacy")                                \
    X(trace_sale_unpurchased, "ledger", "sale of packs that never entered the seller's stock")     \
    X(settle_after_death, "status", "settlement after the person's death")                         \
    X(care_during_stay, "post",                                                                    \
      "care at another institution during an inpatient stay (挂床/冒名)")                          \
    X(readmission_15d, "post", "readmission to the same institution within 15 days (分解住院)")    \
    X(staff_suspended_billing, "status", "fee lines billed by a staff member while suspended")     \
    X(inst_suspended_billing, "status",                                                            \
      "settlement at an institution while its agreement is suspended")                             \
    X(rule_gender_drug, "限性别", "drug limited to one sex billed for the other (batch 1)")        \
    X(rule_gender_item, "限性别",                                                                  \
      "service item limited to one sex billed for the other (batch 1)")                            \
    X(rule_child_drug, "限年龄", "children's drug billed for an adult (batch 1)")                  \
    X(rule_age_item, "限年龄", "item limited by age billed outside it (batch 1, 8-2)")             \
    X(rule_surgery_discount, "限主次操作",                                                         \
      "second procedure through one incision not discounted (batch 2)")                            \
    X(rule_insurance_type, "限险种", "work-injury-only drug billed to basic insurance (batch 3)")  \
    X(rule_inpatient_only, "限就医方式", "inpatient-only drug in an outpatient visit (batch 4)")   \
    X(rule_inst_level, "限医疗机构级别",                                                           \
      "drug limited to higher-level institutions billed below (batch 5)")                          \
    X(rule_drug_course, "限支付疗程", "drug billed beyond its paid course (batch 6)")              \
    X(rule_duplicate_charge, "重复收费", "secondary item charged with its main item (batch 7)")    \
    X(rule_item_frequency, "限定频次", "item billed more often per day than allowed (batch 8-1)")  \
    X(rule_item_course, "限支付疗程", "item billed beyond its paid course (batch 8-3)")            \
    X(rule_period_frequency, "周期超频次", "item billed more often than N in D days (batch 8-4)")  \
    X(rule_price_cap, "超限价", "price above the cap")                                             \
    X(rule_billing_outside_stay, "计费日期与住院时间不符", "fee line dated outside the stay")      \
    X(rule_diag_gender, "诊断与性别不符", "diagnosis of the other sex")                            \
    X(rule_indication, "限适应症", "course-limited drug without its indication (batch 6 text)")    \
    X(quantity_excess, "限最大开药量", "quantity far beyond need (days' supply)")                  \
    X(frequent_visits, "频繁就医", "very frequent pharmacy purchases by one person")               \
    X(peer_outlier, "post", "institution far outside its peers (month)")                           \
    X(covisit_group, "post", "group of persons co-visiting pharmacies (团伙)")                     \
    X(invoice_duplicate, "post", "the same e-invoice reimbursed twice")                            \
    X(injury_third_party, "post",                                                                  \
      "injury with a traffic or work-injury record billed to basic insurance")                     \
    X(staff_overload, "post", "a doctor billing more outpatient visits in a day than one can see")
#define GEN_SCEN_ENUM(n, fam, desc) SC_##n,
    GEN_SCENARIOS(GEN_SCEN_ENUM)
#undef GEN_SCEN_ENUM
        SC__COUNT
};

const char *fg__gen_scen_family(int s);
const char *fg__gen_scen_desc(int s);

/* One part a person plays in a case. */
typedef struct gen_plan_item {
    uint32_t person;
    uint16_t scen;
    uint8_t role; /* 0 the offending part, 1 the earlier (evidence) part */
    uint8_t flags;
    uint32_t case_id;
    fg_date_t day; /* the day of the event */
    int32_t arg;   /* scenario-specific: days, LOS, offset … */
    int32_t arg2;
    uint32_t inst;  /* institution of the event */
    uint32_t inst2; /* the other institution */
    uint32_t cat;   /* catalogue item */
    uint32_t cat2;
    uint32_t aux;    /* staff, group, dx … */
    uint64_t serial; /* planned trace serial */
} gen_plan_item_t;

/* A co-visit group: members and the occasions they buy together. */
typedef struct gen_group {
    uint32_t case_id;
    uint32_t first; /* members in g->group_members[first .. first + n) */
    uint32_t n;
    uint32_t nocc;
    fg_date_t occ_day[16];
    int32_t occ_min[16]; /* minute of day */
    uint32_t occ_inst[16];
    uint32_t cat; /* the drug they buy */
} gen_group_t;

/* One truth case. */
typedef struct gen_case {
    uint16_t scen;
    uint16_t kb;      /* enum gen_kb or KB_NONE */
    uint32_t person;  /* the offending person, GEN_NONE */
    uint32_t person2; /* the other person, GEN_NONE */
    uint32_t inst;
    uint32_t inst2;
    uint32_t staff;
    uint32_t cat;
    uint32_t group;
    uint64_t serial;  /* trace serial (with cat), 0 none */
    uint64_t setl[2]; /* [0] offending, [1] evidence; 0 none */
    uint64_t mdtrt[2];
    uint64_t line_off; /* affected lines: g->case_lines[line_off .. + nlines) */
    uint32_t nlines;
    uint32_t nsetl; /* settlements counted (groups, frequent visits) */
    fg_fen_t amount;
    fg_time_t time;
    int32_t month; /* peer outlier: month 0…11 */
    uint8_t done;  /* the offending part was generated */
} gen_case_t;

int fg__gen_plan_build(struct gen_ctx *g, fg_error_t *err);

/* ---------------------------------------------------------------- stock and ledger (stock.c) */

enum gen_lev_type { LV_COUNT = 0, LV_PURCHASE, LV_PURCHASE_RETURN, LV_SALE, LV_SALE_RETURN };

/* One pack event, as written to the day buckets and read back in time order. */
typedef struct gen_lev {
    fg_time_t time;
    uint64_t seq;
    uint64_t serial;
    uint64_t setl;    /* settlement number, 0 none */
    uint64_t feedetl; /* fee line number, 0 none */
    fg_fen_t price;   /* per unit sold (sales) or per pack (purchases) */
    uint32_t inst;
    uint32_t cat;
    uint32_t psn;    /* person index, GEN_NONE */
    uint32_t county; /* the person's county (psn_no prefix) */
    uint32_t units;  /* units sold / bought; LV_COUNT: packs in stock */
    uint8_t type;    /* gen_lev_type */
    uint8_t trdn;
    uint8_t gs1;
    uint8_t closing; /* LV_COUNT: 0 opening, 1 closing */
    uint8_t pad[4];
} gen_lev_t;

typedef struct gen_stock_entry {
    uint64_t key;         /* inst << 32 | cat, 0 = empty slot (cat index + 1 is stored) */
    uint32_t sold;        /* packs with at least one sale this year */
    uint32_t pre;         /* packs purchased before 1 January and sold in the year */
    uint32_t returned;    /* packs given back by patients (sale returns) */
    uint32_t unsold;      /* packs bought and never sold (closing stock) */
    uint32_t fake;        /* packs sold without a purchase (fraud) */
    uint32_t reflow;      /* packs bought in after a patient had them (fraud) */
    uint32_t reflow_sold; /* of those, sold again */
    uint32_t pret;        /* packs given back to the supplier (3504) */
} gen_stock_entry_t;

typedef struct gen_bucket {
    int fd;
    char *buf;
    size_t len;
    uint64_t bytes;
} gen_bucket_t;

typedef struct gen_stock {
    gen_stock_entry_t *tab;
    uint64_t cap;
    uint64_t n;
    char dir[4096];      /* scratch folder of the week buckets */
    fg_date_t first_day; /* first day of bucket 0 */
    int nbuckets;        /* one per week */
    gen_bucket_t *bucket;
    uint64_t seq;
    int err;
} gen_stock_t;

int fg__gen_stock_open(struct gen_ctx *g, fg_error_t *err);
gen_stock_entry_t *fg__gen_stock_at(gen_stock_t *s, uint32_t inst, uint32_t cat);
void fg__gen_stock_event(struct gen_ctx *g, const gen_lev_t *ev);
/* A purchase of one pack by inst, in the last delivery at or before `before`, at least `min_days`
 * earlier: returns the time used. */
fg_time_t fg__gen_purchase_time(const struct gen_ctx *g, uint32_t inst, fg_time_t before,
                                gen_rng_t *r);
/* After every person: closing stock, returns; then read the buckets in time order and write
 * ledger_events.jsonl and inventory.jsonl. */
int fg__gen_stock_finish(struct gen_ctx *g, fg_error_t *err);
void fg__gen_stock_close(gen_stock_t *s);
/* The trace code of pack `serial` of item cat, NUL-terminated; returns its length. */
size_t fg__gen_trace_code(const gen_cat_t *c, uint64_t serial, char out[64]);

/* ---------------------------------------------------------------- care (care.c) */

int fg__gen_care_init(struct gen_ctx *g, fg_error_t *err);
/* One person's year: every row and event, written at once. */
int fg__gen_person_year(struct gen_ctx *g, uint32_t idx);
void fg__gen_care_free(struct gen_ctx *g);

/* ---------------------------------------------------------------- the run (gen.c) */

enum gen_file {
    GF_SETL_D = 0,
    GF_MDTRT_D,
    GF_FEE_LIST_D,
    GF_DIAG_D,
    GF_OPRN_D,
    GF_PERSONS,
    GF_INSTITUTIONS,
    GF_STAFF,
    GF_CATALOGUE,
    GF_DEATHS,
    GF_INJURIES,
    GF_INVOICES,
    GF_SUSPENSIONS,
    GF__TABLES,
    GF_SETTLEMENTS = GF__TABLES, /* settlements.jsonl */
    GF_INVENTORY,                /* inventory.jsonl */
    GF_LEDGER,                   /* ledger_events.jsonl */
    GF_TRUTH,                    /* truth.csv */
    GF__COUNT
};

typedef struct gen_ctx {
    fg_gen_options_t opt;
    uint64_t seed;
    int year;
    fg_date_t y0; /* 1 January */
    int ndays;    /* days in the year */
    fg_time_t t0; /* 00:00 on 1 January */
    uint32_t npersons;
    uint32_t min_cases;
    double rate;
    gen_catalogue_t cat;
    gen_region_t reg;
    gen_table_t tab[GF__TABLES];
    gen_out_t json[GF__COUNT - GF__TABLES];
    gen_row_t row;
    gen_stock_t stock;
    /* the plan */
    gen_plan_item_t *plan;
    uint64_t nplan;
    uint64_t plan_cap;
    uint32_t *plan_first; /* per person: first plan item, or GEN_NONE (sparse: see plan.c) */
    gen_case_t *cases;
    uint64_t ncases;
    uint64_t cases_cap;
    uint64_t *case_lines;
    uint64_t ncase_lines;
    uint64_t case_lines_cap;
    gen_group_t *groups;
    uint32_t ngroups;
    uint32_t *group_members;
    uint32_t ngroup_members;
    uint32_t scen_count[SC__COUNT];
    uint64_t plan_cursor; /* next plan item for the person being generated */
    uint8_t *used;        /* bit per person: already takes part in a case */
    /* counters: ids are numbers formatted with a prefix */
    uint64_t next_setl;
    uint64_t next_mdtrt;
    uint64_t next_feedetl;
    uint64_t next_invoice;
    uint64_t next_diag;
    uint64_t next_oprn;
    fg_gen_stats_t st;
    struct gen_care *care; /* scratch of care.c */
    /* progress */
    uint64_t work_total;
    uint64_t work_done;
} gen_ctx_t;

/* Id text of numbered entities. */
size_t fg__gen_id_setl(const gen_ctx_t *g, uint64_t n, char *out);
size_t fg__gen_id_mdtrt(const gen_ctx_t *g, uint64_t n, char *out);
size_t fg__gen_id_feedetl(const gen_ctx_t *g, uint64_t n, char *out);
size_t fg__gen_id_invoice(const gen_ctx_t *g, uint64_t n, char *out);

/* Record a case (plan.c uses it; care.c fills its ids as the rows are written). */
uint32_t fg__gen_case_new(gen_ctx_t *g, int scen);
void fg__gen_case_line(gen_ctx_t *g, uint32_t case_id, uint64_t feedetl);

#endif
