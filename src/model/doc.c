/*
 * doc.c — docs/formats.md, generated from the field tables so the documentation cannot drift from
 * what the readers accept. tests/unit/t_model.c compares the committed file with this output byte
 * for byte; `FG_REGEN=1 ./build/t_model formats_doc` rewrites it.
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>

#include "fundguard/model.h"
#include "model/model_int.h"

/* Append s with '|' escaped, for a markdown table cell. */
static int cell(fg_buf_t *b, const char *s)
{
    int rc = 0;
    for (; *s != '\0' && rc == 0; s++)
        rc = *s == '|' ? fg_buf_appends(b, "\\|") : fg_buf_appendc(b, *s);
    return rc;
}

/* The type column: "money", "code: institution", "code table: 0, 1, 2, 9", "text ≤ 40" … */
static int type_text(fg_buf_t *b, const fg_field_t *f)
{
    switch (f->type) {
    case FG_F_STR:
        return fg_buf_printf(b, "text ≤ %zu bytes", f->size - 1);
    case FG_F_ID:
        return fg_buf_printf(b, "code: %s", fg_id_kind_name((fg_id_kind_t)f->id_kind));
    case FG_F_ENUM:
        return fg_buf_printf(b, "one of `%s`", f->values);
    case FG_F_INT32:
        return fg_buf_printf(b, "integer %lld…%lld", (long long)f->min, (long long)f->max);
    case FG_F_MONEY:
    case FG_F_QTY:
        return fg_buf_printf(b, "%s%s", fg__ftype_name(f->type),
                             (f->flags & FG_FIELD_NONNEG)   ? " ≥ 0"
                             : (f->flags & FG_FIELD_REFUND) ? ", negative on a refund"
                                                            : "");
    default:
        return fg_buf_appends(b, fg__ftype_name(f->type));
    }
}

static const char *required_text(const fg_field_t *f)
{
    if (f->flags & FG_FIELD_REQUIRED)
        return "yes";
    if (f->flags & FG_FIELD_REQ_CSV)
        return "in tables";
    return "";
}

static int record_section(fg_buf_t *b, fg_rectype_t t)
{
    const fg_rectype_info_t *info = fg_rectype_info(t);
    int rc = fg_buf_printf(b, "### `%s`\n\n", info->name);
    if (rc == 0)
        rc = fg_buf_appends(b, "| field | alias | meaning | type | required | example |\n"
                               "|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < info->nfields && rc == 0; i++) {
        const fg_field_t *f = &info->fields[i];
        rc = fg_buf_printf(b, "| `%s` | ", f->name);
        if (rc == 0 && f->alias != NULL)
            rc = fg_buf_printf(b, "`%s`", f->alias);
        if (rc == 0 && (f->flags & FG_FIELD_ALT)) {
            /* the entry this key is another name for */
            for (size_t k = 0; k < i; k++) {
                if (info->fields[k].offset == f->offset) {
                    rc = fg_buf_printf(b, "key for `%s`", info->fields[k].name);
                    break;
                }
            }
        }
        if (rc == 0)
            rc = fg_buf_appends(b, " | ");
        if (rc == 0)
            rc = cell(b, f->meaning);
        if (rc == 0)
            rc = fg_buf_appends(b, " | ");
        if (rc == 0) {
            fg_buf_t tb;
            fg_buf_init(&tb, 512);
            rc = type_text(&tb, f);
            if (rc == 0)
                rc = cell(b, tb.data != NULL ? tb.data : "");
            fg_buf_release(&tb);
        }
        if (rc == 0)
            rc = fg_buf_printf(b, " | %s | ", required_text(f));
        if (rc == 0 && f->example != NULL && f->example[0] != '\0') {
            rc = fg_buf_appendc(b, '`');
            if (rc == 0)
                rc = cell(b, f->example);
            if (rc == 0)
                rc = fg_buf_appendc(b, '`');
        }
        if (rc == 0)
            rc = fg_buf_appends(b, " |\n");
    }
    if (rc == 0)
        rc = fg_buf_appendc(b, '\n');
    return rc;
}

