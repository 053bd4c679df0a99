/*
 * log.c — one line per event, identity numbers masked before any sink sees the line.
 */
#include "core/compat.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fundguard/datetime.h"
#include "fundguard/log.h"

static _Atomic int level = FG_LOG_INFO;
static pthread_mutex_t sink_lock = PTHREAD_MUTEX_INITIALIZER;
static fg_log_sink_fn sink_fn;
static void *sink_ctx;

static const char *const level_names[] = {"debug", "info", "warn", "error", "off"};

void fg_log_set_level(fg_log_level_t l)
{
    atomic_store(&level, (int)l);
}

fg_log_level_t fg_log_get_level(void)
{
    return (fg_log_level_t)atomic_load(&level);
}

void fg_log_set_sink(fg_log_sink_fn fn, void *ctx)
{
    pthread_mutex_lock(&sink_lock);
    sink_fn = fn;
    sink_ctx = ctx;
    pthread_mutex_unlock(&sink_lock);
}

int fg_log_level_parse(const char *s)
{
    for (int i = 0; i <= FG_LOG_OFF; i++)
        if (strcmp(s, level_names[i]) == 0)
            return i;
    return -1;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Province-level prefixes of resident ID numbers (GB/T 2260). */
static int province_ok(int p)
{
    return (p >= 11 && p <= 15) || (p >= 21 && p <= 23) || (p >= 31 && p <= 37) ||
           (p >= 41 && p <= 46) || (p >= 50 && p <= 54) || (p >= 61 && p <= 65) || p == 71 ||
           p == 81 || p == 82;
}

static int two(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* Does the run s[0..len) (digits, maybe a final X) look like a resident ID? Deliberately generous
 * for 18 characters (any plausible region and birth month/day): a false mask costs a log reader a
 * little, a missed number leaks a person. 15-digit runs need a valid region and date, because
 * 15-digit service-item codes must stay readable. */
static int looks_like_id(const char *s, size_t len)
{
    if (len != 18 && len != 15)
        return 0;
    if (!province_ok(two(s)))
        return 0;
    const char *date = len == 18 ? s + 10 : s + 8; /* MMDD */
    int mm = two(date);
    int dd = two(date + 2);
    if (mm < 1 || mm > 12 || dd < 1 || dd > 31)
        return 0;
    if (len == 18) {
        int century = two(s + 6);
        return century >= 18 && century <= 20;
    }
    return 1;
}

size_t fg_mask_identities(char *s, size_t n)
{
    size_t masked = 0;
    size_t i = 0;
    while (i < n) {
        if (!is_digit(s[i])) {
            i++;
            continue;
        }
        size_t start = i;
        while (i < n && is_digit(s[i]))
            i++;
        size_t len = i - start;
        if (len == 17 && i < n && (s[i] == 'X' || s[i] == 'x')) {
            i++;
            len++;
        }
        /* Only whole runs: an 18-digit stretch inside a 20-digit trace code is not an ID. */
        int alnum_after = i < n && ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z'));
        int alnum_before = start > 0 && ((s[start - 1] >= 'A' && s[start - 1] <= 'Z') ||
                                         (s[start - 1] >= 'a' && s[start - 1] <= 'z'));
        if (!alnum_after && !alnum_before && looks_like_id(s + start, len)) {
            memset(s + start + 4, '*', len - 8);
            masked++;
        }
    }
    return masked;
}

static void emit(fg_log_level_t l, char *line, size_t len)
{
    fg_mask_identities(line, len);
    pthread_mutex_lock(&sink_lock);
    if (sink_fn != NULL) {
        sink_fn(sink_ctx, l, line, len);
    } else {
        line[len] = '\n';
        ssize_t w = write(STDERR_FILENO, line, len + 1);
        FG_UNUSED(w);
        line[len] = '\0';
    }
    pthread_mutex_unlock(&sink_lock);
}

__attribute__((format(printf, 6, 0))) static size_t format_line(char *buf, size_t cap,
                                                                fg_log_level_t l, const char *file,
                                                                int lineno, const char *fmt,
                                                                va_list ap)
{
    char ts[FG_TIME_TEXTLEN + 1];
    fg_time_format(fg_time_now(), ts);
    const char *base = strrchr(file, '/');
    base = base != NULL ? base + 1 : file;
    int n = snprintf(buf, cap, "%s level=%s src=%s:%d msg=\"", ts, level_names[l], base, lineno);
    if (n < 0 || (size_t)n >= cap)
        n = 0;
    int m = vsnprintf(buf + n, cap - (size_t)n, fmt, ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > cap - 3)
        len = cap - 3;
    buf[len++] = '"';
    buf[len] = '\0';
    return len;
}

void fg__log(fg_log_level_t l, const char *file, int lineno, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    size_t len = format_line(buf, sizeof(buf) - 1, l, file, lineno, fmt, ap);
    va_end(ap);
    emit(l, buf, len);
}

void fg__fatal(const char *file, int lineno, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    size_t len = format_line(buf, sizeof(buf) - 1, FG_LOG_ERROR, file, lineno, fmt, ap);
    va_end(ap);
    emit(FG_LOG_ERROR, buf, len);
    abort();
}
