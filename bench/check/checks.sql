-- checks.sql — Fundguard's checks on the national tables written as one SQL query: gender, age (and
-- working age), insurance type, care setting, institution level, duplicate charging in a period,
-- frequency per day, frequency in a cycle, drug payment course — over a settlement's lines and the
-- person's history. The placeholder in l selects the settlements (one, or all). Hits: (setl, sn,
-- fam, amount).
WITH l AS (SELECT * FROM lines WHERE __FILTER__),
m AS (
  SELECT l.setl, l.code, l.day, l.ts, l.hr, l.qty, l.visit, l.sn, 0 AS h FROM l
  UNION ALL
  SELECT p.setl, h.code, h.day, h.ts, h.hr, h.qty, h.visit, 0 AS sn, 1 AS h
  FROM hist h JOIN (SELECT DISTINCT setl, psn FROM l) p ON p.psn = h.psn
),
limits AS (
  SELECT l.setl, l.sn, x.kind AS fam, l.total AS amount
  FROM l JOIN lim x ON x.code = l.code
  WHERE (x.kind = 'sex' AND l.gend IN ('1', '2') AND x.val <> l.gend)
     OR (x.kind = 'age' AND ((x.val = '儿童' AND l.age >= 18) OR (x.val = '婴幼儿' AND l.age >= 3)
                             OR (x.val = '新生儿' AND l.age_days > 28)))
     OR (x.kind = 'workage' AND (l.age < 16 OR l.age >= CASE WHEN l.gend = '2' THEN 55 ELSE 60 END))
     OR (x.kind = 'insu' AND (x.val = '工伤' OR (x.val = '生育' AND l.insutype <> '510'
                                                 AND l.med_type NOT IN ('51', '52', '53'))))
     OR (x.kind = 'care' AND l.scene <> 2)
     OR (x.kind = 'level' AND l.hosp_lv < CAST(x.val AS INTEGER))
),
dups AS (
  SELECT DISTINCT l.setl, l.sn, 'duplicate' AS fam, l.total AS amount, p.main
  FROM l JOIN dup p ON p.sec = l.code
  JOIN m ON m.setl = l.setl AND m.code = p.main
  WHERE NOT (m.h = 0 AND m.sn = l.sn)
    AND ((p.scope = 'day' AND m.day = l.day) OR (p.scope = 'hour' AND m.hr = l.hr)
      OR (p.scope = 'hours' AND abs(m.ts - l.ts) <= p.hours * 3600)
      OR (p.scope = 'visit' AND m.visit = l.visit))
),
windows AS (
  SELECT l.setl, l.sn, 'frequency' AS fam, l.qty, l.pric, f.lim * 10000 AS lim,
    COALESCE(SUM(m.qty), 0) AS before
  FROM l JOIN freq f ON f.code = l.code
  LEFT JOIN m ON m.setl = l.setl AND m.code = l.code AND m.day = l.day AND (m.h = 1 OR m.sn < l.sn)
  GROUP BY l.setl, l.sn, l.qty, l.pric, f.lim
  UNION ALL
  SELECT l.setl, l.sn, 'cycle' AS fam, l.qty, l.pric, c.lim * 10000 AS lim,
    COALESCE(SUM(m.qty), 0) AS before
  FROM l JOIN cyc c ON c.code = l.code
  LEFT JOIN m ON m.setl = l.setl AND m.code = l.code AND m.day BETWEEN l.day - c.days + 1 AND l.day
    AND (m.h = 1 OR m.day < l.day OR m.sn < l.sn)
  GROUP BY l.setl, l.sn, l.qty, l.pric, c.lim
),
wins AS (
  SELECT setl, sn, fam, LEAST(qty, before + qty - lim) * pric / 10000 AS amount
  FROM windows WHERE before + qty > lim
),
cdates AS (
  SELECT DISTINCT l.setl, l.sn, l.day AS lday, CAST(x.val AS INTEGER) AS lim, m.day AS d
  FROM l JOIN lim x ON x.code = l.code AND x.kind = 'course'
  JOIN lim y ON y.point = x.point AND y.kind = 'course'
  JOIN m ON m.setl = l.setl AND m.code = y.code AND m.day <= l.day
),
cgaps AS (
  SELECT setl, sn, lday, lim, d, d - LAG(d) OVER (PARTITION BY setl, sn ORDER BY d) AS gap FROM cdates
),
courses AS (
  SELECT c.setl, c.sn, 'course' AS fam, l.total AS amount
  FROM (SELECT setl, sn, lday, lim, COALESCE(MAX(CASE WHEN gap > 30 THEN d END), MIN(d)) AS start
        FROM cgaps GROUP BY setl, sn, lday, lim) c
  JOIN l ON l.setl = c.setl AND l.sn = c.sn
  WHERE c.lday - c.start + 1 > c.lim
),
hits AS (
  SELECT * FROM limits UNION ALL SELECT setl, sn, fam, amount FROM dups
  UNION ALL SELECT * FROM wins UNION ALL SELECT * FROM courses
)
