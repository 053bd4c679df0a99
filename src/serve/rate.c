/*
 * rate.c — per-key rate limits: a token bucket per API key or user, refilled at `rate` tokens a
 * second up to `burst`. A call that finds its bucket empty is told how long to wait (Retry-After).
 * The first call refused after one that passed is logged (rate.limited, warn); the calls refused
 * after it only in their request lines, so a flood does not flood the log twice.
 */
#include "core/compat.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include "fundguard/alloc.h"
#include "fundguard/log.h"
#include "serve/serve_int.h"

void fg__rate_init(fg__rate_t *r, double rate, double burst)
{
    memset(r, 0, sizeof(*r));
    r->rate = rate;
    r->burst = burst < 1 ? 1 : burst;
    pthread_mutex_init(&r->mu, NULL);
    if (rate > 0)
        r->slots = fg_calloc(FG__RATE_SLOTS, sizeof(*r->slots));
}

void fg__rate_release(fg__rate_t *r)
{
    fg_free(r->slots);
    r->slots = NULL;
    pthread_mutex_destroy(&r->mu);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int fg__rate_take(fg__rate_t *r, const char *id)
{
    if (r->slots == NULL)
        return 0;
    uint64_t h = 1469598103934665603ull;
    for (const char *p = id; *p != '\0'; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    int wait = 0;
    int first = 0; /* the first refusal since the key last passed */
    double t = now_s();
    pthread_mutex_lock(&r->mu);
    for (unsigned i = 0; i < FG__RATE_SLOTS; i++) {
        fg__bucket_t *b = &r->slots[(h + i) % FG__RATE_SLOTS];
        if (b->id[0] == '\0') {
            size_t n = strnlen(id, sizeof(b->id) - 1);
            memcpy(b->id, id, n);
            b->id[n] = '\0';
            b->tokens = r->burst;
            b->last = t;
        } else if (strncmp(b->id, id, sizeof(b->id) - 1) != 0) {
            continue;
        }
        b->tokens = fmin(r->burst, b->tokens + (t - b->last) * r->rate);
        b->last = t;
        if (b->tokens >= 1) {
            b->tokens -= 1;
            b->limited = 0;
        } else {
            wait = (int)ceil((1 - b->tokens) / r->rate);
            if (wait < 1)
                wait = 1;
            first = !b->limited;
            b->limited = 1;
        }
        break;
    }
    pthread_mutex_unlock(&r->mu);
    fg_log_line_t l;
    if (first && fg_log_begin(&l, FG_LOG_WARN, "rate.limited")) {
        fg_log_str(&l, "key_id", id);
        fg_log_int(&l, "retry_after", wait);
        fg_log_int(&l, "rate", (long long)r->rate);
        fg_log_int(&l, "burst", (long long)r->burst);
        fg_log_end(&l);
    }
    return wait;
}
