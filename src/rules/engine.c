/*
 * engine.c — the check driver: prepares a settlement (scene, person, lines with their facts, the
 * person's history), runs the status checks and the family evaluators, turns hits into verdicts per
 * stage (SPEC §4 table), writes the decision JSON, commits to the history, and takes and replays
 * snapshots.
 *
 * The hot path allocates only from the caller's arena: one fg_kb_lookup per fee line, the person's
 * history is scanned in place.
 */
#include "core/compat.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fundguard/alloc.h"
#include "fundguard/hash.h"
#include "rules/rules_int.h"

struct fg_review {
    const fg_kb_t *kb;
    const fg_ref_t *ref;
    fg_history_t *hist;
};

struct fg_replay {
    fg_kb_t *kb;
    fg_ref_t *ref;
    fg_history_t *hist;
    fg_review_t *review;
};

fg_review_t *fg_review_new(const fg_kb_t *kb, const fg_ref_t *ref, fg_history_t *history)
{
    fg_review_t *r = fg_calloc(1, sizeof(*r));
    if (r == NULL)
        return NULL;
    r->kb = kb;
    r->ref = ref;
    r->hist = history;
    if (history != NULL)
        fg_history_set_retention(history, fg_kb_params(kb)->history_days);
    return r;
}

void fg_review_free(fg_review_t *r)
{
    fg_free(r);
}

/* ---------------------------------------------------------------- helpers */

int fg__in_list(const char *list, const char *s)
{
    size_t n = strlen(s);
    if (n == 0)
        return 0;
    const char *p = list;
    while (*p != '\0') {
        const char *bar = strchr(p, '|');
        size_t len = bar != NULL ? (size_t)(bar - p) : strlen(p);
        if (len == n && memcmp(p, s, n) == 0)
            return 1;
        if (bar == NULL)
            break;
        p = bar + 1;
    }
    return 0;
}

const char *fg__fmt(rctx_t *c, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0)
        return "";
    size_t len = (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1;
    char *s = fg_arena_strndup(c->arena, tmp, len);
    if (s == NULL) {
        c->rc = FG_ENOMEM;
        return "";
    }
    return s;
}

/* A copy of s[0..n) in the arena (no formatting: the hot path avoids printf). */
static const char *dup_n(rctx_t *c, const char *s, size_t n)
{
    char *d = fg_arena_strndup(c->arena, s, n);
    if (d == NULL) {
        c->rc = FG_ENOMEM;
        return "";
    }
    return d;
}

const char *fg__date_text(rctx_t *c, fg_date_t d)
{
    if (d == FG_DATE_NONE)
        return "（未填）";
    char t[FG_DATE_TEXTLEN + 1];
    return dup_n(c, t, fg_date_format(d, t));
}

const char *fg__money_text(rctx_t *c, fg_fen_t f)
{
    char t[FG_MONEY_TEXTLEN];
    return dup_n(c, t, fg_money_format(f, t));
}

const char *fg__qty_text(rctx_t *c, fg_qty_t q)
{
    char t[FG_MONEY_TEXTLEN];
    return dup_n(c, t, fg_qty_format(q, t));
}

/* Copy s into out (cap bytes), cut if longer. */
static void copy_str(char *out, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (n >= cap)
        n = cap - 1;
    memcpy(out, s, n);
    out[n] = '\0';
}

int fg__age(const rctx_t *c, fg_date_t on)
{
    if (c->brdy == FG_DATE_NONE || on == FG_DATE_NONE || on < c->brdy)
        return -1;
    return fg_age_years(c->brdy, on);
}

const char *fg__age_text(rctx_t *c, fg_date_t on)
{
    int age = fg__age(c, on);
    if (age < 0)
        return "（年龄不详）";
    if (age >= 1)
        return fg__fmt(c, "%d岁", age);
    return fg__fmt(c, "出生%d天", (int)fg_days_between(c->brdy, on));
}

fg_fen_t fg__qty_amount(fg_qty_t qty, fg_fen_t pric)
{
    fg_fen_t out;
    if (fg_money_mul_qty(pric, qty, &out) != 0)
        return 0;
    return out;
}

