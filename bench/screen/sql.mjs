// sql.mjs — bench/screen's SQL as the peers run it: tables.sql with its @file@ sources filled in,
// and models.sql cut into one block per model ("-- model: NAME" headers).
import { readFileSync, existsSync } from 'node:fs';

const here = new URL('.', import.meta.url).pathname;

// tables.sql with @name@ replaced by csv(name) (or `events` for the pack events); the catalogue's
// daily dose (for quantity_excess) only when the catalogue has that column.
export function sources(data, csv, events) {
    let tables = readFileSync(`${here}/tables.sql`, 'utf8').replace(/@([a-z_]+)@/g, (_, name) =>
        name === 'ledger_events' ? events : csv(name));
    const skip = {};
    const header = readFileSync(`${data}/catalogue.csv`, 'utf8').split('\n', 1)[0].split(',');
    if (header.includes('daily_dose')) {
        tables += `\nCREATE TABLE cat AS SELECT med_list_codg AS code, CAST(pack_units AS BIGINT) AS pack,
    CAST(daily_dose AS DECIMAL(18, 4)) AS daily_dose FROM ${csv('catalogue')}
    WHERE pack_units IS NOT NULL AND daily_dose IS NOT NULL;\n`;
    } else {
        skip.quantity_excess = 'catalogue.csv has no daily_dose column';
    }
    if (!existsSync(`${data}/ledger_events.jsonl`)) throw new Error('no ledger_events.jsonl');
    return { tables, skip };
}

// [{name, sql} | {name, skipped}] in file order.
export function blocks(skip = {}) {
    const text = readFileSync(`${here}/models.sql`, 'utf8');
    const parts = text.split(/^-- model: ([a-z_]+)\n/m);
    const out = [];
    for (let i = 1; i < parts.length; i += 2) {
        const name = parts[i];
        out.push(skip[name] ? { name, skipped: skip[name] } : { name, sql: parts[i + 1] });
    }
    return out;
}

// `node sql.mjs pg DATA DIR`: PostgreSQL's scripts for run.sh — DIR/load.sql (raw text tables
// COPY'd from the files, then tables.sql), DIR/models.list (NAME or NAME:skipped reason, one a
// line) and DIR/model_NAME.sql per model.
if (process.argv[2] === 'pg') {
    const { writeFileSync } = await import('node:fs');
    const [data, dir] = process.argv.slice(3);
    const files = ['fee_list_d', 'setl_d', 'mdtrt_d', 'setl_list_diag_d', 'setl_list_oprn_d',
        'persons', 'deaths', 'injuries', 'invoices', 'suspensions', 'institutions', 'catalogue'];
    let load = '';
    for (const f of files) {
        const cols = readFileSync(`${data}/${f}.csv`, 'utf8').split('\n', 1)[0].replace(/^\ufeff/, '')
            .split(',').map((c) => `"${c.trim()}" TEXT`).join(', ');
        load += `CREATE UNLOGGED TABLE raw_${f} (${cols});\n\\copy raw_${f} FROM '${data}/${f}.csv' CSV HEADER\n`;
    }
    load += 'CREATE UNLOGGED TABLE raw_ledger_events (seq BIGSERIAL, j TEXT);\n';
    load += `\\copy raw_ledger_events (j) FROM '${data}/ledger_events.jsonl' WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')\n`;
    const events = "(SELECT seq, j::json->>'type' AS type, j::json->>'drug_trac_codg' AS drug_trac_codg, " +
        "j::json->>'fixmedins_code' AS fixmedins_code, j::json->>'units' AS units, " +
        "j::json->>'pack_units' AS pack_units, j::json->>'trdn_flag' AS trdn_flag, " +
        "NULLIF(j::json->>'setl_id', '') AS setl_id, NULLIF(j::json->>'psn_no', '') AS psn_no, " +
        "j::json->>'med_list_codg' AS med_list_codg FROM raw_ledger_events) t";
    const src = sources(data, (name) => `raw_${name}`, events);
    writeFileSync(`${dir}/load.sql`, `${load}${src.tables}\nANALYZE;\n`);
    const list = [];
    for (const b of blocks(src.skip)) {
        if (b.skipped) {
            list.push(`${b.name}:${b.skipped}`);
            continue;
        }
        list.push(b.name);
        writeFileSync(`${dir}/model_${b.name}.sql`, b.sql);
    }
    writeFileSync(`${dir}/models.list`, `${list.join('\n')}\n`);
}
