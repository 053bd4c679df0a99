/*
 * tables.c — the extraction tables and reference files as CSV: column lists, the column → field
 * map, the streaming table reader, table detection and the CSV writers.
 *
 * The national column lists are embedded exactly as formats/nhsa-extract/ gives them (the writers'
 * header rows); a reference file's columns are its record's field names. Reading matches header
 * names to fields once, at open (any order, ASCII case ignored, unknown columns ignored), so a row
 * costs one pass over the mapped columns only: fg_table_next is the hot path of batch screening and
 * allocates nothing.
 */
#include "core/compat.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fundguard/alloc.h"
#include "fundguard/model.h"
#include "model/model_int.h"

/* ---------------------------------------------------------------- national column lists */

/* formats/nhsa-extract/setl_d.csv: 100 columns */
static const char *const cols_setl_d[] = {"setl_id",
                                          "clr_optins",
                                          "medins_setl_id",
                                          "mdtrt_id",
                                          "init_setl_id",
                                          "psn_no",
                                          "psn_insu_rlts_id",
                                          "psn_name",
                                          "psn_cert_type",
                                          "certno",
                                          "gend",
                                          "naty",
                                          "brdy",
                                          "age",
                                          "insutype",
                                          "psn_type",
                                          "cvlserv_flag",
                                          "cvlserv_lv",
                                          "sp_psn_type",
                                          "sp_psn_type_lv",
                                          "clct_grde",
                                          "flxempe_flag",
                                          "nwb_flag",
                                          "insu_admdvs",
                                          "emp_no",
                                          "emp_name",
                                          "emp_type",
                                          "econ_type",
                                          "afil_indu",
                                          "afil_rlts",
                                          "emp_mgt_type",
                                          "pay_loc",
                                          "fixmedins_code",
                                          "fixmedins_name",
                                          "hosp_lv",
                                          "fix_blng_admdvs",
                                          "lmtpric_hosp_lv",
                                          "dedc_hosp_lv",
                                          "begndate",
                                          "enddate",
                                          "setl_time",
                                          "mdtrt_cert_type",
                                          "mdtrt_cert_no",
                                          "med_type",
                                          "setl_type",
                                          "clr_type",
                                          "clr_way",
                                          "psn_setlway",
                                          "medfee_sumamt",
                                          "fulamt_ownpay_amt",
                                          "overlmt_selfpay",
                                          "preselfpay_amt",
                                          "inscp_amt",
                                          "dedc_std",
                                          "crt_dedc",
                                          "act_pay_dedc",
                                          "hifp_pay",
                                          "pool_prop_selfpay",
                                          "hi_agre_sumfee",
                                          "cvlserv_pay",
                                          "hifes_pay",
                                          "hifmi_pay",
                                          "hifob_pay",
                                          "hifdm_pay",
                                          "maf_pay",
                                          "othfund_pay",
                                          "fund_pay_sumamt",
                                          "psn_pay",
                                          "acct_pay",
                                          "cash_payamt",
                                          "ownpay_hosp_part",
                                          "balc",
                                          "acct_mulaid_pay",
                                          "refd_setl_flag",
                                          "cal_ipt_cnt",
                                          "setl_cashpay_way",
                                          "year",
                                          "dise_no",
                                          "dise_name",
                                          "invono",
                                          "manl_reim_rea",
                                          "vali_flag",
                                          "memo",
                                          "rid",
                                          "updt_time",
                                          "crter_id",
                                          "crter_name",
                                          "crte_time",
                                          "crte_optins_no",
                                          "opter_id",
                                          "opter_name",
                                          "opt_time",
                                          "optins_no",
                                          "poolarea_no",
                                          "mid_setl_flag",
                                          "acct_used_flag",
                                          "quts_type",
                                          "bydise_setl_payamt",
                                          "exct_item_fund_payamt",
                                          "pt",
                                          NULL};

