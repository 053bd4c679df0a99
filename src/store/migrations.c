/*
 * migrations.c — the store's schema, as numbered migrations kept in the library.
 *
 * Append only: migration N is applied once, in a transaction, and recorded in fg_schema; a released
 * migration is never edited (write a new one). The SQL is portable between SQLite 3.35+ and
 * PostgreSQL 13+; "%SERIAL%" is the dialect's auto-numbered primary key. Times are text
 * "yyyy-MM-dd HH:mm:ss" in China time.
 */
#include "core/compat.h"

#include "store/store_int.h"

static const char m0001[] =
    /* API keys: only the SHA-256 of a key is kept. role institution | reviewer | leader | admin |
     * auditor; fixmedins_code is the scope of an institution key. */
    "CREATE TABLE fg_key (\n"
    "    id text PRIMARY KEY,\n"
    "    hash text NOT NULL UNIQUE,\n"
    "    role text NOT NULL,\n"
    "    fixmedins_code text NOT NULL DEFAULT '',\n"
    "    created_at text NOT NULL,\n"
    "    revoked integer NOT NULL DEFAULT 0\n"
    ");\n"
    /* Officer accounts: argon2id password hashes (crypto_pwhash_str). */
    "CREATE TABLE fg_user (\n"
    "    name text PRIMARY KEY,\n"
    "    role text NOT NULL,\n"
    "    pwhash text NOT NULL,\n"
    "    created_at text NOT NULL\n"
    ");\n"
    /* Completed settlements as received, and the decision made on each. */
    "CREATE TABLE fg_settlement (\n"
    "    setl_id text PRIMARY KEY,\n"
    "    fixmedins_code text NOT NULL,\n"
    "    psn_no text NOT NULL,\n"
    "    setl_time text NOT NULL,\n"
    "    refund integer NOT NULL,\n"
    "    init_setl_id text NOT NULL,\n"
    "    digest text NOT NULL,\n"
    "    body text NOT NULL,\n"
    "    received_at text NOT NULL\n"
    ");\n"
    "CREATE INDEX fg_settlement_inst ON fg_settlement (fixmedins_code, setl_time);\n"
    "CREATE TABLE fg_decision (\n"
    "    setl_id text PRIMARY KEY,\n"
    "    verdict text NOT NULL,\n"
    "    body text NOT NULL,\n"
    "    decided_at text NOT NULL\n"
    ");\n"
    /* Alerts (list 0: ledger) and findings (list 1: rules), paged by id. */
    "CREATE TABLE fg_alert (\n"
    "    id %SERIAL%,\n"
    "    list integer NOT NULL,\n"
    "    kind text NOT NULL,\n"
    "    fixmedins_code text NOT NULL,\n"
    "    code text NOT NULL,\n"
    "    setl_id text NOT NULL,\n"
    "    occurred text NOT NULL,\n"
    "    detail text NOT NULL,\n"
    "    created_at text NOT NULL\n"
    ");\n"
    "CREATE INDEX fg_alert_inst ON fg_alert (list, fixmedins_code, id);\n"
    /* Reference status: institutions (agreement), staff (qualification), persons (death). */
    "CREATE TABLE fg_ref (\n"
    "    kind text NOT NULL,\n"
    "    code text NOT NULL,\n"
    "    fixmedins_code text NOT NULL,\n"
    "    status text NOT NULL,\n"
    "    body text NOT NULL,\n"
    "    digest text NOT NULL,\n"
    "    updated_at text NOT NULL,\n"
    "    PRIMARY KEY (kind, code)\n"
    ");\n"
    /* The audit trail: hash = SHA-256(prev hash, seq, at, actor, action, object, before, after). */
    "CREATE TABLE fg_audit (\n"
    "    seq bigint PRIMARY KEY,\n"
    "    at text NOT NULL,\n"
    "    actor text NOT NULL,\n"
    "    action text NOT NULL,\n"
    "    object text NOT NULL,\n"
    "    before text NOT NULL,\n"
    "    after text NOT NULL,\n"
    "    hash text NOT NULL\n"
    ");\n";

static const char m0002[] =
    /* Documents whose effects are not keyed by an id of their own (inventory): the digest of the
     * body per institution and the answer given, so a retry is answered again, not applied. */
    "CREATE TABLE fg_request (\n"
    "    digest text PRIMARY KEY,\n"
    "    fixmedins_code text NOT NULL,\n"
    "    response text NOT NULL,\n"
    "    at text NOT NULL\n"
    ");\n";

static const char m0003[] =
    /* One vocabulary of statuses (model.h fg_ref_status_t): a reference row's status is the
     * model's word; a row written with a suspension's action word instead reads as the status it
     * gives. */
    "UPDATE fg_ref SET status = 'suspended' WHERE status = 'suspend';\n"
    "UPDATE fg_ref SET status = 'terminated' WHERE status = 'terminate';\n";

const char *const fg__store_migrations[] = {m0001, m0002, m0003};
const int fg__store_nmigrations = (int)FG_ARRAY_LEN(fg__store_migrations);
