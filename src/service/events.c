/*
 * events.c — the ledger events of a submission: built from a settlement's or an inventory
 * document's trace codes, validated, applied under the ledger lock (a retry's events recognised in
 * the code's history, not applied twice), synced; their alerts into the store, and the outcomes as
 * the JSON array of an answer.
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>

#include "service/service_int.h"

typedef struct same_event {
    const fg_ledger_event_t *ev;
    fg_ledger_history_t found;
    int have;
} same_event_t;

static int is_same(void *ctx, const fg_ledger_history_t *h)
{
    same_event_t *m = ctx;
    const fg_ledger_event_t *a = m->ev, *b = &h->event;
    if (a->type == b->type && a->time == b->time && strcmp(a->inst, b->inst) == 0 &&
        strcmp(a->setl_id, b->setl_id) == 0 && strcmp(a->feedetl_sn, b->feedetl_sn) == 0 &&
        a->units == b->units) {
        m->found = *h;
        m->have = 1;
        return 1;
    }
    return 0;
}

void fg__svc_event_init(fg_service_outcome_t *a, fg_ledger_type_t type, const char *code,
                        const char *inst, fg_time_t t)
{
    memset(a, 0, sizeof(*a));
    a->ev.type = type;
    snprintf(a->ev.code, sizeof(a->ev.code), "%s", code);
    snprintf(a->ev.inst, sizeof(a->ev.inst), "%s", inst);
    a->ev.time = t != FG_TIME_NONE ? t : fg_time_now();
}

void fg__svc_event_check(fg_service_outcome_t *a)
{
    if (fg_ledger_event_check(&a->ev, &a->error) != 0)
        a->outcome = FG_LEDGER_INVALID;
    else
        a->error.code = 0;
}

void fg__svc_copy(char *dst, size_t cap, const char *src)
{
    size_t n = strnlen(src, cap - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* A split sale reported without its pack size (3505 and settlements carry only the units sold):
 * the size the ledger already keeps for the code (st), else the drug catalogue's (catalogue.csv or
 * the API's drug rows); with neither the event stays invalid (ledger.pack_units_required). */
static void pack_units_known(fg_service_t *s, fg__engine_t **e, const fg_ledger_code_state_t *st,
                             fg_service_outcome_t *a)
{
    uint32_t pack = st->pack_units;
    if (pack == 0) {
        if (*e == NULL)
            *e = fg__engine_get(s);
        pack = fg_ref_pack_units((*e)->ref, a->ev.med_list);
    }
    if (pack != 0) {
        a->ev.pack_units = pack;
        fg__svc_event_check(a);
    }
}

/* One event under the ledger lock: recognised as a retry, or applied. */
static int apply_one(fg_service_t *s, fg__engine_t **e, fg_service_outcome_t *a, fg_arena_t *arena,
                     fg_error_t *err)
{
    int need_pack = a->outcome == FG_LEDGER_INVALID && a->error.code == FG_E_LEDGER_PACK;
    if (a->outcome == FG_LEDGER_INVALID && a->error.code != 0 && !need_pack)
        return 0;
    /* One look at the code: a retry of an event already in its history is answered, not applied
     * again; its state gives a missing pack size. */
    same_event_t m = {.ev = &a->ev};
    fg_ledger_code_state_t st;
    if (fg_ledger_query(s->ledger, a->ev.code, &st, is_same, &m, NULL) != 0)
        memset(&st, 0, sizeof(st));
    if (m.have) {
        a->outcome = m.found.outcome;
        a->kind = m.found.kind;
        a->error.code = 0;
        a->again = 1;
        return 0;
    }
    if (need_pack) {
        pack_units_known(s, e, &st, a);
        if (a->error.code != 0)
            return 0;
    }
    fg_ledger_result_t r;
    int rc = fg_ledger_apply(s->ledger, &a->ev, &r, err);
    if (rc != 0)
        return rc;
    a->outcome = r.outcome;
    a->kind = r.kind;
    a->error = r.error;
    atomic_fetch_add(&s->ledger_events, 1);
    if (fg_ledger_is_alert(r.outcome)) {
        fg_buf_t b;
        fg_buf_init(&b, 1u << 20);
        if (fg_ledger_result_json(&r, r.lsn, &b) == 0 && b.len > 0)
            a->detail = fg_arena_strndup(arena, b.data, b.len - 1);
        fg_buf_release(&b);
    }
    return 0;
}

