/*
 * ledger.c — the embedded ledger: open and recover, apply with group commit, query, stats, verify.
 *
 * Files in the ledger directory:
 *   journal   the history: a 64-byte header, then checksummed records (journal.c), append-only
 *   snapshot  the index as of some lsn (snapshot.c); restart = load it + replay the journal after
 * it lock      flock(2)ed by the one writer
 *
 * Durability: records are built in a write buffer; a group commit writes the buffer and fsyncs it.
 * Policy always commits before apply returns, batch when the oldest pending record is batch_ms old
 * (checked on every apply and by fg_ledger_poll), off writes without fsync. durable_lsn is the
 * acknowledgement. A failed write or fsync truncates the file back to the acknowledged length and
 * poisons the handle: memory is then ahead of the disk, and only reopening (recovery) is sound.
 */
#include "core/compat.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fundguard/alloc.h"
#include "fundguard/codes.h"
#include "ledger/ledger_int.h"

#define READ_CHUNK (8u << 20)
#define MAP_SPAN   ((size_t)1 << 43) /* the journal's read mapping: 8 TiB, its largest size */
#define PF_SLOT    32                /* apply_batch: events ahead whose slot is prefetched */
#define PF_ENTRY   12                /* … and whose entry is */
#define PF_PRIOR   4                 /* … and whose prior sale's record is */
#define PF_RING    64                /* keys kept: a power of two above PF_SLOT */

typedef struct fg__lemb fg__lemb_t;

struct fg__lemb {
    fg_ledger_t base; /* first: the handle the interface hands out (handle.c) */
    char dir[2048];
    const fg_io_t *io;
    fg_ledger_options_t opt;
    int fd;
    int lockfd;
    fg__lindex_t ix;
    const uint8_t *map; /* the journal mapped for reading (POSIX I/O only), or NULL */

    uint8_t *buf; /* records being filled, for file offset `cstart` on */
    size_t blen;
    size_t bcap;
    uint64_t cstart;  /* file offset of buf[0] */
    uint64_t written; /* bytes in the file (flights reaped) */
    uint8_t *fbuf;    /* the buffer in flight (or the spare), for offset `written` on */
    size_t flen;
    uint64_t flsn;
    int busy; /* a flight is in the air */
    pthread_t th;
    int th_started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int job;        /* under mu: the flusher has work */
    int fdone;      /* under mu: the flight landed */
    int frc;        /* under mu: its result */
    int fwhat;      /* under mu: 1 when fsync failed, 0 write */
    int stop;       /* under mu: the flusher ends */
    unsigned ticks; /* events since the clock was last read */
    uint64_t acked; /* bytes acknowledged (fsynced, or written under policy off) */
    uint64_t lsn;   /* last lsn given */
    uint64_t durable_lsn;
    uint64_t pending_ns; /* monotonic time of the oldest unacknowledged record, 0 none */
    uint64_t window_ns;
    int failed;

    uint64_t snap_lsn;
    uint64_t snap_off;
    uint64_t outcomes[FG_LEDGER__OUTCOMES];
    uint64_t unknown_source;

    fg__lstate_t st;   /* scratch state of the code being applied */
    fg__lsale_t *pref; /* its standing sales before the event */
    size_t pref_cap;
    fg_ledger_prior_t *prior; /* resolved priors of the last call's results */
    size_t prior_len;
    size_t prior_cap;
};

static int emb_snapshot(fg_ledger_t *h, fg_error_t *err);
static int emb_close(fg_ledger_t *h, fg_error_t *err);

