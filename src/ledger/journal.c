/*
 * journal.c — the journal's on-disk records (docs/ledger.md "Journal"), format version 2.
 *
 * A record is 8-byte aligned and compact (about 50 bytes for a sale with a 20-digit code):
 *
 *   0  u16 len       record length (multiple of 8, 16 … FG__JREC_MAX)
 *   2  u16 lencheck  (len * 0x9E37 ^ "RJ") & 0xFFFF: a damaged length is damage, not a torn tail
 *   4  u32 check     low half of the XXH3-64 of bytes [8, len) seeded with len
 *   8  u8  type (bits 0-2), trdn (3), code binary (4), institution defined here (5),
 *          med_list_codg form (6-7: 0 none, 1 id, 2 defined here, 3 text)
 *   9  u8  outcome (bits 0-3), kind (4-5), findings (6-7)
 *  10  varints: lsn; back = (offset - offset of the code's previous record) / 8, 0 for its first;
 *          zigzag(time - 2020-01-01T00:00:00Z); units; pack_units
 *      code: a 20-digit code as its 9-byte exact index key, any other as u8 length + text
 *      institution: u8 length + text when defined here (its id is the next one), else varint id
 *      med_list_codg: varint id, or u8 length + text (defined here: the next id)
 *      setl_id, feedetl_sn, psn_no: u8 length + text each, or, ending in a number, 0x80 | prefix
 *          length, the prefix and the number as a varint; zero padding
 *
 * Institution and med_list_codg ids are given in journal order, so replay from the start (or from
 * a snapshot, which holds both tables) rebuilds them; decoding leaves ids for fg__jrec_resolve.
 * Little-endian (the ledger refuses to open on a big-endian host). A torn tail — a record cut short
 * by a crash, or zeros past the last record — is told apart from damage: a cut record is a prefix
 * of a valid one, so its length words check and the file ends inside it.
 */
#include "core/compat.h"

#include <string.h>

#include "fundguard/hash.h"
#include "ledger/ledger_int.h"

#define LEN_MUL   0x9E37u
#define LEN_MAGIC 0x4A52u    /* "RJ" */
#define TIME_BASE 1577836800 /* 2020-01-01T00:00:00Z */
#define KEY_BYTES 9          /* a 20-digit code's key: 68 bits */

enum { MED_NONE = 0, MED_ID = 1, MED_DEFINED = 2, MED_TEXT = 3 };

static void put16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, 2);
}

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, 8);
}

static uint16_t get16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static uint16_t len_check(uint32_t len)
{
    return (uint16_t)((len * LEN_MUL) ^ LEN_MAGIC);
}

static uint32_t rec_check(const uint8_t *p, uint32_t len)
{
    return (uint32_t)fg_hash64_seed(p + 8, len - 8, len);
}

static uint8_t *put_var(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

static uint8_t *put_str(uint8_t *p, const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);
    *p++ = (uint8_t)n;
    memcpy(p, s, n);
    return p + n;
}

/* An identifier (setl_id, feedetl_sn, psn_no) that ends in a number — "S1234567", "702114" — as
 * 0x80 | prefix length, the prefix, and the number as a varint; else as put_str. The number is
 * read from the last of up to 19 trailing digits that is not a zero (a lone "0" when all are), so
 * it has no leading zero and printing it gives the text back exactly. */
static uint8_t *put_id(uint8_t *p, const char *s, size_t cap)
{
    static const uint64_t pow10[19] = {1,
                                       10,
                                       100,
                                       1000,
                                       10000,
                                       100000,
                                       1000000,
                                       10000000,
                                       100000000,
                                       1000000000,
                                       10000000000ull,
                                       100000000000ull,
                                       1000000000000ull,
                                       10000000000000ull,
                                       100000000000000ull,
                                       1000000000000000ull,
                                       10000000000000000ull,
                                       100000000000000000ull,
                                       1000000000000000000ull};
    size_t n = strnlen(s, cap);
    size_t j = n; /* where the number starts */
    uint64_t v = 0;
    /* From the end: the products are independent, no chain of multiplies. */
    for (size_t k = 0; k < 19 && k < n; k++) {
        unsigned d = (unsigned)(unsigned char)s[n - 1 - k] - '0';
        if (d > 9)
            break;
        v += d * pow10[k];
        if (d != 0)
            j = n - 1 - k;
    }
    if (j == n && n > 0 && s[n - 1] == '0')
        j = n - 1; /* all zeros: the last one is the number */
    if (j == n)
        return put_str(p, s, cap);
    *p++ = (uint8_t)(0x80 | j);
    memcpy(p, s, j);
    return put_var(p + j, v);
}

