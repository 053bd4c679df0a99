/*
 * slice.c — parameters (params.csv) and replay slices.
 *
 * A slice is text, one record a line, fields separated by tabs (tab, newline and backslash escaped
 * as \t \n \\): V <version>                                   the original knowledge base's version
 *   T <index> <stem> <version> <family>           every table (so facts keep their table index)
 *   F <kind> <sub> <table> <row> <a> <b> <code> <name> <ref> <text>     one fact
 *   D <prefix> <name> <gend> <min_age> <max_age> <table> <row>          one diagnosis limit
 *   B <index> <code> <name> <pric> <min_parts> <scope> <table> <row>    one bundle
 *   L <scene> <window_days> <max_visits> <table> <row>                  one visit threshold
 *   P <key> <value>                                one parameter
 * Loading a slice rebuilds exactly those facts, so a decision can be reproduced after the tables
 * have changed (docs/kb.md, "Replay").
 */
#include "core/compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fundguard/alloc.h"
#include "fundguard/datetime.h"
#include "kb/kb_int.h"

/* ---------------------------------------------------------------- parameters */

void fg__kb_params_default(fg_kb_params_t *p)
{
    memset(p, 0, sizeof(*p));
    p->child_age_below = 18;
    p->infant_age_below = 3;
    p->neonate_days = 28;
    p->work_age_min = 16;
    p->retire_age_male = 60;
    p->retire_age_female = 55;
    fg_date_from_ymd(2025, 7, 1, &p->trace_cutover);
    p->surgery_discount_pct = 50;
    p->course_gap_days = 30;
    p->history_days = 400;
    snprintf(p->emergency_med_types, sizeof(p->emergency_med_types), "13");
    p->work_injury_insutypes[0] = '\0';
    snprintf(p->maternity_insutypes, sizeof(p->maternity_insutypes), "510");
    snprintf(p->maternity_med_types, sizeof(p->maternity_med_types), "51|52|53");
    p->table = UINT16_MAX;
}

typedef struct param_def {
    const char *key;
    int type; /* 0 int, 1 date, 2 text */
    size_t offset;
    long min;
    long max;
    size_t size;
} param_def_t;

#define PI(k, lo, hi)                                                                              \
    {                                                                                              \
#k, 0, offsetof(fg_kb_params_t, k), lo, hi, 0                                              \
    }
#define PT(k)                                                                                      \
    {                                                                                              \
#k, 2, offsetof(fg_kb_params_t, k), 0, 0, sizeof(((fg_kb_params_t *)0)->k)                 \
    }

static const param_def_t param_defs[] = {
    PI(child_age_below, 1, 150),
    PI(infant_age_below, 1, 150),
    PI(neonate_days, 1, 3650),
    PI(work_age_min, 0, 150),
    PI(retire_age_male, 1, 150),
    PI(retire_age_female, 1, 150),
    {"trace_cutover", 1, offsetof(fg_kb_params_t, trace_cutover), 0, 0, 0},
    PI(surgery_discount_pct, 0, 100),
    PI(course_gap_days, 1, 3660),
    PI(history_days, 1, 36600),
    PT(emergency_med_types),
    PT(work_injury_insutypes),
    PT(maternity_insutypes),
    PT(maternity_med_types),
};

int fg__kb_param_set(fg_kb_params_t *p, const char *key, const char *value, size_t n,
                     fg_error_t *err)
{
    for (size_t i = 0; i < FG_ARRAY_LEN(param_defs); i++) {
        const param_def_t *d = &param_defs[i];
        if (strcmp(d->key, key) != 0)
            continue;
        char *at = (char *)p + d->offset;
        if (d->type == 0) {
            int64_t v;
            if (fg_int_parse(value, n, &v, NULL) != 0 || v < d->min || v > d->max)
                return fg_error_set(err, FG_E_RANGE, key, 0, "%s is a whole number from %ld to %ld",
                                    key, d->min, d->max);
            int iv = (int)v;
            memcpy(at, &iv, sizeof(iv));
        } else if (d->type == 1) {
            fg_date_t dt;
            if (fg_date_parse(value, n, &dt, NULL) != 0)
                return fg_error_set(err, FG_E_DATE_FORMAT, key, 0, "%s is a date like 2025-07-01",
                                    key);
            memcpy(at, &dt, sizeof(dt));
        } else {
            if (n >= d->size)
                return fg_error_set(err, FG_E_TOO_LONG, key, 0, "%s is at most %zu characters", key,
                                    d->size - 1);
            memcpy(at, value, n);
            at[n] = '\0';
        }
        return 0;
    }
    return fg_error_set(err, FG_ENOTFOUND, key, 0, "unknown parameter '%s' (docs/kb.md lists them)",
                        key);
}

