/*
 * service_int.h — the service's internals shared by service.c (the object, the engine, identity,
 * reload, stats), submit.c (check, settle, inventory), reads.c (settlements, trace, lists, audit)
 * and ref.c (reference rows).
 */
#ifndef FG_SERVICE_INT_H
#define FG_SERVICE_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "fundguard/kb.h"
#include "fundguard/service.h"

#define FG__REVIEW_POOL 8

/* A knowledge-base version and the reviews over it; ref-counted (fg__engine_get / _put). */
typedef struct fg__engine {
    atomic_int refs;
    fg_kb_t *kb;
    fg_ref_t *ref;
    fg_review_t *review[FG__REVIEW_POOL];
    pthread_mutex_t review_mu[FG__REVIEW_POOL];
} fg__engine_t;

struct fg_service {
    fg_service_opts_t o;
    char kb[1024];
    char ref[1024];
    fg_store_t *store;
    fg_ledger_t *ledger;
    pthread_mutex_t ledger_mu; /* the ledger: applied, synced and read under it */
    fg_history_t *hist;
    pthread_rwlock_t hist_lock; /* reviews read the history, settlements change it */
    fg__engine_t *engine;
    pthread_mutex_t engine_mu; /* the pointer to the current engine */
    pthread_mutex_t reload_mu; /* one reload (or reference write) at a time */
    atomic_ulong checks, settlements, ledger_events, alerts, reloads;
};

int fg__engine_load(fg_service_t *s, fg__engine_t **out, fg_error_t *err);
fg__engine_t *fg__engine_get(fg_service_t *s);
void fg__engine_put(fg__engine_t *e);
void fg__engine_swap(fg_service_t *s, fg__engine_t *e);
int fg__review_take(fg__engine_t *e);
void fg__review_release(fg__engine_t *e, int k);

/* An institution the actor may reach (always, for an unscoped actor): 0 or FG_E_FORBIDDEN. */
int fg__svc_in_scope(const fg_actor_t *a, const char *inst, fg_error_t *err);
/* A document's text as it may be kept at rest (identity numbers as pseudonym and masked form),
 * in the arena. */
int fg__svc_kept(fg_service_t *s, fg_arena_t *arena, const char *json, size_t n, const char **out,
                 size_t *len, fg_error_t *err);
/* Append an audit entry by the actor unless *rc is already an error. */
void fg__svc_audit(fg_service_t *s, const fg_actor_t *a, const char *action, const char *object,
                   const char *before, const char *after, fg_error_t *err, int *rc);

/* Ledger events (events.c): an event of a trace code, validated (an invalid one keeps its error
 * and is not applied); applied under the ledger lock, then synced (0: every event durable); the
 * alerts among them into the store (inside the caller's transaction). */
void fg__svc_event_init(fg_service_outcome_t *a, fg_ledger_type_t type, const char *code,
                        const char *inst, fg_time_t t);
void fg__svc_event_check(fg_service_outcome_t *a);
int fg__svc_ledger_apply(fg_service_t *s, fg_service_outcome_t *a, size_t n, fg_arena_t *arena,
                         fg_error_t *err);
int fg__svc_store_alerts(fg_service_t *s, const fg_service_outcome_t *a, size_t n, fg_error_t *err);
/* Copy src into dst of cap bytes (cut). */
void fg__svc_copy(char *dst, size_t cap, const char *src);
/* ,"name":"value" with the value through the JSON string writer (never invalid UTF-8). */
int fg__svc_json_member(fg_buf_t *out, const char *name, const char *value);

/* Store records written as the items of a page {"items":[…],"next":…} (reads.c). */
typedef struct fg__svc_page {
    fg_buf_t *out;
    int n;
} fg__svc_page_t;
int fg__svc_alert_item(void *ctx, const fg_store_alert_t *a);
int fg__svc_ref_item(void *ctx, const fg_store_ref_t *r);

#endif