static const char *const table_titles[FG_TABLE__COUNT] = {
    [FG_TABLE_SETL_D] = "结算信息 — settlements",
    [FG_TABLE_MDTRT_D] = "就诊信息 — visits and inpatient stays",
    [FG_TABLE_FEE_LIST_D] = "费用明细 — fee lines",
    [FG_TABLE_SETL_LIST_DIAG_D] = "结算清单诊断信息 — diagnoses",
    [FG_TABLE_SETL_LIST_OPRN_D] = "结算清单手术操作信息 — operations",
    [FG_TABLE_PERSONS] = "参保人 — insured persons (status, death)",
    [FG_TABLE_INSTITUTIONS] = "定点医药机构 — designated institutions",
    [FG_TABLE_STAFF] = "医保相关人员 — staff with payment qualification",
    [FG_TABLE_CATALOGUE] = "目录 — catalogue of drugs, items, consumables with prices",
    [FG_TABLE_DEATHS] = "死亡数据 — deaths from data exchange",
    [FG_TABLE_INJURIES] = "外伤数据 — traffic accidents and work injuries",
    [FG_TABLE_INVOICES] = "电子票据 — electronic invoices",
    [FG_TABLE_SUSPENSIONS] = "暂停/终止 — suspensions of staff or institutions",
    [FG_TABLE_TRUTH] = "真值 — injected fraud cases of a generated region (`fundguard gen`)",
};

static int table_section(fg_buf_t *b, fg_table_t t)
{
    const fg_rectype_info_t *info = fg_rectype_info(fg_table_rectype(t));
    const char *const *cols = fg_table_columns(t);
    const char *const *national = fg__table_national(t);
    size_t ncols = 0;
    while (cols[ncols] != NULL)
        ncols++;
    int rc = fg_buf_printf(b, "### `%s` — %s\n\nRecord: [`%s`](#%s). ", fg_table_name(t),
                           table_titles[t], info->name, info->name);
    if (rc == 0 && national != NULL)
        rc = fg_buf_printf(b,
                           "The national layout has %zu columns (header row written by the "
                           "writers, in this order):\n\n",
                           ncols);
    else if (rc == 0)
        rc = fg_buf_printf(b, "Columns (%zu), the record's field names:\n\n", ncols);
    for (size_t i = 0; i < ncols && rc == 0; i++)
        rc = fg_buf_printf(b, "%s`%s`", i > 0 ? ", " : "", cols[i]);
    if (rc == 0 && national != NULL) {
        rc = fg_buf_appends(b, "\n\nRead into the record:");
        for (size_t i = 0; i < ncols && rc == 0; i++) {
            for (size_t k = 0; k < info->nfields; k++) {
                const fg_field_t *f = &info->fields[k];
                if ((f->flags & (FG_FIELD_NOCSV | FG_FIELD_ALT)) != 0)
                    continue;
                if (strcmp(f->name, cols[i]) == 0 ||
                    (f->alias != NULL && strcmp(f->alias, cols[i]) == 0)) {
                    rc = fg_buf_printf(
                        b, " `%s`%s", cols[i],
                        (f->flags & (FG_FIELD_REQUIRED | FG_FIELD_REQ_CSV)) ? " (required)" : "");
                    break;
                }
            }
        }
        if (rc == 0)
            rc = fg_buf_appends(b, ". The other columns are accepted and ignored.");
    }
    if (rc == 0)
        rc = fg_buf_appends(b, "\n\n");
    return rc;
}