int fg__kb_params_write(const fg_kb_params_t *p, fg_buf_t *out)
{
    int rc = 0;
    for (size_t i = 0; i < FG_ARRAY_LEN(param_defs) && rc == 0; i++) {
        const param_def_t *d = &param_defs[i];
        const char *at = (const char *)p + d->offset;
        if (d->type == 0) {
            int v;
            memcpy(&v, at, sizeof(v));
            rc = fg_buf_printf(out, "P\t%s\t%d\n", d->key, v);
        } else if (d->type == 1) {
            fg_date_t dt;
            char text[FG_DATE_TEXTLEN + 1];
            memcpy(&dt, at, sizeof(dt));
            fg_date_format(dt, text);
            rc = fg_buf_printf(out, "P\t%s\t%s\n", d->key, text);
        } else {
            rc = fg_buf_printf(out, "P\t%s\t%s\n", d->key, at);
        }
    }
    return rc;
}

/* ---------------------------------------------------------------- writing */

static int put_text(fg_buf_t *b, const char *s)
{
    int rc = fg_buf_appendc(b, '\t');
    for (; *s != '\0' && rc == 0; s++) {
        if (*s == '\t')
            rc = fg_buf_append(b, "\\t", 2);
        else if (*s == '\n')
            rc = fg_buf_append(b, "\\n", 2);
        else if (*s == '\r')
            rc = fg_buf_append(b, "\\r", 2);
        else if (*s == '\\')
            rc = fg_buf_append(b, "\\\\", 2);
        else
            rc = fg_buf_appendc(b, *s);
    }
    return rc;
}

int fg_kb_slice_begin(const fg_kb_t *kb, fg_buf_t *out)
{
    int rc = fg_buf_appends(out, "V");
    if (rc == 0)
        rc = put_text(out, kb->version);
    if (rc == 0)
        rc = fg_buf_appendc(out, '\n');
    for (size_t i = 0; i < kb->ntables && rc == 0; i++) {
        rc = fg_buf_printf(out, "T\t%zu", i);
        if (rc == 0)
            rc = put_text(out, kb->tables[i].stem);
        if (rc == 0)
            rc = put_text(out, kb->tables[i].version);
        if (rc == 0)
            rc = put_text(out, kb->tables[i].family);
        if (rc == 0)
            rc = fg_buf_appendc(out, '\n');
    }
    for (size_t i = 0; i < kb->ndiags && rc == 0; i++) {
        const fg_kb_diag_limit_t *d = &kb->diags[i];
        rc = fg_buf_appends(out, "D");
        if (rc == 0)
            rc = put_text(out, fg_kb_str(kb, d->prefix));
        if (rc == 0)
            rc = put_text(out, fg_kb_str(kb, d->name));
        if (rc == 0)
            rc = fg_buf_printf(out, "\t%u\t%d\t%d\t%u\t%u\n", (unsigned)d->gend, (int)d->min_age,
                               (int)d->max_age, (unsigned)d->table, (unsigned)d->row);
    }
    for (size_t i = 0; i < kb->nbundles && rc == 0; i++) {
        const fg_kb_bundle_t *bd = &kb->bundles[i];
        rc = fg_buf_printf(out, "B\t%zu", i);
        if (rc == 0)
            rc = put_text(out, fg_kb_str(kb, bd->code));
        if (rc == 0)
            rc = put_text(out, fg_kb_str(kb, bd->name));
        if (rc == 0)
            rc = fg_buf_printf(out, "\t%lld\t%d\t%u\t%u\t%u\n", (long long)bd->pric,
                               (int)bd->min_parts, (unsigned)bd->scope, (unsigned)bd->table,
                               (unsigned)bd->row);
    }
    for (size_t i = 0; i < kb->nvisits && rc == 0; i++) {
        const fg_kb_visit_limit_t *v = &kb->visits[i];
        rc = fg_buf_printf(out, "L\t%u\t%d\t%d\t%u\t%u\n", (unsigned)v->scene, (int)v->window_days,
                           (int)v->max_visits, (unsigned)v->table, (unsigned)v->row);
    }
    if (rc == 0)
        rc = fg__kb_params_write(&kb->params, out);
    if (rc == 0)
        rc = fg_buf_printf(out, "P\tparams_table\t%u\n", (unsigned)kb->params.table);
    return rc;
}

