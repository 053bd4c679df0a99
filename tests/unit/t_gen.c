/* t_gen.c — the synthetic region generator: determinism, manifest, files readable by the model's
 * readers, ground truth complete and consistent, GBK output. Each test generates a small region
 * (tiny scale, 2,000 persons: ~0.2 s) into its own temporary folder. */
#include "core/compat.h"

#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fundguard/arena.h"
#include "fundguard/csv.h"
#include "fundguard/error.h"
#include "fundguard/gen.h"
#include "fundguard/hash.h"
#include "fundguard/kb.h"
#include "fundguard/ledger.h"
#include "fundguard/model.h"
#include "t.h"

#define SMALL_PERSONS 2000
#define SMALL_MIN     4 /* the tiny scale's guaranteed cases per scenario */

/* Every file a region holds besides manifest.json, and the table of each CSV (-1: JSON Lines). */
static const struct {
    const char *name;
    int table;
} files[] = {
    {"setl_d.csv", FG_TABLE_SETL_D},
    {"mdtrt_d.csv", FG_TABLE_MDTRT_D},
    {"fee_list_d.csv", FG_TABLE_FEE_LIST_D},
    {"setl_list_diag_d.csv", FG_TABLE_SETL_LIST_DIAG_D},
    {"setl_list_oprn_d.csv", FG_TABLE_SETL_LIST_OPRN_D},
    {"persons.csv", FG_TABLE_PERSONS},
    {"institutions.csv", FG_TABLE_INSTITUTIONS},
    {"staff.csv", FG_TABLE_STAFF},
    {"catalogue.csv", FG_TABLE_CATALOGUE},
    {"deaths.csv", FG_TABLE_DEATHS},
    {"injuries.csv", FG_TABLE_INJURIES},
    {"invoices.csv", FG_TABLE_INVOICES},
    {"suspensions.csv", FG_TABLE_SUSPENSIONS},
    {"truth.csv", FG_TABLE_TRUTH},
    {"settlements.jsonl", -1},
    {"inventory.jsonl", -1},
    {"ledger_events.jsonl", -1},
};
#define NFILES (sizeof(files) / sizeof(files[0]))

/* Generate a small region into <tmpdir>/<sub>; returns the folder. */
static const char *gen_small(const char *sub, uint64_t seed, fg_gen_encoding_t enc,
                             fg_gen_stats_t *st)
{
    static char dirs[4][512];
    static int slot;
    char *dir = dirs[slot++ & 3];
    snprintf(dir, sizeof(dirs[0]), "%s/%s", t_tmpdir(), sub);
    fg_gen_options_t opt;
    fg_gen_options_init(&opt);
    opt.out_dir = dir;
    opt.scale = FG_GEN_TINY;
    opt.seed = seed;
    opt.persons = SMALL_PERSONS;
    opt.encoding = enc;
    opt.kb_dir = t_path("kb/nhsa");
    fg_error_t err;
    fg_error_clear(&err);
    int rc = fg_gen_run(&opt, st, &err);
    if (rc != 0)
        t_fail(__FILE__, __LINE__, "fg_gen_run: %s %s: %s", fg_err_name(rc), err.where, err.msg);
    return dir;
}

static const char *path_in(const char *dir, const char *name)
{
    static char buf[4][640];
    static int slot;
    char *out = buf[slot++ & 3];
    snprintf(out, sizeof(buf[0]), "%s/%s", dir, name);
    return out;
}

static void file_sha(const char *dir, const char *name, char hex[65])
{
    size_t n;
    char *data = t_read_file(path_in(dir, name), &n);
    fg_sha256_hex(data, n, hex);
    free(data);
}

/* The sha256 manifest.json gives for `name` (its "files" entries are one a line). */
static void manifest_sha(const char *manifest, const char *name, char hex[65])
{
    char key[96];
    snprintf(key, sizeof(key), "{\"name\": \"%s\"", name);
    const char *p = strstr(manifest, key);
    if (p == NULL)
        t_fail(__FILE__, __LINE__, "manifest.json does not list %s", name);
    const char *end = strchr(p, '\n');
    const char *s = strstr(p, "\"sha256\": \"");
    if (s == NULL || (end != NULL && s > end))
        t_fail(__FILE__, __LINE__, "manifest.json: no sha256 for %s", name);
    memcpy(hex, s + 11, 64);
    hex[64] = '\0';
}

