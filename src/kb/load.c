/*
 * load.c — knowledge tables from files into facts: the national 两库 tables exactly as published
 * (Chinese headers, batch = version) and a bureau's local tables (docs/kb.md).
 *
 * The file name says what a table is: "batch<N>[-<sub>]-<drug|item>-<family>[.names|.codes].csv"
 * for a national table, "<local-name>.csv" for a local one. Columns are found by header name. Every
 * row must parse; the first one that does not is the error, with file, line and column. The few
 * rows a published table carries at its foot (合计, 备注：…) — a 序号 that is no number and nothing
 * else — are counted as note rows, not knowledge points.
 */
#include "core/compat.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fundguard/alloc.h"
#include "fundguard/codes.h"
#include "fundguard/csv.h"
#include "fundguard/hash.h"
#include "kb/kb_int.h"

#define KB_MAX_FILE (256u << 20)

/* Return the error of a step at once (a fallible call per line reads better than a chain). */
#define TRY(x)                                                                                     \
    do {                                                                                           \
        int try_rc_ = (x);                                                                         \
        if (try_rc_ != 0)                                                                          \
            return try_rc_;                                                                        \
    } while (0)

/* One table being loaded. */
typedef struct ld {
    fg_kb_t *kb;
    fg_csv_t *csv;
    const char *file; /* file name for messages */
    uint16_t table;
    fg_kb_table_info_t *info;
    fg_csv_row_t row;
    fg_error_t *err;
} ld_t;

/* ---------------------------------------------------------------- errors and fields */

