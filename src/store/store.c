/*
 * store.c — the store's logic, written once over the driver (store_int.h): opening and migrating,
 * keys and users, settlements and decisions, alerts and findings, reference status, the audit
 * chain.
 *
 * Every statement is a string literal with $n placeholders (the SQLite driver caches statements by
 * the literal's address). The handle's recursive lock serialises calls; a transaction holds it from
 * begin to commit, and calls made inside it on the same thread join it.
 */
#include "core/compat.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fundguard/alloc.h"
#include "fundguard/store.h"
#include "store/store_int.h"

struct fg_store {
    const fg__store_driver_t *drv;
    void *db;
    pthread_mutex_t lock;   /* recursive */
    int depth;              /* nesting of begin … commit (under lock) */
    int failed;             /* a statement failed inside the open transaction */
    atomic_ulong pw_checks; /* argon2id verifications run by fg_store_user_check */
};

/* ---------------------------------------------------------------- helpers */

void fg_store_digest(const void *data, size_t n, char hex[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, n);
    sodium_bin2hex(hex, 65, h, sizeof(h));
}

static void now_text(char out[FG_TIME_TEXTLEN + 1])
{
    fg_time_format(fg_time_now(), out);
}

static void time_text(fg_time_t t, char out[FG_TIME_TEXTLEN + 1])
{
    if (t == FG_TIME_NONE)
        out[0] = '\0';
    else
        fg_time_format(t, out);
}

