/*
 * t_ledger.c — the embedded ledger: event parsing, the compact index against a plain model,
 * recovery (snapshot + replay), torn tails, damage detection, and I/O faults injected through
 * fg_io_t (ENOSPC, short writes, fsync failure).
 */
#include "core/compat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fundguard/alloc.h"
#include "fundguard/ledger.h"
#include "ledger/ledger_int.h"
#include "t.h"

static const char *dir_of(const char *name)
{
    static char buf[8][1024];
    static int slot;
    char *out = buf[slot++ & 7];
    snprintf(out, sizeof(buf[0]), "%s/%s", t_tmpdir(), name);
    return out;
}

static void mkev(fg_ledger_event_t *ev, fg_ledger_type_t type, unsigned code, unsigned inst,
                 uint32_t units, uint32_t pack, int trdn, unsigned n)
{
    memset(ev, 0, sizeof(*ev));
    ev->type = type;
    snprintf(ev->code, sizeof(ev->code), "8%019u", code);
    snprintf(ev->inst, sizeof(ev->inst), "H%011u", inst);
    ev->time = 1751328000 + (fg_time_t)n;
    ev->units = units;
    ev->pack_units = pack;
    ev->trdn = trdn;
    snprintf(ev->setl_id, sizeof(ev->setl_id), "S%u", n);
    snprintf(ev->feedetl_sn, sizeof(ev->feedetl_sn), "F%u", n);
    snprintf(ev->psn_no, sizeof(ev->psn_no), "P%u", n % 1000);
}

static fg_ledger_t *open_ok(const char *dir, const fg_ledger_options_t *o,
                            fg_ledger_recovery_t *rec)
{
    fg_ledger_t *lg;
    fg_error_t err;
    int rc = fg_ledger_open(dir, o, &lg, rec, &err);
    if (rc != 0)
        t_fail(__FILE__, __LINE__, "open %s: %s (%s)", dir, err.msg, fg_err_name(rc));
    return lg;
}

static void apply_ok(fg_ledger_t *lg, const fg_ledger_event_t *ev, fg_ledger_result_t *r)
{
    fg_error_t err;
    int rc = fg_ledger_apply(lg, ev, r, &err);
    if (rc != 0)
        t_fail(__FILE__, __LINE__, "apply: %s (%s)", err.msg, fg_err_name(rc));
}

/* ---- parsing ---- */

TEST(ledger_parse_json)
{
    fg_ledger_event_t ev;
    fg_error_t err;
    const char *line =
        " { \"type\" : \"sale\", \"drug_trac_codg\":\"81234567890123456789\","
        "\"fixmedins_code\":\"H11010100001\",\"time\":\"2025-07-01 08:30:00\","
        "\"units\":3,\"pack_units\":\"24\",\"trdn_flag\":\"1\",\"psn_no\":\"P\\u00e9\"} ";
    ASSERT_OK(fg_ledger_event_parse_json(line, strlen(line), &ev, &err));
    ASSERT_EQ(ev.type, FG_LEDGER_SALE);
    ASSERT_STR_EQ(ev.code, "81234567890123456789");
    ASSERT_EQ(ev.units, 3);
    ASSERT_EQ(ev.pack_units, 24);
    ASSERT_EQ(ev.trdn, 1);
    ASSERT_STR_EQ(ev.psn_no, "P\xc3\xa9");
    const char *bad[] = {
        "",
        "{",
        "{}",
        "{\"type\":\"sale\"",
        "{\"type\":sale}",
        "{\"type\":\"sale\"} x",
        "{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
        "{\"type\":\"s\\q\"}",
        "{\"type\":\"\x01\"}",
        "{\"a\":1.}",
        "{\"a\":-}",
        "{\"type\":\"sale\",}",
        "{\"a\":\"\\ud800\"}"};
    for (size_t i = 0; i < FG_ARRAY_LEN(bad); i++) {
        int rc = fg_ledger_event_parse_json(bad[i], strlen(bad[i]), &ev, &err);
        if (rc == 0)
            t_fail(__FILE__, __LINE__, "accepted %s", bad[i]);
    }
}

