/*
 * http.c — fg__http_* over libmicrohttpd: epoll with a pool of worker threads, bodies gathered into
 * a bounded buffer, connection limit and idle timeout, a count of requests in flight for a graceful
 * stop, and the one log line of every request, written when its answer is finished.
 */
#include "core/compat.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fundguard/alloc.h"
#include "fundguard/log.h"
#include "serve/http.h"

struct fg__http {
    struct MHD_Daemon *d;
    fg__http_handler fn;
    void *app;
    size_t max_body;
    atomic_long inflight; /* requests begun and not yet completed */
    uint32_t id_prefix;   /* of generated request ids: differs from process to process */
    atomic_ulong id_next; /* of generated request ids */
};

/* A connection's memory pool (libmicrohttpd's default is 32 KiB): the request line, the headers
 * and the query parameters, then the answer's header lines. Requests whose headers take more than
 * FG__HTTP_MAX_HEADERS of it are answered 431 headers.too_large by the API, so the pool always has
 * room left for an answer; beyond the pool libmicrohttpd answers itself (docs/operations.md). */
#define POOL_BYTES      (64u << 10)
#define HEADER_OVERHEAD 64 /* a header record in the pool (libmicrohttpd 0.9.75: 56 bytes) */

typedef struct conn_ctx {
    fg_buf_t body;
    int too_large;
    int query_too_many;
    int headers_too_large;
    int begun; /* on_request has seen the headers */
    /* For the request's log line: */
    long long t0;         /* µs, monotonic, when the request line arrived */
    int status;           /* answered; 0: not by the handler */
    size_t bytes;         /* of the answer's body */
    char method[16];      /* as sent, cut */
    char request_id[68];  /* the client's X-Request-Id when sane, else generated */
    fg__http_info_t info; /* what the handler noted */
} conn_ctx_t;

static long long now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Sum the bytes a header or query parameter takes in the connection's memory pool. */
static enum MHD_Result header_bytes(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    (void)kind;
    size_t *n = cls;
    *n += strlen(key) + (value != NULL ? strlen(value) : 0) + HEADER_OVERHEAD;
    return MHD_YES;
}

/* The parameters of a query string: its '&'-separated pieces. */
static size_t query_params(const char *q)
{
    size_t n = 1;
    for (; *q != '\0'; q++)
        n += *q == '&';
    return n;
}

/*
 * A request begins: libmicrohttpd hands over the URI of the request line before it splits the
 * query, and what is returned here is the request's context (*ptr in on_request). A query of more
 * than FG__HTTP_MAX_QUERY parameters is cut before libmicrohttpd splits it: each parameter takes a
 * record from the connection's fixed memory pool, and a pool run dry closes the connection without
 * an answer (libmicrohttpd 0.9.75). The handler answers query.too_many instead. The URI is the
 * connection's own read buffer (writable; 0.9.75 splits the query in it at the '?' it found before
 * this call, and the cut makes that piece empty), see docs/decisions.md.
 */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)c;
    fg__http_t *h = cls;
    conn_ctx_t *cx = fg_calloc(1, sizeof(*cx));
    if (cx == NULL)
        return NULL;
    fg_buf_init(&cx->body, h->max_body);
    cx->t0 = now_us();
    atomic_fetch_add(&h->inflight, 1);
    const char *q = strchr(uri, '?');
    if (q != NULL && query_params(q + 1) > FG__HTTP_MAX_QUERY) {
        cx->query_too_many = 1;
        *(char *)(uintptr_t)(q + 1) = '\0';
    }
    return cx;
}

/* The request's id: the client's X-Request-Id when it is 1…64 of [A-Za-z0-9._:-], else one made
 * here (8 hex digits of the process, 8 of a counter). */
