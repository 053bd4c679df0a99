// sql.mjs — bench/screen's SQL as the peers run it: tables.sql cut into one statement per typed
// table with its @file@ source filled in, and models.sql cut into one block per model ("-- model:
// NAME" headers), each with the tables it reads, so that a comparison over some models charges
// the SQL engines only for loading the files those models need.
import { readFileSync, existsSync, writeFileSync, openSync, readSync, closeSync } from 'node:fs';

const here = new URL('.', import.meta.url).pathname;

// The header row of a CSV file (its first line, BOM dropped), read without reading the file.
function header(path) {
    const fd = openSync(path, 'r');
    const buf = Buffer.alloc(1 << 16);
    const n = readSync(fd, buf, 0, buf.length, 0);
    closeSync(fd);
    return buf.subarray(0, n).toString('utf8').split('\n', 1)[0].replace(/^\ufeff/, '').replace(/\r$/, '');
}

// [{name, file, sql}] — every CREATE TABLE of tables.sql, @file@ replaced by csv(file) (or
// `events` for the pack events); the catalogue's daily dose (for quantity_excess) only when the
// catalogue has that column, else skip.quantity_excess says why.
export function sources(data, csv, events) {
    const text = readFileSync(`${here}/tables.sql`, 'utf8');
    const tables = [];
    for (const m of text.matchAll(/^CREATE TABLE (\w+) AS[\s\S]*?;$/gm)) {
        const file = /@([a-z_]+)@/.exec(m[0])[1];
        const sql = m[0].replace(/@([a-z_]+)@/g, (_, f) => (f === 'ledger_events' ? events : csv(f)));
        tables.push({ name: m[1], file, sql });
    }
    const skip = {};
    if (header(`${data}/catalogue.csv`).split(',').includes('daily_dose')) {
        tables.push({ name: 'cat', file: 'catalogue', sql: `CREATE TABLE cat AS SELECT med_list_codg AS code,
    CAST(pack_units AS BIGINT) AS pack, CAST(daily_dose AS DECIMAL(18, 4)) AS daily_dose
FROM ${csv('catalogue')} WHERE pack_units IS NOT NULL AND daily_dose IS NOT NULL;` });
    } else {
        skip.quantity_excess = 'catalogue.csv has no daily_dose column';
    }
    if (!existsSync(`${data}/ledger_events.jsonl`)) throw new Error('no ledger_events.jsonl');
    return { tables, skip };
}

const TABLES = ['fee', 'setl', 'mdtrt', 'diag', 'oprn', 'persons', 'deaths', 'injuries', 'invoices',
    'susp', 'inst', 'ev', 'cat'];

// [{name, sql, uses} | {name, skipped}] in file order; uses = the typed tables the block reads
// (a block reading evx uses what trace_duplicate's block, which makes evx, uses).
export function blocks(skip = {}) {
    const text = readFileSync(`${here}/models.sql`, 'utf8');
    const parts = text.split(/^-- model: ([a-z_]+)\n/m);
    const out = [];
    for (let i = 1; i < parts.length; i += 2) {
        const name = parts[i];
        const sql = parts[i + 1];
        const code = sql.replace(/--.*$/gm, '');
        const uses = TABLES.filter((t) => new RegExp(`\\b(FROM|JOIN)\\s+${t}\\b`).test(code));
        if (/\bevx\b/.test(code) && !uses.includes('ev')) uses.push('ev');
        out.push(skip[name] ? { name, skipped: skip[name] } : { name, sql, uses });
    }
    return out;
}

// `node sql.mjs pg DATA DIR`: PostgreSQL's scripts for run.sh — DIR/table_NAME.sql per typed table
// (its raw text table COPY'd from the file, then the typed table and ANALYZE) listed in
// DIR/tables.list, DIR/model_NAME.sql per model listed in DIR/models.list (NAME, or NAME:reason
// when skipped), and DIR/uses (model: tables).
if (process.argv[2] === 'pg') {
    const [data, dir] = process.argv.slice(3);
    const raw = (f) => {
        if (f === 'ledger_events') {
            return 'CREATE UNLOGGED TABLE raw_ledger_events (seq BIGSERIAL, j TEXT);\n' +
                `\\copy raw_ledger_events (j) FROM '${data}/ledger_events.jsonl' WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')\n`;
        }
        const cols = header(`${data}/${f}.csv`).split(',').map((c) => `"${c.trim()}" TEXT`).join(', ');
        return `CREATE UNLOGGED TABLE raw_${f} (${cols});\n\\copy raw_${f} FROM '${data}/${f}.csv' CSV HEADER\n`;
    };
    const events = "(SELECT seq, j::json->>'type' AS type, j::json->>'drug_trac_codg' AS drug_trac_codg, " +
        "j::json->>'fixmedins_code' AS fixmedins_code, j::json->>'units' AS units, " +
        "j::json->>'pack_units' AS pack_units, j::json->>'trdn_flag' AS trdn_flag, " +
        "NULLIF(j::json->>'setl_id', '') AS setl_id, NULLIF(j::json->>'psn_no', '') AS psn_no, " +
        "j::json->>'med_list_codg' AS med_list_codg FROM raw_ledger_events) t";
    const src = sources(data, (f) => `raw_${f}`, events);
    const copied = new Set();
    for (const t of src.tables) {
        let sql = '';
        if (!copied.has(t.file)) {
            sql += raw(t.file);
            copied.add(t.file);
        }
        writeFileSync(`${dir}/table_${t.name}.sql`, `${sql}${t.sql}\nANALYZE ${t.name};\n`);
    }
    writeFileSync(`${dir}/tables.list`, `${src.tables.map((t) => t.name).join('\n')}\n`);
    const list = [];
    const uses = [];
    for (const b of blocks(src.skip)) {
        if (b.skipped) {
            list.push(`${b.name}:${b.skipped}`);
            continue;
        }
        list.push(b.name);
        uses.push(`${b.name}: ${b.uses.join(' ')}`);
        writeFileSync(`${dir}/model_${b.name}.sql`, b.sql);
    }
    writeFileSync(`${dir}/models.list`, `${list.join('\n')}\n`);
    writeFileSync(`${dir}/uses`, `${uses.join('\n')}\n`);
}
