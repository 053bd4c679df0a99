/*
 * serve.c — the server's life cycle (start, graceful stop): it opens the store, the ledger and the
 * review history, and hands them to the service (fundguard/service.h), which holds the engine and
 * the locks over them; and it gives the service the reference rows set through the API.
 */
#include "core/compat.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fundguard/alloc.h"
#include "fundguard/log.h"
#include "fundguard/model.h"
#include "serve/serve_int.h"

/* ---------------------------------------------------------------- reference rows */

/* The status rows and the drug catalogue set through the API (PUT /v1/reference/…), added to the
 * review's reference status as the model's records (after --ref's files: a drug's row replaces
 * the file's). Each feed numbers its records from 1, as the reference file it stands for would. */
typedef struct ref_build {
    fg_ref_t **ref;
    uint32_t rows[FG_STORE_FEED_CATALOGUE + 1];
    fg_error_t *err;
} ref_build_t;

static int ref_row(void *ctx, const fg_store_ref_t *r)
{
    ref_build_t *b = ctx;
    fg_store_feed_t feed;
    int rc = fg_store_ref_feed(r, &feed, b->err);
    if (rc != 0 || feed.kind == FG_STORE_FEED_NONE)
        return rc;
    if (*b->ref == NULL && (*b->ref = fg_ref_new()) == NULL)
        return fg_error_set(b->err, FG_ENOMEM, "", 0, NULL);
    uint32_t row = ++b->rows[feed.kind];
    if (feed.kind == FG_STORE_FEED_DEATH)
        rc = fg_ref_add_death(*b->ref, &feed.u.death, row);
    else if (feed.kind == FG_STORE_FEED_SUSPENSION)
        rc = fg_ref_add_suspension(*b->ref, &feed.u.suspension, row);
    else
        rc = fg_ref_add_catalogue(*b->ref, &feed.u.item);
    return rc != 0 ? fg_error_set(b->err, rc, "", 0, "reference row %s %s", r->kind, r->code) : 0;
}

/* The status rows and the drug catalogue set through the API (PUT /v1/reference/…), as the
 * review's reference records (added after --ref's files: a drug's row replaces the file's). */
static int ref_from_store(void *ctx, fg_ref_t **ref, fg_error_t *err)
{
    fg_server_t *s = ctx;
    static const char *const kinds[] = {"person", "staff", "institution", "drug"};
    ref_build_t b = {.ref = ref, .err = err};
    int rc = 0;
    for (size_t k = 0; k < FG_ARRAY_LEN(kinds) && rc == 0; k++) {
        char after[FG_STORE_REF_CODE_MAX + 1] = "";
        do {
            char next[FG_STORE_REF_CODE_MAX + 1];
            rc = fg_store_ref_list(s->store, kinds[k], "", after, 1000, ref_row, &b, next, err);
            memcpy(after, next, sizeof(after));
        } while (rc == 0 && after[0] != '\0');
    }
    return rc;
}

/* ---------------------------------------------------------------- life cycle */

/* Make dir and its missing parents. */
static int mkdir_p(const char *dir)
{
    char path[FG_SERVE_PATH_MAX + 32];
    size_t n = strnlen(dir, sizeof(path) - 1);
    memcpy(path, dir, n);
    path[n] = '\0';
    for (size_t i = 1; i <= n; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        char keep = path[i];
        path[i] = '\0';
        if (mkdir(path, 0750) != 0 && errno != EEXIST)
            return -errno;
        path[i] = keep;
    }
    return 0;
}

/* The key of resident-ID pseudonyms from pseudonym_key_file (64 hex digits, then at most white
 * space); without one the model's public development key stays, and the log says so. */
static int pseudonym_key(const fg_serve_config_t *c, fg_error_t *err)
{
    if (c->pseudonym_key_file[0] == '\0') {
        fg_log_line_t l;
        if (fg_log_begin(&l, FG_LOG_WARN, "config.pseudonym_key")) {
            fg_log_str(&l, "message",
                       "pseudonym_key_file is not set: resident IDs are "
                       "pseudonymised with the public development key");
            fg_log_end(&l);
        }
        return 0;
    }
    char text[130] = "";
    FILE *f = fopen(c->pseudonym_key_file, "r");
    size_t n = f != NULL ? fread(text, 1, sizeof(text) - 1, f) : 0;
    if (f != NULL)
        fclose(f);
    unsigned char key[FG_PSEUDONYM_KEYLEN];
    size_t kn = 0;
    const char *end = NULL;
    int bad = f == NULL || sodium_hex2bin(key, sizeof(key), text, n, NULL, &kn, &end) != 0 ||
              kn != sizeof(key) || end[strspn(end, " \t\r\n")] != '\0';
    explicit_bzero(text, sizeof(text));
    if (bad)
        return fg_error_set(err, FG_E_CONFIG, "pseudonym_key_file", 0, "%s: %s",
                            c->pseudonym_key_file,
                            f == NULL ? strerror(errno) : "not a key of 64 hex digits");
    fg_model_set_pseudonym_key(key);
    explicit_bzero(key, sizeof(key));
    return 0;
}