static void request_id(fg__http_t *h, struct MHD_Connection *c, conn_ctx_t *cx)
{
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Request-Id");
    size_t n = v != NULL ? strlen(v) : 0;
    int sane = n > 0 && n <= 64;
    for (size_t i = 0; sane && i < n; i++) {
        char ch = v[i];
        sane = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
               ch == '.' || ch == '_' || ch == ':' || ch == '-';
    }
    if (sane)
        memcpy(cx->request_id, v, n + 1);
    else
        snprintf(cx->request_id, sizeof(cx->request_id), "%08x%08lx", (unsigned)h->id_prefix,
                 atomic_fetch_add(&h->id_next, 1) & 0xFFFFFFFFul);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **ptr)
{
    (void)version;
    fg__http_t *h = cls;
    conn_ctx_t *cx = *ptr;
    if (cx == NULL)
        return MHD_NO; /* on_uri ran out of memory */
    if (!cx->begun) {  /* the first call: headers only */
        cx->begun = 1;
        request_id(h, c, cx);
        snprintf(cx->method, sizeof(cx->method), "%s", method);
        size_t n = strlen(url) + strlen(method);
        MHD_get_connection_values(c, MHD_HEADER_KIND | MHD_GET_ARGUMENT_KIND, header_bytes, &n);
        cx->headers_too_large = n > FG__HTTP_MAX_HEADERS;
        return MHD_YES;
    }
    if (*upload_size > 0) {
        if (!cx->too_large && fg_buf_append(&cx->body, upload, *upload_size) != 0) {
            cx->too_large = 1;
            fg_buf_release(&cx->body);
        }
        *upload_size = 0;
        return MHD_YES;
    }
    fg__http_req_t req = {.method = method,
                          .path = url,
                          .body = cx->body.data != NULL ? cx->body.data : "",
                          .body_len = cx->body.len,
                          .body_too_large = cx->too_large,
                          .query_too_many = cx->query_too_many,
                          .headers_too_large = cx->headers_too_large,
                          .conn = c,
                          .info = &cx->info};
    fg__http_resp_t resp = {.status = 500, .content_type = "application/json"};
    fg_buf_init(&resp.body, 256u << 20);
    h->fn(h->app, &req, &resp);
    cx->status = resp.status;
    cx->bytes = resp.body.len;
    /* The body is handed over, not copied: MHD frees it with the response. */
    struct MHD_Response *r =
        resp.body.data != NULL
            ? MHD_create_response_from_buffer_with_free_callback(resp.body.len, resp.body.data,
                                                                 fg_free)
            : MHD_create_response_from_buffer(0, (char *)"", MHD_RESPMEM_PERSISTENT);
    if (r == NULL) {
        fg_buf_release(&resp.body);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", resp.content_type);
    if (resp.retry_after > 0) {
        char ra[16];
        snprintf(ra, sizeof(ra), "%d", resp.retry_after);
        MHD_add_response_header(r, "Retry-After", ra);
    }
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)resp.status, r);
    MHD_destroy_response(r);
    return ret;
}

static const char *termination(enum MHD_RequestTerminationCode toe)
{
    switch (toe) {
    case MHD_REQUEST_TERMINATED_COMPLETED_OK:
        return NULL;
    case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED:
        return "timeout";
    case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN:
        return "shutdown";
    case MHD_REQUEST_TERMINATED_CLIENT_ABORT:
        return "client_abort";
    case MHD_REQUEST_TERMINATED_READ_ERROR:
        return "read_error";
    default:
        return "error";
    }
}

static void put_known(fg_log_line_t *l, const char *key, const char *v)
{
    fg_log_str(l, key, v != NULL && v[0] != '\0' ? v : NULL);
}

static void peer_of(struct MHD_Connection *c, char out[64]);

/* The request's one log line: "request" when the handler answered it (error level from 500 on),
 * "request.unanswered" (warn) when the connection ended before an answer. */
static void log_request(struct MHD_Connection *c, const conn_ctx_t *cx,
                        enum MHD_RequestTerminationCode toe)
{
    int answered = cx->status != 0;
    fg_log_level_t lv = !answered ? FG_LOG_WARN : cx->status >= 500 ? FG_LOG_ERROR : FG_LOG_INFO;
    fg_log_line_t l;
    if (!fg_log_begin(&l, lv, answered ? "request" : "request.unanswered"))
        return;
    char addr[64];
    peer_of(c, addr);
    put_known(&l, "method", cx->method);
    put_known(&l, "route", cx->info.route);
    if (answered)
        fg_log_int(&l, "status", cx->status);
    fg_log_int(&l, "duration_us", now_us() - cx->t0);
    fg_log_int(&l, "bytes", (long long)cx->bytes);
    fg_log_int(&l, "bytes_in", (long long)cx->body.len);
    put_known(&l, "key_id", cx->info.key_id);
    put_known(&l, "role", cx->info.role);
    put_known(&l, "institution", cx->info.institution);
    put_known(&l, "addr", addr);
    put_known(&l, "request_id", cx->request_id);
    if (cx->info.error != 0)
        fg_log_str(&l, "error", fg_err_name(cx->info.error));
    if (cx->info.message[0] != '\0')
        fg_log_str(&l, "message", cx->info.message);
    const char *end = termination(toe);
    if (end != NULL)
        fg_log_str(&l, "ended", end);
    fg_log_end(&l);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **ptr,
                         enum MHD_RequestTerminationCode toe)
{
    fg__http_t *h = cls;
    conn_ctx_t *cx = *ptr;
    if (cx == NULL)
        return;
    log_request(c, cx, toe);
    fg_buf_release(&cx->body);
    fg_free(cx);
    *ptr = NULL;
    atomic_fetch_sub(&h->inflight, 1);
}

