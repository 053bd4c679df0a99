/*
 * journal.c — the journal's on-disk records (docs/ledger.md "Journal").
 *
 * A record is 8-byte aligned: a 64-byte header and the event's strings.
 *
 *   0  u32 len       record length (multiple of 8, 64 … FG__JREC_MAX)
 *   4  u32 lencheck  len * 0x9E3779B1 ^ "FGRJ": a damaged length is damage, not a torn tail
 *   8  u64 check     XXH3-64 of bytes [16, len) seeded with len
 *  16  u64 lsn       1, 2, 3 … without gaps
 *  24  u64 prev      offset of the previous record of the same code, 0 for the first
 *  32  i64 time      event time (seconds since the epoch)
 *  40  u32 units     as given (0 absent)
 *  44  u32 pack      pack_units as given (0 absent)
 *  48  u8  type, trdn, outcome, kind, findings, code_len, inst_len, med_len
 *  56  u8  setl_len, feedetl_len, psn_len, 0 × 5
 *  64  code, inst, med_list_codg, setl_id, feedetl_sn, psn_no (no NULs), zero padding
 *
 * Little-endian (the ledger refuses to open on a big-endian host). A torn tail — a record cut short
 * by a crash, or zeros past the last record — is told apart from damage: a cut record is a prefix
 * of a valid one, so its length words check and the file ends inside it.
 */
#include "core/compat.h"

#include <string.h>

#include "fundguard/hash.h"
#include "ledger/ledger_int.h"

#define LEN_MUL 0x9E3779B1u

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, 8);
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

static size_t put_str(uint8_t *p, const char *s, size_t cap, uint8_t *lenp)
{
    size_t n = strnlen(s, cap);
    memcpy(p, s, n);
    *lenp = (uint8_t)n;
    return n;
}

uint32_t fg__jrec_encode(uint8_t *buf, const fg_ledger_event_t *ev, uint64_t lsn, uint64_t prev,
                         const fg_ledger_result_t *res)
{
    uint8_t *s = buf + FG__JREC_HDR;
    size_t o = 0;

    memset(buf, 0, FG__JREC_HDR);
    put64(buf + 16, lsn);
    put64(buf + 24, prev);
    put64(buf + 32, (uint64_t)ev->time);
    put32(buf + 40, ev->units);
    put32(buf + 44, ev->pack_units);
    buf[48] = (uint8_t)ev->type;
    buf[49] = (uint8_t)(ev->trdn ? 1 : 0);
    buf[50] = (uint8_t)res->outcome;
    buf[51] = (uint8_t)res->kind;
    buf[52] = (uint8_t)res->findings;
    o += put_str(s + o, ev->code, sizeof(ev->code) - 1, &buf[53]);
    o += put_str(s + o, ev->inst, sizeof(ev->inst) - 1, &buf[54]);
    o += put_str(s + o, ev->med_list, FG_LEDGER_STR_MAX, &buf[55]);
    o += put_str(s + o, ev->setl_id, FG_LEDGER_STR_MAX, &buf[56]);
    o += put_str(s + o, ev->feedetl_sn, FG_LEDGER_STR_MAX, &buf[57]);
    o += put_str(s + o, ev->psn_no, FG_LEDGER_STR_MAX, &buf[58]);
    uint32_t len = (uint32_t)((FG__JREC_HDR + o + 7) & ~(size_t)7);
    memset(buf + FG__JREC_HDR + o, 0, len - FG__JREC_HDR - o);
    put32(buf, len);
    put32(buf + 4, len * LEN_MUL ^ FG__JREC_MAGIC);
    put64(buf + 8, fg_hash64_seed(buf + 16, len - 16, len));
    return len;
}

static void get_str(char *dst, const uint8_t *p, size_t n)
{
    memcpy(dst, p, n);
    dst[n] = '\0';
}

int fg__jrec_decode(const uint8_t *p, size_t avail, fg__jrec_t *r)
{
    if (avail < 8)
        return 1;
    uint32_t len = get32(p);
    if ((get32(p + 4) ^ FG__JREC_MAGIC) != len * LEN_MUL || len < FG__JREC_HDR ||
        len > FG__JREC_MAX || (len & 7) != 0)
        return FG_E_LEDGER_JOURNAL;
    if (avail < len)
        return 1;
    if (get64(p + 8) != fg_hash64_seed(p + 16, len - 16, len))
        return FG_E_LEDGER_JOURNAL;
    size_t lens[6] = {p[53], p[54], p[55], p[56], p[57], p[58]};
    size_t total = 0;
    for (int i = 0; i < 6; i++)
        total += lens[i];
    if (FG__JREC_HDR + total > len || p[48] < FG_LEDGER_PURCHASE || p[48] > FG_LEDGER_SALE_RETURN ||
        lens[0] >= FG_ID_NORM_MAX || lens[1] >= 16 || lens[2] > FG_LEDGER_STR_MAX ||
        lens[3] > FG_LEDGER_STR_MAX || lens[4] > FG_LEDGER_STR_MAX || lens[5] > FG_LEDGER_STR_MAX ||
        p[50] >= FG_LEDGER__OUTCOMES)
        return FG_E_LEDGER_JOURNAL;
    r->len = len;
    r->lsn = get64(p + 16);
    r->prev = get64(p + 24);
    r->h.lsn = r->lsn;
    fg_ledger_event_t *ev = &r->h.event;
    ev->time = (fg_time_t)get64(p + 32);
    ev->units = get32(p + 40);
    ev->pack_units = get32(p + 44);
    ev->type = (fg_ledger_type_t)p[48];
    ev->trdn = p[49];
    r->h.outcome = (fg_ledger_outcome_t)p[50];
    r->h.kind = (fg_ledger_kind_t)p[51];
    r->h.findings = p[52];
    const uint8_t *s = p + FG__JREC_HDR;
    get_str(ev->code, s, lens[0]);
    s += lens[0];
    get_str(ev->inst, s, lens[1]);
    s += lens[1];
    get_str(ev->med_list, s, lens[2]);
    s += lens[2];
    get_str(ev->setl_id, s, lens[3]);
    s += lens[3];
    get_str(ev->feedetl_sn, s, lens[4]);
    s += lens[4];
    get_str(ev->psn_no, s, lens[5]);
    return 0;
}

static const char jmagic[8] = {'F', 'G', 'L', 'E', 'D', 'G', 'J', '1'};

void fg__jhdr_encode(uint8_t hdr[FG__JHDR_SIZE])
{
    memset(hdr, 0, FG__JHDR_SIZE);
    memcpy(hdr, jmagic, 8);
    put32(hdr + 8, 1);  /* version */
    put32(hdr + 12, 8); /* record alignment */
    put64(hdr + 56, fg_hash64(hdr, 56));
}

int fg__jhdr_check(const uint8_t hdr[FG__JHDR_SIZE])
{
    if (memcmp(hdr, jmagic, 7) != 0 || get64(hdr + 56) != fg_hash64(hdr, 56))
        return FG_E_LEDGER_JOURNAL;
    if (hdr[7] != '1' || get32(hdr + 8) != 1)
        return FG_E_LEDGER_VERSION;
    return 0;
}
