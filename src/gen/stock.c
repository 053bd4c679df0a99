/*
 * stock.c — packs: their trace codes, their purchases, and the time-ordered event files.
 *
 * Persons are generated one after another, so pack events (a sale in March by person 7, its
 * purchase in February) arrive out of time order. Each event goes to the bucket of its week (a raw
 * scratch file in OUT/.gen-tmp/); at the end the buckets are read back one at a time, sorted, and
 * written as ledger_events.jsonl (one line per pack event, in time order) and inventory.jsonl (the
 * 3501/3503/3504/3505/3506 documents of the national inventory interfaces). Memory holds one week.
 *
 * Stock per (institution, drug) is kept as counters so the opening and closing counts (3501) agree
 * with purchases and sales — except where a fraud case makes them disagree:
 *   closing = opening + purchases − purchase returns − sales + sale returns.
 */
#include "core/compat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fundguard/alloc.h"
#include "fundguard/codes.h"
#include "gen/gen_int.h"

#define BUCKET_BUF (256u << 10)

/* ---------------------------------------------------------------- trace codes */

size_t fg__gen_trace_code(const gen_cat_t *c, uint64_t serial, char out[64])
{
    if (!c->gs1) {
        /* 7-digit product code (8xxxxxx) + 9-digit serial + 4 check digits. */
        fg__gen_fmt_pad(out, c->product, 7);
        fg__gen_fmt_pad(out + 7, serial % 1000000000ULL, 9);
        uint64_t h = gen_mix64((uint64_t)c->product << 32 ^ serial);
        fg__gen_fmt_pad(out + 16, h % 10000, 4);
        out[20] = '\0';
        return 20;
    }
    /* Imported packs carry a GS1 DataMatrix: (01) GTIN-14 (17) expiry (10) batch (21) serial. */
    char gtin[15];
    gtin[0] = '0';
    memcpy(gtin + 1, "690", 3);
    fg__gen_fmt_pad(gtin + 4, (uint64_t)c->product % 1000000000ULL, 9);
    int cd = fg_gs1_check_digit(gtin, 13);
    gtin[13] = (char)('0' + (cd < 0 ? 0 : cd));
    gtin[14] = '\0';
    uint64_t batch = serial / 5000;
    uint64_t h = gen_mix64(batch ^ c->product);
    int yy = 26 + (int)(h % 3);
    int mm = 1 + (int)((h >> 8) % 12);
    size_t n = 0;
    memcpy(out + n, "(01)", 4);
    n += 4;
    memcpy(out + n, gtin, 14);
    n += 14;
    memcpy(out + n, "(17)", 4);
    n += 4;
    n += fg__gen_fmt_pad(out + n, (uint64_t)yy, 2);
    n += fg__gen_fmt_pad(out + n, (uint64_t)mm, 2);
    memcpy(out + n, "28", 2);
    n += 2;
    memcpy(out + n, "(10)B", 5);
    n += 5;
    n += fg__gen_fmt_pad(out + n, batch % 1000000, 6);
    memcpy(out + n, "(21)", 4);
    n += 4;
    n += fg__gen_fmt_pad(out + n, serial % 1000000000ULL, 9);
    out[n] = '\0';
    return n;
}

/* ---------------------------------------------------------------- stock table */

static uint64_t stock_key(uint32_t inst, uint32_t cat)
{
    return (uint64_t)inst << 32 | (uint64_t)(cat + 1);
}

static int stock_grow(gen_stock_t *s)
{
    uint64_t cap = s->cap ? s->cap * 2 : 1u << 14;
    gen_stock_entry_t *t = fg_calloc(cap, sizeof(*t));
    if (t == NULL)
        return FG_ENOMEM;
    for (uint64_t i = 0; i < s->cap; i++) {
        if (s->tab[i].key == 0)
            continue;
        uint64_t h = gen_mix64(s->tab[i].key) & (cap - 1);
        while (t[h].key != 0)
            h = (h + 1) & (cap - 1);
        t[h] = s->tab[i];
    }
    fg_free(s->tab);
    s->tab = t;
    s->cap = cap;
    return 0;
}

