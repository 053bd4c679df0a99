/*
 * ref.c — reference rows set and read through the service (PUT/GET /v1/reference/…): the status
 * of institutions, staff and persons and the drug catalogue's pack sizes.
 */
#include "core/compat.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/service_int.h"

/* A row's text and where it is read into. */
typedef struct ref_src {
    fg_service_t *s;
    const char *json;
    size_t len;
    fg_arena_t *arena;
} ref_src_t;

/*
 * The reference kinds, one entry each, and what checks a row: the record whose field table every
 * member goes through — the table persons.csv, institutions.csv, staff.csv and catalogue.csv are
 * read by (docs/formats.md), so a row set here and a row of those files are held to the same
 * validators — the field of it the URL's code is, the statuses, and the review's feed the row
 * becomes (deaths.csv, suspensions.csv: serve.c ref_row_csv) with the members taken from that
 * feed's fields and the statuses that need the first of them.
 */
typedef struct ref_kind {
    const char *plural;       /* in the URL */
    const char *kind;         /* in the store */
    fg_rectype_t rec;         /* the record of the row's members */
    const char *key;          /* the field of rec the URL's code is */
    const char *statuses;     /* what status may be, "a|b" */
    int public;               /* read by every caller (a pharmacy checks a buyer; the catalogue) */
    fg_rectype_t feed;        /* the review's record of the row, FG_REC__COUNT none */
    const char *feed_members; /* the members taken from feed's fields, "a|b" */
    const char *needs;        /* the statuses that need the first of feed_members */
} ref_kind_t;

static const ref_kind_t ref_kinds[] = {
    {"institutions", "institution", FG_REC_INSTITUTION, "fixmedins_code",
     "active|suspended|terminated", 0, FG_REC_SUSPENSION, "begin_date|end_date|reason",
     "suspended|terminated"},
    {"staff", "staff", FG_REC_STAFF, "staff_code", "active|suspended", 0, FG_REC_SUSPENSION,
     "begin_date|end_date|reason", "suspended"},
    {"persons", "person", FG_REC_PERSON, "psn_no", "alive|deceased", 1, FG_REC_DEATH,
     "die_date|source", "deceased"},
    {"drugs", "drug", FG_REC_CATALOGUE, "med_list_codg", "listed|delisted", 1, FG_REC__COUNT, "",
     ""},
};

/* Whether s is one of the '|'-separated words of list. */
static int one_of(const char *list, const char *s)
{
    size_t n = strlen(s);
    for (const char *p = list; n > 0 && *p != '\0';) {
        const char *bar = strchr(p, '|');
        size_t len = bar != NULL ? (size_t)(bar - p) : strlen(p);
        if (len == n && memcmp(p, s, n) == 0)
            return 1;
        p += bar != NULL ? len + 1 : len;
    }
    return 0;
}

/* The kind named s: by its URL name (plural) or its store name. */
static const ref_kind_t *ref_find(const char *s, int plural)
{
    for (size_t i = 0; i < FG_ARRAY_LEN(ref_kinds); i++)
        if (strcmp(plural ? ref_kinds[i].plural : ref_kinds[i].kind, s) == 0)
            return &ref_kinds[i];
    return NULL;
}

const char *fg_service_ref_kind(const char *plural)
{
    const ref_kind_t *k = ref_find(plural, 1);
    return k != NULL ? k->kind : NULL;
}

/* A row as checked: its records as the model read them, and the institution it belongs to. */
typedef struct ref_row {
    void *rec;     /* of the kind's record type */
    void *feed;    /* of its feed's, NULL when it has none */
    char inst[16]; /* fixmedins_code, "" for persons and drugs */
} ref_row_t;

static int ref_given(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return v != NULL && !json_is_null(v) && !(json_is_string(v) && json_string_length(v) == 0);
}

/* Read the row's text as record t through the model (the same reader and field table as the
 * reference files); *out in the arena. */
static int ref_read(const ref_src_t *src, fg_rectype_t t, void **out, fg_error_t *err)
{
    fg_json_limits_t lim = {.max_depth = src->s->o.json_depth, .max_bytes = src->s->o.max_body};
    *out = fg_arena_calloc(src->arena, 1, fg_rectype_info(t)->size);
    if (*out == NULL)
        return fg_error_set(err, FG_ENOMEM, "", 0, NULL);
    return fg_json_read_record(t, src->json, src->len, &lim, src->arena, *out, NULL, err);
}

/* Every member of row o is status or a field of its kind (or of the kind's feed) and valid by that
 * field's validator; the URL's code is the kind's key field, as normalised; a status that needs a
 * member has it. */