/* formats/nhsa-extract/mdtrt_d.csv: 106 columns */
static const char *const cols_mdtrt_d[] = {"mdtrt_id",
                                           "medins_setl_id",
                                           "psn_no",
                                           "psn_insu_rlts_id",
                                           "psn_cert_type",
                                           "certno",
                                           "psn_name",
                                           "gend",
                                           "naty",
                                           "brdy",
                                           "age",
                                           "coner_name",
                                           "tel",
                                           "addr",
                                           "insutype",
                                           "psn_type",
                                           "cvlserv_flag",
                                           "cvlserv_lv",
                                           "sp_psn_type",
                                           "sp_psn_type_lv",
                                           "clct_grde",
                                           "flxempe_flag",
                                           "nwb_flag",
                                           "insu_admdvs",
                                           "emp_no",
                                           "emp_name",
                                           "emp_type",
                                           "econ_type",
                                           "afil_indu",
                                           "afil_rlts",
                                           "emp_mgt_type",
                                           "pay_loc",
                                           "fixmedins_code",
                                           "fixmedins_name",
                                           "hosp_lv",
                                           "fix_blng_admdvs",
                                           "lmtpric_hosp_lv",
                                           "dedc_hosp_lv",
                                           "begntime",
                                           "endtime",
                                           "mdtrt_cert_type",
                                           "mdtrt_cert_no",
                                           "med_type",
                                           "rloc_type",
                                           "ars_year_ipt_flag",
                                           "pre_pay_flag",
                                           "year",
                                           "refl_old_mdtrt_id",
                                           "ipt_otp_no",
                                           "medrcdno",
                                           "chfpdr_code",
                                           "adm_diag_dscr",
                                           "adm_dept_codg",
                                           "adm_dept_name",
                                           "adm_bed",
                                           "wardarea_bed",
                                           "traf_dept_flag",
                                           "dscg_maindiag_code",
                                           "dscg_dept_codg",
                                           "dscg_dept_name",
                                           "dscg_bed",
                                           "dscg_way",
                                           "main_cond_dscr",
                                           "dise_no",
                                           "dise_name",
                                           "oprn_oprt_code",
                                           "oprn_oprt_name",
                                           "otp_diag_info",
                                           "inhosp_stas",
                                           "die_date",
                                           "ipt_days",
                                           "geso_val",
                                           "birctrl_type",
                                           "fetts",
                                           "fetus_cnt",
                                           "matn_type",
                                           "prey_time",
                                           "latechb_flag",
                                           "pret_flag",
                                           "fpsc_no",
                                           "birctrl_matn_date",
                                           "cop_flag",
                                           "trt_dcla_detl_sn",
                                           "vali_flag",
                                           "memo",
                                           "rid",
                                           "updt_time",
                                           "crter_id",
                                           "crter_name",
                                           "crte_time",
                                           "crte_optins_no",
                                           "opter_id",
                                           "opter_name",
                                           "opt_time",
                                           "optins_no",
                                           "poolarea_no",
                                           "chfpdr_name",
                                           "dscg_maindiag_name",
                                           "adm_caty",
                                           "dscg_caty",
                                           "ttp_pay_flag",
                                           "ttp_pay_prop",
                                           "dise_type_code",
                                           "same_dise_adm_flag",
                                           "quts_type",
                                           "pt",
                                           NULL};

/* formats/nhsa-extract/fee_list_d.csv: 82 columns */
static const char *const cols_fee_list_d[] = {"bkkp_sn",
                                              "mdtrt_id",
                                              "fee_ocur_time",
                                              "setl_id",
                                              "rx_drord_no",
                                              "fixmedins_code",
                                              "fixmedins_name",
                                              "psn_no",
                                              "psn_insu_rlts_id",
                                              "insu_admdvs",
                                              "pay_loc",
                                              "med_type",
                                              "cnt",
                                              "pric",
                                              "det_item_fee_sumamt",
                                              "pric_uplmt_amt",
                                              "selfpay_prop",
                                              "fulamt_ownpay_amt",
                                              "overlmt_selfpay",
                                              "preselfpay_amt",
                                              "inscp_amt",
                                              "cvlserv_bedfee_amt",
                                              "medins_disc_amt",
                                              "chrgitm_lv",
                                              "hilist_code",
                                              "hilist_name",
                                              "list_type",
                                              "med_list_codg",
                                              "medins_list_codg",
                                              "medins_list_name",
                                              "med_chrgitm_type",
                                              "prodname",
                                              "spec",
                                              "dosform_name",
                                              "bilg_dept_codg",
                                              "bilg_dept_name",
                                              "bilg_dr_code",
                                              "bilg_dr_name",
                                              "acord_dept_codg",
                                              "acord_dept_name",
                                              "acord_dr_code",
                                              "acord_dr_name",
                                              "lmt_used_flag",
                                              "hosp_prep_flag",
                                              "hosp_appr_flag",
                                              "tcmdrug_used_way",
                                              "prodplac_type",
                                              "bas_medn_flag",
                                              "hi_nego_drug_flag",
                                              "prcu_drug_flag",
                                              "chld_medc_flag",
                                              "etip_flag",
                                              "etip_hosp_code",
                                              "dscg_tkdrug_flag",
                                              "list_sp_item_flag",
                                              "matn_fee_flag",
                                              "drt_reim_flag",
                                              "reim_prop",
                                              "oprn_oprt_code",
                                              "sin_dos_dscr",
                                              "used_frqu_dscr",
                                              "prd_days",
                                              "medc_way_dscr",
                                              "memo",
                                              "vali_flag",
                                              "rid",
                                              "updt_time",
                                              "crter_id",
                                              "crter_name",
                                              "crte_time",
                                              "crte_optins_no",
                                              "opter_id",
                                              "opter_name",
                                              "opt_time",
                                              "optins_no",
                                              "poolarea_no",
                                              "rx_circ_flag",
                                              "dise_codg",
                                              "chrg_bchno",
                                              "init_feedetl_sn",
                                              "comb_no",
                                              "pt",
                                              NULL};

