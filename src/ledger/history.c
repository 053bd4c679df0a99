/*
 * history.c — a code's history as JSON, the one shape `fundguard ledger query --json`, `ledger
 * dump` (one record a line) and GET /v1/trace/{code} print (docs/ledger.md "History JSON").
 */
#include "core/compat.h"

#include <string.h>

#include "ledger/ledger_int.h"

int fg_ledger_record_json(const fg_ledger_history_t *h, fg_buf_t *b)
{
    char t[FG_TIME_TEXTLEN + 1];
    const char *kind = fg_ledger_kind_name(h->kind);
    fg_time_format(h->event.time, t);
    int rc = fg_buf_printf(b, "{\"lsn\":%llu,\"type\":\"%s\",\"drug_trac_codg\":",
                           (unsigned long long)h->lsn, fg_ledger_type_name(h->event.type));
    rc = rc != 0 ? rc : fg__json_str(b, h->event.code);
    rc = rc != 0 ? rc : fg_buf_appends(b, ",\"fixmedins_code\":");
    rc = rc != 0 ? rc : fg__json_str(b, h->event.inst);
    rc = rc != 0 ? rc : fg_buf_printf(b, ",\"time\":\"%s\"", t);
    if (h->event.units != 0)
        rc = rc != 0 ? rc : fg_buf_printf(b, ",\"units\":%u", h->event.units);
    if (h->event.pack_units != 0)
        rc = rc != 0 ? rc : fg_buf_printf(b, ",\"pack_units\":%u", h->event.pack_units);
    rc = rc != 0 ? rc : fg_buf_printf(b, ",\"trdn_flag\":\"%d\"", h->event.trdn);
    static const char *const names[] = {"med_list_codg", "setl_id", "feedetl_sn", "psn_no"};
    const char *vals[] = {h->event.med_list, h->event.setl_id, h->event.feedetl_sn,
                          h->event.psn_no};
    for (int i = 0; i < 4 && rc == 0; i++) {
        if (vals[i][0] == '\0')
            continue;
        rc = fg_buf_printf(b, ",\"%s\":", names[i]);
        rc = rc != 0 ? rc : fg__json_str(b, vals[i]);
    }
    rc = rc != 0 ? rc : fg_buf_printf(b, ",\"outcome\":\"%s\"", fg_ledger_outcome_name(h->outcome));
    if (kind != NULL)
        rc = rc != 0 ? rc : fg_buf_printf(b, ",\"kind\":\"%s\"", kind);
    if (h->findings & FG_LEDGER_FINDING_UNKNOWN_SOURCE)
        rc = rc != 0 ? rc : fg_buf_appends(b, ",\"findings\":[\"unknown_source\"]");
    return rc != 0 ? rc : fg_buf_appendc(b, '}');
}

typedef struct hist_ctx {
    fg_buf_t *out;
    const char *inst; /* only this institution's records, or NULL */
    int n;
} hist_ctx_t;

static int on_record(void *ctx, const fg_ledger_history_t *h)
{
    hist_ctx_t *x = ctx;
    if (x->inst != NULL && strcmp(h->event.inst, x->inst) != 0)
        return 0; /* another institution's event: not this caller's data */
    if (x->n++ > 0 && fg_buf_appendc(x->out, ',') != 0)
        return FG_ENOMEM;
    return fg_ledger_record_json(h, x->out);
}

/* What a person scanning the box is told. */
static const char *verdict_of(size_t sales)
{
    return sales == 0 ? "not sold" : sales == 1 ? "only 1 sale" : "2 or more sales";
}

int fg_ledger_history_json(fg_ledger_t *lg, const char *code, const char *inst,
                           fg_ledger_code_state_t *st, fg_buf_t *out, fg_error_t *err)
{
    fg_ledger_code_state_t local;
    fg_buf_t hist;
    if (st == NULL)
        st = &local;
    fg_buf_init(&hist, out->max != 0 ? out->max : (size_t)1 << 30);
    hist_ctx_t x = {&hist, inst, 0};
    int rc = fg_ledger_query(lg, code, st, on_record, &x, err);
    if (rc != 0) {
        fg_buf_release(&hist);
        return rc;
    }
    int stock = st->stock[0] != '\0' && (inst == NULL || strcmp(st->stock, inst) == 0);
    size_t mark = out->len;
    rc = fg_buf_appends(out, "{\"drug_trac_codg\":");
    rc = rc != 0 ? rc : fg__json_str(out, code);
    rc = rc != 0 ? rc
                 : fg_buf_printf(out,
                                 ",\"known\":%s,\"sales\":%zu,\"verdict\":\"%s\",\"units_sold\":%u,"
                                 "\"pack_units\":%u,\"stock\":",
                                 st->known ? "true" : "false", st->standing_sales,
                                 verdict_of(st->standing_sales), st->units_sold, st->pack_units);
    rc = rc != 0 ? rc : stock ? fg__json_str(out, st->stock) : fg_buf_appends(out, "null");
    rc = rc != 0
             ? rc
             : fg_buf_printf(out, ",\"events\":%llu,\"history\":[%s]}",
                             (unsigned long long)st->events, hist.data != NULL ? hist.data : "");
    fg_buf_release(&hist);
    if (rc != 0) {
        out->len = mark;
        if (out->data != NULL)
            out->data[mark] = '\0';
        return fg_error_set(err, rc, NULL, 0, NULL);
    }
    return 0;
}
