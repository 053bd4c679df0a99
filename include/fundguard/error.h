/*
 * fundguard/error.h — the one error space of libfundguard.
 *
 * Every fallible function returns int: 0 on success, a negative code otherwise. Negated errno
 * values
 * (-ENOMEM, -EIO, …) pass through unchanged; project codes live in -10000…-10999 so they never
 * collide with errno (LMDB's rule). Each project code has a stable dotted name
 * (`trace_code.format`) that is printed to users and machines and never changes once released, and
 * a default message in plain words.
 *
 * Where a caller needs detail, functions take an optional `fg_error_t *err` (NULL allowed): the
 * code, where it happened (field path, file line and column, position inside the value) and a
 * message. It is fixed-size, needs no freeing and holds no globals, so it is safe across threads.
 */
#ifndef FUNDGUARD_ERROR_H
#define FUNDGUARD_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* X(symbol, value, "stable.name", "default message") — append only; never renumber or rename. */
#define FG_ERRORS(X)                                                                               \
    X(FG_ENOMEM, -10001, "nomem", "out of memory")                                                 \
    X(FG_EINVAL, -10002, "invalid_argument", "invalid argument")                                   \
    X(FG_EIO, -10003, "io", "input/output error")                                                  \
    X(FG_ELIMIT, -10004, "limit", "a size limit was exceeded")                                     \
    X(FG_ENOTFOUND, -10005, "not_found", "not found")                                              \
    X(FG_EINTERNAL, -10006, "internal", "internal error")                                          \
    X(FG_EUSAGE, -10007, "usage", "wrong usage")                                                   \
    X(FG_EEXIST, -10008, "exists", "already exists")                                               \
    X(FG_ECORRUPT, -10009, "corrupt", "data is damaged")                                           \
    /* generic field validation */                                                                 \
    X(FG_E_REQUIRED, -10100, "field.required", "a required field is missing or empty")             \
    X(FG_E_TOO_LONG, -10101, "field.too_long", "the value is longer than allowed")                 \
    X(FG_E_TYPE, -10102, "field.type", "the value has the wrong type")                             \
    X(FG_E_ENUM, -10103, "field.enum", "the value is not one of the allowed codes")                \
    X(FG_E_UTF8, -10104, "field.utf8", "the text is not valid UTF-8")                              \
    X(FG_E_RANGE, -10105, "field.range", "the value is out of range")                              \
    X(FG_E_INTEGER, -10106, "integer.format", "not a whole number")                                \
    X(FG_E_DUPLICATE, -10107, "field.duplicate", "the value appears twice")                        \
    X(FG_E_NEGATIVE, -10108, "field.negative",                                                     \
      "a negative amount or count outside a refund or return")                                     \
    X(FG_E_UNKNOWN, -10109, "field.unknown", "the member is not a field of this record")           \
    /* money and quantities */                                                                     \
    X(FG_E_MONEY_FORMAT, -10200, "money.format", "not an amount of money like 12.30")              \
    X(FG_E_MONEY_PRECISION, -10201, "money.precision", "an amount has at most 2 decimals (fen)")   \
    X(FG_E_MONEY_OVERFLOW, -10202, "money.overflow", "the amount is too large")                    \
    X(FG_E_QTY_FORMAT, -10203, "quantity.format", "not a quantity like 2 or 0.5")                  \
    X(FG_E_QTY_PRECISION, -10204, "quantity.precision", "a quantity has at most 4 decimals")       \
    /* time */                                                                                     \
    X(FG_E_TIME_FORMAT, -10300, "time.format", "not a time like 2025-07-01 08:30:00")              \
    X(FG_E_DATE_FORMAT, -10301, "date.format", "not a date like 2025-07-01")                       \
    X(FG_E_TIME_RANGE, -10302, "time.range", "no such date or time")                               \
    /* CSV */                                                                                      \
    X(FG_E_CSV_QUOTE, -10400, "csv.quote", "a quoted field is not closed or has text after it")    \
    X(FG_E_CSV_FIELDS, -10401, "csv.field_count", "the row has a different number of fields")      \
    X(FG_E_CSV_FIELD_SIZE, -10402, "csv.field_size", "a field is larger than allowed")             \
    X(FG_E_CSV_ENCODING, -10403, "csv.encoding", "the bytes are not valid in the file encoding")   \
    X(FG_E_CSV_HEADER, -10404, "csv.header", "the header row is missing or empty")                 \
    X(FG_E_CSV_COLUMN, -10405, "csv.missing_column", "a required column is missing")               \
    /* JSON */                                                                                     \
    X(FG_E_JSON, -10500, "json.syntax", "the JSON is not well formed")                             \
    X(FG_E_JSON_DEPTH, -10501, "json.depth", "the JSON is nested too deeply")                      \
    X(FG_E_JSON_SHAPE, -10502, "json.shape", "the JSON does not have the expected shape")          \
    X(FG_E_INFNO, -10503, "envelope.infno", "unknown or unsupported interface number")             \
    /* identifiers (SPEC §2) */                                                                   \
    X(FG_E_TRACE_FORMAT, -10600, "trace_code.format", "not a drug trace code")                     \
    X(FG_E_TRACE_LENGTH, -10601, "trace_code.length", "a trace code has 20 digits")                \
    X(FG_E_GS1_AI, -10602, "trace_code.gs1_ai", "unknown or misplaced GS1 application identifier") \
    X(FG_E_GS1_MISSING, -10603, "trace_code.gs1_missing",                                          \
      "a GS1 pack code needs (01) GTIN and (21) serial")                                           \
    X(FG_E_GTIN_LENGTH, -10604, "gtin.length", "a GTIN has 14 digits (8, 12 or 13 padded)")        \
    X(FG_E_GTIN_CHECK, -10605, "gtin.check_digit", "the GTIN check digit is wrong")                \
    X(FG_E_GS1_DATE, -10606, "trace_code.expiry", "the expiry date (17) is not a valid YYMMDD")    \
    X(FG_E_GS1_FIELD, -10607, "trace_code.gs1_field",                                              \
      "a GS1 field has a wrong length or character")                                               \
    X(FG_E_DRUG_CODE, -10620, "drug_code.format", "not a national drug code (X+22 or Z+19)")       \
    X(FG_E_CONSUMABLE_CODE, -10621, "consumable_code.format",                                      \
      "not a national consumable code (C+19 digits)")                                              \
    X(FG_E_ITEM_CODE, -10622, "item_code.format", "not a national service item code (15 digits)")  \
    X(FG_E_INSTITUTION_CODE, -10623, "institution_code.format",                                    \
      "not an institution code (H or P + 11 digits)")                                              \
    X(FG_E_STAFF_CODE, -10624, "staff_code.format", "not a staff code (D, N or Y + 12 digits)")    \
    X(FG_E_ICD10, -10625, "icd10.format", "not an ICD-10 医保版 diagnosis code")                   \
    X(FG_E_REGION, -10626, "region.format", "not a 6-digit region code")                           \
    X(FG_E_IDCARD_FORMAT, -10630, "idcard.format",                                                 \
      "a resident ID has 17 digits and a check character")                                         \
    X(FG_E_IDCARD_CHECK, -10631, "idcard.check_digit", "the resident ID check character is wrong") \
    X(FG_E_IDCARD_DATE, -10632, "idcard.birth_date", "the resident ID holds no valid birth date")  \
    X(FG_E_IDCARD_REGION, -10633, "idcard.region", "the resident ID starts with no valid region")  \
    /* traceability ledger (SPEC §3) */                                                           \
    X(FG_E_LEDGER_TYPE, -10700, "ledger.event_type",                                               \
      "the event type is not purchase, purchase_return, sale or sale_return")                      \
    X(FG_E_LEDGER_UNITS, -10701, "ledger.units", "units must be a whole number above 0")           \
    X(FG_E_LEDGER_SPLIT, -10702, "ledger.split_units",                                             \
      "a split sale sells more units than the pack holds")                                         \
    X(FG_E_LEDGER_PACK, -10703, "ledger.pack_units_required",                                      \
      "a split sale (trdn_flag 1) needs pack_units")                                               \
    X(FG_E_LEDGER_JOURNAL, -10710, "ledger.journal_damaged", "the ledger journal is damaged")      \
    X(FG_E_LEDGER_SNAPSHOT, -10711, "ledger.snapshot_damaged", "the ledger snapshot is damaged")   \
    X(FG_E_LEDGER_LOCKED, -10712, "ledger.locked",                                                 \
      "another process has the ledger open for writing")                                           \
    X(FG_E_LEDGER_FAILED, -10713, "ledger.failed",                                                 \
      "an earlier write failed; close and reopen the ledger")                                      \
    X(FG_E_LEDGER_VERSION, -10714, "ledger.version",                                               \
      "the ledger files were written by an unknown version")                                       \
    X(FG_E_LEDGER_PG, -10715, "ledger.postgresql",                                                 \
      "the PostgreSQL ledger backend reported an error")                                           \
    /* knowledge base, rules, review (kb.h, rules.h) */                                            \
    X(FG_E_KB_TABLE, -10800, "kb.unknown_table", "the file is not a known knowledge table")        \
    X(FG_E_KB_ROW, -10801, "kb.row", "a knowledge table row does not parse")                       \
    X(FG_E_KB_REFERENCE, -10802, "kb.reference", "a knowledge table row refers to nothing known")  \
    X(FG_E_KB_SEALED, -10803, "kb.sealed", "the knowledge base is sealed; load before sealing")    \
    X(FG_E_HISTORY, -10810, "history.damaged", "the review history file is damaged")               \
    X(FG_E_REPLAY, -10820, "replay.record", "the recorded decision cannot be replayed")            \
    X(FG_E_REPLAY_DIFFERS, -10821, "replay.differs",                                               \
      "the replayed decision differs from the record")                                             \
    X(FG_E_CASE, -10830, "rules.case", "a golden case file does not parse")                        \
    /* the service: store, roles, audit, HTTP limits */                                            \
    X(FG_E_STORE, -10900, "store.backend", "the store's database reported an error")               \
    X(FG_E_STORE_SCHEMA, -10901, "store.schema",                                                   \
      "the store was written by a newer version of Fundguard")                                     \
    X(FG_E_CONFLICT, -10902, "conflict", "a different record with the same id exists")             \
    X(FG_E_AUTH, -10903, "auth.unauthenticated", "no valid API key or credentials")                \
    X(FG_E_FORBIDDEN, -10904, "auth.forbidden", "the caller may not do this")                      \
    X(FG_E_AUDIT_CHAIN, -10905, "audit.chain", "the audit trail has been altered")                 \
    X(FG_E_RATE, -10906, "rate_limited", "too many requests; retry later")                         \
    X(FG_E_BODY_SIZE, -10907, "body.too_large", "the request body is larger than allowed")         \
    X(FG_E_METHOD, -10908, "method_not_allowed", "the method is not allowed on this path")         \
    X(FG_E_CONFIG, -10909, "config", "a configuration option is wrong")                            \
    X(FG_E_AUTH_RATE, -10910, "auth.rate_limited",                                                 \
      "too many failed sign-ins for this name or from this address; retry after Retry-After "      \
      "seconds")                                                                                   \
    /* the service: the request line */                                                            \
    X(FG_E_PATH_PARAM, -10930, "path.param", "a path parameter is not an identifier")              \
    X(FG_E_QUERY_TOO_MANY, -10931, "query.too_many", "the query has more parameters than allowed") \
    X(FG_E_HEADERS_SIZE, -10932, "headers.too_large",                                              \
      "the request's headers are larger than allowed")

