/*
 * reads.c — the reads: a settlement as stored, one code's ledger history, alerts and findings,
 * the audit trail. Each keeps an institution actor to its own institution's data.
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>

#include "service/service_int.h"

int fg_service_settlement_get(fg_service_t *s, const fg_actor_t *a, const char *setl_id,
                              fg_buf_t *out, fg_error_t *err)
{
    fg_arena_t arena;
    fg_arena_init(&arena, 4096);
    fg_store_settlement_t st;
    int rc = fg_store_settlement_get(s->store, setl_id, &arena, &st, err);
    if (rc != 0) {
        snprintf(err->where, sizeof(err->where), "setl_id");
    } else {
        rc = fg__svc_in_scope(a, st.fixmedins_code, err);
        if (rc == 0 && (rc = fg_store_settlement_json(&st, out)) != 0)
            fg_error_set(err, rc, "", 0, NULL);
    }
    fg_arena_release(&arena);
    return rc;
}

/* The code's state and history in the ledger's one shape (fg_ledger_history_json); an actor
 * limited to an institution sees only that institution's events. */
int fg_service_trace(fg_service_t *s, const fg_actor_t *a, const char *code, fg_buf_t *out,
                     fg_error_t *err)
{
    fg_ledger_code_state_t st;
    size_t mark = out->len;
    pthread_mutex_lock(&s->ledger_mu);
    int rc = fg_ledger_history_json(s->ledger, code, a->scope[0] != '\0' ? a->scope : NULL, &st,
                                    out, err);
    pthread_mutex_unlock(&s->ledger_mu);
    if (rc == 0 && !st.known) {
        out->len = mark;
        if (out->data != NULL)
            out->data[mark] = '\0';
        rc = fg_error_set(err, FG_ENOTFOUND, "drug_trac_codg", 0,
                          "the ledger has never seen this code");
    }
    if (rc != 0)
        snprintf(err->where, sizeof(err->where), "drug_trac_codg");
    return rc;
}

static int page_item(fg__svc_page_t *pg)
{
    return pg->n++ > 0 ? fg_buf_appendc(pg->out, ',') : 0;
}

int fg__svc_alert_item(void *ctx, const fg_store_alert_t *a)
{
    fg__svc_page_t *pg = ctx;
    int rc = page_item(pg);
    return rc == 0 ? fg_store_alert_json(a, pg->out) : rc;
}

int fg__svc_ref_item(void *ctx, const fg_store_ref_t *r)
{
    fg__svc_page_t *pg = ctx;
    int rc = page_item(pg);
    return rc == 0 ? fg_store_ref_json(r, pg->out) : rc;
}

int fg_service_list(fg_service_t *s, const fg_actor_t *a, fg_store_list_t which,
                    const fg_store_filter_t *f, fg_buf_t *out, fg_error_t *err)
{
    fg_store_filter_t g = *f;
    if (a->scope[0] != '\0') {
        if (g.fixmedins_code != NULL && g.fixmedins_code[0] != '\0' &&
            fg__svc_in_scope(a, g.fixmedins_code, err) != 0)
            return err->code;
        g.fixmedins_code = a->scope;
    }
    fg__svc_page_t pg = {.out = out};
    int64_t next = 0;
    int rc = fg_buf_appends(out, "{\"items\":[");
    if (rc == 0)
        rc = fg_store_alert_list(s->store, which, &g, fg__svc_alert_item, &pg, &next, err);
    if (rc == 0)
        rc = next != 0 ? fg_buf_printf(out, "],\"next\":%lld}", (long long)next)
                       : fg_buf_appends(out, "],\"next\":null}");
    if (rc != 0)
        err->where[0] = '\0';
    return rc;
}

/* One audit entry as a JSON line. */
static int audit_line(void *ctx, const fg_audit_record_t *r)
{
    fg_buf_t *lines = ctx;
    int rc = fg_store_audit_json(r, lines);
    return rc == 0 ? fg_buf_appendc(lines, '\n') : rc;
}

int fg_service_audit(fg_service_t *s, const fg_actor_t *a, uint64_t after, int limit,
                     fg_service_audit_t *res, fg_error_t *err)
{
    (void)a; /* the trail is read whole by whoever may read it */
    fg_audit_report_t rep;
    memset(&rep, 0, sizeof(rep));
    res->verified = fg_store_audit_verify(s->store, &rep, err) == 0;
    snprintf(res->head, sizeof(res->head), "%s", rep.head);
    int rc = fg_store_audit_list(s->store, after, limit, audit_line, &res->lines, err);
    if (rc != 0)
        err->where[0] = '\0';
    return rc;
}
