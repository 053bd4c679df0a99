/*
 * ref.c — the status reference data of the checks (SPEC §4): deaths, the insured (persons.csv and
 * coverage.csv), suspensions of staff and institutions; and the pack sizes of the drug catalogue
 * (catalogue.csv), which the service needs for split sales reported without one.
 *
 * deaths.csv, persons.csv, suspensions.csv and catalogue.csv are the model's reference files
 * (fg_table_open, columns in docs/formats.md); coverage.csv (psn_no, insutype, begndate, enddate)
 * is the review's own (docs/kb.md). Loading is strict: the first invalid row is the error, with
 * file and line. Everything is indexed by a hash of the person's or subject's code.
 */
#include "core/compat.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fundguard/alloc.h"
#include "fundguard/csv.h"
#include "fundguard/hash.h"
#include "fundguard/model.h"
#include "rules/rules_int.h"

/* ---------------------------------------------------------------- index */

uint64_t fg__hash_str(const char *s)
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
    fg__ref_death_t d;
} death_row_t;

typedef struct pack_row {
    char med_list_codg[FG_CODE_LEN + 1];
    uint32_t pack_units;
} pack_row_t;

typedef struct cover_row {
    char psn_no[FG_ID_LEN + 1];
    fg__ref_cover_t c;
} cover_row_t;

struct fg_ref {
    death_row_t *deaths;
    size_t ndeaths, deaths_cap;
    fg__idx_t death_idx;
    person_row_t *persons;
    size_t npersons, persons_cap;
    fg__idx_t person_idx;
    cover_row_t *covers;
    size_t ncovers, covers_cap;
    fg__idx_t cover_idx;
    fg__ref_susp_t *susps;
    size_t nsusps, susps_cap;
    fg__idx_t susp_idx;
    pack_row_t *packs;
    size_t npacks, packs_cap;
    fg__idx_t pack_idx;
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
    return fg_hmap_put(&ref->death_idx, fg__hash_str(psn), (uint32_t)ref->ndeaths, 0);
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
    return fg_hmap_put(&ref->person_idx, fg__hash_str(psn), (uint32_t)ref->npersons, 0);
}

static int add_cover(fg_ref_t *ref, const char *psn, const fg__ref_cover_t *c)
{
    if (grow((void **)&ref->covers, ref->ncovers, &ref->covers_cap, sizeof(*ref->covers)) != 0)
        return FG_ENOMEM;
    cover_row_t *x = &ref->covers[ref->ncovers];
    snprintf(x->psn_no, sizeof(x->psn_no), "%s", psn);
    x->c = *c;
    ref->ncovers++;
    ref->registry = 1;
    return fg_hmap_put(&ref->cover_idx, fg__hash_str(psn), (uint32_t)ref->ncovers, 0);
}

static int add_susp(fg_ref_t *ref, const fg__ref_susp_t *s)
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
        uint32_t v = fg__idx_next(&ref->pack_idx, fg__hash_str(code), &probe);
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
    return fg_hmap_put(&ref->pack_idx, fg__hash_str(code), (uint32_t)ref->npacks, 0);
}

/* ---------------------------------------------------------------- lookups */

uint32_t fg_ref_pack_units(const fg_ref_t *ref, const char *med_list_codg)
{
    if (ref == NULL || med_list_codg == NULL || med_list_codg[0] == '\0')
        return 0;
    const pack_row_t *x = find_pack(ref, med_list_codg);
    return x != NULL ? x->pack_units : 0;
}

const fg__ref_death_t *fg__ref_death(const fg_ref_t *ref, const char *psn_no)
{
    if (ref == NULL || psn_no[0] == '\0')
        return NULL;
    const fg__ref_death_t *best = NULL;
    size_t probe = 0;
    for (;;) {
        uint32_t v = fg__idx_next(&ref->death_idx, fg__hash_str(psn_no), &probe);
        if (v == 0)
            break;
        const death_row_t *x = &ref->deaths[v - 1];
        if (strcmp(x->psn_no, psn_no) == 0 && (best == NULL || x->d.die_date < best->die_date))
            best = &x->d;
    }
    return best;
}

