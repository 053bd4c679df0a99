/*
 * r_inventory.c — POST /v1/inventory: an inventory document (3501–3507).
 */
#include "core/compat.h"

#include "serve/serve_int.h"

int fg__submit_inventory(fg__req_t *c, int infno, fg_buf_t *out)
{
    fg_doc_t doc;
    int st = fg__parse_doc(c, infno, &doc);
    if (st != 0)
        return st;
    fg_error_t err;
    int again;
    if (fg_service_inventory(c->s->svc, &c->who, &doc, c->rq->body, c->rq->body_len, c->arena, out,
                             &again, &err) != 0)
        return fg__fail_err(c, &err);
    return again ? 200 : 201;
}

int fg__r_inventory(fg__req_t *c, fg_buf_t *out)
{
    return fg__submit_inventory(c, 0, out);
}
