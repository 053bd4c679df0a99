/*
 * report_html.c — report.html: one page in Chinese that opens from disk (no script, font, style
 * sheet or image from anywhere else; charts are inline SVG from core/svg.c): the run's totals,
 * findings and amount by model, by institution and by month, the top institutions, and every
 * model's definition and thresholds as the registry has them (the one source, with the values
 * this run used). Amounts are yuan with two decimals from int64 fen (fg_money_format), never a
 * float.
 *
 * Memory: the page (a few hundred KiB: nothing per finding but the sort of pointers behind the
 * institution table) and one pointer per finding.
 */
#include "core/compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fundguard/alloc.h"
#include "fundguard/buf.h"
#include "fundguard/datetime.h"
#include "fundguard/money.h"
#include "fundguard/svg.h"
#include "screen/screen_int.h"

#define TOP_INST   20 /* institutions in the charts and the table */
#define MAX_MONTHS 60 /* months in the by-month charts (the latest ones when more) */
#define COLOR_N    "#3b6ea5"
#define COLOR_AMT  "#c0504d"

typedef struct inst_row {
    const char *code; /* fixmedins_code, "" when the finding names none */
    uint64_t n;
    fg_fen_t amount;
    uint64_t models; /* bit i: model i has findings here */
} inst_row_t;

static const char STYLE[] =
    "body{font-family:\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"Microsoft YaHei\","
    "\"PingFang SC\",sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 12px}"
    "h1{font-size:24px}h2{font-size:19px;border-bottom:2px solid #3b6ea5;padding-bottom:4px;"
    "margin-top:32px}h3{font-size:16px;margin-bottom:4px}"
    "table{border-collapse:collapse;margin:8px 0;font-size:13px}"
    "th,td{border:1px solid #ccc;padding:3px 8px;text-align:left}th{background:#eef2f7}"
    "td.num{text-align:right;font-variant-numeric:tabular-nums}"
    ".charts{display:flex;flex-wrap:wrap;gap:16px}.off{color:#888}"
    ".totals span{display:inline-block;margin-right:28px;font-size:15px}"
    ".totals b{font-size:20px;color:#3b6ea5}\n";

/* Append s HTML-escaped wrapped in open and close. */
static int wrap(fg_buf_t *b, const char *open, const char *s, const char *close)
{
    int rc = fg_buf_appends(b, open);
    if (rc == 0)
        rc = fg_svg_escape(b, s);
    return rc != 0 ? rc : fg_buf_appends(b, close);
}

/* <td class="num">yuan</td> */
static int td_money(fg_buf_t *b, fg_fen_t fen)
{
    char m[FG_MONEY_TEXTLEN];
    fg_money_format(fen, m);
    return fg_buf_printf(b, "<td class=\"num\">%s</td>", m);
}

static int totals(fg_buf_t *b, const fg_screen_summary_t *s)
{
    char m[FG_MONEY_TEXTLEN];
    fg_money_format(s->amount, m);
    size_t on = 0;
    for (size_t i = 0; i < s->nmodels; i++)
        on += s->models[i].enabled != 0;
    return fg_buf_printf(
        b,
        "<p class=\"totals\"><span>疑点 <b>%llu</b> 条</span>"
        "<span>涉及金额 <b>%s</b> 元</span><span>运行模型 <b>%zu</b> / %zu 个</span>"
        "<span>筛查费用明细 <b>%llu</b> 条</span><span>参保人 <b>%llu</b> 人</span>"
        "<span>追溯码事件 <b>%llu</b> 条</span><span>有误行 <b>%llu</b> 行</span></p>\n",
        (unsigned long long)s->findings, m, on, s->nmodels, (unsigned long long)s->fee_lines,
        (unsigned long long)s->persons, (unsigned long long)s->events,
        (unsigned long long)s->bad_rows);
}

