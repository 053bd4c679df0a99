/*
 * csv.c — the streaming CSV reader behind fundguard/csv.h.
 *
 * Buffering. The source (a descriptor, or memory copied in block by block) fills one buffer of
 * UTF-8 text; GB18030 input goes through iconv(3) into that buffer, an incomplete multibyte tail
 * waiting in `raw` for the next block. A row is parsed only when it lies whole in the buffer: when
 * the scanner runs into the end of the buffered text in the middle of a row, the row moves to the
 * front, more text is read (the buffer doubles once a row fills more than half of it, bounded by
 * max_field and max_row) and the row is scanned again from its start. Each field is
 * NUL-terminated in place as it is found (over its delimiter or closing quote); before a rescan
 * those bytes are put back. "" escapes are collapsed in place once the row is whole.
 *
 * Scanning. The delimiter, '"' and '\n' are found 64 bytes at a time as a bit mask (SSE2, or a
 * 256-entry class table elsewhere) and the scanner walks the set bits, so unquoted text costs a few
 * instructions per field rather than per byte. A '\n' sentinel after the buffered text stops every
 * scan without a bounds check in the loop. UTF-8 is checked once per whole row (16 ASCII bytes per
 * step, CJK characters 3 bytes per step) and an offending byte is mapped back to its field.
 *
 * Dialect. Rows end with "\n" or "\r\n"; a lone '\r' is data. Lines are counted as '\n' bytes, so
 * a quoted field holding two newlines moves the line count by two. Blank lines are skipped. A '"'
 * inside an unquoted field is data; text after a closing quote is FG_E_CSV_QUOTE. In GB18030 mode
 * an undecodable byte becomes 0xFF (never valid UTF-8), which the row check reports as
 * FG_E_CSV_ENCODING for its row and field.
 */
#include "core/compat.h"

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>
#if defined(__SSE2__) && !defined(FG_CSV_NO_SIMD)
#include <emmintrin.h>
#endif

#include "fundguard/alloc.h"
#include "fundguard/csv.h"
#include "fundguard/utf8.h"

#define CSV_BLOCK       ((size_t)1 << 20) /* read size, and the first buffer size */
#define CSV_PAD         80    /* bytes after the text: '\n' sentinel + one 64-byte load */
#define CSV_MIN_CAP     64    /* smallest buffer, so a refill always has room */
#define CSV_MAX_FIELDS  65536 /* fields per row, a bound on hostile input */
#define CSV_FIELD_LIMIT ((size_t)1 << 30) /* max_field is clamped to this */
#define CSV_ROW_LIMIT   ((size_t)1 << 31) /* and a row to this (lengths are uint32_t) */
#define CSV_MARK        '\xff'            /* stands for an undecodable GB18030 byte */

/* Why a row failed, for the message (the code alone is too coarse). */
enum row_problem {
    RP_NONE = 0,
    RP_UNCLOSED,    /* FG_E_CSV_QUOTE: end of input inside quotes */
    RP_AFTER_QUOTE, /* FG_E_CSV_QUOTE: text after a closing quote */
    RP_FIELD_SIZE,  /* FG_E_CSV_FIELD_SIZE */
    RP_ROW_SIZE,    /* FG_E_CSV_FIELD_SIZE: the whole row is too long */
    RP_COUNT,       /* FG_E_CSV_FIELDS */
    RP_TOO_MANY,    /* FG_E_CSV_FIELDS: more than CSV_MAX_FIELDS */
    RP_UTF8,        /* FG_E_CSV_ENCODING in UTF-8 mode */
    RP_GB18030      /* FG_E_CSV_ENCODING in GB18030 mode */
};

/* Outcome of one scan of the buffered text. */
enum {
    P_EOF = 0,  /* no more rows */
    P_ROW = 1,  /* a whole row */
    P_NEED = 2, /* the row goes past the buffered text */
    P_SKIP = 3  /* the row is given up: skip it and report s->problem */
};

struct fg_csv {
    /* the source */
    int fd;             /* -1 for memory */
    int own_fd;         /* close fd in fg_csv_close */
    const char *mem;    /* memory source (borrowed) */
    size_t mem_len;     /* its size */
    size_t mem_off;     /* bytes of it taken */
    int src_eof;        /* the source has nothing more */
    uint64_t src_total; /* bytes taken from the source */
    size_t block;       /* read size */

    /* decoding */
    fg_csv_encoding_t enc; /* FG_CSV_ENC_UTF8 or FG_CSV_ENC_GBK once open */
    iconv_t cd;            /* GB18030 → UTF-8, (iconv_t)-1 when unused */
    char *raw;             /* GB18030 bytes not yet converted */
    size_t raw_len;        /* bytes in raw */
    size_t raw_cap;        /* size of raw */
    int marks;             /* 1 once an undecodable byte was replaced by CSV_MARK */

    /* decoded text */
    char *buf;  /* cap + CSV_PAD bytes; buf[end] is a '\n' sentinel */
    size_t cap; /* usable size of buf */
    size_t pos; /* next unparsed byte */
    size_t end; /* end of the text */
    int eof;    /* no more text will come */

    /* options */
    char delim;                 /* field delimiter */
    fg_csv_on_error_t on_error; /* skip or stop after a bad row */
    int header;                 /* the first row names the columns */
    int strict;                 /* check field counts */
    size_t max_field;           /* largest field */
    size_t max_row;             /* largest row */
    char *name;                 /* file name for messages, or NULL (owned) */

    /* the current row, reused */
    char **data;     /* field starts */
    uint32_t *len;   /* field lengths */
    uint32_t *esc;   /* fields holding "" escapes */
    size_t fcap;     /* entries in data, len and esc */
    long line;       /* line of the next unparsed byte, 1-based */
    size_t expect;   /* fields per row (header or first good row) */
    int have_expect; /* expect is known */

