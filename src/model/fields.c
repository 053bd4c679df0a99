/*
 * fields.c — the field tables of every record type, and the one routine that turns text into a
 * field (fg_field_set).
 *
 * Each table is the single description of a record: the CSV reader (tables.c), the JSON reader and
 * writers (json.c) and docs/formats.md (doc.c) all walk it, so they cannot disagree. Entries are
 * built by macros that check at compile time that the member has the C type the field type
 * stores (a money field on an int member does not compile).
 *
 * Names are the national interface vocabulary; `alias` is the same field under the other name the
 * national data uses (fee_list_d's bkkp_sn for feedetl_sn, 2207's inscp_scp_amt for inscp_amt …).
 * FG_FIELD_ALT entries are further keys for a member listed before them (the inventory interfaces
 * name their time and quantity differently per interface): read, never written.
 */
#include "core/compat.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fundguard/model.h"
#include "fundguard/utf8.h"
#include "model/model_int.h"

/* ---------------------------------------------------------------- diagnostics */

void fg_diag_report(fg_diag_t *d, const fg_error_t *e)
{
    if (d == NULL)
        return;
    d->count++;
    if (d->report != NULL)
        d->report(d->ctx, e);
}

/* ---------------------------------------------------------------- pseudonym key */

/* The development key: public, so pseudonyms made with it protect nothing (see
 * fg_model_key_is_default). Exactly FG_PSEUDONYM_KEYLEN bytes, no NUL needed. */
static const char dev_key[FG_PSEUDONYM_KEYLEN + 1] = "fundguard-development-key-NOTSET";
static unsigned char key[FG_PSEUDONYM_KEYLEN];
static int key_set;

void fg_model_set_pseudonym_key(const unsigned char k[FG_PSEUDONYM_KEYLEN])
{
    memcpy(key, k, FG_PSEUDONYM_KEYLEN);
    key_set = 1;
}

int fg_model_key_is_default(void)
{
    return !key_set;
}

const unsigned char *fg_model_pseudonym_key(void)
{
    return key_set ? key : (const unsigned char *)dev_key;
}

/* ---------------------------------------------------------------- table-building macros */

/* 0, but a compile error unless member m of REC has type T (after array decay). */
#define TYPE_IS(m, T) (0 * sizeof(char[_Generic(((REC *)0)->m, T : 1, default : -1)]))

#define ENTRY(nm, al, ty, kind, m, T, fl, vals, lo, hi, aux_, mean, ex)                            \
    {                                                                                              \
        .name = (nm), .alias = (al), .type = (ty), .id_kind = (kind),                              \
        .offset = offsetof(REC, m) + TYPE_IS(m, T), .size = sizeof(((REC *)0)->m), .flags = (fl),  \
        .values = (vals), .meaning = (mean), .example = (ex), .min = (lo), .max = (hi),            \
        .aux = (aux_)                                                                              \
    }

