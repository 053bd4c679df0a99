/*
 * service.c — the service object: the engine it holds (knowledge base, reference status, review
 * pool), the locks over the ledger and the history, identity, reload and the counters.
 *
 * The knowledge base and the reviews over it form an "engine" that is reference-counted: a
 * transaction takes a reference for its whole check, and a reload swaps in a new engine under a
 * lock, so a check in flight keeps the version it started with and the old engine is freed by the
 * last one to drop it. Each engine holds a small pool of reviews (a review is used by one thread
 * at a time); the history they share is read under a read lock and changed under a write lock.
 * The ledger is applied, synced and read under one mutex.
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>

#include "fundguard/alloc.h"
#include "fundguard/model.h"
#include "service/service_int.h"

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

int fg__engine_load(fg_service_t *s, fg__engine_t **out, fg_error_t *err)
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
    char dirs[sizeof(s->kb)];
    memcpy(dirs, s->kb, sizeof(dirs));
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
    if (rc == 0 && s->ref[0] != '\0') {
        e->ref = fg_ref_new();
        rc = e->ref == NULL ? fg_error_set(err, FG_ENOMEM, "", 0, NULL)
                            : fg_ref_load_dir(e->ref, s->ref, err);
    }
    if (rc == 0 && s->o.ref_rows != NULL)
        rc = s->o.ref_rows(s->o.ref_ctx, &e->ref, err);
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

fg__engine_t *fg__engine_get(fg_service_t *s)
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

void fg__engine_swap(fg_service_t *s, fg__engine_t *e)
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

/* ---------------------------------------------------------------- the object */

