/*
 * keys.c — API keys (store.h "principals"): only a key's SHA-256 is kept; a key is found by the
 * digest of the whole key, so a wrong secret after a real id and a key nobody made take the same
 * path. Adding and revoking write an audit entry naming the actor.
 */
#include "core/compat.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "fundguard/store.h"
#include "store/store_int.h"

static const char *const roles[] = {"institution", "reviewer", "leader", "admin", "auditor"};

int fg_store_role_valid(const char *role)
{
    for (size_t i = 0; i < FG_ARRAY_LEN(roles); i++)
        if (strcmp(role, roles[i]) == 0)
            return 1;
    return 0;
}

int fg_store_key_add(fg_store_t *s, const char *actor, const char *role, const char *fixmedins_code,
                     char key_out[FG_STORE_KEY_LEN + 1], char id_out[48], fg_error_t *err)
{
    if (!fg_store_role_valid(role))
        return fg_error_set(err, FG_EINVAL, "role", 0, "unknown role '%s'", role);
    int inst = strcmp(role, "institution") == 0;
    const char *code = fixmedins_code != NULL ? fixmedins_code : "";
    if (inst != (code[0] != '\0'))
        return fg_error_set(err, FG_EINVAL, "fixmedins_code", 0,
                            inst ? "an institution key needs fixmedins_code"
                                 : "only an institution key has fixmedins_code");
    unsigned char idb[8], sec[16];
    randombytes_buf(idb, sizeof(idb));
    randombytes_buf(sec, sizeof(sec));
    char idhex[17], sechex[33];
    sodium_bin2hex(idhex, sizeof(idhex), idb, sizeof(idb));
    sodium_bin2hex(sechex, sizeof(sechex), sec, sizeof(sec));
    snprintf(key_out, FG_STORE_KEY_LEN + 1, "fgk_%s_%s", idhex, sechex);
    snprintf(id_out, 48, "k_%s", idhex);
    char hash[65], at[FG_TIME_TEXTLEN + 1];
    fg_store_digest(key_out, strlen(key_out), hash);
    fg__store_now(at);
    const char *p[] = {id_out, hash, role, code, at};
    int rc = fg_store_begin(s, err);
    if (rc != 0)
        return rc;
    rc = fg__store_q(s,
                     "INSERT INTO fg_key (id, hash, role, fixmedins_code, created_at) "
                     "VALUES ($1, $2, $3, $4, $5)",
                     5, p, NULL, NULL, err);
    if (rc == 0)
        rc = fg__store_audit(s, actor, "key.add", id_out, hash, err);
    return fg__store_finish(s, rc, err);
}

int fg_store_key_find(fg_store_t *s, const char *key, fg_principal_t *p, fg_error_t *err)
{
    char hash[65];
    fg_store_digest(key, strlen(key), hash);
    const char *params[] = {hash};
    fg__store_first_t f = {0};
    int rc = fg__store_q(s,
                         "SELECT id, role, fixmedins_code FROM fg_key WHERE hash = $1 AND "
                         "revoked = 0",
                         1, params, fg__store_take_first, &f, err);
    if (rc != 0)
        return rc;
    if (!f.found)
        return fg_error_set(err, FG_ENOTFOUND, "key", 0, "unknown or revoked key");
    fg__store_copy(p->id, sizeof(p->id), f.v[0]);
    fg__store_copy(p->role, sizeof(p->role), f.v[1]);
    fg__store_copy(p->fixmedins_code, sizeof(p->fixmedins_code), f.v[2]);
    return 0;
}

int fg_store_key_revoke(fg_store_t *s, const char *actor, const char *id, fg_error_t *err)
{
    const char *p[] = {id};
    fg__store_first_t f = {0};
    int rc = fg_store_begin(s, err);
    if (rc != 0)
        return rc;
    rc = fg__store_q(s, "UPDATE fg_key SET revoked = 1 WHERE id = $1 AND revoked = 0 RETURNING id",
                     1, p, fg__store_take_first, &f, err);
    if (rc == 0 && !f.found)
        rc = fg_error_set(err, FG_ENOTFOUND, "id", 0, "no active key '%s'", id);
    if (rc == 0)
        rc = fg__store_audit(s, actor, "key.revoke", id, "", err);
    return fg__store_finish(s, rc, err);
}

typedef struct key_list {
    fg_store_key_fn fn;
    void *ctx;
} key_list_t;

static int key_row(void *ctx, int ncol, const char *const *vals)
{
    key_list_t *l = ctx;
    if (ncol < 5)
        return FG_EINTERNAL;
    fg_store_key_t k = {.id = fg__store_str(vals[0]),
                        .role = fg__store_str(vals[1]),
                        .fixmedins_code = fg__store_str(vals[2]),
                        .created_at = fg__store_time(vals[3]),
                        .revoked = fg__store_i64(vals[4]) != 0};
    return l->fn(l->ctx, &k);
}

int fg_store_key_list(fg_store_t *s, fg_store_key_fn fn, void *ctx, fg_error_t *err)
{
    key_list_t l = {.fn = fn, .ctx = ctx};
    return fg__store_q(s,
                       "SELECT id, role, fixmedins_code, created_at, revoked FROM fg_key "
                       "ORDER BY id",
                       0, NULL, key_row, &l, err);
}

int fg_store_key_json(const fg_store_key_t *k, fg_buf_t *out)
{
    fg__store_obj_t o = fg__store_obj(out);
    fg__store_obj_str(&o, "id", k->id);
    fg__store_obj_str(&o, "role", k->role);
    fg__store_obj_str(&o, "fixmedins_code", k->fixmedins_code);
    fg__store_obj_time(&o, "created_at", k->created_at);
    fg__store_obj_int(&o, "revoked", k->revoked);
    return fg__store_obj_end(&o);
}
