/*
 * audit.c — the hash-chained audit trail: each entry's hash is SHA-256 over the previous entry's
 * hash and its own fields (each length-prefixed), so altering or removing an entry breaks the
 * chain; a walk over it says which entry does not verify.
 */
#include "core/compat.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "fundguard/store.h"
#include "store/store_int.h"

/* hash = SHA-256 over the previous hash and each field, every one length-prefixed. */
static void chain_hash(const char *prev, const char *const f[7], char out[65])
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    char len[24];
    crypto_hash_sha256_update(&st, (const unsigned char *)prev, strlen(prev));
    for (int i = 0; i < 7; i++) {
        size_t n = strlen(f[i]);
        int m = snprintf(len, sizeof(len), "|%zu:", n);
        crypto_hash_sha256_update(&st, (const unsigned char *)len, (size_t)m);
        crypto_hash_sha256_update(&st, (const unsigned char *)f[i], n);
    }
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(out, 65, h, sizeof(h));
}

int fg_store_audit_append(fg_store_t *s, const fg_audit_entry_t *e, fg_error_t *err)
{
    int rc = fg_store_begin(s, err);
    if (rc != 0)
        return rc;
    fg__store_first_t f = {0};
    rc = fg__store_q(s, "SELECT seq, hash FROM fg_audit ORDER BY seq DESC LIMIT 1", 0, NULL,
                     fg__store_take_first, &f, err);
    char seq[24], at[FG_TIME_TEXTLEN + 1], hash[65];
    snprintf(seq, sizeof(seq), "%" PRId64, (f.found ? fg__store_i64(f.v[0]) : 0) + 1);
    fg__store_now(at);
    const char *fields[7] = {seq,
                             at,
                             e->actor != NULL ? e->actor : "",
                             e->action,
                             e->object != NULL ? e->object : "",
                             e->before != NULL ? e->before : "",
                             e->after != NULL ? e->after : ""};
    chain_hash(f.found ? f.v[1] : "", fields, hash);
    const char *p[] = {fields[0], fields[1], fields[2], fields[3],
                       fields[4], fields[5], fields[6], hash};
    if (rc == 0)
        rc = fg__store_q(
            s,
            "INSERT INTO fg_audit (seq, at, actor, action, object, before, after, hash) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            8, p, NULL, NULL, err);
    return fg__store_finish(s, rc, err);
}

typedef struct verify_ctx {
    fg_audit_report_t *rep;
    fg_error_t *err;
    char prev[65];
} verify_ctx_t;

static int verify_row(void *ctx, int ncol, const char *const *vals)
{
    verify_ctx_t *v = ctx;
    if (ncol < 8)
        return FG_EINTERNAL;
    uint64_t want = v->rep->entries + 1;
    uint64_t seq = (uint64_t)fg__store_i64(vals[0]);
    const char *fields[7];
    for (int i = 0; i < 7; i++)
        fields[i] = vals[i] != NULL ? vals[i] : "";
    char hash[65];
    chain_hash(v->prev, fields, hash);
    if (seq != want) {
        v->rep->bad_seq = want;
        return fg_error_set(v->err, FG_E_AUDIT_CHAIN, "seq", 0,
                            "entry %" PRIu64 " is missing (the next is %" PRIu64 ")", want, seq);
    }
    if (vals[7] == NULL || strcmp(hash, vals[7]) != 0) {
        v->rep->bad_seq = seq;
        return fg_error_set(v->err, FG_E_AUDIT_CHAIN, "hash", 0,
                            "entry %" PRIu64 " was altered (its hash does not match)", seq);
    }
    fg__store_copy(v->prev, sizeof(v->prev), vals[7]);
    v->rep->entries++;
    return 0;
}

int fg_store_audit_verify(fg_store_t *s, fg_audit_report_t *rep, fg_error_t *err)
{
    memset(rep, 0, sizeof(*rep));
    verify_ctx_t v = {.rep = rep, .err = err};
    int rc = fg__store_q(s,
                         "SELECT seq, at, actor, action, object, before, after, hash FROM fg_audit "
                         "ORDER BY seq",
                         0, NULL, verify_row, &v, err);
    fg__store_copy(rep->head, sizeof(rep->head), v.prev);
    return rc;
}

typedef struct audit_list {
    fg_store_audit_fn fn;
    void *ctx;
} audit_list_t;

static int audit_row(void *ctx, int ncol, const char *const *vals)
{
    audit_list_t *l = ctx;
    if (ncol < 8)
        return FG_EINTERNAL;
    fg_audit_record_t r = {.seq = (uint64_t)fg__store_i64(vals[0]),
                           .at = fg__store_time(vals[1]),
                           .e = {.actor = fg__store_str(vals[2]),
                                 .action = fg__store_str(vals[3]),
                                 .object = fg__store_str(vals[4]),
                                 .before = fg__store_str(vals[5]),
                                 .after = fg__store_str(vals[6])},
                           .hash = fg__store_str(vals[7])};
    return l->fn(l->ctx, &r);
}

int fg_store_audit_list(fg_store_t *s, uint64_t after, int limit, fg_store_audit_fn fn, void *ctx,
                        fg_error_t *err)
{
    char a[24], l[16];
    snprintf(a, sizeof(a), "%" PRIu64, after);
    snprintf(l, sizeof(l), "%d", limit < 1 ? 1000 : limit);
    const char *p[] = {a, l};
    audit_list_t al = {.fn = fn, .ctx = ctx};
    return fg__store_q(s,
                       "SELECT seq, at, actor, action, object, before, after, hash FROM fg_audit "
                       "WHERE seq > CAST($1 AS bigint) ORDER BY seq LIMIT CAST($2 AS integer)",
                       2, p, audit_row, &al, err);
}

int fg_store_audit_json(const fg_audit_record_t *r, fg_buf_t *out)
{
    fg__store_obj_t o = fg__store_obj(out);
    fg__store_obj_int(&o, "seq", (int64_t)r->seq);
    fg__store_obj_time(&o, "at", r->at);
    fg__store_obj_str(&o, "actor", r->e.actor);
    fg__store_obj_str(&o, "action", r->e.action);
    fg__store_obj_str(&o, "object", r->e.object);
    fg__store_obj_str(&o, "before", r->e.before);
    fg__store_obj_str(&o, "after", r->e.after);
    fg__store_obj_str(&o, "hash", r->hash);
    return fg__store_obj_end(&o);
}
