/*
 * fundguard/store.h — persistence of everything but the ledger, behind one interface.
 *
 * The store keeps what the service needs to remember: settlements as received and their decisions,
 * alerts (ledger) and findings (rules), reference status (institutions, staff qualification,
 * persons' deaths, agreements), API keys (hashed at rest) and officer accounts (argon2id), and the
 * hash-chained audit trail. Two backends run the same portable SQL through a tiny driver (SQLite's
 * VFS in miniature): SQLite in WAL mode, one file in a data directory (the embedded default), and
 * PostgreSQL through libpq. The schema grows by numbered migrations (src/store/migrations.c), each
 * applied once and recorded in fg_schema.
 *
 * Times are stored as text "yyyy-MM-dd HH:mm:ss" (China time) so that period filters are plain
 * comparisons on both backends.
 *
 * Threads: one handle may be shared by every worker; calls are serialised on the handle's lock,
 * and fg_store_begin … fg_store_commit holds it for the whole transaction.
 *
 * Records: reads return records of typed fields, not text. A listing calls a function of the
 * caller once per record (the record and its strings are borrowed for that call; a non-zero return
 * stops the listing and is returned, *err left to the function to set); a get fills a record whose
 * strings live in the caller's arena. fg_store_*_json writes a record as the JSON object the API
 * and the CLI show. What the store keeps as documents — a settlement's body and decision, a
 * document's answer, an alert's evidence, a reference row's body — it gives back as the text it was
 * given. The source is one file per record family: keys.c, users.c, settlements.c (and the
 * documents answered), alerts.c, refs.c, audit.c, over store.c (open, migrate, transactions) and
 * the backends.
 *
 * Actors: every write that the store audits itself (keys, users) takes the actor — the principal
 * id of the API caller, or "cli:<unix user>" from the command line — into its audit entry.
 *
 * @note Ownership: an fg_store_t is owned by the caller and released with fg_store_close. Every
 *       string argument is borrowed for the call.
 */
#ifndef FUNDGUARD_STORE_H
#define FUNDGUARD_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "fundguard/arena.h"
#include "fundguard/buf.h"
#include "fundguard/datetime.h"
#include "fundguard/error.h"
#include "fundguard/model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fg_store fg_store_t;

/* Open the store named by `url` and bring its schema up to date:
 *   "postgresql://…" or "postgres://…"  PostgreSQL (libpq conninfo URL)
 *   "sqlite:PATH" or a directory          SQLite in WAL mode, PATH/fundguard.db for a directory
 * Errors: FG_E_STORE (the backend's message in err->msg), FG_E_STORE_SCHEMA (written by a newer
 * version), FG_ENOMEM. @note *out is owned by the caller: fg_store_close. */
int fg_store_open(const char *url, fg_store_t **out, fg_error_t *err);
void fg_store_close(fg_store_t *s);
/* "sqlite" or "postgresql". */
const char *fg_store_backend(const fg_store_t *s);
/* Highest migration applied / the highest this build knows. */
int fg_store_schema_version(fg_store_t *s);
int fg_store_schema_latest(void);

/* A transaction: begin takes the handle's lock until commit or rollback. Calls inside it on the
 * same thread join it. */
int fg_store_begin(fg_store_t *s, fg_error_t *err);
int fg_store_commit(fg_store_t *s, fg_error_t *err);
void fg_store_rollback(fg_store_t *s);

/* ---------------------------------------------------------------- principals */

#define FG_STORE_KEY_LEN 53 /* "fgk_" + 16 hex (the id) + "_" + 32 hex (the secret) */

/* Who is calling: an API key (institution or officer role) or an officer account. */
typedef struct fg_principal {
    char id[48];             /* key id ("k_…") or user name */
    char role[16];           /* institution | reviewer | leader | admin | auditor */
    char fixmedins_code[16]; /* the institution of an institution key, "" otherwise */
} fg_principal_t;

/* 1 when role is one of the five role names. */
int fg_store_role_valid(const char *role);

/* Create an API key. role "institution" needs fixmedins_code; officer roles take none. The key is
 * written to key_out once (only its SHA-256 is stored) and its id to id_out; the audit entry
 * "key.add" names actor. Errors: FG_EINVAL (role / institution), FG_E_STORE. */
