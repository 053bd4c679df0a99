/*
 * event.c — ledger events in and outcome lines out.
 *
 * The event line is a flat JSON object with a handful of known keys, and it arrives millions of
 * times a second, so it is read by a small specialised scanner rather than jansson (bench/ledger
 * shows the difference): one pass, no allocation, strings without escapes are used in place,
 * escaped ones are decoded into a stack buffer. It accepts exactly RFC 8259 objects (nested values
 * of unknown keys are skipped with a depth limit) and is fuzzed by fuzz/fuzz_ledger_event.c (its
 * JSON and CSV forms). The CSV form has the same field names as its header. Both feed one
 * validation step.
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>

#include "fundguard/codes.h"
#include "fundguard/ledger.h"
#include "fundguard/utf8.h"
#include "ledger/ledger_int.h"

enum field {
    F_TYPE,
    F_CODE,
    F_INST,
    F_TIME,
    F_UNITS,
    F_PACK,
    F_TRDN,
    F_MED,
    F_SETL,
    F_FEEDETL,
    F_PSN,
    F__COUNT
};

static const char *const field_names[F__COUNT] = {
    "type",      "drug_trac_codg", "fixmedins_code", "time",       "units",  "pack_units",
    "trdn_flag", "med_list_codg",  "setl_id",        "feedetl_sn", "psn_no",
};

enum rawkind { R_ABSENT = 0, R_STRING, R_NUMBER, R_BOOL, R_OTHER };

struct raw {
    const char *p;
    size_t n;
    int kind;
};

#define SCRATCH    1024
#define SKIP_DEPTH 32

static const char *const type_names[] = {NULL, "purchase", "purchase_return", "sale",
                                         "sale_return"};
static const char *const outcome_names[FG_LEDGER__OUTCOMES] = {
    "invalid",          "first_sale", "split_sale",      "duplicate",        "return_ok",
    "return_unmatched", "in_stock",   "reflow_purchase", "transfer_suspect", "stock_out"};

const char *fg_ledger_type_name(fg_ledger_type_t type)
{
    if (type < FG_LEDGER_PURCHASE || type > FG_LEDGER_SALE_RETURN)
        return "unknown";
    return type_names[type];
}

const char *fg_ledger_outcome_name(fg_ledger_outcome_t o)
{
    if ((unsigned)o >= FG_LEDGER__OUTCOMES)
        return "unknown";
    return outcome_names[o];
}

const char *fg_ledger_kind_name(fg_ledger_kind_t k)
{
    if (k == FG_LEDGER_SAME_INSTITUTION)
        return "same_institution";
    if (k == FG_LEDGER_OTHER_INSTITUTION)
        return "other_institution";
    return NULL;
}

int fg_ledger_is_alert(fg_ledger_outcome_t o)
{
    return o == FG_LEDGER_DUPLICATE || o == FG_LEDGER_REFLOW_PURCHASE;
}

static int field_of(const char *k, size_t n)
{
    /* Dispatch on length first: every known key has a distinct (length, first char) pair. */
    switch (n) {
    case 4:
        if (memcmp(k, "type", 4) == 0)
            return F_TYPE;
        if (memcmp(k, "time", 4) == 0)
            return F_TIME;
        return -1;
    case 5:
        return memcmp(k, "units", 5) == 0 ? F_UNITS : -1;
    case 6:
        return memcmp(k, "psn_no", 6) == 0 ? F_PSN : -1;
    case 7:
        return memcmp(k, "setl_id", 7) == 0 ? F_SETL : -1;
    case 9:
        return memcmp(k, "trdn_flag", 9) == 0 ? F_TRDN : -1;
    case 10:
        if (memcmp(k, "pack_units", 10) == 0)
            return F_PACK;
        return memcmp(k, "feedetl_sn", 10) == 0 ? F_FEEDETL : -1;
    case 13:
        return memcmp(k, "med_list_codg", 13) == 0 ? F_MED : -1;
    case 14:
        if (memcmp(k, "drug_trac_codg", 14) == 0)
            return F_CODE;
        return memcmp(k, "fixmedins_code", 14) == 0 ? F_INST : -1;
    default:
        return -1;
    }
}

/* ---------------------------------------------------------------------------------------------
 * The flat JSON scanner
 * ------------------------------------------------------------------------------------------- */

struct scan {
    const char *s;
    size_t n;
    size_t i;
    char *scratch; /* decoded strings */
    size_t used;
    fg_error_t *err;
};

static int syntax(struct scan *sc, const char *what)
{
    return fg_error_set(sc->err, FG_E_JSON, NULL, sc->i + 1, "%s at character %zu", what,
                        sc->i + 1);
}

