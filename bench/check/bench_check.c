/*
 * bench_check.c — latency and throughput of the review engine, in process, on the full national KB.
 *
 *   bench_check [--kb DIR] [-n SETTLEMENTS] [--lines L] [--history H] [--rounds R]
 *               [--export DIR] [--seed S]
 *
 * Generates SETTLEMENTS check requests (default 2000) of L fee lines (default 20) for as many
 * persons, each with H earlier settlements (default 2) in the history: codes are drawn from the
 * national tables themselves (drugs and items with knowledge points, duplicate pairs with their
 * main item, items with daily and cycle limits) mixed with codes the tables do not name. Then,
 * single-threaded: check        fg_review_check on parsed documents (stage in), R rounds (default
 * 5) parse+check  fg_doc_parse of the JSON text, then the check and prints one JSON object:
 * p50/p99/mean latency in microseconds, settlements per second, hits per settlement. --export
 * writes the same settlements and histories as CSV (lines.csv, hist.csv) for the SQL peers of
 * bench/check/run.sh.
 */
#include "core/compat.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fundguard/arena.h"
#include "fundguard/buf.h"
#include "fundguard/csv.h"
#include "fundguard/kb.h"
#include "fundguard/model.h"
#include "fundguard/rules.h"

static uint64_t rng_state = 88172645463325252ULL;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static int pick(int n)
{
    return (int)(rnd() % (uint64_t)n);
}

typedef struct pool {
    char (*code)[32];
    size_t n, cap;
} pool_t;

static void pool_add(pool_t *p, const char *s, size_t n)
{
    if (n == 0 || n >= 32)
        return;
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 1024;
        p->code = realloc(p->code, p->cap * sizeof(*p->code));
        if (p->code == NULL)
            exit(4);
    }
    memcpy(p->code[p->n], s, n);
    p->code[p->n][n] = '\0';
    p->n++;
}

/* Add column `col` (or alt) of a national table to a pool. */
static void read_column(const char *dir, const char *file, const char *col, const char *alt,
                        pool_t *p)
{
    char path[2048];
    snprintf(path, sizeof(path), "%s/nhsa/%s", dir, file);
    fg_csv_t *csv;
    fg_error_t err;
    if (fg_csv_open_path(path, NULL, &csv, &err) != 0) {
        snprintf(path, sizeof(path), "%s/%s", dir, file);
        if (fg_csv_open_path(path, NULL, &csv, &err) != 0) {
            fprintf(stderr, "bench_check: %s: %s\n", file, err.msg);
            exit(3);
        }
    }
    int c = fg_csv_column(csv, col);
    if (c < 0 && alt != NULL)
        c = fg_csv_column(csv, alt);
    fg_csv_row_t row;
    while (c >= 0 && fg_csv_next(csv, &row, &err) == 1)
        pool_add(p, row.data[c], row.len[c]);
    fg_csv_close(csv);
}

typedef struct pair {
    char main[16];
    char sec[16];
} pair_t;

static pair_t *pairs;
static size_t npairs;

static void read_pairs(const char *dir)
{
    char path[2048];
    snprintf(path, sizeof(path), "%s/nhsa/batch7-item-duplicate-charge.csv", dir);
    fg_csv_t *csv;
    fg_error_t err;
    if (fg_csv_open_path(path, NULL, &csv, &err) != 0)
        return;
    int cm = fg_csv_column(csv, "主项编码"), cs = fg_csv_column(csv, "从项编码");
    fg_csv_row_t row;
    pairs = calloc(2000, sizeof(*pairs));
    while (pairs != NULL && fg_csv_next(csv, &row, &err) == 1 && npairs < 2000) {
        snprintf(pairs[npairs].main, sizeof(pairs[npairs].main), "%s", row.data[cm]);
        snprintf(pairs[npairs].sec, sizeof(pairs[npairs].sec), "%s", row.data[cs]);
        npairs++;
    }
    fg_csv_close(csv);
}

/* ---------------------------------------------------------------- workload */

typedef struct person {
    char psn[16];
    int gend;
    int by, bm, bd;
    const char *insutype;
    int lv;
    const char *med_type;
} person_t;

