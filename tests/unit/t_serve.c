/*
 * t_serve.c — the service's pieces that need no network: the option table (defaults, ranges, the
 * config file, the sample), the per-key rate limiter, the sign-in limits, and the route table
 * against docs/openapi.yaml (every method and path both ways, roles and scope rules).
 */
#include "core/compat.h"

#include <stdio.h>
#include <stdlib.h>
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
    ASSERT_EQ(c.signin_user_failures, 10);
    ASSERT_EQ(c.signin_addr_failures, 50);
    ASSERT_EQ(c.signin_window, 900);
    ASSERT_EQ(c.signin_lockout, 900);
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

/* n failed sign-ins of user from addr at now, each let through. */
static void fail_n(fg__signin_t *g, const char *user, const char *addr, int n, int64_t now)
{
    for (int i = 0; i < n; i++) {
        ASSERT_EQ(fg__signin_begin(g, user, addr, now), 0);
        fg__signin_end(g, user, addr, FG_E_AUTH, now);
    }
}

/* A sign-in of user from addr at now, let through, ending with rc. */
static void sign_in(fg__signin_t *g, const char *user, const char *addr, int rc, int64_t now)
{
    ASSERT_EQ(fg__signin_begin(g, user, addr, now), 0);
    fg__signin_end(g, user, addr, rc, now);
}

/* A name is locked after its limit of failures within the window, for the lockout; a success
 * clears its count. */
TEST(serve_signin_locks_a_name)
{
    fg__signin_t g;
    ASSERT_OK(fg__signin_init(&g, 3, 0, 60, 10));
    fail_n(&g, "wang", "10.0.0.1", 3, 100);
    ASSERT_EQ(fg__signin_begin(&g, "wang", "10.0.0.2", 101), 9); /* from anywhere */
    sign_in(&g, "li", "10.0.0.1", 0, 101);                       /* another name is not */
    sign_in(&g, "wang", "10.0.0.1", 0, 110);                     /* the lockout is over */
    /* The success cleared the count: three more failures before the next lock. */
    fail_n(&g, "wang", "10.0.0.1", 3, 111);
    ASSERT_GE(fg__signin_begin(&g, "wang", "10.0.0.1", 111), 1);
    /* Failures older than the window are forgotten. */
    fail_n(&g, "zhao", "10.0.0.1", 2, 200);
    fail_n(&g, "zhao", "10.0.0.1", 2, 261);
    ASSERT_EQ(fg__signin_begin(&g, "zhao", "10.0.0.1", 261), 0);
    fg__signin_release(&g);
}

/* Two sign-ins of name from "a" begun at t, failing at t and at t2; locked in between. */
static void two_failures(fg__signin_t *g, const char *name, int64_t t, int64_t t2)
{
    ASSERT_EQ(fg__signin_begin(g, name, "a", t), 0);
    ASSERT_EQ(fg__signin_begin(g, name, "a", t), 0);
    fg__signin_end(g, name, "a", FG_E_AUTH, t);
    ASSERT_GE(fg__signin_begin(g, name, "a", t2 - 1), 1);
    fg__signin_end(g, name, "a", FG_E_AUTH, t2);
}

/* Attempts in flight count at once (workers verifying together cannot pass the limit); one that
 * was no failure — a store error — is taken back, the lock it brought with it too. */
TEST(serve_signin_counts_attempts_in_flight)
{
    fg__signin_t g;
    ASSERT_OK(fg__signin_init(&g, 2, 0, 60, 10));
    ASSERT_EQ(fg__signin_begin(&g, "wang", "a", 1), 0);
    ASSERT_EQ(fg__signin_begin(&g, "wang", "a", 1), 0);
    ASSERT_GE(fg__signin_begin(&g, "wang", "a", 1), 1);
    fg__signin_end(&g, "wang", "a", FG_E_STORE, 1);
    ASSERT_EQ(fg__signin_begin(&g, "wang", "a", 1), 0);
    fg__signin_end(&g, "wang", "a", FG_E_AUTH, 1);
    fg__signin_end(&g, "wang", "a", FG_E_AUTH, 1);
    ASSERT_GE(fg__signin_begin(&g, "wang", "a", 2), 1);
    /* The lock runs from the answer to the failure that reached the limit, however long the
     * password check took — even longer than the lockout itself. */
    two_failures(&g, "li", 100, 107);
    ASSERT_EQ(fg__signin_begin(&g, "li", "a", 108), 9);
    two_failures(&g, "zhao", 200, 250);
    ASSERT_EQ(fg__signin_begin(&g, "zhao", "a", 251), 9);
    fg__signin_release(&g);
}

