/* t_kb.c — the knowledge base: national tables loaded exactly, local tables, strictness, slices. */
#include "core/compat.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fundguard/alloc.h"
#include "fundguard/kb.h"
#include "t.h"

static fg_kb_t *load_national(void)
{
    fg_kb_t *kb = fg_kb_new();
    fg_error_t err;
    ASSERT(kb != NULL);
    int rc = fg_kb_load_dir(kb, t_path("kb"), &err);
    if (rc != 0)
        t_fail(__FILE__, __LINE__, "load: %s", err.msg);
    ASSERT_OK(fg_kb_seal(kb, &err));
    return kb;
}

static const fg_kb_table_info_t *table(const fg_kb_t *kb, const char *stem)
{
    for (size_t i = 0; i < fg_kb_ntables(kb); i++)
        if (strcmp(fg_kb_table_info(kb, i)->stem, stem) == 0)
            return fg_kb_table_info(kb, i);
    t_fail(__FILE__, __LINE__, "no table %s", stem);
}

TEST(kb_national_counts)
{
    fg_kb_t *kb = load_national();
    struct {
        const char *stem;
        long rows;
        long points;
    } want[] = {
        {"batch1-drug-age.codes", 4398, 4398},
        {"batch1-drug-age.names", 282, 282},
        {"batch1-drug-gender.codes", 6472, 6472},
        {"batch1-drug-gender.names", 481, 481},
        {"batch1-item-age", 30, 30},
        {"batch1-item-gender", 390, 390},
        {"batch2-item-surgery-group", 378, 378},
        {"batch3-drug-insurance-type.codes", 112, 112},
        {"batch3-drug-insurance-type.names", 12, 12},
        {"batch4-drug-care-setting.codes", 736, 736},
        {"batch4-drug-care-setting.names", 35, 35},
        {"batch5-drug-institution-level.codes", 962, 962},
        {"batch5-drug-institution-level.names", 61, 61},
        {"batch6-drug-payment-course.codes", 1147, 1147},
        {"batch6-drug-payment-course.names", 30, 30},
        {"batch7-item-duplicate-charge", 900, 900},
        {"batch8-1-item-frequency", 69, 67},
        {"batch8-2-item-age", 1, 1},
        {"batch8-3-item-course", 11, 11},
        {"batch8-4-item-period-frequency", 14, 14},
    };
    ASSERT_EQ(fg_kb_ntables(kb), FG_ARRAY_LEN(want));
    for (size_t i = 0; i < FG_ARRAY_LEN(want); i++) {
        const fg_kb_table_info_t *t = table(kb, want[i].stem);
        if (t->rows != want[i].rows || t->points != want[i].points)
            t_fail(__FILE__, __LINE__, "%s: rows %ld points %ld, want %ld %ld", t->stem, t->rows,
                   t->points, want[i].rows, want[i].points);
        ASSERT_EQ(t->rows, t->points + t->notes);
    }
    ASSERT_STR_EQ(table(kb, "batch8-1-item-frequency")->version, "batch8");
    ASSERT_STR_EQ(table(kb, "batch7-item-duplicate-charge")->version, "batch7");
    /* facts: every drug code row becomes one fact */
    ASSERT_EQ(fg_kb_nfacts(kb, FG_KF_DRUG_GENDER), 6472);
    ASSERT_EQ(fg_kb_nfacts(kb, FG_KF_DRUG_AGE), 4398);
    ASSERT_EQ(fg_kb_nfacts(kb, FG_KF_DUP_SECONDARY), 900);
    ASSERT_EQ(fg_kb_nfacts(kb, FG_KF_FREQUENCY), 67);
    ASSERT_EQ(fg_kb_nfacts(kb, FG_KF_CYCLE), 14);
    ASSERT_EQ(fg_kb_nfacts(kb, FG_KF_ITEM_COURSE), 11);
    ASSERT_EQ(fg_kb_nfacts(kb, FG_KF_ITEM_WORK_AGE), 1);
    ASSERT(strncmp(fg_kb_version(kb), "nhsa:1,2,3,4,5,6,7,8+local:0@", 29) == 0);
    fg_kb_free(kb);
}

/* Records of a CSV file counted from its bytes, not through the loader's reader: line ends outside
 * quotes, blank lines skipped, minus the header. */
