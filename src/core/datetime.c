/*
 * datetime.c — civil dates and China Standard Time instants by arithmetic (no TZ, no locale).
 *
 * Days from civil date use Howard Hinnant's algorithm (proleptic Gregorian calendar). China time is
 * UTC+8 throughout (docs/decisions.md: no DST since 1991).
 */
#include "core/compat.h"

#include <stdio.h>
#include <time.h>

#include "fundguard/datetime.h"

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

static int32_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

void fg_date_to_ymd(fg_date_t z, int *y, int *m, int *d)
{
    int32_t zz = z + 719468;
    const int32_t era = (zz >= 0 ? zz : zz - 146096) / 146097;
    const int32_t doe = zz - era * 146097;
    const int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int32_t mp = (5 * doy + 2) / 153;
    const int dd = (int)(doy - (153 * mp + 2) / 5 + 1);
    const int mm = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400) + (mm <= 2);
    *m = mm;
    *d = dd;
}

int fg_date_from_ymd(int y, int m, int d, fg_date_t *out)
{
    if (y < 1000 || y > 9999 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return FG_E_TIME_RANGE;
    *out = days_from_civil(y, m, d);
    return 0;
}

/* Read exactly `width` digits at s; -1 when any is not a digit. */
static int digits(const char *s, int width)
{
    int v = 0;
    for (int i = 0; i < width; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* Position (0-based) of the first character of s[0..n) that breaks the pattern, where 'd' stands
 * for a digit and anything else for itself; n when all match. */
static size_t first_mismatch(const char *s, size_t n, const char *pattern)
{
    size_t i = 0;
    for (; i < n && pattern[i] != '\0'; i++) {
        char p = pattern[i];
        if (p == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != p)
            return i;
    }
    return i;
}

static int parse_ymd(const char *s, size_t n, fg_date_t *out, int code, const char *what,
                     fg_error_t *err)
{
    static const char pat[] = "dddd-dd-dd";
    size_t bad = first_mismatch(s, n, pat);
    if (n < FG_DATE_TEXTLEN || bad < FG_DATE_TEXTLEN) {
        size_t pos = bad < n ? bad + 1 : n + 1;
        return fg_error_set(err, code, NULL, pos, "'%.*s' is not %s (character %zu)",
                            (int)(n > 40 ? 40 : n), s, what, pos);
    }
    int rc = fg_date_from_ymd(digits(s, 4), digits(s + 5, 2), digits(s + 8, 2), out);
    if (rc != 0)
        return fg_error_set(err, FG_E_TIME_RANGE, NULL, 0, "%.10s is not a day of the calendar", s);
    return 0;
}

int fg_date_parse(const char *s, size_t n, fg_date_t *out, fg_error_t *err)
{
    if (n != FG_DATE_TEXTLEN) {
        if (n > FG_DATE_TEXTLEN &&
            first_mismatch(s, FG_DATE_TEXTLEN, "dddd-dd-dd") == FG_DATE_TEXTLEN)
            return fg_error_set(err, FG_E_DATE_FORMAT, NULL, FG_DATE_TEXTLEN + 1,
                                "'%.*s' is not a date like 2025-07-01 (extra text at character %d)",
                                (int)(n > 40 ? 40 : n), s, FG_DATE_TEXTLEN + 1);
    }
    return parse_ymd(s, n, out, FG_E_DATE_FORMAT, "a date like 2025-07-01", err);
}

int fg_time_parse(const char *s, size_t n, fg_time_t *out, fg_error_t *err)
{
    static const char what[] = "a time like 2025-07-01 08:30:00";
    fg_date_t d;
    if (n == FG_DATE_TEXTLEN) {
        int rc = parse_ymd(s, n, &d, FG_E_TIME_FORMAT, what, err);
        if (rc != 0)
            return rc;
        *out = fg_date_start(d);
        return 0;
    }
    char sep = n > FG_DATE_TEXTLEN ? s[FG_DATE_TEXTLEN] : ' ';
    size_t bad = first_mismatch(s, n, sep == 'T' ? "dddd-dd-ddTdd:dd:dd" : "dddd-dd-dd dd:dd:dd");
    if (n != FG_TIME_TEXTLEN || bad < FG_TIME_TEXTLEN) {
        size_t pos = bad < n ? bad + 1 : n + 1;
        return fg_error_set(err, FG_E_TIME_FORMAT, NULL, pos, "'%.*s' is not %s (character %zu)",
                            (int)(n > 40 ? 40 : n), s, what, pos);
    }
    int rc = parse_ymd(s, FG_DATE_TEXTLEN, &d, FG_E_TIME_FORMAT, what, err);
    if (rc != 0)
        return rc;
    int hh = digits(s + 11, 2);
    int mi = digits(s + 14, 2);
    int ss = digits(s + 17, 2);
    if (hh > 23 || mi > 59 || ss > 59)
        return fg_error_set(err, FG_E_TIME_RANGE, NULL, 12, "%.8s is not a time of day", s + 11);
    *out = fg_date_start(d) + hh * 3600 + mi * 60 + ss;
    return 0;
}

static void put2(char *p, int v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
}

size_t fg_date_format(fg_date_t d, char out[FG_DATE_TEXTLEN + 1])
{
    int y, m, day;
    fg_date_to_ymd(d, &y, &m, &day);
    if (y < 0 || y > 9999) {
        out[0] = '\0';
        return 0;
    }
    put2(out, y / 100);
    put2(out + 2, y % 100);
    out[4] = '-';
    put2(out + 5, m);
    out[7] = '-';
    put2(out + 8, day);
    out[10] = '\0';
    return FG_DATE_TEXTLEN;
}

size_t fg_time_format(fg_time_t t, char out[FG_TIME_TEXTLEN + 1])
{
    fg_date_t d = fg_time_date(t);
    int64_t sec = t - fg_date_start(d);
    if (fg_date_format(d, out) == 0)
        return 0;
    out[10] = ' ';
    put2(out + 11, (int)(sec / 3600));
    out[13] = ':';
    put2(out + 14, (int)(sec / 60 % 60));
    out[16] = ':';
    put2(out + 17, (int)(sec % 60));
    out[19] = '\0';
    return FG_TIME_TEXTLEN;
}

fg_date_t fg_time_date(fg_time_t t)
{
    int64_t local = t + FG_CST_OFFSET;
    int64_t days = local / 86400;
    if (local % 86400 < 0)
        days--;
    return (fg_date_t)days;
}

fg_time_t fg_date_start(fg_date_t d)
{
    return (fg_time_t)d * 86400 - FG_CST_OFFSET;
}

int fg_time_year(fg_time_t t)
{
    int y, m, d;
    fg_date_to_ymd(fg_time_date(t), &y, &m, &d);
    return y;
}

fg_time_t fg_year_start(int year)
{
    return fg_date_start(days_from_civil(year, 1, 1));
}

int32_t fg_days_between(fg_date_t a, fg_date_t b)
{
    return b - a;
}

int fg_age_years(fg_date_t birth, fg_date_t on)
{
    int by, bm, bd, y, m, d;
    fg_date_to_ymd(birth, &by, &bm, &bd);
    fg_date_to_ymd(on, &y, &m, &d);
    int age = y - by;
    /* Not yet had this year's birthday. A 29 Feb birthday falls on 1 March in common years. */
    if (bm == 2 && bd == 29 && !is_leap(y)) {
        bm = 3;
        bd = 1;
    }
    if (m < bm || (m == bm && d < bd))
        age--;
    return age;
}

int fg_date_weekday(fg_date_t d)
{
    /* 1970-01-01 was a Thursday (3 when Monday is 0). */
    int w = (int)((d % 7 + 7 + 3) % 7);
    return w;
}

fg_time_t fg_time_now(void)
{
    return (fg_time_t)time(NULL);
}
