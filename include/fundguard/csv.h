/*
 * fundguard/csv.h — a streaming CSV reader (RFC 4180 and what real extraction files do).
 *
 * Reads from a file descriptor in large blocks and hands out one row at a time; fields point into
 * the reader's buffer and stay valid until the next fg_csv_next. Handles quoted fields with ""
 * escapes and embedded newlines, LF and CRLF line ends, a UTF-8 byte-order mark, and GBK/GB18030
 * input (converted to UTF-8 with iconv; FG_CSV_ENC_AUTO picks GBK when the start of the file is not
 * valid UTF-8). Columns are found by header name (fg_csv_column), so files may order and extend
 * columns freely.
 *
 * A bad row (unclosed quote, wrong field count, oversized field, undecodable bytes) is returned as
 * an error with its line and column. With FG_CSV_SKIP the reader goes on at the next row on the
 * next call; with FG_CSV_FATAL every further call returns the same error.
 */
#ifndef FUNDGUARD_CSV_H
#define FUNDGUARD_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "fundguard/error.h"

typedef struct fg_csv fg_csv_t;

typedef enum fg_csv_encoding {
    FG_CSV_ENC_AUTO = 0, /* UTF-8 unless the first block is not valid UTF-8, then GB18030 */
    FG_CSV_ENC_UTF8,
    FG_CSV_ENC_GBK /* GBK, read as its superset GB18030 */
} fg_csv_encoding_t;

typedef enum fg_csv_on_error {
    FG_CSV_SKIP = 0, /* report the bad row, continue with the next */
    FG_CSV_FATAL     /* report the bad row, stop */
} fg_csv_on_error_t;

typedef struct fg_csv_options {
    fg_csv_encoding_t encoding;
    fg_csv_on_error_t on_error;
    char delimiter;    /* default ',' */
    int header;        /* 1 (default when options are NULL): the first row names the columns */
    int strict_fields; /* 1: a row with a different field count than the header is an error */
    size_t max_field;  /* largest field in bytes; 0 means 1 MiB */
    const char *name;  /* file name for messages; may be NULL */
} fg_csv_options_t;

/* One row: nfields fields, field i at data[i] with length len[i] (NUL-terminated too).
 * Borrowed from the reader until the next fg_csv_next or fg_csv_close. */
typedef struct fg_csv_row {
    size_t nfields;
    char **data;
    uint32_t *len;
    long line; /* line where the row starts, 1-based */
} fg_csv_row_t;

/* Open a reader. The reader owns neither fd nor memory given: close/free them after fg_csv_close.
 * With a header, the header row is read at open (FG_E_CSV_HEADER on an empty file).
 * *out is owned by the caller; release with fg_csv_close. */
int fg_csv_open_fd(int fd, const fg_csv_options_t *opt, fg_csv_t **out, fg_error_t *err);
int fg_csv_open_mem(const char *data, size_t n, const fg_csv_options_t *opt, fg_csv_t **out,
                    fg_error_t *err);
/* Open a file by path (the reader then owns and closes the descriptor). */
int fg_csv_open_path(const char *path, const fg_csv_options_t *opt, fg_csv_t **out,
                     fg_error_t *err);

/* Number of header columns, and the index of a column by exact name (-1 if absent). */
size_t fg_csv_ncolumns(const fg_csv_t *csv);
const char *fg_csv_column_name(const fg_csv_t *csv, size_t i);
int fg_csv_column(const fg_csv_t *csv, const char *name);

/* Next row: 1 = a row in *row, 0 = end of input, < 0 = error in *err (line, column, code). */
int fg_csv_next(fg_csv_t *csv, fg_csv_row_t *row, fg_error_t *err);

/* The encoding in use after detection. */
fg_csv_encoding_t fg_csv_encoding(const fg_csv_t *csv);
/* Bytes consumed so far from the source (for progress). */
uint64_t fg_csv_offset(const fg_csv_t *csv);

/* NULL allowed. */
void fg_csv_close(fg_csv_t *csv);

#endif
