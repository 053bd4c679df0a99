/*
 * kbcat.c — the catalogue and the care templates.
 *
 * Drugs and service items are the real national codes of kb/nhsa (batches 1–8), taken from the
 * loaded knowledge base (fg_kb_t: the tables are parsed once, by src/kb): every code those tables
 * name, with its generic name and every limit the tables give it (sex, age, insurance type,
 * care setting, institution level, payment course, surgery group, frequency, period,
 * duplicate-charge pairs). The knowledge base lists only limited drugs, so everyday drugs
 * (amlodipine, metformin …), the outpatient consultation fee and consumables are added with codes
 * in the national shapes; these are marked synthetic in catalogue.csv (code_source). Price, price
 * cap, pack size, 甲/乙/丙 level and dosage form come from a hash of the code, so the catalogue is
 * the same for every seed.
 */
#include "core/compat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <sys/stat.h>

#include "fundguard/alloc.h"
#include "fundguard/hash.h"
#include "gen/gen_int.h"

/* ---------------------------------------------------------------- synthetic entries */

typedef struct syn_drug {
    const char *code;
    const char *name;
    uint8_t area;
    uint8_t form;
    uint16_t pack;
    int price_yuan10; /* price per pack in dimes */
    uint8_t lv;
} syn_drug_t;

/* Everyday drugs (not in the knowledge base): codes in the national shape, name block S1xx. */
static const syn_drug_t syn_drugs[] = {
    {"XJ01CAS101A001010110001", "阿莫西林胶囊", AR_RESP, FORM_TABLET, 24, 120, 1},
    {"XJ01DDS102A001010110002", "头孢克肟分散片", AR_RESP, FORM_TABLET, 12, 280, 2},
    {"XJ01FAS103A001010110003", "阿奇霉素片", AR_RESP, FORM_TABLET, 6, 180, 1},
    {"XJ01MAS104A001010110004", "左氧氟沙星片", AR_RESP, FORM_TABLET, 10, 150, 1},
    {"XR05CBS105A001010110005", "盐酸氨溴索片", AR_RESP, FORM_TABLET, 20, 90, 2},
    {"XR05DAS106A001010110006", "复方甘草片", AR_RESP, FORM_TABLET, 100, 80, 1},
    {"XR03BAS107C001010110007", "布地奈德吸入气雾剂", AR_RESP, FORM_DROPS, 1, 680, 2},
    {"XR03DCS108A001010110008", "孟鲁司特钠片", AR_RESP, FORM_TABLET, 5, 350, 2},
    {"XN02BES109A001010110009", "对乙酰氨基酚片", AR_PAIN, FORM_TABLET, 20, 40, 1},
    {"ZA01BAS1100101000010", "连花清瘟胶囊", AR_RESP, FORM_TABLET, 36, 260, 1},
    {"ZA04BAS1110101000011", "银黄颗粒", AR_RESP, FORM_GRANULE, 10, 180, 2},
    {"XC08CAS112A001010110012", "苯磺酸氨氯地平片", AR_CARDIO, FORM_TABLET, 28, 140, 1},
    {"XC08CAS113A002010110013", "硝苯地平控释片", AR_CARDIO, FORM_TABLET, 12, 300, 2},
    {"XC09CAS114A001010110014", "厄贝沙坦片", AR_CARDIO, FORM_TABLET, 28, 220, 2},
    {"XC09CAS115A001010110015", "缬沙坦胶囊", AR_CARDIO, FORM_TABLET, 28, 250, 2},
    {"XC07ABS116A001010110016", "酒石酸美托洛尔片", AR_CARDIO, FORM_TABLET, 20, 60, 1},
    {"XC10AAS117A001010110017", "阿托伐他汀钙片", AR_CARDIO, FORM_TABLET, 28, 180, 2},
    {"XC10AAS118A001010110018", "瑞舒伐他汀钙片", AR_CARDIO, FORM_TABLET, 28, 200, 2},
    {"XB01ACS119A001010110019", "阿司匹林肠溶片", AR_CARDIO, FORM_TABLET, 30, 120, 1},
    {"XB01ACS120A001010110020", "硫酸氢氯吡格雷片", AR_CARDIO, FORM_TABLET, 28, 450, 2},
    {"XC01DAS121A001010110021", "单硝酸异山梨酯缓释片", AR_CARDIO, FORM_TABLET, 24, 200, 2},
    {"ZA12BAS1220101000022", "复方丹参滴丸", AR_CARDIO, FORM_TABLET, 180, 280, 1},
    {"XA10BAS123A001010110023", "盐酸二甲双胍片", AR_DIAB, FORM_TABLET, 48, 100, 1},
    {"XA10BBS124A001010110024", "格列美脲片", AR_DIAB, FORM_TABLET, 30, 180, 2},
    {"XA10BFS125A001010110025", "阿卡波糖片", AR_DIAB, FORM_TABLET, 30, 350, 2},
    {"XA10ABS126B001010110026", "门冬胰岛素注射液", AR_DIAB, FORM_INJECTION, 1, 450, 2},
    {"XA02BCS127A001010110027", "奥美拉唑肠溶胶囊", AR_GI, FORM_TABLET, 14, 90, 1},
    {"XA02BCS128A001010110028", "雷贝拉唑钠肠溶片", AR_GI, FORM_TABLET, 7, 250, 2},
    {"XA07BCS129E001010110029", "蒙脱石散", AR_GI, FORM_GRANULE, 10, 120, 1},
    {"XA03FAS130A001010110030", "多潘立酮片", AR_GI, FORM_TABLET, 30, 120, 1},
    {"XA02ADS131A001010110031", "铝碳酸镁咀嚼片", AR_GI, FORM_TABLET, 20, 160, 2},
    {"ZA06BAS1320101000032", "藿香正气水", AR_GI, FORM_LIQUID, 10, 80, 1},
    {"XM01AES133A001010110033", "布洛芬缓释胶囊", AR_PAIN, FORM_TABLET, 20, 100, 1},
    {"XM01ABS134A001010110034", "双氯芬酸钠缓释片", AR_PAIN, FORM_TABLET, 20, 90, 1},
    {"XM01AHS135A001010110035", "塞来昔布胶囊", AR_PAIN, FORM_TABLET, 6, 300, 2},
    {"XM02AAS136D001010110036", "氟比洛芬凝胶贴膏", AR_PAIN, FORM_TOPICAL, 6, 480, 2},
    {"XB03BAS137A001010110037", "甲钴胺片", AR_NEURO, FORM_TABLET, 20, 220, 2},
    {"XC08CAS138A001010110038", "尼莫地平片", AR_NEURO, FORM_TABLET, 50, 150, 2},
    {"XB05XAS139B001010110039", "0.9%氯化钠注射液", AR_IV, FORM_INFUSION, 1, 30, 1},
    {"XB05BAS140B001010110040", "5%葡萄糖注射液", AR_IV, FORM_INFUSION, 1, 30, 1},
    {"XJ01DDS141B001010110041", "注射用头孢曲松钠", AR_ANTIBIO_IV, FORM_INJECTION, 10, 300, 1},
    {"XJ01DCS142B001010110042", "注射用头孢呋辛钠", AR_ANTIBIO_IV, FORM_INJECTION, 10, 400, 2},
    {"XA02BCS143B001010110043", "注射用奥美拉唑钠", AR_ANTIBIO_IV, FORM_INJECTION, 1, 120, 2},
    {"XN06ABS144A001010110044", "盐酸舍曲林片", AR_PSY, FORM_TABLET, 14, 400, 2},
    {"XN05CDS145A001010110045", "艾司唑仑片", AR_PSY, FORM_TABLET, 20, 50, 1},
    {"XS01AES146C001010110046", "左氧氟沙星滴眼液", AR_EYE, FORM_DROPS, 1, 150, 2},
    {"XS01XAS147C001010110047", "玻璃酸钠滴眼液", AR_EYE, FORM_DROPS, 1, 300, 2},
    {"XD07ABS148D001010110048", "丁酸氢化可的松乳膏", AR_SKIN, FORM_TOPICAL, 1, 120, 2},
    {"XD06AXS149D001010110049", "莫匹罗星软膏", AR_SKIN, FORM_TOPICAL, 1, 200, 2},
    {"XA12AXS150A001010110050", "碳酸钙D3片", AR_BONE, FORM_TABLET, 60, 300, 2},
    {"XM05BAS151A001010110051", "阿仑膦酸钠片", AR_BONE, FORM_TABLET, 4, 250, 2},
    {"XL01CDS152B001010110052", "注射用紫杉醇", AR_ONCO, FORM_INJECTION, 1, 8000, 2},
    {"XL01XAS153B001010110053", "顺铂注射液", AR_ONCO, FORM_INJECTION, 1, 250, 1},
    {"XG04CAS154A001010110054", "盐酸坦索罗辛缓释胶囊", AR_URO, FORM_TABLET, 10, 400, 2},
};