int fg_store_key_add(fg_store_t *s, const char *actor, const char *role, const char *fixmedins_code,
                     char key_out[FG_STORE_KEY_LEN + 1], char id_out[48], fg_error_t *err);
/* Find an active key: FG_ENOTFOUND when unknown or revoked. */
int fg_store_key_find(fg_store_t *s, const char *key, fg_principal_t *p, fg_error_t *err);
/* Revoke a key by id ("key.revoke" by actor): FG_ENOTFOUND when there is none active. */
int fg_store_key_revoke(fg_store_t *s, const char *actor, const char *id, fg_error_t *err);

/* A key as listed (never its hash). */
typedef struct fg_store_key {
    const char *id;
    const char *role;
    const char *fixmedins_code; /* "" for officer keys */
    fg_time_t created_at;
    int revoked; /* 1 once revoked */
} fg_store_key_t;
typedef int (*fg_store_key_fn)(void *ctx, const fg_store_key_t *k);
/* Every key, by id. */
int fg_store_key_list(fg_store_t *s, fg_store_key_fn fn, void *ctx, fg_error_t *err);
/* {"id","role","fixmedins_code","created_at","revoked"} */
int fg_store_key_json(const fg_store_key_t *k, fg_buf_t *out);

/* Create an officer account (role reviewer | leader | admin | auditor); the password is kept as an
 * argon2id hash (libsodium crypto_pwhash_str); "user.add" by actor. Errors: FG_EEXIST, FG_EINVAL,
 * FG_E_STORE. */
int fg_store_user_add(fg_store_t *s, const char *actor, const char *name, const char *role,
                      const char *password, fg_error_t *err);
/* Set a new password ("user.passwd" by actor; FG_ENOTFOUND when no such user). */
int fg_store_user_passwd(fg_store_t *s, const char *actor, const char *name, const char *password,
                         fg_error_t *err);
/* Check a name and password: 0 and *p filled, or FG_E_AUTH. A name that does not exist costs the
 * same argon2id verification as a wrong password and gets the same error. */
int fg_store_user_check(fg_store_t *s, const char *name, const char *password, fg_principal_t *p,
                        fg_error_t *err);
/* argon2id verifications fg_store_user_check has run on this handle (/metrics counts them). */
uint64_t fg_store_password_checks(fg_store_t *s);

/* An officer account as listed (never its hash). */
typedef struct fg_store_user {
    const char *name;
    const char *role;
    fg_time_t created_at;
} fg_store_user_t;
typedef int (*fg_store_user_fn)(void *ctx, const fg_store_user_t *u);
/* Every account, by name. */
int fg_store_user_list(fg_store_t *s, fg_store_user_fn fn, void *ctx, fg_error_t *err);
/* {"name","role","created_at"} */
int fg_store_user_json(const fg_store_user_t *u, fg_buf_t *out);

/* ---------------------------------------------------------------- settlements and decisions */

typedef struct fg_store_settlement {
    const char *setl_id;
    const char *fixmedins_code;
    const char *psn_no;       /* put only (a get leaves it NULL) */
    fg_time_t setl_time;      /* FG_TIME_NONE on put: the time it was received */
    int refund;               /* 1 for a refund (refd_setl_flag) */
    const char *init_setl_id; /* the settlement a refund reverses, "" none */
    const char *body;         /* the document as received (JSON); put only */
    size_t body_len;
    const char *decision; /* the decision JSON; NULL from a get when there is none */
    const char *verdict;  /* pass | remind | hold | block; put only */
} fg_store_settlement_t;

/* Store a completed settlement and its decision. Returns 0 when stored, 1 when the same settlement
 * (same setl_id and the same body digest) was stored before — the earlier decision is appended to
 * `prior` when not NULL — or FG_E_CONFLICT when setl_id exists with a different body. */
int fg_store_settlement_put(fg_store_t *s, const fg_store_settlement_t *st, fg_buf_t *prior,
                            fg_error_t *err);
/* The stored settlement and its decision into *out (strings in arena): FG_ENOTFOUND when none. */
int fg_store_settlement_get(fg_store_t *s, const char *setl_id, fg_arena_t *arena,
                            fg_store_settlement_t *out, fg_error_t *err);
/* {"setl_id","fixmedins_code","setl_time","refund","init_setl_id","decision":{…}|null} */
int fg_store_settlement_json(const fg_store_settlement_t *st, fg_buf_t *out);

/* ---------------------------------------------------------------- documents answered */

