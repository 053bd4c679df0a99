/*
 * status.c — the reference status of the review (status.h): records in (deaths, persons, coverage
 * periods, suspensions, catalogue pack sizes), indexed by a hash of the person's or subject's code;
 * the lookups the checks make; the slices of a replay record. load.c reads the reference files
 * into it through the same record functions.
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>

#include "core/hmap.h"
#include "fundguard/alloc.h"
#include "fundguard/hash.h"
#include "fundguard/status.h"

/* ---------------------------------------------------------------- index */

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

/* ---------------------------------------------------------------- the store */

typedef struct person_row {
    char psn_no[FG_ID_LEN + 1];
    char insutype[8];
    uint32_t row;
} person_row_t;

typedef struct death_row {
    char psn_no[FG_ID_LEN + 1];
    fg_ref_death_t d;
} death_row_t;

typedef struct pack_row {
    char med_list_codg[FG_CODE_LEN + 1];
    uint32_t pack_units;
} pack_row_t;

typedef struct cover_row {
    char psn_no[FG_ID_LEN + 1];
    fg_ref_cover_t c;
} cover_row_t;

struct fg_ref {
    death_row_t *deaths;
    size_t ndeaths, deaths_cap;
    fg_hmap_t death_idx;
    person_row_t *persons;
    size_t npersons, persons_cap;
    fg_hmap_t person_idx;
    cover_row_t *covers;
    size_t ncovers, covers_cap;
    fg_hmap_t cover_idx;
    fg_ref_susp_t *susps;
    size_t nsusps, susps_cap;
    fg_hmap_t susp_idx;
    pack_row_t *packs;
    size_t npacks, packs_cap;
    fg_hmap_t pack_idx;
    int registry; /* persons.csv or coverage.csv loaded */
};

static int grow(void **p, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return 0;
    size_t c = *cap != 0 ? *cap * 2 : 64;
    void *q = fg_realloc_array(*p, c, size);
    if (q == NULL)
        return FG_ENOMEM;
    *p = q;
    *cap = c;
    return 0;
}

fg_ref_t *fg_ref_new(void)
{
    return fg_calloc(1, sizeof(fg_ref_t));
}

void fg_ref_free(fg_ref_t *ref)
{
    if (ref == NULL)
        return;
    fg_free(ref->deaths);
    fg_free(ref->persons);
    fg_free(ref->covers);
    fg_free(ref->susps);
    fg_free(ref->packs);
    fg_hmap_release(&ref->pack_idx);
    fg_hmap_release(&ref->death_idx);
    fg_hmap_release(&ref->person_idx);
    fg_hmap_release(&ref->cover_idx);
    fg_hmap_release(&ref->susp_idx);
    fg_free(ref);
}

static uint64_t susp_key(int institution, const char *code)
{
    return fg_hash64_seed(code, strlen(code), institution ? 2 : 1);
}

static int add_death(fg_ref_t *ref, const char *psn, fg_date_t d, const char *source, uint32_t row)
{
    if (grow((void **)&ref->deaths, ref->ndeaths, &ref->deaths_cap, sizeof(*ref->deaths)) != 0)
        return FG_ENOMEM;
    death_row_t *x = &ref->deaths[ref->ndeaths];
    memset(x, 0, sizeof(*x));
    snprintf(x->psn_no, sizeof(x->psn_no), "%s", psn);
    x->d.die_date = d;
    x->d.row = row;
    snprintf(x->d.source, sizeof(x->d.source), "%s", source);
    ref->ndeaths++;
    return fg_hmap_put(&ref->death_idx, hash_str(psn), (uint32_t)ref->ndeaths, 0);
}

static int add_person(fg_ref_t *ref, const char *psn, const char *insutype, uint32_t row)
{
    if (grow((void **)&ref->persons, ref->npersons, &ref->persons_cap, sizeof(*ref->persons)) != 0)
        return FG_ENOMEM;
    person_row_t *x = &ref->persons[ref->npersons];
    snprintf(x->psn_no, sizeof(x->psn_no), "%s", psn);
    snprintf(x->insutype, sizeof(x->insutype), "%s", insutype);
    x->row = row;
    ref->npersons++;
    ref->registry = 1;
    return fg_hmap_put(&ref->person_idx, hash_str(psn), (uint32_t)ref->npersons, 0);
}

