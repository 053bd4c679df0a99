/*
 * truth.c — a screen's findings against a generated region's ground truth (truth.csv of
 * `fundguard gen`): per model, recall (the cases of its scenarios that a finding of the model
 * names) and precision (the findings that name some case the model may rightly find).
 *
 * THE ONE PLACE where scenarios meet models (docs/screen.md "Measuring against truth.csv"):
 * SCENARIOS says which model must find each scenario (recall) and how a finding "names its keys";
 * ALSO says which other scenarios' cases a model's findings may rightly name (precision) — a
 * duplicated pack also breaks the stock reconciliation, a reflowed pack is also sold twice, an
 * injected case settled at a suspended institution is settled during the suspension, and the
 * review engine's rules fire on any injected case.
 */
#include "core/compat.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fundguard/alloc.h"
#include "fundguard/codes.h"
#include "screen/screen_int.h"

/* What must agree between a finding and a case (all the bits given). */
enum {
    K_CODE = 1u << 0,  /* drug_trac_codg (normalised) */
    K_INST = 1u << 1,  /* finding fixmedins_code is one of the case's */
    K_PSN = 1u << 2,   /* finding psn_no (or one of psn_nos) is one of the case's */
    K_STAFF = 1u << 3, /* staff_code */
    K_SETL = 1u << 4,  /* a setl_id in common */
    K_MDTRT = 1u << 5, /* a mdtrt_id in common */
    K_LINE = 1u << 6,  /* a feedetl_sn in common (else, when the case has none, a settlement) */
    K_DRUG = 1u << 7,  /* med_list_codg */
    K_GROUP = 1u << 8, /* psn_nos hold at least half of the case's persons */
    K_FAMILY = 1u << 9 /* evidence.family is the scenario's rule family */
};

static const struct scenario {
    const char *scenario; /* truth.csv */
    const char *model;
    unsigned keys;
    const char *family; /* K_FAMILY: the review engine's family (docs/rules.md) */
} SCENARIOS[] = {
    {"trace_dup_same_inst", "trace_duplicate", K_CODE, NULL},
    {"trace_dup_other_inst", "trace_duplicate", K_CODE, NULL},
    {"trace_reflow", "trace_reflow", K_CODE | K_INST, NULL},
    {"trace_sold_repurchased", "trace_reflow", K_CODE | K_INST, NULL},
    {"trace_sale_unpurchased", "sale_unpurchased", K_INST | K_LINE, NULL},
    {"settle_after_death", "after_death", K_PSN | K_SETL, NULL},
    {"staff_suspended_billing", "staff_suspended", K_STAFF | K_SETL, NULL},
    {"inst_suspended_billing", "institution_suspended", K_INST | K_SETL, NULL},
    {"care_during_stay", "care_during_stay", K_PSN | K_MDTRT, NULL},
    {"readmission_15d", "readmission", K_PSN | K_MDTRT, NULL},
    {"frequent_visits", "frequent_visits", K_PSN, NULL},
    {"quantity_excess", "quantity_excess", K_PSN | K_DRUG, NULL},
    {"injury_third_party", "injury_third_party", K_PSN | K_SETL, NULL},
    {"invoice_duplicate", "invoice_duplicate", K_SETL, NULL},
    {"peer_outlier", "peer_outlier", K_INST, NULL},
    {"covisit_group", "covisit_group", K_GROUP, NULL},
    {"staff_overload", "staff_overload", K_STAFF, NULL},
    {"rule_gender_drug", "rule", K_FAMILY | K_LINE, "gender"},
    {"rule_gender_item", "rule", K_FAMILY | K_LINE, "gender"},
    {"rule_child_drug", "rule", K_FAMILY | K_LINE, "age"},
    {"rule_age_item", "rule", K_FAMILY | K_LINE, "age"},
    {"rule_surgery_discount", "rule", K_FAMILY | K_LINE, "surgery_discount"},
    {"rule_insurance_type", "rule", K_FAMILY | K_LINE, "insurance_type"},
    {"rule_inpatient_only", "rule", K_FAMILY | K_LINE, "care_setting"},
    {"rule_inst_level", "rule", K_FAMILY | K_LINE, "institution_level"},
    {"rule_drug_course", "rule", K_FAMILY | K_LINE, "drug_course"},
    {"rule_duplicate_charge", "rule", K_FAMILY | K_LINE, "duplicate_charge"},
    {"rule_item_frequency", "rule", K_FAMILY | K_LINE, "frequency"},
    {"rule_item_course", "rule", K_FAMILY | K_LINE, "item_course"},
    {"rule_period_frequency", "rule", K_FAMILY | K_LINE, "cycle_frequency"},
    {"rule_price_cap", "rule", K_FAMILY | K_LINE, "price_cap"},
    {"rule_billing_outside_stay", "rule", K_FAMILY | K_LINE, "billing_date"},
    {"rule_diag_gender", "rule", K_FAMILY | K_SETL, "diagnosis_sex_age"},
    {"rule_indication", "rule", K_FAMILY | K_LINE, "indication"},
};
#define NSCEN (sizeof(SCENARIOS) / sizeof(SCENARIOS[0]))

