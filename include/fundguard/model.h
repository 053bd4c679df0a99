/*
 * fundguard/model.h — the in-memory records of Fundguard and their readers and writers.
 *
 * One form for every input: a fee line read from fee_list_d CSV, from a 2204 `feedetail` array or
 * from a generator is the same fg_fee_line_t. Field names are the national interface vocabulary.
 *
 * Each record type is described once by a table of fg_field_t (name, type, limits, meaning,
 * example); that table drives the CSV reader, the JSON reader, the writers and docs/formats.md, so
 * the four never disagree. Strings are fixed-size, NUL-terminated arrays; a longer value is an
 * error (field.too_long), never truncated. Money is fen (fg_fen_t), quantities ten-thousandths
 * (fg_qty_t), times fg_time_t (FG_TIME_NONE when absent), dates fg_date_t (FG_DATE_NONE when
 * absent).
 *
 * Validation reports every bad field, not only the first: readers hand each error to an fg_diag_t
 * sink (with file line, field path and position) and refuse the record; the next call goes on.
 */
#ifndef FUNDGUARD_MODEL_H
#define FUNDGUARD_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "fundguard/arena.h"
#include "fundguard/buf.h"
#include "fundguard/codes.h"
#include "fundguard/csv.h"
#include "fundguard/datetime.h"
#include "fundguard/error.h"
#include "fundguard/money.h"

/* ---------------------------------------------------------------- diagnostics */

/* Where readers send each error. count is incremented for every report; report may be NULL
 * (errors are then only counted). */
typedef struct fg_diag {
    void (*report)(void *ctx, const fg_error_t *e);
    void *ctx;
    size_t count;
} fg_diag_t;

void fg_diag_report(fg_diag_t *d, const fg_error_t *e);

/* ---------------------------------------------------------------- records */

#define FG_ID_LEN   40  /* psn_no, mdtrt_id, setl_id, feedetl_sn … */
#define FG_CODE_LEN 50  /* med_list_codg and other catalogue codes */
#define FG_NAME_LEN 200 /* names (bytes of UTF-8) */

typedef char fg_idstr_t[FG_ID_LEN + 1];

typedef struct fg_person {
    fg_idstr_t psn_no;              /* 人员编号 */
    char psn_name[FG_NAME_LEN + 1]; /* 人员姓名 (never logged) */
    char certno_hash[65];           /* HMAC pseudonym of the resident ID (certno), "" if none */
    char certno_masked[19];         /* masked resident ID for display */
    char gend[2];                   /* 性别: "1" male, "2" female, "9" unknown */
    fg_date_t brdy;                 /* 出生日期 */
    char insutype[8];               /* 险种类型: "310" 职工, "390" 居民 … */
    char insu_admdvs[7];            /* 参保所属医保区划 */
    char psn_type[8];               /* 人员类别 */
    fg_date_t die_date;             /* 死亡日期, FG_DATE_NONE while alive */
} fg_person_t;

typedef struct fg_institution {
    char fixmedins_code[13]; /* 定点医药机构编号 H/P + 11 digits */
    char fixmedins_name[FG_NAME_LEN + 1];
    char fixmedins_type[4]; /* "1" 定点医疗机构, "2" 定点零售药店 */
    char hosp_lv[4];        /* 医院等级: "1" 一级, "2" 二级, "3" 三级, "" none */
    char admdvs[7];         /* 所属区划 */
} fg_institution_t;

typedef struct fg_staff {
    char staff_code[16]; /* 医保相关人员代码: D/N/Y + 12 digits */
    char staff_name[FG_NAME_LEN + 1];
    char certno_hash[65];    /* pseudonym of the resident ID: points follow the person */
    char role[16];           /* doctor | nurse | technician | pharmacist | reviewer | principal */
    char fixmedins_code[13]; /* institution of practice */
    char dept_codg[31];      /* 科室 */
} fg_staff_t;

