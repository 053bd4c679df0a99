/*
 * refs.c — reference rows: the status of institutions (agreement), staff (qualification) and
 * persons (death), and the drug catalogue, as PUT through the API; and what each row says to the
 * review as a record of the model (fg_store_ref_feed), so the service builds its reference status
 * from rows without a detour through text.
 *
 * The status column holds the model's word (fg_ref_status_name); migration 3 rewrote the legacy
 * words older builds may have left ("suspend", "terminate"), and a row read with one still reads as
 * the status it names (fg_ref_status_parse).
 */
#include "core/compat.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "fundguard/alloc.h"
#include "fundguard/store.h"
#include "store/store_int.h"

/* The kinds and the statuses each takes. */
static const struct {
    const char *kind;
    fg_ref_status_t statuses[3];
} kinds[] = {
    {"institution", {FG_REF_ACTIVE, FG_REF_SUSPENDED, FG_REF_TERMINATED}},
    {"staff", {FG_REF_ACTIVE, FG_REF_SUSPENDED}},
    {"person", {FG_REF_ALIVE, FG_REF_DECEASED}},
    {"drug", {FG_REF_LISTED, FG_REF_DELISTED}},
};

int fg_store_ref_kind_valid(const char *kind)
{
    for (size_t i = 0; i < FG_ARRAY_LEN(kinds); i++)
        if (strcmp(kind, kinds[i].kind) == 0)
            return 1;
    return 0;
}

int fg_store_ref_status_valid(const char *kind, fg_ref_status_t status)
{
    for (size_t i = 0; i < FG_ARRAY_LEN(kinds); i++)
        for (size_t j = 0; strcmp(kind, kinds[i].kind) == 0 && j < 3; j++)
            if (status != FG_REF_STATUS_NONE && kinds[i].statuses[j] == status)
                return 1;
    return 0;
}

