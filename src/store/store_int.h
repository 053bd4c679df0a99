/*
 * store_int.h — the store's driver interface: what a backend provides so that src/store/store.c
 * runs the same SQL on each (SQLite's VFS in miniature).
 *
 * SQL is written once, portably, with $1, $2 … placeholders (PostgreSQL's form; SQLite reads them
 * as named parameters and the driver binds them by name). Every parameter and every result value
 * is text; NULL results come back as NULL pointers. Migrations may write the token "%SERIAL%" for
 * an auto-numbered integer primary key; the driver says how its dialect spells it.
 */
#ifndef FG_STORE_INT_H
#define FG_STORE_INT_H

#include <sodium.h>

#include "fundguard/error.h"

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

#endif