/* A reference feed: a person's death (民政/公安/卫健 data exchange). */
typedef struct fg_death {
    fg_idstr_t psn_no;
    char certno_hash[65];
    fg_date_t die_date;
    char source[16]; /* 民政 | 公安 | 卫健 | 殡葬 … as given */
} fg_death_t;

/* A reference feed: an injury with a liable third party or work-injury cover. */
typedef struct fg_injury {
    fg_idstr_t psn_no;
    char kind[16]; /* traffic | work */
    fg_date_t injury_date;
    char record_no[41]; /* accident report / work-injury determination number */
    char region[7];
} fg_injury_t;

/* A reference feed: an electronic invoice (电子票据) and what it paid. */
typedef struct fg_invoice {
    char invono[41]; /* 票据号码 */
    fg_idstr_t setl_id;
    fg_idstr_t psn_no;
    char fixmedins_code[13];
    fg_date_t invoice_date;
    fg_fen_t amount;
} fg_invoice_t;

/* A reference feed: a suspension of a staff member's payment qualification or of an institution's
 * agreement. */
typedef struct fg_suspension {
    char subject_type[16]; /* staff | institution */
    char subject_code[16]; /* staff_code or fixmedins_code */
    char action[16];       /* suspend | terminate */
    fg_date_t begin_date;
    fg_date_t end_date; /* FG_DATE_NONE for open-ended (terminate) */
    char reason[FG_NAME_LEN + 1];
} fg_suspension_t;

/* The status of a reference subject, one vocabulary from the model up: the store's reference rows,
 * the API's "status", the review's suspensions. An institution's agreement is active, suspended or
 * terminated; a staff member's payment qualification active or suspended; a person alive or
 * deceased; a catalogue drug listed or delisted. A suspension's action (suspensions.csv, and
 * fg_suspension_t.action) is the word of the event that puts a subject in a status: "suspend" →
 * suspended, "terminate" → terminated. */
typedef enum fg_ref_status {
    FG_REF_STATUS_NONE = 0, /* unknown word */
    FG_REF_ACTIVE,
    FG_REF_SUSPENDED,
    FG_REF_TERMINATED,
    FG_REF_ALIVE,
    FG_REF_DECEASED,
    FG_REF_LISTED,
    FG_REF_DELISTED,
    FG_REF__STATUSES
} fg_ref_status_t;

/* "active", "suspended", "terminated", "alive", "deceased", "listed", "delisted"; "" for NONE. */
const char *fg_ref_status_name(fg_ref_status_t s);
/* The status a word names: its name, or a suspension's action word ("suspend", "terminate" — the
 * word rows of older stores may hold); FG_REF_STATUS_NONE when it names none. */
fg_ref_status_t fg_ref_status_parse(const char *word);
/* The action of a suspension that puts a subject in status s: "suspend" (suspended), "terminate"
 * (terminated), "" for a status no suspension gives. */
const char *fg_ref_status_action(fg_ref_status_t s);
/* 1 when s stops a subject's service (suspended, terminated): a suspension of the review. */
int fg_ref_status_suspends(fg_ref_status_t s);

/*
 * A ground-truth case (truth.csv of `fundguard gen`): one injected violation and where it shows.
 * List fields hold several ids separated by ';'. Used to measure what the engine finds.
 */
typedef struct fg_truth {
    char scenario[48]; /* trace_dup_same_inst, rule_gender_drug … (docs/generator.md) */
    char case_id[16];
    char family[48]; /* ledger, rule, pattern … */
    char kb_source[48];
    char psn_no[1024];
    char fixmedins_code[512];
    char staff_code[16];
    char setl_id[512];
    char mdtrt_id[512];
    char feedetl_sn[4096];
    char drug_trac_codg[64];
    char med_list_codg[32];
    int32_t amount_fen; /* the money the case took, in fen (an integer column) */
    fg_time_t occurred;
    char detail[512];
} fg_truth_t;

