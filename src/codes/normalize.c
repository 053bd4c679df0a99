/*
 * normalize.c — input normalisation for identifiers (see normalize.h): spaces out, full-width forms
 * to ASCII, positions mapped back to the input as given on the error path only.
 */
#include "core/compat.h"

#include "codes/normalize.h"

#include <stdio.h>
#include <string.h>

#include "fundguard/utf8.h"

#define IDEOGRAPHIC_SPACE 0x3000
#define FULLWIDTH_FIRST   0xFF01 /* '！' → '!' */
#define FULLWIDTH_LAST    0xFF5E /* '～' → '~' */
#define FULLWIDTH_SHIFT   (0xFF01 - 0x21)

/*
 * Decode the character at s[i] (i < n): returns its byte length (>= 1) and sets *cp to the code
 * point, or to -1 for a byte that does not start a well-formed UTF-8 sequence (then length 1).
 * Overlong forms, surrogates and values above U+10FFFF are not well-formed.
 */
static size_t utf8_next(const unsigned char *s, size_t n, size_t i, long *cp)
{
    unsigned c = s[i];
    size_t len;
    unsigned lo;
    unsigned hi;
    long v;

    if (c < 0x80) {
        *cp = (long)c;
        return 1;
    }
    len = fg_utf8_lead(c, &lo, &hi);
    if (len == 0) {
        *cp = -1;
        return 1;
    }
    v = (long)(c & (0x7Fu >> len)); /* the lead byte's payload bits */
    if (n - i < len) {
        *cp = -1;
        return 1;
    }
    for (size_t k = 1; k < len; k++) {
        unsigned b = s[i + k];
        if (b < lo || b > hi) {
            *cp = -1;
            return 1;
        }
        lo = 0x80;
        hi = 0xBF;
        v = (v << 6) | (long)(b & 0x3F);
    }
    *cp = v;
    return len;
}

/* What one input character becomes: 0 when removed, else the normalised byte. */
static char map_char(long cp)
{
    if (cp == ' ' || cp == IDEOGRAPHIC_SPACE)
        return 0;
    if (cp >= 0 && cp < 0x80)
        return (char)cp;
    if (cp >= FULLWIDTH_FIRST && cp <= FULLWIDTH_LAST)
        return (char)(cp - FULLWIDTH_SHIFT);
    return FG__NONASCII;
}

size_t fg__codes_norm(const char *s, size_t n, char *out, size_t cap)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t m = 0;
    size_t i = 0;

    while (i < n && m < cap) {
        unsigned c = u[i];
        char ch;
        if (c < 0x80) {
            /* ASCII fast path: the common case from scanners and JSON. */
            i++;
            if (c == ' ')
                continue;
            ch = (char)c;
        } else {
            long cp;
            i += utf8_next(u, n, i, &cp);
            ch = map_char(cp);
            if (ch == 0)
                continue;
        }
        if (m + 1 < cap)
            out[m] = ch;
        m++;
    }
    out[m < cap ? m : cap - 1] = '\0';
    return m;
}

size_t fg__codes_origin(const char *s, size_t n, size_t k, size_t *off, size_t *len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    size_t chars = 0;
    size_t kept = 0;

    while (i < n) {
        long cp;
        size_t l = utf8_next(u, n, i, &cp);
        chars++;
        if (map_char(cp) != 0) {
            if (kept == k) {
                if (off != NULL)
                    *off = i;
                if (len != NULL)
                    *len = l;
                return chars;
            }
            kept++;
        }
        i += l;
    }
    if (off != NULL)
        *off = n;
    if (len != NULL)
        *len = 0;
    return chars + 1;
}

void fg__codes_quote(const char *s, size_t n, size_t k, char *buf, size_t cap)
{
    size_t off;
    size_t len;
    unsigned c;

    fg__codes_origin(s, n, k, &off, &len);
    if (len == 0) {
        snprintf(buf, cap, "the end");
        return;
    }
    c = (unsigned char)s[off];
    if (len > 1) {
        /* A whole UTF-8 character (full-width or other): quote it as written. */
        snprintf(buf, cap, "'%.*s'", (int)len, s + off);
    } else if (c == 0x1D) {
        snprintf(buf, cap, "the GS separator (ASCII 29)");
    } else if (c < 0x20 || c == 0x7F) {
        snprintf(buf, cap, "control character 0x%02X", c);
    } else if (c >= 0x80) {
        snprintf(buf, cap, "byte 0x%02X (not UTF-8)", c);
    } else {
        snprintf(buf, cap, "'%c'", (char)c);
    }
}

void fg__codes_at(const char *s, size_t n, size_t k, char *buf, size_t cap, size_t *pos)
{
    char q[48];
    size_t p = fg__codes_origin(s, n, k, NULL, NULL);

    fg__codes_quote(s, n, k, q, sizeof(q));
    snprintf(buf, cap, "character %zu is %s", p, q);
    *pos = p;
}
