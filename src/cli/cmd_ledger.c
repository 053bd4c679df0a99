/*
 * cmd_ledger.c — `fundguard ledger`: apply events to the traceability ledger, query a code, stats,
 * verify the files, dump the journal (docs/ledger.md).
 *
 * apply prints one outcome line per event on stdout, and only once the event is acknowledged
 * (durable under the fsync policy), so a line on stdout is a promise the ledger keeps across a
 * crash. A summary goes to stderr; a progress bar too when stderr is a terminal.
 */
#include "core/compat.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "fundguard/alloc.h"
#include "fundguard/buf.h"
#include "fundguard/csv.h"
#include "fundguard/ledger.h"

#define LINE_MAX_BYTES (64u << 10)
#define READ_BYTES     (1u << 20)
struct opts {
    const char *data;   /* --data DIR (or FG_LEDGER_DATA) */
    const char *ledger; /* --ledger URL (or its alias --db): wins over data */
    int json;
    int quiet;
    int db_reset;
    fg_ledger_options_t lo;
};

static void help(FILE *out)
{
    fprintf(
        out,
        "usage: fundguard ledger apply --ledger URL [--fsync always|batch|off] [--batch-ms N]\n"
        "                              [--db-reset] [--quiet] FILE…\n"
        "       fundguard ledger query --ledger URL [--json] CODE…\n"
        "       fundguard ledger stats --ledger URL [--json]\n"
        "       fundguard ledger verify --ledger URL\n"
        "       fundguard ledger dump --ledger URL\n"
        "       fundguard ledger truth --ledger URL GENERATED_DIR\n"
        "       fundguard ledger synth [--events N] [--mix] [--csv] …\n\n"
        "The drug traceability ledger (SPEC §3): a trace code may be sold once.\n"
        "URL is a directory (the embedded ledger; --data DIR says the same) or postgresql://…\n"
        "or a libpq conninfo (the PostgreSQL ledger; --db URL says the same).\n"
        "apply reads events, one JSON object a line or CSV with the field names as header\n"
        "(FILE ending in .csv, or a first line not starting with '{'; '-' is standard input),\n"
        "and prints one outcome line per event once it is durable. Exit 1 when any alert\n"
        "(duplicate, reflow_purchase), 3 when only invalid events, 0 otherwise.\n"
        "query prints a code's history and how many sales stand (\"1\" or \"2 or more\").\n"
        "verify checks every journal record and the snapshot and prints the offset of damage.\n"
        "truth applies a generated region's ledger_events.jsonl (fundguard gen) and prints, per\n"
        "trace scenario of its truth.csv, how many injected cases the ledger's alerts found.\n");
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * apply
 * ------------------------------------------------------------------------------------------- */

struct apply {
    struct opts *o;
    fg_ledger_t *lg;
    fg_buf_t out;          /* outcome lines not yet acknowledged */
    uint64_t out_lsn;      /* highest lsn among them */
    size_t mark_end[64];   /* per batch in `out`: where its lines end … */
    uint64_t mark_lsn[64]; /* … and the highest lsn among them */
    int nmarks;
    uint64_t seq;
    uint64_t alerts;
    uint64_t invalid;
    uint64_t per[FG_LEDGER__OUTCOMES];
    int csv_known;
    int is_csv;
    fg_ledger_csv_t csv;
    /* batching */
    fg_ledger_event_t *evs;
    fg_ledger_result_t *res;
    int *valid;              /* per pending line: index into evs, or -1 */
    fg_ledger_result_t *inv; /* invalid results per pending line */
    size_t npend;
    size_t nev;
    size_t batch;  /* events per batch */
    int streaming; /* input is a pipe or terminal: apply what has arrived before blocking */
};

static void count(struct apply *a, const fg_ledger_result_t *r)
{
    a->per[r->outcome]++;
    if (fg_ledger_is_alert(r->outcome))
        a->alerts++;
    if (r->outcome == FG_LEDGER_INVALID)
        a->invalid++;
}

/* Write the outcome lines that are acknowledged (all of them with force). */
static int flush_out(struct apply *a, int force)
{
    size_t upto = 0;
    int k = 0;
    if (a->out.len == 0)
        return 0;
    if (force || fg_ledger_durable_lsn(a->lg) >= a->out_lsn) {
        upto = a->out.len;
        k = a->nmarks;
    } else {
        uint64_t durable = fg_ledger_durable_lsn(a->lg);
        while (k < a->nmarks && a->mark_lsn[k] <= durable)
            upto = a->mark_end[k++];
    }
    if (upto == 0)
        return 0;
    if (write_all(STDOUT_FILENO, a->out.data, upto) != 0)
        return -1;
    memmove(a->out.data, a->out.data + upto, a->out.len - upto);
    a->out.len -= upto;
    a->out.data[a->out.len] = '\0';
    for (int i = k; i < a->nmarks; i++) {
        a->mark_end[i - k] = a->mark_end[i] - upto;
        a->mark_lsn[i - k] = a->mark_lsn[i];
    }
    a->nmarks -= k;
    return 0;
}

/* Note where the lines of the batch just queued end (merging the oldest marks when full). */
static void mark(struct apply *a)
{
    if (a->nmarks == 64) {
        for (int i = 1; i < 64; i++) {
            a->mark_end[i - 1] = a->mark_end[i];
            a->mark_lsn[i - 1] = a->mark_lsn[i];
        }
        a->nmarks--;
    }
    a->mark_end[a->nmarks] = a->out.len;
    a->mark_lsn[a->nmarks] = a->out_lsn;
    a->nmarks++;
}

static int parse_line(struct apply *a, const char *line, size_t n, fg_ledger_event_t *ev,
                      fg_error_t *err)
{
    if (a->is_csv)
        return fg_ledger_event_parse_csv(&a->csv, line, n, ev, err);
    return fg_ledger_event_parse_json(line, n, ev, err);
}

/* Apply the pending lines' events as one batch and queue their outcome lines. */
static int batch_flush(struct apply *a)
{
    fg_error_t err;
    int rc = 0;
    if (a->npend == 0)
        return 0;
    if (a->nev > 0) {
        rc = fg_ledger_apply_batch(a->lg, a->evs, a->nev, a->res, &err);
        if (rc != 0) {
            fprintf(stderr, "fundguard ledger: %s [%s]\n", err.msg, fg_err_name(rc));
            return -1;
        }
        if (a->res[a->nev - 1].lsn > a->out_lsn)
            a->out_lsn = a->res[a->nev - 1].lsn;
    }
    for (size_t i = 0; i < a->npend; i++) {
        const fg_ledger_result_t *r = a->valid[i] >= 0 ? &a->res[a->valid[i]] : &a->inv[i];
        count(a, r);
        if (fg_ledger_result_json(r, ++a->seq, &a->out) != 0)
            return -1;
    }
    a->npend = 0;
    a->nev = 0;
    mark(a);
    if (fg_ledger_durable_lsn(a->lg) >= a->mark_lsn[0])
        return flush_out(a, 0);
    if (a->out.len >= (8u << 20)) {
        /* Many lines waiting for a slow group commit: commit now. */
        if (fg_ledger_sync(a->lg, &err) != 0) {
            fprintf(stderr, "fundguard ledger: %s [%s]\n", err.msg, fg_err_name(err.code));
            return -1;
        }
        return flush_out(a, 0);
    }
    return 0;
}

static int one_line(struct apply *a, const char *line, size_t n)
{
    fg_error_t err;
    int rc;

    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        n--;
    if (n == 0)
        return 0;
    if (!a->csv_known) {
        a->csv_known = 1;
        if (!a->is_csv)
            a->is_csv = line[0] != '{' && line[0] != ' ' && line[0] != '\t';
        if (a->is_csv) {
            rc = fg_ledger_csv_header(&a->csv, line, n, &err);
            if (rc != 0) {
                fprintf(stderr, "fundguard ledger: CSV header: %s [%s]\n", err.msg,
                        fg_err_name(rc));
                return -2;
            }
            return 0;
        }
    }
    rc = parse_line(a, line, n, &a->evs[a->nev], &err);
    if (rc != 0) {
        memset(&a->inv[a->npend], 0, sizeof(a->inv[0]));
        a->inv[a->npend].error = err;
        a->valid[a->npend] = -1;
    } else {
        a->valid[a->npend] = (int)a->nev++;
    }
    a->npend++;
    return a->npend == a->batch ? batch_flush(a) : 0;
}

/* Wait for input on fd, committing pending events when the group-commit window passes first. */
static int wait_input(struct apply *a, int fd)
{
    for (;;) {
        long due = fg_ledger_commit_due_ms(a->lg);
        if (due < 0)
            return 0;
        struct pollfd p = {fd, POLLIN, 0};
        int n = poll(&p, 1, (int)due);
        if (n != 0)
            return 0;
        fg_error_t err;
        if (fg_ledger_poll(a->lg, &err) != 0) {
            fprintf(stderr, "fundguard ledger: %s [%s]\n", err.msg, fg_err_name(err.code));
            return -1;
        }
        if (flush_out(a, 0) != 0)
            return -1;
    }
}

static int apply_fd(struct apply *a, int fd, const char *name, fg_progress_t *pg)
{
    char *buf = fg_malloc(READ_BYTES + LINE_MAX_BYTES);
    size_t have = 0;
    unsigned long long consumed = 0;
    long lineno = 0;
    int rc = 0;

    if (buf == NULL)
        return -1;
    for (;;) {
        if (a->streaming && batch_flush(a) != 0) {
            rc = -1;
            break;
        }
        if (wait_input(a, fd) != 0) {
            rc = -1;
            break;
        }
        ssize_t r = read(fd, buf + have, READ_BYTES + LINE_MAX_BYTES - have);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            fprintf(stderr, "fundguard ledger: %s: %s\n", name, strerror(errno));
            rc = -2;
            break;
        }
        have += (size_t)r;
        size_t pos = 0;
        for (;;) {
            char *nl = memchr(buf + pos, '\n', have - pos);
            if (nl == NULL)
                break;
            size_t len = (size_t)(nl - (buf + pos)) + 1;
            lineno++;
            rc = one_line(a, buf + pos, len);
            if (rc != 0)
                break;
            pos += len;
        }
        if (rc != 0)
            break;
        consumed += pos;
        memmove(buf, buf + pos, have - pos);
        have -= pos;
        if (pg != NULL)
            fg_progress_update(pg, consumed);
        if (r == 0) {
            if (have > 0)
                rc = one_line(a, buf, have);
            break;
        }
        if (have >= READ_BYTES + LINE_MAX_BYTES) {
            fprintf(stderr, "fundguard ledger: %s:%ld: a line is longer than %u bytes\n", name,
                    lineno + 1, LINE_MAX_BYTES);
            rc = -2;
            break;
        }
    }
    fg_free(buf);
    return rc;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s);
    size_t m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The ledger's address as messages show it: a PostgreSQL URL may carry a password. */
