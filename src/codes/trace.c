/*
 * trace.c — drug trace codes (追溯码) and GTINs, SPEC §2.
 *
 * Two shapes reach the ledger: the Chinese 20-digit code, stored as given, and GS1 element strings
 * from DataMatrix scans, keyed "(01)<GTIN-14>(21)<serial>". This runs once per scan event, millions
 * of times a second, so: no allocation, no locale calls (only ASCII arithmetic), a fast path for
 * the common 20-digit case, and one pass over the input into a small stack buffer otherwise.
 * Positions in errors are 1-based characters of the input as given; they are worked out only on the
 * error path.
 *
 * GS1 application identifiers read: (01) GTIN-14, (21) serial, (17) expiry, (10) batch, and (11)
 * production date (printed on many Chinese packs; validated, not kept). Any other AI is an error.
 */
#include "core/compat.h"

#include "fundguard/codes.h"

#include <stdio.h>
#include <string.h>

#include "codes/normalize.h"

#define GS             '\x1d' /* ASCII 29, ends a variable-length field in raw GS1 */
#define CN20_LEN       20
#define GS1_VAR_MAX    20
#define GS1_RAW_MIN    16  /* "01" + GTIN-14 */
#define TRACE_NORM_CAP 128 /* longer than any trace code (a full GS1 string is < 90) */
#define GTIN_NORM_CAP  32
#define GTIN_LEN       14

_Static_assert(8 + GTIN_LEN + GS1_VAR_MAX < FG_ID_NORM_MAX, "a GS1 key fits fg_trace_code_t.key");

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* GS1 AI encodable character set 82: '!'…'z' minus # $ @ [ \ ] ^ ` (GS1 General Spec. 7.11). */
static int is_cset82(char c)
{
    if (c < '!' || c > 'z')
        return 0;
    return c != '#' && c != '$' && c != '@' && c != '[' && c != '\\' && c != ']' && c != '^' &&
           c != '`';
}

static size_t first_nondigit(const char *b, size_t m)
{
    size_t i = 0;
    while (i < m && is_digit(b[i]))
        i++;
    return i;
}

int fg_gs1_check_digit(const char *digits, size_t n)
{
    unsigned sum = 0;
    /* Weights 3, 1, 3, … from the rightmost digit, which is the one next to the check digit. */
    for (size_t k = 0; k < n; k++) {
        char c = digits[n - 1 - k];
        if (!is_digit(c))
            return FG_EINVAL;
        sum += (unsigned)(c - '0') * ((k & 1) == 0 ? 3u : 1u);
    }
    return (int)((10 - sum % 10) % 10);
}

/* Check the GTIN-14 in g[0..14) (digits already verified); FG_E_GTIN_CHECK at the check digit,
 * whose normalised index in s is k_check. */
static int gtin14_verify(const char *g, const char *s, size_t n, size_t k_check, fg_error_t *err)
{
    int want = fg_gs1_check_digit(g, GTIN_LEN - 1);
    if (want == g[GTIN_LEN - 1] - '0')
        return 0;
    size_t pos = fg__codes_origin(s, n, k_check, NULL, NULL);
    return fg_error_set(err, FG_E_GTIN_CHECK, NULL, pos,
                        "GTIN %.14s ends in check digit %c (character %zu); its digits give %d", g,
                        g[GTIN_LEN - 1], pos, want);
}

