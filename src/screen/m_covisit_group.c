/*
 * m_covisit_group.c — `covisit_group` (团伙就医 / 职业骗保人): groups of persons who visit the same
 * institutions on the same days again and again.
 *
 * A co-visit: two persons with a paid visit at one institution on one day (a stay counts on its
 * admission day; dialysis sessions are left out while skip_dialysis is 1, their patients share the
 * hospital three times a week by prescription; an institution-day of more than max_day_persons
 * persons is not counted, a crowd says nothing of who came together). The co-visit graph joins
 * two persons with at least min_days distinct co-visit days that are also min_share_pm / 1000 of
 * the lighter visitor's institution-days (two regulars of one township centre share a few days
 * by chance; a group shares most of its members' days), weighted by those days; its communities
 * come from the Louvain method at resolution resolution_milli / 1000 (louvain.c). The core of a
 * community of min_size … max_size persons is its members present on min_group_days or more of
 * its occasions (days with three or more members at one institution together); a core of
 * min_size or more persons with min_group_days occasions or more is a group. One finding per
 * group: psn_nos (the core, by psn_no), fixmedins_code (the institution of most occasions) and
 * every institution in evidence; amount = the members' settlements on those occasions.
 *
 * State: 24 bytes per paid visit (institution, day, person, amount) and one id per person and
 * institution; at the end a counting sketch of pairs (2 bytes per co-visiting pair, at most 64 MB)
 * so that only pairs seen on min_days days or more are counted exactly.
 */
#include "core/compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fundguard/alloc.h"
#include "screen/louvain.h"
#include "screen/mpost.h"

static const fg__screen_param_t PARAMS[] = {
    {"min_days", 3, 2, 366, "days", "distinct co-visit days that make an edge",
     "两人共同就医（同一机构同一天）的不同天数达到此数即连边"},
    {"min_share_pm", 500, 0, 1000, "per mille",
     "an edge also needs its co-visit days to be this share of the lighter visitor's visit days",
     "共同就医天数还须达到两人中就医天数较少者的此比例（千分比）"},
    {"resolution_milli", 1000, 100, 10000, "1/1000",
     "Louvain resolution (1000: classic modularity; higher gives smaller communities)",
     "Louvain分辨率（千分之一，1000为经典模块度，越大社区越小）"},
    {"min_size", 3, 2, 1000, "persons", "smallest group", "团伙最少人数"},
    {"max_size", 50, 3, 10000, "persons", "largest group", "团伙最多人数"},
    {"min_group_days", 3, 1, 366, "days",
     "days with three or more members at one institution together",
     "三名及以上成员同日在同一机构就医的天数达到此数"},
    {"max_day_persons", 200, 10, 100000, "persons",
     "an institution-day with more persons is not counted as co-visits",
     "某机构某日就医人数超过此数时不计共同就医"},
    {"skip_dialysis", 1, 0, 1, "flag", "1: dialysis sessions (N18, Z49) are not counted",
     "1：透析（主诊断N18、Z49）不计入"},
};

typedef struct tup {
    uint32_t inst;
    int32_t day;
    uint32_t psn;
    uint32_t pad;
    int64_t fen;
} tup_t;

typedef struct state {
    fg__mp_ids_t psn, inst;
    tup_t *t;
    size_t nt, cap;
} state_t;

static void sfree(void *p)
{
    state_t *s = p;
    if (s == NULL)
        return;
    fg__mp_ids_free(&s->psn);
    fg__mp_ids_free(&s->inst);
    fg_free(s->t);
    fg_free(s);
}

static int init(fg__screen_ctx_t *cx, void **out)
{
    (void)cx;
    state_t *s = fg_calloc(1, sizeof(*s));
    if (s == NULL)
        return FG_ENOMEM;
    if (fg__mp_ids_init(&s->psn) != 0 || fg__mp_ids_init(&s->inst) != 0) {
        sfree(s);
        return FG_ENOMEM;
    }
    *out = s;
    return 0;
}

static tup_t *push(state_t *s)
{
    if (s->nt == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 4096;
        tup_t *p = fg_realloc_array(s->t, cap, sizeof(*p));
        if (p == NULL)
            return NULL;
        s->t = p;
        s->cap = cap;
    }
    return &s->t[s->nt++];
}

