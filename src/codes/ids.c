/*
 * ids.c — kind names, the fg_id_check() dispatcher, and the catalogue, institution, staff, ICD-10
 * and region codes of SPEC §2.
 *
 * Fixed-shape codes are checked against a template (one class per character), which gives the exact
 * position of the first character out of place. Positions are 1-based characters of the input as
 * given (before spaces were removed and full-width forms made ASCII).
 */
#include "core/compat.h"

#include "fundguard/codes.h"

#include <stdio.h>
#include <string.h>

#include "codes/normalize.h"

#define ID_NORM_CAP 64 /* longer than any fixed-shape code here */

static const char *const kind_names[FG_ID__COUNT] = {
    [FG_ID_TRACE] = "trace",
    [FG_ID_GTIN] = "gtin",
    [FG_ID_DRUG] = "drug",
    [FG_ID_CONSUMABLE] = "consumable",
    [FG_ID_ITEM] = "item",
    [FG_ID_MED_LIST] = "med_list",
    [FG_ID_INSTITUTION] = "institution",
    [FG_ID_DOCTOR] = "doctor",
    [FG_ID_STAFF] = "staff",
    [FG_ID_ICD10] = "icd10",
    [FG_ID_REGION] = "region",
    [FG_ID_IDCARD] = "idcard",
};

int fg_id_kind_parse(const char *name)
{
    if (name == NULL)
        return -1;
    for (int k = 0; k < FG_ID__COUNT; k++) {
        if (strcmp(name, kind_names[k]) == 0)
            return k;
    }
    return -1;
}

const char *fg_id_kind_name(fg_id_kind_t kind)
{
    if ((int)kind < 0 || kind >= FG_ID__COUNT)
        return "unknown";
    return kind_names[kind];
}

int fg_region_province_ok(int two_digits)
{
    switch (two_digits / 10) {
    case 1:
        return two_digits >= 11 && two_digits <= 15; /* 北京 … 内蒙古 */
    case 2:
        return two_digits >= 21 && two_digits <= 23; /* 辽宁 … 黑龙江 */
    case 3:
        return two_digits >= 31 && two_digits <= 37; /* 上海 … 山东 */
    case 4:
        return two_digits >= 41 && two_digits <= 46; /* 河南 … 海南 */
    case 5:
        return two_digits >= 50 && two_digits <= 54; /* 重庆 … 西藏 */
    case 6:
        return two_digits >= 61 && two_digits <= 65; /* 陕西 … 新疆 */
    case 7:
        return two_digits == 71; /* 台湾 */
    case 8:
        return two_digits == 81 || two_digits == 82; /* 香港, 澳门 */
    default:
        return 0;
    }
}

/* --- the checks, on normalised text --- */