int fg_gtin_check(const char *s, size_t n, char out[15], fg_error_t *err)
{
    char b[GTIN_NORM_CAP];
    char at[96];
    size_t pos;
    size_t m;
    size_t bad;

    if (s == NULL && n > 0)
        return fg_error_set(err, FG_EINVAL, NULL, 0, "no GTIN text given");
    m = fg__codes_norm(s, n, b, sizeof(b));
    bad = first_nondigit(b, m < sizeof(b) ? m : sizeof(b) - 1);
    /* There is no "GTIN format" code: a stray character is reported as gtin.length. */
    if (bad < m && bad < GTIN_LEN) {
        fg__codes_at(s, n, bad, at, sizeof(at), &pos);
        return fg_error_set(err, FG_E_GTIN_LENGTH, NULL, pos, "%s; a GTIN has digits only", at);
    }
    if (m > GTIN_LEN) {
        pos = fg__codes_origin(s, n, GTIN_LEN, NULL, NULL);
        return fg_error_set(err, FG_E_GTIN_LENGTH, NULL, pos,
                            "more than 14 characters; a GTIN has 8, 12, 13 or 14 digits");
    }
    if (m != 8 && m != 12 && m != 13 && m != GTIN_LEN)
        return fg_error_set(err, FG_E_GTIN_LENGTH, NULL, 0,
                            "%zu digits; a GTIN has 8, 12, 13 or 14 digits", m);
    memset(out, '0', GTIN_LEN - m);
    memcpy(out + (GTIN_LEN - m), b, m);
    out[GTIN_LEN] = '\0';
    return gtin14_verify(out, s, n, m - 1, err);
}

/* --- GS1 element strings --- */

/* One pass over the normalised text b[i..m); s/n is the input as given, for positions. */
struct gs1 {
    const char *s; /* input as given */
    size_t n;      /* its length */
    const char *b; /* normalised text */
    size_t m;      /* its length */
    int paren;     /* 1: "(01)…(21)…" form; 0: raw with GS separators */
    unsigned seen; /* bit per AI already read */
    fg_trace_code_t *out;
};

enum { SEEN_01 = 1, SEEN_10 = 2, SEEN_11 = 4, SEEN_17 = 8, SEEN_21 = 16 };

static size_t origin(const struct gs1 *g, size_t k)
{
    return fg__codes_origin(g->s, g->n, k, NULL, NULL);
}

static int field_error(const struct gs1 *g, size_t k, int ai, const char *want, fg_error_t *err)
{
    char at[96];
    size_t pos;
    if (k >= g->m) {
        return fg_error_set(err, FG_E_GS1_FIELD, NULL, origin(g, k),
                            "the (%02d) field ends early; it has %s", ai, want);
    }
    fg__codes_at(g->s, g->n, k, at, sizeof(at), &pos);
    return fg_error_set(err, FG_E_GS1_FIELD, NULL, pos, "%s in the (%02d) field; it has %s", at, ai,
                        want);
}

/* End of the data that starts at i: the next '(' (parenthesised) or GS (raw), or the end. */
static size_t data_end(const struct gs1 *g, size_t i)
{
    char stop = g->paren ? '(' : GS;
    while (i < g->m && g->b[i] != stop)
        i++;
    return i;
}

/* A fixed-length numeric field of `len` digits at b[i..); *next is set to the index after it. */
static int read_fixed(const struct gs1 *g, size_t i, int ai, size_t len, size_t *next,
                      fg_error_t *err)
{
    const char *want = len == GTIN_LEN ? "exactly 14 digits" : "exactly 6 digits (YYMMDD)";
    size_t end = g->paren ? data_end(g, i) : i + len;

    for (size_t k = i; k < i + len; k++) {
        if (k >= g->m || (g->paren && k >= end) || !is_digit(g->b[k]))
            return field_error(g, k, ai, want, err);
    }
    if (g->paren && end > i + len)
        return field_error(g, i + len, ai, want, err);
    *next = i + len;
    return 0;
}