static void path_of(char *out, size_t cap, const char *dir, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

/* ---------------------------------------------------------------------------------------------
 * Writing: double-buffered group commit. The applying thread fills `buf`; a commit hands it to the
 * flusher thread (write + fsync) and goes on filling the other buffer, so fsync latency never
 * stalls apply. durable_lsn advances when the applying thread reaps a finished flight.
 * ------------------------------------------------------------------------------------------- */

static void *flusher(void *arg)
{
    fg__lemb_t *lg = arg;
    pthread_mutex_lock(&lg->mu);
    for (;;) {
        while (!lg->job && !lg->stop)
            pthread_cond_wait(&lg->cv, &lg->mu);
        if (lg->job) {
            uint8_t *buf = lg->fbuf;
            size_t len = lg->flen;
            uint64_t off = lg->written;
            int do_fsync = lg->opt.fsync != FG_LEDGER_FSYNC_OFF;
            pthread_mutex_unlock(&lg->mu);
            int rc = fg__io_write_all(lg->io, lg->fd, buf, len, off);
            int what = 0;
            if (rc == 0 && do_fsync) {
                rc = lg->io->fsync(lg->io->ctx, lg->fd);
                what = 1;
            }
            pthread_mutex_lock(&lg->mu);
            lg->frc = rc;
            lg->fwhat = what;
            lg->job = 0;
            lg->fdone = 1;
            pthread_cond_broadcast(&lg->cv);
            continue;
        }
        break;
    }
    pthread_mutex_unlock(&lg->mu);
    return NULL;
}

static int fail(fg__lemb_t *lg, int rc, const char *what, fg_error_t *err)
{
    /* Cut the file back to what was acknowledged; the handle stays poisoned. */
    lg->io->ftruncate(lg->io->ctx, lg->fd, (off_t)lg->acked);
    lg->written = lg->acked;
    lg->cstart = lg->acked;
    lg->blen = 0;
    lg->busy = 0;
    lg->failed = 1;
    return fg_error_set(err, rc, "journal", 0, "cannot %s the ledger journal: %s", what,
                        fg_strerror(rc));
}

/* Collect a finished flight (waiting for it when `wait`). */
static int reap(fg__lemb_t *lg, int wait, fg_error_t *err)
{
    if (!lg->busy)
        return 0;
    pthread_mutex_lock(&lg->mu);
    while (wait && !lg->fdone)
        pthread_cond_wait(&lg->cv, &lg->mu);
    int done = lg->fdone;
    int rc = lg->frc;
    int what = lg->fwhat;
    pthread_mutex_unlock(&lg->mu);
    if (!done)
        return 0;
    lg->busy = 0;
    lg->fdone = 0;
    if (rc != 0)
        return fail(lg, rc, what ? "fsync" : "write", err);
    lg->written += lg->flen;
    lg->acked = lg->written;
    lg->durable_lsn = lg->flsn;
    return 0;
}

/* Hand the current buffer to the flusher (none may be in flight). */
static void launch(fg__lemb_t *lg)
{
    uint8_t *t = lg->fbuf;
    lg->fbuf = lg->buf;
    lg->buf = t;
    lg->flen = lg->blen;
    lg->flsn = lg->lsn;
    lg->cstart += lg->blen;
    lg->blen = 0;
    lg->pending_ns = 0;
    lg->busy = 1;
    pthread_mutex_lock(&lg->mu);
    lg->fdone = 0;
    lg->job = 1;
    pthread_cond_signal(&lg->cv);
    pthread_mutex_unlock(&lg->mu);
}

/* Everything applied so far durable, before returning. */
static int commit(fg__lemb_t *lg, fg_error_t *err)
{
    if (lg->failed)
        return fg_error_set(err, FG_E_LEDGER_FAILED, "journal", 0, NULL);
    int rc = reap(lg, 1, err);
    if (rc != 0)
        return rc;
    if (lg->blen > 0) {
        launch(lg);
        rc = reap(lg, 1, err);
        if (rc != 0)
            return rc;
    }
    lg->pending_ns = 0;
    return 0;
}

/* Room for the longest record at the end of the buffer (records are encoded in place). */
static int reserve(fg__lemb_t *lg, fg_error_t *err)
{
    if (lg->blen + FG__JREC_MAX > lg->bcap) {
        /* Full: wait for the flight in the air, send this buffer. */
        int rc = reap(lg, 1, err);
        if (rc != 0)
            return rc;
        launch(lg);
    }
    return 0;
}

/* After an apply call: group commit per policy. */
static int after_apply(fg__lemb_t *lg, size_t n, fg_error_t *err)
{
    int rc = reap(lg, 0, err);
    if (rc != 0)
        return rc;
    if (lg->blen == 0)
        return 0;
    if (lg->opt.fsync == FG_LEDGER_FSYNC_ALWAYS)
        return commit(lg, err);
    /* Reading the clock costs more than the rest of an apply: once per 64 events is enough for a
     * window of milliseconds at millions of events a second (counted in events, so large batches
     * still commit on time). */
    lg->ticks += n < 64 ? (unsigned)n : 64;
    if (lg->pending_ns != 0 && lg->ticks < 64)
        return 0;
    lg->ticks = 0;
    uint64_t now = fg__now_ns();
    if (lg->pending_ns == 0) {
        lg->pending_ns = now;
        return 0;
    }
    if (now - lg->pending_ns >= lg->window_ns && !lg->busy)
        launch(lg);
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Reading records
 * ------------------------------------------------------------------------------------------- */

static int read_at(fg__lemb_t *lg, uint64_t off, fg__jrec_t *r, fg_error_t *err)
{
    uint8_t tmp[FG__JREC_MAX];
    const uint8_t *p;
    size_t avail;
    int rc;

    if (off >= lg->cstart) {
        if (off - lg->cstart >= lg->blen)
            return fg_error_set(err, FG_E_LEDGER_JOURNAL, "journal", off,
                                "no journal record at offset %llu", (unsigned long long)off);
        p = lg->buf + (off - lg->cstart);
        avail = lg->blen - (size_t)(off - lg->cstart);
    } else if (lg->busy && off >= lg->written) {
        p = lg->fbuf + (off - lg->written);
        avail = lg->flen - (size_t)(off - lg->written);
    } else if (lg->map != NULL && off < lg->written) {
        /* Written and reaped: in the file, and in the page cache the mapping shares. */
        p = lg->map + off;
        avail = lg->written - off < FG__JREC_MAX ? (size_t)(lg->written - off) : FG__JREC_MAX;
    } else {
        avail = lg->written - off < sizeof(tmp) ? (size_t)(lg->written - off) : sizeof(tmp);
        rc = fg__io_read_all(lg->io, lg->fd, tmp, avail, off);
        if (rc != 0)
            return fg_error_set(err, rc == FG_ENOTFOUND ? FG_E_LEDGER_JOURNAL : rc, "journal", off,
                                "cannot read the journal at offset %llu: %s",
                                (unsigned long long)off, fg_strerror(rc));
        p = tmp;
    }
    rc = fg__jrec_decode(p, avail, off, r);
    if (rc == 0)
        rc = fg__jrec_resolve(&lg->ix, r);
    if (rc != 0)
        return fg_error_set(err, FG_E_LEDGER_JOURNAL, "journal", off,
                            "the journal record at offset %llu is damaged",
                            (unsigned long long)off);
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Applying
 * ------------------------------------------------------------------------------------------- */

static int ensure_prior(fg__lemb_t *lg, size_t n)
{
    if (n > lg->pref_cap) {
        size_t cap = lg->pref_cap < 8 ? 8 : lg->pref_cap;
        while (cap < n)
            cap *= 2;
        fg__lsale_t *p = fg_realloc_array(lg->pref, cap, sizeof(*p));
        if (p == NULL)
            return FG_ENOMEM;
        lg->pref = p;
        lg->pref_cap = cap;
    }
    return 0;
}

static int resolve_priors(fg__lemb_t *lg, size_t n, fg_error_t *err)
{
    if (lg->prior_len + n > lg->prior_cap) {
        size_t cap = lg->prior_cap < 8 ? 8 : lg->prior_cap;
        while (cap < lg->prior_len + n)
            cap *= 2;
        fg_ledger_prior_t *p = fg_realloc_array(lg->prior, cap, sizeof(*p));
        if (p == NULL)
            return fg_error_set(err, FG_ENOMEM, NULL, 0, NULL);
        lg->prior = p;
        lg->prior_cap = cap;
    }
    for (size_t i = 0; i < n; i++) {
        fg__jrec_t r;
        int rc = read_at(lg, lg->pref[i].ref, &r, err);
        if (rc != 0)
            return rc;
        fg_ledger_prior_t *p = &lg->prior[lg->prior_len + i];
        memcpy(p->inst, r.h.event.inst, sizeof(p->inst));
        p->time = r.h.event.time;
        memcpy(p->setl_id, r.h.event.setl_id, sizeof(p->setl_id));
        memcpy(p->feedetl_sn, r.h.event.feedetl_sn, sizeof(p->feedetl_sn));
        memcpy(p->psn_no, r.h.event.psn_no, sizeof(p->psn_no));
        p->units = lg->pref[i].units;
    }
    lg->prior_len += n;
    return 0;
}

/* Apply one valid event. Live (rep NULL): journal it at the current end. Replay: it is the record
 * rep describes (its back-pointer and the ids it defines are checked against the index).
 * *nprior standing sales before it are in lg->pref. */
static int step(fg__lemb_t *lg, const fg_ledger_event_t *ev, const uint8_t *pkey, uint64_t h,
                const fg__jref_t *rep, fg_ledger_result_t *res, size_t *nprior, fg_error_t *err)
{
    uint8_t own[FG__KEY_LEN];
    const uint8_t *key = pkey;
    int live = rep == NULL;
    uint64_t off = live ? 0 : rep->off;
    uint64_t idx;
    uint64_t slot;
    uint32_t inst;
    uint32_t ninst = lg->ix.ninst;
    fg__jref_t ref;
    int changed;
    int rc;

    if (key == NULL) {
        fg__key_of(ev->code, own);
        key = own;
        h = fg__index_hash(key);
    }
    if (!fg__index_find_h(&lg->ix, key, h, &idx, &slot)) {
        rc = fg__index_add(&lg->ix, key, slot, &idx);
        if (rc != 0)
            return fg_error_set(err, rc, "index", 0, "cannot grow the ledger index: %s",
                                fg_strerror(rc));
    }
    rc = fg__index_inst(&lg->ix, ev->inst, &inst);
    if (rc != 0)
        return fg_error_set(err, rc, "index", 0, "cannot add an institution: %s", fg_strerror(rc));
    memset(&ref, 0, sizeof(ref));
    ref.inst = inst;
    ref.inst_new = lg->ix.ninst != ninst;
    if (live || rep->med_form == 2) {
        int added;
        rc = fg__index_med(&lg->ix, ev->med_list, &ref.med, &added);
        if (rc != 0)
            return fg_error_set(err, rc, "index", 0, "cannot add a med_list_codg: %s",
                                fg_strerror(rc));
        ref.med_form = added ? 2 : ref.med != 0 ? 1 : ev->med_list[0] != '\0' ? 3 : 0;
    }
    if (!live && (ref.inst_new != rep->inst_new || (rep->med_form == 2 && ref.med_form != 2)))
        return fg_error_set(err, FG_E_LEDGER_JOURNAL, "journal", off,
                            "the record at offset %llu defines an institution or med_list_codg "
                            "the journal already has",
                            (unsigned long long)off);
    fg__lentry_t *e = fg__index_entry(&lg->ix, idx);
    rc = fg__index_load(&lg->ix, e, &lg->st);
    if (rc == 0)
        rc = ensure_prior(lg, lg->st.nsales + 1);
    if (rc != 0)
        return fg_error_set(err, rc, NULL, 0, NULL);
    if (live) {
        rc = reserve(lg, err);
        if (rc != 0)
            return rc;
        off = lg->cstart + lg->blen;
    }
    rc = fg__ledger_step(&lg->st, ev, inst, lg->ix.inst[inst - 1].purchased, off, res, lg->pref,
                         nprior, &changed);
    if (rc != 0)
        return fg_error_set(err, rc, NULL, 0, NULL);
    uint64_t prev = fg__get40(e->last) * 8;
    if (live) {
        if (off / 8 >= ((uint64_t)1 << 40))
            return fg_error_set(err, FG_ELIMIT, "journal", 0, "the journal is full (8 TiB)");
        res->lsn = lg->lsn + 1;
        ref.lsn = res->lsn;
        ref.off = off;
        ref.prev = prev;
        lg->blen += fg__jrec_encode(lg->buf + lg->blen, ev, key, &ref, res);
        lg->lsn++;
    } else if (prev != rep->prev) {
        return fg_error_set(err, FG_E_LEDGER_JOURNAL, "journal", off,
                            "the record at offset %llu points back to %llu, the index to %llu",
                            (unsigned long long)off, (unsigned long long)rep->prev,
                            (unsigned long long)prev);
    }
    fg__put40(e->last, off / 8);
    if (changed) {
        rc = fg__index_store(&lg->ix, e, &lg->st);
        if (rc != 0) {
            lg->failed = 1;
            return fg_error_set(err, rc, NULL, 0, NULL);
        }
    }
    if (ev->type == FG_LEDGER_PURCHASE)
        lg->ix.inst[inst - 1].purchased = 1;
    lg->outcomes[res->outcome]++;
    if (res->findings & FG_LEDGER_FINDING_UNKNOWN_SOURCE)
        lg->unknown_source++;
    return 0;
}

static int apply_one(fg__lemb_t *lg, const fg_ledger_event_t *ev, const uint8_t *key, uint64_t h,
                     fg_ledger_result_t *res, fg_error_t *err)
{
    size_t nprior = 0;
    /* Field by field: the error's text buffers (most of the struct) only need to be empty. */
    res->outcome = FG_LEDGER_INVALID;
    res->kind = FG_LEDGER_KIND_NONE;
    res->findings = 0;
    res->lsn = 0;
    res->nprior = 0;
    res->prior = NULL;
    res->error.code = 0;
    res->error.line = 0;
    res->error.col = 0;
    res->error.pos = 0;
    res->error.where[0] = '\0';
    res->error.msg[0] = '\0';
    if (lg->failed)
        return fg_error_set(err, FG_E_LEDGER_FAILED, "journal", 0, NULL);
    if (lg->opt.read_only)
        return fg_error_set(err, FG_EUSAGE, NULL, 0, "the ledger is open read-only");
    int rc = step(lg, ev, key, h, NULL, res, &nprior, err);
    if (rc != 0) {
        lg->failed = 1;
        return rc;
    }
    res->nprior = nprior;
    if (nprior > 0) {
        size_t at = lg->prior_len;
        rc = resolve_priors(lg, nprior, err);
        if (rc != 0)
            return rc;
        res->prior = (const fg_ledger_prior_t *)(uintptr_t)at; /* patched by the caller */
    }
    return 0;
}

static int maybe_snapshot(fg__lemb_t *lg, fg_error_t *err)
{
    if (lg->opt.snapshot_bytes == UINT64_MAX)
        return 0;
    if (lg->cstart + lg->blen - lg->snap_off < lg->opt.snapshot_bytes)
        return 0;
    return emb_snapshot(&lg->base, err);
}

/* The last stage of apply_batch's pipeline: when the code has one standing sale inline, prefetch
 * its record (a duplicate reads it back as evidence) from the journal's mapping. */
static void prefetch_prior(const fg__lemb_t *lg, const uint8_t *key, uint64_t h)
{
    uint64_t idx;
    uint64_t slot;
    if (lg->map == NULL || !fg__index_find_h(&lg->ix, key, h, &idx, &slot))
        return;
    const fg__lentry_t *e = fg__index_entry(&lg->ix, idx);
    uint64_t off = fg__get40(e->s_off) * 8;
    if (e->mode == 1 && off < lg->written)
        __builtin_prefetch(lg->map + off);
}

static int emb_apply_batch(fg_ledger_t *h, const fg_ledger_event_t *ev, size_t n,
                           fg_ledger_result_t *res, fg_error_t *err)
{
    fg__lemb_t *lg = (fg__lemb_t *)h;
    /* A rolling pipeline, in arrival order: the key and hash of the event PF_SLOT ahead are
     * computed and its slot prefetched; the entry of the one PF_ENTRY ahead is prefetched (its slot
     * has arrived by then); the record of the standing sale of the one PF_PRIOR ahead is
     * prefetched; then this event is applied. The index is far larger than the caches,
     * and this hides most of the two cache misses a lookup costs. */
    uint8_t keys[PF_RING][FG__KEY_LEN];
    uint64_t hs[PF_RING];
    lg->prior_len = 0;
    for (size_t j = 0; j < n && j < PF_SLOT; j++) {
        fg__key_of(ev[j].code, keys[j]);
        hs[j] = fg__index_hash(keys[j]);
        fg__index_prefetch_slot(&lg->ix, hs[j]);
    }
    for (size_t j = 0; j < n && j < PF_ENTRY; j++)
        fg__index_prefetch_entry(&lg->ix, hs[j]);
    for (size_t i = 0; i < n; i++) {
        size_t j = i + PF_SLOT;
        if (j < n) {
            fg__key_of(ev[j].code, keys[j % PF_RING]);
            hs[j % PF_RING] = fg__index_hash(keys[j % PF_RING]);
            fg__index_prefetch_slot(&lg->ix, hs[j % PF_RING]);
        }
        if (i + PF_ENTRY < n)
            fg__index_prefetch_entry(&lg->ix, hs[(i + PF_ENTRY) % PF_RING]);
        if (i + PF_PRIOR < n)
            prefetch_prior(lg, keys[(i + PF_PRIOR) % PF_RING], hs[(i + PF_PRIOR) % PF_RING]);
        int rc = apply_one(lg, &ev[i], keys[i % PF_RING], hs[i % PF_RING], &res[i], err);
        if (rc != 0)
            return rc;
    }
    for (size_t i = 0; i < n; i++)
        if (res[i].nprior > 0)
            res[i].prior = lg->prior + (uintptr_t)res[i].prior;
    int rc = after_apply(lg, n, err);
    if (rc != 0)
        return rc;
    return maybe_snapshot(lg, err);
}

static int emb_apply(fg_ledger_t *h, const fg_ledger_event_t *ev, fg_ledger_result_t *res,
                     fg_error_t *err)
{
    return emb_apply_batch(h, ev, 1, res, err);
}

static int emb_sync(fg_ledger_t *h, fg_error_t *err)
{
    fg__lemb_t *lg = (fg__lemb_t *)h;
    if (lg->opt.read_only)
        return 0;
    return commit(lg, err);
}

static int emb_poll(fg_ledger_t *h, fg_error_t *err)
{
    fg__lemb_t *lg = (fg__lemb_t *)h;
    if (lg->opt.read_only || lg->durable_lsn == lg->lsn)
        return 0;
    int rc = reap(lg, 0, err);
    if (rc != 0)
        return rc;
    if (lg->blen > 0 && !lg->busy && lg->pending_ns != 0 &&
        fg__now_ns() - lg->pending_ns >= lg->window_ns)
        launch(lg);
    return 0;
}

static uint64_t emb_durable_lsn(const fg_ledger_t *h)
{
    const fg__lemb_t *lg = (const fg__lemb_t *)h;
    return lg->durable_lsn;
}

static long emb_commit_due_ms(const fg_ledger_t *h)
{
    const fg__lemb_t *lg = (const fg__lemb_t *)h;
    if (lg->durable_lsn == lg->lsn)
        return -1;
    if (lg->busy)
        return 1;
    if (lg->pending_ns == 0)
        return 0;
    uint64_t now = fg__now_ns();
    uint64_t due = lg->pending_ns + lg->window_ns;
    return now >= due ? 0 : (long)((due - now + 999999) / 1000000);
}

static int emb_snapshot(fg_ledger_t *h, fg_error_t *err)
{
    fg__lemb_t *lg = (fg__lemb_t *)h;
    fg__snapmeta_t meta;
    int rc = commit(lg, err);
    if (rc != 0)
        return rc;
    memset(&meta, 0, sizeof(meta));
    meta.lsn = lg->lsn;
    meta.journal_off = lg->written;
    memcpy(meta.outcomes, lg->outcomes, sizeof(meta.outcomes));
    meta.unknown_source = lg->unknown_source;
    rc = fg__snapshot_write(lg->io, lg->dir, &lg->ix, &meta, err);
    if (rc != 0)
        return rc;
    lg->snap_lsn = lg->lsn;
    lg->snap_off = lg->written;
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Recovery
 * ------------------------------------------------------------------------------------------- */

/* 1 when every byte of the file from `off` on is zero. */
static int zero_tail(const fg_io_t *io, int fd, uint64_t off, uint64_t end)
{
    uint8_t tmp[65536];
    while (off < end) {
        size_t n = end - off < sizeof(tmp) ? (size_t)(end - off) : sizeof(tmp);
        if (fg__io_read_all(io, fd, tmp, n, off) != 0)
            return 0;
        for (size_t i = 0; i < n; i++)
            if (tmp[i] != 0)
                return 0;
        off += n;
    }
    return 1;
}

typedef int (*scan_fn)(void *ctx, const fg__jrec_t *r, fg_error_t *err);

/* Read records from `off` to `end`, calling fn for each. Stops at a torn tail (*torn = its offset,
 * 0 when none) or returns FG_E_LEDGER_JOURNAL at damage (err->pos = its offset). *stop is where
 * the good records end. */
static int scan(const fg_io_t *io, int fd, uint64_t off, uint64_t end, uint64_t lsn, scan_fn fn,
                void *ctx, uint64_t *stop, uint64_t *torn, fg_error_t *err)
{
    uint8_t *buf = fg_malloc(READ_CHUNK);
    uint64_t base = off; /* file offset of buf[0] */
    size_t have = 0;
    size_t pos = 0;
    int rc = 0;

    *torn = 0;
    if (buf == NULL)
        return fg_error_set(err, FG_ENOMEM, NULL, 0, NULL);
    while (base + pos < end) {
        if (have - pos < FG__JREC_MAX && base + have < end) {
            memmove(buf, buf + pos, have - pos);
            base += pos;
            have -= pos;
            pos = 0;
            size_t want = READ_CHUNK - have;
            if (end - (base + have) < want)
                want = (size_t)(end - (base + have));
            rc = fg__io_read_all(io, fd, buf + have, want, base + have);
            if (rc != 0) {
                rc = fg_error_set(err, rc, "journal", base + have, "cannot read the journal: %s",
                                  fg_strerror(rc));
                goto out;
            }
            have += want;
        }
        fg__jrec_t r;
        uint64_t at = base + pos;
        int d = fg__jrec_decode(buf + pos, have - pos, at, &r);
        if (d == 1) {
            /* The file ends inside this record: a torn tail. */
            *torn = at;
            break;
        }
        if (d == 0 && r.lsn != lsn + 1)
            d = FG_E_LEDGER_JOURNAL;
        if (d != 0) {
            if (zero_tail(io, fd, at, end)) {
                *torn = at;
                break;
            }
            rc = fg_error_set(err, FG_E_LEDGER_JOURNAL, "journal", at,
                              "the journal record at offset %llu is damaged (checksum, length or "
                              "sequence); refusing to replay past it",
                              (unsigned long long)at);
            goto out;
        }
        if (fn != NULL) {
            rc = fn(ctx, &r, err);
            if (rc != 0)
                goto out;
        }
        lsn = r.lsn;
        pos += r.len;
    }
out:
    *stop = *torn != 0 ? *torn : base + pos;
    fg_free(buf);
    return rc;
}

static int replay_one(void *ctx, const fg__jrec_t *r, fg_error_t *err)
{
    fg__lemb_t *lg = ctx;
    fg_ledger_result_t res;
    fg__jrec_t rr = *r;
    size_t nprior;
    memset(&res, 0, sizeof(res));
    if (fg__jrec_resolve(&lg->ix, &rr) != 0)
        return fg_error_set(err, FG_E_LEDGER_JOURNAL, "journal", r->off,
                            "the record at offset %llu names an institution or med_list_codg the "
                            "journal has not defined",
                            (unsigned long long)r->off);
    int rc = step(lg, &rr.h.event, NULL, 0, &rr.ref, &res, &nprior, err);
    if (rc != 0)
        return rc;
    if (res.outcome != r->h.outcome || res.kind != r->h.kind || res.findings != r->h.findings)
        return fg_error_set(err, FG_E_LEDGER_JOURNAL, "journal", r->off,
                            "replaying the record at offset %llu gives %s, the journal says %s",
                            (unsigned long long)r->off, fg_ledger_outcome_name(res.outcome),
                            fg_ledger_outcome_name(r->h.outcome));
    lg->lsn = r->lsn;
    return 0;
}

static int open_journal(fg__lemb_t *lg, uint64_t *size, fg_error_t *err)
{
    char path[4096];
    uint8_t hdr[FG__JHDR_SIZE];
    int ro = lg->opt.read_only;

    path_of(path, sizeof(path), lg->dir, "journal");
    lg->fd = lg->io->open(lg->io->ctx, path, ro ? O_RDONLY : (O_RDWR | O_CREAT), 0644);
    if (lg->fd < 0)
        return fg_error_set(err, lg->fd, "journal", 0, "cannot open %s: %s", path,
                            fg_strerror(lg->fd));
    int64_t sz = fg__io_size(lg->io, lg->fd);
    if (sz < 0)
        return fg_error_set(err, (int)sz, "journal", 0, "cannot stat %s", path);
    if ((uint64_t)sz < FG__JHDR_SIZE) {
        /* New, or its creation was cut short: nothing was ever acknowledged in it. */
        if (ro) {
            *size = 0;
            return 0;
        }
        fg__jhdr_encode(hdr);
        int rc = lg->io->ftruncate(lg->io->ctx, lg->fd, 0);
        if (rc == 0)
            rc = fg__io_write_all(lg->io, lg->fd, hdr, sizeof(hdr), 0);
        if (rc == 0)
            rc = lg->io->fsync(lg->io->ctx, lg->fd);
        if (rc != 0)
            return fg_error_set(err, rc, "journal", 0, "cannot create %s: %s", path,
                                fg_strerror(rc));
        int dfd = lg->io->open(lg->io->ctx, lg->dir, O_RDONLY | O_DIRECTORY, 0);
        if (dfd >= 0) {
            lg->io->fsync(lg->io->ctx, dfd);
            lg->io->close(lg->io->ctx, dfd);
        }
        *size = FG__JHDR_SIZE;
        return 0;
    }
    int rc = fg__io_read_all(lg->io, lg->fd, hdr, sizeof(hdr), 0);
    if (rc == 0)
        rc = fg__jhdr_check(hdr);
    if (rc != 0)
        return fg_error_set(err, rc, "journal", 0, "%s has a damaged or unknown header", path);
    *size = (uint64_t)sz;
    return 0;
}

/* The options with their defaults filled in. */
static void set_options(fg__lemb_t *lg, const fg_ledger_options_t *opt)
{
    if (opt != NULL)
        lg->opt = *opt;
    lg->io = lg->opt.io != NULL ? lg->opt.io : fg_io_posix();
    lg->window_ns = (uint64_t)(lg->opt.batch_ms != 0 ? lg->opt.batch_ms : 10) * 1000000u;
    if (lg->opt.buffer_bytes == 0)
        lg->opt.buffer_bytes = 4u << 20;
    if (lg->opt.buffer_bytes < 2 * FG__JREC_MAX)
        lg->opt.buffer_bytes = 2 * FG__JREC_MAX;
    if (lg->opt.snapshot_bytes == 0)
        lg->opt.snapshot_bytes = 1ull << 30;
}

/* The writer's part of opening: the directory, its lock, the write buffers. */
static int open_writer(fg__lemb_t *lg, const char *dir, fg_error_t *err)
{
    char path[4096];
    if (mkdir(dir, 0755) < 0 && errno != EEXIST)
        return fg_error_set(err, -errno, "dir", 0, "cannot create %s: %s", dir, strerror(errno));
    path_of(path, sizeof(path), dir, "lock");
    lg->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lg->lockfd < 0)
        return fg_error_set(err, -errno, "dir", 0, "cannot open %s: %s", path, strerror(errno));
    if (flock(lg->lockfd, LOCK_EX | LOCK_NB) < 0)
        return fg_error_set(err, FG_E_LEDGER_LOCKED, "dir", 0,
                            "another process has the ledger in %s open for writing", dir);
    lg->bcap = lg->opt.buffer_bytes;
    lg->buf = fg_malloc(lg->bcap);
    lg->fbuf = fg_malloc(lg->bcap);
    if (lg->buf == NULL || lg->fbuf == NULL)
        return fg_error_set(err, FG_ENOMEM, NULL, 0, NULL);
    return 0;
}

/* Load the snapshot (or start an empty index) into lg->ix; what it covers into *meta. */
static int load_index(fg__lemb_t *lg, const char *dir, fg__snapmeta_t *meta, fg_error_t *err)
{
    memset(meta, 0, sizeof(*meta));
    int rc = fg__snapshot_load(lg->io, dir, &lg->ix, meta, err);
    if (rc < 0) {
        if (err != NULL && err->code == FG_E_LEDGER_SNAPSHOT) {
            char why[sizeof(err->msg)];
            memcpy(why, err->msg, sizeof(why)); /* not the buffer being written */
            fg_error_set(err, FG_E_LEDGER_SNAPSHOT, "snapshot", err->pos,
                         "%s; refusing it (remove %s/snapshot to rebuild from the journal)", why,
                         dir);
        }
        return rc;
    }
    if (rc == 1) {
        meta->journal_off = FG__JHDR_SIZE;
        rc = fg__index_init(&lg->ix, lg->opt.expect_codes);
    } else if (lg->opt.expect_codes > 0) {
        unsigned k = lg->ix.k;
        while (k < 31 && ((uint64_t)3 << (k - 2)) < lg->opt.expect_codes)
            k++;
        rc = k != lg->ix.k ? fg__index_rehash(&lg->ix, k) : 0;
    }
    return rc != 0 ? fg_error_set(err, rc, NULL, 0, NULL) : 0;
}

/* Replay the journal of `size` bytes after the snapshot; a torn tail is cut (unless read-only). */
static int replay(fg__lemb_t *lg, uint64_t size, const fg__snapmeta_t *meta,
                  fg_ledger_recovery_t *rec, fg_error_t *err)
{
    uint64_t stop;
    uint64_t torn;
    if (size == 0 && lg->opt.read_only && meta->lsn == 0) { /* nothing written yet */
        lg->written = lg->acked = lg->cstart = 0;
        return 0;
    }
    if (size < meta->journal_off)
        return fg_error_set(err, FG_E_LEDGER_JOURNAL, "journal", size,
                            "the journal ends at %llu, before the snapshot's %llu",
                            (unsigned long long)size, (unsigned long long)meta->journal_off);
    int rc =
        scan(lg->io, lg->fd, meta->journal_off, size, meta->lsn, replay_one, lg, &stop, &torn, err);
    if (rc != 0)
        return rc;
    rec->replayed = lg->lsn - meta->lsn;
    if (torn != 0) {
        rec->torn_offset = torn;
        rec->torn_bytes = size - torn;
        if (!lg->opt.read_only) {
            rc = lg->io->ftruncate(lg->io->ctx, lg->fd, (off_t)torn);
            if (rc == 0)
                rc = lg->io->fsync(lg->io->ctx, lg->fd);
            if (rc != 0)
                return fg_error_set(err, rc, "journal", torn, "cannot truncate the torn tail: %s",
                                    fg_strerror(rc));
        }
    }
    lg->written = lg->acked = lg->cstart = stop;
    return 0;
}

/* Start the flusher and map the journal for reading (writers only). */
static int start_writer(fg__lemb_t *lg, fg_error_t *err)
{
    if (pthread_create(&lg->th, NULL, flusher, lg) != 0)
        return fg_error_set(err, FG_EINTERNAL, NULL, 0, "cannot start the journal flusher");
    lg->th_started = 1;
    /* Priors of duplicates are read back from anywhere in the journal: through a mapping (one
     * page fault per 64 KiB at most) rather than a pread each. Only for POSIX I/O, so injected
     * faults still see every read; reads stay below `written`, inside the file. */
    if (lg->io == fg_io_posix() && sizeof(size_t) >= 8) {
        void *m = mmap(NULL, MAP_SPAN, PROT_READ, MAP_SHARED | MAP_NORESERVE, lg->fd, 0);
        lg->map = m != MAP_FAILED ? m : NULL;
    }
    return 0;
}

int fg__emb_open(const char *dir, const fg_ledger_options_t *opt, fg_ledger_t **out,
                 fg_ledger_recovery_t *rec, fg_error_t *err)
{
    fg_ledger_recovery_t local_rec;
    fg__snapmeta_t meta;
    uint64_t size = 0;
    uint64_t t0 = fg__now_ns();
    int rc;

    const uint16_t probe = 1;
    if (*(const uint8_t *)&probe != 1)
        return fg_error_set(err, FG_EINTERNAL, NULL, 0, "the ledger needs a little-endian host");
    if (rec == NULL)
        rec = &local_rec;
    memset(rec, 0, sizeof(*rec));
    *out = NULL;
    fg__lemb_t *lg = fg_calloc(1, sizeof(*lg));
    if (lg == NULL)
        return fg_error_set(err, FG_ENOMEM, NULL, 0, NULL);
    lg->base.ops = &fg__emb_ops;
    lg->fd = -1;
    lg->lockfd = -1;
    pthread_mutex_init(&lg->mu, NULL);
    pthread_cond_init(&lg->cv, NULL);
    set_options(lg, opt);
    if (strlen(dir) >= sizeof(lg->dir) - 16) {
        rc = fg_error_set(err, FG_EINVAL, "dir", 0, "the directory name is too long");
        goto out_fail;
    }
    memcpy(lg->dir, dir, strlen(dir) + 1);
    rc = lg->opt.read_only ? 0 : open_writer(lg, dir, err);
    rc = rc != 0 ? rc : open_journal(lg, &size, err);
    rc = rc != 0 ? rc : load_index(lg, dir, &meta, err);
    if (rc != 0)
        goto out_fail;
    memcpy(lg->outcomes, meta.outcomes, sizeof(lg->outcomes));
    lg->unknown_source = meta.unknown_source;
    lg->lsn = meta.lsn;
    lg->snap_lsn = meta.lsn;
    lg->snap_off = meta.journal_off;
    rec->snapshot_lsn = meta.lsn;
    rc = replay(lg, size, &meta, rec, err);
    if (rc != 0)
        goto out_fail;
    lg->durable_lsn = lg->lsn;
    rc = lg->opt.read_only ? 0 : start_writer(lg, err);
    if (rc != 0)
        goto out_fail;
    rec->seconds = (double)(fg__now_ns() - t0) / 1e9;
    *out = &lg->base;
    return 0;

out_fail:
    lg->opt.read_only = 1; /* close must not write */
    lg->failed = 1;
    emb_close(&lg->base, NULL);
    return rc != 0 ? rc : FG_EINTERNAL;
}

/* ---------------------------------------------------------------------------------------------
 * Query, stats, dump, verify, close
 * ------------------------------------------------------------------------------------------- */

static int emb_query(fg_ledger_t *h, const char *code, fg_ledger_code_state_t *st,
                     fg_ledger_history_fn fn, void *ctx, fg_error_t *err)
{
    fg__lemb_t *lg = (fg__lemb_t *)h;
    fg_trace_code_t tc;
    uint8_t key[FG__KEY_LEN];
    uint64_t idx;
    uint64_t slot;
    int rc = fg_trace_parse(code, strlen(code), &tc, err);
    if (rc != 0)
        return rc;
    memset(st, 0, sizeof(*st));
    fg__key_of(tc.key, key);
    if (!fg__index_find(&lg->ix, key, &idx, &slot))
        return 0;
    fg__lentry_t *e = fg__index_entry(&lg->ix, idx);
    rc = fg__index_load(&lg->ix, e, &lg->st);
    if (rc != 0)
        return fg_error_set(err, rc, NULL, 0, NULL);
    st->known = 1;
    st->pack_units = lg->st.pack;
    st->standing_sales = lg->st.nsales;
    for (uint32_t i = 0; i < lg->st.nsales; i++)
        st->units_sold += lg->st.sales[i].units;
    if (lg->st.stock != 0)
        memcpy(st->stock, lg->ix.inst[lg->st.stock - 1].code, 12);
    /* Walk back, then report oldest first. */
    uint64_t *offs = NULL;
    size_t n = 0;
    size_t cap = 0;
    for (uint64_t off = fg__get40(e->last) * 8; off != 0;) {
        fg__jrec_t r;
        if (n == cap) {
            cap = cap < 16 ? 16 : cap * 2;
            uint64_t *p = fg_realloc_array(offs, cap, sizeof(*p));
            if (p == NULL) {
                fg_free(offs);
                return fg_error_set(err, FG_ENOMEM, NULL, 0, NULL);
            }
            offs = p;
        }
        rc = read_at(lg, off, &r, err);
        if (rc == 0 && (r.prev >= off || strcmp(r.h.event.code, tc.key) != 0))
            rc = fg_error_set(err, FG_E_LEDGER_JOURNAL, "journal", off,
                              "the record at offset %llu does not belong to this code's history",
                              (unsigned long long)off);
        if (rc != 0) {
            fg_free(offs);
            return rc;
        }
        offs[n++] = off;
        off = r.prev;
    }
    st->events = n;
    for (size_t i = n; fn != NULL && i-- > 0;) {
        fg__jrec_t r;
        rc = read_at(lg, offs[i], &r, err);
        if (rc == 0)
            rc = fn(ctx, &r.h);
        if (rc != 0)
            break;
    }
    fg_free(offs);
    return rc;
}

static void emb_stats(const fg_ledger_t *h, fg_ledger_stats_t *st)
{
    const fg__lemb_t *lg = (const fg__lemb_t *)h;
    memset(st, 0, sizeof(*st));
    st->codes = lg->ix.count;
    st->institutions = lg->ix.ninst;
    st->events = lg->lsn;
    st->journal_bytes = lg->cstart + lg->blen;
    st->snapshot_lsn = lg->snap_lsn;
    st->index_bytes = fg__index_bytes(&lg->ix);
    st->spilled = lg->ix.spilled;
    memcpy(st->outcomes, lg->outcomes, sizeof(st->outcomes));
    st->unknown_source = lg->unknown_source;
}

static int emb_dump(fg_ledger_t *h, fg_ledger_history_fn fn, void *ctx, fg_error_t *err)
{
    fg__lemb_t *lg = (fg__lemb_t *)h;
    uint64_t end = lg->cstart + lg->blen;
    for (uint64_t off = FG__JHDR_SIZE; off < end;) {
        fg__jrec_t r;
        int rc = read_at(lg, off, &r, err);
        if (rc != 0)
            return rc;
        rc = fn(ctx, &r.h);
        if (rc != 0)
            return rc;
        off += r.len;
    }
    return 0;
}

struct vctx {
    uint8_t *bits; /* record starts, one bit per 8 bytes */
    uint64_t nbits;
    uint64_t records;
};

static int verify_one(void *ctx, const fg__jrec_t *r, fg_error_t *err)
{
    struct vctx *v = ctx;
    uint64_t b = r->off / 8;
    if (r->prev != 0) {
        uint64_t pb = r->prev / 8;
        if (r->prev >= r->off || (r->prev & 7) != 0 || pb >= v->nbits ||
            !(v->bits[pb >> 3] & (1u << (pb & 7))))
            return fg_error_set(err, FG_E_LEDGER_JOURNAL, "journal", r->off,
                                "the record at offset %llu points back to %llu, which is no record",
                                (unsigned long long)r->off, (unsigned long long)r->prev);
    }
    if (b < v->nbits)
        v->bits[b >> 3] |= (uint8_t)(1u << (b & 7));
    v->records++;
    return 0;
}

int fg__emb_verify(const char *dir, const fg_io_t *io, uint64_t *records, uint64_t *bad_offset,
                   uint64_t *torn, fg_error_t *err)
{
    char path[4096];
    uint8_t hdr[FG__JHDR_SIZE];
    struct vctx v = {NULL, 0, 0};
    fg__snapmeta_t meta;
    uint64_t stop = 0;
    fg_error_t local;
    int rc;

    if (err == NULL)
        err = &local;
    if (io == NULL)
        io = fg_io_posix();
    *records = 0;
    *bad_offset = 0;
    *torn = 0;
    path_of(path, sizeof(path), dir, "journal");
    int fd = io->open(io->ctx, path, O_RDONLY, 0);
    if (fd < 0)
        return fg_error_set(err, fd, "journal", 0, "cannot open %s: %s", path, fg_strerror(fd));
    int64_t size = fg__io_size(io, fd);
    if (size < (int64_t)FG__JHDR_SIZE) {
        io->close(io->ctx, fd);
        return fg_error_set(err, FG_E_LEDGER_JOURNAL, "journal", 0, "%s has no header", path);
    }
    rc = fg__io_read_all(io, fd, hdr, sizeof(hdr), 0);
    if (rc == 0)
        rc = fg__jhdr_check(hdr);
    if (rc != 0) {
        io->close(io->ctx, fd);
        return fg_error_set(err, rc, "journal", 0, "%s has a damaged header", path);
    }
    v.nbits = (uint64_t)size / 8 + 1;
    v.bits = fg_calloc((size_t)(v.nbits / 8 + 1), 1);
    if (v.bits == NULL) {
        io->close(io->ctx, fd);
        return fg_error_set(err, FG_ENOMEM, NULL, 0, NULL);
    }
    rc = scan(io, fd, FG__JHDR_SIZE, (uint64_t)size, 0, verify_one, &v, &stop, torn, err);
    *records = v.records;
    if (rc != 0) {
        *bad_offset = err->pos;
        goto out;
    }
    memset(&meta, 0, sizeof(meta));
    rc = fg__snapshot_check(io, dir, &meta, bad_offset, err);
    if (rc == 1) {
        rc = 0;
    } else if (rc == 0) {
        uint64_t b = meta.journal_off / 8;
        int boundary =
            meta.journal_off == stop || (b < v.nbits && (v.bits[b >> 3] & (1u << (b & 7))));
        if (meta.journal_off > stop || !boundary || meta.lsn > v.records) {
            *bad_offset = 0;
            rc = fg_error_set(err, FG_E_LEDGER_SNAPSHOT, "snapshot", 0,
                              "the snapshot covers the journal to offset %llu (lsn %llu), which "
                              "the journal does not hold",
                              (unsigned long long)meta.journal_off, (unsigned long long)meta.lsn);
        }
    }
out:
    fg_free(v.bits);
    io->close(io->ctx, fd);
    return rc;
}

static int emb_close(fg_ledger_t *h, fg_error_t *err)
{
    fg__lemb_t *lg = (fg__lemb_t *)h;
    int rc = 0;
    if (lg == NULL)
        return 0;
    if (!lg->opt.read_only && !lg->failed) {
        rc = commit(lg, err);
        if (rc == 0 && lg->lsn != lg->snap_lsn)
            rc = emb_snapshot(&lg->base, err);
    }
    if (lg->th_started) {
        if (lg->busy)
            reap(lg, 1, NULL);
        pthread_mutex_lock(&lg->mu);
        lg->stop = 1;
        pthread_cond_signal(&lg->cv);
        pthread_mutex_unlock(&lg->mu);
        pthread_join(lg->th, NULL);
    }
    pthread_mutex_destroy(&lg->mu);
    pthread_cond_destroy(&lg->cv);
    if (lg->map != NULL)
        munmap((void *)(uintptr_t)lg->map, MAP_SPAN);
    if (lg->fd >= 0)
        lg->io->close(lg->io->ctx, lg->fd);
    if (lg->lockfd >= 0)
        close(lg->lockfd);
    fg__index_release(&lg->ix);
    fg_free(lg->st.sales);
    fg_free(lg->pref);
    fg_free(lg->prior);
    fg_free(lg->buf);
    fg_free(lg->fbuf);
    fg_free(lg);
    return rc;
}

const fg__lops_t fg__emb_ops = {
    .name = "embedded",
    .batch = 256,
    .apply = emb_apply,
    .apply_batch = emb_apply_batch,
    .sync = emb_sync,
    .poll = emb_poll,
    .durable_lsn = emb_durable_lsn,
    .commit_due_ms = emb_commit_due_ms,
    .snapshot = emb_snapshot,
    .query = emb_query,
    .stats = emb_stats,
    .dump = emb_dump,
    .close = emb_close,
};
