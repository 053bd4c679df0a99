/*
 * redact.c — a JSON document with its certificate numbers removed, for keeping at rest (SPEC §2).
 *
 * The service keeps the documents it receives (the settlement as received, reference rows) as
 * evidence. A resident ID must never be among them: every member whose key ends in "certno" or
 * "cert_no" (certno, mdtrt_cert_no, psn_cert_no …) and whose value is a resident ID is replaced by
 * the keyed pseudonym and the masked form the reader keeps (certno → certno_hash, certno_masked);
 * a value shaped like one that does not check (a wrong check character) is masked in place. Every
 * other byte is copied as it came, so the kept text is the document minus the numbers.
 *
 * The input is JSON already validated by a parser (fg_doc_parse, jansson); anything the walker
 * does not expect is FG_E_JSON and nothing is written.
 */
#include "core/compat.h"

#include <stdlib.h>
#include <string.h>

#include "fundguard/codes.h"
#include "fundguard/log.h"
#include "fundguard/model.h"

#define REDACT_MAX_DEPTH 512
#define REDACT_KEY_MAX   64 /* decoded characters kept of a string: a key's tail, a number */

static int ends_with(const char *s, size_t n, const char *tail)
{
    size_t t = strlen(tail);
    return n >= t && memcmp(s + n - t, tail, t) == 0;
}

/* Append byte c to the tail buffer dec[0..*o) of cap - 1 bytes (the oldest falls out when full). */
static void put(char *dec, size_t cap, size_t *o, char c, int *exact)
{
    if (*o + 1 == cap) { /* keep the tail: a key is known by how it ends */
        memmove(dec, dec + 1, *o - 1);
        (*o)--;
        *exact = 0;
    }
    dec[(*o)++] = c;
}

/* The four hex digits after s[j] ('u' at j) as a number, -1 when they are not. */
static long hex4(const char *s, size_t n, size_t j)
{
    if (j + 4 >= n)
        return -1;
    char hx[5] = {s[j + 1], s[j + 2], s[j + 3], s[j + 4], '\0'};
    return strspn(hx, "0123456789abcdefABCDEF") == 4 ? strtol(hx, NULL, 16) : -1;
}

/* The code point of the \uXXXX escape at s[j] ('u' at j), a surrogate pair combined; *last gets
 * the index of its last hex digit. -1 when malformed, 0 for a lone surrogate or U+0000. */
static long escape_u(const char *s, size_t n, size_t j, size_t *last)
{
    long v = hex4(s, n, j);
    *last = j + 4;
    if (v >= 0xdc00 && v <= 0xdfff)
        return 0;
    if (v >= 0xd800 && v <= 0xdbff) {
        long lo = j + 6 < n && s[j + 5] == '\\' && s[j + 6] == 'u' ? hex4(s, n, j + 6) : 0;
        if (lo < 0xdc00 || lo > 0xdfff)
            return lo < 0 ? -1 : 0;
        *last = j + 10;
        return 0x10000 + ((v - 0xd800) << 10) + (lo - 0xdc00);
    }
    return v;
}

/* The end of the string token opening at s[i] (the index after its closing quote), or 0 when it
 * does not close. Its last cap - 1 decoded bytes (UTF-8) go to dec (*dn of them); *exact is 1
 * when that is the whole string (escapes that decode to nothing a certificate number could hold —
 * \n, a lone surrogate — read as 0x01, which JSON text cannot hold raw). */
static size_t string_end(const char *s, size_t n, size_t i, char *dec, size_t cap, size_t *dn,
                         int *exact)
{
    size_t o = 0, j = i + 1;
    const char *q = memchr(s + j, '"', n - j);
    if (q != NULL && memchr(s + j, '\\', (size_t)(q - s) - j) == NULL) {
        /* no escape: the common case, copied at once */
        j = (size_t)(q - s);
        size_t len = j - i - 1, take = len < cap - 1 ? len : cap - 1;
        memcpy(dec, s + j - take, take);
        *dn = take;
        *exact = len < cap;
        return j + 1;
    }
    *exact = 1;
    for (j = i + 1; j < n; j++) {
        char c = s[j];
        if (c == '"') {
            *dn = o;
            return j + 1;
        }
        if (c == '\\' && ++j >= n)
            return 0;
        if (c == '\\' && s[j] == 'u') {
            long v = escape_u(s, n, j, &j);
            if (v < 0)
                return 0;
            static const unsigned char lead[] = {0, 0xc0, 0xe0, 0xf0};
            unsigned char u[4];
            size_t k = 0;
            if (v < 0x80) {
                u[k++] = v == 0 ? 0x01 : (unsigned char)v;
            } else {
                int more = v < 0x800 ? 1 : v < 0x10000 ? 2 : 3;
                u[k++] = (unsigned char)(lead[more] | (v >> (6 * more)));
                for (int m = more - 1; m >= 0; m--)
                    u[k++] = (unsigned char)(0x80 | ((v >> (6 * m)) & 0x3f));
            }
            for (size_t m = 0; m < k; m++)
                put(dec, cap, &o, (char)u[m], exact);
            *exact = *exact && v != 0;
            continue;
        }
        if (c == '\\')
            c = s[j] == '"' || s[j] == '\\' || s[j] == '/' ? s[j] : '\x01';
        if (c == '\x01')
            *exact = 0;
        put(dec, cap, &o, c, exact);
    }
    return 0;
}

