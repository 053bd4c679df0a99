/*
 * out.c — the generator's output files.
 *
 * A gen_out_t is a file with a 1 MiB buffer: bytes are appended without bounds checks beyond one
 * compare, hashed (sha256) and written when the buffer fills, so the manifest's digests cost no
 * second read. With --encoding gbk the CSV bytes are converted to GB18030 (GBK's superset: every
 * character survives) at flush; an incomplete UTF-8 sequence at the end of a buffer waits for the
 * next one. Numbers and times are formatted by hand (no printf on the hot path).
 *
 * CSV rows: each table's columns come from the model (fg_table_columns), so a row is written in the
 * national layout whatever order that is; the generator fills named slots and the table maps its
 * columns to slots once, at open.
 */
#include "core/compat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "fundguard/alloc.h"
#include "fundguard/hash.h"
#include "gen/gen_int.h"

#define OUT_BUF (1u << 20)

int fg__gen_out_open(gen_out_t *w, const char *dir, const char *name, int gbk)
{
    char path[4096];
    memset(w, 0, sizeof(*w));
    w->fd = -1;
    w->cd = (iconv_t)-1;
    w->day = FG_DATE_NONE;
    snprintf(w->name, sizeof(w->name), "%s", name);
    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
        return FG_ELIMIT;
    w->buf = fg_malloc(OUT_BUF);
    if (w->buf == NULL)
        return FG_ENOMEM;
    w->cap = OUT_BUF;
    if (gbk) {
        w->cd = iconv_open("GB18030", "UTF-8");
        if (w->cd == (iconv_t)-1) {
            fg_free(w->buf);
            w->buf = NULL;
            return FG_EINVAL;
        }
        w->cvt_cap = OUT_BUF * 2 + 64;
        w->cvt = fg_malloc(w->cvt_cap);
        if (w->cvt == NULL) {
            iconv_close(w->cd);
            w->cd = (iconv_t)-1;
            fg_free(w->buf);
            w->buf = NULL;
            return FG_ENOMEM;
        }
        w->gbk = 1;
    }
    w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (w->fd < 0) {
        int e = -errno;
        fg__gen_out_abort(w);
        return e;
    }
    fg__gen_sha256_init(&w->sha);
    if (w->sha.ctx == NULL) {
        fg__gen_out_abort(w);
        return FG_ENOMEM;
    }
    return 0;
}

/*
 * Write-behind: a city writes ~17 GB, more than the page cache of most machines holds; left to
 * itself the kernel fills memory with dirty pages and the writer pays for reclaiming them (a city
 * spent as long in the kernel as in the generator). So each full window of a file is sent to disk
 * as soon as it is written, and the window before it, on disk by then or waited for, is dropped
 * from the cache. Advisory: errors are ignored (the data is written either way).
 */
#define WB_WINDOW ((uint64_t)32 << 20)

static void write_behind(gen_out_t *w)
{
#if defined(SYNC_FILE_RANGE_WRITE) && defined(POSIX_FADV_DONTNEED)
    while (w->bytes - w->wb_started >= WB_WINDOW) {
        off_t cur = (off_t)w->wb_started;
        (void)sync_file_range(w->fd, cur, (off_t)WB_WINDOW, SYNC_FILE_RANGE_WRITE);
        if (w->wb_started >= WB_WINDOW) {
            off_t prev = cur - (off_t)WB_WINDOW;
            (void)sync_file_range(w->fd, prev, (off_t)WB_WINDOW,
                                  SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
                                      SYNC_FILE_RANGE_WAIT_AFTER);
            (void)posix_fadvise(w->fd, prev, (off_t)WB_WINDOW, POSIX_FADV_DONTNEED);
        }
        w->wb_started += WB_WINDOW;
    }
#else
    (void)w;
#endif
}

static void write_all(gen_out_t *w, const char *p, size_t n)
{
    fg__gen_sha256_update(&w->sha, p, n);
    w->bytes += n;
    while (n > 0 && w->err == 0) {
        ssize_t k = write(w->fd, p, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            w->err = -errno;
            return;
        }
        p += k;
        n -= (size_t)k;
    }
    write_behind(w);
}