/* formats/nhsa-extract/setl_list_diag_d.csv: 23 columns */
static const char *const cols_setl_list_diag_d[] = {
    "setl_list_diag_id", "setl_id",       "mdtrt_id",  "psn_no",
    "diag_type",         "maindiag_flag", "diag_code", "diag_name",
    "adm_cond_type",     "vali_flag",     "rid",       "updt_time",
    "crter_id",          "crter_name",    "crte_time", "crte_optins_no",
    "opter_id",          "opter_name",    "opt_time",  "optins_no",
    "poolarea_no",       "setl_list_sn",  "pt",        NULL};

/* formats/nhsa-extract/setl_list_oprn_d.csv: 31 columns */
static const char *const cols_setl_list_oprn_d[] = {"setl_list_oprn_id",
                                                    "setl_id",
                                                    "psn_no",
                                                    "mdtrt_id",
                                                    "main_oprn_flag",
                                                    "oprn_oprt_name",
                                                    "oprn_oprt_code",
                                                    "oprn_oprt_date",
                                                    "anst_way",
                                                    "oper_dr_name",
                                                    "oper_dr_code",
                                                    "anst_dr_name",
                                                    "anst_dr_code",
                                                    "vali_flag",
                                                    "rid",
                                                    "updt_time",
                                                    "crter_id",
                                                    "crter_name",
                                                    "crte_time",
                                                    "crte_optins_no",
                                                    "opter_id",
                                                    "opter_name",
                                                    "opt_time",
                                                    "optins_no",
                                                    "poolarea_no",
                                                    "anst_begntime",
                                                    "anst_endtime",
                                                    "oprn_oprt_begntime",
                                                    "oprn_oprt_endtime",
                                                    "setl_list_sn",
                                                    "pt",
                                                    NULL};

/* ---------------------------------------------------------------- tables */

struct table_def {
    const char *name;
    fg_rectype_t rectype;
    const char *const *national; /* NULL for a reference file */
};

static const struct table_def tables[FG_TABLE__COUNT] = {
    [FG_TABLE_SETL_D] = {"setl_d", FG_REC_SETTLEMENT, cols_setl_d},
    [FG_TABLE_MDTRT_D] = {"mdtrt_d", FG_REC_VISIT, cols_mdtrt_d},
    [FG_TABLE_FEE_LIST_D] = {"fee_list_d", FG_REC_FEE_LINE, cols_fee_list_d},
    [FG_TABLE_SETL_LIST_DIAG_D] = {"setl_list_diag_d", FG_REC_DIAGNOSIS, cols_setl_list_diag_d},
    [FG_TABLE_SETL_LIST_OPRN_D] = {"setl_list_oprn_d", FG_REC_OPERATION, cols_setl_list_oprn_d},
    [FG_TABLE_PERSONS] = {"persons", FG_REC_PERSON, NULL},
    [FG_TABLE_INSTITUTIONS] = {"institutions", FG_REC_INSTITUTION, NULL},
    [FG_TABLE_STAFF] = {"staff", FG_REC_STAFF, NULL},
    [FG_TABLE_CATALOGUE] = {"catalogue", FG_REC_CATALOGUE, NULL},
    [FG_TABLE_DEATHS] = {"deaths", FG_REC_DEATH, NULL},
    [FG_TABLE_INJURIES] = {"injuries", FG_REC_INJURY, NULL},
    [FG_TABLE_INVOICES] = {"invoices", FG_REC_INVOICE, NULL},
    [FG_TABLE_SUSPENSIONS] = {"suspensions", FG_REC_SUSPENSION, NULL},
    [FG_TABLE_TRUTH] = {"truth", FG_REC_TRUTH, NULL},
};