typedef struct syn_item {
    const char *code;
    const char *name;
    int price_yuan10;
    uint8_t lv;
    uint8_t chrg;
    uint8_t kind;
} syn_item_t;

/* The outpatient consultation fee (a real national code, not in the knowledge base) and the
 * consumables (C + 19 digits; the knowledge base holds none). */
static const syn_item_t syn_items[] = {
    {"001102000010000", "普通门诊诊查费", 150, 1, 2, CK_ITEM},
    {"C0201010010100100001", "一次性使用无菌注射器", 8, 1, 8, CK_CONS},
    {"C0201010020100100002", "一次性使用输液器", 30, 1, 8, CK_CONS},
    {"C0201020030100100003", "静脉留置针", 150, 2, 8, CK_CONS},
    {"C1401010040100100004", "医用脱脂纱布", 20, 1, 8, CK_CONS},
    {"C0301010050200100005", "可吸收性外科缝线", 1200, 2, 8, CK_CONS},
    {"C0305020060200100006", "一次性使用腹腔镜穿刺器", 8000, 2, 8, CK_CONS},
    {"C0201030070300100007", "冠状动脉药物洗脱支架系统", 7000, 2, 8, CK_CONS},
    {"C0702010080100100008", "心电电极", 10, 1, 8, CK_CONS},
    {"C0203010090100100009", "一次性使用导尿包", 250, 2, 8, CK_CONS},
    {"C1301010100300100010", "人工髋关节假体", 70000, 2, 8, CK_CONS},
    {"C1302010110200100011", "接骨板", 15000, 2, 8, CK_CONS},
    {"C0201010120100100012", "胰岛素注射笔用针头", 15, 3, 8, CK_CONS},
};

/* ---------------------------------------------------------------- care templates */

/* Item codes: every one is in kb/nhsa except 001102000010000 (above). */
#define I_GLU     "002503020010000"
#define I_HBA1C   "002503020030000"
#define I_K       "002503040010000"
#define I_NA      "002503040020000"
#define I_CL      "002503040030000"
#define I_CA      "002503040040000"
#define I_STOOL   "002501030010000"
#define I_URINE   "002501020030000"
#define I_XRAY    "002101010010100"
#define I_ECGMON  "003107010220000"
#define I_BPMON   "003107010210000"
#define I_SPO2    "003107010280000"
#define I_LUNGF   "003106010010000"
#define I_NIV     "003106030020000"
#define I_CPEP    "002503100410000"
#define I_INSUL   "002503100390000"
#define I_GASTRO  "003109020050000"
#define I_VAGSEC  "002501040140000"
#define I_PROSTF  "002501040130000"
#define I_HCG     "002501020210000"
#define I_FETAL   "003112010260000"
#define I_DIAL    "003110000060000"
#define I_REHABEV "003402000390000"
#define I_BALTR   "003402000240000"
#define I_HANDTR  "003402000250000"
#define I_ANGIO   "003205000010000"
#define I_STENT   "003205000030000"
#define I_APPEND  "003310030220000"
#define I_HERNIA  "003310080010000"
#define I_HEMOR   "003310040200100"
#define I_TONSIL  "003306100010000"
#define I_FRACRED "004200000010000"
#define I_SPLINT  "004200000070000"
#define I_THYR    "003303000080000"
#define I_GASTCA  "003310020050000"
#define I_COLCA   "003310030200000"
#define I_ANUSEX  "003109040040000"