/* Every file's sha256 as manifest.json gives it equals the file's; stats.bytes adds them up. */
static void check_manifest(const char *dir, const fg_gen_stats_t *st)
{
    char *manifest = t_read_file(path_in(dir, "manifest.json"), NULL);
    uint64_t bytes = 0;
    for (size_t i = 0; i < NFILES; i++) {
        char want[65], got[65];
        manifest_sha(manifest, files[i].name, want);
        size_t n;
        char *data = t_read_file(path_in(dir, files[i].name), &n);
        fg_sha256_hex(data, n, got);
        free(data);
        if (strcmp(want, got) != 0)
            t_fail(__FILE__, __LINE__, "%s: manifest says %s, file is %s", files[i].name, want,
                   got);
        bytes += n;
    }
    ASSERT_UEQ(st->bytes, bytes); /* every file but the manifest */
    free(manifest);
}

TEST(gen_deterministic_by_seed)
{
    fg_gen_stats_t a, b;
    const char *d1 = gen_small("a", 7, FG_GEN_UTF8, &a);
    const char *d2 = gen_small("b", 7, FG_GEN_UTF8, &b);
    const char *d3 = gen_small("c", 8, FG_GEN_UTF8, NULL);
    check_manifest(d1, &a);
    ASSERT_MEM_EQ(&a, &b, sizeof(a));
    size_t same = 0;
    for (size_t i = 0; i < NFILES; i++) {
        char h1[65], h2[65], h3[65];
        file_sha(d1, files[i].name, h1);
        file_sha(d2, files[i].name, h2);
        file_sha(d3, files[i].name, h3);
        if (strcmp(h1, h2) != 0)
            t_fail(__FILE__, __LINE__, "%s differs between two runs of one seed", files[i].name);
        if (strcmp(h1, h3) == 0) {
            /* The catalogue is derived from the national codes alone, on purpose. */
            if (strcmp(files[i].name, "catalogue.csv") != 0)
                t_fail(__FILE__, __LINE__, "%s is the same for seeds 7 and 8", files[i].name);
            same++;
        }
    }
    ASSERT_LE(same, 1);
    /* The manifest too: it names no folder, clock or host. */
    char h1[65], h2[65];
    file_sha(d1, "manifest.json", h1);
    file_sha(d2, "manifest.json", h2);
    ASSERT_STR_EQ(h1, h2);
}

/* The catalogue is built from a loaded knowledge base: one the caller loaded gives the same bytes
 * as the folder the generator loads itself; a knowledge base without a table it needs is refused.
 */
TEST(gen_from_a_loaded_kb)
{
    const char *d1 = gen_small("from-dir", 7, FG_GEN_UTF8, NULL);
    fg_kb_t *kb = fg_kb_new();
    fg_error_t err;
    fg_error_clear(&err);
    ASSERT(kb != NULL);
    ASSERT_OK(fg_kb_load_dir(kb, t_path("kb/nhsa"), &err));
    ASSERT_OK(fg_kb_seal(kb, &err));
    char out[640];
    snprintf(out, sizeof(out), "%s", path_in(t_tmpdir(), "from-kb"));
    fg_gen_options_t opt;
    fg_gen_options_init(&opt);
    opt.out_dir = out;
    opt.scale = FG_GEN_TINY;
    opt.seed = 7;
    opt.persons = SMALL_PERSONS;
    opt.kb_dir = path_in(t_tmpdir(), "no-such-kb"); /* not read: opt.kb is given */
    opt.kb = kb;
    ASSERT_OK(fg_gen_run(&opt, NULL, &err));
    for (size_t i = 0; i <= NFILES; i++) {
        const char *name = i < NFILES ? files[i].name : "manifest.json";
        char h1[65], h2[65];
        file_sha(d1, name, h1);
        file_sha(opt.out_dir, name, h2);
        if (strcmp(h1, h2) != 0)
            t_fail(__FILE__, __LINE__, "%s differs between --kb DIR and a loaded kb", name);
    }
    fg_kb_free(kb);

    kb = fg_kb_new();
    ASSERT(kb != NULL);
    static const char gender[] = "项目名称,项目说明,国标代码,限定类型,限定性别\n"
                                 "前列腺按摩,,003109040010000,限定性别对象,男\n";
    ASSERT_OK(fg_kb_load_mem(kb, "batch1-item-gender.csv", gender, sizeof(gender) - 1, &err));
    ASSERT_OK(fg_kb_seal(kb, &err));
    opt.out_dir = path_in(t_tmpdir(), "from-small-kb");
    opt.kb = kb;
    ASSERT_ERR(fg_gen_run(&opt, NULL, &err), FG_ENOTFOUND);
    ASSERT(strstr(err.msg, "batch1-drug-gender") != NULL);
    fg_kb_free(kb);
}

