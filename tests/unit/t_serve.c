/*
 * t_serve.c — the service's pieces that need no network: the option table (defaults, ranges, the
 * config file, the sample) and the per-key rate limiter.
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>

#include "fundguard/serve.h"
#include "serve/serve_int.h"
#include "t.h"

TEST(serve_config_defaults)
{
    fg_serve_config_t c;
    fg_serve_config_defaults(&c);
    ASSERT_STR_EQ(c.listen, "127.0.0.1");
    ASSERT_EQ(c.port, 8080);
    ASSERT_EQ(c.max_body, 8388608);
    ASSERT_EQ(c.json_depth, 32);
    ASSERT_EQ(c.rate, 0);
    ASSERT_STR_EQ(c.ledger_fsync, "batch");
    ASSERT_STR_EQ(c.db, "");
}

TEST(serve_config_set_checks_type_and_range)
{
    fg_serve_config_t c;
    fg_error_t err;
    fg_serve_config_defaults(&c);
    ASSERT_OK(fg_serve_config_set(&c, "max-body", "1024", &err));
    ASSERT_EQ(c.max_body, 1024);
    ASSERT_ERR(fg_serve_config_set(&c, "max_body", "1023", &err), FG_E_CONFIG);
    ASSERT_STR_EQ(err.where, "max_body");
    ASSERT_ERR(fg_serve_config_set(&c, "port", "80x", &err), FG_E_CONFIG);
    ASSERT_ERR(fg_serve_config_set(&c, "port", "65536", &err), FG_E_CONFIG);
    ASSERT_ERR(fg_serve_config_set(&c, "ledger_fsync", "sometimes", &err), FG_E_CONFIG);
    ASSERT_ERR(fg_serve_config_set(&c, "colour", "blue", &err), FG_E_CONFIG);
    ASSERT_OK(fg_serve_config_set(&c, "ledger_fsync", "always", &err));
    ASSERT_STR_EQ(c.ledger_fsync, "always");
    char longv[200];
    memset(longv, 'a', sizeof(longv) - 1);
    longv[sizeof(longv) - 1] = '\0';
    ASSERT_ERR(fg_serve_config_set(&c, "listen", longv, &err), FG_E_CONFIG);
}

TEST(serve_config_file)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/fg.conf", t_tmpdir());
    FILE *f = fopen(path, "w");
    ASSERT(f != NULL);
    fputs("# a comment\n\nport = 9090\n  workers=3  \nkb = kb,tests/data/kb-local\n", f);
    fclose(f);
    fg_serve_config_t c;
    fg_error_t err;
    fg_serve_config_defaults(&c);
    ASSERT_OK(fg_serve_config_file(&c, path, &err));
    ASSERT_EQ(c.port, 9090);
    ASSERT_EQ(c.workers, 3);
    ASSERT_STR_EQ(c.kb, "kb,tests/data/kb-local");
    f = fopen(path, "w");
    fputs("port = 9090\nworkers 3\n", f);
    fclose(f);
    ASSERT_ERR(fg_serve_config_file(&c, path, &err), FG_E_CONFIG);
    ASSERT(strstr(err.msg, "line 2") != NULL);
    f = fopen(path, "w");
    fputs("json_depth = 1\n", f);
    fclose(f);
    ASSERT_ERR(fg_serve_config_file(&c, path, &err), FG_E_CONFIG);
    ASSERT(strstr(err.msg, "line 1") != NULL);
}

TEST(serve_config_sample_names_every_option)
{
    size_t n;
    const fg_serve_option_t *o = fg_serve_options(&n);
    ASSERT_GE(n, 15);
    fg_buf_t b;
    fg_buf_init(&b, 1 << 20);
    ASSERT_OK(fg_serve_config_sample(&b));
    for (size_t i = 0; i < n; i++) {
        char line[128];
        snprintf(line, sizeof(line), "\n%s = %s\n", o[i].name, o[i].dflt);
        ASSERT(strstr(b.data, line) != NULL);
    }
    fg_buf_release(&b);
}

TEST(serve_rate_limits_per_key)
{
    fg__rate_t r;
    fg__rate_init(&r, 1, 3);
    for (int i = 0; i < 3; i++)
        ASSERT_EQ(fg__rate_take(&r, "k_a"), 0);
    ASSERT_GE(fg__rate_take(&r, "k_a"), 1);
    ASSERT_EQ(fg__rate_take(&r, "k_b"), 0);
    fg__rate_release(&r);
    fg__rate_init(&r, 0, 1); /* off */
    for (int i = 0; i < 100; i++)
        ASSERT_EQ(fg__rate_take(&r, "k_a"), 0);
    fg__rate_release(&r);
}
