/*
 * t_model.c — the model: field tables and fg_field_set, the extraction-table reader and writers,
 * API JSON documents and their writers, and docs/formats.md.
 *
 * Shipped samples (tests/data/samples) must read with no error and write back to what they read;
 * bad samples (tests/data/bad) must report exactly the errors they were made with.
 * `FG_REGEN=1 ./build/t_model formats_doc` rewrites docs/formats.md from the field tables.
 */
#include "core/compat.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "fundguard/alloc.h"
#include "fundguard/arena.h"
#include "fundguard/buf.h"
#include "fundguard/model.h"
#include "model/model_int.h"
#include "t.h"

/* ---------------------------------------------------------------- helpers */

/* A diag sink that keeps the errors it is given. */
typedef struct collect {
    fg_error_t e[64];
    size_t n;
} collect_t;

static void collect_report(void *ctx, const fg_error_t *e)
{
    collect_t *c = ctx;
    if (c->n < FG_ARRAY_LEN(c->e))
        c->e[c->n] = *e;
    c->n++;
}

/* The error of the collection at `where` (the test fails when there is none). */
static const fg_error_t *find_where(const collect_t *c, const char *where)
{
    for (size_t i = 0; i < c->n && i < FG_ARRAY_LEN(c->e); i++)
        if (strcmp(c->e[i].where, where) == 0)
            return &c->e[i];
    t_fail(__FILE__, __LINE__, "no error at %s", where);
}

static const fg_field_t *field(fg_rectype_t t, const char *name)
{
    const fg_field_t *f = fg_field_find(t, name);
    if (f == NULL)
        t_fail(__FILE__, __LINE__, "no field %s", name);
    return f;
}

/* Set one field from text, return its code. */
static int set(fg_rectype_t t, void *rec, const char *name, const char *value, fg_error_t *err)
{
    return fg_field_set(field(t, name), rec, value, strlen(value), err);
}

/* Open a table reader over text in memory (csv and reader both returned). */
static int open_mem(fg_table_t t, const char *text, fg_diag_t *diag, fg_csv_t **csv,
                    fg_table_reader_t **r, fg_error_t *err)
{
    fg_csv_options_t opt = {.header = 1, .strict_fields = 1, .on_error = FG_CSV_SKIP};
    ASSERT_OK(fg_csv_open_mem(text, strlen(text), &opt, csv, err));
    int rc = fg_table_open_csv(t, *csv, FG_CSV_SKIP, diag, r, err);
    if (rc != 0) {
        fg_csv_close(*csv);
        *csv = NULL;
    }
    return rc;
}

static const char *sample(const char *name)
{
    static char path[4][512];
    static int slot;
    char *p = path[slot++ & 3];
    snprintf(p, sizeof(path[0]), "tests/data/samples/%s", name);
    return t_path(p);
}

static const char *bad(const char *name)
{
    static char path[4][512];
    static int slot;
    char *p = path[slot++ & 3];
    snprintf(p, sizeof(path[0]), "tests/data/bad/%s", name);
    return t_path(p);
}

/* Read a whole table file; returns valid records, counts errors into *errors. */
static uint64_t read_table(fg_table_t t, const char *path, collect_t *c)
{
    fg_diag_t diag = {collect_report, c, 0};
    fg_table_reader_t *r = NULL;
    fg_error_t err;
    ASSERT_OK(fg_table_open(t, path, NULL, &diag, &r, &err));
    void *rec = malloc(fg_rectype_info(fg_table_rectype(t))->size);
    ASSERT(rec != NULL);
    uint64_t n = 0;
    int rc = fg_table_next(r, rec);
    for (; rc > 0; rc = fg_table_next(r, rec))
        n++;
    ASSERT_EQ(rc, 0);
    ASSERT_UEQ(fg_table_rows(r) - fg_table_bad_rows(r), n);
    free(rec);
    fg_table_close(r);
    return n;
}

/* ---------------------------------------------------------------- field tables */

TEST(field_tables_are_sound)
{
    for (int t = 0; t < FG_REC__COUNT; t++) {
        const fg_rectype_info_t *info = fg_rectype_info((fg_rectype_t)t);
        ASSERT(info != NULL && info->nfields > 0 && info->nfields <= 64);
        unsigned char *rec = calloc(1, info->size);
        ASSERT(rec != NULL);
        for (size_t i = 0; i < info->nfields; i++) {
            const fg_field_t *f = &info->fields[i];
            ASSERT(f->offset + (f->type == FG_F_IDCARD ? 65 : f->size) <= info->size);
            ASSERT(f->meaning != NULL && strstr(f->meaning, " — ") != NULL); /* 中文 — English */
            ASSERT(f->example != NULL && f->example[0] != '\0');
            ASSERT((f->type == FG_F_ID || f->type == FG_F_IDCARD) == (f->id_kind >= 0));
            ASSERT((f->type == FG_F_ENUM) == (f->values != NULL));
            /* every example is valid */
            fg_error_t err;
            fg_record_clear((fg_rectype_t)t, rec);
            int rc = fg_field_set(f, rec, f->example, strlen(f->example), &err);
            if (rc != 0)
                t_fail(__FILE__, __LINE__, "%s.%s example '%s': %s", info->name, f->name,
                       f->example, err.msg);
            /* names are unique within a record */
            for (size_t k = 0; k < i; k++)
                ASSERT(strcmp(info->fields[k].name, f->name) != 0);
        }
        free(rec);
    }
    ASSERT(fg_rectype_info(FG_REC__COUNT) == NULL);
}

TEST(record_clear_marks_absent)
{
    fg_fee_line_t fee;
    memset(&fee, 0x5a, sizeof(fee));
    fg_record_clear(FG_REC_FEE_LINE, &fee);
    ASSERT_EQ(fee.fee_ocur_time, FG_TIME_NONE);
    ASSERT_EQ(fee.prd_days, -1);
    ASSERT_EQ(fee.cnt, 0);
    ASSERT_STR_EQ(fee.feedetl_sn, "");
    ASSERT(fee.trace == NULL && fee.ntrace == 0);
    fg_visit_t v;
    fg_record_clear(FG_REC_VISIT, &v);
    ASSERT_EQ(v.brdy, FG_DATE_NONE);
    ASSERT_EQ(v.age, -1);
    ASSERT_EQ(v.ipt_days, -1);
    ASSERT_EQ(v.endtime, FG_TIME_NONE);
}

TEST(field_find_by_name_and_alias)
{
    ASSERT(fg_field_find(FG_REC_FEE_LINE, "bkkp_sn") ==
           fg_field_find(FG_REC_FEE_LINE, "feedetl_sn"));
    ASSERT(fg_field_find(FG_REC_FEE_LINE, "bilg_dr_code") ==
           fg_field_find(FG_REC_FEE_LINE, "bilg_dr_codg"));
    ASSERT(fg_field_find(FG_REC_SETTLEMENT, "inscp_scp_amt") ==
           fg_field_find(FG_REC_SETTLEMENT, "inscp_amt"));
    ASSERT(fg_field_find(FG_REC_FEE_LINE, "no_such_field") == NULL);
    ASSERT(fg_field_find(FG_REC_INV_EVENT, "purc_retn_cnt")->offset ==
           offsetof(fg_inv_event_t, cnt));
}

