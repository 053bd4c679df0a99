/*
 * t_service.c — the service layer without HTTP: check, settle, refund, inventory, trace, the
 * reads and reference rows through fundguard/service.h, on a SQLite store, an embedded ledger and
 * a review history in a temporary directory, with the repository's knowledge base. The actor's
 * scope is held by the service itself: an institution's actor reaches only its own data.
 */
#include "core/compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fundguard/service.h"
#include "t.h"

#define H1 "H43010200012" /* the institution of the samples */
#define H2 "H43010200099" /* another */

typedef struct svc_env {
    fg_store_t *store;
    fg_ledger_t *ledger;
    fg_history_t *hist;
    fg_service_t *svc;
    fg_arena_t arena;
    fg_actor_t admin, inst, other;
} svc_env_t;

static void actor(fg_actor_t *a, const char *id, const char *role, const char *inst)
{
    fg_principal_t p = {0};
    snprintf(p.id, sizeof(p.id), "%s", id);
    snprintf(p.role, sizeof(p.role), "%s", role);
    snprintf(p.fixmedins_code, sizeof(p.fixmedins_code), "%s", inst);
    fg_actor_of(&p, a);
}

static void env_open(svc_env_t *e)
{
    char dir[600];
    fg_error_t err;
    memset(e, 0, sizeof(*e));
    ASSERT_OK(fg_store_open(t_tmpdir(), &e->store, &err));
    snprintf(dir, sizeof(dir), "%s/ledger", t_tmpdir());
    ASSERT_EQ(mkdir(dir, 0750), 0);
    ASSERT_OK(fg_ledger_open(dir, NULL, &e->ledger, NULL, &err));
    snprintf(dir, sizeof(dir), "%s/history", t_tmpdir());
    ASSERT_EQ(mkdir(dir, 0750), 0);
    e->hist = fg_history_new();
    ASSERT(e->hist != NULL);
    ASSERT_OK(fg_history_open(e->hist, dir, &err));
    fg_service_opts_t o = {.kb = "kb", .max_body = 8u << 20, .json_depth = 32, .max_items = 10000};
    ASSERT_OK(fg_service_new(&o, e->store, e->ledger, e->hist, &e->svc, &err));
    fg_arena_init(&e->arena, 0);
    actor(&e->admin, "k_admin", "admin", "");
    actor(&e->inst, "k_h1", "institution", H1);
    actor(&e->other, "k_h2", "institution", H2);
}

static void env_close(svc_env_t *e)
{
    fg_error_t err;
    fg_service_free(e->svc);
    ASSERT_OK(fg_ledger_close(e->ledger, &err));
    fg_history_free(e->hist);
    fg_store_close(e->store);
    fg_arena_release(&e->arena);
}

/* A document's text: a file of the repository with each `from` replaced by `to` (NULL none). */
static char *doc_text(const char *rel, const char *from, const char *to, size_t *len)
{
    char *s = t_read_file(t_path(rel), len);
    if (from == NULL)
        return s;
    size_t nf = strlen(from), nt = strlen(to), cap = *len * 2 + 64, n = 0;
    char *o = malloc(cap);
    ASSERT(o != NULL);
    for (const char *p = s; *p != '\0';) {
        if (strncmp(p, from, nf) == 0) {
            memcpy(o + n, to, nt);
            n += nt;
            p += nf;
        } else {
            o[n++] = *p++;
        }
    }
    o[n] = '\0';
    free(s);
    *len = n;
    return o;
}

static void parse(svc_env_t *e, const char *text, size_t len, fg_doc_t *doc)
{
    fg_error_t err;
    ASSERT_OK(fg_doc_parse(text, len, 0, NULL, &e->arena, doc, NULL, &err));
}

/* Settle a document; the decision is want (NULL: any), the answer's ledger outcomes as JSON in
 * outcomes (when not NULL). */
static int settle(svc_env_t *e, const fg_actor_t *a, const char *text, size_t len, const char *want,
                  int *replayed, fg_buf_t *outcomes, fg_error_t *err)
{
    fg_doc_t doc;
    parse(e, text, len, &doc);
    fg_service_settled_t res = {0};
    fg_buf_init(&res.decision, 1u << 20);
    int rc = fg_service_settle(e->svc, a, &doc, text, len, &e->arena, &res, err);
    if (rc == 0) {
        ASSERT(strstr(res.decision.data, "{\"decision\":\"") == res.decision.data);
        if (want != NULL)
            ASSERT(strncmp(res.decision.data + 13, want, strlen(want)) == 0);
        *replayed = res.replayed;
        if (outcomes != NULL)
            ASSERT_OK(fg_service_outcomes_json(res.events, res.nevents, outcomes));
    }
    fg_buf_release(&res.decision);
    return rc;
}

