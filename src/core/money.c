/*
 * money.c — exact decimal text ⇄ integer fen and quantities. No floating point in this file.
 */
#include "core/compat.h"

#include <stdint.h>
#include <string.h>

#include "fundguard/money.h"

/* Parse [-]digits[.d{1,scale_digits}] into an integer scaled by 10^scale_digits. */
static int parse_scaled(const char *s, size_t n, int scale_digits, int64_t *out, int fmt_code,
                        int prec_code, const char *what, fg_error_t *err)
{
    size_t i = 0;
    int neg = 0;
    if (n == 0)
        return fg_error_set(err, fmt_code, NULL, 0, "an empty value is not %s", what);
    if (s[0] == '-') {
        neg = 1;
        i = 1;
    }
    if (i >= n || s[i] < '0' || s[i] > '9')
        return fg_error_set(err, fmt_code, NULL, i + 1, "'%.*s' is not %s (character %zu)",
                            (int)(n > 40 ? 40 : n), s, what, i + 1);
    /* Accumulate as a negative number so INT64_MIN's magnitude never overflows. */
    int64_t acc = 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
        int dgt = s[i] - '0';
        if (acc < (INT64_MIN + dgt) / 10)
            return fg_error_set(err, FG_E_MONEY_OVERFLOW, NULL, i + 1, "'%.*s' is too large",
                                (int)(n > 40 ? 40 : n), s);
        acc = acc * 10 - dgt;
    }
    int frac = 0;
    if (i < n && s[i] == '.') {
        size_t dot = i++;
        if (i >= n)
            return fg_error_set(err, fmt_code, NULL, dot + 1, "'%.*s' ends with a decimal point",
                                (int)(n > 40 ? 40 : n), s);
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
            if (frac == scale_digits)
                return fg_error_set(err, prec_code, NULL, i + 1, "'%.*s' has more than %d decimals",
                                    (int)(n > 40 ? 40 : n), s, scale_digits);
            int dgt = s[i] - '0';
            if (acc < (INT64_MIN + dgt) / 10)
                return fg_error_set(err, FG_E_MONEY_OVERFLOW, NULL, i + 1, "'%.*s' is too large",
                                    (int)(n > 40 ? 40 : n), s);
            acc = acc * 10 - dgt;
            frac++;
        }
    }
    if (i < n)
        return fg_error_set(err, fmt_code, NULL, i + 1, "'%.*s' is not %s (character %zu)",
                            (int)(n > 40 ? 40 : n), s, what, i + 1);
    for (; frac < scale_digits; frac++) {
        if (acc < INT64_MIN / 10)
            return fg_error_set(err, FG_E_MONEY_OVERFLOW, NULL, 0, "'%.*s' is too large",
                                (int)(n > 40 ? 40 : n), s);
        acc *= 10;
    }
    if (!neg) {
        if (acc == INT64_MIN)
            return fg_error_set(err, FG_E_MONEY_OVERFLOW, NULL, 0, "'%.*s' is too large",
                                (int)(n > 40 ? 40 : n), s);
        acc = -acc;
    }
    *out = acc;
    return 0;
}

int fg_money_parse(const char *s, size_t n, fg_fen_t *out, fg_error_t *err)
{
    return parse_scaled(s, n, 2, out, FG_E_MONEY_FORMAT, FG_E_MONEY_PRECISION,
                        "an amount like 12.30", err);
}

int fg_qty_parse(const char *s, size_t n, fg_qty_t *out, fg_error_t *err)
{
    return parse_scaled(s, n, 4, out, FG_E_QTY_FORMAT, FG_E_QTY_PRECISION,
                        "a quantity like 2 or 0.5", err);
}

/* Write |v| / 10^scale with `keep` decimals (all of them when keep_all, else trimmed zeros). */
static size_t format_scaled(int64_t v, int scale, int keep_all, char out[FG_MONEY_TEXTLEN])
{
    char tmp[FG_MONEY_TEXTLEN];
    size_t n = 0;
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    int digits = 0;
    do {
        tmp[n++] = (char)('0' + mag % 10);
        mag /= 10;
        digits++;
        if (digits == scale)
            tmp[n++] = '.';
    } while (mag != 0 || digits <= scale);
    size_t o = 0;
    if (v < 0)
        out[o++] = '-';
    while (n > 0)
        out[o++] = tmp[--n];
    out[o] = '\0';
    if (!keep_all) {
        while (o > 0 && out[o - 1] == '0')
            out[--o] = '\0';
        if (o > 0 && out[o - 1] == '.')
            out[--o] = '\0';
    }
    return o;
}

size_t fg_money_format(fg_fen_t fen, char out[FG_MONEY_TEXTLEN])
{
    return format_scaled(fen, 2, 1, out);
}

size_t fg_qty_format(fg_qty_t q, char out[FG_MONEY_TEXTLEN])
{
    return format_scaled(q, 4, 0, out);
}

int fg_int_parse(const char *s, size_t n, int64_t *out, fg_error_t *err)
{
    int rc = parse_scaled(s, n, 0, out, FG_E_INTEGER, FG_E_INTEGER, "a whole number", err);
    if (rc == FG_E_MONEY_OVERFLOW && err != NULL)
        err->code = FG_E_RANGE;
    return rc == FG_E_MONEY_OVERFLOW ? FG_E_RANGE : rc;
}

__extension__ typedef __int128 i128;

int fg_money_mul_qty(fg_fen_t fen, fg_qty_t qty, fg_fen_t *out)
{
    i128 p = (i128)fen * qty;
    i128 half = FG_QTY_ONE / 2;
    i128 r = p >= 0 ? (p + half) / FG_QTY_ONE : (p - half) / FG_QTY_ONE;
    if (r > INT64_MAX || r < INT64_MIN)
        return FG_E_MONEY_OVERFLOW;
    *out = (fg_fen_t)r;
    return 0;
}
