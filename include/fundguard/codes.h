/*
 * fundguard/codes.h — identifiers of SPEC §2: validate at the edge, normalise, reject precisely.
 *
 * Every check reports a stable error code (fundguard/error.h, FG_E_* in the identifier range), the
 * 1-based character position of the first offending character where there is one, and a message.
 * Normalised forms are what the engine stores and compares:
 *   - trace codes: the Chinese 20-digit code as given; a GS1 pack as "(01)<GTIN-14>(21)<serial>";
 *   - catalogue, institution and staff codes: as given, letters upper-cased;
 *   - ICD-10 医保版: first letter upper-cased, the rest as given ("x" extensions stay lower-case);
 *   - resident ID: 18 characters with an upper-case X (a 15-digit one is upgraded to 18).
 * Input normalisation before any check: ASCII and ideographic spaces removed, full-width digits,
 * letters and parentheses made ASCII; for trace codes a leading symbology identifier
 * "]d2"/"]C1"/"]Q3" is removed.
 */
#ifndef FUNDGUARD_CODES_H
#define FUNDGUARD_CODES_H

#include <stddef.h>
#include <stdint.h>

#include "fundguard/datetime.h"
#include "fundguard/error.h"

typedef enum fg_id_kind {
    FG_ID_TRACE = 0,   /* drug trace code: 20 digits, or a GS1 element string */
    FG_ID_GTIN,        /* GTIN-8/12/13/14 with mod-10 check digit */
    FG_ID_DRUG,        /* X + 22 (western) or Z + 19 (Chinese patent) */
    FG_ID_CONSUMABLE,  /* C + 19 digits */
    FG_ID_ITEM,        /* medical service item, 15 digits */
    FG_ID_MED_LIST,    /* any catalogue code: drug, consumable or item */
    FG_ID_INSTITUTION, /* H or P + 11 digits (6 region + 5 serial) */
    FG_ID_DOCTOR,      /* D + 12 digits (6 region + 6 serial) */
    FG_ID_STAFF,       /* D (doctor), N (nurse), Y (pharmacist) + 12 digits */
    FG_ID_ICD10,       /* ICD-10 医保版 2.0 diagnosis */
    FG_ID_REGION,      /* 6-digit administrative region */
    FG_ID_IDCARD,      /* resident ID, 18 (or 15) characters */
    FG_ID__COUNT
} fg_id_kind_t;

/* The longest normalised identifier of any kind, plus NUL. */
#define FG_ID_NORM_MAX 48

/* "trace", "gtin", "drug", "consumable", "item", "med_list", "institution", "doctor", "staff",
 * "icd10", "region", "idcard" → kind; -1 when unknown. */
int fg_id_kind_parse(const char *name);
const char *fg_id_kind_name(fg_id_kind_t kind);

/* Check s[0..n) as `kind`; on success write the normalised form (NUL-terminated) to out, which has
 * `cap` bytes (FG_ID_NORM_MAX is always enough). 0 or a negative FG_E_* code with *err filled. */
int fg_id_check(fg_id_kind_t kind, const char *s, size_t n, char *out, size_t cap, fg_error_t *err);

/* --- trace codes --- */
typedef enum fg_trace_form { FG_TRACE_CN20 = 1, FG_TRACE_GS1 = 2 } fg_trace_form_t;

typedef struct fg_trace_code {
    fg_trace_form_t form;
    char key[FG_ID_NORM_MAX]; /* the normalised key the ledger uses */
    char gtin[15];            /* GS1 only: GTIN-14 */
    char serial[21];          /* GS1 only: (21), up to 20 characters */
    char batch[21];           /* GS1 only: (10), may be empty */
    fg_date_t expiry;         /* GS1 only: (17); FG_DATE_NONE when absent */
} fg_trace_code_t;

/* Parse a trace code in any accepted form. Errors: FG_E_TRACE_FORMAT, FG_E_TRACE_LENGTH,
 * FG_E_GS1_*, FG_E_GTIN_*, with the position in the input as given. */
int fg_trace_parse(const char *s, size_t n, fg_trace_code_t *out, fg_error_t *err);

/* GTIN: 8, 12, 13 or 14 digits; out receives the GTIN-14 (zero-padded). */
int fg_gtin_check(const char *s, size_t n, char out[15], fg_error_t *err);
/* The GS1 mod-10 check digit of digits[0..n) (the digit that would follow them). */
int fg_gs1_check_digit(const char *digits, size_t n);

/* --- resident identity numbers --- */
typedef struct fg_idcard {
    char id[19];     /* normalised 18 characters */
    char region[7];  /* first 6 digits */
    fg_date_t birth; /* birth date it encodes */
    int sex;         /* 1 male, 2 female (national gend code) */
    char masked[19]; /* "3417**********1234": first 4, last 4 */
} fg_idcard_t;

int fg_idcard_parse(const char *s, size_t n, fg_idcard_t *out, fg_error_t *err);
/* The ISO 7064 MOD 11-2 check character ('0'..'9' or 'X') of the first 17 digits. */
char fg_idcard_check_char(const char first17[17]);

#define FG_PSEUDONYM_KEYLEN 32
/* Keyed pseudonym of a normalised ID: HMAC-SHA-256(key, id) as 64 hex characters + NUL.
 * The same key always gives the same pseudonym, so records can be joined without the number. */
void fg_idcard_pseudonym(const fg_idcard_t *id, const unsigned char key[FG_PSEUDONYM_KEYLEN],
                         char out[65]);

/* --- regions --- */
/* 1 when the first two digits name a province-level region of China (11…82, 91 for a national
 * region such as 100000/990000 is not accepted). */
int fg_region_province_ok(int two_digits);

#endif
