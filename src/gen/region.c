/*
 * region.c — the region: its codes and names, institutions, staff, and the pure profile of each
 * person (sex, birth, insurance, residence, chronic conditions, stays, death) that the planner and
 * the care simulation both ask for.
 *
 * Region codes are 6 digits under a real province prefix; cities and counties below it are numbered
 * as the national scheme does (PPCC00 a city, PPCC02… its districts, PPCC21… its counties) and
 * named from syllables (the names are invented). Institution codes are H/P + county + 5 digits,
 * staff codes D/N/Y + county + 6 digits, resident IDs carry a valid ISO 7064 check character.
 */
#include "core/compat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "fundguard/alloc.h"
#include "fundguard/codes.h"
#include "gen/gen_int.h"

/* ---------------------------------------------------------------- names */

static const struct {
    int code;
    const char *name;
} provinces[] = {
    {34, "安徽省"}, {43, "湖南省"}, {33, "浙江省"}, {37, "山东省"},         {41, "河南省"},
    {51, "四川省"}, {36, "江西省"}, {42, "湖北省"}, {45, "广西壮族自治区"}, {32, "江苏省"},
};

static const char *const syl[] = {
    "青", "云", "安", "平", "河", "山", "阳", "清", "东", "西", "南", "北", "丰", "宁", "泉",
    "溪", "林", "石", "城", "湖", "江", "桥", "源", "华", "兴", "隆", "德", "和", "康", "乐",
    "永", "定", "长", "新", "福", "寿", "富", "盛", "龙", "凤", "金", "玉", "白", "桃", "柳",
    "梅", "松", "竹", "明", "光", "嘉", "泰", "昌", "岭", "川", "峰", "溪", "塘", "坪", "浦",
};

static const char *const surnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
    "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
    "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏",
};
/* Zipf-like weights of the surnames above (the first ten carry about 40 %). */
static const uint8_t surname_w[] = {
    72, 72, 68, 55, 50, 37, 25, 22, 21, 20, 16, 16, 13, 13, 12, 12, 11, 10, 10, 9, 9, 9, 8,
    8,  7,  7,  7,  6,  6,  6,  6,  6,  6,  5,  5,  5,  5,  5,  5,  5,  4,  4,  4, 4, 4,
};

static const char *const given_m[] = {
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏",
    "华", "飞", "鑫", "波", "宇", "浩", "凯", "健", "俊", "帆", "旭", "宁", "龙", "林",
    "峰", "成", "国", "建", "文", "志", "海", "东", "晨", "博", "睿", "子",
};
static const char *const given_f[] = {
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀", "玲", "桂", "英", "燕", "萍",
    "红", "梅", "琳", "雪", "婷", "倩", "颖", "洁", "佳", "慧", "晶", "欣", "悦", "璐",
    "瑶", "怡", "兰", "凤", "彤", "琪", "思", "雨", "诗", "涵", "梓", "可",
};

static const char *const chain_brand[] = {
    "康宁", "济民", "百草堂", "仁心", "惠民", "同济", "安康", "德仁", "永安", "福寿",
    "益康", "众和", "泰和",   "万家", "春晖", "天佑", "瑞康", "民生", "恒泰", "嘉禾",
};

static size_t cat_s(char *out, size_t cap, size_t at, const char *s)
{
    size_t n = strlen(s);
    if (at + n + 1 > cap)
        return at;
    memcpy(out + at, s, n);
    out[at + n] = '\0';
    return at + n;
}

static void place_name(gen_rng_t *r, char *out, size_t cap, const char *suffix)
{
    size_t at = 0;
    out[0] = '\0';
    at = cat_s(out, cap, at, syl[rng_below(r, FG_ARRAY_LEN(syl))]);
    at = cat_s(out, cap, at, syl[rng_below(r, FG_ARRAY_LEN(syl))]);
    cat_s(out, cap, at, suffix);
}

static const char *pick_surname(gen_rng_t *r)
{
    static uint32_t total;
    if (total == 0) {
        uint32_t t = 0;
        for (size_t i = 0; i < FG_ARRAY_LEN(surname_w); i++)
            t += surname_w[i];
        total = t;
    }
    uint32_t u = rng_below(r, total);
    for (size_t i = 0; i < FG_ARRAY_LEN(surname_w); i++) {
        if (u < surname_w[i])
            return surnames[i];
        u -= surname_w[i];
    }
    return surnames[0];
}

