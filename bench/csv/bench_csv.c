/*
 * bench_csv.c — throughput of the raw CSV layer (fg_csv_next, no model conversion) on fee_list_d.
 *
 *   bench_csv [FILE.csv] [-n ROWS] [-r RUNS] [-o OUT.csv]
 *
 * Without a file it generates ROWS (default 400000) rows shaped like the national extraction table
 * fee_list_d: its real 82-column header (formats/nhsa-extract/fee_list_d.csv), codes, times, money,
 * flags and Chinese names, about 500 bytes a row, unquoted except a few notes. It then reads the
 * text RUNS times (default 5) each way and prints the best run as rows/s and MB/s: mem
 * fg_csv_open_mem (the block copy, no system calls) file    fg_csv_open_path on a file in $TMPDIR
 * (page cache: read(2) + the same parse) gb18030 the same rows converted to GB18030, read from
 * memory with encoding detection (iconv) libcsv   the same memory through libcsv (Debian
 * libcsv-dev), the peer a hand-rolled reader has to beat to earn its place (docs/decisions.md)
 */
#include "core/compat.h"

#include <csv.h> /* libcsv, the peer */
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fundguard/csv.h"

static const char header[] =
    "bkkp_sn,mdtrt_id,fee_ocur_time,setl_id,rx_drord_no,fixmedins_code,fixmedins_name,psn_no,"
    "psn_insu_rlts_id,insu_admdvs,pay_loc,med_type,cnt,pric,det_item_fee_sumamt,pric_uplmt_amt,"
    "selfpay_prop,fulamt_ownpay_amt,overlmt_selfpay,preselfpay_amt,inscp_amt,cvlserv_bedfee_amt,"
    "medins_disc_amt,chrgitm_lv,hilist_code,hilist_name,list_type,med_list_codg,medins_list_codg,"
    "medins_list_name,med_chrgitm_type,prodname,spec,dosform_name,bilg_dept_codg,bilg_dept_name,"
    "bilg_dr_code,bilg_dr_name,acord_dept_codg,acord_dept_name,acord_dr_code,acord_dr_name,"
    "lmt_used_flag,hosp_prep_flag,hosp_appr_flag,tcmdrug_used_way,prodplac_type,bas_medn_flag,"
    "hi_nego_drug_flag,prcu_drug_flag,chld_medc_flag,etip_flag,etip_hosp_code,dscg_tkdrug_flag,"
    "list_sp_item_flag,matn_fee_flag,drt_reim_flag,reim_prop,oprn_oprt_code,sin_dos_dscr,"
    "used_frqu_dscr,prd_days,medc_way_dscr,memo,vali_flag,rid,updt_time,crter_id,crter_name,"
    "crte_time,crte_optins_no,opter_id,opter_name,opt_time,optins_no,poolarea_no,rx_circ_flag,"
    "dise_codg,chrg_bchno,init_feedetl_sn,comb_no,pt";

static const char *const hospitals[] = {"北京市朝阳区第一医院", "上海市仁济医院",
                                        "广州医科大学附属第一医院", "成都市第三人民医院"};
static const char *const drugs[] = {"阿莫西林胶囊", "注射用头孢曲松钠", "复方甘草片",
                                    "盐酸二甲双胍片", "氯化钠注射液"};
static const char *const specs[] = {"0.25g*24粒", "1.0g", "100片", "0.5g*20片", "250ml:2.25g"};
static const char *const forms[] = {"胶囊剂", "注射剂", "片剂", "片剂", "注射剂"};
static const char *const depts[] = {"内科", "外科", "儿科", "急诊科"};
static const char *const people[] = {"张三", "李四", "王五", "赵六", "陈静"};

typedef struct out {
    char *s;
    size_t n;
    size_t cap;
} out_t;

static void put(out_t *o, const char *s, size_t n)
{
    if (o->n + n + 1 > o->cap) {
        o->cap = (o->cap + n + 1) * 2;
        o->s = realloc(o->s, o->cap);
        if (o->s == NULL) {
            fprintf(stderr, "bench_csv: out of memory\n");
            exit(1);
        }
    }
    memcpy(o->s + o->n, s, n);
    o->n += n;
}

