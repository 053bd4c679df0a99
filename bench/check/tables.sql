-- tables.sql — the knowledge tables as the SQL peers use them, built from the national CSVs loaded
-- as they are (raw_<file> tables with the published Chinese column names), plus the settlements.
-- Shared by PostgreSQL and DuckDB (bench/check/run.sh). Not timed.
CREATE TABLE lim (code TEXT, kind TEXT, val TEXT, point TEXT);
INSERT INTO lim SELECT c."药品代码", 'sex', CASE n."限定对象" WHEN '男' THEN '1' ELSE '2' END, NULL
  FROM raw_b1_drug_gender_codes c JOIN raw_b1_drug_gender_names n ON n."药品通用名" = c."药品通用名";
INSERT INTO lim SELECT "国标代码", 'sex', CASE "限定性别" WHEN '男' THEN '1' ELSE '2' END, NULL
  FROM raw_b1_item_gender;
INSERT INTO lim SELECT c."国标代码", 'age', n."限定对象", NULL
  FROM raw_b1_drug_age_codes c JOIN raw_b1_drug_age_names n ON n."药品通用名" = c."药品通用名";
INSERT INTO lim SELECT "国标代码", 'age', "限定对象", NULL FROM raw_b1_item_age;
INSERT INTO lim SELECT "项目代码", 'workage', NULL, NULL FROM raw_b8_2_item_age;
INSERT INTO lim SELECT c."国标代码", 'insu', n."限定对象", NULL
  FROM raw_b3_codes c JOIN raw_b3_names n ON n."药品通用名" = c."药品通用名";
INSERT INTO lim SELECT c."国标代码", 'care', n."限定值域", NULL
  FROM raw_b4_codes c JOIN raw_b4_names n ON n."药品通用名" = c."药品通用名";
INSERT INTO lim SELECT c."国标代码", 'level', CASE n."限定值域" WHEN '三级' THEN '3' WHEN '二级' THEN '2' ELSE '1' END, NULL
  FROM raw_b5_codes c JOIN raw_b5_names n ON n."药品通用名" = c."药品通用名";
INSERT INTO lim SELECT c."国标代码", 'course', REPLACE(n."限定值域", '天', ''), 'b6:' || n."药品通用名"
  FROM raw_b6_codes c JOIN raw_b6_names n ON n."药品通用名" = c."药品通用名";

CREATE TABLE dup (main TEXT, sec TEXT, scope TEXT, hours INTEGER);
INSERT INTO dup SELECT "主项编码", "从项编码",
    CASE "频度" WHEN '单日' THEN 'day' WHEN '同一小时' THEN 'hour' WHEN '单次就诊' THEN 'visit' ELSE 'hours' END,
    CASE WHEN "频度" LIKE '%小时' AND "频度" <> '同一小时' THEN CAST(REPLACE("频度", '小时', '') AS INTEGER) ELSE 0 END
  FROM raw_b7;
CREATE TABLE freq (code TEXT, lim BIGINT);
INSERT INTO freq SELECT "项目编码", CAST("限制数量" AS BIGINT) FROM raw_b8_1 WHERE "限制数量" <> '';
CREATE TABLE cyc (code TEXT, lim BIGINT, days INTEGER);
INSERT INTO cyc SELECT "项目代码", CAST("频次上限" AS BIGINT), CAST("疗程周期" AS INTEGER) FROM raw_b8_4;

CREATE INDEX lim_code ON lim (code);
CREATE INDEX lim_point ON lim (point);
CREATE INDEX dup_sec ON dup (sec);
CREATE INDEX freq_code ON freq (code);
CREATE INDEX cyc_code ON cyc (code);
CREATE INDEX lines_setl ON lines (setl);
CREATE INDEX hist_psn ON hist (psn);