fg_fen_t fg__share(fg_fen_t total, int64_t num, int64_t den)
{
    __extension__ typedef __int128 wide_t;
    if (den == 0)
        return 0;
    return (fg_fen_t)((wide_t)total * num / den);
}

int fg__rule_on(const rctx_t *c, int rule)
{
    const fg_rule_t *r = fg_rule(rule);
    return (r->stages & FG_STAGE_BIT(c->stage)) != 0 && (r->scenes & FG_SCENE_BIT(c->scene)) != 0;
}

void fg__kp(const rctx_t *c, uint16_t table, uint32_t row, char kp[80], char version[16])
{
    fg_kb_kp(c->kb, table, row, kp, 80);
    const fg_kb_table_info_t *t = fg_kb_table_info(c->kb, table);
    copy_str(version, 16, t != NULL ? t->version : "params");
}

/* Fill {key} placeholders of a template. */
static const char *render(rctx_t *c, const char *tpl, const kv_t *kv, size_t nkv)
{
    char out[1024];
    size_t o = 0;
    for (const char *p = tpl; *p != '\0' && o < sizeof(out) - 1;) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            if (close != NULL) {
                size_t kl = (size_t)(close - p - 1);
                const char *val = NULL;
                for (size_t i = 0; i < nkv; i++)
                    if (strlen(kv[i].key) == kl && memcmp(kv[i].key, p + 1, kl) == 0)
                        val = kv[i].val;
                if (val != NULL) {
                    size_t vl = strlen(val);
                    if (vl > sizeof(out) - 1 - o)
                        vl = sizeof(out) - 1 - o;
                    memcpy(out + o, val, vl);
                    o += vl;
                    p = close + 1;
                    continue;
                }
            }
        }
        out[o++] = *p++;
    }
    out[o] = '\0';
    char *s = fg_arena_strndup(c->arena, out, o);
    if (s == NULL)
        c->rc = FG_ENOMEM;
    return s != NULL ? s : "";
}

void fg__hit(rctx_t *c, int rule, int line, fg_fen_t amount, const char *basis, const char *kp,
             const char *kp_version, const kv_t *kv, size_t nkv)
{
    if (c->nhits == c->hits_cap) {
        size_t cap = c->hits_cap ? c->hits_cap * 2 : 16;
        fg_hit_t *h = fg_arena_alloc(c->arena, cap * sizeof(*h));
        if (h == NULL) {
            c->rc = FG_ENOMEM;
            return;
        }
        if (c->nhits > 0)
            memcpy(h, c->hits, c->nhits * sizeof(*h));
        c->hits = h;
        c->hits_cap = cap;
    }
    fg_hit_t *h = &c->hits[c->nhits++];
    h->rule = rule;
    h->line = line;
    h->amount = amount;
    h->basis = basis;
    copy_str(h->kp, sizeof(h->kp), kp);
    copy_str(h->kp_version, sizeof(h->kp_version), kp_version);
    kv_t all[24];
    size_t n = 0;
    for (size_t i = 0; i < nkv && n < 20; i++)
        all[n++] = kv[i];
    if (line >= 0) {
        all[n++] = (kv_t){"name", c->lines[line].name};
        all[n++] = (kv_t){"date", fg__date_text(c, c->lines[line].date)};
    }
    all[n++] = (kv_t){"amount", fg__money_text(c, amount)};
    h->message = render(c, fg_rule(rule)->message, all, n);
}

void fg__hit_fact(rctx_t *c, int rule, int line, fg_fen_t amount, const char *basis, uint16_t table,
                  uint32_t row, const kv_t *kv, size_t nkv)
{
    char kp[80], ver[16];
    fg__kp(c, table, row, kp, ver);
    fg__hit(c, rule, line, amount, basis, kp, ver, kv, nkv);
}

/* ---------------------------------------------------------------- preparation */

static const char *first(const char *a, const char *b)
{
    return a != NULL && a[0] != '\0' ? a : (b != NULL ? b : "");
}

