/*
 * api.c — the dispatcher of the HTTP API (docs/openapi.yaml): a request is matched against the
 * route table (routes.c), authenticated, held to its route's roles and scope rule, and handed to
 * its handler (r_*.c), which parses it, calls one service function (fundguard/service.h) and
 * renders the result. Errors are {code, field, message}, their statuses from one table; every
 * answer is counted for /metrics by route and status.
 */
#include "core/compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fundguard/utf8.h"
#include "serve/serve_int.h"

/* ---------------------------------------------------------------- errors */

/* The HTTP status of every error code that is not 400 (any other code of the fg_ space is the
 * client's: 400; a negated errno is ours: 500). */
static const struct {
    int code;
    int status;
} status_table[] = {
    {FG_E_AUTH, 401},
    {FG_E_FORBIDDEN, 403},
    {FG_ENOTFOUND, 404},
    {FG_E_INFNO, 404},
    {FG_E_METHOD, 405},
    {FG_E_CONFLICT, 409},
    {FG_ELIMIT, 413},
    {FG_E_BODY_SIZE, 413},
    {FG_E_RATE, 429},
    {FG_E_AUTH_RATE, 429},
    {FG_E_HEADERS_SIZE, 431},
    {FG_ENOMEM, 500},
    {FG_EIO, 500},
    {FG_EINTERNAL, 500},
    {FG_E_STORE, 500},
    {FG_E_LEDGER_FAILED, 500},
    {FG_E_LEDGER_JOURNAL, 500},
    {FG_E_LEDGER_SNAPSHOT, 500},
    {FG_E_LEDGER_LOCKED, 500},
    {FG_E_LEDGER_VERSION, 500},
    {FG_E_LEDGER_PG, 500},
};

int fg__status_of(int code)
{
    for (size_t i = 0; i < FG_ARRAY_LEN(status_table); i++)
        if (status_table[i].code == code)
            return status_table[i].status;
    return code <= -10000 ? 400 : 500;
}

static int answer_error(fg__req_t *c, int status, int code, const char *field, const char *msg)
{
    fg__http_resp_t *rs = c->rs;
    rs->status = status;
    fg_buf_reset(&rs->body);
    fg_buf_appends(&rs->body, "{\"code\":");
    const char *name = fg_err_name(code);
    fg_buf_append_json_str(&rs->body, name, strlen(name));
    fg_buf_appends(&rs->body, ",\"field\":");
    fg_buf_append_json_str(&rs->body, field != NULL ? field : "",
                           field != NULL ? strlen(field) : 0);
    fg_buf_appends(&rs->body, ",\"message\":");
    const char *m = msg != NULL && msg[0] != '\0' ? msg : fg_strerror(code);
    fg__http_note_error(c->rq, status, code, m);
    fg_buf_append_json_str(&rs->body, m, strlen(m));
    fg_buf_appendc(&rs->body, '}');
    return status;
}

int fg__fail(fg__req_t *c, int code, const char *field, const char *msg)
{
    return answer_error(c, fg__status_of(code), code, field, msg);
}

int fg__fail_err(fg__req_t *c, const fg_error_t *e)
{
    return answer_error(c, fg__status_of(e->code), e->code, e->where, e->msg);
}

int fg__fail_read(fg__req_t *c, const fg_error_t *e)
{
    return answer_error(c, 400, e->code, e->where, e->msg);
}

/* ---------------------------------------------------------------- reading a request */

typedef struct diag_first {
    fg_error_t first;
    int have;
} diag_first_t;

static void keep_first(void *ctx, const fg_error_t *e)
{
    diag_first_t *d = ctx;
    if (!d->have) {
        d->first = *e;
        d->have = 1;
    }
}

int fg__parse_doc(fg__req_t *c, int infno, fg_doc_t *doc)
{
    fg_json_limits_t lim = {.max_depth = (size_t)c->s->c.json_depth,
                            .max_bytes = (size_t)c->s->c.max_body,
                            .max_items = (size_t)c->s->c.max_items};
    diag_first_t d = {0};
    fg_diag_t diag = {.report = keep_first, .ctx = &d};
    fg_error_t err;
    fg__jalloc_begin();
    int rc = fg_doc_parse(c->rq->body, c->rq->body_len, infno, &lim, c->arena, doc, &diag, &err);
    fg__jalloc_end();
    return rc != 0 ? fg__fail_read(c, d.have ? &d.first : &err) : 0;
}

