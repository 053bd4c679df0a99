/*
 * fundguard/screen.h — post-event screening (事后监管): the big-data models of SPEC §5 over a
 * region's extraction tables, reference feeds and pack events, in one pass, with every finding's
 * evidence and the money at issue.
 *
 *   fg_screen_options_t o;
 *   fg_screen_options_init(&o);
 *   o.dirs = dirs; o.ndirs = n; o.out_dir = "screen-out";
 *   fg_screen_summary_t *s = NULL;
 *   int rc = fg_screen_run(&o, &s, &err);    // writes findings.jsonl, summary.json, …
 *   … s->findings …
 *   fg_screen_summary_free(s);
 *
 * Input: one or more directories holding, by their standard names, setl_d.csv, mdtrt_d.csv,
 * fee_list_d.csv, setl_list_diag_d.csv, setl_list_oprn_d.csv (UTF-8 or GBK), the reference files
 * (persons, institutions, staff, catalogue, deaths, injuries, invoices, suspensions .csv) and the
 * pack events (ledger_events.jsonl, else inventory.jsonl; never both). The same data split over
 * several directories (by month, say) gives the same findings as one directory. A missing optional
 * file switches off the models needing it; the summary says which and why. A missing required
 * column is an error naming the file and column; a malformed row is reported (file, line, column)
 * and skipped, or fatal with `strict`.
 *
 * Output in out_dir: findings.jsonl (one finding a line, sorted), summary.json, and — where their
 * writers are built in — report.html and findings.xlsx. docs/screen.md defines every model and its
 * thresholds; every threshold is configuration (fg_screen_options_t.params).
 *
 * Memory: bounded by the reference tables, one partition of the extraction tables (the rows of the
 * persons whose psn_no hashes to it; partitions are sized from the input, docs/screen.md), the
 * pack ledger's index (32 bytes a code) and the findings; not by the number of fee lines.
 *
 * Ownership: options and what they point to are borrowed for the call; the summary is owned by
 * the caller (fg_screen_summary_free).
 */
#ifndef FUNDGUARD_SCREEN_H
#define FUNDGUARD_SCREEN_H

#include <stddef.h>
#include <stdint.h>

#include "fundguard/buf.h"
#include "fundguard/datetime.h"
#include "fundguard/error.h"
#include "fundguard/money.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Called now and then: work done and total in bytes of input read, and what is being read. */
typedef void (*fg_screen_progress_fn)(void *ctx, const char *what, uint64_t done, uint64_t total);
/* Called for every malformed row or other input problem that does not stop the run (err has the
 * file in `where` when known, line and column). */
typedef void (*fg_screen_report_fn)(void *ctx, const char *file, const fg_error_t *err);

typedef struct fg_screen_options {
    const char *const *dirs; /* input directories, in order (split data: any order) */
    size_t ndirs;
    const char *models;  /* comma-separated model names to run; NULL or "" = every model */
    fg_date_t from;      /* only care on or after this date (FG_DATE_NONE: open) */
    fg_date_t to;        /* only care on or before this date (FG_DATE_NONE: open) */
    const char *out_dir; /* NULL: "screen-out" (created when missing) */
    int strict;          /* 1: a malformed row is fatal (FG_E_* of the row, file in err->where) */
    /* Thresholds: "model.param=value" items (e.g. "after_death.grace_days=0"); an unknown model or
     * parameter, or a value out of its range, is FG_E_CONFIG. NULL-terminated or NULL. */
    const char *const *params;
    /* Knowledge-base directories for the `rule` model (as `fundguard check --kb`); none: the model
     * is switched off with the reason. */
    const char *const *kb_dirs;
    size_t nkb_dirs;
    const char *tmp_dir;   /* scratch (partitions, the pack ledger); NULL: out_dir/.screen-tmp */
    uint64_t memory_bytes; /* target for one partition in memory; 0: 256 MiB */
    fg_screen_progress_fn progress;
    fg_screen_report_fn report;
    void *ctx; /* for progress and report */
} fg_screen_options_t;

void fg_screen_options_init(fg_screen_options_t *o);

/* One model as run. */
typedef struct fg_screen_model_summary {
    const char *name;    /* "after_death" (static storage) */
    const char *name_zh; /* "死亡后结算" */
    int enabled;         /* 0: switched off (why says why) or not asked for */
    char why[192];       /* "" when enabled; else e.g. "deaths.csv missing in every input" */
    uint64_t findings;
    fg_fen_t amount; /* sum of its findings' amounts, fen */
} fg_screen_model_summary_t;

/* One input file as read. */
typedef struct fg_screen_input_summary {
    char path[512];
    const char *kind;     /* "fee_list_d", "deaths", "ledger_events" … */
    const char *encoding; /* "utf-8", "gbk", "" for JSON lines */
    uint64_t rows;        /* rows read (valid ones) */
    uint64_t bad_rows;    /* rows reported and skipped */
    uint64_t filtered;    /* rows outside --from/--to */
} fg_screen_input_summary_t;

typedef struct fg_screen_summary {
    fg_screen_model_summary_t *models; /* every registered model, registry order */
    size_t nmodels;
    fg_screen_input_summary_t *inputs;
    size_t ninputs;
    uint64_t findings;
    fg_fen_t amount;
    uint64_t persons;    /* persons screened (with any row in the extraction tables) */
    uint64_t fee_lines;  /* fee lines screened */
    uint64_t events;     /* pack events screened */
    uint64_t bad_rows;   /* over every input */
    uint64_t partitions; /* partitions the extraction tables were split into */
    double seconds;
} fg_screen_summary_t;

/* Run the screen. 0 when it ran (findings or none: see (*out)->findings); otherwise FG_EINVAL /
 * FG_E_CONFIG (options; err->where names the option), FG_E_CSV_COLUMN (a required column missing:
 * err->where "file: column"), a row's error under strict, FG_ENOTFOUND (no input directory holds
 * any known file), FG_ENOMEM, I/O. *out may be set even on error (what was read until then), and
 * is then freed by the caller too. */
int fg_screen_run(const fg_screen_options_t *o, fg_screen_summary_t **out, fg_error_t *err);
void fg_screen_summary_free(fg_screen_summary_t *s);

/* The registered models: count, and the name / Chinese name of model i (NULL out of range). */
size_t fg_screen_model_count(void);
const char *fg_screen_model_name(size_t i);
const char *fg_screen_model_name_zh(size_t i);
/* Append the thresholds of every model, "model.param=default  # meaning (unit)" a line, to a
 * NUL-terminated text in buf[0..n) (truncated when short); returns the length needed. */
size_t fg_screen_params_text(char *buf, size_t n);

/* Score a findings.jsonl against a generated region's truth.csv (`fundguard gen`): per model, the
 * cases of its scenarios that a finding of it names (recall) and its findings that name a case it
 * may rightly find (precision), with the amount; a text table appended to out. The scenario →
 * model mapping and the keys that must agree are in src/screen/truth.c (docs/screen.md
 * "Measuring against truth.csv"). Errors: reading either file (err names it), FG_ENOMEM. */
int fg_screen_truth(const char *truth_csv, const char *findings_jsonl, fg_buf_t *out,
                    fg_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