/* A catalogue entry: a drug, service item or consumable with its price data. */
typedef struct fg_catalogue_item {
    char med_list_codg[FG_CODE_LEN + 1];
    char name[FG_NAME_LEN + 1];
    char list_type[4];       /* "101" drug, "102" herbal, "201" service item, "301" consumable */
    char chrgitm_lv[4];      /* "01" 甲, "02" 乙, "03" 丙 */
    fg_fen_t pric;           /* usual price per unit sold (per pack for drugs) */
    fg_fen_t pric_uplmt_amt; /* price cap, 0 = none */
    int32_t pack_units;      /* smallest units per pack (drugs), -1 if not a packed drug */
    int32_t daily_dose;      /* usual smallest units a day (drugs), -1 when not given */
    int32_t minutes;         /* minutes one unit of a timed service takes, -1 when not given */
    int trace_required;      /* 1 when a sale needs a trace code */
} fg_catalogue_item_t;

typedef struct fg_visit {
    fg_idstr_t mdtrt_id; /* 就诊 ID */
    fg_idstr_t psn_no;
    char fixmedins_code[13];
    char hosp_lv[4];
    char med_type[8]; /* 医疗类别: "11" 普通门诊, "14" 门诊慢特病, "21" 普通住院, "41" 定点药店购药
                         … */
    char insutype[8];
    char gend[2];
    fg_date_t brdy;
    int32_t age;                 /* 年龄 as recorded, -1 if absent */
    fg_time_t begntime;          /* 开始时间 (admission) */
    fg_time_t endtime;           /* 结束时间 (discharge), FG_TIME_NONE if open */
    char dscg_maindiag_code[32]; /* 出院主诊断 */
    char chfpdr_code[16];        /* 主诊医师代码 */
    char insu_admdvs[7];
    int32_t ipt_days;   /* 住院天数, -1 if absent */
    fg_date_t die_date; /* 死亡日期 */
    char certno_hash[65];
    char certno_masked[19]; /* masked resident ID for display */
    char vali_flag[2]; /* 有效标志: "1" valid, "0" void (extraction tables), "" not given */
} fg_visit_t;

typedef struct fg_diagnosis {
    fg_idstr_t setl_id;
    fg_idstr_t mdtrt_id;
    fg_idstr_t psn_no;
    char diag_type[4];  /* 诊断类别: "1" 西医, "2" 中医主病, "3" 中医主证 */
    int maindiag_flag;  /* 1 main diagnosis, 0 other */
    char diag_code[32]; /* ICD-10 医保版 */
    char diag_name[FG_NAME_LEN + 1];
    char vali_flag[2]; /* 有效标志 */
} fg_diagnosis_t;

typedef struct fg_operation {
    fg_idstr_t setl_id;
    fg_idstr_t mdtrt_id;
    fg_idstr_t psn_no;
    int main_oprn_flag;
    char oprn_oprt_code[32]; /* ICD-9-CM-3 医保版 */
    char oprn_oprt_name[FG_NAME_LEN + 1];
    fg_time_t oprn_oprt_date;
    char oper_dr_code[16];
    char vali_flag[2]; /* 有效标志 */
} fg_operation_t;

typedef struct fg_settlement {
    fg_idstr_t setl_id;
    fg_idstr_t mdtrt_id;
    fg_idstr_t psn_no;
    char fixmedins_code[13];
    char hosp_lv[4];
    char med_type[8];
    char insutype[8];
    char gend[2];
    fg_date_t brdy;
    char certno_hash[65];
    fg_date_t begndate;
    fg_date_t enddate;
    fg_time_t setl_time;
    fg_fen_t medfee_sumamt;     /* 医疗费总额 */
    fg_fen_t fulamt_ownpay_amt; /* 全自费金额 */
    fg_fen_t overlmt_selfpay;   /* 超限价自费 */
    fg_fen_t preselfpay_amt;    /* 先行自付 */
    fg_fen_t inscp_amt;         /* 符合范围金额 */
    fg_fen_t hifp_pay;          /* 统筹基金支出 */
    fg_fen_t fund_pay_sumamt;   /* 基金支付总额 */
    fg_fen_t psn_pay;           /* 个人负担总金额 */
    fg_fen_t acct_pay;          /* 个人账户支出 */
    fg_fen_t cash_payamt;       /* 现金支付 */
    int refd_setl_flag;         /* 1 refund (退费结算) */
    fg_idstr_t init_setl_id;    /* the settlement a refund reverses */
    char invono[41];            /* 发票号 */
    char insu_admdvs[7];
    char certno_masked[19]; /* masked resident ID for display */
    char vali_flag[2];      /* 有效标志 */
} fg_settlement_t;

