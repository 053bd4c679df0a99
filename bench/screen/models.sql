-- bench/screen/models.sql — the screen's models written as SQL over bench/screen/tables.sql, from
-- their definitions in docs/screen.md (issue 14), for DuckDB and PostgreSQL alike. Each model is one
-- block headed "-- model: NAME" that leaves table k_NAME(k): the keys its findings name, compared
-- with the same keys drawn from fundguard's findings.jsonl (bench/screen/keys.jq). run.sh times
-- every block. Not here: `rule` (the review engine; bench/check has its SQL peer), `stock_mismatch`
-- (needs 3501 counts, which ledger_events.jsonl does not carry), and `covisit_group`, whose
-- communities (Louvain) SQL cannot express: the SQL builds the co-visit graph (edges of >= 3
-- shared days) and names the persons with an edge, a superset of the persons in groups.

-- model: trace_duplicate
-- The ledger's state per code as running sums in event order (a whole-pack sale or return is the
-- pack's units): standing sold units of every institution and of this one before each event, and
-- the last purchase / purchase return before it. Shared by the three pack models.
CREATE TABLE evx AS
WITH p AS (SELECT code, COALESCE(NULLIF(MAX(pack_units), 0), 1) AS pack FROM ev GROUP BY code),
u AS (
    SELECT ev.*, p.pack,
        CASE WHEN type IN ('sale', 'sale_return') AND trdn = 0 THEN p.pack ELSE units END AS u
    FROM ev JOIN p USING (code)),