TEST(ledger_parse_json_refuses_bad_utf8)
{
    fg_ledger_event_t ev;
    fg_error_t err;
    const char *line = "{\"type\":\"sale\",\"drug_trac_codg\":\"81234567890123456789\","
                       "\"fixmedins_code\":\"H11010100001\",\"time\":\"2025-07-01 08:30:00\","
                       "\"med_list_codg\":\"X\xf1S\"}";
    ASSERT_ERR(fg_ledger_event_parse_json(line, strlen(line), &ev, &err), FG_E_UTF8);
    ASSERT_STR_EQ(err.where, "med_list_codg");
}

TEST(ledger_parse_json_garbage_never_crashes)
{
    /* A poor man's fuzz run: mutate a valid line at random; the scanner must never read past it. */
    const char *base =
        "{\"type\":\"sale\",\"drug_trac_codg\":\"81234567890123456789\","
        "\"fixmedins_code\":\"H11010100001\",\"time\":\"2025-07-01 08:30:00\","
        "\"units\":3,\"pack_units\":24,\"trdn_flag\":\"1\",\"x\":[{\"y\":\"\\u4e00\"}]}";
    size_t n = strlen(base);
    srand(7);
    for (int round = 0; round < 20000; round++) {
        char *buf = malloc(n);
        memcpy(buf, base, n);
        int edits = 1 + rand() % 4;
        for (int e = 0; e < edits; e++)
            buf[rand() % n] = (char)(rand() % 256);
        size_t len = (size_t)rand() % (n + 1);
        fg_ledger_event_t ev;
        fg_error_t err;
        (void)fg_ledger_event_parse_json(buf, len, &ev, &err);
        free(buf);
    }
}

TEST(ledger_parse_csv)
{
    fg_ledger_csv_t csv;
    fg_ledger_event_t ev;
    fg_error_t err;
    const char *hdr =
        "\xEF\xBB\xBFtime,type,drug_trac_codg,fixmedins_code,units,pack_units,trdn_flag,"
        "setl_id,other\r\n";
    ASSERT_OK(fg_ledger_csv_header(&csv, hdr, strlen(hdr), &err));
    const char *row =
        "2025-07-01 08:30:00,sale,81234567890123456789,H11010100001,3,24,1,\"S,\"\"1\"\"\",z\n";
    ASSERT_OK(fg_ledger_event_parse_csv(&csv, row, strlen(row), &ev, &err));
    ASSERT_STR_EQ(ev.setl_id, "S,\"1\"");
    ASSERT_EQ(ev.units, 3);
    const char *row2 = "2025-07-01 08:30:00,purchase,81234567890123456789,H11010100001,,,,,z";
    ASSERT_OK(fg_ledger_event_parse_csv(&csv, row2, strlen(row2), &ev, &err));
    ASSERT_EQ(ev.units, 0);
    ASSERT_EQ(ev.type, FG_LEDGER_PURCHASE);
    const char *short_row = "2025-07-01 08:30:00,sale";
    ASSERT_ERR(fg_ledger_event_parse_csv(&csv, short_row, strlen(short_row), &ev, &err),
               FG_E_CSV_FIELDS);
    const char *nohdr = "type,time,fixmedins_code";
    ASSERT_ERR(fg_ledger_csv_header(&csv, nohdr, strlen(nohdr), &err), FG_E_CSV_COLUMN);
    ASSERT_STR_EQ(err.where, "drug_trac_codg");
}

/* ---- the index against a plain model ---- */

struct model {
    fg__lstate_t *st; /* per code index */
    uint8_t *purchased;
    fg_ledger_event_t *log; /* ref = event number */
};