/* An address spraying many names is locked; a success from it does not wipe its failures. */
TEST(serve_signin_locks_an_address)
{
    fg__signin_t g;
    ASSERT_OK(fg__signin_init(&g, 3, 5, 60, 10));
    char name[32];
    for (int i = 0; i < 4; i++) {
        snprintf(name, sizeof(name), "nobody%d", i);
        fail_n(&g, name, "10.0.0.9", 1, 5);
    }
    sign_in(&g, "wang", "10.0.0.9", 0, 5);
    fail_n(&g, "nobody4", "10.0.0.9", 1, 5);
    ASSERT_EQ(fg__signin_begin(&g, "wang", "10.0.0.9", 6), 9); /* even a good name */
    ASSERT_EQ(fg__signin_begin(&g, "wang", "10.0.0.8", 6), 0); /* from elsewhere it goes */
    fg__signin_release(&g);
}

/* A spray of far more names than the table holds neither grows it nor frees a locked name. */
TEST(serve_signin_tables_are_bounded)
{
    fg__signin_t g;
    ASSERT_OK(fg__signin_init(&g, 2, 0, 600, 300));
    fail_n(&g, "wang", "x", 2, 0);
    char name[32];
    for (int i = 0; i < 20 * FG__SIGNIN_SETS * FG__SIGNIN_WAYS; i++) {
        snprintf(name, sizeof(name), "spray%d", i);
        if (fg__signin_begin(&g, name, "x", 1) == 0)
            fg__signin_end(&g, name, "x", FG_E_AUTH, 1);
    }
    ASSERT_GE(fg__signin_begin(&g, "wang", "x", 2), 1);
    fg__signin_release(&g);
    /* Off: never locked. */
    ASSERT_OK(fg__signin_init(&g, 0, 0, 600, 300));
    for (int i = 0; i < 100; i++)
        ASSERT_EQ(fg__signin_begin(&g, "wang", "x", 0), 0);
    fg__signin_release(&g);
}

/* ---------------------------------------------------------------- the route table */

/* One operation of docs/openapi.yaml: method (upper case), path, roles and scope. */
typedef struct api_op {
    char method[8];
    char path[96];
    unsigned roles;
    char scope[16];
    int seen;
} api_op_t;

/* The operations of docs/openapi.yaml's paths (its layout: "  /path:", "    get:", then the
 * operation's "      x-fundguard-roles: [a, b]" and "      x-fundguard-scope: s"). */
static size_t api_ops(api_op_t *ops, size_t cap)
{
    size_t len, n = 0;
    char *text = t_read_file(t_path("docs/openapi.yaml"), &len);
    char path[96] = "";
    char *lines = NULL;
    for (char *line = strtok_r(text, "\n", &lines); line != NULL;
         line = strtok_r(NULL, "\n", &lines)) {
        if (strncmp(line, "components:", 11) == 0)
            break;
        if (strncmp(line, "  /", 3) == 0 && line[strlen(line) - 1] == ':') {
            snprintf(path, sizeof(path), "%.*s", (int)strlen(line) - 3, line + 2);
            continue;
        }
        static const char *const methods[] = {"get", "post", "put", "delete", "patch"};
        for (size_t m = 0; m < FG_ARRAY_LEN(methods); m++) {
            char want[16];
            snprintf(want, sizeof(want), "    %s:", methods[m]);
            if (path[0] != '\0' && strcmp(line, want) == 0) {
                ASSERT(n < cap);
                memset(&ops[n], 0, sizeof(ops[n]));
                for (size_t i = 0; methods[m][i] != '\0'; i++)
                    ops[n].method[i] = (char)(methods[m][i] - 'a' + 'A');
                snprintf(ops[n].path, sizeof(ops[n].path), "%s", path);
                n++;
            }
        }
        const char *roles = "      x-fundguard-roles: [";
        const char *scope = "      x-fundguard-scope: ";
        if (n > 0 && strncmp(line, roles, strlen(roles)) == 0) {
            char list[128];
            snprintf(list, sizeof(list), "%s", line + strlen(roles));
            for (char *save = NULL, *r = strtok_r(list, ", ]", &save); r != NULL;
                 r = strtok_r(NULL, ", ]", &save)) {
                ASSERT(fg__role_bit(r) != 0);
                ops[n - 1].roles |= fg__role_bit(r);
            }
        }
        if (n > 0 && strncmp(line, scope, strlen(scope)) == 0)
            snprintf(ops[n - 1].scope, sizeof(ops[n - 1].scope), "%s", line + strlen(scope));
    }
    free(text);
    return n;
}