static int add_cover(fg_ref_t *ref, const char *psn, const fg_ref_cover_t *c)
{
    if (grow((void **)&ref->covers, ref->ncovers, &ref->covers_cap, sizeof(*ref->covers)) != 0)
        return FG_ENOMEM;
    cover_row_t *x = &ref->covers[ref->ncovers];
    snprintf(x->psn_no, sizeof(x->psn_no), "%s", psn);
    x->c = *c;
    ref->ncovers++;
    ref->registry = 1;
    return fg_hmap_put(&ref->cover_idx, hash_str(psn), (uint32_t)ref->ncovers, 0);
}

static int add_susp(fg_ref_t *ref, const fg_ref_susp_t *s)
{
    if (grow((void **)&ref->susps, ref->nsusps, &ref->susps_cap, sizeof(*ref->susps)) != 0)
        return FG_ENOMEM;
    ref->susps[ref->nsusps++] = *s;
    return fg_hmap_put(&ref->susp_idx, susp_key(s->institution, s->code), (uint32_t)ref->nsusps, 0);
}

static pack_row_t *find_pack(const fg_ref_t *ref, const char *code)
{
    size_t probe = 0;
    for (;;) {
        uint32_t v = idx_next(&ref->pack_idx, hash_str(code), &probe);
        if (v == 0)
            return NULL;
        if (strcmp(ref->packs[v - 1].med_list_codg, code) == 0)
            return &ref->packs[v - 1];
    }
}

/* A later row of the same code replaces the earlier one (the API's rows come after the files). */
static int add_pack(fg_ref_t *ref, const char *code, uint32_t pack_units)
{
    pack_row_t *x = find_pack(ref, code);
    if (x != NULL) {
        x->pack_units = pack_units;
        return 0;
    }
    if (grow((void **)&ref->packs, ref->npacks, &ref->packs_cap, sizeof(*ref->packs)) != 0)
        return FG_ENOMEM;
    x = &ref->packs[ref->npacks++];
    snprintf(x->med_list_codg, sizeof(x->med_list_codg), "%s", code);
    x->pack_units = pack_units;
    return fg_hmap_put(&ref->pack_idx, hash_str(code), (uint32_t)ref->npacks, 0);
}

/* ---------------------------------------------------------------- records in */

int fg_ref_add_death(fg_ref_t *ref, const fg_death_t *d, uint32_t row)
{
    if (d->psn_no[0] == '\0')
        return 0; /* a death known only by resident ID: not matched to a psn_no here */
    return add_death(ref, d->psn_no, d->die_date, d->source, row);
}

int fg_ref_add_person(fg_ref_t *ref, const fg_person_t *p, uint32_t row)
{
    int rc = add_person(ref, p->psn_no, p->insutype, row);
    if (rc == 0 && p->die_date != FG_DATE_NONE)
        rc = add_death(ref, p->psn_no, p->die_date, "persons", row);
    return rc;
}

int fg_ref_add_suspension(fg_ref_t *ref, const fg_suspension_t *s, uint32_t row)
{
    fg_ref_susp_t x = {
        .institution = strcmp(s->subject_type, "institution") == 0,
        .status = fg_ref_status_parse(s->action),
        .begin = s->begin_date,
        .end = s->end_date,
        .row = row,
    };
    if (!fg_ref_status_suspends(x.status))
        return FG_EINVAL;
    snprintf(x.code, sizeof(x.code), "%s", s->subject_code);
    return add_susp(ref, &x);
}

void fg_ref_set_registry(fg_ref_t *ref)
{
    ref->registry = 1;
}

int fg_ref_add_cover(fg_ref_t *ref, const char *psn_no, const fg_ref_cover_t *c)
{
    return add_cover(ref, psn_no, c);
}

int fg_ref_add_catalogue(fg_ref_t *ref, const fg_catalogue_item_t *item)
{
    if (item->pack_units <= 0) /* items and consumables have none */
        return 0;
    return add_pack(ref, item->med_list_codg, (uint32_t)item->pack_units);
}

/* ---------------------------------------------------------------- lookups */

uint32_t fg_ref_pack_units(const fg_ref_t *ref, const char *med_list_codg)
{
    if (ref == NULL || med_list_codg == NULL || med_list_codg[0] == '\0')
        return 0;
    const pack_row_t *x = find_pack(ref, med_list_codg);
    return x != NULL ? x->pack_units : 0;
}