TEST(field_set_types)
{
    fg_fee_line_t fee;
    fg_error_t err;
    fg_record_clear(FG_REC_FEE_LINE, &fee);

    ASSERT_OK(set(FG_REC_FEE_LINE, &fee, "pric", "-12.3", &err));
    ASSERT_EQ(fee.pric, -1230);
    ASSERT_ERR(set(FG_REC_FEE_LINE, &fee, "pric", "12.345", &err), FG_E_MONEY_PRECISION);
    ASSERT_STR_EQ(err.where, "pric");
    ASSERT(strstr(err.msg, "12.345") != NULL);
    ASSERT_EQ(err.pos, 6);

    ASSERT_OK(set(FG_REC_FEE_LINE, &fee, "cnt", "0.5", &err));
    ASSERT_EQ(fee.cnt, 5000);
    ASSERT_ERR(set(FG_REC_FEE_LINE, &fee, "cnt", "1,5", &err), FG_E_QTY_FORMAT);

    ASSERT_OK(set(FG_REC_FEE_LINE, &fee, "fee_ocur_time", "2025-07-01", &err));
    ASSERT_EQ(fee.fee_ocur_time, fg_date_start(20270)); /* 2025-07-01 */
    ASSERT_ERR(set(FG_REC_FEE_LINE, &fee, "fee_ocur_time", "2025-02-30 10:00:00", &err),
               FG_E_TIME_RANGE);

    ASSERT_OK(set(FG_REC_FEE_LINE, &fee, "prd_days", "7", &err));
    ASSERT_EQ(fee.prd_days, 7);
    ASSERT_OK(set(FG_REC_FEE_LINE, &fee, "prd_days", "7.9", &err));
    ASSERT_EQ(fee.prd_days, 7);
    ASSERT_ERR(set(FG_REC_FEE_LINE, &fee, "prd_days", "4000", &err), FG_E_RANGE);
    ASSERT_ERR(set(FG_REC_FEE_LINE, &fee, "prd_days", "x", &err), FG_E_INTEGER);

    ASSERT_OK(set(FG_REC_FEE_LINE, &fee, "chrgitm_lv", "02", &err));
    ASSERT_STR_EQ(fee.chrgitm_lv, "02");
    ASSERT_ERR(set(FG_REC_FEE_LINE, &fee, "chrgitm_lv", "2", &err), FG_E_ENUM);
    ASSERT(strstr(err.msg, "01|02|03") != NULL);

    ASSERT_OK(set(FG_REC_FEE_LINE, &fee, "fixmedins_code", "h43010200012", &err));
    ASSERT_STR_EQ(fee.fixmedins_code, "H43010200012"); /* stored normalised */
    ASSERT_ERR(set(FG_REC_FEE_LINE, &fee, "fixmedins_code", "H4301020001", &err),
               FG_E_INSTITUTION_CODE);
    ASSERT(strstr(err.msg, "H4301020001") != NULL);

    ASSERT_OK(set(FG_REC_FEE_LINE, &fee, "bilg_dr_code", "D430102000123", &err));
    ASSERT_STR_EQ(fee.bilg_dr_codg, "D430102000123");

    char long_sn[64];
    memset(long_sn, 'A', 41);
    long_sn[41] = '\0';
    ASSERT_ERR(set(FG_REC_FEE_LINE, &fee, "feedetl_sn", long_sn, &err), FG_E_TOO_LONG);
    long_sn[40] = '\0';
    ASSERT_OK(set(FG_REC_FEE_LINE, &fee, "feedetl_sn", long_sn, &err));

    ASSERT_ERR(set(FG_REC_FEE_LINE, &fee, "used_frqu_dscr", "t\xffid", &err), FG_E_UTF8);
    ASSERT_EQ(err.pos, 2);
    ASSERT_OK(set(FG_REC_FEE_LINE, &fee, "used_frqu_dscr", "每日三次", &err));

    fg_settlement_t s;
    fg_record_clear(FG_REC_SETTLEMENT, &s);
    ASSERT_OK(set(FG_REC_SETTLEMENT, &s, "refd_setl_flag", "1", &err));
    ASSERT_EQ(s.refd_setl_flag, 1);
    ASSERT_ERR(set(FG_REC_SETTLEMENT, &s, "refd_setl_flag", "Y", &err), FG_E_ENUM);
    ASSERT_OK(set(FG_REC_SETTLEMENT, &s, "begndate", "2025-07-01 08:00:00", &err));
    ASSERT_EQ(s.begndate, 20270);
    ASSERT_ERR(set(FG_REC_SETTLEMENT, &s, "begndate", "2025/07/01", &err), FG_E_DATE_FORMAT);

    /* empty = absent: nothing changes, no error */
    fee.pric = 99;
    ASSERT_OK(fg_field_set(field(FG_REC_FEE_LINE, "pric"), &fee, "", 0, &err));
    ASSERT_EQ(fee.pric, 99);
}

/* fg_json_redact_ids of text: the result, or "ERROR" */
static const char *redacted(const char *json, fg_buf_t *b)
{
    fg_error_t err;
    fg_buf_reset(b);
    if (fg_json_redact_ids(json, strlen(json), b, &err) != 0)
        return "ERROR";
    return b->data != NULL ? b->data : "";
}

TEST(table_reader_skips_pseudonyms_but_checks_ids)
{
    /* certno of mdtrt_d: checked and masked, a bad check character still refuses the row, but no
     * keyed pseudonym once fg_table_skip_pseudonyms is called; without it, the pseudonym. */
    const char *text = "mdtrt_id,psn_no,certno,fixmedins_code,begntime,med_type\n"
                       "M1,P1,430102199003071234,H43010200001,2025-01-02 08:00:00,11\n"
                       "M2,P2,430102199003071235,H43010200001,2025-01-02 08:00:00,11\n";
    for (int skip = 0; skip < 2; skip++) {
        fg_csv_t *csv = NULL;
        fg_table_reader_t *r = NULL;
        fg_error_t err;
        collect_t c = {.n = 0};
        fg_diag_t diag = {collect_report, &c, 0};
        ASSERT_OK(open_mem(FG_TABLE_MDTRT_D, text, &diag, &csv, &r, &err));
        if (skip)
            fg_table_skip_pseudonyms(r);
        fg_visit_t v;
        int got = fg_table_next(r, &v);
        if (got != 1 && c.n > 0)
            fprintf(stderr, "  %s: %s\n", c.e[0].where, c.e[0].msg);
        ASSERT_EQ(got, 1);
        ASSERT_STR_EQ(v.mdtrt_id, "M1");
        ASSERT_STR_EQ(v.certno_masked, "4301**********1234");
        ASSERT_EQ(strlen(v.certno_hash), skip ? 0u : 64u);
        ASSERT_EQ(fg_table_next(r, &v), 0);
        ASSERT_UEQ(fg_table_bad_rows(r), 1);
        ASSERT_STR_EQ(c.e[c.n - 1].where, "certno");
        fg_table_close(r);
        fg_csv_close(csv);
    }
}

TEST(json_redact_ids_keeps_no_certificate_number)
{
    fg_buf_t b;
    fg_buf_init(&b, 1u << 20);
    fg_person_t p;
    fg_error_t err;
    fg_record_clear(FG_REC_PERSON, &p);
    ASSERT_OK(set(FG_REC_PERSON, &p, "certno", "430102199003071218", &err));

    /* certno becomes the reader's certno_hash and certno_masked; the rest is kept byte for byte */
    char want[512];
    snprintf(want, sizeof(want),
             "{\"psninfo\": {\"psn_name\": \"张三\", \"certno_hash\":\"%s\","
             "\"certno_masked\":\"4301**********1218\", \"gend\": \"1\"}, \"cnt\": 2.50}",
             p.certno_hash);
    ASSERT_STR_EQ(redacted("{\"psninfo\": {\"psn_name\": \"张三\", \"certno\": "
                           "\"430102199003071218\", \"gend\": \"1\"}, \"cnt\": 2.50}",
                           &b),
                  want);
    /* other certificate keys, a number, an escaped key, lower-case x */
    const char *r = redacted("{\"a\":[{\"mdtrt_cert_no\":430102199003071218},"
                             "{\"psn_cert_no\":\"11010519491231002x\"},{\"cert\\u006eo\":"
                             "\"430102199003071218\"}]}",
                             &b);
    ASSERT(strstr(r, "430102199003071218") == NULL);
    ASSERT(strstr(r, "\"mdtrt_cert_no_hash\":\"") != NULL);
    ASSERT(strstr(r, "\"mdtrt_cert_no_masked\":\"4301**********1218\"") != NULL);
    ASSERT(strstr(r, "\"psn_cert_no_masked\":\"1101**********002X\"") != NULL);
    ASSERT(strstr(r, "\"cert\\u006eo_hash\":\"") != NULL); /* the name as written, + _hash */
    /* a wrong check character is masked in place; other values and keys are not touched */
    ASSERT_STR_EQ(redacted("{\"certno\":\"430102199003071219\",\"memo_cert_no\":\"\","
                           "\"phar_prac_cert_no\":\"ZY2021001\",\"psn_no\":\"430102199003071218\"}",
                           &b),
                  "{\"certno\":\"4301**********1219\",\"memo_cert_no\":\"\","
                  "\"phar_prac_cert_no\":\"ZY2021001\",\"psn_no\":\"430102199003071218\"}");
    /* escaped digits are digits */
    r = redacted("{\"certno\":\"\\u0034\\u00330102199003071218\"}", &b);
    ASSERT(strstr(r, "\"certno_masked\":\"4301**********1218\"") != NULL);
    /* a long name is known by how it ends */
    r = redacted("{\"a_very_long_member_name_that_no_interface_uses_but_a_careless_his_might_"
                 "send_certno\":\"430102199003071218\"}",
                 &b);
    ASSERT(strstr(r, "430102199003071218") == NULL);
    ASSERT(strstr(r, "_send_certno_masked\":\"4301**********1218\"") != NULL);
    /* what it cannot walk is an error and appends nothing */
    ASSERT_STR_EQ(redacted("{\"certno\":\"4301", &b), "ERROR");
    ASSERT_STR_EQ(redacted("]", &b), "ERROR");
    ASSERT_EQ(b.len, 0);
    fg_buf_release(&b);
}

