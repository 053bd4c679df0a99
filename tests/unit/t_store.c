/*
 * t_store.c — the store on SQLite (and on PostgreSQL when FG_TEST_PG_URL names a scratch
 * database): migrations, keys, users, settlements, alerts, reference rows, the audit chain.
 */
#include "core/compat.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fundguard/store.h"
#include "store/store_int.h"
#include "t.h"

/* A fresh store: SQLite in a temporary directory, or the PostgreSQL test database emptied. */
static fg_store_t *open_store(void)
{
    fg_error_t err;
    fg_store_t *s = NULL;
    const char *pg = getenv("FG_TEST_PG_URL");
    if (pg != NULL && pg[0] != '\0') {
        ASSERT_OK(fg_store_open(pg, &s, &err));
        ASSERT_OK(fg_store_exec(s,
                                "TRUNCATE fg_key, fg_user, fg_settlement, fg_decision, fg_alert, "
                                "fg_ref, fg_audit, fg_request",
                                0, NULL, &err));
        return s;
    }
    int rc = fg_store_open(t_tmpdir(), &s, &err);
    if (rc != 0)
        t_fail(__FILE__, __LINE__, "open: %s", err.msg);
    return s;
}

/* The listings as the CLI and the API write them: records as JSON lines, or a page
 * {"items":[…],"next":…}. */
static int key_line(void *ctx, const fg_store_key_t *k)
{
    int rc = fg_store_key_json(k, ctx);
    return rc == 0 ? fg_buf_appendc(ctx, '\n') : rc;
}

static int audit_line(void *ctx, const fg_audit_record_t *r)
{
    int rc = fg_store_audit_json(r, ctx);
    return rc == 0 ? fg_buf_appendc(ctx, '\n') : rc;
}

static int item(fg_buf_t *b)
{
    return b->len > 0 && b->data[b->len - 1] != '[' ? fg_buf_appendc(b, ',') : 0;
}

static int alert_item(void *ctx, const fg_store_alert_t *a)
{
    int rc = item(ctx);
    return rc == 0 ? fg_store_alert_json(a, ctx) : rc;
}

static int ref_item(void *ctx, const fg_store_ref_t *r)
{
    int rc = item(ctx);
    return rc == 0 ? fg_store_ref_json(r, ctx) : rc;
}

static int alert_page(fg_store_t *s, const fg_store_filter_t *f, fg_buf_t *b, fg_error_t *err)
{
    int64_t next;
    fg_buf_appends(b, "{\"items\":[");
    int rc = fg_store_alert_list(s, FG_STORE_ALERTS, f, alert_item, b, &next, err);
    if (rc == 0 && next != 0)
        fg_buf_printf(b, "],\"next\":%lld}", (long long)next);
    else if (rc == 0)
        fg_buf_appends(b, "],\"next\":null}");
    return rc;
}

static int ref_page(fg_store_t *s, const char *kind, fg_buf_t *b, fg_error_t *err)
{
    char next[FG_STORE_REF_CODE_MAX + 1];
    fg_buf_appends(b, "{\"items\":[");
    int rc = fg_store_ref_list(s, kind, "", "", 10, ref_item, b, next, err);
    if (rc == 0)
        fg_buf_printf(b, "],\"next\":%s%s%s}", next[0] ? "\"" : "", next[0] ? next : "null",
                      next[0] ? "\"" : "");
    return rc;
}

TEST(store_migrates_once)
{
    fg_error_t err;
    fg_store_t *s = open_store();
    ASSERT_EQ(fg_store_schema_version(s), fg_store_schema_latest());
    fg_store_close(s);
    if (getenv("FG_TEST_PG_URL") == NULL) {
        ASSERT_OK(fg_store_open(t_tmpdir(), &s, &err));
        ASSERT_EQ(fg_store_schema_version(s), fg_store_schema_latest());
        ASSERT_STR_EQ(fg_store_backend(s), "sqlite");
        fg_store_close(s);
    }
}