static const char *shown(const char *url)
{
    return fg_ledger_url_is_pg(url) ? "postgresql" : url;
}

/* The ledger the options name, opened; NULL after a message on stderr (*exit_code set). */
static fg_ledger_t *open_ledger(struct opts *o, const char *what, fg_ledger_recovery_t *rec,
                                int *exit_code)
{
    fg_ledger_t *lg = NULL;
    fg_error_t err;
    const char *url = o->ledger != NULL ? o->ledger : o->data;
    if (url == NULL) {
        *exit_code = fg_cli_usage_error("ledger", "%s needs --ledger URL (or --data DIR)", what);
        return NULL;
    }
    int rc = fg_ledger_open(url, &o->lo, &lg, rec, &err);
    if (rc == 0 && o->db_reset)
        rc = fg_ledger_reset(lg, &err);
    if (rc != 0) {
        fprintf(stderr, "fundguard ledger: %s: %s [%s]\n", shown(url), err.msg, fg_err_name(rc));
        fg_ledger_close(lg, NULL);
        *exit_code = rc == FG_E_LEDGER_LOCKED ? FG_EXIT_USAGE : FG_EXIT_INTERNAL;
        return NULL;
    }
    return lg;
}

static int cmd_apply(struct opts *o, int nfiles, char **files)
{
    struct apply a;
    fg_error_t err;
    fg_ledger_recovery_t rec;
    int rc = 0;
    double t0 = now_s();
    unsigned long long total = 0;

    memset(&a, 0, sizeof(a));
    a.o = o;
    fg_buf_init(&a.out, (size_t)1 << 34);
    if (nfiles == 0)
        return fg_cli_usage_error("ledger", "apply needs at least one FILE ('-' for stdin)");
    a.lg = open_ledger(o, "apply", &rec, &rc);
    if (a.lg == NULL)
        return rc;
    if (rec.torn_bytes > 0)
        fprintf(stderr,
                "fundguard ledger: recovery: a torn journal tail of %llu bytes at offset %llu "
                "was truncated (events never acknowledged)\n",
                (unsigned long long)rec.torn_bytes, (unsigned long long)rec.torn_offset);
    a.batch = fg_ledger_batch_size(a.lg);
    a.evs = fg_calloc(a.batch, sizeof(*a.evs));
    a.res = fg_calloc(a.batch, sizeof(*a.res));
    a.inv = fg_calloc(a.batch, sizeof(*a.inv));
    a.valid = fg_calloc(a.batch, sizeof(*a.valid));
    if (a.evs == NULL || a.res == NULL || a.inv == NULL || a.valid == NULL) {
        rc = -1;
        goto out;
    }
    for (int i = 0; i < nfiles; i++) {
        struct stat st;
        if (strcmp(files[i], "-") != 0 && stat(files[i], &st) == 0)
            total += (unsigned long long)st.st_size;
    }
    for (int i = 0; i < nfiles && rc == 0; i++) {
        fg_progress_t pg;
        int fd = STDIN_FILENO;
        if (strcmp(files[i], "-") != 0) {
            fd = open(files[i], O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                fprintf(stderr, "fundguard ledger: %s: %s\n", files[i], strerror(errno));
                rc = -2;
                break;
            }
        }
        struct stat fst;
        a.streaming = fstat(fd, &fst) != 0 || !S_ISREG(fst.st_mode);
        a.csv_known = 0;
        a.is_csv = ends_with(files[i], ".csv");
        fg_progress_init(&pg, "ledger apply", total / (unsigned long long)nfiles);
        if (o->quiet)
            pg.enabled = 0;
        rc = apply_fd(&a, fd, files[i], &pg);
        if (rc == 0)
            rc = batch_flush(&a); /* a CSV header belongs to its file */
        fg_progress_finish(&pg);
        if (fd != STDIN_FILENO)
            close(fd);
    }
    if (rc == 0) {
        if (fg_ledger_sync(a.lg, &err) != 0) {
            fprintf(stderr, "fundguard ledger: %s [%s]\n", err.msg, fg_err_name(err.code));
            rc = -1;
        } else if (flush_out(&a, 0) != 0) {
            rc = -1;
        }
    }
out:
    if (fg_ledger_close(a.lg, &err) != 0 && rc == 0) {
        fprintf(stderr, "fundguard ledger: %s [%s]\n", err.msg, fg_err_name(err.code));
        rc = -1;
    }
    double dt = now_s() - t0;
    uint64_t events = a.seq;
    if (!o->quiet || rc != 0) {
        fprintf(stderr,
                "ledger: %llu events in %.2f s (%.0f/s): %llu alerts (%llu duplicate, %llu "
                "reflow_purchase), %llu first_sale, %llu split_sale, %llu return_ok, %llu "
                "return_unmatched, %llu in_stock, %llu transfer_suspect, %llu stock_out, %llu "
                "invalid\n",
                (unsigned long long)events, dt, dt > 0 ? (double)events / dt : 0.0,
                (unsigned long long)a.alerts, (unsigned long long)a.per[FG_LEDGER_DUPLICATE],
                (unsigned long long)a.per[FG_LEDGER_REFLOW_PURCHASE],
                (unsigned long long)a.per[FG_LEDGER_FIRST_SALE],
                (unsigned long long)a.per[FG_LEDGER_SPLIT_SALE],
                (unsigned long long)a.per[FG_LEDGER_RETURN_OK],
                (unsigned long long)a.per[FG_LEDGER_RETURN_UNMATCHED],
                (unsigned long long)a.per[FG_LEDGER_IN_STOCK],
                (unsigned long long)a.per[FG_LEDGER_TRANSFER_SUSPECT],
                (unsigned long long)a.per[FG_LEDGER_STOCK_OUT], (unsigned long long)a.invalid);
    }
    fg_buf_release(&a.out);
    fg_free(a.evs);
    fg_free(a.res);
    fg_free(a.inv);
    fg_free(a.valid);
    if (rc == -2)
        return FG_EXIT_INPUT;
    if (rc != 0)
        return FG_EXIT_INTERNAL;
    if (a.alerts > 0)
        return FG_EXIT_FINDINGS;
    return a.invalid > 0 ? FG_EXIT_INPUT : FG_EXIT_OK;
}

