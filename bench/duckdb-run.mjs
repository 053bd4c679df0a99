// duckdb-run.mjs — run one SQL statement in DuckDB (npm @duckdb/node-api) and print its result rows and
// wall time as JSON: the shared peer runner of Fundguard's benchmarks.
//   node bench/duckdb-run.mjs "<sql>" [threads]
import { DuckDBInstance } from '@duckdb/node-api';

const sql = process.argv[2];
const threads = process.argv[3] || '1';
const db = await DuckDBInstance.create(':memory:', { threads });
const con = await db.connect();
const t0 = process.hrtime.bigint();
const reader = await con.runAndReadAll(sql);
const t1 = process.hrtime.bigint();
const rows = reader.getRowsJson();
console.log(JSON.stringify({ seconds: Number(t1 - t0) / 1e9, rows }));