/* Two horizontal bar charts side by side: counts and amounts of the same labels. */
static int chart_pair(fg_buf_t *b, const char *id, const char *what, const char **labels,
                      const uint64_t *counts, const fg_fen_t *amounts, size_t n, int columns)
{
    fg_svg_bar_t *bars = fg_calloc(n > 0 ? 2 * n : 1, sizeof(*bars));
    char(*texts)[FG_MONEY_TEXTLEN + 8] = fg_calloc(n > 0 ? n : 1, sizeof(*texts));
    if (bars == NULL || texts == NULL) {
        fg_free(bars);
        fg_free(texts);
        return FG_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        char m[FG_MONEY_TEXTLEN];
        fg_money_format(amounts[i], m);
        snprintf(texts[i], sizeof(texts[i]), "%s 元", m);
        bars[i] = (fg_svg_bar_t){labels[i], (int64_t)counts[i], NULL};
        bars[n + i] = (fg_svg_bar_t){labels[i], amounts[i], texts[i]};
    }
    char t1[96], t2[96], id1[48], id2[48];
    snprintf(t1, sizeof(t1), "%s疑点数（条）", what);
    snprintf(t2, sizeof(t2), "%s涉及金额（元）", what);
    snprintf(id1, sizeof(id1), "chart-%s-count", id);
    snprintf(id2, sizeof(id2), "chart-%s-amount", id);
    fg_svg_chart_t c1 = {.title = t1,
                         .id = id1,
                         .color = COLOR_N,
                         .width = columns ? 1060 : 540,
                         .label_width = 150};
    fg_svg_chart_t c2 = c1;
    c2.title = t2;
    c2.id = id2;
    c2.color = COLOR_AMT;
    int rc = fg_buf_appends(b, "<div class=\"charts\">");
    if (rc == 0)
        rc = columns ? fg_svg_columns(b, &c1, bars, n) : fg_svg_hbars(b, &c1, bars, n);
    if (rc == 0)
        rc = columns ? fg_svg_columns(b, &c2, bars + n, n) : fg_svg_hbars(b, &c2, bars + n, n);
    if (rc == 0)
        rc = fg_buf_appends(b, "</div>\n");
    fg_free(bars);
    fg_free(texts);
    return rc;
}

static int by_model(fg_buf_t *b, const fg__screen_result_t *r)
{
    const fg_screen_summary_t *s = r->summary;
    const char **labels = fg_calloc(s->nmodels + 1, sizeof(*labels));
    uint64_t *counts = fg_calloc(s->nmodels + 1, sizeof(*counts));
    fg_fen_t *amounts = fg_calloc(s->nmodels + 1, sizeof(*amounts));
    size_t n = 0;
    int rc = labels && counts && amounts ? 0 : FG_ENOMEM;
    for (size_t i = 0; rc == 0 && i < s->nmodels; i++) {
        if (!s->models[i].enabled)
            continue;
        labels[n] = s->models[i].name_zh;
        counts[n] = s->models[i].findings;
        amounts[n++] = s->models[i].amount;
    }
    if (rc == 0)
        rc = fg_buf_appends(b, "<h2 id=\"by-model\">一、按模型</h2>\n");
    if (rc == 0)
        rc = chart_pair(b, "model", "各模型", labels, counts, amounts, n, 0);
    if (rc == 0)
        rc = fg_buf_appends(b, "<table><tr><th>模型</th><th>代码</th><th>疑点数</th>"
                               "<th>涉及金额（元）</th><th>状态</th></tr>\n");
    for (size_t i = 0; rc == 0 && i < s->nmodels; i++) {
        const fg_screen_model_summary_t *m = &s->models[i];
        rc = wrap(b, m->enabled ? "<tr><td>" : "<tr class=\"off\"><td>", m->name_zh, "</td>");
        if (rc == 0)
            rc = wrap(b, "<td>", m->name, "</td>");
        if (rc == 0)
            rc = fg_buf_printf(b, "<td class=\"num\">%llu</td>", (unsigned long long)m->findings);
        if (rc == 0)
            rc = td_money(b, m->amount);
        if (rc == 0)
            rc = m->enabled ? fg_buf_appends(b, "<td>已运行</td></tr>\n")
                            : wrap(b, "<td>未运行：", m->why, "</td></tr>\n");
    }
    if (rc == 0)
        rc = fg_buf_appends(b, "</table>\n");
    fg_free(labels);
    fg_free(counts);
    fg_free(amounts);
    return rc;
}