/* One identifier being checked: the input as given (for positions) and its normalised form. */
struct idv {
    const char *s; /* input as given */
    size_t n;      /* its length */
    char b[ID_NORM_CAP];
    size_t m; /* normalised length; >= ID_NORM_CAP when it did not fit */
};

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static char upper(char c)
{
    return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Upper-case every letter of the normalised text. */
static void upcase(struct idv *v)
{
    size_t have = v->m < ID_NORM_CAP ? v->m : ID_NORM_CAP - 1;
    for (size_t i = 0; i < have; i++)
        v->b[i] = upper(v->b[i]);
}

/* fg_error_set with "character 5 is 'A'" (for normalised index k) in front of the message. */
static int char_error(const struct idv *v, fg_error_t *err, int code, size_t k, const char *why,
                      const char *shape)
{
    char at[96];
    size_t pos;
    fg__codes_at(v->s, v->n, k, at, sizeof(at), &pos);
    return fg_error_set(err, code, NULL, pos, "%s%s; %s", at, why, shape);
}

static int length_error(const struct idv *v, fg_error_t *err, int code, size_t want,
                        const char *shape)
{
    if (v->m == 0)
        return fg_error_set(err, code, NULL, 0, "the value is empty; %s", shape);
    if (v->m < want)
        return fg_error_set(err, code, NULL, 0, "%zu characters is too short; %s", v->m, shape);
    if (v->m >= ID_NORM_CAP)
        return fg_error_set(err, code, NULL, fg__codes_origin(v->s, v->n, want, NULL, NULL),
                            "more than %d characters is too long; %s", ID_NORM_CAP - 1, shape);
    return fg_error_set(err, code, NULL, fg__codes_origin(v->s, v->n, want, NULL, NULL),
                        "%zu characters is too long; %s", v->m, shape);
}

/*
 * Match the upper-cased text against tmpl, one class per character: '9' a digit, 'A' a letter,
 * anything else that literal character. Reports the first character out of place, then a length
 * mismatch. `shape` describes the code for the message.
 */
static int match(const struct idv *v, fg_error_t *err, int code, const char *tmpl,
                 const char *shape)
{
    size_t want = strlen(tmpl);
    size_t have = v->m < ID_NORM_CAP ? v->m : ID_NORM_CAP - 1;
    size_t lim = have < want ? have : want;

    for (size_t i = 0; i < lim; i++) {
        char c = v->b[i];
        char t = tmpl[i];
        if (t == '9' && !is_digit(c))
            return char_error(v, err, code, i, " where a digit belongs", shape);
        if (t == 'A' && !is_upper(c))
            return char_error(v, err, code, i, " where a letter belongs", shape);
        if (t != '9' && t != 'A' && c != t)
            return char_error(v, err, code, i, "", shape);
    }
    if (v->m != want)
        return length_error(v, err, code, want, shape);
    return 0;
}

/* The region in b[k..k+6) (digits already checked) must start with a province-level code. */
static int region_at(const struct idv *v, fg_error_t *err, int code, size_t k, const char *shape)
{
    int two = (v->b[k] - '0') * 10 + (v->b[k + 1] - '0');
    if (fg_region_province_ok(two))
        return 0;
    size_t pos = fg__codes_origin(v->s, v->n, k, NULL, NULL);
    return fg_error_set(
        err, code, NULL, pos,
        "the region %.6s at character %zu starts with %02d, which is no province; %s", v->b + k,
        pos, two, shape);
}

static const char western_shape[] =
    "a western drug code is X, a letter, 2 digits, 3 letters, 3 digits, a letter and 12 digits (XA01ABD075A002010100483)";
static const char patent_shape[] =
    "a Chinese patent drug code is Z, a letter, 2 digits, 3 letters and 13 digits (ZA04CAE0023010100166)";
static const char drug_shape[] =
    "a national drug code starts with X (western, 23 characters) or Z (Chinese patent, 20)";
static const char consumable_shape[] = "a consumable code is C and 19 digits";
static const char item_shape[] = "a service item code has 15 digits (001102000050000)";
static const char institution_shape[] =
    "an institution code is H or P, a 6-digit region and 5 digits (H11010500001)";
static const char doctor_shape[] = "a doctor code is D, a 6-digit region and 6 digits";
static const char staff_shape[] =
    "a staff code is D (doctor), N (nurse) or Y (pharmacist), a 6-digit region and 6 digits";
static const char region_shape[] = "a region code has 6 digits, the first two a province";
static const char icd_shape[] =
    "ICD-10 医保版 is a letter, 2 digits, then optionally '.', 1 to 3 of 0-9/x and an extension x000 (I10.x00, N05.900x003), or M80000/3";
static const char med_list_shape[] =
    "a catalogue code starts with X or Z (drug), C (consumable) or a digit (15-digit service item)";

static int check_drug(struct idv *v, fg_error_t *err)
{
    upcase(v);
    if (v->m > 0 && v->b[0] == 'X')
        return match(v, err, FG_E_DRUG_CODE, "XA99AAA999A999999999999", western_shape);
    if (v->m > 0 && v->b[0] == 'Z')
        return match(v, err, FG_E_DRUG_CODE, "ZA99AAA9999999999999", patent_shape);
    if (v->m == 0)
        return length_error(v, err, FG_E_DRUG_CODE, 1, drug_shape);
    return char_error(v, err, FG_E_DRUG_CODE, 0, "", drug_shape);
}

static int check_consumable(struct idv *v, fg_error_t *err)
{
    upcase(v);
    return match(v, err, FG_E_CONSUMABLE_CODE, "C9999999999999999999", consumable_shape);
}

static int check_item(struct idv *v, fg_error_t *err)
{
    return match(v, err, FG_E_ITEM_CODE, "999999999999999", item_shape);
}

static int check_med_list(struct idv *v, fg_error_t *err)
{
    char c = v->m > 0 ? upper(v->b[0]) : '\0';
    if (c == 'X' || c == 'Z')
        return check_drug(v, err);
    if (c == 'C')
        return check_consumable(v, err);
    if (is_digit(c))
        return check_item(v, err);
    /* No code of its own: the drug code is the most common kind of catalogue code. */
    if (v->m == 0)
        return length_error(v, err, FG_E_DRUG_CODE, 1, med_list_shape);
    return char_error(v, err, FG_E_DRUG_CODE, 0, "", med_list_shape);
}

static int check_institution(struct idv *v, fg_error_t *err)
{
    int rc;
    upcase(v);
    if (v->m > 0 && v->b[0] != 'H' && v->b[0] != 'P')
        return char_error(v, err, FG_E_INSTITUTION_CODE, 0, "", institution_shape);
    /* The first character is known good; 'A' lets the template take either letter. */
    rc = match(v, err, FG_E_INSTITUTION_CODE, "A99999999999", institution_shape);
    if (rc != 0)
        return rc;
    return region_at(v, err, FG_E_INSTITUTION_CODE, 1, institution_shape);
}

static int check_staff(struct idv *v, fg_error_t *err, int doctor_only)
{
    const char *shape = doctor_only ? doctor_shape : staff_shape;
    char c;
    int rc;

    upcase(v);
    c = v->m > 0 ? v->b[0] : 'D';
    if (c != 'D' && (doctor_only || (c != 'N' && c != 'Y')))
        return char_error(v, err, FG_E_STAFF_CODE, 0, "", shape);
    rc = match(v, err, FG_E_STAFF_CODE, "A999999999999", shape);
    if (rc != 0)
        return rc;
    return region_at(v, err, FG_E_STAFF_CODE, 1, shape);
}

static int check_region(struct idv *v, fg_error_t *err)
{
    int rc = match(v, err, FG_E_REGION, "999999", region_shape);
    if (rc != 0)
        return rc;
    return region_at(v, err, FG_E_REGION, 0, region_shape);
}

static int is_icd_sub(char c)
{
    return is_digit(c) || c == 'x';
}

/* Morphology: M, 4 or 5 digits, '/', one behaviour digit. b[0] is 'M', b[1..3] digits. */
static int check_morphology(struct idv *v, fg_error_t *err)
{
    size_t i = 1;
    while (i < v->m && is_digit(v->b[i]))
        i++;
    if (i > 6)
        return char_error(v, err, FG_E_ICD10, 6, " where '/' belongs", icd_shape);
    if (i >= v->m)
        return length_error(v, err, FG_E_ICD10, i + 2, icd_shape);
    if (i < 5)
        return char_error(v, err, FG_E_ICD10, i, " where a digit belongs", icd_shape);
    if (v->b[i] != '/')
        return char_error(v, err, FG_E_ICD10, i, " where '/' belongs", icd_shape);
    if (i + 1 >= v->m)
        return length_error(v, err, FG_E_ICD10, i + 2, icd_shape);
    if (!is_digit(v->b[i + 1]))
        return char_error(v, err, FG_E_ICD10, i + 1, " where the behaviour digit belongs",
                          icd_shape);
    if (v->m != i + 2)
        return length_error(v, err, FG_E_ICD10, i + 2, icd_shape);
    return 0;
}

/*
 * ICD-10 医保版 2.0: letter, 2 digits, optionally '.' + [0-9x]{1,3} + optionally x + 3 digits.
 * The first letter is upper-cased; an 'X' anywhere after it is lowered (the extension marker).
 */
static int check_icd10(struct idv *v, fg_error_t *err)
{
    size_t r;
    size_t head;

    if (v->m >= ID_NORM_CAP)
        return length_error(v, err, FG_E_ICD10, 11, icd_shape);
    if (v->m > 0)
        v->b[0] = upper(v->b[0]);
    for (size_t i = 1; i < v->m; i++)
        v->b[i] = lower(v->b[i]);
    if (v->m == 0)
        return length_error(v, err, FG_E_ICD10, 3, icd_shape);
    if (!is_upper(v->b[0]))
        return char_error(v, err, FG_E_ICD10, 0, " where a letter belongs", icd_shape);
    if (v->b[0] == 'M' && v->m > 3 && is_digit(v->b[1]) && is_digit(v->b[2]) && is_digit(v->b[3]))
        return check_morphology(v, err);
    for (size_t i = 1; i < 3; i++) {
        if (i >= v->m)
            return length_error(v, err, FG_E_ICD10, 3, icd_shape);
        if (!is_digit(v->b[i]))
            return char_error(v, err, FG_E_ICD10, i, " where a digit belongs", icd_shape);
    }
    if (v->m == 3)
        return 0;
    if (v->b[3] != '.')
        return char_error(v, err, FG_E_ICD10, 3, " where '.' belongs", icd_shape);
    r = v->m - 4; /* characters after the '.' */
    if (r == 0)
        return length_error(v, err, FG_E_ICD10, 5, icd_shape);
    /* [0-9x]{1,3} alone, or [0-9x]{1,3} then x + 3 digits (r = 5 … 7). */
    head = r <= 3 ? r : (r >= 5 && r <= 7 ? r - 4 : 3);
    for (size_t i = 4; i < 4 + head; i++) {
        if (!is_icd_sub(v->b[i]))
            return char_error(v, err, FG_E_ICD10, i, " where 0-9 or x belongs", icd_shape);
    }
    if (r <= 3)
        return 0;
    if (r == 4 || r > 7) {
        size_t k = r == 4 ? 7 : 11;
        return char_error(v, err, FG_E_ICD10, k, " and is one too many", icd_shape);
    }
    if (v->b[4 + head] != 'x')
        return char_error(v, err, FG_E_ICD10, 4 + head, " where the extension's x belongs",
                          icd_shape);
    for (size_t i = 5 + head; i < v->m; i++) {
        if (!is_digit(v->b[i]))
            return char_error(v, err, FG_E_ICD10, i, " where a digit belongs", icd_shape);
    }
    return 0;
}

static int check_normalised(fg_id_kind_t kind, struct idv *v, fg_error_t *err)
{
    switch (kind) {
    case FG_ID_DRUG:
        return check_drug(v, err);
    case FG_ID_CONSUMABLE:
        return check_consumable(v, err);
    case FG_ID_ITEM:
        return check_item(v, err);
    case FG_ID_MED_LIST:
        return check_med_list(v, err);
    case FG_ID_INSTITUTION:
        return check_institution(v, err);
    case FG_ID_DOCTOR:
        return check_staff(v, err, 1);
    case FG_ID_STAFF:
        return check_staff(v, err, 0);
    case FG_ID_ICD10:
        return check_icd10(v, err);
    case FG_ID_REGION:
        return check_region(v, err);
    default:
        return fg_error_set(err, FG_EINVAL, NULL, 0, "unknown identifier kind %d", (int)kind);
    }
}

/* Copy the normalised form out; out == NULL with cap == 0 only validates. */
static int put(const char *src, char *out, size_t cap, fg_error_t *err)
{
    size_t len = strlen(src);
    if (out == NULL && cap == 0)
        return 0;
    if (len >= cap)
        return fg_error_set(err, FG_ELIMIT, NULL, 0,
                            "the normalised identifier has %zu characters; the buffer holds %zu",
                            len, cap == 0 ? 0 : cap - 1);
    memcpy(out, src, len + 1);
    return 0;
}

int fg_id_check(fg_id_kind_t kind, const char *s, size_t n, char *out, size_t cap, fg_error_t *err)
{
    int rc;

    if ((s == NULL && n > 0) || (out == NULL && cap > 0))
        return fg_error_set(err, FG_EINVAL, NULL, 0, "no identifier text or output buffer given");
    if (kind == FG_ID_TRACE) {
        fg_trace_code_t t;
        rc = fg_trace_parse(s, n, &t, err);
        return rc != 0 ? rc : put(t.key, out, cap, err);
    }
    if (kind == FG_ID_GTIN) {
        char g[15];
        rc = fg_gtin_check(s, n, g, err);
        return rc != 0 ? rc : put(g, out, cap, err);
    }
    if (kind == FG_ID_IDCARD) {
        fg_idcard_t id;
        rc = fg_idcard_parse(s, n, &id, err);
        return rc != 0 ? rc : put(id.id, out, cap, err);
    }
    struct idv v = {.s = s, .n = n};
    v.m = fg__codes_norm(s, n, v.b, sizeof(v.b));
    rc = check_normalised(kind, &v, err);
    return rc != 0 ? rc : put(v.b, out, cap, err);
}