static int ref_row_check(const ref_src_t *src, const ref_kind_t *k, const char *code, json_t *o,
                         ref_row_t *row, fg_error_t *err)
{
    const char *status = json_string_value(json_object_get(o, "status"));
    if (status == NULL || !one_of(k->statuses, status)) {
        return fg_error_set(err, FG_E_ENUM, "status", 0, "the status of a %s row is one of %s",
                            k->kind, k->statuses);
    }
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        if (strcmp(key, "status") != 0 && fg_field_find(k->rec, key) == NULL &&
            !one_of(k->feed_members, key)) {
            return fg_error_set(
                err, FG_E_UNKNOWN, key, 0,
                "not a member of a %s row: status, the fields of %s (docs/formats.md)%s%s", k->kind,
                fg_rectype_info(k->rec)->name, k->feed_members[0] ? ", " : "", k->feed_members);
        }
    }
    int rc = ref_read(src, k->rec, &row->rec, err);
    if (rc == 0 && k->feed != FG_REC__COUNT)
        rc = ref_read(src, k->feed, &row->feed, err);
    if (rc != 0)
        return rc;
    /* The URL's code through the key field, after the body's value of it (which must agree). */
    const fg_field_t *kf = fg_field_find(k->rec, k->key);
    char *member = (char *)row->rec + kf->offset;
    char given[FG_CODE_LEN + 1];
    snprintf(given, sizeof(given), "%s", member);
    if (fg_field_set(kf, row->rec, code, strlen(code), err) != 0) {
        snprintf(err->where, sizeof(err->where), "code");
        return err->code;
    }
    if (strcmp(member, code) != 0)
        return fg_error_set(err, FG_E_RANGE, "code", 0,
                            "the code of a %s row is written as normalised: %s", k->kind, member);
    if (given[0] != '\0' && strcmp(given, member) != 0)
        return fg_error_set(err, FG_E_RANGE, k->key, 0, "a row's own code is the one in its URL");
    char need[32];
    snprintf(need, sizeof(need), "%.*s", (int)strcspn(k->feed_members, "|"), k->feed_members);
    if (need[0] != '\0' && one_of(k->needs, status) && !ref_given(o, need))
        return fg_error_set(err, FG_E_REQUIRED, need, 0, "a %s row with status %s needs %s",
                            k->kind, status, need);
    const fg_field_t *fi = fg_field_find(k->rec, "fixmedins_code");
    snprintf(row->inst, sizeof(row->inst), "%s",
             fi != NULL ? (const char *)row->rec + fi->offset : "");
    return 0;
}

/* The members given, each replaced by the model's form of its field (codes normalised, dates as
 * dates, integers as numbers), members of record t only when `only` lists them; a resident ID
 * is left as given here for kept_body, the one place that turns it into pseudonym and mask. */
static int ref_normalise(json_t *o, fg_rectype_t t, const void *rec, const char *only)
{
    fg_buf_t b;
    fg_buf_init(&b, 1u << 20);
    int rc = fg_json_write_record(t, rec, &b);
    json_t *w = rc == 0 ? json_loadb(b.data, b.len, 0, NULL) : NULL;
    fg_buf_release(&b);
    if (w == NULL)
        return FG_ENOMEM;
    const char *key;
    json_t *v;
    json_object_foreach(w, key, v)
    {
        if (json_object_get(o, key) != NULL && strcmp(key, "certno") != 0 &&
            (only == NULL || one_of(only, key)))
            json_object_set(o, key, v);
    }
    json_decref(w);
    return 0;
}

/* Reference rows every caller may read: persons' status and the drug catalogue; the rest
 * belongs to an institution. */
static int ref_public(const char *kind)
{
    const ref_kind_t *k = ref_find(kind, 0);
    return k != NULL && k->public;
}

/* The row, its audit entry and the engine that reads it stand or fall together: the new engine is
 * built inside the transaction (it sees the row) and swapped in after commit. */
static int ref_store(fg_service_t *s, const fg_actor_t *a, const fg_store_ref_t *r, size_t len,
                     fg_error_t *err)
{
    char before[65], after[65], object[96];
    fg_store_digest(r->body, len, after);
    snprintf(object, sizeof(object), "%s:%s", r->kind, r->code);
    fg__engine_t *e = NULL;
    pthread_mutex_lock(&s->reload_mu);
    int rc = fg_store_begin(s->store, err);
    if (rc == 0) {
        rc = fg_store_ref_put(s->store, r, before, err);
        fg__svc_audit(s, a, "reference.put", object, before, after, err, &rc);
        if (rc == 0)
            rc = fg__engine_load(s, &e, err);
        if (rc == 0)
            rc = fg_store_commit(s->store, err);
        else
            fg_store_rollback(s->store);
    }
    if (rc == 0)
        fg__engine_swap(s, e);
    else
        fg__engine_put(e);
    pthread_mutex_unlock(&s->reload_mu);
    return rc;
}