static const char intro[] =
    "# Data formats\n"
    "\n"
    "<!-- Generated by fg_model_formats_markdown() in src/model/doc.c from the field tables in\n"
    "     src/model/fields.c. Do not edit: regenerate with `FG_REGEN=1 ./build/t_model formats_doc`. -->\n"
    "\n"
    "Fundguard reads the national platform's extraction tables (CSV), a few reference files (CSV) "
    "and the institution interfaces' JSON documents, and writes the same shapes back. Every input "
    "becomes one in-memory record type per kind of thing (`include/fundguard/model.h`); each record "
    "type is described once by a field table, and that table drives the CSV reader, the JSON "
    "reader, the writers and this page.\n"
    "\n"
    "## Conventions\n"
    "\n"
    "- **Names** are the national interface vocabulary. An *alias* is the same field under the "
    "other name the national data uses (`bkkp_sn` in `fee_list_d` is the API's `feedetl_sn`). "
    "A *key for* entry is a further JSON key for a member (the inventory interfaces name their "
    "time and quantity differently); it is read, never written.\n"
    "- **Empty means absent.** An empty CSV cell, an empty JSON string or `null` leaves the field "
    "absent; that is an error (`field.required`) only for required fields. *yes*: required "
    "everywhere; *in tables*: required in an extraction table or reference file, optional in API "
    "JSON (a 2204 upload has no `setl_id` yet; the envelope names the institution).\n"
    "- **Money** is yuan with at most 2 decimals (`12.30`, `-3.5`, `12`), held as integer fen. "
    "**Quantities** have at most 4 decimals (`2`, `0.5`), held as ten-thousandths. A refund is "
    "the only place of a negative amount or quantity, as in the national interfaces: a refund "
    "settlement (`refd_setl_flag` 1) and a fee line that reverses an earlier one (naming it in "
    "`init_feedetl_sn`) carry negative amounts and counts (*negative on a refund* below); prices "
    "and inventory counts are never negative (*≥ 0*: a 3504 or 3506 return reports the positive "
    "count that goes back). Any other negative value is an error (`field.negative`).\n"
    "- **Times** are China time `yyyy-MM-dd HH:mm:ss` (`T` accepted for the space; a bare date is "
    "midnight). **Dates** are `yyyy-MM-dd`; a datetime is accepted and its time dropped.\n"
    "- **Codes** are checked and stored normalised (SPEC §2): institutions `H`/`P` + 11 digits, "
    "staff `D`/`N`/`Y` + 12 digits, catalogue codes (drug `X`+22 / `Z`+19, consumable `C`+19, "
    "service item 15 digits), ICD-10 医保版, 6-digit regions, trace codes (20 digits or a GS1 "
    "element string).\n"
    "- **Resident IDs** (`certno`) are checked (ISO 7064 MOD 11-2) and never stored: the record "
    "keeps an HMAC-SHA-256 pseudonym under the configured key (`certno_hash`) and a masked form "
    "(`certno_masked`, `4301**********1234`). Writers never write a resident ID; messages mask "
    "it. Non-ID certificates (passports) in `certno` are refused.\n"
    "- **Text** must be valid UTF-8 and fit its size in bytes; a longer value is an error "
    "(`field.too_long`), never truncated. CSV files may be UTF-8 (with or without BOM) or "
    "GBK/GB18030.\n"
    "- **Flags** are `0` or `1`; **code-table** values must be one of the listed codes; other "
    "code-like fields (`med_type`, `list_type`, `insutype` …) are open text with the usual codes "
    "named in their meaning.\n"
    "- **Integers**: in text (CSV, JSON strings) a decimal fraction is dropped (`age` is often "
    "written `45.0`, sometimes `45.5`). A JSON number for an integer, a flag or a code must be "
    "whole: `45` and `45.0` are 45, `45.5` is refused (`integer.format`).\n"
    "\n"
    "## Errors\n"
    "\n"
    "Validation reports every bad field, not only the first. Each error has a stable code "
    "(`money.format`, `field.required`, `institution_code.format` …), the file line, the column "
    "number (CSV) or the JSON path (`input.feedetail[3].cnt`, "
    "`feedetail[0].drug_trac_info[1].drug_trac_codg`), the position inside the value, and a "
    "message that names the value. A CSV row or a JSON document with any bad field is refused "
    "as a whole; the reader goes on with the next one. A missing required column stops the file "
    "(`csv.missing_column`), naming every missing column.\n"
    "\n";

