/*
 * handle.c — the one ledger interface: fg_ledger_open picks the backend by the address (a
 * directory: the embedded ledger, ledger.c; a PostgreSQL URL or conninfo: ledger_pg.c) and every
 * public operation dispatches through the handle's table (ledger_int.h fg__lops_t). A caller never
 * knows which backend it holds, so the CLI and the server run the same code on both.
 */
#include "core/compat.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "ledger/ledger_int.h"

int fg_ledger_url_is_pg(const char *url)
{
    if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0)
        return 1;
    /* A libpq conninfo: "keyword = value …" (a directory named so is written "./a=b"). */
    const char *p = url;
    while (*p == ' ')
        p++;
    const char *k = p;
    while (islower((unsigned char)*p) || *p == '_')
        p++;
    if (p == k)
        return 0;
    while (*p == ' ')
        p++;
    return *p == '=';
}

int fg_ledger_open(const char *url, const fg_ledger_options_t *opt, fg_ledger_t **out,
                   fg_ledger_recovery_t *rec, fg_error_t *err)
{
    if (!fg_ledger_url_is_pg(url))
        return fg__emb_open(url, opt, out, rec, err);
    uint64_t t0 = fg__now_ns();
    if (rec != NULL)
        memset(rec, 0, sizeof(*rec));
    int rc = fg__pg_open(url, out, err);
    if (rc == 0 && rec != NULL)
        rec->seconds = (double)(fg__now_ns() - t0) / 1e9;
    return rc;
}

const char *fg_ledger_backend(const fg_ledger_t *lg)
{
    return lg->ops->name;
}

size_t fg_ledger_batch_size(const fg_ledger_t *lg)
{
    return lg->ops->batch;
}

int fg_ledger_apply(fg_ledger_t *lg, const fg_ledger_event_t *ev, fg_ledger_result_t *res,
                    fg_error_t *err)
{
    if (lg->ops->apply != NULL)
        return lg->ops->apply(lg, ev, res, err);
    return lg->ops->apply_batch(lg, ev, 1, res, err);
}

int fg_ledger_apply_batch(fg_ledger_t *lg, const fg_ledger_event_t *ev, size_t n,
                          fg_ledger_result_t *res, fg_error_t *err)
{
    return lg->ops->apply_batch(lg, ev, n, res, err);
}

int fg_ledger_sync(fg_ledger_t *lg, fg_error_t *err)
{
    return lg->ops->sync != NULL ? lg->ops->sync(lg, err) : 0;
}

int fg_ledger_poll(fg_ledger_t *lg, fg_error_t *err)
{
    return lg->ops->poll != NULL ? lg->ops->poll(lg, err) : 0;
}

uint64_t fg_ledger_durable_lsn(const fg_ledger_t *lg)
{
    return lg->ops->durable_lsn != NULL ? lg->ops->durable_lsn(lg) : UINT64_MAX;
}

long fg_ledger_commit_due_ms(const fg_ledger_t *lg)
{
    return lg->ops->commit_due_ms != NULL ? lg->ops->commit_due_ms(lg) : -1;
}

int fg_ledger_snapshot(fg_ledger_t *lg, fg_error_t *err)
{
    return lg->ops->snapshot != NULL ? lg->ops->snapshot(lg, err) : 0;
}

int fg_ledger_query(fg_ledger_t *lg, const char *code, fg_ledger_code_state_t *st,
                    fg_ledger_history_fn fn, void *ctx, fg_error_t *err)
{
    return lg->ops->query(lg, code, st, fn, ctx, err);
}

void fg_ledger_stats(const fg_ledger_t *lg, fg_ledger_stats_t *st)
{
    lg->ops->stats(lg, st);
}

int fg_ledger_dump(fg_ledger_t *lg, fg_ledger_history_fn fn, void *ctx, fg_error_t *err)
{
    return lg->ops->dump(lg, fn, ctx, err);
}

int fg_ledger_reset(fg_ledger_t *lg, fg_error_t *err)
{
    if (lg->ops->reset == NULL)
        return fg_error_set(err, FG_EINVAL, "ledger", 0,
                            "the %s ledger cannot be reset (remove its directory instead)",
                            lg->ops->name);
    return lg->ops->reset(lg, err);
}

int fg_ledger_verify(const char *url, const fg_io_t *io, uint64_t *records, uint64_t *bad_offset,
                     uint64_t *torn, fg_error_t *err)
{
    if (!fg_ledger_url_is_pg(url))
        return fg__emb_verify(url, io, records, bad_offset, torn, err);
    *records = 0;
    *bad_offset = 0;
    *torn = 0;
    return fg__pg_verify(url, records, bad_offset, err);
}

int fg_ledger_close(fg_ledger_t *lg, fg_error_t *err)
{
    return lg != NULL ? lg->ops->close(lg, err) : 0;
}