uint32_t fg__jrec_encode(uint8_t *buf, const fg_ledger_event_t *ev, const uint8_t *key,
                         const fg__jref_t *ref, const fg_ledger_result_t *res)
{
    int bin = !(key[FG__KEY_LEN - 1] & 0x80);
    int64_t t = (int64_t)ev->time - TIME_BASE;
    uint8_t *p = buf + 10;

    buf[8] = (uint8_t)((unsigned)ev->type | (ev->trdn ? 8u : 0u) | (bin ? 16u : 0u) |
                       (ref->inst_new ? 32u : 0u) | (unsigned)ref->med_form << 6);
    buf[9] = (uint8_t)((unsigned)res->outcome | (unsigned)res->kind << 4 | res->findings << 6);
    p = put_var(p, ref->lsn);
    p = put_var(p, ref->prev != 0 ? (ref->off - ref->prev) / 8 : 0);
    p = put_var(p, ((uint64_t)t << 1) ^ (uint64_t)(t >> 63));
    p = put_var(p, ev->units);
    p = put_var(p, ev->pack_units);
    if (bin) {
        memcpy(p, key, KEY_BYTES);
        p += KEY_BYTES;
    } else {
        p = put_str(p, ev->code, sizeof(ev->code) - 1);
    }
    if (ref->inst_new)
        p = put_str(p, ev->inst, sizeof(ev->inst) - 1);
    else
        p = put_var(p, ref->inst);
    if (ref->med_form == MED_ID)
        p = put_var(p, ref->med);
    else if (ref->med_form != MED_NONE)
        p = put_str(p, ev->med_list, FG_LEDGER_STR_MAX);
    p = put_id(p, ev->setl_id, FG_LEDGER_STR_MAX);
    p = put_id(p, ev->feedetl_sn, FG_LEDGER_STR_MAX);
    p = put_id(p, ev->psn_no, FG_LEDGER_STR_MAX);
    size_t used = (size_t)(p - buf);
    uint32_t len = (uint32_t)((used + 7) & ~(size_t)7);
    memset(p, 0, len - used);
    put16(buf, (uint16_t)len);
    put16(buf + 2, len_check(len));
    put32(buf + 4, rec_check(buf, len));
    return len;
}

/* A bounded reader over one record's bytes; `bad` is set by any read past its end. */
struct cur {
    const uint8_t *p;
    const uint8_t *end;
    int bad;
};

static uint64_t get_var(struct cur *c)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (c->p >= c->end)
            break;
        uint8_t b = *c->p++;
        v |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80))
            return v;
    }
    c->bad = 1;
    return 0;
}

static void get_str(struct cur *c, char *dst, size_t max)
{
    size_t n = c->p < c->end ? *c->p++ : 0;
    if (n > max || n > (size_t)(c->end - c->p)) {
        c->bad = 1;
        n = 0;
    }
    memcpy(dst, c->p, n);
    dst[n] = '\0';
    c->p += n;
}

/* An identifier written by put_id (dst has room for max + 1). */
static void get_id(struct cur *c, char *dst, size_t max)
{
    if (c->p >= c->end || !(*c->p & 0x80)) {
        get_str(c, dst, max);
        return;
    }
    size_t j = *c->p++ & 0x7F;
    char num[24];
    if (j > max || j > (size_t)(c->end - c->p)) {
        c->bad = 1;
        j = 0;
    }
    memcpy(dst, c->p, j);
    c->p += j;
    uint64_t v = get_var(c);
    size_t k = sizeof(num);
    do {
        num[--k] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0 && k > 0);
    if (j + sizeof(num) - k > max) {
        c->bad = 1;
        k = sizeof(num);
    }
    memcpy(dst + j, num + k, sizeof(num) - k);
    dst[j + sizeof(num) - k] = '\0';
}

/* A 20-digit code from its 9-byte key (two 10-digit halves of 34 bits). */
static void get_code(struct cur *c, char *dst)
{
    if (c->end - c->p < KEY_BYTES) {
        c->bad = 1;
        dst[0] = '\0';
        return;
    }
    uint64_t lo = get64(c->p);
    uint64_t a = lo >> 34 | (uint64_t)c->p[8] << 30;
    uint64_t b = lo & (((uint64_t)1 << 34) - 1);
    c->p += KEY_BYTES;
    if (a >= 10000000000ull || b >= 10000000000ull) {
        c->bad = 1;
        a = b = 0;
    }
    for (int i = 9; i >= 0; i--) {
        dst[i] = (char)('0' + a % 10);
        dst[10 + i] = (char)('0' + b % 10);
        a /= 10;
        b /= 10;
    }
    dst[20] = '\0';
}

int fg__jrec_seal(uint8_t *p, size_t avail)
{
    uint32_t len = avail >= 16 ? get16(p) : 0;
    if (len < 16 || len > FG__JREC_MAX || (len & 7) != 0 || len > avail)
        return -1;
    put16(p + 2, len_check(len));
    put32(p + 4, rec_check(p, len));
    return 0;
}