TEST(store_newer_schema_is_refused)
{
    if (getenv("FG_TEST_PG_URL") != NULL)
        return;
    fg_error_t err;
    fg_store_t *s = open_store();
    ASSERT_OK(fg_store_exec(s, "INSERT INTO fg_schema VALUES (999, 'x')", 0, NULL, &err));
    fg_store_close(s);
    ASSERT_ERR(fg_store_open(t_tmpdir(), &s, &err), FG_E_STORE_SCHEMA);
}

TEST(store_keys)
{
    fg_error_t err;
    fg_store_t *s = open_store();
    char key[FG_STORE_KEY_LEN + 1], id[48];
    ASSERT_OK(fg_store_key_add(s, "t_store", "institution", "H11010100001", key, id, &err));
    ASSERT_EQ(strlen(key), FG_STORE_KEY_LEN);
    fg_principal_t p;
    ASSERT_OK(fg_store_key_find(s, key, &p, &err));
    ASSERT_STR_EQ(p.role, "institution");
    ASSERT_STR_EQ(p.fixmedins_code, "H11010100001");
    ASSERT_STR_EQ(p.id, id);
    key[10] ^= 1;
    ASSERT_ERR(fg_store_key_find(s, key, &p, &err), FG_ENOTFOUND);
    key[10] ^= 1;
    ASSERT_ERR(fg_store_key_add(s, "t_store", "institution", "", key, id, &err), FG_EINVAL);
    ASSERT_ERR(fg_store_key_add(s, "t_store", "admin", "H11010100001", key, id, &err), FG_EINVAL);
    ASSERT_ERR(fg_store_key_add(s, "t_store", "boss", "", key, id, &err), FG_EINVAL);
    char admin[FG_STORE_KEY_LEN + 1], aid[48];
    ASSERT_OK(fg_store_key_add(s, "t_store", "admin", "", admin, aid, &err));
    ASSERT_OK(fg_store_key_revoke(s, "t_store", aid, &err));
    ASSERT_ERR(fg_store_key_find(s, admin, &p, &err), FG_ENOTFOUND);
    ASSERT_ERR(fg_store_key_revoke(s, "t_store", aid, &err), FG_ENOTFOUND);
    fg_buf_t b;
    fg_buf_init(&b, 1 << 20);
    ASSERT_OK(fg_store_key_list(s, key_line, &b, &err));
    ASSERT(strstr(b.data, "\"revoked\":1") != NULL);
    ASSERT(strstr(b.data, "hash") == NULL);
    fg_buf_release(&b);
    fg_store_close(s);
}

TEST(store_users)
{
    fg_error_t err;
    fg_store_t *s = open_store();
    ASSERT_OK(fg_store_user_add(s, "t_store", "wang", "reviewer", "correct horse", &err));
    ASSERT_ERR(fg_store_user_add(s, "t_store", "wang", "leader", "correct horse", &err), FG_EEXIST);
    ASSERT_ERR(fg_store_user_add(s, "t_store", "li", "institution", "correct horse", &err),
               FG_EINVAL);
    ASSERT_ERR(fg_store_user_add(s, "t_store", "li", "leader", "short", &err), FG_EINVAL);
    fg_principal_t p;
    ASSERT_OK(fg_store_user_check(s, "wang", "correct horse", &p, &err));
    ASSERT_STR_EQ(p.role, "reviewer");
    ASSERT_ERR(fg_store_user_check(s, "wang", "wrong horse", &p, &err), FG_E_AUTH);
    ASSERT_ERR(fg_store_user_check(s, "nobody", "correct horse", &p, &err), FG_E_AUTH);
    ASSERT_OK(fg_store_user_passwd(s, "t_store", "wang", "battery staple", &err));
    ASSERT_OK(fg_store_user_check(s, "wang", "battery staple", &p, &err));
    ASSERT_ERR(fg_store_user_passwd(s, "t_store", "nobody", "battery staple", &err), FG_ENOTFOUND);
    fg_store_close(s);
}

/* An unknown name runs the same argon2id verification as a wrong password, and gets the same
 * error: the answer and its cost do not tell whether the officer exists. */
