/*
 * bench_reader.c — the fee_list_d reader (fg_table_*, CSV included), the hot path of batch
 * screening. Target: ≥ 1M rows/s on one core.
 *
 *   bench_reader [ROWS] [--out-csv PATH] [--in-csv PATH] [--gen-only] [--runs N] [--results PATH]
 *
 * Generates ROWS (default 1,000,000) realistic fee lines with the full national header (82 columns,
 * about 25 filled, Chinese names included) into a temporary file — or into PATH with --out-csv,
 * kept for peer benchmarks (SQLite, DuckDB) to load the very same file; --gen-only stops there.
 * --in-csv reads an existing file instead of generating one. Then reads the file with fg_table_*
 * `runs` times (default 3), prints rows/s and MB/s of the best run, and writes one JSON line to
 * bench/results/reader.json (or --results PATH).
 */
#include "core/compat.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fundguard/buf.h"
#include "fundguard/model.h"

/* ---------------------------------------------------------------- generation */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

struct item {
    const char *code;
    const char *name;
    const char *list_type;
    const char *chrgitm_lv;
    const char *pric;
    const char *frequency;
};

static const struct item items[] = {
    {"XJ01CAA040E001010100955", "阿莫西林胶囊", "101", "01", "12.50", "tid"},
    {"ZA04CAE0023010100166", "连花清瘟胶囊", "101", "02", "151.50", "tid"},
    {"XC08CAA034A001010103417", "氨氯地平片", "101", "01", "0.85", "qd"},
    {"XA01ABD075A002010100483", "注射用头孢唑林钠", "101", "01", "24.60", "bid"},
    {"C0301011110000012345", "一次性使用腹腔镜穿刺器", "301", "02", "980.00", ""},
    {"001102000050000", "普通门诊诊查费", "201", "01", "10.00", ""},
    {"120400001000000", "静脉输液", "201", "01", "12.00", ""},
    {"250101001000000", "血常规", "201", "01", "20.00", ""},
};

static const char *const names[] = {"长沙市芙蓉区人民医院", "长沙市开福区第一社区卫生服务中心",
                                    "湖南省第二人民医院", "老百姓大药房(五一路店)"};

enum {
    S_NONE = -1,
    S_SN,
    S_MDTRT,
    S_SETL,
    S_PSN,
    S_INST,
    S_INST_NAME,
    S_TIME,
    S_ADMDVS,
    S_MED_TYPE,
    S_CNT,
    S_PRIC,
    S_AMT,
    S_ZERO,
    S_LV,
    S_CODE,
    S_NAME,
    S_LIST_TYPE,
    S_MEDINS_CODE,
    S_DEPT,
    S_DR,
    S_FREQ,
    S_DAYS,
    S_VALI,
    S_POOL,
    NSLOTS
};

/* The filled columns of a generated row (about 25 of the 82) and what fills them. */
static const struct {
    const char *column;
    int slot;
} slot_names[] = {
    {"bkkp_sn", S_SN},
    {"mdtrt_id", S_MDTRT},
    {"setl_id", S_SETL},
    {"psn_no", S_PSN},
    {"fixmedins_code", S_INST},
    {"fixmedins_name", S_INST_NAME},
    {"fee_ocur_time", S_TIME},
    {"crte_time", S_TIME},
    {"insu_admdvs", S_ADMDVS},
    {"med_type", S_MED_TYPE},
    {"cnt", S_CNT},
    {"pric", S_PRIC},
    {"det_item_fee_sumamt", S_AMT},
    {"inscp_amt", S_AMT},
    {"fulamt_ownpay_amt", S_ZERO},
    {"chrgitm_lv", S_LV},
    {"hilist_code", S_CODE},
    {"med_list_codg", S_CODE},
    {"hilist_name", S_NAME},
    {"medins_list_name", S_NAME},
    {"list_type", S_LIST_TYPE},
    {"medins_list_codg", S_MEDINS_CODE},
    {"bilg_dept_codg", S_DEPT},
    {"bilg_dr_code", S_DR},
    {"used_frqu_dscr", S_FREQ},
    {"prd_days", S_DAYS},
    {"vali_flag", S_VALI},
    {"poolarea_no", S_POOL},
};

