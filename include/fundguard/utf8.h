/*
 * utf8.h — the one rule for well-formed UTF-8 (Unicode table 3-7: no overlong forms, no
 * surrogates, nothing above U+10FFFF), shared by the CSV scanner, the field checks, the
 * identifier normaliser and the JSON string writer, each of which has its own loop around it; and
 * where to cut a string that does not fit without splitting a character.
 */
#ifndef FUNDGUARD_UTF8_H
#define FUNDGUARD_UTF8_H

#include <stddef.h>

/* The byte length (2, 3 or 4) of the sequence led by byte c, and the range [*lo, *hi] its second
 * byte must fall in (later bytes are 0x80…0xBF); 0 when c cannot lead a multi-byte sequence. */
static inline unsigned fg_utf8_lead(unsigned c, unsigned *lo, unsigned *hi)
{
    *lo = 0x80;
    *hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        return 2;
    if (c >= 0xE0 && c <= 0xEF) {
        if (c == 0xE0)
            *lo = 0xA0;
        else if (c == 0xED)
            *hi = 0x9F;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (c == 0xF0)
            *lo = 0x90;
        else if (c == 0xF4)
            *hi = 0x8F;
        return 4;
    }
    return 0;
}

/* The length of the well-formed sequence at s[0..n), n >= 1 (1 for an ASCII byte, NUL included),
 * or 0 when there is none; then *bad is the length (>= 1) of the maximal ill-formed subpart, which
 * a writer replaces by one U+FFFD (Unicode 15, §3.9 "U+FFFD Substitution of Maximal Subparts"). */
static inline size_t fg_utf8_seq(const unsigned char *s, size_t n, size_t *bad)
{
    if (s[0] < 0x80)
        return 1;
    unsigned lo;
    unsigned hi;
    size_t len = fg_utf8_lead(s[0], &lo, &hi);
    size_t k = 1;
    if (len != 0) {
        while (k < len && k < n && s[k] >= lo && s[k] <= hi) {
            k++;
            lo = 0x80;
            hi = 0xBF;
        }
        if (k == len)
            return len;
    }
    *bad = k;
    return 0;
}

/* Where to cut s to keep at most n of its bytes (s holds more than n): n, or less so that the
 * kept part does not end inside a multi-byte character. */
static inline size_t fg_utf8_cut(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t back = 1; back <= 4 && back <= n; back++) {
        unsigned c = u[n - back];
        if (c < 0x80)
            return n;
        if (c >= 0xC0) {
            unsigned lo;
            unsigned hi;
            return fg_utf8_lead(c, &lo, &hi) > back ? n - back : n;
        }
    }
    return n;
}

#endif
