/*
 * cmd_validate.c — `fundguard validate FILE…`: read any supported input and report every error.
 *
 * Each error is one line on stdout: `file:line: field: message [code]` (`file: field: …` when the
 * input has no line for it, as inside a single JSON document). A summary goes to stderr. The kind
 * of a file comes from --kind, else from its name (fee_list_d.csv, persons.csv, x.json, x.jsonl),
 * else from its CSV header. Exit 0 when every file is valid, 3 when any error was found, 2 on
 * usage.
 */
#include "core/compat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "fundguard/alloc.h"
#include "fundguard/arena.h"
#include "fundguard/buf.h"
#include "fundguard/ledger.h"
#include "fundguard/model.h"

typedef struct vopts {
    const char *kind;           /* --kind, or NULL to detect */
    fg_csv_encoding_t encoding; /* --encoding */
    int quiet;                  /* --quiet: summary only */
} vopts_t;

typedef struct reporter {
    const char *file;
    unsigned long long errors;
    int quiet;
    long line; /* when > 0, the line every error is reported at (a JSON Lines record) */
} reporter_t;

static void report(void *ctx, const fg_error_t *e)
{
    reporter_t *r = ctx;
    r->errors++;
    if (r->quiet)
        return;
    long line = r->line > 0 ? r->line : e->line;
    if (line > 0)
        printf("%s:%ld: %s: %s [%s]\n", r->file, line, e->where[0] ? e->where : "-", e->msg,
               fg_err_name(e->code));
    else
        printf("%s: %s: %s [%s]\n", r->file, e->where[0] ? e->where : "-", e->msg,
               fg_err_name(e->code));
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s);
    size_t m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The table a file name names: "fee_list_d.csv", "fee_list_d-2025.csv" → FG_TABLE_FEE_LIST_D. */
static int table_from_name(const char *path)
{
    const char *b = base_name(path);
    int best = -1;
    size_t best_len = 0;
    for (int t = 0; t < FG_TABLE__COUNT; t++) {
        const char *name = fg_table_name((fg_table_t)t);
        size_t n = strlen(name);
        if (strncmp(b, name, n) == 0 && (b[n] == '.' || b[n] == '-' || b[n] == '_') &&
            n > best_len) {
            best = t;
            best_len = n;
        }
    }
    return best;
}

static unsigned long long validate_table(const char *path, int table, const vopts_t *o,
                                         reporter_t *rep, unsigned long long *records)
{
    fg_csv_options_t copt = {.encoding = o->encoding,
                             .on_error = FG_CSV_SKIP,
                             .header = 1,
                             .strict_fields = 1,
                             .name = path};
    fg_diag_t diag = {report, rep, 0};
    fg_error_t err;
    fg_error_clear(&err);
    if (table < 0) {
        fg_csv_t *csv = NULL;
        if (fg_csv_open_path(path, &copt, &csv, &err) == 0) {
            table = fg_table_detect(csv);
            fg_csv_close(csv);
        }
        if (table < 0) {
            if (err.code == 0)
                fg_error_set(&err, FG_E_CSV_HEADER, NULL, 0,
                             "the header matches no known table; name one with --kind");
            report(rep, &err);
            return 1;
        }
    }
    fg_table_reader_t *r = NULL;
    int rc = fg_table_open((fg_table_t)table, path, &copt, &diag, &r, &err);
    if (rc != 0) {
        if (diag.count == 0)
            report(rep, &err);
        return 1;
    }
    const fg_rectype_info_t *info = fg_rectype_info(fg_table_rectype((fg_table_t)table));
    void *rec = fg_malloc(info->size);
    if (rec == NULL) {
        fg_table_close(r);
        fg_error_set(&err, FG_ENOMEM, NULL, 0, NULL);
        report(rep, &err);
        return 1;
    }
    fg_progress_t prog;
    struct stat st;
    fg_progress_init(&prog, base_name(path),
                     stat(path, &st) == 0 ? (unsigned long long)st.st_size : 0);
    for (;;) {
        rc = fg_table_next(r, rec);
        if (rc <= 0)
            break;
        (*records)++;
        if ((*records & 0xffff) == 0)
            fg_progress_update(&prog, fg_table_offset(r));
    }
    fg_progress_finish(&prog);
    fg_free(rec);
    fg_table_close(r);
    return rc < 0 ? 1 : 0;
}