/* clang-format off */
static const gen_dx_t dx_table[] = {
    /* code, name, group, where, sex, age_lo, age_hi, op areas, ip areas, los, chronic, injury, dept, weight,
     * op items, ip items, daily, surgery, oprn, consumables */
    {"J06.900", "急性上呼吸道感染", 1, DXW_OP | DXW_PH, 0, 0, 100, {AR_RESP, AR_PAIN, 0}, {0, 0, 0}, 0, 0, 0, DP_GENERAL, 300, NULL, NULL, NULL, NULL, NULL, NULL},
    {"J02.900", "急性咽炎", 1, DXW_OP | DXW_PH, 0, 3, 100, {AR_RESP, 0, 0}, {0, 0, 0}, 0, 0, 0, DP_ENT, 120, NULL, NULL, NULL, NULL, NULL, NULL},
    {"J20.900", "急性支气管炎", 1, DXW_OP | DXW_PH, 0, 0, 100, {AR_RESP, 0, 0}, {0, 0, 0}, 0, 0, 0, DP_MED, 120, I_XRAY, NULL, NULL, NULL, NULL, NULL},
    {"J18.900", "肺炎", 1, DXW_OP | DXW_IP, 0, 0, 100, {AR_RESP, 0, 0}, {AR_ANTIBIO_IV, AR_RESP, 0}, 7, 0, 0, DP_MED, 60, I_XRAY, I_XRAY ";" I_GLU ";" I_K ";" I_NA ";" I_CL ";" I_SPO2, I_SPO2, NULL, NULL, NULL},
    {"J44.900", "慢性阻塞性肺疾病", 2, DXW_OP | DXW_PH, 0, 45, 100, {AR_RESP, 0, 0}, {0, 0, 0}, 0, 1, 0, DP_MED, 40, I_LUNGF, NULL, NULL, NULL, NULL, NULL},
    {"J44.100", "慢性阻塞性肺疾病伴有急性加重", 2, DXW_IP, 0, 50, 100, {0, 0, 0}, {AR_ANTIBIO_IV, AR_RESP, 0}, 9, 0, 0, DP_MED, 40, NULL, I_XRAY ";" I_LUNGF ";" I_K ";" I_NA ";" I_GLU, I_NIV, NULL, NULL, NULL},
    {"J45.900", "哮喘", 2, DXW_OP | DXW_PH, 0, 5, 100, {AR_RESP, 0, 0}, {0, 0, 0}, 0, 0, 0, DP_MED, 30, I_LUNGF, NULL, NULL, NULL, NULL, NULL},
    {"I10.x00", "高血压", 3, DXW_OP | DXW_PH, 0, 30, 100, {AR_CARDIO, 0, 0}, {0, 0, 0}, 0, 1, 0, DP_MED, 200, I_BPMON, NULL, NULL, NULL, NULL, NULL},
    {"I25.100", "动脉粥样硬化性心脏病", 3, DXW_OP | DXW_PH, 0, 45, 100, {AR_CARDIO, 0, 0}, {0, 0, 0}, 0, 1, 0, DP_MED, 60, I_ECGMON, NULL, NULL, NULL, NULL, NULL},
    {"I20.000", "不稳定型心绞痛", 3, DXW_IP, 0, 45, 95, {0, 0, 0}, {AR_IV, AR_CARDIO, 0}, 7, 0, 0, DP_MED, 50, NULL, I_GLU ";" I_K ";" I_NA ";" I_CL ";" I_CA, I_ECGMON, I_STENT, "36.0700|经皮冠状动脉药物洗脱支架置入术", "stent"},
    {"I50.900", "心力衰竭", 3, DXW_IP, 0, 55, 100, {0, 0, 0}, {AR_IV, AR_CARDIO, 0}, 10, 0, 0, DP_MED, 40, NULL, I_XRAY ";" I_K ";" I_NA ";" I_GLU, I_ECGMON ";" I_SPO2, NULL, NULL, NULL},
    {"I48.x00", "心房颤动", 3, DXW_OP | DXW_PH, 0, 50, 100, {AR_CARDIO, 0, 0}, {0, 0, 0}, 0, 0, 0, DP_MED, 20, I_ECGMON, NULL, NULL, NULL, NULL, NULL},
    {"I63.900", "脑梗死", 4, DXW_IP, 0, 45, 100, {0, 0, 0}, {AR_NEURO_IV, AR_IV, AR_NEURO}, 12, 0, 0, DP_MED, 70, NULL, I_GLU ";" I_K ";" I_NA ";" I_CL ";" I_BPMON, I_ECGMON, NULL, NULL, NULL},
    {"I69.300", "脑梗死后遗症", 4, DXW_IP | DXW_OP, 0, 50, 100, {AR_NEURO, AR_CARDIO, 0}, {AR_NEURO, AR_CARDIO, 0}, 18, 0, 0, DP_REHAB, 20, I_REHABEV, I_REHABEV, I_BALTR ";" I_HANDTR, NULL, NULL, NULL},
    {"G45.900", "短暂性脑缺血发作", 4, DXW_IP, 0, 45, 100, {0, 0, 0}, {AR_IV, AR_NEURO, AR_CARDIO}, 6, 0, 0, DP_MED, 20, NULL, I_GLU ";" I_BPMON, NULL, NULL, NULL, NULL},
    {"R51.x00", "头痛", 5, DXW_OP | DXW_PH, 0, 10, 100, {AR_PAIN, 0, 0}, {0, 0, 0}, 0, 0, 0, DP_MED, 50, NULL, NULL, NULL, NULL, NULL, NULL},
    {"E11.900", "2型糖尿病", 6, DXW_OP | DXW_PH, 0, 30, 100, {AR_DIAB, 0, 0}, {0, 0, 0}, 0, 1, 0, DP_MED, 120, I_GLU ";" I_HBA1C, NULL, NULL, NULL, NULL, NULL},
    {"E11.600", "2型糖尿病伴有并发症", 6, DXW_IP, 0, 40, 100, {0, 0, 0}, {AR_DIAB, AR_IV, AR_CARDIO}, 9, 0, 0, DP_MED, 30, NULL, I_GLU ";" I_HBA1C ";" I_CPEP ";" I_INSUL ";" I_K ";" I_NA, I_GLU, NULL, NULL, "pen"},
    {"E78.500", "高脂血症", 6, DXW_OP | DXW_PH, 0, 35, 100, {AR_CARDIO, 0, 0}, {0, 0, 0}, 0, 1, 0, DP_MED, 50, NULL, NULL, NULL, NULL, NULL, NULL},
    {"K29.700", "胃炎", 7, DXW_OP | DXW_PH, 0, 14, 100, {AR_GI, 0, 0}, {0, 0, 0}, 0, 0, 0, DP_MED, 110, I_GASTRO, NULL, NULL, NULL, NULL, NULL},
    {"K21.900", "胃食管反流病", 7, DXW_OP | DXW_PH, 0, 18, 100, {AR_GI, 0, 0}, {0, 0, 0}, 0, 0, 0, DP_MED, 40, NULL, NULL, NULL, NULL, NULL, NULL},
    {"A09.900", "胃肠炎", 7, DXW_OP | DXW_PH | DXW_IP, 0, 0, 100, {AR_GI, 0, 0}, {AR_IV, AR_GI, 0}, 4, 0, 0, DP_MED, 90, I_STOOL, I_STOOL ";" I_K ";" I_NA ";" I_CL, NULL, NULL, NULL, NULL},
    {"K35.800", "急性阑尾炎", 8, DXW_IP, 0, 8, 80, {0, 0, 0}, {AR_ANTIBIO_IV, AR_IV, AR_PAIN}, 5, 0, 0, DP_SURG, 40, NULL, I_GLU ";" I_K ";" I_NA ";" I_URINE, NULL, I_APPEND, "47.0900|阑尾切除术", "lap"},
    {"K40.900", "腹股沟疝", 8, DXW_IP, 1, 18, 95, {0, 0, 0}, {AR_IV, AR_PAIN, 0}, 4, 0, 0, DP_SURG, 25, NULL, I_GLU ";" I_URINE, NULL, I_HERNIA, "53.0000|腹股沟疝修补术", "suture"},
    {"K64.900", "痔", 9, DXW_OP | DXW_PH | DXW_IP, 0, 20, 90, {AR_GI, AR_PAIN, 0}, {AR_IV, AR_PAIN, 0}, 5, 0, 0, DP_SURG, 30, I_ANUSEX, I_STOOL ";" I_GLU, NULL, I_HEMOR, "49.4600|痔切除术", "suture"},
    {"K80.200", "胆囊结石", 8, DXW_OP | DXW_IP, 0, 30, 100, {AR_GI, 0, 0}, {AR_ANTIBIO_IV, AR_IV, AR_GI}, 6, 0, 0, DP_SURG, 30, NULL, I_GLU ";" I_K ";" I_NA, NULL, NULL, NULL, NULL},
    {"M54.500", "腰痛", 10, DXW_OP | DXW_PH, 0, 18, 100, {AR_PAIN, 0, 0}, {0, 0, 0}, 0, 0, 0, DP_SURG, 110, I_XRAY, NULL, NULL, NULL, NULL, NULL},
    {"M17.900", "膝关节病", 10, DXW_OP | DXW_PH, 0, 45, 100, {AR_PAIN, AR_BONE, 0}, {0, 0, 0}, 0, 0, 0, DP_SURG, 60, I_XRAY, NULL, NULL, NULL, NULL, NULL},
    {"M81.900", "骨质疏松", 10, DXW_OP | DXW_PH, 2, 50, 100, {AR_BONE, 0, 0}, {0, 0, 0}, 0, 1, 0, DP_MED, 30, I_CA, NULL, NULL, NULL, NULL, NULL},
    {"N40.x00", "前列腺增生", 11, DXW_OP | DXW_PH, 1, 50, 100, {AR_URO, 0, 0}, {0, 0, 0}, 0, 1, 0, DP_SURG, 50, I_PROSTF, NULL, NULL, NULL, NULL, NULL},
    {"N39.000", "泌尿道感染", 11, DXW_OP | DXW_PH, 0, 2, 100, {AR_RESP, 0, 0}, {0, 0, 0}, 0, 0, 0, DP_MED, 60, I_URINE, NULL, NULL, NULL, NULL, NULL},
    {"N76.000", "急性阴道炎", 12, DXW_OP | DXW_PH, 2, 16, 70, {AR_GYN, 0, 0}, {0, 0, 0}, 0, 0, 0, DP_OBGYN, 50, I_VAGSEC, NULL, NULL, NULL, NULL, NULL},
    {"N92.000", "月经过多", 12, DXW_OP | DXW_PH, 2, 14, 52, {AR_GYN, 0, 0}, {0, 0, 0}, 0, 0, 0, DP_OBGYN, 40, I_HCG, NULL, NULL, NULL, NULL, NULL},
    {"N95.100", "绝经期综合征", 12, DXW_OP | DXW_PH, 2, 42, 60, {AR_GYN, 0, 0}, {0, 0, 0}, 0, 0, 0, DP_OBGYN, 25, NULL, NULL, NULL, NULL, NULL, NULL},
    {"O80.000", "单胎顺产", 13, DXW_IP, 2, 20, 42, {0, 0, 0}, {AR_IV, AR_GYN, 0}, 3, 0, 0, DP_OBGYN, 60, NULL, I_FETAL ";" I_GLU ";" I_URINE, I_FETAL, NULL, NULL, NULL},
    {"P59.900", "新生儿黄疸", 14, DXW_IP, 0, 0, 0, {0, 0, 0}, {AR_IV, 0, 0}, 5, 0, 0, DP_PEDS, 30, NULL, I_GLU, NULL, NULL, NULL, NULL},
    {"J35.000", "慢性扁桃体炎", 1, DXW_OP | DXW_IP, 0, 4, 40, {AR_RESP, 0, 0}, {AR_ANTIBIO_IV, AR_IV, 0}, 5, 0, 0, DP_ENT, 20, NULL, I_GLU, NULL, I_TONSIL, "28.2x00|扁桃体切除术", "suture"},
    {"E04.900", "甲状腺结节", 15, DXW_OP | DXW_IP, 0, 25, 80, {0, 0, 0}, {AR_IV, AR_PAIN, 0}, 6, 0, 0, DP_SURG, 15, NULL, I_CA ";" I_GLU, NULL, I_THYR, "06.3900|甲状腺部分切除术", "suture"},
    {"C16.900", "胃恶性肿瘤", 16, DXW_IP, 0, 40, 95, {0, 0, 0}, {AR_IV, AR_ONCO, AR_ANTIBIO_IV}, 16, 0, 0, DP_ONCO, 15, NULL, I_GASTRO ";" I_GLU ";" I_K ";" I_NA ";" I_CL, I_ECGMON, I_GASTCA, "43.7x00|胃大部切除术伴胃空肠吻合术", "lap"},
    {"C18.900", "结肠恶性肿瘤", 16, DXW_IP, 0, 40, 95, {0, 0, 0}, {AR_IV, AR_ONCO, AR_ANTIBIO_IV}, 15, 0, 0, DP_ONCO, 12, NULL, I_STOOL ";" I_GLU ";" I_K ";" I_NA, I_ECGMON, I_COLCA, "45.7300|右半结肠切除术", "lap"},
    {"Z51.100", "恶性肿瘤化学治疗", 16, DXW_IP, 0, 30, 90, {0, 0, 0}, {AR_ONCO, AR_IV, 0}, 4, 0, 0, DP_ONCO, 40, NULL, I_GLU ";" I_K ";" I_NA, NULL, NULL, NULL, NULL},
    {"N18.900", "慢性肾脏病", 17, DXW_OP, 0, 40, 100, {AR_CARDIO, 0, 0}, {0, 0, 0}, 0, 1, 0, DP_MED, 4, I_DIAL, NULL, NULL, NULL, NULL, NULL},
    {"F32.900", "抑郁发作", 18, DXW_OP | DXW_PH, 0, 16, 90, {AR_PSY, 0, 0}, {0, 0, 0}, 0, 0, 0, DP_PSY, 25, NULL, NULL, NULL, NULL, NULL, NULL},
    {"H10.900", "结膜炎", 19, DXW_OP | DXW_PH, 0, 0, 100, {AR_EYE, 0, 0}, {0, 0, 0}, 0, 0, 0, DP_EYE, 50, NULL, NULL, NULL, NULL, NULL, NULL},
    {"L30.900", "皮炎", 20, DXW_OP | DXW_PH, 0, 0, 100, {AR_SKIN, 0, 0}, {0, 0, 0}, 0, 0, 0, DP_SKIN, 70, NULL, NULL, NULL, NULL, NULL, NULL},
    {"S52.500", "桡骨下端骨折", 21, DXW_OP | DXW_IP, 0, 5, 100, {AR_PAIN, 0, 0}, {AR_IV, AR_PAIN, 0}, 6, 0, 1, DP_SURG, 20, I_XRAY ";" I_FRACRED ";" I_SPLINT, I_XRAY ";" I_GLU, NULL, I_FRACRED, "79.0200|桡骨骨折闭合复位术", "plate"},
    {"S72.000", "股骨颈骨折", 21, DXW_IP, 0, 60, 100, {0, 0, 0}, {AR_IV, AR_PAIN, AR_ANTIBIO_IV}, 12, 0, 1, DP_SURG, 15, NULL, I_XRAY ";" I_GLU ";" I_K ";" I_NA, I_ECGMON, NULL, "81.5200|人工股骨头置换术", "hip"},
    {"S06.000", "脑震荡", 21, DXW_OP | DXW_IP, 0, 3, 100, {AR_PAIN, 0, 0}, {AR_IV, AR_NEURO, 0}, 4, 0, 1, DP_ER, 15, I_XRAY, I_XRAY ";" I_GLU, NULL, NULL, NULL, NULL},
    {"S61.000", "手指开放性伤口", 21, DXW_OP, 0, 16, 70, {AR_PAIN, AR_SKIN, 0}, {0, 0, 0}, 0, 0, 1, DP_SURG, 15, NULL, NULL, NULL, NULL, NULL, NULL},
    {"T14.000", "浅表损伤", 21, DXW_OP | DXW_PH, 0, 2, 100, {AR_SKIN, AR_PAIN, 0}, {0, 0, 0}, 0, 0, 1, DP_SURG, 30, NULL, NULL, NULL, NULL, NULL, NULL},
    {"J06.901", "小儿急性上呼吸道感染", 1, DXW_OP | DXW_PH, 0, 0, 12, {AR_PEDS, AR_RESP, 0}, {0, 0, 0}, 0, 0, 0, DP_PEDS, 250, NULL, NULL, NULL, NULL, NULL, NULL},
    {"J18.901", "小儿肺炎", 1, DXW_IP, 0, 0, 12, {0, 0, 0}, {AR_ANTIBIO_IV, AR_PEDS, 0}, 6, 0, 0, DP_PEDS, 60, NULL, I_XRAY ";" I_GLU ";" I_SPO2, I_SPO2, NULL, NULL, NULL},
};
/* clang-format on */

