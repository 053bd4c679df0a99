/* t_codes.c — identifiers (SPEC §2): golden files, national tables, trace codes, resident IDs. */
#include "core/compat.h"

#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include "fundguard/codes.h"
#include "fundguard/datetime.h"
#include "fundguard/error.h"
#include "t.h"

/* ------------------------------------------------------------------ helpers */

/* Undo the golden-file escapes in place: \xHH is a byte, \\ a backslash. Returns the new length. */
static size_t unescape(char *s)
{
    size_t r = 0;
    size_t w = 0;
    while (s[r] != '\0') {
        if (s[r] == '\\' && s[r + 1] == '\\') {
            s[w++] = '\\';
            r += 2;
        } else if (s[r] == '\\' && s[r + 1] == 'x' && s[r + 2] != '\0' && s[r + 3] != '\0') {
            char hex[3] = {s[r + 2], s[r + 3], '\0'};
            s[w++] = (char)strtol(hex, NULL, 16);
            r += 4;
        } else {
            s[w++] = s[r++];
        }
    }
    s[w] = '\0';
    return w;
}

/* Split line at TABs into at most max fields; returns the count. */
static int split_tabs(char *line, char **field, int max)
{
    int k = 0;
    field[k++] = line;
    for (char *p = line; *p != '\0' && k < max; p++) {
        if (*p == '\t') {
            *p = '\0';
            field[k++] = p + 1;
        }
    }
    return k;
}

/* Next line of buf at *pos (NUL-terminated in place); NULL at the end. */
static char *next_line(char *buf, size_t len, size_t *pos)
{
    if (*pos >= len)
        return NULL;
    char *line = buf + *pos;
    char *nl = memchr(line, '\n', len - *pos);
    if (nl != NULL) {
        *nl = '\0';
        *pos = (size_t)(nl - buf) + 1;
    } else {
        *pos = len;
    }
    return line;
}

/* Run one golden file; returns the number of cases, adds mismatches to *bad (printed). */
static int run_golden(fg_id_kind_t kind, int good, int *bad)
{
    char rel[128];
    snprintf(rel, sizeof(rel), "tests/data/codes/%s.%s", fg_id_kind_name(kind),
             good ? "good" : "bad");
    size_t len = 0;
    char *buf = t_read_file(t_path(rel), &len);
    size_t pos = 0;
    int cases = 0;
    int lineno = 0;

    for (char *line = next_line(buf, len, &pos); line != NULL; line = next_line(buf, len, &pos)) {
        char *f[4];
        lineno++;
        if (line[0] == '#' || line[0] == '\0')
            continue;
        int nf = split_tabs(line, f, 4);
        if (nf != (good ? 2 : 3)) {
            fprintf(stderr, "  %s:%d: expected %d TAB-separated fields\n", rel, lineno,
                    good ? 2 : 3);
            (*bad)++;
            continue;
        }
        size_t n = unescape(f[0]);
        char out[FG_ID_NORM_MAX];
        fg_error_t err;
        fg_error_clear(&err);
        int rc = fg_id_check(kind, f[0], n, out, sizeof(out), &err);
        cases++;
        if (good) {
            if (rc != 0) {
                fprintf(stderr, "  %s:%d: \"%s\" rejected: %s at %zu: %s\n", rel, lineno, f[0],
                        fg_err_name(rc), err.pos, err.msg);
                (*bad)++;
            } else if (strcmp(out, f[1]) != 0) {
                fprintf(stderr, "  %s:%d: \"%s\" gave \"%s\", want \"%s\"\n", rel, lineno, f[0],
                        out, f[1]);
                (*bad)++;
            }
            continue;
        }
        size_t want_pos = (size_t)strtoul(f[2], NULL, 10);
        if (rc == 0) {
            fprintf(stderr, "  %s:%d: \"%s\" accepted as \"%s\", want %s\n", rel, lineno, f[0], out,
                    f[1]);
            (*bad)++;
        } else if (strcmp(fg_err_name(rc), f[1]) != 0 || err.pos != want_pos || err.code != rc) {
            fprintf(stderr, "  %s:%d: \"%s\" gave %s at %zu (%s), want %s at %zu\n", rel, lineno,
                    f[0], fg_err_name(rc), err.pos, err.msg, f[1], want_pos);
            (*bad)++;
        } else if (err.msg[0] == '\0' || strlen(err.msg) + 1 >= sizeof(err.msg)) {
            fprintf(stderr, "  %s:%d: message empty or cut short: \"%s\"\n", rel, lineno, err.msg);
            (*bad)++;
        }
    }
    free(buf);
    return cases;
}