/* Read a whole file (bounded). */
static char *slurp(const char *path, size_t max, size_t *len, fg_error_t *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fg_error_set(err, -errno, NULL, 0, "cannot open: %s", strerror(errno));
        return NULL;
    }
    fg_buf_t b;
    fg_buf_init(&b, max);
    char chunk[65536];
    size_t got;
    int rc = 0;
    while (rc == 0 && (got = fread(chunk, 1, sizeof(chunk), f)) > 0)
        rc = fg_buf_append(&b, chunk, got);
    fclose(f);
    if (rc != 0) {
        fg_buf_release(&b);
        fg_error_set(err, rc, NULL, 0, "the file is larger than %zu bytes", max);
        return NULL;
    }
    if (b.data == NULL && fg_buf_append(&b, "", 0) != 0) {
        fg_error_set(err, FG_ENOMEM, NULL, 0, NULL);
        return NULL;
    }
    return fg_buf_detach(&b, len);
}

/* Validate one JSON document; line is its line in a JSON Lines file (0 for a .json file, whose
 * field errors have no line of their own). */
static void validate_doc(const char *text, size_t n, long line, fg_arena_t *arena, reporter_t *rep)
{
    fg_doc_t doc;
    fg_error_t err;
    fg_error_clear(&err);
    fg_diag_t diag = {report, rep, 0};
    rep->line = line;
    int rc = fg_doc_parse(text, n, 0, NULL, arena, &doc, &diag, &err);
    if (rc != 0 && diag.count == 0)
        report(rep, &err);
    rep->line = 0;
}

#define JSON_MAX_BYTES ((size_t)8 << 20) /* one document, as the API's body limit */

static unsigned long long validate_json_file(const char *path, reporter_t *rep,
                                             unsigned long long *records)
{
    fg_error_t err;
    fg_error_clear(&err);
    size_t len = 0;
    char *text = slurp(path, JSON_MAX_BYTES, &len, &err);
    if (text == NULL) {
        report(rep, &err);
        return 1;
    }
    fg_arena_t arena;
    fg_arena_init(&arena, 0);
    unsigned long long before = rep->errors;
    validate_doc(text, len, 0, &arena, rep);
    (*records)++;
    fg_arena_release(&arena);
    fg_free(text);
    return rep->errors != before;
}

/* One ledger event line (the input of `fundguard ledger apply`). */
static void validate_event(const char *text, size_t n, long line, reporter_t *rep)
{
    fg_ledger_event_t ev;
    fg_error_t err;
    fg_error_clear(&err);
    if (fg_ledger_event_parse_json(text, n, &ev, &err) != 0) {
        rep->line = line;
        report(rep, &err);
        rep->line = 0;
    }
}

/* JSON Lines, streamed: memory stays one line whatever the file size. Each line is an API document
 * or, with events set, a ledger event. */
static unsigned long long validate_jsonl_file(const char *path, int events, reporter_t *rep,
                                              unsigned long long *records)
{
    fg_error_t err;
    fg_error_clear(&err);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fg_error_set(&err, -errno, NULL, 0, "cannot open: %s", strerror(errno));
        report(rep, &err);
        return 1;
    }
    struct stat st;
    fg_progress_t prog;
    fg_progress_init(&prog, base_name(path),
                     fstat(fileno(f), &st) == 0 ? (unsigned long long)st.st_size : 0);
    fg_arena_t arena;
    fg_arena_init(&arena, 0);
    unsigned long long before = rep->errors;
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    long lineno = 0;
    unsigned long long offset = 0;
    for (;;) {
        got = getline(&line, &cap, f);
        if (got < 0)
            break;
        lineno++;
        offset += (unsigned long long)got;
        size_t n = (size_t)got;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        if (n == 0)
            continue;
        if (n > JSON_MAX_BYTES) {
            fg_error_set(&err, FG_ELIMIT, NULL, 0, "the line is longer than %zu bytes",
                         JSON_MAX_BYTES);
            err.line = lineno;
            report(rep, &err);
            continue;
        }
        if (events)
            validate_event(line, n, lineno, rep);
        else
            validate_doc(line, n, lineno, &arena, rep);
        (*records)++;
        fg_arena_reset(&arena);
        if ((lineno & 0xfff) == 0)
            fg_progress_update(&prog, offset);
    }
    fg_progress_finish(&prog);
    free(line);
    fclose(f);
    fg_arena_release(&arena);
    return rep->errors != before;
}