/* External causes (ICD-10 V–Y) written with injury diagnoses. */
const char *const fg__gen_ext_cause_code[3] = {"W19.x00", "V89.200", "W31.x00"};
const char *const fg__gen_ext_cause_name[3] = {"跌倒", "机动车交通事故", "接触机械损伤"};

/* ---------------------------------------------------------------- loading */

typedef struct kb_rec {
    char code[24];
    uint32_t name; /* pool offset */
    uint32_t note; /* pool offset, 0 none */
    uint8_t kind;
    uint8_t lim_sex;
    uint8_t lim_age;
    uint8_t lim_insu;
    uint8_t lim_ip;
    uint8_t lim_level;
    uint8_t freq_n;
    uint8_t period_n;
    uint16_t period_days;
    uint16_t course;
    uint16_t surg_group;
    uint16_t kb_src;
} kb_rec_t;

typedef struct loader {
    gen_catalogue_t *c;
    kb_rec_t *recs;
    size_t n;
    size_t cap;
    char groups[16][32];
    int ngroups;
    gen_dup_t *dups;
    char (*dup_codes)[2][24];
    size_t ndups;
    size_t dups_cap;
    fg_error_t *err;
} loader_t;

static uint32_t pool_add(gen_catalogue_t *c, const char *s, size_t n)
{
    if (c->pool_len + n + 1 > c->pool_cap) {
        size_t cap = c->pool_cap ? c->pool_cap * 2 : 1 << 16;
        while (cap < c->pool_len + n + 1)
            cap *= 2;
        char *p = fg_realloc_array(c->pool, cap, 1);
        if (p == NULL)
            return UINT32_MAX;
        c->pool = p;
        c->pool_cap = cap;
    }
    uint32_t off = (uint32_t)c->pool_len;
    memcpy(c->pool + off, s, n);
    c->pool[off + n] = '\0';
    c->pool_len += n + 1;
    return off;
}

static kb_rec_t *rec_new(loader_t *L)
{
    if (L->n == L->cap) {
        size_t cap = L->cap ? L->cap * 2 : 4096;
        kb_rec_t *p = fg_realloc_array(L->recs, cap, sizeof(*p));
        if (p == NULL)
            return NULL;
        L->recs = p;
        L->cap = cap;
    }
    kb_rec_t *r = &L->recs[L->n++];
    memset(r, 0, sizeof(*r));
    return r;
}

static int parse_days(const char *s)
{
    /* "14天", "支付不超过30天", "总时间不超过90天", "支付不超过一年" */
    const char *p = strstr(s, "不超过");
    if (p != NULL)
        s = p + strlen("不超过");
    if (strstr(s, "一年") == s)
        return 365;
    int v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (*s++ - '0');
    return v;
}

/* A string of the knowledge base into the catalogue's pool. */
static uint32_t pool_kb(gen_catalogue_t *c, const fg_kb_t *kb, uint32_t id)
{
    const char *s = fg_kb_str(kb, id);
    return pool_add(c, s, strlen(s));
}

/* A fact of a drug table (batches 1, 3–6): one record for its code. */
static int take_drug(loader_t *L, const fg_kb_t *kb, const fg_kb_fact_t *f, int src)
{
    const char *code = fg_kb_str(kb, f->code);
    size_t nc = strlen(code);
    if (nc == 0 || nc >= sizeof(((kb_rec_t *)0)->code))
        return 0;
    kb_rec_t *r = rec_new(L);
    if (r == NULL)
        return FG_ENOMEM;
    memcpy(r->code, code, nc + 1);
    r->kind = CK_DRUG;
    r->name = pool_kb(L->c, kb, f->name);
    if (f->text != 0)
        r->note = pool_kb(L->c, kb, f->text);
    r->kb_src = (uint16_t)src;
    switch (src) {
    case KB_B1_DRUG_GENDER:
        r->lim_sex = f->sub; /* 1 male, 2 female */
        break;
    case KB_B1_DRUG_AGE:
        r->lim_age = AGE_CHILD;
        break;
    case KB_B3_INSU:
        r->lim_insu = f->sub; /* 1 工伤, 2 生育 */
        break;
    case KB_B4_SETTING:
        r->lim_ip = f->sub == FG_KB_SCENE_INPATIENT;
        break;
    case KB_B5_LEVEL:
        r->lim_level = f->sub == 3 ? 3 : 2;
        break;
    case KB_B6_COURSE:
        r->course = (uint16_t)f->a;
        break;
    default:
        break;
    }
    return r->name == UINT32_MAX ? FG_ENOMEM : 0;
}

static kb_rec_t *item_rec(loader_t *L, const char *code, const char *name, int kb)
{
    kb_rec_t *r = rec_new(L);
    if (r == NULL)
        return NULL;
    memcpy(r->code, code, 16);
    r->kind = CK_ITEM;
    r->name = pool_add(L->c, name, strlen(name));
    r->kb_src = (uint16_t)kb;
    return r;
}

/* The surgery group number (1…16) of a batch-2 group name, numbered as first seen; 0 past 16. */
static uint16_t surgery_group(loader_t *L, const char *v)
{
    size_t nv = strlen(v);
    int g = -1;
    for (int i = 0; i < L->ngroups; i++)
        if (strcmp(v, L->groups[i]) == 0)
            g = i;
    if (g < 0 && L->ngroups < 16 && nv < sizeof(L->groups[0])) {
        g = L->ngroups++;
        memcpy(L->groups[g], v, nv + 1);
    }
    return (uint16_t)(g + 1);
}

