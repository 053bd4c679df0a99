/*
 * http.h — the HTTP server behind our own interface (libmicrohttpd underneath; only http.c
 * includes microhttpd.h).
 *
 * A handler is called once per request, on a worker thread, with the whole body read (at most
 * max_body bytes: beyond that body_too_large is set and the body is dropped). It fills the
 * response; the server sends it. Requests in flight are counted so shutdown can wait for them.
 */
#ifndef FG_SERVE_HTTP_H
#define FG_SERVE_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "fundguard/buf.h"
#include "fundguard/error.h"

/* Query parameters read at most; a longer query is answered 400 query.too_many (the API's
 * endpoints take at most seven). */
#define FG__HTTP_MAX_QUERY 64
/* Bytes of the request line, headers and query parameters read at most (a record's overhead
 * counted); more is answered 431 headers.too_large (http.c). */
#define FG__HTTP_MAX_HEADERS (24u << 10)

/* What the request's log line says beyond what http.c knows, filled in by the handler as it learns
 * it (fg__http_note, fg__http_note_error); http.c writes the line when the answer is finished. */
typedef struct fg__http_info {
    const char *route; /* the route's pattern ("/v1/settlements/{setl_id}"); NULL: none matched */
    char key_id[48];   /* the caller's key id or officer name; "" when not signed in */
    char role[16];     /* the caller's role; "" when not signed in */
    char institution[16]; /* the caller's fixmedins_code; "" for officers */
    int error;            /* the error code answered; 0 none */
    char message[160];    /* its message, kept for answers >= 500 only */
} fg__http_info_t;

typedef struct fg__http_req {
    const char *method;
    const char *path; /* without the query string */
    const char *body; /* NUL-terminated, "" when none */
    size_t body_len;
    int body_too_large;
    int query_too_many;    /* more than FG__HTTP_MAX_QUERY parameters: none of them is read */
    int headers_too_large; /* more than FG__HTTP_MAX_HEADERS bytes of headers */
    void *conn;            /* the connection, for fg__http_header / fg__http_query */
    fg__http_info_t *info; /* the request's log facts (NULL when not served by http.c) */
} fg__http_req_t;

typedef struct fg__http_resp {
    int status;
    const char *content_type; /* default application/json */
    fg_buf_t body;
    int retry_after; /* seconds, sent as Retry-After when > 0 */
} fg__http_resp_t;

typedef void (*fg__http_handler)(void *app, const fg__http_req_t *req, fg__http_resp_t *resp);

typedef struct fg__http_opts {
    const char *listen;
    uint16_t port;
    unsigned workers;
    size_t max_body;
    unsigned max_connections;
    unsigned conn_timeout;
} fg__http_opts_t;

typedef struct fg__http fg__http_t;

int fg__http_start(const fg__http_opts_t *o, fg__http_handler fn, void *app, fg__http_t **out,
                   uint16_t *port, fg_error_t *err);
/* A request header or query argument (NULL when absent). */
const char *fg__http_header(const fg__http_req_t *req, const char *name);
const char *fg__http_query(const fg__http_req_t *req, const char *name);
/* Note the route pattern and who asked (NULLs and "" for what is not known), and the error
 * answered (message kept when status >= 500), for the request's log line. */
void fg__http_note(const fg__http_req_t *req, const char *route, const char *key_id,
                   const char *role, const char *institution);
void fg__http_note_error(const fg__http_req_t *req, int status, int code, const char *message);
/* The client's address as text ("127.0.0.1"), "" when not known. */
void fg__http_peer(const fg__http_req_t *req, char out[64]);
/* Stop accepting connections; wait up to grace_ms for requests in flight; stop the workers. */
void fg__http_stop(fg__http_t *h, long grace_ms);
void fg__http_free(fg__http_t *h);

#endif
