/*
 * idcard.c — resident identity numbers (居民身份证号码, GB 11643-1999), SPEC §2.
 *
 * 18 characters: 6-digit region, 8-digit birth date, 3-digit sequence (odd = male), and an ISO 7064
 * MOD 11-2 check character ('X' stands for 10). A 15-digit number from before 1999 (YYMMDD, no
 * check character) is upgraded by inserting "19" and computing the check character.
 *
 * Privacy: an ID is personal data. Error messages never quote the number: at most one offending
 * character, a field name, or the masked form "1101**********002X". Only the keyed pseudonym, the
 * birth date and the sex are meant to be stored (fg_idcard_pseudonym).
 */
#include "core/compat.h"

#include "fundguard/codes.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "codes/normalize.h"
#include "fundguard/hash.h"

#define ID_LEN      18
#define OLD_LEN     15
#define ID_NORM_CAP 32

_Static_assert(FG_PSEUDONYM_KEYLEN == crypto_auth_hmacsha256_KEYBYTES, "HMAC key size");

static const char shape[] =
    "a resident ID has 17 digits and a check character 0-9 or X (or 15 digits for an old one)";

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int num(const char *p, size_t len)
{
    int v = 0;
    for (size_t i = 0; i < len; i++)
        v = v * 10 + (p[i] - '0');
    return v;
}