static int row_error(ld_t *l, int col, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int row_error(ld_t *l, int col, const char *fmt, ...)
{
    char what[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    const char *cname = col >= 0 ? fg_csv_column_name(l->csv, (size_t)col) : NULL;
    fg_error_set(l->err, FG_E_KB_ROW, l->file, 0, "%s: line %ld%s%s: %s", l->file, l->row.line,
                 cname != NULL ? ", column " : "", cname != NULL ? cname : "", what);
    if (l->err != NULL) {
        l->err->line = l->row.line;
        l->err->col = col >= 0 ? col + 1 : 0;
    }
    return FG_E_KB_ROW;
}

static int nomem(ld_t *l)
{
    return fg_error_set(l->err, FG_ENOMEM, l->file, 0, NULL);
}

/* Index of a required column (any of up to three names), or an error naming the first name. */
static int need_col(ld_t *l, int *out, const char *name, const char *alt)
{
    int c = fg_csv_column(l->csv, name);
    if (c < 0 && alt != NULL)
        c = fg_csv_column(l->csv, alt);
    if (c < 0) {
        fg_error_set(l->err, FG_E_CSV_COLUMN, l->file, 0, "%s: the column '%s' is missing", l->file,
                     name);
        if (l->err != NULL)
            l->err->line = 1;
        return FG_E_CSV_COLUMN;
    }
    *out = c;
    return 0;
}

static const char *fld(const ld_t *l, int c, size_t *n)
{
    *n = l->row.len[c];
    return l->row.data[c];
}

static int fld_is(const ld_t *l, int c, const char *s)
{
    return l->row.len[c] == strlen(s) && memcmp(l->row.data[c], s, l->row.len[c]) == 0;
}

static int fld_empty(const ld_t *l, int c)
{
    return l->row.len[c] == 0;
}

static uint32_t intern_fld(ld_t *l, int c, int *rc)
{
    size_t n;
    const char *s = fld(l, c, &n);
    return fg__kb_intern(l->kb, s, n, rc);
}

/* A required, non-empty field. */
static int need_fld(ld_t *l, int c)
{
    if (fld_empty(l, c))
        return row_error(l, c, "the value is missing");
    return 0;
}

/* A national catalogue code of `kind`, validated and interned. */
static int code_fld(ld_t *l, int c, fg_id_kind_t kind, uint32_t *out)
{
    size_t n;
    const char *s = fld(l, c, &n);
    char norm[FG_ID_NORM_MAX];
    fg_error_t e;
    if (n == 0)
        return row_error(l, c, "the code is missing");
    if (fg_id_check(kind, s, n, norm, sizeof(norm), &e) != 0)
        return row_error(l, c, "'%.*s' is not a valid code: %s", (int)(n > 40 ? 40 : n), s, e.msg);
    int rc;
    *out = fg__kb_intern(l->kb, norm, strlen(norm), &rc);
    return rc != 0 ? nomem(l) : 0;
}

/* A whole number in [min, max]. */
static int int_fld(ld_t *l, int c, long min, long max, int64_t *out)
{
    size_t n;
    const char *s = fld(l, c, &n);
    if (n == 0)
        return row_error(l, c, "a number is missing");
    if (fg_int_parse(s, n, out, NULL) != 0 || *out < min || *out > max)
        return row_error(l, c, "'%.*s' is not a whole number from %ld to %ld",
                         (int)(n > 20 ? 20 : n), s, min, max);
    return 0;
}

/* The 限定类型 column must say what the family is. */
static int type_fld(ld_t *l, int c, const char *want)
{
    if (!fld_is(l, c, want))
        return row_error(l, c, "expected '%s'", want);
    return 0;
}

/* A row whose first column (序号) is no number and all other columns are empty: a note row. */
static int is_note_row(const ld_t *l, int seq_col)
{
    if (seq_col < 0 || l->row.len[seq_col] == 0)
        return 0;
    int64_t v;
    if (fg_int_parse(l->row.data[seq_col], l->row.len[seq_col], &v, NULL) == 0)
        return 0;
    for (size_t i = 0; i < l->row.nfields; i++)
        if ((int)i != seq_col && l->row.len[i] != 0)
            return 0;
    return 1;
}

/* Next data row: 1, 0 at the end, < 0 on a CSV error. */
static int next_row(ld_t *l)
{
    fg_error_t e;
    int rc = fg_csv_next(l->csv, &l->row, &e);
    if (rc < 0) {
        if (l->err != NULL)
            *l->err = e;
        return rc;
    }
    if (rc == 1)
        l->info->rows++;
    return rc;
}

static int add_fact(ld_t *l, fg_kb_fact_t *f)
{
    f->table = l->table;
    f->row = (uint32_t)l->info->rows;
    if (fg__kb_add_fact(l->kb, f) != 0)
        return nomem(l);
    l->info->points++;
    return 0;
}

/* ---------------------------------------------------------------- value words */

static int sex_word(ld_t *l, int c, uint8_t *out)
{
    if (fld_is(l, c, "男"))
        *out = 1;
    else if (fld_is(l, c, "女"))
        *out = 2;
    else
        return row_error(l, c, "expected 男 or 女");
    return 0;
}

static int age_word(ld_t *l, int c, uint8_t *out)
{
    if (fld_is(l, c, "儿童"))
        *out = FG_KB_AGE_CHILD;
    else if (fld_is(l, c, "婴幼儿"))
        *out = FG_KB_AGE_INFANT;
    else if (fld_is(l, c, "新生儿"))
        *out = FG_KB_AGE_NEONATE;
    else
        return row_error(l, c, "expected 儿童, 婴幼儿 or 新生儿");
    return 0;
}

static int scene_word(const char *s, size_t n)
{
    if (n == strlen("住院") && memcmp(s, "住院", n) == 0)
        return FG_KB_SCENE_INPATIENT;
    if (n == strlen("门诊") && memcmp(s, "门诊", n) == 0)
        return FG_KB_SCENE_OUTPATIENT;
    if (n == strlen("购药") && memcmp(s, "购药", n) == 0)
        return FG_KB_SCENE_PHARMACY;
    return 0;
}

/* Leading decimal digits of s as a number, the rest in *rest; -1 when none. */
static long lead_int(const char *s, size_t n, size_t *used)
{
    long v = 0;
    size_t i = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9' && v < 100000)
        v = v * 10 + (s[i++] - '0');
    *used = i;
    return i > 0 ? v : -1;
}

/* "<N>天" → N. */
static int days_word(ld_t *l, int c, int64_t *out)
{
    size_t n, used;
    const char *s = fld(l, c, &n);
    long v = lead_int(s, n, &used);
    if (v <= 0 || n - used != strlen("天") || memcmp(s + used, "天", n - used) != 0)
        return row_error(l, c, "expected a number of days like 14天");
    *out = v;
    return 0;
}

/* Find "不超过" followed by N天 / N个月 / 一年 in text: days, or -1. */
static long text_limit_days(const char *s, size_t n, const char *after)
{
    const char *p = memmem(s, n, after, strlen(after));
    if (p == NULL)
        return -1;
    p += strlen(after);
    size_t rest = n - (size_t)(p - s), used;
    long v = lead_int(p, rest, &used);
    if (v > 0) {
        if (rest - used >= strlen("天") && memcmp(p + used, "天", strlen("天")) == 0)
            return v;
        if (rest - used >= strlen("个月") && memcmp(p + used, "个月", strlen("个月")) == 0)
            return v * 30;
        return -1;
    }
    if (rest >= strlen("一年") && memcmp(p, "一年", strlen("一年")) == 0)
        return 365;
    return -1;
}

/* ---------------------------------------------------------------- national drug tables */

typedef struct drug_family {
    const char *family;
    uint8_t kind;
    const char *type;  /* 限定类型 */
    const char *value; /* the column of the limit */
} drug_family_t;

static const drug_family_t drug_families[] = {
    {"drug-gender", FG_KF_DRUG_GENDER, "限定性别对象", "限定对象"},
    {"drug-age", FG_KF_DRUG_AGE, "限定年龄对象", "限定对象"},
    {"drug-insurance-type", FG_KF_INSURANCE_TYPE, "限定保险类型", "限定对象"},
    {"drug-care-setting", FG_KF_CARE_SETTING, "限定就医方式", "限定值域"},
    {"drug-institution-level", FG_KF_INST_LEVEL, "限定机构等级", "限定值域"},
    {"drug-payment-course", FG_KF_DRUG_COURSE, "限定支付疗程", "限定值域"},
};

static const drug_family_t *drug_family(const char *family)
{
    for (size_t i = 0; i < FG_ARRAY_LEN(drug_families); i++)
        if (strcmp(drug_families[i].family, family) == 0)
            return &drug_families[i];
    return NULL;
}

static int drug_limit_value(ld_t *l, const drug_family_t *df, int c, uint8_t *sub, int64_t *a)
{
    size_t n;
    const char *s = fld(l, c, &n);
    switch (df->kind) {
    case FG_KF_DRUG_GENDER:
        return sex_word(l, c, sub);
    case FG_KF_DRUG_AGE:
        return age_word(l, c, sub);
    case FG_KF_INSURANCE_TYPE:
        if (fld_is(l, c, "工伤"))
            *sub = FG_KB_INSU_WORK_INJURY;
        else if (fld_is(l, c, "生育"))
            *sub = FG_KB_INSU_MATERNITY;
        else
            return row_error(l, c, "expected 工伤 or 生育");
        return 0;
    case FG_KF_CARE_SETTING: {
        int sc = scene_word(s, n);
        if (sc == 0)
            return row_error(l, c, "expected 住院, 门诊 or 购药");
        *sub = (uint8_t)sc;
        return 0;
    }
    case FG_KF_INST_LEVEL:
        if (fld_is(l, c, "一级"))
            *sub = 1;
        else if (fld_is(l, c, "二级"))
            *sub = 2;
        else if (fld_is(l, c, "三级"))
            *sub = 3;
        else
            return row_error(l, c, "expected 一级, 二级 or 三级");
        return 0;
    case FG_KF_DRUG_COURSE:
        return days_word(l, c, a);
    default:
        return row_error(l, c, "no such limit");
    }
}

static int load_drug_names(ld_t *l, const drug_family_t *df)
{
    int cn, ct, ctype, cv, rc;
    TRY(need_col(l, &cn, "药品通用名", NULL));
    TRY(need_col(l, &ct, "药品说明", NULL));
    TRY(need_col(l, &ctype, "限定类型", NULL));
    TRY(need_col(l, &cv, df->value, NULL));
    uint64_t seed = fg_hash64(l->info->stem, strlen(l->info->stem));
    for (;;) {
        rc = next_row(l);
        if (rc != 1)
            break;
        kb_limit_t lim = {.table = l->table, .row = (uint32_t)l->info->rows, .kind = df->kind};
        TRY(need_fld(l, cn));
        TRY(type_fld(l, ctype, df->type));
        TRY(drug_limit_value(l, df, cv, &lim.sub, &lim.a));
        int irc, irc2;
        lim.name = intern_fld(l, cn, &irc);
        lim.text = intern_fld(l, ct, &irc2);
        if (irc != 0 || irc2 != 0)
            return nomem(l);
        size_t n;
        const char *name = fld(l, cn, &n);
        uint64_t h = fg_hash64_seed(name, n, seed);
        size_t probe = 0;
        kb_slot_t *slot;
        for (;;) {
            slot = fg_hmap_find(&l->kb->limit_index, h, &probe);
            if (slot == NULL)
                break;
            const kb_limit_t *o = &l->kb->limits[slot->value - 1];
            if (o->name == lim.name && o->table == lim.table)
                return row_error(l, cn, "the drug '%.*s' is listed twice (also row %u)",
                                 (int)(n > 60 ? 60 : n), name, (unsigned)o->row);
        }
        if (fg__kb_grow((void **)&l->kb->limits, l->kb->nlimits, &l->kb->limits_cap,
                        sizeof(*l->kb->limits)) != 0)
            return nomem(l);
        l->kb->limits[l->kb->nlimits++] = lim;
        if (fg_hmap_put(&l->kb->limit_index, h, (uint32_t)l->kb->nlimits, 0) != 0)
            return nomem(l);
        l->info->points++;
    }
    return rc;
}

static int load_drug_codes(ld_t *l, const drug_family_t *df)
{
    int cn, cseq, ccode, ctype, rc;
    TRY(need_col(l, &cn, "药品通用名", NULL));
    TRY(need_col(l, &cseq, "序号", NULL));
    TRY(need_col(l, &ccode, "国标代码", "药品代码"));
    TRY(need_col(l, &ctype, "限定类型", NULL));
    for (;;) {
        rc = next_row(l);
        if (rc != 1)
            break;
        int64_t seq;
        kb_pending_t p = {.table = l->table, .row = (uint32_t)l->info->rows, .line = l->row.line};
        TRY(need_fld(l, cn));
        TRY(int_fld(l, cseq, 1, 1000000, &seq));
        TRY(code_fld(l, ccode, FG_ID_DRUG, &p.code));
        TRY(type_fld(l, ctype, df->type));
        int irc;
        p.name = intern_fld(l, cn, &irc);
        if (irc != 0)
            return nomem(l);
        if (fg__kb_grow((void **)&l->kb->pending, l->kb->npending, &l->kb->pending_cap,
                        sizeof(*l->kb->pending)) != 0)
            return nomem(l);
        l->kb->pending[l->kb->npending++] = p;
        l->info->points++;
    }
    return rc;
}

/* ---------------------------------------------------------------- national item tables */

static int load_item_gender(ld_t *l)
{
    int cn, ct, cc, ctype, cv, rc;
    TRY(need_col(l, &cn, "项目名称", NULL));
    TRY(need_col(l, &ct, "项目说明", NULL));
    TRY(need_col(l, &cc, "国标代码", "项目代码"));
    TRY(need_col(l, &ctype, "限定类型", NULL));
    TRY(need_col(l, &cv, "限定性别", "限定对象"));
    for (;;) {
        rc = next_row(l);
        if (rc != 1)
            break;
        fg_kb_fact_t f = {.kind = FG_KF_ITEM_GENDER};
        int r1, r2;
        TRY(code_fld(l, cc, FG_ID_ITEM, &f.code));
        TRY(type_fld(l, ctype, "限定性别对象"));
        TRY(sex_word(l, cv, &f.sub));
        f.name = intern_fld(l, cn, &r1);
        f.text = intern_fld(l, ct, &r2);
        if (r1 != 0 || r2 != 0)
            return nomem(l);
        TRY(add_fact(l, &f));
    }
    return rc;
}

/* Batch 1 shape (限定对象 儿童/婴幼儿/新生儿) or batch 8-2 shape (备注 naming the working age). */
static int load_item_age(ld_t *l)
{
    int cn, cc, rc, cv, ctype, cnote, cseq = fg_csv_column(l->csv, "序号");
    int batch1 = fg_csv_column(l->csv, "限定对象") >= 0;
    TRY(need_col(l, &cn, "项目名称", NULL));
    TRY(need_col(l, &cc, "国标代码", "项目代码"));
    if (batch1) {
        TRY(need_col(l, &ctype, "限定类型", NULL));
        TRY(need_col(l, &cv, "限定对象", NULL));
    } else {
        TRY(need_col(l, &cnote, "备注", NULL));
    }
    for (;;) {
        rc = next_row(l);
        if (rc != 1)
            break;
        if (is_note_row(l, cseq)) {
            l->info->notes++;
            continue;
        }
        fg_kb_fact_t f = {.kind = FG_KF_ITEM_AGE};
        int r1, r2 = 0;
        TRY(code_fld(l, cc, FG_ID_ITEM, &f.code));
        if (batch1) {
            TRY(type_fld(l, ctype, "限定年龄对象"));
            TRY(age_word(l, cv, &f.sub));
        } else {
            size_t n;
            const char *s = fld(l, cnote, &n);
            if (memmem(s, n, "就业年龄", strlen("就业年龄")) == NULL)
                return row_error(l, cnote,
                                 "no age limit this engine knows (expected 法定就业年龄)");
            f.kind = FG_KF_ITEM_WORK_AGE;
            f.text = intern_fld(l, cnote, &r2);
        }
        f.name = intern_fld(l, cn, &r1);
        if (r1 != 0 || r2 != 0)
            return nomem(l);
        TRY(add_fact(l, &f));
    }
    return rc;
}

static int load_surgery_group(ld_t *l)
{
    int cn, ct, cc, ctype, cv, rc;
    TRY(need_col(l, &cn, "项目名称", NULL));
    TRY(need_col(l, &ct, "项目说明", NULL));
    TRY(need_col(l, &cc, "国标代码", "项目代码"));
    TRY(need_col(l, &ctype, "限定类型", NULL));
    TRY(need_col(l, &cv, "限定值域", NULL));
    for (;;) {
        rc = next_row(l);
        if (rc != 1)
            break;
        fg_kb_fact_t f = {.kind = FG_KF_SURGERY_GROUP};
        int r1, r2, r3;
        TRY(code_fld(l, cc, FG_ID_ITEM, &f.code));
        TRY(type_fld(l, ctype, "限定主次操作"));
        TRY(need_fld(l, cv));
        f.name = intern_fld(l, cn, &r1);
        f.text = intern_fld(l, ct, &r2);
        f.ref = intern_fld(l, cv, &r3);
        if (r1 != 0 || r2 != 0 || r3 != 0)
            return nomem(l);
        TRY(add_fact(l, &f));
    }
    return rc;
}

/* 频度: 单日, 同一小时, 单次就诊, <N>小时. */
static int scope_word(ld_t *l, int c, uint8_t *scope, int64_t *hours)
{
    size_t n, used;
    const char *s = fld(l, c, &n);
    *hours = 0;
    if (fld_is(l, c, "单日") || fld_is(l, c, "同日") || fld_is(l, c, "当日")) {
        *scope = FG_KB_SCOPE_DAY;
        return 0;
    }
    if (fld_is(l, c, "同一小时")) {
        *scope = FG_KB_SCOPE_CLOCK_HOUR;
        return 0;
    }
    if (fld_is(l, c, "单次就诊") || fld_is(l, c, "单次住院")) {
        *scope = FG_KB_SCOPE_VISIT;
        return 0;
    }
    long v = lead_int(s, n, &used);
    if (v > 0 && n - used == strlen("小时") && memcmp(s + used, "小时", n - used) == 0) {
        *scope = FG_KB_SCOPE_HOURS;
        *hours = v;
        return 0;
    }
    return row_error(l, c, "expected 单日, 同一小时, <N>小时 or 单次就诊");
}

static int load_duplicate(ld_t *l)
{
    int cseq, cfreq, cmn, cmc, csn, csc, cnote, rc;
    TRY(need_col(l, &cseq, "序号", NULL));
    TRY(need_col(l, &cfreq, "频度", NULL));
    TRY(need_col(l, &cmn, "主项名称", NULL));
    TRY(need_col(l, &cmc, "主项编码", NULL));
    TRY(need_col(l, &csn, "从项名称", NULL));
    TRY(need_col(l, &csc, "从项编码", NULL));
    TRY(need_col(l, &cnote, "备注", NULL));
    for (;;) {
        rc = next_row(l);
        if (rc != 1)
            break;
        if (is_note_row(l, cseq)) {
            l->info->notes++;
            continue;
        }
        fg_kb_fact_t f = {.kind = FG_KF_DUP_SECONDARY};
        int64_t seq;
        uint32_t main_code;
        int r1, r2, r3;
        TRY(int_fld(l, cseq, 1, 10000000, &seq));
        TRY(scope_word(l, cfreq, &f.sub, &f.a));
        TRY(code_fld(l, cmc, FG_ID_ITEM, &main_code));
        TRY(code_fld(l, csc, FG_ID_ITEM, &f.code));
        if (main_code == f.code)
            return row_error(l, csc, "the secondary item is the main item");
        f.ref = main_code;
        f.name = intern_fld(l, csn, &r1);
        f.b = intern_fld(l, cmn, &r2);
        f.text = intern_fld(l, cnote, &r3);
        if (r1 != 0 || r2 != 0 || r3 != 0)
            return nomem(l);
        TRY(add_fact(l, &f));
    }
    return rc;
}

static int load_frequency(ld_t *l)
{
    int cseq, cn, cmax, cunit, cc, rc;
    TRY(need_col(l, &cseq, "序号", NULL));
    TRY(need_col(l, &cn, "项目名称", NULL));
    TRY(need_col(l, &cmax, "限制数量", NULL));
    TRY(need_col(l, &cunit, "数量单位", NULL));
    TRY(need_col(l, &cc, "项目编码", "项目代码"));
    for (;;) {
        rc = next_row(l);
        if (rc != 1)
            break;
        if (is_note_row(l, cseq)) {
            l->info->notes++;
            continue;
        }
        fg_kb_fact_t f = {.kind = FG_KF_FREQUENCY};
        int64_t seq;
        int r1, r2;
        TRY(int_fld(l, cseq, 1, 10000000, &seq));
        TRY(int_fld(l, cmax, 1, 1000000, &f.a));
        TRY(code_fld(l, cc, FG_ID_ITEM, &f.code));
        /* The limit is per day whatever the unit: 1 per 日/天, 24 per day when counted in 小时. */
        if (!fld_is(l, cunit, "日") && !fld_is(l, cunit, "天") && !fld_is(l, cunit, "小时") &&
            !fld_is(l, cunit, "次"))
            return row_error(l, cunit, "expected 日, 天, 小时 or 次");
        f.name = intern_fld(l, cn, &r1);
        f.ref = intern_fld(l, cunit, &r2);
        if (r1 != 0 || r2 != 0)
            return nomem(l);
        TRY(add_fact(l, &f));
    }
    return rc;
}

static int load_item_course(ld_t *l)
{
    int cseq, cn, cnote, cc, rc;
    TRY(need_col(l, &cseq, "序号", NULL));
    TRY(need_col(l, &cn, "项目名称", NULL));
    TRY(need_col(l, &cnote, "备注", NULL));
    TRY(need_col(l, &cc, "项目代码", "项目编码"));
    for (;;) {
        rc = next_row(l);
        if (rc != 1)
            break;
        if (is_note_row(l, cseq)) {
            l->info->notes++;
            continue;
        }
        fg_kb_fact_t f = {.kind = FG_KF_ITEM_COURSE};
        int64_t seq;
        int r1, r2;
        TRY(int_fld(l, cseq, 1, 10000000, &seq));
        TRY(code_fld(l, cc, FG_ID_ITEM, &f.code));
        size_t n;
        const char *s = fld(l, cnote, &n);
        long days = text_limit_days(s, n, "不超过");
        if (days <= 0)
            return row_error(l, cnote, "no course length found (expected 不超过N天 or 不超过一年)");
        f.a = days;
        long gap = text_limit_days(s, n, "不短于");
        if (gap > 0)
            f.b = gap;
        else if (memmem(s, n, "每周最多支付一次", strlen("每周最多支付一次")) != NULL)
            f.b = 7;
        f.name = intern_fld(l, cn, &r1);
        f.text = intern_fld(l, cnote, &r2);
        if (r1 != 0 || r2 != 0)
            return nomem(l);
        TRY(add_fact(l, &f));
    }
    return rc;
}

static int load_cycle(ld_t *l)
{
    int cseq, cn, cmax, cdays, cnote, cc, rc;
    TRY(need_col(l, &cseq, "序号", NULL));
    TRY(need_col(l, &cn, "项目名称", NULL));
    TRY(need_col(l, &cmax, "频次上限", NULL));
    TRY(need_col(l, &cdays, "疗程周期", NULL));
    TRY(need_col(l, &cnote, "备注", NULL));
    TRY(need_col(l, &cc, "项目代码", "项目编码"));
    for (;;) {
        rc = next_row(l);
        if (rc != 1)
            break;
        if (is_note_row(l, cseq)) {
            l->info->notes++;
            continue;
        }
        fg_kb_fact_t f = {.kind = FG_KF_CYCLE};
        int64_t seq;
        int r1, r2;
        TRY(int_fld(l, cseq, 1, 10000000, &seq));
        TRY(int_fld(l, cmax, 1, 100000, &f.a));
        TRY(int_fld(l, cdays, 1, 3660, &f.b));
        TRY(code_fld(l, cc, FG_ID_ITEM, &f.code));
        f.name = intern_fld(l, cn, &r1);
        f.text = intern_fld(l, cnote, &r2);
        if (r1 != 0 || r2 != 0)
            return nomem(l);
        TRY(add_fact(l, &f));
    }
    return rc;
}

/* ---------------------------------------------------------------- local tables */

/* Optional column: -1 when absent. */
static int opt_col(ld_t *l, const char *name)
{
    return fg_csv_column(l->csv, name);
}

static int opt_str(ld_t *l, int c, uint32_t *out)
{
    int rc = 0;
    *out = c >= 0 ? intern_fld(l, c, &rc) : 0;
    return rc != 0 ? nomem(l) : 0;
}

static int money_fld(ld_t *l, int c, fg_fen_t *out)
{
    size_t n;
    const char *s = fld(l, c, &n);
    fg_error_t e;
    if (fg_money_parse(s, n, out, &e) != 0 || *out < 0)
        return row_error(l, c, "'%.*s' is not an amount in yuan like 12.30", (int)(n > 20 ? 20 : n),
                         s);
    return 0;
}

static int load_price_cap(ld_t *l)
{
    int cc, clv, camt, rc, cn = opt_col(l, "name");
    TRY(need_col(l, &cc, "med_list_codg", NULL));
    TRY(need_col(l, &clv, "hosp_lv", NULL));
    TRY(need_col(l, &camt, "pric_uplmt_amt", NULL));
    for (;;) {
        rc = next_row(l);
        if (rc != 1)
            break;
        fg_kb_fact_t f = {.kind = FG_KF_PRICE_CAP};
        TRY(code_fld(l, cc, FG_ID_MED_LIST, &f.code));
        TRY(money_fld(l, camt, &f.a));
        TRY(opt_str(l, cn, &f.name));
        if (fld_empty(l, clv) || fld_is(l, clv, "*"))
            f.sub = 0;
        else if (fld_is(l, clv, "1") || fld_is(l, clv, "2") || fld_is(l, clv, "3"))
            f.sub = (uint8_t)(l->row.data[clv][0] - '0');
        else
            return row_error(l, clv, "expected 1, 2, 3 or empty (every level)");
        TRY(add_fact(l, &f));
    }
    return rc;
}

static int load_indication(ld_t *l)
{
    int cc, cp, rc, cn = opt_col(l, "name"), cnote = opt_col(l, "note");
    TRY(need_col(l, &cc, "med_list_codg", NULL));
    TRY(need_col(l, &cp, "diag_prefixes", NULL));
    for (;;) {
        rc = next_row(l);
        if (rc != 1)
            break;
        fg_kb_fact_t f = {.kind = FG_KF_INDICATION};
        TRY(code_fld(l, cc, FG_ID_MED_LIST, &f.code));
        TRY(need_fld(l, cp));
        TRY(opt_str(l, cn, &f.name));
        TRY(opt_str(l, cnote, &f.text));
        size_t n;
        const char *s = fld(l, cp, &n);
        for (size_t i = 0; i < n; i++)
            if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
                  s[i] == '|' || (s[i] >= 'a' && s[i] <= 'z')))
                return row_error(l, cp, "diagnosis prefixes are ICD-10 text separated by |");
        int irc;
        f.ref = intern_fld(l, cp, &irc);
        if (irc != 0)
            return nomem(l);
        TRY(add_fact(l, &f));
    }
    return rc;
}