TEST(service_check_decides_and_holds_the_scope)
{
    svc_env_t e;
    env_open(&e);
    size_t len;
    char *text = doc_text("tests/data/samples/check_request_env.json", NULL, NULL, &len);
    fg_doc_t doc;
    parse(&e, text, len, &doc);
    fg_buf_t d;
    fg_buf_init(&d, 1u << 20);
    fg_error_t err;
    ASSERT_OK(fg_service_check(e.svc, &e.inst, &doc, FG_STAGE_IN, &e.arena, &d, &err));
    ASSERT(strstr(d.data, "\"decision\":\"hold\"") != NULL);
    ASSERT(strstr(d.data, "GZ0201") != NULL);
    fg_buf_reset(&d);
    ASSERT_ERR(fg_service_check(e.svc, &e.other, &doc, FG_STAGE_IN, &e.arena, &d, &err),
               FG_E_FORBIDDEN);
    ASSERT_STR_EQ(err.where, "fixmedins_code");
    fg_service_stats_t st;
    fg_service_stats(e.svc, &st);
    ASSERT_EQ(st.checks, 1);
    fg_buf_release(&d);
    free(text);
    env_close(&e);
}

TEST(service_settle_replay_conflict_refund)
{
    svc_env_t e;
    env_open(&e);
    size_t len;
    char *text = doc_text("tests/data/serve/settlement.json", NULL, NULL, &len);
    fg_buf_t out;
    fg_buf_init(&out, 1u << 20);
    fg_error_t err;
    int replayed = -1;
    ASSERT_ERR(settle(&e, &e.other, text, len, NULL, &replayed, NULL, &err), FG_E_FORBIDDEN);
    ASSERT_OK(settle(&e, &e.inst, text, len, "hold\"", &replayed, &out, &err));
    ASSERT_EQ(replayed, 0);
    ASSERT(strstr(out.data, "\"outcome\":\"first_sale\"") != NULL);
    ASSERT_OK(settle(&e, &e.inst, text, len, "hold\"", &replayed, NULL, &err));
    ASSERT_EQ(replayed, 1);
    size_t clen;
    char *changed = doc_text("tests/data/serve/settlement.json", "\"186.50\"", "\"999.00\"", &clen);
    ASSERT_ERR(settle(&e, &e.inst, changed, clen, NULL, &replayed, NULL, &err), FG_E_CONFLICT);
    ASSERT_STR_EQ(err.where, "setl_id");
    /* A refund of the whole settlement: its packs return to the original sale. */
    size_t rlen;
    char *refund =
        doc_text("tests/data/serve/settlement.json", "\"refd_setl_flag\": \"0\"",
                 "\"refd_setl_flag\": \"1\", \"init_setl_id\": \"S2025070100001\"", &rlen);
    char *r2 = refund;
    refund = NULL;
    {
        /* under its own setl_id */
        char *p = strstr(r2, "\"setl_id\": \"S2025070100001\"");
        ASSERT(p != NULL);
        size_t at = (size_t)(p - r2) + strlen("\"setl_id\": \"S2025070100001");
        refund = malloc(rlen + 2);
        memcpy(refund, r2, at);
        refund[at] = 'R';
        memcpy(refund + at + 1, r2 + at, rlen - at + 1);
        rlen++;
    }
    fg_buf_reset(&out);
    ASSERT_OK(settle(&e, &e.inst, refund, rlen, NULL, &replayed, &out, &err));
    ASSERT(strstr(out.data, "\"type\":\"sale_return\",\"outcome\":\"return_ok\"") != NULL);
    /* The settlement as stored, for its institution only; the audit trail names the actor. */
    fg_buf_reset(&out);
    ASSERT_OK(fg_service_settlement_get(e.svc, &e.inst, "S2025070100001", &out, &err));
    ASSERT(strstr(out.data, "\"setl_id\":\"S2025070100001\"") != NULL);
    ASSERT_ERR(fg_service_settlement_get(e.svc, &e.other, "S2025070100001", &out, &err),
               FG_E_FORBIDDEN);
    ASSERT_ERR(fg_service_settlement_get(e.svc, &e.admin, "S404", &out, &err), FG_ENOTFOUND);
    fg_service_audit_t au;
    fg_buf_init(&au.lines, 1u << 20);
    ASSERT_OK(fg_service_audit(e.svc, &e.admin, 0, 100, &au, &err));
    ASSERT_EQ(au.verified, 1);
    ASSERT(strstr(au.lines.data, "\"k_h1\"") != NULL);
    ASSERT(strstr(au.lines.data, "settlement.put") != NULL);
    fg_buf_release(&au.lines);
    fg_service_stats_t st;
    fg_service_stats(e.svc, &st);
    ASSERT_EQ(st.settlements, 2);
    free(text);
    free(changed);
    free(r2);
    free(refund);
    fg_buf_release(&out);
    env_close(&e);
}

