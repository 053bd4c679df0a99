/*
 * t_csv.c — the CSV reader: golden files under tests/data/csv (each NAME.expect holds the options
 * and the expected dump of reading its input), the same files again with every small block size (so
 * a block boundary falls at every byte: inside quotes, escapes, CRLF pairs, GBK characters), and
 * generated files over 1 MiB for the real block size, limits, options and allocation failures.
 *
 * T_CSV_UPDATE=1 rewrites the .expect files from what the reader does now (review the diff!).
 */
#include "core/compat.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fundguard/alloc.h"
#include "fundguard/csv.h"
#include "t.h"

/* Test hook in src/core/csv.c: block size of readers opened afterwards (0 = 1 MiB). */
void fg__csv_set_block_size(size_t n);

/* ---------------------------------------------------------------- a growable text for dumps */

typedef struct text {
    char *s;
    size_t n;
    size_t cap;
} text_t;

static void tx_add(text_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void tx_add(text_t *t, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(t->s ? t->s + t->n : NULL, t->s ? t->cap - t->n : 0, fmt, ap);
        va_end(ap);
        ASSERT(k >= 0);
        if (t->s != NULL && t->n + (size_t)k < t->cap) {
            t->n += (size_t)k;
            return;
        }
        t->cap = (t->cap + (size_t)k + 1) * 2;
        t->s = realloc(t->s, t->cap);
        ASSERT(t->s != NULL);
    }
}

/* A field as [text]: '\', ']' and control bytes escaped; UTF-8 as it is. */
static void tx_field(text_t *t, const char *f, size_t n)
{
    tx_add(t, " [");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)f[i];
        if (c == '\n')
            tx_add(t, "\\n");
        else if (c == '\r')
            tx_add(t, "\\r");
        else if (c == '\t')
            tx_add(t, "\\t");
        else if (c == '\\' || c == ']')
            tx_add(t, "\\%c", c);
        else if (c < 0x20 || c == 0x7F)
            tx_add(t, "\\x%02X", c);
        else
            tx_add(t, "%c", c);
    }
    tx_add(t, "]");
}

static const char *enc_name(fg_csv_encoding_t e)
{
    return e == FG_CSV_ENC_UTF8 ? "utf8" : e == FG_CSV_ENC_GBK ? "gbk" : "auto";
}

/* Check the row's fields are NUL-terminated at their lengths. */
static void check_terminated(const fg_csv_row_t *row)
{
    for (size_t i = 0; i < row->nfields; i++)
        ASSERT_EQ(row->data[i][row->len[i]], '\0');
}

/* Read everything and describe it, one line per row, error and end. */
static void dump(const char *data, size_t n, const fg_csv_options_t *opt, text_t *out,
                 fg_csv_encoding_t *enc)
{
    fg_csv_t *csv = NULL;
    fg_error_t err;
    fg_error_clear(&err);
    int rc = fg_csv_open_mem(data, n, opt, &csv, &err);
    if (rc != 0) {
        tx_add(out, "open error %ld:%ld %s where=[%s]: %s\n", err.line, err.col, fg_err_name(rc),
               err.where, err.msg);
        ASSERT(csv == NULL);
        ASSERT_EQ(err.code, rc);
        return;
    }
    if (enc != NULL)
        *enc = fg_csv_encoding(csv);
    if (fg_csv_ncolumns(csv) > 0) {
        tx_add(out, "columns %zu:", fg_csv_ncolumns(csv));
        for (size_t i = 0; i < fg_csv_ncolumns(csv); i++) {
            const char *c = fg_csv_column_name(csv, i);
            tx_field(out, c, strlen(c));
        }
        tx_add(out, "\n");
    }
    uint64_t last = fg_csv_offset(csv);
    for (int guard = 0; guard < 100000; guard++) {
        fg_csv_row_t row;
        rc = fg_csv_next(csv, &row, &err);
        ASSERT_GE(fg_csv_offset(csv), last);
        last = fg_csv_offset(csv);
        if (rc == 0)
            break;
        if (rc == 1) {
            check_terminated(&row);
            tx_add(out, "row %ld (%zu):", row.line, row.nfields);
            for (size_t i = 0; i < row.nfields; i++)
                tx_field(out, row.data[i], row.len[i]);
            tx_add(out, "\n");
            continue;
        }
        ASSERT_EQ(err.code, rc);
        tx_add(out, "error %ld:%ld %s where=[%s] pos=%zu: %s\n", err.line, err.col, fg_err_name(rc),
               err.where, err.pos, err.msg);
        if (opt != NULL && opt->on_error == FG_CSV_FATAL) {
            fg_error_t again;
            ASSERT_EQ(fg_csv_next(csv, &row, &again), rc);
            ASSERT_EQ(again.line, err.line);
            ASSERT_STR_EQ(again.msg, err.msg);
            tx_add(out, "stopped\n");
            break;
        }
    }
    if (rc == 0) {
        tx_add(out, "eof offset=%llu %s\n", (unsigned long long)fg_csv_offset(csv),
               enc_name(fg_csv_encoding(csv)));
        ASSERT_UEQ(fg_csv_offset(csv), n);
        ASSERT_EQ(fg_csv_next(csv, &(fg_csv_row_t){0}, &err), 0);
    }
    fg_csv_close(csv);
}