static int generate(const char *path, long rows)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        fprintf(stderr, "bench_reader: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    fg_buf_t b;
    fg_buf_init(&b, (size_t)1 << 30);
    fg_table_write_header(FG_TABLE_FEE_LIST_D, &b);
    const char *const *cols = fg_table_columns(FG_TABLE_FEE_LIST_D);
    size_t ncols = 0;
    while (cols[ncols] != NULL)
        ncols++;
    const char *v[128];
    int slot[128];
    for (size_t c = 0; c < ncols && c < 128; c++) {
        slot[c] = S_NONE;
        for (size_t k = 0; k < FG_ARRAY_LEN(slot_names); k++)
            if (strcmp(cols[c], slot_names[k].column) == 0)
                slot[c] = slot_names[k].slot;
    }
    char sn[32], mdtrt[32], setl[32], psn[48], inst[32], dr[32], when[48], cnt[16], amt[48];
    char days[16];
    for (long r = 0; r < rows; r++) {
        const struct item *it = &items[rnd(FG_ARRAY_LEN(items))];
        long visit = r / 6;
        int n = 1 + (int)rnd(4);
        int inst_no = (int)(visit % 50);
        snprintf(sn, sizeof(sn), "F%012ld", r + 1);
        snprintf(mdtrt, sizeof(mdtrt), "M2025%09ld", visit);
        snprintf(setl, sizeof(setl), "S2025%09ld", visit);
        snprintf(psn, sizeof(psn), "430000000000000000%08ld", (visit * 7919) % 1000000);
        snprintf(inst, sizeof(inst), "H430102%05d", inst_no + 1);
        snprintf(dr, sizeof(dr), "D430102%06d", (int)(visit % 400) + 1);
        snprintf(when, sizeof(when), "2025-%02d-%02d %02d:%02d:%02d", 1 + (int)(visit % 12),
                 1 + (int)(visit % 28), 8 + (int)rnd(10), (int)rnd(60), (int)rnd(60));
        snprintf(cnt, sizeof(cnt), "%d", n);
        long fen = 0;
        for (const char *p = it->pric; *p != '\0'; p++)
            if (*p != '.')
                fen = fen * 10 + (*p - '0');
        snprintf(amt, sizeof(amt), "%ld.%02ld", fen * n / 100, fen * n % 100);
        snprintf(days, sizeof(days), "%d", 1 + n * 2);
        const char *val[NSLOTS] = {
            [S_SN] = sn,
            [S_MDTRT] = mdtrt,
            [S_SETL] = setl,
            [S_PSN] = psn,
            [S_INST] = inst,
            [S_INST_NAME] = names[inst_no % 4],
            [S_TIME] = when,
            [S_ADMDVS] = "430102",
            [S_MED_TYPE] = visit % 5 == 0 ? "21" : "11",
            [S_CNT] = cnt,
            [S_PRIC] = it->pric,
            [S_AMT] = amt,
            [S_ZERO] = "0.00",
            [S_LV] = it->chrgitm_lv,
            [S_CODE] = it->code,
            [S_NAME] = it->name,
            [S_LIST_TYPE] = it->list_type,
            [S_MEDINS_CODE] = it->code + 8,
            [S_DEPT] = "A03.01",
            [S_DR] = dr,
            [S_FREQ] = it->frequency,
            [S_DAYS] = it->frequency[0] != '\0' ? days : "",
            [S_VALI] = "1",
            [S_POOL] = "430100",
        };
        for (size_t c = 0; c < ncols; c++)
            v[c] = slot[c] != S_NONE ? val[slot[c]] : "";
        for (size_t c = 0; c < ncols; c++) {
            if (c > 0)
                fg_buf_appendc(&b, ',');
            fg_buf_appends(&b, v[c]);
        }
        fg_buf_appendc(&b, '\n');
        if (b.len > ((size_t)1 << 20)) {
            if (fwrite(b.data, 1, b.len, f) != b.len)
                break;
            fg_buf_reset(&b);
        }
    }
    int rc = 0;
    if (b.len > 0 && fwrite(b.data, 1, b.len, f) != b.len)
        rc = -1;
    fg_buf_release(&b);
    if (fclose(f) != 0 || rc != 0) {
        fprintf(stderr, "bench_reader: writing %s failed\n", path);
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- reading */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One full read; returns seconds, or < 0 on error. */
static double read_once(const char *path, uint64_t *rows, uint64_t *bad)
{
    fg_table_reader_t *r = NULL;
    fg_error_t err;
    double t0 = now();
    if (fg_table_open(FG_TABLE_FEE_LIST_D, path, NULL, NULL, &r, &err) != 0) {
        fprintf(stderr, "bench_reader: %s: %s\n", path, err.msg);
        return -1;
    }
    fg_fee_line_t fee;
    uint64_t n = 0;
    fg_fen_t sum = 0; /* touch the records so nothing is optimised away */
    int rc = fg_table_next(r, &fee);
    for (; rc > 0; rc = fg_table_next(r, &fee)) {
        n++;
        sum += fee.det_item_fee_sumamt;
    }
    double t = now() - t0;
    *rows = n;
    *bad = fg_table_bad_rows(r);
    fg_table_close(r);
    if (rc < 0 || sum == 0)
        return -1;
    return t;
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_reader [ROWS] [--out-csv PATH] [--in-csv PATH] [--gen-only] "
                    "[--runs N] [--results PATH]\n");
}

int main(int argc, char **argv)
{
    long rows = 1000000;
    int runs = 3;
    int gen_only = 0;
    const char *out_csv = NULL;
    const char *in_csv = NULL;
    const char *results = "bench/results/reader.json";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--out-csv") == 0 && i + 1 < argc) {
            out_csv = argv[++i];
        } else if (strcmp(a, "--in-csv") == 0 && i + 1 < argc) {
            in_csv = argv[++i];
        } else if (strcmp(a, "--results") == 0 && i + 1 < argc) {
            results = argv[++i];
        } else if (strcmp(a, "--runs") == 0 && i + 1 < argc) {
            runs = (int)strtol(argv[++i], NULL, 10);
        } else if (strcmp(a, "--gen-only") == 0) {
            gen_only = 1;
        } else if (a[0] >= '0' && a[0] <= '9') {
            rows = strtol(a, NULL, 10);
        } else {
            usage();
            return 2;
        }
    }
    if (rows <= 0 || runs <= 0) {
        usage();
        return 2;
    }

    char tmp[512];
    const char *path = in_csv;
    if (path == NULL) {
        if (out_csv != NULL) {
            path = out_csv;
        } else {
            const char *dir = getenv("TMPDIR");
            snprintf(tmp, sizeof(tmp), "%s/bench_reader.%ld.csv", dir ? dir : "/tmp",
                     (long)getpid());
            path = tmp;
        }
        double g0 = now();
        if (generate(path, rows) != 0)
            return 1;
        fprintf(stderr, "bench_reader: generated %ld rows into %s in %.1f s\n", rows, path,
                now() - g0);
        if (gen_only)
            return 0;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "bench_reader: %s: %s\n", path, strerror(errno));
        return 1;
    }

    double best = 0;
    uint64_t nrows = 0;
    uint64_t bad = 0;
    char runs_text[256] = "";
    size_t rt = 0;
    for (int i = 0; i < runs; i++) {
        double t = read_once(path, &nrows, &bad);
        if (t < 0)
            return 1;
        if (best == 0 || t < best)
            best = t;
        rt += (size_t)snprintf(runs_text + rt, sizeof(runs_text) - rt, "%s%.4f", i ? "," : "", t);
        if (rt >= sizeof(runs_text))
            rt = sizeof(runs_text) - 1;
    }
    if (path == tmp)
        unlink(tmp);
    if (bad != 0) {
        fprintf(stderr, "bench_reader: %llu rows were refused\n", (unsigned long long)bad);
        return 1;
    }
    double mb = (double)st.st_size / 1e6;
    printf("fee_list_d reader: %llu rows, %.1f MB, best of %d: %.3f s, %.0f rows/s, %.1f MB/s\n",
           (unsigned long long)nrows, mb, runs, best, (double)nrows / best, mb / best);

    FILE *f = fopen(results, "w");
    if (f == NULL) {
        fprintf(stderr, "bench_reader: cannot write %s: %s (result not saved)\n", results,
                strerror(errno));
        return 0;
    }
    time_t wall = time(NULL);
    char date[32];
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&wall));
    fprintf(f,
            "{\"bench\":\"reader\",\"engine\":\"fundguard\",\"table\":\"fee_list_d\",\"rows\":%llu,"
            "\"bytes\":%lld,\"columns\":82,\"runs_s\":[%s],\"best_s\":%.4f,\"rows_per_s\":%.0f,"
            "\"mb_per_s\":%.1f,\"date\":\"%s\"}\n",
            (unsigned long long)nrows, (long long)st.st_size, runs_text, best, (double)nrows / best,
            mb / best, date);
    fclose(f);
    return 0;
}