int fg__jrec_decode(const uint8_t *p, size_t avail, uint64_t off, fg__jrec_t *r)
{
    if (avail < 4)
        return 1;
    uint32_t len = get16(p);
    if (get16(p + 2) != len_check(len) || len < 16 || len > FG__JREC_MAX || (len & 7) != 0)
        return FG_E_LEDGER_JOURNAL;
    if (avail < len)
        return 1;
    if (get32(p + 4) != rec_check(p, len))
        return FG_E_LEDGER_JOURNAL;
    unsigned a = p[8];
    unsigned b = p[9];
    unsigned type = a & 7;
    if (type < FG_LEDGER_PURCHASE || type > FG_LEDGER_SALE_RETURN ||
        (b & 15) >= FG_LEDGER__OUTCOMES || (b >> 4 & 3) > FG_LEDGER_OTHER_INSTITUTION)
        return FG_E_LEDGER_JOURNAL;
    struct cur c = {p + 10, p + len, 0};
    fg_ledger_event_t *ev = &r->h.event;
    r->len = len;
    r->off = off;
    r->lsn = get_var(&c);
    uint64_t back = get_var(&c);
    r->prev = back != 0 && back <= off / 8 ? off - back * 8 : 0;
    uint64_t zt = get_var(&c);
    ev->time = (fg_time_t)((int64_t)(zt >> 1) ^ -(int64_t)(zt & 1)) + TIME_BASE;
    uint64_t units = get_var(&c);
    uint64_t pack = get_var(&c);
    ev->units = (uint32_t)units;
    ev->pack_units = (uint32_t)pack;
    ev->type = (fg_ledger_type_t)type;
    ev->trdn = (a >> 3) & 1;
    if (a & 16)
        get_code(&c, ev->code);
    else
        get_str(&c, ev->code, sizeof(ev->code) - 1);
    r->ref.inst_new = (a >> 5) & 1;
    r->ref.inst = 0;
    ev->inst[0] = '\0';
    if (r->ref.inst_new)
        get_str(&c, ev->inst, sizeof(ev->inst) - 1);
    else
        r->ref.inst = (uint32_t)get_var(&c);
    r->ref.med_form = (uint8_t)(a >> 6);
    r->ref.med = 0;
    ev->med_list[0] = '\0';
    if (r->ref.med_form == MED_ID)
        r->ref.med = (uint32_t)get_var(&c);
    else if (r->ref.med_form != MED_NONE)
        get_str(&c, ev->med_list, FG_LEDGER_STR_MAX);
    get_id(&c, ev->setl_id, FG_LEDGER_STR_MAX);
    get_id(&c, ev->feedetl_sn, FG_LEDGER_STR_MAX);
    get_id(&c, ev->psn_no, FG_LEDGER_STR_MAX);
    if (c.bad || back > off / 8 || units > FG_LEDGER_UNITS_MAX || pack > FG_LEDGER_UNITS_MAX ||
        ev->code[0] == '\0' || (r->ref.inst_new ? ev->inst[0] == '\0' : r->ref.inst == 0) ||
        (r->ref.med_form == MED_ID && r->ref.med == 0))
        return FG_E_LEDGER_JOURNAL;
    r->ref.lsn = r->lsn;
    r->ref.off = off;
    r->ref.prev = r->prev;
    r->h.lsn = r->lsn;
    r->h.offset = off;
    r->h.outcome = (fg_ledger_outcome_t)(b & 15);
    r->h.kind = (fg_ledger_kind_t)(b >> 4 & 3);
    r->h.findings = b >> 6;
    return 0;
}

int fg__jrec_resolve(const fg__lindex_t *ix, fg__jrec_t *r)
{
    fg_ledger_event_t *ev = &r->h.event;
    if (!r->ref.inst_new) {
        if (r->ref.inst > ix->ninst)
            return FG_E_LEDGER_JOURNAL;
        memcpy(ev->inst, ix->inst[r->ref.inst - 1].code, sizeof(ix->inst->code));
        ev->inst[sizeof(ix->inst->code)] = '\0';
    }
    if (r->ref.med_form == MED_ID) {
        if (r->ref.med > ix->nmed)
            return FG_E_LEDGER_JOURNAL;
        memcpy(ev->med_list, ix->med[r->ref.med - 1].code, FG_LEDGER_STR_MAX);
        ev->med_list[FG_LEDGER_STR_MAX] = '\0';
    }
    return 0;
}

static const char jmagic[8] = {'F', 'G', 'L', 'E', 'D', 'G', 'J', '2'};

void fg__jhdr_encode(uint8_t hdr[FG__JHDR_SIZE])
{
    memset(hdr, 0, FG__JHDR_SIZE);
    memcpy(hdr, jmagic, 8);
    put32(hdr + 8, 2);  /* version */
    put32(hdr + 12, 8); /* record alignment */
    put64(hdr + 56, fg_hash64(hdr, 56));
}

int fg__jhdr_check(const uint8_t hdr[FG__JHDR_SIZE])
{
    if (memcmp(hdr, jmagic, 7) != 0 || get64(hdr + 56) != fg_hash64(hdr, 56))
        return FG_E_LEDGER_JOURNAL;
    if (hdr[7] != '2' || get32(hdr + 8) != 2)
        return FG_E_LEDGER_VERSION;
    return 0;
}