TEST(store_user_check_costs_the_same_for_unknown_names)
{
    fg_error_t err, known, unknown;
    fg_store_t *s = open_store();
    ASSERT_OK(fg_store_user_add(s, "t_store", "wang", "reviewer", "correct horse", &err));
    fg_principal_t p;
    uint64_t n0 = fg_store_password_checks(s);
    ASSERT_ERR(fg_store_user_check(s, "wang", "wrong horse", &p, &known), FG_E_AUTH);
    ASSERT_EQ(fg_store_password_checks(s), n0 + 1);
    ASSERT_ERR(fg_store_user_check(s, "nobody", "wrong horse", &p, &unknown), FG_E_AUTH);
    ASSERT_EQ(fg_store_password_checks(s), n0 + 2);
    ASSERT_STR_EQ(known.msg, unknown.msg);
    ASSERT_STR_EQ(known.where, unknown.where);
    ASSERT_OK(fg_store_user_check(s, "wang", "correct horse", &p, &err));
    ASSERT_EQ(fg_store_password_checks(s), n0 + 3);
    /* The stand-in hash has the parameters of the real ones. */
    ASSERT_EQ(
        crypto_pwhash_str_needs_rehash(fg__store_dummy_pwhash, FG__STORE_PW_OPS, FG__STORE_PW_MEM),
        0);
    fg_store_close(s);
}

/* A key is found by the digest of the whole key: a wrong secret after a real key's id and a key
 * nobody made take the same path to the same error. */
TEST(store_key_wrong_secret_is_an_unknown_key)
{
    fg_error_t err, wrong, unknown;
    fg_store_t *s = open_store();
    char key[FG_STORE_KEY_LEN + 1], id[48];
    ASSERT_OK(fg_store_key_add(s, "t_store", "admin", NULL, key, id, &err));
    char forged[FG_STORE_KEY_LEN + 1];
    memcpy(forged, key, sizeof(forged));
    forged[FG_STORE_KEY_LEN - 1] = forged[FG_STORE_KEY_LEN - 1] == '0' ? '1' : '0';
    fg_principal_t p;
    ASSERT_ERR(fg_store_key_find(s, forged, &p, &wrong), FG_ENOTFOUND);
    ASSERT_ERR(
        fg_store_key_find(s, "fgk_0000000000000000_00000000000000000000000000000000", &p, &unknown),
        FG_ENOTFOUND);
    ASSERT_STR_EQ(wrong.msg, unknown.msg);
    ASSERT_OK(fg_store_key_find(s, key, &p, &err));
    fg_store_close(s);
}

TEST(store_settlements_idempotent_and_conflict)
{
    fg_error_t err;
    fg_store_t *s = open_store();
    const char *body = "{\"setl_id\":\"S1\"}";
    fg_store_settlement_t st = {.setl_id = "S1",
                                .fixmedins_code = "H11010100001",
                                .psn_no = "P1",
                                .setl_time = FG_TIME_NONE,
                                .init_setl_id = "",
                                .body = body,
                                .body_len = strlen(body),
                                .decision = "{\"decision\":\"pass\"}",
                                .verdict = "pass"};
    ASSERT_EQ(fg_store_settlement_put(s, &st, NULL, &err), 0);
    fg_buf_t prior;
    fg_buf_init(&prior, 1 << 20);
    ASSERT_EQ(fg_store_settlement_put(s, &st, &prior, &err), 1);
    ASSERT_STR_EQ(prior.data, "{\"decision\":\"pass\"}");
    st.body = "{\"setl_id\":\"S1\",\"x\":1}";
    st.body_len = strlen(st.body);
    ASSERT_ERR(fg_store_settlement_put(s, &st, NULL, &err), FG_E_CONFLICT);
    fg_arena_t arena;
    fg_arena_init(&arena, 0);
    fg_store_settlement_t got;
    fg_buf_t b;
    fg_buf_init(&b, 1 << 20);
    ASSERT_OK(fg_store_settlement_get(s, "S1", &arena, &got, &err));
    ASSERT_OK(fg_store_settlement_json(&got, &b));
    ASSERT_STR_EQ(got.fixmedins_code, "H11010100001");
    ASSERT(strstr(b.data, "\"decision\":{\"decision\":\"pass\"}") != NULL);
    ASSERT_STR_EQ(got.decision, "{\"decision\":\"pass\"}");
    ASSERT_EQ(got.refund, 0);
    ASSERT(got.setl_time != FG_TIME_NONE);
    ASSERT_ERR(fg_store_settlement_get(s, "S2", &arena, &got, &err), FG_ENOTFOUND);
    fg_buf_release(&b);
    fg_arena_release(&arena);
    fg_buf_release(&prior);
    fg_store_close(s);
}