/* ---------------------------------------------------------------- golden files */

typedef struct golden {
    char input[256];      /* file under tests/data/csv */
    fg_csv_options_t opt; /* from "# options:" */
    const char *body;     /* the expected dump */
    char *file;           /* the whole .expect text */
} golden_t;

static void golden_load(const char *expect_path, const char *base, golden_t *g)
{
    memset(g, 0, sizeof(*g));
    g->opt.header = 1;
    g->opt.strict_fields = 1;
    g->opt.name = NULL;
    snprintf(g->input, sizeof(g->input), "%.*s.csv", (int)(strlen(base) - 7), base);
    g->file = t_read_file(expect_path, NULL);
    char *p = g->file;
    while (*p == '#') {
        char *eol = strchr(p, '\n');
        ASSERT(eol != NULL);
        *eol = '\0';
        if (strncmp(p, "# input: ", 9) == 0)
            snprintf(g->input, sizeof(g->input), "%s", p + 9);
        if (strncmp(p, "# options:", 10) == 0) {
            char *w = p + 10;
            for (;;) {
                w += strspn(w, " ");
                if (*w == '\0')
                    break;
                char *sp = w + strcspn(w, " ");
                char keep = *sp;
                *sp = '\0';
                if (strcmp(w, "encoding=utf8") == 0)
                    g->opt.encoding = FG_CSV_ENC_UTF8;
                else if (strcmp(w, "encoding=gbk") == 0)
                    g->opt.encoding = FG_CSV_ENC_GBK;
                else if (strcmp(w, "on_error=fatal") == 0)
                    g->opt.on_error = FG_CSV_FATAL;
                else if (strcmp(w, "header=0") == 0)
                    g->opt.header = 0;
                else if (strcmp(w, "strict=0") == 0)
                    g->opt.strict_fields = 0;
                else if (strncmp(w, "max_field=", 10) == 0)
                    g->opt.max_field = strtoul(w + 10, NULL, 10);
                else if (strncmp(w, "delimiter=", 10) == 0)
                    g->opt.delimiter = strcmp(w + 10, "tab") == 0 ? '\t' : w[10];
                else
                    t_fail(__FILE__, __LINE__, "%s: unknown option %s", base, w);
                *sp = keep;
                w = sp;
            }
        }
        *eol = '\n';
        p = eol + 1;
    }
    g->body = p;
    g->opt.name = g->input;
}

/* Compare line by line, naming the first difference. */
static void expect_same(const char *what, const char *want, const char *got)
{
    if (strcmp(want, got) == 0)
        return;
    int line = 1;
    while (*want != '\0' && *want == *got) {
        if (*want == '\n')
            line++;
        want++;
        got++;
    }
    while (line > 1 && want[-1] != '\n') {
        want--;
        got--;
    }
    t_fail(__FILE__, __LINE__, "%s: line %d differs\n    want: %.*s\n    got:  %.*s", what, line,
           (int)strcspn(want, "\n"), want, (int)strcspn(got, "\n"), got);
}

/* Run fn on every golden file (in name order, so failures are stable). */
static void each_golden(void (*fn)(const char *expect_path, const char *base))
{
    struct dirent **names = NULL;
    int n = scandir(t_path("tests/data/csv"), &names, NULL, alphasort);
    ASSERT_GT(n, 0);
    int seen = 0;
    for (int i = 0; i < n; i++) {
        const char *b = names[i]->d_name;
        size_t len = strlen(b);
        if (len > 7 && strcmp(b + len - 7, ".expect") == 0) {
            char path[1024];
            snprintf(path, sizeof(path), "%s/%s", t_path("tests/data/csv"), b);
            fn(path, b);
            seen++;
        }
        free(names[i]);
    }
    free(names);
    ASSERT_GE(seen, 20);
}

static void golden_one(const char *expect_path, const char *base)
{
    golden_t g;
    golden_load(expect_path, base, &g);
    char in_path[1024];
    snprintf(in_path, sizeof(in_path), "%s/%s", t_path("tests/data/csv"), g.input);
    size_t n = 0;
    char *data = t_read_file(in_path, &n);
    text_t got = {0};
    dump(data, n, &g.opt, &got, NULL);
    if (getenv("T_CSV_UPDATE") != NULL) {
        FILE *f = fopen(expect_path, "wb");
        ASSERT(f != NULL);
        fwrite(g.file, 1, (size_t)(g.body - g.file), f);
        fwrite(got.s, 1, got.n, f);
        fclose(f);
    } else {
        expect_same(base, g.body, got.s);
    }
    free(got.s);
    free(data);
    free(g.file);
}

TEST(csv_golden_files)
{
    each_golden(golden_one);
}

