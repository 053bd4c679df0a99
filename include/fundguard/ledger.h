/*
 * fundguard/ledger.h — the drug traceability ledger (药品追溯码台账), SPEC §3.
 *
 * Every sales pack carries a unique trace code; a code may be sold once (for a split sale, 拆零,
 * until its units are used up). The ledger applies purchase / purchase_return / sale / sale_return
 * events in arrival order and answers each with an outcome at once: first_sale, split_sale,
 * duplicate (alert, with every earlier standing sale as evidence), return_ok, return_unmatched,
 * in_stock, reflow_purchase (alert, 回流药), transfer_suspect, stock_out, or invalid.
 *
 * One handle, two backends behind it (fg_ledger_open picks by the address):
 *   embedded    a directory holding an append-only journal of checksummed records (the history:
 *               each record points back to the previous record of the same code) and a snapshot of
 *               the compact in-memory index (32 bytes per code plus a 4-byte slot), so restart time
 *               does not grow with history. Durability follows the fsync policy; an event is
 *               acknowledged once fg_ledger_durable_lsn() has reached its lsn. docs/ledger.md has
 *               the contract and the file formats.
 *   postgresql  the same state machine with PostgreSQL 13+ / Citus as the store
 * (docs/scale-out.md): a batch is one transaction, acknowledged when apply returns; several
 * processes may share one such ledger (each code's row is locked for the batch that changes it).
 * Every operation below works on both; where a backend has nothing to do (sync, snapshot on
 * PostgreSQL) the call succeeds at once.
 *
 * Threads: one handle is used by one thread at a time. Handles share nothing.
 *
 * @note Ownership: an fg_ledger_t is owned by the caller and released with fg_ledger_close.
 *       Events and options are borrowed for the call. A result's prior list is borrowed from the
 *       handle until the next call on it.
 */
#ifndef FUNDGUARD_LEDGER_H
#define FUNDGUARD_LEDGER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "fundguard/buf.h"
#include "fundguard/codes.h"
#include "fundguard/datetime.h"
#include "fundguard/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Events
 * ------------------------------------------------------------------------------------------- */

typedef enum fg_ledger_type {
    FG_LEDGER_PURCHASE = 1,        /* "purchase" (3503) */
    FG_LEDGER_PURCHASE_RETURN = 2, /* "purchase_return" (3504) */
    FG_LEDGER_SALE = 3,            /* "sale" (3505, settlements' drug_trac_info) */
    FG_LEDGER_SALE_RETURN = 4      /* "sale_return" (3506) */
} fg_ledger_type_t;

#define FG_LEDGER_STR_MAX   64         /* longest setl_id, feedetl_sn, psn_no, med_list_codg */
#define FG_LEDGER_UNITS_MAX 1000000000 /* largest units / pack_units accepted */

/* One validated event. Strings are NUL-terminated; empty means absent. */
typedef struct fg_ledger_event {
    fg_ledger_type_t type;
    char code[FG_ID_NORM_MAX];            /* normalised trace code (fg_trace_parse key) */
    char inst[16];                        /* fixmedins_code, normalised (H/P + 11 digits) */
    fg_time_t time;                       /* "time", China time */
    uint32_t units;                       /* smallest units as given; 0 = absent */
    uint32_t pack_units;                  /* units in the pack as given; 0 = absent */
    int trdn;                             /* trdn_flag: 1 split (拆零), 0 whole pack (default) */
    char med_list[FG_LEDGER_STR_MAX + 1]; /* med_list_codg */
    char setl_id[FG_LEDGER_STR_MAX + 1];
    char feedetl_sn[FG_LEDGER_STR_MAX + 1];
    char psn_no[FG_LEDGER_STR_MAX + 1];
} fg_ledger_event_t;