/* Convert buf[0..len) (after any carried bytes) to GB18030 and write it. */
static void write_gbk(gen_out_t *w, int final)
{
    char *in = w->buf;
    size_t inleft = w->len;
    char joined[16];
    /* A sequence cut at the last flush: complete it with the first bytes of this buffer. */
    while (w->ncarry > 0 && inleft > 0) {
        size_t take = inleft < 8 ? inleft : 8;
        memcpy(joined, w->carry, w->ncarry);
        memcpy(joined + w->ncarry, in, take);
        char *jin = joined;
        size_t jleft = w->ncarry + take;
        char *out = w->cvt;
        size_t outleft = w->cvt_cap;
        size_t rc = iconv(w->cd, &jin, &jleft, &out, &outleft);
        size_t used = (w->ncarry + take) - jleft;
        if (rc == (size_t)-1 && errno != EINVAL && errno != E2BIG) {
            w->err = FG_EINVAL;
            return;
        }
        if (used <= w->ncarry) { /* still incomplete */
            if (take == inleft && !final) {
                memcpy(w->carry + w->ncarry, in, take);
                w->ncarry += take;
                w->len = 0;
                return;
            }
            w->err = FG_EINVAL;
            return;
        }
        write_all(w, w->cvt, (size_t)(out - w->cvt));
        size_t from_buf = used - w->ncarry;
        in += from_buf;
        inleft -= from_buf;
        w->ncarry = 0;
    }
    while (inleft > 0 && w->err == 0) {
        char *out = w->cvt;
        size_t outleft = w->cvt_cap;
        size_t rc = iconv(w->cd, &in, &inleft, &out, &outleft);
        write_all(w, w->cvt, (size_t)(out - w->cvt));
        if (rc == (size_t)-1) {
            if (errno == E2BIG)
                continue;
            if (errno == EINVAL && inleft < sizeof(w->carry) && !final) {
                memcpy(w->carry, in, inleft);
                w->ncarry = inleft;
                inleft = 0;
                break;
            }
            w->err = FG_EINVAL;
            return;
        }
    }
    w->len = 0;
}

static void flush(gen_out_t *w, int final)
{
    if (w->len == 0 && !(final && w->ncarry > 0))
        return;
    if (w->gbk)
        write_gbk(w, final);
    else
        write_all(w, w->buf, w->len);
    w->len = 0;
}

void fg__gen_out_flush(gen_out_t *w)
{
    flush(w, 0);
}

void fg__gen_out_big(gen_out_t *w, const void *p, size_t n)
{
    const char *s = p;
    while (n > 0) {
        if (w->len == w->cap)
            flush(w, 0);
        size_t room = w->cap - w->len;
        size_t k = n < room ? n : room;
        memcpy(w->buf + w->len, s, k);
        w->len += k;
        s += k;
        n -= k;
    }
}

int fg__gen_out_close(gen_out_t *w, char sha_hex[65])
{
    unsigned char d[32];
    flush(w, 1);
    if (w->ncarry > 0 && w->err == 0)
        w->err = FG_EINVAL;
    if (fg__gen_sha256_final(&w->sha, d) != 0 && w->err == 0)
        w->err = FG_ENOMEM;
    if (sha_hex != NULL)
        fg_hex(d, sizeof(d), sha_hex);
    if (w->fd >= 0 && close(w->fd) != 0 && w->err == 0)
        w->err = -errno;
    w->fd = -1;
    int rc = w->err;
    fg__gen_out_abort(w);
    w->err = rc;
    return rc;
}

void fg__gen_out_abort(gen_out_t *w)
{
    if (w->fd >= 0)
        close(w->fd);
    w->fd = -1;
    if (w->sha.ctx != NULL) {
        unsigned char d[32];
        fg__gen_sha256_final(&w->sha, d);
    }
    if (w->cd != (iconv_t)-1)
        iconv_close(w->cd);
    w->cd = (iconv_t)-1;
    fg_free(w->buf);
    fg_free(w->cvt);
    w->buf = NULL;
    w->cvt = NULL;
    w->len = 0;
    w->cap = 0;
}

/* ---------------------------------------------------------------- numbers and times */

