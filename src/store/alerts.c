/*
 * alerts.c — the two lists of evidence: ledger alerts (list 0: duplicate, reflow_purchase …) and
 * findings (list 1: rule hits of decisions held or blocked, post-stage findings), paged by id and
 * filtered by institution, kind and period.
 */
#include "core/compat.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "fundguard/store.h"
#include "store/store_int.h"

static const char *list_no(fg_store_list_t which)
{
    return which == FG_STORE_ALERTS ? "0" : "1";
}

int fg_store_alert_add(fg_store_t *s, fg_store_list_t which, const fg_store_alert_t *a,
                       fg_error_t *err)
{
    char occurred[FG_TIME_TEXTLEN + 1], at[FG_TIME_TEXTLEN + 1];
    fg__store_now(at);
    fg__store_time_text(a->occurred, occurred);
    const char *p[] = {list_no(which),
                       a->kind,
                       a->fixmedins_code,
                       a->code != NULL ? a->code : "",
                       a->setl_id != NULL ? a->setl_id : "",
                       occurred[0] ? occurred : at,
                       a->detail != NULL && a->detail[0] ? a->detail : "{}",
                       at};
    return fg__store_q(s,
                       "INSERT INTO fg_alert (list, kind, fixmedins_code, code, setl_id, occurred, "
                       "detail, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                       8, p, NULL, NULL, err);
}

typedef struct alert_list {
    fg_store_alert_fn fn;
    void *ctx;
    int rows;
    int64_t last;
} alert_list_t;

static int alert_row(void *ctx, int ncol, const char *const *vals)
{
    alert_list_t *l = ctx;
    if (ncol < 7)
        return FG_EINTERNAL;
    fg_store_alert_t a = {.id = fg__store_i64(vals[0]),
                          .kind = fg__store_str(vals[1]),
                          .fixmedins_code = fg__store_str(vals[2]),
                          .code = fg__store_str(vals[3]),
                          .setl_id = fg__store_str(vals[4]),
                          .occurred = fg__store_time(vals[5]),
                          .detail = fg__store_str(vals[6])};
    l->rows++;
    l->last = a.id;
    return l->fn(l->ctx, &a);
}

int fg_store_alert_list(fg_store_t *s, fg_store_list_t which, const fg_store_filter_t *f,
                        fg_store_alert_fn fn, void *ctx, int64_t *next, fg_error_t *err)
{
    char from[FG_TIME_TEXTLEN + 1], to[FG_TIME_TEXTLEN + 1], after[24], limit[16];
    fg__store_time_text(f->from, from);
    fg__store_time_text(f->to, to);
    snprintf(after, sizeof(after), "%" PRId64, f->after);
    int lim = f->limit < 1 ? 100 : f->limit > 1000 ? 1000 : f->limit;
    snprintf(limit, sizeof(limit), "%d", lim);
    const char *p[] = {list_no(which),
                       f->fixmedins_code != NULL ? f->fixmedins_code : "",
                       f->kind != NULL ? f->kind : "",
                       from,
                       to,
                       after,
                       limit};
    alert_list_t l = {.fn = fn, .ctx = ctx};
    *next = 0;
    int rc = fg__store_q(s,
                         "SELECT id, kind, fixmedins_code, code, setl_id, occurred, detail FROM "
                         "fg_alert WHERE list = CAST($1 AS integer) AND ($2 = '' OR "
                         "fixmedins_code = $2) AND ($3 = '' OR kind = $3) AND ($4 = '' OR "
                         "occurred >= $4) AND ($5 = '' OR occurred < $5) AND id > CAST($6 AS "
                         "bigint) ORDER BY id LIMIT CAST($7 AS integer)",
                         7, p, alert_row, &l, err);
    if (rc == 0 && l.rows >= lim)
        *next = l.last;
    return rc;
}

int fg_store_alert_json(const fg_store_alert_t *a, fg_buf_t *out)
{
    fg__store_obj_t o = fg__store_obj(out);
    fg__store_obj_int(&o, "id", a->id);
    fg__store_obj_str(&o, "kind", a->kind);
    fg__store_obj_str(&o, "fixmedins_code", a->fixmedins_code);
    fg__store_obj_str(&o, "code", a->code);
    fg__store_obj_str(&o, "setl_id", a->setl_id);
    fg__store_obj_time(&o, "occurred", a->occurred);
    fg__store_obj_raw(&o, "detail", a->detail);
    return fg__store_obj_end(&o);
}

int64_t fg_store_alert_count(fg_store_t *s, fg_store_list_t which)
{
    const char *p[] = {list_no(which)};
    fg__store_first_t f = {0};
    if (fg__store_q(s, "SELECT COUNT(*) FROM fg_alert WHERE list = CAST($1 AS integer)", 1, p,
                    fg__store_take_first, &f, NULL) != 0)
        return -1;
    return fg__store_i64(f.v[0]);
}
