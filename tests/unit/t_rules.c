/*
 * t_rules.c — the review engine: the catalogue, the history store, and every golden case in
 * tests/cases/rules/ (every .case file; format in tests/cases/rules/README.md). Each case is also
 * replayed from its snapshot and must give the same decision byte for byte.
 */
#include "core/compat.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fundguard/alloc.h"
#include "fundguard/kb.h"
#include "fundguard/model.h"
#include "fundguard/rules.h"
#include "t.h"

/* ---------------------------------------------------------------- catalogue */

TEST(catalogue_matches_csv)
{
    size_t n;
    char *csv = t_read_file(t_path("src/rules/catalogue.csv"), &n);
    fg_buf_t b;
    fg_buf_init(&b, 1 << 20);
    ASSERT_OK(fg_rules_catalogue_csv(&b));
    if (b.len != n || memcmp(b.data, csv, n) != 0)
        t_fail(
            __FILE__, __LINE__,
            "the compiled-in catalogue does not give back src/rules/catalogue.csv (re-run cmake)");
    fg_buf_release(&b);
    free(csv);
}

TEST(catalogue_families_and_codes)
{
    ASSERT(fg_rules_count() >= 23);
    int seen[FG_FAM__COUNT] = {0};
    for (size_t i = 0; i < fg_rules_count(); i++) {
        const fg_rule_t *r = fg_rule((fg_rule_id_t)i);
        ASSERT(r != NULL);
        ASSERT(strncmp(r->code, "GZ", 2) == 0 && strlen(r->code) == 6);
        ASSERT(r->stages != 0);
        ASSERT(r->scenes != 0);
        ASSERT(fg_rule_find(r->code) == r);
        for (size_t j = 0; j < i; j++)
            ASSERT(strcmp(fg_rule((fg_rule_id_t)j)->code, r->code) != 0);
        seen[r->family] = 1;
    }
    for (int f = 0; f < FG_FAM__COUNT; f++)
        if (!seen[f])
            t_fail(__FILE__, __LINE__, "family %s has no rule", fg_family_name((fg_family_t)f));
    ASSERT_EQ(fg_family_parse("duplicate_charge"), FG_FAM_DUPLICATE_CHARGE);
    ASSERT(strncmp(fg_rules_version(), "rules-", 6) == 0);
    ASSERT(fg_rule_find("GZ9999") == NULL);
}

/* ---------------------------------------------------------------- golden cases */

typedef struct section {
    char kind[16]; /* local, ref, history, input, expect */
    char arg[64];  /* file name for local/ref */
    char *text;
    size_t len;
} section_t;

typedef struct tcase {
    char name[256];
    char family[32];
    char stage[8];
    int nhsa; /* use the national tables */
    section_t sec[32];
    size_t nsec;
} tcase_t;

/* Parse a case file in place; returns NULL when fine, else a message. */
static const char *parse_case(char *text, tcase_t *tc)
{
    memset(tc, 0, sizeof(*tc));
    tc->nhsa = 1;
    snprintf(tc->stage, sizeof(tc->stage), "in");
    char *p = text;
    section_t *cur = NULL;
    while (*p != '\0') {
        char *nl = strchr(p, '\n');
        char *next = nl != NULL ? nl + 1 : p + strlen(p);
        if (strncmp(p, "--- ", 4) == 0) {
            if (nl != NULL)
                *nl = '\0';
            if (tc->nsec == FG_ARRAY_LEN(tc->sec))
                return "too many sections";
            cur = &tc->sec[tc->nsec++];
            if (sscanf(p + 4, "%15s %63s", cur->kind, cur->arg) < 1)
                return "a section line is '--- kind [file]'";
            cur->text = next;
            cur->len = 0;
        } else if (cur != NULL) {
            cur->len = (size_t)(next - cur->text);
        } else if (p[0] != '#' && p[0] != '\n') {
            if (nl != NULL)
                *nl = '\0';
            char *colon = strchr(p, ':');
            if (colon == NULL)
                return "a header line is 'key: value'";
            *colon = '\0';
            char *v = colon + 1;
            while (*v == ' ')
                v++;
            if (strcmp(p, "name") == 0)
                snprintf(tc->name, sizeof(tc->name), "%s", v);
            else if (strcmp(p, "family") == 0)
                snprintf(tc->family, sizeof(tc->family), "%s", v);
            else if (strcmp(p, "stage") == 0)
                snprintf(tc->stage, sizeof(tc->stage), "%s", v);
            else if (strcmp(p, "kb") == 0)
                tc->nhsa = strcmp(v, "none") != 0;
            else
                return "unknown header";
        }
        p = next;
    }
    for (size_t i = 0; i < tc->nsec; i++)
        if (tc->sec[i].text != NULL && tc->sec[i].len > 0 &&
            tc->sec[i].text[tc->sec[i].len - 1] == '\n')
            tc->sec[i].text[tc->sec[i].len - 1] = '\0'; /* sections end at the next '---' */
    return NULL;
}

