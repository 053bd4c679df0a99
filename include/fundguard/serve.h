/*
 * fundguard/serve.h — the service: `fundguard serve`, the HTTP API over the engine.
 *
 * One process holds the knowledge base (swapped atomically on reload: a check in flight keeps the
 * version it started with), the traceability ledger (one journal, applied under a lock, synced
 * before a request is acknowledged), the review history and the store (SQLite or PostgreSQL).
 * libmicrohttpd serves the requests with a pool of worker threads (one per core by default) behind
 * src/serve/http.h; nothing else includes microhttpd.h.
 *
 * Configuration is one table of options {name, type, default, min, max, help} that drives the
 * config-file reader (`key = value` lines), the command-line flags (--name value), --help and
 * docs/operations.md. Precedence: defaults < config file < flags.
 *
 * @note Ownership: a fg_server_t is owned by the caller (fg_server_free). The configuration is
 *       copied at fg_server_new.
 */
#ifndef FUNDGUARD_SERVE_H
#define FUNDGUARD_SERVE_H

#include <stddef.h>
#include <stdint.h>

#include "fundguard/buf.h"
#include "fundguard/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FG_SERVE_PATH_MAX 1024

typedef struct fg_serve_config {
    char listen[64];                /* address to bind: 127.0.0.1 */
    int64_t port;                   /* 0: any free port (written to port_file) */
    char data[FG_SERVE_PATH_MAX];   /* data directory: store (SQLite) and ledger */
    char db[FG_SERVE_PATH_MAX];     /* "" (SQLite in data) or postgresql://… */
    char ledger[FG_SERVE_PATH_MAX]; /* "" (data/ledger), a directory or postgresql://… */
    char kb[FG_SERVE_PATH_MAX];     /* knowledge base directories, comma-separated */
    char ref[FG_SERVE_PATH_MAX];    /* status reference directory ("" none) */
    char pseudonym_key_file[FG_SERVE_PATH_MAX]; /* the key of resident-ID pseudonyms ("" dev) */
    char port_file[FG_SERVE_PATH_MAX];          /* write the bound port here ("" none) */
    int64_t workers;                            /* worker threads; 0: one per core */
    int64_t max_body;                           /* bytes of a request body */
    int64_t json_depth;                         /* nesting of a JSON body */
    int64_t max_items;                          /* fee lines / events in one document */
    int64_t max_connections;                    /* open connections */
    int64_t conn_timeout;                       /* seconds a connection may stay idle */
    int64_t rate;                               /* requests per second per key; 0 off */
    int64_t burst;                              /* requests a key may make at once */
    int64_t signin_user_failures;               /* failed sign-ins that lock a name; 0 off */
    int64_t signin_addr_failures;               /* failed sign-ins that lock an address; 0 off */
    int64_t signin_window;                      /* seconds failures are remembered */
    int64_t signin_lockout;                     /* seconds a lock lasts */
    int64_t shutdown_grace;      /* seconds to finish requests in flight on SIGTERM */
    char ledger_fsync[8];        /* batch | always | off */
    int64_t ledger_expect_codes; /* codes the ledger index is sized for; 0 grows */
    char log_level[8];           /* debug | info | warn | error | off; "" as the process has it */
    char log_file[FG_SERVE_PATH_MAX]; /* log lines appended here ("" stderr) */
} fg_serve_config_t;

/* One option of the table. */
typedef struct fg_serve_option {
    const char *name; /* "max_body" (flag --max-body, file key max_body) */
    int is_int;       /* 1: integer within [min, max]; 0: text */
    const char *dflt; /* default, as text */
    int64_t min, max; /* integer range; for text the longest length in max */
    const char *help; /* one line */
} fg_serve_option_t;

/* The option table (n entries). */
const fg_serve_option_t *fg_serve_options(size_t *n);
/* Fill every option with its default. */
void fg_serve_config_defaults(fg_serve_config_t *c);
/* Set one option by name from text (validating type and range). FG_E_CONFIG with err->where the
 * option. */
int fg_serve_config_set(fg_serve_config_t *c, const char *name, const char *value, fg_error_t *err);
/* Read a `key = value` file ('#' comments, blank lines). FG_E_CONFIG naming file and line. */
int fg_serve_config_file(fg_serve_config_t *c, const char *path, fg_error_t *err);
/* The table as a sample config file with every default, range and help line. */
int fg_serve_config_sample(fg_buf_t *out);

typedef struct fg_server fg_server_t;

/* Open the store, the ledger and the knowledge base, and start listening. *port gets the bound
 * port. Errors: FG_E_CONFIG, FG_E_STORE, ledger and kb errors, negated errno. */
int fg_server_new(const fg_serve_config_t *c, fg_server_t **out, uint16_t *port, fg_error_t *err);
/* Open the log file again (after a rotation; SIGHUP) and say so in the log. 0 or a negated errno.
 */
int fg_server_reopen_log(fg_server_t *s);
/* Stop accepting, let requests in flight finish (up to shutdown_grace seconds), stop the workers.
 */
void fg_server_stop(fg_server_t *s);
/* Sync and close the ledger and the store; free everything. The first error met is returned.
 * NULL allowed. */
int fg_server_free(fg_server_t *s, fg_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