static int load_max_quantity(ld_t *l)
{
    int cc, rc, cq = opt_col(l, "max_cnt"), cd = opt_col(l, "max_days"), cn = opt_col(l, "name"),
                cnote = opt_col(l, "note");
    TRY(need_col(l, &cc, "med_list_codg", NULL));
    if (cq < 0 && cd < 0)
        return need_col(l, &cq, "max_cnt", NULL);
    for (;;) {
        rc = next_row(l);
        if (rc != 1)
            break;
        fg_kb_fact_t f = {.kind = FG_KF_MAX_QTY};
        TRY(code_fld(l, cc, FG_ID_MED_LIST, &f.code));
        TRY(opt_str(l, cn, &f.name));
        TRY(opt_str(l, cnote, &f.text));
        if (cq >= 0 && !fld_empty(l, cq)) {
            size_t n;
            const char *s = fld(l, cq, &n);
            if (fg_qty_parse(s, n, &f.a, NULL) != 0 || f.a <= 0)
                return row_error(l, cq, "expected a quantity above 0");
        }
        if (cd >= 0 && !fld_empty(l, cd))
            TRY(int_fld(l, cd, 1, 3660, &f.b));
        if (f.a == 0 && f.b == 0)
            return row_error(l, cq >= 0 ? cq : cd, "give max_cnt or max_days");
        TRY(add_fact(l, &f));
    }
    return rc;
}