/* The same files with block sizes that put a boundary at every byte: same rows, same errors.
 * The encoding is fixed to what the whole-block detection chose (a tiny first block cannot
 * detect). */
static void blocks_one(const char *expect_path, const char *base)
{
    static const size_t sizes[] = {1, 2, 3, 4, 5, 6, 7, 8, 11, 13, 16, 31, 64, 65, 100, 127};
    golden_t g;
    golden_load(expect_path, base, &g);
    char in_path[1024];
    snprintf(in_path, sizeof(in_path), "%s/%s", t_path("tests/data/csv"), g.input);
    size_t n = 0;
    char *data = t_read_file(in_path, &n);
    text_t want = {0};
    fg_csv_encoding_t enc = FG_CSV_ENC_AUTO;
    dump(data, n, &g.opt, &want, &enc);
    if (enc != FG_CSV_ENC_AUTO)
        g.opt.encoding = enc;
    for (size_t i = 0; i < FG_ARRAY_LEN(sizes); i++) {
        text_t got = {0};
        fg__csv_set_block_size(sizes[i]);
        dump(data, n, &g.opt, &got, NULL);
        fg__csv_set_block_size(0);
        char what[300];
        snprintf(what, sizeof(what), "%s with block size %zu", base, sizes[i]);
        expect_same(what, want.s, got.s);
        free(got.s);
    }
    free(want.s);
    free(data);
    free(g.file);
}

TEST(csv_block_boundaries_everywhere)
{
    each_golden(blocks_one);
}

/* ---------------------------------------------------------------- API details */

static fg_csv_t *open_file(const char *rel, const fg_csv_options_t *opt)
{
    fg_csv_t *csv = NULL;
    fg_error_t err;
    ASSERT_OK(fg_csv_open_path(t_path(rel), opt, &csv, &err));
    ASSERT(csv != NULL);
    return csv;
}

TEST(csv_basic_rows)
{
    fg_csv_t *csv = open_file("tests/data/csv/basic.csv", NULL);
    ASSERT_EQ(fg_csv_ncolumns(csv), 3);
    ASSERT_EQ(fg_csv_encoding(csv), FG_CSV_ENC_UTF8);
    fg_csv_row_t row;
    fg_error_t err;
    ASSERT_EQ(fg_csv_next(csv, &row, &err), 1);
    ASSERT_EQ(row.nfields, 3);
    ASSERT_EQ(row.line, 2);
    ASSERT_STR_EQ(row.data[0], "1");
    ASSERT_STR_EQ(row.data[1], "aspirin");
    ASSERT_EQ(row.len[1], 7);
    ASSERT_STR_EQ(row.data[2], "12.30");
    ASSERT_UEQ(fg_csv_offset(csv), strlen("id,name,amount\n1,aspirin,12.30\n"));
    ASSERT_EQ(fg_csv_next(csv, &row, &err), 1);
    ASSERT_STR_EQ(row.data[1], "ibuprofen");
    ASSERT_EQ(fg_csv_next(csv, &row, &err), 1);
    ASSERT_EQ(row.line, 4);
    ASSERT_STR_EQ(row.data[1], "");
    ASSERT_EQ(row.len[1], 0);
    ASSERT_EQ(fg_csv_next(csv, &row, &err), 0);
    ASSERT_EQ(fg_csv_next(csv, &row, NULL), 0);
    ASSERT_UEQ(fg_csv_offset(csv), 53);
    fg_csv_close(csv);
}

TEST(csv_columns_trimmed_first_duplicate_wins)
{
    fg_csv_t *csv = open_file("tests/data/csv/header_trim.csv", NULL);
    ASSERT_EQ(fg_csv_ncolumns(csv), 4);
    ASSERT_EQ(fg_csv_column(csv, "id"), 0);
    ASSERT_EQ(fg_csv_column(csv, "name"), 1);
    ASSERT_EQ(fg_csv_column(csv, "dept"), 3);
    ASSERT_EQ(fg_csv_column(csv, " name "), -1);
    ASSERT_EQ(fg_csv_column(csv, "ID"), -1);
    ASSERT_EQ(fg_csv_column(csv, "nope"), -1);
    ASSERT_EQ(fg_csv_column(csv, NULL), -1);
    ASSERT_STR_EQ(fg_csv_column_name(csv, 2), "id");
    ASSERT(fg_csv_column_name(csv, 4) == NULL);
    fg_csv_close(csv);
}

TEST(csv_null_arguments)
{
    fg_csv_close(NULL);
    ASSERT_EQ(fg_csv_ncolumns(NULL), 0);
    ASSERT(fg_csv_column_name(NULL, 0) == NULL);
    ASSERT_EQ(fg_csv_column(NULL, "x"), -1);
    ASSERT_UEQ(fg_csv_offset(NULL), 0);
    fg_csv_row_t row;
    ASSERT_ERR(fg_csv_next(NULL, &row, NULL), FG_EINVAL);
    ASSERT_ERR(fg_csv_open_mem("a", 1, NULL, NULL, NULL), FG_EINVAL);
    ASSERT_ERR(fg_csv_open_fd(-1, NULL, &(fg_csv_t *){NULL}, NULL), FG_EINVAL);
}

