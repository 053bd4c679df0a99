/* buf.c — bounded growable buffer: growing past max is FG_ELIMIT, never an allocation. */
#include "core/compat.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fundguard/alloc.h"
#include "fundguard/buf.h"
#include "fundguard/error.h"
#include "fundguard/utf8.h"

void fg_buf_init(fg_buf_t *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

/* Make room for `extra` more bytes plus the NUL. */
static int reserve(fg_buf_t *b, size_t extra)
{
    if (extra > b->max || b->len > b->max - extra)
        return FG_ELIMIT;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap != 0 ? b->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (cap > b->max + 1)
        cap = b->max + 1;
    char *p = fg_realloc_array(b->data, cap, 1);
    if (p == NULL)
        return FG_ENOMEM;
    b->data = p;
    b->cap = cap;
    return 0;
}

int fg_buf_append(fg_buf_t *b, const void *data, size_t n)
{
    int rc = reserve(b, n);
    if (rc != 0)
        return rc;
    if (n != 0)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int fg_buf_appends(fg_buf_t *b, const char *s)
{
    return fg_buf_append(b, s, strlen(s));
}

int fg_buf_appendc(fg_buf_t *b, char c)
{
    if (b->len + 1 < b->cap) {
        b->data[b->len++] = c;
        b->data[b->len] = '\0';
        return 0;
    }
    return fg_buf_append(b, &c, 1);
}

int fg_buf_vprintf(fg_buf_t *b, const char *fmt, va_list ap)
{
    char small[256];
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(small, sizeof(small), fmt, copy);
    va_end(copy);
    if (n < 0)
        return FG_EINVAL;
    if ((size_t)n < sizeof(small))
        return fg_buf_append(b, small, (size_t)n);
    int rc = reserve(b, (size_t)n);
    if (rc != 0)
        return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int fg_buf_printf(fg_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = fg_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

int fg_buf_append_json_str(fg_buf_t *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    int rc = reserve(b, n + 2);
    if (rc != 0)
        return rc;
    b->data[b->len++] = '"';
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        size_t bad = 0;
        if (c >= 0x80) {
            size_t len = fg_utf8_seq((const unsigned char *)s + i, n - i, &bad);
            if (len != 0) {
                i += len - 1;
                continue;
            }
        } else if (c >= 0x20 && c != '"' && c != '\\') {
            continue;
        }
        rc = fg_buf_append(b, s + start, i - start);
        if (rc != 0)
            return rc;
        if (bad != 0) { /* not UTF-8: one U+FFFD for the maximal ill-formed subpart */
            rc = fg_buf_append(b, "\xEF\xBF\xBD", 3);
            if (rc != 0)
                return rc;
            i += bad - 1;
            start = i + 1;
            continue;
        }
        char esc[6] = {'\\', 0, 0, 0, 0, 0};
        size_t elen = 2;
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            elen = 6;
            break;
        }
        rc = fg_buf_append(b, esc, elen);
        if (rc != 0)
            return rc;
        start = i + 1;
    }
    rc = fg_buf_append(b, s + start, n - start);
    if (rc != 0)
        return rc;
    return fg_buf_appendc(b, '"');
}

void fg_buf_reset(fg_buf_t *b)
{
    b->len = 0;
    if (b->data != NULL)
        b->data[0] = '\0';
}

void fg_buf_release(fg_buf_t *b)
{
    fg_free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

char *fg_buf_detach(fg_buf_t *b, size_t *len)
{
    char *p = b->data;
    if (len != NULL)
        *len = b->len;
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}