/* A document (by the digest of its body and its institution) answered before: its answer is
 * appended to out; FG_ENOTFOUND when none. */
int fg_store_request_get(fg_store_t *s, const char *digest, const char *fixmedins_code,
                         fg_buf_t *out, fg_error_t *err);
/* Remember a document's answer (inside the transaction of its effects). */
int fg_store_request_put(fg_store_t *s, const char *digest, const char *fixmedins_code,
                         const char *response, fg_error_t *err);

/* ---------------------------------------------------------------- alerts and findings */

typedef enum fg_store_list {
    FG_STORE_ALERTS = 0, /* ledger alerts: duplicate, reflow_purchase … */
    FG_STORE_FINDINGS    /* rule hits of decisions held or blocked, and post-stage findings */
} fg_store_list_t;

typedef struct fg_store_alert {
    int64_t id;                 /* set by the store (listings); ignored by add */
    const char *kind;           /* alerts: ledger outcome; findings: rule code */
    const char *fixmedins_code; /* the institution it concerns */
    const char *code;           /* trace code (alerts) or med_list_codg / "" (findings) */
    const char *setl_id;        /* "" none */
    fg_time_t occurred;         /* when the event happened */
    const char *detail;         /* a JSON object with the evidence */
} fg_store_alert_t;

int fg_store_alert_add(fg_store_t *s, fg_store_list_t which, const fg_store_alert_t *a,
                       fg_error_t *err);

typedef struct fg_store_filter {
    const char *fixmedins_code; /* NULL or "": every institution */
    const char *kind;           /* NULL or "": every kind */
    fg_time_t from;             /* FG_TIME_NONE: unbounded; inclusive */
    fg_time_t to;               /* FG_TIME_NONE: unbounded; exclusive */
    int64_t after;              /* page cursor: ids above it (0 from the start) */
    int limit;                  /* 1 … 1000 */
} fg_store_filter_t;

typedef int (*fg_store_alert_fn)(void *ctx, const fg_store_alert_t *a);
/* A page of rows by id, each to fn; *next gets the cursor of the following page (the last id) when
 * the page is full, else 0. */
int fg_store_alert_list(fg_store_t *s, fg_store_list_t which, const fg_store_filter_t *f,
                        fg_store_alert_fn fn, void *ctx, int64_t *next, fg_error_t *err);
/* {"id","kind","fixmedins_code","code","setl_id","occurred","detail":{…}} */
int fg_store_alert_json(const fg_store_alert_t *a, fg_buf_t *out);
/* Rows held (for /metrics and tests). */
int64_t fg_store_alert_count(fg_store_t *s, fg_store_list_t which);

/* ---------------------------------------------------------------- reference status */

/* Kinds: "institution" (agreement status), "staff" (qualification status), "person" (death),
 * "drug" (the catalogue: listed|delisted, pack_units). */
int fg_store_ref_kind_valid(const char *kind);

/* A reference row. status is one of the model's statuses (fg_ref_status_t) that its kind takes:
 * institution active|suspended|terminated, staff active|suspended, person alive|deceased, drug
 * listed|delisted; a row stored with a legacy word ("suspend", "terminate") reads as the status it
 * names. */
typedef struct fg_store_ref {
    const char *kind;
    const char *code;           /* fixmedins_code, staff_code, psn_no or med_list_codg */
    const char *fixmedins_code; /* the institution it belongs to ("" for persons, drugs) */
    fg_ref_status_t status;
    const char *body;     /* a JSON object as given */
    fg_time_t updated_at; /* when it was last written (set by put) */
} fg_store_ref_t;

/* The longest code a reference row has (a listing's cursor). */
#define FG_STORE_REF_CODE_MAX 512

/* Insert or replace one reference row; *before gets the earlier row's body digest ("" when new)
 * for the audit trail. FG_EINVAL for an unknown kind or a status the kind does not take. */
int fg_store_ref_put(fg_store_t *s, const fg_store_ref_t *r, char before[65], fg_error_t *err);
/* One row into *out (strings in arena): FG_ENOTFOUND. */
int fg_store_ref_get(fg_store_t *s, const char *kind, const char *code, fg_arena_t *arena,
                     fg_store_ref_t *out, fg_error_t *err);
typedef int (*fg_store_ref_fn)(void *ctx, const fg_store_ref_t *r);
/* A page of rows of a kind by code, optionally of one institution, each to fn; next gets the
 * cursor of the following page (the last code) when the page is full, else "". */