    /* the header */
    size_t ncols; /* header columns */
    char **cols;  /* their trimmed names */
    char *colbuf; /* storage of the names */

    /* a stored error (I/O, memory, or any error in FG_CSV_FATAL mode) */
    int failed;      /* its code, 0 when none */
    fg_error_t ferr; /* its detail */
};

/* One scan of a row. */
struct scan {
    size_t nf;                /* fields found */
    size_t nesc;              /* entries in csv->esc */
    long nl;                  /* '\n' inside quoted fields */
    int lf;                   /* the row ended with a '\n' (not the end of input) */
    char *row;                /* first byte of the row */
    char *row_end;            /* end of the row's text (its line end) */
    char *next;               /* first byte after the row */
    char *field;              /* P_NEED: start of the unfinished field */
    enum row_problem problem; /* first problem found, RP_NONE if none */
    long col;                 /* its field, 1-based */
    size_t upos;              /* RP_UTF8/RP_GB18030: byte position in the value, 1-based */
    unsigned char byte;       /* RP_UTF8: the offending byte */
};

/* Test hook (not in the public header): the read size of readers opened afterwards, so tests can
 * put block boundaries anywhere; 0 restores 1 MiB. Not thread-safe; tests only. */
void fg__csv_set_block_size(size_t n);
static size_t test_block;

void fg__csv_set_block_size(size_t n)
{
    test_block = n;
}

/* ---------------------------------------------------------------- scanning */

#if defined(__SSE2__) && !defined(FG_CSV_NO_SIMD)
typedef struct scanner {
    __m128i delim; /* the delimiter in every lane */
    __m128i quote; /* '"' in every lane */
    __m128i lf;    /* '\n' in every lane */
} scanner_t;

static inline void scanner_init(scanner_t *k, char delim)
{
    k->delim = _mm_set1_epi8(delim);
    k->quote = _mm_set1_epi8('"');
    k->lf = _mm_set1_epi8('\n');
}

static inline uint64_t mask16(const scanner_t *k, const char *p)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, k->delim), _mm_cmpeq_epi8(v, k->quote)),
                             _mm_cmpeq_epi8(v, k->lf));
    return (uint64_t)(uint32_t)_mm_movemask_epi8(m);
}

/* Bit i set when p[i] is the delimiter, '"' or '\n' (64 bytes from p must be readable). */
static inline uint64_t mask64(const scanner_t *k, const char *p)
{
    return mask16(k, p) | mask16(k, p + 16) << 16 | mask16(k, p + 32) << 32 |
           mask16(k, p + 48) << 48;
}
#else
typedef struct scanner {
    unsigned char cls[256]; /* 1 for the delimiter, '"' and '\n' */
} scanner_t;

static inline void scanner_init(scanner_t *k, char delim)
{
    memset(k->cls, 0, sizeof(k->cls));
    k->cls[(unsigned char)delim] = 1;
    k->cls['"'] = 1;
    k->cls['\n'] = 1;
}

static inline uint64_t mask64(const scanner_t *k, const char *p)
{
    uint64_t m = 0;
    for (int i = 0; i < 64; i++)
        m |= (uint64_t)k->cls[(unsigned char)p[i]] << i;
    return m;
}
#endif

/* Offset of the first non-ASCII byte in s[0..n) (n if none), 16 or 8 bytes a step. */
static inline size_t skip_ascii(const unsigned char *s, size_t i, size_t n)
{
#if defined(__SSE2__) && !defined(FG_CSV_NO_SIMD)
    for (; n - i >= 16; i += 16) {
        unsigned hm =
            (unsigned)_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(const void *)(s + i)));
        if (hm != 0)
            return i + (size_t)__builtin_ctz(hm);
    }
#else
    for (; n - i >= 8; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if ((w & 0x8080808080808080ull) != 0)
            break;
    }
#endif
    while (i < n && s[i] < 0x80)
        i++;
    return i;
}

/* Offset of the first byte of s[0..n) that is not part of well-formed UTF-8 (Unicode table 3-7:
 * no overlongs, no surrogates, nothing above U+10FFFF), or n. A sequence cut by n is not valid.
 * ASCII runs go 16 bytes a step; a run of multibyte characters (Chinese text) is checked without
 * going back to the ASCII loop between characters. */
static size_t utf8_check(const unsigned char *s, size_t n)
{
    size_t i = 0;
    for (;;) {
        i = skip_ascii(s, i, n);
        if (i == n)
            return n;
        do {
            unsigned c = s[i];
            size_t need;
            unsigned lo;
            unsigned hi;
            if (c >= 0xE1 && c <= 0xEC && n - i >= 3) { /* most CJK: one test for both tails */
                uint16_t t;
                memcpy(&t, s + i + 1, 2);
                if ((t & 0xC0C0) != 0x8080)
                    return i;
                i += 3;
                continue;
            }
            need = fg_utf8_lead(c, &lo, &hi);
            if (need == 0)
                return i;
            need--; /* the continuation bytes */
            if (n - i - 1 < need || s[i + 1] < lo || s[i + 1] > hi)
                return i;
            for (size_t k = 2; k <= need; k++)
                if ((s[i + k] & 0xC0) != 0x80)
                    return i;
            i += need + 1;
        } while (i < n && s[i] >= 0x80);
    }
}

/* Whether the first block reads as UTF-8: up to its last complete line, or all of it at the end
 * of input (a multibyte character cut by the block end does not count against it). */
