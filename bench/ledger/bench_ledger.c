/*
 * bench_ledger.c — the traceability ledger against the usual ways of finding a repeated code.
 *
 *   bench_ledger embedded --data DIR [--no-size-hint] FILE.csv   the embedded ledger, policy
 *                                                   batch, its index sized for the file's rows
 *   bench_ledger pg --db URL [--batch N] FILE.csv   the PostgreSQL backend (fg_ledger_open on a
 * PostgreSQL URL) bench_ledger pg-upsert --db URL --mode per-event|pipelined FILE.csv bench_ledger
 * sqlite --file DB FILE.csv          SQLite, WAL, upsert (libsqlite3 via dlopen) bench_ledger
 * restart --data DIR --codes N       N distinct codes, then time a reopen
 *
 * Every engine reads the same CSV file (`fundguard ledger synth --csv`), parses each row with the
 * ledger's CSV parser, and answers per event whether the code was sold before; one JSON line of
 * results goes to stdout. The peers keep one row per code: INSERT … ON CONFLICT (code) DO UPDATE
 * SET n = n + 1 RETURNING n, a repeat when n > 1.
 */
#include "core/compat.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fundguard/alloc.h"
#include "fundguard/ledger.h"

#define BATCH 4096
/* The embedded ledger's batches: the parsed events and their results of one batch stay in the
 * L2 cache between parsing and applying (4096 events, ~2.6 MB, did not). */
#define EMB_BATCH 256

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* The CSV file, mapped (the kernel maps 16 pages a fault and copies nothing; read(2) into a buffer
 * cost ~8% of the run in copying); rows handed out in batches of parsed events. */
struct input {
    int fd;
    char *buf;  /* the mapping */
    size_t map; /* its length */
    size_t len; /* bytes in buf */
    size_t pos; /* next row */
    fg_ledger_csv_t csv;
    uint64_t rows;
    uint64_t invalid;
};

/* The next row (without its newline), or NULL at the end. */
static const char *input_row(struct input *in, size_t *len)
{
    if (in->pos >= in->len)
        return NULL;
    const char *s = in->buf + in->pos;
    const char *nl = memchr(s, '\n', in->len - in->pos);
    *len = nl != NULL ? (size_t)(nl - s) : in->len - in->pos;
    in->pos += *len + (nl != NULL);
    return s;
}

static int input_open(struct input *in, const char *path)
{
    memset(in, 0, sizeof(*in));
    in->fd = open(path, O_RDONLY);
    struct stat st;
    if (in->fd >= 0 && fstat(in->fd, &st) == 0 && st.st_size > 0) {
        void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, in->fd, 0);
        if (m != MAP_FAILED) {
            madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
            in->buf = m;
            in->map = in->len = (size_t)st.st_size;
        }
    }
    size_t len;
    const char *h = in->buf != NULL ? input_row(in, &len) : NULL;
    fg_error_t err;
    if (h == NULL || fg_ledger_csv_header(&in->csv, h, len, &err) != 0) {
        fprintf(stderr, "bench_ledger: %s: no CSV header\n", path);
        return -1;
    }
    return 0;
}

static void input_close(struct input *in)
{
    if (in->fd >= 0)
        close(in->fd);
    if (in->buf != NULL)
        munmap(in->buf, in->map);
}

/* Up to max valid events (at most `limit` rows in all); returns how many. */
static size_t input_next(struct input *in, fg_ledger_event_t *ev, size_t max, uint64_t limit)
{
    size_t k = 0;
    size_t len;
    const char *s;
    while (k < max && in->rows < limit && (s = input_row(in, &len)) != NULL) {
        in->rows++;
        fg_error_t err;
        if (fg_ledger_event_parse_csv(&in->csv, s, len, &ev[k], &err) == 0)
            k++;
        else
            in->invalid++;
    }
    return k;
}