static section_t *find_sec(tcase_t *tc, const char *kind)
{
    for (size_t i = 0; i < tc->nsec; i++)
        if (strcmp(tc->sec[i].kind, kind) == 0)
            return &tc->sec[i];
    return NULL;
}

static void report(void *ctx, const fg_error_t *e)
{
    FG_UNUSED(ctx);
    fprintf(stderr, "     input: %s: %s\n", e->where, e->msg);
}

/* One expected hit. */
typedef struct want_hit {
    char rule[8];
    char sn[48];
    long long amount;
    char kp[96];
    int used;
} want_hit_t;

static fg_kb_t *national;

/* Run one case: 0 when it passes, else 1 (after printing why). */
static int run_case(const char *path)
{
    size_t n;
    char *text = t_read_file(path, &n);
    tcase_t tc;
    const char *perr = parse_case(text, &tc);
    int failed = 0;
    char why[2048] = "";
    fg_arena_t arena;
    fg_arena_init(&arena, 0);
    fg_kb_t *kb = NULL;
    fg_ref_t *ref = fg_ref_new();
    fg_history_t *hist = fg_history_new();
    fg_review_t *rv = NULL;
    fg_error_t err;
    fg_buf_t out, replay_out, ks, rs, hs;
    fg_buf_init(&out, 1 << 20);
    fg_buf_init(&replay_out, 1 << 20);
    fg_buf_init(&ks, 16 << 20);
    fg_buf_init(&rs, 1 << 20);
    fg_buf_init(&hs, 4 << 20);
    fg_diag_t diag = {.report = report};

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        snprintf(why, sizeof(why), __VA_ARGS__);                                                   \
        failed = 1;                                                                                \
        goto out;                                                                                  \
    } while (0)

    if (perr != NULL)
        FAIL("%s", perr);
    int stage = fg_stage_parse(tc.stage);
    if (stage < 0)
        FAIL("unknown stage '%s'", tc.stage);
    if (fg_family_parse(tc.family) < 0)
        FAIL("unknown family '%s'", tc.family);

    /* knowledge base: the national tables (shared) or a fresh one with the case's local tables */
    int has_local = 0;
    for (size_t i = 0; i < tc.nsec; i++)
        has_local |= strcmp(tc.sec[i].kind, "local") == 0;
    if (!has_local && tc.nhsa) {
        kb = national;
    } else {
        kb = fg_kb_new();
        if (tc.nhsa && fg_kb_load_dir(kb, t_path("kb"), &err) != 0)
            FAIL("kb: %s", err.msg);
        for (size_t i = 0; i < tc.nsec; i++)
            if (strcmp(tc.sec[i].kind, "local") == 0 &&
                fg_kb_load_mem(kb, tc.sec[i].arg, tc.sec[i].text, strlen(tc.sec[i].text), &err) !=
                    0)
                FAIL("local %s: %s", tc.sec[i].arg, err.msg);
        if (fg_kb_seal(kb, &err) != 0)
            FAIL("kb: %s", err.msg);
    }
    for (size_t i = 0; i < tc.nsec; i++)
        if (strcmp(tc.sec[i].kind, "ref") == 0 &&
            fg_ref_load_mem(ref, tc.sec[i].arg, tc.sec[i].text, strlen(tc.sec[i].text), &err) != 0)
            FAIL("ref %s: %s", tc.sec[i].arg, err.msg);
    rv = fg_review_new(kb, ref, hist);

    /* history: earlier settlements, one JSON document a line, remembered as if checked post */
    section_t *hsec = find_sec(&tc, "history");
    if (hsec != NULL) {
        char *line = hsec->text;
        while (line != NULL && *line != '\0') {
            char *nl = strchr(line, '\n');
            size_t len = nl != NULL ? (size_t)(nl - line) : strlen(line);
            if (len > 0 && line[0] != '#') {
                fg_doc_t doc;
                if (fg_doc_parse(line, len, 0, NULL, &arena, &doc, &diag, &err) != 0)
                    FAIL("history: %s: %s", err.where, err.msg);
                fg_decision_t d;
                memset(&d, 0, sizeof(d));
                d.stage = FG_STAGE_POST;
                if (fg_review_commit(rv, &doc, &d, &err) != 0)
                    FAIL("history: %s", err.msg);
            }
            line = nl != NULL ? nl + 1 : NULL;
        }
    }

    section_t *in = find_sec(&tc, "input");
    section_t *ex = find_sec(&tc, "expect");
    if (in == NULL || ex == NULL)
        FAIL("a case needs --- input and --- expect");
    fg_doc_t doc;
    if (fg_doc_parse(in->text, strlen(in->text), 0, NULL, &arena, &doc, &diag, &err) != 0)
        FAIL("input: %s: %s", err.where, err.msg);
    if (fg_review_snapshot(rv, &doc, &ks, &rs, &hs) != 0)
        FAIL("snapshot failed");
    fg_decision_t d;
    if (fg_review_check(rv, &doc, (fg_stage_t)stage, &arena, &d, &err) != 0)
        FAIL("check: %s", err.msg);
    if (fg_decision_json(&doc, &d, &out) != 0)
        FAIL("json failed");

    if (getenv("FG_CASE_SHOW") != NULL)
        printf("     %s: %s\n", path + strlen(path) - strlen(strrchr(path, '/') + 1), out.data);

    /* expectations */
    want_hit_t want[64];
    size_t nwant = 0;
    char want_decision[16] = "";
    char *line = ex->text;
    while (line != NULL && *line != '\0') {
        char *nl = strchr(line, '\n');
        if (nl != NULL)
            *nl = '\0';
        char a[64], b[64], c3[64], kp[96];
        int k = sscanf(line, "%63s %63s %63s %63s %95s", a, b, c3, kp, kp);
        if (k >= 2 && strcmp(a, "decision") == 0) {
            snprintf(want_decision, sizeof(want_decision), "%.15s", b);
        } else if (k >= 4 && strcmp(a, "hit") == 0 && nwant < FG_ARRAY_LEN(want)) {
            want_hit_t *w = &want[nwant++];
            memset(w, 0, sizeof(*w));
            char kpbuf[96] = "";
            sscanf(line, "%*s %7s %47s %lld %95s", w->rule, w->sn, &w->amount, kpbuf);
            snprintf(w->kp, sizeof(w->kp), "%s", kpbuf);
        } else if (k >= 3 && strcmp(a, "line") == 0) {
            size_t i = 0;
            while (i < doc.nfees && strcmp(doc.fees[i].feedetl_sn, b) != 0)
                i++;
            if (i == doc.nfees)
                FAIL("expect: no fee line %s", b);
            if (strcmp(fg_verdict_name(d.lines[i]), c3) != 0)
                FAIL("line %s: %s, want %s\n     got: %s", b, fg_verdict_name(d.lines[i]), c3,
                     out.data);
        } else if (k > 0 && a[0] != '#') {
            FAIL("expect: cannot read '%s'", line);
        }
        line = nl != NULL ? nl + 1 : NULL;
    }
    if (want_decision[0] == '\0')
        FAIL("expect: no 'decision' line");
    if (strcmp(fg_verdict_name(d.verdict), want_decision) != 0)
        FAIL("decision %s, want %s\n     got: %s", fg_verdict_name(d.verdict), want_decision,
             out.data);
    for (size_t i = 0; i < d.nhits; i++) {
        const fg_hit_t *h = &d.hits[i];
        const char *code = fg_rule(h->rule)->code;
        const char *sn = h->line >= 0 ? doc.fees[h->line].feedetl_sn : "-";
        size_t w = 0;
        for (; w < nwant; w++)
            if (!want[w].used && strcmp(want[w].rule, code) == 0 && strcmp(want[w].sn, sn) == 0 &&
                want[w].amount == (long long)h->amount &&
                (want[w].kp[0] == '\0' || strcmp(want[w].kp, h->kp) == 0))
                break;
        if (w == nwant)
            FAIL("unexpected hit %s %s %lld %s\n     got: %s", code, sn, (long long)h->amount,
                 h->kp, out.data);
        want[w].used = 1;
    }
    for (size_t w = 0; w < nwant; w++)
        if (!want[w].used)
            FAIL("missing hit %s %s %lld %s\n     got: %s", want[w].rule, want[w].sn,
                 want[w].amount, want[w].kp, out.data);
    if (nwant > 0) {
        int any = 0;
        for (size_t w = 0; w < nwant; w++)
            any |= fg_rule_find(want[w].rule) != NULL &&
                   strcmp(fg_family_name(fg_rule_find(want[w].rule)->family), tc.family) == 0;
        if (!any)
            FAIL("no expected hit is of the case's family %s", tc.family);
    }

    /* replay from the snapshot reproduces the decision */
    {
        fg_replay_t *rp = NULL;
        if (fg_replay_new(ks.data, ks.len, rs.data != NULL ? rs.data : "", rs.len,
                          hs.data != NULL ? hs.data : "", hs.len, &rp, &err) != 0)
            FAIL("replay: %s", err.msg);
        fg_decision_t d2;
        int rc = fg_review_check(fg_replay_review(rp), &doc, (fg_stage_t)stage, &arena, &d2, &err);
        if (rc == 0)
            rc = fg_decision_json(&doc, &d2, &replay_out);
        fg_replay_free(rp);
        if (rc != 0)
            FAIL("replay check: %s", err.msg);
        if (strcmp(out.data, replay_out.data) != 0)
            FAIL("replay differs:\n     check:  %s\n     replay: %s", out.data, replay_out.data);
    }