TEST(csv_bad_options)
{
    fg_csv_t *csv = NULL;
    fg_error_t err;
    fg_csv_options_t opt = {.delimiter = '"', .header = 1};
    ASSERT_ERR(fg_csv_open_mem("a\n", 2, &opt, &csv, &err), FG_EINVAL);
    ASSERT(csv == NULL);
    opt.delimiter = '\n';
    ASSERT_ERR(fg_csv_open_mem("a\n", 2, &opt, &csv, &err), FG_EINVAL);
    opt.delimiter = (char)0xE4;
    ASSERT_ERR(fg_csv_open_mem("a\n", 2, &opt, &csv, &err), FG_EINVAL);
    opt.delimiter = ',';
    opt.encoding = (fg_csv_encoding_t)7;
    ASSERT_ERR(fg_csv_open_mem("a\n", 2, &opt, &csv, &err), FG_EINVAL);
}

TEST(csv_zeroed_options_mean_comma_and_1mib)
{
    /* {0} options: AUTO, SKIP, ',' (delimiter 0), no header, not strict, max_field 1 MiB */
    fg_csv_options_t opt = {0};
    fg_csv_t *csv = NULL;
    fg_error_t err;
    ASSERT_OK(fg_csv_open_mem("a,b\nc\n", 6, &opt, &csv, &err));
    ASSERT_EQ(fg_csv_ncolumns(csv), 0);
    fg_csv_row_t row;
    ASSERT_EQ(fg_csv_next(csv, &row, &err), 1);
    ASSERT_EQ(row.nfields, 2);
    ASSERT_EQ(row.line, 1);
    ASSERT_EQ(fg_csv_next(csv, &row, &err), 1);
    ASSERT_EQ(row.nfields, 1);
    ASSERT_EQ(fg_csv_next(csv, &row, &err), 0);
    fg_csv_close(csv);
}

TEST(csv_empty_file_is_a_header_error)
{
    fg_csv_t *csv = NULL;
    fg_error_t err;
    ASSERT_ERR(fg_csv_open_path(t_path("tests/data/csv/empty.csv"), NULL, &csv, &err),
               FG_E_CSV_HEADER);
    ASSERT(csv == NULL);
    ASSERT_ERR(fg_csv_open_mem(NULL, 0, NULL, &csv, &err), FG_E_CSV_HEADER);
    ASSERT_ERR(fg_csv_open_mem("\n\r\n\n", 4, NULL, &csv, &err), FG_E_CSV_HEADER);
    ASSERT_ERR(fg_csv_open_mem(",,\n", 3, NULL, &csv, &err), FG_E_CSV_HEADER);
    /* without a header an empty file is just empty */
    fg_csv_options_t opt = {.header = 0};
    ASSERT_OK(fg_csv_open_mem(NULL, 0, &opt, &csv, &err));
    fg_csv_row_t row;
    ASSERT_EQ(fg_csv_next(csv, &row, &err), 0);
    fg_csv_close(csv);
}

TEST(csv_header_row_error_fails_open)
{
    fg_csv_t *csv = NULL;
    fg_error_t err;
    const char *s = "id,\"name\n1,a\n";
    ASSERT_ERR(fg_csv_open_mem(s, strlen(s), NULL, &csv, &err), FG_E_CSV_QUOTE);
    ASSERT(csv == NULL);
    ASSERT_EQ(err.line, 1);
    ASSERT_EQ(err.col, 2);
}

TEST(csv_open_path_missing)
{
    fg_csv_t *csv = NULL;
    fg_error_t err;
    ASSERT_ERR(fg_csv_open_path("/nonexistent/x.csv", NULL, &csv, &err), -ENOENT);
    ASSERT(csv == NULL);
    ASSERT(strstr(err.msg, "/nonexistent/x.csv") != NULL);
}

TEST(csv_open_fd_borrows_the_descriptor)
{
    int fd = open(t_path("tests/data/csv/crlf.csv"), O_RDONLY);
    ASSERT_GE(fd, 0);
    fg_csv_t *csv = NULL;
    fg_error_t err;
    ASSERT_OK(fg_csv_open_fd(fd, NULL, &csv, &err));
    fg_csv_row_t row;
    int rows = 0;
    while (fg_csv_next(csv, &row, &err) == 1)
        rows++;
    ASSERT_EQ(rows, 3);
    fg_csv_close(csv);
    ASSERT_NE(fcntl(fd, F_GETFD), -1); /* still open */
    close(fd);
}

