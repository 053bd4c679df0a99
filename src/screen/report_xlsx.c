/*
 * report_xlsx.c — findings.xlsx with libxlsxwriter: a 汇总 sheet (every model: status, findings,
 * amount) and one sheet per model that ran, named by its Chinese name, one row per finding under
 * a frozen Chinese header row, column widths set. Amounts are yuan in the number format "0.00":
 * the cell's value is the double nearest the exact decimal fg_money_format writes from the int64
 * fen (the one float step, which Excel's own cells need), so it shows and sums as the decimal.
 *
 * Written in libxlsxwriter's constant-memory mode (rows stream to a temporary file per sheet, in
 * dir), so memory does not grow with findings. A sheet holds at most 1,048,575 findings; more go
 * on to "<name>（2）" and so on. A text longer than a cell takes (32,767 characters) is cut at a
 * character with "…" (the whole list stays in findings.jsonl).
 */
#include "core/compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "fundguard/alloc.h"
#include "fundguard/buf.h"
#include "fundguard/datetime.h"
#include "fundguard/money.h"
#include "screen/screen_int.h"

#define CELL_MAX 32000 /* bytes of text in one cell (Excel: 32,767 characters) */

typedef struct col {
    const char *head; /* Chinese header */
    double width;     /* in characters */
} col_t;

/* A model sheet's columns. */
enum {
    C_SEQ,
    C_LEVEL,
    C_INST,
    C_INST_NAME,
    C_PSN,
    C_PSNS,
    C_STAFF,
    C_SETLS,
    C_MDTRTS,
    C_FEES,
    C_TRACE,
    C_CODE,
    C_INVONO,
    C_AMOUNT,
    C_SCORE,
    C_TIME,
    C_MESSAGE,
    C_EVIDENCE,
    NCOLS
};

static const col_t COLS[NCOLS] = {
    [C_SEQ] = {"序号", 7},
    [C_LEVEL] = {"级别", 9},
    [C_INST] = {"机构编码", 15},
    [C_INST_NAME] = {"机构名称", 28},
    [C_PSN] = {"人员编号", 20},
    [C_PSNS] = {"涉及人员", 30},
    [C_STAFF] = {"医务人员编码", 16},
    [C_SETLS] = {"结算ID", 30},
    [C_MDTRTS] = {"就诊ID", 30},
    [C_FEES] = {"费用明细流水号", 30},
    [C_TRACE] = {"追溯码", 24},
    [C_CODE] = {"医疗目录编码", 26},
    [C_INVONO] = {"票据号码", 20},
    [C_AMOUNT] = {"金额（元）", 14},
    [C_SCORE] = {"评分", 9},
    [C_TIME] = {"发生时间", 20},
    [C_MESSAGE] = {"说明", 60},
    [C_EVIDENCE] = {"证据", 60},
};

typedef struct book {
    lxw_workbook *wb;
    lxw_format *head;  /* bold, shaded */
    lxw_format *money; /* "0.00" */
    lxw_format *score; /* "0.00" */
    fg_buf_t cell;     /* scratch for joined ids */
    lxw_error err;     /* the first error */
} book_t;

static void note(book_t *b, lxw_error e)
{
    if (e != LXW_NO_ERROR && b->err == LXW_NO_ERROR)
        b->err = e;
}