static void model_step(struct model *m, unsigned code, const fg_ledger_event_t *ev, unsigned n,
                       fg_ledger_result_t *r, fg__lsale_t *prior, size_t *nprior)
{
    int changed;
    unsigned inst = (unsigned)strtoul(ev->inst + 1, NULL, 10) + 1;
    memset(r, 0, sizeof(*r));
    fg__lstate_t *st = &m->st[code];
    if (st->nsales + 1 > st->cap) {
        st->cap = st->cap ? st->cap * 2 : 4;
        st->sales = realloc(st->sales, st->cap * sizeof(*st->sales));
    }
    ASSERT_OK(fg__ledger_step(st, ev, inst, m->purchased[inst], n, r, prior, nprior, &changed));
    if (ev->type == FG_LEDGER_PURCHASE)
        m->purchased[inst] = 1;
}

static void random_event(fg_ledger_event_t *ev, unsigned *code, unsigned ncodes, unsigned n)
{
    static const fg_ledger_type_t types[] = {FG_LEDGER_SALE,     FG_LEDGER_SALE,
                                             FG_LEDGER_SALE,     FG_LEDGER_SALE_RETURN,
                                             FG_LEDGER_PURCHASE, FG_LEDGER_PURCHASE_RETURN};
    fg_ledger_type_t t = types[rand() % 6];
    unsigned inst = (unsigned)(rand() % 7);
    int trdn = rand() % 3 == 0;
    uint32_t pack =
        rand() % 5 == 0 ? 0 : (uint32_t)(rand() % 4 == 0 ? 100000 + rand() % 3 : 1 + rand() % 30);
    uint32_t units = trdn ? 1 + (uint32_t)rand() % (pack ? pack : 30) : 0;
    if (trdn && t == FG_LEDGER_SALE && pack == 0)
        pack = 30;
    *code = (unsigned)rand() % ncodes;
    mkev(ev, t, *code, inst, units, pack, trdn, n);
}

TEST(ledger_index_matches_model)
{
    const unsigned ncodes = 3000;
    const unsigned nevents = 60000;
    struct model m;
    fg_ledger_options_t o;
    fg__lsale_t *prior = calloc(nevents + 1, sizeof(*prior));
    const char *dir = dir_of("model");

    memset(&o, 0, sizeof(o));
    o.fsync = FG_LEDGER_FSYNC_OFF;
    o.buffer_bytes = 4096; /* many writes: priors are read from file and buffer */
    m.st = calloc(ncodes, sizeof(*m.st));
    m.purchased = calloc(64, 1);
    m.log = calloc(nevents, sizeof(*m.log));
    srand(42);
    fg_ledger_t *lg = open_ok(dir, &o, NULL);
    for (unsigned n = 0; n < nevents; n++) {
        fg_ledger_event_t ev;
        fg_ledger_result_t want;
        fg_ledger_result_t got;
        fg_error_t err;
        unsigned code;
        size_t nprior;
        random_event(&ev, &code, ncodes, n);
        if (fg_ledger_event_check(&ev, &err) != 0)
            continue; /* e.g. a split sale larger than its pack */
        m.log[n] = ev;
        model_step(&m, code, &ev, n, &want, prior, &nprior);
        apply_ok(lg, &ev, &got);
        ASSERT_EQ(got.outcome, want.outcome);
        ASSERT_EQ(got.kind, want.kind);
        ASSERT_EQ(got.findings, want.findings);
        ASSERT_EQ(got.nprior, nprior);
        for (size_t i = 0; i < nprior; i++) {
            const fg_ledger_event_t *pe = &m.log[prior[i].ref];
            ASSERT_EQ(got.prior[i].units, prior[i].units);
            ASSERT_STR_EQ(got.prior[i].inst, pe->inst);
            ASSERT_STR_EQ(got.prior[i].setl_id, pe->setl_id);
            ASSERT_EQ(got.prior[i].time, pe->time);
        }
        if (n == nevents / 3 || n == 2 * nevents / 3) {
            /* Restart: the first time through a snapshot, the second by replay only. */
            if (n == nevents / 3) {
                ASSERT_OK(fg_ledger_close(lg, NULL));
            } else {
                ASSERT_OK(fg_ledger_sync(lg, NULL));
                char cmd[2200];
                snprintf(cmd, sizeof(cmd), "cp %s/journal %s.journal", dir, dir);
                ASSERT_EQ(system(cmd), 0);
                fg_ledger_close(lg, NULL);
                snprintf(cmd, sizeof(cmd), "cp %s.journal %s/journal && rm -f %s/snapshot", dir,
                         dir, dir);
                ASSERT_EQ(system(cmd), 0);
            }
            fg_ledger_recovery_t rec;
            lg = open_ok(dir, &o, &rec);
            if (n == nevents / 3)
                ASSERT_EQ(rec.replayed, 0);
            else
                ASSERT_GT(rec.replayed, 0);
        }
    }
    fg_ledger_stats_t st;
    fg_ledger_stats(lg, &st);
    ASSERT_GT(st.spilled, 0);
    ASSERT_LE(st.codes, ncodes);
    ASSERT_OK(fg_ledger_close(lg, NULL));
    for (unsigned c = 0; c < ncodes; c++)
        free(m.st[c].sales);
    free(m.st);
    free(m.purchased);
    free(m.log);
    free(prior);
}