/* Parse one JSON object (an event line) with the specialised flat scanner and validate it.
 * Unknown keys are ignored (nested values are skipped); numbers may also come as strings.
 * Errors (with err->where the field): FG_E_JSON, FG_E_REQUIRED, FG_E_LEDGER_TYPE,
 * FG_E_LEDGER_UNITS, FG_E_LEDGER_SPLIT, FG_E_LEDGER_PACK, FG_E_TOO_LONG, FG_E_DUPLICATE, FG_E_ENUM
 * (trdn_flag), trace-code, institution and time errors. */
int fg_ledger_event_parse_json(const char *s, size_t n, fg_ledger_event_t *ev, fg_error_t *err);

/* The CSV form: a header row naming the same fields as the JSON form, in any order (unknown columns
 * ignored), then one event a row; an empty field is absent. Quoted fields ("a,b", "" escapes) are
 * accepted; a row is one line. */
typedef struct fg_ledger_csv {
    int col[11]; /* column index of each known field, -1 when absent */
    int ncols;   /* columns in the header */
} fg_ledger_csv_t;

/* Read the header row. FG_E_CSV_HEADER when empty, FG_E_CSV_COLUMN naming a missing required column
 * (type, drug_trac_codg, fixmedins_code, time). */
int fg_ledger_csv_header(fg_ledger_csv_t *csv, const char *s, size_t n, fg_error_t *err);
int fg_ledger_event_parse_csv(const fg_ledger_csv_t *csv, const char *s, size_t n,
                              fg_ledger_event_t *ev, fg_error_t *err);

/* Validate an event filled by a program (codes are normalised in place). Same errors as parsing. */
int fg_ledger_event_check(fg_ledger_event_t *ev, fg_error_t *err);

const char *fg_ledger_type_name(fg_ledger_type_t type);

/* ---------------------------------------------------------------------------------------------
 * Outcomes
 * ------------------------------------------------------------------------------------------- */

typedef enum fg_ledger_outcome {
    FG_LEDGER_INVALID = 0,
    FG_LEDGER_FIRST_SALE,
    FG_LEDGER_SPLIT_SALE,
    FG_LEDGER_DUPLICATE, /* alert */
    FG_LEDGER_RETURN_OK,
    FG_LEDGER_RETURN_UNMATCHED,
    FG_LEDGER_IN_STOCK,
    FG_LEDGER_REFLOW_PURCHASE, /* alert: 回流药 */
    FG_LEDGER_TRANSFER_SUSPECT,
    FG_LEDGER_STOCK_OUT,
    FG_LEDGER__OUTCOMES
} fg_ledger_outcome_t;

typedef enum fg_ledger_kind {
    FG_LEDGER_KIND_NONE = 0,
    FG_LEDGER_SAME_INSTITUTION,
    FG_LEDGER_OTHER_INSTITUTION
} fg_ledger_kind_t;

#define FG_LEDGER_FINDING_UNKNOWN_SOURCE 1u /* findings bit: sale of a pack never in its stock */

/* One earlier standing sale, as evidence. */
typedef struct fg_ledger_prior {
    char inst[16];
    fg_time_t time;
    char setl_id[FG_LEDGER_STR_MAX + 1];
    char feedetl_sn[FG_LEDGER_STR_MAX + 1];
    char psn_no[FG_LEDGER_STR_MAX + 1];
    uint32_t units; /* units of it still standing */
} fg_ledger_prior_t;

typedef struct fg_ledger_result {
    fg_ledger_outcome_t outcome;
    fg_ledger_kind_t kind;
    unsigned findings;              /* FG_LEDGER_FINDING_* bits */
    uint64_t lsn;                   /* journal sequence number; 0 for invalid events */
    size_t nprior;                  /* standing sales before this event */
    const fg_ledger_prior_t *prior; /* borrowed from the handle until its next call */
    fg_error_t error;               /* outcome invalid: why */
} fg_ledger_result_t;

const char *fg_ledger_outcome_name(fg_ledger_outcome_t o);
const char *fg_ledger_kind_name(fg_ledger_kind_t k); /* NULL for none */
/* 1 when the outcome is an alert (duplicate, reflow_purchase). */
int fg_ledger_is_alert(fg_ledger_outcome_t o);

