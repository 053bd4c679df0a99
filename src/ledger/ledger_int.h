/*
 * ledger_int.h — internals shared by the ledger's files: the pure state machine, the compact index,
 * the journal and the snapshot. Nothing outside src/ledger/ includes it.
 */
#ifndef FG_LEDGER_INT_H
#define FG_LEDGER_INT_H

#include <stdint.h>
#include <string.h>

#include "fundguard/ledger.h"

/* ---- the handle (handle.c): one interface, two backends ----
 *
 * A backend's handle struct starts with an fg_ledger_t whose ops point at its table; the public
 * fg_ledger_* functions dispatch through it. An operation left NULL has the default of a backend
 * that acknowledges at once: sync, poll and snapshot do nothing, durable_lsn is UINT64_MAX (every
 * result already acknowledged), commit_due_ms is -1, apply is apply_batch of one, reset is
 * refused. */
typedef struct fg__lops {
    const char *name; /* "embedded", "postgresql" */
    size_t batch;     /* events per apply_batch that suit the backend */
    int (*apply)(fg_ledger_t *lg, const fg_ledger_event_t *ev, fg_ledger_result_t *res,
                 fg_error_t *err);
    int (*apply_batch)(fg_ledger_t *lg, const fg_ledger_event_t *ev, size_t n,
                       fg_ledger_result_t *res, fg_error_t *err);
    int (*sync)(fg_ledger_t *lg, fg_error_t *err);
    int (*poll)(fg_ledger_t *lg, fg_error_t *err);
    uint64_t (*durable_lsn)(const fg_ledger_t *lg);
    long (*commit_due_ms)(const fg_ledger_t *lg);
    int (*snapshot)(fg_ledger_t *lg, fg_error_t *err);
    int (*query)(fg_ledger_t *lg, const char *code, fg_ledger_code_state_t *st,
                 fg_ledger_history_fn fn, void *ctx, fg_error_t *err);
    void (*stats)(const fg_ledger_t *lg, fg_ledger_stats_t *st);
    int (*dump)(fg_ledger_t *lg, fg_ledger_history_fn fn, void *ctx, fg_error_t *err);
    int (*reset)(fg_ledger_t *lg, fg_error_t *err);
    int (*close)(fg_ledger_t *lg, fg_error_t *err);
} fg__lops_t;

struct fg_ledger {
    const fg__lops_t *ops;
};

extern const fg__lops_t fg__emb_ops;
extern const fg__lops_t fg__pg_ops;

/* The embedded ledger in directory dir (ledger.c); arguments as fg_ledger_open. */
int fg__emb_open(const char *dir, const fg_ledger_options_t *opt, fg_ledger_t **out,
                 fg_ledger_recovery_t *rec, fg_error_t *err);
int fg__emb_verify(const char *dir, const fg_io_t *io, uint64_t *records, uint64_t *bad_offset,
                   uint64_t *torn, fg_error_t *err);
/* The PostgreSQL ledger at conninfo (ledger_pg.c): connect, create the schema when absent. */
int fg__pg_open(const char *conninfo, fg_ledger_t **out, fg_error_t *err);
/* Check the history's numbering against every code's state (the PostgreSQL `verify`). */
int fg__pg_verify(const char *conninfo, uint64_t *records, uint64_t *bad_offset, fg_error_t *err);

/* ---- the state machine (machine.c): pure, shared by the embedded and PostgreSQL backends ---- */

/* A standing sale: institution id, units still standing, and a reference to its details (the
 * journal offset of its record, or a backend's own index). */
typedef struct fg__lsale {
    uint32_t inst;
    uint32_t units;
    uint64_t ref;
} fg__lsale_t;

/* The state of one code. `sales` is storage owned by whoever holds the state. */
typedef struct fg__lstate {
    uint32_t pack;   /* first pack_units seen, 0 unknown */
    uint32_t stock;  /* institution id holding the pack, 0 none */
    uint32_t nsales; /* standing sales, oldest first */
    uint32_t cap;
    fg__lsale_t *sales;
} fg__lstate_t;

/* Apply ev (valid) by institution `inst` (id > 0) to *st. `purchased`: the institution has reported
 * a purchase before. The standing sales before the event are copied to prior[0..*nprior) (prior has
 * room for st->nsales). Returns 0, or FG_ENOMEM when the sales array cannot grow (*st unchanged).
 * *changed is 1 when *st changed. */
int fg__ledger_step(fg__lstate_t *st, const fg_ledger_event_t *ev, uint32_t inst, int purchased,
                    uint64_t ref, fg_ledger_result_t *res, fg__lsale_t *prior, size_t *nprior,
                    int *changed);

/* The units an event counts for, given the code's pack_units (0 unknown). */
uint32_t fg__ledger_units(const fg_ledger_event_t *ev, uint32_t pack);

/* ---- the compact index (index.c) ---- */

#define FG__KEY_LEN 11

