/*
 * load.c — the reference files into a status (status.h): deaths.csv, persons.csv,
 * suspensions.csv and catalogue.csv are the model's reference files (fg_table_open, columns in
 * docs/formats.md), read as records and handed to the record functions of status.c; coverage.csv
 * (psn_no, insutype, begndate, enddate) is the review's own (docs/kb.md). Loading is strict: the
 * first invalid row is the error, with file and line.
 */
#include "core/compat.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fundguard/alloc.h"
#include "fundguard/csv.h"
#include "fundguard/model.h"
#include "fundguard/status.h"

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
        if (t == FG_TABLE_DEATHS)
            rc = fg_ref_add_death(ref, &rec.death, row);
        else if (t == FG_TABLE_PERSONS)
            rc = fg_ref_add_person(ref, &rec.person, row);
        else if (t == FG_TABLE_CATALOGUE)
            rc = fg_ref_add_catalogue(ref, &rec.item);
        else
            rc = fg_ref_add_suspension(ref, &rec.susp, row);
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
        fg_ref_cover_t c = {.end = FG_DATE_NONE, .row = n};
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
        if (fg_ref_add_cover(ref, row.data[cp], &c) != 0)
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
        fg_ref_set_registry(ref);
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