/* log_level and log_file, before anything is logged. */
static int log_options(const fg_serve_config_t *c, fg_error_t *err)
{
    if (c->log_level[0] != '\0')
        fg_log_set_level((fg_log_level_t)fg_log_level_parse(c->log_level));
    int rc = c->log_file[0] != '\0' ? fg_log_open(c->log_file) : 0;
    if (rc != 0)
        return fg_error_set(err, FG_E_CONFIG, "log_file", 0, "%s: %s", c->log_file, strerror(-rc));
    return 0;
}

/* The start-up line: what runs, where it listens, which backends; never a secret (the store's URL
 * may hold a password: only its kind is written). */
static void log_start(const fg_server_t *s, uint16_t port)
{
    const fg_serve_config_t *c = &s->c;
    fg_log_line_t l;
    if (!fg_log_begin(&l, FG_LOG_INFO, "start"))
        return;
    char listen[96];
    snprintf(listen, sizeof(listen), "%s:%u", c->listen, (unsigned)port);
    fg_log_str(&l, "version", FG_VERSION);
    fg_log_str(&l, "listen", listen);
    fg_log_int(&l, "pid", (long long)getpid());
    fg_log_str(&l, "data", c->data);
    fg_log_str(&l, "store", fg_store_backend(s->store));
    fg_log_str(&l, "ledger", fg_ledger_backend(s->ledger));
    fg_log_str(&l, "ledger_fsync", c->ledger_fsync);
    fg_log_str(&l, "kb", c->kb);
    char kb_version[FG_SERVICE_VERSION_MAX];
    fg_service_kb_version(s->svc, kb_version);
    fg_log_str(&l, "kb_version", kb_version);
    fg_log_str(&l, "ref", c->ref[0] != '\0' ? c->ref : NULL);
    fg_log_str(&l, "pseudonym_key", c->pseudonym_key_file[0] != '\0' ? "file" : "development");
    fg_log_int(&l, "workers", c->workers);
    fg_log_int(&l, "rate", c->rate);
    fg_log_str(&l, "log_level", fg_log_level_name(fg_log_get_level()));
    fg_log_str(&l, "log_file", c->log_file[0] != '\0' ? c->log_file : NULL);
    fg_log_end(&l);
}

/* An error line: event, the error's code, field and message (masked like every value). */
static void log_error(const char *event, int rc, const fg_error_t *err)
{
    fg_log_line_t l;
    if (!fg_log_begin(&l, FG_LOG_ERROR, event))
        return;
    fg_log_str(&l, "error", fg_err_name(rc));
    fg_log_str(&l, "field", err != NULL ? err->where : NULL);
    fg_log_str(&l, "message", err != NULL && err->msg[0] != '\0' ? err->msg : fg_strerror(rc));
    fg_log_end(&l);
}

void fg__log_reload(fg_server_t *s, const char *by, const char *kb_version, int rc,
                    const fg_error_t *err)
{
    int reopened = fg_server_reopen_log(s);
    fg_log_line_t l;
    if (!fg_log_begin(&l, rc == 0 ? FG_LOG_INFO : FG_LOG_ERROR, "kb.reload"))
        return;
    fg_log_bool(&l, "ok", rc == 0);
    fg_log_str(&l, "by", by);
    fg_log_str(&l, "kb_version", rc == 0 ? kb_version : NULL);
    if (rc != 0) {
        fg_log_str(&l, "error", fg_err_name(rc));
        fg_log_str(&l, "message", err->msg[0] != '\0' ? err->msg : fg_strerror(rc));
    }
    if (reopened != 0)
        fg_log_str(&l, "log_file_error", strerror(-reopened));
    fg_log_end(&l);
}

int fg_server_reopen_log(fg_server_t *s)
{
    if (s == NULL || s->c.log_file[0] == '\0')
        return 0;
    int rc = fg_log_reopen();
    fg_log_line_t l;
    if (fg_log_begin(&l, rc == 0 ? FG_LOG_INFO : FG_LOG_ERROR, "log.reopen")) {
        fg_log_str(&l, "log_file", s->c.log_file);
        if (rc != 0)
            fg_log_str(&l, "error", strerror(-rc));
        fg_log_end(&l);
    }
    return rc;
}

