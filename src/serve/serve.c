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
#include <jansson.h>
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

/* One CSV field, quoted when it holds a comma, quote or line break. */
static int csv_field(fg_buf_t *b, const char *v, int last)
{
    int rc = 0;
    if (v != NULL && strpbrk(v, ",\"\r\n") != NULL) {
        rc = fg_buf_appendc(b, '"');
        for (const char *p = v; *p != '\0' && rc == 0; p++)
            rc = *p == '"' ? fg_buf_appends(b, "\"\"") : fg_buf_appendc(b, *p);
        if (rc == 0)
            rc = fg_buf_appendc(b, '"');
    } else if (v != NULL) {
        rc = fg_buf_appends(b, v);
    }
    return rc == 0 ? fg_buf_appendc(b, last ? '\n' : ',') : rc;
}

static const char *member(json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v != NULL ? v : "";
}

/* The reference files the store's rows become. */
enum { REF_DEATHS, REF_SUSPENSIONS, REF_CATALOGUE, REF__FILES };

/* One reference row of the store as a deaths.csv, suspensions.csv or catalogue.csv row (rows that
 * say nothing to the review — alive, active, a drug without a pack size — are skipped). */
static int ref_row_csv(const char *kind, json_t *row, fg_buf_t files[REF__FILES])
{
    const char *status = member(row, "status");
    const char *code = member(row, "code");
    json_t *body = json_object_get(row, "body");
    fg_buf_t *deaths = &files[REF_DEATHS], *susp = &files[REF_SUSPENSIONS];
    if (strcmp(kind, "drug") == 0) {
        json_int_t pack = json_integer_value(json_object_get(body, "pack_units"));
        if (pack <= 0)
            return 0;
        char n[24];
        snprintf(n, sizeof(n), "%lld", (long long)pack);
        int rc = csv_field(&files[REF_CATALOGUE], code, 0);
        return rc == 0 ? csv_field(&files[REF_CATALOGUE], n, 1) : rc;
    }
    if (strcmp(kind, "person") == 0) {
        if (strcmp(status, "deceased") != 0)
            return 0;
        const char *src = member(body, "source");
        int rc = csv_field(deaths, code, 0);
        if (rc == 0)
            rc = csv_field(deaths, member(body, "die_date"), 0);
        return rc == 0 ? csv_field(deaths, src[0] ? src : "api", 1) : rc;
    }
    if (strcmp(status, "active") == 0)
        return 0;
    int rc = csv_field(susp, kind, 0);
    if (rc == 0)
        rc = csv_field(susp, code, 0);
    if (rc == 0)
        rc = csv_field(susp, strcmp(status, "terminated") == 0 ? "terminate" : "suspend", 0);
    if (rc == 0)
        rc = csv_field(susp, member(body, "begin_date"), 0);
    if (rc == 0)
        rc = csv_field(susp, member(body, "end_date"), 0);
    return rc == 0 ? csv_field(susp, member(body, "reason"), 1) : rc;
}

/* The status rows and the drug catalogue set through the API (PUT /v1/reference/…), as the
 * review's reference files (loaded after --ref's: a drug's row replaces the file's). */
static int ref_from_store(fg_server_t *s, fg_ref_t **ref, fg_error_t *err)
{
    static const char *const kinds[] = {"person", "staff", "institution", "drug"};
    static const char *const names[REF__FILES] = {"deaths.csv", "suspensions.csv", "catalogue.csv"};
    static const char *const heads[REF__FILES] = {
        "psn_no,die_date,source\n", "subject_type,subject_code,action,begin_date,end_date,reason\n",
        "med_list_codg,pack_units\n"};
    fg_buf_t files[REF__FILES], page;
    for (int f = 0; f < REF__FILES; f++) {
        fg_buf_init(&files[f], 256u << 20);
        fg_buf_appends(&files[f], heads[f]);
    }
    fg_buf_init(&page, 64u << 20);
    int rc = 0;
    for (size_t k = 0; k < FG_ARRAY_LEN(kinds) && rc == 0; k++) {
        char after[128] = "";
        for (;;) {
            fg_buf_reset(&page);
            rc = fg_store_ref_list(s->store, kinds[k], "", after, 1000, &page, err);
            json_t *o = rc == 0 ? json_loadb(page.data, page.len, 0, NULL) : NULL;
            json_t *items = json_object_get(o, "items");
            for (size_t i = 0; rc == 0 && i < json_array_size(items); i++)
                rc = ref_row_csv(kinds[k], json_array_get(items, i), files);
            const char *next = json_string_value(json_object_get(o, "next"));
            if (next != NULL)
                snprintf(after, sizeof(after), "%s", next);
            json_decref(o);
            if (rc != 0 || next == NULL)
                break;
        }
    }
    for (int f = 0; f < REF__FILES && rc == 0; f++) {
        if (files[f].len == strlen(heads[f]))
            continue;
        if (*ref == NULL && (*ref = fg_ref_new()) == NULL)
            rc = fg_error_set(err, FG_ENOMEM, "", 0, NULL);
        else
            rc = fg_ref_load_mem(*ref, names[f], files[f].data, files[f].len, err);
    }
    for (int f = 0; f < REF__FILES; f++)
        fg_buf_release(&files[f]);
    fg_buf_release(&page);
    return rc;
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
    if (rc == 0)
        rc = ref_from_store(s, &e->ref, err);
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
        fg_warn("pseudonym_key_file is not set: resident IDs are pseudonymised with the public "
                "development key");
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
    if (rc == 0)
        rc = fg__engine_load(s, &s->engine, err);
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
    fg__signin_release(&s->signin);
    pthread_mutex_destroy(&s->auth.mu);
    pthread_mutex_destroy(&s->engine_mu);
    pthread_mutex_destroy(&s->ledger_mu);
    pthread_mutex_destroy(&s->reload_mu);
    pthread_rwlock_destroy(&s->hist_lock);
    fg_free(s);
    return rc;
}