/* Cut out back to len (the content stays NUL-terminated). */
static void cut(fg_buf_t *b, size_t len)
{
    b->len = len;
    if (b->data != NULL)
        b->data[len] = '\0';
}

/* Append "key<suffix>": as a member name; key is the name as written (escapes and all). */
static int member_name(fg_buf_t *out, const char *key, size_t kn, const char *suffix)
{
    int rc = fg_buf_appendc(out, '"');
    rc = rc != 0 ? rc : fg_buf_append(out, key, kn);
    rc = rc != 0 ? rc : fg_buf_appends(out, suffix);
    return rc != 0 ? rc : fg_buf_appends(out, "\":");
}

/* Append the redacted form of the member key:value (key[0..kn) its name as written) when the value
 * v[0..vn) is a certificate number: 1 when appended, 0 when it is none (nothing appended), <0 on
 * error. */
static int redact_member(fg_buf_t *out, const char *key, size_t kn, const char *v, size_t vn)
{
    fg_idcard_t id;
    fg_error_t e;
    int rc;
    if (vn == 0)
        return 0;
    if (fg_idcard_parse(v, vn, &id, &e) == 0) {
        char hash[65];
        fg_idcard_pseudonym(&id, fg_model_pseudonym_key(), hash);
        rc = member_name(out, key, kn, "_hash");
        rc = rc != 0 ? rc : fg_buf_append_json_str(out, hash, 64);
        rc = rc != 0 ? rc : fg_buf_appendc(out, ',');
        rc = rc != 0 ? rc : member_name(out, key, kn, "_masked");
        rc = rc != 0 ? rc : fg_buf_append_json_str(out, id.masked, strlen(id.masked));
        explicit_bzero(&id, sizeof(id));
        return rc != 0 ? rc : 1;
    }
    explicit_bzero(&e, sizeof(e));
    char m[REDACT_KEY_MAX];
    if (vn >= sizeof(m))
        return 0;
    memcpy(m, v, vn);
    if (fg_mask_identities(m, vn) == 0)
        return 0;
    rc = member_name(out, key, kn, "");
    rc = rc != 0 ? rc : fg_buf_append_json_str(out, m, vn);
    explicit_bzero(m, sizeof(m));
    return rc != 0 ? rc : 1;
}

/* A certificate member: the input up to its name (from *flushed) then its redacted form, when its
 * value v[0..vn) is a certificate number (the member is then skipped: *flushed = end). */
static int member(fg_buf_t *out, const char *s, size_t *flushed, size_t kstart, size_t end,
                  const char *key, size_t kn, const char *v, size_t vn)
{
    int rc = fg_buf_append(out, s + *flushed, kstart - *flushed);
    *flushed = kstart;
    int r = rc != 0 ? rc : redact_member(out, key, kn, v, vn);
    if (r == 1)
        *flushed = end;
    return r < 0 ? r : 0;
}

static int number_char(char c)
{
    return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
}

int fg_json_redact_ids(const char *s, size_t n, fg_buf_t *out, fg_error_t *err)
{
    unsigned char stack[REDACT_MAX_DEPTH]; /* 1 object, 0 array */
    int top = -1, want_key = 0, cert = 0, bad = 0, rc = 0;
    const char *key = NULL; /* the member name as written */
    size_t kn = 0, kstart = 0, start = out->len, flushed = 0, i = 0;
    while (i < n && rc == 0 && !bad) {
        char c = s[i];
        size_t end = i + 1;
        if (c == '{' || c == '[') {
            bad = top + 1 >= REDACT_MAX_DEPTH;
            if (!bad)
                stack[++top] = c == '{';
            want_key = c == '{';
            cert = 0;
        } else if (c == '}' || c == ']') {
            bad = top < 0;
            top--;
            want_key = 0;
        } else if (c == ',') {
            want_key = top >= 0 && stack[top];
        } else if (c == '"') {
            char dec[REDACT_KEY_MAX];
            size_t dn = 0;
            int exact;
            end = string_end(s, n, i, dec, sizeof(dec), &dn, &exact);
            bad = end == 0;
            if (!bad && want_key) {
                cert = ends_with(dec, dn, "certno") || ends_with(dec, dn, "cert_no");
                key = s + i + 1;
                kn = end - i - 2;
                kstart = i;
                want_key = 0;
            } else if (!bad && cert) {
                cert = 0;
                if (exact)
                    rc = member(out, s, &flushed, kstart, end, key, kn, dec, dn);
                explicit_bzero(dec, sizeof(dec));
            }
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            while (end < n && number_char(s[end]))
                end++;
            if (cert) /* a number given for a certificate number */
                rc = member(out, s, &flushed, kstart, end, key, kn, s + i, end - i);
            cert = 0;
        } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') { /* indentation: a run */
            while (end < n && (s[end] == ' ' || s[end] == '\n' || s[end] == '\r' || s[end] == '\t'))
                end++;
        } else if (c != ':') {
            while (end < n && s[end] >= 'a' && s[end] <= 'z') /* true false null */
                end++;
            cert = 0;
        }
        i = end;
    }
    if (rc == 0 && !bad && top == -1 && n > 0)
        rc = fg_buf_append(out, s + flushed, n - flushed);
    if (rc == 0 && !bad && top == -1 && n > 0)
        return 0;
    cut(out, start);
    return fg_error_set(err, rc != 0 ? rc : FG_E_JSON, NULL, 0,
                        rc != 0
                            ? "out of memory redacting a document"
                            : "the document could not be walked to redact its identity numbers");
}