TEST(csv_reads_a_pipe)
{
    int p[2];
    ASSERT_EQ(pipe(p), 0);
    const char *s = "a,b\n1,\"x\ny\"\n2,z\n";
    ASSERT_EQ(write(p[1], s, strlen(s)), (ssize_t)strlen(s));
    close(p[1]);
    fg__csv_set_block_size(3);
    fg_csv_t *csv = NULL;
    fg_error_t err;
    ASSERT_OK(fg_csv_open_fd(p[0], NULL, &csv, &err));
    fg__csv_set_block_size(0);
    fg_csv_row_t row;
    ASSERT_EQ(fg_csv_next(csv, &row, &err), 1);
    ASSERT_STR_EQ(row.data[1], "x\ny");
    ASSERT_EQ(fg_csv_next(csv, &row, &err), 1);
    ASSERT_EQ(row.line, 4);
    ASSERT_EQ(fg_csv_next(csv, &row, &err), 0);
    ASSERT_UEQ(fg_csv_offset(csv), strlen(s));
    fg_csv_close(csv);
    close(p[0]);
}

TEST(csv_encodings_detected)
{
    fg_csv_t *csv = open_file("tests/data/csv/gbk.csv", NULL);
    ASSERT_EQ(fg_csv_encoding(csv), FG_CSV_ENC_GBK);
    ASSERT_EQ(fg_csv_column(csv, "fixmedins_name"), 1);
    fg_csv_row_t row;
    fg_error_t err;
    ASSERT_EQ(fg_csv_next(csv, &row, &err), 1);
    ASSERT_STR_EQ(row.data[1], "北京市朝阳区第一医院");
    ASSERT_EQ(fg_csv_next(csv, &row, &err), 1);
    ASSERT_STR_EQ(row.data[1], "上海市\"仁济\"医院");
    ASSERT_STR_EQ(row.data[3], "1,024.50");
    fg_csv_close(csv);

    csv = open_file("tests/data/csv/bom.csv", NULL);
    ASSERT_EQ(fg_csv_encoding(csv), FG_CSV_ENC_UTF8);
    ASSERT_EQ(fg_csv_column(csv, "id"), 0); /* not "\xEF\xBB\xBFid" */
    fg_csv_close(csv);

    csv = open_file("tests/data/csv/utf8_chinese.csv", NULL);
    ASSERT_EQ(fg_csv_encoding(csv), FG_CSV_ENC_UTF8);
    fg_csv_close(csv);
}

TEST(csv_gbk_file_read_as_utf8_reports_encoding)
{
    fg_csv_options_t opt = {
        .encoding = FG_CSV_ENC_UTF8, .header = 1, .strict_fields = 1, .name = "gbk.csv"};
    fg_csv_t *csv = open_file("tests/data/csv/gbk.csv", &opt);
    fg_csv_row_t row;
    fg_error_t err;
    ASSERT_ERR(fg_csv_next(csv, &row, &err), FG_E_CSV_ENCODING);
    ASSERT_EQ(err.line, 2);
    ASSERT_EQ(err.col, 2);
    ASSERT_EQ(err.pos, 1);
    ASSERT_STR_EQ(err.where, "fixmedins_name");
    ASSERT_STR_EQ(err.msg, "gbk.csv: line 2, field 2 (fixmedins_name): byte 0xB1 at position 1 is "
                           "not valid UTF-8");
    fg_csv_close(csv);
}

TEST(csv_wrong_field_count_message)
{
    fg_csv_options_t opt = {.header = 1, .strict_fields = 1, .name = "fee.csv"};
    fg_csv_t *csv = open_file("tests/data/csv/wrong_fields.csv", &opt);
    fg_csv_row_t row;
    fg_error_t err;
    ASSERT_EQ(fg_csv_next(csv, &row, &err), 1);
    ASSERT_ERR(fg_csv_next(csv, &row, &err), FG_E_CSV_FIELDS);
    ASSERT_EQ(err.code, FG_E_CSV_FIELDS);
    ASSERT_EQ(err.line, 3);
    ASSERT_EQ(err.col, 3);
    ASSERT_STR_EQ(err.where, "amount");
    ASSERT(strstr(err.msg, "row has 2 fields, header has 3") != NULL);
    ASSERT(strncmp(err.msg, "fee.csv: line 3", 15) == 0);
    ASSERT_ERR(fg_csv_next(csv, &row, &err), FG_E_CSV_FIELDS);
    ASSERT_EQ(err.line, 4);
    ASSERT_EQ(err.col, 4);
    ASSERT_STR_EQ(err.where, "");
    ASSERT_EQ(fg_csv_next(csv, &row, &err), 1); /* skip mode goes on */
    ASSERT_STR_EQ(row.data[0], "4");
    ASSERT_EQ(fg_csv_next(csv, &row, &err), 0);
    fg_csv_close(csv);

    opt.strict_fields = 0;
    csv = open_file("tests/data/csv/wrong_fields.csv", &opt);
    int rows = 0;
    while (fg_csv_next(csv, &row, &err) == 1)
        rows++;
    ASSERT_EQ(rows, 4);
    fg_csv_close(csv);
}