char fg_idcard_check_char(const char first17[17])
{
    static const int weight[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char map[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
    int sum = 0;

    for (int i = 0; i < 17; i++) {
        if (!is_digit(first17[i]))
            return '\0'; /* not a number: there is no check character */
        sum += (first17[i] - '0') * weight[i];
    }
    return map[sum % 11];
}

/* Normalised index (in the input) of character k of the 18-character form. For an upgraded
 * 15-digit number the inserted century points at the year and the computed check char past the end.
 */
static size_t input_index(size_t m, size_t k)
{
    if (m == ID_LEN || k < 6)
        return k;
    if (k < 8)
        return 6;
    return k - 2;
}

static int date_error(const char *s, size_t n, size_t m, size_t k, const char *what,
                      fg_error_t *err)
{
    size_t pos = fg__codes_origin(s, n, input_index(m, k), NULL, NULL);
    size_t last = m == ID_LEN ? 14 : 12;
    return fg_error_set(err, FG_E_IDCARD_DATE, NULL, pos,
                        "the birth date in characters 7 to %zu %s", last, what);
}

/* Birth date from id[6..14): year >= 1900 and a real day. */
static int birth_date(const char *id, const char *s, size_t n, size_t m, fg_date_t *out,
                      fg_error_t *err)
{
    int y = num(id + 6, 4);
    int mo = num(id + 10, 2);
    int d = num(id + 12, 2);

    char why[64];

    if (y < 1900) {
        snprintf(why, sizeof(why), "has year %d, before 1900", y);
        return date_error(s, n, m, 6, why, err);
    }
    if (mo < 1 || mo > 12) {
        snprintf(why, sizeof(why), "has month %02d; months run 01 to 12", mo);
        return date_error(s, n, m, 10, why, err);
    }
    if (fg_date_from_ymd(y, mo, d, out) != 0) {
        snprintf(why, sizeof(why), "has day %02d, which month %02d of that year lacks", d, mo);
        return date_error(s, n, m, 12, why, err);
    }
    return 0;
}

static void mask(const char *id, char out[19])
{
    memcpy(out, id, 4);
    memset(out + 4, '*', ID_LEN - 8);
    memcpy(out + ID_LEN - 4, id + ID_LEN - 4, 4);
    out[ID_LEN] = '\0';
}

/* 17 (or 15) digits, then a check character; reports the first character out of place. */
static int check_shape(const char *s, size_t n, const char *b, size_t m, fg_error_t *err)
{
    size_t have = m < ID_NORM_CAP ? m : ID_NORM_CAP - 1;
    size_t lim = have < ID_LEN ? have : ID_LEN;
    char at[96];
    size_t pos;

    if (m == 0)
        return fg_error_set(err, FG_E_IDCARD_FORMAT, NULL, 0, "the resident ID is empty; %s",
                            shape);
    for (size_t i = 0; i < lim; i++) {
        char c = b[i];
        if (is_digit(c) || (i == ID_LEN - 1 && (c == 'X' || c == 'x')))
            continue;
        fg__codes_at(s, n, i, at, sizeof(at), &pos);
        return fg_error_set(err, FG_E_IDCARD_FORMAT, NULL, pos, "%s; %s", at, shape);
    }
    if (m == ID_LEN || m == OLD_LEN)
        return 0;
    if (m < ID_LEN)
        return fg_error_set(err, FG_E_IDCARD_FORMAT, NULL, 0, "%zu characters is too short; %s", m,
                            shape);
    return fg_error_set(err, FG_E_IDCARD_FORMAT, NULL, fg__codes_origin(s, n, ID_LEN, NULL, NULL),
                        "more than 18 characters; %s", shape);
}

int fg_idcard_parse(const char *s, size_t n, fg_idcard_t *out, fg_error_t *err)
{
    fg_idcard_t scratch;
    char b[ID_NORM_CAP];
    char id[ID_LEN + 1];
    size_t m;
    int rc;
    int two;

    if (out == NULL)
        out = &scratch;
    memset(out, 0, sizeof(*out));
    out->birth = FG_DATE_NONE;
    if (s == NULL && n > 0)
        return fg_error_set(err, FG_EINVAL, NULL, 0, "no resident ID text given");
    m = fg__codes_norm(s, n, b, sizeof(b));
    rc = check_shape(s, n, b, m, err);
    if (rc != 0)
        return rc;

    if (m == OLD_LEN) {
        memcpy(id, b, 6);
        id[6] = '1';
        id[7] = '9';
        memcpy(id + 8, b + 6, OLD_LEN - 6);
        id[17] = fg_idcard_check_char(id);
    } else {
        memcpy(id, b, ID_LEN);
        if (id[17] == 'x')
            id[17] = 'X';
    }
    id[ID_LEN] = '\0';

    two = num(id, 2);
    if (!fg_region_province_ok(two))
        return fg_error_set(
            err, FG_E_IDCARD_REGION, NULL, fg__codes_origin(s, n, 0, NULL, NULL),
            "the region in characters 1 to 6 starts with %02d, which is no province; %s", two,
            shape);
    rc = birth_date(id, s, n, m, &out->birth, err);
    if (rc != 0) {
        out->birth = FG_DATE_NONE;
        return rc;
    }
    if (m == ID_LEN) {
        char want = fg_idcard_check_char(id);
        if (want != id[17]) {
            char masked[19];
            out->birth = FG_DATE_NONE;
            mask(id, masked);
            return fg_error_set(err, FG_E_IDCARD_CHECK, NULL,
                                fg__codes_origin(s, n, ID_LEN - 1, NULL, NULL),
                                "the check character of %s is '%c'; its first 17 digits give '%c'",
                                masked, id[17], want);
        }
    }
    memcpy(out->id, id, ID_LEN + 1);
    memcpy(out->region, id, 6);
    out->region[6] = '\0';
    out->sex = ((id[16] - '0') & 1) ? 1 : 2;
    mask(id, out->masked);
    return 0;
}

void fg_idcard_pseudonym(const fg_idcard_t *id, const unsigned char key[FG_PSEUDONYM_KEYLEN],
                         char out[65])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    size_t len = 0;

    while (len < ID_LEN && id->id[len] != '\0')
        len++;

    /* HMAC-SHA-256 is plain computation in libsodium (no CPU dispatch, no RNG), so it needs no
     * sodium_init(). */
    crypto_auth_hmacsha256(mac, (const unsigned char *)id->id, len, key);
    fg_hex(mac, sizeof(mac), out);
    sodium_memzero(mac, sizeof(mac));
}