TEST(ledger_index_grows_and_gs1)
{
    fg__lindex_t ix;
    uint8_t k1[FG__KEY_LEN];
    uint8_t k2[FG__KEY_LEN];
    ASSERT_OK(fg__index_init(&ix, 0));
    for (unsigned i = 0; i < 200000; i++) {
        char code[32];
        uint8_t key[FG__KEY_LEN];
        uint64_t idx;
        uint64_t slot;
        snprintf(code, sizeof(code), "8%019u", i * 7919u);
        fg__key_of(code, key);
        ASSERT_EQ(fg__index_find(&ix, key, &idx, &slot), 0);
        ASSERT_OK(fg__index_add(&ix, key, slot, &idx));
        ASSERT_EQ(idx, i);
    }
    for (unsigned i = 0; i < 200000; i += 997) {
        char code[32];
        uint8_t key[FG__KEY_LEN];
        uint64_t idx;
        uint64_t slot;
        snprintf(code, sizeof(code), "8%019u", i * 7919u);
        fg__key_of(code, key);
        ASSERT_EQ(fg__index_find(&ix, key, &idx, &slot), 1);
        ASSERT_EQ(idx, i);
    }
    /* Chunk and slot-table slack at this small size; bench/ledger measures <= 48 B at 50M. */
    ASSERT_LE(fg__index_bytes(&ix) / 200000, 56);
    fg__key_of("(01)06901234567892(21)SN0001", k1);
    fg__key_of("(01)06901234567892(21)SN0002", k2);
    ASSERT(memcmp(k1, k2, FG__KEY_LEN) != 0);
    ASSERT(k1[10] & 0x80);
    fg__key_of("99999999999999999999", k2);
    ASSERT(!(k2[10] & 0x80));
    fg__index_release(&ix);
}

/* ---- recovery, torn tails, damage ---- */

static void fill(const char *dir, unsigned n, uint64_t *journal_size)
{
    fg_ledger_options_t o;
    memset(&o, 0, sizeof(o));
    o.fsync = FG_LEDGER_FSYNC_OFF;
    o.snapshot_bytes = UINT64_MAX;
    fg_ledger_t *lg = open_ok(dir, &o, NULL);
    for (unsigned i = 0; i < n; i++) {
        fg_ledger_event_t ev;
        fg_ledger_result_t r;
        mkev(&ev, FG_LEDGER_SALE, i % 50, i % 3, 0, 10, 0, i);
        apply_ok(lg, &ev, &r);
    }
    fg_ledger_stats_t st;
    ASSERT_OK(fg_ledger_sync(lg, NULL));
    fg_ledger_stats(lg, &st);
    *journal_size = st.journal_bytes;
    ASSERT_OK(fg_ledger_close(lg, NULL));
}