/* ---------------------------------------------------------------------------------------------
 * query, stats, verify, dump
 * ------------------------------------------------------------------------------------------- */

static int on_history(void *ctx, const fg_ledger_history_t *h)
{
    fg_buf_t *b = ctx;
    char t[FG_TIME_TEXTLEN + 1];
    fg_time_format(h->event.time, t);
    const char *kind = fg_ledger_kind_name(h->kind);
    return fg_buf_printf(b, "  %s  %-15s %-12s units=%-4u %s%s%s%s setl_id=%s feedetl_sn=%s\n", t,
                         fg_ledger_type_name(h->event.type), h->event.inst, h->event.units,
                         fg_ledger_outcome_name(h->outcome), kind != NULL ? "/" : "",
                         kind != NULL ? kind : "",
                         h->findings & FG_LEDGER_FINDING_UNKNOWN_SOURCE ? " +unknown_source" : "",
                         h->event.setl_id[0] ? h->event.setl_id : "-",
                         h->event.feedetl_sn[0] ? h->event.feedetl_sn : "-");
}

/* One code in text: its state and history. */
static void print_code(const char *code, const fg_ledger_code_state_t *st, const fg_buf_t *b)
{
    printf("code %s\n", code);
    if (!st->known) {
        printf("never seen: no purchase and no sale recorded\n");
        return;
    }
    const char *verdict = st->standing_sales == 0   ? "not sold"
                          : st->standing_sales == 1 ? "only 1 sale"
                                                    : "2 or more sales";
    printf("sales: %zu — %s (%u of %u units sold)\n", st->standing_sales, verdict, st->units_sold,
           st->pack_units);
    printf("stock: %s\n", st->stock[0] ? st->stock : "(none)");
    printf("history (%llu events, oldest first):\n%s", (unsigned long long)st->events,
           b->data != NULL ? b->data : "");
}