static long file_records(const char *path)
{
    size_t n;
    char *s = t_read_file(path, &n);
    long records = 0;
    int quoted = 0;
    int content = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            quoted = !quoted;
        if (s[i] == '\n' && !quoted) {
            records += content;
            content = 0;
        } else if (s[i] != '\r') {
            content = 1;
        }
    }
    records += content;
    free(s);
    return records - 1;
}

/* Done-when of issue 5: `kb stats` counts equal the rows of every national table as published. */
TEST(kb_counts_equal_published_rows)
{
    fg_kb_t *kb = load_national();
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", t_path("kb/nhsa"));
    DIR *d = opendir(dir);
    ASSERT(d != NULL);
    size_t files = 0;
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d)) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".csv") != 0)
            continue;
        char stem[256];
        char path[4400];
        snprintf(stem, sizeof(stem), "%.*s", (int)(len - 4), e->d_name);
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        const fg_kb_table_info_t *t = table(kb, stem);
        long want = file_records(path);
        if (t->rows != want)
            t_fail(__FILE__, __LINE__, "%s: kb stats says %ld rows, the file has %ld", stem,
                   t->rows, want);
        files++;
    }
    closedir(d);
    ASSERT_EQ(fg_kb_ntables(kb), files);
    fg_kb_free(kb);
}

TEST(kb_lookup_facts)
{
    fg_kb_t *kb = load_national();
    /* 阿帕他胺片 (男) */
    const fg_kb_fact_t *f = fg_kb_lookup(kb, "XL02BBA326A001010102180", 23);
    ASSERT(f != NULL);
    ASSERT_EQ(f->kind, FG_KF_DRUG_GENDER);
    ASSERT_EQ(f->sub, 1);
    ASSERT_STR_EQ(fg_kb_str(kb, f->name), "阿帕他胺片");
    char kp[96];
    ASSERT_STR_EQ(fg_kb_kp(kb, f->table, f->row, kp, sizeof(kp)), "batch1-drug-gender.names#1");
    /* 急诊诊查费 is the secondary of row 1 of batch 7 */
    int found = 0;
    for (f = fg_kb_lookup(kb, "001102000030000", 15); f != NULL; f = fg_kb_fact_next(kb, f)) {
        if (f->kind == FG_KF_DUP_SECONDARY && f->row == 1) {
            found = 1;
            ASSERT_STR_EQ(fg_kb_str(kb, f->ref), "001103000010000");
            ASSERT_EQ(f->sub, FG_KB_SCOPE_DAY);
            ASSERT_STR_EQ(fg_kb_str(kb, (uint32_t)f->b), "急诊监护费");
        }
    }
    ASSERT(found);
    /* 帕妥珠单抗注射液: 365 days */
    f = fg_kb_lookup(kb, "XL01FDP138B002010181735", 23);
    ASSERT(f != NULL);
    ASSERT_EQ(f->kind, FG_KF_DRUG_COURSE);
    ASSERT_EQ(f->a, 365);
    /* 儿童听力障碍语言训练: item age (儿童), course 365 with 7-day interval, cycle 1 in 7 */
    int kinds = 0;
    for (f = fg_kb_lookup(kb, "003402000350000", 15); f != NULL; f = fg_kb_fact_next(kb, f)) {
        if (f->kind == FG_KF_ITEM_COURSE) {
            ASSERT_EQ(f->a, 365);
            ASSERT_EQ(f->b, 7);
        }
        if (f->kind == FG_KF_CYCLE) {
            ASSERT_EQ(f->a, 1);
            ASSERT_EQ(f->b, 7);
        }
        kinds |= 1 << f->kind;
    }
    ASSERT_EQ(kinds, (1 << FG_KF_ITEM_AGE) | (1 << FG_KF_ITEM_COURSE) | (1 << FG_KF_CYCLE));
    ASSERT(fg_kb_lookup(kb, "001102000050001", 15) == NULL);
    /* an hour-limited frequency (麻醉中监测 24 小时) */
    f = fg_kb_lookup(kb, "003301000150000", 15);
    ASSERT(f != NULL);
    while (f != NULL && f->kind != FG_KF_FREQUENCY)
        f = fg_kb_fact_next(kb, f);
    ASSERT(f != NULL);
    ASSERT_EQ(f->a, 24);
    ASSERT_STR_EQ(fg_kb_str(kb, f->ref), "小时");
    fg_kb_free(kb);
}

