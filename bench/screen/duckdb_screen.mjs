// duckdb_screen.mjs — the screen's models as SQL in DuckDB (npm @duckdb/node-api) over the files of
// a generated region: load (tables.sql over read_csv / read_json), then every model block of
// models.sql, each timed; the keys of each model written to OUT/<model>.keys, one a line, sorted.
//   node bench/screen/duckdb_screen.mjs DATA_DIR OUT_DIR THREADS
// Prints one JSON object: {engine, version, threads, load_seconds, tables: {name: seconds},
// models: {name: {seconds, keys, uses}}}.
import { writeFileSync, mkdirSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { blocks, sources } from './sql.mjs';

const [data, out, threads = '2'] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
const db = await DuckDBInstance.create(':memory:', { threads });
const con = await db.connect();
const lit = (p) => `'${p.replaceAll("'", "''")}'`;
const csv = (name) => `read_csv(${lit(`${data}/${name}.csv`)}, header = true, all_varchar = true)`;
const events =
    `(SELECT row_number() OVER () AS seq, * FROM read_json(${lit(`${data}/ledger_events.jsonl`)}, ` +
    `format = 'newline_delimited', columns = {type: 'VARCHAR', drug_trac_codg: 'VARCHAR', ` +
    `fixmedins_code: 'VARCHAR', time: 'VARCHAR', units: 'VARCHAR', pack_units: 'VARCHAR', ` +
    `trdn_flag: 'VARCHAR', med_list_codg: 'VARCHAR', setl_id: 'VARCHAR', feedetl_sn: 'VARCHAR', ` +
    `psn_no: 'VARCHAR'}))`;
const src = sources(data, csv, events);
const time = async (sql) => {
    const t0 = process.hrtime.bigint();
    await con.run(sql);
    return Number(process.hrtime.bigint() - t0) / 1e9;
};
const version = (await con.runAndReadAll('SELECT version() AS v')).getRowsJson()[0][0];
const result = { engine: 'duckdb', version, threads: Number(threads), models: {} };
result.tables = {};
for (const t of src.tables) result.tables[t.name] = await time(t.sql);
result.load_seconds = Object.values(result.tables).reduce((a, b) => a + b, 0);
for (const b of blocks(src.skip)) {
    if (b.skipped) {
        result.models[b.name] = { skipped: b.skipped };
        continue;
    }
    const seconds = await time(b.sql);
    const rows = (await con.runAndReadAll(`SELECT k FROM k_${b.name} ORDER BY k`)).getRowsJson();
    writeFileSync(`${out}/${b.name}.keys`, rows.map((r) => `${r[0]}\n`).join(''));
    result.models[b.name] = { seconds, keys: rows.length, uses: b.uses };
}
console.log(JSON.stringify(result));