TEST(resident_id_is_pseudonymised_and_masked)
{
    fg_person_t p;
    fg_error_t err;
    fg_record_clear(FG_REC_PERSON, &p);
    ASSERT(fg_model_key_is_default());
    ASSERT_OK(set(FG_REC_PERSON, &p, "certno", "430102199003071234", &err));
    ASSERT_EQ(strlen(p.certno_hash), 64);
    ASSERT_STR_EQ(p.certno_masked, "4301**********1234");
    char first[65];
    memcpy(first, p.certno_hash, sizeof(first));

    /* the raw number is nowhere in the record */
    ASSERT(memmem(&p, sizeof(p), "430102199003071234", 18) == NULL);

    /* another key, another pseudonym */
    unsigned char key[FG_PSEUDONYM_KEYLEN];
    memset(key, 7, sizeof(key));
    fg_model_set_pseudonym_key(key);
    ASSERT(!fg_model_key_is_default());
    ASSERT_OK(set(FG_REC_PERSON, &p, "certno", "430102199003071234", &err));
    ASSERT(strcmp(first, p.certno_hash) != 0);

    /* a bad ID is never echoed */
    ASSERT_ERR(set(FG_REC_PERSON, &p, "certno", "430102199003071235", &err), FG_E_IDCARD_CHECK);
    ASSERT(strstr(err.msg, "43010219900307123") == NULL);
    ASSERT(strstr(err.msg, "4301**********1235") != NULL);
    ASSERT_STR_EQ(err.where, "certno");

    /* a pseudonym written earlier is read back as such */
    ASSERT_OK(set(FG_REC_PERSON, &p, "certno_hash", first, &err));
    ASSERT_STR_EQ(p.certno_hash, first);
    ASSERT_ERR(set(FG_REC_PERSON, &p, "certno_hash", "abc", &err), FG_E_TYPE);
}

/* ---------------------------------------------------------------- tables */

TEST(table_names)
{
    for (int t = 0; t < FG_TABLE__COUNT; t++) {
        ASSERT_EQ(fg_table_parse(fg_table_name((fg_table_t)t)), t);
        ASSERT(fg_table_columns((fg_table_t)t)[0] != NULL);
    }
    ASSERT_EQ(fg_table_parse("nope"), -1);
    ASSERT_EQ(fg_table_rectype(FG_TABLE_FEE_LIST_D), FG_REC_FEE_LINE);
    ASSERT_STR_EQ(fg_table_columns(FG_TABLE_FEE_LIST_D)[0], "bkkp_sn");
}

/* Every sample's header is the table's full column list, and it reads without an error. */
TEST(table_samples_read_clean)
{
    static const uint64_t want[FG_TABLE__COUNT] = {3, 2, 8, 3, 1, 4, 3, 4, 5, 2, 2, 2, 2, 4};
    for (int t = 0; t < FG_TABLE__COUNT; t++) {
        char name[64];
        snprintf(name, sizeof(name), "%s.csv", fg_table_name((fg_table_t)t));
        size_t len;
        char *text = t_read_file(sample(name), &len);
        fg_buf_t h;
        fg_buf_init(&h, 1 << 16);
        ASSERT_OK(fg_table_write_header((fg_table_t)t, &h));
        if (len < h.len || memcmp(text, h.data, h.len) != 0)
            t_fail(__FILE__, __LINE__, "%s: header is not the table's column list", name);
        fg_buf_release(&h);
        free(text);

        collect_t c = {.n = 0};
        uint64_t n = read_table((fg_table_t)t, sample(name), &c);
        if (c.n != 0)
            t_fail(__FILE__, __LINE__, "%s:%ld: %s: %s", name, c.e[0].line, c.e[0].where,
                   c.e[0].msg);
        ASSERT_UEQ(n, want[t]);
    }
}

TEST(table_detect_samples)
{
    for (int t = 0; t < FG_TABLE__COUNT; t++) {
        char name[64];
        snprintf(name, sizeof(name), "%s.csv", fg_table_name((fg_table_t)t));
        fg_csv_t *csv = NULL;
        ASSERT_OK(fg_csv_open_path(sample(name), NULL, &csv, NULL));
        int got = fg_table_detect(csv);
        if (got != t)
            t_fail(__FILE__, __LINE__, "%s detected as %d", name, got);
        fg_csv_close(csv);
    }
    fg_csv_t *csv = NULL;
    ASSERT_OK(fg_csv_open_mem("a,b,c\n1,2,3\n", 12, NULL, &csv, NULL));
    ASSERT_EQ(fg_table_detect(csv), -1);
    fg_csv_close(csv);
}

TEST(table_fee_list_values)
{
    fg_table_reader_t *r = NULL;
    fg_error_t err;
    ASSERT_OK(fg_table_open(FG_TABLE_FEE_LIST_D, sample("fee_list_d.csv"), NULL, NULL, &r, &err));
    fg_fee_line_t fee;
    fg_fee_line_t last;
    int n = 0;
    while (fg_table_next(r, &fee) > 0) {
        if (n == 1) {
            ASSERT_STR_EQ(fee.feedetl_sn, "F2025070100000002"); /* from bkkp_sn */
            ASSERT_STR_EQ(fee.bilg_dr_codg, "D430102000123");   /* from bilg_dr_code */
            ASSERT_EQ(fee.cnt, 2 * FG_QTY_ONE);
            ASSERT_EQ(fee.pric, 1250);
            ASSERT_EQ(fee.det_item_fee_sumamt, 2500);
            ASSERT_EQ(fee.prd_days, 4);
            ASSERT_STR_EQ(fee.med_list_codg, "XJ01CAA040E001010100955");
            ASSERT_STR_EQ(fee.vali_flag, "1");
        }
        last = fee;
        n++;
    }
    ASSERT_EQ(n, 8);
    /* the refund line: negative quantity and amount, pointing at the line it reverses */
    ASSERT_EQ(last.cnt, -2 * FG_QTY_ONE);
    ASSERT_EQ(last.det_item_fee_sumamt, -2500);
    ASSERT_STR_EQ(last.init_feedetl_sn, "F2025070100000002");
    ASSERT(fg_table_offset(r) > 0);
    fg_table_close(r);

    /* a refund settlement */
    ASSERT_OK(fg_table_open(FG_TABLE_SETL_D, sample("setl_d.csv"), NULL, NULL, &r, &err));
    fg_settlement_t s;
    while (fg_table_next(r, &s) > 0)
        ;
    ASSERT_EQ(s.refd_setl_flag, 1);
    ASSERT_STR_EQ(s.init_setl_id, "S2025070100001");
    ASSERT_EQ(s.medfee_sumamt, -18650);
    ASSERT_STR_EQ(s.certno_masked, "4301**********1218");
    ASSERT_EQ(strlen(s.certno_hash), 64);
    fg_table_close(r);
}

/* Columns in any order, any ASCII case, unknown ones ignored, CRLF line ends. */
TEST(table_columns_any_order)
{
    const char *text = "EXTRA,CNT,pric,det_item_fee_sumamt,med_list_codg,fee_ocur_time,psn_no,"
                       "fixmedins_code,setl_id,mdtrt_id,Bkkp_Sn\r\n"
                       "x,1,10.00,10.00,001102000050000,2025-07-01 09:00:00,P1,H43010200012,S1,"
                       "M1,F1\r\n";
    fg_csv_t *csv;
    fg_table_reader_t *r;
    fg_error_t err;
    ASSERT_OK(open_mem(FG_TABLE_FEE_LIST_D, text, NULL, &csv, &r, &err));
    fg_fee_line_t fee;
    ASSERT_EQ(fg_table_next(r, &fee), 1);
    ASSERT_STR_EQ(fee.feedetl_sn, "F1");
    ASSERT_EQ(fee.cnt, FG_QTY_ONE);
    ASSERT_EQ(fg_table_next(r, &fee), 0);
    fg_table_close(r);
    fg_csv_close(csv);
}

TEST(table_missing_columns)
{
    collect_t c = {.n = 0};
    fg_diag_t diag = {collect_report, &c, 0};
    fg_table_reader_t *r = NULL;
    fg_error_t err;
    int rc = fg_table_open(FG_TABLE_FEE_LIST_D, bad("fee_list_d_missing_columns.csv"), NULL, &diag,
                           &r, &err);
    ASSERT_ERR(rc, FG_E_CSV_COLUMN);
    ASSERT(r == NULL);
    ASSERT_STR_EQ(err.where, "bkkp_sn"); /* named as the national table names it */
    ASSERT_EQ(c.n, 2);
    ASSERT_STR_EQ(c.e[0].where, "bkkp_sn");
    ASSERT_STR_EQ(c.e[1].where, "cnt");
    ASSERT(strstr(c.e[1].msg, "'cnt'") != NULL);
}