/* One code: 32 bytes. Byte fields are little-endian. See docs/ledger.md "Index". */
typedef struct fg__lentry {
    uint8_t key[FG__KEY_LEN]; /* CN20 as 2 x 34 bits or GS1 hash (87 bits) | 0x80 in key[10] */
    uint8_t mode;             /* 0 no standing sale, 1 one sale inline, 2 state in the side table */
    uint8_t last[5];          /* offset / 8 of the code's newest journal record */
    uint8_t stock[3];         /* institution id holding the pack, 0 none */
    uint16_t pack;            /* pack_units (mode 0/1), 0 unknown */
    uint8_t s_inst[3];        /* mode 1: the sale's institution; mode 2: bytes 0..3 side index */
    uint16_t s_units;         /* mode 1: units standing */
    uint8_t s_off[5];         /* mode 1: offset / 8 of the sale's record */
} __attribute__((packed)) fg__lentry_t;

_Static_assert(sizeof(fg__lentry_t) == 32, "index entry is 32 bytes");

typedef struct fg__lside {
    uint32_t pack;
    uint32_t nsales;
    uint32_t cap;
    uint32_t next_free; /* free list link + 1 when free */
    fg__lsale_t *sales;
} fg__lside_t;

typedef struct fg__linst {
    char code[12];
    uint8_t purchased;
} fg__linst_t;

/* A med_list_codg interned for the journal (records carry its id). */
typedef struct fg__lmed {
    char code[FG_LEDGER_STR_MAX]; /* NUL-padded */
} fg__lmed_t;

#define FG__MED_MAX (1u << 20) /* interned med_list_codg; past it records carry the text */

#define FG__CHUNK_BITS 16

typedef struct fg__lindex {
    fg__lentry_t **chunks; /* entries in chunks of 2^FG__CHUNK_BITS */
    size_t nchunks;
    uint64_t count;  /* codes */
    uint32_t *slots; /* open addressing: tag << k | (entry index + 1), 0 empty */
    unsigned k;      /* log2 of the slot count */
    fg__lside_t *side;
    uint32_t nside;
    uint32_t side_cap;
    uint32_t side_free; /* head of the free list + 1, 0 none */
    uint64_t spilled;
    fg__linst_t *inst; /* institutions by id - 1 */
    uint32_t ninst;
    uint32_t inst_cap;
    uint32_t *inst_slots;
    unsigned inst_k;
    fg__lmed_t *med; /* med_list_codg by id - 1 */
    uint32_t nmed;
    uint32_t med_cap;
    uint32_t *med_slots; /* NULL until the first */
    unsigned med_k;
} fg__lindex_t;

void fg__key_of(const char *code, uint8_t key[FG__KEY_LEN]);
int fg__index_init(fg__lindex_t *ix, uint64_t expect);
void fg__index_release(fg__lindex_t *ix);
/* Find the code's entry index; 1 found, 0 not (then *slot is where to insert). */
int fg__index_find(const fg__lindex_t *ix, const uint8_t key[FG__KEY_LEN], uint64_t *idx,
                   uint64_t *slot);
/* The same with the key's hash already known (fg__index_hash). */
int fg__index_find_h(const fg__lindex_t *ix, const uint8_t key[FG__KEY_LEN], uint64_t h,
                     uint64_t *idx, uint64_t *slot);
uint64_t fg__index_hash(const uint8_t key[FG__KEY_LEN]);
/* A zeroed slot table of 2^k slots (huge pages asked for); free with fg_free. NULL on ENOMEM. */
uint32_t *fg__index_slots_new(unsigned k);
/* Prefetch the slot of a hash (first stage) and, when the slot is filled, its entry (second). */
void fg__index_prefetch_slot(const fg__lindex_t *ix, uint64_t h);
void fg__index_prefetch_entry(const fg__lindex_t *ix, uint64_t h);
/* Add a zeroed entry for key at slot (from a failed find); its index in *idx. */
int fg__index_add(fg__lindex_t *ix, const uint8_t key[FG__KEY_LEN], uint64_t slot, uint64_t *idx);
static inline fg__lentry_t *fg__index_entry(const fg__lindex_t *ix, uint64_t idx)
{
    return &ix->chunks[idx >> FG__CHUNK_BITS][idx & ((1u << FG__CHUNK_BITS) - 1)];
}
/* Load an entry's state into st (st->sales storage is grown as needed). */
int fg__index_load(const fg__lindex_t *ix, const fg__lentry_t *e, fg__lstate_t *st);
/* Room for at least n sales in st (doubling). 0 or FG_ENOMEM. */
int fg__lstate_reserve(fg__lstate_t *st, uint32_t n);
/* Store st into the entry (spilling to the side table when it does not fit inline). */
int fg__index_store(fg__lindex_t *ix, fg__lentry_t *e, const fg__lstate_t *st);
/* Institution id (1-based) of a normalised code, adding it when absent. */
int fg__index_inst(fg__lindex_t *ix, const char *code, uint32_t *id);
/* Id (1-based) of a med_list_codg, adding it when absent (*added = 1); *id = 0 for an empty one or
 * when the table is full (FG__MED_MAX: the journal then carries the text). */