static int load_bundle(ld_t *l)
{
    int cb, cpart, rc, cbn = opt_col(l, "bundle_name"), cbp = opt_col(l, "bundle_pric"),
                       cpn = opt_col(l, "part_name"), cs = opt_col(l, "scope"),
                       cm = opt_col(l, "min_parts");
    TRY(need_col(l, &cb, "bundle_codg", NULL));
    TRY(need_col(l, &cpart, "part_codg", NULL));
    fg_kb_t *kb = l->kb;
    for (;;) {
        rc = next_row(l);
        if (rc != 1)
            break;
        uint32_t bcode;
        fg_kb_fact_t f = {.kind = FG_KF_BUNDLE_PART};
        TRY(code_fld(l, cb, FG_ID_MED_LIST, &bcode));
        TRY(code_fld(l, cpart, FG_ID_MED_LIST, &f.code));
        TRY(opt_str(l, cpn, &f.name));
        if (bcode == f.code)
            return row_error(l, cpart, "a bundle is not its own part");
        size_t bi = 0;
        while (bi < kb->nbundles && kb->bundles[bi].code != bcode)
            bi++;
        if (bi == kb->nbundles) {
            fg_kb_bundle_t b = {.code = bcode,
                                .min_parts = 2,
                                .scope = FG_KB_SCOPE_DAY,
                                .table = l->table,
                                .row = (uint32_t)l->info->rows};
            TRY(opt_str(l, cbn, &b.name));
            if (cbp >= 0 && !fld_empty(l, cbp))
                TRY(money_fld(l, cbp, &b.pric));
            if (cm >= 0 && !fld_empty(l, cm)) {
                int64_t v;
                TRY(int_fld(l, cm, 2, 1000, &v));
                b.min_parts = (int32_t)v;
            }
            if (cs >= 0 && !fld_empty(l, cs)) {
                int64_t hours;
                TRY(scope_word(l, cs, &b.scope, &hours));
                if (b.scope != FG_KB_SCOPE_DAY && b.scope != FG_KB_SCOPE_VISIT)
                    return row_error(l, cs, "a bundle's scope is 单日 or 单次就诊");
            }
            if (fg__kb_grow((void **)&kb->bundles, kb->nbundles, &kb->bundles_cap,
                            sizeof(*kb->bundles)) != 0)
                return nomem(l);
            kb->bundles[kb->nbundles++] = b;
        }
        f.a = (int64_t)bi;
        f.ref = bcode;
        TRY(add_fact(l, &f));
    }
    return rc;
}

