/*
 * jsonscan.h — the JSON value view that json.c's field walker reads, and the two ways of building
 * it: fg__json_scan (a specialised one-pass scanner, the hot path) and fg__json_from_jansson (the
 * tree jansson decoded, the reference path that also gives every syntax error its message).
 *
 * A document is a flat array of tokens in the request's arena, in document order: an object is its
 * token followed by key, value, key, value …; an array its token followed by its items. Each token
 * knows how many tokens its value spans (`span`), so the next sibling is `v + v->span` and no
 * pointer or parent link is stored. Strings are final (escapes already decoded), never NUL-free by
 * accident: JSON's \u0000 is refused by both builders, so a string holds no NUL byte. Strings are
 * not NUL-terminated; use their length.
 *
 * The scanner accepts only what jansson (json_loadb with JSON_REJECT_DUPLICATES) accepts and builds
 * the same view jansson's tree converts to; on anything else (bad syntax, bad UTF-8, a duplicate
 * key, a number jansson refuses, a lone surrogate, an escaped key, a top level other than an object
 * or array, a very deep or wide document) it refuses, and the caller decodes with jansson instead,
 * which then reports the error as it always did.
 */
#ifndef FG_MODEL_JSONSCAN_H
#define FG_MODEL_JSONSCAN_H

#include <stddef.h>
#include <stdint.h>

#include "fundguard/arena.h"

typedef enum fg__jkind {
    FG__J_OBJECT = 1,
    FG__J_ARRAY,
    FG__J_STRING,
    FG__J_INTEGER,
    FG__J_REAL,
    FG__J_TRUE,
    FG__J_FALSE,
    FG__J_NULL,
} fg__jkind_t;

typedef struct fg__jv {
    uint8_t kind;  /* fg__jkind_t */
    uint32_t len;  /* string: bytes; object: members; array: items */
    uint32_t span; /* tokens this value takes, itself included (1 for a scalar) */
    union {
        const char *s; /* string: len bytes, escapes decoded, no NUL inside */
        int64_t i;     /* integer (json_int_t) */
        double d;      /* real */
    } u;
} fg__jv_t;

/* Scan s[0..n) into a view in the arena. Returns the root (an object or an array) and its nesting
 * depth in *depth (1 for the root alone, as fg_json_depth_exceeds counts), or NULL when the scanner
 * refuses the text (see the file comment) or the arena is out of memory. */
fg__jv_t *fg__json_scan(const char *s, size_t n, fg_arena_t *arena, size_t *depth);

/* The view of a decoded jansson value (a json_t *, untyped here so that only json.c and
 * jsonscan.c include <jansson.h>). Strings point into the tree: keep it until the view is done.
 * NULL when the arena is out of memory. */
fg__jv_t *fg__json_from_jansson(void *root, fg_arena_t *arena);

/* The value of key in object obj; NULL when obj is not an object or has no such key. */
fg__jv_t *fg__jv_get(fg__jv_t *obj, const char *key);

static inline int fg__jv_is(const fg__jv_t *v, fg__jkind_t k)
{
    return v != NULL && v->kind == k;
}

/* The first member's key of an object (its value is key + 1), the first item of an array. */
static inline fg__jv_t *fg__jv_first(fg__jv_t *v)
{
    return v + 1;
}

/* The value after v at the same level (the next key after a member's value). */
static inline fg__jv_t *fg__jv_next(fg__jv_t *v)
{
    return v + v->span;
}

#endif