gen_stock_entry_t *fg__gen_stock_at(gen_stock_t *s, uint32_t inst, uint32_t cat)
{
    if ((s->n + 1) * 10 >= s->cap * 7 && stock_grow(s) != 0) {
        s->err = FG_ENOMEM;
        return NULL;
    }
    uint64_t key = stock_key(inst, cat);
    uint64_t h = gen_mix64(key) & (s->cap - 1);
    while (s->tab[h].key != 0) {
        if (s->tab[h].key == key)
            return &s->tab[h];
        h = (h + 1) & (s->cap - 1);
    }
    s->tab[h].key = key;
    s->n++;
    return &s->tab[h];
}

/* ---------------------------------------------------------------- buckets */

int fg__gen_stock_open(gen_ctx_t *g, fg_error_t *err)
{
    gen_stock_t *s = &g->stock;
    memset(s, 0, sizeof(*s));
    if ((size_t)snprintf(s->dir, sizeof(s->dir), "%s/.gen-tmp", g->opt.out_dir) >= sizeof(s->dir))
        return fg_error_set(err, FG_ELIMIT, "out", 0, "the output path is too long");
    if (mkdir(s->dir, 0700) != 0 && errno != EEXIST)
        return fg_error_set(err, -errno, "out", 0, "cannot create %s", s->dir);
    /* Weeks from 10 weeks before 1 January (stock bought ahead) to 3 weeks after the year. */
    s->first_day = g->y0 - 70;
    s->nbuckets = (g->ndays + 70 + 21) / 7 + 1;
    s->bucket = fg_calloc((size_t)s->nbuckets, sizeof(*s->bucket));
    if (s->bucket == NULL)
        return fg_error_set(err, FG_ENOMEM, NULL, 0, NULL);
    for (int i = 0; i < s->nbuckets; i++)
        s->bucket[i].fd = -1;
    for (int i = 0; i < s->nbuckets; i++) {
        char path[4200];
        snprintf(path, sizeof(path), "%s/week-%03d.bin", s->dir, i);
        s->bucket[i].fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (s->bucket[i].fd < 0)
            return fg_error_set(err, -errno, "out", 0, "cannot create %s", path);
        unlink(path); /* removed when closed, even if the run dies */
        s->bucket[i].buf = fg_malloc(BUCKET_BUF);
        if (s->bucket[i].buf == NULL)
            return fg_error_set(err, FG_ENOMEM, NULL, 0, NULL);
    }
    return 0;
}

static void bucket_flush(gen_stock_t *s, gen_bucket_t *b)
{
    size_t off = 0;
    while (off < b->len && s->err == 0) {
        ssize_t k = write(b->fd, b->buf + off, b->len - off);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            s->err = -errno;
            break;
        }
        off += (size_t)k;
    }
    b->bytes += b->len;
    b->len = 0;
}

void fg__gen_stock_event(gen_ctx_t *g, const gen_lev_t *ev)
{
    gen_stock_t *s = &g->stock;
    fg_date_t d = fg_time_date(ev->time);
    int w = (d - s->first_day) / 7;
    if (w < 0)
        w = 0;
    if (w >= s->nbuckets)
        w = s->nbuckets - 1;
    gen_bucket_t *b = &s->bucket[w];
    if (b->len + sizeof(*ev) > BUCKET_BUF)
        bucket_flush(s, b);
    gen_lev_t e = *ev;
    e.seq = s->seq++;
    memcpy(b->buf + b->len, &e, sizeof(e));
    b->len += sizeof(e);
}