int fg__ref_has_registry(const fg_ref_t *ref)
{
    return ref != NULL && ref->registry;
}

uint32_t fg__ref_person(const fg_ref_t *ref, const char *psn_no)
{
    if (ref == NULL)
        return 0;
    size_t probe = 0;
    for (;;) {
        uint32_t v = fg__idx_next(&ref->person_idx, fg__hash_str(psn_no), &probe);
        if (v == 0)
            return 0;
        if (strcmp(ref->persons[v - 1].psn_no, psn_no) == 0)
            return ref->persons[v - 1].row;
    }
}

const fg__ref_cover_t *fg__ref_cover_next(const fg_ref_t *ref, const char *psn_no, size_t *probe)
{
    if (ref == NULL)
        return NULL;
    for (;;) {
        uint32_t v = fg__idx_next(&ref->cover_idx, fg__hash_str(psn_no), probe);
        if (v == 0)
            return NULL;
        if (strcmp(ref->covers[v - 1].psn_no, psn_no) == 0)
            return &ref->covers[v - 1].c;
    }
}

const fg__ref_susp_t *fg__ref_susp_next(const fg_ref_t *ref, int institution, const char *code,
                                        size_t *probe)
{
    if (ref == NULL || code[0] == '\0')
        return NULL;
    for (;;) {
        uint32_t v = fg__idx_next(&ref->susp_idx, susp_key(institution, code), probe);
        if (v == 0)
            return NULL;
        const fg__ref_susp_t *s = &ref->susps[v - 1];
        if (s->institution == institution && strcmp(s->code, code) == 0)
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

/* ---------------------------------------------------------------- loading */

typedef struct first_err {
    fg_error_t e;
    int have;
} first_err_t;

static void keep_first(void *ctx, const fg_error_t *e)
{
    first_err_t *f = ctx;
    if (!f->have) {
        f->e = *e;
        f->have = 1;
    }
}

/* Read a model reference table to the end, strictly. */
static int load_table(fg_ref_t *ref, fg_table_t t, const char *file, fg_csv_t *csv, fg_error_t *err)
{
    first_err_t fe = {.have = 0};
    fg_diag_t diag = {.report = keep_first, .ctx = &fe};
    fg_table_reader_t *r = NULL;
    int rc = fg_table_open_csv(t, csv, FG_CSV_FATAL, &diag, &r, err);
    if (rc != 0)
        return rc;
    union {
        fg_death_t death;
        fg_person_t person;
        fg_suspension_t susp;
        fg_catalogue_item_t item;
    } rec;
    for (;;) {
        rc = fg_table_next(r, &rec);
        if (rc <= 0 || fe.have)
            break;
        uint32_t row = (uint32_t)fg_table_rows(r);
        if (t == FG_TABLE_DEATHS) {
            if (rec.death.psn_no[0] == '\0')
                continue; /* a death known only by resident ID: not matched to a psn_no here */
            rc = add_death(ref, rec.death.psn_no, rec.death.die_date, rec.death.source, row);
        } else if (t == FG_TABLE_PERSONS) {
            rc = add_person(ref, rec.person.psn_no, rec.person.insutype, row);
            if (rc == 0 && rec.person.die_date != FG_DATE_NONE)
                rc = add_death(ref, rec.person.psn_no, rec.person.die_date, "persons", row);
        } else if (t == FG_TABLE_CATALOGUE) {
            if (rec.item.pack_units > 0) /* items and consumables have none */
                rc = add_pack(ref, rec.item.med_list_codg, (uint32_t)rec.item.pack_units);
        } else {
            fg__ref_susp_t s = {
                .institution = strcmp(rec.susp.subject_type, "institution") == 0,
                .begin = rec.susp.begin_date,
                .end = rec.susp.end_date,
                .row = row,
            };
            snprintf(s.code, sizeof(s.code), "%s", rec.susp.subject_code);
            snprintf(s.action, sizeof(s.action), "%s", rec.susp.action);
            rc = add_susp(ref, &s);
        }
        if (rc != 0)
            break;
    }
    fg_table_close(r);
    if (fe.have) {
        if (err != NULL) {
            *err = fe.e;
            if (strstr(err->msg, file) == NULL) {
                char msg[sizeof(err->msg)];
                snprintf(msg, sizeof(msg), "%s: line %ld: %.150s", file, fe.e.line, fe.e.msg);
                snprintf(err->msg, sizeof(err->msg), "%s", msg);
            }
        }
        return fe.e.code != 0 ? fe.e.code : FG_E_KB_ROW;
    }
    if (rc < 0)
        return rc;
    return 0;
}

/* coverage.csv: psn_no, insutype, begndate, enddate (empty = open). */
static int load_coverage(fg_ref_t *ref, const char *file, fg_csv_t *csv, fg_error_t *err)
{
    int cp = fg_csv_column(csv, "psn_no"), ci = fg_csv_column(csv, "insutype"),
        cb = fg_csv_column(csv, "begndate"), ce = fg_csv_column(csv, "enddate");
    if (cp < 0 || cb < 0)
        return fg_error_set(err, FG_E_CSV_COLUMN, file, 0, "%s: needs columns psn_no, begndate",
                            file);
    fg_csv_row_t row;
    uint32_t n = 0;
    for (;;) {
        int rc = fg_csv_next(csv, &row, err);
        if (rc <= 0)
            return rc;
        n++;
        fg__ref_cover_t c = {.end = FG_DATE_NONE, .row = n};
        if (row.len[cp] == 0 || row.len[cp] > FG_ID_LEN ||
            fg_date_parse(row.data[cb], row.len[cb], &c.begin, NULL) != 0 ||
            (ce >= 0 && row.len[ce] > 0 &&
             fg_date_parse(row.data[ce], row.len[ce], &c.end, NULL) != 0) ||
            (ci >= 0 && row.len[ci] >= sizeof(c.insutype))) {
            fg_error_set(err, FG_E_KB_ROW, file, 0,
                         "%s: line %ld: needs psn_no and dates like 2025-01-01", file, row.line);
            if (err != NULL)
                err->line = row.line;
            return FG_E_KB_ROW;
        }
        if (ci >= 0)
            snprintf(c.insutype, sizeof(c.insutype), "%s", row.data[ci]);
        if (add_cover(ref, row.data[cp], &c) != 0)
            return fg_error_set(err, FG_ENOMEM, file, 0, NULL);
    }
}

int fg_ref_load_mem(fg_ref_t *ref, const char *filename, const char *data, size_t n,
                    fg_error_t *err)
{
    const char *file = strrchr(filename, '/');
    file = file != NULL ? file + 1 : filename;
    int t;
    if (strcmp(file, "deaths.csv") == 0)
        t = FG_TABLE_DEATHS;
    else if (strcmp(file, "persons.csv") == 0)
        t = FG_TABLE_PERSONS;
    else if (strcmp(file, "suspensions.csv") == 0)
        t = FG_TABLE_SUSPENSIONS;
    else if (strcmp(file, "catalogue.csv") == 0)
        t = FG_TABLE_CATALOGUE;
    else if (strcmp(file, "coverage.csv") == 0)
        t = -1;
    else
        return fg_error_set(err, FG_E_KB_TABLE, file, 0,
                            "%s: not a reference file (deaths, persons, suspensions, catalogue, "
                            "coverage)",
                            file);
    fg_csv_options_t opt = {.encoding = FG_CSV_ENC_AUTO,
                            .on_error = FG_CSV_FATAL,
                            .delimiter = ',',
                            .header = 1,
                            .strict_fields = 1,
                            .name = file};
    fg_csv_t *csv = NULL;
    int rc = fg_csv_open_mem(data, n, &opt, &csv, err);
    if (rc != 0)
        return rc;
    if (t < 0) {
        ref->registry = 1;
        rc = load_coverage(ref, file, csv, err);
    } else {
        rc = load_table(ref, (fg_table_t)t, file, csv, err);
    }
    fg_csv_close(csv);
    return rc;
}

int fg_ref_load_dir(fg_ref_t *ref, const char *dir, fg_error_t *err)
{
    static const char *const files[] = {"deaths.csv", "persons.csv", "suspensions.csv",
                                        "catalogue.csv", "coverage.csv"};
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return fg_error_set(err, -ENOTDIR, dir, 0, "%s: not a directory", dir);
    for (size_t i = 0; i < FG_ARRAY_LEN(files); i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        FILE *f = fopen(path, "rb");
        if (f == NULL) {
            if (errno == ENOENT)
                continue;
            return fg_error_set(err, -errno, path, 0, "%s: %s", path, strerror(errno));
        }
        fg_buf_t b;
        fg_buf_init(&b, 1u << 30);
        char chunk[65536];
        size_t got;
        int rc = 0;
        for (;;) {
            got = fread(chunk, 1, sizeof(chunk), f);
            if (got == 0)
                break;
            rc = fg_buf_append(&b, chunk, got);
            if (rc != 0)
                break;
        }
        if (rc == 0 && ferror(f))
            rc = FG_EIO;
        fclose(f);
        if (rc == 0)
            rc = fg_ref_load_mem(ref, path, b.data != NULL ? b.data : "", b.len, err);
        else
            fg_error_set(err, rc, path, 0, "%s: %s", path, fg_strerror(rc));
        fg_buf_release(&b);
        if (rc != 0)
            return rc;
    }
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

int fg__ref_slice_person(const fg_ref_t *ref, const char *psn_no, fg_buf_t *out)
{
    int rc = 0;
    if (ref == NULL)
        return 0;
    if (ref->registry)
        rc = fg_buf_appends(out, "registry\n");
    const fg__ref_death_t *d = fg__ref_death(ref, psn_no);
    if (d != NULL && rc == 0) {
        rc = fg_buf_printf(out, "death\t%s\t", psn_no);
        if (rc == 0)
            rc = date_text(out, d->die_date);
        if (rc == 0)
            rc = fg_buf_printf(out, "\t%u\t%s\n", (unsigned)d->row, d->source[0] ? d->source : "-");
    }
    uint32_t prow = fg__ref_person(ref, psn_no);
    if (prow != 0 && rc == 0)
        rc = fg_buf_printf(out, "person\t%s\t%u\n", psn_no, (unsigned)prow);
    size_t probe = 0;
    const fg__ref_cover_t *c;
    while (rc == 0) {
        c = fg__ref_cover_next(ref, psn_no, &probe);
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

int fg__ref_slice_code(const fg_ref_t *ref, int institution, const char *code, fg_buf_t *out)
{
    int rc = 0;
    size_t probe = 0;
    while (rc == 0) {
        const fg__ref_susp_t *s = fg__ref_susp_next(ref, institution, code, &probe);
        if (s == NULL)
            break;
        rc = fg_buf_printf(out, "susp\t%d\t%s\t%s\t", s->institution, s->code, s->action);
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

int fg__ref_load_slice(fg_ref_t *ref, const char *text, size_t n, fg_error_t *err)
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
            fg__ref_cover_t c;
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
            fg__ref_susp_t s;
            memset(&s, 0, sizeof(s));
            s.institution = strcmp(f[1], "1") == 0;
            snprintf(s.code, sizeof(s.code), "%s", f[2]);
            snprintf(s.action, sizeof(s.action), "%s", f[3]);
            if (parse_date(f[4], &s.begin) != 0 || parse_date(f[5], &s.end) != 0 ||
                fg_int_parse(f[6], strlen(f[6]), &row, NULL) != 0)
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