/* Copy src (NULL: "") into dst of cap bytes, cutting what does not fit. */
static void copy(char *dst, size_t cap, const char *src)
{
    size_t n = src != NULL ? strnlen(src, cap - 1) : 0;
    if (n > 0)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

static int q(fg_store_t *s, const char *sql, int n, const char *const *params, fg__store_row_fn fn,
             void *ctx, fg_error_t *err)
{
    pthread_mutex_lock(&s->lock);
    int rc = s->drv->exec(s->db, sql, 0, n, params, fn, ctx, err);
    if (rc != 0 && s->depth > 0)
        s->failed = 1;
    pthread_mutex_unlock(&s->lock);
    return rc;
}

int fg_store_exec(fg_store_t *s, const char *sql, int n, const char *const *params, fg_error_t *err)
{
    pthread_mutex_lock(&s->lock);
    int rc = s->drv->exec(s->db, sql, 1, n, params, NULL, NULL, err);
    pthread_mutex_unlock(&s->lock);
    return rc;
}

/* A row collector: the first row's first ncap values, copied. */
typedef struct first_row {
    int found;
    char v[4][128];
} first_row_t;

static int take_first(void *ctx, int ncol, const char *const *vals)
{
    first_row_t *f = ctx;
    if (f->found)
        return 0;
    f->found = 1;
    for (int i = 0; i < ncol && i < 4; i++)
        copy(f->v[i], sizeof(f->v[i]), vals[i]);
    return 0;
}

static int64_t to_i64(const char *s)
{
    return s != NULL ? strtoll(s, NULL, 10) : 0;
}

/* ---------------------------------------------------------------- transactions */

int fg_store_begin(fg_store_t *s, fg_error_t *err)
{
    pthread_mutex_lock(&s->lock);
    if (s->depth == 0) {
        int rc = s->drv->exec(s->db, s->drv->begin, 0, 0, NULL, NULL, NULL, err);
        if (rc != 0) {
            pthread_mutex_unlock(&s->lock);
            return rc;
        }
        s->failed = 0;
    }
    s->depth++;
    return 0;
}

int fg_store_commit(fg_store_t *s, fg_error_t *err)
{
    int rc = 0;
    if (--s->depth == 0) {
        if (s->failed) {
            s->drv->exec(s->db, "ROLLBACK", 0, 0, NULL, NULL, NULL, NULL);
            rc = fg_error_set(err, FG_E_STORE, "", 0, "a statement of the transaction failed");
        } else {
            rc = s->drv->exec(s->db, "COMMIT", 0, 0, NULL, NULL, NULL, err);
            if (rc != 0)
                s->drv->exec(s->db, "ROLLBACK", 0, 0, NULL, NULL, NULL, NULL);
        }
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

void fg_store_rollback(fg_store_t *s)
{
    if (--s->depth == 0)
        s->drv->exec(s->db, "ROLLBACK", 0, 0, NULL, NULL, NULL, NULL);
    else
        s->failed = 1;
    pthread_mutex_unlock(&s->lock);
}

/* End the transaction begun by the caller: commit when rc is 0, else roll back; returns the
 * outcome. */
static int finish(fg_store_t *s, int rc, fg_error_t *err)
{
    if (rc != 0) {
        fg_store_rollback(s);
        return rc;
    }
    return fg_store_commit(s, err);
}

/* ---------------------------------------------------------------- open and migrate */

int fg_store_schema_latest(void)
{
    return fg__store_nmigrations;
}

int fg_store_schema_version(fg_store_t *s)
{
    first_row_t f = {0};
    if (q(s, "SELECT COALESCE(MAX(version), 0) FROM fg_schema", 0, NULL, take_first, &f, NULL) != 0)
        return -1;
    return (int)to_i64(f.v[0]);
}

/* Migration text with "%SERIAL%" spelt in the driver's dialect. */
static char *dialect(const fg_store_t *s, const char *sql)
{
    const char *tok = "%SERIAL%";
    fg_buf_t b;
    fg_buf_init(&b, 1u << 20);
    const char *p = sql;
    for (const char *hit = strstr(p, tok); hit != NULL; hit = strstr(p, tok)) {
        fg_buf_append(&b, p, (size_t)(hit - p));
        fg_buf_appends(&b, s->drv->serial);
        p = hit + strlen(tok);
    }
    if (fg_buf_appends(&b, p) != 0) {
        fg_buf_release(&b);
        return NULL;
    }
    return fg_buf_detach(&b, NULL);
}

static int migrate(fg_store_t *s, fg_error_t *err)
{
    int rc = s->drv->script(s->db,
                            "CREATE TABLE IF NOT EXISTS fg_schema (version integer PRIMARY KEY, "
                            "applied_at text NOT NULL)",
                            err);
    if (rc != 0)
        return rc;
    int have = fg_store_schema_version(s);
    if (have < 0)
        return fg_error_set(err, FG_E_STORE, "", 0, "cannot read the schema version");
    if (have > fg__store_nmigrations)
        return fg_error_set(err, FG_E_STORE_SCHEMA, "", 0,
                            "the store is at schema %d; this build knows up to %d", have,
                            fg__store_nmigrations);
    for (int v = have + 1; v <= fg__store_nmigrations && rc == 0; v++) {
        char *sql = dialect(s, fg__store_migrations[v - 1]);
        if (sql == NULL)
            return fg_error_set(err, FG_ENOMEM, "", 0, NULL);
        char ver[16], at[FG_TIME_TEXTLEN + 1];
        snprintf(ver, sizeof(ver), "%d", v);
        now_text(at);
        const char *p[] = {ver, at};
        rc = fg_store_begin(s, err);
        if (rc == 0) {
            rc = s->drv->script(s->db, sql, err);
            if (rc == 0)
                rc = q(s, "INSERT INTO fg_schema (version, applied_at) VALUES ($1, $2)", 2, p, NULL,
                       NULL, err);
            if (rc == 0)
                rc = fg_store_commit(s, err);
            else
                fg_store_rollback(s);
        }
        fg_free(sql);
    }
    return rc;
}

int fg_store_open(const char *url, fg_store_t **out, fg_error_t *err)
{
    *out = NULL;
    if (sodium_init() < 0)
        return fg_error_set(err, FG_EINTERNAL, "", 0, "libsodium cannot start");
    fg_store_t *s = fg_calloc(1, sizeof(*s));
    if (s == NULL)
        return fg_error_set(err, FG_ENOMEM, "", 0, NULL);
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&s->lock, &a);
    pthread_mutexattr_destroy(&a);
    int rc;
    if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0) {
        rc = fg__store_pg_open(url, &s->drv, &s->db, err);
    } else {
        const char *path = strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url;
        char file[4096];
        size_t n = strlen(path);
        int is_db = n > 3 && strcmp(path + n - 3, ".db") == 0;
        if (!is_db && mkdir(path, 0750) != 0 && errno != EEXIST) {
            rc = fg_error_set(err, FG_E_STORE, "", 0, "%s: %s", path, strerror(errno));
            fg_store_close(s);
            return rc;
        }
        snprintf(file, sizeof(file), is_db ? "%s" : "%s/fundguard.db", path);
        rc = fg__store_sqlite_open(file, &s->drv, &s->db, err);
    }
    if (rc == 0)
        rc = migrate(s, err);
    if (rc != 0) {
        fg_store_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

void fg_store_close(fg_store_t *s)
{
    if (s == NULL)
        return;
    if (s->drv != NULL)
        s->drv->close(s->db);
    pthread_mutex_destroy(&s->lock);
    fg_free(s);
}

const char *fg_store_backend(const fg_store_t *s)
{
    return s->drv->name;
}

/* ---------------------------------------------------------------- keys and users */

static const char *const roles[] = {"institution", "reviewer", "leader", "admin", "auditor"};

int fg_store_role_valid(const char *role)
{
    for (size_t i = 0; i < FG_ARRAY_LEN(roles); i++)
        if (strcmp(role, roles[i]) == 0)
            return 1;
    return 0;
}

static int audit_simple(fg_store_t *s, const char *actor, const char *action, const char *object,
                        const char *after, fg_error_t *err)
{
    fg_audit_entry_t e = {
        .actor = actor, .action = action, .object = object, .before = "", .after = after};
    return fg_store_audit_append(s, &e, err);
}

int fg_store_key_add(fg_store_t *s, const char *role, const char *fixmedins_code,
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
    now_text(at);
    const char *p[] = {id_out, hash, role, code, at};
    int rc = fg_store_begin(s, err);
    if (rc != 0)
        return rc;
    rc = q(s,
           "INSERT INTO fg_key (id, hash, role, fixmedins_code, created_at) "
           "VALUES ($1, $2, $3, $4, $5)",
           5, p, NULL, NULL, err);
    if (rc == 0)
        rc = audit_simple(s, "cli", "key.add", id_out, hash, err);
    return finish(s, rc, err);
}

int fg_store_key_find(fg_store_t *s, const char *key, fg_principal_t *p, fg_error_t *err)
{
    char hash[65];
    fg_store_digest(key, strlen(key), hash);
    const char *params[] = {hash};
    first_row_t f = {0};
    int rc = q(s, "SELECT id, role, fixmedins_code FROM fg_key WHERE hash = $1 AND revoked = 0", 1,
               params, take_first, &f, err);
    if (rc != 0)
        return rc;
    if (!f.found)
        return fg_error_set(err, FG_ENOTFOUND, "key", 0, "unknown or revoked key");
    copy(p->id, sizeof(p->id), f.v[0]);
    copy(p->role, sizeof(p->role), f.v[1]);
    copy(p->fixmedins_code, sizeof(p->fixmedins_code), f.v[2]);
    return 0;
}

int fg_store_key_revoke(fg_store_t *s, const char *id, fg_error_t *err)
{
    const char *p[] = {id};
    first_row_t f = {0};
    int rc = fg_store_begin(s, err);
    if (rc != 0)
        return rc;
    rc = q(s, "UPDATE fg_key SET revoked = 1 WHERE id = $1 AND revoked = 0 RETURNING id", 1, p,
           take_first, &f, err);
    if (rc == 0 && !f.found)
        rc = fg_error_set(err, FG_ENOTFOUND, "id", 0, "no active key '%s'", id);
    if (rc == 0)
        rc = audit_simple(s, "cli", "key.revoke", id, "", err);
    return finish(s, rc, err);
}

typedef struct lines_ctx {
    fg_buf_t *out;
    const char *const *names; /* JSON member names of the columns; a name ending in '#' is a number
                                 and in '{' raw JSON */
    int rows;
    char last[1024]; /* first column of the last row (the page cursor; codes have <= 512 bytes) */
} lines_ctx_t;

/* Append a row as a JSON object of the named columns. */
static int row_object(lines_ctx_t *c, int ncol, const char *const *vals)
{
    int rc = fg_buf_appendc(c->out, '{');
    for (int i = 0; i < ncol && c->names[i] != NULL && rc == 0; i++) {
        const char *name = c->names[i];
        size_t n = strlen(name);
        char kind = name[n - 1];
        int typed = kind == '#' || kind == '{';
        rc = fg_buf_printf(c->out, "%s\"%.*s\":", i ? "," : "", (int)(typed ? n - 1 : n), name);
        const char *v = vals[i] != NULL ? vals[i] : "";
        if (rc == 0 && typed)
            rc = fg_buf_appends(c->out, v[0] != '\0' ? v : (kind == '#' ? "0" : "null"));
        else if (rc == 0)
            rc = fg_buf_append_json_str(c->out, v, strlen(v));
    }
    if (rc == 0)
        rc = fg_buf_appendc(c->out, '}');
    copy(c->last, sizeof(c->last), vals[0]);
    c->rows++;
    return rc;
}

static int json_line(void *ctx, int ncol, const char *const *vals)
{
    lines_ctx_t *c = ctx;
    int rc = row_object(c, ncol, vals);
    return rc == 0 ? fg_buf_appendc(c->out, '\n') : rc;
}

static int json_item(void *ctx, int ncol, const char *const *vals)
{
    lines_ctx_t *c = ctx;
    if (c->rows > 0 && fg_buf_appendc(c->out, ',') != 0)
        return FG_ELIMIT;
    return row_object(c, ncol, vals);
}

int fg_store_key_list(fg_store_t *s, fg_buf_t *out, fg_error_t *err)
{
    static const char *const names[] = {"id",         "role",     "fixmedins_code",
                                        "created_at", "revoked#", NULL};
    lines_ctx_t c = {.out = out, .names = names};
    return q(s, "SELECT id, role, fixmedins_code, created_at, revoked FROM fg_key ORDER BY id", 0,
             NULL, json_line, &c, err);
}

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

int fg_store_user_add(fg_store_t *s, const char *name, const char *role, const char *password,
                      fg_error_t *err)
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
    now_text(at);
    const char *p[] = {name, role, h, at};
    rc = fg_store_begin(s, err);
    if (rc != 0)
        return rc;
    rc = q(s, "INSERT INTO fg_user (name, role, pwhash, created_at) VALUES ($1, $2, $3, $4)", 4, p,
           NULL, NULL, err);
    if (rc == FG_E_CONFLICT)
        rc = fg_error_set(err, FG_EEXIST, "name", 0, "user '%s' exists", name);
    if (rc == 0)
        rc = audit_simple(s, "cli", "user.add", name, role, err);
    return finish(s, rc, err);
}

int fg_store_user_passwd(fg_store_t *s, const char *name, const char *password, fg_error_t *err)
{
    char h[crypto_pwhash_STRBYTES];
    int rc = pwhash(password, h, err);
    if (rc != 0)
        return rc;
    const char *p[] = {name, h};
    first_row_t f = {0};
    rc = fg_store_begin(s, err);
    if (rc != 0)
        return rc;
    rc = q(s, "UPDATE fg_user SET pwhash = $2 WHERE name = $1 RETURNING name", 2, p, take_first, &f,
           err);
    if (rc == 0 && !f.found)
        rc = fg_error_set(err, FG_ENOTFOUND, "name", 0, "no user '%s'", name);
    if (rc == 0)
        rc = audit_simple(s, "cli", "user.passwd", name, "", err);
    return finish(s, rc, err);
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
    copy(u->role, sizeof(u->role), vals[0]);
    copy(u->pwhash, sizeof(u->pwhash), vals[1]);
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
    int rc =
        q(s, "SELECT role, pwhash FROM fg_user WHERE name = $1", 1, params, take_user, &u, err);
    if (rc != 0)
        return rc;
    /* A name that is not there costs the same argon2id verification as a wrong password (against
     * a hash nobody knows the password of), so the time of the answer does not tell which. */
    int wrong = crypto_pwhash_str_verify(u.found ? u.pwhash : fg__store_dummy_pwhash, password,
                                         strlen(password)) != 0;
    atomic_fetch_add(&s->pw_checks, 1);
    if (!u.found || wrong)
        return fg_error_set(err, FG_E_AUTH, "", 0, "wrong user name or password");
    copy(p->id, sizeof(p->id), name);
    copy(p->role, sizeof(p->role), u.role);
    p->fixmedins_code[0] = '\0';
    return 0;
}

int fg_store_user_list(fg_store_t *s, fg_buf_t *out, fg_error_t *err)
{
    static const char *const names[] = {"name", "role", "created_at", NULL};
    lines_ctx_t c = {.out = out, .names = names};
    return q(s, "SELECT name, role, created_at FROM fg_user ORDER BY name", 0, NULL, json_line, &c,
             err);
}

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
    now_text(at);
    time_text(st->setl_time, setl_time);
    if (setl_time[0] == '\0')
        copy(setl_time, sizeof(setl_time), at);
    int rc = fg_store_begin(s, err);
    if (rc != 0)
        return rc;
    const char *k[] = {st->setl_id};
    first_row_t f = {0};
    rc = q(s, "SELECT digest FROM fg_settlement WHERE setl_id = $1", 1, k, take_first, &f, err);
    if (rc == 0 && f.found) {
        if (strcmp(f.v[0], digest) != 0) {
            rc = fg_error_set(err, FG_E_CONFLICT, "setl_id", 0,
                              "settlement '%s' was stored before with different content",
                              st->setl_id);
        } else {
            text_ctx_t t = {.out = prior};
            rc = q(s, "SELECT body FROM fg_decision WHERE setl_id = $1", 1, k, take_text, &t, err);
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
        rc = q(s,
               "INSERT INTO fg_settlement (setl_id, fixmedins_code, psn_no, setl_time, refund, "
               "init_setl_id, digest, body, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
               "$9)",
               9, p, NULL, NULL, err);
    fg_free(body);
    const char *d[] = {st->setl_id, st->verdict, st->decision, at};
    if (rc == 0)
        rc = q(s,
               "INSERT INTO fg_decision (setl_id, verdict, body, decided_at) VALUES ($1, $2, $3, "
               "$4)",
               4, d, NULL, NULL, err);
    return finish(s, rc, err);
}

typedef struct setl_ctx {
    fg_buf_t *out;
    char *inst;
    int found;
} setl_ctx_t;

static int take_setl(void *ctx, int ncol, const char *const *vals)
{
    setl_ctx_t *c = ctx;
    if (ncol < 6)
        return 0;
    c->found = 1;
    copy(c->inst, 16, vals[1]);
    int rc = fg_buf_appends(c->out, "{\"setl_id\":");
    if (rc == 0)
        rc = fg_buf_append_json_str(c->out, vals[0], strlen(vals[0]));
    for (int i = 1; i <= 2 && rc == 0; i++) {
        rc = fg_buf_appends(c->out, i == 1 ? ",\"fixmedins_code\":" : ",\"setl_time\":");
        const char *v = vals[i] != NULL ? vals[i] : "";
        if (rc == 0)
            rc = fg_buf_append_json_str(c->out, v, strlen(v));
    }
    if (rc == 0)
        rc = fg_buf_printf(c->out, ",\"refund\":%s,", vals[3]);
    if (rc == 0)
        rc = fg_buf_appends(c->out, "\"init_setl_id\":");
    if (rc == 0)
        rc = fg_buf_append_json_str(c->out, vals[4], strlen(vals[4]));
    if (rc == 0)
        rc = fg_buf_printf(c->out, ",\"decision\":%s}", vals[5] != NULL ? vals[5] : "null");
    return rc;
}

int fg_store_settlement_get(fg_store_t *s, const char *setl_id, char inst[16], fg_buf_t *out,
                            fg_error_t *err)
{
    const char *p[] = {setl_id};
    setl_ctx_t c = {.out = out, .inst = inst};
    int rc = q(s,
               "SELECT s.setl_id, s.fixmedins_code, s.setl_time, s.refund, s.init_setl_id, d.body "
               "FROM fg_settlement s LEFT JOIN fg_decision d ON d.setl_id = s.setl_id "
               "WHERE s.setl_id = $1",
               1, p, take_setl, &c, err);
    if (rc == 0 && !c.found)
        rc = fg_error_set(err, FG_ENOTFOUND, "setl_id", 0, "no settlement '%s'", setl_id);
    return rc;
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
    int rc = q(s, "SELECT response FROM fg_request WHERE digest = $1", 1, p, take_text, &t, err);
    if (rc == 0 && !t.found)
        rc = fg_error_set(err, FG_ENOTFOUND, "", 0, "not answered before");
    return rc;
}

int fg_store_request_put(fg_store_t *s, const char *digest, const char *fixmedins_code,
                         const char *response, fg_error_t *err)
{
    char key[65], at[FG_TIME_TEXTLEN + 1];
    request_key(digest, fixmedins_code, key);
    now_text(at);
    const char *p[] = {key, fixmedins_code, response, at};
    return q(
        s, "INSERT INTO fg_request (digest, fixmedins_code, response, at) VALUES ($1, $2, $3, $4)",
        4, p, NULL, NULL, err);
}

/* ---------------------------------------------------------------- alerts and findings */

int fg_store_alert_add(fg_store_t *s, fg_store_list_t which, const fg_store_alert_t *a,
                       fg_error_t *err)
{
    char occurred[FG_TIME_TEXTLEN + 1], at[FG_TIME_TEXTLEN + 1];
    now_text(at);
    time_text(a->occurred, occurred);
    const char *p[] = {which == FG_STORE_ALERTS ? "0" : "1",
                       a->kind,
                       a->fixmedins_code,
                       a->code != NULL ? a->code : "",
                       a->setl_id != NULL ? a->setl_id : "",
                       occurred[0] ? occurred : at,
                       a->detail != NULL && a->detail[0] ? a->detail : "{}",
                       at};
    return q(s,
             "INSERT INTO fg_alert (list, kind, fixmedins_code, code, setl_id, occurred, detail, "
             "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
             8, p, NULL, NULL, err);
}

/* A page of rows: {"items":[…],"next":cursor|null}, the cursor being the last row's first column
 * (quoted when it is text) when the page is full. */
static int page(fg_store_t *s, const char *sql, int n, const char *const *p,
                const char *const *names, int limit, int quoted, fg_buf_t *out, fg_error_t *err)
{
    lines_ctx_t c = {.out = out, .names = names};
    int rc = fg_buf_appends(out, "{\"items\":[");
    if (rc == 0)
        rc = q(s, sql, n, p, json_item, &c, err);
    if (rc != 0)
        return rc;
    if (c.rows < limit)
        return fg_buf_appends(out, "],\"next\":null}");
    rc = fg_buf_appends(out, "],\"next\":");
    if (rc == 0)
        rc = quoted ? fg_buf_append_json_str(out, c.last, strlen(c.last))
                    : fg_buf_appends(out, c.last);
    return rc == 0 ? fg_buf_appendc(out, '}') : rc;
}

int fg_store_alert_list(fg_store_t *s, fg_store_list_t which, const fg_store_filter_t *f,
                        fg_buf_t *out, fg_error_t *err)
{
    static const char *const names[] = {"id#",     "kind",     "fixmedins_code", "code",
                                        "setl_id", "occurred", "detail{",        NULL};
    char from[FG_TIME_TEXTLEN + 1], to[FG_TIME_TEXTLEN + 1], after[24], limit[16];
    time_text(f->from, from);
    time_text(f->to, to);
    snprintf(after, sizeof(after), "%" PRId64, f->after);
    int lim = f->limit < 1 ? 100 : f->limit > 1000 ? 1000 : f->limit;
    snprintf(limit, sizeof(limit), "%d", lim);
    const char *p[] = {which == FG_STORE_ALERTS ? "0" : "1",
                       f->fixmedins_code != NULL ? f->fixmedins_code : "",
                       f->kind != NULL ? f->kind : "",
                       from,
                       to,
                       after,
                       limit};
    return page(s,
                "SELECT id, kind, fixmedins_code, code, setl_id, occurred, detail FROM fg_alert "
                "WHERE list = CAST($1 AS integer) AND ($2 = '' OR fixmedins_code = $2) "
                "AND ($3 = '' OR kind = $3) AND ($4 = '' OR occurred >= $4) "
                "AND ($5 = '' OR occurred < $5) AND id > CAST($6 AS bigint) "
                "ORDER BY id LIMIT CAST($7 AS integer)",
                7, p, names, lim, 0, out, err);
}

int64_t fg_store_alert_count(fg_store_t *s, fg_store_list_t which)
{
    const char *p[] = {which == FG_STORE_ALERTS ? "0" : "1"};
    first_row_t f = {0};
    if (q(s, "SELECT COUNT(*) FROM fg_alert WHERE list = CAST($1 AS integer)", 1, p, take_first, &f,
          NULL) != 0)
        return -1;
    return to_i64(f.v[0]);
}

/* ---------------------------------------------------------------- reference status */

int fg_store_ref_kind_valid(const char *kind)
{
    return strcmp(kind, "institution") == 0 || strcmp(kind, "staff") == 0 ||
           strcmp(kind, "person") == 0 || strcmp(kind, "drug") == 0;
}

int fg_store_ref_put(fg_store_t *s, const fg_store_ref_t *r, char before[65], fg_error_t *err)
{
    if (!fg_store_ref_kind_valid(r->kind))
        return fg_error_set(err, FG_EINVAL, "kind", 0, "unknown reference kind '%s'", r->kind);
    char digest[65], at[FG_TIME_TEXTLEN + 1];
    fg_store_digest(r->body, strlen(r->body), digest);
    now_text(at);
    const char *k[] = {r->kind, r->code};
    first_row_t f = {0};
    int rc = fg_store_begin(s, err);
    if (rc != 0)
        return rc;
    rc = q(s, "SELECT digest FROM fg_ref WHERE kind = $1 AND code = $2", 2, k, take_first, &f, err);
    copy(before, 65, f.found ? f.v[0] : "");
    const char *p[] = {r->kind, r->code, r->fixmedins_code, r->status, r->body, digest, at};
    if (rc == 0 && f.found)
        rc = q(s,
               "UPDATE fg_ref SET fixmedins_code = $3, status = $4, body = $5, digest = $6, "
               "updated_at = $7 WHERE kind = $1 AND code = $2",
               7, p, NULL, NULL, err);
    else if (rc == 0)
        rc = q(s,
               "INSERT INTO fg_ref (kind, code, fixmedins_code, status, body, digest, updated_at) "
               "VALUES ($1, $2, $3, $4, $5, $6, $7)",
               7, p, NULL, NULL, err);
    return finish(s, rc, err);
}

static const char *const ref_names[] = {"code",       "kind", "fixmedins_code", "status", "body{",
                                        "updated_at", NULL};

typedef struct ref_one {
    lines_ctx_t c;
    char *inst;
} ref_one_t;

static int take_ref(void *ctx, int ncol, const char *const *vals)
{
    ref_one_t *r = ctx;
    copy(r->inst, 16, ncol > 2 ? vals[2] : "");
    return row_object(&r->c, ncol, vals);
}

int fg_store_ref_get(fg_store_t *s, const char *kind, const char *code, char inst[16],
                     fg_buf_t *out, fg_error_t *err)
{
    const char *p[] = {kind, code};
    ref_one_t r = {.c = {.out = out, .names = ref_names}, .inst = inst};
    int rc = q(s,
               "SELECT code, kind, fixmedins_code, status, body, updated_at FROM fg_ref "
               "WHERE kind = $1 AND code = $2",
               2, p, take_ref, &r, err);
    if (rc == 0 && r.c.rows == 0)
        rc = fg_error_set(err, FG_ENOTFOUND, "code", 0, "no %s '%s'", kind, code);
    return rc;
}

int fg_store_ref_list(fg_store_t *s, const char *kind, const char *fixmedins_code,
                      const char *after, int limit, fg_buf_t *out, fg_error_t *err)
{
    int lim = limit < 1 ? 100 : limit > 1000 ? 1000 : limit;
    char ls[16];
    snprintf(ls, sizeof(ls), "%d", lim);
    const char *p[] = {kind, fixmedins_code != NULL ? fixmedins_code : "",
                       after != NULL ? after : "", ls};
    return page(s,
                "SELECT code, kind, fixmedins_code, status, body, updated_at FROM fg_ref "
                "WHERE kind = $1 AND ($2 = '' OR fixmedins_code = $2) AND code > $3 "
                "ORDER BY code LIMIT CAST($4 AS integer)",
                4, p, ref_names, lim, 1, out, err);
}

/* ---------------------------------------------------------------- the audit chain */

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
    first_row_t f = {0};
    rc = q(s, "SELECT seq, hash FROM fg_audit ORDER BY seq DESC LIMIT 1", 0, NULL, take_first, &f,
           err);
    char seq[24], at[FG_TIME_TEXTLEN + 1], hash[65];
    snprintf(seq, sizeof(seq), "%" PRId64, (f.found ? to_i64(f.v[0]) : 0) + 1);
    now_text(at);
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
        rc = q(s,
               "INSERT INTO fg_audit (seq, at, actor, action, object, before, after, hash) "
               "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
               8, p, NULL, NULL, err);
    return finish(s, rc, err);
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
    uint64_t seq = (uint64_t)to_i64(vals[0]);
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
    copy(v->prev, sizeof(v->prev), vals[7]);
    v->rep->entries++;
    return 0;
}

int fg_store_audit_verify(fg_store_t *s, fg_audit_report_t *rep, fg_error_t *err)
{
    memset(rep, 0, sizeof(*rep));
    verify_ctx_t v = {.rep = rep, .err = err};
    int rc = q(s,
               "SELECT seq, at, actor, action, object, before, after, hash FROM fg_audit "
               "ORDER BY seq",
               0, NULL, verify_row, &v, err);
    copy(rep->head, sizeof(rep->head), v.prev);
    return rc;
}

int fg_store_audit_list(fg_store_t *s, uint64_t after, int limit, fg_buf_t *out, fg_error_t *err)
{
    static const char *const names[] = {"seq#",   "at",    "actor", "action", "object",
                                        "before", "after", "hash",  NULL};
    char a[24], l[16];
    snprintf(a, sizeof(a), "%" PRIu64, after);
    snprintf(l, sizeof(l), "%d", limit < 1 ? 1000 : limit);
    const char *p[] = {a, l};
    lines_ctx_t c = {.out = out, .names = names};
    return q(s,
             "SELECT seq, at, actor, action, object, before, after, hash FROM fg_audit "
             "WHERE seq > CAST($1 AS bigint) ORDER BY seq LIMIT CAST($2 AS integer)",
             2, p, json_line, &c, err);
}