/* The institution's name from institutions.csv, NULL when unknown. */
static const char *inst_name(const fg__screen_result_t *r, const char *code)
{
    const fg_institution_t *i =
        r->ref != NULL && code[0] != '\0' ? fg__screen_ref_institution(r->ref, code) : NULL;
    return i != NULL && i->fixmedins_name[0] != '\0' ? i->fixmedins_name : NULL;
}

static size_t model_index(const fg__screen_result_t *r, const char *name)
{
    for (size_t i = 0; i < r->summary->nmodels; i++)
        if (name != NULL && strcmp(r->summary->models[i].name, name) == 0)
            return i;
    return r->summary->nmodels;
}

static int cmp_finding_inst(const void *a, const void *b)
{
    const fg__screen_finding_t *x = *(const fg__screen_finding_t *const *)a;
    const fg__screen_finding_t *y = *(const fg__screen_finding_t *const *)b;
    return strcmp(x->fixmedins_code, y->fixmedins_code);
}

static int cmp_inst_amount(const void *a, const void *b)
{
    const inst_row_t *x = a;
    const inst_row_t *y = b;
    if (x->amount != y->amount)
        return x->amount > y->amount ? -1 : 1;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1;
    return strcmp(x->code, y->code);
}

/* Institutions with their findings, by amount (then count, code) descending: *out, count. */
static int institutions(const fg__screen_result_t *r, inst_row_t **out, size_t *nout)
{
    *out = NULL;
    *nout = 0;
    if (r->nfindings == 0)
        return 0;
    const fg__screen_finding_t **v = fg_calloc(r->nfindings, sizeof(*v));
    inst_row_t *rows = fg_calloc(r->nfindings, sizeof(*rows));
    if (v == NULL || rows == NULL) {
        fg_free(v);
        fg_free(rows);
        return FG_ENOMEM;
    }
    for (size_t i = 0; i < r->nfindings; i++)
        v[i] = &r->findings[i];
    qsort(v, r->nfindings, sizeof(*v), cmp_finding_inst);
    size_t n = 0;
    for (size_t i = 0; i < r->nfindings; i++) {
        if (n == 0 || strcmp(rows[n - 1].code, v[i]->fixmedins_code) != 0)
            rows[n++].code = v[i]->fixmedins_code;
        rows[n - 1].n++;
        rows[n - 1].amount += v[i]->amount;
        size_t m = model_index(r, v[i]->model);
        if (m < 64)
            rows[n - 1].models |= UINT64_C(1) << m;
    }
    fg_free(v);
    qsort(rows, n, sizeof(*rows), cmp_inst_amount);
    *out = rows;
    *nout = n;
    return 0;
}