static void report(const char *engine, const char *extra, uint64_t events, uint64_t repeats,
                   double secs, double cpus)
{
    printf("{\"engine\":\"%s\",\"events\":%llu,\"repeats\":%llu,\"seconds\":%.3f,"
           "\"cpu_seconds\":%.3f,\"events_per_s\":%.0f,\"peak_rss_kb\":%ld%s%s}\n",
           engine, (unsigned long long)events, (unsigned long long)repeats, secs, cpus,
           secs > 0 ? (double)events / secs : 0.0, peak_rss_kb(), extra[0] ? "," : "", extra);
}

static int is_repeat(const fg_ledger_result_t *r)
{
    return r->outcome == FG_LEDGER_DUPLICATE;
}

/* Feed the file to an engine in batches of `batch` events: fn applies k events and counts the
 * repeats among them; returns 0 or fails the run. */
typedef int (*apply_fn)(void *ctx, fg_ledger_event_t *ev, size_t k, uint64_t *repeats);

struct run {
    uint64_t events;
    uint64_t repeats;
    double seconds;
    double cpu_seconds;
};

static int drive(const char *file, size_t batch, uint64_t limit, apply_fn fn, void *ctx,
                 struct run *out)
{
    struct input in;
    memset(out, 0, sizeof(*out));
    if (input_open(&in, file) != 0)
        return 1;
    fg_ledger_event_t *ev = fg_calloc(batch, sizeof(*ev));
    int rc = ev == NULL;
    double w0 = wall();
    double c0 = cpu();
    while (rc == 0) {
        size_t k = input_next(&in, ev, batch, limit);
        if (k == 0)
            break;
        rc = fn(ctx, ev, k, &out->repeats);
        out->events += k;
    }
    out->seconds = wall() - w0;
    out->cpu_seconds = cpu() - c0;
    input_close(&in);
    fg_free(ev);
    return rc;
}

static void report_run(const char *engine, const char *extra, const struct run *r)
{
    report(engine, extra, r->events, r->repeats, r->seconds, r->cpu_seconds);
}

/* ---- embedded ---- */

struct emb {
    fg_ledger_t *lg;
    fg_ledger_result_t res[EMB_BATCH];
};

static int emb_apply(void *ctx, fg_ledger_event_t *ev, size_t k, uint64_t *repeats)
{
    struct emb *e = ctx;
    fg_error_t err;
    if (fg_ledger_apply_batch(e->lg, ev, k, e->res, &err) != 0) {
        fprintf(stderr, "bench_ledger: %s\n", err.msg);
        return 1;
    }
    for (size_t i = 0; i < k; i++)
        *repeats += (uint64_t)is_repeat(&e->res[i]);
    return fg_ledger_poll(e->lg, &err) != 0;
}

/* About how many rows the file holds: its size over the mean length of the rows in its first
 * 64 KiB (0 when unknown). */
static uint64_t estimate_rows(const char *file)
{
    char buf[65536];
    struct stat st;
    int fd = open(file, O_RDONLY);
    if (fd < 0)
        return 0;
    ssize_t n = fstat(fd, &st) == 0 ? pread(fd, buf, sizeof(buf), 0) : -1;
    close(fd);
    uint64_t nl = 0;
    for (ssize_t i = 0; i < n; i++)
        nl += buf[i] == '\n';
    return nl > 0 ? (uint64_t)st.st_size * nl / (uint64_t)n : 0;
}

/* hint: size the index up front for the file's rows (fg_ledger_options_t.expect_codes, what a
 * deployment sets from its expected codes) instead of growing it. */