/* The row checked and normalised as the JSON text to keep (malloc'd, *dumped). */
static int ref_row(const ref_src_t *src, const ref_kind_t *k, const char *code, json_t *o,
                   ref_row_t *row, char **dumped, fg_error_t *err)
{
    int rc = ref_row_check(src, k, code, o, row, err);
    if (rc != 0)
        return rc;
    if (ref_normalise(o, k->rec, row->rec, NULL) != 0 ||
        (row->feed != NULL && ref_normalise(o, k->feed, row->feed, k->feed_members) != 0))
        return fg_error_set(err, FG_ENOMEM, "", 0, NULL);
    *dumped = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    return *dumped != NULL ? 0 : fg_error_set(err, FG_ENOMEM, "", 0, NULL);
}

int fg_service_ref_put(fg_service_t *s, const fg_actor_t *a, const char *kind, const char *code,
                       const char *json, size_t len, fg_arena_t *arena, fg_buf_t *out,
                       fg_error_t *err)
{
    const ref_kind_t *k = ref_find(kind, 0);
    if (k == NULL)
        return fg_error_set(err, FG_ENOTFOUND, "kind", 0, "no such reference kind");
    json_error_t je;
    json_t *o = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(o)) {
        json_decref(o);
        return fg_error_set(err, o == NULL ? FG_E_JSON : FG_E_JSON_SHAPE, "", 0, "%s",
                            o == NULL ? je.text : "the body is a JSON object");
    }
    ref_src_t src = {.s = s, .json = json, .len = len, .arena = arena};
    ref_row_t row = {0};
    char *dumped = NULL;
    int rc = ref_row(&src, k, code, o, &row, &dumped, err);
    if (rc == 0)
        rc = fg__svc_in_scope(a, row.inst, err);
    const char *body = NULL;
    size_t body_len = 0;
    if (rc == 0) /* a staff member's or a person's certno is kept as pseudonym and masked form */
        rc = fg__svc_kept(s, arena, dumped, strlen(dumped), &body, &body_len, err);
    if (rc == 0) {
        fg_store_ref_t r = {
            .kind = kind,
            .code = code,
            .fixmedins_code = row.inst,
            .status = fg_ref_status_parse(json_string_value(json_object_get(o, "status"))),
            .body = body};
        rc = ref_store(s, a, &r, body_len, err);
    }
    fg_store_ref_t got;
    if (rc == 0 && fg_store_ref_get(s->store, kind, code, arena, &got, err) == 0)
        fg_store_ref_json(&got, out);
    free(dumped);
    json_decref(o);
    return rc;
}

int fg_service_ref_get(fg_service_t *s, const fg_actor_t *a, const char *kind, const char *code,
                       fg_buf_t *out, fg_error_t *err)
{
    fg_arena_t arena;
    fg_arena_init(&arena, 4096);
    fg_store_ref_t r;
    int rc = fg_store_ref_get(s->store, kind, code, &arena, &r, err);
    if (rc != 0) {
        snprintf(err->where, sizeof(err->where), "code");
    } else {
        rc = ref_public(kind) ? 0 : fg__svc_in_scope(a, r.fixmedins_code, err);
        if (rc == 0 && (rc = fg_store_ref_json(&r, out)) != 0)
            fg_error_set(err, rc, "", 0, NULL);
    }
    fg_arena_release(&arena);
    return rc;
}

int fg_service_ref_list(fg_service_t *s, const fg_actor_t *a, const char *kind, const char *inst,
                        const char *after, int limit, fg_buf_t *out, fg_error_t *err)
{
    if (a->scope[0] != '\0' && strcmp(kind, "person") == 0)
        return fg_error_set(err, FG_E_FORBIDDEN, "", 0,
                            "an institution looks a person up by psn_no; the list is the bureau's");
    if (a->scope[0] != '\0' && !ref_public(kind))
        inst = a->scope;
    fg__svc_page_t pg = {.out = out};
    char next[FG_STORE_REF_CODE_MAX + 1] = "";
    int rc = fg_buf_appends(out, "{\"items\":[");
    if (rc == 0)
        rc =
            fg_store_ref_list(s->store, kind, inst, after, limit, fg__svc_ref_item, &pg, next, err);
    if (rc == 0)
        rc = fg_buf_appends(out, "],\"next\":");
    if (rc == 0)
        rc = next[0] != '\0' ? fg_buf_append_json_str(out, next, strlen(next))
                             : fg_buf_appends(out, "null");
    if (rc == 0)
        rc = fg_buf_appendc(out, '}');
    if (rc != 0)
        err->where[0] = '\0';
    return rc;
}