/* The top institutions' table: code, findings, amount, the models that found them. */
static int inst_table(fg_buf_t *b, const fg__screen_result_t *r, const inst_row_t *rows, size_t n)
{
    int rc = fg_buf_printf(b,
                           "<h2 id=\"top\">三、重点机构（涉及金额前 %d 名）</h2>\n<table><tr>"
                           "<th>排名</th><th>机构编码</th><th>机构名称</th><th>疑点数</th>"
                           "<th>涉及金额（元）</th>"
                           "<th>发现它的模型</th></tr>\n",
                           TOP_INST);
    for (size_t i = 0; rc == 0 && i < n && i < TOP_INST; i++) {
        rc = fg_buf_printf(b, "<tr><td class=\"num\">%zu</td>", i + 1);
        if (rc == 0)
            rc = wrap(b, "<td>", rows[i].code[0] ? rows[i].code : "（未指明机构）", "</td>");
        if (rc == 0) {
            const char *name = inst_name(r, rows[i].code);
            rc = wrap(b, "<td>", name != NULL ? name : "", "</td>");
        }
        if (rc == 0)
            rc = fg_buf_printf(b, "<td class=\"num\">%llu</td>", (unsigned long long)rows[i].n);
        if (rc == 0)
            rc = td_money(b, rows[i].amount);
        if (rc == 0)
            rc = fg_buf_appends(b, "<td>");
        const char *sep = "";
        for (size_t m = 0; rc == 0 && m < r->summary->nmodels && m < 64; m++) {
            if (rows[i].models & (UINT64_C(1) << m)) {
                rc = wrap(b, sep, r->summary->models[m].name_zh, "");
                sep = "、";
            }
        }
        if (rc == 0)
            rc = fg_buf_appends(b, "</td></tr>\n");
    }
    if (rc == 0 && n == 0)
        rc = fg_buf_appends(b, "<tr><td colspan=\"6\">无疑点</td></tr>\n");
    return rc != 0 ? rc : fg_buf_appends(b, "</table>\n");
}

static int by_institution(fg_buf_t *b, const fg__screen_result_t *r)
{
    inst_row_t *rows;
    size_t n;
    int rc = institutions(r, &rows, &n);
    if (rc != 0)
        return rc;
    size_t top = n < TOP_INST ? n : TOP_INST;
    const char *labels[TOP_INST];
    uint64_t counts[TOP_INST];
    fg_fen_t amounts[TOP_INST];
    for (size_t i = 0; i < top; i++) {
        const char *name = inst_name(r, rows[i].code);
        labels[i] = name != NULL ? name : rows[i].code[0] ? rows[i].code : "（未指明机构）";
        counts[i] = rows[i].n;
        amounts[i] = rows[i].amount;
    }
    rc = fg_buf_printf(b,
                       "<h2 id=\"by-institution\">二、按机构</h2>\n<p>有疑点的机构 %zu 家，"
                       "下图为涉及金额前 %zu 家。</p>\n",
                       n, top);
    if (rc == 0)
        rc = chart_pair(b, "institution", "各机构", labels, counts, amounts, top, 0);
    if (rc == 0)
        rc = inst_table(b, r, rows, n);
    fg_free(rows);
    return rc;
}

static int by_month(fg_buf_t *b, const fg__screen_result_t *r)
{
    int lo = 0;  /* first month, as year * 12 + month - 1 */
    int hi = -1; /* last month (hi < lo: none) */
    uint64_t undated = 0;
    for (size_t i = 0; i < r->nfindings; i++) {
        if (r->findings[i].time == FG_TIME_NONE) {
            undated++;
            continue;
        }
        int y, m, d;
        fg_date_to_ymd(fg_time_date(r->findings[i].time), &y, &m, &d);
        int k = y * 12 + m - 1;
        if (hi < lo) {
            lo = hi = k;
        } else {
            lo = k < lo ? k : lo;
            hi = k > hi ? k : hi;
        }
    }
    if (hi - lo + 1 > MAX_MONTHS)
        lo = hi - MAX_MONTHS + 1;
    size_t n = hi >= lo ? (size_t)(hi - lo + 1) : 0;
    char labels[MAX_MONTHS][40];
    const char *lp[MAX_MONTHS];
    uint64_t counts[MAX_MONTHS] = {0};
    fg_fen_t amounts[MAX_MONTHS] = {0};
    for (size_t i = 0; i < n; i++) {
        int k = lo + (int)i;
        if (k % 12 == 0 || i == 0)
            snprintf(labels[i], sizeof(labels[i]), "%d年%d月", k / 12, k % 12 + 1);
        else
            snprintf(labels[i], sizeof(labels[i]), "%d月", k % 12 + 1);
        lp[i] = labels[i];
    }
    uint64_t before = 0;
    for (size_t i = 0; i < r->nfindings; i++) {
        if (r->findings[i].time == FG_TIME_NONE)
            continue;
        int y, m, d;
        fg_date_to_ymd(fg_time_date(r->findings[i].time), &y, &m, &d);
        int k = y * 12 + m - 1;
        if (k < lo) {
            before++;
            continue;
        }
        counts[k - lo]++;
        amounts[k - lo] += r->findings[i].amount;
    }
    int rc = fg_buf_appends(b, "<h2 id=\"by-month\">四、按月份</h2>\n<p>按疑点发生的月份统计");
    if (rc == 0 && undated > 0)
        rc = fg_buf_printf(b, "；另有 %llu 条疑点无发生时间", (unsigned long long)undated);
    if (rc == 0 && before > 0)
        rc = fg_buf_printf(b, "；%llu 条早于图中最早月份", (unsigned long long)before);
    if (rc == 0)
        rc = fg_buf_appends(b, "。</p>\n");
    if (rc == 0)
        rc = chart_pair(b, "month", "各月", lp, counts, amounts, n, 1);
    return rc;
}