TEST(service_inventory_and_trace)
{
    svc_env_t e;
    env_open(&e);
    size_t len;
    char *text = doc_text("tests/data/samples/3503_purchase.json", NULL, NULL, &len);
    fg_doc_t doc;
    parse(&e, text, len, &doc);
    fg_buf_t out;
    fg_buf_init(&out, 1u << 20);
    fg_error_t err;
    int again = -1;
    /* The document names no institution: an institution's actor's own; nobody's otherwise. */
    ASSERT_ERR(fg_service_inventory(e.svc, &e.admin, &doc, text, len, &e.arena, &out, &again, &err),
               FG_E_REQUIRED);
    ASSERT_STR_EQ(err.where, "fixmedins_code");
    fg_buf_reset(&out);
    ASSERT_OK(fg_service_inventory(e.svc, &e.inst, &doc, text, len, &e.arena, &out, &again, &err));
    ASSERT_EQ(again, 0);
    ASSERT(strstr(out.data, "\"infno\":3503") != NULL);
    ASSERT(strstr(out.data, "\"type\":\"purchase\"") != NULL);
    fg_buf_reset(&out);
    ASSERT_OK(fg_service_inventory(e.svc, &e.inst, &doc, text, len, &e.arena, &out, &again, &err));
    ASSERT_EQ(again, 1);
    ASSERT(strstr(out.data, "\"replayed\":true") != NULL);
    /* The code's history: the institution's own events; another institution sees none of them. */
    fg_buf_reset(&out);
    ASSERT_OK(fg_service_trace(e.svc, &e.inst, "81234567890123456789", &out, &err));
    ASSERT(strstr(out.data, "\"history\":[{\"lsn\":") != NULL);
    ASSERT(strstr(out.data, "\"fixmedins_code\":\"" H1 "\"") != NULL);
    fg_buf_reset(&out);
    ASSERT_OK(fg_service_trace(e.svc, &e.other, "81234567890123456789", &out, &err));
    ASSERT(strstr(out.data, "\"history\":[]") != NULL);
    ASSERT_ERR(fg_service_trace(e.svc, &e.admin, "81234567890123400000", &out, &err), FG_ENOTFOUND);
    ASSERT_STR_EQ(err.where, "drug_trac_codg");
    /* Alerts: an institution's actor lists its own, and may not ask for another's. */
    fg_store_filter_t f = {.limit = 10};
    fg_buf_reset(&out);
    ASSERT_OK(fg_service_list(e.svc, &e.inst, FG_STORE_ALERTS, &f, &out, &err));
    ASSERT(strstr(out.data, "\"items\":") != NULL);
    f.fixmedins_code = H2;
    ASSERT_ERR(fg_service_list(e.svc, &e.inst, FG_STORE_ALERTS, &f, &out, &err), FG_E_FORBIDDEN);
    free(text);
    fg_buf_release(&out);
    env_close(&e);
}

TEST(service_reference_rows_and_reload)
{
    svc_env_t e;
    env_open(&e);
    fg_buf_t out;
    fg_buf_init(&out, 1u << 20);
    fg_error_t err;
    ASSERT_STR_EQ(fg_service_ref_kind("institutions"), "institution");
    ASSERT(fg_service_ref_kind("planets") == NULL);
    const char *row = "{\"status\":\"suspended\",\"begin_date\":\"2025-07-01\"}";
    ASSERT_OK(fg_service_ref_put(e.svc, &e.admin, "institution", H1, row, strlen(row), &e.arena,
                                 &out, &err));
    ASSERT(strstr(out.data, "\"status\":\"suspended\"") != NULL);
    const char *bad = "{\"status\":\"asleep\"}";
    ASSERT_ERR(fg_service_ref_put(e.svc, &e.admin, "institution", H1, bad, strlen(bad), &e.arena,
                                  &out, &err),
               FG_E_ENUM);
    ASSERT_STR_EQ(err.where, "status");
    fg_buf_reset(&out);
    ASSERT_OK(fg_service_ref_get(e.svc, &e.inst, "institution", H1, &out, &err));
    ASSERT_ERR(fg_service_ref_get(e.svc, &e.other, "institution", H1, &out, &err), FG_E_FORBIDDEN);
    ASSERT_ERR(fg_service_ref_list(e.svc, &e.inst, "person", NULL, NULL, 10, &out, &err),
               FG_E_FORBIDDEN);
    char before[FG_SERVICE_VERSION_MAX], after[FG_SERVICE_VERSION_MAX];
    fg_service_kb_version(e.svc, before);
    ASSERT_OK(fg_service_reload(e.svc, &e.admin, after, &err));
    ASSERT_STR_EQ(before, after);
    fg_service_stats_t st;
    fg_service_stats(e.svc, &st);
    ASSERT_EQ(st.reloads, 1);
    fg_buf_release(&out);
    env_close(&e);
}