/* One trace code on a fee line or inventory event. */
typedef struct fg_trace_ref {
    char drug_trac_codg[FG_ID_NORM_MAX]; /* normalised key (fg_trace_parse) */
    int trdn_flag;                       /* 拆零标志: 1 split sale */
} fg_trace_ref_t;

typedef struct fg_fee_line {
    fg_idstr_t feedetl_sn; /* 费用明细流水号 (bkkp_sn in fee_list_d) */
    fg_idstr_t mdtrt_id;
    fg_idstr_t setl_id;
    fg_idstr_t psn_no;
    char fixmedins_code[13];
    char med_type[8];
    fg_time_t fee_ocur_time;                /* 费用发生时间 */
    char med_list_codg[FG_CODE_LEN + 1];    /* 医疗目录编码 (national) */
    char medins_list_codg[FG_CODE_LEN + 1]; /* 医药机构目录编码 */
    char hilist_code[FG_CODE_LEN + 1];      /* 医保目录编码 */
    char list_type[4]; /* 目录类别: "101" 西药中成药, "102" 中药饮片, "201" 医疗服务, "301" 耗材 */
    char med_chrgitm_type[8];     /* 医疗收费项目类别 */
    char chrgitm_lv[4];           /* 收费项目等级: "01" 甲, "02" 乙, "03" 丙 */
    fg_qty_t cnt;                 /* 数量 */
    fg_fen_t pric;                /* 单价 */
    fg_fen_t det_item_fee_sumamt; /* 明细项目费用总额 */
    fg_fen_t pric_uplmt_amt;      /* 定价上限金额 */
    fg_fen_t fulamt_ownpay_amt;
    fg_fen_t inscp_amt;
    char bilg_dr_codg[16]; /* 开单医生编码 (bilg_dr_code in fee_list_d) */
    char bilg_dept_codg[31];
    fg_idstr_t init_feedetl_sn; /* 原费用流水号 (refund lines) */
    int32_t prd_days;           /* 周期天数, -1 if absent */
    char used_frqu_dscr[31];    /* 使用频次描述 */
    char hosp_appr_flag[4];     /* 医院审批标志 */
    char dise_codg[32];         /* 病种编码 */
    char vali_flag[2];          /* 有效标志 */
    fg_trace_ref_t *trace;      /* drug_trac_info[], in the reader's arena */
    size_t ntrace;
} fg_fee_line_t;

typedef enum fg_inv_type {
    FG_INV_STOCK_COUNT = 3501,     /* 商品盘存 */
    FG_INV_CHANGE = 3502,          /* 商品信息变更 */
    FG_INV_PURCHASE = 3503,        /* 商品采购 */
    FG_INV_PURCHASE_RETURN = 3504, /* 商品采购退货 */
    FG_INV_SALE = 3505,            /* 商品销售 */
    FG_INV_SALE_RETURN = 3506,     /* 商品销售退货 */
    FG_INV_DELETE = 3507           /* 商品信息删除 */
} fg_inv_type_t;