const fg_ref_death_t *fg_ref_death(const fg_ref_t *ref, const char *psn_no)
{
    if (ref == NULL || psn_no[0] == '\0')
        return NULL;
    const fg_ref_death_t *best = NULL;
    size_t probe = 0;
    for (;;) {
        uint32_t v = idx_next(&ref->death_idx, hash_str(psn_no), &probe);
        if (v == 0)
            break;
        const death_row_t *x = &ref->deaths[v - 1];
        if (strcmp(x->psn_no, psn_no) == 0 && (best == NULL || x->d.die_date < best->die_date))
            best = &x->d;
    }
    return best;
}

int fg_ref_has_registry(const fg_ref_t *ref)
{
    return ref != NULL && ref->registry;
}

uint32_t fg_ref_person_row(const fg_ref_t *ref, const char *psn_no)
{
    if (ref == NULL)
        return 0;
    size_t probe = 0;
    for (;;) {
        uint32_t v = idx_next(&ref->person_idx, hash_str(psn_no), &probe);
        if (v == 0)
            return 0;
        if (strcmp(ref->persons[v - 1].psn_no, psn_no) == 0)
            return ref->persons[v - 1].row;
    }
}

const fg_ref_cover_t *fg_ref_cover_next(const fg_ref_t *ref, const char *psn_no, size_t *probe)
{
    if (ref == NULL)
        return NULL;
    for (;;) {
        uint32_t v = idx_next(&ref->cover_idx, hash_str(psn_no), probe);
        if (v == 0)
            return NULL;
        if (strcmp(ref->covers[v - 1].psn_no, psn_no) == 0)
            return &ref->covers[v - 1].c;
    }
}

const fg_ref_susp_t *fg_ref_susp_next(const fg_ref_t *ref, int institution, const char *code,
                                      size_t *probe)
{
    if (ref == NULL || code[0] == '\0')
        return NULL;
    for (;;) {
        uint32_t v = idx_next(&ref->susp_idx, susp_key(institution, code), probe);
        if (v == 0)
            return NULL;
        const fg_ref_susp_t *s = &ref->susps[v - 1];
        if (s->institution == institution && strcmp(s->code, code) == 0)
            return s;
    }
}

const fg_ref_susp_t *fg_ref_susp_on(const fg_ref_t *ref, int institution, const char *code,
                                    fg_date_t date)
{
    size_t probe = 0;
    for (;;) {
        const fg_ref_susp_t *s = fg_ref_susp_next(ref, institution, code, &probe);
        if (s == NULL)
            return NULL;
        if (date >= s->begin && (s->end == FG_DATE_NONE || date <= s->end))
            return s;
    }
}

size_t fg_ref_count(const fg_ref_t *ref, const char *kind)
{
    if (strcmp(kind, "deaths") == 0)
        return ref->ndeaths;
    if (strcmp(kind, "persons") == 0)
        return ref->npersons;
    if (strcmp(kind, "coverage") == 0)
        return ref->ncovers;
    if (strcmp(kind, "suspensions") == 0)
        return ref->nsusps;
    if (strcmp(kind, "catalogue") == 0)
        return ref->npacks;
    return 0;
}

/* ---------------------------------------------------------------- slices */

static int date_text(fg_buf_t *out, fg_date_t d)
{
    if (d == FG_DATE_NONE)
        return fg_buf_appends(out, "-");
    char t[FG_DATE_TEXTLEN + 1];
    fg_date_format(d, t);
    return fg_buf_appends(out, t);
}

int fg_ref_slice_person(const fg_ref_t *ref, const char *psn_no, fg_buf_t *out)
{
    int rc = 0;
    if (ref == NULL)
        return 0;
    if (ref->registry)
        rc = fg_buf_appends(out, "registry\n");
    const fg_ref_death_t *d = fg_ref_death(ref, psn_no);
    if (d != NULL && rc == 0) {
        rc = fg_buf_printf(out, "death\t%s\t", psn_no);
        if (rc == 0)
            rc = date_text(out, d->die_date);
        if (rc == 0)
            rc = fg_buf_printf(out, "\t%u\t%s\n", (unsigned)d->row, d->source[0] ? d->source : "-");
    }
    uint32_t prow = fg_ref_person_row(ref, psn_no);
    if (prow != 0 && rc == 0)
        rc = fg_buf_printf(out, "person\t%s\t%u\n", psn_no, (unsigned)prow);
    size_t probe = 0;
    const fg_ref_cover_t *c;
    while (rc == 0) {
        c = fg_ref_cover_next(ref, psn_no, &probe);
        if (c == NULL)
            break;
        rc = fg_buf_printf(out, "cover\t%s\t%s\t", psn_no, c->insutype[0] ? c->insutype : "-");
        if (rc == 0)
            rc = date_text(out, c->begin);
        if (rc == 0)
            rc = fg_buf_appendc(out, '\t');
        if (rc == 0)
            rc = date_text(out, c->end);
        if (rc == 0)
            rc = fg_buf_printf(out, "\t%u\n", (unsigned)c->row);
    }
    return rc;
}