/* The bad file holds exactly ten bad fields in five rows; two rows are good. */
TEST(table_ten_errors)
{
    collect_t c = {.n = 0};
    uint64_t n = read_table(FG_TABLE_FEE_LIST_D, bad("fee_list_d_ten_errors.csv"), &c);
    ASSERT_UEQ(n, 2);
    ASSERT_EQ(c.n, 10);
    static const struct {
        long line;
        const char *where;
        int code;
    } want[10] = {
        {2, "fee_ocur_time", FG_E_TIME_RANGE},
        {2, "pric", FG_E_MONEY_FORMAT},
        {3, "fixmedins_code", FG_E_INSTITUTION_CODE},
        {3, "med_list_codg", FG_E_DRUG_CODE},
        {4, "bkkp_sn", FG_E_TOO_LONG},
        {4, "cnt", FG_E_QTY_FORMAT},
        {5, "chrgitm_lv", FG_E_ENUM},
        {5, "vali_flag", FG_E_ENUM},
        {6, "det_item_fee_sumamt", FG_E_REQUIRED},
        {6, "bilg_dr_code", FG_E_STAFF_CODE},
    };
    const char *const *cols = fg_table_columns(FG_TABLE_FEE_LIST_D);
    for (size_t i = 0; i < 10; i++) {
        const fg_error_t *e = &c.e[i];
        if (e->line != want[i].line || strcmp(e->where, want[i].where) != 0 ||
            e->code != want[i].code)
            t_fail(__FILE__, __LINE__, "error %zu: line %ld %s %s (%s)", i, e->line, e->where,
                   fg_err_name(e->code), e->msg);
        ASSERT(e->col > 0);
        ASSERT_STR_EQ(cols[e->col - 1], e->where); /* col is the 1-based column number */
        ASSERT(e->msg[0] != '\0');
    }
    ASSERT(strstr(find_where(&c, "pric")->msg, "12.5.0") != NULL);
    ASSERT_EQ(find_where(&c, "pric")->pos, 5);
}

TEST(table_message_masks_resident_id)
{
    collect_t c = {.n = 0};
    uint64_t n = read_table(FG_TABLE_SETL_D, bad("setl_d_bad_certno.csv"), &c);
    ASSERT_UEQ(n, 0);
    ASSERT_EQ(c.n, 1);
    ASSERT_STR_EQ(c.e[0].where, "certno");
    ASSERT_EQ(c.e[0].code, FG_E_IDCARD_CHECK);
    ASSERT(strstr(c.e[0].msg, "0102199003") == NULL);
}

/* A CSV-level error is one refused row; reading goes on. */
TEST(table_csv_errors_skip_row)
{
    const char *text = "bkkp_sn,mdtrt_id,setl_id,psn_no,fixmedins_code,fee_ocur_time,med_list_codg,"
                       "cnt,pric,det_item_fee_sumamt\n"
                       "F1,M1,S1,P1,H43010200012,2025-07-01,001102000050000,1,1,1,EXTRA\n"
                       "F2,M1,S1,P1,H43010200012,2025-07-01,001102000050000,1,1,1\n";
    collect_t c = {.n = 0};
    fg_diag_t diag = {collect_report, &c, 0};
    fg_csv_t *csv;
    fg_table_reader_t *r;
    fg_error_t err;
    ASSERT_OK(open_mem(FG_TABLE_FEE_LIST_D, text, &diag, &csv, &r, &err));
    fg_fee_line_t fee;
    ASSERT_EQ(fg_table_next(r, &fee), 1);
    ASSERT_STR_EQ(fee.feedetl_sn, "F2");
    ASSERT_EQ(fg_table_next(r, &fee), 0);
    ASSERT_EQ(c.n, 1);
    ASSERT_EQ(c.e[0].code, FG_E_CSV_FIELDS);
    ASSERT_UEQ(fg_table_rows(r), 2);
    ASSERT_UEQ(fg_table_bad_rows(r), 1);
    fg_table_close(r);
    fg_csv_close(csv);
}

/* Read every sample, write it back, read that again: the same rows. */
TEST(table_write_round_trip)
{
    for (int t = 0; t < FG_TABLE__COUNT; t++) {
        char name[64];
        snprintf(name, sizeof(name), "%s.csv", fg_table_name((fg_table_t)t));
        size_t size = fg_rectype_info(fg_table_rectype((fg_table_t)t))->size;
        void *rec = malloc(size);
        fg_buf_t out[2];
        for (int pass = 0; pass < 2; pass++) {
            fg_buf_init(&out[pass], 1 << 20);
            ASSERT_OK(fg_table_write_header((fg_table_t)t, &out[pass]));
            fg_csv_t *csv = NULL;
            fg_table_reader_t *r = NULL;
            if (pass == 0) {
                ASSERT_OK(fg_table_open((fg_table_t)t, sample(name), NULL, NULL, &r, NULL));
            } else {
                ASSERT_OK(open_mem((fg_table_t)t, out[0].data, NULL, &csv, &r, NULL));
            }
            while (fg_table_next(r, rec) > 0)
                ASSERT_OK(fg_table_write_row((fg_table_t)t, rec, &out[pass]));
            ASSERT_UEQ(fg_table_bad_rows(r), 0);
            fg_table_close(r);
            fg_csv_close(csv);
        }
        if (out[0].len != out[1].len || memcmp(out[0].data, out[1].data, out[0].len) != 0)
            t_fail(__FILE__, __LINE__, "%s: the second write differs", name);
        fg_buf_release(&out[0]);
        fg_buf_release(&out[1]);
        free(rec);
    }
}

TEST(table_write_quoting_and_extra)
{
    fg_person_t p;
    fg_record_clear(FG_REC_PERSON, &p);
    snprintf(p.psn_no, sizeof(p.psn_no), "P1");
    snprintf(p.psn_name, sizeof(p.psn_name), "A, \"B\"\nC");
    p.brdy = 20270;
    fg_buf_t b;
    fg_buf_init(&b, 4096);
    const char *extra[] = {"certno", "430102199003071234", "psn_no", "ignored", "nope", "x", NULL};
    ASSERT_OK(fg_table_write_row_extra(FG_TABLE_PERSONS, &p, extra, &b));
    ASSERT_STR_EQ(b.data, "P1,\"A, \"\"B\"\"\nC\",430102199003071234,,,,2025-07-01,,,,\n");

    /* it reads back, the ID becoming its pseudonym */
    fg_buf_t all;
    fg_buf_init(&all, 4096);
    ASSERT_OK(fg_table_write_header(FG_TABLE_PERSONS, &all));
    ASSERT_OK(fg_buf_append(&all, b.data, b.len));
    fg_csv_t *csv;
    fg_table_reader_t *r;
    ASSERT_OK(open_mem(FG_TABLE_PERSONS, all.data, NULL, &csv, &r, NULL));
    fg_person_t q;
    ASSERT_EQ(fg_table_next(r, &q), 1);
    ASSERT_STR_EQ(q.psn_name, "A, \"B\"\nC");
    ASSERT_STR_EQ(q.certno_masked, "4301**********1234");
    fg_table_close(r);
    fg_csv_close(csv);

    /* money is always written; a settlement row has the full national width */
    fg_settlement_t s;
    fg_record_clear(FG_REC_SETTLEMENT, &s);
    fg_buf_reset(&b);
    ASSERT_OK(fg_table_write_row(FG_TABLE_SETL_D, &s, &b));
    size_t commas = 0;
    for (size_t i = 0; i < b.len; i++)
        commas += b.data[i] == ',';
    ASSERT_EQ(commas, 99);
    ASSERT(strstr(b.data, ",0.00,") != NULL);
    fg_buf_release(&b);
    fg_buf_release(&all);
}

TEST(table_open_out_of_memory)
{
    for (long k = 0; k < 64; k++) {
        fg_table_reader_t *r = NULL;
        fg_alloc_fail_after(k);
        int rc = fg_table_open(FG_TABLE_FEE_LIST_D, sample("fee_list_d.csv"), NULL, NULL, &r, NULL);
        fg_alloc_fail_after(-1);
        if (rc == 0) {
            fg_fee_line_t fee;
            while (fg_table_next(r, &fee) > 0)
                ;
            fg_table_close(r);
            return;
        }
        ASSERT(r == NULL);
    }
    t_fail(__FILE__, __LINE__, "never opened");
}

/* ---------------------------------------------------------------- JSON */

typedef struct parsed {
    fg_arena_t arena;
    fg_doc_t doc;
    collect_t c;
    fg_error_t err;
    int rc;
} parsed_t;

static void parse_text(parsed_t *p, const char *text, size_t n, int hint,
                       const fg_json_limits_t *lim)
{
    fg_diag_t diag = {collect_report, &p->c, 0};
    p->c.n = 0;
    fg_arena_init(&p->arena, 0);
    p->rc = fg_doc_parse(text, n, hint, lim, &p->arena, &p->doc, &diag, &p->err);
    ASSERT_EQ(p->c.n == 0, p->rc == 0);
}

static void parse_file(parsed_t *p, const char *path)
{
    size_t n;
    char *text = t_read_file(path, &n);
    parse_text(p, text, n, 0, NULL);
    free(text);
}