typedef struct fg_inv_event {
    fg_inv_type_t type;
    char fixmedins_code[13];
    char med_list_codg[FG_CODE_LEN + 1];
    char fixmedins_hilist_id[FG_CODE_LEN + 1];
    char fixmedins_hilist_name[FG_NAME_LEN + 1];
    char fixmedins_bchno[FG_CODE_LEN + 1]; /* 定点医药机构批次流水号 */
    fg_time_t time;                        /* purc/sel/retn/inv time of the event */
    fg_qty_t cnt;                          /* purc_retn_cnt / sel_retn_cnt / invcnt / cnt */
    fg_fen_t price;                        /* finl_trns_pric / purc pric */
    int trdn_flag;                         /* 拆零标志 */
    int rx_flag;                           /* 处方药标志 */
    fg_idstr_t setl_id;
    fg_idstr_t mdtrt_sn;
    fg_idstr_t psn_no;
    char manu_lotnum[41];             /* 生产批号 */
    fg_date_t expy_end;               /* 有效期止 */
    char spler_name[FG_NAME_LEN + 1]; /* 供应商名称 */
    fg_trace_ref_t *trace;            /* drugtracinfo[] / drug_trac_info[], in the reader's arena */
    size_t ntrace;
} fg_inv_event_t;

/* ---------------------------------------------------------------- field tables */

typedef enum fg_ftype {
    FG_F_STR = 0, /* text, checked for UTF-8 and length */
    FG_F_ID,      /* text checked by an fg_id_kind_t validator, stored normalised */
    FG_F_MONEY,   /* fg_fen_t */
    FG_F_QTY,     /* fg_qty_t */
    FG_F_TIME,    /* fg_time_t; a bare date is taken as 00:00:00 */
    FG_F_DATE,    /* fg_date_t; a datetime's time part is accepted and dropped */
    FG_F_INT32,   /* int32_t */
    FG_F_FLAG,    /* int: "0"/"1" */
    FG_F_ENUM,    /* text that must be one of `values` ("|"-separated) */
    FG_F_IDCARD,  /* a resident ID: stored as pseudonym (certno_hash) + masked form; never kept raw
                   */
    FG_F_HASH     /* a pseudonym already computed: 64 hex digits (lower-cased) */
} fg_ftype_t;

#define FG_FIELD_REQUIRED 0x1u /* must be present and non-empty */
#define FG_FIELD_NOCSV    0x2u /* not a column of the extraction table */
#define FG_FIELD_NOJSON   0x4u /* not a key of the API JSON */
#define FG_FIELD_REQ_CSV  0x8u /* required in an extraction table, optional in API JSON */
#define FG_FIELD_ALT                                                                               \
    0x10u /* another key for the member of an earlier entry: read, never written                   \
           */
/* Sign rules of money and quantities (the national refund semantics): */
#define FG_FIELD_NONNEG 0x20u /* never below 0 (prices; inventory counts: a return is positive) */
#define FG_FIELD_REFUND                                                                            \
    0x40u /* below 0 only on a refund record (fg_record_is_refund): refd_setl_flag 1, a fee line   \
             naming init_feedetl_sn */

typedef struct fg_field {
    const char *name;  /* column / JSON key */
    const char *alias; /* the same field under another name (e.g. bkkp_sn), or NULL */
    fg_ftype_t type;
    int id_kind;         /* FG_F_ID: fg_id_kind_t; otherwise -1 */
    size_t offset;       /* offsetof in the record */
    size_t size;         /* sizeof the member (for strings: capacity including NUL) */
    unsigned flags;      /* FG_FIELD_* */
    const char *values;  /* FG_F_ENUM: allowed codes "1|2|9"; NULL otherwise */
    const char *meaning; /* 中文 and English, for docs and messages */
    const char *example; /* a valid example value */
    int64_t min;         /* FG_F_INT32: smallest allowed value */
    int64_t max;         /* FG_F_INT32: largest allowed value */
    size_t aux; /* FG_F_IDCARD: offset of the record's masked-ID member (char[19]), 0 if none */
} fg_field_t;

typedef enum fg_rectype {
    FG_REC_PERSON = 0,
    FG_REC_INSTITUTION,
    FG_REC_VISIT,
    FG_REC_DIAGNOSIS,
    FG_REC_OPERATION,
    FG_REC_SETTLEMENT,
    FG_REC_FEE_LINE,
    FG_REC_INV_EVENT,
    FG_REC_STAFF,
    FG_REC_DEATH,
    FG_REC_INJURY,
    FG_REC_INVOICE,
    FG_REC_SUSPENSION,
    FG_REC_CATALOGUE,
    FG_REC_TRUTH,
    FG_REC__COUNT
} fg_rectype_t;

