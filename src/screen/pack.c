/*
 * pack.c — step 5 of a screen (screen_int.h): the pack events of every directory, merged in time
 * order, applied to an embedded ledger (src/ledger: its state machine, not a copy of it) in the
 * scratch directory with fsync off, each event handed with the ledger's outcome to the models'
 * `event` callbacks; and the 3501 stock counts of inventory.jsonl as count events, at the end of
 * their day.
 *
 * Per directory the events come from ledger_events.jsonl when present, else from inventory.jsonl's
 * 3503/3504/3505/3506 documents — never both (they are the same events in two shapes); an
 * inventory document's quantity is shared by its trace codes, its pack size is the catalogue's.
 * Each file is in time order (as `fundguard gen` and the national interfaces write them);
 * directories are merged by time, the earlier directory first on a tie, so data split by month
 * gives the events in the same order as one file.
 */
#include "core/compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fundguard/alloc.h"
#include "screen/screen_priv.h"

#define LINE_MAX_BYTES (1u << 20)

/* One source: a file of one directory and its next event, parsed. */
typedef struct source {
    FILE *f;
    int inventory;   /* 1: inventory.jsonl documents; 0: ledger_events.jsonl lines */
    int counts_only; /* inventory.jsonl read for its 3501 counts beside ledger_events.jsonl */
    size_t in;       /* its index in the summary's inputs (the array moves as it grows) */
    long line;
    char *buf;
    size_t cap;
    /* The pending items of the current line (an inventory document may carry several codes). */
    fg_ledger_event_t ev[64];
    size_t nev, iev;
    fg_inv_event_t count;
    int has_count;
    fg_arena_t arena;
} source_t;

typedef struct pack {
    fg__screen_ctx_t *cx;
    source_t *src;
    size_t nsrc;
    fg_ledger_t *lg;
} pack_t;

#define IN(pk, s) (&(pk)->cx->sum->inputs[(s)->in])

static void src_bad(pack_t *pk, source_t *s, fg_error_t *e)
{
    e->line = s->line;
    IN(pk, s)->bad_rows++;
    pk->cx->sum->bad_rows++;
    fg__screen_bad_row(pk->cx, IN(pk, s), e);
}

/* An inventory document's items as ledger events (or a stock count). */
static void from_inventory(pack_t *pk, source_t *s, const char *line, size_t n)
{
    int opening = memmem(line, n, "期初", strlen("期初")) != NULL; /* 3501 memo 期初盘存 */
    fg_arena_reset(&s->arena);
    fg_doc_t doc;
    fg_error_t e;
    if (fg_doc_parse(line, n, 0, NULL, &s->arena, &doc, NULL, &e) != 0) {
        src_bad(pk, s, &e);
        return;
    }
    IN(pk, s)->rows++;
    for (size_t i = 0; i < doc.ninv; i++) {
        const fg_inv_event_t *iv = &doc.inv[i];
        if (iv->type == FG_INV_STOCK_COUNT) {
            s->count = *iv;
            s->count.trace = NULL;
            s->count.ntrace = 0;
            if (s->count.fixmedins_code[0] == '\0')
                snprintf(s->count.fixmedins_code, sizeof(s->count.fixmedins_code), "%s",
                         doc.fixmedins_code);
            /* A count holds at the end of its day — except an opening count (memo 期初…), taken
             * before the day's business: it goes before the day's events. */
            fg_date_t d = fg_time_date(iv->time);
            s->count.time = opening ? fg_date_start(d) : fg_date_start(d) + 86399;
            s->has_count = 1;
            continue;
        }
        if (s->counts_only)
            continue;
        fg_ledger_type_t t = iv->type == FG_INV_PURCHASE          ? FG_LEDGER_PURCHASE
                             : iv->type == FG_INV_PURCHASE_RETURN ? FG_LEDGER_PURCHASE_RETURN
                             : iv->type == FG_INV_SALE            ? FG_LEDGER_SALE
                             : iv->type == FG_INV_SALE_RETURN     ? FG_LEDGER_SALE_RETURN
                                                                  : (fg_ledger_type_t)0;
        if (t == 0)
            continue;
        uint64_t units = iv->ntrace ? (uint64_t)iv->cnt / FG_QTY_ONE / iv->ntrace : 0;
        for (size_t k = 0; k < iv->ntrace && s->nev < 64; k++) {
            fg_ledger_event_t *ev = &s->ev[s->nev];
            memset(ev, 0, sizeof(*ev));
            ev->type = t;
            snprintf(ev->code, sizeof(ev->code), "%s", iv->trace[k].drug_trac_codg);
            snprintf(ev->inst, sizeof(ev->inst), "%s",
                     iv->fixmedins_code[0] ? iv->fixmedins_code : doc.fixmedins_code);
            ev->time = iv->time;
            ev->units = units > 0 && units < FG_LEDGER_UNITS_MAX ? (uint32_t)units : 0;
            ev->trdn = iv->trace[k].trdn_flag || iv->trdn_flag == 1;
            const fg_catalogue_item_t *c =
                fg__screen_ref_catalogue(&pk->cx->ref, iv->med_list_codg);
            if (c != NULL && c->pack_units > 0)
                ev->pack_units = (uint32_t)c->pack_units; /* the interfaces carry no pack size */
            snprintf(ev->med_list, sizeof(ev->med_list), "%s", iv->med_list_codg);
            snprintf(ev->setl_id, sizeof(ev->setl_id), "%s", iv->setl_id);
            snprintf(ev->psn_no, sizeof(ev->psn_no), "%s", iv->psn_no);
            if (fg_ledger_event_check(ev, &e) != 0) {
                src_bad(pk, s, &e);
                continue;
            }
            s->nev++;
        }
    }
}