TEST(csv_fatal_mode_repeats_the_error)
{
    fg_csv_options_t opt = {.on_error = FG_CSV_FATAL, .header = 1, .strict_fields = 1};
    fg_csv_t *csv = open_file("tests/data/csv/text_after_quote.csv", &opt);
    fg_csv_row_t row;
    fg_error_t err;
    ASSERT_ERR(fg_csv_next(csv, &row, NULL), FG_E_CSV_QUOTE);
    for (int i = 0; i < 3; i++) {
        ASSERT_ERR(fg_csv_next(csv, &row, &err), FG_E_CSV_QUOTE);
        ASSERT_EQ(err.line, 2);
        ASSERT_EQ(err.col, 2);
        ASSERT_STR_EQ(err.where, "name");
    }
    fg_csv_close(csv);
}

TEST(csv_fields_valid_until_next)
{
    /* fields are NUL-terminated in place and escapes collapsed */
    const char *s = "a,b,c\n\"x\"\"y\",\"\",z\n";
    fg_csv_t *csv = NULL;
    fg_error_t err;
    ASSERT_OK(fg_csv_open_mem(s, strlen(s), NULL, &csv, &err));
    fg_csv_row_t row;
    ASSERT_EQ(fg_csv_next(csv, &row, &err), 1);
    ASSERT_STR_EQ(row.data[0], "x\"y");
    ASSERT_EQ(row.len[0], 3);
    ASSERT_STR_EQ(row.data[1], "");
    ASSERT_STR_EQ(row.data[2], "z");
    fg_csv_close(csv);
}

/* ---------------------------------------------------------------- generated files > 1 MiB */

#define MIB (1u << 20)

/* Filler rows "N,xxxx,t\n" up to exactly `upto` bytes (after a header already in t). */
static void fill_rows(text_t *t, size_t upto, long *line)
{
    while (t->n < upto) {
        size_t left = upto - t->n;
        if (left >= 48) {
            tx_add(t, "%ld,%s,t\n", *line, "filler-filler-filler-fill");
        } else {
            /* one last row of exactly `left` bytes: "9,<pad>,t\n" */
            ASSERT_GE(left, 6);
            tx_add(t, "9,%.*s,t\n", (int)(left - 5),
                   "pppppppppppppppppppppppppppppppppppppppppppppppppppppp");
        }
        (*line)++;
    }
    ASSERT_EQ(t->n, upto);
}

/* Read rows of a 3-column file; return the row starting on `want_line`, copied. */
static void read_all(const char *data, size_t n, const fg_csv_options_t *opt, long want_line,
                     char got[3][256], long *rows, long *last_line)
{
    fg_csv_t *csv = NULL;
    fg_error_t err;
    ASSERT_OK(fg_csv_open_mem(data, n, opt, &csv, &err));
    fg_csv_row_t row;
    int rc = 0;
    *rows = 0;
    for (rc = fg_csv_next(csv, &row, &err); rc == 1; rc = fg_csv_next(csv, &row, &err)) {
        ASSERT_EQ(row.nfields, 3);
        (*rows)++;
        *last_line = row.line;
        if (row.line == want_line)
            for (int i = 0; i < 3; i++)
                snprintf(got[i], 256, "%s", row.data[i]);
    }
    ASSERT_OK(rc);
    ASSERT_UEQ(fg_csv_offset(csv), n);
    fg_csv_close(csv);
}

TEST(csv_1mib_boundary_inside_quoted_field)
{
    /* the special row: 7,"ab""c<CR><LF>d""e",u<CR><LF> — placed so that byte 1 MiB (the first
     * block's end) falls at each of its bytes in turn */
    const char *special = "7,\"ab\"\"c\r\nd\"\"e\",u\r\n";
    size_t sl = strlen(special);
    for (size_t k = 0; k <= sl; k++) {
        text_t t = {0};
        tx_add(&t, "id,note,tail\n");
        long line = 2;
        fill_rows(&t, MIB - k, &line);
        long special_line = line;
        tx_add(&t, "%s", special);
        line += 2;
        fill_rows(&t, MIB + 4096, &line);
        char got[3][256] = {{0}};
        long rows = 0;
        long last = 0;
        read_all(t.s, t.n, NULL, special_line, got, &rows, &last);
        ASSERT_STR_EQ(got[0], "7");
        ASSERT_STR_EQ(got[1], "ab\"c\r\nd\"e");
        ASSERT_STR_EQ(got[2], "u");
        ASSERT_EQ(rows, line - 2 - 1); /* every row but the header; the special one spans 2 lines */
        ASSERT_EQ(last, line - 1);
        free(t.s);
    }
}