typedef struct fg_rectype_info {
    const char *name;         /* "fee_line" */
    size_t size;              /* sizeof the record */
    const fg_field_t *fields; /* the field table */
    size_t nfields;
} fg_rectype_info_t;

const fg_rectype_info_t *fg_rectype_info(fg_rectype_t t);

/* Reset a record to "all absent" (strings empty, money 0, times/dates NONE, ints -1 where the
 * field says "if absent"). */
void fg_record_clear(fg_rectype_t t, void *rec);

/* The field of a record type named `name` (by name or alias; FG_FIELD_ALT entries included), or
 * NULL. */
const fg_field_t *fg_field_find(fg_rectype_t t, const char *name);

/* 1 when rec is a refund, the one place FG_FIELD_REFUND amounts and counts may be negative: a
 * settlement with refd_setl_flag 1, a fee line that reverses an earlier line (init_feedetl_sn);
 * 0 for every other record. */
int fg_record_is_refund(fg_rectype_t t, const void *rec);

/* The sign rule of field f on rec (refund: fg_record_is_refund of rec): 0 when the value may have
 * its sign, else FG_E_NEGATIVE with the field's name in err->where and a message naming the rule.
 * The readers apply it to every record they read (fg_table_next, fg_doc_parse). */
int fg_field_sign_check(const fg_field_t *f, const void *rec, int refund, fg_error_t *err);

/* Set one field from text, validating it (the one routine every reader uses). Errors carry the
 * field name in `where` and the position. An empty value leaves the field absent (an error only
 * when the field is FG_FIELD_REQUIRED, which the readers check). */
int fg_field_set(const fg_field_t *f, void *rec, const char *s, size_t n, fg_error_t *err);

/* The key of resident-ID pseudonyms (FG_F_IDCARD fields). Set once at start-up from configuration;
 * until set, a fixed development key is used and fg_model_key_is_default() says so. */
void fg_model_set_pseudonym_key(const unsigned char key[FG_PSEUDONYM_KEYLEN]);
int fg_model_key_is_default(void);
const unsigned char *fg_model_pseudonym_key(void);

/* ---------------------------------------------------------------- extraction tables (CSV) */

typedef enum fg_table {
    FG_TABLE_SETL_D = 0,       /* → fg_settlement_t */
    FG_TABLE_MDTRT_D,          /* → fg_visit_t */
    FG_TABLE_FEE_LIST_D,       /* → fg_fee_line_t */
    FG_TABLE_SETL_LIST_DIAG_D, /* → fg_diagnosis_t */
    FG_TABLE_SETL_LIST_OPRN_D, /* → fg_operation_t */
    /* Reference files: columns are the record's field names (docs/formats.md). */
    FG_TABLE_PERSONS,      /* persons.csv → fg_person_t */
    FG_TABLE_INSTITUTIONS, /* institutions.csv → fg_institution_t */
    FG_TABLE_STAFF,        /* staff.csv → fg_staff_t */
    FG_TABLE_CATALOGUE,    /* catalogue.csv → fg_catalogue_item_t */
    FG_TABLE_DEATHS,       /* deaths.csv → fg_death_t */
    FG_TABLE_INJURIES,     /* injuries.csv → fg_injury_t */
    FG_TABLE_INVOICES,     /* invoices.csv → fg_invoice_t */
    FG_TABLE_SUSPENSIONS,  /* suspensions.csv → fg_suspension_t */
    FG_TABLE_TRUTH,        /* truth.csv (generator ground truth) → fg_truth_t */
    FG_TABLE__COUNT
} fg_table_t;

