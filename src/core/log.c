/*
 * log.c — one JSON object per line (include/fundguard/log.h), every text value masked by
 * fg_mask_identities before it is escaped, the line built in the caller's buffer and written with
 * one write(2).
 */
#include "core/compat.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fundguard/log.h"
#include "fundguard/utf8.h"

static _Atomic int level = FG_LOG_INFO;
static pthread_mutex_t sink_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int have_sink; /* sink_fn is set: lines go to it under sink_lock */
static fg_log_sink_fn sink_fn;
static void *sink_ctx;
/* The destination: stderr, or own_fd (a file of fg_log_open, kept open and replaced by dup2 so a
 * writer never holds a closed descriptor). */
static atomic_int log_fd = STDERR_FILENO;
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;
static int own_fd = -1;
static char log_path[4096];

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
    atomic_store(&have_sink, fn != NULL);
    pthread_mutex_unlock(&sink_lock);
}

const char *fg_log_level_name(fg_log_level_t l)
{
    return l >= FG_LOG_DEBUG && l <= FG_LOG_OFF ? level_names[l] : "?";
}

static int open_file(const char *path)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0)
        return -errno;
    if (own_fd < 0) {
        own_fd = fd;
    } else {
        int rc = dup2(fd, own_fd) < 0 ? -errno : 0;
        close(fd);
        if (rc != 0)
            return rc;
    }
    atomic_store(&log_fd, own_fd);
    return 0;
}

int fg_log_open(const char *path)
{
    int rc = 0;
    pthread_mutex_lock(&open_lock);
    if (path == NULL || path[0] == '\0') {
        if (own_fd >= 0)
            dup2(STDERR_FILENO, own_fd);
        log_path[0] = '\0';
    } else if (strlen(path) >= sizeof(log_path)) {
        rc = -ENAMETOOLONG;
    } else {
        rc = open_file(path);
        if (rc == 0)
            memcpy(log_path, path, strlen(path) + 1);
    }
    pthread_mutex_unlock(&open_lock);
    return rc;
}

