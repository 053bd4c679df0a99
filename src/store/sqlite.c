/*
 * sqlite.c — the SQLite backend of the store: one database file in WAL mode.
 *
 * The connection is opened in serialised mode and used under the store's lock. Prepared statements
 * are cached by SQL text pointer (the store passes string literals), so the hot statements are
 * compiled once. synchronous=FULL: a settlement acknowledged to a client survives a crash of the
 * process and of the machine.
 */
#include "core/compat.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "fundguard/alloc.h"
#include "store/store_int.h"

#define CACHE_SLOTS 64

typedef struct cached {
    const char *sql; /* the literal the statement was prepared from */
    sqlite3_stmt *stmt;
} cached_t;

typedef struct lite {
    sqlite3 *db;
    cached_t cache[CACHE_SLOTS];
} lite_t;

static int lite_error(lite_t *l, int rc, fg_error_t *err)
{
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return fg_error_set(err, FG_E_CONFLICT, "", 0, "sqlite: %s", sqlite3_errmsg(l->db));
    return fg_error_set(err, FG_E_STORE, "", 0, "sqlite: %s", sqlite3_errmsg(l->db));
}

/* The statement for sql: from the cache when `once` is 0 (sql is then a string literal, so its
 * address names it), else prepared afresh and finalised by the caller. */
static sqlite3_stmt *prepare(lite_t *l, const char *sql, int once)
{
    size_t h = ((size_t)sql >> 3) % CACHE_SLOTS;
    if (!once && l->cache[h].sql == sql)
        return l->cache[h].stmt;
    sqlite3_stmt *st = NULL;
    unsigned flags = once ? 0 : SQLITE_PREPARE_PERSISTENT;
    if (sqlite3_prepare_v3(l->db, sql, -1, flags, &st, NULL) != SQLITE_OK)
        return NULL;
    if (once)
        return st;
    if (l->cache[h].stmt != NULL)
        sqlite3_finalize(l->cache[h].stmt);
    l->cache[h].sql = sql;
    l->cache[h].stmt = st;
    return st;
}

static int lite_exec(void *db, const char *sql, int once, int n, const char *const *params,
                     fg__store_row_fn fn, void *ctx, fg_error_t *err)
{
    lite_t *l = db;
    sqlite3_stmt *st = prepare(l, sql, once);
    if (st == NULL)
        return lite_error(l, SQLITE_ERROR, err);
    char name[16];
    for (int i = 0; i < n; i++) {
        snprintf(name, sizeof(name), "$%d", i + 1);
        int idx = sqlite3_bind_parameter_index(st, name);
        if (idx > 0)
            sqlite3_bind_text(st, idx, params[i] != NULL ? params[i] : "", -1, SQLITE_TRANSIENT);
    }
    int rc = 0;
    const char *vals[32];
    for (;;) {
        int s = sqlite3_step(st);
        if (s == SQLITE_DONE)
            break;
        if (s != SQLITE_ROW) {
            rc = lite_error(l, sqlite3_extended_errcode(l->db), err);
            break;
        }
        int ncol = sqlite3_column_count(st);
        if (ncol > 32)
            ncol = 32;
        for (int c = 0; c < ncol; c++)
            vals[c] = (const char *)sqlite3_column_text(st, c);
        if (fn != NULL) {
            rc = fn(ctx, ncol, vals);
            if (rc != 0)
                break;
        }
    }
    if (once) {
        sqlite3_finalize(st);
    } else {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
    return rc;
}

static int lite_script(void *db, const char *sql, fg_error_t *err)
{
    lite_t *l = db;
    char *msg = NULL;
    if (sqlite3_exec(l->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fg_error_set(err, FG_E_STORE, "", 0, "sqlite: %s", msg != NULL ? msg : "error");
        sqlite3_free(msg);
        return FG_E_STORE;
    }
    return 0;
}

static void lite_close(void *db)
{
    lite_t *l = db;
    if (l == NULL)
        return;
    for (int i = 0; i < CACHE_SLOTS; i++)
        sqlite3_finalize(l->cache[i].stmt);
    sqlite3_close(l->db);
    fg_free(l);
}

static const fg__store_driver_t driver = {
    .name = "sqlite",
    .serial = "INTEGER PRIMARY KEY AUTOINCREMENT",
    .exec = lite_exec,
    .script = lite_script,
    .begin = "BEGIN IMMEDIATE",
    .close = lite_close,
};

int fg__store_sqlite_open(const char *path, const fg__store_driver_t **drv, void **db,
                          fg_error_t *err)
{
    lite_t *l = fg_calloc(1, sizeof(*l));
    if (l == NULL)
        return fg_error_set(err, FG_ENOMEM, "", 0, NULL);
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
    if (sqlite3_open_v2(path, &l->db, flags, NULL) != SQLITE_OK) {
        fg_error_set(err, FG_E_STORE, "", 0, "sqlite: %s: %s", path,
                     l->db != NULL ? sqlite3_errmsg(l->db) : "cannot open");
        lite_close(l);
        return FG_E_STORE;
    }
    sqlite3_busy_timeout(l->db, 5000);
    int rc = lite_script(l,
                         "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                         "PRAGMA foreign_keys=ON;",
                         err);
    if (rc != 0) {
        lite_close(l);
        return rc;
    }
    *drv = &driver;
    *db = l;
    return 0;
}