static int cmd_query(struct opts *o, int ncodes, char **codes)
{
    fg_error_t err;
    fg_buf_t b;
    int exit_code = FG_EXIT_OK;

    if (ncodes == 0)
        return fg_cli_usage_error("ledger", "query needs a CODE");
    o->lo.read_only = 1;
    fg_ledger_t *lg = open_ledger(o, "query", NULL, &exit_code);
    if (lg == NULL)
        return exit_code;
    fg_buf_init(&b, (size_t)1 << 30);
    for (int i = 0; i < ncodes; i++) {
        fg_ledger_code_state_t st;
        int rc;
        fg_buf_reset(&b);
        if (o->json)
            rc = fg_ledger_history_json(lg, codes[i], NULL, &st, &b, &err);
        else
            rc = fg_ledger_query(lg, codes[i], &st, on_history, &b, &err);
        if (rc != 0) {
            printf("error %s %zu: %s\n", fg_err_name(rc), err.pos, err.msg);
            exit_code = FG_EXIT_INPUT;
            continue;
        }
        if (o->json)
            printf("%s\n", b.data);
        else
            print_code(codes[i], &st, &b);
        if (st.standing_sales > 1)
            exit_code = exit_code == FG_EXIT_OK ? FG_EXIT_FINDINGS : exit_code;
    }
    fg_buf_release(&b);
    fg_ledger_close(lg, NULL);
    return exit_code;
}

static int cmd_stats(struct opts *o)
{
    fg_ledger_stats_t st;
    fg_ledger_recovery_t rec;
    int exit_code = FG_EXIT_OK;

    o->lo.read_only = 1;
    fg_ledger_t *lg = open_ledger(o, "stats", &rec, &exit_code);
    if (lg == NULL)
        return exit_code;
    fg_ledger_stats(lg, &st);
    if (st.error.code != 0) {
        fprintf(stderr, "fundguard ledger: %s [%s]\n", st.error.msg, fg_err_name(st.error.code));
        fg_ledger_close(lg, NULL);
        return FG_EXIT_INTERNAL;
    }
    if (o->json) {
        printf("{\"codes\":%llu,\"institutions\":%llu,\"events\":%llu,\"journal_bytes\":%llu,"
               "\"snapshot_lsn\":%llu,\"index_bytes\":%llu,\"bytes_per_code\":%.1f,"
               "\"spilled\":%llu,\"open_seconds\":%.3f,\"unknown_source\":%llu,\"outcomes\":{",
               (unsigned long long)st.codes, (unsigned long long)st.institutions,
               (unsigned long long)st.events, (unsigned long long)st.journal_bytes,
               (unsigned long long)st.snapshot_lsn, (unsigned long long)st.index_bytes,
               st.codes ? (double)st.index_bytes / (double)st.codes : 0.0,
               (unsigned long long)st.spilled, rec.seconds, (unsigned long long)st.unknown_source);
        for (int i = 1; i < FG_LEDGER__OUTCOMES; i++)
            printf("%s\"%s\":%llu", i > 1 ? "," : "",
                   fg_ledger_outcome_name((fg_ledger_outcome_t)i),
                   (unsigned long long)st.outcomes[i]);
        printf("}}\n");
    } else {
        printf("codes          %llu\n", (unsigned long long)st.codes);
        printf("institutions   %llu\n", (unsigned long long)st.institutions);
        printf("events         %llu\n", (unsigned long long)st.events);
        printf("journal bytes  %llu\n", (unsigned long long)st.journal_bytes);
        printf("snapshot lsn   %llu (restart replays %llu events, took %.3f s)\n",
               (unsigned long long)st.snapshot_lsn, (unsigned long long)rec.replayed, rec.seconds);
        printf("index bytes    %llu (%.1f per code, %llu codes in the side table)\n",
               (unsigned long long)st.index_bytes,
               st.codes ? (double)st.index_bytes / (double)st.codes : 0.0,
               (unsigned long long)st.spilled);
        for (int i = 1; i < FG_LEDGER__OUTCOMES; i++)
            printf("%-16s %llu\n", fg_ledger_outcome_name((fg_ledger_outcome_t)i),
                   (unsigned long long)st.outcomes[i]);
        printf("%-16s %llu\n", "unknown_source", (unsigned long long)st.unknown_source);
    }
    fg_ledger_close(lg, NULL);
    return FG_EXIT_OK;
}

