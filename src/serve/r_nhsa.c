/*
 * r_nhsa.c — POST /nhsa/{infno}: the national platform's interfaces (2204 2206 2207 3503–3506) in
 * its envelope: {"infcode":0,"err_msg":"","output":…}, validation failures as infcode -1 with the
 * message.
 */
#include "core/compat.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "fundguard/utf8.h"
#include "serve/serve_int.h"

/* The error answer written (c->rs->body, also out) as the platform's infcode -1 envelope. */
static void envelope_error(fg__req_t *c, fg_buf_t *out)
{
    json_t *e = json_loadb(c->rs->body.data, c->rs->body.len, 0, NULL);
    fg_buf_reset(out); /* out is the response body: the error is replaced by the envelope */
    const char *msg = json_string_value(json_object_get(e, "message"));
    const char *field = json_string_value(json_object_get(e, "field"));
    fg_buf_appends(out, "{\"infcode\":-1,\"err_msg\":");
    char m[512];
    int mn = snprintf(m, sizeof(m), "%s%s%s", field != NULL && field[0] ? field : "",
                      field != NULL && field[0] ? ": " : "", msg != NULL ? msg : "");
    size_t ml = mn < 0 ? 0 : (size_t)mn < sizeof(m) ? (size_t)mn : fg_utf8_cut(m, sizeof(m) - 1);
    fg_buf_append_json_str(out, m, ml);
    fg_buf_appends(out, ",\"output\":{}}");
    json_decref(e);
}

int fg__r_nhsa(fg__req_t *c, fg_buf_t *out)
{
    const char *infno_s = c->param[0];
    char *end = NULL;
    long infno = strtol(infno_s, &end, 10);
    fg_buf_t body;
    fg_buf_init(&body, 64u << 20);
    int st;
    if (end == infno_s || *end != '\0')
        st = fg__fail(c, FG_E_INFNO, "infno", "unknown interface number");
    else if (infno == 2204 || infno == 2206)
        st = fg__submit_check(c, (int)infno, FG_STAGE_IN, &body);
    else if (infno == 2207)
        st = fg__submit_settle(c, (int)infno, &body);
    else if (infno >= 3503 && infno <= 3506)
        st = fg__submit_inventory(c, (int)infno, &body);
    else
        st = fg__fail(c, FG_E_INFNO, "infno", "interface not served: 2204 2206 2207 3503–3506");
    if (st == 0 || st == 200 || st == 201) {
        fg_buf_printf(out, "{\"infcode\":0,\"err_msg\":\"\",\"output\":%s}",
                      body.data != NULL ? body.data : "{}");
        st = 200;
    } else if (st == 400 || st == 409) {
        envelope_error(c, out);
        st = 200;
    }
    fg_buf_release(&body);
    return st;
}