TEST(csv_1mib_boundary_inside_gbk_character)
{
    /* GBK file: rows "N,中文,t"; the special row's quoted field holds 人民 and a newline; byte
     * 1 MiB falls at each of its bytes in turn, so between the two bytes of a character too */
    const char *special = "7,\"\xc8\xcb\xc3\xf1\n\xd6\xd0\",\xce\xc4\n";
    size_t sl = strlen(special);
    for (size_t k = 0; k <= sl; k++) {
        text_t t = {0};
        tx_add(&t, "id,name,tail\n");
        long line = 2;
        while (t.n < MIB - k - 64) {
            tx_add(&t, "%ld,\xd6\xd0\xce\xc4,t\n", line);
            line++;
        }
        long gbk_last = line - 1;
        fill_rows(&t, MIB - k, &line);
        long special_line = line;
        tx_add(&t, "%s", special);
        line += 2;
        fill_rows(&t, MIB + 1000, &line);
        fg_csv_t *csv = NULL;
        fg_error_t err;
        ASSERT_OK(fg_csv_open_mem(t.s, t.n, NULL, &csv, &err));
        ASSERT_EQ(fg_csv_encoding(csv), FG_CSV_ENC_GBK);
        fg_csv_row_t row;
        int rc = 0;
        long rows = 0;
        int seen = 0;
        for (rc = fg_csv_next(csv, &row, &err); rc == 1; rc = fg_csv_next(csv, &row, &err)) {
            rows++;
            ASSERT_EQ(row.nfields, 3);
            if (row.line <= gbk_last)
                ASSERT_STR_EQ(row.data[1], "中文");
            if (row.line == special_line) {
                ASSERT_STR_EQ(row.data[1], "人民\n中");
                ASSERT_STR_EQ(row.data[2], "文");
                seen = 1;
            }
        }
        ASSERT_OK(rc);
        ASSERT(seen);
        ASSERT_EQ(rows, line - 3);
        ASSERT_UEQ(fg_csv_offset(csv), t.n);
        fg_csv_close(csv);
        free(t.s);
    }
}

TEST(csv_oversized_fields_are_skipped)
{
    /* 2 MiB unquoted and quoted fields (over the default 1 MiB); the rows after them still read */
    text_t t = {0};
    tx_add(&t, "id,note\n1,a\n2,");
    for (int i = 0; i < 2 * 1024; i++)
        tx_add(&t, "%01023d,", 0); /* commas: many fields, but the next row is what counts */
    t.n--;
    tx_add(&t, "\n3,b\n4,\"");
    size_t start = t.n;
    for (int i = 0; i < 2 * 1024; i++)
        tx_add(&t, "%01023d\n", 0);
    ASSERT_EQ(t.n - start, 2 * MIB);
    tx_add(&t, "\"\n5,c\n6,");
    for (int i = 0; i < 2 * 1024; i++)
        tx_add(&t, "%01024d", 0);
    tx_add(&t, "\n7,d\n");

    fg_csv_options_t opt = {.header = 1, .strict_fields = 0};
    fg_csv_t *csv = NULL;
    fg_error_t err;
    ASSERT_OK(fg_csv_open_mem(t.s, t.n, &opt, &csv, &err));
    fg_csv_row_t row;
    ASSERT_EQ(fg_csv_next(csv, &row, &err), 1);
    ASSERT_STR_EQ(row.data[1], "a");
    ASSERT_EQ(fg_csv_next(csv, &row, &err), 1); /* 2049 fields of 1 KiB: fine */
    ASSERT_EQ(row.nfields, 2049);
    ASSERT_EQ(row.len[2048], 1023);
    ASSERT_EQ(fg_csv_next(csv, &row, &err), 1);
    ASSERT_STR_EQ(row.data[1], "b");
    ASSERT_ERR(fg_csv_next(csv, &row, &err), FG_E_CSV_FIELD_SIZE);
    ASSERT_EQ(err.line, 5);
    ASSERT_EQ(err.col, 2);
    ASSERT_STR_EQ(err.where, "note");
    ASSERT_EQ(fg_csv_next(csv, &row, &err), 1);
    ASSERT_STR_EQ(row.data[1], "c");
    ASSERT_EQ(row.line, 5 + 2048 + 1);
    ASSERT_ERR(fg_csv_next(csv, &row, &err), FG_E_CSV_FIELD_SIZE);
    ASSERT_EQ(err.line, 5 + 2048 + 2);
    ASSERT_EQ(err.col, 2);
    ASSERT_EQ(fg_csv_next(csv, &row, &err), 1);
    ASSERT_STR_EQ(row.data[1], "d");
    ASSERT_EQ(row.line, 5 + 2048 + 3);
    ASSERT_EQ(fg_csv_next(csv, &row, &err), 0);
    ASSERT_UEQ(fg_csv_offset(csv), t.n);
    fg_csv_close(csv);
    free(t.s);
}

