/*
 * json.c — API documents in the national interface vocabulary: fg_doc_parse and the JSON writers.
 * It reads documents through the value view of jsonscan.h: the scanner there decodes what it
 * accepts, jansson (here and in jsonscan.c, the only files of the model that include <jansson.h>)
 * the rest, and reports every syntax error.
 *
 * A document is bare or inside the platform envelope {"infno", "msgid", "fixmedins_code",
 * "inf_time", "input": {…}}. Its parts (psninfo, fixmedins, mdtrtinfo, diseinfo[], feedetail[],
 * setlinfo / data, invinfo / purcinfo / selinfo) are read field by field through the same field
 * tables as the CSV reader (fg_field_set), so the two never disagree; every bad field is reported
 * with its JSON path ("input.feedetail[3].cnt").
 *
 * Numbers: the view (like jansson's tree) keeps no number text, so a JSON real is the one
 * floating-point step of the engine. A money real d is accepted only when fen = llround(d * 100)
 * gives back exactly d ((double)fen / 100.0 == d) and |d| < 1e13; quantities the same with 10000.
 * Strings go through fg_money_parse / fg_qty_parse exactly, and money.c stays integer-only. The
 * writers put money and quantities out as strings ("12.30", "0.5") so that no reader has to trust a
 * double.
 */
#include "core/compat.h"

#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fundguard/hash.h"
#include "fundguard/model.h"
#include "model/jsonscan.h"
#include "model/model_int.h"

#define PATH_MAX_LEN 96 /* = sizeof(fg_error_t.where) */
#define MAX_FIELDS   64

/* ---------------------------------------------------------------- parse context */

struct ctx {
    fg_arena_t *arena;
    fg_diag_t *diag;
    fg_error_t *err; /* receives the first error */
    int rc;          /* the first error's code */
    fg_json_limits_t lim;
};

static void report(struct ctx *c, const fg_error_t *e)
{
    fg_diag_report(c->diag, e);
    if (c->rc == 0) {
        c->rc = e->code;
        if (c->err != NULL)
            *c->err = *e;
    }
}

