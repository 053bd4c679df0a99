/*
 * t.h — Fundguard's test harness (after libuv's test/task.h): TEST() registers itself, typed
 * ASSERTs print both operands, each test runs in a forked child (a crash fails one test, not the
 * run), and the binary ends with the line "N passed, N failed".
 *
 *   TEST(money_parse_basic) { ASSERT_EQ(fg_money_parse(...), 0); }
 *
 * Arguments: a test name (or prefix ending in '*') runs only the matching tests; T_NOFORK=1 runs in
 * process (for gdb).
 */
#ifndef FG_TEST_T_H
#define FG_TEST_T_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef void (*t_fn)(void);

void t_register(const char *name, t_fn fn, const char *file, int line);
_Noreturn void t_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Path of a file under the source tree (tests run from there). */
const char *t_path(const char *rel);
/* A fresh temporary directory for this test (removed at exit of the test process). */
const char *t_tmpdir(void);
/* Read a whole file into a malloc'd NUL-terminated buffer (fails the test on error). */
char *t_read_file(const char *path, size_t *len);

#define TEST(name)                                                                                 \
    static void t_test_##name(void);                                                               \
    __attribute__((constructor)) static void t_reg_##name(void)                                    \
    {                                                                                              \
        t_register(#name, t_test_##name, __FILE__, __LINE__);                                      \
    }                                                                                              \
    static void t_test_##name(void)

#define ASSERT(cond)                                                                               \
    do {                                                                                           \
        if (!(cond))                                                                               \
            t_fail(__FILE__, __LINE__, "assertion failed: %s", #cond);                             \
    } while (0)

#define T__CMP(a, op, b)                                                                           \
    do {                                                                                           \
        int64_t t_a_ = (int64_t)(a);                                                               \
        int64_t t_b_ = (int64_t)(b);                                                               \
        if (!(t_a_ op t_b_))                                                                       \
            t_fail(__FILE__, __LINE__, "%s %s %s: %" PRId64 " vs %" PRId64, #a, #op, #b, t_a_,     \
                   t_b_);                                                                          \
    } while (0)

#define ASSERT_EQ(a, b) T__CMP(a, ==, b)
#define ASSERT_NE(a, b) T__CMP(a, !=, b)
#define ASSERT_LT(a, b) T__CMP(a, <, b)
#define ASSERT_LE(a, b) T__CMP(a, <=, b)
#define ASSERT_GT(a, b) T__CMP(a, >, b)
#define ASSERT_GE(a, b) T__CMP(a, >=, b)

#define ASSERT_UEQ(a, b)                                                                           \
    do {                                                                                           \
        uint64_t t_a_ = (uint64_t)(a);                                                             \
        uint64_t t_b_ = (uint64_t)(b);                                                             \
        if (t_a_ != t_b_)                                                                          \
            t_fail(__FILE__, __LINE__, "%s == %s: %" PRIu64 " vs %" PRIu64, #a, #b, t_a_, t_b_);   \
    } while (0)

#define ASSERT_STR_EQ(a, b)                                                                        \
    do {                                                                                           \
        const char *t_a_ = (a);                                                                    \
        const char *t_b_ = (b);                                                                    \
        if (t_a_ == NULL || t_b_ == NULL || strcmp(t_a_, t_b_) != 0)                               \
            t_fail(__FILE__, __LINE__, "%s == %s: \"%s\" vs \"%s\"", #a, #b,                       \
                   t_a_ ? t_a_ : "(null)", t_b_ ? t_b_ : "(null)");                                \
    } while (0)

#define ASSERT_MEM_EQ(a, b, n)                                                                     \
    do {                                                                                           \
        if (memcmp((a), (b), (n)) != 0)                                                            \
            t_fail(__FILE__, __LINE__, "%s == %s: %zu bytes differ", #a, #b, (size_t)(n));         \
    } while (0)

/* rc must be 0; prints the error's name and message otherwise. */
#define ASSERT_OK(rc)                                                                              \
    do {                                                                                           \
        int t_rc_ = (rc);                                                                          \
        if (t_rc_ != 0)                                                                            \
            t_fail(__FILE__, __LINE__, "%s: %d %s (%s)", #rc, t_rc_, fg_err_name(t_rc_),           \
                   fg_strerror(t_rc_));                                                            \
    } while (0)

/* rc must equal the error code `code`. */
#define ASSERT_ERR(rc, code)                                                                       \
    do {                                                                                           \
        int t_rc_ = (rc);                                                                          \
        if (t_rc_ != (code))                                                                       \
            t_fail(__FILE__, __LINE__, "%s: got %s, want %s", #rc, fg_err_name(t_rc_),             \
                   fg_err_name(code));                                                             \
    } while (0)

#include "fundguard/error.h"

#endif
