/*
 * r_ref.c — reference data: GET /v1/reference/{kind} (a page of rows), GET and PUT
 * /v1/reference/{kind}/{code} (one row). {kind} is a URL name (institutions, staff, persons,
 * drugs); the route table matches no other.
 */
#include "core/compat.h"

#include "serve/serve_int.h"

int fg__r_ref_list(fg__req_t *c, fg_buf_t *out)
{
    long long limit;
    int st = fg__query_int(c, "limit", 1, 1000, 100, &limit);
    if (st != 0)
        return st;
    fg_error_t err;
    if (fg_service_ref_list(c->s->svc, &c->who, fg_service_ref_kind(c->param[0]),
                            fg__http_query(c->rq, "fixmedins_code"), fg__http_query(c->rq, "after"),
                            (int)limit, out, &err) != 0)
        return fg__fail_err(c, &err);
    return 200;
}

int fg__r_ref_get(fg__req_t *c, fg_buf_t *out)
{
    fg_error_t err;
    if (fg_service_ref_get(c->s->svc, &c->who, fg_service_ref_kind(c->param[0]), c->param[1], out,
                           &err) != 0)
        return fg__fail_err(c, &err);
    return 200;
}

int fg__r_ref_put(fg__req_t *c, fg_buf_t *out)
{
    fg_error_t err;
    if (fg_service_ref_put(c->s->svc, &c->who, fg_service_ref_kind(c->param[0]), c->param[1],
                           c->rq->body, c->rq->body_len, c->arena, out, &err) != 0)
        return fg__fail_err(c, &err);
    return 200;
}