int fg__svc_ledger_apply(fg_service_t *s, fg_service_outcome_t *a, size_t n, fg_arena_t *arena,
                         fg_error_t *err)
{
    int rc = 0;
    fg__engine_t *e = NULL;
    pthread_mutex_lock(&s->ledger_mu);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = apply_one(s, &e, &a[i], arena, err);
    if (rc == 0)
        rc = fg_ledger_sync(s->ledger, err);
    pthread_mutex_unlock(&s->ledger_mu);
    fg__engine_put(e);
    if (rc != 0)
        err->where[0] = '\0';
    return rc;
}

int fg__svc_store_alerts(fg_service_t *s, const fg_service_outcome_t *a, size_t n, fg_error_t *err)
{
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (!fg_ledger_is_alert(a[i].outcome))
            continue;
        fg_store_alert_t al = {.kind = fg_ledger_outcome_name(a[i].outcome),
                               .fixmedins_code = a[i].ev.inst,
                               .code = a[i].ev.code,
                               .setl_id = a[i].ev.setl_id,
                               .occurred = a[i].ev.time,
                               .detail = a[i].detail != NULL ? a[i].detail : "{}"};
        rc = fg_store_alert_add(s->store, FG_STORE_ALERTS, &al, err);
        if (rc == 0)
            atomic_fetch_add(&s->alerts, 1);
    }
    return rc;
}

int fg__svc_json_member(fg_buf_t *out, const char *name, const char *value)
{
    int rc = fg_buf_printf(out, ",\"%s\":", name);
    return rc == 0 ? fg_buf_append_json_str(out, value, strlen(value)) : rc;
}

static int outcome_json(const fg_service_outcome_t *a, int first, fg_buf_t *out)
{
    const char *kind = fg_ledger_kind_name(a->kind);
    int rc = fg_buf_appends(out, first ? "{\"drug_trac_codg\":" : ",{\"drug_trac_codg\":");
    if (rc == 0)
        rc = fg_buf_append_json_str(out, a->ev.code, strlen(a->ev.code));
    if (rc == 0)
        rc = fg_buf_printf(out, ",\"type\":\"%s\",\"outcome\":\"%s\"",
                           fg_ledger_type_name(a->ev.type), fg_ledger_outcome_name(a->outcome));
    if (rc == 0 && a->ev.feedetl_sn[0] != '\0')
        rc = fg__svc_json_member(out, "feedetl_sn", a->ev.feedetl_sn);
    if (rc == 0 && kind != NULL)
        rc = fg_buf_printf(out, ",\"kind\":\"%s\"", kind);
    if (rc == 0 && a->again)
        rc = fg_buf_appends(out, ",\"replayed\":true");
    if (rc == 0 && a->outcome == FG_LEDGER_INVALID) {
        const char *name = fg_err_name(a->error.code);
        rc = fg_buf_printf(out, ",\"error\":{\"code\":\"%s\",\"message\":", name);
        if (rc == 0)
            rc = fg_buf_append_json_str(out, a->error.msg, strlen(a->error.msg));
        if (rc == 0)
            rc = fg_buf_appendc(out, '}');
    }
    return rc == 0 ? fg_buf_appendc(out, '}') : rc;
}

int fg_service_outcomes_json(const fg_service_outcome_t *a, size_t n, fg_buf_t *out)
{
    int rc = fg_buf_appendc(out, '[');
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = outcome_json(&a[i], i == 0, out);
    return rc == 0 ? fg_buf_appendc(out, ']') : rc;
}