static int person(fg__screen_ctx_t *cx, void *state, const fg__screen_person_t *p)
{
    state_t *s = state;
    fg__mp_visit_t *v;
    long n = fg__mp_visits(p, &v);
    if (n <= 0)
        return n < 0 ? FG_ENOMEM : 0;
    int skip = (int)fg__screen_param(cx, "skip_dialysis");
    uint32_t me = fg__mp_ids_of(&s->psn, p->psn_no);
    int rc = me == UINT32_MAX ? FG_ENOMEM : 0;
    for (long i = 0; i < n && rc == 0; i++) {
        const char *dx = fg__mp_main_diag(p, &v[i]);
        if (!fg__screen_in_window(cx, v[i].v->begntime) ||
            (skip && (strncmp(dx, "N18", 3) == 0 || strncmp(dx, "Z49", 3) == 0)))
            continue;
        uint32_t in = fg__mp_ids_of(&s->inst, v[i].v->fixmedins_code);
        tup_t *t = in == UINT32_MAX ? NULL : push(s);
        if (t == NULL) {
            rc = FG_ENOMEM;
            break;
        }
        t->inst = in;
        t->day = (int32_t)fg_time_date(v[i].v->begntime);
        t->psn = me;
        t->pad = 0;
        t->fen = v[i].s->medfee_sumamt;
    }
    fg_free(v);
    return rc;
}

static int cmp_tup(const void *a, const void *b)
{
    const tup_t *x = a;
    const tup_t *y = b;
    if (x->day != y->day)
        return x->day < y->day ? -1 : 1;
    if (x->inst != y->inst)
        return x->inst < y->inst ? -1 : 1;
    return x->psn < y->psn ? -1 : x->psn > y->psn;
}

/* The end of the institution-day group starting at t[a]; the persons in it are t[a..end), one
 * tuple per person after dedup (the sort puts a person's tuples together). */
static size_t group_end(const tup_t *t, size_t nt, size_t a)
{
    size_t b = a + 1;
    while (b < nt && t[b].day == t[a].day && t[b].inst == t[a].inst)
        b++;
    return b;
}

typedef struct pair_slot {
    uint32_t days;
    int32_t last;
} pair_slot_t;

static uint64_t mix(uint64_t x)
{
    x ^= x >> 31;
    x *= 0x7fb5d329728ea185ULL;
    x ^= x >> 27;
    x *= 0x81dadef4bc2dd44dULL;
    return x ^ (x >> 33);
}

/* The persons of group [a, b) once each, into u: count. */
static size_t unique_psn(const tup_t *t, size_t a, size_t b, uint32_t *u)
{
    size_t n = 0;
    for (size_t i = a; i < b; i++)
        if (n == 0 || u[n - 1] != t[i].psn)
            u[n++] = t[i].psn;
    return n;
}

/* The co-visit edges (pairs with ≥ min_days distinct days) into *out. */
static int edges(fg__screen_ctx_t *cx, const state_t *s, fg__mp_map_t *pairs)
{
    const tup_t *t = s->t;
    size_t maxp = (size_t)fg__screen_param(cx, "max_day_persons");
    uint32_t min_days = (uint32_t)fg__screen_param(cx, "min_days");
    uint32_t *u = fg_calloc(maxp + 1, sizeof(*u));
    if (u == NULL)
        return FG_ENOMEM;
    /* pass 1: a count-min sketch of pair-days, sized for the pairs there are */
    uint64_t npairs = 0;
    for (size_t a = 0; a < s->nt;) {
        size_t b = group_end(t, s->nt, a);
        uint64_t k = b - a;
        if (k <= maxp)
            npairs += k * (k - 1) / 2;
        a = b;
    }
    size_t cap = 1 << 16;
    while (cap < npairs && cap < ((size_t)1 << 25))
        cap *= 2;
    uint8_t *sk = fg_calloc(2 * cap, 1);
    int rc = sk == NULL ? FG_ENOMEM : 0;
    for (int pass = 0; pass < 2 && rc == 0; pass++) {
        for (size_t a = 0; a < s->nt && rc == 0;) {
            size_t b = group_end(t, s->nt, a);
            size_t n = b - a <= maxp ? unique_psn(t, a, b, u) : 0;
            for (size_t i = 0; i < n && rc == 0; i++)
                for (size_t j = i + 1; j < n; j++) {
                    uint64_t key = (uint64_t)u[i] << 32 | u[j];
                    uint64_t h = mix(key);
                    uint8_t *c1 = &sk[h & (cap - 1)];
                    uint8_t *c2 = &sk[cap + ((h >> 32) & (cap - 1))];
                    if (pass == 0) {
                        *c1 += *c1 < 255;
                        *c2 += *c2 < 255;
                        continue;
                    }
                    if ((*c1 < *c2 ? *c1 : *c2) < min_days)
                        continue;
                    pair_slot_t *ps = fg__mp_map_get(pairs, key);
                    if (ps == NULL) {
                        rc = FG_ENOMEM;
                        break;
                    }
                    if (ps->days == 0 || ps->last != t[a].day) {
                        ps->days++;
                        ps->last = t[a].day;
                    }
                }
            a = b;
        }
    }
    fg_free(sk);
    fg_free(u);
    return rc;
}

