/*
 * fundguard/service.h — the service layer: every transaction the API offers, without HTTP.
 *
 * A service holds the engine (knowledge base, reference status and the reviews over them,
 * swapped atomically on reload), and the locks over the ledger and the review history it is given.
 * Each transaction takes records (a parsed document, a reference row, a filter) and an actor (who
 * is asking: the audit actor, the role, the institution it is limited to) and returns results and
 * an fg_error_t code; the HTTP server (serve/) parses a request, calls one of these and renders
 * what it returns, and the CLI and the tests call the same functions.
 *
 * Scope: an actor with scope[0] != '\0' (an institution key) reaches only that institution's
 * data — its documents, settlements, reference rows, alerts and findings and its own events of a
 * code's history; anything else is FG_E_FORBIDDEN with err->where the field ("fixmedins_code").
 * Roles are the caller's to check (serve/'s route table); the service trusts the actor it is given.
 *
 * Durability: a write returns 0 only when it is durable: ledger events synced, the store's
 * transaction committed. A settlement or an inventory document given again (a retry after a lost
 * answer or a crash) is answered with the first answer and changes nothing.
 *
 * @note Ownership: the store, the ledger and the history are borrowed for the service's life and
 *       closed by the caller after fg_service_free. Results are appended to the caller's buffers
 *       or allocated in the caller's arena.
 */
#ifndef FUNDGUARD_SERVICE_H
#define FUNDGUARD_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include "fundguard/arena.h"
#include "fundguard/buf.h"
#include "fundguard/error.h"
#include "fundguard/ledger.h"
#include "fundguard/model.h"
#include "fundguard/rules.h"
#include "fundguard/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fg_service fg_service_t;

/* Who is asking. */
typedef struct fg_actor {
    char id[48];    /* key id or user name: the audit trail's actor */
    char role[16];  /* institution | reviewer | leader | admin | auditor */
    char scope[16]; /* the institution (fixmedins_code) the actor is limited to; "" every one */
} fg_actor_t;

/* The actor of a principal (an institution key is limited to its institution). */
void fg_actor_of(const fg_principal_t *p, fg_actor_t *a);

/* Reference status kept outside the store's rows' own loader: called on every engine load with
 * the engine's reference (NULL when --ref gave none: create it when there are rows). */
typedef int (*fg_service_ref_fn)(void *ctx, fg_ref_t **ref, fg_error_t *err);

typedef struct fg_service_opts {
    const char *kb;             /* knowledge base directories, comma-separated */
    const char *ref;            /* status reference directory, NULL or "" none */
    fg_service_ref_fn ref_rows; /* NULL: none (the server loads the store's reference rows) */
    void *ref_ctx;
    size_t max_body;   /* bytes of a document's text (bounds its form at rest) */
    size_t json_depth; /* nesting of a JSON document */
    size_t max_items;  /* fee lines / events in one document */
} fg_service_opts_t;

/* Load the engine. Errors: kb and reference errors, FG_ENOMEM. */
int fg_service_new(const fg_service_opts_t *o, fg_store_t *store, fg_ledger_t *ledger,
                   fg_history_t *hist, fg_service_t **out, fg_error_t *err);
void fg_service_free(fg_service_t *svc);

/* ---------------------------------------------------------------- identity */

/* An API key or an officer's name and password, verified against the store: the actor, or
 * FG_E_AUTH (the same answer whatever was wrong). */
int fg_service_key_find(fg_service_t *svc, const char *key, fg_actor_t *a, fg_error_t *err);
int fg_service_user_check(fg_service_t *svc, const char *name, const char *password, fg_actor_t *a,
                          fg_error_t *err);

/* ---------------------------------------------------------------- submissions */

/* Which institution a document is about; every institution code it names must be the actor's
 * (FG_E_FORBIDDEN); one naming none is the actor's, or FG_E_REQUIRED for an unscoped actor. */
int fg_service_doc_scope(const fg_actor_t *a, const fg_doc_t *doc, char inst[16], fg_error_t *err);

/* A real-time check (2204/2206 or POST /v1/settlements/check): the decision as JSON appended to
 * decision. Nothing is stored. FG_E_REQUIRED without psninfo and mdtrtinfo. */
int fg_service_check(fg_service_t *svc, const fg_actor_t *a, const fg_doc_t *doc, fg_stage_t stage,
                     fg_arena_t *arena, fg_buf_t *decision, fg_error_t *err);

/* What became of a ledger event of a submission. */
typedef struct fg_service_outcome {
    fg_ledger_event_t ev;
    fg_ledger_outcome_t outcome;
    fg_ledger_kind_t kind;
    int again;    /* in the code's history already (a retry): not applied twice */
    char *detail; /* the result line (evidence) of an alert, in the arena */
    fg_error_t error;
} fg_service_outcome_t;

typedef struct fg_service_settled {
    int replayed;      /* stored before: decision is the first decision, nothing changed */
    fg_buf_t decision; /* the decision JSON (the caller initialises and releases it) */
    fg_service_outcome_t *events; /* the ledger events of its trace codes, in the arena */
    size_t nevents;
} fg_service_settled_t;