static void parse_str(parsed_t *p, const char *text)
{
    parse_text(p, text, strlen(text), 0, NULL);
}

static void parsed_release(parsed_t *p)
{
    fg_arena_release(&p->arena);
}

/* parse → write → parse → write: the two writes are equal. Returns the first write (malloc'd). */
static char *round_trip(const char *text, size_t n, const char *label)
{
    parsed_t a;
    parse_text(&a, text, n, 0, NULL);
    if (a.rc != 0)
        t_fail(__FILE__, __LINE__, "%s: %s: %s", label, a.err.where, a.err.msg);
    fg_buf_t w1;
    fg_buf_init(&w1, 1 << 20);
    ASSERT_OK(fg_json_write_doc(&a.doc, &w1));
    parsed_t b;
    parse_text(&b, w1.data, w1.len, 0, NULL);
    if (b.rc != 0)
        t_fail(__FILE__, __LINE__, "%s rewritten: %s: %s\n%s", label, b.err.where, b.err.msg,
               w1.data);
    ASSERT_EQ(a.doc.infno, b.doc.infno);
    ASSERT_EQ(a.doc.enveloped, b.doc.enveloped);
    fg_buf_t w2;
    fg_buf_init(&w2, 1 << 20);
    ASSERT_OK(fg_json_write_doc(&b.doc, &w2));
    if (strcmp(w1.data, w2.data) != 0)
        t_fail(__FILE__, __LINE__, "%s: writes differ\n%s\n%s", label, w1.data, w2.data);
    fg_buf_release(&w2);
    parsed_release(&a);
    parsed_release(&b);
    size_t len;
    return fg_buf_detach(&w1, &len);
}

static const struct {
    const char *file;
    int infno;
    int enveloped;
    size_t nfees;
    size_t ninv;
    int settlement;
} json_samples[] = {
    {"2204_feedetail.json", 2204, 0, 3, 0, 0},
    {"2204_feedetail_env.json", 2204, 1, 3, 0, 0},
    {"2206_presettle.json", 2206, 0, 0, 0, 1},
    {"2206_presettle_env.json", 2206, 1, 0, 0, 1},
    {"2207_settle.json", 2207, 0, 0, 0, 1},
    {"2207_settle_env.json", 2207, 1, 0, 0, 1},
    {"2207_setlinfo.json", 2207, 0, 0, 0, 1},
    {"2207_setlinfo_env.json", 2207, 1, 0, 0, 1},
    {"3503_purchase.json", 3503, 0, 0, 1, 0},
    {"3503_purchase_env.json", 3503, 1, 0, 1, 0},
    {"3504_purchase_return.json", 3504, 0, 0, 1, 0},
    {"3504_purchase_return_env.json", 3504, 1, 0, 1, 0},
    {"3505_sale.json", 3505, 0, 0, 2, 0},
    {"3505_sale_env.json", 3505, 1, 0, 2, 0},
    {"3506_sale_return.json", 3506, 0, 0, 1, 0},
    {"3506_sale_return_env.json", 3506, 1, 0, 1, 0},
    {"check_request.json", 0, 0, 3, 0, 0},
    {"check_request_env.json", 2204, 1, 3, 0, 0},
};

TEST(json_samples_parse_and_round_trip)
{
    for (size_t i = 0; i < FG_ARRAY_LEN(json_samples); i++) {
        parsed_t p;
        parse_file(&p, sample(json_samples[i].file));
        if (p.rc != 0)
            t_fail(__FILE__, __LINE__, "%s: %s: %s", json_samples[i].file, p.err.where, p.err.msg);
        ASSERT_EQ(p.doc.infno, json_samples[i].infno);
        ASSERT_EQ(p.doc.enveloped, json_samples[i].enveloped);
        ASSERT_UEQ(p.doc.nfees, json_samples[i].nfees);
        ASSERT_UEQ(p.doc.ninv, json_samples[i].ninv);
        ASSERT_EQ(p.doc.settlement != NULL, json_samples[i].settlement);
        parsed_release(&p);

        size_t n;
        char *text = t_read_file(sample(json_samples[i].file), &n);
        free(round_trip(text, n, json_samples[i].file));
        free(text);
    }
}

TEST(json_values)
{
    parsed_t p;
    parse_file(&p, sample("2204_feedetail_env.json"));
    ASSERT_OK(p.rc);
    ASSERT_STR_EQ(p.doc.fixmedins_code, "H43010200012");
    ASSERT_STR_EQ(p.doc.msgid, "H43010200012202507010912000001");
    ASSERT(p.doc.inf_time != FG_TIME_NONE);
    const fg_fee_line_t *f = p.doc.fees;
    ASSERT_EQ(f[0].cnt, FG_QTY_ONE);                    /* integer 1 */
    ASSERT_EQ(f[1].det_item_fee_sumamt, 2500);          /* real 25.00 */
    ASSERT_EQ(f[1].pric, 1250);                         /* real 12.5 */
    ASSERT_EQ(f[1].prd_days, 4);                        /* integer */
    ASSERT_STR_EQ(f[2].chrgitm_lv, "02");               /* integer 2 is the code "02" */
    ASSERT_STR_EQ(f[0].fixmedins_code, "H43010200012"); /* from the envelope */
    ASSERT_UEQ(f[1].ntrace, 2);
    ASSERT_STR_EQ(f[1].trace[0].drug_trac_codg, "81234567890123456789");
    ASSERT_UEQ(f[2].ntrace, 1);
    ASSERT_STR_EQ(f[2].trace[0].drug_trac_codg, "(01)06901234567892(21)SN000123");
    ASSERT_EQ(f[2].trace[0].trdn_flag, 1);
    parsed_release(&p);

    /* the event's trdn_flag applies to entries without their own */
    parse_file(&p, sample("3505_sale.json"));
    ASSERT_OK(p.rc);
    ASSERT_EQ(p.doc.inv[0].type, FG_INV_SALE);
    ASSERT_EQ(p.doc.inv[0].cnt, 24 * FG_QTY_ONE);
    ASSERT_EQ(p.doc.inv[1].trace[0].trdn_flag, 1);
    ASSERT_EQ(p.doc.inv[0].trace[0].trdn_flag, 0);
    ASSERT(p.doc.inv[0].time != FG_TIME_NONE);
    parsed_release(&p);

    /* 2207 output: aliases inscp_scp_amt, psn_part_amt, psn_cash_pay */
    parse_file(&p, sample("2207_setlinfo.json"));
    ASSERT_OK(p.rc);
    ASSERT_EQ(p.doc.settlement->inscp_amt, 18650);
    ASSERT_EQ(p.doc.settlement->psn_pay, 18650);
    ASSERT_EQ(p.doc.settlement->preselfpay_amt, 758);
    ASSERT_STR_EQ(p.doc.settlement->certno_masked, "4301**********1218");
    parsed_release(&p);
}

TEST(json_code_values_as_integers)
{
    parsed_t p;
    parse_str(&p, "{\"mdtrtinfo\":{\"mdtrt_id\":\"M1\",\"psn_no\":\"P1\",\"gend\":2,\"age\":35,"
                  "\"med_type\":21,\"vali_flag\":1}}");
    ASSERT_OK(p.rc);
    ASSERT_STR_EQ(p.doc.visit->gend, "2");
    ASSERT_STR_EQ(p.doc.visit->med_type, "21");
    ASSERT_STR_EQ(p.doc.visit->vali_flag, "1");
    ASSERT_EQ(p.doc.visit->age, 35);
    parsed_release(&p);
    /* a zero-padded code table: 3 is "03"; 4 is no code */
    parse_str(&p, "{\"diseinfo\":[{\"diag_code\":\"I10.x00\",\"maindiag_flag\":1}]}");
    ASSERT_OK(p.rc);
    ASSERT_EQ(p.doc.diags[0].maindiag_flag, 1);
    parsed_release(&p);
    parse_str(&p, "{\"catalogue\":1,\"feedetail\":{\"chrgitm_lv\":4}}");
    ASSERT_ERR(p.rc, FG_E_ENUM);
    ASSERT_STR_EQ(p.err.where, "feedetail.chrgitm_lv");
    parsed_release(&p);
}

/* An integer (and a flag or code) given as a JSON number with a zero fraction is that integer
 * (formats.md: age is often written 45.0); with another fraction it is refused, naming it. */