static int load_diag_limits(ld_t *l)
{
    int cp, rc, cn = opt_col(l, "name"), cg = opt_col(l, "gend"), cmin = opt_col(l, "min_age"),
                cmax = opt_col(l, "max_age");
    TRY(need_col(l, &cp, "diag_prefix", NULL));
    fg_kb_t *kb = l->kb;
    for (;;) {
        rc = next_row(l);
        if (rc != 1)
            break;
        fg_kb_diag_limit_t d = {
            .min_age = -1, .max_age = -1, .table = l->table, .row = (uint32_t)l->info->rows};
        int irc;
        TRY(need_fld(l, cp));
        TRY(opt_str(l, cn, &d.name));
        d.prefix = intern_fld(l, cp, &irc);
        if (irc != 0)
            return nomem(l);
        if (cg >= 0 && !fld_empty(l, cg)) {
            if (fld_is(l, cg, "1") || fld_is(l, cg, "男"))
                d.gend = 1;
            else if (fld_is(l, cg, "2") || fld_is(l, cg, "女"))
                d.gend = 2;
            else
                return row_error(l, cg, "expected 1/男, 2/女 or empty");
        }
        int64_t v;
        if (cmin >= 0 && !fld_empty(l, cmin)) {
            TRY(int_fld(l, cmin, 0, 150, &v));
            d.min_age = (int16_t)v;
        }
        if (cmax >= 0 && !fld_empty(l, cmax)) {
            TRY(int_fld(l, cmax, 0, 150, &v));
            d.max_age = (int16_t)v;
        }
        if (d.gend == 0 && d.min_age < 0 && d.max_age < 0)
            return row_error(l, cp, "give gend, min_age or max_age");
        if (fg__kb_grow((void **)&kb->diags, kb->ndiags, &kb->diags_cap, sizeof(*kb->diags)) != 0)
            return nomem(l);
        kb->diags[kb->ndiags++] = d;
        l->info->points++;
    }
    return rc;
}