/* libmicrohttpd's own complaints (a socket error, the connection limit reached, …) as log lines
 * (http.error, warn) like everything else the server writes. */
__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    int n = vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t len = n < 0 ? 0 : (size_t)n >= sizeof(msg) ? sizeof(msg) - 1 : (size_t)n;
    while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
        len--;
    fg_log_line_t l;
    if (fg_log_begin(&l, FG_LOG_WARN, "http.error")) {
        fg_log_strn(&l, "message", msg, len);
        fg_log_end(&l);
    }
}

int fg__http_start(const fg__http_opts_t *o, fg__http_handler fn, void *app, fg__http_t **out,
                   uint16_t *port, fg_error_t *err)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons(o->port);
    if (inet_pton(AF_INET, o->listen, &sa.sin_addr) != 1)
        return fg_error_set(err, FG_E_CONFIG, "listen", 0, "not an IPv4 address: '%s'", o->listen);
    fg__http_t *h = fg_calloc(1, sizeof(*h));
    if (h == NULL)
        return fg_error_set(err, FG_ENOMEM, "", 0, NULL);
    h->fn = fn;
    h->app = app;
    h->max_body = o->max_body;
    atomic_init(&h->inflight, 0);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    h->id_prefix = (uint32_t)(((uint64_t)now.tv_nsec * 2654435761u) ^ (uint64_t)now.tv_sec ^
                              ((uint64_t)getpid() << 16));
    atomic_init(&h->id_next, 1);
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    h->d = MHD_start_daemon(
        flags, o->port, NULL, NULL, on_request, h, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_THREAD_POOL_SIZE, o->workers, MHD_OPTION_CONNECTION_LIMIT, o->max_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, o->conn_timeout, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
        h, MHD_OPTION_URI_LOG_CALLBACK, on_uri, h, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)POOL_BYTES, MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_EXTERNAL_LOGGER,
        mhd_log, NULL, MHD_OPTION_END);
    if (h->d == NULL) {
        fg_free(h);
        return fg_error_set(err, FG_E_CONFIG, "port", 0, "cannot listen on %s:%u", o->listen,
                            (unsigned)o->port);
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    *port = info != NULL ? info->port : o->port;
    *out = h;
    return 0;
}

const char *fg__http_header(const fg__http_req_t *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *fg__http_query(const fg__http_req_t *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

static void copy_text(char *dst, size_t cap, const char *src)
{
    size_t n = src != NULL ? strnlen(src, cap - 1) : 0;
    memcpy(dst, src != NULL ? src : "", n);
    dst[n] = '\0';
}

void fg__http_note(const fg__http_req_t *req, const char *route, const char *key_id,
                   const char *role, const char *institution)
{
    fg__http_info_t *i = req->info;
    if (i == NULL)
        return;
    i->route = route;
    copy_text(i->key_id, sizeof(i->key_id), key_id);
    copy_text(i->role, sizeof(i->role), role);
    copy_text(i->institution, sizeof(i->institution), institution);
}

void fg__http_note_error(const fg__http_req_t *req, int status, int code, const char *message)
{
    fg__http_info_t *i = req->info;
    if (i == NULL)
        return;
    i->error = code;
    copy_text(i->message, sizeof(i->message), status >= 500 ? message : NULL);
}

void fg__http_peer(const fg__http_req_t *req, char out[64])
{
    peer_of(req->conn, out);
}

static void peer_of(struct MHD_Connection *c, char out[64])
{
    out[0] = '\0';
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci != NULL ? ci->client_addr : NULL;
    if (sa != NULL && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, 64);
    else if (sa != NULL && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out, 64);
}

void fg__http_stop(fg__http_t *h, long grace_ms)
{
    if (h == NULL || h->d == NULL)
        return;
    MHD_socket listen_fd = MHD_quiesce_daemon(h->d);
    struct timespec ts = {0, 10 * 1000 * 1000};
    for (long waited = 0; waited < grace_ms && atomic_load(&h->inflight) > 0; waited += 10)
        nanosleep(&ts, NULL);
    MHD_stop_daemon(h->d);
    if (listen_fd != MHD_INVALID_SOCKET)
        close(listen_fd);
    h->d = NULL;
}

void fg__http_free(fg__http_t *h)
{
    if (h == NULL)
        return;
    fg__http_stop(h, 0);
    fg_free(h);
}