out:
    if (failed)
        printf("FAIL case %s (%s)\n     %s\n", path, tc.name, why);
    fg_buf_release(&out);
    fg_buf_release(&replay_out);
    fg_buf_release(&ks);
    fg_buf_release(&rs);
    fg_buf_release(&hs);
    fg_review_free(rv);
    fg_history_free(hist);
    fg_ref_free(ref);
    if (kb != national)
        fg_kb_free(kb);
    fg_arena_release(&arena);
    free(text);
    return failed;
#undef FAIL
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

TEST(golden_cases)
{
    fg_error_t err;
    national = fg_kb_new();
    ASSERT_OK(fg_kb_load_dir(national, t_path("kb"), &err));
    ASSERT_OK(fg_kb_seal(national, &err));
    char dir[1024];
    snprintf(dir, sizeof(dir), "%s", t_path("tests/cases/rules"));
    DIR *d = opendir(dir);
    ASSERT(d != NULL);
    char *names[1024];
    size_t n = 0;
    for (;;) {
        struct dirent *e = readdir(d);
        if (e == NULL)
            break;
        size_t l = strlen(e->d_name);
        if (l > 5 && strcmp(e->d_name + l - 5, ".case") == 0 && n < FG_ARRAY_LEN(names))
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(*names), cmp_names);
    int bad = 0;
    const char *only = getenv("FG_CASE");
    size_t ran = 0;
    for (size_t i = 0; i < n; i++) {
        char path[2048];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        if (only == NULL || strstr(names[i], only) != NULL) {
            bad += run_case(path);
            ran++;
        }
        free(names[i]);
    }
    printf("     %zu golden cases, %d failed\n", ran, bad);
    fg_kb_free(national);
    ASSERT(ran > 0);
    ASSERT_EQ(bad, 0);
}

