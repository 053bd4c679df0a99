/*
 * load.c — knowledge tables from files into facts: the national 两库 tables exactly as published
 * (Chinese headers, batch = version) and a bureau's local tables (docs/kb.md).
 *
 * The file name says what a table is: "batch<N>[-<sub>]-<drug|item>-<family>[.names|.codes].csv"
 * for a national table, "<local-name>.csv" for a local one. Columns are found by header name. Every
 * row must parse; the first one that does not is the error, with file, line and column. The few
 * rows a published table carries at its foot (合计, 备注：…) — a 序号 that is no number and nothing
 * else — are counted as note rows, not knowledge points.
 *
 * One loader reads every table: kb_tables[] below describes each table the engine knows (its
 * columns, the steps that parse a row's fields and where they store them, what the row becomes),
 * and load_table() reads a file through its description.
 */
#include "core/compat.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
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

#define KB_MAX_COLS  8 /* columns of a table the loader reads */
#define KB_MAX_STEPS 8 /* steps that read a row */

/* One table being loaded. */
typedef struct ld {
    fg_kb_t *kb;
    fg_csv_t *csv;
    const char *file; /* file name for messages */
    uint16_t table;
    fg_kb_table_info_t *info;
    fg_csv_row_t row;
    fg_error_t *err;
    const struct drug_family *df; /* a drug table's family */
    int c[KB_MAX_COLS];           /* the file's column of each of the table's columns, -1 absent */
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

/* ---------------------------------------------------------------- the table-driven loader */

/*
 * Every table the engine knows is one row of kb_tables below: its name, its columns (found by
 * header name, in the order a missing one is reported), the steps that read a data row (a column
 * each, in the order their errors are reported: a step parses its field and stores the value at
 * an offset of the row record) and what the row becomes (a fact, a drug limit, a drug code, a
 * bundle part, a diagnosis limit, a visit threshold, a parameter).
 */

/* One data row as its steps fill it. */
typedef struct rec {
    fg_kb_fact_t f;
    fg_kb_bundle_t b; /* a bundle's own fields (bundle.csv) */
    int64_t seq;      /* 序号 */
    int64_t num;      /* a number kept aside (a bundle's min_parts) */
    int64_t age_min;  /* diagnosis-sex-age.csv, -1 when not given */
    int64_t age_max;
    uint32_t code2; /* the main item of a duplicate pair, the bundle of a part */
    uint32_t name2; /* the main item's name */
} rec_t;

typedef struct step step_t;
/* Read field c of the row into the record; 0 or the row's error. */
typedef int (*step_fn)(ld_t *l, const step_t *s, int c, rec_t *r);

enum { S_SKIP_EMPTY = 1 }; /* step flags: an empty field is skipped (an optional value) */

struct step {
    uint8_t col;    /* index into the table's columns; an absent optional column is skipped */
    uint8_t flags;  /* S_* */
    step_fn fn;     /* parse and store */
    uint16_t off;   /* where in rec_t the value goes */
    int32_t lo, hi; /* bounds of a number; lo is the fg_id_kind_t of a code */
    const char
        *arg; /* the expected text (限定类型), the message of a word; NULL: the drug family's */
};

typedef struct col {
    const char *name; /* NULL: the drug family's value column */
    const char *alt;  /* another header of the same column */
    uint8_t required;
} col_t;

typedef enum tclass {
    TC_ITEM = 1,   /* a national item table: batch<N>-item-<family>.csv */
    TC_DRUG_NAMES, /* a drug batch's .names.csv */
    TC_DRUG_CODES, /* a drug batch's .codes.csv */
    TC_LOCAL       /* a local table: <name>.csv */
} tclass_t;

typedef struct table_desc {
    tclass_t tclass;
    const char *name;   /* the item family or the local table's name (NULL for the drug tables) */
    const char *if_col; /* this shape only when the header has this column (NULL: always) */
    uint8_t kind;       /* fg_kb_kind_t of the row's fact (0: none) */
    int8_t note_col; /* the 序号 column whose note rows (合计, 备注) are counted apart; -1 none */
    col_t cols[KB_MAX_COLS];
    step_t steps[KB_MAX_STEPS];
    int (*header)(ld_t *l); /* a check of the whole header, NULL none */
    int (*store)(ld_t *l, rec_t *r);
    void (*end)(ld_t *l); /* after the last row, NULL none */
} table_desc_t;

#define AT(field) ((uint16_t)offsetof(rec_t, field))

static void *dst(const step_t *s, rec_t *r)
{
    return (char *)r + s->off;
}

/* ---- steps */

static int st_need(ld_t *l, const step_t *s, int c, rec_t *r)
{
    (void)s;
    (void)r;
    return need_fld(l, c);
}

static int st_text(ld_t *l, const step_t *s, int c, rec_t *r)
{
    int rc;
    *(uint32_t *)dst(s, r) = intern_fld(l, c, &rc);
    return rc != 0 ? nomem(l) : 0;
}

static int st_code(ld_t *l, const step_t *s, int c, rec_t *r)
{
    return code_fld(l, c, (fg_id_kind_t)s->lo, (uint32_t *)dst(s, r));
}

static int st_int(ld_t *l, const step_t *s, int c, rec_t *r)
{
    return int_fld(l, c, s->lo, s->hi, (int64_t *)dst(s, r));
}

static int st_type(ld_t *l, const step_t *s, int c, rec_t *r)
{
    (void)r;
    return type_fld(l, c, s->arg != NULL ? s->arg : l->df->type);
}

static int st_sex(ld_t *l, const step_t *s, int c, rec_t *r)
{
    return sex_word(l, c, (uint8_t *)dst(s, r));
}

static int st_age(ld_t *l, const step_t *s, int c, rec_t *r)
{
    return age_word(l, c, (uint8_t *)dst(s, r));
}

static int st_drug_value(ld_t *l, const step_t *s, int c, rec_t *r)
{
    (void)s;
    return drug_limit_value(l, l->df, c, &r->f.sub, &r->f.a);
}

static int st_money(ld_t *l, const step_t *s, int c, rec_t *r)
{
    return money_fld(l, c, (fg_fen_t *)dst(s, r));
}

static int st_qty(ld_t *l, const step_t *s, int c, rec_t *r)
{
    size_t n;
    const char *v = fld(l, c, &n);
    int64_t *out = dst(s, r);
    if (fg_qty_parse(v, n, out, NULL) != 0 || *out <= 0)
        return row_error(l, c, "expected a quantity above 0");
    return 0;
}

/* A scene word (门诊, 购药, 住院) into f.sub; arg is the message. */
static int st_scene(ld_t *l, const step_t *s, int c, rec_t *r)
{
    size_t n;
    const char *v = fld(l, c, &n);
    r->f.sub = (uint8_t)scene_word(v, n);
    if (r->f.sub == 0)
        return row_error(l, c, "%s", s->arg);
    return 0;
}

/* 频度 of a duplicate pair: f.sub and f.a (hours). */
static int st_scope(ld_t *l, const step_t *s, int c, rec_t *r)
{
    (void)s;
    return scope_word(l, c, &r->f.sub, &r->f.a);
}

static int st_bundle_scope(ld_t *l, const step_t *s, int c, rec_t *r)
{
    int64_t hours;
    (void)s;
    TRY(scope_word(l, c, &r->b.scope, &hours));
    if (r->b.scope != FG_KB_SCOPE_DAY && r->b.scope != FG_KB_SCOPE_VISIT)
        return row_error(l, c, "a bundle's scope is 单日 or 单次就诊");
    return 0;
}

/* 数量单位 of batch 8-1: the limit is per day whatever the unit (1 per 日/天, 24 per day when
 * counted in 小时). */
static int st_unit(ld_t *l, const step_t *s, int c, rec_t *r)
{
    if (!fld_is(l, c, "日") && !fld_is(l, c, "天") && !fld_is(l, c, "小时") && !fld_is(l, c, "次"))
        return row_error(l, c, "expected 日, 天, 小时 or 次");
    (void)s;
    (void)r;
    return 0;
}

/* 备注 of batch 8-2: the legal working age. */
static int st_work_age(ld_t *l, const step_t *s, int c, rec_t *r)
{
    size_t n;
    const char *v = fld(l, c, &n);
    if (memmem(v, n, "就业年龄", strlen("就业年龄")) == NULL)
        return row_error(l, c, "no age limit this engine knows (expected 法定就业年龄)");
    r->f.kind = FG_KF_ITEM_WORK_AGE;
    return st_text(l, s, c, r);
}

/* 备注 of batch 8-3: the course (不超过N天 / 一年) and the least interval (不短于N天, 每周一次). */
static int st_course(ld_t *l, const step_t *s, int c, rec_t *r)
{
    size_t n;
    const char *v = fld(l, c, &n);
    long days = text_limit_days(v, n, "不超过");
    if (days <= 0)
        return row_error(l, c, "no course length found (expected 不超过N天 or 不超过一年)");
    r->f.a = days;
    long gap = text_limit_days(v, n, "不短于");
    if (gap > 0)
        r->f.b = gap;
    else if (memmem(v, n, "每周最多支付一次", strlen("每周最多支付一次")) != NULL)
        r->f.b = 7;
    (void)s;
    return 0;
}

/* hosp_lv of price-cap.csv: 1, 2, 3, or empty / * (every level). */
static int st_level(ld_t *l, const step_t *s, int c, rec_t *r)
{
    (void)s;
    if (fld_empty(l, c) || fld_is(l, c, "*"))
        r->f.sub = 0;
    else if (fld_is(l, c, "1") || fld_is(l, c, "2") || fld_is(l, c, "3"))
        r->f.sub = (uint8_t)(l->row.data[c][0] - '0');
    else
        return row_error(l, c, "expected 1, 2, 3 or empty (every level)");
    return 0;
}

/* diag_prefixes of indication.csv (present: st_need): ICD-10 prefixes separated by |. */
static int st_prefixes(ld_t *l, const step_t *s, int c, rec_t *r)
{
    size_t n;
    const char *v = fld(l, c, &n);
    for (size_t i = 0; i < n; i++)
        if (!((v[i] >= 'A' && v[i] <= 'Z') || (v[i] >= '0' && v[i] <= '9') || v[i] == '.' ||
              v[i] == '|' || (v[i] >= 'a' && v[i] <= 'z')))
            return row_error(l, c, "diagnosis prefixes are ICD-10 text separated by |");
    return st_text(l, s, c, r);
}

/* gend of diagnosis-sex-age.csv into f.sub. */
static int st_gend(ld_t *l, const step_t *s, int c, rec_t *r)
{
    (void)s;
    if (fld_is(l, c, "1") || fld_is(l, c, "男"))
        r->f.sub = 1;
    else if (fld_is(l, c, "2") || fld_is(l, c, "女"))
        r->f.sub = 2;
    else
        return row_error(l, c, "expected 1/男, 2/女 or empty");
    return 0;
}

/* key of params.csv, with the value of the next column. */
static int st_param(ld_t *l, const step_t *s, int c, rec_t *r)
{
    fg_error_t e;
    size_t n;
    int cv = l->c[s->col + 1];
    const char *v = fld(l, cv, &n);
    (void)r;
    if (fg__kb_param_set(&l->kb->params, l->row.data[c], v, n, &e) != 0)
        return row_error(l, e.code == FG_ENOTFOUND ? c : cv, "%s", e.msg);
    return 0;
}

/* ---- what a row becomes */

static int grow_one(ld_t *l, void **p, size_t n, size_t *cap, size_t size)
{
    return fg__kb_grow(p, n, cap, size) != 0 ? nomem(l) : 0;
}

static int store_fact(ld_t *l, rec_t *r)
{
    return add_fact(l, &r->f);
}

/* A limit row of a drug .names table; a generic name listed twice is an error. */
static int store_limit(ld_t *l, rec_t *r)
{
    fg_kb_t *kb = l->kb;
    int cn = l->c[0];
    kb_limit_t lim = {.table = l->table,
                      .row = (uint32_t)l->info->rows,
                      .kind = l->df->kind,
                      .sub = r->f.sub,
                      .a = r->f.a,
                      .name = r->f.name,
                      .text = r->f.text};
    size_t n;
    const char *name = fld(l, cn, &n);
    uint64_t h = fg_hash64_seed(name, n, fg_hash64(l->info->stem, strlen(l->info->stem)));
    size_t probe = 0;
    for (;;) {
        kb_slot_t *slot = fg_hmap_find(&kb->limit_index, h, &probe);
        if (slot == NULL)
            break;
        const kb_limit_t *o = &kb->limits[slot->value - 1];
        if (o->name == lim.name && o->table == lim.table)
            return row_error(l, cn, "the drug '%.*s' is listed twice (also row %u)",
                             (int)(n > 60 ? 60 : n), name, (unsigned)o->row);
    }
    TRY(grow_one(l, (void **)&kb->limits, kb->nlimits, &kb->limits_cap, sizeof(*kb->limits)));
    kb->limits[kb->nlimits++] = lim;
    if (fg_hmap_put(&kb->limit_index, h, (uint32_t)kb->nlimits, 0) != 0)
        return nomem(l);
    l->info->points++;
    return 0;
}

/* A code of a drug .codes table, resolved against its .names table at seal time. */
static int store_pending(ld_t *l, rec_t *r)
{
    fg_kb_t *kb = l->kb;
    kb_pending_t p = {.table = l->table,
                      .row = (uint32_t)l->info->rows,
                      .line = l->row.line,
                      .name = r->f.name,
                      .code = r->f.code};
    TRY(grow_one(l, (void **)&kb->pending, kb->npending, &kb->pending_cap, sizeof(*kb->pending)));
    kb->pending[kb->npending++] = p;
    l->info->points++;
    return 0;
}

/* The secondary item of a duplicate pair (batch 7). */
static int store_duplicate(ld_t *l, rec_t *r)
{
    if (r->code2 == r->f.code)
        return row_error(l, l->c[5], "the secondary item is the main item");
    r->f.ref = r->code2;
    r->f.b = r->name2;
    return add_fact(l, &r->f);
}

static int store_max_quantity(ld_t *l, rec_t *r)
{
    if (r->f.a == 0 && r->f.b == 0)
        return row_error(l, l->c[1] >= 0 ? l->c[1] : l->c[2], "give max_cnt or max_days");
    return add_fact(l, &r->f);
}

/* The bundle's own fields, read from its first row. */
static const step_t bundle_steps[] = {
    {2, 0, st_text, AT(b.name), 0, 0, NULL},
    {3, S_SKIP_EMPTY, st_money, AT(b.pric), 0, 0, NULL},
    {6, S_SKIP_EMPTY, st_int, AT(num), 2, 1000, NULL},
    {5, S_SKIP_EMPTY, st_bundle_scope, 0, 0, 0, NULL},
};

static int run_steps(ld_t *l, const step_t *steps, size_t n, rec_t *r);

/* A part of a bundle; the bundle itself from the first row that names it. */
static int store_bundle(ld_t *l, rec_t *r)
{
    fg_kb_t *kb = l->kb;
    uint32_t bcode = r->code2;
    if (bcode == r->f.code)
        return row_error(l, l->c[1], "a bundle is not its own part");
    size_t bi = 0;
    while (bi < kb->nbundles && kb->bundles[bi].code != bcode)
        bi++;
    if (bi == kb->nbundles) {
        r->b = (fg_kb_bundle_t){.code = bcode,
                                .scope = FG_KB_SCOPE_DAY,
                                .table = l->table,
                                .row = (uint32_t)l->info->rows};
        TRY(run_steps(l, bundle_steps, FG_ARRAY_LEN(bundle_steps), r));
        r->b.min_parts = r->num != 0 ? (int32_t)r->num : 2;
        TRY(grow_one(l, (void **)&kb->bundles, kb->nbundles, &kb->bundles_cap,
                     sizeof(*kb->bundles)));
        kb->bundles[kb->nbundles++] = r->b;
    }
    r->f.a = (int64_t)bi;
    r->f.ref = bcode;
    return add_fact(l, &r->f);
}

static int store_diag(ld_t *l, rec_t *r)
{
    fg_kb_t *kb = l->kb;
    fg_kb_diag_limit_t d = {.prefix = r->f.ref,
                            .name = r->f.name,
                            .gend = r->f.sub,
                            .min_age = (int16_t)r->age_min,
                            .max_age = (int16_t)r->age_max,
                            .table = l->table,
                            .row = (uint32_t)l->info->rows};
    if (d.gend == 0 && d.min_age < 0 && d.max_age < 0)
        return row_error(l, l->c[0], "give gend, min_age or max_age");
    TRY(grow_one(l, (void **)&kb->diags, kb->ndiags, &kb->diags_cap, sizeof(*kb->diags)));
    kb->diags[kb->ndiags++] = d;
    l->info->points++;
    return 0;
}

static int store_visit(ld_t *l, rec_t *r)
{
    fg_kb_t *kb = l->kb;
    fg_kb_visit_limit_t v = {.scene = r->f.sub,
                             .window_days = (int32_t)r->f.a,
                             .max_visits = (int32_t)r->f.b,
                             .table = l->table,
                             .row = (uint32_t)l->info->rows};
    TRY(grow_one(l, (void **)&kb->visits, kb->nvisits, &kb->visits_cap, sizeof(*kb->visits)));
    kb->visits[kb->nvisits++] = v;
    l->info->points++;
    return 0;
}

static int store_count(ld_t *l, rec_t *r)
{
    (void)r;
    l->info->points++;
    return 0;
}

/* ---- header checks */

static int max_quantity_header(ld_t *l)
{
    int c;
    if (l->c[1] < 0 && l->c[2] < 0)
        return need_col(l, &c, "max_cnt", NULL);
    return 0;
}

static void params_end(ld_t *l)
{
    l->kb->params.table = l->table;
}

/* ---- the tables */

/* clang-format off */
#define REQ(name, alt)          {name, alt, 1}
#define OPT(name)               {name, NULL, 0}
#define STEP(col, fn, field)    {col, 0, fn, AT(field), 0, 0, NULL}
#define CODE(col, kind, field)  {col, 0, st_code, AT(field), kind, 0, NULL}
#define INT(col, lo, hi, field) {col, 0, st_int, AT(field), lo, hi, NULL}
#define TYPE(col, want)         {col, 0, st_type, 0, 0, 0, want}
#define SEQ(col)                INT(col, 1, 10000000, seq)
/* clang-format on */

static const table_desc_t kb_tables[] = {
    /* national drug tables (batches 1, 3–6): the value column and 限定类型 are the family's */
    {.tclass = TC_DRUG_NAMES,
     .note_col = -1,
     .cols = {REQ("药品通用名", NULL), REQ("药品说明", NULL), REQ("限定类型", NULL),
              REQ(NULL, NULL)},
     .steps = {STEP(0, st_need, f), TYPE(2, NULL), STEP(3, st_drug_value, f),
               STEP(0, st_text, f.name), STEP(1, st_text, f.text)},
     .store = store_limit},
    {.tclass = TC_DRUG_CODES,
     .note_col = -1,
     .cols = {REQ("药品通用名", NULL), REQ("序号", NULL), REQ("国标代码", "药品代码"),
              REQ("限定类型", NULL)},
     .steps = {STEP(0, st_need, f), INT(1, 1, 1000000, seq), CODE(2, FG_ID_DRUG, f.code),
               TYPE(3, NULL), STEP(0, st_text, f.name)},
     .store = store_pending},
    /* national item tables (batches 1, 2, 7, 8) */
    {.tclass = TC_ITEM,
     .name = "item-gender",
     .kind = FG_KF_ITEM_GENDER,
     .note_col = -1,
     .cols = {REQ("项目名称", NULL), REQ("项目说明", NULL), REQ("国标代码", "项目代码"),
              REQ("限定类型", NULL), REQ("限定性别", "限定对象")},
     .steps = {CODE(2, FG_ID_ITEM, f.code), TYPE(3, "限定性别对象"), STEP(4, st_sex, f.sub),
               STEP(0, st_text, f.name), STEP(1, st_text, f.text)},
     .store = store_fact},
    /* batch 1 shape: 限定对象 儿童/婴幼儿/新生儿 */
    {.tclass = TC_ITEM,
     .name = "item-age",
     .if_col = "限定对象",
     .kind = FG_KF_ITEM_AGE,
     .note_col = 4,
     .cols = {REQ("项目名称", NULL), REQ("国标代码", "项目代码"), REQ("限定类型", NULL),
              REQ("限定对象", NULL), OPT("序号")},
     .steps = {CODE(1, FG_ID_ITEM, f.code), TYPE(2, "限定年龄对象"), STEP(3, st_age, f.sub),
               STEP(0, st_text, f.name)},
     .store = store_fact},
    /* batch 8-2 shape: 备注 naming the legal working age */
    {.tclass = TC_ITEM,
     .name = "item-age",
     .kind = FG_KF_ITEM_AGE,
     .note_col = 3,
     .cols = {REQ("项目名称", NULL), REQ("国标代码", "项目代码"), REQ("备注", NULL), OPT("序号")},
     .steps = {CODE(1, FG_ID_ITEM, f.code), STEP(2, st_work_age, f.text), STEP(0, st_text, f.name)},
     .store = store_fact},
    {.tclass = TC_ITEM,
     .name = "item-surgery-group",
     .kind = FG_KF_SURGERY_GROUP,
     .note_col = -1,
     .cols = {REQ("项目名称", NULL), REQ("项目说明", NULL), REQ("国标代码", "项目代码"),
              REQ("限定类型", NULL), REQ("限定值域", NULL)},
     .steps = {CODE(2, FG_ID_ITEM, f.code), TYPE(3, "限定主次操作"), STEP(4, st_need, f),
               STEP(0, st_text, f.name), STEP(1, st_text, f.text), STEP(4, st_text, f.ref)},
     .store = store_fact},
    {.tclass = TC_ITEM,
     .name = "item-duplicate-charge",
     .kind = FG_KF_DUP_SECONDARY,
     .note_col = 0,
     .cols = {REQ("序号", NULL), REQ("频度", NULL), REQ("主项名称", NULL), REQ("主项编码", NULL),
              REQ("从项名称", NULL), REQ("从项编码", NULL), REQ("备注", NULL)},
     .steps = {SEQ(0), STEP(1, st_scope, f), CODE(3, FG_ID_ITEM, code2),
               CODE(5, FG_ID_ITEM, f.code), STEP(4, st_text, f.name), STEP(2, st_text, name2),
               STEP(6, st_text, f.text)},
     .store = store_duplicate},
    {.tclass = TC_ITEM,
     .name = "item-frequency",
     .kind = FG_KF_FREQUENCY,
     .note_col = 0,
     .cols = {REQ("序号", NULL), REQ("项目名称", NULL), REQ("限制数量", NULL),
              REQ("数量单位", NULL), REQ("项目编码", "项目代码")},
     .steps = {SEQ(0), INT(2, 1, 1000000, f.a), CODE(4, FG_ID_ITEM, f.code), STEP(3, st_unit, f),
               STEP(1, st_text, f.name), STEP(3, st_text, f.ref)},
     .store = store_fact},
    {.tclass = TC_ITEM,
     .name = "item-course",
     .kind = FG_KF_ITEM_COURSE,
     .note_col = 0,
     .cols = {REQ("序号", NULL), REQ("项目名称", NULL), REQ("备注", NULL),
              REQ("项目代码", "项目编码")},
     .steps = {SEQ(0), CODE(3, FG_ID_ITEM, f.code), STEP(2, st_course, f), STEP(1, st_text, f.name),
               STEP(2, st_text, f.text)},
     .store = store_fact},
    {.tclass = TC_ITEM,
     .name = "item-period-frequency",
     .kind = FG_KF_CYCLE,
     .note_col = 0,
     .cols = {REQ("序号", NULL), REQ("项目名称", NULL), REQ("频次上限", NULL),
              REQ("疗程周期", NULL), REQ("备注", NULL), REQ("项目代码", "项目编码")},
     .steps = {SEQ(0), INT(2, 1, 100000, f.a), INT(3, 1, 3660, f.b), CODE(5, FG_ID_ITEM, f.code),
               STEP(1, st_text, f.name), STEP(4, st_text, f.text)},
     .store = store_fact},
    /* local tables (docs/kb.md) */
    {.tclass = TC_LOCAL,
     .name = "price-cap",
     .kind = FG_KF_PRICE_CAP,
     .note_col = -1,
     .cols = {REQ("med_list_codg", NULL), REQ("hosp_lv", NULL), REQ("pric_uplmt_amt", NULL),
              OPT("name")},
     .steps = {CODE(0, FG_ID_MED_LIST, f.code), STEP(2, st_money, f.a), STEP(3, st_text, f.name),
               STEP(1, st_level, f.sub)},
     .store = store_fact},
    {.tclass = TC_LOCAL,
     .name = "indication",
     .kind = FG_KF_INDICATION,
     .note_col = -1,
     .cols = {REQ("med_list_codg", NULL), REQ("diag_prefixes", NULL), OPT("name"), OPT("note")},
     .steps = {CODE(0, FG_ID_MED_LIST, f.code), STEP(1, st_need, f), STEP(2, st_text, f.name),
               STEP(3, st_text, f.text), STEP(1, st_prefixes, f.ref)},
     .store = store_fact},
    {.tclass = TC_LOCAL,
     .name = "max-quantity",
     .kind = FG_KF_MAX_QTY,
     .note_col = -1,
     .cols = {REQ("med_list_codg", NULL), OPT("max_cnt"), OPT("max_days"), OPT("name"),
              OPT("note")},
     .steps = {CODE(0, FG_ID_MED_LIST, f.code),
               STEP(3, st_text, f.name),
               STEP(4, st_text, f.text),
               {1, S_SKIP_EMPTY, st_qty, AT(f.a), 0, 0, NULL},
               {2, S_SKIP_EMPTY, st_int, AT(f.b), 1, 3660, NULL}},
     .header = max_quantity_header,
     .store = store_max_quantity},
    /* columns 2, 3, 5, 6: the bundle's own (bundle_steps) */
    {.tclass = TC_LOCAL,
     .name = "bundle",
     .kind = FG_KF_BUNDLE_PART,
     .note_col = -1,
     .cols = {REQ("bundle_codg", NULL), REQ("part_codg", NULL), OPT("bundle_name"),
              OPT("bundle_pric"), OPT("part_name"), OPT("scope"), OPT("min_parts")},
     .steps = {CODE(0, FG_ID_MED_LIST, code2), CODE(1, FG_ID_MED_LIST, f.code),
               STEP(4, st_text, f.name)},
     .store = store_bundle},
    {.tclass = TC_LOCAL,
     .name = "diagnosis-sex-age",
     .note_col = -1,
     .cols = {REQ("diag_prefix", NULL), OPT("name"), OPT("gend"), OPT("min_age"), OPT("max_age")},
     .steps = {STEP(0, st_need, f),
               STEP(1, st_text, f.name),
               STEP(0, st_text, f.ref),
               {2, S_SKIP_EMPTY, st_gend, 0, 0, 0, NULL},
               {3, S_SKIP_EMPTY, st_int, AT(age_min), 0, 150, NULL},
               {4, S_SKIP_EMPTY, st_int, AT(age_max), 0, 150, NULL}},
     .store = store_diag},
    {.tclass = TC_LOCAL,
     .name = "nocode-stock",
     .kind = FG_KF_NOCODE,
     .note_col = -1,
     .cols = {REQ("fixmedins_code", NULL), REQ("med_list_codg", NULL), REQ("cnt", NULL),
              OPT("note")},
     .steps = {CODE(0, FG_ID_INSTITUTION, f.ref), CODE(1, FG_ID_DRUG, f.code),
               STEP(3, st_text, f.text), STEP(2, st_qty, f.a)},
     .store = store_fact},
    {.tclass = TC_LOCAL,
     .name = "frequent-visits",
     .note_col = -1,
     .cols = {REQ("scene", NULL), REQ("window_days", NULL), REQ("max_visits", NULL)},
     .steps = {{0, 0, st_scene, 0, 0, 0, "expected 门诊, 购药 or 住院"},
               INT(1, 1, 3660, f.a),
               INT(2, 1, 100000, f.b)},
     .store = store_visit},
    /* st_param reads column 0 (key) with column 1 (value) */
    {.tclass = TC_LOCAL,
     .name = "params",
     .note_col = -1,
     .cols = {REQ("key", NULL), REQ("value", NULL)},
     .steps = {STEP(0, st_param, f)},
     .store = store_count,
     .end = params_end},
};

/* Run the steps that have a column in this file, in order; the first error stops. */
static int run_steps(ld_t *l, const step_t *steps, size_t n, rec_t *r)
{
    for (size_t i = 0; i < n && steps[i].fn != NULL; i++) {
        const step_t *s = &steps[i];
        int c = l->c[s->col];
        if (c < 0 || ((s->flags & S_SKIP_EMPTY) && fld_empty(l, c)))
            continue;
        TRY(s->fn(l, s, c, r));
    }
    return 0;
}

/* The one loader: find the columns, then read every row through the table's steps. */
static int load_table(ld_t *l, const table_desc_t *t)
{
    for (size_t i = 0; i < KB_MAX_COLS; i++) {
        const col_t *col = &t->cols[i];
        const char *name = col->name != NULL ? col->name : l->df != NULL ? l->df->value : NULL;
        l->c[i] = -1;
        if (col->name == NULL && !col->required)
            continue; /* past the last column */
        if (col->required)
            TRY(need_col(l, &l->c[i], name, col->alt));
        else
            l->c[i] = fg_csv_column(l->csv, name);
    }
    if (t->header != NULL)
        TRY(t->header(l));
    int rc;
    for (;;) {
        rc = next_row(l);
        if (rc != 1)
            break;
        if (t->note_col >= 0 && is_note_row(l, l->c[t->note_col])) {
            l->info->notes++;
            continue;
        }
        rec_t r = {.f = {.kind = t->kind}, .age_min = -1, .age_max = -1};
        TRY(run_steps(l, t->steps, KB_MAX_STEPS, &r));
        TRY(t->store(l, &r));
    }
    if (t->end != NULL)
        t->end(l);
    return rc;
}

/* The description of a table of this class and name whose shape fits the header, or NULL. */
static const table_desc_t *find_table(const ld_t *l, tclass_t tclass, const char *name)
{
    for (size_t i = 0; i < FG_ARRAY_LEN(kb_tables); i++) {
        const table_desc_t *t = &kb_tables[i];
        if (t->tclass != tclass || (name != NULL && strcmp(t->name, name) != 0))
            continue;
        if (t->if_col == NULL || fg_csv_column(l->csv, t->if_col) >= 0)
            return t;
    }
    return NULL;
}

/* ---------------------------------------------------------------- dispatch */

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

/* The table's description from its file name (and, for a shape, its header). */
static const table_desc_t *describe(ld_t *l, const char *stem)
{
    char version[16], family[32];
    int part;
    if (fg__kb_parse_national_name(stem, version, sizeof(version), family, sizeof(family), &part) !=
        0) {
        const table_desc_t *t = find_table(l, TC_LOCAL, stem);
        if (t != NULL) {
            l->info->tkind = FG_KT_LOCAL;
            snprintf(l->info->version, sizeof(l->info->version), "local");
            snprintf(l->info->family, sizeof(l->info->family), "%s", t->name);
        }
        return t;
    }
    snprintf(l->info->version, sizeof(l->info->version), "%s", version);
    snprintf(l->info->family, sizeof(l->info->family), "%s", family);
    l->df = drug_family(family);
    if (l->df != NULL && part == 1) {
        l->info->tkind = FG_KT_NHSA_NAMES;
        return find_table(l, TC_DRUG_NAMES, NULL);
    }
    if (l->df != NULL && part == 2) {
        l->info->tkind = FG_KT_NHSA_CODES;
        return find_table(l, TC_DRUG_CODES, NULL);
    }
    l->df = NULL;
    l->info->tkind = FG_KT_NHSA_ITEMS;
    return part == 0 ? find_table(l, TC_ITEM, family) : NULL;
}

static int dispatch(ld_t *l, const char *stem)
{
    const table_desc_t *t = describe(l, stem);
    if (t != NULL)
        return load_table(l, t);
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