typedef struct group {
    uint32_t size;
    uint32_t days; /* days with ≥ 3 members at one institution */
    int32_t last;
    uint32_t edges;
    double weight;
    int64_t fen;
    uint32_t inst[8];
    uint32_t inst_days[8];
    uint32_t ninst;
} group_t;

static void group_occasion(group_t *g, uint32_t inst, int32_t day)
{
    if (g->days == 0 || g->last != day) {
        g->days++;
        g->last = day;
    }
    for (uint32_t i = 0; i < g->ninst; i++)
        if (g->inst[i] == inst) {
            g->inst_days[i]++;
            return;
        }
    if (g->ninst < 8) {
        g->inst[g->ninst] = inst;
        g->inst_days[g->ninst++] = 1;
    }
}

/* Days on which 3 or more members of a group were at one institution; cnt has room for ncomm.
 * att (when not NULL) counts, per person, the occasions they were at. */
static void occasions(const state_t *s, const uint32_t *comm_of, group_t *gr, uint32_t *cnt,
                      int64_t *fen, uint32_t *touched, uint32_t *att)
{
    for (size_t a = 0; a < s->nt;) {
        size_t b = group_end(s->t, s->nt, a);
        uint32_t nt = 0;
        for (size_t i = a; i < b; i++) {
            uint32_t c = comm_of[s->t[i].psn];
            if (c == UINT32_MAX || (i > a && s->t[i].psn == s->t[i - 1].psn))
                continue;
            if (cnt[c]++ == 0)
                touched[nt++] = c;
            fen[c] += s->t[i].fen;
        }
        for (size_t i = a; i < b && att != NULL; i++) {
            uint32_t c = comm_of[s->t[i].psn];
            if (c != UINT32_MAX && cnt[c] >= 3 && (i == a || s->t[i].psn != s->t[i - 1].psn))
                att[s->t[i].psn]++;
        }
        for (uint32_t k = 0; k < nt; k++) {
            uint32_t c = touched[k];
            if (cnt[c] >= 3) {
                group_occasion(&gr[c], s->t[a].inst, s->t[a].day);
                gr[c].fen += fen[c];
            }
            cnt[c] = 0;
            fen[c] = 0;
        }
        a = b;
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int emit_group(fg__screen_ctx_t *cx, const state_t *s, const group_t *g,
                      const uint32_t *members)
{
    fg__screen_finding_t f;
    fg__screen_finding_init(&f, FG__SCREEN_SUSPICIOUS);
    uint32_t top = 0;
    for (uint32_t i = 1; i < g->ninst; i++)
        if (g->inst_days[i] > g->inst_days[top])
            top = i;
    snprintf(f.fixmedins_code, sizeof(f.fixmedins_code), "%s", s->inst.s[g->inst[top]]);
    f.amount = g->fen;
    f.score = g->days;
    f.has_score = 1;
    f.time = fg_date_start((fg_date_t)g->last);
    const char **names = fg_calloc(g->size + 1, sizeof(*names));
    int rc = names == NULL ? FG_ENOMEM : 0;
    for (uint32_t m = 0; m < g->size && rc == 0; m++)
        names[m] = s->psn.s[members[m]];
    if (rc == 0)
        qsort(names, g->size, sizeof(*names), cmp_str);
    for (uint32_t m = 0; m < g->size && rc == 0; m++)
        rc = fg__screen_ids_add(&f, &f.psn_nos, names[m]);
    fg_free(names);
    char arr[8 * 20 + 8];
    size_t len = 0;
    arr[len++] = '[';
    for (uint32_t i = 0; i < g->ninst; i++)
        len += (size_t)snprintf(arr + len, sizeof(arr) - len, "%s\"%s\"", i ? "," : "",
                                s->inst.s[g->inst[i]]);
    snprintf(arr + len, sizeof(arr) - len, "]");
    if (rc == 0)
        rc = fg__screen_ev_int(&f, "members", g->size);
    if (rc == 0)
        rc = fg__screen_ev_int(&f, "group_days", g->days);
    if (rc == 0)
        rc = fg__screen_ev_int(&f, "edges", g->edges);
    if (rc == 0)
        rc = fg__screen_ev_num(&f, "mean_covisit_days", g->edges ? g->weight / g->edges : 0);
    if (rc == 0)
        rc = fg__screen_ev_raw(&f, "institutions", arr);
    snprintf(f.message, sizeof(f.message),
             "%u名参保人反复同日在相同机构就医：其中三人及以上同日同机构共%u天，涉及%u家机构，疑似"
             "团伙骗保或职业骗保人",
             g->size, g->days, g->ninst);
    return fg__mp_emit(cx, &f, rc);
}

/* Communities of the co-visit graph, their occasions, and the findings. */
static int groups(fg__screen_ctx_t *cx, const state_t *s, fg__mp_map_t *pairs)
{
    uint32_t *node_of = fg_calloc(s->psn.n + 1, sizeof(*node_of));
    uint32_t *psn_of = fg_calloc(s->psn.n + 1, sizeof(*psn_of));
    fg__louvain_edge_t *e = fg_calloc(pairs->n + 1, sizeof(*e));
    uint32_t min_days = (uint32_t)fg__screen_param(cx, "min_days");
    if (node_of == NULL || psn_of == NULL || e == NULL) {
        fg_free(node_of);
        fg_free(psn_of);
        fg_free(e);
        return FG_ENOMEM;
    }
    /* each person's visit slots (institution-days): psn_of holds them until it is reused */
    for (size_t i = 0; i < s->nt; i++)
        if (i == 0 || s->t[i].day != s->t[i - 1].day || s->t[i].inst != s->t[i - 1].inst ||
            s->t[i].psn != s->t[i - 1].psn)
            psn_of[s->t[i].psn]++;
    uint32_t share = (uint32_t)fg__screen_param(cx, "min_share_pm");
    for (size_t i = 0; i < pairs->cap; i++) {
        pair_slot_t *ps = (pair_slot_t *)(pairs->vals + i * pairs->vsize);
        if (pairs->keys[i] == 0)
            continue;
        uint32_t a = (uint32_t)(pairs->keys[i] >> 32), b = (uint32_t)pairs->keys[i];
        uint32_t lighter = psn_of[a] < psn_of[b] ? psn_of[a] : psn_of[b];
        if ((uint64_t)ps->days * 1000 < (uint64_t)share * lighter)
            ps->days = 0; /* not an edge */
    }
    for (size_t p = 0; p < s->psn.n; p++) {
        node_of[p] = UINT32_MAX;
        psn_of[p] = 0;
    }
    uint32_t nn = 0;
    size_t ne = 0;
    for (size_t i = 0; i < pairs->cap; i++) {
        const pair_slot_t *ps = (const pair_slot_t *)(pairs->vals + i * pairs->vsize);
        if (pairs->keys[i] == 0 || ps->days < min_days)
            continue;
        uint32_t a = (uint32_t)(pairs->keys[i] >> 32), b = (uint32_t)pairs->keys[i];
        uint32_t ab[2] = {a, b};
        for (int k = 0; k < 2; k++)
            if (node_of[ab[k]] == UINT32_MAX) {
                node_of[ab[k]] = nn;
                psn_of[nn++] = ab[k];
            }
        e[ne].a = node_of[a];
        e[ne].b = node_of[b];
        e[ne++].w = ps->days;
    }
    uint32_t *comm = fg_calloc(nn + 1, sizeof(*comm));
    group_t *gr = fg_calloc(nn + 1, sizeof(*gr));
    uint32_t *cnt = fg_calloc(nn + 1, sizeof(*cnt));
    uint32_t *touched = fg_calloc(nn + 1, sizeof(*touched));
    int64_t *fen = fg_calloc(nn + 1, sizeof(*fen));
    int rc = comm == NULL || gr == NULL || cnt == NULL || touched == NULL || fen == NULL
                 ? FG_ENOMEM
                 : fg__louvain(nn, e, ne, (double)fg__screen_param(cx, "resolution_milli") / 1000.0,
                               comm);
    uint32_t lo = (uint32_t)fg__screen_param(cx, "min_size");
    uint32_t hi = (uint32_t)fg__screen_param(cx, "max_size");
    if (rc == 0) {
        for (uint32_t i = 0; i < nn; i++)
            gr[comm[i]].size++;
        for (size_t k = 0; k < ne; k++)
            if (comm[e[k].a] == comm[e[k].b]) {
                gr[comm[e[k].a]].edges++;
                gr[comm[e[k].a]].weight += e[k].w;
            }
        /* comm_of: person → community when its size is a group's, else none (reuse node_of) */
        for (size_t p = 0; p < s->psn.n; p++) {
            uint32_t nd = node_of[p];
            uint32_t c = nd == UINT32_MAX ? UINT32_MAX : comm[nd];
            node_of[p] = c != UINT32_MAX && gr[c].size >= lo && gr[c].size <= hi ? c : UINT32_MAX;
        }
        /* the core of each community: members at min_group_days of its occasions or more;
         * then the occasions again, of the cores alone */
        uint32_t min_gd = (uint32_t)fg__screen_param(cx, "min_group_days");
        uint32_t *att = fg_calloc(s->psn.n + 1, sizeof(*att));
        if (att == NULL) {
            rc = FG_ENOMEM;
            goto out;
        }
        occasions(s, node_of, gr, cnt, fen, touched, att);
        for (uint32_t c = 0; c < nn; c++) {
            gr[c].size = gr[c].days = gr[c].ninst = 0;
            gr[c].last = 0;
            gr[c].fen = 0;
        }
        for (size_t p = 0; p < s->psn.n; p++) {
            if (node_of[p] != UINT32_MAX && att[p] < min_gd)
                node_of[p] = UINT32_MAX;
            if (node_of[p] != UINT32_MAX)
                gr[node_of[p]].size++;
        }
        fg_free(att);
        occasions(s, node_of, gr, cnt, fen, touched, NULL);
        /* members of each community in psn_no order (persons are indexed in that order): a
         * counting sort into psn_of, cnt the offsets */
        uint32_t off = 0;
        for (uint32_t c = 0; c < nn; c++) {
            cnt[c] = off;
            off += gr[c].size >= lo && gr[c].size <= hi ? gr[c].size : 0;
        }
        for (size_t p = 0; p < s->psn.n; p++)
            if (node_of[p] != UINT32_MAX)
                psn_of[cnt[node_of[p]]++] = (uint32_t)p;
        for (uint32_t c = 0; c < nn && rc == 0; c++)
            if (gr[c].size >= lo && gr[c].size <= hi && gr[c].days >= min_gd)
                rc = emit_group(cx, s, &gr[c], psn_of + cnt[c] - gr[c].size);
    }
out:
    fg_free(comm);
    fg_free(gr);
    fg_free(cnt);
    fg_free(touched);
    fg_free(fen);
    fg_free(node_of);
    fg_free(psn_of);
    fg_free(e);
    return rc;
}

static int finish(fg__screen_ctx_t *cx, void *state)
{
    state_t *s = state;
    if (s->nt == 0)
        return 0;
    qsort(s->t, s->nt, sizeof(*s->t), cmp_tup);
    fg__mp_map_t pairs;
    if (fg__mp_map_init(&pairs, sizeof(pair_slot_t), 1 << 12) != 0)
        return FG_ENOMEM;
    int rc = edges(cx, s, &pairs);
    if (rc == 0)
        rc = groups(cx, s, &pairs);
    fg__mp_map_free(&pairs);
    return rc;
}

const fg__screen_model_t fg__screen_model_covisit_group = {
    .name = "covisit_group",
    .name_zh = "团伙就医",
    .definition =
        "两名参保人同日在同一机构就医（住院按入院日）记为一次共同就医；不同共同就医日达3天"
        "的两人连边，按共同就医天数加权，用Louvain算法划分社区；3至50人的社区中，三名及"
        "以上成员同日在同一机构就医达3天的，疑似团伙骗保或职业骗保人。",
    .needs = FG__SCREEN_IN_SETL | FG__SCREEN_IN_MDTRT,
    .wants = FG__SCREEN_IN_DIAG,
    .params = PARAMS,
    .nparams = sizeof(PARAMS) / sizeof(PARAMS[0]),
    .init = init,
    .person = person,
    .finish = finish,
    .free = sfree,
};