/* Precision: other scenarios whose cases a model's findings may rightly name, with the keys. A
 * scenario of "*" stands for every scenario (the engine's rules fire on any injected case). */
static const struct also {
    const char *model;
    const char *scenario;
    unsigned keys;
} ALSO[] = {
    {"sale_unpurchased", "trace_dup_other_inst", K_CODE},
    {"trace_duplicate", "trace_reflow", K_CODE},
    {"trace_duplicate", "trace_sold_repurchased", K_CODE},
    {"stock_mismatch", "trace_sale_unpurchased", K_INST | K_DRUG},
    {"stock_mismatch", "trace_dup_same_inst", K_INST | K_DRUG},
    {"stock_mismatch", "trace_dup_other_inst", K_INST | K_DRUG},
    {"stock_mismatch", "trace_reflow", K_INST | K_DRUG},
    {"stock_mismatch", "trace_sold_repurchased", K_INST | K_DRUG},
    {"institution_suspended", "*", K_SETL},
    {"rule", "*", K_SETL},
    {"rule", "*", K_MDTRT},
    {"rule", "*", K_PSN},
};
#define NALSO (sizeof(ALSO) / sizeof(ALSO[0]))

/* stock_mismatch has no scenario of its own: its recall is over trace_sale_unpurchased (a pack
 * sold that never came in leaves the books short of the count). */
static const struct scenario STOCK_RECALL = {"trace_sale_unpurchased", "stock_mismatch",
                                             K_INST | K_DRUG, NULL};

typedef struct tcase {
    const fg_truth_t *t;
    char code[FG_ID_NORM_MAX];
} tcase_t;

typedef struct finding {
    json_t *j;
    const char *model;
    int correct;
} finding_t;

/* 1 when `id` is one of the ';'-separated ids of list. */
static int in_list(const char *list, const char *id)
{
    size_t n = strlen(id);
    if (n == 0)
        return 0;
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ';');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && strncmp(p, id, n) == 0)
            return 1;
        p += len + (e != NULL);
    }
    return 0;
}

static size_t list_count(const char *list)
{
    size_t n = list[0] != '\0';
    for (const char *p = list; *p; p++)
        n += *p == ';';
    return n;
}

static const char *jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s != NULL ? s : "";
}

/* How many ids of the finding's array `k` are in list. */
static size_t common(json_t *o, const char *k, const char *list)
{
    json_t *a = json_object_get(o, k);
    size_t i;
    json_t *v;
    size_t n = 0;
    json_array_foreach(a, i, v)
    {
        const char *s = json_string_value(v);
        n += s != NULL && in_list(list, s);
    }
    return n;
}