static int prepare(rctx_t *c)
{
    const fg_doc_t *d = c->doc;
    const fg_person_t *p = d->person;
    const fg_visit_t *v = d->visit;
    const fg_institution_t *in = d->institution;
    c->psn_no = first(p != NULL ? p->psn_no : NULL, v != NULL ? v->psn_no : NULL);
    const char *gend = first(p != NULL ? p->gend : NULL, v != NULL ? v->gend : NULL);
    c->gend = strcmp(gend, "1") == 0 ? 1 : strcmp(gend, "2") == 0 ? 2 : 0;
    c->brdy = p != NULL && p->brdy != FG_DATE_NONE ? p->brdy : v != NULL ? v->brdy : FG_DATE_NONE;
    c->insutype = first(v != NULL ? v->insutype : NULL, p != NULL ? p->insutype : NULL);
    c->med_type = v != NULL ? v->med_type : "";
    c->scene = fg_history_scene(c->med_type);
    const char *lv = first(in != NULL ? in->hosp_lv : NULL, v != NULL ? v->hosp_lv : NULL);
    c->hosp_lv = (lv[0] >= '1' && lv[0] <= '3' && lv[1] == '\0') ? lv[0] - '0' : 0;
    c->inst = first(in != NULL ? in->fixmedins_code : NULL,
                    first(v != NULL ? v->fixmedins_code : NULL, d->fixmedins_code));
    c->mdtrt_id = v != NULL ? v->mdtrt_id : "";
    c->visit32 = fg_history_h32(c->mdtrt_id);
    c->begin = v != NULL && v->begntime != FG_TIME_NONE ? fg_time_date(v->begntime) : FG_DATE_NONE;
    c->end = v != NULL && v->endtime != FG_TIME_NONE ? fg_time_date(v->endtime) : FG_DATE_NONE;

    c->nlines = d->nfees;
    c->lines = fg_arena_calloc(c->arena, d->nfees + 1, sizeof(*c->lines));
    c->nocode_used = fg_arena_calloc(c->arena, d->nfees + 1, sizeof(*c->nocode_used));
    if (c->lines == NULL || c->nocode_used == NULL)
        return FG_ENOMEM;
    c->settlement_total = 0;
    for (size_t i = 0; i < d->nfees; i++) {
        rline_t *l = &c->lines[i];
        const fg_fee_line_t *f = &d->fees[i];
        size_t cl = strlen(f->med_list_codg);
        l->fee = f;
        l->code = fg_kb_code_hash(f->med_list_codg, cl);
        l->facts = fg_kb_lookup_hash(c->kb, l->code);
        l->name = f->med_list_codg;
        for (const fg_kb_fact_t *x = l->facts; x != NULL; x = fg_kb_fact_next(c->kb, x)) {
            if (x->name != 0) {
                l->name = fg_kb_str(c->kb, x->name);
                break;
            }
        }
        l->time = f->fee_ocur_time != FG_TIME_NONE ? f->fee_ocur_time
                  : v != NULL                      ? v->begntime
                                                   : FG_TIME_NONE;
        l->date = l->time != FG_TIME_NONE ? fg_time_date(l->time) : FG_DATE_NONE;
        l->total =
            f->det_item_fee_sumamt != 0 ? f->det_item_fee_sumamt : fg__qty_amount(f->cnt, f->pric);
        l->id = fg_history_line_id(c->mdtrt_id, f->feedetl_sn);
        l->is_drug = f->med_list_codg[0] == 'X' || f->med_list_codg[0] == 'Z' ||
                     strcmp(f->list_type, "101") == 0;
        c->settlement_total += l->total;
    }

    /* the person's history, without the lines of this settlement (a re-check must not see itself)
     */
    const fg_hist_entry_t *all = NULL;
    size_t n = c->r->hist != NULL ? fg_history_person(c->r->hist, c->psn_no, &all) : 0;
    if (n > 0) {
        fg_hist_entry_t *h = fg_arena_alloc(c->arena, n * sizeof(*h));
        if (h == NULL)
            return FG_ENOMEM;
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            int own = 0;
            if (all[i].visit == c->visit32) {
                if (all[i].code == 0)
                    own = 1; /* this visit's marker */
                for (size_t j = 0; j < c->nlines && !own; j++)
                    own = all[i].id == c->lines[j].id;
            }
            if (!own)
                h[k++] = all[i];
        }
        c->hist = h;
        c->nhist = k;
    }
    return 0;
}