TEST(store_alerts_filter_and_page)
{
    fg_error_t err;
    fg_store_t *s = open_store();
    fg_time_t t0;
    ASSERT_OK(fg_time_parse("2025-07-01 08:00:00", 19, &t0, &err));
    for (int i = 0; i < 5; i++) {
        fg_store_alert_t a = {.kind = i % 2 ? "duplicate" : "reflow_purchase",
                              .fixmedins_code = i < 3 ? "H11010100001" : "P11010100002",
                              .code = "81234567890123456789",
                              .setl_id = "",
                              .occurred = t0 + i * 86400,
                              .detail = "{\"n\":1}"};
        ASSERT_OK(fg_store_alert_add(s, FG_STORE_ALERTS, &a, &err));
    }
    ASSERT_EQ(fg_store_alert_count(s, FG_STORE_ALERTS), 5);
    ASSERT_EQ(fg_store_alert_count(s, FG_STORE_FINDINGS), 0);
    fg_buf_t b;
    fg_buf_init(&b, 1 << 20);
    fg_store_filter_t f = {
        .fixmedins_code = "H11010100001", .from = FG_TIME_NONE, .to = FG_TIME_NONE, .limit = 2};
    ASSERT_OK(alert_page(s, &f, &b, &err));
    ASSERT(strstr(b.data, "\"next\":2}") != NULL);
    ASSERT(strstr(b.data, "\"detail\":{\"n\":1}") != NULL);
    fg_buf_reset(&b);
    f.after = 2;
    ASSERT_OK(alert_page(s, &f, &b, &err));
    ASSERT(strstr(b.data, "\"id\":3,") != NULL);
    ASSERT(strstr(b.data, "\"next\":null}") != NULL);
    fg_buf_reset(&b);
    fg_store_filter_t g = {
        .kind = "duplicate", .from = t0 + 86400, .to = t0 + 2 * 86400, .limit = 10};
    ASSERT_OK(alert_page(s, &g, &b, &err));
    ASSERT_STR_EQ(b.data, "{\"items\":[{\"id\":2,\"kind\":\"duplicate\",\"fixmedins_code\":"
                          "\"H11010100001\",\"code\":\"81234567890123456789\",\"setl_id\":\"\","
                          "\"occurred\":\"2025-07-02 08:00:00\",\"detail\":{\"n\":1}}],"
                          "\"next\":null}");
    fg_buf_release(&b);
    fg_store_close(s);
}