static const char digit_pairs[201] = "00010203040506070809"
                                     "10111213141516171819"
                                     "20212223242526272829"
                                     "30313233343536373839"
                                     "40414243444546474849"
                                     "50515253545556575859"
                                     "60616263646566676869"
                                     "70717273747576777879"
                                     "80818283848586878889"
                                     "90919293949596979899";

size_t fg__gen_fmt_u64(char *out, uint64_t v)
{
    char tmp[24];
    size_t i = sizeof(tmp);
    while (v >= 100) {
        unsigned k = (unsigned)(v % 100) * 2;
        v /= 100;
        tmp[--i] = digit_pairs[k + 1];
        tmp[--i] = digit_pairs[k];
    }
    if (v >= 10) {
        unsigned k = (unsigned)v * 2;
        tmp[--i] = digit_pairs[k + 1];
        tmp[--i] = digit_pairs[k];
    } else {
        tmp[--i] = (char)('0' + v);
    }
    size_t n = sizeof(tmp) - i;
    memcpy(out, tmp + i, n);
    return n;
}

size_t fg__gen_fmt_pad(char *out, uint64_t v, int width)
{
    int i = width;
    while (i >= 2) {
        unsigned k = (unsigned)(v % 100) * 2;
        v /= 100;
        out[--i] = digit_pairs[k + 1];
        out[--i] = digit_pairs[k];
    }
    if (i == 1)
        out[0] = (char)('0' + v % 10);
    return (size_t)width;
}

size_t fg__gen_fmt_fen(char *out, fg_fen_t v)
{
    size_t n = 0;
    uint64_t a;
    if (v < 0) {
        out[n++] = '-';
        a = (uint64_t)0 - (uint64_t)v;
    } else {
        a = (uint64_t)v;
    }
    n += fg__gen_fmt_u64(out + n, a / 100);
    out[n++] = '.';
    unsigned f = (unsigned)(a % 100) * 2;
    out[n++] = digit_pairs[f];
    out[n++] = digit_pairs[f + 1];
    return n;
}

size_t fg__gen_fmt_qty(char *out, fg_qty_t q)
{
    size_t n = 0;
    uint64_t a;
    if (q < 0) {
        out[n++] = '-';
        a = (uint64_t)0 - (uint64_t)q;
    } else {
        a = (uint64_t)q;
    }
    n += fg__gen_fmt_u64(out + n, a / FG_QTY_ONE);
    unsigned frac = (unsigned)(a % FG_QTY_ONE);
    if (frac != 0) {
        out[n++] = '.';
        char d[4];
        for (int i = 3; i >= 0; i--) {
            d[i] = (char)('0' + frac % 10);
            frac /= 10;
        }
        int last = 3;
        while (last > 0 && d[last] == '0')
            last--;
        memcpy(out + n, d, (size_t)last + 1);
        n += (size_t)last + 1;
    }
    return n;
}

size_t fg__gen_fmt_date(gen_out_t *cache, char *out, fg_date_t d)
{
    if (cache->day != d) {
        fg_date_format(d, cache->day_text);
        cache->day = d;
    }
    memcpy(out, cache->day_text, 10);
    return 10;
}

size_t fg__gen_fmt_time(gen_out_t *cache, char *out, fg_time_t t)
{
    fg_time_t local = t + FG_CST_OFFSET;
    fg_time_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    int64_t sec = local - days * 86400;
    fg__gen_fmt_date(cache, out, (fg_date_t)days);
    out[10] = ' ';
    unsigned h = (unsigned)(sec / 3600) * 2;
    unsigned m = (unsigned)(sec / 60 % 60) * 2;
    unsigned s = (unsigned)(sec % 60) * 2;
    out[11] = digit_pairs[h];
    out[12] = digit_pairs[h + 1];
    out[13] = ':';
    out[14] = digit_pairs[m];
    out[15] = digit_pairs[m + 1];
    out[16] = ':';
    out[17] = digit_pairs[s];
    out[18] = digit_pairs[s + 1];
    return 19;
}

void fg__gen_out_u64(gen_out_t *w, uint64_t v)
{
    char tmp[24];
    out_mem(w, tmp, fg__gen_fmt_u64(tmp, v));
}

