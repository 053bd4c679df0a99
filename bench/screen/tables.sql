-- bench/screen/tables.sql — the screen's inputs as typed tables, from the same CSV / JSON Lines files
-- fundguard reads. @name@ is the file's rows with every column as text (DuckDB: read_csv / read_json
-- with all_varchar; PostgreSQL: a table COPY'd from the file), replaced by bench/screen/run.sh.
-- Money becomes integer fen, dates day numbers (days since 2000-01-01), as in fundguard.
CREATE TABLE fee AS SELECT
    bkkp_sn AS sn, mdtrt_id, setl_id, fixmedins_code AS inst, psn_no AS psn, med_type,
    CAST(fee_ocur_time AS TIMESTAMP) AS ts,
    CAST(CAST(CAST(fee_ocur_time AS TIMESTAMP) AS DATE) - DATE '2000-01-01' AS INTEGER) AS day,
    med_list_codg AS code, CAST(cnt AS DECIMAL(18, 4)) AS cnt,
    CAST(ROUND(CAST(det_item_fee_sumamt AS DECIMAL(18, 2)) * 100) AS BIGINT) AS amt,
    med_chrgitm_type AS cat, list_type, bilg_dr_code AS dr, CAST(prd_days AS INTEGER) AS prd_days,
    COALESCE(vali_flag, '1') AS vali
FROM @fee_list_d@;
CREATE TABLE setl AS SELECT
    setl_id, mdtrt_id, init_setl_id, psn_no AS psn, fixmedins_code AS inst, med_type, insutype,
    CAST(CAST(setl_time AS TIMESTAMP) AS DATE) - DATE '2000-01-01' AS setl_day,
    CAST(CAST(COALESCE(begndate, setl_time) AS TIMESTAMP) AS DATE) - DATE '2000-01-01' AS begn_day,
    COALESCE(refd_setl_flag, '0') AS refd, COALESCE(vali_flag, '1') AS vali, invono,
    CAST(ROUND(CAST(medfee_sumamt AS DECIMAL(18, 2)) * 100) AS BIGINT) AS total,
    CAST(ROUND(CAST(COALESCE(fund_pay_sumamt, hifp_pay, '0') AS DECIMAL(18, 2)) * 100) AS BIGINT)
        AS fund
FROM @setl_d@;
CREATE TABLE mdtrt AS SELECT
    mdtrt_id, psn_no AS psn, fixmedins_code AS inst, med_type,
    CAST(begntime AS TIMESTAMP) AS begn, CAST(endtime AS TIMESTAMP) AS endt,
    CAST(CAST(CAST(begntime AS TIMESTAMP) AS DATE) - DATE '2000-01-01' AS INTEGER) AS begn_day,
    CAST(CAST(CAST(endtime AS TIMESTAMP) AS DATE) - DATE '2000-01-01' AS INTEGER) AS end_day,
    dscg_maindiag_code AS maindiag, chfpdr_code AS chf_dr, COALESCE(vali_flag, '1') AS vali
FROM @mdtrt_d@;
CREATE TABLE diag AS SELECT setl_id, mdtrt_id, psn_no AS psn, COALESCE(maindiag_flag, '0') AS main,
    diag_code AS code, COALESCE(vali_flag, '1') AS vali
FROM @setl_list_diag_d@;
CREATE TABLE oprn AS SELECT setl_id, mdtrt_id, psn_no AS psn, oper_dr_code AS dr,
    CAST(CAST(oprn_oprt_date AS TIMESTAMP) AS DATE) - DATE '2000-01-01' AS day
FROM @setl_list_oprn_d@;
CREATE TABLE persons AS SELECT psn_no AS psn, certno,
    CAST(die_date AS DATE) - DATE '2000-01-01' AS die_day FROM @persons@;
CREATE TABLE deaths AS SELECT psn_no AS psn, certno,
    CAST(die_date AS DATE) - DATE '2000-01-01' AS die_day FROM @deaths@;
CREATE TABLE injuries AS SELECT psn_no AS psn, kind,
    CAST(injury_date AS DATE) - DATE '2000-01-01' AS day FROM @injuries@;
CREATE TABLE invoices AS SELECT invono, setl_id FROM @invoices@;
CREATE TABLE susp AS SELECT subject_type AS kind, subject_code AS code, action,
    CAST(begin_date AS DATE) - DATE '2000-01-01' AS b,
    COALESCE(CAST(end_date AS DATE) - DATE '2000-01-01', 999999) AS e FROM @suspensions@;
CREATE TABLE inst AS SELECT fixmedins_code AS inst, fixmedins_type AS type, hosp_lv AS lv,
    admdvs AS region FROM @institutions@;
-- Pack events in file (= time) order: seq is the line number. A GS1 code is keyed as the ledger
-- keys it, "(01)<GTIN>(21)<serial>" (its expiry and batch dropped; the serial is the last field).
CREATE TABLE ev AS SELECT seq, type,
    CASE WHEN drug_trac_codg LIKE '(01)%' THEN '(01)' || SUBSTR(drug_trac_codg, 5, 14) || '(21)'
        || SUBSTR(drug_trac_codg, POSITION('(21)' IN drug_trac_codg) + 4) ELSE drug_trac_codg END
        AS code,
    fixmedins_code AS inst,
    CAST(units AS BIGINT) AS units, CAST(pack_units AS BIGINT) AS pack_units,
    CAST(trdn_flag AS INTEGER) AS trdn, setl_id, psn_no AS psn, med_list_codg AS drug
FROM @ledger_events@;