/* (17)/(11) YYMMDD at b[i..i+6): year 2000+YY; day 00 means the last day of the month. */
static int read_date(const struct gs1 *g, size_t i, int ai, fg_date_t *out, fg_error_t *err)
{
    const char *d = g->b + i;
    int y = 2000 + (d[0] - '0') * 10 + (d[1] - '0');
    int mo = (d[2] - '0') * 10 + (d[3] - '0');
    int day = (d[4] - '0') * 10 + (d[5] - '0');

    if (mo < 1 || mo > 12)
        return fg_error_set(err, FG_E_GS1_DATE, NULL, origin(g, i + 2),
                            "the (%02d) date %.6s has month %02d; YYMMDD needs 01 to 12", ai, d,
                            mo);
    if (day == 0) {
        /* GS1: day 00 stands for the last day of the month. */
        static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        day = mdays[mo - 1] - (mo == 2 && !leap ? 1 : 0);
    }
    if (fg_date_from_ymd(y, mo, day, out) != 0)
        return fg_error_set(err, FG_E_GS1_DATE, NULL, origin(g, i + 4),
                            "the (%02d) date %.6s has day %.2s; month %02d of %d has no such day",
                            ai, d, d + 4, mo, y);
    return 0;
}

/*
 * (10)/(21): 1 to 20 characters of set 82 except '(' and ')', copied to dst. GS1 allows parentheses
 * in raw data, but the key "(01)<GTIN>(21)<serial>" must read back as the same key, so a serial
 * (or batch) holding one would be ambiguous; real drug packs do not use them.
 */
static int read_var(const struct gs1 *g, size_t i, int ai, char *dst, size_t *next, fg_error_t *err)
{
    static const char want[] = "1 to 20 characters (letters, digits and !\"%&'*+,-./:;<=>?_)";
    size_t end = data_end(g, i);

    if (end == i)
        return fg_error_set(err, FG_E_GS1_FIELD, NULL, origin(g, i),
                            "the (%02d) field is empty; it has %s", ai, want);
    if (end - i > GS1_VAR_MAX) {
        return fg_error_set(err, FG_E_GS1_FIELD, NULL, origin(g, i + GS1_VAR_MAX),
                            "the (%02d) field has %zu characters; it has at most 20", ai, end - i);
    }
    for (size_t k = i; k < end; k++) {
        char c = g->b[k];
        if (!is_cset82(c) || c == '(' || c == ')')
            return field_error(g, k, ai, want, err);
    }
    memcpy(dst, g->b + i, end - i);
    dst[end - i] = '\0';
    *next = end;
    return 0;
}

/* The AI starting at b[*i]: two digits, inside parentheses in that form. Sets *i past it. */
static int read_ai(const struct gs1 *g, size_t *i, int *ai, fg_error_t *err)
{
    char at[96];
    size_t pos;
    size_t k = *i;
    size_t close;

    if (g->paren) {
        if (g->b[k] != '(') {
            fg__codes_at(g->s, g->n, k, at, sizeof(at), &pos);
            return fg_error_set(err, FG_E_GS1_AI, NULL, pos,
                                "%s where an application identifier such as (21) should start", at);
        }
        k++;
        close = k;
        while (close < g->m && close - k < 5 && g->b[close] != ')')
            close++;
        if (close >= g->m || g->b[close] != ')') {
            return fg_error_set(
                err, FG_E_GS1_AI, NULL, origin(g, k - 1),
                "the '(' at character %zu opens no application identifier like (01)",
                origin(g, k - 1));
        }
    } else {
        close = k + 2;
    }
    if (close != k + 2 || k + 2 > g->m || !is_digit(g->b[k]) || !is_digit(g->b[k + 1])) {
        size_t bad = k;
        while (bad < k + 2 && bad < g->m && is_digit(g->b[bad]))
            bad++;
        fg__codes_at(g->s, g->n, bad, at, sizeof(at), &pos);
        return fg_error_set(err, FG_E_GS1_AI, NULL, pos,
                            "%s where a 2-digit application identifier such as (21) belongs", at);
    }
    *ai = (g->b[k] - '0') * 10 + (g->b[k + 1] - '0');
    *i = g->paren ? close + 1 : close;
    return 0;
}