void fg__gen_out_i64(gen_out_t *w, int64_t v)
{
    char tmp[24];
    size_t n = 0;
    if (v < 0) {
        tmp[n++] = '-';
        n += fg__gen_fmt_u64(tmp + n, (uint64_t)0 - (uint64_t)v);
    } else {
        n = fg__gen_fmt_u64(tmp, (uint64_t)v);
    }
    out_mem(w, tmp, n);
}

void fg__gen_out_fen(gen_out_t *w, fg_fen_t v)
{
    char tmp[32];
    out_mem(w, tmp, fg__gen_fmt_fen(tmp, v));
}

void fg__gen_out_time(gen_out_t *w, fg_time_t t)
{
    char tmp[20];
    out_mem(w, tmp, fg__gen_fmt_time(w, tmp, t));
}

void fg__gen_out_date(gen_out_t *w, fg_date_t d)
{
    char tmp[12];
    out_mem(w, tmp, fg__gen_fmt_date(w, tmp, d));
}

void fg__gen_out_jstr(gen_out_t *w, const char *s)
{
    out_c(w, '"');
    const char *from = s;
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out_mem(w, from, (size_t)(s - from));
        if (c == '"' || c == '\\') {
            out_c(w, '\\');
            out_c(w, (char)c);
        } else {
            char esc[7] = {
                '\\', 'u', '0', '0', "0123456789abcdef"[c >> 4], "0123456789abcdef"[c & 15], 0};
            out_mem(w, esc, 6);
        }
        from = s + 1;
    }
    out_mem(w, from, (size_t)(s - from));
    out_c(w, '"');
}

void fg__gen_out_csv(gen_out_t *w, const char *s, size_t n)
{
    size_t i = 0;
    for (; i < n; i++)
        if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
            break;
    if (i == n) {
        out_mem(w, s, n);
        return;
    }
    out_c(w, '"');
    for (i = 0; i < n; i++) {
        if (s[i] == '"')
            out_c(w, '"');
        out_c(w, s[i]);
    }
    out_c(w, '"');
}

/* ---------------------------------------------------------------- rows */

static const char *const slot_names[SL__COUNT] = {
#define GEN_SLOT_NAME(n) #n,
    GEN_SLOTS(GEN_SLOT_NAME)
#undef GEN_SLOT_NAME
};

/* Free-text slots: quoted when they hold a comma, quote or line break. */
static int slot_is_text(int s)
{
    switch (s) {
    case SL_psn_name:
    case SL_fixmedins_name:
    case SL_hilist_name:
    case SL_name:
    case SL_staff_name:
    case SL_diag_name:
    case SL_oprn_oprt_name:
    case SL_dscg_maindiag_name:
    case SL_reason:
    case SL_record_no:
    case SL_memo:
    case SL_spec:
    case SL_otp_diag_info:
    case SL_adm_diag_dscr:
    case SL_chfpdr_name:
    case SL_oper_dr_name:
    case SL_adm_dept_name:
    case SL_dscg_dept_name:
    case SL_bilg_dept_name:
    case SL_source:
    case SL_manl_reim_rea:
    case SL_dosform_name:
    case SL_sin_dos_dscr:
        return 1;
    default:
        return 0;
    }
}

static int slot_by_name(const char *name)
{
    for (int s = 0; s < SL__COUNT; s++)
        if (strcmp(slot_names[s], name) == 0)
            return s;
    return -1;
}