int fg_server_new(const fg_serve_config_t *c, fg_server_t **out, uint16_t *port, fg_error_t *err)
{
    *out = NULL;
    int lrc = log_options(c, err);
    if (lrc != 0)
        return lrc;
    fg_server_t *s = fg_calloc(1, sizeof(*s));
    if (s == NULL)
        return fg_error_set(err, FG_ENOMEM, "", 0, NULL);
    s->c = *c;
    fg__rate_init(&s->rate, (double)c->rate, (double)c->burst);
    pthread_mutex_init(&s->auth.mu, NULL);
    randombytes_buf(s->auth.salt, sizeof(s->auth.salt));
    char path[FG_SERVE_PATH_MAX + 32];
    int rc = fg__signin_init(&s->signin, c->signin_user_failures, c->signin_addr_failures,
                             c->signin_window, c->signin_lockout);
    if (rc != 0) {
        fg_error_set(err, rc, "", 0, NULL);
        goto fail;
    }
    rc = pseudonym_key(c, err);
    if (rc != 0)
        goto fail;
    rc = mkdir_p(c->data);
    if (rc != 0) {
        fg_error_set(err, rc, "data", 0, "%s: %s", c->data, strerror(-rc));
        goto fail;
    }
    rc = fg_store_open(c->db[0] != '\0' ? c->db : c->data, &s->store, err);
    if (rc != 0)
        goto fail;
    /* The ledger: the embedded one in data/ledger unless the ledger option names another. */
    snprintf(path, sizeof(path), "%s/ledger", c->data);
    fg_ledger_options_t lo = {0};
    lo.fsync = strcmp(c->ledger_fsync, "always") == 0 ? FG_LEDGER_FSYNC_ALWAYS
               : strcmp(c->ledger_fsync, "off") == 0  ? FG_LEDGER_FSYNC_OFF
                                                      : FG_LEDGER_FSYNC_BATCH;
    lo.expect_codes = (uint64_t)c->ledger_expect_codes;
    rc = c->ledger[0] != '\0' ? 0 : mkdir_p(path);
    if (rc == 0)
        rc = fg_ledger_open(c->ledger[0] != '\0' ? c->ledger : path, &lo, &s->ledger, NULL, err);
    if (rc != 0)
        goto fail;
    snprintf(path, sizeof(path), "%s/history", c->data);
    s->hist = fg_history_new();
    rc = s->hist == NULL ? fg_error_set(err, FG_ENOMEM, "", 0, NULL) : mkdir_p(path);
    if (rc == 0)
        rc = fg_history_open(s->hist, path, err);
    fg_service_opts_t so = {.kb = c->kb,
                            .ref = c->ref,
                            .ref_rows = ref_from_store,
                            .ref_ctx = s,
                            .max_body = (size_t)c->max_body,
                            .json_depth = (size_t)c->json_depth,
                            .max_items = (size_t)c->max_items};
    if (rc == 0)
        rc = fg_service_new(&so, s->store, s->ledger, s->hist, &s->svc, err);
    if (rc != 0)
        goto fail;
    fg__jalloc_install();
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    fg__http_opts_t ho = {.listen = c->listen,
                          .port = (uint16_t)c->port,
                          .workers = c->workers > 0 ? (unsigned)c->workers
                                                    : (unsigned)(cores > 0 ? cores : 1),
                          .max_body = (size_t)c->max_body,
                          .max_connections = (unsigned)c->max_connections,
                          .conn_timeout = (unsigned)c->conn_timeout};
    rc = fg__http_start(&ho, fg__api_handle, s, &s->http, port, err);
    if (rc != 0)
        goto fail;
    log_start(s, *port);
    *out = s;
    return 0;
fail:
    log_error("start.failed", rc, err);
    fg_server_free(s, NULL);
    return rc;
}

void fg_server_stop(fg_server_t *s)
{
    if (s != NULL)
        fg__http_stop(s->http, (long)s->c.shutdown_grace * 1000);
}

int fg_server_free(fg_server_t *s, fg_error_t *err)
{
    if (s == NULL)
        return 0;
    fg__http_free(s->http);
    int rc = 0;
    fg_error_t e = {0};
    if (s->ledger != NULL)
        rc = fg_ledger_close(s->ledger, &e);
    if (rc != 0) {
        log_error("ledger.error", rc, &e);
        if (err != NULL)
            *err = e;
    }
    fg_service_free(s->svc);
    fg_history_free(s->hist);
    fg_store_close(s->store);
    fg__rate_release(&s->rate);
    fg__signin_release(&s->signin);
    pthread_mutex_destroy(&s->auth.mu);
    fg_free(s);
    return rc;
}