static int gs1_field(struct gs1 *g, size_t *i, fg_error_t *err)
{
    size_t start = *i;
    size_t next = 0;
    int ai = 0;
    unsigned bit;
    int rc;

    rc = read_ai(g, i, &ai, err);
    if (rc != 0)
        return rc;
    switch (ai) {
    case 1:
        bit = SEEN_01;
        break;
    case 10:
        bit = SEEN_10;
        break;
    case 11:
        bit = SEEN_11;
        break;
    case 17:
        bit = SEEN_17;
        break;
    case 21:
        bit = SEEN_21;
        break;
    default:
        return fg_error_set(
            err, FG_E_GS1_AI, NULL, origin(g, start),
            "application identifier (%02d) at character %zu is not read here; a drug pack has (01), (10), (11), (17) and (21)",
            ai, origin(g, start));
    }
    if (g->seen & bit)
        return fg_error_set(err, FG_E_GS1_AI, NULL, origin(g, start),
                            "application identifier (%02d) appears twice (again at character %zu)",
                            ai, origin(g, start));
    g->seen |= bit;

    switch (ai) {
    case 1:
        rc = read_fixed(g, *i, ai, GTIN_LEN, &next, err);
        if (rc == 0) {
            memcpy(g->out->gtin, g->b + *i, GTIN_LEN);
            g->out->gtin[GTIN_LEN] = '\0';
            rc = gtin14_verify(g->out->gtin, g->s, g->n, *i + GTIN_LEN - 1, err);
        }
        break;
    case 11:
    case 17: {
        fg_date_t d;
        rc = read_fixed(g, *i, ai, 6, &next, err);
        if (rc == 0)
            rc = read_date(g, *i, ai, &d, err);
        if (rc == 0 && ai == 17)
            g->out->expiry = d;
        break;
    }
    case 10:
        rc = read_var(g, *i, ai, g->out->batch, &next, err);
        break;
    default:
        rc = read_var(g, *i, ai, g->out->serial, &next, err);
        break;
    }
    if (rc != 0)
        return rc;
    /* Raw form: a GS ends a variable field, and is tolerated after a fixed one. */
    if (!g->paren && next < g->m && g->b[next] == GS)
        next++;
    *i = next;
    return 0;
}

static int gs1_parse(struct gs1 *g, size_t i, fg_error_t *err)
{
    fg_trace_code_t *out = g->out;
    size_t slen;
    int rc;

    /* Some scanners send FNC1 as a leading GS even after the symbology identifier. */
    if (!g->paren && i < g->m && g->b[i] == GS)
        i++;
    while (i < g->m) {
        rc = gs1_field(g, &i, err);
        if (rc != 0)
            return rc;
    }
    if ((g->seen & (SEEN_01 | SEEN_21)) != (SEEN_01 | SEEN_21)) {
        const char *what = (g->seen & SEEN_01)   ? "(21) serial"
                           : (g->seen & SEEN_21) ? "(01) GTIN"
                                                 : "(01) GTIN and (21) serial";
        return fg_error_set(err, FG_E_GS1_MISSING, NULL, 0,
                            "the GS1 code has no %s; a drug pack is identified by both", what);
    }
    out->form = FG_TRACE_GS1;
    /* "(01)" + 14 + "(21)" + at most 20 + NUL = 43 <= FG_ID_NORM_MAX; no printf on the hot path. */
    slen = strlen(out->serial);
    memcpy(out->key, "(01)", 4);
    memcpy(out->key + 4, out->gtin, GTIN_LEN);
    memcpy(out->key + 4 + GTIN_LEN, "(21)", 4);
    memcpy(out->key + 8 + GTIN_LEN, out->serial, slen + 1);
    return 0;
}

static void trace_init(fg_trace_code_t *out)
{
    memset(out, 0, sizeof(*out));
    out->expiry = FG_DATE_NONE;
}

/* A leading symbology identifier: 1 for a GS1 one (]d2, ]C1, ]Q3), 0 for none, -1 for another. */
static int symbology(const char *b, size_t m)
{
    if (m == 0 || b[0] != ']')
        return 0;
    if (m >= 3 && ((b[1] == 'd' && b[2] == '2') || (b[1] == 'C' && b[2] == '1') ||
                   (b[1] == 'Q' && b[2] == '3')))
        return 1;
    return -1;
}