/* A fact of an item table (batches 1, 2, 8): one record for its code (15 digits only). */
static int take_item(loader_t *L, const fg_kb_t *kb, const fg_kb_fact_t *f, int src)
{
    const char *code = fg_kb_str(kb, f->code);
    if (strlen(code) != 15)
        return 0;
    kb_rec_t *r = item_rec(L, code, fg_kb_str(kb, f->name), src);
    if (r == NULL)
        return FG_ENOMEM;
    switch (src) {
    case KB_B1_ITEM_GENDER:
        r->lim_sex = f->sub;
        if (f->text != 0)
            r->note = pool_kb(L->c, kb, f->text);
        break;
    case KB_B1_ITEM_AGE:
        r->lim_age = f->sub == FG_KB_AGE_NEONATE  ? AGE_NEWBORN
                     : f->sub == FG_KB_AGE_INFANT ? AGE_INFANT
                                                  : AGE_CHILD;
        break;
    case KB_B2_SURGERY:
        r->surg_group = surgery_group(L, fg_kb_str(kb, f->ref));
        if (f->text != 0)
            r->note = pool_kb(L->c, kb, f->text);
        break;
    case KB_B8_1_FREQ:
        if (f->a > 0 && f->a < 256)
            r->freq_n = (uint8_t)f->a;
        break;
    case KB_B8_2_AGE:
        r->lim_age = AGE_WORKING;
        r->note = pool_kb(L->c, kb, f->text);
        break;
    case KB_B8_3_COURSE: {
        char tmp[256];
        snprintf(tmp, sizeof(tmp), "%s", fg_kb_str(kb, f->text));
        r->course = (uint16_t)parse_days(tmp);
        r->note = pool_kb(L->c, kb, f->text);
        break;
    }
    case KB_B8_4_PERIOD:
        if (f->a > 0 && f->a < 256)
            r->period_n = (uint8_t)f->a;
        if (f->b > 0 && f->b < 3650)
            r->period_days = (uint16_t)f->b;
        break;
    default:
        break;
    }
    return 0;
}

/* A fact of batch 7 (the secondary item of a duplicate-charge pair): a record for each item and
 * the pair. */
static int take_dup(loader_t *L, const fg_kb_t *kb, const fg_kb_fact_t *f, int src)
{
    const char *mcode = fg_kb_str(kb, f->ref);
    const char *scode = fg_kb_str(kb, f->code);
    if (strlen(mcode) != 15 || strlen(scode) != 15)
        return 0;
    if (item_rec(L, mcode, fg_kb_str(kb, (uint32_t)f->b), src) == NULL)
        return FG_ENOMEM;
    kb_rec_t *b = item_rec(L, scode, fg_kb_str(kb, f->name), src);
    if (b == NULL)
        return FG_ENOMEM;
    if (f->text != 0)
        b->note = pool_kb(L->c, kb, f->text);
    if (L->ndups == L->dups_cap) {
        size_t cap = L->dups_cap ? L->dups_cap * 2 : 1024;
        gen_dup_t *d = fg_realloc_array(L->dups, cap, sizeof(*d));
        if (d == NULL)
            return FG_ENOMEM;
        L->dups = d;
        char(*dc)[2][24] = fg_realloc_array(L->dup_codes, cap, sizeof(*dc));
        if (dc == NULL)
            return FG_ENOMEM;
        L->dup_codes = dc;
        L->dups_cap = cap;
    }
    gen_dup_t *d = &L->dups[L->ndups];
    /* 单日 (and 同日, 当日) 1, 单次就诊 (单次住院) 2, 6小时 3, 同一小时 and other hours 4 */
    d->freq = f->sub == FG_KB_SCOPE_DAY                  ? 1
              : f->sub == FG_KB_SCOPE_VISIT              ? 2
              : f->sub == FG_KB_SCOPE_HOURS && f->a == 6 ? 3
                                                         : 4;
    memcpy(L->dup_codes[L->ndups][0], mcode, 16);
    memcpy(L->dup_codes[L->ndups][1], scode, 16);
    L->ndups++;
    return 0;
}

/* The national tables the catalogue takes its codes from, in the order it takes them: a code that
 * several tables name keeps the first one's name and note. */
static const uint8_t kb_order[] = {
    KB_B1_DRUG_GENDER, KB_B1_DRUG_AGE,    KB_B3_INSU,     KB_B4_SETTING, KB_B5_LEVEL,
    KB_B6_COURSE,      KB_B1_ITEM_GENDER, KB_B1_ITEM_AGE, KB_B2_SURGERY, KB_B8_1_FREQ,
    KB_B8_2_AGE,       KB_B8_3_COURSE,    KB_B8_4_PERIOD, KB_B7_DUP,
};

/* Take every fact of one table (a drug batch's facts carry its .names table). */
static int take_table(loader_t *L, const fg_kb_t *kb, int src)
{
    const char *stem = fg__gen_kb_name(src);
    int drug = strstr(stem, "-drug-") != NULL;
    char want[96];
    snprintf(want, sizeof(want), "%s%s", stem, drug ? ".names" : "");
    long t = fg_kb_table_find(kb, want);
    if (t >= 0 && drug) {
        snprintf(want, sizeof(want), "%s.codes", stem);
        if (fg_kb_table_find(kb, want) < 0)
            t = -1;
    }
    if (t < 0)
        return fg_error_set(L->err, FG_ENOTFOUND, "kb", 0,
                            "the knowledge table %s.csv is missing (give --kb DIR)", want);
    size_t n = fg_kb_nfacts(kb, FG_KF__COUNT);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const fg_kb_fact_t *f = fg_kb_fact_at(kb, i);
        if (f->table != (uint16_t)t)
            continue;
        rc = drug               ? take_drug(L, kb, f, src)
             : src == KB_B7_DUP ? take_dup(L, kb, f, src)
                                : take_item(L, kb, f, src);
    }
    return rc;
}

static int rec_cmp(const void *a, const void *b)
{
    return strcmp(((const kb_rec_t *)a)->code, ((const kb_rec_t *)b)->code);
}

static int cat_cmp(const void *a, const void *b)
{
    return strcmp(((const gen_cat_t *)a)->code, ((const gen_cat_t *)b)->code);
}

/* ---------------------------------------------------------------- derived attributes */

static int has(const char *s, const char *w)
{
    return strstr(s, w) != NULL;
}

static uint64_t code_hash(const char *code)
{
    return fg_hash64(code, strlen(code));
}

/*
 * Whether a drug's text sets a clinical condition the data can show: 0 none (or only the level and
 * course the structured columns carry), 1 new cerebral infarction (stroke care may use it), 2 some
 * other condition (normal care never uses it; the indication scenario does).
 */
static int indication(const char *note)
{
    char buf[1024];
    static const char *const plain[] = {"限二级及以上医疗机构", "限三级及以上医疗机构",
                                        "限三级医疗机构", "二级及以上医疗机构"};
    if (note == NULL || note[0] == '\0')
        return 0;
    snprintf(buf, sizeof(buf), "%s", note);
    for (size_t i = 0; i < FG_ARRAY_LEN(plain); i++) {
        for (char *p = strstr(buf, plain[i]); p != NULL; p = strstr(buf, plain[i]))
            memset(p, ' ', strlen(plain[i]));
    }
    if (has(buf, "脑梗"))
        return 1;
    return has(buf, "限") ? 2 : 0;
}

static int form_of(const char *name)
{
    if (has(name, "脂肪乳") || has(name, "氨基酸") || has(name, "葡萄糖注射液") ||
        has(name, "氯化钠注射液"))
        return FORM_INFUSION;
    if (has(name, "注射"))
        return FORM_INJECTION;
    if (has(name, "滴眼") || has(name, "滴耳") || has(name, "滴鼻") || has(name, "喷雾") ||
        has(name, "气雾") || has(name, "吸入"))
        return FORM_DROPS;
    if (has(name, "栓"))
        return FORM_SUPPOS;
    if (has(name, "软膏") || has(name, "乳膏") || has(name, "凝胶") || has(name, "贴") ||
        has(name, "搽剂") || has(name, "洗剂") || has(name, "酊") || has(name, "洗液") ||
        has(name, "乳剂"))
        return FORM_TOPICAL;
    if (has(name, "口服液") || has(name, "糖浆") || has(name, "合剂") || has(name, "口服溶液") ||
        has(name, "混悬") || has(name, "露") || has(name, "水"))
        return FORM_LIQUID;
    if (has(name, "颗粒") || has(name, "散") || has(name, "冲剂") || has(name, "茶"))
        return FORM_GRANULE;
    return FORM_TABLET;
}

const char *fg__gen_form_name(int form)
{
    switch (form) {
    case FORM_TABLET:
        return "片剂";
    case FORM_GRANULE:
        return "颗粒剂";
    case FORM_LIQUID:
        return "口服液体剂";
    case FORM_INJECTION:
        return "注射剂";
    case FORM_TOPICAL:
        return "外用制剂";
    case FORM_DROPS:
        return "滴剂/吸入剂";
    case FORM_SUPPOS:
        return "栓剂";
    case FORM_INFUSION:
        return "大容量注射剂";
    default:
        return "";
    }
}

const char *fg__gen_form_unit(int form)
{
    switch (form) {
    case FORM_TABLET:
        return "片";
    case FORM_GRANULE:
        return "袋";
    case FORM_LIQUID:
        return "支";
    case FORM_INJECTION:
        return "支";
    case FORM_TOPICAL:
        return "支";
    case FORM_DROPS:
        return "瓶";
    case FORM_SUPPOS:
        return "粒";
    case FORM_INFUSION:
        return "袋";
    default:
        return "";
    }
}

