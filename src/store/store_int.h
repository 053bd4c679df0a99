/*
 * store_int.h — the store's driver interface: what a backend provides so that src/store/store.c
 * runs the same SQL on each (SQLite's VFS in miniature).
 *
 * SQL is written once, portably, with $1, $2 … placeholders (PostgreSQL's form; SQLite reads them
 * as named parameters and the driver binds them by name). Every parameter and every result value
 * is text; NULL results come back as NULL pointers. Migrations may write the token "%SERIAL%" for
 * an auto-numbered integer primary key; the driver says how its dialect spells it.
 *
 * Below the driver: the handle and the helpers the record families' files (keys.c, users.c,
 * settlements.c, alerts.c, refs.c, audit.c) share with store.c.
 */
#ifndef FG_STORE_INT_H
#define FG_STORE_INT_H

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdint.h>

#include "fundguard/buf.h"
#include "fundguard/error.h"
#include "fundguard/store.h"

/* One result row: ncol values, NULL for SQL NULL. Non-zero stops the query and is returned. */
typedef int (*fg__store_row_fn)(void *ctx, int ncol, const char *const *vals);

typedef struct fg__store_driver {
    const char *name;   /* "sqlite", "postgresql" */
    const char *serial; /* the spelling of "%SERIAL%" */
    /* Run one statement with n text parameters; rows (if any) go to fn (may be NULL). sql is a
     * string literal (its address may key a statement cache) unless `once` is 1. */
    int (*exec)(void *db, const char *sql, int once, int n, const char *const *params,
                fg__store_row_fn fn, void *ctx, fg_error_t *err);
    /* Run a script of several statements without parameters. */
    int (*script)(void *db, const char *sql, fg_error_t *err);
    const char *begin; /* "BEGIN IMMEDIATE" / "BEGIN" */
    void (*close)(void *db);
} fg__store_driver_t;

int fg__store_sqlite_open(const char *path, const fg__store_driver_t **drv, void **db,
                          fg_error_t *err);
int fg__store_pg_open(const char *conninfo, const fg__store_driver_t **drv, void **db,
                      fg_error_t *err);

/* The argon2id parameters of every password hash (libsodium's interactive limits: 2 passes over
 * 64 MiB), and a hash with them of a password nobody knows: fg_store_user_check verifies a name
 * that is not there against it, so an unknown and a known name cost the same. */
#define FG__STORE_PW_OPS crypto_pwhash_OPSLIMIT_INTERACTIVE
#define FG__STORE_PW_MEM crypto_pwhash_MEMLIMIT_INTERACTIVE
extern const char fg__store_dummy_pwhash[];

/* The numbered migrations, oldest first: migration i + 1 is fg__store_migrations[i]. */
extern const char *const fg__store_migrations[];
extern const int fg__store_nmigrations;

/* ---------------------------------------------------------------- the handle and its helpers */

struct fg_store {
    const fg__store_driver_t *drv;
    void *db;
    pthread_mutex_t lock;   /* recursive */
    int depth;              /* nesting of begin … commit (under lock) */
    int failed;             /* a statement failed inside the open transaction */
    atomic_ulong pw_checks; /* argon2id verifications run by fg_store_user_check */
};

/* Run one statement (a string literal) under the handle's lock; a failure inside a transaction
 * fails the transaction. */
int fg__store_q(fg_store_t *s, const char *sql, int n, const char *const *params,
                fg__store_row_fn fn, void *ctx, fg_error_t *err);
/* End the transaction begun by the caller: commit when rc is 0, else roll back; the outcome. */
int fg__store_finish(fg_store_t *s, int rc, fg_error_t *err);
/* Append an audit entry with no "before" (inside the caller's transaction). */
int fg__store_audit(fg_store_t *s, const char *actor, const char *action, const char *object,
                    const char *after, fg_error_t *err);

/* The time now / t as stored ("" for FG_TIME_NONE); a stored time read back (FG_TIME_NONE when
 * NULL, empty or unreadable). */
void fg__store_now(char out[FG_TIME_TEXTLEN + 1]);
void fg__store_time_text(fg_time_t t, char out[FG_TIME_TEXTLEN + 1]);
fg_time_t fg__store_time(const char *text);
/* Copy src (NULL: "") into dst of cap bytes, cutting what does not fit. */
void fg__store_copy(char *dst, size_t cap, const char *src);
/* A column as text, "" for NULL; as an integer, 0 for NULL. */
const char *fg__store_str(const char *v);
int64_t fg__store_i64(const char *v);

/* A row collector: the first row's first 4 values, copied. */
typedef struct fg__store_first {
    int found;
    char v[4][128];
} fg__store_first_t;
int fg__store_take_first(void *ctx, int ncol, const char *const *vals);

/* A JSON object being written member by member: fg__store_obj opens it, fg__store_obj_end closes
 * it and returns the first failure. */
typedef struct fg__store_obj {
    fg_buf_t *out;
    int n;
    int rc;
} fg__store_obj_t;
fg__store_obj_t fg__store_obj(fg_buf_t *out);
void fg__store_obj_str(fg__store_obj_t *o, const char *name, const char *v);
void fg__store_obj_int(fg__store_obj_t *o, const char *name, int64_t v);
void fg__store_obj_time(fg__store_obj_t *o, const char *name, fg_time_t t);
/* raw JSON (NULL or "": null) */
void fg__store_obj_raw(fg__store_obj_t *o, const char *name, const char *json);
int fg__store_obj_end(fg__store_obj_t *o);

#endif