static int cmd_verify(struct opts *o)
{
    uint64_t records;
    uint64_t bad;
    uint64_t torn;
    fg_error_t err;

    const char *url = o->ledger != NULL ? o->ledger : o->data;
    if (url == NULL)
        return fg_cli_usage_error("ledger", "verify needs --ledger URL (or --data DIR)");
    fg_error_clear(&err);
    int rc = fg_ledger_verify(url, NULL, &records, &bad, &torn, &err);
    if (rc != 0) {
        printf("damaged: %s at offset %llu: %s [%s]\n", err.where[0] ? err.where : "ledger",
               (unsigned long long)bad, err.msg, fg_err_name(rc));
        printf("%llu good records before it\n", (unsigned long long)records);
        return FG_EXIT_INPUT;
    }
    if (torn != 0)
        printf("torn tail: the journal ends in a half-written record at offset %llu (the next "
               "apply truncates it; it was never acknowledged)\n",
               (unsigned long long)torn);
    printf("ok: %llu journal records, checksums, sequence and back-pointers sound; snapshot "
           "sound\n",
           (unsigned long long)records);
    return FG_EXIT_OK;
}

static int on_dump(void *ctx, const fg_ledger_history_t *h)
{
    fg_buf_t *b = ctx;
    fg_buf_reset(b);
    int rc = fg_ledger_record_json(h, b);
    rc = rc != 0 ? rc : fg_buf_appendc(b, '\n');
    if (rc == 0 && write_all(STDOUT_FILENO, b->data, b->len) != 0)
        rc = FG_EIO;
    return rc;
}

static int cmd_dump(struct opts *o)
{
    fg_error_t err;
    fg_buf_t b;
    int exit_code = FG_EXIT_OK;

    o->lo.read_only = 1;
    fg_ledger_t *lg = open_ledger(o, "dump", NULL, &exit_code);
    if (lg == NULL)
        return exit_code;
    fg_buf_init(&b, 1u << 20);
    int rc = fg_ledger_dump(lg, on_dump, &b, &err);
    fg_buf_release(&b);
    fg_ledger_close(lg, NULL);
    if (rc != 0) {
        fprintf(stderr, "fundguard ledger: %s [%s]\n", err.msg, fg_err_name(rc));
        return FG_EXIT_INTERNAL;
    }
    return FG_EXIT_OK;
}