static int load_nocode(ld_t *l)
{
    int ci, cc, cq, rc, cnote = opt_col(l, "note");
    TRY(need_col(l, &ci, "fixmedins_code", NULL));
    TRY(need_col(l, &cc, "med_list_codg", NULL));
    TRY(need_col(l, &cq, "cnt", NULL));
    for (;;) {
        rc = next_row(l);
        if (rc != 1)
            break;
        fg_kb_fact_t f = {.kind = FG_KF_NOCODE};
        TRY(code_fld(l, ci, FG_ID_INSTITUTION, &f.ref));
        TRY(code_fld(l, cc, FG_ID_DRUG, &f.code));
        TRY(opt_str(l, cnote, &f.text));
        size_t n;
        const char *s = fld(l, cq, &n);
        if (fg_qty_parse(s, n, &f.a, NULL) != 0 || f.a <= 0)
            return row_error(l, cq, "expected a quantity above 0");
        TRY(add_fact(l, &f));
    }
    return rc;
}

static int load_visit_limits(ld_t *l)
{
    int cs, cw, cm, rc;
    TRY(need_col(l, &cs, "scene", NULL));
    TRY(need_col(l, &cw, "window_days", NULL));
    TRY(need_col(l, &cm, "max_visits", NULL));
    fg_kb_t *kb = l->kb;
    for (;;) {
        rc = next_row(l);
        if (rc != 1)
            break;
        size_t n;
        const char *s = fld(l, cs, &n);
        fg_kb_visit_limit_t v = {
            .scene = (uint8_t)scene_word(s, n), .table = l->table, .row = (uint32_t)l->info->rows};
        int64_t w, m;
        if (v.scene == 0)
            return row_error(l, cs, "expected 门诊, 购药 or 住院");
        TRY(int_fld(l, cw, 1, 3660, &w));
        TRY(int_fld(l, cm, 1, 100000, &m));
        v.window_days = (int32_t)w;
        v.max_visits = (int32_t)m;
        if (fg__kb_grow((void **)&kb->visits, kb->nvisits, &kb->visits_cap, sizeof(*kb->visits)) !=
            0)
            return nomem(l);
        kb->visits[kb->nvisits++] = v;
        l->info->points++;
    }
    return rc;
}