int fg_kb_slice_code(const fg_kb_t *kb, uint64_t code_hash, fg_buf_t *out)
{
    int rc = 0;
    for (const fg_kb_fact_t *f = fg_kb_lookup_hash(kb, code_hash); f != NULL && rc == 0;
         f = fg_kb_fact_next(kb, f)) {
        rc = fg_buf_printf(out, "F\t%u\t%u\t%u\t%u\t%lld\t%lld", (unsigned)f->kind,
                           (unsigned)f->sub, (unsigned)f->table, (unsigned)f->row, (long long)f->a,
                           f->kind == FG_KF_DUP_SECONDARY ? 0LL : (long long)f->b);
        if (rc == 0)
            rc = put_text(out, fg_kb_str(kb, f->code));
        if (rc == 0)
            rc = put_text(out, fg_kb_str(kb, f->name));
        /* a string id in b (the main item's name of a duplicate pair) travels as text in ref's
         * place: "main code\x1fmain name" */
        if (rc == 0 && f->kind == FG_KF_DUP_SECONDARY) {
            char both[512];
            snprintf(both, sizeof(both), "%s\x1f%s", fg_kb_str(kb, f->ref),
                     fg_kb_str(kb, (uint32_t)f->b));
            rc = put_text(out, both);
        } else if (rc == 0) {
            rc = put_text(out, fg_kb_str(kb, f->ref));
        }
        if (rc == 0)
            rc = put_text(out, fg_kb_str(kb, f->text));
        if (rc == 0)
            rc = fg_buf_appendc(out, '\n');
    }
    return rc;
}

/* ---------------------------------------------------------------- reading */

#define SLICE_MAX_FIELDS 12