static const char *const kb_names[KB__COUNT] = {
    [KB_NONE] = "",
    [KB_B1_DRUG_AGE] = "batch1-drug-age",
    [KB_B1_DRUG_GENDER] = "batch1-drug-gender",
    [KB_B1_ITEM_AGE] = "batch1-item-age",
    [KB_B1_ITEM_GENDER] = "batch1-item-gender",
    [KB_B2_SURGERY] = "batch2-item-surgery-group",
    [KB_B3_INSU] = "batch3-drug-insurance-type",
    [KB_B4_SETTING] = "batch4-drug-care-setting",
    [KB_B5_LEVEL] = "batch5-drug-institution-level",
    [KB_B6_COURSE] = "batch6-drug-payment-course",
    [KB_B7_DUP] = "batch7-item-duplicate-charge",
    [KB_B8_1_FREQ] = "batch8-1-item-frequency",
    [KB_B8_2_AGE] = "batch8-2-item-age",
    [KB_B8_3_COURSE] = "batch8-3-item-course",
    [KB_B8_4_PERIOD] = "batch8-4-item-period-frequency",
};

const char *fg__gen_kb_name(int kb)
{
    return kb >= 0 && kb < KB__COUNT ? kb_names[kb] : "";
}

static fg_fen_t round_fen(double yuan)
{
    if (yuan < 0.01)
        yuan = 0.01;
    return (fg_fen_t)(yuan * 100.0 + 0.5);
}

/* Median price (yuan) of a service item by the class its code's prefix names. */
static double item_median(const char *code, const char *name)
{
    char p4[5];
    memcpy(p4, code + 2, 4);
    p4[4] = '\0';
    if (strncmp(code, "001109", 6) == 0)
        return has(name, "监护") || has(name, "层流") ? 180.0 : 45.0;
    if (strncmp(code, "001102", 6) == 0)
        return 15.0;
    if (strncmp(code, "001103", 6) == 0)
        return 60.0;
    if (strncmp(code, "001107", 6) == 0 || strncmp(code, "001108", 6) == 0)
        return 5.0;
    if (strncmp(code, "001201", 6) == 0)
        return has(name, "重症") || has(name, "特级") ? 80.0 : 22.0;
    if (strncmp(code, "001202", 6) == 0)
        return 200.0;
    if (p4[0] == '1' && p4[1] == '1')
        return 18.0;
    if (strcmp(p4, "2101") == 0 || strcmp(p4, "2102") == 0 || strcmp(p4, "2103") == 0)
        return 60.0;
    if (p4[0] == '2' && p4[1] == '2')
        return 120.0;
    if (p4[0] == '2' && p4[1] == '3')
        return 600.0;
    if (p4[0] == '2' && p4[1] == '4')
        return 900.0;
    if (p4[0] == '2' && p4[1] == '5')
        return 14.0;
    if (p4[0] == '2' && p4[1] == '6')
        return 120.0;
    if (p4[0] == '3' && p4[1] == '1')
        return has(name, "透析") ? 420.0 : 60.0;
    if (p4[0] == '3' && p4[1] == '2')
        return 3200.0;
    if (p4[0] == '3' && p4[1] == '3')
        return 1500.0;
    if (p4[0] == '3' && p4[1] == '4')
        return 40.0;
    if (p4[0] == '4')
        return 45.0;
    return 50.0;
}

static int item_chrg(const char *code, const char *name)
{
    if (strncmp(code, "001109", 6) == 0)
        return 1;
    if (strncmp(code, "001102", 6) == 0)
        return 2;
    if (strncmp(code, "001201", 6) == 0)
        return 7;
    if (code[2] == '2' && code[3] == '5')
        return 4;
    if (code[2] == '2')
        return 3;
    if (code[2] == '3' && code[3] == '3')
        return 6;
    if (code[2] == '3' && code[3] == '1' &&
        (has(name, "检查") || has(name, "测定") || has(name, "监测") || has(name, "试验") ||
         has(name, "造影")))
        return 3;
    return 5;
}

static int drug_area(const gen_cat_t *it, const char *name, const char *note)
{
    if (it->lim_sex == 2)
        return AR_GYN;
    if (it->lim_sex == 1)
        return AR_URO;
    if (it->lim_age == AGE_CHILD)
        return AR_PEDS;
    if (it->lim_insu == 1)
        return AR_WORK;
    if (it->lim_insu == 2)
        return AR_NONE;
    if (it->lim_ip)
        return AR_NUTR_IV;
    if (note != NULL && (has(note, "癌") || has(note, "肿瘤")))
        return AR_ONCO;
    if (it->lim_level != 0 || it->course != 0)
        return it->form == FORM_INJECTION || it->form == FORM_INFUSION ? AR_NEURO_IV : AR_NONE;
    (void)name;
    return AR_NONE;
}

static void derive(gen_cat_t *it, const char *name, const char *note)
{
    gen_rng_t r;
    uint64_t h = code_hash(it->code);
    fg__gen_rng_init(&r, 0x6b62636174ULL, 1, h);
    (void)note;
    if (it->kind == CK_DRUG) {
        if (it->form == FORM_NONE)
            it->form = (uint8_t)form_of(name);
        it->chrg = it->code[0] == 'Z' ? 11 : 9;
        if (it->pack_units == 0) {
            static const uint16_t tab[] = {14, 24, 28, 28, 30, 36, 42, 48, 60, 100};
            static const uint16_t gra[] = {6, 9, 10, 12, 18, 20};
            static const uint16_t liq[] = {6, 8, 10, 12};
            static const uint16_t inj[] = {1, 2, 5, 6, 10};
            static const uint16_t sup[] = {5, 6, 7, 10};
            switch (it->form) {
            case FORM_TABLET:
                it->pack_units = tab[rng_below(&r, FG_ARRAY_LEN(tab))];
                break;
            case FORM_GRANULE:
                it->pack_units = gra[rng_below(&r, FG_ARRAY_LEN(gra))];
                break;
            case FORM_LIQUID:
                it->pack_units = liq[rng_below(&r, FG_ARRAY_LEN(liq))];
                break;
            case FORM_INJECTION:
                it->pack_units = inj[rng_below(&r, FG_ARRAY_LEN(inj))];
                break;
            case FORM_SUPPOS:
                it->pack_units = sup[rng_below(&r, FG_ARRAY_LEN(sup))];
                break;
            default:
                it->pack_units = 1;
                break;
            }
        } else {
            (void)rng_next(&r);
        }
        /* The usual daily dose in smallest units: 1–3 tablets, bags or bottles of an oral drug,
         * one unit of anything else (from the code's hash, so the draws above stay as they were).
         */
        it->daily_dose = (uint16_t)(it->form == FORM_TABLET || it->form == FORM_GRANULE ||
                                            it->form == FORM_LIQUID
                                        ? 1 + (h >> 33) % 3
                                        : 1);
        if (it->price == 0) {
            double med;
            switch (it->form) {
            case FORM_INJECTION:
                med = 18.0 * (it->pack_units > 1 ? pow(it->pack_units, 0.8) : 1.0);
                break;
            case FORM_INFUSION:
                med = it->lim_ip ? 160.0 : 6.0;
                break;
            case FORM_TOPICAL:
                med = 22.0;
                break;
            case FORM_DROPS:
                med = 30.0;
                break;
            default:
                med = 28.0;
                break;
            }
            if (it->area == AR_ONCO || (note != NULL && has(note, "癌")))
                med *= 12.0;
            else if (it->area == AR_URO && it->lim_sex == 1 && it->code[0] == 'X' &&
                     strncmp(it->code + 1, "L02", 3) == 0)
                med *= 20.0;
            it->price = round_fen(fg__gen_lognormal(&r, med, 0.55));
        } else {
            (void)fg__gen_normal(&r);
        }
        if (it->lv == 0) {
            double u = rng_unit(&r);
            it->lv = (uint8_t)(u < 0.22 ? 1 : u < 0.95 ? 2 : 3);
        } else {
            (void)rng_next(&r);
        }
        it->gs1 = (uint8_t)(rng_below(&r, 100) < 6);
    } else if (it->kind == CK_ITEM) {
        it->chrg = (uint8_t)item_chrg(it->code, name);
        if (it->price == 0)
            it->price = round_fen(fg__gen_lognormal(&r, item_median(it->code, name), 0.45));
        else
            (void)fg__gen_normal(&r);
        if (it->lv == 0) {
            double u = rng_unit(&r);
            int surgery = it->code[2] == '3' && (it->code[3] == '2' || it->code[3] == '3');
            it->lv = (uint8_t)(surgery ? (u < 0.55   ? 1
                                          : u < 0.97 ? 2
                                                     : 3)
                                       : (u < 0.78   ? 1
                                          : u < 0.97 ? 2
                                                     : 3));
        } else {
            (void)rng_next(&r);
        }
        it->pack_units = 0;
        /* Timed one-to-one services: rehabilitation therapy (0034 02) 30 minutes a unit, TCM
         * acupuncture and massage (0045) 20. */
        it->minutes = strncmp(it->code, "003402", 6) == 0 ? 30
                      : strncmp(it->code, "0045", 4) == 0 ? 20
                                                          : 0;
    } else {
        it->chrg = 8;
        it->pack_units = 0;
    }
    /* The cap: 0–15 % above the usual price, whole dimes. */
    double up = 1.0 + rng_unit(&r) * 0.15;
    fg_fen_t cap = (fg_fen_t)((double)it->price * up);
    cap = (cap + 9) / 10 * 10;
    if (cap < it->price)
        cap = it->price;
    it->cap = cap;
}