static const char tables_intro[] =
    "## Extraction tables (CSV)\n"
    "\n"
    "CSV with a header row. Columns are matched by name (ASCII case ignored), in any order; "
    "unknown columns are ignored; a missing required column is an error naming it. The writers "
    "write the full national header and quote fields holding `,` `\"` CR or LF; absent fields are "
    "empty cells, money is always written (`0.00`).\n"
    "\n";

static const char refs_intro[] =
    "## Reference files (CSV)\n"
    "\n"
    "Files Fundguard reads beside the extraction tables; their columns are the record's field "
    "names, under the same rules.\n"
    "\n";

static const char records_intro[] =
    "## Records\n"
    "\n"
    "Every field of every record type. *type* is what the value must be: text (with its size in "
    "bytes), code (checked by the named identifier kind), money, quantity, time, date, integer "
    "(with its range), flag, one of a code table, resident ID or pseudonym (64 hex digits).\n"
    "\n";

static const char json_text[] =
    "## API JSON\n"
    "\n"
    "### Envelope\n"
    "\n"
    "A document is either bare or wrapped in the platform envelope: a top-level object with "
    "`infno` and `input` (and optionally `msgid`, `fixmedins_code`, `inf_time`; other envelope "
    "keys such as `infver`, `opter`, `sign_no` are ignored):\n"
    "\n"
    "```json\n"
    "{\"infno\":\"2204\",\"msgid\":\"H43010200012202507010912000001\",\"fixmedins_code\":\"H43010200012\",\n"
    " \"inf_time\":\"2025-07-01 09:12:00\",\"input\":{\"feedetail\":[{\"feedetl_sn\":\"F2025070100000001\", …}]}}\n"
    "```\n"
    "\n"
    "`infno` is a string or a number. The envelope's `fixmedins_code` fills records that name no "
    "institution. A bare document may carry `infno` at the top level to say which interface it "
    "is; otherwise its parts say so.\n"
    "\n"
    "### Interfaces\n"
    "\n"
    "| infno | interface | key in `input` | record |\n"
    "|---|---|---|---|\n"
    "| 2204 | 门诊费用明细信息上传 fee details | `feedetail[]` (with `drug_trac_info[]` per line) "
    "| `fee_line` |\n"
    "| 2206 | 门诊预结算 pre-settlement | `data` {…} | `settlement` |\n"
    "| 2207 | 门诊结算 settlement | `data` {…} (input) or `setlinfo` {…} (output shape) "
    "| `settlement` |\n"
    "| 3501 | 商品盘存上传 stock count | `invinfo` | `inv_event` |\n"
    "| 3502 | 商品信息变更 stock change | `invinfo` | `inv_event` |\n"
    "| 3503 | 商品采购 purchase | `purcinfo` | `inv_event` |\n"
    "| 3504 | 商品采购退货 purchase return | `purcinfo` | `inv_event` |\n"
    "| 3505 | 商品销售 sale | `selinfo` | `inv_event` |\n"
    "| 3506 | 商品销售退货 sale return | `selinfo` | `inv_event` |\n"
    "| 3507 | 商品信息删除 delete | `data` | `inv_event` (only `fixmedins_bchno` required) |\n"
    "\n"
    "Lists may be arrays or a single object. A bare document may combine `psninfo` (`person`), "
    "`fixmedins` (`institution`), `mdtrtinfo` (`visit`), `diseinfo[]` (`diagnosis`), "
    "`feedetail[]` and `setlinfo` — the shape of a settlement check request and of the "
    "generator's settlement JSON Lines. A bare document with only `feedetail` is taken as 2204, "
    "with only a settlement as 2207, with `invinfo`/`purcinfo`/`selinfo` as 3501/3503/3505 unless "
    "`infno` says otherwise.\n"
    "\n"
    "### Trace codes\n"
    "\n"
    "Per fee line `drug_trac_info[]` of `{\"drug_trac_codg\", \"trdn_flag\"}`; per inventory event "
    "`drugtracinfo[]` of `{\"drug_trac_codg\"}` (either key is read in both places). An entry "
    "without `trdn_flag` takes the event's `trdn_flag` (0 for a fee line). Codes are stored "
    "normalised (the Chinese 20-digit code as given; a GS1 pack as `(01)<GTIN>(21)<serial>`).\n"
    "\n"
    "### Values\n"
    "\n"
    "- Money and quantities may be strings or numbers. Strings are parsed exactly. A JSON integer "
    "is whole yuan / units. A JSON number with a fraction is the one floating-point step of the "
    "engine (the JSON library keeps no number text): it is accepted only when it is exact at 2 "
    "decimals (money) or 4 (quantity) — `fen = llround(d × 100)` must give back `d` — and below "
    "10^13; `12.345` or `0.1 + 0.2` style values are refused (`money.precision`).\n"
    "- Code-table values and flags may be strings or integers (`\"1\"` or `1`). Times, dates, "
    "codes and resident IDs must be strings.\n"
    "- Unknown keys are ignored. Duplicate keys are an error (`field.duplicate`), as are invalid "
    "UTF-8 (`field.utf8`) and malformed JSON (`json.syntax`, with line and column).\n"
    "- Limits (configurable): nesting depth 32 (`json.depth`, checked before parsing), 8 MiB per "
    "document and 10000 items per list (`limit`).\n"
    "\n"
    "### Writing\n"
    "\n"
    "The writers produce one-line JSON objects in the same vocabulary, which the reader reads "
    "back to the same records. **Money and quantities are written as strings** (`\"12.30\"`, "
    "`\"0.5\"`) so no consumer has to trust a binary floating-point number; flags and code-table "
    "values as strings; integers (`age`, `prd_days` …) as numbers; times as "
    "`yyyy-MM-dd HH:mm:ss`. Absent fields are left out, and so is money or a quantity of 0 that "
    "is not required (0 is what an absent amount reads as). Resident IDs are never written; "
    "`certno_hash` and `certno_masked` are. A document is written bare or in its envelope as it "
    "came; a bare document carries its `infno` when known. Inventory events are written under "
    "their interface's keys (`sel_retn_time`, `purc_retn_cnt` …).\n";

