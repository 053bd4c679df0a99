/*
 * users.c — officer accounts (store.h "principals"): argon2id password hashes, a check that costs
 * the same for a name that is not there, and an audit entry naming the actor of each change.
 */
#include "core/compat.h"

#include <sodium.h>
#include <stdatomic.h>
#include <string.h>

#include "fundguard/store.h"
#include "store/store_int.h"

/* Made with FG__STORE_PW_OPS and FG__STORE_PW_MEM from a random password that was thrown away
 * (t_store checks the parameters). */
const char fg__store_dummy_pwhash[] = "$argon2id$v=19$m=65536,t=2,p=1$d8VRbEMqEsYF1E1eYCSWbg$"
                                      "HNS8lx+khxXsv7nCBCtdrMJsH4XRIar85jRsYwopg2g";

static int pwhash(const char *password, char out[crypto_pwhash_STRBYTES], fg_error_t *err)
{
    if (password == NULL || strlen(password) < 8)
        return fg_error_set(err, FG_EINVAL, "password", 0, "a password has at least 8 characters");
    if (crypto_pwhash_str_alg(out, password, strlen(password), FG__STORE_PW_OPS, FG__STORE_PW_MEM,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return fg_error_set(err, FG_ENOMEM, "password", 0, "argon2id ran out of memory");
    return 0;
}

int fg_store_user_add(fg_store_t *s, const char *actor, const char *name, const char *role,
                      const char *password, fg_error_t *err)
{
    if (!fg_store_role_valid(role) || strcmp(role, "institution") == 0)
        return fg_error_set(err, FG_EINVAL, "role", 0,
                            "an officer is a reviewer, leader, admin or auditor, not '%s'", role);
    if (name[0] == '\0' || strlen(name) > 40 || strchr(name, ':') != NULL)
        return fg_error_set(err, FG_EINVAL, "name", 0,
                            "a user name has 1 to 40 characters, no ':'");
    char h[crypto_pwhash_STRBYTES], at[FG_TIME_TEXTLEN + 1];
    int rc = pwhash(password, h, err);
    if (rc != 0)
        return rc;
    fg__store_now(at);
    const char *p[] = {name, role, h, at};
    rc = fg_store_begin(s, err);
    if (rc != 0)
        return rc;
    rc = fg__store_q(s,
                     "INSERT INTO fg_user (name, role, pwhash, created_at) VALUES ($1, $2, $3, $4)",
                     4, p, NULL, NULL, err);
    if (rc == FG_E_CONFLICT)
        rc = fg_error_set(err, FG_EEXIST, "name", 0, "user '%s' exists", name);
    if (rc == 0)
        rc = fg__store_audit(s, actor, "user.add", name, role, err);
    return fg__store_finish(s, rc, err);
}

int fg_store_user_passwd(fg_store_t *s, const char *actor, const char *name, const char *password,
                         fg_error_t *err)
{
    char h[crypto_pwhash_STRBYTES];
    int rc = pwhash(password, h, err);
    if (rc != 0)
        return rc;
    const char *p[] = {name, h};
    fg__store_first_t f = {0};
    rc = fg_store_begin(s, err);
    if (rc != 0)
        return rc;
    rc = fg__store_q(s, "UPDATE fg_user SET pwhash = $2 WHERE name = $1 RETURNING name", 2, p,
                     fg__store_take_first, &f, err);
    if (rc == 0 && !f.found)
        rc = fg_error_set(err, FG_ENOTFOUND, "name", 0, "no user '%s'", name);
    if (rc == 0)
        rc = fg__store_audit(s, actor, "user.passwd", name, "", err);
    return fg__store_finish(s, rc, err);
}

typedef struct user_row {
    int found;
    char role[16];
    char pwhash[crypto_pwhash_STRBYTES];
} user_row_t;

static int take_user(void *ctx, int ncol, const char *const *vals)
{
    user_row_t *u = ctx;
    if (ncol < 2)
        return 0;
    u->found = 1;
    fg__store_copy(u->role, sizeof(u->role), vals[0]);
    fg__store_copy(u->pwhash, sizeof(u->pwhash), vals[1]);
    return 0;
}

uint64_t fg_store_password_checks(fg_store_t *s)
{
    return atomic_load(&s->pw_checks);
}

int fg_store_user_check(fg_store_t *s, const char *name, const char *password, fg_principal_t *p,
                        fg_error_t *err)
{
    const char *params[] = {name};
    user_row_t u = {0};
    int rc = fg__store_q(s, "SELECT role, pwhash FROM fg_user WHERE name = $1", 1, params,
                         take_user, &u, err);
    if (rc != 0)
        return rc;
    /* A name that is not there costs the same argon2id verification as a wrong password (against
     * a hash nobody knows the password of), so the time of the answer does not tell which. */
    int wrong = crypto_pwhash_str_verify(u.found ? u.pwhash : fg__store_dummy_pwhash, password,
                                         strlen(password)) != 0;
    atomic_fetch_add(&s->pw_checks, 1);
    if (!u.found || wrong)
        return fg_error_set(err, FG_E_AUTH, "", 0, "wrong user name or password");
    fg__store_copy(p->id, sizeof(p->id), name);
    fg__store_copy(p->role, sizeof(p->role), u.role);
    p->fixmedins_code[0] = '\0';
    return 0;
}

typedef struct user_list {
    fg_store_user_fn fn;
    void *ctx;
} user_list_t;

static int user_row_fn(void *ctx, int ncol, const char *const *vals)
{
    user_list_t *l = ctx;
    if (ncol < 3)
        return FG_EINTERNAL;
    fg_store_user_t u = {.name = fg__store_str(vals[0]),
                         .role = fg__store_str(vals[1]),
                         .created_at = fg__store_time(vals[2])};
    return l->fn(l->ctx, &u);
}

int fg_store_user_list(fg_store_t *s, fg_store_user_fn fn, void *ctx, fg_error_t *err)
{
    user_list_t l = {.fn = fn, .ctx = ctx};
    return fg__store_q(s, "SELECT name, role, created_at FROM fg_user ORDER BY name", 0, NULL,
                       user_row_fn, &l, err);
}

int fg_store_user_json(const fg_store_user_t *u, fg_buf_t *out)
{
    fg__store_obj_t o = fg__store_obj(out);
    fg__store_obj_str(&o, "name", u->name);
    fg__store_obj_str(&o, "role", u->role);
    fg__store_obj_time(&o, "created_at", u->created_at);
    return fg__store_obj_end(&o);
}