static int looks_utf8(const char *s, size_t n, int at_eof)
{
    size_t k = n;
    if (!at_eof) {
        const char *nl = memrchr(s, '\n', n);
        if (nl != NULL) {
            k = (size_t)(nl - s) + 1;
        } else {
            for (size_t back = 1; back <= 3 && back <= k; back++) {
                unsigned char b = (unsigned char)s[k - back];
                if ((b & 0xC0) == 0x80)
                    continue;
                size_t seq = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
                if (seq > back)
                    k -= back;
                break;
            }
        }
    }
    return utf8_check((const unsigned char *)s, k) == k;
}

/* ---------------------------------------------------------------- input */

/* Up to n bytes from the source into dst (fewer only at its end): the count, or -errno. */
static ssize_t src_read(fg_csv_t *csv, char *dst, size_t n)
{
    if (csv->src_eof || n == 0)
        return 0;
    if (csv->fd < 0) {
        size_t left = csv->mem_len - csv->mem_off;
        if (n > left)
            n = left;
        if (n > 0)
            memcpy(dst, csv->mem + csv->mem_off, n);
        csv->mem_off += n;
        if (csv->mem_off == csv->mem_len)
            csv->src_eof = 1;
        csv->src_total += n;
        return (ssize_t)n;
    }
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(csv->fd, dst + got, n - got);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (r == 0) {
            csv->src_eof = 1;
            break;
        }
        got += (size_t)r;
    }
    csv->src_total += got;
    return (ssize_t)got;
}

/* Append up to `want` bytes of UTF-8 input to the text. */
static int fill_utf8(fg_csv_t *csv, size_t want)
{
    ssize_t r = src_read(csv, csv->buf + csv->end, want);
    if (r < 0)
        return (int)r;
    csv->end += (size_t)r;
    csv->eof = csv->src_eof;
    return 0;
}

/* Append at least `want` bytes (if the input has them; never more than the room left) of text
 * converted from GB18030, a block of input at a time. An incomplete character at the end of a
 * block waits in raw for the next one (EINVAL); an undecodable byte becomes CSV_MARK (EILSEQ, or
 * EINVAL at the end of input). The text buffer has room for 1.5 blocks of output (the 2 bytes of
 * a GBK character become 3 UTF-8 bytes), so a block converts whole and E2BIG is rare. */
static int fill_gbk(fg_csv_t *csv, size_t want)
{
    size_t made = 0;
    while (made < want) {
        if (!csv->src_eof && csv->raw_len < csv->raw_cap) {
            size_t n = csv->raw_cap - csv->raw_len;
            ssize_t r = src_read(csv, csv->raw + csv->raw_len, n < csv->block ? n : csv->block);
            if (r < 0)
                return (int)r;
            csv->raw_len += (size_t)r;
        }
        if (csv->raw_len == 0)
            break; /* src_eof: src_read returns 0 only there */
        char *in = csv->raw;
        size_t inleft = csv->raw_len;
        char *out = csv->buf + csv->end;
        size_t room = csv->cap - csv->end;
        size_t outleft = room;
        size_t rc = iconv(csv->cd, &in, &inleft, &out, &outleft);
        int e = rc == (size_t)-1 ? errno : 0;
        csv->end += room - outleft;
        made += room - outleft;
        int full = 0;
        if (e == EILSEQ || (e == EINVAL && csv->src_eof)) {
            if (outleft > 0) {
                csv->buf[csv->end++] = CSV_MARK;
                made++;
                csv->marks = 1;
                in++;
                inleft--;
            } else {
                full = 1;
            }
        } else if (e == E2BIG) {
            full = 1;
        } else if (e != 0 && e != EINVAL) {
            return -e;
        }
        memmove(csv->raw, in, inleft);
        csv->raw_len = inleft;
        if (full || csv->end == csv->cap)
            break;
    }
    csv->eof = csv->src_eof && csv->raw_len == 0;
    return 0;
}

/* Double the text buffer (its padding stays zeroed). */
static int grow_text(fg_csv_t *csv)
{
    if (csv->cap > (SIZE_MAX - CSV_PAD) / 2)
        return FG_ENOMEM;
    size_t ncap = csv->cap * 2;
    char *nb = fg_realloc_array(csv->buf, ncap + CSV_PAD, 1);
    if (nb == NULL)
        return FG_ENOMEM;
    memset(nb + csv->cap + CSV_PAD, 0, ncap - csv->cap);
    csv->buf = nb;
    csv->cap = ncap;
    return 0;
}

/* Make room and read more text for the row at pos: move the row to the front, double the buffer
 * when the row fills more than half of it, read a block (or as much as the row holds, so rescans
 * of a long row stay linear in its length). */
static int refill(fg_csv_t *csv)
{
    size_t used = csv->end - csv->pos;
    if (csv->pos > 0) {
        memmove(csv->buf, csv->buf + csv->pos, used);
        csv->pos = 0;
        csv->end = used;
    }
    if (used > csv->cap / 2) {
        int rc = grow_text(csv);
        if (rc != 0)
            return rc;
    }
    size_t room = csv->cap - csv->end;
    size_t want = used > csv->block ? used : csv->enc == FG_CSV_ENC_GBK ? 1 : csv->block;
    if (want > room)
        want = room;
    size_t before = csv->end;
    int rc = csv->enc == FG_CSV_ENC_GBK ? fill_gbk(csv, want) : fill_utf8(csv, want);
    csv->buf[csv->end] = '\n';
    if (rc == 0 && csv->end == before && !csv->eof)
        rc = FG_EINTERNAL; /* no progress: cannot happen with room ≥ 32 */
    return rc;
}

/* ---------------------------------------------------------------- errors */

static const char *col_name(const fg_csv_t *csv, long col)
{
    if (col >= 1 && (size_t)col <= csv->ncols)
        return csv->cols[col - 1];
    return "";
}

