/*
 * fundguard/log.h — structured logging: one JSON object per line, identity numbers never printed.
 *
 * A line is {"ts":"2026-12-05T09:30:00.123+08:00","level":"info","event":"request",…}: the time in
 * Asia/Shanghai (ISO-8601 with its offset), the level, the event's name, then the event's fields in
 * the order they were added. Every line is valid UTF-8 (bytes that are not become U+FFFD) and one
 * JSON object, written with one write(2) (stderr by default, or the file of fg_log_open), so lines
 * from several threads never interleave.
 *
 * Every text value passes through fg_mask_identities before it is escaped: anything shaped like a
 * resident ID number (18 characters: 17 digits and a check digit or X; or an old 15-digit number
 * with a valid region and birth date) is written as `3417**********1234`, whatever the caller
 * passed. A value is kept to FG_LOG_VALUE_MAX bytes (cut before a run of digits it would split,
 * so no ID is ever cut to a readable prefix) and a line to FG_LOG_LINE_MAX (the fields that do not
 * fit are left out and "truncated":true says so).
 *
 * The level is checked before anything is formatted; a line is built in the caller's
 * fg_log_line_t (on its stack), so logging allocates nothing. Sinks are pluggable (tests).
 *
 *     fg_log_line_t l;
 *     if (fg_log_begin(&l, FG_LOG_INFO, "request")) {
 *         fg_log_str(&l, "method", "POST");
 *         fg_log_int(&l, "status", 200);
 *         fg_log_end(&l);
 *     }
 *
 * fg_info("text %s", …) and its siblings write {"event":"message","src":"file.c:12","msg":"…"}.
 */
#ifndef FUNDGUARD_LOG_H
#define FUNDGUARD_LOG_H

#include <stddef.h>

typedef enum fg_log_level {
    FG_LOG_DEBUG = 0,
    FG_LOG_INFO,
    FG_LOG_WARN,
    FG_LOG_ERROR,
    FG_LOG_OFF
} fg_log_level_t;

/* A sink receives one finished, masked line without the trailing newline. */
typedef void (*fg_log_sink_fn)(void *ctx, fg_log_level_t level, const char *line, size_t len);

void fg_log_set_level(fg_log_level_t level);
fg_log_level_t fg_log_get_level(void);
/* Replace the sink (NULL: the log's file descriptor, stderr unless fg_log_open). */
void fg_log_set_sink(fg_log_sink_fn fn, void *ctx);
/* Parse "debug", "info", "warn", "error", "off"; -1 if unknown. */
int fg_log_level_parse(const char *s);
const char *fg_log_level_name(fg_log_level_t level);

/* Write lines to the file at path from now on (created 0640, appended to); NULL or "": stderr
 * again. 0 or a negated errno (the destination unchanged). */
int fg_log_open(const char *path);
/* Open the file of fg_log_open again under its name (after a rotation moved it away): lines in
 * flight go to the old file or the new one, never nowhere. 0 (also when on stderr) or a negated
 * errno (lines keep going to the old file). */
int fg_log_reopen(void);

#define FG_LOG_LINE_MAX  4096 /* bytes of a line, newline included */
#define FG_LOG_VALUE_MAX 512  /* bytes of one text value kept */

/* A line being built: fields are added in order; fg_log_end writes it. */
typedef struct fg_log_line {
    fg_log_level_t level;
    size_t len;                /* bytes in buf */
    int full;                  /* a field did not fit: left out, "truncated":true at the end */
    char buf[FG_LOG_LINE_MAX]; /* the line so far */
} fg_log_line_t;

/* Start a line of event (a literal name: [a-z._]) at level: 1 when the level is on, then add the
 * fields and call fg_log_end; 0 when it is off, and nothing else is to be called. */
int fg_log_begin(fg_log_line_t *l, fg_log_level_t level, const char *event);
/* A text field (key a literal name): masked, escaped, valid UTF-8, cut at FG_LOG_VALUE_MAX. NULL
 * writes null. */
void fg_log_str(fg_log_line_t *l, const char *key, const char *v);
void fg_log_strn(fg_log_line_t *l, const char *key, const char *v, size_t n);
void fg_log_int(fg_log_line_t *l, const char *key, long long v);
void fg_log_bool(fg_log_line_t *l, const char *key, int v);
/* Close the line and write it (one write(2), or the sink). */
void fg_log_end(fg_log_line_t *l);

void fg__log(fg_log_level_t level, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define fg_log(level, ...)                                                                         \
    do {                                                                                           \
        if ((level) >= fg_log_get_level())                                                         \
            fg__log((level), __FILE__, __LINE__, __VA_ARGS__);                                     \
    } while (0)
#define fg_debug(...) fg_log(FG_LOG_DEBUG, __VA_ARGS__)
#define fg_info(...)  fg_log(FG_LOG_INFO, __VA_ARGS__)
#define fg_warn(...)  fg_log(FG_LOG_WARN, __VA_ARGS__)
#define fg_err(...)   fg_log(FG_LOG_ERROR, __VA_ARGS__)

/* Mask identity-number-shaped runs in s[0..n) in place; returns how many were masked. The one
 * masking rule of free text: every log value, error message and export that may carry one uses
 * it. */
size_t fg_mask_identities(char *s, size_t n);

/* Log the failure and abort (start-up or unrecoverable allocator failure only). */
_Noreturn void fg__fatal(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define fg_fatal(...) fg__fatal(__FILE__, __LINE__, __VA_ARGS__)

#define FG_BUG(msg) fg__fatal(__FILE__, __LINE__, "BUG: %s", (msg))

#endif