int fg__query_time(fg__req_t *c, const char *name, fg_time_t *t)
{
    const char *v = fg__http_query(c->rq, name);
    *t = FG_TIME_NONE;
    if (v == NULL || v[0] == '\0')
        return 0;
    fg_error_t err;
    if (fg_time_parse(v, strlen(v), t, &err) != 0)
        return fg__fail(c, err.code, name, err.msg);
    return 0;
}

int fg__query_int(fg__req_t *c, const char *name, long long lo, long long hi, long long dflt,
                  long long *out)
{
    const char *v = fg__http_query(c->rq, name);
    *out = dflt;
    if (v == NULL || v[0] == '\0')
        return 0;
    char *end = NULL;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (end == v || *end != '\0' || (v[0] != '-' && (v[0] < '0' || v[0] > '9')))
        return fg__fail(c, FG_E_INTEGER, name, "not a whole number");
    if (errno == ERANGE || x < lo || x > hi) {
        char msg[96];
        snprintf(msg, sizeof(msg), "%s is a whole number %lld…%lld", name, lo, hi);
        return fg__fail(c, FG_E_RANGE, name, msg);
    }
    *out = x;
    return 0;
}

/* A path parameter (an identifier: a settlement, trace or reference code, an interface number) is
 * checked before anything reads or stores it: valid UTF-8 (field.utf8), 1…PATH_PARAM_MAX bytes, no
 * control character but GS in a raw GS1 trace code (path.param). 0 or the failed status. */
#define PATH_PARAM_MAX 512 /* the longest identifier field (setl_id) */

static int path_param(fg__req_t *c, const fg__param_t *p, const char *v)
{
    size_t n = strlen(v);
    const unsigned char *u = (const unsigned char *)v;
    for (size_t i = 0; i < n; i++) {
        size_t bad = 0;
        size_t len = fg_utf8_seq(u + i, n - i, &bad);
        if (len == 0) {
            char msg[96];
            snprintf(msg, sizeof(msg), "byte %zu of the path parameter is not valid UTF-8", i + 1);
            return fg__fail(c, FG_E_UTF8, p->field, msg);
        }
        if ((u[i] < 0x20 && !(p->gs_ok && u[i] == 0x1D)) || u[i] == 0x7F)
            return fg__fail(c, FG_E_PATH_PARAM, p->field,
                            "a path parameter holds no control character");
        i += len - 1;
    }
    if (n > PATH_PARAM_MAX)
        return fg__fail(c, FG_E_PATH_PARAM, p->field, "a path parameter has at most 512 bytes");
    return 0;
}

/* ---------------------------------------------------------------- the route's rules */

/* The route of the request and its rules, applied once before its handler: its path parameters
 * checked, its method, the caller's role among its roles, and its scope rule. */
static int dispatch(fg__req_t *c, const fg__route_t *r, int path_only, fg_buf_t *out)
{
    if (r == NULL)
        return fg__fail(c, FG_ENOTFOUND, "", "no such endpoint");
    for (int k = 0; k < 2 && r->param[k].field != NULL; k++) {
        int bad = path_param(c, &r->param[k], c->param[k]);
        if (bad != 0)
            return bad;
    }
    if (path_only)
        return fg__fail(c, FG_E_METHOD, "", NULL);
    if ((r->roles & fg__role_bit(c->who.role)) == 0)
        return fg__fail(c, FG_E_FORBIDDEN, "",
                        r->refusal != NULL ? r->refusal : "this role may not do this");
    if (r->scope == FG__SCOPE_NONE) {
        c->who.scope[0] = '\0';
    } else if (r->scope == FG__SCOPE_QUERY && c->who.scope[0] != '\0') {
        const char *inst = fg__http_query(c->rq, "fixmedins_code");
        if (inst != NULL && inst[0] != '\0' && strcmp(inst, c->who.scope) != 0)
            return fg__fail(c, FG_E_FORBIDDEN, "fixmedins_code",
                            "an institution key reaches only its own institution's data");
    }
    return r->handler(c, out);
}