fg_time_t fg__gen_purchase_time(const gen_ctx_t *g, uint32_t inst, fg_time_t before, gen_rng_t *r)
{
    const gen_inst_t *in = &g->reg.inst[inst];
    fg_time_t latest = before - 3 * 3600;
    fg_date_t d = fg_time_date(latest);
    int offset = (int)(gen_mix64(inst) % 120);
    int pharmacy = in->kind >= IK_PH_CHAIN;
    /* The last delivery day at or before d. */
    for (int k = 0; k < 8; k++) {
        int wd = fg_date_weekday(d);
        int delivery = pharmacy ? wd == in->delivery_wday : (wd == 0 || wd == 3);
        fg_time_t t = fg_date_start(d) + (fg_time_t)((pharmacy ? 600 : 570) + offset) * 60;
        if (delivery && t <= latest)
            break;
        d--;
    }
    /* Stock waits on the shelf 0–3 delivery rounds. */
    int extra = 0;
    while (extra < 3 && rng_chance(r, 0.45))
        extra++;
    d -= extra * (pharmacy ? 7 : (extra % 2 ? 3 : 4));
    return fg_date_start(d) + (fg_time_t)((pharmacy ? 600 : 570) + offset) * 60;
}

/* ---------------------------------------------------------------- the end of the year */

static int entry_cmp(const void *a, const void *b)
{
    const gen_stock_entry_t *x = a;
    const gen_stock_entry_t *y = b;
    return x->key < y->key ? -1 : x->key > y->key;
}