/* Read lines until the source has something pending or ends. */
static void src_fill(pack_t *pk, source_t *s)
{
    while (s->f != NULL && s->iev >= s->nev && !s->has_count) {
        s->nev = s->iev = 0;
        ssize_t len = getline(&s->buf, &s->cap, s->f);
        if (len <= 0) {
            fclose(s->f);
            s->f = NULL;
            return;
        }
        s->line++;
        fg__screen_progress(pk->cx, (uint64_t)len);
        while (len > 0 && (s->buf[len - 1] == '\n' || s->buf[len - 1] == '\r'))
            len--;
        if (len == 0)
            continue;
        if (s->inventory) {
            from_inventory(pk, s, s->buf, (size_t)len);
            continue;
        }
        fg_error_t e;
        if (fg_ledger_event_parse_json(s->buf, (size_t)len, &s->ev[0], &e) != 0) {
            src_bad(pk, s, &e);
            continue;
        }
        s->nev = 1;
        IN(pk, s)->rows++;
    }
}

static fg_time_t src_time(const source_t *s)
{
    if (s->has_count)
        return s->count.time;
    return s->iev < s->nev ? s->ev[s->iev].time : FG_TIME_NONE;
}

static int open_source(pack_t *pk, const char *dir, const char *name, int inventory,
                       int counts_only)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return 0;
    source_t *v = fg_realloc_array(pk->src, pk->nsrc + 1, sizeof(*v));
    if (v == NULL) {
        fclose(f);
        return FG_ENOMEM;
    }
    pk->src = v;
    source_t *s = &v[pk->nsrc++];
    memset(s, 0, sizeof(*s));
    s->f = f;
    s->inventory = inventory;
    s->counts_only = counts_only;
    fg_arena_init(&s->arena, 0);
    s->in = pk->cx->sum->ninputs;
    return fg__screen_input_add(pk->cx, path, inventory ? "inventory" : "ledger_events") != NULL
               ? 0
               : FG_ENOMEM;
}

static int open_sources(pack_t *pk)
{
    fg__screen_ctx_t *cx = pk->cx;
    int counts = (cx->read & FG__SCREEN_IN_STOCK_COUNTS) != 0;
    int rc = 0;
    for (size_t d = 0; rc == 0 && d < cx->o->ndirs; d++) {
        const char *dir = cx->o->dirs[d];
        char path[4096];
        struct stat st;
        snprintf(path, sizeof(path), "%s/ledger_events.jsonl", dir);
        int has_ledger = stat(path, &st) == 0;
        if (has_ledger)
            rc = open_source(pk, dir, "ledger_events.jsonl", 0, 0);
        if (rc == 0 && (!has_ledger || counts))
            rc = open_source(pk, dir, "inventory.jsonl", 1, has_ledger);
    }
    return rc;
}

static int apply_next(pack_t *pk, source_t *s, fg_error_t *err)
{
    fg__screen_event_t e = {.file = IN(pk, s)->path, .line = s->line};
    if (s->has_count) {
        s->has_count = 0;
        e.count = &s->count;
        if (!fg__screen_in_window(pk->cx, s->count.time))
            return 0;
        return fg__screen_call_event(pk->cx, &e);
    }
    const fg_ledger_event_t *ev = &s->ev[s->iev++];
    if (!fg__screen_in_window(pk->cx, ev->time)) {
        IN(pk, s)->filtered++;
        return 0;
    }
    fg_ledger_result_t res;
    int rc = fg_ledger_apply(pk->lg, ev, &res, err);
    if (rc != 0)
        return rc;
    if (res.outcome == FG_LEDGER_INVALID) {
        fg_error_t be = res.error;
        src_bad(pk, s, &be);
        return 0;
    }
    pk->cx->sum->events++;
    e.ev = ev;
    e.res = &res;
    return fg__screen_call_event(pk->cx, &e);
}

int fg__screen_pack_run(fg__screen_ctx_t *cx, fg_error_t *err)
{
    if ((cx->read & (FG__SCREEN_IN_PACK_EVENTS | FG__SCREEN_IN_STOCK_COUNTS)) == 0)
        return 0;
    pack_t pk = {.cx = cx};
    char dir[4200];
    snprintf(dir, sizeof(dir), "%s/ledger", cx->tmp);
    fg_ledger_options_t lo;
    memset(&lo, 0, sizeof(lo));
    lo.fsync = FG_LEDGER_FSYNC_OFF;
    lo.snapshot_bytes = UINT64_MAX;
    cx->doing = "pack events";
    int rc = fg_ledger_open(dir, &lo, &pk.lg, NULL, err);
    if (rc == 0)
        rc = open_sources(&pk);
    while (rc == 0 && !cx->fatal) {
        source_t *best = NULL;
        for (size_t i = 0; i < pk.nsrc; i++) {
            src_fill(&pk, &pk.src[i]);
            fg_time_t t = src_time(&pk.src[i]);
            if (t != FG_TIME_NONE && (best == NULL || t < src_time(best)))
                best = &pk.src[i];
        }
        if (best == NULL)
            break;
        rc = apply_next(&pk, best, err);
    }
    if (rc == 0 && cx->fatal) {
        *err = cx->fatal_err;
        rc = err->code != 0 ? err->code : FG_EINVAL;
    }
    for (size_t i = 0; i < pk.nsrc; i++) {
        if (pk.src[i].f != NULL)
            fclose(pk.src[i].f);
        free(pk.src[i].buf);
        fg_arena_release(&pk.src[i].arena);
    }
    fg_free(pk.src);
    fg_error_t e2;
    if (pk.lg != NULL && fg_ledger_close(pk.lg, &e2) != 0 && rc == 0) {
        *err = e2;
        rc = e2.code;
    }
    return rc;
}
