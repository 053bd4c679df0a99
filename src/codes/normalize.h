/*
 * src/codes/normalize.h — the input normalisation shared by every identifier check (internal).
 *
 * Identifiers arrive from scanners, spreadsheets and Chinese input methods, so before any check:
 *   - ASCII spaces (0x20) and the ideographic space U+3000 are removed;
 *   - full-width forms U+FF01…U+FF5E (digits, letters, parentheses, …) become ASCII 0x21…0x7E;
 *   - any other non-ASCII character (or a byte that is not UTF-8) becomes FG__NONASCII, which no
 *     check accepts, so it is reported where it stands.
 * Normalisation never allocates: the caller gives a small buffer. Positions are not tracked on the
 * way (the hot path only pays for them on error): fg__codes_origin() walks the input again to turn
 * an index in the normalised text into the 1-based character position in the input as given.
 */
#ifndef FG_CODES_NORMALIZE_H
#define FG_CODES_NORMALIZE_H

#include <stddef.h>

/* Stands for a character that is neither ASCII nor a full-width form. */
#define FG__NONASCII ((char)0x80)

/* Normalise s[0..n) into out (cap >= 2 bytes, NUL-terminated). Returns the normalised length; a
 * return of cap or more means it did not fit (out then holds the first cap - 1 characters). */
size_t fg__codes_norm(const char *s, size_t n, char *out, size_t cap);

/* The 1-based character position in s[0..n) of normalised character k (0-based); a character is an
 * ASCII byte, one UTF-8 sequence, or one stray byte. When k is past the end: the position after the
 * last character. *off and *len (either may be NULL) receive its byte span in s. */
size_t fg__codes_origin(const char *s, size_t n, size_t k, size_t *off, size_t *len);

/* Describe normalised character k of s for a message, as written in the input: "'A'", "'Ａ'",
 * "the GS separator (ASCII 29)", "control character 0x09", "byte 0xC3 (not UTF-8)". */
void fg__codes_quote(const char *s, size_t n, size_t k, char *buf, size_t cap);

/* "character 5 is 'A'" into buf, and the position into *pos (both for normalised index k). */
void fg__codes_at(const char *s, size_t n, size_t k, char *buf, size_t cap, size_t *pos);

#endif