int fg_store_ref_put(fg_store_t *s, const fg_store_ref_t *r, char before[65], fg_error_t *err)
{
    if (!fg_store_ref_kind_valid(r->kind))
        return fg_error_set(err, FG_EINVAL, "kind", 0, "unknown reference kind '%s'", r->kind);
    if (!fg_store_ref_status_valid(r->kind, r->status))
        return fg_error_set(err, FG_EINVAL, "status", 0, "a %s row has no status '%s'", r->kind,
                            fg_ref_status_name(r->status));
    char digest[65], at[FG_TIME_TEXTLEN + 1];
    fg_store_digest(r->body, strlen(r->body), digest);
    fg__store_now(at);
    const char *k[] = {r->kind, r->code};
    fg__store_first_t f = {0};
    int rc = fg_store_begin(s, err);
    if (rc != 0)
        return rc;
    rc = fg__store_q(s, "SELECT digest FROM fg_ref WHERE kind = $1 AND code = $2", 2, k,
                     fg__store_take_first, &f, err);
    fg__store_copy(before, 65, f.found ? f.v[0] : "");
    const char *p[] = {r->kind, r->code, r->fixmedins_code, fg_ref_status_name(r->status), r->body,
                       digest,  at};
    if (rc == 0 && f.found)
        rc = fg__store_q(s,
                         "UPDATE fg_ref SET fixmedins_code = $3, status = $4, body = $5, "
                         "digest = $6, updated_at = $7 WHERE kind = $1 AND code = $2",
                         7, p, NULL, NULL, err);
    else if (rc == 0)
        rc = fg__store_q(s,
                         "INSERT INTO fg_ref (kind, code, fixmedins_code, status, body, digest, "
                         "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                         7, p, NULL, NULL, err);
    return fg__store_finish(s, rc, err);
}

/* A row's columns (code, kind, fixmedins_code, status, body, updated_at) as a record, borrowed. */
static int row_record(int ncol, const char *const *vals, fg_store_ref_t *r)
{
    if (ncol < 6)
        return FG_EINTERNAL;
    *r = (fg_store_ref_t){.code = fg__store_str(vals[0]),
                          .kind = fg__store_str(vals[1]),
                          .fixmedins_code = fg__store_str(vals[2]),
                          .status = fg_ref_status_parse(vals[3]),
                          .body = fg__store_str(vals[4]),
                          .updated_at = fg__store_time(vals[5])};
    return 0;
}

typedef struct ref_get {
    fg_arena_t *arena;
    fg_store_ref_t *out;
    int found;
} ref_get_t;

static int take_ref(void *ctx, int ncol, const char *const *vals)
{
    ref_get_t *g = ctx;
    fg_store_ref_t r;
    int rc = row_record(ncol, vals, &r);
    if (rc != 0)
        return rc;
    g->found = 1;
    *g->out = r;
    const char **str[] = {&g->out->code, &g->out->kind, &g->out->fixmedins_code, &g->out->body};
    for (size_t i = 0; i < FG_ARRAY_LEN(str); i++) {
        *str[i] = fg_arena_strndup(g->arena, *str[i], strlen(*str[i]));
        if (*str[i] == NULL)
            return FG_ENOMEM;
    }
    return 0;
}

int fg_store_ref_get(fg_store_t *s, const char *kind, const char *code, fg_arena_t *arena,
                     fg_store_ref_t *out, fg_error_t *err)
{
    const char *p[] = {kind, code};
    ref_get_t g = {.arena = arena, .out = out};
    int rc = fg__store_q(s,
                         "SELECT code, kind, fixmedins_code, status, body, updated_at FROM fg_ref "
                         "WHERE kind = $1 AND code = $2",
                         2, p, take_ref, &g, err);
    if (rc == FG_ENOMEM)
        return fg_error_set(err, FG_ENOMEM, "", 0, NULL);
    if (rc == 0 && !g.found)
        rc = fg_error_set(err, FG_ENOTFOUND, "code", 0, "no %s '%s'", kind, code);
    return rc;
}

typedef struct ref_list {
    fg_store_ref_fn fn;
    void *ctx;
    int rows;
    char *last;
} ref_list_t;

static int ref_row(void *ctx, int ncol, const char *const *vals)
{
    ref_list_t *l = ctx;
    fg_store_ref_t r;
    int rc = row_record(ncol, vals, &r);
    if (rc != 0)
        return rc;
    l->rows++;
    fg__store_copy(l->last, FG_STORE_REF_CODE_MAX + 1, r.code);
    return l->fn(l->ctx, &r);
}

int fg_store_ref_list(fg_store_t *s, const char *kind, const char *fixmedins_code,
                      const char *after, int limit, fg_store_ref_fn fn, void *ctx,
                      char next[FG_STORE_REF_CODE_MAX + 1], fg_error_t *err)
{
    int lim = limit < 1 ? 100 : limit > 1000 ? 1000 : limit;
    char ls[16];
    snprintf(ls, sizeof(ls), "%d", lim);
    const char *p[] = {kind, fixmedins_code != NULL ? fixmedins_code : "",
                       after != NULL ? after : "", ls};
    char last[FG_STORE_REF_CODE_MAX + 1] = "";
    ref_list_t l = {.fn = fn, .ctx = ctx, .last = last};
    int rc = fg__store_q(s,
                         "SELECT code, kind, fixmedins_code, status, body, updated_at FROM fg_ref "
                         "WHERE kind = $1 AND ($2 = '' OR fixmedins_code = $2) AND code > $3 "
                         "ORDER BY code LIMIT CAST($4 AS integer)",
                         4, p, ref_row, &l, err);
    fg__store_copy(next, FG_STORE_REF_CODE_MAX + 1, rc == 0 && l.rows >= lim ? last : "");
    return rc;
}

int fg_store_ref_json(const fg_store_ref_t *r, fg_buf_t *out)
{
    fg__store_obj_t o = fg__store_obj(out);
    fg__store_obj_str(&o, "code", r->code);
    fg__store_obj_str(&o, "kind", r->kind);
    fg__store_obj_str(&o, "fixmedins_code", r->fixmedins_code);
    fg__store_obj_str(&o, "status", fg_ref_status_name(r->status));
    fg__store_obj_raw(&o, "body", r->body);
    fg__store_obj_time(&o, "updated_at", r->updated_at);
    return fg__store_obj_end(&o);
}

/* ---------------------------------------------------------------- the review's records */

/* Set field `name` of record rec (type t) from text through the model's field table; *given is 1
 * when the text was not empty. */
static int set_field(fg_rectype_t t, void *rec, const char *name, const char *v, int *given,
                     fg_error_t *err)
{
    const fg_field_t *f = fg_field_find(t, name);
    if (f == NULL)
        return fg_error_set(err, FG_EINTERNAL, name, 0, "no field %s", name);
    if (given != NULL)
        *given = v != NULL && v[0] != '\0';
    return v != NULL ? fg_field_set(f, rec, v, strlen(v), err) : 0;
}

/* Body members into record fields: each of names (text members; a number member as its digits). */
static int set_members(fg_rectype_t t, void *rec, json_t *body, const char *const *names, size_t n,
                       fg_error_t *err)
{
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        json_t *v = json_object_get(body, names[i]);
        char num[24];
        const char *text = json_string_value(v);
        if (json_is_integer(v)) {
            snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
            text = num;
        }
        int given;
        rc = set_field(t, rec, names[i], text, &given, err);
        const fg_field_t *f = fg_field_find(t, names[i]);
        if (rc == 0 && !given && (f->flags & (FG_FIELD_REQUIRED | FG_FIELD_REQ_CSV)) != 0)
            rc = fg_error_set(err, FG_E_REQUIRED, names[i], 0, "%s is required", names[i]);
    }
    return rc;
}