int fg_service_new(const fg_service_opts_t *o, fg_store_t *store, fg_ledger_t *ledger,
                   fg_history_t *hist, fg_service_t **out, fg_error_t *err)
{
    *out = NULL;
    fg_service_t *s = fg_calloc(1, sizeof(*s));
    if (s == NULL)
        return fg_error_set(err, FG_ENOMEM, "", 0, NULL);
    s->o = *o;
    snprintf(s->kb, sizeof(s->kb), "%s", o->kb != NULL ? o->kb : "");
    snprintf(s->ref, sizeof(s->ref), "%s", o->ref != NULL ? o->ref : "");
    s->store = store;
    s->ledger = ledger;
    s->hist = hist;
    pthread_mutex_init(&s->ledger_mu, NULL);
    pthread_rwlock_init(&s->hist_lock, NULL);
    pthread_mutex_init(&s->engine_mu, NULL);
    pthread_mutex_init(&s->reload_mu, NULL);
    int rc = fg__engine_load(s, &s->engine, err);
    if (rc != 0) {
        fg_service_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void fg_service_free(fg_service_t *s)
{
    if (s == NULL)
        return;
    fg__engine_put(s->engine);
    pthread_mutex_destroy(&s->ledger_mu);
    pthread_rwlock_destroy(&s->hist_lock);
    pthread_mutex_destroy(&s->engine_mu);
    pthread_mutex_destroy(&s->reload_mu);
    fg_free(s);
}

/* ---------------------------------------------------------------- identity and scope */

void fg_actor_of(const fg_principal_t *p, fg_actor_t *a)
{
    memset(a, 0, sizeof(*a));
    snprintf(a->id, sizeof(a->id), "%s", p->id);
    snprintf(a->role, sizeof(a->role), "%s", p->role);
    if (strcmp(p->role, "institution") == 0)
        snprintf(a->scope, sizeof(a->scope), "%s", p->fixmedins_code);
}

int fg_service_key_find(fg_service_t *s, const char *key, fg_actor_t *a, fg_error_t *err)
{
    fg_principal_t p;
    int rc = fg_store_key_find(s->store, key, &p, err);
    if (rc == 0)
        fg_actor_of(&p, a);
    return rc;
}

int fg_service_user_check(fg_service_t *s, const char *name, const char *password, fg_actor_t *a,
                          fg_error_t *err)
{
    fg_principal_t p;
    int rc = fg_store_user_check(s->store, name, password, &p, err);
    if (rc == 0)
        fg_actor_of(&p, a);
    return rc;
}

int fg__svc_in_scope(const fg_actor_t *a, const char *inst, fg_error_t *err)
{
    if (a->scope[0] == '\0' || strcmp(inst, a->scope) == 0)
        return 0;
    return fg_error_set(err, FG_E_FORBIDDEN, "fixmedins_code", 0,
                        "an institution key reaches only its own institution's data");
}

int fg__svc_kept(fg_service_t *s, fg_arena_t *arena, const char *json, size_t n, const char **out,
                 size_t *len, fg_error_t *err)
{
    fg_buf_t b;
    fg_buf_init(&b, s->o.max_body * 8 + 1024); /* each number grows ~5×: bounded */
    int rc = fg_json_redact_ids(json, n, &b, err);
    *out = rc == 0 ? fg_arena_strndup(arena, b.data != NULL ? b.data : "", b.len) : NULL;
    *len = b.len;
    fg_buf_release(&b);
    if (rc != 0) {
        err->where[0] = '\0';
        return rc;
    }
    return *out != NULL ? 0 : fg_error_set(err, FG_ENOMEM, "", 0, NULL);
}

void fg__svc_audit(fg_service_t *s, const fg_actor_t *a, const char *action, const char *object,
                   const char *before, const char *after, fg_error_t *err, int *rc)
{
    if (*rc != 0)
        return;
    fg_audit_entry_t e = {
        .actor = a->id, .action = action, .object = object, .before = before, .after = after};
    *rc = fg_store_audit_append(s->store, &e, err);
}

/* ---------------------------------------------------------------- the engine as a whole */

static void version_of(const fg__engine_t *e, char version[FG_SERVICE_VERSION_MAX])
{
    snprintf(version, FG_SERVICE_VERSION_MAX, "%s", fg_kb_version(e->kb));
}

int fg_service_reload(fg_service_t *s, const fg_actor_t *a, char version[FG_SERVICE_VERSION_MAX],
                      fg_error_t *err)
{
    pthread_mutex_lock(&s->reload_mu);
    fg__engine_t *e = NULL;
    int rc = fg__engine_load(s, &e, err);
    char before[65] = "", after[65] = "";
    if (rc == 0) {
        fg__engine_t *old = fg__engine_get(s);
        fg_store_digest(fg_kb_version(old->kb), strlen(fg_kb_version(old->kb)), before);
        fg__engine_put(old);
        fg_store_digest(fg_kb_version(e->kb), strlen(fg_kb_version(e->kb)), after);
        version_of(e, version);
        fg__svc_audit(s, a, "kb.reload", fg_kb_version(e->kb), before, after, err, &rc);
        if (rc == 0)
            fg__engine_swap(s, e);
        else
            fg__engine_put(e);
    }
    pthread_mutex_unlock(&s->reload_mu);
    if (rc == 0)
        atomic_fetch_add(&s->reloads, 1);
    return rc;
}

void fg_service_kb_version(fg_service_t *s, char version[FG_SERVICE_VERSION_MAX])
{
    fg__engine_t *e = fg__engine_get(s);
    version_of(e, version);
    fg__engine_put(e);
}

void fg_service_stats(fg_service_t *s, fg_service_stats_t *st)
{
    memset(st, 0, sizeof(*st));
    st->checks = atomic_load(&s->checks);
    st->settlements = atomic_load(&s->settlements);
    st->ledger_events = atomic_load(&s->ledger_events);
    st->alerts = atomic_load(&s->alerts);
    st->reloads = atomic_load(&s->reloads);
    fg_ledger_stats_t ls;
    pthread_mutex_lock(&s->ledger_mu);
    fg_ledger_stats(s->ledger, &ls);
    pthread_mutex_unlock(&s->ledger_mu);
    st->ledger_codes = ls.codes;
    st->store_alerts = fg_store_alert_count(s->store, FG_STORE_ALERTS);
    st->store_findings = fg_store_alert_count(s->store, FG_STORE_FINDINGS);
    st->password_checks = fg_store_password_checks(s->store);
}

const char *fg_service_store_backend(fg_service_t *s)
{
    return fg_store_backend(s->store);
}
