/*
 * catalogue.c — the rule catalogue: GZ codes, names, families, levels, stages, scenes, objects,
 * knowledge tables and message templates, read from catalogue.csv (compiled in as bytes by CMake;
 * t_rules checks the round trip). The codes are Fundguard's own, aligned
 * with the national rule names (docs/rules.md).
 */
#include "core/compat.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "fundguard/hash.h"
#include "fundguard/log.h"
#include "rules/rules_int.h"

typedef struct rule_src {
    const char *code;
    const char *name;
    const char *family;
    const char *klass;
    const char *level;
    const char *stages;
    const char *scenes;
    const char *objects;
    const char *tables;
    const char *message;
} rule_src_t;

#define NCOLUMNS 10
static const char header[] = "code,name,family,class,level,stages,scenes,objects,tables,message";

/* src/rules/catalogue.csv as bytes, written by CMake into the build tree (CMakeLists.txt). */
static const unsigned char catalogue_csv[] = {
#include "rules/catalogue_csv.inc"
    0};

static const char *const codes[R__COUNT] = {
#define FG__RULE_NAME(code) #code,
    FG__RULE_CODES(FG__RULE_NAME)
#undef FG__RULE_NAME
};

/* The rows, split in place in a copy of the bytes (no allocation: the catalogue cannot fail). */
static char csv_text[sizeof(catalogue_csv)];
static rule_src_t sources[R__COUNT];

static const char *const family_names[FG_FAM__COUNT] = {
    [FG_FAM_DECEASED] = "deceased",
    [FG_FAM_NOT_INSURED] = "not_insured",
    [FG_FAM_STAFF_SUSPENDED] = "staff_suspended",
    [FG_FAM_INSTITUTION_SUSPENDED] = "institution_suspended",
    [FG_FAM_NO_TRACE_CODE] = "no_trace_code",
    [FG_FAM_GENDER] = "gender",
    [FG_FAM_AGE] = "age",
    [FG_FAM_SURGERY_DISCOUNT] = "surgery_discount",
    [FG_FAM_INSURANCE_TYPE] = "insurance_type",
    [FG_FAM_CARE_SETTING] = "care_setting",
    [FG_FAM_INSTITUTION_LEVEL] = "institution_level",
    [FG_FAM_DRUG_COURSE] = "drug_course",
    [FG_FAM_DUPLICATE_CHARGE] = "duplicate_charge",
    [FG_FAM_FREQUENCY] = "frequency",
    [FG_FAM_CYCLE_FREQUENCY] = "cycle_frequency",
    [FG_FAM_ITEM_COURSE] = "item_course",
    [FG_FAM_PRICE_CAP] = "price_cap",
    [FG_FAM_INDICATION] = "indication",
    [FG_FAM_MAX_QUANTITY] = "max_quantity",
    [FG_FAM_UNBUNDLING] = "unbundling",
    [FG_FAM_DIAGNOSIS_SEX_AGE] = "diagnosis_sex_age",
    [FG_FAM_BILLING_DATE] = "billing_date",
    [FG_FAM_FREQUENT_VISITS] = "frequent_visits",
};

static fg_rule_t rules[R__COUNT];
static char version[48];
static pthread_once_t once = PTHREAD_ONCE_INIT;

int fg_family_parse(const char *name)
{
    for (int i = 0; i < FG_FAM__COUNT; i++)
        if (strcmp(family_names[i], name) == 0)
            return i;
    return -1;
}

const char *fg_family_name(fg_family_t f)
{
    return (unsigned)f < FG_FAM__COUNT ? family_names[f] : "";
}

static unsigned parse_bits(const char *list, const char *const *names, size_t n)
{
    unsigned bits = 0;
    for (size_t i = 0; i < n; i++)
        if (names[i] != NULL && fg__in_list(list, names[i]))
            bits |= 1u << i;
    return bits;
}

/* Cut the line at p into NCOLUMNS fields; returns the start of the next line. The catalogue has no
 * quoted fields (a message needing a ',' uses '，'). */
static char *split_row(char *p, const char **f)
{
    for (size_t k = 0; k < NCOLUMNS; k++) {
        f[k] = p;
        size_t n = strcspn(p, ",\n\"");
        if (p[n] == '"' || (k + 1 < NCOLUMNS ? p[n] != ',' : p[n] != '\n'))
            FG_BUG("catalogue.csv: every row has 10 unquoted fields and ends with a newline");
        p[n] = '\0';
        p += n + 1;
    }
    return p;
}

static void parse_csv(void)
{
    memcpy(csv_text, catalogue_csv, sizeof(csv_text));
    size_t hn = strlen(header);
    if (strncmp(csv_text, header, hn) != 0 || csv_text[hn] != '\n')
        FG_BUG("catalogue.csv: the header is not code,name,family,class,level,stages,…");
    char *p = csv_text + hn + 1;
    for (size_t i = 0; i < R__COUNT; i++) {
        const char *f[NCOLUMNS];
        if (*p == '\0')
            FG_BUG("catalogue.csv: fewer rows than rules with an evaluator (rules_int.h)");
        p = split_row(p, f);
        if (strcmp(f[0], codes[i]) != 0)
            FG_BUG(
                "catalogue.csv: the codes differ from FG__RULE_CODES (rules_int.h) or their order");
        sources[i] = (rule_src_t){f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9]};
    }
    if (*p != '\0')
        FG_BUG("catalogue.csv: a rule without an evaluator (add it to FG__RULE_CODES)");
}