static pool_t drugs, items, plain_items;
static const char *const plain_drugs[] = {"XA01ABD075A002010100483", "XJ01CAA040E001010101951",
                                          "XN02BEA077A001010100234", "XC09AAB103A001010104127"};

static void trace_code(char out[21])
{
    out[0] = '8';
    for (int i = 1; i < 20; i++)
        out[i] = (char)('0' + pick(10));
    out[20] = '\0';
}

/* One settlement as JSON: n lines on 2025-08-day for person p, visit id v. */
static void settlement_json(fg_buf_t *b, const person_t *p, const char *visit, int day, int nlines)
{
    const char *inst = strcmp(p->med_type, "41") == 0 ? "P43010200003" : "H43010200001";
    fg_buf_printf(
        b,
        "{\"psninfo\":{\"psn_no\":\"%s\",\"gend\":\"%d\",\"brdy\":\"%04d-%02d-%02d\","
        "\"insutype\":\"%s\"},\"fixmedins\":{\"fixmedins_code\":\"%s\",\"hosp_lv\":\"%d\"},"
        "\"mdtrtinfo\":{\"mdtrt_id\":\"%s\",\"psn_no\":\"%s\",\"med_type\":\"%s\","
        "\"begntime\":\"2025-08-%02d 08:00:00\"},\"diseinfo\":[{\"diag_code\":\"I63.900\","
        "\"maindiag_flag\":\"1\"}],\"feedetail\":[",
        p->psn, p->gend, p->by, p->bm, p->bd, p->insutype, inst, p->lv, visit, p->psn, p->med_type,
        day);
    const char *pending_main = NULL;
    int pharmacy = strcmp(p->med_type, "41") == 0; /* a pharmacy sells drugs, not services */
    for (int i = 0; i < nlines; i++) {
        const char *code;
        int r = pick(100);
        if (pharmacy)
            r = r < 75 ? r * 30 / 75 : 65 + (r - 75) * 10 / 25;
        if (pending_main != NULL) {
            code = pending_main; /* the main item of a duplicate pair picked before */
            pending_main = NULL;
        } else if (r < 30) {
            code = drugs.code[pick((int)drugs.n)];
        } else if (r < 45 && npairs > 0) {
            const pair_t *pr = &pairs[pick((int)npairs)];
            code = pr->sec;
            if (pick(3) == 0)
                pending_main = pr->main;
        } else if (r < 65) {
            code = items.code[pick((int)items.n)];
        } else if (r < 75) {
            code = plain_drugs[pick((int)FG_ARRAY_LEN(plain_drugs))];
        } else {
            code = plain_items.code[pick((int)plain_items.n)];
        }
        int cnt = 1 + (pick(4) == 0 ? pick(3) : 0);
        int pric = 500 + pick(50000);
        fg_buf_printf(b,
                      "%s{\"feedetl_sn\":\"%d\",\"mdtrt_id\":\"%s\",\"psn_no\":\"%s\","
                      "\"fee_ocur_time\":\"2025-08-%02d %02d:%02d:00\",\"med_list_codg\":\"%s\","
                      "\"cnt\":%d,\"pric\":\"%d.%02d\",\"det_item_fee_sumamt\":\"%d.%02d\","
                      "\"bilg_dr_codg\":\"D430102000123\"",
                      i ? "," : "", i + 1, visit, p->psn, day, 8 + i / 4, (i * 7) % 60, code, cnt,
                      pric / 100, pric % 100, pric * cnt / 100, pric * cnt % 100);
        if (code[0] == 'X' || code[0] == 'Z') {
            char t[21];
            trace_code(t);
            fg_buf_printf(
                b, ",\"drug_trac_info\":[{\"drug_trac_codg\":\"%s\",\"trdn_flag\":\"0\"}]", t);
        }
        fg_buf_appendc(b, '}');
    }
    fg_buf_appends(b, "]}");
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* CPU time of this thread: what a settlement costs a core, whatever else runs on the machine. */
static double cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(const double *sorted, size_t n, double p)
{
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return sorted[i < n ? i : n - 1];
}

/* ---------------------------------------------------------------- export for the SQL peers */

static int scene_of(const char *med_type)
{
    return strcmp(med_type, "41") == 0 ? 3 : med_type[0] == '2' ? 2 : 1;
}

static void export_doc(FILE *f, int setl, const fg_doc_t *d, int lines)
{
    const fg_person_t *p = d->person;
    const fg_visit_t *v = d->visit;
    for (size_t i = 0; i < d->nfees; i++) {
        const fg_fee_line_t *x = &d->fees[i];
        fg_date_t day = fg_time_date(x->fee_ocur_time);
        int age = fg_age_years(p->brdy, day);
        if (lines)
            fprintf(f, "%d,%zu,%s,%s,%d,%d,%s,%s,%d,%s,%s,%s,%d,%lld,%lld,%lld,%lld,%lld\n", setl,
                    i + 1, p->psn_no, p->gend, age, (int)fg_days_between(p->brdy, day), p->insutype,
                    v->med_type, scene_of(v->med_type), d->institution->hosp_lv, v->mdtrt_id,
                    x->med_list_codg, (int)day, (long long)x->fee_ocur_time,
                    (long long)(x->fee_ocur_time / 3600), (long long)x->cnt, (long long)x->pric,
                    (long long)x->det_item_fee_sumamt);
        else
            fprintf(f, "%s,%s,%d,%lld,%lld,%lld,%s\n", p->psn_no, x->med_list_codg, (int)day,
                    (long long)x->fee_ocur_time, (long long)(x->fee_ocur_time / 3600),
                    (long long)x->cnt, v->mdtrt_id);
    }
}

/* ---------------------------------------------------------------- main */

int main(int argc, char **argv)
{
    const char *kbdir = "kb", *export_dir = NULL, *dump_path = NULL;
    int n = 2000, nlines = 20, nhist = 2, rounds = 5;
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : "";
        if (strcmp(argv[i], "--kb") == 0)
            kbdir = argv[++i];
        else if (strcmp(argv[i], "-n") == 0)
            n = (int)strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--lines") == 0)
            nlines = (int)strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--history") == 0)
            nhist = (int)strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--rounds") == 0)
            rounds = (int)strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--export") == 0)
            export_dir = argv[++i];
        else if (strcmp(argv[i], "--dump") == 0)
            dump_path = argv[++i];
        else if (strcmp(argv[i], "--seed") == 0)
            rng_state = strtoull(argv[++i], NULL, 10) | 1;
        else {
            fprintf(stderr, "bench_check: unknown option %s %s\n", argv[i], v);
            return 2;
        }
    }
    if (n < 1 || nlines < 1 || rounds < 1 || nhist < 0)
        return 2;

    fg_error_t err;
    fg_kb_t *kb = fg_kb_new();
    double t0 = now_ns();
    if (fg_kb_load_dir(kb, kbdir, &err) != 0 || fg_kb_seal(kb, &err) != 0) {
        fprintf(stderr, "bench_check: %s\n", err.msg);
        return 3;
    }
    double kb_ms = (now_ns() - t0) / 1e6;

    const char *files[][3] = {
        {"batch1-drug-gender.codes.csv", "药品代码", "国标代码"},
        {"batch1-drug-age.codes.csv", "国标代码", NULL},
        {"batch3-drug-insurance-type.codes.csv", "国标代码", NULL},
        {"batch4-drug-care-setting.codes.csv", "国标代码", NULL},
        {"batch5-drug-institution-level.codes.csv", "国标代码", NULL},
        {"batch6-drug-payment-course.codes.csv", "国标代码", NULL},
    };
    for (size_t i = 0; i < FG_ARRAY_LEN(files); i++)
        read_column(kbdir, files[i][0], files[i][1], files[i][2], &drugs);
    read_column(kbdir, "batch1-item-gender.csv", "国标代码", NULL, &items);
    read_column(kbdir, "batch1-item-age.csv", "国标代码", NULL, &items);
    read_column(kbdir, "batch2-item-surgery-group.csv", "国标代码", NULL, &items);
    read_column(kbdir, "batch8-1-item-frequency.csv", "项目编码", NULL, &items);
    read_column(kbdir, "batch8-3-item-course.csv", "项目代码", NULL, &items);
    read_column(kbdir, "batch8-4-item-period-frequency.csv", "项目代码", NULL, &items);
    read_pairs(kbdir);
    while (plain_items.n < 200) {
        char c[16];
        snprintf(c, sizeof(c), "00%013llu", (unsigned long long)(rnd() % 10000000000000ULL));
        if (fg_kb_lookup(kb, c, 15) == NULL)
            pool_add(&plain_items, c, 15);
    }

    /* persons, their histories and the settlements to check */
    person_t *persons = calloc((size_t)n, sizeof(*persons));
    char **texts = calloc((size_t)n, sizeof(*texts));
    size_t *lens = calloc((size_t)n, sizeof(*lens));
    fg_doc_t *docs = calloc((size_t)n, sizeof(*docs));
    fg_history_t *hist = fg_history_new();
    fg_review_t *review = fg_review_new(kb, NULL, hist);
    fg_arena_t doc_arena, arena;
    fg_arena_init(&doc_arena, 1 << 20);
    fg_arena_init(&arena, 0);
    fg_buf_t b;
    fg_buf_init(&b, 1 << 24);
    FILE *fl = NULL, *fh = NULL;
    if (export_dir != NULL) {
        char path[2048];
        mkdir(export_dir, 0755);
        snprintf(path, sizeof(path), "%s/lines.csv", export_dir);
        fl = fopen(path, "w");
        snprintf(path, sizeof(path), "%s/hist.csv", export_dir);
        fh = fopen(path, "w");
        if (fl == NULL || fh == NULL) {
            fprintf(stderr, "bench_check: %s: %s\n", export_dir, strerror(errno));
            return 3;
        }
        fprintf(fl, "setl,sn,psn,gend,age,age_days,insutype,med_type,scene,hosp_lv,visit,code,day,"
                    "ts,hr,qty,pric,total\n");
        fprintf(fh, "psn,code,day,ts,hr,qty,visit\n");
    }
    static const char *const med_types[] = {"11", "11", "21", "21", "41", "14"};
    for (int i = 0; i < n; i++) {
        person_t *p = &persons[i];
        snprintf(p->psn, sizeof(p->psn), "P%010d", i + 1);
        p->gend = 1 + pick(2);
        p->by = 1940 + pick(85);
        p->bm = 1 + pick(12);
        p->bd = 1 + pick(28);
        p->insutype = pick(2) ? "310" : "390";
        p->lv = 1 + pick(3);
        p->med_type = med_types[pick((int)FG_ARRAY_LEN(med_types))];
        for (int h = 0; h < nhist; h++) {
            char visit[24];
            snprintf(visit, sizeof(visit), "H%d-%d", i + 1, h + 1);
            fg_buf_reset(&b);
            settlement_json(&b, p, visit, 1 + 5 * h, nlines);
            fg_doc_t d;
            fg_arena_reset(&arena);
            if (fg_doc_parse(b.data, b.len, 0, NULL, &arena, &d, NULL, &err) != 0) {
                fprintf(stderr, "bench_check: history: %s: %s\n", err.where, err.msg);
                return 4;
            }
            fg_decision_t dd;
            memset(&dd, 0, sizeof(dd));
            dd.stage = FG_STAGE_POST;
            fg_review_commit(review, &d, &dd, &err);
            if (fh != NULL)
                export_doc(fh, 0, &d, 0);
        }
        char visit[24];
        snprintf(visit, sizeof(visit), "V%d", i + 1);
        fg_buf_reset(&b);
        settlement_json(&b, p, visit, 20, nlines);
        texts[i] = strndup(b.data, b.len);
        lens[i] = b.len;
        if (fg_doc_parse(texts[i], lens[i], 0, NULL, &doc_arena, &docs[i], NULL, &err) != 0) {
            fprintf(stderr, "bench_check: %s: %s\n", err.where, err.msg);
            return 4;
        }
        if (fl != NULL)
            export_doc(fl, i + 1, &docs[i], 1);
    }
    if (fl != NULL)
        fclose(fl);
    if (fh != NULL)
        fclose(fh);

    /* check only */
    size_t total = (size_t)n * (size_t)rounds;
    double *lat = calloc(total, sizeof(*lat));
    size_t hits = 0, k = 0;
    size_t fam_hits[FG_FAM__COUNT] = {0};
    long long fam_amount[FG_FAM__COUNT] = {0};
    fg_decision_t d;
    FILE *dump = dump_path != NULL ? fopen(dump_path, "w") : NULL;
    for (int i = 0; i < n && i < 200; i++) { /* warm-up */
        fg_arena_reset(&arena);
        fg_review_check(review, &docs[i], FG_STAGE_IN, &arena, &d, &err);
    }
    double start = now_ns(), cpu_start = cpu_ns();
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < n; i++) {
            double a = now_ns();
            fg_arena_reset(&arena);
            if (fg_review_check(review, &docs[i], FG_STAGE_IN, &arena, &d, &err) != 0) {
                fprintf(stderr, "bench_check: check: %s\n", err.msg);
                return 4;
            }
            lat[k++] = (now_ns() - a) / 1e3;
            if (r == 0) {
                hits += d.nhits;
                for (size_t h = 0; h < d.nhits; h++) {
                    fg_family_t fam = fg_rule(d.hits[h].rule)->family;
                    if (dump != NULL && d.hits[h].line >= 0)
                        fprintf(dump, "%d,%d,%s,%lld\n", i + 1, d.hits[h].line + 1,
                                fg_family_name(fam), (long long)d.hits[h].amount);
                    fam_hits[fam]++;
                    fam_amount[fam] += d.hits[h].amount;
                }
            }
        }
    }
    if (dump != NULL)
        fclose(dump);
    double check_s = (now_ns() - start) / 1e9, check_cpu_s = (cpu_ns() - cpu_start) / 1e9;
    qsort(lat, total, sizeof(*lat), cmp_double);
    double sum = 0;
    for (size_t i = 0; i < total; i++)
        sum += lat[i];

    /* parse + check */
    double *lat2 = calloc((size_t)n, sizeof(*lat2));
    start = now_ns();
    for (int i = 0; i < n; i++) {
        double a = now_ns();
        fg_arena_reset(&arena);
        fg_doc_t doc;
        if (fg_doc_parse(texts[i], lens[i], 0, NULL, &arena, &doc, NULL, &err) != 0 ||
            fg_review_check(review, &doc, FG_STAGE_IN, &arena, &d, &err) != 0)
            return 4;
        lat2[i] = (now_ns() - a) / 1e3;
    }
    double both_s = (now_ns() - start) / 1e9;
    qsort(lat2, (size_t)n, sizeof(*lat2), cmp_double);

    printf("{\"engine\":\"fundguard\",\"kb_version\":\"%s\",\"kb_load_ms\":%.1f,\"settlements\":%d,"
           "\"lines\":%d,\"history_per_person\":%d,\"history_entries\":%zu,\"rounds\":%d,"
           "\"hits_per_settlement\":%.2f,",
           fg_kb_version(kb), kb_ms, n, nlines, nhist, fg_history_nentries(hist), rounds,
           (double)hits / n);
    printf("\"check\":{\"p50_us\":%.2f,\"p99_us\":%.2f,\"p999_us\":%.2f,\"max_us\":%.2f,"
           "\"mean_us\":%.2f,\"per_second_wall\":%.0f,\"per_second_cpu\":%.0f},",
           pct(lat, total, 0.5), pct(lat, total, 0.99), pct(lat, total, 0.999), lat[total - 1],
           sum / (double)total, (double)total / check_s, (double)total / check_cpu_s);
    printf("\"parse_check\":{\"p50_us\":%.2f,\"p99_us\":%.2f,\"per_second_wall\":%.0f},",
           pct(lat2, (size_t)n, 0.5), pct(lat2, (size_t)n, 0.99), (double)n / both_s);
    printf("\"families\":{");
    int first = 1;
    for (int f = 0; f < FG_FAM__COUNT; f++) {
        if (fam_hits[f] == 0)
            continue;
        printf("%s\"%s\":{\"hits\":%zu,\"amount\":%lld}", first ? "" : ",",
               fg_family_name((fg_family_t)f), fam_hits[f], fam_amount[f]);
        first = 0;
    }
    printf("}}\n");

    for (int i = 0; i < n; i++)
        free(texts[i]);
    free(texts);
    free(lens);
    free(docs);
    free(persons);
    free(lat);
    free(lat2);
    free(drugs.code);
    free(items.code);
    free(plain_items.code);
    free(pairs);
    fg_buf_release(&b);
    fg_arena_release(&arena);
    fg_arena_release(&doc_arena);
    fg_review_free(review);
    fg_history_free(hist);
    fg_kb_free(kb);
    return 0;
}