static void help(FILE *out)
{
    fprintf(
        out,
        "usage: fundguard validate [--kind KIND] [--encoding auto|utf8|gbk] [--quiet] FILE...\n\n"
        "Reads each file and reports every error as 'file:line: field: message [code]'.\n"
        "KIND: an extraction table (setl_d, mdtrt_d, fee_list_d, setl_list_diag_d,\n"
        "setl_list_oprn_d), a reference file (persons, institutions, staff, catalogue, deaths,\n"
        "injuries, invoices, suspensions, truth), json (one API document), jsonl (one per line)\n"
        "or ledger (ledger events, one JSON object per line, as `fundguard ledger apply` reads).\n"
        "Without --kind the file name decides (fee_list_d.csv, x.json, x.jsonl, ledger*.jsonl),\n"
        "else the header.\n"
        "exit: 0 all valid, 3 errors found, 2 usage\n");
}

int fg_cmd_validate(int argc, char **argv)
{
    vopts_t o = {NULL, FG_CSV_ENC_AUTO, 0};
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            help(stdout);
            return FG_EXIT_OK;
        } else if (strcmp(a, "--kind") == 0 && i + 1 < argc) {
            o.kind = argv[++i];
        } else if (strcmp(a, "--encoding") == 0 && i + 1 < argc) {
            const char *e = argv[++i];
            if (strcmp(e, "auto") == 0)
                o.encoding = FG_CSV_ENC_AUTO;
            else if (strcmp(e, "utf8") == 0 || strcmp(e, "utf-8") == 0)
                o.encoding = FG_CSV_ENC_UTF8;
            else if (strcmp(e, "gbk") == 0 || strcmp(e, "gb18030") == 0)
                o.encoding = FG_CSV_ENC_GBK;
            else
                return fg_cli_usage_error("validate", "unknown encoding '%s'", e);
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            o.quiet = 1;
        } else {
            help(stderr);
            return fg_cli_usage_error("validate", "unknown option '%s'", a);
        }
    }
    if (i >= argc) {
        help(stderr);
        return FG_EXIT_USAGE;
    }
    int table_kind = -1;
    if (o.kind != NULL && strcmp(o.kind, "json") != 0 && strcmp(o.kind, "jsonl") != 0 &&
        strcmp(o.kind, "ledger") != 0) {
        table_kind = fg_table_parse(o.kind);
        if (table_kind < 0)
            return fg_cli_usage_error("validate", "unknown kind '%s'", o.kind);
    }
    unsigned long long total_errors = 0;
    unsigned long long records = 0;
    int files = 0;
    for (; i < argc; i++) {
        const char *path = argv[i];
        reporter_t rep = {path, 0, o.quiet, 0};
        files++;
        if (o.kind != NULL
                ? strcmp(o.kind, "ledger") == 0
                : ends_with(path, ".jsonl") && strncmp(base_name(path), "ledger", 6) == 0) {
            validate_jsonl_file(path, 1, &rep, &records);
        } else if ((o.kind != NULL && strcmp(o.kind, "jsonl") == 0) ||
                   (o.kind == NULL && ends_with(path, ".jsonl"))) {
            validate_jsonl_file(path, 0, &rep, &records);
        } else if ((o.kind != NULL && strcmp(o.kind, "json") == 0) ||
                   (o.kind == NULL && ends_with(path, ".json"))) {
            validate_json_file(path, &rep, &records);
        } else {
            validate_table(path, table_kind >= 0 ? table_kind : table_from_name(path), &o, &rep,
                           &records);
        }
        total_errors += rep.errors;
    }
    fprintf(stderr, "validate: %d file%s, %llu record%s, %llu error%s\n", files,
            files == 1 ? "" : "s", records, records == 1 ? "" : "s", total_errors,
            total_errors == 1 ? "" : "s");
    return total_errors != 0 ? FG_EXIT_INPUT : FG_EXIT_OK;
}