static int feed_of(const fg_store_ref_t *r, json_t *body, fg_store_feed_t *out, fg_error_t *err)
{
    if (strcmp(r->kind, "drug") == 0) {
        json_int_t pack = json_integer_value(json_object_get(body, "pack_units"));
        if (pack <= 0)
            return 0;
        static const char *const m[] = {"pack_units"};
        out->kind = FG_STORE_FEED_CATALOGUE;
        fg_record_clear(FG_REC_CATALOGUE, &out->u.item);
        int rc = set_field(FG_REC_CATALOGUE, &out->u.item, "med_list_codg", r->code, NULL, err);
        return rc == 0 ? set_members(FG_REC_CATALOGUE, &out->u.item, body, m, 1, err) : rc;
    }
    if (strcmp(r->kind, "person") == 0) {
        if (r->status != FG_REF_DECEASED)
            return 0;
        static const char *const m[] = {"die_date", "source"};
        out->kind = FG_STORE_FEED_DEATH;
        fg_death_t *d = &out->u.death;
        fg_record_clear(FG_REC_DEATH, d);
        int rc = set_field(FG_REC_DEATH, d, "psn_no", r->code, NULL, err);
        if (rc == 0)
            rc = set_members(FG_REC_DEATH, d, body, m, 2, err);
        if (rc == 0 && d->source[0] == '\0')
            rc = set_field(FG_REC_DEATH, d, "source", "api", NULL, err);
        return rc;
    }
    if (!fg_ref_status_suspends(r->status))
        return 0;
    static const char *const m[] = {"begin_date", "end_date", "reason"};
    out->kind = FG_STORE_FEED_SUSPENSION;
    fg_suspension_t *x = &out->u.suspension;
    fg_record_clear(FG_REC_SUSPENSION, x);
    int rc = set_field(FG_REC_SUSPENSION, x, "subject_type", r->kind, NULL, err);
    if (rc == 0)
        rc = set_field(FG_REC_SUSPENSION, x, "subject_code", r->code, NULL, err);
    if (rc == 0)
        rc = set_field(FG_REC_SUSPENSION, x, "action", fg_ref_status_action(r->status), NULL, err);
    return rc == 0 ? set_members(FG_REC_SUSPENSION, x, body, m, 3, err) : rc;
}

int fg_store_ref_feed(const fg_store_ref_t *r, fg_store_feed_t *out, fg_error_t *err)
{
    memset(out, 0, sizeof(*out));
    json_t *body = json_loads(r->body, 0, NULL);
    if (!json_is_object(body)) {
        json_decref(body);
        return fg_error_set(err, FG_E_STORE, "body", 0, "the %s row %s has no JSON object body",
                            r->kind, r->code);
    }
    fg_error_t e;
    int rc = feed_of(r, body, out, &e);
    json_decref(body);
    if (rc != 0)
        return fg_error_set(err, rc, e.where, 0, "the %s row %s: %s", r->kind, r->code, e.msg);
    return 0;
}