/* A completed settlement (2207 or POST /v1/settlements), a refund when refd_setl_flag is 1 (its
 * codes' events are returns matched by init_feedetl_sn): reviewed, its trace codes into the
 * ledger, the decision, alerts, findings and an audit entry stored in one transaction. body is the
 * document's text; it is kept with identity numbers as pseudonym and masked form. A different
 * settlement under the same setl_id: FG_E_CONFLICT (where "setl_id"). */
int fg_service_settle(fg_service_t *svc, const fg_actor_t *a, const fg_doc_t *doc, const char *body,
                      size_t body_len, fg_arena_t *arena, fg_service_settled_t *res,
                      fg_error_t *err);

/* An inventory document (3503–3506 or POST /v1/inventory): its events into the ledger, alerts and
 * an audit entry stored. The answer as JSON appended to answer ({"infno","documents","replayed",
 * "events"}); the same document again gets the first answer with "replayed":true. */
int fg_service_inventory(fg_service_t *svc, const fg_actor_t *a, const fg_doc_t *doc,
                         const char *body, size_t body_len, fg_arena_t *arena, fg_buf_t *answer,
                         int *replayed, fg_error_t *err);

/* The ledger outcomes as the JSON array of an answer. */
int fg_service_outcomes_json(const fg_service_outcome_t *o, size_t n, fg_buf_t *out);

/* ---------------------------------------------------------------- reads */

/* A settlement as stored (the body at rest and its decision) appended to out. FG_ENOTFOUND. */
int fg_service_settlement_get(fg_service_t *svc, const fg_actor_t *a, const char *setl_id,
                              fg_buf_t *out, fg_error_t *err);

/* One code's ledger state and history: the answer JSON ({"drug_trac_codg", "sale_count",
 * "units_sold", "pack_units", "events", "history"}) appended to out; an institution actor sees
 * only its own events. FG_ENOTFOUND when the ledger never saw the code. */
int fg_service_trace(fg_service_t *svc, const fg_actor_t *a, const char *code, fg_buf_t *out,
                     fg_error_t *err);

/* Alerts or findings by filter (a scoped actor: its own institution; another's in the filter is
 * FG_E_FORBIDDEN), as the store's page JSON. */
int fg_service_list(fg_service_t *svc, const fg_actor_t *a, fg_store_list_t which,
                    const fg_store_filter_t *f, fg_buf_t *out, fg_error_t *err);

typedef struct fg_service_audit {
    int verified;   /* the chain verified */
    char head[65];  /* its head digest */
    fg_buf_t lines; /* entries as JSON lines (the caller initialises and releases it) */
} fg_service_audit_t;

/* Audit entries after `after`, at most limit, and the chain's verification. */
int fg_service_audit(fg_service_t *svc, const fg_actor_t *a, uint64_t after, int limit,
                     fg_service_audit_t *res, fg_error_t *err);

/* ---------------------------------------------------------------- reference data */

/* The store's name of a reference kind given by its URL name ("persons" → "person"), NULL when
 * there is none. */
const char *fg_service_ref_kind(const char *plural);

/* Set one reference row (kind as the store names it: institution, staff, person, drug) from its
 * JSON object text: every member a field of the kind's record (docs/formats.md) and valid; the
 * row, its audit entry and the engine that reads it stand or fall together. The row as stored is
 * appended to out. */
int fg_service_ref_put(fg_service_t *svc, const fg_actor_t *a, const char *kind, const char *code,
                       const char *json, size_t len, fg_arena_t *arena, fg_buf_t *out,
                       fg_error_t *err);
/* One row (persons and drugs are read by every actor; the rest by its institution's). */
int fg_service_ref_get(fg_service_t *svc, const fg_actor_t *a, const char *kind, const char *code,
                       fg_buf_t *out, fg_error_t *err);
/* A page of rows of kind (inst NULL or "": every institution; a scoped actor gets its own rows
 * of institution kinds, every row of public ones, and no list of persons: FG_E_FORBIDDEN). */
int fg_service_ref_list(fg_service_t *svc, const fg_actor_t *a, const char *kind, const char *inst,
                        const char *after, int limit, fg_buf_t *out, fg_error_t *err);

/* ---------------------------------------------------------------- engine */

/* Load the knowledge base and reference status again and swap them in (checks in flight keep
 * the version they started with); an audit entry records it. The new version is written to
 * version (FG_SERVICE_VERSION_MAX bytes, cut at a character). */
#define FG_SERVICE_VERSION_MAX 512
int fg_service_reload(fg_service_t *svc, const fg_actor_t *a, char version[FG_SERVICE_VERSION_MAX],
                      fg_error_t *err);
/* The knowledge base version served now. */
void fg_service_kb_version(fg_service_t *svc, char version[FG_SERVICE_VERSION_MAX]);

/* Counters since start, and gauges now. */
typedef struct fg_service_stats {
    unsigned long checks, settlements, ledger_events, alerts, reloads;
    uint64_t ledger_codes;
    int64_t store_alerts, store_findings;
    uint64_t password_checks;
} fg_service_stats_t;
void fg_service_stats(fg_service_t *svc, fg_service_stats_t *st);
/* The store's backend name ("sqlite" / "postgresql"). */
const char *fg_service_store_backend(fg_service_t *svc);

#ifdef __cplusplus
}
#endif
#endif
