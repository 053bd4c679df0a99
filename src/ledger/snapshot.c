/*
 * snapshot.c — the index written to DIR/snapshot so that restart replays only the journal after it.
 *
 * The file is a byte stream cut into blocks of 1 MiB; each block on disk is its bytes followed by
 * an 8-byte XXH3 of them seeded with the block number, so any flipped byte is found, with the
 * offset of its block, and the snapshot is refused (the journal is the full history: remove the
 * snapshot to rebuild from it). The stream: a header (magic, version, lsn and journal offset
 * covered, counts, per-outcome totals), the institutions, the interned med_list_codg, the entries,
 * the slot table and the side table. It is written to snapshot.tmp, fsynced, renamed over snapshot,
 * and the directory fsynced.
 */
#include "core/compat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "fundguard/alloc.h"
#include "fundguard/hash.h"
#include "ledger/ledger_int.h"

#define BLOCK   (1u << 20)
#define MAGIC   "FGLEDGS1"
#define VERSION 2u

struct bstream {
    const fg_io_t *io;
    int fd;
    uint8_t *buf; /* BLOCK + 8 */
    size_t used;  /* bytes in the current block (writer) / read position (reader) */
    size_t avail; /* reader: bytes in the current block */
    uint64_t block;
    uint64_t off; /* file offset of the current block */
    int eof;
    fg_error_t *err;
    uint64_t size; /* reader: the file's size, which bounds what its header may claim */
};

static int wflush(struct bstream *b)
{
    if (b->used == 0)
        return 0;
    uint64_t h = fg_hash64_seed(b->buf, b->used, b->block);
    memcpy(b->buf + b->used, &h, 8);
    int rc = fg__io_write_all(b->io, b->fd, b->buf, b->used + 8, b->off);
    if (rc != 0)
        return fg_error_set(b->err, rc, "snapshot", 0, "cannot write the snapshot: %s",
                            fg_strerror(rc));
    b->off += b->used + 8;
    b->block++;
    b->used = 0;
    return 0;
}

static int wput(struct bstream *b, const void *data, size_t n)
{
    const uint8_t *p = data;
    while (n > 0) {
        size_t take = BLOCK - b->used < n ? BLOCK - b->used : n;
        memcpy(b->buf + b->used, p, take);
        b->used += take;
        p += take;
        n -= take;
        if (b->used == BLOCK) {
            int rc = wflush(b);
            if (rc != 0)
                return rc;
        }
    }
    return 0;
}

static int rfill(struct bstream *b)
{
    /* A block is BLOCK + 8 bytes except the last one. */
    ssize_t got = 0;
    while ((size_t)got < BLOCK + 8) {
        ssize_t r = b->io->pread(b->io->ctx, b->fd, b->buf + got, BLOCK + 8 - (size_t)got,
                                 (off_t)(b->off + (uint64_t)got));
        if (r == -EINTR)
            continue;
        if (r < 0)
            return fg_error_set(b->err, (int)r, "snapshot", 0, "cannot read the snapshot: %s",
                                fg_strerror((int)r));
        if (r == 0)
            break;
        got += r;
    }
    if (got <= 8)
        return fg_error_set(b->err, FG_E_LEDGER_SNAPSHOT, "snapshot", b->off,
                            "the snapshot ends early, at offset %llu", (unsigned long long)b->off);
    size_t n = (size_t)got - 8;
    uint64_t h;
    memcpy(&h, b->buf + n, 8);
    if (h != fg_hash64_seed(b->buf, n, b->block))
        return fg_error_set(b->err, FG_E_LEDGER_SNAPSHOT, "snapshot", b->off,
                            "snapshot block %llu at offset %llu fails its checksum",
                            (unsigned long long)b->block, (unsigned long long)b->off);
    b->avail = n;
    b->used = 0;
    b->off += (uint64_t)got;
    b->block++;
    return 0;
}

static int rget(struct bstream *b, void *data, size_t n)
{
    uint8_t *p = data;
    while (n > 0) {
        if (b->used == b->avail) {
            int rc = rfill(b);
            if (rc != 0)
                return rc;
        }
        size_t take = b->avail - b->used < n ? b->avail - b->used : n;
        memcpy(p, b->buf + b->used, take);
        b->used += take;
        p += take;
        n -= take;
    }
    return 0;
}

struct shdr {
    char magic[8];
    uint32_t version;
    uint32_t entry_size;
    uint64_t lsn;
    uint64_t journal_off;
    uint64_t count;
    uint32_t k;
    uint32_t ninst;
    uint32_t nside;
    uint32_t side_free;
    uint64_t spilled;
    uint64_t outcomes[FG_LEDGER__OUTCOMES];
    uint64_t unknown_source;
    uint32_t nmed;
    uint32_t pad;
};