/* ------------------------------------------------------------------ golden files */

TEST(codes_golden_files_every_kind)
{
    int bad = 0;
    int total = 0;
    for (int k = 0; k < FG_ID__COUNT; k++) {
        int good = run_golden((fg_id_kind_t)k, 1, &bad);
        int wrong = run_golden((fg_id_kind_t)k, 0, &bad);
        if (good == 0 || wrong == 0) {
            fprintf(stderr, "  kind %s has no good or no bad cases\n", fg_id_kind_name(k));
            bad++;
        }
        total += good + wrong;
    }
    if (bad != 0)
        t_fail(__FILE__, __LINE__, "%d of %d golden cases failed", bad, total);
    ASSERT_GT(total, 150);
}

/* ------------------------------------------------------------------ national tables */

/* Column index of header name `col` in the first line of a kb CSV (no quoting in these files). */
static int column_of(char *header, const char *col)
{
    int k = 0;
    char *p = header;
    for (;;) {
        char *comma = strchr(p, ',');
        size_t len = comma != NULL ? (size_t)(comma - p) : strcspn(p, "\r");
        if (len == strlen(col) && memcmp(p, col, len) == 0)
            return k;
        if (comma == NULL)
            return -1;
        p = comma + 1;
        k++;
    }
}

/* Field k of a CSV line into out (empty when missing). */
static void field_of(const char *line, int k, char *out, size_t cap)
{
    const char *p = line;
    for (int i = 0; i < k && p != NULL; i++) {
        p = strchr(p, ',');
        if (p != NULL)
            p++;
    }
    size_t len = p != NULL ? strcspn(p, ",\r") : 0;
    if (len >= cap)
        len = cap - 1;
    if (p != NULL)
        memcpy(out, p, len);
    out[len] = '\0';
}

/* Check every value of the columns named in cols across the files matching pattern. Rows whose
 * value is empty (the tables' footer rows: 合计, 备注) are skipped. Returns the values checked. */
static long check_kb_column(const char *pattern, const char *const *cols, fg_id_kind_t kind)
{
    glob_t g;
    long checked = 0;
    ASSERT_EQ(glob(t_path(pattern), 0, NULL, &g), 0);
    for (size_t fi = 0; fi < g.gl_pathc; fi++) {
        size_t len = 0;
        char *buf = t_read_file(g.gl_pathv[fi], &len);
        size_t pos = 0;
        char *header = next_line(buf, len, &pos);
        long in_file = 0;
        int idx[4];
        int nidx = 0;
        ASSERT(header != NULL);
        ASSERT(memchr(buf, '"', len) == NULL); /* plain CSV: no quoted fields to handle */
        for (int c = 0; cols[c] != NULL; c++) {
            int k = column_of(header, cols[c]);
            if (k >= 0)
                idx[nidx++] = k;
        }
        if (nidx == 0)
            t_fail(__FILE__, __LINE__, "%s: none of the code columns", g.gl_pathv[fi]);
        for (char *line = next_line(buf, len, &pos); line != NULL;
             line = next_line(buf, len, &pos)) {
            for (int c = 0; c < nidx; c++) {
                char code[64];
                char out[FG_ID_NORM_MAX];
                fg_error_t err;
                field_of(line, idx[c], code, sizeof(code));
                if (code[0] == '\0')
                    continue;
                int rc = fg_id_check(kind, code, strlen(code), out, sizeof(out), &err);
                if (rc != 0)
                    t_fail(__FILE__, __LINE__, "%s: \"%s\" rejected: %s at %zu: %s", g.gl_pathv[fi],
                           code, fg_err_name(rc), err.pos, err.msg);
                ASSERT_STR_EQ(out, code);
                rc = fg_id_check(FG_ID_MED_LIST, code, strlen(code), out, sizeof(out), &err);
                ASSERT_OK(rc);
                in_file++;
            }
        }
        if (in_file == 0)
            t_fail(__FILE__, __LINE__, "%s: no codes found", g.gl_pathv[fi]);
        checked += in_file;
        free(buf);
    }
    globfree(&g);
    return checked;
}