/* A fee line that reverses an earlier one: negative quantity or amount, or naming the line. */
static int is_refund_line(const fg_fee_line_t *f)
{
    return f->cnt < 0 || f->det_item_fee_sumamt < 0 || f->init_feedetl_sn[0] != '\0';
}

/* The time of the person's remembered line id, or none. */
/* ---------------------------------------------------------------- verdicts */

static fg_verdict_t action(fg_stage_t stage, fg_level_t level)
{
    if (stage == FG_STAGE_PRE)
        return FG_VERDICT_REMIND;
    if (stage == FG_STAGE_IN)
        return level == FG_LEVEL_DEFINITE ? FG_VERDICT_BLOCK : FG_VERDICT_HOLD;
    return FG_VERDICT_HOLD; /* post: a finding becomes a clue for review */
}

int fg_review_check(fg_review_t *r, const fg_doc_t *doc, fg_stage_t stage, fg_arena_t *arena,
                    fg_decision_t *out, fg_error_t *err)
{
    memset(out, 0, sizeof(*out));
    if (doc->visit == NULL)
        return fg_error_set(err, FG_EINVAL, "mdtrtinfo", 0, "a check needs mdtrtinfo (the visit)");
    if ((unsigned)stage > FG_STAGE_POST)
        return fg_error_set(err, FG_EINVAL, "stage", 0, "unknown stage");
    rctx_t c;
    memset(&c, 0, sizeof(c));
    c.r = r;
    c.kb = r->kb;
    c.P = fg_kb_params(r->kb);
    c.ref = r->ref;
    c.hist_store = r->hist;
    c.doc = doc;
    c.stage = stage;
    c.arena = arena;
    c.err = err;
    int rc = prepare(&c);
    if (rc != 0)
        return fg_error_set(err, rc, NULL, 0, NULL);

    /* A refund (退费结算, or lines that reverse earlier ones) gives money back: it is not reviewed.
     */
    int refund = doc->settlement != NULL && doc->settlement->refd_setl_flag == 1;
    if (!refund) {
        fg__eval_status(&c);
        fg__eval_patient(&c);
        fg__eval_course(&c);
        fg__eval_items(&c);
        fg__eval_local(&c);
    }
    if (c.rc != 0)
        return fg_error_set(err, c.rc, NULL, 0, NULL);
    size_t kept = 0;
    for (size_t i = 0; i < c.nhits; i++)
        if (c.hits[i].line < 0 || !is_refund_line(&doc->fees[c.hits[i].line]))
            c.hits[kept++] = c.hits[i];
    c.nhits = kept;

    out->stage = stage;
    out->nlines = doc->nfees;
    out->lines = fg_arena_calloc(arena, doc->nfees + 1, sizeof(*out->lines));
    if (out->lines == NULL)
        return fg_error_set(err, FG_ENOMEM, NULL, 0, NULL);
    out->verdict = FG_VERDICT_PASS;
    for (size_t i = 0; i < c.nhits; i++) {
        fg_verdict_t v = action(stage, fg_rule(c.hits[i].rule)->level);
        if (c.hits[i].line >= 0 && out->lines[c.hits[i].line] < v)
            out->lines[c.hits[i].line] = v;
        if (out->verdict < v)
            out->verdict = v;
    }
    out->hits = c.hits;
    out->nhits = c.nhits;
    out->kb_version = fg_kb_version(r->kb);
    out->rules_version = fg_rules_version();
    out->nocode_used = c.nocode_used;
    return 0;
}

/* ---------------------------------------------------------------- commit */

int fg_review_commit(fg_review_t *r, const fg_doc_t *doc, const fg_decision_t *d, fg_error_t *err)
{
    if (r->hist == NULL || d->stage == FG_STAGE_PRE || doc->visit == NULL)
        return 0;
    /* stage in: a blocked line was not paid, so it is not remembered */
    uint8_t *skip = d->stage == FG_STAGE_IN && doc->nfees > 0 ? fg_calloc(doc->nfees, 1) : NULL;
    if (d->stage == FG_STAGE_IN && doc->nfees > 0 && skip == NULL)
        return fg_error_set(err, FG_ENOMEM, "history", 0, NULL);
    for (size_t i = 0; skip != NULL && i < doc->nfees; i++)
        skip[i] = i < d->nlines && d->lines[i] == FG_VERDICT_BLOCK;
    int rc = fg_history_add_settlement(r->hist, doc, skip, d->nocode_used, err);
    fg_free(skip);
    return rc;
}