static int parse_uint(const char *s, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0')
        return -1;
    *out = v;
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * synth: reproducible event streams for tests and benchmarks
 * ------------------------------------------------------------------------------------------- */

struct rng {
    uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545F4914F6CDD1Dull;
}

static unsigned rndn(struct rng *r, unsigned n)
{
    return (unsigned)(rnd(r) % n);
}

/* The i-th code: "8" + 19 digits of a bijective scramble of i (not sequential, never repeated). */
static void synth_code(uint64_t i, char out[21])
{
    uint64_t x = i;
    const uint64_t m = 1000000000000000000ull; /* 10^18 */
    x = (x * 0x9E3779B97F4A7C15ull % m + 0x1234567ull) % m;
    snprintf(out, 21, "8%01u%018llu", (unsigned)(i % 10), (unsigned long long)x);
}

static int cmd_synth(int argc, char **argv)
{
    unsigned long long events = 1000;
    unsigned long long codes = 0;
    unsigned long seed = 1;
    unsigned long repeat_pct = 5;
    unsigned long invalid_permille = 0;
    unsigned long insts = 50;
    int csv = 0;
    int mix = 0;
    for (int i = 2; i < argc; i++) {
        unsigned long v = 0;
        const char *a = argv[i];
        if (strcmp(a, "--csv") == 0) {
            csv = 1;
            continue;
        }
        if (strcmp(a, "--mix") == 0) {
            mix = 1;
            continue;
        }
        if (i + 1 >= argc || parse_uint(argv[i + 1], &v) != 0)
            return fg_cli_usage_error("ledger", "synth: '%s' needs a number", a);
        i++;
        if (strcmp(a, "--events") == 0)
            events = v;
        else if (strcmp(a, "--codes") == 0)
            codes = v;
        else if (strcmp(a, "--seed") == 0)
            seed = v;
        else if (strcmp(a, "--repeat-pct") == 0 && v <= 100)
            repeat_pct = v;
        else if (strcmp(a, "--invalid-permille") == 0 && v <= 1000)
            invalid_permille = v;
        else if (strcmp(a, "--insts") == 0 && v > 0 && v < 100000)
            insts = v;
        else
            return fg_cli_usage_error("ledger", "synth: unknown option '%s'", a);
    }
    if (codes == 0)
        codes = events / 3 + 1;
    struct rng r = {seed * 0x9E3779B97F4A7C15ull + 1};
    fg_buf_t b;
    fg_buf_init(&b, 1u << 24);
    static const char *const types[] = {"purchase", "purchase_return", "sale", "sale_return"};
    if (csv)
        fg_buf_appends(&b, "type,drug_trac_codg,fixmedins_code,time,units,pack_units,trdn_flag,"
                           "med_list_codg,setl_id,feedetl_sn,psn_no\n");
    uint64_t fresh = 0;
    for (unsigned long long n = 0; n < events; n++) {
        char code[21];
        char time[FG_TIME_TEXTLEN + 1];
        char inst[16];
        int type = 2;
        unsigned units = 0;
        unsigned pack = 10;
        int trdn = 0;
        if (mix) {
            /* A busy little market: a pool of codes, all event types, split sales. */
            unsigned t = rndn(&r, 100);
            type = t < 50 ? 2 : t < 60 ? 3 : t < 90 ? 0 : 1;
            uint64_t ci = rndn(&r, (unsigned)(codes > 4000000000u ? 4000000000u : codes));
            synth_code(ci, code);
            pack = 1 + rndn(&r, 30);
            trdn = rndn(&r, 3) == 0;
            units = trdn ? 1 + rndn(&r, pack) : 0;
            if (rndn(&r, 20) == 0)
                pack = 0;
            if (trdn && type == 2 && pack == 0)
                pack = 30;
            /* Most events of a pack come from its home institution; 1 in 12 from another. */
            unsigned home = (unsigned)((ci * 2654435761u) % insts);
            unsigned who = rndn(&r, 12) == 0 ? rndn(&r, (unsigned)insts) : home;
            snprintf(inst, sizeof(inst), "%c%011lu", who % 4 == 0 ? 'P' : 'H', 11010000000ul + who);
        } else {
            /* The benchmark stream: sales, repeat_pct of them repeating an earlier code. */
            if (fresh > 0 && rndn(&r, 100) < repeat_pct)
                synth_code(rnd(&r) % fresh, code);
            else
                synth_code(fresh++, code);
            snprintf(inst, sizeof(inst), "H%011lu", 11010000000ul + rndn(&r, (unsigned)insts));
        }
        fg_time_format(1751328000 + (fg_time_t)(n / 20), time);
        const char *bad_code = NULL;
        if (invalid_permille > 0 && rndn(&r, 1000) < invalid_permille)
            bad_code = "8123456789012345678X";
        char us[16] = "";
        char ps[16] = "";
        if (units)
            snprintf(us, sizeof(us), "%u", units);
        if (pack)
            snprintf(ps, sizeof(ps), "%u", pack);
        if (csv)
            fg_buf_printf(&b, "%s,%s,%s,%s,%s,%s,%d,XA01ABD075A002010100483,S%llu,%llu,P%u\n",
                          types[type], bad_code ? bad_code : code, inst, time, us, ps, trdn, n / 3,
                          n, rndn(&r, 1000000));
        else
            fg_buf_printf(
                &b,
                "{\"type\":\"%s\",\"drug_trac_codg\":\"%s\",\"fixmedins_code\":\"%s\","
                "\"time\":\"%s\"%s%s%s%s,\"trdn_flag\":\"%d\",\"med_list_codg\":"
                "\"XA01ABD075A002010100483\",\"setl_id\":\"S%llu\",\"feedetl_sn\":\"%llu\","
                "\"psn_no\":\"P%u\"}\n",
                types[type], bad_code ? bad_code : code, inst, time, units ? ",\"units\":" : "", us,
                pack ? ",\"pack_units\":" : "", ps, trdn, n / 3, n, rndn(&r, 1000000));
        if (b.len > (1u << 23)) {
            if (write_all(STDOUT_FILENO, b.data, b.len) != 0)
                return FG_EXIT_INTERNAL;
            fg_buf_reset(&b);
        }
    }
    int rc = write_all(STDOUT_FILENO, b.data != NULL ? b.data : "", b.len);
    fg_buf_release(&b);
    return rc == 0 ? FG_EXIT_OK : FG_EXIT_INTERNAL;
}

/* ---- truth: a generated region's ledger events against its truth.csv ---- */

/* What the ledger says about a code, as bits. */
enum { SEEN_DUP_SAME = 1, SEEN_DUP_OTHER = 2, SEEN_REFLOW = 4, SEEN_UNKNOWN_SOURCE = 8 };

static const struct truth_scenario {
    const char *name;
    unsigned expect; /* any of these bits finds the case */
    const char *what;
} TRUTH_SCENARIOS[] = {
    {"trace_dup_same_inst", SEEN_DUP_SAME, "duplicate (same_institution)"},
    {"trace_dup_other_inst", SEEN_DUP_OTHER, "duplicate (other_institution)"},
    {"trace_reflow", SEEN_REFLOW, "reflow_purchase"},
    {"trace_sold_repurchased", SEEN_REFLOW, "reflow_purchase"},
    {"trace_sale_unpurchased", SEEN_UNKNOWN_SOURCE, "finding unknown_source"},
};
#define NSCEN (sizeof(TRUTH_SCENARIOS) / sizeof(TRUTH_SCENARIOS[0]))

struct truth_case {
    char code[FG_ID_NORM_MAX];
    int scen;
    unsigned seen;
};

static int cmp_truth(const void *a, const void *b)
{
    return strcmp(((const struct truth_case *)a)->code, ((const struct truth_case *)b)->code);
}

static int load_truth(const char *path, struct truth_case **out, size_t *n)
{
    fg_csv_t *csv = NULL;
    fg_error_t err;
    fg_csv_row_t row;
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    if (fg_csv_open_path(path, NULL, &csv, &err) != 0) {
        fprintf(stderr, "fundguard ledger: %s: %s\n", path, err.msg);
        return -1;
    }
    int cs = fg_csv_column(csv, "scenario");
    int cc = fg_csv_column(csv, "drug_trac_codg");
    int rc = cs < 0 || cc < 0 ? -1 : 0;
    while (rc == 0) {
        int r = fg_csv_next(csv, &row, &err);
        if (r <= 0) {
            rc = r;
            break;
        }
        if ((size_t)cs >= row.nfields || (size_t)cc >= row.nfields)
            continue;
        int scen = -1;
        for (size_t k = 0; k < NSCEN; k++)
            if (strcmp(row.data[cs], TRUTH_SCENARIOS[k].name) == 0)
                scen = (int)k;
        fg_trace_code_t tc;
        if (scen < 0 || fg_trace_parse(row.data[cc], row.len[cc], &tc, &err) != 0)
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 256;
            struct truth_case *p = fg_realloc_array(*out, cap, sizeof(**out));
            if (p == NULL) {
                rc = -1;
                break;
            }
            *out = p;
        }
        struct truth_case *t = &(*out)[(*n)++];
        snprintf(t->code, sizeof(t->code), "%s", tc.key);
        t->scen = scen;
        t->seen = 0;
    }
    fg_csv_close(csv);
    if (rc != 0)
        fprintf(stderr, "fundguard ledger: %s: cannot read the truth cases\n", path);
    else
        qsort(*out, *n, sizeof(**out), cmp_truth);
    return rc;
}