s AS (SELECT u.*, CASE type WHEN 'sale' THEN u WHEN 'sale_return' THEN -u ELSE 0 END AS d FROM u)
SELECT seq, type, code, inst, u, pack,
    COALESCE(SUM(d) OVER (PARTITION BY code ORDER BY seq
        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS stand,
    COALESCE(SUM(d) OVER (PARTITION BY code, inst ORDER BY seq
        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS own,
    MAX(CASE WHEN type IN ('purchase', 'purchase_return') THEN seq END) OVER (PARTITION BY code
        ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS last_stock
FROM s;
CREATE TABLE k_trace_duplicate AS
SELECT DISTINCT code AS k FROM evx WHERE type = 'sale' AND (stand - own > 0 OR stand + u > pack);

-- model: trace_reflow
CREATE TABLE k_trace_reflow AS
SELECT DISTINCT code || '|' || inst AS k FROM evx WHERE type = 'purchase' AND stand > 0;

-- model: sale_unpurchased
CREATE TABLE k_sale_unpurchased AS
WITH fp AS (SELECT inst, MIN(seq) AS first_purchase FROM ev WHERE type = 'purchase' GROUP BY inst)
SELECT DISTINCT x.code || '|' || x.inst AS k
FROM evx x JOIN fp ON fp.inst = x.inst AND fp.first_purchase < x.seq
LEFT JOIN ev s ON s.seq = x.last_stock
WHERE x.type = 'sale' AND NOT COALESCE(s.type = 'purchase' AND s.inst = x.inst, FALSE);

-- model: after_death
CREATE TABLE k_after_death AS
WITH d AS (
    SELECT psn, MIN(die_day) AS die_day FROM (
        SELECT psn, die_day FROM deaths WHERE psn IS NOT NULL
        UNION ALL
        SELECT p.psn, d.die_day FROM deaths d JOIN persons p ON d.psn IS NULL AND p.certno = d.certno
        UNION ALL
        SELECT psn, die_day FROM persons WHERE die_day IS NOT NULL) t
    GROUP BY psn)
SELECT DISTINCT f.setl_id AS k FROM fee f JOIN d ON d.psn = f.psn
WHERE f.day > d.die_day AND f.vali = '1' AND f.cnt > 0;

-- model: care_during_stay
CREATE TABLE k_care_during_stay AS
WITH pairs AS (
    SELECT s.mdtrt_id AS stay, v.mdtrt_id AS visit
    FROM mdtrt s JOIN mdtrt v ON v.psn = s.psn AND v.inst <> s.inst
        AND v.begn >= s.begn AND v.begn <= s.endt
    WHERE (s.med_type LIKE '2%' OR s.med_type = '52') AND s.vali = '1' AND v.vali = '1')
SELECT stay AS k FROM pairs UNION SELECT visit FROM pairs;

-- model: readmission
CREATE TABLE k_readmission AS
WITH st AS (
    SELECT mdtrt_id, begn_day, SUBSTR(maindiag, 1, 3) AS cat,
        LAG(mdtrt_id) OVER w AS prev_id, LAG(end_day) OVER w AS prev_end,
        LAG(SUBSTR(maindiag, 1, 3)) OVER w AS prev_cat
    FROM mdtrt WHERE (med_type LIKE '2%' OR med_type = '52') AND vali = '1'
    WINDOW w AS (PARTITION BY psn, inst ORDER BY begn, mdtrt_id)),
hit AS (SELECT mdtrt_id, prev_id FROM st WHERE begn_day - prev_end <= 15 AND cat = prev_cat)
SELECT mdtrt_id AS k FROM hit UNION SELECT prev_id FROM hit;

-- model: frequent_visits
-- Paid visits (a settlement neither refunded nor void nor reversed by a refund); dialysis (main
-- diagnosis N18 / Z49) left out.
CREATE TABLE paid AS
SELECT s.setl_id, s.mdtrt_id FROM setl s
WHERE s.refd = '0' AND s.vali = '1'
    AND NOT EXISTS (SELECT 1 FROM setl r WHERE r.init_setl_id = s.setl_id AND r.refd = '1');
CREATE TABLE k_frequent_visits AS
WITH v AS (
    SELECT psn, begn_day,
        CASE WHEN med_type = '41' THEN 'p' WHEN med_type IN ('11', '13', '14') THEN 'o' END AS g
    FROM mdtrt m
    WHERE vali = '1' AND COALESCE(SUBSTR(maindiag, 1, 3), '') NOT IN ('N18', 'Z49')
        AND EXISTS (SELECT 1 FROM paid p WHERE p.mdtrt_id = m.mdtrt_id)),
w AS (
    SELECT psn, g, COUNT(*) OVER (PARTITION BY psn, g ORDER BY begn_day
        RANGE BETWEEN 29 PRECEDING AND CURRENT ROW) AS n
    FROM v WHERE g IS NOT NULL)
SELECT DISTINCT psn AS k FROM w WHERE (g = 'p' AND n >= 10) OR (g = 'o' AND n >= 8);

-- model: quantity_excess
-- Drug lines (list_type 1xx) of outpatient and pharmacy care: days' supply = the line's prd_days,
-- else cnt x pack units / daily dose (a refund line takes its days back); any 90-day window > 135.
CREATE TABLE k_quantity_excess AS
WITH l AS (
    SELECT f.psn, f.code, f.day,
        CASE WHEN f.prd_days IS NOT NULL AND f.prd_days > 0
             THEN CAST(f.prd_days AS DECIMAL(18, 4)) * SIGN(f.cnt)
             ELSE f.cnt * c.pack / c.daily_dose END AS days
    FROM fee f JOIN cat c ON c.code = f.code
    WHERE f.vali = '1' AND f.list_type LIKE '1%' AND f.med_type IN ('11', '13', '14', '41')
        AND c.daily_dose > 0),
w AS (
    SELECT psn, code, SUM(days) OVER (PARTITION BY psn, code ORDER BY day
        RANGE BETWEEN 89 PRECEDING AND CURRENT ROW) AS s
    FROM l)
SELECT DISTINCT psn || '|' || code AS k FROM w WHERE s > 135;

-- model: injury_third_party
-- A paid settlement (not refunded, void or reversed) of basic medical insurance (not 410 工伤 or
-- 510 生育), the fund paying > 0, an injury main diagnosis (S, T) or an external cause V01-Y98
-- (not Y40-Y84) beside it, and an injury record of the person on or before the care date.
CREATE TABLE k_injury_third_party AS
WITH inj AS (
    SELECT DISTINCT setl_id FROM diag
    WHERE vali = '1' AND ((main = '1' AND SUBSTR(code, 1, 1) IN ('S', 'T'))
        OR (SUBSTR(code, 1, 3) BETWEEN 'V01' AND 'Y98'
            AND NOT (SUBSTR(code, 1, 3) BETWEEN 'Y40' AND 'Y84'))))
SELECT DISTINCT s.setl_id AS k
FROM setl s JOIN inj USING (setl_id) LEFT JOIN mdtrt m ON m.mdtrt_id = s.mdtrt_id
WHERE s.refd = '0' AND s.vali = '1' AND s.fund > 0 AND COALESCE(s.insutype, '') NOT IN ('410', '510')
    AND NOT EXISTS (SELECT 1 FROM setl r WHERE r.init_setl_id = s.setl_id AND r.refd = '1')
    AND EXISTS (SELECT 1 FROM injuries i WHERE i.psn = s.psn
        AND i.day <= COALESCE(m.begn_day, s.begn_day));

-- model: invoice_duplicate
CREATE TABLE k_invoice_duplicate AS
WITH iv AS (
    SELECT COALESCE(i.invono, s.invono) AS invono, s.setl_id
    FROM setl s LEFT JOIN invoices i ON i.setl_id = s.setl_id
    WHERE s.refd = '0' AND s.vali = '1')
SELECT invono AS k FROM iv WHERE invono IS NOT NULL GROUP BY invono
HAVING COUNT(DISTINCT setl_id) >= 2;

-- model: peer_outlier
CREATE TABLE k_peer_outlier AS
WITH fees AS (
    SELECT inst,
        CAST(SUM(CASE WHEN cat IN ('09', '10', '11') THEN amt ELSE 0 END) AS DOUBLE PRECISION)
            / NULLIF(SUM(amt), 0) AS drug_share,
        CAST(SUM(CASE WHEN cat IN ('03', '04') THEN amt ELSE 0 END) AS DOUBLE PRECISION)
            / NULLIF(SUM(amt), 0) AS exam_share
    FROM fee WHERE vali = '1' GROUP BY inst),
cost AS (
    SELECT inst,
        AVG(CASE WHEN med_type IN ('11', '13', '14') THEN CAST(total AS DOUBLE PRECISION) END) AS otp_cost,
        AVG(CASE WHEN med_type LIKE '2%' OR med_type = '52' THEN CAST(total AS DOUBLE PRECISION) END)
            AS ipt_cost,
        AVG(CASE WHEN med_type = '41' THEN CAST(total AS DOUBLE PRECISION) END) AS rx_cost
    FROM setl WHERE refd = '0' AND vali = '1' GROUP BY inst),
los AS (
    SELECT inst, AVG(CAST(end_day - begn_day AS DOUBLE PRECISION)) AS stay
    FROM mdtrt WHERE (med_type LIKE '2%' OR med_type = '52') AND vali = '1' GROUP BY inst),
x AS (
    SELECT i.inst, i.type, i.lv, i.region, ind.name, ind.v
    FROM inst i
    JOIN fees USING (inst) LEFT JOIN cost USING (inst) LEFT JOIN los USING (inst)
    CROSS JOIN LATERAL (VALUES ('drug_share', fees.drug_share), ('exam_share', fees.exam_share),
        ('cost_outpatient', cost.otp_cost), ('cost_inpatient', cost.ipt_cost),
        ('cost_pharmacy', cost.rx_cost), ('length_of_stay', los.stay)) AS ind(name, v)
    WHERE ind.v IS NOT NULL),
sz AS (
    SELECT type, lv, region, COUNT(DISTINCT inst) AS n FROM x GROUP BY type, lv, region),
g AS (
    SELECT x.*, CASE WHEN sz.n >= 5 THEN x.region ELSE '*' END AS grp
    FROM x JOIN sz ON sz.type = x.type AND sz.lv IS NOT DISTINCT FROM x.lv
        AND sz.region IS NOT DISTINCT FROM x.region),
gn AS (
    SELECT type, lv, grp, name, COUNT(*) AS n,
        PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY v) AS med
    FROM g GROUP BY type, lv, grp, name),
mad AS (
    SELECT g.type, g.lv, g.grp, g.name,
        PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY ABS(g.v - gn.med)) AS mad
    FROM g JOIN gn ON gn.type = g.type AND gn.lv IS NOT DISTINCT FROM g.lv AND gn.grp = g.grp
        AND gn.name = g.name
    GROUP BY g.type, g.lv, g.grp, g.name)
SELECT DISTINCT g.inst AS k
FROM g JOIN gn ON gn.type = g.type AND gn.lv IS NOT DISTINCT FROM g.lv AND gn.grp = g.grp
        AND gn.name = g.name
    JOIN mad ON mad.type = g.type AND mad.lv IS NOT DISTINCT FROM g.lv AND mad.grp = g.grp
        AND mad.name = g.name
WHERE gn.n >= 5 AND mad.mad > 0 AND 0.6745 * (g.v - gn.med) / mad.mad > 3;

-- model: covisit_group
CREATE TABLE k_covisit_group AS
WITH v AS (SELECT DISTINCT psn, inst, begn_day FROM mdtrt WHERE vali = '1'),
e AS (
    SELECT a.psn AS p1, b.psn AS p2
    FROM v a JOIN v b ON a.inst = b.inst AND a.begn_day = b.begn_day AND a.psn < b.psn
    GROUP BY a.psn, b.psn HAVING COUNT(DISTINCT a.begn_day) >= 3)
SELECT p1 AS k FROM e UNION SELECT p2 FROM e;

-- model: staff_overload
CREATE TABLE k_staff_overload AS
SELECT DISTINCT dr AS k FROM (
    SELECT dr, day FROM fee
    WHERE vali = '1' AND dr IS NOT NULL AND med_type IN ('11', '13', '14') AND cnt > 0
    GROUP BY dr, day HAVING COUNT(DISTINCT mdtrt_id) > 80) t;

-- model: staff_suspended
CREATE TABLE k_staff_suspended AS
WITH l AS (
    SELECT setl_id, dr, day, med_type FROM fee WHERE vali = '1' AND cnt > 0 AND dr IS NOT NULL
    UNION ALL
    SELECT f.setl_id, m.chf_dr, f.day, f.med_type FROM fee f JOIN mdtrt m USING (mdtrt_id)
    WHERE f.vali = '1' AND f.cnt > 0 AND m.chf_dr IS NOT NULL
    UNION ALL
    SELECT o.setl_id, o.dr, o.day, s.med_type FROM oprn o JOIN setl s USING (setl_id)
    WHERE o.dr IS NOT NULL AND o.day IS NOT NULL)
SELECT DISTINCT l.setl_id AS k
FROM l JOIN susp s ON s.kind = 'staff' AND s.code = l.dr AND l.day BETWEEN s.b AND s.e
WHERE COALESCE(l.med_type, '') <> '13';

-- model: institution_suspended
CREATE TABLE k_institution_suspended AS
SELECT DISTINCT f.setl_id AS k
FROM fee f JOIN susp s ON s.kind = 'institution' AND s.code = f.inst AND f.day BETWEEN s.b AND s.e
WHERE f.vali = '1' AND f.cnt > 0;