static const char *unit_zh(const char *unit)
{
    static const char *const map[][2] = {
        {"days", "天"},        {"day", "天"},         {"visits", "次"},    {"count", "个"},
        {"times", "次"},       {"persons", "人"},     {"per mille", "‰"},  {"percent", "%"},
        {"minutes", "分钟"},   {"hours", "小时"},     {"fen", "分"},       {"units", "最小单位"},
        {"milli", "千分之一"}, {"x1000", "千分之一"}, {"purchases", "次"},
    };
    for (size_t i = 0; unit != NULL && i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(unit, map[i][0]) == 0)
            return map[i][1];
    return unit != NULL ? unit : "";
}

/* One model: its Chinese name, code, definition and the thresholds as this run used them. */
static int model_doc(fg_buf_t *b, const fg__screen_result_t *r, size_t i)
{
    const fg__screen_model_t *m = r->models[i];
    int rc = wrap(b, "<h3>", m->name_zh, "");
    if (rc == 0)
        rc = wrap(b, "（", m->name, "）</h3>\n");
    if (rc == 0)
        rc = wrap(b, "<p>", m->definition, "</p>\n");
    if (rc == 0 && m->nparams == 0)
        rc = fg_buf_appends(b, "<p>无可配置阈值。</p>\n");
    if (rc == 0 && m->nparams > 0)
        rc = fg_buf_appends(b, "<table><tr><th>阈值</th><th>含义</th><th>本次取值</th>"
                               "<th>默认值</th><th>单位</th><th>允许范围</th></tr>\n");
    for (size_t j = 0; rc == 0 && j < m->nparams; j++) {
        const fg__screen_param_t *p = &m->params[j];
        int64_t v = r->params != NULL && r->params[i] != NULL ? r->params[i][j] : p->def;
        rc = fg_buf_appends(b, "<tr><td>");
        if (rc == 0)
            rc = wrap(b, "", m->name, ".");
        if (rc == 0)
            rc = wrap(b, "", p->name, "</td>");
        if (rc == 0)
            rc = wrap(b, "<td>", p->meaning_zh != NULL ? p->meaning_zh : p->meaning, "</td>");
        if (rc == 0)
            rc = fg_buf_printf(b, "<td class=\"num\">%lld</td><td class=\"num\">%lld</td>",
                               (long long)v, (long long)p->def);
        if (rc == 0)
            rc = wrap(b, "<td>", unit_zh(p->unit), "</td>");
        if (rc == 0)
            rc = fg_buf_printf(b, "<td>%lld – %lld</td></tr>\n", (long long)p->min,
                               (long long)p->max);
    }
    if (rc == 0 && m->nparams > 0)
        rc = fg_buf_appends(b, "</table>\n");
    return rc;
}

