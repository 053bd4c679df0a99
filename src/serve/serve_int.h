/*
 * serve_int.h — the server's internals shared by serve.c (life cycle), api.c (the dispatcher:
 * authentication, the route table's rules, errors, counting), auth.c (credentials), routes.c (the
 * route table), r_*.c (the handlers, one file per resource), rate.c (per-key rate limits),
 * signin.c (failed sign-ins) and scope.c (what an institution key is shown).
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
#include "fundguard/service.h"
#include "fundguard/store.h"
#include "serve/http.h"

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
    fg_actor_t who;
    int64_t expires; /* seconds, monotonic; 0 empty */
} fg__auth_entry_t;

typedef struct fg__auth_cache {
    pthread_mutex_t mu;
    unsigned char salt[16];
    fg__auth_entry_t slot[FG__AUTH_SLOTS];
} fg__auth_cache_t;

#define FG__ROUTE_ROWS 15                   /* routes.c: the rows of the route table */
#define FG__ROUTES     (FG__ROUTE_ROWS + 1) /* route names at most: one a row, and "other" */
#define FG__STATUSES   13 /* api.c: statuses counted one by one (the last: any other) */
#define FG__BUCKETS    12 /* api.c: upper bounds of the duration histogram */

typedef struct fg__metrics {
    atomic_ulong requests[FG__ROUTES][FG__STATUSES]; /* by route and status (api.c's tables) */
    atomic_ulong le[FG__BUCKETS];                    /* request durations, cumulative buckets */
    atomic_ulong count;                              /* requests answered */
    atomic_ulong micros;                             /* time spent in handlers */
    atomic_long inflight;
} fg__metrics_t;

struct fg_server {
    fg_serve_config_t c;
    fg_store_t *store;
    fg_ledger_t *ledger;
    fg_history_t *hist;
    fg_service_t *svc; /* the transactions, the engine and their locks */
    fg__http_t *http;
    fg__rate_t rate;
    fg__auth_cache_t auth;
    fg__signin_t signin;
    fg__metrics_t m;
};

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

/* ---------------------------------------------------------------- requests and routes */

struct fg__route;

/* One request as the dispatcher and the handlers see it. */
typedef struct fg__req {
    fg_server_t *s;
    const fg__http_req_t *rq;
    fg__http_resp_t *rs;
    fg_actor_t who;                /* after authentication; scope set by the route's rule */
    const struct fg__route *route; /* the route matched, NULL none */
    const char *param[2];          /* its path parameters in the pattern's order */
    fg_arena_t *arena;             /* the worker's, reset after the request */
    fg_arena_t own;                /* used when the worker has none */
} fg__req_t;

typedef int (*fg__handler_fn)(fg__req_t *c, fg_buf_t *out);

/* Roles, as bits of a route's roles. */
enum {
    FG__ROLE_INSTITUTION = 1u << 0,
    FG__ROLE_REVIEWER = 1u << 1,
    FG__ROLE_LEADER = 1u << 2,
    FG__ROLE_ADMIN = 1u << 3,
    FG__ROLE_AUDITOR = 1u << 4,
    FG__ROLE_ALL = (1u << 5) - 1
};
/* The role bit of a role name, 0 when none. */
unsigned fg__role_bit(const char *role);
/* The role names, in the bits' order. */
extern const char *const fg__role_names[5];

/* Scope rules: what an institution key reaches on a route. */
typedef enum fg__scope_rule {
    FG__SCOPE_NONE,  /* no institution's data (open routes, the bureau's administration) */
    FG__SCOPE_OWN,   /* its own institution's data only: the actor is limited to its code, and the
                        service refuses (403) another's documents and rows, and cuts others' events */
    FG__SCOPE_QUERY, /* OWN, and the query's fixmedins_code must be its own (403 before the
                        handler) */
} fg__scope_rule_t;

/* A path parameter: the field an error names, whether a raw GS1 code's GS is allowed, and a
 * further test (NULL none) — a value it refuses matches no route (404). */
typedef struct fg__param {
    const char *field;
    int gs_ok;
    int (*valid)(const char *v);
} fg__param_t;

/* One route: method and path pattern (as docs/openapi.yaml writes them), its /metrics name, the
 * handler, the roles allowed (0: open, answered before authentication whatever the method), the
 * scope rule, the message of a 403 for another role, and its path parameters. */
typedef struct fg__route {
    const char *method;
    const char *pattern;
    const char *name;
    fg__handler_fn handler;
    unsigned roles;
    fg__scope_rule_t scope;
    const char *refusal;
    fg__param_t param[2];
} fg__route_t;