static int load_params(ld_t *l)
{
    int ck, cv, rc;
    TRY(need_col(l, &ck, "key", NULL));
    TRY(need_col(l, &cv, "value", NULL));
    for (;;) {
        rc = next_row(l);
        if (rc != 1)
            break;
        fg_error_t e;
        size_t n;
        const char *v = fld(l, cv, &n);
        if (fg__kb_param_set(&l->kb->params, l->row.data[ck], v, n, &e) != 0)
            return row_error(l, e.code == FG_ENOTFOUND ? ck : cv, "%s", e.msg);
        l->info->points++;
    }
    l->kb->params.table = l->table;
    return rc;
}

/* ---------------------------------------------------------------- dispatch */

typedef struct local_table {
    const char *stem;
    int (*load)(ld_t *l);
} local_table_t;

static const local_table_t local_tables[] = {
    {"price-cap", load_price_cap},           {"indication", load_indication},
    {"max-quantity", load_max_quantity},     {"bundle", load_bundle},
    {"diagnosis-sex-age", load_diag_limits}, {"nocode-stock", load_nocode},
    {"frequent-visits", load_visit_limits},  {"params", load_params},
};

int fg__kb_parse_national_name(const char *stem, char *version, size_t vcap, char *family,
                               size_t fcap, int *part)
{
    if (strncmp(stem, "batch", 5) != 0)
        return -1;
    const char *p = stem + 5;
    size_t used;
    long b = lead_int(p, strlen(p), &used);
    if (b <= 0 || b >= 1000)
        return -1;
    snprintf(version, vcap, "batch%ld", b);
    p += used;
    if (*p == '-' && p[1] >= '0' && p[1] <= '9') { /* batch8-1-… */
        p++;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p != '-')
        return -1;
    p++;
    const char *dot = strchr(p, '.');
    size_t flen = dot != NULL ? (size_t)(dot - p) : strlen(p);
    if (flen == 0 || flen >= fcap)
        return -1;
    memcpy(family, p, flen);
    family[flen] = '\0';
    *part = 0;
    if (dot != NULL) {
        if (strcmp(dot, ".names") == 0)
            *part = 1;
        else if (strcmp(dot, ".codes") == 0)
            *part = 2;
        else
            return -1;
    }
    return 0;
}