static int inputs(fg_buf_t *b, const fg_screen_summary_t *s)
{
    int rc = fg_buf_appends(b, "<h2 id=\"inputs\">六、读入的文件</h2>\n<table><tr><th>文件</th>"
                               "<th>类别</th><th>编码</th><th>读入行数</th><th>有误行</th>"
                               "<th>时间范围外</th></tr>\n");
    for (size_t i = 0; rc == 0 && i < s->ninputs; i++) {
        const fg_screen_input_summary_t *in = &s->inputs[i];
        rc = wrap(b, "<tr><td>", in->path, "</td>");
        if (rc == 0)
            rc = wrap(b, "<td>", in->kind, "</td>");
        if (rc == 0)
            rc = wrap(b, "<td>", in->encoding, "</td>");
        if (rc == 0)
            rc = fg_buf_printf(b,
                               "<td class=\"num\">%llu</td><td class=\"num\">%llu</td>"
                               "<td class=\"num\">%llu</td></tr>\n",
                               (unsigned long long)in->rows, (unsigned long long)in->bad_rows,
                               (unsigned long long)in->filtered);
    }
    return rc != 0 ? rc : fg_buf_appends(b, "</table>\n");
}

/* dir/name with the bytes, through a temporary file renamed over it. */
static int write_whole(const char *dir, const char *name, const char *data, size_t len,
                       fg_error_t *err)
{
    char path[1024], tmp[1040];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (f == NULL)
        return fg_error_set(err, -errno, name, 0, "cannot write %s: %s", tmp, strerror(errno));
    int ok = fwrite(data, 1, len, f) == len;
    int e = errno;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        e = errno != 0 ? errno : e;
        remove(tmp);
        return fg_error_set(err, e != 0 ? -e : FG_EIO, name, 0, "cannot write %s: %s", path,
                            strerror(e));
    }
    return 0;
}

/* The whole page into b. */
static int page(fg_buf_t *b, const fg__screen_result_t *r)
{
    const fg_screen_summary_t *s = r->summary;
    char now[FG_TIME_TEXTLEN + 1];
    fg_time_format(fg_time_now(), now);
    int rc =
        fg_buf_appends(b, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
                          "<meta name=\"viewport\" content=\"width=device-width\">"
                          "<title>医保基金事后监管筛查报告</title><style>");
    if (rc == 0)
        rc = fg_buf_appends(b, STYLE);
    if (rc == 0)
        rc = fg_buf_printf(b,
                           "</style></head><body>\n<h1>医保基金事后监管筛查报告</h1>\n"
                           "<p>生成时间 %s（北京时间），Fundguard <code>fundguard screen</code>；"
                           "疑点明细见同目录 findings.jsonl 与 findings.xlsx。</p>\n",
                           now);
    if (rc == 0)
        rc = totals(b, s);
    if (rc == 0)
        rc = by_model(b, r);
    if (rc == 0)
        rc = by_institution(b, r);
    if (rc == 0)
        rc = by_month(b, r);
    if (rc == 0)
        rc = fg_buf_appends(b, "<h2 id=\"models\">五、模型定义与阈值</h2>\n");
    for (size_t i = 0; rc == 0 && i < s->nmodels; i++)
        rc = model_doc(b, r, i);
    if (rc == 0)
        rc = inputs(b, s);
    if (rc == 0)
        rc = fg_buf_appends(b, "</body></html>\n");
    return rc;
}

int fg__screen_write_report(const char *dir, const fg__screen_result_t *r, fg_error_t *err)
{
    fg_buf_t b;
    fg_buf_init(&b, (size_t)64 << 20);
    int rc = page(&b, r);
    if (rc != 0) {
        fg_buf_release(&b);
        return fg_error_set(err, rc, "report.html", 0, "cannot build report.html: %s",
                            fg_strerror(rc));
    }
    rc = write_whole(dir, "report.html", b.data, b.len, err);
    fg_buf_release(&b);
    return rc;
}
