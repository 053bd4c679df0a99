/*
 * postgres.c — the PostgreSQL backend of the store (libpq): the same SQL as SQLite, text
 * parameters and text results. One connection, used under the store's lock.
 */
#include "core/compat.h"

#include <libpq-fe.h>
#include <string.h>

#include "store/store_int.h"

static int pg_error(PGconn *c, const PGresult *r, fg_error_t *err)
{
    const char *state = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = r != NULL ? PQresultErrorMessage(r) : PQerrorMessage(c);
    int code = state != NULL && strcmp(state, "23505") == 0 ? FG_E_CONFLICT : FG_E_STORE;
    return fg_error_set(err, code, "", 0, "postgresql: %.150s", msg != NULL ? msg : "error");
}

static int pg_exec(void *db, const char *sql, int once, int n, const char *const *params,
                   fg__store_row_fn fn, void *ctx, fg_error_t *err)
{
    (void)once;
    PGconn *c = db;
    PGresult *r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    int rc = 0;
    if (st == PGRES_TUPLES_OK) {
        int ncol = PQnfields(r);
        if (ncol > 32)
            ncol = 32;
        const char *vals[32];
        for (int row = 0; row < PQntuples(r) && rc == 0 && fn != NULL; row++) {
            for (int i = 0; i < ncol; i++)
                vals[i] = PQgetisnull(r, row, i) ? NULL : PQgetvalue(r, row, i);
            rc = fn(ctx, ncol, vals);
        }
    } else if (st != PGRES_COMMAND_OK) {
        rc = pg_error(c, r, err);
    }
    PQclear(r);
    return rc;
}

static int pg_script(void *db, const char *sql, fg_error_t *err)
{
    PGconn *c = db;
    PGresult *r = PQexec(c, sql);
    int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : pg_error(c, r, err);
    PQclear(r);
    return rc;
}

static void pg_close(void *db)
{
    if (db != NULL)
        PQfinish(db);
}

static const fg__store_driver_t driver = {
    .name = "postgresql",
    .serial = "bigserial PRIMARY KEY",
    .exec = pg_exec,
    .script = pg_script,
    .begin = "BEGIN",
    .close = pg_close,
};

int fg__store_pg_open(const char *conninfo, const fg__store_driver_t **drv, void **db,
                      fg_error_t *err)
{
    PGconn *c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK) {
        fg_error_set(err, FG_E_STORE, "", 0, "postgresql: %.150s", PQerrorMessage(c));
        PQfinish(c);
        return FG_E_STORE;
    }
    int rc = pg_script(c, "SET client_min_messages = warning", err);
    if (rc != 0) {
        PQfinish(c);
        return rc;
    }
    *drv = &driver;
    *db = c;
    return 0;
}