#define MAX_COLUMNS 128 /* the widest national table has 106 */
#define MAX_FIELDS  64

/*
 * Built once (pthread_once), then read-only: the column list of each reference file and, for every
 * table, the field each column is written from (NULL: a column the record does not hold).
 */
static const char *ref_columns[FG_TABLE__COUNT][MAX_FIELDS + 1];
static const fg_field_t *write_map[FG_TABLE__COUNT][MAX_COLUMNS];
static size_t ncolumns[FG_TABLE__COUNT];
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static int csv_field(const fg_field_t *f)
{
    return (f->flags & (FG_FIELD_NOCSV | FG_FIELD_ALT)) == 0;
}

/* Header names compare without ASCII case (database exports write SETL_ID). */
static int same_name(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}

/* The field of rectype read from column `name`, or NULL. */
static const fg_field_t *column_field(const fg_rectype_info_t *info, const char *name)
{
    for (size_t i = 0; i < info->nfields; i++) {
        const fg_field_t *f = &info->fields[i];
        if (!csv_field(f))
            continue;
        if (same_name(f->name, name) || (f->alias != NULL && same_name(f->alias, name)))
            return f;
    }
    return NULL;
}

static void init_tables(void)
{
    for (int t = 0; t < FG_TABLE__COUNT; t++) {
        const fg_rectype_info_t *info = fg_rectype_info(tables[t].rectype);
        if (tables[t].national == NULL) {
            size_t k = 0;
            for (size_t i = 0; i < info->nfields && k < MAX_FIELDS; i++)
                if (csv_field(&info->fields[i]))
                    ref_columns[t][k++] = info->fields[i].name;
            ref_columns[t][k] = NULL;
        }
        /* not fg_table_columns: it runs this very function once */
        const char *const *cols =
            tables[t].national != NULL ? tables[t].national : (const char *const *)ref_columns[t];
        size_t n = 0;
        for (; cols[n] != NULL && n < MAX_COLUMNS; n++)
            write_map[t][n] = column_field(info, cols[n]);
        ncolumns[t] = n;
    }
}

static int valid_table(fg_table_t t)
{
    return (int)t >= 0 && t < FG_TABLE__COUNT;
}

const char *fg_table_name(fg_table_t t)
{
    return valid_table(t) ? tables[t].name : NULL;
}

int fg_table_parse(const char *name)
{
    if (name == NULL)
        return -1;
    for (int t = 0; t < FG_TABLE__COUNT; t++)
        if (strcmp(tables[t].name, name) == 0)
            return t;
    return -1;
}

fg_rectype_t fg_table_rectype(fg_table_t t)
{
    return valid_table(t) ? tables[t].rectype : FG_REC__COUNT;
}

const char *const *fg__table_national(fg_table_t t)
{
    return valid_table(t) ? tables[t].national : NULL;
}

const char *const *fg_table_columns(fg_table_t t)
{
    if (!valid_table(t))
        return NULL;
    if (tables[t].national != NULL)
        return tables[t].national;
    pthread_once(&init_once, init_tables);
    return ref_columns[t];
}

/* The name under which field f appears in table t's columns (national name, may be the alias). */
static const char *column_name_of(fg_table_t t, const fg_field_t *f)
{
    const char *const *cols = tables[t].national;
    if (cols != NULL && f->alias != NULL)
        for (size_t i = 0; cols[i] != NULL; i++)
            if (strcmp(cols[i], f->alias) == 0)
                return f->alias;
    return f->name;
}

/* ---------------------------------------------------------------- detection */