void fg__gen_person_name(uint64_t seed, uint32_t idx, int sex, char *out, size_t cap)
{
    gen_rng_t r;
    fg__gen_rng_init(&r, seed, ST_NAME, idx);
    const char *const *given = sex == 1 ? given_m : given_f;
    size_t ng = sex == 1 ? FG_ARRAY_LEN(given_m) : FG_ARRAY_LEN(given_f);
    size_t at = cat_s(out, cap, 0, pick_surname(&r));
    at = cat_s(out, cap, at, given[rng_below(&r, (uint32_t)ng)]);
    if (rng_chance(&r, 0.7))
        cat_s(out, cap, at, given[rng_below(&r, (uint32_t)ng)]);
}

/* ---------------------------------------------------------------- departments, roles */

static const char *const dept_codes[DP__COUNT] = {
    "A02", "A03", "A04", "A05", "A07", "A10", "A11",
    "A13", "A15", "A19", "A20", "A21", "A50", "A99",
};
static const char *const dept_names[DP__COUNT] = {
    "全科医疗科", "内科",   "外科",   "妇产科",     "儿科",       "眼科",   "耳鼻咽喉科",
    "皮肤科",     "精神科", "肿瘤科", "急诊医学科", "康复医学科", "中医科", "药剂科",
};

const char *fg__gen_dept_code(int dept)
{
    return dept >= 0 && dept < DP__COUNT ? dept_codes[dept] : "A02";
}

const char *fg__gen_dept_name(int dept)
{
    return dept >= 0 && dept < DP__COUNT ? dept_names[dept] : "全科医疗科";
}

const char *fg__gen_role_name(int role)
{
    static const char *const names[RO__COUNT] = {"doctor", "nurse", "pharmacist", "reviewer",
                                                 "principal"};
    return role >= 0 && role < RO__COUNT ? names[role] : "doctor";
}

/* ---------------------------------------------------------------- resident IDs */

static uint64_t idseq_key(uint32_t county, fg_date_t birth, int sex)
{
    return ((uint64_t)county << 20 | (uint64_t)(uint32_t)(birth + 40000) << 1 |
            (uint64_t)(sex & 1));
}

static int idseq_grow(gen_region_t *r)
{
    uint32_t cap = r->idseq_cap ? r->idseq_cap * 2 : 1u << 16;
    uint64_t *t = fg_calloc(cap, sizeof(*t));
    if (t == NULL)
        return FG_ENOMEM;
    for (uint32_t i = 0; i < r->idseq_cap; i++) {
        uint64_t e = r->idseq[i];
        if (e == 0)
            continue;
        uint64_t key = e >> 12;
        uint32_t h = (uint32_t)gen_mix64(key) & (cap - 1);
        while (t[h] != 0)
            h = (h + 1) & (cap - 1);
        t[h] = e;
    }
    fg_free(r->idseq);
    r->idseq = t;
    r->idseq_cap = cap;
    return 0;
}

int fg__gen_certno(gen_region_t *r, const char *region, fg_date_t birth, int sex, char out[19])
{
    uint32_t county = 0;
    for (int i = 0; i < 6; i++)
        county = county * 10 + (uint32_t)(region[i] - '0');
    if (r->idseq_n * 10 >= (uint64_t)r->idseq_cap * 7) {
        int rc = idseq_grow(r);
        if (rc != 0)
            return rc;
    }
    uint64_t key = idseq_key(county, birth, sex) + 1;
    uint32_t h = (uint32_t)gen_mix64(key) & (r->idseq_cap - 1);
    uint32_t n = 0;
    while (r->idseq[h] != 0) {
        if ((r->idseq[h] >> 12) == key) {
            n = (uint32_t)(r->idseq[h] & 0xfff);
            break;
        }
        h = (h + 1) & (r->idseq_cap - 1);
    }
    if (r->idseq[h] == 0)
        r->idseq_n++;
    r->idseq[h] = key << 12 | (uint64_t)((n + 1) & 0xfff);
    /* Sequence: odd for men, even for women; 500 of each per region and day, then it wraps. */
    uint32_t seq = (n % 500) * 2 + (sex == 1 ? 1 : 0);
    int y, m, d;
    fg_date_to_ymd(birth, &y, &m, &d);
    memcpy(out, region, 6);
    fg__gen_fmt_pad(out + 6, (uint64_t)y, 4);
    fg__gen_fmt_pad(out + 10, (uint64_t)m, 2);
    fg__gen_fmt_pad(out + 12, (uint64_t)d, 2);
    fg__gen_fmt_pad(out + 14, seq, 3);
    out[17] = fg_idcard_check_char(out);
    out[18] = '\0';
    return 0;
}

/* ---------------------------------------------------------------- building the region */

static const double kind_share[IK__COUNT] = {0.02, 0.07, 0.25, 0.24, 0.28, 0.14};