static int trace_slow(const char *s, size_t n, fg_trace_code_t *out, fg_error_t *err)
{
    char b[TRACE_NORM_CAP];
    char at[96];
    size_t pos;
    size_t m = fg__codes_norm(s, n, b, sizeof(b));
    size_t stored = m < sizeof(b) ? m : sizeof(b) - 1;
    size_t nd = first_nondigit(b, stored);
    struct gs1 g = {.s = s, .n = n, .b = b, .m = m, .out = out};
    int sym;

    if (m == 0)
        return fg_error_set(err, FG_E_TRACE_FORMAT, NULL, 0,
                            "the trace code is empty; it has 20 digits or is a GS1 code");
    if (m >= sizeof(b)) {
        if (nd == stored)
            return fg_error_set(err, FG_E_TRACE_LENGTH, NULL,
                                fg__codes_origin(s, n, CN20_LEN, NULL, NULL),
                                "more than %zu digits; a Chinese trace code has 20", stored);
        pos = fg__codes_origin(s, n, stored, NULL, NULL);
        return fg_error_set(err, FG_E_TRACE_FORMAT, NULL, pos,
                            "more than %zu characters; no trace code is that long", stored);
    }
    sym = symbology(b, m);
    if (sym < 0) {
        /* Quote the identifier only when it is plain text (messages stay valid UTF-8). */
        int plain = m >= 3 && b[1] > ' ' && b[1] < 0x7F && b[2] > ' ' && b[2] < 0x7F;
        return fg_error_set(
            err, FG_E_TRACE_FORMAT, NULL, fg__codes_origin(s, n, 0, NULL, NULL),
            "starts with symbology identifier '%.*s', which is not a GS1 one (]d2, ]C1, ]Q3)",
            plain ? 3 : 1, b);
    }
    if (sym > 0) {
        g.paren = m > 3 && b[3] == '(';
        return gs1_parse(&g, 3, err);
    }
    if (b[0] == '(') {
        g.paren = 1;
        return gs1_parse(&g, 0, err);
    }
    if (nd == m && m == CN20_LEN) {
        out->form = FG_TRACE_CN20;
        memcpy(out->key, b, CN20_LEN + 1);
        return 0;
    }
    if ((m >= GS1_RAW_MIN && b[0] == '0' && b[1] == '1') || memchr(b, GS, m) != NULL)
        return gs1_parse(&g, 0, err);
    if (nd == m) {
        if (m < CN20_LEN)
            return fg_error_set(err, FG_E_TRACE_LENGTH, NULL, 0,
                                "%zu digits; a Chinese trace code has 20", m);
        return fg_error_set(err, FG_E_TRACE_LENGTH, NULL,
                            fg__codes_origin(s, n, CN20_LEN, NULL, NULL),
                            "%zu digits; a Chinese trace code has 20", m);
    }
    fg__codes_at(s, n, nd, at, sizeof(at), &pos);
    return fg_error_set(err, FG_E_TRACE_FORMAT, NULL, pos,
                        "%s; a trace code is 20 digits, or a GS1 code like (01)…(21)…", at);
}

int fg_trace_parse(const char *s, size_t n, fg_trace_code_t *out, fg_error_t *err)
{
    fg_trace_code_t scratch;

    if (out == NULL)
        out = &scratch;
    trace_init(out);
    if (s == NULL && n > 0)
        return fg_error_set(err, FG_EINVAL, NULL, 0, "no trace code text given");
    /* Fast path: exactly 20 ASCII digits, the bulk of real traffic. */
    if (n == CN20_LEN && first_nondigit(s, n) == n) {
        out->form = FG_TRACE_CN20;
        memcpy(out->key, s, CN20_LEN);
        out->key[CN20_LEN] = '\0';
        return 0;
    }
    return trace_slow(s, n, out, err);
}
