/*
 * t_json_fast.c — the scanner of src/model/jsonscan.c against jansson: every JSON document under
 * tests/data and fuzz/corpora/json_doc, each of its truncations and single-byte changes, and the
 * edge cases of jansson's number, string and object rules must give the same return code, the same
 * errors and the same document whichever decodes them (fg__doc_parse_compare).
 */
#include "core/compat.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "fundguard/model.h"
#include "model/jsonscan.h"
#include "model/model_int.h"
#include "t.h"

static void same(const char *text, size_t n, int hint, const fg_json_limits_t *lim,
                 const char *label)
{
    const char *diff = fg__doc_parse_compare(text, n, hint, lim);
    if (diff != NULL)
        t_fail(__FILE__, __LINE__, "%s (%zu bytes, hint %d): the %s differs: %.*s", label, n, hint,
               diff, (int)(n < 400 ? n : 400), text);
}

/* The document, every prefix of it, and every byte changed once (two ways per position). */
static void same_mutated(const char *text, size_t n, const char *label)
{
    static const unsigned char subst[] = {'"', '\\', '0', ',', '}', ']', 0xC3, 0xFF,
                                          ' ', 'e',  '-', '.', '9', 'u', 0x00};
    char *buf = malloc(n > 0 ? n : 1);
    ASSERT(buf != NULL);
    same(text, n, 0, NULL, label);
    for (size_t k = 0; k < n; k++)
        same(text, k, 0, NULL, label);
    for (size_t i = 0; i < n; i++) {
        memcpy(buf, text, n);
        buf[i] = (char)(text[i] ^ 0x01);
        same(buf, n, 0, NULL, label);
        buf[i] = (char)subst[i % sizeof(subst)];
        same(buf, n, 0, NULL, label);
    }
    free(buf);
}

/* Each document of a file (each line of a .jsonl) through same_mutated. */
static size_t mutate_file(const char *path)
{
    size_t n;
    char *text = t_read_file(path, &n);
    if (strstr(path, ".jsonl") != NULL) {
        for (char *p = text; p < text + n;) {
            char *nl = memchr(p, '\n', (size_t)(text + n - p));
            size_t len = nl != NULL ? (size_t)(nl - p) : (size_t)(text + n - p);
            if (len > 0)
                same_mutated(p, len, path);
            p += len + 1;
        }
    } else {
        same_mutated(text, n, path);
        static const int hints[] = {2204, 2206, 2207, 3501, 3503, 3505, 3507, 9999};
        for (size_t h = 0; h < sizeof(hints) / sizeof(hints[0]); h++)
            same(text, n, hints[h], NULL, path);
        fg_json_limits_t few = {.max_depth = 3, .max_bytes = 0, .max_items = 1};
        same(text, n, 0, &few, path);
    }
    free(text);
    return 1;
}

/* Every regular file of dir (relative to the source tree) whose name contains `part`. */
static size_t mutate_dir(const char *dir, const char *part)
{
    struct dirent **names = NULL;
    size_t files = 0;
    int n = scandir(t_path(dir), &names, NULL, alphasort);
    ASSERT(n >= 0);
    for (int i = 0; i < n; i++) {
        char rel[512];
        if (names[i]->d_name[0] != '.' && strstr(names[i]->d_name, part) != NULL) {
            snprintf(rel, sizeof(rel), "%s/%s", dir, names[i]->d_name);
            files += mutate_file(t_path(rel));
        }
        free(names[i]);
    }
    free(names);
    return files;
}

TEST(json_fast_samples)
{
    ASSERT_GE(mutate_dir("tests/data/samples", ".json"), 15);
}

TEST(json_fast_bad_and_check)
{
    ASSERT_GE(mutate_dir("tests/data/bad", "json"), 8);
    ASSERT_GE(mutate_dir("tests/data/check", ".json"), 4);
    ASSERT_GE(mutate_dir("tests/data/serve", ".json"), 1);
}

TEST(json_fast_fuzz_corpus)
{
    ASSERT_GE(mutate_dir("fuzz/corpora/json_doc", ""), 10);
    mutate_dir("fuzz/corpora/json_fast", "");
}

/* A fee-line document with `v` as the value of several fields of different types, and alone. */
static void same_value(const char *v)
{
    static const char *const keys[] = {"cnt",           "pric",          "det_item_fee_sumamt",
                                       "med_list_codg", "fee_ocur_time", "feedetl_sn",
                                       "drug_trac_info"};
    char doc[1024];
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
        int len = snprintf(doc, sizeof(doc),
                           "{\"infno\":\"2204\",\"input\":{\"feedetail\":[{\"feedetl_sn\":\"F1\","
                           "\"mdtrt_id\":\"M1\",\"psn_no\":\"P1\",\"%s\":%s}]}}",
                           keys[k], v);
        same(doc, (size_t)len, 0, NULL, v);
    }
    same(v, strlen(v), 0, NULL, v);
    int len = snprintf(doc, sizeof(doc), "{\"infno\":%s,\"input\":{}}", v);
    same(doc, (size_t)len, 0, NULL, v);
}

