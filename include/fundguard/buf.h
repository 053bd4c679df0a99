/*
 * fundguard/buf.h — a bounded growable byte buffer (curl's dynbuf).
 *
 * A buffer is created with a maximum size; growing past it is an error (FG_ELIMIT), not an
 * allocation, so hostile input stays bounded. The content is always NUL-terminated for convenience.
 */
#ifndef FUNDGUARD_BUF_H
#define FUNDGUARD_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct fg_buf {
    char *data; /* NUL-terminated content, NULL until the first append */
    size_t len; /* bytes used, not counting the NUL */
    size_t cap; /* bytes allocated */
    size_t max; /* most bytes it may ever hold */
} fg_buf_t;

void fg_buf_init(fg_buf_t *b, size_t max);
/* 0, FG_ENOMEM or FG_ELIMIT (the buffer is then unchanged). */
int fg_buf_append(fg_buf_t *b, const void *data, size_t n);
int fg_buf_appends(fg_buf_t *b, const char *s);
int fg_buf_appendc(fg_buf_t *b, char c);
int fg_buf_printf(fg_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int fg_buf_vprintf(fg_buf_t *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Append s as a JSON string literal (quotes and escapes). The output is always valid UTF-8:
 * bytes of s that are not (a stray byte, a cut or overlong sequence) become U+FFFD, one for each
 * maximal ill-formed subpart (docs/decisions.md). */
int fg_buf_append_json_str(fg_buf_t *b, const char *s, size_t n);
/* Empty it, keep the memory. */
void fg_buf_reset(fg_buf_t *b);
/* Free the memory; the buffer may be used again. */
void fg_buf_release(fg_buf_t *b);
/* Hand the content to the caller (free with fg_free); the buffer is left empty. */
char *fg_buf_detach(fg_buf_t *b, size_t *len);

#endif
