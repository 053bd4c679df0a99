/* t_screen.c — the screen's framework pieces: a finding's findings.jsonl line (field order, absent
 * fields omitted, escapes, ids kept once), the string-keyed model state map, catalogue money of
 * smallest units, the thresholds text and option errors of fg_screen_run. */
#include "core/compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fundguard/alloc.h"
#include "fundguard/screen.h"
#include "screen/screen_int.h"
#include "t.h"

TEST(screen_finding_line)
{
    fg__screen_finding_t f;
    fg__screen_finding_init(&f, FG__SCREEN_SUSPICIOUS);
    f.model = "m";
    FG__SCREEN_SET(f.psn_no, "4105250000000001");
    ASSERT_EQ(fg__screen_ids_add(&f, &f.setl_ids, "S1"), 0);
    ASSERT_EQ(fg__screen_ids_add(&f, &f.setl_ids, "S2"), 0);
    ASSERT_EQ(fg__screen_ids_add(&f, &f.setl_ids, "S1"), 0); /* kept once */
    ASSERT_EQ(fg__screen_ids_add(&f, &f.setl_ids, ""), 0);   /* empty ignored */
    f.amount = 1234;
    ASSERT_EQ(fg__screen_ev_str(&f, "why", "a \"quoted\"\n名"), 0);
    ASSERT_EQ(fg__screen_ev_int(&f, "n", -3), 0);
    ASSERT_EQ(fg__screen_ev_date(&f, "d", 0), 0);
    snprintf(f.message, sizeof(f.message), "消息");
    fg_buf_t b;
    fg_buf_init(&b, 1 << 20);
    ASSERT_EQ(fg__screen_finding_json(&f, &b), 0);
    ASSERT_EQ(strcmp(b.data,
                     "{\"model\":\"m\",\"level\":\"suspicious\",\"psn_no\":\"4105250000000001\","
                     "\"setl_ids\":[\"S1\",\"S2\"],\"amount\":1234,\"evidence\":{\"why\":"
                     "\"a \\\"quoted\\\"\\n名\",\"n\":-3,\"d\":\"1970-01-01\"},"
                     "\"message\":\"消息\"}"),
              0);
    fg_buf_release(&b);
    fg__screen_finding_release(&f);
}

TEST(screen_map_keeps_order_and_sorts)
{
    fg__screen_map_t m;
    fg__screen_map_init(&m, sizeof(int));
    const char *keys[] = {"b", "a", "c", "a"};
    for (int i = 0; i < 4; i++) {
        int *v = fg__screen_map_get(&m, keys[i], 1);
        ASSERT(v != NULL);
        *v += i + 1;
    }
    ASSERT_EQ(m.n, 3u);
    ASSERT_EQ(*(int *)fg__screen_map_get(&m, "a", 0), 2 + 4);
    ASSERT(fg__screen_map_get(&m, "z", 0) == NULL);
    size_t *ix = fg__screen_map_sorted(&m);
    ASSERT(ix != NULL);
    ASSERT_EQ(strcmp(m.key[ix[0]], "a"), 0);
    ASSERT_EQ(strcmp(m.key[ix[2]], "c"), 0);
    fg_free(ix);
    /* Many entries: values survive growth. */
    char k[16];
    for (int i = 0; i < 5000; i++) {
        snprintf(k, sizeof(k), "k%d", i);
        *(int *)fg__screen_map_get(&m, k, 1) = i;
    }
    snprintf(k, sizeof(k), "k%d", 4321);
    ASSERT_EQ(*(int *)fg__screen_map_get(&m, k, 0), 4321);
    fg__screen_map_release(&m);
}

TEST(screen_params_and_models)
{
    size_t n = fg_screen_params_text(NULL, 0);
    ASSERT_GT(n, 0u);
    char *t = fg_malloc(n + 1);
    ASSERT(t != NULL);
    ASSERT_EQ(fg_screen_params_text(t, n + 1), n);
    ASSERT(strstr(t, "after_death.grace_days=0  # ") != NULL);
    ASSERT(strstr(t, "stock_mismatch.tolerance_units=0  # ") != NULL);
    fg_free(t);
    ASSERT(fg__screen_model_find("trace_duplicate") != NULL);
    ASSERT(fg__screen_model_find("nosuch") == NULL);
    for (size_t i = 0; i < fg_screen_model_count(); i++) {
        ASSERT(fg_screen_model_name(i) != NULL);
        ASSERT(fg_screen_model_name_zh(i) != NULL && fg__screen_models[i]->definition != NULL);
    }
    ASSERT(fg_screen_model_name(fg_screen_model_count()) == NULL);
}

TEST(screen_run_refuses_bad_options)
{
    fg_screen_options_t o;
    fg_screen_options_init(&o);
    fg_screen_summary_t *s = NULL;
    fg_error_t err;
    ASSERT_EQ(fg_screen_run(&o, &s, &err), FG_EINVAL); /* no directory */
    fg_screen_summary_free(s);
    const char *dirs[] = {FG_SOURCE_DIR "/tests/cases/screen/after_death/01_hit"};
    o.dirs = dirs;
    o.ndirs = 1;
    o.out_dir = "/nonexistent-dir-of-t_screen/out";
    const char *params[] = {"after_death.grace_days=366", NULL};
    o.params = params;
    ASSERT_EQ(fg_screen_run(&o, &s, &err), FG_E_CONFIG); /* out of range */
    ASSERT(strstr(err.msg, "0 to 365") != NULL);
    fg_screen_summary_free(s);
    params[0] = "after_death.nosuch=1";
    ASSERT_EQ(fg_screen_run(&o, &s, &err), FG_E_CONFIG);
    fg_screen_summary_free(s);
    o.params = NULL;
    o.models = "after_death,nosuch";
    ASSERT_EQ(fg_screen_run(&o, &s, &err), FG_E_CONFIG);
    ASSERT_EQ(strcmp(err.where, "--models"), 0);
    fg_screen_summary_free(s);
}