int fg_log_reopen(void)
{
    pthread_mutex_lock(&open_lock);
    int rc = log_path[0] != '\0' ? open_file(log_path) : 0;
    pthread_mutex_unlock(&open_lock);
    return rc;
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

/* ---------------------------------------------------------------- building a line */

/* Room kept at the end of every line for ,"truncated":true}, the newline and a NUL. */
#define TAIL 24

static int fits(const fg_log_line_t *l, size_t more)
{
    return l->len + more + TAIL <= sizeof(l->buf);
}

static void put(fg_log_line_t *l, const char *s, size_t n)
{
    memcpy(l->buf + l->len, s, n);
    l->len += n;
}

/* The time now in Asia/Shanghai, "2026-12-05T09:30:00.123+08:00" (29 characters); the part up to
 * the second is formatted once a second per thread. */
static void put_time(fg_log_line_t *l)
{
    static _Thread_local time_t last = -1;
    static _Thread_local char text[64];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    if (now.tv_sec != last) {
        time_t local = now.tv_sec + 8 * 3600;
        struct tm tm;
        gmtime_r(&local, &tm);
        snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        last = now.tv_sec;
    }
    char ms[16];
    int n = snprintf(ms, sizeof(ms), ".%03d+08:00", (int)(now.tv_nsec / 1000000));
    put(l, text, 19);
    put(l, ms, (size_t)n);
}

/* ,"key": — 0 (and the line marked full) when it and an empty value do not fit. */
static int put_key(fg_log_line_t *l, const char *key)
{
    size_t kn = strlen(key);
    if (l->full || !fits(l, kn + 6)) {
        l->full = 1;
        return 0;
    }
    put(l, ",\"", 2);
    put(l, key, kn);
    put(l, "\":", 2);
    return 1;
}

static int id_char(char c)
{
    return (c >= '0' && c <= '9') || c == 'X' || c == 'x';
}

/* s[0..n) as a JSON string: quotes, backslashes and control characters escaped, ill-formed UTF-8
 * as U+FFFD; cut with "…" (and the line marked full) where the line has no more room. */
static void put_escaped(fg_log_line_t *l, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)s;
    put(l, "\"", 1);
    for (size_t i = 0; i < n;) {
        char e[8];
        size_t en = 0;
        size_t used = 1;
        unsigned c = u[i];
        if (c == '"' || c == '\\') {
            e[en++] = '\\';
            e[en++] = (char)c;
        } else if (c == '\n' || c == '\r' || c == '\t') {
            e[en++] = '\\';
            e[en++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
        } else if (c < 0x20) {
            memcpy(e, "\\u00", 4);
            e[4] = hex[c >> 4];
            e[5] = hex[c & 15];
            en = 6;
        } else if (c < 0x80) {
            e[en++] = (char)c;
        } else {
            size_t bad = 1;
            size_t len = fg_utf8_seq(u + i, n - i, &bad);
            used = len != 0 ? len : bad;
            if (len != 0)
                memcpy(e, s + i, len);
            else
                memcpy(e, "\xEF\xBF\xBD", 3); /* U+FFFD */
            en = len != 0 ? len : 3;
        }
        if (!fits(l, en + 4)) { /* this unit, "…" and the closing quote */
            put(l, "\xE2\x80\xA6", 3);
            l->full = 1;
            break;
        }
        put(l, e, en);
        i += used;
    }
    put(l, "\"", 1);
}

void fg_log_strn(fg_log_line_t *l, const char *key, const char *v, size_t n)
{
    if (!put_key(l, key))
        return;
    if (v == NULL) {
        put(l, "null", 4);
        return;
    }
    /* Cut first (never inside a character, nor inside a run of digits: a resident ID cut short
     * would not be recognised and would leak its first digits), then mask, then escape. */
    char tmp[FG_LOG_VALUE_MAX];
    size_t k = n;
    if (n > sizeof(tmp)) {
        k = fg_utf8_cut(v, sizeof(tmp));
        if (id_char(v[k]))
            while (k > 0 && id_char(v[k - 1]))
                k--;
    }
    memcpy(tmp, v, k);
    fg_mask_identities(tmp, k);
    put_escaped(l, tmp, k);
    if (k < n && !l->full && fits(l, 3)) {
        l->len--; /* the closing quote */
        put(l, "\xE2\x80\xA6\"", 4);
    }
}

void fg_log_str(fg_log_line_t *l, const char *key, const char *v)
{
    fg_log_strn(l, key, v, v != NULL ? strlen(v) : 0);
}

void fg_log_int(fg_log_line_t *l, const char *key, long long v)
{
    if (!put_key(l, key))
        return;
    char d[24];
    size_t n = 0;
    unsigned long long m = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    do {
        d[sizeof(d) - 1 - n++] = (char)('0' + m % 10);
        m /= 10;
    } while (m != 0);
    if (v < 0)
        d[sizeof(d) - 1 - n++] = '-';
    if (!fits(l, n)) {
        put(l, "null", 4);
        l->full = 1;
        return;
    }
    put(l, d + sizeof(d) - n, n);
}

void fg_log_bool(fg_log_line_t *l, const char *key, int v)
{
    if (put_key(l, key))
        put(l, v ? "true" : "false", v ? 4 : 5);
}

static void begin(fg_log_line_t *l, fg_log_level_t lv, const char *event)
{
    l->level = lv;
    l->len = 0;
    l->full = 0;
    put(l, "{\"ts\":\"", 7);
    put_time(l);
    put(l, "\",\"level\":\"", 11);
    put(l, level_names[lv], strlen(level_names[lv]));
    put(l, "\",\"event\":", 10);
    put_escaped(l, event, strlen(event));
}

int fg_log_begin(fg_log_line_t *l, fg_log_level_t lv, const char *event)
{
    if (lv < fg_log_get_level() || lv >= FG_LOG_OFF)
        return 0;
    begin(l, lv, event);
    return 1;
}

void fg_log_end(fg_log_line_t *l)
{
    if (l->full)
        put(l, ",\"truncated\":true", 17);
    put(l, "}\n", 2);
    if (atomic_load(&have_sink)) {
        l->buf[l->len - 1] = '\0';
        pthread_mutex_lock(&sink_lock);
        int sunk = sink_fn != NULL;
        if (sunk)
            sink_fn(sink_ctx, l->level, l->buf, l->len - 1);
        pthread_mutex_unlock(&sink_lock);
        if (sunk)
            return;
        l->buf[l->len - 1] = '\n';
    }
    int fd = atomic_load(&log_fd);
    for (size_t off = 0; off < l->len;) {
        ssize_t w = write(fd, l->buf + off, l->len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
}

/* ---------------------------------------------------------------- printf-style lines */

__attribute__((format(printf, 4, 0))) static void message(fg_log_level_t l, const char *file,
                                                          int lineno, const char *fmt, va_list ap)
{
    char msg[2048];
    int m = vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t mn = m < 0 ? 0 : (size_t)m >= sizeof(msg) ? sizeof(msg) - 1 : (size_t)m;
    const char *base = strrchr(file, '/');
    base = base != NULL ? base + 1 : file;
    char src[128];
    snprintf(src, sizeof(src), "%s:%d", base, lineno);
    fg_log_line_t line;
    begin(&line, l, "message");
    fg_log_str(&line, "src", src);
    fg_log_strn(&line, "msg", msg, mn);
    fg_log_end(&line);
}

void fg__log(fg_log_level_t l, const char *file, int lineno, const char *fmt, ...)
{
    if (l < fg_log_get_level() || l >= FG_LOG_OFF)
        return;
    va_list ap;
    va_start(ap, fmt);
    message(l, file, lineno, fmt, ap);
    va_end(ap);
}

void fg__fatal(const char *file, int lineno, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    message(FG_LOG_ERROR, file, lineno, fmt, ap);
    va_end(ap);
    abort();
}
