/*
 * routes.c — the route table: every endpoint of docs/openapi.yaml as one row of data (method, path
 * pattern, /metrics name, handler, roles allowed, scope rule, path parameters). The dispatcher
 * (api.c) authenticates and applies a row's roles and scope rule once, before its handler; the
 * /metrics names are the rows' names; tests/unit/t_routes.c holds the table and docs/openapi.yaml
 * to each other, method and path both ways, roles included (x-fundguard-roles).
 *
 * Who may do what:
 *   institution key   submit (check, settlements, inventory, /nhsa) and read, for its own
 *                     fixmedins_code only (403 otherwise)
 *   admin             everything: submit for any institution, reference data, kb reload, audit
 *   reviewer, leader  read everything
 *   auditor           read everything, the audit trail included; never writes
 */
#include "core/compat.h"

#include <string.h>

#include "serve/serve_int.h"

#define SUBMIT    (FG__ROLE_INSTITUTION | FG__ROLE_ADMIN)
#define AUDIT     (FG__ROLE_AUDITOR | FG__ROLE_ADMIN)
#define NO_SUBMIT "this role may not submit data"
#define NO_REF    "only an admin writes reference data"
#define NO_RELOAD "only an admin reloads the knowledge base"
#define NO_AUDIT  "only an auditor or admin reads the audit trail"

static int is_ref_kind(const char *v)
{
    return fg_service_ref_kind(v) != NULL;
}

/* Patterns as docs/openapi.yaml writes them; a literal path before a pattern it also matches. */
/* clang-format off */
static const fg__route_t routes[] = {
    /* method pattern                        name              handler               roles           scope            refusal    path parameters */
    {"GET",  "/healthz",                     "healthz",        fg__r_healthz,        0,              FG__SCOPE_NONE,  NULL,      {{0}}},
    {"GET",  "/metrics",                     "metrics",        fg__r_metrics,        0,              FG__SCOPE_NONE,  NULL,      {{0}}},
    {"POST", "/v1/settlements/check",        "check",          fg__r_check,          SUBMIT,         FG__SCOPE_OWN,   NO_SUBMIT, {{0}}},
    {"POST", "/v1/settlements",              "settlements",    fg__r_settle,         SUBMIT,         FG__SCOPE_OWN,   NO_SUBMIT, {{0}}},
    {"GET",  "/v1/settlements/{setl_id}",    "settlement_get", fg__r_settlement_get, FG__ROLE_ALL,   FG__SCOPE_OWN,   NULL,      {{"setl_id", 0, NULL}}},
    {"POST", "/v1/inventory",                "inventory",      fg__r_inventory,      SUBMIT,         FG__SCOPE_OWN,   NO_SUBMIT, {{0}}},
    {"GET",  "/v1/trace/{code}",             "trace",          fg__r_trace,          FG__ROLE_ALL,   FG__SCOPE_OWN,   NULL,      {{"drug_trac_codg", 1, NULL}}},
    {"GET",  "/v1/alerts",                   "alerts",         fg__r_alerts,         FG__ROLE_ALL,   FG__SCOPE_QUERY, NULL,      {{0}}},
    {"GET",  "/v1/findings",                 "findings",       fg__r_findings,       FG__ROLE_ALL,   FG__SCOPE_QUERY, NULL,      {{0}}},
    {"GET",  "/v1/reference/{kind}",         "reference",      fg__r_ref_list,       FG__ROLE_ALL,   FG__SCOPE_OWN,   NULL,      {{"kind", 0, is_ref_kind}}},
    {"GET",  "/v1/reference/{kind}/{code}",  "reference",      fg__r_ref_get,        FG__ROLE_ALL,   FG__SCOPE_OWN,   NULL,      {{"kind", 0, is_ref_kind}, {"code", 0, NULL}}},
    {"PUT",  "/v1/reference/{kind}/{code}",  "reference",      fg__r_ref_put,        FG__ROLE_ADMIN, FG__SCOPE_NONE,  NO_REF,    {{"kind", 0, is_ref_kind}, {"code", 0, NULL}}},
    {"POST", "/v1/kb/reload",                "kb_reload",      fg__r_kb_reload,      FG__ROLE_ADMIN, FG__SCOPE_NONE,  NO_RELOAD, {{0}}},
    {"GET",  "/v1/audit",                    "audit",          fg__r_audit,          AUDIT,          FG__SCOPE_NONE,  NO_AUDIT,  {{0}}},
    {"POST", "/nhsa/{infno}",                "nhsa",           fg__r_nhsa,           SUBMIT,         FG__SCOPE_OWN,   NO_SUBMIT, {{"infno", 0, NULL}}},
};
/* clang-format on */
_Static_assert(FG_ARRAY_LEN(routes) == FG__ROUTE_ROWS, "FG__ROUTE_ROWS is the table's length");