const char *fg_table_name(fg_table_t t); /* "fee_list_d", "persons" … (file stem) */
int fg_table_parse(const char *name);    /* "fee_list_d" → FG_TABLE_FEE_LIST_D, -1 unknown */
fg_rectype_t fg_table_rectype(fg_table_t t);
/* Every column of the national layout (formats/nhsa-extract), in order, NULL-terminated; for a
 * reference file, its record's field names. */
const char *const *fg_table_columns(fg_table_t t);
/* Detect a table from a header row's column names (the best match above a threshold), -1 if none.
 */
int fg_table_detect(const fg_csv_t *csv);

typedef struct fg_table_reader fg_table_reader_t;

/* Open an extraction table: its CSV header must hold every required column, else FG_E_CSV_COLUMN
 * naming the first missing one (all are reported to diag). Unknown columns are ignored.
 * `opt` may be NULL. *out is owned by the caller: fg_table_close. */
int fg_table_open(fg_table_t t, const char *path, const fg_csv_options_t *opt, fg_diag_t *diag,
                  fg_table_reader_t **out, fg_error_t *err);
/* The same over a CSV reader already open (header read), e.g. fg_csv_open_mem. The table reader
 * borrows csv: close it after fg_table_close. A row-level CSV error (quote, field count, size,
 * encoding) is reported to diag and the row skipped unless `on_error` is FG_CSV_FATAL. */
int fg_table_open_csv(fg_table_t t, fg_csv_t *csv, fg_csv_on_error_t on_error, fg_diag_t *diag,
                      fg_table_reader_t **out, fg_error_t *err);
/* The next valid record into *rec (of the table's record type): 1 = record, 0 = end of input.
 * An invalid row reports every error to diag and is skipped (the call goes on to the next row);
 * a fatal CSV error returns < 0. */
int fg_table_next(fg_table_reader_t *r, void *rec);
/* From now on resident IDs (FG_F_IDCARD columns) are checked and masked as before — a bad one
 * still refuses its row — but their keyed pseudonym (certno_hash) is left empty: for a reader
 * that never looks at it (an HMAC per row is most of a settlement row's cost). */
void fg_table_skip_pseudonyms(fg_table_reader_t *r);
/* Rows read, rows refused. */
uint64_t fg_table_rows(const fg_table_reader_t *r);
uint64_t fg_table_bad_rows(const fg_table_reader_t *r);
uint64_t fg_table_offset(const fg_table_reader_t *r);
void fg_table_close(fg_table_reader_t *r);

/* Write the header row (every national column) / one record as a row, to b. Columns the record
 * does not hold are left empty. */
int fg_table_write_header(fg_table_t t, fg_buf_t *b);
int fg_table_write_row(fg_table_t t, const void *rec, fg_buf_t *b);
/* The same, with extra column values the record does not hold (e.g. "certno", "psn_name": raw data
 * a generator or exporter has). extra is NULL or a NULL-terminated list of name, value pairs. */
int fg_table_write_row_extra(fg_table_t t, const void *rec, const char *const *extra, fg_buf_t *b);

/* ---------------------------------------------------------------- API JSON */

/* One API document, bare or inside the platform envelope. Which parts are present depends on the
 * interface: 2204 → fees; 2206/2207 → settlement (+ visit/person when given); 3501–3507 → inv;
 * a check request (psninfo, fixmedins, mdtrtinfo, diseinfo, feedetail) → person, institution,
 * visit, diags, fees. Everything lives in the arena passed to fg_doc_parse. */
typedef struct fg_doc {
    int infno;               /* 2204, 2206, 2207, 3501…3507; 0 when bare and not recognised */
    int enveloped;           /* 1 if it came inside {"infno", "input", …} */
    char msgid[41];          /* envelope msgid */
    char fixmedins_code[13]; /* envelope fixmedins_code, if any */
    fg_time_t inf_time;      /* envelope inf_time, FG_TIME_NONE if absent */
    fg_person_t *person;     /* psninfo */
    fg_institution_t *institution; /* fixmedins */
    fg_visit_t *visit;             /* mdtrtinfo */
    fg_settlement_t *settlement;   /* setlinfo / data (2206/2207) */
    fg_diagnosis_t *diags;         /* diseinfo[] */
    size_t ndiags;
    fg_fee_line_t *fees; /* feedetail[] */
    size_t nfees;
    fg_inv_event_t *inv; /* purcinfo / selinfo / invinfo … */
    size_t ninv;
} fg_doc_t;

