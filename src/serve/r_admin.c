/*
 * r_admin.c — the bureau's administration: POST /v1/kb/reload and GET /v1/audit.
 */
#include "core/compat.h"

#include <stdint.h>
#include <string.h>

#include "serve/serve_int.h"

int fg__r_kb_reload(fg__req_t *c, fg_buf_t *out)
{
    char version[FG_SERVICE_VERSION_MAX];
    fg_error_t err;
    int rc = fg_service_reload(c->s->svc, &c->who, version, &err);
    fg__log_reload(c->s, c->who.id, version, rc, &err);
    if (rc != 0)
        return fg__fail_err(c, &err);
    fg_buf_appends(out, "{\"kb_version\":");
    fg_buf_append_json_str(out, version, strlen(version));
    fg_buf_appendc(out, '}');
    return 200;
}

int fg__r_audit(fg__req_t *c, fg_buf_t *out)
{
    long long after, limit;
    int st = fg__query_int(c, "after", 0, INT64_MAX, 0, &after);
    if (st == 0)
        st = fg__query_int(c, "limit", 1, 1000, 100, &limit);
    if (st != 0)
        return st;
    fg_error_t err;
    fg_service_audit_t res;
    fg_buf_init(&res.lines, 64u << 20);
    int rc = fg_service_audit(c->s->svc, &c->who, (uint64_t)after, (int)limit, &res, &err);
    if (rc == 0) {
        /* JSON lines to an array */
        const fg_buf_t *l = &res.lines;
        fg_buf_printf(out, "{\"verified\":%s,\"head\":\"%s\",\"entries\":[",
                      res.verified ? "true" : "false", res.head);
        for (size_t i = 0; l->data != NULL && i < l->len; i++)
            fg_buf_appendc(out, l->data[i] == '\n' && i + 1 < l->len ? ','
                                : l->data[i] == '\n'                 ? ' '
                                                                     : l->data[i]);
        fg_buf_appends(out, "]}");
    }
    fg_buf_release(&res.lines);
    return rc == 0 ? 200 : fg__fail_err(c, &err);
}
