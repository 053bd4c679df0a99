/*
 * jsonscan.c — the JSON value view of jsonscan.h: a one-pass validating scanner for the API's hot
 * path, and the conversion of a jansson tree for everything the scanner refuses.
 *
 * Why hand-rolled (docs/decisions.md): decoding the check request with jansson cost about 40 % of
 * the server's CPU, mostly in allocating one json_t per value and a hash table per object. The
 * scanner allocates one token array from the request's arena and copies no string that has no
 * escape. It is deliberately no more lenient than jansson: whatever it cannot prove jansson would
 * decode to the same values, it refuses, and json.c asks jansson, whose error message stays the one
 * the user sees. fuzz/fuzz_json_fast.c and tests/unit/t_json_fast.c hold the two to each other.
 */
#include "core/compat.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fundguard/utf8.h"
#include "model/jsonscan.h"

/* Deeper documents, and objects with more members (whose duplicate check is pairwise here), go to
 * jansson: neither occurs in the interface documents. */
#define SCAN_MAX_DEPTH   64
#define SCAN_MAX_MEMBERS 64
/* Longest number text converted here (longer ones are exotic: jansson decodes them). */
#define SCAN_MAX_NUMBER 64

typedef struct scan {
    fg_arena_t *arena;
    fg__jv_t *tok; /* tokens so far; reallocated (in the arena) when full */
    size_t n;      /* tokens used */
    size_t cap;    /* tokens allocated */
} scan_t;

/* A new token at the end; NULL when out of memory. Earlier token pointers are invalid after. */
static fg__jv_t *push(scan_t *s)
{
    if (s->n == s->cap) {
        size_t cap = s->cap * 2;
        fg__jv_t *t = fg_arena_calloc(s->arena, cap, sizeof(*t));
        if (t == NULL)
            return NULL;
        memcpy(t, s->tok, s->n * sizeof(*t));
        s->tok = t;
        s->cap = cap;
    }
    return &s->tok[s->n++];
}

static const unsigned char *skip_ws(const unsigned char *p, const unsigned char *end)
{
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    return p;
}

static int hexval(unsigned c)
{
    if (c >= '0' && c <= '9')
        return (int)(c - '0');
    if (c >= 'a' && c <= 'f')
        return (int)(c - 'a' + 10);
    if (c >= 'A' && c <= 'F')
        return (int)(c - 'A' + 10);
    return -1;
}