/* Fill *err with a message "<file>: line L, field C (name): <what>" (fmt describes <what>). */
static int csv_error(const fg_csv_t *csv, fg_error_t *err, int code, long line, long col,
                     size_t pos, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static int csv_error(const fg_csv_t *csv, fg_error_t *err, int code, long line, long col,
                     size_t pos, const char *fmt, ...)
{
    char what[160];
    char at[120];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    const char *where = col_name(csv, col);
    if (line > 0 && col > 0 && where[0] != '\0')
        snprintf(at, sizeof(at), "line %ld, field %ld (%s): ", line, col, where);
    else if (line > 0 && col > 0)
        snprintf(at, sizeof(at), "line %ld, field %ld: ", line, col);
    else if (line > 0)
        snprintf(at, sizeof(at), "line %ld: ", line);
    else
        at[0] = '\0';
    fg_error_set(err, code, where, pos, "%s%s%s%s", csv->name ? csv->name : "",
                 csv->name ? ": " : "", at, what);
    if (err != NULL) {
        err->line = line;
        err->col = col;
    }
    return code;
}

/* An error that ends the reader whatever on_error says (I/O, memory). */
static int hard_fail(fg_csv_t *csv, fg_error_t *err, int rc)
{
    if (rc == FG_ENOMEM)
        csv_error(csv, &csv->ferr, rc, csv->line, 0, 0, "out of memory");
    else if (rc == FG_EINTERNAL)
        csv_error(csv, &csv->ferr, rc, csv->line, 0, 0, "internal error: no progress");
    else
        csv_error(csv, &csv->ferr, rc, csv->line, 0, 0, "read failed: %s", fg_strerror(rc));
    csv->failed = rc;
    if (err != NULL)
        *err = csv->ferr;
    return rc;
}

/* Report a bad row that starts on `line`; in fatal mode, keep the error for every later call. */
static int row_fail(fg_csv_t *csv, fg_error_t *err, const struct scan *s, long line)
{
    fg_error_t e;
    int code;
    fg_error_clear(&e);
    switch (s->problem) {
    case RP_UNCLOSED:
        code = csv_error(csv, &e, FG_E_CSV_QUOTE, line, s->col, 0,
                         "a quoted field is not closed before the end of the file");
        break;
    case RP_AFTER_QUOTE:
        code = csv_error(csv, &e, FG_E_CSV_QUOTE, line, s->col, 0,
                         "text after the closing quote of a quoted field");
        break;
    case RP_FIELD_SIZE:
        code = csv_error(csv, &e, FG_E_CSV_FIELD_SIZE, line, s->col, 0,
                         "the field is longer than %zu bytes", csv->max_field);
        break;
    case RP_ROW_SIZE:
        code = csv_error(csv, &e, FG_E_CSV_FIELD_SIZE, line, s->col, 0,
                         "the row is longer than %zu bytes", csv->max_row);
        break;
    case RP_COUNT:
        code =
            csv_error(csv, &e, FG_E_CSV_FIELDS, line, s->col, 0, "row has %zu fields, %s has %zu",
                      s->nf, csv->header ? "header" : "first row", csv->expect);
        break;
    case RP_TOO_MANY:
        code = csv_error(csv, &e, FG_E_CSV_FIELDS, line, s->col, 0, "row has more than %d fields",
                         CSV_MAX_FIELDS);
        break;
    case RP_UTF8:
        code = csv_error(csv, &e, FG_E_CSV_ENCODING, line, s->col, s->upos,
                         "byte 0x%02X at position %zu is not valid UTF-8", s->byte, s->upos);
        break;
    case RP_GB18030:
    default:
        code = csv_error(csv, &e, FG_E_CSV_ENCODING, line, s->col, s->upos,
                         "bytes at position %zu are not valid GB18030", s->upos);
        break;
    }
    if (csv->on_error == FG_CSV_FATAL) {
        csv->failed = code;
        csv->ferr = e;
    }
    if (err != NULL)
        *err = e;
    return code;
}

/* ---------------------------------------------------------------- rows */

/* Make room for more fields (FG_ELIMIT past CSV_MAX_FIELDS). */
static int grow_fields(fg_csv_t *csv)
{
    if (csv->fcap >= CSV_MAX_FIELDS)
        return FG_ELIMIT;
    size_t n = csv->fcap * 2;
    char **data = fg_realloc_array(csv->data, n, sizeof(*data));
    if (data == NULL)
        return FG_ENOMEM;
    csv->data = data;
    uint32_t *len = fg_realloc_array(csv->len, n, sizeof(*len));
    if (len == NULL)
        return FG_ENOMEM;
    csv->len = len;
    uint32_t *esc = fg_realloc_array(csv->esc, n, sizeof(*esc));
    if (esc == NULL)
        return FG_ENOMEM;
    csv->esc = esc;
    csv->fcap = n;
    return 0;
}

/* Put back the delimiters and closing quotes that the first nf fields of the row at `row` were
 * NUL-terminated over, so the row can be scanned again. A quoted field starts after a '"'; an
 * unquoted one at the row start or after a delimiter. */
static void unterminate(fg_csv_t *csv, const char *row, size_t nf)
{
    for (size_t i = 0; i < nf; i++) {
        char *f = csv->data[i];
        f[csv->len[i]] = f != row && f[-1] == '"' ? '"' : csv->delim;
    }
}

#define PROBLEM(kind, c)                                                                           \
    do {                                                                                           \
        if (s->problem == RP_NONE) {                                                               \
            s->problem = (kind);                                                                   \
            s->col = (long)(c);                                                                    \
        }                                                                                          \
    } while (0)

/* Record field [ptr, ptr+n) and NUL-terminate it over its delimiter or closing quote (undone by
 * unterminate if the row must be scanned again). Sizes are checked once the row is whole
 * (finish_row); a row with more than CSV_MAX_FIELDS fields is given up (P_SKIP). */
#define PUSH(ptr, n)                                                                               \
    do {                                                                                           \
        if (__builtin_expect(nf == fcap, 0)) {                                                     \
            int g_ = grow_fields(csv);                                                             \
            if (g_ == FG_ENOMEM)                                                                   \
                return g_;                                                                         \
            if (g_ != 0) {                                                                         \
                unterminate(csv, row, nf);                                                         \
                PROBLEM(RP_TOO_MANY, nf + 1);                                                      \
                s->nf = nf;                                                                        \
                return P_SKIP;                                                                     \
            }                                                                                      \
            data = csv->data;                                                                      \
            len = csv->len;                                                                        \
            escs = csv->esc;                                                                       \
            fcap = csv->fcap;                                                                      \
        }                                                                                          \
        data[nf] = (ptr);                                                                          \
        len[nf] = (uint32_t)(n);                                                                   \
        (ptr)[n] = '\0';                                                                           \
        nf++;                                                                                      \
    } while (0)

/* Record the quoted field opened at qs and closed at c. */
#define PUSH_QUOTED()                                                                              \
    do {                                                                                           \
        PUSH(qs + 1, c - (qs + 1));                                                                \
        if (esc)                                                                                   \
            escs[nesc++] = (uint32_t)(nf - 1);                                                     \
    } while (0)

/* Go on scanning at x: drop the mask bits before it, or load the mask at x. */
#define SKIP_TO(x)                                                                                 \
    do {                                                                                           \
        size_t off_ = (size_t)((x)-p);                                                             \
        if (off_ < 64) {                                                                           \
            m &= ~(uint64_t)0 << off_;                                                             \
        } else {                                                                                   \
            p = (x);                                                                               \
            m = mask64(&k, p);                                                                     \
        }                                                                                          \
    } while (0)

/* The text ran out in the middle of the field starting at f. */
#define NEED(f)                                                                                    \
    do {                                                                                           \
        unterminate(csv, row, nf);                                                                 \
        s->nf = nf;                                                                                \
        s->field = (f);                                                                            \
        return P_NEED;                                                                             \
    } while (0)

/* Scan the row at pos: P_ROW (fields in csv->data/len, NUL-terminated but not unescaped; s says
 * where the row ends and what is wrong), P_EOF, P_NEED or P_SKIP (the row's bytes are as read
 * again), or FG_ENOMEM. Blank lines are consumed here. */
static int parse_row(fg_csv_t *csv, struct scan *s)
{
    char *const base = csv->buf;
    char *const end = base + csv->end;
    const char delim = csv->delim;
    char **data = csv->data;
    uint32_t *len = csv->len;
    uint32_t *escs = csv->esc;
    size_t fcap = csv->fcap;
    scanner_t k;
    scanner_init(&k, delim);

    memset(s, 0, sizeof(*s));
    if (csv->pos == csv->end && csv->eof)
        return P_EOF; /* (a last row without a line end may have put its NUL on the sentinel) */
again:;
    char *row = base + csv->pos;
    char *fs = row; /* start of the current field */
    char *p = row;  /* base of the mask */
    char *c;
    size_t nf = 0;
    size_t nesc = 0;
    long nl = 0;
    uint64_t m = mask64(&k, p);
    for (;;) { /* outside quotes */
        while (m == 0) {
            p += 64;
            m = mask64(&k, p);
        }
        c = p + (unsigned)__builtin_ctzll(m);
        if (*c == delim) {
            PUSH(fs, c - fs);
            fs = c + 1;
            m &= m - 1;
            continue;
        }
        if (*c == '\n') {
            if (c == end && !csv->eof)
                NEED(fs);
            if (nf == 0 && (c == fs || (c == fs + 1 && *fs == '\r'))) {
                if (c == end) { /* nothing but blank lines left */
                    csv->pos = csv->end;
                    return P_EOF;
                }
                csv->pos = (size_t)(c + 1 - base);
                csv->line++;
                goto again;
            }
            size_t n = (size_t)(c - fs);
            if (n > 0 && c[-1] == '\r')
                n--;
            PUSH(fs, n);
            s->row_end = c;
            s->lf = c != end;
            s->next = c + s->lf;
            break;
        }
        m &= m - 1; /* '"': opens a quoted field at the start of a field, else it is data */
        if (c != fs)
            continue;
        char *qs = c; /* the opening quote */
        int esc = 0;  /* the field holds "" */
        for (;;) {    /* inside quotes: only '"' and '\n' (for the line count) matter */
            while (m == 0) {
                p += 64;
                m = mask64(&k, p);
            }
            c = p + (unsigned)__builtin_ctzll(m);
            if (*c == '\n') {
                if (c == end) {
                    if (!csv->eof)
                        NEED(qs + 1);
                    PROBLEM(RP_UNCLOSED, nf + 1);
                    nf++;
                    s->row_end = s->next = c;
                    goto done;
                }
                nl++;
            }
            if (*c != '"') {
                m &= m - 1;
                continue;
            }
            char *a = c + 1;
            if (a == end) {
                if (!csv->eof)
                    NEED(qs + 1);
                PUSH_QUOTED();
                s->row_end = s->next = a;
                goto done;
            }
            if (*a == '"') {
                esc = 1;
                SKIP_TO(a + 1);
                continue;
            }
            if (*a == delim) {
                PUSH_QUOTED();
                fs = a + 1;
                SKIP_TO(a + 1);
                break;
            }
            if (*a == '\n') {
                PUSH_QUOTED();
                s->row_end = a;
                s->next = a + 1;
                s->lf = 1;
                goto done;
            }
            if (*a == '\r') {
                if (a + 1 == end && !csv->eof)
                    NEED(qs + 1);
                if (a + 1 == end || a[1] == '\n') {
                    PUSH_QUOTED();
                    s->row_end = a;
                    s->lf = a + 1 != end;
                    s->next = a + 1 + s->lf;
                    goto done;
                }
            }
            PROBLEM(RP_AFTER_QUOTE, nf + 1);
            fs = qs; /* the field runs on, unquoted */
            SKIP_TO(a);
            break;
        }
    }
done:
    s->nf = nf;
    s->nesc = nesc;
    s->nl = nl;
    s->row = row;
    return P_ROW;
}

#undef PUSH_QUOTED
#undef PUSH
#undef SKIP_TO
#undef NEED

/* Consume the rest of a bad row from pos without keeping it (the row is too long to buffer):
 * the same quoting rules as parse_row, as a byte-at-a-time state machine that discards what it
 * has read. */
static int skip_row(fg_csv_t *csv)
{
    enum { START, UNQUOTED, QUOTED, QUOTE_SEEN } st = START;
    for (;;) {
        const char *p = csv->buf + csv->pos;
        const char *e = csv->buf + csv->end;
        while (p < e) {
            char ch = *p++;
            if (st == QUOTED) {
                if (ch == '"')
                    st = QUOTE_SEEN;
                else if (ch == '\n')
                    csv->line++;
                continue;
            }
            if (ch == '\n') {
                csv->line++;
                csv->pos = (size_t)(p - csv->buf);
                return 0;
            }
            if (ch == csv->delim)
                st = START;
            else if (ch == '"' && (st == START || st == QUOTE_SEEN))
                st = QUOTED;
            else
                st = UNQUOTED;
        }
        csv->pos = csv->end;
        if (csv->eof)
            return 0;
        int rc = refill(csv);
        if (rc != 0)
            return rc;
    }
}

/* Collapse the "" escapes of a quoted field in place and NUL-terminate it; its new length. */
static uint32_t unescape(char *f, uint32_t n)
{
    char *e = f + n;
    char *w = memchr(f, '"', n);
    if (w == NULL)
        return n;
    const char *r = w;
    while (r < e) {
        if (*r == '"')
            r++; /* the first of a pair */
        *w++ = *r++;
    }
    *w = '\0';
    return (uint32_t)(w - f);
}

/* A scanned row: check its encoding and field count, then unescape and terminate its fields. */
static int finish_row(fg_csv_t *csv, struct scan *s, fg_csv_row_t *row, fg_error_t *err)
{
    long line = csv->line;
    csv->line += s->nl + s->lf;
    csv->pos = (size_t)(s->next - csv->buf);

    if (s->problem == RP_NONE && (size_t)(s->row_end - s->row) > csv->max_field) {
        for (size_t i = 0; i < s->nf; i++) {
            if (csv->len[i] > csv->max_field) {
                s->problem = RP_FIELD_SIZE;
                s->col = (long)i + 1;
                break;
            }
        }
    }
    if (s->problem == RP_NONE && (size_t)(s->next - s->row) > csv->max_row)
        s->problem = RP_ROW_SIZE;
    if (s->problem == RP_NONE && (csv->enc == FG_CSV_ENC_UTF8 || csv->marks)) {
        size_t n = (size_t)(s->row_end - s->row);
        size_t bad = utf8_check((const unsigned char *)s->row, n);
        if (bad < n) {
            const char *x = s->row + bad;
            size_t f = s->nf - 1;
            while (f > 0 && csv->data[f] > x)
                f--;
            s->problem = csv->enc == FG_CSV_ENC_UTF8 ? RP_UTF8 : RP_GB18030;
            s->col = (long)f + 1;
            s->upos = (size_t)(x - csv->data[f]) + 1;
            s->byte = (unsigned char)*x;
        }
    }
    if (s->problem == RP_NONE && csv->have_expect && csv->strict && s->nf != csv->expect) {
        s->problem = RP_COUNT;
        s->col = (long)(s->nf < csv->expect ? s->nf : csv->expect) + 1;
    }
    if (s->problem != RP_NONE)
        return row_fail(csv, err, s, line);
    if (!csv->have_expect) {
        csv->expect = s->nf;
        csv->have_expect = 1;
    }

    char **data = csv->data;
    uint32_t *len = csv->len;
    for (size_t i = 0; i < s->nesc; i++) {
        uint32_t f = csv->esc[i];
        len[f] = unescape(data[f], len[f]);
    }
    row->nfields = s->nf;
    row->data = data;
    row->len = len;
    row->line = line;
    return 1;
}

int fg_csv_next(fg_csv_t *csv, fg_csv_row_t *row, fg_error_t *err)
{
    if (csv == NULL || row == NULL)
        return fg_error_set(err, FG_EINVAL, "", 0, "fg_csv_next: no reader or no row");
    if (csv->failed) {
        if (err != NULL)
            *err = csv->ferr;
        return csv->failed;
    }
    row->nfields = 0;
    row->line = csv->line;
    for (;;) {
        struct scan s;
        int rc = parse_row(csv, &s);
        if (rc == P_ROW)
            return finish_row(csv, &s, row, err);
        if (rc == P_EOF)
            return 0;
        if (rc < 0)
            return hard_fail(csv, err, rc);
        if (rc == P_SKIP) {
            long line = csv->line;
            rc = skip_row(csv);
            if (rc != 0)
                return hard_fail(csv, err, rc);
            return row_fail(csv, err, &s, line);
        }
        /* P_NEED: the row goes past the buffered text */
        size_t field = (size_t)(csv->buf + csv->end - s.field);
        size_t used = csv->end - csv->pos;
        if (field > csv->max_field || used > csv->max_row) {
            long line = csv->line;
            if (s.problem == RP_NONE && field > csv->max_field) {
                s.problem = RP_FIELD_SIZE;
                s.col = (long)s.nf + 1;
            } else if (s.problem == RP_NONE) {
                s.problem = RP_ROW_SIZE;
                s.col = 0;
            }
            rc = skip_row(csv);
            if (rc != 0)
                return hard_fail(csv, err, rc);
            return row_fail(csv, err, &s, line);
        }
        rc = refill(csv);
        if (rc != 0)
            return hard_fail(csv, err, rc);
    }
}

/* ---------------------------------------------------------------- open and close */

/* Switch to GB18030: the converter, a block of raw input, and text room for two blocks. */
static int start_gbk(fg_csv_t *csv)
{
    csv->cd = iconv_open("UTF-8", "GB18030");
    if (csv->cd == (iconv_t)-1)
        return errno != 0 ? -errno : FG_EINVAL;
    csv->enc = FG_CSV_ENC_GBK;
    csv->raw_cap = csv->block > CSV_MIN_CAP ? csv->block : CSV_MIN_CAP;
    csv->raw = fg_malloc(csv->raw_cap);
    if (csv->raw == NULL)
        return FG_ENOMEM;
    return grow_text(csv);
}

/* Keep the header row's names, trimmed of surrounding spaces and tabs. */
static int take_header(fg_csv_t *csv, const fg_csv_row_t *row, fg_error_t *err)
{
    size_t total = 0;
    for (size_t i = 0; i < row->nfields; i++)
        total += row->len[i] + 1;
    csv->cols = fg_malloc(row->nfields * sizeof(*csv->cols));
    csv->colbuf = fg_malloc(total);
    if (csv->cols == NULL || csv->colbuf == NULL)
        return csv_error(csv, err, FG_ENOMEM, 1, 0, 0, "out of memory");
    char *w = csv->colbuf;
    int named = 0;
    for (size_t i = 0; i < row->nfields; i++) {
        const char *f = row->data[i];
        size_t n = row->len[i];
        while (n > 0 && (*f == ' ' || *f == '\t')) {
            f++;
            n--;
        }
        while (n > 0 && (f[n - 1] == ' ' || f[n - 1] == '\t'))
            n--;
        memcpy(w, f, n);
        w[n] = '\0';
        csv->cols[i] = w;
        w += n + 1;
        named |= n > 0;
    }
    csv->ncols = row->nfields;
    if (!named)
        return csv_error(csv, err, FG_E_CSV_HEADER, row->line, 0, 0,
                         "the header row names no columns");
    return 0;
}

/* Options, buffers, encoding detection, BOM, header. */
static int csv_start(fg_csv_t *csv, const fg_csv_options_t *opt, fg_error_t *err)
{
    static const fg_csv_options_t defaults = {
        .encoding = FG_CSV_ENC_AUTO,
        .on_error = FG_CSV_SKIP,
        .delimiter = ',',
        .header = 1,
        .strict_fields = 1,
        .max_field = 0,
        .name = NULL,
    };
    if (opt == NULL)
        opt = &defaults;
    if (opt->name != NULL) {
        csv->name = fg_strndup(opt->name, strlen(opt->name));
        if (csv->name == NULL)
            return fg_error_set(err, FG_ENOMEM, "", 0, NULL);
    }
    csv->delim = opt->delimiter != '\0' ? opt->delimiter : ',';
    if (csv->delim == '"' || csv->delim == '\n' || csv->delim == '\r' ||
        (unsigned char)csv->delim >= 0x80)
        return csv_error(csv, err, FG_EINVAL, 0, 0, 0, "the delimiter cannot be 0x%02X",
                         (unsigned char)csv->delim);
    if (opt->encoding != FG_CSV_ENC_AUTO && opt->encoding != FG_CSV_ENC_UTF8 &&
        opt->encoding != FG_CSV_ENC_GBK)
        return csv_error(csv, err, FG_EINVAL, 0, 0, 0, "unknown encoding %d", (int)opt->encoding);
    csv->on_error = opt->on_error == FG_CSV_FATAL ? FG_CSV_FATAL : FG_CSV_SKIP;
    csv->header = opt->header != 0;
    csv->strict = opt->strict_fields != 0;
    csv->max_field = opt->max_field != 0 ? opt->max_field : CSV_BLOCK;
    if (csv->max_field > CSV_FIELD_LIMIT)
        csv->max_field = CSV_FIELD_LIMIT;
    csv->max_row = csv->max_field <= CSV_ROW_LIMIT / 64 ? csv->max_field * 64 : CSV_ROW_LIMIT;
    csv->block = test_block != 0 ? test_block : CSV_BLOCK;
    csv->cap = csv->block > CSV_MIN_CAP ? csv->block : CSV_MIN_CAP;
    csv->line = 1;

    csv->buf = fg_malloc(csv->cap + CSV_PAD);
    csv->fcap = 16;
    csv->data = fg_malloc(csv->fcap * sizeof(*csv->data));
    csv->len = fg_malloc(csv->fcap * sizeof(*csv->len));
    csv->esc = fg_malloc(csv->fcap * sizeof(*csv->esc));
    if (csv->buf == NULL || csv->data == NULL || csv->len == NULL || csv->esc == NULL)
        return csv_error(csv, err, FG_ENOMEM, 0, 0, 0, "out of memory");
    memset(csv->buf, 0, csv->cap + CSV_PAD);

    int rc = 0;
    if (opt->encoding == FG_CSV_ENC_GBK) {
        rc = start_gbk(csv);
        if (rc == 0)
            rc = fill_gbk(csv, 1);
    } else {
        /* the first block decides; at least 4 bytes so a BOM is seen whole */
        rc = fill_utf8(csv, csv->block > 4 ? csv->block : 4);
        csv->enc = FG_CSV_ENC_UTF8;
        int bom = csv->end >= 3 && memcmp(csv->buf, "\xEF\xBB\xBF", 3) == 0;
        if (rc == 0 && opt->encoding == FG_CSV_ENC_AUTO && !bom &&
            !looks_utf8(csv->buf, csv->end, csv->eof)) {
            rc = start_gbk(csv);
            if (rc == 0) {
                memcpy(csv->raw, csv->buf, csv->end);
                csv->raw_len = csv->end;
                csv->end = 0;
                rc = fill_gbk(csv, 1);
            }
        }
    }
    if (rc != 0) {
        if (rc == FG_ENOMEM)
            return csv_error(csv, err, rc, 0, 0, 0, "out of memory");
        return csv_error(csv, err, rc, 0, 0, 0, "cannot read: %s", fg_strerror(rc));
    }
    csv->buf[csv->end] = '\n';
    if (csv->end >= 3 && memcmp(csv->buf, "\xEF\xBB\xBF", 3) == 0)
        csv->pos = 3;

    if (csv->header) {
        fg_csv_row_t row;
        rc = fg_csv_next(csv, &row, err);
        if (rc == 0)
            return csv_error(csv, err, FG_E_CSV_HEADER, 0, 0, 0,
                             "the file is empty; a header row was expected");
        if (rc < 0)
            return rc;
        rc = take_header(csv, &row, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static fg_csv_t *csv_alloc(void)
{
    fg_csv_t *csv = fg_calloc(1, sizeof(*csv));
    if (csv == NULL)
        return NULL;
    csv->fd = -1;
    csv->cd = (iconv_t)-1;
    return csv;
}

int fg_csv_open_mem(const char *data, size_t n, const fg_csv_options_t *opt, fg_csv_t **out,
                    fg_error_t *err)
{
    if (out == NULL || (data == NULL && n > 0))
        return fg_error_set(err, FG_EINVAL, "", 0, "fg_csv_open_mem: no data or no out pointer");
    *out = NULL;
    fg_csv_t *csv = csv_alloc();
    if (csv == NULL)
        return fg_error_set(err, FG_ENOMEM, "", 0, NULL);
    csv->mem = data;
    csv->mem_len = n;
    csv->src_eof = n == 0;
    int rc = csv_start(csv, opt, err);
    if (rc != 0) {
        fg_csv_close(csv);
        return rc;
    }
    *out = csv;
    return 0;
}

int fg_csv_open_fd(int fd, const fg_csv_options_t *opt, fg_csv_t **out, fg_error_t *err)
{
    if (out == NULL || fd < 0)
        return fg_error_set(err, FG_EINVAL, "", 0,
                            "fg_csv_open_fd: bad descriptor or no out pointer");
    *out = NULL;
    fg_csv_t *csv = csv_alloc();
    if (csv == NULL)
        return fg_error_set(err, FG_ENOMEM, "", 0, NULL);
    csv->fd = fd;
    int rc = csv_start(csv, opt, err);
    if (rc != 0) {
        fg_csv_close(csv);
        return rc;
    }
    *out = csv;
    return 0;
}

int fg_csv_open_path(const char *path, const fg_csv_options_t *opt, fg_csv_t **out, fg_error_t *err)
{
    if (out == NULL || path == NULL)
        return fg_error_set(err, FG_EINVAL, "", 0, "fg_csv_open_path: no path or no out pointer");
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int rc = -errno;
        return fg_error_set(err, rc, "", 0, "cannot open \"%s\": %s", path, fg_strerror(rc));
    }
#ifdef POSIX_FADV_SEQUENTIAL
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    fg_csv_t *csv = csv_alloc();
    if (csv == NULL) {
        close(fd);
        return fg_error_set(err, FG_ENOMEM, "", 0, NULL);
    }
    csv->fd = fd;
    csv->own_fd = 1;
    int rc = csv_start(csv, opt, err);
    if (rc != 0) {
        fg_csv_close(csv);
        return rc;
    }
    *out = csv;
    return 0;
}

size_t fg_csv_ncolumns(const fg_csv_t *csv)
{
    return csv != NULL ? csv->ncols : 0;
}

const char *fg_csv_column_name(const fg_csv_t *csv, size_t i)
{
    if (csv == NULL || i >= csv->ncols)
        return NULL;
    return csv->cols[i];
}

int fg_csv_column(const fg_csv_t *csv, const char *name)
{
    if (csv == NULL || name == NULL)
        return -1;
    for (size_t i = 0; i < csv->ncols; i++)
        if (strcmp(csv->cols[i], name) == 0)
            return (int)i;
    return -1;
}

fg_csv_encoding_t fg_csv_encoding(const fg_csv_t *csv)
{
    return csv != NULL ? csv->enc : FG_CSV_ENC_AUTO;
}

/* Exact in UTF-8 mode (the source offset of the next unread row); in GB18030 mode the bytes handed
 * to the converter, which is exact at the end and block-granular before. */
uint64_t fg_csv_offset(const fg_csv_t *csv)
{
    if (csv == NULL)
        return 0;
    if (csv->enc == FG_CSV_ENC_GBK)
        return csv->src_total - csv->raw_len;
    return csv->src_total - (csv->end - csv->pos);
}

void fg_csv_close(fg_csv_t *csv)
{
    if (csv == NULL)
        return;
    if (csv->own_fd && csv->fd >= 0)
        close(csv->fd);
    if (csv->cd != (iconv_t)-1)
        iconv_close(csv->cd);
    fg_free(csv->raw);
    fg_free(csv->buf);
    fg_free(csv->data);
    fg_free(csv->len);
    fg_free(csv->esc);
    fg_free(csv->cols);
    fg_free(csv->colbuf);
    fg_free(csv->name);
    fg_free(csv);
}