TEST(serve_routes_are_the_openapi_operations)
{
    static const char *const scopes[] = {"none", "own", "query"};
    api_op_t ops[64];
    size_t nops = api_ops(ops, FG_ARRAY_LEN(ops)), nroutes;
    const fg__route_t *routes = fg__routes(&nroutes);
    ASSERT_EQ(nops, 15);
    ASSERT_EQ(nroutes, nops);
    for (size_t i = 0; i < nroutes; i++) {
        const fg__route_t *r = &routes[i];
        size_t k = 0;
        while (k < nops &&
               !(strcmp(ops[k].method, r->method) == 0 && strcmp(ops[k].path, r->pattern) == 0))
            k++;
        if (k == nops)
            t_fail(__FILE__, __LINE__, "route %s %s is not in docs/openapi.yaml", r->method,
                   r->pattern);
        ops[k].seen++;
        if (ops[k].roles != r->roles || strcmp(ops[k].scope, scopes[r->scope]) != 0)
            t_fail(__FILE__, __LINE__, "%s %s: roles %#x scope %s in the table, %#x %s documented",
                   r->method, r->pattern, r->roles, scopes[r->scope], ops[k].roles, ops[k].scope);
        /* An institution key reaches a route only under a scope rule that limits it. */
        if (r->roles & FG__ROLE_INSTITUTION)
            ASSERT(r->scope != FG__SCOPE_NONE);
        /* A route refusing some role says why. */
        if (r->roles != 0 && r->roles != FG__ROLE_ALL)
            ASSERT(r->refusal != NULL);
    }
    for (size_t k = 0; k < nops; k++)
        if (ops[k].seen != 1)
            t_fail(__FILE__, __LINE__, "docs/openapi.yaml's %s %s is no route of the table",
                   ops[k].method, ops[k].path);
}

TEST(serve_routes_match_and_name)
{
    char buf[256];
    const char *params[2];
    int path_only;
    const fg__route_t *r = fg__route_match("GET", "/v1/settlements/check", buf, params, &path_only);
    ASSERT(r != NULL);
    ASSERT_STR_EQ(r->name, "check");
    ASSERT_EQ(path_only, 1); /* a literal path before the pattern it also matches */
    r = fg__route_match("GET", "/v1/settlements/S1", buf, params, &path_only);
    ASSERT(r != NULL && path_only == 0);
    ASSERT_STR_EQ(r->name, "settlement_get");
    ASSERT_STR_EQ(params[0], "S1");
    r = fg__route_match("PUT", "/v1/reference/persons/P1", buf, params, &path_only);
    ASSERT(r != NULL && path_only == 0 && r->roles == FG__ROLE_ADMIN);
    ASSERT_STR_EQ(params[0], "persons");
    ASSERT_STR_EQ(params[1], "P1");
    ASSERT(fg__route_match("GET", "/v1/reference/planets", buf, params, &path_only) == NULL);
    ASSERT(fg__route_match("GET", "/v1/trace/", buf, params, &path_only) == NULL);
    ASSERT(fg__route_match("GET", "/v1/trace/a/b", buf, params, &path_only) == NULL);
    ASSERT(fg__route_match("GET", "/v1/alertsx", buf, params, &path_only) == NULL);
    /* /metrics names: the table's, "other" first, each once; a path under a pattern's prefix is
     * counted under it. */
    int n;
    const char *const *names = fg__route_names(&n);
    ASSERT_EQ(n, 14);
    ASSERT_STR_EQ(names[0], "other");
    ASSERT_STR_EQ(names[fg__route_index("/healthz")], "healthz");
    ASSERT_STR_EQ(names[fg__route_index("/v1/reference/planets")], "reference");
    ASSERT_STR_EQ(names[fg__route_index("/v1/reference/")], "reference");
    ASSERT_STR_EQ(names[fg__route_index("/v1/settlements/check/x")], "settlement_get");
    ASSERT_STR_EQ(names[fg__route_index("/v1/nothing")], "other");
}