/* Facts in the order they were added: each table's in row order, the drugs (resolved at seal)
 * after them in the order of their .codes rows; tables found by stem. */
TEST(kb_fact_order_and_table_find)
{
    fg_kb_t *kb = load_national();
    size_t n = fg_kb_nfacts(kb, FG_KF__COUNT);
    ASSERT(n > 0);
    ASSERT(fg_kb_fact_at(kb, n) == NULL);
    long dup = fg_kb_table_find(kb, "batch7-item-duplicate-charge");
    ASSERT(dup >= 0);
    ASSERT_STR_EQ(fg_kb_table_info(kb, (size_t)dup)->stem, "batch7-item-duplicate-charge");
    ASSERT_EQ(fg_kb_table_find(kb, "batch7-item-duplicate"), -1);
    ASSERT_EQ(fg_kb_table_find(kb, "no-such-table"), -1);
    long names = fg_kb_table_find(kb, "batch1-drug-gender.names");
    ASSERT(names >= 0);
    uint32_t last_dup = 0;
    size_t ndup = 0, first_drug = n;
    for (size_t i = 0; i < n; i++) {
        const fg_kb_fact_t *f = fg_kb_fact_at(kb, i);
        if (f->table == (uint16_t)dup) {
            ASSERT(f->row > last_dup); /* row order */
            last_dup = f->row;
            ndup++;
        }
        int drug = f->kind == FG_KF_DRUG_GENDER || f->kind == FG_KF_DRUG_AGE ||
                   f->kind == FG_KF_INSURANCE_TYPE || f->kind == FG_KF_CARE_SETTING ||
                   f->kind == FG_KF_INST_LEVEL || f->kind == FG_KF_DRUG_COURSE;
        if (drug && first_drug == n)
            first_drug = i;
        ASSERT(drug == (i >= first_drug)); /* the drugs last */
    }
    ASSERT_EQ(ndup, 900);
    /* the first drug fact is the first row of the first .codes table loaded (batch1-drug-age) */
    const fg_kb_fact_t *f = fg_kb_fact_at(kb, first_drug);
    ASSERT_EQ(f->kind, FG_KF_DRUG_AGE);
    ASSERT_EQ(fg_kb_nfacts(kb, FG_KF__COUNT) - first_drug,
              fg_kb_nfacts(kb, FG_KF_DRUG_GENDER) + fg_kb_nfacts(kb, FG_KF_DRUG_AGE) +
                  fg_kb_nfacts(kb, FG_KF_INSURANCE_TYPE) + fg_kb_nfacts(kb, FG_KF_CARE_SETTING) +
                  fg_kb_nfacts(kb, FG_KF_INST_LEVEL) + fg_kb_nfacts(kb, FG_KF_DRUG_COURSE));
    fg_kb_free(kb);
}

static int load_one(const char *name, const char *csv, fg_error_t *err)
{
    fg_kb_t *kb = fg_kb_new();
    int rc = fg_kb_load_mem(kb, name, csv, strlen(csv), err);
    if (rc == 0)
        rc = fg_kb_seal(kb, err);
    fg_kb_free(kb);
    return rc;
}