int fg_store_ref_list(fg_store_t *s, const char *kind, const char *fixmedins_code,
                      const char *after, int limit, fg_store_ref_fn fn, void *ctx,
                      char next[FG_STORE_REF_CODE_MAX + 1], fg_error_t *err);
/* {"code","kind","fixmedins_code","status","body":{…},"updated_at"} */
int fg_store_ref_json(const fg_store_ref_t *r, fg_buf_t *out);
/* 1 when the kind takes the status. */
int fg_store_ref_status_valid(const char *kind, fg_ref_status_t status);

/* What a row says to the review, as a record of the model: a deceased person's death (psn_no the
 * row's code, die_date and source from the body, source "api" when none); a suspended or
 * terminated staff member's or institution's suspension (subject the row's kind and code, action
 * the status's, begin_date, end_date, reason from the body); a drug's catalogue item
 * (med_list_codg, pack_units). Rows that say nothing to the review (alive, active, listed without
 * a pack size …) are FG_STORE_FEED_NONE. */
typedef enum fg_store_feed_kind {
    FG_STORE_FEED_NONE = 0,
    FG_STORE_FEED_DEATH,
    FG_STORE_FEED_SUSPENSION,
    FG_STORE_FEED_CATALOGUE
} fg_store_feed_kind_t;

typedef struct fg_store_feed {
    fg_store_feed_kind_t kind;
    union {
        fg_death_t death;
        fg_suspension_t suspension;
        fg_catalogue_item_t item;
    } u;
} fg_store_feed_t;

/* Errors: the body's field errors (a stored body that no longer reads), with the row in msg. */
int fg_store_ref_feed(const fg_store_ref_t *r, fg_store_feed_t *out, fg_error_t *err);

/* ---------------------------------------------------------------- audit trail */

/* One write: who, what, on which object, digests of the object before and after ("" none).
 * Each entry's hash is SHA-256 over the previous entry's hash and its own fields, so altering or
 * removing an entry breaks the chain. Call it inside the transaction of the write. */
typedef struct fg_audit_entry {
    const char *actor;  /* principal id */
    const char *action; /* "settlement.put", "kb.reload", "key.add" … */
    const char *object; /* what was written: a setl_id, a key id … */
    const char *before; /* hex digest or "" */
    const char *after;  /* hex digest or "" */
} fg_audit_entry_t;

int fg_store_audit_append(fg_store_t *s, const fg_audit_entry_t *e, fg_error_t *err);

typedef struct fg_audit_report {
    uint64_t entries; /* entries checked */
    uint64_t bad_seq; /* first entry that does not verify, 0 when sound */
    char head[65];    /* hash of the last entry ("" when empty): keep it elsewhere to detect the
                         removal of entries at the end */
} fg_audit_report_t;

/* Walk the chain: 0 when sound, FG_E_AUDIT_CHAIN with rep->bad_seq and err->msg saying what is
 * wrong (a changed entry, a missing one, a broken link). */
int fg_store_audit_verify(fg_store_t *s, fg_audit_report_t *rep, fg_error_t *err);
/* An entry as stored: its fields, its number, time and chain hash. */
typedef struct fg_audit_record {
    uint64_t seq;
    fg_time_t at;
    fg_audit_entry_t e;
    const char *hash;
} fg_audit_record_t;
typedef int (*fg_store_audit_fn)(void *ctx, const fg_audit_record_t *r);
/* Entries oldest first, from seq `after` + 1 (at most limit; limit < 1: 1000), each to fn. */
int fg_store_audit_list(fg_store_t *s, uint64_t after, int limit, fg_store_audit_fn fn, void *ctx,
                        fg_error_t *err);
/* {"seq","at","actor","action","object","before","after","hash"} */
int fg_store_audit_json(const fg_audit_record_t *r, fg_buf_t *out);

/* Run one SQL statement with text parameters and no result (tests and tools: e.g. to tamper with
 * an audit entry in a test). */
int fg_store_exec(fg_store_t *s, const char *sql, int n, const char *const *params,
                  fg_error_t *err);

/* SHA-256 of n bytes as 64 lower-case hex digits + NUL. */
void fg_store_digest(const void *data, size_t n, char hex[65]);

#ifdef __cplusplus
}
#endif
#endif