static int run_embedded(const char *dir, const char *file, uint64_t limit, int hint)
{
    fg_ledger_options_t opt;
    memset(&opt, 0, sizeof(opt));
    opt.fsync = FG_LEDGER_FSYNC_BATCH;
    if (hint) {
        uint64_t rows = estimate_rows(file);
        opt.expect_codes = rows < limit ? rows : limit;
    }
    uint64_t expect = opt.expect_codes;
    fg_error_t err;
    struct emb *e = fg_calloc(1, sizeof(*e));
    struct run r;
    double t0 = wall();
    if (e == NULL || fg_ledger_open(dir, &opt, &e->lg, NULL, &err) != 0) {
        fprintf(stderr, "bench_ledger: open %s failed\n", dir);
        return 1;
    }
    double open_s = wall() - t0;
    if (drive(file, EMB_BATCH, limit, emb_apply, e, &r) != 0)
        return 1;
    /* End to end: every event durable. */
    t0 = wall();
    if (fg_ledger_sync(e->lg, &err) != 0)
        return 1;
    r.seconds += open_s + (wall() - t0);
    fg_ledger_stats_t st;
    fg_ledger_stats(e->lg, &st);
    t0 = wall();
    fg_ledger_close(e->lg, &err);
    double close_s = wall() - t0;
    fg_ledger_recovery_t rec;
    t0 = wall();
    opt.read_only = 1;
    opt.expect_codes = 0;
    if (fg_ledger_open(dir, &opt, &e->lg, &rec, &err) != 0)
        return 1;
    double reopen_s = wall() - t0;
    fg_ledger_close(e->lg, &err);
    char extra[512];
    snprintf(extra, sizeof(extra),
             "\"policy\":\"batch\",\"expect_codes\":%llu,\"codes\":%llu,\"index_bytes\":%llu,"
             "\"bytes_per_code\":%.1f,\"journal_bytes\":%llu,\"close_snapshot_s\":%.3f,"
             "\"reopen_s\":%.3f",
             (unsigned long long)expect, (unsigned long long)st.codes,
             (unsigned long long)st.index_bytes,
             st.codes ? (double)st.index_bytes / (double)st.codes : 0.0,
             (unsigned long long)st.journal_bytes, close_s, reopen_s);
    report_run(hint ? "fundguard-embedded" : "fundguard-embedded-no-size-hint", extra, &r);
    fg_free(e);
    return 0;
}

/* ---- the PostgreSQL backend ---- */

struct pgb {
    fg_ledger_t *pg;
    fg_ledger_result_t *res;
};

static int pgb_apply(void *ctx, fg_ledger_event_t *ev, size_t k, uint64_t *repeats)
{
    struct pgb *b = ctx;
    fg_error_t err;
    if (fg_ledger_apply_batch(b->pg, ev, k, b->res, &err) != 0) {
        fprintf(stderr, "bench_ledger: %s\n", err.msg);
        return 1;
    }
    for (size_t i = 0; i < k; i++)
        *repeats += (uint64_t)is_repeat(&b->res[i]);
    return 0;
}

static int run_pg(const char *url, const char *file, size_t batch, uint64_t limit)
{
    struct pgb b = {NULL, fg_calloc(batch, sizeof(fg_ledger_result_t))};
    fg_error_t err;
    struct run r;
    if (b.res == NULL || fg_ledger_open(url, NULL, &b.pg, NULL, &err) != 0 ||
        fg_ledger_reset(b.pg, &err) != 0) {
        fprintf(stderr, "bench_ledger: %s\n", err.msg);
        return 1;
    }
    int rc = drive(file, batch, limit, pgb_apply, &b, &r);
    char extra[64];
    snprintf(extra, sizeof(extra), "\"batch\":%zu", batch);
    if (rc == 0)
        report_run("fundguard-postgresql", extra, &r);
    fg_ledger_close(b.pg, NULL);
    fg_free(b.res);
    return rc;
}

/* ---- PostgreSQL upsert, one statement per event ---- */

static const char UPSERT_PG[] = "INSERT INTO bench_code (code) VALUES ($1) ON CONFLICT (code) DO "
                                "UPDATE SET n = bench_code.n + 1 RETURNING n";

