/*
 * utf8.h — the one rule for well-formed UTF-8 (Unicode table 3-7: no overlong forms, no
 * surrogates, nothing above U+10FFFF), shared by the CSV scanner, the field checks and the
 * identifier normaliser, each of which has its own loop around it.
 */
#ifndef FUNDGUARD_UTF8_H
#define FUNDGUARD_UTF8_H

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

#endif
