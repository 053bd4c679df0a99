// bench/serve/peer.mjs PORT_FILE WORKERS — the peer of bench/serve: the same check request served
// by Node.js's own HTTP server (node:http, one process per worker through node:cluster, as
// fundguard runs one worker per core). Each request: the API key checked (SHA-256 against the
// stored digest, as fundguard does), the body parsed with JSON.parse (V8's native parser), the
// fee lines walked — amounts turned into fen and summed, each line's code and count required —
// and a decision written with JSON.stringify. No rules are evaluated: this is the floor of a
// JSON-over-HTTP service on the machine, what the request costs before any review work.
// The key comes in FG_KEY; the port the first worker binds is written to PORT_FILE.
import cluster from "node:cluster";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import http from "node:http";

const [portFile, workersArg] = process.argv.slice(2);
const workers = Math.max(1, Number(workersArg) || 1);
const digest = (s) => createHash("sha256").update(s).digest("hex");
const keyDigest = digest(`Bearer ${process.env.FG_KEY ?? ""}`);

function fen(v) {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(String(v));
  if (m === null) return null;
  const f = Number(m[2]) * 100 + Number((m[3] ?? "").padEnd(2, "0"));
  return m[1] === "-" ? -f : f;
}

function check(doc) {
  const input = doc?.input;
  const lines = input?.feedetail;
  if (!Array.isArray(lines)) return [400, { code: "field.required", field: "input.feedetail" }];
  let total = 0;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    const amt = fen(l.det_item_fee_sumamt);
    if (typeof l.med_list_codg !== "string" || l.cnt === undefined || amt === null)
      return [400, { code: "field.invalid", field: `input.feedetail[${i}]` }];
    total += amt;
  }
  return [200, { decision: "pass", stage: "in", psn_no: input.psninfo?.psn_no ?? "", lines: lines.length, total_fen: total, hits: [] }];
}

if (cluster.isPrimary) {
  let first = true;
  cluster.on("listening", (_w, addr) => {
    if (first) writeFileSync(portFile, String(addr.port));
    first = false;
  });
  // Workers that listen on port 0 in a cluster share one free port (node:cluster).
  for (let i = 0; i < workers; i++) cluster.fork();
  process.on("SIGTERM", () => {
    for (const w of Object.values(cluster.workers)) w.kill("SIGTERM");
    process.exit(0);
  });
} else {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      let status, body;
      if (digest(req.headers.authorization ?? "") !== keyDigest) {
        [status, body] = [401, { code: "auth.unauthorized" }];
      } else {
        try {
          [status, body] = check(JSON.parse(Buffer.concat(chunks).toString("utf8")));
        } catch (e) {
          [status, body] = [400, { code: "json.invalid", message: e.message }];
        }
      }
      const text = JSON.stringify(body);
      res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
      res.end(text);
    });
  });
  server.keepAliveTimeout = 30000;
  server.listen(0, "127.0.0.1");
}
