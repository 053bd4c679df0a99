/*
 * history.c — the compact per-person history (history.h) the windowed rules read (courses, cycles,
 * frequency per day, duplicate pairs across settlements, frequent visits), and the 无码库 stock
 * used so far.
 *
 * In memory: hash of psn_no → an array of 40-byte entries (fg_hist_entry_t), at most
 * HIST_MAX_PER_PERSON per person; entries older than the retention (params history_days, default
 * 400) before the newest are dropped first, then the oldest. On disk (--history DIR):
 * DIR/history.fgh, an append-only journal: an 8-byte magic "FGHIST01" then 64-byte records u8 type
 * (1 entry, 2 无码库 use), 7 bytes zero, u64 key (person hash / stock key), the 40-byte entry, u64
 * check (XXH3 of the 56 bytes before it) in host byte order. Loading replays the journal; a record
 * whose check fails is FG_E_HISTORY, a torn record at the end (a crash while appending) is cut off.
 */
#include "core/compat.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/hmap.h"
#include "fundguard/alloc.h"
#include "fundguard/buf.h"
#include "fundguard/hash.h"
#include "fundguard/history.h"
#include "fundguard/kb.h"

#define HIST_MAGIC          "FGHIST01"
#define HIST_REC            64
#define HIST_MAX_PER_PERSON 4096

_Static_assert(sizeof(fg_hist_entry_t) == 40, "history entries are 40 bytes");

typedef struct hperson {
    uint64_t key;
    fg_hist_entry_t *e;
    uint32_t n;
    uint32_t cap;
} hperson_t;

typedef struct nocode_use {
    uint64_t key;
    fg_qty_t used;
} nocode_use_t;

struct fg_history {
    fg_hmap_t idx; /* person key → persons + 1 */
    hperson_t *persons;
    size_t npersons;
    size_t persons_cap;
    size_t nentries;
    fg_hmap_t nidx; /* stock key → uses + 1 */
    nocode_use_t *uses;
    size_t nuses;
    size_t uses_cap;
    int retention_days;
    int fd;           /* journal, -1 when in memory only */
    fg_buf_t pending; /* records not yet written */
    int loading;      /* 1 while replaying the journal */
};

/* u64 key → chain of u32 values (index + 1): the core hash map with its aux unused. */
static uint32_t idx_next(const fg_hmap_t *x, uint64_t key, size_t *probe)
{
    const fg_hmap_slot_t *s = fg_hmap_find(x, key, probe);
    return s != NULL ? s->value : 0;
}

static uint64_t hash_str(const char *s)
{
    return fg_hmap_fold(fg_hash64(s, strlen(s)));
}

uint64_t fg_history_line_id(const char *mdtrt_id, const char *feedetl_sn)
{
    uint64_t h =
        fg_hash64_seed(feedetl_sn, strlen(feedetl_sn), fg_hash64(mdtrt_id, strlen(mdtrt_id)));
    return h != 0 ? h : 1;
}

uint32_t fg_history_h32(const char *s)
{
    return (uint32_t)fg_hash64(s, strlen(s));
}

static uint64_t nocode_key(const char *inst, const char *code)
{
    return fg_hash64_seed(code, strlen(code), fg_hash64(inst, strlen(inst)) ^ 0x6e6f636f6465ULL);
}

fg_history_t *fg_history_new(void)
{
    fg_history_t *h = fg_calloc(1, sizeof(*h));
    if (h == NULL)
        return NULL;
    h->fd = -1;
    h->retention_days = 400;
    fg_buf_init(&h->pending, 64u << 20);
    return h;
}

void fg_history_free(fg_history_t *h)
{
    if (h == NULL)
        return;
    fg_history_flush(h);
    if (h->fd >= 0)
        close(h->fd);
    for (size_t i = 0; i < h->npersons; i++)
        fg_free(h->persons[i].e);
    fg_free(h->persons);
    fg_free(h->uses);
    fg_hmap_release(&h->idx);
    fg_hmap_release(&h->nidx);
    fg_buf_release(&h->pending);
    fg_free(h);
}