TEST(kb_strict_rows)
{
    fg_error_t err;
    ASSERT_OK(load_one(
        "batch9-item-frequency.csv",
        "序号,项目名称,限制数量,数量单位,项目编码\n1,住院诊查费,1,日,001102000050000\n", &err));
    /* a bad code names the file, line and column */
    ASSERT_ERR(load_one("batch9-item-frequency.csv",
                        "序号,项目名称,限制数量,数量单位,项目编码\n1,a,1,日,001102000050000\n2,b,1,"
                        "日,00110200005000X\n",
                        &err),
               FG_E_KB_ROW);
    ASSERT_EQ(err.line, 3);
    ASSERT(strstr(err.msg, "batch9-item-frequency.csv: line 3, column 项目编码") != NULL);
    /* an unknown unit */
    ASSERT_ERR(load_one("batch9-item-frequency.csv",
                        "序号,项目名称,限制数量,数量单位,项目编码\n1,a,1,周,001102000050000\n",
                        &err),
               FG_E_KB_ROW);
    /* a missing column */
    ASSERT_ERR(load_one("batch9-item-frequency.csv", "序号,项目名称,限制数量,项目编码\n", &err),
               FG_E_CSV_COLUMN);
    /* a wrong field count is the CSV reader's error with the line */
    ASSERT(load_one("batch9-item-frequency.csv",
                    "序号,项目名称,限制数量,数量单位,项目编码\n1,a,1,日\n", &err) < 0);
    ASSERT_EQ(err.line, 2);
    /* an unknown table */
    ASSERT_ERR(load_one("batch9-item-novelty.csv", "a\n1\n", &err), FG_E_KB_TABLE);
    ASSERT_ERR(load_one("prices.csv", "a\n1\n", &err), FG_E_KB_TABLE);
    /* a drug code whose generic name has no limit row */
    fg_kb_t *kb = fg_kb_new();
    const char *names = "药品通用名,药品说明,限定类型,限定对象\n甲药,x,限定性别对象,男\n";
    const char *codes = "药品通用名,序号,药品代码,限定类型\n甲药,1,XL02BBA326A001010102180,"
                        "限定性别对象\n乙药,1,XL02BBA326A001010178537,限定性别对象\n";
    ASSERT_OK(fg_kb_load_mem(kb, "batch9-drug-gender.names.csv", names, strlen(names), &err));
    ASSERT_OK(fg_kb_load_mem(kb, "batch9-drug-gender.codes.csv", codes, strlen(codes), &err));
    ASSERT_ERR(fg_kb_seal(kb, &err), FG_E_KB_REFERENCE);
    ASSERT_EQ(err.line, 3);
    fg_kb_free(kb);
    /* a table loaded twice */
    kb = fg_kb_new();
    ASSERT_OK(fg_kb_load_mem(kb, "batch9-drug-gender.names.csv", names, strlen(names), &err));
    ASSERT_ERR(fg_kb_load_mem(kb, "batch9-drug-gender.names.csv", names, strlen(names), &err),
               FG_EEXIST);
    fg_kb_free(kb);
}

/* Every table's loader reports the first bad field of a row, or the first missing column, with
 * the file, line, column and a plain message (one case per table description of src/kb/load.c). */
