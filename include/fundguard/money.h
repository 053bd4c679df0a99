/*
 * fundguard/money.h — money as an integer count of fen (分), quantities as integer ten-thousandths.
 *
 * No floating point anywhere in this module. Text in: optional '-', digits, optionally '.' and one
 * or two decimals ("12.30", "12.3", "12", "-3.5", ".5" is refused, "12." is refused). Refused: more
 * than 2 decimals ("12.345"), exponents ("1e3"), "NaN", "", spaces, '+', and anything beyond
 * ±INT64_MAX fen.
 */
#ifndef FUNDGUARD_MONEY_H
#define FUNDGUARD_MONEY_H

#include <stddef.h>
#include <stdint.h>

#include "fundguard/error.h"

typedef int64_t fg_fen_t;

/* A quantity (cnt) in 1/10000 of the unit: "2" → 20000, "0.5" → 5000; at most 4 decimals. */
typedef int64_t fg_qty_t;
#define FG_QTY_ONE 10000

#define FG_MONEY_TEXTLEN 24 /* longest formatted amount, with sign and NUL */

/* Parse s[0..n) into fen. Errors: FG_E_MONEY_FORMAT / FG_E_MONEY_PRECISION / FG_E_MONEY_OVERFLOW,
 * err->pos at the offending character (1-based). */
int fg_money_parse(const char *s, size_t n, fg_fen_t *out, fg_error_t *err);
/* "12.30", "-3.50", "0.00" plus NUL; returns the length. */
size_t fg_money_format(fg_fen_t fen, char out[FG_MONEY_TEXTLEN]);

/* Parse a quantity with at most 4 decimals. Errors: FG_E_QTY_FORMAT / FG_E_QTY_PRECISION /
 * FG_E_MONEY_OVERFLOW. */
int fg_qty_parse(const char *s, size_t n, fg_qty_t *out, fg_error_t *err);
/* Shortest text: "2", "0.5", "1.25". Returns the length. */
size_t fg_qty_format(fg_qty_t q, char out[FG_MONEY_TEXTLEN]);

/* Parse a decimal integer (optional '-'), checking overflow. FG_E_INTEGER / FG_E_RANGE. */
int fg_int_parse(const char *s, size_t n, int64_t *out, fg_error_t *err);

/* fen * qty / FG_QTY_ONE, rounded half away from zero; FG_E_MONEY_OVERFLOW on overflow. */
int fg_money_mul_qty(fg_fen_t fen, fg_qty_t qty, fg_fen_t *out);

#endif