void fg_history_set_retention(fg_history_t *h, int days)
{
    if (days > 0)
        h->retention_days = days;
}

size_t fg_history_npersons(const fg_history_t *h)
{
    return h->npersons;
}

size_t fg_history_nentries(const fg_history_t *h)
{
    return h->nentries;
}

static hperson_t *find_person(const fg_history_t *h, uint64_t key)
{
    size_t probe = 0;
    for (;;) {
        uint32_t v = idx_next(&h->idx, key, &probe);
        if (v == 0)
            return NULL;
        if (h->persons[v - 1].key == key)
            return &h->persons[v - 1];
    }
}

size_t fg_history_person(const fg_history_t *h, const char *psn_no, const fg_hist_entry_t **out)
{
    *out = NULL;
    if (h == NULL || psn_no[0] == '\0')
        return 0;
    hperson_t *p = find_person(h, hash_str(psn_no));
    if (p == NULL)
        return 0;
    *out = p->e;
    return p->n;
}

/* Journal one record (buffered until fg_history_flush). */
static int journal(fg_history_t *h, uint8_t type, uint64_t key, const fg_hist_entry_t *e)
{
    if (h->fd < 0 || h->loading)
        return 0;
    unsigned char rec[HIST_REC];
    memset(rec, 0, sizeof(rec));
    rec[0] = type;
    memcpy(rec + 8, &key, 8);
    memcpy(rec + 16, e, sizeof(*e));
    uint64_t check = fg_hash64(rec, 56);
    memcpy(rec + 56, &check, 8);
    return fg_buf_append(&h->pending, rec, sizeof(rec));
}

