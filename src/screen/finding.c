/*
 * finding.c — the finding builder and its findings.jsonl line (screen_int.h).
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>

#include "screen/screen_int.h"

#define EVIDENCE_MAX (1u << 20)

void fg__screen_finding_init(fg__screen_finding_t *f, fg__screen_level_t level)
{
    memset(f, 0, sizeof(*f));
    f->level = level;
    f->time = FG_TIME_NONE;
    fg_buf_init(&f->evidence, EVIDENCE_MAX);
    fg_arena_init(&f->arena, 4096);
}

void fg__screen_finding_release(fg__screen_finding_t *f)
{
    fg_buf_release(&f->evidence);
    fg_arena_release(&f->arena);
    memset(f, 0, sizeof(*f));
}

int fg__screen_ids_add(fg__screen_finding_t *f, fg__screen_ids_t *list, const char *id)
{
    if (id == NULL || id[0] == '\0')
        return 0;
    for (size_t i = 0; i < list->n; i++)
        if (strcmp(list->v[i], id) == 0)
            return 0;
    if (list->n == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 8;
        const char **v = fg_arena_alloc(&f->arena, cap * sizeof(*v));
        if (v == NULL)
            return FG_ENOMEM;
        if (list->n > 0)
            memcpy(v, list->v, list->n * sizeof(*v));
        list->v = v;
        list->cap = cap;
    }
    char *c = fg_arena_strndup(&f->arena, id, strlen(id));
    if (c == NULL)
        return FG_ENOMEM;
    list->v[list->n++] = c;
    return 0;
}

static int ev_key(fg__screen_finding_t *f, const char *key)
{
    int rc = f->evidence.len > 0 ? fg_buf_appendc(&f->evidence, ',') : 0;
    if (rc == 0)
        rc = fg_buf_append_json_str(&f->evidence, key, strlen(key));
    return rc != 0 ? rc : fg_buf_appendc(&f->evidence, ':');
}

int fg__screen_ev_str(fg__screen_finding_t *f, const char *key, const char *val)
{
    int rc = ev_key(f, key);
    return rc != 0 ? rc : fg_buf_append_json_str(&f->evidence, val, strlen(val));
}

int fg__screen_ev_int(fg__screen_finding_t *f, const char *key, int64_t val)
{
    int rc = ev_key(f, key);
    return rc != 0 ? rc : fg_buf_printf(&f->evidence, "%lld", (long long)val);
}

int fg__screen_ev_num(fg__screen_finding_t *f, const char *key, double val)
{
    int rc = ev_key(f, key);
    return rc != 0 ? rc : fg_buf_printf(&f->evidence, "%.4g", val);
}

int fg__screen_ev_date(fg__screen_finding_t *f, const char *key, fg_date_t d)
{
    char s[FG_DATE_TEXTLEN + 1] = "";
    if (d != FG_DATE_NONE)
        fg_date_format(d, s);
    return fg__screen_ev_str(f, key, s);
}

int fg__screen_ev_time(fg__screen_finding_t *f, const char *key, fg_time_t t)
{
    char s[FG_TIME_TEXTLEN + 1] = "";
    if (t != FG_TIME_NONE)
        fg_time_format(t, s);
    return fg__screen_ev_str(f, key, s);
}

int fg__screen_ev_raw(fg__screen_finding_t *f, const char *key, const char *json)
{
    int rc = ev_key(f, key);
    return rc != 0 ? rc : fg_buf_appends(&f->evidence, json);
}

static int put_str(fg_buf_t *b, const char *key, const char *val)
{
    if (val == NULL || val[0] == '\0')
        return 0;
    int rc = fg_buf_printf(b, ",\"%s\":", key);
    return rc != 0 ? rc : fg_buf_append_json_str(b, val, strlen(val));
}

static int put_ids(fg_buf_t *b, const char *key, const fg__screen_ids_t *l)
{
    if (l->n == 0)
        return 0;
    int rc = fg_buf_printf(b, ",\"%s\":[", key);
    for (size_t i = 0; rc == 0 && i < l->n; i++) {
        if (i > 0)
            rc = fg_buf_appendc(b, ',');
        if (rc == 0)
            rc = fg_buf_append_json_str(b, l->v[i], strlen(l->v[i]));
    }
    return rc != 0 ? rc : fg_buf_appendc(b, ']');
}

int fg__screen_finding_json(const fg__screen_finding_t *f, fg_buf_t *out)
{
    int rc = fg_buf_appends(out, "{\"model\":");
    if (rc == 0)
        rc = fg_buf_append_json_str(out, f->model, strlen(f->model));
    if (rc == 0)
        rc = fg_buf_printf(out, ",\"level\":\"%s\"",
                           f->level == FG__SCREEN_DEFINITE ? "definite" : "suspicious");
    if (rc == 0)
        rc = put_str(out, "fixmedins_code", f->fixmedins_code);
    if (rc == 0)
        rc = put_str(out, "psn_no", f->psn_no);
    if (rc == 0)
        rc = put_ids(out, "psn_nos", &f->psn_nos);
    if (rc == 0)
        rc = put_str(out, "staff_code", f->staff_code);
    if (rc == 0)
        rc = put_ids(out, "setl_ids", &f->setl_ids);
    if (rc == 0)
        rc = put_ids(out, "mdtrt_ids", &f->mdtrt_ids);
    if (rc == 0)
        rc = put_ids(out, "feedetl_sns", &f->feedetl_sns);
    if (rc == 0)
        rc = put_str(out, "drug_trac_codg", f->drug_trac_codg);
    if (rc == 0)
        rc = put_str(out, "med_list_codg", f->med_list_codg);
    if (rc == 0)
        rc = put_str(out, "invono", f->invono);
    if (rc == 0)
        rc = fg_buf_printf(out, ",\"amount\":%lld", (long long)f->amount);
    if (rc == 0 && f->has_score)
        rc = fg_buf_printf(out, ",\"score\":%.4g", f->score);
    if (rc == 0 && f->evidence.len > 0) {
        rc = fg_buf_appends(out, ",\"evidence\":");
        /* Built without braces; emitted findings hold the whole object. */
        if (rc == 0 && f->evidence.data[0] != '{')
            rc = fg_buf_printf(out, "{%s}", f->evidence.data);
        else if (rc == 0)
            rc = fg_buf_append(out, f->evidence.data, f->evidence.len);
    }
    if (rc == 0)
        rc = put_str(out, "message", f->message);
    return rc != 0 ? rc : fg_buf_appendc(out, '}');
}

const char *fg__screen_day(fg_time_t t, char out[FG_DATE_TEXTLEN + 1])
{
    out[0] = '\0';
    if (t != FG_TIME_NONE)
        fg_date_format(fg_time_date(t), out);
    return out;
}