TEST(kb_errors_of_every_table)
{
    static const struct {
        const char *file;
        const char *csv;
        int code;
        long line;
        int col;
        const char *msg; /* after "<file>: " */
    } cases[] = {
        {"batch9-drug-gender.names.csv",
         "药品通用名,药品说明,限定类型,限定对象\n甲药,x,限定年龄对象,男\n", FG_E_KB_ROW, 2, 3,
         "line 2, column 限定类型: expected '限定性别对象'"},
        {"batch9-drug-gender.names.csv",
         "药品通用名,药品说明,限定类型,限定对象\n甲药,x,限定性别对象,男\n甲药,y,限定性别对象,女\n",
         FG_E_KB_ROW, 3, 1,
         "line 3, column 药品通用名: the drug '甲药' is listed twice (also row 1)"},
        {"batch9-drug-payment-course.names.csv",
         "药品通用名,药品说明,限定类型,限定值域\n甲药,x,限定支付疗程,十四天\n", FG_E_KB_ROW, 2, 4,
         "line 2, column 限定值域: expected a number of days like 14天"},
        {"batch9-drug-gender.codes.csv",
         "药品通用名,序号,国标代码,限定类型\n甲药,0,XL02BBA326A001010102180,限定性别对象\n",
         FG_E_KB_ROW, 2, 2, "line 2, column 序号: '0' is not a whole number from 1 to 1000000"},
        {"batch9-drug-gender.codes.csv", "药品通用名,序号,限定类型\n", FG_E_CSV_COLUMN, 1, 0,
         "the column '国标代码' is missing"},
        {"batch9-item-gender.csv",
         "项目名称,项目说明,国标代码,限定类型,限定性别\na,,X,限定年龄对象,中\n", FG_E_KB_ROW, 2, 3,
         "line 2, column 国标代码: 'X' is not a valid code: character 1 is 'X' where a digit belongs; a service item code has 15 digits (001102000050000)"},
        {"batch9-item-age.csv", "序号,项目名称,备注,项目代码\n1,a,限老年人,003109040010000\n",
         FG_E_KB_ROW, 2, 3,
         "line 2, column 备注: no age limit this engine knows (expected 法定就业年龄)"},
        {"batch9-item-age.csv",
         "项目名称,国标代码,限定类型,限定对象\na,003109040010000,限定年龄对象,老人\n", FG_E_KB_ROW,
         2, 4, "line 2, column 限定对象: expected 儿童, 婴幼儿 or 新生儿"},
        {"batch9-item-surgery-group.csv",
         "项目名称,项目说明,国标代码,限定类型,限定值域\na,,003109040010000,限定主次操作,\n",
         FG_E_KB_ROW, 2, 5, "line 2, column 限定值域: the value is missing"},
        {"batch9-item-duplicate-charge.csv",
         "序号,频度,主项名称,主项编码,从项名称,从项编码,备注\n1,单日,a,003109040010000,b,003109040010000,\n",
         FG_E_KB_ROW, 2, 6, "line 2, column 从项编码: the secondary item is the main item"},
        {"batch9-item-duplicate-charge.csv",
         "序号,频度,主项名称,主项编码,从项名称,从项编码,备注\n1,每周,a,X,b,X,\n", FG_E_KB_ROW, 2, 2,
         "line 2, column 频度: expected 单日, 同一小时, <N>小时 or 单次就诊"},
        {"batch9-item-frequency.csv", "序号,项目名称,限制数量,数量单位,项目编码\n1,a,1,周,X\n",
         FG_E_KB_ROW, 2, 5,
         "line 2, column 项目编码: 'X' is not a valid code: character 1 is 'X' where a digit belongs; a service item code has 15 digits (001102000050000)"},
        {"batch9-item-course.csv", "序号,项目名称,备注,项目代码\n1,a,按疗程,X\n", FG_E_KB_ROW, 2, 4,
         "line 2, column 项目代码: 'X' is not a valid code: character 1 is 'X' where a digit belongs; a service item code has 15 digits (001102000050000)"},
        {"batch9-item-period-frequency.csv",
         "序号,项目名称,频次上限,疗程周期,备注,项目代码\n1,a,2,0,,003109040010000\n", FG_E_KB_ROW,
         2, 4, "line 2, column 疗程周期: '0' is not a whole number from 1 to 3660"},
        {"price-cap.csv", "med_list_codg,hosp_lv,pric_uplmt_amt\n001102000050000,4,-1\n",
         FG_E_KB_ROW, 2, 3,
         "line 2, column pric_uplmt_amt: '-1' is not an amount in yuan like 12.30"},
        {"price-cap.csv", "med_list_codg,hosp_lv,pric_uplmt_amt\n001102000050000,4,12.00\n",
         FG_E_KB_ROW, 2, 2, "line 2, column hosp_lv: expected 1, 2, 3 or empty (every level)"},
        {"indication.csv", "med_list_codg,diag_prefixes\n001102000050000,I63;I64\n", FG_E_KB_ROW, 2,
         2, "line 2, column diag_prefixes: diagnosis prefixes are ICD-10 text separated by |"},
        {"max-quantity.csv", "med_list_codg,name\n", FG_E_CSV_COLUMN, 1, 0,
         "the column 'max_cnt' is missing"},
        {"max-quantity.csv", "med_list_codg,max_days\n001102000050000,\n", FG_E_KB_ROW, 2, 2,
         "line 2, column max_days: give max_cnt or max_days"},
        {"bundle.csv", "bundle_codg,part_codg,scope\n003104010220000,003104010220100,同一小时\n",
         FG_E_KB_ROW, 2, 3, "line 2, column scope: a bundle's scope is 单日 or 单次就诊"},
        {"bundle.csv", "bundle_codg,part_codg\n003104010220000,003104010220000\n", FG_E_KB_ROW, 2,
         2, "line 2, column part_codg: a bundle is not its own part"},
        {"diagnosis-sex-age.csv", "diag_prefix,gend,min_age\nO,,\n", FG_E_KB_ROW, 2, 1,
         "line 2, column diag_prefix: give gend, min_age or max_age"},
        {"diagnosis-sex-age.csv", "diag_prefix,gend,min_age\nO,3,200\n", FG_E_KB_ROW, 2, 2,
         "line 2, column gend: expected 1/男, 2/女 or empty"},
        {"nocode-stock.csv",
         "fixmedins_code,med_list_codg,cnt\nH43010200001,XL02BBA326A001010102180,0\n", FG_E_KB_ROW,
         2, 3, "line 2, column cnt: expected a quantity above 0"},
        {"frequent-visits.csv", "scene,window_days,max_visits\n急诊,7,5\n", FG_E_KB_ROW, 2, 1,
         "line 2, column scene: expected 门诊, 购药 or 住院"},
        {"params.csv", "key,value\nno_such_key,1\n", FG_E_KB_ROW, 2, 1,
         "line 2, column key: unknown parameter 'no_such_key' (docs/kb.md lists them)"},
        {"params.csv", "key,value\nchild_age_below,abc\n", FG_E_KB_ROW, 2, 2,
         "line 2, column value: child_age_below is a whole number from 1 to 150"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fg_kb_t *kb = fg_kb_new();
        fg_error_t err;
        fg_error_clear(&err);
        ASSERT(kb != NULL);
        int rc = fg_kb_load_mem(kb, cases[i].file, cases[i].csv, strlen(cases[i].csv), &err);
        if (rc == 0)
            rc = fg_kb_seal(kb, &err);
        char want[512];
        snprintf(want, sizeof(want), "%s: %s", cases[i].file, cases[i].msg);
        if (rc != cases[i].code || err.line != cases[i].line || err.col != cases[i].col ||
            strcmp(err.msg, want) != 0 || strcmp(err.where, cases[i].file) != 0)
            t_fail(__FILE__, __LINE__, "%s case %zu: %d %s line %ld col %d: %s", cases[i].file, i,
                   rc, err.where, (long)err.line, (int)err.col, err.msg);
        fg_kb_free(kb);
    }
}

TEST(kb_local_tables)
{
    fg_kb_t *kb = fg_kb_new();
    fg_error_t err;
    int rc = fg_kb_load_dir(kb, t_path("tests/data/kb-local"), &err);
    if (rc != 0)
        t_fail(__FILE__, __LINE__, "%s", err.msg);
    ASSERT_OK(fg_kb_seal(kb, &err));
    ASSERT(fg_kb_nfacts(kb, FG_KF_PRICE_CAP) > 0);
    ASSERT(fg_kb_nfacts(kb, FG_KF_INDICATION) > 0);
    ASSERT(fg_kb_nfacts(kb, FG_KF_MAX_QTY) > 0);
    ASSERT(fg_kb_nfacts(kb, FG_KF_BUNDLE_PART) > 0);
    ASSERT(fg_kb_nfacts(kb, FG_KF_NOCODE) > 0);
    ASSERT(fg_kb_ndiag_limits(kb) > 0);
    ASSERT(fg_kb_nvisit_limits(kb) > 0);
    ASSERT(fg_kb_nbundles(kb) > 0);
    ASSERT(strstr(fg_kb_version(kb), "+local:") != NULL);
    fg_kb_free(kb);

    ASSERT_ERR(load_one("params.csv", "key,value\nno_such_thing,1\n", &err), FG_E_KB_ROW);
    ASSERT_ERR(load_one("params.csv", "key,value\nneonate_days,x\n", &err), FG_E_KB_ROW);
    ASSERT_ERR(load_one("price-cap.csv",
                        "med_list_codg,hosp_lv,pric_uplmt_amt\n001102000050000,"
                        "4,1.00\n",
                        &err),
               FG_E_KB_ROW);
    ASSERT_ERR(load_one("price-cap.csv",
                        "med_list_codg,hosp_lv,pric_uplmt_amt\n001102000050000,"
                        "2,1.005\n",
                        &err),
               FG_E_KB_ROW);
}

TEST(kb_version_changes_with_content)
{
    fg_error_t err;
    fg_kb_t *a = fg_kb_new();
    fg_kb_t *b = fg_kb_new();
    const char *t1 =
        "序号,项目名称,限制数量,数量单位,项目编码\n1,住院诊查费,1,日,001102000050000\n";
    const char *t2 =
        "序号,项目名称,限制数量,数量单位,项目编码\n1,住院诊查费,2,日,001102000050000\n";
    ASSERT_OK(fg_kb_load_mem(a, "batch9-item-frequency.csv", t1, strlen(t1), &err));
    ASSERT_OK(fg_kb_load_mem(b, "batch9-item-frequency.csv", t2, strlen(t2), &err));
    ASSERT_OK(fg_kb_seal(a, &err));
    ASSERT_OK(fg_kb_seal(b, &err));
    ASSERT(strcmp(fg_kb_version(a), fg_kb_version(b)) != 0);
    ASSERT(strncmp(fg_kb_version(a), "nhsa:9+local:0@", 15) == 0);
    ASSERT_ERR(fg_kb_load_mem(a, "batch10-item-frequency.csv", t1, strlen(t1), &err),
               FG_E_KB_SEALED);
    fg_kb_free(a);
    fg_kb_free(b);
}

TEST(kb_slice_roundtrip)
{
    fg_kb_t *kb = load_national();
    fg_error_t err;
    fg_buf_t b;
    fg_buf_init(&b, 1 << 20);
    ASSERT_OK(fg_kb_slice_begin(kb, &b));
    const char *codes[] = {"001102000030000", "XL02BBA326A001010102180", "003402000350000"};
    for (size_t i = 0; i < FG_ARRAY_LEN(codes); i++)
        ASSERT_OK(fg_kb_slice_code(kb, fg_kb_code_hash(codes[i], strlen(codes[i])), &b));
    fg_kb_t *s = fg_kb_new();
    ASSERT_OK(fg_kb_load_slice(s, b.data, b.len, &err));
    ASSERT_STR_EQ(fg_kb_version(s), fg_kb_version(kb));
    for (size_t i = 0; i < FG_ARRAY_LEN(codes); i++) {
        const fg_kb_fact_t *x = fg_kb_lookup(kb, codes[i], strlen(codes[i]));
        const fg_kb_fact_t *y = fg_kb_lookup(s, codes[i], strlen(codes[i]));
        for (; x != NULL; x = fg_kb_fact_next(kb, x), y = fg_kb_fact_next(s, y)) {
            ASSERT(y != NULL);
            ASSERT_EQ(x->kind, y->kind);
            ASSERT_EQ(x->sub, y->sub);
            ASSERT_EQ(x->table, y->table);
            ASSERT_EQ(x->row, y->row);
            ASSERT_EQ(x->a, y->a);
            ASSERT_STR_EQ(fg_kb_str(kb, x->name), fg_kb_str(s, y->name));
            ASSERT_STR_EQ(fg_kb_str(kb, x->ref), fg_kb_str(s, y->ref));
            ASSERT_STR_EQ(fg_kb_str(kb, x->text), fg_kb_str(s, y->text));
            if (x->kind == FG_KF_DUP_SECONDARY)
                ASSERT_STR_EQ(fg_kb_str(kb, (uint32_t)x->b), fg_kb_str(s, (uint32_t)y->b));
            else
                ASSERT_EQ(x->b, y->b);
        }
        ASSERT(y == NULL);
    }
    char k1[96], k2[96];
    const fg_kb_fact_t *x = fg_kb_lookup(kb, codes[1], strlen(codes[1]));
    const fg_kb_fact_t *y = fg_kb_lookup(s, codes[1], strlen(codes[1]));
    ASSERT_STR_EQ(fg_kb_kp(kb, x->table, x->row, k1, sizeof(k1)),
                  fg_kb_kp(s, y->table, y->row, k2, sizeof(k2)));
    ASSERT(fg_kb_lookup(s, "XA01ABD075A002010100483", 23) == NULL);
    fg_kb_free(s);
    fg_buf_release(&b);
    fg_kb_free(kb);
}

TEST(kb_alloc_failures)
{
    /* every allocation failure while loading a table is an error, never a crash or a leak */
    const char *t =
        "序号,频度,主项名称,主项编码,从项名称,从项编码,备注\n1,单日,a,001103000010000,b,"
        "001102000030000,x\n2,6小时,c,001103000010000,d,001109000010000,y\n";
    for (long n = 0; n < 200; n++) {
        fg_error_t err;
        fg_alloc_fail_after(n);
        fg_kb_t *kb = fg_kb_new();
        int rc = kb == NULL
                     ? FG_ENOMEM
                     : fg_kb_load_mem(kb, "batch9-item-duplicate-charge.csv", t, strlen(t), &err);
        if (rc == 0)
            rc = fg_kb_seal(kb, &err);
        fg_alloc_fail_after(-1);
        fg_kb_free(kb);
        if (rc == 0)
            return;
        ASSERT(rc < 0);
    }
    t_fail(__FILE__, __LINE__, "never succeeded");
}