int fg_history_flush(fg_history_t *h)
{
    if (h->fd < 0 || h->pending.len == 0)
        return 0;
    size_t off = 0;
    while (off < h->pending.len) {
        ssize_t w = write(h->fd, h->pending.data + off, h->pending.len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -errno;
        off += (size_t)w;
    }
    fg_buf_reset(&h->pending);
    return 0;
}

/* Make room in a full person: drop entries older than the retention before the newest, else the
 * oldest one. */
static void make_room(fg_history_t *h, hperson_t *p)
{
    fg_time_t newest = INT64_MIN;
    for (uint32_t i = 0; i < p->n; i++)
        if (p->e[i].time > newest)
            newest = p->e[i].time;
    fg_time_t cut = newest - (fg_time_t)h->retention_days * 86400;
    uint32_t w = 0;
    for (uint32_t i = 0; i < p->n; i++)
        if (p->e[i].time >= cut)
            p->e[w++] = p->e[i];
    h->nentries -= p->n - w;
    p->n = w;
    if (p->n < p->cap || p->n == 0)
        return;
    uint32_t oldest = 0;
    for (uint32_t i = 1; i < p->n; i++)
        if (p->e[i].time < p->e[oldest].time)
            oldest = i;
    p->e[oldest] = p->e[--p->n];
    h->nentries--;
}

static int add_entry(fg_history_t *h, uint64_t key, const fg_hist_entry_t *e)
{
    hperson_t *p = find_person(h, key);
    if (p == NULL) {
        if (h->npersons == h->persons_cap) {
            size_t c = h->persons_cap ? h->persons_cap * 2 : 256;
            hperson_t *q = fg_realloc_array(h->persons, c, sizeof(*q));
            if (q == NULL)
                return FG_ENOMEM;
            h->persons = q;
            h->persons_cap = c;
        }
        p = &h->persons[h->npersons];
        memset(p, 0, sizeof(*p));
        p->key = key;
        h->npersons++;
        int rc = fg_hmap_put(&h->idx, key, (uint32_t)h->npersons, 0);
        if (rc != 0) {
            h->npersons--;
            return rc;
        }
    }
    for (uint32_t i = 0; i < p->n; i++)
        if (p->e[i].id == e->id && p->e[i].code == e->code)
            return 0; /* already remembered */
    if (p->n == p->cap) {
        if (p->cap >= HIST_MAX_PER_PERSON) {
            make_room(h, p);
        } else {
            uint32_t c = p->cap ? p->cap * 2 : 16;
            fg_hist_entry_t *q = fg_realloc_array(p->e, c, sizeof(*q));
            if (q == NULL)
                return FG_ENOMEM;
            p->e = q;
            p->cap = c;
        }
    }
    p->e[p->n++] = *e;
    h->nentries++;
    return journal(h, 1, key, e);
}

int fg_history_add(fg_history_t *h, const char *psn_no, const fg_hist_entry_t *e)
{
    if (psn_no[0] == '\0')
        return 0;
    return add_entry(h, hash_str(psn_no), e);
}

static nocode_use_t *find_use(const fg_history_t *h, uint64_t key)
{
    size_t probe = 0;
    for (;;) {
        uint32_t v = idx_next(&h->nidx, key, &probe);
        if (v == 0)
            return NULL;
        if (h->uses[v - 1].key == key)
            return &h->uses[v - 1];
    }
}

static int add_use(fg_history_t *h, uint64_t key, fg_qty_t qty, uint64_t line_id)
{
    nocode_use_t *u = find_use(h, key);
    if (u == NULL) {
        if (h->nuses == h->uses_cap) {
            size_t c = h->uses_cap ? h->uses_cap * 2 : 64;
            nocode_use_t *q = fg_realloc_array(h->uses, c, sizeof(*q));
            if (q == NULL)
                return FG_ENOMEM;
            h->uses = q;
            h->uses_cap = c;
        }
        u = &h->uses[h->nuses];
        u->key = key;
        u->used = 0;
        h->nuses++;
        int rc = fg_hmap_put(&h->nidx, key, (uint32_t)h->nuses, 0);
        if (rc != 0) {
            h->nuses--;
            return rc;
        }
    }
    u->used += qty;
    fg_hist_entry_t e = {.qty = qty, .id = line_id};
    return journal(h, 2, key, &e);
}

int fg_history_add_nocode(fg_history_t *h, const char *inst, const char *code, uint64_t line_id,
                          fg_qty_t qty)
{
    return add_use(h, nocode_key(inst, code), qty, line_id);
}

fg_qty_t fg_history_nocode_used(const fg_history_t *h, const char *inst, const char *code)
{
    if (h == NULL)
        return 0;
    const nocode_use_t *u = find_use(h, nocode_key(inst, code));
    return u != NULL ? u->used : 0;
}

fg_time_t fg_history_time_of(const fg_history_t *h, const char *psn_no, uint64_t id)
{
    const fg_hist_entry_t *all = NULL;
    size_t n = fg_history_person(h, psn_no, &all);
    for (size_t i = n; i-- > 0;)
        if (all[i].id == id)
            return all[i].time;
    return FG_TIME_NONE;
}

/* ---------------------------------------------------------------- settlements */

int fg_history_scene(const char *med_type)
{
    if (strcmp(med_type, "41") == 0)
        return FG_KB_SCENE_PHARMACY;
    if (med_type[0] == '2' || strcmp(med_type, "52") == 0)
        return FG_KB_SCENE_INPATIENT;
    return FG_KB_SCENE_OUTPATIENT;
}

static const char *first(const char *a, const char *b)
{
    return a != NULL && a[0] != '\0' ? a : (b != NULL ? b : "");
}

/* A fee line as the person's entry; a refund line on the day of the line it reverses. */
static fg_hist_entry_t fee_entry(const fg_history_t *h, const char *psn, const fg_visit_t *v,
                                 const fg_fee_line_t *f, const fg_hist_entry_t *marker)
{
    fg_time_t t = f->fee_ocur_time != FG_TIME_NONE ? f->fee_ocur_time : marker->time;
    if (f->init_feedetl_sn[0] != '\0') {
        /* a refund line nets out the line it reverses, on that line's day */
        fg_time_t orig =
            fg_history_time_of(h, psn, fg_history_line_id(v->mdtrt_id, f->init_feedetl_sn));
        if (orig != FG_TIME_NONE)
            t = orig;
    }
    return (fg_hist_entry_t){
        .time = t,
        .code = fg_kb_code_hash(f->med_list_codg, strlen(f->med_list_codg)),
        .id = fg_history_line_id(v->mdtrt_id, f->feedetl_sn),
        .qty = f->cnt,
        .visit = marker->visit,
        .inst = marker->inst,
    };
}

int fg_history_add_settlement(fg_history_t *h, const fg_doc_t *doc, const uint8_t *skip,
                              const fg_qty_t *nocode_used, fg_error_t *err)
{
    const fg_visit_t *v = doc->visit;
    if (v == NULL)
        return 0;
    const char *psn = first(doc->person != NULL ? doc->person->psn_no : NULL, v->psn_no);
    const char *inst = first(doc->institution != NULL ? doc->institution->fixmedins_code : NULL,
                             first(v->fixmedins_code, doc->fixmedins_code));
    fg_hist_entry_t marker = {
        .time = v->begntime != FG_TIME_NONE ? v->begntime
                : doc->nfees > 0            ? doc->fees[0].fee_ocur_time
                                            : 0,
        .code = 0,
        .id = fg_history_line_id(v->mdtrt_id, ""),
        .qty = fg_history_scene(v->med_type),
        .visit = fg_history_h32(v->mdtrt_id),
        .inst = fg_history_h32(inst),
    };
    int rc = fg_history_add(h, psn, &marker);
    for (size_t i = 0; i < doc->nfees && rc == 0; i++) {
        if (skip != NULL && skip[i])
            continue; /* not paid */
        const fg_fee_line_t *f = &doc->fees[i];
        fg_hist_entry_t e = fee_entry(h, psn, v, f, &marker);
        rc = fg_history_add(h, psn, &e);
        if (rc == 0 && nocode_used != NULL && nocode_used[i] > 0)
            rc = fg_history_add_nocode(h, inst, f->med_list_codg, e.id, nocode_used[i]);
    }
    if (rc == 0)
        rc = fg_history_flush(h);
    if (rc != 0)
        return fg_error_set(err, rc, "history", 0, "cannot update the history: %s",
                            fg_strerror(rc));
    return 0;
}

/* ---------------------------------------------------------------- the journal */

int fg_history_open(fg_history_t *h, const char *dir, fg_error_t *err)
{
    char path[4096];
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return fg_error_set(err, -errno, dir, 0, "%s: %s", dir, strerror(errno));
    snprintf(path, sizeof(path), "%s/history.fgh", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return fg_error_set(err, -errno, path, 0, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return fg_error_set(err, -e, path, 0, "%s: %s", path, strerror(e));
    }
    int rc = 0;
    if (st.st_size == 0) {
        if (write(fd, HIST_MAGIC, 8) != 8)
            rc = fg_error_set(err, FG_EIO, path, 0, "%s: cannot write", path);
    } else {
        size_t size = (size_t)st.st_size;
        unsigned char *data = fg_malloc(size);
        if (data == NULL) {
            close(fd);
            return fg_error_set(err, FG_ENOMEM, path, 0, NULL);
        }
        size_t got = 0;
        while (got < size && rc == 0) {
            ssize_t r = pread(fd, data + got, size - got, (off_t)got);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                rc = fg_error_set(err, FG_EIO, path, 0, "%s: cannot read", path);
            else
                got += (size_t)r;
        }
        if (rc == 0 && (size < 8 || memcmp(data, HIST_MAGIC, 8) != 0))
            rc = fg_error_set(err, FG_E_HISTORY, path, 0, "%s: not a Fundguard history file", path);
        size_t off = 8;
        h->loading = 1;
        for (; rc == 0 && off + HIST_REC <= size; off += HIST_REC) {
            const unsigned char *rec = data + off;
            uint64_t check, key;
            memcpy(&check, rec + 56, 8);
            memcpy(&key, rec + 8, 8);
            fg_hist_entry_t e;
            memcpy(&e, rec + 16, sizeof(e));
            if (check != fg_hash64(rec, 56) || (rec[0] != 1 && rec[0] != 2)) {
                rc = fg_error_set(err, FG_E_HISTORY, path, 0, "%s: record %zu is damaged", path,
                                  (off - 8) / HIST_REC + 1);
                break;
            }
            rc = rec[0] == 1 ? add_entry(h, key, &e) : add_use(h, key, e.qty, e.id);
            if (rc != 0)
                fg_error_set(err, rc, path, 0, NULL);
        }
        h->loading = 0;
        if (rc == 0 && off != size && ftruncate(fd, (off_t)off) != 0)
            rc = fg_error_set(err, FG_EIO, path, 0, "%s: cannot cut a torn record", path);
        fg_free(data);
    }
    if (rc != 0) {
        close(fd);
        return rc;
    }
    if (lseek(fd, 0, SEEK_END) < 0) {
        close(fd);
        return fg_error_set(err, FG_EIO, path, 0, "%s: cannot seek", path);
    }
    h->fd = fd;
    return 0;
}

/* ---------------------------------------------------------------- slices */

int fg_history_slice(const fg_history_t *h, const char *psn_no, const char *inst,
                     const char *const *codes, size_t ncodes, fg_buf_t *out)
{
    if (h == NULL)
        return 0;
    const fg_hist_entry_t *e;
    size_t n = fg_history_person(h, psn_no, &e);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = fg_buf_printf(out,
                           "H\t%" PRId64 "\t%016" PRIx64 "\t%016" PRIx64 "\t%" PRId64 "\t%" PRIu32
                           "\t%" PRIu32 "\n",
                           e[i].time, e[i].code, e[i].id, e[i].qty, e[i].visit, e[i].inst);
    for (size_t i = 0; i < ncodes && rc == 0; i++) {
        fg_qty_t used = fg_history_nocode_used(h, inst, codes[i]);
        if (used != 0)
            rc = fg_buf_printf(out, "N\t%s\t%s\t%" PRId64 "\n", inst, codes[i], used);
    }
    return rc;
}

/* Load a slice as the history of psn_no (the slice's lines belong to that person). */
int fg_history_load_slice(fg_history_t *h, const char *text, size_t n, fg_error_t *err)
{
    char *copy = fg_strndup(text, n);
    if (copy == NULL)
        return fg_error_set(err, FG_ENOMEM, "history", 0, NULL);
    int rc = 0;
    long line = 0;
    uint64_t person = 0;
    char *save = NULL;
    for (char *p = strtok_r(copy, "\n", &save); p != NULL && rc == 0;
         p = strtok_r(NULL, "\n", &save)) {
        line++;
        fg_hist_entry_t e;
        memset(&e, 0, sizeof(e));
        char a[48], b[48];
        long long qty;
        if (strncmp(p, "P\t", 2) == 0) {
            person = hash_str(p + 2);
        } else if (p[0] == 'H' && person != 0 &&
                   sscanf(p,
                          "H\t%" SCNd64 "\t%" SCNx64 "\t%" SCNx64 "\t%" SCNd64 "\t%" SCNu32
                          "\t%" SCNu32,
                          &e.time, &e.code, &e.id, &e.qty, &e.visit, &e.inst) == 6) {
            rc = add_entry(h, person, &e);
        } else if (p[0] == 'N' && sscanf(p, "N\t%47s\t%47s\t%lld", a, b, &qty) == 3) {
            rc = add_use(h, nocode_key(a, b), (fg_qty_t)qty, 0);
        } else {
            rc = FG_E_REPLAY;
        }
    }
    fg_free(copy);
    if (rc != 0)
        return fg_error_set(err, rc, "history", 0, "history slice, line %ld: %s", line,
                            fg_strerror(rc));
    return 0;
}