/* ---------------------------------------------------------------- the catalogue */

/* Merge the limits of b into a (the same code named by several batches). */
static void merge(kb_rec_t *a, const kb_rec_t *b)
{
    if (b->lim_sex)
        a->lim_sex = b->lim_sex;
    if (b->lim_age)
        a->lim_age = b->lim_age;
    if (b->lim_insu)
        a->lim_insu = b->lim_insu;
    if (b->lim_ip)
        a->lim_ip = b->lim_ip;
    if (b->lim_level)
        a->lim_level = b->lim_level;
    if (b->freq_n)
        a->freq_n = b->freq_n;
    if (b->period_n) {
        a->period_n = b->period_n;
        a->period_days = b->period_days;
    }
    if (b->course)
        a->course = b->course;
    if (b->surg_group)
        a->surg_group = b->surg_group;
    if (a->note == 0)
        a->note = b->note;
    if (a->kb_src == KB_B7_DUP && b->kb_src != KB_B7_DUP)
        a->kb_src = b->kb_src;
}

int fg__gen_dup_pair(const gen_catalogue_t *c, uint32_t main, uint32_t sec)
{
    uint64_t key = ((uint64_t)main << 32 | sec) + 1;
    uint32_t h = (uint32_t)gen_mix64(key) & (c->dup_cap - 1);
    while (c->dup_set[h] != 0) {
        if ((c->dup_set[h] >> 4) == key)
            return (int)(c->dup_set[h] & 15);
        h = (h + 1) & (c->dup_cap - 1);
    }
    return 0;
}