/* Append the outcome line {"seq":…,"outcome":…,"kind":…,"prior":[…],"findings":[…]} + "\n"
 * (an invalid one also carries "error":{"code","where","pos","message"}). */
int fg_ledger_result_json(const fg_ledger_result_t *r, uint64_t seq, fg_buf_t *out);

/* ---------------------------------------------------------------------------------------------
 * File I/O vtable (SQLite's VFS in miniature): the ledger's file access goes through it, so tests
 * inject ENOSPC, short writes and fsync failures. Each function returns >= 0 or a negated errno.
 * ------------------------------------------------------------------------------------------- */
typedef struct fg_io {
    int (*open)(void *ctx, const char *path, int flags, int mode); /* returns a descriptor */
    ssize_t (*pread)(void *ctx, int fd, void *buf, size_t n, off_t off);
    ssize_t (*pwrite)(void *ctx, int fd, const void *buf, size_t n, off_t off);
    int (*fsync)(void *ctx, int fd);
    int (*ftruncate)(void *ctx, int fd, off_t len);
    int (*close)(void *ctx, int fd);
    int (*rename)(void *ctx, const char *from, const char *to);
    int (*unlink)(void *ctx, const char *path);
    void *ctx;
} fg_io_t;

/* The POSIX implementation (never NULL; static storage). */
const fg_io_t *fg_io_posix(void);

/* ---------------------------------------------------------------------------------------------
 * The embedded ledger
 * ------------------------------------------------------------------------------------------- */

typedef struct fg_ledger fg_ledger_t;

typedef enum fg_ledger_fsync {
    FG_LEDGER_FSYNC_BATCH = 0, /* default: group commit, at most batch_ms after the first event */
    FG_LEDGER_FSYNC_ALWAYS,    /* fsync before fg_ledger_apply / _apply_batch returns */
    FG_LEDGER_FSYNC_OFF        /* write(2) only: survives a process crash, not a power loss */
} fg_ledger_fsync_t;

typedef struct fg_ledger_options {
    fg_ledger_fsync_t fsync; /* default batch */
    unsigned batch_ms;       /* group-commit window; 0 means 10 */
    size_t buffer_bytes;     /* journal write buffer; 0 means 4 MiB (a full buffer is written) */
    uint64_t snapshot_bytes; /* journal growth that triggers a snapshot; 0 means 1 GiB;
                                UINT64_MAX never (only fg_ledger_snapshot and close) */
    uint64_t expect_codes;   /* size the index for this many codes up front (0: grow) */
    int read_only;           /* 1: no writes at all (query, stats, verify); a torn tail is
                                reported and ignored instead of truncated */
    const fg_io_t *io;       /* NULL: fg_io_posix() */
} fg_ledger_options_t;

/* What recovery found at open (also filled for read-only opens). */
typedef struct fg_ledger_recovery {
    uint64_t snapshot_lsn; /* lsn covered by the snapshot loaded (0 none) */
    uint64_t replayed;     /* journal records replayed after it */
    uint64_t torn_offset;  /* offset of a torn tail removed (or ignored when read-only) */
    uint64_t torn_bytes;   /* its length; 0 = no torn tail */
    double seconds;        /* time open took */
} fg_ledger_recovery_t;

/* Open the ledger at `url`:
 *  - "postgresql://…", "postgres://…" or a libpq conninfo ("host=… dbname=…": the text starts
 *    with a keyword and '='): the PostgreSQL ledger; connect and create the schema when absent
 *    (src/ledger/sql/). opt and rec are not used (rec->seconds is the time to connect).
 *    Errors: FG_E_LEDGER_PG.
 *  - anything else is a directory (write "./a=b" for a directory named like a conninfo): open,
 *    creating it when absent, and recover: load the snapshot, replay the journal after it,
 *    truncate a torn tail (reported in *rec, which may be NULL). Damage (a checksum mismatch in a
 *    complete record or in the snapshot) is refused with FG_E_LEDGER_JOURNAL /
 *    FG_E_LEDGER_SNAPSHOT and its offset in err->pos. Errors also: FG_E_LEDGER_LOCKED,
 *    FG_E_LEDGER_VERSION, FG_ENOMEM, negated errno.
 * @note *out is owned by the caller; release with fg_ledger_close. opt may be NULL. */