static unsigned seen_bits(const fg_ledger_result_t *r)
{
    unsigned b = 0;
    if (r->outcome == FG_LEDGER_DUPLICATE)
        b |= r->kind == FG_LEDGER_SAME_INSTITUTION ? SEEN_DUP_SAME : SEEN_DUP_OTHER;
    if (r->outcome == FG_LEDGER_REFLOW_PURCHASE)
        b |= SEEN_REFLOW;
    if (r->findings & FG_LEDGER_FINDING_UNKNOWN_SOURCE)
        b |= SEEN_UNKNOWN_SOURCE;
    return b;
}

struct truth_run {
    fg_ledger_t *lg;
    struct truth_case *tc;
    size_t ntc;
    uint64_t events;
    uint64_t invalid;
    uint64_t other[4]; /* alerts and findings on codes outside truth.csv, per SEEN_ bit */
};

static int truth_batch(struct truth_run *t, const fg_ledger_event_t *ev, size_t n,
                       fg_ledger_result_t *res)
{
    fg_error_t err;
    if (n > 0 && fg_ledger_apply_batch(t->lg, ev, n, res, &err) != 0) {
        fprintf(stderr, "fundguard ledger: %s [%s]\n", err.msg, fg_err_name(err.code));
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned b = seen_bits(&res[i]);
        if (b == 0)
            continue;
        struct truth_case key;
        memcpy(key.code, ev[i].code, sizeof(key.code));
        struct truth_case *hit = bsearch(&key, t->tc, t->ntc, sizeof(key), cmp_truth);
        /* Several cases may share a code: mark them all. */
        while (hit != NULL && hit > t->tc && strcmp(hit[-1].code, key.code) == 0)
            hit--;
        for (; hit != NULL && hit < t->tc + t->ntc && strcmp(hit->code, key.code) == 0; hit++)
            hit->seen |= b;
        if (bsearch(&key, t->tc, t->ntc, sizeof(key), cmp_truth) == NULL)
            for (int k = 0; k < 4; k++)
                t->other[k] += (b >> k) & 1u;
    }
    return 0;
}

