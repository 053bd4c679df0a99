/*
 * fundguard/datetime.h — dates and times in China Standard Time (Asia/Shanghai).
 *
 * An instant is fg_time_t: seconds since 1970-01-01 00:00:00 UTC. A civil date is fg_date_t: days
 * since 1970-01-01. Text is always China time: "yyyy-MM-dd HH:mm:ss" and "yyyy-MM-dd".
 * Asia/Shanghai has been UTC+8 without daylight saving since September 1991; Fundguard converts
 * with that fixed offset (docs/decisions.md), so conversion is pure arithmetic, thread-safe and
 * independent of TZ. Birth dates are civil dates and never go through an instant, so older dates
 * are exact too.
 *
 * A natural year (自然年) runs from 00:00 China time on 1 January to the next 1 January.
 */
#ifndef FUNDGUARD_DATETIME_H
#define FUNDGUARD_DATETIME_H

#include <stddef.h>
#include <stdint.h>

#include "fundguard/error.h"

typedef int64_t fg_time_t;
typedef int32_t fg_date_t;

/* "No value" markers for optional dates and times. */
#define FG_DATE_NONE INT32_MIN
#define FG_TIME_NONE INT64_MIN

#define FG_CST_OFFSET   (8 * 3600)
#define FG_TIME_TEXTLEN 19 /* "yyyy-MM-dd HH:mm:ss" */
#define FG_DATE_TEXTLEN 10 /* "yyyy-MM-dd" */

/* Civil date from year/month/day; FG_E_TIME_RANGE when no such day (years 1000..9999). */
int fg_date_from_ymd(int y, int m, int d, fg_date_t *out);
void fg_date_to_ymd(fg_date_t d, int *y, int *m, int *day);

/* Parse "yyyy-MM-dd" (exactly). Errors: FG_E_DATE_FORMAT with the position, FG_E_TIME_RANGE. */
int fg_date_parse(const char *s, size_t n, fg_date_t *out, fg_error_t *err);
/* Parse "yyyy-MM-dd HH:mm:ss" China time (exactly; 'T' accepted for the space). Also accepts a bare
 * "yyyy-MM-dd" as 00:00:00. Errors: FG_E_TIME_FORMAT with the position, FG_E_TIME_RANGE. */
int fg_time_parse(const char *s, size_t n, fg_time_t *out, fg_error_t *err);

/* Write "yyyy-MM-dd" / "yyyy-MM-dd HH:mm:ss" (China time) plus NUL; returns the length. */
size_t fg_date_format(fg_date_t d, char out[FG_DATE_TEXTLEN + 1]);
size_t fg_time_format(fg_time_t t, char out[FG_TIME_TEXTLEN + 1]);

/* The China-time civil date of an instant, and the instant of 00:00 China time on a date. */
fg_date_t fg_time_date(fg_time_t t);
fg_time_t fg_date_start(fg_date_t d);

/* Natural year of an instant, and the instant its year starts (00:00 CST, 1 January). */
int fg_time_year(fg_time_t t);
fg_time_t fg_year_start(int year);

/* Whole days from a to b (b - a); negative when b is earlier. */
int32_t fg_days_between(fg_date_t a, fg_date_t b);

/* Age in whole years on date `on` for a person born on `birth` (a birthday on 29 Feb counts on
 * 1 March in other years). Negative when on < birth. */
int fg_age_years(fg_date_t birth, fg_date_t on);

/* Day of the week, 0 = Monday … 6 = Sunday. */
int fg_date_weekday(fg_date_t d);

/* Current time (wall clock). */
fg_time_t fg_time_now(void);

#endif