#define STR(m, fl, mean, ex) ENTRY(#m, NULL, FG_F_STR, -1, m, char *, fl, NULL, 0, 0, 0, mean, ex)
#define STRA(m, al, fl, mean, ex)                                                                  \
    ENTRY(#m, al, FG_F_STR, -1, m, char *, fl, NULL, 0, 0, 0, mean, ex)
#define ID(m, k, fl, mean, ex) ENTRY(#m, NULL, FG_F_ID, k, m, char *, fl, NULL, 0, 0, 0, mean, ex)
#define IDA(m, al, k, fl, mean, ex)                                                                \
    ENTRY(#m, al, FG_F_ID, k, m, char *, fl, NULL, 0, 0, 0, mean, ex)
#define ENUM(m, vals, fl, mean, ex)                                                                \
    ENTRY(#m, NULL, FG_F_ENUM, -1, m, char *, fl, vals, 0, 0, 0, mean, ex)
#define MONEY(m, fl, mean, ex)                                                                     \
    ENTRY(#m, NULL, FG_F_MONEY, -1, m, fg_fen_t, fl, NULL, 0, 0, 0, mean, ex)
#define MONEYA(m, al, fl, mean, ex)                                                                \
    ENTRY(#m, al, FG_F_MONEY, -1, m, fg_fen_t, fl, NULL, 0, 0, 0, mean, ex)
#define QTY(m, fl, mean, ex) ENTRY(#m, NULL, FG_F_QTY, -1, m, fg_qty_t, fl, NULL, 0, 0, 0, mean, ex)
#define TIME(m, fl, mean, ex)                                                                      \
    ENTRY(#m, NULL, FG_F_TIME, -1, m, fg_time_t, fl, NULL, 0, 0, 0, mean, ex)
#define DATE(m, fl, mean, ex)                                                                      \
    ENTRY(#m, NULL, FG_F_DATE, -1, m, fg_date_t, fl, NULL, 0, 0, 0, mean, ex)
#define INT(m, lo, hi, fl, mean, ex)                                                               \
    ENTRY(#m, NULL, FG_F_INT32, -1, m, int32_t, fl, NULL, lo, hi, 0, mean, ex)
#define FLAG(m, fl, mean, ex) ENTRY(#m, NULL, FG_F_FLAG, -1, m, int, fl, NULL, 0, 1, 0, mean, ex)
#define HASH(m, fl, mean, ex) ENTRY(#m, NULL, FG_F_HASH, -1, m, char *, fl, NULL, 0, 0, 0, mean, ex)
/* The resident ID column/key `certno`, stored as pseudonym in certno_hash (+ masked form). */
#define IDCARD(masked, mean, ex)                                                                   \
    ENTRY("certno", NULL, FG_F_IDCARD, FG_ID_IDCARD, certno_hash, char *, 0, NULL, 0, 0,           \
          offsetof(REC, masked), mean, ex)
#define IDCARD_NOMASK(mean, ex)                                                                    \
    ENTRY("certno", NULL, FG_F_IDCARD, FG_ID_IDCARD, certno_hash, char *, 0, NULL, 0, 0, 0, mean,  \
          ex)

#define REQ     FG_FIELD_REQUIRED
#define REQ_CSV FG_FIELD_REQ_CSV
#define NONNEG  FG_FIELD_NONNEG
#define REFUND  FG_FIELD_REFUND

/* Shared meanings: the same words in every table. */
#define M_PSN_NO      "人员编号 — insured person's number"
#define M_MDTRT_ID    "就诊ID — visit (outpatient visit or inpatient stay) id"
#define M_SETL_ID     "结算ID — settlement id"
#define M_FIXMEDINS   "定点医药机构编号 — designated institution code (H/P + 11 digits)"
#define M_CERTNO      "证件号码 — resident ID (身份证); stored only as keyed pseudonym + masked form"
#define M_CERTNO_HASH "身份证号假名 — keyed pseudonym (HMAC-SHA-256) of the resident ID"
#define M_CERTNO_MASK "身份证号掩码 — masked resident ID for display"
#define M_GEND        "性别 — sex: 1 male, 2 female, 0/9 unknown (GB/T 2261.1)"
#define M_BRDY        "出生日期 — date of birth"
#define M_INSUTYPE    "险种类型 — insurance type: 310 职工基本医疗, 390 城乡居民基本医疗 …"
#define M_ADMDVS      "参保所属医保区划 — insured person's region (6 digits)"
#define M_MED_TYPE                                                                                 \
    "医疗类别 — care type: 11 普通门诊, 14 门诊慢特病, 21 普通住院, 41 定点药店购药 … (as given)"
#define M_HOSP_LV "医院等级 — hospital level: 1 一级, 2 二级, 3 三级 (or the national 01…11 grades)"
#define M_VALI    "有效标志 — validity: 1 valid, 0 void"
#define M_LIST_CODG                                                                                \
    "医疗目录编码 — national catalogue code: drug X+22 / Z+19, consumable C+19, service item 15 digits"

#define EX_PSN    "43000000000000000000012345"
#define EX_MDTRT  "430102H43010200012202507010001"
#define EX_SETL   "430102H43010200012202507010088"
#define EX_INST   "H43010200012"
#define EX_CERTNO "430102199003071234"
#define EX_HASH   "1f0e5c0c5d1f8a3b2e6d7c4b9a8f7e6d5c4b3a291807f6e5d4c3b2a190817263"
#define EX_MASK   "4301**********1234"
#define EX_DRUG   "XA01ABD075A002010100483"
#define EX_DOCTOR "D430102000123"

/* ---------------------------------------------------------------- person */

#define REC fg_person_t
static const fg_field_t person_fields[] = {
    STR(psn_no, REQ, M_PSN_NO, EX_PSN),
    STR(psn_name, 0, "人员姓名 — name (never logged)", "张三"),
    IDCARD(certno_masked, M_CERTNO, EX_CERTNO),
    HASH(certno_hash, 0, M_CERTNO_HASH, EX_HASH),
    STR(certno_masked, 0, M_CERTNO_MASK, EX_MASK),
    ENUM(gend, "0|1|2|9", 0, M_GEND, "1"),
    DATE(brdy, 0, M_BRDY, "1990-03-07"),
    STR(insutype, 0, M_INSUTYPE, "310"),
    ID(insu_admdvs, FG_ID_REGION, 0, M_ADMDVS, "430102"),
    STR(psn_type, 0, "人员类别 — person category: 11 在职, 12 退休 … (as given)", "11"),
    DATE(die_date, 0, "死亡日期 — date of death, empty while alive", "2025-05-20"),
};
#undef REC

/* ---------------------------------------------------------------- institution */

#define REC fg_institution_t
static const fg_field_t institution_fields[] = {
    ID(fixmedins_code, FG_ID_INSTITUTION, REQ, M_FIXMEDINS, EX_INST),
    STR(fixmedins_name, 0, "定点医药机构名称 — institution name", "长沙市第一医院"),
    ENUM(fixmedins_type, "1|2", 0, "定点医药机构类型 — 1 medical institution, 2 retail pharmacy",
         "1"),
    STR(hosp_lv, 0, M_HOSP_LV, "3"),
    ID(admdvs, FG_ID_REGION, 0, "所属区划 — region of the institution (6 digits)", "430102"),
};
#undef REC

/* ---------------------------------------------------------------- staff */

#define REC fg_staff_t
static const fg_field_t staff_fields[] = {
    ID(staff_code, FG_ID_STAFF, REQ,
       "医保相关人员代码 — staff code: D doctor, N nurse, Y pharmacist + 12 digits", EX_DOCTOR),
    STR(staff_name, 0, "姓名 — name", "李四"),
    IDCARD_NOMASK(M_CERTNO, "430121197808240031"),
    HASH(certno_hash, 0, M_CERTNO_HASH, EX_HASH),
    ENUM(role, "doctor|nurse|technician|pharmacist|reviewer|principal", 0,
         "角色 — role (points follow the person, SPEC §7)", "doctor"),
    ID(fixmedins_code, FG_ID_INSTITUTION, 0, "执业机构 — institution of practice", EX_INST),
    STR(dept_codg, 0, "科室编码 — department code", "A03.01"),
};
#undef REC

/* ---------------------------------------------------------------- reference feeds */

#define REC fg_death_t
static const fg_field_t death_fields[] = {
    STR(psn_no, 0, M_PSN_NO " (this or certno)", EX_PSN),
    IDCARD_NOMASK(M_CERTNO, "430102195511110043"),
    HASH(certno_hash, 0, M_CERTNO_HASH, EX_HASH),
    DATE(die_date, REQ, "死亡日期 — date of death", "2025-03-14"),
    STR(source, 0, "来源 — source: 民政, 公安, 卫健, 殡葬 … (as given)", "民政"),
};
#undef REC

#define REC fg_injury_t
static const fg_field_t injury_fields[] = {
    STR(psn_no, REQ, M_PSN_NO, EX_PSN),
    ENUM(kind, "traffic|work", REQ, "类别 — traffic accident or work injury", "traffic"),
    DATE(injury_date, REQ, "受伤日期 — date of the injury", "2025-06-02"),
    STR(record_no, 0,
        "事故认定书 / 工伤认定书编号 — accident report or work-injury decision number",
        "湘公交认字[2025]第0012号"),
    ID(region, FG_ID_REGION, 0, "区划 — region of the record", "430102"),
};
#undef REC

#define REC fg_invoice_t
static const fg_field_t invoice_fields[] = {
    STR(invono, REQ, "票据号码 — electronic invoice number", "4301022500001234"),
    STR(setl_id, 0, M_SETL_ID, EX_SETL),
    STR(psn_no, 0, M_PSN_NO, EX_PSN),
    ID(fixmedins_code, FG_ID_INSTITUTION, 0, M_FIXMEDINS, EX_INST),
    DATE(invoice_date, 0, "开票日期 — invoice date", "2025-07-01"),
    MONEY(amount, REQ | NONNEG, "票据金额 — amount of the invoice (yuan, 2 decimals)", "356.40"),
};
#undef REC

#define REC fg_suspension_t
static const fg_field_t suspension_fields[] = {
    ENUM(subject_type, "staff|institution", REQ, "对象类型 — a staff member or an institution",
         "staff"),
    STR(subject_code, REQ, "对象编码 — staff_code or fixmedins_code", EX_DOCTOR),
    ENUM(action, "suspend|terminate", REQ,
         "处理 — suspend (暂停) or terminate (终止) payment qualification / agreement", "suspend"),
    DATE(begin_date, REQ, "开始日期 — first day in force", "2025-04-01"),
    DATE(end_date, 0, "结束日期 — last day in force, empty when open-ended", "2025-06-30"),
    STR(reason, 0, "原因 — reason", "记分达到9分"),
};
#undef REC

#define REC fg_catalogue_item_t
static const fg_field_t catalogue_fields[] = {
    ID(med_list_codg, FG_ID_MED_LIST, REQ, M_LIST_CODG, EX_DRUG),
    STR(name, 0, "名称 — name of the drug, item or consumable", "阿莫西林胶囊"),
    STR(list_type, 0,
        "目录类别 — 101 西药中成药, 102 中药饮片, 103 医疗机构制剂, 104 民族药, 201 医疗服务项目, 301 医用耗材 (as given)",
        "101"),
    ENUM(chrgitm_lv, "01|02|03", 0, "收费项目等级 — 01 甲类, 02 乙类, 03 丙类 (self-paid)", "01"),
    MONEY(pric, NONNEG, "单价 — usual price per unit sold (per pack for drugs)", "12.50"),
    MONEY(pric_uplmt_amt, NONNEG, "定价上限金额 — price cap, 0 = none", "15.00"),
    INT(pack_units, 1, 1000000, 0, "包装数量 — smallest units per pack (tablets, vials)", "24"),
    INT(daily_dose, 1, 1000000, 0,
        "日剂量 — usual daily dose in smallest units (tablets a day); days' supply = cnt × pack_units ÷ daily_dose",
        "2"),
    INT(minutes, 1, 1440, 0,
        "单次时长 — minutes one unit of a timed service takes a doctor, nurse or therapist (针灸, 推拿, 康复训练); empty when not timed",
        "30"),
    FLAG(trace_required, 0, "追溯码必传 — 1 when a sale needs a trace code", "1"),
};
#undef REC

/* ---------------------------------------------------------------- visit (mdtrt_d, mdtrtinfo) */

#define REC fg_visit_t
static const fg_field_t visit_fields[] = {
    STR(mdtrt_id, REQ, M_MDTRT_ID, EX_MDTRT),
    STR(psn_no, REQ, M_PSN_NO, EX_PSN),
    ID(fixmedins_code, FG_ID_INSTITUTION, REQ_CSV, M_FIXMEDINS, EX_INST),
    STR(hosp_lv, 0, M_HOSP_LV, "3"),
    STR(med_type, 0, M_MED_TYPE, "21"),
    STR(insutype, 0, M_INSUTYPE, "310"),
    ENUM(gend, "0|1|2|9", 0, M_GEND, "1"),
    DATE(brdy, 0, M_BRDY, "1990-03-07"),
    INT(age, 0, 150, 0, "年龄 — age in years (a fraction is dropped)", "35"),
    TIME(begntime, REQ_CSV, "开始时间 — start of the visit / admission", "2025-07-01 08:30:00"),
    TIME(endtime, 0, "结束时间 — end of the visit / discharge", "2025-07-08 10:00:00"),
    ID(dscg_maindiag_code, FG_ID_ICD10, 0,
       "出院主诊断代码 — main discharge diagnosis (ICD-10 医保版)", "I10.x00"),
    ID(chfpdr_code, FG_ID_STAFF, 0, "主诊医师代码 — attending doctor's code", EX_DOCTOR),
    ID(insu_admdvs, FG_ID_REGION, 0, M_ADMDVS, "430102"),
    INT(ipt_days, 0, 36500, 0, "住院天数 — days of the inpatient stay", "7"),
    DATE(die_date, 0, "死亡日期 — date of death", "2025-07-08"),
    IDCARD(certno_masked, M_CERTNO, EX_CERTNO),
    HASH(certno_hash, 0, M_CERTNO_HASH, EX_HASH),
    STR(certno_masked, 0, M_CERTNO_MASK, EX_MASK),
    ENUM(vali_flag, "0|1", 0, M_VALI, "1"),
};
#undef REC

/* ---------------------------------------------------------------- diagnosis, operation */

#define REC fg_diagnosis_t
static const fg_field_t diagnosis_fields[] = {
    STR(setl_id, REQ_CSV, M_SETL_ID, EX_SETL),
    STR(mdtrt_id, REQ_CSV, M_MDTRT_ID, EX_MDTRT),
    STR(psn_no, 0, M_PSN_NO, EX_PSN),
    ENUM(diag_type, "1|2|3", 0, "诊断类别 — 1 西医, 2 中医主病, 3 中医主证", "1"),
    FLAG(maindiag_flag, 0, "主诊断标志 — 1 main diagnosis", "1"),
    ID(diag_code, FG_ID_ICD10, REQ, "诊断代码 — diagnosis code (ICD-10 医保版 2.0)", "I10.x00"),
    STR(diag_name, 0, "诊断名称 — diagnosis name", "高血压"),
    ENUM(vali_flag, "0|1", 0, M_VALI, "1"),
};
#undef REC

#define REC fg_operation_t
static const fg_field_t operation_fields[] = {
    STR(setl_id, REQ_CSV, M_SETL_ID, EX_SETL),
    STR(mdtrt_id, 0, M_MDTRT_ID, EX_MDTRT),
    STR(psn_no, 0, M_PSN_NO, EX_PSN),
    FLAG(main_oprn_flag, 0, "主手术操作标志 — 1 main operation", "1"),
    STR(oprn_oprt_code, REQ, "手术操作代码 — operation code (ICD-9-CM-3 医保版)", "47.0100"),
    STR(oprn_oprt_name, 0, "手术操作名称 — operation name", "腹腔镜下阑尾切除术"),
    TIME(oprn_oprt_date, 0, "手术操作日期 — date (and time) of the operation",
         "2025-07-02 09:00:00"),
    ID(oper_dr_code, FG_ID_STAFF, 0, "术者医师代码 — operating doctor's code", EX_DOCTOR),
    ENUM(vali_flag, "0|1", 0, M_VALI, "1"),
};
#undef REC

/* ---------------------------------------------------------------- settlement */

#define REC fg_settlement_t
static const fg_field_t settlement_fields[] = {
    STR(setl_id, REQ_CSV, M_SETL_ID, EX_SETL),
    STR(mdtrt_id, REQ, M_MDTRT_ID, EX_MDTRT),
    STR(psn_no, REQ, M_PSN_NO, EX_PSN),
    ID(fixmedins_code, FG_ID_INSTITUTION, REQ_CSV, M_FIXMEDINS, EX_INST),
    STR(hosp_lv, 0, M_HOSP_LV, "3"),
    STR(med_type, 0, M_MED_TYPE, "21"),
    STR(insutype, 0, M_INSUTYPE, "310"),
    ENUM(gend, "0|1|2|9", 0, M_GEND, "1"),
    DATE(brdy, 0, M_BRDY, "1990-03-07"),
    IDCARD(certno_masked, M_CERTNO, EX_CERTNO),
    HASH(certno_hash, 0, M_CERTNO_HASH, EX_HASH),
    STR(certno_masked, 0, M_CERTNO_MASK, EX_MASK),
    DATE(begndate, 0, "开始日期 — first day of the visit", "2025-07-01"),
    DATE(enddate, 0, "结束日期 — last day of the visit", "2025-07-08"),
    TIME(setl_time, REQ_CSV, "结算时间 — settlement time", "2025-07-08 10:20:00"),
    MONEY(medfee_sumamt, REQ | REFUND, "医疗费总额 — total medical cost", "8650.40"),
    MONEY(fulamt_ownpay_amt, REFUND, "全自费金额 — fully self-paid amount", "120.00"),
    MONEY(overlmt_selfpay, REFUND, "超限价自费费用 — self-paid above price caps", "0.00"),
    MONEY(preselfpay_amt, REFUND, "先行自付金额 — self-paid first part (乙类)", "310.50"),
    MONEYA(inscp_amt, "inscp_scp_amt", REFUND, "符合政策范围金额 — amount within the policy scope",
           "8219.90"),
    MONEY(hifp_pay, REFUND, "统筹基金支出 — pooled fund payment", "6100.00"),
    MONEY(fund_pay_sumamt, REFUND, "基金支付总额 — total fund payment", "6400.00"),
    MONEYA(psn_pay, "psn_part_amt", REFUND, "个人负担总金额 — person's share", "2250.40"),
    MONEY(acct_pay, REFUND, "个人账户支出 — personal account payment", "1000.00"),
    MONEYA(cash_payamt, "psn_cash_pay", REFUND, "现金支付金额 — cash payment", "1250.40"),
    FLAG(refd_setl_flag, 0, "退费结算标志 — 1 a refund settlement (reverses init_setl_id)", "0"),
    STR(init_setl_id, 0, "原结算ID — the settlement a refund reverses", EX_SETL),
    STR(invono, 0, "发票号 — invoice number", "4301022500001234"),
    ID(insu_admdvs, FG_ID_REGION, 0, M_ADMDVS, "430102"),
    ENUM(vali_flag, "0|1", 0, M_VALI, "1"),
};
#undef REC

/* ---------------------------------------------------------------- fee line */

#define REC fg_fee_line_t
static const fg_field_t fee_line_fields[] = {
    STRA(feedetl_sn, "bkkp_sn", REQ,
         "费用明细流水号 — fee line serial number (记账流水号 bkkp_sn in fee_list_d)",
         "F2025070100000001"),
    STR(mdtrt_id, REQ, M_MDTRT_ID, EX_MDTRT),
    STR(setl_id, REQ_CSV, M_SETL_ID, EX_SETL),
    STR(psn_no, REQ, M_PSN_NO, EX_PSN),
    ID(fixmedins_code, FG_ID_INSTITUTION, REQ_CSV, M_FIXMEDINS, EX_INST),
    STR(med_type, 0, M_MED_TYPE, "11"),
    TIME(fee_ocur_time, REQ, "费用发生时间 — time the cost arose", "2025-07-01 09:12:00"),
    ID(med_list_codg, FG_ID_MED_LIST, REQ, M_LIST_CODG, EX_DRUG),
    STR(medins_list_codg, 0, "医药机构目录编码 — the institution's own catalogue code", "YP000123"),
    STR(hilist_code, 0, "医保目录编码 — insurance catalogue code", EX_DRUG),
    STR(list_type, 0,
        "目录类别 — 101 西药中成药, 102 中药饮片, 103 医疗机构制剂, 104 民族药, 201 医疗服务项目, 301 医用耗材 (as given)",
        "101"),
    STR(med_chrgitm_type, 0,
        "医疗收费项目类别 — charge category: 01 床位费 … 09 西药费 … (as given)", "09"),
    ENUM(chrgitm_lv, "01|02|03", 0, "收费项目等级 — 01 甲类, 02 乙类, 03 丙类 (self-paid)", "01"),
    QTY(cnt, REQ | REFUND, "数量 — quantity (negative on a refund line), up to 4 decimals", "2"),
    MONEY(pric, REQ | NONNEG, "单价 — unit price", "12.50"),
    MONEY(det_item_fee_sumamt, REQ | REFUND,
          "明细项目费用总额 — amount of the line (negative on a refund)", "25.00"),
    MONEY(pric_uplmt_amt, NONNEG, "定价上限金额 — price cap, 0 = none", "15.00"),
    MONEY(fulamt_ownpay_amt, REFUND, "全自费金额 — fully self-paid part", "0.00"),
    MONEY(inscp_amt, REFUND, "符合政策范围金额 — part within the policy scope", "25.00"),
    IDA(bilg_dr_codg, "bilg_dr_code", FG_ID_STAFF, 0,
        "开单医生编码 — prescribing doctor's code (bilg_dr_code in fee_list_d)", EX_DOCTOR),
    STR(bilg_dept_codg, 0, "开单科室编码 — prescribing department code", "A03.01"),
    STR(init_feedetl_sn, 0, "原费用流水号 — the fee line a refund line reverses",
        "F2025070100000001"),
    INT(prd_days, 0, 3650, 0, "周期天数 — days the prescription covers", "7"),
    STR(used_frqu_dscr, 0, "使用频次描述 — frequency, e.g. tid", "tid"),
    STR(hosp_appr_flag, 0, "医院审批标志 — hospital approval flag (as given)", "1"),
    STR(dise_codg, 0, "病种编码 — disease (special outpatient) code", "M03900"),
    ENUM(vali_flag, "0|1", 0, M_VALI, "1"),
};
#undef REC

/* ---------------------------------------------------------------- inventory event (3501–3507) */

#define REC fg_inv_event_t
#define ALT(nm, ty, m, T, mean, ex)                                                                \
    ENTRY(nm, NULL, ty, -1, m, T, FG_FIELD_ALT | FG_FIELD_NOCSV, NULL, 0, 0, 0, mean, ex)
#define NOCSV FG_FIELD_NOCSV
static const fg_field_t inv_event_fields[] = {
    ID(fixmedins_code, FG_ID_INSTITUTION, NOCSV, M_FIXMEDINS " (from the envelope when absent)",
       "P43010200007"),
    ID(med_list_codg, FG_ID_MED_LIST, NOCSV, M_LIST_CODG " (required except in 3507)", EX_DRUG),
    STR(fixmedins_hilist_id, NOCSV, "定点医药机构目录编号 — the institution's own catalogue id",
        "YP000123"),
    STR(fixmedins_hilist_name, NOCSV, "定点医药机构目录名称 — the institution's name for it",
        "阿莫西林胶囊"),
    STR(fixmedins_bchno, NOCSV, "定点医药机构批次流水号 — the institution's batch serial",
        "B20250701001"),
    ENTRY("sel_retn_time", NULL, FG_F_TIME, -1, time, fg_time_t, NOCSV, NULL, 0, 0, 0,
          "销售/退货时间 — time of the event (3505/3506; see the other keys below)",
          "2025-07-01 09:15:00"),
    ALT("purc_retn_stoin_time", FG_F_TIME, time, fg_time_t, "采购/退货入库时间 — 3503/3504 time",
        "2025-06-20 14:00:00"),
    ALT("inv_chg_time", FG_F_TIME, time, fg_time_t, "库存变更时间 — 3502 time",
        "2025-06-21 10:00:00"),
    ALT("invdate", FG_F_TIME, time, fg_time_t, "盘存日期 — 3501 date", "2025-06-30"),
    ENTRY("sel_retn_cnt", NULL, FG_F_QTY, -1, cnt, fg_qty_t, NOCSV | NONNEG, NULL, 0, 0, 0,
          "销售/退货数量 — quantity in smallest units (3505/3506; see the other keys below)", "24"),
    ALT("purc_retn_cnt", FG_F_QTY, cnt, fg_qty_t, "采购/退货数量 — 3503/3504 quantity", "240"),
    ALT("inv_cnt", FG_F_QTY, cnt, fg_qty_t, "库存数量 — 3501 quantity", "480"),
    ALT("invcnt", FG_F_QTY, cnt, fg_qty_t, "库存数量 — 3501 quantity (other spelling)", "480"),
    ALT("cnt", FG_F_QTY, cnt, fg_qty_t, "数量 — 3502 quantity", "24"),
    ENTRY("finl_trns_pric", NULL, FG_F_MONEY, -1, price, fg_fen_t, NOCSV | NONNEG, NULL, 0, 0, 0,
          "最终成交单价 — final unit price", "12.50"),
    ALT("pric", FG_F_MONEY, price, fg_fen_t, "单价 — 3502 price", "12.50"),
    FLAG(trdn_flag, NOCSV, "拆零标志 — 1 split sale: part of a pack", "0"),
    FLAG(rx_flag, NOCSV, "处方药标志 — 1 prescription drug", "1"),
    STR(setl_id, NOCSV, M_SETL_ID, EX_SETL),
    STR(mdtrt_sn, NOCSV, "就医流水号 — visit serial", "MS2025070100001"),
    STR(psn_no, NOCSV, M_PSN_NO, EX_PSN),
    STR(manu_lotnum, NOCSV, "生产批号 — manufacturer's lot number", "240512"),
    DATE(expy_end, NOCSV, "有效期止 — expiry date", "2027-05-11"),
    STR(spler_name, NOCSV, "供应商名称 — supplier", "国药控股湖南有限公司"),
};
#undef NOCSV
#undef ALT
#undef REC

#define REC fg_truth_t
static const fg_field_t truth_fields[] = {
    STR(scenario, REQ, "场景 — the injected scenario (docs/generator.md)", "trace_dup_same_inst"),
    STR(case_id, REQ, "案例编号 — case number within the file", "C000001"),
    STR(family, 0, "类别 — ledger, rule family or pattern the case belongs to", "ledger"),
    STR(kb_source, 0, "知识点来源 — the national table a rule case was built from", "gender_drug"),
    STR(psn_no, 0, "人员编号 — persons involved, ';'-separated", "4105250000040945"),
    STR(fixmedins_code, 0, "机构编码 — institutions involved, ';'-separated", EX_INST),
    STR(staff_code, 0, "人员代码 — the staff member involved", EX_DOCTOR),
    STR(setl_id, 0, "结算ID — settlements involved, ';'-separated", "S250000250275"),
    STR(mdtrt_id, 0, "就诊ID — visits involved, ';'-separated", "M250000247400"),
    STR(feedetl_sn, 0, "费用明细流水号 — the affected fee lines, ';'-separated", "F2500000878991"),
    STR(drug_trac_codg, 0, "追溯码 — the trace code involved", "86091918000000000551"),
    STR(med_list_codg, 0, M_LIST_CODG, EX_DRUG),
    INT(amount_fen, 0, INT32_MAX, REQ, "金额(分) — money the case took, integer fen", "2000"),
    TIME(occurred, 0, "发生时间 — when the offending act happened", "2025-01-17 15:24:00"),
    STR(detail, 0, "说明 — a sentence on the case",
        "trace code sold twice at the same institution"),
};
#undef REC

/* ---------------------------------------------------------------- record types */

#define RT(name, T, fields)                                                                        \
    {                                                                                              \
        name, sizeof(T), fields, FG_ARRAY_LEN(fields)                                              \
    }
static const fg_rectype_info_t rectypes[FG_REC__COUNT] = {
    [FG_REC_PERSON] = RT("person", fg_person_t, person_fields),
    [FG_REC_INSTITUTION] = RT("institution", fg_institution_t, institution_fields),
    [FG_REC_VISIT] = RT("visit", fg_visit_t, visit_fields),
    [FG_REC_DIAGNOSIS] = RT("diagnosis", fg_diagnosis_t, diagnosis_fields),
    [FG_REC_OPERATION] = RT("operation", fg_operation_t, operation_fields),
    [FG_REC_SETTLEMENT] = RT("settlement", fg_settlement_t, settlement_fields),
    [FG_REC_FEE_LINE] = RT("fee_line", fg_fee_line_t, fee_line_fields),
    [FG_REC_INV_EVENT] = RT("inv_event", fg_inv_event_t, inv_event_fields),
    [FG_REC_STAFF] = RT("staff", fg_staff_t, staff_fields),
    [FG_REC_DEATH] = RT("death", fg_death_t, death_fields),
    [FG_REC_INJURY] = RT("injury", fg_injury_t, injury_fields),
    [FG_REC_INVOICE] = RT("invoice", fg_invoice_t, invoice_fields),
    [FG_REC_SUSPENSION] = RT("suspension", fg_suspension_t, suspension_fields),
    [FG_REC_CATALOGUE] = RT("catalogue_item", fg_catalogue_item_t, catalogue_fields),
    [FG_REC_TRUTH] = RT("truth_case", fg_truth_t, truth_fields),
};

const fg_rectype_info_t *fg_rectype_info(fg_rectype_t t)
{
    if ((int)t < 0 || t >= FG_REC__COUNT)
        return NULL;
    return &rectypes[t];
}

const fg_field_t *fg_field_find(fg_rectype_t t, const char *name)
{
    const fg_rectype_info_t *info = fg_rectype_info(t);
    if (info == NULL || name == NULL)
        return NULL;
    for (size_t i = 0; i < info->nfields; i++) {
        const fg_field_t *f = &info->fields[i];
        if (strcmp(f->name, name) == 0 || (f->alias != NULL && strcmp(f->alias, name) == 0))
            return f;
    }
    return NULL;
}

/* ---------------------------------------------------------------- signs */

int fg_record_is_refund(fg_rectype_t t, const void *rec)
{
    if (rec == NULL)
        return 0;
    if (t == FG_REC_SETTLEMENT)
        return ((const fg_settlement_t *)rec)->refd_setl_flag == 1;
    if (t == FG_REC_FEE_LINE)
        return ((const fg_fee_line_t *)rec)->init_feedetl_sn[0] != '\0';
    return 0;
}

/*
 * A refund or return is the only place of a negative amount or count (the national interfaces):
 * a refund settlement (refd_setl_flag 1) and a fee line that reverses an earlier one
 * (init_feedetl_sn) carry negative amounts and counts; prices never are; purchase and sale returns
 * (3504, 3506) report positive counts of what goes back, as every inventory interface does.
 */
int fg_field_sign_check(const fg_field_t *f, const void *rec, int refund, fg_error_t *err)
{
    if ((f->flags & (FG_FIELD_NONNEG | FG_FIELD_REFUND)) == 0 ||
        (f->type != FG_F_MONEY && f->type != FG_F_QTY))
        return 0;
    int64_t v;
    memcpy(&v, (const char *)rec + f->offset, sizeof(v));
    if (v >= 0 || ((f->flags & FG_FIELD_REFUND) != 0 && refund))
        return 0;
    char text[FG__FIELD_TEXT];
    const char *s = NULL;
    size_t n = 0;
    fg__field_text(f, rec, text, &s, &n);
    fg_error_clear(err);
    if (f->flags & FG_FIELD_REFUND)
        return fg_error_set(err, FG_E_NEGATIVE, f->name, 0,
                            "%s is %.*s: negative only on a refund (refd_setl_flag 1 on a "
                            "settlement, init_feedetl_sn naming the fee line it reverses)",
                            f->name, (int)n, s);
    return fg_error_set(err, FG_E_NEGATIVE, f->name, 0,
                        "%s is %.*s: never negative (a return is a positive count under its "
                        "own interface, 3504 or 3506)",
                        f->name, (int)n, s);
}

const char *fg__ftype_name(fg_ftype_t t)
{
    static const char *const names[] = {
        [FG_F_STR] = "text",           [FG_F_ID] = "code",        [FG_F_MONEY] = "money",
        [FG_F_QTY] = "quantity",       [FG_F_TIME] = "time",      [FG_F_DATE] = "date",
        [FG_F_INT32] = "integer",      [FG_F_FLAG] = "flag",      [FG_F_ENUM] = "code table",
        [FG_F_IDCARD] = "resident ID", [FG_F_HASH] = "pseudonym",
    };
    if ((int)t < 0 || (size_t)t >= FG_ARRAY_LEN(names))
        return "?";
    return names[t];
}

/* ---------------------------------------------------------------- clearing */

void fg_record_clear(fg_rectype_t t, void *rec)
{
    const fg_rectype_info_t *info = fg_rectype_info(t);
    if (info == NULL || rec == NULL)
        return;
    memset(rec, 0, info->size);
    for (size_t i = 0; i < info->nfields; i++) {
        const fg_field_t *f = &info->fields[i];
        char *p = (char *)rec + f->offset;
        switch (f->type) {
        case FG_F_TIME: {
            fg_time_t none = FG_TIME_NONE;
            memcpy(p, &none, sizeof(none));
            break;
        }
        case FG_F_DATE: {
            fg_date_t none = FG_DATE_NONE;
            memcpy(p, &none, sizeof(none));
            break;
        }
        case FG_F_INT32: {
            int32_t none = -1;
            memcpy(p, &none, sizeof(none));
            break;
        }
        default:
            break;
        }
    }
}

/* ---------------------------------------------------------------- text checks */

/* Whether the 8 bytes of w hold a zero byte (the classic bit trick). */
#define HAS_ZERO_BYTE(w) ((((w)-0x0101010101010101ULL) & ~(w)&0x8080808080808080ULL) != 0)

/* Whether s[0..n) holds a NUL byte, eight bytes a step. */
static int has_nul(const char *s, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (HAS_ZERO_BYTE(w))
            return 1;
    }
    for (; i < n; i++)
        if (s[i] == '\0')
            return 1;
    return 0;
}

/*
 * The length of the valid UTF-8 prefix (RFC 3629: no overlong forms, no surrogates, nothing above
 * U+10FFFF); a NUL byte ends it too. ASCII runs are skipped eight bytes at a time: fee_list_d is
 * mostly ASCII.
 */
size_t fg__utf8_valid_prefix(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        if (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, u + i, 8);
            if ((w & 0x8080808080808080ULL) == 0 && !HAS_ZERO_BYTE(w)) {
                i += 8;
                continue;
            }
        }
        unsigned c = u[i];
        if (c == 0)
            return i; /* a NUL byte: we keep NUL-terminated strings */
        if (c < 0x80) {
            i++;
            continue;
        }
        unsigned lo;
        unsigned hi;
        size_t len = fg_utf8_lead(c, &lo, &hi);
        if (len == 0)
            return i;
        if (i + len > n)
            return i;
        if (u[i + 1] < lo || u[i + 1] > hi)
            return i;
        for (size_t k = 2; k < len; k++)
            if (u[i + k] < 0x80 || u[i + k] > 0xBF)
                return i;
        i += len;
    }
    return n;
}

char *fg__quote_value(char *out, size_t cap, const char *s, size_t n, int mask)
{
    const size_t max = 40;
    size_t o = 0;
    size_t i = 0;
    int cut = 0;
    if (cap < 8) {
        if (cap > 0)
            out[0] = '\0';
        return out;
    }
    if (mask) {
        /* The first and last four characters of a value long enough to be an ID, '*' for the
         * rest; a short (malformed) one entirely hidden. Only ASCII digits and letters show. */
        size_t len = n > 24 ? 24 : n;
        size_t shown = (n >= 15 && n <= 24) ? 4 : 0;
        for (i = 0; i < len && o + 1 < cap; i++) {
            char c = s[i];
            int alnum = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
            out[o++] = (alnum && (i < shown || len - 1 - i < shown)) ? c : '*';
        }
        out[o] = '\0';
        return out;
    }
    while (i < n) {
        size_t ok = fg__utf8_valid_prefix(s + i, n - i > 4 ? 4 : n - i);
        size_t len = 1;
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80 && ok > 0) {
            len = (c >= 0xF0) ? 4 : (c >= 0xE0) ? 3 : 2;
            if (len > ok)
                len = 1;
        }
        if (o + len + 4 >= cap || i >= max) {
            cut = 1;
            break;
        }
        if (len == 1 && (c < 0x20 || c == 0x7F || c >= 0x80 || ok == 0)) {
            out[o++] = '?';
        } else {
            memcpy(out + o, s + i, len);
            o += len;
        }
        i += len;
    }
    if (cut && o + 4 < cap) {
        memcpy(out + o, "\xE2\x80\xA6", 3); /* … */
        o += 3;
    }
    out[o] = '\0';
    return out;
}

/* ---------------------------------------------------------------- setting a field */

/* Fill err for field f: the message names the value (masked for resident IDs). */
static int field_error(const fg_field_t *f, fg_error_t *err, int code, size_t pos, const char *s,
                       size_t n, const char *what)
{
    char q[96];
    fg__quote_value(q, sizeof(q), s, n, f->type == FG_F_IDCARD);
    return fg_error_set(err, code, f->name, pos, "'%s' %s", q, what);
}

/* A sub-parser (money, time, codes) filled err: keep its message when it names the value, else
 * put the value in front; set where to the field. Never used for resident IDs. */
static int sub_error(const fg_field_t *f, fg_error_t *err, int rc, const char *s, size_t n)
{
    if (err == NULL)
        return rc;
    char q[96];
    fg__quote_value(q, sizeof(q), s, n, 0);
    size_t ql = strlen(q);
    if (ql > 12)
        ql = 12;
    char head[16];
    memcpy(head, q, ql);
    head[ql] = '\0';
    if (err->msg[0] == '\0' || strstr(err->msg, head) == NULL) {
        char msg[sizeof(err->msg)];
        memcpy(msg, err->msg, sizeof(msg));
        fg_error_set(err, rc, f->name, err->pos, "'%s': %s", q,
                     msg[0] != '\0' ? msg : fg_strerror(rc));
    } else {
        err->code = rc;
        snprintf(err->where, sizeof(err->where), "%s", f->name);
    }
    return rc;
}

/* Text into a string member. `trusted`: s is known to be valid UTF-8 (the CSV reader checked the
 * whole row), so only a NUL byte is looked for. */
static int set_text(const fg_field_t *f, char *p, const char *s, size_t n, fg_error_t *err,
                    int trusted)
{
    if (n >= f->size) {
        char what[64];
        snprintf(what, sizeof(what), "has %zu bytes, more than the %zu allowed", n, f->size - 1);
        return field_error(f, err, FG_E_TOO_LONG, f->size, s, n, what);
    }
    size_t ok =
        trusted ? (has_nul(s, n) ? fg__utf8_valid_prefix(s, n) : n) : fg__utf8_valid_prefix(s, n);
    if (ok != n)
        return field_error(f, err, FG_E_UTF8, ok + 1, s, n,
                           s[ok] == '\0' ? "holds a NUL character" : "is not valid UTF-8 text");
    memcpy(p, s, n);
    p[n] = '\0';
    return 0;
}

static int in_values(const char *values, const char *s, size_t n)
{
    const char *v = values;
    for (;;) {
        size_t k = 0;
        while (k < n && v[k] == s[k])
            k++;
        if (k == n && (v[k] == '|' || v[k] == '\0'))
            return 1;
        while (*v != '|' && *v != '\0')
            v++;
        if (*v == '\0')
            return 0;
        v++;
    }
}

static int set_int32(const fg_field_t *f, char *p, const char *s, size_t n, fg_error_t *err)
{
    /* A decimal fraction is dropped: extraction files write age as 45.0 or 45.5. */
    size_t whole = 0;
    while (whole < n && s[whole] != '.')
        whole++;
    if (whole < n) {
        for (size_t i = whole + 1; i < n; i++)
            if (s[i] < '0' || s[i] > '9')
                return field_error(f, err, FG_E_INTEGER, i + 1, s, n, "is not a whole number");
        if (whole + 1 == n)
            return field_error(f, err, FG_E_INTEGER, n, s, n, "is not a whole number");
    }
    int64_t v;
    int rc = fg_int_parse(s, whole, &v, err);
    if (rc != 0)
        return field_error(f, err, rc, err != NULL ? err->pos : 0, s, n, "is not a whole number");
    if (v < f->min || v > f->max) {
        char what[80];
        snprintf(what, sizeof(what), "is out of range: from %lld to %lld", (long long)f->min,
                 (long long)f->max);
        return field_error(f, err, FG_E_RANGE, 0, s, n, what);
    }
    int32_t v32 = (int32_t)v;
    memcpy(p, &v32, sizeof(v32));
    return 0;
}

static int set_idcard(const fg_field_t *f, void *rec, const char *s, size_t n, fg_error_t *err,
                      int hash_it)
{
    fg_idcard_t id;
    fg_error_t sub;
    int rc = fg_idcard_parse(s, n, &id, &sub);
    if (rc != 0) {
        /* The sub-parser's message may quote the number: use the code's own words only. */
        char what[128];
        snprintf(what, sizeof(what), "is not a valid resident ID: %s", fg_strerror(rc));
        field_error(f, err, rc, sub.pos, s, n, what);
        explicit_bzero(&sub, sizeof(sub));
        return rc;
    }
    char *hash = (char *)rec + f->offset;
    if (hash_it)
        fg_idcard_pseudonym(&id, fg_model_pseudonym_key(), hash);
    if (f->aux != 0) {
        char *masked = (char *)rec + f->aux;
        memcpy(masked, id.masked, sizeof(id.masked));
        masked[sizeof(id.masked) - 1] = '\0';
    }
    explicit_bzero(&id, sizeof(id));
    return 0;
}

static int set_hash(const fg_field_t *f, char *p, const char *s, size_t n, fg_error_t *err)
{
    if (n != 64 || f->size < 65)
        return field_error(f, err, FG_E_TYPE, 0, s, n, "is not a pseudonym of 64 hex digits");
    for (size_t i = 0; i < 64; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'F')
            c = (char)(c - 'A' + 'a');
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return field_error(f, err, FG_E_TYPE, i + 1, s, n,
                               "is not a pseudonym of 64 hex digits");
        p[i] = c;
    }
    p[64] = '\0';
    return 0;
}

/* field_set's mode: bit 0 the text is known valid UTF-8; SET_NO_PSEUDONYM a resident ID is
 * checked (and masked) but its keyed pseudonym not computed (fg_table_skip_pseudonyms). */
#define SET_NO_PSEUDONYM 2

static int field_set(const fg_field_t *f, void *rec, const char *s, size_t n, fg_error_t *err,
                     int trusted)
{
    char *p = (char *)rec + f->offset;
    int rc;
    if (n == 0)
        return 0;
    switch (f->type) {
    case FG_F_STR:
        return set_text(f, p, s, n, err, trusted & 1);
    case FG_F_ID: {
        char norm[FG_ID_NORM_MAX];
        if (n > 4 * FG_ID_NORM_MAX) {
            char what[64];
            snprintf(what, sizeof(what), "has %zu bytes, more than a code can have", n);
            return field_error(f, err, FG_E_TOO_LONG, 0, s, n, what);
        }
        rc = fg_id_check((fg_id_kind_t)f->id_kind, s, n, norm, sizeof(norm), err);
        if (rc != 0)
            return sub_error(f, err, rc, s, n);
        size_t len = strlen(norm);
        if (len >= f->size) {
            char what[64];
            snprintf(what, sizeof(what), "has %zu characters, more than the %zu allowed", len,
                     f->size - 1);
            return field_error(f, err, FG_E_TOO_LONG, 0, s, n, what);
        }
        memcpy(p, norm, len + 1);
        return 0;
    }
    case FG_F_MONEY: {
        fg_fen_t v;
        rc = fg_money_parse(s, n, &v, err);
        if (rc != 0)
            return sub_error(f, err, rc, s, n);
        memcpy(p, &v, sizeof(v));
        return 0;
    }
    case FG_F_QTY: {
        fg_qty_t v;
        rc = fg_qty_parse(s, n, &v, err);
        if (rc != 0)
            return sub_error(f, err, rc, s, n);
        memcpy(p, &v, sizeof(v));
        return 0;
    }
    case FG_F_TIME: {
        fg_time_t v;
        rc = fg_time_parse(s, n, &v, err);
        if (rc != 0)
            return sub_error(f, err, rc, s, n);
        memcpy(p, &v, sizeof(v));
        return 0;
    }
    case FG_F_DATE: {
        fg_date_t v;
        if (n > FG_DATE_TEXTLEN) {
            fg_time_t t;
            rc = fg_time_parse(s, n, &t, err);
            if (rc == 0)
                v = fg_time_date(t);
        } else {
            rc = fg_date_parse(s, n, &v, err);
        }
        if (rc != 0)
            return sub_error(f, err, rc, s, n);
        memcpy(p, &v, sizeof(v));
        return 0;
    }
    case FG_F_INT32:
        return set_int32(f, p, s, n, err);
    case FG_F_FLAG: {
        if (n != 1 || (s[0] != '0' && s[0] != '1'))
            return field_error(f, err, FG_E_ENUM, 1, s, n, "is not a flag: 0 or 1");
        int v = s[0] - '0';
        memcpy(p, &v, sizeof(v));
        return 0;
    }
    case FG_F_ENUM:
        if (!in_values(f->values, s, n)) {
            char what[128];
            snprintf(what, sizeof(what), "is not one of the codes %s", f->values);
            return field_error(f, err, FG_E_ENUM, 0, s, n, what);
        }
        return set_text(f, p, s, n, err, 1); /* one of the (ASCII) codes */
    case FG_F_IDCARD:
        return set_idcard(f, rec, s, n, err, !(trusted & SET_NO_PSEUDONYM));
    case FG_F_HASH:
        return set_hash(f, p, s, n, err);
    }
    return fg_error_set(err, FG_EINTERNAL, f->name, 0, "unknown field type %d", (int)f->type);
}

int fg_field_set(const fg_field_t *f, void *rec, const char *s, size_t n, fg_error_t *err)
{
    return field_set(f, rec, s, n, err, 0);
}

int fg__field_set_utf8(const fg_field_t *f, void *rec, const char *s, size_t n, fg_error_t *err)
{
    return field_set(f, rec, s, n, err, 1);
}

int fg__field_set_utf8_nohash(const fg_field_t *f, void *rec, const char *s, size_t n,
                              fg_error_t *err)
{
    return field_set(f, rec, s, n, err, 1 | SET_NO_PSEUDONYM);
}

/* ---------------------------------------------------------------- reading a field back */

int fg__field_absent(const fg_field_t *f, const void *rec)
{
    const char *p = (const char *)rec + f->offset;
    switch (f->type) {
    case FG_F_STR:
    case FG_F_ID:
    case FG_F_ENUM:
    case FG_F_HASH:
        return p[0] == '\0';
    case FG_F_MONEY:
    case FG_F_QTY: {
        int64_t v;
        memcpy(&v, p, sizeof(v));
        return v == 0;
    }
    case FG_F_TIME: {
        fg_time_t v;
        memcpy(&v, p, sizeof(v));
        return v == FG_TIME_NONE;
    }
    case FG_F_DATE: {
        fg_date_t v;
        memcpy(&v, p, sizeof(v));
        return v == FG_DATE_NONE;
    }
    case FG_F_INT32: {
        int32_t v;
        memcpy(&v, p, sizeof(v));
        return v == -1;
    }
    case FG_F_FLAG:
        return 0;
    case FG_F_IDCARD:
        return 1;
    }
    return 1;
}

int fg__field_text(const fg_field_t *f, const void *rec, char tmp[FG__FIELD_TEXT], const char **s,
                   size_t *n)
{
    const char *p = (const char *)rec + f->offset;
    switch (f->type) {
    case FG_F_STR:
    case FG_F_ID:
    case FG_F_ENUM:
    case FG_F_HASH:
        *s = p;
        *n = strnlen(p, f->size);
        return *n > 0;
    case FG_F_MONEY: {
        fg_fen_t v;
        memcpy(&v, p, sizeof(v));
        *s = tmp;
        *n = fg_money_format(v, tmp);
        return 1;
    }
    case FG_F_QTY: {
        fg_qty_t v;
        memcpy(&v, p, sizeof(v));
        *s = tmp;
        *n = fg_qty_format(v, tmp);
        return 1;
    }
    case FG_F_TIME: {
        fg_time_t v;
        memcpy(&v, p, sizeof(v));
        if (v == FG_TIME_NONE)
            return 0;
        *s = tmp;
        *n = fg_time_format(v, tmp);
        return 1;
    }
    case FG_F_DATE: {
        fg_date_t v;
        memcpy(&v, p, sizeof(v));
        if (v == FG_DATE_NONE)
            return 0;
        *s = tmp;
        *n = fg_date_format(v, tmp);
        return 1;
    }
    case FG_F_INT32: {
        int32_t v;
        memcpy(&v, p, sizeof(v));
        if (v == -1)
            return 0;
        *s = tmp;
        *n = (size_t)snprintf(tmp, FG__FIELD_TEXT, "%d", (int)v);
        return 1;
    }
    case FG_F_FLAG: {
        int v;
        memcpy(&v, p, sizeof(v));
        tmp[0] = v ? '1' : '0';
        tmp[1] = '\0';
        *s = tmp;
        *n = 1;
        return 1;
    }
    case FG_F_IDCARD:
        return 0;
    }
    return 0;
}