static int cmd_truth(const struct opts *o, int nrest, char **rest)
{
    char path[4096];
    struct truth_run t;
    memset(&t, 0, sizeof(t));
    const char *url = o->ledger != NULL ? o->ledger : o->data;
    if (url == NULL || nrest != 1)
        return fg_cli_usage_error("ledger", "truth needs --ledger URL and the generated directory");
    snprintf(path, sizeof(path), "%s/truth.csv", rest[0]);
    if (load_truth(path, &t.tc, &t.ntc) != 0)
        return FG_EXIT_INPUT;
    snprintf(path, sizeof(path), "%s/ledger_events.jsonl", rest[0]);
    FILE *f = fopen(path, "r");
    fg_ledger_options_t lo = o->lo;
    lo.fsync = FG_LEDGER_FSYNC_OFF;
    fg_error_t err;
    if (f == NULL || fg_ledger_open(url, &lo, &t.lg, NULL, &err) != 0) {
        fprintf(stderr, "fundguard ledger: cannot read %s or open %s\n", path, shown(url));
        if (f != NULL)
            fclose(f);
        fg_free(t.tc);
        return FG_EXIT_INPUT;
    }
    enum { TB = 4096 };
    fg_ledger_event_t *ev = fg_calloc(TB, sizeof(*ev));
    fg_ledger_result_t *res = fg_calloc(TB, sizeof(*res));
    char *line = NULL;
    size_t cap = 0;
    size_t k = 0;
    int rc = ev == NULL || res == NULL ? -1 : 0;
    double t0 = now_s();
    ssize_t len;
    while (rc == 0 && (len = getline(&line, &cap, f)) > 0) {
        t.events++;
        if (fg_ledger_event_parse_json(line, (size_t)len, &ev[k], &err) != 0) {
            t.invalid++;
            continue;
        }
        if (++k == TB) {
            rc = truth_batch(&t, ev, k, res);
            k = 0;
        }
    }
    rc = rc != 0 ? rc : truth_batch(&t, ev, k, res);
    double secs = now_s() - t0;
    fg_ledger_stats_t st;
    fg_ledger_stats(t.lg, &st);
    rc = fg_ledger_close(t.lg, &err) != 0 ? -1 : rc;
    fclose(f);
    free(line);
    if (rc == 0) {
        printf("ledger: %llu events of %s in %.1f s (%llu invalid), %llu codes\n",
               (unsigned long long)t.events, rest[0], secs, (unsigned long long)t.invalid,
               (unsigned long long)st.codes);
        printf("alerts: %llu duplicate, %llu reflow_purchase; findings: %llu unknown_source\n",
               (unsigned long long)st.outcomes[FG_LEDGER_DUPLICATE],
               (unsigned long long)st.outcomes[FG_LEDGER_REFLOW_PURCHASE],
               (unsigned long long)st.unknown_source);
        printf("%-24s %6s %6s  %s\n", "truth.csv scenario", "cases", "found", "expected");
        for (size_t s = 0; s < NSCEN; s++) {
            size_t cases = 0;
            size_t found = 0;
            for (size_t i = 0; i < t.ntc; i++) {
                if (t.tc[i].scen != (int)s)
                    continue;
                cases++;
                found += (t.tc[i].seen & TRUTH_SCENARIOS[s].expect) != 0;
            }
            printf("%-24s %6zu %6zu  %s\n", TRUTH_SCENARIOS[s].name, cases, found,
                   TRUTH_SCENARIOS[s].what);
        }
        printf("on codes outside truth.csv: %llu duplicate (same_institution), %llu duplicate "
               "(other_institution), %llu reflow_purchase, %llu unknown_source\n",
               (unsigned long long)t.other[0], (unsigned long long)t.other[1],
               (unsigned long long)t.other[2], (unsigned long long)t.other[3]);
    }
    fg_free(ev);
    fg_free(res);
    fg_free(t.tc);
    return rc == 0 ? FG_EXIT_OK : FG_EXIT_INTERNAL;
}

int fg_cmd_ledger(int argc, char **argv)
{
    struct opts o;
    char **rest;
    int nrest = 0;
    const char *sub;

    memset(&o, 0, sizeof(o));
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        help(argc < 2 ? stderr : stdout);
        return argc < 2 ? FG_EXIT_USAGE : FG_EXIT_OK;
    }
    sub = argv[1];
    if (strcmp(sub, "synth") == 0)
        return cmd_synth(argc, argv);
    rest = fg_calloc((size_t)argc, sizeof(*rest));
    if (rest == NULL)
        return FG_EXIT_INTERNAL;
    o.data = getenv("FG_LEDGER_DATA");
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = 1;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            help(stdout);
            fg_free(rest);
            return FG_EXIT_OK;
        } else if (strcmp(a, "--json") == 0) {
            o.json = 1;
            takes = 0;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            o.quiet = 1;
            takes = 0;
        } else if (strcmp(a, "--db-reset") == 0) {
            o.db_reset = 1;
            takes = 0;
        } else if (strcmp(a, "-") == 0 || a[0] != '-') {
            rest[nrest++] = argv[i];
            continue;
        }
        if (!takes)
            continue;
        if (v == NULL) {
            fg_free(rest);
            return fg_cli_usage_error("ledger", "'%s' needs a value or is unknown", a);
        }
        unsigned long n;
        if (strcmp(a, "--data") == 0) {
            o.data = v;
        } else if (strcmp(a, "--ledger") == 0 || strcmp(a, "--db") == 0) {
            o.ledger = v;
        } else if (strcmp(a, "--fsync") == 0) {
            if (strcmp(v, "always") == 0)
                o.lo.fsync = FG_LEDGER_FSYNC_ALWAYS;
            else if (strcmp(v, "batch") == 0)
                o.lo.fsync = FG_LEDGER_FSYNC_BATCH;
            else if (strcmp(v, "off") == 0)
                o.lo.fsync = FG_LEDGER_FSYNC_OFF;
            else {
                fg_free(rest);
                return fg_cli_usage_error("ledger", "--fsync is always, batch or off");
            }
        } else if (strcmp(a, "--batch-ms") == 0 && parse_uint(v, &n) == 0 && n > 0 && n < 10000) {
            o.lo.batch_ms = (unsigned)n;
        } else if (strcmp(a, "--expect-codes") == 0 && parse_uint(v, &n) == 0) {
            o.lo.expect_codes = n;
        } else if (strcmp(a, "--snapshot-mb") == 0 && parse_uint(v, &n) == 0 && n > 0) {
            o.lo.snapshot_bytes = (uint64_t)n << 20;
        } else {
            fg_free(rest);
            return fg_cli_usage_error("ledger", "unknown option or bad value: %s %s", a, v);
        }
        i++;
    }
    int rc;
    if (strcmp(sub, "apply") == 0)
        rc = cmd_apply(&o, nrest, rest);
    else if (strcmp(sub, "query") == 0)
        rc = cmd_query(&o, nrest, rest);
    else if (strcmp(sub, "stats") == 0)
        rc = cmd_stats(&o);
    else if (strcmp(sub, "verify") == 0)
        rc = cmd_verify(&o);
    else if (strcmp(sub, "dump") == 0)
        rc = cmd_dump(&o);
    else if (strcmp(sub, "truth") == 0)
        rc = cmd_truth(&o, nrest, rest);
    else
        rc = fg_cli_usage_error(
            "ledger", "unknown subcommand '%s' (apply, query, stats, verify, dump, truth)", sub);
    fg_free(rest);
    return rc;
}
