/*
 * r_alerts.c — GET /v1/alerts (the ledger's) and GET /v1/findings (the rules'): ?fixmedins_code,
 * kind, from, to, after, limit.
 */
#include "core/compat.h"

#include <stdint.h>

#include "serve/serve_int.h"

static int list(fg__req_t *c, fg_store_list_t which, fg_buf_t *out)
{
    fg_store_filter_t f = {0};
    long long after, limit;
    int st = fg__query_time(c, "from", &f.from);
    if (st == 0)
        st = fg__query_time(c, "to", &f.to);
    if (st == 0)
        st = fg__query_int(c, "after", 0, INT64_MAX, 0, &after);
    if (st == 0)
        st = fg__query_int(c, "limit", 1, 1000, 100, &limit);
    if (st != 0)
        return st;
    f.fixmedins_code = fg__http_query(c->rq, "fixmedins_code");
    f.kind = fg__http_query(c->rq, "kind");
    f.after = after;
    f.limit = (int)limit;
    fg_error_t err;
    if (fg_service_list(c->s->svc, &c->who, which, &f, out, &err) != 0)
        return fg__fail_err(c, &err);
    return 200;
}

int fg__r_alerts(fg__req_t *c, fg_buf_t *out)
{
    return list(c, FG_STORE_ALERTS, out);
}

int fg__r_findings(fg__req_t *c, fg_buf_t *out)
{
    return list(c, FG_STORE_FINDINGS, out);
}