/* Split one line (unescaping in place) into fields; returns the count. */
static size_t split(char *line, char **f, size_t max)
{
    size_t n = 0;
    char *w = line;
    f[n++] = w;
    for (char *r = line; *r != '\0'; r++) {
        if (*r == '\t') {
            *w++ = '\0';
            if (n == max)
                return n + 1; /* too many */
            f[n++] = w;
        } else if (*r == '\\' && r[1] != '\0') {
            r++;
            *w++ = *r == 't' ? '\t' : *r == 'n' ? '\n' : *r == 'r' ? '\r' : *r;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
    return n;
}

static int num(const char *s, int64_t *out)
{
    return fg_int_parse(s, strlen(s), out, NULL);
}

static uint32_t intern(fg_kb_t *kb, const char *s, int *rc)
{
    return fg__kb_intern(kb, s, strlen(s), rc);
}

static int slice_line(fg_kb_t *kb, char **f, size_t nf)
{
    int rc = 0, r1 = 0, r2 = 0, r3 = 0, r4 = 0;
    int64_t v[8];
    switch (f[0][0]) {
    case 'V':
        if (nf != 2)
            return FG_E_REPLAY;
        snprintf(kb->version, sizeof(kb->version), "%s", f[1]);
        return 0;
    case 'T': {
        if (nf != 5 || num(f[1], &v[0]) != 0 || (size_t)v[0] != kb->ntables)
            return FG_E_REPLAY;
        fg_kb_table_info_t t;
        memset(&t, 0, sizeof(t));
        snprintf(t.stem, sizeof(t.stem), "%s", f[2]);
        snprintf(t.version, sizeof(t.version), "%s", f[3]);
        snprintf(t.family, sizeof(t.family), "%s", f[4]);
        t.tkind = strcmp(t.version, "local") == 0 ? FG_KT_LOCAL : FG_KT_NHSA_ITEMS;
        uint16_t idx;
        return fg__kb_add_table(kb, &t, &idx);
    }
    case 'F': {
        if (nf != 11)
            return FG_E_REPLAY;
        for (int i = 0; i < 6; i++)
            if (num(f[1 + i], &v[i]) != 0)
                return FG_E_REPLAY;
        fg_kb_fact_t fact = {.kind = (uint8_t)v[0],
                             .sub = (uint8_t)v[1],
                             .table = (uint16_t)v[2],
                             .row = (uint32_t)v[3],
                             .a = v[4],
                             .b = v[5]};
        if (fact.kind == 0 || fact.kind >= FG_KF__COUNT || f[7][0] == '\0')
            return FG_E_REPLAY;
        fact.code = intern(kb, f[7], &r1);
        fact.name = intern(kb, f[8], &r2);
        if (fact.kind == FG_KF_DUP_SECONDARY) {
            char *sep = strchr(f[9], '\x1f');
            if (sep == NULL)
                return FG_E_REPLAY;
            *sep = '\0';
            fact.ref = intern(kb, f[9], &r3);
            fact.b = intern(kb, sep + 1, &r4);
        } else {
            fact.ref = intern(kb, f[9], &r3);
        }
        fact.text = intern(kb, f[10], &rc);
        if (r1 != 0 || r2 != 0 || r3 != 0 || r4 != 0 || rc != 0)
            return FG_ENOMEM;
        return fg__kb_add_fact(kb, &fact);
    }
    case 'D': {
        if (nf != 8)
            return FG_E_REPLAY;
        for (int i = 0; i < 5; i++)
            if (num(f[3 + i], &v[i]) != 0)
                return FG_E_REPLAY;
        fg_kb_diag_limit_t d = {.gend = (uint8_t)v[0],
                                .min_age = (int16_t)v[1],
                                .max_age = (int16_t)v[2],
                                .table = (uint16_t)v[3],
                                .row = (uint32_t)v[4]};
        d.prefix = intern(kb, f[1], &r1);
        d.name = intern(kb, f[2], &r2);
        if (r1 != 0 || r2 != 0)
            return FG_ENOMEM;
        rc = fg__kb_grow((void **)&kb->diags, kb->ndiags, &kb->diags_cap, sizeof(*kb->diags));
        if (rc == 0)
            kb->diags[kb->ndiags++] = d;
        return rc;
    }
    case 'B': {
        if (nf != 9 || num(f[1], &v[0]) != 0 || (size_t)v[0] != kb->nbundles)
            return FG_E_REPLAY;
        for (int i = 0; i < 5; i++)
            if (num(f[4 + i], &v[1 + i]) != 0)
                return FG_E_REPLAY;
        fg_kb_bundle_t bd = {.pric = v[1],
                             .min_parts = (int32_t)v[2],
                             .scope = (uint8_t)v[3],
                             .table = (uint16_t)v[4],
                             .row = (uint32_t)v[5]};
        bd.code = intern(kb, f[2], &r1);
        bd.name = intern(kb, f[3], &r2);
        if (r1 != 0 || r2 != 0)
            return FG_ENOMEM;
        rc = fg__kb_grow((void **)&kb->bundles, kb->nbundles, &kb->bundles_cap,
                         sizeof(*kb->bundles));
        if (rc == 0)
            kb->bundles[kb->nbundles++] = bd;
        return rc;
    }
    case 'L': {
        if (nf != 6)
            return FG_E_REPLAY;
        for (int i = 0; i < 5; i++)
            if (num(f[1 + i], &v[i]) != 0)
                return FG_E_REPLAY;
        fg_kb_visit_limit_t vl = {.scene = (uint8_t)v[0],
                                  .window_days = (int32_t)v[1],
                                  .max_visits = (int32_t)v[2],
                                  .table = (uint16_t)v[3],
                                  .row = (uint32_t)v[4]};
        rc = fg__kb_grow((void **)&kb->visits, kb->nvisits, &kb->visits_cap, sizeof(*kb->visits));
        if (rc == 0)
            kb->visits[kb->nvisits++] = vl;
        return rc;
    }
    case 'P':
        if (nf != 3)
            return FG_E_REPLAY;
        if (strcmp(f[1], "params_table") == 0) {
            if (num(f[2], &v[0]) != 0)
                return FG_E_REPLAY;
            kb->params.table = (uint16_t)v[0];
            return 0;
        }
        return fg__kb_param_set(&kb->params, f[1], f[2], strlen(f[2]), NULL) == 0 ? 0 : FG_E_REPLAY;
    default:
        return FG_E_REPLAY;
    }
}

int fg_kb_load_slice(fg_kb_t *kb, const char *text, size_t n, fg_error_t *err)
{
    if (kb->sealed || kb->ntables != 0 || kb->nfacts != 0)
        return fg_error_set(err, FG_EINVAL, "kb", 0, "a slice loads into an empty knowledge base");
    char *copy = fg_strndup(text, n);
    if (copy == NULL)
        return fg_error_set(err, FG_ENOMEM, "kb", 0, NULL);
    int rc = 0;
    long line = 0;
    char *p = copy;
    while (*p != '\0' && rc == 0) {
        char *nl = strchr(p, '\n');
        if (nl != NULL)
            *nl = '\0';
        line++;
        if (*p != '\0') {
            char *f[SLICE_MAX_FIELDS];
            size_t nf = split(p, f, SLICE_MAX_FIELDS);
            rc = nf > SLICE_MAX_FIELDS ? FG_E_REPLAY : slice_line(kb, f, nf);
        }
        p = nl != NULL ? nl + 1 : p + strlen(p);
    }
    fg_free(copy);
    if (rc != 0) {
        fg_error_set(err, rc, "kb", 0, "knowledge slice, line %ld: %s", line, fg_strerror(rc));
        if (err != NULL)
            err->line = line;
        return rc;
    }
    if (kb->version[0] == '\0')
        return fg_error_set(err, FG_E_REPLAY, "kb", 0, "the knowledge slice has no version");
    return fg_kb_seal(kb, err);
}