/* A string cell, cut to CELL_MAX bytes at a character boundary with "…"; empty writes nothing. */
static void put_str(book_t *b, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const char *s,
                    lxw_format *fmt)
{
    if (s == NULL || s[0] == '\0')
        return;
    size_t n = strlen(s);
    if (n <= CELL_MAX) {
        note(b, worksheet_write_string(ws, r, c, s, fmt));
        return;
    }
    char *cut = fg_malloc(CELL_MAX + 4);
    if (cut == NULL) {
        note(b, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return;
    }
    size_t k = CELL_MAX;
    while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
        k--;
    memcpy(cut, s, k);
    memcpy(cut + k, "\xe2\x80\xa6", 4);
    note(b, worksheet_write_string(ws, r, c, cut, fmt));
    fg_free(cut);
}

/* fen as the number nearest its exact 2-decimal text, in the "0.00" format. */
static void put_money(book_t *b, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, fg_fen_t fen)
{
    char m[FG_MONEY_TEXTLEN];
    fg_money_format(fen, m);
    note(b, worksheet_write_number(ws, r, c, strtod(m, NULL), b->money));
}

static void put_ids(book_t *b, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c,
                    const fg__screen_ids_t *ids)
{
    fg_buf_reset(&b->cell);
    for (size_t i = 0; i < ids->n; i++) {
        if ((i > 0 && fg_buf_appendc(&b->cell, ';') != 0) ||
            fg_buf_appends(&b->cell, ids->v[i]) != 0)
            break; /* the buffer's limit: the cell is cut below */
    }
    put_str(b, ws, r, c, b->cell.data, NULL);
}

static lxw_worksheet *model_sheet(book_t *b, const fg_screen_model_summary_t *m, int part)
{
    char name[LXW_MAX_SHEETNAME_LENGTH];
    if (part == 1)
        snprintf(name, sizeof(name), "%s", m->name_zh);
    else
        snprintf(name, sizeof(name), "%s（%d）", m->name_zh, part);
    if (workbook_validate_sheet_name(b->wb, name) != LXW_NO_ERROR) {
        if (part == 1)
            snprintf(name, sizeof(name), "%.31s", m->name);
        else
            snprintf(name, sizeof(name), "%.24s (%d)", m->name, part);
    }
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, name);
    if (ws == NULL) {
        note(b, LXW_ERROR_SHEETNAME_ALREADY_USED);
        return NULL;
    }
    for (lxw_col_t c = 0; c < NCOLS; c++) {
        note(b, worksheet_set_column(ws, c, c, COLS[c].width, NULL));
        note(b, worksheet_write_string(ws, 0, c, COLS[c].head, b->head));
    }
    worksheet_freeze_panes(ws, 1, 0);
    return ws;
}

static void finding_row(book_t *b, const fg__screen_result_t *res, lxw_worksheet *ws, lxw_row_t r,
                        uint64_t seq, const fg__screen_finding_t *f)
{
    char t[FG_TIME_TEXTLEN + 1] = "";
    const fg_institution_t *inst = res->ref != NULL && f->fixmedins_code[0] != '\0'
                                       ? fg__screen_ref_institution(res->ref, f->fixmedins_code)
                                       : NULL;
    note(b, worksheet_write_number(ws, r, C_SEQ, (double)seq, NULL));
    put_str(b, ws, r, C_LEVEL, f->level == FG__SCREEN_DEFINITE ? "明确违规" : "疑点", NULL);
    put_str(b, ws, r, C_INST, f->fixmedins_code, NULL);
    put_str(b, ws, r, C_INST_NAME, inst != NULL ? inst->fixmedins_name : NULL, NULL);
    put_str(b, ws, r, C_PSN, f->psn_no, NULL);
    put_ids(b, ws, r, C_PSNS, &f->psn_nos);
    put_str(b, ws, r, C_STAFF, f->staff_code, NULL);
    put_ids(b, ws, r, C_SETLS, &f->setl_ids);
    put_ids(b, ws, r, C_MDTRTS, &f->mdtrt_ids);
    put_ids(b, ws, r, C_FEES, &f->feedetl_sns);
    put_str(b, ws, r, C_TRACE, f->drug_trac_codg, NULL);
    put_str(b, ws, r, C_CODE, f->med_list_codg, NULL);
    put_str(b, ws, r, C_INVONO, f->invono, NULL);
    put_money(b, ws, r, C_AMOUNT, f->amount);
    if (f->has_score)
        note(b, worksheet_write_number(ws, r, C_SCORE, f->score, b->score));
    if (f->time != FG_TIME_NONE)
        fg_time_format(f->time, t);
    put_str(b, ws, r, C_TIME, t, NULL);
    put_str(b, ws, r, C_MESSAGE, f->message, NULL);
    put_str(b, ws, r, C_EVIDENCE, f->evidence.data, NULL);
}

