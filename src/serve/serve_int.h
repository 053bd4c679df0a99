/*
 * serve_int.h — the server's internals shared by serve.c (life cycle, engines), api.c (routes and
 * handlers), rate.c (per-key rate limits) and signin.c (failed sign-ins).
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
    int limited; /* the last call was refused (logged once until one passes) */
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

/* Failed officer sign-ins per user name and per client address (signin.c): fixed tables of
 * FG__SIGNIN_SETS × FG__SIGNIN_WAYS entries each (256 KiB), whatever is sprayed at them. */
#define FG__SIGNIN_SETS 1024
#define FG__SIGNIN_WAYS 8
typedef struct fg__signin_entry {
    uint64_t tag;   /* keyed hash of the name or address; 0: empty */
    int64_t since;  /* start of the counting window (seconds, monotonic) */
    int64_t until;  /* locked until then; 0: not locked */
    uint32_t count; /* attempts in the window, those in flight included */
    uint32_t busy;  /* attempts in flight (being verified) */
} fg__signin_entry_t;

typedef struct fg__signin_table {
    int64_t limit;         /* attempts in a window that lock it; 0: off */
    fg__signin_entry_t *e; /* SETS × WAYS, allocated when limit > 0 */
} fg__signin_table_t;

typedef struct fg__signin {
    pthread_mutex_t mu;
    unsigned char key[16]; /* SipHash key, random per process */
    int64_t window;        /* seconds failures are remembered */
    int64_t lockout;       /* seconds a locked name or address stays locked */
    fg__signin_table_t user, addr;
} fg__signin_t;

/* Limits 0 turn a table off. FG_ENOMEM when a table cannot be had. */
int fg__signin_init(fg__signin_t *g, int64_t user_limit, int64_t addr_limit, int64_t window,
                    int64_t lockout);
void fg__signin_release(fg__signin_t *g);
/* Before a password is verified: 0 to go ahead (the attempt is counted against the name and the
 * address), or the seconds the name or the address stays locked (nothing counted). now: seconds,
 * monotonic. */
int fg__signin_begin(fg__signin_t *g, const char *user, const char *addr, int64_t now);
/* After: rc 0 signed in (the name's count is cleared), FG_E_AUTH a failure (it stays counted),
 * anything else no answer (the attempt is taken back). */
void fg__signin_end(fg__signin_t *g, const char *user, const char *addr, int rc, int64_t now);

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
    fg__signin_t signin;
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

/* The log line of a knowledge-base reload asked for by (a key id or officer; serve.c): kb_version
 * when rc is 0, else the error. The log file is opened again first. */
void fg__log_reload(fg_server_t *s, const char *by, const char *kb_version, int rc,
                    const fg_error_t *err);

/* The HTTP handler (api.c). */
void fg__api_handle(void *app, const fg__http_req_t *req, fg__http_resp_t *resp);

#endif