static int lev_cmp(const void *a, const void *b)
{
    const gen_lev_t *x = a;
    const gen_lev_t *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    if (x->inst != y->inst)
        return x->inst < y->inst ? -1 : 1;
    if (x->type != y->type)
        return x->type < y->type ? -1 : 1;
    if (x->cat != y->cat)
        return x->cat < y->cat ? -1 : 1;
    if (x->feedetl != y->feedetl)
        return x->feedetl < y->feedetl ? -1 : 1;
    if (x->serial != y->serial)
        return x->serial < y->serial ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void ev_count(gen_ctx_t *g, uint32_t inst, uint32_t cat, fg_time_t t, uint32_t packs,
                     int closing)
{
    gen_lev_t e;
    memset(&e, 0, sizeof(e));
    e.type = LV_COUNT;
    e.time = t;
    e.inst = inst;
    e.cat = cat;
    e.units = packs;
    e.closing = (uint8_t)closing;
    e.psn = GEN_NONE;
    fg__gen_stock_event(g, &e);
}

/* Closing stock: every (institution, drug) that sold packs keeps some unsold ones from its last
 * deliveries; a few are sent back to the supplier. Then the opening and closing counts. */
static int close_stock(gen_ctx_t *g)
{
    gen_stock_t *s = &g->stock;
    gen_stock_entry_t *all = fg_malloc((size_t)(s->n ? s->n : 1) * sizeof(*all));
    if (all == NULL)
        return FG_ENOMEM;
    uint64_t n = 0;
    for (uint64_t i = 0; i < s->cap; i++)
        if (s->tab[i].key != 0)
            all[n++] = s->tab[i];
    qsort(all, n, sizeof(*all), entry_cmp);
    fg_time_t year_end = g->t0 + (fg_time_t)g->ndays * 86400;
    for (uint64_t i = 0; i < n; i++) {
        gen_stock_entry_t *e = &all[i];
        uint32_t inst = (uint32_t)(e->key >> 32);
        uint32_t cat = (uint32_t)(e->key & 0xffffffffULL) - 1;
        if (e->sold == 0 && e->reflow == 0 && e->fake == 0)
            continue;
        const gen_cat_t *it = &g->cat.items[cat];
        gen_rng_t r;
        fg__gen_rng_init(&r, g->seed, ST_STOCK, e->key);
        uint32_t unsold = 1 + (uint32_t)((double)e->sold * (0.05 + 0.2 * rng_unit(&r)));
        if (unsold > 400)
            unsold = 400;
        fg_time_t before = year_end - 86400 * (fg_time_t)rng_range(&r, 3, 20);
        fg_time_t pt = fg__gen_purchase_time(g, inst, before, &r);
        for (uint32_t k = 0; k < unsold; k++) {
            gen_lev_t ev;
            memset(&ev, 0, sizeof(ev));
            ev.type = LV_PURCHASE;
            ev.time = pt;
            ev.inst = inst;
            ev.cat = cat;
            ev.serial = g->cat.items[cat].serial++;
            ev.units = it->pack_units;
            ev.price = it->price * 85 / 100;
            ev.psn = GEN_NONE;
            ev.gs1 = it->gs1;
            fg__gen_stock_event(g, &ev);
            /* One in ten institutions sends a pack or two back (damaged, near expiry). */
            if (k < 2 && rng_chance(&r, 0.05)) {
                gen_lev_t ret = ev;
                ret.type = LV_PURCHASE_RETURN;
                ret.time = pt + 86400 * (fg_time_t)rng_range(&r, 1, 5) + 3600;
                if (ret.time < year_end - 3600) {
                    fg__gen_stock_event(g, &ret);
                    e->pret++;
                }
            }
        }
        e->unsold = unsold;
        if (e->pre > 0)
            ev_count(g, inst, cat, g->t0 + 60, e->pre, 0);
        uint32_t closing = e->unsold - e->pret + e->returned + e->reflow - e->reflow_sold;
        ev_count(g, inst, cat, year_end - 1800, closing, 1);
    }
    fg_free(all);
    return 0;
}

/* ---------------------------------------------------------------- writing the event files */

static void psn_text(const gen_ctx_t *g, const gen_lev_t *e, char out[24], size_t *n)
{
    if (e->psn == GEN_NONE) {
        *n = 0;
        out[0] = '\0';
        return;
    }
    memcpy(out, g->reg.counties[e->county].code, 6);
    fg__gen_fmt_pad(out + 6, (uint64_t)e->psn + 1, 10);
    out[16] = '\0';
    *n = 16;
}

static const char *const lev_names[] = {"count", "purchase", "purchase_return", "sale",
                                        "sale_return"};

static void write_ledger(gen_ctx_t *g, gen_out_t *w, const gen_lev_t *e)
{
    const gen_cat_t *it = &g->cat.items[e->cat];
    char buf[64];
    size_t n;
    OUT_LIT(w, "{\"type\":\"");
    out_s(w, lev_names[e->type]);
    OUT_LIT(w, "\",\"drug_trac_codg\":\"");
    out_mem(w, buf, fg__gen_trace_code(it, e->serial, buf));
    OUT_LIT(w, "\",\"fixmedins_code\":\"");
    out_mem(w, g->reg.inst[e->inst].code, 12);
    OUT_LIT(w, "\",\"time\":\"");
    fg__gen_out_time(w, e->time);
    OUT_LIT(w, "\",\"units\":");
    fg__gen_out_u64(w, e->units);
    OUT_LIT(w, ",\"pack_units\":");
    fg__gen_out_u64(w, it->pack_units);
    OUT_LIT(w, ",\"trdn_flag\":");
    out_c(w, e->trdn ? '1' : '0');
    OUT_LIT(w, ",\"med_list_codg\":\"");
    out_mem(w, it->code, it->code_len);
    OUT_LIT(w, "\",\"setl_id\":\"");
    if (e->setl)
        out_mem(w, buf, fg__gen_id_setl(g, e->setl, buf));
    OUT_LIT(w, "\",\"feedetl_sn\":\"");
    if (e->feedetl)
        out_mem(w, buf, fg__gen_id_feedetl(g, e->feedetl, buf));
    OUT_LIT(w, "\",\"psn_no\":\"");
    psn_text(g, e, buf, &n);
    out_mem(w, buf, n);
    OUT_LIT(w, "\"}\n");
    w->rows++;
}

/* One inventory document for the run of events ev[0..n) (same time, institution, type, drug and,
 * for sales, fee line). */
static void write_inventory(gen_ctx_t *g, gen_out_t *w, const gen_lev_t *ev, size_t n,
                            uint64_t *msg)
{
    const gen_lev_t *e = &ev[0];
    const gen_inst_t *in = &g->reg.inst[e->inst];
    const gen_cat_t *it = &g->cat.items[e->cat];
    static const int infno[] = {3501, 3503, 3504, 3505, 3506};
    static const char *const part[] = {"invinfo", "purcinfo", "purcinfo", "selinfo", "selinfo"};
    char buf[64];
    OUT_LIT(w, "{\"infno\":\"");
    fg__gen_out_u64(w, (uint64_t)infno[e->type]);
    OUT_LIT(w, "\",\"msgid\":\"");
    out_mem(w, in->code, 12);
    {
        /* yyyyMMddHHmmss of the event, then a serial. */
        char t[20];
        fg__gen_fmt_time(w, t, e->time);
        char compact[14] = {t[0], t[1],  t[2],  t[3],  t[5],  t[6],  t[8],
                            t[9], t[11], t[12], t[14], t[15], t[17], t[18]};
        out_mem(w, compact, 14);
        out_mem(w, buf, fg__gen_fmt_pad(buf, ++*msg % 10000, 4));
    }
    OUT_LIT(w, "\",\"fixmedins_code\":\"");
    out_mem(w, in->code, 12);
    OUT_LIT(w, "\",\"input\":{\"");
    out_s(w, part[e->type]);
    OUT_LIT(w, "\":{\"med_list_codg\":\"");
    out_mem(w, it->code, it->code_len);
    OUT_LIT(w, "\",\"rx_flag\":\"");
    out_c(w, it->lv == 1 && it->form == FORM_TABLET ? '0' : '1');
    out_c(w, '"');
    uint64_t units = 0;
    for (size_t i = 0; i < n; i++)
        units += ev[i].units;
    switch (e->type) {
    case LV_COUNT:
        OUT_LIT(w, ",\"invdate\":\"");
        fg__gen_out_date(w, fg_time_date(e->time));
        OUT_LIT(w, "\",\"inv_cnt\":\"");
        fg__gen_out_u64(w, (uint64_t)e->units * it->pack_units);
        OUT_LIT(w, "\",\"memo\":\"");
        out_s(w, e->closing ? "期末盘存" : "期初盘存");
        OUT_LIT(w, "\"}}}\n");
        w->rows++;
        return;
    case LV_PURCHASE:
    case LV_PURCHASE_RETURN:
        OUT_LIT(w, ",\"manu_lotnum\":\"");
        out_mem(w, buf, fg__gen_fmt_pad(buf, (e->serial / 5000) % 1000000, 6));
        OUT_LIT(w, "\",\"finl_trns_pric\":\"");
        fg__gen_out_fen(w, e->price);
        OUT_LIT(w, "\",\"purc_retn_cnt\":\"");
        fg__gen_out_u64(w, units);
        OUT_LIT(w, "\",\"purc_retn_stoin_time\":\"");
        fg__gen_out_time(w, e->time);
        out_c(w, '"');
        break;
    default: {
        size_t k;
        OUT_LIT(w, ",\"trdn_flag\":\"");
        out_c(w, e->trdn ? '1' : '0');
        OUT_LIT(w, "\",\"finl_trns_pric\":\"");
        fg__gen_out_fen(w, e->price);
        OUT_LIT(w, "\",\"sel_retn_cnt\":\"");
        fg__gen_out_u64(w, units);
        OUT_LIT(w, "\",\"sel_retn_time\":\"");
        fg__gen_out_time(w, e->time);
        OUT_LIT(w, "\",\"setl_id\":\"");
        if (e->setl)
            out_mem(w, buf, fg__gen_id_setl(g, e->setl, buf));
        OUT_LIT(w, "\",\"psn_no\":\"");
        psn_text(g, e, buf, &k);
        out_mem(w, buf, k);
        out_c(w, '"');
        break;
    }
    }
    OUT_LIT(w, ",\"drugtracinfo\":[");
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            out_c(w, ',');
        OUT_LIT(w, "{\"drug_trac_codg\":\"");
        out_mem(w, buf, fg__gen_trace_code(it, ev[i].serial, buf));
        OUT_LIT(w, "\"}");
    }
    OUT_LIT(w, "]}}}\n");
    w->rows++;
}

