/*
 * ledger_pg_schema.c — the PostgreSQL schema of the scale-out ledger, kept as a C string so the
 * library carries it (fg_ledger_open runs it on a PostgreSQL address; every statement is
 * idempotent). src/ledger/sql/citus.sql distributes these tables on Citus (docs/scale-out.md).
 *
 *   fg_ledger_code   one row per trace code: its state (pack_units, stock, standing sales as a JSON
 *                    array [[inst, time, setl_id, feedetl_sn, psn_no, units], …], event count)
 *   fg_ledger_event  the history: one row per event, numbered per code (n = 1, 2, …)
 *   fg_ledger_inst   institutions that have reported a purchase (unknown_source needs it)
 */
#include "core/compat.h"

extern const char fg__ledger_pg_schema[];

const char fg__ledger_pg_schema[] = "CREATE TABLE IF NOT EXISTS fg_ledger_code (\n"
                                    "    code text PRIMARY KEY,\n"
                                    "    pack_units integer NOT NULL DEFAULT 0,\n"
                                    "    stock text,\n"
                                    "    sales text NOT NULL DEFAULT '',\n"
                                    "    events integer NOT NULL DEFAULT 0\n"
                                    ");\n"
                                    "CREATE TABLE IF NOT EXISTS fg_ledger_event (\n"
                                    "    code text NOT NULL,\n"
                                    "    n integer NOT NULL,\n"
                                    "    type smallint NOT NULL,\n"
                                    "    inst text NOT NULL,\n"
                                    "    time bigint NOT NULL,\n"
                                    "    units integer NOT NULL,\n"
                                    "    pack_units integer NOT NULL,\n"
                                    "    trdn smallint NOT NULL,\n"
                                    "    med_list text NOT NULL,\n"
                                    "    setl_id text NOT NULL,\n"
                                    "    feedetl_sn text NOT NULL,\n"
                                    "    psn_no text NOT NULL,\n"
                                    "    outcome smallint NOT NULL,\n"
                                    "    kind smallint NOT NULL,\n"
                                    "    findings smallint NOT NULL,\n"
                                    "    PRIMARY KEY (code, n)\n"
                                    ");\n"
                                    "CREATE TABLE IF NOT EXISTS fg_ledger_inst (\n"
                                    "    inst text PRIMARY KEY\n"
                                    ");\n";
