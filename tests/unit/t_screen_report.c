/* t_screen_report.c — the screen's report.html and findings.xlsx writers over a made-up result:
 * amounts in yuan from fen, institutions ranked, months filled, switched-off models with their
 * reason, the registry's definitions and thresholds (escaped), and the writers' errors. */
#include "core/compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fundguard/alloc.h"
#include "fundguard/datetime.h"
#include "fundguard/error.h"
#include "screen/screen_int.h"
#include "t.h"

static const fg__screen_param_t PARAMS_A[] = {
    {"limit_days", 5, 1, 30, "days", "days of the limit", "限定天数"},
};

static const fg__screen_model_t MODEL_A = {
    .name = "a_model",
    .name_zh = "模型甲",
    .definition = "同一天内<b>重复</b>结算 & 收费的。",
    .params = PARAMS_A,
    .nparams = 1,
};

static const fg__screen_model_t MODEL_B = {
    .name = "b_model",
    .name_zh = "模型乙",
    .definition = "死亡后结算的。",
};

static const fg__screen_model_t *const MODELS[] = {&MODEL_A, &MODEL_B};

static fg_time_t at(int y, int m, int d)
{
    fg_date_t day;
    ASSERT_EQ(fg_date_from_ymd(y, m, d, &day), 0);
    return fg_date_start(day) + 9 * 3600;
}

/* Four findings of model A: H1 1.00 (Jan) + 2.50 (Mar), H2 0.05 (Mar), none 12345.67 undated. */
static void make(fg__screen_finding_t f[4], fg_screen_model_summary_t ms[2], fg_screen_summary_t *s)
{
    static const char *const inst[] = {"H41052500001", "H41052500001", "H41052500002", ""};
    static const fg_fen_t fen[] = {100, 250, 5, 1234567};
    for (int i = 0; i < 4; i++) {
        fg__screen_finding_init(&f[i], i == 3 ? FG__SCREEN_SUSPICIOUS : FG__SCREEN_DEFINITE);
        f[i].model = "a_model";
        snprintf(f[i].fixmedins_code, sizeof(f[i].fixmedins_code), "%s", inst[i]);
        f[i].amount = fen[i];
        f[i].time = i == 3 ? FG_TIME_NONE : at(2025, i == 0 ? 1 : 3, 15);
        snprintf(f[i].message, sizeof(f[i].message), "疑点 %d", i);
        ASSERT_EQ(fg__screen_ids_add(&f[i], &f[i].setl_ids, "S1"), 0);
        ASSERT_EQ(fg__screen_ids_add(&f[i], &f[i].setl_ids, "S2"), 0);
        ASSERT_EQ(fg_buf_appends(&f[i].evidence, "{\"k\":1}"), 0);
    }
    ms[0] = (fg_screen_model_summary_t){
        .name = "a_model", .name_zh = "模型甲", .enabled = 1, .findings = 4, .amount = 1234922};
    ms[1] = (fg_screen_model_summary_t){.name = "b_model", .name_zh = "模型乙", .enabled = 0};
    snprintf(ms[1].why, sizeof(ms[1].why), "deaths.csv 缺失");
    *s = (fg_screen_summary_t){.models = ms,
                               .nmodels = 2,
                               .findings = 4,
                               .amount = 1234922,
                               .fee_lines = 1000,
                               .persons = 10};
}

static char *written(const char *dir, const char *name, size_t *n)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return t_read_file(path, n);
}