TEST(codes_kb_every_drug_code_passes)
{
    static const char *const cols[] = {"国标代码", "药品代码", NULL};
    long n = check_kb_column("kb/nhsa/*.codes.csv", cols, FG_ID_DRUG);
    ASSERT_GT(n, 10000);
}

TEST(codes_kb_every_item_code_passes)
{
    static const char *const cols[] = {"国标代码", "项目编码", "主项编码",
                                       "从项编码", "项目代码", NULL};
    long n = 0;
    n += check_kb_column("kb/nhsa/batch1-item*.csv", cols, FG_ID_ITEM);
    n += check_kb_column("kb/nhsa/batch2*.csv", cols, FG_ID_ITEM);
    n += check_kb_column("kb/nhsa/batch7*.csv", cols, FG_ID_ITEM);
    n += check_kb_column("kb/nhsa/batch8*.csv", cols, FG_ID_ITEM);
    ASSERT_GT(n, 2000);
}

/* ------------------------------------------------------------------ kinds */

TEST(codes_kind_names_round_trip)
{
    static const char *const names[] = {"trace", "gtin",     "drug",        "consumable",
                                        "item",  "med_list", "institution", "doctor",
                                        "staff", "icd10",    "region",      "idcard"};
    ASSERT_EQ(sizeof(names) / sizeof(names[0]), FG_ID__COUNT);
    for (int k = 0; k < FG_ID__COUNT; k++) {
        ASSERT_EQ(fg_id_kind_parse(names[k]), k);
        ASSERT_STR_EQ(fg_id_kind_name((fg_id_kind_t)k), names[k]);
    }
    ASSERT_EQ(fg_id_kind_parse("Trace"), -1);
    ASSERT_EQ(fg_id_kind_parse(""), -1);
    ASSERT_EQ(fg_id_kind_parse(NULL), -1);
    ASSERT_STR_EQ(fg_id_kind_name(FG_ID__COUNT), "unknown");
}

TEST(codes_id_check_buffer_and_arguments)
{
    char small[10];
    char out[FG_ID_NORM_MAX];
    fg_error_t err;
    const char *drug = "XA01ABD075A002010100483";
    ASSERT_ERR(fg_id_check(FG_ID_DRUG, drug, strlen(drug), small, sizeof(small), &err), FG_ELIMIT);
    ASSERT_ERR(fg_id_check(FG_ID_DRUG, NULL, 3, out, sizeof(out), &err), FG_EINVAL);
    ASSERT_ERR(fg_id_check(FG_ID__COUNT, "1", 1, out, sizeof(out), &err), FG_EINVAL);
    /* err may be NULL; n bounds the input (no NUL needed). */
    ASSERT_ERR(fg_id_check(FG_ID_ITEM, "00110200005000", 14, out, sizeof(out), NULL),
               FG_E_ITEM_CODE);
    ASSERT_OK(fg_id_check(FG_ID_ITEM, "001102000050000XYZ", 15, out, sizeof(out), NULL));
    ASSERT_STR_EQ(out, "001102000050000");
    /* out NULL with cap 0: validate only. */
    ASSERT_OK(fg_id_check(FG_ID_REGION, "110105", 6, NULL, 0, &err));
    ASSERT_ERR(fg_id_check(FG_ID_REGION, "990105", 6, NULL, 0, &err), FG_E_REGION);
    ASSERT_EQ(err.pos, 1);
    ASSERT(strstr(err.msg, "starts with 99") != NULL);
}