int fg__index_med(fg__lindex_t *ix, const char *s, uint32_t *id, int *added);
/* A lookup table (2^k slots of row index + 1) over n rows of NUL-padded names; NULL on ENOMEM. */
uint32_t *fg__names_slots(const void *rows, size_t stride, size_t maxlen, uint32_t n, unsigned k);
/* Every slot, entry and side record of an index read from a snapshot refers only to what the
 * index holds (slots to entries, entries to institutions and side records, sales to institutions),
 * and each entry has one slot: 0, or FG_E_LEDGER_SNAPSHOT with the first offender's number in
 * *bad. */
int fg__index_check(const fg__lindex_t *ix, uint64_t *bad);
uint64_t fg__index_bytes(const fg__lindex_t *ix);
int fg__index_rehash(fg__lindex_t *ix, unsigned k);

static inline uint64_t fg__get40(const uint8_t *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32;
}
static inline void fg__put40(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 5; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint32_t fg__get24(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}
static inline void fg__put24(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
}

/* ---- the journal (journal.c) ---- */

#define FG__JHDR_SIZE  64u         /* file header */
#define FG__JREC_MAGIC 0x4A524746u /* "FGRJ" */
/* Longest record: fixed bytes, 5 varints, code, institution, 4 strings, padding. */
#define FG__JREC_MAX (10 + 40 + 1 + FG_ID_NORM_MAX + 16 + 4 * (FG_LEDGER_STR_MAX + 1) + 8)

/* What a record holds besides the event: its place, and the ids it refers to. */
typedef struct fg__jref {
    uint64_t lsn;
    uint64_t off;     /* the record's journal offset */
    uint64_t prev;    /* offset of the code's previous record, 0 for its first */
    uint32_t inst;    /* institution id (unless inst_new) */
    uint32_t med;     /* med_list_codg id (med_form 1) */
    uint8_t inst_new; /* 1: the record defines the institution (text; its id is the next) */
    uint8_t med_form; /* med_list_codg: 0 none, 1 id, 2 defined here (text), 3 text only */
} fg__jref_t;

typedef struct fg__jrec {
    uint64_t lsn;
    uint64_t prev;
    uint64_t off;
    uint32_t len;
    fg__jref_t ref; /* inst and med as decoded: ids until fg__jrec_resolve */
    fg_ledger_history_t h;
} fg__jrec_t;

/* Encode a record into buf (>= FG__JREC_MAX bytes); key is the code's index key. Returns its
 * length (multiple of 8). */
uint32_t fg__jrec_encode(uint8_t *buf, const fg_ledger_event_t *ev, const uint8_t *key,
                         const fg__jref_t *ref, const fg_ledger_result_t *res);
/* Decode and check the record of `avail` bytes at p, at journal offset `off`. 0; 1 when incomplete
 * (torn: avail too short); FG_E_LEDGER_JOURNAL when damaged (zeros included). Institution and
 * med_list_codg given by id are left to fg__jrec_resolve. */
int fg__jrec_decode(const uint8_t *p, size_t avail, uint64_t off, fg__jrec_t *r);
/* Rewrite the length and record checks of the record at p from its length field (the fuzz targets
 * forge records that pass them, to reach the decoder behind). 0, or -1 when the length field is no
 * record length or the record is longer than avail. */
int fg__jrec_seal(uint8_t *p, size_t avail);
/* Fill the institution and med_list_codg given by id from the index's tables. */
int fg__jrec_resolve(const fg__lindex_t *ix, fg__jrec_t *r);
void fg__jhdr_encode(uint8_t hdr[FG__JHDR_SIZE]);
int fg__jhdr_check(const uint8_t hdr[FG__JHDR_SIZE]);

/* ---- snapshot (snapshot.c) ---- */
typedef struct fg__snapmeta {
    uint64_t lsn;         /* last lsn covered */
    uint64_t journal_off; /* journal offset after that record */
    uint64_t outcomes[FG_LEDGER__OUTCOMES];
    uint64_t unknown_source;
} fg__snapmeta_t;

int fg__snapshot_write(const fg_io_t *io, const char *dir, const fg__lindex_t *ix,
                       const fg__snapmeta_t *meta, fg_error_t *err);
/* 0 loaded; 1 no snapshot; FG_E_LEDGER_SNAPSHOT (err->pos = offset) when damaged. */
int fg__snapshot_load(const fg_io_t *io, const char *dir, fg__lindex_t *ix, fg__snapmeta_t *meta,
                      fg_error_t *err);
/* Check only. */
int fg__snapshot_check(const fg_io_t *io, const char *dir, fg__snapmeta_t *meta, uint64_t *bad,
                       fg_error_t *err);

/* ---- io helpers (io.c) ---- */
int fg__io_write_all(const fg_io_t *io, int fd, const void *buf, size_t n, uint64_t off);
int fg__io_read_all(const fg_io_t *io, int fd, void *buf, size_t n, uint64_t off);
int64_t fg__io_size(const fg_io_t *io, int fd);
uint64_t fg__now_ns(void);

/* ---- events (event.c) ---- */
int fg__json_str(fg_buf_t *b, const char *s);

#endif