int fg_ref_slice_code(const fg_ref_t *ref, int institution, const char *code, fg_buf_t *out)
{
    int rc = 0;
    size_t probe = 0;
    while (rc == 0) {
        const fg_ref_susp_t *s = fg_ref_susp_next(ref, institution, code, &probe);
        if (s == NULL)
            break;
        rc = fg_buf_printf(out, "susp\t%d\t%s\t%s\t", s->institution, s->code,
                           fg_ref_status_action(s->status));
        if (rc == 0)
            rc = date_text(out, s->begin);
        if (rc == 0)
            rc = fg_buf_appendc(out, '\t');
        if (rc == 0)
            rc = date_text(out, s->end);
        if (rc == 0)
            rc = fg_buf_printf(out, "\t%u\n", (unsigned)s->row);
    }
    return rc;
}

static int parse_date(const char *s, fg_date_t *d)
{
    if (strcmp(s, "-") == 0) {
        *d = FG_DATE_NONE;
        return 0;
    }
    return fg_date_parse(s, strlen(s), d, NULL);
}

int fg_ref_load_slice(fg_ref_t *ref, const char *text, size_t n, fg_error_t *err)
{
    char *copy = fg_strndup(text, n);
    if (copy == NULL)
        return fg_error_set(err, FG_ENOMEM, "ref", 0, NULL);
    int rc = 0;
    long line = 0;
    char *save = NULL;
    for (char *p = strtok_r(copy, "\n", &save); p != NULL && rc == 0;
         p = strtok_r(NULL, "\n", &save)) {
        char *f[8];
        size_t nf = 0;
        char *s2 = NULL;
        line++;
        for (char *q = strtok_r(p, "\t", &s2); q != NULL && nf < 8; q = strtok_r(NULL, "\t", &s2))
            f[nf++] = q;
        int64_t row;
        if (nf == 1 && strcmp(f[0], "registry") == 0) {
            ref->registry = 1;
        } else if (nf == 5 && strcmp(f[0], "death") == 0) {
            fg_date_t d;
            if (parse_date(f[2], &d) != 0 || fg_int_parse(f[3], strlen(f[3]), &row, NULL) != 0)
                rc = FG_E_REPLAY;
            else
                rc = add_death(ref, f[1], d, f[4], (uint32_t)row);
        } else if (nf == 3 && strcmp(f[0], "person") == 0) {
            if (fg_int_parse(f[2], strlen(f[2]), &row, NULL) != 0)
                rc = FG_E_REPLAY;
            else
                rc = add_person(ref, f[1], "", (uint32_t)row);
        } else if (nf == 6 && strcmp(f[0], "cover") == 0) {
            fg_ref_cover_t c;
            memset(&c, 0, sizeof(c));
            if (strcmp(f[2], "-") != 0)
                snprintf(c.insutype, sizeof(c.insutype), "%s", f[2]);
            if (parse_date(f[3], &c.begin) != 0 || parse_date(f[4], &c.end) != 0 ||
                fg_int_parse(f[5], strlen(f[5]), &row, NULL) != 0)
                rc = FG_E_REPLAY;
            else {
                c.row = (uint32_t)row;
                rc = add_cover(ref, f[1], &c);
            }
        } else if (nf == 7 && strcmp(f[0], "susp") == 0) {
            fg_ref_susp_t s;
            memset(&s, 0, sizeof(s));
            s.institution = strcmp(f[1], "1") == 0;
            snprintf(s.code, sizeof(s.code), "%s", f[2]);
            s.status = fg_ref_status_parse(f[3]);
            if (!fg_ref_status_suspends(s.status) || parse_date(f[4], &s.begin) != 0 ||
                parse_date(f[5], &s.end) != 0 || fg_int_parse(f[6], strlen(f[6]), &row, NULL) != 0)
                rc = FG_E_REPLAY;
            else {
                s.row = (uint32_t)row;
                rc = add_susp(ref, &s);
            }
        } else {
            rc = FG_E_REPLAY;
        }
    }
    fg_free(copy);
    if (rc != 0)
        return fg_error_set(err, rc, "ref", 0, "reference slice, line %ld: %s", line,
                            fg_strerror(rc));
    return 0;
}
