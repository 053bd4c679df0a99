/*
 * fundguard/log.h — one-line structured logging on stderr, identity numbers never printed.
 *
 * fg_log(level, fmt, …) writes `time level file:line message` as one line. The level is checked
 * before anything is formatted. Before a line leaves the process, anything shaped like a resident
 * ID number (18 characters: 17 digits and a check digit or X; or an old 15-digit number with a
 * valid region and birth date) is masked as `3417**********1234`, whatever the caller passed. The
 * hot path does not allocate. Sinks are pluggable; a lock hook serialises them across threads.
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
/* Replace the sink (NULL: stderr). */
void fg_log_set_sink(fg_log_sink_fn fn, void *ctx);
/* Parse "debug", "info", "warn", "error", "off"; -1 if unknown. */
int fg_log_level_parse(const char *s);

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

/* Mask identity-number-shaped runs in s[0..n) in place; returns how many were masked. Exposed so
 * every other outward text (error messages, exports) can use the same rule. */
size_t fg_mask_identities(char *s, size_t n);

/* Log the failure and abort (start-up or unrecoverable allocator failure only). */
_Noreturn void fg__fatal(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define fg_fatal(...) fg__fatal(__FILE__, __LINE__, __VA_ARGS__)

#define FG_BUG(msg) fg__fatal(__FILE__, __LINE__, "BUG: %s", (msg))

#endif
