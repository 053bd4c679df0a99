/*
 * api.c — the HTTP API (docs/openapi.yaml): routing, authentication and scoping, the handlers,
 * errors as {code, field, message}, and /nhsa/{infno} in the platform envelope.
 *
 * Who may do what:
 *   institution key   submit (check, settlements, inventory, /nhsa) and read, for its own
 *                     fixmedins_code only (403 otherwise)
 *   admin             everything: submit for any institution, reference data, kb reload, audit
 *   reviewer, leader  read everything
 *   auditor           read everything, the audit trail included; never writes
 *
 * A write is acknowledged only when it is durable: ledger events are synced, the store's
 * transaction (the settlement, its decision, its alerts and findings, the audit entry) committed.
 * A settlement posted again (a retry after a lost answer or a crash) is answered with the decision
 * recorded the first time and changes nothing; its ledger events are recognised in the codes'
 * history and never applied twice.
 */
#include "core/compat.h"

#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fundguard/codes.h"
#include "fundguard/model.h"
#include "fundguard/utf8.h"
#include "serve/serve_int.h"

typedef struct req_ctx {
    fg_server_t *s;
    const fg__http_req_t *rq;
    fg__http_resp_t *rs;
    fg_principal_t who;
    fg_arena_t *arena; /* the worker's, reset after the request */
    fg_arena_t own;    /* used when the worker has none */
} req_ctx_t;

/* Routes and statuses as /metrics counts them. */
enum {
    R_OTHER,
    R_HEALTHZ,
    R_METRICS,
    R_CHECK,
    R_SETTLEMENTS,
    R_SETTLEMENT_GET,
    R_INVENTORY,
    R_TRACE,
    R_ALERTS,
    R_FINDINGS,
    R_REFERENCE,
    R_KB_RELOAD,
    R_AUDIT,
    R_NHSA
};
static const char *const route_names[FG__ROUTES] = {
    "other", "healthz", "metrics",  "check",     "settlements", "settlement_get", "inventory",
    "trace", "alerts",  "findings", "reference", "kb_reload",   "audit",          "nhsa"};
static const int statuses[FG__STATUSES] = {200, 201, 400, 401, 403, 404, 405,
                                           409, 413, 429, 500, 503, 0};
static const double bucket_ms[FG__BUCKETS] = {0.25, 0.5, 1,   2.5, 5,    10,
                                              25,   50,  100, 250, 1000, 1e300};

/* ---------------------------------------------------------------- responses */

static int fail(req_ctx_t *c, int status, int code, const char *field, const char *msg)
{
    fg__http_resp_t *rs = c->rs;
    rs->status = status;
    fg_buf_reset(&rs->body);
    fg_buf_appends(&rs->body, "{\"code\":");
    const char *name = fg_err_name(code);
    fg_buf_append_json_str(&rs->body, name, strlen(name));
    fg_buf_appends(&rs->body, ",\"field\":");
    fg_buf_append_json_str(&rs->body, field != NULL ? field : "",
                           field != NULL ? strlen(field) : 0);
    fg_buf_appends(&rs->body, ",\"message\":");
    const char *m = msg != NULL && msg[0] != '\0' ? msg : fg_strerror(code);
    fg_buf_append_json_str(&rs->body, m, strlen(m));
    fg_buf_appendc(&rs->body, '}');
    return status;
}

static int fail_err(req_ctx_t *c, int status, const fg_error_t *e)
{
    return fail(c, status, e->code, e->where, e->msg);
}

/* The status for an engine or store error. */
static int status_of(int code)
{
    switch (code) {
    case FG_E_CONFLICT:
        return 409;
    case FG_ENOTFOUND:
        return 404;
    case FG_E_FORBIDDEN:
        return 403;
    case FG_E_AUTH:
        return 401;
    case FG_ELIMIT:
    case FG_E_BODY_SIZE:
        return 413;
    case FG_ENOMEM:
    case FG_EIO:
    case FG_EINTERNAL:
    case FG_E_STORE:
    case FG_E_LEDGER_FAILED:
    case FG_E_LEDGER_JOURNAL:
        return 500;
    default:
        return code <= -10000 ? 400 : 500;
    }
}

/* ---------------------------------------------------------------- authentication and scope */

static int is_role(const req_ctx_t *c, const char *role)
{
    return strcmp(c->who.role, role) == 0;
}

static int is_institution(const req_ctx_t *c)
{
    return is_role(c, "institution");
}

/* Submitting is for institution keys and admins. */
static int may_submit(req_ctx_t *c)
{
    if (is_institution(c) || is_role(c, "admin"))
        return 1;
    fail(c, 403, FG_E_FORBIDDEN, "", "this role may not submit data");
    return 0;
}

/* An institution key reaches only its own fixmedins_code. */
static int in_scope(req_ctx_t *c, const char *inst)
{
    if (!is_institution(c) || strcmp(inst, c->who.fixmedins_code) == 0)
        return 1;
    fail(c, 403, FG_E_FORBIDDEN, "fixmedins_code",
         "an institution key reaches only its own institution's data");
    return 0;
}

static int64_t mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec;
}

/* Not signed in: 401 (the same answer whatever was wrong). */
static int refuse(req_ctx_t *c, int *st)
{
    *st = fail(c, 401, FG_E_AUTH, "Authorization",
               "send an API key (Authorization: Bearer KEY) or officer credentials");
    return 0;
}

/* "name:password" (colon at the ':') against the store, under the sign-in limits: while the name
 * or the client's address is locked, 429 with Retry-After and no argon2id work at all. */
static int check_password(req_ctx_t *c, char *cred, char *colon, int64_t now, int *st)
{
    char addr[64];
    fg__http_peer(c->rq, addr);
    *colon = '\0';
    int wait = fg__signin_begin(&c->s->signin, cred, addr, now);
    if (wait > 0) {
        c->rs->retry_after = wait;
        *st = fail(c, 429, FG_E_AUTH_RATE, "Authorization", NULL);
        return 0;
    }
    fg_error_t err;
    int rc = fg_store_user_check(c->s->store, cred, colon + 1, &c->who, &err);
    fg__signin_end(&c->s->signin, cred, addr, rc, mono_s());
    return rc == 0 ? 1 : refuse(c, st);
}

/* An API key (colon NULL) or "name:password" (colon points at the ':'): from the cache of recent
 * verifications, else verified against the store (a key's SHA-256; argon2id for a password) and
 * cached. 1 when verified; else 0 with the answer written and its status in *st. A wrong key and
 * an unknown one take the same path: the store looks the key up by the digest of all of it, never
 * by the id inside it, and a key's 128 random bits leave nothing to guess, so keys are not under
 * the sign-in limits. */
static int verify(req_ctx_t *c, char *cred, char *colon, int *st)
{
    fg__auth_cache_t *a = &c->s->auth;
    unsigned char d[32];
    crypto_hash_sha256_state hs;
    crypto_hash_sha256_init(&hs);
    crypto_hash_sha256_update(&hs, a->salt, sizeof(a->salt));
    crypto_hash_sha256_update(&hs, (const unsigned char *)(colon != NULL ? "u" : "k"), 1);
    crypto_hash_sha256_update(&hs, (const unsigned char *)cred, strlen(cred));
    crypto_hash_sha256_final(&hs, d);
    size_t k = (d[0] | (size_t)d[1] << 8) % FG__AUTH_SLOTS;
    int64_t now = mono_s();
    int hit = 0;
    pthread_mutex_lock(&a->mu);
    if (a->slot[k].expires > now && sodium_memcmp(a->slot[k].digest, d, sizeof(d)) == 0) {
        c->who = a->slot[k].who;
        hit = 1;
    }
    pthread_mutex_unlock(&a->mu);
    if (hit)
        return 1;
    fg_error_t err;
    int ok;
    if (colon != NULL)
        ok = check_password(c, cred, colon, now, st);
    else
        ok = fg_store_key_find(c->s->store, cred, &c->who, &err) == 0 || refuse(c, st);
    if (!ok)
        return 0;
    pthread_mutex_lock(&a->mu);
    memcpy(a->slot[k].digest, d, sizeof(d));
    a->slot[k].who = c->who;
    a->slot[k].expires = now + FG__AUTH_TTL;
    pthread_mutex_unlock(&a->mu);
    return 1;
}

/* 1 when the caller is known (c->who); else 0 with the answer (401 or 429) written, its status in
 * *st. */