uint32_t fg__gen_cat_find(const gen_catalogue_t *c, const char *code)
{
    uint32_t lo = 0;
    uint32_t hi = c->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int k = strcmp(c->items[mid].code, code);
        if (k == 0)
            return mid;
        if (k < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return GEN_NONE;
}

static int pool_push(uint32_t **pool, uint32_t *n, uint32_t v)
{
    if ((*n & (*n - 1)) == 0) {
        uint32_t cap = *n ? *n * 2 : 8;
        uint32_t *p = fg_realloc_array(*pool, cap, sizeof(*p));
        if (p == NULL)
            return FG_ENOMEM;
        *pool = p;
    }
    (*pool)[(*n)++] = v;
    return 0;
}

static uint32_t must(const gen_catalogue_t *c, const char *code)
{
    return fg__gen_cat_find(c, code);
}

static int build_pools(gen_catalogue_t *c)
{
    int rc = 0;
    for (uint32_t i = 0; i < c->n && rc == 0; i++) {
        gen_cat_t *it = &c->items[i];
        /* Normal care uses a drug only where its text sets no condition it cannot show. */
        if (it->kind == CK_DRUG && it->area != AR_NONE && (it->indic != 2 || it->lim_ip))
            rc = pool_push(&c->area_pool[it->area], &c->area_n[it->area], i);
        if (rc != 0 || it->lv == 3)
            continue; /* self-paid items make no fund loss: never a fraud line */
        if (it->kind == CK_DRUG && it->indic == 2 && !it->lim_ip)
            continue; /* a fraud line breaks one rule, not an indication besides */
        if (it->kind == CK_DRUG) {
            if (it->lim_sex == 2)
                rc = pool_push(&c->lim[LP_DRUG_FEMALE], &c->nlim[LP_DRUG_FEMALE], i);
            else if (it->lim_sex == 1)
                rc = pool_push(&c->lim[LP_DRUG_MALE], &c->nlim[LP_DRUG_MALE], i);
            if (rc == 0 && it->lim_age == AGE_CHILD)
                rc = pool_push(&c->lim[LP_DRUG_CHILD], &c->nlim[LP_DRUG_CHILD], i);
            if (rc == 0 && it->lim_insu == 1)
                rc = pool_push(&c->lim[LP_DRUG_WORK], &c->nlim[LP_DRUG_WORK], i);
            if (rc == 0 && it->lim_ip)
                rc = pool_push(&c->lim[LP_DRUG_IP], &c->nlim[LP_DRUG_IP], i);
            if (rc == 0 && it->lim_level == 2 && it->course == 0 && it->indic == 0)
                rc = pool_push(&c->lim[LP_DRUG_LEVEL], &c->nlim[LP_DRUG_LEVEL], i);
            if (rc == 0 && it->course > 0 && it->course <= 30 && it->indic == 1 &&
                it->lim_level == 0)
                rc = pool_push(&c->lim[LP_DRUG_COURSE], &c->nlim[LP_DRUG_COURSE], i);
        } else if (it->kind == CK_ITEM) {
            if (it->lim_sex == 2)
                rc = pool_push(&c->lim[LP_ITEM_FEMALE], &c->nlim[LP_ITEM_FEMALE], i);
            else if (it->lim_sex == 1)
                rc = pool_push(&c->lim[LP_ITEM_MALE], &c->nlim[LP_ITEM_MALE], i);
            if (rc == 0 && (it->lim_age == AGE_CHILD || it->lim_age == AGE_NEWBORN ||
                            it->lim_age == AGE_INFANT))
                rc = pool_push(&c->lim[LP_ITEM_CHILD], &c->nlim[LP_ITEM_CHILD], i);
            if (rc == 0 && it->lim_age == AGE_WORKING)
                rc = pool_push(&c->lim[LP_ITEM_WORKAGE], &c->nlim[LP_ITEM_WORKAGE], i);
            if (rc == 0 && it->surg_group != 0 && it->lim_sex == 0)
                rc = pool_push(&c->lim[LP_SURGERY], &c->nlim[LP_SURGERY], i);
            if (rc == 0 && it->freq_n == 1 && strncmp(it->code, "0011", 4) == 0 &&
                it->surg_group == 0)
                rc = pool_push(&c->lim[LP_ITEM_FREQ], &c->nlim[LP_ITEM_FREQ], i);
            if (rc == 0 && it->course > 0 && it->lim_age == AGE_NONE)
                rc = pool_push(&c->lim[LP_ITEM_COURSE], &c->nlim[LP_ITEM_COURSE], i);
            if (rc == 0 && it->period_n > 0 && it->lim_age == AGE_NONE)
                rc = pool_push(&c->lim[LP_ITEM_PERIOD], &c->nlim[LP_ITEM_PERIOD], i);
        }
    }
    return rc;
}

static int resolve(gen_catalogue_t *c, fg_error_t *err)
{
    struct {
        uint32_t *dst;
        const char *code;
    } need[] = {
        {&c->it_consult, "001102000010000"},
        {&c->it_er_consult, "001102000030000"},
        {&c->it_ip_consult, "001102000050000"},
        {&c->it_bed, "001109000010300"},
        {&c->it_bed_newborn, "001109000010600"},
        {&c->it_nurse2, "001201000040000"},
        {&c->it_nurse1, "001201000030000"},
        {&c->it_nurse_newborn, "001201000070000"},
        {&c->it_ecg_mon, I_ECGMON},
        {&c->it_glucose, I_GLU},
        {&c->it_k, I_K},
        {&c->it_na, I_NA},
        {&c->it_cl, I_CL},
        {&c->it_hba1c, I_HBA1C},
        {&c->it_anesth_local, "003301000010000"},
        {&c->it_anesth_mon, "003301000150000"},
        {&c->it_er_monitor, "001103000010000"},
        {&c->it_observe_bed, "001109000050000"},
        {&c->cons_syringe, "C0201010010100100001"},
        {&c->cons_infusion_set, "C0201010020100100002"},
        {&c->cons_cannula, "C0201020030100100003"},
        {&c->cons_gauze, "C1401010040100100004"},
        {&c->cons_suture, "C0301010050200100005"},
        {&c->cons_trocar, "C0305020060200100006"},
        {&c->cons_stent, "C0201030070300100007"},
        {&c->cons_electrode, "C0702010080100100008"},
        {&c->cons_catheter, "C0203010090100100009"},
        {&c->cons_hip, "C1301010100300100010"},
        {&c->cons_plate, "C1302010110200100011"},
        {&c->cons_pen_needle, "C0201010120100100012"},
        {&c->saline, "XB05XAS139B001010110039"},
        {&c->glucose_iv, "XB05BAS140B001010110040"},
    };
    for (size_t i = 0; i < FG_ARRAY_LEN(need); i++) {
        *need[i].dst = must(c, need[i].code);
        if (*need[i].dst == GEN_NONE)
            return fg_error_set(err, FG_ECORRUPT, "kb", 0,
                                "the knowledge tables lack item %s that the care templates use",
                                need[i].code);
    }
    return 0;
}

/* Trace product ids: 7 digits starting with 8, unique, from a hash of the code. */
static int assign_products(gen_catalogue_t *c)
{
    unsigned char *used = fg_calloc(1000000, 1);
    if (used == NULL)
        return FG_ENOMEM;
    for (uint32_t i = 0; i < c->n; i++) {
        gen_cat_t *it = &c->items[i];
        if (it->kind != CK_DRUG)
            continue;
        uint32_t v = (uint32_t)(code_hash(it->code) % 1000000);
        while (used[v])
            v = (v + 1) % 1000000;
        used[v] = 1;
        it->product = 8000000 + v;
        it->serial = 100000000ULL + (gen_mix64(it->product) % 50000000ULL);
    }
    fg_free(used);
    return 0;
}

int fg__gen_catalogue_load(gen_catalogue_t *c, const fg_kb_t *kb, fg_error_t *err)
{
    loader_t L;
    memset(&L, 0, sizeof(L));
    memset(c, 0, sizeof(*c));
    L.c = c;
    L.err = err;
    pool_add(c, "", 0); /* offset 0 is "no text" */

    int rc = 0;
    for (size_t i = 0; i < FG_ARRAY_LEN(kb_order) && rc == 0; i++)
        rc = take_table(&L, kb, kb_order[i]);
    if (rc != 0)
        goto out;

    /* One entry per code, limits merged; kb order decides nothing (sorted). */
    qsort(L.recs, L.n, sizeof(*L.recs), rec_cmp);
    size_t m = 0;
    for (size_t i = 0; i < L.n; i++) {
        if (m > 0 && strcmp(L.recs[m - 1].code, L.recs[i].code) == 0) {
            merge(&L.recs[m - 1], &L.recs[i]);
            continue;
        }
        L.recs[m++] = L.recs[i];
    }
    size_t total = m + FG_ARRAY_LEN(syn_drugs) + FG_ARRAY_LEN(syn_items);
    c->items = fg_calloc(total, sizeof(*c->items));
    if (c->items == NULL) {
        rc = FG_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < m; i++) {
        const kb_rec_t *r = &L.recs[i];
        gen_cat_t *it = &c->items[c->n++];
        memcpy(it->code, r->code, sizeof(it->code));
        it->code_len = (uint8_t)strlen(it->code);
        it->kind = r->kind;
        it->name = r->name;
        it->note = r->note;
        it->lim_sex = r->lim_sex;
        it->lim_age = r->lim_age;
        it->lim_insu = r->lim_insu;
        it->lim_ip = r->lim_ip;
        it->lim_level = r->lim_level;
        it->freq_n = r->freq_n;
        it->period_n = r->period_n;
        it->period_days = r->period_days;
        it->course = r->course;
        it->surg_group = r->surg_group;
        it->kb_src = r->kb_src;
        const char *name = c->pool + r->name;
        const char *note = r->note ? c->pool + r->note : NULL;
        if (it->kind == CK_DRUG)
            it->form = (uint8_t)form_of(name);
        derive(it, name, note);
        if (it->kind == CK_DRUG) {
            it->indic = (uint8_t)indication(note);
            it->area = (uint8_t)drug_area(it, name, note);
        }
    }
    for (size_t i = 0; i < FG_ARRAY_LEN(syn_drugs); i++) {
        const syn_drug_t *s = &syn_drugs[i];
        gen_cat_t *it = &c->items[c->n++];
        snprintf(it->code, sizeof(it->code), "%s", s->code);
        it->code_len = (uint8_t)strlen(it->code);
        it->kind = CK_DRUG;
        it->name = pool_add(c, s->name, strlen(s->name));
        it->area = s->area;
        it->form = s->form;
        it->pack_units = s->pack;
        it->price = (fg_fen_t)s->price_yuan10 * 10;
        it->lv = s->lv;
        it->synthetic = 1;
        derive(it, s->name, NULL);
    }
    for (size_t i = 0; i < FG_ARRAY_LEN(syn_items); i++) {
        const syn_item_t *s = &syn_items[i];
        gen_cat_t *it = &c->items[c->n++];
        snprintf(it->code, sizeof(it->code), "%s", s->code);
        it->code_len = (uint8_t)strlen(it->code);
        it->kind = s->kind;
        it->name = pool_add(c, s->name, strlen(s->name));
        it->price = (fg_fen_t)s->price_yuan10 * 10;
        it->lv = s->lv;
        it->synthetic = 1;
        derive(it, s->name, NULL);
    }
    qsort(c->items, c->n, sizeof(*c->items), cat_cmp);

    /* Duplicate-charge pairs, by catalogue index, sorted by main item. */
    c->dups = fg_calloc(L.ndups ? L.ndups : 1, sizeof(*c->dups));
    if (c->dups == NULL) {
        rc = FG_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < L.ndups; i++) {
        uint32_t a = fg__gen_cat_find(c, L.dup_codes[i][0]);
        uint32_t b = fg__gen_cat_find(c, L.dup_codes[i][1]);
        if (a == GEN_NONE || b == GEN_NONE || a == b)
            continue;
        c->dups[c->ndups].main = a;
        c->dups[c->ndups].sec = b;
        c->dups[c->ndups].freq = L.dups[i].freq;
        c->ndups++;
        c->items[a].has_dup = 1;
        c->items[b].has_dup = 1;
    }
    c->dup_cap = 1;
    while (c->dup_cap < c->ndups * 2 + 16)
        c->dup_cap *= 2;
    c->dup_set = fg_calloc(c->dup_cap, sizeof(*c->dup_set));
    if (c->dup_set == NULL) {
        rc = FG_ENOMEM;
        goto out;
    }
    for (uint32_t i = 0; i < c->ndups; i++) {
        uint64_t key = ((uint64_t)c->dups[i].main << 32 | c->dups[i].sec) + 1;
        uint32_t h = (uint32_t)gen_mix64(key) & (c->dup_cap - 1);
        while (c->dup_set[h] != 0 && (c->dup_set[h] >> 4) != key)
            h = (h + 1) & (c->dup_cap - 1);
        c->dup_set[h] = key << 4 | c->dups[i].freq;
    }
    rc = assign_products(c);
    if (rc == 0)
        rc = build_pools(c);
    if (rc == 0)
        rc = resolve(c, err);
    if (rc != 0)
        goto out;

    c->dx = dx_table;
    c->ndx = FG_ARRAY_LEN(dx_table);
    for (uint32_t i = 0; i < c->ndx && rc == 0; i++)
        for (unsigned w = 1; w <= 4 && rc == 0; w <<= 1)
            if (dx_table[i].where & w)
                rc = pool_push(&c->dx_by_where[w], &c->ndx_by_where[w], i);
out:
    fg_free(L.recs);
    fg_free(L.dups);
    fg_free(L.dup_codes);
    if (rc != 0 && rc != FG_ENOMEM && rc != FG_ECORRUPT && rc != FG_ENOTFOUND && err != NULL &&
        err->code == 0)
        fg_error_set(err, rc, "kb", 0, NULL);
    return rc;
}

int fg__gen_kb_load(const char *dir, fg_kb_t **out, fg_error_t *err)
{
    struct stat st;
    *out = NULL;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return fg_error_set(err, FG_ENOTFOUND, dir, 0,
                            "the knowledge tables %s are missing (give --kb DIR)", dir);
    fg_kb_t *kb = fg_kb_new();
    if (kb == NULL)
        return fg_error_set(err, FG_ENOMEM, "kb", 0, NULL);
    int rc = fg_kb_load_dir(kb, dir, err);
    if (rc == 0)
        rc = fg_kb_seal(kb, err);
    if (rc != 0) {
        fg_kb_free(kb);
        if (rc == FG_ENOMEM)
            return rc;
        if (err != NULL)
            err->code = FG_ECORRUPT; /* bad input, with the loader's file, line and message */
        return FG_ECORRUPT;
    }
    *out = kb;
    return 0;
}

void fg__gen_catalogue_free(gen_catalogue_t *c)
{
    for (int i = 0; i < AR__COUNT; i++)
        fg_free(c->area_pool[i]);
    for (int i = 0; i < 16; i++)
        fg_free(c->lim[i]);
    for (int i = 0; i < 8; i++)
        fg_free(c->dx_by_where[i]);
    fg_free(c->items);
    fg_free(c->pool);
    fg_free(c->dups);
    fg_free(c->dup_set);
    memset(c, 0, sizeof(*c));
}
