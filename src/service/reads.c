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

typedef struct trace_ctx {
    const fg_actor_t *a;
    fg_buf_t *out;
    int n;
} trace_ctx_t;

static int trace_event(void *ctx, const fg_ledger_history_t *h)
{
    trace_ctx_t *t = ctx;
    if (t->a->scope[0] != '\0' && strcmp(h->event.inst, t->a->scope) != 0)
        return 0; /* another institution's event: not this actor's data */
    char tm[FG_TIME_TEXTLEN + 1];
    fg_time_format(h->event.time, tm);
    const char *kind = fg_ledger_kind_name(h->kind);
    int rc = fg_buf_printf(t->out,
                           "%s{\"lsn\":%llu,\"type\":\"%s\",\"fixmedins_code\":\"%s\",\"time\":"
                           "\"%s\",\"outcome\":\"%s\",\"kind\":%s%s%s,\"setl_id\":",
                           t->n ? "," : "", (unsigned long long)h->lsn,
                           fg_ledger_type_name(h->event.type), h->event.inst, tm,
                           fg_ledger_outcome_name(h->outcome), kind ? "\"" : "",
                           kind ? kind : "null", kind ? "\"" : "");
    if (rc == 0)
        rc = fg_buf_append_json_str(t->out, h->event.setl_id, strlen(h->event.setl_id));
    if (rc == 0)
        rc = fg_buf_appends(t->out, ",\"feedetl_sn\":");
    if (rc == 0)
        rc = fg_buf_append_json_str(t->out, h->event.feedetl_sn, strlen(h->event.feedetl_sn));
    if (rc == 0)
        rc = fg_buf_appendc(t->out, '}');
    t->n++;
    return rc;
}

int fg_service_trace(fg_service_t *s, const fg_actor_t *a, const char *code, fg_buf_t *out,
                     fg_error_t *err)
{
    fg_ledger_code_state_t st;
    fg_buf_t hist;
    fg_buf_init(&hist, 64u << 20);
    trace_ctx_t t = {.a = a, .out = &hist};
    pthread_mutex_lock(&s->ledger_mu);
    int rc = fg_ledger_query(s->ledger, code, &st, trace_event, &t, err);
    pthread_mutex_unlock(&s->ledger_mu);
    if (rc == 0 && !st.known)
        rc = fg_error_set(err, FG_ENOTFOUND, "drug_trac_codg", 0,
                          "the ledger has never seen this code");
    if (rc != 0) {
        fg_buf_release(&hist);
        snprintf(err->where, sizeof(err->where), "drug_trac_codg");
        return rc;
    }
    rc = fg_buf_appends(out, "{\"drug_trac_codg\":");
    if (rc == 0)
        rc = fg_buf_append_json_str(out, code, strlen(code));
    if (rc == 0)
        rc = fg_buf_printf(out,
                           ",\"sale_count\":%zu,\"units_sold\":%u,\"pack_units\":%u,"
                           "\"events\":%llu,\"history\":[%s]}",
                           st.standing_sales, st.units_sold, st.pack_units,
                           (unsigned long long)st.events, hist.data != NULL ? hist.data : "");
    fg_buf_release(&hist);
    return rc == 0 ? 0 : fg_error_set(err, rc, "", 0, NULL);
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