/* Done-when of issue 5: every family has its golden cases — at least three, a hit and a near miss.
 */
TEST(golden_cases_cover_every_family)
{
    int cases[FG_FAM__COUNT] = {0}, hits[FG_FAM__COUNT] = {0}, clean[FG_FAM__COUNT] = {0};
    char dir[1024];
    snprintf(dir, sizeof(dir), "%s", t_path("tests/cases/rules"));
    DIR *d = opendir(dir);
    ASSERT(d != NULL);
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d)) {
        size_t l = strlen(e->d_name);
        if (l <= 5 || strcmp(e->d_name + l - 5, ".case") != 0)
            continue;
        char path[2048];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        size_t n;
        char *text = t_read_file(path, &n);
        const char *fam = strstr(text, "\nfamily: ");
        fam = fam != NULL ? fam + 9 : strncmp(text, "family: ", 8) == 0 ? text + 8 : NULL;
        if (fam == NULL)
            t_fail(__FILE__, __LINE__, "%s: no family", e->d_name);
        char name[32];
        size_t fl = strcspn(fam, " \r\n#");
        snprintf(name, sizeof(name), "%.*s", (int)(fl < 31 ? fl : 31), fam);
        int f = fg_family_parse(name);
        if (f < 0)
            t_fail(__FILE__, __LINE__, "%s: unknown family %s", e->d_name, name);
        const char *expect = strstr(text, "\n--- expect");
        ASSERT(expect != NULL);
        cases[f]++;
        if (strstr(expect, "\nhit ") != NULL)
            hits[f]++;
        else if (strstr(expect, "\ndecision pass") != NULL)
            clean[f]++;
        free(text);
    }
    closedir(d);
    for (int f = 0; f < FG_FAM__COUNT; f++)
        if (cases[f] < 3 || hits[f] < 1 || clean[f] < 1)
            t_fail(__FILE__, __LINE__, "family %s: %d cases, %d with hits, %d near misses",
                   fg_family_name((fg_family_t)f), cases[f], hits[f], clean[f]);
}

