/*
 * settlements.c — completed settlements as received and the decision on each (put once: a retry
 * of the same document is answered with the first decision, another document under the same
 * setl_id is a conflict), and the answers of documents keyed by their digest (inventory).
 */
#include "core/compat.h"

#include <string.h>

#include "fundguard/alloc.h"
#include "fundguard/store.h"
#include "store/store_int.h"

/* ---------------------------------------------------------------- settlements */

typedef struct text_ctx {
    fg_buf_t *out;
    int found;
} text_ctx_t;

static int take_text(void *ctx, int ncol, const char *const *vals)
{
    text_ctx_t *t = ctx;
    t->found = 1;
    if (ncol < 1 || vals[0] == NULL || t->out == NULL)
        return 0;
    return fg_buf_appends(t->out, vals[0]);
}

int fg_store_settlement_put(fg_store_t *s, const fg_store_settlement_t *st, fg_buf_t *prior,
                            fg_error_t *err)
{
    char digest[65], at[FG_TIME_TEXTLEN + 1], setl_time[FG_TIME_TEXTLEN + 1];
    fg_store_digest(st->body, st->body_len, digest);
    fg__store_now(at);
    fg__store_time_text(st->setl_time, setl_time);
    if (setl_time[0] == '\0')
        fg__store_copy(setl_time, sizeof(setl_time), at);
    int rc = fg_store_begin(s, err);
    if (rc != 0)
        return rc;
    const char *k[] = {st->setl_id};
    fg__store_first_t f = {0};
    rc = fg__store_q(s, "SELECT digest FROM fg_settlement WHERE setl_id = $1", 1, k,
                     fg__store_take_first, &f, err);
    if (rc == 0 && f.found) {
        if (strcmp(f.v[0], digest) != 0) {
            rc = fg_error_set(err, FG_E_CONFLICT, "setl_id", 0,
                              "settlement '%s' was stored before with different content",
                              st->setl_id);
        } else {
            text_ctx_t t = {.out = prior};
            rc = fg__store_q(s, "SELECT body FROM fg_decision WHERE setl_id = $1", 1, k, take_text,
                             &t, err);
            if (rc == 0)
                rc = 1;
        }
        /* Nothing was written: end the (possibly joined) transaction without failing it. */
        int crc = fg_store_commit(s, NULL);
        return rc != 0 ? rc : crc;
    }
    char *body = fg_strndup(st->body, st->body_len);
    if (body == NULL) {
        fg_store_rollback(s);
        return fg_error_set(err, FG_ENOMEM, "", 0, NULL);
    }
    const char *p[] = {st->setl_id,
                       st->fixmedins_code,
                       st->psn_no,
                       setl_time,
                       st->refund ? "1" : "0",
                       st->init_setl_id != NULL ? st->init_setl_id : "",
                       digest,
                       body,
                       at};
    if (rc == 0)
        rc = fg__store_q(
            s,
            "INSERT INTO fg_settlement (setl_id, fixmedins_code, psn_no, setl_time, refund, "
            "init_setl_id, digest, body, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
            "$9)",
            9, p, NULL, NULL, err);
    fg_free(body);
    const char *d[] = {st->setl_id, st->verdict, st->decision, at};
    if (rc == 0)
        rc = fg__store_q(
            s,
            "INSERT INTO fg_decision (setl_id, verdict, body, decided_at) VALUES ($1, $2, $3, "
            "$4)",
            4, d, NULL, NULL, err);
    return fg__store_finish(s, rc, err);
}

typedef struct setl_get {
    fg_arena_t *arena;
    fg_store_settlement_t *out;
    int found;
    int rc;
} setl_get_t;

static const char *keep(setl_get_t *g, const char *v)
{
    if (v == NULL)
        return NULL;
    char *c = fg_arena_strndup(g->arena, v, strlen(v));
    if (c == NULL)
        g->rc = FG_ENOMEM;
    return c;
}

static int take_setl(void *ctx, int ncol, const char *const *vals)
{
    setl_get_t *g = ctx;
    if (ncol < 6)
        return FG_EINTERNAL;
    g->found = 1;
    fg_store_settlement_t *o = g->out;
    memset(o, 0, sizeof(*o));
    o->setl_id = keep(g, fg__store_str(vals[0]));
    o->fixmedins_code = keep(g, fg__store_str(vals[1]));
    o->setl_time = fg__store_time(vals[2]);
    o->refund = fg__store_i64(vals[3]) != 0;
    o->init_setl_id = keep(g, fg__store_str(vals[4]));
    o->decision = keep(g, vals[5]);
    return g->rc;
}

int fg_store_settlement_get(fg_store_t *s, const char *setl_id, fg_arena_t *arena,
                            fg_store_settlement_t *out, fg_error_t *err)
{
    const char *p[] = {setl_id};
    setl_get_t g = {.arena = arena, .out = out};
    int rc = fg__store_q(s,
                         "SELECT s.setl_id, s.fixmedins_code, s.setl_time, s.refund, "
                         "s.init_setl_id, d.body FROM fg_settlement s LEFT JOIN fg_decision d "
                         "ON d.setl_id = s.setl_id WHERE s.setl_id = $1",
                         1, p, take_setl, &g, err);
    if (rc == FG_ENOMEM)
        return fg_error_set(err, FG_ENOMEM, "", 0, NULL);
    if (rc == 0 && !g.found)
        rc = fg_error_set(err, FG_ENOTFOUND, "setl_id", 0, "no settlement '%s'", setl_id);
    return rc;
}

int fg_store_settlement_json(const fg_store_settlement_t *st, fg_buf_t *out)
{
    fg__store_obj_t o = fg__store_obj(out);
    fg__store_obj_str(&o, "setl_id", st->setl_id);
    fg__store_obj_str(&o, "fixmedins_code", st->fixmedins_code);
    fg__store_obj_time(&o, "setl_time", st->setl_time);
    fg__store_obj_int(&o, "refund", st->refund);
    fg__store_obj_str(&o, "init_setl_id", st->init_setl_id);
    fg__store_obj_raw(&o, "decision", st->decision);
    return fg__store_obj_end(&o);
}

/* ---------------------------------------------------------------- documents answered */

/* The key of a document: its digest and institution (an institution cannot see another's
 * answers). */
static void request_key(const char *digest, const char *inst, char key[65])
{
    char both[160];
    int n = snprintf(both, sizeof(both), "%s|%s", digest, inst);
    fg_store_digest(both, (size_t)n < sizeof(both) ? (size_t)n : sizeof(both) - 1, key);
}

int fg_store_request_get(fg_store_t *s, const char *digest, const char *fixmedins_code,
                         fg_buf_t *out, fg_error_t *err)
{
    char key[65];
    request_key(digest, fixmedins_code, key);
    const char *p[] = {key};
    text_ctx_t t = {.out = out};
    int rc = fg__store_q(s, "SELECT response FROM fg_request WHERE digest = $1", 1, p, take_text,
                         &t, err);
    if (rc == 0 && !t.found)
        rc = fg_error_set(err, FG_ENOTFOUND, "", 0, "not answered before");
    return rc;
}

int fg_store_request_put(fg_store_t *s, const char *digest, const char *fixmedins_code,
                         const char *response, fg_error_t *err)
{
    char key[65], at[FG_TIME_TEXTLEN + 1];
    request_key(digest, fixmedins_code, key);
    fg__store_now(at);
    const char *p[] = {key, fixmedins_code, response, at};
    return fg__store_q(
        s, "INSERT INTO fg_request (digest, fixmedins_code, response, at) VALUES ($1, $2, $3, $4)",
        4, p, NULL, NULL, err);
}