int fg__gen_table_open(gen_table_t *t, const char *dir, fg_table_t table, const char *const *extra,
                       int gbk)
{
    char name[64];
    memset(t, 0, sizeof(*t));
    t->table = table;
    const char *const *cols = fg_table_columns(table);
    if (cols == NULL)
        return FG_EINTERNAL;
    for (size_t i = 0; cols[i] != NULL; i++) {
        if (i >= FG_ARRAY_LEN(t->slot))
            return FG_ELIMIT;
        int s = slot_by_name(cols[i]);
        /* The fee line serial is bkkp_sn in fee_list_d, feedetl_sn in the model. */
        if (s < 0 && strcmp(cols[i], "feedetl_sn") == 0)
            s = SL_bkkp_sn;
        if (s < 0 && strcmp(cols[i], "bilg_dr_codg") == 0)
            s = SL_bilg_dr_code;
        t->slot[i] = (int16_t)s;
        t->quote[i] = (uint8_t)(s >= 0 && slot_is_text(s));
        t->ncols = i + 1;
    }
    t->extra = extra;
    for (size_t i = 0; extra != NULL && extra[i] != NULL; i++) {
        if (i >= FG_ARRAY_LEN(t->extra_slot))
            return FG_ELIMIT;
        t->extra_slot[i] = (int16_t)slot_by_name(extra[i]);
        t->nextra = i + 1;
    }
    snprintf(name, sizeof(name), "%s.csv", fg_table_name(table));
    int rc = fg__gen_out_open(&t->out, dir, name, gbk);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < t->ncols; i++) {
        if (i > 0)
            out_c(&t->out, ',');
        out_s(&t->out, cols[i]);
    }
    for (size_t i = 0; i < t->nextra; i++) {
        out_c(&t->out, ',');
        out_s(&t->out, extra[i]);
    }
    out_c(&t->out, '\n');
    return 0;
}

void fg__gen_row_begin(gen_row_t *r)
{
    r->id++;
    if (r->id == 0) {
        memset(r->mark, 0, sizeof(r->mark));
        r->id = 1;
    }
    r->used = 0;
}

void fg__gen_row_mem(gen_row_t *r, int slot, const char *s, size_t n)
{
    r->v[slot] = s;
    r->n[slot] = (uint32_t)n;
    r->mark[slot] = r->id;
}

void fg__gen_row_str(gen_row_t *r, int slot, const char *s)
{
    fg__gen_row_mem(r, slot, s, strlen(s));
}

/* Room in the row's scratch (rows are small; an overflow is a bug, caught in tests). */
static char *scratch(gen_row_t *r, size_t n)
{
    if (r->used + n > sizeof(r->scratch))
        r->used = 0; /* cannot happen with the row sizes used; keeps memory safe if it did */
    char *p = r->scratch + r->used;
    r->used += n;
    return p;
}

void fg__gen_row_u64(gen_row_t *r, int slot, uint64_t v)
{
    char *p = scratch(r, 24);
    fg__gen_row_mem(r, slot, p, fg__gen_fmt_u64(p, v));
}

void fg__gen_row_fen(gen_row_t *r, int slot, fg_fen_t v)
{
    char *p = scratch(r, 32);
    fg__gen_row_mem(r, slot, p, fg__gen_fmt_fen(p, v));
}

void fg__gen_row_qty(gen_row_t *r, int slot, fg_qty_t v)
{
    char *p = scratch(r, 32);
    fg__gen_row_mem(r, slot, p, fg__gen_fmt_qty(p, v));
}

void fg__gen_row_time(gen_row_t *r, gen_out_t *cache, int slot, fg_time_t t)
{
    char *p = scratch(r, 20);
    fg__gen_row_mem(r, slot, p, fg__gen_fmt_time(cache, p, t));
}

void fg__gen_row_date(gen_row_t *r, gen_out_t *cache, int slot, fg_date_t d)
{
    char *p = scratch(r, 12);
    fg__gen_row_mem(r, slot, p, fg__gen_fmt_date(cache, p, d));
}

void fg__gen_row_emit(gen_table_t *t, const gen_row_t *r)
{
    gen_out_t *w = &t->out;
    for (size_t i = 0; i < t->ncols; i++) {
        if (i > 0)
            out_c(w, ',');
        int s = t->slot[i];
        if (s < 0 || r->mark[s] != r->id)
            continue;
        if (t->quote[i])
            fg__gen_out_csv(w, r->v[s], r->n[s]);
        else
            out_mem(w, r->v[s], r->n[s]);
    }
    for (size_t i = 0; i < t->nextra; i++) {
        out_c(w, ',');
        int s = t->extra_slot[i];
        if (s >= 0 && r->mark[s] == r->id)
            fg__gen_out_csv(w, r->v[s], r->n[s]);
    }
    out_c(w, '\n');
    w->rows++;
}