int fg_ledger_open(const char *url, const fg_ledger_options_t *opt, fg_ledger_t **out,
                   fg_ledger_recovery_t *rec, fg_error_t *err);

/* 1 when url names a PostgreSQL ledger (fg_ledger_open's rule), 0 for a directory. */
int fg_ledger_url_is_pg(const char *url);

/* "embedded" or "postgresql". */
const char *fg_ledger_backend(const fg_ledger_t *lg);

/* Events per fg_ledger_apply_batch call that suit the backend (a network round trip wants more). */
size_t fg_ledger_batch_size(const fg_ledger_t *lg);

/* Empty the ledger (tests, benchmarks): PostgreSQL only; the embedded ledger refuses with FG_EINVAL
 * (remove its directory instead). */
int fg_ledger_reset(fg_ledger_t *lg, fg_error_t *err);

/* Apply one event (validated by a parse function or fg_ledger_event_check). Invalid events give
 * outcome FG_LEDGER_INVALID, lsn 0 and change nothing. Returns 0 — the outcome is in *res — or an
 * I/O error; after an I/O error every further call returns FG_E_LEDGER_FAILED (close and reopen:
 * recovery restores the acknowledged state). @note res->prior is borrowed until the next call. */
int fg_ledger_apply(fg_ledger_t *lg, const fg_ledger_event_t *ev, fg_ledger_result_t *res,
                    fg_error_t *err);

/* Apply n events in order, results into res[0..n) (their prior lists are copied into the handle's
 * scratch, valid until the next call); one group commit covers them all (PostgreSQL: one
 * transaction of two round trips, acknowledged when this returns 0). A result's lsn is the journal
 * sequence number (embedded) or the event's number within its code (PostgreSQL). */
int fg_ledger_apply_batch(fg_ledger_t *lg, const fg_ledger_event_t *ev, size_t n,
                          fg_ledger_result_t *res, fg_error_t *err);

/* Write and fsync (unless policy off) everything applied so far. */
int fg_ledger_sync(fg_ledger_t *lg, fg_error_t *err);
/* Group commit when the window has passed (call when idle); 0 or an I/O error. */
int fg_ledger_poll(fg_ledger_t *lg, fg_error_t *err);
/* Highest lsn durable under the policy: results with lsn <= it are acknowledged (PostgreSQL:
 * UINT64_MAX, every result is acknowledged when apply returns). */
uint64_t fg_ledger_durable_lsn(const fg_ledger_t *lg);
/* Milliseconds until the pending group commit is due (-1 when nothing is pending). */
long fg_ledger_commit_due_ms(const fg_ledger_t *lg);

/* Write a snapshot now (after a sync). */
int fg_ledger_snapshot(fg_ledger_t *lg, fg_error_t *err);

/* One record of a code's history, oldest first in fg_ledger_query's callback order. */
typedef struct fg_ledger_history {
    uint64_t lsn;
    uint64_t offset; /* of the journal record */
    fg_ledger_event_t event;
    fg_ledger_outcome_t outcome;
    fg_ledger_kind_t kind;
    unsigned findings;
} fg_ledger_history_t;

typedef struct fg_ledger_code_state {
    int known;             /* 0: the code was never seen */
    uint32_t pack_units;   /* 0 unknown */
    size_t standing_sales; /* what a person scanning the box is told: 1 or "2 or more" */
    uint32_t units_sold;   /* units of the standing sales */
    char stock[16];        /* institution holding the pack, "" none */
    uint64_t events;       /* records in its history */
} fg_ledger_code_state_t;

typedef int (*fg_ledger_history_fn)(void *ctx, const fg_ledger_history_t *h);