enum fg_errcode {
    FG_OK = 0,
#define FG__ERR_ENUM(sym, val, name, msg) sym = (val),
    FG_ERRORS(FG__ERR_ENUM)
#undef FG__ERR_ENUM
};

/* Detail of one error. `line`/`col` are 1-based (0 = not known); `pos` is the 1-based character
 * position inside the offending value (0 = the value as a whole). `where` is the field path,
 * e.g. "feedetail[3].drug_trac_info[0].drug_trac_codg" or a CSV column name. */
typedef struct fg_error {
    int code;       /* FG_E* or negated errno */
    long line;      /* line in the input file, 0 if not applicable */
    long col;       /* column (CSV: field number; JSON: character) */
    size_t pos;     /* position inside the value, 1-based, 0 if not applicable */
    char where[96]; /* field path */
    char msg[192];  /* message in plain words */
} fg_error_t;

/* Stable dotted name of a code ("trace_code.format"; "errno.ENOENT" style for errno). Never NULL.
 */
const char *fg_err_name(int code);

/* Default message of a code (strerror for errno values). Never NULL. */
const char *fg_strerror(int code);

/* Fill *err (if not NULL) with code, field path and a printf-style message (default message when
 * fmt is NULL). Returns code, so `return fg_error_set(err, FG_E_X, "f", 0, NULL);` reads well. */
int fg_error_set(fg_error_t *err, int code, const char *where, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Reset *err to "no error" (NULL allowed). */
void fg_error_clear(fg_error_t *err);

/* Prepend a path segment to err->where: "feedetail[3]" + "med_list_codg" →
 * "feedetail[3].med_list_codg". `prefix` is written as given; a "." is put between when err->where
 * is non-empty and does not start with "[". */
void fg_error_prefix(fg_error_t *err, const char *prefix);

#ifdef __cplusplus
}
#endif
#endif
