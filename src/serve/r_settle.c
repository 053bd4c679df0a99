/*
 * r_settle.c — settlements: POST /v1/settlements/check (2204/2206), POST /v1/settlements (2207,
 * refunds included) and GET /v1/settlements/{setl_id}.
 */
#include "core/compat.h"

#include <string.h>

#include "serve/serve_int.h"

static int stage_arg(fg__req_t *c, fg_stage_t *stage)
{
    const char *v = fg__http_query(c->rq, "stage");
    *stage = FG_STAGE_IN;
    if (v == NULL || v[0] == '\0')
        return 0;
    if (strcmp(v, "pre") == 0)
        *stage = FG_STAGE_PRE;
    else if (strcmp(v, "in") != 0)
        return fg__fail(c, FG_E_ENUM, "stage", "stage is pre or in");
    return 0;
}

int fg__submit_check(fg__req_t *c, int infno, fg_stage_t stage, fg_buf_t *out)
{
    fg_doc_t doc;
    int st = fg__parse_doc(c, infno, &doc);
    if (st != 0)
        return st;
    fg_error_t err;
    if (fg_service_check(c->s->svc, &c->who, &doc, stage, c->arena, out, &err) != 0)
        return fg__fail_err(c, &err);
    return 200;
}

int fg__r_check(fg__req_t *c, fg_buf_t *out)
{
    fg_stage_t stage;
    int st = stage_arg(c, &stage);
    return st != 0 ? st : fg__submit_check(c, 0, stage, out);
}

int fg__submit_settle(fg__req_t *c, int infno, fg_buf_t *out)
{
    fg_doc_t doc;
    int st = fg__parse_doc(c, infno, &doc);
    if (st != 0)
        return st;
    fg_service_settled_t res = {0};
    fg_buf_init(&res.decision, 64u << 20);
    fg_error_t err;
    int rc = fg_service_settle(c->s->svc, &c->who, &doc, c->rq->body, c->rq->body_len, c->arena,
                               &res, &err);
    if (rc == 0) {
        const char *setl_id = doc.settlement->setl_id;
        fg_buf_appends(out, "{\"setl_id\":");
        fg_buf_append_json_str(out, setl_id, strlen(setl_id));
        fg_buf_printf(out, ",\"replayed\":%s,\"decision\":%s", res.replayed ? "true" : "false",
                      res.decision.data != NULL ? res.decision.data : "null");
        if (!res.replayed) {
            fg_buf_appends(out, ",\"ledger\":");
            fg_service_outcomes_json(res.events, res.nevents, out);
        }
        fg_buf_appendc(out, '}');
    }
    fg_buf_release(&res.decision);
    if (rc != 0)
        return fg__fail_err(c, &err);
    return res.replayed ? 200 : 201;
}

int fg__r_settle(fg__req_t *c, fg_buf_t *out)
{
    return fg__submit_settle(c, 0, out);
}

int fg__r_settlement_get(fg__req_t *c, fg_buf_t *out)
{
    fg_error_t err;
    if (fg_service_settlement_get(c->s->svc, &c->who, c->param[0], out, &err) != 0)
        return fg__fail_err(c, &err);
    return 200;
}