static int exec_ok(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        fprintf(stderr, "bench_ledger: %s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    return ok ? 0 : -1;
}

static int upsert_one(void *ctx, fg_ledger_event_t *ev, size_t k, uint64_t *repeats)
{
    PGconn *c = ctx;
    /* Autocommit: each event is its own transaction and round trip. */
    for (size_t i = 0; i < k; i++) {
        const char *p[1] = {ev[i].code};
        PGresult *r = PQexecPrepared(c, "up", 1, p, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            fprintf(stderr, "bench_ledger: %s", PQerrorMessage(c));
            PQclear(r);
            return 1;
        }
        *repeats += (uint64_t)(strtol(PQgetvalue(r, 0, 0), NULL, 10) > 1);
        PQclear(r);
    }
    return 0;
}

static int upsert_pipelined(void *ctx, fg_ledger_event_t *ev, size_t k, uint64_t *repeats)
{
    PGconn *c = ctx;
    int rc = 0;
    /* One pipeline per batch: BEGIN, k upserts, COMMIT, one sync. */
    PQenterPipelineMode(c);
    PQsendQueryParams(c, "BEGIN", 0, NULL, NULL, NULL, NULL, 0);
    for (size_t i = 0; i < k; i++) {
        const char *p[1] = {ev[i].code};
        PQsendQueryPrepared(c, "up", 1, p, NULL, NULL, 0);
    }
    PQsendQueryParams(c, "COMMIT", 0, NULL, NULL, NULL, NULL, 0);
    PQpipelineSync(c);
    for (;;) {
        PGresult *r = PQgetResult(c);
        if (r == NULL) {
            if (PQstatus(c) == CONNECTION_BAD)
                return 1;
            continue;
        }
        ExecStatusType s = PQresultStatus(r);
        if (s == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            break;
        }
        if (s == PGRES_TUPLES_OK) {
            *repeats += (uint64_t)(strtol(PQgetvalue(r, 0, 0), NULL, 10) > 1);
        } else if (s != PGRES_COMMAND_OK && rc == 0) {
            fprintf(stderr, "bench_ledger: %s", PQresultErrorMessage(r));
            rc = 1;
        }
        PQclear(r);
    }
    PQexitPipelineMode(c);
    return rc;
}

static int run_pg_upsert(const char *url, const char *file, int pipelined, uint64_t limit)
{
    PGconn *c = PQconnectdb(url);
    struct run r;
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "bench_ledger: %s", PQerrorMessage(c));
        return 1;
    }
    if (exec_ok(c, "SET client_min_messages = warning") != 0 ||
        exec_ok(c, "DROP TABLE IF EXISTS bench_code") != 0 ||
        exec_ok(c,
                "CREATE TABLE bench_code (code text PRIMARY KEY, n integer NOT NULL DEFAULT 1)") !=
            0)
        return 1;
    PQclear(PQprepare(c, "up", UPSERT_PG, 1, NULL));
    int rc = drive(file, BATCH, limit, pipelined ? upsert_pipelined : upsert_one, c, &r);
    if (rc == 0)
        report_run(pipelined ? "postgresql-upsert-pipelined" : "postgresql-upsert-per-event",
                   pipelined ? "\"batch\":4096" : "\"batch\":1", &r);
    PQfinish(c);
    return rc;
}

/* ---- SQLite (WAL, upsert), loaded at run time so the build needs no SQLite ---- */

struct sq {
    int (*open)(const char *, void **);
    int (*exec)(void *, const char *, void *, void *, char **);
    int (*prepare)(void *, const char *, int, void **, const char **);
    int (*bind_text)(void *, int, const char *, int, void *);
    int (*step)(void *);
    int (*column_int)(void *, int);
    int (*reset)(void *);
    int (*finalize)(void *);
    int (*close)(void *);
};

#define SQ_ROW 100

struct sqrun {
    struct sq s;
    void *db;
    void *st;
};

static int sq_apply(void *ctx, fg_ledger_event_t *ev, size_t k, uint64_t *repeats)
{
    struct sqrun *q = ctx;
    /* One transaction per batch of 4096 events: SQLite's group commit. */
    q->s.exec(q->db, "BEGIN", NULL, NULL, NULL);
    for (size_t i = 0; i < k; i++) {
        q->s.bind_text(q->st, 1, ev[i].code, -1, NULL);
        if (q->s.step(q->st) == SQ_ROW)
            *repeats += (uint64_t)(q->s.column_int(q->st, 0) > 1);
        q->s.reset(q->st);
    }
    if (q->s.exec(q->db, "COMMIT", NULL, NULL, NULL) != 0) {
        fprintf(stderr, "bench_ledger: sqlite commit failed\n");
        return 1;
    }
    return 0;
}