static int authenticate(req_ctx_t *c, int *st)
{
    const char *h = fg__http_header(c->rq, "Authorization");
    const char *key = fg__http_header(c->rq, "X-API-Key");
    if (key == NULL && h != NULL && strncmp(h, "Bearer ", 7) == 0)
        key = h + 7;
    if (key != NULL) {
        char k[FG_STORE_KEY_LEN + 1];
        size_t n = strlen(key);
        if (n != FG_STORE_KEY_LEN)
            return refuse(c, st);
        memcpy(k, key, n + 1);
        return verify(c, k, NULL, st);
    }
    if (h == NULL || strncmp(h, "Basic ", 6) != 0)
        return refuse(c, st);
    unsigned char raw[256];
    size_t n = 0;
    if (sodium_base642bin(raw, sizeof(raw) - 1, h + 6, strlen(h + 6), NULL, &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return refuse(c, st);
    raw[n] = '\0';
    char *colon = strchr((char *)raw, ':');
    if (colon == NULL)
        return refuse(c, st);
    return verify(c, (char *)raw, colon, st);
}

/* ---------------------------------------------------------------- documents */

typedef struct diag_first {
    fg_error_t first;
    int have;
} diag_first_t;

static void keep_first(void *ctx, const fg_error_t *e)
{
    diag_first_t *d = ctx;
    if (!d->have) {
        d->first = *e;
        d->have = 1;
    }
}

static int parse_doc(req_ctx_t *c, int infno, fg_doc_t *doc)
{
    fg_json_limits_t lim = {.max_depth = (size_t)c->s->c.json_depth,
                            .max_bytes = (size_t)c->s->c.max_body,
                            .max_items = (size_t)c->s->c.max_items};
    diag_first_t d = {0};
    fg_diag_t diag = {.report = keep_first, .ctx = &d};
    fg_error_t err;
    fg__jalloc_begin();
    int rc = fg_doc_parse(c->rq->body, c->rq->body_len, infno, &lim, c->arena, doc, &diag, &err);
    fg__jalloc_end();
    return rc != 0 ? fail_err(c, 400, d.have ? &d.first : &err) : 0;
}

/* Every institution code the document names must be the caller's (institution keys); the code
 * the document is about is written to inst. */
static int doc_scope(req_ctx_t *c, const fg_doc_t *doc, char inst[16])
{
    const char *codes[8];
    int n = 0;
    codes[n++] = doc->fixmedins_code;
    if (doc->institution != NULL)
        codes[n++] = doc->institution->fixmedins_code;
    if (doc->visit != NULL)
        codes[n++] = doc->visit->fixmedins_code;
    if (doc->settlement != NULL)
        codes[n++] = doc->settlement->fixmedins_code;
    inst[0] = '\0';
    for (int i = 0; i < n; i++)
        if (codes[i][0] != '\0' && inst[0] == '\0')
            memcpy(inst, codes[i], strlen(codes[i]) + 1);
    for (size_t i = 0; i < doc->nfees; i++)
        if (inst[0] == '\0' && doc->fees[i].fixmedins_code[0] != '\0')
            memcpy(inst, doc->fees[i].fixmedins_code, strlen(doc->fees[i].fixmedins_code) + 1);
    for (size_t i = 0; i < doc->ninv; i++)
        if (inst[0] == '\0' && doc->inv[i].fixmedins_code[0] != '\0')
            memcpy(inst, doc->inv[i].fixmedins_code, strlen(doc->inv[i].fixmedins_code) + 1);
    if (inst[0] == '\0') {
        if (!is_institution(c))
            return fail(c, 400, FG_E_REQUIRED, "fixmedins_code",
                        "the document names no institution (fixmedins_code)");
        memcpy(inst, c->who.fixmedins_code, strlen(c->who.fixmedins_code) + 1);
    }
    for (int i = 0; i < n; i++)
        if (codes[i][0] != '\0' && !in_scope(c, codes[i]))
            return 403;
    for (size_t i = 0; i < doc->nfees; i++)
        if (doc->fees[i].fixmedins_code[0] != '\0' && !in_scope(c, doc->fees[i].fixmedins_code))
            return 403;
    for (size_t i = 0; i < doc->ninv; i++)
        if (doc->inv[i].fixmedins_code[0] != '\0' && !in_scope(c, doc->inv[i].fixmedins_code))
            return 403;
    return in_scope(c, inst) ? 0 : 403;
}

/* A submitted document: the caller may submit, it parses, and it is the caller's institution's. */
static int submitted(req_ctx_t *c, int infno, fg_doc_t *doc, char inst[16])
{
    if (!may_submit(c))
        return 403;
    int st = parse_doc(c, infno, doc);
    return st != 0 ? st : doc_scope(c, doc, inst);
}

/* The request body as it may be kept at rest (SPEC §2: certificate numbers as pseudonym and masked
 * form, fg_json_redact_ids), in the arena: what the store keeps and what digests are taken of. */
static int kept_body(req_ctx_t *c, const char *json, size_t n, const char **out, size_t *len)
{
    fg_buf_t b;
    fg_error_t err;
    fg_buf_init(&b, (size_t)c->s->c.max_body * 8 + 1024); /* each number grows ~5×: bounded */
    int rc = fg_json_redact_ids(json, n, &b, &err);
    *out = rc == 0 ? fg_arena_strndup(c->arena, b.data != NULL ? b.data : "", b.len) : NULL;
    *len = b.len;
    fg_buf_release(&b);
    if (rc != 0)
        return fail(c, status_of(rc), rc, "", err.msg);
    return *out != NULL ? 0 : fail(c, 500, FG_ENOMEM, "", NULL);
}

/* ---------------------------------------------------------------- review */

/* Check the document on the current engine; the decision JSON is appended to out. */
static int review(req_ctx_t *c, const fg_doc_t *doc, fg_stage_t stage, fg_decision_t *d,
                  fg_buf_t *out)
{
    fg_server_t *s = c->s;
    fg__engine_t *e = fg__engine_get(s);
    int k = fg__review_take(e);
    fg_error_t err;
    pthread_rwlock_rdlock(&s->hist_lock);
    int rc = fg_review_check(e->review[k], doc, stage, c->arena, d, &err);
    pthread_rwlock_unlock(&s->hist_lock);
    if (rc == 0)
        rc = fg_decision_json(doc, d, out);
    fg__review_release(e, k);
    fg__engine_put(e);
    atomic_fetch_add(&s->m.checks, 1);
    if (rc != 0)
        return fail(c, status_of(rc), rc, "", err.msg);
    return 0;
}

/* Remember a settled document in the history (idempotent), for the windows of later checks. */
static int remember(req_ctx_t *c, const fg_doc_t *doc, const fg_decision_t *d, fg_error_t *err)
{
    fg_server_t *s = c->s;
    fg__engine_t *e = fg__engine_get(s);
    int k = fg__review_take(e);
    pthread_rwlock_wrlock(&s->hist_lock);
    int rc = fg_review_commit(e->review[k], doc, d, err);
    pthread_rwlock_unlock(&s->hist_lock);
    fg__review_release(e, k);
    fg__engine_put(e);
    return rc;
}

static int do_check(req_ctx_t *c, int infno, fg_stage_t stage, fg_buf_t *out)
{
    fg_doc_t doc;
    char inst[16];
    int st = submitted(c, infno, &doc, inst);
    if (st != 0)
        return st;
    if (doc.visit == NULL || doc.person == NULL)
        return fail(c, 400, FG_E_REQUIRED, doc.visit == NULL ? "mdtrtinfo" : "psninfo",
                    "a check request needs psninfo and mdtrtinfo");
    fg_decision_t d;
    return review(c, &doc, stage, &d, out);
}

/* ---------------------------------------------------------------- the ledger */

typedef struct same_event {
    const fg_ledger_event_t *ev;
    fg_ledger_history_t found;
    int have;
} same_event_t;

static int is_same(void *ctx, const fg_ledger_history_t *h)
{
    same_event_t *m = ctx;
    const fg_ledger_event_t *a = m->ev, *b = &h->event;
    if (a->type == b->type && a->time == b->time && strcmp(a->inst, b->inst) == 0 &&
        strcmp(a->setl_id, b->setl_id) == 0 && strcmp(a->feedetl_sn, b->feedetl_sn) == 0 &&
        a->units == b->units) {
        m->found = *h;
        m->have = 1;
        return 1;
    }
    return 0;
}

/* One outcome for the answer and, when an alert, for the store. */
typedef struct applied {
    fg_ledger_event_t ev;
    fg_ledger_outcome_t outcome;
    fg_ledger_kind_t kind;
    int again;    /* it was in the history already (a retry) */
    char *detail; /* the result line (evidence) for alerts, in the arena */
    fg_error_t error;
} applied_t;

/* Apply events under the ledger lock, skipping those its history already holds, then sync: when
 * this returns 0 every event is durable. */
static void event_check(applied_t *a);

/* A split sale reported without its pack size (3505 and settlements carry only the units sold):
 * the size the ledger already keeps for the code (st), else the drug catalogue's (catalogue.csv or
 * the API's drug rows); with neither the event stays invalid (ledger.pack_units_required). */
static void pack_units_known(fg_server_t *s, fg__engine_t **e, const fg_ledger_code_state_t *st,
                             applied_t *a)
{
    uint32_t pack = st->pack_units;
    if (pack == 0) {
        if (*e == NULL)
            *e = fg__engine_get(s);
        pack = fg_ref_pack_units((*e)->ref, a->ev.med_list);
    }
    if (pack != 0) {
        a->ev.pack_units = pack;
        event_check(a);
    }
}

static int ledger_apply(req_ctx_t *c, applied_t *a, size_t n)
{
    fg_server_t *s = c->s;
    fg_error_t err;
    int rc = 0;
    fg__engine_t *e = NULL;
    pthread_mutex_lock(&s->ledger_mu);
    for (size_t i = 0; i < n && rc == 0; i++) {
        int need_pack = a[i].outcome == FG_LEDGER_INVALID && a[i].error.code == FG_E_LEDGER_PACK;
        if (a[i].outcome == FG_LEDGER_INVALID && a[i].error.code != 0 && !need_pack)
            continue;
        /* One look at the code: a retry of an event already in its history is answered, not
         * applied again; its state gives a missing pack size. */
        same_event_t m = {.ev = &a[i].ev};
        fg_ledger_code_state_t st;
        if (fg_ledger_query(s->ledger, a[i].ev.code, &st, is_same, &m, NULL) != 0)
            memset(&st, 0, sizeof(st));
        if (m.have) {
            a[i].outcome = m.found.outcome;
            a[i].kind = m.found.kind;
            a[i].error.code = 0;
            a[i].again = 1;
            continue;
        }
        if (need_pack) {
            pack_units_known(s, &e, &st, &a[i]);
            if (a[i].error.code != 0)
                continue;
        }
        fg_ledger_result_t r;
        rc = fg_ledger_apply(s->ledger, &a[i].ev, &r, &err);
        if (rc != 0)
            break;
        a[i].outcome = r.outcome;
        a[i].kind = r.kind;
        a[i].error = r.error;
        atomic_fetch_add(&s->m.ledger_events, 1);
        if (fg_ledger_is_alert(r.outcome)) {
            fg_buf_t b;
            fg_buf_init(&b, 1u << 20);
            if (fg_ledger_result_json(&r, r.lsn, &b) == 0 && b.len > 0) {
                a[i].detail = fg_arena_strndup(c->arena, b.data, b.len - 1);
            }
            fg_buf_release(&b);
        }
    }
    if (rc == 0)
        rc = fg_ledger_sync(s->ledger, &err);
    pthread_mutex_unlock(&s->ledger_mu);
    fg__engine_put(e);
    if (rc != 0)
        return fail(c, 500, rc, "", err.msg);
    return 0;
}

static void event_init(applied_t *a, fg_ledger_type_t type, const char *code, const char *inst,
                       fg_time_t t)
{
    memset(a, 0, sizeof(*a));
    a->ev.type = type;
    snprintf(a->ev.code, sizeof(a->ev.code), "%s", code);
    snprintf(a->ev.inst, sizeof(a->ev.inst), "%s", inst);
    a->ev.time = t != FG_TIME_NONE ? t : fg_time_now();
}

/* Validate (and normalise) an event; an invalid one keeps its error and is not applied. */
static void event_check(applied_t *a)
{
    if (fg_ledger_event_check(&a->ev, &a->error) != 0)
        a->outcome = FG_LEDGER_INVALID;
    else
        a->error.code = 0;
}

static void copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = strnlen(src, cap - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Alerts of the applied events into the store (inside the caller's transaction). */
static int store_alerts(req_ctx_t *c, const applied_t *a, size_t n, fg_error_t *err)
{
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (!fg_ledger_is_alert(a[i].outcome))
            continue;
        fg_store_alert_t al = {.kind = fg_ledger_outcome_name(a[i].outcome),
                               .fixmedins_code = a[i].ev.inst,
                               .code = a[i].ev.code,
                               .setl_id = a[i].ev.setl_id,
                               .occurred = a[i].ev.time,
                               .detail = a[i].detail != NULL ? a[i].detail : "{}"};
        rc = fg_store_alert_add(c->s->store, FG_STORE_ALERTS, &al, err);
        if (rc == 0)
            atomic_fetch_add(&c->s->m.alerts, 1);
    }
    return rc;
}

/* ,"name":"value" with the value through the JSON string writer (never invalid UTF-8). */
static int json_member(fg_buf_t *out, const char *name, const char *value)
{
    int rc = fg_buf_printf(out, ",\"%s\":", name);
    return rc == 0 ? fg_buf_append_json_str(out, value, strlen(value)) : rc;
}

static int outcomes_json(const applied_t *a, size_t n, fg_buf_t *out)
{
    int rc = fg_buf_appendc(out, '[');
    for (size_t i = 0; i < n && rc == 0; i++) {
        const char *kind = fg_ledger_kind_name(a[i].kind);
        rc = fg_buf_appends(out, i ? ",{\"drug_trac_codg\":" : "{\"drug_trac_codg\":");
        if (rc == 0)
            rc = fg_buf_append_json_str(out, a[i].ev.code, strlen(a[i].ev.code));
        if (rc == 0)
            rc = fg_buf_printf(out, ",\"type\":\"%s\",\"outcome\":\"%s\"",
                               fg_ledger_type_name(a[i].ev.type),
                               fg_ledger_outcome_name(a[i].outcome));
        if (rc == 0 && a[i].ev.feedetl_sn[0] != '\0')
            rc = json_member(out, "feedetl_sn", a[i].ev.feedetl_sn);
        if (rc == 0 && kind != NULL)
            rc = fg_buf_printf(out, ",\"kind\":\"%s\"", kind);
        if (rc == 0 && a[i].again)
            rc = fg_buf_appends(out, ",\"replayed\":true");
        if (rc == 0 && a[i].outcome == FG_LEDGER_INVALID) {
            const char *name = fg_err_name(a[i].error.code);
            rc = fg_buf_printf(out, ",\"error\":{\"code\":\"%s\",\"message\":", name);
            if (rc == 0)
                rc = fg_buf_append_json_str(out, a[i].error.msg, strlen(a[i].error.msg));
            if (rc == 0)
                rc = fg_buf_appendc(out, '}');
        }
        if (rc == 0)
            rc = fg_buf_appendc(out, '}');
    }
    return rc == 0 ? fg_buf_appendc(out, ']') : rc;
}

static void audit_entry(req_ctx_t *c, const char *action, const char *object, const char *before,
                        const char *after, fg_error_t *err, int *rc)
{
    if (*rc != 0)
        return;
    fg_audit_entry_t e = {
        .actor = c->who.id, .action = action, .object = object, .before = before, .after = after};
    *rc = fg_store_audit_append(c->s->store, &e, err);
}

/* ---------------------------------------------------------------- settlements */

/* The ledger events of a settlement's trace codes: sales, or returns for a refund (matched to the
 * original line by init_feedetl_sn). */
static size_t settlement_events(req_ctx_t *c, const fg_doc_t *doc, const char *inst,
                                applied_t **out)
{
    const fg_settlement_t *st = doc->settlement;
    size_t n = 0;
    for (size_t i = 0; i < doc->nfees; i++)
        n += doc->fees[i].ntrace;
    applied_t *a = n > 0 ? fg_arena_calloc(c->arena, n, sizeof(*a)) : NULL;
    size_t k = 0;
    for (size_t i = 0; i < doc->nfees && a != NULL; i++) {
        const fg_fee_line_t *f = &doc->fees[i];
        int ret = st->refd_setl_flag == 1 || f->init_feedetl_sn[0] != '\0';
        fg_time_t t = f->fee_ocur_time != FG_TIME_NONE ? f->fee_ocur_time : st->setl_time;
        for (size_t j = 0; j < f->ntrace; j++, k++) {
            applied_t *e = &a[k];
            event_init(e, ret ? FG_LEDGER_SALE_RETURN : FG_LEDGER_SALE, f->trace[j].drug_trac_codg,
                       inst, t);
            e->ev.trdn = f->trace[j].trdn_flag;
            if (e->ev.trdn)
                e->ev.units = (uint32_t)(f->cnt / 10000);
            copy_str(e->ev.med_list, sizeof(e->ev.med_list), f->med_list_codg);
            copy_str(e->ev.setl_id, sizeof(e->ev.setl_id),
                     ret && st->init_setl_id[0] != '\0' ? st->init_setl_id : st->setl_id);
            copy_str(e->ev.feedetl_sn, sizeof(e->ev.feedetl_sn),
                     f->init_feedetl_sn[0] != '\0' ? f->init_feedetl_sn : f->feedetl_sn);
            copy_str(e->ev.psn_no, sizeof(e->ev.psn_no), st->psn_no);
            event_check(e);
        }
    }
    *out = a;
    return a != NULL ? n : 0;
}

/* Findings: the hits of a decision that holds or blocks. */
static int store_findings(req_ctx_t *c, const fg_doc_t *doc, const fg_decision_t *d,
                          const char *inst, fg_error_t *err)
{
    if (d->verdict < FG_VERDICT_HOLD)
        return 0;
    int rc = 0;
    fg_buf_t b;
    fg_buf_init(&b, 1u << 20);
    for (size_t i = 0; i < d->nhits && rc == 0; i++) {
        const fg_hit_t *h = &d->hits[i];
        const fg_rule_t *r = fg_rule(h->rule);
        const fg_fee_line_t *f = h->line >= 0 ? &doc->fees[h->line] : NULL;
        fg_buf_reset(&b);
        rc = fg_buf_printf(&b, "{\"rule\":\"%s\",\"level\":\"%s\"", r != NULL ? r->code : "",
                           r != NULL ? fg_level_name(r->level) : "");
        if (rc == 0)
            rc = json_member(&b, "feedetl_sn", f != NULL ? f->feedetl_sn : "");
        if (rc == 0)
            rc = fg_buf_printf(&b, ",\"amount\":%lld", (long long)h->amount);
        if (rc == 0)
            rc = json_member(&b, "kp", h->kp);
        if (rc == 0)
            rc = fg_buf_appends(&b, ",\"message\":");
        if (rc == 0)
            rc = fg_buf_append_json_str(&b, h->message != NULL ? h->message : "",
                                        h->message != NULL ? strlen(h->message) : 0);
        if (rc == 0)
            rc = fg_buf_appendc(&b, '}');
        fg_store_alert_t al = {.kind = r != NULL ? r->code : "",
                               .fixmedins_code = inst,
                               .code = f != NULL ? f->med_list_codg : "",
                               .setl_id = doc->settlement->setl_id,
                               .occurred = doc->settlement->setl_time,
                               .detail = b.data};
        if (rc == 0)
            rc = fg_store_alert_add(c->s->store, FG_STORE_FINDINGS, &al, err);
    }
    fg_buf_release(&b);
    return rc;
}

/* The answer to a settlement stored before (rc 1: *prior holds its first decision), or the error
 * (a different settlement under the same setl_id: 409). Releases prior. */
static int replayed(req_ctx_t *c, const char *setl_id, int rc, fg_buf_t *prior,
                    const fg_error_t *err, fg_buf_t *out)
{
    int st = 200;
    if (rc == 1) {
        fg_buf_appends(out, "{\"setl_id\":");
        fg_buf_append_json_str(out, setl_id, strlen(setl_id));
        fg_buf_printf(out, ",\"replayed\":true,\"decision\":%s}",
                      prior->data != NULL ? prior->data : "null");
    } else {
        st = fail(c, status_of(rc != 0 ? rc : FG_E_CONFLICT), rc != 0 ? rc : FG_E_CONFLICT,
                  "setl_id", err->msg);
    }
    fg_buf_release(prior);
    return st;
}

static int do_settlement(req_ctx_t *c, int infno, fg_buf_t *out)
{
    fg_doc_t doc;
    char inst[16];
    int st = submitted(c, infno, &doc, inst);
    if (st != 0)
        return st;
    const fg_settlement_t *setl = doc.settlement;
    if (setl == NULL || setl->setl_id[0] == '\0')
        return fail(c, 400, FG_E_REQUIRED, "setlinfo.setl_id",
                    "a completed settlement needs setlinfo with setl_id");
    fg_server_t *s = c->s;
    fg_error_t err;
    const char *kept;
    size_t kept_len;
    st = kept_body(c, c->rq->body, c->rq->body_len, &kept, &kept_len);
    if (st != 0)
        return st;
    /* Kept without its identity numbers; a retry is recognised by that form (the pseudonym of a
     * different number differs, so a changed document is still a conflict). */
    fg_store_settlement_t ss = {.setl_id = setl->setl_id,
                                .fixmedins_code = inst,
                                .psn_no = setl->psn_no,
                                .setl_time = setl->setl_time,
                                .refund = setl->refd_setl_flag == 1,
                                .init_setl_id = setl->init_setl_id,
                                .body = kept,
                                .body_len = kept_len,
                                .verdict = "pass"};
    /* Stored before: the same settlement is answered with its first decision and changes
     * nothing; a different one under the same setl_id is a conflict. */
    char prior_inst[16];
    fg_buf_t prior;
    fg_buf_init(&prior, 64u << 20);
    int rc = fg_store_settlement_get(s->store, setl->setl_id, prior_inst, &prior, &err);
    fg_buf_release(&prior);
    if (rc == 0) {
        if (!in_scope(c, prior_inst))
            return 403;
        fg_buf_t again;
        fg_buf_init(&again, 64u << 20);
        ss.decision = "";
        rc = fg_store_settlement_put(s->store, &ss, &again, &err);
        return replayed(c, setl->setl_id, rc, &again, &err, out);
    }
    if (rc != FG_ENOTFOUND)
        return fail(c, status_of(rc), rc, "", err.msg);
    fg_decision_t d;
    memset(&d, 0, sizeof(d));
    fg_buf_t dec;
    fg_buf_init(&dec, 64u << 20);
    int have_review = doc.visit != NULL && doc.person != NULL;
    if (have_review)
        st = review(c, &doc, FG_STAGE_IN, &d, &dec);
    else
        fg_buf_printf(&dec, "{\"decision\":\"pass\",\"stage\":\"in\",\"reviewed\":false}");
    ss.decision = dec.data;
    ss.verdict = have_review ? fg_verdict_name(d.verdict) : "pass";
    /* The ledger first (events already in a code's history are recognised, not applied again),
     * then the history, then one store transaction: a crash between them is repaired by the
     * client's retry. */
    applied_t *a = NULL;
    size_t n = st == 0 ? settlement_events(c, &doc, inst, &a) : 0;
    if (st == 0)
        st = ledger_apply(c, a, n);
    if (st != 0) {
        fg_buf_release(&dec);
        return st;
    }
    rc = have_review ? remember(c, &doc, &d, &err) : 0;
    char after[65];
    fg_store_digest(kept, kept_len, after);
    fg_buf_t again;
    fg_buf_init(&again, 64u << 20);
    if (rc == 0)
        rc = fg_store_begin(s->store, &err);
    if (rc == 0) {
        rc = fg_store_settlement_put(s->store, &ss, &again, &err);
        if (rc == 0)
            rc = store_alerts(c, a, n, &err);
        if (rc == 0 && have_review)
            rc = store_findings(c, &doc, &d, inst, &err);
        audit_entry(c, "settlement.put", setl->setl_id, "", after, &err, &rc);
        if (rc == 0)
            rc = fg_store_commit(s->store, &err);
        else
            fg_store_rollback(s->store);
    }
    if (rc != 0) { /* 1: a concurrent request stored the same settlement first */
        fg_buf_release(&dec);
        return replayed(c, setl->setl_id, rc, &again, &err, out);
    }
    fg_buf_release(&again);
    atomic_fetch_add(&s->m.settlements, 1);
    fg_buf_appends(out, "{\"setl_id\":");
    fg_buf_append_json_str(out, setl->setl_id, strlen(setl->setl_id));
    fg_buf_printf(out, ",\"replayed\":false,\"decision\":%s,\"ledger\":", dec.data);
    fg_buf_release(&dec);
    outcomes_json(a, n, out);
    fg_buf_appendc(out, '}');
    return 201;
}

/* ---------------------------------------------------------------- inventory */

static int inv_type(fg_inv_type_t t)
{
    switch (t) {
    case FG_INV_PURCHASE:
        return FG_LEDGER_PURCHASE;
    case FG_INV_PURCHASE_RETURN:
        return FG_LEDGER_PURCHASE_RETURN;
    case FG_INV_SALE:
        return FG_LEDGER_SALE;
    case FG_INV_SALE_RETURN:
        return FG_LEDGER_SALE_RETURN;
    default:
        return 0; /* 3501, 3502, 3507: recorded, no ledger event */
    }
}

static int do_inventory(req_ctx_t *c, int infno, fg_buf_t *out)
{
    fg_doc_t doc;
    char inst[16];
    int st = submitted(c, infno, &doc, inst);
    if (st != 0)
        return st;
    if (doc.ninv == 0)
        return fail(c, 400, FG_E_REQUIRED, "input",
                    "an inventory document (3501–3507) holds at least one event");
    /* The same document again (a retry): the first answer, nothing applied or alerted twice. It
     * is known by the digest of its form at rest (no identity number goes into a digest). */
    fg_error_t err;
    char after[65];
    const char *kept;
    size_t kept_len;
    st = kept_body(c, c->rq->body, c->rq->body_len, &kept, &kept_len);
    if (st != 0)
        return st;
    fg_store_digest(kept, kept_len, after);
    fg_buf_t first;
    fg_buf_init(&first, 64u << 20);
    int rc = fg_store_request_get(c->s->store, after, inst, &first, &err);
    if (rc == 0) {
        const char *mark = "\"replayed\":false";
        const char *at = strstr(first.data, mark);
        size_t pre = at != NULL ? (size_t)(at - first.data) : 0;
        fg_buf_append(out, first.data, pre);
        fg_buf_appends(out, at != NULL ? "\"replayed\":true" : "");
        fg_buf_appends(out, first.data + pre + (at != NULL ? strlen(mark) : 0));
    }
    fg_buf_release(&first);
    if (rc == 0)
        return 200;
    if (rc != FG_ENOTFOUND)
        return fail(c, status_of(rc), rc, "", err.msg);
    size_t n = 0;
    for (size_t i = 0; i < doc.ninv; i++)
        n += inv_type(doc.inv[i].type) != 0 ? doc.inv[i].ntrace : 0;
    applied_t *a = n > 0 ? fg_arena_calloc(c->arena, n, sizeof(*a)) : NULL;
    if (n > 0 && a == NULL)
        return fail(c, 500, FG_ENOMEM, "", NULL);
    size_t k = 0;
    for (size_t i = 0; i < doc.ninv; i++) {
        const fg_inv_event_t *v = &doc.inv[i];
        int type = inv_type(v->type);
        for (size_t j = 0; type != 0 && j < v->ntrace; j++, k++) {
            event_init(&a[k], (fg_ledger_type_t)type, v->trace[j].drug_trac_codg,
                       v->fixmedins_code[0] != '\0' ? v->fixmedins_code : inst, v->time);
            a[k].ev.trdn = v->trace[j].trdn_flag;
            if (a[k].ev.trdn)
                a[k].ev.units = (uint32_t)(v->cnt / 10000);
            copy_str(a[k].ev.med_list, sizeof(a[k].ev.med_list), v->med_list_codg);
            copy_str(a[k].ev.setl_id, sizeof(a[k].ev.setl_id), v->setl_id);
            copy_str(a[k].ev.psn_no, sizeof(a[k].ev.psn_no), v->psn_no);
            event_check(&a[k]);
        }
    }
    st = ledger_apply(c, a, n);
    if (st != 0)
        return st;
    char object[64];
    snprintf(object, sizeof(object), "%d:%s", doc.infno, doc.msgid[0] ? doc.msgid : inst);
    fg_buf_printf(out, "{\"infno\":%d,\"documents\":%zu,\"replayed\":false,\"events\":", doc.infno,
                  doc.ninv);
    outcomes_json(a, n, out);
    fg_buf_appendc(out, '}');
    rc = fg_store_begin(c->s->store, &err);
    if (rc == 0) {
        rc = store_alerts(c, a, n, &err);
        if (rc == 0)
            rc = fg_store_request_put(c->s->store, after, inst, out->data, &err);
        audit_entry(c, "inventory.post", object, "", after, &err, &rc);
        if (rc == 0)
            rc = fg_store_commit(c->s->store, &err);
        else
            fg_store_rollback(c->s->store);
    }
    if (rc != 0)
        return fail(c, status_of(rc), rc, "", err.msg);
    return 201;
}

/* ---------------------------------------------------------------- reads */

/* The code's state and history in the ledger's one shape; an institution key sees only its own
 * events (fg_ledger_history_json's scope). */
static int do_trace(req_ctx_t *c, const char *code, fg_buf_t *out)
{
    fg_server_t *s = c->s;
    fg_ledger_code_state_t st;
    fg_error_t err;
    size_t mark = out->len;
    pthread_mutex_lock(&s->ledger_mu);
    int rc = fg_ledger_history_json(
        s->ledger, code, is_institution(c) ? c->who.fixmedins_code : NULL, &st, out, &err);
    pthread_mutex_unlock(&s->ledger_mu);
    if (rc != 0)
        return fail(c, status_of(rc), rc, "drug_trac_codg", err.msg);
    if (!st.known) {
        out->len = mark;
        out->data[mark] = '\0';
        return fail(c, 404, FG_ENOTFOUND, "drug_trac_codg", "the ledger has never seen this code");
    }
    return 200;
}

static int time_arg(req_ctx_t *c, const char *name, fg_time_t *t)
{
    const char *v = fg__http_query(c->rq, name);
    *t = FG_TIME_NONE;
    if (v == NULL || v[0] == '\0')
        return 0;
    fg_error_t err;
    if (fg_time_parse(v, strlen(v), t, &err) != 0)
        return fail(c, 400, err.code, name, err.msg);
    return 0;
}

static int int_arg(req_ctx_t *c, const char *name, long long lo, long long hi, long long dflt,
                   long long *out)
{
    const char *v = fg__http_query(c->rq, name);
    *out = dflt;
    if (v == NULL || v[0] == '\0')
        return 0;
    char *end = NULL;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (end == v || *end != '\0' || (v[0] != '-' && (v[0] < '0' || v[0] > '9')))
        return fail(c, 400, FG_E_INTEGER, name, "not a whole number");
    if (errno == ERANGE || x < lo || x > hi) {
        char msg[96];
        snprintf(msg, sizeof(msg), "%s is a whole number %lld…%lld", name, lo, hi);
        return fail(c, 400, FG_E_RANGE, name, msg);
    }
    *out = x;
    return 0;
}

/* GET /v1/alerts, /v1/findings: ?fixmedins_code, kind, from, to, after, limit. */
static int do_list(req_ctx_t *c, fg_store_list_t which, fg_buf_t *out)
{
    fg_store_filter_t f = {0};
    long long after, limit;
    const char *inst = fg__http_query(c->rq, "fixmedins_code");
    if (is_institution(c)) {
        if (inst != NULL && inst[0] != '\0' && !in_scope(c, inst))
            return 403;
        inst = c->who.fixmedins_code;
    }
    int st = time_arg(c, "from", &f.from);
    if (st == 0)
        st = time_arg(c, "to", &f.to);
    if (st == 0)
        st = int_arg(c, "after", 0, INT64_MAX, 0, &after);
    if (st == 0)
        st = int_arg(c, "limit", 1, 1000, 100, &limit);
    if (st != 0)
        return st;
    f.fixmedins_code = inst;
    f.kind = fg__http_query(c->rq, "kind");
    f.after = after;
    f.limit = (int)limit;
    fg_error_t err;
    int rc = fg_store_alert_list(c->s->store, which, &f, out, &err);
    return rc == 0 ? 200 : fail(c, status_of(rc), rc, "", err.msg);
}

static int do_settlement_get(req_ctx_t *c, const char *setl_id, fg_buf_t *out)
{
    char inst[16];
    fg_error_t err;
    int rc = fg_store_settlement_get(c->s->store, setl_id, inst, out, &err);
    if (rc != 0)
        return fail(c, status_of(rc), rc, "setl_id", err.msg);
    return in_scope(c, inst) ? 200 : 403;
}

/* ---------------------------------------------------------------- reference data */

/*
 * The reference kinds, one entry each, and what checks a row: the record whose field table every
 * member goes through — the table persons.csv, institutions.csv, staff.csv and catalogue.csv are
 * read by (docs/formats.md), so a row set here and a row of those files are held to the same
 * validators — the field of it the URL's code is, the statuses, and the review's feed the row
 * becomes (deaths.csv, suspensions.csv: serve.c ref_row_csv) with the members taken from that
 * feed's fields and the statuses that need the first of them.
 */
typedef struct ref_kind {
    const char *plural;       /* in the URL */
    const char *kind;         /* in the store */
    fg_rectype_t rec;         /* the record of the row's members */
    const char *key;          /* the field of rec the URL's code is */
    const char *statuses;     /* what status may be, "a|b" */
    int public;               /* read by every caller (a pharmacy checks a buyer; the catalogue) */
    fg_rectype_t feed;        /* the review's record of the row, FG_REC__COUNT none */
    const char *feed_members; /* the members taken from feed's fields, "a|b" */
    const char *needs;        /* the statuses that need the first of feed_members */
} ref_kind_t;

static const ref_kind_t ref_kinds[] = {
    {"institutions", "institution", FG_REC_INSTITUTION, "fixmedins_code",
     "active|suspended|terminated", 0, FG_REC_SUSPENSION, "begin_date|end_date|reason",
     "suspended|terminated"},
    {"staff", "staff", FG_REC_STAFF, "staff_code", "active|suspended", 0, FG_REC_SUSPENSION,
     "begin_date|end_date|reason", "suspended"},
    {"persons", "person", FG_REC_PERSON, "psn_no", "alive|deceased", 1, FG_REC_DEATH,
     "die_date|source", "deceased"},
    {"drugs", "drug", FG_REC_CATALOGUE, "med_list_codg", "listed|delisted", 1, FG_REC__COUNT, "",
     ""},
};

/* Whether s is one of the '|'-separated words of list. */
static int one_of(const char *list, const char *s)
{
    size_t n = strlen(s);
    for (const char *p = list; n > 0 && *p != '\0';) {
        const char *bar = strchr(p, '|');
        size_t len = bar != NULL ? (size_t)(bar - p) : strlen(p);
        if (len == n && memcmp(p, s, n) == 0)
            return 1;
        p += bar != NULL ? len + 1 : len;
    }
    return 0;
}

/* The kind named s: by its URL name (plural) or its store name. */
static const ref_kind_t *ref_find(const char *s, int plural)
{
    for (size_t i = 0; i < FG_ARRAY_LEN(ref_kinds); i++)
        if (strcmp(plural ? ref_kinds[i].plural : ref_kinds[i].kind, s) == 0)
            return &ref_kinds[i];
    return NULL;
}

/* URL kinds (plural) to store kinds. */
static const char *ref_kind(const char *plural)
{
    const ref_kind_t *k = ref_find(plural, 1);
    return k != NULL ? k->kind : NULL;
}

/* Reference rows every caller may read: persons' status and the drug catalogue; the rest
 * belongs to an institution. */
static int ref_public(const char *kind)
{
    const ref_kind_t *k = ref_find(kind, 0);
    return k != NULL && k->public;
}

/* A row as checked: its records as the model read them, and the institution it belongs to. */
typedef struct ref_row {
    void *rec;     /* of the kind's record type */
    void *feed;    /* of its feed's, NULL when it has none */
    char inst[16]; /* fixmedins_code, "" for persons and drugs */
} ref_row_t;

static int ref_given(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return v != NULL && !json_is_null(v) && !(json_is_string(v) && json_string_length(v) == 0);
}

/* Read the body as record t through the model (the same reader and field table as the reference
 * files); *out in the request's arena. 0, or the status of the answer sent. */
static int ref_read(req_ctx_t *c, fg_rectype_t t, void **out)
{
    fg_json_limits_t lim = {.max_depth = (size_t)c->s->c.json_depth,
                            .max_bytes = (size_t)c->s->c.max_body};
    fg_error_t e;
    *out = fg_arena_calloc(c->arena, 1, fg_rectype_info(t)->size);
    if (*out == NULL)
        return fail(c, 500, FG_ENOMEM, "", NULL);
    if (fg_json_read_record(t, c->rq->body, c->rq->body_len, &lim, c->arena, *out, NULL, &e) != 0)
        return fail_err(c, 400, &e);
    return 0;
}

/* Every member of row o is status or a field of its kind (or of the kind's feed) and valid by that
 * field's validator; the URL's code is the kind's key field, as normalised; a status that needs a
 * member has it. 0, or the status of the answer sent. */
static int ref_row_check(req_ctx_t *c, const ref_kind_t *k, const char *code, json_t *o,
                         ref_row_t *row)
{
    char msg[192];
    const char *status = json_string_value(json_object_get(o, "status"));
    if (status == NULL || !one_of(k->statuses, status)) {
        snprintf(msg, sizeof(msg), "the status of a %s row is one of %s", k->kind, k->statuses);
        return fail(c, 400, FG_E_ENUM, "status", msg);
    }
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        if (strcmp(key, "status") != 0 && fg_field_find(k->rec, key) == NULL &&
            !one_of(k->feed_members, key)) {
            snprintf(msg, sizeof(msg),
                     "not a member of a %s row: status, the fields of %s (docs/formats.md)%s%s",
                     k->kind, fg_rectype_info(k->rec)->name, k->feed_members[0] ? ", " : "",
                     k->feed_members);
            return fail(c, 400, FG_E_UNKNOWN, key, msg);
        }
    }
    int st = ref_read(c, k->rec, &row->rec);
    if (st == 0 && k->feed != FG_REC__COUNT)
        st = ref_read(c, k->feed, &row->feed);
    if (st != 0)
        return st;
    /* The URL's code through the key field, after the body's value of it (which must agree). */
    const fg_field_t *kf = fg_field_find(k->rec, k->key);
    char *member = (char *)row->rec + kf->offset;
    char given[FG_CODE_LEN + 1];
    snprintf(given, sizeof(given), "%s", member);
    fg_error_t e;
    if (fg_field_set(kf, row->rec, code, strlen(code), &e) != 0)
        return fail(c, 400, e.code, "code", e.msg);
    if (strcmp(member, code) != 0) {
        snprintf(msg, sizeof(msg), "the code of a %s row is written as normalised: %s", k->kind,
                 member);
        return fail(c, 400, FG_E_RANGE, "code", msg);
    }
    if (given[0] != '\0' && strcmp(given, member) != 0)
        return fail(c, 400, FG_E_RANGE, k->key, "a row's own code is the one in its URL");
    char need[32];
    snprintf(need, sizeof(need), "%.*s", (int)strcspn(k->feed_members, "|"), k->feed_members);
    if (need[0] != '\0' && one_of(k->needs, status) && !ref_given(o, need)) {
        snprintf(msg, sizeof(msg), "a %s row with status %s needs %s", k->kind, status, need);
        return fail(c, 400, FG_E_REQUIRED, need, msg);
    }
    const fg_field_t *fi = fg_field_find(k->rec, "fixmedins_code");
    snprintf(row->inst, sizeof(row->inst), "%s",
             fi != NULL ? (const char *)row->rec + fi->offset : "");
    return 0;
}

/* The members given, each replaced by the model's form of its field (codes normalised, dates as
 * dates, integers as numbers), members of record t only when `only` lists them; a resident ID
 * is left as given here for kept_body, the one place that turns it into pseudonym and mask. */
static int ref_normalise(json_t *o, fg_rectype_t t, const void *rec, const char *only)
{
    fg_buf_t b;
    fg_buf_init(&b, 1u << 20);
    int rc = fg_json_write_record(t, rec, &b);
    json_t *w = rc == 0 ? json_loadb(b.data, b.len, 0, NULL) : NULL;
    fg_buf_release(&b);
    if (w == NULL)
        return FG_ENOMEM;
    const char *key;
    json_t *v;
    json_object_foreach(w, key, v)
    {
        if (json_object_get(o, key) != NULL && strcmp(key, "certno") != 0 &&
            (only == NULL || one_of(only, key)))
            json_object_set(o, key, v);
    }
    json_decref(w);
    return 0;
}

/* PUT /v1/reference/{kind}/{code}: {"status": …, "fixmedins_code": …, …} (admin). */
static int do_ref_put(req_ctx_t *c, const char *kind, const char *code, fg_buf_t *out)
{
    if (!is_role(c, "admin"))
        return fail(c, 403, FG_E_FORBIDDEN, "", "only an admin writes reference data");
    const ref_kind_t *k = ref_find(kind, 0);
    json_error_t je;
    json_t *o = json_loadb(c->rq->body, c->rq->body_len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(o)) {
        json_decref(o);
        return fail(c, 400, o == NULL ? FG_E_JSON : FG_E_JSON_SHAPE, "",
                    o == NULL ? je.text : "the body is a JSON object");
    }
    ref_row_t row = {0};
    int st = ref_row_check(c, k, code, o, &row);
    if (st == 0 &&
        (ref_normalise(o, k->rec, row.rec, NULL) != 0 ||
         (row.feed != NULL && ref_normalise(o, k->feed, row.feed, k->feed_members) != 0)))
        st = fail(c, 500, FG_ENOMEM, "", NULL);
    const char *status = json_string_value(json_object_get(o, "status"));
    const char *inst = row.inst;
    char *dumped = st == 0 ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    const char *body = NULL;
    size_t body_len = 0;
    if (st == 0 && dumped == NULL)
        st = fail(c, 500, FG_ENOMEM, "", NULL);
    if (st == 0) /* a staff member's or a person's certno is kept as pseudonym and masked form */
        st = kept_body(c, dumped, strlen(dumped), &body, &body_len);
    if (st == 0) {
        fg_store_ref_t r = {
            .kind = kind, .code = code, .fixmedins_code = inst, .status = status, .body = body};
        char before[65], after[65], object[96];
        fg_error_t err;
        fg_store_digest(body, body_len, after);
        snprintf(object, sizeof(object), "%s:%s", kind, code);
        /* The row, its audit entry and the engine that reads it stand or fall together: the new
         * engine is built inside the transaction (it sees the row) and swapped in after commit. */
        fg_server_t *s = c->s;
        fg__engine_t *e = NULL;
        pthread_mutex_lock(&s->reload_mu);
        int rc = fg_store_begin(s->store, &err);
        if (rc == 0) {
            rc = fg_store_ref_put(s->store, &r, before, &err);
            audit_entry(c, "reference.put", object, before, after, &err, &rc);
            if (rc == 0)
                rc = fg__engine_load(s, &e, &err);
            if (rc == 0)
                rc = fg_store_commit(s->store, &err);
            else
                fg_store_rollback(s->store);
        }
        if (rc == 0)
            fg__engine_swap(s, e);
        else
            fg__engine_put(e);
        pthread_mutex_unlock(&s->reload_mu);
        st = rc == 0 ? 200 : fail(c, status_of(rc), rc, err.where, err.msg);
        if (rc == 0) {
            char inst_out[16];
            fg_store_ref_get(c->s->store, kind, code, inst_out, out, &err);
        }
    }
    free(dumped);
    json_decref(o);
    return st;
}

static int do_ref_get(req_ctx_t *c, const char *kind, const char *code, fg_buf_t *out)
{
    fg_error_t err;
    if (code == NULL) {
        const char *inst = fg__http_query(c->rq, "fixmedins_code");
        if (is_institution(c) && strcmp(kind, "person") == 0)
            return fail(c, 403, FG_E_FORBIDDEN, "",
                        "an institution looks a person up by psn_no; the list is the bureau's");
        if (is_institution(c) && !ref_public(kind))
            inst = c->who.fixmedins_code;
        long long limit;
        int st = int_arg(c, "limit", 1, 1000, 100, &limit);
        if (st != 0)
            return st;
        int rc = fg_store_ref_list(c->s->store, kind, inst, fg__http_query(c->rq, "after"),
                                   (int)limit, out, &err);
        return rc == 0 ? 200 : fail(c, status_of(rc), rc, "", err.msg);
    }
    char inst[16];
    int rc = fg_store_ref_get(c->s->store, kind, code, inst, out, &err);
    if (rc != 0)
        return fail(c, status_of(rc), rc, "code", err.msg);
    return ref_public(kind) || in_scope(c, inst) ? 200 : 403;
}

/* ---------------------------------------------------------------- admin */

static int do_reload(req_ctx_t *c, fg_buf_t *out)
{
    if (!is_role(c, "admin"))
        return fail(c, 403, FG_E_FORBIDDEN, "", "only an admin reloads the knowledge base");
    fg_server_t *s = c->s;
    fg_error_t err;
    pthread_mutex_lock(&s->reload_mu);
    fg__engine_t *e = NULL;
    int rc = fg__engine_load(s, &e, &err);
    char before[65] = "", after[65] = "";
    if (rc == 0) {
        fg__engine_t *old = fg__engine_get(s);
        fg_store_digest(fg_kb_version(old->kb), strlen(fg_kb_version(old->kb)), before);
        fg__engine_put(old);
        fg_store_digest(fg_kb_version(e->kb), strlen(fg_kb_version(e->kb)), after);
        fg_buf_appends(out, "{\"kb_version\":");
        fg_buf_append_json_str(out, fg_kb_version(e->kb), strlen(fg_kb_version(e->kb)));
        fg_buf_appendc(out, '}');
        audit_entry(c, "kb.reload", fg_kb_version(e->kb), before, after, &err, &rc);
        if (rc == 0)
            fg__engine_swap(s, e);
        else
            fg__engine_put(e);
    }
    pthread_mutex_unlock(&s->reload_mu);
    if (rc != 0) {
        fg_buf_reset(out);
        return fail(c, rc == FG_ENOMEM ? 500 : 400, rc, err.where, err.msg);
    }
    atomic_fetch_add(&s->m.reloads, 1);
    return 200;
}

static int do_audit(req_ctx_t *c, fg_buf_t *out)
{
    if (!is_role(c, "auditor") && !is_role(c, "admin"))
        return fail(c, 403, FG_E_FORBIDDEN, "", "only an auditor or admin reads the audit trail");
    long long after, limit;
    int st = int_arg(c, "after", 0, INT64_MAX, 0, &after);
    if (st == 0)
        st = int_arg(c, "limit", 1, 1000, 100, &limit);
    if (st != 0)
        return st;
    fg_error_t err;
    fg_audit_report_t rep;
    int vrc = fg_store_audit_verify(c->s->store, &rep, &err);
    fg_buf_t lines;
    fg_buf_init(&lines, 64u << 20);
    int rc = fg_store_audit_list(c->s->store, (uint64_t)after, (int)limit, &lines, &err);
    if (rc == 0) {
        /* JSON lines to an array */
        fg_buf_printf(out, "{\"verified\":%s,\"head\":\"%s\",\"entries\":[",
                      vrc == 0 ? "true" : "false", rep.head);
        for (size_t i = 0; lines.data != NULL && i < lines.len; i++)
            fg_buf_appendc(out, lines.data[i] == '\n' && i + 1 < lines.len ? ','
                                : lines.data[i] == '\n'                    ? ' '
                                                                           : lines.data[i]);
        fg_buf_appends(out, "]}");
    }
    fg_buf_release(&lines);
    return rc == 0 ? 200 : fail(c, status_of(rc), rc, "", err.msg);
}

/* ---------------------------------------------------------------- the platform envelope */

static int do_nhsa(req_ctx_t *c, const char *infno_s, fg_buf_t *out)
{
    char *end = NULL;
    long infno = strtol(infno_s, &end, 10);
    fg_buf_t body;
    fg_buf_init(&body, 64u << 20);
    int st;
    if (end == infno_s || *end != '\0')
        st = fail(c, 404, FG_E_INFNO, "infno", "unknown interface number");
    else if (infno == 2204 || infno == 2206)
        st = do_check(c, (int)infno, FG_STAGE_IN, &body);
    else if (infno == 2207)
        st = do_settlement(c, (int)infno, &body);
    else if (infno >= 3503 && infno <= 3506)
        st = do_inventory(c, (int)infno, &body);
    else
        st = fail(c, 404, FG_E_INFNO, "infno", "interface not served: 2204 2206 2207 3503–3506");
    if (st == 0 || st == 200 || st == 201) {
        fg_buf_printf(out, "{\"infcode\":0,\"err_msg\":\"\",\"output\":%s}",
                      body.data != NULL ? body.data : "{}");
        st = 200;
    } else if (st == 400 || st == 409) {
        /* The platform answers validation failures with infcode -1 and the message. */
        json_t *e = json_loadb(c->rs->body.data, c->rs->body.len, 0, NULL);
        fg_buf_reset(out); /* out is the response body: the error is replaced by the envelope */
        const char *msg = json_string_value(json_object_get(e, "message"));
        const char *field = json_string_value(json_object_get(e, "field"));
        fg_buf_appends(out, "{\"infcode\":-1,\"err_msg\":");
        char m[512];
        int mn = snprintf(m, sizeof(m), "%s%s%s", field != NULL && field[0] ? field : "",
                          field != NULL && field[0] ? ": " : "", msg != NULL ? msg : "");
        size_t ml = mn < 0                   ? 0
                    : (size_t)mn < sizeof(m) ? (size_t)mn
                                             : fg_utf8_cut(m, sizeof(m) - 1);
        fg_buf_append_json_str(out, m, ml);
        fg_buf_appends(out, ",\"output\":{}}");
        json_decref(e);
        st = 200;
    }
    fg_buf_release(&body);
    return st;
}

/* ---------------------------------------------------------------- metrics, health */

static int do_metrics(req_ctx_t *c, fg_buf_t *out)
{
    fg_server_t *s = c->s;
    fg__metrics_t *m = &s->m;
    c->rs->content_type = "text/plain; version=0.0.4";
    fg_buf_appends(out, "# HELP fundguard_http_requests_total HTTP requests answered, by route and "
                        "status\n# TYPE fundguard_http_requests_total counter\n");
    for (int r = 0; r < FG__ROUTES; r++)
        for (int k = 0; k < FG__STATUSES; k++) {
            unsigned long n = atomic_load(&m->requests[r][k]);
            if (n == 0)
                continue;
            if (statuses[k] != 0)
                fg_buf_printf(out,
                              "fundguard_http_requests_total{route=\"%s\",status=\"%d\"} %lu\n",
                              route_names[r], statuses[k], n);
            else
                fg_buf_printf(out,
                              "fundguard_http_requests_total{route=\"%s\",status=\"other\"} %lu\n",
                              route_names[r], n);
        }
    fg_buf_appends(out, "# HELP fundguard_http_request_duration_seconds time to answer a request\n"
                        "# TYPE fundguard_http_request_duration_seconds histogram\n");
    for (int b = 0; b < FG__BUCKETS; b++) {
        if (b == FG__BUCKETS - 1)
            fg_buf_appends(out, "fundguard_http_request_duration_seconds_bucket{le=\"+Inf\"}");
        else
            fg_buf_printf(out, "fundguard_http_request_duration_seconds_bucket{le=\"%g\"}",
                          bucket_ms[b] / 1000.0);
        fg_buf_printf(out, " %lu\n", atomic_load(&m->le[b]));
    }
    fg_buf_printf(out,
                  "fundguard_http_request_duration_seconds_sum %.6f\n"
                  "fundguard_http_request_duration_seconds_count %lu\n",
                  (double)atomic_load(&m->micros) / 1e6, atomic_load(&m->count));
    fg_buf_printf(out,
                  "# TYPE fundguard_http_inflight gauge\nfundguard_http_inflight %ld\n"
                  "# TYPE fundguard_checks_total counter\nfundguard_checks_total %lu\n"
                  "# TYPE fundguard_settlements_total counter\nfundguard_settlements_total %lu\n"
                  "# TYPE fundguard_ledger_events_total counter\n"
                  "fundguard_ledger_events_total %lu\n"
                  "# TYPE fundguard_alerts_total counter\nfundguard_alerts_total %lu\n"
                  "# TYPE fundguard_kb_reloads_total counter\nfundguard_kb_reloads_total %lu\n",
                  atomic_load(&m->inflight), atomic_load(&m->checks), atomic_load(&m->settlements),
                  atomic_load(&m->ledger_events), atomic_load(&m->alerts),
                  atomic_load(&m->reloads));
    fg_buf_printf(out,
                  "# HELP fundguard_auth_password_checks_total argon2id verifications of officer "
                  "passwords (unknown names included)\n"
                  "# TYPE fundguard_auth_password_checks_total counter\n"
                  "fundguard_auth_password_checks_total %llu\n",
                  (unsigned long long)fg_store_password_checks(s->store));
    fg_ledger_stats_t ls;
    pthread_mutex_lock(&s->ledger_mu);
    fg_ledger_stats(s->ledger, &ls);
    pthread_mutex_unlock(&s->ledger_mu);
    fg__engine_t *e = fg__engine_get(s);
    fg_buf_printf(out,
                  "# TYPE fundguard_ledger_codes gauge\nfundguard_ledger_codes %llu\n"
                  "# TYPE fundguard_store_alerts gauge\nfundguard_store_alerts %lld\n"
                  "# TYPE fundguard_store_findings gauge\nfundguard_store_findings %lld\n"
                  "# TYPE fundguard_kb_info gauge\nfundguard_kb_info{version=",
                  (unsigned long long)ls.codes,
                  (long long)fg_store_alert_count(s->store, FG_STORE_ALERTS),
                  (long long)fg_store_alert_count(s->store, FG_STORE_FINDINGS));
    /* A label value is a quoted string with \" \\ \n escapes, as in JSON: the same writer. */
    fg_buf_append_json_str(out, fg_kb_version(e->kb), strlen(fg_kb_version(e->kb)));
    fg_buf_appends(out, "} 1\n");
    fg__engine_put(e);
    return 200;
}

static int do_health(req_ctx_t *c, fg_buf_t *out)
{
    fg__engine_t *e = fg__engine_get(c->s);
    fg_buf_printf(out, "{\"status\":\"ok\",\"store\":\"%s\"", fg_store_backend(c->s->store));
    json_member(out, "kb_version", fg_kb_version(e->kb));
    fg_buf_appendc(out, '}');
    fg__engine_put(e);
    return 200;
}

/* ---------------------------------------------------------------- routing */

/* path matches prefix and the rest is one non-empty segment: it is returned, else NULL. */
static const char *segment(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(path, prefix, n) != 0 || path[n] == '\0' || strchr(path + n, '/') != NULL)
        return NULL;
    return path + n;
}

static int method_is(req_ctx_t *c, const char *m)
{
    return strcmp(c->rq->method, m) == 0;
}

static int wrong_method(req_ctx_t *c)
{
    return fail(c, 405, FG_E_METHOD, "", NULL);
}

static int stage_arg(req_ctx_t *c, fg_stage_t *stage)
{
    const char *v = fg__http_query(c->rq, "stage");
    *stage = FG_STAGE_IN;
    if (v == NULL || v[0] == '\0')
        return 0;
    if (strcmp(v, "pre") == 0)
        *stage = FG_STAGE_PRE;
    else if (strcmp(v, "in") != 0)
        return fail(c, 400, FG_E_ENUM, "stage", "stage is pre or in");
    return 0;
}

/* A path parameter (an identifier: a settlement, trace or reference code, an interface number) is
 * checked before anything reads or stores it: valid UTF-8 (field.utf8), 1…PATH_PARAM_MAX bytes, no
 * control character but GS in a raw GS1 trace code (path.param). 0 or the failed status. */
#define PATH_PARAM_MAX 512 /* the longest identifier field (setl_id) */

static int path_param(req_ctx_t *c, const char *name, const char *v, int gs_ok)
{
    size_t n = strlen(v);
    const unsigned char *u = (const unsigned char *)v;
    for (size_t i = 0; i < n; i++) {
        size_t bad = 0;
        size_t len = fg_utf8_seq(u + i, n - i, &bad);
        if (len == 0) {
            char msg[96];
            snprintf(msg, sizeof(msg), "byte %zu of the path parameter is not valid UTF-8", i + 1);
            return fail(c, 400, FG_E_UTF8, name, msg);
        }
        if ((u[i] < 0x20 && !(gs_ok && u[i] == 0x1D)) || u[i] == 0x7F)
            return fail(c, 400, FG_E_PATH_PARAM, name,
                        "a path parameter holds no control character");
        i += len - 1;
    }
    if (n > PATH_PARAM_MAX)
        return fail(c, 400, FG_E_PATH_PARAM, name, "a path parameter has at most 512 bytes");
    return 0;
}

/* The path parameter of a route, checked before the route reads it: 0 or the failed status. */
static int route_param(req_ctx_t *c, const char *p)
{
    static const struct {
        const char *prefix;
        const char *name;
        int gs_ok;
    } params[] = {{"/v1/settlements/", "setl_id", 0},
                  {"/v1/trace/", "drug_trac_codg", 1},
                  {"/nhsa/", "infno", 0}};
    for (size_t i = 0; i < FG_ARRAY_LEN(params); i++) {
        const char *arg = segment(p, params[i].prefix);
        if (arg != NULL)
            return path_param(c, params[i].name, arg, params[i].gs_ok);
    }
    const char *code = strncmp(p, "/v1/reference/", 14) == 0 ? strchr(p + 14, '/') : NULL;
    return code != NULL ? path_param(c, "code", code + 1, 0) : 0;
}

static int route(req_ctx_t *c, fg_buf_t *out)
{
    const char *p = c->rq->path;
    int bad = route_param(c, p);
    if (bad != 0)
        return bad;
    const char *arg = segment(p, "/v1/settlements/");
    if (strcmp(p, "/v1/settlements/check") == 0) {
        if (!method_is(c, "POST"))
            return wrong_method(c);
        fg_stage_t stage;
        int st = stage_arg(c, &stage);
        return st != 0 ? st : do_check(c, 0, stage, out);
    }
    if (strcmp(p, "/v1/settlements") == 0)
        return method_is(c, "POST") ? do_settlement(c, 0, out) : wrong_method(c);
    if (arg != NULL)
        return method_is(c, "GET") ? do_settlement_get(c, arg, out) : wrong_method(c);
    if (strcmp(p, "/v1/inventory") == 0)
        return method_is(c, "POST") ? do_inventory(c, 0, out) : wrong_method(c);
    arg = segment(p, "/v1/trace/");
    if (arg != NULL)
        return method_is(c, "GET") ? do_trace(c, arg, out) : wrong_method(c);
    if (strcmp(p, "/v1/alerts") == 0)
        return method_is(c, "GET") ? do_list(c, FG_STORE_ALERTS, out) : wrong_method(c);
    if (strcmp(p, "/v1/findings") == 0)
        return method_is(c, "GET") ? do_list(c, FG_STORE_FINDINGS, out) : wrong_method(c);
    if (strcmp(p, "/v1/kb/reload") == 0)
        return method_is(c, "POST") ? do_reload(c, out) : wrong_method(c);
    if (strcmp(p, "/v1/audit") == 0)
        return method_is(c, "GET") ? do_audit(c, out) : wrong_method(c);
    arg = segment(p, "/nhsa/");
    if (arg != NULL)
        return method_is(c, "POST") ? do_nhsa(c, arg, out) : wrong_method(c);
    if (strncmp(p, "/v1/reference/", 14) == 0) {
        char kind_s[32];
        const char *rest = p + 14;
        const char *slash = strchr(rest, '/');
        size_t kn = slash != NULL ? (size_t)(slash - rest) : strlen(rest);
        if (kn < sizeof(kind_s)) {
            memcpy(kind_s, rest, kn);
            kind_s[kn] = '\0';
            const char *kind = ref_kind(kind_s);
            const char *code = slash != NULL ? slash + 1 : NULL;
            if (kind != NULL && (code == NULL || (code[0] != '\0' && !strchr(code, '/')))) {
                if (method_is(c, "GET"))
                    return do_ref_get(c, kind, code, out);
                if (method_is(c, "PUT") && code != NULL)
                    return do_ref_put(c, kind, code, out);
                return wrong_method(c);
            }
        }
    }
    return fail(c, 404, FG_ENOTFOUND, "", "no such endpoint");
}

/* The route a path names, for /metrics. */
static int route_of(const char *p)
{
    static const struct {
        const char *prefix;
        int exact;
        int route;
    } table[] = {{"/healthz", 1, R_HEALTHZ},
                 {"/metrics", 1, R_METRICS},
                 {"/v1/settlements/check", 1, R_CHECK},
                 {"/v1/settlements", 1, R_SETTLEMENTS},
                 {"/v1/settlements/", 0, R_SETTLEMENT_GET},
                 {"/v1/inventory", 1, R_INVENTORY},
                 {"/v1/trace/", 0, R_TRACE},
                 {"/v1/alerts", 1, R_ALERTS},
                 {"/v1/findings", 1, R_FINDINGS},
                 {"/v1/reference/", 0, R_REFERENCE},
                 {"/v1/kb/reload", 1, R_KB_RELOAD},
                 {"/v1/audit", 1, R_AUDIT},
                 {"/nhsa/", 0, R_NHSA}};
    for (size_t i = 0; i < FG_ARRAY_LEN(table); i++) {
        size_t n = strlen(table[i].prefix);
        if (table[i].exact ? strcmp(p, table[i].prefix) == 0 : strncmp(p, table[i].prefix, n) == 0)
            return table[i].route;
    }
    return R_OTHER;
}

/* Count the answer: by route and status, and its duration in the histogram. */
static void count(fg__metrics_t *m, const char *path, int status, long long us)
{
    int r = route_of(path);
    int k = FG__STATUSES - 1;
    for (int i = 0; i < FG__STATUSES - 1; i++)
        if (statuses[i] == status)
            k = i;
    atomic_fetch_add(&m->requests[r][k], 1);
    for (int b = 0; b < FG__BUCKETS; b++)
        if ((double)us / 1000.0 <= bucket_ms[b])
            atomic_fetch_add(&m->le[b], 1);
    atomic_fetch_add(&m->count, 1);
    atomic_fetch_add(&m->micros, (unsigned long)us);
}

static long long now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int rate_limited(req_ctx_t *c)
{
    c->rs->retry_after = fg__rate_take(&c->s->rate, c->who.id);
    return c->rs->retry_after > 0;
}

void fg__api_handle(void *app, const fg__http_req_t *rq, fg__http_resp_t *rs)
{
    fg_server_t *s = app;
    long long t0 = now_us();
    long line, col;
    atomic_fetch_add(&s->m.inflight, 1);
    req_ctx_t c = {.s = s, .rq = rq, .rs = rs};
    c.arena = fg__thread_arena();
    if (c.arena == NULL) {
        fg_arena_init(&c.own, 0);
        c.arena = &c.own;
    }
    fg_buf_t *out = &rs->body;
    int st;
    if (strcmp(rq->path, "/healthz") == 0)
        st = do_health(&c, out);
    else if (strcmp(rq->path, "/metrics") == 0)
        st = do_metrics(&c, out);
    else if (!authenticate(&c, &st))
        ; /* 401 or 429, answered */
    else if (rate_limited(&c))
        st = fail(&c, 429, FG_E_RATE, "", NULL);
    else if (rq->body_too_large)
        st = fail(&c, 413, FG_E_BODY_SIZE, "", NULL);
    else if (rq->headers_too_large)
        st = fail(&c, 431, FG_E_HEADERS_SIZE, "", "the request's headers take more than 24 KiB");
    else if (rq->query_too_many)
        st = fail(&c, 400, FG_E_QUERY_TOO_MANY, "",
                  "the query has more than 64 parameters; none was read");
    else if (fg_json_depth_exceeds(rq->body, rq->body_len, (size_t)s->c.json_depth, &line, &col)) {
        char msg[96];
        snprintf(msg, sizeof(msg),
                 "the JSON is nested deeper than json_depth (line %ld, column %ld)", line, col);
        st = fail(&c, 400, FG_E_JSON_DEPTH, "", msg);
    } else
        st = route(&c, out);
    /* Whatever the handler wrote, an institution key is shown nothing of another institution. */
    if (is_institution(&c) && fg__scope_redact(out, c.who.fixmedins_code) != 0)
        st = fail(&c, 500, FG_EINTERNAL, "", "the answer could not be scoped to the institution");
    if (st == 0)
        st = 200;
    rs->status = st;
    if (c.arena == &c.own)
        fg_arena_release(&c.own);
    else
        fg_arena_reset(c.arena);
    atomic_fetch_sub(&s->m.inflight, 1);
    count(&s->m, rq->path, st, now_us() - t0);
}