int fg_table_detect(const fg_csv_t *csv)
{
    size_t nh = fg_csv_ncolumns(csv);
    int best = -1;
    double best_score = 0.0;
    if (nh == 0)
        return -1;
    for (int t = 0; t < FG_TABLE__COUNT; t++) {
        const fg_rectype_info_t *info = fg_rectype_info(tables[t].rectype);
        const char *const *cols = fg_table_columns((fg_table_t)t);
        size_t nt = 0;
        size_t match = 0;
        for (; cols[nt] != NULL; nt++)
            ;
        for (size_t i = 0; i < nh; i++) {
            const char *h = fg_csv_column_name(csv, i);
            for (size_t k = 0; k < nt; k++) {
                if (same_name(h, cols[k])) {
                    match++;
                    break;
                }
            }
        }
        /* Every required column must be there. */
        int complete = 1;
        for (size_t i = 0; i < info->nfields && complete; i++) {
            const fg_field_t *f = &info->fields[i];
            if (!csv_field(f) || !fg__required_csv(f))
                continue;
            int found = 0;
            for (size_t k = 0; k < nh && !found; k++) {
                const char *h = fg_csv_column_name(csv, k);
                found = same_name(h, f->name) || (f->alias != NULL && same_name(h, f->alias));
            }
            complete = found;
        }
        if (!complete || match == 0)
            continue;
        /* Jaccard similarity of the two column sets. */
        double score = (double)match / (double)(nh + nt - match);
        if (score > best_score) {
            best = t;
            best_score = score;
        }
    }
    return best_score >= 0.1 ? best : -1;
}

/* ---------------------------------------------------------------- the reader */

struct colmap {
    uint32_t col;        /* 0-based column of the file */
    uint32_t required;   /* 1: an empty value refuses the row */
    const fg_field_t *f; /* the field it fills */
    const char *name;    /* the column's name in the file (for messages) */
};

struct fg_table_reader {
    fg_table_t table;
    const fg_rectype_info_t *info;
    fg_csv_t *csv;
    int own_csv; /* 1 when fg_table_open opened it */
    fg_csv_on_error_t on_error;
    fg_diag_t *diag;
    struct colmap map[MAX_FIELDS]; /* mapped columns, in file order */
    size_t nmap;
    uint8_t sign[MAX_FIELDS]; /* the mapped columns with a sign rule (index into map) */
    size_t nsign;
    unsigned char *blank; /* a cleared record, copied at the start of each row */
    int no_pseudonyms;    /* fg_table_skip_pseudonyms */
    uint64_t rows;
    uint64_t bad;
};

static int row_level(int code)
{
    return code == FG_E_CSV_QUOTE || code == FG_E_CSV_FIELDS || code == FG_E_CSV_FIELD_SIZE ||
           code == FG_E_CSV_ENCODING;
}