TEST(report_html_contents)
{
    fg__screen_finding_t f[4];
    fg_screen_model_summary_t ms[2];
    fg_screen_summary_t s;
    make(f, ms, &s);
    int64_t pa[] = {7};
    const int64_t *params[] = {pa, NULL};
    fg__screen_result_t r = {
        .summary = &s, .models = MODELS, .params = params, .findings = f, .nfindings = 4};
    fg_error_t err;
    ASSERT_EQ(fg__screen_write_report(t_tmpdir(), &r, &err), 0);
    char *h = written(t_tmpdir(), "report.html", NULL);
    ASSERT(strstr(h, "涉及金额 <b>12349.22</b> 元") != NULL);
    /* institutions by amount: the unnamed one first, then H1 (3.50), then H2 (0.05) */
    const char *none = strstr(
        h, "<td>（未指明机构）</td><td></td><td class=\"num\">1</td><td class=\"num\">12345.67");
    const char *h1 = strstr(
        h, "<td>H41052500001</td><td></td><td class=\"num\">2</td><td class=\"num\">3.50</td>");
    const char *h2 = strstr(
        h, "<td>H41052500002</td><td></td><td class=\"num\">1</td><td class=\"num\">0.05</td>");
    ASSERT(none != NULL && h1 != NULL && h2 != NULL);
    ASSERT(none < h1 && h1 < h2);
    /* months January to March, February empty, the undated one noted */
    ASSERT(strstr(h, ">2025年1月</text>") != NULL);
    ASSERT(strstr(h, "<title>2月: 0</title>") != NULL);
    ASSERT(strstr(h, "<title>3月: 2</title>") != NULL);
    ASSERT(strstr(h, "<title>3月: 2.55 元</title>") != NULL);
    ASSERT(strstr(h, "另有 1 条疑点无发生时间") != NULL);
    /* every model: the switched-off one with its reason, definitions escaped, thresholds */
    ASSERT(strstr(h, "<td>未运行：deaths.csv 缺失</td>") != NULL);
    ASSERT(strstr(h, "<h3>模型甲（a_model）</h3>") != NULL);
    ASSERT(strstr(h, "<h3>模型乙（b_model）</h3>") != NULL);
    ASSERT(strstr(h, "同一天内&lt;b&gt;重复&lt;/b&gt;结算 &amp; 收费的。") != NULL);
    ASSERT(strstr(h, "<td>a_model.limit_days</td><td>限定天数</td><td class=\"num\">7</td>"
                     "<td class=\"num\">5</td><td>天</td><td>1 – 30</td>") != NULL);
    ASSERT(strstr(h, "<script") == NULL && strstr(h, "src=") == NULL && strstr(h, "href=") == NULL);
    size_t charts = 0;
    for (const char *p = strstr(h, "<svg class=\"fg-chart\""); p;
         p = strstr(p + 1, "<svg class=\"fg-chart\""))
        charts++;
    ASSERT_EQ(charts, 6);
    free(h);
    for (int i = 0; i < 4; i++)
        fg__screen_finding_release(&f[i]);
}

TEST(report_writers_errors_and_xlsx)
{
    fg__screen_finding_t f[4];
    fg_screen_model_summary_t ms[2];
    fg_screen_summary_t s;
    make(f, ms, &s);
    fg__screen_result_t r = {.summary = &s, .models = MODELS, .findings = f, .nfindings = 4};
    fg_error_t err;
    ASSERT_EQ(fg__screen_write_xlsx(t_tmpdir(), &r, &err), 0);
    size_t n = 0;
    char *x = written(t_tmpdir(), "findings.xlsx", &n);
    ASSERT(n > 1000 && memcmp(x, "PK\x03\x04", 4) == 0);
    free(x);
    char missing[512];
    snprintf(missing, sizeof(missing), "%s/no/such/dir", t_tmpdir());
    fg_error_clear(&err);
    ASSERT(fg__screen_write_report(missing, &r, &err) < 0);
    ASSERT(strstr(err.where, "report.html") != NULL);
    fg_error_clear(&err);
    ASSERT(fg__screen_write_xlsx(missing, &r, &err) < 0);
    ASSERT(strstr(err.where, "findings.xlsx") != NULL);
    for (int i = 0; i < 4; i++)
        fg__screen_finding_release(&f[i]);
}