static int same_doc(const gen_lev_t *a, const gen_lev_t *b)
{
    return a->time == b->time && a->inst == b->inst && a->type == b->type && a->cat == b->cat &&
           a->feedetl == b->feedetl && a->type != LV_COUNT;
}

int fg__gen_stock_finish(gen_ctx_t *g, fg_error_t *err)
{
    gen_stock_t *s = &g->stock;
    int rc = close_stock(g);
    if (rc != 0)
        return fg_error_set(err, rc, NULL, 0, NULL);
    for (int i = 0; i < s->nbuckets; i++)
        bucket_flush(s, &s->bucket[i]);
    if (s->err != 0)
        return fg_error_set(err, s->err, "out", 0, "cannot write the scratch buckets");
    gen_out_t *led = &g->json[GF_LEDGER - GF__TABLES];
    gen_out_t *inv = &g->json[GF_INVENTORY - GF__TABLES];
    uint64_t msg = 0;
    gen_lev_t *ev = NULL;
    size_t ev_cap = 0;
    for (int b = 0; b < s->nbuckets; b++) {
        gen_bucket_t *bk = &s->bucket[b];
        size_t n = (size_t)(bk->bytes / sizeof(gen_lev_t));
        if (n == 0)
            continue;
        if (n > ev_cap) {
            gen_lev_t *p = fg_realloc_array(ev, n, sizeof(*ev));
            if (p == NULL) {
                fg_free(ev);
                return fg_error_set(err, FG_ENOMEM, NULL, 0, NULL);
            }
            ev = p;
            ev_cap = n;
        }
        size_t want = n * sizeof(gen_lev_t);
        size_t got = 0;
        while (got < want) {
            ssize_t k = pread(bk->fd, (char *)ev + got, want - got, (off_t)got);
            if (k <= 0) {
                if (k < 0 && errno == EINTR)
                    continue;
                fg_free(ev);
                return fg_error_set(err, k < 0 ? -errno : FG_EIO, "out", 0,
                                    "cannot read the scratch buckets back");
            }
            got += (size_t)k;
        }
        qsort(ev, n, sizeof(*ev), lev_cmp);
        for (size_t i = 0; i < n;) {
            size_t j = i + 1;
            while (j < n && same_doc(&ev[i], &ev[j]))
                j++;
            /* Purchases, purchase returns and stock counts go to the inventory interfaces; sales
             * and sale returns are in the settlements (drug_trac_info) and the ledger events. */
            if (ev[i].type == LV_COUNT || ev[i].type == LV_PURCHASE ||
                ev[i].type == LV_PURCHASE_RETURN) {
                write_inventory(g, inv, ev + i, j - i, &msg);
                g->st.inv_events++;
            }
            for (size_t k = i; k < j; k++) {
                if (ev[k].type == LV_COUNT)
                    continue;
                write_ledger(g, led, &ev[k]);
                g->st.ledger_events++;
            }
            i = j;
        }
        if (g->opt.progress != NULL) {
            g->work_done++;
            g->opt.progress(g->opt.progress_ctx, g->work_done, g->work_total);
        }
    }
    fg_free(ev);
    return 0;
}

void fg__gen_stock_close(gen_stock_t *s)
{
    if (s->bucket != NULL) {
        for (int i = 0; i < s->nbuckets; i++) {
            if (s->bucket[i].fd >= 0)
                close(s->bucket[i].fd);
            fg_free(s->bucket[i].buf);
        }
    }
    fg_free(s->bucket);
    fg_free(s->tab);
    if (s->dir[0] != '\0')
        rmdir(s->dir);
    memset(s, 0, sizeof(*s));
}