TEST(store_reference_rows)
{
    fg_error_t err;
    fg_store_t *s = open_store();
    char before[65];
    fg_store_ref_t r = {.kind = "staff",
                        .code = "D110101000001",
                        .fixmedins_code = "H11010100001",
                        .status = FG_REF_ACTIVE,
                        .body = "{\"status\":\"active\"}"};
    ASSERT_OK(fg_store_ref_put(s, &r, before, &err));
    ASSERT_STR_EQ(before, "");
    r.status = FG_REF_SUSPENDED;
    r.body = "{\"status\":\"suspended\"}";
    ASSERT_OK(fg_store_ref_put(s, &r, before, &err));
    ASSERT_EQ(strlen(before), 64);
    fg_arena_t arena;
    fg_arena_init(&arena, 0);
    fg_store_ref_t got;
    fg_buf_t b;
    fg_buf_init(&b, 1 << 20);
    ASSERT_OK(fg_store_ref_get(s, "staff", "D110101000001", &arena, &got, &err));
    ASSERT_OK(fg_store_ref_json(&got, &b));
    ASSERT(strstr(b.data, "\"status\":\"suspended\"") != NULL);
    ASSERT_EQ(got.status, FG_REF_SUSPENDED);
    ASSERT_STR_EQ(got.fixmedins_code, "H11010100001");
    ASSERT_ERR(fg_store_ref_get(s, "person", "D110101000001", &arena, &got, &err), FG_ENOTFOUND);
    fg_buf_reset(&b);
    ASSERT_OK(ref_page(s, "staff", &b, &err));
    ASSERT(strstr(b.data, "\"next\":null}") != NULL);
    r.kind = "planet";
    ASSERT_ERR(fg_store_ref_put(s, &r, before, &err), FG_EINVAL);
    fg_buf_release(&b);
    fg_arena_release(&arena);
    fg_store_close(s);
}

TEST(store_audit_chain_detects_tampering)
{
    fg_error_t err;
    fg_store_t *s = open_store();
    for (int i = 0; i < 4; i++) {
        char obj[16];
        snprintf(obj, sizeof(obj), "S%d", i);
        fg_audit_entry_t e = {
            .actor = "k_1", .action = "settlement.put", .object = obj, .before = "", .after = "ab"};
        ASSERT_OK(fg_store_audit_append(s, &e, &err));
    }
    fg_audit_report_t rep;
    ASSERT_OK(fg_store_audit_verify(s, &rep, &err));
    ASSERT_UEQ(rep.entries, 4);
    ASSERT_EQ(strlen(rep.head), 64);
    const char *p[] = {"S9"};
    ASSERT_OK(fg_store_exec(s, "UPDATE fg_audit SET object = $1 WHERE seq = 2", 1, p, &err));
    ASSERT_ERR(fg_store_audit_verify(s, &rep, &err), FG_E_AUDIT_CHAIN);
    ASSERT_UEQ(rep.bad_seq, 2);
    const char *q[] = {"S1"};
    ASSERT_OK(fg_store_exec(s, "UPDATE fg_audit SET object = $1 WHERE seq = 2", 1, q, &err));
    ASSERT_OK(fg_store_audit_verify(s, &rep, &err));
    ASSERT_OK(fg_store_exec(s, "DELETE FROM fg_audit WHERE seq = 3", 0, NULL, &err));
    ASSERT_ERR(fg_store_audit_verify(s, &rep, &err), FG_E_AUDIT_CHAIN);
    ASSERT_UEQ(rep.bad_seq, 3);
    fg_buf_t b;
    fg_buf_init(&b, 1 << 20);
    ASSERT_OK(fg_store_audit_list(s, 0, 10, audit_line, &b, &err));
    ASSERT(strstr(b.data, "\"seq\":4,") != NULL);
    fg_buf_release(&b);
    fg_store_close(s);
}

TEST(store_requests_answered_once)
{
    fg_error_t err;
    fg_store_t *s = open_store();
    fg_buf_t b;
    fg_buf_init(&b, 1 << 20);
    ASSERT_ERR(fg_store_request_get(s, "d1", "H11010100001", &b, &err), FG_ENOTFOUND);
    ASSERT_OK(fg_store_request_put(s, "d1", "H11010100001", "{\"a\":1}", &err));
    ASSERT_OK(fg_store_request_get(s, "d1", "H11010100001", &b, &err));
    ASSERT_STR_EQ(b.data, "{\"a\":1}");
    ASSERT_ERR(fg_store_request_get(s, "d1", "H11010100002", &b, &err), FG_ENOTFOUND);
    ASSERT_ERR(fg_store_request_put(s, "d1", "H11010100001", "{}", &err), FG_E_CONFLICT);
    fg_buf_release(&b);
    fg_store_close(s);
}