TEST(json_integers_with_a_zero_fraction)
{
    static const struct {
        const char *v;
        int rc;
        int32_t age;
    } cases[] = {
        {"45.0", 0, 45},
        {"45", 0, 45},
        {"4.5e1", 0, 45},
        {"0.0", 0, 0},
        {"45.5", FG_E_INTEGER, 0},
        {"-0.5", FG_E_INTEGER, 0},
        {"1e300", FG_E_INTEGER, 0},
        {"151.0", FG_E_RANGE, 0},
    };
    for (size_t i = 0; i < FG_ARRAY_LEN(cases); i++) {
        char text[160];
        snprintf(
            text, sizeof(text),
            "{\"mdtrtinfo\":{\"mdtrt_id\":\"M1\",\"psn_no\":\"P1\",\"age\":%s,\"vali_flag\":1.0}}",
            cases[i].v);
        parsed_t p;
        parse_str(&p, text);
        if (p.rc != cases[i].rc)
            t_fail(__FILE__, __LINE__, "age %s: rc %s (%s), want %s", cases[i].v, fg_err_name(p.rc),
                   p.err.msg, fg_err_name(cases[i].rc));
        if (cases[i].rc == 0) {
            ASSERT_EQ(p.doc.visit->age, cases[i].age);
            ASSERT_STR_EQ(p.doc.visit->vali_flag, "1");
        } else {
            ASSERT_STR_EQ(p.err.where, "mdtrtinfo.age");
            ASSERT(strstr(p.err.msg, cases[i].rc == FG_E_RANGE ? "151" : "whole") != NULL);
        }
        parsed_release(&p);
    }
}

TEST(json_money_numbers)
{
    static const struct {
        const char *v;
        int ok;
        fg_fen_t fen;
    } cases[] = {
        {"12.3", 1, 1230},      {"0.29", 1, 29},
        {"-3.5", 1, -350},      {"12", 1, 1200},
        {"\"12.30\"", 1, 1230}, {"1.005", 0, 0},
        {"12.345", 0, 0},       {"0.1e1", 1, 100},
        {"1e13", 0, 0},         {"99999999999.99", 1, 9999999999999},
        {"\"1e3\"", 0, 0},      {"true", 0, 0},
        {"null", 1, 0},
    };
    for (size_t i = 0; i < FG_ARRAY_LEN(cases); i++) {
        char text[256];
        /* The amount of a refund line (init_feedetl_sn), where a negative value is valid. */
        snprintf(text, sizeof(text),
                 "{\"feedetail\":[{\"feedetl_sn\":\"F1\",\"mdtrt_id\":\"M1\",\"psn_no\":\"P1\","
                 "\"fee_ocur_time\":\"2025-07-01\",\"med_list_codg\":\"001102000050000\","
                 "\"init_feedetl_sn\":\"F0\",\"cnt\":1,\"pric\":0,\"det_item_fee_sumamt\":%s}]}",
                 cases[i].v);
        parsed_t p;
        parse_str(&p, text);
        int want_ok = cases[i].ok && strcmp(cases[i].v, "null") != 0;
        if (strcmp(cases[i].v, "null") == 0) {
            ASSERT_ERR(p.rc, FG_E_REQUIRED); /* null is absent, and the amount is required */
        } else if (want_ok != (p.rc == 0)) {
            t_fail(__FILE__, __LINE__, "det_item_fee_sumamt %s: rc %s %s", cases[i].v,
                   fg_err_name(p.rc), p.err.msg);
        } else if (want_ok) {
            ASSERT_EQ(p.doc.fees[0].det_item_fee_sumamt, cases[i].fen);
        } else {
            ASSERT_STR_EQ(p.err.where, "feedetail[0].det_item_fee_sumamt");
        }
        parsed_release(&p);
    }
}

TEST(json_field_errors_with_paths)
{
    parsed_t p;
    parse_file(&p, bad("json_fields_env.json"));
    ASSERT_ERR(p.rc, FG_E_INSTITUTION_CODE); /* the first, in document order */
    ASSERT_EQ(p.c.n, 5);
    ASSERT_EQ(find_where(&p.c, "fixmedins_code")->code, FG_E_INSTITUTION_CODE);
    ASSERT_EQ(find_where(&p.c, "input.feedetail[1].pric")->code, FG_E_MONEY_PRECISION);
    ASSERT_EQ(find_where(&p.c, "input.feedetail[2].drug_trac_info[1].drug_trac_codg")->code,
              FG_E_TRACE_FORMAT);
    ASSERT_EQ(find_where(&p.c, "input.feedetail[3].cnt")->code, FG_E_QTY_PRECISION);
    ASSERT_EQ(find_where(&p.c, "input.feedetail[4].med_list_codg")->code, FG_E_REQUIRED);
    parsed_release(&p);

    parse_file(&p, bad("json_certno.json"));
    ASSERT_ERR(p.rc, FG_E_IDCARD_CHECK);
    ASSERT_STR_EQ(p.err.where, "psninfo.certno");
    ASSERT(strstr(p.err.msg, "0102199003") == NULL);
    parsed_release(&p);
}

TEST(json_bad_documents)
{
    static const struct {
        const char *file;
        int code;
        long line;
    } cases[] = {
        {"json_syntax.json", FG_E_JSON, 2},
        {"json_depth.json", FG_E_JSON_DEPTH, 1},
        {"json_utf8.json", FG_E_UTF8, 1},
        {"json_duplicate.json", FG_E_DUPLICATE, 1},
        {"json_not_object.json", FG_E_JSON_SHAPE, 0},
        {"json_infno.json", FG_E_INFNO, 0},
        {"json_no_part.json", FG_E_JSON_SHAPE, 0},
        {"json_shape.json", FG_E_JSON_SHAPE, 0},
    };
    for (size_t i = 0; i < FG_ARRAY_LEN(cases); i++) {
        parsed_t p;
        parse_file(&p, bad(cases[i].file));
        if (p.rc != cases[i].code || p.err.line != cases[i].line)
            t_fail(__FILE__, __LINE__, "%s: %s line %ld: %s", cases[i].file, fg_err_name(p.rc),
                   p.err.line, p.err.msg);
        ASSERT(p.err.msg[0] != '\0');
        parsed_release(&p);
    }
    /* every file in tests/data/bad is refused */
    DIR *d = opendir(t_path("tests/data/bad"));
    ASSERT(d != NULL);
    int files = 0;
    for (struct dirent *de = readdir(d); de != NULL; de = readdir(d)) {
        if (strstr(de->d_name, ".json") == NULL)
            continue;
        parsed_t p;
        parse_file(&p, bad(de->d_name));
        if (p.rc == 0)
            t_fail(__FILE__, __LINE__, "%s was accepted", de->d_name);
        parsed_release(&p);
        files++;
    }
    closedir(d);
    ASSERT_GE(files, 10);
}

TEST(json_limits)
{
    fg_json_limits_t lim = {.max_depth = 3, .max_bytes = 0, .max_items = 2};
    parsed_t p;
    const char *three = "{\"feedetail\":[{},{},{}]}";
    parse_text(&p, three, strlen(three), 0, &lim);
    ASSERT_ERR(p.rc, FG_ELIMIT);
    ASSERT_STR_EQ(p.err.where, "feedetail");
    parsed_release(&p);
    const char *deep = "{\"a\":{\"b\":{\"c\":{}}}}";
    parse_text(&p, deep, strlen(deep), 0, &lim);
    ASSERT_ERR(p.rc, FG_E_JSON_DEPTH);
    ASSERT_EQ(p.err.col, 16);
    parsed_release(&p);
    /* brackets inside strings do not count */
    const char *str = "{\"a\":\"[[[[{{{{\\\"[[[\",\"feedetail\":[]}";
    parse_text(&p, str, strlen(str), 0, &lim);
    ASSERT_NE(p.rc, FG_E_JSON_DEPTH);
    parsed_release(&p);
    lim.max_bytes = 10;
    parse_text(&p, three, strlen(three), 0, &lim);
    ASSERT_ERR(p.rc, FG_ELIMIT);
    parsed_release(&p);
}