typedef struct fg_json_limits {
    size_t max_depth; /* default 32 */
    size_t max_bytes; /* default 8 MiB */
    size_t max_items; /* most array elements (fee lines, events), default 10000 */
} fg_json_limits_t;

/* Parse and validate one document. Every error goes to diag with its JSON path
 * ("input.feedetail[3].cnt"); returns 0 when valid, FG_E_JSON / FG_E_JSON_SHAPE / the first field
 * error otherwise (with *err set to the first error). `limits` may be NULL. `infno_hint` (0 = from
 * the envelope or by content) says which interface a bare document is. */
int fg_doc_parse(const char *json, size_t n, int infno_hint, const fg_json_limits_t *limits,
                 fg_arena_t *arena, fg_doc_t *out, fg_diag_t *diag, fg_error_t *err);

/* Read one JSON object as a record of type t (cleared first), as fg_doc_parse reads a part: each
 * member that is a field of t through its field table (fg_field_set, with the sign rules), every
 * bad one reported to diag under its key as path; members that are no field of t are ignored and
 * required fields are not asked for (the caller knows which members it takes). Returns 0, or the
 * first error (FG_E_JSON, FG_E_JSON_SHAPE, FG_E_JSON_DEPTH, a field's) with *err set to it.
 * `limits` and diag may be NULL; the decoder's scratch lives in arena. */
int fg_json_read_record(fg_rectype_t t, const char *json, size_t n, const fg_json_limits_t *limits,
                        fg_arena_t *arena, void *rec, fg_diag_t *diag, fg_error_t *err);

/* Nesting of arrays and objects (outside strings) deeper than max_depth in json[0..n): -1 with the
 * line and column (from 1) of the bracket that goes too deep, else 0. Cheap, and safe on any
 * bytes: run it before handing untrusted text to a recursive parser. */
int fg_json_depth_exceeds(const char *json, size_t n, size_t max_depth, long *line, long *col);

/* Write records as one-line JSON objects in the interface vocabulary (no trailing newline).
 * Money is written as a decimal string "12.30", times as "yyyy-MM-dd HH:mm:ss", absent fields are
 * omitted. fg_json_write_doc writes a whole document (bare; enveloped when doc->enveloped). */
int fg_json_write_record(fg_rectype_t t, const void *rec, fg_buf_t *b);
/* The same with extra key/value string pairs (NULL-terminated list), written after the fields. */
int fg_json_write_record_extra(fg_rectype_t t, const void *rec, const char *const *extra,
                               fg_buf_t *b);
int fg_json_write_doc(const fg_doc_t *doc, fg_buf_t *b);

/* The JSON text json[0..n) as it may be kept at rest (SPEC §2): every member whose key ends in
 * "certno" or "cert_no" (certno, mdtrt_cert_no, psn_cert_no …) holding a resident ID becomes
 * "<key>_hash" (the keyed pseudonym, as the reader's certno_hash) and "<key>_masked"
 * ("4301**********1234"); such a value that does not check (a wrong check character) is masked in
 * place. Every other byte is kept as it came. The text must be valid JSON (parsed before);
 * FG_E_JSON when the walker cannot follow it, and then nothing is appended to out. */
int fg_json_redact_ids(const char *json, size_t n, fg_buf_t *out, fg_error_t *err);

/* ---------------------------------------------------------------- documentation */

/* Append docs/formats.md — every table and record, every field, the JSON interfaces — to b. The
 * committed file is this output byte for byte (tests/unit/t_model.c checks it). */
int fg_model_formats_markdown(fg_buf_t *b);

#endif
