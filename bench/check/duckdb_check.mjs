// duckdb_check.mjs — the review checks as SQL in DuckDB (npm @duckdb/node-api), one thread:
// load the national CSVs as they are, build the derived tables (tables.sql), then time
//   batch   every settlement in one query (best of 3), settlements per second
//   single  one settlement per query (a prepared statement), p50/p99 latency over N calls
// and print one JSON object with the hits per family for the cross-check with Fundguard.
//   node bench/check/duckdb_check.mjs KB_NHSA_DIR DATA_DIR [calls]
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [kbDir, dataDir, callsArg] = process.argv.slice(2);
const calls = Number(callsArg || 300);
const raw = {
  raw_b1_drug_gender_codes: 'batch1-drug-gender.codes.csv',
  raw_b1_drug_gender_names: 'batch1-drug-gender.names.csv',
  raw_b1_drug_age_codes: 'batch1-drug-age.codes.csv',
  raw_b1_drug_age_names: 'batch1-drug-age.names.csv',
  raw_b1_item_gender: 'batch1-item-gender.csv',
  raw_b1_item_age: 'batch1-item-age.csv',
  raw_b3_codes: 'batch3-drug-insurance-type.codes.csv',
  raw_b3_names: 'batch3-drug-insurance-type.names.csv',
  raw_b4_codes: 'batch4-drug-care-setting.codes.csv',
  raw_b4_names: 'batch4-drug-care-setting.names.csv',
  raw_b5_codes: 'batch5-drug-institution-level.codes.csv',
  raw_b5_names: 'batch5-drug-institution-level.names.csv',
  raw_b6_codes: 'batch6-drug-payment-course.codes.csv',
  raw_b6_names: 'batch6-drug-payment-course.names.csv',
  raw_b7: 'batch7-item-duplicate-charge.csv',
  raw_b8_1: 'batch8-1-item-frequency.csv',
  raw_b8_2_item_age: 'batch8-2-item-age.csv',
  raw_b8_4: 'batch8-4-item-period-frequency.csv',
};

const db = await DuckDBInstance.create(':memory:', { threads: '1' });
const con = await db.connect();
for (const [t, f] of Object.entries(raw))
  await con.run(`CREATE TABLE ${t} AS SELECT * FROM read_csv('${join(kbDir, f)}', header = true, all_varchar = true)`);
await con.run(`CREATE TABLE lines AS SELECT * FROM read_csv('${join(dataDir, 'lines.csv')}', header = true,
  columns = {'setl': 'INTEGER', 'sn': 'INTEGER', 'psn': 'VARCHAR', 'gend': 'VARCHAR', 'age': 'INTEGER',
             'age_days': 'INTEGER', 'insutype': 'VARCHAR', 'med_type': 'VARCHAR', 'scene': 'INTEGER',
             'hosp_lv': 'INTEGER', 'visit': 'VARCHAR', 'code': 'VARCHAR', 'day': 'INTEGER', 'ts': 'BIGINT',
             'hr': 'BIGINT', 'qty': 'BIGINT', 'pric': 'BIGINT', 'total': 'BIGINT'})`);
await con.run(`CREATE TABLE hist AS SELECT * FROM read_csv('${join(dataDir, 'hist.csv')}', header = true,
  columns = {'psn': 'VARCHAR', 'code': 'VARCHAR', 'day': 'INTEGER', 'ts': 'BIGINT', 'hr': 'BIGINT',
             'qty': 'BIGINT', 'visit': 'VARCHAR'})`);
for (const stmt of readFileSync(join(here, 'tables.sql'), 'utf8').split(';'))
  if (stmt.replace(/--.*$/gm, '').trim()) await con.run(stmt);

const checks = readFileSync(join(here, 'checks.sql'), 'utf8');
const nset = Number((await con.runAndReadAll('SELECT max(setl) FROM lines')).getRows()[0][0]);

// batch: every settlement at once
const batchSql = checks.replace('__FILTER__', 'TRUE') +
  ' SELECT fam, count(*) AS hits, sum(amount) AS amount FROM hits GROUP BY fam ORDER BY fam';
let best = Infinity, families = {};
for (let i = 0; i < 3; i++) {
  const t0 = process.hrtime.bigint();
  const r = await con.runAndReadAll(batchSql);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (s < best) best = s;
  families = Object.fromEntries(r.getRows().map(([f, h, a]) => [f, { hits: Number(h), amount: Number(a) }]));
}

// single: one settlement per call
const prepared = await con.prepare(checks.replace('__FILTER__', 'setl = $1') + ' SELECT * FROM hits');
const lat = [];
for (let i = 0; i < calls; i++) {
  prepared.bindInteger(1, 1 + (i * 7919) % nset);
  const t0 = process.hrtime.bigint();
  await prepared.runAndReadAll();
  lat.push(Number(process.hrtime.bigint() - t0) / 1e3);
}
lat.sort((a, b) => a - b);
const pct = (p) => lat[Math.min(lat.length - 1, Math.round(p * (lat.length - 1)))];
console.log(JSON.stringify({
  engine: 'duckdb', settlements: nset, threads: 1,
  batch: { seconds: best, per_second: nset / best },
  single: { calls, p50_us: pct(0.5), p99_us: pct(0.99), mean_us: lat.reduce((a, b) => a + b, 0) / lat.length },
  families,
}));