static void same_values(const char *const *v)
{
    for (; *v != NULL; v++)
        same_value(*v);
}

TEST(json_fast_numbers)
{
    static const char *const v[] = {
        "0",
        "-0",
        "-0.0",
        "0.0",
        "1",
        "12",
        "12.5",
        "12.30",
        "1e2",
        "1E2",
        "1e+2",
        "1e-2",
        "-1.5e3",
        "01",
        "-01",
        "00",
        "1.",
        ".5",
        "-",
        "+1",
        "1e",
        "1e+",
        "0x10",
        "1.0e400",
        "1e400",
        "-1e400",
        "1e-400",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "-9223372036854775809",
        "99999999999999999999",
        "123456789012.34",
        "0.1234",
        "0.12345",
        "1e13",
        "2204",
        "2204.0",
        "NaN",
        "Infinity",
        "1.00000000000000000000000000000000000000000000000000000000000000000000001",
        "true",
        "false",
        "null",
        "tru",
        "nul",
        "truex",
        "[]",
        "{}",
        "[1,2]",
        "[1,]",
        "{\"a\":1}",
        NULL};
    same_values(v);
}

TEST(json_fast_strings)
{
    static const char *const v[] = {"\"\"",
                                    "\"abc\"",
                                    "\"a\\\"b\"",
                                    "\"a\\\\b\"",
                                    "\"a\\/b\"",
                                    "\"\\b\\f\\n\\r\\t\"",
                                    "\"\\u0041\"",
                                    "\"\\u00e9\"",
                                    "\"\\u4e2d\\u6587\"",
                                    "\"\\ud83d\\ude00\"",
                                    "\"\\u0000\"",
                                    "\"a\\u0000b\"",
                                    "\"\\ud800\"",
                                    "\"\\udc00\"",
                                    "\"\\ud800\\u0041\"",
                                    "\"\\ud800x\"",
                                    "\"\\ud800\\udbff\"",
                                    "\"\\uDFFF\"",
                                    "\"\\u12\"",
                                    "\"\\u12G4\"",
                                    "\"\\x\"",
                                    "\"\\'\"",
                                    "\"a\tb\"",
                                    "\"a\nb\"",
                                    "\"\x7f\"",
                                    "\"\xc3\xa9\"",
                                    "\"\xe4\xb8\xad\"",
                                    "\"\xf0\x9f\x98\x80\"",
                                    "\"\xc0\x80\"",
                                    "\"\xc1\xbf\"",
                                    "\"\xe0\x80\x80\"",
                                    "\"\xed\xa0\x80\"",
                                    "\"\xf4\x90\x80\x80\"",
                                    "\"\xf5\x80\x80\x80\"",
                                    "\"\x80\"",
                                    "\"\xc3\"",
                                    "\"\xe4\xb8\"",
                                    "\"abc",
                                    "\"H43010200012\"",
                                    "\"2204\"",
                                    "\"0\"",
                                    "\"1\"",
                                    NULL};
    same_values(v);
}

TEST(json_fast_documents)
{
    static const char *const d[] = {
        "",
        " ",
        "{",
        "}",
        "[",
        "[]",
        "{}",
        " {} ",
        "{} x",
        "{}{}",
        "[{}]",
        "\xef\xbb\xbf{}",
        "{\"a\":1,\"a\":2}",
        "{\"a\":1,\"\\u0061\":2}",
        "{\"\\u0061\":1}",
        "{\"a\\u0000\":1}",
        "{\"feedetail\":[],\"feedetail\":[]}",
        "{\"x\":{\"a\":1,\"b\":2,\"a\":3}}",
        "{\"infno\":\"2204\",\"input\":{\"feedetail\":{}}}",
        "{\"infno\":\"2204\",\"input\":[]}",
        "{\"infno\":\"2204\",\"input\":{\"feedetail\":[1,\"a\",null,[]]}}",
        "{\"a\" : 1 , \"b\"\t:\r\n2}",
        "{\"a\":1,}",
        "{,}",
        "{\"a\"}",
        "{\"a\":}",
        "{a:1}",
        "{'a':1}",
        "[1 2]",
        "{\"a\":1 \"b\":2}",
        "\x00{}",
        "{}\x00",
        "{\"a\":\"\x01\"}"};
    for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++)
        same(d[i], strlen(d[i]), 0, NULL, d[i]);
    same("{}\0", 3, 0, NULL, "NUL after");
}

