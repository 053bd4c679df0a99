/*
 * store.c — the store's core, written once over the driver (store_int.h): opening and migrating,
 * transactions, and the helpers of the record families (keys.c, users.c, settlements.c, alerts.c,
 * refs.c, audit.c).
 *
 * Every statement is a string literal with $n placeholders (the SQLite driver caches statements by
 * the literal's address). The handle's recursive lock serialises calls; a transaction holds it from
 * begin to commit, and calls made inside it on the same thread join it.
 */
#include "core/compat.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fundguard/alloc.h"
#include "fundguard/store.h"
#include "store/store_int.h"

/* ---------------------------------------------------------------- helpers */

void fg_store_digest(const void *data, size_t n, char hex[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, n);
    sodium_bin2hex(hex, 65, h, sizeof(h));
}

void fg__store_now(char out[FG_TIME_TEXTLEN + 1])
{
    fg_time_format(fg_time_now(), out);
}

void fg__store_time_text(fg_time_t t, char out[FG_TIME_TEXTLEN + 1])
{
    if (t == FG_TIME_NONE)
        out[0] = '\0';
    else
        fg_time_format(t, out);
}

fg_time_t fg__store_time(const char *text)
{
    fg_time_t t;
    if (text == NULL || text[0] == '\0' || fg_time_parse(text, strlen(text), &t, NULL) != 0)
        return FG_TIME_NONE;
    return t;
}

void fg__store_copy(char *dst, size_t cap, const char *src)
{
    size_t n = src != NULL ? strnlen(src, cap - 1) : 0;
    if (n > 0)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

const char *fg__store_str(const char *v)
{
    return v != NULL ? v : "";
}

int64_t fg__store_i64(const char *v)
{
    return v != NULL ? strtoll(v, NULL, 10) : 0;
}

int fg__store_q(fg_store_t *s, const char *sql, int n, const char *const *params,
                fg__store_row_fn fn, void *ctx, fg_error_t *err)
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

int fg__store_take_first(void *ctx, int ncol, const char *const *vals)
{
    fg__store_first_t *f = ctx;
    if (f->found)
        return 0;
    f->found = 1;
    for (int i = 0; i < ncol && i < 4; i++)
        fg__store_copy(f->v[i], sizeof(f->v[i]), vals[i]);
    return 0;
}

int fg__store_audit(fg_store_t *s, const char *actor, const char *action, const char *object,
                    const char *after, fg_error_t *err)
{
    fg_audit_entry_t e = {
        .actor = actor, .action = action, .object = object, .before = "", .after = after};
    return fg_store_audit_append(s, &e, err);
}

/* ---------------------------------------------------------------- JSON of records */

fg__store_obj_t fg__store_obj(fg_buf_t *out)
{
    fg__store_obj_t o = {.out = out};
    o.rc = fg_buf_appendc(out, '{');
    return o;
}

static void member(fg__store_obj_t *o, const char *name)
{
    if (o->rc == 0)
        o->rc = fg_buf_printf(o->out, "%s\"%s\":", o->n++ ? "," : "", name);
}

void fg__store_obj_str(fg__store_obj_t *o, const char *name, const char *v)
{
    member(o, name);
    v = fg__store_str(v);
    if (o->rc == 0)
        o->rc = fg_buf_append_json_str(o->out, v, strlen(v));
}

void fg__store_obj_int(fg__store_obj_t *o, const char *name, int64_t v)
{
    member(o, name);
    if (o->rc == 0)
        o->rc = fg_buf_printf(o->out, "%lld", (long long)v);
}

void fg__store_obj_time(fg__store_obj_t *o, const char *name, fg_time_t t)
{
    char text[FG_TIME_TEXTLEN + 1];
    fg__store_time_text(t, text);
    fg__store_obj_str(o, name, text);
}

void fg__store_obj_raw(fg__store_obj_t *o, const char *name, const char *json)
{
    member(o, name);
    if (o->rc == 0)
        o->rc = fg_buf_appends(o->out, json != NULL && json[0] != '\0' ? json : "null");
}

int fg__store_obj_end(fg__store_obj_t *o)
{
    if (o->rc == 0)
        o->rc = fg_buf_appendc(o->out, '}');
    return o->rc;
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

int fg__store_finish(fg_store_t *s, int rc, fg_error_t *err)
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
    fg__store_first_t f = {0};
    if (fg__store_q(s, "SELECT COALESCE(MAX(version), 0) FROM fg_schema", 0, NULL,
                    fg__store_take_first, &f, NULL) != 0)
        return -1;
    return (int)fg__store_i64(f.v[0]);
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
        fg__store_now(at);
        const char *p[] = {ver, at};
        rc = fg_store_begin(s, err);
        if (rc == 0) {
            rc = s->drv->script(s->db, sql, err);
            if (rc == 0)
                rc = fg__store_q(s, "INSERT INTO fg_schema (version, applied_at) VALUES ($1, $2)",
                                 2, p, NULL, NULL, err);
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