/* The sheet(s) of model i: its findings in findings.jsonl order. */
static void model_sheets(book_t *b, const fg__screen_result_t *r, size_t i)
{
    const fg_screen_model_summary_t *m = &r->summary->models[i];
    int part = 1;
    lxw_worksheet *ws = model_sheet(b, m, part);
    lxw_row_t row = 1;
    uint64_t seq = 0;
    for (size_t k = 0; ws != NULL && k < r->nfindings; k++) {
        const fg__screen_finding_t *f = &r->findings[k];
        if (f->model == NULL || strcmp(f->model, m->name) != 0)
            continue;
        if (row == LXW_ROW_MAX) {
            ws = model_sheet(b, m, ++part);
            row = 1;
            if (ws == NULL)
                break;
        }
        finding_row(b, r, ws, row++, ++seq, f);
    }
}

static void summary_sheet(book_t *b, const fg_screen_summary_t *s)
{
    static const col_t SUM[] = {{"模型代码", 24}, {"模型", 18},           {"状态", 10},
                                {"疑点数", 10},   {"涉及金额（元）", 16}, {"未运行原因", 60}};
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, "汇总");
    if (ws == NULL) {
        note(b, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return;
    }
    for (lxw_col_t c = 0; c < sizeof(SUM) / sizeof(SUM[0]); c++) {
        note(b, worksheet_set_column(ws, c, c, SUM[c].width, NULL));
        note(b, worksheet_write_string(ws, 0, c, SUM[c].head, b->head));
    }
    worksheet_freeze_panes(ws, 1, 0);
    lxw_row_t r = 1;
    for (size_t i = 0; i < s->nmodels; i++, r++) {
        const fg_screen_model_summary_t *m = &s->models[i];
        put_str(b, ws, r, 0, m->name, NULL);
        put_str(b, ws, r, 1, m->name_zh, NULL);
        put_str(b, ws, r, 2, m->enabled ? "已运行" : "未运行", NULL);
        note(b, worksheet_write_number(ws, r, 3, (double)m->findings, NULL));
        put_money(b, ws, r, 4, m->amount);
        put_str(b, ws, r, 5, m->why, NULL);
    }
    put_str(b, ws, r, 1, "合计", b->head);
    note(b, worksheet_write_number(ws, r, 3, (double)s->findings, b->head));
    put_money(b, ws, r, 4, s->amount);
}

int fg__screen_write_xlsx(const char *dir, const fg__screen_result_t *r, fg_error_t *err)
{
    char path[1024];
    char tmpdir[1024];
    snprintf(path, sizeof(path), "%s/findings.xlsx", dir);
    snprintf(tmpdir, sizeof(tmpdir), "%s", dir);
    lxw_workbook_options opt = {
        .constant_memory = LXW_TRUE, .tmpdir = tmpdir, .use_zip64 = LXW_TRUE};
    book_t b = {.wb = workbook_new_opt(path, &opt)};
    if (b.wb == NULL)
        return fg_error_set(err, FG_EIO, "findings.xlsx", 0, "cannot create %s", path);
    fg_buf_init(&b.cell, CELL_MAX + 64);
    b.head = workbook_add_format(b.wb);
    format_set_bold(b.head);
    format_set_bg_color(b.head, 0xEEF2F7);
    b.money = workbook_add_format(b.wb);
    format_set_num_format(b.money, "0.00");
    b.score = workbook_add_format(b.wb);
    format_set_num_format(b.score, "0.00");
    summary_sheet(&b, r->summary);
    for (size_t i = 0; i < r->summary->nmodels; i++)
        if (r->summary->models[i].enabled)
            model_sheets(&b, r, i);
    lxw_error e = workbook_close(b.wb);
    fg_buf_release(&b.cell);
    note(&b, e);
    if (b.err != LXW_NO_ERROR) {
        remove(path);
        return fg_error_set(err, FG_EIO, "findings.xlsx", 0, "cannot write %s: %s", path,
                            lxw_strerror(b.err));
    }
    return 0;
}
