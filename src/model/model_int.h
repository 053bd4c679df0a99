/*
 * model_int.h — what the files of src/model/ share and nobody else sees.
 *
 * fields.c owns the field tables and the one routine that turns text into a field
 * (fg_field_set); tables.c (CSV), json.c (API JSON) and doc.c (docs/formats.md) are views of
 * those tables. The helpers here format a field back to text and quote values for messages.
 */
#ifndef FG_MODEL_INT_H
#define FG_MODEL_INT_H

#include <stddef.h>

#include "fundguard/model.h"

/* Room for the text of any non-string field (money, quantity, time, int). */
#define FG__FIELD_TEXT 32

/* The value of field f of rec as text for writers: *s and *n point into the record (strings) or
 * into tmp. Returns 0 when the field is absent (empty string, FG_TIME_NONE, FG_DATE_NONE, -1 for
 * FG_F_INT32; a resident ID is never held raw, so FG_F_IDCARD is always absent), 1 otherwise. */
int fg__field_text(const fg_field_t *f, const void *rec, char tmp[FG__FIELD_TEXT], const char **s,
                   size_t *n);

/* fg_field_set for text already known to be valid UTF-8 (a CSV row the reader checked): the one
 * check a string field then needs is for NUL bytes. The table reader's hot path. */
int fg__field_set_utf8(const fg_field_t *f, void *rec, const char *s, size_t n, fg_error_t *err);
/* The same, a resident ID checked and masked but not pseudonymised (its member left empty). */
int fg__field_set_utf8_nohash(const fg_field_t *f, void *rec, const char *s, size_t n,
                              fg_error_t *err);

/* 1 when the member of field f holds its "absent" value. */
int fg__field_absent(const fg_field_t *f, const void *rec);

/* s[0..n) made safe to show in a message: at most ~40 bytes cut at a character boundary, control
 * characters and invalid UTF-8 as '?', "…" when cut. With mask, all but the first and last four
 * characters become '*' (resident IDs are never echoed). Returns out. */
char *fg__quote_value(char *out, size_t cap, const char *s, size_t n, int mask);

/* Length of the valid UTF-8 prefix of s[0..n) (n when all of it is valid). */
size_t fg__utf8_valid_prefix(const char *s, size_t n);

/* The name of a field type as docs/formats.md shows it ("money", "time" …). */
const char *fg__ftype_name(fg_ftype_t t);

/* The columns of the national layout of an extraction table, NULL-terminated (NULL for a reference
 * file, whose columns are its record's field names). */
const char *const *fg__table_national(fg_table_t t);

/* fg_doc_parse decoding with jansson only, never with the scanner of jsonscan.c: the reference
 * the scanner is tested against (tests/unit/t_json_fast.c, fuzz/fuzz_json_fast.c). */
int fg__doc_parse_jansson(const char *json, size_t n, int infno_hint,
                          const fg_json_limits_t *limits, fg_arena_t *arena, fg_doc_t *out,
                          fg_diag_t *diag, fg_error_t *err);

/* Parse json[0..n) both ways (scanner first, jansson only) and compare everything the caller
 * could see: return code, first error, every error reported, the document written back. NULL
 * when all agree, else what differs first. */
const char *fg__doc_parse_compare(const char *json, size_t n, int hint,
                                  const fg_json_limits_t *lim);

/* Whether field f counts as required in an extraction table / in API JSON. */
static inline int fg__required_csv(const fg_field_t *f)
{
    return (f->flags & (FG_FIELD_REQUIRED | FG_FIELD_REQ_CSV)) != 0;
}

static inline int fg__required_json(const fg_field_t *f)
{
    return (f->flags & FG_FIELD_REQUIRED) != 0;
}

#endif