/* The four hex digits at p (p + 4 <= end checked by the caller); -1 when not hex. */
static long hex4(const unsigned char *p)
{
    long v = 0;
    for (int k = 0; k < 4; k++) {
        int h = hexval(p[k]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* The code point of the \u escape at p ("\uXXXX", or a surrogate pair "\uD8XX\uDCXX"), its length
 * in *len; -1 for what jansson refuses (bad hex, a lone surrogate, U+0000). */
static long unicode_escape(const unsigned char *p, const unsigned char *end, size_t *len)
{
    if (end - p < 6)
        return -1;
    long cp = hex4(p + 2);
    *len = 6;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (end - p < 12 || p[6] != '\\' || p[7] != 'u')
            return -1;
        long lo = hex4(p + 8);
        if (lo < 0xDC00 || lo > 0xDFFF)
            return -1;
        *len = 12;
        return ((cp - 0xD800) << 10) + (lo - 0xDC00) + 0x10000;
    }
    if (cp <= 0 || (cp >= 0xDC00 && cp <= 0xDFFF))
        return -1;
    return cp;
}

static size_t utf8_put(unsigned char *o, long cp)
{
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* The one-character escapes after the backslash, and what each stands for. */
static const char escapes[] = "\"\\/bfnrt";
static const char escaped[] = "\"\\/\b\f\n\r\t";

/* Decode the escapes of a string already validated by scan_string: raw[0..n) into the arena. */
static const char *unescape(fg_arena_t *arena, const unsigned char *raw, size_t n, uint32_t *len)
{
    unsigned char *out = fg_arena_alloc(arena, n > 0 ? n : 1); /* decoding never lengthens */
    const unsigned char *end = raw + n;
    size_t o = 0;
    if (out == NULL)
        return NULL;
    for (const unsigned char *p = raw; p < end;) {
        if (*p != '\\') {
            out[o++] = *p++;
            continue;
        }
        size_t elen = 2;
        if (p[1] == 'u')
            o += utf8_put(out + o, unicode_escape(p, end, &elen));
        else
            out[o++] = (unsigned char)escaped[strchr(escapes, p[1]) - escapes];
        p += elen;
    }
    *len = (uint32_t)o;
    return (const char *)out;
}

/* The string whose text starts at p (after the opening quote) into t. Returns the position after
 * the closing quote, or NULL when refused. A key (`key`) must have no escapes. */
static const unsigned char *scan_string(scan_t *s, fg__jv_t *t, const unsigned char *p,
                                        const unsigned char *end, int key)
{
    const unsigned char *start = p;
    int esc = 0;
    for (;;) {
        while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
            p++;
        if (p == end || *p < 0x20)
            return NULL;
        if (*p == '"')
            break;
        if (*p == '\\') {
            size_t elen = 2;
            if (key || end - p < 2)
                return NULL;
            esc = 1;
            if (p[1] == 'u') {
                if (unicode_escape(p, end, &elen) < 0)
                    return NULL;
            } else if (p[1] == '\0' || strchr(escapes, p[1]) == NULL) {
                return NULL;
            }
            p += elen;
            continue;
        }
        unsigned lo;
        unsigned hi;
        unsigned len = fg_utf8_lead(*p, &lo, &hi);
        if (len == 0 || (size_t)(end - p) < len || p[1] < lo || p[1] > hi)
            return NULL;
        for (unsigned k = 2; k < len; k++)
            if (p[k] < 0x80 || p[k] > 0xBF)
                return NULL;
        p += len;
    }
    t->kind = FG__J_STRING;
    if (esc) {
        t->u.s = unescape(s->arena, start, (size_t)(p - start), &t->len);
        if (t->u.s == NULL)
            return NULL;
    } else {
        t->u.s = (const char *)start;
        t->len = (uint32_t)(p - start);
    }
    return p + 1;
}

static int is_digit(const unsigned char *p, const unsigned char *end)
{
    return p < end && *p >= '0' && *p <= '9';
}

/* A number at p into t, classified as jansson does (integer unless it has a fraction or an
 * exponent). Returns the position after it, or NULL when refused (bad form, out of range). */
static const unsigned char *scan_number(fg__jv_t *t, const unsigned char *p,
                                        const unsigned char *end)
{
    const unsigned char *start = p;
    int neg = *p == '-';
    int real = 0;
    if (neg)
        p++;
    if (!is_digit(p, end))
        return NULL;
    if (*p == '0') {
        if (is_digit(++p, end))
            return NULL; /* leading zero */
    } else {
        while (is_digit(p, end))
            p++;
    }
    const unsigned char *int_end = p;
    if (p < end && *p == '.') {
        if (!is_digit(++p, end))
            return NULL;
        while (is_digit(p, end))
            p++;
        real = 1;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (!is_digit(p, end))
            return NULL;
        while (is_digit(p, end))
            p++;
        real = 1;
    }
    if (!real) {
        uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
        uint64_t acc = 0;
        for (const unsigned char *q = start + neg; q < int_end; q++) {
            unsigned d = *q - '0';
            if (acc > (limit - d) / 10)
                return NULL; /* jansson: "too big integer" */
            acc = acc * 10 + d;
        }
        t->kind = FG__J_INTEGER;
        t->u.i = !neg ? (int64_t)acc : acc == limit ? INT64_MIN : -(int64_t)acc;
        return p;
    }
    char buf[SCAN_MAX_NUMBER];
    size_t len = (size_t)(p - start);
    if (len >= sizeof(buf))
        return NULL;
    memcpy(buf, start, len);
    buf[len] = '\0';
    char *e;
    errno = 0;
    double d = strtod(buf, &e);
    if (e != buf + len || ((d == HUGE_VAL || d == -HUGE_VAL) && errno == ERANGE))
        return NULL; /* jansson: "real number overflow" (a locale with another point: jansson) */
    t->kind = FG__J_REAL;
    t->u.d = d;
    return p;
}

/* 1 when two members of object obj have the same key (JSON_REJECT_DUPLICATES). */
static int has_duplicate(fg__jv_t *obj)
{
    fg__jv_t *k = fg__jv_first(obj);
    for (uint32_t i = 0; i < obj->len; i++) {
        fg__jv_t *q = fg__jv_next(fg__jv_next(k));
        for (uint32_t j = i + 1; j < obj->len; j++) {
            if (q->len == k->len && memcmp(q->u.s, k->u.s, k->len) == 0)
                return 1;
            q = fg__jv_next(fg__jv_next(q));
        }
        k = fg__jv_next(fg__jv_next(k));
    }
    return 0;
}

/* A literal (true, false, null) at p; NULL when p does not hold it. */
static const unsigned char *literal(const unsigned char *p, const unsigned char *end,
                                    const char *word, size_t len)
{
    return (size_t)(end - p) >= len && memcmp(p, word, len) == 0 ? p + len : NULL;
}

/* What the scanner expects next: a value, a member (key and colon, or an array item) or what
 * follows a value (a comma, a closing bracket, or the end). */
enum expect { EXPECT_VALUE, EXPECT_MEMBER, EXPECT_AFTER };

fg__jv_t *fg__json_scan(const char *text, size_t n, fg_arena_t *arena, size_t *max_depth)
{
    const unsigned char *p = (const unsigned char *)text;
    const unsigned char *end = p + n;
    uint32_t open[SCAN_MAX_DEPTH]; /* token index of each open container */
    int depth = 0;
    int deepest = 0;
    scan_t s = {.arena = arena, .cap = n / 8 + 16};

    if (text == NULL || n >= UINT32_MAX / 2)
        return NULL;
    s.tok = fg_arena_calloc(arena, s.cap, sizeof(*s.tok));
    if (s.tok == NULL)
        return NULL;
    p = skip_ws(p, end);
    if (p == end || (*p != '{' && *p != '['))
        return NULL; /* jansson: "'[' or '{' expected" */
    enum expect ex = EXPECT_VALUE;
    for (;;) {
        if (ex == EXPECT_MEMBER) {
            fg__jv_t *c = &s.tok[open[depth - 1]];
            c->len++;
            if (c->kind == FG__J_OBJECT) {
                fg__jv_t *k = push(&s);
                if (k == NULL || p == end || *p != '"')
                    return NULL;
                k->span = 1;
                p = scan_string(&s, k, p + 1, end, 1);
                if (p == NULL)
                    return NULL;
                p = skip_ws(p, end);
                if (p == end || *p != ':')
                    return NULL;
                p = skip_ws(p + 1, end);
            }
            ex = EXPECT_VALUE;
            continue;
        }
        if (ex == EXPECT_VALUE) {
            fg__jv_t *t = push(&s);
            if (t == NULL || p == end)
                return NULL;
            t->span = 1; /* a container's is set when it closes */
            ex = EXPECT_AFTER;
            switch (*p) {
            case '{':
            case '[':
                t->kind = *p == '{' ? FG__J_OBJECT : FG__J_ARRAY;
                deepest = depth + 1 > deepest ? depth + 1 : deepest;
                p = skip_ws(p + 1, end);
                if (p < end && *p == (t->kind == FG__J_OBJECT ? '}' : ']')) {
                    p++;
                    break;
                }
                if (depth == SCAN_MAX_DEPTH)
                    return NULL;
                open[depth++] = (uint32_t)(s.n - 1);
                ex = EXPECT_MEMBER;
                break;
            case '"':
                p = scan_string(&s, t, p + 1, end, 0);
                break;
            case 't':
                t->kind = FG__J_TRUE;
                p = literal(p, end, "true", 4);
                break;
            case 'f':
                t->kind = FG__J_FALSE;
                p = literal(p, end, "false", 5);
                break;
            case 'n':
                t->kind = FG__J_NULL;
                p = literal(p, end, "null", 4);
                break;
            default:
                p = (*p == '-' || (*p >= '0' && *p <= '9')) ? scan_number(t, p, end) : NULL;
                break;
            }
            if (p == NULL)
                return NULL;
            continue;
        }
        /* EXPECT_AFTER */
        p = skip_ws(p, end);
        if (depth == 0) {
            *max_depth = (size_t)deepest;
            return p == end ? s.tok : NULL; /* jansson: "end of file expected" */
        }
        fg__jv_t *c = &s.tok[open[depth - 1]];
        if (p == end)
            return NULL;
        if (*p == ',') {
            p = skip_ws(p + 1, end);
            ex = EXPECT_MEMBER;
        } else if (*p == (c->kind == FG__J_OBJECT ? '}' : ']')) {
            p++;
            c->span = (uint32_t)(s.n - open[--depth]);
            if (c->kind == FG__J_OBJECT &&
                (c->len > SCAN_MAX_MEMBERS || (c->len > 1 && has_duplicate(c))))
                return NULL; /* jansson: "duplicate object key" */
        } else {
            return NULL;
        }
    }
}

/* ---------------------------------------------------------------- jansson's tree */

static int from_jansson(scan_t *s, json_t *v)
{
    size_t at = s->n;
    fg__jv_t *t = push(s);
    const char *key;
    json_t *item;
    size_t i;
    if (t == NULL)
        return -1;
    t->span = 1;
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        t->kind = FG__J_OBJECT;
        t->len = (uint32_t)json_object_size(v);
        json_object_foreach(v, key, item)
        {
            fg__jv_t *k = push(s);
            if (k == NULL)
                return -1;
            k->kind = FG__J_STRING;
            k->span = 1;
            k->u.s = key;
            k->len = (uint32_t)strlen(key);
            if (from_jansson(s, item) != 0)
                return -1;
        }
        break;
    case JSON_ARRAY:
        s->tok[at].kind = FG__J_ARRAY;
        s->tok[at].len = (uint32_t)json_array_size(v);
        json_array_foreach(v, i, item)
        {
            if (from_jansson(s, item) != 0)
                return -1;
        }
        break;
    case JSON_STRING:
        t->kind = FG__J_STRING;
        t->u.s = json_string_value(v);
        t->len = (uint32_t)json_string_length(v);
        break;
    case JSON_INTEGER:
        t->kind = FG__J_INTEGER;
        t->u.i = json_integer_value(v);
        break;
    case JSON_REAL:
        t->kind = FG__J_REAL;
        t->u.d = json_real_value(v);
        break;
    case JSON_TRUE:
        t->kind = FG__J_TRUE;
        break;
    case JSON_FALSE:
        t->kind = FG__J_FALSE;
        break;
    case JSON_NULL:
        t->kind = FG__J_NULL;
        break;
    }
    s->tok[at].span = (uint32_t)(s->n - at);
    return 0;
}

fg__jv_t *fg__json_from_jansson(void *root, fg_arena_t *arena)
{
    scan_t s = {.arena = arena, .cap = 64};
    s.tok = fg_arena_calloc(arena, s.cap, sizeof(*s.tok));
    if (s.tok == NULL || from_jansson(&s, root) != 0)
        return NULL;
    return s.tok;
}

/* ---------------------------------------------------------------- reading the view */

fg__jv_t *fg__jv_get(fg__jv_t *obj, const char *key)
{
    if (!fg__jv_is(obj, FG__J_OBJECT))
        return NULL;
    size_t len = strlen(key);
    fg__jv_t *k = fg__jv_first(obj);
    for (uint32_t i = 0; i < obj->len; i++) {
        if (k->len == len && memcmp(k->u.s, key, len) == 0)
            return k + 1;
        k = fg__jv_next(fg__jv_next(k));
    }
    return NULL;
}