/* The request's limits, after authentication: 0, or the status of the answer sent. */
static int over_limits(fg__req_t *c)
{
    const fg__http_req_t *rq = c->rq;
    long line, col;
    c->rs->retry_after = fg__rate_take(&c->s->rate, c->who.id);
    if (c->rs->retry_after > 0)
        return fg__fail(c, FG_E_RATE, "", NULL);
    if (rq->body_too_large)
        return fg__fail(c, FG_E_BODY_SIZE, "", NULL);
    if (rq->headers_too_large)
        return fg__fail(c, FG_E_HEADERS_SIZE, "", "the request's headers take more than 24 KiB");
    if (rq->query_too_many)
        return fg__fail(c, FG_E_QUERY_TOO_MANY, "",
                        "the query has more than 64 parameters; none was read");
    if (fg_json_depth_exceeds(rq->body, rq->body_len, (size_t)c->s->c.json_depth, &line, &col)) {
        char msg[96];
        snprintf(msg, sizeof(msg),
                 "the JSON is nested deeper than json_depth (line %ld, column %ld)", line, col);
        return fg__fail(c, FG_E_JSON_DEPTH, "", msg);
    }
    return 0;
}

/* ---------------------------------------------------------------- counting */

static const int statuses[FG__STATUSES] = {200, 201, 400, 401, 403, 404, 405,
                                           409, 413, 429, 500, 503, 0};
const double fg__bucket_ms[FG__BUCKETS] = {0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 1000, 1e300};

int fg__status_index(int status)
{
    for (int i = 0; i < FG__STATUSES - 1; i++)
        if (statuses[i] == status)
            return i;
    return FG__STATUSES - 1;
}

int fg__status_counted(int k)
{
    return statuses[k];
}

/* Count the answer: by route and status, and its duration in the histogram. */
static void count(fg__metrics_t *m, int route, int status, long long us)
{
    atomic_fetch_add(&m->requests[route][fg__status_index(status)], 1);
    for (int b = 0; b < FG__BUCKETS; b++)
        if ((double)us / 1000.0 <= fg__bucket_ms[b])
            atomic_fetch_add(&m->le[b], 1);
    atomic_fetch_add(&m->count, 1);
    atomic_fetch_add(&m->micros, (unsigned long)us);
}

static long long now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---------------------------------------------------------------- the handler */

void fg__api_handle(void *app, const fg__http_req_t *rq, fg__http_resp_t *rs)
{
    fg_server_t *s = app;
    long long t0 = now_us();
    atomic_fetch_add(&s->m.inflight, 1);
    fg__req_t c = {.s = s, .rq = rq, .rs = rs};
    c.arena = fg__thread_arena();
    if (c.arena == NULL) {
        fg_arena_init(&c.own, 0);
        c.arena = &c.own;
    }
    int route = fg__route_index(rq->path);
    char *pbuf = fg_arena_alloc(c.arena, strlen(rq->path) + 1);
    int path_only = 0;
    const fg__route_t *r =
        pbuf != NULL ? fg__route_match(rq->method, rq->path, pbuf, c.param, &path_only) : NULL;
    c.route = r;
    fg_buf_t *out = &rs->body;
    char inst[sizeof(c.who.scope)] = ""; /* an institution key's, whatever the route's scope rule */
    int st;
    if (pbuf == NULL)
        st = fg__fail(&c, FG_ENOMEM, "", NULL);
    else if (r != NULL && r->roles == 0)
        st = r->handler(&c, out); /* open: /healthz, /metrics, whatever the method */
    else if (!fg__authenticate(&c, &st))
        ; /* 401 or 429, answered */
    else {
        memcpy(inst, c.who.scope, sizeof(inst));
        st = over_limits(&c);
        if (st == 0)
            st = dispatch(&c, r, path_only, out);
    }
    /* Whatever the handler wrote, an institution key is shown nothing of another institution. */
    if (inst[0] != '\0' && fg__scope_redact(out, inst) != 0)
        st = fg__fail(&c, FG_EINTERNAL, "", "the answer could not be scoped to the institution");
    if (st == 0)
        st = 200;
    rs->status = st;
    if (c.arena == &c.own)
        fg_arena_release(&c.own);
    else
        fg_arena_reset(c.arena);
    atomic_fetch_sub(&s->m.inflight, 1);
    count(&s->m, route, st, now_us() - t0);
    fg__http_note(rq, r != NULL ? r->pattern : NULL, c.who.id, c.who.role, inst);
}
