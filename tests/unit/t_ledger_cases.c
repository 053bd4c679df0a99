/*
 * t_ledger_cases.c — runs every tests/cases/ledger/NAME.case through the embedded ledger.
 *
 * A case file is lines of:
 *   # comment                  (ignored, as are blank lines)
 *   > EVENT                    an event line as `fundguard ledger apply` reads it (JSON)
 *   < OUTCOME                  the outcome line expected for the previous event, exactly
 *   ! reopen                   close the ledger and open it again (recovery must keep the state)
 *   ? CODE sales=N units=N stock=INST|- events=N
 *                              the code's state as fg_ledger_query reports it
 * Adding a case needs no C. When FG_LEDGER_PG_URL is set the same cases also run through the
 * PostgreSQL backend (tests/cli/ledger_pg.sh sets it).
 */
#include "core/compat.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fundguard/buf.h"
#include "fundguard/ledger.h"
#include "t.h"

struct runner {
    fg_ledger_t *lg;
    const char *dir; /* the ledger's address: a directory, or the PostgreSQL URL */
    uint64_t seq;
    fg_buf_t got;
    int failures;
    const char *file;
};

static void open_lg(struct runner *r)
{
    fg_ledger_options_t o;
    fg_error_t err;
    memset(&o, 0, sizeof(o));
    o.fsync = FG_LEDGER_FSYNC_OFF;
    int rc = fg_ledger_open(r->dir, &o, &r->lg, NULL, &err);
    if (rc != 0)
        t_fail(__FILE__, __LINE__, "%s: open: %s", r->file, err.msg);
}

static void apply_line(struct runner *r, const char *line)
{
    fg_ledger_event_t ev;
    fg_ledger_result_t res;
    fg_error_t err;
    fg_error_clear(&err);
    int rc = fg_ledger_event_parse_json(line, strlen(line), &ev, &err);
    memset(&res, 0, sizeof(res));
    if (rc != 0) {
        res.error = err;
    } else {
        rc = fg_ledger_apply(r->lg, &ev, &res, &err);
        if (rc != 0)
            t_fail(__FILE__, __LINE__, "%s: apply: %s", r->file, err.msg);
    }
    fg_buf_reset(&r->got);
    ASSERT_OK(fg_ledger_result_json(&res, ++r->seq, &r->got));
    if (r->got.len > 0)
        r->got.data[--r->got.len] = '\0'; /* the newline */
}

static void check_state(struct runner *r, const char *spec, long lineno)
{
    char code[128];
    char want[256];
    char got[256];
    fg_ledger_code_state_t st;
    fg_error_t err;
    const char *sp = strchr(spec, ' ');
    size_t n = sp != NULL ? (size_t)(sp - spec) : strlen(spec);
    if (n >= sizeof(code))
        t_fail(__FILE__, __LINE__, "%s:%ld: code too long", r->file, lineno);
    memcpy(code, spec, n);
    code[n] = '\0';
    int rc = fg_ledger_query(r->lg, code, &st, NULL, NULL, &err);
    if (rc != 0)
        t_fail(__FILE__, __LINE__, "%s:%ld: query: %s", r->file, lineno, err.msg);
    snprintf(want, sizeof(want), "%s", sp != NULL ? sp + 1 : "");
    snprintf(got, sizeof(got), "sales=%zu units=%u stock=%s events=%llu", st.standing_sales,
             st.units_sold, st.stock[0] ? st.stock : "-", (unsigned long long)st.events);
    if (strcmp(want, got) != 0) {
        fprintf(stderr, "  %s:%ld: state of %s\n    want: %s\n    got:  %s\n", r->file, lineno,
                code, want, got);
        r->failures++;
    }
}

static void run_case(const char *path, const char *name, const char *pg_url)
{
    struct runner r;
    char dir[1024];
    size_t len;
    char *text = t_read_file(path, &len);
    long lineno = 0;
    int pending = 0;

    memset(&r, 0, sizeof(r));
    r.file = name;
    fg_buf_init(&r.got, 1u << 20);
    snprintf(dir, sizeof(dir), "%s/%s", t_tmpdir(), name);
    r.dir = pg_url != NULL ? pg_url : dir;
    open_lg(&r);
    if (pg_url != NULL) {
        fg_error_t err;
        if (fg_ledger_reset(r.lg, &err) != 0)
            t_fail(__FILE__, __LINE__, "%s: pg: %s", name, err.msg);
    }
    for (char *line = text; line != NULL && *line != '\0';) {
        char *nl = strchr(line, '\n');
        if (nl != NULL)
            *nl = '\0';
        lineno++;
        if (line[0] == '>' && line[1] == ' ') {
            if (pending) {
                fprintf(stderr, "  %s:%ld: no '<' line for the previous event; got\n    %s\n", name,
                        lineno, r.got.data);
                r.failures++;
            }
            apply_line(&r, line + 2);
            pending = 1;
        } else if (line[0] == '<' && line[1] == ' ') {
            if (!pending || strcmp(r.got.data, line + 2) != 0) {
                fprintf(stderr, "  %s:%ld:\n    want: %s\n    got:  %s\n", name, lineno, line + 2,
                        pending ? r.got.data : "(no event)");
                r.failures++;
            }
            pending = 0;
        } else if (strcmp(line, "! reopen") == 0) {
            ASSERT_OK(fg_ledger_close(r.lg, NULL));
            open_lg(&r);
        } else if (line[0] == '?' && line[1] == ' ') {
            check_state(&r, line + 2, lineno);
        } else if (line[0] != '#' && line[0] != '\0') {
            t_fail(__FILE__, __LINE__, "%s:%ld: unknown line '%s'", name, lineno, line);
        }
        line = nl != NULL ? nl + 1 : NULL;
    }
    if (pending) {
        fprintf(stderr, "  %s: the last event has no '<' line; got\n    %s\n", name, r.got.data);
        r.failures++;
    }
    ASSERT_OK(fg_ledger_close(r.lg, NULL));
    fg_buf_release(&r.got);
    free(text);
    if (r.failures > 0)
        t_fail(__FILE__, __LINE__, "%s: %d mismatches", name, r.failures);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static void run_all(const char *pg_url)
{
    struct dirent **list;
    const char *dir = t_path("tests/cases/ledger");
    int n = scandir(dir, &list, NULL, by_name);
    int ran = 0;
    ASSERT_GT(n, 0);
    for (int i = 0; i < n; i++) {
        const char *name = list[i]->d_name;
        size_t len = strlen(name);
        if (len > 5 && strcmp(name + len - 5, ".case") == 0) {
            char path[2048];
            snprintf(path, sizeof(path), "%s/%s", dir, name);
            run_case(path, name, pg_url);
            ran++;
        }
        free(list[i]);
    }
    free(list);
    ASSERT_GT(ran, 10);
}

TEST(ledger_cases_embedded)
{
    run_all(NULL);
}

TEST(ledger_cases_postgresql)
{
    const char *url = getenv("FG_LEDGER_PG_URL");
    if (url == NULL || url[0] == '\0') {
        fprintf(stderr,
                "  (FG_LEDGER_PG_URL not set: the PostgreSQL run is in tests/cli/ledger_pg.sh)\n");
        return;
    }
    run_all(url);
}