static int names(json_t *f, const tcase_t *c, unsigned keys, const char *family)
{
    const fg_truth_t *t = c->t;
    if ((keys & K_CODE) && (c->code[0] == '\0' || strcmp(jstr(f, "drug_trac_codg"), c->code)))
        return 0;
    if ((keys & K_INST) && !in_list(t->fixmedins_code, jstr(f, "fixmedins_code")))
        return 0;
    if ((keys & K_PSN) && !in_list(t->psn_no, jstr(f, "psn_no")) &&
        common(f, "psn_nos", t->psn_no) == 0)
        return 0;
    if ((keys & K_STAFF) &&
        (t->staff_code[0] == '\0' || strcmp(jstr(f, "staff_code"), t->staff_code)))
        return 0;
    if ((keys & K_SETL) && common(f, "setl_ids", t->setl_id) == 0)
        return 0;
    if ((keys & K_MDTRT) && common(f, "mdtrt_ids", t->mdtrt_id) == 0)
        return 0;
    if ((keys & K_LINE) && (t->feedetl_sn[0] ? common(f, "feedetl_sns", t->feedetl_sn) == 0
                                             : common(f, "setl_ids", t->setl_id) == 0 &&
                                                   common(f, "mdtrt_ids", t->mdtrt_id) == 0))
        return 0;
    if ((keys & K_DRUG) &&
        (t->med_list_codg[0] == '\0' || strcmp(jstr(f, "med_list_codg"), t->med_list_codg)))
        return 0;
    if ((keys & K_GROUP) && 2 * common(f, "psn_nos", t->psn_no) < list_count(t->psn_no))
        return 0;
    if ((keys & K_FAMILY) &&
        strcmp(json_string_value(json_object_get(json_object_get(f, "evidence"), "family"))
                   ? json_string_value(json_object_get(json_object_get(f, "evidence"), "family"))
                   : "",
               family) != 0)
        return 0;
    return 1;
}

static int load_truth(const char *path, fg_truth_t **out, size_t *n, fg_error_t *err)
{
    fg_table_reader_t *r = NULL;
    int rc = fg_table_open(FG_TABLE_TRUTH, path, NULL, NULL, &r, err);
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    fg_truth_t rec;
    while (rc == 0 && fg_table_next(r, &rec) > 0) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 1024;
            fg_truth_t *v = fg_realloc_array(*out, cap, sizeof(*v));
            if (v == NULL) {
                rc = FG_ENOMEM;
                break;
            }
            *out = v;
        }
        (*out)[(*n)++] = rec;
    }
    fg_table_close(r);
    return rc;
}

static int load_findings(const char *path, finding_t **out, size_t *n, fg_error_t *err)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return fg_error_set(err, FG_ENOTFOUND, path, 0, "cannot read %s", path);
    char *line = NULL;
    size_t lcap = 0;
    size_t cap = 0;
    int rc = 0;
    long no = 0;
    *out = NULL;
    *n = 0;
    while (rc == 0 && getline(&line, &lcap, f) > 0) {
        no++;
        json_error_t je;
        json_t *j = json_loads(line, 0, &je);
        if (j == NULL) {
            rc = fg_error_set(err, FG_E_JSON, path, 0, "%s: line %ld: %s", path, no, je.text);
            break;
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 1024;
            finding_t *v = fg_realloc_array(*out, cap, sizeof(*v));
            if (v == NULL) {
                json_decref(j);
                rc = FG_ENOMEM;
                break;
            }
            *out = v;
        }
        (*out)[(*n)++] = (finding_t){.j = j, .model = jstr(j, "model")};
    }
    free(line);
    fclose(f);
    return rc;
}

/* Per model: cases, found; findings, correct; amount. */
typedef struct tally {
    const char *model;
    size_t cases, found, findings, correct;
    long long amount;
} tally_t;

static tally_t *tally_of(tally_t *t, size_t *nt, const char *model)
{
    for (size_t i = 0; i < *nt; i++)
        if (strcmp(t[i].model, model) == 0)
            return &t[i];
    if (*nt >= 64)
        return NULL;
    t[*nt] = (tally_t){.model = model};
    return &t[(*nt)++];
}

static void recall(const struct scenario *sc, const tcase_t *cases, size_t nc, finding_t *fs,
                   size_t nf, tally_t *t)
{
    for (size_t c = 0; c < nc; c++) {
        if (strcmp(cases[c].t->scenario, sc->scenario) != 0)
            continue;
        t->cases++;
        for (size_t i = 0; i < nf; i++)
            if (strcmp(fs[i].model, sc->model) == 0 &&
                names(fs[i].j, &cases[c], sc->keys, sc->family)) {
                t->found++;
                break;
            }
    }
}