TEST(codes_region_province_table)
{
    static const int ok[] = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42,
                             43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82};
    int count = 0;
    for (int v = -5; v < 120; v++) {
        int want = 0;
        for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
            want |= ok[i] == v;
        ASSERT_EQ(fg_region_province_ok(v), want);
        count += want;
    }
    ASSERT_EQ(count, 34);
}

/* ------------------------------------------------------------------ GTIN */

TEST(codes_gs1_check_digit)
{
    ASSERT_EQ(fg_gs1_check_digit("0690123456789", 13), 2);
    ASSERT_EQ(fg_gs1_check_digit("690123456789", 12), 2);
    ASSERT_EQ(fg_gs1_check_digit("03600029145", 11), 2);
    ASSERT_EQ(fg_gs1_check_digit("9638507", 7), 4);
    ASSERT_EQ(fg_gs1_check_digit("", 0), 0);
    ASSERT_ERR(fg_gs1_check_digit("69A", 3), FG_EINVAL);
}

TEST(codes_gtin_padding_and_errors)
{
    char g[15];
    fg_error_t err;
    ASSERT_OK(fg_gtin_check("96385074", 8, g, &err));
    ASSERT_STR_EQ(g, "00000096385074");
    ASSERT_OK(fg_gtin_check("036000291452", 12, g, &err));
    ASSERT_STR_EQ(g, "00036000291452");
    ASSERT_ERR(fg_gtin_check("6901234567891", 13, g, &err), FG_E_GTIN_CHECK);
    ASSERT_EQ(err.pos, 13);
    ASSERT(strstr(err.msg, "give 2") != NULL);
}

/* ------------------------------------------------------------------ trace codes */

TEST(codes_trace_cn20)
{
    fg_trace_code_t t;
    fg_error_t err;
    const char *s = "81234567890123456789";
    ASSERT_OK(fg_trace_parse(s, strlen(s), &t, &err));
    ASSERT_EQ(t.form, FG_TRACE_CN20);
    ASSERT_STR_EQ(t.key, s);
    ASSERT_STR_EQ(t.gtin, "");
    ASSERT_STR_EQ(t.serial, "");
    ASSERT_EQ(t.expiry, FG_DATE_NONE);
    /* out may be NULL: validation only. */
    ASSERT_OK(fg_trace_parse(s, strlen(s), NULL, NULL));
    ASSERT_ERR(fg_trace_parse("", 0, &t, &err), FG_E_TRACE_FORMAT);
    ASSERT_ERR(fg_trace_parse("   ", 3, &t, &err), FG_E_TRACE_FORMAT);
    ASSERT_EQ(err.pos, 0);
}

TEST(codes_trace_gs1_fields)
{
    fg_trace_code_t t;
    fg_error_t err;
    const char *s = "(01)06901234567892(17)270101(10)B123(21)SN001";
    fg_date_t want;
    ASSERT_OK(fg_trace_parse(s, strlen(s), &t, &err));
    ASSERT_EQ(t.form, FG_TRACE_GS1);
    ASSERT_STR_EQ(t.key, "(01)06901234567892(21)SN001");
    ASSERT_STR_EQ(t.gtin, "06901234567892");
    ASSERT_STR_EQ(t.serial, "SN001");
    ASSERT_STR_EQ(t.batch, "B123");
    ASSERT_OK(fg_date_from_ymd(2027, 1, 1, &want));
    ASSERT_EQ(t.expiry, want);

    /* Raw DataMatrix text: ]d2, fixed fields without GS, GS after a variable field. */
    const char raw[] = "]d20106901234567892172702001 0B123\03521SN001";
    ASSERT_OK(fg_trace_parse(raw, sizeof(raw) - 1, &t, &err));
    ASSERT_STR_EQ(t.key, "(01)06901234567892(21)SN001");
    ASSERT_STR_EQ(t.batch, "B123");
    ASSERT_OK(fg_date_from_ymd(2027, 2, 28, &want)); /* day 00: end of month */
    ASSERT_EQ(t.expiry, want);

    /* No (10), no (17): batch empty, expiry absent. */
    const char *bare = "(21)S(01)06901234567892";
    ASSERT_OK(fg_trace_parse(bare, strlen(bare), &t, &err));
    ASSERT_STR_EQ(t.batch, "");
    ASSERT_EQ(t.expiry, FG_DATE_NONE);
}