/* ---------------------------------------------------------------- history */

static const char *doc_json =
    "{\"psninfo\":{\"psn_no\":\"P001\",\"gend\":\"1\",\"brdy\":\"1980-01-01\",\"insutype\":\"310\"},"
    "\"fixmedins\":{\"fixmedins_code\":\"H43010200001\",\"hosp_lv\":\"3\"},"
    "\"mdtrtinfo\":{\"mdtrt_id\":\"V1\",\"psn_no\":\"P001\",\"med_type\":\"11\",\"begntime\":\"2025-08-01 09:00:00\"},"
    "\"feedetail\":[{\"feedetl_sn\":\"1\",\"mdtrt_id\":\"V1\",\"psn_no\":\"P001\",\"fee_ocur_time\":\"2025-08-01 09:10:00\","
    "\"med_list_codg\":\"002503020030000\",\"cnt\":1,\"pric\":\"50.00\","
    "\"det_item_fee_sumamt\":\"50.00\"}]}";

TEST(history_persists_and_is_idempotent)
{
    fg_error_t err;
    fg_arena_t arena;
    fg_arena_init(&arena, 0);
    fg_doc_t doc;
    ASSERT_OK(fg_doc_parse(doc_json, strlen(doc_json), 0, NULL, &arena, &doc, NULL, &err));
    fg_kb_t *kb = fg_kb_new();
    ASSERT_OK(fg_kb_seal(kb, &err));
    const char *dir = t_tmpdir();

    fg_history_t *h = fg_history_new();
    ASSERT_OK(fg_history_open(h, dir, &err));
    fg_review_t *r = fg_review_new(kb, NULL, h);
    fg_decision_t d;
    ASSERT_OK(fg_review_check(r, &doc, FG_STAGE_IN, &arena, &d, &err));
    ASSERT_OK(fg_review_commit(r, &doc, &d, &err));
    ASSERT_OK(fg_review_commit(r, &doc, &d, &err)); /* again: nothing new */
    ASSERT_EQ(fg_history_nentries(h), 2);           /* the visit marker and the line */
    fg_review_free(r);
    fg_history_free(h);

    h = fg_history_new();
    ASSERT_OK(fg_history_open(h, dir, &err));
    ASSERT_EQ(fg_history_npersons(h), 1);
    ASSERT_EQ(fg_history_nentries(h), 2);
    const fg_hist_entry_t *e;
    ASSERT_EQ(fg_history_person(h, "P001", &e), 2);
    ASSERT_EQ(e[1].qty, FG_QTY_ONE);
    fg_history_free(h);

    /* a torn record at the end is cut off; a damaged one is an error */
    char path[1024];
    snprintf(path, sizeof(path), "%s/history.fgh", dir);
    FILE *f = fopen(path, "ab");
    ASSERT(f != NULL);
    fwrite("partial", 1, 7, f);
    fclose(f);
    h = fg_history_new();
    ASSERT_OK(fg_history_open(h, dir, &err));
    ASSERT_EQ(fg_history_nentries(h), 2);
    fg_history_free(h);
    f = fopen(path, "r+b");
    ASSERT(f != NULL);
    fseek(f, 8 + 64 + 20, SEEK_SET);
    fputc('X', f);
    fclose(f);
    h = fg_history_new();
    ASSERT_ERR(fg_history_open(h, dir, &err), FG_E_HISTORY);
    fg_history_free(h);
    fg_kb_free(kb);
    fg_arena_release(&arena);
}