TEST(csv_long_row_grows_the_buffer)
{
    /* a 4.2 MiB row of six 700 KiB fields (each under max_field), read through a path */
    char path[512];
    snprintf(path, sizeof(path), "%s/long.csv", t_tmpdir());
    FILE *f = fopen(path, "wb");
    ASSERT(f != NULL);
    fputs("a,b,c,d,e,f\n", f);
    for (int c = 0; c < 6; c++) {
        for (int i = 0; i < 700 * 1024; i++)
            fputc('a' + c, f);
        fputc(c == 5 ? '\n' : ',', f);
    }
    fputs("1,2,3,4,5,6\n", f);
    fclose(f);
    fg_csv_t *csv = NULL;
    fg_error_t err;
    ASSERT_OK(fg_csv_open_path(path, NULL, &csv, &err));
    fg_csv_row_t row;
    ASSERT_EQ(fg_csv_next(csv, &row, &err), 1);
    ASSERT_EQ(row.nfields, 6);
    for (int c = 0; c < 6; c++) {
        ASSERT_EQ(row.len[c], 700 * 1024);
        ASSERT_EQ(row.data[c][0], 'a' + c);
        ASSERT_EQ(row.data[c][700 * 1024 - 1], 'a' + c);
    }
    ASSERT_EQ(fg_csv_next(csv, &row, &err), 1);
    ASSERT_STR_EQ(row.data[5], "6");
    ASSERT_EQ(row.line, 3);
    ASSERT_EQ(fg_csv_next(csv, &row, &err), 0);
    fg_csv_close(csv);
}

TEST(csv_row_and_field_count_limits)
{
    /* max_field 4 → rows up to 256 bytes */
    text_t t = {0};
    tx_add(&t, "a\n1\n");
    for (int i = 0; i < 100; i++)
        tx_add(&t, "abc,");
    tx_add(&t, "x\n2\n");
    fg_csv_options_t opt = {.header = 1, .strict_fields = 0, .max_field = 4};
    fg_csv_t *csv = NULL;
    fg_error_t err;
    ASSERT_OK(fg_csv_open_mem(t.s, t.n, &opt, &csv, &err));
    fg_csv_row_t row;
    ASSERT_EQ(fg_csv_next(csv, &row, &err), 1);
    ASSERT_ERR(fg_csv_next(csv, &row, &err), FG_E_CSV_FIELD_SIZE);
    ASSERT_EQ(err.line, 3);
    ASSERT(strstr(err.msg, "row is longer than 256 bytes") != NULL);
    ASSERT_EQ(fg_csv_next(csv, &row, &err), 1);
    ASSERT_STR_EQ(row.data[0], "2");
    fg_csv_close(csv);
    free(t.s);

    /* 70000 fields: more than a row may have */
    t = (text_t){0};
    tx_add(&t, "a\n");
    for (int i = 0; i < 70000; i++)
        tx_add(&t, ",");
    tx_add(&t, "\nok\n");
    opt.max_field = 0;
    ASSERT_OK(fg_csv_open_mem(t.s, t.n, &opt, &csv, &err));
    ASSERT_ERR(fg_csv_next(csv, &row, &err), FG_E_CSV_FIELDS);
    ASSERT_EQ(err.col, 65537);
    ASSERT_EQ(fg_csv_next(csv, &row, &err), 1);
    ASSERT_STR_EQ(row.data[0], "ok");
    fg_csv_close(csv);
    free(t.s);
}

TEST(csv_survives_allocation_failures)
{
    /* 20 columns (the field arrays grow once), GBK (iconv buffer), a small block (refills) */
    size_t n = 0;
    char *data = t_read_file(t_path("tests/data/csv/gbk.csv"), &n);
    text_t t = {0};
    for (int i = 0; i < 20; i++)
        tx_add(&t, "%sc%d", i ? "," : "", i);
    tx_add(&t, "\n");
    for (int r = 0; r < 3; r++)
        for (int i = 0; i < 20; i++)
            tx_add(&t, "%s%d%s", i ? "," : "", i, i == 19 ? "\n" : "");
    for (int pass = 0; pass < 2; pass++) {
        const char *in = pass ? t.s : data;
        size_t len = pass ? t.n : n;
        int ok = 0;
        for (long k = 0; k < 40; k++) {
            fg__csv_set_block_size(16);
            fg_alloc_fail_after(k);
            fg_csv_t *csv = NULL;
            fg_error_t err;
            fg_csv_options_t opt = {.encoding = pass ? FG_CSV_ENC_AUTO : FG_CSV_ENC_GBK,
                                    .header = 1,
                                    .strict_fields = 1};
            int rc = fg_csv_open_mem(in, len, &opt, &csv, &err);
            if (rc == 0) {
                fg_csv_row_t row;
                do
                    rc = fg_csv_next(csv, &row, &err);
                while (rc == 1);
                if (rc < 0) {
                    ASSERT_ERR(rc, FG_ENOMEM);
                    ASSERT_ERR(fg_csv_next(csv, &row, &err), FG_ENOMEM); /* stays failed */
                } else {
                    ok = 1;
                }
                fg_csv_close(csv);
            } else {
                ASSERT_ERR(rc, FG_ENOMEM);
                ASSERT(csv == NULL);
            }
            fg_alloc_fail_after(-1);
            fg__csv_set_block_size(0);
        }
        ASSERT(ok);
    }
    free(t.s);
    free(data);
}