TEST(codes_trace_positions_in_input_as_given)
{
    fg_trace_code_t t;
    fg_error_t err;
    /* Full-width characters are 3 bytes but one character; the ideographic space counts too. */
    const char *s = "８１２３　４５６７８９０１２３４５６７８Ａ";
    ASSERT_ERR(fg_trace_parse(s, strlen(s), &t, &err), FG_E_TRACE_FORMAT);
    ASSERT_EQ(err.pos, 21);
    ASSERT(strstr(err.msg, "character 21 is 'Ａ'") != NULL);
    const char gs[] = "8123456789\0350123456789";
    ASSERT_ERR(fg_trace_parse(gs, sizeof(gs) - 1, &t, &err), FG_E_GS1_AI);
    ASSERT_EQ(err.pos, 1);
}

TEST(codes_trace_key_round_trip)
{
    static const char *const inputs[] = {
        "(01)06901234567892(17)270101(10)B123(21)SN001",
        "]d20106901234567892\03521x!",
        "（01）06901234567892（21）ｓｎ",
        "81234567890123456789",
        "(01)06901234567892(21)A\"%&'*+,-./:;<=>?_",
    };
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        fg_trace_code_t a;
        fg_trace_code_t b;
        fg_error_t err;
        ASSERT_OK(fg_trace_parse(inputs[i], strlen(inputs[i]), &a, &err));
        ASSERT_OK(fg_trace_parse(a.key, strlen(a.key), &b, &err));
        ASSERT_STR_EQ(a.key, b.key);
        ASSERT_EQ(a.form, b.form);
        ASSERT_STR_EQ(a.gtin, b.gtin);
        ASSERT_STR_EQ(a.serial, b.serial);
    }
}

TEST(codes_trace_long_inputs)
{
    char buf[400];
    fg_trace_code_t t;
    fg_error_t err;
    memset(buf, '8', sizeof(buf));
    ASSERT_ERR(fg_trace_parse(buf, sizeof(buf), &t, &err), FG_E_TRACE_LENGTH);
    ASSERT_EQ(err.pos, 21);
    memset(buf, 'A', sizeof(buf));
    ASSERT_ERR(fg_trace_parse(buf, sizeof(buf), &t, &err), FG_E_TRACE_FORMAT);
    ASSERT_GT(err.pos, 0);
}

/* ------------------------------------------------------------------ resident IDs */

static const char sample_id[] = "11010519491231002X";

TEST(codes_idcard_sample)
{
    fg_idcard_t id;
    fg_error_t err;
    fg_date_t want;
    ASSERT_OK(fg_idcard_parse(sample_id, 18, &id, &err));
    ASSERT_STR_EQ(id.id, sample_id);
    ASSERT_STR_EQ(id.region, "110105");
    ASSERT_OK(fg_date_from_ymd(1949, 12, 31, &want));
    ASSERT_EQ(id.birth, want);
    ASSERT_EQ(id.sex, 2); /* sequence 002: even */
    ASSERT_STR_EQ(id.masked, "1101**********002X");
    ASSERT_EQ(fg_idcard_check_char("11010519491231002"), 'X');
    ASSERT_EQ(fg_idcard_check_char("34052419800101001"), 'X');
    ASSERT_EQ(fg_idcard_check_char("1101051949123100A"), '\0');

    ASSERT_OK(fg_idcard_parse("440305199003071236", 18, &id, &err));
    ASSERT_EQ(id.sex, 1); /* 123: odd */
    ASSERT_OK(fg_idcard_parse(sample_id, 18, NULL, NULL));
}