/* ------------------------------------------------------------------ reading back */

typedef struct diag_sink {
    const char *file;
    size_t shown;
} diag_sink_t;

static void on_diag(void *ctx, const fg_error_t *e)
{
    diag_sink_t *s = ctx;
    if (s->shown++ < 5)
        fprintf(stderr, "  %s:%ld %s: %s [%s]\n", s->file, e->line, e->where, e->msg,
                fg_err_name(e->code));
}

/* Read a CSV through its table reader; returns rows read, fails on any error. */
static uint64_t read_table(const char *dir, const char *name, fg_table_t t, fg_csv_encoding_t enc)
{
    diag_sink_t sink = {name, 0};
    fg_diag_t diag = {on_diag, &sink, 0};
    fg_csv_options_t copt;
    memset(&copt, 0, sizeof(copt));
    copt.encoding = enc;
    copt.header = 1;
    copt.strict_fields = 1;
    copt.name = name;
    fg_error_t err;
    fg_error_clear(&err);
    fg_table_reader_t *r = NULL;
    int rc = fg_table_open(t, path_in(dir, name), &copt, &diag, &r, &err);
    if (rc != 0)
        t_fail(__FILE__, __LINE__, "%s: %s %s", name, fg_err_name(rc), err.msg);
    void *rec = malloc(fg_rectype_info(fg_table_rectype(t))->size);
    ASSERT(rec != NULL);
    do
        rc = fg_table_next(r, rec);
    while (rc == 1);
    ASSERT_EQ(rc, 0);
    uint64_t rows = fg_table_rows(r);
    uint64_t bad = fg_table_bad_rows(r);
    fg_table_close(r);
    free(rec);
    if (bad != 0 || diag.count != 0)
        t_fail(__FILE__, __LINE__, "%s: %llu bad rows, %zu errors", name, (unsigned long long)bad,
               diag.count);
    return rows;
}

/* Read a JSON Lines file line by line; returns lines read, fails on any error. */
static uint64_t read_jsonl(const char *dir, const char *name)
{
    size_t n;
    char *data = t_read_file(path_in(dir, name), &n);
    int ledger = strcmp(name, "ledger_events.jsonl") == 0;
    diag_sink_t sink = {name, 0};
    fg_diag_t diag = {on_diag, &sink, 0};
    fg_arena_t arena;
    fg_arena_init(&arena, 1 << 16);
    uint64_t lines = 0;
    for (char *p = data; p < data + n;) {
        char *nl = memchr(p, '\n', (size_t)(data + n - p));
        ASSERT(nl != NULL); /* every line ends with a newline */
        fg_error_t err;
        fg_error_clear(&err);
        int rc;
        if (ledger) {
            fg_ledger_event_t ev;
            rc = fg_ledger_event_parse_json(p, (size_t)(nl - p), &ev, &err);
        } else {
            fg_doc_t doc;
            rc = fg_doc_parse(p, (size_t)(nl - p), 0, NULL, &arena, &doc, &diag, &err);
            if (rc == 0 && strcmp(name, "settlements.jsonl") == 0) {
                /* A settlement's total is the sum of its fee lines, in fen. */
                ASSERT(doc.settlement != NULL);
                fg_fen_t sum = 0;
                for (size_t i = 0; i < doc.nfees; i++)
                    sum += doc.fees[i].det_item_fee_sumamt;
                ASSERT_EQ(sum, doc.settlement->medfee_sumamt);
            }
            if (rc == 0 && strcmp(name, "inventory.jsonl") == 0)
                ASSERT(doc.infno >= 3501 && doc.infno <= 3507 && doc.ninv > 0);
            fg_arena_reset(&arena);
        }
        if (rc != 0)
            t_fail(__FILE__, __LINE__, "%s line %llu: %s %s: %s", name,
                   (unsigned long long)lines + 1, fg_err_name(rc), err.where, err.msg);
        lines++;
        p = nl + 1;
    }
    fg_arena_release(&arena);
    free(data);
    ASSERT_EQ(diag.count, 0);
    return lines;
}