TEST(json_hint_and_shapes)
{
    parsed_t p;
    /* a bare purchase is 3503 unless the caller says 3504 */
    const char *purc = "{\"purcinfo\":{\"med_list_codg\":\"XJ01CAA040E001010100955\","
                       "\"purc_retn_cnt\":\"24\"}}";
    parse_str(&p, purc);
    ASSERT_OK(p.rc);
    ASSERT_EQ(p.doc.infno, 3503);
    ASSERT_EQ(p.doc.inv[0].cnt, 24 * FG_QTY_ONE);
    parsed_release(&p);
    parse_text(&p, purc, strlen(purc), 3504, NULL);
    ASSERT_OK(p.rc);
    ASSERT_EQ(p.doc.inv[0].type, FG_INV_PURCHASE_RETURN);
    parsed_release(&p);

    /* 3507 data holds events with only the batch number */
    parse_str(&p, "{\"infno\":3507,\"input\":{\"data\":[{\"fixmedins_bchno\":\"B1\","
                  "\"inv_data_type\":\"1\"}]}}");
    ASSERT_OK(p.rc);
    ASSERT_UEQ(p.doc.ninv, 1);
    ASSERT(p.doc.settlement == NULL);
    const char *del = "{\"infno\":3507,\"input\":{\"data\":[{\"fixmedins_bchno\":\"B1\"}]}}";
    free(round_trip(del, strlen(del), "3507"));
    parsed_release(&p);

    /* an envelope for 2204 without feedetail */
    parse_str(&p, "{\"infno\":\"2204\",\"input\":{}}");
    ASSERT_ERR(p.rc, FG_E_JSON_SHAPE);
    ASSERT_STR_EQ(p.err.where, "input.feedetail");
    parsed_release(&p);

    /* input must be an object */
    parse_str(&p, "{\"infno\":\"2204\",\"input\":[]}");
    ASSERT_ERR(p.rc, FG_E_JSON_SHAPE);
    parsed_release(&p);

    /* a list item must be an object */
    parse_str(&p, "{\"feedetail\":[1]}");
    ASSERT_ERR(p.rc, FG_E_JSON_SHAPE);
    ASSERT_STR_EQ(p.err.where, "feedetail[0]");
    parsed_release(&p);

    /* a time must be a string */
    parse_str(&p, "{\"mdtrtinfo\":{\"mdtrt_id\":\"M1\",\"psn_no\":\"P1\",\"begntime\":20250701}}");
    ASSERT_ERR(p.rc, FG_E_TYPE);
    ASSERT_STR_EQ(p.err.where, "mdtrtinfo.begntime");
    parsed_release(&p);
}

TEST(json_lines_sample)
{
    size_t n;
    char *text = t_read_file(sample("documents.jsonl"), &n);
    char *line = text;
    int docs = 0;
    while (line < text + n) {
        char *nl = memchr(line, '\n', (size_t)(text + n - line));
        size_t len = nl != NULL ? (size_t)(nl - line) : (size_t)(text + n - line);
        if (len > 0) {
            free(round_trip(line, len, "documents.jsonl"));
            docs++;
        }
        line += len + 1;
    }
    ASSERT_EQ(docs, 5);
    free(text);
}

TEST(json_write_record)
{
    fg_fee_line_t fee;
    fg_record_clear(FG_REC_FEE_LINE, &fee);
    snprintf(fee.feedetl_sn, sizeof(fee.feedetl_sn), "F\"1");
    fee.cnt = 5000;
    fee.pric = -1230;
    fee.prd_days = 3;
    fg_trace_ref_t tr = {"81234567890123456789", 1};
    fee.trace = &tr;
    fee.ntrace = 1;
    fg_buf_t b;
    fg_buf_init(&b, 4096);
    const char *extra[] = {"psn_name", "张三", NULL};
    ASSERT_OK(fg_json_write_record_extra(FG_REC_FEE_LINE, &fee, extra, &b));
    ASSERT_STR_EQ(b.data, "{\"feedetl_sn\":\"F\\\"1\",\"cnt\":\"0.5\",\"pric\":\"-12.30\","
                          "\"det_item_fee_sumamt\":\"0.00\",\"prd_days\":3,\"drug_trac_info\":"
                          "[{\"drug_trac_codg\":\"81234567890123456789\",\"trdn_flag\":\"1\"}],"
                          "\"psn_name\":\"张三\"}");
    fg_buf_release(&b);

    /* a buffer too small: an error, and nothing half written */
    fg_buf_init(&b, 20);
    ASSERT_OK(fg_buf_appends(&b, "x"));
    ASSERT_ERR(fg_json_write_record(FG_REC_FEE_LINE, &fee, &b), FG_ELIMIT);
    ASSERT_STR_EQ(b.data, "x");
    fg_buf_release(&b);
}

/* ---------------------------------------------------------------- signs (refund semantics) */

/* A negative amount or count only on a refund: JSON documents of each interface, each case one
 * value changed from a valid document. */
#define FEE_LINE(extra)                                                                            \
    "{\"feedetail\":[{\"feedetl_sn\":\"F2\",\"mdtrt_id\":\"M1\",\"psn_no\":\"P1\","                \
    "\"fee_ocur_time\":\"2025-07-01\",\"med_list_codg\":\"001102000050000\"," extra "}]}"
#define SETTLEMENT(extra)                                                                          \
    "{\"setlinfo\":{\"setl_id\":\"S1\",\"mdtrt_id\":\"M1\",\"psn_no\":\"P1\","                     \
    "\"fixmedins_code\":\"H43010200012\",\"setl_time\":\"2025-07-01 10:00:00\"," extra "}}"
#define INVENTORY(infno, key, extra)                                                               \
    "{\"infno\":\"" infno "\",\"fixmedins_code\":\"P43010200007\",\"input\":{\"" key "\":[{"       \
    "\"med_list_codg\":\"XA01ABD075A002010100483\",\"fixmedins_bchno\":\"B1\"," extra "}]}}"

TEST(sign_rules_json)
{
    static const struct {
        const char *doc;
        const char *where; /* the refused field, NULL when the document is valid */
    } cases[] = {
        {FEE_LINE("\"cnt\":2,\"pric\":\"12.50\",\"det_item_fee_sumamt\":\"25.00\""), NULL},
        {FEE_LINE("\"cnt\":2,\"pric\":\"-12.50\",\"det_item_fee_sumamt\":\"25.00\""),
         "feedetail[0].pric"},
        {FEE_LINE("\"cnt\":-1,\"pric\":\"12.50\",\"det_item_fee_sumamt\":\"-12.50\""),
         "feedetail[0].cnt"},
        {FEE_LINE("\"cnt\":1,\"pric\":\"12.50\",\"det_item_fee_sumamt\":\"-12.50\""),
         "feedetail[0].det_item_fee_sumamt"},
        {FEE_LINE("\"cnt\":1,\"pric\":\"12.50\",\"det_item_fee_sumamt\":\"12.50\","
                  "\"inscp_amt\":\"-1\""),
         "feedetail[0].inscp_amt"},
        {FEE_LINE("\"cnt\":1,\"pric\":\"12.50\",\"det_item_fee_sumamt\":\"12.50\","
                  "\"pric_uplmt_amt\":\"-1\",\"init_feedetl_sn\":\"F1\""),
         "feedetail[0].pric_uplmt_amt"},
        /* a line that reverses F1: negative count and amounts, the price stays positive */
        {FEE_LINE("\"cnt\":-1,\"pric\":\"12.50\",\"det_item_fee_sumamt\":\"-12.50\","
                  "\"fulamt_ownpay_amt\":\"-12.50\",\"init_feedetl_sn\":\"F1\""),
         NULL},
        {FEE_LINE("\"cnt\":-1,\"pric\":\"-12.50\",\"det_item_fee_sumamt\":\"-12.50\","
                  "\"init_feedetl_sn\":\"F1\""),
         "feedetail[0].pric"},
        {SETTLEMENT("\"medfee_sumamt\":\"186.50\",\"refd_setl_flag\":\"0\""), NULL},
        {SETTLEMENT("\"medfee_sumamt\":\"-186.50\",\"refd_setl_flag\":\"0\""),
         "setlinfo.medfee_sumamt"},
        {SETTLEMENT("\"medfee_sumamt\":\"-186.50\""), "setlinfo.medfee_sumamt"},
        {SETTLEMENT("\"medfee_sumamt\":\"186.50\",\"psn_part_amt\":\"-1\""),
         "setlinfo.psn_part_amt"}, /* named by the key given */
        {SETTLEMENT("\"medfee_sumamt\":\"-186.50\",\"hifp_pay\":\"-100\",\"refd_setl_flag\":1,"
                    "\"init_setl_id\":\"S0\""),
         NULL},
        {INVENTORY("3503", "purcinfo", "\"purc_retn_cnt\":240,\"finl_trns_pric\":\"1.20\""), NULL},
        {INVENTORY("3503", "purcinfo", "\"purc_retn_cnt\":240,\"finl_trns_pric\":\"-1.20\""),
         "input.purcinfo[0].finl_trns_pric"},
        {INVENTORY("3504", "purcinfo", "\"purc_retn_cnt\":-24"), "input.purcinfo[0].purc_retn_cnt"},
        {INVENTORY("3504", "purcinfo", "\"purc_retn_cnt\":24"), NULL},
        {INVENTORY("3505", "selinfo", "\"sel_retn_cnt\":-1"), "input.selinfo[0].sel_retn_cnt"},
        {INVENTORY("3506", "selinfo", "\"sel_retn_cnt\":-1"), "input.selinfo[0].sel_retn_cnt"},
        {INVENTORY("3506", "selinfo", "\"sel_retn_cnt\":1"), NULL},
        {INVENTORY("3502", "invinfo", "\"cnt\":20,\"pric\":\"-1\""), "input.invinfo[0].pric"},
        {INVENTORY("3501", "invinfo", "\"invcnt\":-480"), "input.invinfo[0].invcnt"},
    };
    for (size_t i = 0; i < FG_ARRAY_LEN(cases); i++) {
        parsed_t p;
        parse_str(&p, cases[i].doc);
        if (cases[i].where == NULL && p.rc != 0)
            t_fail(__FILE__, __LINE__, "case %zu: %s at %s: %s", i, fg_err_name(p.rc), p.err.where,
                   p.err.msg);
        if (cases[i].where != NULL) {
            if (p.rc != FG_E_NEGATIVE || p.c.n == 0)
                t_fail(__FILE__, __LINE__, "case %zu: %s (%zu errors), want field.negative", i,
                       fg_err_name(p.rc), p.c.n);
            ASSERT_STR_EQ(p.err.where, cases[i].where);
            ASSERT(strstr(p.err.msg, "negative") != NULL);
        }
        /* the scanner and jansson agree (errors included) */
        ASSERT(fg__doc_parse_compare(cases[i].doc, strlen(cases[i].doc), 0, NULL) == NULL);
        parsed_release(&p);
    }
}