static void precision(const tcase_t *cases, size_t nc, finding_t *f)
{
    for (size_t c = 0; c < nc && !f->correct; c++) {
        const char *scen = cases[c].t->scenario;
        for (size_t s = 0; s < NSCEN && !f->correct; s++)
            if (strcmp(SCENARIOS[s].model, f->model) == 0 &&
                strcmp(SCENARIOS[s].scenario, scen) == 0 &&
                names(f->j, &cases[c], SCENARIOS[s].keys, SCENARIOS[s].family))
                f->correct = 1;
        for (size_t a = 0; a < NALSO && !f->correct; a++)
            if (strcmp(ALSO[a].model, f->model) == 0 &&
                (strcmp(ALSO[a].scenario, "*") == 0 || strcmp(ALSO[a].scenario, scen) == 0) &&
                names(f->j, &cases[c], ALSO[a].keys, NULL))
                f->correct = 1;
    }
}

static int report(tally_t *t, size_t nt, fg_buf_t *out)
{
    int rc = fg_buf_printf(out, "%-22s %6s %6s %7s %8s %8s %9s %14s\n", "model", "cases", "found",
                           "recall", "findings", "correct", "precision", "amount (yuan)");
    for (size_t i = 0; rc == 0 && i < nt; i++) {
        char r[16] = "-";
        char p[16] = "-";
        if (t[i].cases)
            snprintf(r, sizeof(r), "%.3f", (double)t[i].found / (double)t[i].cases);
        if (t[i].findings)
            snprintf(p, sizeof(p), "%.3f", (double)t[i].correct / (double)t[i].findings);
        char amt[FG_MONEY_TEXTLEN];
        fg_money_format(t[i].amount, amt);
        rc = fg_buf_printf(out, "%-22s %6zu %6zu %7s %8zu %8zu %9s %14s\n", t[i].model, t[i].cases,
                           t[i].found, r, t[i].findings, t[i].correct, p, amt);
    }
    return rc;
}

int fg_screen_truth(const char *truth_csv, const char *findings_jsonl, fg_buf_t *out,
                    fg_error_t *err)
{
    fg_truth_t *truth = NULL;
    size_t nt = 0;
    finding_t *fs = NULL;
    size_t nf = 0;
    tcase_t *cases = NULL;
    int rc = load_truth(truth_csv, &truth, &nt, err);
    if (rc == 0)
        rc = load_findings(findings_jsonl, &fs, &nf, err);
    if (rc == 0 && (cases = fg_calloc(nt ? nt : 1, sizeof(*cases))) == NULL)
        rc = FG_ENOMEM;
    for (size_t i = 0; rc == 0 && i < nt; i++) {
        cases[i].t = &truth[i];
        fg_trace_code_t tc;
        if (truth[i].drug_trac_codg[0] &&
            fg_trace_parse(truth[i].drug_trac_codg, strlen(truth[i].drug_trac_codg), &tc, NULL) ==
                0)
            FG__SCREEN_SET(cases[i].code, tc.key);
    }
    tally_t tally[64];
    size_t ntally = 0;
    /* Every registered model appears, in registry order; then models only the findings name. */
    for (size_t i = 0; i < fg__screen_nmodels; i++)
        tally_of(tally, &ntally, fg__screen_models[i]->name);
    for (size_t s = 0; rc == 0 && s < NSCEN; s++) {
        tally_t *t = tally_of(tally, &ntally, SCENARIOS[s].model);
        if (t != NULL)
            recall(&SCENARIOS[s], cases, nt, fs, nf, t);
    }
    tally_t *st = tally_of(tally, &ntally, STOCK_RECALL.model);
    if (rc == 0 && st != NULL)
        recall(&STOCK_RECALL, cases, nt, fs, nf, st);
    for (size_t i = 0; rc == 0 && i < nf; i++) {
        tally_t *t = tally_of(tally, &ntally, fs[i].model);
        if (t == NULL)
            continue;
        precision(cases, nt, &fs[i]);
        t->findings++;
        t->correct += (size_t)fs[i].correct;
        t->amount += json_integer_value(json_object_get(fs[i].j, "amount"));
    }
    if (rc == 0)
        rc = report(tally, ntally, out);
    for (size_t i = 0; i < nf; i++)
        json_decref(fs[i].j);
    fg_free(fs);
    fg_free(cases);
    fg_free(truth);
    return rc;
}
