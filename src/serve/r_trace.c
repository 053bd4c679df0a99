/*
 * r_trace.c — GET /v1/trace/{code}: one trace code's ledger state and history.
 */
#include "core/compat.h"

#include "serve/serve_int.h"

int fg__r_trace(fg__req_t *c, fg_buf_t *out)
{
    fg_error_t err;
    if (fg_service_trace(c->s->svc, &c->who, c->param[0], out, &err) != 0)
        return fg__fail_err(c, &err);
    return 200;
}