static int dispatch(ld_t *l, const char *stem)
{
    char version[16], family[32];
    int part;
    if (fg__kb_parse_national_name(stem, version, sizeof(version), family, sizeof(family), &part) ==
        0) {
        snprintf(l->info->version, sizeof(l->info->version), "%s", version);
        snprintf(l->info->family, sizeof(l->info->family), "%s", family);
        const drug_family_t *df = drug_family(family);
        if (df != NULL && part == 1) {
            l->info->tkind = FG_KT_NHSA_NAMES;
            return load_drug_names(l, df);
        }
        if (df != NULL && part == 2) {
            l->info->tkind = FG_KT_NHSA_CODES;
            return load_drug_codes(l, df);
        }
        l->info->tkind = FG_KT_NHSA_ITEMS;
        if (part == 0) {
            if (strcmp(family, "item-gender") == 0)
                return load_item_gender(l);
            if (strcmp(family, "item-age") == 0)
                return load_item_age(l);
            if (strcmp(family, "item-surgery-group") == 0)
                return load_surgery_group(l);
            if (strcmp(family, "item-duplicate-charge") == 0)
                return load_duplicate(l);
            if (strcmp(family, "item-frequency") == 0)
                return load_frequency(l);
            if (strcmp(family, "item-course") == 0)
                return load_item_course(l);
            if (strcmp(family, "item-period-frequency") == 0)
                return load_cycle(l);
        }
    } else {
        for (size_t i = 0; i < FG_ARRAY_LEN(local_tables); i++) {
            if (strcmp(stem, local_tables[i].stem) == 0) {
                l->info->tkind = FG_KT_LOCAL;
                snprintf(l->info->version, sizeof(l->info->version), "local");
                snprintf(l->info->family, sizeof(l->info->family), "%s", local_tables[i].stem);
                return local_tables[i].load(l);
            }
        }
    }
    fg_error_set(l->err, FG_E_KB_TABLE, l->file, 0,
                 "%s: not a knowledge table this engine knows (docs/kb.md lists them)", l->file);
    return FG_E_KB_TABLE;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s != NULL ? s + 1 : path;
}

int fg_kb_load_mem(fg_kb_t *kb, const char *filename, const char *data, size_t n, fg_error_t *err)
{
    if (kb->sealed)
        return fg_error_set(err, FG_E_KB_SEALED, filename, 0, NULL);
    const char *file = base_name(filename);
    size_t fl = strlen(file);
    if (fl <= 4 || strcmp(file + fl - 4, ".csv") != 0 || fl - 4 >= 64)
        return fg_error_set(err, FG_E_KB_TABLE, file, 0,
                            "%s: a knowledge table is a .csv file with a known name", file);
    fg_kb_table_info_t info;
    memset(&info, 0, sizeof(info));
    memcpy(info.stem, file, fl - 4);
    info.stem[fl - 4] = '\0';
    if (fg_kb_table_find(kb, info.stem) >= 0)
        return fg_error_set(err, FG_EEXIST, file, 0, "%s: the table is loaded twice", file);
    fg_sha256_hex(data, n, info.sha256);

    ld_t l = {.kb = kb, .file = file, .err = err};
    if (fg__kb_add_table(kb, &info, &l.table) != 0)
        return fg_error_set(err, FG_ENOMEM, file, 0, NULL);
    l.info = &kb->tables[l.table];
    fg_csv_options_t opt = {
        .encoding = FG_CSV_ENC_AUTO,
        .on_error = FG_CSV_FATAL,
        .delimiter = ',',
        .header = 1,
        .strict_fields = 1,
        .name = file,
    };
    int rc = fg_csv_open_mem(data, n, &opt, &l.csv, err);
    if (rc != 0)
        return rc;
    rc = dispatch(&l, info.stem);
    fg_csv_close(l.csv);
    return rc;
}

int fg_kb_load_file(fg_kb_t *kb, const char *path, fg_error_t *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fg_error_set(err, -errno, path, 0, "%s: %s", path, strerror(errno));
    fg_buf_t b;
    fg_buf_init(&b, KB_MAX_FILE);
    char chunk[65536];
    int rc = 0;
    for (;;) {
        ssize_t r = read(fd, chunk, sizeof(chunk));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = fg_error_set(err, -errno, path, 0, "%s: %s", path, strerror(errno));
            break;
        }
        if (r == 0)
            break;
        rc = fg_buf_append(&b, chunk, (size_t)r);
        if (rc != 0) {
            fg_error_set(err, rc, path, 0, "%s: %s", path, fg_strerror(rc));
            break;
        }
    }
    close(fd);
    if (rc == 0)
        rc = fg_kb_load_mem(kb, path, b.data != NULL ? b.data : "", b.len, err);
    fg_buf_release(&b);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Load the *.csv files of one directory in name order; a missing directory is ENOENT unless
 * `optional`. */
static int load_one_dir(fg_kb_t *kb, const char *dir, int optional, fg_error_t *err)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        if (optional && (errno == ENOENT || errno == ENOTDIR))
            return 0;
        return fg_error_set(err, -errno, dir, 0, "%s: %s", dir, strerror(errno));
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    for (;;) {
        e = readdir(d);
        if (e == NULL)
            break;
        size_t l = strlen(e->d_name);
        if (l <= 4 || strcmp(e->d_name + l - 4, ".csv") != 0 || e->d_name[0] == '.')
            continue;
        if (fg__kb_grow((void **)&names, n, &cap, sizeof(*names)) != 0) {
            rc = FG_ENOMEM;
            break;
        }
        names[n] = fg_strndup(e->d_name, l);
        if (names[n] == NULL) {
            rc = FG_ENOMEM;
            break;
        }
        n++;
    }
    closedir(d);
    if (rc != 0)
        fg_error_set(err, rc, dir, 0, NULL);
    else if (n > 1)
        qsort(names, n, sizeof(*names), cmp_str);
    for (size_t i = 0; i < n && rc == 0; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        rc = fg_kb_load_file(kb, path, err);
    }
    for (size_t i = 0; i < n; i++)
        fg_free(names[i]);
    fg_free(names);
    return rc;
}

int fg_kb_load_dir(fg_kb_t *kb, const char *dir, fg_error_t *err)
{
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return fg_error_set(err, -ENOTDIR, dir, 0, "%s: not a directory", dir);
    char sub[4096];
    int rc = load_one_dir(kb, dir, 0, err);
    if (rc == 0) {
        snprintf(sub, sizeof(sub), "%s/nhsa", dir);
        rc = load_one_dir(kb, sub, 1, err);
    }
    if (rc == 0) {
        snprintf(sub, sizeof(sub), "%s/local", dir);
        rc = load_one_dir(kb, sub, 1, err);
    }
    return rc;
}
