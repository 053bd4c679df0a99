// recall.mjs TRUTH.csv DECISIONS.jsonl [OUT.md] — how many of the generator's injected review cases
// (truth.csv, scenarios rule_* and the status ones) `fundguard check` finds, per family.
//
// A case is found when a hit of its family names one of the case's fee lines (truth feedetl_sn, ';'
// separated) or, for a case without lines or a family that concerns the settlement as a whole, any
// hit of the family in a settlement of the case (its visit, truth mdtrt_id, or one holding a line of
// it). Hits of the family on settlements
// that are no case of it are counted beside (the generated background is not guaranteed clean, and
// one case's data may break other rules too).
import { createReadStream, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const [truthPath, decisionsPath, outPath] = process.argv.slice(2);
if (!truthPath || !decisionsPath) {
    console.error('usage: node recall.mjs TRUTH.csv DECISIONS.jsonl [OUT.md]');
    process.exit(2);
}

// scenario of the generator (src/gen/gen_int.h) -> family of the review engine (docs/rules.md).
// quantity_excess is not here: it is the screen's model of days' supply over a period
// (`fundguard screen`, docs/screen.md), not the per-prescription max_quantity rule.
const families = {
    settle_after_death: 'deceased',
    staff_suspended_billing: 'staff_suspended',
    inst_suspended_billing: 'institution_suspended',
    rule_gender_drug: 'gender',
    rule_gender_item: 'gender',
    rule_child_drug: 'age',
    rule_age_item: 'age',
    rule_surgery_discount: 'surgery_discount',
    rule_insurance_type: 'insurance_type',
    rule_inpatient_only: 'care_setting',
    rule_inst_level: 'institution_level',
    rule_drug_course: 'drug_course',
    rule_duplicate_charge: 'duplicate_charge',
    rule_item_frequency: 'frequency',
    rule_item_course: 'item_course',
    rule_period_frequency: 'cycle_frequency',
    rule_price_cap: 'price_cap',
    rule_billing_outside_stay: 'billing_date',
    rule_diag_gender: 'diagnosis_sex_age',
    rule_indication: 'indication',
    frequent_visits: 'frequent_visits',
};
const settlementLevel = new Set(['diagnosis_sex_age', 'frequent_visits']);

function csvFields(line) {
    const out = [];
    let cur = '';
    let q = false;
    for (let i = 0; i < line.length; i++) {
        const ch = line[i];
        if (q) {
            if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; }
            else if (ch === '"') q = false;
            else cur += ch;
        } else if (ch === '"') q = true;
        else if (ch === ',') { out.push(cur); cur = ''; }
        else cur += ch;
    }
    out.push(cur);
    return out;
}

async function* lines(path) {
    const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
    for await (const l of rl) if (l.length > 0) yield l;
}

// ---------------------------------------------------------------- truth
const cases = []; // {scenario, family, mdtrt:[...], sn:[...], found}
const wantedVisits = new Map(); // mdtrt_id -> [case]
const wantedLines = new Map(); // feedetl_sn -> [case]
let header = null;
for await (const l of lines(truthPath)) {
    const f = csvFields(l);
    if (!header) { header = Object.fromEntries(f.map((n, i) => [n, i])); continue; }
    const scenario = f[header.scenario];
    const family = families[scenario];
    if (!family) continue;
    const split = (s) => (s ? s.split(';').filter(Boolean) : []);
    const c = { scenario, family, mdtrt: split(f[header.mdtrt_id]), sn: new Set(split(f[header.feedetl_sn])), found: false };
    cases.push(c);
    for (const m of c.mdtrt) {
        if (!wantedVisits.has(m)) wantedVisits.set(m, []);
        wantedVisits.get(m).push(c);
    }
    for (const sn of c.sn) {
        if (!wantedLines.has(sn)) wantedLines.set(sn, []);
        wantedLines.get(sn).push(c);
    }
}

// ---------------------------------------------------------------- decisions
const hitsByFamily = {};
const outsideByFamily = {};
let settlements = 0;
let withHits = 0;
for await (const l of lines(decisionsPath)) {
    settlements++;
    if (!l.includes('"rule"')) continue;
    const d = JSON.parse(l);
    if (d.hits.length > 0) withHits++;
    // the cases of this settlement: by its visit, or by any of its lines (a case over several visits)
    const here = new Set(wantedVisits.get(d.mdtrt_id) || []);
    for (const l of d.lines) for (const c of wantedLines.get(l.feedetl_sn) || []) here.add(c);
    for (const h of d.hits) {
        hitsByFamily[h.family] = (hitsByFamily[h.family] || 0) + 1;
        let matched = false;
        for (const c of here) {
            if (c.family !== h.family) continue;
            c.inSettlement = true;
            if (c.sn.size === 0 || settlementLevel.has(c.family) || c.sn.has(h.feedetl_sn)) {
                c.found = true;
                matched = true;
            }
        }
        if (!matched) outsideByFamily[h.family] = (outsideByFamily[h.family] || 0) + 1;
    }
}

// ---------------------------------------------------------------- report
const rows = {};
for (const c of cases) {
    const r = (rows[c.family] ||= { family: c.family, scenarios: new Set(), cases: 0, found: 0, loose: 0 });
    r.scenarios.add(c.scenario);
    r.cases++;
    if (c.found) r.found++;
    if (c.found || c.inSettlement) r.loose++;
}
const fams = Object.keys(rows).sort();
let md = '# `fundguard check` over a generated county: recall of the injected cases\n\n';
md += `Decisions: ${settlements} settlements, ${withHits} with hits. Cases: ${cases.length} of truth.csv `;
md += '(scenarios rule_* and the status ones). A case is found when a hit of its family names one of its ';
md += 'fee lines (any hit in a settlement of the case for a case without lines or a settlement-level family). ';
md += '"in the settlement": a hit of the family in a settlement of the case, on whatever line. ';
md += '"hits elsewhere": hits of the family on lines that are no case of it.\n\n';
md += '| family | scenarios | cases | found | recall | in the settlement | hits elsewhere |\n|---|---|---:|---:|---:|---:|---:|\n';
let tc = 0, tf = 0, tl = 0;
const pct = (a, b) => `${(100 * a / b).toFixed(1)}%`;
for (const f of fams) {
    const r = rows[f];
    tc += r.cases;
    tf += r.found;
    tl += r.loose;
    md += `| ${f} | ${[...r.scenarios].join(', ')} | ${r.cases} | ${r.found} | ${pct(r.found, r.cases)} | ${pct(r.loose, r.cases)} | ${outsideByFamily[f] || 0} |\n`;
}
md += `| **all** | | ${tc} | ${tf} | ${pct(tf, tc)} | ${pct(tl, tc)} | |\n`;
const others = Object.keys(hitsByFamily).filter((f) => !rows[f]).sort();
if (others.length > 0)
    md += `\nFamilies with hits but no generated cases: ${others.map((f) => `${f} ${hitsByFamily[f]}`).join(', ')}.\n`;
process.stdout.write(md);
if (outPath) writeFileSync(outPath, md);