static void failf(struct ctx *c, int code, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void failf(struct ctx *c, int code, const char *path, const char *fmt, ...)
{
    fg_error_t e;
    fg_error_clear(&e);
    e.code = code;
    snprintf(e.where, sizeof(e.where), "%s", path);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
    va_end(ap);
    report(c, &e);
}

/* Append s to the path in out (length *o), cutting at the end of the buffer. */
static void path_put(char out[PATH_MAX_LEN], size_t *o, const char *s)
{
    while (*s != '\0' && *o + 1 < PATH_MAX_LEN)
        out[(*o)++] = *s++;
    out[*o] = '\0';
}

/* parent.key ("input" + "feedetail" → "input.feedetail"; "" + "x" → "x"). */
static void join(char out[PATH_MAX_LEN], const char *parent, const char *key)
{
    size_t o = 0;
    char tmp[PATH_MAX_LEN];
    path_put(tmp, &o, parent); /* parent may be out itself */
    if (o > 0)
        path_put(tmp, &o, ".");
    path_put(tmp, &o, key);
    memcpy(out, tmp, o + 1);
}

/* parent[i] */
static void join_index(char out[PATH_MAX_LEN], const char *parent, size_t i)
{
    size_t o = 0;
    char tmp[PATH_MAX_LEN];
    char num[24];
    snprintf(num, sizeof(num), "[%zu]", i);
    path_put(tmp, &o, parent);
    path_put(tmp, &o, num);
    memcpy(out, tmp, o + 1);
}

static void *arena_array(struct ctx *c, size_t n, size_t size, const char *path)
{
    void *p = fg_arena_calloc(c->arena, n, size);
    if (p == NULL)
        failf(c, FG_ENOMEM, path, "out of memory");
    return p;
}

/* ---------------------------------------------------------------- numbers at the JSON edge */

/* A JSON real as an integer count of 1/scale; -1 unless exact (see the file comment). */
static int real_scaled(double d, int64_t scale, int64_t *out)
{
    if (!isfinite(d) || fabs(d) >= 1e13)
        return -1;
    long long v = llround(d * (double)scale);
    if ((double)v / (double)scale != d)
        return -1;
    *out = v;
    return 0;
}

static const char *json_kind(const fg__jv_t *v)
{
    if (v == NULL)
        return "nothing";
    switch ((fg__jkind_t)v->kind) {
    case FG__J_OBJECT:
        return "an object";
    case FG__J_ARRAY:
        return "an array";
    case FG__J_STRING:
        return "a string";
    case FG__J_INTEGER:
        return "an integer";
    case FG__J_REAL:
        return "a number with a fraction";
    case FG__J_TRUE:
    case FG__J_FALSE:
        return "true/false";
    case FG__J_NULL:
        return "null";
    }
    return "a value";
}

/* A code table of zero-padded codes ("01|02|03") given as a number: 2 means "02". Writes the
 * matching code to num and returns its length; n (num unchanged) when none matches. */
static size_t enum_code(const char *values, int64_t i, char *num, size_t cap, size_t n)
{
    const char *v = values;
    while (*v != '\0' && i >= 0) {
        size_t len = strcspn(v, "|");
        long long code = 0;
        size_t k = 0;
        for (; k < len && v[k] >= '0' && v[k] <= '9' && code < 100000000; k++)
            code = code * 10 + (v[k] - '0');
        if (k == len && len > 0 && len < cap && code == i) {
            memcpy(num, v, len);
            num[len] = '\0';
            return len;
        }
        v += len;
        if (*v == '|')
            v++;
    }
    return n;
}

/* Code-table values, flags and integers may come as JSON numbers: 1 is "1" (2 is "02" in a table of
 * zero-padded codes). The text goes to num; its length is returned. */
static size_t number_text(const fg_field_t *f, int64_t i, char *num, size_t cap)
{
    size_t n = (size_t)snprintf(num, cap, "%lld", (long long)i);
    return f->type == FG_F_ENUM ? enum_code(f->values, i, num, cap, n) : n;
}

/*
 * Set field f of rec from JSON value v. Returns 1 when the key counts as given (non-empty), 0 when
 * absent (null or ""). Errors are reported with `path`.
 */
static int set_from_json(struct ctx *c, const fg_field_t *f, void *rec, fg__jv_t *v,
                         const char *parent, const char *key)
{
    char path[PATH_MAX_LEN]; /* parent.key, built only for an error */
#define AT() (key != NULL ? (join(path, parent, key), path) : parent)
    char num[32];
    const char *s = NULL;
    size_t n = 0;
    fg_error_t e;
    fg_error_clear(&e);

    switch ((fg__jkind_t)v->kind) {
    case FG__J_NULL:
        return 0;
    case FG__J_STRING:
        s = v->u.s;
        n = v->len;
        if (n == 0)
            return 0;
        break;
    case FG__J_INTEGER: {
        int64_t i = v->u.i;
        if (f->type == FG_F_MONEY || f->type == FG_F_QTY) {
            int64_t scale = f->type == FG_F_MONEY ? 100 : FG_QTY_ONE;
            if (i > INT64_MAX / scale || i < INT64_MIN / scale) {
                failf(c, FG_E_MONEY_OVERFLOW, AT(), "%lld is too large", (long long)i);
                return 1;
            }
            int64_t scaled = (int64_t)i * scale;
            memcpy((char *)rec + f->offset, &scaled, sizeof(scaled));
            return 1;
        }
        if (f->type == FG_F_TIME || f->type == FG_F_DATE || f->type == FG_F_IDCARD ||
            f->type == FG_F_HASH) {
            failf(c, FG_E_TYPE, AT(), "%lld is a number; a %s is given as a string", (long long)i,
                  fg__ftype_name(f->type));
            return 1;
        }
        n = number_text(f, i, num, sizeof(num));
        s = num;
        break;
    }
    case FG__J_REAL: {
        double d = v->u.d;
        if (f->type == FG_F_MONEY || f->type == FG_F_QTY) {
            int64_t scaled;
            int64_t scale = f->type == FG_F_MONEY ? 100 : FG_QTY_ONE;
            if (real_scaled(d, scale, &scaled) != 0) {
                failf(c, f->type == FG_F_MONEY ? FG_E_MONEY_PRECISION : FG_E_QTY_PRECISION, AT(),
                      "%.17g is not an exact %s (at most %d decimals, below 1e13)", d,
                      f->type == FG_F_MONEY ? "amount" : "quantity", f->type == FG_F_MONEY ? 2 : 4);
                return 1;
            }
            memcpy((char *)rec + f->offset, &scaled, sizeof(scaled));
            return 1;
        }
        int whole_ok = f->type == FG_F_INT32 || f->type == FG_F_FLAG || f->type == FG_F_ENUM;
        if (whole_ok && isfinite(d) && fabs(d) < 1e15 && d == trunc(d)) { /* 45.0 is 45 */
            n = number_text(f, (int64_t)d, num, sizeof(num));
            s = num;
            break;
        }
        if (whole_ok)
            failf(c, FG_E_INTEGER, AT(), "%.17g is not a whole number; a %s is (45 or 45.0)", d,
                  fg__ftype_name(f->type));
        else
            failf(c, FG_E_TYPE, AT(), "%.17g is a number with a fraction; a %s is expected", d,
                  fg__ftype_name(f->type));
        return 1;
    }
    default:
        failf(c, FG_E_TYPE, AT(), "%s is not a %s", json_kind(v), fg__ftype_name(f->type));
        return 1;
    }
    if (fg_field_set(f, rec, s, n, &e) != 0) {
        snprintf(e.where, sizeof(e.where), "%s", AT());
        report(c, &e);
    }
    return 1;
#undef AT
}

/* ---------------------------------------------------------------- records */

/*
 * Keys to fields: one open-addressing table per record type, built once. A document names a few
 * dozen keys per record and a record type has up to thirty fields, so this replaces a linear
 * scan of strcmp per key on the API's hot path.
 */
/* A power of two, above twice the names (fields and aliases) of any record. */
#define KEY_SLOTS 256
static uint16_t key_slots[FG_REC__COUNT][KEY_SLOTS]; /* field index + 1; 0 empty */
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static void key_put(uint16_t *slots, const char *name, size_t index)
{
    uint64_t h = fg_hash64(name, strlen(name));
    for (uint32_t k = 0; k < KEY_SLOTS; k++) {
        uint16_t *slot = &slots[(h + k) & (KEY_SLOTS - 1)];
        if (*slot == 0) {
            *slot = (uint16_t)(index + 1);
            return;
        }
    }
}

static void key_build(void)
{
    for (int t = 0; t < FG_REC__COUNT; t++) {
        const fg_rectype_info_t *info = fg_rectype_info((fg_rectype_t)t);
        for (size_t i = 0; i < info->nfields; i++) {
            const fg_field_t *f = &info->fields[i];
            if ((f->flags & FG_FIELD_NOJSON) != 0)
                continue;
            key_put(key_slots[t], f->name, i); /* in table order: the first entry wins */
            if (f->alias != NULL)
                key_put(key_slots[t], f->alias, i);
        }
    }
}

static int same_name(const char *name, const char *key, size_t len)
{
    return name != NULL && strncmp(name, key, len) == 0 && name[len] == '\0';
}

/* The field named key[0..len) (or aliased so); *name gets the name matched (NUL-terminated). */
static const fg_field_t *json_field(fg_rectype_t t, const fg_rectype_info_t *info, const char *key,
                                    size_t len, const char **name)
{
    pthread_once(&key_once, key_build);
    const uint16_t *slots = key_slots[t];
    uint64_t h = fg_hash64(key, len);
    for (uint32_t k = 0; k < KEY_SLOTS; k++) {
        uint16_t slot = slots[(h + k) & (KEY_SLOTS - 1)];
        if (slot == 0)
            return NULL;
        const fg_field_t *f = &info->fields[slot - 1];
        *name = same_name(f->name, key, len) ? f->name : f->alias;
        if (same_name(*name, key, len))
            return f;
    }
    return NULL;
}

/* The first entry of the table for the member of f (ALT keys count as their member's entry). */
static size_t member_index(const fg_rectype_info_t *info, const fg_field_t *f)
{
    for (size_t i = 0; i < info->nfields; i++)
        if (info->fields[i].offset == f->offset)
            return i;
    return (size_t)(f - info->fields);
}

/*
 * Read object obj into rec (cleared first): known keys through the field table, unknown keys
 * ignored. Then every FG_FIELD_REQUIRED field (unless skip_required) and every name in `also` must
 * have been given, and every amount and count must have the sign the record allows
 * (fg_field_sign_check), reported under the key it was given as.
 */
static void parse_record(struct ctx *c, fg_rectype_t t, fg__jv_t *obj, void *rec, const char *path,
                         int skip_required, const char *const *also)
{
    const fg_rectype_info_t *info = fg_rectype_info(t);
    const char *given[MAX_FIELDS] = {0}; /* the key each member was given as */
    char child[PATH_MAX_LEN];

    fg_record_clear(t, rec);
    fg__jv_t *kv = fg__jv_first(obj);
    for (uint32_t m = 0; m < obj->len; m++, kv = fg__jv_next(kv + 1)) {
        const char *key; /* the key as given, NUL-terminated: the field's name or alias */
        const fg_field_t *f = json_field(t, info, kv->u.s, kv->len, &key);
        if (f == NULL)
            continue;
        if (set_from_json(c, f, rec, kv + 1, path, key))
            given[member_index(info, f)] = key;
    }
    int refund = fg_record_is_refund(t, rec);
    for (size_t i = 0; i < info->nfields; i++) {
        fg_error_t e;
        if (given[i] != NULL && fg_field_sign_check(&info->fields[i], rec, refund, &e) != 0) {
            join(e.where, path, given[i]);
            report(c, &e);
        }
    }
    for (size_t i = 0; i < info->nfields; i++) {
        const fg_field_t *f = &info->fields[i];
        int need = !skip_required && fg__required_json(f);
        for (size_t k = 0; !need && also != NULL && also[k] != NULL; k++)
            need = strcmp(also[k], f->name) == 0;
        if (need && !given[i] && (f->flags & FG_FIELD_ALT) == 0) {
            join(child, path, f->name);
            failf(c, FG_E_REQUIRED, child, "the required field %s (%s) is missing", f->name,
                  f->meaning);
        }
    }
}

/* An array of items, or one object standing for an array of one. */
static size_t list_size(fg__jv_t *v)
{
    return fg__jv_is(v, FG__J_ARRAY) ? v->len : 1;
}

/* The first item of a list, and the one after item (read items in order only). */
static fg__jv_t *list_first(fg__jv_t *v)
{
    return fg__jv_is(v, FG__J_ARRAY) ? fg__jv_first(v) : v;
}

static fg__jv_t *list_next(fg__jv_t *item)
{
    return fg__jv_next(item);
}

static void item_path(char out[PATH_MAX_LEN], fg__jv_t *list, const char *path, size_t i)
{
    if (fg__jv_is(list, FG__J_ARRAY))
        join_index(out, path, i);
    else
        join(out, "", path);
}

/* Check a list's shape and size; 0 when it may be read. */
static int check_list(struct ctx *c, fg__jv_t *v, const char *path)
{
    if (!fg__jv_is(v, FG__J_ARRAY) && !fg__jv_is(v, FG__J_OBJECT)) {
        failf(c, FG_E_JSON_SHAPE, path, "%s is not an array (or one object)", json_kind(v));
        return -1;
    }
    if (list_size(v) > c->lim.max_items) {
        failf(c, FG_ELIMIT, path, "%zu items, more than the %zu allowed", list_size(v),
              c->lim.max_items);
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- trace codes */

static void parse_trace_entry(struct ctx *c, fg__jv_t *item, const char *path, int default_trdn,
                              fg_trace_ref_t *ref)
{
    char child[PATH_MAX_LEN];
    fg__jv_t *code = item;
    fg__jv_t *flag = NULL;
    ref->trdn_flag = default_trdn;
    if (fg__jv_is(item, FG__J_OBJECT)) {
        code = fg__jv_get(item, "drug_trac_codg");
        flag = fg__jv_get(item, "trdn_flag");
        join(child, path, "drug_trac_codg");
    } else {
        join(child, "", path);
    }
    if (code == NULL || fg__jv_is(code, FG__J_NULL) ||
        (fg__jv_is(code, FG__J_STRING) && code->len == 0)) {
        failf(c, FG_E_REQUIRED, child, "the trace code drug_trac_codg is missing");
    } else if (!fg__jv_is(code, FG__J_STRING)) {
        failf(c, FG_E_TYPE, child, "%s is not a trace code (a string)", json_kind(code));
    } else {
        fg_trace_code_t tc;
        fg_error_t e;
        fg_error_clear(&e);
        if (fg_trace_parse(code->u.s, code->len, &tc, &e) != 0) {
            snprintf(e.where, sizeof(e.where), "%s", child);
            report(c, &e);
        } else {
            snprintf(ref->drug_trac_codg, sizeof(ref->drug_trac_codg), "%s", tc.key);
        }
    }
    if (flag != NULL && !fg__jv_is(flag, FG__J_NULL)) {
        join(child, path, "trdn_flag");
        int ok = 0;
        if (fg__jv_is(flag, FG__J_STRING) && flag->len == 1) {
            char ch = flag->u.s[0];
            ok = ch == '0' || ch == '1';
            ref->trdn_flag = ch == '1';
        } else if (fg__jv_is(flag, FG__J_INTEGER)) {
            int64_t i = flag->u.i;
            ok = i == 0 || i == 1;
            ref->trdn_flag = i == 1;
        } else if (fg__jv_is(flag, FG__J_STRING) && flag->len == 0) {
            ok = 1;
            ref->trdn_flag = default_trdn;
        }
        if (!ok)
            failf(c, FG_E_ENUM, child, "trdn_flag is not a flag: 0 or 1");
    }
}

/* drug_trac_info[] and drugtracinfo[] of an object, merged, into *out / *n (arena). */
static void parse_traces(struct ctx *c, fg__jv_t *obj, const char *path, int default_trdn,
                         fg_trace_ref_t **out, size_t *n)
{
    static const char *const keys[2] = {"drug_trac_info", "drugtracinfo"};
    fg__jv_t *lists[2];
    size_t total = 0;
    char lpath[2][PATH_MAX_LEN];
    for (int k = 0; k < 2; k++) {
        lists[k] = fg__jv_get(obj, keys[k]);
        join(lpath[k], path, keys[k]);
        if (lists[k] != NULL && fg__jv_is(lists[k], FG__J_NULL))
            lists[k] = NULL;
        if (lists[k] != NULL && !fg__jv_is(lists[k], FG__J_ARRAY) &&
            !fg__jv_is(lists[k], FG__J_OBJECT) && !fg__jv_is(lists[k], FG__J_STRING)) {
            failf(c, FG_E_JSON_SHAPE, lpath[k], "%s is not a list of trace codes",
                  json_kind(lists[k]));
            lists[k] = NULL;
        }
        if (lists[k] != NULL)
            total += list_size(lists[k]);
    }
    *out = NULL;
    *n = 0;
    if (total == 0)
        return;
    if (total > c->lim.max_items) {
        failf(c, FG_ELIMIT, lpath[lists[0] != NULL ? 0 : 1], "%zu trace codes, more than %zu",
              total, c->lim.max_items);
        return;
    }
    fg_trace_ref_t *refs = arena_array(c, total, sizeof(*refs), path);
    if (refs == NULL)
        return;
    size_t at = 0;
    for (int k = 0; k < 2; k++) {
        if (lists[k] == NULL)
            continue;
        fg__jv_t *item = list_first(lists[k]);
        for (size_t i = 0; i < list_size(lists[k]); i++, item = list_next(item)) {
            char child[PATH_MAX_LEN];
            item_path(child, lists[k], lpath[k], i);
            parse_trace_entry(c, item, child, default_trdn, &refs[at++]);
        }
    }
    *out = refs;
    *n = total;
}

/* ---------------------------------------------------------------- the parts of a document */

static int supported_infno(long v)
{
    return v == 2204 || v == 2206 || v == 2207 || (v >= 3501 && v <= 3507);
}

/* The interface number of an "infno" value ("2204" or 2204); 0 after reporting an error. */
static int parse_infno(struct ctx *c, fg__jv_t *v, const char *path)
{
    long n = -1;
    if (fg__jv_is(v, FG__J_INTEGER)) {
        int64_t i = v->u.i;
        n = (i >= 0 && i < 100000) ? (long)i : -1;
    } else if (fg__jv_is(v, FG__J_STRING)) {
        const char *s = v->u.s;
        size_t len = v->len;
        if (len > 0 && len <= 5) {
            n = 0;
            for (size_t i = 0; i < len && n >= 0; i++)
                n = (s[i] >= '0' && s[i] <= '9') ? n * 10 + (s[i] - '0') : -1;
        }
    }
    if (!supported_infno(n)) {
        char q[64];
        if (fg__jv_is(v, FG__J_STRING))
            fg__quote_value(q, sizeof(q), v->u.s, v->len, 0);
        else
            snprintf(q, sizeof(q), "%s", json_kind(v));
        failf(c, FG_E_INFNO, path,
              "'%s' is not an interface this engine reads (2204, 2206, 2207, 3501 to 3507)", q);
        return 0;
    }
    return (int)n;
}

/* One object part (psninfo, fixmedins, mdtrtinfo, setlinfo): a record in the arena. */
static void *parse_object_part(struct ctx *c, fg_rectype_t t, fg__jv_t *v, const char *path)
{
    if (!fg__jv_is(v, FG__J_OBJECT)) {
        failf(c, FG_E_JSON_SHAPE, path, "%s is not an object", json_kind(v));
        return NULL;
    }
    void *rec = arena_array(c, 1, fg_rectype_info(t)->size, path);
    if (rec != NULL)
        parse_record(c, t, v, rec, path, 0, NULL);
    return rec;
}

/* Parse one list item into rec; item is NULL when it was not an object (rec is cleared and only
 * the defaults the caller needs are set). */
typedef void (*item_fn)(struct ctx *c, fg__jv_t *item, const char *path, void *rec,
                        const void *arg);

/* A list of records of type t (a lone object counts as a list of one). Returns the records in the
 * arena and their number in *count, or NULL with *count 0 when there are none or on error. */
static void *parse_list(struct ctx *c, fg__jv_t *v, const char *path, fg_rectype_t t,
                        const char *what, item_fn fill, const void *arg, size_t *count)
{
    *count = 0;
    if (check_list(c, v, path) != 0)
        return NULL;
    size_t n = list_size(v);
    if (n == 0)
        return NULL;
    size_t size = fg_rectype_info(t)->size;
    char *recs = arena_array(c, n, size, path);
    if (recs == NULL)
        return NULL;
    fg__jv_t *item = list_first(v);
    for (size_t i = 0; i < n; i++, item = list_next(item)) {
        char child[PATH_MAX_LEN];
        void *rec = recs + i * size;
        item_path(child, v, path, i);
        if (!fg__jv_is(item, FG__J_OBJECT)) {
            fg_record_clear(t, rec);
            fill(c, NULL, child, rec, arg);
            failf(c, FG_E_JSON_SHAPE, child, "%s is not %s object", json_kind(item), what);
            continue;
        }
        fill(c, item, child, rec, arg);
    }
    *count = n;
    return recs;
}

static void fill_diag(struct ctx *c, fg__jv_t *item, const char *path, void *rec, const void *arg)
{
    (void)arg;
    if (item != NULL)
        parse_record(c, FG_REC_DIAGNOSIS, item, rec, path, 0, NULL);
}

static void fill_fee(struct ctx *c, fg__jv_t *item, const char *path, void *rec, const void *arg)
{
    fg_fee_line_t *fee = rec;
    (void)arg;
    if (item == NULL)
        return;
    parse_record(c, FG_REC_FEE_LINE, item, fee, path, 0, NULL);
    parse_traces(c, item, path, 0, &fee->trace, &fee->ntrace);
}

static void fill_inv(struct ctx *c, fg__jv_t *item, const char *path, void *rec, const void *arg)
{
    static const char *const need_code[] = {"med_list_codg", NULL};
    static const char *const need_bchno[] = {"fixmedins_bchno", NULL};
    fg_inv_event_t *ev = rec;
    fg_inv_type_t type = *(const fg_inv_type_t *)arg;
    if (item != NULL) {
        parse_record(c, FG_REC_INV_EVENT, item, ev, path, 1,
                     type == FG_INV_DELETE ? need_bchno : need_code);
        ev->type = type;
        parse_traces(c, item, path, ev->trdn_flag, &ev->trace, &ev->ntrace);
    }
    ev->type = type;
}

static void parse_diags(struct ctx *c, fg__jv_t *v, const char *path, fg_doc_t *out)
{
    out->diags =
        parse_list(c, v, path, FG_REC_DIAGNOSIS, "a diagnosis", fill_diag, NULL, &out->ndiags);
}

static void parse_fees(struct ctx *c, fg__jv_t *v, const char *path, fg_doc_t *out)
{
    out->fees = parse_list(c, v, path, FG_REC_FEE_LINE, "a fee line", fill_fee, NULL, &out->nfees);
}

static void parse_inv(struct ctx *c, fg__jv_t *v, const char *path, fg_inv_type_t type,
                      fg_doc_t *out)
{
    out->inv =
        parse_list(c, v, path, FG_REC_INV_EVENT, "an inventory", fill_inv, &type, &out->ninv);
}

/* The inventory key of each interface, and the interface a key means when none is named. */
static const char *inv_key(int infno)
{
    switch (infno) {
    case FG_INV_STOCK_COUNT:
    case FG_INV_CHANGE:
        return "invinfo";
    case FG_INV_PURCHASE:
    case FG_INV_PURCHASE_RETURN:
        return "purcinfo";
    case FG_INV_SALE:
    case FG_INV_SALE_RETURN:
        return "selinfo";
    case FG_INV_DELETE:
        return "data";
    default:
        return NULL;
    }
}

static const struct {
    const char *key;
    fg_inv_type_t first; /* the interface a bare document means */
    fg_inv_type_t second;
} inv_keys[] = {
    {"invinfo", FG_INV_STOCK_COUNT, FG_INV_CHANGE},
    {"purcinfo", FG_INV_PURCHASE, FG_INV_PURCHASE_RETURN},
    {"selinfo", FG_INV_SALE, FG_INV_SALE_RETURN},
};

/* The envelope's own fields, read through the same routine as every record field. */
static const fg_field_t envelope_fields[] = {
    {.name = "msgid",
     .type = FG_F_STR,
     .id_kind = -1,
     .offset = offsetof(fg_doc_t, msgid),
     .size = sizeof(((fg_doc_t *)0)->msgid),
     .meaning = "报文ID — message id"},
    {.name = "fixmedins_code",
     .type = FG_F_ID,
     .id_kind = FG_ID_INSTITUTION,
     .offset = offsetof(fg_doc_t, fixmedins_code),
     .size = sizeof(((fg_doc_t *)0)->fixmedins_code),
     .meaning = "定点医药机构编号 — sending institution"},
    {.name = "inf_time",
     .type = FG_F_TIME,
     .id_kind = -1,
     .offset = offsetof(fg_doc_t, inf_time),
     .size = sizeof(((fg_doc_t *)0)->inf_time),
     .meaning = "交易时间 — time of sending"},
};

static void parse_envelope(struct ctx *c, fg__jv_t *root, fg_doc_t *out)
{
    for (size_t i = 0; i < FG_ARRAY_LEN(envelope_fields); i++) {
        fg__jv_t *v = fg__jv_get(root, envelope_fields[i].name);
        if (v != NULL)
            set_from_json(c, &envelope_fields[i], out, v, envelope_fields[i].name, NULL);
    }
}

/* Fill the envelope's institution into records that name none. */
static void apply_institution(fg_doc_t *d)
{
    const char *code = d->fixmedins_code;
    size_t len = strlen(code) + 1;
    if (code[0] == '\0')
        return;
    if (d->visit != NULL && d->visit->fixmedins_code[0] == '\0')
        memcpy(d->visit->fixmedins_code, code, len);
    if (d->settlement != NULL && d->settlement->fixmedins_code[0] == '\0')
        memcpy(d->settlement->fixmedins_code, code, len);
    for (size_t i = 0; i < d->nfees; i++)
        if (d->fees[i].fixmedins_code[0] == '\0')
            memcpy(d->fees[i].fixmedins_code, code, len);
    for (size_t i = 0; i < d->ninv; i++)
        if (d->inv[i].fixmedins_code[0] == '\0')
            memcpy(d->inv[i].fixmedins_code, code, len);
}

/* The parts of the body object (input, or the bare document). */
static void parse_body(struct ctx *c, fg__jv_t *body, const char *prefix, int infno, int named,
                       fg_doc_t *out)
{
    char path[PATH_MAX_LEN];
    fg__jv_t *v;
    int found = 0;

    v = fg__jv_get(body, "psninfo");
    if (v != NULL) {
        join(path, prefix, "psninfo");
        out->person = parse_object_part(c, FG_REC_PERSON, v, path);
        found = 1;
    }
    v = fg__jv_get(body, "fixmedins");
    if (v != NULL) {
        join(path, prefix, "fixmedins");
        out->institution = parse_object_part(c, FG_REC_INSTITUTION, v, path);
        found = 1;
    }
    v = fg__jv_get(body, "mdtrtinfo");
    if (v != NULL) {
        join(path, prefix, "mdtrtinfo");
        out->visit = parse_object_part(c, FG_REC_VISIT, v, path);
        found = 1;
    }
    v = fg__jv_get(body, "diseinfo");
    if (v != NULL) {
        join(path, prefix, "diseinfo");
        parse_diags(c, v, path, out);
        found = 1;
    }
    fg__jv_t *fees = fg__jv_get(body, "feedetail");
    int has_fees = fees != NULL;
    v = fees;
    if (v != NULL) {
        join(path, prefix, "feedetail");
        parse_fees(c, v, path, out);
        found = 1;
    }

    /* The settlement: setlinfo (2207 output, check requests) or data (2206/2207 input). */
    fg__jv_t *setl = fg__jv_get(body, "setlinfo");
    fg__jv_t *data = infno == FG_INV_DELETE ? NULL : fg__jv_get(body, "data");
    if (setl != NULL && data != NULL) {
        join(path, prefix, "data");
        failf(c, FG_E_JSON_SHAPE, path, "both data and setlinfo hold a settlement; give one");
    } else if (setl != NULL || data != NULL) {
        join(path, prefix, setl != NULL ? "setlinfo" : "data");
        out->settlement = parse_object_part(c, FG_REC_SETTLEMENT, setl != NULL ? setl : data, path);
        found = 1;
    }

    /* Inventory events: one of invinfo, purcinfo, selinfo (or data in 3507). */
    const char *ikey = NULL;
    fg_inv_type_t itype = 0;
    for (size_t k = 0; k < FG_ARRAY_LEN(inv_keys); k++) {
        if (fg__jv_get(body, inv_keys[k].key) == NULL)
            continue;
        if (ikey != NULL) {
            join(path, prefix, inv_keys[k].key);
            failf(c, FG_E_JSON_SHAPE, path, "both %s and %s are given; a document holds one", ikey,
                  inv_keys[k].key);
            continue;
        }
        ikey = inv_keys[k].key;
        itype = inv_keys[k].first;
        if (infno == (int)inv_keys[k].first || infno == (int)inv_keys[k].second) {
            itype = (fg_inv_type_t)infno;
        } else if (infno >= 3501 && infno <= 3507) {
            join(path, prefix, ikey);
            failf(c, FG_E_JSON_SHAPE, path, "interface %d carries %s, not %s", infno,
                  inv_key(infno), ikey);
        }
    }
    if (infno == FG_INV_DELETE && fg__jv_get(body, "data") != NULL) {
        ikey = "data";
        itype = FG_INV_DELETE;
    }
    if (ikey != NULL) {
        join(path, prefix, ikey);
        parse_inv(c, fg__jv_get(body, ikey), path, itype, out);
        found = 1;
    }

    /* What the interface must carry. */
    const char *missing = NULL;
    if (named && infno == 2204 && !has_fees)
        missing = "feedetail";
    else if (named && infno == 2204 && fg__jv_is(fees, FG__J_ARRAY) && fees->len == 0)
        missing = "feedetail (empty)";
    else if (named && (infno == 2206 || infno == 2207) && setl == NULL && data == NULL)
        missing = "data";
    else if (named && infno >= 3501 && infno <= 3507 && ikey == NULL)
        missing = inv_key(infno);
    if (missing != NULL) {
        join(path, prefix, missing);
        failf(c, FG_E_JSON_SHAPE, path, "interface %d needs %s", infno, missing);
    } else if (!found) {
        failf(
            c, FG_E_JSON_SHAPE, prefix,
            "no part this engine reads: feedetail, setlinfo or data, psninfo, mdtrtinfo, diseinfo, fixmedins, invinfo, purcinfo or selinfo");
    }

    if (infno == 0) {
        /* A bare document says what it is by its parts. */
        if (out->ninv > 0)
            infno = (int)out->inv[0].type;
        else if (out->settlement != NULL && out->nfees == 0 && out->person == NULL &&
                 out->visit == NULL && out->ndiags == 0)
            infno = 2207;
        else if (out->nfees > 0 && out->settlement == NULL && out->person == NULL &&
                 out->visit == NULL && out->ndiags == 0 && out->institution == NULL)
            infno = 2204;
    }
    out->infno = infno;
}

/* ---------------------------------------------------------------- parse */

/* Nesting depth outside strings, checked before either decoder sees the text (and on every request
 * body by the service, so it is quick: strings are skipped with memchr, and the line and column are
 * counted only when the answer is no). A quote ends a string unless an odd run of backslashes
 * precedes it; an unterminated string ends the scan. */
int fg_json_depth_exceeds(const char *s, size_t n, size_t max, long *line, long *col)
{
    const char *p = s, *end = s + n;
    size_t depth = 0;
    while (p < end) {
        char ch = *p;
        if (ch == '"') {
            const char *q = p + 1;
            for (;;) {
                q = memchr(q, '"', (size_t)(end - q));
                if (q == NULL)
                    return 0;
                size_t run = 0;
                while (q - run > p + 1 && q[-1 - (ptrdiff_t)run] == '\\')
                    run++;
                if (run % 2 == 0)
                    break;
                q++;
            }
            p = q + 1;
            continue;
        }
        if (ch == '[' || ch == '{') {
            if (++depth > max) {
                long ln = 1;
                const char *line_start = s;
                for (const char *nl = s; (nl = memchr(nl, '\n', (size_t)(p - nl))) != NULL;) {
                    ln++;
                    line_start = ++nl;
                }
                *line = ln;
                *col = (long)(p - line_start) + 1;
                return -1;
            }
        } else if ((ch == ']' || ch == '}') && depth > 0) {
            depth--;
        }
        p++;
    }
    return 0;
}

/* The view of text decoded by jansson, or NULL after reporting why there is none. *tree gets the
 * tree, which the view borrows strings from. */
static fg__jv_t *decode_jansson(struct ctx *c, const char *json, size_t n, json_t **tree)
{
    json_error_t je;
    *tree = json_loadb(json != NULL ? json : "", n, JSON_REJECT_DUPLICATES, &je);
    if (*tree == NULL) {
        fg_error_t e;
        enum json_error_code jc = json_error_code(&je);
        int code = jc == json_error_invalid_utf8    ? FG_E_UTF8
                   : jc == json_error_duplicate_key ? FG_E_DUPLICATE
                   : jc == json_error_out_of_memory ? FG_ENOMEM
                                                    : FG_E_JSON;
        fg_error_set(&e, code, "", je.position > 0 ? (size_t)je.position : 0,
                     "the JSON is not well formed: %s", je.text);
        e.line = je.line > 0 ? je.line : 0;
        e.col = je.column > 0 ? je.column : 0;
        report(c, &e);
        return NULL;
    }
    fg__jv_t *root = fg__json_from_jansson(*tree, c->arena);
    if (root == NULL)
        failf(c, FG_ENOMEM, "", "out of memory");
    return root;
}

/* The top-level object of json[0..n), or NULL after reporting why there is none (too large, too
 * deep, not well formed, not an object). `fast` lets the scanner of jsonscan.c decode what it
 * accepts; *tree gets jansson's tree when jansson decoded it (json_decref it after the view). */
static fg__jv_t *decode(struct ctx *c, const char *json, size_t n, int fast, json_t **tree)
{
    *tree = NULL;
    if (n > c->lim.max_bytes) {
        failf(c, FG_ELIMIT, "", "the document has %zu bytes, more than the %zu allowed", n,
              c->lim.max_bytes);
        return NULL;
    }
    /* The scanner first: a document it accepts is well formed, so fg_json_depth_exceeds would find
     * just the nesting the scanner measured and need not run unless that is over the limit. */
    size_t depth = 0;
    fg__jv_t *root = fast ? fg__json_scan(json, n, c->arena, &depth) : NULL;
    long line = 0;
    long col = 0;
    if ((root == NULL || depth > c->lim.max_depth) &&
        fg_json_depth_exceeds(json, n, c->lim.max_depth, &line, &col) != 0) {
        fg_error_t e;
        fg_error_set(&e, FG_E_JSON_DEPTH, "", 0, "the JSON is nested more than %zu levels deep",
                     c->lim.max_depth);
        e.line = line;
        e.col = col;
        report(c, &e);
        return NULL;
    }
    if (root == NULL)
        root = decode_jansson(c, json, n, tree);
    if (root != NULL && !fg__jv_is(root, FG__J_OBJECT)) {
        failf(c, FG_E_JSON_SHAPE, "", "the document is %s, not an object", json_kind(root));
        json_decref(*tree);
        *tree = NULL;
        root = NULL;
    }
    return root;
}

static void limits_init(struct ctx *c, const fg_json_limits_t *limits)
{
    c->lim.max_depth = limits != NULL && limits->max_depth != 0 ? limits->max_depth : 32;
    c->lim.max_bytes = limits != NULL && limits->max_bytes != 0 ? limits->max_bytes : 8u << 20;
    c->lim.max_items = limits != NULL && limits->max_items != 0 ? limits->max_items : 10000;
}

/* fg_doc_parse; `fast` lets the scanner of jsonscan.c decode what it accepts (jansson decodes the
 * rest), without it jansson decodes everything (the reference the tests compare with). */
static int doc_parse(const char *json, size_t n, int infno_hint, const fg_json_limits_t *limits,
                     fg_arena_t *arena, fg_doc_t *out, fg_diag_t *diag, fg_error_t *err, int fast)
{
    struct ctx c = {.arena = arena, .diag = diag, .err = err, .rc = 0};
    limits_init(&c, limits);
    fg_error_clear(err);
    if (out == NULL || arena == NULL || (json == NULL && n > 0))
        return fg_error_set(err, FG_EINVAL, NULL, 0, "fg_doc_parse: no text, arena or output");
    memset(out, 0, sizeof(*out));
    out->inf_time = FG_TIME_NONE;

    json_t *tree = NULL;
    fg__jv_t *root = decode(&c, json, n, fast, &tree);
    if (root == NULL)
        return c.rc;

    fg__jv_t *infno_v = fg__jv_get(root, "infno");
    fg__jv_t *input = fg__jv_get(root, "input");
    if (infno_v != NULL && input != NULL) {
        out->enveloped = 1;
        int infno = parse_infno(&c, infno_v, "infno");
        parse_envelope(&c, root, out);
        if (!fg__jv_is(input, FG__J_OBJECT))
            failf(&c, FG_E_JSON_SHAPE, "input", "%s is not an object", json_kind(input));
        else if (infno != 0)
            parse_body(&c, input, "input", infno, 1, out);
    } else {
        int infno = infno_hint;
        int named = infno != 0;
        if (infno != 0 && !supported_infno(infno)) {
            failf(&c, FG_E_INFNO, "", "%d is not an interface this engine reads", infno);
            infno = 0;
        } else if (infno == 0 && infno_v != NULL) {
            infno = parse_infno(&c, infno_v, "infno");
            named = 1;
        }
        if (!named || infno != 0)
            parse_body(&c, root, "", infno, named, out);
    }
    apply_institution(out);
    json_decref(tree);
    return c.rc;
}

int fg_doc_parse(const char *json, size_t n, int infno_hint, const fg_json_limits_t *limits,
                 fg_arena_t *arena, fg_doc_t *out, fg_diag_t *diag, fg_error_t *err)
{
    return doc_parse(json, n, infno_hint, limits, arena, out, diag, err, 1);
}

int fg__doc_parse_jansson(const char *json, size_t n, int infno_hint,
                          const fg_json_limits_t *limits, fg_arena_t *arena, fg_doc_t *out,
                          fg_diag_t *diag, fg_error_t *err)
{
    return doc_parse(json, n, infno_hint, limits, arena, out, diag, err, 0);
}

int fg_json_read_record(fg_rectype_t t, const char *json, size_t n, const fg_json_limits_t *limits,
                        fg_arena_t *arena, void *rec, fg_diag_t *diag, fg_error_t *err)
{
    struct ctx c = {.arena = arena, .diag = diag, .err = err, .rc = 0};
    limits_init(&c, limits);
    fg_error_clear(err);
    if (fg_rectype_info(t) == NULL || rec == NULL || arena == NULL || (json == NULL && n > 0))
        return fg_error_set(err, FG_EINVAL, NULL, 0, "fg_json_read_record: no type, text or arena");
    fg_record_clear(t, rec);
    json_t *tree = NULL;
    fg__jv_t *root = decode(&c, json, n, 1, &tree);
    if (root != NULL)
        parse_record(&c, t, root, rec, "", 1, NULL);
    json_decref(tree);
    return c.rc;
}

/* ---------------------------------------------------------------- writers */

/* The key an inventory member is written under in interface `type`. */
static const char *inv_field_key(const fg_field_t *f, fg_inv_type_t type)
{
    if (f->offset == offsetof(fg_inv_event_t, time)) {
        switch (type) {
        case FG_INV_STOCK_COUNT:
            return "invdate";
        case FG_INV_CHANGE:
            return "inv_chg_time";
        case FG_INV_PURCHASE:
        case FG_INV_PURCHASE_RETURN:
            return "purc_retn_stoin_time";
        default:
            return "sel_retn_time";
        }
    }
    if (f->offset == offsetof(fg_inv_event_t, cnt)) {
        switch (type) {
        case FG_INV_STOCK_COUNT:
            return "inv_cnt";
        case FG_INV_CHANGE:
            return "cnt";
        case FG_INV_PURCHASE:
        case FG_INV_PURCHASE_RETURN:
            return "purc_retn_cnt";
        default:
            return "sel_retn_cnt";
        }
    }
    if (f->offset == offsetof(fg_inv_event_t, price) && type == FG_INV_CHANGE)
        return "pric";
    return f->name;
}

static int put_key(fg_buf_t *b, int *first, const char *key)
{
    int rc = 0;
    if (!*first)
        rc = fg_buf_appendc(b, ',');
    *first = 0;
    if (rc == 0)
        rc = fg_buf_append_json_str(b, key, strlen(key));
    if (rc == 0)
        rc = fg_buf_appendc(b, ':');
    return rc;
}

static int put_str(fg_buf_t *b, int *first, const char *key, const char *s, size_t n)
{
    int rc = put_key(b, first, key);
    return rc != 0 ? rc : fg_buf_append_json_str(b, s, n);
}

static int write_traces(fg_buf_t *b, int *first, const char *key, const fg_trace_ref_t *t, size_t n,
                        int event_trdn, int always_flag)
{
    int rc = put_key(b, first, key);
    if (rc == 0)
        rc = fg_buf_appendc(b, '[');
    for (size_t i = 0; i < n && rc == 0; i++) {
        int f2 = 1;
        rc = fg_buf_appends(b, i > 0 ? ",{" : "{");
        if (rc == 0)
            rc = put_str(b, &f2, "drug_trac_codg", t[i].drug_trac_codg,
                         strnlen(t[i].drug_trac_codg, sizeof(t[i].drug_trac_codg)));
        if (rc == 0 && (always_flag || t[i].trdn_flag != event_trdn))
            rc = put_str(b, &f2, "trdn_flag", t[i].trdn_flag ? "1" : "0", 1);
        if (rc == 0)
            rc = fg_buf_appendc(b, '}');
    }
    if (rc == 0)
        rc = fg_buf_appendc(b, ']');
    return rc;
}

/* The members of one record, without braces. */
static int write_members(fg_rectype_t t, const void *rec, const char *const *extra, fg_buf_t *b)
{
    const fg_rectype_info_t *info = fg_rectype_info(t);
    int first = 1;
    int rc = 0;
    for (size_t i = 0; i < info->nfields && rc == 0; i++) {
        const fg_field_t *f = &info->fields[i];
        if ((f->flags & (FG_FIELD_NOJSON | FG_FIELD_ALT)) != 0 || f->type == FG_F_IDCARD)
            continue;
        /* money and quantities of 0 are left out unless required: 0 is what absent reads as */
        if ((f->type == FG_F_MONEY || f->type == FG_F_QTY) && !fg__required_json(f) &&
            fg__field_absent(f, rec))
            continue;
        char tmp[FG__FIELD_TEXT];
        const char *s;
        size_t n;
        if (!fg__field_text(f, rec, tmp, &s, &n))
            continue;
        const char *key =
            t == FG_REC_INV_EVENT ? inv_field_key(f, ((const fg_inv_event_t *)rec)->type) : f->name;
        if (f->type == FG_F_INT32) {
            rc = put_key(b, &first, key);
            if (rc == 0)
                rc = fg_buf_append(b, s, n);
        } else {
            rc = put_str(b, &first, key, s, n);
        }
    }
    if (rc == 0 && t == FG_REC_FEE_LINE) {
        const fg_fee_line_t *fee = rec;
        if (fee->ntrace > 0)
            rc = write_traces(b, &first, "drug_trac_info", fee->trace, fee->ntrace, 0, 1);
    }
    if (rc == 0 && t == FG_REC_INV_EVENT) {
        const fg_inv_event_t *ev = rec;
        if (ev->ntrace > 0)
            rc = write_traces(b, &first, "drugtracinfo", ev->trace, ev->ntrace, ev->trdn_flag, 0);
    }
    for (size_t k = 0; rc == 0 && extra != NULL && extra[k] != NULL && extra[k + 1] != NULL; k += 2)
        rc = put_str(b, &first, extra[k], extra[k + 1], strlen(extra[k + 1]));
    return rc;
}

static int write_object(fg_rectype_t t, const void *rec, const char *const *extra, fg_buf_t *b)
{
    int rc = fg_buf_appendc(b, '{');
    if (rc == 0)
        rc = write_members(t, rec, extra, b);
    if (rc == 0)
        rc = fg_buf_appendc(b, '}');
    return rc;
}

/* On failure, leave b as it was: no half object. */
static int undo(fg_buf_t *b, size_t start, int rc)
{
    if (rc != 0 && b->data != NULL) {
        b->len = start;
        b->data[start] = '\0';
    }
    return rc;
}

int fg_json_write_record_extra(fg_rectype_t t, const void *rec, const char *const *extra,
                               fg_buf_t *b)
{
    if (fg_rectype_info(t) == NULL || rec == NULL || b == NULL)
        return FG_EINVAL;
    size_t start = b->len;
    return undo(b, start, write_object(t, rec, extra, b));
}

int fg_json_write_record(fg_rectype_t t, const void *rec, fg_buf_t *b)
{
    return fg_json_write_record_extra(t, rec, NULL, b);
}

static int write_array(fg_buf_t *b, int *first, const char *key, fg_rectype_t t, const void *recs,
                       size_t n)
{
    size_t size = fg_rectype_info(t)->size;
    int rc = put_key(b, first, key);
    if (rc == 0)
        rc = fg_buf_appendc(b, '[');
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (i > 0)
            rc = fg_buf_appendc(b, ',');
        if (rc == 0)
            rc = write_object(t, (const char *)recs + i * size, NULL, b);
    }
    if (rc == 0)
        rc = fg_buf_appendc(b, ']');
    return rc;
}

static int write_part(fg_buf_t *b, int *first, const char *key, fg_rectype_t t, const void *rec)
{
    int rc = put_key(b, first, key);
    return rc != 0 ? rc : write_object(t, rec, NULL, b);
}

static int write_body(const fg_doc_t *d, fg_buf_t *b, int *first)
{
    int rc = 0;
    if (rc == 0 && d->person != NULL)
        rc = write_part(b, first, "psninfo", FG_REC_PERSON, d->person);
    if (rc == 0 && d->institution != NULL)
        rc = write_part(b, first, "fixmedins", FG_REC_INSTITUTION, d->institution);
    if (rc == 0 && d->visit != NULL)
        rc = write_part(b, first, "mdtrtinfo", FG_REC_VISIT, d->visit);
    if (rc == 0 && d->ndiags > 0)
        rc = write_array(b, first, "diseinfo", FG_REC_DIAGNOSIS, d->diags, d->ndiags);
    if (rc == 0 && d->nfees > 0)
        rc = write_array(b, first, "feedetail", FG_REC_FEE_LINE, d->fees, d->nfees);
    if (rc == 0 && d->settlement != NULL)
        rc = write_part(b, first, (d->infno == 2206 || d->infno == 2207) ? "data" : "setlinfo",
                        FG_REC_SETTLEMENT, d->settlement);
    if (rc == 0 && d->ninv > 0)
        rc = write_array(b, first, inv_key((int)d->inv[0].type), FG_REC_INV_EVENT, d->inv, d->ninv);
    return rc;
}

int fg_json_write_doc(const fg_doc_t *d, fg_buf_t *b)
{
    if (d == NULL || b == NULL)
        return FG_EINVAL;
    if ((d->enveloped && !supported_infno(d->infno)) ||
        (d->infno != 0 && !supported_infno(d->infno)))
        return FG_EINVAL;
    for (size_t i = 0; i < d->ninv; i++)
        if (inv_key((int)d->inv[i].type) == NULL || d->inv[i].type != d->inv[0].type)
            return FG_EINVAL;
    size_t start = b->len;
    int first = 1;
    char num[8];
    int rc = fg_buf_appendc(b, '{');
    if (rc == 0 && d->infno != 0) {
        snprintf(num, sizeof(num), "%d", d->infno);
        rc = put_str(b, &first, "infno", num, strlen(num));
    }
    if (d->enveloped) {
        for (size_t i = 0; i < FG_ARRAY_LEN(envelope_fields) && rc == 0; i++) {
            char tmp[FG__FIELD_TEXT];
            const char *s;
            size_t n;
            if (fg__field_text(&envelope_fields[i], d, tmp, &s, &n))
                rc = put_str(b, &first, envelope_fields[i].name, s, n);
        }
        if (rc == 0)
            rc = put_key(b, &first, "input");
        if (rc == 0)
            rc = fg_buf_appendc(b, '{');
        int inner = 1;
        if (rc == 0)
            rc = write_body(d, b, &inner);
        if (rc == 0)
            rc = fg_buf_appendc(b, '}');
    } else if (rc == 0) {
        rc = write_body(d, b, &first);
    }
    if (rc == 0)
        rc = fg_buf_appendc(b, '}');
    return undo(b, start, rc);
}

/* ---------------------------------------------------------------- the two decoders compared */

/* An error as one number: its code, place and text (not the bytes after the strings' ends). */
static uint64_t error_hash(const fg_error_t *e, uint64_t h)
{
    long nums[4] = {e->code, e->line, e->col, (long)e->pos};
    h = fg_hash64_seed(nums, sizeof(nums), h);
    h = fg_hash64_seed(e->where, strnlen(e->where, sizeof(e->where)), h);
    return fg_hash64_seed(e->msg, strnlen(e->msg, sizeof(e->msg)), h);
}

/* Every error a parse reports, folded into one number. */
static void diag_fold(void *ctx, const fg_error_t *e)
{
    uint64_t *h = ctx;
    *h = error_hash(e, *h);
}

struct outcome {
    fg_arena_t arena;
    fg_doc_t doc;
    fg_error_t err;
    uint64_t reports; /* diag_fold of every report */
    fg_diag_t diag;
    fg_buf_t out; /* the document written back */
    int rc;       /* of the parse */
    int wrc;      /* of the writer */
};

static void outcome_run(struct outcome *o, const char *json, size_t n, int hint,
                        const fg_json_limits_t *lim, int fast)
{
    memset(o, 0, sizeof(*o));
    fg_arena_init(&o->arena, 0);
    fg_buf_init(&o->out, 1 << 24);
    o->diag = (fg_diag_t){diag_fold, &o->reports, 0};
    o->rc = doc_parse(json, n, hint, lim, &o->arena, &o->doc, &o->diag, &o->err, fast);
    o->wrc = fg_json_write_doc(&o->doc, &o->out);
}

const char *fg__doc_parse_compare(const char *json, size_t n, int hint, const fg_json_limits_t *lim)
{
    struct outcome o[2];
    const char *diff = NULL;
    outcome_run(&o[0], json, n, hint, lim, 1);
    outcome_run(&o[1], json, n, hint, lim, 0);
    if (o[0].rc != o[1].rc)
        diff = "return code";
    else if (error_hash(&o[0].err, 0) != error_hash(&o[1].err, 0))
        diff = "first error";
    else if (o[0].diag.count != o[1].diag.count || o[0].reports != o[1].reports)
        diff = "errors reported";
    else if (o[0].wrc != o[1].wrc || o[0].out.len != o[1].out.len ||
             (o[0].out.len > 0 && memcmp(o[0].out.data, o[1].out.data, o[0].out.len) != 0))
        diff = "document";
    for (int k = 0; k < 2; k++) {
        fg_buf_release(&o[k].out);
        fg_arena_release(&o[k].arena);
    }
    return diff;
}