static int run_sqlite(const char *path, const char *file, uint64_t limit)
{
    void *lib = dlopen("libsqlite3.so.0", RTLD_NOW);
    if (lib == NULL) {
        printf("{\"engine\":\"sqlite-wal-upsert\",\"skipped\":\"libsqlite3.so.0 not found\"}\n");
        return 0;
    }
    struct sqrun q;
    struct sq *s = &q.s;
    struct run r;
    *(void **)&s->open = dlsym(lib, "sqlite3_open");
    *(void **)&s->exec = dlsym(lib, "sqlite3_exec");
    *(void **)&s->prepare = dlsym(lib, "sqlite3_prepare_v2");
    *(void **)&s->bind_text = dlsym(lib, "sqlite3_bind_text");
    *(void **)&s->step = dlsym(lib, "sqlite3_step");
    *(void **)&s->column_int = dlsym(lib, "sqlite3_column_int");
    *(void **)&s->reset = dlsym(lib, "sqlite3_reset");
    *(void **)&s->finalize = dlsym(lib, "sqlite3_finalize");
    *(void **)&s->close = dlsym(lib, "sqlite3_close");
    q.db = NULL;
    q.st = NULL;
    unlink(path);
    if (s->open(path, &q.db) != 0 ||
        s->exec(q.db,
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                "CREATE TABLE bench_code (code TEXT PRIMARY KEY, n INTEGER NOT NULL DEFAULT 1)"
                " WITHOUT ROWID;",
                NULL, NULL, NULL) != 0 ||
        s->prepare(q.db,
                   "INSERT INTO bench_code (code) VALUES (?1) ON CONFLICT (code) DO UPDATE SET "
                   "n = n + 1 RETURNING n",
                   -1, &q.st, NULL) != 0) {
        fprintf(stderr, "bench_ledger: sqlite setup failed\n");
        return 1;
    }
    int rc = drive(file, BATCH, limit, sq_apply, &q, &r);
    if (rc == 0)
        report_run("sqlite-wal-upsert", "\"batch\":4096,\"synchronous\":\"NORMAL\"", &r);
    s->finalize(q.st);
    s->close(q.db);
    return rc;
}

/* ---- restart time with many codes ---- */