/* ---------------------------------------------------------------- JSON */

static int json_str(fg_buf_t *b, const char *s)
{
    return fg_buf_append_json_str(b, s, strlen(s));
}

int fg_decision_json(const fg_doc_t *doc, const fg_decision_t *d, fg_buf_t *b)
{
    int rc = fg_buf_printf(b, "{\"decision\":\"%s\",\"stage\":\"%s\",\"kb_version\":",
                           fg_verdict_name(d->verdict), fg_stage_name(d->stage));
    if (rc == 0)
        rc = json_str(b, d->kb_version != NULL ? d->kb_version : "");
    if (rc == 0)
        rc = fg_buf_appends(b, ",\"rules_version\":");
    if (rc == 0)
        rc = json_str(b, d->rules_version != NULL ? d->rules_version : "");
    if (rc == 0)
        rc = fg_buf_appends(b, ",\"mdtrt_id\":");
    if (rc == 0)
        rc = json_str(b, doc->visit != NULL ? doc->visit->mdtrt_id : "");
    if (rc == 0)
        rc = fg_buf_appends(b, ",\"lines\":[");
    for (size_t i = 0; i < d->nlines && rc == 0; i++) {
        rc = fg_buf_appends(b, i ? ",{\"feedetl_sn\":" : "{\"feedetl_sn\":");
        if (rc == 0)
            rc = json_str(b, doc->fees[i].feedetl_sn);
        if (rc == 0)
            rc = fg_buf_printf(b, ",\"decision\":\"%s\"}", fg_verdict_name(d->lines[i]));
    }
    if (rc == 0)
        rc = fg_buf_appends(b, "],\"hits\":[");
    for (size_t i = 0; i < d->nhits && rc == 0; i++) {
        const fg_hit_t *h = &d->hits[i];
        const fg_rule_t *r = fg_rule(h->rule);
        rc = fg_buf_printf(
            b,
            "%s{\"rule\":\"%s\",\"family\":\"%s\",\"level\":\"%s\",\"feedetl_sn\":", i ? "," : "",
            r->code, fg_family_name(r->family), fg_level_name(r->level));
        if (rc == 0)
            rc = h->line >= 0 ? json_str(b, doc->fees[h->line].feedetl_sn)
                              : fg_buf_appends(b, "null");
        if (rc == 0)
            rc = fg_buf_printf(b, ",\"amount\":%lld,\"basis\":\"%s\",\"kp\":", (long long)h->amount,
                               h->basis);
        if (rc == 0)
            rc = json_str(b, h->kp);
        if (rc == 0)
            rc = fg_buf_appends(b, ",\"kp_version\":");
        if (rc == 0)
            rc = json_str(b, h->kp_version);
        if (rc == 0)
            rc = fg_buf_appends(b, ",\"message\":");
        if (rc == 0)
            rc = json_str(b, h->message);
        if (rc == 0)
            rc = fg_buf_appendc(b, '}');
    }
    if (rc == 0)
        rc = fg_buf_appends(b, "]}");
    return rc;
}

/* ---------------------------------------------------------------- snapshots and replay */

static int seen_code(const uint64_t *codes, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; i++)
        if (codes[i] == h)
            return 1;
    return 0;
}