static void puts_(out_t *o, const char *s)
{
    put(o, s, strlen(s));
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

/* A code: prefix then digits. */
static void code(out_t *o, const char *prefix, int digits)
{
    char b[64];
    size_t k = strlen(prefix);
    memcpy(b, prefix, k);
    for (int i = 0; i < digits; i++)
        b[k++] = (char)('0' + rnd(10));
    put(o, b, k);
}

static void when(out_t *o)
{
    char b[32];
    int n = snprintf(b, sizeof(b), "2025-%02u-%02u %02u:%02u:%02u", 1 + rnd(12), 1 + rnd(28),
                     rnd(24), rnd(60), rnd(60));
    put(o, b, (size_t)n);
}

static void money(out_t *o, uint32_t max_yuan)
{
    char b[32];
    int n = snprintf(b, sizeof(b), "%u.%02u", rnd(max_yuan), rnd(100));
    put(o, b, (size_t)n);
}

/* One value for column `name`, by the table's naming conventions. */
static void value(out_t *o, const char *name, int row)
{
    size_t n = strlen(name);
#define ENDS(s) (n >= strlen(s) && strcmp(name + n - strlen(s), (s)) == 0)
    int d = row % 5;
    if (strcmp(name, "fixmedins_name") == 0)
        puts_(o, hospitals[row % 4]);
    else if (strcmp(name, "hilist_name") == 0 || strcmp(name, "medins_list_name") == 0 ||
             strcmp(name, "prodname") == 0)
        puts_(o, drugs[d]);
    else if (strcmp(name, "spec") == 0)
        puts_(o, specs[d]);
    else if (strcmp(name, "dosform_name") == 0)
        puts_(o, forms[d]);
    else if (ENDS("dept_name"))
        puts_(o, depts[rnd(4)]);
    else if (ENDS("dr_name") || ENDS("crter_name") || ENDS("opter_name"))
        puts_(o, people[rnd(5)]);
    else if (strcmp(name, "medc_way_dscr") == 0)
        puts_(o, "口服");
    else if (strcmp(name, "memo") == 0)
        puts_(o, row % 50 == 0 ? "\"患者自述\"\"过敏\"\", 已告知\"" : "");
    else if (ENDS("_time"))
        when(o);
    else if (ENDS("_amt") || strcmp(name, "pric") == 0 || strcmp(name, "overlmt_selfpay") == 0)
        money(o, 500);
    else if (ENDS("_prop"))
        puts_(o, rnd(2) ? "0.1000" : "0.0000");
    else if (ENDS("_flag"))
        puts_(o, rnd(4) ? "0" : "1");
    else if (strcmp(name, "cnt") == 0 || strcmp(name, "prd_days") == 0)
        code(o, "", 1);
    else if (strcmp(name, "etip_hosp_code") == 0 || strcmp(name, "comb_no") == 0 ||
             strcmp(name, "init_feedetl_sn") == 0 || strcmp(name, "oprn_oprt_code") == 0 ||
             strcmp(name, "tcmdrug_used_way") == 0)
        puts_(o, ""); /* filled only for transfers, refunds, operations, herbs */
    else if (strcmp(name, "hilist_code") == 0 || strcmp(name, "med_list_codg") == 0)
        code(o, "XJ01CAA040A", 12);
    else if (strcmp(name, "medins_list_codg") == 0)
        code(o, "YP", 8);
    else if (strcmp(name, "fixmedins_code") == 0 || ENDS("optins_no"))
        code(o, "H", 11);
    else if (ENDS("dr_code") || strcmp(name, "crter_id") == 0 || strcmp(name, "opter_id") == 0)
        code(o, "D", 12);
    else if (strcmp(name, "psn_no") == 0 || strcmp(name, "psn_insu_rlts_id") == 0)
        code(o, "", 16);
    else if (strcmp(name, "insu_admdvs") == 0 || strcmp(name, "poolarea_no") == 0)
        puts_(o, "110105");
    else if (strcmp(name, "dise_codg") == 0)
        puts_(o, "J06.900");
    else if (ENDS("_dept_codg"))
        code(o, "A", 2);
    else if (ENDS("_sn") || ENDS("_id") || ENDS("_no") || strcmp(name, "rid") == 0)
        code(o, "", 12);
    else
        code(o, "", 1 + (int)rnd(2));
#undef ENDS
}

static out_t generate(long rows)
{
    out_t o = {0};
    puts_(&o, header);
    puts_(&o, "\n");
    const char *names[128];
    size_t ncols = 0;
    static char hdr[sizeof(header)];
    memcpy(hdr, header, sizeof(header));
    for (char *p = hdr; p != NULL && ncols < 128;) {
        names[ncols++] = p;
        p = strchr(p, ',');
        if (p != NULL)
            *p++ = '\0';
    }
    for (long r = 0; r < rows; r++) {
        for (size_t c = 0; c < ncols; c++) {
            if (c > 0)
                put(&o, ",", 1);
            value(&o, names[c], (int)r);
        }
        put(&o, "\n", 1);
    }
    return o;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Read everything once; seconds taken, rows and a checksum of field lengths out. */
static double run(const char *data, size_t n, const char *path, long *rows, uint64_t *sum)
{
    fg_csv_options_t opt = {.encoding = FG_CSV_ENC_AUTO,
                            .on_error = FG_CSV_SKIP,
                            .delimiter = ',',
                            .header = 1,
                            .strict_fields = 1};
    fg_csv_t *csv = NULL;
    fg_error_t err;
    double t0 = now();
    int rc = path != NULL ? fg_csv_open_path(path, &opt, &csv, &err)
                          : fg_csv_open_mem(data, n, &opt, &csv, &err);
    if (rc != 0) {
        fprintf(stderr, "bench_csv: %s\n", err.msg);
        exit(1);
    }
    fg_csv_row_t row;
    long count = 0;
    long bad = 0;
    uint64_t s = 0;
    for (;;) {
        rc = fg_csv_next(csv, &row, &err);
        if (rc == 0)
            break;
        if (rc < 0) {
            if (bad++ == 0)
                fprintf(stderr, "bench_csv: %s\n", err.msg);
            continue;
        }
        count++;
        s += row.nfields + row.len[0] + (unsigned char)row.data[row.nfields - 1][0];
    }
    double t = now() - t0;
    fg_csv_close(csv);
    *rows = count;
    *sum = s;
    return t;
}

/* libcsv: the same rows and the same checksum, through its callbacks. */
typedef struct peer {
    long rows;
    uint64_t sum;
    size_t nfields;
    size_t first_len;
    unsigned char last_first;
} peer_t;

static void peer_field(void *data, size_t len, void *ctx)
{
    peer_t *p = ctx;
    if (p->nfields == 0)
        p->first_len = len;
    p->last_first = len > 0 ? *(const unsigned char *)data : 0;
    p->nfields++;
}

static void peer_row(int c, void *ctx)
{
    (void)c;
    peer_t *p = ctx;
    if (p->rows >= 0) /* row -1 is the header */
        p->sum += p->nfields + p->first_len + p->last_first;
    p->rows++;
    p->nfields = 0;
}

static double run_libcsv(const char *data, size_t n, long *rows, uint64_t *sum)
{
    struct csv_parser parser;
    peer_t p = {.rows = -1};
    double t0 = now();
    if (csv_init(&parser, CSV_STRICT | CSV_APPEND_NULL) != 0) {
        fprintf(stderr, "bench_csv: csv_init failed\n");
        exit(1);
    }
    if (csv_parse(&parser, data, n, peer_field, peer_row, &p) != n ||
        csv_fini(&parser, peer_field, peer_row, &p) != 0) {
        fprintf(stderr, "bench_csv: libcsv: %s\n", csv_strerror(csv_error(&parser)));
        exit(1);
    }
    csv_free(&parser);
    double t = now() - t0;
    *rows = p.rows;
    *sum = p.sum;
    return t;
}

static void report(const char *what, const char *data, size_t n, const char *path, size_t bytes,
                   int runs)
{
    double best = 1e30;
    long rows = 0;
    uint64_t sum = 0;
    for (int i = 0; i < runs; i++) {
        double t = strcmp(what, "libcsv") == 0 ? run_libcsv(data, n, &rows, &sum)
                                               : run(data, n, path, &rows, &sum);
        if (t < best)
            best = t;
    }
    printf("  %-8s %9.2f M rows/s  %8.0f MB/s  (%ld rows, %.1f MB, best of %d: %.3f s, sum %llu)\n",
           what, (double)rows / best / 1e6, (double)bytes / best / 1e6, rows, (double)bytes / 1e6,
           runs, best, (unsigned long long)sum);
}

/* The text converted to GB18030 (what a GBK export of the same rows looks like). */
static out_t to_gb18030(const out_t *in)
{
    out_t o = {0};
    o.cap = in->n + 16;
    o.s = malloc(o.cap);
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    if (o.s == NULL || cd == (iconv_t)-1) {
        fprintf(stderr, "bench_csv: cannot convert to GB18030\n");
        exit(1);
    }
    char *ip = in->s;
    size_t il = in->n;
    char *op = o.s;
    size_t ol = o.cap;
    if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1) {
        fprintf(stderr, "bench_csv: iconv failed\n");
        exit(1);
    }
    iconv_close(cd);
    o.n = o.cap - ol;
    return o;
}

int main(int argc, char **argv)
{
    long rows = 400000;
    int runs = 5;
    const char *file = NULL;
    const char *save = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            save = argv[++i];
        else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
            rows = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "-r") == 0 && i + 1 < argc)
            runs = (int)strtol(argv[++i], NULL, 10);
        else
            file = argv[i];
    }
    if (rows < 1 || runs < 1) {
        fprintf(stderr, "usage: bench_csv [FILE.csv] [-n ROWS] [-r RUNS] [-o OUT.csv]\n");
        return 2;
    }
    out_t text = {0};
    if (file != NULL) {
        FILE *f = fopen(file, "rb");
        if (f == NULL) {
            perror(file);
            return 1;
        }
        char b[1 << 16];
        size_t k;
        for (k = fread(b, 1, sizeof(b), f); k > 0; k = fread(b, 1, sizeof(b), f))
            put(&text, b, k);
        fclose(f);
        printf("bench_csv: %s, %.1f MB\n", file, (double)text.n / 1e6);
    } else {
        text = generate(rows);
        if (save != NULL) {
            FILE *o = fopen(save, "wb");
            if (o == NULL || fwrite(text.s, 1, text.n, o) != text.n || fclose(o) != 0) {
                perror(save);
                return 1;
            }
            free(text.s);
            return 0;
        }
        printf("bench_csv: %ld generated fee_list_d rows, 82 columns, %.1f MB (%zu bytes/row)\n",
               rows, (double)text.n / 1e6, text.n / (size_t)rows);
    }

    report("mem", text.s, text.n, NULL, text.n, runs);
    report("libcsv", text.s, text.n, NULL, text.n, runs);

    char path[4096];
    const char *tmp = getenv("TMPDIR");
    snprintf(path, sizeof(path), "%s/bench_csv.%ld.csv", tmp ? tmp : "/tmp", (long)getpid());
    FILE *f = fopen(path, "wb");
    if (f != NULL && fwrite(text.s, 1, text.n, f) == text.n && fclose(f) == 0) {
        report("file", NULL, 0, path, text.n, runs);
        unlink(path);
    }

    if (file == NULL) {
        out_t gb = to_gb18030(&text);
        report("gb18030", gb.s, gb.n, NULL, gb.n, runs);
        free(gb.s);
    }
    free(text.s);
    return 0;
}