int fg_table_open_csv(fg_table_t t, fg_csv_t *csv, fg_csv_on_error_t on_error, fg_diag_t *diag,
                      fg_table_reader_t **out, fg_error_t *err)
{
    if (out == NULL || csv == NULL || !valid_table(t))
        return fg_error_set(err, FG_EINVAL, NULL, 0, "fg_table_open: no table, reader or output");
    *out = NULL;
    const fg_rectype_info_t *info = fg_rectype_info(tables[t].rectype);
    size_t nh = fg_csv_ncolumns(csv);
    if (nh == 0)
        return fg_error_set(err, FG_E_CSV_HEADER, NULL, 0,
                            "the %s file has no header row naming its columns", tables[t].name);

    fg_table_reader_t *r = fg_calloc(1, sizeof(*r));
    if (r == NULL)
        return fg_error_set(err, FG_ENOMEM, NULL, 0, NULL);
    r->blank = fg_malloc(info->size);
    if (r->blank == NULL) {
        fg_free(r);
        return fg_error_set(err, FG_ENOMEM, NULL, 0, NULL);
    }
    fg_record_clear(tables[t].rectype, r->blank);
    r->table = t;
    r->info = info;
    r->csv = csv;
    r->on_error = on_error;
    r->diag = diag;

    /* Column → field, first column wins when a field appears twice (by name and by alias). */
    unsigned char taken[MAX_FIELDS] = {0};
    for (size_t c = 0; c < nh && r->nmap < MAX_FIELDS; c++) {
        const char *h = fg_csv_column_name(csv, c);
        const fg_field_t *f = column_field(info, h);
        if (f == NULL)
            continue;
        size_t fi = (size_t)(f - info->fields);
        if (taken[fi])
            continue;
        taken[fi] = 1;
        r->map[r->nmap].col = (uint32_t)c;
        r->map[r->nmap].required = fg__required_csv(f) != 0;
        r->map[r->nmap].f = f;
        r->map[r->nmap].name = h;
        if (f->flags & (FG_FIELD_NONNEG | FG_FIELD_REFUND))
            r->sign[r->nsign++] = (uint8_t)r->nmap;
        r->nmap++;
    }

    /* Every missing required column is reported; the first is returned. */
    int rc = 0;
    for (size_t i = 0; i < info->nfields; i++) {
        const fg_field_t *f = &info->fields[i];
        if (!csv_field(f) || !fg__required_csv(f) || taken[i])
            continue;
        fg_error_t e;
        fg_error_clear(&e);
        const char *col = column_name_of(t, f);
        fg_error_set(&e, FG_E_CSV_COLUMN, col, 0,
                     "the header of the %s file has no column '%s' (%s), which is required",
                     tables[t].name, col, f->meaning);
        e.line = 1;
        fg_diag_report(diag, &e);
        if (rc == 0) {
            rc = FG_E_CSV_COLUMN;
            if (err != NULL)
                *err = e;
        }
    }
    if (rc != 0) {
        fg_free(r->blank);
        fg_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int fg_table_open(fg_table_t t, const char *path, const fg_csv_options_t *opt, fg_diag_t *diag,
                  fg_table_reader_t **out, fg_error_t *err)
{
    if (out == NULL || path == NULL || !valid_table(t))
        return fg_error_set(err, FG_EINVAL, NULL, 0, "fg_table_open: no table, path or output");
    *out = NULL;
    if (opt != NULL && !opt->header)
        return fg_error_set(err, FG_EINVAL, NULL, 0,
                            "an extraction table is read by its header row: header must be 1");
    fg_csv_t *csv = NULL;
    int rc = fg_csv_open_path(path, opt, &csv, err);
    if (rc != 0)
        return rc;
    rc = fg_table_open_csv(t, csv, opt != NULL ? opt->on_error : FG_CSV_SKIP, diag, out, err);
    if (rc != 0) {
        fg_csv_close(csv);
        return rc;
    }
    (*out)->own_csv = 1;
    return 0;
}

/* Report one bad field of a row: file line, column number and name. */
static void report_field(fg_table_reader_t *r, fg_error_t *e, const fg_csv_row_t *row,
                         const struct colmap *m)
{
    e->line = row->line;
    e->col = (long)m->col + 1;
    snprintf(e->where, sizeof(e->where), "%s", m->name);
    fg_diag_report(r->diag, e);
}

int fg_table_next(fg_table_reader_t *r, void *rec)
{
    if (r == NULL || rec == NULL)
        return FG_EINVAL;
    const size_t size = r->info->size;
    for (;;) {
        fg_csv_row_t row;
        fg_error_t e;
        int rc = fg_csv_next(r->csv, &row, &e);
        if (rc == 0)
            return 0;
        if (rc < 0) {
            fg_diag_report(r->diag, &e);
            if (row_level(rc) && r->on_error != FG_CSV_FATAL) {
                r->rows++;
                r->bad++;
                continue;
            }
            return rc;
        }
        if (row.nfields == 1 && row.len[0] == 0)
            continue; /* a blank line */
        r->rows++;
        memcpy(rec, r->blank, size);
        int bad = 0;
        for (size_t i = 0; i < r->nmap; i++) {
            const struct colmap *m = &r->map[i];
            uint32_t n = m->col < row.nfields ? row.len[m->col] : 0;
            if (n == 0) {
                if (m->required) {
                    fg_error_set(&e, FG_E_REQUIRED, NULL, 0, "the required field %s (%s) is empty",
                                 m->name, m->f->meaning);
                    e.pos = 0;
                    report_field(r, &e, &row, m);
                    bad++;
                }
                continue;
            }
            int frc = r->no_pseudonyms
                          ? fg__field_set_utf8_nohash(m->f, rec, row.data[m->col], n, &e)
                          : fg__field_set_utf8(m->f, rec, row.data[m->col], n, &e);
            if (frc != 0) {
                report_field(r, &e, &row, m);
                bad++;
            }
        }
        /* Signs once the row is read: whether it is a refund is a field of its own. */
        int refund = r->nsign > 0 ? fg_record_is_refund(tables[r->table].rectype, rec) : 0;
        for (size_t i = 0; i < r->nsign; i++) {
            const struct colmap *m = &r->map[r->sign[i]];
            if (fg_field_sign_check(m->f, rec, refund, &e) != 0) {
                report_field(r, &e, &row, m);
                bad++;
            }
        }
        if (bad == 0)
            return 1;
        r->bad++;
    }
}

void fg_table_skip_pseudonyms(fg_table_reader_t *r)
{
    if (r != NULL)
        r->no_pseudonyms = 1;
}

uint64_t fg_table_rows(const fg_table_reader_t *r)
{
    return r != NULL ? r->rows : 0;
}

uint64_t fg_table_bad_rows(const fg_table_reader_t *r)
{
    return r != NULL ? r->bad : 0;
}

uint64_t fg_table_offset(const fg_table_reader_t *r)
{
    return r != NULL ? fg_csv_offset(r->csv) : 0;
}

void fg_table_close(fg_table_reader_t *r)
{
    if (r == NULL)
        return;
    if (r->own_csv)
        fg_csv_close(r->csv);
    fg_free(r->blank);
    fg_free(r);
}

/* ---------------------------------------------------------------- writers */

int fg_table_write_header(fg_table_t t, fg_buf_t *b)
{
    const char *const *cols = fg_table_columns(t);
    if (cols == NULL || b == NULL)
        return FG_EINVAL;
    for (size_t i = 0; cols[i] != NULL; i++) {
        int rc = fg_buf_appends(b, cols[i]);
        if (rc == 0)
            rc = fg_buf_appendc(b, cols[i + 1] != NULL ? ',' : '\n');
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* One field, quoted when it holds a comma, a quote, CR or LF (RFC 4180). */
static int append_csv_field(fg_buf_t *b, const char *s, size_t n)
{
    size_t i = 0;
    for (; i < n; i++)
        if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
            break;
    if (i == n)
        return n > 0 ? fg_buf_append(b, s, n) : 0;
    int rc = fg_buf_appendc(b, '"');
    size_t from = 0;
    for (i = 0; i < n && rc == 0; i++) {
        if (s[i] == '"') {
            rc = fg_buf_append(b, s + from, i + 1 - from); /* the quote, then its double */
            if (rc == 0)
                rc = fg_buf_appendc(b, '"');
            from = i + 1;
        }
    }
    if (rc == 0)
        rc = fg_buf_append(b, s + from, n - from);
    if (rc == 0)
        rc = fg_buf_appendc(b, '"');
    return rc;
}

int fg_table_write_row_extra(fg_table_t t, const void *rec, const char *const *extra, fg_buf_t *b)
{
    if (!valid_table(t) || rec == NULL || b == NULL)
        return FG_EINVAL;
    pthread_once(&init_once, init_tables);
    const char *const *cols = fg_table_columns(t);
    size_t start = b->len;
    int rc = 0;
    for (size_t i = 0; i < ncolumns[t] && rc == 0; i++) {
        if (i > 0)
            rc = fg_buf_appendc(b, ',');
        const fg_field_t *f = write_map[t][i];
        char tmp[FG__FIELD_TEXT];
        const char *s = NULL;
        size_t n = 0;
        int have = f != NULL && fg__field_text(f, rec, tmp, &s, &n);
        for (size_t k = 0; !have && extra != NULL && extra[k] != NULL && extra[k + 1] != NULL;
             k += 2) {
            if (strcmp(extra[k], cols[i]) == 0) {
                s = extra[k + 1];
                n = strlen(s);
                have = 1;
            }
        }
        if (rc == 0 && have)
            rc = append_csv_field(b, s, n);
    }
    if (rc == 0)
        rc = fg_buf_appendc(b, '\n');
    if (rc != 0 && b->data != NULL) {
        b->len = start; /* no half row */
        b->data[start] = '\0';
    }
    return rc;
}

int fg_table_write_row(fg_table_t t, const void *rec, fg_buf_t *b)
{
    return fg_table_write_row_extra(t, rec, NULL, b);
}