static int run_restart(const char *dir, uint64_t codes)
{
    fg_ledger_options_t opt;
    memset(&opt, 0, sizeof(opt));
    opt.fsync = FG_LEDGER_FSYNC_OFF;
    opt.expect_codes = codes;
    opt.snapshot_bytes = UINT64_MAX;
    fg_ledger_t *lg = NULL;
    fg_error_t err;
    if (fg_ledger_open(dir, &opt, &lg, NULL, &err) != 0) {
        fprintf(stderr, "bench_ledger: %s\n", err.msg);
        return 1;
    }
    fg_ledger_event_t *ev = fg_calloc(BATCH, sizeof(*ev));
    fg_ledger_result_t *res = fg_calloc(BATCH, sizeof(*res));
    if (ev == NULL || res == NULL)
        return 1;
    double w0 = wall();
    for (uint64_t i = 0; i < codes;) {
        size_t k = 0;
        for (; k < BATCH && i < codes; k++, i++) {
            fg_ledger_event_t *e = &ev[k];
            memset(e, 0, sizeof(*e));
            e->type = FG_LEDGER_SALE;
            uint64_t x = (i * 0x9E3779B97F4A7C15ull) % 1000000000000000000ull;
            snprintf(e->code, sizeof(e->code), "8%01u%018llu", (unsigned)(i % 10),
                     (unsigned long long)x);
            snprintf(e->inst, sizeof(e->inst), "H%011llu", 11010000000ull + i % 500);
            e->time = 1751328000 + (fg_time_t)(i / 1000);
            e->pack_units = 10;
            snprintf(e->setl_id, sizeof(e->setl_id), "S%llu", (unsigned long long)i);
            if (fg_ledger_event_check(e, &err) != 0) {
                fprintf(stderr, "bench_ledger: %s\n", err.msg);
                return 1;
            }
        }
        if (fg_ledger_apply_batch(lg, ev, k, res, &err) != 0) {
            fprintf(stderr, "bench_ledger: %s\n", err.msg);
            return 1;
        }
    }
    double fill_s = wall() - w0;
    fg_ledger_stats_t st;
    fg_ledger_stats(lg, &st);
    w0 = wall();
    if (fg_ledger_close(lg, &err) != 0)
        return 1;
    double close_s = wall() - w0;
    fg_ledger_recovery_t rec;
    w0 = wall();
    if (fg_ledger_open(dir, NULL, &lg, &rec, &err) != 0) {
        fprintf(stderr, "bench_ledger: reopen: %s\n", err.msg);
        return 1;
    }
    double open_s = wall() - w0;
    fg_ledger_stats_t st2;
    fg_ledger_stats(lg, &st2);
    fg_ledger_close(lg, &err);
    printf("{\"engine\":\"fundguard-restart\",\"codes\":%llu,\"fill_s\":%.3f,"
           "\"snapshot_close_s\":%.3f,\"restart_s\":%.3f,\"replayed\":%llu,"
           "\"index_bytes\":%llu,\"bytes_per_code\":%.1f,\"journal_bytes\":%llu,"
           "\"peak_rss_kb\":%ld}\n",
           (unsigned long long)st2.codes, fill_s, close_s, open_s, (unsigned long long)rec.replayed,
           (unsigned long long)st.index_bytes,
           st.codes ? (double)st.index_bytes / (double)st.codes : 0.0,
           (unsigned long long)st.journal_bytes, peak_rss_kb());
    fg_free(ev);
    fg_free(res);
    return 0;
}

int main(int argc, char **argv)
{
    const char *data = NULL;
    const char *db = NULL;
    const char *mode = "per-event";
    const char *file = NULL;
    const char *sqlite = NULL;
    size_t batch = 10000;
    uint64_t codes = 1000000;
    uint64_t limit = UINT64_MAX;
    int hint = 1;
    if (argc < 2) {
        fprintf(stderr, "usage: bench_ledger embedded|pg|pg-upsert|sqlite|restart [options] "
                        "[FILE.csv]\n");
        return 2;
    }
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--data") == 0 && v != NULL)
            data = argv[++i];
        else if (strcmp(a, "--db") == 0 && v != NULL)
            db = argv[++i];
        else if (strcmp(a, "--mode") == 0 && v != NULL)
            mode = argv[++i];
        else if (strcmp(a, "--file") == 0 && v != NULL)
            sqlite = argv[++i];
        else if (strcmp(a, "--batch") == 0 && v != NULL)
            batch = strtoul(argv[++i], NULL, 10);
        else if (strcmp(a, "--codes") == 0 && v != NULL)
            codes = strtoull(argv[++i], NULL, 10);
        else if (strcmp(a, "--no-size-hint") == 0)
            hint = 0;
        else if (strcmp(a, "--limit") == 0 && v != NULL)
            limit = strtoull(argv[++i], NULL, 10);
        else
            file = a;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "embedded") == 0 && data != NULL && file != NULL)
        return run_embedded(data, file, limit, hint);
    if (strcmp(cmd, "pg") == 0 && db != NULL && file != NULL && batch > 0)
        return run_pg(db, file, batch, limit);
    if (strcmp(cmd, "pg-upsert") == 0 && db != NULL && file != NULL)
        return run_pg_upsert(db, file, strcmp(mode, "pipelined") == 0, limit);
    if (strcmp(cmd, "sqlite") == 0 && sqlite != NULL && file != NULL)
        return run_sqlite(sqlite, file, limit);
    if (strcmp(cmd, "restart") == 0 && data != NULL)
        return run_restart(data, codes);
    fprintf(stderr, "bench_ledger: bad arguments\n");
    return 2;
}