/* Rows of every file as manifest.json counts them: "rows": N after the file's name. */
static uint64_t manifest_rows(const char *manifest, const char *name)
{
    char key[96];
    snprintf(key, sizeof(key), "{\"name\": \"%s\"", name);
    const char *p = strstr(manifest, key);
    ASSERT(p != NULL);
    p = strstr(p, "\"rows\": ");
    ASSERT(p != NULL);
    return strtoull(p + 8, NULL, 10);
}

static void read_region(const char *dir, fg_csv_encoding_t enc)
{
    char *manifest = t_read_file(path_in(dir, "manifest.json"), NULL);
    for (size_t i = 0; i < NFILES; i++) {
        uint64_t rows = files[i].table >= 0
                            ? read_table(dir, files[i].name, (fg_table_t)files[i].table, enc)
                            : read_jsonl(dir, files[i].name);
        ASSERT_UEQ(rows, manifest_rows(manifest, files[i].name));
    }
    free(manifest);
}

TEST(gen_every_file_reads_without_error)
{
    fg_gen_stats_t st;
    const char *dir = gen_small("r", 3, FG_GEN_UTF8, &st);
    ASSERT_GT(st.fee_lines, 10000);
    ASSERT_GT(st.ledger_events, 10000);
    ASSERT_GT(st.inv_events, 1000);
    read_region(dir, FG_CSV_ENC_UTF8);
}

/* ------------------------------------------------------------------ ground truth */

typedef struct idset {
    char (*v)[FG_ID_LEN + 1];
    size_t n;
    size_t cap;
} idset_t;

static void idset_add(idset_t *s, const char *id)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->v = realloc(s->v, s->cap * sizeof(*s->v));
        ASSERT(s->v != NULL);
    }
    snprintf(s->v[s->n++], FG_ID_LEN + 1, "%s", id);
}