static void ws(struct scan *sc)
{
    while (sc->i < sc->n) {
        char c = sc->s[sc->i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        sc->i++;
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int hex4(struct scan *sc, size_t at, unsigned *out)
{
    unsigned v = 0;
    if (at + 4 > sc->n)
        return -1;
    for (size_t k = 0; k < 4; k++) {
        int h = hexval(sc->s[at + k]);
        if (h < 0)
            return -1;
        v = v << 4 | (unsigned)h;
    }
    *out = v;
    return 0;
}

static size_t put_utf8(char *d, unsigned cp)
{
    if (cp < 0x80) {
        d[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (char)(0xC0 | cp >> 6);
        d[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        d[0] = (char)(0xE0 | cp >> 12);
        d[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        d[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    d[0] = (char)(0xF0 | cp >> 18);
    d[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    d[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    d[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* A string starting at sc->i (the opening quote). With keep, *out gets its decoded text (in place
 * when it has no escapes, else in the scratch buffer). */
static int string(struct scan *sc, int keep, struct raw *out)
{
    size_t start = ++sc->i;
    size_t i = start;
    while (i < sc->n) {
        unsigned char c = (unsigned char)sc->s[i];
        if (c == '"' || c == '\\' || c < 0x20)
            break;
        i++;
    }
    if (i < sc->n && sc->s[i] == '"') {
        if (keep) {
            out->p = sc->s + start;
            out->n = i - start;
            out->kind = R_STRING;
        }
        sc->i = i + 1;
        return 0;
    }
    /* Slow path: escapes. Decode into the scratch buffer (up to its size; longer values are cut,
     * which the length checks then reject). */
    size_t o = sc->used;
    size_t begin = o;
    if (keep) {
        size_t pre = i - start < SCRATCH - o ? i - start : SCRATCH - o;
        memcpy(sc->scratch + o, sc->s + start, pre);
        o += pre;
    }
    while (i < sc->n) {
        unsigned char c = (unsigned char)sc->s[i];
        if (c == '"')
            break;
        if (c < 0x20) {
            sc->i = i;
            return syntax(sc, "control character in a string");
        }
        char tmp[4];
        size_t tn = 1;
        tmp[0] = (char)c;
        if (c == '\\') {
            if (i + 1 >= sc->n) {
                sc->i = i;
                return syntax(sc, "unfinished escape");
            }
            char e = sc->s[i + 1];
            i += 2;
            switch (e) {
            case '"':
                tmp[0] = '"';
                break;
            case '\\':
                tmp[0] = '\\';
                break;
            case '/':
                tmp[0] = '/';
                break;
            case 'b':
                tmp[0] = '\b';
                break;
            case 'f':
                tmp[0] = '\f';
                break;
            case 'n':
                tmp[0] = '\n';
                break;
            case 'r':
                tmp[0] = '\r';
                break;
            case 't':
                tmp[0] = '\t';
                break;
            case 'u': {
                unsigned cp;
                if (hex4(sc, i, &cp) != 0) {
                    sc->i = i;
                    return syntax(sc, "bad \\u escape");
                }
                i += 4;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    unsigned lo;
                    if (i + 1 < sc->n && sc->s[i] == '\\' && sc->s[i + 1] == 'u' &&
                        hex4(sc, i + 2, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        i += 6;
                    } else {
                        sc->i = i;
                        return syntax(sc, "lone surrogate in \\u escape");
                    }
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    sc->i = i;
                    return syntax(sc, "lone surrogate in \\u escape");
                }
                tn = put_utf8(tmp, cp);
                break;
            }
            default:
                sc->i = i - 1;
                return syntax(sc, "unknown escape");
            }
        } else {
            i++;
        }
        if (keep && o + tn < SCRATCH) {
            memcpy(sc->scratch + o, tmp, tn);
            o += tn;
        }
    }
    if (i >= sc->n) {
        sc->i = i;
        return syntax(sc, "unterminated string");
    }
    if (keep) {
        out->p = sc->scratch + begin;
        out->n = o - begin;
        out->kind = R_STRING;
        sc->used = o;
    }
    sc->i = i + 1;
    return 0;
}

static int number(struct scan *sc, struct raw *out)
{
    size_t start = sc->i;
    size_t i = sc->i;
    if (i < sc->n && sc->s[i] == '-')
        i++;
    if (i >= sc->n || sc->s[i] < '0' || sc->s[i] > '9') {
        sc->i = i;
        return syntax(sc, "bad number");
    }
    if (sc->s[i] == '0')
        i++;
    else
        while (i < sc->n && sc->s[i] >= '0' && sc->s[i] <= '9')
            i++;
    if (i < sc->n && sc->s[i] == '.') {
        i++;
        size_t d = i;
        while (i < sc->n && sc->s[i] >= '0' && sc->s[i] <= '9')
            i++;
        if (i == d) {
            sc->i = i;
            return syntax(sc, "bad number");
        }
    }
    if (i < sc->n && (sc->s[i] == 'e' || sc->s[i] == 'E')) {
        i++;
        if (i < sc->n && (sc->s[i] == '+' || sc->s[i] == '-'))
            i++;
        size_t d = i;
        while (i < sc->n && sc->s[i] >= '0' && sc->s[i] <= '9')
            i++;
        if (i == d) {
            sc->i = i;
            return syntax(sc, "bad number");
        }
    }
    out->p = sc->s + start;
    out->n = i - start;
    out->kind = R_NUMBER;
    sc->i = i;
    return 0;
}

static int literal(struct scan *sc, struct raw *out)
{
    static const char *const lits[] = {"true", "false", "null"};
    for (int k = 0; k < 3; k++) {
        size_t l = strlen(lits[k]);
        if (sc->n - sc->i >= l && memcmp(sc->s + sc->i, lits[k], l) == 0) {
            out->p = sc->s + sc->i;
            out->n = l;
            out->kind = k == 2 ? R_ABSENT : R_BOOL;
            sc->i += l;
            return 0;
        }
    }
    return syntax(sc, "unexpected character");
}

static int value(struct scan *sc, int keep, struct raw *out, int depth);

static int container(struct scan *sc, int depth)
{
    char close = sc->s[sc->i] == '{' ? '}' : ']';
    int obj = close == '}';
    struct raw dummy;
    if (depth >= SKIP_DEPTH)
        return fg_error_set(sc->err, FG_E_JSON_DEPTH, NULL, sc->i + 1, "nested more than %d levels",
                            SKIP_DEPTH);
    sc->i++;
    ws(sc);
    if (sc->i < sc->n && sc->s[sc->i] == close) {
        sc->i++;
        return 0;
    }
    for (;;) {
        int rc;
        ws(sc);
        if (obj) {
            if (sc->i >= sc->n || sc->s[sc->i] != '"')
                return syntax(sc, "expected a key");
            rc = string(sc, 0, &dummy);
            if (rc != 0)
                return rc;
            ws(sc);
            if (sc->i >= sc->n || sc->s[sc->i] != ':')
                return syntax(sc, "expected ':'");
            sc->i++;
            ws(sc);
        }
        rc = value(sc, 0, &dummy, depth + 1);
        if (rc != 0)
            return rc;
        ws(sc);
        if (sc->i < sc->n && sc->s[sc->i] == ',') {
            sc->i++;
            continue;
        }
        if (sc->i < sc->n && sc->s[sc->i] == close) {
            sc->i++;
            return 0;
        }
        return syntax(sc, "expected ',' or the end of the value");
    }
}

static int value(struct scan *sc, int keep, struct raw *out, int depth)
{
    if (sc->i >= sc->n)
        return syntax(sc, "missing value");
    char c = sc->s[sc->i];
    if (c == '"')
        return string(sc, keep, out);
    if (c == '-' || (c >= '0' && c <= '9'))
        return number(sc, out);
    if (c == '{' || c == '[') {
        out->kind = R_OTHER;
        out->p = sc->s + sc->i;
        out->n = 1;
        return container(sc, depth);
    }
    return literal(sc, out);
}

static int scan_object(struct scan *sc, struct raw raw[F__COUNT])
{
    ws(sc);
    if (sc->i >= sc->n || sc->s[sc->i] != '{')
        return syntax(sc, "an event is a JSON object");
    sc->i++;
    ws(sc);
    if (sc->i < sc->n && sc->s[sc->i] == '}') {
        sc->i++;
    } else {
        for (;;) {
            struct raw key;
            struct raw v = {NULL, 0, R_ABSENT};
            int rc;
            ws(sc);
            if (sc->i >= sc->n || sc->s[sc->i] != '"')
                return syntax(sc, "expected a key");
            size_t key_at = sc->i;
            rc = string(sc, 1, &key);
            if (rc != 0)
                return rc;
            ws(sc);
            if (sc->i >= sc->n || sc->s[sc->i] != ':')
                return syntax(sc, "expected ':'");
            sc->i++;
            ws(sc);
            int f = field_of(key.p, key.n);
            rc = value(sc, f >= 0, &v, 0);
            if (rc != 0)
                return rc;
            if (f >= 0) {
                if (raw[f].kind != R_ABSENT || raw[f].p != NULL)
                    return fg_error_set(sc->err, FG_E_DUPLICATE, field_names[f], key_at + 1,
                                        "key \"%s\" appears twice", field_names[f]);
                raw[f] = v;
                if (v.kind == R_ABSENT)
                    raw[f].p = ""; /* null: absent, but seen */
            }
            ws(sc);
            if (sc->i < sc->n && sc->s[sc->i] == ',') {
                sc->i++;
                continue;
            }
            if (sc->i < sc->n && sc->s[sc->i] == '}') {
                sc->i++;
                break;
            }
            return syntax(sc, "expected ',' or '}'");
        }
    }
    ws(sc);
    if (sc->i != sc->n)
        return syntax(sc, "text after the event object");
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Validation: raw fields → fg_ledger_event_t
 * ------------------------------------------------------------------------------------------- */

static int present(const struct raw *r)
{
    return r->kind != R_ABSENT && !(r->kind == R_STRING && r->n == 0);
}

static int copy_str(char *dst, size_t cap, const struct raw *r, int f, fg_error_t *err)
{
    if (!present(r)) {
        dst[0] = '\0';
        return 0;
    }
    if (r->kind != R_STRING && r->kind != R_NUMBER)
        return fg_error_set(err, FG_E_TYPE, field_names[f], 0, "%s must be a string",
                            field_names[f]);
    if (r->n >= cap)
        return fg_error_set(err, FG_E_TOO_LONG, field_names[f], cap, "%s is longer than %zu",
                            field_names[f], cap - 1);
    /* RFC 8259 text is UTF-8: a value that is not is refused, not kept to be written as U+FFFD. */
    for (size_t i = 0; i < r->n;) {
        size_t bad = 0;
        size_t k = fg_utf8_seq((const unsigned char *)r->p + i, r->n - i, &bad);
        if (k == 0)
            return fg_error_set(err, FG_E_UTF8, field_names[f], i, "%s is not valid UTF-8",
                                field_names[f]);
        i += k;
    }
    memcpy(dst, r->p, r->n);
    dst[r->n] = '\0';
    return 0;
}

static int units_of(const struct raw *r, int f, uint32_t *out, fg_error_t *err)
{
    uint64_t v = 0;
    *out = 0;
    if (!present(r))
        return 0;
    if (r->kind != R_STRING && r->kind != R_NUMBER)
        return fg_error_set(err, FG_E_LEDGER_UNITS, field_names[f], 0,
                            "%s must be a whole number above 0", field_names[f]);
    for (size_t k = 0; k < r->n; k++) {
        char c = r->p[k];
        if (c < '0' || c > '9' || v > FG_LEDGER_UNITS_MAX)
            return fg_error_set(err, FG_E_LEDGER_UNITS, field_names[f], k + 1,
                                "%s '%.*s' is not a whole number from 1 to %d", field_names[f],
                                (int)(r->n > 24 ? 24 : r->n), r->p, FG_LEDGER_UNITS_MAX);
        v = v * 10 + (uint64_t)(c - '0');
    }
    if (v == 0 || v > FG_LEDGER_UNITS_MAX)
        return fg_error_set(err, FG_E_LEDGER_UNITS, field_names[f], 0,
                            "%s '%.*s' is not a whole number from 1 to %d", field_names[f],
                            (int)(r->n > 24 ? 24 : r->n), r->p, FG_LEDGER_UNITS_MAX);
    *out = (uint32_t)v;
    return 0;
}

static int inst_fast(const char *p, size_t n)
{
    if (n != 12 || (p[0] != 'H' && p[0] != 'P'))
        return 0;
    for (size_t k = 1; k < 12; k++)
        if (p[k] < '0' || p[k] > '9')
            return 0;
    return 1;
}

/* The day of the last time parsed by this thread: events come in time order, so most share it. */
static _Thread_local char day_text[FG_DATE_TEXTLEN];
static _Thread_local fg_time_t day_start;
static _Thread_local int day_known;

/* Two digits at s, or 100 or more when either is not a digit. */
static unsigned two_digits(const char *s)
{
    unsigned a = (unsigned)(unsigned char)s[0] - '0';
    unsigned b = (unsigned)(unsigned char)s[1] - '0';
    return a > 9 || b > 9 ? 100 : a * 10 + b;
}

/* fg_time_parse with a fast path for "yyyy-MM-dd HH:mm:ss" on the day of the previous call; the
 * same result and the same errors (anything unusual goes the general way). */
static int time_of(const char *s, size_t n, fg_time_t *out, fg_error_t *err)
{
    if (n == FG_TIME_TEXTLEN && s[10] == ' ' && s[13] == ':' && s[16] == ':') {
        unsigned hh = two_digits(s + 11);
        unsigned mi = two_digits(s + 14);
        unsigned ss = two_digits(s + 17);
        if (hh < 24 && mi < 60 && ss < 60) {
            if (!day_known || memcmp(s, day_text, FG_DATE_TEXTLEN) != 0) {
                fg_time_t d;
                if (fg_time_parse(s, FG_DATE_TEXTLEN, &d, NULL) != 0)
                    return fg_time_parse(s, n, out, err);
                memcpy(day_text, s, FG_DATE_TEXTLEN);
                day_start = d;
                day_known = 1;
            }
            *out = day_start + (fg_time_t)(hh * 3600 + mi * 60 + ss);
            return 0;
        }
    }
    return fg_time_parse(s, n, out, err);
}

static int need(const struct raw *r, int f, fg_error_t *err)
{
    if (present(r))
        return 0;
    return fg_error_set(err, FG_E_REQUIRED, field_names[f], 0, "%s is missing", field_names[f]);
}

/* The checks after the fields are in ev (shared by parsing and fg_ledger_event_check). */
static int check_split(const fg_ledger_event_t *ev, fg_error_t *err)
{
    if (ev->type != FG_LEDGER_SALE && ev->type != FG_LEDGER_SALE_RETURN)
        return 0;
    if (!ev->trdn)
        return 0;
    if (ev->units == 0)
        return fg_error_set(err, FG_E_REQUIRED, "units", 0,
                            "units is missing; a split (trdn_flag 1) event counts units");
    if (ev->type == FG_LEDGER_SALE && ev->pack_units == 0)
        return fg_error_set(err, FG_E_LEDGER_PACK, "pack_units", 0, NULL);
    if (ev->pack_units != 0 && ev->units > ev->pack_units)
        return fg_error_set(err, FG_E_LEDGER_SPLIT, "units", 0,
                            "a split sale of %u units from a pack of %u", ev->units,
                            ev->pack_units);
    return 0;
}

static int validate(struct raw raw[F__COUNT], fg_ledger_event_t *ev, fg_error_t *err)
{
    int rc;
    const struct raw *r;

    ev->units = 0;
    ev->pack_units = 0;
    ev->trdn = 0;

    r = &raw[F_TYPE];
    rc = need(r, F_TYPE, err);
    if (rc != 0)
        return rc;
    ev->type = 0;
    if (r->kind == R_STRING && r->n == 4 && memcmp(r->p, "sale", 4) == 0)
        ev->type = FG_LEDGER_SALE;
    else if (r->kind == R_STRING)
        for (int t = FG_LEDGER_PURCHASE; t <= FG_LEDGER_SALE_RETURN; t++)
            if (strlen(type_names[t]) == r->n && memcmp(type_names[t], r->p, r->n) == 0)
                ev->type = (fg_ledger_type_t)t;
    if (ev->type == 0)
        return fg_error_set(err, FG_E_LEDGER_TYPE, "type", 0,
                            "type '%.*s' is not purchase, purchase_return, sale or sale_return",
                            (int)(r->n > 32 ? 32 : r->n), r->p);

    r = &raw[F_CODE];
    rc = need(r, F_CODE, err);
    if (rc != 0)
        return rc;
    if (r->kind != R_STRING)
        return fg_error_set(err, FG_E_TYPE, "drug_trac_codg", 0, "drug_trac_codg is a string");
    {
        fg_trace_code_t tc;
        rc = fg_trace_parse(r->p, r->n, &tc, err);
        if (rc != 0) {
            if (err != NULL)
                fg_error_prefix(err, "drug_trac_codg");
            return rc;
        }
        memcpy(ev->code, tc.key, sizeof(ev->code));
    }

    r = &raw[F_INST];
    rc = need(r, F_INST, err);
    if (rc != 0)
        return rc;
    if (r->kind != R_STRING)
        return fg_error_set(err, FG_E_TYPE, "fixmedins_code", 0, "fixmedins_code is a string");
    if (inst_fast(r->p, r->n)) {
        memcpy(ev->inst, r->p, 12);
        ev->inst[12] = '\0';
    } else {
        char norm[FG_ID_NORM_MAX];
        rc = fg_id_check(FG_ID_INSTITUTION, r->p, r->n, norm, sizeof(norm), err);
        if (rc != 0) {
            if (err != NULL)
                fg_error_prefix(err, "fixmedins_code");
            return rc;
        }
        if (strlen(norm) >= sizeof(ev->inst))
            return fg_error_set(err, FG_E_INSTITUTION_CODE, "fixmedins_code", 0, NULL);
        memcpy(ev->inst, norm, strlen(norm) + 1);
    }

    r = &raw[F_TIME];
    rc = need(r, F_TIME, err);
    if (rc != 0)
        return rc;
    if (r->kind != R_STRING)
        return fg_error_set(err, FG_E_TYPE, "time", 0, "time is a string");
    rc = time_of(r->p, r->n, &ev->time, err);
    if (rc != 0) {
        if (err != NULL)
            fg_error_prefix(err, "time");
        return rc;
    }

    rc = units_of(&raw[F_UNITS], F_UNITS, &ev->units, err);
    if (rc != 0)
        return rc;
    rc = units_of(&raw[F_PACK], F_PACK, &ev->pack_units, err);
    if (rc != 0)
        return rc;

    r = &raw[F_TRDN];
    if (present(r)) {
        if (r->n == 1 && (r->p[0] == '0' || r->p[0] == '1') &&
            (r->kind == R_STRING || r->kind == R_NUMBER))
            ev->trdn = r->p[0] == '1';
        else
            return fg_error_set(err, FG_E_ENUM, "trdn_flag", 0,
                                "trdn_flag '%.*s' is not \"0\" (whole pack) or \"1\" (split)",
                                (int)(r->n > 16 ? 16 : r->n), r->p);
    }

    rc = copy_str(ev->med_list, sizeof(ev->med_list), &raw[F_MED], F_MED, err);
    if (rc == 0)
        rc = copy_str(ev->setl_id, sizeof(ev->setl_id), &raw[F_SETL], F_SETL, err);
    if (rc == 0)
        rc = copy_str(ev->feedetl_sn, sizeof(ev->feedetl_sn), &raw[F_FEEDETL], F_FEEDETL, err);
    if (rc == 0)
        rc = copy_str(ev->psn_no, sizeof(ev->psn_no), &raw[F_PSN], F_PSN, err);
    if (rc != 0)
        return rc;
    return check_split(ev, err);
}

int fg_ledger_event_parse_json(const char *s, size_t n, fg_ledger_event_t *ev, fg_error_t *err)
{
    char scratch[SCRATCH];
    struct raw raw[F__COUNT];
    struct scan sc = {s, n, 0, scratch, 0, err};

    memset(raw, 0, sizeof(raw));
    int rc = scan_object(&sc, raw);
    if (rc != 0)
        return rc;
    return validate(raw, ev, err);
}

int fg_ledger_event_check(fg_ledger_event_t *ev, fg_error_t *err)
{
    struct raw raw[F__COUNT];
    char units[16];
    char pack[16];
    char trdn[2] = {ev->trdn ? '1' : '0', '\0'};
    fg_ledger_event_t tmp = *ev;

    memset(raw, 0, sizeof(raw));
    if (ev->type >= FG_LEDGER_PURCHASE && ev->type <= FG_LEDGER_SALE_RETURN)
        raw[F_TYPE] = (struct raw){type_names[ev->type], strlen(type_names[ev->type]), R_STRING};
    else
        raw[F_TYPE] = (struct raw){"?", 1, R_STRING};
    raw[F_CODE] = (struct raw){ev->code, strlen(ev->code), R_STRING};
    raw[F_INST] = (struct raw){ev->inst, strlen(ev->inst), R_STRING};
    char t[FG_TIME_TEXTLEN + 1];
    fg_time_format(ev->time, t);
    raw[F_TIME] = (struct raw){t, strlen(t), R_STRING};
    if (ev->units != 0) {
        snprintf(units, sizeof(units), "%u", ev->units);
        raw[F_UNITS] = (struct raw){units, strlen(units), R_NUMBER};
    }
    if (ev->pack_units != 0) {
        snprintf(pack, sizeof(pack), "%u", ev->pack_units);
        raw[F_PACK] = (struct raw){pack, strlen(pack), R_NUMBER};
    }
    raw[F_TRDN] = (struct raw){trdn, 1, R_STRING};
    raw[F_MED] = (struct raw){ev->med_list, strnlen(ev->med_list, sizeof(ev->med_list)), R_STRING};
    raw[F_SETL] = (struct raw){ev->setl_id, strnlen(ev->setl_id, sizeof(ev->setl_id)), R_STRING};
    raw[F_FEEDETL] =
        (struct raw){ev->feedetl_sn, strnlen(ev->feedetl_sn, sizeof(ev->feedetl_sn)), R_STRING};
    raw[F_PSN] = (struct raw){ev->psn_no, strnlen(ev->psn_no, sizeof(ev->psn_no)), R_STRING};
    int rc = validate(raw, &tmp, err);
    if (rc == 0)
        *ev = tmp;
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * CSV form
 * ------------------------------------------------------------------------------------------- */

/* Split one CSV line into at most `max` fields (quotes with "" escapes; unquoted fields in place,
 * quoted ones decoded into scratch). Returns the number of fields or a negative error. */
static int csv_split(const char *s, size_t n, struct raw *f, int max, char *scratch, size_t cap,
                     fg_error_t *err)
{
    size_t i = 0;
    size_t used = 0;
    int nf = 0;
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    for (;;) {
        struct raw r = {s + i, 0, R_STRING};
        if (i < n && s[i] == '"') {
            size_t begin = used;
            i++;
            for (;;) {
                if (i >= n)
                    return fg_error_set(err, FG_E_CSV_QUOTE, NULL, i,
                                        "a quoted field is not closed");
                if (s[i] == '"') {
                    if (i + 1 < n && s[i + 1] == '"') {
                        if (used < cap)
                            scratch[used++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                if (used < cap)
                    scratch[used++] = s[i];
                i++;
            }
            if (i < n && s[i] != ',')
                return fg_error_set(err, FG_E_CSV_QUOTE, NULL, i + 1, "text after a quoted field");
            r.p = scratch + begin;
            r.n = used - begin;
        } else {
            const char *c = memchr(s + i, ',', n - i);
            size_t e = c != NULL ? (size_t)(c - s) : n;
            r.n = e - i;
            i = e;
        }
        if (r.n == 0)
            r.kind = R_ABSENT;
        if (nf < max)
            f[nf] = r;
        nf++;
        if (i >= n)
            break;
        i++; /* the comma */
    }
    return nf;
}

/* High bit set in each byte of x that is zero (exact: no borrow across bytes). */
static uint64_t zero_bytes(uint64_t x)
{
    const uint64_t low7 = 0x7F7F7F7F7F7F7F7Full;
    return ~(((x & low7) + low7) | x | low7);
}

static struct raw csv_field(const char *s, size_t from, size_t to)
{
    struct raw r = {s + from, to - from, to > from ? R_STRING : R_ABSENT};
    return r;
}

/* csv_split for a line without quotes (n without its line end): the commas found a word of 8
 * bytes at a time. -1 when the line has a quote (csv_split decodes it). */
static int csv_split_plain(const char *s, size_t n, struct raw *f, int max)
{
    const uint64_t commas = 0x2C2C2C2C2C2C2C2Cull;
    const uint64_t quotes = 0x2222222222222222ull;
    size_t start = 0;
    size_t i = 0;
    int nf = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (zero_bytes(w ^ quotes) != 0)
            return -1;
        for (uint64_t m = zero_bytes(w ^ commas); m != 0; m &= m - 1) {
            size_t at = i + (size_t)(__builtin_ctzll(m) >> 3);
            if (nf < max)
                f[nf] = csv_field(s, start, at);
            nf++;
            start = at + 1;
        }
    }
#endif
    for (; i < n; i++) {
        if (s[i] == '"')
            return -1;
        if (s[i] == ',') {
            if (nf < max)
                f[nf] = csv_field(s, start, i);
            nf++;
            start = i + 1;
        }
    }
    if (nf < max)
        f[nf] = csv_field(s, start, n);
    return nf + 1;
}

#define CSV_MAX_COLS 64

int fg_ledger_csv_header(fg_ledger_csv_t *csv, const char *s, size_t n, fg_error_t *err)
{
    struct raw f[CSV_MAX_COLS];
    char scratch[2048];
    int nf;

    for (int k = 0; k < F__COUNT; k++)
        csv->col[k] = -1;
    /* A UTF-8 byte-order mark before the first name. */
    if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        s += 3;
        n -= 3;
    }
    nf = csv_split(s, n, f, CSV_MAX_COLS, scratch, sizeof(scratch), err);
    if (nf < 0)
        return nf;
    if (nf > CSV_MAX_COLS)
        return fg_error_set(err, FG_E_CSV_HEADER, NULL, 0, "more than %d columns", CSV_MAX_COLS);
    if (nf == 1 && f[0].n == 0)
        return fg_error_set(err, FG_E_CSV_HEADER, NULL, 0, NULL);
    csv->ncols = nf;
    for (int c = 0; c < nf; c++) {
        int k = field_of(f[c].p, f[c].n);
        if (k >= 0 && csv->col[k] < 0)
            csv->col[k] = c;
    }
    static const int required[] = {F_TYPE, F_CODE, F_INST, F_TIME};
    for (size_t k = 0; k < FG_ARRAY_LEN(required); k++)
        if (csv->col[required[k]] < 0)
            return fg_error_set(err, FG_E_CSV_COLUMN, field_names[required[k]], 0,
                                "the header has no column %s", field_names[required[k]]);
    return 0;
}

int fg_ledger_event_parse_csv(const fg_ledger_csv_t *csv, const char *s, size_t n,
                              fg_ledger_event_t *ev, fg_error_t *err)
{
    struct raw f[CSV_MAX_COLS];
    struct raw raw[F__COUNT];
    char scratch[SCRATCH];
    int nf;
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    nf = csv_split_plain(s, n, f, CSV_MAX_COLS);
    if (nf < 0)
        nf = csv_split(s, n, f, CSV_MAX_COLS, scratch, sizeof(scratch), err);
    if (nf < 0)
        return nf;
    if (nf != csv->ncols)
        return fg_error_set(err, FG_E_CSV_FIELDS, NULL, 0, "%d fields, the header has %d", nf,
                            csv->ncols);
    for (int k = 0; k < F__COUNT; k++) {
        if (csv->col[k] >= 0) {
            raw[k] = f[csv->col[k]];
            /* A number column is given as text; units_of reads either. */
        } else {
            raw[k] = (struct raw){NULL, 0, R_ABSENT};
        }
    }
    return validate(raw, ev, err);
}

/* ---------------------------------------------------------------------------------------------
 * Outcome lines
 * ------------------------------------------------------------------------------------------- */

int fg__json_str(fg_buf_t *b, const char *s)
{
    return fg_buf_append_json_str(b, s, strlen(s));
}

static int put_u64(fg_buf_t *b, uint64_t v)
{
    char tmp[24];
    size_t i = sizeof(tmp);
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    return fg_buf_append(b, tmp + i, sizeof(tmp) - i);
}

int fg_ledger_result_json(const fg_ledger_result_t *r, uint64_t seq, fg_buf_t *out)
{
    int rc = fg_buf_append(out, "{\"seq\":", sizeof("{\"seq\":") - 1);
    const char *kind = fg_ledger_kind_name(r->kind);

    rc = rc != 0 ? rc : put_u64(out, seq);
    rc = rc != 0 ? rc : fg_buf_append(out, ",\"outcome\":\"", sizeof(",\"outcome\":\"") - 1);
    rc = rc != 0 ? rc : fg_buf_appends(out, fg_ledger_outcome_name(r->outcome));
    if (kind != NULL) {
        rc = rc != 0 ? rc : fg_buf_append(out, "\",\"kind\":\"", sizeof("\",\"kind\":\"") - 1);
        rc = rc != 0 ? rc : fg_buf_appends(out, kind);
        rc = rc != 0 ? rc : fg_buf_append(out, "\",\"prior\":[", sizeof("\",\"prior\":[") - 1);
    } else {
        rc = rc != 0 ? rc
                     : fg_buf_append(out, "\",\"kind\":null,\"prior\":[",
                                     sizeof("\",\"kind\":null,\"prior\":[") - 1);
    }
    for (size_t i = 0; i < r->nprior && rc == 0; i++) {
        const fg_ledger_prior_t *p = &r->prior[i];
        char t[FG_TIME_TEXTLEN + 1];
        fg_time_format(p->time, t);
        rc = fg_buf_appends(out, i == 0 ? "{\"fixmedins_code\":" : ",{\"fixmedins_code\":");
        rc = rc != 0 ? rc : fg__json_str(out, p->inst);
        rc = rc != 0 ? rc : fg_buf_appends(out, ",\"time\":");
        rc = rc != 0 ? rc : fg__json_str(out, t);
        rc = rc != 0 ? rc : fg_buf_appends(out, ",\"setl_id\":");
        rc = rc != 0 ? rc : fg__json_str(out, p->setl_id);
        rc = rc != 0 ? rc : fg_buf_appends(out, ",\"feedetl_sn\":");
        rc = rc != 0 ? rc : fg__json_str(out, p->feedetl_sn);
        rc = rc != 0 ? rc : fg_buf_appends(out, ",\"psn_no\":");
        rc = rc != 0 ? rc : fg__json_str(out, p->psn_no);
        rc = rc != 0 ? rc : fg_buf_appends(out, ",\"units\":");
        rc = rc != 0 ? rc : put_u64(out, p->units);
        rc = rc != 0 ? rc : fg_buf_appendc(out, '}');
    }
    if (r->findings & FG_LEDGER_FINDING_UNKNOWN_SOURCE)
        rc = rc != 0 ? rc
                     : fg_buf_append(out, "],\"findings\":[\"unknown_source\"]",
                                     sizeof("],\"findings\":[\"unknown_source\"]") - 1);
    else
        rc =
            rc != 0 ? rc : fg_buf_append(out, "],\"findings\":[]", sizeof("],\"findings\":[]") - 1);
    if (r->outcome == FG_LEDGER_INVALID) {
        rc = rc != 0 ? rc : fg_buf_appends(out, ",\"error\":{\"code\":");
        rc = rc != 0 ? rc : fg__json_str(out, fg_err_name(r->error.code));
        rc = rc != 0 ? rc : fg_buf_appends(out, ",\"where\":");
        rc = rc != 0 ? rc : fg__json_str(out, r->error.where);
        rc = rc != 0 ? rc : fg_buf_appends(out, ",\"pos\":");
        rc = rc != 0 ? rc : put_u64(out, r->error.pos);
        rc = rc != 0 ? rc : fg_buf_appends(out, ",\"message\":");
        rc = rc != 0 ? rc : fg__json_str(out, r->error.msg);
        rc = rc != 0 ? rc : fg_buf_appendc(out, '}');
    }
    rc = rc != 0 ? rc : fg_buf_append(out, "}\n", sizeof("}\n") - 1);
    return rc;
}