static void init(void)
{
    static const char *const stage_names[] = {"pre", "in", "post"};
    static const char *const scene_names[] = {NULL, "门诊", "住院", "购药"};
    parse_csv();
    fg_buf_t b;
    fg_buf_init(&b, 1 << 20);
    for (size_t i = 0; i < R__COUNT; i++) {
        const rule_src_t *s = &sources[i];
        int fam = fg_family_parse(s->family);
        if (fam < 0)
            FG_BUG("catalogue.csv: unknown family");
        rules[i] = (fg_rule_t){
            .code = s->code,
            .name = s->name,
            .family = (fg_family_t)fam,
            .klass = s->klass,
            .level = strcmp(s->level, "definite") == 0 ? FG_LEVEL_DEFINITE : FG_LEVEL_SUSPICIOUS,
            .stages = parse_bits(s->stages, stage_names, 3),
            .scenes = parse_bits(s->scenes, scene_names, 4),
            .objects = s->objects,
            .tables = s->tables,
            .message = s->message,
        };
        fg_buf_printf(&b, "%s|%s|%s|%s|%s|%s|%s|%s|%s|%s\n", s->code, s->name, s->family, s->klass,
                      s->level, s->stages, s->scenes, s->objects, s->tables, s->message);
    }
    char digest[65];
    fg_sha256_hex(b.data != NULL ? b.data : "", b.len, digest);
    digest[12] = '\0';
    snprintf(version, sizeof(version), "rules-%d@%.12s", (int)R__COUNT, digest);
    fg_buf_release(&b);
}

size_t fg_rules_count(void)
{
    return R__COUNT;
}

const fg_rule_t *fg_rule(fg_rule_id_t id)
{
    pthread_once(&once, init);
    return id >= 0 && id < R__COUNT ? &rules[id] : NULL;
}

const fg_rule_t *fg_rule_find(const char *code)
{
    pthread_once(&once, init);
    for (size_t i = 0; i < R__COUNT; i++)
        if (strcmp(rules[i].code, code) == 0)
            return &rules[i];
    return NULL;
}

const char *fg_rules_version(void)
{
    pthread_once(&once, init);
    return version;
}

const char *fg_stage_name(fg_stage_t s)
{
    return s == FG_STAGE_PRE ? "pre" : s == FG_STAGE_IN ? "in" : s == FG_STAGE_POST ? "post" : "";
}

int fg_stage_parse(const char *name)
{
    if (strcmp(name, "pre") == 0)
        return FG_STAGE_PRE;
    if (strcmp(name, "in") == 0)
        return FG_STAGE_IN;
    if (strcmp(name, "post") == 0)
        return FG_STAGE_POST;
    return -1;
}

const char *fg_verdict_name(fg_verdict_t v)
{
    static const char *const names[] = {"pass", "remind", "hold", "block"};
    return (unsigned)v < 4 ? names[v] : "";
}

const char *fg_level_name(fg_level_t l)
{
    return l == FG_LEVEL_DEFINITE ? "definite" : "suspicious";
}

/* A CSV field, quoted only when it must be. */
static int csv_field(fg_buf_t *b, const char *s, int last)
{
    int rc;
    if (strpbrk(s, ",\"\n\r") != NULL) {
        rc = fg_buf_appendc(b, '"');
        for (; *s != '\0' && rc == 0; s++)
            rc = *s == '"' ? fg_buf_append(b, "\"\"", 2) : fg_buf_appendc(b, *s);
        if (rc == 0)
            rc = fg_buf_appendc(b, '"');
    } else {
        rc = fg_buf_appends(b, s);
    }
    if (rc == 0)
        rc = fg_buf_appendc(b, last ? '\n' : ',');
    return rc;
}

int fg_rules_catalogue_csv(fg_buf_t *out)
{
    pthread_once(&once, init);
    int rc = fg_buf_printf(out, "%s\n", header);
    for (size_t i = 0; i < R__COUNT && rc == 0; i++) {
        const rule_src_t *s = &sources[i];
        const char *f[] = {s->code,   s->name,   s->family,  s->klass,  s->level,
                           s->stages, s->scenes, s->objects, s->tables, s->message};
        for (size_t k = 0; k < FG_ARRAY_LEN(f) && rc == 0; k++)
            rc = csv_field(out, f[k], k + 1 == FG_ARRAY_LEN(f));
    }
    return rc;
}

int fg_rules_catalogue_text(fg_buf_t *out)
{
    int rc = fg_buf_printf(out, "%s (%s)\n\n", "rule catalogue", fg_rules_version());
    for (size_t i = 0; i < R__COUNT && rc == 0; i++) {
        const rule_src_t *s = &sources[i];
        rc = fg_buf_printf(out, "%s  %-20s %-10s %-11s %s\n        %s\n        tables: %s\n",
                           s->code, s->family, s->level, s->stages, s->name, s->message, s->tables);
    }
    return rc;
}