static int cmp_id(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void idset_sort(idset_t *s)
{
    qsort(s->v, s->n, sizeof(*s->v), cmp_id);
}

static int idset_has(const idset_t *s, const char *id)
{
    char key[FG_ID_LEN + 1];
    snprintf(key, sizeof(key), "%s", id);
    return bsearch(key, s->v, s->n, sizeof(*s->v), cmp_id) != NULL;
}

/* Every ';'-separated id of list is in s. */
static void expect_all_in(const idset_t *s, const char *list, const char *what, const char *case_id)
{
    const char *p = list;
    while (*p != '\0') {
        const char *e = strchr(p, ';');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char id[FG_ID_LEN + 1];
        ASSERT(n > 0 && n <= FG_ID_LEN);
        memcpy(id, p, n);
        id[n] = '\0';
        if (!idset_has(s, id))
            t_fail(__FILE__, __LINE__, "truth case %s: %s %s is in no generated row", case_id, what,
                   id);
        p += n;
        if (*p == ';')
            p++;
    }
}

typedef struct setl_sum {
    char setl_id[FG_ID_LEN + 1];
    fg_fen_t sum;
} setl_sum_t;

static int cmp_sum(const void *a, const void *b)
{
    return strcmp(((const setl_sum_t *)a)->setl_id, ((const setl_sum_t *)b)->setl_id);
}

static fg_table_reader_t *open_table(const char *dir, fg_table_t t)
{
    fg_error_t err;
    fg_error_clear(&err);
    fg_table_reader_t *r = NULL;
    char name[64];
    snprintf(name, sizeof(name), "%s.csv", fg_table_name(t));
    ASSERT_OK(fg_table_open(t, path_in(dir, name), NULL, NULL, &r, &err));
    return r;
}

/* The values of one string field of every row of a table, sorted. */
static void ids_of(const char *dir, fg_table_t t, const char *field, idset_t *out)
{
    fg_rectype_t rt = fg_table_rectype(t);
    const fg_field_t *f = fg_field_find(rt, field);
    ASSERT(f != NULL);
    char *rec = malloc(fg_rectype_info(rt)->size);
    ASSERT(rec != NULL);
    fg_table_reader_t *r = open_table(dir, t);
    while (fg_table_next(r, rec) == 1)
        idset_add(out, rec + f->offset);
    fg_table_close(r);
    free(rec);
    idset_sort(out);
}

TEST(gen_truth_complete_and_consistent)
{
    fg_gen_stats_t st;
    const char *dir = gen_small("t", 5, FG_GEN_UTF8, &st);

    /* fee lines: their ids, and the sum of each settlement's lines */
    idset_t fee = {0}, setl = {0}, psn = {0}, inst = {0};
    setl_sum_t *sums = NULL;
    size_t nsums = 0;
    fg_fee_line_t *fl = malloc(sizeof(*fl));
    ASSERT(fl != NULL);
    fg_table_reader_t *r = open_table(dir, FG_TABLE_FEE_LIST_D);
    while (fg_table_next(r, fl) == 1) {
        idset_add(&fee, fl->feedetl_sn);
        if (nsums == 0 || strcmp(sums[nsums - 1].setl_id, fl->setl_id) != 0) {
            sums = realloc(sums, (nsums + 1) * sizeof(*sums));
            ASSERT(sums != NULL);
            snprintf(sums[nsums].setl_id, sizeof(sums[0].setl_id), "%s", fl->setl_id);
            sums[nsums++].sum = 0;
        }
        sums[nsums - 1].sum += fl->det_item_fee_sumamt;
    }
    fg_table_close(r);
    free(fl);
    ASSERT_UEQ(fee.n, st.fee_lines);
    idset_sort(&fee);
    /* A settlement's lines are written together: one run each, so the runs are the sums. */
    qsort(sums, nsums, sizeof(*sums), cmp_sum);
    for (size_t i = 1; i < nsums; i++)
        ASSERT(strcmp(sums[i - 1].setl_id, sums[i].setl_id) != 0);

    /* settlements: every total equals its lines' sum (refunds included, negative) */
    fg_settlement_t *s = malloc(sizeof(*s));
    ASSERT(s != NULL);
    size_t refunds = 0;
    r = open_table(dir, FG_TABLE_SETL_D);
    while (fg_table_next(r, s) == 1) {
        idset_add(&setl, s->setl_id);
        setl_sum_t key;
        snprintf(key.setl_id, sizeof(key.setl_id), "%s", s->setl_id);
        const setl_sum_t *f = bsearch(&key, sums, nsums, sizeof(*sums), cmp_sum);
        fg_fen_t sum = f ? f->sum : 0;
        if (sum != s->medfee_sumamt)
            t_fail(__FILE__, __LINE__, "settlement %s: medfee_sumamt %lld, lines sum %lld",
                   s->setl_id, (long long)s->medfee_sumamt, (long long)sum);
        refunds += s->refd_setl_flag == 1;
    }
    fg_table_close(r);
    free(s);
    free(sums);
    ASSERT_GT(refunds, 0);
    idset_sort(&setl);

    ids_of(dir, FG_TABLE_PERSONS, "psn_no", &psn);
    ids_of(dir, FG_TABLE_INSTITUTIONS, "fixmedins_code", &inst);

    /* truth: every scenario has its cases; every id a case names was generated */
    size_t nscen = fg_gen_scenario_count();
    ASSERT_GE(nscen, 30);
    uint64_t *count = calloc(nscen, sizeof(*count));
    ASSERT(count != NULL);
    fg_truth_t *t = malloc(sizeof(*t));
    ASSERT(t != NULL);
    uint64_t cases = 0;
    r = open_table(dir, FG_TABLE_TRUTH);
    while (fg_table_next(r, t) == 1) {
        size_t i = 0;
        while (i < nscen && strcmp(fg_gen_scenario_name(i), t->scenario) != 0)
            i++;
        if (i == nscen)
            t_fail(__FILE__, __LINE__, "truth case %s: unknown scenario %s", t->case_id,
                   t->scenario);
        count[i]++;
        cases++;
        expect_all_in(&fee, t->feedetl_sn, "feedetl_sn", t->case_id);
        expect_all_in(&setl, t->setl_id, "setl_id", t->case_id);
        expect_all_in(&psn, t->psn_no, "psn_no", t->case_id);
        expect_all_in(&inst, t->fixmedins_code, "fixmedins_code", t->case_id);
        ASSERT(t->family[0] != '\0');
        ASSERT(t->amount_fen >= 0);
        ASSERT(t->psn_no[0] != '\0' || t->fixmedins_code[0] != '\0' || t->staff_code[0] != '\0');
    }
    ASSERT_EQ(fg_table_bad_rows(r), 0);
    fg_table_close(r);
    free(t);
    ASSERT_UEQ(cases, st.truth_cases);
    for (size_t i = 0; i < nscen; i++)
        if (count[i] < SMALL_MIN)
            t_fail(__FILE__, __LINE__, "scenario %s: %llu cases, want >= %d",
                   fg_gen_scenario_name(i), (unsigned long long)count[i], SMALL_MIN);
    free(count);
    free(fee.v);
    free(setl.v);
    free(psn.v);
    free(inst.v);
}

/* ------------------------------------------------------------------ encodings */

/* GB18030 bytes → UTF-8 (malloc'd). */
static char *gbk_to_utf8(char *in, size_t n, size_t *out_n)
{
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    ASSERT(cd != (iconv_t)-1);
    size_t cap = n * 2 + 16;
    char *out = malloc(cap);
    ASSERT(out != NULL);
    char *ip = in;
    char *op = out;
    size_t il = n, ol = cap;
    ASSERT(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
    ASSERT_EQ(il, 0);
    iconv_close(cd);
    *out_n = cap - ol;
    return out;
}

TEST(gen_gbk_decodes_to_the_utf8_content)
{
    const char *du = gen_small("u", 9, FG_GEN_UTF8, NULL);
    const char *dg = gen_small("g", 9, FG_GEN_GBK, NULL);
    size_t differ = 0;
    for (size_t i = 0; i < NFILES; i++) {
        size_t nu, ng;
        char *u = t_read_file(path_in(du, files[i].name), &nu);
        char *g = t_read_file(path_in(dg, files[i].name), &ng);
        if (files[i].table < 0) {
            /* JSON Lines are always UTF-8. */
            ASSERT_UEQ(nu, ng);
            ASSERT_MEM_EQ(u, g, nu);
        } else {
            size_t nd;
            char *d = gbk_to_utf8(g, ng, &nd);
            if (nd != nu || memcmp(d, u, nu) != 0)
                t_fail(__FILE__, __LINE__, "%s: GBK does not decode to the UTF-8 file",
                       files[i].name);
            differ += ng != nu || memcmp(g, u, nu) != 0;
            free(d);
        }
        free(u);
        free(g);
    }
    ASSERT_GT(differ, 5); /* the Chinese text really was converted */
    char *manifest = t_read_file(path_in(dg, "manifest.json"), NULL);
    ASSERT(strstr(manifest, "\"encoding\": \"gbk\"") != NULL);
    free(manifest);
    /* and the readers take the GBK files as they are */
    read_region(dg, FG_CSV_ENC_GBK);
}

/* ------------------------------------------------------------------ options */

TEST(gen_bad_options)
{
    fg_gen_options_t opt;
    fg_gen_options_init(&opt);
    fg_error_t err;
    fg_error_clear(&err);
    ASSERT_ERR(fg_gen_run(&opt, NULL, &err), FG_EINVAL); /* no out_dir */
    opt.out_dir = path_in(t_tmpdir(), "bad");
    opt.year = 1999;
    ASSERT_ERR(fg_gen_run(&opt, NULL, &err), FG_EINVAL);
    opt.year = FG_GEN_DEFAULT_YEAR;
    opt.fraud_rate = 0.5;
    ASSERT_ERR(fg_gen_run(&opt, NULL, &err), FG_EINVAL);
    opt.fraud_rate = FG_GEN_DEFAULT_FRAUD_RATE;
    opt.kb_dir = path_in(t_tmpdir(), "no-such-kb");
    opt.scale = FG_GEN_TINY;
    opt.persons = 200;
    ASSERT_ERR(fg_gen_run(&opt, NULL, &err), FG_ENOTFOUND);
    /* Too few persons to hold the guaranteed cases: refused before any file is written. */
    opt.kb_dir = t_path("kb/nhsa");
    opt.scale = FG_GEN_COUNTY;
    opt.persons = 1000;
    ASSERT_ERR(fg_gen_run(&opt, NULL, &err), FG_EINVAL);
    ASSERT_STR_EQ(err.where, "persons");
    ASSERT(strstr(err.msg, "use more persons") != NULL);
    FILE *f = fopen(path_in(t_tmpdir(), "bad/setl_d.csv"), "rb");
    ASSERT(f == NULL);

    ASSERT_EQ(fg_gen_scale_parse("county"), FG_GEN_COUNTY);
    ASSERT_EQ(fg_gen_scale_parse("province"), FG_GEN_PROVINCE);
    ASSERT_EQ(fg_gen_scale_parse("planet"), -1);
    ASSERT_STR_EQ(fg_gen_scale_name(FG_GEN_CITY), "city");
    ASSERT(fg_gen_scenario_name(fg_gen_scenario_count()) == NULL);
}
