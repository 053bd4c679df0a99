/*
 * serve.c — the server: the engine it holds (knowledge base, review pool, history, ledger,
 * store), and its life cycle (start, reload, graceful stop).
 *
 * The knowledge base and the reviews over it form an "engine" that is reference-counted: a request
 * takes a reference for its whole check, and /v1/kb/reload swaps in a new engine under a lock, so a
 * check in flight keeps the version it started with and the old engine is freed by the last
 * request to drop it. Each engine holds a small pool of reviews (a review is used by one thread at
 * a time); the history they share is read under a read lock and changed under a write lock.
 * The ledger is one journal, applied under a mutex and synced before a request is answered.
 */
#include "core/compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fundguard/alloc.h"
#include "serve/serve_int.h"

/* ---------------------------------------------------------------- engines */

static void engine_free(fg__engine_t *e)
{
    if (e == NULL)
        return;
    for (int i = 0; i < FG__REVIEW_POOL; i++) {
        fg_review_free(e->review[i]);
        pthread_mutex_destroy(&e->review_mu[i]);
    }
    fg_ref_free(e->ref);
    fg_kb_free(e->kb);
    fg_free(e);
}

int fg__engine_load(fg_server_t *s, fg__engine_t **out, fg_error_t *err)
{
    fg__engine_t *e = fg_calloc(1, sizeof(*e));
    if (e == NULL)
        return fg_error_set(err, FG_ENOMEM, "", 0, NULL);
    atomic_init(&e->refs, 1);
    for (int i = 0; i < FG__REVIEW_POOL; i++)
        pthread_mutex_init(&e->review_mu[i], NULL);
    e->kb = fg_kb_new();
    int rc = e->kb == NULL ? fg_error_set(err, FG_ENOMEM, "", 0, NULL) : 0;
    /* kb is a comma-separated list of directories */
    char dirs[FG_SERVE_PATH_MAX];
    memcpy(dirs, s->c.kb, sizeof(dirs));
    char *p = dirs;
    while (rc == 0 && p != NULL && *p != '\0') {
        char *comma = strchr(p, ',');
        if (comma != NULL)
            *comma = '\0';
        rc = fg_kb_load_dir(e->kb, p, err);
        p = comma != NULL ? comma + 1 : NULL;
    }
    if (rc == 0)
        rc = fg_kb_seal(e->kb, err);
    if (rc == 0 && s->c.ref[0] != '\0') {
        e->ref = fg_ref_new();
        rc = e->ref == NULL ? fg_error_set(err, FG_ENOMEM, "", 0, NULL)
                            : fg_ref_load_dir(e->ref, s->c.ref, err);
    }
    for (int i = 0; i < FG__REVIEW_POOL && rc == 0; i++) {
        e->review[i] = fg_review_new(e->kb, e->ref, s->hist);
        if (e->review[i] == NULL)
            rc = fg_error_set(err, FG_ENOMEM, "", 0, NULL);
    }
    if (rc != 0) {
        engine_free(e);
        return rc;
    }
    *out = e;
    return 0;
}

fg__engine_t *fg__engine_get(fg_server_t *s)
{
    pthread_mutex_lock(&s->engine_mu);
    fg__engine_t *e = s->engine;
    atomic_fetch_add(&e->refs, 1);
    pthread_mutex_unlock(&s->engine_mu);
    return e;
}

void fg__engine_put(fg__engine_t *e)
{
    if (e != NULL && atomic_fetch_sub(&e->refs, 1) == 1)
        engine_free(e);
}

void fg__engine_swap(fg_server_t *s, fg__engine_t *e)
{
    pthread_mutex_lock(&s->engine_mu);
    fg__engine_t *old = s->engine;
    s->engine = e;
    pthread_mutex_unlock(&s->engine_mu);
    fg__engine_put(old);
}

/* A free review of the engine (waits on one when all are busy); fg__review_release gives it back.
 */
int fg__review_take(fg__engine_t *e)
{
    static atomic_uint next;
    unsigned start = atomic_fetch_add(&next, 1);
    for (int i = 0; i < FG__REVIEW_POOL; i++) {
        int k = (int)((start + (unsigned)i) % FG__REVIEW_POOL);
        if (pthread_mutex_trylock(&e->review_mu[k]) == 0)
            return k;
    }
    int k = (int)(start % FG__REVIEW_POOL);
    pthread_mutex_lock(&e->review_mu[k]);
    return k;
}

void fg__review_release(fg__engine_t *e, int k)
{
    pthread_mutex_unlock(&e->review_mu[k]);
}

/* ---------------------------------------------------------------- life cycle */

static int mkdir_p(const char *dir)
{
    if (mkdir(dir, 0750) != 0 && errno != EEXIST)
        return -errno;
    return 0;
}

int fg_server_new(const fg_serve_config_t *c, fg_server_t **out, uint16_t *port, fg_error_t *err)
{
    *out = NULL;
    fg_server_t *s = fg_calloc(1, sizeof(*s));
    if (s == NULL)
        return fg_error_set(err, FG_ENOMEM, "", 0, NULL);
    s->c = *c;
    pthread_mutex_init(&s->engine_mu, NULL);
    pthread_mutex_init(&s->ledger_mu, NULL);
    pthread_mutex_init(&s->reload_mu, NULL);
    pthread_rwlock_init(&s->hist_lock, NULL);
    fg__rate_init(&s->rate, (double)c->rate, (double)c->burst);
    char path[FG_SERVE_PATH_MAX + 32];
    int rc = mkdir_p(c->data);
    if (rc != 0) {
        fg_error_set(err, rc, "data", 0, "%s: %s", c->data, strerror(-rc));
        goto fail;
    }
    rc = fg_store_open(c->db[0] != '\0' ? c->db : c->data, &s->store, err);
    if (rc != 0)
        goto fail;
    snprintf(path, sizeof(path), "%s/ledger", c->data);
    fg_ledger_options_t lo = {0};
    lo.fsync = strcmp(c->ledger_fsync, "always") == 0 ? FG_LEDGER_FSYNC_ALWAYS
               : strcmp(c->ledger_fsync, "off") == 0  ? FG_LEDGER_FSYNC_OFF
                                                      : FG_LEDGER_FSYNC_BATCH;
    rc = mkdir_p(path);
    if (rc == 0)
        rc = fg_ledger_open(path, &lo, &s->ledger, NULL, err);
    if (rc != 0)
        goto fail;
    snprintf(path, sizeof(path), "%s/history", c->data);
    s->hist = fg_history_new();
    rc = s->hist == NULL ? fg_error_set(err, FG_ENOMEM, "", 0, NULL) : mkdir_p(path);
    if (rc == 0)
        rc = fg_history_open(s->hist, path, err);
    if (rc == 0)
        rc = fg__engine_load(s, &s->engine, err);
    if (rc != 0)
        goto fail;
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
    *out = s;
    return 0;
fail:
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
    if (s->ledger != NULL)
        rc = fg_ledger_close(s->ledger, err);
    fg__engine_put(s->engine);
    fg_history_free(s->hist);
    fg_store_close(s->store);
    fg__rate_release(&s->rate);
    pthread_mutex_destroy(&s->engine_mu);
    pthread_mutex_destroy(&s->ledger_mu);
    pthread_mutex_destroy(&s->reload_mu);
    pthread_rwlock_destroy(&s->hist_lock);
    fg_free(s);
    return rc;
}