int fg_review_snapshot(const fg_review_t *r, const fg_doc_t *doc, fg_buf_t *kb_slice,
                       fg_buf_t *ref_slice, fg_buf_t *history_slice)
{
    const fg_visit_t *v = doc->visit;
    const char *psn =
        first(doc->person != NULL ? doc->person->psn_no : NULL, v != NULL ? v->psn_no : NULL);
    const char *inst = first(doc->institution != NULL ? doc->institution->fixmedins_code : NULL,
                             first(v != NULL ? v->fixmedins_code : NULL, doc->fixmedins_code));
    const fg_hist_entry_t *hist = NULL;
    size_t nh = r->hist != NULL ? fg_history_person(r->hist, psn, &hist) : 0;
    size_t cap = doc->nfees + nh + 1;
    uint64_t *codes = fg_calloc(cap, sizeof(*codes));
    const char **names = fg_calloc(doc->nfees + 1, sizeof(*names));
    if (codes == NULL || names == NULL) {
        fg_free(codes);
        fg_free(names);
        return FG_ENOMEM;
    }
    size_t nc = 0, nn = 0;
    int rc = fg_kb_slice_begin(r->kb, kb_slice);
    for (size_t i = 0; i < doc->nfees && rc == 0; i++) {
        const char *code = doc->fees[i].med_list_codg;
        uint64_t h = fg_kb_code_hash(code, strlen(code));
        if (seen_code(codes, nc, h))
            continue;
        codes[nc++] = h;
        names[nn++] = code;
        rc = fg_kb_slice_code(r->kb, h, kb_slice);
    }
    for (size_t i = 0; i < nh && rc == 0; i++) {
        if (hist[i].code == 0 || seen_code(codes, nc, hist[i].code))
            continue;
        codes[nc++] = hist[i].code;
        rc = fg_kb_slice_code(r->kb, hist[i].code, kb_slice);
    }
    if (rc == 0 && r->ref != NULL) {
        rc = fg_ref_slice_person(r->ref, psn, ref_slice);
        if (rc == 0)
            rc = fg_ref_slice_code(r->ref, 1, inst, ref_slice);
        for (size_t i = 0; i < doc->nfees && rc == 0; i++) {
            const char *dr = doc->fees[i].bilg_dr_codg;
            int dup = 0;
            for (size_t j = 0; j < i && !dup; j++)
                dup = strcmp(doc->fees[j].bilg_dr_codg, dr) == 0;
            if (!dup && dr[0] != '\0')
                rc = fg_ref_slice_code(r->ref, 0, dr, ref_slice);
        }
    }
    if (rc == 0 && r->hist != NULL && psn[0] != '\0') {
        rc = fg_buf_printf(history_slice, "P\t%s\n", psn);
        if (rc == 0)
            rc = fg_history_slice(r->hist, psn, inst, names, nn, history_slice);
    }
    fg_free(codes);
    fg_free(names);
    return rc;
}

int fg_replay_new(const char *kb_slice, size_t kb_n, const char *ref_slice, size_t ref_n,
                  const char *history_slice, size_t history_n, fg_replay_t **out, fg_error_t *err)
{
    fg_replay_t *rp = fg_calloc(1, sizeof(*rp));
    if (rp == NULL)
        return fg_error_set(err, FG_ENOMEM, NULL, 0, NULL);
    int rc = 0;
    rp->kb = fg_kb_new();
    rp->ref = fg_ref_new();
    rp->hist = fg_history_new();
    if (rp->kb == NULL || rp->ref == NULL || rp->hist == NULL)
        rc = fg_error_set(err, FG_ENOMEM, NULL, 0, NULL);
    if (rc == 0)
        rc = fg_kb_load_slice(rp->kb, kb_slice, kb_n, err);
    if (rc == 0 && ref_n > 0)
        rc = fg_ref_load_slice(rp->ref, ref_slice, ref_n, err);
    if (rc == 0 && history_n > 0)
        rc = fg_history_load_slice(rp->hist, history_slice, history_n, err);
    if (rc == 0) {
        rp->review = fg_review_new(rp->kb, rp->ref, rp->hist);
        if (rp->review == NULL)
            rc = fg_error_set(err, FG_ENOMEM, NULL, 0, NULL);
    }
    if (rc != 0) {
        fg_replay_free(rp);
        return rc;
    }
    *out = rp;
    return 0;
}

fg_review_t *fg_replay_review(fg_replay_t *rp)
{
    return rp->review;
}

void fg_replay_free(fg_replay_t *rp)
{
    if (rp == NULL)
        return;
    fg_review_free(rp->review);
    fg_history_free(rp->hist);
    fg_ref_free(rp->ref);
    fg_kb_free(rp->kb);
    fg_free(rp);
}