TEST(codes_idcard_every_single_change_is_an_error)
{
    int tried = 0;
    for (int i = 0; i < 18; i++) {
        for (const char *c = "0123456789Xx"; *c != '\0'; c++) {
            char s[19];
            fg_idcard_t id;
            fg_error_t err;
            if (*c == sample_id[i] || (i == 17 && *c == 'x'))
                continue; /* the same character ('x' is the check character X) */
            memcpy(s, sample_id, sizeof(s));
            s[i] = *c;
            int rc = fg_idcard_parse(s, 18, &id, &err);
            if (rc == 0)
                t_fail(__FILE__, __LINE__, "changing character %d to '%c' was accepted", i + 1, *c);
            ASSERT_LT(rc, 0);
            ASSERT(err.pos >= 1 && err.pos <= 18);
            tried++;
        }
    }
    ASSERT_EQ(tried, 17 * 11 + 10);
    /* The check character is case-insensitive: 'x' is the same character. */
    fg_idcard_t id;
    ASSERT_OK(fg_idcard_parse("11010519491231002x", 18, &id, NULL));
    ASSERT_STR_EQ(id.id, sample_id);
}

TEST(codes_idcard_upgrades_15_digits)
{
    fg_idcard_t id;
    fg_error_t err;
    fg_date_t want;
    ASSERT_OK(fg_idcard_parse("110105491231002", 15, &id, &err));
    ASSERT_STR_EQ(id.id, sample_id);
    ASSERT_OK(fg_date_from_ymd(1949, 12, 31, &want));
    ASSERT_EQ(id.birth, want);
    ASSERT_EQ(id.sex, 2);
    ASSERT_OK(fg_idcard_parse("440305900307123", 15, &id, &err));
    ASSERT_STR_EQ(id.id, "440305199003071236");
    ASSERT_EQ(id.sex, 1);
}

TEST(codes_idcard_messages_never_hold_the_number)
{
    static const char *const bad[] = {
        "11010519491231001X", "99010519491231002X",  "11010519491331002X", "11010518991231002X",
        "1101051949123100",   "11010519491231002X1", "110105491331002",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        fg_error_t err;
        ASSERT_LT(fg_idcard_parse(bad[i], strlen(bad[i]), NULL, &err), 0);
        /* No run of 8 or more digits of the input (region + birth date) appears in the message. */
        for (size_t k = 0; k + 8 <= strlen(bad[i]); k++) {
            char run[9];
            memcpy(run, bad[i] + k, 8);
            run[8] = '\0';
            if (strstr(err.msg, run) != NULL)
                t_fail(__FILE__, __LINE__, "message quotes \"%s\": %s", run, err.msg);
        }
    }
    fg_error_t err;
    ASSERT_ERR(fg_idcard_parse("11010519491231001X", 18, NULL, &err), FG_E_IDCARD_CHECK);
    ASSERT(strstr(err.msg, "1101**********001X") != NULL);
}

TEST(codes_idcard_pseudonym)
{
    fg_idcard_t id;
    unsigned char key[FG_PSEUDONYM_KEYLEN];
    char a[65];
    char b[65];
    for (int i = 0; i < FG_PSEUDONYM_KEYLEN; i++)
        key[i] = (unsigned char)i;
    ASSERT_OK(fg_idcard_parse(sample_id, 18, &id, NULL));
    fg_idcard_pseudonym(&id, key, a);
    /* HMAC-SHA-256(key 00 01 … 1f, "11010519491231002X"), computed independently (Python hmac). */
    ASSERT_STR_EQ(a, "a66755453b106dcea0cfa264214ae59ff1e8b067f3e5f3aa8085e1d8757880eb");
    /* The same number written another way gives the same pseudonym. */
    ASSERT_OK(fg_idcard_parse("110105491231002", 15, &id, NULL));
    fg_idcard_pseudonym(&id, key, b);
    ASSERT_STR_EQ(a, b);
    key[0] ^= 1;
    fg_idcard_pseudonym(&id, key, b);
    ASSERT(strcmp(a, b) != 0);
}