static int county_of_city_district(const gen_region_t *r, uint32_t city, gen_rng_t *rng)
{
    /* The first county of a city is its central district. */
    uint32_t first = GEN_NONE;
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->ncounties; i++) {
        if (r->counties[i].city != city)
            continue;
        if (first == GEN_NONE)
            first = i;
        if (r->counties[i].code[4] == '0')
            n++;
    }
    if (first == GEN_NONE)
        return 0;
    return (int)(first + (n > 0 ? rng_below(rng, n) : 0));
}

static int push_u32(uint32_t **a, uint32_t *n, uint32_t v)
{
    if ((*n & (*n - 1)) == 0) {
        uint32_t cap = *n ? *n * 2 : 4;
        uint32_t *p = fg_realloc_array(*a, cap, sizeof(*p));
        if (p == NULL)
            return FG_ENOMEM;
        *a = p;
    }
    (*a)[(*n)++] = v;
    return 0;
}

static void inst_name(gen_ctx_t *g, gen_inst_t *in, gen_rng_t *r, uint32_t nth_in_county)
{
    const gen_county_t *c = &g->reg.counties[in->county];
    char town[40];
    char buf[320];
    switch (in->kind) {
    case IK_H3:
        if (nth_in_county == 0)
            snprintf(buf, sizeof(buf), "%s第一人民医院", c->name);
        else if (nth_in_county == 1)
            snprintf(buf, sizeof(buf), "%s中心医院", c->name);
        else
            snprintf(buf, sizeof(buf), "%s第%u人民医院", c->name, nth_in_county + 1);
        break;
    case IK_H2: {
        static const char *const kinds[] = {"人民医院",     "中医医院", "妇幼保健院",
                                            "第二人民医院", "骨伤医院", "第三人民医院"};
        snprintf(buf, sizeof(buf), "%s%s", c->name,
                 kinds[nth_in_county < FG_ARRAY_LEN(kinds) ? nth_in_county : 5]);
        if (nth_in_county >= FG_ARRAY_LEN(kinds))
            snprintf(buf, sizeof(buf), "%s第%u医院", c->name, nth_in_county + 1);
        break;
    }
    case IK_H1:
        place_name(r, town, sizeof(town), "");
        if (rng_chance(r, 0.6))
            snprintf(buf, sizeof(buf), "%s%s镇卫生院", c->name, town);
        else
            snprintf(buf, sizeof(buf), "%s%s街道社区卫生服务中心", c->name, town);
        break;
    case IK_CLINIC:
        if (rng_chance(r, 0.5)) {
            snprintf(buf, sizeof(buf), "%s%s诊所", c->name, pick_surname(r));
        } else {
            place_name(r, town, sizeof(town), "村卫生室");
            snprintf(buf, sizeof(buf), "%s%s", c->name, town);
        }
        break;
    case IK_PH_CHAIN:
        place_name(r, town, sizeof(town), "店");
        snprintf(buf, sizeof(buf), "%s大药房连锁有限公司%s%s", g->reg.chain_names[in->chain],
                 c->name, town);
        break;
    default:
        place_name(r, town, sizeof(town), "");
        snprintf(buf, sizeof(buf), "%s%s%s药店", c->name, town, rng_chance(r, 0.5) ? "大" : "");
        break;
    }
    /* Cut at a character boundary if it had to be cut (it never has with these parts). */
    size_t n = strlen(buf);
    if (n >= sizeof(in->name)) {
        n = sizeof(in->name) - 1;
        while (n > 0 && ((unsigned char)buf[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(in->name, buf, n);
    in->name[n] = '\0';
}

static int add_staff(gen_ctx_t *g, uint32_t inst, int role, int dept, uint32_t *county_seq,
                     uint32_t *cap)
{
    gen_region_t *R = &g->reg;
    if (R->nstaff == *cap) {
        uint32_t nc = *cap ? *cap * 2 : 1024;
        gen_staff_t *p = fg_realloc_array(R->staff, nc, sizeof(*p));
        if (p == NULL)
            return FG_ENOMEM;
        R->staff = p;
        *cap = nc;
    }
    gen_staff_t *s = &R->staff[R->nstaff];
    memset(s, 0, sizeof(*s));
    gen_inst_t *in = &R->inst[inst];
    const char *county = R->counties[in->county].code;
    char prefix = role == RO_NURSE                                  ? 'N'
                  : (role == RO_PHARMACIST || role == RO_PRINCIPAL) ? 'Y'
                                                                    : 'D';
    uint32_t *seq = &county_seq[in->county * 3 + (prefix == 'D' ? 0 : prefix == 'N' ? 1 : 2)];
    (*seq)++;
    s->code[0] = prefix;
    memcpy(s->code + 1, county, 6);
    fg__gen_fmt_pad(s->code + 7, *seq, 6);
    s->code[13] = '\0';
    s->role = (uint8_t)role;
    s->dept = (uint8_t)dept;
    s->inst = inst;
    s->susp_begin = FG_DATE_NONE;
    s->susp_end = FG_DATE_NONE;
    gen_rng_t r;
    fg__gen_rng_init(&r, g->seed, ST_STAFF, R->nstaff);
    int sex = role == RO_NURSE ? (rng_chance(&r, 0.95) ? 2 : 1) : (rng_chance(&r, 0.55) ? 1 : 2);
    fg__gen_person_name(g->seed ^ 0x5374616666ULL, R->nstaff, sex, s->name, sizeof(s->name));
    fg_date_t birth = g->y0 - (fg_date_t)rng_range(&r, 24 * 365, 60 * 365);
    int rc = fg__gen_certno(R, county, birth, sex, s->certno);
    if (rc != 0)
        return rc;
    R->nstaff++;
    return 0;
}

/* Departments of a hospital's doctors, by kind. */
static int doctor_dept(int kind, gen_rng_t *r)
{
    static const uint8_t big[] = {DP_MED,   DP_MED,   DP_MED,    DP_MED,  DP_SURG, DP_SURG,
                                  DP_SURG,  DP_OBGYN, DP_OBGYN,  DP_PEDS, DP_PEDS, DP_EYE,
                                  DP_ENT,   DP_SKIN,  DP_PSY,    DP_ONCO, DP_ER,   DP_ER,
                                  DP_REHAB, DP_TCM,   DP_GENERAL};
    static const uint8_t small[] = {DP_GENERAL, DP_GENERAL, DP_GENERAL, DP_MED, DP_MED,
                                    DP_SURG,    DP_PEDS,    DP_OBGYN,   DP_TCM, DP_REHAB};
    if (kind == IK_CLINIC)
        return DP_GENERAL;
    if (kind == IK_H1)
        return small[rng_below(r, FG_ARRAY_LEN(small))];
    return big[rng_below(r, FG_ARRAY_LEN(big))];
}

static int staff_cmp_dept(const void *a, const void *b)
{
    const gen_staff_t *x = a;
    const gen_staff_t *y = b;
    if (x->role != y->role)
        return x->role < y->role ? -1 : 1;
    if (x->dept != y->dept)
        return x->dept < y->dept ? -1 : 1;
    return strcmp(x->code, y->code);
}

static int build_staff(gen_ctx_t *g)
{
    gen_region_t *R = &g->reg;
    uint32_t cap = 0;
    uint32_t *county_seq = fg_calloc((size_t)R->ncounties * 3, sizeof(*county_seq));
    if (county_seq == NULL)
        return FG_ENOMEM;
    int rc = 0;
    for (uint32_t i = 0; i < R->ninst && rc == 0; i++) {
        gen_inst_t *in = &R->inst[i];
        gen_rng_t r;
        fg__gen_rng_init(&r, g->seed, ST_STAFF, 0x100000000ULL + i);
        uint32_t ndoc = 0;
        uint32_t nnurse = 0;
        uint32_t nphar = 0;
        uint32_t nrev = 0;
        uint32_t nprin = 0;
        switch (in->kind) {
        case IK_H3:
            ndoc = in->beds / 5;
            nnurse = ndoc * 6 / 5;
            nphar = 8 + rng_below(&r, 6);
            nrev = 3 + rng_below(&r, 3);
            break;
        case IK_H2:
            ndoc = in->beds / 5;
            nnurse = ndoc * 6 / 5;
            nphar = 3 + rng_below(&r, 3);
            nrev = 1 + rng_below(&r, 2);
            break;
        case IK_H1:
            ndoc = 6 + rng_below(&r, 10);
            nnurse = ndoc;
            nphar = 1;
            nrev = 1;
            break;
        case IK_CLINIC:
            ndoc = 1 + rng_below(&r, 3);
            nnurse = rng_below(&r, 2);
            break;
        default:
            nprin = 1;
            nphar = 1 + rng_below(&r, 2);
            break;
        }
        in->staff_first = R->nstaff;
        for (uint32_t k = 0; k < ndoc && rc == 0; k++)
            rc = add_staff(g, i, RO_DOCTOR, doctor_dept(in->kind, &r), county_seq, &cap);
        for (uint32_t k = 0; k < nnurse && rc == 0; k++)
            rc = add_staff(g, i, RO_NURSE, DP_GENERAL, county_seq, &cap);
        for (uint32_t k = 0; k < nphar && rc == 0; k++)
            rc = add_staff(g, i, RO_PHARMACIST, DP_PHARM, county_seq, &cap);
        for (uint32_t k = 0; k < nrev && rc == 0; k++)
            rc = add_staff(g, i, RO_REVIEWER, DP_GENERAL, county_seq, &cap);
        for (uint32_t k = 0; k < nprin && rc == 0; k++)
            rc = add_staff(g, i, RO_PRINCIPAL, DP_PHARM, county_seq, &cap);
        if (rc != 0)
            break;
        in->nstaff = R->nstaff - in->staff_first;
        /* Sort the institution's staff by role and department, then index the ranges. */
        qsort(R->staff + in->staff_first, in->nstaff, sizeof(gen_staff_t), staff_cmp_dept);
        for (int ro = 0; ro < RO__COUNT; ro++)
            in->role_first[ro] = GEN_NONE;
        for (int d = 0; d < DP__COUNT; d++)
            in->dept_first[d] = GEN_NONE;
        for (uint32_t k = in->staff_first; k < R->nstaff; k++) {
            const gen_staff_t *s = &R->staff[k];
            if (in->role_first[s->role] == GEN_NONE)
                in->role_first[s->role] = k;
            in->role_n[s->role]++;
            if (s->role == RO_DOCTOR) {
                if (in->dept_first[s->dept] == GEN_NONE)
                    in->dept_first[s->dept] = k;
                in->dept_n[s->dept]++;
            }
        }
    }
    fg_free(county_seq);
    return rc;
}

uint32_t fg__gen_pick_doctor(const gen_ctx_t *g, uint32_t inst, int dept, gen_rng_t *r)
{
    const gen_inst_t *in = &g->reg.inst[inst];
    int role = in->kind >= IK_PH_CHAIN ? RO_PHARMACIST : RO_DOCTOR;
    if (role == RO_DOCTOR && dept >= 0 && dept < DP__COUNT && in->dept_n[dept] > 0)
        return in->dept_first[dept] + rng_below(r, in->dept_n[dept]);
    if (in->role_n[role] > 0)
        return in->role_first[role] + rng_below(r, in->role_n[role]);
    if (in->role_n[RO_PRINCIPAL] > 0)
        return in->role_first[RO_PRINCIPAL];
    return in->staff_first;
}

/* Chronic conditions a profile may carry (dx codes); their prevalence: chronic_prev. */
static const char *const chronic_codes[] = {"I10.x00", "E11.900", "J44.900", "I25.100",
                                            "E78.500", "N40.x00", "M81.900", "N18.900"};

/* The cities and counties of the region, weighted by population; *ncities_out: the cities. */
static int region_counties(gen_ctx_t *g, gen_rng_t *r, uint32_t *ncities_out, fg_error_t *err)
{
    gen_region_t *R = &g->reg;
    uint32_t ncities;
    uint32_t per_city_min;
    uint32_t per_city_max;
    switch (g->opt.scale) {
    case FG_GEN_PROVINCE:
        ncities = 16;
        per_city_min = 5;
        per_city_max = 10;
        break;
    case FG_GEN_CITY:
        ncities = 1;
        per_city_min = 10;
        per_city_max = 10;
        break;
    default:
        ncities = 1;
        per_city_min = 1;
        per_city_max = 1;
        break;
    }
    uint32_t cap = ncities * per_city_max;
    R->counties = fg_calloc(cap, sizeof(*R->counties));
    R->county_cdf = fg_calloc(cap, sizeof(double));
    if (R->counties == NULL || R->county_cdf == NULL)
        return fg_error_set(err, FG_ENOMEM, NULL, 0, NULL);
    uint32_t first_city = 1 + rng_below(r, 8);
    double acc = 0.0;
    for (uint32_t c = 0; c < ncities; c++) {
        uint32_t city = first_city + c;
        char cityname[40];
        place_name(r, cityname, sizeof(cityname), "市");
        uint32_t n = (uint32_t)rng_range(r, (int32_t)per_city_min, (int32_t)per_city_max);
        uint32_t ndistricts = n == 1 ? 0 : (n + 2) / 3;
        for (uint32_t k = 0; k < n; k++) {
            gen_county_t *co = &R->counties[R->ncounties];
            uint32_t num = k < ndistricts ? 2 + k : 21 + (k - ndistricts);
            if (n == 1)
                num = 21 + rng_below(r, 8);
            uint32_t code = (uint32_t)R->province * 10000 + city * 100 + num;
            fg__gen_fmt_pad(co->code, code, 6);
            co->code[6] = '\0';
            co->city = c;
            if (k < ndistricts) {
                char d[32];
                place_name(r, d, sizeof(d), "区");
                size_t at = cat_s(co->name, sizeof(co->name), 0, cityname);
                cat_s(co->name, sizeof(co->name), at, d);
            } else {
                place_name(r, co->name, sizeof(co->name), rng_chance(r, 0.2) ? "市" : "县");
            }
            co->weight = fg__gen_lognormal(r, k < ndistricts ? 1.6 : 1.0, 0.35);
            acc += co->weight;
            R->county_cdf[R->ncounties] = acc;
            R->ncounties++;
        }
    }
    for (uint32_t i = 0; i < R->ncounties; i++)
        R->counties[i].weight /= acc;

    *ncities_out = ncities;
    return 0;
}

/* Institutions: counts by kind, placed in counties by population. */
static int region_institutions(gen_ctx_t *g, gen_rng_t *r, uint32_t ncities, fg_error_t *err)
{
    gen_region_t *R = &g->reg;
    uint32_t ninst = g->opt.institutions;
    if (ninst == 0) {
        static const uint32_t by_scale[FG_GEN_SCALE__COUNT] = {14, 50, 500, 5000};
        ninst = by_scale[g->opt.scale];
    }
    uint32_t count[IK__COUNT];
    uint32_t sum = 0;
    for (int k = 0; k < IK__COUNT; k++) {
        count[k] = (uint32_t)floor(kind_share[k] * ninst + 0.5);
        if (count[k] == 0 && k <= IK_H1)
            count[k] = 1;
        if (count[k] == 0 && (k == IK_CLINIC || k == IK_PH_CHAIN))
            count[k] = 1;
        sum += count[k];
    }
    if (sum < ninst)
        count[IK_PH_SINGLE] += ninst - sum;
    R->inst = fg_calloc(ninst + 16, sizeof(*R->inst));
    if (R->inst == NULL)
        return fg_error_set(err, FG_ENOMEM, NULL, 0, NULL);
    uint32_t *serial = fg_calloc(R->ncounties, sizeof(*serial));
    uint32_t *nth = fg_calloc((size_t)R->ncounties * IK__COUNT, sizeof(*nth));
    if (serial == NULL || nth == NULL) {
        fg_free(serial);
        fg_free(nth);
        return fg_error_set(err, FG_ENOMEM, NULL, 0, NULL);
    }
    int rc = 0;
    for (int k = 0; k < IK__COUNT && rc == 0; k++) {
        for (uint32_t j = 0; j < count[k] && rc == 0; j++) {
            gen_inst_t *in = &R->inst[R->ninst];
            in->kind = (uint8_t)k;
            /* Hospitals of level 3 sit in city districts; every county first gets one of each
             * kind of primary care before the rest is spread by population. */
            uint32_t county;
            if (k == IK_H3)
                county = (uint32_t)county_of_city_district(R, j % ncities, r);
            else if (j < R->ncounties && k != IK_H2)
                county = j;
            else if (k == IK_H2 && j < R->ncounties)
                county = j;
            else
                county = fg__gen_pick_cdf(r, R->county_cdf, R->ncounties);
            in->county = county;
            in->chain = k == IK_PH_CHAIN ? rng_below(r, R->nchains) : GEN_NONE;
            in->hosp_lv[0] = k == IK_H3 ? '3' : k == IK_H2 ? '2' : k == IK_H1 ? '1' : '\0';
            in->beds = k == IK_H3   ? (uint32_t)rng_range(r, 800, 2000)
                       : k == IK_H2 ? (uint32_t)rng_range(r, 200, 600)
                       : k == IK_H1 ? (uint32_t)rng_range(r, 20, 80)
                                    : 0;
            in->delivery_wday = (uint8_t)rng_below(r, 7);
            in->susp_begin = FG_DATE_NONE;
            in->susp_end = FG_DATE_NONE;
            serial[county]++;
            in->code[0] = k >= IK_PH_CHAIN ? 'P' : 'H';
            memcpy(in->code + 1, R->counties[county].code, 6);
            fg__gen_fmt_pad(in->code + 7, serial[county], 5);
            in->code[12] = '\0';
            inst_name(g, in, r, nth[county * IK__COUNT + (uint32_t)k]++);
            rc = push_u32(&R->counties[county].inst[k], &R->counties[county].ninst[k], R->ninst);
            R->ninst++;
        }
    }
    fg_free(serial);
    fg_free(nth);
    if (rc != 0)
        return fg_error_set(err, rc, NULL, 0, NULL);

    return 0;
}

/* Hospitals reachable from each county: its own and its city's, weighted by beds. */
static int region_reach(gen_region_t *R, fg_error_t *err)
{
    for (uint32_t ci = 0; ci < R->ncounties; ci++) {
        gen_county_t *co = &R->counties[ci];
        double a = 0.0;
        for (uint32_t i = 0; i < R->ninst; i++) {
            const gen_inst_t *in = &R->inst[i];
            if (in->kind > IK_H1)
                continue;
            int own = in->county == ci;
            int city = R->counties[in->county].city == co->city && in->kind <= IK_H2;
            if (!own && !city)
                continue;
            double w = (double)in->beds * (own ? 1.0 : (in->kind == IK_H3 ? 0.5 : 0.08));
            if (push_u32(&co->hosp, &co->nhosp, i) != 0)
                return fg_error_set(err, FG_ENOMEM, NULL, 0, NULL);
            double *cdf = fg_realloc_array(co->bed_cdf, co->nhosp, sizeof(double));
            if (cdf == NULL)
                return fg_error_set(err, FG_ENOMEM, NULL, 0, NULL);
            co->bed_cdf = cdf;
            a += w;
            cdf[co->nhosp - 1] = a;
        }
    }
    return 0;
}

int fg__gen_region_build(gen_ctx_t *g, fg_error_t *err)
{
    gen_region_t *R = &g->reg;
    /* The chronic conditions' diagnoses in this catalogue (per run: another --kb may differ). */
    for (size_t i = 0; i < FG_ARRAY_LEN(chronic_codes); i++) {
        R->chronic_dx[i] = GEN_NONE;
        for (uint32_t d = 0; d < g->cat.ndx && R->chronic_dx[i] == GEN_NONE; d++)
            if (strcmp(g->cat.dx[d].code, chronic_codes[i]) == 0)
                R->chronic_dx[i] = d;
    }
    gen_rng_t r;
    fg__gen_rng_init(&r, g->seed, ST_REGION, 0);
    size_t pi = rng_below(&r, FG_ARRAY_LEN(provinces));
    R->province = provinces[pi].code;
    snprintf(R->province_name, sizeof(R->province_name), "%s", provinces[pi].name);

    uint32_t ncities = 1;
    int rc = region_counties(g, &r, &ncities, err);
    if (rc != 0)
        return rc;

    /* Chains. */
    R->nchains = g->opt.scale == FG_GEN_PROVINCE ? 20 : g->opt.scale == FG_GEN_CITY ? 10 : 4;
    for (uint32_t i = 0; i < R->nchains; i++)
        snprintf(R->chain_names[i], sizeof(R->chain_names[i]), "%s",
                 chain_brand[(i + rng_below(&r, 3)) % FG_ARRAY_LEN(chain_brand)]);

    rc = region_institutions(g, &r, ncities, err);
    if (rc == 0)
        rc = region_reach(R, err);
    if (rc != 0)
        return rc;
    rc = build_staff(g);
    if (rc != 0)
        return fg_error_set(err, rc, NULL, 0, NULL);
    return 0;
}

void fg__gen_region_free(gen_region_t *r)
{
    for (uint32_t i = 0; i < r->ncounties; i++) {
        for (int k = 0; k < IK__COUNT; k++)
            fg_free(r->counties[i].inst[k]);
        fg_free(r->counties[i].bed_cdf);
        fg_free(r->counties[i].hosp);
    }
    fg_free(r->counties);
    fg_free(r->county_cdf);
    fg_free(r->inst);
    fg_free(r->staff);
    fg_free(r->idseq);
    memset(r, 0, sizeof(*r));
}

/* ---------------------------------------------------------------- persons */

int fg__gen_age(fg_date_t birth, fg_date_t on)
{
    return fg_age_years(birth, on);
}

/* Age pyramid (China, 2020 census, rounded): upper bound of each band and its share in ‰. */
static const uint8_t age_hi[] = {4, 14, 24, 34, 44, 54, 64, 74, 84, 99};
static const uint16_t age_pm[] = {55, 125, 105, 150, 130, 155, 130, 90, 45, 15};

/* The prevalence of each chronic condition (chronic_codes) by age and sex. */
static double chronic_prev(int k, int age, int sex)
{
    switch (k) {
    case 0: /* hypertension */
        return age < 35   ? 0.01
               : age < 45 ? 0.08
               : age < 55 ? 0.18
               : age < 65 ? 0.32
               : age < 75 ? 0.45
                          : 0.55;
    case 1: /* diabetes */
        return age < 40 ? 0.01 : age < 55 ? 0.07 : age < 65 ? 0.12 : 0.16;
    case 2: /* COPD */
        return age < 55 ? 0.0 : age < 70 ? 0.05 : 0.10;
    case 3: /* coronary heart disease */
        return age < 55 ? 0.0 : age < 70 ? 0.05 : 0.12;
    case 4: /* hyperlipidaemia */
        return age < 40 ? 0.0 : 0.06;
    case 5: /* prostate */
        return sex == 1 && age >= 55 ? 0.20 : 0.0;
    case 6: /* osteoporosis */
        return sex == 2 && age >= 55 ? 0.15 : 0.0;
    case 7: /* chronic kidney disease on dialysis */
        return age >= 45 ? 0.0012 : 0.0;
    default:
        return 0.0;
    }
}

uint32_t fg__gen_chronic_dx(const gen_ctx_t *g, int k)
{
    return k >= 0 && k < 8 ? g->reg.chronic_dx[k] : GEN_NONE;
}

static double stay_rate(int age, int sex)
{
    double b = age == 0   ? 0.22
               : age < 5  ? 0.08
               : age < 15 ? 0.03
               : age < 45 ? 0.045
               : age < 60 ? 0.09
               : age < 70 ? 0.16
               : age < 80 ? 0.26
                          : 0.38;
    if (sex == 2 && age >= 20 && age <= 40)
        b += 0.035; /* births */
    return b;
}

static double death_hazard(int age)
{
    if (age == 0)
        return 0.004;
    if (age < 30)
        return 0.0004;
    double h = 0.0005 * exp(0.085 * (age - 30));
    return h > 0.3 ? 0.3 : h;
}

void fg__gen_profile(const gen_ctx_t *g, uint32_t idx, gen_profile_t *p)
{
    gen_rng_t r;
    fg__gen_rng_init(&r, g->seed, ST_PROFILE, idx);
    const gen_region_t *R = &g->reg;
    memset(p, 0, sizeof(*p));
    p->idx = idx;
    p->county = fg__gen_pick_cdf(&r, R->county_cdf, R->ncounties);
    p->sex = (uint8_t)(rng_chance(&r, 0.512) ? 1 : 2);
    /* Age band by the pyramid, then a uniform age and day in it. */
    uint32_t u = rng_below(&r, 1000);
    int lo = 0;
    int hi = 99;
    for (size_t b = 0; b < FG_ARRAY_LEN(age_hi); b++) {
        if (u < age_pm[b]) {
            hi = age_hi[b];
            break;
        }
        u -= age_pm[b];
        lo = age_hi[b] + 1;
    }
    int age = rng_range(&r, lo, hi);
    p->birth = g->y0 - (fg_date_t)(age * 365 + (age / 4)) - (fg_date_t)rng_below(&r, 365);
    if (p->birth > g->y0 + g->ndays - 30)
        p->birth = g->y0 + g->ndays - 30;
    age = fg__gen_age(p->birth, g->y0 + g->ndays / 2);
    if (age < 0)
        age = 0;
    if (age >= 18 && age < 60)
        p->emp = (uint8_t)rng_chance(&r, 0.38);
    else if (age >= 60) {
        p->emp = (uint8_t)rng_chance(&r, 0.28);
        p->retired = p->emp;
    }
    p->frailty = (float)fg__gen_lognormal(&r, 1.0, 0.6);
    if (p->frailty > 8.0f)
        p->frailty = 8.0f;
    int nchronic = 0;
    for (int k = 0; k < 8; k++) {
        if (rng_chance(&r, chronic_prev(k, age, p->sex) * (0.6 + 0.4 * p->frailty))) {
            p->chronic |= 1u << k;
            nchronic++;
        }
    }
    double lam = 0.74 * stay_rate(age, p->sex) * pow(p->frailty, 0.8) * (1.0 + 0.3 * nchronic);
    int ns = fg__gen_poisson(&r, lam);
    p->nstays = (uint8_t)(ns > 5 ? 5 : ns);
    p->death = FG_DATE_NONE;
    double h = death_hazard(age) * sqrt(p->frailty);
    if (rng_chance(&r, h))
        p->death = g->y0 + (fg_date_t)rng_below(&r, (uint32_t)g->ndays);
    /* Usual pharmacies and primary care in the county of residence. */
    const gen_county_t *co = &R->counties[p->county];
    uint32_t nph = co->ninst[IK_PH_CHAIN] + co->ninst[IK_PH_SINGLE];
    for (int k = 0; k < 2; k++) {
        if (nph == 0) {
            p->pharm[k] = GEN_NONE;
            continue;
        }
        uint32_t j = rng_below(&r, nph);
        p->pharm[k] = j < co->ninst[IK_PH_CHAIN]
                          ? co->inst[IK_PH_CHAIN][j]
                          : co->inst[IK_PH_SINGLE][j - co->ninst[IK_PH_CHAIN]];
    }
    uint32_t nprim = co->ninst[IK_H1] + co->ninst[IK_CLINIC];
    if (nprim == 0) {
        p->clinic = co->nhosp > 0 ? co->hosp[0] : 0;
    } else {
        uint32_t j = rng_below(&r, nprim);
        p->clinic =
            j < co->ninst[IK_H1] ? co->inst[IK_H1][j] : co->inst[IK_CLINIC][j - co->ninst[IK_H1]];
    }
}

void fg__gen_psn_no(const gen_ctx_t *g, const gen_profile_t *p, char out[24])
{
    memcpy(out, g->reg.counties[p->county].code, 6);
    fg__gen_fmt_pad(out + 6, (uint64_t)p->idx + 1, 10);
    out[16] = '\0';
}