TEST(store_upgrades_an_older_schema)
{
    if (getenv("FG_TEST_PG_URL") != NULL)
        return;
    fg_error_t err;
    fg_store_t *s = open_store();
    /* Make it a store of schema 1, as an older build left it. */
    ASSERT_OK(fg_store_exec(s, "DROP TABLE fg_request", 0, NULL, &err));
    ASSERT_OK(fg_store_exec(s, "DELETE FROM fg_schema WHERE version > 1", 0, NULL, &err));
    ASSERT_EQ(fg_store_schema_version(s), 1);
    fg_store_close(s);
    ASSERT_OK(fg_store_open(t_tmpdir(), &s, &err));
    ASSERT_EQ(fg_store_schema_version(s), fg_store_schema_latest());
    ASSERT_OK(fg_store_request_put(s, "d", "H11010100001", "{}", &err));
    fg_store_close(s);
}

static int audit_keep(void *ctx, const fg_audit_record_t *r)
{
    fg_buf_t *b = ctx;
    return fg_buf_printf(b, "%s %s %s\n", r->e.actor, r->e.action, r->e.object);
}

/* Every change of a key or an account is audited under the actor that made it. */
TEST(store_actor_of_key_and_user_changes)
{
    fg_error_t err;
    fg_store_t *s = open_store();
    char key[FG_STORE_KEY_LEN + 1], id[48];
    ASSERT_OK(fg_store_key_add(s, "cli:alice", "admin", "", key, id, &err));
    ASSERT_OK(fg_store_key_revoke(s, "cli:bob", id, &err));
    ASSERT_OK(
        fg_store_user_add(s, "k_0123456789abcdef", "wang", "reviewer", "correct horse", &err));
    ASSERT_OK(fg_store_user_passwd(s, "wang", "wang", "battery staple", &err));
    fg_buf_t b;
    fg_buf_init(&b, 1 << 20);
    ASSERT_OK(fg_store_audit_list(s, 0, 10, audit_keep, &b, &err));
    char want[512];
    snprintf(want, sizeof(want),
             "cli:alice key.add %s\ncli:bob key.revoke %s\nk_0123456789abcdef user.add wang\n"
             "wang user.passwd wang\n",
             id, id);
    ASSERT_STR_EQ(b.data, want);
    fg_buf_release(&b);
    fg_store_close(s);
}

/* A row an older build wrote with a suspension's action word reads as the status it names, and
 * migration 3 rewrites the word in place. */
TEST(store_reference_legacy_status_words)
{
    fg_error_t err;
    fg_store_t *s = open_store();
    const char *p[] = {"{\"status\":\"suspend\",\"begin_date\":\"2025-08-01\"}"};
    ASSERT_OK(fg_store_exec(s,
                            "INSERT INTO fg_ref (kind, code, fixmedins_code, status, body, digest, "
                            "updated_at) VALUES ('staff', 'D430102000123', 'H43010200012', "
                            "'suspend', $1, 'x', '2025-08-01 10:00:00')",
                            1, p, &err));
    fg_arena_t arena;
    fg_arena_init(&arena, 0);
    fg_store_ref_t r;
    ASSERT_OK(fg_store_ref_get(s, "staff", "D430102000123", &arena, &r, &err));
    ASSERT_EQ(r.status, FG_REF_SUSPENDED);
    fg_buf_t b;
    fg_buf_init(&b, 1 << 20);
    ASSERT_OK(fg_store_ref_json(&r, &b));
    ASSERT(strstr(b.data, "\"status\":\"suspended\",") != NULL);
    fg_store_feed_t feed;
    ASSERT_OK(fg_store_ref_feed(&r, &feed, &err));
    ASSERT_EQ(feed.kind, FG_STORE_FEED_SUSPENSION);
    ASSERT_STR_EQ(feed.u.suspension.action, "suspend");
    if (getenv("FG_TEST_PG_URL") == NULL) {
        /* a store of schema 2: the migration rewrites the word */
        ASSERT_OK(fg_store_exec(s, "DELETE FROM fg_schema WHERE version > 2", 0, NULL, &err));
        fg_store_close(s);
        ASSERT_OK(fg_store_open(t_tmpdir(), &s, &err));
        ASSERT_OK(fg_store_exec(s, "UPDATE fg_ref SET body = '{}' WHERE status = 'suspended'", 0,
                                NULL, &err));
        ASSERT_OK(fg_store_ref_get(s, "staff", "D430102000123", &arena, &r, &err));
        ASSERT_STR_EQ(r.body, "{}");
    }
    fg_buf_release(&b);
    fg_arena_release(&arena);
    fg_store_close(s);
}