static void path_of(char *out, size_t cap, const char *dir, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

static int fsync_dir(const fg_io_t *io, const char *dir)
{
    int fd = io->open(io->ctx, dir, O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0)
        return fd;
    int rc = io->fsync(io->ctx, fd);
    io->close(io->ctx, fd);
    return rc;
}

int fg__snapshot_write(const fg_io_t *io, const char *dir, const fg__lindex_t *ix,
                       const fg__snapmeta_t *meta, fg_error_t *err)
{
    char tmp[4096];
    char final[4096];
    struct shdr h;
    struct bstream b = {io, -1, NULL, 0, 0, 0, 0, 0, err, 0};
    int rc;

    path_of(tmp, sizeof(tmp), dir, "snapshot.tmp");
    path_of(final, sizeof(final), dir, "snapshot");
    b.buf = fg_malloc(BLOCK + 8);
    if (b.buf == NULL)
        return fg_error_set(err, FG_ENOMEM, "snapshot", 0, NULL);
    b.fd = io->open(io->ctx, tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (b.fd < 0) {
        rc = fg_error_set(err, b.fd, "snapshot", 0, "cannot create %s: %s", tmp, fg_strerror(b.fd));
        goto out_buf;
    }
    memset(&h, 0, sizeof(h));
    memcpy(h.magic, MAGIC, 8);
    h.version = VERSION;
    h.entry_size = sizeof(fg__lentry_t);
    h.lsn = meta->lsn;
    h.journal_off = meta->journal_off;
    h.count = ix->count;
    h.k = ix->k;
    h.ninst = ix->ninst;
    h.nside = ix->nside;
    h.side_free = ix->side_free;
    h.spilled = ix->spilled;
    memcpy(h.outcomes, meta->outcomes, sizeof(h.outcomes));
    h.unknown_source = meta->unknown_source;
    h.nmed = ix->nmed;
    rc = wput(&b, &h, sizeof(h));
    if (rc == 0 && ix->ninst > 0)
        rc = wput(&b, ix->inst, (size_t)ix->ninst * sizeof(*ix->inst));
    if (rc == 0 && ix->nmed > 0)
        rc = wput(&b, ix->med, (size_t)ix->nmed * sizeof(*ix->med));
    for (uint64_t done = 0; rc == 0 && done < ix->count;) {
        uint64_t c = done >> FG__CHUNK_BITS;
        uint64_t n = ix->count - done;
        if (n > ((uint64_t)1 << FG__CHUNK_BITS))
            n = (uint64_t)1 << FG__CHUNK_BITS;
        rc = wput(&b, ix->chunks[c], (size_t)n * sizeof(fg__lentry_t));
        done += n;
    }
    if (rc == 0)
        rc = wput(&b, ix->slots, ((size_t)1 << ix->k) * sizeof(uint32_t));
    for (uint32_t s = 0; rc == 0 && s < ix->nside; s++) {
        const fg__lside_t *sd = &ix->side[s];
        uint32_t w[3] = {sd->pack, sd->nsales, sd->next_free};
        rc = wput(&b, w, sizeof(w));
        if (rc == 0 && sd->nsales > 0)
            rc = wput(&b, sd->sales, sd->nsales * sizeof(*sd->sales));
    }
    if (rc == 0)
        rc = wflush(&b);
    if (rc == 0) {
        rc = io->fsync(io->ctx, b.fd);
        if (rc != 0)
            rc = fg_error_set(err, rc, "snapshot", 0, "cannot fsync the snapshot: %s",
                              fg_strerror(rc));
    }
    io->close(io->ctx, b.fd);
    if (rc == 0) {
        rc = io->rename(io->ctx, tmp, final);
        if (rc != 0)
            rc = fg_error_set(err, rc, "snapshot", 0, "cannot rename the snapshot: %s",
                              fg_strerror(rc));
    }
    if (rc == 0) {
        rc = fsync_dir(io, dir);
        if (rc != 0)
            rc = fg_error_set(err, rc, "snapshot", 0, "cannot fsync %s: %s", dir, fg_strerror(rc));
    }
    if (rc != 0)
        io->unlink(io->ctx, tmp);
out_buf:
    fg_free(b.buf);
    return rc;
}

/* Check only: read every block (each rfill checks its checksum). */
static int check_blocks(struct bstream *b)
{
    for (;;) {
        if (b->used == b->avail) {
            uint8_t probe;
            ssize_t r = b->io->pread(b->io->ctx, b->fd, &probe, 1, (off_t)b->off);
            if (r == 0)
                return 0;
            int rc = rfill(b);
            if (rc != 0)
                return rc;
        }
        b->used = b->avail;
    }
}

/* The institutions and the interned med_list_codg. */
static int load_names(struct bstream *b, const struct shdr *h, fg__lindex_t *ix)
{
    int rc = 0;
    if (h->ninst > 0) {
        rc = rget(b, ix->inst, (size_t)h->ninst * sizeof(*ix->inst));
        if (rc != 0)
            return rc;
    }
    if (h->nmed > 0) {
        ix->med = fg_calloc(h->nmed, sizeof(*ix->med));
        ix->med_cap = h->nmed;
        ix->med_k = 8;
        while (((uint64_t)3 << (ix->med_k - 2)) < (uint64_t)h->nmed + 1)
            ix->med_k++;
        if (ix->med == NULL)
            return fg_error_set(b->err, FG_ENOMEM, "snapshot", 0, NULL);
        rc = rget(b, ix->med, (size_t)h->nmed * sizeof(*ix->med));
        if (rc != 0)
            return rc;
        ix->nmed = h->nmed;
        ix->med_slots =
            fg__names_slots(ix->med, sizeof(*ix->med), FG_LEDGER_STR_MAX, ix->nmed, ix->med_k);
        if (ix->med_slots == NULL)
            return fg_error_set(b->err, FG_ENOMEM, "snapshot", 0, NULL);
    }
    return 0;
}

/* The entries, in chunks, then the slot table. */
static int load_entries(struct bstream *b, const struct shdr *h, fg__lindex_t *ix)
{
    for (uint64_t done = 0; done < h->count;) {
        uint64_t c = done >> FG__CHUNK_BITS;
        uint64_t n = h->count - done;
        if (n > ((uint64_t)1 << FG__CHUNK_BITS))
            n = (uint64_t)1 << FG__CHUNK_BITS;
        ix->chunks[c] = fg_calloc((size_t)1 << FG__CHUNK_BITS, sizeof(fg__lentry_t));
        if (ix->chunks[c] == NULL)
            return fg_error_set(b->err, FG_ENOMEM, "snapshot", 0, NULL);
        int rc = rget(b, ix->chunks[c], (size_t)n * sizeof(fg__lentry_t));
        if (rc != 0)
            return rc;
        done += n;
    }
    ix->count = h->count;
    return rget(b, ix->slots, ((size_t)1 << h->k) * sizeof(uint32_t));
}

/* The side table (codes with more standing sales than an entry holds). */
static int load_side(struct bstream *b, const struct shdr *h, fg__lindex_t *ix)
{
    ix->side_cap = h->nside < 64 ? 64 : h->nside;
    ix->side = fg_calloc(ix->side_cap, sizeof(*ix->side));
    if (ix->side == NULL)
        return fg_error_set(b->err, FG_ENOMEM, "snapshot", 0, NULL);
    for (uint32_t s = 0; s < h->nside; s++) {
        uint32_t w[3];
        int rc = rget(b, w, sizeof(w));
        if (rc != 0)
            return rc;
        fg__lside_t *sd = &ix->side[s];
        sd->pack = w[0];
        sd->nsales = w[1];
        sd->next_free = w[2];
        ix->nside = s + 1;
        if (w[1] > (1u << 24) || (uint64_t)w[1] * sizeof(*sd->sales) > b->size)
            return fg_error_set(b->err, FG_E_LEDGER_SNAPSHOT, "snapshot", b->off,
                                "implausible side record");
        if (w[1] > 0) {
            sd->cap = w[1];
            sd->sales = fg_calloc(w[1], sizeof(*sd->sales));
            if (sd->sales == NULL)
                return fg_error_set(b->err, FG_ENOMEM, "snapshot", 0, NULL);
            rc = rget(b, sd->sales, w[1] * sizeof(*sd->sales));
            if (rc != 0)
                return rc;
        }
    }
    ix->side_free = h->side_free;
    ix->spilled = h->spilled;
    return 0;
}

/* Build ix from the snapshot stream after its header h. */
static int load_index(struct bstream *b, const struct shdr *h, fg__lindex_t *ix)
{
    fg__index_release(ix);
    memset(ix, 0, sizeof(*ix));
    ix->k = h->k;
    ix->ninst = h->ninst;
    ix->inst_cap = h->ninst < 64 ? 64 : h->ninst;
    ix->inst = fg_calloc(ix->inst_cap, sizeof(*ix->inst));
    ix->slots = fg__index_slots_new(h->k);
    ix->nchunks = (size_t)((h->count + ((uint64_t)1 << FG__CHUNK_BITS) - 1) >> FG__CHUNK_BITS);
    ix->chunks = fg_calloc(ix->nchunks ? ix->nchunks : 1, sizeof(*ix->chunks));
    if (ix->inst == NULL || ix->slots == NULL || ix->chunks == NULL)
        return fg_error_set(b->err, FG_ENOMEM, "snapshot", 0, NULL);
    int rc = load_names(b, h, ix);
    rc = rc != 0 ? rc : load_entries(b, h, ix);
    rc = rc != 0 ? rc : load_side(b, h, ix);
    if (rc != 0)
        return rc;
    /* Institution lookup table, rebuilt (small). */
    ix->inst_k = 8;
    while (((uint64_t)3 << (ix->inst_k - 2)) < (uint64_t)h->ninst + 1)
        ix->inst_k++;
    ix->inst_slots =
        fg__names_slots(ix->inst, sizeof(*ix->inst), sizeof(ix->inst->code), ix->ninst, ix->inst_k);
    if (ix->inst_slots == NULL)
        return fg_error_set(b->err, FG_ENOMEM, "snapshot", 0, NULL);
    uint64_t bad = 0;
    if (fg__index_check(ix, &bad) != 0)
        return fg_error_set(b->err, FG_E_LEDGER_SNAPSHOT, "snapshot", 0,
                            "the snapshot's index is inconsistent (at item %llu)",
                            (unsigned long long)bad);
    return 0;
}

/* Read the snapshot; with ix NULL only check it. */
static int load(const fg_io_t *io, const char *dir, fg__lindex_t *ix, fg__snapmeta_t *meta,
                fg_error_t *err)
{
    char path[4096];
    struct shdr h;
    struct bstream b = {io, -1, NULL, 0, 0, 0, 0, 0, err, 0};
    int rc;

    path_of(path, sizeof(path), dir, "snapshot");
    b.fd = io->open(io->ctx, path, O_RDONLY, 0);
    if (b.fd == -ENOENT)
        return 1;
    if (b.fd < 0)
        return fg_error_set(err, b.fd, "snapshot", 0, "cannot open %s: %s", path,
                            fg_strerror(b.fd));
    b.buf = fg_malloc(BLOCK + 8);
    rc = b.buf == NULL ? fg_error_set(err, FG_ENOMEM, "snapshot", 0, NULL) : 0;
    rc = rc != 0 ? rc : rget(&b, &h, sizeof(h));
    if (rc == 0 && (memcmp(h.magic, MAGIC, 8) != 0 || h.entry_size != sizeof(fg__lentry_t) ||
                    h.version != VERSION || h.k > 32 || h.count * 4 > ((uint64_t)3 << h.k) ||
                    h.nside > h.count || h.nmed > FG__MED_MAX))
        rc = fg_error_set(err, FG_E_LEDGER_SNAPSHOT, "snapshot", 0,
                          "%s is not a ledger snapshot of this version", path);
    /* What the header says follows must fit in the file: nothing is allocated beyond it. */
    int64_t fsize = rc == 0 ? fg__io_size(io, b.fd) : 0;
    b.size = fsize > 0 ? (uint64_t)fsize : 0;
    if (rc == 0 && sizeof(h) + (uint64_t)h.ninst * sizeof(fg__linst_t) +
                           (uint64_t)h.nmed * sizeof(fg__lmed_t) + h.count * sizeof(fg__lentry_t) +
                           ((uint64_t)4 << h.k) + (uint64_t)h.nside * 12 >
                       b.size)
        rc = fg_error_set(err, FG_E_LEDGER_SNAPSHOT, "snapshot", 0,
                          "%s is shorter than its header says", path);
    if (rc == 0) {
        meta->lsn = h.lsn;
        meta->journal_off = h.journal_off;
        memcpy(meta->outcomes, h.outcomes, sizeof(h.outcomes));
        meta->unknown_source = h.unknown_source;
        rc = ix == NULL ? check_blocks(&b) : load_index(&b, &h, ix);
    }
    fg_free(b.buf);
    io->close(io->ctx, b.fd);
    return rc;
}

int fg__snapshot_load(const fg_io_t *io, const char *dir, fg__lindex_t *ix, fg__snapmeta_t *meta,
                      fg_error_t *err)
{
    return load(io, dir, ix, meta, err);
}

int fg__snapshot_check(const fg_io_t *io, const char *dir, fg__snapmeta_t *meta, uint64_t *bad,
                       fg_error_t *err)
{
    fg_error_t local;
    if (err == NULL)
        err = &local;
    int rc = load(io, dir, NULL, meta, err);
    if (rc < 0 && bad != NULL)
        *bad = err->pos;
    return rc;
}