TEST(review_rechecks_do_not_see_themselves)
{
    /* 8-4: 糖化血红蛋白测定 at most 1 in 15 days; checking the same settlement twice after a commit
     * must not make it its own earlier charge */
    fg_error_t err;
    fg_arena_t arena;
    fg_arena_init(&arena, 0);
    fg_kb_t *kb = fg_kb_new();
    ASSERT_OK(fg_kb_load_dir(kb, t_path("kb"), &err));
    ASSERT_OK(fg_kb_seal(kb, &err));
    fg_history_t *h = fg_history_new();
    fg_review_t *r = fg_review_new(kb, NULL, h);
    fg_doc_t doc;
    ASSERT_OK(fg_doc_parse(doc_json, strlen(doc_json), 0, NULL, &arena, &doc, NULL, &err));
    fg_decision_t d;
    ASSERT_OK(fg_review_check(r, &doc, FG_STAGE_IN, &arena, &d, &err));
    ASSERT_EQ(d.nhits, 0);
    ASSERT_OK(fg_review_commit(r, &doc, &d, &err));
    ASSERT_OK(fg_review_check(r, &doc, FG_STAGE_IN, &arena, &d, &err));
    ASSERT_EQ(d.nhits, 0);
    ASSERT_EQ(d.verdict, FG_VERDICT_PASS);
    fg_review_free(r);
    fg_history_free(h);
    fg_kb_free(kb);
    fg_arena_release(&arena);
}

TEST(review_alloc_failures)
{
    /* a failing arena allocation is an error, never a crash */
    fg_error_t err;
    fg_kb_t *kb = fg_kb_new();
    ASSERT_OK(fg_kb_seal(kb, &err));
    fg_arena_t parse_arena;
    fg_arena_init(&parse_arena, 0);
    fg_doc_t doc;
    ASSERT_OK(fg_doc_parse(doc_json, strlen(doc_json), 0, NULL, &parse_arena, &doc, NULL, &err));
    fg_review_t *r = fg_review_new(kb, NULL, NULL);
    int ok = 0;
    for (long n = 0; n < 50 && !ok; n++) {
        fg_arena_t arena;
        fg_arena_init(&arena, 256);
        fg_decision_t d;
        fg_alloc_fail_after(n);
        int rc = fg_review_check(r, &doc, FG_STAGE_IN, &arena, &d, &err);
        fg_alloc_fail_after(-1);
        ok = rc == 0;
        if (!ok)
            ASSERT_ERR(rc, FG_ENOMEM);
        fg_arena_release(&arena);
    }
    ASSERT(ok);
    fg_review_free(r);
    fg_kb_free(kb);
    fg_arena_release(&parse_arena);
}

TEST(ref_catalogue_pack_units)
{
    fg_error_t err;
    fg_ref_t *ref = fg_ref_new();
    ASSERT(ref != NULL);
    /* The model's catalogue file: drugs with a pack size; items and consumables have none. */
    size_t n;
    char *csv = t_read_file(t_path("tests/data/samples/catalogue.csv"), &n);
    ASSERT_EQ(fg_ref_load_mem(ref, "catalogue.csv", csv, n, &err), 0);
    free(csv);
    ASSERT_EQ(fg_ref_pack_units(ref, "ZA04CAE0023010100166"), 36);
    ASSERT_EQ(fg_ref_pack_units(ref, "XJ01CAA040E001010100955"), 24);
    ASSERT_EQ(fg_ref_pack_units(ref, "C0301011110000012345"), 0);
    ASSERT_EQ(fg_ref_pack_units(ref, "XZ00000000000000000000000"), 0);
    ASSERT_EQ(fg_ref_pack_units(ref, ""), 0);
    size_t drugs = fg_ref_count(ref, "catalogue");
    ASSERT(drugs >= 3);
    /* A later row of a code (the service's API rows, loaded after the files) wins. */
    static const char later[] = "med_list_codg,pack_units\nZA04CAE0023010100166,48\n";
    ASSERT_EQ(fg_ref_load_mem(ref, "catalogue.csv", later, sizeof(later) - 1, &err), 0);
    ASSERT_EQ(fg_ref_pack_units(ref, "ZA04CAE0023010100166"), 48);
    ASSERT_EQ(fg_ref_count(ref, "catalogue"), drugs);
    /* Strict: a pack size out of range is the error, with its line. */
    static const char bad[] = "med_list_codg,pack_units\nXJ01CAA040E001010100955,0\n";
    ASSERT(fg_ref_load_mem(ref, "catalogue.csv", bad, sizeof(bad) - 1, &err) != 0);
    ASSERT(strstr(err.msg, "catalogue.csv") != NULL);
    ASSERT_EQ(fg_ref_pack_units(NULL, "ZA04CAE0023010100166"), 0);
    fg_ref_free(ref);
}