static void journal_path(char *out, size_t cap, const char *dir, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

static void flip_byte(const char *path, off_t off)
{
    int fd = open(path, O_RDWR);
    unsigned char c;
    ASSERT(fd >= 0);
    ASSERT_EQ(pread(fd, &c, 1, off), 1);
    c ^= 0x10;
    ASSERT_EQ(pwrite(fd, &c, 1, off), 1);
    close(fd);
}

TEST(ledger_torn_tail_truncated_and_reported)
{
    const char *dir = dir_of("torn");
    uint64_t size;
    char path[1200];
    fill(dir, 100, &size);
    journal_path(path, sizeof(path), dir, "journal");
    unlink(dir_of("torn/snapshot"));
    ASSERT_EQ(truncate(path, (off_t)size - 13), 0);
    uint64_t records, bad, torn;
    fg_error_t err;
    ASSERT_OK(fg_ledger_verify(dir, NULL, &records, &bad, &torn, &err));
    ASSERT_EQ(records, 99);
    ASSERT_GT(torn, 0);
    fg_ledger_recovery_t rec;
    fg_ledger_options_t ro = {.read_only = 1};
    fg_ledger_t *lg = open_ok(dir, &ro, &rec);
    ASSERT_GT(rec.torn_bytes, 0);
    fg_ledger_close(lg, NULL);
    struct stat st;
    ASSERT_EQ(stat(path, &st), 0);
    ASSERT_EQ(st.st_size, (off_t)size - 13); /* read-only: untouched */
    lg = open_ok(dir, NULL, &rec);
    ASSERT_EQ(rec.torn_offset, torn);
    ASSERT_EQ(rec.replayed, 99);
    fg_ledger_stats_t s;
    fg_ledger_stats(lg, &s);
    ASSERT_EQ(s.events, 99);
    ASSERT_OK(fg_ledger_close(lg, NULL));
    ASSERT_EQ(stat(path, &st), 0);
    ASSERT_EQ((uint64_t)st.st_size, torn);
    /* Zeros after the last record (a file system that extended the file) are a torn tail too. */
    int fd = open(path, O_WRONLY | O_APPEND);
    char zeros[300] = {0};
    ASSERT_EQ(write(fd, zeros, sizeof(zeros)), (ssize_t)sizeof(zeros));
    close(fd);
    unlink(dir_of("torn/snapshot"));
    lg = open_ok(dir, NULL, &rec);
    ASSERT_EQ(rec.torn_bytes, 300);
    ASSERT_OK(fg_ledger_close(lg, NULL));
}

TEST(ledger_flipped_byte_in_journal_is_refused)
{
    const char *dir = dir_of("flip");
    uint64_t size;
    char path[1200];
    fill(dir, 100, &size);
    journal_path(path, sizeof(path), dir, "journal");
    unlink(dir_of("flip/snapshot"));
    /* Every byte position of the last two records, one at a time: always refused, never replayed,
     * never mistaken for a torn tail. */
    for (off_t off = (off_t)size - 300; off < (off_t)size; off += 7) {
        flip_byte(path, off);
        fg_ledger_t *lg;
        fg_error_t err;
        uint64_t records, bad, torn;
        int rc = fg_ledger_open(dir, NULL, &lg, NULL, &err);
        ASSERT_ERR(rc, FG_E_LEDGER_JOURNAL);
        ASSERT_GT(err.pos, 0);
        ASSERT_LE(err.pos, (size_t)off);
        ASSERT_ERR(fg_ledger_verify(dir, NULL, &records, &bad, &torn, &err), FG_E_LEDGER_JOURNAL);
        ASSERT_EQ(bad, err.pos);
        flip_byte(path, off); /* restore */
    }
    /* A flip in the middle: the same. */
    flip_byte(path, (off_t)size / 2);
    fg_ledger_t *lg;
    fg_error_t err;
    ASSERT_ERR(fg_ledger_open(dir, NULL, &lg, NULL, &err), FG_E_LEDGER_JOURNAL);
    flip_byte(path, (off_t)size / 2);
    lg = open_ok(dir, NULL, NULL);
    ASSERT_OK(fg_ledger_close(lg, NULL));
}

TEST(ledger_flipped_byte_in_snapshot_is_refused)
{
    const char *dir = dir_of("snapflip");
    uint64_t size;
    char path[1200];
    struct stat st;
    fill(dir, 100, &size);
    journal_path(path, sizeof(path), dir, "snapshot");
    ASSERT_EQ(stat(path, &st), 0);
    for (off_t off = 3; off < st.st_size; off += st.st_size / 17 + 1) {
        flip_byte(path, off);
        fg_ledger_t *lg;
        fg_error_t err;
        uint64_t records, bad, torn;
        ASSERT_ERR(fg_ledger_open(dir, NULL, &lg, NULL, &err), FG_E_LEDGER_SNAPSHOT);
        /* The refusal says why: the reader's reason, then what to do. */
        if (strncmp(err.msg, "; ", 2) == 0 || strstr(err.msg, "; refusing it") == NULL)
            t_fail(__FILE__, __LINE__, "open's message lost its reason: '%s'", err.msg);
        ASSERT_ERR(fg_ledger_verify(dir, NULL, &records, &bad, &torn, &err), FG_E_LEDGER_SNAPSHOT);
        flip_byte(path, off);
    }
    fg_ledger_recovery_t rec;
    fg_ledger_t *lg = open_ok(dir, NULL, &rec);
    ASSERT_EQ(rec.snapshot_lsn, 100);
    ASSERT_EQ(rec.replayed, 0);
    ASSERT_OK(fg_ledger_close(lg, NULL));
}

TEST(ledger_second_writer_is_locked_out)
{
    const char *dir = dir_of("lock");
    fg_ledger_t *lg = open_ok(dir, NULL, NULL);
    fg_ledger_t *lg2;
    fg_error_t err;
    ASSERT_ERR(fg_ledger_open(dir, NULL, &lg2, NULL, &err), FG_E_LEDGER_LOCKED);
    fg_ledger_options_t ro = {.read_only = 1};
    lg2 = open_ok(dir, &ro, NULL);
    fg_ledger_close(lg2, NULL);
    ASSERT_OK(fg_ledger_close(lg, NULL));
}

/* ---- I/O faults ---- */

struct faulty {
    long writes_left; /* pwrite calls before the fault; < 0 never */
    int mode;         /* 0 ENOSPC, 1 short write then ENOSPC, 2 fsync fails */
    int fsyncs_fail;
};

static ssize_t f_pwrite(void *ctx, int fd, const void *buf, size_t n, off_t off)
{
    struct faulty *f = ctx;
    if (f->writes_left == 0) {
        if (f->mode == 1 && n > 1) {
            f->mode = 0;
            return fg_io_posix()->pwrite(NULL, fd, buf, n / 2, off);
        }
        if (f->mode != 2)
            return -ENOSPC;
    }
    if (f->writes_left > 0)
        f->writes_left--;
    return fg_io_posix()->pwrite(NULL, fd, buf, n, off);
}

static int f_fsync(void *ctx, int fd)
{
    struct faulty *f = ctx;
    if (f->mode == 2 && f->writes_left == 0)
        return -EIO;
    return fg_io_posix()->fsync(NULL, fd);
}

static void fault_run(const char *name, int mode)
{
    const char *dir = dir_of(name);
    struct faulty f = {-1, mode, 0};
    fg_io_t io = *fg_io_posix();
    io.pwrite = f_pwrite;
    io.fsync = f_fsync;
    io.ctx = &f;
    fg_ledger_options_t o;
    memset(&o, 0, sizeof(o));
    o.io = &io;
    o.buffer_bytes = 2048;
    o.fsync = FG_LEDGER_FSYNC_BATCH;
    o.batch_ms = 100000;
    fg_ledger_t *lg = open_ok(dir, &o, NULL);
    uint64_t acked = 0;
    int failed_at = -1;
    for (unsigned i = 0; i < 400; i++) {
        fg_ledger_event_t ev;
        fg_ledger_result_t r;
        fg_error_t err;
        if (i == 200)
            f.writes_left = 3;
        mkev(&ev, FG_LEDGER_SALE, i % 150, i % 2, 0, 1, 0, i);
        int rc = fg_ledger_apply(lg, &ev, &r, &err);
        if (rc == 0 && i % 25 == 24)
            rc = fg_ledger_sync(lg, &err);
        if (rc != 0) {
            ASSERT(rc == -ENOSPC || rc == -EIO);
            failed_at = (int)i;
            break;
        }
        acked = fg_ledger_durable_lsn(lg);
    }
    ASSERT_GT(failed_at, 199);
    /* durable_lsn stays true after a failure: a flight that landed before it still counts. */
    ASSERT_GE(fg_ledger_durable_lsn(lg), acked);
    acked = fg_ledger_durable_lsn(lg);
    /* The handle is poisoned; everything after is refused. */
    {
        fg_ledger_event_t ev;
        fg_ledger_result_t r;
        fg_error_t err;
        mkev(&ev, FG_LEDGER_SALE, 1, 1, 0, 1, 0, 9999);
        ASSERT_ERR(fg_ledger_apply(lg, &ev, &r, &err), FG_E_LEDGER_FAILED);
    }
    fg_ledger_close(lg, NULL);
    /* Reopen with sound I/O: exactly the acknowledged events, then it goes on. */
    fg_ledger_recovery_t rec;
    lg = open_ok(dir, NULL, &rec);
    fg_ledger_stats_t st;
    fg_ledger_stats(lg, &st);
    ASSERT_EQ(st.events, acked);
    ASSERT_EQ(rec.torn_bytes, 0);
    fg_ledger_event_t ev;
    fg_ledger_result_t r;
    mkev(&ev, FG_LEDGER_SALE, 149, 0, 0, 1, 0, 5000);
    apply_ok(lg, &ev, &r);
    ASSERT_EQ(r.lsn, acked + 1);
    ASSERT_OK(fg_ledger_close(lg, NULL));
    uint64_t records, bad, torn;
    ASSERT_OK(fg_ledger_verify(dir, NULL, &records, &bad, &torn, NULL));
    ASSERT_EQ(records, acked + 1);
}

TEST(ledger_enospc_surfaces_and_state_stays_sound)
{
    fault_run("enospc", 0);
}

TEST(ledger_short_write_surfaces_and_state_stays_sound)
{
    fault_run("short", 1);
}

TEST(ledger_fsync_failure_surfaces_and_state_stays_sound)
{
    fault_run("fsync", 2);
}

/* ---- query ---- */

struct hist {
    int n;
    uint64_t last_lsn;
};

static int on_hist(void *ctx, const fg_ledger_history_t *h)
{
    struct hist *x = ctx;
    ASSERT_GT(h->lsn, x->last_lsn);
    x->last_lsn = h->lsn;
    x->n++;
    return 0;
}

TEST(ledger_query_history_oldest_first)
{
    const char *dir = dir_of("query");
    fg_ledger_t *lg = open_ok(dir, NULL, NULL);
    for (unsigned i = 0; i < 30; i++) {
        fg_ledger_event_t ev;
        fg_ledger_result_t r;
        mkev(&ev, i % 2 ? FG_LEDGER_SALE : FG_LEDGER_PURCHASE, i % 3, i % 2, 0, 5, 0, i);
        apply_ok(lg, &ev, &r);
    }
    fg_ledger_code_state_t st;
    struct hist h = {0, 0};
    fg_error_t err;
    ASSERT_OK(fg_ledger_query(lg, "80000000000000000001", &st, on_hist, &h, &err));
    ASSERT_EQ(h.n, 10);
    ASSERT_EQ(st.events, 10);
    ASSERT_EQ(st.known, 1);
    ASSERT_GE(st.standing_sales, 2);
    ASSERT_OK(fg_ledger_query(lg, "80000000000000000099", &st, NULL, NULL, &err));
    ASSERT_EQ(st.known, 0);
    ASSERT_ERR(fg_ledger_query(lg, "8000", &st, NULL, NULL, &err), FG_E_TRACE_LENGTH);
    ASSERT_OK(fg_ledger_close(lg, NULL));
}