int fg_model_formats_markdown(fg_buf_t *b)
{
    if (b == NULL)
        return FG_EINVAL;
    int rc = fg_buf_appends(b, intro);
    if (rc == 0)
        rc = fg_buf_appends(b,
                            "## Field types\n\n| type | what the value must be |\n|---|---|\n"
                            "| text | UTF-8 text of at most the given bytes |\n"
                            "| code | an identifier checked by its kind and stored normalised |\n"
                            "| money | yuan with at most 2 decimals, held as fen |\n"
                            "| quantity | at most 4 decimals, held as ten-thousandths |\n"
                            "| time | `yyyy-MM-dd HH:mm:ss` China time |\n"
                            "| date | `yyyy-MM-dd` |\n"
                            "| integer | a whole number in the given range |\n"
                            "| flag | `0` or `1` |\n"
                            "| one of | a value of the code table |\n"
                            "| resident ID | 18-character 身份证号, kept only as pseudonym |\n"
                            "| pseudonym | 64 hex digits (a `certno_hash` written earlier) |\n\n");
    if (rc == 0)
        rc = fg_buf_appends(b, tables_intro);
    for (int t = 0; t < FG_TABLE__COUNT && rc == 0; t++)
        if (fg__table_national((fg_table_t)t) != NULL)
            rc = table_section(b, (fg_table_t)t);
    if (rc == 0)
        rc = fg_buf_appends(b, refs_intro);
    for (int t = 0; t < FG_TABLE__COUNT && rc == 0; t++)
        if (fg__table_national((fg_table_t)t) == NULL)
            rc = table_section(b, (fg_table_t)t);
    if (rc == 0)
        rc = fg_buf_appends(b, records_intro);
    for (int t = 0; t < FG_REC__COUNT && rc == 0; t++)
        rc = record_section(b, (fg_rectype_t)t);
    if (rc == 0)
        rc = fg_buf_appends(b, json_text);
    return rc;
}