const char *const fg__role_names[5] = {"institution", "reviewer", "leader", "admin", "auditor"};

unsigned fg__role_bit(const char *role)
{
    for (unsigned i = 0; i < FG_ARRAY_LEN(fg__role_names); i++)
        if (strcmp(role, fg__role_names[i]) == 0)
            return 1u << i;
    return 0;
}

const fg__route_t *fg__routes(size_t *n)
{
    *n = FG_ARRAY_LEN(routes);
    return routes;
}

/* Whether path matches pattern: each {name} one non-empty segment (copied into buf, pointed to
 * from params when given; valid when check). */
static int matches(const fg__route_t *r, const char *path, char *buf, const char *params[2],
                   int check)
{
    const char *p = r->pattern, *s = path;
    int k = 0;
    while (*p != '\0') {
        if (*p != '{') {
            if (*p++ != *s++)
                return 0;
            continue;
        }
        size_t n = strcspn(s, "/");
        if (n == 0 || k >= 2)
            return 0;
        if (buf != NULL) {
            memcpy(buf, s, n);
            buf[n] = '\0';
            if (params != NULL)
                params[k] = buf;
            if (check && r->param[k].valid != NULL && !r->param[k].valid(buf))
                return 0;
            buf += n + 1;
        }
        k++;
        s += n;
        p = strchr(p, '}');
        if (p == NULL)
            return 0;
        p++;
    }
    return *s == '\0';
}

const fg__route_t *fg__route_match(const char *method, const char *path, char *buf,
                                   const char *params[2], int *path_only)
{
    /* The first pattern the path matches is its route's (a literal path before a pattern that
     * also matches it); the row of that pattern with the method, else the first of them. */
    const fg__route_t *first = NULL;
    *path_only = 0;
    for (size_t i = 0; i < FG_ARRAY_LEN(routes); i++) {
        const fg__route_t *r = &routes[i];
        if (first != NULL && strcmp(r->pattern, first->pattern) != 0)
            continue;
        if (!matches(r, path, buf, params, 1))
            continue;
        if (strcmp(r->method, method) == 0)
            return r;
        if (first == NULL)
            first = r;
    }
    if (first != NULL) {
        *path_only = 1;
        matches(first, path, buf, params, 1);
    }
    return first;
}

/* The distinct names, "other" first, in the table's order. */
static const char *names[FG__ROUTES];
static int nnames;
static pthread_once_t names_once = PTHREAD_ONCE_INIT;

static void names_init(void)
{
    names[nnames++] = "other";
    for (size_t i = 0; i < FG_ARRAY_LEN(routes); i++) {
        int seen = 0;
        for (int k = 0; k < nnames; k++)
            seen |= strcmp(names[k], routes[i].name) == 0;
        if (!seen)
            names[nnames++] = routes[i].name;
    }
}

const char *const *fg__route_names(int *n)
{
    pthread_once(&names_once, names_init);
    *n = nnames;
    return names;
}

static int name_index(const char *name)
{
    int n;
    const char *const *all = fg__route_names(&n);
    for (int k = 1; k < n; k++)
        if (strcmp(all[k], name) == 0)
            return k;
    return 0;
}

int fg__route_index(const char *path)
{
    for (size_t i = 0; i < FG_ARRAY_LEN(routes); i++)
        if (matches(&routes[i], path, NULL, NULL, 0))
            return name_index(routes[i].name);
    for (size_t i = 0; i < FG_ARRAY_LEN(routes); i++) {
        const char *brace = strchr(routes[i].pattern, '{');
        if (brace != NULL &&
            strncmp(path, routes[i].pattern, (size_t)(brace - routes[i].pattern)) == 0)
            return name_index(routes[i].name);
    }
    return 0;
}
