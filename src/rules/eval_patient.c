/*
 * eval_patient.c — limits on who may receive a drug or item and where (batches 1, 3, 4, 5, 8-2):
 * one sex only, an age group (儿童 / 婴幼儿 / 新生儿, and the legal working age), one insurance
 * (工伤 / 生育), inpatients only, institutions of a level or above. The line is the violation and
 * its whole amount is at issue.
 */
#include "core/compat.h"

#include <string.h>

#include "rules/rules_int.h"

static const char *sex_text(int g)
{
    return g == 1 ? "男" : g == 2 ? "女" : "未知";
}

static const char *age_group_text(int g)
{
    return g == FG_KB_AGE_CHILD ? "儿童" : g == FG_KB_AGE_INFANT ? "婴幼儿" : "新生儿";
}

/* Is the person in the age group on the date? -1 when the age is unknown. */
static int in_age_group(const rctx_t *c, int group, fg_date_t on)
{
    int age = fg__age(c, on);
    if (age < 0)
        return -1;
    switch (group) {
    case FG_KB_AGE_CHILD:
        return age < c->P->child_age_below;
    case FG_KB_AGE_INFANT:
        return age < c->P->infant_age_below;
    default:
        return fg_days_between(c->brdy, on) <= c->P->neonate_days;
    }
}

static const char *age_rule_text(rctx_t *c, int group)
{
    switch (group) {
    case FG_KB_AGE_CHILD:
        return fg__fmt(c, "未满%d周岁", c->P->child_age_below);
    case FG_KB_AGE_INFANT:
        return fg__fmt(c, "未满%d周岁", c->P->infant_age_below);
    default:
        return fg__fmt(c, "出生%d天内", c->P->neonate_days);
    }
}

static const char *scene_text(int s)
{
    return s == FG_KB_SCENE_INPATIENT  ? "住院"
           : s == FG_KB_SCENE_PHARMACY ? "定点药店购药"
                                       : "门诊";
}

static const char *level_text(int lv)
{
    static const char *const t[] = {"未定级机构", "一级", "二级", "三级"};
    return lv >= 0 && lv <= 3 ? t[lv] : "未定级机构";
}

static void line_facts(rctx_t *c, size_t i)
{
    const rline_t *l = &c->lines[i];
    int line = (int)i;
    for (const fg_kb_fact_t *f = l->facts; f != NULL; f = fg_kb_fact_next(c->kb, f)) {
        switch (f->kind) {
        case FG_KF_DRUG_GENDER:
        case FG_KF_ITEM_GENDER: {
            int rule = f->kind == FG_KF_DRUG_GENDER ? R_GZ0101 : R_GZ0102;
            if (c->gend == 0 || c->gend == f->sub || !fg__rule_on(c, rule))
                break;
            kv_t kv[] = {{"limit", sex_text(f->sub)}, {"sex", sex_text(c->gend)}};
            fg__hit_fact(c, rule, line, l->total, "line_total", f->table, f->row, kv, 2);
            break;
        }
        case FG_KF_DRUG_AGE:
        case FG_KF_ITEM_AGE: {
            int rule = f->kind == FG_KF_DRUG_AGE ? R_GZ0201 : R_GZ0202;
            if (!fg__rule_on(c, rule) || in_age_group(c, f->sub, l->date) != 0)
                break;
            kv_t kv[] = {
                {"limit", fg__fmt(c, "%s（%s）", age_group_text(f->sub), age_rule_text(c, f->sub))},
                {"age", fg__age_text(c, l->date)}};
            fg__hit_fact(c, rule, line, l->total, "line_total", f->table, f->row, kv, 2);
            break;
        }
        case FG_KF_ITEM_WORK_AGE: {
            int age = fg__age(c, l->date);
            int retire = c->gend == 2 ? c->P->retire_age_female : c->P->retire_age_male;
            if (!fg__rule_on(c, R_GZ0203) || age < 0 || (age >= c->P->work_age_min && age < retire))
                break;
            kv_t kv[] = {{"limit", fg__fmt(c, "%d至%d周岁", c->P->work_age_min, retire - 1)},
                         {"age", fg__age_text(c, l->date)}};
            fg__hit_fact(c, R_GZ0203, line, l->total, "line_total", f->table, f->row, kv, 2);
            break;
        }
        case FG_KF_INSURANCE_TYPE: {
            int work = f->sub == FG_KB_INSU_WORK_INJURY;
            int rule = work ? R_GZ0401 : R_GZ0402;
            int ok = work ? fg__in_list(c->P->work_injury_insutypes, c->insutype)
                          : (fg__in_list(c->P->maternity_insutypes, c->insutype) ||
                             fg__in_list(c->P->maternity_med_types, c->med_type));
            if (ok || !fg__rule_on(c, rule))
                break;
            kv_t kv[] = {{"insutype", c->insutype[0] ? c->insutype : "未填"},
                         {"med_type", c->med_type[0] ? c->med_type : "未填"}};
            fg__hit_fact(c, rule, line, l->total, "line_total", f->table, f->row, kv, 2);
            break;
        }
        case FG_KF_CARE_SETTING:
            if (c->scene == f->sub || !fg__rule_on(c, R_GZ0501))
                break;
            {
                kv_t kv[] = {{"limit", scene_text(f->sub)}, {"scene", scene_text(c->scene)}};
                fg__hit_fact(c, R_GZ0501, line, l->total, "line_total", f->table, f->row, kv, 2);
            }
            break;
        case FG_KF_INST_LEVEL:
            if (c->hosp_lv >= f->sub || !fg__rule_on(c, R_GZ0601))
                break;
            {
                kv_t kv[] = {{"limit", level_text(f->sub)}, {"level", level_text(c->hosp_lv)}};
                fg__hit_fact(c, R_GZ0601, line, l->total, "line_total", f->table, f->row, kv, 2);
            }
            break;
        default:
            break;
        }
    }
}

void fg__eval_patient(rctx_t *c)
{
    for (size_t i = 0; i < c->nlines; i++)
        if (c->lines[i].facts != NULL)
            line_facts(c, i);
}