/* The state of a code (normalised or not) and, when fn is not NULL, its history oldest first
 * (read by following back-pointers through the journal). fn returning non-zero stops the walk and
 * is returned. Errors: trace-code errors, FG_E_LEDGER_JOURNAL, I/O. */
int fg_ledger_query(fg_ledger_t *lg, const char *code, fg_ledger_code_state_t *st,
                    fg_ledger_history_fn fn, void *ctx, fg_error_t *err);

typedef struct fg_ledger_stats {
    uint64_t codes; /* distinct codes */
    uint64_t institutions;
    uint64_t events; /* journal records (= last lsn) */
    uint64_t journal_bytes;
    uint64_t snapshot_lsn;
    uint64_t index_bytes; /* memory of the index, side table and institution table */
    uint64_t spilled;     /* codes whose state lives in the side table */
    uint64_t outcomes[FG_LEDGER__OUTCOMES]; /* per outcome, over the whole history */
    uint64_t unknown_source;
    fg_error_t error; /* code 0, or why the backend could not count (the counts are then 0) */
} fg_ledger_stats_t;

/* Counts of the ledger. Embedded: from memory. PostgreSQL: counted by queries (journal_bytes,
 * snapshot_lsn, index_bytes and spilled are 0); a failure is in st->error. */
void fg_ledger_stats(const fg_ledger_t *lg, fg_ledger_stats_t *st);

/* Verify the ledger at `url` (as for fg_ledger_open) without opening it for writing.
 * Embedded: every journal record's checksum, length, sequence and back-pointer, and the snapshot's
 * checksums. 0 when sound; otherwise FG_E_LEDGER_JOURNAL / FG_E_LEDGER_SNAPSHOT with the damaged
 * offset in err->pos and *bad_offset. A torn tail is reported in *torn (offset; 0 none) and is not
 * damage. io NULL: fg_io_posix().
 * PostgreSQL: every code's events are numbered 1..n with n its state's count and its standing
 * sales readable; *records the history rows; damage is FG_E_LEDGER_JOURNAL naming the code, with
 * *bad_offset its event count. */
int fg_ledger_verify(const char *url, const fg_io_t *io, uint64_t *records, uint64_t *bad_offset,
                     uint64_t *torn, fg_error_t *err);

/* Iterate over every record in order (fn as for query): the journal's order (embedded), by code
 * then event number (PostgreSQL). */
int fg_ledger_dump(fg_ledger_t *lg, fg_ledger_history_fn fn, void *ctx, fg_error_t *err);

/* Sync, snapshot when the journal grew since the last one, release everything. NULL allowed.
 * Returns the first error met (the handle is freed in any case). */
int fg_ledger_close(fg_ledger_t *lg, fg_error_t *err);

/* ---------------------------------------------------------------------------------------------
 * A code's history as JSON: the one shape `ledger query --json` and GET /v1/trace/{code} print
 * (docs/ledger.md "History JSON", docs/openapi.yaml TraceHistory).
 * ------------------------------------------------------------------------------------------- */

/* Append one record: {"lsn","type","drug_trac_codg","fixmedins_code","time","units"?,
 * "pack_units"?,"trdn_flag","med_list_codg"?,"setl_id"?,"feedetl_sn"?,"psn_no"?,"outcome",
 * "kind"?,"findings"?} (members marked ? only when present). */
int fg_ledger_record_json(const fg_ledger_history_t *h, fg_buf_t *out);

/* Query `code` and append {"drug_trac_codg","known","sales","verdict","units_sold","pack_units",
 * "stock","events","history":[records oldest first]}. inst not NULL scopes it to one institution:
 * only its own events are listed and stock is null unless it holds the pack (sales, units and
 * events still count every institution's). The state is also left in *st (may be NULL).
 * Errors as fg_ledger_query (out is then unchanged). */
int fg_ledger_history_json(fg_ledger_t *lg, const char *code, const char *inst,
                           fg_ledger_code_state_t *st, fg_buf_t *out, fg_error_t *err);

#ifdef __cplusplus
}
#endif
#endif