static fg_store_ref_t ref_row(const char *kind, const char *code, fg_ref_status_t status,
                              const char *body)
{
    return (fg_store_ref_t){
        .kind = kind, .code = code, .fixmedins_code = "", .status = status, .body = body};
}

/* What a row says to the review, as the model's records. */
TEST(store_reference_rows_as_records)
{
    fg_error_t err;
    fg_store_feed_t f;
    fg_store_ref_t r = ref_row("person", "P001", FG_REF_DECEASED, "{\"die_date\":\"2025-04-30\"}");
    ASSERT_OK(fg_store_ref_feed(&r, &f, &err));
    ASSERT_EQ(f.kind, FG_STORE_FEED_DEATH);
    ASSERT_STR_EQ(f.u.death.psn_no, "P001");
    ASSERT_STR_EQ(f.u.death.source, "api");
    fg_date_t d;
    ASSERT_OK(fg_date_parse("2025-04-30", 10, &d, &err));
    ASSERT_EQ(f.u.death.die_date, d);
    r = ref_row("institution", "H43010200012", FG_REF_TERMINATED,
                "{\"begin_date\":\"2025-06-01\",\"reason\":\"违规\"}");
    ASSERT_OK(fg_store_ref_feed(&r, &f, &err));
    ASSERT_EQ(f.kind, FG_STORE_FEED_SUSPENSION);
    ASSERT_STR_EQ(f.u.suspension.subject_type, "institution");
    ASSERT_STR_EQ(f.u.suspension.action, "terminate");
    ASSERT_STR_EQ(f.u.suspension.reason, "违规");
    ASSERT_EQ(f.u.suspension.end_date, FG_DATE_NONE);
    r = ref_row("drug", "XA01ABD075A002010100483", FG_REF_LISTED, "{\"pack_units\":24}");
    ASSERT_OK(fg_store_ref_feed(&r, &f, &err));
    ASSERT_EQ(f.kind, FG_STORE_FEED_CATALOGUE);
    ASSERT_EQ(f.u.item.pack_units, 24);
    /* rows that say nothing to the review */
    r = ref_row("staff", "D430102000123", FG_REF_ACTIVE, "{}");
    ASSERT_OK(fg_store_ref_feed(&r, &f, &err));
    ASSERT_EQ(f.kind, FG_STORE_FEED_NONE);
    r = ref_row("drug", "XA01ABD075A002010100483", FG_REF_LISTED, "{}");
    ASSERT_OK(fg_store_ref_feed(&r, &f, &err));
    ASSERT_EQ(f.kind, FG_STORE_FEED_NONE);
    /* a body that no longer reads, a suspension without its first day */
    r = ref_row("person", "P001", FG_REF_DECEASED, "{\"die_date\":\"30/04/2025\"}");
    ASSERT(fg_store_ref_feed(&r, &f, &err) != 0);
    ASSERT(strstr(err.msg, "P001") != NULL);
    r = ref_row("staff", "D430102000123", FG_REF_SUSPENDED, "{}");
    ASSERT_ERR(fg_store_ref_feed(&r, &f, &err), FG_E_REQUIRED);
    r = ref_row("staff", "D430102000123", FG_REF_SUSPENDED, "not json");
    ASSERT_ERR(fg_store_ref_feed(&r, &f, &err), FG_E_STORE);
    /* a status the kind does not take is refused */
    fg_store_t *s = open_store();
    char before[65];
    r = ref_row("staff", "D430102000123", FG_REF_TERMINATED, "{}");
    ASSERT_ERR(fg_store_ref_put(s, &r, before, &err), FG_EINVAL);
    fg_store_close(s);
}