/* The same rules in the extraction tables: the file line and the column of the refused value. */
TEST(sign_rules_csv)
{
    const char *fees = "bkkp_sn,mdtrt_id,setl_id,psn_no,fixmedins_code,fee_ocur_time,med_list_codg,"
                       "cnt,pric,det_item_fee_sumamt,init_feedetl_sn\n"
                       "F1,M1,S1,P1,H43010200012,2025-07-01,001102000050000,2,10,20,\n"
                       "F2,M1,S1,P1,H43010200012,2025-07-01,001102000050000,-1,10,-10,\n"
                       "F3,M1,S1,P1,H43010200012,2025-07-01,001102000050000,-1,10,-10,F1\n"
                       "F4,M1,S1,P1,H43010200012,2025-07-01,001102000050000,1,-10,-10,F1\n";
    collect_t c = {.n = 0};
    fg_diag_t diag = {collect_report, &c, 0};
    fg_csv_t *csv = NULL;
    fg_table_reader_t *r = NULL;
    fg_error_t err;
    ASSERT_OK(open_mem(FG_TABLE_FEE_LIST_D, fees, &diag, &csv, &r, &err));
    fg_fee_line_t fee;
    ASSERT_EQ(fg_table_next(r, &fee), 1);
    ASSERT_STR_EQ(fee.feedetl_sn, "F1");
    ASSERT_EQ(fg_table_next(r, &fee), 1);
    ASSERT_STR_EQ(fee.feedetl_sn, "F3"); /* F2 refused: negative with no line it reverses */
    ASSERT_EQ(fee.cnt, -10000);
    ASSERT_EQ(fg_table_next(r, &fee), 0); /* F4 refused: a negative price */
    ASSERT_UEQ(fg_table_bad_rows(r), 2);
    ASSERT_EQ(c.n, 3);
    ASSERT_EQ(c.e[0].line, 3);
    ASSERT_STR_EQ(c.e[0].where, "cnt");
    ASSERT_EQ(c.e[0].col, 8);
    ASSERT_STR_EQ(c.e[1].where, "det_item_fee_sumamt");
    ASSERT_EQ(c.e[2].line, 5);
    ASSERT_STR_EQ(c.e[2].where, "pric");
    for (size_t i = 0; i < c.n; i++)
        ASSERT_EQ(c.e[i].code, FG_E_NEGATIVE);
    fg_table_close(r);
    fg_csv_close(csv);

    const char *setl = "setl_id,mdtrt_id,psn_no,fixmedins_code,setl_time,medfee_sumamt,"
                       "refd_setl_flag,init_setl_id\n"
                       "S1,M1,P1,H43010200012,2025-07-01 10:00:00,-186.50,0,\n"
                       "S2,M1,P1,H43010200012,2025-07-01 10:00:00,-186.50,1,S0\n";
    c.n = 0;
    ASSERT_OK(open_mem(FG_TABLE_SETL_D, setl, &diag, &csv, &r, &err));
    fg_settlement_t st;
    ASSERT_EQ(fg_table_next(r, &st), 1);
    ASSERT_STR_EQ(st.setl_id, "S2");
    ASSERT_EQ(st.medfee_sumamt, -18650);
    ASSERT_EQ(fg_table_next(r, &st), 0);
    ASSERT_EQ(c.n, 1);
    ASSERT_EQ(c.e[0].line, 2);
    ASSERT_STR_EQ(c.e[0].where, "medfee_sumamt");
    ASSERT_EQ(c.e[0].code, FG_E_NEGATIVE);
    fg_table_close(r);
    fg_csv_close(csv);

    const char *cat = "med_list_codg,pric\nXA01ABD075A002010100483,-1\n";
    c.n = 0;
    ASSERT_OK(open_mem(FG_TABLE_CATALOGUE, cat, &diag, &csv, &r, &err));
    fg_catalogue_item_t item;
    ASSERT_EQ(fg_table_next(r, &item), 0);
    ASSERT_EQ(c.n, 1);
    ASSERT_EQ(c.e[0].code, FG_E_NEGATIVE);
    fg_table_close(r);
    fg_csv_close(csv);
}

/* One object as one record (reference rows of the service): the field table's validators, errors
 * under the key, other members ignored, nothing required. */
TEST(json_read_record)
{
    fg_arena_t arena;
    fg_arena_init(&arena, 0);
    fg_staff_t st;
    fg_error_t err;
    const char *ok =
        "{\"status\":\"active\",\"fixmedins_code\":\"H43010200012\",\"role\":\"doctor\","
        "\"certno\":\"430121197808240031\"}";
    ASSERT_OK(fg_json_read_record(FG_REC_STAFF, ok, strlen(ok), NULL, &arena, &st, NULL, &err));
    ASSERT_STR_EQ(st.fixmedins_code, "H43010200012");
    ASSERT_STR_EQ(st.role, "doctor");
    ASSERT_STR_EQ(st.staff_code, ""); /* not required here */
    ASSERT_EQ(strlen(st.certno_hash), 64);
    static const struct {
        fg_rectype_t t;
        const char *json;
        int code;
        const char *where;
    } bad[] = {
        {FG_REC_STAFF, "{\"fixmedins_code\":\"garbage\"}", FG_E_INSTITUTION_CODE, "fixmedins_code"},
        {FG_REC_STAFF, "{\"role\":\"wizard\"}", FG_E_ENUM, "role"},
        {FG_REC_PERSON, "{\"gend\":7}", FG_E_ENUM, "gend"},
        {FG_REC_CATALOGUE, "{\"pric\":\"-1\"}", FG_E_NEGATIVE, "pric"},
        {FG_REC_CATALOGUE, "{\"pack_units\":0}", FG_E_RANGE, "pack_units"},
        {FG_REC_PERSON, "[]", FG_E_JSON_SHAPE, ""},
        {FG_REC_PERSON, "{\"psn_no\":", FG_E_JSON, ""},
    };
    for (size_t i = 0; i < FG_ARRAY_LEN(bad); i++) {
        fg_person_t rec[4]; /* room for any of the three */
        int rc = fg_json_read_record(bad[i].t, bad[i].json, strlen(bad[i].json), NULL, &arena, rec,
                                     NULL, &err);
        if (rc != bad[i].code || strcmp(err.where, bad[i].where) != 0)
            t_fail(__FILE__, __LINE__, "case %zu: %s at '%s', want %s at '%s'", i, fg_err_name(rc),
                   err.where, fg_err_name(bad[i].code), bad[i].where);
    }
    fg_arena_release(&arena);
}

/* ---------------------------------------------------------------- docs/formats.md */

TEST(formats_doc)
{
    fg_buf_t b;
    fg_buf_init(&b, 1 << 22);
    ASSERT_OK(fg_model_formats_markdown(&b));
    const char *path = t_path("docs/formats.md");
    const char *regen = getenv("FG_REGEN");
    if (regen != NULL && strcmp(regen, "1") == 0) {
        FILE *f = fopen(path, "wb");
        ASSERT(f != NULL);
        ASSERT_EQ(fwrite(b.data, 1, b.len, f), b.len);
        ASSERT_EQ(fclose(f), 0);
        fprintf(stderr, "  wrote %s\n", path);
    }
    size_t n;
    char *text = t_read_file(path, &n);
    if (n != b.len || memcmp(text, b.data, n) != 0)
        t_fail(__FILE__, __LINE__,
               "docs/formats.md is out of date: run FG_REGEN=1 ./build/t_model formats_doc");
    /* every field of every record is in it */
    for (int t = 0; t < FG_REC__COUNT; t++) {
        const fg_rectype_info_t *info = fg_rectype_info((fg_rectype_t)t);
        for (size_t i = 0; i < info->nfields; i++) {
            char cellname[80];
            snprintf(cellname, sizeof(cellname), "| `%s` |", info->fields[i].name);
            ASSERT(strstr(text, cellname) != NULL);
        }
    }
    free(text);
    fg_buf_release(&b);
}
