/*
 * serve_int.h — the server's internals shared by serve.c (life cycle, engines), api.c (routes and
 * handlers) and rate.c (per-key rate limits).
 */
#ifndef FG_SERVE_INT_H
#define FG_SERVE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "fundguard/kb.h"
#include "fundguard/ledger.h"
#include "fundguard/rules.h"
#include "fundguard/serve.h"
#include "fundguard/store.h"
#include "serve/http.h"

#define FG__REVIEW_POOL 8

/* A knowledge-base version and the reviews over it; ref-counted (fg__engine_get / _put). */
typedef struct fg__engine {
    atomic_int refs;
    fg_kb_t *kb;
    fg_ref_t *ref;
    fg_review_t *review[FG__REVIEW_POOL];
    pthread_mutex_t review_mu[FG__REVIEW_POOL];
} fg__engine_t;

/* Token buckets per key id (a fixed open-addressing table; when it is full, calls pass). */
#define FG__RATE_SLOTS 4096
typedef struct fg__bucket {
    char id[48];
    double tokens;
    double last; /* seconds, monotonic */
} fg__bucket_t;

typedef struct fg__rate {
    double rate;  /* tokens per second; 0: no limit */
    double burst; /* bucket size */
    pthread_mutex_t mu;
    fg__bucket_t *slots; /* FG__RATE_SLOTS, allocated when rate > 0 */
} fg__rate_t;

void fg__rate_init(fg__rate_t *r, double rate, double burst);
void fg__rate_release(fg__rate_t *r);
/* 0 when the call may go ahead; otherwise the seconds to wait (>= 1). */
int fg__rate_take(fg__rate_t *r, const char *id);

/* Credentials verified recently — API keys (a store lookup each) and officer passwords (argon2id
 * takes tens of milliseconds by design) — so requests are not verified one by one: SHA-256 of a
 * per-process salt and the credential → the principal, for FG__AUTH_TTL seconds. A key revoked or
 * a password changed elsewhere takes effect within that time. */
#define FG__AUTH_SLOTS 1024
#define FG__AUTH_TTL   30
typedef struct fg__auth_entry {
    unsigned char digest[32];
    fg_principal_t who;
    int64_t expires; /* seconds, monotonic; 0 empty */
} fg__auth_entry_t;

typedef struct fg__auth_cache {
    pthread_mutex_t mu;
    unsigned char salt[16];
    fg__auth_entry_t slot[FG__AUTH_SLOTS];
} fg__auth_cache_t;

#define FG__ROUTES   14 /* api.c: route names */
#define FG__STATUSES 13 /* api.c: statuses counted one by one (the last: any other) */
#define FG__BUCKETS  12 /* api.c: upper bounds of the duration histogram */

typedef struct fg__metrics {
    atomic_ulong requests[FG__ROUTES][FG__STATUSES]; /* by route and status (api.c's tables) */
    atomic_ulong le[FG__BUCKETS];                    /* request durations, cumulative buckets */
    atomic_ulong count;                              /* requests answered */
    atomic_ulong checks;
    atomic_ulong settlements;
    atomic_ulong ledger_events;
    atomic_ulong alerts;
    atomic_ulong reloads;
    atomic_ulong micros; /* time spent in handlers */
    atomic_long inflight;
} fg__metrics_t;

struct fg_server {
    fg_serve_config_t c;
    fg_store_t *store;
    fg_ledger_t *ledger;
    pthread_mutex_t ledger_mu;
    fg_history_t *hist;
    pthread_rwlock_t hist_lock;
    fg__engine_t *engine;
    pthread_mutex_t engine_mu;
    pthread_mutex_t reload_mu; /* one reload at a time */
    fg__http_t *http;
    fg__rate_t rate;
    fg__auth_cache_t auth;
    fg__metrics_t m;
};

int fg__engine_load(fg_server_t *s, fg__engine_t **out, fg_error_t *err);
fg__engine_t *fg__engine_get(fg_server_t *s);
void fg__engine_put(fg__engine_t *e);
void fg__engine_swap(fg_server_t *s, fg__engine_t *e);
int fg__review_take(fg__engine_t *e);
void fg__review_release(fg__engine_t *e, int k);

/* jansson's allocations from a per-thread region while a document is decoded (jalloc.c). install
 * once per process before the workers start; begin/end around a decode whose JSON values all die
 * inside it. */
void fg__jalloc_install(void);
void fg__jalloc_begin(void);
void fg__jalloc_end(void);
/* The calling worker's request arena (reset by the caller after each request), NULL when out of
 * memory. */
fg_arena_t *fg__thread_arena(void);

/* An answer body as an institution key (of inst) may see it (scope.c): every JSON object naming
 * another institution cut to its time, units and outcome and "same_institution": false. 0, or
 * FG_EINTERNAL / FG_ENOMEM (then the body must not be sent). */
int fg__scope_redact(fg_buf_t *body, const char *inst);

/* The HTTP handler (api.c). */
void fg__api_handle(void *app, const fg__http_req_t *req, fg__http_resp_t *resp);

#endif
