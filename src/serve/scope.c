/*
 * scope.c — what an institution key is shown of another institution (docs/openapi.yaml, "What an
 * institution key sees").
 *
 * An institution reaches only its own data (api.c refuses another's documents, rows and filters
 * with 403), yet some of its own answers carry evidence about others: a duplicate or a reflow alert
 * lists every earlier standing sale of the pack, wherever it was. That it was sold before, when,
 * how many units and that it was at another institution is what the institution must learn; which
 * institution, whose settlement, fee line or patient it was is not its to know. So every answer to
 * an institution key passes through one filter: each JSON object naming another institution
 * (a "fixmedins_code" that is not the caller's) is cut to its time, units and outcome fields plus
 * "same_institution": false. The bureau's roles get the evidence in full.
 *
 * Most answers name no other institution: a scan of the text finds that and leaves them untouched;
 * only the rest is decoded and rewritten.
 */
#include "core/compat.h"

#include <jansson.h>
#include <string.h>

#include "serve/serve_int.h"

/* The fields of another institution's object an institution key may see: none identifies a
 * person, a settlement, a fee line, a member of staff or the institution. */
static const char *const keeps[] = {"time",    "occurred", "units", "type",
                                    "outcome", "kind",     "status"};

static int kept(const char *key)
{
    for (size_t i = 0; i < FG_ARRAY_LEN(keeps); i++)
        if (strcmp(key, keeps[i]) == 0)
            return 1;
    return 0;
}

/* 1 when the JSON text names an institution other than inst ("fixmedins_code":"…" with another
 * code); the service writes the key unescaped everywhere, and a stored body was re-encoded. */
static int names_another(const char *s, size_t n, const char *inst)
{
    static const char key[] = "\"fixmedins_code\"";
    size_t in = strlen(inst);
    const char *end = s + n;
    for (const char *p = memmem(s, n, key, sizeof(key) - 1); p != NULL;
         p = memmem(p, (size_t)(end - p), key, sizeof(key) - 1)) {
        p += sizeof(key) - 1;
        while (p < end && (*p == ' ' || *p == ':' || *p == '\t' || *p == '\n' || *p == '\r'))
            p++;
        if (p == end || *p != '"' || (p + 1 < end && p[1] == '"'))
            continue; /* not a string, or "" (no institution) */
        if ((size_t)(end - p) < in + 2 || memcmp(p + 1, inst, in) != 0 || p[in + 1] != '"')
            return 1;
    }
    return 0;
}

static int foreign(const json_t *o, const char *inst)
{
    const char *v = json_string_value(json_object_get(o, "fixmedins_code"));
    return v != NULL && v[0] != '\0' && strcmp(v, inst) != 0;
}

/* What v becomes for inst: NULL when unchanged, else a new value to put in its place (objects and
 * arrays below v are rewritten in place). */
static json_t *scoped(json_t *v, const char *inst)
{
    const char *k;
    json_t *x;
    if (json_is_object(v) && foreign(v, inst)) {
        json_t *o = json_object();
        json_object_foreach(v, k, x)
        {
            if (kept(k) && !json_is_object(x) && !json_is_array(x))
                json_object_set(o, k, x);
        }
        json_object_set_new(o, "same_institution", json_false());
        return o;
    }
    if (json_is_object(v)) {
        void *it;
        json_object_foreach_safe(v, it, k, x)
        {
            json_t *r = scoped(x, inst);
            if (r != NULL)
                json_object_set_new(v, k, r);
        }
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *r = scoped(json_array_get(v, i), inst);
            if (r != NULL)
                json_array_set_new(v, i, r);
        }
    }
    return NULL;
}

static int append(const char *s, size_t n, void *ctx)
{
    return fg_buf_append(ctx, s, n) == 0 ? 0 : -1;
}

int fg__scope_redact(fg_buf_t *body, const char *inst)
{
    if (body->data == NULL || !names_another(body->data, body->len, inst))
        return 0;
    json_t *v = json_loadb(body->data, body->len, JSON_ALLOW_NUL, NULL);
    if (v == NULL)
        return FG_EINTERNAL;
    json_t *r = scoped(v, inst);
    if (r != NULL) {
        json_decref(v);
        v = r;
    }
    fg_buf_reset(body);
    int rc = json_dump_callback(v, append, body, JSON_COMPACT) == 0 ? 0 : FG_ENOMEM;
    json_decref(v);
    return rc;
}