/* The route table (routes.c), FG__ROUTE_ROWS rows. */
const fg__route_t *fg__routes(size_t *n);
/* The route of a request: the first pattern the path matches (a literal path comes before a pattern
 * that also matches it), its row with the method; else its first row with *path_only 1 (405). NULL
 * none. Parameters are pointed into params (nul-terminated copies in
 * buf, which has room for the path). */
const fg__route_t *fg__route_match(const char *method, const char *path, char *buf,
                                   const char *params[2], int *path_only);
/* The /metrics name of a path (whatever its method): the route it matches, else the route whose
 * pattern's text before its first parameter it starts with, else "other". Its index in
 * fg__route_names. */
int fg__route_index(const char *path);
/* The distinct route names, "other" first (n of them). */
const char *const *fg__route_names(int *n);

/* ---------------------------------------------------------------- the handlers' helpers (api.c) */

/* The HTTP status of an error code: the one table of them (api.c). */
int fg__status_of(int code);
/* Write the error answer {code, field, message} (msg NULL: the code's own message) with the
 * code's status; returns the status. */
int fg__fail(fg__req_t *c, int code, const char *field, const char *msg);
/* The same for an error the service returned. */
int fg__fail_err(fg__req_t *c, const fg_error_t *e);
/* A request whose text does not read (a document, a row, a query argument) is the client's
 * error: 400 whatever the code says. */
int fg__fail_read(fg__req_t *c, const fg_error_t *e);
/* A document of the request's body (interface infno, 0 from the envelope): 0 or the status of
 * the answer sent. */
int fg__parse_doc(fg__req_t *c, int infno, fg_doc_t *doc);
/* Query arguments: 0 or the status of the answer sent (400). */
int fg__query_time(fg__req_t *c, const char *name, fg_time_t *t);
int fg__query_int(fg__req_t *c, const char *name, long long lo, long long hi, long long dflt,
                  long long *out);

/* /metrics' tables (api.c): the upper bounds of the duration buckets (ms), the index of a status
 * among the statuses counted one by one, and the status of an index (0: any other). */
extern const double fg__bucket_ms[FG__BUCKETS];
int fg__status_index(int status);
int fg__status_counted(int k);

/* Credentials (auth.c): 1 when the caller is known (c->who); else 0 with the answer (401 or 429)
 * written, its status in *st. */
int fg__authenticate(fg__req_t *c, int *st);

/* The handlers (r_*.c), one file per resource. */
int fg__r_healthz(fg__req_t *c, fg_buf_t *out);
int fg__r_metrics(fg__req_t *c, fg_buf_t *out);
int fg__r_check(fg__req_t *c, fg_buf_t *out);
int fg__r_settle(fg__req_t *c, fg_buf_t *out);
int fg__r_settlement_get(fg__req_t *c, fg_buf_t *out);
int fg__r_inventory(fg__req_t *c, fg_buf_t *out);
int fg__r_trace(fg__req_t *c, fg_buf_t *out);
int fg__r_alerts(fg__req_t *c, fg_buf_t *out);
int fg__r_findings(fg__req_t *c, fg_buf_t *out);
int fg__r_ref_list(fg__req_t *c, fg_buf_t *out);
int fg__r_ref_get(fg__req_t *c, fg_buf_t *out);
int fg__r_ref_put(fg__req_t *c, fg_buf_t *out);
int fg__r_kb_reload(fg__req_t *c, fg_buf_t *out);
int fg__r_audit(fg__req_t *c, fg_buf_t *out);
int fg__r_nhsa(fg__req_t *c, fg_buf_t *out);
/* The submissions by interface number, for /nhsa/{infno} (r_settle.c, r_inventory.c). */
int fg__submit_check(fg__req_t *c, int infno, fg_stage_t stage, fg_buf_t *out);
int fg__submit_settle(fg__req_t *c, int infno, fg_buf_t *out);
int fg__submit_inventory(fg__req_t *c, int infno, fg_buf_t *out);

/* The log line of a knowledge-base reload asked for by (a key id or officer; serve.c): kb_version
 * when rc is 0, else the error. The log file is opened again first. */
void fg__log_reload(fg_server_t *s, const char *by, const char *kb_version, int rc,
                    const fg_error_t *err);

/* The HTTP handler (api.c). */
void fg__api_handle(void *app, const fg__http_req_t *req, fg__http_resp_t *resp);

#endif