/* Nesting and width around the scanner's own limits (64 levels, 64 members): jansson above. */
TEST(json_fast_depth_and_width)
{
    static char doc[70000];
    fg_json_limits_t deep = {.max_depth = 3000, .max_bytes = 0, .max_items = 0};
    for (int depth = 60; depth <= 70; depth++) {
        size_t o = 0;
        o += (size_t)snprintf(doc + o, sizeof(doc) - o, "{\"input\":");
        for (int k = 0; k < depth; k++)
            doc[o++] = '[';
        for (int k = 0; k < depth; k++)
            doc[o++] = ']';
        doc[o++] = '}';
        same(doc, o, 0, &deep, "deep");
        same(doc, o, 0, NULL, "deep, default limit");
    }
    for (int width = 60; width <= 70; width++) {
        size_t o = 0;
        o += (size_t)snprintf(doc + o, sizeof(doc) - o, "{\"feedetail\":[{");
        for (int k = 0; k < width; k++)
            o += (size_t)snprintf(doc + o, sizeof(doc) - o, "%s\"k%d\":%d", k > 0 ? "," : "", k, k);
        size_t members = o;
        o += (size_t)snprintf(doc + o, sizeof(doc) - o, "}]}");
        same(doc, o, 0, NULL, "wide");
        o = members;
        o += (size_t)snprintf(doc + o, sizeof(doc) - o, ",\"k%d\":0}]}", width / 2);
        same(doc, o, 0, NULL, "wide with a duplicate");
    }
}

/* The scanner takes the hot path's request itself (no fallback to jansson there). */
TEST(json_fast_takes_the_check_request)
{
    size_t n;
    char *text = t_read_file(t_path("tests/data/samples/check_request_env.json"), &n);
    fg_arena_t arena;
    fg_arena_init(&arena, 0);
    size_t depth = 0;
    fg__jv_t *root = fg__json_scan(text, n, &arena, &depth);
    ASSERT(root != NULL);
    ASSERT_EQ(depth, 6); /* root, input, feedetail[], a fee line, drug_trac_info[], a code */
    ASSERT(fg__jv_is(root, FG__J_OBJECT));
    ASSERT(fg__jv_is(fg__jv_get(root, "input"), FG__J_OBJECT));
    ASSERT(fg__json_scan("{\"a\":1,\"a\":2}", 13, &arena, &depth) == NULL);
    ASSERT(fg__json_scan("\"a\"", 3, &arena, &depth) == NULL);
    ASSERT(fg__json_scan("[[],{}]", 7, &arena, &depth) != NULL);
    ASSERT_EQ(depth, 2);
    fg_arena_release(&arena);
    free(text);
}

/* The depth pre-check as first written: a byte at a time, line and column tracked throughout. */
static int depth_reference(const char *s, size_t n, size_t max, long *line, long *col)
{
    size_t depth = 0, line_start = 0;
    int in_str = 0, esc = 0;
    long ln = 1;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '\n') {
            ln++;
            line_start = i + 1;
        }
        if (in_str) {
            if (esc)
                esc = 0;
            else if (ch == '\\')
                esc = 1;
            else if (ch == '"')
                in_str = 0;
            continue;
        }
        if (ch == '"') {
            in_str = 1;
        } else if (ch == '[' || ch == '{') {
            if (++depth > max) {
                *line = ln;
                *col = (long)(i - line_start) + 1;
                return -1;
            }
        } else if ((ch == ']' || ch == '}') && depth > 0) {
            depth--;
        }
    }
    return 0;
}

TEST(json_depth_matches_reference)
{
    /* Random texts over the bytes that matter (quotes, backslash runs, brackets, newlines), every
     * limit from 0 to 5: the same answer, line and column. */
    static const char alphabet[] = "\"\\\\[]{}\n a";
    uint64_t x = 0x9e3779b97f4a7c15u;
    char text[64];
    for (int round = 0; round < 200000; round++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t n = (size_t)(x % sizeof(text));
        uint64_t y = x;
        for (size_t i = 0; i < n; i++) {
            y ^= y << 13, y ^= y >> 7, y ^= y << 17;
            text[i] = alphabet[y % (sizeof(alphabet) - 1)];
        }
        for (size_t max = 0; max < 6; max++) {
            long l1 = 0, c1 = 0, l2 = 0, c2 = 0;
            int want = depth_reference(text, n, max, &l1, &c1);
            int got = fg_json_depth_exceeds(text, n, max, &l2, &c2);
            ASSERT_EQ(got, want);
            if (want != 0) {
                ASSERT_EQ(l2, l1);
                ASSERT_EQ(c2, c1);
            }
        }
    }
}
